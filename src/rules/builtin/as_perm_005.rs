//! AS-PERM-005: a coding agent started with a flag that skips its permission prompts
//! or sandbox, wherever a command line lives.

use std::collections::HashSet;

use crate::classify::FileKind;
use crate::cmdline::{command_lines, CommandLine};
use crate::finding::Severity;
use crate::manifest::{Node, Route};
use crate::rules::agent_cli::{dangerous_flags, invocation, Agent, AGENTS};
use crate::rules::{Context, Parsed, Rule};

pub struct PermissionSkippingFlags;

/// Workflow triggers that run on events anyone can cause (a fork's pull request, a
/// comment, an issue) while holding the repository's secrets and token.
const UNTRUSTED_TRIGGERS: &[&str] = &[
    "pull_request_target",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
    "pull_request_review_comment",
    "workflow_run",
];

impl Rule for PermissionSkippingFlags {
    fn id(&self) -> &'static str {
        "AS-PERM-005"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let container = matches!(
            file.kind,
            FileKind::Dockerfile
                | FileKind::Compose
                | FileKind::Kubernetes
                | FileKind::Devcontainer
        ) || (file.kind == FileKind::Shell && runs_in_container(&file.source.path));
        let untrusted = match file.kind {
            FileKind::Workflow => file.roots.iter().find_map(untrusted_trigger),
            _ => None,
        };
        let gated = gated_jobs(file.roots);
        let mut seen = HashSet::new();
        for line in command_lines(file) {
            let Some((agent, start, isolated)) = agent_of(&line) else {
                continue;
            };
            for found in dangerous_flags(agent, &line.words, start) {
                let span = found.span();
                if !seen.insert(span.clone()) {
                    continue;
                }
                let mut severity = found.flag.severity;
                let mut why = String::new();
                let is_gated = gated.iter().any(|g| line.route.starts_with(g.as_str()));
                if let Some(trigger) = untrusted.filter(|_| !is_gated) {
                    severity = raise(severity);
                    why = format!(
                        "; the workflow runs on `{trigger}`, so anyone who can open an issue or comment can steer it"
                    );
                } else if container || isolated {
                    severity = lower(severity);
                    why = "; it runs in a container, which bounds the damage to what the container holds".into();
                }
                let msg = format!(
                    "{} is started with `{}` in {}, which {}: instructions injected into anything it reads can run commands or change files unchecked{why}",
                    agent.name,
                    found.text(),
                    line.origin,
                    found.flag.effect,
                );
                cx.report(span, &format!("{}:{}", line.route, found.word.text), msg)
                    .severity(severity);
            }
        }
    }
}

/// Scripts that by their place run inside a container: container entrypoints and
/// the scripts of a devcontainer.
fn runs_in_container(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    name.contains("entrypoint")
        || lower.starts_with(".devcontainer/")
        || lower.contains("/.devcontainer/")
}

/// The agent a command line runs and where its arguments start.
fn agent_of(line: &CommandLine) -> Option<(&'static Agent, usize, bool)> {
    if let Some(name) = line.implied {
        let agent = AGENTS.iter().find(|a| a.name == name)?;
        return Some((agent, 0, false));
    }
    let inv = invocation(&line.words)?;
    Some((inv.agent, inv.args, inv.isolated))
}

/// Route prefixes of the jobs whose `if:` admits only known people (by author
/// association or actor name): an untrusted trigger does not reach their agent.
fn gated_jobs(roots: &[Node]) -> Vec<String> {
    let jobs = Route::root().key("jobs");
    roots
        .iter()
        .flat_map(|r| r.get("jobs").map(Node::entries).unwrap_or(&[]))
        .filter(|j| {
            j.value
                .get("if")
                .and_then(Node::as_str)
                .is_some_and(|cond| {
                    cond.contains("author_association")
                        || cond.contains("github.actor ==")
                        || cond.contains("github.actor==")
                })
        })
        .map(|j| format!("{}.", jobs.key(&j.key)))
        .collect()
}

/// The first untrusted trigger of a workflow's `on:` (a name, a list or a map).
fn untrusted_trigger(root: &Node) -> Option<&'static str> {
    let on = root.get("on")?;
    let names: Vec<&str> = match &on.value {
        crate::manifest::Value::String(s) => vec![s.as_str()],
        crate::manifest::Value::Array(items) => items.iter().filter_map(Node::as_str).collect(),
        crate::manifest::Value::Object(entries) => entries.iter().map(|e| e.key.as_str()).collect(),
        _ => Vec::new(),
    };
    UNTRUSTED_TRIGGERS
        .iter()
        .copied()
        .find(|t| names.contains(t))
}

fn raise(s: Severity) -> Severity {
    match s {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        _ => Severity::Critical,
    }
}

fn lower(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        _ => Severity::Info,
    }
}
