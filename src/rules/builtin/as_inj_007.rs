//! AS-INJ-007: model output rendered as HTML without sanitising (taint flow; see
//! src/lang). Only flows whose source is model output are recorded for this sink.

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
    }
}
