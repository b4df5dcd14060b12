//! GitHub Actions workflows and composite actions, read from the spanned YAML tree:
//! triggers, token permissions, jobs and steps, and which steps run an AI agent.
//! Reading is lenient: a key of the wrong type is skipped, never an error, because
//! the scanner reports what a file grants, not whether GitHub would accept it.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::classify::FileKind;
use crate::cmdline::{self, Dialect, Mapping, Word};
use crate::manifest::{Entry, Node, Route, Span, Value};
use crate::rules::{agent_cli, Parsed};
use crate::source::SourceFile;

/// A workflow (`on` + `jobs`) or a composite action (`runs.steps`, one pseudo-job).
pub struct Workflow<'a> {
    pub triggers: Vec<Trigger<'a>>,
    /// Top-level `permissions`, absent when the workflow keeps the default token.
    pub permissions: Option<&'a Entry>,
    pub env: Option<&'a Node>,
    pub jobs: Vec<Job<'a>>,
}

/// One event under `on`.
pub struct Trigger<'a> {
    pub name: &'a str,
    /// The event name as written: a map key or a string item.
    pub span: Span,
}

pub struct Job<'a> {
    pub id: &'a str,
    pub key_span: Span,
    pub route: Route,
    pub permissions: Option<&'a Entry>,
    pub condition: Option<&'a Node>,
    pub env: Option<&'a Node>,
    /// `uses:` of a job that calls a reusable workflow.
    pub uses: Option<&'a Node>,
    pub steps: Vec<Step<'a>>,
}

pub struct Step<'a> {
    pub route: Route,
    pub uses: Option<ActionRef<'a>>,
    pub with: Option<&'a Node>,
    pub run: Option<&'a Node>,
    pub env: Option<&'a Node>,
    pub condition: Option<&'a Node>,
}

/// `owner/repo[/path]@ref` of a `uses:` value.
pub struct ActionRef<'a> {
    pub node: &'a Node,
    /// `owner/repo` in lower case, for matching.
    pub slug: String,
    /// The sub-directory after `owner/repo/`, lower case (`github` in `sst/opencode/github`).
    pub path: String,
    pub git_ref: Option<&'a str>,
    /// Range of the ref in the value (the whole value when there is none); see [`locate`].
    pub ref_range: Range<usize>,
}

/// The workflows of a parsed file: none unless the file is a workflow or composite
/// action, so a rule on workflows starts from this one line.
pub fn workflows<'a>(file: &Parsed<'a>) -> Vec<Workflow<'a>> {
    if file.kind != FileKind::Workflow {
        return Vec::new();
    }
    file.roots.iter().filter_map(Workflow::read).collect()
}

impl<'a> Workflow<'a> {
    /// Reads a workflow or composite action; `None` for documents of neither shape.
    pub fn read(root: &'a Node) -> Option<Workflow<'a>> {
        if let Some(runs) = root.get("runs") {
            let route = Route::root().key("runs");
            let steps = steps(runs.get("steps"), &route);
            return Some(Workflow {
                triggers: Vec::new(),
                permissions: None,
                env: None,
                jobs: vec![Job {
                    id: "runs",
                    key_span: root
                        .entry("runs")
                        .map_or(runs.span.clone(), |e| e.key_span.clone()),
                    route,
                    permissions: None,
                    condition: None,
                    env: None,
                    uses: None,
                    steps,
                }],
            });
        }
        let jobs_node = root.get("jobs")?;
        let triggers = root
            .entry("on")
            .or_else(|| root.entry("true"))
            .map(triggers)
            .unwrap_or_default();
        let jobs = jobs_node
            .entries()
            .iter()
            .filter(|e| e.value.is_object())
            .map(|e| {
                let route = Route::root().key("jobs").key(&e.key);
                let j = &e.value;
                Job {
                    id: &e.key,
                    key_span: e.key_span.clone(),
                    permissions: j.entry("permissions"),
                    condition: j.get("if"),
                    env: j.get("env").filter(|n| n.is_object()),
                    uses: j.get("uses").filter(|n| n.as_str().is_some()),
                    steps: steps(j.get("steps"), &route),
                    route,
                }
            })
            .collect();
        Some(Workflow {
            triggers,
            permissions: root.entry("permissions"),
            env: root.get("env").filter(|n| n.is_object()),
            jobs,
        })
    }

    pub fn trigger(&self, name: &str) -> Option<&Trigger<'a>> {
        self.triggers.iter().find(|t| t.name == name)
    }

    /// The permissions that apply to a job: its own, else the workflow's.
    pub fn permissions_of(&self, job: &Job<'a>) -> Option<&'a Entry> {
        job.permissions.or(self.permissions)
    }
}

fn triggers(on: &Entry) -> Vec<Trigger<'_>> {
    match &on.value.value {
        Value::String(s) => vec![Trigger {
            name: s,
            span: on.value.span.clone(),
        }],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| {
                i.as_str().map(|s| Trigger {
                    name: s,
                    span: i.span.clone(),
                })
            })
            .collect(),
        Value::Object(entries) => entries
            .iter()
            .map(|e| Trigger {
                name: &e.key,
                span: e.key_span.clone(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn steps<'a>(node: Option<&'a Node>, job: &Route) -> Vec<Step<'a>> {
    let Some(node) = node else {
        return Vec::new();
    };
    node.items()
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_object())
        .map(|(i, s)| Step {
            route: job.key("steps").index(i),
            uses: s.get("uses").and_then(ActionRef::parse),
            with: s.get("with").filter(|n| n.is_object()),
            run: s.get("run").filter(|n| n.as_str().is_some()),
            env: s.get("env").filter(|n| n.is_object()),
            condition: s.get("if"),
        })
        .collect()
}

impl<'a> ActionRef<'a> {
    /// `None` for local (`./x`) and `docker://` actions, which have no owner or ref.
    pub fn parse(node: &'a Node) -> Option<ActionRef<'a>> {
        let text = node.as_str()?;
        if text.starts_with("./") || text.starts_with("docker://") || !text.contains('/') {
            return None;
        }
        let (name, git_ref) = match text.split_once('@') {
            Some((n, r)) => (n, Some(r)),
            None => (text, None),
        };
        let mut parts = name.splitn(3, '/');
        let owner = parts.next().unwrap_or("");
        let repo = parts.next().unwrap_or("");
        let path = parts.next().unwrap_or("");
        let ref_range = match git_ref {
            Some(r) => name.len() + 1..name.len() + 1 + r.len(),
            None => 0..text.len(),
        };
        Some(ActionRef {
            node,
            slug: format!("{owner}/{repo}").to_ascii_lowercase(),
            path: path.trim_end_matches('/').to_ascii_lowercase(),
            git_ref,
            ref_range,
        })
    }

    /// A full 40-hex commit: the only ref a repository owner cannot move.
    pub fn pinned(&self) -> bool {
        self.git_ref
            .is_some_and(|r| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()))
    }
}

impl<'a> Step<'a> {
    /// A `with:` input (last one wins, as in GitHub).
    pub fn input(&self, name: &str) -> Option<&'a Entry> {
        self.with.and_then(|w| w.entry(name))
    }

    /// An input's value as text (numbers and booleans as written).
    pub fn input_text(&self, name: &str) -> Option<String> {
        self.input(name).and_then(|e| e.value.scalar_text())
    }

    pub fn route_of(&self, input: &str) -> String {
        self.route.key("with").key(input).to_string()
    }
}

/// The file bytes of `range` (an offset range in a string value): exact when that
/// part of the value is written verbatim inside the node (plain, quoted without
/// escapes in that part, or one line of a block scalar), else the whole node.
pub fn locate(file: &SourceFile, node: &Node, range: Range<usize>) -> Span {
    let Some(value) = node.as_str() else {
        return node.span.clone();
    };
    let Some(needle) = value.get(range.clone()) else {
        return node.span.clone();
    };
    let raw = file.text.get(node.span.clone()).unwrap_or("");
    if needle.is_empty() || raw.is_empty() {
        return node.span.clone();
    }
    // The n-th occurrence in the value is the n-th in the raw text, as long as the
    // needle holds no character that quoting or folding rewrites.
    let nth = value
        .get(..range.start)
        .map_or(0, |before| before.matches(needle).count());
    match raw.match_indices(needle).nth(nth) {
        Some((i, _)) => node.span.start + i..node.span.start + i + needle.len(),
        None => node.span.clone(),
    }
}

/// `${{ … }}` expressions in a string: the range of each whole expression and its
/// inner text, trimmed.
pub fn expressions(s: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = s.get(from..).and_then(|t| t.find("${{")) {
        let start = from + i;
        let Some(j) = s.get(start + 3..).and_then(|t| t.find("}}")) else {
            break;
        };
        let end = start + 3 + j + 2;
        out.push((
            start..end,
            s.get(start + 3..start + 3 + j).unwrap_or("").trim(),
        ));
        from = end;
    }
    out
}

/// The scopes a `permissions` value grants write access to (`write-all` counts as
/// every scope, named `*`).
pub fn writes(perms: &Entry) -> Vec<(&str, Span)> {
    match &perms.value.value {
        Value::String(s) if s == "write-all" => vec![("*", perms.value.span.clone())],
        Value::Object(entries) => entries
            .iter()
            .filter(|e| e.value.as_str() == Some("write"))
            .map(|e| (e.key.as_str(), e.value.span.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

/// The AI agent a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    /// anthropics/claude-code-action (tag/agent modes, v0 and v1 inputs).
    ClaudeAction,
    /// anthropics/claude-code-base-action.
    ClaudeBaseAction,
    CodexAction,
    GeminiAction,
    /// Another action known to run a coding agent.
    OtherAction,
    /// A `run:` step invoking an agent CLI.
    Cli(&'static str),
}

impl Agent {
    pub fn is_action(self) -> bool {
        !matches!(self, Agent::Cli(_))
    }
}

/// Actions that run a coding agent. The opencode action moved from `sst` to
/// `anomalyco`; Gemini's first action lived under `google-gemini`.
const AGENT_ACTIONS: &[(&str, &str, Agent)] = &[
    ("anthropics/claude-code-action", "", Agent::ClaudeAction),
    (
        "anthropics/claude-code-base-action",
        "",
        Agent::ClaudeBaseAction,
    ),
    ("openai/codex-action", "", Agent::CodexAction),
    (
        "google-github-actions/run-gemini-cli",
        "",
        Agent::GeminiAction,
    ),
    ("google-gemini/gemini-cli-action", "", Agent::GeminiAction),
    ("sst/opencode", "github", Agent::OtherAction),
    ("anomalyco/opencode", "github", Agent::OtherAction),
];

/// The agent a step runs, if any.
pub fn agent_of(step: &Step<'_>) -> Option<Agent> {
    if let Some(u) = &step.uses {
        return AGENT_ACTIONS
            .iter()
            .find(|(slug, path, _)| u.slug == *slug && u.path == *path)
            .map(|(_, _, a)| *a);
    }
    // Which agent, not where: the script's own offsets do.
    let run = step.run?.as_str()?;
    cmdline::split(run, &Mapping::Shift(0), Dialect::Shell)
        .iter()
        .find_map(|words| agent_cli::invocation(words))
        .map(|inv| Agent::Cli(inv.agent.name))
}

/// An agent CLI launched by a command of a `run:` script.
pub struct CliCall {
    pub name: &'static str,
    /// The simple command, its words pointing into the file.
    pub words: Vec<Word>,
    /// Index of the agent's program or package word (launchers such as `npx -y` and
    /// `sudo` come before it).
    pub agent_word: usize,
}

impl CliCall {
    /// The agent's word and its arguments.
    pub fn agent_words(&self) -> &[Word] {
        self.words.get(self.agent_word..).unwrap_or(&[])
    }
}

/// Agent CLIs launched in a `run:` script (`file` is the text the node was parsed
/// from), in the shared command-line reading: quotes, continuations, `sh -c` and
/// command substitutions followed, here-documents skipped.
pub fn cli_invocations(file: &str, run: &Node) -> Vec<CliCall> {
    cmdline::split_string(file, run)
        .into_iter()
        .filter_map(|words| {
            let inv = agent_cli::invocation(&words)?;
            Some(CliCall {
                name: inv.agent.name,
                agent_word: inv.args.checked_sub(1)?,
                words,
            })
        })
        .collect()
}

/// Secrets a node refers to (`${{ secrets.NAME }}`), with the expression's range in
/// the string.
pub fn secret_refs(s: &str) -> Vec<(Range<usize>, &str)> {
    expressions(s)
        .into_iter()
        .filter_map(|(r, inner)| {
            let rest = inner.strip_prefix("secrets.")?;
            let name = rest
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            (!name.is_empty()).then_some((r, name))
        })
        .collect()
}

/// Model-provider credentials an agent step legitimately needs, and the workflow token.
pub fn provider_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    const PROVIDERS: &[&str] = &[
        "ANTHROPIC",
        "CLAUDE",
        "OPENAI",
        "CODEX",
        "GEMINI",
        "GOOGLE_API_KEY",
        "GOOGLE_GENAI",
        "VERTEX",
        "OPENROUTER",
        "OPENCODE",
        "AZURE_OPENAI",
        "MISTRAL",
        "GROQ",
        "DEEPSEEK",
        "XAI_",
        "AMP_API_KEY",
        "CURSOR_API_KEY",
        "COPILOT",
    ];
    n == "GITHUB_TOKEN" || PROVIDERS.iter().any(|p| n.contains(p))
}

/// Event fields anyone who can open an issue, comment, or push a branch to a fork
/// writes: titles, bodies, comments, branch names, commit messages.
static UNTRUSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)\bgithub\.(
            head_ref\b
          | event\.(
                issue\.(title|body)\b
              | comment\.body\b
              | review\.body\b
              | review_comment\.body\b
              | pull_request\.(title|body|head\.ref|head\.label|head\.repo\.description)\b
              | head_commit\.(message|author\.(name|email))\b
              | commits\b[^\s]*\.(message|author)
              | discussion\.(title|body)\b
              | pages\b[^\s]*\.page_name\b
              | workflow_run\.(head_branch|display_title|head_commit\.(message|author\.(name|email)))\b
              | (issue|comment|review|review_comment|pull_request|discussion|head_commit|commits|workflow_run)\s*\)
            )
          | event\s*\)
        )",
    )
    .expect("static regex")
});

/// Whether a `${{ }}` expression's inner text reads attacker-controlled event data.
pub fn untrusted_expression(inner: &str) -> bool {
    UNTRUSTED.is_match(inner)
}

/// A secret the agent step can read: from its `with:`/`env:`, or the job's or the
/// workflow's `env:`, which every step inherits.
pub struct SecretRef<'a> {
    pub node: &'a Node,
    /// Range of the `${{ secrets.X }}` expression in the string.
    pub range: Range<usize>,
    pub name: String,
    pub route: Route,
}

/// Secrets other than the model provider's key and the workflow token that reach an
/// agent step. `toJSON(secrets)` counts as every secret.
pub fn exposed_secrets<'a>(w: &Workflow<'a>, job: &Job<'a>, step: &Step<'a>) -> Vec<SecretRef<'a>> {
    let mut out = Vec::new();
    let sources = [
        (step.with, step.route.key("with")),
        (step.env, step.route.key("env")),
        (job.env, job.route.key("env")),
        (w.env, Route::root().key("env")),
    ];
    for (node, route) in sources {
        let Some(node) = node else { continue };
        for e in node.entries() {
            for n in strings(&e.value) {
                let text = n.as_str().unwrap_or("");
                for (range, inner) in expressions(text) {
                    let name = if inner.replace(' ', "").contains("toJSON(secrets)") {
                        Some("*".to_string())
                    } else {
                        secret_refs(text.get(range.clone()).unwrap_or(""))
                            .first()
                            .map(|(_, n)| n.to_string())
                    };
                    if let Some(name) = name.filter(|n| n == "*" || !provider_secret(n)) {
                        out.push(SecretRef {
                            node: n,
                            range,
                            name,
                            route: route.key(&e.key),
                        });
                    }
                }
            }
        }
    }
    out
}

/// Whether an `if:` condition limits who can start the job: it holds only when an
/// author-association check admits members, or the actor is compared with a fixed
/// name. A check in one branch of `||` does not gate the other branches.
pub fn actor_gated(cond: Option<&Node>) -> bool {
    let Some(text) = cond.and_then(|c| c.scalar_text()) else {
        return false;
    };
    let t = text.trim();
    let t = t
        .strip_prefix("${{")
        .and_then(|x| x.strip_suffix("}}"))
        .unwrap_or(t);
    let tokens = tokens(t);
    let mut p = GateParser {
        tokens: &tokens,
        at: 0,
    };
    p.or()
}

#[derive(Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    Atom(String),
}

/// Splits an expression into operators, grouping parentheses and atoms; function
/// calls and quoted strings stay inside their atom.
fn tokens(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut atom = String::new();
    let mut chars = s.chars().peekable();
    let flush = |atom: &mut String, out: &mut Vec<Tok>| {
        let a = atom.trim();
        if !a.is_empty() {
            out.push(Tok::Atom(a.to_string()));
        }
        atom.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                atom.push(c);
                for q in chars.by_ref() {
                    atom.push(q);
                    if q == '\'' {
                        break;
                    }
                }
            }
            '(' if atom.ends_with(|x: char| x.is_alphanumeric() || x == '_') => {
                // A call: keep its arguments in the atom.
                atom.push(c);
                let mut depth = 1;
                let mut quoted = false;
                for q in chars.by_ref() {
                    atom.push(q);
                    match q {
                        '\'' => quoted = !quoted,
                        '(' if !quoted => depth += 1,
                        ')' if !quoted => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            '(' => {
                flush(&mut atom, &mut out);
                out.push(Tok::Open);
            }
            ')' => {
                flush(&mut atom, &mut out);
                out.push(Tok::Close);
            }
            '&' if chars.peek() == Some(&'&') => {
                chars.next();
                flush(&mut atom, &mut out);
                out.push(Tok::And);
            }
            '|' if chars.peek() == Some(&'|') => {
                chars.next();
                flush(&mut atom, &mut out);
                out.push(Tok::Or);
            }
            '!' if chars.peek() != Some(&'=') && atom.trim().is_empty() => {
                out.push(Tok::Not);
            }
            c => atom.push(c),
        }
    }
    flush(&mut atom, &mut out);
    out
}

/// Evaluates "does this expression only hold for gated actors": every branch of an
/// `||`, any operand of an `&&`.
struct GateParser<'t> {
    tokens: &'t [Tok],
    at: usize,
}

impl GateParser<'_> {
    fn or(&mut self) -> bool {
        let mut gated = self.and();
        while self.tokens.get(self.at) == Some(&Tok::Or) {
            self.at += 1;
            gated &= self.and();
        }
        gated
    }

    fn and(&mut self) -> bool {
        let mut gated = self.unary();
        while self.tokens.get(self.at) == Some(&Tok::And) {
            self.at += 1;
            gated |= self.unary();
        }
        gated
    }

    fn unary(&mut self) -> bool {
        let tok = self.tokens.get(self.at);
        self.at += 1;
        match tok {
            Some(Tok::Not) => {
                self.unary();
                false
            }
            Some(Tok::Open) => {
                let g = self.or();
                if self.tokens.get(self.at) == Some(&Tok::Close) {
                    self.at += 1;
                }
                g
            }
            Some(Tok::Atom(a)) => gate_atom(a),
            _ => false,
        }
    }
}

fn gate_atom(atom: &str) -> bool {
    let t: String = atom.chars().filter(|c| !c.is_whitespace()).collect();
    let member = ["OWNER", "MEMBER", "COLLABORATOR"]
        .iter()
        .any(|r| t.contains(r));
    let association = t.contains("author_association")
        && member
        && (t.contains("==") || t.starts_with("contains("));
    let actor = [
        "github.actor",
        "github.triggering_actor",
        "sender.login",
        "user.login",
    ]
    .iter()
    .any(|a| {
        t.contains(&format!("{a}=="))
            || t.contains(&format!("=={a}"))
            || (t.starts_with("contains(fromJSON(") && t.contains(&format!(",{a})")))
    });
    association || actor
}

/// Every agent step of a workflow with its job.
pub fn agent_steps<'w, 'a>(w: &'w Workflow<'a>) -> Vec<(&'w Job<'a>, &'w Step<'a>, Agent)> {
    w.jobs
        .iter()
        .flat_map(|j| {
            j.steps
                .iter()
                .filter_map(move |s| agent_of(s).map(|a| (j, s, a)))
        })
        .collect()
}

/// Every string under a node, with the node holding it.
pub fn strings(node: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    collect(node, &mut out, 0);
    out
}

fn collect<'a>(node: &'a Node, out: &mut Vec<&'a Node>, depth: usize) {
    if depth > 64 {
        return;
    }
    match &node.value {
        Value::String(_) => out.push(node),
        Value::Array(items) => items.iter().for_each(|i| collect(i, out, depth + 1)),
        Value::Object(entries) => entries
            .iter()
            .for_each(|e| collect(&e.value, out, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::yaml;

    fn wf(text: &str) -> Node {
        yaml::parse(text).unwrap().roots.remove(0)
    }

    #[test]
    fn triggers_in_three_forms() {
        for (text, names) in [
            ("on: push\njobs: {}\n", vec!["push"]),
            (
                "on: [issues, issue_comment]\njobs: {}\n",
                vec!["issues", "issue_comment"],
            ),
            (
                "on:\n  pull_request_target:\n    types: [opened]\n  push:\njobs: {}\n",
                vec!["pull_request_target", "push"],
            ),
        ] {
            let root = wf(text);
            let w = Workflow::read(&root).unwrap();
            let got: Vec<&str> = w.triggers.iter().map(|t| t.name).collect();
            assert_eq!(got, names);
            for t in &w.triggers {
                assert_eq!(&text[t.span.clone()].trim_matches(|c| c == '"'), &t.name);
            }
        }
    }

    #[test]
    fn steps_uses_split() {
        let root = wf("on: issues\njobs:\n  a:\n    steps:\n      - uses: anthropics/claude-code-action@v1\n      - uses: sst/opencode/github@latest\n      - uses: ./local\n      - run: claude -p hi\n");
        let w = Workflow::read(&root).unwrap();
        let steps = &w.jobs[0].steps;
        let a = steps[0].uses.as_ref().unwrap();
        assert_eq!(a.slug, "anthropics/claude-code-action");
        assert_eq!(a.git_ref, Some("v1"));
        assert!(!a.pinned());
        assert_eq!(agent_of(&steps[0]), Some(Agent::ClaudeAction));
        assert_eq!(agent_of(&steps[1]), Some(Agent::OtherAction));
        assert!(steps[2].uses.is_none());
        assert_eq!(agent_of(&steps[3]), Some(Agent::Cli("claude")));
    }

    #[test]
    fn composite_action_is_one_job() {
        let root = wf("name: x\nruns:\n  using: composite\n  steps:\n    - run: npx -y @openai/codex@0.5.0 exec hi\n      shell: bash\n");
        let w = Workflow::read(&root).unwrap();
        assert_eq!(w.jobs.len(), 1);
        assert_eq!(agent_of(&w.jobs[0].steps[0]), Some(Agent::Cli("codex")));
    }

    #[test]
    fn cli_word_match() {
        let names = |s: &str| -> Vec<&str> {
            let node = Node::new(Value::String(s.to_string()), 0..s.len());
            cli_invocations(s, &node).iter().map(|c| c.name).collect()
        };
        assert_eq!(names("echo claude\n"), Vec::<&str>::new());
        assert_eq!(names("X=1 claude -p \"x\" | tee out"), vec!["claude"]);
        assert_eq!(names("goose up\ngoose run -t hi"), vec!["goose"]);
        assert_eq!(
            names("# claude -p\nnpm test && gemini --yolo -p x"),
            vec!["gemini"]
        );
        assert_eq!(
            names("npx -y @google/gemini-cli@0.1.0 -p x"),
            vec!["gemini"]
        );
        assert_eq!(
            names("npm i -g @anthropic-ai/claude-code"),
            Vec::<&str>::new()
        );
        assert_eq!(names("ünïcode; amp -x"), vec!["amp"]);
        assert_eq!(names("cat <<EOF\nclaude -p x\nEOF\n"), Vec::<&str>::new());
        let s = "  npx -y @google/gemini-cli@1.0.0 -p x";
        let node = Node::new(Value::String(s.to_string()), 0..s.len());
        let calls = cli_invocations(s, &node);
        assert_eq!(calls[0].agent_word, 2);
        assert_eq!(
            &s[calls[0].agent_words()[0].span.clone()],
            "@google/gemini-cli@1.0.0"
        );
    }

    #[test]
    fn expressions_and_secrets() {
        let s = "a ${{ github.event.issue.title }} b ${{secrets.AWS_KEY}} ${{ unterminated";
        let e = expressions(s);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].1, "github.event.issue.title");
        assert_eq!(&s[e[0].0.clone()], "${{ github.event.issue.title }}");
        assert_eq!(secret_refs(s)[0].1, "AWS_KEY");
        assert!(provider_secret("ANTHROPIC_API_KEY"));
        assert!(!provider_secret("AWS_SECRET_ACCESS_KEY"));
    }

    #[test]
    fn untrusted_fields() {
        for e in [
            "github.event.issue.title",
            "github.event.comment.body || ''",
            "github.head_ref",
            "toJSON(github.event.pull_request)",
            "toJSON(github.event)",
            "github.event.commits[0].message",
            "github.event.workflow_run.head_branch",
        ] {
            assert!(untrusted_expression(e), "{e}");
        }
        for e in [
            "github.event.issue.number",
            "github.event.pull_request.head.sha",
            "github.event.comment.id",
            "github.event_name",
            "github.repository",
        ] {
            assert!(!untrusted_expression(e), "{e}");
        }
    }

    #[test]
    fn gates() {
        let gated = |c: &str| {
            let n = Node::new(Value::String(c.to_string()), 0..0);
            actor_gated(Some(&n))
        };
        assert!(gated("github.event.comment.author_association == 'OWNER'"));
        assert!(gated("${{ contains(github.event.comment.body, '@claude') && contains(fromJSON('[\"OWNER\",\"MEMBER\"]'), github.event.comment.author_association) }}"));
        assert!(gated("github.event_name == 'issue_comment' && (github.event.comment.author_association == 'OWNER' || github.event.comment.author_association == 'MEMBER')"));
        assert!(!gated("contains(github.event.comment.body, '@claude')"));
        assert!(!gated("github.event_name == 'issues' || (contains(github.event.comment.body, 'x') && github.event.comment.author_association == 'OWNER')"));
        assert!(!gated("github.event.comment.author_association != 'OWNER'"));
        assert!(!gated("!(github.actor == 'bot')"));
        assert!(gated("github.actor == 'renovate[bot]'"));
        assert!(!gated("((("));
        assert!(!gated(""));
        assert!(!actor_gated(None));
    }

    #[test]
    fn odd_shapes_do_not_panic() {
        for text in [
            "on: 5\njobs: [1, 2]\n",
            "jobs:\n  a: 1\n  b:\n    steps: {x: 1}\n",
            "jobs:\n  a:\n    steps:\n      - uses: 7\n      - uses: \"@\"\n      - uses: a/b@\n",
            "runs: 3\n",
        ] {
            let root = wf(text);
            if let Some(w) = Workflow::read(&root) {
                for j in &w.jobs {
                    for s in &j.steps {
                        let _ = agent_of(s);
                    }
                }
            }
        }
    }

    #[test]
    fn permissions_writes() {
        let root = wf("permissions:\n  contents: write\n  issues: read\njobs: {}\n");
        let w = Workflow::read(&root).unwrap();
        let p = w.permissions.unwrap();
        assert_eq!(
            writes(p).iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            vec!["contents"]
        );
        let root = wf("permissions: write-all\njobs: {}\n");
        let w = Workflow::read(&root).unwrap();
        assert_eq!(writes(w.permissions.unwrap())[0].0, "*");
    }

    #[test]
    fn locate_in_block_scalar() {
        let text = "with:\n  prompt: |\n    Triage ${{ github.event.issue.title }} now\n";
        let root = wf(text);
        let node = root.get("with").unwrap().get("prompt").unwrap();
        let v = node.as_str().unwrap();
        let (r, _) = expressions(v).remove(0);
        let file = SourceFile::new("x.yml".into(), text.into());
        let sp = locate(&file, node, r);
        assert_eq!(&text[sp], "${{ github.event.issue.title }}");
    }
}
