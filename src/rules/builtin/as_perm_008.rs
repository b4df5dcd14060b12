//! AS-PERM-008: settings committed to a repository that make the agent's client run a
//! command: hooks, credential and status helpers, tool discovery commands, Codex
//! `notify`, VS Code tasks that run when the folder opens.

use crate::classify::{Client, FileKind};
use crate::finding::Severity;
use crate::manifest::claude::{self, Command};
use crate::manifest::{gemini, vscode, Node, Route};
use crate::rules::commands::{assess, Risk};
use crate::rules::{Context, Parsed, Rule, Scope};

pub struct CommandSettings;

impl Rule for CommandSettings {
    fn id(&self) -> &'static str {
        "AS-PERM-008"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let path = file.source.path.as_str();
        for root in file.roots {
            let (client, commands, ignored) = match file.kind {
                FileKind::ClaudeSettings => {
                    let mut c = claude::hook_commands(root);
                    c.extend(claude::helper_commands(root));
                    // `hooks/hooks.json` belongs to a Claude Code plugin or a Gemini CLI
                    // extension; both read the same shape.
                    let who = if path.ends_with("hooks/hooks.json") {
                        "plugin"
                    } else {
                        "Claude Code"
                    };
                    (who, c, false)
                }
                FileKind::McpConfig(Client::Gemini, _) => {
                    ("Gemini CLI", gemini_commands(root), false)
                }
                FileKind::McpConfig(Client::Codex, _) => {
                    let mut c = Vec::new();
                    if let Some(n) = root.get("notify") {
                        claude::push(&mut c, "notify", n, Route::root().key("notify"));
                    }
                    // Codex ignores `notify` in a project's `.codex/config.toml`; other
                    // copies (dotfiles) are a user's own configuration.
                    ("Codex", c, true)
                }
                FileKind::VsCodeTasks => ("VS Code", folder_open_tasks(path, root), false),
                FileKind::VsCodeSettings
                    if path.to_ascii_lowercase().ends_with(".code-workspace") =>
                {
                    ("VS Code", folder_open_tasks(path, root), false)
                }
                _ => return,
            };
            for c in commands {
                report(cx, file.scope, client, &c, ignored, path);
            }
        }
    }
}

fn report(
    cx: &mut Context<'_>,
    scope: Scope,
    client: &str,
    c: &Command<'_>,
    ignored: bool,
    path: &str,
) {
    let route = c.route.to_string();
    let span = c.node.span.clone();
    let project_codex = ignored && path.split('/').any(|s| s == ".codex");
    match assess(&c.text) {
        Risk::Dangerous(why) => {
            let sev = if scope == Scope::User || (ignored && !project_codex) {
                Severity::Medium
            } else {
                Severity::High
            };
            cx.report(
                span,
                &route,
                format!(
                    "{client} {} runs a command that {why}: `{}`",
                    c.what,
                    shorten(&c.text)
                ),
            )
            .severity(sev);
        }
        _ if scope == Scope::User || (ignored && !project_codex) => {}
        _ if ignored => {
            cx.report(
                span,
                &route,
                format!("{client} {} in project configuration runs `{}`; current Codex ignores it there, older releases may not", c.what, shorten(&c.text)),
            )
            .severity(Severity::Low);
        }
        Risk::Harmless => {
            cx.report(
                span,
                &route,
                format!(
                    "{client} {} runs `{}`, which only prints or notifies",
                    c.what,
                    shorten(&c.text)
                ),
            )
            .severity(Severity::Info);
        }
        Risk::RepoScript => {
            cx.report(
                span,
                &route,
                format!("{client} {} runs the repository's own script `{}`; review it like code that runs on every collaborator's machine", c.what, shorten(&c.text)),
            )
            .severity(Severity::Info);
        }
        Risk::Other => {
            cx.report(
                span,
                &route,
                format!(
                    "{client} {} in a shared file runs `{}` on every collaborator's machine",
                    c.what,
                    shorten(&c.text)
                ),
            );
        }
    }
}

/// At most 120 characters of a command for a message, cut on a character boundary.
fn shorten(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 120 {
        return one_line;
    }
    let mut out: String = one_line.chars().take(117).collect();
    out.push('…');
    out
}

fn gemini_commands(root: &Node) -> Vec<Command<'_>> {
    let mut out = claude::hook_commands(root);
    for (path, legacy) in [
        ("tools.discoveryCommand", "toolDiscoveryCommand"),
        ("tools.callCommand", "toolCallCommand"),
        ("mcp.serverCommand", "mcpServerCommand"),
    ] {
        for s in gemini::setting(root, path, Some(legacy)) {
            let what = s.route.to_string();
            claude::push(&mut out, &what, s.node, s.route);
        }
    }
    out
}

/// Tasks with `runOptions.runOn: "folderOpen"`: their command and arguments.
fn folder_open_tasks<'a>(path: &str, root: &'a Node) -> Vec<Command<'a>> {
    let mut out = Vec::new();
    let Some((obj, base)) = vscode::tasks_object(path, root) else {
        return out;
    };
    for (i, t) in obj
        .get("tasks")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let run_on = t.get("runOptions").and_then(|r| r.get("runOn"));
        if run_on.and_then(Node::as_str) != Some("folderOpen") {
            continue;
        }
        let tr = base.key("tasks").index(i);
        let label = t.get("label").and_then(Node::as_str).unwrap_or("(unnamed)");
        let (node, route) = match t.get("command") {
            Some(c) => (c, tr.key("command")),
            None => match run_on {
                Some(r) => (r, tr.key("runOptions").key("runOn")),
                None => continue,
            },
        };
        let mut text = match node.get("value") {
            Some(v) => claude::command_text(v),
            None => claude::command_text(node),
        };
        if t.get("command").is_none() {
            text = format!(
                "{} task",
                t.get("type").and_then(Node::as_str).unwrap_or("a")
            );
        }
        for a in t.get("args").map(Node::items).unwrap_or(&[]) {
            let a = a.get("value").unwrap_or(a);
            if let Some(s) = a.scalar_text() {
                text.push(' ');
                text.push_str(&s);
            }
        }
        out.push(Command {
            what: format!("task '{label}' (runs when the folder opens)"),
            node,
            route,
            text,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::json;

    #[test]
    fn shorten_keeps_char_boundaries() {
        let long = "é".repeat(300);
        let s = shorten(&long);
        assert_eq!(s.chars().count(), 118);
        assert_eq!(shorten("a\n  b"), "a b");
    }

    #[test]
    fn folder_open_tasks_only() {
        let text = r#"{"version":"2.0.0","tasks":[
            {"label":"a","command":"npm","args":["run",{"value":"dev"}],"runOptions":{"runOn":"folderOpen"}},
            {"label":"b","command":"x"},
            {"label":"c","type":"npm","script":"watch","runOptions":{"runOn":"folderOpen"}},
            {"label":"d","command":{"value":"make"},"runOptions":{"runOn":"default"}}]}"#;
        let doc = json::parse(text).expect("json");
        let t = folder_open_tasks(".vscode/tasks.json", &doc.roots[0]);
        let got: Vec<_> = t.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(got, ["npm run dev", "npm task"]);
    }
}
