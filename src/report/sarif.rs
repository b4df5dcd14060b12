//! SARIF 2.1.0 as GitHub code scanning accepts it: every rule described, relative URIs
//! against `%SRCROOT%`, full regions, partial fingerprints, suppressions, and files that
//! could not be analysed as tool execution notifications.

use serde_json::{json, Value};

use super::Report;
use crate::finding::{Finding, Location, Severity};
use crate::rules::RuleMeta;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// GitHub's scale: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// Percent-encodes what a relative URI reference cannot hold literally.
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'@'
            | b'+'
            | b'='
            | b'$'
            | b'!'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b','
            | b';' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn rule(m: &RuleMeta) -> Value {
    let mut md = format!("{}\n\n**Fix:** {}\n", m.description, m.fix);
    if let Some(bad) = &m.bad {
        md.push_str(&format!("\nFlagged:\n```\n{bad}\n```\n"));
    }
    if let Some(good) = &m.good {
        md.push_str(&format!("\nAccepted:\n```\n{good}\n```\n"));
    }
    json!({
        "id": m.id,
        "name": m.title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
            .map(|w| { let mut c = w.chars(); c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default() })
            .collect::<String>(),
        "shortDescription": {"text": m.title},
        "fullDescription": {"text": m.summary},
        "help": {"text": format!("{}\n\nFix: {}", m.description, m.fix), "markdown": md},
        "helpUri": m.help_uri(),
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": {
            "tags": m.tags,
            "security-severity": security_severity(m.severity),
            "precision": match m.confidence {
                crate::finding::Confidence::High => "high",
                crate::finding::Confidence::Medium => "medium",
                crate::finding::Confidence::Low => "low",
            },
        },
    })
}

fn physical(l: &Location) -> Value {
    json!({
        "artifactLocation": {"uri": uri(&l.path), "uriBaseId": "%SRCROOT%"},
        "region": {
            "startLine": l.start_line,
            "startColumn": l.start_column,
            "endLine": l.end_line,
            "endColumn": l.end_column,
        },
    })
}

fn result(f: &Finding, index: Option<usize>) -> Value {
    let mut v = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": {"text": f.message},
        "locations": [{"physicalLocation": physical(&f.primary)}],
        "partialFingerprints": {"agentsecFingerprint/v1": f.fingerprint},
        "properties": {"severity": f.severity, "confidence": f.confidence},
    });
    if let Some(i) = index {
        v["ruleIndex"] = json!(i);
    }
    if !f.related.is_empty() {
        v["relatedLocations"] = Value::Array(
            f.related
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    json!({
                        "id": i,
                        "physicalLocation": physical(l),
                        "message": {"text": l.label.clone().unwrap_or_default()},
                    })
                })
                .collect(),
        );
    }
    // Taint findings: the related locations are the path from source to sink, which
    // SARIF viewers step through as a code flow.
    if f.rule.starts_with("AS-INJ-") && !f.related.is_empty() {
        let steps = f
            .related
            .iter()
            .map(|l| (l, l.label.clone().unwrap_or_default()));
        let sink = std::iter::once((&f.primary, "sink".to_string()));
        let locations: Vec<Value> = steps
            .chain(sink)
            .map(|(l, label)| {
                json!({"location": {"physicalLocation": physical(l), "message": {"text": label}}})
            })
            .collect();
        v["codeFlows"] = json!([{"threadFlows": [{"locations": locations}]}]);
    }
    if let Some(s) = &f.suppression {
        v["suppressions"] = json!([{"kind": s.kind, "justification": s.justification}]);
    }
    if let Some(b) = f.baseline {
        v["baselineState"] = json!(b.as_str());
        if b == crate::baseline::State::Unchanged && f.suppression.is_none() {
            v["suppressions"] =
                json!([{"kind": "external", "justification": "accepted in the baseline"}]);
        }
    }
    v
}

pub fn render(r: &Report<'_>) -> String {
    let ids: Vec<&String> = r.registry.rules.keys().collect();
    let rules: Vec<Value> = r.registry.rules.values().map(rule).collect();
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| result(f, ids.iter().position(|i| **i == f.rule)))
        .collect();
    // Baseline entries no finding matched: reported as passed, for the record.
    let mut results = results;
    for e in r.baseline_absent.unwrap_or(&[]) {
        results.push(json!({
            "ruleId": e.rule,
            "kind": "pass",
            "level": "none",
            "baselineState": "absent",
            "message": {"text": format!("no longer found: {}", e.message)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri(&e.path), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": e.line.max(1)},
            }}],
            "partialFingerprints": {"agentsecFingerprint/v1": e.fingerprint},
        }));
    }
    let notifications: Vec<Value> = r
        .unreadable
        .iter()
        .map(|(p, m)| {
            json!({
                "level": "error",
                "message": {"text": format!("{p}: {m}")},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(p), "uriBaseId": "%SRCROOT%"}}}],
                "descriptor": {"id": "AS-SCAN-001"},
            })
        })
        .collect();
    let out = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "agentsec",
                "informationUri": crate::rules::meta::DOCS_BASE.trim_end_matches("/blob/main"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": r.unreadable.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encoding() {
        assert_eq!(uri("a b/.mcp.json"), "a%20b/.mcp.json");
        assert_eq!(uri("x#y?.json"), "x%23y%3F.json");
        assert_eq!(uri("é"), "%C3%A9");
    }
}
