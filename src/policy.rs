//! A repository's own allow and forbid lists for the agent tooling it configures
//! (`[policy]` in agentsec.toml): which MCP servers, launch commands, packages and
//! remote hosts are acceptable. Violations are reported by AS-SIGN-010 with the
//! policy's own message, so a team can say why and where to ask for an exception.

use globset::{GlobBuilder, GlobMatcher};

/// One entry of an allow or forbid list.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// As written, for messages.
    pub text: String,
    glob: GlobMatcher,
    /// Why this entry exists; shown with findings it causes.
    pub message: Option<String>,
}

impl Pattern {
    /// A case-insensitive glob (`*` matches any run of characters, `/` included).
    pub fn new(text: &str, message: Option<String>) -> Result<Self, String> {
        let glob = GlobBuilder::new(text)
            .case_insensitive(true)
            .literal_separator(false)
            .build()
            .map_err(|e| e.to_string())?
            .compile_matcher();
        Ok(Pattern {
            text: text.to_string(),
            glob,
            message,
        })
    }

    pub fn matches(&self, value: &str) -> bool {
        self.glob.is_match(value)
    }
}

/// Allowed and forbidden values of one kind. An empty allow list allows everything.
#[derive(Debug, Clone, Default)]
pub struct List {
    pub allow: Vec<Pattern>,
    pub forbid: Vec<Pattern>,
}

/// Why a value breaks the policy.
#[derive(Debug)]
pub enum Breach<'a> {
    Forbidden(&'a Pattern),
    NotAllowed,
}

impl List {
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.forbid.is_empty()
    }

    /// A forbid entry wins over an allow entry that also matches.
    pub fn check(&self, value: &str) -> Option<Breach<'_>> {
        if let Some(p) = self.forbid.iter().find(|p| p.matches(value)) {
            return Some(Breach::Forbidden(p));
        }
        if !self.allow.is_empty() && !self.allow.iter().any(|p| p.matches(value)) {
            return Some(Breach::NotAllowed);
        }
        None
    }
}

#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Shown with every policy finding (where to ask for an exception).
    pub message: Option<String>,
    /// MCP server names, as keyed in the client's configuration.
    pub servers: List,
    /// The program a stdio server runs (its base name: `npx`, `docker`, `bash`).
    pub commands: List,
    /// npm and PyPI packages started by `npx`, `uvx`, `pipx run` ..., and container
    /// images started by `docker run` (without tag or digest).
    pub packages: List,
    /// Hosts of remote servers; `*.example.com` matches subdomains.
    pub hosts: List,
}

impl Policy {
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
            && self.commands.is_empty()
            && self.packages.is_empty()
            && self.hosts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(allow: &[&str], forbid: &[&str]) -> List {
        List {
            allow: allow
                .iter()
                .map(|a| Pattern::new(a, None).expect("glob"))
                .collect(),
            forbid: forbid
                .iter()
                .map(|a| Pattern::new(a, None).expect("glob"))
                .collect(),
        }
    }

    #[test]
    fn forbid_wins_and_allow_lists_close() {
        let l = list(&["*.example.com", "api.github.com"], &["evil.example.com"]);
        assert!(l.check("mcp.example.com").is_none());
        assert!(l.check("API.GitHub.com").is_none());
        assert!(matches!(
            l.check("evil.example.com"),
            Some(Breach::Forbidden(_))
        ));
        assert!(matches!(l.check("other.net"), Some(Breach::NotAllowed)));
        assert!(list(&[], &["mcp-remote"]).check("@acme/x").is_none());
        assert!(matches!(
            list(&[], &["@acme/*"]).check("@acme/tools"),
            Some(Breach::Forbidden(_))
        ));
    }
}
