//! Claude Code settings as the permission and command rules read them: permission
//! rule lists, hooks and the helper settings that run a command. Gemini CLI copied the
//! hook shape (`hooks.<Event>[].hooks[].command`), so its settings use the same reader.

use super::mcp::Field;
use super::{Node, Route, Value};

/// The string entries of `permissions.<list>` (`allow`, `deny`, `ask`,
/// `additionalDirectories`).
pub fn permission_list<'a>(root: &'a Node, list: &str) -> Vec<(Field<'a>, &'a str)> {
    let route = Route::root().key("permissions").key(list);
    root.get("permissions")
        .and_then(|p| p.get(list))
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.as_str().map(|s| (Field::new(n, route.index(i)), s)))
        .collect()
}

/// A setting whose value is a command the client runs.
#[derive(Debug, Clone)]
pub struct Command<'a> {
    /// For messages: "SessionStart hook", "apiKeyHelper".
    pub what: String,
    /// The node holding the command text (a string, or an argv array).
    pub node: &'a Node,
    pub route: Route,
    /// The command line as one string (an argv array joined with spaces).
    pub text: String,
}

/// `hooks.<Event>[i].hooks[j]` of type `command` (a missing type counts: older files
/// omit it). Exec-form `args` are appended to the command text.
pub fn hook_commands(root: &Node) -> Vec<Command<'_>> {
    let mut out = Vec::new();
    let Some(hooks) = root.get("hooks") else {
        return out;
    };
    let hr = Route::root().key("hooks");
    for event in hooks.entries() {
        let er = hr.key(&event.key);
        for (i, group) in event.value.items().iter().enumerate() {
            let gr = er.index(i).key("hooks");
            for (j, h) in group
                .get("hooks")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let kind = h.get("type").and_then(Node::as_str).unwrap_or("command");
                if kind != "command" {
                    continue;
                }
                let Some(cmd) = h.get("command") else {
                    continue;
                };
                let mut text = command_text(cmd);
                for a in h.get("args").map(Node::items).unwrap_or(&[]) {
                    if let Some(s) = a.scalar_text() {
                        text.push(' ');
                        text.push_str(&s);
                    }
                }
                out.push(Command {
                    what: format!("{} hook", event.key),
                    node: cmd,
                    route: gr.index(j).key("command"),
                    text,
                });
            }
        }
    }
    out
}

/// Claude Code settings other than hooks that run a command: credential helpers
/// (`apiKeyHelper`, `awsAuthRefresh`, `awsCredentialExport`, `otelHeadersHelper`) and the
/// status line and file suggestion commands.
pub fn helper_commands(root: &Node) -> Vec<Command<'_>> {
    let mut out = Vec::new();
    for key in [
        "apiKeyHelper",
        "awsAuthRefresh",
        "awsCredentialExport",
        "otelHeadersHelper",
    ] {
        if let Some(n) = root.get(key) {
            push(&mut out, key, n, Route::root().key(key));
        }
    }
    for key in ["statusLine", "subagentStatusLine", "fileSuggestion"] {
        if let Some(n) = root.get(key).and_then(|s| s.get("command")) {
            push(
                &mut out,
                &format!("{key}.command"),
                n,
                Route::root().key(key).key("command"),
            );
        }
    }
    out
}

/// Pushes a command setting when it holds text.
pub fn push<'a>(out: &mut Vec<Command<'a>>, what: &str, node: &'a Node, route: Route) {
    let text = command_text(node);
    if !text.trim().is_empty() {
        out.push(Command {
            what: what.to_string(),
            node,
            route,
            text,
        });
    }
}

/// A command given as a string or as an argv array.
pub fn command_text(node: &Node) -> String {
    match &node.value {
        Value::Array(items) => items
            .iter()
            .filter_map(Node::scalar_text)
            .collect::<Vec<_>>()
            .join(" "),
        _ => node.scalar_text().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::json;

    #[test]
    fn hooks_and_helpers() {
        let text = r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[
            {"type":"command","command":"./x.sh"},{"type":"http","url":"https://h"},
            {"command":"node","args":["a.js",1]}]}],"Stop":"oops"},
            "apiKeyHelper":"/bin/key","statusLine":{"type":"command","command":["a","b"]},
            "awsAuthRefresh":42}"#;
        let doc = json::parse(text).expect("json");
        let hooks = hook_commands(&doc.roots[0]);
        assert_eq!(hooks.len(), 2);
        assert_eq!(hooks[0].what, "PreToolUse hook");
        assert_eq!(hooks[1].text, "node a.js 1");
        assert_eq!(
            hooks[0].route.to_string(),
            "hooks.PreToolUse[0].hooks[0].command"
        );
        let helpers = helper_commands(&doc.roots[0]);
        let got: Vec<_> = helpers.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(got, ["/bin/key", "42", "a b"]);
    }

    #[test]
    fn permission_lists_skip_non_strings() {
        let doc = json::parse(r#"{"permissions":{"allow":["Bash",1,null,"Read"]}}"#).expect("json");
        let got: Vec<_> = permission_list(&doc.roots[0], "allow")
            .into_iter()
            .map(|(f, s)| (f.route.to_string(), s))
            .collect();
        assert_eq!(
            got,
            [
                ("permissions.allow[0]".to_string(), "Bash"),
                ("permissions.allow[3]".to_string(), "Read")
            ]
        );
        assert!(permission_list(&doc.roots[0], "deny").is_empty());
    }
}
