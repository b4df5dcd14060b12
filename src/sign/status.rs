//! What signs an artifact on disk, as `scan` sees it without any key: signature files
//! beside it or above it, the MCPB signature block at its end, and whether a Sigstore
//! bundle still matches what it signs. Signatures themselves are checked by
//! `agentsec verify`; a scan only knows that one exists and whose digest it carries.

use std::collections::HashMap;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use anyhow::{anyhow, Result};
use serde_json::Value;

use super::bundle::{Bundle, IN_TOTO_PAYLOAD_TYPE};
use super::dir;
use super::keys::unb64;

/// Signature files written next to an artifact, named `<artifact><suffix>`:
/// sigstore-python (`.sigstore.json`, older `.sigstore`), cosign `sign-blob`
/// (`.sig`, `.bundle`), OpenPGP (`.asc`, `.sig`, `.gpg`), minisign, and SLSA
/// provenance (`.intoto.jsonl`).
pub const SIDECAR_SUFFIXES: &[&str] = &[
    ".sigstore.json",
    ".sigstore",
    ".sig",
    ".bundle",
    ".asc",
    ".gpg",
    ".minisig",
    ".intoto.jsonl",
];

/// model-signing's default signature file name.
pub const MODEL_SIG: &str = "model.sig";

/// Is this file a signature (or certificate) rather than something that needs one?
pub fn is_signature_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == MODEL_SIG
        || SIDECAR_SUFFIXES.iter().any(|s| lower.ends_with(s))
        || [".pem", ".crt", ".cert"].iter().any(|s| lower.ends_with(s))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// The first sidecar of `path` that exists.
pub fn sidecar(path: &Path) -> Option<PathBuf> {
    SIDECAR_SUFFIXES
        .iter()
        .map(|s| with_suffix(path, s))
        .find(|p| p.is_file())
}

/// SLSA / in-toto provenance files (`*.intoto.jsonl`) attest the files of their
/// directory.
pub fn is_provenance_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".intoto.jsonl")
}

/// A signature over a whole directory: `model.sig` in `dir` or a directory above it,
/// or a `<d>.sigstore.json` beside such a directory. `levels` is how many
/// directories to look at, from `dir` up to the scan root.
pub fn directory_signature(dir: &Path, levels: usize) -> Option<PathBuf> {
    for d in dir.ancestors().take(levels) {
        let sig = d.join(MODEL_SIG);
        if sig.is_file() {
            return Some(sig);
        }
        if d.file_name().is_some() {
            let bundle = with_suffix(d, ".sigstore.json");
            if bundle.is_file() {
                return Some(bundle);
            }
        }
    }
    None
}

/// SHA-256 of a file, remembered for the rest of the scan by path, size and
/// modification time: an artifact that is both required (AS-SIGN-009) and has a
/// bundle (AS-SIGN-008) is hashed once, and model weights can be gigabytes.
fn sha256_file(path: &Path) -> Result<[u8; 32]> {
    type Key = (PathBuf, u64, Option<std::time::SystemTime>);
    static CACHE: LazyLock<Mutex<HashMap<Key, [u8; 32]>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    let meta = std::fs::metadata(path)?;
    let key = (path.to_path_buf(), meta.len(), meta.modified().ok());
    if let Some(h) = CACHE.lock().ok().and_then(|c| c.get(&key).copied()) {
        return Ok(h);
    }
    let h = dir::sha256_file(path)?;
    if let Ok(mut c) = CACHE.lock() {
        c.insert(key, h);
    }
    Ok(h)
}

/// How a Sigstore bundle relates to the artifact it names.
#[derive(Debug, PartialEq, Eq)]
pub enum BundleMatch {
    /// The digest(s) in the bundle are the artifact's.
    Matches,
    /// The artifact changed after signing; the text says how.
    Stale(String),
    /// There is no artifact at the bundle's path.
    ArtifactMissing,
    /// The bundle is sound but cannot be checked here (another digest algorithm, an
    /// unreadable artifact); the text says why.
    Unchecked(String),
}

/// What a bundle says was signed.
enum Signed {
    /// A `messageSignature`: the SHA-256 of one file.
    File([u8; 32]),
    /// A DSSE envelope: the decoded in-toto statement.
    Statement(Vec<u8>),
    /// A digest algorithm other than SHA-256.
    Other(String),
}

fn signed(bundle: &Bundle) -> Result<Signed> {
    if let Some(ms) = &bundle.message_signature {
        let alg = &ms.message_digest.algorithm;
        if alg != "SHA2_256" {
            return Ok(Signed::Other(alg.clone()));
        }
        let digest: [u8; 32] = unb64(&ms.message_digest.digest)
            .map_err(|_| anyhow!("messageDigest.digest is not base64"))?
            .try_into()
            .map_err(|_| anyhow!("messageDigest.digest is not a 32-byte SHA-256"))?;
        return Ok(Signed::File(digest));
    }
    let env = bundle
        .dsse_envelope
        .as_ref()
        .ok_or_else(|| anyhow!("no signature content"))?;
    if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Ok(Signed::Other(format!("DSSE payload {}", env.payload_type)));
    }
    let payload = unb64(&env.payload).map_err(|_| anyhow!("the DSSE payload is not base64"))?;
    Ok(Signed::Statement(payload))
}

/// Lowercase hex SHA-256 digests an in-toto statement attests for single files:
/// model-signing resources, or the statement's subjects (sigstore `attest`, cosign
/// `attest-blob`, SLSA provenance).
fn statement_digests(payload: &[u8]) -> Result<Vec<String>> {
    if let Ok(a) = dir::parse_statement(payload) {
        return Ok(a.files.into_values().collect());
    }
    let v: Value =
        serde_json::from_slice(payload).map_err(|_| anyhow!("the DSSE payload is not JSON"))?;
    let subjects = v["subject"]
        .as_array()
        .ok_or_else(|| anyhow!("the in-toto statement has no subject list"))?;
    Ok(subjects
        .iter()
        .filter_map(|s| s["digest"]["sha256"].as_str())
        .map(str::to_ascii_lowercase)
        .collect())
}

/// Parses `bundle_text` (the `*.sigstore.json` at `bundle_path`) and compares what it
/// signed with `artifact`, hashing with streaming reads. `Err` means the bundle is
/// malformed.
pub fn check_bundle(bundle_text: &str, bundle_path: &Path, artifact: &Path) -> Result<BundleMatch> {
    let bundle = Bundle::parse(bundle_text.trim_start_matches('\u{feff}').as_bytes())?;
    let signed = signed(&bundle)?;
    if let Signed::Statement(p) = &signed {
        // A statement that does not parse is malformed whether or not the artifact
        // is here.
        if artifact.is_dir() {
            dir::parse_statement(p)?;
        } else {
            statement_digests(p)?;
        }
    }
    if !artifact.exists() {
        return Ok(BundleMatch::ArtifactMissing);
    }
    let unreadable = |e: anyhow::Error| BundleMatch::Unchecked(format!("{e:#}"));
    Ok(match signed {
        Signed::Other(what) => BundleMatch::Unchecked(format!("{what} is not checked")),
        Signed::File(_) if artifact.is_dir() => BundleMatch::Stale(
            "the bundle signs a single file but the artifact is a directory".into(),
        ),
        Signed::File(expected) => match sha256_file(artifact) {
            Ok(actual) if actual == expected => BundleMatch::Matches,
            Ok(actual) => BundleMatch::Stale(format!(
                "signed sha256:{}, now sha256:{}",
                hex::encode(expected),
                hex::encode(actual)
            )),
            Err(e) => unreadable(e),
        },
        Signed::Statement(p) if artifact.is_dir() => {
            let attested = dir::parse_statement(&p)?;
            let mut ignore = attested.ignore_paths.clone();
            ignore.extend(dir::default_ignores(artifact, bundle_path));
            match dir::hash_dir(artifact, &ignore) {
                Ok(actual) => {
                    let d = dir::diff(&attested.files, &actual);
                    if d.is_empty() {
                        BundleMatch::Matches
                    } else {
                        BundleMatch::Stale(describe_diff(&d))
                    }
                }
                Err(e) => unreadable(e),
            }
        }
        Signed::Statement(p) => match sha256_file(artifact) {
            Ok(actual) => {
                let actual = hex::encode(actual);
                if statement_digests(&p)?.contains(&actual) {
                    BundleMatch::Matches
                } else {
                    BundleMatch::Stale(format!("sha256:{actual} is not among the attested digests"))
                }
            }
            Err(e) => unreadable(e),
        },
    })
}

fn describe_diff(d: &dir::Diff) -> String {
    let mut parts = Vec::new();
    for (label, list) in [
        ("changed", &d.changed),
        ("added", &d.added),
        ("removed", &d.removed),
    ] {
        if let Some(first) = list.first() {
            let more = if list.len() > 1 {
                format!(" and {} more", list.len() - 1)
            } else {
                String::new()
            };
            parts.push(format!("{label} {first}{more}"));
        }
    }
    parts.join("; ")
}

/// Does a directory bundle above `path` attest the file with its current digest?
/// Looks at `model.sig` in, and `<dir>.sigstore.json` beside, each of `levels`
/// directories from the file's own upwards; file names in those bundles are relative
/// to the signed directory.
pub fn covered_by_directory_bundle(path: &Path, levels: usize) -> bool {
    let Some(own) = path.parent() else {
        return false;
    };
    let mut actual: Option<String> = None;
    for d in own.ancestors().take(levels) {
        let mut bundles = vec![d.join(MODEL_SIG)];
        if d.file_name().is_some() {
            bundles.push(with_suffix(d, ".sigstore.json"));
        }
        for b in bundles.into_iter().filter(|b| b.is_file()) {
            let Some(digest) = attested_in_dir_bundle(&b, d, path) else {
                continue;
            };
            let actual = match &actual {
                Some(a) => a.clone(),
                None => match sha256_file(path) {
                    Ok(h) => actual.insert(hex::encode(h)).clone(),
                    Err(_) => return false,
                },
            };
            if digest == actual {
                return true;
            }
        }
    }
    false
}

/// Bundles are small; anything larger is not one.
const MAX_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;

/// A bundle's text, read up to a bound; `None` when it cannot be read.
pub fn read_bundle(path: &Path) -> Option<String> {
    let f = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    f.take(MAX_BUNDLE_BYTES).read_to_end(&mut bytes).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The digest a directory bundle `b` over `root` records for `file`.
fn attested_in_dir_bundle(b: &Path, root: &Path, file: &Path) -> Option<String> {
    let text = read_bundle(b)?;
    let bundle = Bundle::parse(text.trim_start_matches('\u{feff}').as_bytes()).ok()?;
    let Signed::Statement(payload) = signed(&bundle).ok()? else {
        return None;
    };
    let attested = dir::parse_statement(&payload).ok()?;
    let rel = file.strip_prefix(root).ok()?;
    let rel: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if let Some(d) = attested.files.get(&rel.join("/")) {
        return Some(d.clone());
    }
    // model-signing names the one resource of a single-file signature ".".
    match attested.files.get(".") {
        Some(d) if attested.files.len() == 1 => Some(d.clone()),
        _ => None,
    }
}

/// The signature block markers (`mcpb sign`, src/node/sign.ts in
/// modelcontextprotocol/mcpb): the bundle bytes, then the header, a 4-byte
/// little-endian length, that many bytes of DER PKCS#7 SignedData (detached, with the
/// signer's certificates), and the footer. Bundles signed before the DXT → MCPB rename
/// use `DXT_SIG_V1` / `DXT_SIG_END` in the same layout.
const MARKERS: &[(&[u8], &[u8])] = &[
    (b"MCPB_SIG_V1", b"MCPB_SIG_END"),
    (b"DXT_SIG_V1", b"DXT_SIG_END"),
];
/// How much of a bundle's end is read: a PKCS#7 block with a certificate chain is a
/// few kilobytes.
const MCPB_TAIL: u64 = 256 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub enum McpbSignature {
    Unsigned,
    /// A block is there but cannot be what `mcpb verify` accepts.
    Malformed(String),
    /// Signed; `self_signed` when the signing certificate's issuer is its subject.
    Signed {
        self_signed: bool,
    },
}

/// Reads only the end of an MCPB/DXT file and classifies its signature block.
pub fn mcpb_signature(path: &Path) -> std::io::Result<McpbSignature> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let take = len.min(MCPB_TAIL);
    f.seek(SeekFrom::Start(len - take))?;
    let mut tail = Vec::with_capacity(take as usize);
    f.take(take).read_to_end(&mut tail)?;
    Ok(classify_tail(&tail))
}

fn classify_tail(tail: &[u8]) -> McpbSignature {
    let Some((header, body)) = MARKERS
        .iter()
        .find_map(|(h, f)| tail.strip_suffix(*f).map(|b| (*h, b)))
    else {
        return McpbSignature::Unsigned;
    };
    let Some(h) = body.windows(header.len()).rposition(|w| w == header) else {
        return McpbSignature::Malformed(format!(
            "the end marker has no {} header before it",
            String::from_utf8_lossy(header)
        ));
    };
    let after = &body[h + header.len()..];
    let Some((len_bytes, der)) = after.split_first_chunk::<4>() else {
        return McpbSignature::Malformed("the signature block has no length".into());
    };
    let n = u32::from_le_bytes(*len_bytes) as usize;
    if n != der.len() {
        return McpbSignature::Malformed(format!(
            "the signature block says {n} bytes of PKCS#7 but holds {}",
            der.len()
        ));
    }
    match first_certificate_self_signed(der) {
        Ok(self_signed) => McpbSignature::Signed { self_signed },
        Err(e) => McpbSignature::Malformed(format!("the PKCS#7 signature does not parse: {e}")),
    }
}

/// Walks ContentInfo → SignedData (RFC 5652) to the signer's certificate, named by
/// the first SignerInfo's issuer and serial number, and compares its issuer and
/// subject, as `mcpb verify` labels self-signed publishers. A signer named by key
/// identifier is taken as self-signed only when every certificate is.
fn first_certificate_self_signed(der: &[u8]) -> Result<bool> {
    use der::asn1::{Any, ObjectIdentifier};
    use der::{Decode as _, Reader as _, SliceReader, Tag, TagNumber, Tagged as _};
    use x509_cert::{name::Name, serial_number::SerialNumber, Certificate};
    const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
    let ci = Any::from_der(der)?;
    if ci.tag() != Tag::Sequence {
        return Err(anyhow!("not a ContentInfo"));
    }
    let mut r = SliceReader::new(ci.value())?;
    if ObjectIdentifier::decode(&mut r)? != SIGNED_DATA {
        return Err(anyhow!("not SignedData"));
    }
    let explicit = Any::decode(&mut r)?;
    let sd = Any::from_der(explicit.value())?;
    let mut r = SliceReader::new(sd.value())?;
    let _version = Any::decode(&mut r)?;
    let _digest_algorithms = Any::decode(&mut r)?;
    let _encap = Any::decode(&mut r)?;
    let mut certs = Vec::new();
    let mut signer_infos = None;
    while !r.is_finished() {
        let field = Any::decode(&mut r)?;
        match field.tag() {
            Tag::ContextSpecific {
                constructed: true,
                number: TagNumber::N0,
            } => {
                let mut cr = SliceReader::new(field.value())?;
                while !cr.is_finished() {
                    certs.push(Certificate::decode(&mut cr)?);
                }
            }
            Tag::Set => signer_infos = Some(field),
            _ => {}
        }
    }
    if certs.is_empty() {
        return Err(anyhow!("no certificate"));
    }
    let self_signed = |c: &Certificate| c.tbs_certificate.issuer == c.tbs_certificate.subject;
    let signers = signer_infos.ok_or_else(|| anyhow!("no SignerInfo"))?;
    let mut sr = SliceReader::new(signers.value())?;
    let info = Any::decode(&mut sr)?;
    let mut ir = SliceReader::new(info.value())?;
    let _version = Any::decode(&mut ir)?;
    let sid = Any::decode(&mut ir)?;
    if sid.tag() == Tag::Sequence {
        let mut sidr = SliceReader::new(sid.value())?;
        let issuer = Name::decode(&mut sidr)?;
        let serial = SerialNumber::decode(&mut sidr)?;
        let signer = certs
            .iter()
            .find(|c| {
                c.tbs_certificate.issuer == issuer && c.tbs_certificate.serial_number == serial
            })
            .ok_or_else(|| anyhow!("the signer's certificate is not included"))?;
        return Ok(self_signed(signer));
    }
    Ok(certs.iter().all(self_signed))
}

/// Git LFS pointer files stand in for large files in a repository; they start with
/// this line (git-lfs spec v1).
const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// Is `path` a Git LFS pointer (reads at most 100 bytes)?
pub fn is_lfs_pointer(path: &Path) -> bool {
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(100);
    if f.take(100).read_to_end(&mut head).is_err() {
        return false;
    }
    head.starts_with(LFS_POINTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_names() {
        for n in [
            "a.safetensors.sigstore.json",
            "model.sig",
            "MODEL.SIG",
            "x.tar.gz.asc",
            "x.minisig",
            "multiple.intoto.jsonl",
            "cert.pem",
        ] {
            assert!(is_signature_name(n), "{n}");
        }
        for n in [
            "model.safetensors",
            "app.tar.gz",
            "signature.md",
            "sigstore.json.bak",
        ] {
            assert!(!is_signature_name(n), "{n}");
        }
    }

    #[test]
    fn odd_tails_never_panic() {
        assert_eq!(classify_tail(b""), McpbSignature::Unsigned);
        assert_eq!(classify_tail(b"PK\x05\x06"), McpbSignature::Unsigned);
        assert!(matches!(
            classify_tail(b"MCPB_SIG_END"),
            McpbSignature::Malformed(_)
        ));
        assert!(matches!(
            classify_tail(b"MCPB_SIG_V1MCPB_SIG_END"),
            McpbSignature::Malformed(_)
        ));
        // A length far beyond the block, and one that fits but holds no PKCS#7.
        let mut t = b"zipMCPB_SIG_V1".to_vec();
        t.extend_from_slice(&u32::MAX.to_le_bytes());
        t.extend_from_slice(b"MCPB_SIG_END");
        assert!(matches!(classify_tail(&t), McpbSignature::Malformed(_)));
        let mut t = b"zipDXT_SIG_V1".to_vec();
        t.extend_from_slice(&3u32.to_le_bytes());
        t.extend_from_slice(b"\x30\x01\xffDXT_SIG_END");
        assert!(matches!(classify_tail(&t), McpbSignature::Malformed(_)));
        // Header of one format, footer of the other.
        let mut t = b"zipDXT_SIG_V1".to_vec();
        t.extend_from_slice(&0u32.to_le_bytes());
        t.extend_from_slice(b"MCPB_SIG_END");
        assert!(matches!(classify_tail(&t), McpbSignature::Malformed(_)));
    }

    #[test]
    fn malformed_bundles_are_errors() {
        let d = tempfile::tempdir().expect("tempdir");
        let art = d.path().join("a.bin");
        std::fs::write(&art, b"x").expect("write");
        let b = d.path().join("a.bin.sigstore.json");
        for text in [
            "",
            "[]",
            "{\"mediaType\": 3}",
            "{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", \"verificationMaterial\": {}}",
            "{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", \"verificationMaterial\": {}, \"messageSignature\": {\"messageDigest\": {\"algorithm\": \"SHA2_256\", \"digest\": \"é\"}, \"signature\": \"\"}}",
            "{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", \"verificationMaterial\": {}, \"dsseEnvelope\": {\"payload\": \"e30=\", \"payloadType\": \"application/vnd.in-toto+json\", \"signatures\": []}}",
        ] {
            assert!(check_bundle(text, &b, &art).is_err(), "{text}");
        }
        let other = "{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", \"verificationMaterial\": {}, \"messageSignature\": {\"messageDigest\": {\"algorithm\": \"SHA2_512\", \"digest\": \"AA==\"}, \"signature\": \"\"}}";
        assert!(matches!(
            check_bundle(other, &b, &art),
            Ok(BundleMatch::Unchecked(_))
        ));
    }

    /// model-signing 1.0.x single-file signatures: the resource is named "." and the
    /// DSSE signature carries `"keyid": null`.
    #[test]
    fn model_signing_single_file_signature_covers_the_file() {
        use base64::Engine as _;
        use sha2::Digest as _;
        let d = tempfile::tempdir().expect("tempdir");
        let file = d.path().join("signme-1");
        std::fs::write(&file, b"weights").expect("write");
        let raw = sha2::Sha256::digest(b"weights");
        let root = hex::encode(sha2::Sha256::digest(raw));
        let statement = serde_json::json!({
            "_type": dir::STATEMENT_TYPE,
            "subject": [{"name": "signme-1", "digest": {"sha256": root}}],
            "predicateType": dir::PREDICATE_TYPE,
            "predicate": {"serialization": {"method": "files", "hash_type": "sha256", "allow_symlinks": false},
                          "resources": [{"name": ".", "digest": hex::encode(raw), "algorithm": "sha256"}]}
        });
        let bundle = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"publicKey": {"hint": "k"}},
            "dsseEnvelope": {
                "payload": base64::engine::general_purpose::STANDARD.encode(statement.to_string()),
                "payloadType": IN_TOTO_PAYLOAD_TYPE,
                "signatures": [{"sig": "AAAA", "keyid": null}]
            }
        });
        std::fs::write(d.path().join(MODEL_SIG), bundle.to_string()).expect("write");
        assert!(covered_by_directory_bundle(&file, 1));
        std::fs::write(&file, b"changed weights").expect("write");
        assert!(!covered_by_directory_bundle(&file, 1));
    }
}
