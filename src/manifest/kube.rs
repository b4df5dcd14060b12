//! Kubernetes objects the deployment rules read: pod specs of every workload kind
//! (lowered into `containers::Container`, one per container, pod-level settings
//! included) and RBAC roles and bindings.

use super::containers::{all_text, scalars, Container, Limits, Mount, Namespace, Origin, Text};
use super::{Node, Route};

/// A pod template and what runs in it.
#[derive(Debug, Clone)]
pub struct Pod {
    /// "Deployment 'web'".
    pub owner: String,
    pub name: Text,
    pub service_account: Option<Text>,
    /// `automountServiceAccountToken` as set on the pod.
    pub automount: Option<bool>,
    pub containers: Vec<Container>,
    /// Any container runs agent software, or the workload is named or labelled so.
    pub agent: bool,
}

/// Every container (`containers`, `initContainers`, `ephemeralContainers`) anywhere
/// under a node, with its route: pods, workload and CronJob templates, List items,
/// whatever the kind says. For readers that need each container's own fields
/// (command, env) rather than the lowered pod.
pub fn containers_anywhere<'a>(node: &'a Node, route: &Route) -> Vec<(&'a Node, Route)> {
    let mut out = Vec::new();
    containers_into(node, route, 0, &mut out);
    out
}

fn containers_into<'a>(
    node: &'a Node,
    route: &Route,
    depth: usize,
    out: &mut Vec<(&'a Node, Route)>,
) {
    if depth > 32 {
        return;
    }
    match &node.value {
        super::Value::Object(entries) => {
            for e in entries {
                let r = route.key(&e.key);
                if matches!(
                    e.key.as_str(),
                    "containers" | "initContainers" | "ephemeralContainers"
                ) {
                    for (i, c) in e.value.items().iter().enumerate() {
                        out.push((c, r.index(i)));
                    }
                } else {
                    containers_into(&e.value, &r, depth + 1, out);
                }
            }
        }
        super::Value::Array(items) => {
            for (i, n) in items.iter().enumerate() {
                containers_into(n, &route.index(i), depth + 1, out);
            }
        }
        _ => {}
    }
}

/// The objects of a stream, the items of `kind: List` (what `kubectl get -o yaml`
/// writes) included.
pub fn objects(roots: &[Node]) -> Vec<&Node> {
    let mut out = Vec::new();
    for r in roots {
        if r.get("kind").and_then(Node::as_str) == Some("List") {
            out.extend(r.get("items").map(Node::items).unwrap_or(&[]));
        } else {
            out.push(r);
        }
    }
    out
}

fn kind_name(root: &Node) -> (String, String) {
    let kind = root
        .get("kind")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let name = root
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    (kind, name)
}

/// The route prefix of one object in a stream: stable under reordering.
fn object_route(kind: &str, name: &str) -> Route {
    Route::root().key(&format!("{kind}/{name}"))
}

/// The pod spec of a workload: `spec` (Pod), `spec.template.spec` (Deployment,
/// StatefulSet, DaemonSet, ReplicaSet, Job and any kind with a pod template),
/// `spec.jobTemplate.spec.template.spec` (CronJob), `template.spec` (PodTemplate).
pub fn pod(root: &Node) -> Option<Pod> {
    let (kind, name) = kind_name(root);
    let r = object_route(&kind, &name);
    let (spec, sr) = match kind.as_str() {
        "Pod" => (root.get("spec")?, r.key("spec")),
        "CronJob" => (
            root.get("spec")?
                .get("jobTemplate")?
                .get("spec")?
                .get("template")?
                .get("spec")?,
            r.key("spec")
                .key("jobTemplate")
                .key("spec")
                .key("template")
                .key("spec"),
        ),
        "PodTemplate" => (
            root.get("template")?.get("spec")?,
            r.key("template").key("spec"),
        ),
        _ => (
            root.get("spec")?.get("template")?.get("spec")?,
            r.key("spec").key("template").key("spec"),
        ),
    };
    if !spec.get("containers").is_some_and(Node::is_array) {
        return None;
    }
    let name_node = root.get("metadata").and_then(|m| m.get("name"));
    let name_text = match name_node {
        Some(n) => Text::new(name.clone(), n.span.clone(), r.key("metadata").key("name")),
        None => Text::new(name.clone(), root.span.start..root.span.start, r.clone()),
    };
    let owner = format!("{kind} '{name}'");
    let pod_sc = spec.get("securityContext");
    let psr = sr.key("securityContext");
    let mut host_ns = Vec::new();
    for (k, ns) in [
        ("hostNetwork", Namespace::Network),
        ("hostPID", Namespace::Pid),
        ("hostIPC", Namespace::Ipc),
    ] {
        if let Some(e) = spec.entry(k).filter(|e| e.value.as_bool() == Some(true)) {
            host_ns.push((
                ns,
                Text::new(k, e.key_span.start..e.value.span.end, sr.key(k)),
            ));
        }
    }
    // hostPath volumes by name, joined to each container's volumeMounts.
    let vr = sr.key("volumes");
    let host_paths: Vec<(String, Text)> = spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let vname = v.get("name")?.scalar_text()?;
            let p = v.get("hostPath")?.get("path")?;
            let t = Text::of(p, vr.index(i).key("hostPath").key("path"))?;
            Some((vname, t))
        })
        .collect();
    let labels = all_text(root.get("metadata").and_then(|m| m.get("labels")));
    let mut containers = Vec::new();
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        let cr = sr.key(key);
        for (i, cn) in spec
            .get(key)
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let r = cr.index(i);
            let cname = cn
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            let anchor = match cn.get("name") {
                Some(n) => Text::new(cname.clone(), n.span.clone(), r.key("name")),
                None => Text::new(cname.clone(), cn.span.clone(), r.clone()),
            };
            let mut c = Container::new(
                Origin::Kubernetes,
                format!("container '{cname}' of {owner}"),
                anchor,
            );
            c.image = cn.get("image").and_then(|v| Text::of(v, r.key("image")));
            c.local_image = cn.get("imagePullPolicy").and_then(Node::as_str) == Some("Never");
            c.host_ns = host_ns.clone();
            security(
                &mut c,
                pod_sc,
                &psr,
                cn.get("securityContext"),
                &r.key("securityContext"),
            );
            for (j, vm) in cn
                .get("volumeMounts")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let Some(vname) = vm.get("name").and_then(Node::scalar_text) else {
                    continue;
                };
                let _ = j;
                for (hv, path) in &host_paths {
                    if *hv == vname {
                        c.mounts.push(Mount {
                            host: path.value.clone(),
                            raw: path.value.clone(),
                            span: path.span.clone(),
                            route: path.route.clone(),
                            read_only: vm.get("readOnly").and_then(Node::as_bool) == Some(true),
                        });
                    }
                }
            }
            let limits = cn.get("resources").and_then(|r| r.get("limits"));
            c.limits = Limits {
                memory: limits.and_then(|l| l.get("memory")).is_some(),
                cpu: limits.and_then(|l| l.get("cpu")).is_some(),
                // Kubernetes bounds PIDs per pod on the node, not in the manifest.
                pids: true,
            };
            let mut words = vec![name.clone(), cname.clone()];
            words.extend(c.image.iter().map(|t| t.value.clone()));
            words.extend(all_text(cn.get("command")));
            words.extend(all_text(cn.get("args")));
            words.extend(labels.iter().cloned());
            c.words = words.join(" ");
            containers.push(c);
        }
    }
    let sa = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(|v| Text::of(v, sr.key("serviceAccountName")));
    let agent = containers.iter().any(Container::is_agent)
        || super::containers::is_agent_words(&format!("{name} {}", labels.join(" ")));
    Some(Pod {
        owner,
        name: name_text,
        service_account: sa,
        automount: spec
            .get("automountServiceAccountToken")
            .and_then(Node::as_bool),
        containers,
        agent,
    })
}

/// Pod- and container-level `securityContext`; the container's settings win.
fn security(c: &mut Container, pod: Option<&Node>, pr: &Route, ctr: Option<&Node>, cr: &Route) {
    let get = |k: &str| -> Option<(&Node, Route)> {
        ctr.and_then(|n| n.get(k).map(|v| (v, cr.key(k))))
            .or_else(|| pod.and_then(|n| n.get(k).map(|v| (v, pr.key(k)))))
    };
    let ctr_only = |k: &str| ctr.and_then(|n| n.get(k).map(|v| (v, cr.key(k))));
    if let Some((v, r)) = ctr_only("privileged").filter(|(v, _)| v.as_bool() == Some(true)) {
        c.privileged = Some(Text::new("true", v.span.clone(), r));
    }
    // Windows HostProcess containers run directly on the node, as privileged ones do.
    if let Some((w, r)) = get("windowsOptions") {
        if let Some(v) = w.get("hostProcess").filter(|v| v.as_bool() == Some(true)) {
            c.privileged = Some(Text::new("true", v.span.clone(), r.key("hostProcess")));
        }
    }
    if let Some((v, r)) =
        ctr_only("allowPrivilegeEscalation").filter(|(v, _)| v.as_bool() == Some(true))
    {
        c.unconfined.push((
            "the no-new-privileges guard",
            Text::new("allowPrivilegeEscalation: true", v.span.clone(), r),
        ));
    }
    if let Some((caps, r)) = ctr_only("capabilities") {
        c.caps = scalars(caps.get("add"), &r.key("add"));
    }
    for (k, what) in [
        ("seccompProfile", "seccomp"),
        ("appArmorProfile", "AppArmor"),
    ] {
        if let Some((p, r)) = get(k) {
            if let Some(t) = p.get("type").filter(|t| t.as_str() == Some("Unconfined")) {
                c.unconfined.push((
                    what,
                    Text::new(
                        format!("{k}.type: Unconfined"),
                        t.span.clone(),
                        r.key("type"),
                    ),
                ));
            }
        }
    }
    if let Some((v, r)) = ctr_only("procMount").filter(|(v, _)| v.as_str() == Some("Unmasked")) {
        c.unconfined.push((
            "masked /proc paths",
            Text::new("procMount: Unmasked", v.span.clone(), r),
        ));
    }
    if let Some((v, r)) = get("runAsUser") {
        if let Some(t) = Text::of(v, r) {
            c.user = Some(t);
        }
    }
    c.non_root = get("runAsNonRoot").and_then(|(v, _)| v.as_bool());
    c.read_only_root =
        ctr_only("readOnlyRootFilesystem").and_then(|(v, _)| v.as_bool()) == Some(true);
}

/// One rule of a Role or ClusterRole.
#[derive(Debug, Clone)]
pub struct PolicyRule {
    pub verbs: Vec<Text>,
    pub resources: Vec<Text>,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub kind: String,
    pub name: Text,
    pub rules: Vec<PolicyRule>,
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub kind: String,
    pub name: Text,
    pub role_kind: String,
    pub role: Text,
    /// Subjects as `Kind/name` (`ServiceAccount/agent`).
    pub subjects: Vec<Text>,
}

pub fn role(root: &Node) -> Option<Role> {
    let (kind, name) = kind_name(root);
    if kind != "Role" && kind != "ClusterRole" {
        return None;
    }
    let r = object_route(&kind, &name);
    let name_node = root.get("metadata")?.get("name")?;
    let rr = r.key("rules");
    let rules = root
        .get("rules")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .map(|(i, x)| PolicyRule {
            verbs: scalars(x.get("verbs"), &rr.index(i).key("verbs")),
            resources: scalars(x.get("resources"), &rr.index(i).key("resources")),
        })
        .collect();
    Some(Role {
        name: Text::new(name, name_node.span.clone(), r.key("metadata").key("name")),
        kind,
        rules,
    })
}

pub fn binding(root: &Node) -> Option<Binding> {
    let (kind, name) = kind_name(root);
    if kind != "RoleBinding" && kind != "ClusterRoleBinding" {
        return None;
    }
    let r = object_route(&kind, &name);
    let name_node = root.get("metadata")?.get("name")?;
    let role_ref = root.get("roleRef")?;
    let role_name = role_ref.get("name")?;
    let sr = r.key("subjects");
    let subjects = root
        .get("subjects")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let k = s.get("kind")?.as_str()?;
            let n = s.get("name")?;
            let v = n.scalar_text()?;
            Some(Text::new(
                format!("{k}/{v}"),
                n.span.clone(),
                sr.index(i).key("name"),
            ))
        })
        .collect();
    Some(Binding {
        name: Text::new(name, name_node.span.clone(), r.key("metadata").key("name")),
        kind,
        role_kind: role_ref
            .get("kind")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string(),
        role: Text::new(
            role_name.scalar_text().unwrap_or_default(),
            role_name.span.clone(),
            r.key("roleRef").key("name"),
        ),
        subjects,
    })
}

/// ServiceAccount objects: name and whether they turn token automounting off.
pub fn service_account(root: &Node) -> Option<(Text, Option<bool>)> {
    let (kind, name) = kind_name(root);
    if kind != "ServiceAccount" {
        return None;
    }
    let n = root.get("metadata")?.get("name")?;
    Some((
        Text::new(
            name.clone(),
            n.span.clone(),
            object_route(&kind, &name).key("metadata").key("name"),
        ),
        root.get("automountServiceAccountToken")
            .and_then(Node::as_bool),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::yaml;

    #[test]
    fn deployment_and_cronjob_pods() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: agent}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      serviceAccountName: runner\n      securityContext: {runAsUser: 0, seccompProfile: {type: Unconfined}}\n      volumes:\n        - name: sock\n          hostPath: {path: /var/run/docker.sock}\n      containers:\n        - name: mcp\n          image: acme/mcp:1\n          securityContext:\n            privileged: true\n            capabilities: {add: [NET_ADMIN]}\n          volumeMounts:\n            - {name: sock, mountPath: /var/run/docker.sock, readOnly: true}\n          resources: {limits: {memory: 1Gi}}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: x, image: busybox}]\n";
        let doc = yaml::parse(text).expect("yaml");
        let p = pod(&doc.roots[0]).expect("pod");
        assert!(p.agent);
        assert_eq!(
            p.service_account.as_ref().map(|t| t.value.as_str()),
            Some("runner")
        );
        let c = &p.containers[0];
        assert!(c.privileged.is_some());
        assert_eq!(c.caps[0].value, "NET_ADMIN");
        assert_eq!(c.host_ns[0].0, Namespace::Network);
        assert_eq!(c.mounts[0].host, "/var/run/docker.sock");
        assert!(c.mounts[0].read_only);
        assert_eq!(c.unconfined[0].0, "seccomp");
        assert!(c.explicit_root().is_some());
        assert!(c.limits.memory);
        let cj = pod(&doc.roots[1]).expect("cronjob pod");
        assert_eq!(cj.containers.len(), 1);
        assert!(!cj.agent);
    }

    #[test]
    fn rbac_objects() {
        let text = "kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: r}\nrules:\n  - {apiGroups: [''], resources: [secrets], verbs: [get, list]}\n---\nkind: ClusterRoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}\nsubjects: [{kind: ServiceAccount, name: agent, namespace: x}]\n";
        let doc = yaml::parse(text).expect("yaml");
        assert_eq!(objects(&doc.roots).len(), 2);
        let list = yaml::parse("kind: List\nitems: [{kind: Pod}, {kind: Role}]\n").expect("yaml");
        assert_eq!(objects(&list.roots).len(), 2);
        let r = role(&doc.roots[0]).expect("role");
        assert_eq!(r.rules[0].verbs.len(), 2);
        let b = binding(&doc.roots[1]).expect("binding");
        assert_eq!(b.role.value, "cluster-admin");
        assert_eq!(b.subjects[0].value, "ServiceAccount/agent");
    }

    #[test]
    fn odd_shapes_do_not_panic() {
        for text in [
            "kind: Pod\nspec: {containers: 3}\n",
            "kind: Pod\nspec: {containers: [1, {securityContext: 2}]}\n",
            "kind: Deployment\nspec: {template: []}\n",
            "kind: Role\nmetadata: {name: x}\nrules: [1, {verbs: 2}]\n",
            "kind: RoleBinding\nmetadata: {name: ü}\nroleRef: {}\n",
        ] {
            let doc = yaml::parse(text).expect("yaml");
            let _ = pod(&doc.roots[0]);
            let _ = role(&doc.roots[0]);
            let _ = binding(&doc.roots[0]);
        }
    }
}
