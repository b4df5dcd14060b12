//! The one registry of rules: metadata from the embedded rules/ files, each code rule
//! bound to its implementation, each data rule to its matcher.

use std::collections::BTreeMap;

use crate::finding::Finding;

use super::meta::{self, RuleImpl, RuleMeta};
use super::subjects::items;
use super::{builtin, is_sample_path, Context, Parsed, Rule};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));
}

pub struct Registry {
    /// By id, so listings and SARIF are in a stable order.
    pub rules: BTreeMap<String, RuleMeta>,
    code: BTreeMap<&'static str, Box<dyn Rule>>,
}

impl Registry {
    /// The shipped rule pack. An invalid rule file is a build defect: the test suite
    /// loads this, so it never reaches a release.
    pub fn builtin() -> Result<Self, String> {
        Self::from_files(
            embedded::RULE_FILES
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string())),
        )
    }

    pub fn from_files(files: impl IntoIterator<Item = (String, String)>) -> Result<Self, String> {
        let mut rules = BTreeMap::new();
        for (path, text) in files {
            let m = meta::parse(&path, &text)?;
            if let Some(prev) = rules.insert(m.id.clone(), m) {
                return Err(format!(
                    "duplicate rule id {} ({path} and {})",
                    prev.id, prev.file
                ));
            }
        }
        let mut code = BTreeMap::new();
        for r in builtin::all() {
            match rules.get(r.id()) {
                Some(m) if matches!(m.kind, RuleImpl::Code) => {}
                Some(_) => return Err(format!("{} is a data rule but has code too", r.id())),
                None => return Err(format!("code rule {} has no rules/ file", r.id())),
            }
            code.insert(r.id(), r);
        }
        for m in rules.values() {
            if matches!(m.kind, RuleImpl::Code) && !code.contains_key(m.id.as_str()) {
                return Err(format!(
                    "{} is declared `impl: code` but has no implementation",
                    m.id
                ));
            }
        }
        Ok(Registry { rules, code })
    }

    pub fn get(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.get(id)
    }

    /// Runs every rule on a parsed file.
    pub fn check(&self, file: &Parsed<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for m in self.rules.values() {
            let mut cx = Context::new(file.source, m);
            match &m.kind {
                RuleImpl::Engine => {}
                RuleImpl::Code => {
                    if let Some(r) = self.code.get(m.id.as_str()) {
                        r.check(file, &mut cx);
                    }
                }
                RuleImpl::Data(matchers) => {
                    for matcher in matchers {
                        for item in items(matcher, file) {
                            if !matcher.pred.eval(&*item) {
                                continue;
                            }
                            let Some((span, route)) = item.span_at(&matcher.at) else {
                                continue;
                            };
                            let sev = matcher.severity(&*item, m.severity);
                            let msg = matcher.render(&*item);
                            cx.report(span, &route, msg).severity(sev);
                        }
                    }
                }
            }
            out.extend(cx.findings);
        }
        let tests = file.code.map_or(&[][..], |c| c.index.tests.as_slice());
        for f in &mut out {
            let start = f.primary.bytes.start;
            if is_sample_path(&file.source.path)
                || tests.iter().any(|t| t.start <= start && start < t.end)
            {
                f.severity = f.severity.lowered();
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_load() {
        let r = Registry::builtin().expect("rule pack is valid");
        assert!(r.get("AS-SCAN-001").is_some());
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let text = "id: AS-SCAN-001\ntitle: t\nseverity: high\nconfidence: high\nsummary: s\ndescription: d\nfix: f\ntags: []\nimpl: code\n";
        let files = vec![
            ("rules/a/AS-SCAN-001.yaml".to_string(), text.to_string()),
            ("rules/b/AS-SCAN-001.yaml".to_string(), text.to_string()),
        ];
        let err = Registry::from_files(files).err().expect("duplicate");
        assert!(err.contains("duplicate"), "{err}");
    }
}
