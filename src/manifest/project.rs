//! What a repository ships, from the package manifests at its root. Release rules
//! judge a workflow by what it publishes: the catalog asks for provenance on agent and
//! MCP packages, and a workflow alone does not say which packages those are.

use std::path::{Path, PathBuf};

use crate::manifest::{json, toml, Node};

/// Manifests larger than this are not agent projects worth guessing about.
const MAX_MANIFEST: u64 = 1 << 20;

/// npm packages that make a package an agent or MCP server.
const NPM_MARKERS: &[&str] = &[
    "@modelcontextprotocol/sdk",
    "fastmcp",
    "@openai/agents",
    "ai",
    "@anthropic-ai/claude-agent-sdk",
    "@mastra/core",
    "@langchain/core",
    "langchain",
];

/// Python distributions, by normalised name or prefix (`langchain*`).
const PY_MARKERS: &[&str] = &[
    "mcp",
    "fastmcp",
    "crewai",
    "a2a-sdk",
    "openai-agents",
    "claude-agent-sdk",
    "pydantic-ai",
    "google-adk",
    "autogen-agentchat",
];

const CARGO_MARKERS: &[&str] = &["rmcp", "rig-core"];

#[derive(Debug, Default)]
pub struct Project {
    /// Why the repository counts as shipping an agent or MCP server
    /// (`package.json mcpName`, `pyproject.toml depends on fastmcp`), if it does.
    pub agent: Option<String>,
    /// `publishConfig.provenance: true` in the root package.json.
    pub npm_provenance: bool,
}

/// The repository root of a workflow file (`<root>/.github/workflows/x.yml`).
pub fn workflow_root(abs: &Path) -> Option<PathBuf> {
    let dir = abs.parent()?;
    let github = dir.parent()?;
    let is = |p: &Path, name: &str| p.file_name().is_some_and(|n| n == name);
    (is(dir, "workflows") && is(github, ".github"))
        .then(|| github.parent().map(Path::to_path_buf))?
}

/// Reads the root manifests; missing or unparsable files count as absent.
pub fn read(root: &Path) -> Project {
    let mut p = Project::default();
    if let Some(pkg) = load(&root.join("package.json"), json::parse) {
        p.npm_provenance = provenance(&pkg);
        p.agent = npm_marker(&pkg);
        if p.agent.is_none() {
            // A monorepo publishes its workspace packages: the agent or MCP package
            // decides, and its own provenance setting with it.
            let mut members = workspace_members(root, &pkg);
            // MCP packages first, then by directory, for a stable reason.
            members.sort_by_key(|(d, m)| (m.get("mcpName").is_none(), d.clone()));
            if let Some((dir, m, why)) = members
                .iter()
                .find_map(|(d, m)| npm_marker(m).map(|w| (d, m, w)))
            {
                p.agent = Some(format!("{dir}/{why}"));
                p.npm_provenance = provenance(m);
            }
        }
    }
    if p.agent.is_none() {
        p.agent = load(&root.join("pyproject.toml"), toml::parse).and_then(|t| py_marker(&t));
    }
    if p.agent.is_none() {
        p.agent = load(&root.join("Cargo.toml"), toml::parse).and_then(|t| cargo_marker(&t));
    }
    if p.agent.is_none() && root.join("server.json").is_file() {
        p.agent = Some("server.json (MCP registry entry)".into());
    }
    p
}

fn provenance(pkg: &Node) -> bool {
    pkg.get("publishConfig")
        .and_then(|c| c.get("provenance"))
        .and_then(Node::as_bool)
        == Some(true)
}

/// Packages of `workspaces` globs of the form `dir/*` or `dir/name` (npm, yarn, and
/// pnpm's `pnpm-workspace.yaml` list the same way), at most 64.
fn workspace_members(root: &Path, pkg: &Node) -> Vec<(String, Node)> {
    let ws = pkg.get("workspaces");
    let mut globs: Vec<String> = ws
        .map(|w| w.get("packages").unwrap_or(w))
        .map(|w| {
            w.items()
                .iter()
                .filter_map(|i| i.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if let Some(pnpm) = load(
        &root.join("pnpm-workspace.yaml"),
        crate::manifest::yaml::parse,
    ) {
        if let Some(list) = pnpm.get("packages") {
            globs.extend(
                list.items()
                    .iter()
                    .filter_map(|i| i.as_str().map(String::from)),
            );
        }
    }
    let mut out = Vec::new();
    for g in globs {
        if g.starts_with('!') || g.contains("..") {
            continue;
        }
        let dirs: Vec<PathBuf> = match g.strip_suffix("/*") {
            Some(parent) => std::fs::read_dir(root.join(parent))
                .map(|rd| rd.flatten().map(|e| e.path()).collect())
                .unwrap_or_default(),
            None if !g.contains('*') => vec![root.join(&g)],
            None => Vec::new(),
        };
        for d in dirs {
            if out.len() >= 64 {
                return out;
            }
            if let Some(m) = load(&d.join("package.json"), json::parse) {
                let rel = d
                    .strip_prefix(root)
                    .unwrap_or(&d)
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, m));
            }
        }
    }
    out
}

fn load(
    path: &Path,
    parse: fn(&str) -> Result<crate::manifest::Document, crate::manifest::ParseError>,
) -> Option<Node> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_MANIFEST {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    parse(&text).ok()?.roots.into_iter().next()
}

/// Why a package.json is an agent or MCP package.
pub fn npm_marker(pkg: &Node) -> Option<String> {
    if pkg.get("mcpName").and_then(Node::as_str).is_some() {
        return Some("package.json has `mcpName`".into());
    }
    ["dependencies", "peerDependencies"]
        .iter()
        .filter_map(|k| pkg.get(k))
        .flat_map(|d| d.entries())
        .find(|e| NPM_MARKERS.contains(&e.key.as_str()))
        .map(|e| format!("package.json depends on {}", e.key))
}

fn py_marker(t: &Node) -> Option<String> {
    let project = t.get("project");
    let mut names: Vec<String> = project
        .and_then(|p| p.get("dependencies"))
        .map(|d| {
            d.items()
                .iter()
                .filter_map(|i| i.as_str())
                .map(requirement_name)
                .collect()
        })
        .unwrap_or_default();
    if let Some(poetry) = t
        .get("tool")
        .and_then(|x| x.get("poetry"))
        .and_then(|x| x.get("dependencies"))
    {
        names.extend(poetry.entries().iter().map(|e| e.key.to_ascii_lowercase()));
    }
    names
        .into_iter()
        .find(|n| PY_MARKERS.contains(&n.as_str()) || n.starts_with("langchain"))
        .map(|n| format!("pyproject.toml depends on {n}"))
}

/// `fastmcp[cli]>=2.0 ; python_version > "3.9"` → `fastmcp`.
fn requirement_name(req: &str) -> String {
    req.trim()
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .replace('_', "-")
}

fn cargo_marker(t: &Node) -> Option<String> {
    let deps = [
        t.get("dependencies"),
        t.get("workspace").and_then(|w| w.get("dependencies")),
    ];
    deps.into_iter()
        .flatten()
        .flat_map(|d| d.entries())
        .find(|e| CARGO_MARKERS.contains(&e.key.as_str()))
        .map(|e| format!("Cargo.toml depends on {}", e.key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        let pkg = json::parse(r#"{"name":"x","mcpName":"io.github.a/x"}"#)
            .unwrap()
            .roots
            .remove(0);
        assert!(npm_marker(&pkg).is_some());
        let pkg = json::parse(r#"{"dependencies":{"express":"1"}}"#)
            .unwrap()
            .roots
            .remove(0);
        assert!(npm_marker(&pkg).is_none());
        let py = toml::parse("[project]\ndependencies = [\"FastMCP[cli]>=2\", \"httpx\"]\n")
            .unwrap()
            .roots
            .remove(0);
        assert_eq!(
            py_marker(&py).as_deref(),
            Some("pyproject.toml depends on fastmcp")
        );
        let py = toml::parse("[project]\ndependencies = [\"mcpx\"]\n")
            .unwrap()
            .roots
            .remove(0);
        assert!(py_marker(&py).is_none());
        let cargo = toml::parse("[dependencies]\nrmcp = \"0.8\"\n")
            .unwrap()
            .roots
            .remove(0);
        assert!(cargo_marker(&cargo).is_some());
    }

    #[test]
    fn roots() {
        assert_eq!(
            workflow_root(Path::new("/r/.github/workflows/a.yml")),
            Some(PathBuf::from("/r"))
        );
        assert_eq!(workflow_root(Path::new("/r/ci/a.yml")), None);
        assert_eq!(workflow_root(Path::new("a.yml")), None);
    }
}
