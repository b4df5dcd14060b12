//! TOML into spanned documents through toml_edit, whose parsed documents keep spans.

use toml_edit::{Item, Table, Value as TValue};

use super::{Comment, Document, Entry, Node, ParseError, Value};

pub fn parse(text: &str) -> Result<Document, ParseError> {
    let doc = toml_edit::Document::parse(text).map_err(|e| ParseError {
        message: e.message().to_string(),
        offset: e.span().map_or(0, |s| s.start),
    })?;
    let root = table(doc.as_table(), 0..text.len());
    Ok(Document {
        roots: vec![root],
        comments: comments(text),
    })
}

fn table(t: &Table, fallback: std::ops::Range<usize>) -> Node {
    let span = t.span().unwrap_or(fallback);
    let entries = t
        .iter()
        .filter_map(|(k, item)| {
            let (key, _) = t.get_key_value(k)?;
            let key_span = key.span().unwrap_or(span.clone());
            let value = item_node(item, key_span.clone());
            Some(Entry {
                key: k.to_string(),
                key_span,
                value,
            })
        })
        .collect();
    Node::new(Value::Object(entries), span)
}

fn item_node(item: &Item, fallback: std::ops::Range<usize>) -> Node {
    match item {
        Item::None => Node::new(Value::Null, fallback),
        Item::Value(v) => value(v, fallback),
        Item::Table(t) => table(t, fallback),
        Item::ArrayOfTables(a) => {
            let span = a.span().unwrap_or(fallback.clone());
            let items = a.iter().map(|t| table(t, span.clone())).collect();
            Node::new(Value::Array(items), span)
        }
    }
}

fn value(v: &TValue, fallback: std::ops::Range<usize>) -> Node {
    let span = v.span().unwrap_or(fallback);
    let value = match v {
        TValue::String(s) => Value::String(s.value().clone()),
        TValue::Integer(i) => Value::Number(i.value().to_string()),
        TValue::Float(f) => Value::Number(f.value().to_string()),
        TValue::Boolean(b) => Value::Bool(*b.value()),
        TValue::Datetime(d) => Value::String(d.value().to_string()),
        TValue::Array(a) => Value::Array(a.iter().map(|x| value(x, span.clone())).collect()),
        TValue::InlineTable(t) => Value::Object(
            t.iter()
                .filter_map(|(k, x)| {
                    let (key, _) = t.get_key_value(k)?;
                    let key_span = key.span().unwrap_or(span.clone());
                    Some(Entry {
                        key: k.to_string(),
                        key_span: key_span.clone(),
                        value: value(x, key_span),
                    })
                })
                .collect(),
        ),
    };
    Node::new(value, span)
}

/// `#` comments outside strings. TOML strings cannot span lines except the
/// triple-quoted forms, which are tracked. Works on bytes: every delimiter is ASCII,
/// so multi-byte characters never split a match.
fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut multiline: Option<&[u8]> = None;
    for line in text.split_inclusive('\n') {
        let bytes = line.as_bytes();
        let mut i = 0;
        let mut quote: Option<u8> = None;
        while i < bytes.len() {
            let rest = &bytes[i..];
            if let Some(delim) = multiline {
                if rest.starts_with(delim) {
                    multiline = None;
                    i += 3;
                } else {
                    i += 1;
                }
                continue;
            }
            let c = bytes[i];
            match quote {
                Some(b'"') if c == b'\\' => i += 1,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if rest.starts_with(b"\"\"\"") || rest.starts_with(b"'''") => {
                    multiline = Some(&rest[..3]);
                    i += 3;
                    continue;
                }
                None if c == b'"' || c == b'\'' => quote = Some(c),
                None if c == b'#' => {
                    let body = line[i + 1..].trim_end_matches(['\n', '\r']);
                    out.push(Comment {
                        span: offset + i..offset + i + 1 + body.len(),
                        text: body.to_string(),
                    });
                    break;
                }
                None => {}
            }
            i += 1;
        }
        offset += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_values_have_spans() {
        let text = "model = \"o3\" # m\n[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"pkg\"]\nenv = { TOKEN = \"abc\" }\n";
        let doc = parse(text).expect("parses");
        let root = &doc.roots[0];
        let docs = root
            .get("mcp_servers")
            .and_then(|m| m.get("docs"))
            .expect("docs");
        let cmd = docs.get("command").expect("command");
        assert_eq!(&text[cmd.span.clone()], "\"npx\"");
        let args = docs.get("args").expect("args").items();
        assert_eq!(&text[args[1].span.clone()], "\"pkg\"");
        let tok = docs
            .get("env")
            .and_then(|e| e.entry("TOKEN"))
            .expect("token");
        assert_eq!(&text[tok.key_span.clone()], "TOKEN");
        assert_eq!(&text[tok.value.span.clone()], "\"abc\"");
        assert_eq!(doc.comments.len(), 1);
    }

    #[test]
    fn comment_scan_survives_multibyte_text() {
        let c = comments("\u{feff}# a\nx = \"\u{e9}#\" # b\ny = \"\"\"\n# not\n\"\"\" # c\n");
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec![" a", " b", " c"]);
    }

    #[test]
    fn invalid_toml_is_an_error() {
        assert!(parse("a = \n").is_err());
    }
}
