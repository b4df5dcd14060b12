//! The places each kind of file keeps command lines.

use crate::classify::FileKind;
use crate::manifest::{Node, Route, Value};
use crate::rules::Parsed;

use super::{exec_form, mapping, split, split_string, CommandLine, Dialect, Mapping, Word};

/// Every command line the file holds, in file order per source.
pub fn command_lines(file: &Parsed<'_>) -> Vec<CommandLine> {
    let mut out = Lines {
        text: &file.source.text,
        out: Vec::new(),
    };
    match file.kind {
        FileKind::Shell => shell_file(&mut out, &file.source.path),
        FileKind::Dockerfile => dockerfile(&mut out, file),
        FileKind::PackageJson => {
            for root in file.roots {
                out.entries(root.get("scripts"), &Route::root().key("scripts"), "script");
            }
        }
        FileKind::Compose => {
            for root in file.roots {
                compose(&mut out, root);
            }
        }
        FileKind::Kubernetes => {
            for root in file.roots {
                kubernetes(&mut out, root);
            }
        }
        FileKind::Workflow => {
            for root in file.roots {
                workflow(&mut out, root);
            }
        }
        FileKind::Devcontainer => {
            for root in file.roots {
                devcontainer(&mut out, root);
            }
        }
        FileKind::VsCodeTasks => {
            for root in file.roots {
                vscode_tasks(&mut out, root);
            }
        }
        _ => {}
    }
    for s in &file.servers {
        let mut words = Vec::new();
        if let Some(cmd) = &s.command {
            // Some clients accept a whole command line in `command`.
            let mut first = split_string(out.text, cmd.node);
            if let Some(last) = first.pop() {
                words = last;
            }
        }
        words.extend(
            s.args
                .iter()
                .filter_map(|a| Word::from_node(out.text, a.node)),
        );
        out.exec(
            words,
            format!("MCP server `{}`", s.name),
            s.route.to_string(),
        );
    }
    out.out
}

struct Lines<'t> {
    text: &'t str,
    out: Vec<CommandLine>,
}

impl Lines<'_> {
    fn push(&mut self, cmds: Vec<Vec<Word>>, origin: &str, route: &str) {
        for words in cmds {
            self.out.push(CommandLine {
                words,
                origin: origin.to_string(),
                route: route.to_string(),
                implied: None,
            });
        }
    }

    /// Shell text written verbatim at `range`.
    fn verbatim(
        &mut self,
        range: std::ops::Range<usize>,
        dialect: Dialect,
        origin: &str,
        route: &str,
    ) {
        if let Some(t) = self.text.get(range.clone()) {
            let cmds = split(t, &Mapping::Shift(range.start), dialect);
            self.push(cmds, origin, route);
        }
    }

    /// A string node holding shell text.
    fn string(&mut self, node: &Node, origin: &str, route: &str) {
        let cmds = split_string(self.text, node);
        self.push(cmds, origin, route);
    }

    fn exec(&mut self, words: Vec<Word>, origin: String, route: String) {
        if !words.is_empty() {
            let cmds = exec_form(words);
            self.push(cmds, &origin, &route);
        }
    }

    /// A string (shell text) or a list (exec form).
    fn string_or_list(&mut self, node: &Node, origin: &str, route: &str) {
        match &node.value {
            Value::String(_) => self.string(node, origin, route),
            Value::Array(items) => {
                let words = items
                    .iter()
                    .filter_map(|n| Word::from_node(self.text, n))
                    .collect();
                self.exec(words, origin.to_string(), route.to_string());
            }
            _ => {}
        }
    }

    /// Every string value of an object (`scripts`), named by its key.
    fn entries(&mut self, obj: Option<&Node>, route: &Route, what: &str) {
        for e in obj.map(Node::entries).unwrap_or(&[]) {
            if e.value.as_str().is_some() {
                self.string(
                    &e.value,
                    &format!("{what} `{}`", e.key),
                    &route.key(&e.key).to_string(),
                );
            }
        }
    }
}

fn words_of(text: &str, node: &Node) -> Vec<Word> {
    match &node.value {
        Value::Array(items) => items
            .iter()
            .filter_map(|n| Word::from_node(text, n))
            .collect(),
        // A string form is split into words (compose does the same); operators in it
        // would be plain words to the container runtime, but read as the shell would.
        Value::String(_) => split_string(text, node).into_iter().flatten().collect(),
        _ => Vec::new(),
    }
}

// --- scripts, Makefiles, justfiles, Procfiles --------------------------------------

fn shell_file(out: &mut Lines<'_>, path: &str) {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let text = out.text;
    match name.as_str() {
        "makefile" | "gnumakefile" => recipes(out, Recipes::Make),
        n if n.ends_with(".mk") => recipes(out, Recipes::Make),
        "justfile" => recipes(out, Recipes::Just),
        "procfile" => {
            let mut at = 0;
            for line in text.split_inclusive('\n') {
                let body = line.trim_end_matches(['\n', '\r']);
                if let Some((name, _)) = body.split_once(':') {
                    let name = name.trim();
                    if !name.is_empty() && !name.starts_with('#') && !name.contains(' ') {
                        let start = at + body.find(':').unwrap_or(0) + 1;
                        out.verbatim(
                            start..at + body.len(),
                            Dialect::Shell,
                            &format!("process `{name}`"),
                            name,
                        );
                    }
                }
                at += line.len();
            }
        }
        _ => out.verbatim(0..text.len(), Dialect::Shell, "the script", ""),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Recipes {
    Make,
    Just,
}

/// Recipe lines: tab-indented in Makefiles, indented in justfiles, with their
/// continuation lines; the `@`, `-` and `+` prefixes are not part of the command.
fn recipes(out: &mut Lines<'_>, kind: Recipes) {
    let text = out.text;
    let mut target = String::new();
    let mut at = 0;
    let mut continued = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let start = at;
        at += line.len();
        let is_recipe = match kind {
            Recipes::Make => body.starts_with('\t'),
            Recipes::Just => body.starts_with([' ', '\t']) && !target.is_empty(),
        };
        if continued {
            continued = body.ends_with('\\');
            continue;
        }
        if !is_recipe {
            let trimmed = body.trim_start();
            if body.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            // A rule header names the target for messages; assignments end the recipe.
            target = match body.split_once(':') {
                Some((t, rest)) if !rest.starts_with('=') && !t.contains('=') => t
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches('@')
                    .to_string(),
                _ => String::new(),
            };
            continue;
        }
        let trimmed = body.trim_start();
        let lead = body.len() - trimmed.len();
        let cmd = trimmed.trim_start_matches(['@', '-', '+']);
        let cmd_start = start + lead + (trimmed.len() - cmd.len());
        // The command runs to the end of its last continuation line.
        let mut end = start + body.len();
        if body.ends_with('\\') {
            let mut next = at;
            for more in text[at..].split_inclusive('\n') {
                let b = more.trim_end_matches(['\n', '\r']);
                end = next + b.len();
                next += more.len();
                if !b.ends_with('\\') {
                    break;
                }
            }
            continued = true;
        }
        let origin = if target.is_empty() {
            "recipe".to_string()
        } else {
            format!("recipe `{target}`")
        };
        out.verbatim(cmd_start..end, Dialect::Shell, &origin, &target);
    }
}

// --- Dockerfile ----------------------------------------------------------------------

fn dockerfile(out: &mut Lines<'_>, file: &Parsed<'_>) {
    let text = out.text;
    let mut entrypoint: Vec<Word> = Vec::new();
    for (i, ins) in file.docker.iter().enumerate() {
        let kw = ins.keyword.as_str();
        if kw == "FROM" {
            entrypoint.clear();
        }
        if !matches!(kw, "RUN" | "CMD" | "ENTRYPOINT") {
            continue;
        }
        let route = format!("{kw}[{i}]");
        let origin = format!("the {kw} instruction");
        let Some(args) = text.get(ins.args.clone()) else {
            continue;
        };
        if let Some(words) = exec_words(text, ins.args.start, args) {
            let mut words = words;
            match kw {
                "ENTRYPOINT" => entrypoint = words.clone(),
                // An exec-form CMD is the arguments of an exec-form ENTRYPOINT.
                "CMD" if !entrypoint.is_empty() => {
                    let mut all = entrypoint.clone();
                    all.append(&mut words);
                    words = all;
                }
                _ => {}
            }
            out.exec(words, origin, route);
            continue;
        }
        if kw == "ENTRYPOINT" {
            entrypoint.clear();
        }
        // RUN options (`--mount=...`, `--network=...`) come before the command.
        let mut start = ins.args.start;
        if kw == "RUN" {
            let mut rest = args;
            while rest.starts_with("--") {
                let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let skip = len + (rest[len..].len() - rest[len..].trim_start().len());
                start += skip;
                rest = &rest[skip..];
            }
        }
        out.verbatim(start..ins.args.end, Dialect::Dockerfile, &origin, &route);
    }
}

/// The JSON array of an exec-form instruction, as words pointing into the file.
fn exec_words(text: &str, base: usize, args: &str) -> Option<Vec<Word>> {
    if !args.starts_with('[') {
        return None;
    }
    let doc = crate::manifest::json::parse(args).ok()?;
    let root = doc.roots.first()?;
    let items = root.items();
    if !root.is_array() || items.iter().any(|n| n.as_str().is_none()) {
        return None;
    }
    Some(
        items
            .iter()
            .filter_map(|n| {
                let shifted = Node::new(n.value.clone(), n.span.start + base..n.span.end + base);
                Word::from_node(text, &shifted)
            })
            .collect(),
    )
}

// --- compose, Kubernetes -------------------------------------------------------------

fn compose(out: &mut Lines<'_>, root: &Node) {
    let services = Route::root().key("services");
    for svc in root.get("services").map(Node::entries).unwrap_or(&[]) {
        let r = services.key(&svc.key);
        let ep = svc.value.get("entrypoint");
        let cmd = svc.value.get("command");
        if ep.is_none() && cmd.is_none() {
            continue;
        }
        // The command is the entrypoint's arguments when both are set.
        let mut words = ep.map(|n| words_of(out.text, n)).unwrap_or_default();
        if let Some(c) = cmd {
            if words.is_empty() && c.as_str().is_some() {
                out.string(
                    c,
                    &format!("service `{}`", svc.key),
                    &r.key("command").to_string(),
                );
                continue;
            }
            words.extend(words_of(out.text, c));
        }
        out.exec(words, format!("service `{}`", svc.key), r.to_string());
    }
}

/// Containers anywhere in a manifest (Pod, workload templates, CronJob templates,
/// List items): their `command` followed by their `args`.
fn kubernetes(out: &mut Lines<'_>, node: &Node) {
    for (c, route) in crate::manifest::kube::containers_anywhere(node, &Route::root()) {
        let name = c.get("name").and_then(Node::as_str).unwrap_or("?");
        let mut words = c
            .get("command")
            .map(|n| words_of(out.text, n))
            .unwrap_or_default();
        if let Some(a) = c.get("args") {
            words.extend(words_of(out.text, a));
        }
        out.exec(words, format!("container `{name}`"), route.to_string());
    }
}

// --- workflows -----------------------------------------------------------------------

/// Actions that pass one input to an agent CLI as its arguments: (action, input,
/// agent). The Claude Code action's `claude_args`; the Codex action's `codex-args`
/// (a shell-like string or a JSON array of strings, given to `codex exec`).
const AGENT_ACTIONS: &[(&str, &str, &str)] = &[
    ("anthropics/claude-code-action", "claude_args", "claude"),
    (
        "anthropics/claude-code-base-action",
        "claude_args",
        "claude",
    ),
    ("openai/codex-action", "codex-args", "codex"),
];

fn workflow(out: &mut Lines<'_>, root: &Node) {
    let jobs = Route::root().key("jobs");
    for job in root.get("jobs").map(Node::entries).unwrap_or(&[]) {
        let r = jobs.key(&job.key).key("steps");
        steps(
            out,
            job.value.get("steps"),
            &r,
            &format!("job `{}`", job.key),
        );
    }
    if let Some(runs) = root.get("runs") {
        let r = Route::root().key("runs").key("steps");
        steps(out, runs.get("steps"), &r, "composite action");
    }
}

fn steps(out: &mut Lines<'_>, steps: Option<&Node>, route: &Route, owner: &str) {
    for (i, step) in steps.map(Node::items).unwrap_or(&[]).iter().enumerate() {
        let label = step
            .get("name")
            .or_else(|| step.get("id"))
            .and_then(Node::as_str)
            .map_or_else(|| format!("step {}", i + 1), |n| format!("step `{n}`"));
        let origin = format!("{owner} {label}");
        let r = route.index(i);
        if let Some(run) = step.get("run") {
            let shell = step.get("shell").and_then(Node::as_str).unwrap_or("bash");
            // A `run` for another interpreter is not shell text.
            if !["python", "node", "ruby", "perl", "cmd"]
                .iter()
                .any(|p| shell.starts_with(p))
            {
                out.string(run, &origin, &r.key("run").to_string());
            }
        }
        let uses = step
            .get("uses")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        for (action, input, agent) in AGENT_ACTIONS {
            if !uses.starts_with(action) {
                continue;
            }
            let Some(args) = step.get("with").and_then(|w| w.get(input)) else {
                continue;
            };
            let cmds = json_array_words(out.text, args)
                .map(|w| vec![w])
                .unwrap_or_else(|| split_string(out.text, args));
            for words in cmds {
                out.out.push(CommandLine {
                    words,
                    origin: origin.clone(),
                    route: r.key("with").key(input).to_string(),
                    implied: Some(agent),
                });
            }
        }
    }
}

/// A string input holding a JSON array of strings, as words pointing into the file.
fn json_array_words(text: &str, node: &Node) -> Option<Vec<Word>> {
    let value = node.as_str()?;
    if !value.trim_start().starts_with('[') {
        return None;
    }
    let doc = crate::manifest::json::parse(value).ok()?;
    let map = mapping::of_node(text, node);
    let items = doc.roots.first()?.items();
    Some(
        items
            .iter()
            .filter_map(|n| {
                let s = n.as_str()?;
                // The element's text inside the value, without its quotes.
                let inner = n.span.start + 1..n.span.end.saturating_sub(1).max(n.span.start + 1);
                let span = if value.get(inner.clone()) == Some(s) {
                    map.span(inner)
                } else {
                    map.span(n.span.clone())
                };
                Some(Word {
                    text: s.to_string(),
                    span,
                    script: None,
                })
            })
            .collect(),
    )
}

// --- devcontainer, VS Code tasks -----------------------------------------------------

const DEVCONTAINER_HOOKS: &[&str] = &[
    "initializeCommand",
    "onCreateCommand",
    "updateContentCommand",
    "postCreateCommand",
    "postStartCommand",
    "postAttachCommand",
];

fn devcontainer(out: &mut Lines<'_>, root: &Node) {
    for hook in DEVCONTAINER_HOOKS {
        let Some(node) = root.get(hook) else { continue };
        let r = Route::root().key(hook);
        if node.is_object() {
            // Named commands run in parallel; each is a string or a list.
            for e in node.entries() {
                out.string_or_list(
                    &e.value,
                    &format!("`{hook}` command `{}`", e.key),
                    &r.key(&e.key).to_string(),
                );
            }
        } else {
            out.string_or_list(node, &format!("`{hook}`"), &r.to_string());
        }
    }
}

fn vscode_tasks(out: &mut Lines<'_>, root: &Node) {
    let tasks = Route::root().key("tasks");
    for (i, task) in root
        .get("tasks")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let Some(cmd) = task.get("command") else {
            continue;
        };
        let label = task
            .get("label")
            .and_then(Node::as_str)
            .map_or_else(|| format!("task {}", i + 1), |l| format!("task `{l}`"));
        // `args` are appended to the command; each is a string or {value, quoting}.
        let args: Vec<Word> = task
            .get("args")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|a| Word::from_node(out.text, a.get("value").unwrap_or(a)))
            .collect();
        let mut cmds = split_string(out.text, cmd);
        if let Some(last) = cmds.last_mut() {
            last.extend(args);
        }
        out.push(cmds, &label, &tasks.index(i).to_string());
    }
}

#[cfg(test)]
mod tests;
