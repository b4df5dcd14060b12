//! Argument lists handed to a program without a shell (AS-INJ-003): which programs
//! turn an injected option into code execution, where options stop being parsed, and
//! which checks keep a value from starting with `-`.

use std::ops::Range;

use super::taint::{Flow, Sink, Taint};

/// Programs with options that run commands or write files where they choose
/// (`git --upload-pack`/`-c core.sshCommand`, `curl -o`/`-K`, `ssh -o ProxyCommand`,
/// `tar --checkpoint-action`, `find -exec`, `rsync -e`, `zip -TT`, `wget
/// --use-askpass`, the cloud CLIs' credential and plugin options).
pub const DANGEROUS: &[&str] = &[
    "git", "curl", "wget", "ssh", "scp", "sftp", "tar", "find", "rsync", "zip", "aws", "gcloud",
    "kubectl",
];

/// git commands as GitPython methods (`repo.git.rev_parse(...)` runs `git rev-parse`).
pub const GIT_COMMANDS: &[&str] = &[
    "add",
    "am",
    "apply",
    "archive",
    "bisect",
    "blame",
    "branch",
    "cat_file",
    "checkout",
    "cherry_pick",
    "clean",
    "clone",
    "commit",
    "config",
    "describe",
    "diff",
    "fetch",
    "for_each_ref",
    "format_patch",
    "grep",
    "init",
    "log",
    "ls_files",
    "ls_remote",
    "ls_tree",
    "merge",
    "merge_base",
    "mv",
    "name_rev",
    "notes",
    "pull",
    "push",
    "rebase",
    "remote",
    "reset",
    "restore",
    "rev_list",
    "rev_parse",
    "revert",
    "rm",
    "shortlog",
    "show",
    "show_ref",
    "stash",
    "status",
    "submodule",
    "switch",
    "symbolic_ref",
    "tag",
    "update_ref",
    "worktree",
];

/// Shells, and the flags after which their next argument is a script.
const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "fish",
    "cmd",
    "powershell",
    "pwsh",
];
const SCRIPT_FLAGS: &[&str] = &["-c", "-lc", "-ec", "/c", "/C", "-Command", "-command"];

/// The program's name without directory or `.exe`.
pub fn program_name(lit: &str) -> &str {
    let base = lit.rsplit(['/', '\\']).next().unwrap_or(lit);
    base.strip_suffix(".exe").unwrap_or(base)
}

pub fn is_dangerous(program: &str) -> bool {
    DANGEROUS.contains(&program_name(program))
}

/// A literal after which the program reads operands only.
pub fn ends_options(lit: &str) -> bool {
    lit == "--" || lit == "--end-of-options"
}

/// Short options that take a value in the programs agent tools run most (`git -m/-C/-c/-b`,
/// `grep -e/-f`, `curl -o/-d/-H/-u/-X/-K`, `ssh -i/-p/-o/-F/-J`, `tar -f/-C`).
const VALUE_SHORT: &[&str] = &[
    "-m", "-C", "-c", "-e", "-f", "-o", "-b", "-d", "-H", "-u", "-X", "-A", "-B", "-K", "-T", "-i",
    "-p", "-F", "-J", "-t", "-L", "-D", "-U",
];

/// Long options (and `find`'s single-dash predicates) that take a value.
const VALUE_LONG: &[&str] = &[
    "message",
    "since",
    "until",
    "after",
    "before",
    "author",
    "committer",
    "grep",
    "format",
    "pretty",
    "branch",
    "depth",
    "output",
    "config",
    "file",
    "directory",
    "max-count",
    "header",
    "data",
    "user",
    "exclude",
    "include",
    "name",
    "iname",
    "path",
    "ipath",
    "regex",
    "namespace",
    "context",
    "profile",
    "region",
    "project",
    "query",
    "filter",
    "label",
    "tag",
    "title",
    "body",
    "description",
    "repo",
    "comment",
    "reason",
    "type",
    "newer",
    "target",
    "source",
    "url",
    "selector",
    "zone",
];

/// A literal option that takes the next element as its value (`-m msg`, `--since t`):
/// the element after it is consumed as that value, not parsed as an option. Which
/// options take values is each program's business; the common ones are listed.
pub fn takes_value(lit: &str) -> bool {
    if VALUE_SHORT.contains(&lit) {
        return true;
    }
    let long = lit.strip_prefix("--").or_else(|| lit.strip_prefix('-'));
    long.is_some_and(|l| l.len() > 1 && VALUE_LONG.contains(&l))
}

/// The callee recorded with an argv flow: the program first, then the call.
pub fn callee(program: Option<&str>, call: &str) -> String {
    format!("{} ({call})", program.map(program_name).unwrap_or("?"))
}

/// The program and the call back out of [`callee`].
pub fn split_callee(c: &str) -> (Option<&str>, &str) {
    match c.split_once(" (") {
        Some((p, rest)) => (
            (p != "?").then_some(p),
            rest.strip_suffix(')').unwrap_or(rest),
        ),
        None => (None, c),
    }
}

/// One element of an argument list: where it is, its taint, its text when literal.
#[derive(Debug, Clone)]
pub struct Elem {
    pub span: Range<usize>,
    pub taint: Option<Taint>,
    pub lit: Option<String>,
}

/// An argument list built in a variable (`args = ["git", "log"]`, `args.append(x)`).
#[derive(Debug, Clone, Default)]
pub struct List {
    pub elems: Vec<Elem>,
}

/// Records a flow for every tainted element that the program would parse as an
/// option: no end-of-options marker before it, not the value of a literal option,
/// not a string that starts with constant text, and not checked for a leading `-`.
/// `skip` elements at the front are the program (and none for an argv that excludes it).
pub fn record(
    flows: &mut Vec<Flow>,
    elems: &[Elem],
    skip: usize,
    program: Option<&str>,
    call: &str,
    tool: &str,
) {
    let mut prev_opt = false;
    let shell = program.map(program_name).filter(|p| SHELLS.contains(p));
    let mut script_next: Option<&str> = None;
    for e in elems.iter().skip(skip) {
        // `["bash", "-c", script]`: the element after `-c` is a command line, and
        // what follows it are the script's positional parameters, not options.
        if let Some(flag) = script_next.take() {
            if let (Some(t), Some(sh)) = (&e.taint, shell) {
                let callee = format!("{sh} {flag} … in {call}");
                Flow::record(flows, Sink::Shell, e.span.clone(), t, callee, tool, None);
            }
            return;
        }
        if let Some(l) = &e.lit {
            if shell.is_some() && SCRIPT_FLAGS.contains(&l.as_str()) {
                script_next = Some(l);
                continue;
            }
            if ends_options(l) {
                return;
            }
            prev_opt = takes_value(l);
            continue;
        }
        let after_opt = std::mem::replace(&mut prev_opt, false);
        let Some(t) = &e.taint else { continue };
        if after_opt || t.starts_fixed {
            continue;
        }
        Flow::record(
            flows,
            Sink::Argv,
            e.span.clone(),
            t,
            callee(program, call),
            tool,
            None,
        );
    }
}

/// Whether a regular expression, tested against the whole value or its start, can
/// only accept values that do not begin with `-`. `pattern` is the source text,
/// quotes and slashes included (`r"^[\w.]+$"`, `/^[a-z0-9]+$/`); an unanchored
/// JavaScript `test` passes `anchored = false` and needs a `^`.
pub fn regex_rejects_dash(pattern: &str, anchored: bool) -> bool {
    let p = pattern.trim_start_matches(['r', 'R', 'b', 'B', 'u', 'U']);
    let p = p.trim_start_matches(['"', '\'', '/']);
    let p = match p.strip_prefix('^').or_else(|| p.strip_prefix("\\A")) {
        Some(rest) => rest,
        None if anchored => p,
        None => return false,
    };
    if p.starts_with("(?!-)") || p.starts_with("(?!\\-)") {
        return true;
    }
    if let Some(class) = p.strip_prefix('[') {
        return class_rejects_dash(class);
    }
    let mut c = p.chars();
    match c.next() {
        Some('\\') => matches!(c.next(), Some('w' | 'd')),
        Some(ch) => ch.is_ascii_alphanumeric() || ch == '_',
        None => false,
    }
}

/// A character class (text after `[`) that cannot match `-`.
fn class_rejects_dash(class: &str) -> bool {
    let chars: Vec<char> = class.chars().collect();
    let (negated, mut i) = match chars.first() {
        Some('^') => (true, 1),
        _ => (false, 0),
    };
    let start = i;
    let mut matches_dash = false;
    let mut closed = false;
    while i < chars.len() {
        let ch = chars[i];
        if ch == ']' && i > start {
            closed = true;
            break;
        }
        if ch == '\\' {
            match chars.get(i + 1) {
                Some('-') => matches_dash = true,
                Some('W' | 'S' | 'D' | 'p' | 'P') => matches_dash = true,
                _ => {}
            }
            i += 2;
            continue;
        }
        if ch == '-' {
            // First or last in the class: a literal dash.
            let last = matches!(chars.get(i + 1), Some(']') | None);
            if i == start || last {
                matches_dash = true;
            }
            i += 1;
            continue;
        }
        // A range `a-z` that spans `-` (0x2D), such as `!-~`.
        if chars.get(i + 1) == Some(&'-') {
            if let Some(&hi) = chars.get(i + 2).filter(|c| **c != ']') {
                if ch <= '-' && '-' <= hi {
                    matches_dash = true;
                }
                i += 3;
                continue;
            }
        }
        i += 1;
    }
    closed && (negated == matches_dash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes() {
        for p in [
            r#"r"^[A-Za-z0-9_]+$""#,
            r#"'[a-z0-9._/]+'"#,
            "/^[a-zA-Z0-9]+$/",
            r#""^\w[\w.-]*$""#,
            r#""(?!-)[\w.]+""#,
            r#""^[^-][^\s]*$""#,
        ] {
            assert!(regex_rejects_dash(p, true), "{p}");
        }
        for p in [
            r#"r"^[\w.-]+$""#,
            r#""^[-a-z]+$""#,
            r#""^[a-z\-]+$""#,
            r#""^[!-~]+$""#,
            r#""^.+$""#,
            "/[a-z]+/",
            r#""^[\W]""#,
            "",
            "\"[",
            "\"^[é-]\"",
        ] {
            assert!(!regex_rejects_dash(p, !p.starts_with('/')), "{p}");
        }
        assert!(!regex_rejects_dash("/[a-z]+$/", false));
        assert!(regex_rejects_dash("/^[a-z]+$/", false));
    }

    #[test]
    fn names() {
        assert_eq!(program_name("/usr/bin/git"), "git");
        assert_eq!(program_name("C:\\Git\\git.exe"), "git");
        assert!(is_dangerous("curl") && !is_dangerous("grep"));
        assert_eq!(
            split_callee(&callee(Some("git"), "subprocess.run()")),
            (Some("git"), "subprocess.run()")
        );
        assert_eq!(split_callee(&callee(None, "spawn()")), (None, "spawn()"));
        assert!(takes_value("-m") && takes_value("--since") && takes_value("-name"));
        for f in ["--unified=3", "--", "-", "-rn", "-sS", "--oneline", "-n"] {
            assert!(!takes_value(f), "{f}");
        }
    }
}
