//! Agent tool code: parse Python and TypeScript/JavaScript with tree-sitter, find the
//! tools a framework exposes to a model, and follow each tool's parameters to
//! dangerous sinks inside the same file.
//!
//! A file is parsed once; discovery and the taint pass run once and every rule reads
//! the result (`Module::flows` by sink class, or the syntax tree for call patterns).

pub mod argv;
pub mod calls;
pub mod python;
pub mod rust;
pub mod servers;
pub mod sources;
pub mod taint;
pub mod typescript;
pub mod usage;

use crate::manifest::{Comment, Span};

pub use taint::{Flow, Origin, Sink};

/// A language the code rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    /// Read with syn, not tree-sitter (see `rust`).
    Rust,
}

impl Lang {
    /// The kind name in reports (through `FileKind::as_str`).
    #[allow(dead_code)]
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::Rust => "rust",
        }
    }

    fn grammar(self) -> Option<tree_sitter::Language> {
        Some(match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            // JSX is valid in .js/.jsx/.mjs/.cjs files; the JavaScript grammar reads it.
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Rust => return None,
        })
    }
}

/// A function a framework exposes to a model as a tool. Its parameters are chosen by
/// the model, so by whoever can steer the model (prompt injection): taint sources.
#[derive(Debug, Clone)]
// Names, descriptions and the tree are for the rules on tool descriptions and
// tree-sitter query rules that come next; discovery tests read them now.
#[allow(dead_code)]
pub struct Tool {
    pub name: String,
    /// The tool's name where it is written, else the handler's name or signature.
    pub name_span: Span,
    pub description: Option<(String, Span)>,
    pub params: Vec<(String, Span)>,
    pub body: Span,
    /// The framework's registration form, e.g. `FastMCP @tool`.
    pub framework: &'static str,
}

/// A parsed code file with its tools and the flows found in them.
#[allow(dead_code)]
pub struct Module {
    pub lang: Lang,
    pub tree: tree_sitter::Tree,
    pub tools: Vec<Tool>,
    pub flows: Vec<Flow>,
    pub comments: Vec<Comment>,
    /// Local name → dotted origin, through import aliases and `require`.
    pub imports: std::collections::HashMap<String, String>,
    /// Calls, assignments and literals for every pattern rule.
    pub index: calls::Index,
}

/// Code files above this size are not parsed: hand-written tool code is far smaller,
/// and bundles or generated files only slow the scan.
pub const MAX_CODE_BYTES: usize = 1024 * 1024;

/// Minified or generated code: one long line or very long lines on average. Checked
/// on the raw text before any parse, so skipping costs one pass over the bytes.
pub fn looks_generated(text: &str) -> bool {
    let lines = text.lines().count().max(1);
    let longest = text.lines().map(str::len).max().unwrap_or(0);
    longest > 20_000 || (text.len() / lines > 250 && longest > 1000)
}

/// Parses and analyses one code file; `None` for files skipped as generated.
pub fn analyse(lang: Lang, text: &str) -> Option<Module> {
    if text.len() > MAX_CODE_BYTES || looks_generated(text) {
        return None;
    }
    let mut parser = tree_sitter::Parser::new();
    let Some(grammar) = lang.grammar() else {
        return analyse_rust(text, parser);
    };
    parser.set_language(&grammar).ok()?;
    let tree = parser.parse(text, None)?;
    let nodes = preorder(&tree, lang);
    let comments = nodes
        .iter()
        .filter(|n| nodes.kind(**n) == "comment")
        .map(|n| Comment {
            span: n.byte_range(),
            text: text_of(*n, text).to_string(),
        })
        .collect();
    let (tools, flows, imports) = match lang {
        Lang::Python => {
            let imports = python::imports(&nodes, text);
            let (t, f) = python::analyse(&nodes, text, &imports);
            (t, f, imports)
        }
        _ => {
            let imports = typescript::imports(&nodes, text);
            let (t, f) = typescript::analyse(&nodes, text, &imports);
            (t, f, imports)
        }
    };
    let index = calls::build(&nodes, &tree.language(), text, &imports);
    drop(nodes);
    Some(Module {
        lang,
        tree,
        tools,
        flows,
        comments,
        imports,
        index,
    })
}

/// A Rust file as a `Module`: tools, flows, comments and the call index come from
/// syn. Its tree is an empty Python tree, a placeholder no rule reads for Rust.
fn analyse_rust(text: &str, mut parser: tree_sitter::Parser) -> Option<Module> {
    let a = rust::analyse(text)?;
    parser.set_language(&Lang::Python.grammar()?).ok()?;
    let tree = parser.parse("", None)?;
    Some(Module {
        lang: Lang::Rust,
        tree,
        tools: a.tools,
        flows: a.flows,
        comments: a.comments,
        imports: a.imports,
        index: a.index,
    })
}

/// Every named node of a file in source order, from one cursor walk: each pass
/// filters this list instead of walking the tree again, which is where the time went.
pub struct Nodes<'t> {
    list: Vec<tree_sitter::Node<'t>>,
    names: &'static [&'static str],
}

impl<'t> Nodes<'t> {
    /// The node's kind from a table built once per grammar: `Node::kind` measures and
    /// checks the C string on every call, which cost a tenth of a scan when every
    /// pass compared the kind of every node.
    pub fn kind(&self, n: tree_sitter::Node<'_>) -> &'static str {
        self.names
            .get(usize::from(n.kind_id()))
            .copied()
            .unwrap_or("")
    }
}

impl<'t> std::ops::Deref for Nodes<'t> {
    type Target = [tree_sitter::Node<'t>];
    fn deref(&self) -> &Self::Target {
        &self.list
    }
}

impl<'a, 't> IntoIterator for &'a Nodes<'t> {
    type Item = &'a tree_sitter::Node<'t>;
    type IntoIter = std::slice::Iter<'a, tree_sitter::Node<'t>>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

/// Kind names by kind id, for each tree-sitter grammar.
fn kind_names(lang: Lang) -> &'static [&'static str] {
    use std::sync::LazyLock;
    fn table(lang: Lang) -> Vec<&'static str> {
        let Some(g) = lang.grammar() else {
            return Vec::new();
        };
        (0..g.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| g.node_kind_for_id(id))
                    .unwrap_or("")
            })
            .collect()
    }
    static PY: LazyLock<Vec<&str>> = LazyLock::new(|| table(Lang::Python));
    static JS: LazyLock<Vec<&str>> = LazyLock::new(|| table(Lang::JavaScript));
    static TS: LazyLock<Vec<&str>> = LazyLock::new(|| table(Lang::TypeScript));
    static TSX: LazyLock<Vec<&str>> = LazyLock::new(|| table(Lang::Tsx));
    match lang {
        Lang::Python => &PY,
        Lang::JavaScript => &JS,
        Lang::TypeScript => &TS,
        Lang::Tsx => &TSX,
        Lang::Rust => &[],
    }
}

fn preorder(tree: &tree_sitter::Tree, lang: Lang) -> Nodes<'_> {
    let mut out = Vec::new();
    let mut c = tree.walk();
    loop {
        let n = c.node();
        if n.is_named() {
            out.push(n);
        }
        if c.goto_first_child() {
            continue;
        }
        loop {
            if c.goto_next_sibling() {
                break;
            }
            if !c.goto_parent() {
                return Nodes {
                    list: out,
                    names: kind_names(lang),
                };
            }
        }
    }
}

/// Syntax deeper than this is not followed by the taint pass, whose walk over
/// expressions recurses: generated or hostile code must not exhaust the stack.
const MAX_DEPTH: usize = 200;

/// Whether a function's syntax nests deeper than the taint pass follows.
pub fn too_deep(node: tree_sitter::Node<'_>) -> bool {
    let mut c = node.walk();
    let mut depth = 0usize;
    loop {
        if c.goto_first_child() {
            depth += 1;
            if depth > MAX_DEPTH {
                return true;
            }
            continue;
        }
        loop {
            if depth == 0 {
                return false;
            }
            if c.goto_next_sibling() {
                break;
            }
            c.goto_parent();
            depth -= 1;
        }
    }
}

/// The text of a node; empty when the range is not on character boundaries.
pub fn text_of<'t>(node: tree_sitter::Node<'_>, text: &'t str) -> &'t str {
    text.get(node.byte_range()).unwrap_or("")
}

/// The contents of a string literal without quotes or prefixes, when it has no
/// interpolation: the tool names and descriptions frameworks take as literals.
pub fn string_literal(node: tree_sitter::Node<'_>, text: &str) -> Option<String> {
    match node.kind() {
        "string" | "template_string" => {
            let mut cursor = node.walk();
            let mut out = String::new();
            for c in node.named_children(&mut cursor) {
                match c.kind() {
                    "string_content" | "string_fragment" | "escape_sequence" => {
                        out.push_str(text_of(c, text))
                    }
                    "string_start" | "string_end" => {}
                    _ => return None,
                }
            }
            Some(out)
        }
        "concatenated_string" => {
            let mut cursor = node.walk();
            let parts: Option<Vec<String>> = node
                .named_children(&mut cursor)
                .map(|c| string_literal(c, text))
                .collect();
            parts.map(|p| p.concat())
        }
        "parenthesized_expression" => node.named_child(0).and_then(|c| string_literal(c, text)),
        _ => None,
    }
}

/// The expression inside parentheses, `await` and TypeScript's type assertions
/// (`as`, `satisfies`, `!`): what a call or assignment really names.
pub(crate) fn unwrap_expr(mut n: tree_sitter::Node<'_>) -> tree_sitter::Node<'_> {
    while matches!(
        n.kind(),
        "await_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
    ) {
        match n.named_child(0) {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_files_are_skipped() {
        assert!(looks_generated(&"x".repeat(30_000)));
        let mini = format!("{}\n{}", "a=1;".repeat(400), "b=2;".repeat(400));
        assert!(looks_generated(&mini));
        assert!(!looks_generated("def f():\n    return 1\n"));
        assert!(!looks_generated(""));
    }

    #[test]
    fn deep_and_odd_inputs_do_not_crash() {
        let deep_py = format!(
            "from mcp.server.fastmcp import FastMCP\nm = FastMCP()\n@m.tool()\ndef t(p):\n    return os.system({}p{})\n",
            "(\n".repeat(5000),
            ")\n".repeat(5000)
        );
        let m = analyse(Lang::Python, &deep_py).unwrap();
        assert_eq!(m.tools.len(), 1);
        let chain = format!("x = (a{})\n", "\n.b".repeat(20_000));
        assert!(analyse(Lang::Python, &chain).is_some());
        let deep_ts = format!(
            "server.tool('t', {{}}, async ({{ p }}) => exec({}p{}));\nconst y = a{};",
            "(\n".repeat(5000),
            ")\n".repeat(5000),
            "\n.b".repeat(20_000)
        );
        assert!(analyse(Lang::TypeScript, &deep_ts).is_some());
        for src in [
            "",
            "\u{feff}",
            "def",
            "@",
            "server.tool(",
            "é = '\u{202e}'",
            "\0\0",
        ] {
            let _ = analyse(Lang::Python, src);
            let _ = analyse(Lang::Tsx, src);
            let _ = analyse(Lang::JavaScript, src);
        }
    }

    #[test]
    fn shallow_functions_are_not_too_deep() {
        let m = analyse(Lang::Python, "def f(a):\n    return a + 1\n").unwrap();
        assert!(!too_deep(m.tree.root_node()));
    }

    #[test]
    fn comments_come_from_the_tree() {
        let m = analyse(Lang::Python, "x = '# not a comment'  # real\n").unwrap();
        let texts: Vec<_> = m.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["# real"]);
        let m = analyse(Lang::TypeScript, "const a = '// no'; /* yes */ // also\n").unwrap();
        let texts: Vec<_> = m.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["/* yes */", "// also"]);
    }
}
