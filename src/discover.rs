//! Walks the scan roots in parallel (gitignore-aware) and keeps only files some rule
//! reads, so a repository without agent files costs little more than the walk.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

use crate::classify::{self, Certainty, FileKind};

#[derive(Debug, Clone)]
pub struct Options {
    pub no_ignore: bool,
    pub exclude: Vec<String>,
    /// `[signing] require` globs: matching files must carry a signature, so they are
    /// analysed whatever their kind.
    pub require: Vec<String>,
}

/// A file to analyse.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub abs: PathBuf,
    /// Relative to the scan root, '/' separators.
    pub rel: String,
    pub kind: FileKind,
    pub certainty: Certainty,
    /// A `[signing] require` glob selects it.
    pub required: bool,
}

/// A path the walk could not enter (loops, permissions).
#[derive(Debug, Clone)]
pub struct WalkError {
    pub rel: String,
    pub message: String,
    /// A symbolic link loop: nothing is hidden (its target is walked anyway), so it is
    /// reported for the record rather than as a failed scan.
    pub is_loop: bool,
}

pub struct Discovered {
    pub files: Vec<Candidate>,
    pub errors: Vec<WalkError>,
    /// Every file the walk visited, for the summary and the benchmark.
    pub visited: usize,
}

pub fn build_excludes(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| format!("--exclude {g:?}: {e}"))?;
        b.add(glob);
        // `dir` and `dir/` also exclude everything below.
        let trimmed = g.trim_end_matches('/');
        if !trimmed.contains('*') {
            if let Ok(sub) = Glob::new(&format!("{trimmed}/**")) {
                b.add(sub);
            }
        }
    }
    b.build().map_err(|e| e.to_string())
}

/// The `[signing] require` globs (validated when the configuration was loaded).
pub fn build_required(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|e| format!("signing.require {g:?}: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

/// What a file is to the scan: its classified kind, or an artifact of no known kind
/// when only a `[signing] require` glob selects it. Signatures themselves are never
/// required to be signed. Without `require` globs the check is one emptiness test per
/// file, so scans that do not use the setting walk as fast as before.
fn candidate(abs: &Path, rel: String, rel_root: &str, required: &GlobSet) -> Option<Candidate> {
    let is_required = !required.is_empty()
        && (required.is_match(rel_root) || required.is_match(&rel))
        && !crate::sign::status::is_signature_name(rel.rsplit('/').next().unwrap_or(&rel));
    let (kind, certainty) = match classify::by_path(&rel) {
        Some(k) => k,
        None if is_required => (
            FileKind::Artifact(classify::ArtifactKind::Required),
            Certainty::Path,
        ),
        None => return None,
    };
    Some(Candidate {
        abs: abs.to_path_buf(),
        rel,
        kind,
        certainty,
        required: is_required,
    })
}

/// Relative display path of `p` below `base`.
pub fn rel_path(base: &Path, p: &Path) -> String {
    let r = p.strip_prefix(base).unwrap_or(p);
    let s = r.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_string();
    if s.is_empty() {
        p.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    } else {
        s
    }
}

/// Walks `root` (a directory) or takes it as one named file. Named files are always
/// analysed when their kind is known, even if ignored or excluded: pre-commit and
/// editors pass exactly the files they want checked.
pub fn discover(
    root: &Path,
    base: &Path,
    opts: &Options,
    excludes: &GlobSet,
    required: &GlobSet,
) -> Discovered {
    if !root.is_dir() {
        let rel = rel_path(base, root);
        let files = candidate(root, rel.clone(), &rel, required)
            .into_iter()
            .collect();
        let errors = if root.exists() || root.is_symlink() {
            Vec::new()
        } else {
            vec![WalkError {
                rel,
                message: "no such file or directory".into(),
                is_loop: false,
            }]
        };
        return Discovered {
            files,
            errors,
            visited: 1,
        };
    }
    let files = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let visited = std::sync::atomic::AtomicUsize::new(0);
    let mut wb = WalkBuilder::new(root);
    wb.hidden(false)
        .follow_links(true)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .parents(!opts.no_ignore)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .threads(
            std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .min(8),
        );
    wb.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file()) {
                        visited.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let rel = rel_path(base, e.path());
                        let rel_root = rel_path(root, e.path());
                        if excludes.is_match(&rel_root) || excludes.is_match(&rel) {
                            return WalkState::Continue;
                        }
                        if let Some(c) = candidate(e.path(), rel, &rel_root, required) {
                            if let Ok(mut f) = files.lock() {
                                f.push(c);
                            }
                        }
                    } else if e.file_type().is_some_and(|t| t.is_dir()) && e.depth() > 0 {
                        let rel_root = rel_path(root, e.path());
                        if excludes.is_match(&rel_root) {
                            return WalkState::Skip;
                        }
                    }
                }
                Err(err) => {
                    let (path, message) = describe(&err, base);
                    let is_loop = is_loop(&err);
                    // Only errors that can hide configuration matter: a file with a
                    // config name, or a directory that could not be read. A dangling
                    // LICENSE symlink hides nothing.
                    let matters = is_loop
                        || path.as_ref().is_some_and(|p| {
                            classify::by_path(&rel_path(base, p)).is_some()
                                || std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
                        })
                        || path.is_none();
                    if matters {
                        let rel = path.map(|p| rel_path(base, &p)).unwrap_or_default();
                        if let Ok(mut e) = errors.lock() {
                            e.push(WalkError {
                                rel,
                                message,
                                is_loop,
                            });
                        }
                    }
                }
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().unwrap_or_default();
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut errors = errors.into_inner().unwrap_or_default();
    errors.sort_by(|a, b| a.rel.cmp(&b.rel));
    Discovered {
        files,
        errors,
        visited: visited.into_inner(),
    }
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

/// The path an error is about and a message that names paths relative to `base`,
/// so reports (and fingerprints) do not depend on where the repository lives.
fn describe(err: &ignore::Error, base: &Path) -> (Option<PathBuf>, String) {
    match err {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), describe(err, base).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe(err, base)
        }
        ignore::Error::Loop { child, ancestor } => (
            Some(child.clone()),
            match ancestor.strip_prefix(base) {
                Ok(r) if !r.as_os_str().is_empty() => format!(
                    "symbolic link loop: points back to {}",
                    r.to_string_lossy().replace('\\', "/")
                ),
                Ok(_) => "symbolic link loop: points back to the scan root".to_string(),
                Err(_) => {
                    "symbolic link loop: points back to a directory above the scan root".to_string()
                }
            },
        ),
        other => (None, other.to_string()),
    }
}
