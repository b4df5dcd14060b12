//! Baselines: adopting on a noisy repository in three commands, stability under edits,
//! new findings still reported, SARIF baseline states.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const CONFIG: &str = r#"{"mcpServers": {"a": {"command": "npx", "args": ["-y", "@acme/a"]}, "b": {"url": "http://x.example/mcp"}}}"#;

fn agentsec(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().expect("code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join(".mcp.json"), CONFIG).expect("write");
    let (code, _) = agentsec(d.path(), &["scan", "--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "writing a baseline succeeds");
    d
}

fn edit(dir: &Path, f: impl FnOnce(&mut Value)) {
    let p = dir.join(".mcp.json");
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
    f(&mut v);
    // Reformatted, with lines inserted above.
    let text = format!("\n\n\n{}", serde_json::to_string_pretty(&v).expect("json"));
    std::fs::write(p, text).expect("write");
}

#[test]
fn baseline_hides_accepted_findings_across_edits() {
    let d = setup();
    let (code, out) = agentsec(
        d.path(),
        &["scan", "--baseline", "baseline.json", "--color", "never"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 hidden by the baseline"), "{out}");
    // Reorder keys, reformat, insert lines: nothing new.
    edit(d.path(), |v| {
        let servers = v["mcpServers"].as_object_mut().expect("map");
        let a = servers.remove("a").expect("a");
        servers.insert("a".into(), a);
    });
    let (code, out) = agentsec(
        d.path(),
        &["scan", "--baseline", "baseline.json", "--color", "never"],
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn new_findings_are_reported() {
    let d = setup();
    edit(d.path(), |v| {
        v["mcpServers"]["c"] = serde_json::json!({"command": "uvx", "args": ["other-server"]});
    });
    let (code, out) = agentsec(
        d.path(),
        &["scan", "--baseline", "baseline.json", "--format", "json"],
    );
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    let new: Vec<&Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["baseline_state"] == "new")
        .collect();
    assert_eq!(new.len(), 1, "{v:#}");
    assert!(new[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("other-server"));
    assert_eq!(v["summary"]["baseline"]["unchanged"], 3);
}

#[test]
fn a_second_copy_of_an_accepted_problem_is_new() {
    let d = setup();
    // Same rule, same file, same matched text at a different route: a new finding.
    edit(d.path(), |v| {
        v["mcpServers"]["a2"] = serde_json::json!({"command": "npx", "args": ["-y", "@acme/a"]});
    });
    let (code, _) = agentsec(d.path(), &["scan", "--baseline", "baseline.json"]);
    assert_eq!(code, 1);
}

#[test]
fn sarif_carries_baseline_states() {
    let d = setup();
    edit(d.path(), |v| {
        v["mcpServers"]["b"]["url"] = Value::from("https://x.example/mcp");
        v["mcpServers"]["c"] = serde_json::json!({"command": "uvx", "args": ["other-server"]});
    });
    let (_, out) = agentsec(
        d.path(),
        &["scan", "--baseline", "baseline.json", "--format", "sarif"],
    );
    let v: Value = serde_json::from_str(&out).expect("sarif");
    let mut states: Vec<String> = v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["ruleId"].as_str().unwrap_or(""),
                r["baselineState"].as_str().unwrap_or("")
            )
        })
        .collect();
    states.sort();
    assert!(
        states.contains(&"AS-SUP-001 unchanged".to_string()),
        "{states:?}"
    );
    assert!(states.contains(&"AS-SUP-001 new".to_string()), "{states:?}");
    assert!(
        states.contains(&"AS-NET-001 absent".to_string()),
        "{states:?}"
    );
}

#[test]
fn a_renamed_file_counts_as_new() {
    let d = setup();
    std::fs::create_dir(d.path().join(".cursor")).expect("mkdir");
    std::fs::rename(
        d.path().join(".mcp.json"),
        d.path().join(".cursor/mcp.json"),
    )
    .expect("rename");
    let (code, _) = agentsec(d.path(), &["scan", "--baseline", "baseline.json"]);
    assert_eq!(code, 1);
}

#[test]
fn bad_baseline_files_are_usage_errors() {
    let d = setup();
    std::fs::write(
        d.path().join("bad.json"),
        "{\"version\": \"9\", \"tool\": \"agentsec\", \"findings\": []}",
    )
    .expect("write");
    assert_eq!(agentsec(d.path(), &["scan", "--baseline", "bad.json"]).0, 2);
    assert_eq!(
        agentsec(d.path(), &["scan", "--baseline", "missing.json"]).0,
        2
    );
    std::fs::write(d.path().join("junk.json"), "not json").expect("write");
    assert_eq!(
        agentsec(d.path(), &["scan", "--baseline", "junk.json"]).0,
        2
    );
}

#[test]
fn sarif_with_baseline_states_is_valid() {
    let d = setup();
    edit(d.path(), |v| {
        v["mcpServers"]["b"]["url"] = Value::from("https://x.example/mcp");
        v["mcpServers"]["c"] = serde_json::json!({"command": "uvx", "args": ["other-server"]});
    });
    let (_, out) = agentsec(
        d.path(),
        &["scan", "--baseline", "baseline.json", "--format", "sarif"],
    );
    let doc: Value = serde_json::from_str(&out).expect("sarif");
    let schema_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemas/sarif-schema-2.1.0.json"
    ))
    .expect("schema");
    let schema: Value = serde_json::from_str(&schema_text).expect("schema json");
    let v = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    let errors: Vec<String> = v
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
