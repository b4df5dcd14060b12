//! AS-PERM-001: a settings file starts the agent in a mode that skips permission prompts.

use crate::classify::{Client, FileKind};
use crate::finding::Severity;
use crate::manifest::gemini;
use crate::manifest::Node;
use crate::rules::{Context, Parsed, Rule, Scope};

pub struct DefaultMode;

impl Rule for DefaultMode {
    fn id(&self) -> &'static str {
        "AS-PERM-001"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        match file.kind {
            FileKind::ClaudeSettings => {
                for root in file.roots {
                    claude(file, root, cx);
                }
            }
            FileKind::McpConfig(Client::Gemini, _) => {
                for root in file.roots {
                    gemini(root, cx);
                }
            }
            _ => {}
        }
    }
}

fn claude(file: &Parsed<'_>, root: &Node, cx: &mut Context<'_>) {
    let Some(e) = root.get("permissions").and_then(|p| p.entry("defaultMode")) else {
        return;
    };
    let Some(mode) = e.value.as_str() else { return };
    let shared = file.scope == Scope::Shared;
    let route = "permissions.defaultMode";
    let span = e.value.span.clone();
    match mode {
        "bypassPermissions" => {
            let (sev, whose) = if shared {
                (
                    Severity::Critical,
                    "every collaborator who opens the repository",
                )
            } else {
                (Severity::High, "this user")
            };
            cx.report(
                span,
                route,
                format!("Claude Code settings start {whose} in bypassPermissions mode: every tool call, shell commands included, runs without a prompt"),
            )
            .severity(sev);
        }
        "acceptEdits" if shared => {
            cx.report(
                span,
                route,
                "shared Claude Code settings start in acceptEdits mode: file edits and common filesystem commands run without a prompt",
            )
            .severity(Severity::Low);
        }
        "auto" => {
            cx.report(
                span,
                route,
                "Claude Code settings start in auto mode: a classifier, not the user, approves tool calls",
            )
            .severity(Severity::Info);
        }
        _ => {}
    }
}

fn gemini(root: &Node, cx: &mut Context<'_>) {
    let mut found = gemini::setting(root, "general.defaultApprovalMode", None);
    // January-February 2026 releases read the same values from `tools.approvalMode`.
    found.extend(gemini::setting(root, "tools.approvalMode", None));
    for s in found {
        let Some(mode) = s.node.as_str() else {
            continue;
        };
        let route = s.route.to_string();
        match mode {
            "auto_edit" => {
                cx.report(
                    s.node.span.clone(),
                    &route,
                    format!("Gemini CLI settings set {route} to auto_edit: file edits run without a prompt"),
                )
                .severity(Severity::Low);
            }
            "yolo" => {
                cx.report(
                    s.node.span.clone(),
                    &route,
                    format!("Gemini CLI settings ask for yolo mode in {route}; Gemini CLI ignores it there (only --yolo or --approval-mode=yolo enable it), but the file states the intent to approve every tool call"),
                )
                .severity(Severity::Info);
            }
            _ => {}
        }
    }
}
