//! Rule fixtures: every rule has `fixtures/<RULE-ID>/bad` (each file must trigger the
//! rule) and `fixtures/<RULE-ID>/good` (near misses that must not). The findings of
//! every bad directory are pinned in snapshots as `path:line:col RULE sev/conf message`.
//!
//! A rule listed by `agentsec rules` without a fixture directory fails
//! `every_rule_has_fixtures`, so a new rule cannot ship without fixtures.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

/// Files in a bad directory that the scanner is known to miss. Each entry is checked
/// to still be missed, so fixing the scanner makes this test ask for the entry to go.
/// (rule, path relative to the bad directory, why)
const KNOWN_FALSE_NEGATIVES: &[(&str, &str, &str)] = &[];

/// Files in a bad directory that only give a cross-file rule its context (the root
/// manifest saying what a repository ships) and are not expected to be reported.
/// (rule, path relative to the bad directory, why)
const CONTEXT_FILES: &[(&str, &str, &str)] = &[
    (
        "AS-SIGN-004",
        "npm-agent/package.json",
        "makes the repository an agent project",
    ),
    (
        "AS-SIGN-004",
        "py-agent/pyproject.toml",
        "makes the repository an agent project",
    ),
    (
        "AS-SIGN-005",
        "npm-mcp/package.json",
        "an MCP package whose workflow publishes it",
    ),
    (
        "AS-SIGN-005",
        "py-mcp/pyproject.toml",
        "makes the repository an MCP project",
    ),
    (
        "AS-SIGN-005",
        "manual/.github/workflows/test.yml",
        "a workflow that does not publish",
    ),
    (
        "AS-SIGN-005",
        "monorepo/package.json",
        "the workspace root of a monorepo",
    ),
    (
        "AS-SIGN-005",
        "monorepo/packages/mcp/package.json",
        "the MCP package the workflow publishes",
    ),
];

/// Files in a good directory that the scanner wrongly reports. Each entry is checked
/// to still be reported, like the false negatives. (rule, path relative to the good
/// directory, why)
const KNOWN_FALSE_POSITIVES: &[(&str, &str, &str)] = &[];

/// Findings of a rule that its good directory is expected to produce: the rule reports
/// these on purpose at a low level. (rule, path relative to the good directory, severity)
const EXPECTED_IN_GOOD: &[(&str, &str, &str)] = &[
    // rules/perm/AS-PERM-003.yaml: "lists of only read-only-looking tools ... are info";
    // the rule's own `good` example is such a list.
    ("AS-PERM-003", ".roo/mcp.json", "info"),
    // rules/sup/AS-SUP-002.yaml: a bare local image name is info.
    ("AS-SUP-002", "local/claude_desktop_config.json", "info"),
    // rules/pois/AS-POIS-001.yaml: a full payload shown in a code block is info.
    (
        "AS-POIS-001",
        "docs-guide/.github/instructions/security.instructions.md",
        "info",
    ),
    // rules/pois/AS-POIS-006.yaml: a vendor's own installer, and "don't ask for
    // confirmation" alone, are info.
    ("AS-POIS-006", "AGENTS.md", "info"),
];

/// One finding as the JSON report gives it.
#[derive(Debug, Clone)]
struct Found {
    rule: String,
    severity: String,
    confidence: String,
    message: String,
    path: String,
    line: u64,
    column: u64,
    suppressed: bool,
    /// Related locations as `line:col label` (taint steps), in report order.
    related: Vec<String>,
}

impl Found {
    fn line(&self) -> String {
        let mut s = format!(
            "{}:{}:{} {} {}/{} {}",
            self.path,
            self.line,
            self.column,
            self.rule,
            self.severity,
            self.confidence,
            self.message
        );
        for r in &self.related {
            s.push_str(&format!("\n    {r}"));
        }
        s
    }
}

fn text(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {v}"))
        .to_string()
}

/// Runs `agentsec scan <rel> --format json --color never` from the fixtures directory.
fn scan(rel: &str) -> Vec<Found> {
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .current_dir(FIXTURES)
        .args(["scan", rel, "--format", "json", "--color", "never"])
        .output()
        .expect("runs");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "scan {rel} exited {code:?}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "scan {rel}: output is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let findings = report["findings"].as_array().expect("findings array");
    let found: Vec<Found> = findings
        .iter()
        .map(|f| {
            let loc = &f["location"];
            Found {
                rule: text(f, "rule"),
                severity: text(f, "severity"),
                confidence: text(f, "confidence"),
                message: text(f, "message"),
                path: text(loc, "path"),
                line: loc["start_line"].as_u64().expect("start_line"),
                column: loc["start_column"].as_u64().expect("start_column"),
                suppressed: f["suppressed"].as_bool().expect("suppressed"),
                related: f["related"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|r| {
                                format!(
                                    "{}:{} {}",
                                    r["start_line"],
                                    r["start_column"],
                                    r["label"].as_str().unwrap_or("")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    // The exit code agrees with the report: unsuppressed findings at the default
    // threshold (low) or an unanalysable file fail the scan.
    let fails = found.iter().any(|f| f.severity != "info" && !f.suppressed);
    assert_eq!(
        code == Some(1),
        fails,
        "scan {rel}: exit code {code:?} vs findings {found:#?}"
    );
    found
}

/// Every file below `dir`, relative to it with '/' separators, sorted.
fn files_below(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("below base");
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn fixture_dir(rule: &str, which: &str) -> PathBuf {
    Path::new(FIXTURES).join(rule).join(which)
}

/// Runs a rule's bad and good directories and snapshots the bad findings.
fn check_rule(rule: &str) {
    let bad_dir = fixture_dir(rule, "bad");
    let good_dir = fixture_dir(rule, "good");
    let bad_files = files_below(&bad_dir);
    let good_files = files_below(&good_dir);
    assert!(!bad_files.is_empty(), "{rule}: no bad fixtures");
    assert!(!good_files.is_empty(), "{rule}: no good fixtures");

    let bad = scan(&format!("{rule}/bad"));
    assert!(
        bad.iter().any(|f| f.rule == rule),
        "{rule}: the bad directory yields no {rule} finding: {bad:#?}"
    );
    let mut problems = Vec::new();
    // A fixture directory's agentsec.toml configures the scan (policy, signing);
    // it is not itself a case.
    for file in bad_files.iter().filter(|f| !f.ends_with("agentsec.toml")) {
        let hit = bad.iter().any(|f| f.rule == rule && &f.path == file);
        let known = KNOWN_FALSE_NEGATIVES
            .iter()
            .find(|(r, p, _)| *r == rule && *p == file.as_str());
        let context = CONTEXT_FILES
            .iter()
            .any(|(r, p, _)| *r == rule && *p == file.as_str());
        match (hit, known) {
            (false, None) if context => {}
            (false, None) => problems.push(format!("{rule}/bad/{file}: no {rule} finding")),
            (true, Some((_, _, why))) => problems.push(format!(
                "{rule}/bad/{file} is listed as a known false negative ({why}) but is now detected: remove it from KNOWN_FALSE_NEGATIVES"
            )),
            _ => {}
        }
    }
    for (_, p, _) in CONTEXT_FILES.iter().filter(|(r, _, _)| *r == rule) {
        assert!(
            bad_files.iter().any(|b| b == p),
            "CONTEXT_FILES names a missing file {rule}/bad/{p}"
        );
        assert!(
            !bad.iter().any(|f| f.rule == rule && f.path == *p),
            "{rule}/bad/{p} is listed in CONTEXT_FILES but is reported: remove it from the list"
        );
    }
    for f in &bad {
        assert!(
            bad_files.contains(&f.path),
            "{rule}: finding path {:?} is not a relative path of a fixture file",
            f.path
        );
    }

    let good = scan(&format!("{rule}/good"));
    for f in good.iter().filter(|f| f.rule == rule) {
        let expected = EXPECTED_IN_GOOD
            .iter()
            .any(|(r, p, s)| *r == rule && *p == f.path && *s == f.severity);
        let known = KNOWN_FALSE_POSITIVES
            .iter()
            .any(|(r, p, _)| *r == rule && *p == f.path);
        if !expected && !known {
            problems.push(format!("{rule}/good: unexpected finding {}", f.line()));
        }
    }
    for (_, p, why) in KNOWN_FALSE_POSITIVES.iter().filter(|(r, _, _)| *r == rule) {
        assert!(
            good_files.iter().any(|g| g == p),
            "KNOWN_FALSE_POSITIVES names a missing file {rule}/good/{p}"
        );
        if !good.iter().any(|f| f.rule == rule && f.path == *p) {
            problems.push(format!(
                "{rule}/good/{p} is listed as a known false positive ({why}) but is no longer reported: remove it from KNOWN_FALSE_POSITIVES"
            ));
        }
    }
    for (r, p, s) in EXPECTED_IN_GOOD.iter().filter(|(r, _, _)| *r == rule) {
        if !good
            .iter()
            .any(|f| f.rule == *r && f.path == *p && f.severity == *s)
        {
            problems.push(format!(
                "{rule}/good/{p}: expected a {s} {r} finding (EXPECTED_IN_GOOD) and got none"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let lines: Vec<String> = bad.iter().map(Found::line).collect();
    insta::assert_snapshot!(format!("bad__{rule}"), lines.join("\n"));
}

/// Rule ids from `agentsec rules`.
fn listed_rules() -> Vec<String> {
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .arg("rules")
        .output()
        .expect("runs");
    assert!(out.status.success(), "agentsec rules failed");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let ids: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(!ids.is_empty(), "agentsec rules listed nothing");
    for id in &ids {
        assert!(
            id.starts_with("AS-"),
            "unexpected line in `agentsec rules`: {id}"
        );
    }
    ids
}

/// Directories under fixtures/ named like rules (fixtures/ also holds other suites'
/// files, such as fixtures/sign).
fn fixture_rules() -> BTreeSet<String> {
    std::fs::read_dir(FIXTURES)
        .expect("fixtures/")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("AS-"))
        .collect()
}

macro_rules! rule_tests {
    ($($name:ident => $id:literal),* $(,)?) => {
        const TESTED: &[&str] = &[$($id),*];
        $(
            #[test]
            fn $name() {
                check_rule($id);
            }
        )*
    };
}

rule_tests! {
    fixtures_as_auth_001 => "AS-AUTH-001",
    fixtures_as_auth_002 => "AS-AUTH-002",
    fixtures_as_ci_001 => "AS-CI-001",
    fixtures_as_ci_002 => "AS-CI-002",
    fixtures_as_ci_003 => "AS-CI-003",
    fixtures_as_ci_004 => "AS-CI-004",
    fixtures_as_ci_005 => "AS-CI-005",
    fixtures_as_ci_006 => "AS-CI-006",
    fixtures_as_dep_001 => "AS-DEP-001",
    fixtures_as_dep_002 => "AS-DEP-002",
    fixtures_as_dep_003 => "AS-DEP-003",
    fixtures_as_dep_004 => "AS-DEP-004",
    fixtures_as_dep_005 => "AS-DEP-005",
    fixtures_as_dep_006 => "AS-DEP-006",
    fixtures_as_exec_001 => "AS-EXEC-001",
    fixtures_as_exec_003 => "AS-EXEC-003",
    fixtures_as_exec_002 => "AS-EXEC-002",
    fixtures_as_exec_004 => "AS-EXEC-004",
    fixtures_as_exec_005 => "AS-EXEC-005",
    fixtures_as_inj_001 => "AS-INJ-001",
    fixtures_as_inj_002 => "AS-INJ-002",
    fixtures_as_inj_003 => "AS-INJ-003",
    fixtures_as_inj_004 => "AS-INJ-004",
    fixtures_as_inj_005 => "AS-INJ-005",
    fixtures_as_inj_006 => "AS-INJ-006",
    fixtures_as_inj_007 => "AS-INJ-007",
    fixtures_as_inj_008 => "AS-INJ-008",
    fixtures_as_net_001 => "AS-NET-001",
    fixtures_as_net_002 => "AS-NET-002",
    fixtures_as_perm_001 => "AS-PERM-001",
    fixtures_as_perm_002 => "AS-PERM-002",
    fixtures_as_net_003 => "AS-NET-003",
    fixtures_as_net_004 => "AS-NET-004",
    fixtures_as_obs_001 => "AS-OBS-001",
    fixtures_as_perm_003 => "AS-PERM-003",
    fixtures_as_perm_004 => "AS-PERM-004",
    fixtures_as_perm_005 => "AS-PERM-005",
    fixtures_as_perm_006 => "AS-PERM-006",
    fixtures_as_perm_007 => "AS-PERM-007",
    fixtures_as_perm_008 => "AS-PERM-008",
    fixtures_as_pois_001 => "AS-POIS-001",
    fixtures_as_pois_002 => "AS-POIS-002",
    fixtures_as_pois_003 => "AS-POIS-003",
    fixtures_as_pois_006 => "AS-POIS-006",
    fixtures_as_scan_001 => "AS-SCAN-001",
    fixtures_as_scan_002 => "AS-SCAN-002",
    fixtures_as_sec_001 => "AS-SEC-001",
    fixtures_as_sec_003 => "AS-SEC-003",
    fixtures_as_sec_004 => "AS-SEC-004",
    fixtures_as_sec_002 => "AS-SEC-002",
    fixtures_as_sec_005 => "AS-SEC-005",
    fixtures_as_sign_001 => "AS-SIGN-001",
    fixtures_as_sign_002 => "AS-SIGN-002",
    fixtures_as_sign_003 => "AS-SIGN-003",
    fixtures_as_sign_004 => "AS-SIGN-004",
    fixtures_as_sign_005 => "AS-SIGN-005",
    fixtures_as_sign_008 => "AS-SIGN-008",
    fixtures_as_sign_009 => "AS-SIGN-009",
    fixtures_as_sign_010 => "AS-SIGN-010",
    fixtures_as_sup_001 => "AS-SUP-001",
    fixtures_as_sup_002 => "AS-SUP-002",
    fixtures_as_sup_005 => "AS-SUP-005",
}

/// Every rule the binary ships has a fixture directory with bad and good cases, and
/// every fixture directory belongs to a shipped rule. Rules without a dedicated test
/// above are checked here, so a new fixture directory is exercised automatically.
#[test]
fn every_rule_has_fixtures() {
    let rules: BTreeSet<String> = listed_rules().into_iter().collect();
    let dirs = fixture_rules();
    let missing: Vec<&String> = rules.difference(&dirs).collect();
    assert!(
        missing.is_empty(),
        "rules without fixtures (add fixtures/<ID>/bad and fixtures/<ID>/good): {missing:?}"
    );
    let stale: Vec<&String> = dirs.difference(&rules).collect();
    assert!(
        stale.is_empty(),
        "fixture directories for rules that `agentsec rules` does not list: {stale:?}"
    );
    for id in &rules {
        for which in ["bad", "good"] {
            let d = fixture_dir(id, which);
            assert!(
                d.is_dir() && !files_below(&d).is_empty(),
                "{} is missing or empty",
                d.display()
            );
        }
        if !TESTED.contains(&id.as_str()) {
            check_rule(id);
        }
    }
}

/// The same fixture scanned as a single file reports the same findings at the same
/// places (paths are then relative to the working directory).
#[test]
fn named_files_match_directory_scan() {
    let dir = scan("AS-NET-001/bad");
    let file = scan("AS-NET-001/bad/.cursor/mcp.json");
    let from_dir: Vec<String> = dir
        .iter()
        .filter(|f| f.path == ".cursor/mcp.json")
        .map(|f| format!("{}:{}:{}", f.rule, f.line, f.column))
        .collect();
    let from_file: Vec<String> = file
        .iter()
        .inspect(|f| assert_eq!(f.path, "AS-NET-001/bad/.cursor/mcp.json"))
        .map(|f| format!("{}:{}:{}", f.rule, f.line, f.column))
        .collect();
    assert!(!from_dir.is_empty());
    assert_eq!(from_dir, from_file);
}
