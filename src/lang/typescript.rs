//! TypeScript and JavaScript: imports and `require`, tool discovery (MCP SDK
//! `tool`/`registerTool`/`setRequestHandler(CallToolRequestSchema)`, Vercel AI and
//! OpenAI Agents `tool({execute})`, Mastra `createTool`, fastmcp `addTool`, LangChain.js
//! `tool(fn)`/`DynamicStructuredTool`) and the taint pass over each handler.

use std::collections::HashMap;

use tree_sitter::Node;

use super::argv;
use super::taint::{self, bits, Env, Flow, Sink, Taint, ALL, MAX_HELPER_DEPTH, MAX_HELPER_VISITS};
use super::{string_literal, text_of, unwrap_expr, Nodes, Tool};

mod content;
mod sources;

/// Local name → module or module member: `cp` → `child_process`, `run` →
/// `child_process.exec` (also through `promisify`).
pub(super) type Imports = HashMap<String, String>;

pub fn analyse(nodes: &Nodes<'_>, text: &str, imports: &Imports) -> (Vec<Tool>, Vec<Flow>) {
    let funcs = functions(nodes, text);
    let found = discover(nodes, text, &funcs);
    let src = sources::Ctx::new(nodes, text, imports);
    let mut flows = Vec::new();
    for (tool, handler) in &found {
        if super::too_deep(*handler) {
            continue;
        }
        let mut fx = Fx::new(text, imports, &funcs, &src, &tool.name);
        let mut env = Env::default();
        for (name, span) in &tool.params {
            let t = Taint::source(
                span.clone(),
                format!("parameter `{name}` of tool `{}`", tool.name),
            );
            env.set(name, Some(t), Vec::new(), true);
        }
        fx.function(*handler, &mut env);
        flows.extend(fx.flows);
    }
    // Model output and request data are sources in any function, and at module level.
    let tool_fns = found.iter().map(|(_, f)| f.id()).collect();
    for e in src.entries(nodes, text, &tool_fns) {
        if super::too_deep(e.node) {
            continue;
        }
        let mut fx = Fx::new(text, imports, &funcs, &src, &e.name);
        let mut env = Env::default();
        env.requests.extend(e.requests);
        if e.node.kind() == "program" {
            fx.block(e.node, &mut env, 0, &mut None);
        } else {
            fx.function(e.node, &mut env);
        }
        flows.extend(fx.flows);
    }
    let tools = found.into_iter().map(|(t, _)| t).collect();
    (tools, taint::dedup(flows))
}

fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut c = node.walk();
    node.named_children(&mut c).collect()
}

/// Module names as the sink tables know them.
fn normalise_module(m: &str) -> String {
    let m = m.strip_prefix("node:").unwrap_or(m);
    match m {
        "fs/promises" | "fs-extra" | "graceful-fs" => "fs".into(),
        "lodash" | "underscore" => "_".into(),
        "handlebars" => "Handlebars".into(),
        _ => m.to_string(),
    }
}

pub(super) fn imports(nodes: &Nodes<'_>, text: &str) -> Imports {
    let mut map = Imports::new();
    for &n in nodes {
        match nodes.kind(n) {
            "import_statement" => {
                let Some(src) = n
                    .child_by_field_name("source")
                    .and_then(|s| string_literal(s, text))
                else {
                    continue;
                };
                let module = normalise_module(&src);
                for c in children(n) {
                    if c.kind() != "import_clause" {
                        continue;
                    }
                    for part in children(c) {
                        match part.kind() {
                            "identifier" => {
                                map.insert(text_of(part, text).into(), module.clone());
                            }
                            "namespace_import" => {
                                if let Some(id) = part.named_child(0) {
                                    map.insert(text_of(id, text).into(), module.clone());
                                }
                            }
                            "named_imports" => {
                                for spec in children(part) {
                                    let name = spec.child_by_field_name("name");
                                    let alias = spec.child_by_field_name("alias").or(name);
                                    if let (Some(nm), Some(al)) = (name, alias) {
                                        let nm = text_of(nm, text);
                                        let full = if nm == "default" || nm == "promises" {
                                            module.clone()
                                        } else {
                                            format!("{module}.{nm}")
                                        };
                                        map.insert(text_of(al, text).into(), full);
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (
                    n.child_by_field_name("name"),
                    n.child_by_field_name("value"),
                ) {
                    require_binding(name, value, text, &mut map);
                }
            }
            _ => {}
        }
    }
    map
}

/// `const cp = require("child_process")`, `const { exec } = require(...)`,
/// `const run = promisify(exec)`.
fn require_binding(name: Node<'_>, value: Node<'_>, text: &str, map: &mut Imports) {
    let value = unwrap_expr(value);
    if value.kind() != "call_expression" {
        return;
    }
    let Some(f) = value.child_by_field_name("function") else {
        return;
    };
    let arg0 = value
        .child_by_field_name("arguments")
        .and_then(|a| a.named_child(0));
    let fname = text_of(f, text);
    let origin = if fname == "require" {
        arg0.and_then(|a| string_literal(a, text))
            .map(|m| normalise_module(&m))
    } else if fname == "promisify" || fname == "util.promisify" {
        arg0.map(|a| {
            let t = text_of(a, text);
            let first = t.split('.').next().unwrap_or(t);
            match map.get(first) {
                Some(m) => format!("{m}{}", &t[first.len()..]),
                None => t.to_string(),
            }
        })
    } else {
        None
    };
    let Some(origin) = origin else { return };
    match name.kind() {
        "identifier" => {
            map.insert(text_of(name, text).into(), origin);
        }
        "object_pattern" => {
            for p in children(name) {
                match p.kind() {
                    "shorthand_property_identifier_pattern" => {
                        let n = text_of(p, text);
                        map.insert(n.into(), format!("{origin}.{n}"));
                    }
                    "pair_pattern" => {
                        let k = p.child_by_field_name("key").map(|k| text_of(k, text));
                        let v = p.child_by_field_name("value").map(|v| text_of(v, text));
                        if let (Some(k), Some(v)) = (k, v) {
                            let full = if k == "promises" {
                                origin.clone()
                            } else {
                                format!("{origin}.{k}")
                            };
                            map.insert(v.into(), full);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// The dotted name a callee refers to, through imports: `fs.promises.readFile` →
/// `fs.readFile`, `cp.exec` → `child_process.exec`.
pub(super) fn dotted(n: Node<'_>, text: &str, imports: &Imports) -> Option<String> {
    // Iterative: a generated `a.b.c...` chain must not exhaust the stack.
    let mut props = Vec::new();
    let mut n = unwrap_expr(n);
    while n.kind() == "member_expression" {
        let p = text_of(n.child_by_field_name("property")?, text);
        if p != "promises" && p != "default" {
            props.push(p);
        }
        n = unwrap_expr(n.child_by_field_name("object")?);
    }
    if n.kind() != "identifier" {
        return None;
    }
    let head = text_of(n, text);
    let mut out = imports
        .get(head)
        .cloned()
        .unwrap_or_else(|| head.to_string());
    for p in props.iter().rev() {
        out.push('.');
        out.push_str(p);
    }
    Some(out)
}

fn is_function(n: Node<'_>) -> bool {
    matches!(
        n.kind(),
        "arrow_function"
            | "function_expression"
            | "function"
            | "function_declaration"
            | "method_definition"
    )
}

/// Functions of the file by name (declarations, `const f = () => ...`, methods).
fn functions<'t>(nodes: &Nodes<'t>, text: &str) -> HashMap<String, Node<'t>> {
    let mut map = HashMap::new();
    for &n in nodes {
        match nodes.kind(n) {
            "function_declaration" | "method_definition" | "generator_function_declaration" => {
                if let Some(name) = n.child_by_field_name("name") {
                    map.entry(text_of(name, text).to_string()).or_insert(n);
                }
            }
            "variable_declarator" => {
                let name = n.child_by_field_name("name");
                let value = n.child_by_field_name("value");
                if let (Some(name), Some(value)) = (name, value) {
                    if name.kind() == "identifier" && is_function(value) {
                        map.entry(text_of(name, text).to_string()).or_insert(value);
                    }
                }
            }
            _ => {}
        }
    }
    map
}

/// The names a parameter binds: an identifier, or each name of a destructuring pattern.
fn pattern_names(p: Node<'_>, text: &str, out: &mut Vec<(String, std::ops::Range<usize>)>) {
    match p.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            out.push((text_of(p, text).to_string(), p.byte_range()))
        }
        "required_parameter" | "optional_parameter" => {
            if let Some(pt) = p.child_by_field_name("pattern") {
                pattern_names(pt, text, out);
            }
        }
        "pair_pattern" => {
            if let Some(v) = p.child_by_field_name("value") {
                pattern_names(v, text, out);
            }
        }
        "object_assignment_pattern" | "assignment_pattern" => {
            if let Some(l) = p.child_by_field_name("left") {
                pattern_names(l, text, out);
            }
        }
        "object_pattern" | "array_pattern" | "rest_pattern" => {
            for c in children(p) {
                pattern_names(c, text, out);
            }
        }
        _ => {}
    }
}

/// The model-chosen parameters of a handler: its first parameter.
fn handler_params(f: Node<'_>, text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    if let Some(p) = f.child_by_field_name("parameter") {
        pattern_names(p, text, &mut out);
    } else if let Some(ps) = f.child_by_field_name("parameters") {
        if let Some(first) = children(ps).into_iter().find(|c| c.kind() != "comment") {
            pattern_names(first, text, &mut out);
        }
    }
    out
}

/// A handler given inline or by the name of a function of the file.
fn resolve_handler<'t>(
    n: Node<'t>,
    text: &str,
    funcs: &HashMap<String, Node<'t>>,
) -> Option<Node<'t>> {
    let mut n = unwrap_expr(n);
    // `handler.bind(this)` and similar wrappers, unwrapped in a loop.
    while n.kind() == "call_expression" {
        let f = n.child_by_field_name("function")?;
        if f.kind() != "member_expression" {
            return None;
        }
        n = unwrap_expr(f.child_by_field_name("object")?);
    }
    if is_function(n) {
        return Some(n);
    }
    if n.kind() == "identifier" {
        return funcs.get(text_of(n, text)).copied();
    }
    None
}

fn prop<'t>(obj: Node<'t>, key: &str, text: &str) -> Option<Node<'t>> {
    for c in children(obj) {
        match c.kind() {
            "pair" => {
                let k = c.child_by_field_name("key")?;
                let kt = string_literal(k, text).unwrap_or_else(|| text_of(k, text).to_string());
                if kt == key {
                    return c.child_by_field_name("value");
                }
            }
            "method_definition"
                if c.child_by_field_name("name").map(|n| text_of(n, text)) == Some(key) =>
            {
                return Some(c);
            }
            "shorthand_property_identifier" if text_of(c, text) == key => return Some(c),
            _ => {}
        }
    }
    None
}

fn lit(n: Option<Node<'_>>, text: &str) -> Option<(String, std::ops::Range<usize>)> {
    let n = n?;
    string_literal(n, text).map(|s| (s, n.byte_range()))
}

type Found<'t> = (Tool, Node<'t>);

fn discover<'t>(
    nodes: &Nodes<'t>,
    text: &str,
    funcs: &HashMap<String, Node<'t>>,
) -> Vec<Found<'t>> {
    let mut out = Vec::new();
    for &n in nodes {
        if matches!(nodes.kind(n), "call_expression" | "new_expression") {
            if let Some(f) = tool_call(n, text, funcs) {
                out.push(f);
            }
        }
    }
    out.sort_by_key(|(t, _)| t.body.start);
    out
}

fn tool_call<'t>(
    call: Node<'t>,
    text: &str,
    funcs: &HashMap<String, Node<'t>>,
) -> Option<Found<'t>> {
    let callee = call
        .child_by_field_name("function")
        .or_else(|| call.child_by_field_name("constructor"))?;
    let args: Vec<Node<'t>> = children(call.child_by_field_name("arguments")?)
        .into_iter()
        .filter(|a| a.kind() != "comment")
        .collect();
    let method = match callee.kind() {
        "member_expression" => callee
            .child_by_field_name("property")
            .map(|p| text_of(p, text)),
        "identifier" => Some(text_of(callee, text)),
        _ => None,
    }?;
    let is_member = callee.kind() == "member_expression";
    let (framework, name, desc, handler) = match method {
        // server.tool(name, [description], [schema], [annotations], handler)
        "tool" if is_member => {
            let name = lit(args.first().copied(), text)?;
            let handler = resolve_handler(*args.last()?, text, funcs)?;
            let desc = if args.len() > 2 {
                lit(args.get(1).copied(), text)
            } else {
                None
            };
            ("MCP SDK server.tool", Some(name), desc, handler)
        }
        "registerTool" if is_member => {
            let name = lit(args.first().copied(), text)?;
            let cfg = args.get(1).filter(|c| c.kind() == "object");
            let desc = cfg.and_then(|c| lit(prop(*c, "description", text), text));
            let handler = resolve_handler(*args.last()?, text, funcs)?;
            ("MCP SDK registerTool", Some(name), desc, handler)
        }
        "setRequestHandler" if is_member => {
            let schema = text_of(*args.first()?, text);
            if !schema.ends_with("CallToolRequestSchema") {
                return None;
            }
            let handler = resolve_handler(*args.get(1)?, text, funcs)?;
            ("MCP SDK CallToolRequestSchema handler", None, None, handler)
        }
        "tool" | "createTool" | "addTool" | "DynamicStructuredTool" | "DynamicTool" => {
            let first = *args.first()?;
            if method == "tool" && !is_member && is_function(unwrap_expr(first)) {
                // LangChain.js tool(fn, { name, description, schema })
                let cfg = args.get(1).filter(|c| c.kind() == "object");
                let name = cfg.and_then(|c| lit(prop(*c, "name", text), text));
                let desc = cfg.and_then(|c| lit(prop(*c, "description", text), text));
                ("LangChain.js tool", name, desc, unwrap_expr(first))
            } else {
                if first.kind() != "object" {
                    return None;
                }
                let h = prop(first, "execute", text).or_else(|| prop(first, "func", text))?;
                let handler = resolve_handler(h, text, funcs)?;
                let name = lit(prop(first, "name", text), text)
                    .or_else(|| lit(prop(first, "id", text), text));
                let desc = lit(prop(first, "description", text), text);
                let fw = match method {
                    "createTool" => "Mastra createTool",
                    "addTool" => "fastmcp addTool",
                    "tool" => "AI SDK tool({execute})",
                    _ => "LangChain.js DynamicStructuredTool",
                };
                (fw, name, desc, handler)
            }
        }
        _ => return None,
    };
    let (name, name_span) = name
        .or_else(|| declared_name(call, text))
        .unwrap_or_else(|| (method.to_string(), callee.byte_range()));
    let body = handler.child_by_field_name("body")?.byte_range();
    Some((
        Tool {
            name,
            name_span,
            description: desc,
            params: handler_params(handler, text),
            body,
            framework,
        },
        handler,
    ))
}

/// `const weather = tool({...})`: the variable names the tool when no `name` is given;
/// `tools: { weather: tool({...}) }` likewise.
fn declared_name(call: Node<'_>, text: &str) -> Option<(String, std::ops::Range<usize>)> {
    let p = call.parent()?;
    let n = match p.kind() {
        "variable_declarator" => p.child_by_field_name("name")?,
        "pair" => p.child_by_field_name("key")?,
        _ => return None,
    };
    Some((text_of(n, text).to_string(), n.byte_range()))
}

struct Fx<'a, 't> {
    text: &'a str,
    imports: &'a Imports,
    funcs: &'a HashMap<String, Node<'t>>,
    /// Model-output and request sources of this file.
    src: &'a sources::Ctx,
    tool: &'a str,
    flows: Vec<Flow>,
    depth: usize,
    /// Helpers being read, innermost last: a recursive call is not followed again.
    stack: Vec<usize>,
    /// Helper bodies read so far for this tool.
    visits: usize,
    /// The elements of each array literal evaluated, by node id.
    elems: HashMap<usize, Vec<argv::Elem>>,
    /// Argument lists built in variables of the function being read.
    lists: HashMap<String, argv::List>,
}

const HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];

impl<'a, 't> Fx<'a, 't> {
    fn new(
        text: &'a str,
        imports: &'a Imports,
        funcs: &'a HashMap<String, Node<'t>>,
        src: &'a sources::Ctx,
        tool: &'a str,
    ) -> Self {
        Fx {
            text,
            imports,
            funcs,
            src,
            tool,
            flows: Vec::new(),
            depth: 0,
            stack: Vec::new(),
            visits: 0,
            elems: HashMap::new(),
            lists: HashMap::new(),
        }
    }

    fn t(&self, n: Node<'_>) -> &'a str {
        text_of(n, self.text)
    }

    fn dotted(&self, n: Node<'_>) -> Option<String> {
        dotted(n, self.text, self.imports)
    }

    fn function(&mut self, f: Node<'t>, env: &mut Env) -> Option<Taint> {
        let body = f.child_by_field_name("body")?;
        let mut ret = None;
        if body.kind() == "statement_block" {
            self.block(body, env, 0, &mut ret);
        } else {
            ret = self.expr(body, env);
        }
        ret
    }

    fn block(&mut self, node: Node<'t>, env: &mut Env, nest: usize, ret: &mut Option<Taint>) {
        for st in children(node) {
            self.stmt(st, env, nest, ret);
        }
    }

    fn stmt(&mut self, st: Node<'t>, env: &mut Env, nest: usize, ret: &mut Option<Taint>) {
        match st.kind() {
            "lexical_declaration" | "variable_declaration" => {
                for d in children(st) {
                    if d.kind() != "variable_declarator" {
                        continue;
                    }
                    let (Some(name), Some(value)) = (
                        d.child_by_field_name("name"),
                        d.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let t = self.expr(value, env);
                    let parents = self.tainted_idents(value, env);
                    self.track_list(name, value);
                    self.bind(name, t, env, nest == 0, parents);
                }
            }
            "expression_statement" => {
                for e in children(st) {
                    self.expr_stmt(e, env, nest);
                }
            }
            "return_statement" => {
                for e in children(st) {
                    let t = self.expr(e, env);
                    *ret = Taint::merge(ret.take(), t);
                }
            }
            "if_statement" => {
                if let Some(c) = st.child_by_field_name("condition") {
                    self.expr(c, env);
                    self.guard(c, env);
                }
                if let Some(c) = st.child_by_field_name("consequence") {
                    self.stmt(c, env, nest + 1, ret);
                }
                if let Some(a) = st.child_by_field_name("alternative") {
                    for c in children(a) {
                        self.stmt(c, env, nest + 1, ret);
                    }
                }
            }
            "for_in_statement" => {
                let t = st
                    .child_by_field_name("right")
                    .and_then(|r| self.expr(r, env));
                if let Some(l) = st.child_by_field_name("left") {
                    self.bind(l, t, env, false, Vec::new());
                }
                if let Some(b) = st.child_by_field_name("body") {
                    self.stmt(b, env, nest + 1, ret);
                }
            }
            "statement_block" => self.block(st, env, nest, ret),
            "try_statement" => {
                if let Some(b) = st.child_by_field_name("body") {
                    self.block(b, env, nest, ret);
                }
                for f in ["handler", "finalizer"] {
                    if let Some(h) = st.child_by_field_name(f) {
                        if let Some(b) = h.child_by_field_name("body") {
                            self.block(b, env, nest + 1, ret);
                        }
                    }
                }
            }
            "function_declaration" | "class_declaration" | "import_statement" | "comment" => {}
            k if k.ends_with("statement")
                || k == "switch_body"
                || k == "switch_case"
                || k == "switch_default"
                || k == "else_clause" =>
            {
                for c in children(st) {
                    let ck = c.kind();
                    if ck.ends_with("statement")
                        || ck.ends_with("declaration")
                        || ck == "statement_block"
                        || ck.starts_with("switch_")
                    {
                        self.stmt(c, env, nest + 1, ret);
                    } else {
                        self.expr(c, env);
                        if k == "while_statement" || k == "do_statement" {
                            self.guard(c, env);
                        }
                    }
                }
            }
            _ => {
                self.expr(st, env);
            }
        }
    }

    fn expr_stmt(&mut self, e: Node<'t>, env: &mut Env, nest: usize) {
        match e.kind() {
            "assignment_expression" | "augmented_assignment_expression" => {
                let (Some(l), Some(r)) = (
                    e.child_by_field_name("left"),
                    e.child_by_field_name("right"),
                ) else {
                    return;
                };
                let mut t = self.expr(r, env);
                self.html_assign(l, r, t.as_ref());
                let parents = self.tainted_idents(r, env);
                if e.kind() == "assignment_expression" {
                    self.track_list(l, r);
                }
                if e.kind() == "augmented_assignment_expression" {
                    t = Taint::merge(self.expr(l, env), t).map(|mut t| {
                        t.built = true;
                        t
                    });
                    self.bind(l, t, env, false, parents);
                } else {
                    self.bind(l, t, env, nest == 0, parents);
                }
            }
            "sequence_expression" => {
                for c in children(e) {
                    self.expr_stmt(c, env, nest);
                }
            }
            _ => {
                let inner = unwrap_expr(e);
                if inner.kind() == "call_expression" {
                    self.validator_call(inner, env);
                }
                self.expr(e, env);
            }
        }
    }

    /// `const args = [...]` starts an argument list in a variable; any other value ends it.
    fn track_list(&mut self, name: Node<'_>, value: Node<'_>) {
        if name.kind() != "identifier" {
            return;
        }
        let value = unwrap_expr(value);
        let n = self.t(name).to_string();
        match (value.kind() == "array")
            .then(|| self.elems.get(&value.id()).cloned())
            .flatten()
        {
            Some(e) => {
                self.lists.insert(n, argv::List { elems: e });
            }
            None => {
                self.lists.remove(&n);
            }
        }
    }

    /// `args.push(x, ...)`, `args.unshift` is not growth at the end and ends tracking.
    fn grow_list(&mut self, recv: Option<Node<'_>>, last: &str, pos: &[(Node<'t>, Option<Taint>)]) {
        let Some(name) = recv.filter(|r| r.kind() == "identifier").map(|r| self.t(r)) else {
            return;
        };
        if !self.lists.contains_key(name) {
            return;
        }
        match last {
            "push" => {
                let new: Vec<argv::Elem> = pos
                    .iter()
                    .flat_map(|(n, t)| self.spread_elem(*n, t))
                    .collect();
                if let Some(l) = self.lists.get_mut(name) {
                    l.elems.extend(new);
                }
            }
            "unshift" | "splice" => {
                self.lists.remove(name);
            }
            _ => {}
        }
    }

    /// One argument as list elements: `...other` expands a tracked list;
    /// `long ? "-l" : "-1"`, a choice between constants, carries no value of the tool's.
    fn spread_elem(&self, n: Node<'_>, t: &Option<Taint>) -> Vec<argv::Elem> {
        if n.kind() == "ternary_expression"
            && ["consequence", "alternative"].iter().all(|f| {
                n.child_by_field_name(f)
                    .is_some_and(|b| string_literal(b, self.text).is_some())
            })
        {
            return vec![argv::Elem {
                span: n.byte_range(),
                taint: None,
                lit: None,
            }];
        }
        if n.kind() == "spread_element" {
            if let Some(l) = n
                .named_child(0)
                .filter(|c| c.kind() == "identifier")
                .and_then(|c| self.lists.get(self.t(c)))
            {
                return l.elems.clone();
            }
        }
        vec![argv::Elem {
            span: n.byte_range(),
            taint: t.clone(),
            lit: string_literal(n, self.text),
        }]
    }

    fn bind(
        &mut self,
        target: Node<'t>,
        t: Option<Taint>,
        env: &mut Env,
        kill: bool,
        parents: Vec<String>,
    ) {
        match target.kind() {
            "identifier" | "member_expression" | "shorthand_property_identifier_pattern" => {
                let name = self.t(target);
                let t = t.map(|t| t.step(target.byte_range(), format!("assigned to `{name}`")));
                env.set(name, t, parents, kill);
            }
            "subscript_expression" => {
                if let (Some(o), true) = (target.child_by_field_name("object"), t.is_some()) {
                    self.bind(o, t, env, false, parents);
                }
            }
            "object_pattern"
            | "array_pattern"
            | "pair_pattern"
            | "object_assignment_pattern"
            | "assignment_pattern"
            | "rest_pattern" => {
                let mut names = Vec::new();
                pattern_names(target, self.text, &mut names);
                for (n, span) in names {
                    let t = t
                        .clone()
                        .map(|t| t.step(span, format!("assigned to `{n}`")));
                    env.set(&n, t, parents.clone(), kill);
                }
            }
            _ => {}
        }
    }

    fn tainted_idents(&self, node: Node<'_>, env: &Env) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "identifier" | "member_expression" | "shorthand_property_identifier"
                    if env.is_tainted(self.t(n)) =>
                {
                    out.push(self.t(n).to_string())
                }
                _ => stack.extend(children(n)),
            }
        }
        out
    }

    fn peek(&self, node: Node<'_>, env: &Env) -> Option<Taint> {
        match node.kind() {
            "identifier" | "member_expression" => env.get(self.t(node)).cloned().or_else(|| {
                node.child_by_field_name("object")
                    .and_then(|o| self.peek(o, env))
            }),
            _ => children(node)
                .into_iter()
                .fold(None, |acc, c| Taint::merge(acc, self.peek(c, env))),
        }
    }

    fn guard(&mut self, cond: Node<'_>, env: &mut Env) {
        match cond.kind() {
            "parenthesized_expression" | "unary_expression" => {
                for c in children(cond) {
                    self.guard(c, env);
                }
            }
            "binary_expression" => {
                let op = cond
                    .child_by_field_name("operator")
                    .map(|o| self.t(o))
                    .unwrap_or("");
                let (Some(l), Some(r)) = (
                    cond.child_by_field_name("left"),
                    cond.child_by_field_name("right"),
                ) else {
                    return;
                };
                match op {
                    "&&" | "||" => {
                        self.guard(l, env);
                        self.guard(r, env);
                    }
                    "===" | "==" | "!==" | "!=" => {
                        let (lt, rt) = (self.tainted_idents(l, env), self.tainted_idents(r, env));
                        let constant = |n: Node<'_>| {
                            matches!(
                                n.kind(),
                                "string" | "number" | "true" | "false" | "null" | "undefined"
                            )
                        };
                        if rt.is_empty() && constant(r) {
                            self.validated(l, env, ALL);
                        } else if lt.is_empty() && constant(l) {
                            self.validated(r, env, ALL);
                        }
                    }
                    _ => {}
                }
            }
            "call_expression" => self.guard_call(cond, env),
            _ => {}
        }
    }

    fn guard_call(&mut self, call: Node<'_>, env: &mut Env) {
        let Some(f) = call.child_by_field_name("function") else {
            return;
        };
        let args: Vec<Node<'_>> = call
            .child_by_field_name("arguments")
            .map(children)
            .unwrap_or_default();
        if f.kind() == "member_expression" {
            let obj = f.child_by_field_name("object");
            let prop = f
                .child_by_field_name("property")
                .map(|p| self.t(p))
                .unwrap_or("");
            match prop {
                // ALLOWED.includes(host), allowedHosts.has(url.hostname)
                "includes" | "has"
                    if obj.is_some_and(|o| self.tainted_idents(o, env).is_empty()) =>
                {
                    for a in args {
                        self.validated(a, env, ALL);
                    }
                }
                // `if (x.startsWith("-")) throw ...`: cannot be an option.
                "startsWith"
                    if args
                        .first()
                        .and_then(|a| string_literal(*a, self.text))
                        .is_some_and(|a| a.starts_with('-')) =>
                {
                    if let Some(o) = obj {
                        for n in self.tainted_idents(o, env) {
                            env.clear(&n, bits(&[Sink::Argv]));
                        }
                    }
                }
                "startsWith" => {
                    if let Some(o) = obj {
                        let t = self.peek(o, env);
                        // `rel.startsWith("..")` on a path.relative result is containment.
                        let dotdot = args.first().is_some_and(|a| self.t(*a).contains(".."));
                        for n in self.tainted_idents(o, env) {
                            if t.as_ref().is_some_and(|t| t.resolved) || dotdot {
                                env.clear(&n, bits(&[Sink::File]));
                            } else {
                                env.mark_prefix(&n);
                            }
                        }
                    }
                }
                "test" | "match" => {
                    // /^[a-z0-9-]+$/.test(x)
                    let (re, subject) = if prop == "test" {
                        (obj, args.first().copied())
                    } else {
                        (args.first().copied(), obj)
                    };
                    let p = re.map(|r| self.t(r)).unwrap_or(".");
                    if !p.starts_with('/') {
                        return;
                    }
                    let mut classes = if p.contains('.') || p[1..].contains('/') {
                        bits(&[Sink::Shell, Sink::Sql, Sink::Code])
                    } else {
                        ALL & !bits(&[Sink::Argv])
                    };
                    if argv::regex_rejects_dash(p, false) {
                        classes |= bits(&[Sink::Argv]);
                    }
                    if let Some(s) = subject {
                        self.validated(s, env, classes);
                    }
                }
                _ => {}
            }
            return;
        }
        let name = self.t(f);
        if f.kind() == "identifier" && taint::is_validator_name(name) {
            for a in args {
                self.validated(a, env, ALL);
            }
        }
    }

    /// A guard validated `node` for `classes`. A whole variable or field is marked; a
    /// URL's host (`new URL(u).hostname`, `parsed.host`) validates the URL it came
    /// from, for fetching only; a derived value (`cmd.split(" ")[0]`) validates nothing.
    fn validated(&self, node: Node<'_>, env: &mut Env, classes: u8) {
        match node.kind() {
            "identifier" | "member_expression" => {
                let field = node
                    .child_by_field_name("property")
                    .map(|a| self.t(a))
                    .unwrap_or("");
                if taint::HOST_FIELDS.contains(&field) {
                    if let Some(base) = node.child_by_field_name("object") {
                        let base = unwrap_expr(base);
                        let base = if matches!(base.kind(), "call_expression" | "new_expression") {
                            base.child_by_field_name("arguments")
                                .and_then(|a| a.named_child(0))
                                .unwrap_or(base)
                        } else {
                            base
                        };
                        for n in self.tainted_idents(base, env) {
                            env.clear(&n, bits(&[Sink::Network]));
                        }
                    }
                    return;
                }
                let text = self.t(node);
                if env.is_tainted(text) {
                    env.clear_only(text, classes);
                } else if let Some(mut t) = self.peek(node, env) {
                    t.clear(classes);
                    env.set(text, Some(t), Vec::new(), false);
                }
            }
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "non_null_expression" => {
                if let Some(c) = node.named_child(0) {
                    self.validated(c, env, classes);
                }
            }
            _ => {}
        }
    }

    fn validator_call(&mut self, call: Node<'_>, env: &mut Env) {
        self.guard_call(call, env);
    }

    fn expr(&mut self, node: Node<'t>, env: &mut Env) -> Option<Taint> {
        match node.kind() {
            "identifier" | "shorthand_property_identifier" => env.get(self.t(node)).cloned(),
            "member_expression" => {
                if let Some(t) = env.get(self.t(node)) {
                    return Some(t.clone());
                }
                if let Some(t) = self.src.request_member(node, self.text, env) {
                    return Some(t);
                }
                node.child_by_field_name("object")
                    .and_then(|o| self.expr(o, env))
            }
            "jsx_attribute" => self.jsx_attribute(node, env),
            "object" => self.object(node, env),
            "subscript_expression" => {
                if let Some(i) = node.child_by_field_name("index") {
                    self.expr(i, env);
                }
                node.child_by_field_name("object")
                    .and_then(|o| self.expr(o, env))
            }
            "call_expression" | "new_expression" => self.call(node, env),
            "array" => {
                let mut acc = None;
                let mut elems = Vec::new();
                for c in children(node) {
                    if c.kind() == "comment" {
                        continue;
                    }
                    let t = self.expr(c, env);
                    elems.extend(self.spread_elem(c, &t));
                    acc = Taint::merge(acc, t);
                }
                self.elems.insert(node.id(), elems);
                acc
            }
            "template_string" => {
                let mut acc = None;
                let mut sql = false;
                let mut prefix = String::new();
                for c in children(node) {
                    match c.kind() {
                        "template_substitution" => {
                            for e in children(c) {
                                let t = self.expr(e, env);
                                if acc.is_none() && t.is_none() {
                                    prefix.push(taint::CONST);
                                }
                                acc = Taint::merge(acc, t);
                            }
                        }
                        "string_fragment" => {
                            sql |= taint::sql_like(self.t(c));
                            if acc.is_none() {
                                prefix.push_str(self.t(c));
                            }
                        }
                        _ => {}
                    }
                }
                acc.map(|mut t| {
                    t.built = true;
                    t.sqlish |= sql;
                    t.host_fixed = taint::fixed_host(&prefix);
                    t.starts_fixed = !prefix.is_empty();
                    t
                })
            }
            "binary_expression" => {
                let op = node
                    .child_by_field_name("operator")
                    .map(|o| self.t(o))
                    .unwrap_or("");
                let l = node.child_by_field_name("left");
                let r = node.child_by_field_name("right");
                let lt = l.and_then(|l| self.expr(l, env));
                let rt = r.and_then(|r| self.expr(r, env));
                match op {
                    "+" => {
                        let sql = [l, r].iter().flatten().any(|n| {
                            string_literal(*n, self.text).is_some_and(|s| taint::sql_like(&s))
                        });
                        let left_fixed = match (l, &lt) {
                            (_, Some(t)) => t.host_fixed,
                            (Some(l), None) => taint::fixed_host(
                                &string_literal(l, self.text)
                                    .unwrap_or_else(|| taint::CONST.to_string()),
                            ),
                            _ => false,
                        };
                        let left_start = match (l, &lt) {
                            (_, Some(t)) => t.starts_fixed,
                            (Some(_), None) => true,
                            _ => false,
                        };
                        Taint::merge(lt, rt).map(|mut t| {
                            t.built = true;
                            t.sqlish |= sql;
                            t.host_fixed = left_fixed;
                            t.starts_fixed = left_start;
                            t
                        })
                    }
                    "||" | "??" | "&&" => Taint::merge(lt, rt),
                    _ => None,
                }
            }
            "arrow_function" | "function_expression" | "function" => {
                // Callbacks inside a handler (`new Promise(r => exec(cmd, ...))`) see
                // its variables.
                let mut inner = env.clone();
                self.function(node, &mut inner);
                None
            }
            "number" | "true" | "false" | "null" | "undefined" | "regex" | "string"
            | "unary_expression" | "class" => None,
            _ => {
                let mut acc = None;
                for c in children(node) {
                    let t = self.expr(c, env);
                    acc = Taint::merge(acc, t);
                }
                acc
            }
        }
    }

    fn call(&mut self, node: Node<'t>, env: &mut Env) -> Option<Taint> {
        let f = node
            .child_by_field_name("function")
            .or_else(|| node.child_by_field_name("constructor"))?;
        let is_new = node.kind() == "new_expression";
        let name = self.dotted(f).unwrap_or_default();
        let last = match f.kind() {
            "member_expression" => f
                .child_by_field_name("property")
                .map(|p| self.t(p).to_string())
                .unwrap_or_default(),
            _ => self.t(f).to_string(),
        };
        let recv = (f.kind() == "member_expression")
            .then(|| f.child_by_field_name("object"))
            .flatten();
        let recv_t = recv.and_then(|r| self.expr(r, env));
        let args_node = node.child_by_field_name("arguments");
        // sql`... ${x}` and other tagged templates bind their values.
        if args_node.is_some_and(|a| a.kind() == "template_string") {
            return None;
        }
        let arg_nodes = args_node.map(children).unwrap_or_default();
        let requests = self.src.route_requests(recv, &last, &arg_nodes, self.text);
        env.requests.extend(requests);
        let mut pos: Vec<(Node<'t>, Option<Taint>)> = Vec::new();
        for a in arg_nodes {
            if a.kind() == "comment" {
                continue;
            }
            let inner = unwrap_expr(a);
            let t = if is_function(inner) && recv_t.is_some() {
                // arr.map(x => ...) over a tainted array: the element is tainted.
                let mut e2 = env.clone();
                for (n, span) in handler_params(inner, self.text) {
                    let t = recv_t
                        .clone()
                        .map(|t| t.step(span, format!("callback parameter `{n}`")));
                    e2.set(&n, t, Vec::new(), true);
                }
                self.function(inner, &mut e2);
                None
            } else {
                self.expr(a, env)
            };
            pos.push((a, t));
        }
        self.sinks(node, &name, &last, recv, recv_t.as_ref(), &pos, is_new);
        self.grow_list(recv, &last, &pos);
        self.content_calls(&name, &last, recv, &pos);
        let (src, text, imports) = (self.src, self.text, self.imports);
        if let Some(t) = src
            .model_call(node, &name, &last, recv, text, imports)
            .or_else(|| src.request_call(node, &last, recv, text, env))
        {
            return Some(t);
        }
        if let Some(t) = self.html_clean(&name, &last, &pos) {
            return t;
        }

        let helper = if f.kind() == "identifier" && !self.imports.contains_key(self.t(f)) {
            self.funcs.get(self.t(f)).copied()
        } else if recv.is_some_and(|r| r.kind() == "this") {
            self.funcs.get(last.as_str()).copied()
        } else {
            None
        };
        // A validating helper (here or imported) returns a checked value.
        if taint::is_validator_name(&last) && recv_t.is_none() {
            return None;
        }
        if let Some(h) = helper {
            if self.depth < MAX_HELPER_DEPTH
                && self.visits < MAX_HELPER_VISITS
                && !self.stack.contains(&h.id())
                && pos.iter().any(|p| p.1.is_some())
            {
                return self.helper(h, node, &last, &pos);
            }
        }
        let arg0 = pos.first().and_then(|p| p.1.clone());
        match name.as_str() {
            "Number" | "parseInt" | "parseFloat" | "Boolean" | "Math.floor" | "Math.round"
            | "JSON.stringify" | "String.length" => return None,
            "encodeURIComponent" => {
                return arg0.map(|mut t| {
                    t.clear(bits(&[Sink::Shell, Sink::File, Sink::Sql, Sink::Code]));
                    t
                })
            }
            // A final path component cannot leave the directory it is joined to.
            "path.basename" => {
                return arg0.map(|mut t| {
                    t.clear(bits(&[Sink::File]));
                    t
                })
            }
            "fs.realpath" | "fs.realpathSync" | "fs.realpathSync.native" => {
                return arg0.map(|mut t| {
                    t.resolved = true;
                    t
                })
            }
            _ => {}
        }
        let mut acc = recv_t;
        for (_, t) in &pos {
            acc = Taint::merge(acc, t.clone());
        }
        // `name.replace(/[^a-zA-Z0-9._-]/g, "_")`: only the kept characters remain.
        if matches!(last.as_str(), "replace" | "replaceAll") {
            let re = pos
                .first()
                .map(|(n, _)| unwrap_expr(*n))
                .filter(|n| n.kind() == "regex");
            let pattern = re
                .and_then(|r| r.child_by_field_name("pattern"))
                .map(|p| self.t(p));
            let global = re
                .and_then(|r| r.child_by_field_name("flags"))
                .is_some_and(|f| self.t(f).contains('g'));
            if let (Some(p), true, Some(t)) = (pattern, global, acc.as_mut()) {
                t.clear(taint::stripped_by(p));
            }
        }
        if matches!(last.as_str(), "join" | "concat" | "replace" | "format") {
            acc = acc.map(|mut t| {
                t.built = true;
                t
            });
        }
        acc
    }

    fn helper(
        &mut self,
        h: Node<'t>,
        call: Node<'_>,
        name: &str,
        pos: &[(Node<'t>, Option<Taint>)],
    ) -> Option<Taint> {
        if super::too_deep(h) {
            return None;
        }
        let mut env = Env::default();
        if let Some(ps) = h.child_by_field_name("parameters") {
            let params: Vec<Node<'_>> = children(ps)
                .into_iter()
                .filter(|c| c.kind() != "comment")
                .collect();
            for (i, p) in params.iter().enumerate() {
                let Some(t) = pos.get(i).and_then(|a| a.1.clone()) else {
                    continue;
                };
                let mut names = Vec::new();
                pattern_names(*p, self.text, &mut names);
                for (n, span) in names {
                    let t = t
                        .clone()
                        .step(call.byte_range(), format!("passed to `{name}`"))
                        .step(span, format!("parameter `{n}` of `{name}`"));
                    env.set(&n, Some(t), Vec::new(), true);
                }
            }
        } else if let (Some(p), Some(t)) = (
            h.child_by_field_name("parameter"),
            pos.first().and_then(|a| a.1.clone()),
        ) {
            let n = self.t(p);
            let t = t
                .step(call.byte_range(), format!("passed to `{name}`"))
                .step(p.byte_range(), format!("parameter `{n}` of `{name}`"));
            env.set(n, Some(t), Vec::new(), true);
        }
        self.depth += 1;
        self.visits += 1;
        self.stack.push(h.id());
        // Argument lists are the helper's own variables.
        let lists = std::mem::take(&mut self.lists);
        let ret = self.function(h, &mut env);
        self.lists = lists;
        self.stack.pop();
        self.depth -= 1;
        ret.map(|t| t.step(call.byte_range(), format!("returned by `{name}`")))
    }

    fn flow(
        &mut self,
        sink: Sink,
        arg: Node<'_>,
        t: &Taint,
        callee: String,
        note: Option<&'static str>,
    ) {
        Flow::record(
            &mut self.flows,
            sink,
            arg.byte_range(),
            t,
            callee,
            self.tool,
            note,
        );
    }

    /// `{ shell: true }` among the call's arguments.
    fn shell_option(&self, pos: &[(Node<'t>, Option<Taint>)]) -> bool {
        pos.iter().any(|(a, _)| {
            a.kind() == "object"
                && prop(*a, "shell", self.text)
                    .is_some_and(|v| !matches!(self.t(v), "false" | "undefined"))
        })
    }

    /// The argument list of a program started without a shell: `spawn(cmd, [...])`,
    /// `execFile`, `execa`, `cross-spawn`, `Bun.spawn([...])`, `new Deno.Command(cmd,
    /// { args })`, with the list written there or built in a variable. The elements
    /// start with the program; returns how many lead as the program.
    fn argv_sink(
        &self,
        name: &str,
        is_new: bool,
        pos: &[(Node<'t>, Option<Taint>)],
    ) -> Option<(Vec<argv::Elem>, usize)> {
        let list_of = |n: Node<'_>| -> Option<Vec<argv::Elem>> {
            let n = unwrap_expr(n);
            match n.kind() {
                "array" => self.elems.get(&n.id()).cloned(),
                "identifier" => self.lists.get(self.t(n)).map(|l| l.elems.clone()),
                _ => None,
            }
        };
        let with_program = |rest: Vec<argv::Elem>| {
            let (p, t) = pos.first()?;
            let mut v = vec![argv::Elem {
                span: p.byte_range(),
                taint: t.clone(),
                lit: string_literal(*p, self.text),
            }];
            v.extend(rest);
            Some((v, 1))
        };
        match name {
            "child_process.spawn"
            | "child_process.spawnSync"
            | "child_process.execFile"
            | "child_process.execFileSync"
            | "execa.execa"
            | "execa"
            | "execa.execaSync"
            | "cross-spawn"
            | "cross-spawn.sync" => {
                // A list the tool received as is counts as one attacker-chosen element;
                // a list built elsewhere is not known here.
                let rest = match pos.get(1) {
                    Some((n, t)) => list_of(*n).unwrap_or_else(|| {
                        t.as_ref()
                            .filter(|t| {
                                t.steps.len() == 1 && unwrap_expr(*n).kind() == "identifier"
                            })
                            .map(|t| {
                                vec![argv::Elem {
                                    span: n.byte_range(),
                                    taint: Some(t.clone()),
                                    lit: None,
                                }]
                            })
                            .unwrap_or_default()
                    }),
                    None => Vec::new(),
                };
                with_program(rest)
            }
            "Bun.spawn" | "Bun.spawnSync" => Some((list_of(pos.first()?.0)?, 1)),
            "Deno.Command" if is_new => {
                let opts = unwrap_expr(pos.get(1)?.0);
                let args = (opts.kind() == "object")
                    .then(|| prop(opts, "args", self.text))
                    .flatten()?;
                with_program(list_of(args)?)
            }
            _ => None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn sinks(
        &mut self,
        node: Node<'t>,
        name: &str,
        last: &str,
        recv: Option<Node<'t>>,
        recv_t: Option<&Taint>,
        pos: &[(Node<'t>, Option<Taint>)],
        is_new: bool,
    ) {
        let arg = |i: usize| pos.get(i).and_then(|(n, t)| t.as_ref().map(|t| (*n, t)));
        let module = name.split('.').next().unwrap_or("");
        // Shell.
        let shell = matches!(
            name,
            "child_process.exec"
                | "child_process.execSync"
                | "execa.execaCommand"
                | "execa.execaCommandSync"
                | "shelljs.exec"
                | "zx.$"
        ) || (matches!(
            name,
            "child_process.spawn"
                | "child_process.spawnSync"
                | "child_process.execFile"
                | "child_process.execFileSync"
                | "execa.execa"
                | "execa"
                | "execa.execaSync"
        ) && self.shell_option(pos));
        if shell {
            let pretty = name.rsplit('.').next().unwrap_or(name);
            for i in 0..2 {
                if let Some((n, t)) = arg(i) {
                    if i == 1 && n.kind() != "array" {
                        continue;
                    }
                    self.flow(Sink::Shell, n, t, format!("{module}.{pretty}()"), None);
                }
            }
            return;
        }
        // Argument lists run without a shell.
        if let Some((elems, skip)) = self.argv_sink(name, is_new, pos) {
            let program = elems.first().and_then(|e| e.lit.clone());
            let pretty = name.rsplit('.').next().unwrap_or(name);
            // The value names the program itself: it runs whatever command it likes.
            if let Some((e, t)) = elems.first().and_then(|e| e.taint.as_ref().map(|t| (e, t))) {
                Flow::record(
                    &mut self.flows,
                    Sink::Shell,
                    e.span.clone(),
                    t,
                    format!("{module}.{pretty}() with the program chosen by the value"),
                    self.tool,
                    None,
                );
                // Its options add nothing to a chosen program.
                return;
            }
            argv::record(
                &mut self.flows,
                &elems,
                skip,
                program.as_deref(),
                &format!("{pretty}()"),
                self.tool,
            );
            return;
        }
        // Code.
        let global = |g: &str| name == g && !self.funcs.contains_key(g);
        let code = global("eval")
            || global("Function")
            || (is_new && name == "Function")
            || (module == "vm"
                && matches!(
                    last,
                    "runInNewContext"
                        | "runInThisContext"
                        | "runInContext"
                        | "compileFunction"
                        | "Script"
                ))
            || matches!(
                name,
                "ejs.render"
                    | "ejs.compile"
                    | "Handlebars.compile"
                    | "_.template"
                    | "pug.render"
                    | "pug.compile"
                    | "node-serialize.unserialize"
            );
        if code {
            if let Some((n, t)) = arg(0) {
                self.flow(Sink::Code, n, t, format!("{name}()"), None);
            }
            return;
        }
        // Files.
        const FS_OPS: &[&str] = &[
            "readFile",
            "readFileSync",
            "writeFile",
            "writeFileSync",
            "appendFile",
            "appendFileSync",
            "createReadStream",
            "createWriteStream",
            "readdir",
            "readdirSync",
            "unlink",
            "unlinkSync",
            "rm",
            "rmSync",
            "rmdir",
            "rmdirSync",
            "mkdir",
            "mkdirSync",
            "rename",
            "renameSync",
            "copyFile",
            "copyFileSync",
            "cp",
            "cpSync",
            "open",
            "openSync",
            "symlink",
            "symlinkSync",
            "truncate",
            "opendir",
            "outputFile",
            "remove",
            "move",
            "copy",
            "readJson",
            "writeJson",
        ];
        if module == "fs" && FS_OPS.contains(&last) {
            let two = matches!(
                last,
                "rename"
                    | "renameSync"
                    | "copyFile"
                    | "copyFileSync"
                    | "cp"
                    | "cpSync"
                    | "symlink"
                    | "symlinkSync"
                    | "move"
                    | "copy"
            );
            for i in 0..if two { 2 } else { 1 } {
                if let Some((n, t)) = arg(i) {
                    self.flow(Sink::File, n, t, format!("fs.{last}()"), t.prefix_note());
                }
            }
            return;
        }
        // Network.
        let fetch = global("fetch")
            || matches!(
                name,
                "node-fetch" | "undici.fetch" | "undici.request" | "cross-fetch"
            );
        let http = fetch
            || name == "axios"
            || name == "got"
            || name == "ky"
            || (matches!(module, "axios" | "got" | "ky") && HTTP_VERBS.contains(&last))
            || (matches!(module, "http" | "https") && matches!(last, "get" | "request"));
        if http {
            if let Some((n, t)) = arg(0).filter(|(_, t)| !t.host_fixed) {
                let redirects_checked = pos.get(1).is_some_and(|(o, _)| {
                    o.kind() == "object"
                        && prop(*o, "redirect", self.text)
                            .is_some_and(|v| !self.t(v).contains("follow"))
                });
                let note = (fetch && !redirects_checked).then_some("fetch follows redirects by default, so an allowed host can still redirect inward");
                self.flow(Sink::Network, n, t, format!("{name}()"), note);
            }
            return;
        }
        // SQL.
        let sql_method = recv.is_some()
            && matches!(
                last,
                "query"
                    | "execute"
                    | "raw"
                    | "$queryRawUnsafe"
                    | "$executeRawUnsafe"
                    | "unsafe"
                    | "exec"
                    | "prepare"
                    | "all"
                    | "run"
                    | "get"
            );
        if sql_method {
            let Some((n, t)) = arg(0) else { return };
            let r = recv
                .map(|r| self.t(r).to_ascii_lowercase())
                .unwrap_or_default();
            let dbish = [
                "db",
                "pool",
                "client",
                "conn",
                "knex",
                "sequelize",
                "prisma",
                "sql",
                "database",
            ]
            .iter()
            .any(|k| r.contains(k));
            let unsafe_raw = last.ends_with("Unsafe") || last == "unsafe";
            // `client.get(url)` is HTTP as often as SQL: generic names need SQL text.
            let sql_name = matches!(last, "query" | "execute" | "raw") || unsafe_raw;
            if t.sqlish || (sql_name && dbish && (t.built || unsafe_raw)) {
                self.flow(
                    Sink::Sql,
                    n,
                    t,
                    format!("{}.{last}()", recv.map(|r| self.t(r)).unwrap_or("")),
                    None,
                );
            }
        }
        let _ = (node, recv_t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{analyse as parse, Lang};

    fn tools(src: &str) -> Vec<(String, &'static str, Vec<String>)> {
        let m = parse(Lang::TypeScript, src).unwrap();
        m.tools
            .into_iter()
            .map(|t| {
                (
                    t.name,
                    t.framework,
                    t.params.into_iter().map(|p| p.0).collect(),
                )
            })
            .collect()
    }

    fn flows(src: &str) -> Vec<(Sink, String)> {
        let m = parse(Lang::TypeScript, src).unwrap();
        m.flows
            .into_iter()
            .map(|f| (f.sink, src[f.span].to_string()))
            .collect()
    }

    #[test]
    fn discovers_each_framework() {
        let cases = [
            ("server.tool('grep', 'Search', { q: z.string() }, async ({ q }) => ({}));", "MCP SDK server.tool", "grep"),
            ("server.registerTool('grep', { description: 'd', inputSchema: {} }, async ({ q }) => ({}));", "MCP SDK registerTool", "grep"),
            ("server.setRequestHandler(CallToolRequestSchema, async (q) => ({}));", "MCP SDK CallToolRequestSchema handler", "setRequestHandler"),
            ("const weather = tool({ description: 'd', inputSchema: z.object({}), execute: async ({ q }) => 1 });", "AI SDK tool({execute})", "weather"),
            ("export const t = createTool({ id: 'w', description: 'd', execute: async ({ context: q }) => 1 });", "Mastra createTool", "w"),
            ("server.addTool({ name: 'add', description: 'd', async execute(q) { return 1 } });", "fastmcp addTool", "add"),
            ("const t = tool(async ({ q }) => 'x', { name: 'lc', schema: s });", "LangChain.js tool", "lc"),
            ("const t = new DynamicStructuredTool({ name: 'dst', func: async (q) => 'x' });", "LangChain.js DynamicStructuredTool", "dst"),
            ("async function h({ q }) { return 1 }\nserver.tool('named', {}, h);", "MCP SDK server.tool", "named"),
        ];
        for (src, fw, name) in cases {
            let t = tools(src);
            assert_eq!(t.len(), 1, "{src}");
            assert_eq!((t[0].0.as_str(), t[0].1), (name, fw), "{src}");
            assert_eq!(t[0].2, vec!["q"], "{src}");
        }
        assert!(tools("app.get('/x', (req, res) => {});").is_empty());
        assert!(tools("x.tool(name, handler);").is_empty());
    }

    #[test]
    fn shell_and_sanitisers() {
        let head = "import { exec, execFile } from 'node:child_process';\nimport { promisify } from 'util';\nconst run = promisify(exec);\n";
        let f = flows(&format!("{head}server.tool('g', {{}}, async ({{ key }}) => {{ const out = await run(`curl -s ${{API}}/${{key}}`); return out; }});"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, Sink::Shell);
        let f = flows(&format!("{head}server.tool('g', {{}}, async (args) => new Promise((res) => exec('git log ' + args.branch, res)));"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(flows(&format!(
            "{head}server.tool('g', {{}}, async ({{ b }}) => execFile('git', ['log', '--', b]));"
        ))
        .is_empty());
        assert!(flows(&format!("{head}server.tool('g', {{}}, async ({{ b }}) => {{ if (!['main'].includes(b)) throw new Error(); exec('git log ' + b); }});")).is_empty());
        // Validating one field leaves the others tainted.
        let f = flows(&format!("{head}server.tool('g', {{}}, async (a) => {{ if (a.mode === 'x') exec('run ' + a.cmd); }});"));
        assert_eq!(f.len(), 1);
        assert!(flows(&format!(
            "{head}server.tool('g', {{}}, async (a) => {{ if (a.cmd === 'ls') exec(a.cmd); }});"
        ))
        .is_empty());
    }

    #[test]
    fn argv_lists_and_deep_helpers() {
        let head = "import { execFile, spawn, exec } from 'node:child_process';\n";
        let tool = |body: &str| {
            format!("{head}server.tool('g', {{}}, async ({{ b, long }}) => {{ {body} }});")
        };
        assert_eq!(
            flows(&tool("execFile('git', ['diff', b]);")),
            [(Sink::Argv, "b".to_string())]
        );
        assert_eq!(
            flows(&tool("const a = ['log']; a.push(b); spawn('git', a);")),
            [(Sink::Argv, "b".to_string())]
        );
        assert_eq!(
            flows(&tool("spawn(b, ['x']);")),
            [(Sink::Shell, "b".to_string())]
        );
        for ok in [
            "execFile('git', ['diff', '--', b]);",
            "execFile('git', ['commit', '-m', b]);",
            "execFile('git', ['log', `--author=${b}`]);",
            "execFile('ls', [long ? '-l' : '-1']);",
            "if (b.startsWith('-')) throw new Error(); execFile('git', ['show', b]);",
            "if (!/^[a-z0-9]+$/.test(b)) throw new Error(); execFile('git', ['show', b]);",
            "execFile('git', ['show', b], { shell: true });",
        ] {
            assert!(!flows(&tool(ok)).iter().any(|f| f.0 == Sink::Argv), "{ok}");
        }
        // Three helpers down, each call a step; a fourth is not followed.
        let chain = |n: usize| {
            let mut src = format!("{head}server.tool('g', {{}}, async ({{ b }}) => h1(b));\n");
            for i in 1..n {
                src.push_str(&format!("function h{i}(x) {{ return h{}(x); }}\n", i + 1));
            }
            src.push_str(&format!("function h{n}(c) {{ exec(c); }}\n"));
            src
        };
        let m = parse(Lang::TypeScript, &chain(3)).unwrap();
        assert_eq!(m.flows.len(), 1);
        let calls = m.flows[0]
            .steps
            .iter()
            .filter(|s| s.label.starts_with("passed to"))
            .count();
        assert_eq!(calls, 3);
        assert!(flows(&chain(4)).is_empty());
        let rec = format!("{head}server.tool('g', {{}}, async ({{ b }}) => r(b));\nfunction r(x) {{ if (x) return r(x); exec(x); }}\n");
        assert_eq!(flows(&rec).len(), 1);
    }

    #[test]
    fn files_network_sql() {
        let head = "import fs from 'fs/promises';\nimport path from 'path';\n";
        let f = flows(&format!("{head}server.tool('r', {{}}, async ({{ p }}) => fs.readFile(path.join(ROOT, p), 'utf8'));"));
        assert_eq!(f[0].0, Sink::File);
        let good = format!("{head}async function validatePath(p) {{ return p }}\nserver.tool('r', {{}}, async ({{ p }}) => {{ const v = await validatePath(p); return fs.readFile(v); }});");
        assert!(flows(&good).is_empty());
        let real = format!("{head}server.tool('r', {{}}, async ({{ p }}) => {{ const full = await fs.realpath(path.resolve(ROOT, p)); const rel = path.relative(ROOT, full); if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(); return fs.readFile(full); }});");
        assert!(flows(&real).is_empty(), "{:?}", flows(&real));
        let f = flows("server.tool('f', {}, async ({ url }) => (await fetch(url)).text());");
        assert_eq!(f[0].0, Sink::Network);
        let allow = "server.tool('f', {}, async ({ url }) => { const u = new URL(url); if (!ALLOWED.has(u.hostname)) throw 1; return fetch(url); });";
        assert!(flows(allow).is_empty());
        let f = flows("server.tool('q', {}, async ({ name }) => db.query(`SELECT * FROM t WHERE n = '${name}'`));");
        assert_eq!(f[0].0, Sink::Sql);
        assert!(flows("server.tool('q', {}, async ({ name }) => db.query('SELECT * FROM t WHERE n = $1', [name]));").is_empty());
        assert!(
            flows("server.tool('q', {}, async ({ id }) => client.get(`/items/${id}`));").is_empty()
        );
        assert!(flows("server.tool('q', {}, async ({ name }) => db.query(sql`SELECT * FROM t WHERE n = ${name}`));").is_empty());
        assert_eq!(
            flows("server.tool('e', {}, async ({ code }) => eval(code));")[0].0,
            Sink::Code
        );
        let _ = flows("server.tool('e', {}, async ({ é }) => eval(é)");
    }
}
