//! Which parameters a tool declares to the model, and whether its handler reads them.
//!
//! A parameter the model is asked to fill but the handler never reads has no purpose
//! for the tool; it is a channel out of the conversation, which is how tool-poisoning
//! payloads collect what they ask the model to read ("pass its content as `sidenote`").

use std::collections::HashSet;
use std::str::FromStr;

use tree_sitter::Node;

use super::{text_of, unwrap_expr, Lang, Module, Tool};
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
        if let Some(p) = rust_struct_params(text, tool) {
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
        _ => {
            let root = module.tree.root_node();
            let keys = schema_keys(root, text, tool);
            if !keys.is_empty() {
                return keys;
            }
            // Without a schema the first handler parameter may be the SDK's request
            // context (`async (extra) => …`); only a destructured one names arguments.
            match ts_handler(root, tool).and_then(first_param) {
                Some(p) if p.kind() == "object_pattern" => tool.params.clone(),
                _ => Vec::new(),
            }
        }
    }
}

/// Whether the handler body reads the parameter `name` (or could: it forwards all its
/// arguments, reads `locals()`, or takes the argument object whole).
pub fn param_used(module: &Module, text: &str, tool: &Tool, name: &str) -> bool {
    let body = text.get(tool.body.clone()).unwrap_or("");
    match module.lang {
        Lang::Rust => rust_idents(body).contains(name),
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
        _ => {
            let root = module.tree.root_node();
            let Some(h) = ts_handler(root, tool) else {
                return true;
            };
            // `(args) => …`: the object is whole; a use of it other than reading a
            // named property (spread, passed on, iterated) may read any key.
            if let Some(p) = first_param(h) {
                let whole = match p.kind() {
                    "identifier" => Some(text_of(p, text).to_string()),
                    "required_parameter" | "optional_parameter" => p
                        .child_by_field_name("pattern")
                        .filter(|x| x.kind() == "identifier")
                        .map(|x| text_of(x, text).to_string()),
                    _ => None,
                };
                if p.kind() != "identifier" && has_kind(p, "rest_pattern") {
                    return true;
                }
                if let Some(obj) = whole {
                    if passed_whole(h, text, &obj) {
                        return true;
                    }
                }
            }
            let Some(b) = h.child_by_field_name("body") else {
                return true;
            };
            let mut used = false;
            walk(b, &mut |n| match n.kind() {
                "identifier"
                | "property_identifier"
                | "shorthand_property_identifier"
                | "string_fragment" => used |= text_of(n, text) == name,
                _ => {}
            });
            used || text_of(b, text).contains("arguments")
        }
    }
}

fn walk<'t>(n: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    let mut c = n.walk();
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        f(x);
        for ch in x.named_children(&mut c) {
            stack.push(ch);
        }
    }
}

fn has_kind(n: Node<'_>, kind: &str) -> bool {
    let mut found = false;
    walk(n, &mut |x| found |= x.kind() == kind);
    found
}

/// The deepest node whose range is exactly or first covers `span`.
fn smallest_covering<'t>(root: Node<'t>, span: &Span) -> Option<Node<'t>> {
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

/// The TypeScript handler function whose body is the tool's body.
fn ts_handler<'t>(root: Node<'t>, tool: &Tool) -> Option<Node<'t>> {
    let mut n = smallest_covering(root, &tool.body)?;
    while n.byte_range() == tool.body {
        match n.parent() {
            Some(p) if p.byte_range() == tool.body => n = p,
            Some(p) => return Some(p),
            None => return None,
        }
    }
    Some(n)
}

fn first_param(h: Node<'_>) -> Option<Node<'_>> {
    if let Some(p) = h.child_by_field_name("parameter") {
        return Some(p);
    }
    let ps = h.child_by_field_name("parameters")?;
    let mut c = ps.walk();
    let first = ps.named_children(&mut c).find(|c| c.kind() != "comment");
    first
}

/// Whether the argument object `obj` is used as a whole in the handler: anything but
/// `obj.key` or `obj["key"]`.
fn passed_whole(h: Node<'_>, text: &str, obj: &str) -> bool {
    let Some(b) = h.child_by_field_name("body") else {
        return false;
    };
    let mut whole = false;
    walk(b, &mut |n| {
        if n.kind() == "identifier" && text_of(n, text) == obj {
            let member = n.parent().is_some_and(|p| {
                matches!(p.kind(), "member_expression" | "subscript_expression")
                    && p.child_by_field_name("object")
                        .is_some_and(|o| o.byte_range() == n.byte_range())
            });
            whole |= !member;
        }
    });
    whole
}

/// The keys of a TypeScript tool's input schema: a zod raw shape passed to
/// `server.tool`, or `inputSchema` / `parameters` / `schema` of a config object
/// (`z.object({...})`, a raw shape, or JSON Schema `properties`).
fn schema_keys(root: Node<'_>, text: &str, tool: &Tool) -> Vec<(String, Span)> {
    let Some(call) = registration(root, tool) else {
        return Vec::new();
    };
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut c = args.walk();
    let args: Vec<Node<'_>> = args
        .named_children(&mut c)
        .filter(|a| a.kind() != "comment")
        .collect();
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let a = unwrap_expr(*a);
        if a.kind() != "object" {
            continue;
        }
        const CONFIG: [&str; 5] = [
            "inputSchema",
            "parameters",
            "schema",
            "argsSchema",
            "paramsSchema",
        ];
        let config: Vec<Node<'_>> = CONFIG.iter().filter_map(|k| prop(a, text, k)).collect();
        if !config.is_empty() {
            for v in config {
                schema_value(v, text, &mut out);
            }
        } else if i > 0 && i + 1 < args.len() && zod_shape(a, text) {
            shape_keys(a, text, &mut out);
        }
    }
    out
}

fn schema_value(v: Node<'_>, text: &str, out: &mut Vec<(String, Span)>) {
    let v = unwrap_expr(v);
    match v.kind() {
        "object" => {
            if let Some(p) = prop(v, text, "properties") {
                let p = unwrap_expr(p);
                if p.kind() == "object" {
                    shape_keys(p, text, out);
                }
            } else if zod_shape(v, text) {
                shape_keys(v, text, out);
            }
        }
        "call_expression" => {
            // z.object({...}), z.object({...}).strict(), jsonSchema({...})
            let mut n = v;
            while let Some(f) = n.child_by_field_name("function") {
                let f = unwrap_expr(f);
                let name = f
                    .child_by_field_name("property")
                    .map_or_else(|| text_of(f, text), |p| text_of(p, text));
                if matches!(name, "object" | "jsonSchema" | "strictObject") {
                    let mut c = n.walk();
                    let first = n
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_children(&mut c).find(|x| x.kind() != "comment"));
                    if let Some(first) = first {
                        schema_value(first, text, out);
                    }
                    return;
                }
                match f.child_by_field_name("object") {
                    Some(o) if o.kind() == "call_expression" => n = o,
                    _ => return,
                }
            }
        }
        _ => {}
    }
}

/// An object literal whose values are schema builders (`z.string()`, `z.number().int()`).
fn zod_shape(obj: Node<'_>, text: &str) -> bool {
    let mut c = obj.walk();
    let pairs: Vec<Node<'_>> = obj
        .named_children(&mut c)
        .filter(|p| p.kind() == "pair")
        .collect();
    !pairs.is_empty()
        && pairs.iter().all(|p| {
            p.child_by_field_name("value").is_some_and(|v| {
                let t = text_of(v, text).trim_start();
                v.kind() == "call_expression" && (t.starts_with("z.") || t.starts_with("Type."))
            })
        })
}

fn shape_keys(obj: Node<'_>, text: &str, out: &mut Vec<(String, Span)>) {
    let mut c = obj.walk();
    for p in obj.named_children(&mut c) {
        if p.kind() != "pair" {
            continue;
        }
        let Some(k) = p.child_by_field_name("key") else {
            continue;
        };
        let name = super::string_literal(k, text).unwrap_or_else(|| text_of(k, text).to_string());
        out.push((name, k.byte_range()));
    }
}

fn prop<'t>(obj: Node<'t>, text: &str, key: &str) -> Option<Node<'t>> {
    let mut c = obj.walk();
    let found = obj.named_children(&mut c).find_map(|p| {
        if p.kind() != "pair" {
            return None;
        }
        let k = p.child_by_field_name("key")?;
        let name = super::string_literal(k, text).unwrap_or_else(|| text_of(k, text).to_string());
        (name == key)
            .then(|| p.child_by_field_name("value"))
            .flatten()
    });
    found
}

/// The call that registers the tool: the innermost call around its name, else around
/// its handler, else the value of the variable that names it.
fn registration<'t>(root: Node<'t>, tool: &Tool) -> Option<Node<'t>> {
    let enclosing_call = |span: &Span| {
        let mut n = smallest_covering(root, span)?;
        loop {
            if matches!(n.kind(), "call_expression" | "new_expression") && n.byte_range() != *span {
                return Some(n);
            }
            n = n.parent()?;
        }
    };
    if let Some(c) = enclosing_call(&tool.name_span) {
        return Some(c);
    }
    if let Some(c) = enclosing_call(&tool.body) {
        return Some(c);
    }
    let name = smallest_covering(root, &tool.name_span)?;
    let decl = name
        .parent()
        .filter(|p| p.kind() == "variable_declarator")?;
    decl.child_by_field_name("value").map(unwrap_expr)
}

/// rmcp's `Parameters<T>` (or a `#[tool(aggr)] req: T` argument): the model fills
/// the fields of `T`. A field is read when the body names it (`req.field`, or its
/// binding in a destructuring pattern), or when the whole request is passed on.
/// `None` when the tool has no such argument or `T` is not defined in this file.
fn rust_struct_params(text: &str, tool: &Tool) -> Option<Vec<Param>> {
    let file = syn::parse_file(text).ok();
    let out = file.and_then(|f| {
        let func = rust_fn(&f.items, &tool.body)?;
        let body = text.get(tool.body.clone()).unwrap_or("");
        let idents = rust_idents_with_access(body);
        let mut out = Vec::new();
        let mut any = false;
        for arg in &func.inputs {
            let syn::FnArg::Typed(t) = arg else { continue };
            let Some(ty) = request_type(&t.ty) else {
                continue;
            };
            let Some(fields) = struct_fields(&f.items, &ty) else {
                continue;
            };
            any = true;
            let inner = match &*t.pat {
                syn::Pat::TupleStruct(ts) => ts.elems.first(),
                p => Some(p),
            };
            match inner {
                Some(syn::Pat::Ident(i)) => {
                    let whole = idents.whole.contains(&i.ident.to_string());
                    for (name, span) in fields {
                        let used = whole || idents.all.contains(&name);
                        out.push(Param { name, span, used });
                    }
                }
                Some(syn::Pat::Struct(ps)) => {
                    for (name, span) in fields {
                        let bound = ps.fields.iter().find_map(|fp| match &fp.member {
                            syn::Member::Named(m) if *m == name => Some(&fp.pat),
                            _ => None,
                        });
                        let used = match bound.map(|b| &**b) {
                            Some(syn::Pat::Ident(b)) => idents.all.contains(&b.ident.to_string()),
                            Some(syn::Pat::Wild(_)) | None => false,
                            Some(_) => true,
                        };
                        out.push(Param { name, span, used });
                    }
                }
                _ => return None,
            }
        }
        any.then_some(out)
    });
    proc_macro2::extra::invalidate_current_thread_spans();
    out
}

/// The function in `items` (free, or a method of an impl, nested modules included)
/// whose block spans `body`.
fn rust_fn<'f>(items: &'f [syn::Item], body: &Span) -> Option<&'f syn::Signature> {
    use syn::spanned::Spanned;
    for item in items {
        match item {
            syn::Item::Fn(f) if f.block.span().byte_range() == *body => return Some(&f.sig),
            syn::Item::Impl(imp) => {
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        if f.block.span().byte_range() == *body {
                            return Some(&f.sig);
                        }
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some(found) = m.content.as_ref().and_then(|(_, i)| rust_fn(i, body)) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

/// `T` of `Parameters<T>`, or `T` itself for an argument typed with a plain path.
fn request_type(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Parameters" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    a.args.iter().find_map(|g| match g {
        syn::GenericArgument::Type(syn::Type::Path(tp)) => {
            tp.path.segments.last().map(|s| s.ident.to_string())
        }
        _ => None,
    })
}

/// The named fields of `struct name` in `items` (nested modules included).
fn struct_fields(items: &[syn::Item], name: &str) -> Option<Vec<(String, Span)>> {
    for item in items {
        match item {
            syn::Item::Struct(s) if s.ident == name => {
                let syn::Fields::Named(f) = &s.fields else {
                    return None;
                };
                return Some(
                    f.named
                        .iter()
                        .filter_map(|f| f.ident.as_ref())
                        .map(|i| (i.to_string(), i.span().byte_range()))
                        .collect(),
                );
            }
            syn::Item::Mod(m) => {
                if let Some(found) = m.content.as_ref().and_then(|(_, i)| struct_fields(i, name)) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

struct RustIdents {
    all: HashSet<String>,
    /// Identifiers used other than as the receiver of a field access (`x.f`).
    whole: HashSet<String>,
}

fn rust_idents_with_access(body: &str) -> RustIdents {
    let mut r = RustIdents {
        all: HashSet::new(),
        whole: HashSet::new(),
    };
    if let Ok(ts) = proc_macro2::TokenStream::from_str(body) {
        access(ts, &mut r);
    }
    r
}

fn access(ts: proc_macro2::TokenStream, r: &mut RustIdents) {
    let toks: Vec<proc_macro2::TokenTree> = ts.into_iter().collect();
    for (i, t) in toks.iter().enumerate() {
        match t {
            proc_macro2::TokenTree::Ident(id) => {
                let name = id.to_string();
                let field = matches!(toks.get(i + 1), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '.')
                    && matches!(toks.get(i + 2), Some(proc_macro2::TokenTree::Ident(_)));
                if !field {
                    r.whole.insert(name.clone());
                }
                r.all.insert(name);
            }
            proc_macro2::TokenTree::Group(g) => access(g.stream(), r),
            proc_macro2::TokenTree::Literal(_) => {
                let mut set = HashSet::new();
                tokens(std::iter::once(t.clone()).collect(), &mut set);
                r.whole.extend(set.iter().cloned());
                r.all.extend(set);
            }
            proc_macro2::TokenTree::Punct(_) => {}
        }
    }
}

/// Every identifier in Rust source, including names inside format strings
/// (`format!("{sidenote}")`).
fn rust_idents(body: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    if let Ok(ts) = proc_macro2::TokenStream::from_str(body) {
        tokens(ts, &mut out);
    }
    proc_macro2::extra::invalidate_current_thread_spans();
    out
}

fn tokens(ts: proc_macro2::TokenStream, out: &mut HashSet<String>) {
    for t in ts {
        match t {
            proc_macro2::TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            proc_macro2::TokenTree::Group(g) => tokens(g.stream(), out),
            proc_macro2::TokenTree::Literal(l) => {
                let s = l.to_string();
                for part in s.split('{').skip(1) {
                    let name: String = part
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
            }
            proc_macro2::TokenTree::Punct(_) => {}
        }
    }
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
