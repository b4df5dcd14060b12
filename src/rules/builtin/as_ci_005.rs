//! AS-CI-005: agent actions and CLIs that CI fetches by a movable name. A tag or
//! branch can be re-pointed by whoever controls the action's repository (tj-actions
//! in 2025), and the agent then runs their code with the job's token and secrets.

use crate::cmdline::{self, Word};
use crate::finding::Severity;
use crate::manifest::workflow::{agent_of, locate, workflows, Agent, Step};
use crate::rules::agent_cli::{by_package, strip_version};
use crate::rules::{Context, Parsed, Rule};

pub struct UnpinnedAgent;

impl Rule for UnpinnedAgent {
    fn id(&self) -> &'static str {
        "AS-CI-005"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for w in workflows(file) {
            for job in &w.jobs {
                let env_has = |name: &str| {
                    [w.env, job.env]
                        .iter()
                        .flatten()
                        .any(|e| e.get(name).is_some())
                };
                for step in &job.steps {
                    let agent = agent_of(step);
                    if let (Some(a), Some(u)) = (agent, &step.uses) {
                        if !u.pinned() {
                            let what = match u.git_ref {
                                Some(r) => format!("'{r}', a movable tag or branch"),
                                None => "no ref".into(),
                            };
                            let span = locate(cx.file, u.node, u.ref_range.clone());
                            let name = u.node.as_str().unwrap_or("");
                            cx.report(span, &step.route.key("uses").to_string(), format!(
                                "agent action '{name}' in job '{}' is pinned to {what}, not a commit SHA", job.id));
                        }
                        cli_version(cx, step, a, job.id, &env_has);
                    }
                    if let Some(run) = step.run {
                        installs(cx, step, run, job.id);
                    }
                }
            }
        }
    }
}

/// The agent CLI version an action installs when told none.
fn cli_version(
    cx: &mut Context<'_>,
    step: &Step<'_>,
    agent: Agent,
    job: &str,
    env_has: &dyn Fn(&str) -> bool,
) {
    let (input, cli) = match agent {
        Agent::CodexAction => ("codex-version", "@openai/codex"),
        Agent::GeminiAction => ("gemini_cli_version", "@google/gemini-cli"),
        _ => return,
    };
    let value = step.input_text(input);
    let step_env = step
        .env
        .is_some_and(|e| e.get("GEMINI_CLI_VERSION").is_some());
    if agent == Agent::GeminiAction && (step_env || env_has("GEMINI_CLI_VERSION")) {
        return;
    }
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() && v != "latest" && exact_version(v) => {}
        Some(v) if !v.is_empty() && v != "latest" && !v.starts_with(['^', '~', '>', '<', '*']) => {}
        _ => {
            let (span, route) = match (step.input(input), &step.uses) {
                (Some(e), _) => (e.value.span.clone(), step.route_of(input)),
                (None, Some(u)) => (u.node.span.clone(), step.route.key("uses").to_string()),
                (None, None) => return,
            };
            cx.report(span, &route, format!(
                "the agent step in job '{job}' installs the latest {cli} at each run (set `{input}` to an exact version)"));
        }
    }
}

fn exact_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `npm i -g`, `bun add -g`, `pnpm add -g` and `npx` of an agent CLI package
/// without an exact version.
fn installs(cx: &mut Context<'_>, step: &Step<'_>, run: &crate::manifest::Node, job: &str) {
    let mut seen: Vec<String> = Vec::new();
    for words in cmdline::split_string(&cx.file.text, run) {
        if !installer(&words) {
            continue;
        }
        for word in &words {
            let spec = word.text.as_str();
            let pkg = strip_version(spec);
            if by_package(spec).is_none() || seen.iter().any(|s| s == pkg) {
                continue;
            }
            seen.push(pkg.to_string());
            let version = spec.get(pkg.len() + 1..).unwrap_or("");
            // A version from a variable or expression is decided elsewhere.
            let variable = version.contains(['$', '{']);
            if !variable && !exact_version(version) {
                let span = word.sub_span(0..spec.len());
                let msg = if version.is_empty() {
                    format!("job '{job}' installs agent CLI '{pkg}' without a version, so each run takes whatever the registry serves")
                } else {
                    format!("job '{job}' installs agent CLI '{pkg}' at '{version}', a tag or range rather than an exact version")
                };
                cx.report(span, &step.route.key("run").to_string(), msg)
                    .severity(Severity::Medium);
            }
        }
    }
}

/// Whether a command installs or launches a package.
fn installer(words: &[Word]) -> bool {
    let has = |w: &str| words.iter().any(|x| x.text == w);
    (has("npm") && (has("i") || has("install") || has("add")))
        || ((has("bun") || has("pnpm") || has("yarn")) && (has("add") || has("install")))
        || has("npx")
        || has("bunx")
        || has("pnpx")
        || (has("npm") && has("exec"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmdline::{Dialect, Mapping};

    #[test]
    fn versions() {
        assert!(exact_version("1.2.3"));
        assert!(exact_version("0.1.0-beta.1"));
        assert!(!exact_version("1.2"));
        assert!(!exact_version("latest"));
        assert!(!exact_version("^1.2.3"));
        assert!(!exact_version(""));
    }

    #[test]
    fn installers() {
        let cmd = |t: &str| cmdline::split(t, &Mapping::Shift(0), Dialect::Shell).remove(0);
        assert!(installer(&cmd("npm install -g @openai/codex")));
        assert!(installer(&cmd("sudo npx -y @openai/codex exec")));
        assert!(!installer(&cmd("echo @openai/codex")));
    }
}
