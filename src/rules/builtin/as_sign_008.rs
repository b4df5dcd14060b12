//! AS-SIGN-008: a `*.sigstore.json` whose digest no longer matches the artifact beside
//! it, or that is not a Sigstore bundle at all.

use std::path::PathBuf;

use crate::classify::FileKind;
use crate::finding::{Confidence, Severity};
use crate::manifest::{Node, Span};
use crate::rules::{Context, Parsed, Rule};
use crate::sign::status::{self, BundleMatch};

pub struct StaleBundle;

const SUFFIX: &str = ".sigstore.json";

impl Rule for StaleBundle {
    fn id(&self) -> &'static str {
        "AS-SIGN-008"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if file.kind != FileKind::SigstoreBundle {
            return;
        }
        let Some(artifact) = artifact_path(file.abs) else {
            return;
        };
        let bundle_name = file.source.path.rsplit('/').next().unwrap_or_default();
        let artifact_name = bundle_name
            .get(..bundle_name.len().saturating_sub(SUFFIX.len()))
            .unwrap_or_default();
        let (span, route) = digest_node(file.roots);
        match status::check_bundle(&file.source.text, file.abs, &artifact) {
            Ok(BundleMatch::Matches) => {}
            Ok(BundleMatch::Stale(how)) => {
                cx.report(
                    span,
                    route,
                    format!(
                        "{bundle_name} no longer matches {artifact_name} ({how}): the artifact changed after it was signed, and every verifier will reject it"
                    ),
                );
            }
            Ok(BundleMatch::ArtifactMissing) => {
                cx.report(
                    span,
                    route,
                    format!(
                        "{bundle_name} signs {artifact_name}, which is not beside it: the signature cannot be checked here"
                    ),
                )
                .severity(Severity::Info);
            }
            Ok(BundleMatch::Unchecked(why)) => {
                cx.report(
                    span,
                    route,
                    format!("{bundle_name} could not be compared with {artifact_name}: {why}"),
                )
                .severity(Severity::Info);
            }
            Err(e) => {
                cx.report(
                    span,
                    route,
                    format!(
                        "{bundle_name} is not a valid Sigstore bundle ({e:#}): it cannot verify {artifact_name}"
                    ),
                )
                .severity(Severity::Medium)
                .confidence(Confidence::Medium);
            }
        }
    }
}

/// The artifact a bundle names: its own path without `.sigstore.json` (any case).
fn artifact_path(bundle: &std::path::Path) -> Option<PathBuf> {
    let s = bundle.as_os_str().to_str()?;
    let cut = s.len().checked_sub(SUFFIX.len())?;
    let (artifact, suffix) = (s.get(..cut)?, s.get(cut..)?);
    (suffix.eq_ignore_ascii_case(SUFFIX) && !artifact.ends_with(['/', '\\']))
        .then(|| PathBuf::from(artifact))
}

/// The node that carries what was signed: the message digest, else the DSSE payload,
/// else the media type; the document when it has none of them.
fn digest_node(roots: &[Node]) -> (Span, &'static str) {
    let Some(root) = roots.first() else {
        return (0..0, "");
    };
    let candidates: [(Option<&Node>, &'static str); 3] = [
        (
            root.get("messageSignature")
                .and_then(|m| m.get("messageDigest"))
                .and_then(|d| d.get("digest")),
            "messageSignature.messageDigest.digest",
        ),
        (
            root.get("dsseEnvelope").and_then(|d| d.get("payload")),
            "dsseEnvelope.payload",
        ),
        (root.get("mediaType"), "mediaType"),
    ];
    candidates
        .into_iter()
        .find_map(|(n, route)| n.map(|n| (n.span.clone(), route)))
        .unwrap_or((root.span.clone(), ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_is_the_path_without_the_suffix() {
        assert_eq!(
            artifact_path(std::path::Path::new("d/x.mcpb.SIGSTORE.JSON")),
            Some(PathBuf::from("d/x.mcpb"))
        );
        assert_eq!(
            artifact_path(std::path::Path::new("d/.sigstore.json")),
            None
        );
        assert_eq!(artifact_path(std::path::Path::new("json")), None);
    }
}
