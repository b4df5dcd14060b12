//! Reports taint flows of one sink class: the sink argument is the finding, the
//! source and each step on the way are its related locations.

use crate::finding::{Finding, Location};
use crate::lang::{Flow, Sink};
use crate::rules::{Context, Parsed};

/// Reports every flow of `sink` in a code file; `what` says in a few words what the
/// sink does with the value and why that is dangerous.
pub fn report(file: &Parsed<'_>, cx: &mut Context<'_>, sink: Sink, what: impl Fn(&Flow) -> String) {
    report_adjusted(file, cx, sink, what, |_, _| {});
}

/// [`report`], with `adjust` setting each finding's severity or confidence from its flow.
pub fn report_adjusted(
    file: &Parsed<'_>,
    cx: &mut Context<'_>,
    sink: Sink,
    what: impl Fn(&Flow) -> String,
    adjust: impl Fn(&Flow, &mut Finding),
) {
    let Some(code) = file.code else {
        return;
    };
    for f in code.flows.iter().filter(|f| f.sink == sink) {
        let source = f
            .steps
            .first()
            .map(|s| capitalise(&s.label))
            .unwrap_or_else(|| format!("An argument of tool `{}`", f.tool));
        let mut msg = format!("{source} reaches {}", what(f));
        if let Some(note) = f.note {
            msg.push_str(&format!(" ({note})"));
        }
        msg.push('.');
        let related: Vec<Location> = f
            .steps
            .iter()
            .filter(|s| s.span != f.span)
            .map(|s| {
                let mut l = Location::new(file.source, s.span.clone());
                l.label = Some(s.label.clone());
                l
            })
            .collect();
        let route = format!("{}:{}", f.tool, f.callee);
        let finding = cx.report(f.span.clone(), &route, msg);
        finding.related = related;
        adjust(f, finding);
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
