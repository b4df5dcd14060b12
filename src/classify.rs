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
    /// `opencode.json(c)`: servers under `mcp`, command lines as arrays.
    OpenCode,
    /// Qwen Code `.qwen/settings.json` (Gemini CLI's format).
    Qwen,
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
            Client::OpenCode => "opencode",
            Client::Qwen => "qwen-code",
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
    /// Gemini CLI and Codex keep their other settings in the same files.
    McpConfig(Client, Format),
    /// Claude Code settings: `.claude/settings.json`, `.claude/settings.local.json`,
    /// `managed-settings.json`, plugin `hooks/hooks.json`.
    ClaudeSettings,
    /// `.vscode/settings.json` and the `settings` of a `*.code-workspace`.
    VsCodeSettings,
    /// `.vscode/tasks.json`.
    VsCodeTasks,
    /// An A2A agent card.
    A2aCard,
    /// CrewAI `config/agents.yaml` or `config/tasks.yaml`.
    CrewAi,
    /// A Docker Compose file.
    Compose,
    /// Kubernetes manifests (any YAML with `apiVersion` and `kind`).
    Kubernetes,
    /// `Dockerfile`, `*.Dockerfile`, `Containerfile`.
    Dockerfile,
    /// `devcontainer.json`.
    Devcontainer,
    /// A GitHub Actions workflow or composite action.
    Workflow,
    /// Agent instruction, rule, skill and prompt files (Markdown or plain text).
    Instructions,
    /// Shell scripts, Makefiles, justfiles, Procfiles: command lines.
    Shell,
    /// `package.json`: scripts, and `mcpName` for MCP packages.
    PackageJson,
    /// A signed-artifact candidate (model weights, MCPB bundles); never read as text.
    Artifact(ArtifactKind),
    /// A Sigstore bundle (`*.sigstore.json`) next to the artifact it signs.
    SigstoreBundle,
    /// A committed dotenv file (`.env`, `.env.production`, `.gemini/.env`).
    Dotenv,
    /// Source code that may define agent tools; parsed with the language's grammar.
    Code(Lang),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactKind {
    /// Model weights (`*.safetensors`, `*.gguf`, `*.onnx`, `*.pt`, ...).
    Model,
    /// An MCPB (formerly DXT) bundle.
    Mcpb,
    /// A file of no known kind that a `[signing] require` glob selects.
    Required,
}

pub use crate::lang::Lang;

/// How a file of a kind is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A spanned document.
    Doc(Format),
    /// Text, read whole (Markdown, Dockerfile, shell).
    Text,
    /// Not read: rules look at the path and its neighbours.
    Bytes,
}

impl FileKind {
    pub fn form(self) -> Form {
        use FileKind::*;
        match self {
            McpConfig(_, f) => Form::Doc(f),
            ClaudeSettings | VsCodeSettings | VsCodeTasks | A2aCard | Devcontainer
            | PackageJson | SigstoreBundle => Form::Doc(Format::Json),
            CrewAi | Compose | Kubernetes | Workflow => Form::Doc(Format::Yaml),
            Dockerfile | Instructions | Shell | Dotenv | Code(_) => Form::Text,
            Artifact(_) => Form::Bytes,
        }
    }

    /// The name used in messages and the JSON report.
    pub fn as_str(self) -> &'static str {
        use FileKind::*;
        match self {
            McpConfig(..) => "mcp-config",
            ClaudeSettings => "claude-settings",
            VsCodeSettings => "vscode-settings",
            VsCodeTasks => "vscode-tasks",
            A2aCard => "a2a-card",
            CrewAi => "crewai",
            Compose => "compose",
            Kubernetes => "k8s",
            Dockerfile => "dockerfile",
            Devcontainer => "devcontainer",
            Workflow => "gha",
            Instructions => "instructions",
            Shell => "shell",
            PackageJson => "package-json",
            Artifact(_) => "artifact",
            SigstoreBundle => "sigstore-bundle",
            Dotenv => "dotenv",
            Code(l) => l.as_str(),
        }
    }
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
    mcp_by_path(&lower).or_else(|| other_by_path(&lower))
}

fn mcp_by_path(lower: &str) -> Option<(FileKind, Certainty)> {
    let name = lower.rsplit('/').next().unwrap_or(lower);
    let parent = parent_dir(lower);
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
        (".qwen", "settings.json") => mcp(Qwen, Json, Path),
        (_, "opencode.json" | "opencode.jsonc") => mcp(OpenCode, Json, Path),
        ("gemini-cli", "settings.json" | "system-defaults.json") => mcp(Gemini, Json, Shape),
        (".codex", "config.toml") => mcp(Codex, Toml, Path),
        // Codex custom agents: one TOML file each, with their own `sandbox_mode` and
        // `mcp_servers`.
        ("agents", n) if n.ends_with(".toml") && lower.contains(".codex/agents/") => {
            mcp(Codex, Toml, Path)
        }
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

const INSTRUCTION_NAMES: &[&str] = &[
    "claude.md",
    "claude.local.md",
    "agents.md",
    "agent.md",
    "gemini.md",
    "skill.md",
    ".cursorrules",
    ".windsurfrules",
    ".clinerules",
    "copilot-instructions.md",
];

const MODEL_EXTENSIONS: &[&str] = &[
    "safetensors",
    "gguf",
    "onnx",
    "pt",
    "pth",
    "ckpt",
    "h5",
    "keras",
    "tflite",
    "pkl",
    "joblib",
];

fn other_by_path(lower: &str) -> Option<(FileKind, Certainty)> {
    use Certainty::*;
    use FileKind::*;
    let name = lower.rsplit('/').next().unwrap_or(lower);
    let parent = parent_dir(lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let yaml = ext == "yaml" || ext == "yml";
    let under = |dir: &str| lower.starts_with(dir) || lower.contains(&format!("/{dir}"));
    let kind = match (parent, name) {
        (".claude", "settings.json" | "settings.local.json") => (ClaudeSettings, Path),
        ("claude", "settings.json") => (ClaudeSettings, Shape),
        (_, "managed-settings.json") => (ClaudeSettings, Path),
        ("hooks", "hooks.json") => (ClaudeSettings, Shape),
        (".vscode", "settings.json") => (VsCodeSettings, Path),
        (_, n) if n.ends_with(".code-workspace") => (VsCodeSettings, Path),
        (".vscode", "tasks.json") => (VsCodeTasks, Path),
        (".well-known", "agent-card.json" | "agent.json") => (A2aCard, Path),
        (_, "agent-card.json" | "agent_card.json") => (A2aCard, Shape),
        // Multi-agent samples keep one card per agent in a directory.
        ("agent_cards" | "agent-cards", n) if n.ends_with(".json") => (A2aCard, Shape),
        ("config", "agents.yaml" | "agents.yml" | "tasks.yaml" | "tasks.yml") => (CrewAi, Shape),
        (".devcontainer", "devcontainer.json") | (_, ".devcontainer.json") => (Devcontainer, Path),
        (_, "devcontainer.json") if under(".devcontainer/") => (Devcontainer, Path),
        ("workflows", _) if yaml && under(".github/workflows/") => (Workflow, Path),
        (_, "action.yml" | "action.yaml") => (Workflow, Shape),
        (_, n) if yaml && (n.starts_with("docker-compose") || n.starts_with("compose")) => {
            (Compose, Shape)
        }
        (_, "dockerfile" | "containerfile") => (Dockerfile, Path),
        (_, n) if n.starts_with("dockerfile.") || ext == "dockerfile" => (Dockerfile, Path),
        (_, n) if INSTRUCTION_NAMES.contains(&n) => (Instructions, Path),
        // VS Code custom agents (`.github/agents/*.agent.md`, formerly
        // `.github/chatmodes/*.chatmode.md`) are instructions with a tool list.
        (_, n)
            if n.ends_with(".instructions.md")
                || n.ends_with(".prompt.md")
                || n.ends_with(".agent.md")
                || n.ends_with(".chatmode.md") =>
        {
            (Instructions, Path)
        }
        (_, n) if n.ends_with(".prompt") => (Instructions, Path),
        (_, _)
            if (ext == "md" || ext == "mdc" || ext == "txt")
                && (under(".cursor/rules/")
                    || under(".windsurf/rules/")
                    || under(".windsurf/workflows/")
                    || under(".clinerules/")
                    || under(".roo/rules")
                    || under(".claude/agents/")
                    || under(".claude/commands/")
                    || under(".github/prompts/")
                    || under(".github/instructions/")
                    || under("prompts/")) =>
        {
            (Instructions, Path)
        }
        // Scripts are read only for command lines: one that is not UTF-8 text is
        // skipped rather than failing the scan.
        (_, "makefile" | "gnumakefile" | "justfile" | "procfile") => (Shell, Shape),
        // Shell start-up files: where aliases that add agent flags to every run live.
        (
            _,
            ".bashrc" | ".zshrc" | ".bash_profile" | ".bash_aliases" | ".profile" | ".zprofile",
        ) => (Shell, Shape),
        (_, _) if matches!(ext, "sh" | "bash" | "zsh" | "mk") => (Shell, Shape),
        (_, "package.json") => (PackageJson, Shape),
        // A dotenv file that reached the scan is not ignored by git: its values are
        // shared with everyone who clones. Read leniently (Shape): a binary or
        // non-UTF-8 file of that name is skipped.
        (_, n) if n == ".env" || (n.starts_with(".env.") && !n.ends_with(".vault")) => {
            (Dotenv, Shape)
        }
        (_, n) if n.ends_with(".sigstore.json") => (SigstoreBundle, Path),
        (_, _) if MODEL_EXTENSIONS.contains(&ext) => (Artifact(ArtifactKind::Model), Path),
        // Hugging Face transformers' pickle-based weights (`pytorch_model.bin`,
        // `pytorch_model-00001-of-00002.bin`); `.bin` alone is too generic.
        (_, n) if n.starts_with("pytorch_model") && ext == "bin" => {
            (Artifact(ArtifactKind::Model), Path)
        }
        (_, _) if ext == "mcpb" || ext == "dxt" => (Artifact(ArtifactKind::Mcpb), Path),
        // Cargo's build output holds generated sources (`build.rs` outputs, expansions).
        (_, _) if ext == "rs" && lower.split('/').rev().skip(1).any(|s| s == "target") => {
            return None
        }
        (_, n) if code_lang(n, ext).is_some() && !generated_dir(lower) => {
            // Code is common and mostly irrelevant: content that is not UTF-8 text or
            // is too large is skipped, not reported.
            (Code(code_lang(n, ext)?), Shape)
        }
        // Lock files are large and never manifests.
        (_, n) if yaml && n.ends_with("lock.yaml") => return None,
        // Any other YAML may be a Kubernetes manifest; its content decides.
        (_, _) if yaml => (Kubernetes, Shape),
        _ => return None,
    };
    Some(kind)
}

/// The language of a source file by extension; bundles, minified files and type
/// declarations hold no tool code worth the parse.
fn code_lang(name: &str, ext: &str) -> Option<Lang> {
    if name.ends_with(".min.js")
        || name.ends_with("-min.js")
        || name.ends_with(".bundle.js")
        || name.ends_with(".d.ts")
        || name.ends_with(".d.mts")
        || name.ends_with(".d.cts")
    {
        return None;
    }
    match ext {
        "py" => Some(Lang::Python),
        "js" | "jsx" | "mjs" | "cjs" => Some(Lang::JavaScript),
        "ts" | "mts" | "cts" => Some(Lang::TypeScript),
        "tsx" => Some(Lang::Tsx),
        "rs" => Some(Lang::Rust),
        _ => None,
    }
}

/// Build output and installed packages, which are usually ignored by git but not
/// always (a committed `dist/` or virtualenv).
fn generated_dir(lower: &str) -> bool {
    lower.split('/').rev().skip(1).any(|seg| {
        matches!(
            seg,
            "node_modules"
                | "dist"
                | "build"
                | "site-packages"
                | ".venv"
                | "venv"
                | "__pycache__"
                | ".next"
                | "out"
                | "vendor"
                | "bower_components"
        )
    })
}

fn parent_dir(lower: &str) -> &str {
    let mut it = lower.rsplit('/');
    it.next();
    it.next().unwrap_or("")
}

/// For shape-classified files: does the parsed root look like this kind?
pub fn shape_matches(kind: FileKind, root: &Node) -> bool {
    use FileKind::*;
    let has = |k: &str| root.get(k).is_some();
    match kind {
        McpConfig(client, _) => mcp_shape_matches(client, root),
        ClaudeSettings => [
            "permissions",
            "hooks",
            "env",
            "apiKeyHelper",
            "statusLine",
            "enableAllProjectMcpServers",
            "enabledMcpjsonServers",
        ]
        .iter()
        .any(|k| has(k)),
        // Required by every A2A version: `name`, `skills` and `capabilities`; then an
        // address: `url` up to 0.3, `supportedInterfaces` from 1.0.
        A2aCard => {
            let array = |k: &str| root.get(k).is_some_and(Node::is_array);
            root.get("name").and_then(Node::as_str).is_some()
                && (array("skills")
                    || root.get("capabilities").is_some_and(Node::is_object)
                    || array("supportedInterfaces"))
                && (root.get("url").and_then(Node::as_str).is_some()
                    || array("supportedInterfaces")
                    || array("additionalInterfaces")
                    || has("protocolVersion"))
        }
        CrewAi => {
            let e = root.entries();
            !e.is_empty()
                && e.iter().all(|e| {
                    [
                        "role",
                        "goal",
                        "backstory",
                        "description",
                        "expected_output",
                    ]
                    .iter()
                    .any(|k| e.value.get(k).is_some())
                })
        }
        Compose => root.get("services").is_some_and(Node::is_object),
        Kubernetes => {
            root.get("apiVersion").and_then(Node::as_str).is_some()
                && root.get("kind").and_then(Node::as_str).is_some()
        }
        Workflow => has("runs") || (has("on") && has("jobs")),
        PackageJson => root.get("scripts").is_some_and(Node::is_object) || has("mcpName"),
        _ => true,
    }
}

fn mcp_shape_matches(client: Client, root: &Node) -> bool {
    match client {
        Client::Codex => {
            root.get("mcp_servers").is_some_and(Node::is_object)
                || [
                    "sandbox_mode",
                    "approval_policy",
                    "model_provider",
                    "model_providers",
                    "profiles",
                    "notify",
                ]
                .iter()
                .any(|k| root.get(k).is_some())
        }
        Client::Gemini => root.is_object(),
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
        match by_path(p) {
            Some((FileKind::McpConfig(c, _), _)) => Some(c),
            _ => None,
        }
    }

    fn kind(p: &str) -> Option<FileKind> {
        by_path(p).map(|(k, _)| k)
    }

    #[test]
    fn other_kinds() {
        use FileKind::*;
        assert_eq!(kind(".claude/settings.json"), Some(ClaudeSettings));
        assert_eq!(kind("a/.claude/settings.local.json"), Some(ClaudeSettings));
        assert_eq!(kind(".vscode/settings.json"), Some(VsCodeSettings));
        assert_eq!(kind("x.code-workspace"), Some(VsCodeSettings));
        assert_eq!(kind("web/.well-known/agent-card.json"), Some(A2aCard));
        assert_eq!(kind("a2a/agent_cards/planner.json"), Some(A2aCard));
        assert_eq!(kind("src/agent_card.json"), Some(A2aCard));
        assert_eq!(kind("src/cards/planner.json"), None);
        assert_eq!(kind("crew/src/config/agents.yaml"), Some(CrewAi));
        assert_eq!(kind("docker-compose.prod.yml"), Some(Compose));
        assert_eq!(kind("deploy/app.yaml"), Some(Kubernetes));
        assert_eq!(kind("pnpm-lock.yaml"), None);
        assert_eq!(kind("Dockerfile"), Some(Dockerfile));
        assert_eq!(kind("docker/api.Dockerfile"), Some(Dockerfile));
        assert_eq!(kind(".devcontainer/devcontainer.json"), Some(Devcontainer));
        assert_eq!(kind(".github/workflows/ci.yml"), Some(Workflow));
        assert_eq!(kind("AGENTS.md"), Some(Instructions));
        assert_eq!(kind("skills/pdf/SKILL.md"), Some(Instructions));
        assert_eq!(kind(".cursor/rules/style.mdc"), Some(Instructions));
        assert_eq!(kind(".github/agents/review.agent.md"), Some(Instructions));
        assert_eq!(
            kind(".github/chatmodes/plan.chatmode.md"),
            Some(Instructions)
        );
        assert_eq!(kind("README.md"), None);
        assert_eq!(kind("scripts/run.sh"), Some(Shell));
        assert_eq!(kind("Makefile"), Some(Shell));
        assert_eq!(kind("dotfiles/.zshrc"), Some(Shell));
        assert_eq!(kind("package.json"), Some(PackageJson));
        assert_eq!(
            kind("model.safetensors"),
            Some(Artifact(ArtifactKind::Model))
        );
        assert_eq!(kind("dist/x.mcpb"), Some(Artifact(ArtifactKind::Mcpb)));
        assert_eq!(
            kind("m/pytorch_model-00001-of-00002.bin"),
            Some(Artifact(ArtifactKind::Model))
        );
        assert_eq!(kind("openvino/openvino_model.bin"), None);
        assert_eq!(kind("dist/x.mcpb.sigstore.json"), Some(SigstoreBundle));
        assert_eq!(kind("src/main.rs"), Some(Code(Lang::Rust)));
        assert_eq!(kind("target/debug/build/x-1/out/bindings.rs"), None);
        assert_eq!(kind("vendor/rmcp/src/lib.rs"), None);
        assert_eq!(kind(".gemini/.env"), Some(Dotenv));
        assert_eq!(kind("deploy/.env.production"), Some(Dotenv));
        assert_eq!(kind(".envrc"), None);
        assert_eq!(kind("src/server.py"), Some(Code(Lang::Python)));
        assert_eq!(kind("src/index.ts"), Some(Code(Lang::TypeScript)));
        assert_eq!(kind("src/App.tsx"), Some(Code(Lang::Tsx)));
        assert_eq!(kind("bin/cli.mjs"), Some(Code(Lang::JavaScript)));
        assert_eq!(kind("lib/x.cjs"), Some(Code(Lang::JavaScript)));
        assert_eq!(kind("web/app.jsx"), Some(Code(Lang::JavaScript)));
        assert_eq!(kind("static/jquery.min.js"), None);
        assert_eq!(kind("types/index.d.ts"), None);
        assert_eq!(kind("node_modules/a/index.js"), None);
        assert_eq!(kind("pkg/dist/index.js"), None);
        assert_eq!(kind(".venv/lib/site-packages/x.py"), None);
    }

    #[test]
    fn card_shapes() {
        let shape = |src: &str| {
            let doc = crate::manifest::json::parse(src).expect("json");
            shape_matches(FileKind::A2aCard, &doc.roots[0])
        };
        // 0.3: url + preferredTransport + additionalInterfaces.
        assert!(shape(
            r#"{"name":"a","protocolVersion":"0.3.0","url":"https://a/x","preferredTransport":"JSONRPC","capabilities":{},"skills":[]}"#
        ));
        // 1.0: supportedInterfaces, no top-level url.
        assert!(shape(
            r#"{"name":"a","supportedInterfaces":[{"url":"https://a/x","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],"capabilities":{},"skills":[]}"#
        ));
        assert!(!shape(r#"{"name":"a","url":"https://a"}"#));
        assert!(!shape(r#"{"name":{"x":1},"url":"https://a","skills":[]}"#));
        assert!(!shape(
            r#"{"name":"pkg","skills":"x","capabilities":[],"url":"u"}"#
        ));
        assert!(!shape("[]"));
    }

    #[test]
    fn known_paths() {
        assert_eq!(client(".mcp.json"), Some(Client::ClaudeCode));
        assert_eq!(client("a/.cursor/mcp.json"), Some(Client::Cursor));
        assert_eq!(client(".vscode/mcp.json"), Some(Client::VsCode));
        assert_eq!(client(".codex/config.toml"), Some(Client::Codex));
        assert_eq!(client(".codex/agents/reviewer.toml"), Some(Client::Codex));
        assert_eq!(client("agents/reviewer.toml"), None);
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
        assert_eq!(client(".opencode/opencode.jsonc"), Some(Client::OpenCode));
        assert_eq!(client(".qwen/settings.json"), Some(Client::Qwen));
        assert_eq!(client("plugin.json"), None);
        assert_eq!(client("package.json"), None);
        assert_eq!(client(".vscode/settings.json"), None);
        assert_eq!(client(".claude/settings.json"), None);
    }
}
