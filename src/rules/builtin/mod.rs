//! Code rules: detections that a declarative matcher cannot express. One file each.

mod as_auth_001;
mod as_auth_002;
mod as_ci_001;
mod as_ci_002;
mod as_ci_003;
mod as_ci_004;
mod as_ci_005;
mod as_ci_006;
mod as_dep_001;
mod as_dep_002;
mod as_dep_003;
mod as_dep_004;
mod as_dep_005;
mod as_dep_006;
mod as_exec_001;
mod as_exec_002;
mod as_exec_003;
mod as_exec_004;
mod as_exec_005;
mod as_inj_001;
mod as_inj_002;
mod as_inj_003;
mod as_inj_004;
mod as_inj_005;
mod as_inj_006;
mod as_inj_007;
mod as_inj_008;
mod as_net_002;
mod as_net_003;
mod as_net_004;
mod as_obs_001;
mod as_perm_001;
mod as_perm_002;
mod as_perm_003;
mod as_perm_004;
mod as_perm_005;
mod as_perm_006;
mod as_perm_007;
mod as_perm_008;
mod as_pois_001;
mod as_pois_002;
mod as_pois_003;
mod as_pois_006;
mod as_sec_001;
mod as_sec_002;
mod as_sec_003;
mod as_sec_004;
mod as_sign_001;
mod as_sign_002;
mod as_sign_003;
mod as_sign_004;
mod as_sign_005;
mod as_sign_008;
mod as_sign_009;
mod as_sign_010;
mod as_sup_001;
mod as_sup_002;
mod as_sup_005;
mod flows;

use crate::manifest::{Node, Span};
use crate::source::SourceFile;

use super::Rule;

pub fn all() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(as_auth_001::NoAuth),
        Box::new(as_auth_002::CardSecurity),
        Box::new(as_exec_003::HostCodeExecution),
        Box::new(as_perm_001::DefaultMode),
        Box::new(as_perm_002::UnscopedShell),
        Box::new(as_dep_001::RuntimeSocket),
        Box::new(as_dep_002::PrivilegedContainer),
        Box::new(as_dep_003::HostNamespaces),
        Box::new(as_dep_004::SensitiveMount),
        Box::new(as_dep_005::RootContainer),
        Box::new(as_dep_006::OverPrivilegedIdentity),
        Box::new(as_ci_001::UntrustedTrigger),
        Box::new(as_ci_002::PromptInterpolation),
        Box::new(as_ci_003::BroadAgentTools),
        Box::new(as_ci_004::WildcardActors),
        Box::new(as_ci_005::UnpinnedAgent),
        Box::new(as_ci_006::AgentExposure),
        Box::new(as_exec_001::LangchainDangerousTools),
        Box::new(as_exec_002::UnsafeDeserialization),
        Box::new(as_exec_004::WideImports),
        Box::new(as_exec_005::UnrestrictedRequests),
        Box::new(as_inj_001::ShellInjection),
        Box::new(as_inj_002::CodeInjection),
        Box::new(as_inj_003::ArgumentInjection),
        Box::new(as_inj_004::PathTraversal),
        Box::new(as_inj_005::Ssrf),
        Box::new(as_inj_006::SqlInjection),
        Box::new(as_inj_007::ModelOutputHtml),
        Box::new(as_inj_008::PrivilegedPrompt),
        Box::new(as_net_002::TlsVerificationOff),
        Box::new(as_net_003::PlaintextEndpoint),
        Box::new(as_net_004::ListensEverywhere),
        Box::new(as_obs_001::SecretsInLogs),
        Box::new(as_perm_003::AutoApprove),
        Box::new(as_perm_004::CodexSandboxOff),
        Box::new(as_perm_005::PermissionSkippingFlags),
        Box::new(as_perm_006::BroadFilesystem),
        Box::new(as_perm_007::AutoEnableServers),
        Box::new(as_perm_008::CommandSettings),
        Box::new(as_pois_001::InstructionMarkers),
        Box::new(as_pois_002::HiddenCharacters),
        Box::new(as_pois_003::CredentialMetadata),
        Box::new(as_pois_006::OversightOff),
        Box::new(as_sec_001::HardcodedSecret),
        Box::new(as_sign_002::UnsignedModel),
        Box::new(as_sign_003::UnsignedMcpb),
        Box::new(as_sign_008::StaleBundle),
        Box::new(as_sign_009::RequiredSignature),
        Box::new(as_sign_010::PolicyBreach),
        Box::new(as_sign_001::UnsignedCard),
        Box::new(as_sec_004::EndpointOverride),
        Box::new(as_sec_003::PromptSecrets),
        Box::new(as_sign_004::UnsignedRelease),
        Box::new(as_sign_005::PublishWithoutProvenance),
        Box::new(as_sec_002::SecretInCode),
        Box::new(as_sup_001::UnpinnedSource),
        Box::new(as_sup_002::UnpinnedImage),
        Box::new(as_sup_005::UnsafeModelLoading),
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

/// At most 120 characters of file text quoted in a message (a command, a host, a
/// setting key), on one line and cut on a character boundary.
pub fn shorten(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 120 {
        return one_line;
    }
    let mut out: String = one_line.chars().take(117).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_keeps_char_boundaries() {
        let long = "é".repeat(300);
        let s = shorten(&long);
        assert_eq!(s.chars().count(), 118);
        assert_eq!(shorten("a\n  b"), "a b");
    }
}
