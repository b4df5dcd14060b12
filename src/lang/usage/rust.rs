//! Rust: the fields of rmcp request structs, and the identifiers a body names.

use std::collections::HashSet;
use std::str::FromStr;

use super::Param;
use crate::lang::Tool;
use crate::manifest::Span;

/// rmcp's `Parameters<T>`: the model fills the fields of `T`. A field is read when the
/// body names it (`req.field`, or its binding in a destructuring pattern), or when the
/// whole request is passed on.
/// `None` when the tool has no such argument or `T` is not defined in this file.
pub(super) fn struct_params(text: &str, tool: &Tool) -> Option<Vec<Param>> {
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

/// `T` of `Parameters<T>`.
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
pub(super) fn idents(body: &str) -> HashSet<String> {
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
