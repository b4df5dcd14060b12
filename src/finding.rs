//! The finding model shared by rules and reporters.

use std::ops::Range;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// One step lower (the catalog's context modifier for tests, examples and docs).
    pub fn lowered(self) -> Self {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            Severity::Low | Severity::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Confidence::Low, Confidence::Medium, Confidence::High]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A place in a scanned file. Lines and columns are 1-based; columns count Unicode
/// code points; `end_*` is exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: String,
    #[serde(skip)]
    pub bytes: Range<usize>,
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// What this place is, for related locations ("source", "credential header").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Location {
    pub fn new(file: &SourceFile, bytes: Range<usize>) -> Self {
        let (start_line, start_column) = file.line_col(bytes.start);
        let (end_line, end_column) = file.line_col(bytes.end.max(bytes.start));
        Location {
            path: file.path.clone(),
            bytes,
            start_line,
            start_column,
            end_line,
            end_column,
            label: None,
        }
    }
}

/// One reported problem.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub help: String,
    pub primary: Location,
    pub related: Vec<Location>,
    /// Stable identity: rule, path, the matched text and its route; never the line.
    pub fingerprint: String,
    /// Set when an inline comment or the configuration suppressed the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// With `--baseline`: whether the baseline already held this finding.
    #[serde(skip)]
    pub baseline: Option<crate::baseline::State>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suppression {
    /// `inSource` (a comment) or `external` (configuration).
    pub kind: &'static str,
    pub justification: String,
}

/// Computes the fingerprint from the parts that identify a finding independently of
/// where in the file it moved: rule, path, route (or enclosing symbol) and the matched
/// text with white space removed.
pub fn fingerprint(rule: &str, path: &str, route: &str, matched: &str) -> String {
    let normalized: String = matched.chars().filter(|c| !c.is_whitespace()).collect();
    let mut h = Sha256::new();
    for part in [rule, path, route, &normalized] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_whitespace_but_not_content() {
        let a = fingerprint("AS-X-001", "a.json", "mcpServers.x.url", "\"http://a\"");
        let b = fingerprint("AS-X-001", "a.json", "mcpServers.x.url", " \"http://a\" ");
        let c = fingerprint("AS-X-001", "a.json", "mcpServers.x.url", "\"http://b\"");
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn severity_lowering_saturates() {
        assert_eq!(Severity::Critical.lowered(), Severity::High);
        assert_eq!(Severity::Info.lowered(), Severity::Info);
        assert!(Severity::High > Severity::Medium);
    }
}
