//! Python: imports, tool discovery (MCP SDK, FastMCP, LangChain, OpenAI Agents, CrewAI,
//! smolagents, Pydantic AI, Claude Agent SDK, LlamaIndex) and the taint pass over each
//! tool body.

use std::collections::HashMap;

use tree_sitter::Node;

use super::argv;
use super::taint::{self, bits, Env, Flow, Sink, Taint, ALL, MAX_HELPER_DEPTH, MAX_HELPER_VISITS};
use super::{string_literal, text_of, Nodes, Tool};

mod content;
mod sources;

/// Local name → dotted origin: `sp` → `subprocess`, `F` → `mcp.server.fastmcp.FastMCP`.
pub(super) type Imports = HashMap<String, String>;

pub fn analyse(nodes: &Nodes<'_>, text: &str, imports: &Imports) -> (Vec<Tool>, Vec<Flow>) {
    let funcs = functions(nodes, text);
    let found = discover(nodes, text, imports, &funcs);
    let src = sources::Ctx::new(nodes, text, imports);
    let mut flows = Vec::new();
    for (tool, func, skip) in &found {
        if super::too_deep(*func) {
            continue;
        }
        let mut fx = Fx::new(text, imports, &funcs, &src, &tool.name);
        let mut env = Env::default();
        for (i, (name, span)) in tool.params.iter().enumerate() {
            if i < *skip {
                continue;
            }
            let t = Taint::source(
                span.clone(),
                format!("parameter `{name}` of tool `{}`", tool.name),
            );
            env.set(name, Some(t), Vec::new(), true);
        }
        fx.function(*func, &mut env);
        flows.extend(fx.flows);
    }
    // Model output and request data are sources in any function, and at module level.
    let tool_fns = found.iter().map(|(_, f, _)| f.id()).collect();
    for e in src.entries(nodes, text, &tool_fns) {
        if super::too_deep(e.node) {
            continue;
        }
        let mut fx = Fx::new(text, imports, &funcs, &src, &e.name);
        let mut env = Env::default();
        env.requests.extend(e.requests);
        for (name, t) in e.seeds {
            env.set(&name, Some(t), Vec::new(), true);
        }
        if e.node.kind() == "module" {
            fx.block(e.node, &mut env, 0, &mut None);
        } else {
            fx.function(e.node, &mut env);
        }
        flows.extend(fx.flows);
    }
    let tools = found.into_iter().map(|(t, _, _)| t).collect();
    (tools, taint::dedup(flows))
}

fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut c = node.walk();
    node.named_children(&mut c).collect()
}

pub(super) fn imports(nodes: &Nodes<'_>, text: &str) -> Imports {
    let mut map = Imports::new();
    for &n in nodes {
        match nodes.kind(n) {
            "import_statement" => {
                for c in children(n) {
                    match c.kind() {
                        "dotted_name" => {
                            let full = text_of(c, text);
                            let first = full.split('.').next().unwrap_or(full);
                            map.insert(first.to_string(), first.to_string());
                        }
                        "aliased_import" => {
                            if let (Some(name), Some(alias)) = (
                                c.child_by_field_name("name"),
                                c.child_by_field_name("alias"),
                            ) {
                                map.insert(text_of(alias, text).into(), text_of(name, text).into());
                            }
                        }
                        _ => {}
                    }
                }
            }
            "import_from_statement" => {
                let module = n
                    .child_by_field_name("module_name")
                    .map(|m| text_of(m, text).trim_start_matches('.').to_string())
                    .unwrap_or_default();
                let mut c = n.walk();
                for name in n.children_by_field_name("name", &mut c) {
                    let (orig, local) = match name.kind() {
                        "aliased_import" => (
                            name.child_by_field_name("name").map(|x| text_of(x, text)),
                            name.child_by_field_name("alias").map(|x| text_of(x, text)),
                        ),
                        _ => (Some(text_of(name, text)), Some(text_of(name, text))),
                    };
                    if let (Some(o), Some(l)) = (orig, local) {
                        map.insert(l.to_string(), format!("{module}.{o}"));
                    }
                }
            }
            _ => {}
        }
    }
    map
}

/// Functions and methods of the file by name, for helper calls.
fn functions<'t>(nodes: &Nodes<'t>, text: &str) -> HashMap<String, Node<'t>> {
    let mut map = HashMap::new();
    for &n in nodes
        .iter()
        .filter(|n| nodes.kind(**n) == "function_definition")
    {
        if let Some(name) = n.child_by_field_name("name") {
            map.entry(text_of(name, text).to_string()).or_insert(n);
        }
    }
    map
}

/// The dotted name a callee or decorator refers to, through import aliases.
pub(super) fn dotted(node: Node<'_>, text: &str, imports: &Imports) -> Option<String> {
    // Iterative: a generated `a.b.c...` chain must not exhaust the stack.
    let mut attrs = Vec::new();
    let mut n = node;
    while n.kind() == "attribute" {
        attrs.push(text_of(n.child_by_field_name("attribute")?, text));
        n = n.child_by_field_name("object")?;
    }
    if n.kind() != "identifier" {
        return None;
    }
    let head = text_of(n, text);
    let mut out = imports
        .get(head)
        .cloned()
        .unwrap_or_else(|| head.to_string());
    for a in attrs.iter().rev() {
        out.push('.');
        out.push_str(a);
    }
    Some(out)
}

fn root_module(imports: &Imports, prefixes: &[&str]) -> bool {
    imports.values().any(|v| {
        let first = v.split('.').next().unwrap_or(v);
        prefixes.contains(&first)
    })
}

const DECORATOR_FRAMEWORKS: &[(&str, &str)] = &[
    ("langchain_core", "LangChain @tool"),
    ("langchain", "LangChain @tool"),
    ("langchain_community", "LangChain @tool"),
    ("crewai", "CrewAI @tool"),
    ("crewai_tools", "CrewAI @tool"),
    ("smolagents", "smolagents @tool"),
    ("claude_agent_sdk", "Claude Agent SDK @tool"),
    ("claude_code_sdk", "Claude Agent SDK @tool"),
    ("agents", "OpenAI Agents @function_tool"),
    ("strands", "Strands @tool"),
    ("llama_index", "LlamaIndex tool"),
];

/// A decorator that makes its function a tool: the framework and how many leading
/// parameters are not model-chosen (`self`, contexts are skipped by type anyway).
fn tool_decorator(dec: Node<'_>, text: &str, imports: &Imports) -> Option<(&'static str, usize)> {
    let expr = dec.named_child(0)?;
    let callee = if expr.kind() == "call" {
        expr.child_by_field_name("function")?
    } else {
        expr
    };
    match callee.kind() {
        "attribute" => {
            let attr = text_of(callee.child_by_field_name("attribute")?, text);
            let obj = text_of(callee.child_by_field_name("object")?, text).to_ascii_lowercase();
            let mcp = root_module(imports, &["mcp", "fastmcp"]);
            let pyd = root_module(imports, &["pydantic_ai"]);
            match attr {
                "tool" if mcp || (!pyd && (obj.contains("mcp") || obj.contains("server"))) => {
                    Some(("FastMCP @tool", 0))
                }
                "tool" | "tool_plain" if pyd || obj.contains("agent") => {
                    Some(("Pydantic AI @agent.tool", 0))
                }
                // Low-level server: `(name, arguments)`; the arguments are the input.
                "call_tool" if mcp || obj.contains("server") => {
                    Some(("MCP low-level call_tool", 1))
                }
                _ => None,
            }
        }
        "identifier" => {
            let full = dotted(callee, text, imports)?;
            let (module, name) = full.rsplit_once('.')?;
            if name != "tool" && name != "function_tool" {
                return None;
            }
            let first = module.split('.').next().unwrap_or(module);
            DECORATOR_FRAMEWORKS
                .iter()
                .find(|(m, _)| *m == first)
                .map(|(_, f)| (*f, 0))
        }
        _ => None,
    }
}

/// Parameters by name and span, without `self`/`cls` and framework contexts.
fn params(func: Node<'_>, text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let Some(ps) = func.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in children(ps) {
        let (name_node, ty) = match p.kind() {
            "identifier" => (Some(p), None),
            "typed_parameter" => (
                p.named_child(0).filter(|c| c.kind() == "identifier"),
                p.child_by_field_name("type"),
            ),
            "default_parameter" | "typed_default_parameter" => {
                (p.child_by_field_name("name"), p.child_by_field_name("type"))
            }
            _ => (None, None),
        };
        let Some(n) = name_node else { continue };
        let name = text_of(n, text);
        let ty = ty.map(|t| text_of(t, text)).unwrap_or("");
        if matches!(name, "self" | "cls" | "run_manager" | "callbacks")
            || ty.contains("Context")
            || ty.contains("CallbackManager")
            // LangChain injects these; the model does not choose them.
            || ty.contains("ToolRuntime")
            || ty.contains("Injected")
        {
            continue;
        }
        out.push((name.to_string(), n.byte_range()));
    }
    out
}

fn docstring(func: Node<'_>, text: &str) -> Option<(String, std::ops::Range<usize>)> {
    let body = func.child_by_field_name("body")?;
    let first = body.named_child(0)?;
    if first.kind() != "expression_statement" {
        return None;
    }
    let s = first.named_child(0)?;
    string_literal(s, text).map(|v| (v, s.byte_range()))
}

/// A string literal's value and span.
type Literal = (String, std::ops::Range<usize>);

/// Name and description written in a decorator call: `name=`/`description=` or the
/// first and second positional strings (CrewAI, Claude Agent SDK).
fn decorator_strings(dec: Node<'_>, text: &str) -> (Option<Literal>, Option<Literal>) {
    let mut name = None;
    let mut desc = None;
    let Some(call) = dec.named_child(0).filter(|e| e.kind() == "call") else {
        return (None, None);
    };
    let Some(args) = call.child_by_field_name("arguments") else {
        return (None, None);
    };
    let mut positional = 0;
    for a in children(args) {
        if a.kind() == "keyword_argument" {
            let k = a.child_by_field_name("name").map(|n| text_of(n, text));
            let v = a.child_by_field_name("value");
            if let (Some(k), Some(v)) = (k, v) {
                if let Some(s) = string_literal(v, text) {
                    match k {
                        "name" => name = Some((s, v.byte_range())),
                        "description" => desc = Some((s, v.byte_range())),
                        _ => {}
                    }
                }
            }
        } else {
            if let Some(s) = string_literal(a, text) {
                match positional {
                    0 if name.is_none() => name = Some((s, a.byte_range())),
                    1 if desc.is_none() => desc = Some((s, a.byte_range())),
                    _ => {}
                }
            }
            positional += 1;
        }
    }
    (name, desc)
}

fn make_tool(
    func: Node<'_>,
    text: &str,
    framework: &'static str,
    name: Option<(String, std::ops::Range<usize>)>,
    desc: Option<(String, std::ops::Range<usize>)>,
) -> Option<Tool> {
    let fname = func.child_by_field_name("name")?;
    let (name, name_span) =
        name.unwrap_or_else(|| (text_of(fname, text).into(), fname.byte_range()));
    Some(Tool {
        name,
        name_span,
        description: desc.or_else(|| docstring(func, text)),
        params: params(func, text),
        body: func.child_by_field_name("body")?.byte_range(),
        framework,
    })
}

/// Base classes whose `_run`/`_arun`/`forward` methods are tools.
fn is_tool_class(class: Node<'_>, text: &str) -> bool {
    class.child_by_field_name("superclasses").is_some_and(|s| {
        children(s).iter().any(|b| {
            let t = text_of(*b, text);
            let last = t.rsplit('.').next().unwrap_or(t);
            last == "BaseTool" || last == "Tool"
        })
    })
}

fn class_tool_name(class: Node<'_>, text: &str) -> Option<(String, std::ops::Range<usize>)> {
    let body = class.child_by_field_name("body")?;
    for st in children(body) {
        let Some(a) = st.named_child(0).filter(|a| a.kind() == "assignment") else {
            continue;
        };
        let left = a.child_by_field_name("left").map(|l| text_of(l, text));
        let right = a.child_by_field_name("right");
        if left == Some("name") {
            if let Some(s) = right.and_then(|r| string_literal(r, text)) {
                return right.map(|r| (s, r.byte_range()));
            }
        }
    }
    let n = class.child_by_field_name("name")?;
    Some((text_of(n, text).into(), n.byte_range()))
}

type Found<'t> = (Tool, Node<'t>, usize);

fn discover<'t>(
    nodes: &Nodes<'t>,
    text: &str,
    imports: &Imports,
    funcs: &HashMap<String, Node<'t>>,
) -> Vec<Found<'t>> {
    let mut out: Vec<Found<'t>> = Vec::new();
    for &n in nodes {
        match nodes.kind(n) {
            "decorated_definition" => {
                let Some(def) = n.child_by_field_name("definition") else {
                    continue;
                };
                if def.kind() == "function_definition" {
                    for dec in children(n).into_iter().filter(|d| d.kind() == "decorator") {
                        if let Some((fw, skip)) = tool_decorator(dec, text, imports) {
                            let (name, desc) = decorator_strings(dec, text);
                            if let Some(t) = make_tool(def, text, fw, name, desc) {
                                out.push((t, def, skip));
                            }
                            break;
                        }
                    }
                }
            }
            "class_definition" if is_tool_class(n, text) => {
                let name = class_tool_name(n, text);
                if let Some(body) = n.child_by_field_name("body") {
                    for m in children(body) {
                        let m = if m.kind() == "decorated_definition" {
                            m.child_by_field_name("definition").unwrap_or(m)
                        } else {
                            m
                        };
                        if m.kind() != "function_definition" {
                            continue;
                        }
                        let mname = m.child_by_field_name("name").map(|x| text_of(x, text));
                        if matches!(mname, Some("_run" | "_arun" | "forward")) {
                            if let Some(t) = make_tool(m, text, "tool class", name.clone(), None) {
                                out.push((t, m, 0));
                            }
                        }
                    }
                }
            }
            "call" => {
                if let Some(found) = function_tool(n, text, imports, funcs) {
                    if !out.iter().any(|(_, f, _)| f.id() == found.1.id()) {
                        out.push(found);
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|(t, _, _)| t.body.start);
    out
}

/// `StructuredTool.from_function(func=f)`, `Tool(func=f)`, `FunctionTool.from_defaults(fn=f)`,
/// AutoGen `FunctionTool(f, ...)`: a same-file function registered as a tool.
fn function_tool<'t>(
    call: Node<'t>,
    text: &str,
    imports: &Imports,
    funcs: &HashMap<String, Node<'t>>,
) -> Option<Found<'t>> {
    let callee = dotted(call.child_by_field_name("function")?, text, imports)?;
    let last = callee.rsplit('.').next().unwrap_or(&callee);
    let known = matches!(last, "from_function" | "from_defaults")
        || ((last == "Tool" || last == "FunctionTool" || last == "StructuredTool")
            && root_module(
                imports,
                &["langchain", "langchain_core", "autogen_core", "llama_index"],
            ));
    if !known {
        return None;
    }
    let args = call.child_by_field_name("arguments")?;
    let mut target = None;
    let mut name = None;
    let mut desc = None;
    for (i, a) in children(args).into_iter().enumerate() {
        if a.kind() == "keyword_argument" {
            let k = a.child_by_field_name("name").map(|n| text_of(n, text));
            let v = a.child_by_field_name("value")?;
            match k {
                Some("func" | "fn" | "coroutine") if v.kind() == "identifier" => target = Some(v),
                Some("name") => name = string_literal(v, text).map(|s| (s, v.byte_range())),
                Some("description") => desc = string_literal(v, text).map(|s| (s, v.byte_range())),
                _ => {}
            }
        } else if i == 0 && a.kind() == "identifier" && last == "FunctionTool" {
            target = Some(a);
        }
    }
    let func = *funcs.get(text_of(target?, text))?;
    let tool = make_tool(func, text, "registered function", name, desc)?;
    Some((tool, func, 0))
}

/// The taint pass over one tool body and the same-file helpers it calls.
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
    /// The elements of each list or tuple literal evaluated, by node id.
    elems: HashMap<usize, Vec<argv::Elem>>,
    /// Argument lists built in variables of the function being read.
    lists: HashMap<String, argv::List>,
}

/// An untainted expression in a built string's constant prefix.
const CONST_STR: &str = "\u{0}";

const HTTP_CLIENTS: &[&str] = &[
    "httpx.Client",
    "httpx.AsyncClient",
    "requests.Session",
    "requests.session",
    "aiohttp.ClientSession",
    "urllib3.PoolManager",
];

const HTTP_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
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

    /// The called name itself: `run` in `subprocess.run`, `resolve` in `(a / b).resolve`.
    fn last_name(&self, f: Node<'_>) -> String {
        match f.kind() {
            "attribute" => f
                .child_by_field_name("attribute")
                .map(|a| self.t(a).to_string())
                .unwrap_or_default(),
            _ => self.t(f).to_string(),
        }
    }

    fn function(&mut self, func: Node<'t>, env: &mut Env) -> Option<Taint> {
        let body = func.child_by_field_name("body")?;
        let mut ret = None;
        self.block(body, env, 0, &mut ret);
        ret
    }

    fn block(&mut self, node: Node<'t>, env: &mut Env, nest: usize, ret: &mut Option<Taint>) {
        for st in children(node) {
            self.stmt(st, env, nest, ret);
        }
    }

    fn stmt(&mut self, st: Node<'t>, env: &mut Env, nest: usize, ret: &mut Option<Taint>) {
        match st.kind() {
            "expression_statement" => {
                for e in children(st) {
                    match e.kind() {
                        "assignment" | "augmented_assignment" => self.assign(e, env, nest),
                        _ => {
                            self.validator_call(e, env);
                            self.expr(e, env);
                        }
                    }
                }
            }
            "return_statement" => {
                for e in children(st) {
                    let t = self.expr(e, env);
                    *ret = Taint::merge(ret.take(), t);
                }
            }
            "if_statement" | "elif_clause" | "while_statement" => {
                if let Some(c) = st.child_by_field_name("condition") {
                    self.expr(c, env);
                    self.guard(c, env);
                }
                for c in children(st) {
                    if c.kind() == "block" {
                        self.block(c, env, nest + 1, ret);
                    } else if matches!(c.kind(), "elif_clause" | "else_clause") {
                        self.stmt(c, env, nest + 1, ret);
                    }
                }
            }
            "assert_statement" => {
                for c in children(st) {
                    self.expr(c, env);
                    self.guard(c, env);
                }
            }
            "else_clause" | "finally_clause" | "except_clause" => {
                for c in children(st) {
                    if c.kind() == "block" {
                        self.block(c, env, nest, ret);
                    }
                }
            }
            "for_statement" => {
                let t = st
                    .child_by_field_name("right")
                    .and_then(|r| self.expr(r, env));
                if let Some(left) = st.child_by_field_name("left") {
                    self.bind(left, t, env, false, Vec::new());
                }
                for c in children(st) {
                    match c.kind() {
                        "block" => self.block(c, env, nest + 1, ret),
                        "else_clause" => self.stmt(c, env, nest + 1, ret),
                        _ => {}
                    }
                }
            }
            "try_statement" => {
                for c in children(st) {
                    match c.kind() {
                        "block" => self.block(c, env, nest, ret),
                        _ => self.stmt(c, env, nest + 1, ret),
                    }
                }
            }
            "with_statement" => {
                for c in children(st) {
                    if c.kind() == "with_clause" {
                        for item in children(c) {
                            self.with_item(item, env);
                        }
                    } else if c.kind() == "block" {
                        self.block(c, env, nest, ret);
                    }
                }
            }
            "function_definition" | "class_definition" | "decorated_definition" => {}
            "block" => self.block(st, env, nest, ret),
            _ => {
                for c in children(st) {
                    self.expr(c, env);
                }
            }
        }
    }

    fn with_item(&mut self, item: Node<'t>, env: &mut Env) {
        let Some(v) = item.child_by_field_name("value") else {
            return;
        };
        if v.kind() == "as_pattern" {
            let inner = v.named_child(0);
            let target = v
                .child_by_field_name("alias")
                .and_then(|a| a.named_child(0));
            if let Some(inner) = inner {
                let t = self.expr(inner, env);
                if let Some(target) = target {
                    if self.is_client_ctor(inner) {
                        env.clients.insert(self.t(target).to_string());
                    }
                    let parents = self.tainted_idents(inner, env);
                    self.bind(target, t, env, true, parents);
                }
            }
        } else {
            self.expr(v, env);
        }
    }

    fn is_client_ctor(&self, e: Node<'_>) -> bool {
        let e = if e.kind() == "await" {
            e.named_child(0).unwrap_or(e)
        } else {
            e
        };
        e.kind() == "call"
            && e.child_by_field_name("function")
                .and_then(|f| dotted(f, self.text, self.imports))
                .is_some_and(|d| HTTP_CLIENTS.contains(&d.as_str()))
    }

    fn assign(&mut self, a: Node<'t>, env: &mut Env, nest: usize) {
        let Some(right) = a.child_by_field_name("right") else {
            return;
        };
        let (t, parents) = if right.kind() == "assignment" {
            self.assign(right, env, nest);
            let l = right.child_by_field_name("left");
            (l.and_then(|l| self.expr(l, env)), Vec::new())
        } else {
            (self.expr(right, env), self.tainted_idents(right, env))
        };
        let Some(left) = a.child_by_field_name("left") else {
            return;
        };
        if self.is_client_ctor(right) {
            env.clients.insert(self.t(left).to_string());
        }
        self.track_list(left, right, a.kind() == "augmented_assignment");
        if a.kind() == "augmented_assignment" {
            let old = self.expr(left, env);
            let mut t = Taint::merge(old, t);
            if let Some(t) = t.as_mut() {
                t.built = true;
            }
            self.bind(left, t, env, false, parents);
        } else {
            self.bind(left, t, env, nest == 0, parents);
        }
    }

    /// `args = [...]` starts an argument list in a variable, `args += [...]` extends
    /// it; any other assignment ends it.
    fn track_list(&mut self, left: Node<'_>, right: Node<'_>, augmented: bool) {
        if left.kind() != "identifier" {
            return;
        }
        let name = self.t(left).to_string();
        let elems = matches!(right.kind(), "list" | "tuple")
            .then(|| self.elems.get(&right.id()).cloned())
            .flatten();
        match (elems, augmented) {
            (Some(e), false) => {
                self.lists.insert(name, argv::List { elems: e });
            }
            (Some(e), true) => {
                if let Some(l) = self.lists.get_mut(&name) {
                    l.elems.extend(e);
                }
            }
            (None, _) => {
                self.lists.remove(&name);
            }
        }
    }

    /// `args.append(x)`, `args.extend([...])`, `args.insert(1, x)` on a tracked list.
    fn grow_list(&mut self, recv: Option<Node<'_>>, last: &str, pos: &[(Node<'t>, Option<Taint>)]) {
        let Some(name) = recv.filter(|r| r.kind() == "identifier").map(|r| self.t(r)) else {
            return;
        };
        if !self.lists.contains_key(name) {
            return;
        }
        let one = |(n, t): &(Node<'t>, Option<Taint>)| argv::Elem {
            span: n.byte_range(),
            taint: t.clone(),
            lit: string_literal(*n, self.text),
        };
        let new: Vec<argv::Elem> = match (last, pos) {
            ("append", [a]) => vec![one(a)],
            ("extend", [(n, t)]) => match self.elems.get(&n.id()) {
                Some(e) if matches!(n.kind(), "list" | "tuple") => e.clone(),
                _ => vec![one(&(*n, t.clone()))],
            },
            _ => return,
        };
        if let Some(l) = self.lists.get_mut(name) {
            l.elems.extend(new);
        }
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
            "identifier" | "attribute" => {
                let name = self.t(target);
                let t = t.map(|t| t.step(target.byte_range(), format!("assigned to `{name}`")));
                env.set(name, t, parents, kill);
            }
            "subscript" => {
                // `d[k] = v`: the container now holds a tainted value.
                if let Some(v) = target.child_by_field_name("value") {
                    if t.is_some() {
                        self.bind(v, t, env, false, parents);
                    }
                }
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "list_splat_pattern" => {
                for c in children(target) {
                    self.bind(c, t.clone(), env, kill, parents.clone());
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
                "identifier" | "attribute" if env.is_tainted(self.t(n)) => {
                    out.push(self.t(n).to_string())
                }
                _ => stack.extend(children(n)),
            }
        }
        out
    }

    /// A condition that validates a tainted value makes it safe from here on.
    fn guard(&mut self, cond: Node<'_>, env: &mut Env) {
        match cond.kind() {
            "not_operator" | "parenthesized_expression" | "boolean_operator" => {
                for c in children(cond) {
                    self.guard(c, env);
                }
            }
            "comparison_operator" => {
                let mut c = cond.walk();
                let ops: Vec<&str> = cond
                    .children_by_field_name("operators", &mut c)
                    .map(|o| o.kind())
                    .collect();
                let parts = children(cond);
                let allow = ops
                    .iter()
                    .any(|o| matches!(*o, "in" | "not in" | "==" | "!="));
                if let (true, Some(left), Some(right)) = (allow, parts.first(), parts.get(1)) {
                    // Tainted value on the left, a constant or allow-list on the right.
                    if self.tainted_idents(*right, env).is_empty() {
                        // `Path(p).resolve().parent == root`, `commonpath([real, root]) == root`:
                        // a resolved path compared with a fixed one is contained.
                        if self.peek(*left, env).is_some_and(|t| t.resolved) {
                            for n in self.tainted_idents(*left, env) {
                                env.clear(&n, bits(&[Sink::File]));
                            }
                        }
                        self.validated(*left, env, ALL);
                    }
                }
            }
            "call" => self.guard_call(cond, env),
            _ => {}
        }
    }

    fn guard_call(&mut self, call: Node<'_>, env: &mut Env) {
        let Some(f) = call.child_by_field_name("function") else {
            return;
        };
        let args = call
            .child_by_field_name("arguments")
            .map(children)
            .unwrap_or_default();
        let name = dotted(f, self.text, self.imports).unwrap_or_default();
        let last = self.last_name(f);
        let last = last.as_str();
        if f.kind() == "attribute" {
            let obj = f.child_by_field_name("object");
            let resolved = obj
                .and_then(|o| self.peek(o, env))
                .is_some_and(|t| t.resolved);
            match last {
                "is_relative_to" | "relative_to" if resolved => {
                    if let Some(o) = obj {
                        for n in self.tainted_idents(o, env) {
                            env.clear(&n, bits(&[Sink::File]));
                        }
                    }
                    return;
                }
                // `if x.startswith("-"): raise`: cannot be an option.
                "startswith" if args.first().is_some_and(|a| self.dash_literal(*a)) => {
                    if let Some(o) = obj {
                        for n in self.tainted_idents(o, env) {
                            env.clear(&n, bits(&[Sink::Argv]));
                        }
                    }
                    return;
                }
                "startswith" => {
                    if let Some(o) = obj {
                        for n in self.tainted_idents(o, env) {
                            if resolved {
                                env.clear(&n, bits(&[Sink::File]));
                            } else {
                                env.mark_prefix(&n);
                            }
                        }
                    }
                    return;
                }
                _ => {}
            }
        }
        let regex = matches!(name.as_str(), "re.match" | "re.fullmatch")
            || (f.kind() == "attribute" && matches!(last, "match" | "fullmatch"));
        if regex {
            let (pattern, subject) = if name.starts_with("re.") {
                (args.first().copied(), args.get(1).copied())
            } else {
                (None, args.first().copied())
            };
            let p = pattern.map(|p| self.t(p)).unwrap_or(".");
            let mut classes = bits(&[Sink::Shell, Sink::Sql, Sink::Code]);
            if !p.contains('.') && !p.contains('/') {
                classes = ALL & !bits(&[Sink::Argv]);
            }
            // A compiled pattern defined elsewhere (`REF.match(x)`) is taken as the
            // format check it appears to be.
            if pattern.is_none() || argv::regex_rejects_dash(p, true) {
                classes |= bits(&[Sink::Argv]);
            }
            if let Some(s) = subject {
                self.validated(s, env, classes);
            }
            return;
        }
        if f.kind() == "identifier" && taint::is_validator_name(last) {
            for a in args {
                self.validated(a, env, ALL);
            }
        }
    }

    /// A string literal starting with `-`, or a tuple of them (`("-", "--")`).
    fn dash_literal(&self, n: Node<'_>) -> bool {
        match n.kind() {
            "tuple" => children(n).into_iter().any(|c| self.dash_literal(c)),
            _ => string_literal(n, self.text).is_some_and(|s| s.starts_with('-')),
        }
    }

    /// A guard validated `node` for `classes`. A whole variable or field is marked; a
    /// URL's host (`urlparse(u).hostname`, `parsed.netloc`) validates the URL it came
    /// from, for fetching only; a derived value (`cmd.split()[0]`) validates nothing.
    fn validated(&self, node: Node<'_>, env: &mut Env, classes: u8) {
        match node.kind() {
            "identifier" | "attribute" => {
                let field = node
                    .child_by_field_name("attribute")
                    .map(|a| self.t(a))
                    .unwrap_or("");
                if taint::HOST_FIELDS.contains(&field) {
                    if let Some(base) = node.child_by_field_name("object") {
                        let base = if base.kind() == "call" {
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
            "parenthesized_expression" | "keyword_argument" => {
                if let Some(c) =
                    node.named_child((node.named_child_count() as u32).saturating_sub(1))
                {
                    self.validated(c, env, classes);
                }
            }
            _ => {}
        }
    }

    /// `validate_path(p)` as a statement: the helper raises on bad input.
    fn validator_call(&mut self, e: Node<'_>, env: &mut Env) {
        let e = if e.kind() == "await" {
            e.named_child(0).unwrap_or(e)
        } else {
            e
        };
        if e.kind() == "call" {
            self.guard_call(e, env);
            self.validator_callback(e, env);
        }
    }

    /// `await run_in_threadpool(validate_url, url)`, `asyncio.to_thread(check, p)`:
    /// a validating helper run through an executor validates the other arguments.
    fn validator_callback(&mut self, call: Node<'_>, env: &mut Env) {
        let Some(args) = call.child_by_field_name("arguments") else {
            return;
        };
        let args = children(args);
        let validator = args
            .iter()
            .any(|a| a.kind() == "identifier" && taint::is_validator_name(self.t(*a)));
        if validator {
            let checked: Vec<Node<'_>> = args
                .into_iter()
                .filter(|a| a.kind() != "identifier" || env.is_tainted(self.t(*a)))
                .collect();
            for a in checked {
                self.validated(a, env, ALL);
            }
        }
    }

    /// Taint of an expression without reporting (for guards).
    fn peek(&self, node: Node<'_>, env: &Env) -> Option<Taint> {
        match node.kind() {
            "identifier" | "attribute" => env.get(self.t(node)).cloned().or_else(|| {
                node.child_by_field_name("object")
                    .and_then(|o| self.peek(o, env))
            }),
            _ => {
                let t = children(node)
                    .into_iter()
                    .fold(None, |acc, c| Taint::merge(acc, self.peek(c, env)));
                let resolves = node.kind() == "call"
                    && node.child_by_field_name("function").is_some_and(|f| {
                        matches!(self.last_name(f).as_str(), "resolve" | "realpath")
                    });
                t.map(|mut t| {
                    t.resolved |= resolves;
                    t
                })
            }
        }
    }

    fn expr(&mut self, node: Node<'t>, env: &mut Env) -> Option<Taint> {
        match node.kind() {
            "identifier" => env.get(self.t(node)).cloned(),
            "attribute" => {
                if let Some(t) = env.get(self.t(node)) {
                    return Some(t.clone());
                }
                if let Some(t) = self.src.request_attr(node, self.text, env) {
                    return Some(t);
                }
                node.child_by_field_name("object")
                    .and_then(|o| self.expr(o, env))
            }
            "dictionary" => self.role_dict(node, env),
            "subscript" => {
                for s in children(node).into_iter().skip(1) {
                    self.expr(s, env);
                }
                node.child_by_field_name("value")
                    .and_then(|v| self.expr(v, env))
            }
            "call" => self.call(node, env),
            "list" | "tuple" => {
                let mut acc = None;
                let mut elems = Vec::new();
                for c in children(node) {
                    let t = self.expr(c, env);
                    // `"-l" if long else "-1"`: a choice between constants is no value
                    // of the tool's, whatever decided it.
                    let choice = c.kind() == "conditional_expression"
                        && [0, 2].iter().all(|&i| {
                            c.named_child(i)
                                .is_some_and(|b| string_literal(b, self.text).is_some())
                        });
                    elems.push(argv::Elem {
                        span: c.byte_range(),
                        taint: if choice { None } else { t.clone() },
                        lit: string_literal(c, self.text),
                    });
                    acc = Taint::merge(acc, t);
                }
                self.elems.insert(node.id(), elems);
                acc
            }
            "string" => {
                let mut acc = None;
                let mut sql = false;
                let mut prefix = String::new();
                for c in children(node) {
                    match c.kind() {
                        "interpolation" => {
                            let t = c
                                .child_by_field_name("expression")
                                .and_then(|e| self.expr(e, env));
                            if acc.is_none() && t.is_none() {
                                prefix.push(taint::CONST);
                            }
                            acc = Taint::merge(acc, t);
                        }
                        "string_content" => {
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
            "binary_operator" => {
                let op = node
                    .child_by_field_name("operator")
                    .map(|o| o.kind())
                    .unwrap_or("");
                let l = node.child_by_field_name("left");
                let r = node.child_by_field_name("right");
                let lt = l.and_then(|l| self.expr(l, env));
                let rt = r.and_then(|r| self.expr(r, env));
                if !matches!(op, "+" | "%" | "/") {
                    return None;
                }
                let sql = [l, r]
                    .iter()
                    .flatten()
                    .any(|n| string_literal(*n, self.text).is_some_and(|s| taint::sql_like(&s)));
                let left_fixed = match (l, &lt) {
                    (_, Some(t)) => t.host_fixed,
                    (Some(l), None) => {
                        let p = string_literal(l, self.text).unwrap_or_else(|| CONST_STR.into());
                        let p = if op == "%" {
                            p.split('%').next().unwrap_or("").to_string()
                        } else {
                            p
                        };
                        taint::fixed_host(&p)
                    }
                    _ => false,
                };
                let left_start = match (l, &lt) {
                    (_, Some(t)) => t.starts_fixed,
                    (Some(_), None) => true,
                    _ => false,
                };
                Taint::merge(lt, rt).map(|mut t| {
                    if op != "/" {
                        t.built = true;
                        t.sqlish |= sql;
                        t.host_fixed = left_fixed;
                        t.starts_fixed = left_start;
                    }
                    t
                })
            }
            "integer"
            | "float"
            | "true"
            | "false"
            | "none"
            | "lambda"
            | "comparison_operator"
            | "not_operator" => {
                for c in children(node) {
                    self.expr(c, env);
                }
                None
            }
            "keyword_argument" => node
                .child_by_field_name("value")
                .and_then(|v| self.expr(v, env)),
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
        let f = node.child_by_field_name("function")?;
        let name = dotted(f, self.text, self.imports).unwrap_or_default();
        let last = self.last_name(f);
        let recv = if f.kind() == "attribute" {
            f.child_by_field_name("object")
        } else {
            None
        };
        let recv_t = recv.and_then(|r| self.expr(r, env));
        let mut pos: Vec<(Node<'t>, Option<Taint>)> = Vec::new();
        let mut kw: Vec<(String, Node<'t>, Option<Taint>)> = Vec::new();
        if let Some(args) = node.child_by_field_name("arguments") {
            for a in children(args) {
                if a.kind() == "keyword_argument" {
                    let k = a.child_by_field_name("name").map(|n| self.t(n).to_string());
                    if let (Some(k), Some(v)) = (k, a.child_by_field_name("value")) {
                        let t = self.expr(v, env);
                        kw.push((k, v, t));
                    }
                } else if a.kind() != "comment" {
                    let t = self.expr(a, env);
                    pos.push((a, t));
                }
            }
        }
        let call = Call {
            node,
            name: &name,
            last: &last,
            recv,
            recv_t: recv_t.as_ref(),
            pos: &pos,
            kw: &kw,
        };
        self.sinks(&call, env);
        self.grow_list(recv, &last, &pos);
        self.content_sinks(&call, env);
        let (src, text, imports) = (self.src, self.text, self.imports);
        if let Some(t) = src
            .model_call(node, &name, &last, recv, text, imports)
            .or_else(|| src.request_call(node, &last, recv, text, env))
        {
            return Some(t);
        }
        if let Some(t) = self.html_clean(&name, &pos) {
            return t;
        }

        // Helpers in the same file, up to `MAX_HELPER_DEPTH` calls deep.
        let helper = if f.kind() == "identifier" && !self.imports.contains_key(self.t(f)) {
            self.funcs.get(self.t(f)).copied()
        } else if recv.is_some_and(|r| self.t(r) == "self") {
            self.funcs.get(last.as_str()).copied()
        } else {
            None
        };
        // A validating helper (here or imported) returns a checked value; sinks were
        // checked above, so `check_output` is not taken for one.
        if taint::is_validator_name(&last) && recv_t.is_none() {
            return None;
        }
        if let Some(h) = helper {
            if self.depth < MAX_HELPER_DEPTH
                && self.visits < MAX_HELPER_VISITS
                && !self.stack.contains(&h.id())
                && (pos.iter().any(|p| p.1.is_some()) || kw.iter().any(|k| k.2.is_some()))
            {
                return self.helper(h, node, &last, &pos, &kw);
            }
        }

        let arg0 = pos.first().and_then(|p| p.1.clone());
        match name.as_str() {
            "shlex.quote" | "pipes.quote" => {
                return arg0.map(|mut t| {
                    t.clear(bits(&[Sink::Shell]));
                    t
                })
            }
            "int"
            | "float"
            | "bool"
            | "len"
            | "abs"
            | "round"
            | "hash"
            | "ord"
            | "uuid.UUID"
            | "ast.literal_eval"
            | "json.dumps"
            | "ipaddress.ip_address" => return None,
            "os.path.realpath" => {
                return arg0.map(|mut t| {
                    t.resolved = true;
                    t
                })
            }
            // A final path component cannot leave the directory it is joined to.
            "os.path.basename" | "posixpath.basename" => {
                return arg0.map(|mut t| {
                    t.clear(bits(&[Sink::File]));
                    t
                })
            }
            // `re.sub(r"[^\w.-]", "_", name)`: only the kept characters remain.
            "re.sub" => {
                let pattern = pos.first().and_then(|p| string_literal(p.0, self.text));
                let cleared = pattern.map(|p| taint::stripped_by(&p)).unwrap_or(0);
                return pos.get(2).and_then(|p| p.1.clone()).map(|mut t| {
                    t.clear(cleared);
                    t
                });
            }
            "urllib.parse.quote" | "urllib.parse.quote_plus" => {
                return arg0.map(|mut t| {
                    t.clear(bits(&[Sink::Shell, Sink::Sql, Sink::Code]));
                    t
                })
            }
            _ => {}
        }
        // `x.lstrip("-")` cannot start an option.
        if last == "lstrip" && pos.first().is_some_and(|a| self.dash_literal(a.0)) {
            return recv_t.map(|mut t| {
                t.clear(bits(&[Sink::Argv]));
                t
            });
        }
        if recv_t.is_some() && matches!(last.as_str(), "resolve" | "realpath") {
            return recv_t.map(|mut t| {
                t.resolved = true;
                t
            });
        }
        let mut acc = recv_t.clone();
        for (_, t) in &pos {
            acc = Taint::merge(acc, t.clone());
        }
        for (_, _, t) in &kw {
            acc = Taint::merge(acc, t.clone());
        }
        if last == "format" || last == "join" {
            let lit = recv.and_then(|r| string_literal(r, self.text));
            let sql = lit.as_deref().is_some_and(taint::sql_like);
            let head = (last == "format")
                .then(|| lit.as_deref().map(|s| s.split('{').next().unwrap_or("")))
                .flatten();
            let fixed = head.is_some_and(taint::fixed_host);
            let starts = head.is_some_and(|h| !h.is_empty());
            acc = acc.map(|mut t| {
                t.built = true;
                t.sqlish |= sql;
                t.host_fixed = fixed;
                t.starts_fixed = starts;
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
        kw: &[(String, Node<'t>, Option<Taint>)],
    ) -> Option<Taint> {
        if super::too_deep(h) {
            return None;
        }
        let ps = params(h, self.text);
        let mut env = Env::default();
        for (i, (p, span)) in ps.iter().enumerate() {
            let t = pos
                .get(i)
                .and_then(|a| a.1.clone())
                .or_else(|| kw.iter().find(|k| &k.0 == p).and_then(|k| k.2.clone()));
            if let Some(t) = t {
                let t = t
                    .step(call.byte_range(), format!("passed to `{name}`"))
                    .step(span.clone(), format!("parameter `{p}` of `{name}`"));
                env.set(p, Some(t), Vec::new(), true);
            }
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

    fn sinks(&mut self, c: &Call<'_, 't>, env: &Env) {
        let kwv = |k: &str| c.kw.iter().find(|x| x.0 == k);
        let kw_text = |k: &str| kwv(k).map(|x| self.t(x.1)).unwrap_or("");
        let arg = |i: usize| c.pos.get(i).and_then(|(n, t)| t.as_ref().map(|t| (*n, t)));
        let first = arg(0).or_else(|| {
            [
                "args",
                "cmd",
                "command",
                "url",
                "file",
                "path",
                "source",
                "sql",
                "statement",
            ]
            .iter()
            .find_map(|k| kwv(k).and_then(|x| x.2.as_ref().map(|t| (x.1, t))))
        });
        let name = c.name;
        // Shell.
        let shell_fn = matches!(
            name,
            "os.system"
                | "os.popen"
                | "subprocess.getoutput"
                | "subprocess.getstatusoutput"
                | "commands.getoutput"
                | "asyncio.create_subprocess_shell"
        );
        let shell_true = name.starts_with("subprocess.")
            && matches!(
                c.last,
                "run" | "call" | "check_call" | "check_output" | "Popen"
            )
            && kw_text("shell") == "True";
        if shell_fn || shell_true {
            if let Some((n, t)) = first {
                let callee = if shell_true {
                    format!("{name}(..., shell=True)")
                } else {
                    format!("{name}()")
                };
                self.flow(Sink::Shell, n, t, callee, None);
            }
            return;
        }
        // Argument lists run without a shell.
        if let Some((elems, skip, call)) = self.argv_sink(c) {
            let program = if skip == 0 {
                Some("git".to_string())
            } else {
                elems.first().and_then(|e| e.lit.clone())
            };
            // The value names the program itself: it runs whatever command it likes.
            if let Some((e, t)) = elems
                .first()
                .filter(|_| skip == 1)
                .and_then(|e| e.taint.as_ref().map(|t| (e, t)))
            {
                Flow::record(
                    &mut self.flows,
                    Sink::Shell,
                    e.span.clone(),
                    t,
                    format!("{call} with the program chosen by the value"),
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
                &call,
                self.tool,
            );
            return;
        }
        // Code, templates, deserialisation.
        let builtin = |b: &str| name == b && !self.funcs.contains_key(b);
        let yaml_unsafe = name == "yaml.load"
            && !["Loader", "loader"]
                .iter()
                .any(|k| kw_text(k).contains("Safe") || kw_text(k).contains("BaseLoader"))
            && !c.pos.get(1).is_some_and(|p| self.t(p.0).contains("Safe"));
        let code = builtin("eval")
            || builtin("exec")
            || builtin("compile")
            || builtin("__import__")
            || yaml_unsafe
            || matches!(
                name,
                "runpy.run_path"
                    | "runpy.run_module"
                    | "importlib.import_module"
                    | "pickle.loads"
                    | "pickle.load"
                    | "cPickle.loads"
                    | "dill.loads"
                    | "dill.load"
                    | "cloudpickle.loads"
                    | "cloudpickle.load"
                    | "marshal.loads"
                    | "jsonpickle.decode"
                    | "yaml.unsafe_load"
                    | "jinja2.Template"
                    | "flask.render_template_string"
            )
            || (c.recv.is_some() && c.last == "from_string");
        if code {
            if let Some((n, t)) = first {
                self.flow(Sink::Code, n, t, format!("{name}()"), None);
            }
            return;
        }
        // Files.
        let file_fn = matches!(name, "open" | "io.open" | "codecs.open" | "aiofiles.open")
            && !self.funcs.contains_key(name)
            || matches!(
                name,
                "os.remove"
                    | "os.unlink"
                    | "os.rmdir"
                    | "os.removedirs"
                    | "os.rename"
                    | "os.replace"
                    | "os.listdir"
                    | "os.scandir"
                    | "os.walk"
                    | "os.makedirs"
                    | "os.mkdir"
                    | "os.open"
                    | "os.chmod"
                    | "os.symlink"
                    | "os.truncate"
                    | "shutil.copy"
                    | "shutil.copy2"
                    | "shutil.copyfile"
                    | "shutil.copytree"
                    | "shutil.rmtree"
                    | "shutil.move"
                    | "flask.send_file"
            );
        if file_fn {
            let two = matches!(
                c.last,
                "rename"
                    | "replace"
                    | "copy"
                    | "copy2"
                    | "copyfile"
                    | "copytree"
                    | "move"
                    | "symlink"
            );
            for i in 0..if two { 2 } else { 1 } {
                if let Some((n, t)) = if i == 0 { first } else { arg(i) } {
                    let note = t.prefix_note();
                    self.flow(Sink::File, n, t, format!("{name}()"), note);
                }
            }
            return;
        }
        let path_method = matches!(
            c.last,
            "read_text"
                | "read_bytes"
                | "write_text"
                | "write_bytes"
                | "iterdir"
                | "unlink"
                | "rmdir"
                | "mkdir"
                | "touch"
                | "symlink_to"
                | "rglob"
        );
        if path_method {
            if let (Some(r), Some(t)) = (c.recv, c.recv_t) {
                let note = t.prefix_note();
                self.flow(Sink::File, r, t, format!(".{}()", c.last), note);
            }
            return;
        }
        // Network.
        let module_http = (name.starts_with("requests.") || name.starts_with("httpx."))
            && HTTP_METHODS.contains(&c.last)
            || matches!(
                name,
                "urllib.request.urlopen"
                    | "urllib.request.Request"
                    | "urllib.urlopen"
                    | "aiohttp.request"
            );
        let client_http = c
            .recv
            .is_some_and(|r| env.clients.contains(self.t(r)) || self.is_client_ctor(r))
            && HTTP_METHODS.contains(&c.last);
        if module_http || client_http {
            let url = if c.last == "request" { arg(1) } else { arg(0) }
                .or_else(|| kwv("url").and_then(|x| x.2.as_ref().map(|t| (x.1, t))));
            if let Some((n, t)) = url.filter(|(_, t)| !t.host_fixed) {
                let follows = ["follow_redirects", "allow_redirects"]
                    .iter()
                    .any(|k| kw_text(k) == "True");
                let note = follows.then_some("redirects are followed without re-checking each hop");
                let callee = if client_http {
                    format!("{}.{}()", self.t(c.recv.unwrap_or(c.node)), c.last)
                } else {
                    format!("{name}()")
                };
                self.flow(Sink::Network, n, t, callee, note);
            }
            return;
        }
        // SQL.
        let sql_method = c.recv.is_some()
            && matches!(
                c.last,
                "execute"
                    | "executemany"
                    | "executescript"
                    | "exec_driver_sql"
                    | "raw"
                    | "read_sql"
                    | "read_sql_query"
            );
        let sql_fn = matches!(
            name,
            "sqlalchemy.text" | "sqlalchemy.sql.text" | "pandas.read_sql" | "pandas.read_sql_query"
        );
        if sql_method || sql_fn {
            if let Some((n, t)) = first {
                let recv = c
                    .recv
                    .map(|r| self.t(r).to_ascii_lowercase())
                    .unwrap_or_default();
                // `cur`, `con`, `self.conn`, `db_session`; not `context` or `config`.
                let last_seg = recv.rsplit('.').next().unwrap_or(&recv);
                let dbish = ["cur", "conn", "db", "session", "engine"]
                    .iter()
                    .any(|k| last_seg.starts_with(k))
                    || last_seg == "con"
                    || ["sql", "cursor", "_db", "database"]
                        .iter()
                        .any(|k| last_seg.contains(k));
                if t.sqlish || (dbish && t.built) || sql_fn && t.built {
                    self.flow(
                        Sink::Sql,
                        n,
                        t,
                        format!("{}()", if name.is_empty() { c.last } else { name }),
                        None,
                    );
                }
            }
        }
    }
}

impl<'t> Fx<'_, 't> {
    /// The taint of an argv expression that is a whole command: a tool parameter as
    /// it arrived, or a string split into words.
    fn peek_direct(&self, arg: Node<'_>, t: Option<&Taint>) -> Option<Taint> {
        let t = t?;
        let split = arg.kind() == "call"
            && arg
                .child_by_field_name("function")
                .is_some_and(|f| self.last_name(f) == "split");
        (split || (arg.kind() == "identifier" && t.steps.len() == 1)).then(|| t.clone())
    }

    /// The argument list of a program started without a shell: `subprocess.run([...])`
    /// (or a list built in a variable), `asyncio.create_subprocess_exec(prog, *args)`,
    /// GitPython's `repo.git.<command>(*args)`. Returns the elements, how many lead
    /// the list as the program (none for GitPython, whose program is `git`), and
    /// the call's name.
    fn argv_sink(&self, c: &Call<'_, 't>) -> Option<(Vec<argv::Elem>, usize, String)> {
        let name = c.name;
        let list_of = |n: Node<'_>| -> Option<Vec<argv::Elem>> {
            match n.kind() {
                "list" | "tuple" => self.elems.get(&n.id()).cloned(),
                "identifier" => self.lists.get(self.t(n)).map(|l| l.elems.clone()),
                _ => None,
            }
        };
        let spread = |pos: &[(Node<'t>, Option<Taint>)]| -> Vec<argv::Elem> {
            let mut out = Vec::new();
            for (n, t) in pos {
                let inner = (n.kind() == "list_splat")
                    .then(|| n.named_child(0))
                    .flatten();
                match inner.and_then(list_of) {
                    Some(e) => out.extend(e),
                    None => out.push(argv::Elem {
                        span: n.byte_range(),
                        taint: t.clone(),
                        lit: string_literal(*n, self.text),
                    }),
                }
            }
            out
        };
        let subprocess = name.starts_with("subprocess.")
            && matches!(
                c.last,
                "run" | "call" | "check_call" | "check_output" | "Popen"
            );
        let listed = subprocess || matches!(name, "anyio.run_process" | "trio.run_process");
        if listed {
            let arg = c
                .pos
                .first()
                .map(|p| p.0)
                .or_else(|| c.kw.iter().find(|k| k.0 == "args").map(|k| k.1))?;
            let whole = || {
                // `subprocess.run(cmd.split())`, `subprocess.run(shlex.split(cmd))`, or a
                // list the tool receives as is: the value is the whole command line.
                let t = self.peek_direct(arg, c.pos.first().and_then(|p| p.1.as_ref()))?;
                Some(vec![argv::Elem {
                    span: arg.byte_range(),
                    taint: Some(t),
                    lit: None,
                }])
            };
            return Some((list_of(arg).or_else(whole)?, 1, format!("{name}()")));
        }
        if name == "asyncio.create_subprocess_exec" {
            return Some((spread(c.pos), 1, format!("{name}()")));
        }
        // GitPython: `repo.git.diff(target)` runs `git diff <target>`. Only in a file
        // that imports GitPython, and only git's own commands (a PyGithub client held
        // in `self.git` has `get_repo`, not `diff`).
        let git = root_module(self.imports, &["git"])
            && (argv::GIT_COMMANDS.contains(&c.last) || c.last == "execute")
            && c.recv.is_some_and(|r| {
                r.kind() == "attribute"
                    && r.child_by_field_name("attribute")
                        .is_some_and(|a| self.t(a) == "git")
            });
        if git {
            let call = format!("{}.{}()", self.t(c.recv?), c.last);
            if c.last == "execute" {
                return Some((list_of(c.pos.first()?.0)?, 1, call));
            }
            return Some((spread(c.pos), 0, call));
        }
        None
    }
}

struct Call<'c, 't> {
    node: Node<'t>,
    name: &'c str,
    last: &'c str,
    recv: Option<Node<'t>>,
    recv_t: Option<&'c Taint>,
    pos: &'c [(Node<'t>, Option<Taint>)],
    kw: &'c [(String, Node<'t>, Option<Taint>)],
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{analyse as parse, Lang};

    fn tools(src: &str) -> Vec<(String, &'static str, Vec<String>)> {
        let m = parse(Lang::Python, src).unwrap();
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
        let m = parse(Lang::Python, src).unwrap();
        m.flows
            .into_iter()
            .map(|f| (f.sink, src[f.span].to_string()))
            .collect()
    }

    #[test]
    fn discovers_fastmcp_with_alias() {
        let src = "from mcp.server.fastmcp import FastMCP as F, Context\nm = F('x')\n@m.tool()\ndef grep(pattern: str, ctx: Context) -> str:\n    \"\"\"Search.\"\"\"\n    return pattern\n@m.tool(name='other', description='d')\nasync def o(a, b=1): pass\n";
        let t = tools(src);
        assert_eq!(
            t[0],
            ("grep".into(), "FastMCP @tool", vec!["pattern".into()])
        );
        assert_eq!(t[1].0, "other");
        assert_eq!(t[1].2, vec!["a", "b"]);
    }

    #[test]
    fn discovers_each_framework() {
        let cases = [
            ("from langchain_core.tools import tool as t\n@t\ndef f(q: str): pass\n", "LangChain @tool"),
            ("from agents import function_tool\n@function_tool\ndef f(q: str): pass\n", "OpenAI Agents @function_tool"),
            ("from crewai.tools import tool\n@tool('Search')\ndef f(q: str): pass\n", "CrewAI @tool"),
            ("from smolagents import tool\n@tool\ndef f(q: str) -> str: pass\n", "smolagents @tool"),
            ("from claude_agent_sdk import tool\n@tool('greet', 'Greet', {'name': str})\nasync def f(args): pass\n", "Claude Agent SDK @tool"),
            ("from pydantic_ai import Agent, RunContext\nagent = Agent('m')\n@agent.tool\ndef f(ctx: RunContext[int], q: str): pass\n", "Pydantic AI @agent.tool"),
            ("from pydantic_ai import Agent\nagent = Agent('m')\n@agent.tool_plain\ndef f(q: str): pass\n", "Pydantic AI @agent.tool"),
            ("from fastmcp import FastMCP\nmcp = FastMCP()\n@mcp.tool\ndef f(q: str): pass\n", "FastMCP @tool"),
            ("from mcp.server.lowlevel import Server\nserver = Server('s')\n@server.call_tool()\nasync def f(name: str, arguments: dict): pass\n", "MCP low-level call_tool"),
            ("from langchain.tools import BaseTool\nclass S(BaseTool):\n    name = 'shell'\n    def _run(self, q: str, run_manager=None): pass\n", "tool class"),
            ("from langchain_core.tools import StructuredTool\ndef f(q: str): pass\nt = StructuredTool.from_function(func=f, name='n')\n", "registered function"),
        ];
        for (src, fw) in cases {
            let t = tools(src);
            assert_eq!(t.len(), 1, "{src}");
            assert_eq!(t[0].1, fw, "{src}");
            assert!(
                t[0].2.contains(&"q".to_string())
                    || t[0].2.contains(&"args".to_string())
                    || t[0].2.contains(&"arguments".to_string()),
                "{src}: {:?}",
                t[0].2
            );
        }
        assert_eq!(
            tools("from crewai.tools import tool\n@tool('Search')\ndef f(q): pass\n")[0].0,
            "Search"
        );
        assert_eq!(
            tools("class S(BaseTool):\n    name = 'shell'\n    def _run(self, q): pass\n")[0].0,
            "shell"
        );
        // A plain decorator of another library is not a tool.
        assert!(tools("import functools\n@functools.cache\ndef f(q): pass\n").is_empty());
        assert!(tools("@tool\ndef f(q): pass\n").is_empty());
    }

    const HEAD: &str = "import subprocess, os, shlex, requests, httpx, sqlite3, yaml\nfrom pathlib import Path\nfrom mcp.server.fastmcp import FastMCP\nmcp = FastMCP('s')\n";

    fn tool(body: &str) -> String {
        format!("{HEAD}@mcp.tool()\ndef t(p: str, n: int = 1) -> str:\n{body}")
    }

    #[test]
    fn shell_flows_and_sanitisers() {
        let f = flows(&tool(
            "    return subprocess.check_output(f'grep -r {p} .', shell=True)\n",
        ));
        assert_eq!(f, [(Sink::Shell, "f'grep -r {p} .'".to_string())]);
        let f = flows(&tool("    cmd = 'ls ' + p\n    os.system(cmd)\n"));
        assert_eq!(f, [(Sink::Shell, "cmd".to_string())]);
        assert!(flows(&tool("    os.system('ls ' + shlex.quote(p))\n")).is_empty());
        assert!(flows(&tool("    subprocess.run(['grep', '--', p, '.'])\n")).is_empty());
        assert!(flows(&tool(
            "    if p not in ('a', 'b'):\n        raise ValueError()\n    os.system('ls ' + p)\n"
        ))
        .is_empty());
        assert!(flows(&tool("    q = int(p)\n    os.system(f'kill {q}')\n")).is_empty());
        // Checking a part of the value validates nothing.
        let part = tool("    if p.split()[0] in ('ls', 'pwd'):\n        os.system(p)\n");
        assert_eq!(flows(&part).len(), 1);
    }

    #[test]
    fn helper_one_level() {
        let src = format!(
            "{}def run(c):\n    return subprocess.run(c, shell=True)\n",
            tool("    return run('ls ' + p)\n")
        );
        let m = parse(Lang::Python, &src).unwrap();
        assert_eq!(m.flows.len(), 1);
        assert_eq!(&src[m.flows[0].span.clone()], "c");
        assert!(m.flows[0]
            .steps
            .iter()
            .any(|s| s.label.contains("passed to `run`")));
    }

    #[test]
    fn helpers_three_levels_and_recursion() {
        let chain = |n: usize| {
            let mut src = tool("    return h1(p)\n");
            for i in 1..n {
                src.push_str(&format!("def h{i}(x):\n    return h{}(x)\n", i + 1));
            }
            src.push_str(&format!("def h{n}(c):\n    return os.system(c)\n"));
            src
        };
        assert_eq!(flows(&chain(3)).len(), 1);
        let m = parse(Lang::Python, &chain(3)).unwrap();
        let calls = m.flows[0]
            .steps
            .iter()
            .filter(|s| s.label.starts_with("passed to"))
            .count();
        assert_eq!(calls, 3);
        assert!(flows(&chain(4)).is_empty());
        let rec = format!(
            "{}def r(x):\n    if x:\n        return r(x)\n    return os.system(x)\n",
            tool("    return r(p)\n")
        );
        assert_eq!(flows(&rec).len(), 1);
    }

    #[test]
    fn argv_lists() {
        let f = flows(&tool("    subprocess.run(['git', 'diff', p])\n"));
        assert_eq!(f, [(Sink::Argv, "p".to_string())]);
        let f = flows(&tool(
            "    a = ['git', 'log']\n    a += [p]\n    subprocess.run(a)\n",
        ));
        assert_eq!(f, [(Sink::Argv, "p".to_string())]);
        for ok in [
            "    subprocess.run(['git', 'diff', '--', p])\n",
            "    subprocess.run(['git', 'commit', '-m', p])\n",
            "    subprocess.run(['git', 'log', f'--author={p}'])\n",
            "    if p.startswith(('-', '+')):\n        raise ValueError()\n    subprocess.run(['git', 'show', p])\n",
            "    if not re.fullmatch(r'[a-z0-9]+', p):\n        raise ValueError()\n    subprocess.run(['git', 'show', p])\n",
            "    subprocess.run(['git', 'show', p], shell=True)\n",
            "    subprocess.run(['ls', '-l' if n else '-1'])\n",
            "    subprocess.run(['git', 'checkout', p.lstrip('-')])\n",
        ] {
            assert!(
                !flows(&tool(ok)).iter().any(|f| f.0 == Sink::Argv),
                "{ok}"
            );
        }
        let gp = |body: &str| format!("import git\n{}", tool(body));
        assert_eq!(flows(&gp("    return repo.git.log(p)\n")).len(), 1);
        assert!(flows(&gp("    return self.git.get_repo(p)\n")).is_empty());
        assert!(flows(&tool("    return repo.git.log(p)\n")).is_empty());
        let loose = tool("    if not re.fullmatch(r'[\\w.-]+', p):\n        raise ValueError()\n    subprocess.run(['git', 'show', p])\n");
        assert_eq!(flows(&loose).len(), 1);
    }

    #[test]
    fn path_network_sql_code() {
        assert_eq!(
            flows(&tool("    return open(os.path.join('/data', p)).read()\n"))[0].0,
            Sink::File
        );
        let good = tool("    root = Path('/data').resolve()\n    full = (root / p).resolve()\n    if not full.is_relative_to(root):\n        raise PermissionError()\n    return full.read_text()\n");
        assert!(flows(&good).is_empty(), "{:?}", flows(&good));
        let base = tool(
            "    name = os.path.basename(p)\n    return open(os.path.join('/data', name)).read()\n",
        );
        assert!(flows(&base).is_empty());
        let lexical = tool("    full = Path('/data') / p\n    if not full.is_relative_to('/data'):\n        raise PermissionError()\n    return full.read_text()\n");
        assert_eq!(flows(&lexical)[0].0, Sink::File);
        assert_eq!(
            flows(&tool(
                "    return httpx.get(p, follow_redirects=True).text\n"
            ))[0]
                .0,
            Sink::Network
        );
        assert_eq!(
            flows(&tool(
                "    with httpx.Client() as c:\n        return c.get(p).text\n"
            ))[0]
                .0,
            Sink::Network
        );
        let allow = tool("    from urllib.parse import urlparse\n    if urlparse(p).hostname not in ALLOWED:\n        raise ValueError()\n    return requests.get(p).text\n");
        assert!(flows(&allow).is_empty());
        assert_eq!(
            flows(&tool(
                "    cur.execute(f\"SELECT * FROM t WHERE a='{p}'\")\n"
            ))[0]
                .0,
            Sink::Sql
        );
        assert!(flows(&tool(
            "    cur.execute('SELECT * FROM t WHERE a=?', (p,))\n"
        ))
        .is_empty());
        assert_eq!(flows(&tool("    return str(eval(p))\n"))[0].0, Sink::Code);
        assert_eq!(flows(&tool("    return yaml.load(p)\n"))[0].0, Sink::Code);
        assert!(flows(&tool("    return yaml.load(p, Loader=yaml.SafeLoader)\n")).is_empty());
        // Odd inputs never panic.
        let _ = flows("@mcp.tool(\ndef");
        let _ = flows(&tool("    é = p\n    os.system(é)\n"));
    }
}
