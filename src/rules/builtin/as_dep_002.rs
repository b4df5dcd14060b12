//! AS-DEP-002: privileged containers, dangerous added capabilities, host devices and
//! turned-off confinement (seccomp, AppArmor, SELinux, privilege escalation).

use std::collections::HashSet;

use crate::finding::Severity;
use crate::manifest::containers::{self, Namespace, Text};
use crate::rules::{Context, Parsed, Rule};

pub struct PrivilegedContainer;

/// Capabilities that break the container boundary, and what they allow.
fn dangerous_cap(cap: &str) -> Option<&'static str> {
    let c = cap.trim().to_ascii_uppercase();
    let c = c.strip_prefix("CAP_").unwrap_or(&c);
    Some(match c {
        "ALL" => "every capability",
        "SYS_ADMIN" => "mounting filesystems and most container escapes",
        "SYS_PTRACE" => "reading and altering other processes' memory",
        "SYS_MODULE" => "loading kernel modules",
        "SYS_RAWIO" => "raw access to devices and I/O ports",
        "DAC_READ_SEARCH" => "reading any host file by handle (open_by_handle_at)",
        "NET_ADMIN" => "reconfiguring the network and its firewall",
        "BPF" => "loading BPF programs into the kernel",
        _ => return None,
    })
}

/// GPUs and accelerators passed to model servers are not a confinement problem.
fn is_accelerator(dev: &str) -> bool {
    let d = dev.split(':').next().unwrap_or(dev);
    d.starts_with("/dev/dri")
        || d.starts_with("/dev/nvidia")
        || d == "/dev/kfd"
        || d.starts_with("/dev/accel")
        || d.starts_with("/dev/neuron")
        || d.contains(".com/gpu")
}

impl Rule for PrivilegedContainer {
    fn id(&self) -> &'static str {
        "AS-DEP-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let all = containers::of_file(&file.servers, file.kind, file.roots);
        let mut seen = HashSet::new();
        let mut report = |cx: &mut Context<'_>, t: &Text, sev: Severity, msg: String| {
            if seen.insert(t.span.clone()) {
                cx.report(t.span.clone(), &t.route.to_string(), msg)
                    .severity(sev);
            }
        };
        for c in &all {
            // Infrastructure of a stack (CSI drivers, node exporters) often needs these
            // privileges and is not where an agent runs: one step lower.
            let step = |s: Severity| if c.is_agent() { s } else { s.lowered() };
            if let Some(p) = &c.privileged {
                report(
                    cx,
                    p,
                    step(Severity::Critical),
                    format!("{} runs privileged: every capability and every host device, so a compromised process owns the host", c.owner),
                );
            }
            // Added capabilities are effective only for root: a container that runs
            // as a non-root user needs a root escalation (sudo, setuid) first.
            let non_root_user = c
                .user
                .as_ref()
                .filter(|u| !containers::is_root_user(&u.value))
                .map(|u| u.value.as_str())
                .or(if c.non_root == Some(true) {
                    Some("non-root")
                } else {
                    None
                });
            for cap in &c.caps {
                let Some(why) = dangerous_cap(&cap.value) else {
                    continue;
                };
                let (sev, note) = match non_root_user {
                    Some(u) => (
                        step(Severity::High).lowered(),
                        format!(" once a process gains root (it runs as user {u})"),
                    ),
                    None => (step(Severity::High), String::new()),
                };
                report(
                    cx,
                    cap,
                    sev,
                    format!(
                        "{} adds capability {}, which allows {why}{note}",
                        c.owner, cap.value
                    ),
                );
            }
            for (what, t) in &c.unconfined {
                report(
                    cx,
                    t,
                    step(Severity::High),
                    format!(
                        "{} turns off {what} ({}), a layer that stops container escapes",
                        c.owner, t.value
                    ),
                );
            }
            for d in c.devices.iter().filter(|d| !is_accelerator(&d.value)) {
                report(
                    cx,
                    d,
                    step(Severity::High),
                    format!(
                        "{} is given host device {}, which bypasses the container's isolation",
                        c.owner, d.value
                    ),
                );
            }
            for (ns, t) in c.host_ns.iter().filter(|(ns, _)| *ns == Namespace::User) {
                report(
                    cx,
                    t,
                    step(Severity::High),
                    format!(
                        "{} uses the host's {} namespace, so root inside is root on the host",
                        c.owner,
                        ns.as_str()
                    ),
                );
            }
        }
        if file.kind == crate::classify::FileKind::Devcontainer {
            for (feature, socket) in file
                .roots
                .iter()
                .flat_map(crate::manifest::devcontainer::features)
            {
                if !socket {
                    report(
                        cx,
                        &feature,
                        Severity::Critical,
                        format!("the dev container's feature '{}' runs the container privileged so it can host a Docker daemon: a compromised process owns the host", feature.value),
                    );
                }
            }
        }
    }
}
