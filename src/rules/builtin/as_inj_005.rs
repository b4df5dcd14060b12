//! AS-INJ-005: a tool parameter reaches a network sink (taint flow; see src/lang).

use crate::lang::Sink;
use crate::rules::{Context, Parsed, Rule};

use super::flows;

pub struct Ssrf;

impl Rule for Ssrf {
    fn id(&self) -> &'static str {
        "AS-INJ-005"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        flows::report(file, cx, Sink::Network, |f| {
            format!("the URL fetched by `{}` with no host allow-list: the server can be made to call internal services or cloud metadata (169.254.169.254)", f.callee)
        });
    }
}
