//! Instruction files as the rules need them: YAML frontmatter as a spanned document,
//! and the body split into what a reader sees as prose and what is shown as an example
//! (fenced code, inline code, block quotes) or not shown at all (HTML comments).
//!
//! The same words weigh differently in each: "ignore previous instructions" inside a
//! code block or a quote is a tutorial's example, in prose it is an instruction, and in
//! an HTML comment it is an instruction the reviewer never sees rendered. This is not a
//! full CommonMark parser; it knows the constructs that change that weight.

use super::{yaml, Comment, Entry, Node, Span, Value};

/// What a stretch of the body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegKind {
    /// Ordinary text: paragraphs, headings, list items, tables.
    Prose,
    /// A fenced code block (including its fences).
    Code,
    /// A backtick code span inside prose.
    InlineCode,
    /// `<!-- … -->`: invisible when rendered.
    Comment,
    /// Lines starting with `>`.
    Quote,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub kind: SegKind,
    pub span: Span,
    /// Segments of one paragraph (prose and its code spans) share a block number;
    /// blank lines, fences, quotes and comments start new ones.
    pub block: usize,
    /// The info string of a fenced code block (`bash`, `sh`), else empty.
    pub info: String,
}

/// The `---` block at the top of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Frontmatter {
    /// From the opening fence to the end of the closing fence line.
    pub span: Span,
    /// The mapping, spans in file offsets. Cursor `.mdc` files write values such as
    /// `globs: *.ts` that are not valid YAML; those are read line by line instead.
    pub root: Option<Node>,
    /// `#` comments, for inline suppressions.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Markdown {
    pub frontmatter: Option<Frontmatter>,
    pub segments: Vec<Segment>,
}

impl Markdown {
    /// HTML comments of the body (not those shown inside code), for suppressions.
    pub fn comments(&self, text: &str) -> Vec<Comment> {
        let mut out: Vec<Comment> = self
            .segments
            .iter()
            .filter(|s| s.kind == SegKind::Comment)
            .map(|s| Comment {
                span: s.span.clone(),
                text: text.get(s.span.clone()).unwrap_or("").to_string(),
            })
            .collect();
        if let Some(fm) = &self.frontmatter {
            out.extend(fm.comments.iter().cloned());
        }
        out
    }
}

pub fn parse(text: &str) -> Markdown {
    let (frontmatter, body_start) = frontmatter(text);
    let segments = Body::new(text).run(body_start);
    Markdown {
        frontmatter,
        segments,
    }
}

/// Lines of `text` from `from`: (start offset, line including its newline).
fn lines_from(text: &str, from: usize) -> impl Iterator<Item = (usize, &str)> {
    let rest = text.get(from..).unwrap_or("");
    rest.split_inclusive('\n').scan(from, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    })
}

fn frontmatter(text: &str) -> (Option<Frontmatter>, usize) {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = lines_from(text, start);
    match lines.next() {
        Some((_, l)) if l.trim_end() == "---" => {}
        _ => return (None, start),
    }
    let inner_start = start + text[start..].find('\n').map_or(0, |i| i + 1);
    for (at, line) in lines {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            let end = at + line.len();
            let inner = &text[inner_start..at];
            let (root, comments) = match yaml::parse(inner) {
                Ok(doc) => {
                    let root = doc.roots.into_iter().next().filter(Node::is_object);
                    let comments = doc
                        .comments
                        .into_iter()
                        .map(|c| Comment {
                            span: shift_span(&c.span, inner_start),
                            text: c.text,
                        })
                        .collect();
                    (root.map(|r| shift(r, inner_start)), comments)
                }
                Err(_) => (Some(lines_map(text, inner_start, at)), Vec::new()),
            };
            let fm = Frontmatter {
                span: start..end,
                root,
                comments,
            };
            return (Some(fm), end);
        }
    }
    (None, start)
}

fn shift_span(s: &Span, by: usize) -> Span {
    s.start + by..s.end + by
}

/// Moves every span of a node parsed from a slice to file offsets.
fn shift(node: Node, by: usize) -> Node {
    let span = shift_span(&node.span, by);
    let value = match node.value {
        Value::Array(items) => Value::Array(items.into_iter().map(|n| shift(n, by)).collect()),
        Value::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|e| Entry {
                    key: e.key,
                    key_span: shift_span(&e.key_span, by),
                    value: shift(e.value, by),
                })
                .collect(),
        ),
        v => v,
    };
    Node::new(value, span)
}

/// `key: value` lines at column 0, values as strings (quotes stripped from the value,
/// kept in the span as YAML spans do).
fn lines_map(text: &str, from: usize, to: usize) -> Node {
    let mut entries = Vec::new();
    for (at, line) in lines_from(text, from) {
        if at >= to {
            break;
        }
        let body = line.trim_end_matches(['\n', '\r']);
        let Some((key, _)) = body.split_once(':') else {
            continue;
        };
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            continue;
        }
        let after = &body[key.len() + 1..];
        let lead = after.len() - after.trim_start().len();
        let raw = after.trim();
        let vstart = at + key.len() + 1 + lead;
        let unquoted = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .or_else(|| raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
            .unwrap_or(raw);
        entries.push(Entry {
            key: key.to_string(),
            key_span: at..at + key.len(),
            value: Node::new(
                Value::String(unquoted.to_string()),
                vstart..vstart + raw.len(),
            ),
        });
    }
    let end = entries.last().map_or(from, |e| e.value.span.end);
    Node::new(Value::Object(entries), from..end)
}

struct Body<'t> {
    text: &'t str,
    out: Vec<Segment>,
    block: usize,
}

enum State {
    Normal,
    Fence {
        ch: char,
        len: usize,
        start: usize,
        info: String,
    },
    Comment {
        start: usize,
    },
}

impl<'t> Body<'t> {
    fn new(text: &'t str) -> Self {
        Body {
            text,
            out: Vec::new(),
            block: 0,
        }
    }

    fn push(&mut self, kind: SegKind, span: Span) {
        if span.is_empty() {
            return;
        }
        if let Some(last) = self.out.last_mut() {
            if last.kind == kind && last.block == self.block && last.span.end == span.start {
                last.span.end = span.end;
                return;
            }
        }
        // Blank prose (the end of a line after a comment) starts nothing.
        if kind == SegKind::Prose && self.text[span.clone()].trim().is_empty() {
            return;
        }
        self.out.push(Segment {
            kind,
            span,
            block: self.block,
            info: String::new(),
        });
    }

    fn next_block(&mut self) {
        if self.out.last().is_some_and(|s| s.block == self.block) {
            self.block += 1;
        }
    }

    fn run(mut self, from: usize) -> Vec<Segment> {
        let text = self.text;
        let mut state = State::Normal;
        let mut in_quote = false;
        for (at, line) in lines_from(text, from) {
            let end = at + line.len();
            state = match state {
                State::Fence {
                    ch,
                    len,
                    start,
                    info,
                } => {
                    if closes_fence(line, ch, len) {
                        self.next_block();
                        self.out.push(Segment {
                            kind: SegKind::Code,
                            span: start..end,
                            block: self.block,
                            info,
                        });
                        self.block += 1;
                        State::Normal
                    } else {
                        State::Fence {
                            ch,
                            len,
                            start,
                            info,
                        }
                    }
                }
                State::Comment { start } => match line.find("-->") {
                    Some(i) => {
                        let close = at + i + 3;
                        self.push(SegKind::Comment, start..close);
                        self.block += 1;
                        self.inline(close, end)
                    }
                    None => State::Comment { start },
                },
                State::Normal => {
                    let indent = line.len() - line.trim_start_matches(' ').len();
                    let t = line.trim_start_matches(' ');
                    if indent <= 3 {
                        if let Some((ch, len, info)) = opens_fence(t) {
                            self.next_block();
                            in_quote = false;
                            State::Fence {
                                ch,
                                len,
                                start: at,
                                info,
                            }
                        } else if t.starts_with('>') {
                            if !in_quote {
                                self.next_block();
                                in_quote = true;
                            }
                            self.push(SegKind::Quote, at..end);
                            State::Normal
                        } else if t.trim().is_empty() {
                            in_quote = false;
                            self.next_block();
                            State::Normal
                        } else {
                            if in_quote || t.starts_with('#') {
                                self.next_block();
                            }
                            in_quote = false;
                            let s = self.inline(at, end);
                            if t.starts_with('#') {
                                self.next_block();
                            }
                            s
                        }
                    } else {
                        in_quote = false;
                        self.inline(at, end)
                    }
                }
            };
        }
        match state {
            State::Fence {
                start, info, ch: _, ..
            } => {
                // An unclosed fence runs to the end of the file, as renderers show it.
                self.next_block();
                self.out.push(Segment {
                    kind: SegKind::Code,
                    span: start..text.len(),
                    block: self.block,
                    info,
                });
            }
            State::Comment { start } => self.push(SegKind::Comment, start..text.len()),
            State::Normal => {}
        }
        self.out
    }

    /// Prose from `from` to `to` (one line), with code spans and comments cut out.
    /// Returns the state after the line (a comment may stay open).
    fn inline(&mut self, from: usize, to: usize) -> State {
        let text = self.text;
        let line = &text[from..to];
        let bytes = line.as_bytes();
        let mut prose_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].starts_with(b"<!--") {
                self.push(SegKind::Prose, from + prose_start..from + i);
                match line[i + 4..].find("-->") {
                    Some(e) => {
                        let close = i + 4 + e + 3;
                        self.block += 1;
                        self.push(SegKind::Comment, from + i..from + close);
                        self.block += 1;
                        i = close;
                        prose_start = close;
                        continue;
                    }
                    None => {
                        self.block += 1;
                        return State::Comment { start: from + i };
                    }
                }
            }
            if bytes[i] == b'`' {
                let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                if let Some(close) = find_run(&bytes[i + run..], run) {
                    let code_end = i + run + close + run;
                    self.push(SegKind::Prose, from + prose_start..from + i);
                    self.push(SegKind::InlineCode, from + i..from + code_end);
                    i = code_end;
                    prose_start = code_end;
                    continue;
                }
                i += run;
                continue;
            }
            i += 1;
        }
        self.push(SegKind::Prose, from + prose_start..to);
        State::Normal
    }
}

/// Offset of the next run of exactly `n` backticks.
fn find_run(b: &[u8], n: usize) -> Option<usize> {
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'`' {
            let run = b[i..].iter().take_while(|&&c| c == b'`').count();
            if run == n {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

fn opens_fence(t: &str) -> Option<(char, usize, String)> {
    let ch = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = t.chars().take_while(|c| *c == ch).count();
    if len < 3 {
        return None;
    }
    let info = t[len..].trim();
    // A backtick fence's info string cannot contain backticks (CommonMark).
    if ch == '`' && info.contains('`') {
        return None;
    }
    let lang = info.split_whitespace().next().unwrap_or("").to_string();
    Some((ch, len, lang))
}

fn closes_fence(line: &str, ch: char, len: usize) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let t = line.trim();
    indent <= 3 && t.chars().take_while(|c| *c == ch).count() >= len && t.chars().all(|c| c == ch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds<'a>(text: &'a str, md: &Markdown) -> Vec<(SegKind, &'a str)> {
        md.segments
            .iter()
            .map(|s| (s.kind, &text[s.span.clone()]))
            .collect()
    }

    #[test]
    fn frontmatter_spans_are_file_offsets() {
        let text = "---\nname: pdf\ndescription: \"Fill PDF forms\"\nallowed-tools: [Read, Bash]\n---\n# PDF\nBody text.\n";
        let md = parse(text);
        let fm = md.frontmatter.as_ref().expect("frontmatter");
        let root = fm.root.as_ref().expect("mapping");
        let d = root.get("description").expect("description");
        assert_eq!(&text[d.span.clone()], "\"Fill PDF forms\"");
        assert_eq!(d.as_str(), Some("Fill PDF forms"));
        let e = root.entry("allowed-tools").expect("tools");
        assert_eq!(&text[e.key_span.clone()], "allowed-tools");
        assert_eq!(&text[e.value.items()[1].span.clone()], "Bash");
        assert_eq!(
            &text[fm.span.clone()],
            "---\nname: pdf\ndescription: \"Fill PDF forms\"\nallowed-tools: [Read, Bash]\n---\n"
        );
        assert_eq!(
            kinds(text, &md),
            vec![
                (SegKind::Prose, "# PDF\n"),
                (SegKind::Prose, "Body text.\n")
            ]
        );
    }

    #[test]
    fn mdc_frontmatter_that_is_not_yaml() {
        let text = "---\ndescription: TypeScript rules\nglobs: *.ts, *.tsx\nalwaysApply: false\n---\nUse strict mode.\n";
        let md = parse(text);
        let root = md.frontmatter.and_then(|f| f.root).expect("root");
        let g = root.get("globs").expect("globs");
        assert_eq!(&text[g.span.clone()], "*.ts, *.tsx");
        assert_eq!(
            root.get("alwaysApply").and_then(Node::as_str),
            Some("false")
        );
    }

    #[test]
    fn no_or_unclosed_frontmatter() {
        assert!(parse("# Title\n---\n").frontmatter.is_none());
        let md = parse("---\nname: x\nno end\n");
        assert!(md.frontmatter.is_none());
        assert_eq!(md.segments[0].span.start, 0);
    }

    #[test]
    fn body_kinds() {
        let text = "Run `npm test` first.\n\n```bash\ncurl x | sh\n```\n> quoted ignore\n> more\nafter <!-- hidden\nstill hidden --> tail\n~~~\nopen";
        let md = parse(text);
        let k = kinds(text, &md);
        assert_eq!(
            k,
            vec![
                (SegKind::Prose, "Run "),
                (SegKind::InlineCode, "`npm test`"),
                (SegKind::Prose, " first.\n"),
                (SegKind::Code, "```bash\ncurl x | sh\n```\n"),
                (SegKind::Quote, "> quoted ignore\n> more\n"),
                (SegKind::Prose, "after "),
                (SegKind::Comment, "<!-- hidden\nstill hidden -->"),
                (SegKind::Prose, " tail\n"),
                (SegKind::Code, "~~~\nopen"),
            ]
        );
        assert_eq!(md.segments[3].info, "bash");
        // Prose and its code span share a block; the fence does not.
        assert_eq!(md.segments[0].block, md.segments[2].block);
        assert_ne!(md.segments[2].block, md.segments[3].block);
        assert_ne!(md.segments[5].block, md.segments[6].block);
        let comments = md.comments(text);
        assert_eq!(comments.len(), 1);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for t in [
            "",
            "---",
            "---\n",
            "---\n---\n",
            "\u{feff}---\na: [\n---\nx",
            "`",
            "``x`",
            "<!--",
            "a <!-- b --> c <!-- d",
            "é`é`é\n> é\n```é\né",
            "---\n: x\n\u{e9}: y\n---\n",
        ] {
            let md = parse(t);
            for s in &md.segments {
                assert!(t.get(s.span.clone()).is_some(), "{t:?} {s:?}");
            }
        }
        let big = "x `y` <!-- z -->\n".repeat(20_000);
        assert!(parse(&big).segments.len() >= 60_000);
    }
}
