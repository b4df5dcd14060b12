//! Keyless signing (OIDC token -> Fulcio certificate -> Rekor entry) and the
//! verification of keyless bundles against a Sigstore trusted root.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use der::{Decode as _, Encode as _};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256, Sha384};
use x509_cert::Certificate;

use super::bundle::{
    Bundle, Checkpoint, Envelope, InclusionPromise, InclusionProof, KindVersion, LogId,
    TransparencyLogEntry, VerificationMaterial, X509Certificate,
};
use super::keys::{b64, unb64, Algorithm, SigningKey, VerifyingKey};
use super::SignArgs;

pub const DEFAULT_FULCIO: &str = "https://fulcio.sigstore.dev";
pub const DEFAULT_REKOR: &str = "https://rekor.sigstore.dev";

const OID_SAN: &str = "2.5.29.17";
const OID_ISSUER_V1: &str = "1.3.6.1.4.1.57264.1.1";
const OID_ISSUER_V2: &str = "1.3.6.1.4.1.57264.1.8";
const OID_EKU: &str = "2.5.29.37";
const OID_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
const OID_SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";
const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const OID_ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";

/// What the bundle signs, as needed to check the log entry.
pub enum SignedContent {
    Message { digest: [u8; 32], sig: Vec<u8> },
    Dsse(Envelope),
}

/// The identity policy for keyless bundles.
pub struct Identity {
    pub san: String,
    pub issuer: String,
}

// ---------------------------------------------------------------- signing

pub struct KeylessSigner {
    key: SigningKey,
    cert_der: Vec<u8>,
    cert_pem: String,
    rekor_url: String,
    trusted_root: Option<TrustedRoot>,
    dsse_entry: DsseEntryType,
}

/// The Rekor entry type for DSSE envelopes (`--rekor-dsse-entry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DsseEntryType {
    /// `dsse` v0.0.1.
    Dsse,
    /// `intoto` v0.0.2.
    Intoto,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .user_agent(concat!("agentsec/", env!("CARGO_PKG_VERSION")))
        .http_status_as_error(false)
        .build()
        .into()
}

/// Reads a JSON answer; an HTTP error status becomes an error naming `what`.
fn json_response(
    what: &str,
    resp: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Value> {
    let mut resp = resp.map_err(|e| anyhow!("{what}: {e}"))?;
    let status = resp.status();
    let body = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| anyhow!("{what}: cannot read the response: {e}"))?;
    if !status.is_success() {
        bail!("{what}: HTTP {status}: {}", body.trim());
    }
    serde_json::from_str(&body).with_context(|| format!("{what}: the response is not JSON"))
}

fn post_json(url: &str, body: &Value, what: &str) -> Result<Value> {
    json_response(
        what,
        agent()
            .post(url)
            .header("Content-Type", "application/json")
            .send(body.to_string()),
    )
}

/// The OIDC token: `--identity-token` / `SIGSTORE_ID_TOKEN`, else GitHub Actions'.
fn identity_token(args: &SignArgs) -> Result<String> {
    if let Some(t) = args
        .identity_token
        .as_ref()
        .filter(|t| !t.trim().is_empty())
    {
        return Ok(t.trim().to_string());
    }
    let (Ok(url), Ok(bearer)) = (
        std::env::var("ACTIONS_ID_TOKEN_REQUEST_URL"),
        std::env::var("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
    ) else {
        bail!(
            "no --key and no OIDC identity: pass --key KEY, or --identity-token TOKEN \
             (or SIGSTORE_ID_TOKEN), or run in GitHub Actions with `permissions: id-token: write`"
        );
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}audience={}", args.oidc_audience);
    let resp = json_response(
        "cannot get a GitHub Actions OIDC token",
        agent()
            .get(&url)
            .header("Authorization", &format!("bearer {bearer}"))
            .call(),
    )?;
    resp["value"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("GitHub Actions OIDC token response has no 'value'"))
}

/// The claim Fulcio expects a proof of possession over (as sigstore-js does).
fn token_subject(token: &str) -> Result<String> {
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| anyhow!("the identity token is not a JWT"))?;
    let claims: Value =
        serde_json::from_slice(&unb64(payload).context("the identity token is not a JWT")?)
            .context("the identity token's claims are not JSON")?;
    let field = match claims["iss"].as_str() {
        Some("https://accounts.google.com") | Some("https://oauth2.sigstore.dev/auth") => "email",
        _ => "sub",
    };
    claims[field]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("the identity token has no '{field}' claim"))
}

/// Decodes the first `CERTIFICATE` PEM block, tolerating any line length and CRLF
/// (services do not all wrap at 64 columns as RFC 7468's strict form requires).
fn pem_to_der(pem: &str) -> Result<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let start = pem
        .find(BEGIN)
        .ok_or_else(|| anyhow!("no CERTIFICATE PEM block"))?
        + BEGIN.len();
    let len = pem[start..]
        .find(END)
        .ok_or_else(|| anyhow!("unterminated CERTIFICATE PEM block"))?;
    let body: String = pem[start..start + len]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    unb64(&body).context("invalid base64 in certificate PEM")
}

fn der_to_pem(der: &[u8]) -> Result<String> {
    der::Document::try_from(der)
        .and_then(|d| d.to_pem("CERTIFICATE", der::pem::LineEnding::LF))
        .map_err(|e| anyhow!("cannot encode certificate: {e}"))
}

impl KeylessSigner {
    pub fn new(args: &SignArgs) -> Result<Self> {
        let trusted_root = match &args.trusted_root {
            Some(p) => Some(TrustedRoot::load(Some(p))?),
            None => None,
        };
        let token = identity_token(args)?;
        let subject = token_subject(&token)?;
        let key = SigningKey::generate(Algorithm::P256);
        let vk = key.verifying_key();
        let request = json!({
            "credentials": {"oidcIdentityToken": token},
            "publicKeyRequest": {
                "publicKey": {"algorithm": "ECDSA", "content": vk.to_pem()?},
                "proofOfPossession": b64(&key.sign(subject.as_bytes())),
            }
        });
        let url = format!(
            "{}/api/v2/signingCert",
            args.fulcio_url.trim_end_matches('/')
        );
        let resp = post_json(
            &url,
            &request,
            &format!("Fulcio ({url}) refused the certificate request"),
        )?;
        let chain = resp["signedCertificateEmbeddedSct"]["chain"]["certificates"]
            .as_array()
            .or_else(|| resp["signedCertificateDetachedSct"]["chain"]["certificates"].as_array())
            .ok_or_else(|| anyhow!("Fulcio response has no certificate chain"))?;
        let leaf_pem = chain
            .first()
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("Fulcio returned an empty certificate chain"))?;
        let cert_der = pem_to_der(leaf_pem)?;
        let cert =
            Certificate::from_der(&cert_der).context("Fulcio returned an invalid certificate")?;
        let cert_key = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| anyhow!("{e}"))?;
        if cert_key != vk.to_spki_der()? {
            bail!("the Fulcio certificate is not for the ephemeral key");
        }
        Ok(KeylessSigner {
            key,
            cert_pem: der_to_pem(&cert_der)?,
            cert_der,
            rekor_url: args.rekor_url.trim_end_matches('/').to_string(),
            dsse_entry: args.rekor_dsse_entry,
            trusted_root,
        })
    }

    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    pub fn material_for_message(
        &self,
        digest: &[u8; 32],
        sig: &[u8],
    ) -> Result<VerificationMaterial> {
        let entry = json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": "sha256", "value": hex::encode(digest)}},
                "signature": {
                    "content": b64(sig),
                    "publicKey": {"content": b64(self.cert_pem.as_bytes())},
                },
            },
        });
        let content = SignedContent::Message {
            digest: *digest,
            sig: sig.to_vec(),
        };
        self.log(entry, "hashedrekord", "0.0.1", &content)
    }

    /// Logs a DSSE envelope as a Rekor `dsse` v0.0.1 entry (read by every Sigstore
    /// client, including sigstore-python and so model-signing) or an `intoto`
    /// v0.0.2 entry (for which a log stores the hashes the client sends).
    pub fn material_for_dsse(&self, env: &Envelope) -> Result<VerificationMaterial> {
        match self.dsse_entry {
            DsseEntryType::Dsse => {
                let entry = json!({
                    "apiVersion": "0.0.1",
                    "kind": "dsse",
                    "spec": {
                        "proposedContent": {
                            "envelope": serde_json::to_string(env)?,
                            "verifiers": [b64(self.cert_pem.as_bytes())],
                        },
                    },
                });
                self.log(entry, "dsse", "0.0.1", &SignedContent::Dsse(env.clone()))
            }
            DsseEntryType::Intoto => self.intoto_material(env),
        }
    }

    fn intoto_material(&self, env: &Envelope) -> Result<VerificationMaterial> {
        let payload = unb64(&env.payload)?;
        let sig = env
            .signatures
            .first()
            .ok_or_else(|| anyhow!("the envelope has no signature"))?;
        // Canonical JSON (RFC 8785 key order) of the envelope with the signer's certificate.
        let canonical = format!(
            "{{\"payload\":{},\"payloadType\":{},\"signatures\":[{{\"publicKey\":{},\"sig\":{}}}]}}",
            serde_json::to_string(&env.payload)?,
            serde_json::to_string(&env.payload_type)?,
            serde_json::to_string(&self.cert_pem)?,
            serde_json::to_string(&sig.sig)?,
        );
        let entry = json!({
            "apiVersion": "0.0.2",
            "kind": "intoto",
            "spec": {
                "content": {
                    "envelope": {
                        "payloadType": env.payload_type,
                        "payload": b64(env.payload.as_bytes()),
                        "signatures": [{
                            "sig": b64(sig.sig.as_bytes()),
                            "publicKey": b64(self.cert_pem.as_bytes()),
                        }],
                    },
                    "hash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(canonical.as_bytes()))},
                    "payloadHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&payload))},
                },
            },
        });
        self.log(entry, "intoto", "0.0.2", &SignedContent::Dsse(env.clone()))
    }

    fn log(
        &self,
        entry: Value,
        kind: &str,
        version: &str,
        content: &SignedContent,
    ) -> Result<VerificationMaterial> {
        let url = format!("{}/api/v1/log/entries", self.rekor_url);
        let resp = post_json(&url, &entry, &format!("Rekor ({url}) refused the entry"))?;
        let tlog = rekor_entry_to_bundle(&resp, kind, version)?;
        let material = VerificationMaterial {
            certificate: Some(X509Certificate {
                raw_bytes: b64(&self.cert_der),
            }),
            tlog_entries: vec![tlog],
            ..Default::default()
        };
        if let Some(root) = &self.trusted_root {
            let probe = Bundle {
                media_type: super::bundle::MEDIA_TYPE_V03.to_string(),
                verification_material: material.clone(),
                message_signature: None,
                dsse_envelope: None,
            };
            verify_chain_and_log(&probe, content, None, root).context(
                "the Fulcio certificate or Rekor entry does not verify against --trusted-root",
            )?;
        }
        Ok(material)
    }
}

/// Converts Rekor's `POST /api/v1/log/entries` answer into a bundle log entry.
fn rekor_entry_to_bundle(resp: &Value, kind: &str, version: &str) -> Result<TransparencyLogEntry> {
    let (_uuid, e) = resp
        .as_object()
        .and_then(|o| o.iter().next())
        .ok_or_else(|| anyhow!("empty Rekor response"))?;
    let int = |v: &Value, what: &str| -> Result<i64> {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| anyhow!("Rekor response has no {what}"))
    };
    let hex_to_b64 = |v: &Value, what: &str| -> Result<String> {
        let s = v
            .as_str()
            .ok_or_else(|| anyhow!("Rekor response has no {what}"))?;
        Ok(b64(
            &hex::decode(s).with_context(|| format!("Rekor {what} is not hex"))?
        ))
    };
    let ver = &e["verification"];
    let inclusion_proof = if ver["inclusionProof"].is_object() {
        let p = &ver["inclusionProof"];
        let hashes = p["hashes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|h| hex_to_b64(h, "proof hash"))
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        Some(InclusionProof {
            log_index: int(&p["logIndex"], "proof logIndex")?,
            root_hash: hex_to_b64(&p["rootHash"], "rootHash")?,
            tree_size: int(&p["treeSize"], "treeSize")?,
            hashes,
            checkpoint: p["checkpoint"].as_str().map(|c| Checkpoint {
                envelope: c.to_string(),
            }),
        })
    } else {
        None
    };
    Ok(TransparencyLogEntry {
        log_index: int(&e["logIndex"], "logIndex")?,
        log_id: LogId {
            key_id: hex_to_b64(&e["logID"], "logID")?,
        },
        kind_version: KindVersion {
            kind: kind.to_string(),
            version: version.to_string(),
        },
        integrated_time: int(&e["integratedTime"], "integratedTime")?,
        inclusion_promise: ver["signedEntryTimestamp"]
            .as_str()
            .map(|s| InclusionPromise {
                signed_entry_timestamp: s.to_string(),
            }),
        inclusion_proof,
        canonicalized_body: e["body"]
            .as_str()
            .ok_or_else(|| anyhow!("Rekor response has no body"))?
            .to_string(),
    })
}

// ---------------------------------------------------------------- trusted root

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrustedRootJson {
    #[serde(default)]
    tlogs: Vec<TlogJson>,
    #[serde(default)]
    certificate_authorities: Vec<CaJson>,
    #[serde(default)]
    ctlogs: Vec<TlogJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TlogJson {
    public_key: PublicKeyJson,
    log_id: LogId,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublicKeyJson {
    #[serde(default)]
    raw_bytes: Option<String>,
    #[serde(default)]
    valid_for: Option<ValidForJson>,
}

#[derive(Deserialize, Default)]
struct ValidForJson {
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaJson {
    cert_chain: CertChainJson,
    #[serde(default)]
    valid_for: Option<ValidForJson>,
}

#[derive(Deserialize)]
struct CertChainJson {
    #[serde(default)]
    certificates: Vec<X509Certificate>,
}

struct Validity {
    start: Option<u64>,
    end: Option<u64>,
}

impl Validity {
    fn from_json(v: Option<&ValidForJson>) -> Result<Self> {
        let parse = |s: &Option<String>| s.as_deref().map(parse_rfc3339).transpose();
        Ok(match v {
            Some(v) => Validity {
                start: parse(&v.start)?,
                end: parse(&v.end)?,
            },
            None => Validity {
                start: None,
                end: None,
            },
        })
    }

    fn contains(&self, t: u64) -> bool {
        self.start.is_none_or(|s| s <= t) && self.end.is_none_or(|e| t <= e)
    }
}

struct TrustedLog {
    key_id: Vec<u8>,
    key: VerifyingKey,
    validity: Validity,
}

struct TrustedCa {
    /// DER certificates, issuer of the leaf first, root last.
    chain: Vec<Certificate>,
    validity: Validity,
}

/// Sigstore's public-good `trusted_root.json` (Fulcio CAs, Rekor and CT log keys, the
/// timestamp authority), as distributed by its TUF repository
/// (tuf-repo-cdn.sigstore.dev) and shipped by sigstore-python 4.5.1.
const PUBLIC_GOOD: &str = include_str!("data/public-good-trusted-root.json");

/// The parts of a Sigstore `TrustedRoot` agentsec uses: Rekor keys and Fulcio CAs.
pub struct TrustedRoot {
    /// The root built into the binary, not one given with `--trusted-root`.
    pub builtin: bool,
    tlogs: Vec<TrustedLog>,
    cas: Vec<TrustedCa>,
    ctlogs: Vec<TrustedLog>,
}

impl TrustedRoot {
    /// Loads `--trusted-root`, or without one the Sigstore public-good root built into
    /// the binary. agentsec has no TUF client (it never connects while verifying), so the
    /// built-in copy is a snapshot: when Sigstore rotates its keys, pass the current
    /// `trusted_root.json` with `--trusted-root` until agentsec ships the new one.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            let mut root = Self::parse(PUBLIC_GOOD.as_bytes())
                .context("the built-in Sigstore public-good trusted root is invalid")?;
            root.builtin = true;
            return Ok(root);
        };
        let text = std::fs::read(path)
            .with_context(|| format!("cannot read trusted root {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("invalid trusted root {}", path.display()))
    }

    fn parse(bytes: &[u8]) -> Result<Self> {
        let j: TrustedRootJson = serde_json::from_slice(bytes)?;
        let logs = |list: &[TlogJson]| -> Result<Vec<TrustedLog>> {
            let mut out = Vec::new();
            for t in list {
                let Some(raw) = &t.public_key.raw_bytes else {
                    continue;
                };
                out.push(TrustedLog {
                    key_id: unb64(&t.log_id.key_id)?,
                    key: VerifyingKey::from_spki_der(&unb64(raw)?)?,
                    validity: Validity::from_json(t.public_key.valid_for.as_ref())?,
                });
            }
            Ok(out)
        };
        let tlogs = logs(&j.tlogs)?;
        let ctlogs = logs(&j.ctlogs)?;
        let mut cas = Vec::new();
        for c in &j.certificate_authorities {
            let chain = c
                .cert_chain
                .certificates
                .iter()
                .map(|x| Ok(Certificate::from_der(&unb64(&x.raw_bytes)?)?))
                .collect::<Result<Vec<_>>>()?;
            if chain.is_empty() {
                continue;
            }
            cas.push(TrustedCa {
                chain,
                validity: Validity::from_json(c.valid_for.as_ref())?,
            });
        }
        if tlogs.is_empty() || cas.is_empty() {
            bail!("the trusted root needs at least one transparency log and one certificate authority");
        }
        Ok(TrustedRoot {
            builtin: false,
            tlogs,
            cas,
            ctlogs,
        })
    }
}

/// Seconds since the epoch for an RFC 3339 UTC timestamp such as `2023-10-04T12:00:00.123Z`.
fn parse_rfc3339(s: &str) -> Result<u64> {
    let err = || anyhow!("invalid timestamp '{s}'");
    let s = s.trim();
    let (date, time) = s.split_once(['T', 't']).ok_or_else(err)?;
    let time = time.trim_end_matches(['Z', 'z']);
    let time = time.split(['+', '.']).next().ok_or_else(err)?;
    let d: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = time.split(':').collect();
    if d.len() != 3 || t.len() != 3 {
        return Err(err());
    }
    let n = |x: &str| x.parse::<u16>().map_err(|_| err());
    let dt = der::DateTime::new(
        n(d[0])?,
        u8::try_from(n(d[1])?)?,
        u8::try_from(n(d[2])?)?,
        u8::try_from(n(t[0])?)?,
        u8::try_from(n(t[1])?)?,
        u8::try_from(n(t[2])?)?,
    )
    .map_err(|_| err())?;
    Ok(dt.unix_duration().as_secs())
}

// ---------------------------------------------------------------- verification

fn cert_validity(c: &Certificate) -> (u64, u64) {
    let v = &c.tbs_certificate.validity;
    (
        v.not_before.to_unix_duration().as_secs(),
        v.not_after.to_unix_duration().as_secs(),
    )
}

/// Checks that `issuer` signed `cert`.
fn check_signed_by(cert: &Certificate, issuer: &Certificate) -> Result<()> {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        bail!("issuer name does not match");
    }
    let tbs = cert.tbs_certificate.to_der().map_err(|e| anyhow!("{e}"))?;
    let alg = cert.signature_algorithm.oid.to_string();
    let digest: Vec<u8> = match alg.as_str() {
        OID_ECDSA_SHA256 => Sha256::digest(&tbs).to_vec(),
        OID_ECDSA_SHA384 => Sha384::digest(&tbs).to_vec(),
        other => bail!("unsupported certificate signature algorithm {other}"),
    };
    let key_der = issuer
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| anyhow!("{e}"))?;
    let key = VerifyingKey::from_spki_der(&key_der)?;
    let sig = cert
        .signature
        .as_bytes()
        .ok_or_else(|| anyhow!("malformed certificate signature"))?;
    key.verify_prehash(&digest, sig)
}

/// Finds a trusted CA whose chain issued `leaf`, valid at time `t`; returns the
/// leaf's issuer certificate.
fn check_chain<'a>(leaf: &Certificate, root: &'a TrustedRoot, t: u64) -> Result<&'a Certificate> {
    let mut last_err = anyhow!("no certificate authority in the trusted root");
    for ca in &root.cas {
        let res = (|| -> Result<()> {
            if !ca.validity.contains(t) {
                bail!("the certificate authority was not valid at the signing time");
            }
            check_signed_by(leaf, &ca.chain[0])?;
            for pair in ca.chain.windows(2) {
                check_signed_by(&pair[0], &pair[1])?;
            }
            for c in &ca.chain {
                let (nb, na) = cert_validity(c);
                if t < nb || t > na {
                    bail!("a CA certificate was not valid at the signing time");
                }
            }
            Ok(())
        })();
        match res {
            Ok(()) => return Ok(&ca.chain[0]),
            Err(e) => last_err = e,
        }
    }
    Err(last_err).context("the signing certificate does not chain to a trusted Fulcio CA")
}

/// Fulcio certificates are for code signing (extended key usage id-kp-codeSigning).
fn check_code_signing(cert: &Certificate) -> Result<()> {
    use x509_cert::ext::pkix::ExtendedKeyUsage;
    let eku = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == OID_EKU)
        .map(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()))
        .transpose()
        .context("malformed extended key usage")?;
    if !eku.is_some_and(|u| u.0.iter().any(|o| o.to_string() == OID_CODE_SIGNING)) {
        bail!("the signing certificate is not a code-signing certificate");
    }
    Ok(())
}

/// Reads big-endian fields of a TLS-encoded structure.
struct TlsReader<'a>(&'a [u8]);

impl<'a> TlsReader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            bail!("truncated signed certificate timestamp");
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn uint(&mut self, n: usize) -> Result<u64> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn vec(&mut self, len_bytes: usize) -> Result<&'a [u8]> {
        let n = usize::try_from(self.uint(len_bytes)?)?;
        self.take(n)
    }
}

/// RFC 6962 §3.2: at least one embedded SCT must be signed by a CT log of the
/// trusted root (when it lists any), over the precertificate's TBS.
fn verify_scts(leaf: &Certificate, issuer: &Certificate, root: &TrustedRoot) -> Result<()> {
    if root.ctlogs.is_empty() {
        return Ok(());
    }
    let ext = leaf
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == OID_SCT_LIST)
        .ok_or_else(|| anyhow!("the certificate has no signed certificate timestamp (SCT)"))?;
    let list = der::asn1::OctetStringRef::from_der(ext.extn_value.as_bytes())
        .context("malformed SCT list")?;
    let mut precert = leaf.tbs_certificate.clone();
    precert.extensions = precert.extensions.map(|v| {
        v.into_iter()
            .filter(|e| e.extn_id.to_string() != OID_SCT_LIST)
            .collect()
    });
    let tbs = precert.to_der().map_err(|e| anyhow!("{e}"))?;
    let tbs_len = u32::try_from(tbs.len())?.to_be_bytes();
    let issuer_key = issuer
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| anyhow!("{e}"))?;
    let issuer_key_hash = Sha256::digest(&issuer_key);
    let mut outer = TlsReader(list.as_bytes());
    let mut scts = TlsReader(outer.vec(2)?);
    while !scts.0.is_empty() {
        let mut sct = TlsReader(scts.vec(2)?);
        if sct.uint(1)? != 0 {
            continue; // unknown SCT version
        }
        let log_id = sct.take(32)?;
        let timestamp = sct.take(8)?;
        let extensions = sct.vec(2)?;
        let _hash_and_sig_alg = sct.take(2)?;
        let sig = sct.vec(2)?;
        let Some(log) = root.ctlogs.iter().find(|l| l.key_id == log_id) else {
            continue;
        };
        let mut signed = vec![0u8, 0u8]; // v1, certificate_timestamp
        signed.extend_from_slice(timestamp);
        signed.extend_from_slice(&[0, 1]); // precert_entry
        signed.extend_from_slice(&issuer_key_hash);
        signed.extend_from_slice(&tbs_len[1..]);
        signed.extend_from_slice(&tbs);
        signed.extend_from_slice(&u16::try_from(extensions.len())?.to_be_bytes());
        signed.extend_from_slice(extensions);
        if log.key.verify(&signed, sig).is_ok() {
            return Ok(());
        }
    }
    bail!("no signed certificate timestamp (SCT) in the certificate verifies with a CT log of the trusted root")
}

/// The certificate's SANs (email and URI) and OIDC issuer.
fn cert_identity(cert: &Certificate) -> Result<(Vec<String>, Option<String>)> {
    use x509_cert::ext::pkix::name::GeneralName;
    use x509_cert::ext::pkix::SubjectAltName;
    let mut sans = Vec::new();
    let mut issuer_v1 = None;
    let mut issuer_v2 = None;
    for ext in cert.tbs_certificate.extensions.iter().flatten() {
        let oid = ext.extn_id.to_string();
        let value = ext.extn_value.as_bytes();
        match oid.as_str() {
            OID_SAN => {
                let san = SubjectAltName::from_der(value).context("malformed subjectAltName")?;
                for n in san.0 {
                    match n {
                        GeneralName::Rfc822Name(s) => sans.push(s.to_string()),
                        GeneralName::UniformResourceIdentifier(s) => sans.push(s.to_string()),
                        _ => {}
                    }
                }
            }
            OID_ISSUER_V2 => {
                let s = der::asn1::Utf8StringRef::from_der(value)
                    .context("malformed OIDC issuer extension")?;
                issuer_v2 = Some(s.as_str().to_string());
            }
            OID_ISSUER_V1 => issuer_v1 = Some(String::from_utf8_lossy(value).into_owned()),
            _ => {}
        }
    }
    Ok((sans, issuer_v2.or(issuer_v1)))
}

/// RFC 6962 / RFC 9162 inclusion proof: the root computed from the leaf and path.
fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: [u8; 32],
    path: &[Vec<u8>],
) -> Result<[u8; 32]> {
    if index >= size {
        bail!("inclusion proof index {index} is outside the tree of size {size}");
    }
    let node = |l: &[u8], r: &[u8]| -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(l);
        h.update(r);
        h.finalize().into()
    };
    let (mut fnode, mut snode, mut r) = (index, size - 1, leaf);
    for p in path {
        if snode == 0 {
            bail!("inclusion proof is too long");
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        bail!("inclusion proof is too short");
    }
    Ok(r)
}

/// Verifies a signed-note checkpoint and returns (tree size, root hash).
fn verify_checkpoint(envelope: &str, key: &VerifyingKey) -> Result<(u64, Vec<u8>)> {
    let (note, sigs) = envelope
        .split_once("\n\n")
        .ok_or_else(|| anyhow!("malformed checkpoint"))?;
    let signed = format!("{note}\n");
    let mut lines = note.lines();
    let _origin = lines
        .next()
        .ok_or_else(|| anyhow!("malformed checkpoint"))?;
    let size: u64 = lines
        .next()
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| anyhow!("malformed checkpoint tree size"))?;
    let root = unb64(
        lines
            .next()
            .ok_or_else(|| anyhow!("malformed checkpoint"))?,
    )?;
    let ok = sigs.lines().any(|line| {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            return false;
        };
        let Some((_name, sig)) = rest.rsplit_once(' ') else {
            return false;
        };
        unb64(sig)
            .is_ok_and(|raw| raw.len() > 4 && key.verify(signed.as_bytes(), &raw[4..]).is_ok())
    });
    if !ok {
        bail!("the checkpoint signature does not verify with the log's key");
    }
    Ok((size, root))
}

fn check_log_body(
    body: &Value,
    entry: &TransparencyLogEntry,
    content: &SignedContent,
    cert_der: &[u8],
) -> Result<()> {
    let kind = body["kind"].as_str().unwrap_or_default();
    if kind != entry.kind_version.kind {
        bail!(
            "log entry kind mismatch ({kind} vs {})",
            entry.kind_version.kind
        );
    }
    let spec = &body["spec"];
    let cert_matches = |b64pem: &Value| -> bool {
        b64pem
            .as_str()
            .and_then(|s| unb64(s).ok())
            .and_then(|pem| String::from_utf8(pem).ok())
            .and_then(|pem| pem_to_der(&pem).ok())
            .is_some_and(|d| d == cert_der)
    };
    match (content, kind) {
        (SignedContent::Message { digest, sig }, "hashedrekord") => {
            if spec["data"]["hash"]["algorithm"] != "sha256"
                || spec["data"]["hash"]["value"].as_str() != Some(hex::encode(digest).as_str())
            {
                bail!("the log entry is for a different artifact digest");
            }
            let logged_sig = spec["signature"]["content"]
                .as_str()
                .and_then(|s| unb64(s).ok());
            if logged_sig.as_deref() != Some(sig.as_slice()) {
                bail!("the log entry records a different signature");
            }
            if !cert_matches(&spec["signature"]["publicKey"]["content"]) {
                bail!("the log entry records a different certificate");
            }
        }
        (SignedContent::Dsse(env), "dsse") => {
            let sig0 = env
                .signatures
                .first()
                .and_then(|s| unb64(&s.sig).ok())
                .ok_or_else(|| anyhow!("the envelope has no signature"))?;
            if let Some(envelope) = spec["proposedContent"]["envelope"].as_str() {
                let logged: Envelope = serde_json::from_str(envelope)?;
                if logged.payload != env.payload || logged.payload_type != env.payload_type {
                    bail!("the log entry records a different envelope");
                }
                let verifiers = spec["proposedContent"]["verifiers"].as_array();
                if !verifiers.is_some_and(|v| v.iter().any(cert_matches)) {
                    bail!("the log entry records a different certificate");
                }
            } else {
                let payload = unb64(&env.payload)?;
                if spec["payloadHash"]["value"].as_str()
                    != Some(hex::encode(Sha256::digest(&payload)).as_str())
                {
                    bail!("the log entry is for a different DSSE payload");
                }
                let sigs = spec["signatures"].as_array();
                let ok = sigs.is_some_and(|v| {
                    v.iter().any(|s| {
                        s["signature"]
                            .as_str()
                            .and_then(|x| unb64(x).ok())
                            .as_deref()
                            == Some(sig0.as_slice())
                            && cert_matches(&s["verifier"])
                    })
                });
                if !ok {
                    bail!("the log entry records a different signature or certificate");
                }
            }
        }
        (SignedContent::Dsse(env), "intoto") => {
            if body["apiVersion"] != "0.0.2" {
                bail!(
                    "unsupported intoto log entry version {}",
                    body["apiVersion"]
                );
            }
            let sig0 = env
                .signatures
                .first()
                .and_then(|s| unb64(&s.sig).ok())
                .ok_or_else(|| anyhow!("the envelope has no signature"))?;
            let content = &spec["content"];
            let sigs = content["envelope"]["signatures"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            let [logged] = sigs else {
                bail!(
                    "the log entry records {} signatures, expected 1",
                    sigs.len()
                );
            };
            // Rekor double-encodes: base64 of the base64 signature.
            let logged_sig = logged["sig"]
                .as_str()
                .and_then(|s| unb64(s).ok())
                .and_then(|inner| String::from_utf8(inner).ok())
                .and_then(|inner| unb64(&inner).ok());
            if logged_sig.as_deref() != Some(sig0.as_slice()) {
                bail!("the log entry records a different signature");
            }
            if !logged["publicKey"].is_null() && !cert_matches(&logged["publicKey"]) {
                bail!("the log entry records a different certificate");
            }
            let payload = unb64(&env.payload)?;
            if content["payloadHash"]["value"].as_str()
                != Some(hex::encode(Sha256::digest(&payload)).as_str())
            {
                bail!("the log entry is for a different DSSE payload");
            }
        }
        _ => bail!("unsupported log entry kind '{kind}' for this bundle"),
    }
    Ok(())
}

/// Verifies one log entry; returns its verified integrated time.
fn check_log_entry(
    entry: &TransparencyLogEntry,
    content: &SignedContent,
    cert_der: &[u8],
    root: &TrustedRoot,
) -> Result<u64> {
    let key_id = unb64(&entry.log_id.key_id)?;
    let log = root
        .tlogs
        .iter()
        .find(|l| l.key_id == key_id)
        .ok_or_else(|| {
            anyhow!("the log entry is from a transparency log not in the trusted root")
        })?;
    let body_bytes = unb64(&entry.canonicalized_body)?;
    let body: Value = serde_json::from_slice(&body_bytes).context("malformed log entry body")?;
    check_log_body(&body, entry, content, cert_der)?;
    let t =
        u64::try_from(entry.integrated_time).map_err(|_| anyhow!("negative integrated time"))?;
    let mut proven = false;
    if let Some(promise) = &entry.inclusion_promise {
        let canonical = format!(
            "{{\"body\":{},\"integratedTime\":{},\"logID\":\"{}\",\"logIndex\":{}}}",
            serde_json::to_string(&entry.canonicalized_body)?,
            entry.integrated_time,
            hex::encode(&key_id),
            entry.log_index
        );
        log.key
            .verify(
                canonical.as_bytes(),
                &unb64(&promise.signed_entry_timestamp)?,
            )
            .context("the signed entry timestamp does not verify")?;
        proven = true;
    }
    if let Some(proof) = &entry.inclusion_proof {
        let leaf: [u8; 32] = {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(&body_bytes);
            h.finalize().into()
        };
        let hashes = proof
            .hashes
            .iter()
            .map(|h| unb64(h))
            .collect::<Result<Vec<_>>>()?;
        let index = u64::try_from(proof.log_index).map_err(|_| anyhow!("negative proof index"))?;
        let size = u64::try_from(proof.tree_size).map_err(|_| anyhow!("negative tree size"))?;
        let computed = root_from_inclusion_proof(index, size, leaf, &hashes)?;
        if computed.as_slice() != unb64(&proof.root_hash)?.as_slice() {
            bail!("the inclusion proof does not lead to the recorded root hash");
        }
        if let Some(cp) = &proof.checkpoint {
            let (cp_size, cp_root) = verify_checkpoint(&cp.envelope, &log.key)?;
            if cp_size != size || cp_root != computed {
                bail!("the checkpoint does not match the inclusion proof");
            }
        }
        proven = proven || proof.checkpoint.is_some();
    }
    if !proven {
        bail!("the log entry has neither a signed entry timestamp nor a signed inclusion proof");
    }
    if entry.inclusion_promise.is_none() {
        bail!("the log entry has no signed entry timestamp, so its time cannot be trusted (RFC 3161 timestamps are not supported)");
    }
    if !log.validity.contains(t) {
        bail!("the transparency log key was not valid at the entry's time");
    }
    Ok(t)
}

fn verify_chain_and_log(
    bundle: &Bundle,
    content: &SignedContent,
    identity: Option<&Identity>,
    root: &TrustedRoot,
) -> Result<(VerifyingKey, String)> {
    let vm = &bundle.verification_material;
    let cert_b64 = vm
        .certificate
        .as_ref()
        .map(|c| c.raw_bytes.clone())
        .or_else(|| {
            vm.x509_certificate_chain
                .as_ref()
                .and_then(|c| c.certificates.first().map(|c| c.raw_bytes.clone()))
        })
        .ok_or_else(|| {
            anyhow!("the bundle has no signing certificate (it is key-based: verify it with --key)")
        })?;
    let cert_der = unb64(&cert_b64).context("malformed certificate in bundle")?;
    let cert = Certificate::from_der(&cert_der).context("malformed certificate in bundle")?;
    if vm.tlog_entries.is_empty() {
        bail!("the bundle has no transparency log entry");
    }
    let mut times = Vec::new();
    let mut errors = Vec::new();
    for e in &vm.tlog_entries {
        match check_log_entry(e, content, &cert_der, root) {
            Ok(t) => times.push(t),
            Err(err) => errors.push(format!("{err:#}")),
        }
    }
    let Some(&t) = times.first() else {
        bail!("transparency log entry invalid: {}", errors.join("; "));
    };
    let (nb, na) = cert_validity(&cert);
    if t < nb || t > na {
        bail!("the certificate was not valid when the signature was logged");
    }
    check_code_signing(&cert)?;
    let issuer_cert = check_chain(&cert, root, t)?;
    verify_scts(&cert, issuer_cert, root)?;
    let (sans, issuer) = cert_identity(&cert)?;
    let issuer = issuer.unwrap_or_default();
    if let Some(id) = identity {
        if !sans.contains(&id.san) {
            bail!(
                "identity mismatch: the certificate is for {:?}, expected '{}'",
                sans,
                id.san
            );
        }
        if issuer != id.issuer {
            bail!(
                "OIDC issuer mismatch: the certificate says '{issuer}', expected '{}'",
                id.issuer
            );
        }
    }
    let key_der = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| anyhow!("{e}"))?;
    let key = VerifyingKey::from_spki_der(&key_der)?;
    Ok((
        key,
        format!(
            "{} (issuer {issuer}), logged in Rekor at {t}",
            sans.first().map(String::as_str).unwrap_or("?")
        ),
    ))
}

/// Checks a keyless bundle's certificate chain, identity and log entry; returns
/// the certificate's key and a description of the signer.
pub fn verify_certificate_and_log(
    bundle: &Bundle,
    content: &SignedContent,
    identity: &Identity,
    root: &TrustedRoot,
) -> Result<(VerifyingKey, String)> {
    verify_chain_and_log(bundle, content, Some(identity), root)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The public-good root built into the binary loads: both Rekor logs (the v1 ECDSA
    /// log and the 2025 Ed25519 shard), the CT logs and the Fulcio CAs.
    #[test]
    fn builtin_public_good_root_loads() {
        let root = TrustedRoot::load(None).expect("built-in root");
        assert!(root.builtin);
        assert_eq!(root.tlogs.len(), 2);
        assert!(root.ctlogs.len() >= 2);
        assert!(root.cas.len() >= 2);
    }

    fn leaf_hash(data: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(data);
        h.finalize().into()
    }

    fn node(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(l);
        h.update(r);
        h.finalize().into()
    }

    /// RFC 6962 §2.1: MTH(D[n]).
    fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
        if leaves.len() == 1 {
            return leaves[0];
        }
        let k = leaves.len().next_power_of_two() / 2;
        node(&mth(&leaves[..k]), &mth(&leaves[k..]))
    }

    /// RFC 6962 §2.1.1: PATH(m, D[n]).
    fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<Vec<u8>> {
        if leaves.len() == 1 {
            return vec![];
        }
        let k = leaves.len().next_power_of_two() / 2;
        if m < k {
            let mut p = path(m, &leaves[..k]);
            p.push(mth(&leaves[k..]).to_vec());
            p
        } else {
            let mut p = path(m - k, &leaves[k..]);
            p.push(mth(&leaves[..k]).to_vec());
            p
        }
    }

    #[test]
    fn inclusion_proofs_match_rfc6962_for_all_small_trees() {
        for n in 1..=33usize {
            let leaves: Vec<[u8; 32]> = (0..n).map(|i| leaf_hash(&[i as u8])).collect();
            let root = mth(&leaves);
            for m in 0..n {
                let p = path(m, &leaves);
                let got = root_from_inclusion_proof(m as u64, n as u64, leaves[m], &p)
                    .expect("valid proof");
                assert_eq!(got, root, "n={n} m={m}");
                // A wrong index or size does not give the root.
                if n > 1 {
                    let other = (m + 1) % n;
                    let bad = root_from_inclusion_proof(other as u64, n as u64, leaves[m], &p);
                    assert!(bad.map_or(true, |r| r != root), "n={n} m={m}");
                }
            }
        }
        assert!(root_from_inclusion_proof(3, 3, leaf_hash(b"x"), &[]).is_err());
    }

    #[test]
    fn rfc3339_timestamps() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(
            parse_rfc3339("2022-04-13T20:06:15.000Z").unwrap(),
            1_649_880_375
        );
        assert!(parse_rfc3339("yesterday").is_err());
    }
}
