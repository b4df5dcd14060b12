//! Renders a scan for people (miette), for code scanning (SARIF 2.1.0), for programs
//! (versioned JSON) and for GitHub workflow annotations.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use std::collections::HashMap;
use std::sync::Arc;

use crate::finding::{Finding, Severity};
use crate::rules::Registry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// Everything a renderer needs.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub registry: &'a Registry,
    /// With `--baseline`: entries no finding matched any more.
    pub baseline_absent: Option<&'a [crate::baseline::Entry]>,
    /// Text of the files that have findings, for snippets.
    pub sources: &'a HashMap<String, Arc<String>>,
    pub files_scanned: usize,
    pub files_visited: usize,
    pub bytes_scanned: u64,
    pub unreadable: &'a [(String, String)],
    /// Findings at or above this severity fail the scan.
    pub fail_on: Option<Severity>,
    pub color: bool,
}

impl Report<'_> {
    /// Findings that count: not suppressed.
    /// Findings that count: not suppressed and not accepted in the baseline.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| {
            f.suppression.is_none() && f.baseline != Some(crate::baseline::State::Unchanged)
        })
    }

    pub fn suppressed(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppression.is_some())
            .count()
    }

    /// Findings hidden because the baseline holds them.
    pub fn in_baseline(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| {
                f.suppression.is_none() && f.baseline == Some(crate::baseline::State::Unchanged)
            })
            .count()
    }

    pub fn fails(&self) -> bool {
        self.fail_on
            .is_some_and(|t| self.active().any(|f| f.severity >= t))
    }
}

pub fn render(format: Format, r: &Report<'_>) -> String {
    match format {
        Format::Human => human::render(r),
        Format::Json => json::render(r),
        Format::Sarif => sarif::render(r),
        Format::Github => github::render(r),
    }
}
