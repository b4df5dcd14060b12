//! Every client's MCP server shape lowered into one record, so each rule is written
//! once. Fields borrow the parsed nodes, so every finding keeps the exact span.

use crate::classify::Client;

use super::{Node, Route, Span};

/// A value in the record together with the route it came from.
#[derive(Debug, Clone)]
pub struct Field<'a> {
    pub node: &'a Node,
    pub route: Route,
}

impl<'a> Field<'a> {
    pub fn new(node: &'a Node, route: Route) -> Self {
        Field { node, route }
    }

    pub fn text(&self) -> String {
        self.node.scalar_text().unwrap_or_default()
    }
}

/// A key/value pair of an `env` or `headers` map.
#[derive(Debug, Clone)]
pub struct Pair<'a> {
    pub key: String,
    pub key_span: Span,
    pub value: Field<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Stdio,
    Http,
    Sse,
    Unknown,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Http => "http",
            Transport::Sse => "sse",
            Transport::Unknown => "unknown",
        }
    }
}

/// One MCP server, whatever client's file it came from.
#[derive(Debug, Clone)]
pub struct McpServer<'a> {
    pub client: Client,
    pub name: String,
    /// The server's key (or `name` value) in the file.
    pub name_span: Span,
    /// The server's own object.
    pub route: Route,
    pub transport: Transport,
    pub command: Option<Field<'a>>,
    pub args: Vec<Field<'a>>,
    pub env: Vec<Pair<'a>>,
    pub url: Option<Field<'a>>,
    /// Literal headers (`headers`, Codex `http_headers`).
    pub headers: Vec<Pair<'a>>,
    /// Credentials supplied indirectly: Codex `bearer_token_env_var`,
    /// `env_http_headers`, Gemini `oauth`/`authProviderType`, MCP Registry header
    /// declarations. Their presence means the entry authenticates.
    pub auth_refs: Vec<Field<'a>>,
    /// Cline `autoApprove`, Roo `alwaysAllow`: tools run without confirmation.
    pub auto_approve: Option<Field<'a>>,
    /// Gemini `trust: true`: every tool call of the server skips confirmation.
    pub trust: Option<Field<'a>>,
}

impl McpServer<'_> {
    /// The command line as words: command then args (Zed's object form included).
    pub fn argv(&self) -> Vec<String> {
        self.command
            .iter()
            .chain(self.args.iter())
            .map(Field::text)
            .collect()
    }
}

/// Lowers a parsed document's root into the servers it declares.
pub fn servers<'a>(client: Client, root: &'a Node) -> Vec<McpServer<'a>> {
    let mut out = Vec::new();
    let r = Route::root();
    match client {
        Client::VsCode => map_form(client, root, &r, "servers", &mut out),
        Client::Zed => map_form(client, root, &r, "context_servers", &mut out),
        Client::Codex => map_form(client, root, &r, "mcp_servers", &mut out),
        Client::ClaudeUser => {
            map_form(client, root, &r, "mcpServers", &mut out);
            if let Some(projects) = root.get("projects") {
                let pr = r.key("projects");
                for p in projects.entries() {
                    map_form(client, &p.value, &pr.key(&p.key), "mcpServers", &mut out);
                }
            }
        }
        Client::Continue => {
            if let Some(list) = root.get("mcpServers").filter(|n| n.is_array()) {
                let lr = r.key("mcpServers");
                for (i, item) in list.items().iter().enumerate() {
                    let name_node = item.get("name");
                    let name = name_node.and_then(Node::as_str).unwrap_or("").to_string();
                    let span = name_node.map_or(item.span.clone(), |n| n.span.clone());
                    out.push(lower(client, name, span, item, lr.index(i)));
                }
            } else {
                map_form(client, root, &r, "mcpServers", &mut out);
            }
        }
        Client::Mcpb => {
            if let Some(cfg) = root.get("server").and_then(|s| s.get("mcp_config")) {
                let name = root
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string();
                let span = root
                    .entry("name")
                    .map_or(cfg.span.clone(), |e| e.value.span.clone());
                out.push(lower(
                    client,
                    name,
                    span,
                    cfg,
                    r.key("server").key("mcp_config"),
                ));
            }
        }
        Client::McpRegistry => registry(root, &mut out),
        Client::OpenCode => {
            // `mcp.<name>`; newer releases also accept `mcp.servers.<name>`.
            let nested = root
                .get("mcp")
                .and_then(|m| m.get("servers"))
                .is_some_and(|s| s.entries().iter().all(|e| e.value.get("type").is_some()));
            match root.get("mcp") {
                Some(m) if nested => map_form(client, m, &r.key("mcp"), "servers", &mut out),
                _ => map_form(client, root, &r, "mcp", &mut out),
            }
        }
        Client::Generic => {
            if root.get("mcpServers").is_some() {
                map_form(client, root, &r, "mcpServers", &mut out);
            } else {
                map_form(client, root, &r, "servers", &mut out);
            }
        }
        _ => map_form(client, root, &r, "mcpServers", &mut out),
    }
    out
}

fn map_form<'a>(
    client: Client,
    parent: &'a Node,
    at: &Route,
    key: &str,
    out: &mut Vec<McpServer<'a>>,
) {
    let Some(map) = parent.get(key) else { return };
    let mr = at.key(key);
    for e in map.entries() {
        if e.value.is_object() {
            out.push(lower(
                client,
                e.key.clone(),
                e.key_span.clone(),
                &e.value,
                mr.key(&e.key),
            ));
        }
    }
}

fn field<'a>(node: &'a Node, route: &Route, key: &str) -> Option<Field<'a>> {
    node.get(key).map(|n| Field::new(n, route.key(key)))
}

fn pairs<'a>(node: Option<&'a Node>, route: Route) -> Vec<Pair<'a>> {
    node.map(|n| {
        n.entries()
            .iter()
            .map(|e| Pair {
                key: e.key.clone(),
                key_span: e.key_span.clone(),
                value: Field::new(&e.value, route.key(&e.key)),
            })
            .collect()
    })
    .unwrap_or_default()
}

fn list<'a>(node: Option<&'a Node>, route: Route) -> Vec<Field<'a>> {
    node.map(|n| {
        n.items()
            .iter()
            .enumerate()
            .map(|(i, x)| Field::new(x, route.index(i)))
            .collect()
    })
    .unwrap_or_default()
}

fn lower<'a>(
    client: Client,
    name: String,
    name_span: Span,
    n: &'a Node,
    route: Route,
) -> McpServer<'a> {
    // Zed's older form nests the command line: "command": {"path", "args", "env"}.
    let (cmd_node, cmd_route) = match n.get("command") {
        Some(c) if c.is_object() => (c, route.key("command")),
        _ => (n, route.clone()),
    };
    let mut command = if cmd_node.is_object() && !std::ptr::eq(cmd_node, n) {
        field(cmd_node, &cmd_route, "path")
    } else {
        field(n, &route, "command")
    };
    let mut args = list(cmd_node.get("args"), cmd_route.key("args"));
    // OpenCode: the whole command line is one array.
    if let Some(words) = n.get("command").filter(|c| c.is_array()) {
        let mut all = list(Some(words), route.key("command"));
        command = (!all.is_empty()).then(|| all.remove(0));
        args = all;
    }
    if !std::ptr::eq(cmd_node, n) {
        args.extend(list(n.get("args"), route.key("args")));
    }
    let mut env = pairs(n.get("env"), route.key("env"));
    env.extend(pairs(n.get("environment"), route.key("environment")));
    if !std::ptr::eq(cmd_node, n) {
        env.extend(pairs(cmd_node.get("env"), cmd_route.key("env")));
    }
    let url = ["url", "serverUrl", "httpUrl"]
        .iter()
        .rev()
        .find_map(|k| field(n, &route, k));
    let mut headers = pairs(n.get("headers"), route.key("headers"));
    headers.extend(pairs(n.get("http_headers"), route.key("http_headers")));
    // Continue: requestOptions.headers and apiKey.
    if let Some(ro) = n.get("requestOptions") {
        let rr = route.key("requestOptions");
        headers.extend(pairs(ro.get("headers"), rr.key("headers")));
    }
    // Inline credentials: Codex `bearer_token` (older releases), Continue `apiKey`.
    for k in ["bearer_token", "apiKey"] {
        if let Some(e) = n.entry(k) {
            headers.push(Pair {
                key: k.to_string(),
                key_span: e.key_span.clone(),
                value: Field::new(&e.value, route.key(k)),
            });
        }
    }
    let auth_refs = [
        "bearer_token_env_var",
        "env_http_headers",
        "oauth",
        "authProviderType",
    ]
    .iter()
    .filter_map(|k| field(n, &route, k))
    .collect();
    let declared = n.get("type").and_then(Node::as_str).unwrap_or("");
    let transport = match declared {
        "stdio" | "local" => Transport::Stdio,
        "http" | "streamable-http" | "streamableHttp" | "remote" => Transport::Http,
        "sse" => Transport::Sse,
        _ if n.get("httpUrl").is_some() => Transport::Http,
        _ if matches!(client, Client::Gemini | Client::Qwen) && n.get("url").is_some() => {
            Transport::Sse
        }
        _ if url.is_some() => Transport::Http,
        _ if command.is_some() => Transport::Stdio,
        _ => Transport::Unknown,
    };
    let auto_approve = field(n, &route, "autoApprove").or_else(|| field(n, &route, "alwaysAllow"));
    let trust = field(n, &route, "trust");
    McpServer {
        client,
        name,
        name_span,
        route,
        transport,
        command,
        args,
        env,
        url,
        headers,
        auth_refs,
        auto_approve,
        trust,
    }
}

/// MCP Registry `server.json`: each remote is a server; packages contribute their
/// declared environment variables and arguments (defaults and fixed values).
fn registry<'a>(root: &'a Node, out: &mut Vec<McpServer<'a>>) {
    let name = root
        .get("name")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let name_span = root
        .entry("name")
        .map_or(root.span.clone(), |e| e.value.span.clone());
    let r = Route::root();
    for (i, remote) in root
        .get("remotes")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let rr = r.key("remotes").index(i);
        let mut s = lower(
            Client::McpRegistry,
            name.clone(),
            name_span.clone(),
            remote,
            rr.clone(),
        );
        // Headers are declarations: [{name, value?, isSecret, ...}].
        s.headers.clear();
        for (j, h) in remote
            .get("headers")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let hr = rr.key("headers").index(j);
            match h.get("value") {
                Some(v) => s.headers.push(Pair {
                    key: h
                        .get("name")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string(),
                    key_span: h.get("name").map_or(h.span.clone(), |n| n.span.clone()),
                    value: Field::new(v, hr.key("value")),
                }),
                None => s.auth_refs.push(Field::new(h, hr)),
            }
        }
        s.transport = match remote.get("type").and_then(Node::as_str) {
            Some("sse") => Transport::Sse,
            _ => Transport::Http,
        };
        out.push(s);
    }
    for (i, pkg) in root
        .get("packages")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let pr = r.key("packages").index(i);
        let mut s = lower(
            Client::McpRegistry,
            name.clone(),
            name_span.clone(),
            pkg,
            pr.clone(),
        );
        for (j, v) in pkg
            .get("environmentVariables")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let vr = pr.key("environmentVariables").index(j);
            for k in ["value", "default"] {
                if let Some(val) = v.get(k) {
                    s.env.push(Pair {
                        key: v
                            .get("name")
                            .and_then(Node::as_str)
                            .unwrap_or("")
                            .to_string(),
                        key_span: v.get("name").map_or(v.span.clone(), |n| n.span.clone()),
                        value: Field::new(val, vr.key(k)),
                    });
                }
            }
        }
        out.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{json, toml, yaml};

    #[test]
    fn claude_user_projects_are_lowered() {
        let text = r#"{"mcpServers":{"a":{"command":"npx"}},"projects":{"/p":{"mcpServers":{"b":{"type":"http","url":"http://x"}}}}}"#;
        let doc = json::parse(text).expect("json");
        let s = servers(Client::ClaudeUser, &doc.roots[0]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].name, "b");
        assert_eq!(s[1].transport, Transport::Http);
        assert_eq!(s[1].route.to_string(), "projects[\"/p\"].mcpServers.b");
    }

    #[test]
    fn codex_headers_and_bearer_refs() {
        let text = "[mcp_servers.x]\nurl = \"https://a\"\nbearer_token_env_var = \"T\"\nhttp_headers = { X = \"y\" }\n";
        let doc = toml::parse(text).expect("toml");
        let s = servers(Client::Codex, &doc.roots[0]);
        assert_eq!(s[0].auth_refs.len(), 1);
        assert_eq!(s[0].headers[0].key, "X");
    }

    #[test]
    fn continue_list_and_zed_object_command() {
        let y = yaml::parse("mcpServers:\n  - name: fs\n    command: npx\n    args: [a]\n")
            .expect("yaml");
        let s = servers(Client::Continue, &y.roots[0]);
        assert_eq!(s[0].name, "fs");
        assert_eq!(s[0].argv(), vec!["npx", "a"]);
        let z = json::parse(
            r#"{"context_servers":{"z":{"command":{"path":"uvx","args":["p"],"env":{"K":"v"}}}}}"#,
        )
        .expect("json");
        let s = servers(Client::Zed, &z.roots[0]);
        assert_eq!(s[0].argv(), vec!["uvx", "p"]);
        assert_eq!(s[0].env.len(), 1);
    }

    #[test]
    fn windsurf_and_gemini_urls() {
        let w = json::parse(r#"{"mcpServers":{"w":{"serverUrl":"http://h/mcp"}}}"#).expect("json");
        assert_eq!(
            servers(Client::Windsurf, &w.roots[0])[0]
                .url
                .as_ref()
                .map(Field::text),
            Some("http://h/mcp".into())
        );
        let g = json::parse(r#"{"mcpServers":{"g":{"url":"https://h/sse","trust":true}}}"#)
            .expect("json");
        let s = servers(Client::Gemini, &g.roots[0]);
        assert_eq!(s[0].transport, Transport::Sse);
        assert!(s[0].trust.is_some());
    }

    #[test]
    fn opencode_command_arrays_and_environment() {
        let text = r#"{"mcp": {"fs": {"type": "local", "command": ["npx", "-y", "pkg"], "environment": {"K": "v"}},
                       "r": {"type": "remote", "url": "https://h/mcp", "headers": {"Authorization": "Bearer x"}}}}"#;
        let d = json::parse(text).expect("json");
        let s = servers(Client::OpenCode, &d.roots[0]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].argv(), ["npx", "-y", "pkg"]);
        assert_eq!(s[0].transport, Transport::Stdio);
        assert_eq!(s[0].env[0].key, "K");
        assert_eq!(s[0].args[1].route.to_string(), "mcp.fs.command[2]");
        assert_eq!(s[1].transport, Transport::Http);
        assert_eq!(s[1].headers.len(), 1);
        let nested =
            json::parse(r#"{"mcp": {"servers": {"a": {"type": "local", "command": ["x"]}}}}"#)
                .expect("json");
        let s = servers(Client::OpenCode, &nested.roots[0]);
        assert_eq!(s[0].name, "a");
        assert!(servers(
            Client::OpenCode,
            &json::parse("{\"mcp\": 3}").expect("json").roots[0]
        )
        .is_empty());
    }
}
