//! Where the bytes of a command text are in the file. A shell script is its own
//! text; a command inside a JSON or YAML string is the string's decoded value, whose
//! bytes sit elsewhere (after quotes, escapes, block indentation). Words found in the
//! value are pointed back at the file through this mapping.

use std::ops::Range;
use std::sync::Arc;

use crate::manifest::{Node, Span};

#[derive(Debug, Clone)]
pub enum Mapping {
    /// The text is written verbatim in the file from this offset.
    Shift(usize),
    /// File span of every byte of the text, from `offset` in the table.
    Table(Arc<[Span]>, usize),
    /// The text cannot be aligned with the file: everything points at this span.
    Whole(Span),
}

impl Mapping {
    /// The file span of `r`, a byte range of the text.
    pub fn span(&self, r: Range<usize>) -> Span {
        match self {
            Mapping::Shift(base) => base + r.start..base + r.end,
            Mapping::Whole(s) => s.clone(),
            Mapping::Table(t, off) => {
                let Some(first) = t.get(off + r.start) else {
                    return t.last().map_or(0..0, |l| l.end..l.end);
                };
                if r.end <= r.start {
                    return first.start..first.start;
                }
                let last = t.get(off + r.end - 1).unwrap_or(first);
                first.start..last.end.max(first.start)
            }
        }
    }

    /// The mapping of the text from byte `start` on.
    pub fn sub(&self, start: usize) -> Mapping {
        match self {
            Mapping::Shift(base) => Mapping::Shift(base + start),
            Mapping::Whole(s) => Mapping::Whole(s.clone()),
            Mapping::Table(t, off) => Mapping::Table(t.clone(), off + start),
        }
    }
}

/// The mapping of a string node's value onto the file.
pub fn of_node(file: &str, node: &Node) -> Mapping {
    let whole = Mapping::Whole(node.span.clone());
    let (Some(value), Some(raw)) = (node.as_str(), file.get(node.span.clone())) else {
        return whole;
    };
    if raw == value {
        return Mapping::Shift(node.span.start);
    }
    if raw.len() >= 2 && raw.get(1..raw.len() - 1) == Some(value) {
        return Mapping::Shift(node.span.start + 1);
    }
    match align(raw, value) {
        Some(mut table) => {
            for s in table.iter_mut() {
                *s = s.start + node.span.start..s.end + node.span.start;
            }
            Mapping::Table(table.into(), 0)
        }
        None => whole,
    }
}

/// Walks the written form and the value together: each value character is the next
/// equal character of the written form, or an escape sequence that decodes to it;
/// quotes, block-scalar headers and indentation in between are skipped, and a line
/// break may stand for the space it was folded into. Returns the written span of
/// every value byte, or `None` when the two cannot be matched.
fn align(raw: &str, value: &str) -> Option<Vec<Span>> {
    let mut out = Vec::with_capacity(value.len());
    let mut cur = 0;
    let mut started = false;
    for vc in value.chars() {
        loop {
            let rc = raw.get(cur..)?.chars().next()?;
            let here = if rc == vc {
                Some(rc.len_utf8())
            } else if rc == '\\' {
                escape(&raw[cur..], vc)
            } else if vc == ' ' && (rc == '\n' || rc == '\r') {
                Some(1)
            } else {
                None
            };
            if let Some(len) = here {
                for _ in 0..vc.len_utf8() {
                    out.push(cur..cur + len);
                }
                cur += len;
                started = true;
                break;
            }
            let skippable = rc.is_whitespace()
                || rc == '"'
                || rc == '\''
                || rc == '\\'
                || (!started && matches!(rc, '|' | '>' | '-' | '+' | '0'..='9'));
            if !skippable {
                return None;
            }
            cur += rc.len_utf8();
        }
    }
    Some(out)
}

/// The length of the escape sequence at the start of `raw` if it decodes to `want`
/// (JSON, YAML double-quoted and TOML basic strings).
fn escape(raw: &str, want: char) -> Option<usize> {
    let mut it = raw.chars();
    it.next()?;
    let e = it.next()?;
    let simple = match e {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        '0' => Some('\0'),
        'e' => Some('\u{1b}'),
        'a' => Some('\u{7}'),
        'v' => Some('\u{b}'),
        '"' | '\\' | '/' | ' ' | '\'' => Some(e),
        _ => None,
    };
    if let Some(c) = simple {
        return (c == want).then_some(2);
    }
    let hex = |from: usize, n: usize| -> Option<u32> {
        u32::from_str_radix(raw.get(from..from + n)?, 16).ok()
    };
    let (code, len) = match e {
        'x' => (hex(2, 2)?, 4),
        'u' => {
            let hi = hex(2, 4)?;
            if (0xD800..0xDC00).contains(&hi) && raw.get(6..8) == Some("\\u") {
                let lo = hex(8, 4)?;
                (
                    0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?),
                    12,
                )
            } else {
                (hi, 6)
            }
        }
        'U' => (hex(2, 8)?, 10),
        _ => return None,
    };
    (char::from_u32(code)? == want).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Value;

    fn node(file: &str, raw: &str, value: &str) -> Node {
        let start = file.find(raw).expect("raw in file");
        Node::new(Value::String(value.into()), start..start + raw.len())
    }

    fn mapped<'f>(file: &'f str, m: &Mapping, value: &str, word: &str) -> &'f str {
        let at = value.find(word).expect("word in value");
        &file[m.span(at..at + word.len())]
    }

    #[test]
    fn verbatim_and_quoted() {
        let f = r#"{"a": "claude --yolo"}"#;
        let n = node(f, "\"claude --yolo\"", "claude --yolo");
        let m = of_node(f, &n);
        assert!(matches!(m, Mapping::Shift(_)));
        assert_eq!(mapped(f, &m, "claude --yolo", "--yolo"), "--yolo");
    }

    #[test]
    fn json_escapes() {
        let f = r#"{"a": "claude -p \"x\\y\" \u00e9 \ud83e\udd80 --yolo"}"#;
        let v = "claude -p \"x\\y\" é 🦀 --yolo";
        let raw = &f[6..f.len() - 1];
        let m = of_node(f, &node(f, raw, v));
        assert_eq!(mapped(f, &m, v, "--yolo"), "--yolo");
        assert_eq!(mapped(f, &m, v, "\"x\\y\""), r#"\"x\\y\""#);
        assert_eq!(mapped(f, &m, v, "é"), r"\u00e9");
        assert_eq!(mapped(f, &m, v, "🦀"), r"\ud83e\udd80");
    }

    #[test]
    fn yaml_block_and_folded() {
        let f = "run: |\n  npm ci\n  claude \\\n    --yolo\n";
        let raw = &f[5..];
        let v = "npm ci\nclaude \\\n  --yolo\n";
        let m = of_node(f, &node(f, raw, v));
        assert_eq!(mapped(f, &m, v, "--yolo"), "--yolo");
        assert_eq!(
            m.span(v.find("--yolo").unwrap()..v.len() - 1).start,
            f.find("--yolo").unwrap()
        );
        let f = "run: >-\n  claude\n  -y\n";
        let v = "claude -y";
        let m = of_node(f, &node(f, &f[5..], v));
        assert_eq!(mapped(f, &m, v, "-y"), "-y");
        let f = "run: 'it''s' -y";
        let v = "it's -y";
        let m = of_node(f, &node(f, &f[5..], v));
        assert_eq!(mapped(f, &m, v, "-y"), "-y");
    }

    #[test]
    fn unalignable_falls_back_to_the_node() {
        let f = "x: abc";
        let n = node(f, "abc", "zzz");
        assert!(matches!(of_node(f, &n), Mapping::Whole(_)));
        let m = Mapping::Table(Arc::from(vec![0..1, 1..2]), 0);
        assert_eq!(m.span(5..9), 2..2);
        assert_eq!(m.span(1..1), 1..1);
    }
}
