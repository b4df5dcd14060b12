//! MCP and A2A servers built in code, and how they are exposed: the address they
//! bind and whether authentication is configured. Shared by the listening-address
//! rule and the authentication rule, so both read one model of a server.

use super::calls::{Arg, Call, Index, Value};
use crate::manifest::Span;
use crate::rules::values::{is_local_ish, is_loopback};

/// Where a host value is written and what it says.
#[derive(Debug, Clone)]
pub struct Host {
    pub host: String,
    pub span: Span,
    /// The setting as written: `host=`, `settings.host`, `listen()`.
    pub via: String,
}

impl Host {
    pub fn all_interfaces(&self) -> bool {
        let h = self.host.trim_matches(|c| c == '[' || c == ']');
        matches!(h, "0.0.0.0" | "::" | "" | "*" | "0:0:0:0:0:0:0:0")
    }

    /// Loopback or a local-only name; `0.0.0.0` counts as loopback for clients but
    /// means every interface for a server.
    pub fn local(&self) -> bool {
        !self.all_interfaces() && (is_loopback(&self.host) || is_local_ish(&self.host))
    }
}

/// A Python FastMCP / MCPServer instance of the file.
#[derive(Debug)]
pub struct PyServer<'a> {
    /// The variable holding it (`mcp`), empty for `FastMCP(...).run()`.
    pub var: String,
    pub ctor: &'a Call,
    pub authenticated: bool,
    /// Calls that serve it over HTTP: `run(transport="sse")`, `streamable_http_app()`.
    pub exposed_by: Vec<&'a Call>,
    pub hosts: Vec<Host>,
}

/// The MCP server classes of the Python SDK (1.x `FastMCP`, 2.x `MCPServer`) and of
/// the standalone `fastmcp` package.
fn is_py_server_ctor(c: &Call) -> bool {
    (c.is("FastMCP") || c.is("MCPServer"))
        && (c.callee.starts_with("mcp.") || c.callee.starts_with("fastmcp"))
}

const HTTP_TRANSPORTS: &[&str] = &["sse", "streamable-http", "http", "streamable_http"];
const APP_METHODS: &[&str] = &["sse_app", "streamable_http_app", "http_app"];
const HTTP_RUNNERS: &[&str] = &[
    "run_sse_async",
    "run_streamable_http_async",
    "run_http_async",
];

/// The host an argument sets: a literal, a constant, or the default of an
/// environment lookup (`os.environ.get("HOST", "0.0.0.0")`).
pub fn host_of(ix: &Index, a: &Arg, via: &str) -> Option<Host> {
    if let Some((s, span, _)) = ix.string(a) {
        return Some(Host {
            host: s.to_string(),
            span,
            via: via.to_string(),
        });
    }
    if let Value::Call(c) = &a.value {
        if c.is_any(&["getenv", "environ.get", "os.getenv", "get"]) {
            if let Some(d) = c.pos(1) {
                return host_of(ix, d, via);
            }
        }
    }
    None
}

pub fn python_servers(ix: &Index) -> Vec<PyServer<'_>> {
    let mut out = Vec::new();
    for c in ix.calls.iter().filter(|c| is_py_server_ctor(c)) {
        let var = ix
            .assigns
            .iter()
            .find(|a| a.value.span == c.span)
            .map(|a| a.target.clone())
            .unwrap_or_default();
        // Calls on the variable in the constructor's function, or anywhere for a
        // module-level server unless a function binds a server of the same name.
        let rebound: Vec<usize> = ix
            .assigns
            .iter()
            .filter(|a| a.target == var && a.scope != c.scope)
            .map(|a| a.scope)
            .collect();
        let in_scope =
            |scope: usize| scope == c.scope || (c.scope == 0 && !rebound.contains(&scope));
        let authenticated = ["auth", "token_verifier", "auth_server_provider"]
            .iter()
            .any(|k| c.kw(k).is_some_and(|a| a.value != Value::Null));
        let mut hosts = Vec::new();
        if let Some(h) = c.kw("host").and_then(|a| host_of(ix, a, "host=")) {
            hosts.push(h);
        }
        let mut exposed_by = Vec::new();
        let mine = |call: &Call| -> bool {
            if var.is_empty() {
                // `FastMCP("x").run(...)`: the ctor is inside the callee.
                return call.callee_span.start == c.span.start;
            }
            call.raw
                .strip_prefix(var.as_str())
                .is_some_and(|rest| rest.starts_with('.') && rest[1..].find('.').is_none())
        };
        for call in ix.calls.iter().filter(|x| in_scope(x.scope) && mine(x)) {
            let m = call.method();
            let transport = call
                .kw("transport")
                .or_else(|| call.pos(0))
                .and_then(|a| ix.string(a))
                .map(|(s, _, _)| s.to_string());
            let http = match m {
                "run" | "run_async" => {
                    transport.is_some_and(|t| HTTP_TRANSPORTS.contains(&t.as_str()))
                }
                _ => APP_METHODS.contains(&m) || HTTP_RUNNERS.contains(&m),
            };
            if http {
                exposed_by.push(call);
                // `sse_app(host=)` only configures Host-header checks; `run` binds.
                let binds = !APP_METHODS.contains(&m);
                if let Some(h) = call
                    .kw("host")
                    .filter(|_| binds)
                    .and_then(|a| host_of(ix, a, "host="))
                {
                    hosts.push(h);
                }
            }
        }
        if !var.is_empty() {
            let target = format!("{var}.settings.host");
            for a in ix
                .assigns
                .iter()
                .filter(|a| a.target == target && in_scope(a.scope))
            {
                if let Some(h) = host_of(ix, &a.value, "settings.host") {
                    hosts.push(h);
                }
            }
        }
        out.push(PyServer {
            var,
            ctor: c,
            authenticated,
            exposed_by,
            hosts,
        });
    }
    // An ASGI app of the server (or of the file's A2A app) run by uvicorn/hypercorn.
    let serves = out.iter().any(|s| !s.exposed_by.is_empty()) || has_a2a_app(ix);
    if serves {
        for u in ix
            .calls
            .iter()
            .filter(|c| c.is_any(&["uvicorn.run", "uvicorn.Config", "hypercorn.config.Config"]))
        {
            if let Some(h) = u.kw("host").and_then(|a| host_of(ix, a, "uvicorn host=")) {
                for s in out.iter_mut().filter(|s| !s.exposed_by.is_empty()) {
                    s.hosts.push(h.clone());
                }
            }
        }
    }
    out
}

/// A2A server applications (a2a-sdk): they serve an agent over HTTP.
pub fn has_a2a_app(ix: &Index) -> bool {
    ix.calls.iter().any(|c| {
        c.callee.starts_with("a2a.")
            && c.is_any(&[
                "A2AStarletteApplication",
                "A2AFastAPIApplication",
                "A2ARESTFastAPIApplication",
            ])
    })
}

/// Authentication middleware or dependencies in a Python server file.
pub fn python_auth_middleware(ix: &Index) -> bool {
    ix.calls.iter().any(|c| {
        let m = c.method();
        m.contains("Auth") && (m.contains("Middleware") || m.contains("Backend"))
            || matches!(
                m,
                "RequireAuthMiddleware" | "BearerAuthBackend" | "HTTPBearer" | "APIKeyHeader"
            )
    })
}

/// Whether the module sets up an MCP or A2A HTTP server in TypeScript/JavaScript.
pub fn ts_serves_mcp(ix: &Index) -> bool {
    ix.calls.iter().any(|c| {
        c.is_any(&[
            "StreamableHTTPServerTransport",
            "NodeStreamableHTTPServerTransport",
            "WebStandardStreamableHTTPServerTransport",
            "SSEServerTransport",
            "A2AExpressApp",
        ])
    })
}

/// `listen(...)` calls of the module with the host they bind; `None` host means
/// omitted, which Node treats as every interface.
pub fn ts_listens(ix: &Index) -> Vec<(&Call, Option<Host>)> {
    ix.calls
        .iter()
        // `listen(0)` asks for a free port: test harnesses, not servers.
        .filter(|c| c.method() == "listen" && c.raw.contains('.'))
        .filter(|c| !c.pos(0).is_some_and(|a| a.value == Value::Num("0".into())))
        .map(|c| {
            let host = c
                .kw("host")
                .and_then(|a| host_of(ix, a, "host"))
                .or_else(|| c.pos(1).and_then(|a| host_of(ix, a, "listen()")));
            (c, host)
        })
        .collect()
}

/// rmcp's HTTP server transports in a Rust file: the streamable-HTTP service and the
/// older SSE server.
pub fn rust_mcp_services(ix: &Index) -> Vec<&Call> {
    ix.calls
        .iter()
        .filter(|c| {
            c.is_any(&[
                "StreamableHttpService.new",
                "SseServer.serve",
                "SseServer.serve_with_config",
                "SseServer.new",
            ])
        })
        .collect()
}

/// Authentication in a Rust server file: a tower/axum layer or middleware that
/// reads a bearer token or authorization header (`ValidateRequestHeaderLayer::bearer`,
/// `middleware::from_fn(auth)`, `RequireAuthorizationLayer`).
pub fn rust_auth(ix: &Index, text: &str) -> bool {
    ix.calls.iter().any(|c| {
        let layer = matches!(c.method(), "layer" | "route_layer" | "nest_service")
            && c.args.iter().any(|a| {
                text.get(a.span.clone()).is_some_and(|t| {
                    let t = t.to_ascii_lowercase();
                    t.contains("auth") || t.contains("token") || t.contains("bearer")
                })
            });
        layer
            || c.is_any(&[
                "ValidateRequestHeaderLayer.bearer",
                "RequireAuthorizationLayer.bearer",
                "AsyncRequireAuthorizationLayer.new",
            ])
    })
}

/// Addresses a Rust file binds a listener or server to: `TcpListener::bind(a)`,
/// `SseServer::serve(a)`, `SseServerConfig { bind: a }`, actix `bind((h, p))`, warp
/// `run(([0, 0, 0, 0], p))`, `axum_server::bind(a)`.
pub fn rust_binds(ix: &Index) -> Vec<(&Call, Host)> {
    let mut out = Vec::new();
    for c in &ix.calls {
        let arg = match c.method() {
            "bind" | "bind_rustls" | "bind_openssl" => c.pos(0),
            "serve" | "serve_with_config"
                if c.is_any(&["SseServer.serve", "SseServer.serve_with_config"]) =>
            {
                c.pos(0)
            }
            "run" if c.callee.starts_with("warp") => c.pos(0),
            _ if c.is("SseServerConfig") => c.kw("bind"),
            _ => None,
        };
        if let Some(h) = arg.and_then(|a| rust_addr(ix, a, c.scope, 0)) {
            out.push((c, h));
        }
    }
    out
}

/// The host part of a socket address an argument builds: a `"host:port"` string
/// (literal, constant, `format!`, environment default), a `(host, port)` tuple,
/// `[0, 0, 0, 0]`, `Ipv4Addr::UNSPECIFIED`, `SocketAddr::from`/`new`, or a local
/// variable bound to one of those.
fn rust_addr(ix: &Index, a: &Arg, scope: usize, depth: usize) -> Option<Host> {
    if depth > 4 {
        return None;
    }
    let host = |s: &str, span: Span| {
        // `0.0.0.0:8000`, `[::]:8000`, `0.0.0.0:{}`, `0.0.0.0`.
        let h = match s.rsplit_once(':') {
            Some((h, port))
                if !h.is_empty()
                    && (port.chars().all(|c| c.is_ascii_digit()) || port.starts_with('{'))
                    && (h.starts_with('[') || !h.contains(':')) =>
            {
                h
            }
            _ => s,
        };
        Some(Host {
            host: h.trim_matches(|c| c == '[' || c == ']').to_string(),
            span,
            via: "bind".to_string(),
        })
    };
    if let Some((s, span, _)) = ix.string(a) {
        return host(s, span);
    }
    match &a.value {
        Value::Name(n) if n.ends_with("Ipv4Addr.UNSPECIFIED") || n == "UNSPECIFIED" => {
            host("0.0.0.0", a.span.clone())
        }
        Value::Name(n) if n.ends_with("Ipv6Addr.UNSPECIFIED") => host("::", a.span.clone()),
        Value::Name(n) if n.ends_with("Ipv4Addr.LOCALHOST") => host("127.0.0.1", a.span.clone()),
        Value::Name(n) if n.ends_with("Ipv6Addr.LOCALHOST") => host("::1", a.span.clone()),
        Value::Name(n) => {
            let bound = ix
                .assigns
                .iter()
                .rev()
                .find(|s| &s.target == n && (s.scope == scope || s.scope == 0))?;
            rust_addr(ix, &bound.value, scope, depth + 1)
        }
        Value::List(items) => {
            let zeros = items.len() == 4 || items.len() == 8;
            if zeros
                && items
                    .iter()
                    .all(|(v, _)| matches!(v, Value::Num(n) if n == "0"))
            {
                let h = if items.len() == 4 { "0.0.0.0" } else { "::" };
                return host(h, a.span.clone());
            }
            let (v, span) = items.first()?;
            let first = Arg {
                name: None,
                name_span: None,
                value: v.clone(),
                span: span.clone(),
                verbatim: None,
            };
            rust_addr(ix, &first, scope, depth + 1)
        }
        Value::Call(c) => {
            if c.is("format") {
                let s = c.pos(0).and_then(|f| ix.string(f))?.0;
                // `format!("{}:{}", host, port)`: the host is the first argument.
                if s.starts_with('{') {
                    return c.pos(1).and_then(|h| rust_addr(ix, h, scope, depth + 1));
                }
                return c.pos(0).and_then(|f| rust_addr(ix, f, scope, depth + 1));
            }
            let m = c.method();
            if matches!(m, "unwrap_or" | "unwrap_or_else") {
                return c.pos(0).and_then(|d| rust_addr(ix, d, scope, depth + 1));
            }
            if matches!(
                m,
                "parse" | "to_string" | "into" | "unwrap" | "expect" | "to_owned"
            ) {
                let recv = c.raw.strip_suffix(m)?.strip_suffix('.')?;
                let name = Arg {
                    name: None,
                    name_span: None,
                    value: Value::Name(recv.to_string()),
                    span: c.span.clone(),
                    verbatim: None,
                };
                return rust_addr(ix, &name, scope, depth + 1);
            }
            if c.is_any(&[
                "SocketAddr.from",
                "SocketAddr.new",
                "SocketAddrV4.new",
                "SocketAddrV6.new",
                "IpAddr.V4",
                "IpAddr.V6",
                "IpAddr.from",
            ]) {
                return c.pos(0).and_then(|x| rust_addr(ix, x, scope, depth + 1));
            }
            if c.is_any(&["Ipv4Addr.new", "Ipv6Addr.new"])
                && c.args
                    .iter()
                    .all(|x| matches!(&x.value, Value::Num(n) if n == "0"))
            {
                let h = if c.is("Ipv4Addr.new") {
                    "0.0.0.0"
                } else {
                    "::"
                };
                return host(h, c.span.clone());
            }
            None
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_bind_addresses() {
        let src = r#"
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use rmcp::transport::sse_server::{SseServer, SseServerConfig};
fn main() {
    HttpServer::new(app).bind(("0.0.0.0", 8080))?;
    warp::serve(routes).run(([0, 0, 0, 0], 3030)).await;
    let host = std::env::var("HOST").unwrap_or("0.0.0.0".to_string());
    let a = format!("{}:{}", host, 9000);
    tokio::net::TcpListener::bind(&a).await?;
    tokio::net::TcpListener::bind(format!("[::]:{port}")).await?;
    let ip = IpAddr::V4(Ipv4Addr::new(0, 0, 0, 0));
    std::net::TcpListener::bind(SocketAddr::new(ip, 1))?;
    SseServer::serve("0.0.0.0:8000".parse()?).await?;
    let cfg = SseServerConfig { bind: SocketAddr::from((Ipv6Addr::UNSPECIFIED, 1)), sse_path: "/sse".into() };
    tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    tokio::net::TcpListener::bind(unknown()).await?;
    UnixListener::bind(&path)?;
}
"#;
        let a = crate::lang::rust::analyse(src).unwrap();
        let hosts: Vec<_> = rust_binds(&a.index)
            .iter()
            .map(|(_, h)| (h.host.clone(), h.all_interfaces()))
            .collect();
        let all: Vec<_> = hosts.iter().filter(|h| h.1).map(|h| h.0.as_str()).collect();
        assert_eq!(
            all,
            ["0.0.0.0", "0.0.0.0", "0.0.0.0", "::", "0.0.0.0", "0.0.0.0", "::"],
            "{hosts:?}"
        );
        assert!(hosts.iter().any(|h| h.0 == "127.0.0.1" && !h.1));
    }
}
