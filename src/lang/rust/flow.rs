//! Taint inside one Rust tool body: the model's arguments through `let` bindings,
//! field access, references, clones, `format!`, `+`, `push_str` and path joins, to
//! shell commands, file paths, fetched URLs and SQL strings.
//!
//! Guards: a path that went through `canonicalize` and was then tested with
//! `starts_with` is contained; a URL whose host was read (`host_str()`) in a
//! condition is taken as allow-listed; `.bind()` keeps values out of SQL text. A
//! program run without `sh -c` receives an argv, which is AS-INJ-003's concern, so
//! only a tainted program is reported here.

use std::collections::HashMap;

use syn::visit::Visit;
use syn::{Expr, Stmt};

use super::span_of;
use super::tools::{bindings, Found};
use crate::lang::argv;
use crate::lang::taint::{self, bits, fixed_host, sql_like, Env, Flow, Sink, Taint};

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "/bin/sh",
    "/bin/bash",
    "/usr/bin/bash",
    "cmd",
    "cmd.exe",
    "powershell",
    "pwsh",
];
const FILE_CALLS: &[&str] = &[
    "read_to_string",
    "read",
    "write",
    "remove_file",
    "remove_dir",
    "remove_dir_all",
    "create_dir_all",
    "create_dir",
    "copy",
    "rename",
    "read_dir",
    "open",
    "create",
    "metadata",
    "set_permissions",
];

/// What is known about a `std::process::Command` being built.
#[derive(Clone, Default)]
struct Cmd {
    /// The shell it runs, when it runs one.
    shell: Option<&'static str>,
    dash_c: bool,
    /// The program when written as a literal.
    program: Option<String>,
    /// A literal `--` was passed: later arguments are operands.
    end: bool,
    /// The last argument was a literal option that takes the next as its value.
    value_next: bool,
}

impl Cmd {
    /// A literal argument passed to the command.
    fn absorb(&mut self, lit: Option<&str>) {
        if matches!(lit, Some("-c" | "/C" | "/c" | "-Command" | "-lc")) {
            self.dash_c = true;
        }
        self.end |= lit.is_some_and(argv::ends_options);
        self.value_next = lit.is_some_and(argv::takes_value);
    }
}

struct Walker<'t> {
    text: &'t str,
    tool: String,
    env: Env,
    cmds: HashMap<String, Cmd>,
    flows: Vec<Flow>,
    /// The file uses rig: `agent.prompt(...)` returns model output.
    rig: bool,
}

pub fn analyse(found: &Found<'_>, text: &str) -> Vec<Flow> {
    let mut w = Walker {
        text,
        tool: found.tool.name.clone(),
        env: Env::default(),
        cmds: HashMap::new(),
        flows: Vec::new(),
        rig: text.contains("rig::"),
    };
    for s in &found.sources {
        let label = format!("parameter `{}` of tool `{}`", s.name, found.tool.name);
        w.env.set(
            &s.name,
            Some(Taint::source(s.span.clone(), label)),
            vec![],
            true,
        );
    }
    w.visit_block(found.body);
    w.flows
}

/// An axum handler: its extractors' bindings are request data.
pub fn analyse_route(h: &super::routes::Handler<'_>, text: &str) -> Vec<Flow> {
    let mut w = Walker {
        text,
        tool: h.name.clone(),
        env: Env::default(),
        cmds: HashMap::new(),
        flows: Vec::new(),
        rig: text.contains("rig::"),
    };
    for s in &h.sources {
        let label = format!("request field `{}` of handler `{}`", s.name, h.name);
        let t = Taint::from(taint::Origin::Request, s.span.clone(), label);
        w.env.set(&s.name, Some(t), vec![], true);
    }
    w.visit_block(h.body);
    w.flows
}

fn last_seg(p: &syn::Path) -> String {
    p.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

fn path_str(p: &syn::Path) -> String {
    p.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

fn str_lit(e: &Expr) -> Option<String> {
    match strip(e) {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        // `"-c".to_string()`, `"-c".into()`
        Expr::MethodCall(m)
            if ["to_string", "to_owned", "into"].contains(&m.method.to_string().as_str()) =>
        {
            str_lit(&m.receiver)
        }
        _ => None,
    }
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Reference(r) => strip(&r.expr),
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        _ => e,
    }
}

/// The variable an expression names (`x`, `&x`, `x.clone()`), for guards.
fn var_of(e: &Expr) -> Option<String> {
    match strip(e) {
        Expr::Path(p) if p.path.segments.len() == 1 => Some(last_seg(&p.path)),
        Expr::Field(f) => var_of(&f.base),
        Expr::MethodCall(m) => var_of(&m.receiver),
        Expr::Try(t) => var_of(&t.expr),
        Expr::Await(a) => var_of(&a.base),
        _ => None,
    }
}

impl Walker<'_> {
    /// The taint of an expression's value; no sinks are checked here.
    fn eval(&self, e: &Expr) -> Option<Taint> {
        match e {
            Expr::Path(p) if p.path.segments.len() == 1 => {
                self.env.get(&last_seg(&p.path)).cloned()
            }
            Expr::Field(f) => self.eval(&f.base),
            Expr::Reference(r) => self.eval(&r.expr),
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Group(g) => self.eval(&g.expr),
            Expr::Try(t) => self.eval(&t.expr),
            Expr::Await(a) => self.eval(&a.base),
            Expr::Cast(c) => self.eval(&c.expr),
            Expr::Unary(u) => self.eval(&u.expr),
            Expr::Index(i) => self.eval(&i.expr),
            Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
                let t = Taint::merge(self.eval(&b.left), self.eval(&b.right));
                t.map(|mut t| {
                    t.built = true;
                    if let Some(s) = str_lit(&b.left) {
                        t.sqlish |= sql_like(&s);
                        t.host_fixed = fixed_host(&s);
                        t.starts_fixed = !s.is_empty();
                    }
                    t
                })
            }
            Expr::Array(a) => a
                .elems
                .iter()
                .fold(None, |t, e| Taint::merge(t, self.eval(e))),
            Expr::Tuple(a) => a
                .elems
                .iter()
                .fold(None, |t, e| Taint::merge(t, self.eval(e))),
            Expr::Struct(s) => s
                .fields
                .iter()
                .fold(None, |t, f| Taint::merge(t, self.eval(&f.expr))),
            Expr::Block(b) => b.block.stmts.last().and_then(|s| match s {
                Stmt::Expr(e, None) => self.eval(e),
                _ => None,
            }),
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if let Some(t) = self.model_output(m, &name) {
                    return Some(t);
                }
                let recv = self.eval(&m.receiver);
                match name.as_str() {
                    // Numbers and booleans carry no text to inject.
                    "len" | "is_empty" | "starts_with" | "ends_with" | "contains" | "eq"
                    | "count" => None,
                    "parse" if self.numeric_turbofish(m) => None,
                    "canonicalize" => recv.map(|mut t| {
                        t.resolved = true;
                        t
                    }),
                    "join" | "push_str" | "replace" | "chain" => m
                        .args
                        .iter()
                        .fold(recv, |t, a| Taint::merge(t, self.eval(a))),
                    _ => recv,
                }
            }
            Expr::Call(c) => {
                let name = match &*c.func {
                    Expr::Path(p) => path_str(&p.path),
                    _ => String::new(),
                };
                let last = name.rsplit("::").next().unwrap_or("").to_string();
                if taint::is_validator_name(&last)
                    || last.contains("escape")
                    || last.contains("quote")
                {
                    return None;
                }
                let t = c
                    .args
                    .iter()
                    .fold(None, |t, a| Taint::merge(t, self.eval(a)));
                if last == "canonicalize" {
                    return t.map(|mut t| {
                        t.resolved = true;
                        t
                    });
                }
                t.map(|t| {
                    if name.contains("::") || ["Some", "Ok"].contains(&name.as_str()) {
                        t
                    } else {
                        t.step(span_of(c), format!("passed to `{name}`"))
                    }
                })
            }
            Expr::Macro(m) => self.eval_macro(&m.mac),
            _ => None,
        }
    }

    /// rig `agent.prompt(...)` / `.chat(...)` on a receiver named like an agent or
    /// model: the model's answer.
    fn model_output(&self, m: &syn::ExprMethodCall, name: &str) -> Option<Taint> {
        if !self.rig || !matches!(name, "prompt" | "chat") {
            return None;
        }
        let recv = match strip(&m.receiver) {
            Expr::Path(p) => last_seg(&p.path),
            Expr::Field(f) => match &f.member {
                syn::Member::Named(i) => i.to_string(),
                syn::Member::Unnamed(_) => return None,
            },
            _ => return None,
        };
        crate::lang::sources::llm_name(&recv)
            .then(|| crate::lang::sources::model_output(span_of(m), &format!("{recv}.{name}")))
    }

    fn numeric_turbofish(&self, m: &syn::ExprMethodCall) -> bool {
        m.turbofish.as_ref().is_some_and(|t| {
            t.args.iter().any(|a| {
                let s = quote_str(a);
                [
                    "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize", "f32",
                    "f64", "bool",
                ]
                .contains(&s.as_str())
            })
        })
    }

    /// `format!`, `concat!` and `vec!`: their arguments, and the names captured inline
    /// in the format string (`{name}`), whose sub-span inside the literal is the step.
    fn eval_macro(&self, mac: &syn::Macro) -> Option<Taint> {
        let name = last_seg(&mac.path);
        if !["format", "concat", "vec", "format_args"].contains(&name.as_str()) {
            return None;
        }
        let args = mac
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
            .ok()?;
        let mut it = args.iter();
        let mut t = None;
        // The value of the first `{}`: a constant base or an already host-fixed URL
        // keeps the host fixed (`format!("{url}?limit={n}")`, `format!("{}/v1/{q}", BASE)`).
        let mut first: Option<Option<Taint>> = None;
        let mut fmt = None;
        if name != "vec" {
            if let Some(Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            })) = args.first()
            {
                fmt = Some((s.value(), span_of(s)));
                it.next();
            }
        }
        for a in it {
            let a = match a {
                Expr::Assign(x) => &*x.right,
                _ => a,
            };
            let v = self.eval(a);
            first.get_or_insert_with(|| v.clone());
            t = Taint::merge(t, v);
        }
        if let Some((value, span)) = &fmt {
            let raw = self.text.get(span.clone()).unwrap_or("");
            let caps = captures(raw);
            // An inline capture written first is the first value.
            if let Some((n, at)) = caps.first() {
                let lit_start = raw.find('"').map_or(0, |q| q + 1);
                if raw
                    .get(lit_start..at.saturating_sub(1))
                    .is_some_and(|p| !p.contains('{'))
                {
                    first = Some(self.env.get(n).cloned());
                }
            }
            for (name, at) in caps {
                if let Some(c) = self.env.get(&name) {
                    let s = span.start + at..span.start + at + name.len();
                    t = Taint::merge(
                        t,
                        Some(
                            c.clone()
                                .step(s, format!("formatted into a string as `{name}`")),
                        ),
                    );
                }
            }
            if let Some(t) = t.as_mut() {
                let mut parts = value.splitn(3, '{');
                let prefix = parts.next().unwrap_or("");
                t.sqlish |= sql_like(value);
                t.starts_fixed = !prefix.is_empty();
                t.host_fixed = fixed_host(prefix)
                    || (prefix.is_empty()
                        && match &first {
                            Some(Some(f)) => f.host_fixed,
                            Some(None) => {
                                let after = parts.next().unwrap_or("");
                                let after = after.split_once('}').map_or("", |(_, r)| r);
                                fixed_host(&format!("{}{after}", taint::CONST))
                            }
                            None => false,
                        });
            }
        }
        t.map(|mut t| {
            t.built |= name != "vec";
            t
        })
    }

    fn flow(
        &mut self,
        sink: Sink,
        at: &Expr,
        t: Taint,
        callee: String,
        note: Option<&'static str>,
    ) {
        self.flows.push(Flow {
            sink,
            span: span_of(at),
            callee,
            tool: self.tool.clone(),
            origin: t.origin,
            steps: t.steps,
            note,
        });
    }

    fn check_arg(&mut self, sink: Sink, at: &Expr, callee: &str) {
        let Some(t) = self.eval(at) else { return };
        if !t.reaches(sink) {
            return;
        }
        let note = match sink {
            Sink::File if t.prefix => t.prefix_note(),
            _ => None,
        };
        match sink {
            Sink::Network if t.host_fixed => return,
            Sink::File if t.resolved && !t.prefix && t.cleared != 0 => return,
            _ => {}
        }
        self.flow(sink, at, t, callee.to_string(), note);
    }

    /// A tainted argument of a program run without a shell (AS-INJ-003).
    fn check_option(&mut self, at: &Expr, program: Option<&str>, method: &str) {
        let Some(t) = self.eval(at) else { return };
        if t.reaches(Sink::Argv) && !t.starts_fixed && str_lit(at).is_none() {
            let callee = argv::callee(program, &format!("Command::{method}()"));
            self.flow(Sink::Argv, at, t, callee, None);
        }
    }

    /// The state of a `Command` expression: `Command::new(p)`, a variable holding one,
    /// or an `.arg`/`.args` chain on either.
    fn cmd_state(&self, e: &Expr) -> Option<Cmd> {
        match strip(e) {
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else { return None };
                let n = path_str(&p.path);
                if !n.ends_with("Command::new") {
                    return None;
                }
                let prog = c.args.first().and_then(str_lit);
                Some(Cmd {
                    shell: SHELLS
                        .iter()
                        .find(|s| Some(**s) == prog.as_deref())
                        .copied(),
                    program: prog,
                    ..Cmd::default()
                })
            }
            Expr::Path(p) if p.path.segments.len() == 1 => {
                self.cmds.get(&last_seg(&p.path)).cloned()
            }
            Expr::MethodCall(m) => {
                let mut s = self.cmd_state(&m.receiver)?;
                let args: Vec<&Expr> = match m.method.to_string().as_str() {
                    "arg" => m.args.iter().collect(),
                    "args" => match m.args.first().map(strip) {
                        Some(Expr::Array(a)) => a.elems.iter().collect(),
                        Some(Expr::Macro(mm)) => {
                            return Some(Cmd {
                                dash_c: s.dash_c || tokens_have_dash_c(&mm.mac),
                                value_next: false,
                                ..s
                            })
                        }
                        _ => vec![],
                    },
                    _ => vec![],
                };
                for a in args {
                    s.absorb(str_lit(a).as_deref());
                }
                Some(s)
            }
            _ => None,
        }
    }

    fn guard(&mut self, cond: &Expr) {
        struct G<'a, 'b>(&'a mut Walker<'b>);
        impl<'ast> Visit<'ast> for G<'_, '_> {
            fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
                let name = m.method.to_string();
                // `x.starts_with('-')`: a checked value cannot be an option.
                let dash = m.args.first().is_some_and(|a| match strip(a) {
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Char(c),
                        ..
                    }) => c.value() == '-',
                    a => str_lit(a).is_some_and(|s| s.starts_with('-')),
                });
                if let (Some(v), true, "starts_with") = (var_of(&m.receiver), dash, name.as_str()) {
                    self.0.env.clear(&v, bits(&[Sink::Argv]));
                } else if let Some(v) = var_of(&m.receiver) {
                    match name.as_str() {
                        "starts_with" => {
                            let resolved = self.0.env.get(&v).is_some_and(|t| t.resolved);
                            if resolved {
                                self.0.env.clear(&v, bits(&[Sink::File]));
                            } else {
                                self.0.env.mark_prefix(&v);
                            }
                        }
                        "host_str" | "host" | "domain" => {
                            self.0.env.clear(&v, bits(&[Sink::Network]))
                        }
                        _ => {}
                    }
                }
                // `ALLOWED.contains(&host)`: an allow-list test on the value itself.
                if name == "contains" {
                    for a in &m.args {
                        if let Some(v) = var_of(a) {
                            self.0.env.clear(&v, taint::ALL);
                        }
                    }
                }
                syn::visit::visit_expr_method_call(self, m);
            }
            fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
                if let Expr::Path(p) = &*c.func {
                    if taint::is_validator_name(&last_seg(&p.path)) {
                        for a in &c.args {
                            if let Some(v) = var_of(a) {
                                self.0.env.clear(&v, taint::ALL);
                            }
                        }
                    }
                }
                syn::visit::visit_expr_call(self, c);
            }
        }
        G(self).visit_expr(cond);
    }
}

fn tokens_have_dash_c(m: &syn::Macro) -> bool {
    m.tokens.to_string().contains("\"-c\"")
}

fn quote_str(a: &syn::GenericArgument) -> String {
    match a {
        syn::GenericArgument::Type(syn::Type::Path(p)) => last_seg(&p.path),
        _ => String::new(),
    }
}

/// Inline captures `{name}` / `{name:?}` in a format string's source text, with their
/// byte offsets; `{{` is an escaped brace.
fn captures(raw: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            if b.get(i + 1) == Some(&b'{') {
                i += 2;
                continue;
            }
            let start = i + 1;
            let mut j = start;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > start && !b[start].is_ascii_digit() && matches!(b.get(j), Some(b'}' | b':')) {
                if let Some(n) = raw.get(start..j) {
                    out.push((n.to_string(), start));
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let Some(init) = &l.init {
            self.visit_expr(&init.expr);
            if let Some((_, d)) = &init.diverge {
                self.visit_expr(d);
            }
            let mut names = Vec::new();
            bindings(&l.pat, &mut names);
            let t = self.eval(&init.expr);
            let cmd = self.cmd_state(&init.expr);
            let parents: Vec<String> = var_of(&init.expr).into_iter().collect();
            for n in names {
                if let Some(c) = &cmd {
                    self.cmds.insert(n.name.clone(), c.clone());
                }
                let t = t
                    .clone()
                    .map(|t| t.step(n.span.clone(), format!("assigned to `{}`", n.name)));
                self.env.set(&n.name, t, parents.clone(), true);
            }
        }
    }

    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        self.guard(&e.cond);
        if let Expr::Let(l) = &*e.cond {
            let t = self.eval(&l.expr);
            let mut names = Vec::new();
            bindings(&l.pat, &mut names);
            for n in names {
                self.env.set(
                    &n.name,
                    t.clone(),
                    var_of(&l.expr).into_iter().collect(),
                    false,
                );
            }
        }
        syn::visit::visit_expr_if(self, e);
    }

    fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
        self.guard(&e.expr);
        let t = self.eval(&e.expr);
        for arm in &e.arms {
            let mut names = Vec::new();
            bindings(&arm.pat, &mut names);
            for n in names {
                self.env.set(&n.name, t.clone(), vec![], false);
            }
        }
        syn::visit::visit_expr_match(self, e);
    }

    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        let t = self.eval(&e.expr);
        let mut names = Vec::new();
        bindings(&e.pat, &mut names);
        for n in names {
            self.env.set(&n.name, t.clone(), vec![], false);
        }
        syn::visit::visit_expr_for_loop(self, e);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let name = last_seg(&m.path);
        if ["ensure", "assert", "debug_assert"].contains(&name.as_str()) {
            if let Ok(args) = m.parse_body_with(
                syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated,
            ) {
                if let Some(c) = args.first() {
                    self.guard(c);
                }
            }
        }
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        syn::visit::visit_expr_assign(self, a);
        if let Some(v) = var_of(&a.left).filter(|_| matches!(&*a.left, Expr::Path(_))) {
            let t = self
                .eval(&a.right)
                .map(|t| t.step(span_of(&a.left), format!("assigned to `{v}`")));
            self.env.set(&v, t, vec![], false);
        }
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        syn::visit::visit_expr_binary(self, b);
        if matches!(b.op, syn::BinOp::AddAssign(_)) {
            if let Some(v) = var_of(&b.left) {
                let t = Taint::merge(self.eval(&b.left), self.eval(&b.right)).map(|mut t| {
                    t.built = true;
                    t
                });
                self.env.set(&v, t, vec![], false);
            }
        }
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        match name.as_str() {
            "push_str" | "push" | "extend" => {
                if let (Some(v), Some(a)) = (var_of(&m.receiver), m.args.first()) {
                    let t = Taint::merge(self.env.get(&v).cloned(), self.eval(a)).map(|mut t| {
                        t.built = true;
                        t
                    });
                    self.env.set(&v, t, vec![], false);
                }
            }
            "arg" | "args" => {
                if let Some(before) = self.cmd_state(&m.receiver) {
                    let listed;
                    let elems: Vec<&Expr> = if name == "arg" {
                        m.args.iter().collect()
                    } else {
                        match m.args.first().map(strip) {
                            Some(Expr::Array(a)) => a.elems.iter().collect(),
                            Some(Expr::Macro(mm)) if last_seg(&mm.mac.path) == "vec" => {
                                listed = mm.mac.parse_body_with(
                                    syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated,
                                );
                                listed.iter().flatten().collect()
                            }
                            Some(e) => vec![e],
                            None => vec![],
                        }
                    };
                    let mut state = before.clone();
                    for e in elems {
                        if let (Some(sh), true) = (before.shell, state.dash_c) {
                            let callee = format!("Command::new(\"{sh}\").arg(\"-c\")");
                            self.check_arg(Sink::Shell, e, &callee);
                        } else if before.shell.is_none() && !state.end && !state.value_next {
                            self.check_option(e, state.program.as_deref(), &name);
                        }
                        state.absorb(str_lit(e).as_deref());
                    }
                    if let Expr::Path(p) = strip(&m.receiver) {
                        self.cmds.insert(last_seg(&p.path), state);
                    }
                }
            }
            "get" | "post" | "put" | "patch" | "delete" | "head" | "request"
                if is_client(&m.receiver, &self.env) =>
            {
                if let Some(u) = m.args.iter().last() {
                    self.check_arg(Sink::Network, u, &format!("client.{name}()"));
                }
            }
            _ => {
                if let Some((recv, i)) = script_method(&m.receiver, &name) {
                    if let Some(a) = m.args.iter().nth(i) {
                        self.check_arg(Sink::Code, a, &format!("{recv}.{name}()"));
                    }
                }
            }
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let full = path_str(&p.path);
            let last = last_seg(&p.path);
            let first = c.args.first();
            if let Some(a) = first {
                if full.ends_with("Command::new") {
                    self.check_arg(Sink::Shell, a, &format!("{full}()"));
                } else if (full.contains("fs::")
                    || full.starts_with("File::")
                    || full.ends_with("File::open")
                    || full.ends_with("File::create"))
                    && FILE_CALLS.contains(&last.as_str())
                {
                    self.check_arg(Sink::File, a, &format!("{full}()"));
                } else if full == "reqwest::get" || full == "reqwest::blocking::get" {
                    self.check_arg(Sink::Network, a, &format!("{full}()"));
                } else if full.ends_with("Tera::one_off") || full.ends_with("Library::new") {
                    // A template compiled from the value, or a shared library loaded
                    // from a path it names: code the value's author chose.
                    self.check_arg(Sink::Code, a, &format!("{full}()"));
                } else if matches!(
                    last.as_str(),
                    "query" | "query_as" | "query_scalar" | "raw_sql"
                ) && (full.starts_with("sqlx::") || full == last)
                {
                    if let Some(t) = self.eval(a) {
                        if t.built || full.starts_with("sqlx::") {
                            self.check_arg(Sink::Sql, a, &format!("{full}()"));
                        }
                    }
                }
            }
        }
        syn::visit::visit_expr_call(self, c);
    }

    // Items nested in a body (helper fns, impls) are not the tool's code.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// A method of an embedded script engine that runs its argument as code, and which
/// argument that is: rhai `engine.eval(s)` / `run` / `compile`, mlua `lua.load(s)`,
/// deno_core `runtime.execute_script(name, s)`, boa `context.eval(src)`, handlebars
/// `render_template(s, data)`. The receiver must be named like the engine: these
/// method names are common elsewhere.
fn script_method(receiver: &Expr, method: &str) -> Option<(String, usize)> {
    let written = match strip(receiver) {
        Expr::Path(p) if p.path.segments.len() == 1 => last_seg(&p.path),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(i) => i.to_string(),
            _ => return None,
        },
        _ => return None,
    };
    let name = written.to_ascii_lowercase();
    let named = |words: &[&str]| {
        words
            .iter()
            .any(|w| name == *w || name.ends_with(&format!("_{w}")))
    };
    match method {
        "eval"
        | "eval_expression"
        | "eval_with_scope"
        | "eval_expression_with_scope"
        | "run"
        | "run_with_scope"
        | "compile"
        | "compile_expression"
            if named(&["engine", "rhai"]) =>
        {
            Some((written, 0))
        }
        "load" if named(&["lua"]) => Some((written, 0)),
        "execute_script" | "execute_script_static" if named(&["runtime", "js_runtime", "deno"]) => {
            Some((written, 1))
        }
        "eval" if named(&["context", "ctx", "boa"]) => Some((written, 0)),
        "render_template" if named(&["handlebars", "hbs", "registry", "reg"]) => Some((written, 0)),
        _ => None,
    }
}

/// An HTTP client: `reqwest::Client::new()`, a variable or field named like one.
fn is_client(e: &Expr, env: &Env) -> bool {
    match strip(e) {
        Expr::Path(p) if p.path.segments.len() == 1 => {
            let n = last_seg(&p.path);
            env.clients.contains(&n) || n == "client" || n == "http" || n.ends_with("_client")
        }
        Expr::Field(f) => match &f.member {
            syn::Member::Named(i) => {
                let n = i.to_string();
                n == "client" || n == "http" || n.ends_with("_client") || n == "http_client"
            }
            _ => false,
        },
        Expr::Call(c) => {
            matches!(&*c.func, Expr::Path(p) if path_str(&p.path).ends_with("Client::new"))
        }
        Expr::MethodCall(m) => m.method == "build" || is_client(&m.receiver, env),
        _ => false,
    }
}
