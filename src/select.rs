//! `--select`, `--ignore`, `--min-severity` and `--min-confidence`: which findings a
//! run reports. Selectors are rule ids (`AS-NET-001`), id prefixes (`AS-PERM`) or tags
//! (`cwe-78`, `owasp-llm06`).

use crate::finding::{Confidence, Finding, Severity};
use crate::rules::{Registry, RuleMeta};

#[derive(Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub min_severity: Option<Severity>,
    pub min_confidence: Option<Confidence>,
}

fn matches(sel: &str, m: &RuleMeta) -> bool {
    let up = sel.to_ascii_uppercase();
    m.id == up
        || m.id.starts_with(&format!("{up}-"))
        || m.tags.iter().any(|t| t.eq_ignore_ascii_case(sel))
}

impl Selection {
    /// A selector that matches no rule is a typo that would silently select nothing.
    pub fn validate(&self, r: &Registry) -> Result<(), String> {
        for s in self.select.iter().chain(&self.ignore) {
            if !r.rules.values().any(|m| matches(s, m)) {
                return Err(format!(
                    "`{s}` matches no rule id, id prefix or tag (see `agentsec rules`)"
                ));
            }
        }
        Ok(())
    }

    pub fn keeps(&self, f: &Finding, r: &Registry) -> bool {
        let Some(m) = r.get(&f.rule) else { return true };
        (self.select.is_empty() || self.select.iter().any(|s| matches(s, m)))
            && !self.ignore.iter().any(|s| matches(s, m))
            && self.min_severity.is_none_or(|min| f.severity >= min)
            && self.min_confidence.is_none_or(|min| f.confidence >= min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_prefixes_and_tags() {
        let r = Registry::builtin().expect("rules");
        let m = r.get("AS-SUP-001").expect("rule");
        assert!(matches("AS-SUP-001", m) && matches("as-sup", m) && matches("cwe-494", m));
        assert!(!matches("AS-SU", m) && !matches("cwe-49", m));
        let sel = Selection {
            select: vec!["nope-1".into()],
            ..Default::default()
        };
        assert!(sel.validate(&r).is_err());
    }
}
