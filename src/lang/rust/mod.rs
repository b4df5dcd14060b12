//! Rust tool code, read with syn: rmcp `#[tool]` methods (in `#[tool_router]` and the
//! older `#[tool(tool_box)]` impls) and rig `impl Tool for T { fn call }` are tools;
//! their arguments are followed to sinks inside the method body (see `flow`).
//!
//! A file syn cannot parse (macro-heavy, partial, or for a newer edition) is skipped
//! without a report: it is source, not configuration, and the compiler is its judge.
//! Spans are byte ranges from proc-macro2's span locations; the thread's span table is
//! released after each file so a long scan does not grow it.

pub mod comments;
mod flow;
mod routes;
mod tools;

use crate::manifest::Span;

use super::{Flow, Tool};

/// What a Rust file yields for the rules.
pub struct Analysis {
    pub tools: Vec<Tool>,
    pub flows: Vec<Flow>,
    pub comments: Vec<crate::manifest::Comment>,
    /// `danger_accept_invalid_certs(true)` and its kin anywhere in the file.
    pub tls_off: Vec<(Span, String)>,
}

/// Parses one file; `None` when syn does not accept it.
pub fn analyse(text: &str) -> Option<Analysis> {
    if too_deep(text) {
        return None;
    }
    let comments = comments::comments(text);
    let parsed = parse(text).map(|file| {
        let mut tools = Vec::new();
        let mut flows = Vec::new();
        let mut tls = TlsOff(Vec::new());
        syn::visit::Visit::visit_file(&mut tls, &file);
        for t in tools::discover(&file) {
            flows.extend(flow::analyse(&t, text));
            tools.push(t.tool);
        }
        for h in routes::discover(&file, text) {
            flows.extend(flow::analyse_route(&h, text));
        }
        (tools, flows, tls.0)
    });
    // Every span was converted to a byte range above; the table can go.
    proc_macro2::extra::invalidate_current_thread_spans();
    let (tools, flows, tls_off) = parsed?;
    Some(Analysis {
        tools,
        flows: super::taint::dedup(flows),
        comments,
        tls_off,
    })
}

/// reqwest's and native-tls's builder switches that turn certificate or hostname
/// verification off, called with a literal `true`.
struct TlsOff(Vec<(Span, String)>);

impl<'ast> syn::visit::Visit<'ast> for TlsOff {
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        if matches!(
            name.as_str(),
            "danger_accept_invalid_certs" | "danger_accept_invalid_hostnames"
        ) && matches!(m.args.first(), Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(b), .. })) if b.value)
        {
            self.0
                .push((span_of(&m.method).start..span_of(m).end, name));
        }
        syn::visit::visit_expr_method_call(self, m);
    }
}

/// syn's `parse_file` drops a byte-order mark and a shebang line, which would shift
/// every span; they are blanked instead so offsets match the file.
fn parse(text: &str) -> Option<syn::File> {
    let mut src = String::with_capacity(text.len());
    let mut rest = text;
    if let Some(r) = rest.strip_prefix('\u{feff}') {
        src.push_str("   ");
        rest = r;
    }
    if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        let end = rest.find('\n').unwrap_or(rest.len());
        src.extend(std::iter::repeat_n(' ', end));
        rest = &rest[end..];
    }
    src.push_str(rest);
    syn::parse_str::<syn::File>(&src).ok()
}

/// Bracket nesting beyond which a file is not parsed: syn's parser and the taint walk
/// recurse per level, and generated or hostile code must not exhaust a worker's stack.
const MAX_NESTING: usize = 64;

/// Raw bracket depth, literals included: a bracket inside a string can only make a
/// file look deeper than it is, which skips it rather than risking the stack.
fn too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return true;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The byte range of anything with tokens.
pub(crate) fn span_of(node: &impl syn::spanned::Spanned) -> Span {
    node.span().byte_range()
}

#[cfg(test)]
mod tests;
