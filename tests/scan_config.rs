//! agentsec.toml: discovery (nearest file walking up, pyproject.toml), precedence
//! (command line over file), every setting, errors that name file, line and key, and
//! `agentsec init`.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const UNPINNED: &str =
    r#"{"mcpServers": {"docs": {"command": "uvx", "args": ["mcp-server-fetch"]}}}"#;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn run(cwd: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("runs");
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().expect("code"),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "proj/.mcp.json", UNPINNED);
    d
}

#[test]
fn nearest_file_above_the_scanned_directory_applies() {
    let d = repo();
    write(d.path(), "agentsec.toml", "fail-on = \"high\"\n");
    // AS-SUP-001 is medium: under fail-on high the scan passes.
    let (code, v, _) = run(d.path(), &["scan", "proj", "--format", "json"]);
    assert_eq!(code, 0, "{v:#}");
    // The command line wins over the file.
    let (code, _, _) = run(
        d.path(),
        &["scan", "proj", "--format", "json", "--fail-on", "medium"],
    );
    assert_eq!(code, 1);
    // A nearer file wins over a parent one.
    write(d.path(), "proj/agentsec.toml", "fail-on = \"low\"\n");
    let (code, _, _) = run(d.path(), &["scan", "proj", "--format", "json"]);
    assert_eq!(code, 1);
}

#[test]
fn explicit_config_and_pyproject() {
    let d = repo();
    write(
        d.path(),
        "elsewhere.toml",
        "[rules]\ndisable = [\"AS-SUP\"]\n",
    );
    let (code, v, _) = run(
        d.path(),
        &[
            "scan",
            "proj",
            "--format",
            "json",
            "--config",
            "elsewhere.toml",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0));
    write(
        d.path(),
        "proj/pyproject.toml",
        "[project]\nname = \"x\"\n[tool.agentsec]\nfail-on = \"never\"\n",
    );
    let (code, _, _) = run(d.path(), &["scan", "proj", "--format", "json"]);
    assert_eq!(code, 0);
}

#[test]
fn severity_overrides_and_path_ignores() {
    let d = repo();
    write(
        d.path(),
        "proj/agentsec.toml",
        "[rules.severity]\n\"AS-SUP-001\" = \"critical\"\n\n[[ignore]]\npath = \"examples/**\"\nrules = [\"AS-SUP-001\"]\nreason = \"demo config\"\n",
    );
    write(d.path(), "proj/examples/demo/.mcp.json", UNPINNED);
    let (code, v, _) = run(d.path(), &["scan", "proj", "--format", "json"]);
    assert_eq!(code, 1);
    let f = v["findings"].as_array().expect("findings");
    let main = f
        .iter()
        .find(|x| x["location"]["path"] == ".mcp.json")
        .expect("main finding");
    assert_eq!(main["severity"], "critical");
    let demo = f
        .iter()
        .find(|x| x["location"]["path"] == "examples/demo/.mcp.json")
        .expect("demo finding");
    assert_eq!(demo["suppressed"], true);
    assert_eq!(demo["suppression"]["kind"], "external");
    assert_eq!(demo["suppression"]["justification"], "demo config");
}

#[test]
fn config_errors_name_file_line_and_key() {
    let d = repo();
    write(
        d.path(),
        "proj/agentsec.toml",
        "fail-on = \"high\"\n\n[rules]\ndisabel = [\"AS-SUP-001\"]\n",
    );
    let (code, _, err) = run(d.path(), &["scan", "proj"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("agentsec.toml:4:1: unknown key `rules.disabel`"),
        "{err}"
    );
    write(d.path(), "proj/agentsec.toml", "fail-on = \"sometimes\"\n");
    let (code, _, err) = run(d.path(), &["scan", "proj"]);
    assert_eq!(code, 2);
    assert!(err.contains("agentsec.toml:1:11: `fail-on`"), "{err}");
    write(
        d.path(),
        "proj/agentsec.toml",
        "[rules]\ndisable = [\"AS-NOPE-001\"]\n",
    );
    let (code, _, err) = run(d.path(), &["scan", "proj"]);
    assert_eq!(code, 2);
    assert!(err.contains("rules.disable"), "{err}");
    write(d.path(), "proj/agentsec.toml", "fail-on = [\n");
    let (code, _, err) = run(d.path(), &["scan", "proj"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid TOML"), "{err}");
    write(
        d.path(),
        "proj/agentsec.toml",
        "[policy]\nmessage = \"m\"\n[policy.hosts]\nalow = [\"*.example.com\"]\n",
    );
    let (code, _, err) = run(d.path(), &["scan", "proj"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("agentsec.toml:4:1: unknown key `policy.hosts.alow`"),
        "{err}"
    );
    write(
        d.path(),
        "proj/agentsec.toml",
        "[policy.packages]\nforbid = [42]\n",
    );
    let (code, _, err) = run(d.path(), &["scan", "proj"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(":2:") && err.contains("policy.packages.forbid"),
        "{err}"
    );
}

/// Several paths on one command line (pre-commit passes files): each follows its own
/// nearest configuration, and the strictest `fail-on` decides the exit code.
#[test]
fn each_path_follows_its_nearest_configuration() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "a/.mcp.json", UNPINNED);
    write(d.path(), "b/.mcp.json", UNPINNED);
    write(
        d.path(),
        "a/agentsec.toml",
        "[rules]\ndisable = [\"AS-SUP-001\"]\n",
    );
    write(
        d.path(),
        "b/agentsec.toml",
        "fail-on = \"never\"\n[policy.packages]\nforbid = [{ name = \"mcp-server-fetch\", message = \"use the docs server\" }]\n",
    );
    let (code, v, err) = run(
        d.path(),
        &["scan", "a/.mcp.json", "b/.mcp.json", "--format", "json"],
    );
    let found: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap_or("").to_string(),
                f["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    // a/ disables AS-SUP-001; b/ keeps it and adds its policy.
    assert!(!found.iter().any(|(p, _)| p.starts_with("a/")), "{found:?}");
    assert!(
        found.contains(&("b/.mcp.json".into(), "AS-SUP-001".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("b/.mcp.json".into(), "AS-SIGN-010".into())),
        "{found:?}"
    );
    // a/ sets no fail-on (default low) and is stricter than b/'s `never`: b's findings fail.
    assert_eq!(code, 1, "{err}");
    let msg = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "AS-SIGN-010")
        .and_then(|f| f["message"].as_str())
        .unwrap_or("")
        .to_string();
    assert!(msg.contains("use the docs server"), "{msg}");
}

#[test]
fn init_writes_a_starter_that_loads() {
    let d = repo();
    let (code, _, _) = run(&d.path().join("proj"), &["init"]);
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(d.path().join("proj/agentsec.toml")).expect("written");
    assert!(text.contains("fail-on"));
    let (code, _, _) = run(d.path(), &["scan", "proj", "--format", "json"]);
    assert_eq!(code, 1, "the starter keeps the defaults");
    let (code, _, err) = run(&d.path().join("proj"), &["init"]);
    assert_eq!(code, 2, "{err}");
}
