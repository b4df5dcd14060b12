//! AS-DEP-001: the container runtime's socket (or an unencrypted TCP daemon) given to
//! an MCP server, a compose service, a Kubernetes pod or a dev container.

use std::sync::LazyLock;

use regex::Regex;

use crate::classify::FileKind;
use crate::manifest::containers::{self, Container};
use crate::rules::{Context, Parsed, Rule};

pub struct RuntimeSocket;

/// `tcp://host:2375`: the daemon's unencrypted, unauthenticated port.
static PLAIN_DAEMON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^tcp://([^/:]*):2375(/|$)").expect("static regex"));

/// Images of filtering socket proxies: the recommended way to give a tool a
/// read-only slice of the Docker API. Their own socket mount is the point of them.
const SOCKET_PROXIES: &[&str] = &[
    "tecnativa/docker-socket-proxy",
    "linuxserver/socket-proxy",
    "lscr.io/linuxserver/socket-proxy",
    "ghcr.io/linuxserver/socket-proxy",
    "wollomatic/socket-proxy",
    "ghcr.io/tecnativa/docker-socket-proxy",
];

fn is_socket_proxy(c: &Container) -> bool {
    c.image.as_ref().is_some_and(|i| {
        let name = i.value.split(['@', ':']).next().unwrap_or("");
        let name = name.strip_prefix("docker.io/").unwrap_or(name);
        SOCKET_PROXIES.contains(&name)
    })
}

impl Rule for RuntimeSocket {
    fn id(&self) -> &'static str {
        "AS-DEP-001"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for s in &file.servers {
            let msg = |v: &str| {
                format!(
                    "MCP server '{}' is given the container runtime socket ({v}), which is root on the host",
                    s.name
                )
            };
            for p in s.env.iter().filter(|p| p.key == "DOCKER_HOST") {
                let v = p.value.text();
                if PLAIN_DAEMON.is_match(&v) {
                    cx.report(
                        p.value.node.span.clone(),
                        &p.value.route.to_string(),
                        msg(&v),
                    );
                }
            }
            for a in &s.args {
                let v = a.text();
                if v.strip_prefix("DOCKER_HOST=")
                    .is_some_and(|d| PLAIN_DAEMON.is_match(d))
                {
                    cx.report(a.node.span.clone(), &a.route.to_string(), msg(&v));
                }
            }
            if let Some(c) = containers::from_mcp(s) {
                for m in c
                    .mounts
                    .iter()
                    .filter(|m| containers::is_runtime_socket(&m.host))
                {
                    cx.report(m.span.clone(), &m.route.to_string(), msg(&m.raw));
                }
            }
        }
        if !matches!(
            file.kind,
            FileKind::Compose
                | FileKind::Kubernetes
                | FileKind::Devcontainer
                | FileKind::Dockerfile
        ) {
            return;
        }
        let all = containers::of_document(file.kind, file.roots);
        let proxies: Vec<&str> = all
            .iter()
            .filter(|c| is_socket_proxy(c))
            .map(|c| c.anchor.value.as_str())
            .collect();
        let mut seen = std::collections::HashSet::new();
        for c in all.iter().filter(|c| !is_socket_proxy(c)) {
            for m in c
                .mounts
                .iter()
                .filter(|m| containers::is_runtime_socket(&m.host))
            {
                if seen.insert(m.span.clone()) {
                    cx.report(
                        m.span.clone(),
                        &m.route.to_string(),
                        format!(
                            "{} mounts the container runtime socket {}: whoever controls the container controls the host",
                            c.owner, m.host
                        ),
                    );
                }
            }
        }
        if file.kind == FileKind::Devcontainer {
            for (feature, socket) in file
                .roots
                .iter()
                .flat_map(crate::manifest::devcontainer::features)
            {
                if socket {
                    cx.report(
                        feature.span.clone(),
                        &feature.route.to_string(),
                        format!(
                            "the dev container's feature '{}' mounts the host's Docker socket: whoever controls the container controls the host",
                            feature.value
                        ),
                    );
                }
            }
        }
        for e in file.env.iter().filter(|e| e.key == "DOCKER_HOST") {
            let Some(caps) = PLAIN_DAEMON.captures(e.value.trim()) else {
                continue;
            };
            let host = caps.get(1).map_or("", |h| h.as_str());
            if proxies.contains(&host) {
                continue;
            }
            cx.report(
                e.value_span.clone(),
                &e.route.to_string(),
                format!(
                    "{} talks to the Docker daemon over unencrypted, unauthenticated TCP ({}), which is root on the host",
                    e.owner, e.value
                ),
            );
        }
    }
}
