//! Calls, assignments and string literals of a code file in one owned, flat form, for
//! the pattern rules ("a call to X with keyword Y = constant"). Callee names are
//! resolved through import aliases and through variables bound to a constructor, so
//! `m = F("x"); m.run(...)` reads as `mcp.server.fastmcp.FastMCP.run`. Built once per
//! file, on first use, and shared by every rule.

use std::collections::HashMap;

use tree_sitter::Node;

use super::{string_literal, text_of, unwrap_expr};
use crate::manifest::Span;

/// A constant or the shape of an expression, as far as a pattern needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Bool(bool),
    Num(String),
    Null,
    /// A name or attribute path, resolved through imports (`os.environ`).
    Name(String),
    List(Vec<(Value, Span)>),
    /// A dict or object literal: its entries as named arguments.
    Object(Vec<Arg>),
    Call(Box<Call>),
    /// Anything else (f-strings, arithmetic, lambdas ...).
    Other,
}

/// A positional (`name: None`) or keyword argument, or an object/dict entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<String>,
    pub name_span: Option<Span>,
    pub value: Value,
    pub span: Span,
    /// Where the string's characters start in the file, when written verbatim.
    pub verbatim: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Resolved dotted name: `langchain_community.vectorstores.FAISS.load_local`.
    pub callee: String,
    /// The callee as written: `FAISS.load_local`.
    pub raw: String,
    pub callee_span: Span,
    pub span: Span,
    pub args: Vec<Arg>,
    /// Names and attribute paths the arguments mention (log-like calls only), with
    /// subscript keys: `os.environ["API_KEY"]` → `os.environ[API_KEY]`.
    pub refs: Vec<(String, Span)>,
    /// Start of the enclosing function (0 at module level): local variables of
    /// different functions often share a name (`mcp`, `app`).
    pub scope: usize,
}

/// `target = value` (also `let`/`const` declarations and augmented forms).
#[derive(Debug, Clone)]
pub struct Assign {
    /// The target as written: `mcp.settings.host`, `API_KEY`.
    pub target: String,
    pub target_span: Span,
    pub value: Arg,
    pub scope: usize,
    /// An object or dict entry (`key: value`) rather than an assignment.
    pub property: bool,
}

#[derive(Debug, Default)]
pub struct Index {
    pub calls: Vec<Call>,
    pub assigns: Vec<Assign>,
    /// Every string literal as written (quotes included), for format-based checks.
    pub strings: Vec<Span>,
    /// Test code inside a source file (Rust `#[cfg(test)]` modules and `#[test]`
    /// functions): findings there are lowered like those in test files.
    pub tests: Vec<Span>,
    /// Names bound once to a string literal: `BASE_URL = "http://..."`.
    consts: HashMap<String, Option<(String, Span, Option<usize>)>>,
}

impl Call {
    /// The callee is `name` or ends with `.name` (a class or function, any module).
    pub fn is(&self, name: &str) -> bool {
        ends_with_segment(&self.callee, name) || ends_with_segment(&self.raw, name)
    }

    pub fn is_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.is(n))
    }

    /// The last segment of the callee: the method or function name.
    pub fn method(&self) -> &str {
        self.raw.rsplit('.').next().unwrap_or(&self.raw)
    }

    /// A keyword argument, or a property of an object-literal argument (TS options).
    pub fn kw(&self, name: &str) -> Option<&Arg> {
        self.args
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
            .or_else(|| {
                self.args.iter().find_map(|a| match &a.value {
                    Value::Object(props) if a.name.is_none() => {
                        props.iter().find(|p| p.name.as_deref() == Some(name))
                    }
                    _ => None,
                })
            })
    }

    /// A keyword argument written as such (`f(key=...)`), not an entry of a dict
    /// argument: Python options are keywords.
    pub fn kwarg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|a| a.name.as_deref() == Some(name))
    }

    /// The last segment of the resolved callee: `load` of `torch.load`, the class of
    /// an aliased import.
    pub fn last(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or(&self.callee)
    }

    /// The `i`-th positional argument.
    pub fn pos(&self, i: usize) -> Option<&Arg> {
        self.args.iter().filter(|a| a.name.is_none()).nth(i)
    }
}

impl Arg {
    pub fn is_true(&self) -> bool {
        matches!(self.value, Value::Bool(true))
    }

    pub fn is_false(&self) -> bool {
        matches!(self.value, Value::Bool(false))
    }
}

impl Index {
    /// Records `name` bound to a string literal; bound twice, it is no constant.
    pub(crate) fn bind_const(&mut self, name: String, value: (String, Span, Option<usize>)) {
        self.consts
            .entry(name)
            .and_modify(|x| *x = None)
            .or_insert(Some(value));
    }

    /// The string an argument holds: a literal or a name bound once to a literal.
    /// The span is the argument's (the literal, or the constant's name).
    pub fn string<'a>(&'a self, arg: &'a Arg) -> Option<(&'a str, Span, Option<usize>)> {
        match &arg.value {
            Value::Str(s) => Some((s.as_str(), arg.span.clone(), arg.verbatim)),
            Value::Name(n) => match self.consts.get(n) {
                // Reported where the constant is used, not where it is defined.
                Some(Some((s, _, _))) => Some((s.as_str(), arg.span.clone(), None)),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The exact bytes of `range` inside a string literal written verbatim, else the
/// whole literal.
pub fn sub_span(span: &Span, verbatim: Option<usize>, range: std::ops::Range<usize>) -> Span {
    match verbatim {
        Some(start) => start + range.start..start + range.end,
        None => span.clone(),
    }
}

fn ends_with_segment(full: &str, name: &str) -> bool {
    full == name
        || full
            .strip_suffix(name)
            .is_some_and(|head| head.ends_with('.') || head.ends_with('/'))
}

/// Builds the index from the named nodes of a file in source order (the list
/// `lang::analyse` collects once for every pass).
pub fn build(
    nodes: &[Node<'_>],
    lang: &tree_sitter::Language,
    text: &str,
    imports: &HashMap<String, String>,
) -> Index {
    let mut b = Builder {
        fl: Fields::new(lang),
        text,
        imports,
        instances: HashMap::new(),
        index: Index::default(),
    };
    b.walk(nodes, &kind_table(lang));
    b.resolve_instances();
    b.index
}

/// What the walk does with a node kind, looked up by kind id: comparing kind names
/// for every node of a large file costs more than the walk itself.
#[derive(Clone, Copy, PartialEq)]
enum K {
    Other,
    Call,
    Assign,
    Declarator,
    Pair,
    Str,
    Skip,
    Func,
}

fn kind_table(lang: &tree_sitter::Language) -> Vec<K> {
    (0..lang.node_kind_count())
        .map(|id| {
            let id = id as u16;
            if !lang.node_kind_is_named(id) {
                return K::Other;
            }
            match lang.node_kind_for_id(id).unwrap_or("") {
                "call" | "call_expression" | "new_expression" => K::Call,
                "assignment" | "augmented_assignment" | "assignment_expression" => K::Assign,
                "variable_declarator" => K::Declarator,
                "pair" => K::Pair,
                "string" | "template_string" => K::Str,
                "comment" => K::Skip,
                "function_definition"
                | "function_declaration"
                | "method_definition"
                | "arrow_function"
                | "function_expression"
                | "lambda"
                | "generator_function_declaration" => K::Func,
                _ => K::Other,
            }
        })
        .collect()
}

/// Field ids of the grammar: looking a field up by name scans the field table.
struct Fields {
    arguments: Option<std::num::NonZeroU16>,
    attribute: Option<std::num::NonZeroU16>,
    constructor: Option<std::num::NonZeroU16>,
    function: Option<std::num::NonZeroU16>,
    index: Option<std::num::NonZeroU16>,
    key: Option<std::num::NonZeroU16>,
    left: Option<std::num::NonZeroU16>,
    name: Option<std::num::NonZeroU16>,
    object: Option<std::num::NonZeroU16>,
    property: Option<std::num::NonZeroU16>,
    right: Option<std::num::NonZeroU16>,
    subscript: Option<std::num::NonZeroU16>,
    value: Option<std::num::NonZeroU16>,
}

impl Fields {
    fn new(lang: &tree_sitter::Language) -> Self {
        Fields {
            arguments: lang.field_id_for_name("arguments"),
            attribute: lang.field_id_for_name("attribute"),
            constructor: lang.field_id_for_name("constructor"),
            function: lang.field_id_for_name("function"),
            index: lang.field_id_for_name("index"),
            key: lang.field_id_for_name("key"),
            left: lang.field_id_for_name("left"),
            name: lang.field_id_for_name("name"),
            object: lang.field_id_for_name("object"),
            property: lang.field_id_for_name("property"),
            right: lang.field_id_for_name("right"),
            subscript: lang.field_id_for_name("subscript"),
            value: lang.field_id_for_name("value"),
        }
    }
}

struct Builder<'t> {
    fl: Fields,
    text: &'t str,
    imports: &'t HashMap<String, String>,
    /// Variable → the constructor or factory it was bound to.
    instances: HashMap<String, String>,
    index: Index,
}

impl<'t> Builder<'t> {
    fn t(&self, n: Node<'_>) -> &'t str {
        text_of(n, self.text)
    }

    fn f<'n>(&self, n: Node<'n>, field: Option<std::num::NonZeroU16>) -> Option<Node<'n>> {
        n.child_by_field_id(field?.get())
    }

    /// Records `name = Ctor(...)` and `NAME = "literal"` bindings.
    fn binding(&mut self, target: Node<'_>, value: Node<'_>) {
        if target.kind() != "identifier" {
            return;
        }
        let name = self.t(target).to_string();
        let v = unwrap_expr(value);
        match v.kind() {
            "call" | "call_expression" | "new_expression" => {
                let f = self
                    .f(v, self.fl.function)
                    .or_else(|| self.f(v, self.fl.constructor));
                if let Some(callee) = f.and_then(|f| self.dotted(f)) {
                    self.instances.insert(name, callee);
                }
            }
            "string" | "template_string" | "concatenated_string" => {
                if let Some(s) = string_literal(v, self.text) {
                    let verbatim = verbatim_start(v, self.text, &s);
                    // Bound twice: not a constant.
                    self.index
                        .consts
                        .entry(name)
                        .and_modify(|x| *x = None)
                        .or_insert(Some((s, v.byte_range(), verbatim)));
                }
            }
            _ => {}
        }
    }

    /// Calls on a variable bound to a constructor read as calls on that class:
    /// `mcp.run` → `mcp.server.fastmcp.FastMCP.run`.
    fn resolve_instances(&mut self) {
        if self.instances.is_empty() {
            return;
        }
        for c in &mut self.index.calls {
            let head_len = c.raw.find(['.', '(', '[']).unwrap_or(c.raw.len());
            let head = &c.raw[..head_len];
            if self.imports.contains_key(head) {
                continue;
            }
            if let Some(ctor) = self.instances.get(head) {
                c.callee = format!("{ctor}{}", &c.raw[head_len..]);
            }
        }
    }

    /// The dotted name an expression refers to, through imports.
    fn dotted(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "identifier" | "this" | "self" => {
                let n = self.t(node);
                Some(
                    self.imports
                        .get(n)
                        .cloned()
                        .unwrap_or_else(|| n.to_string()),
                )
            }
            "attribute" | "member_expression" => {
                // Iterative: a generated `a.b.c...` chain must not exhaust the stack.
                let mut props = Vec::new();
                let mut n = node;
                while matches!(n.kind(), "attribute" | "member_expression") {
                    let prop = self
                        .f(n, self.fl.attribute)
                        .or_else(|| self.f(n, self.fl.property))?;
                    props.push(self.t(prop));
                    n = self.f(n, self.fl.object)?;
                }
                let mut out = self.dotted(n).unwrap_or_else(|| "?".into());
                for p in props.iter().rev() {
                    out.push('.');
                    out.push_str(p);
                }
                Some(out)
            }
            // `FastMCP("x").run()`, `express().listen()`: the call's callee.
            "call" | "call_expression" | "new_expression" => {
                let f = self
                    .f(node, self.fl.function)
                    .or_else(|| self.f(node, self.fl.constructor))?;
                self.dotted(f)
            }
            "parenthesized_expression" | "await_expression" | "non_null_expression" => {
                self.dotted(node.named_child(0)?)
            }
            _ => None,
        }
    }

    /// One pass over the preorder node list, tracking the enclosing function by
    /// byte range. The insides of strings and comments are not read: calls inside an
    /// f-string or template are not settings a pattern looks for.
    fn walk(&mut self, nodes: &[Node<'_>], kinds: &[K]) {
        // (end, start) of each enclosing function.
        let mut scopes: Vec<(usize, usize)> = Vec::new();
        let mut skip_until = 0usize;
        for &n in nodes {
            let start = n.start_byte();
            if start < skip_until {
                continue;
            }
            while scopes.last().is_some_and(|s| start >= s.0) {
                scopes.pop();
            }
            let scope = scopes.last().map_or(0, |s| s.1);
            match kinds.get(n.kind_id() as usize).copied().unwrap_or(K::Other) {
                K::Call => {
                    if let Some(mut c) = self.call(n, 0) {
                        c.scope = scope;
                        self.index.calls.push(c);
                    }
                }
                K::Assign | K::Declarator => {
                    let (l, r) = if n.kind() == "variable_declarator" {
                        (self.f(n, self.fl.name), self.f(n, self.fl.value))
                    } else {
                        (self.f(n, self.fl.left), self.f(n, self.fl.right))
                    };
                    if let (Some(l), Some(r)) = (l, r) {
                        self.binding(l, r);
                        self.assign(l, r, scope, false);
                    }
                }
                K::Pair => {
                    if let (Some(k), Some(v)) = (self.f(n, self.fl.key), self.f(n, self.fl.value)) {
                        self.assign(k, v, scope, true);
                    }
                }
                K::Str => {
                    self.index.strings.push(n.byte_range());
                    skip_until = n.end_byte();
                }
                K::Skip => skip_until = n.end_byte(),
                K::Func => {
                    if n.end_byte() > start {
                        scopes.push((n.end_byte(), start));
                    }
                }
                K::Other => {}
            }
        }
        self.index.calls.sort_by_key(|c| c.span.start);
        self.index.assigns.sort_by_key(|a| a.target_span.start);
    }

    fn assign(&mut self, target: Node<'_>, value: Node<'_>, scope: usize, property: bool) {
        let target_text = match target.kind() {
            "string" => string_literal(target, self.text).unwrap_or_default(),
            _ => self.t(target).to_string(),
        };
        let value = self.arg(None, value, MAX_DEPTH);
        // Containers of an assignment are visited by the walk themselves.
        self.index.assigns.push(Assign {
            target: target_text,
            target_span: target.byte_range(),
            value,
            scope,
            property,
        });
    }

    /// A call with its arguments; a call nested in an argument keeps only its
    /// callee and literal arguments (its own nested calls are walked separately).
    fn call(&self, n: Node<'_>, depth: usize) -> Option<Call> {
        let nested = depth > 0;
        let f = self
            .f(n, self.fl.function)
            .or_else(|| self.f(n, self.fl.constructor))?;
        let raw = self.t(f).to_string();
        let callee = self.dotted(f).unwrap_or_else(|| raw.clone());
        let mut args = Vec::new();
        if let Some(list) = self.f(n, self.fl.arguments) {
            let mut c = list.walk();
            for a in list.named_children(&mut c) {
                match a.kind() {
                    "keyword_argument" => {
                        let (Some(k), Some(v)) =
                            (self.f(a, self.fl.name), self.f(a, self.fl.value))
                        else {
                            continue;
                        };
                        let mut arg = self.arg(Some(k), v, depth);
                        arg.name_span = Some(k.byte_range());
                        args.push(arg);
                    }
                    "comment" => {}
                    _ => args.push(self.arg(None, a, depth)),
                }
            }
        }
        let mut refs = Vec::new();
        let method = raw.rsplit('.').next().unwrap_or(&raw);
        if !nested && LOG_METHODS.contains(&method) {
            if let Some(list) = self.f(n, self.fl.arguments) {
                self.refs(list, &mut refs, 0);
            }
        }
        Some(Call {
            callee,
            raw,
            callee_span: f.byte_range(),
            span: n.byte_range(),
            args,
            refs,
            scope: 0,
        })
    }

    /// Collects the names an argument list mentions. Calls other than string
    /// conversions are not entered (`len(token)`, `mask(key)` do not print the value),
    /// nor are slices (`token[:4]` is the catalog's redaction).
    fn refs(&self, n: Node<'_>, out: &mut Vec<(String, Span)>, depth: usize) {
        if depth > 12 {
            return;
        }
        match n.kind() {
            "identifier" | "attribute" | "member_expression" | "shorthand_property_identifier" => {
                out.push((self.dotted(n).unwrap_or_default(), n.byte_range()));
                return;
            }
            "subscript" | "subscript_expression" => {
                let obj = self
                    .f(n, self.fl.value)
                    .or_else(|| self.f(n, self.fl.object));
                let key = self
                    .f(n, self.fl.subscript)
                    .or_else(|| self.f(n, self.fl.index));
                if let (Some(o), Some(k)) = (obj, key) {
                    if k.kind() == "slice" {
                        return;
                    }
                    if let Some(s) = string_literal(k, self.text) {
                        let name = self.dotted(o).unwrap_or_default();
                        out.push((format!("{name}[{s}]"), n.byte_range()));
                        return;
                    }
                }
            }
            "call" | "call_expression" => {
                let f = self.f(n, self.fl.function).map(|f| self.t(f));
                if !matches!(
                    f,
                    Some("str" | "repr" | "String" | "JSON.stringify" | "json.dumps" | "dict")
                ) {
                    return;
                }
                if let Some(a) = self.f(n, self.fl.arguments) {
                    self.refs(a, out, depth + 1);
                }
                return;
            }
            "keyword_argument" => {
                // `exc_info=`, `extra=`: only the value is logged.
                if let Some(v) = self.f(n, self.fl.value) {
                    self.refs(v, out, depth + 1);
                }
                return;
            }
            "lambda" | "arrow_function" | "function_expression" | "comment" => return,
            _ => {}
        }
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            self.refs(ch, out, depth + 1);
        }
    }

    fn arg(&self, name: Option<Node<'_>>, v: Node<'_>, depth: usize) -> Arg {
        let v = unwrap_expr(v);
        let value = self.value(v, depth);
        let verbatim = match &value {
            Value::Str(s) => verbatim_start(v, self.text, s),
            _ => None,
        };
        Arg {
            name: name.map(|k| self.t(k).to_string()),
            name_span: name.map(|k| k.byte_range()),
            value,
            span: v.byte_range(),
            verbatim,
        }
    }

    /// The value of an expression; containers and calls are read `MAX_DEPTH - depth`
    /// levels deep (assignments and nested calls read them shallowly, since the walk
    /// visits their parts anyway).
    fn value(&self, v: Node<'_>, depth: usize) -> Value {
        let v = unwrap_expr(v);
        if let Some(s) = string_literal(v, self.text) {
            return Value::Str(s);
        }
        match v.kind() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "none" | "null" | "undefined" => Value::Null,
            "integer" | "float" | "number" => Value::Num(self.t(v).to_string()),
            "identifier" | "attribute" | "member_expression" => {
                Value::Name(self.dotted(v).unwrap_or_else(|| self.t(v).to_string()))
            }
            "list" | "tuple" | "set" | "array" | "dictionary" | "object" | "call"
            | "call_expression" | "new_expression"
                if depth >= MAX_DEPTH =>
            {
                Value::Other
            }
            "list" | "tuple" | "set" | "array" => {
                let mut c = v.walk();
                let items = v
                    .named_children(&mut c)
                    .filter(|i| i.kind() != "comment")
                    .map(|i| (self.value(i, depth + 1), unwrap_expr(i).byte_range()))
                    .collect();
                Value::List(items)
            }
            "dictionary" | "object" => {
                let mut c = v.walk();
                let mut props = Vec::new();
                for p in v.named_children(&mut c) {
                    match p.kind() {
                        "pair" => {
                            let (Some(k), Some(val)) =
                                (self.f(p, self.fl.key), self.f(p, self.fl.value))
                            else {
                                continue;
                            };
                            let key = match k.kind() {
                                "string" => string_literal(k, self.text),
                                "identifier" | "property_identifier" => Some(self.t(k).to_string()),
                                _ => None,
                            };
                            let val = unwrap_expr(val);
                            props.push(Arg {
                                name: key,
                                name_span: Some(k.byte_range()),
                                value: self.value(val, depth + 1),
                                span: val.byte_range(),
                                verbatim: string_literal(val, self.text)
                                    .and_then(|s| verbatim_start(val, self.text, &s)),
                            });
                        }
                        "shorthand_property_identifier" => props.push(Arg {
                            name: Some(self.t(p).to_string()),
                            name_span: Some(p.byte_range()),
                            value: Value::Name(self.dotted(p).unwrap_or_default()),
                            span: p.byte_range(),
                            verbatim: None,
                        }),
                        _ => {}
                    }
                }
                Value::Object(props)
            }
            "call" | "call_expression" | "new_expression" => match self.call(v, depth + 1) {
                Some(c) => Value::Call(Box::new(c)),
                None => Value::Other,
            },
            _ => Value::Other,
        }
    }
}

const MAX_DEPTH: usize = 4;

/// Methods and functions that write their arguments to a log, console or client.
const LOG_METHODS: &[&str] = &[
    "print",
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
    "trace",
    "fatal",
    "send_log_message",
];

/// Where a literal's characters start in the file, when its value is the raw text
/// between the quotes (no escapes, a single part).
fn verbatim_start(n: Node<'_>, text: &str, value: &str) -> Option<usize> {
    if !matches!(n.kind(), "string" | "template_string") {
        return None;
    }
    let raw = text.get(n.byte_range())?;
    let at = raw.find(value)?;
    let inner = raw.get(at..at + value.len())?;
    // The value must sit between the opening quote(s) and the closing one.
    let head = raw.get(..at)?;
    (inner == value
        && head
            .chars()
            .all(|c| matches!(c, '"' | '\'' | '`') || c.is_ascii_alphabetic()))
    .then_some(n.start_byte() + at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{analyse, Lang, Module};

    fn idx(lang: Lang, src: &str) -> Module {
        analyse(lang, src).unwrap()
    }

    #[test]
    fn resolves_imports_and_instances() {
        let src = "from mcp.server.fastmcp import FastMCP as F\nm = F('x', host='0.0.0.0')\nm.run(transport='sse')\n";
        let m = idx(Lang::Python, src);
        let ix = &m.index;
        let run = ix.calls.iter().find(|c| c.is("FastMCP.run")).unwrap();
        assert_eq!(run.callee, "mcp.server.fastmcp.FastMCP.run");
        let ctor = ix.calls.iter().find(|c| c.is("FastMCP")).unwrap();
        assert_eq!(
            ctor.kw("host").map(|a| &a.value),
            Some(&Value::Str("0.0.0.0".into()))
        );
        let (s, span, v) = ix.string(ctor.kw("host").unwrap()).unwrap();
        assert_eq!(s, "0.0.0.0");
        assert_eq!(&src[v.unwrap()..v.unwrap() + 7], "0.0.0.0");
        assert!(span.len() == 9);
    }

    #[test]
    fn typescript_objects_and_new() {
        let m = idx(
            Lang::TypeScript,
            "import OpenAI from 'openai';\nconst B = 'http://h/v1';\nconst c = new OpenAI({ baseURL: B, apiKey: \"k\" });\n",
        );
        let ix = &m.index;
        let c = ix.calls.iter().find(|c| c.is("openai")).unwrap();
        let b = c.kw("baseURL").unwrap();
        assert_eq!(ix.string(b).unwrap().0, "http://h/v1");
        assert!(ix.assigns.iter().any(|a| a.target == "apiKey"));
    }

    #[test]
    fn scopes_and_strings_from_the_node_list() {
        let src = "def a():\n    x = f(1)\n    def b():\n        g(2)\n    h(3)\nk(f\"{m(4)}\")  # n(5)\n";
        let m = idx(Lang::Python, src);
        let scopes: Vec<_> = m
            .index
            .calls
            .iter()
            .map(|c| (c.raw.as_str(), c.scope))
            .collect();
        let b = src.find("def b").unwrap();
        assert_eq!(scopes, [("f", 0), ("g", b), ("h", 0), ("k", 0)]);
        assert_eq!(m.index.strings.len(), 1);
        let chain = format!("x = (a{})\n", "\n.b".repeat(20_000));
        let m = idx(Lang::Python, &chain);
        assert_eq!(m.index.assigns.len(), 1);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for src in ["", "f(", "x = 'é\\u00e9'", "a.b.c(**k, *a, x=)", "\"\"\"\n"] {
            let _ = idx(Lang::Python, src);
        }
        for src in ["new", "f({a:})", "`${x}`", "x = {'é': `é`}"] {
            let _ = idx(Lang::TypeScript, src);
        }
    }
}
