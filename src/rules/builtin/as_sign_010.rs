//! AS-SIGN-010: an MCP server that the repository's own policy (`[policy]` in
//! agentsec.toml) does not allow: its name, launch command, package or remote host.

use crate::manifest::mcp::McpServer;
use crate::manifest::Span;
use crate::policy::{Breach, List, Policy};
use crate::rules::launch::{package_name, package_position, spec_in};
use crate::rules::values::{basename, container_image, parse_url};
use crate::rules::{Context, Parsed, Rule};

use super::sub_span;

pub struct PolicyBreach;

impl Rule for PolicyBreach {
    fn id(&self) -> &'static str {
        "AS-SIGN-010"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let p = file.policy;
        if p.is_empty() {
            return;
        }
        for s in &file.servers {
            let route = s.route.to_string();
            let check = |cx: &mut Context<'_>, list: &List, what: &str, value: &str, span: Span| {
                if let Some(b) = list.check(value) {
                    cx.report(span, &route, message(p, s, what, value, &b, list));
                }
            };
            check(cx, &p.servers, "name", &s.name, s.name_span.clone());
            if let Some(c) = &s.command {
                let text = c.text();
                if !text.is_empty() {
                    check(
                        cx,
                        &p.commands,
                        "command",
                        basename(&text),
                        c.node.span.clone(),
                    );
                }
            }
            let argv = s.argv();
            let words: Vec<&str> = argv.iter().map(String::as_str).collect();
            let fields: Vec<_> = s.command.iter().chain(s.args.iter()).collect();
            if let Some((eco, _, at, _)) = package_position(&words) {
                let (spec, offset) = spec_in(words[at]);
                let name = package_name(eco, spec);
                if let Some(f) = fields.get(at) {
                    let span = sub_span(cx.file, f.node, offset..offset + name.len());
                    check(cx, &p.packages, "package", name, span);
                }
            }
            if let Some(at) = container_image(&argv) {
                let image = image_name(&argv[at]);
                if let Some(f) = fields.get(at) {
                    let span = sub_span(cx.file, f.node, 0..image.len());
                    check(cx, &p.packages, "image", image, span);
                }
            }
            if let Some(u) = &s.url {
                let text = u.text();
                if let Some(parts) = parse_url(&text) {
                    let host = parts.host.to_ascii_lowercase();
                    let start = text.to_ascii_lowercase().find(&host).unwrap_or(0);
                    let span = sub_span(cx.file, u.node, start..start + host.len());
                    check(cx, &p.hosts, "host", &host, span);
                }
            }
        }
    }
}

/// `ghcr.io/acme/mcp:1.2@sha256:…` → `ghcr.io/acme/mcp`.
fn image_name(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[last_slash..].find(':') {
        Some(i) => &no_digest[..last_slash + i],
        None => no_digest,
    }
}

fn message(
    p: &Policy,
    s: &McpServer<'_>,
    what: &str,
    value: &str,
    b: &Breach<'_>,
    list: &List,
) -> String {
    let (subject, plural) = match what {
        "name" => (format!("MCP server '{}'", s.name), "servers"),
        "command" => (
            format!("MCP server '{}' runs command `{value}`, which", s.name),
            "commands",
        ),
        "package" => (
            format!("MCP server '{}' runs package `{value}`, which", s.name),
            "packages",
        ),
        "image" => (
            format!("MCP server '{}' runs image `{value}`, which", s.name),
            "packages",
        ),
        _ => (
            format!("MCP server '{}' connects to host `{value}`, which", s.name),
            "hosts",
        ),
    };
    let mut m = match b {
        Breach::Forbidden(pat) => {
            let mut m = format!(
                "{subject} is forbidden by the repository policy (`{}`)",
                pat.text
            );
            if let Some(why) = &pat.message {
                m.push_str(": ");
                m.push_str(why);
            }
            m
        }
        Breach::NotAllowed => {
            let allowed: Vec<&str> = list.allow.iter().map(|a| a.text.as_str()).collect();
            format!(
                "{subject} is not among the {plural} the repository policy allows ({})",
                allowed.join(", ")
            )
        }
    };
    if let Some(general) = &p.message {
        m.push_str(". ");
        m.push_str(general);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        assert_eq!(
            image_name("ghcr.io/acme/mcp:1.2@sha256:ab"),
            "ghcr.io/acme/mcp"
        );
        assert_eq!(image_name("localhost:5000/mcp"), "localhost:5000/mcp");
        assert_eq!(image_name("mcp/fetch"), "mcp/fetch");
        assert_eq!(image_name(""), "");
    }
}
