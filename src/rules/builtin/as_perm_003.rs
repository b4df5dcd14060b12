//! AS-PERM-003: tools that run without the user confirming each call.

use std::sync::LazyLock;

use regex::Regex;

use crate::classify::{Client, FileKind};
use crate::finding::Severity;
use crate::manifest::mcp::McpServer;
use crate::manifest::{claude, gemini, vscode, Node, Value};
use crate::rules::{Context, Parsed, Rule};

use super::shorten;

pub struct AutoApprove;

static CAPABLE_SERVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(shell|exec|terminal|command|filesystem|\bfs\b|git|docker|kube|aws|gcp|azure|postgres|mysql|sql|mongo|redis|email|gmail|smtp|slack|discord|browser|puppeteer|playwright|fetch|http)")
        .expect("static regex")
});
static RISKY_TOOL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(write|edit|delete|remove|\brm\b|exec|run|shell|bash|command|push|merge|deploy|send|post|create_(pull_request|issue)|transfer|pay|drop|move|update|upload)")
        .expect("static regex")
});
static READ_ONLY_TOOL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(get|list|search|read|find|query|describe|show|view|fetch_docs|lookup)([_-]|$)",
    )
    .expect("static regex")
});

fn capable(s: &McpServer<'_>) -> bool {
    CAPABLE_SERVER.is_match(&s.name) || s.argv().iter().any(|a| CAPABLE_SERVER.is_match(a))
}

impl Rule for AutoApprove {
    fn id(&self) -> &'static str {
        "AS-PERM-003"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for root in file.roots {
            match file.kind {
                FileKind::ClaudeSettings => claude_allow(root, cx),
                FileKind::VsCodeSettings | FileKind::Devcontainer => {
                    vscode_settings(&file.source.path, root, cx)
                }
                FileKind::McpConfig(Client::Gemini, _) => gemini_auto_accept(root, cx),
                _ => {}
            }
        }
        for s in &file.servers {
            if let Some(t) = &s.trust {
                if t.node.as_bool() == Some(true) {
                    let sev = if capable(s) {
                        Severity::High
                    } else {
                        Severity::Medium
                    };
                    cx.report(t.node.span.clone(), &t.route.to_string(), format!(
                        "MCP server '{}' is trusted: every tool call it makes skips confirmation", s.name
                    ))
                    .severity(sev);
                }
            }
            let Some(list) = &s.auto_approve else {
                continue;
            };
            let all_tools = match &list.node.value {
                Value::Bool(true) => true,
                Value::String(x) => x == "*",
                Value::Array(items) => items.iter().any(|i| i.as_str() == Some("*")),
                _ => false,
            };
            if all_tools {
                let sev = if capable(s) {
                    Severity::High
                } else {
                    Severity::Medium
                };
                cx.report(
                    list.node.span.clone(),
                    &list.route.to_string(),
                    format!("MCP server '{}' auto-approves all of its tools", s.name),
                )
                .severity(sev);
                continue;
            }
            let names: Vec<(usize, &str)> = list
                .node
                .items()
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.as_str().map(|s| (i, s)))
                .collect();
            if names.is_empty() {
                continue;
            }
            let risky: Vec<&(usize, &str)> = names
                .iter()
                .filter(|(_, n)| RISKY_TOOL.is_match(n))
                .collect();
            let (sev, at, what) = if let Some(first) = risky.first() {
                let list: Vec<&str> = risky.iter().map(|(_, n)| *n).collect();
                (
                    Severity::High,
                    first.0,
                    format!("tools that change things: {}", list.join(", ")),
                )
            } else if names.iter().all(|(_, n)| READ_ONLY_TOOL.is_match(n)) {
                (Severity::Info, 0, "read-only-looking tools".to_string())
            } else {
                let list: Vec<&str> = names.iter().map(|(_, n)| *n).collect();
                (Severity::Medium, 0, format!("tools: {}", list.join(", ")))
            };
            let item = &list.node.items()[at];
            cx.report(
                item.span.clone(),
                &list.route.index(at).to_string(),
                format!("MCP server '{}' auto-approves {what}", s.name),
            )
            .severity(sev);
        }
    }
}

/// Claude Code allow rules for MCP tools: `mcp__srv` and `mcp__srv__*` approve every
/// tool of the server; `mcp__srv__tool` one tool (reported when its name changes things).
fn claude_allow(root: &Node, cx: &mut Context<'_>) {
    for (f, rule) in claude::permission_list(root, "allow") {
        let Some(rest) = rule.trim().strip_prefix("mcp__") else {
            continue;
        };
        let (server, tool) = match rest.split_once("__") {
            Some((s, t)) => (s, Some(t)),
            None => (rest, None),
        };
        if server.is_empty() {
            continue;
        }
        let route = f.route.to_string();
        let (server, rule) = (shorten(server), shorten(rule));
        match tool {
            None | Some("*") | Some("") => {
                let sev = if CAPABLE_SERVER.is_match(&server) {
                    Severity::High
                } else {
                    Severity::Medium
                };
                cx.report(
                    f.node.span.clone(),
                    &route,
                    format!("Claude Code settings auto-approve every tool of MCP server '{server}' (`{rule}`)"),
                )
                .severity(sev);
            }
            Some(t) if RISKY_TOOL.is_match(t) => {
                cx.report(
                    f.node.span.clone(),
                    &route,
                    format!("Claude Code settings auto-approve tool '{}' of MCP server '{server}', which changes things", shorten(t)),
                )
                .severity(Severity::High);
            }
            Some(_) => {}
        }
    }
}

/// Files an agent must not edit unprompted: VS Code's own defaults for
/// `chat.tools.edits.autoApprove`, plus agent and CI configuration that runs code.
const PROTECTED_EDIT_TARGETS: &[&str] = &[
    ".vscode",
    ".git/",
    ".git*",
    ".gitattributes",
    ".github",
    "package.json",
    "server.xml",
    "build.rs",
    "web.config",
    ".env",
    "cargo.toml",
    "code-workspace",
    "proj",
    "gradle",
    ".lock",
    "-lock.",
    ".claude",
    ".mcp.json",
    ".cursor",
    ".gemini",
    ".codex",
];

fn vscode_settings(path: &str, root: &Node, cx: &mut Context<'_>) {
    let Some((obj, base)) = vscode::settings_object(path, root) else {
        return;
    };
    let devcontainer = path.to_ascii_lowercase().ends_with("devcontainer.json");
    let who = if devcontainer {
        "the dev container's VS Code settings"
    } else {
        "workspace settings"
    };
    for key in ["chat.tools.global.autoApprove", "chat.tools.autoApprove"] {
        for s in vscode::lookup(obj, &base, key) {
            if s.node.as_bool() != Some(true) {
                continue;
            }
            let route = s.route.to_string();
            if devcontainer {
                cx.report(
                    s.node.span.clone(),
                    &route,
                    format!("the dev container turns on {key} for VS Code inside it: every tool call of the agent, terminal included, runs without a prompt, next to the credentials forwarded into the container"),
                )
                .severity(Severity::High);
            } else if s.nested {
                cx.report(
                    s.node.span.clone(),
                    &route,
                    format!("workspace settings turn on {key} written as nested objects, the form that slipped past VS Code's filter for user-only settings before 1.132: every tool call of the agent, terminal included, runs without a prompt"),
                )
                .severity(Severity::High);
            } else {
                cx.report(
                    s.node.span.clone(),
                    &route,
                    format!("workspace settings turn on {key}, which approves every tool call of the agent; current VS Code accepts it only in user settings, but it is the setting injected prompts write to take over (CVE-2025-53773)"),
                );
            }
        }
    }
    for s in vscode::lookup(obj, &base, "chat.tools.edits.autoApprove") {
        let route = s.route.to_string();
        if s.node.as_bool() == Some(true) {
            cx.report(
                s.node.span.clone(),
                &route,
                format!("{who} auto-approve every file edit of the agent, including its own settings and tasks"),
            )
            .severity(Severity::High);
            continue;
        }
        for e in s.node.entries() {
            let lower = e.key.to_ascii_lowercase();
            if e.value.as_bool() == Some(true)
                && PROTECTED_EDIT_TARGETS.iter().any(|t| lower.contains(t))
            {
                cx.report(
                    e.key_span.clone(),
                    &s.route.key(&e.key).to_string(),
                    format!("{who} auto-approve agent edits to `{}`: files that configure or run code change without a prompt", shorten(&e.key)),
                )
                .severity(Severity::High);
            }
        }
    }
}

/// `autoAccept` / `tools.autoAccept`: skipped confirmation only for tools Gemini CLI
/// considered read-only, and was removed in February 2026.
fn gemini_auto_accept(root: &Node, cx: &mut Context<'_>) {
    for s in gemini::setting(root, "tools.autoAccept", Some("autoAccept")) {
        if s.node.as_bool() == Some(true) {
            let route = s.route.to_string();
            cx.report(
                s.node.span.clone(),
                &route,
                format!("Gemini CLI settings set {route}: tool calls Gemini CLI considers read-only run without a prompt (older releases; the setting has since been removed)"),
            )
            .severity(Severity::Info);
        }
    }
}
