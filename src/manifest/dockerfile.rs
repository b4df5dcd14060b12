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
