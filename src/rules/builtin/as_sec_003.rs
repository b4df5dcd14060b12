//! AS-SEC-003: credentials and internal details written into instruction files. The
//! file becomes part of every prompt: it is sent to the model provider, kept in
//! transcripts, and repeated by the agent when asked, so a key in it is a leaked key.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::classify::FileKind;
use crate::finding::{Confidence, Severity};
use crate::rules::instruction_text::{windows, Window};
use crate::rules::values::{
    entropy, is_local_ish, is_loopback, is_placeholder, known_secret, parse_url,
};
use crate::rules::{Context, Parsed, Rule};

use super::redact;

pub struct PromptSecrets;

impl Rule for PromptSecrets {
    fn id(&self) -> &'static str {
        "AS-SEC-003"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if file.kind != FileKind::Instructions {
            return;
        }
        let Some(md) = file.markdown else { return };
        let mut hosts = HashSet::new();
        for w in windows(file.source, md) {
            secrets(cx, file, &w);
            url_passwords(cx, file, &w);
            internal_hosts(cx, file, &w, &mut hosts);
            disclosures(cx, file, &w);
        }
    }
}

/// Known credential formats, wherever they are: a key in a code block is as leaked as
/// one in prose.
fn secrets(cx: &mut Context<'_>, file: &Parsed<'_>, w: &Window<'_>) {
    let text = w.text.as_ref();
    let mut from = 0;
    while let Some(m) = text.get(from..).and_then(known_secret) {
        let range = from + m.range.start..from + m.range.end;
        from = range.end;
        let value = &text[range.clone()];
        cx.report(
            w.span(file.source, range),
            &format!("{}:{}", w.route, m.kind),
            format!(
                "{} ({}) written into the instructions: the file is sent to the model provider with every prompt and the agent can repeat it",
                m.kind,
                redact(value)
            ),
        )
        .severity(Severity::High)
        .confidence(Confidence::High);
    }
}

/// Passwords that only work on a developer's machine: compose service names, loopback,
/// documentation hosts, and the stock passwords of local databases.
fn local_credentials(host: &str, password: &str) -> bool {
    const STOCK: &[&str] = &[
        "password",
        "pass",
        "passwd",
        "secret",
        "postgres",
        "root",
        "admin",
        "test",
        "testing",
        "changeme",
        "example",
        "guest",
        "user",
        "mysql",
        "redis",
        "dev",
        "development",
        "local",
        "pw",
        "pwd",
        "docker",
        "minioadmin",
        "rabbitmq",
        "mongo",
        "sa",
    ];
    let pw = password.to_ascii_lowercase();
    let doc_host = ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        || [".example", ".test", ".invalid", ".localhost", ".local"]
            .iter()
            .any(|s| host.ends_with(s));
    is_loopback(host)
        || is_local_ish(host)
        || !host.contains('.')
        || doc_host
        || STOCK.contains(&pw.as_str())
        || is_placeholder(password)
        || password.starts_with(['$', '{', '<', '%', '['])
}

fn url_passwords(cx: &mut Context<'_>, file: &Parsed<'_>, w: &Window<'_>) {
    static URL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'"`<>]+:[^\s@/'"`<>]+@[^\s/'"`<>)]+"#)
            .expect("static regex")
    });
    let text = w.text.as_ref();
    for m in URL.find_iter(text) {
        let Some(u) = parse_url(m.as_str()) else {
            continue;
        };
        let Some((_, pw)) = u.userinfo.as_deref().and_then(|ui| ui.split_once(':')) else {
            continue;
        };
        if pw.is_empty() || local_credentials(&u.host, pw) {
            continue;
        }
        let Some(at) = m.as_str().find(&format!(":{pw}@")).map(|i| i + 1) else {
            continue;
        };
        let range = m.start() + at..m.start() + at + pw.len();
        cx.report(
            w.span(file.source, range),
            &format!("{}:url:{}", w.route, u.host),
            format!(
                "URL for {} carries a password ({}) in the instructions, where the model provider and anyone who can prompt the agent can read it",
                u.host,
                redact(pw)
            ),
        )
        .severity(Severity::High)
        .confidence(Confidence::Medium);
    }
}

/// Private-network addresses and internal domain suffixes: low, once per host and file.
fn internal_hosts(
    cx: &mut Context<'_>,
    file: &Parsed<'_>,
    w: &Window<'_>,
    seen: &mut HashSet<String>,
) {
    static IP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3})\b(/\d|\.\d)?")
            .expect("static regex")
    });
    static NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:internal|corp|intranet|lan|local)\b(?:[^.\w-]|$)")
            .expect("static regex")
    });
    let text = w.text.as_ref();
    let mut found: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for c in IP.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        // CIDR ranges (10.0.0.0/8) describe networks in general, not a host; a fifth
        // number makes it a version.
        if c.get(1).is_some() {
            continue;
        }
        let ip = m.as_str();
        // Router defaults say nothing about anyone's network.
        if ip.parse::<std::net::Ipv4Addr>().is_err()
            || matches!(ip, "192.168.0.1" | "192.168.1.1" | "10.0.0.1" | "10.0.0.0")
        {
            continue;
        }
        // Versions and other dotted numbers inside longer tokens.
        let before = text[..m.start()].chars().next_back();
        if before.is_some_and(|c| c == '.' || c == 'v' || c.is_ascii_alphanumeric()) {
            continue;
        }
        let word = text[..m.start()]
            .split_whitespace()
            .next_back()
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(
            word.as_str(),
            "version" | "ver" | "release" | "v" | "versions"
        ) {
            continue;
        }
        found.push((m.range(), ip.to_string()));
    }
    for m in NAME.find_iter(text) {
        // `.env.local`, `config/app.local`: file names, not hosts.
        let before = text[..m.start()].chars().next_back();
        if before.is_some_and(|c| matches!(c, '.' | '/' | '\\' | '_' | '-')) {
            continue;
        }
        let host = m
            .as_str()
            .trim_end_matches(|c: char| !(c.is_alphanumeric()))
            .to_ascii_lowercase();
        let generic = host.ends_with("docker.internal")
            || host.ends_with("containers.internal")
            || host.ends_with("cluster.local")
            || host == "metadata.google.internal"
            || host.split('.').count() < 2;
        if generic {
            continue;
        }
        found.push((m.start()..m.start() + host.len(), host));
    }
    for (range, host) in found {
        if !seen.insert(host.clone()) {
            continue;
        }
        cx.report(
            w.span(file.source, range),
            &format!("{}:host:{host}", w.route),
            format!(
                "internal host {host} named in the instructions: prompts leak, and this maps the private network for whoever reads them"
            ),
        )
        .severity(Severity::Low)
        .confidence(Confidence::Medium);
    }
}

/// "The admin password is `hunter2`": a secret stated in words.
fn disclosures(cx: &mut Context<'_>, file: &Parsed<'_>, w: &Window<'_>) {
    static SAID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\b(?:password|passcode|passphrase|pin|override\s+code|discount\s+code|coupon\s+code|api\s+key|secret\s+key|access\s+code)\s+(?:is|=)\s*[:"'`“]\s*([^\s"'`”]{4,})"#)
            .expect("static regex")
    });
    let text = w.text.as_ref();
    for c in SAID.captures_iter(text) {
        let (Some(m), Some(v)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let value = v.as_str().trim_end_matches(['.', ',', ';', ')']);
        // A value, not a word: "a wrong password is `INFO`" names a log level.
        let valuey = value.chars().any(|c| c.is_ascii_digit())
            || (value.len() >= 10 && entropy(value) >= 3.0);
        if !valuey || is_placeholder(value) || value.starts_with(['$', '{', '<', '%']) {
            continue;
        }
        cx.report(
            w.span(file.source, v.start()..v.start() + value.len()),
            &format!("{}:said", w.route),
            format!(
                "the instructions state a secret in words (\"{}…\"): anything in a prompt can be talked out of the agent",
                m.as_str().split_whitespace().next().unwrap_or("")
            ),
        )
        .severity(Severity::Low)
        .confidence(Confidence::Medium);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::instruction_text::run;

    fn found(text: &str) -> Vec<(String, String)> {
        run(&PromptSecrets, "CLAUDE.md", text)
    }

    #[test]
    fn reports() {
        let key = format!("sk-ant-api03-{}", "q8Zr2LmX9vKp4TnW7bYcQ1");
        let r = found(&format!("Use the key {key} for the refunds API.\n"));
        assert_eq!(r, [("high/high".to_string(), key.clone())]);
        let r = found("DB: `postgres://app:Vq9r2Lmx8w@db.prod.acme.io:5432/app`\n");
        assert_eq!(r, [("high/medium".to_string(), "Vq9r2Lmx8w".to_string())]);
        let r = found("Deploy to 10.20.30.40 or build.corp and 10.20.30.40 again.\n");
        assert_eq!(
            r,
            [
                ("low/medium".to_string(), "10.20.30.40".to_string()),
                ("low/medium".to_string(), "build.corp".to_string())
            ]
        );
        let r = found("The admin override code is `7731-ALPHA`.\n");
        assert_eq!(r, [("low/medium".to_string(), "7731-ALPHA".to_string())]);
    }

    #[test]
    fn quiet_on_local_and_placeholders() {
        for t in [
            "Set `DATABASE_URL=postgres://postgres:postgres@localhost:5432/app`.\n",
            "Compose uses `redis://user:Xy7pQ2mZ@redis:6379`.\n",
            "Export `OPENAI_API_KEY=sk-your-key-here`.\n",
            "Allow 10.0.0.0/8 and 192.168.0.0/16.\n",
            "Requires version 10.4.2.1 or later; v10.1.1.1 too.\n",
            "Call http://host.docker.internal:8080 from the container.\n",
            "Services resolve as api.default.svc.cluster.local.\n",
            "The password is stored in Vault.\n",
            "The password is `${DB_PASSWORD}`.\n",
            "A user entering a wrong password is `INFO`, not `ERROR`.\n",
            "Copy `.env.example` to `.env.local`; see DateTimeKind.Local.\n",
            "Filter with ip.addr == 192.168.1.1 in Wireshark.\n",
            "Visit https://user:s3cr3tPass@example.com/ for the demo.\n",
        ] {
            assert!(found(t).is_empty(), "{t:?}: {:?}", found(t));
        }
    }
}
