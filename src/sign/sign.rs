//! `agentsec sign`: files get a `messageSignature` bundle, directories a DSSE
//! envelope over an in-toto statement in model-signing's shape.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::bundle::{
    pae, Bundle, DsseSignature, Envelope, HashOutput, MessageSignature, PublicKeyIdentifier,
    VerificationMaterial, IN_TOTO_PAYLOAD_TYPE, MEDIA_TYPE_V03,
};
use super::keyless::KeylessSigner;
use super::keys::{b64, load_signing_key, SigningKey};
use super::{default_bundle_path, dir, SignArgs};

enum Signer {
    Key(Box<SigningKey>),
    Keyless(Box<KeylessSigner>),
}

impl Signer {
    fn key(&self) -> &SigningKey {
        match self {
            Signer::Key(k) => k,
            Signer::Keyless(k) => k.key(),
        }
    }
}

pub fn run(args: &SignArgs) -> Result<i32> {
    if args.bundle.is_some() && args.paths.len() != 1 {
        bail!("--bundle can only be used with a single PATH");
    }
    for p in &args.paths {
        if !p.exists() {
            bail!("{} does not exist", p.display());
        }
    }
    let signer = match &args.key {
        Some(k) => Signer::Key(Box::new(load_signing_key(k)?)),
        None => Signer::Keyless(Box::new(KeylessSigner::new(args)?)),
    };
    for path in &args.paths {
        let bundle_path = args
            .bundle
            .clone()
            .unwrap_or_else(|| default_bundle_path(path));
        let bundle = if path.is_dir() {
            sign_dir(&signer, path, &bundle_path)?
        } else {
            sign_file(&signer, path)?
        };
        write_bundle(&bundle_path, &bundle)?;
        eprintln!("signed {} -> {}", path.display(), bundle_path.display());
    }
    Ok(0)
}

fn write_bundle(path: &PathBuf, bundle: &Bundle) -> Result<()> {
    std::fs::write(path, bundle.to_json()?)
        .with_context(|| format!("cannot write bundle {}", path.display()))
}

fn key_material(key: &SigningKey) -> Result<VerificationMaterial> {
    Ok(VerificationMaterial {
        public_key: Some(PublicKeyIdentifier {
            hint: Some(key.verifying_key().hint()?),
        }),
        ..Default::default()
    })
}

fn sign_file(signer: &Signer, path: &Path) -> Result<Bundle> {
    let digest = dir::sha256_file(path)?;
    let sig = signer.key().sign_file(path, &digest)?;
    let material = match signer {
        Signer::Key(k) => key_material(k)?,
        Signer::Keyless(k) => k.material_for_message(&digest, &sig)?,
    };
    Ok(Bundle {
        media_type: MEDIA_TYPE_V03.to_string(),
        verification_material: material,
        message_signature: Some(MessageSignature {
            message_digest: HashOutput {
                algorithm: "SHA2_256".to_string(),
                digest: b64(&digest),
            },
            signature: b64(&sig),
        }),
        dsse_envelope: None,
    })
}

fn sign_dir(signer: &Signer, root: &Path, bundle_path: &Path) -> Result<Bundle> {
    let ignore = dir::default_ignores(root, bundle_path);
    let manifest = dir::hash_dir(root, &ignore)?;
    let statement = dir::statement(&dir::dir_name(root), &manifest, &ignore)?;
    let payload = serde_json::to_vec(&statement)?;
    let sig = signer.key().sign(&pae(IN_TOTO_PAYLOAD_TYPE, &payload));
    let envelope = Envelope {
        payload: b64(&payload),
        payload_type: IN_TOTO_PAYLOAD_TYPE.to_string(),
        signatures: vec![DsseSignature {
            sig: b64(&sig),
            keyid: String::new(),
        }],
    };
    let material = match signer {
        Signer::Key(k) => key_material(k)?,
        Signer::Keyless(k) => k.material_for_dsse(&envelope)?,
    };
    Ok(Bundle {
        media_type: MEDIA_TYPE_V03.to_string(),
        verification_material: material,
        message_signature: None,
        dsse_envelope: Some(envelope),
    })
}
