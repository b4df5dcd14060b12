//! AS-AUTH-001 (configuration side): a remote MCP server reached with no credentials
//! in its entry. OAuth may still be negotiated at run time, which a file cannot show,
//! so over HTTPS this is advisory; over plaintext HTTP it is a real exposure.

use crate::finding::{Confidence, Severity};
use crate::lang::calls::{Index, Value};
use crate::lang::servers::{
    python_auth_middleware, python_servers, rust_auth, rust_binds, rust_mcp_services, ts_listens,
};
use crate::lang::Lang;
use crate::manifest::mcp::Transport;
use crate::rules::subjects::has_credentials;
use crate::rules::values::{is_local_ish, is_loopback, parse_url};
use crate::rules::{Context, Parsed, Rule};

pub struct NoAuth;

impl Rule for NoAuth {
    fn id(&self) -> &'static str {
        "AS-AUTH-001"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if let Some(code) = file.code {
            let ix = &code.index;
            match code.lang {
                Lang::Python => python_code(ix, cx),
                Lang::Rust => rust_code(ix, &file.source.text, cx),
                _ => script_code(ix, &file.source.text, cx),
            }
            return;
        }
        for s in &file.servers {
            if !matches!(s.transport, Transport::Http | Transport::Sse) || has_credentials(s) {
                continue;
            }
            let Some(u) = &s.url else { continue };
            let Some(parts) = parse_url(&u.text()) else {
                continue;
            };
            if is_loopback(&parts.host) || is_local_ish(&parts.host) || parts.host.is_empty() {
                continue;
            }
            let plaintext = matches!(parts.scheme.as_str(), "http" | "ws");
            let f = cx.report(u.node.span.clone(), &u.route.to_string(), if plaintext {
                format!("MCP server '{}' is reached over plaintext HTTP with no credentials configured", s.name)
            } else {
                format!("MCP server '{}' has no credentials configured; unless it negotiates OAuth, anyone who can reach it can call its tools", s.name)
            });
            if plaintext {
                f.severity(Severity::Medium).confidence(Confidence::Medium);
            } else {
                f.severity(Severity::Info).confidence(Confidence::Low);
            }
        }
    }
}

/// A Python MCP server served over HTTP with no `auth=`/`token_verifier=`/
/// `auth_server_provider=` and no authentication middleware in the file. Bound to a
/// non-loopback address it is open to the network (high); on loopback, any local
/// process or a page using DNS rebinding can still call it (low).
fn python_code(ix: &Index, cx: &mut Context<'_>) {
    if python_auth_middleware(ix) {
        return;
    }
    for s in python_servers(ix) {
        if s.authenticated {
            continue;
        }
        let Some(first) = s.exposed_by.first() else {
            continue;
        };
        let name = if s.var.is_empty() {
            s.ctor.raw.as_str()
        } else {
            s.var.as_str()
        };
        let remote = s.hosts.iter().find(|h| !h.local());
        let (sev, msg) = match remote {
            Some(h) => (Severity::High, format!(
                "MCP server `{name}` is served over HTTP on `{}` without authentication (no `auth=`, `token_verifier=` or auth middleware): anyone who can reach it can call its tools",
                h.host
            )),
            None => (Severity::Low, format!(
                "MCP server `{name}` is served over HTTP on loopback without authentication: any local process, or a web page through DNS rebinding, can call its tools"
            )),
        };
        cx.report(
            first.callee_span.clone(),
            &format!("{name}:{}", first.method()),
            msg,
        )
        .severity(sev);
    }
}

/// TypeScript/JavaScript: a route that hands requests to an MCP transport
/// (`transport.handleRequest`) with no middleware before the handler and no
/// authentication anywhere in the module.
fn script_code(ix: &Index, text: &str, cx: &mut Context<'_>) {
    let handles: Vec<_> = ix
        .calls
        .iter()
        .filter(|c| matches!(c.method(), "handleRequest" | "handlePostMessage"))
        .collect();
    if handles.is_empty() {
        return;
    }
    let module_auth = ix.calls.iter().any(|c| {
        let lower = c.raw.to_ascii_lowercase();
        lower.contains("bearerauth")
            || lower.contains("authenticate")
            || (c.method() == "use"
                && c.args.iter().any(|a| {
                    text.get(a.span.clone())
                        .is_some_and(|t| t.to_ascii_lowercase().contains("auth"))
                }))
    });
    if module_auth {
        return;
    }
    let listens = ts_listens(ix);
    let local = !listens.is_empty()
        && listens
            .iter()
            .all(|(_, h)| h.as_ref().is_some_and(|h| h.local()));
    for r in ix.calls.iter().filter(|c| {
        matches!(
            c.method(),
            "post" | "get" | "all" | "delete" | "use" | "route"
        ) && c.raw.contains('.')
    }) {
        let Some(path) = r.pos(0).filter(|a| matches!(a.value, Value::Str(_))) else {
            continue;
        };
        let positional: Vec<_> = r.args.iter().filter(|a| a.name.is_none()).collect();
        if positional.len() != 2 {
            // Middleware between the path and the handler: assume it authenticates.
            continue;
        }
        let handler = positional[1];
        let serves = handles
            .iter()
            .any(|h| handler.span.start <= h.span.start && h.span.end <= handler.span.end);
        let checks = text.get(handler.span.clone()).is_some_and(|t| {
            t.to_ascii_lowercase().contains("authorization") || t.contains("authInfo")
        });
        if !serves || checks {
            continue;
        }
        let route = match &path.value {
            Value::Str(p) => p.clone(),
            _ => String::new(),
        };
        let (sev, scope) = if local {
            (Severity::Low, "on loopback: any local process, or a web page through DNS rebinding, can call its tools")
        } else if listens.is_empty() {
            (Severity::Medium, "whoever can reach the server that mounts it can call its tools (its address is not in this file)")
        } else {
            (
                Severity::High,
                "anyone who can reach this server can call its tools",
            )
        };
        cx.report(r.callee_span.clone(), &format!("{}:{route}", r.raw), format!(
            "Route `{route}` hands requests to the MCP transport without authentication (no bearer-token middleware before the handler): {scope}"
        ))
        .severity(sev);
    }
}

/// Rust: an rmcp streamable-HTTP or SSE server with no authentication layer in the
/// file. High when the file binds it beyond loopback, low on loopback only, medium
/// when its address is set elsewhere.
fn rust_code(ix: &Index, text: &str, cx: &mut Context<'_>) {
    let services = rust_mcp_services(ix);
    let Some(first) = services.first() else {
        return;
    };
    if rust_auth(ix, text) {
        return;
    }
    let binds = rust_binds(ix);
    // A service only handed requests in-process (tests calling it directly) is not
    // served; one built here and mounted elsewhere is the medium case below.
    let mounted = !binds.is_empty()
        || ix.calls.iter().any(|c| {
            matches!(
                c.method(),
                "nest_service"
                    | "route_service"
                    | "fallback_service"
                    | "serve"
                    | "serve_connection"
            )
        })
        || services.iter().any(|s| s.method() != "new");
    if !mounted {
        return;
    }
    let remote = binds.iter().find(|(_, h)| !h.local());
    let (sev, scope) = match remote {
        Some((_, h)) => (
            Severity::High,
            format!("is bound to `{}`: anyone who can reach it can call its tools", h.host),
        ),
        None if !binds.is_empty() => (
            Severity::Low,
            "listens on loopback: any local process, or a web page through DNS rebinding, can call its tools".to_string(),
        ),
        None => (
            Severity::Medium,
            "whoever can reach the server that mounts it can call its tools (its address is not in this file)".to_string(),
        ),
    };
    cx.report(
        first.callee_span.clone(),
        &format!("{}:http", first.raw),
        format!(
            "MCP server `{}` is served over HTTP without authentication (no bearer-token or auth layer in this file) and {scope}",
            first.raw
        ),
    )
    .severity(sev);
}
