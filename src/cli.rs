//! Command-line interface: parses arguments and dispatches to the subcommands.

use clap::{Parser, Subcommand};

use crate::sign;

/// Exit code for usage errors, configuration errors and internal failures.
pub const EXIT_ERROR: i32 = 2;

#[derive(Debug, Parser)]
#[command(name = "agentsec", version, about = "Static security scanner for AI-agent projects")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a key pair for `agentsec sign`.
    Keygen(sign::KeygenArgs),
    /// Sign files or directories into Sigstore bundles.
    Sign(sign::SignArgs),
    /// Verify a file or directory against its Sigstore bundle.
    Verify(sign::VerifyArgs),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match &cli.command {
        Command::Keygen(a) => sign::run_keygen(a),
        Command::Sign(a) => sign::run_sign(a),
        Command::Verify(a) => sign::run_verify(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            EXIT_ERROR
        }
    }
}
