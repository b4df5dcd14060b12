//! AS-CI-001: an agent started by events outsiders control (issues, comments, fork
//! pull requests, workflow_run) while holding a write token or extra secrets.

use crate::finding::{Confidence, Location, Severity};
use crate::manifest::workflow::{
    actor_gated, agent_steps, cli_invocations, exposed_secrets, workflows, writes, Agent, Job,
    Step, Workflow,
};
use crate::rules::{Context, Parsed, Rule};

pub struct UntrustedTrigger;

/// Events whose payload or trigger is under an outsider's control and that run with
/// the base repository's token and secrets.
const UNTRUSTED: &[&str] = &[
    "pull_request_target",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
    "pull_request_review",
    "pull_request_review_comment",
    "workflow_run",
];

/// Scopes whose write access changes code, releases, packages or cloud identity.
/// `issues`, `pull-requests` and `discussions` only publish text.
const CODE_SCOPES: &[&str] = &[
    "*",
    "contents",
    "actions",
    "packages",
    "deployments",
    "id-token",
    "pages",
    "security-events",
    "checks",
    "statuses",
];

impl Rule for UntrustedTrigger {
    fn id(&self) -> &'static str {
        "AS-CI-001"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for w in workflows(file) {
            let events: Vec<&str> = w
                .triggers
                .iter()
                .map(|t| t.name)
                .filter(|n| UNTRUSTED.contains(n))
                .collect();
            if events.is_empty() {
                continue;
            }
            let mut seen_jobs = Vec::new();
            for (job, step, agent) in agent_steps(&w) {
                if seen_jobs.contains(&job.id) {
                    continue;
                }
                seen_jobs.push(job.id);
                check_job(&w, job, step, agent, &events, cx);
            }
        }
    }
}

/// The action refuses actors without write access unless told to admit everyone.
/// claude-code-action honours `allowed_non_write_users` only with `github_token` set.
fn builtin_check(step: &Step<'_>, agent: Agent) -> bool {
    let wildcard = |input: &str| step.input_text(input).is_some_and(|v| v.contains('*'));
    let token = step.input("github_token").is_some();
    match agent {
        Agent::ClaudeAction => {
            !(wildcard("allowed_bots") || (wildcard("allowed_non_write_users") && token))
        }
        Agent::CodexAction => !wildcard("allow-users"),
        _ => false,
    }
}

fn check_job(
    w: &Workflow<'_>,
    job: &Job<'_>,
    step: &Step<'_>,
    agent: Agent,
    events: &[&str],
    cx: &mut Context<'_>,
) {
    let on = events.join(", ");
    let head = w.trigger("pull_request_target").is_some() && checks_out_head(job, step);
    let perms = w.permissions_of(job);
    let grants = perms.map(writes).unwrap_or_default();
    let code: Vec<&str> = grants
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| CODE_SCOPES.contains(s))
        .collect();
    let text_only: Vec<&str> = grants
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| !CODE_SCOPES.contains(s))
        .collect();
    let secrets = exposed_secrets(w, job, step);
    // Who may start the agent is limited: by the job's `if:`, or by the action's own
    // write-access check left intact.
    let checked =
        actor_gated(job.condition) || actor_gated(step.condition) || builtin_check(step, agent);
    let strong: Vec<&str> = code.iter().copied().filter(|s| *s != "id-token").collect();
    let id_token = code.contains(&"id-token");
    let privileged = if head {
        Some((
            Severity::Critical,
            Confidence::High,
            "checks out the pull request's head first, handing fork code to an agent that holds the base repository's token and secrets".to_string(),
        ))
    } else if perms.is_none() {
        Some((
            Severity::High,
            Confidence::Medium,
            "sets no `permissions`, so it gets the default GITHUB_TOKEN (read/write unless the repository or organization restricts it)".to_string(),
        ))
    } else if !strong.is_empty() {
        Some((
            Severity::High,
            Confidence::High,
            format!("holds write access to {}", scopes(&strong)),
        ))
    } else {
        secrets.first().map(|s| {
            (
                Severity::High,
                Confidence::High,
                format!("can read the secret {}", secret_name(&s.name)),
            )
        })
    };
    // Write access that changes code, or secrets, is high even when only trusted
    // actors can start the agent: it still reads issues, comments and diffs others
    // wrote. `id-token: write` is how agent actions authenticate (their GitHub App
    // token, Bedrock, Vertex, workload identity), so alone it ranks with comment-only
    // access, which a membership check or the action's own check makes acceptable.
    let (sev, conf, why) = match privileged {
        Some(p) => p,
        None if checked => return,
        None if id_token => (
            Severity::Medium,
            Confidence::Medium,
            "can mint OIDC tokens (`id-token: write`), which agent actions exchange for their GitHub App token or cloud credentials".to_string(),
        ),
        None if !text_only.is_empty() => (
            Severity::Medium,
            Confidence::Medium,
            format!("can publish through write access to {}", scopes(&text_only)),
        ),
        None => (
            Severity::Medium,
            Confidence::Medium,
            "has a read-only token, yet injected instructions can still steer what it reads and what it outputs".to_string(),
        ),
    };
    let (span, route) = match (&step.uses, step.run) {
        (Some(u), _) => (u.node.span.clone(), step.route.key("uses")),
        (None, Some(r)) => {
            let calls = cli_invocations(&cx.file.text, r);
            let span = calls
                .first()
                .and_then(|c| c.agent_words().first())
                .map_or(r.span.clone(), |w| w.span.clone());
            (span, step.route.key("run"))
        }
        (None, None) => (job.key_span.clone(), job.route.clone()),
    };
    let mut related: Vec<Location> = w
        .triggers
        .iter()
        .filter(|t| events.contains(&t.name))
        .map(|t| labelled(cx, t.span.clone(), "untrusted trigger"))
        .collect();
    if let Some(p) = perms {
        let grant = grants
            .iter()
            .find(|(s, _)| CODE_SCOPES.contains(s))
            .or(grants.first())
            .map_or(p.key_span.clone(), |(_, sp)| sp.clone());
        related.push(labelled(cx, grant, "token permissions"));
    }
    let f = cx
        .report(
            span,
            &route.to_string(),
            format!(
                "job '{}' runs an AI agent on {on}, whose text anyone can write, and {why}",
                job.id
            ),
        )
        .severity(sev)
        .confidence(conf);
    f.related = related;
}

fn labelled(cx: &Context<'_>, span: crate::manifest::Span, label: &str) -> Location {
    let mut l = Location::new(cx.file, span);
    l.label = Some(label.to_string());
    l
}

/// An `actions/checkout` before the agent that fetches the pull request's head.
fn checks_out_head(job: &Job<'_>, agent: &Step<'_>) -> bool {
    job.steps
        .iter()
        .take_while(|s| s.route != agent.route)
        .filter(|s| {
            s.uses
                .as_ref()
                .is_some_and(|u| u.slug == "actions/checkout")
        })
        .filter_map(|s| s.input_text("ref"))
        .any(|r| {
            let r = r.replace(' ', "");
            r.contains("pull_request.head.sha")
                || r.contains("pull_request.head.ref")
                || r.contains("github.head_ref")
                || r.contains("refs/pull/")
        })
}

fn scopes(list: &[&str]) -> String {
    if list.contains(&"*") {
        return "every scope (write-all)".into();
    }
    list.join(", ")
}

fn secret_name(name: &str) -> String {
    if name == "*" {
        "set (toJSON(secrets) exposes all of them)".into()
    } else {
        format!("'{name}'")
    }
}
