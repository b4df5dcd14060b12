//! Command lines wherever a file holds them: shell scripts, Makefile and justfile
//! recipes, `package.json` scripts, Dockerfile instructions, compose and Kubernetes
//! commands, workflow steps, devcontainer hooks, VS Code tasks and MCP server argv.
//! Each command is a list of words with their unquoted text and their exact bytes in
//! the file, so a rule that recognises a program and its flags points at the flag.

mod lexer;
mod mapping;
mod sources;

use std::ops::Range;

use crate::manifest::{Node, Span};

pub use lexer::Dialect;
pub use mapping::Mapping;
pub use sources::command_lines;

/// `sh -c` and command substitutions nest; deeper than this is not followed.
const MAX_DEPTH: usize = 4;

/// One word of a command.
#[derive(Debug, Clone)]
pub struct Word {
    /// The word as the program receives it (quotes removed, nothing expanded).
    pub text: String,
    /// The word in the file: as written for shell text, the string's contents for
    /// an element of an exec-form list.
    pub span: Span,
    /// The word read as a command line of its own (an `sh -c` argument).
    script: Option<(String, Mapping)>,
}

impl Word {
    /// An element of an exec-form list (JSON or YAML array of strings).
    pub fn from_node(file: &str, node: &Node) -> Option<Word> {
        let text = node.scalar_text()?;
        let map = mapping::of_node(file, node);
        let span = match node.as_str() {
            Some(_) => map.span(0..text.len()),
            None => node.span.clone(),
        };
        Some(Word {
            text: text.clone(),
            span,
            script: Some((text, map)),
        })
    }

    /// The file bytes of `r`, a byte range of [`Word::text`]: exact when the word is
    /// written as its text (plain, or one quoted string without escapes), else the
    /// whole word.
    pub fn sub_span(&self, r: Range<usize>) -> Span {
        match &self.script {
            Some((raw, map)) if *raw == self.text && self.text.get(r.clone()).is_some() => {
                map.span(r)
            }
            _ => self.span.clone(),
        }
    }
}

/// One simple command and where it came from.
#[derive(Debug, Clone)]
pub struct CommandLine {
    pub words: Vec<Word>,
    /// Where the command lives, for messages: "script `agent`", "job `ci` step 2".
    pub origin: String,
    /// The logical path of the node holding it, for fingerprints.
    pub route: String,
    /// The program the words are arguments of, when the file says so rather than the
    /// words (the `claude_args` input of the Claude Code action).
    pub implied: Option<&'static str>,
}

/// Splits command text whose bytes are located by `map` into simple commands,
/// following command substitutions and `sh -c` arguments.
pub fn split(text: &str, map: &Mapping, dialect: Dialect) -> Vec<Vec<Word>> {
    let mut out = Vec::new();
    split_into(text, map, dialect, 0, &mut out);
    out
}

fn split_into(text: &str, map: &Mapping, dialect: Dialect, depth: usize, out: &mut Vec<Vec<Word>>) {
    for cmd in lexer::split(text, dialect) {
        let mut words = Vec::with_capacity(cmd.len());
        for t in &cmd {
            if depth < MAX_DEPTH {
                for sub in &t.subs {
                    if let Some(inner) = text.get(sub.clone()) {
                        split_into(inner, &map.sub(sub.start), Dialect::Shell, depth + 1, out);
                    }
                }
            }
            let raw = t.quoted_inner.clone().unwrap_or(t.span.clone());
            words.push(Word {
                text: t.text.clone(),
                span: map.span(t.span.clone()),
                script: text
                    .get(raw.clone())
                    .map(|s| (s.to_string(), map.sub(raw.start))),
            });
        }
        push_command(words, depth, out);
    }
}

/// Adds a command and the commands of its `sh -c` argument.
fn push_command(words: Vec<Word>, depth: usize, out: &mut Vec<Vec<Word>>) {
    if words.is_empty() {
        return;
    }
    if depth < MAX_DEPTH {
        if let Some((script, map)) = shell_c_script(&words) {
            split_into(&script, &map, Dialect::Shell, depth + 1, out);
        }
        alias_bodies(&words, depth, out);
    }
    out.push(words);
}

/// `alias name='command ...'`: every later use of the name runs the command, so
/// the command is read as if it were written out.
fn alias_bodies(words: &[Word], depth: usize, out: &mut Vec<Vec<Word>>) {
    if words.first().map(|w| w.text.as_str()) != Some("alias") {
        return;
    }
    for w in &words[1..] {
        let Some((raw, map)) = &w.script else {
            continue;
        };
        let Some(eq) = raw.find('=') else { continue };
        let body = &raw[eq + 1..];
        let toks = lexer::split(body, Dialect::Shell);
        let inner = match toks.as_slice() {
            [cmd] if cmd.len() == 1 => cmd[0].quoted_inner.clone(),
            _ => None,
        };
        let (from, text) = match inner {
            Some(r) => (eq + 1 + r.start, body.get(r).unwrap_or("")),
            None => (eq + 1, body),
        };
        split_into(text, &map.sub(from), Dialect::Shell, depth + 1, out);
    }
}

/// Splits the shell text held by a string node (a workflow `run:`, a JSON script),
/// pointing every word into `file`, the text the node was parsed from.
pub fn split_string(file: &str, node: &Node) -> Vec<Vec<Word>> {
    match node.as_str() {
        Some(value) => split(value, &mapping::of_node(file, node), Dialect::Shell),
        None => Vec::new(),
    }
}

/// Splits an exec-form list (and the `sh -c` script inside it, if any).
pub fn exec_form(words: Vec<Word>) -> Vec<Vec<Word>> {
    let mut out = Vec::new();
    push_command(words, 0, &mut out);
    out
}

/// The script of `sh -c SCRIPT` (also `bash -lc`, `zsh -ec`, ...) anywhere in the
/// words: wrappers such as `docker run img sh -c` or `sudo bash -c` come first.
fn shell_c_script(words: &[Word]) -> Option<(String, Mapping)> {
    let shell = words.iter().position(|w| {
        matches!(
            basename(&w.text),
            "sh" | "bash" | "zsh" | "dash" | "ash" | "ksh"
        )
    })?;
    let mut i = shell + 1;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t.starts_with("--") {
            // `--login`, `--norc`: long options take no argument here.
            i += 1;
            continue;
        }
        let flags = t.strip_prefix('-').or_else(|| t.strip_prefix('+'))?;
        if flags.is_empty() || !flags.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        if flags.contains('c') && t.starts_with('-') {
            return words.get(i + 1)?.script.clone();
        }
        // `-o pipefail` names an option in the next word.
        i += if flags.ends_with('o') { 2 } else { 1 };
    }
    None
}

/// The last path segment of a program word (`/usr/bin/env` → `env`).
pub fn basename(word: &str) -> &str {
    word.rsplit(['/', '\\']).next().unwrap_or(word)
}

/// The index of the program word: skips `VAR=value` assignments and shell
/// keywords that precede a command (`if`, `then`, `do`, `!`, `time`, ...).
pub fn program_index(words: &[Word]) -> Option<usize> {
    words.iter().position(|w| {
        let t = w.text.as_str();
        let assignment = t.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        });
        !assignment
            && !matches!(
                t,
                "if" | "then"
                    | "else"
                    | "elif"
                    | "do"
                    | "while"
                    | "until"
                    | "time"
                    | "!"
                    | "{"
                    | "}"
                    | "fi"
                    | "done"
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(cmds: &[Vec<Word>]) -> Vec<Vec<&str>> {
        cmds.iter()
            .map(|c| c.iter().map(|w| w.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn substitutions_and_shell_c_are_followed() {
        let t = r#"X=$(claude -p "hi" --yolo) bash -lc 'gemini -y "a b"' && sh -c "codex \"q\" -a never""#;
        let cmds = split(t, &Mapping::Shift(0), Dialect::Shell);
        let w = texts(&cmds);
        assert!(w.contains(&vec!["claude", "-p", "hi", "--yolo"]));
        assert!(w.contains(&vec!["gemini", "-y", "a b"]));
        // The script is split from its written form, so escaped quotes stay quotes.
        assert!(w.contains(&vec!["codex", "\"q\"", "-a", "never"]));
        for c in &cmds {
            for word in c {
                if word.text == "-y" || word.text == "--yolo" || word.text == "never" {
                    assert_eq!(&t[word.span.clone()], word.text);
                }
            }
        }
    }

    #[test]
    fn alias_bodies_are_commands() {
        let t = "alias cc='claude --dangerously-skip-permissions' y=\"gemini -y\"";
        let cmds = split(t, &Mapping::Shift(0), Dialect::Shell);
        let w = texts(&cmds);
        assert!(
            w.contains(&vec!["claude", "--dangerously-skip-permissions"]),
            "{w:?}"
        );
        assert!(w.contains(&vec!["gemini", "-y"]), "{w:?}");
        let flag = cmds
            .iter()
            .flatten()
            .find(|w| w.text == "-y")
            .expect("flag");
        assert_eq!(&t[flag.span.clone()], "-y");
    }

    #[test]
    fn shifted_spans() {
        let t = "xx claude --yolo";
        let cmds = split(&t[3..], &Mapping::Shift(3), Dialect::Shell);
        assert_eq!(&t[cmds[0][1].span.clone()], "--yolo");
    }

    #[test]
    fn sub_spans() {
        let t = r#"run: claude --allowedTools "Read,Bash" x\ y"#;
        let node = Node::new(
            crate::manifest::Value::String(t[5..].to_string()),
            5..t.len(),
        );
        let cmds = split_string(t, &node);
        let list = &cmds[0][2];
        assert_eq!(&t[list.sub_span(5..9)], "Bash");
        // An escaped word is not its text: the whole word stands for any part of it.
        let esc = &cmds[0][3];
        assert_eq!(&t[esc.sub_span(0..1)], "x\\ y");
        assert_eq!(&t[list.sub_span(5..99)], "\"Read,Bash\"");
    }

    #[test]
    fn program_word() {
        let cmds = split("A=1 B=x time claude", &Mapping::Shift(0), Dialect::Shell);
        assert_eq!(program_index(&cmds[0]), Some(3));
        assert_eq!(basename("/usr/local/bin/claude"), "claude");
    }

    /// Random text from the characters the lexer treats specially: nothing panics and
    /// every span lies on character boundaries of the text.
    #[test]
    fn random_text_never_panics() {
        const ALPHABET: &[&str] = &[
            "a", " ", "\n", "\\", "'", "\"", "$", "(", ")", "{", "}", "`", "#", ";", "&", "|", "<",
            "<<", ">", "-", "=", "é", "🦀", "\r", "\t", "EOF", "sh -c ", "alias x=",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut t = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                t.push_str(ALPHABET[(seed % ALPHABET.len() as u64) as usize]);
            }
            for h in [Dialect::Shell, Dialect::Dockerfile] {
                for w in split(&t, &Mapping::Shift(0), h).iter().flatten() {
                    assert!(t.get(w.span.clone()).is_some(), "{t:?} {:?}", w.span);
                }
            }
        }
    }

    #[test]
    fn deep_nesting_stops() {
        let t = "sh -c \"sh -c 'sh -c x'\" ".repeat(3) + &"$(".repeat(2000);
        let _ = split(&t, &Mapping::Shift(0), Dialect::Shell);
    }
}
