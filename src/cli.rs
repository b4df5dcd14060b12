//! Command-line interface: parses arguments and dispatches to the subcommands.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::discover::Options;
use crate::finding::{Confidence, Severity};
use crate::report::{self, Format, Report};
use crate::rules::Registry;
use crate::scan::{self, ScanOptions};
use crate::select::Selection;
use crate::{config, explain, sign};

/// No finding at or above the threshold.
pub const EXIT_CLEAN: i32 = 0;
/// Findings at or above the threshold (including files that could not be analysed).
pub const EXIT_FINDINGS: i32 = 1;
/// Usage or configuration error, or an internal failure.
pub const EXIT_ERROR: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "agentsec",
    version,
    about = "Static security scanner for AI-agent projects"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan files and directories for agent security problems.
    Scan(ScanArgs),
    /// List the rules.
    Rules,
    /// Write a commented starter agentsec.toml in the current directory.
    Init,
    /// Show a rule's page: what it detects, why, and how to fix it.
    Explain {
        /// Rule id, such as AS-NET-001.
        rule: String,
    },
    /// Generate a key pair for `agentsec sign`.
    Keygen(sign::KeygenArgs),
    /// Sign files or directories into Sigstore bundles.
    Sign(sign::SignArgs),
    /// Verify a file or directory against its Sigstore bundle.
    Verify(sign::VerifyArgs),
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// Files and directories to scan (default: the current directory). Files named
    /// here are scanned even when ignored or excluded.
    paths: Vec<PathBuf>,
    /// Output format (default: human).
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity remains; `never` always exits 0
    /// unless the scan itself fails.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_fail_on)]
    fail_on: Option<FailOn>,
    /// Configuration file (default: the nearest agentsec.toml, or pyproject.toml with
    /// [tool.agentsec], in the scanned directory or above).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Do not read .gitignore, .ignore and git exclude files.
    #[arg(long)]
    no_ignore: bool,
    /// Report only rules matching these ids, id prefixes (AS-PERM) or tags (cwe-78);
    /// repeatable or comma-separated.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    select: Vec<String>,
    /// Do not report rules matching these ids, id prefixes or tags.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Report only findings at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    min_severity: Option<Severity>,
    /// Report only findings at or above this confidence (low, medium, high).
    #[arg(long, value_name = "CONFIDENCE", value_parser = parse_confidence)]
    min_confidence: Option<Confidence>,
    /// Report only findings in files changed since this git revision (and untracked
    /// files), for pull requests. Uses the local git only.
    #[arg(long, value_name = "REF")]
    diff_base: Option<String>,
    /// Report only findings that FILE (from --write-baseline) does not hold.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record the current findings in FILE as accepted, and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Report every finding, ignoring `agentsec: ignore[...]` comments.
    #[arg(long)]
    no_ignores: bool,
    /// Skip paths matching GLOB (relative to each scanned directory); repeatable.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Files larger than this many bytes are not analysed (and are reported).
    #[arg(long, value_name = "BYTES", default_value_t = scan::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Colour in the human report: auto, always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto", value_parser = ["auto", "always", "never"])]
    color: String,
}

#[derive(Debug, Clone, Copy)]
struct FailOn(Option<Severity>);

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| "expected critical, high, medium, low or info".to_string())
}

fn parse_confidence(s: &str) -> Result<Confidence, String> {
    Confidence::parse(s).ok_or_else(|| "expected high, medium or low".to_string())
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s == "never" {
        return Ok(FailOn(None));
    }
    Severity::parse(s)
        .map(|v| FailOn(Some(v)))
        .ok_or_else(|| "expected critical, high, medium, low, info or never".to_string())
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    let result = match &cli.command {
        Command::Scan(a) => run_scan(a),
        Command::Init => init(),
        Command::Rules => with_registry(|r| {
            print!("{}", explain::list(r));
            Ok(EXIT_CLEAN)
        }),
        Command::Explain { rule } => with_registry(|r| match r.get(&rule.to_ascii_uppercase()) {
            Some(m) => {
                print!("{}", explain::page(m));
                Ok(EXIT_CLEAN)
            }
            None => Err(anyhow::anyhow!(
                "no rule {rule}; `agentsec rules` lists them"
            )),
        }),
        Command::Keygen(a) => sign::run_keygen(a),
        Command::Sign(a) => sign::run_sign(a),
        Command::Verify(a) => sign::run_verify(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            EXIT_ERROR
        }
    }
}

fn init() -> anyhow::Result<i32> {
    let path = PathBuf::from(config::FILE_NAME);
    if path.exists() {
        anyhow::bail!("{} already exists; not overwriting it", path.display());
    }
    std::fs::write(&path, config::STARTER)?;
    eprintln!("wrote {}", path.display());
    Ok(EXIT_CLEAN)
}

fn with_registry(f: impl FnOnce(&Registry) -> anyhow::Result<i32>) -> anyhow::Result<i32> {
    let r = Registry::builtin().map_err(|e| anyhow::anyhow!("invalid built-in rule pack: {e}"))?;
    f(&r)
}

fn run_scan(a: &ScanArgs) -> anyhow::Result<i32> {
    let registry =
        Registry::builtin().map_err(|e| anyhow::anyhow!("invalid built-in rule pack: {e}"))?;
    let cwd = std::env::current_dir()?;
    let roots: Vec<PathBuf> = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    // Paths are reported relative to the one directory scanned, else to the
    // working directory (pre-commit passes file lists from the repository root).
    let base = match roots.as_slice() {
        [one] if one.is_dir() => one.clone(),
        _ => cwd.clone(),
    };
    let base = if base.is_absolute() {
        base
    } else {
        cwd.join(&base)
    };
    let roots: Vec<PathBuf> = roots
        .iter()
        .map(|r| {
            if r.is_absolute() {
                r.clone()
            } else {
                cwd.join(r)
            }
        })
        .collect();
    let base = normalize(&base);
    let roots: Vec<PathBuf> = roots.iter().map(|r| normalize(r)).collect();
    // Each scanned path follows its nearest configuration file (or `--config`); paths
    // that share one are scanned together.
    let mut groups: Vec<(Option<PathBuf>, Vec<PathBuf>)> = Vec::new();
    for r in &roots {
        let cfg_path = match &a.config {
            Some(p) => Some(p.clone()),
            None => {
                let dir = if r.is_dir() {
                    r.as_path()
                } else {
                    r.parent().unwrap_or(&cwd)
                };
                config::find(dir)
            }
        };
        match groups.iter_mut().find(|(c, _)| *c == cfg_path) {
            Some((_, rs)) => rs.push(r.clone()),
            None => groups.push((cfg_path, vec![r.clone()])),
        }
    }
    let mut result: Option<scan::ScanResult> = None;
    // `None` inside: never fail.
    let mut fail_on: Option<Option<Severity>> = None;
    for (cfg_path, group) in &groups {
        let (r, group_fail_on) = scan_group(a, &registry, cfg_path.as_deref(), group, &base)?;
        // The strictest threshold of the configurations involved: fail closed.
        let g = group_fail_on.unwrap_or(Some(Severity::Low));
        fail_on = Some(match (fail_on.flatten(), g) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        });
        result = Some(match result {
            None => r,
            Some(mut acc) => {
                acc.findings.extend(r.findings);
                acc.files_scanned += r.files_scanned;
                acc.files_visited += r.files_visited;
                acc.bytes_scanned += r.bytes_scanned;
                acc.unreadable.extend(r.unreadable);
                acc.sources.extend(r.sources);
                acc
            }
        });
    }
    let Some(mut result) = result else {
        anyhow::bail!("nothing to scan");
    };
    scan::sort(&mut result.findings);
    result.unreadable.sort();
    let fail_on = match a.fail_on {
        Some(FailOn(f)) => f,
        None => fail_on.unwrap_or(Some(Severity::Low)),
    };
    if let Some(rev) = &a.diff_base {
        let dir = if base.is_dir() { &base } else { &cwd };
        let changed = crate::diff::changed_files(dir, rev).map_err(|e| anyhow::anyhow!(e))?;
        result
            .findings
            .retain(|f| changed.contains(&f.primary.path));
    }
    if let Some(path) = &a.write_baseline {
        let n = crate::baseline::write(path, &result.findings).map_err(|e| anyhow::anyhow!(e))?;
        eprintln!("wrote {n} findings to the baseline {}", path.display());
        return Ok(EXIT_CLEAN);
    }
    let absent = match &a.baseline {
        Some(path) => {
            let entries = crate::baseline::load(path).map_err(|e| anyhow::anyhow!(e))?;
            Some(crate::baseline::apply(&mut result.findings, &entries))
        }
        None => None,
    };
    let color = match a.color.as_str() {
        "always" => true,
        "never" => false,
        _ => {
            a.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let report = Report {
        baseline_absent: absent.as_deref(),
        findings: &result.findings,
        registry: &registry,
        sources: &result.sources,
        files_scanned: result.files_scanned,
        files_visited: result.files_visited,
        bytes_scanned: result.bytes_scanned,
        unreadable: &result.unreadable,
        fail_on,
        color,
    };
    let text = report::render(a.format, &report);
    match &a.output {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            if a.format != Format::Human {
                eprint!("{}", report::human::summary(&report));
            }
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    // A file that could not be analysed fails the scan whatever the threshold, unless
    // its AS-SCAN-001 finding was deliberately suppressed or deselected.
    let unanalysed = report
        .active()
        .any(|f| f.rule == "AS-SCAN-001" && f.severity > Severity::Info);
    if report.fails() || unanalysed {
        Ok(EXIT_FINDINGS)
    } else {
        Ok(EXIT_CLEAN)
    }
}

/// Scans the paths that share one configuration file and applies it: excludes,
/// policy, disabled rules, severity overrides, path ignores and thresholds. Returns the
/// configuration's `fail-on` (`None` when it sets none).
fn scan_group(
    a: &ScanArgs,
    registry: &Registry,
    cfg_path: Option<&std::path::Path>,
    roots: &[PathBuf],
    base: &std::path::Path,
) -> anyhow::Result<(scan::ScanResult, Option<Option<Severity>>)> {
    let cfg = match cfg_path {
        Some(p) => config::load(p).map_err(|e| anyhow::anyhow!(e))?,
        None => config::Config::default(),
    };
    let shown = cfg_path
        .unwrap_or(std::path::Path::new(""))
        .display()
        .to_string();
    let mut exclude = cfg.exclude.clone();
    exclude.extend(a.exclude.iter().cloned());
    let opts = ScanOptions {
        walk: Options {
            no_ignore: a.no_ignore,
            exclude,
            require: cfg.require.clone(),
        },
        max_file_size: a.max_file_size,
        progress: std::io::stderr().is_terminal(),
        no_ignores: a.no_ignores,
        policy: cfg.policy.clone(),
    };
    let cfg_selection = Selection {
        ignore: cfg.disable.clone(),
        ..Selection::default()
    };
    cfg_selection
        .validate(registry)
        .map_err(|e| anyhow::anyhow!("{shown}: rules.disable: {e}"))?;
    for (id, _) in &cfg.severity {
        if registry.get(id).is_none() {
            anyhow::bail!("{shown}: rules.severity: no rule {id}");
        }
    }
    let mut ignore = cfg.disable.clone();
    ignore.extend(a.ignore.iter().cloned());
    let selection = Selection {
        select: a.select.clone(),
        ignore,
        min_severity: a.min_severity.or(cfg.min_severity),
        min_confidence: a.min_confidence.or(cfg.min_confidence),
    };
    selection
        .validate(registry)
        .map_err(|e| anyhow::anyhow!(e))?;
    let mut result = scan::scan(roots, base, &opts, registry).map_err(|e| anyhow::anyhow!(e))?;
    for f in &mut result.findings {
        if let Some((_, sev)) = cfg.severity.iter().find(|(id, _)| *id == f.rule) {
            f.severity = *sev;
        }
        if f.suppression.is_none() && !a.no_ignores {
            let hit = cfg.ignore.iter().find(|i| {
                i.glob.is_match(&f.primary.path)
                    && (i.rules.is_empty() || i.rules.contains(&f.rule))
            });
            if let Some(i) = hit {
                f.suppression = Some(crate::finding::Suppression {
                    kind: "external",
                    justification: i.reason.clone(),
                });
            }
        }
    }
    result.findings.retain(|f| selection.keeps(f, registry));
    Ok((result, cfg.fail_on))
}

/// Removes `.` components so relative display paths come out clean.
fn normalize(p: &std::path::Path) -> PathBuf {
    p.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}
