//! agentsec: static security scanner for AI-agent projects.

mod classify;
mod cli;
mod discover;
mod explain;
mod finding;
mod manifest;
mod report;
mod rules;
mod scan;
mod sign;
mod source;

fn main() {
    std::process::exit(cli::main());
}
