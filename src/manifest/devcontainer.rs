//! devcontainer.json lowered into a container spec, and the features that change
//! its isolation.

use super::containers::{
    all_text, apply_run_options, entry_span, is_root_user, mount_source, scalars, unconfined_opt,
    Container, Mount, Origin, Text, Word,
};
use super::{Node, Route, Value};

/// The container a devcontainer.json describes (image or Dockerfile based; with a
/// compose file the service is read from the compose file itself).
pub fn container(root: &Node) -> Option<Container> {
    if !root.is_object() {
        return None;
    }
    let r = Route::root();
    let name = root.get("name").and_then(Node::as_str).unwrap_or("");
    let anchor = match root.entry("name").or_else(|| root.entry("image")) {
        Some(e) => Text::new(name, e.key_span.clone(), r.key(&e.key)),
        None => Text::new(name, root.span.start..root.span.start + 1, r.clone()),
    };
    let mut c = Container::new(Origin::Devcontainer, "the dev container".into(), anchor);
    c.image = root.get("image").and_then(|v| Text::of(v, r.key("image")));
    if let Some(p) = root
        .entry("privileged")
        .filter(|e| e.value.as_bool() == Some(true))
    {
        c.privileged = Some(Text::new("true", entry_span(p), r.key("privileged")));
    }
    c.caps = scalars(root.get("capAdd"), &r.key("capAdd"));
    for t in scalars(root.get("securityOpt"), &r.key("securityOpt")) {
        if let Some(what) = unconfined_opt(&t.value) {
            c.unconfined.push((what, t));
        }
    }
    let mr = r.key("mounts");
    for (i, m) in root
        .get("mounts")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let (host, ro) = match &m.value {
            Value::String(s) => match mount_source(s) {
                Some((h, ro)) => (h.to_string(), ro),
                None => continue,
            },
            Value::Object(_) => {
                if m.get("type").and_then(Node::as_str).unwrap_or("bind") != "bind" {
                    continue;
                }
                match m.get("source").and_then(Node::as_str) {
                    Some(h) => (h.to_string(), false),
                    None => continue,
                }
            }
            _ => continue,
        };
        c.mounts.push(Mount {
            raw: m.scalar_text().unwrap_or_else(|| host.clone()),
            host,
            span: m.span.clone(),
            route: mr.index(i),
            read_only: ro,
        });
    }
    let rr = r.key("runArgs");
    let words: Vec<Word> = root
        .get("runArgs")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            n.scalar_text().map(|t| Word {
                text: t,
                span: n.span.clone(),
                route: rr.index(i),
            })
        })
        .collect();
    apply_run_options(&mut c, &words);
    // The user tools run as: `remoteUser` wins for tools, `containerUser` for the
    // container's processes; either as root counts.
    for k in ["containerUser", "remoteUser"] {
        if let Some(t) = root.get(k).and_then(|v| Text::of(v, r.key(k))) {
            if c.user.as_ref().is_none_or(|u| !is_root_user(&u.value)) {
                c.user = Some(t);
            }
        }
    }
    let mut words = vec![name.to_string()];
    words.extend(c.image.iter().map(|t| t.value.clone()));
    for k in [
        "features",
        "customizations",
        "postCreateCommand",
        "postStartCommand",
        "onCreateCommand",
        "updateContentCommand",
    ] {
        words.extend(all_text(root.get(k)));
        if let Some(f) = root.get(k) {
            words.extend(f.entries().iter().map(|e| e.key.clone()));
        }
    }
    c.words = words.join(" ");
    Some(c)
}

/// Devcontainer features that mount the host's Docker socket or run privileged:
/// `docker-outside-of-docker` (formerly `docker-from-docker`) bind-mounts
/// `/var/run/docker.sock`; `docker-in-docker` needs `--privileged`.
pub fn features(root: &Node) -> Vec<(Text, bool)> {
    let r = Route::root().key("features");
    root.get("features")
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| {
            let id = e.key.to_ascii_lowercase();
            let base = id.rsplit('/').next().unwrap_or(&id);
            let base = base.split([':', '@']).next().unwrap_or(base);
            let socket = matches!(base, "docker-outside-of-docker" | "docker-from-docker");
            let privileged = base == "docker-in-docker";
            (socket || privileged).then(|| {
                (
                    Text::new(e.key.clone(), e.key_span.clone(), r.key(&e.key)),
                    socket,
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::json;

    #[test]
    fn devcontainer_settings() {
        let text = r#"{
  "name": "agent",
  "image": "mcr.microsoft.com/devcontainers/base:bookworm",
  "runArgs": ["--cap-add=SYS_PTRACE", "-v", "${localEnv:HOME}/.ssh:/home/vscode/.ssh:ro"],
  "mounts": ["source=/var/run/docker.sock,target=/var/run/docker-host.sock,type=bind",
             {"source": "${localEnv:HOME}", "target": "/h", "type": "bind"},
             {"source": "cache", "target": "/c", "type": "volume"}],
  "features": {"ghcr.io/devcontainers/features/docker-in-docker:2": {},
               "ghcr.io/devcontainers/features/docker-from-docker:1": {}},
  "remoteUser": "root"
}"#;
        let doc = json::parse(text).expect("json");
        let c = container(&doc.roots[0]).expect("container");
        assert_eq!(c.caps[0].value, "SYS_PTRACE");
        let hosts: Vec<_> = c
            .mounts
            .iter()
            .map(|m| (m.host.as_str(), m.read_only))
            .collect();
        assert_eq!(
            hosts,
            [
                ("/var/run/docker.sock", false),
                ("${localEnv:HOME}", false),
                ("${localEnv:HOME}/.ssh", true)
            ]
        );
        assert!(c.explicit_root().is_some());
        let f = features(&doc.roots[0]);
        assert_eq!(f.len(), 2);
        assert!(!f[0].1 && f[1].1);
        for odd in [
            "[]",
            "{\"mounts\": [1, null], \"runArgs\": {}, \"features\": []}",
        ] {
            let doc = json::parse(odd).expect("json");
            let _ = container(&doc.roots[0]);
            let _ = features(&doc.roots[0]);
        }
    }
}
