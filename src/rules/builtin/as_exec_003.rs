//! AS-EXEC-003 (CrewAI YAML): an agent that runs the code its model writes. CrewAI's
//! `code_execution_mode` defaults to `safe` (a Docker container, falling back to a
//! restricted in-process interpreter when Docker is missing); `unsafe` runs the code
//! directly on the host with the agent's privileges and secrets.

use crate::classify::FileKind;
use crate::finding::Severity;
use crate::manifest::crewai::{self, lax_bool};
use crate::rules::{Context, Parsed, Rule};

pub struct HostCodeExecution;

impl Rule for HostCodeExecution {
    fn id(&self) -> &'static str {
        "AS-EXEC-003"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if file.kind == FileKind::CrewAi {
            crewai_agents(file, cx);
        }
    }
}

fn crewai_agents(file: &Parsed<'_>, cx: &mut Context<'_>) {
    for root in file.roots {
        for agent in crewai::agents(root) {
            let Some(allow) = agent.setting("allow_code_execution") else {
                continue;
            };
            if lax_bool(&allow.value) != Some(true) {
                continue;
            }
            let name = agent.name();
            let mode = agent.setting("code_execution_mode");
            let unsafe_mode = mode
                .and_then(|m| m.value.as_str())
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("unsafe"));
            match mode {
                Some(m) if unsafe_mode => {
                    cx.report(
                        m.value.span.clone(),
                        &agent.route().key(&m.key).to_string(),
                        format!(
                            "CrewAI agent '{name}' runs the code its model writes directly on the host (code_execution_mode: unsafe), with the agent's files, network and secrets"
                        ),
                    );
                }
                _ => {
                    cx.report(
                        allow.key_span.clone(),
                        &agent.route().key(&allow.key).to_string(),
                        format!(
                            "CrewAI agent '{name}' runs the code its model writes (allow_code_execution) in CrewAI's Docker mode, which falls back to a restricted in-process interpreter when Docker is unavailable; the feature is deprecated"
                        ),
                    )
                    .severity(Severity::Low);
                }
            }
        }
    }
}
