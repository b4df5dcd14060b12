//! `--diff-base REF`: only findings in files changed since REF (and untracked files).

use std::path::Path;
use std::process::Command as Proc;

use assert_cmd::Command;
use serde_json::Value;

fn git(dir: &Path, args: &[&str]) {
    let ok = Proc::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "user.name=t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

fn write(dir: &Path, rel: &str, server: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    let text =
        format!(r#"{{"mcpServers": {{"{server}": {{"command": "uvx", "args": ["{server}"]}}}}}}"#);
    std::fs::write(p, text).expect("write");
}

#[test]
fn only_changed_and_untracked_files_are_reported() {
    let d = tempfile::tempdir().expect("tempdir");
    git(d.path(), &["init", "-q"]);
    write(d.path(), "old/.mcp.json", "old");
    write(d.path(), "edited/.mcp.json", "before");
    git(d.path(), &["add", "-A"]);
    git(d.path(), &["commit", "-q", "-m", "base"]);
    write(d.path(), "edited/.mcp.json", "after");
    write(d.path(), "new/.mcp.json", "new");
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .current_dir(d.path())
        .args(["scan", "--diff-base", "HEAD", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut paths: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["location"]["path"].as_str().expect("path"))
        .collect();
    paths.sort();
    assert_eq!(paths, vec!["edited/.mcp.json", "new/.mcp.json"]);
}

#[test]
fn a_bad_revision_is_a_usage_error() {
    let d = tempfile::tempdir().expect("tempdir");
    git(d.path(), &["init", "-q"]);
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .current_dir(d.path())
        .args(["scan", "--diff-base", "no-such-rev"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}
