//! AS-INJ-002: a tool parameter reaches a code sink (taint flow; see src/lang).

use crate::lang::{Origin, Sink};
use crate::rules::{Context, Parsed, Rule};

use super::flows;

pub struct CodeInjection;

impl Rule for CodeInjection {
    fn id(&self) -> &'static str {
        "AS-INJ-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        flows::report(file, cx, Sink::Code, |f| {
            format!("`{}`, which runs or deserialises it as code: {} can execute arbitrary code in the server", f.callee, match f.origin { Origin::Request => "any client that can reach this route", _ => "whoever steers the model" })
        });
    }
}
