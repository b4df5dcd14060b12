//! AS-CI-004: agent actions told to accept requests from anyone. The actions refuse
//! actors without write access by default; these inputs switch that check off.

use crate::finding::Severity;
use crate::manifest::workflow::{agent_steps, workflows, Agent, Step};
use crate::rules::{Context, Parsed, Rule};

pub struct WildcardActors;

impl Rule for WildcardActors {
    fn id(&self) -> &'static str {
        "AS-CI-004"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for w in workflows(file) {
            for (job, step, agent) in agent_steps(&w) {
                let inputs: &[(&str, &str)] = match agent {
                    Agent::ClaudeAction => &[
                        ("allowed_non_write_users", "users without write access"),
                        ("allowed_bots", "bots"),
                    ],
                    Agent::CodexAction => &[
                        ("allow-users", "users without write access"),
                        ("allow-bots", "github-actions[bot]"),
                    ],
                    _ => continue,
                };
                for (input, who) in inputs {
                    check_input(cx, step, job.id, input, who);
                }
            }
        }
    }
}

fn check_input(cx: &mut Context<'_>, step: &Step<'_>, job: &str, input: &str, who: &str) {
    let Some(e) = step.input(input) else { return };
    let Some(text) = e.value.scalar_text() else {
        return;
    };
    let text = text.trim();
    let route = step.route_of(input);
    let span = e.value.span.clone();
    if input == "allow-bots" {
        if e.value.as_bool() == Some(true) {
            cx.report(span, &route, format!(
                "the agent in job '{job}' accepts runs started by {who}, which any workflow in the repository can trigger"))
                .severity(Severity::Medium);
        }
        return;
    }
    let entries: Vec<&str> = text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if input == "allowed_non_write_users"
        && !entries.is_empty()
        && step.input("github_token").is_none()
    {
        cx.report(span, &route, format!(
            "`{input}` in job '{job}' has no effect without `github_token`, but admits {who} as soon as one is added"))
            .severity(Severity::Info);
        return;
    }
    if entries.contains(&"*") {
        cx.report(span, &route, format!(
            "the agent in job '{job}' accepts requests from all {who} (`{input}: \"*\"`): anyone can start it and write its prompt"))
            .severity(Severity::High);
    } else if !entries.is_empty() {
        cx.report(span, &route, format!(
            "the agent in job '{job}' accepts requests from {} listed {who}, skipping the write-access check for them",
            entries.len()))
            .severity(Severity::Medium);
    }
}
