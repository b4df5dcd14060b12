//! agentsec: static security scanner for AI-agent projects.

mod cli;
mod sign;

fn main() {
    std::process::exit(cli::main());
}
