//! AS-AUTH-001 (configuration side): a remote MCP server reached with no credentials
//! in its entry. OAuth may still be negotiated at run time, which a file cannot show,
//! so over HTTPS this is advisory; over plaintext HTTP it is a real exposure.

use crate::finding::{Confidence, Severity};
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
