//! AS-SEC-002: provider and tool credentials written into agent code. A literal in
//! source reaches every clone, fork, build log and package of the repository.

use std::collections::HashSet;

use crate::finding::Confidence;
use crate::lang::calls::{sub_span, Arg, Value};
use crate::lang::Lang;
use crate::rules::values::{generic_secret, is_placeholder, is_secret_key_name, known_secret};
use crate::rules::{Context, Parsed, Rule};

use super::redact;

pub struct SecretInCode;

impl Rule for SecretInCode {
    fn id(&self) -> &'static str {
        "AS-SEC-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let Some(code) = file.code else { return };
        let ix = &code.index;
        let mut done: HashSet<usize> = HashSet::new();
        // Credential-named bindings first, so the message can name the key.
        let named = ix
            .calls
            .iter()
            .flat_map(|c| c.args.iter().filter_map(|a| Some((a.name.clone()?, a))))
            .chain(ix.assigns.iter().map(|a| (last_name(&a.target), &a.value)))
            // Rust builders take credentials through methods: `.api_key("…")`.
            .chain(
                ix.calls
                    .iter()
                    .filter(|c| {
                        code.lang == Lang::Rust
                            && c.args.len() == 1
                            && is_secret_key_name(c.method())
                    })
                    .filter_map(|c| Some((c.method().to_string(), c.pos(0)?))),
            );
        for (key, arg) in named {
            let Value::Str(v) = &arg.value else { continue };
            if done.contains(&arg.span.start) || is_placeholder(v) {
                continue;
            }
            if let Some(m) = known_secret(v) {
                done.insert(arg.span.start);
                let span = sub_span(&arg.span, arg.verbatim, m.range.clone());
                cx.report(span, &format!("{key}:{}", m.kind), format!(
                    "{} `{}` is written into the code as `{key}`: anyone with the repository can use it",
                    m.kind,
                    redact(v.get(m.range.clone()).unwrap_or(""))
                ));
            } else if credential_key(&key) && generic_secret(&key, v) && looks_random(v) {
                done.insert(arg.span.start);
                cx.report(literal_span(arg), &format!("{key}:generic"), format!(
                    "`{key}` is given a literal credential (`{}`): anyone with the repository can use it",
                    redact(v)
                ))
                .confidence(Confidence::Medium);
            }
        }
        // Known formats anywhere else: prompts, headers built by hand, comments aside.
        // The literal is read as written, so a match is its exact place in the file.
        for s in &ix.strings {
            if done.contains(&s.start) {
                continue;
            }
            let Some(v) = file.source.text.get(s.clone()) else {
                continue;
            };
            if let Some(m) = known_secret(v) {
                let span = s.start + m.range.start..s.start + m.range.end;
                cx.report(
                    span,
                    &format!("literal:{}", m.kind),
                    format!(
                        "{} `{}` is written into the code: anyone with the repository can use it",
                        m.kind,
                        redact(v.get(m.range.clone()).unwrap_or(""))
                    ),
                );
            }
        }
    }
}

fn literal_span(a: &Arg) -> crate::manifest::Span {
    match (a.verbatim, &a.value) {
        (Some(start), Value::Str(v)) => start..start + v.len(),
        _ => a.span.clone(),
    }
}

fn last_name(target: &str) -> String {
    target.rsplit('.').next().unwrap_or(target).to_string()
}

/// The lower-cased words of a snake, kebab or camel-case name (`sourceSecretArn` →
/// `source`, `secret`, `arn`).
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' || c == '.' {
            out.push(std::mem::take(&mut cur));
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    out.push(cur);
    out.retain(|w| !w.is_empty());
    out
}

/// A key that names a credential, not something about one (`token_url`,
/// `api_key_env`, `secret_name`, `password_hash`).
fn credential_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    const ABOUT: &[&str] = &[
        "hash",
        "digest",
        "checksum",
        "sha",
        "md5",
        "nonce",
        "salt",
        "uuid",
        "name",
        "url",
        "uri",
        "path",
        "file",
        "env",
        "var",
        "header",
        "type",
        "prefix",
        "len",
        "max",
        "min",
        "field",
        "pattern",
        "regex",
        "endpoint",
        "id",
        "count",
        "limit",
        "label",
        "format",
        "hint",
        "placeholder",
        "example",
        "description",
        "usage",
        "expire",
        "expiry",
        "ttl",
        "kind",
        "scope",
        "param",
        "mask",
        "location",
        "provider",
        "method",
        "mode",
        "arn",
        "ref",
        "version",
        "policy",
        "store",
        "vault",
        "rotation",
        // Pagination, idempotency and OAuth state tokens are not credentials.
        "next",
        "page",
        "pagination",
        "continuation",
        "idempotency",
        "state",
        "sync",
        "resume",
        "marker",
        // Named as not real.
        "fake",
        "dummy",
        "mock",
        "bogus",
        "invalid",
    ];
    let w = words(key);
    // AWS `ClientToken` is an idempotency key.
    let idempotency = w.len() == 2 && w[0] == "client" && w[1] == "token";
    !idempotency
        && !w.iter().any(|part| ABOUT.contains(&part.as_str()))
        && !ABOUT
            .iter()
            .any(|a| k.ends_with(a) && k.len() > a.len() && !k.ends_with("key"))
}

/// Real keys mix letters with digits; environment variable names, dotted module
/// paths and words do not.
fn looks_random(v: &str) -> bool {
    // Resource names (`arn:aws:secretsmanager:…`) identify a secret; they are not one.
    if v.starts_with("arn:") {
        return false;
    }
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    let has_alpha = v.chars().any(|c| c.is_ascii_alphabetic());
    let env_name = v
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    // `a-string-secret-at-least-256-bits-long`, `s3-secret-command-sentinel`: words,
    // not a key.
    let parts: Vec<&str> = v.split(['-', '_']).collect();
    let words = parts
        .iter()
        .filter(|p| p.len() >= 3 && p.chars().all(|c| c.is_ascii_lowercase()))
        .count();
    let phrase = parts.len() >= 3 && words >= 3;
    // JSON documents and escaped text are data, not a credential value.
    // `tid=1;proxy-ep=…;exp=2`: a structured value (base64 padding aside).
    let structured =
        v.contains(['{', '"', '\\', ' ', ';']) || v.trim_end_matches('=').contains('=');
    has_digit && has_alpha && !env_name && !phrase && !structured
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values() {
        assert!(credential_key("api_key"));
        assert!(credential_key("apiKey"));
        assert!(credential_key("OPENAI_API_KEY"));
        assert!(credential_key("password"));
        assert!(!credential_key("token_url"));
        assert!(!credential_key("api_key_env"));
        assert!(!credential_key("password_hash"));
        assert!(!credential_key("sourceSecretArn"));
        assert!(!credential_key("secret_arn"));
        assert!(credential_key("apiSecret"));
        assert!(!credential_key("nextToken"));
        assert!(!credential_key("client_token"));
        assert!(credential_key("client_secret"));
        assert!(!credential_key("secret_name"));
        assert!(!credential_key("fake_token1"));
        assert!(looks_random("a8F3kd93JdkeP02mzQ"));
        assert!(!looks_random("OPENAI_API_KEY_2"));
        assert!(!looks_random("mcp.server.auth.provider"));
        assert!(!looks_random("é"));
        assert!(!looks_random("a-string-secret-at-least-256-bits-long"));
        assert!(!looks_random("s3-secret-command-sentinel"));
        assert!(!looks_random("{\"private_key\":\"line-1\\nline-2\"}"));
        assert!(looks_random("f3a9c2e1-7b4d-4e8a-9c1f-2d6b8e0a4c73"));
        assert!(!looks_random(
            "tid=1;proxy-ep=proxy.individual.githubcopilot.com;exp=2"
        ));
        assert!(looks_random("dGhpcyBpcyBhIHNlY3JldDEyMw=="));
    }
}
