//! `agentsec keygen | sign | verify`: Sigstore bundles for release artifacts.
//!
//! See docs/signing.md for formats and exit codes.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;

mod bundle;
mod cosign;
mod dir;
mod keyless;
mod keys;
#[allow(clippy::module_inception)]
mod sign;
pub mod status;
mod verify;

pub use keys::Algorithm;

/// Exit code: the artifact did not verify (or its bundle is missing or malformed).
pub const EXIT_VERIFY_FAILED: i32 = 1;

/// Options of `agentsec keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Signature algorithm of the new key pair.
    #[arg(long, value_enum, default_value = "p256")]
    pub algorithm: Algorithm,
    /// Output prefix: writes PREFIX.key (encrypted private key) and PREFIX.pub.
    #[arg(long, short, value_name = "PREFIX", default_value = "agentsec")]
    pub output: PathBuf,
    /// Overwrite existing key files.
    #[arg(long)]
    pub force: bool,
}

/// Options of `agentsec sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Files or directories to sign.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Private key (PEM: encrypted or plain PKCS#8, SEC1, or cosign format). Without
    /// it, signs keyless with an OIDC identity, Fulcio and Rekor.
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// Where to write the bundle (only with a single PATH). Default: PATH.sigstore.json.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// OIDC identity token for keyless signing. Default: requested from GitHub
    /// Actions (ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN).
    #[arg(
        long,
        env = "SIGSTORE_ID_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub identity_token: Option<String>,
    /// Audience asked for when requesting a GitHub Actions token.
    #[arg(long, default_value = "sigstore", value_name = "AUD")]
    pub oidc_audience: String,
    /// Fulcio certificate authority URL (keyless).
    #[arg(long, default_value = keyless::DEFAULT_FULCIO, value_name = "URL")]
    pub fulcio_url: String,
    /// Rekor transparency log URL (keyless).
    #[arg(long, default_value = keyless::DEFAULT_REKOR, value_name = "URL")]
    pub rekor_url: String,
    /// Rekor entry type for directory (DSSE) signatures (keyless).
    #[arg(long, value_enum, default_value = "dsse", value_name = "TYPE")]
    pub rekor_dsse_entry: keyless::DsseEntryType,
    /// Trusted root (Sigstore TrustedRoot JSON) used to check what Fulcio and Rekor
    /// return before the bundle is written (keyless).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
}

/// Options of `agentsec verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// File or directory to verify.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// The bundle. Default: PATH.sigstore.json.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Public key (PEM) for key-based bundles.
    #[arg(long, value_name = "PUB", conflicts_with_all = ["certificate_identity", "certificate_oidc_issuer"])]
    pub key: Option<PathBuf>,
    /// Expected signer identity (certificate SAN: email or URI) for keyless bundles.
    #[arg(long, value_name = "ID", requires = "certificate_oidc_issuer")]
    pub certificate_identity: Option<String>,
    /// Expected OIDC issuer recorded in the certificate for keyless bundles.
    #[arg(long, value_name = "ISS", requires = "certificate_identity")]
    pub certificate_oidc_issuer: Option<String>,
    /// Trusted root (Sigstore TrustedRoot JSON) with the Fulcio CA and Rekor keys.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
}

/// Runs `keygen`; returns the process exit code.
pub fn run_keygen(args: &KeygenArgs) -> Result<i32> {
    let prefix = args.output.as_os_str().to_string_lossy().into_owned();
    let key_path = PathBuf::from(format!("{prefix}.key"));
    let pub_path = PathBuf::from(format!("{prefix}.pub"));
    if !args.force {
        for p in [&key_path, &pub_path] {
            if p.exists() {
                bail!("{} already exists (use --force to overwrite)", p.display());
            }
        }
    }
    let password = keys::read_password(true)?;
    let key = keys::SigningKey::generate(args.algorithm);
    let private_pem = key.to_encrypted_pem(&password)?;
    let public_pem = key.verifying_key().to_pem()?;
    write_private(&key_path, private_pem.as_bytes())?;
    std::fs::write(&pub_path, public_pem)
        .with_context(|| format!("cannot write {}", pub_path.display()))?;
    eprintln!(
        "wrote {} (encrypted private key) and {} (public key)",
        key_path.display(),
        pub_path.display()
    );
    Ok(0)
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Runs `sign`; returns the process exit code.
pub fn run_sign(args: &SignArgs) -> Result<i32> {
    sign::run(args)
}

/// Runs `verify`; returns the process exit code.
pub fn run_verify(args: &VerifyArgs) -> Result<i32> {
    verify::run(args)
}

/// `PATH.sigstore.json`, next to the artifact.
pub(crate) fn default_bundle_path(path: &std::path::Path) -> PathBuf {
    // `.` or `..` have no name of their own: use the directory's real name.
    let named;
    let path = if path.file_name().is_none() {
        named = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        named.as_path()
    } else {
        path
    };
    let mut s = path
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(['/', '\\'])
        .to_string();
    s.push_str(".sigstore.json");
    PathBuf::from(s)
}
