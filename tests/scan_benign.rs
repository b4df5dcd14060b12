//! A corpus of realistic, well-configured agent files (fixtures/benign): hardened
//! settings, authenticated cards, locked-down containers and workflows. None may
//! produce a finding at medium or above; false positives are why scanners get removed.

use assert_cmd::Command;
use serde_json::Value;

const BENIGN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/benign");

#[test]
fn benign_corpus_has_no_finding_at_medium_or_above() {
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .args(["scan", "--format", "json", "--fail-on", "medium", "."])
        .current_dir(BENIGN)
        .output()
        .expect("run");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let scanned = report["summary"]["files_scanned"].as_u64().unwrap_or(0);
    let files = walk(std::path::Path::new(BENIGN));
    assert!(
        scanned as usize >= files,
        "every benign file must be recognised and analysed: {scanned} of {files}"
    );
    let loud: Vec<String> = report["findings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter(|f| !matches!(f["severity"].as_str(), Some("low" | "info")))
        .map(|f| {
            format!(
                "{}:{} {} {} {}",
                f["location"]["path"].as_str().unwrap_or(""),
                f["location"]["start_line"],
                f["rule"].as_str().unwrap_or(""),
                f["severity"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        loud.is_empty(),
        "benign files reported:\n{}",
        loud.join("\n")
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        walk(&p)
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
