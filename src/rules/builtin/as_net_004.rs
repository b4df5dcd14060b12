//! AS-NET-004: an MCP or A2A server bound to every interface. A tool server meant for
//! one user becomes reachable from the whole network (or the internet on a cloud VM).

use crate::finding::Severity;
use crate::lang::servers::{
    has_a2a_app, host_of, python_servers, rust_auth, rust_binds, rust_mcp_services, ts_listens,
    ts_serves_mcp,
};
use crate::lang::Lang;
use crate::rules::{Context, Parsed, Rule};

pub struct ListensEverywhere;

impl Rule for ListensEverywhere {
    fn id(&self) -> &'static str {
        "AS-NET-004"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let Some(code) = file.code else { return };
        let ix = &code.index;
        if code.lang == Lang::Python {
            let servers = python_servers(ix);
            let mut seen = Vec::new();
            for s in &servers {
                for h in s.hosts.iter().filter(|h| h.all_interfaces()) {
                    if seen.contains(&h.span) {
                        continue;
                    }
                    seen.push(h.span.clone());
                    let name = if s.var.is_empty() {
                        s.ctor.raw.as_str()
                    } else {
                        s.var.as_str()
                    };
                    // Binding everywhere matters when the server is served over HTTP;
                    // with an unauthenticated server it is the whole exposure.
                    let sev = if !s.exposed_by.is_empty() && !s.authenticated {
                        Severity::High
                    } else {
                        Severity::Medium
                    };
                    cx.report(h.span.clone(), &format!("{name}:{}", h.via), format!(
                        "MCP server `{name}` listens on all interfaces (`{}` {}): anyone who can reach this host can call its tools",
                        h.via, h.host
                    ))
                    .severity(sev);
                }
            }
            // An A2A app served by uvicorn on every interface.
            if servers.is_empty() && has_a2a_app(ix) {
                for u in ix.calls.iter().filter(|c| c.is("uvicorn.run")) {
                    if let Some(h) = u.kw("host").and_then(|a| host_of(ix, a, "uvicorn host=")) {
                        if h.all_interfaces() {
                            cx.report(h.span.clone(), "a2a:uvicorn", format!(
                                "A2A agent server listens on all interfaces (`uvicorn.run(host={})`): any host on the network can send it tasks",
                                h.host
                            ));
                        }
                    }
                }
            }
            return;
        }
        if code.lang == Lang::Rust {
            return rust(ix, &file.source.text, cx);
        }
        if !ts_serves_mcp(ix) {
            return;
        }
        for (c, host) in ts_listens(ix) {
            match host {
                Some(h) if h.all_interfaces() => {
                    cx.report(h.span.clone(), &format!("{}:host", c.raw), format!(
                        "MCP server listens on all interfaces (`{}` with `{}`): anyone who can reach this host can call its tools",
                        c.raw, h.host
                    ));
                }
                Some(_) => {}
                None => {
                    cx.report(c.callee_span.clone(), &format!("{}:default", c.raw), format!(
                        "`{}(...)` serves an MCP transport and is given no host, so Node listens on all interfaces: anyone who can reach this host can call its tools",
                        c.raw
                    ));
                }
            }
        }
    }
}

/// A Rust file that serves MCP with rmcp's HTTP transports and binds a listener to
/// every interface.
fn rust(ix: &crate::lang::calls::Index, text: &str, cx: &mut Context<'_>) {
    if rust_mcp_services(ix).is_empty() {
        return;
    }
    let sev = if rust_auth(ix, text) {
        Severity::Medium
    } else {
        Severity::High
    };
    for (c, h) in rust_binds(ix) {
        if !h.all_interfaces() {
            continue;
        }
        cx.report(h.span.clone(), &format!("{}:bind", c.raw), format!(
            "MCP server listens on all interfaces (`{}` with `{}`): anyone who can reach this host can call its tools",
            c.raw, h.host
        ))
        .severity(sev);
    }
}
