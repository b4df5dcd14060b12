//! Key pairs: generation, encrypted PKCS#8 storage, cosign-format import, signing
//! and verification (P-256 ECDSA with SHA-256, Ed25519; P-384 for certificate chains).

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use der::asn1::ObjectIdentifier;
use der::Decode as _;
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, LineEnding};
use rand_core::OsRng;
use sha2::{Digest as _, Sha256};
use spki::{DecodePublicKey as _, EncodePublicKey as _};

const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// scrypt cost for new encrypted keys (log2 N).
const SCRYPT_LOG_N: u8 = 14;

/// Environment variable holding the private-key password.
pub const PASSWORD_ENV: &str = "AGENTSEC_PASSWORD";

/// Signature algorithms `agentsec keygen` can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Algorithm {
    /// ECDSA on NIST P-256 with SHA-256 (the Sigstore default; model-signing compatible).
    P256,
    /// Ed25519 (pure EdDSA).
    Ed25519,
}

/// A private key that can sign.
pub enum SigningKey {
    P256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

/// A public key that can verify.
#[derive(Clone)]
pub enum VerifyingKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl SigningKey {
    pub fn generate(alg: Algorithm) -> Self {
        match alg {
            Algorithm::P256 => SigningKey::P256(p256::ecdsa::SigningKey::random(&mut OsRng)),
            Algorithm::Ed25519 => {
                SigningKey::Ed25519(ed25519_dalek::SigningKey::generate(&mut OsRng))
            }
        }
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        match self {
            SigningKey::P256(k) => VerifyingKey::P256(*k.verifying_key()),
            SigningKey::Ed25519(k) => VerifyingKey::Ed25519(k.verifying_key()),
        }
    }

    /// Signs `msg`: ECDSA P-256 over SHA-256(msg), DER-encoded; Ed25519 over msg.
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match self {
            SigningKey::P256(k) => {
                let sig: p256::ecdsa::DerSignature = k.sign(msg);
                sig.as_bytes().to_vec()
            }
            SigningKey::Ed25519(k) => k.sign(msg).to_bytes().to_vec(),
        }
    }

    /// Signs a file's contents given its SHA-256 `digest`: ECDSA signs the digest
    /// (same as signing the message); Ed25519 needs the whole message, read from `path`.
    pub fn sign_file(&self, path: &std::path::Path, digest: &[u8; 32]) -> Result<Vec<u8>> {
        match self {
            SigningKey::P256(k) => {
                use p256::ecdsa::signature::hazmat::PrehashSigner as _;
                let sig: p256::ecdsa::Signature = k
                    .sign_prehash(digest)
                    .map_err(|e| anyhow!("signing failed: {e}"))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            SigningKey::Ed25519(_) => {
                let data = std::fs::read(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                Ok(self.sign(&data))
            }
        }
    }

    /// The unencrypted PKCS#8 DER document.
    fn to_pkcs8_der(&self) -> Result<pkcs8::SecretDocument> {
        Ok(match self {
            SigningKey::P256(k) => k.to_pkcs8_der()?,
            SigningKey::Ed25519(k) => k.to_pkcs8_der()?,
        })
    }

    /// PEM `ENCRYPTED PRIVATE KEY` (PKCS#8, PBES2 with scrypt and AES-256-CBC).
    pub fn to_encrypted_pem(&self, password: &str) -> Result<String> {
        let der = self.to_pkcs8_der()?;
        let info = pkcs8::PrivateKeyInfo::try_from(der.as_bytes())?;
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut OsRng, &mut salt);
        rand_core::RngCore::fill_bytes(&mut OsRng, &mut iv);
        // scrypt N=2^14, r=8, p=1 (16 MiB): OpenSSL, and so Python `cryptography`,
        // refuse scrypt above 32 MiB, which the pkcs8 crate's default (N=2^15) reaches.
        let params = scrypt::Params::new(SCRYPT_LOG_N, 8, 1, 32)
            .map_err(|e| anyhow!("invalid scrypt parameters: {e}"))?;
        let pbes2 = pkcs8::pkcs5::pbes2::Parameters::scrypt_aes256cbc(params, &salt, &iv)
            .map_err(|e| anyhow!("cannot encrypt the private key: {e}"))?;
        let enc = info
            .encrypt_with_params(pbes2, password.as_bytes())
            .map_err(|e| anyhow!("cannot encrypt the private key: {e}"))?;
        Ok(enc
            .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
            .map_err(|e| anyhow!("cannot encode the private key: {e}"))?
            .to_string())
    }

    fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfo::try_from(der)
            .map_err(|e| anyhow!("not a PKCS#8 private key: {e}"))?;
        let oid = info.algorithm.oid;
        if oid == OID_ED25519 {
            Ok(SigningKey::Ed25519(
                ed25519_dalek::SigningKey::from_pkcs8_der(der)
                    .map_err(|e| anyhow!("invalid Ed25519 private key: {e}"))?,
            ))
        } else if oid == OID_EC_PUBLIC_KEY {
            let curve = info.algorithm.parameters_oid().ok();
            if curve != Some(OID_P256) {
                bail!(
                    "unsupported elliptic curve {curve:?}: only P-256 private keys are supported"
                );
            }
            Ok(SigningKey::P256(
                p256::ecdsa::SigningKey::from_pkcs8_der(der)
                    .map_err(|e| anyhow!("invalid P-256 private key: {e}"))?,
            ))
        } else {
            bail!("unsupported private key algorithm {oid}: use P-256 or Ed25519")
        }
    }

    /// Loads a private key from PEM text: encrypted or plain PKCS#8, SEC1 `EC PRIVATE KEY`,
    /// or a cosign/sigstore `ENCRYPTED SIGSTORE PRIVATE KEY`. `password` is asked for
    /// only when the key is encrypted.
    pub fn from_pem(text: &str, password: &mut dyn FnMut() -> Result<String>) -> Result<Self> {
        let (label, bytes) = der::pem::decode_vec(text.trim_start().as_bytes())
            .map_err(|e| anyhow!("not a PEM private key: {e}"))?;
        let doc = der::zeroize::Zeroizing::new(bytes);
        match label {
            "ENCRYPTED PRIVATE KEY" => {
                let enc = pkcs8::EncryptedPrivateKeyInfo::try_from(doc.as_slice())
                    .map_err(|e| anyhow!("malformed encrypted private key: {e}"))?;
                let pw = password()?;
                let plain = enc
                    .decrypt(pw.as_bytes())
                    .map_err(|_| anyhow!("cannot decrypt the private key: wrong password?"))?;
                Self::from_pkcs8_der(plain.as_bytes())
            }
            "PRIVATE KEY" => Self::from_pkcs8_der(&doc),
            "EC PRIVATE KEY" => {
                use p256::elliptic_curve::SecretKey;
                let sk = SecretKey::<p256::NistP256>::from_sec1_der(&doc)
                    .map_err(|e| anyhow!("invalid SEC1 P-256 private key: {e}"))?;
                Ok(SigningKey::P256(sk.into()))
            }
            "ENCRYPTED SIGSTORE PRIVATE KEY" | "ENCRYPTED COSIGN PRIVATE KEY" => {
                let pw = password()?;
                let der = der::zeroize::Zeroizing::new(super::cosign::decrypt(&doc, &pw)?);
                Self::from_pkcs8_der(&der)
            }
            other => bail!("unsupported PEM block '{other}' in private key file"),
        }
    }
}

impl VerifyingKey {
    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let info = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| anyhow!("not a SubjectPublicKeyInfo: {e}"))?;
        let oid = info.algorithm.oid;
        if oid == OID_ED25519 {
            return Ok(VerifyingKey::Ed25519(
                ed25519_dalek::VerifyingKey::from_public_key_der(der)
                    .map_err(|e| anyhow!("invalid Ed25519 public key: {e}"))?,
            ));
        }
        if oid == OID_EC_PUBLIC_KEY {
            let curve = info.algorithm.parameters_oid().ok();
            if curve == Some(OID_P256) {
                return Ok(VerifyingKey::P256(
                    p256::ecdsa::VerifyingKey::from_public_key_der(der)
                        .map_err(|e| anyhow!("invalid P-256 public key: {e}"))?,
                ));
            }
            if curve == Some(OID_P384) {
                return Ok(VerifyingKey::P384(
                    p384::ecdsa::VerifyingKey::from_public_key_der(der)
                        .map_err(|e| anyhow!("invalid P-384 public key: {e}"))?,
                ));
            }
            bail!("unsupported elliptic curve {curve:?}");
        }
        bail!("unsupported public key algorithm {oid}")
    }

    /// Parses a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub fn from_pem(text: &str) -> Result<Self> {
        let (label, doc) =
            der::Document::from_pem(text).map_err(|e| anyhow!("not a PEM public key: {e}"))?;
        if label != "PUBLIC KEY" {
            bail!("expected a PEM 'PUBLIC KEY' block, found '{label}'");
        }
        Self::from_spki_der(doc.as_bytes())
    }

    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        let doc = match self {
            VerifyingKey::P256(k) => k.to_public_key_der(),
            VerifyingKey::P384(k) => k.to_public_key_der(),
            VerifyingKey::Ed25519(k) => k.to_public_key_der(),
        }
        .map_err(|e| anyhow!("cannot encode public key: {e}"))?;
        Ok(doc.as_bytes().to_vec())
    }

    /// PEM `PUBLIC KEY` with LF line endings and 64-column base64 (the same bytes
    /// OpenSSL and Python `cryptography` produce).
    pub fn to_pem(&self) -> Result<String> {
        let der = self.to_spki_der()?;
        der::Document::try_from(der.as_slice())
            .and_then(|d| d.to_pem("PUBLIC KEY", LineEnding::LF))
            .map_err(|e| anyhow!("cannot encode public key: {e}"))
    }

    /// The `publicKey.hint` agentsec writes: lowercase hex SHA-256 of [`Self::to_pem`]
    /// (the same value model-signing writes and checks).
    pub fn hint(&self) -> Result<String> {
        Ok(hex::encode(Sha256::digest(self.to_pem()?.as_bytes())))
    }

    pub fn algorithm_name(&self) -> &'static str {
        match self {
            VerifyingKey::P256(_) => "ECDSA P-256",
            VerifyingKey::P384(_) => "ECDSA P-384",
            VerifyingKey::Ed25519(_) => "Ed25519",
        }
    }

    /// Verifies `sig` over `msg` (ECDSA: SHA-256 for P-256, SHA-384 for P-384; DER signature).
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<()> {
        match self {
            VerifyingKey::P256(k) => {
                let s = p256::ecdsa::DerSignature::try_from(sig)
                    .map_err(|_| anyhow!("malformed ECDSA signature"))?;
                k.verify(msg, &s)
                    .map_err(|_| anyhow!("signature does not verify"))
            }
            VerifyingKey::P384(k) => {
                let s = p384::ecdsa::DerSignature::try_from(sig)
                    .map_err(|_| anyhow!("malformed ECDSA signature"))?;
                k.verify(msg, &s)
                    .map_err(|_| anyhow!("signature does not verify"))
            }
            VerifyingKey::Ed25519(k) => {
                let s = ed25519_dalek::Signature::from_slice(sig)
                    .map_err(|_| anyhow!("not an Ed25519 signature"))?;
                k.verify_strict(msg, &s)
                    .map_err(|_| anyhow!("signature does not verify"))
            }
        }
    }

    /// Verifies an ECDSA DER signature over an already computed digest (certificate
    /// signatures: ecdsa-with-SHA256/384). Not available for Ed25519.
    pub fn verify_prehash(&self, digest: &[u8], sig: &[u8]) -> Result<()> {
        match self {
            VerifyingKey::P256(k) => {
                let s = p256::ecdsa::Signature::from_der(sig)
                    .map_err(|_| anyhow!("malformed ECDSA signature"))?;
                k.verify_prehash(digest, &s)
                    .map_err(|_| anyhow!("signature does not verify"))
            }
            VerifyingKey::P384(k) => {
                let s = p384::ecdsa::Signature::from_der(sig)
                    .map_err(|_| anyhow!("malformed ECDSA signature"))?;
                k.verify_prehash(digest, &s)
                    .map_err(|_| anyhow!("signature does not verify"))
            }
            VerifyingKey::Ed25519(_) => bail!("Ed25519 keys do not sign digests"),
        }
    }
}

/// Reads the private-key password from `AGENTSEC_PASSWORD`, else prompts on the terminal.
pub fn read_password(confirm: bool) -> Result<String> {
    if let Ok(pw) = std::env::var(PASSWORD_ENV) {
        return Ok(pw);
    }
    let pw = rpassword::prompt_password("Private key password: ").with_context(|| {
        format!("cannot read a password: set {PASSWORD_ENV} or run on a terminal")
    })?;
    if confirm {
        let again = rpassword::prompt_password("Repeat the password: ")
            .context("cannot read the password")?;
        if again != pw {
            bail!("the passwords do not match");
        }
    }
    Ok(pw)
}

/// Loads a signing key from a file, asking for its password when it is encrypted.
pub fn load_signing_key(path: &std::path::Path) -> Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read private key {}", path.display()))?;
    SigningKey::from_pem(&text, &mut || read_password(false))
        .with_context(|| format!("cannot load private key {}", path.display()))
}

/// Loads a public key from a PEM file.
pub fn load_verifying_key(path: &std::path::Path) -> Result<VerifyingKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read public key {}", path.display()))?;
    VerifyingKey::from_pem(&text)
        .with_context(|| format!("cannot load public key {}", path.display()))
}

/// Standard base64 (with padding), as the Sigstore JSON encoding uses for bytes.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard or URL-safe base64, with or without padding.
pub fn unb64(text: &str) -> Result<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let t = text.trim();
    STANDARD
        .decode(t)
        .or_else(|_| STANDARD_NO_PAD.decode(t))
        .or_else(|_| URL_SAFE.decode(t))
        .or_else(|_| URL_SAFE_NO_PAD.decode(t))
        .map_err(|_| anyhow!("invalid base64"))
}
