//! Rust functions with sources other than tool parameters. axum route handlers:
//! what their extractors (`Json<T>`, `Query<T>`, `Path<T>`, `Form<T>`) pull from the
//! request is chosen by any client of the route. In a file that uses rig, every
//! function is analysed, since `agent.prompt(...)` returns model output wherever it
//! is called.

use syn::{FnArg, ImplItem, Item, Type};

use super::tools::{bindings, Source};

/// Extractors whose contents the client writes.
const EXTRACTORS: &[&str] = &["Json", "Query", "Path", "Form", "RawQuery", "TypedHeader"];

/// A handler: its name, the bindings its extractors fill, and its body.
pub struct Handler<'f> {
    pub name: String,
    pub sources: Vec<Source>,
    pub body: &'f syn::Block,
}

pub fn discover<'f>(file: &'f syn::File, text: &str) -> Vec<Handler<'f>> {
    let mut out = Vec::new();
    // rig's `agent.prompt(...)` output is a source in any function of the file.
    let rig = text.contains("rig::") && text.contains(".prompt(");
    if !text.contains("axum") && !rig {
        return out;
    }
    items(&file.items, &mut out, rig);
    out
}

fn items<'f>(items: &'f [Item], out: &mut Vec<Handler<'f>>, all: bool) {
    for item in items {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    self::items(inner, out, all);
                }
            }
            Item::Fn(f) => handler(&f.sig, &f.block, out, all),
            Item::Impl(imp) => {
                for it in &imp.items {
                    if let ImplItem::Fn(f) = it {
                        handler(&f.sig, &f.block, out, all);
                    }
                }
            }
            _ => {}
        }
    }
}

/// `all`: every function is analysed (for model output), handlers with request data.
fn handler<'f>(sig: &syn::Signature, body: &'f syn::Block, out: &mut Vec<Handler<'f>>, all: bool) {
    let mut sources = Vec::new();
    for a in &sig.inputs {
        if let FnArg::Typed(t) = a {
            if extractor(&t.ty) {
                bindings(&t.pat, &mut sources);
            }
        }
    }
    if all || !sources.is_empty() {
        out.push(Handler {
            name: sig.ident.to_string(),
            sources,
            body,
        });
    }
}

/// `Json<T>`, `axum::extract::Query<T>`: a generic extractor type.
fn extractor(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    p.path.segments.last().is_some_and(|s| {
        EXTRACTORS.contains(&s.ident.to_string().as_str())
            && matches!(s.arguments, syn::PathArguments::AngleBracketed(_))
    })
}
