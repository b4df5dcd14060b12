//! AS-INJ-004: a tool parameter reaches a file sink (taint flow; see src/lang).

use crate::lang::Sink;
use crate::rules::{Context, Parsed, Rule};

use super::flows;

pub struct PathTraversal;

impl Rule for PathTraversal {
    fn id(&self) -> &'static str {
        "AS-INJ-004"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        flows::report(file, cx, Sink::File, |f| {
            format!("a file path in `{}` with no symlink-resolving containment check: `../` or an absolute path reaches any file the server can access", f.callee)
        });
    }
}
