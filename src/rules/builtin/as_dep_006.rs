//! AS-DEP-006: Kubernetes RBAC that gives an agent workload more than it needs.
//! Rules see one file at a time, so the join of workloads, service accounts, roles
//! and bindings is made inside a manifest stream; a role or binding counts as the
//! agent's when its name, a bound service account or a workload in the same stream
//! is agent-like (see `containers::is_agent_words`).

use std::collections::HashSet;

use crate::classify::FileKind;
use crate::finding::Severity;
use crate::manifest::containers::{is_agent_words, Text};
use crate::manifest::kube::{self, Binding, PolicyRule};
use crate::rules::{Context, Parsed, Rule};

pub struct OverPrivilegedIdentity;

/// Built-in ClusterRoles that grant everything, or write access to everything.
const BROAD_ROLES: &[&str] = &["cluster-admin", "admin", "edit"];

impl Rule for OverPrivilegedIdentity {
    fn id(&self) -> &'static str {
        "AS-DEP-006"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if file.kind != FileKind::Kubernetes {
            return;
        }
        let objects = kube::objects(file.roots);
        let pods: Vec<_> = objects.iter().copied().filter_map(kube::pod).collect();
        let roles: Vec<_> = objects.iter().copied().filter_map(kube::role).collect();
        let bindings: Vec<_> = objects.iter().copied().filter_map(kube::binding).collect();
        let accounts: Vec<_> = objects
            .iter()
            .copied()
            .filter_map(kube::service_account)
            .collect();

        // Service accounts agent workloads run as.
        let mut agent_sas: HashSet<String> = pods
            .iter()
            .filter(|p| p.agent)
            .map(|p| {
                p.service_account
                    .as_ref()
                    .map_or("default".into(), |t| t.value.clone())
            })
            .collect();
        agent_sas.extend(
            accounts
                .iter()
                .filter(|(n, _)| is_agent_words(&n.value))
                .map(|(n, _)| n.value.clone()),
        );
        let stream_has_agent = pods.iter().any(|p| p.agent);
        let agent_binding = |b: &Binding| {
            is_agent_words(&b.name.value)
                || b.subjects.iter().any(|s| {
                    s.value
                        .strip_prefix("ServiceAccount/")
                        .is_some_and(|sa| agent_sas.contains(sa))
                        || is_agent_words(&s.value)
                })
        };
        let mut agent_roles: HashSet<(String, String)> = HashSet::new();
        for b in &bindings {
            if !(agent_binding(b) || stream_has_agent) {
                continue;
            }
            if b.role_kind == "ClusterRole" && BROAD_ROLES.contains(&b.role.value.as_str()) {
                let who = b
                    .subjects
                    .iter()
                    .map(|s| s.value.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                cx.report(
                    b.role.span.clone(),
                    &b.role.route.to_string(),
                    format!(
                        "{} '{}' grants the built-in ClusterRole {} to {who}: an agent that is talked into it can change or read anything {}",
                        b.kind,
                        b.name.value,
                        b.role.value,
                        if b.kind == "ClusterRoleBinding" { "in the cluster" } else { "in the namespace" }
                    ),
                );
            }
            agent_roles.insert((b.role_kind.clone(), b.role.value.clone()));
        }
        for r in &roles {
            let linked = is_agent_words(&r.name.value)
                || stream_has_agent
                || agent_roles.contains(&(r.kind.clone(), r.name.value.clone()));
            if !linked {
                continue;
            }
            for rule in &r.rules {
                if let Some((at, why)) = dangerous(rule) {
                    cx.report(
                        at.span.clone(),
                        &at.route.to_string(),
                        format!(
                            "{} '{}' used by an agent workload {why}",
                            r.kind, r.name.value
                        ),
                    );
                }
            }
        }
        // The catalog's low case: an agent pod that keeps the default service
        // account's token mounted, when nothing turns automounting off.
        for p in pods.iter().filter(|p| p.agent) {
            let default_sa = p
                .service_account
                .as_ref()
                .is_none_or(|t| t.value == "default");
            if default_sa && p.automount != Some(false) {
                cx.report(
                    p.name.span.clone(),
                    &p.name.route.to_string(),
                    format!(
                        "agent {} runs with the namespace's default service account and its token mounted; set automountServiceAccountToken: false or give it its own least-privilege account",
                        p.owner
                    ),
                )
                .severity(Severity::Low);
            }
        }
    }
}

fn has<'a>(list: &'a [Text], v: &str) -> Option<&'a Text> {
    list.iter().find(|t| t.value == v)
}

/// The first dangerous grant of a policy rule, and why.
fn dangerous(rule: &PolicyRule) -> Option<(&Text, &'static str)> {
    if let Some(t) = has(&rule.verbs, "*") {
        return Some((t, "allows every verb (`*`)"));
    }
    if let Some(t) = has(&rule.resources, "*") {
        return Some((t, "applies to every resource (`*`)"));
    }
    for (verb, why) in [
        (
            "escalate",
            "may escalate: grant itself permissions it does not have",
        ),
        ("bind", "may bind roles it does not hold to any subject"),
        (
            "impersonate",
            "may impersonate other users, groups or service accounts",
        ),
    ] {
        if let Some(t) = has(&rule.verbs, verb) {
            return Some((t, why));
        }
    }
    if let Some(t) = has(&rule.resources, "secrets") {
        if rule
            .verbs
            .iter()
            .any(|v| matches!(v.value.as_str(), "get" | "list" | "watch"))
        {
            return Some((t, "can read Secrets: every credential in its scope"));
        }
    }
    if let Some(t) = has(&rule.resources, "pods/exec") {
        if rule
            .verbs
            .iter()
            .any(|v| matches!(v.value.as_str(), "create" | "get"))
        {
            return Some((
                t,
                "can exec into pods: run commands in any workload in its scope",
            ));
        }
    }
    None
}
