//! JSON and JSONC into spanned documents. One parser serves both: comments and trailing
//! commas are accepted everywhere, since the clients that read these files accept them.

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use super::{Comment, Document, Entry, Node, ParseError, Value};

pub fn parse(text: &str) -> Result<Document, ParseError> {
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Separate,
        tokens: false,
    };
    let options = ParseOptions::default();
    let parsed = jsonc_parser::parse_to_ast(text, &collect, &options).map_err(|e| ParseError {
        message: e.kind().to_string(),
        offset: e.range().start,
    })?;
    let mut comments = Vec::new();
    if let Some(map) = &parsed.comments {
        for list in map.values() {
            for c in list.iter() {
                let r = c.range();
                comments.push(Comment {
                    span: r.start..r.end,
                    text: c.text().to_string(),
                });
            }
        }
    }
    comments.sort_by_key(|c| c.span.start);
    comments.dedup();
    let roots = parsed.value.as_ref().map(lower).into_iter().collect();
    Ok(Document { roots, comments })
}

fn lower(v: &ast::Value<'_>) -> Node {
    match v {
        ast::Value::StringLit(s) => Node::new(
            Value::String(s.value.to_string()),
            s.range.start..s.range.end,
        ),
        ast::Value::NumberLit(n) => Node::new(
            Value::Number(n.value.to_string()),
            n.range.start..n.range.end,
        ),
        ast::Value::BooleanLit(b) => Node::new(Value::Bool(b.value), b.range.start..b.range.end),
        ast::Value::NullKeyword(n) => Node::new(Value::Null, n.range.start..n.range.end),
        ast::Value::Array(a) => Node::new(
            Value::Array(a.elements.iter().map(lower).collect()),
            a.range.start..a.range.end,
        ),
        ast::Value::Object(o) => {
            let entries = o
                .properties
                .iter()
                .map(|p| {
                    let (key, span) = match &p.name {
                        ast::ObjectPropName::String(s) => (s.value.to_string(), s.range),
                        ast::ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                    };
                    Entry {
                        key,
                        key_span: span.start..span.end,
                        value: lower(&p.value),
                    }
                })
                .collect();
            Node::new(Value::Object(entries), o.range.start..o.range.end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_values_and_keys() {
        let text = "{\n  // c\n  \"a\": {\"b\": \"x\\u0041\",},\n  \"a\": 1,\n}";
        let doc = parse(text).expect("parses");
        let root = &doc.roots[0];
        assert_eq!(root.entries().len(), 2, "duplicate keys are kept");
        assert_eq!(
            root.get("a").map(|n| &n.value),
            Some(&Value::Number("1".into()))
        );
        let first = &root.entries()[0];
        assert_eq!(&text[first.key_span.clone()], "\"a\"");
        let b = first.value.get("b").expect("b");
        assert_eq!(b.as_str(), Some("xA"));
        assert_eq!(&text[b.span.clone()], "\"x\\u0041\"");
        assert_eq!(doc.comments.len(), 1);
        assert_eq!(doc.comments[0].text, " c");
    }

    #[test]
    fn invalid_json_reports_offset() {
        let err = parse("{\"a\": }").expect_err("invalid");
        assert!(err.offset >= 5, "{err:?}");
    }

    #[test]
    fn empty_file_has_no_root() {
        assert!(parse("").expect("empty parses").roots.is_empty());
    }
}
