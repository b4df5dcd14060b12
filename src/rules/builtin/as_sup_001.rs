//! AS-SUP-001: an MCP server launched from a package or repository that is not pinned,
//! so each start may run different code.

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Severity;
use crate::manifest::mcp::{Field, McpServer};
use crate::rules::commands::fetch_exec_patterns;
use crate::rules::launch::{package_position, spec_in, Ecosystem};
use crate::rules::{Context, Parsed, Rule};

pub struct UnpinnedSource;

impl Rule for UnpinnedSource {
    fn id(&self) -> &'static str {
        "AS-SUP-001"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for s in &file.servers {
            check_server(s, cx);
        }
    }
}

/// The words of the command line with the field each came from.
fn words<'s, 'a>(s: &'s McpServer<'a>) -> Vec<(String, &'s Field<'a>)> {
    s.command
        .iter()
        .chain(s.args.iter())
        .map(|f| (f.text(), f))
        .collect()
}

fn check_server(s: &McpServer<'_>, cx: &mut Context<'_>) {
    let w = words(s);
    if let Some((i, f)) = pipe_to_shell(&w) {
        cx.report(
            f.node.span.clone(),
            &f.route.to_string(),
            format!(
                "MCP server '{}' downloads a script and runs it in a shell (`{}`)",
                s.name, w[i].0
            ),
        )
        .severity(Severity::Critical);
        return;
    }
    let texts: Vec<&str> = w.iter().map(|(t, _)| t.as_str()).collect();
    let Some((eco, launcher, spec_at, yes)) = package_position(&texts) else {
        return;
    };
    let (word, field) = (&w[spec_at].0, w[spec_at].1);
    let (spec, offset) = spec_in(word);
    if spec.starts_with('.') || spec.starts_with('/') || spec.starts_with('~') || spec.is_empty() {
        return; // a local path, not a package
    }
    let route = field.route.to_string();
    let span = if offset > 0 {
        super::sub_span(cx.file, field.node, offset..word.len())
    } else {
        field.node.span.clone()
    };
    match classify_spec(eco, spec) {
        Spec::Pinned => {}
        Spec::Vcs => {
            cx.report(span, &route, format!(
                "MCP server '{}' runs `{spec}` from a repository or URL without a commit hash; the code can change under you",
                s.name
            ))
            .severity(Severity::High);
        }
        Spec::Unpinned(why) => {
            let unscoped = eco == Ecosystem::Npm && !spec.starts_with('@');
            let sev = if yes && unscoped {
                Severity::High
            } else {
                Severity::Medium
            };
            cx.report(span, &route, format!(
                "MCP server '{}' runs `{spec}` through {launcher} {why}; every start installs whatever the registry serves",
                s.name
            ))
            .severity(sev);
        }
    }
}

/// `bash -c "curl … | sh"` and the other download-and-execute spellings.
fn pipe_to_shell<'s, 'a>(w: &[(String, &'s Field<'a>)]) -> Option<(usize, &'s Field<'a>)> {
    static RE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        fetch_exec_patterns()
            .iter()
            .map(|p| Regex::new(&format!("(?i){p}")).expect("static regex"))
            .collect()
    });
    w.iter()
        .enumerate()
        .find(|(_, (t, _))| RE.iter().any(|re| re.is_match(t)))
        .map(|(i, (_, f))| (i, *f))
}

enum Spec {
    Pinned,
    Vcs,
    Unpinned(&'static str),
}

fn classify_spec(eco: Ecosystem, spec: &str) -> Spec {
    static SEMVER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$").expect("static regex")
    });
    static COMMIT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[#@][0-9a-f]{40}\b").expect("static regex"));
    let lower = spec.to_ascii_lowercase();
    let vcs = lower.starts_with("git+")
        || lower.starts_with("github:")
        || lower.starts_with("gitlab:")
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("git://")
        || (eco == Ecosystem::Npm
            && !spec.starts_with('@')
            && spec.contains('/')
            && !spec.contains('@'));
    if vcs {
        return if COMMIT.is_match(&lower) {
            Spec::Pinned
        } else {
            Spec::Vcs
        };
    }
    let spec = spec
        .strip_prefix("npm:")
        .or_else(|| spec.strip_prefix("jsr:"))
        .unwrap_or(spec);
    let version = match eco {
        Ecosystem::Python => spec
            .split_once("==")
            .map(|(_, v)| v)
            .or_else(|| spec.split_once('@').map(|(_, v)| v)),
        _ => {
            let body = spec.strip_prefix('@').unwrap_or(spec);
            body.split_once('@').map(|(_, v)| v)
        }
    };
    match version {
        None if eco == Ecosystem::Python
            && ["<", ">", "~=", "!="].iter().any(|op| spec.contains(op)) =>
        {
            Spec::Unpinned("with a version range")
        }
        None => Spec::Unpinned("without a version"),
        Some(v) if SEMVER.is_match(v) || (eco == Ecosystem::Python && is_pep440_exact(v)) => {
            Spec::Pinned
        }
        Some("latest" | "next" | "canary" | "beta") => Spec::Unpinned("at a moving tag"),
        Some(_) => Spec::Unpinned("with a version range"),
    }
}

fn is_pep440_exact(v: &str) -> bool {
    !v.is_empty()
        && v.chars().next().is_some_and(|c| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '!')
        && !v.contains('*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pinned(eco: Ecosystem, s: &str) -> bool {
        matches!(classify_spec(eco, s), Spec::Pinned)
    }

    #[test]
    fn npm_specs() {
        assert!(pinned(Ecosystem::Npm, "@acme/mcp@1.4.2"));
        assert!(pinned(Ecosystem::Npm, "mcp-remote@0.1.18"));
        assert!(!pinned(Ecosystem::Npm, "@acme/mcp"));
        assert!(!pinned(Ecosystem::Npm, "mcp-remote@latest"));
        assert!(!pinned(Ecosystem::Npm, "x@^1.2.3"));
        assert!(matches!(
            classify_spec(Ecosystem::Npm, "github:o/r"),
            Spec::Vcs
        ));
        assert!(matches!(classify_spec(Ecosystem::Npm, "o/r"), Spec::Vcs));
        assert!(pinned(
            Ecosystem::Npm,
            "github:o/r#0123456789abcdef0123456789abcdef01234567"
        ));
    }

    #[test]
    fn python_specs() {
        assert!(pinned(Ecosystem::Python, "mcp-server-fetch==2025.4.7"));
        assert!(pinned(Ecosystem::Python, "mcp-server-fetch@2025.4.7"));
        assert!(!pinned(Ecosystem::Python, "mcp-server-fetch"));
        assert!(!pinned(Ecosystem::Python, "mcp-server-fetch>=1"));
        assert!(matches!(
            classify_spec(Ecosystem::Python, "git+https://github.com/o/r"),
            Spec::Vcs
        ));
    }
}
