//! The JSON report matches its published schema (docs/report.schema.json) for every
//! fixture, and the schema is strict enough to reject a malformed report.

use assert_cmd::Command;
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(format!("{ROOT}/docs/report.schema.json")).expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft7::new(&schema).expect("schema compiles")
}

fn report(dir: &str) -> Value {
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .args(["scan", dir, "--format", "json", "--fail-on", "never"])
        .current_dir(ROOT)
        .output()
        .expect("runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

#[test]
fn every_fixture_report_matches_the_schema() {
    let v = validator();
    let mut checked = 0;
    for e in std::fs::read_dir(format!("{ROOT}/fixtures")).expect("fixtures") {
        let rule = e.expect("entry").file_name().to_string_lossy().to_string();
        if !rule.starts_with("AS-") {
            continue;
        }
        for side in ["bad", "good"] {
            let doc = report(&format!("fixtures/{rule}/{side}"));
            let errors: Vec<String> = v
                .iter_errors(&doc)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{rule}/{side}: {errors:#?}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} reports checked");
}

#[test]
fn schema_rejects_malformed_reports() {
    let v = validator();
    let good = report("fixtures/AS-SEC-001/bad");
    assert!(v.is_valid(&good));
    let mut bad = good.clone();
    bad["findings"][0]["severity"] = Value::from("severe");
    assert!(!v.is_valid(&bad), "unknown severity accepted");
    let mut bad = good.clone();
    bad["findings"][0]["location"]["start_line"] = Value::from(0);
    assert!(!v.is_valid(&bad), "line 0 accepted");
    let mut bad = good;
    bad["version"] = Value::from("2");
    assert!(!v.is_valid(&bad), "wrong version accepted");
}
