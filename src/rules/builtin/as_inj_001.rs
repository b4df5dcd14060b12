//! AS-INJ-001: a tool parameter reaches a shell sink (taint flow; see src/lang).

use crate::lang::Sink;
use crate::rules::{Context, Parsed, Rule};

use super::flows;

pub struct ShellInjection;

impl Rule for ShellInjection {
    fn id(&self) -> &'static str {
        "AS-INJ-001"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        flows::report(file, cx, Sink::Shell, |f| {
            format!(
                "a shell command (`{}`): {} can run commands on this host",
                f.callee,
                f.origin.who()
            )
        });
    }
}
