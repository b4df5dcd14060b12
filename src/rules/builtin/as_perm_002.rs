//! AS-PERM-002: allow rules that let the agent run any shell command, or any program of
//! an interpreter, network tool or privilege tool, without a prompt.

use crate::classify::{Client, FileKind};
use crate::finding::Severity;
use crate::manifest::{claude, gemini, vscode, Node, Span, Value};
use crate::rules::{Context, Parsed, Rule, Scope};

use super::shorten;

pub struct UnscopedShell;

/// Programs that run arbitrary code or reach the network or other privileges on
/// their own: allowing one of them with open arguments allows everything.
const OPEN_PROGRAMS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "fish",
    "dash",
    "ksh",
    "pwsh",
    "powershell",
    "cmd",
    "node",
    "deno",
    "bun",
    "ruby",
    "perl",
    "php",
    "npx",
    "bunx",
    "uvx",
    "pipx",
    "docker",
    "podman",
    "kubectl",
    "ssh",
    "scp",
    "curl",
    "wget",
    "nc",
    "ncat",
    "socat",
    "eval",
    "exec",
    "env",
    "xargs",
    "sudo",
    "su",
    "doas",
    "chmod",
    "chown",
    "rm",
    "dd",
    "osascript",
    "uv",
];

/// What an open-ended grant of `program` lets the agent do, for messages.
fn power(program: &str) -> &'static str {
    let first = program.split_whitespace().next().unwrap_or(program);
    match first {
        "curl" | "wget" | "nc" | "ncat" | "socat" | "ssh" | "scp" => "can send or fetch anything",
        "sudo" | "su" | "doas" | "chmod" | "chown" => {
            "can change permissions or run as another user"
        }
        "rm" | "dd" => "can destroy any file",
        "docker" | "podman" | "kubectl" => "can run anything with host or cluster access",
        "git" => "can publish anything",
        _ => "can run any code",
    }
}

/// Subcommands that keep a container or cluster tool open-ended.
const OPEN_SUBCOMMANDS: &[&str] = &["run", "exec", "apply", "create", "cp"];

/// What an allowed command prefix grants.
#[derive(Debug, PartialEq, Eq)]
enum Grant {
    /// Every command.
    Any,
    /// Every invocation of this program (or program and subcommand).
    Program(String),
}

fn is_python(w: &str) -> bool {
    let rest = w.strip_prefix("python").unwrap_or("-");
    rest.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Judges a command prefix such as `python`, `git push`, `docker run -v`, `*`.
fn grant(prefix: &str) -> Option<Grant> {
    let words: Vec<&str> = prefix.split_whitespace().collect();
    let Some(first) = words.first() else {
        return Some(Grant::Any);
    };
    let program = first.rsplit(['/', '\\']).next().unwrap_or(first);
    let program = program.trim_end_matches(".exe").to_ascii_lowercase();
    let rest = &words[1..];
    let flags_only = |ws: &[&str]| ws.iter().all(|w| w.starts_with('-') || w.starts_with('+'));
    if program == "git" {
        return (rest.first() == Some(&"push") && flags_only(&rest[1..]))
            .then(|| Grant::Program("git push".into()));
    }
    if !(OPEN_PROGRAMS.contains(&program.as_str()) || is_python(&program)) {
        return None;
    }
    let container = matches!(program.as_str(), "docker" | "podman" | "kubectl");
    if flags_only(rest) {
        return Some(Grant::Program(program));
    }
    if container
        && rest.first().is_some_and(|s| OPEN_SUBCOMMANDS.contains(s))
        && flags_only(&rest[1..])
    {
        return Some(Grant::Program(format!("{program} {}", rest[0])));
    }
    None
}

/// A Claude Code rule `Bash`, `Bash(spec)`, `PowerShell(spec)`: the grant it makes.
/// Without a trailing `*` a specifier matches one exact command, which is scoped.
fn claude_grant(rule: &str) -> Option<Grant> {
    let rule = rule.trim();
    let (tool, spec) = match rule.split_once('(') {
        Some((t, s)) => (t.trim(), Some(s.strip_suffix(')')?)),
        None => (rule, None),
    };
    if !matches!(tool, "Bash" | "PowerShell") {
        return None;
    }
    let Some(spec) = spec else {
        return Some(Grant::Any);
    };
    let open = spec.trim_end().ends_with('*');
    let prefix = spec
        .trim()
        .trim_end_matches('*')
        .trim_end_matches(':')
        .trim();
    if prefix
        .chars()
        .all(|c| c == '*' || c == ':' || c.is_whitespace())
    {
        return Some(Grant::Any);
    }
    if !open {
        return None;
    }
    grant(prefix)
}

/// A Gemini CLI `tools.allowed` entry: `run_shell_command` or `run_shell_command(git)`,
/// which allows every command starting with the given text.
fn gemini_grant(rule: &str) -> Option<Grant> {
    let rule = rule.trim();
    let (tool, spec) = match rule.split_once('(') {
        Some((t, s)) => (t.trim(), Some(s.strip_suffix(')')?)),
        None => (rule, None),
    };
    if !matches!(tool, "run_shell_command" | "ShellTool") {
        return None;
    }
    match spec {
        None => Some(Grant::Any),
        Some(s) => grant(s.trim()),
    }
}

fn raised(s: Severity) -> Severity {
    match s {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

struct Hit {
    span: Span,
    route: String,
    entry: String,
    grant: Grant,
}

impl Rule for UnscopedShell {
    fn id(&self) -> &'static str {
        "AS-PERM-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for root in file.roots {
            let (client, hits, exfil) = match file.kind {
                FileKind::ClaudeSettings => {
                    ("Claude Code", claude_hits(root), claude_webfetch(root))
                }
                FileKind::McpConfig(Client::Gemini, _) => ("Gemini CLI", gemini_hits(root), false),
                FileKind::VsCodeSettings | FileKind::Devcontainer => {
                    ("VS Code", vscode_hits(&file.source.path, root), false)
                }
                _ => return,
            };
            for h in hits {
                let (sev, what) = match &h.grant {
                    Grant::Any => (
                        if file.scope == Scope::Shared {
                            Severity::Critical
                        } else {
                            Severity::High
                        },
                        "every shell command".to_string(),
                    ),
                    Grant::Program(p) => (
                        Severity::High,
                        format!("any `{}` command, which {},", shorten(p), power(p)),
                    ),
                };
                let (sev, tail) = if exfil {
                    (
                        raised(sev),
                        "; unscoped WebFetch is allowed too, so results can be sent out",
                    )
                } else {
                    (sev, "")
                };
                cx.report(
                    h.span,
                    &h.route,
                    format!(
                        "{client} settings auto-approve `{}`: {what} runs without a prompt{tail}",
                        shorten(&h.entry)
                    ),
                )
                .severity(sev);
            }
        }
    }
}

fn claude_hits(root: &Node) -> Vec<Hit> {
    claude::permission_list(root, "allow")
        .into_iter()
        .filter_map(|(f, s)| {
            claude_grant(s).map(|grant| Hit {
                span: f.node.span.clone(),
                route: f.route.to_string(),
                entry: s.to_string(),
                grant,
            })
        })
        .collect()
}

fn claude_webfetch(root: &Node) -> bool {
    claude::permission_list(root, "allow").iter().any(|(_, s)| {
        matches!(
            s.trim(),
            "WebFetch" | "WebFetch(*)" | "WebFetch(domain:*)" | "WebFetch()"
        )
    })
}

fn gemini_hits(root: &Node) -> Vec<Hit> {
    let mut out = Vec::new();
    for s in gemini::setting(root, "tools.allowed", Some("allowedTools")) {
        for (i, item) in s.node.items().iter().enumerate() {
            let Some(text) = item.as_str() else { continue };
            if let Some(grant) = gemini_grant(text) {
                out.push(Hit {
                    span: item.span.clone(),
                    route: s.route.index(i).to_string(),
                    entry: text.to_string(),
                    grant,
                });
            }
        }
    }
    out
}

/// Terminal auto-approve keys: a command prefix, or `/regex/flags` tested against
/// each sub-command.
fn vscode_grant(key: &str) -> Option<Grant> {
    if let Some(body) = key.strip_prefix('/') {
        let (pattern, flags) = body.rsplit_once('/')?;
        let re = regex::RegexBuilder::new(pattern)
            .case_insensitive(flags.contains('i'))
            .size_limit(1 << 20)
            .build()
            .ok()?;
        if re.is_match("zq9x --some arbitrary command") {
            return Some(Grant::Any);
        }
        for (probe, program) in [
            ("python3 -c 'import os'", "python3"),
            ("bash -c 'id'", "bash"),
            ("sh -c id", "sh"),
            ("node -e 1", "node"),
            ("curl -s https://x.example", "curl"),
            ("rm -rf /", "rm"),
            ("npx some-package", "npx"),
        ] {
            if re.is_match(probe) {
                return Some(Grant::Program(program.into()));
            }
        }
        return None;
    }
    if key.trim().is_empty() {
        return Some(Grant::Any);
    }
    grant(key)
}

fn approves(v: &Node) -> bool {
    match &v.value {
        Value::Bool(b) => *b,
        Value::Object(_) => v.get("approve").and_then(Node::as_bool) == Some(true),
        _ => false,
    }
}

fn vscode_hits(path: &str, root: &Node) -> Vec<Hit> {
    let Some((obj, base)) = vscode::settings_object(path, root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // With auto-approval switched off in the same file the rules are inert.
    if vscode::lookup(obj, &base, "chat.tools.terminal.enableAutoApprove")
        .iter()
        .any(|s| s.node.as_bool() == Some(false))
    {
        return out;
    }
    for key in [
        "chat.tools.terminal.autoApprove",
        "chat.agent.terminal.autoApprove",
        "chat.agent.terminal.allowList",
        "github.copilot.chat.agent.terminal.allowList",
    ] {
        for s in vscode::lookup(obj, &base, key) {
            for e in s.node.entries() {
                if !approves(&e.value) {
                    continue;
                }
                if let Some(grant) = vscode_grant(&e.key) {
                    out.push(Hit {
                        span: e.key_span.clone(),
                        route: s.route.key(&e.key).to_string(),
                        entry: e.key.clone(),
                        grant,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_rules() {
        for r in ["Bash", "Bash(*)", "Bash(:*)", "Bash( * )", "PowerShell"] {
            assert_eq!(claude_grant(r), Some(Grant::Any), "{r}");
        }
        for (r, p) in [
            ("Bash(python:*)", "python"),
            ("Bash(python3.12 -c *)", "python3.12"),
            ("Bash(curl:*)", "curl"),
            ("Bash(git push:*)", "git push"),
            ("Bash(docker run:*)", "docker run"),
            ("Bash(/usr/bin/env *)", "env"),
        ] {
            assert_eq!(claude_grant(r), Some(Grant::Program(p.into())), "{r}");
        }
        for r in [
            "Bash(npm run test:*)",
            "Bash(git diff:*)",
            "Bash(python -m pytest:*)",
            "Bash(python)",
            "Bash(rm -rf dist)",
            "Read(./src/**)",
            "Bash(",
            "Bash(ü:*)",
            "",
        ] {
            assert_eq!(claude_grant(r), None, "{r}");
        }
    }

    #[test]
    fn gemini_and_vscode_keys() {
        assert_eq!(gemini_grant("run_shell_command"), Some(Grant::Any));
        assert_eq!(
            gemini_grant("run_shell_command(python3)"),
            Some(Grant::Program("python3".into()))
        );
        assert_eq!(gemini_grant("run_shell_command(git status)"), None);
        assert_eq!(vscode_grant("/.*/"), Some(Grant::Any));
        assert_eq!(vscode_grant("/^/i"), Some(Grant::Any));
        assert_eq!(
            vscode_grant("/^(python3?|node) /"),
            Some(Grant::Program("python3".into()))
        );
        assert_eq!(vscode_grant("/^git (status|diff)\\b/"), None);
        assert_eq!(vscode_grant("/(unclosed/"), None);
        assert_eq!(vscode_grant("bash"), Some(Grant::Program("bash".into())));
        assert_eq!(vscode_grant("npm run build"), None);
        assert_eq!(vscode_grant("*"), None);
    }

    /// Every rule, on settings-like files of every kind this rule family reads, with
    /// wrong types, odd characters and large values: no panic, spans inside the text.
    #[test]
    fn settings_rules_survive_odd_documents() {
        use crate::classify::Format;
        use crate::rules::{Parsed, Registry};
        use crate::source::SourceFile;
        let huge = "é".repeat(100_000);
        let docs = [
            "null".to_string(),
            "[]".to_string(),
            "\"x\"".to_string(),
            r#"{"permissions": "x", "hooks": [1, 2], "env": 3}"#.to_string(),
            r#"{"permissions": {"allow": {"a": 1}, "additionalDirectories": "~", "defaultMode": ["x"]}}"#.to_string(),
            r#"{"hooks": {"E": {"hooks": 5}, "F": [{"hooks": [{"type": 1, "command": {"a": 1}}]}]}}"#.to_string(),
            r#"{"permissions": {"allow": ["Bash(", "Bash()", "mcp__", "mcp____", "Bash(ü é:*)", "Bash(\u0000:*)"]}}"#.to_string(),
            r#"{"chat.tools.terminal.autoApprove": {"/": true, "//": true, "/(/": true, "/(a+)+$/": true, "": true, "ü": {"approve": "yes"}}}"#.to_string(),
            r#"{"chat": {"tools": {"terminal": 1, "edits": {"autoApprove": {"ü/.vscode": true}}}}, "settings": [], "tasks": {"tasks": [{"runOptions": {"runOn": "folderOpen"}}, 5]}}"#.to_string(),
            r#"{"tasks": [{"label": 1, "command": [], "args": [{"value": null}], "runOptions": {"runOn": "folderOpen"}, "hide": "true"}]}"#.to_string(),
            r#"{"general": {"defaultApprovalMode": 1}, "tools": {"allowed": "run_shell_command", "discoveryCommand": ["a", 1]}, "mcp": null}"#.to_string(),
            r#"{"customizations": {"vscode": {"settings": {"chat.tools.global.autoApprove": "true"}}}, "containerEnv": {"ANTHROPIC_BASE_URL": "://"}}"#.to_string(),
            format!(r#"{{"env": {{"ANTHROPIC_BASE_URL": "https://{huge}"}}, "apiKeyHelper": "{huge}", "permissions": {{"allow": ["Bash({huge}:*)"]}}}}"#),
        ];
        let kinds = [
            (".claude/settings.json", FileKind::ClaudeSettings),
            (".claude/settings.local.json", FileKind::ClaudeSettings),
            ("p/hooks/hooks.json", FileKind::ClaudeSettings),
            (
                ".gemini/settings.json",
                FileKind::McpConfig(Client::Gemini, Format::Json),
            ),
            (".vscode/settings.json", FileKind::VsCodeSettings),
            ("a.code-workspace", FileKind::VsCodeSettings),
            (".vscode/tasks.json", FileKind::VsCodeTasks),
            (".devcontainer/devcontainer.json", FileKind::Devcontainer),
        ];
        let registry = Registry::builtin().expect("rules");
        for text in &docs {
            let doc = crate::manifest::json::parse(text).expect("json");
            for (path, kind) in kinds {
                let source = SourceFile::new(path.into(), text.clone());
                let env = crate::manifest::env::bindings(kind, text, &doc.roots, &[]);
                let parsed = Parsed {
                    env,
                    ..Parsed::for_test(
                        &source,
                        kind,
                        std::path::Path::new("/nonexistent/.claude/settings.json"),
                        &doc.roots,
                    )
                };
                for f in registry.check(&parsed) {
                    assert!(f.primary.bytes.end <= text.len(), "{path}: {f:?}");
                    assert!(
                        f.message.chars().count() < 2000,
                        "{path}: long message from {}",
                        f.rule
                    );
                }
            }
        }
        let toml = [
            "notify = 1\nopenai_base_url = [1]\n[model_providers.x]\nbase_url = \"ftp://\"\n",
            "notify = [\"é\", {a = 1}]\n",
        ];
        for text in toml {
            let doc = crate::manifest::toml::parse(text).expect("toml");
            let source = SourceFile::new(".codex/config.toml".into(), text.into());
            let parsed = Parsed::for_test(
                &source,
                FileKind::McpConfig(Client::Codex, Format::Toml),
                std::path::Path::new("/nonexistent/.codex/config.toml"),
                &doc.roots,
            );
            for f in registry.check(&parsed) {
                assert!(f.primary.bytes.end <= text.len());
            }
        }
    }
}
