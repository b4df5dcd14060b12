//! `agentsec verify`: checks a file or directory against its Sigstore bundle.

use std::path::Path;

use anyhow::{anyhow, bail, Result};

use super::bundle::{pae, Bundle, Envelope, IN_TOTO_PAYLOAD_TYPE};
use super::keyless::{self, Identity, SignedContent, TrustedRoot};
use super::keys::{load_verifying_key, unb64, VerifyingKey};
use super::{default_bundle_path, dir, VerifyArgs, EXIT_VERIFY_FAILED};

/// A verification failure: reported with exit code 1 (other errors give 2).
struct Failure(String);

type Checked<T> = std::result::Result<T, Failure>;

macro_rules! fail {
    ($($arg:tt)*) => { return Ok(Err(Failure(format!($($arg)*)))) };
}

pub fn run(args: &VerifyArgs) -> Result<i32> {
    let bundle_path = args
        .bundle
        .clone()
        .unwrap_or_else(|| default_bundle_path(&args.path));
    if !args.path.exists() {
        bail!("{} does not exist", args.path.display());
    }
    enum Policy {
        Key(VerifyingKey),
        Identity(Identity, TrustedRoot),
    }
    let policy = match (
        &args.key,
        &args.certificate_identity,
        &args.certificate_oidc_issuer,
    ) {
        (Some(k), _, _) => Policy::Key(load_verifying_key(k)?),
        (None, Some(id), Some(iss)) => {
            let root = TrustedRoot::load(args.trusted_root.as_deref())?;
            Policy::Identity(
                Identity {
                    san: id.clone(),
                    issuer: iss.clone(),
                },
                root,
            )
        }
        _ => bail!(
            "say whom to trust: --key PUB for key-based bundles, or --certificate-identity ID \
             --certificate-oidc-issuer ISS for keyless bundles"
        ),
    };
    let outcome = (|| -> Result<Checked<String>> {
        let bytes = match std::fs::read(&bundle_path) {
            Ok(b) => b,
            Err(e) => fail!("cannot read bundle {}: {e}", bundle_path.display()),
        };
        let bundle = match Bundle::parse(&bytes) {
            Ok(b) => b,
            Err(e) => fail!("invalid bundle {}: {e:#}", bundle_path.display()),
        };
        let content = match signed_content(&bundle) {
            Ok(c) => c,
            Err(e) => fail!("invalid bundle {}: {e:#}", bundle_path.display()),
        };
        let (key, who) = match &policy {
            Policy::Key(key) => {
                let vm = &bundle.verification_material;
                if vm.public_key.is_none() {
                    fail!("the bundle is keyless (it carries a certificate, not a public key hint): verify it with --certificate-identity and --certificate-oidc-issuer");
                }
                let hint = vm.public_key.as_ref().and_then(|p| p.hint.clone());
                let mut who = format!("{} public key", key.algorithm_name());
                if let Some(h) = hint.filter(|h| !h.is_empty()) {
                    if h != key.hint()? {
                        who.push_str(&format!(
                            " (note: bundle key hint '{h}' differs from this key's)"
                        ));
                    }
                }
                (key.clone(), who)
            }
            Policy::Identity(id, root) => {
                match keyless::verify_certificate_and_log(&bundle, &content, id, root) {
                    Ok((key, who)) => (key, who),
                    Err(e) if root.builtin => fail!(
                        "{e:#} (checked against the built-in Sigstore public-good trusted root; \
                         for another Sigstore instance pass its --trusted-root)"
                    ),
                    Err(e) => fail!("{e:#}"),
                }
            }
        };
        let what = match &content {
            SignedContent::Message { digest, sig } => check_message(&args.path, &key, digest, sig)?,
            SignedContent::Dsse(env) => check_dsse(&args.path, &bundle_path, &key, env)?,
        };
        Ok(match what {
            Ok(what) => Ok(format!("{what}, signed by {who}")),
            Err(f) => Err(f),
        })
    })()?;
    match outcome {
        Ok(msg) => {
            println!("OK: {}: {msg}", args.path.display());
            Ok(0)
        }
        Err(Failure(msg)) => {
            eprintln!("FAILED: {}: {msg}", args.path.display());
            Ok(EXIT_VERIFY_FAILED)
        }
    }
}

fn signed_content(bundle: &Bundle) -> Result<SignedContent> {
    if let Some(ms) = &bundle.message_signature {
        if ms.message_digest.algorithm != "SHA2_256" {
            bail!(
                "unsupported message digest algorithm '{}' (expected SHA2_256)",
                ms.message_digest.algorithm
            );
        }
        let digest: [u8; 32] = unb64(&ms.message_digest.digest)?
            .try_into()
            .map_err(|_| anyhow!("the message digest is not 32 bytes"))?;
        let sig = unb64(&ms.signature).map_err(|_| anyhow!("signature is not base64"))?;
        return Ok(SignedContent::Message { digest, sig });
    }
    match &bundle.dsse_envelope {
        Some(env) => Ok(SignedContent::Dsse(env.clone())),
        None => bail!("no signature content"),
    }
}

fn check_message(
    path: &Path,
    key: &VerifyingKey,
    digest: &[u8; 32],
    sig: &[u8],
) -> Result<Checked<String>> {
    if path.is_dir() {
        fail!(
            "the bundle signs a single file but {} is a directory",
            path.display()
        );
    }
    let actual = dir::sha256_file(path)?;
    if &actual != digest {
        fail!(
            "digest mismatch: the file was modified after signing (bundle: sha256:{}, file: sha256:{})",
            hex::encode(digest),
            hex::encode(actual)
        );
    }
    let res = match key {
        VerifyingKey::P256(_) => key.verify_prehash(digest, sig),
        _ => key.verify(&std::fs::read(path)?, sig),
    };
    if let Err(e) = res {
        fail!("invalid signature: {e} with the given key (wrong key, or the bundle was altered)");
    }
    Ok(Ok(format!(
        "sha256:{} signature valid",
        hex::encode(digest)
    )))
}

fn check_dsse(
    path: &Path,
    bundle_path: &Path,
    key: &VerifyingKey,
    env: &Envelope,
) -> Result<Checked<String>> {
    if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
        fail!("unsupported DSSE payload type '{}'", env.payload_type);
    }
    let Ok(payload) = unb64(&env.payload) else {
        fail!("the DSSE payload is not base64");
    };
    if env.signatures.is_empty() {
        fail!("the DSSE envelope has no signature");
    }
    let msg = pae(&env.payload_type, &payload);
    let ok = env
        .signatures
        .iter()
        .any(|s| unb64(&s.sig).is_ok_and(|sig| key.verify(&msg, &sig).is_ok()));
    if !ok {
        fail!("invalid signature on the DSSE envelope with the given key (wrong key, or the bundle was altered)");
    }
    let attested = match dir::parse_statement(&payload) {
        Ok(a) => a,
        Err(e) => fail!("{e:#}"),
    };
    if !path.is_dir() {
        let actual = hex::encode(dir::sha256_file(path)?);
        if attested.files.values().any(|d| *d == actual) {
            return Ok(Ok(format!("sha256:{actual} attested")));
        }
        fail!("digest mismatch: the file's sha256:{actual} is not among the attested subjects");
    }
    let mut ignore = attested.ignore_paths.clone();
    ignore.extend(dir::default_ignores(path, bundle_path));
    let actual = dir::hash_dir(path, &ignore)?;
    let d = dir::diff(&attested.files, &actual);
    if !d.is_empty() {
        let mut msg = String::from("the directory does not match its attestation:");
        for (label, list) in [
            ("changed", &d.changed),
            ("added", &d.added),
            ("removed", &d.removed),
        ] {
            for f in list {
                msg.push_str(&format!("\n  {label}: {f}"));
            }
        }
        fail!("{msg}");
    }
    Ok(Ok(format!("{} files match the attestation", actual.len())))
}
