//! The report for people: each finding as a miette diagnostic with the source line,
//! the rule id, the fix and the rule's page, then a summary.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::Report;
use crate::finding::Severity;

pub fn render(r: &Report<'_>) -> String {
    let theme = if r.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    let mut out = String::new();
    for f in r.active() {
        let sev = match f.severity {
            Severity::Critical | Severity::High => miette::Severity::Error,
            Severity::Medium => miette::Severity::Warning,
            Severity::Low | Severity::Info => miette::Severity::Advice,
        };
        let uri = r
            .registry
            .get(&f.rule)
            .map(|m| m.help_uri())
            .unwrap_or_default();
        let p = &f.primary;
        let code = format!(
            "{} {}/{}",
            f.rule,
            f.severity.as_str(),
            f.confidence.as_str()
        );
        let mut diag = MietteDiagnostic::new(f.message.clone())
            .with_code(code)
            .with_severity(sev)
            .with_help(format!("{}\nsee {uri}", f.help.trim()));
        let source = r.sources.get(&p.path);
        if source.is_some() && p.bytes.end >= p.bytes.start {
            let mut labels = vec![LabeledSpan::new_primary_with_span(
                Some(f.rule.clone()),
                p.bytes.start..p.bytes.end.max(p.bytes.start),
            )];
            for rel in f.related.iter().filter(|l| l.path == p.path) {
                labels.push(LabeledSpan::new_with_span(
                    rel.label.clone(),
                    rel.bytes.clone(),
                ));
            }
            diag = diag.with_labels(labels);
        }
        let header = format!("{}:{}:{}\n", p.path, p.start_line, p.start_column);
        out.push_str(&header);
        let report = match source {
            Some(text) => miette::Report::new(diag)
                .with_source_code(NamedSource::new(&p.path, text.as_str().to_string())),
            None => miette::Report::new(diag),
        };
        let mut s = String::new();
        if handler.render_report(&mut s, report.as_ref()).is_ok() {
            out.push_str(&s);
        } else {
            out.push_str(&format!("{}\n", f.message));
        }
        out.push('\n');
    }
    out.push_str(&summary(r));
    out
}

pub fn summary(r: &Report<'_>) -> String {
    let active: Vec<_> = r.active().collect();
    let mut parts = Vec::new();
    for s in Severity::ALL.iter().rev() {
        let n = active.iter().filter(|f| f.severity == *s).count();
        if n > 0 {
            parts.push(format!("{n} {}", s.as_str()));
        }
    }
    let mut line = if active.is_empty() {
        format!("No findings in {} files analysed.", r.files_scanned)
    } else {
        format!(
            "{} finding{} ({}) in {} files analysed.",
            active.len(),
            if active.len() == 1 { "" } else { "s" },
            parts.join(", "),
            r.files_scanned
        )
    };
    let suppressed = r.suppressed();
    if suppressed > 0 {
        line.push_str(&format!(" {suppressed} suppressed."));
    }
    if let Some(absent) = r.baseline_absent {
        line.push_str(&format!(
            " {} hidden by the baseline, {} of its findings gone.",
            r.in_baseline(),
            absent.len()
        ));
    }
    if !r.unreadable.is_empty() {
        line.push_str(&format!(
            " {} file(s) could not be analysed.",
            r.unreadable.len()
        ));
    }
    line.push('\n');
    line
}
