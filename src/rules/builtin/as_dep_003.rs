//! AS-DEP-003: containers that join the host's network, PID, IPC, UTS or cgroup
//! namespace.

use std::collections::HashSet;

use crate::finding::Severity;
use crate::manifest::containers::{self, Namespace};
use crate::rules::{Context, Parsed, Rule};

pub struct HostNamespaces;

impl Rule for HostNamespaces {
    fn id(&self) -> &'static str {
        "AS-DEP-003"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let all = containers::of_file(&file.servers, file.kind, file.roots);
        let mut seen = HashSet::new();
        for c in &all {
            for (ns, t) in &c.host_ns {
                let why = match ns {
                    Namespace::Network => {
                        "it reaches every host-local service and listens on the host's interfaces"
                    }
                    Namespace::Pid => "it sees and can signal every host process",
                    Namespace::Ipc => "it shares memory segments with host processes",
                    Namespace::Uts => "it can change the host's name",
                    Namespace::Cgroup => "it sees the host's cgroup tree",
                    // The user namespace is AS-DEP-002's (it is a privilege question).
                    Namespace::User => continue,
                };
                if !seen.insert(t.span.clone()) {
                    continue;
                }
                // The catalog's high case: host networking for MCP servers and agents
                // (HTTP servers or code executors); every other case is medium.
                let sev = if *ns == Namespace::Network && c.is_agent() {
                    Severity::High
                } else {
                    Severity::Medium
                };
                cx.report(
                    t.span.clone(),
                    &t.route.to_string(),
                    format!(
                        "{} shares the host's {} namespace: {why}",
                        c.owner,
                        ns.as_str()
                    ),
                )
                .severity(sev);
            }
        }
    }
}
