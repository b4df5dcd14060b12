//! AS-SIGN-003: an MCPB/DXT bundle without a publisher signature block or sidecar.

use crate::classify::{ArtifactKind, FileKind};
use crate::finding::{Confidence, Severity};
use crate::rules::{Context, Parsed, Rule};
use crate::sign::status::{self, McpbSignature};

pub struct UnsignedMcpb;

impl Rule for UnsignedMcpb {
    fn id(&self) -> &'static str {
        "AS-SIGN-003"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if file.kind != FileKind::Artifact(ArtifactKind::Mcpb) {
            return;
        }
        if status::sidecar(file.abs).is_some() {
            return;
        }
        let name = file.source.path.rsplit('/').next().unwrap_or_default();
        match status::mcpb_signature(file.abs) {
            Ok(McpbSignature::Signed { self_signed: false }) => {}
            Ok(McpbSignature::Signed { self_signed: true }) => {
                cx.report(
                    0..0,
                    "",
                    format!(
                        "bundle {name} is signed with a self-signed certificate: it shows the file is unchanged since someone signed it, not who published it"
                    ),
                )
                .severity(Severity::Low);
            }
            Ok(McpbSignature::Unsigned) => {
                cx.report(
                    0..0,
                    "",
                    format!(
                        "bundle {name} is unsigned (no MCPB_SIG_V1 … MCPB_SIG_END block at its end, no signature beside it): clients install its server code without knowing who published it"
                    ),
                );
            }
            Ok(McpbSignature::Malformed(why)) => {
                cx.report(
                    0..0,
                    "",
                    format!(
                        "bundle {name} has a broken signature block ({why}): `mcpb verify` treats it as unsigned"
                    ),
                );
            }
            Err(e) => {
                cx.report(
                    0..0,
                    "",
                    format!("bundle {name} could not be read to check its signature: {e}"),
                )
                .confidence(Confidence::Low);
            }
        }
    }
}
