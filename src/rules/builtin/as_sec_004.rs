//! AS-SEC-004: a repository file points an agent's model API at another host, which then
//! receives the API key or token of everyone who runs the agent in that repository.

use crate::classify::{Client, FileKind};
use crate::finding::Severity;
use crate::manifest::env::EnvVar;
use crate::manifest::{Node, Route, Span};
use crate::rules::values::{is_local_ish, is_loopback, is_placeholder, parse_url};
use crate::rules::{Context, Parsed, Rule, Scope};

use super::shorten;

pub struct EndpointOverride;

/// Environment variables agent CLIs and SDKs read as the model API's base URL.
const BASE_URL_VARS: &[&str] = &[
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_BEDROCK_BASE_URL",
    "ANTHROPIC_VERTEX_BASE_URL",
    "ANTHROPIC_FOUNDRY_BASE_URL",
    "OPENAI_BASE_URL",
    "OPENAI_API_BASE",
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_VERTEX_BASE_URL",
    "GEMINI_API_BASE_URL",
];

/// Proxies see the traffic too; with TLS they see hosts, not keys, so they rate lower.
const PROXY_VARS: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The providers' own API hosts, exact or as a suffix after a dot or a region dash
/// (`us-east5-aiplatform.googleapis.com`).
const FIRST_PARTY: &[&str] = &[
    "api.anthropic.com",
    "api.openai.com",
    "generativelanguage.googleapis.com",
    "aiplatform.googleapis.com",
    "openai.azure.com",
    "services.ai.azure.com",
];

fn first_party(host: &str) -> bool {
    let bedrock = host.starts_with("bedrock") && host.ends_with(".amazonaws.com");
    bedrock
        || FIRST_PARTY.iter().any(|s| {
            host == *s
                || host.ends_with(&format!(".{s}"))
                || (*s == "aiplatform.googleapis.com" && host.ends_with(&format!("-{s}")))
        })
}

impl Rule for EndpointOverride {
    fn id(&self) -> &'static str {
        "AS-SEC-004"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        match file.kind {
            // Claude Code applies its settings' `env` to itself; a dev container's
            // environment reaches the agents run inside it.
            FileKind::ClaudeSettings if file.scope == Scope::Shared => {
                for e in &file.env {
                    env_override(cx, e, "shared Claude Code settings", false);
                }
            }
            FileKind::Devcontainer => {
                for e in &file.env {
                    env_override(cx, e, "the dev container environment", true);
                }
            }
            FileKind::McpConfig(Client::Codex, _) => {
                // Codex ignores these keys in a project's `.codex/config.toml`; a copy
                // elsewhere (dotfiles) is a user's own configuration.
                if !file.source.path.split('/').any(|s| s == ".codex") {
                    return;
                }
                for root in file.roots {
                    codex(cx, root);
                }
            }
            _ => {}
        }
    }
}

/// Severity by where the URL points: loopback and the provider's own hosts are info,
/// cleartext to a remote host critical, any other host high.
fn by_host(url: &str) -> Option<(Severity, String)> {
    let parts = parse_url(url)?;
    let host = parts.host.clone();
    if host.is_empty() || is_placeholder(&host) || host.contains("${") {
        return None;
    }
    if is_loopback(&host) || is_local_ish(&host) || first_party(&host) {
        return Some((Severity::Info, shorten(&host)));
    }
    if matches!(parts.scheme.as_str(), "http" | "ws") {
        return Some((Severity::Critical, shorten(&host)));
    }
    Some((Severity::High, shorten(&host)))
}

fn env_override(cx: &mut Context<'_>, e: &EnvVar, owner: &str, lower: bool) {
    let proxy = PROXY_VARS.contains(&e.key.as_str());
    if !proxy && !BASE_URL_VARS.contains(&e.key.as_str()) {
        return;
    }
    let v = e.value.trim();
    if v.is_empty() || is_placeholder(v) {
        return;
    }
    let url = if v.contains("://") {
        v.to_string()
    } else {
        format!("http://{v}")
    };
    let Some((mut sev, host)) = by_host(&url) else {
        return;
    };
    let what = if proxy {
        if sev > Severity::Medium {
            sev = Severity::Medium;
        }
        format!(
            "{} in {owner} routes the agent's traffic through proxy {host}",
            e.key
        )
    } else {
        format!(
            "{} in {owner} sends the agent's model API calls, with the API key or token, to {host}",
            e.key
        )
    };
    if lower {
        sev = sev.lowered();
    }
    cx.report(e.value_span.clone(), &e.route.to_string(), what)
        .severity(sev);
}

fn codex(cx: &mut Context<'_>, root: &Node) {
    let mut urls: Vec<(&Node, Route, String)> = Vec::new();
    for key in [
        "openai_base_url",
        "chatgpt_base_url",
        "experimental_realtime_ws_base_url",
    ] {
        if let Some(n) = root.get(key) {
            urls.push((n, Route::root().key(key), key.to_string()));
        }
    }
    for p in root
        .get("model_providers")
        .map(Node::entries)
        .unwrap_or(&[])
    {
        if let Some(n) = p.value.get("base_url") {
            let r = Route::root()
                .key("model_providers")
                .key(&p.key)
                .key("base_url");
            urls.push((n, r.clone(), r.to_string()));
        }
    }
    for (node, route, key) in urls {
        let Some(v) = node.as_str() else { continue };
        let Some((sev, host)) = by_host(v) else {
            continue;
        };
        let sev = if sev == Severity::Info {
            sev
        } else {
            Severity::Low
        };
        let span: Span = node.span.clone();
        cx.report(
            span,
            &route.to_string(),
            format!("project Codex configuration points {key} at {host}, which would receive the API key; current Codex ignores this key in project configuration, older releases may not"),
        )
        .severity(sev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            by_host("https://api.anthropic.com").map(|x| x.0),
            Some(Severity::Info)
        );
        assert_eq!(
            by_host("https://bedrock-runtime.us-east-1.amazonaws.com").map(|x| x.0),
            Some(Severity::Info)
        );
        assert_eq!(
            by_host("https://us-central1-aiplatform.googleapis.com").map(|x| x.0),
            Some(Severity::Info)
        );
        assert_eq!(
            by_host("http://127.0.0.1:4000").map(|x| x.0),
            Some(Severity::Info)
        );
        assert_eq!(
            by_host("https://collector.example.net").map(|x| x.0),
            Some(Severity::High)
        );
        assert_eq!(
            by_host("http://collector.example.net").map(|x| x.0),
            Some(Severity::Critical)
        );
        assert_eq!(
            by_host("https://api.anthropic.com.evil.example").map(|x| x.0),
            Some(Severity::High)
        );
        assert_eq!(
            by_host("https://x-amazonaws.com").map(|x| x.0),
            Some(Severity::High)
        );
        assert_eq!(by_host("https://${GATEWAY}/v1"), None);
        assert_eq!(by_host("not a url"), None);
    }
}
