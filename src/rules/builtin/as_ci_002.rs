//! AS-CI-002: issue, comment and pull request text pasted into an agent's prompt by
//! `${{ }}` interpolation. The text becomes instructions; inside `run:` it is also
//! shell code, since GitHub substitutes it before the shell parses the script.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::finding::Severity;
use crate::manifest::workflow::{
    agent_steps, cli_invocations, expressions, locate, strings, untrusted_expression, workflows,
    Job, Step, Workflow,
};
use crate::manifest::Node;
use crate::rules::{Context, Parsed, Rule};

pub struct PromptInterpolation;

/// Inputs that become the agent's prompt, instructions or command line.
const PROMPT_INPUTS: &[&str] = &[
    "prompt",
    "direct_prompt",
    "custom_instructions",
    "override_prompt",
    "system_prompt",
    "append_system_prompt",
    "claude_args",
    "codex-args",
];

impl Rule for PromptInterpolation {
    fn id(&self) -> &'static str {
        "AS-CI-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for w in workflows(file) {
            for (job, step, agent) in agent_steps(&w) {
                let tainted = tainted_env(&w, job, step);
                if agent.is_action() {
                    for name in PROMPT_INPUTS {
                        let Some(e) = step.input(name) else { continue };
                        for n in strings(&e.value) {
                            let what =
                                format!("input '{name}' of the agent step in job '{}'", job.id);
                            report_exprs(
                                cx,
                                n,
                                &step.route_of(name),
                                &what,
                                &tainted,
                                Severity::High,
                            );
                        }
                    }
                } else if let Some(run) = step.run {
                    let route = step.route.key("run").to_string();
                    let what = format!("the agent command in job '{}'", job.id);
                    report_exprs(cx, run, &route, &what, &tainted, Severity::Critical);
                    report_shell_vars(cx, run, &route, &what, &tainted);
                }
            }
        }
    }
}

/// Reports each `${{ }}` in `node` that reads event text directly or through a
/// tainted `env.NAME`.
fn report_exprs(
    cx: &mut Context<'_>,
    node: &Node,
    route: &str,
    what: &str,
    tainted: &BTreeMap<String, String>,
    sev: Severity,
) {
    let Some(text) = node.as_str() else { return };
    let shell = sev == Severity::Critical;
    for (range, inner) in expressions(text) {
        let source = if untrusted_expression(inner) {
            Some(format!("`{inner}`"))
        } else {
            inner
                .strip_prefix("env.")
                .and_then(|v| tainted.get(v.trim()))
                .map(|from| format!("`{inner}` (set from `{from}`)"))
        };
        let Some(source) = source else { continue };
        let span = locate(cx.file, node, range);
        let tail = if shell {
            "it is substituted into the script before the shell runs, so it is shell injection as well as prompt injection"
        } else {
            "whoever writes that text can give the agent instructions"
        };
        cx.report(span, route, format!("{what} interpolates {source}: {tail}"))
            .severity(sev);
    }
}

/// `$NAME` of a tainted environment variable on an agent command line: no shell
/// injection, but the text still reaches the prompt.
fn report_shell_vars(
    cx: &mut Context<'_>,
    run: &Node,
    route: &str,
    what: &str,
    tainted: &BTreeMap<String, String>,
) {
    for call in cli_invocations(&cx.file.text, run) {
        for (name, from) in tainted {
            let Some(span) = call
                .agent_words()
                .iter()
                .find_map(|w| find_var(&w.text, name).map(|r| w.sub_span(r)))
            else {
                continue;
            };
            cx.report(
                span,
                route,
                format!("{what} passes ${name} (set from `{from}`) to the agent: whoever writes that text can give the agent instructions"),
            )
            .severity(Severity::High);
        }
    }
}

/// `${NAME}` or `$NAME` (not a prefix of a longer name) in a command line.
fn find_var(text: &str, name: &str) -> Option<Range<usize>> {
    let braced = format!("${{{name}}}");
    if let Some(i) = text.find(&braced) {
        return Some(i..i + braced.len());
    }
    let plain = format!("${name}");
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|t| t.find(&plain)) {
        let (s, e) = (from + i, from + i + plain.len());
        let next = text.get(e..).and_then(|t| t.chars().next());
        if !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Some(s..e);
        }
        from = e;
    }
    None
}

/// Environment variables (workflow, job, step) whose value reads event text.
fn tainted_env(w: &Workflow<'_>, job: &Job<'_>, step: &Step<'_>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for env in [w.env, job.env, step.env].into_iter().flatten() {
        for e in env.entries() {
            let Some(v) = e.value.as_str() else { continue };
            if let Some((_, inner)) = expressions(v)
                .into_iter()
                .find(|(_, i)| untrusted_expression(i))
            {
                out.insert(e.key.clone(), inner.to_string());
            }
        }
    }
    out
}
