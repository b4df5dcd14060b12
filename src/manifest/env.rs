//! Environment variables that a file sets for an agent, a container or a job,
//! lowered to one record so secret and hijacking rules are written once for
//! Claude settings, compose, Kubernetes, devcontainers, workflows and Dockerfiles.

use crate::classify::FileKind;

use super::dockerfile::Instruction;
use super::{Node, Route, Span, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct EnvVar {
    /// Who receives it, for messages: "Claude Code", "service 'api'".
    pub owner: String,
    pub key: String,
    pub key_span: Span,
    pub value: String,
    /// The value's exact bytes when written verbatim, else its whole node.
    pub value_span: Span,
    pub route: Route,
}

/// Every environment binding of a parsed file of `kind`.
pub fn bindings(kind: FileKind, text: &str, roots: &[Node], docker: &[Instruction]) -> Vec<EnvVar> {
    let mut out = Vec::new();
    for root in roots {
        match kind {
            FileKind::ClaudeSettings => {
                map_or_list(text, root, &Route::root(), "env", "Claude Code", &mut out)
            }
            FileKind::Devcontainer => {
                for key in ["containerEnv", "remoteEnv"] {
                    map_or_list(
                        text,
                        root,
                        &Route::root(),
                        key,
                        "the dev container",
                        &mut out,
                    );
                }
            }
            FileKind::Compose => {
                for s in root.get("services").map(Node::entries).unwrap_or(&[]) {
                    let route = Route::root().key("services").key(&s.key);
                    let owner = format!("service '{}'", s.key);
                    map_or_list(text, &s.value, &route, "environment", &owner, &mut out);
                }
            }
            FileKind::Kubernetes => kube_containers(text, root, &Route::root(), &mut out),
            FileKind::Workflow => {
                map_or_list(text, root, &Route::root(), "env", "the workflow", &mut out);
                for j in root.get("jobs").map(Node::entries).unwrap_or(&[]) {
                    let jr = Route::root().key("jobs").key(&j.key);
                    let owner = format!("job '{}'", j.key);
                    map_or_list(text, &j.value, &jr, "env", &owner, &mut out);
                    let steps = j.value.get("steps").map(Node::items).unwrap_or(&[]);
                    for (i, st) in steps.iter().enumerate() {
                        let sr = jr.key("steps").index(i);
                        map_or_list(text, st, &sr, "env", &owner, &mut out);
                    }
                }
            }
            _ => {}
        }
    }
    if kind == FileKind::Dockerfile {
        for ins in docker.iter().filter(|i| i.keyword == "ENV") {
            dockerfile_env(text, ins, &mut out);
        }
    }
    if kind == FileKind::Dotenv {
        dotenv(text, &mut out);
    }
    out
}

/// `KEY=value`, `export KEY="value"`, `KEY='value' # comment`, one per line.
fn dotenv(text: &str, out: &mut Vec<EnvVar>) {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let line_start = start;
        start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let lead = body.len() - body.trim_start().len();
        let mut rest = &body[lead..];
        let mut at = line_start + lead;
        if let Some(r) = rest.strip_prefix("export ") {
            at += rest.len() - r.trim_start().len();
            rest = r.trim_start();
        }
        if rest.starts_with('#') {
            continue;
        }
        let Some(eq) = rest.find('=') else { continue };
        let key = rest[..eq].trim_end();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            continue;
        }
        let after = &rest[eq + 1..];
        let pad = after.len() - after.trim_start().len();
        let raw = &after[pad..];
        let vstart = at + eq + 1 + pad;
        let (value, offset) = match raw.chars().next() {
            Some(q @ ('"' | '\'')) => match raw[1..].find(q) {
                Some(end) => (&raw[1..1 + end], 1),
                None => (&raw[1..], 1),
            },
            _ => {
                let end = raw.find(" #").unwrap_or(raw.len());
                (raw[..end].trim_end(), 0)
            }
        };
        out.push(EnvVar {
            owner: "the dotenv file".into(),
            key: key.to_string(),
            key_span: at..at + key.len(),
            value: value.to_string(),
            value_span: vstart + offset..vstart + offset + value.len(),
            route: Route::root().key(key),
        });
    }
}

/// `key: {NAME: value}` or `key: ["NAME=value"]`.
fn map_or_list(
    text: &str,
    parent: &Node,
    route: &Route,
    key: &str,
    owner: &str,
    out: &mut Vec<EnvVar>,
) {
    let Some(node) = parent.get(key) else { return };
    let route = route.key(key);
    match &node.value {
        Value::Object(entries) => {
            for e in entries {
                let Some(v) = e.value.scalar_text() else {
                    continue;
                };
                out.push(EnvVar {
                    owner: owner.to_string(),
                    key: e.key.clone(),
                    key_span: e.key_span.clone(),
                    value_span: verbatim(text, &e.value, &v),
                    value: v,
                    route: route.key(&e.key),
                });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let Some(s) = item.as_str() else { continue };
                let Some((k, v)) = s.split_once('=') else {
                    continue;
                };
                let whole = verbatim(text, item, s);
                let exact = whole.end - whole.start == s.len();
                let (key_span, value_span) = if exact {
                    (
                        whole.start..whole.start + k.len(),
                        whole.start + k.len() + 1..whole.end,
                    )
                } else {
                    (item.span.clone(), item.span.clone())
                };
                out.push(EnvVar {
                    owner: owner.to_string(),
                    key: k.to_string(),
                    key_span,
                    value: v.to_string(),
                    value_span,
                    route: route.index(i),
                });
            }
        }
        _ => {}
    }
}

/// Containers anywhere in a workload (Pod, Deployment, CronJob templates...).
fn kube_containers(text: &str, node: &Node, route: &Route, out: &mut Vec<EnvVar>) {
    for (c, cr) in super::kube::containers_anywhere(node, route) {
        let name = c.get("name").and_then(Node::as_str).unwrap_or("?");
        let envs = c.get("env").map(Node::items).unwrap_or(&[]);
        for (j, ev) in envs.iter().enumerate() {
            let (Some(k), Some(v)) = (ev.entry("name"), ev.get("value")) else {
                continue;
            };
            let (Some(key), Some(val)) = (k.value.as_str(), v.scalar_text()) else {
                continue;
            };
            out.push(EnvVar {
                owner: format!("container '{name}'"),
                key: key.to_string(),
                key_span: k.value.span.clone(),
                value_span: verbatim(text, v, &val),
                value: val,
                route: cr.key("env").index(j).key("value"),
            });
        }
    }
}

/// `ENV A=1 B="two"` and the legacy `ENV A 1`.
fn dockerfile_env(text: &str, ins: &Instruction, out: &mut Vec<EnvVar>) {
    let all = text.get(ins.args.clone()).unwrap_or("");
    // `ENV \` with the bindings on the following lines: start at the first word.
    let skip = all.len()
        - all
            .trim_start_matches(|c: char| c == '\\' || c.is_whitespace())
            .len();
    let raw = &all[skip..];
    let base = ins.args.start + skip;
    let route = Route::root().key("ENV");
    if !raw
        .split_whitespace()
        .next()
        .is_some_and(|w| w.contains('='))
    {
        if let Some((k, v)) = raw.split_once(char::is_whitespace) {
            // The legacy form's value runs to the end, continuation lines joined.
            let v = v
                .trim_start_matches(|c: char| c == '\\' || c.is_whitespace())
                .trim_end();
            let v = v.strip_suffix('\\').unwrap_or(v).trim_end();
            let vs = base + raw.len()
                - raw[k.len()..]
                    .trim_start_matches(|c: char| c == '\\' || c.is_whitespace())
                    .len();
            out.push(EnvVar {
                owner: "the image".into(),
                key: k.to_string(),
                key_span: base..base + k.len(),
                value: v.to_string(),
                value_span: vs..vs + v.len(),
                route: route.key(k),
            });
        }
        return;
    }
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'\\') {
            i += 1;
        }
        let ks = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            continue;
        }
        let key = &raw[ks..i];
        i += 1;
        let (vs, ve) = match bytes.get(i) {
            Some(q @ (b'"' | b'\'')) => {
                let q = *q;
                let s = i + 1;
                let mut j = s;
                while j < bytes.len() && bytes[j] != q {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                i = (j + 1).min(bytes.len());
                (s, j.min(bytes.len()))
            }
            _ => {
                let s = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                (s, i)
            }
        };
        if let Some(value) = raw.get(vs..ve) {
            out.push(EnvVar {
                owner: "the image".into(),
                key: key.to_string(),
                key_span: base + ks..base + ks + key.len(),
                value: value.to_string(),
                value_span: base + vs..base + ve,
                route: route.key(key),
            });
        }
    }
}

/// The bytes of `value` inside a scalar node when written verbatim (no escapes).
pub fn verbatim(text: &str, node: &Node, value: &str) -> Span {
    let raw = text.get(node.span.clone()).unwrap_or("");
    match raw.find(value) {
        Some(i) if !value.is_empty() => node.span.start + i..node.span.start + i + value.len(),
        _ => node.span.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{dockerfile, json, yaml};

    #[test]
    fn compose_map_and_list_forms() {
        let text = "services:\n  api:\n    environment:\n      - TOKEN=abc123\n  db:\n    environment:\n      PASSWORD: \"hunter2\"\n";
        let doc = yaml::parse(text).expect("yaml");
        let env = bindings(FileKind::Compose, text, &doc.roots, &[]);
        assert_eq!(env.len(), 2);
        assert_eq!(&text[env[0].value_span.clone()], "abc123");
        assert_eq!(&text[env[0].key_span.clone()], "TOKEN");
        assert_eq!(env[1].owner, "service 'db'");
        assert_eq!(&text[env[1].value_span.clone()], "hunter2");
    }

    #[test]
    fn kubernetes_container_env() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: agent\n          env:\n            - name: KEY\n              value: v1\n";
        let doc = yaml::parse(text).expect("yaml");
        let env = bindings(FileKind::Kubernetes, text, &doc.roots, &[]);
        assert_eq!(env.len(), 1);
        assert_eq!(env[0].owner, "container 'agent'");
        assert_eq!(&text[env[0].value_span.clone()], "v1");
    }

    #[test]
    fn dotenv_lines() {
        let text = "# comment\nexport A=1\nB=\"two words\" # note\nC='x#y'\nD=plain # trailing\nnot a binding\nE=\n=bad\nF=\"unterminated\n";
        let env = bindings(FileKind::Dotenv, text, &[], &[]);
        let got: Vec<_> = env
            .iter()
            .map(|e| (&text[e.key_span.clone()], &text[e.value_span.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("A", "1"),
                ("B", "two words"),
                ("C", "x#y"),
                ("D", "plain"),
                ("E", ""),
                ("F", "unterminated")
            ]
        );
    }

    #[test]
    fn claude_settings_and_dockerfile() {
        let text = r#"{"env": {"ANTHROPIC_BASE_URL": "http://x"}}"#;
        let doc = json::parse(text).expect("json");
        let env = bindings(FileKind::ClaudeSettings, text, &doc.roots, &[]);
        assert_eq!(&text[env[0].value_span.clone()], "http://x");

        let text = "FROM x\nENV A=1 B=\"two words\"\nENV LEGACY some value\nENV \\\n    C=3 \\\n    D=4\nENV E \\\n  five\n";
        let (ins, _) = dockerfile::parse(text);
        let env = bindings(FileKind::Dockerfile, text, &[], &ins);
        let got: Vec<_> = env
            .iter()
            .map(|e| (e.key.as_str(), &text[e.value_span.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("A", "1"),
                ("B", "two words"),
                ("LEGACY", "some value"),
                ("C", "3"),
                ("D", "4"),
                ("E", "five")
            ]
        );
    }
}
