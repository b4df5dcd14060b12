//! AS-CI-003: an agent in CI allowed every shell command, or run outside its sandbox.
//! A CI runner holds the repository token and the provider key; an agent steered by
//! injected text and allowed arbitrary commands can read and send both.

use std::ops::Range;

use crate::cmdline::{self, Word};
use crate::finding::{Confidence, Severity};
use crate::manifest::workflow::{agent_steps, cli_invocations, locate, workflows, Agent, Step};
use crate::manifest::{Node, Span};
use crate::rules::{Context, Parsed, Rule};

pub struct BroadAgentTools;

impl Rule for BroadAgentTools {
    fn id(&self) -> &'static str {
        "AS-CI-003"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for w in workflows(file) {
            for (job, step, agent) in agent_steps(&w) {
                let job = job.id;
                match agent {
                    Agent::ClaudeAction | Agent::ClaudeBaseAction => claude(cx, step, job),
                    Agent::CodexAction => codex(cx, step, job),
                    Agent::GeminiAction => gemini(cx, step, job, file.abs),
                    Agent::OtherAction => {}
                    Agent::Cli(_) => cli(cx, step, job),
                }
            }
        }
    }
}

fn report(
    cx: &mut Context<'_>,
    step: &Step<'_>,
    input: &str,
    node: &Node,
    range: Option<Range<usize>>,
    msg: String,
) {
    let span = match range {
        Some(r) => locate(cx.file, node, r),
        None => node.span.clone(),
    };
    cx.report(span, &step.route_of(input), msg);
}

fn claude(cx: &mut Context<'_>, step: &Step<'_>, job: &str) {
    if let Some(e) = step.input("allowed_tools") {
        if let Some(text) = e.value.as_str() {
            for r in unscoped_bash(text, 0) {
                report(cx, step, "allowed_tools", &e.value, Some(r), format!(
                    "the agent in job '{job}' may run any shell command (`Bash` without a command pattern)"));
            }
        }
    }
    if let Some(e) = step.input("claude_args") {
        for words in cmdline::split_string(&cx.file.text, &e.value) {
            for span in unscoped_allowed_bash(&cx.file.text, &words) {
                cx.report(span, &step.route_of("claude_args"), format!(
                    "the agent in job '{job}' may run any shell command (`Bash` without a command pattern in --allowedTools)"));
            }
        }
    }
    if let Some(e) = step.input("settings") {
        if let Some(text) = e.value.as_str() {
            if let Some(i) = text.find("bypassPermissions") {
                report(cx, step, "settings", &e.value, Some(i..i + 17), format!(
                    "the agent in job '{job}' runs in bypassPermissions mode: every tool call, shell commands included, runs without a check"));
            }
        }
    }
}

/// Unscoped `Bash` in the `--allowedTools` values of a Claude Code command line,
/// as file spans in `file`. The list runs to the next option, as the CLI reads it.
/// Bypass flags on the same line are AS-PERM-005's.
fn unscoped_allowed_bash(file: &str, words: &[Word]) -> Vec<Span> {
    const LIST: [&str; 2] = ["--allowedTools", "--allowed-tools"];
    let mut out = Vec::new();
    let mut in_list = false;
    for w in words {
        let t = w.text.as_str();
        if t.starts_with('-') {
            in_list = LIST.contains(&t);
            if let Some(v) = LIST
                .iter()
                .find_map(|f| t.strip_prefix(f).and_then(|r| r.strip_prefix('=')))
            {
                let base = t.len() - v.len();
                out.extend(unscoped_bash(v, base).into_iter().map(|r| w.sub_span(r)));
            }
        } else if in_list {
            // An unquoted `Bash(gh:*)` ends the shell word at `(`: the pattern follows.
            let scoped = file.get(w.span.end..).is_some_and(|r| r.starts_with('('));
            if !scoped {
                out.extend(unscoped_bash(t, 0).into_iter().map(|r| w.sub_span(r)));
            }
        }
    }
    out
}

/// `Bash`, `Bash(*)` or `Bash(:*)` entries of a tool list (commas, spaces, quotes),
/// as ranges offset by `base`.
fn unscoped_bash(list: &str, base: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in list
        .char_indices()
        .chain(std::iter::once((list.len(), ',')))
    {
        if matches!(c, ',' | ' ' | '\n' | '"' | '\'' | '=') {
            let tok = list.get(start..i).unwrap_or("");
            if matches!(tok, "Bash" | "Bash(*)" | "Bash(:*)" | "Bash(*:*)") {
                out.push(base + start..base + i);
            }
            start = i + c.len_utf8();
        }
    }
    out
}

fn codex(cx: &mut Context<'_>, step: &Step<'_>, job: &str) {
    if let Some(e) = step.input("sandbox") {
        if e.value.as_str() == Some("danger-full-access") {
            report(cx, step, "sandbox", &e.value, None, format!(
                "Codex in job '{job}' runs with sandbox danger-full-access: no filesystem or network isolation"));
        }
    }
    if let Some(e) = step.input("safety-strategy") {
        match e.value.as_str() {
            Some("unsafe") => report(cx, step, "safety-strategy", &e.value, None, format!(
                "Codex in job '{job}' runs with safety-strategy unsafe: it keeps sudo and can read the API key from memory")),
            Some("read-only") => {
                report(cx, step, "safety-strategy", &e.value, None, format!(
                    "Codex in job '{job}' runs with safety-strategy read-only: it cannot write, but keeps the runner user's sudo and can read the API key from memory"));
                if let Some(f) = cx.findings.last_mut() {
                    f.severity(Severity::Low).confidence(Confidence::Medium);
                }
            }
            _ => {}
        }
    }
}

/// run-gemini-cli always starts Gemini CLI with `--yolo`, so its settings are the
/// only limit on what the agent runs: the `settings` input, or without it the
/// repository's own `.gemini/settings.json`.
fn gemini(cx: &mut Context<'_>, step: &Step<'_>, job: &str, abs: &std::path::Path) {
    let input = step.input("settings");
    let text = match input.and_then(|e| e.value.as_str()) {
        Some(t) => t.to_string(),
        None => repo_settings(abs).unwrap_or_default(),
    };
    let allow = gemini_allowlist(&text);
    match (allow, input) {
        (Allowlist::Scoped, _) => {}
        (Allowlist::AnyShell(r), Some(e)) => {
            report(cx, step, "settings", &e.value, Some(r), format!(
                "Gemini CLI in job '{job}' runs with --yolo and may run any shell command (run_shell_command without a command prefix)"));
        }
        (Allowlist::AnyShell(_), None) | (Allowlist::None, _) => {
            let (span, route) = match (input, &step.uses) {
                (Some(e), _) => (e.value.span.clone(), step.route_of("settings")),
                (None, Some(u)) => (u.node.span.clone(), step.route.key("uses").to_string()),
                (None, None) => return,
            };
            cx.report(span, &route, format!(
                "Gemini CLI in job '{job}' runs with --yolo and no core-tool allowlist (tools.core), so every tool, shell commands included, runs without confirmation"));
        }
    }
}

enum Allowlist {
    /// `tools.core` (or `coreTools`) without an unscoped shell.
    Scoped,
    /// The allowlist names `run_shell_command` bare: range in the settings text.
    AnyShell(Range<usize>),
    None,
}

fn gemini_allowlist(text: &str) -> Allowlist {
    let Some(root) = crate::manifest::json::parse(text)
        .ok()
        .and_then(|d| d.roots.into_iter().next())
    else {
        return Allowlist::None;
    };
    let tools = root.get("tools");
    let core = tools.and_then(|t| t.get("core")).or(root.get("coreTools"));
    let Some(core) = core.filter(|c| c.is_array()) else {
        return Allowlist::None;
    };
    let exclude = tools
        .and_then(|t| t.get("exclude"))
        .or(root.get("excludeTools"));
    let shell_excluded = exclude.is_some_and(|x| {
        x.items()
            .iter()
            .any(|i| i.as_str() == Some("run_shell_command"))
    });
    match core
        .items()
        .iter()
        .find(|i| i.as_str() == Some("run_shell_command"))
    {
        Some(item) if !shell_excluded => Allowlist::AnyShell(item.span.clone()),
        _ => Allowlist::Scoped,
    }
}

/// `.gemini/settings.json` at the root of the repository holding the workflow.
fn repo_settings(abs: &std::path::Path) -> Option<String> {
    let path = crate::manifest::project::workflow_root(abs)?
        .join(".gemini")
        .join("settings.json");
    let len = std::fs::metadata(&path).ok()?.len();
    (len < 1 << 20).then(|| std::fs::read_to_string(path).ok())?
}

/// Unscoped `Bash` in `--allowedTools` of a `claude` call in a `run:` script.
fn cli(cx: &mut Context<'_>, step: &Step<'_>, job: &str) {
    let Some(run) = step.run else { return };
    let route = step.route.key("run").to_string();
    for call in cli_invocations(&cx.file.text, run) {
        if call.name != "claude" {
            continue;
        }
        let found = unscoped_allowed_bash(&cx.file.text, call.agent_words());
        if let Some(span) = found.into_iter().next() {
            cx.report(
                span,
                &route,
                format!("the `claude` agent in job '{job}' may run any shell command (`Bash` without a command pattern in --allowedTools)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmdline::{Dialect, Mapping};

    #[test]
    fn bash_entries() {
        assert_eq!(unscoped_bash("Read,Bash,Bash(git:*)", 0), vec![5..9]);
        assert_eq!(unscoped_bash("\"Bash(*)\" Edit", 0), vec![1..8]);
        assert!(unscoped_bash("Bash(npm test)", 0).is_empty());
        assert!(unscoped_bash("", 0).is_empty());
    }

    #[test]
    fn claude_args() {
        let found = |t: &str| -> Vec<String> {
            let words = cmdline::split(t, &Mapping::Shift(0), Dialect::Shell).remove(0);
            unscoped_allowed_bash(t, &words)
                .into_iter()
                .map(|s| t[s].to_string())
                .collect()
        };
        assert_eq!(
            found("claude --allowedTools \"Read,Bash\" --model x"),
            ["Bash"]
        );
        assert_eq!(found("claude '--allowedTools=Bash(*),Read'"), ["Bash(*)"]);
        // Quoted around part of the word: the whole word is the location.
        assert_eq!(
            found("claude --allowedTools='Bash(*)'"),
            ["--allowedTools='Bash(*)'"]
        );
        assert_eq!(found("claude --allowed-tools Read Bash -p x"), ["Bash"]);
        assert!(found("claude --permission-mode bypassPermissions").is_empty());
        assert!(found("claude --permission-mode acceptEdits --allowedTools Bash(gh:*)").is_empty());
        assert!(found("claude --dangerously-skip-permissions -p Bash").is_empty());
    }

    #[test]
    fn gemini_flags() {
        let allow = |t: &str| match gemini_allowlist(t) {
            Allowlist::Scoped => "scoped",
            Allowlist::AnyShell(_) => "shell",
            Allowlist::None => "none",
        };
        assert_eq!(
            allow(r#"{"tools":{"core":["run_shell_command(gh)"]}}"#),
            "scoped"
        );
        assert_eq!(
            allow(r#"{"tools":{"core":["run_shell_command"]}}"#),
            "shell"
        );
        assert_eq!(
            allow(r#"{"coreTools":["run_shell_command"],"excludeTools":["run_shell_command"]}"#),
            "scoped"
        );
        assert_eq!(
            allow(r#"{"tools":{"exclude":["run_shell_command"]}}"#),
            "none"
        );
        assert_eq!(allow("not json"), "none");
        assert_eq!(allow(""), "none");
    }
}
