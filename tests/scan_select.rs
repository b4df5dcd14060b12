//! `--select`, `--ignore`, `--min-severity`, `--min-confidence`.

use assert_cmd::Command;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

fn run(args: &[&str]) -> (i32, Vec<String>) {
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .args(["scan", DIR, "--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let code = out.status.code().expect("code");
    if code == 2 {
        return (code, Vec::new());
    }
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let rules = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect();
    (code, rules)
}

#[test]
fn select_by_id_prefix_and_tag() {
    let (_, all) = run(&[]);
    assert!(all.iter().any(|r| r == "AS-SEC-005"), "{all:?}");
    assert!(
        all.iter().any(|r| r != "AS-SEC-005"),
        "fixture should hold other rules too: {all:?}"
    );
    for sel in ["AS-SEC-005", "as-sec-005", "cwe-426"] {
        let (_, only) = run(&["--select", sel]);
        assert!(
            !only.is_empty() && only.iter().all(|r| r == "AS-SEC-005"),
            "{sel}: {only:?}"
        );
    }
    let (_, sec) = run(&["--select", "AS-SEC"]);
    assert!(sec.iter().all(|r| r.starts_with("AS-SEC-")), "{sec:?}");
}

#[test]
fn ignore_removes_and_exit_code_follows() {
    let (_, all) = run(&[]);
    let (code, rest) = run(&["--ignore", "AS-SEC-005,AS-SUP"]);
    assert!(
        rest.iter()
            .all(|r| r != "AS-SEC-005" && !r.starts_with("AS-SUP-")),
        "{rest:?}"
    );
    assert!(rest.len() < all.len());
    assert_eq!(code, if rest.is_empty() { 0 } else { 1 });
}

#[test]
fn severity_and_confidence_floors() {
    let (_, crit) = run(&["--min-severity", "critical"]);
    let (_, all) = run(&[]);
    assert!(crit.len() < all.len());
    let (_, hc) = run(&["--min-confidence", "high"]);
    assert!(hc.len() <= all.len());
}

#[test]
fn unknown_selectors_are_usage_errors() {
    assert_eq!(run(&["--select", "AS-NOPE-001"]).0, 2);
    assert_eq!(run(&["--ignore", "cwe-0"]).0, 2);
    assert_eq!(run(&["--min-severity", "huge"]).0, 2);
}
