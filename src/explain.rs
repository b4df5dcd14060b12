//! Rule listings and rule pages, generated from the rule metadata so that
//! `agentsec explain`, docs/rules and the README cannot drift apart.

use crate::rules::{Registry, RuleMeta};

pub fn list(r: &Registry) -> String {
    let mut out = String::new();
    for m in r.rules.values() {
        out.push_str(&format!(
            "{:<12} {:<8} {:<6} {}\n",
            m.id,
            m.severity.as_str(),
            m.confidence.as_str(),
            m.title
        ));
    }
    out
}

/// A rule's page in Markdown; also the content of docs/rules/<id>.md.
pub fn page(m: &RuleMeta) -> String {
    let mut s = format!("# {} — {}\n\n", m.id, m.title);
    s.push_str(&format!(
        "Severity: **{}** · Confidence: **{}** · Tags: {}\n\n",
        m.severity.as_str(),
        m.confidence.as_str(),
        m.tags
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    s.push_str(&format!(
        "{}\n\n## What it detects\n\n{}\n\n## How to fix\n\n{}\n",
        m.summary, m.description, m.fix
    ));
    if let Some(bad) = &m.bad {
        s.push_str(&format!("\n## Flagged\n\n```\n{bad}\n```\n"));
    }
    if let Some(good) = &m.good {
        s.push_str(&format!("\n## Accepted\n\n```\n{good}\n```\n"));
    }
    s
}
