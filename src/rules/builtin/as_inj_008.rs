//! AS-INJ-008: request data or a tool argument placed in a system or developer
//! prompt (taint flow; see src/lang). Model output is not recorded for this sink.

use crate::lang::{Origin, Sink};
use crate::rules::{Context, Parsed, Rule};

use super::flows;

pub struct PrivilegedPrompt;

impl Rule for PrivilegedPrompt {
    fn id(&self) -> &'static str {
        "AS-INJ-008"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        flows::report(file, cx, Sink::Prompt, |f| {
            let who = match f.origin {
                Origin::Request => "any client of this route",
                _ => "whoever steers the model",
            };
            format!("the system instructions in `{}`: {who} can rewrite the model's standing orders instead of supplying data; keep instructions constant and pass untrusted text in a user message", f.callee)
        });
    }
}
