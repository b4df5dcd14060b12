//! Import of cosign-format encrypted private keys (`ENCRYPTED SIGSTORE PRIVATE KEY`,
//! formerly `ENCRYPTED COSIGN PRIVATE KEY`): a JSON document from
//! go-securesystemslib's `encrypted` package — scrypt key derivation and NaCl
//! secretbox (XSalsa20-Poly1305) around a PKCS#8 DER private key.

use anyhow::{anyhow, bail, Context, Result};
use crypto_secretbox::aead::{Aead as _, KeyInit as _};
use serde::Deserialize;

use super::keys::unb64;

#[derive(Deserialize)]
struct Encrypted {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Deserialize)]
struct Kdf {
    name: String,
    params: KdfParams,
    salt: String,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct KdfParams {
    N: u64,
    r: u32,
    p: u32,
}

#[derive(Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

/// Decrypts the PEM body of a cosign key and returns the PKCS#8 DER private key.
pub fn decrypt(pem_body: &[u8], password: &str) -> Result<Vec<u8>> {
    let doc: Encrypted =
        serde_json::from_slice(pem_body).context("malformed cosign encrypted key")?;
    if doc.kdf.name != "scrypt" {
        bail!("unsupported cosign key derivation '{}'", doc.kdf.name);
    }
    if doc.cipher.name != "nacl/secretbox" {
        bail!("unsupported cosign key cipher '{}'", doc.cipher.name);
    }
    let n = doc.kdf.params.N;
    if !n.is_power_of_two() || n < 2 {
        bail!("invalid scrypt parameter N={n}");
    }
    let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| anyhow!("invalid scrypt N"))?;
    let params = scrypt::Params::new(log_n, doc.kdf.params.r, doc.kdf.params.p, 32)
        .map_err(|e| anyhow!("invalid scrypt parameters: {e}"))?;
    let salt = unb64(&doc.kdf.salt).context("invalid salt")?;
    let nonce = unb64(&doc.cipher.nonce).context("invalid nonce")?;
    if nonce.len() != 24 {
        bail!("invalid secretbox nonce length {}", nonce.len());
    }
    let ciphertext = unb64(&doc.ciphertext).context("invalid ciphertext")?;
    let mut key = [0u8; 32];
    scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key)
        .map_err(|e| anyhow!("scrypt failed: {e}"))?;
    let cipher = crypto_secretbox::XSalsa20Poly1305::new(&key.into());
    let nonce = crypto_secretbox::Nonce::from_slice(&nonce);
    cipher
        .decrypt(nonce, ciphertext.as_slice())
        .map_err(|_| anyhow!("cannot decrypt the cosign key: wrong password?"))
}
