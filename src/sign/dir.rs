//! Directory manifests in model-signing's in-toto shape
//! (predicate `https://model_signing/signature/v1.0`, serialization method `files`).

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://model_signing/signature/v1.0";
pub const PREDICATE_TYPE_COMPAT: &str = "https://model_signing/Digests/v0.1";

/// Paths model-signing ignores by default (`ignore_git_paths`).
pub const GIT_PATHS: &[&str] = &[".git", ".gitattributes", ".github", ".gitignore"];

/// Relative path ('/'-separated) to lowercase hex SHA-256.
pub type Manifest = BTreeMap<String, String>;

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<[u8; 32]> {
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().into())
}

fn is_ignored(rel: &str, ignore: &[String]) -> bool {
    ignore.iter().any(|p| {
        let p = p.trim_end_matches('/');
        rel == p || rel.starts_with(&format!("{p}/"))
    })
}

/// Hashes every regular file under `root`, skipping `ignore` (paths relative to
/// `root`, a directory ignores its contents). Symbolic links are refused, as
/// model-signing does by default.
pub fn hash_dir(root: &Path, ignore: &[String]) -> Result<Manifest> {
    let mut out = Manifest::new();
    let mut stack: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(rel_dir) = stack.pop() {
        let dir = root.join(&rel_dir);
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            let name = entry.file_name();
            let name = name
                .to_str()
                .ok_or_else(|| anyhow!("non-UTF-8 file name in {}", dir.display()))?;
            let rel = rel_dir.join(name);
            let rel_str = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if is_ignored(&rel_str, ignore) {
                continue;
            }
            let ft = entry
                .file_type()
                .with_context(|| format!("cannot stat {}", entry.path().display()))?;
            if ft.is_symlink() {
                bail!(
                    "{} is a symbolic link; symbolic links are not signed",
                    entry.path().display()
                );
            } else if ft.is_dir() {
                stack.push(rel);
            } else if ft.is_file() {
                out.insert(rel_str, hex::encode(sha256_file(&entry.path())?));
            } else {
                bail!(
                    "{} is not a regular file or directory",
                    entry.path().display()
                );
            }
        }
    }
    Ok(out)
}

/// model-signing orders resources as `pathlib.PurePosixPath` does: by components.
fn sorted_entries(m: &Manifest) -> Vec<(&String, &String)> {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| a.0.split('/').cmp(b.0.split('/')));
    v
}

/// Root digest: SHA-256 over the concatenated raw file digests, in resource order.
fn root_digest(m: &Manifest) -> Result<String> {
    let mut h = Sha256::new();
    for (_, d) in sorted_entries(m) {
        h.update(hex::decode(d).map_err(|_| anyhow!("invalid hex digest"))?);
    }
    Ok(hex::encode(h.finalize()))
}

/// The in-toto Statement v1 for a directory, in model-signing v1.0 shape.
pub fn statement(name: &str, m: &Manifest, ignore_paths: &[String]) -> Result<Value> {
    let resources: Vec<Value> = sorted_entries(m)
        .into_iter()
        .map(|(n, d)| json!({"name": n, "algorithm": "sha256", "digest": d}))
        .collect();
    let mut serialization = json!({
        "method": "files",
        "hash_type": "sha256",
        "allow_symlinks": false,
    });
    if !ignore_paths.is_empty() {
        serialization["ignore_paths"] = json!(ignore_paths);
    }
    Ok(json!({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": root_digest(m)?}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {"serialization": serialization, "resources": resources},
    }))
}

/// What a signed statement says about a directory.
pub struct Attested {
    pub files: Manifest,
    pub ignore_paths: Vec<String>,
}

/// Reads the file list out of a statement (model-signing v1.0, or its v0.1 compat
/// shape where every file is a subject), checking its internal consistency.
pub fn parse_statement(payload: &[u8]) -> Result<Attested> {
    let v: Value = serde_json::from_slice(payload).context("the DSSE payload is not JSON")?;
    if v["_type"] != STATEMENT_TYPE {
        bail!(
            "the DSSE payload is not an in-toto Statement v1 (_type {})",
            v["_type"]
        );
    }
    let pt = v["predicateType"].as_str().unwrap_or_default();
    let mut files = Manifest::new();
    let mut ignore_paths = Vec::new();
    let hexdigest = |d: &Value| -> Result<String> {
        let s = d
            .as_str()
            .ok_or_else(|| anyhow!("digest is not a string"))?;
        if s.len() != 64 || hex::decode(s).is_err() {
            bail!("invalid SHA-256 digest '{s}'");
        }
        Ok(s.to_ascii_lowercase())
    };
    if pt == PREDICATE_TYPE {
        let subjects = v["subject"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let [subject] = subjects else {
            bail!("expected exactly one subject, found {}", subjects.len());
        };
        let expected_root = hexdigest(&subject["digest"]["sha256"])?;
        let pred = &v["predicate"];
        let ser = &pred["serialization"];
        if ser["method"] != "files" || ser["hash_type"] != "sha256" {
            bail!(
                "unsupported serialization (method {}, hash_type {}): only per-file SHA-256 is supported",
                ser["method"],
                ser["hash_type"]
            );
        }
        if let Some(ips) = ser["ignore_paths"].as_array() {
            for p in ips {
                ignore_paths.push(
                    p.as_str()
                        .ok_or_else(|| anyhow!("ignore_paths holds a non-string"))?
                        .to_string(),
                );
            }
        }
        let resources = pred["resources"]
            .as_array()
            .ok_or_else(|| anyhow!("predicate has no resources list"))?;
        let mut h = Sha256::new();
        for r in resources {
            if r["algorithm"] != "sha256" {
                bail!("unsupported resource digest algorithm {}", r["algorithm"]);
            }
            let name = r["name"]
                .as_str()
                .ok_or_else(|| anyhow!("resource without a name"))?;
            let d = hexdigest(&r["digest"])?;
            h.update(hex::decode(&d).map_err(|_| anyhow!("invalid hex digest"))?);
            files.insert(name.to_string(), d);
        }
        let got = hex::encode(h.finalize());
        if got != expected_root {
            bail!("the attestation is inconsistent: its resources hash to {got}, the subject says {expected_root}");
        }
    } else if pt == PREDICATE_TYPE_COMPAT {
        for s in v["subject"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let name = s["name"]
                .as_str()
                .ok_or_else(|| anyhow!("subject without a name"))?;
            files.insert(name.to_string(), hexdigest(&s["digest"]["sha256"])?);
        }
    } else {
        bail!("unsupported predicate type '{pt}' (expected {PREDICATE_TYPE})");
    }
    Ok(Attested {
        files,
        ignore_paths,
    })
}

/// Differences between what was attested and what is on disk.
#[derive(Default)]
pub struct Diff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

pub fn diff(attested: &Manifest, actual: &Manifest) -> Diff {
    let mut d = Diff::default();
    for (k, v) in attested {
        match actual.get(k) {
            None => d.removed.push(k.clone()),
            Some(a) if a != v => d.changed.push(k.clone()),
            Some(_) => {}
        }
    }
    for k in actual.keys() {
        if !attested.contains_key(k) {
            d.added.push(k.clone());
        }
    }
    d
}

/// The ignore list for signing/verifying `root`: git paths plus the bundle itself
/// when it lies inside the directory.
pub fn default_ignores(root: &Path, bundle: &Path) -> Vec<String> {
    let mut v: Vec<String> = GIT_PATHS.iter().map(|s| s.to_string()).collect();
    if let Some(rel) = relative_inside(root, bundle) {
        v.push(rel);
    }
    v
}

fn relative_inside(root: &Path, p: &Path) -> Option<String> {
    let root = std::fs::canonicalize(root).ok()?;
    let parent = p
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let parent = std::fs::canonicalize(parent).ok()?;
    let full = parent.join(p.file_name()?);
    let rel = full.strip_prefix(&root).ok()?;
    let s: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(s.join("/"))
}

/// The name model-signing gives a model: the directory's final component.
pub fn dir_name(root: &Path) -> String {
    std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "model".to_string())
}
