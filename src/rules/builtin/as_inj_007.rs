//! AS-INJ-007: model output rendered as HTML without sanitising (taint flow; see
//! src/lang; only flows whose source is model output are recorded for this sink),
//! and markdown renderers configured to pass raw HTML through.

use crate::lang::calls::{Call, Value};
use crate::lang::Sink;
use crate::rules::{Context, Parsed, Rule};

use super::flows;

pub struct ModelOutputHtml;

impl Rule for ModelOutputHtml {
    fn id(&self) -> &'static str {
        "AS-INJ-007"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        flows::report(file, cx, Sink::Html, |f| {
            format!("`{}`, which renders it as HTML unsanitised: a prompt injection can make the model emit script or an image URL that leaks the conversation to another site", f.callee)
        });
        let Some(code) = file.code else { return };
        // A file that sanitises what it renders (`DOMPurify.sanitize(md.render(x))`)
        // keeps raw HTML for the markup the sanitiser allows.
        if code.index.calls.iter().any(sanitiser) {
            return;
        }
        for c in code.index.calls.iter().filter(|c| markdown_it(c)) {
            let html_on = c.args.iter().find_map(|a| match &a.value {
                Value::Object(entries) => entries
                    .iter()
                    .find(|e| e.name.as_deref() == Some("html") && e.is_true()),
                _ => None,
            });
            if let Some(a) = html_on {
                cx.report(
                    a.span.clone(),
                    &format!("{}:html", c.raw),
                    format!("`{}` is created with `html: true`: raw HTML in the markdown it renders (model answers included) reaches the page unsanitised.", c.raw),
                );
            }
        }
    }
}

/// `new MarkdownIt({...})`, `markdownit({...})`, Python `MarkdownIt("commonmark", {...})`.
fn markdown_it(c: &Call) -> bool {
    c.callee == "markdown-it"
        || c.callee == "markdown_it.MarkdownIt"
        || c.callee == "markdown-it.default"
}

fn sanitiser(c: &Call) -> bool {
    c.last() == "sanitize"
        || matches!(
            c.callee.as_str(),
            "sanitize-html" | "bleach.clean" | "nh3.clean" | "xss"
        )
}
