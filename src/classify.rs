//! Decides what a file is from its path, and for generic names from its shape.

use crate::manifest::Node;

/// The MCP client whose configuration format a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    ClaudeDesktop,
    /// `.mcp.json` in a project.
    ClaudeCode,
    /// `~/.claude.json`: top-level and per-project servers.
    ClaudeUser,
    Cursor,
    VsCode,
    Windsurf,
    Cline,
    Roo,
    Gemini,
    Codex,
    Continue,
    Zed,
    /// `server.json` of the MCP Registry.
    McpRegistry,
    /// `manifest.json` of an MCPB (formerly DXT) bundle.
    Mcpb,
    /// A `mcp*.json` file of no known client, read by its shape.
    Generic,
}

impl Client {
    pub fn as_str(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "claude-desktop",
            Client::ClaudeCode => "claude-code",
            Client::ClaudeUser => "claude-code-user",
            Client::Cursor => "cursor",
            Client::VsCode => "vscode",
            Client::Windsurf => "windsurf",
            Client::Cline => "cline",
            Client::Roo => "roo",
            Client::Gemini => "gemini-cli",
            Client::Codex => "codex",
            Client::Continue => "continue",
            Client::Zed => "zed",
            Client::McpRegistry => "mcp-registry",
            Client::Mcpb => "mcpb",
            Client::Generic => "mcp",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    Toml,
}

/// What a file is, as far as the rules are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A file that may hold MCP server configuration; confirmed by shape for
    /// names that other tools use too (`manifest.json`, `server.json`, `mcp*.json`).
    McpConfig(Client, Format),
}

/// How sure the path alone is about a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    /// The path is the client's own: parse failures are findings.
    Path,
    /// A common file name: the content decides, and a file that does not parse or
    /// does not have the shape is simply not this kind.
    Shape,
}

/// Classifies by path alone (relative, '/' separators). Returns `None` for files no
/// rule reads, so they are never opened.
pub fn by_path(path: &str) -> Option<(FileKind, Certainty)> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let parent = parent_dir(&lower);
    use Certainty::*;
    use Client::*;
    use Format::*;
    let mcp = |c, f, s| Some((FileKind::McpConfig(c, f), s));
    match (parent, name) {
        (_, ".mcp.json") => mcp(ClaudeCode, Json, Path),
        (_, ".claude.json") => mcp(ClaudeUser, Json, Path),
        (_, "claude_desktop_config.json") => mcp(ClaudeDesktop, Json, Path),
        (".cursor", "mcp.json") => mcp(Cursor, Json, Path),
        (".vscode", "mcp.json") => mcp(VsCode, Json, Path),
        (".roo", "mcp.json") => mcp(Roo, Json, Path),
        (".gemini", "settings.json") => mcp(Gemini, Json, Path),
        (".codex", "config.toml") => mcp(Codex, Toml, Path),
        (".zed", "settings.json") | ("zed", "settings.json") => mcp(Zed, Json, Path),
        (_, "mcp_config.json") => mcp(Windsurf, Json, Path),
        (_, "cline_mcp_settings.json") => mcp(Cline, Json, Path),
        (".continue", "config.yaml") | (".continue", "config.yml") => mcp(Continue, Yaml, Path),
        ("mcpservers", n) if lower.contains(".continue/mcpservers/") => {
            if n.ends_with(".yaml") || n.ends_with(".yml") {
                mcp(Continue, Yaml, Path)
            } else if n.ends_with(".json") {
                mcp(Continue, Json, Path)
            } else {
                None
            }
        }
        ("agents" | "assistants" | "configs", n)
            if lower.contains(".continue/") && (n.ends_with(".yaml") || n.ends_with(".yml")) =>
        {
            // Continue loads these as whole configurations.
            mcp(Continue, Yaml, Path)
        }
        (_, "gemini-extension.json") => mcp(Gemini, Json, Path),
        (".claude-plugin" | ".cursor-plugin", "plugin.json") => mcp(Generic, Json, Shape),
        ("codex", "config.toml") => mcp(Codex, Toml, Shape),
        (_, "server.json") => mcp(McpRegistry, Json, Shape),
        (_, "manifest.json") => mcp(Mcpb, Json, Shape),
        (_, n) if n.starts_with("mcp") && n.ends_with(".json") => mcp(Generic, Json, Shape),
        _ => None,
    }
}

fn parent_dir(lower: &str) -> &str {
    let mut it = lower.rsplit('/');
    it.next();
    it.next().unwrap_or("")
}

/// For shape-classified files: does the parsed root look like this kind?
pub fn shape_matches(client: Client, root: &Node) -> bool {
    match client {
        Client::Codex => root.get("mcp_servers").is_some_and(Node::is_object),
        Client::McpRegistry => {
            let schema = root.get("$schema").and_then(Node::as_str).unwrap_or("");
            schema.contains("modelcontextprotocol")
                || ((root.get("packages").is_some_and(Node::is_array)
                    || root.get("remotes").is_some_and(Node::is_array))
                    && root.get("name").and_then(Node::as_str).is_some())
        }
        Client::Mcpb => {
            (root.get("manifest_version").is_some() || root.get("dxt_version").is_some())
                && root.get("server").is_some_and(Node::is_object)
        }
        Client::Generic => {
            root.get("mcpServers").is_some_and(Node::is_object)
                || root.get("servers").is_some_and(|s| {
                    s.is_object()
                        && s.entries().iter().all(|e| {
                            ["command", "url", "type"]
                                .iter()
                                .any(|k| e.value.get(k).is_some())
                        })
                })
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(p: &str) -> Option<Client> {
        by_path(p).map(|(FileKind::McpConfig(c, _), _)| c)
    }

    #[test]
    fn known_paths() {
        assert_eq!(client(".mcp.json"), Some(Client::ClaudeCode));
        assert_eq!(client("a/.cursor/mcp.json"), Some(Client::Cursor));
        assert_eq!(client(".vscode/mcp.json"), Some(Client::VsCode));
        assert_eq!(client(".codex/config.toml"), Some(Client::Codex));
        assert_eq!(
            client(".continue/mcpServers/x.yaml"),
            Some(Client::Continue)
        );
        assert_eq!(client("cfg/mcp-servers.json"), Some(Client::Generic));
        assert_eq!(client("src/config.toml"), None);
        assert_eq!(client("gemini-extension.json"), Some(Client::Gemini));
        assert_eq!(client(".continue/agents/a.yaml"), Some(Client::Continue));
        assert_eq!(
            client("p/.claude-plugin/plugin.json"),
            Some(Client::Generic)
        );
        assert_eq!(client("dotfiles/codex/config.toml"), Some(Client::Codex));
        assert_eq!(client("plugin.json"), None);
        assert_eq!(client("package.json"), None);
        assert_eq!(client(".vscode/settings.json"), None);
    }
}
