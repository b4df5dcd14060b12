//! AS-PERM-003: tools that run without the user confirming each call.

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Severity;
use crate::manifest::mcp::McpServer;
use crate::manifest::Value;
use crate::rules::{Context, Parsed, Rule};

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
