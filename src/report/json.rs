//! The versioned JSON report. Its shape is documented in docs/json-format.md; a change
//! that breaks readers bumps `version`.

use serde_json::{json, Value};

use super::Report;
use crate::finding::Location;

pub const VERSION: &str = "1";

fn loc(l: &Location) -> Value {
    let mut v = json!({
        "path": l.path,
        "start_line": l.start_line,
        "start_column": l.start_column,
        "end_line": l.end_line,
        "end_column": l.end_column,
    });
    if let Some(label) = &l.label {
        v["label"] = json!(label);
    }
    v
}

pub fn render(r: &Report<'_>) -> String {
    let findings: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let meta = r.registry.get(&f.rule);
            json!({
                "rule": f.rule,
                "title": meta.map(|m| m.title.as_str()),
                "severity": f.severity,
                "confidence": f.confidence,
                "message": f.message,
                "help": f.help,
                "help_uri": meta.map(|m| m.help_uri()),
                "location": loc(&f.primary),
                "related": f.related.iter().map(loc).collect::<Vec<_>>(),
                "fingerprint": f.fingerprint,
                "suppressed": f.suppression.is_some(),
                "baseline_state": f.baseline.map(|b| b.as_str()),
                "suppression": f.suppression.as_ref().map(|s| json!({"kind": s.kind, "justification": s.justification})),
            })
        })
        .collect();
    let mut counts = serde_json::Map::new();
    for s in crate::finding::Severity::ALL.iter().rev() {
        counts.insert(
            s.as_str().into(),
            json!(r.active().filter(|f| f.severity == *s).count()),
        );
    }
    let out = json!({
        "version": VERSION,
        "tool": {"name": "agentsec", "version": env!("CARGO_PKG_VERSION")},
        "summary": {
            "files_visited": r.files_visited,
            "files_scanned": r.files_scanned,
            "bytes_scanned": r.bytes_scanned,
            "findings": r.active().count(),
            "suppressed": r.suppressed(),
            "baseline": r.baseline_absent.map(|absent| json!({
                "unchanged": r.in_baseline(),
                "absent": absent.len(),
            })),
            "by_severity": counts,
            "failed": r.fails(),
        },
        "findings": findings,
        "errors": r.unreadable.iter().map(|(p, m)| json!({"path": p, "message": m})).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}
