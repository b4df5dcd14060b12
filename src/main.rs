//! agentsec: static security scanner for AI-agent projects.

mod baseline;
mod classify;
mod cli;
mod cmdline;
mod config;
mod diff;
mod discover;
mod explain;
mod finding;
mod lang;
mod manifest;
mod policy;
mod report;
mod rules;
mod scan;
mod select;
mod sign;
mod source;
mod suppress;

fn main() {
    std::process::exit(cli::main());
}
