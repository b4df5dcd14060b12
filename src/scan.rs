//! The scan pipeline: discover, read, parse, check; then order the findings.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::classify::{self, ArtifactKind, Certainty, Client, FileKind, Form, Format};
use crate::discover::{self, Candidate, Options};
use crate::finding::{fingerprint, Finding, Location};
use crate::manifest::{self, mcp, Document, ParseError};
use crate::policy::Policy;
use crate::rules::{Parsed, Registry, Scope};
use crate::source::SourceFile;
use crate::suppress;

/// Files over this size are not analysed (and reported): configuration is small,
/// and a huge file named like one is more likely an attack on the scanner.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

pub struct ScanOptions {
    pub walk: Options,
    pub max_file_size: u64,
    /// Show a progress bar (stderr is a terminal and the tree is large).
    pub progress: bool,
    /// Ignore inline suppressions and report everything (`--no-ignores`).
    pub no_ignores: bool,
    /// The repository's allow and forbid lists (`[policy]`).
    pub policy: Policy,
}

/// What a scan produced, before filtering and rendering.
pub struct ScanResult {
    pub findings: Vec<Finding>,
    /// Files analysed.
    pub files_scanned: usize,
    /// Files the walk visited.
    pub files_visited: usize,
    /// Bytes read for analysis.
    pub bytes_scanned: u64,
    /// Files that could not be analysed (also present as AS-SCAN-001 findings).
    pub unreadable: Vec<(String, String)>,
    /// Text of the files with findings, for snippets in the human report.
    pub sources: HashMap<String, Arc<String>>,
}

pub fn scan(
    roots: &[PathBuf],
    base: &Path,
    opts: &ScanOptions,
    registry: &Registry,
) -> Result<ScanResult, String> {
    let excludes = discover::build_excludes(&opts.walk.exclude)?;
    let required = discover::build_required(&opts.walk.require)?;
    let mut files = Vec::new();
    let mut loops = Vec::new();
    let mut unreadable = Vec::new();
    let mut visited = 0;
    for root in roots {
        let d = discover::discover(root, base, &opts.walk, &excludes, &required);
        visited += d.visited;
        files.extend(d.files);
        for e in d.errors {
            if e.is_loop {
                loops.push((e.rel, e.message));
            } else {
                unreadable.push((e.rel, e.message));
            }
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    files.dedup_by(|a, b| a.rel == b.rel);
    // One file reached through symlinked directories is analysed once, under the
    // first path in sorted order.
    let mut seen = std::collections::HashSet::new();
    files.retain(|c| seen.insert(std::fs::canonicalize(&c.abs).unwrap_or_else(|_| c.abs.clone())));

    let bar = (opts.progress && files.len() > 200).then(|| {
        let b = indicatif::ProgressBar::new(files.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} scanning {pos}/{len} files {wide_bar}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let outcomes: Vec<Outcome> = files
        .par_iter()
        .map(|c| {
            let o = analyse(c, opts, registry);
            if let Some(b) = &bar {
                b.inc(1);
            }
            o
        })
        .collect();
    if let Some(b) = bar {
        b.finish_and_clear();
    }

    let scan_meta = registry.get("AS-SCAN-001");
    let mut findings = Vec::new();
    let mut scanned = 0;
    let mut bytes = 0;
    let mut sources = HashMap::new();
    for (rel, message) in &unreadable {
        if let Some(m) = scan_meta {
            findings.push(unreadable_finding(m, rel, message, None));
        }
    }
    for (rel, message) in &loops {
        if let Some(m) = scan_meta {
            let mut f = unreadable_finding(m, rel, &format!("{message}; not followed"), None);
            f.severity = crate::finding::Severity::Info;
            findings.push(f);
        }
    }
    for o in outcomes {
        match o {
            Outcome::Skipped => {}
            Outcome::Done {
                findings: f,
                bytes: b,
                source,
            } => {
                if let Some((path, text)) = source {
                    sources.insert(path, text);
                }
                scanned += 1;
                bytes += b;
                findings.extend(f);
            }
            Outcome::Failed {
                rel,
                message,
                location,
                source,
            } => {
                if let Some((path, text)) = source {
                    sources.insert(path, text);
                }
                if let Some(m) = scan_meta {
                    findings.push(unreadable_finding(m, &rel, &message, location));
                }
                unreadable.push((rel, message));
            }
        }
    }
    sort(&mut findings);
    unreadable.sort();
    Ok(ScanResult {
        findings,
        files_scanned: scanned,
        files_visited: visited,
        bytes_scanned: bytes,
        unreadable,
        sources,
    })
}

/// Deterministic order: path, position, rule, message.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            &a.primary.path,
            a.primary.start_line,
            a.primary.start_column,
            &a.rule,
            &a.message,
        )
            .cmp(&(
                &b.primary.path,
                b.primary.start_line,
                b.primary.start_column,
                &b.rule,
                &b.message,
            ))
    });
}

fn unreadable_finding(
    m: &crate::rules::RuleMeta,
    rel: &str,
    message: &str,
    location: Option<Location>,
) -> Finding {
    let primary = location.unwrap_or(Location {
        path: rel.to_string(),
        bytes: 0..0,
        start_line: 1,
        start_column: 1,
        end_line: 1,
        end_column: 1,
        label: None,
    });
    Finding {
        rule: m.id.clone(),
        severity: m.severity,
        confidence: m.confidence,
        message: format!("{rel} could not be analysed: {message}"),
        help: m.fix.clone(),
        primary,
        related: Vec::new(),
        fingerprint: fingerprint(&m.id, rel, "", message),
        suppression: None,
        baseline: None,
    }
}

enum Outcome {
    Skipped,
    Done {
        findings: Vec<Finding>,
        bytes: u64,
        source: Option<(String, Arc<String>)>,
    },
    Failed {
        rel: String,
        message: String,
        location: Option<Location>,
        source: Option<(String, Arc<String>)>,
    },
}

fn analyse(c: &Candidate, opts: &ScanOptions, registry: &Registry) -> Outcome {
    let max = opts.max_file_size;
    let fail = |message: String| Outcome::Failed {
        rel: c.rel.clone(),
        message,
        location: None,
        source: None,
    };
    let shape_only = c.certainty == Certainty::Shape;
    // Artifacts (model weights, bundles) are judged by their path and neighbours;
    // their bytes are never read here.
    let as_artifact = |kind: FileKind| {
        let source = SourceFile::new(c.rel.clone(), String::new());
        let c = Candidate { kind, ..c.clone() };
        let findings = check(&source, &c, &Forms::default(), opts, registry);
        Outcome::Done {
            findings,
            bytes: 0,
            source: None,
        }
    };
    if let Form::Bytes = c.kind.form() {
        return as_artifact(c.kind);
    }
    // A file a shape check turns away is still subject to `[signing] require`.
    let skipped = || {
        if c.required {
            as_artifact(FileKind::Artifact(ArtifactKind::Required))
        } else {
            Outcome::Skipped
        }
    };
    let bytes = match read_capped(&c.abs, max) {
        Ok(b) => b,
        Err(ReadError::TooLarge(n)) => {
            if shape_only {
                return skipped();
            }
            return fail(format!(
                "file is {n} bytes, over the {max}-byte limit (raise it with --max-file-size)"
            ));
        }
        Err(ReadError::Io(e)) => return fail(e),
    };
    if bytes.iter().take(8192).any(|&b| b == 0) {
        if shape_only {
            return skipped();
        }
        return fail("binary content (NUL bytes) where text configuration was expected".into());
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            if shape_only {
                return skipped();
            }
            return fail(format!(
                "not valid UTF-8 (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ));
        }
    };
    let len = text.len() as u64;
    let source = SourceFile::new(c.rel.clone(), text);
    let markdown =
        (c.kind == FileKind::Instructions).then(|| manifest::markdown::parse(&source.text));
    let mut code = None;
    let (doc, docker) = match c.kind.form() {
        Form::Doc(format) => match parse(format, &source.text) {
            Ok(d) => (d, Vec::new()),
            Err(e) => {
                if shape_only && c.kind != FileKind::McpConfig(Client::Generic, Format::Json) {
                    return skipped();
                }
                let at = e.offset.min(source.text.len());
                let loc = Location::new(&source, at..at);
                let msg = format!(
                    "invalid {}: {} (line {}, column {})",
                    format_name(format),
                    e.message,
                    loc.start_line,
                    loc.start_column
                );
                let source = Some((source.path, Arc::new(source.text)));
                return Outcome::Failed {
                    rel: c.rel.clone(),
                    message: msg,
                    location: Some(loc),
                    source,
                };
            }
        },
        Form::Text => {
            let (docker, comments) = match c.kind {
                FileKind::Dockerfile => manifest::dockerfile::parse(&source.text),
                FileKind::Instructions => (Vec::new(), Vec::new()),
                FileKind::Code(lang) => {
                    code = crate::lang::analyse(lang, &source.text);
                    let comments = code.as_ref().map(|m| m.comments.clone());
                    (Vec::new(), comments.unwrap_or_default())
                }
                _ => (Vec::new(), manifest::text::hash_comments(&source.text)),
            };
            let mut doc = Document {
                roots: Vec::new(),
                comments,
            };
            if let Some(md) = &markdown {
                // Comments shown inside code blocks are examples, not directives; the
                // frontmatter is a document like any other (escapes, secrets).
                doc.comments = md.comments(&source.text);
                doc.roots
                    .extend(md.frontmatter.as_ref().and_then(|f| f.root.clone()));
            }
            (doc, docker)
        }
        Form::Bytes => unreachable!("artifacts are checked before reading"),
    };
    let structured = matches!(c.kind.form(), Form::Doc(_));
    if shape_only && structured && !doc.roots.iter().any(|r| classify::shape_matches(c.kind, r)) {
        return skipped();
    }
    let forms = Forms {
        doc: Some(&doc),
        docker: &docker,
        markdown: markdown.as_ref(),
        code: code.as_ref(),
    };
    let mut findings = check(&source, c, &forms, opts, registry);
    if !opts.no_ignores {
        let directives = suppress::directives(&source, &doc.comments);
        let problems = suppress::apply(&source, &directives, &mut findings, registry);
        findings.extend(problems);
    }
    let source = (!findings.is_empty()).then(|| (source.path, Arc::new(source.text)));
    Outcome::Done {
        findings,
        bytes: len,
        source,
    }
}

/// The parsed forms of one file; each kind fills the ones it has.
#[derive(Default)]
struct Forms<'x> {
    doc: Option<&'x Document>,
    docker: &'x [manifest::dockerfile::Instruction],
    markdown: Option<&'x manifest::markdown::Markdown>,
    code: Option<&'x crate::lang::Module>,
}

fn check(
    source: &SourceFile,
    c: &Candidate,
    forms: &Forms<'_>,
    opts: &ScanOptions,
    registry: &Registry,
) -> Vec<Finding> {
    static EMPTY: Document = Document {
        roots: Vec::new(),
        comments: Vec::new(),
    };
    let doc = forms.doc.unwrap_or(&EMPTY);
    let docker = forms.docker;
    let servers = match c.kind {
        FileKind::McpConfig(client, _) => doc
            .roots
            .iter()
            .flat_map(|r| mcp::servers(client, r))
            .collect(),
        _ => Vec::new(),
    };
    let parsed = Parsed {
        source,
        kind: c.kind,
        abs: &c.abs,
        roots: &doc.roots,
        servers,
        env: manifest::env::bindings(c.kind, &source.text, &doc.roots, docker),
        docker,
        policy: &opts.policy,
        markdown: forms.markdown,
        code: forms.code,
        scope: scope(&source.path),
        required: c.required,
    };
    registry.check(&parsed)
}

/// A user's own configuration, by its name: home-directory files and `*.local.json`.
fn scope(path: &str) -> Scope {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == ".claude.json"
        || name.ends_with(".local.json")
        || name == "cline_mcp_settings.json"
        || name == "claude_desktop_config.json"
    {
        Scope::User
    } else {
        Scope::Shared
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Json => "JSON",
        Format::Yaml => "YAML",
        Format::Toml => "TOML",
    }
}

pub fn parse(format: Format, text: &str) -> Result<Document, ParseError> {
    // A byte order mark is an encoding marker the clients skip; three spaces keep every
    // byte offset (and so every location) unchanged.
    let text: std::borrow::Cow<'_, str> = match text.strip_prefix('\u{feff}') {
        Some(rest) => format!("   {rest}").into(),
        None => text.into(),
    };
    match format {
        Format::Json => manifest::json::parse(&text),
        Format::Yaml => manifest::yaml::parse(&text),
        Format::Toml => manifest::toml::parse(&text),
    }
}

enum ReadError {
    TooLarge(u64),
    Io(String),
}

/// Reads at most `max` bytes; never loads a huge file whole.
fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let f = std::fs::File::open(path).map_err(|e| ReadError::Io(e.to_string()))?;
    let meta = f.metadata().map_err(|e| ReadError::Io(e.to_string()))?;
    if meta.len() > max {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    f.take(max + 1)
        .read_to_end(&mut buf)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    if buf.len() as u64 > max {
        return Err(ReadError::TooLarge(buf.len() as u64));
    }
    Ok(buf)
}
