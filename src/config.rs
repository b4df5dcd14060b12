//! `agentsec.toml` (or `[tool.agentsec]` in pyproject.toml): excludes, per-rule
//! disable and severity, path-scoped ignores with reasons, and defaults for the
//! thresholds. Found by walking up from the scanned directory, or given with
//! `--config`. Unknown keys and bad values are errors that name the file, line and key:
//! a typo must never silently turn a check off.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};

use crate::finding::{Confidence, Severity};
use crate::manifest::{toml, Node, Value};
use crate::policy::{List, Pattern, Policy};
use crate::source::SourceFile;

pub const FILE_NAME: &str = "agentsec.toml";

/// A path-scoped ignore: the only way to silence findings in plain JSON.
#[derive(Debug, Clone)]
pub struct PathIgnore {
    pub glob: GlobMatcher,
    /// Rule ids; empty means every rule.
    pub rules: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Config {
    pub exclude: Vec<String>,
    /// `None` inside means `never`.
    pub fail_on: Option<Option<Severity>>,
    pub min_severity: Option<Severity>,
    pub min_confidence: Option<Confidence>,
    pub disable: Vec<String>,
    pub severity: Vec<(String, Severity)>,
    pub ignore: Vec<PathIgnore>,
    pub policy: Policy,
    /// `[signing] require`: globs of files that must carry a matching
    /// `<file>.sigstore.json` (AS-SIGN-009).
    pub require: Vec<String>,
}

/// The nearest `agentsec.toml`, or `pyproject.toml` with a `[tool.agentsec]` table, in
/// `start` or a directory above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        let py = d.join("pyproject.toml");
        if py.is_file() && std::fs::read_to_string(&py).is_ok_and(|t| t.contains("[tool.agentsec"))
        {
            return Some(py);
        }
        dir = d.parent();
    }
    None
}

pub fn load(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let shown = path.display().to_string();
    let file = SourceFile::new(shown.clone(), text);
    let doc = toml::parse(&file.text).map_err(|e| {
        let (l, c) = file.line_col(e.offset);
        format!("{shown}:{l}:{c}: invalid TOML: {}", e.message)
    })?;
    let Some(root) = doc.roots.first() else {
        return Ok(Config::default());
    };
    let table = if path.file_name().is_some_and(|n| n == "pyproject.toml") {
        match root.get("tool").and_then(|t| t.get("agentsec")) {
            Some(t) => t,
            None => return Ok(Config::default()),
        }
    } else {
        root
    };
    let cx = Cx { file: &file };
    let mut cfg = Config::default();
    for e in table.entries() {
        let v = &e.value;
        match e.key.as_str() {
            "exclude" => cfg.exclude = cx.strings(v, "exclude")?,
            "fail-on" => {
                let s = cx.string(v, "fail-on")?;
                cfg.fail_on = Some(if s == "never" {
                    None
                } else {
                    Some(Severity::parse(&s).ok_or_else(|| {
                        cx.err(
                            v,
                            "fail-on",
                            "expected critical, high, medium, low, info or never",
                        )
                    })?)
                });
            }
            "min-severity" => {
                let s = cx.string(v, "min-severity")?;
                cfg.min_severity = Some(Severity::parse(&s).ok_or_else(|| {
                    cx.err(
                        v,
                        "min-severity",
                        "expected critical, high, medium, low or info",
                    )
                })?);
            }
            "min-confidence" => {
                let s = cx.string(v, "min-confidence")?;
                cfg.min_confidence =
                    Some(Confidence::parse(&s).ok_or_else(|| {
                        cx.err(v, "min-confidence", "expected high, medium or low")
                    })?);
            }
            "rules" => {
                for r in v.entries() {
                    let key = format!("rules.{}", r.key);
                    match r.key.as_str() {
                        "disable" => cfg.disable = cx.strings(&r.value, &key)?,
                        "severity" => {
                            for s in r.value.entries() {
                                let k = format!("rules.severity.{}", s.key);
                                let text = cx.string(&s.value, &k)?;
                                let sev = Severity::parse(&text).ok_or_else(|| {
                                    cx.err(
                                        &s.value,
                                        &k,
                                        "expected critical, high, medium, low or info",
                                    )
                                })?;
                                cfg.severity.push((s.key.to_ascii_uppercase(), sev));
                            }
                        }
                        _ => return Err(cx.err_key(r.key_span.start, &key)),
                    }
                }
            }
            "signing" => {
                if !v.is_object() {
                    return Err(cx.err(v, "signing", "expected a [signing] table"));
                }
                for f in v.entries() {
                    let key = format!("signing.{}", f.key);
                    match f.key.as_str() {
                        "require" => {
                            let Value::Array(items) = &f.value.value else {
                                return Err(cx.err(&f.value, &key, "expected a list of globs"));
                            };
                            for item in items {
                                let g = cx.string(item, &key)?;
                                Glob::new(&g).map_err(|e| cx.err(item, &key, &e.to_string()))?;
                                cfg.require.push(g);
                            }
                        }
                        _ => return Err(cx.err_key(f.key_span.start, &key)),
                    }
                }
            }
            "ignore" => {
                for (i, item) in v.items().iter().enumerate() {
                    let at = format!("ignore[{i}]");
                    let (mut glob, mut rules, mut reason) = (None, Vec::new(), String::new());
                    for f in item.entries() {
                        let key = format!("{at}.{}", f.key);
                        match f.key.as_str() {
                            "path" => {
                                let g = cx.string(&f.value, &key)?;
                                glob = Some(
                                    Glob::new(&g)
                                        .map_err(|e| cx.err(&f.value, &key, &e.to_string()))?
                                        .compile_matcher(),
                                );
                            }
                            "rules" => {
                                rules = cx
                                    .strings(&f.value, &key)?
                                    .iter()
                                    .map(|r| r.to_ascii_uppercase())
                                    .collect()
                            }
                            "reason" => reason = cx.string(&f.value, &key)?,
                            _ => return Err(cx.err_key(f.key_span.start, &key)),
                        }
                    }
                    let glob = glob.ok_or_else(|| cx.err(item, &at, "needs `path`"))?;
                    if reason.trim().is_empty() {
                        return Err(cx.err(item, &at, "needs a `reason`: an ignore records why"));
                    }
                    cfg.ignore.push(PathIgnore {
                        glob,
                        rules,
                        reason,
                    });
                }
                if !v.is_array() {
                    return Err(cx.err(v, "ignore", "expected [[ignore]] tables"));
                }
            }
            "policy" => cfg.policy = cx.policy(v)?,
            other => return Err(cx.err_key(e.key_span.start, other)),
        }
    }
    Ok(cfg)
}

struct Cx<'a> {
    file: &'a SourceFile,
}

impl Cx<'_> {
    fn err(&self, n: &Node, key: &str, what: &str) -> String {
        let (l, c) = self.file.line_col(n.span.start);
        format!("{}:{l}:{c}: `{key}`: {what}", self.file.path)
    }

    fn err_key(&self, offset: usize, key: &str) -> String {
        let (l, c) = self.file.line_col(offset);
        format!("{}:{l}:{c}: unknown key `{key}`", self.file.path)
    }

    fn string(&self, n: &Node, key: &str) -> Result<String, String> {
        n.as_str()
            .map(str::to_string)
            .ok_or_else(|| self.err(n, key, "expected a string"))
    }

    /// `[policy]`: a message and allow/forbid lists of servers, commands, packages, hosts.
    fn policy(&self, n: &Node) -> Result<Policy, String> {
        if !n.is_object() {
            return Err(self.err(n, "policy", "expected a table"));
        }
        let mut p = Policy::default();
        for e in n.entries() {
            let key = format!("policy.{}", e.key);
            let list = match e.key.as_str() {
                "message" => {
                    p.message = Some(self.string(&e.value, &key)?);
                    continue;
                }
                "servers" => &mut p.servers,
                "commands" => &mut p.commands,
                "packages" => &mut p.packages,
                "hosts" => &mut p.hosts,
                _ => return Err(self.err_key(e.key_span.start, &key)),
            };
            *list = self.policy_list(&e.value, &key)?;
        }
        Ok(p)
    }

    fn policy_list(&self, n: &Node, key: &str) -> Result<List, String> {
        if !n.is_object() {
            return Err(self.err(n, key, "expected a table with `allow` and/or `forbid`"));
        }
        let mut list = List::default();
        for e in n.entries() {
            let k = format!("{key}.{}", e.key);
            let target = match e.key.as_str() {
                "allow" => &mut list.allow,
                "forbid" => &mut list.forbid,
                _ => return Err(self.err_key(e.key_span.start, &k)),
            };
            if !e.value.is_array() {
                return Err(self.err(&e.value, &k, "expected a list"));
            }
            for item in e.value.items() {
                target.push(self.pattern(item, &k)?);
            }
        }
        Ok(list)
    }

    /// `"name"` or `{ name = "...", message = "..." }`.
    fn pattern(&self, n: &Node, key: &str) -> Result<Pattern, String> {
        let (name, message) = match &n.value {
            Value::String(s) => (s.clone(), None),
            Value::Object(entries) => {
                let (mut name, mut message) = (None, None);
                for f in entries {
                    let k = format!("{key}.{}", f.key);
                    match f.key.as_str() {
                        "name" => name = Some(self.string(&f.value, &k)?),
                        "message" => message = Some(self.string(&f.value, &k)?),
                        _ => return Err(self.err_key(f.key_span.start, &k)),
                    }
                }
                let name = name.ok_or_else(|| self.err(n, key, "needs `name`"))?;
                (name, message)
            }
            _ => return Err(self.err(n, key, "expected a string or a { name, message } table")),
        };
        if name.trim().is_empty() {
            return Err(self.err(n, key, "empty pattern"));
        }
        Pattern::new(&name, message).map_err(|e| self.err(n, key, &e))
    }

    fn strings(&self, n: &Node, key: &str) -> Result<Vec<String>, String> {
        match &n.value {
            Value::Array(items) => items.iter().map(|i| self.string(i, key)).collect(),
            _ => Err(self.err(n, key, "expected a list of strings")),
        }
    }
}

/// The commented starter file `agentsec init` writes.
pub const STARTER: &str = r#"# agentsec configuration. Command-line options override these values.
# Rule ids, severities and what each rule detects: `agentsec rules`, `agentsec explain ID`.

# Paths (globs, relative to the scanned directory) that are never scanned.
exclude = [
  # "vendor/**",
]

# Exit 1 when a finding at or above this severity remains (critical, high, medium,
# low, info, never).
fail-on = "low"

# Report only findings at or above these levels.
# min-severity = "low"
# min-confidence = "low"

[rules]
# Rules that are never run.
disable = []

# Severity overrides.
[rules.severity]
# "AS-SUP-002" = "medium"

# Files that must be signed: each file the scan visits that matches one of these
# globs needs a `<file>.sigstore.json` (`agentsec sign`) whose digest matches it.
[signing]
require = [
  # "dist/*.mcpb",
  # "models/**",
]

# Path-scoped ignores, for files that cannot hold comments (plain JSON). A reason is
# required.
# [[ignore]]
# path = "examples/**"
# rules = ["AS-SEC-001"]
# reason = "demo credentials, revoked"

# Which MCP servers, launch commands, packages (npm, PyPI, container images) and
# remote hosts this repository may configure. Globs, case-insensitive. An `allow`
# list reports everything else; `forbid` entries may carry their own message.
# Breaches are reported by AS-SIGN-010.
# [policy]
# message = "Agent tooling needs approval: see CONTRIBUTING.md"
# [policy.servers]
# allow = ["github", "docs"]
# [policy.commands]
# forbid = ["bash", "sh", { name = "curl", message = "download scripts in CI, not at launch" }]
# [policy.packages]
# forbid = [{ name = "mcp-remote", message = "use the client's native remote transport" }]
# [policy.hosts]
# allow = ["*.githubcopilot.com", "mcp.example.com"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Config, String> {
        let d = tempfile::tempdir().expect("tempdir");
        let p = d.path().join(FILE_NAME);
        std::fs::write(&p, text).expect("write");
        load(&p).map_err(|e| e.replace(&d.path().display().to_string(), "DIR"))
    }

    fn to_json(n: &Node) -> serde_json::Value {
        match &n.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Number(x) => x.parse::<f64>().map_or(serde_json::Value::Null, Into::into),
            Value::String(s) => s.clone().into(),
            Value::Array(items) => items.iter().map(to_json).collect(),
            Value::Object(entries) => entries
                .iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }

    /// The published schema accepts the documented examples (the starter file and the
    /// README's) and rejects what `load` rejects.
    #[test]
    fn schema_accepts_documented_examples() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let schema_text =
            std::fs::read_to_string(root.join("docs/agentsec.schema.json")).expect("schema");
        let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("json");
        let v = jsonschema::draft7::new(&schema).expect("compiles");
        let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
        let start = readme.find("```toml\n").expect("README has a toml example") + 8;
        let end = start + readme[start..].find("```").expect("closed");
        for (name, text) in [("starter", STARTER), ("README", &readme[start..end])] {
            let doc = toml::parse(text).expect("example is TOML");
            let json = to_json(&doc.roots[0]);
            let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{name}: {errors:?}");
            load_text(text).expect("example loads");
        }
        let bad = to_json(&toml::parse("fial-on = \"low\"\n").expect("toml").roots[0]);
        assert!(!v.is_valid(&bad));
    }

    #[test]
    fn starter_file_loads() {
        let c = load_text(STARTER).expect("starter is valid");
        assert_eq!(c.fail_on, Some(Some(Severity::Low)));
    }

    #[test]
    fn full_file() {
        let c = load_text("exclude = [\"vendor/**\"]\nfail-on = \"never\"\nmin-confidence = \"medium\"\n[rules]\ndisable = [\"AS-AUTH-001\"]\n[rules.severity]\n\"as-sup-002\" = \"high\"\n[[ignore]]\npath = \"examples/**\"\nrules = [\"AS-SEC-001\"]\nreason = \"demo\"\n").expect("valid");
        assert_eq!(c.fail_on, Some(None));
        assert_eq!(c.severity, vec![("AS-SUP-002".to_string(), Severity::High)]);
        assert!(c.ignore[0].glob.is_match("examples/a/.mcp.json"));
    }

    #[test]
    fn policy_tables() {
        let c = load_text("[policy]\nmessage = \"ask #platform\"\n[policy.servers]\nallow = [\"github\"]\n[policy.packages]\nforbid = [\"mcp-remote\", { name = \"@evil/*\", message = \"typosquat\" }]\n").expect("valid");
        assert_eq!(c.policy.message.as_deref(), Some("ask #platform"));
        assert_eq!(c.policy.servers.allow.len(), 1);
        assert_eq!(
            c.policy.packages.forbid[1].message.as_deref(),
            Some("typosquat")
        );
        let e = load_text("[policy.servers]\nalow = [\"x\"]\n").expect_err("typo");
        assert!(
            e.contains(":2:1") && e.contains("policy.servers.alow"),
            "{e}"
        );
        let e = load_text("[policy.hosts]\nallow = [{ message = \"m\" }]\n").expect_err("no name");
        assert!(
            e.contains("policy.hosts.allow") && e.contains("name"),
            "{e}"
        );
        let e = load_text("[policy.hosts]\nallow = [\"a[\"]\n").expect_err("bad glob");
        assert!(e.contains(":2:"), "{e}");
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = load_text("fail-on = \"high\"\nfial-on = \"low\"\n").expect_err("typo");
        assert_eq!(e, "DIR/agentsec.toml:2:1: unknown key `fial-on`");
        let e = load_text("[rules]\nseverity = { \"AS-X\" = \"huge\" }\n").expect_err("bad value");
        assert!(
            e.contains(":2:") && e.contains("rules.severity.AS-X"),
            "{e}"
        );
        let e = load_text("[[ignore]]\npath = \"a/**\"\n").expect_err("no reason");
        assert!(e.contains("reason"), "{e}");
        let e = load_text("exclude = \"a\"\n").expect_err("not a list");
        assert!(e.contains("exclude"), "{e}");
        let e = load_text("[signing]\nrequire = [\"ok/*\", \"bad/[\"]\n").expect_err("glob");
        assert!(
            e.starts_with("DIR/agentsec.toml:2:20: `signing.require`:"),
            "{e}"
        );
        let e = load_text("signing = 1\n").expect_err("not a table");
        assert!(e.contains("`signing`"), "{e}");
    }

    #[test]
    fn signing_require() {
        let c =
            load_text("[signing]\nrequire = [\"dist/*.mcpb\", \"models/**\"]\n").expect("valid");
        assert_eq!(c.require, ["dist/*.mcpb", "models/**"]);
    }
}
