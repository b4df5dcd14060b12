//! Python sinks where text changes meaning without running code: model output
//! rendered as HTML (AS-INJ-007) and untrusted data placed in a system or developer
//! prompt (AS-INJ-008).

use tree_sitter::Node;

use super::{children, Call, Fx};
use crate::lang::sources as names;
use crate::lang::string_literal;
use crate::lang::taint::{bits, Env, Sink, Taint};

/// Keyword arguments that set a model's standing instructions.
const ROLE_KWARGS: &[&str] = &[
    "system",
    "instructions",
    "backstory",
    "system_prompt",
    "system_message",
];

/// Escapers and HTML sanitisers: their result is safe to render.
const HTML_CLEAN: &[&str] = &[
    "bleach.clean",
    "nh3.clean",
    "html.escape",
    "markupsafe.escape",
    "flask.escape",
    "django.utils.html.escape",
    "cgi.escape",
];

impl<'t> Fx<'_, 't> {
    /// Records a content flow: HTML only from model output, prompts only from data the
    /// model does not produce (request data, tool arguments).
    fn content_flow(&mut self, sink: Sink, at: Node<'_>, t: &Taint, callee: String) {
        if t.origin.feeds(sink) && (sink == Sink::Html || !self.opaque_call(at)) {
            self.flow(sink, at, t, callee, None);
        }
    }

    /// A call other than a string method: what it returns is not visible here.
    fn opaque_call(&self, at: Node<'_>) -> bool {
        at.kind() == "call"
            && at
                .child_by_field_name("function")
                .is_some_and(|f| !names::STRING_METHODS.contains(&self.last_name(f).as_str()))
    }

    /// The result of an HTML sanitiser, cleared for rendering.
    pub(super) fn html_clean(
        &self,
        name: &str,
        c: &[(Node<'t>, Option<Taint>)],
    ) -> Option<Option<Taint>> {
        HTML_CLEAN.contains(&name).then(|| {
            c.first().and_then(|a| a.1.clone()).map(|mut t| {
                t.clear(bits(&[Sink::Html]));
                t
            })
        })
    }

    pub(super) fn content_sinks(&mut self, c: &Call<'_, 't>, env: &Env) {
        let name = c.name;
        let kw_true = |k: &str| c.kw.iter().any(|x| x.0 == k && self.t(x.1) == "True");
        let first = c
            .pos
            .first()
            .and_then(|(n, t)| t.clone().map(|t| (*n, t)))
            .or_else(|| {
                c.kw.iter()
                    .find(|x| matches!(x.0.as_str(), "body" | "value" | "content" | "html"))
                    .and_then(|x| x.2.clone().map(|t| (x.1, t)))
            });
        // HTML.
        // Streamlit, also through placeholders (`slot = st.empty()`; `slot.markdown(...)`).
        let streamlit =
            matches!(c.last, "markdown" | "write" | "caption") && kw_true("unsafe_allow_html");
        let html = streamlit
            || matches!(
                name,
                "streamlit.components.v1.html"
                    | "gradio.HTML"
                    | "markupsafe.Markup"
                    | "flask.Markup"
                    | "jinja2.Markup"
                    | "django.utils.safestring.mark_safe"
            );
        if html {
            if let Some((n, t)) = first.clone() {
                let callee = if streamlit {
                    let shown = if name.is_empty() {
                        self.t(c.node.child_by_field_name("function").unwrap_or(c.node))
                    } else {
                        name
                    };
                    format!("{shown}(..., unsafe_allow_html=True)")
                } else {
                    format!("{name}()")
                };
                self.content_flow(Sink::Html, n, &t, callee);
            }
            return;
        }
        // Prompt roles.
        if c.last == "SystemMessage" || c.last == "SystemMessagePromptTemplate" {
            if let Some((n, t)) = first.clone() {
                self.content_flow(Sink::Prompt, n, &t, format!("{}()", c.last));
            }
        }
        if c.last == "from_template"
            && c.recv
                .is_some_and(|r| self.t(r).ends_with("SystemMessagePromptTemplate"))
        {
            if let Some((n, t)) = first.clone() {
                self.content_flow(
                    Sink::Prompt,
                    n,
                    &t,
                    "SystemMessagePromptTemplate.from_template()".into(),
                );
            }
        }
        if c.last == "from_messages" {
            if let Some((list, _)) = c.pos.first() {
                for tuple in children(*list).into_iter().filter(|n| n.kind() == "tuple") {
                    self.role_tuple(tuple, env);
                }
            }
        }
        // `system=` of a model call, `instructions=`/`backstory=` of an agent: not any
        // function that happens to take such a keyword.
        let path = if name.is_empty() {
            self.t(c.node.child_by_field_name("function").unwrap_or(c.node))
        } else {
            name
        };
        let instructed = names::llm_ctor(c.last)
            || c.last.ends_with("Agent")
            || names::model_api_path(path, true)
            || path.ends_with(".messages.stream");
        for (k, v, t) in c.kw.iter().filter(|_| instructed) {
            if let (true, Some(t)) = (ROLE_KWARGS.contains(&k.as_str()), t) {
                let callee = format!("{}({k}=...)", if name.is_empty() { c.last } else { name });
                self.content_flow(Sink::Prompt, *v, t, callee);
            }
        }
    }

    /// `("system", f"... {x}")` in `ChatPromptTemplate.from_messages([...])`.
    fn role_tuple(&mut self, tuple: Node<'t>, env: &Env) {
        let parts = children(tuple);
        let (Some(role), Some(content)) = (parts.first(), parts.get(1)) else {
            return;
        };
        if !string_literal(*role, self.text).is_some_and(|r| r == "system" || r == "developer") {
            return;
        }
        if let Some(t) = self.peek(*content, env) {
            self.content_flow(
                Sink::Prompt,
                *content,
                &t,
                "ChatPromptTemplate.from_messages()".into(),
            );
        }
    }

    /// `{"role": "system", "content": x}`: a privileged message built from `x`.
    pub(super) fn role_dict(&mut self, node: Node<'t>, env: &mut Env) -> Option<Taint> {
        let mut acc = None;
        let mut role = None;
        let mut content = None;
        for pair in children(node) {
            if pair.kind() != "pair" {
                acc = Taint::merge(acc, self.expr(pair, env));
                continue;
            }
            let (Some(k), Some(v)) = (
                pair.child_by_field_name("key"),
                pair.child_by_field_name("value"),
            ) else {
                continue;
            };
            let key = string_literal(k, self.text);
            let t = self.expr(v, env);
            match key.as_deref() {
                Some("role") => role = string_literal(v, self.text),
                Some("content") => content = t.clone().map(|t| (v, t)),
                _ => {}
            }
            acc = Taint::merge(acc, t);
        }
        if let (Some(r @ ("system" | "developer")), Some((v, t))) = (role.as_deref(), content) {
            let callee = format!("{{\"role\": \"{r}\"}}");
            self.content_flow(Sink::Prompt, v, &t, callee);
        }
        acc
    }
}
