//! Compose services lowered into container specs.

use super::containers::{
    all_text, entry_span, scalars, unconfined_opt, volume_host, Container, Limits, Mount,
    Namespace, Origin, Text,
};
use super::{Node, Route, Value};

/// Services of a compose file.
pub fn services(root: &Node) -> Vec<Container> {
    let mut out = Vec::new();
    let base = Route::root().key("services");
    for s in root.get("services").map(Node::entries).unwrap_or(&[]) {
        let r = base.key(&s.key);
        let n = &s.value;
        let anchor = Text::new(s.key.clone(), s.key_span.clone(), r.clone());
        let mut c = Container::new(Origin::Compose, format!("service '{}'", s.key), anchor);
        let text = |k: &str| n.get(k).and_then(|v| Text::of(v, r.key(k)));
        c.image = text("image");
        c.local_image = n.get("build").is_some();
        if let Some(p) = n
            .entry("privileged")
            .filter(|e| e.value.as_bool() == Some(true))
        {
            c.privileged = Some(Text::new("true", entry_span(p), r.key("privileged")));
        }
        c.caps = scalars(n.get("cap_add"), &r.key("cap_add"));
        for t in scalars(n.get("security_opt"), &r.key("security_opt")) {
            if let Some(what) = unconfined_opt(&t.value) {
                c.unconfined.push((what, t));
            }
        }
        c.devices = scalars(n.get("devices"), &r.key("devices"))
            .into_iter()
            .chain(
                // Long syntax (compose 2.x): {source: /dev/x, target: ...}.
                n.get("devices")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .enumerate()
                    .filter_map(|(i, d)| {
                        d.get("source")
                            .and_then(|v| Text::of(v, r.key("devices").index(i).key("source")))
                    }),
            )
            .collect();
        for (key, ns) in [
            ("network_mode", Namespace::Network),
            ("pid", Namespace::Pid),
            ("ipc", Namespace::Ipc),
            ("uts", Namespace::Uts),
            ("userns_mode", Namespace::User),
            ("cgroup", Namespace::Cgroup),
            ("cgroupns_mode", Namespace::Cgroup),
        ] {
            if let Some(t) = text(key).filter(|t| t.value == "host") {
                c.host_ns.push((ns, t));
            }
        }
        compose_volumes(n, &r, &mut c);
        c.user = text("user");
        c.no_network = n.get("network_mode").and_then(Node::as_str) == Some("none");
        c.read_only_root = n.get("read_only").and_then(Node::as_bool) == Some(true);
        let limits = n
            .get("deploy")
            .and_then(|d| d.get("resources"))
            .and_then(|r| r.get("limits"));
        let has = |node: Option<&Node>, k: &str| node.and_then(|x| x.get(k)).is_some();
        c.limits = Limits {
            memory: has(Some(n), "mem_limit") || has(limits, "memory"),
            cpu: has(Some(n), "cpus") || has(Some(n), "cpu_quota") || has(limits, "cpus"),
            pids: has(Some(n), "pids_limit") || has(limits, "pids"),
        };
        let mut words = vec![s.key.clone()];
        words.extend(c.image.iter().map(|t| t.value.clone()));
        for k in ["command", "entrypoint", "container_name"] {
            words.extend(all_text(n.get(k)));
        }
        words.extend(all_text(n.get("build")));
        c.words = words.join(" ");
        out.push(c);
    }
    out
}

/// `volumes:` short (`SRC:DST[:MODE]`) and long (`{type: bind, source, target,
/// read_only}`) syntax. Named volumes (no `/`, `.`, `~` or `$` at the start) are not
/// host paths.
fn compose_volumes(n: &Node, r: &Route, c: &mut Container) {
    let vr = r.key("volumes");
    for (i, v) in n
        .get("volumes")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        match &v.value {
            Value::String(s) => {
                if let Some((host, ro)) = volume_host(s) {
                    if is_host_path(host) {
                        c.mounts.push(Mount {
                            host: host.to_string(),
                            raw: s.clone(),
                            span: v.span.clone(),
                            route: vr.index(i),
                            read_only: ro,
                        });
                    }
                }
            }
            Value::Object(_) => {
                let kind = v.get("type").and_then(Node::as_str).unwrap_or("bind");
                let Some(src) = v.get("source") else { continue };
                let Some(host) = src.as_str() else { continue };
                if kind != "bind" || !is_host_path(host) {
                    continue;
                }
                c.mounts.push(Mount {
                    host: host.to_string(),
                    raw: host.to_string(),
                    span: src.span.clone(),
                    route: vr.index(i).key("source"),
                    read_only: v.get("read_only").and_then(Node::as_bool) == Some(true),
                });
            }
            _ => {}
        }
    }
}

/// A bind-mount source rather than a named volume.
pub fn is_host_path(s: &str) -> bool {
    s.starts_with(['/', '.', '~', '$', '\\']) || s.as_bytes().get(1) == Some(&b':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::yaml;

    #[test]
    fn compose_services() {
        let text = "services:\n  agent:\n    image: acme/agent:1\n    privileged: true\n    cap_add: [SYS_ADMIN]\n    security_opt: ['seccomp:unconfined']\n    network_mode: host\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n      - data:/data\n      - type: bind\n        source: /etc\n        target: /host-etc\n        read_only: true\n    deploy: {resources: {limits: {memory: 1g}}}\n";
        let doc = yaml::parse(text).expect("yaml");
        let cs = services(&doc.roots[0]);
        assert_eq!(cs.len(), 1);
        let c = &cs[0];
        assert!(c.privileged.is_some());
        assert_eq!(c.caps[0].value, "SYS_ADMIN");
        assert_eq!(c.unconfined[0].0, "seccomp");
        assert_eq!(c.host_ns[0].0, Namespace::Network);
        assert_eq!(c.mounts.len(), 2);
        assert_eq!(&text[c.mounts[1].span.clone()], "/etc");
        assert!(c.mounts[1].read_only);
        assert!(c.limits.memory && !c.limits.cpu);
        assert!(c.is_agent());
    }

    #[test]
    fn odd_compose_shapes_do_not_panic() {
        for text in [
            "services: [1, 2]\n",
            "services:\n  a: 3\n",
            "services:\n  a:\n    volumes: {x: 1}\n    cap_add: ALL\n    privileged: 'yes'\n",
            "services:\n  ü:\n    volumes: ['é:ü', ':', '']\n",
        ] {
            let doc = yaml::parse(text).expect("yaml");
            let _ = services(&doc.roots[0]);
            let _ = crate::manifest::devcontainer::container(&doc.roots[0]);
        }
    }
}
