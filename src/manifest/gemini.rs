//! Gemini CLI settings. Since September 2025 settings are nested by category
//! (`tools.discoveryCommand`); files written before then use flat names
//! (`toolDiscoveryCommand`) that Gemini CLI still migrates, so rules look up both.

use super::{Node, Route};

/// One place a setting is written.
#[derive(Debug, Clone)]
pub struct Setting<'a> {
    pub node: &'a Node,
    pub route: Route,
}

/// `path` (dotted, nested objects) and its flat pre-v2 name `legacy`, when set.
pub fn setting<'a>(root: &'a Node, path: &str, legacy: Option<&str>) -> Vec<Setting<'a>> {
    let mut out = Vec::new();
    let mut node = root;
    let mut route = Route::root();
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let Some(e) = node.entry(seg) else { break };
        route = route.key(seg);
        if i + 1 == segs.len() {
            out.push(Setting {
                node: &e.value,
                route: route.clone(),
            });
        }
        node = &e.value;
    }
    if let Some(e) = legacy.and_then(|k| root.entry(k)) {
        out.push(Setting {
            node: &e.value,
            route: Route::root().key(&e.key),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::json;

    #[test]
    fn nested_and_flat_names() {
        let doc = json::parse(r#"{"tools":{"callCommand":"a"},"toolCallCommand":"b","mcp":1}"#)
            .expect("json");
        let s = setting(&doc.roots[0], "tools.callCommand", Some("toolCallCommand"));
        let got: Vec<_> = s.iter().map(|s| s.route.to_string()).collect();
        assert_eq!(got, ["tools.callCommand", "toolCallCommand"]);
        assert!(setting(&doc.roots[0], "mcp.serverCommand", None).is_empty());
    }
}
