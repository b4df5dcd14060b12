//! AS-INJ-006: a tool parameter reaches a sql sink (taint flow; see src/lang).

use crate::lang::Sink;
use crate::rules::{Context, Parsed, Rule};

use super::flows;

pub struct SqlInjection;

impl Rule for SqlInjection {
    fn id(&self) -> &'static str {
        "AS-INJ-006"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        flows::report(file, cx, Sink::Sql, |f| {
            format!("a SQL statement built by string formatting in `{}`: the value can change the query; pass it as a bound parameter", f.callee)
        });
    }
}
