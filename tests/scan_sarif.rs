//! SARIF output validated against the official OASIS SARIF 2.1.0 schema (vendored in
//! tests/schemas, so validation runs offline), plus what GitHub code scanning expects of
//! an upload beyond the schema.

use std::path::Path;

use assert_cmd::Command;
use jsonschema::Validator;
use serde_json::{json, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
const SCHEMA: &str = include_str!("schemas/sarif-schema-2.1.0.json");

/// The official schema is draft-04 (`"$schema": "http://json-schema.org/draft-04/schema#"`)
/// and identifies itself with the draft-04 `id` keyword. Every `$ref` in it is local
/// (`#/definitions/...`), so nothing is fetched; formats are checked too.
fn validator() -> Validator {
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles offline")
}

fn validation_errors(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn scan(rel: &str, format: &str) -> String {
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .current_dir(FIXTURES)
        .args(["scan", rel, "--format", format, "--color", "never"])
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "scan {rel} --format {format}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn sarif(rel: &str) -> Value {
    serde_json::from_str(&scan(rel, "sarif"))
        .unwrap_or_else(|e| panic!("scan {rel}: SARIF is not JSON: {e}"))
}

fn bad_dirs() -> Vec<String> {
    let mut dirs: Vec<String> = std::fs::read_dir(FIXTURES)
        .expect("fixtures/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("AS-") && Path::new(FIXTURES).join(n).join("bad").is_dir())
        .map(|n| format!("{n}/bad"))
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 11, "{dirs:?}");
    dirs
}

/// What GitHub code scanning needs from an upload, beyond the schema.
fn github_expectations(rel: &str, doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut fail = |m: String| problems.push(format!("{rel}: {m}"));
    let runs = doc["runs"].as_array().expect("runs");
    if runs.len() != 1 {
        fail(format!("{} runs", runs.len()));
    }
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    if driver["name"] != "agentsec" {
        fail(format!("driver name {}", driver["name"]));
    }
    let rules = driver["rules"].as_array().expect("tool.driver.rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("rule id"))
        .collect();
    for r in rules {
        let id = r["id"].as_str().unwrap_or("?");
        match r["properties"]["security-severity"]
            .as_str()
            .map(str::parse::<f64>)
        {
            Some(Ok(s)) if (0.0..=10.0).contains(&s) => {}
            other => fail(format!("rule {id}: security-severity {other:?}")),
        }
        if r["shortDescription"]["text"]
            .as_str()
            .is_none_or(str::is_empty)
        {
            fail(format!("rule {id}: no shortDescription"));
        }
        if r["help"]["text"].as_str().is_none_or(str::is_empty) {
            fail(format!("rule {id}: no help text"));
        }
    }
    let results = run["results"].as_array().expect("results");
    for (i, res) in results.iter().enumerate() {
        let rule = res["ruleId"].as_str().unwrap_or("");
        match ids.iter().position(|id| *id == rule) {
            None => fail(format!(
                "result {i}: ruleId {rule:?} is not in tool.driver.rules"
            )),
            Some(pos) => {
                if let Some(ix) = res.get("ruleIndex") {
                    if ix.as_u64() != Some(pos as u64) {
                        fail(format!(
                            "result {i}: ruleIndex {ix} but {rule} is rule {pos}"
                        ));
                    }
                }
            }
        }
        if res["message"]["text"].as_str().is_none_or(str::is_empty) {
            fail(format!("result {i}: empty message"));
        }
        match res["partialFingerprints"].as_object() {
            Some(m)
                if !m.is_empty()
                    && m.values()
                        .all(|v| v.as_str().is_some_and(|s| !s.is_empty())) => {}
            _ => fail(format!("result {i}: no partialFingerprints")),
        }
        let locations = res["locations"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if locations.is_empty() {
            fail(format!("result {i}: no locations"));
        }
        let related = res["relatedLocations"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        for loc in locations.iter().chain(related) {
            let phys = &loc["physicalLocation"];
            let uri = phys["artifactLocation"]["uri"].as_str().unwrap_or("");
            if uri.is_empty()
                || uri.starts_with('/')
                || uri.starts_with("file:")
                || uri.contains("://")
                || uri.contains('\\')
                || uri.contains(FIXTURES)
            {
                fail(format!(
                    "result {i}: artifactLocation.uri {uri:?} is not a relative reference"
                ));
            }
            let region = &phys["region"];
            let start = region["startLine"].as_u64().unwrap_or(0);
            if start < 1 {
                fail(format!(
                    "result {i}: region.startLine {}",
                    region["startLine"]
                ));
            }
            if region["startColumn"].as_u64().unwrap_or(0) < 1 {
                fail(format!(
                    "result {i}: region.startColumn {}",
                    region["startColumn"]
                ));
            }
            if region["endLine"].as_u64().is_some_and(|e| e < start) {
                fail(format!("result {i}: endLine before startLine"));
            }
        }
    }
    for inv in run["invocations"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        for n in inv["toolExecutionNotifications"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            for loc in n["locations"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("");
                if uri.is_empty() || uri.starts_with('/') || uri.starts_with("file:") {
                    fail(format!("notification uri {uri:?}"));
                }
            }
        }
    }
    problems
}

fn check(v: &Validator, rel: &str) -> Value {
    let doc = sarif(rel);
    let mut problems: Vec<String> = validation_errors(v, &doc)
        .into_iter()
        .map(|e| format!("{rel}: {e}"))
        .collect();
    problems.extend(github_expectations(rel, &doc));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    doc
}

#[test]
fn sarif_of_every_bad_fixture_dir_is_valid() {
    let v = validator();
    for rel in bad_dirs() {
        let doc = check(&v, &rel);
        let results = doc["runs"][0]["results"].as_array().expect("results");
        assert!(!results.is_empty(), "{rel}: no results");
        // The SARIF results are the JSON report's findings, in the same order.
        let report: Value = serde_json::from_str(&scan(&rel, "json")).expect("json");
        let from_json: Vec<(&str, u64)> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().expect("rule"),
                    f["location"]["start_line"].as_u64().expect("line"),
                )
            })
            .collect();
        let from_sarif: Vec<(&str, u64)> = results
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().expect("ruleId"),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .expect("startLine"),
                )
            })
            .collect();
        assert_eq!(from_json, from_sarif, "{rel}");
    }
}

#[test]
fn sarif_of_all_fixtures_is_valid() {
    let v = validator();
    let doc = check(&v, ".");
    // AS-SIGN-009 and AS-SIGN-010 need the agentsec.toml of their fixture directories
    // (`[signing] require`, `[policy]`), which applies when that directory is scanned.
    let signing = check(&v, "AS-SIGN-009/bad");
    let policy = check(&v, "AS-SIGN-010/bad");
    let rules: std::collections::BTreeSet<&str> = [&doc, &signing, &policy]
        .iter()
        .flat_map(|d| d["runs"][0]["results"].as_array().expect("results"))
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    let declared: Vec<&str> = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for id in declared {
        assert!(
            rules.contains(id),
            "the fixture tree has no result for {id}"
        );
    }
}

#[test]
fn sarif_of_a_clean_scan_is_valid() {
    let v = validator();
    let doc = check(&v, "AS-DEP-001/good");
    assert_eq!(doc["runs"][0]["results"], json!([]));
    assert_eq!(
        doc["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn files_that_could_not_be_analysed_are_notifications() {
    let v = validator();
    let doc = check(&v, "AS-SCAN-001/bad");
    let inv = &doc["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert_eq!(
        notes.len(),
        results.len(),
        "one notification per AS-SCAN-001 result"
    );
    for n in notes {
        assert_eq!(n["level"], "error");
        assert_eq!(n["descriptor"]["id"], "AS-SCAN-001");
    }
}

/// A change to a SARIF document.
type Mutation = Box<dyn Fn(&mut Value)>;

/// The validator really validates: documents that break the schema are rejected.
#[test]
fn broken_sarif_is_rejected() {
    let v = validator();
    let good = sarif("AS-NET-001/bad");
    assert!(validation_errors(&v, &good).is_empty());
    let mutations: Vec<(&str, Mutation)> = vec![
        (
            "wrong version",
            Box::new(|d: &mut Value| d["version"] = json!("2.0.0")),
        ),
        (
            "runs is not an array",
            Box::new(|d: &mut Value| d["runs"] = json!({})),
        ),
        (
            "unknown top-level property",
            Box::new(|d: &mut Value| d["extra"] = json!(1)),
        ),
        (
            "result without a message",
            Box::new(|d: &mut Value| {
                d["runs"][0]["results"][0]
                    .as_object_mut()
                    .expect("result")
                    .remove("message");
            }),
        ),
        (
            "startLine 0",
            Box::new(|d: &mut Value| {
                d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
                    ["startLine"] = json!(0)
            }),
        ),
        (
            "level not in the enum",
            Box::new(|d: &mut Value| d["runs"][0]["results"][0]["level"] = json!("fatal")),
        ),
        (
            "driver without a name",
            Box::new(|d: &mut Value| {
                d["runs"][0]["tool"]["driver"]
                    .as_object_mut()
                    .expect("driver")
                    .remove("name");
            }),
        ),
        (
            "rule id not a string",
            Box::new(|d: &mut Value| d["runs"][0]["tool"]["driver"]["rules"][0]["id"] = json!(7)),
        ),
    ];
    for (what, mutate) in mutations {
        let mut doc = good.clone();
        mutate(&mut doc);
        assert!(
            !validation_errors(&v, &doc).is_empty(),
            "a document with {what} passed validation"
        );
    }
    // And the GitHub checks catch what the schema allows.
    let mut doc = good.clone();
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        json!("file:///abs/.mcp.json");
    doc["runs"][0]["results"][0]["ruleId"] = json!("AS-NOPE-001");
    doc["runs"][0]["results"][0]
        .as_object_mut()
        .expect("result")
        .remove("partialFingerprints");
    doc["runs"][0]["tool"]["driver"]["rules"][0]["properties"]
        .as_object_mut()
        .expect("props")
        .remove("security-severity");
    let problems = github_expectations("mutated", &doc);
    assert_eq!(problems.len(), 4, "{problems:#?}");
}

#[test]
fn sarif_rules_carry_github_metadata() {
    let doc = sarif("AS-NET-001/bad");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let net = rules
        .iter()
        .find(|r| r["id"] == "AS-NET-001")
        .expect("AS-NET-001 declared");
    assert_eq!(net["properties"]["security-severity"], "8.0");
    assert_eq!(net["defaultConfiguration"]["level"], "error");
    assert!(net["helpUri"]
        .as_str()
        .is_some_and(|u| u.ends_with("/docs/rules/AS-NET-001.md")));
    assert_eq!(doc["runs"][0]["columnKind"], "unicodeCodePoints");
    let crit = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| {
            r["ruleId"] == "AS-NET-001"
                && r["properties"]["severity"] == "critical"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == ".cursor/mcp.json"
        })
        .expect("the critical Cursor finding");
    assert_eq!(crit["level"], "error");
    assert_eq!(
        crit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        ".cursor/mcp.json"
    );
    assert_eq!(
        crit["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "%SRCROOT%"
    );
}

/// A taint finding steps from the tool parameter to the sink as a SARIF code flow.
#[test]
fn taint_findings_carry_code_flows() {
    let doc = sarif("AS-INJ-001/bad");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let r = results
        .iter()
        .find(|r| {
            r["ruleId"] == "AS-INJ-001"
                && r["message"]["text"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("Parameter `"))
        })
        .expect("an AS-INJ-001 result from a tool parameter");
    // Flows from other sources start at the source expression too.
    let model = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .is_some_and(|m| m.starts_with("Model output"))
        })
        .expect("an AS-INJ-001 result from model output");
    let model_first = model["codeFlows"][0]["threadFlows"][0]["locations"][0]["location"]
        ["message"]["text"]
        .as_str()
        .unwrap_or("");
    assert!(
        model_first.starts_with("model output from `"),
        "{model_first}"
    );
    let steps = r["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .expect("code flow locations");
    assert!(steps.len() >= 2, "{steps:?}");
    let first = steps[0]["location"]["message"]["text"]
        .as_str()
        .unwrap_or("");
    assert!(first.starts_with("parameter `"), "{first}");
    let last = steps.last().expect("sink");
    assert_eq!(
        last["location"]["physicalLocation"],
        r["locations"][0]["physicalLocation"]
    );
}
