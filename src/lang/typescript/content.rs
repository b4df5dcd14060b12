//! TypeScript/JavaScript sinks where text changes meaning without running code:
//! model output rendered as HTML (AS-INJ-007: `dangerouslySetInnerHTML`, `innerHTML`,
//! `insertAdjacentHTML`, `document.write`) and untrusted data in system
//! instructions (AS-INJ-008: `{ role: "system" }`, `system:`/`instructions:` of a
//! model call or agent, `new SystemMessage(...)`).

use tree_sitter::Node;

use super::{children, Fx};
use crate::lang::sources as names;
use crate::lang::taint::{bits, Env, Sink, Taint};
use crate::lang::{string_literal, unwrap_expr};

/// Calls whose `system`/`instructions` option is the model's standing instructions.
const INSTRUCTED: &[&str] = &[
    "generateText",
    "streamText",
    "generateObject",
    "streamObject",
    "Agent",
];

impl<'t> Fx<'_, 't> {
    /// HTML only from model output; prompts only from what the model does not write.
    fn content_flow(&mut self, sink: Sink, at: Node<'_>, t: &Taint, callee: String) {
        if t.origin.feeds(sink) && (sink == Sink::Html || !self.opaque_call(at)) {
            self.flow(sink, at, t, callee, None);
        }
    }

    /// A call other than a string method: what it returns is not visible here.
    fn opaque_call(&self, at: Node<'_>) -> bool {
        let at = unwrap_expr(at);
        let f = at.child_by_field_name("function");
        at.kind() == "call_expression"
            && f.is_some_and(|f| {
                let last = f
                    .child_by_field_name("property")
                    .map(|p| self.t(p))
                    .unwrap_or_else(|| self.t(f));
                !names::STRING_METHODS.contains(&last)
            })
    }

    /// `DOMPurify.sanitize(x)`, `sanitizeHtml(x)`, `escapeHtml(x)`: safe to render.
    pub(super) fn html_clean(
        &self,
        name: &str,
        last: &str,
        pos: &[(Node<'t>, Option<Taint>)],
    ) -> Option<Option<Taint>> {
        let clean = matches!(last, "sanitize" | "escapeHtml" | "escape" | "sanitizeHtml")
            || matches!(name, "sanitize-html" | "xss" | "escape-html");
        clean.then(|| {
            pos.first().and_then(|a| a.1.clone()).map(|mut t| {
                t.clear(bits(&[Sink::Html]));
                t
            })
        })
    }

    pub(super) fn content_calls(
        &mut self,
        name: &str,
        last: &str,
        recv: Option<Node<'t>>,
        pos: &[(Node<'t>, Option<Taint>)],
    ) {
        let arg = |i: usize| pos.get(i).and_then(|(n, t)| t.clone().map(|t| (*n, t)));
        let html = match last {
            "insertAdjacentHTML" if recv.is_some() => arg(1),
            "write" | "writeln" if name == "document.write" || name == "document.writeln" => arg(0),
            _ => None,
        };
        if let Some((n, t)) = html {
            let callee = if recv.is_some() {
                format!(".{last}()")
            } else {
                format!("{name}()")
            };
            self.content_flow(Sink::Html, n, &t, callee);
        }
        if last == "SystemMessage" {
            if let Some((n, t)) = arg(0) {
                self.content_flow(Sink::Prompt, n, &t, "SystemMessage()".into());
            }
        }
    }

    /// `el.innerHTML = x`, `el.outerHTML = x`.
    pub(super) fn html_assign(&mut self, left: Node<'_>, right: Node<'_>, t: Option<&Taint>) {
        let Some(t) = t else { return };
        let prop = left
            .child_by_field_name("property")
            .map(|p| self.t(p))
            .unwrap_or("");
        if left.kind() == "member_expression" && matches!(prop, "innerHTML" | "outerHTML") {
            self.content_flow(Sink::Html, right, t, format!(".{prop} ="));
        }
    }

    /// `dangerouslySetInnerHTML={{ __html: x }}`.
    pub(super) fn jsx_attribute(&mut self, node: Node<'t>, env: &mut Env) -> Option<Taint> {
        let parts = children(node);
        let is_dangerous = parts
            .first()
            .is_some_and(|n| self.t(*n) == "dangerouslySetInnerHTML");
        let mut acc = None;
        for c in parts.into_iter().skip(1) {
            let t = self.expr(c, env);
            if is_dangerous {
                let obj = c.named_child(0).map(unwrap_expr);
                let html = obj
                    .filter(|o| o.kind() == "object")
                    .and_then(|o| super::prop(o, "__html", self.text));
                if let Some(v) = html {
                    // Evaluated again (not peeked) so that a sanitiser call counts.
                    if let Some(t) = self.expr(v, env) {
                        self.content_flow(Sink::Html, v, &t, "dangerouslySetInnerHTML".into());
                    }
                }
            }
            acc = Taint::merge(acc, t);
        }
        acc
    }

    /// An object literal: a `{ role: "system", content }` message, or the options of
    /// a model call or agent with `system`/`instructions`.
    pub(super) fn object(&mut self, node: Node<'t>, env: &mut Env) -> Option<Taint> {
        let mut acc = None;
        let mut role = None;
        let mut content = None;
        let mut instructions = Vec::new();
        let options_of = self.instructed_call(node);
        for c in children(node) {
            let t = self.expr(c, env);
            if c.kind() == "pair" {
                let key = c
                    .child_by_field_name("key")
                    .map(|k| string_literal(k, self.text).unwrap_or_else(|| self.t(k).to_string()));
                let v = c.child_by_field_name("value");
                match (key.as_deref(), v) {
                    (Some("role"), Some(v)) => role = string_literal(v, self.text),
                    (Some("content"), Some(v)) => content = t.clone().map(|t| (v, t)),
                    (Some(k @ ("system" | "instructions")), Some(v)) if options_of.is_some() => {
                        if let Some(t) = t.clone() {
                            instructions.push((k.to_string(), v, t));
                        }
                    }
                    _ => {}
                }
            }
            acc = Taint::merge(acc, t);
        }
        if let (Some(r @ ("system" | "developer")), Some((v, t))) = (role.as_deref(), content) {
            let callee = format!("{{ role: \"{r}\" }}");
            self.content_flow(Sink::Prompt, v, &t, callee);
        }
        for (k, v, t) in instructions {
            let callee = format!("{}({{ {k} }})", options_of.as_deref().unwrap_or(""));
            self.content_flow(Sink::Prompt, v, &t, callee);
        }
        acc
    }

    /// The callee when `obj` is the options argument of a model call or agent.
    fn instructed_call(&self, obj: Node<'_>) -> Option<String> {
        let args = obj.parent().filter(|p| p.kind() == "arguments")?;
        let call = args.parent()?;
        let f = call
            .child_by_field_name("function")
            .or_else(|| call.child_by_field_name("constructor"))?;
        let path: String = self.t(f).chars().filter(|c| !c.is_whitespace()).collect();
        let last = path.rsplit('.').next().unwrap_or(&path);
        (INSTRUCTED.contains(&last) || names::model_api_path(&path, true)).then_some(path)
    }
}
