//! The call index (see `lang::calls`) of a Rust file, from the syn tree, so the
//! pattern rules read Rust calls the way they read Python and TypeScript ones.
//!
//! Paths are written with `.` (`reqwest::Client::builder` → `reqwest.Client.builder`)
//! and resolved through `use` declarations; a method chain reads as one dotted name
//! (`Client::builder().danger_accept_invalid_certs(true)` →
//! `reqwest.Client.builder.danger_accept_invalid_certs`). Struct literals are calls with
//! named arguments (`SseServerConfig { bind: … }`), the nearest Rust has to keywords.
//! Macro bodies are read when their tokens are comma-separated expressions
//! (`format!`, `println!`, `tracing::info!`), since syn leaves them unparsed.

use std::collections::HashMap;

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{Expr, Lit};

use super::span_of;
use crate::lang::calls::{Arg, Assign, Call, Index, Value};
use crate::manifest::Span;

/// Builds the index and returns it with the file's `use` map (local name → dotted
/// path).
pub fn build(file: &syn::File, text: &str) -> (Index, HashMap<String, String>) {
    let mut b = Builder {
        text,
        imports: HashMap::new(),
        instances: HashMap::new(),
        index: Index::default(),
        scope: 0,
    };
    // Module-level `use` first: an item may call a name imported below it.
    for item in &file.items {
        if let syn::Item::Use(u) = item {
            use_tree(&u.tree, &mut Vec::new(), &mut b.imports);
        }
    }
    b.visit_file(file);
    b.resolve_instances();
    b.index.calls.sort_by_key(|c| c.span.start);
    b.index.assigns.sort_by_key(|a| a.target_span.start);
    b.index.strings.sort_by_key(|s| s.start);
    b.index.strings.dedup();
    (b.index, b.imports)
}

/// Containers, calls and macro arguments are read this many levels deep inside an
/// argument; the walk visits deeper calls on its own.
const MAX_DEPTH: usize = 4;

/// Macros that write their arguments to a log, a console or stderr.
const LOG_MACROS: &[&str] = &[
    "println", "eprintln", "print", "eprint", "dbg", "trace", "debug", "info", "warn", "error",
    "event", "log",
];

struct Builder<'t> {
    text: &'t str,
    imports: HashMap<String, String>,
    /// (function start, variable) → the callee its value came from.
    instances: HashMap<(usize, String), String>,
    index: Index,
    /// Start of the enclosing function, 0 outside any.
    scope: usize,
}

fn use_tree(t: &syn::UseTree, prefix: &mut Vec<String>, out: &mut HashMap<String, String>) {
    match t {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_tree(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            if n.ident == "self" {
                if let Some(last) = prefix.last() {
                    out.insert(last.clone(), prefix.join("."));
                }
            } else {
                let name = n.ident.to_string();
                let full = prefix.iter().chain([&name]).cloned().collect::<Vec<_>>();
                out.insert(name, full.join("."));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            if r.ident != "self" {
                full.push(r.ident.to_string());
            }
            out.insert(r.rename.to_string(), full.join("."));
        }
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(g) => {
            for i in &g.items {
                use_tree(i, prefix, out);
            }
        }
    }
}

/// Wrappers that do not change what an expression names or holds.
fn strip(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Paren(p) => &p.expr,
            Expr::Group(g) => &g.expr,
            Expr::Reference(r) => &r.expr,
            Expr::Try(t) => &t.expr,
            Expr::Await(a) => &a.base,
            _ => return e,
        }
    }
}

/// The string literal an expression holds through conversions and parsing:
/// `"0.0.0.0:80".parse().unwrap()`, `"http://h".to_string()`, `String::from("…")`.
fn literal(e: &Expr) -> Option<&syn::LitStr> {
    let mut e = strip(e);
    loop {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => return Some(s),
            Expr::MethodCall(m)
                if matches!(
                    m.method.to_string().as_str(),
                    "to_string" | "to_owned" | "into" | "parse" | "unwrap" | "expect"
                ) =>
            {
                e = strip(&m.receiver)
            }
            Expr::Call(c) if c.args.len() == 1 => match strip(&c.func) {
                Expr::Path(p)
                    if p.path.segments.len() == 2
                        && p.path.segments[0].ident == "String"
                        && p.path.segments[1].ident == "from" =>
                {
                    e = strip(&c.args[0])
                }
                _ => return None,
            },
            _ => return None,
        }
    }
}

impl<'t> Builder<'t> {
    fn path(&self, p: &syn::Path) -> (String, String) {
        let raw = p
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join(".");
        let head = p
            .segments
            .first()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let resolved = match self.imports.get(&head) {
            Some(full) if p.leading_colon.is_none() => {
                format!("{full}{}", &raw[head.len()..])
            }
            _ => raw.clone(),
        };
        (resolved, raw)
    }

    /// The dotted name an expression refers to, as (resolved, as written). Method
    /// chains are followed iteratively: generated code can chain thousands deep.
    fn dotted(&self, e: &Expr) -> Option<(String, String)> {
        let mut tail: Vec<String> = Vec::new();
        let mut e = strip(e);
        let (mut resolved, mut raw) = loop {
            match e {
                Expr::Path(p) => break self.path(&p.path),
                Expr::Field(f) => {
                    tail.push(match &f.member {
                        syn::Member::Named(i) => i.to_string(),
                        syn::Member::Unnamed(i) => i.index.to_string(),
                    });
                    e = strip(&f.base);
                }
                Expr::MethodCall(m) => {
                    tail.push(m.method.to_string());
                    e = strip(&m.receiver);
                }
                Expr::Call(c) => e = strip(&c.func),
                Expr::Macro(m) => break self.path(&m.mac.path),
                _ => return None,
            }
        };
        for t in tail.iter().rev() {
            resolved.push('.');
            resolved.push_str(t);
            raw.push('.');
            raw.push_str(t);
        }
        Some((resolved, raw))
    }

    fn verbatim(&self, s: &syn::LitStr) -> Option<usize> {
        let span = span_of(s);
        let raw = self.text.get(span.clone())?;
        let value = s.value();
        let at = raw.find('"')? + 1;
        let head_ok = raw[..at - 1].chars().all(|c| c == 'r' || c == '#');
        (head_ok && raw.get(at..at + value.len()) == Some(value.as_str()))
            .then_some(span.start + at)
    }

    fn arg(&self, name: Option<(String, Span)>, e: &Expr, depth: usize) -> Arg {
        let (value, verbatim) = match literal(e) {
            Some(s) => (Value::Str(s.value()), self.verbatim(s)),
            None => (self.value(e, depth), None),
        };
        let span = match literal(e) {
            Some(s) => span_of(s),
            None => expr_span(strip(e)),
        };
        Arg {
            name_span: name.as_ref().map(|n| n.1.clone()),
            name: name.map(|n| n.0),
            value,
            span,
            verbatim,
        }
    }

    fn value(&self, e: &Expr, depth: usize) -> Value {
        if let Some(s) = literal(e) {
            return Value::Str(s.value());
        }
        let e = strip(e);
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Bool(b) => Value::Bool(b.value),
                Lit::Int(i) => Value::Num(i.base10_digits().to_string()),
                Lit::Float(f) => Value::Num(f.base10_digits().to_string()),
                _ => Value::Other,
            },
            Expr::Path(p) if p.path.is_ident("None") => Value::Null,
            Expr::Path(_) | Expr::Field(_) => match self.dotted(e) {
                Some((resolved, _)) => Value::Name(resolved),
                None => Value::Other,
            },
            _ if depth >= MAX_DEPTH => Value::Other,
            Expr::Array(a) => Value::List(
                a.elems
                    .iter()
                    .map(|x| (self.value(x, depth + 1), expr_span(strip(x))))
                    .collect(),
            ),
            Expr::Tuple(t) => Value::List(
                t.elems
                    .iter()
                    .map(|x| (self.value(x, depth + 1), expr_span(strip(x))))
                    .collect(),
            ),
            Expr::Call(_) | Expr::MethodCall(_) | Expr::Struct(_) | Expr::Macro(_) => {
                match self.call(e, depth + 1) {
                    Some(c) => Value::Call(Box::new(c)),
                    None => Value::Other,
                }
            }
            _ => Value::Other,
        }
    }

    /// A call, method call, struct literal or macro invocation as a `Call`.
    fn call(&self, e: &Expr, depth: usize) -> Option<Call> {
        match e {
            Expr::Call(c) => self.fn_call(c, depth),
            Expr::MethodCall(m) => self.method_call(m, depth),
            Expr::Struct(s) => Some(self.struct_call(s, depth)),
            Expr::Macro(m) => self.macro_call(&m.mac, depth),
            _ => None,
        }
    }

    fn fn_call(&self, c: &syn::ExprCall, depth: usize) -> Option<Call> {
        let (callee, raw) = self.dotted(&c.func)?;
        let args = c.args.iter().map(|a| self.arg(None, a, depth)).collect();
        let span = start(&c.func)..close(&c.paren_token);
        Some(self.make(callee, raw, expr_span(&c.func), span, args))
    }

    fn method_call(&self, m: &syn::ExprMethodCall, depth: usize) -> Option<Call> {
        let (mut callee, mut raw) = match self.dotted(&m.receiver) {
            Some(d) => d,
            // A literal or block receiver: `"…".parse()`.
            None => ("?".to_string(), "?".to_string()),
        };
        let method = m.method.to_string();
        for s in [&mut callee, &mut raw] {
            s.push('.');
            s.push_str(&method);
        }
        let args = m.args.iter().map(|a| self.arg(None, a, depth)).collect();
        let span = start(&m.receiver)..close(&m.paren_token);
        Some(self.make(callee, raw, span_of(&m.method), span, args))
    }

    fn struct_call(&self, s: &syn::ExprStruct, depth: usize) -> Call {
        let (callee, raw) = self.path(&s.path);
        let args = s
            .fields
            .iter()
            .map(|f| {
                let name = match &f.member {
                    syn::Member::Named(i) => i.to_string(),
                    syn::Member::Unnamed(i) => i.index.to_string(),
                };
                self.arg(Some((name, span_of(&f.member))), &f.expr, depth)
            })
            .collect();
        let path = span_of(&s.path);
        let span = path.start..s.brace_token.span.close().byte_range().end;
        self.make(callee, raw, path, span, args)
    }

    fn make(
        &self,
        callee: String,
        raw: String,
        callee_span: Span,
        span: Span,
        args: Vec<Arg>,
    ) -> Call {
        Call {
            callee,
            raw,
            callee_span,
            span,
            args,
            refs: Vec::new(),
            scope: self.scope,
        }
    }

    /// `name!(a, b, …)` as a call when its tokens are comma-separated expressions
    /// (tracing's `field = %value` and `?value` read as the value). Segments that are
    /// not expressions (`json!({…})` bodies, `target: "x"`) give `Value::Other`.
    fn macro_call(&self, mac: &syn::Macro, depth: usize) -> Option<Call> {
        self.macro_from(mac, &parts(mac), depth)
    }

    fn macro_from(&self, mac: &syn::Macro, parts: &[Part], depth: usize) -> Option<Call> {
        let (callee, raw) = self.path(&mac.path);
        let name = raw.rsplit('.').next().unwrap_or(&raw);
        let log = LOG_MACROS.contains(&name);
        let mut args = Vec::new();
        let mut refs = Vec::new();
        let mut fmt_seen = false;
        for part in parts {
            let e = match part {
                Ok(e) => e,
                Err(seg) => {
                    args.push(Arg {
                        name: None,
                        name_span: None,
                        value: Value::Other,
                        span: stream_span(seg),
                        verbatim: None,
                    });
                    continue;
                }
            };
            let (name, e) = match e {
                Expr::Assign(a) => (
                    self.dotted(&a.left).map(|(_, r)| (r, expr_span(&a.left))),
                    &*a.right,
                ),
                _ => (None, e),
            };
            if log && depth == 0 {
                // The format string: the first unnamed literal (tracing fields and
                // `target:` come before it).
                if let Some(s) = literal(e).filter(|_| name.is_none() && !fmt_seen) {
                    fmt_seen = true;
                    self.captures(s, &mut refs);
                } else {
                    self.refs(e, &mut refs, 0);
                }
            }
            args.push(self.arg(name, e, depth));
        }
        Some(Call {
            callee,
            raw,
            callee_span: span_of(&mac.path),
            span: span_of(&mac.path).start..mac_end(mac),
            args,
            refs,
            scope: self.scope,
        })
    }

    /// `{name}` and `{name:?}` captured by a format string, at their place inside
    /// the literal.
    fn captures(&self, s: &syn::LitStr, out: &mut Vec<(String, Span)>) {
        let span = span_of(s);
        let Some(raw) = self.text.get(span.clone()) else {
            return;
        };
        let b = raw.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'{' && b.get(i + 1) == Some(&b'{') {
                i += 2;
                continue;
            }
            if b[i] == b'{' {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                let ident = start < j && !b[start].is_ascii_digit();
                if ident && matches!(b.get(j), Some(b'}' | b':')) {
                    if let Some(n) = raw.get(start..j) {
                        out.push((n.to_string(), span.start + start..span.start + j));
                    }
                }
                i = j.max(i + 1);
            } else {
                i += 1;
            }
        }
    }

    /// The names a logged argument prints. Calls are not entered (`mask(key)`,
    /// `key.len()` do not print the value) except conversions that keep it.
    fn refs(&self, e: &Expr, out: &mut Vec<(String, Span)>, depth: usize) {
        if depth > 12 {
            return;
        }
        let e = strip(e);
        match e {
            Expr::Path(_) | Expr::Field(_) => {
                if let Some((_, raw)) = self.dotted(e) {
                    out.push((raw, expr_span(e)));
                }
            }
            Expr::Index(i) => {
                if let (Some((_, obj)), Some(k)) = (self.dotted(&i.expr), literal(&i.index)) {
                    out.push((format!("{obj}[{}]", k.value()), expr_span(e)));
                }
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                match name.as_str() {
                    "to_string" | "as_str" | "clone" | "to_owned" | "expose_secret" | "as_ref"
                    | "unwrap" | "unwrap_or_default" | "as_deref" => {
                        self.refs(&m.receiver, out, depth + 1)
                    }
                    // `req.headers()`: the whole header map.
                    "headers" if m.args.is_empty() => {
                        if let Some((_, raw)) = self.dotted(e) {
                            out.push((raw, expr_span(e)));
                        }
                    }
                    _ => {}
                }
            }
            Expr::Macro(m) => {
                let is_format = m
                    .mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "format");
                if is_format {
                    for (k, seg) in segments(m.mac.tokens.clone()).into_iter().enumerate() {
                        if let Ok(x) = syn::parse2::<Expr>(seg) {
                            match literal(&x).filter(|_| k == 0) {
                                Some(s) => self.captures(s, out),
                                None => self.refs(&x, out, depth + 1),
                            }
                        }
                    }
                }
            }
            Expr::Tuple(t) => {
                for x in &t.elems {
                    self.refs(x, out, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// `let name = value`, `name = value`, `const NAME: T = value`.
    fn bind(&mut self, target: String, target_span: Span, value: &Expr, property: bool) {
        if let Some(s) = literal(value) {
            self.index
                .bind_const(target.clone(), (s.value(), span_of(s), self.verbatim(s)));
        } else if let Expr::Call(_) | Expr::MethodCall(_) = strip(value) {
            if let Some((callee, _)) = self.dotted(value) {
                self.instances.insert((self.scope, target.clone()), callee);
            }
        }
        let value = self.arg(None, value, 1);
        self.index.assigns.push(Assign {
            target,
            target_span,
            value,
            scope: self.scope,
            property,
        });
    }

    /// Calls on a variable bound to a call read as calls on that call's result:
    /// `let c = Client::new(); c.get(u)` → `reqwest.Client.new.get`.
    fn resolve_instances(&mut self) {
        if self.instances.is_empty() {
            return;
        }
        for c in &mut self.index.calls {
            let head_len = c.raw.find('.').unwrap_or(c.raw.len());
            let head = &c.raw[..head_len];
            if head_len == c.raw.len() || self.imports.contains_key(head) {
                continue;
            }
            if let Some(ctor) = self.instances.get(&(c.scope, head.to_string())) {
                c.callee = format!("{ctor}{}", &c.raw[head_len..]);
            }
        }
    }

    fn in_fn(&mut self, start: usize, f: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.scope, start);
        f(self);
        self.scope = outer;
    }
}

/// The byte range of an expression from its first and last tokens. syn's `Spanned`
/// prints the whole expression to find them, which costs its size at every call of
/// the walk (a closure argument is printed again for each call around it).
fn expr_span(e: &Expr) -> Span {
    start(e)..end(e)
}

fn close(p: &syn::token::Paren) -> usize {
    p.span.close().byte_range().end
}

fn mac_end(m: &syn::Macro) -> usize {
    match &m.delimiter {
        syn::MacroDelimiter::Paren(p) => p.span.close(),
        syn::MacroDelimiter::Brace(b) => b.span.close(),
        syn::MacroDelimiter::Bracket(b) => b.span.close(),
    }
    .byte_range()
    .end
}

fn start(mut e: &Expr) -> usize {
    loop {
        e = match e {
            Expr::MethodCall(m) => &m.receiver,
            Expr::Call(c) => &c.func,
            Expr::Field(f) => &f.base,
            Expr::Try(t) => &t.expr,
            Expr::Await(a) => &a.base,
            Expr::Index(i) => &i.expr,
            Expr::Binary(b) => &b.left,
            Expr::Cast(c) => &c.expr,
            Expr::Assign(a) => &a.left,
            Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => {
                return span_of(&p.path).start
            }
            Expr::Lit(l) if l.attrs.is_empty() => return l.lit.span().byte_range().start,
            Expr::Paren(p) if p.attrs.is_empty() => {
                return p.paren_token.span.open().byte_range().start
            }
            Expr::Tuple(t) if t.attrs.is_empty() => {
                return t.paren_token.span.open().byte_range().start
            }
            Expr::Array(a) if a.attrs.is_empty() => {
                return a.bracket_token.span.open().byte_range().start
            }
            Expr::Macro(m) if m.attrs.is_empty() => return span_of(&m.mac.path).start,
            Expr::Struct(s) if s.qself.is_none() && s.attrs.is_empty() => {
                return span_of(&s.path).start
            }
            Expr::Reference(r) if r.attrs.is_empty() => return span_of(&r.and_token).start,
            Expr::Unary(u) if u.attrs.is_empty() => return span_of(&u.op).start,
            Expr::Block(b) if b.attrs.is_empty() && b.label.is_none() => {
                return b.block.brace_token.span.open().byte_range().start
            }
            Expr::Closure(c) if c.attrs.is_empty() && c.lifetimes.is_none() => {
                let first = c.constness.as_ref().map(span_of);
                let first = first
                    .or_else(|| c.movability.as_ref().map(span_of))
                    .or_else(|| c.asyncness.as_ref().map(span_of))
                    .or_else(|| c.capture.as_ref().map(span_of));
                return first.unwrap_or_else(|| span_of(&c.or1_token)).start;
            }
            _ => return span_of(e).start,
        }
    }
}

fn end(mut e: &Expr) -> usize {
    loop {
        e = match e {
            Expr::MethodCall(m) => return close(&m.paren_token),
            Expr::Call(c) => return close(&c.paren_token),
            Expr::Paren(p) => return close(&p.paren_token),
            Expr::Tuple(t) => return close(&t.paren_token),
            Expr::Struct(s) => return s.brace_token.span.close().byte_range().end,
            Expr::Array(a) => return a.bracket_token.span.close().byte_range().end,
            Expr::Index(i) => return i.bracket_token.span.close().byte_range().end,
            Expr::Block(b) => return b.block.brace_token.span.close().byte_range().end,
            Expr::Macro(m) => return mac_end(&m.mac),
            Expr::Field(f) => return span_of(&f.member).end,
            Expr::Try(t) => return span_of(&t.question_token).end,
            Expr::Await(a) => return span_of(&a.await_token).end,
            Expr::Path(p) => return span_of(&p.path).end,
            Expr::Lit(l) => return l.lit.span().byte_range().end,
            Expr::Cast(c) => return span_of(&c.ty).end,
            Expr::Closure(c) => &c.body,
            Expr::Reference(r) => &r.expr,
            Expr::Unary(u) => &u.expr,
            Expr::Binary(b) => &b.right,
            Expr::Assign(a) => &a.right,
            _ => return span_of(e).end,
        }
    }
}

/// `#[cfg(test)]`.
fn cfg_test(a: &syn::Attribute) -> bool {
    a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
}

/// `#[test]`, `#[tokio::test]`, `#[rstest]`.
fn test_attr(a: &syn::Attribute) -> bool {
    a.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "test" || s.ident == "rstest")
}

/// A macro argument: an expression, or tokens that are not one.
type Part = Result<Expr, TokenStream>;

fn parts(mac: &syn::Macro) -> Vec<Part> {
    segments(mac.tokens.clone())
        .into_iter()
        .map(|seg| syn::parse2::<Expr>(seg.clone()).map_err(|_| seg))
        .collect()
}

/// A macro's tokens split at top-level commas, with tracing's `%`/`?` value sigils
/// dropped so `field = %value` parses as an assignment.
fn segments(tokens: TokenStream) -> Vec<TokenStream> {
    let mut out = Vec::new();
    let mut cur: Vec<TokenTree> = Vec::new();
    for t in tokens {
        match &t {
            TokenTree::Punct(p) if p.as_char() == ',' => {
                if !cur.is_empty() {
                    out.push(cur.drain(..).collect());
                }
                continue;
            }
            TokenTree::Punct(p)
                if matches!(p.as_char(), '%' | '?')
                    && (cur.is_empty()
                        || matches!(cur.last(), Some(TokenTree::Punct(q)) if q.as_char() == '=')) =>
            {
                continue
            }
            _ => {}
        }
        cur.push(t);
    }
    if !cur.is_empty() {
        out.push(cur.into_iter().collect());
    }
    out
}

fn stream_span(s: &TokenStream) -> Span {
    let mut it = s.clone().into_iter();
    let first = it.next().map(|t| t.span().byte_range());
    let last = it.last().map(|t| t.span().byte_range());
    match (first, last) {
        (Some(f), Some(l)) => f.start..l.end,
        (Some(f), None) => f,
        _ => 0..0,
    }
}

/// String literals in tokens no parser read (`json!({…})`, `quote!`): recorded so
/// the credential check still sees them.
fn token_strings(tokens: TokenStream, out: &mut Vec<Span>) {
    for t in tokens {
        match t {
            TokenTree::Literal(l) => {
                let s = l.to_string();
                if s.starts_with('"') || s.starts_with("r\"") || s.starts_with("r#") {
                    out.push(l.span().byte_range());
                }
            }
            // Nesting was bounded before the file was parsed.
            TokenTree::Group(g) => token_strings(g.stream(), out),
            _ => {}
        }
    }
}

impl<'ast> Visit<'ast> for Builder<'_> {
    // Doc comments and attributes are not code: `///` text is not a literal.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        use_tree(&u.tree, &mut Vec::new(), &mut self.imports);
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.attrs.iter().any(cfg_test) {
            self.index.tests.push(span_of(m));
        }
        visit::visit_item_mod(self, m);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if f.attrs.iter().any(test_attr) {
            self.index.tests.push(span_of(f));
        }
        self.in_fn(span_of(&f.sig).start, |b| visit::visit_item_fn(b, f));
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.in_fn(span_of(&f.sig).start, |b| visit::visit_impl_item_fn(b, f));
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.in_fn(span_of(&f.sig).start, |b| visit::visit_trait_item_fn(b, f));
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Some(call) = self.fn_call(c, 0) {
            self.index.calls.push(call);
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if let Some(c) = self.method_call(m, 0) {
            self.index.calls.push(c);
        }
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        let c = self.struct_call(s, 0);
        self.index.calls.push(c);
        visit::visit_expr_struct(self, s);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let parts = parts(m);
        if let Some(c) = self.macro_from(m, &parts, 0) {
            self.index.calls.push(c);
        }
        for part in parts {
            match part {
                // A tracing field `name = value` names no variable.
                Ok(Expr::Assign(a)) => self.visit_expr(&a.right),
                Ok(e) => self.visit_expr(&e),
                Err(seg) => token_strings(seg, &mut self.index.strings),
            }
        }
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        self.index.strings.push(span_of(s));
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let Some(init) = &l.init {
            let mut pat = &l.pat;
            if let syn::Pat::Type(t) = pat {
                pat = &t.pat;
            }
            if let syn::Pat::Ident(i) = pat {
                self.bind(i.ident.to_string(), span_of(&i.ident), &init.expr, false);
            }
        }
        visit::visit_local(self, l);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if let Some((_, raw)) = self.dotted(&a.left) {
            self.bind(raw, expr_span(&a.left), &a.right, false);
        }
        visit::visit_expr_assign(self, a);
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.bind(c.ident.to_string(), span_of(&c.ident), &c.expr, false);
        visit::visit_item_const(self, c);
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        self.bind(s.ident.to_string(), span_of(&s.ident), &s.expr, false);
        visit::visit_item_static(self, s);
    }

    fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
        self.bind(c.ident.to_string(), span_of(&c.ident), &c.expr, false);
        visit::visit_impl_item_const(self, c);
    }
}

#[cfg(test)]
mod tests {
    use crate::lang::calls::Value;
    use crate::lang::rust::analyse;

    const SRC: &str = r#"
use reqwest::Client as C;
use rmcp::transport::{sse_server::{SseServer, SseServerConfig}, self};
const KEY: &str = "sk-proj-abc";
fn f(port: u16) {
    let c = C::builder().danger_accept_invalid_certs(true).build()?;
    c.get("http://h/x").send().await?;
    let cfg = SseServerConfig { bind: "0.0.0.0:8000".parse()?, sse_path: "/sse".to_string() };
    tracing::info!(token = %cfg.token, "key {api_key} {{x}} {}", KEY);
    let s = format!("{}:{}", "0.0.0.0", port);
    json!({"k": "v"});
}
"#;

    #[test]
    fn calls_paths_and_literals() {
        let a = analyse(SRC).unwrap();
        let ix = &a.index;
        let tls = ix
            .calls
            .iter()
            .find(|c| c.method() == "danger_accept_invalid_certs")
            .unwrap();
        assert_eq!(
            tls.callee,
            "reqwest.Client.builder.danger_accept_invalid_certs"
        );
        assert_eq!(tls.raw, "C.builder.danger_accept_invalid_certs");
        assert!(tls.pos(0).unwrap().is_true());
        assert_eq!(&SRC[tls.callee_span.clone()], "danger_accept_invalid_certs");
        let get = ix.calls.iter().find(|c| c.method() == "get").unwrap();
        assert_eq!(
            get.callee,
            "reqwest.Client.builder.danger_accept_invalid_certs.build.get"
        );
        let (s, span, v) = ix.string(get.pos(0).unwrap()).unwrap();
        assert_eq!(s, "http://h/x");
        assert_eq!(&SRC[span], "\"http://h/x\"");
        assert_eq!(&SRC[v.unwrap()..v.unwrap() + 3], "htt");
        let cfg = ix.calls.iter().find(|c| c.is("SseServerConfig")).unwrap();
        assert_eq!(cfg.callee, "rmcp.transport.sse_server.SseServerConfig");
        let bind = cfg.kw("bind").unwrap();
        assert_eq!(bind.value, Value::Str("0.0.0.0:8000".into()));
        assert_eq!(&SRC[bind.span.clone()], "\"0.0.0.0:8000\"");
        assert_eq!(a.imports.get("transport").unwrap(), "rmcp.transport");
        let log = ix.calls.iter().find(|c| c.is("tracing.info")).unwrap();
        let refs: Vec<_> = log
            .refs
            .iter()
            .map(|(n, s)| (n.as_str(), &SRC[s.clone()]))
            .collect();
        assert_eq!(
            refs,
            [
                ("cfg.token", "cfg.token"),
                ("api_key", "api_key"),
                ("KEY", "KEY")
            ]
        );
        let fmt = ix.calls.iter().find(|c| c.is("format")).unwrap();
        assert_eq!(fmt.pos(1).unwrap().value, Value::Str("0.0.0.0".into()));
        assert!(ix.assigns.iter().any(|a| a.target == "KEY"));
        let strings: Vec<_> = ix.strings.iter().map(|s| &SRC[s.clone()]).collect();
        assert!(strings.contains(&"\"sk-proj-abc\""));
        assert!(strings.contains(&"\"v\""), "{strings:?}");
        assert!(strings.contains(&"\"/sse\""));
        let k = ix.assigns.iter().find(|a| a.target == "KEY").unwrap();
        assert_eq!(ix.string(&k.value).unwrap().0, "sk-proj-abc");
    }

    #[test]
    fn cheap_spans_match_syn() {
        struct V(usize, &'static str);
        impl<'a> syn::visit::Visit<'a> for V {
            fn visit_expr(&mut self, e: &'a syn::Expr) {
                let full = crate::lang::rust::span_of(e);
                assert_eq!(super::expr_span(e), full, "{}", &self.1[full.clone()]);
                self.0 += 1;
                syn::visit::visit_expr(self, e);
            }
        }
        let src = r#"fn f() {
            let a = x.y(1, "s").z[0].w as u8 + -b * (c, [d; 2]).0;
            let g = async move |q: u8| { q? .await };
            let h = S { a: 1, ..Default::default() } == m!(x) && !&*p;
            let i = unsafe { 1 } + <T as X>::f(2) + 'l: loop { break 'l 3 };
            r = if k { 1 } else { 2 };
        }"#;
        let file: syn::File = syn::parse_str(src).unwrap();
        let mut v = V(0, src);
        syn::visit::Visit::visit_file(&mut v, &file);
        assert!(v.0 > 40);
    }

    #[test]
    fn test_code_ranges() {
        let src = "#[cfg(test)]\nmod t { #[test] fn a() {} }\n#[tokio::test]\nasync fn b() {}\n#[cfg(feature = \"x\")]\nmod u {}\nfn c() {}\n";
        let a = analyse(src).unwrap();
        let spans: Vec<_> = a.index.tests.iter().map(|s| &src[s.clone()]).collect();
        assert_eq!(
            spans,
            [
                "#[cfg(test)]\nmod t { #[test] fn a() {} }",
                "#[test] fn a() {}",
                "#[tokio::test]\nasync fn b() {}"
            ]
        );
    }

    #[test]
    fn doc_comments_are_not_literals() {
        let src = "/// sk-ant-api03-xxxx\n#[doc = \"y\"]\nfn f() { let s = r#\"raw\"#; }\n";
        let a = analyse(src).unwrap();
        let strings: Vec<_> = a.index.strings.iter().map(|s| &src[s.clone()]).collect();
        assert_eq!(strings, ["r#\"raw\"#"]);
        let l = &a.index.assigns[0];
        assert_eq!(&src[l.value.verbatim.unwrap()..][..3], "raw");
    }

    #[test]
    fn long_chains_are_skipped_not_overflowed() {
        for src in [
            format!("fn f() {{ let x = a{}; }}", ".b()".repeat(20_000)),
            format!("fn f() {{ let x = a{}; }}", " + a".repeat(20_000)),
            format!("fn f() {{ let x = {}a; }}", "& ".repeat(20_000)),
            format!("fn f() {{ let x = a{}; }}", "?".repeat(20_000)),
            format!("fn f() {{ g(a{}); }}", ".b(c.d(e.f()))".repeat(5_000)),
        ] {
            let r = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || analyse(&src).is_some())
                .expect("thread")
                .join()
                .expect("no overflow");
            assert!(!r);
        }
        // Just under the limit still parses and is indexed, on a small stack.
        let src = format!(
            "fn f() {{ let x = a{}; }}",
            ".b()".repeat(super::super::MAX_CHAIN / 4 - 5)
        );
        let n = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || analyse(&src).map(|a| a.index.calls.len()))
            .expect("thread")
            .join()
            .expect("no overflow");
        assert!(n.is_some_and(|n| n > 90));
        // Many statements and attributes are separate runs.
        let many = "#[derive(Debug)]\nstruct S;\nfn g() { a.b().c(); x + y; }\n".repeat(2000);
        assert!(analyse(&many).is_some());
    }

    #[test]
    fn odd_inputs() {
        for src in [
            "fn f() { m!(,,,); m!(= %); m!(a = ?); m!(); }",
            "fn f() { info!(\"{é} {} {:?} {0} {x:>8}\", y); }",
            "macro_rules! m { ($x:expr) => { println!(\"{}\", $x) } }",
            "fn f() { let (a, b) = (\"x\", 1); a = \"é\\u{e9}\"; }",
            "fn f() { \"lit\".parse::<u8>().unwrap().x(); (||1)(); }",
            "use ::a::{self as b, c::*, d::{e as _}};",
            "static S: &[&str] = &[\"a\", \"b\"];",
        ] {
            let a = analyse(src);
            assert!(a.is_some(), "{src}");
        }
    }
}
