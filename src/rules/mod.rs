//! Rules: one trait for code rules, a declarative engine for data rules, one registry.

pub mod agent_cli;
pub mod builtin;
pub mod commands;
pub mod data;
pub mod exfil_text;
pub mod instruction_text;
pub mod launch;
pub mod meta;
pub mod registry;
pub mod subjects;
pub mod values;

use crate::classify::FileKind;
use crate::finding::{fingerprint, Confidence, Finding, Location, Severity};
use crate::manifest::dockerfile::Instruction;
use crate::manifest::env::EnvVar;
use crate::manifest::markdown::Markdown;
use crate::manifest::mcp::McpServer;
use crate::manifest::Span;
use crate::source::SourceFile;

pub use meta::RuleMeta;
pub use registry::Registry;

/// Whose file this is: a repository file reaches every collaborator, a user's own
/// configuration only that user. Several rules rate shared files higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Shared,
    User,
}

/// A file parsed for the rules. Each rule looks at the kinds it knows and ignores
/// the rest; the fields that do not apply to a kind are empty.
pub struct Parsed<'a> {
    pub source: &'a SourceFile,
    pub kind: FileKind,
    /// The file on disk, for rules that look at its neighbours (signatures).
    pub abs: &'a std::path::Path,
    /// The parsed document (structured kinds), for rules that look at every value.
    pub roots: &'a [crate::manifest::Node],
    pub servers: Vec<McpServer<'a>>,
    /// Environment variables the file sets, whatever its kind.
    pub env: Vec<EnvVar>,
    /// Dockerfile instructions (Dockerfiles only).
    pub docker: &'a [Instruction],
    /// The repository's allow and forbid lists.
    pub policy: &'a crate::policy::Policy,
    /// Frontmatter and body segments (instruction files only).
    pub markdown: Option<&'a Markdown>,
    /// The syntax tree, tools and taint flows of a code file.
    pub code: Option<&'a crate::lang::Module>,
    pub scope: Scope,
    /// A `[signing] require` glob of the configuration selects this file.
    pub required: bool,
}

#[cfg(test)]
impl<'a> Parsed<'a> {
    /// A shared file with its kind, text and document and nothing else derived from
    /// it: what a unit test of one rule or reader builds. A test that needs servers,
    /// environment bindings, instructions or Markdown sets them on the result.
    pub fn for_test(
        source: &'a SourceFile,
        kind: FileKind,
        abs: &'a std::path::Path,
        roots: &'a [crate::manifest::Node],
    ) -> Parsed<'a> {
        static POLICY: std::sync::LazyLock<crate::policy::Policy> =
            std::sync::LazyLock::new(crate::policy::Policy::default);
        Parsed {
            source,
            kind,
            abs,
            roots,
            servers: Vec::new(),
            env: Vec::new(),
            docker: &[],
            policy: &POLICY,
            markdown: None,
            code: None,
            scope: Scope::Shared,
            required: false,
        }
    }
}

/// A code rule. Its metadata (title, severity, docs) lives in its rules/ file.
pub trait Rule: Send + Sync {
    fn id(&self) -> &'static str;
    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>);
}

/// Collects the findings of one rule on one file.
pub struct Context<'a> {
    pub file: &'a SourceFile,
    pub meta: &'a RuleMeta,
    pub findings: Vec<Finding>,
}

impl<'a> Context<'a> {
    pub fn new(file: &'a SourceFile, meta: &'a RuleMeta) -> Self {
        Context {
            file,
            meta,
            findings: Vec::new(),
        }
    }

    /// Reports a finding at `span` with the rule's default severity and confidence;
    /// adjust them on the returned finding. `route` names the matched node so the
    /// fingerprint survives edits elsewhere in the file.
    pub fn report(&mut self, span: Span, route: &str, message: impl Into<String>) -> &mut Finding {
        let matched = self.file.text.get(span.clone()).unwrap_or("");
        let fp = fingerprint(&self.meta.id, &self.file.path, route, matched);
        self.findings.push(Finding {
            rule: self.meta.id.clone(),
            severity: self.meta.severity,
            confidence: self.meta.confidence,
            message: message.into(),
            help: self.meta.fix.clone(),
            primary: Location::new(self.file, span),
            related: Vec::new(),
            fingerprint: fp,
            suppression: None,
            baseline: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}

impl Finding {
    pub fn severity(&mut self, s: Severity) -> &mut Self {
        self.severity = s;
        self
    }

    pub fn confidence(&mut self, c: Confidence) -> &mut Self {
        self.confidence = c;
        self
    }
}

/// The catalog's global modifier: findings in tests, examples and docs are one
/// severity step lower, since those files rarely reach a real agent.
pub fn is_sample_path(path: &str) -> bool {
    path.split('/').rev().skip(1).any(|seg| {
        let s = seg.to_ascii_lowercase();
        s.starts_with("test") || s == "examples" || s == "example" || s == "docs" || s == "fixtures"
    }) || path.ends_with(".ipynb")
        || is_test_file_name(path.rsplit('/').next().unwrap_or(path))
}

/// Test and example files named as such beside the code they exercise:
/// `server.test.ts`, `app.spec.js`, `test_tools.py`, `tools_test.py`, `conftest.py`,
/// `mcp.examples.ts`.
fn is_test_file_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let stem = n.rsplit_once('.').map_or(n.as_str(), |(s, _)| s);
    n.ends_with(".py")
        && (stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest")
        || [".test", ".spec", ".examples", ".example"]
            .iter()
            .any(|m| stem.ends_with(m))
}

#[cfg(test)]
mod tests {
    use super::is_sample_path;

    #[test]
    fn sample_paths() {
        assert!(is_sample_path("tests/a.py"));
        assert!(is_sample_path("src/FastMCP.https.test.ts"));
        assert!(is_sample_path("pkg/test_tools.py"));
        assert!(is_sample_path("pkg/tools_test.py"));
        assert!(is_sample_path("src/server/mcp.examples.ts"));
        assert!(!is_sample_path("src/server.py"));
        assert!(!is_sample_path("src/contest.py"));
        assert!(!is_sample_path("src/testing_utils.ts"));
    }
}
