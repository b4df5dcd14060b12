//! Which parameters a tool declares to the model, and whether its handler reads them.
//!
//! A parameter the model is asked to fill but the handler never reads has no purpose
//! for the tool; it is a channel out of the conversation, which is how tool-poisoning
//! payloads collect what they ask the model to read ("pass its content as `sidenote`").

mod rust;
mod typescript;

use tree_sitter::Node;

use super::{text_of, Lang, Module, Tool};
use crate::manifest::Span;

/// A parameter the model is asked to fill, and whether the handler reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub span: Span,
    pub used: bool,
}

/// Every parameter the tool declares, judged: see `declared` and `param_used`; Rust
/// tools taking `Parameters<T>` declare the fields of `T` when the file defines it.
pub fn params(module: &Module, text: &str, tool: &Tool) -> Vec<Param> {
    if module.lang == Lang::Rust {
        if let Some(p) = rust::struct_params(text, tool) {
            return p;
        }
    }
    declared(module, text, tool)
        .into_iter()
        .map(|(name, span)| {
            let used = param_used(module, text, tool, &name);
            Param { name, span, used }
        })
        .collect()
}

/// The parameters the model sees, with where each is declared: the Python function's
/// parameters, the keys of a TypeScript tool's input schema (or its destructured
/// handler parameters when no schema is found), the Rust bindings of the arguments.
pub fn declared(module: &Module, text: &str, tool: &Tool) -> Vec<(String, Span)> {
    match module.lang {
        Lang::Python | Lang::Rust => tool.params.clone(),
        _ => typescript::declared(module, text, tool),
    }
}

/// Whether the handler body reads the parameter `name` (or could: it forwards all its
/// arguments, reads `locals()`, or takes the argument object whole).
pub fn param_used(module: &Module, text: &str, tool: &Tool, name: &str) -> bool {
    let body = text.get(tool.body.clone()).unwrap_or("");
    match module.lang {
        Lang::Rust => rust::idents(body).contains(name),
        Lang::Python => {
            let Some(b) = smallest_covering(module.tree.root_node(), &tool.body) else {
                return true;
            };
            let mut used = false;
            walk(b, &mut |n| {
                if n.kind() == "identifier" {
                    let t = text_of(n, text);
                    used |= t == name || t == "locals" || t == "vars";
                }
            });
            used
        }
        _ => typescript::used(module, text, tool, name),
    }
}

pub(super) fn walk<'t>(n: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    let mut c = n.walk();
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        f(x);
        for ch in x.named_children(&mut c) {
            stack.push(ch);
        }
    }
}

pub(super) fn has_kind(n: Node<'_>, kind: &str) -> bool {
    let mut found = false;
    walk(n, &mut |x| found |= x.kind() == kind);
    found
}

/// The deepest node whose range is exactly or first covers `span`.
pub(super) fn smallest_covering<'t>(root: Node<'t>, span: &Span) -> Option<Node<'t>> {
    root.descendant_for_byte_range(span.start, span.end.saturating_sub(1).max(span.start))
        .map(|mut n| {
            while n.byte_range().start > span.start || n.byte_range().end < span.end {
                match n.parent() {
                    Some(p) => n = p,
                    None => break,
                }
            }
            n
        })
}

#[cfg(test)]
mod tests {
    use super::super::analyse;
    use super::*;

    fn unused(lang: Lang, src: &str) -> Vec<String> {
        let m = analyse(lang, src).expect("parsed");
        let mut out = Vec::new();
        for t in &m.tools {
            for (name, span) in declared(&m, src, t) {
                assert_eq!(src.get(span.clone()).map(|s| s.contains(&name)), Some(true));
                if !param_used(&m, src, t, &name) {
                    out.push(name);
                }
            }
        }
        out
    }

    #[test]
    fn python() {
        let src = "from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('x')\n@mcp.tool()\ndef add(a: int, b: int, sidenote: str = '') -> int:\n    \"\"\"Adds sidenote.\"\"\"\n    return a + b\n@mcp.tool()\ndef f(a: int, notes: str) -> str:\n    return f'{a} {notes}'\n@mcp.tool()\ndef g(a: int, extra: str) -> dict:\n    return dict(locals())\n";
        assert_eq!(unused(Lang::Python, src), ["sidenote"]);
    }

    #[test]
    fn typescript() {
        let src = r#"
server.tool("add", "Adds.", { a: z.number(), b: z.number(), sidenote: z.string() }, async ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }));
server.tool("b", "B.", { q: z.string(), notes: z.string() }, async (args) => ({ content: [{ type: "text", text: args.q + args.notes }] }));
server.tool("c", "C.", { q: z.string(), debug: z.boolean() }, async (args) => run(args));
server.registerTool("d", { description: "D.", inputSchema: { q: z.string(), context: z.string() } }, async ({ q }) => ({ content: [q] }));
server.tool("e", "E.", async (extra) => ({ content: [] }));
server.registerTool("f", { inputSchema: z.object({}) }, async () => ({ content: [] }));
const t = tool({ description: "T.", parameters: z.object({ city: z.string(), metadata: z.string() }), execute: async ({ city, ...rest }) => city });
"#;
        assert_eq!(unused(Lang::TypeScript, src), ["sidenote", "context"]);
    }

    #[test]
    fn rust() {
        let src = r#"
#[tool_router]
impl S {
    #[tool(description = "Adds.")]
    async fn add(&self, Parameters(Req { a, b, sidenote }): Parameters<Req>) -> String { format!("{}", a + b) }
    #[tool(description = "Echo.")]
    async fn echo(&self, Parameters(Req { a, notes }): Parameters<Req>) -> String { format!("{a}{notes}") }
}
"#;
        assert_eq!(unused(Lang::Rust, src), ["sidenote"]);
    }

    #[test]
    fn rust_request_structs() {
        let src = r#"
#[derive(Deserialize, JsonSchema)]
pub struct Req { pub a: i64, pub b: i64, pub sidenote: String }
#[derive(Deserialize, JsonSchema)]
pub struct Echo { pub text: String, pub notes: String }
#[tool_router]
impl S {
    #[tool(description = "Adds.")]
    async fn add(&self, Parameters(req): Parameters<Req>) -> String { (req.a + req.b).to_string() }
    #[tool(description = "Adds.")]
    async fn add2(&self, Parameters(Req { a, b, .. }): Parameters<Req>) -> String { (a + b).to_string() }
    #[tool(description = "Echo.")]
    async fn echo(&self, Parameters(req): Parameters<Echo>) -> String { self.log(req) }
}
"#;
        let m = analyse(Lang::Rust, src).expect("parsed");
        let unused: Vec<String> = m
            .tools
            .iter()
            .flat_map(|t| params(&m, src, t))
            .filter(|p| !p.used)
            .map(|p| {
                assert_eq!(&src[p.span.clone()], p.name);
                p.name
            })
            .collect();
        assert_eq!(unused, ["sidenote", "sidenote"]);
    }

    #[test]
    fn odd_inputs() {
        for src in ["", "server.tool(", "@mcp.tool()\ndef f(", "é"] {
            for lang in [Lang::Python, Lang::TypeScript, Lang::Rust] {
                if let Some(m) = analyse(lang, src) {
                    for t in &m.tools {
                        for (n, _) in declared(&m, src, t) {
                            let _ = param_used(&m, src, t, &n);
                        }
                    }
                }
            }
        }
    }
}
