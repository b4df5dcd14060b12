//! AS-PERM-008: settings committed to a repository that make the agent's client run a
//! command: hooks, credential and status helpers, tool discovery commands, Codex
//! `notify`, VS Code tasks that run when the folder opens.

use crate::classify::{Client, FileKind};
use crate::finding::Severity;
use crate::manifest::claude::{self, Command};
use crate::manifest::{gemini, vscode, Node, Route};
use crate::rules::commands::{assess, Risk};
use crate::rules::{Context, Parsed, Rule, Scope};

use super::shorten;

pub struct CommandSettings;

/// How a file's commands reach people.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Run by the client for everyone who opens the project.
    Shared,
    /// A user's own file: only attack patterns are worth a finding.
    Own,
    /// A project's `.codex/config.toml`, whose `notify` Codex ignores.
    IgnoredByClient,
    /// A VS Code task that starts by itself when the folder opens: even a script kept in
    /// the repository runs before anyone reads it, and hiding the task is a known lure.
    AutoRun,
}

impl Rule for CommandSettings {
    fn id(&self) -> &'static str {
        "AS-PERM-008"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let path = file.source.path.as_str();
        let shared = if file.scope == Scope::User {
            Mode::Own
        } else {
            Mode::Shared
        };
        for root in file.roots {
            let (client, commands, mode) = match file.kind {
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
                    (who, plain(c), shared)
                }
                FileKind::McpConfig(Client::Gemini, _) => {
                    ("Gemini CLI", plain(gemini_commands(root)), shared)
                }
                FileKind::McpConfig(Client::Codex, _) => {
                    let mut c = Vec::new();
                    if let Some(n) = root.get("notify") {
                        claude::push(&mut c, "notify", n, Route::root().key("notify"));
                    }
                    // Codex ignores `notify` in a project's `.codex/config.toml`; other
                    // copies (dotfiles) are a user's own configuration.
                    let mode = if path.split('/').any(|s| s == ".codex") {
                        Mode::IgnoredByClient
                    } else {
                        Mode::Own
                    };
                    ("Codex", plain(c), mode)
                }
                FileKind::VsCodeTasks => ("VS Code", folder_open_tasks(path, root), Mode::AutoRun),
                FileKind::VsCodeSettings
                    if path.to_ascii_lowercase().ends_with(".code-workspace") =>
                {
                    ("VS Code", folder_open_tasks(path, root), Mode::AutoRun)
                }
                _ => return,
            };
            for (c, hidden) in commands {
                report(cx, client, &c, mode, hidden);
            }
        }
    }
}

/// Commands of settings that are never hidden.
fn plain(commands: Vec<Command<'_>>) -> Vec<(Command<'_>, bool)> {
    commands.into_iter().map(|c| (c, false)).collect()
}

fn report(cx: &mut Context<'_>, client: &str, c: &Command<'_>, mode: Mode, hidden: bool) {
    let route = c.route.to_string();
    let span = c.node.span.clone();
    let cmd = shorten(&c.text);
    let what = &c.what;
    let risk = assess(&c.text);
    if let Risk::Dangerous(why) = risk {
        let sev = if mode == Mode::Own {
            Severity::Medium
        } else {
            Severity::High
        };
        cx.report(
            span,
            &route,
            format!("{client} {what} runs a command that {why}: `{cmd}`"),
        )
        .severity(sev);
        return;
    }
    match (mode, risk) {
        (Mode::Own, _) => {}
        (Mode::IgnoredByClient, _) => {
            cx.report(
                span,
                &route,
                format!("{client} {what} in project configuration runs `{cmd}`; current Codex ignores it there, older releases may not"),
            )
            .severity(Severity::Low);
        }
        (Mode::AutoRun, _) if hidden => {
            cx.report(
                span,
                &route,
                format!("{client} {what} runs `{cmd}` as soon as the folder is trusted, with its terminal hidden"),
            )
            .severity(Severity::High);
        }
        (Mode::AutoRun, _) => {
            cx.report(
                span,
                &route,
                format!("{client} {what} runs `{cmd}` on every collaborator's machine as soon as the folder is trusted"),
            );
        }
        (_, Risk::Harmless) => {
            cx.report(
                span,
                &route,
                format!("{client} {what} runs `{cmd}`, which only prints or notifies"),
            )
            .severity(Severity::Info);
        }
        (_, Risk::RepoScript) => {
            cx.report(
                span,
                &route,
                format!("{client} {what} runs the repository's own script `{cmd}`; review it like code that runs on every collaborator's machine"),
            )
            .severity(Severity::Info);
        }
        _ => {
            cx.report(
                span,
                &route,
                format!(
                    "{client} {what} in a shared file runs `{cmd}` on every collaborator's machine"
                ),
            );
        }
    }
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

/// Tasks with `runOptions.runOn: "folderOpen"`: their command and arguments, and whether
/// the task hides its terminal (`hide`, `presentation.reveal: "never"`).
fn folder_open_tasks<'a>(path: &str, root: &'a Node) -> Vec<(Command<'a>, bool)> {
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
        let hidden = t.get("hide").and_then(Node::as_bool) == Some(true)
            || t.get("presentation")
                .and_then(|p| p.get("reveal"))
                .and_then(Node::as_str)
                == Some("never");
        out.push((
            Command {
                what: format!("folder-open task '{label}'"),
                node,
                route,
                text,
            },
            hidden,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::json;

    #[test]
    fn folder_open_tasks_only() {
        let text = r#"{"version":"2.0.0","tasks":[
            {"label":"a","command":"npm","args":["run",{"value":"dev"}],"runOptions":{"runOn":"folderOpen"}},
            {"label":"b","command":"x"},
            {"label":"c","type":"npm","script":"watch","runOptions":{"runOn":"folderOpen"}},
            {"label":"d","command":{"value":"make"},"runOptions":{"runOn":"default"}}]}"#;
        let doc = json::parse(text).expect("json");
        let t = folder_open_tasks(".vscode/tasks.json", &doc.roots[0]);
        let got: Vec<_> = t.iter().map(|(c, _)| c.text.as_str()).collect();
        assert_eq!(got, ["npm run dev", "npm task"]);
    }
}
