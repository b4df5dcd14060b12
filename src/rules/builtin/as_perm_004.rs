//! AS-PERM-004: Codex `config.toml` that turns off the sandbox or the approval
//! prompts, at the top level or in a profile. `-c key=value` overrides on command
//! lines are AS-PERM-005's.

use crate::classify::{Client, FileKind};
use crate::finding::Severity;
use crate::manifest::{Node, Route};
use crate::rules::{Context, Parsed, Rule};

use super::as_perm_006::broad;

pub struct CodexSandboxOff;

/// The two settings a profile inherits from the top level when it does not set them.
#[derive(Clone, Copy, Default)]
struct Effective<'a> {
    sandbox: Option<&'a str>,
    approval: Option<&'a str>,
}

impl Rule for CodexSandboxOff {
    fn id(&self) -> &'static str {
        "AS-PERM-004"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if !matches!(file.kind, FileKind::McpConfig(Client::Codex, _)) {
            return;
        }
        for root in file.roots {
            let top_name = if file.source.path.contains(".codex/agents/") {
                "in this custom agent"
            } else {
                "at the top level"
            };
            let top = scope(cx, root, &Route::root(), top_name, Effective::default());
            let profiles = Route::root().key("profiles");
            for p in root.get("profiles").map(Node::entries).unwrap_or(&[]) {
                scope(
                    cx,
                    &p.value,
                    &profiles.key(&p.key),
                    &format!("in profile `{}`", p.key),
                    top,
                );
            }
            projects(cx, root);
            environment(cx, root);
        }
    }
}

/// Checks one scope (the top level or a profile) and returns what it leaves in effect.
fn scope<'a>(
    cx: &mut Context<'_>,
    node: &'a Node,
    route: &Route,
    name: &str,
    parent: Effective<'a>,
) -> Effective<'a> {
    let sandbox = node.get("sandbox_mode");
    let approval = node.get("approval_policy");
    let eff = Effective {
        sandbox: sandbox.and_then(Node::as_str).or(parent.sandbox),
        approval: approval.and_then(Node::as_str).or(parent.approval),
    };
    let never = eff.approval == Some("never");
    if let Some(s) = sandbox.filter(|s| s.as_str() == Some("danger-full-access")) {
        let (sev, extra) = if never {
            (Severity::Critical, " and `approval_policy` is `never`, so nothing stands between a prompt injection and the machine")
        } else {
            (
                Severity::High,
                ": commands the model writes run with the user's full file and network access",
            )
        };
        cx.report(
            s.span.clone(),
            &route.key("sandbox_mode").to_string(),
            format!(
                "Codex `sandbox_mode = \"danger-full-access\"` {name} turns the sandbox off{extra}"
            ),
        )
        .severity(sev);
    } else if let Some(a) = approval.filter(|a| a.as_str() == Some("never")) {
        let msg = match eff.sandbox {
            Some("danger-full-access") => Some((
                Severity::Critical,
                "while the sandbox is off (`danger-full-access`), so nothing stands between a prompt injection and the machine",
            )),
            Some("workspace-write") => Some((
                Severity::Medium,
                "with `workspace-write`: the model edits the workspace and runs commands there without a prompt",
            )),
            _ => None,
        };
        if let Some((sev, why)) = msg {
            cx.report(
                a.span.clone(),
                &route.key("approval_policy").to_string(),
                format!(
                    "Codex `approval_policy = \"never\"` {name} never asks before acting, {why}"
                ),
            )
            .severity(sev);
        }
    }
    if let Some(n) = node
        .get("sandbox_workspace_write")
        .and_then(|w| w.get("network_access"))
        .filter(|n| n.as_bool() == Some(true))
    {
        cx.report(
            n.span.clone(),
            &route.key("sandbox_workspace_write").key("network_access").to_string(),
            format!("Codex `[sandbox_workspace_write] network_access = true` {name} lets sandboxed commands reach the network, an exfiltration channel for anything the agent can read"),
        )
        .severity(Severity::Medium);
    }
    eff
}

/// `[projects."<path>"] trust_level = "trusted"` on the root or a home directory
/// trusts every repository below it.
fn projects(cx: &mut Context<'_>, root: &Node) {
    let r = Route::root().key("projects");
    for p in root.get("projects").map(Node::entries).unwrap_or(&[]) {
        let Some(t) = p
            .value
            .get("trust_level")
            .filter(|t| t.as_str() == Some("trusted"))
        else {
            continue;
        };
        if broad(&p.key) == Some(true) {
            cx.report(
                t.span.clone(),
                &r.key(&p.key).key("trust_level").to_string(),
                format!("Codex trusts `{}`, the root, a home or a system directory: every project below it gets the trusted defaults, including repositories cloned from strangers", p.key),
            )
            .severity(Severity::Medium);
        }
    }
}

/// `inherit = "all"` (the default) with no filter passes the whole environment,
/// credentials included, to every command the model runs. Codex filters names with
/// KEY, SECRET or TOKEN unless `ignore_default_excludes = true`; which of the two is
/// the default has changed between releases, so only an explicit setting is read.
fn environment(cx: &mut Context<'_>, root: &Node) {
    let Some(policy) = root.get("shell_environment_policy") else {
        return;
    };
    let inherit = policy.get("inherit");
    if inherit.is_some_and(|n| n.as_str() != Some("all")) {
        return;
    }
    let filtered = ["exclude", "include_only"]
        .iter()
        .any(|k| policy.get(k).is_some_and(|n| !n.items().is_empty()));
    if filtered {
        return;
    }
    let ignore = policy.get("ignore_default_excludes");
    let (node, route, msg) = match (ignore.filter(|n| n.as_bool() == Some(true)), inherit) {
        (Some(n), _) => (
            n,
            "shell_environment_policy.ignore_default_excludes",
            "Codex `shell_environment_policy` inherits the whole environment with `ignore_default_excludes = true` and no `exclude` or `include_only`: tokens and keys reach every command the model runs",
        ),
        (None, Some(n)) if ignore.and_then(Node::as_bool) != Some(false) => (
            n,
            "shell_environment_policy.inherit",
            "Codex `shell_environment_policy.inherit = \"all\"` without `exclude` or `include_only` passes the whole environment to commands the model runs; only the built-in KEY/SECRET/TOKEN name filter, where enabled, holds credentials back",
        ),
        _ => return,
    };
    cx.report(node.span.clone(), route, msg)
        .severity(Severity::Info);
}
