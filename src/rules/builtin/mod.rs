//! Code rules: detections that a declarative matcher cannot express. One file each.

mod as_auth_001;
mod as_exec_002;
mod as_exec_004;
mod as_exec_005;
mod as_inj_001;
mod as_inj_002;
mod as_inj_004;
mod as_inj_005;
mod as_inj_006;
mod as_net_003;
mod as_net_004;
mod as_obs_001;
mod as_perm_003;
mod as_perm_006;
mod as_pois_002;
mod as_sec_001;
mod as_sec_002;
mod as_sup_001;
mod flows;

use crate::manifest::{Node, Span};
use crate::source::SourceFile;

use super::Rule;

pub fn all() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(as_auth_001::NoAuth),
        Box::new(as_exec_002::UnsafeDeserialization),
        Box::new(as_exec_004::WideImports),
        Box::new(as_exec_005::UnrestrictedRequests),
        Box::new(as_inj_001::ShellInjection),
        Box::new(as_inj_002::CodeInjection),
        Box::new(as_inj_004::PathTraversal),
        Box::new(as_inj_005::Ssrf),
        Box::new(as_inj_006::SqlInjection),
        Box::new(as_net_003::PlaintextEndpoint),
        Box::new(as_net_004::ListensEverywhere),
        Box::new(as_obs_001::SecretsInLogs),
        Box::new(as_perm_003::AutoApprove),
        Box::new(as_perm_006::BroadFilesystem),
        Box::new(as_pois_002::HiddenCharacters),
        Box::new(as_sec_001::HardcodedSecret),
        Box::new(as_sec_002::SecretInCode),
        Box::new(as_sup_001::UnpinnedSource),
    ]
}

/// The exact bytes of `range` (an offset range inside a string value) when the value
/// is written verbatim in the file, else the whole value node.
pub fn sub_span(file: &SourceFile, node: &Node, range: std::ops::Range<usize>) -> Span {
    let raw = file.text.get(node.span.clone()).unwrap_or("");
    let Some(value) = node.as_str() else {
        return node.span.clone();
    };
    let inner_start = match raw.find(value) {
        Some(i) if !value.is_empty() => i,
        _ => return node.span.clone(),
    };
    let start = node.span.start + inner_start + range.start;
    let end = node.span.start + inner_start + range.end.min(value.len());
    start..end
}

/// Shows the start of a secret without revealing it.
pub fn redact(s: &str) -> String {
    let head: String = s.chars().take(4).collect();
    format!("{head}…")
}
