//! AS-SIGN-002: model weights with no signature beside them or over their directory.

use std::path::Path;

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
        let Some(dir) = file.abs.parent() else {
            return;
        };
        if status::sidecar(file.abs).is_some()
            || status::directory_signature(file.abs, scan_levels(&file.source.path)).is_some()
        {
            return;
        }
        // One finding per directory, on its first unsigned model file by name: shards
        // of one model are signed (or not) together. A directory signature covers all
        // of them alike, so only per-file sidecars tell them apart.
        let unsigned = unsigned_models(dir);
        let own = file
            .abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if unsigned.first().is_some_and(|first| *first != own) {
            return;
        }
        let others = unsigned.len().saturating_sub(1);
        let shown_dir = match file.source.path.rsplit_once('/') {
            Some((d, _)) => format!("{d}/"),
            None => "the scan root".to_string(),
        };
        let what = if others == 0 {
            format!("model file {own} has no signature")
        } else {
            format!("model file {own} and {others} more in {shown_dir} have no signature")
        };
        let lfs = !unsigned.is_empty()
            && unsigned
                .iter()
                .all(|n| status::is_lfs_pointer(&dir.join(n)));
        let (why, severity) = if lfs {
            (
                "their Git LFS pointers pin the content's SHA-256, but nothing says who produced it",
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

/// How many directories, from the file's own up to the scan root, may hold a
/// directory signature: one per separator in the reported path, plus the root.
fn scan_levels(rel: &str) -> usize {
    rel.matches('/').count() + 1
}

/// Model files of `dir` without their own sidecar, sorted by name.
fn unsigned_models(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| {
            matches!(
                classify::by_path(n),
                Some((FileKind::Artifact(ArtifactKind::Model), _))
            )
        })
        .filter(|n| status::sidecar(&dir.join(n)).is_none())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_count_the_root() {
        assert_eq!(scan_levels("m.gguf"), 1);
        assert_eq!(scan_levels("models/a/m.gguf"), 3);
    }
}
