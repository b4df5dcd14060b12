//! GitHub Actions workflow commands (`::error file=…::message`), which the runner turns
//! into annotations on the pull request.

use super::Report;
use crate::finding::Severity;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(r: &Report<'_>) -> String {
    let mut out = String::new();
    for f in r.active() {
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let title = r
            .registry
            .get(&f.rule)
            .map_or(String::new(), |m| m.title.clone());
        let p = &f.primary;
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_prop(&p.path),
            p.start_line,
            p.start_column,
            p.end_line,
            p.end_column,
            escape_prop(&format!("{} {} ({})", f.rule, title, f.severity.as_str())),
            escape_data(&format!("{}\n{}", f.message, f.help.trim())),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_prop("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("a:b\r\n"), "a:b%0D%0A");
    }
}
