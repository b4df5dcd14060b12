//! The language-neutral half of the taint pass: what a tainted value carries, the
//! variables of one function, and the flows that reach a sink.

use std::collections::HashMap;

use crate::manifest::Span;

/// Sink classes of the catalog's taint model (Appendix A.2) that the rules report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sink {
    /// A command line run by a shell (AS-INJ-001).
    Shell,
    /// Code evaluation, templates compiled from a string, object-constructing
    /// deserialisers (AS-INJ-002).
    Code,
    /// A file path (AS-INJ-004).
    File,
    /// A URL fetched by the server (AS-INJ-005).
    Network,
    /// A SQL statement (AS-INJ-006).
    Sql,
    /// An element of a program's argument list run without a shell, where a leading
    /// `-` makes it an option (AS-INJ-003).
    Argv,
    /// HTML or markup rendered without escaping (AS-INJ-007).
    Html,
    /// The content of a system or developer prompt (AS-INJ-008).
    Prompt,
}

/// Where a tainted value comes from: the rules word their messages, and pick the
/// flows they report, by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    /// A parameter of a tool the model calls.
    #[default]
    Tool,
    /// Text a language model returned (prompt injection steers it).
    Model,
    /// Data of an HTTP request to a server route.
    Request,
}

impl Origin {
    /// Content sinks take flows by origin: HTML only from model output (the catalog's
    /// AS-INJ-007), prompts only from what the model does not write (AS-INJ-008).
    pub fn feeds(self, sink: Sink) -> bool {
        match sink {
            Sink::Html => self == Origin::Model,
            _ => self != Origin::Model,
        }
    }

    /// Who chooses the value, for the "why it is dangerous" half of a message.
    pub fn who(self) -> &'static str {
        match self {
            Origin::Tool | Origin::Model => {
                "whoever steers the model (a prompt injection in any text it reads)"
            }
            Origin::Request => "any client that can reach this route",
        }
    }
}

impl Sink {
    fn bit(self) -> u8 {
        match self {
            Sink::Shell => 1,
            Sink::Code => 2,
            Sink::File => 4,
            Sink::Network => 8,
            Sink::Sql => 16,
            Sink::Argv => 32,
            Sink::Html => 64,
            Sink::Prompt => 128,
        }
    }
}

/// Fields that hold a URL's host: checking one against an allow-list validates the
/// URL for fetching.
pub const HOST_FIELDS: &[&str] = &["hostname", "netloc", "host", "origin"];

/// Every class: for validations that make a value safe everywhere (allow-lists,
/// numeric conversion).
pub const ALL: u8 = 255;

pub fn bits(classes: &[Sink]) -> u8 {
    classes.iter().fold(0, |b, s| b | s.bit())
}

/// How many helper calls deep a tool's arguments are followed (tool → a → b → c):
/// deeper chains are rare in tool code and each level re-reads a function body.
pub const MAX_HELPER_DEPTH: usize = 3;

/// How many helper bodies one tool's pass reads in all, so that a helper called from
/// many places at every level cannot make the pass quadratic in the file.
pub const MAX_HELPER_VISITS: usize = 200;

/// One place a value passed through on its way to a sink.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub span: Span,
    pub label: String,
}

/// What is known about a tainted value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taint {
    /// From the source to the latest assignment.
    pub steps: Vec<Step>,
    /// Sink classes a sanitiser or guard made it safe for.
    pub cleared: u8,
    /// Part of a string built by formatting or concatenation.
    pub built: bool,
    /// The built string has SQL keywords in its literal parts.
    pub sqlish: bool,
    /// Passed through symlink resolution (`realpath`, `resolve()`, `fs.realpath`).
    pub resolved: bool,
    /// Its only containment check is a raw string prefix test.
    pub prefix: bool,
    /// A URL whose scheme and host come before any tainted part
    /// (`f"{API}/alerts?area={state}"`): the value cannot choose the server.
    pub host_fixed: bool,
    /// A built string that starts with constant text (`f"--unified={n}"`): it
    /// cannot begin an option of its own.
    pub starts_fixed: bool,
    /// What the source is.
    pub origin: Origin,
}

impl Taint {
    pub fn source(span: Span, label: String) -> Self {
        Taint {
            steps: vec![Step { span, label }],
            ..Taint::default()
        }
    }

    /// A source other than a tool parameter.
    pub fn from(origin: Origin, span: Span, label: String) -> Self {
        Taint {
            origin,
            ..Taint::source(span, label)
        }
    }

    pub fn reaches(&self, sink: Sink) -> bool {
        self.cleared & sink.bit() == 0
    }

    pub fn clear(&mut self, classes: u8) {
        self.cleared |= classes;
    }

    pub fn prefix_note(&self) -> Option<&'static str> {
        self.prefix.then_some(
            "its only check is a string prefix test on an unresolved path, which a sibling such as `<root>-evil` or a symlink inside the root passes",
        )
    }

    pub fn step(mut self, span: Span, label: String) -> Self {
        // Long chains add nothing for a reader; keep the source and the last steps,
        // and helper calls over assignments.
        if self.steps.len() >= 8 {
            let at = self
                .steps
                .iter()
                .skip(1)
                .position(|s| s.label.starts_with("assigned to"))
                .map_or(1, |i| i + 1);
            self.steps.remove(at);
        }
        self.steps.push(Step { span, label });
        self
    }

    /// Two tainted values combined: the first one's path is shown, and a class is
    /// safe only if both were made safe for it.
    pub fn merge(a: Option<Taint>, b: Option<Taint>) -> Option<Taint> {
        match (a, b) {
            (Some(mut a), Some(b)) => {
                a.cleared &= b.cleared;
                a.built |= b.built;
                a.sqlish |= b.sqlish;
                a.resolved &= b.resolved;
                a.host_fixed &= b.host_fixed;
                a.starts_fixed &= b.starts_fixed;
                Some(a)
            }
            (a, b) => a.or(b),
        }
    }
}

/// A tainted value reaching a sink.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub sink: Sink,
    /// The sink's argument that carries the tainted value.
    pub span: Span,
    /// The sink call as the reader knows it, e.g. `subprocess.run(..., shell=True)`.
    pub callee: String,
    /// The tool whose parameter is the source, or the function the flow is in.
    pub tool: String,
    /// Source first, then each assignment and helper call on the way.
    pub steps: Vec<Step>,
    /// What makes the flow worse or explains a guard that does not count.
    pub note: Option<&'static str>,
    pub origin: Origin,
}

impl Flow {
    /// Adds the flow when the taint can reach this kind of sink (a guard may have
    /// cleared it for some sink classes and not others).
    pub fn record(
        flows: &mut Vec<Flow>,
        sink: Sink,
        span: Span,
        t: &Taint,
        callee: String,
        tool: &str,
        note: Option<&'static str>,
    ) {
        if t.reaches(sink) {
            flows.push(Flow {
                sink,
                span,
                callee,
                tool: tool.to_string(),
                steps: t.steps.clone(),
                note,
                origin: t.origin,
            });
        }
    }
}

/// The variables of one function body being analysed.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, Taint>,
    /// `a = f(b)`: a guard on `a` also protects `b` (`urlparse(url).hostname`).
    parents: HashMap<String, Vec<String>>,
    /// Variables holding an HTTP client or session object.
    pub clients: std::collections::HashSet<String>,
    /// Variables holding a web framework's request object (`request: Request`).
    pub requests: std::collections::HashSet<String>,
}

impl Env {
    pub fn get(&self, name: &str) -> Option<&Taint> {
        self.vars.get(name)
    }

    pub fn set(&mut self, name: &str, taint: Option<Taint>, parents: Vec<String>, kill: bool) {
        match taint {
            Some(t) => {
                self.vars.insert(name.to_string(), t);
                self.parents.insert(name.to_string(), parents);
            }
            // Only straight-line code overwrites: a clean value assigned in one branch
            // leaves the other branch's taint in place.
            None if kill => {
                self.vars.remove(name);
            }
            None => {}
        }
    }

    /// A guard validated `name`: it and the values it was computed from are safe for
    /// `classes` from here on.
    pub fn clear(&mut self, name: &str, classes: u8) {
        let mut todo = vec![name.to_string()];
        let mut seen = std::collections::HashSet::new();
        while let Some(n) = todo.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some(t) = self.vars.get_mut(&n) {
                t.clear(classes);
            }
            if let Some(p) = self.parents.get(&n) {
                todo.extend(p.iter().cloned());
            }
        }
    }

    /// A guard validated exactly `name` (not what it was computed from).
    pub fn clear_only(&mut self, name: &str, classes: u8) {
        if let Some(t) = self.vars.get_mut(name) {
            t.clear(classes);
        }
    }

    /// A raw prefix test on `name` (not a containment check; kept for the message).
    pub fn mark_prefix(&mut self, name: &str) {
        if let Some(t) = self.vars.get_mut(name) {
            t.prefix = true;
        }
    }

    pub fn is_tainted(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }
}

/// Placeholder for an untainted expression inside the constant prefix of a built
/// string (a base URL constant).
pub const CONST: char = '\u{0}';

/// Whether the constant text before the first tainted part of a built string fixes
/// the URL's host: a scheme and host followed by `/`, `?` or `#`, or a constant base
/// followed by a path. `https://{host}` and `https://api.example.com{rest}` do not
/// (`@evil.example` after a host changes it).
pub fn fixed_host(prefix: &str) -> bool {
    let ends_host = |s: &str| s.contains(['/', '?', '#']);
    if let Some(i) = prefix.find("://") {
        return ends_host(&prefix[i + 3..]);
    }
    prefix.starts_with(CONST) && ends_host(prefix)
}

/// SQL keywords in a literal fragment of a built string.
pub fn sql_like(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .collect();
    let has = |w: &str| words.contains(&w);
    (has("select") && has("from"))
        || (has("insert") && has("into"))
        || (has("update") && has("set"))
        || (has("delete") && has("from"))
        || has("where")
        || (has("drop") && has("table"))
}

/// Names of functions that validate their argument: a call to one is taken as the
/// guard it claims to be (`validate_path(p)`, `ensureAllowedUrl(u)`). A bare
/// `check_`/`verify` prefix is not enough: `check_may_fetch(url)` checks robots.txt.
pub fn is_validator_name(name: &str) -> bool {
    let n = name.trim_start_matches('_').to_ascii_lowercase();
    ["validate", "sanitize", "sanitise", "is_safe", "issafe"]
        .iter()
        .any(|p| n.starts_with(p))
        || [
            "allowed",
            "safe_path",
            "safepath",
            "within",
            "inside",
            "permitted",
            "allowlist",
            "whitelist",
        ]
        .iter()
        .any(|w| n.contains(w))
}

#[cfg(test)]
mod names {
    #[test]
    fn validators() {
        for v in [
            "validatePath",
            "_validate_url",
            "isPathAllowed",
            "ensure_within_root",
            "sanitize",
        ] {
            assert!(super::is_validator_name(v), "{v}");
        }
        for v in [
            "check_output",
            "check_may_autonomously_fetch_url",
            "verify",
            "run",
            "resolve",
        ] {
            assert!(!super::is_validator_name(v), "{v}");
        }
    }
}

/// What replacing every match of `pattern` makes safe, when the pattern is one
/// negated character class (`[^a-zA-Z0-9._-]+`): the characters it keeps are all
/// that is left. Keeping no `/` or `\\` leaves a single path component; keeping only
/// word characters, `.`, `-` and spaces leaves nothing a shell, SQL or code parser
/// gives meaning to.
pub fn stripped_by(pattern: &str) -> u8 {
    let p = pattern.trim_end_matches(['+', '*']);
    let Some(class) = p.strip_prefix("[^").and_then(|c| c.strip_suffix(']')) else {
        return 0;
    };
    if class.contains(['[', ']']) {
        return 0;
    }
    let plain = class
        .replace("\\w", "")
        .replace("\\d", "")
        .replace("\\s", "")
        .replace("\\.", "")
        .replace("\\-", "");
    if plain
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
    {
        return ALL;
    }
    if class.contains('/') || class.contains('\\') {
        return 0;
    }
    bits(&[Sink::File])
}

/// Flows deduplicated by sink position and class, in source order. A sink inside the
/// argument of another sink of the same class (`conn.execute(text(f"..."))`) is one
/// flaw: the inner, more precise one is kept.
pub fn dedup(mut flows: Vec<Flow>) -> Vec<Flow> {
    flows.sort_by_key(|f| (f.span.start, f.span.end));
    let mut seen = std::collections::HashSet::new();
    flows.retain(|f| seen.insert((f.span.clone(), f.sink)));
    let inner: Vec<(Span, Sink)> = flows.iter().map(|f| (f.span.clone(), f.sink)).collect();
    flows.retain(|f| {
        !inner.iter().any(|(s, k)| {
            *k == f.sink && *s != f.span && s.start >= f.span.start && s.end <= f.span.end
        })
    });
    flows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_clear_parents() {
        let mut env = Env::default();
        env.set("url", Some(Taint::source(0..3, "src".into())), vec![], true);
        env.set("p", env.get("url").cloned(), vec!["url".into()], true);
        env.clear("p", bits(&[Sink::Network]));
        assert!(!env.get("url").unwrap().reaches(Sink::Network));
        assert!(env.get("url").unwrap().reaches(Sink::File));
    }

    #[test]
    fn nested_sinks_of_one_class_are_one_flow() {
        let flow = |span: Span, sink| Flow {
            sink,
            span,
            callee: String::new(),
            tool: String::new(),
            steps: Vec::new(),
            note: None,
            origin: Origin::Tool,
        };
        let kept = dedup(vec![
            flow(10..40, Sink::Sql),
            flow(15..39, Sink::Sql),
            flow(10..40, Sink::Shell),
            flow(50..60, Sink::Sql),
        ]);
        let spans: Vec<_> = kept.iter().map(|f| (f.span.clone(), f.sink)).collect();
        assert_eq!(
            spans,
            [
                (10..40, Sink::Shell),
                (15..39, Sink::Sql),
                (50..60, Sink::Sql)
            ]
        );
    }

    #[test]
    fn fixed_hosts() {
        assert!(fixed_host("https://api.example.com/v1/"));
        assert!(fixed_host("\u{0}/alerts?area="));
        assert!(!fixed_host("https://"));
        assert!(!fixed_host("https://api.example.com"));
        assert!(!fixed_host(""));
        assert!(!fixed_host("\u{0}"));
    }

    #[test]
    fn stripped_classes() {
        assert_eq!(stripped_by("[^a-zA-Z0-9._-]"), ALL);
        assert_eq!(stripped_by("[^\\w.-]+"), ALL);
        assert_eq!(stripped_by("[^a-z;|]"), bits(&[Sink::File]));
        assert_eq!(stripped_by("[^a-z/]"), 0);
        assert_eq!(stripped_by("[a-z]"), 0);
        assert_eq!(stripped_by("[^"), 0);
        assert_eq!(stripped_by("é"), 0);
    }

    #[test]
    fn sql_words() {
        assert!(sql_like("SELECT * FROM t WHERE a='"));
        assert!(!sql_like("Selected from the list"));
        assert!(!sql_like("grep -r "));
    }
}
