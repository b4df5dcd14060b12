//! Which Rust functions are tools, and which of their bindings the model chooses.
//!
//! rmcp (modelcontextprotocol/rust-sdk): methods marked `#[tool(...)]`; arguments
//! arrive as `Parameters<T>` (destructured as `Parameters(T { a, b })` or
//! `Parameters(req)`), or in the 0.1 forms `#[tool(param)] x: String` and
//! `#[tool(aggr)] req: T`. Extractors such as `Peer` or `RequestContext` are the
//! server's own. rig: the `call(&self, args: Self::Args)` method of `impl Tool for T`,
//! named by its `const NAME`, and functions under `#[rig_tool]`.

use syn::{Attribute, FnArg, ImplItem, Item, Pat, Signature};

use super::span_of;
use crate::lang::Tool;
use crate::manifest::Span;

/// A binding in a tool body that holds a model-chosen value.
pub struct Source {
    pub name: String,
    pub span: Span,
}

pub struct Found<'f> {
    pub tool: Tool,
    pub sources: Vec<Source>,
    pub body: &'f syn::Block,
}

pub fn discover(file: &syn::File) -> Vec<Found<'_>> {
    let mut out = Vec::new();
    items(&file.items, &mut out);
    out
}

fn items<'f>(items: &'f [Item], out: &mut Vec<Found<'f>>) {
    for item in items {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    self::items(inner, out);
                }
            }
            Item::Impl(imp) => impl_tools(imp, out),
            Item::Fn(f) if has_attr(&f.attrs, "rig_tool") => {
                let mut sources = Vec::new();
                for a in &f.sig.inputs {
                    if let FnArg::Typed(t) = a {
                        bindings(&t.pat, &mut sources);
                    }
                }
                let tool = tool(
                    &f.sig,
                    &f.attrs,
                    None,
                    &f.block,
                    "rig #[rig_tool]",
                    &sources,
                );
                out.push(Found {
                    tool,
                    sources,
                    body: &f.block,
                });
            }
            _ => {}
        }
    }
}

fn impl_tools<'f>(imp: &'f syn::ItemImpl, out: &mut Vec<Found<'f>>) {
    let rig = imp
        .trait_
        .as_ref()
        .and_then(|(_, p, _)| p.segments.last())
        .is_some_and(|s| s.ident == "Tool");
    let rig_name = rig.then(|| rig_const_name(imp)).flatten();
    for it in &imp.items {
        let ImplItem::Fn(f) = it else { continue };
        if rig && f.sig.ident == "call" {
            // `call(&self, args: Self::Args)`: every argument after self.
            let mut sources = Vec::new();
            for a in f.sig.inputs.iter().skip(1) {
                // Newer rig passes `&mut ToolContext` before the arguments: the host's own.
                if let FnArg::Typed(t) = a {
                    if !matches!(&*t.ty, syn::Type::Reference(_)) {
                        bindings(&t.pat, &mut sources);
                    }
                }
            }
            let tool = tool(
                &f.sig,
                &f.attrs,
                rig_name.clone(),
                &f.block,
                "rig Tool::call",
                &sources,
            );
            out.push(Found {
                tool,
                sources,
                body: &f.block,
            });
        } else if let Some(attr) = f.attrs.iter().find(|a| last_is(a, "tool")) {
            let mut sources = Vec::new();
            for a in &f.sig.inputs {
                let FnArg::Typed(t) = a else { continue };
                let marked = t.attrs.iter().any(|a| {
                    last_is(a, "tool") && {
                        let s = tokens(a);
                        s.contains("param") || s.contains("aggr")
                    }
                });
                if marked || mentions_parameters(&t.ty) || pat_is_parameters(&t.pat) {
                    bindings(&t.pat, &mut sources);
                }
            }
            let name = attr_str(attr, "name");
            let tool = tool(&f.sig, &f.attrs, name, &f.block, "rmcp #[tool]", &sources);
            out.push(Found {
                tool,
                sources,
                body: &f.block,
            });
        }
    }
}

fn tool(
    sig: &Signature,
    attrs: &[Attribute],
    name: Option<(String, Span)>,
    body: &syn::Block,
    framework: &'static str,
    sources: &[Source],
) -> Tool {
    let (name, name_span) = name.unwrap_or_else(|| (sig.ident.to_string(), span_of(&sig.ident)));
    let description = attrs
        .iter()
        .filter(|a| last_is(a, "tool") || last_is(a, "rig_tool"))
        .find_map(|a| attr_str(a, "description"))
        .or_else(|| doc(attrs));
    Tool {
        name,
        name_span,
        description,
        params: sources
            .iter()
            .map(|s| (s.name.clone(), s.span.clone()))
            .collect(),
        body: span_of(body),
        framework,
    }
}

/// `const NAME: &str = "add";` in a rig `Tool` impl.
fn rig_const_name(imp: &syn::ItemImpl) -> Option<(String, Span)> {
    imp.items.iter().find_map(|it| match it {
        ImplItem::Const(c) if c.ident == "NAME" => match &c.expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some((s.value(), span_of(s))),
            _ => None,
        },
        _ => None,
    })
}

/// The doc comment, which rmcp takes as the description when none is given.
fn doc(attrs: &[Attribute]) -> Option<(String, Span)> {
    let mut text = Vec::new();
    let mut span: Option<Span> = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &a.meta {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
            {
                text.push(s.value().trim().to_string());
                let r = span_of(s);
                span = Some(match span {
                    Some(p) => p.start..r.end,
                    None => r,
                });
            }
        }
    }
    span.map(|s| (text.join("\n"), s))
}

fn last_is(a: &Attribute, name: &str) -> bool {
    a.path().segments.last().is_some_and(|s| s.ident == name)
}

fn has_attr(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().any(|a| last_is(a, name))
}

fn tokens(a: &Attribute) -> String {
    match &a.meta {
        syn::Meta::List(l) => l.tokens.to_string(),
        _ => String::new(),
    }
}

/// `key = "literal"` inside an attribute's list.
fn attr_str(a: &Attribute, key: &str) -> Option<(String, Span)> {
    let syn::Meta::List(l) = &a.meta else {
        return None;
    };
    let args = l
        .parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        .ok()?;
    args.iter().find_map(|m| match m {
        syn::Meta::NameValue(nv) if nv.path.is_ident(key) => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some((s.value(), span_of(s))),
            _ => None,
        },
        _ => None,
    })
}

fn mentions_parameters(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Parameters"),
        _ => false,
    }
}

fn pat_is_parameters(p: &Pat) -> bool {
    matches!(p, Pat::TupleStruct(t) if t.path.segments.last().is_some_and(|s| s.ident == "Parameters"))
}

/// Every name a pattern binds: `req`, `Parameters(req)`, `Parameters(T { a, b: c })`.
pub fn bindings(p: &Pat, out: &mut Vec<Source>) {
    match p {
        Pat::Ident(i) => {
            out.push(Source {
                name: i.ident.to_string(),
                span: span_of(&i.ident),
            });
            if let Some((_, sub)) = &i.subpat {
                bindings(sub, out);
            }
        }
        Pat::TupleStruct(t) => t.elems.iter().for_each(|e| bindings(e, out)),
        Pat::Tuple(t) => t.elems.iter().for_each(|e| bindings(e, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| bindings(&f.pat, out)),
        Pat::Reference(r) => bindings(&r.pat, out),
        Pat::Type(t) => bindings(&t.pat, out),
        Pat::Slice(s) => s.elems.iter().for_each(|e| bindings(e, out)),
        Pat::Or(o) => o.cases.iter().for_each(|e| bindings(e, out)),
        Pat::Paren(p) => bindings(&p.pat, out),
        _ => {}
    }
}
