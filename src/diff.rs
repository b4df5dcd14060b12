//! `--diff-base REF`: only findings in files changed since REF, for pull requests.
//! Asks the local git for the changed files; never touches the network.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Files changed between `base_ref` and the working tree, plus untracked files, as
/// paths relative to `dir` with '/' separators.
pub fn changed_files(dir: &Path, base_ref: &str) -> Result<HashSet<String>, String> {
    if base_ref.starts_with('-') {
        return Err(format!("--diff-base {base_ref:?} is not a git revision"));
    }
    let mut set = HashSet::new();
    let diff = git(
        dir,
        &[
            "diff",
            "--name-only",
            "--relative",
            "--no-renames",
            base_ref,
            "--",
        ],
    )?;
    let untracked = git(dir, &["ls-files", "--others", "--exclude-standard"])?;
    for line in diff.lines().chain(untracked.lines()) {
        if !line.is_empty() {
            set.insert(line.to_string());
        }
    }
    Ok(set)
}
