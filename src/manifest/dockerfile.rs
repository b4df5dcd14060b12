//! Dockerfile instructions with their spans: enough structure for rules about the
//! base image, the user, environment and command lines, without a full BuildKit
//! parser. Continuation lines, comment lines inside them and heredocs are handled;
//! arguments keep their raw bytes so every finding points into the file.

use super::{Comment, Span};

#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// Upper-cased keyword (`RUN`, `FROM`, `USER`, ...).
    pub keyword: String,
    pub keyword_span: Span,
    /// The raw arguments: from after the keyword to the end of the instruction,
    /// continuation backslashes, embedded comment lines and heredoc bodies included.
    pub args: Span,
}

impl Instruction {
    /// The arguments as one logical line: continuations joined, comment lines dropped.
    pub fn logical_args(&self, text: &str) -> String {
        let raw = text.get(self.args.clone()).unwrap_or("");
        let mut out = String::new();
        for (i, line) in raw.split('\n').enumerate() {
            if i > 0 && line.trim_start().starts_with('#') {
                continue;
            }
            let line = line.strip_suffix('\r').unwrap_or(line);
            let line = line.strip_suffix('\\').unwrap_or(line);
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(line.trim());
        }
        out.trim().to_string()
    }
}

/// A base image of a build stage (`FROM [--platform=…] image [AS name]`).
#[derive(Debug, Clone, PartialEq)]
pub struct BaseImage {
    /// The reference with global `ARG` defaults substituted.
    pub image: String,
    /// The reference as written.
    pub span: Span,
    /// A previous stage's name, or `scratch`: no image is pulled.
    pub internal: bool,
}

/// A stage: its base and the last `USER` it sets (inherited from a parent stage).
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub from: BaseImage,
    pub name: Option<String>,
    /// The effective user at the end of the stage and the instruction that set it.
    pub user: Option<(String, Span)>,
}

/// The build stages of a Dockerfile, in order.
pub fn stages(text: &str, ins: &[Instruction]) -> Vec<Stage> {
    let mut args: Vec<(String, String)> = Vec::new();
    let mut out: Vec<Stage> = Vec::new();
    for i in ins {
        let raw = text.get(i.args.clone()).unwrap_or("");
        match i.keyword.as_str() {
            // Only ARGs before the first FROM are in scope for FROM lines.
            "ARG" if out.is_empty() => {
                if let Some((k, v)) = raw.trim().split_once('=') {
                    let v = v.trim().trim_matches(['"', '\'']);
                    args.push((k.trim().to_string(), v.to_string()));
                }
            }
            "FROM" => {
                let mut words = word_spans(raw);
                words.retain(|(w, _)| !w.starts_with("--"));
                let Some((image, r)) = words.first().cloned() else {
                    continue;
                };
                let name = match (words.get(1), words.get(2)) {
                    (Some((as_kw, _)), Some((n, _))) if as_kw.eq_ignore_ascii_case("as") => {
                        Some(n.to_ascii_lowercase())
                    }
                    _ => None,
                };
                let resolved = substitute(&image, &args);
                let lower = resolved.to_ascii_lowercase();
                let parent = out
                    .iter()
                    .rev()
                    .find(|s| s.name.as_deref() == Some(lower.as_str()));
                let internal = lower == "scratch" || parent.is_some();
                let user = parent.and_then(|p| p.user.clone());
                let start = i.args.start + r.start;
                out.push(Stage {
                    from: BaseImage {
                        image: resolved,
                        span: start..start + (r.end - r.start),
                        internal,
                    },
                    name,
                    user,
                });
            }
            "USER" => {
                if let Some(s) = out.last_mut() {
                    let u = raw.split_whitespace().next().unwrap_or("").to_string();
                    s.user = Some((u, i.args.clone()));
                }
            }
            _ => {}
        }
    }
    out
}

/// Every instruction's arguments as one text, for word heuristics (is this an agent
/// or MCP image?). Comments are not instructions, so they do not count.
pub fn words(text: &str, ins: &[Instruction]) -> String {
    ins.iter()
        .map(|i| i.logical_args(text))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `$NAME` and `${NAME}` replaced by their `ARG` defaults; unknown names are kept.
fn substitute(s: &str, args: &[(String, String)]) -> String {
    let mut out = s.to_string();
    for (k, v) in args.iter().rev() {
        out = out.replace(&format!("${{{k}}}"), v);
        let bare = format!("${k}");
        if let Some(at) = out.find(&bare) {
            let after = out[at + bare.len()..].chars().next();
            if !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.replace_range(at..at + bare.len(), v);
            }
        }
    }
    out
}

/// Whitespace-separated words with their byte ranges.
fn word_spans(s: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace() || c == '\\', start) {
            (true, Some(b)) => {
                out.push((s[b..i].to_string(), b..i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(b) = start {
        out.push((s[b..].to_string(), b..s.len()));
    }
    out
}

/// Splits a Dockerfile into instructions and comments. Never fails: unknown
/// keywords are kept as written, so rules simply do not match them.
pub fn parse(text: &str) -> (Vec<Instruction>, Vec<Comment>) {
    let mut instructions = Vec::new();
    let mut comments = Vec::new();
    let lines = line_spans(text);
    let mut i = 0;
    while i < lines.len() {
        let (start, end) = lines[i];
        let line = &text[start..end];
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.trim_end().is_empty() {
            i += 1;
            continue;
        }
        if trimmed.starts_with('#') {
            comments.push(Comment {
                span: start + indent..end,
                text: trimmed.trim_end().to_string(),
            });
            i += 1;
            continue;
        }
        let kw_len = trimmed
            .find(|c: char| c.is_whitespace())
            .unwrap_or(trimmed.trim_end().len());
        let keyword_span = start + indent..start + indent + kw_len;
        let keyword = trimmed[..kw_len].to_ascii_uppercase();
        let args_start = {
            let after = &text[keyword_span.end..end];
            keyword_span.end + (after.len() - after.trim_start().len())
        };
        // Continuations: a line ending in a backslash continues; comment and empty
        // lines inside a continuation do not end it.
        let mut last = i;
        let mut heredocs = heredoc_terminators(&text[start..end]);
        loop {
            let (s, e) = lines[last];
            let l = text[s..e].trim_end();
            let comment_inside = last > i && l.trim_start().starts_with('#');
            let continues = comment_inside || l.ends_with('\\');
            if !continues || last + 1 >= lines.len() {
                break;
            }
            last += 1;
            let (ns, ne) = lines[last];
            if text[ns..ne].trim_start().starts_with('#') {
                comments.push(Comment {
                    span: ns..ne,
                    text: text[ns..ne].trim().to_string(),
                });
            }
            heredocs.extend(heredoc_terminators(&text[ns..ne]));
        }
        // Heredoc bodies run until their terminator lines.
        for term in heredocs {
            while last + 1 < lines.len() {
                last += 1;
                let (s, e) = lines[last];
                if text[s..e].trim() == term {
                    break;
                }
            }
        }
        let end_of = lines[last].1;
        let args_end = text[..end_of].trim_end().len().max(args_start);
        instructions.push(Instruction {
            keyword,
            keyword_span,
            args: args_start..args_end,
        });
        i = last + 1;
    }
    (instructions, comments)
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"` markers on a line.
fn heredoc_terminators(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("<<") {
        let after = rest[at + 2..].trim_start_matches('-');
        let word: String = after
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !word.is_empty() {
            out.push(word);
        }
        rest = &rest[at + 2..];
    }
    out
}

/// Byte ranges of lines, without their newline.
fn line_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        out.push((start, i));
        start = i + 1;
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_with_continuations_and_comments() {
        let text = "# syntax=docker/dockerfile:1\nFROM python:3.12@sha256:abc AS base\nRUN apt-get update \\\n  # a comment\n  && apt-get install -y curl\nUSER app\n";
        let (ins, comments) = parse(text);
        let kws: Vec<_> = ins.iter().map(|i| i.keyword.as_str()).collect();
        assert_eq!(kws, ["FROM", "RUN", "USER"]);
        assert_eq!(&text[ins[0].args.clone()], "python:3.12@sha256:abc AS base");
        assert_eq!(
            ins[1].logical_args(text),
            "apt-get update && apt-get install -y curl"
        );
        assert_eq!(&text[ins[2].args.clone()], "app");
        assert_eq!(comments.len(), 2);
    }

    #[test]
    fn heredoc_bodies_belong_to_their_instruction() {
        let text = "RUN <<EOF\nUSER root\nEOF\nUSER app\n";
        let (ins, _) = parse(text);
        let kws: Vec<_> = ins.iter().map(|i| i.keyword.as_str()).collect();
        assert_eq!(kws, ["RUN", "USER"]);
    }

    #[test]
    fn stages_users_and_args() {
        let text = "ARG BASE=python:3.12\nFROM --platform=$BUILDPLATFORM ${BASE} AS build\nUSER app\nFROM build AS final\nFROM scratch\nFROM node:20\nUSER root\n";
        let (ins, _) = parse(text);
        let st = stages(text, &ins);
        assert_eq!(st.len(), 4);
        assert_eq!(st[0].from.image, "python:3.12");
        assert_eq!(&text[st[0].from.span.clone()], "${BASE}");
        assert!(st[1].from.internal && st[2].from.internal && !st[3].from.internal);
        assert_eq!(st[1].user.as_ref().map(|u| u.0.as_str()), Some("app"));
        assert_eq!(st[3].user.as_ref().map(|u| u.0.as_str()), Some("root"));
        for t in ["FROM", "FROM --platform=x", "ARG =\nFROM $", "FROM é AS"] {
            let (ins, _) = parse(t);
            let _ = stages(t, &ins);
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for t in [
            "\\",
            "RUN \\",
            "RUN <<",
            "\u{feff}FROM x",
            "  \n\t\n",
            "RUN a\\\r\n b",
        ] {
            let _ = parse(t);
        }
    }
}
