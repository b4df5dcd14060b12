//! AS-DEP-004: host paths with credentials or system state (the root, home
//! directories, `~/.ssh`, `~/.aws`, `/etc`, `/proc`, `/var/lib/kubelet` ...) mounted
//! into compose services, Kubernetes pods or dev containers. MCP `docker run` mounts
//! are AS-PERM-006's, which reads every filesystem grant of MCP servers.

use std::collections::HashSet;

use crate::finding::Severity;
use crate::manifest::containers;
use crate::rules::{Context, Parsed, Rule};

pub struct SensitiveMount;

/// What a host path exposes, when it is sensitive.
pub fn sensitive(host: &str) -> Option<&'static str> {
    let mut p = host.trim().replace('\\', "/");
    for home in [
        "${localEnv:HOME}${localEnv:USERPROFILE}",
        "${localEnv:USERPROFILE}${localEnv:HOME}",
        "${localEnv:HOME}",
        "${localEnv:USERPROFILE}",
        "${env:HOME}",
        "${HOME}",
        "$HOME",
        "%USERPROFILE%",
        "${USERPROFILE}",
    ] {
        if let Some(rest) = p.strip_prefix(home) {
            p = format!("~{rest}");
        }
    }
    let p = p.trim_end_matches('/');
    let p = if p.is_empty() && host.trim().starts_with('/') {
        "/"
    } else {
        p
    };
    let segs: Vec<&str> = p.split('/').collect();
    const CREDENTIALS: &[&str] = &[
        ".ssh",
        ".aws",
        ".kube",
        ".npmrc",
        ".gnupg",
        ".azure",
        ".netrc",
        ".git-credentials",
        ".pypirc",
    ];
    // `~/.docker` holds registry credentials in config.json; its other
    // sub-directories (`~/.docker/mcp`) are tool state.
    let docker_creds = segs
        .iter()
        .position(|s| *s == ".docker")
        .is_some_and(|i| segs.get(i + 1).is_none_or(|n| *n == "config.json"));
    if docker_creds
        || segs.iter().any(|s| CREDENTIALS.contains(s))
        || p.contains("/.config/gcloud")
        || p.contains("/.config/gh")
    {
        return Some("credentials");
    }
    let home_like = p == "~"
        || p == "/root"
        || p.starts_with("/root/")
        || (segs.len() <= 3
            && matches!(segs.get(1), Some(&"home") | Some(&"Users"))
            && segs[0].is_empty())
        || (segs.len() <= 3
            && segs
                .first()
                .is_some_and(|d| d.len() == 2 && d.ends_with(':'))
            && segs.get(1).is_some_and(|u| u.eq_ignore_ascii_case("users")));
    if home_like {
        return Some("a home directory with its keys, tokens and shell start-up files");
    }
    match p {
        "/" => Some("the host's whole filesystem"),
        "/etc" | "/etc/shadow" | "/etc/sudoers" => {
            Some("the host's system configuration and password hashes")
        }
        "/proc" | "/sys" | "/dev" | "/boot" => Some("kernel and device interfaces of the host"),
        "/var/lib/kubelet" | "/var/lib/docker" | "/var/lib/containerd" | "/etc/kubernetes" => {
            Some("the node's container and cluster credentials")
        }
        _ if p.starts_with("/etc/kubernetes/") || p.starts_with("/var/lib/kubelet/") => {
            Some("the node's container and cluster credentials")
        }
        _ => None,
    }
}

impl Rule for SensitiveMount {
    fn id(&self) -> &'static str {
        "AS-DEP-004"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let mut seen = HashSet::new();
        for c in containers::of_document(file.kind, file.roots) {
            for m in &c.mounts {
                if containers::is_runtime_socket(&m.host) || !seen.insert(m.span.clone()) {
                    continue;
                }
                let Some(what) = sensitive(&m.host) else {
                    continue;
                };
                let (sev, mode) = if m.read_only {
                    (Severity::Medium, "read-only")
                } else {
                    (Severity::High, "read-write")
                };
                // Infrastructure of a stack (CSI drivers, log shippers) mounts node
                // paths by design and is not where an agent runs: one step lower.
                let sev = if c.is_agent() { sev } else { sev.lowered() };
                cx.report(
                    m.span.clone(),
                    &m.route.to_string(),
                    format!("{} mounts host path {} {mode}: {what}", c.owner, m.host),
                )
                .severity(sev);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sensitive;

    #[test]
    fn sensitive_paths() {
        for p in [
            "/",
            "/etc",
            "~",
            "~/.ssh",
            "${HOME}/.aws",
            "${localEnv:HOME}${localEnv:USERPROFILE}/.ssh",
            "/home/alice",
            "/Users",
            "/root/.kube",
            "/proc",
            "/var/lib/kubelet",
            "C:\\Users\\bob",
            "$HOME/.config/gcloud",
            "~/.docker",
        ] {
            assert!(sensitive(p).is_some(), "{p}");
        }
        for p in [
            "/etc/localtime",
            "./data",
            "/home/alice/project",
            "~/projects/app",
            "/var/log",
            "/sys/fs/cgroup",
            "",
            "é",
            "/tmp",
            "~/.docker/mcp",
        ] {
            assert!(sensitive(p).is_none(), "{p}");
        }
    }
}
