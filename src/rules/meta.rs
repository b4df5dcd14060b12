//! Rule metadata: the single source for `agentsec rules`, `agentsec explain`, SARIF
//! rule descriptors and docs/rules. Loaded from the embedded rules/ files and
//! validated strictly: unknown keys, bad values and duplicate ids are errors.

use crate::finding::{Confidence, Severity};
use crate::manifest::{yaml, Node, Value};

use super::data::Matcher;

/// Everything the reporters and docs say about a rule.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// One sentence.
    pub summary: String,
    /// Markdown: what is detected and why it matters.
    pub description: String,
    pub fix: String,
    pub bad: Option<String>,
    pub good: Option<String>,
    /// `cwe-78`, `owasp-llm06`, `owasp-asi02`, `owasp-mcp05`, ...
    pub tags: Vec<String>,
    pub file: String,
    pub kind: RuleImpl,
}

#[derive(Debug, Clone)]
pub enum RuleImpl {
    /// Implemented in src/rules/builtin.
    Code,
    /// A declarative matcher from the rule file.
    /// Declarative matchers from the rule file; each reports what it matches.
    Data(Vec<Matcher>),
    /// Reported by the scan pipeline itself (files that could not be analysed).
    Engine,
}

impl RuleMeta {
    pub fn help_uri(&self) -> String {
        format!("{}/docs/rules/{}.md", DOCS_BASE, self.id)
    }
}

/// Where the rule pages are published; the docs live in the repository.
pub const DOCS_BASE: &str = "https://github.com/agentsec/agentsec/blob/main";

const KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "confidence",
    "summary",
    "description",
    "fix",
    "examples",
    "tags",
    "impl",
    "match",
    "message",
];

/// Parses one rule file.
pub fn parse(file: &str, text: &str) -> Result<RuleMeta, String> {
    let doc = yaml::parse(text).map_err(|e| format!("{file}: {e}"))?;
    let root = doc
        .roots
        .first()
        .ok_or_else(|| format!("{file}: empty rule file"))?;
    let err = |m: String| format!("{file}: {m}");
    for e in root.entries() {
        if !KEYS.contains(&e.key.as_str()) {
            return Err(err(format!("unknown key `{}`", e.key)));
        }
    }
    let s = |k: &str| -> Result<String, String> {
        root.get(k)
            .and_then(Node::as_str)
            .map(|s| s.trim_end().to_string())
            .ok_or_else(|| err(format!("`{k}` must be a string")))
    };
    let id = s("id")?;
    if !valid_id(&id) {
        return Err(err(format!("id `{id}` is not of the form AS-<CAT>-<NNN>")));
    }
    let expected = format!("{id}.yaml");
    if !file.ends_with(&expected) {
        return Err(err(format!("file name must be {expected}")));
    }
    let severity = Severity::parse(&s("severity")?).ok_or_else(|| err("bad `severity`".into()))?;
    let confidence =
        Confidence::parse(&s("confidence")?).ok_or_else(|| err("bad `confidence`".into()))?;
    let tags = match root.get("tags").map(|t| &t.value) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| {
                t.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| err("tags must be strings".into()))
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(err("`tags` must be a list".into())),
    };
    let (mut bad, mut good) = (None, None);
    if let Some(ex) = root.get("examples") {
        for e in ex.entries() {
            let v = e.value.as_str().map(|s| s.trim_end().to_string());
            match e.key.as_str() {
                "bad" => bad = v,
                "good" => good = v,
                k => return Err(err(format!("unknown key `examples.{k}`"))),
            }
        }
    }
    let kind = match s("impl")?.as_str() {
        "code" => {
            if root.get("match").is_some() {
                return Err(err("a code rule has no `match`".into()));
            }
            RuleImpl::Code
        }
        "engine" => RuleImpl::Engine,
        "data" => {
            let m = root
                .get("match")
                .ok_or_else(|| err("a data rule needs `match`".into()))?;
            let message = s("message")?;
            let parts: Vec<&Node> = if m.is_array() {
                m.items().iter().collect()
            } else {
                vec![m]
            };
            if parts.is_empty() {
                return Err(err("`match` is empty".into()));
            }
            RuleImpl::Data(
                parts
                    .into_iter()
                    .map(|p| Matcher::parse(p, &message))
                    .collect::<Result<_, _>>()
                    .map_err(err)?,
            )
        }
        other => {
            return Err(err(format!(
                "`impl` must be code, data or engine, not `{other}`"
            )))
        }
    };
    Ok(RuleMeta {
        title: s("title")?,
        summary: unwrap_lines(&s("summary")?),
        description: s("description")?,
        fix: unwrap_lines(&s("fix")?),
        id,
        severity,
        confidence,
        bad,
        good,
        tags,
        file: file.to_string(),
        kind,
    })
}

/// Joins the lines of each paragraph: rule files wrap prose for reading, while
/// terminals and annotations wrap it themselves.
fn unwrap_lines(s: &str) -> String {
    s.split("\n\n")
        .map(|p| p.lines().map(str::trim).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn valid_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() == 3
        && parts[0] == "AS"
        && !parts[1].is_empty()
        && parts[1].chars().all(|c| c.is_ascii_uppercase())
        && parts[2].len() == 3
        && parts[2].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "id: AS-TEST-001\ntitle: t\nseverity: high\nconfidence: high\nsummary: s\ndescription: d\nfix: f\ntags: [cwe-1]\nimpl: code\n";

    #[test]
    fn accepts_a_code_rule() {
        let m = parse("rules/test/AS-TEST-001.yaml", BASE).expect("valid");
        assert_eq!(m.id, "AS-TEST-001");
    }

    #[test]
    fn rejects_unknown_keys_and_bad_values() {
        let e = parse(
            "rules/test/AS-TEST-001.yaml",
            &format!("{BASE}colour: red\n"),
        )
        .expect_err("unknown");
        assert!(e.contains("unknown key `colour`"), "{e}");
        let e = parse(
            "rules/test/AS-TEST-001.yaml",
            &BASE.replace("high\nconf", "huge\nconf"),
        )
        .expect_err("bad");
        assert!(e.contains("severity"), "{e}");
        let e = parse("rules/test/AS-TEST-002.yaml", BASE).expect_err("name");
        assert!(e.contains("file name"), "{e}");
    }
}
