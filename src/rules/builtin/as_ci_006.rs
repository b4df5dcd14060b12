//! AS-CI-006: what an injected agent could take with it. Secrets beyond the model
//! provider's key reach the agent through its step's inputs or the environment it
//! inherits; `show_full_output` publishes every tool result in a public log.

use crate::finding::Severity;
use crate::manifest::workflow::{agent_steps, exposed_secrets, locate, workflows, Agent};
use crate::rules::{Context, Parsed, Rule};

pub struct AgentExposure;

impl Rule for AgentExposure {
    fn id(&self) -> &'static str {
        "AS-CI-006"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for w in workflows(file) {
            // Job and workflow env are reported once per file, not once per agent step.
            let mut seen = Vec::new();
            for (job, step, agent) in agent_steps(&w) {
                for s in exposed_secrets(&w, job, step) {
                    let key = (s.node.span.start, s.range.start);
                    if seen.contains(&key) {
                        continue;
                    }
                    seen.push(key);
                    let span = locate(cx.file, s.node, s.range.clone());
                    let what = if s.name == "*" {
                        "every repository secret (toJSON(secrets))".to_string()
                    } else {
                        format!("secret '{}'", s.name)
                    };
                    cx.report(span, &s.route.to_string(), format!(
                        "the agent step in job '{}' can read {what}, which it does not need to call its model; an injected prompt can exfiltrate it", job.id))
                        .severity(Severity::High);
                }
                if matches!(agent, Agent::ClaudeAction | Agent::ClaudeBaseAction) {
                    if let Some(e) = step.input("show_full_output") {
                        if e.value.as_bool() == Some(true) {
                            cx.report(e.value.span.clone(), &step.route_of("show_full_output"), format!(
                                "the agent step in job '{}' prints every message and tool result to the Actions log, which is public on public repositories and may hold secrets", job.id))
                                .severity(Severity::Medium);
                        }
                    }
                }
            }
        }
    }
}
