//! Baselines: `--write-baseline FILE` records the current findings by fingerprint;
//! `--baseline FILE` then reports only what is new. Fingerprints hash the rule, the
//! path, the route and the matched text, so lines inserted above a finding, reordered
//! keys or reformatting do not bring it back, while a new finding of the same rule in
//! the same file is still new. A renamed file counts as new: its path is part of what
//! was accepted.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

pub const VERSION: &str = "1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    New,
    Unchanged,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Unchanged => "unchanged",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
    /// Where it was when recorded; informative only, never used to match.
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: String,
    tool: String,
    findings: Vec<Entry>,
}

/// Writes the active findings (suppressed ones are already accounted for in source).
pub fn write(path: &Path, findings: &[Finding]) -> Result<usize, String> {
    let entries: Vec<Entry> = findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .map(|f| Entry {
            rule: f.rule.clone(),
            path: f.primary.path.clone(),
            fingerprint: f.fingerprint.clone(),
            line: f.primary.start_line,
            message: f.message.clone(),
        })
        .collect();
    let n = entries.len();
    let file = BaselineFile {
        version: VERSION.into(),
        tool: "agentsec".into(),
        findings: entries,
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(n)
}

pub fn load(path: &Path) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    let file: BaselineFile = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not an agentsec baseline: {e}", path.display()))?;
    if file.version != VERSION {
        return Err(format!(
            "{} is baseline version {}, this agentsec reads version {VERSION}",
            path.display(),
            file.version
        ));
    }
    Ok(file.findings)
}

/// Marks each finding new or unchanged and returns the baseline entries no finding
/// matched any more (fixed or moved to another file). Identical fingerprints are
/// matched one for one, so a second copy of an accepted problem is new.
pub fn apply(findings: &mut [Finding], entries: &[Entry]) -> Vec<Entry> {
    let mut left: HashMap<(&str, &str), Vec<&Entry>> = HashMap::new();
    for e in entries {
        left.entry((e.rule.as_str(), e.fingerprint.as_str()))
            .or_default()
            .push(e);
    }
    for f in findings.iter_mut() {
        let hit = left
            .get_mut(&(f.rule.as_str(), f.fingerprint.as_str()))
            .and_then(|v| v.pop())
            .is_some();
        f.baseline = Some(if hit { State::Unchanged } else { State::New });
    }
    let mut absent: Vec<Entry> = left.into_values().flatten().cloned().collect();
    absent.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    absent
}
