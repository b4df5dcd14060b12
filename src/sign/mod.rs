//! `agentsec keygen | sign | verify`: Sigstore bundles for release artifacts.

use clap::Args;

/// Options of `agentsec keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {}

/// Options of `agentsec sign`.
#[derive(Debug, Args)]
pub struct SignArgs {}

/// Options of `agentsec verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {}

/// Runs `keygen`; returns the process exit code.
pub fn run_keygen(_args: &KeygenArgs) -> anyhow::Result<i32> {
    anyhow::bail!("keygen is not implemented yet")
}

/// Runs `sign`; returns the process exit code.
pub fn run_sign(_args: &SignArgs) -> anyhow::Result<i32> {
    anyhow::bail!("sign is not implemented yet")
}

/// Runs `verify`; returns the process exit code.
pub fn run_verify(_args: &VerifyArgs) -> anyhow::Result<i32> {
    anyhow::bail!("verify is not implemented yet")
}
