//! VS Code settings and tasks as VS Code reads them. A `*.code-workspace` keeps its
//! settings under `settings` and its tasks under `tasks`; a dev container sets them under
//! `customizations.vscode.settings`; `.vscode/settings.json` and `.vscode/tasks.json` are
//! those objects themselves. A setting may be written dotted
//! (`"chat.tools.autoApprove": true`) or as nested objects (`{"chat": {"tools":
//! {"autoApprove": true}}}`), and VS Code applies both, so lookups try every split.

use super::{Node, Route};

/// One place a setting is written.
#[derive(Debug, Clone)]
pub struct Setting<'a> {
    pub node: &'a Node,
    pub route: Route,
    /// Written as nested objects rather than as one dotted key. Before VS Code 1.132
    /// this form escaped the filter that drops user-only settings from workspace files.
    pub nested: bool,
}

fn is_workspace_file(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".code-workspace")
}

fn is_devcontainer(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with("devcontainer.json")
}

/// The object that holds the VS Code settings of a settings file, a workspace file or a
/// dev container definition.
pub fn settings_object<'a>(path: &str, root: &'a Node) -> Option<(&'a Node, Route)> {
    if is_devcontainer(path) {
        let r = Route::root()
            .key("customizations")
            .key("vscode")
            .key("settings");
        root.get("customizations")
            .and_then(|c| c.get("vscode"))
            .and_then(|v| v.get("settings"))
            .filter(|s| s.is_object())
            .map(|s| (s, r))
    } else if is_workspace_file(path) {
        root.get("settings")
            .filter(|s| s.is_object())
            .map(|s| (s, Route::root().key("settings")))
    } else {
        root.is_object().then(|| (root, Route::root()))
    }
}

/// The object that holds tasks: `.vscode/tasks.json` itself or a workspace's `tasks`.
pub fn tasks_object<'a>(path: &str, root: &'a Node) -> Option<(&'a Node, Route)> {
    if is_workspace_file(path) {
        root.get("tasks")
            .filter(|s| s.is_object())
            .map(|s| (s, Route::root().key("tasks")))
    } else {
        root.is_object().then(|| (root, Route::root()))
    }
}

/// Every place `key` (dotted) is set below `obj`, in file order.
pub fn lookup<'a>(obj: &'a Node, base: &Route, key: &str) -> Vec<Setting<'a>> {
    let segs: Vec<&str> = key.split('.').collect();
    let mut out = Vec::new();
    walk(obj, base, &segs, false, &mut out);
    out.sort_by_key(|s| s.node.span.start);
    out
}

fn walk<'a>(
    node: &'a Node,
    route: &Route,
    segs: &[&str],
    nested: bool,
    out: &mut Vec<Setting<'a>>,
) {
    for i in 1..=segs.len() {
        let k = segs[..i].join(".");
        let Some(e) = node.entry(&k) else { continue };
        let r = route.key(&k);
        if i == segs.len() {
            out.push(Setting {
                node: &e.value,
                route: r,
                nested,
            });
        } else if e.value.is_object() {
            walk(&e.value, &r, &segs[i..], true, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::json;

    #[test]
    fn dotted_nested_and_mixed_forms() {
        let text = r#"{"chat.tools.autoApprove": true, "chat": {"tools": {"autoApprove": false},
            "tools.autoApprove": 1}, "chat.tools": {"autoApprove": "x"}}"#;
        let doc = json::parse(text).expect("json");
        let found = lookup(&doc.roots[0], &Route::root(), "chat.tools.autoApprove");
        let got: Vec<_> = found
            .iter()
            .map(|s| (s.route.to_string(), s.nested))
            .collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(!found[0].nested);
        assert!(found[1..].iter().all(|s| s.nested));
    }

    #[test]
    fn workspace_settings_live_under_settings() {
        let doc = json::parse(r#"{"folders":[],"settings":{"a.b":true},"tasks":{"tasks":[]}}"#)
            .expect("json");
        let (obj, route) = settings_object("x.code-workspace", &doc.roots[0]).expect("settings");
        let s = lookup(obj, &route, "a.b");
        assert_eq!(s[0].route.to_string(), "settings[\"a.b\"]");
        assert!(tasks_object("x.code-workspace", &doc.roots[0]).is_some());
        let dc =
            json::parse(r#"{"customizations":{"vscode":{"settings":{"a.b":1}}}}"#).expect("json");
        let (obj, route) =
            settings_object(".devcontainer/devcontainer.json", &dc.roots[0]).expect("dc");
        assert_eq!(
            lookup(obj, &route, "a.b")[0].route.to_string(),
            "customizations.vscode.settings[\"a.b\"]"
        );
        let arr = json::parse("[1]").expect("json");
        assert!(settings_object(".vscode/settings.json", &arr.roots[0]).is_none());
        assert!(lookup(&doc.roots[0], &Route::root(), "").is_empty());
    }
}
