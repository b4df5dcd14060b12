//! Spanned documents: JSON/JSONC, YAML and TOML parsed into one tree whose every node
//! keeps its byte range, so rules written once point at the exact key or value.

pub mod a2a;
pub mod claude;
pub mod compose;
pub mod containers;
pub mod crewai;
pub mod devcontainer;
pub mod dockerfile;
pub mod env;
pub mod gemini;
pub mod json;
pub mod kube;
pub mod markdown;
pub mod mcp;
pub mod project;
pub mod text;
pub mod toml;
pub mod vscode;
pub mod workflow;
pub mod yaml;

use std::fmt;
use std::ops::Range;

pub type Span = Range<usize>;

/// A value in a parsed manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Byte range of the value in the file (for strings, including quotes).
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Numbers keep their source text; no rule needs arithmetic on them.
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Entries in file order. Duplicate keys are kept: lookups take the last one, as
    /// JavaScript's `JSON.parse` and most clients do.
    Object(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Object(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Object(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Array(items) => items,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean, also from the string forms some clients accept ("true").
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.value, Value::Object(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self.value, Value::Array(_))
    }

    /// Scalar text as a client would see it after conversion to a string.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// The logical path of a node, such as `mcpServers.github.env.TOKEN` or `args[2]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Route(pub Vec<Seg>);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl Route {
    pub fn root() -> Self {
        Route(Vec::new())
    }

    pub fn key(&self, k: &str) -> Route {
        let mut r = self.clone();
        r.0.push(Seg::Key(k.to_string()));
        r
    }

    pub fn index(&self, i: usize) -> Route {
        let mut r = self.clone();
        r.0.push(Seg::Index(i));
        r
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) => {
                    let plain = !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '$' | '@'));
                    if plain {
                        if i > 0 {
                            f.write_str(".")?;
                        }
                        f.write_str(k)?;
                    } else {
                        write!(f, "[{k:?}]")?;
                    }
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A comment in a manifest, for inline suppressions.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

/// A parsed manifest: one root per document (YAML streams may hold several).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub roots: Vec<Node>,
    pub comments: Vec<Comment>,
}

/// Why a manifest could not be parsed, with the byte offset where the parser stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub offset: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_display_quotes_odd_keys() {
        let r = Route::root()
            .key("projects")
            .key("/home/a b")
            .key("mcpServers")
            .key("x")
            .key("args")
            .index(2);
        assert_eq!(
            r.to_string(),
            "projects[\"/home/a b\"].mcpServers.x.args[2]"
        );
    }
}
