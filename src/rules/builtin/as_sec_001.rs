//! AS-SEC-001: a credential written into an MCP server entry, into the environment
//! a settings file, container or job sets, or anywhere in an A2A agent card or a
//! CrewAI configuration.

use crate::classify::FileKind;
use crate::finding::{Confidence, Severity};
use crate::manifest::env::EnvVar;
use crate::manifest::mcp::Field;
use crate::manifest::{Node, Route, Span, Value};
use crate::rules::values::{
    generic_secret, is_placeholder, is_secret_key_name, known_secret, parse_url,
};
use crate::rules::{Context, Parsed, Rule, Scope};

use super::{redact, sub_span};

pub struct HardcodedSecret;

impl Rule for HardcodedSecret {
    fn id(&self) -> &'static str {
        "AS-SEC-001"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let severity = match file.scope {
            Scope::Shared => Severity::Critical,
            Scope::User => Severity::High,
        };
        for s in &file.servers {
            let maps = [("env", &s.env), ("header", &s.headers)];
            for (what, pairs) in maps {
                for p in pairs.iter() {
                    let Some(v) = p.value.node.as_str() else {
                        continue;
                    };
                    check_value(
                        cx,
                        file,
                        s.name.as_str(),
                        &p.value,
                        &format!("{what} {}", p.key),
                        &p.key,
                        v,
                        severity,
                    );
                }
            }
            let mut flag: Option<String> = None;
            for a in &s.args {
                let Some(v) = a.node.as_str() else { continue };
                // `--api-key=<literal>`, `--token <literal>`, `-e KEY=<literal>`.
                let (key, value) = match (flag.take(), v.split_once('=')) {
                    (Some(f), _) => (f, v.to_string()),
                    (None, Some((k, val))) if k.starts_with("--") || !k.starts_with('-') => {
                        (k.trim_start_matches('-').to_string(), val.to_string())
                    }
                    _ => (String::new(), v.to_string()),
                };
                if v.starts_with("--") && !v.contains('=') && is_secret_key_name(v) {
                    flag = Some(v.trim_start_matches('-').to_string());
                    continue;
                }
                let offset = v.len() - value.len();
                check_arg(cx, file, &s.name, a, &key, &value, offset, severity);
            }
            if let Some(u) = &s.url {
                check_url(cx, file, &s.name, u, severity, "its URL");
            }
        }
        // `.env.example` and friends document variables; a real-looking value there is
        // usually a sample, though a pasted live key happens often enough to report.
        let name = file.source.path.rsplit('/').next().unwrap_or("");
        let sample = file.kind == FileKind::Dotenv
            && ["example", "sample", "template", "dist", "tpl"]
                .iter()
                .any(|w| name.to_ascii_lowercase().contains(w));
        let env_severity = if sample { severity.lowered() } else { severity };
        for e in &file.env {
            check_env(cx, e, env_severity);
        }
        if matches!(file.kind, FileKind::A2aCard | FileKind::CrewAi) {
            for root in file.roots {
                check_document(cx, file, root, severity);
            }
        }
    }
}

/// Agent cards are public documents and CrewAI configs are committed with the code:
/// any literal credential in them, under any key, is exposed.
fn check_document(cx: &mut Context<'_>, file: &Parsed<'_>, root: &Node, sev: Severity) {
    if file.kind == FileKind::A2aCard {
        let name = root.get("name").and_then(Node::as_str).unwrap_or("unnamed");
        let owner = format!("A2A agent card '{name}'");
        walk_literals(cx, file, &owner, root, Route::root(), sev);
        return;
    }
    // CrewAI: one top-level entry per agent or task.
    for e in root.entries() {
        let what = if ["role", "goal", "backstory"]
            .iter()
            .any(|k| e.value.get(k).is_some())
        {
            "agent"
        } else {
            "task"
        };
        let owner = format!("CrewAI {what} '{}'", e.key);
        walk_literals(cx, file, &owner, &e.value, Route::root().key(&e.key), sev);
    }
}

fn walk_literals(
    cx: &mut Context<'_>,
    file: &Parsed<'_>,
    owner: &str,
    start: &Node,
    route: Route,
    sev: Severity,
) {
    let mut stack: Vec<(&Node, Route, &str)> = vec![(start, route, "")];
    while let Some((node, route, key)) = stack.pop() {
        match &node.value {
            Value::Object(entries) => {
                for e in entries.iter().rev() {
                    stack.push((&e.value, route.key(&e.key), &e.key));
                }
            }
            Value::Array(items) => {
                for (i, n) in items.iter().enumerate().rev() {
                    stack.push((n, route.index(i), key));
                }
            }
            Value::String(v) => {
                let f = Field { node, route };
                check_literal(cx, file, owner, &f, key, v, sev);
            }
            _ => {}
        }
    }
}

fn check_literal(
    cx: &mut Context<'_>,
    file: &Parsed<'_>,
    owner: &str,
    f: &Field<'_>,
    key: &str,
    v: &str,
    sev: Severity,
) {
    if is_placeholder(v) {
        return;
    }
    let route = f.route.to_string();
    if let Some(parts) = parse_url(v).filter(|_| v.contains("://")) {
        if let Some((_, pw)) = parts.userinfo.as_deref().and_then(|u| u.split_once(':')) {
            if !pw.is_empty() && !is_placeholder(pw) {
                let start = v.find(pw).unwrap_or(0);
                let span = sub_span(file.source, f.node, start..start + pw.len());
                cx.report(
                    span,
                    &route,
                    format!(
                        "{owner} has a password in the URL at {route} ({})",
                        redact(pw)
                    ),
                )
                .severity(sev);
                return;
            }
        }
        for pair in parts.rest.split(['?', '&']).skip(1) {
            let Some((k, val)) = pair.split_once('=') else {
                continue;
            };
            let credential_param = [
                "key",
                "token",
                "api_key",
                "apikey",
                "access_token",
                "secret",
            ]
            .contains(&k.to_ascii_lowercase().as_str());
            if credential_param && val.len() >= 8 && !is_placeholder(val) {
                let start = v.find(pair).unwrap_or(0);
                let span = sub_span(file.source, f.node, start..start + pair.len());
                cx.report(
                    span,
                    &route,
                    format!(
                        "{owner} has a credential in the query of the URL at {route} ({k}={})",
                        redact(val)
                    ),
                )
                .severity(sev);
                return;
            }
        }
    }
    report_secret(
        cx,
        (key, v),
        |r| sub_span(file.source, f.node, r),
        f.node.span.clone(),
        &route,
        sev,
        |kind, said| format!("{owner} has a hard-coded {kind} at {route} ({said})"),
        |said| format!("{owner} has what looks like a hard-coded credential at {route} ({said})"),
    );
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A literal credential in an environment binding of settings, containers or jobs.
fn check_env(cx: &mut Context<'_>, e: &EnvVar, sev: Severity) {
    let v = e.value.as_str();
    if is_placeholder(v) || v.contains("${{") {
        return;
    }
    let verbatim = e.value_span.len() == v.len();
    let at = |r: std::ops::Range<usize>| {
        if verbatim {
            e.value_span.start + r.start..e.value_span.start + r.end
        } else {
            e.value_span.clone()
        }
    };
    let route = e.route.to_string();
    if let Some(parts) = parse_url(v).filter(|_| v.contains("://")) {
        if let Some((_, pw)) = parts.userinfo.as_deref().and_then(|u| u.split_once(':')) {
            if !pw.is_empty() && !is_placeholder(pw) {
                let start = v.find(pw).unwrap_or(0);
                cx.report(
                    at(start..start + pw.len()),
                    &route,
                    format!(
                        "{} sets {} to a URL with a password ({})",
                        capitalized(&e.owner),
                        e.key,
                        redact(pw)
                    ),
                )
                .severity(sev);
            }
        }
        return;
    }
    let who = capitalized(&e.owner);
    let key = &e.key;
    report_secret(
        cx,
        (key, v),
        at,
        at(0..v.len()),
        &route,
        sev,
        |kind, said| format!("{who} sets {key} to a hard-coded {kind} ({said})"),
        |said| format!("{who} sets {key} to what looks like a hard-coded credential ({said})"),
    );
}

/// A hard-coded credential in the value `v` of `key`: a known token format, reported
/// at the token (`at` maps a range of `v` to the file), else a value that looks like
/// a secret for its key, reported at `whole` with medium confidence. `known(kind,
/// redacted)` and `generic(redacted)` word the messages.
#[allow(clippy::too_many_arguments)]
fn report_secret(
    cx: &mut Context<'_>,
    (key, v): (&str, &str),
    at: impl Fn(std::ops::Range<usize>) -> Span,
    whole: Span,
    route: &str,
    sev: Severity,
    known: impl FnOnce(&str, String) -> String,
    generic: impl FnOnce(String) -> String,
) {
    if let Some(m) = known_secret(v) {
        let said = redact(v.get(m.range.clone()).unwrap_or(""));
        cx.report(at(m.range.clone()), route, known(m.kind, said))
            .severity(sev);
    } else if generic_secret(key, v) {
        cx.report(whole, route, generic(redact(v)))
            .severity(sev)
            .confidence(Confidence::Medium);
    }
}

#[allow(clippy::too_many_arguments)]
fn check_value(
    cx: &mut Context<'_>,
    file: &Parsed<'_>,
    server: &str,
    f: &Field<'_>,
    what: &str,
    key: &str,
    v: &str,
    sev: Severity,
) {
    if is_placeholder(v) {
        return;
    }
    // DATABASE_URL=postgres://app:<password>@db/...
    if v.contains("://") && check_url(cx, file, server, f, sev, &format!("the URL in {what}")) {
        return;
    }
    report_secret(
        cx,
        (key, v),
        |r| sub_span(file.source, f.node, r),
        f.node.span.clone(),
        &f.route.to_string(),
        sev,
        |kind, said| format!("MCP server '{server}' has a hard-coded {kind} in {what} ({said})"),
        |said| {
            format!("MCP server '{server}' has what looks like a hard-coded credential in {what} ({said})")
        },
    );
}

#[allow(clippy::too_many_arguments)]
fn check_arg(
    cx: &mut Context<'_>,
    file: &Parsed<'_>,
    server: &str,
    f: &Field<'_>,
    key: &str,
    value: &str,
    offset: usize,
    sev: Severity,
) {
    if value.contains("://") || is_placeholder(value) {
        return;
    }
    let label = if key.is_empty() {
        "an argument".to_string()
    } else {
        format!("argument {key}")
    };
    if let Some(m) = known_secret(value) {
        let span = sub_span(
            file.source,
            f.node,
            m.range.start + offset..m.range.end + offset,
        );
        cx.report(
            span,
            &f.route.to_string(),
            format!(
                "MCP server '{server}' passes a hard-coded {} in {label} ({})",
                m.kind,
                redact(&value[m.range.clone()])
            ),
        )
        .severity(sev);
    } else if !key.is_empty() && generic_secret(key, value) {
        let span = sub_span(file.source, f.node, offset..offset + value.len());
        cx.report(span, &f.route.to_string(), format!(
            "MCP server '{server}' passes what looks like a hard-coded credential in {label} ({})", redact(value)
        ))
        .severity(sev)
        .confidence(Confidence::Medium);
    }
}

/// Passwords in URL userinfo and credential query parameters; true when reported.
fn check_url(
    cx: &mut Context<'_>,
    file: &Parsed<'_>,
    server: &str,
    u: &Field<'_>,
    sev: Severity,
    place: &str,
) -> bool {
    let text = u.text();
    let Some(parts) = parse_url(&text) else {
        return false;
    };
    if let Some(ui) = &parts.userinfo {
        if let Some((_, pw)) = ui.split_once(':') {
            if !pw.is_empty() && !is_placeholder(pw) {
                let start = text.find(ui.as_str()).unwrap_or(0);
                let span = sub_span(file.source, u.node, start..start + ui.len());
                cx.report(
                    span,
                    &u.route.to_string(),
                    format!(
                        "MCP server '{server}' has a password in {place} ({})",
                        redact(pw)
                    ),
                )
                .severity(sev);
                return true;
            }
        }
    }
    for pair in parts.rest.split(['?', '&']).skip(1) {
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        let kl = k.to_ascii_lowercase();
        let credential_param = [
            "key",
            "token",
            "api_key",
            "apikey",
            "access_token",
            "secret",
        ]
        .contains(&kl.as_str());
        if credential_param && v.len() >= 8 && !is_placeholder(v) {
            let start = text.find(pair).unwrap_or(0);
            let span = sub_span(file.source, u.node, start..start + pair.len());
            cx.report(
                span,
                &u.route.to_string(),
                format!(
                    "MCP server '{server}' has a credential in the query of {place} ({k}={})",
                    redact(v)
                ),
            )
            .severity(sev);
            return true;
        }
    }
    false
}
