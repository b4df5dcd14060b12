//! YAML into spanned documents, built from saphyr-parser's event stream (the serde
//! YAML crates are deprecated or unsound; the event API gives spans directly).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use super::{Comment, Document, Entry, Node, ParseError, Value};

/// Nesting deeper than this is refused: a hostile file must not exhaust the stack.
const MAX_DEPTH: usize = 256;

/// Nodes a document may expand to, aliases counted at their full size: a few hundred
/// bytes of nested aliases ("billion laughs") must not exhaust memory or time.
const MAX_NODES: usize = 1_000_000;

pub fn parse(text: &str) -> Result<Document, ParseError> {
    let offsets = CharOffsets::new(text);
    let mut b = Builder {
        parser: Parser::new_from_str(text),
        offsets: &offsets,
        anchors: HashMap::new(),
        nodes: 0,
    };
    let mut roots = Vec::new();
    loop {
        let (ev, span) = b.next()?;
        match ev {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {}
            other => roots.push(b.node(other, span, 0)?),
        }
    }
    Ok(Document {
        roots,
        comments: comments(text),
    })
}

/// saphyr reports positions in characters; rules and reporters work in bytes.
struct CharOffsets {
    /// Byte offset of every character, plus the end; empty for pure ASCII text.
    table: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let table = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect()
        };
        CharOffsets {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.table.is_empty() {
            char_index.min(self.len)
        } else {
            self.table.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

struct Builder<'a, 'o> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    offsets: &'o CharOffsets,
    /// Anchored nodes with their size in nodes.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes built so far, aliases counted at their full size.
    nodes: usize,
}

impl<'a> Builder<'a, '_> {
    fn next(&mut self) -> Result<(Event<'a>, YSpan), ParseError> {
        match self.parser.next_event() {
            Some(Ok(pair)) => Ok(pair),
            Some(Err(e)) => Err(ParseError {
                message: e.info().to_string(),
                offset: self.offsets.byte(e.marker().index()),
            }),
            None => Ok((Event::StreamEnd, YSpan::default())),
        }
    }

    fn span(&self, s: &YSpan) -> std::ops::Range<usize> {
        let start = self.offsets.byte(s.start.index());
        let end = self.offsets.byte(s.end.index()).max(start);
        start..end
    }

    fn node(&mut self, ev: Event<'a>, span: YSpan, depth: usize) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                offset: self.span(&span).start,
            });
        }
        let start = self.span(&span);
        let before = self.nodes;
        self.nodes += 1;
        let (node, anchor) = match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let value = if style == ScalarStyle::Plain && tag.is_none() {
                    plain_scalar(&text)
                } else {
                    Value::String(text.into_owned())
                };
                (Node::new(value, start), anchor)
            }
            Event::Alias(id) => {
                let size = self.anchors.get(&id).map_or(0, |(_, size)| *size);
                self.nodes += size;
                if self.nodes > MAX_NODES {
                    return Err(ParseError {
                        message: format!("aliases expand to more than {MAX_NODES} nodes"),
                        offset: start.start,
                    });
                }
                let node = self
                    .anchors
                    .get(&id)
                    .map(|(n, _)| Node::new(n.value.clone(), start.clone()))
                    .unwrap_or(Node::new(Value::Null, start));
                (node, 0)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                let end = loop {
                    let (ev, sp) = self.next()?;
                    match ev {
                        Event::SequenceEnd => break self.span(&sp).end,
                        Event::StreamEnd => break self.span(&sp).end,
                        ev => items.push(self.node(ev, sp, depth + 1)?),
                    }
                };
                let end = items.last().map_or(end, |n| n.span.end.max(end));
                (Node::new(Value::Array(items), start.start..end), anchor)
            }
            Event::MappingStart(anchor, _) => {
                let mut entries: Vec<Entry> = Vec::new();
                let end = loop {
                    let (ev, sp) = self.next()?;
                    match ev {
                        Event::MappingEnd | Event::StreamEnd => break self.span(&sp).end,
                        ev => {
                            let key = self.node(ev, sp, depth + 1)?;
                            let (vev, vsp) = self.next()?;
                            let value = self.node(vev, vsp, depth + 1)?;
                            let name = key.scalar_text().unwrap_or_default();
                            if name == "<<" {
                                merge(&mut entries, &value);
                            }
                            entries.push(Entry {
                                key: name,
                                key_span: key.span,
                                value,
                            });
                        }
                    }
                };
                let last = entries.last().map_or(0, |e| e.value.span.end);
                (
                    Node::new(Value::Object(entries), start.start..end.max(last)),
                    anchor,
                )
            }
            _ => (Node::new(Value::Null, start), 0),
        };
        if anchor != 0 {
            self.anchors
                .insert(anchor, (node.clone(), self.nodes - before));
        }
        Ok(node)
    }
}

/// `<<: *base` merges the aliased mapping's keys (YAML 1.1 merge keys, which compose
/// files and CI configs rely on).
fn merge(entries: &mut Vec<Entry>, value: &Node) {
    let sources: Vec<&Node> = match &value.value {
        Value::Array(items) => items.iter().collect(),
        _ => vec![value],
    };
    for src in sources {
        for e in src.entries() {
            if !entries.iter().any(|x| x.key == e.key) {
                entries.push(e.clone());
            }
        }
    }
}

/// YAML 1.2 core schema resolution of plain scalars.
fn plain_scalar(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if looks_numeric(s) => Value::Number(s.to_string()),
        _ => Value::String(s.to_string()),
    }
}

fn looks_numeric(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    if t.starts_with("0x") || t.starts_with("0o") {
        return t.len() > 2 && t[2..].chars().all(|c| c.is_ascii_hexdigit());
    }
    !t.is_empty()
        && t.chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.')
        && t.parse::<f64>().is_ok()
}

/// `#` comments. The event stream drops them, so they are found by a scan that knows
/// quoted scalars; a `#` counts only at line start or after white space.
fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (i, c) in line.char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if (c == '"' || c == '\'')
                    && (prev.is_whitespace() || "[{:,-".contains(prev)) =>
                {
                    quote = Some(c)
                }
                None if c == '#' && prev.is_whitespace() => {
                    let body = line[i + 1..].trim_end_matches(['\n', '\r']);
                    out.push(Comment {
                        span: offset + i..offset + i + 1 + body.len(),
                        text: body.to_string(),
                    });
                    break;
                }
                None => {}
            }
            prev = c;
        }
        offset += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_mapping_spans() {
        let text = "mcpServers:\n  - name: fs\n    command: npx # run\n    args: [\"-y\", 'pkg']\n";
        let doc = parse(text).expect("parses");
        let root = &doc.roots[0];
        let first = &root.get("mcpServers").expect("list").items()[0];
        let cmd = first.get("command").expect("command");
        assert_eq!(&text[cmd.span.clone()], "npx");
        let args = first.get("args").expect("args").items();
        assert_eq!(&text[args[1].span.clone()], "'pkg'");
        assert_eq!(args[1].as_str(), Some("pkg"));
        assert_eq!(doc.comments.len(), 1);
        assert_eq!(doc.comments[0].text, " run");
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let text = "a: \u{e9}\u{e9}\nb: x\n";
        let doc = parse(text).expect("parses");
        let b = doc.roots[0].get("b").expect("b");
        assert_eq!(&text[b.span.clone()], "x");
    }

    #[test]
    fn anchors_and_merge_keys() {
        let text = "base: &b {x: 1}\nsvc:\n  <<: *b\n  y: true\n";
        let doc = parse(text).expect("parses");
        let svc = doc.roots[0].get("svc").expect("svc");
        assert_eq!(
            svc.get("x").map(|n| &n.value),
            Some(&Value::Number("1".into()))
        );
        assert_eq!(svc.get("y").and_then(Node::as_bool), Some(true));
    }

    #[test]
    fn multi_document_and_errors() {
        assert_eq!(parse("a: 1\n---\nb: 2\n").expect("ok").roots.len(), 2);
        let err = parse("a: [1, 2\nb: 3\n").expect_err("bad");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = parse(&text).expect_err("bomb");
        assert!(err.message.contains("aliases expand"), "{err:?}");
    }

    #[test]
    fn comment_scan_skips_quoted_hashes() {
        let c = comments("a: \"x # y\" # real\nb: c#d\n");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].text, " real");
    }
}
