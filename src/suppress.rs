//! Inline suppressions: `agentsec: ignore[AS-XXX-NNN, …] reason` in a comment on the
//! finding's line or alone on the line above. A reason is required; a directive that
//! has none, names an unknown rule, or suppresses nothing is itself reported
//! (AS-SCAN-002), so suppressions cannot silently rot.

use crate::finding::{fingerprint, Finding, Location, Suppression};
use crate::manifest::Comment;
use crate::rules::Registry;
use crate::source::SourceFile;

const MARKER: &str = "agentsec: ignore[";

#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    /// 1-based line of the comment.
    pub line: usize,
    /// The comment stands alone on its line, so it covers the next line.
    pub own_line: bool,
    pub ids: Vec<String>,
    pub reason: String,
    pub span: std::ops::Range<usize>,
}

/// Directives in a file's comments.
pub fn directives(file: &SourceFile, comments: &[Comment]) -> Vec<Directive> {
    let mut out = Vec::new();
    for c in comments {
        let Some(at) = c.text.find(MARKER) else {
            continue;
        };
        let rest = &c.text[at + MARKER.len()..];
        let Some(close) = rest.find(']') else {
            continue;
        };
        let ids = rest[..close]
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        let reason = rest[close + 1..]
            .trim()
            .trim_end_matches("*/")
            .trim_end_matches("-->")
            .trim()
            .trim_start_matches([':', '-', '—'])
            .trim()
            .to_string();
        let (line, _) = file.line_col(c.span.start);
        let line_start = file.text[..c.span.start].rfind('\n').map_or(0, |i| i + 1);
        let own_line = file.text[line_start..c.span.start].trim().is_empty();
        out.push(Directive {
            line,
            own_line,
            ids,
            reason,
            span: c.span.clone(),
        });
    }
    out
}

/// Marks the findings that directives suppress and returns AS-SCAN-002 findings for
/// directives that are malformed or unused.
pub fn apply(
    file: &SourceFile,
    directives: &[Directive],
    findings: &mut [Finding],
    registry: &Registry,
) -> Vec<Finding> {
    let mut problems = Vec::new();
    for d in directives {
        let unknown: Vec<&String> = d
            .ids
            .iter()
            .filter(|id| registry.get(id).is_none())
            .collect();
        let problem = if d.ids.is_empty() {
            Some("names no rule: write agentsec: ignore[AS-XXX-NNN] reason".to_string())
        } else if !unknown.is_empty() {
            Some(format!(
                "names unknown rule{} {}",
                if unknown.len() == 1 { "" } else { "s" },
                unknown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        } else if d.reason.is_empty() {
            Some("has no reason, so it suppresses nothing: say why after the bracket".to_string())
        } else {
            None
        };
        let mut used = false;
        if problem.is_none() {
            for f in findings.iter_mut() {
                let covers = f.primary.start_line == d.line
                    || (d.own_line && f.primary.start_line == d.line + 1);
                if covers && d.ids.contains(&f.rule) && f.suppression.is_none() {
                    f.suppression = Some(Suppression {
                        kind: "inSource",
                        justification: d.reason.clone(),
                    });
                    used = true;
                }
            }
        }
        let message = match problem {
            Some(p) => format!("suppression comment {p}"),
            None if !used => format!(
                "suppression of {} matches no finding on this or the next line; remove it",
                d.ids.join(", ")
            ),
            None => continue,
        };
        if let Some(m) = registry.get("AS-SCAN-002") {
            let matched = file.text.get(d.span.clone()).unwrap_or("");
            problems.push(Finding {
                rule: m.id.clone(),
                severity: m.severity,
                confidence: m.confidence,
                message,
                help: m.fix.clone(),
                primary: Location::new(file, d.span.clone()),
                related: Vec::new(),
                fingerprint: fingerprint(&m.id, &file.path, "", matched),
                suppression: None,
                baseline: None,
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(text: &str, needle: &str) -> Comment {
        let start = text.find(needle).expect("needle");
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        Comment {
            span: start..end,
            text: text[start + 1..end].to_string(),
        }
    }

    #[test]
    fn parses_ids_reason_and_placement() {
        let text = "a: 1\n# agentsec: ignore[as-net-001, AS-SEC-001] internal lab host\nb: 2 # agentsec: ignore[AS-SUP-001]\n";
        let f = SourceFile::new("x.yaml".into(), text.into());
        let cs = vec![
            comment(text, "# agentsec: ignore[as"),
            comment(text, "# agentsec: ignore[AS-SUP"),
        ];
        let d = directives(&f, &cs);
        assert_eq!(d[0].ids, vec!["AS-NET-001", "AS-SEC-001"]);
        assert_eq!(d[0].reason, "internal lab host");
        assert!(d[0].own_line);
        assert_eq!(d[0].line, 2);
        assert!(!d[1].own_line);
        assert_eq!(d[1].reason, "");
    }
}
