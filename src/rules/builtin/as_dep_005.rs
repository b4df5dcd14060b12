//! AS-DEP-005: agent containers that run as root, and (aggregated, low) those that
//! miss the other hardening items: a non-root user, a read-only root filesystem and
//! resource limits. Only agent and MCP containers are read (see
//! `containers::is_agent_words`); databases and proxies of the same stack are not.

use crate::classify::FileKind;
use crate::finding::Severity;
use crate::manifest::containers::{self, is_root_user, Container, Origin};
use crate::manifest::dockerfile;
use crate::rules::{Context, Parsed, Rule};

pub struct RootContainer;

impl Rule for RootContainer {
    fn id(&self) -> &'static str {
        "AS-DEP-005"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if file.kind == FileKind::Dockerfile {
            return dockerfile_user(file, cx);
        }
        for c in containers::of_document(file.kind, file.roots) {
            if c.is_agent() {
                container(&c, cx);
            }
        }
        for c in file.servers.iter().filter_map(containers::from_mcp) {
            if is_code_runner(&c.words) {
                code_runner(&c, cx);
            }
        }
    }
}

fn container(c: &Container, cx: &mut Context<'_>) {
    if let Some(u) = c.explicit_root() {
        cx.report(
            u.span.clone(),
            &u.route.to_string(),
            format!("{} runs agent software as user {}, which is root: a compromised tool owns everything in the container", c.owner, u.value),
        );
        return;
    }
    // Dev containers are interactive workspaces: only an explicit root user counts.
    if c.origin == Origin::Devcontainer {
        return;
    }
    let mut missing = Vec::new();
    let non_root = c.non_root == Some(true) || c.user.is_some();
    if !non_root {
        missing.push("a non-root user");
    }
    if !c.read_only_root {
        missing.push("a read-only root filesystem");
    }
    if !c.limits.memory {
        missing.push("a memory limit");
    }
    if c.origin == Origin::Compose && !c.limits.pids {
        missing.push("a PIDs limit");
    }
    if missing.is_empty() {
        return;
    }
    cx.report(
        c.anchor.span.clone(),
        &c.anchor.route.to_string(),
        format!("{} runs agent software without {}", c.owner, join(&missing)),
    )
    .severity(Severity::Low);
}

/// MCP servers that run code or commands: the catalog asks these for a full
/// sandbox on the `docker run` line.
fn is_code_runner(words: &str) -> bool {
    const RUNNERS: &[&str] = &[
        "code",
        "exec",
        "executor",
        "runner",
        "sandbox",
        "python",
        "shell",
        "bash",
        "jupyter",
        "interpreter",
        "terminal",
        "repl",
        "notebook",
    ];
    words
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| RUNNERS.contains(&t))
}

fn code_runner(c: &Container, cx: &mut Context<'_>) {
    if let Some(u) = c.explicit_root() {
        cx.report(
            u.span.clone(),
            &u.route.to_string(),
            format!("{} runs code as user {}, which is root", c.owner, u.value),
        );
        return;
    }
    let mut missing = Vec::new();
    if !c.read_only_root {
        missing.push("--read-only");
    }
    if c.user.is_none() {
        missing.push("--user");
    }
    if !c.limits.memory {
        missing.push("--memory");
    }
    if !c.limits.pids {
        missing.push("--pids-limit");
    }
    if !c.no_network {
        missing.push("--network none");
    }
    let Some(img) = c.image.as_ref().filter(|_| !missing.is_empty()) else {
        return;
    };
    cx.report(
        img.span.clone(),
        &img.route.to_string(),
        format!(
            "{} runs code in a container started without {}",
            c.owner,
            missing.join(", ")
        ),
    )
    .severity(Severity::Low);
}

fn join(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
    }
}

/// Agent images whose final stage sets no `USER`, or sets root.
fn dockerfile_user(file: &Parsed<'_>, cx: &mut Context<'_>) {
    let text = &file.source.text;
    if !containers::is_agent_dockerfile(&file.source.path, text, file.docker) {
        return;
    }
    let stages = dockerfile::stages(text, file.docker);
    let Some(last) = stages.last() else { return };
    match &last.user {
        Some((u, span)) if is_root_user(u) => {
            cx.report(
                span.clone(),
                "USER",
                format!("this agent image's final stage runs as {u}: a compromised tool owns everything in the container"),
            );
        }
        Some(_) => {}
        None => {
            // Images that already default to a non-root user.
            let image = last.from.image.to_ascii_lowercase();
            if image.contains("nonroot") || image.starts_with("cgr.dev/chainguard/") {
                return;
            }
            // A dev container's image is a workspace: its user is `remoteUser` in
            // devcontainer.json, read there.
            if file
                .source
                .path
                .split('/')
                .any(|seg| seg == ".devcontainer")
            {
                return;
            }
            let msg = if image == "scratch" {
                "this agent image's final stage is FROM scratch with no USER, so it runs as uid 0 (root)".to_string()
            } else {
                format!(
                    "this agent image sets no USER after FROM {}, so it runs as the base image's user, usually root",
                    last.from.image.split('@').next().unwrap_or("")
                )
            };
            cx.report(last.from.span.clone(), "FROM", msg);
        }
    }
}
