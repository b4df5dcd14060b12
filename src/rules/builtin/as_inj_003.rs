//! AS-INJ-003: a tool parameter is an element of a program's argument list where the
//! program parses it as an option (taint flow; see src/lang/argv.rs).

use crate::finding::Severity;
use crate::lang::{argv, Sink};
use crate::rules::{Context, Parsed, Rule};

use super::flows;

pub struct ArgumentInjection;

impl Rule for ArgumentInjection {
    fn id(&self) -> &'static str {
        "AS-INJ-003"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        flows::report_adjusted(
            file,
            cx,
            Sink::Argv,
            |f| {
                let (program, call) = argv::split_callee(&f.callee);
                match program {
                    Some(p) if argv::is_dangerous(p) => format!(
                        "the argument list of `{p}` (`{call}`) where `{p}` reads it as an option when it starts with `-`: `{p}` has options that run commands or write files, so a crafted value executes code"
                    ),
                    Some(p) => format!(
                        "the argument list of `{p}` (`{call}`) where `{p}` reads it as an option when it starts with `-`, changing what the command does"
                    ),
                    None => format!(
                        "a program's argument list (`{call}`) where a value starting with `-` is read as an option, changing what the command does"
                    ),
                }
            },
            |f, finding| {
                let (program, _) = argv::split_callee(&f.callee);
                if !program.is_some_and(argv::is_dangerous) {
                    finding.severity(Severity::Medium);
                }
            },
        );
    }
}
