//! AS-SIGN-002: model weights with no signature beside them or over their directory.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use crate::classify::{self, ArtifactKind, FileKind};
use crate::finding::Severity;
use crate::rules::{Context, Parsed, Rule};
use crate::sign::status;

pub struct UnsignedModel;

impl Rule for UnsignedModel {
    fn id(&self) -> &'static str {
        "AS-SIGN-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if file.kind != FileKind::Artifact(ArtifactKind::Model) {
            return;
        }
        let (Some(dir), Some(own)) = (file.abs.parent(), file.abs.file_name()) else {
            return;
        };
        let own = own.to_string_lossy();
        if is_page_template(file.abs) {
            return;
        }
        let info = dir_info(dir);
        // One finding per directory, on its first unsigned model file by name: shards
        // of one model are signed (or not) together. Files with their own sidecar
        // drop out; a signature over the directory covers all of them.
        if info.provenance || info.unsigned.first().is_some_and(|first| *first != own) {
            return;
        }
        if info.unsigned.is_empty() && status::sidecar(file.abs).is_some() {
            return;
        }
        let levels = file.source.path.matches('/').count() + 1;
        if status::directory_signature(dir, levels).is_some() {
            return;
        }
        let others = info.unsigned.len().saturating_sub(1);
        let shown_dir = match file.source.path.rsplit_once('/') {
            Some((d, _)) => format!("{d}/"),
            None => "the scan root".to_string(),
        };
        let what = if others == 0 {
            format!("model file {own} has no signature")
        } else {
            format!("model file {own} and {others} more in {shown_dir} have no signature")
        };
        let lfs = !info.unsigned.is_empty()
            && info
                .unsigned
                .iter()
                .all(|n| status::is_lfs_pointer(&dir.join(n)));
        let (why, severity) = if lfs {
            (
                "Git LFS pins the content's SHA-256, but nothing says who produced it",
                Severity::Low,
            )
        } else {
            (
                "whoever loads it cannot tell it from a tampered or substituted model",
                cx.meta.severity,
            )
        };
        cx.report(
            0..0,
            "",
            format!(
                "{what} (no {own}.sigstore.json or other sidecar, no model.sig over its directory); {why}"
            ),
        )
        .severity(severity);
    }
}

/// What one listing of a directory says about its model files.
struct DirInfo {
    /// In-toto provenance (`*.intoto.jsonl`) lies in the directory.
    provenance: bool,
    /// Model files without their own sidecar, sorted by name.
    unsigned: Vec<String>,
}

/// Each directory is listed once per scan, not once per model file in it: a
/// directory of thousands of pickles would otherwise cost a quadratic number of reads.
fn dir_info(dir: &Path) -> Arc<DirInfo> {
    static CACHE: LazyLock<Mutex<HashMap<PathBuf, Arc<DirInfo>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Some(hit) = CACHE.lock().ok().and_then(|c| c.get(dir).cloned()) {
        return hit;
    }
    let names: HashSet<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let provenance = names.iter().any(|n| status::is_provenance_name(n));
    let mut unsigned: Vec<String> = names
        .iter()
        .filter(|n| {
            matches!(
                classify::by_path(n),
                Some((FileKind::Artifact(ArtifactKind::Model), _))
            )
        })
        .filter(|n| !is_page_template(&dir.join(n)))
        .filter(|n| {
            !status::SIDECAR_SUFFIXES
                .iter()
                .any(|s| names.contains(&format!("{n}{s}")))
        })
        .cloned()
        .collect();
    unsigned.sort();
    let info = Arc::new(DirInfo {
        provenance,
        unsigned,
    });
    if let Ok(mut c) = CACHE.lock() {
        c.insert(dir.to_path_buf(), info.clone());
    }
    info
}

/// Chameleon / Zope page templates share the `.pt` extension with PyTorch weights
/// (a zip or a pickle); templates are markup. Reads at most 64 bytes, of `.pt` files
/// only.
fn is_page_template(path: &Path) -> bool {
    use std::io::Read as _;
    let is_pt = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pt"));
    if !is_pt {
        return false;
    }
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(64);
    if f.take(64).read_to_end(&mut head).is_err() {
        return false;
    }
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_templates_are_not_weights() {
        let d = tempfile::tempdir().expect("tempdir");
        let t = d.path().join("index.pt");
        std::fs::write(
            &t,
            "\n  <html xmlns:tal=\"http://xml.zope.org/namespaces/tal\">",
        )
        .expect("write");
        assert!(is_page_template(&t));
        let w = d.path().join("model.pt");
        std::fs::write(&w, b"PK\x03\x04archive/data.pkl").expect("write");
        assert!(!is_page_template(&w));
        let e = d.path().join("empty.pt");
        std::fs::write(&e, b"").expect("write");
        assert!(!is_page_template(&e));
        assert!(!is_page_template(&d.path().join("model.onnx")));
    }
}
