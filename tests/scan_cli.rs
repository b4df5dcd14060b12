//! The scan command line: exit codes, thresholds, output files, file selection,
//! ordering, output formats, paths, and hostile trees (symlink loops, huge files).

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

/// An HTTPS server without credentials: one info AS-AUTH-001 finding, nothing else.
const INFO_ONLY: &str =
    r#"{"mcpServers": {"ops": {"type": "http", "url": "https://ops.corp.example/mcp"}}}"#;
/// A container image by tag: one low AS-SUP-002 finding.
const LOW_ONLY: &str = r#"{"mcpServers": {"t": {"command": "docker", "args": ["run", "-i", "--rm", "mcp/time:1.2"]}}}"#;
/// A plaintext remote endpoint: one high AS-NET-001 finding (and a medium AS-AUTH-001).
const HIGH: &str = r#"{"mcpServers": {"crm": {"url": "http://crm.corp.example/mcp"}}}"#;
const CLEAN: &str = r#"{"mcpServers": {"local": {"command": "node", "args": ["./server.js"]}}}"#;

fn agentsec() -> Command {
    let mut c = Command::cargo_bin("agentsec").expect("binary");
    c.env_remove("NO_COLOR").timeout(Duration::from_secs(60));
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("runs");
    Run {
        code: out
            .status
            .code()
            .expect("exit code (not killed by a signal or the timeout)"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// `agentsec scan <args> --format json --color never` in `dir`.
fn scan_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let r = run(agentsec()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .args(["--format", "json", "--color", "never"]));
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); exit {}\nstdout: {}\nstderr: {}",
            r.code, r.stdout, r.stderr
        )
    });
    (r.code, v)
}

fn rules_and_paths(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["location"]["path"].as_str().expect("path").to_string(),
            )
        })
        .collect()
}

fn paths(report: &Value) -> Vec<String> {
    let mut p: Vec<String> = rules_and_paths(report)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    p.dedup();
    p
}

// ---------------------------------------------------------------- exit codes

#[test]
fn exit_0_when_clean() {
    let d = tempdir();
    write(d.path(), ".mcp.json", CLEAN);
    let (code, report) = scan_json(d.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["files_scanned"], 1);
    assert_eq!(report["summary"]["failed"], false);
}

#[test]
fn exit_0_for_an_empty_tree() {
    let d = tempdir();
    write(d.path(), "README.md", "# nothing to see\n");
    let r = run(agentsec()
        .current_dir(d.path())
        .args(["scan", "--color", "never"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("No findings in 0 files analysed."),
        "{}",
        r.stdout
    );
}

#[test]
fn exit_1_with_findings() {
    let (code, report) = scan_json(Path::new(FIXTURES), &["AS-NET-001/bad"]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["failed"], true);
}

#[test]
fn exit_1_when_a_file_cannot_be_analysed_whatever_the_threshold() {
    let d = tempdir();
    write(d.path(), ".mcp.json", "{\"mcpServers\": {");
    for threshold in ["critical", "never"] {
        let (code, report) = scan_json(d.path(), &["--fail-on", threshold]);
        assert_eq!(code, 1, "--fail-on {threshold}: {report:#}");
        let errors = report["errors"].as_array().expect("errors");
        assert_eq!(errors.len(), 1, "{report:#}");
        assert_eq!(errors[0]["path"], ".mcp.json");
        assert_eq!(
            rules_and_paths(&report),
            vec![("AS-SCAN-001".to_string(), ".mcp.json".to_string())]
        );
    }
}

#[test]
fn exit_2_on_usage_errors() {
    let d = tempdir();
    for args in [
        &["scan", "--format", "nope"][..],
        &["scan", "--fail-on", "severe"],
        &["scan", "--color", "sometimes"],
        &["scan", "--max-file-size", "-5"],
        &["scan", "--no-such-flag"],
        &["explain", "AS-NOPE-999"],
        &["no-such-command"],
    ] {
        let r = run(agentsec().current_dir(d.path()).args(args));
        assert_eq!(
            r.code, 2,
            "{args:?}: stdout {} stderr {}",
            r.stdout, r.stderr
        );
        assert!(
            !r.stderr.is_empty(),
            "{args:?}: a usage error explains itself on stderr"
        );
        assert!(
            r.stdout.is_empty(),
            "{args:?}: nothing on stdout: {}",
            r.stdout
        );
    }
}

#[test]
fn exit_2_on_an_invalid_exclude_glob() {
    let d = tempdir();
    write(d.path(), ".mcp.json", CLEAN);
    let r =
        run(agentsec()
            .current_dir(d.path())
            .args(["scan", "--exclude", "a[", "--format", "json"]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("--exclude"), "{}", r.stderr);
}

#[test]
fn help_and_version_exit_0() {
    for args in [&["--help"][..], &["--version"], &["scan", "--help"]] {
        let r = run(agentsec().args(args));
        assert_eq!(r.code, 0, "{args:?}");
        assert!(!r.stdout.is_empty());
    }
}

// ---------------------------------------------------------------- --fail-on

#[test]
fn fail_on_threshold() {
    let d = tempdir();
    write(d.path(), "info/.mcp.json", INFO_ONLY);
    write(d.path(), "low/.mcp.json", LOW_ONLY);
    write(d.path(), "high/.mcp.json", HIGH);
    let cases: &[(&str, &str, i32)] = &[
        // (directory, --fail-on, exit code)
        ("info", "low", 0),
        ("info", "info", 1),
        ("low", "low", 1),
        ("low", "medium", 0),
        ("high", "high", 1),
        ("high", "critical", 0),
        ("high", "never", 0),
    ];
    for (dir, threshold, want) in cases {
        let (code, report) = scan_json(&d.path().join(dir), &["--fail-on", threshold]);
        assert_eq!(code, *want, "{dir} --fail-on {threshold}: {report:#}");
        assert_eq!(
            report["summary"]["failed"],
            *want == 1,
            "{dir} --fail-on {threshold}"
        );
    }
    // The default threshold is low.
    assert_eq!(scan_json(&d.path().join("info"), &[]).0, 0);
    assert_eq!(scan_json(&d.path().join("low"), &[]).0, 1);
}

#[test]
fn fail_on_does_not_filter_the_report() {
    let d = tempdir();
    write(d.path(), ".mcp.json", HIGH);
    let (_, all) = scan_json(d.path(), &[]);
    let (_, critical) = scan_json(d.path(), &["--fail-on", "critical"]);
    assert_eq!(all["findings"], critical["findings"]);
}

// ---------------------------------------------------------------- --output

#[test]
fn output_writes_the_report_to_a_file() {
    let d = tempdir();
    write(d.path(), "repo/.mcp.json", HIGH);
    let out = d.path().join("report.json");
    let r = run(agentsec().current_dir(d.path()).args([
        "scan",
        "repo",
        "--format",
        "json",
        "--output",
        out.to_str().expect("utf-8 path"),
    ]));
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.is_empty(),
        "the report goes to the file, not stdout: {}",
        r.stdout
    );
    assert!(
        r.stderr.contains("findings") || r.stderr.contains("finding"),
        "summary on stderr: {}",
        r.stderr
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("report written"))
            .expect("JSON");
    assert_eq!(paths(&report), vec![".mcp.json".to_string()]);
}

#[test]
fn output_to_an_unwritable_place_is_an_error() {
    let d = tempdir();
    write(d.path(), ".mcp.json", CLEAN);
    let r =
        run(agentsec()
            .current_dir(d.path())
            .args(["scan", "--output", "no/such/dir/report.txt"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
}

// ---------------------------------------------------------------- file selection

#[test]
fn exclude_skips_directories_and_globs() {
    let d = tempdir();
    write(d.path(), "a/.mcp.json", HIGH);
    write(d.path(), "b/.mcp.json", HIGH);
    write(d.path(), "c/.cursor/mcp.json", HIGH);
    let (_, report) = scan_json(d.path(), &[]);
    assert_eq!(
        paths(&report),
        vec!["a/.mcp.json", "b/.mcp.json", "c/.cursor/mcp.json"]
    );
    let (_, report) = scan_json(d.path(), &["--exclude", "a"]);
    assert_eq!(paths(&report), vec!["b/.mcp.json", "c/.cursor/mcp.json"]);
    let (_, report) = scan_json(d.path(), &["--exclude", "b/", "--exclude", "**/.cursor/**"]);
    assert_eq!(paths(&report), vec!["a/.mcp.json"]);
    let (code, report) = scan_json(d.path(), &["--exclude", "**/*.json"]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["files_scanned"], 0);
}

#[test]
fn gitignore_is_honoured_without_git_unless_no_ignore() {
    let d = tempdir();
    write(d.path(), ".gitignore", "ignored/\n");
    write(d.path(), "ignored/.mcp.json", HIGH);
    write(d.path(), "kept/.mcp.json", HIGH);
    assert!(!d.path().join(".git").exists());
    let (_, report) = scan_json(d.path(), &[]);
    assert_eq!(paths(&report), vec!["kept/.mcp.json"]);
    let (_, report) = scan_json(d.path(), &["--no-ignore"]);
    assert_eq!(paths(&report), vec!["ignored/.mcp.json", "kept/.mcp.json"]);
}

#[test]
fn named_files_are_scanned_even_if_ignored_or_excluded() {
    let d = tempdir();
    write(d.path(), ".gitignore", "ignored/\n");
    write(d.path(), "ignored/.mcp.json", HIGH);
    let (code, report) = scan_json(d.path(), &["ignored/.mcp.json"]);
    assert_eq!(code, 1);
    assert_eq!(paths(&report), vec!["ignored/.mcp.json"]);
    let (_, report) = scan_json(d.path(), &["ignored/.mcp.json", "--exclude", "ignored"]);
    assert_eq!(paths(&report), vec!["ignored/.mcp.json"]);
}

#[test]
fn a_missing_path_is_reported() {
    let d = tempdir();
    let (code, report) = scan_json(d.path(), &["does-not-exist/.mcp.json"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["errors"][0]["path"], "does-not-exist/.mcp.json");
}

// ---------------------------------------------------------------- ordering and paths

#[test]
fn output_is_deterministic_and_sorted() {
    let fixtures = Path::new(FIXTURES);
    for format in ["json", "sarif", "github", "human"] {
        let a = run(agentsec()
            .current_dir(fixtures)
            .args(["scan", ".", "--format", format, "--color", "never"]));
        let b = run(agentsec()
            .current_dir(fixtures)
            .args(["scan", ".", "--format", format, "--color", "never"]));
        assert_eq!(a.code, 1);
        assert_eq!(a.stdout, b.stdout, "--format {format} differs between runs");
    }
    let (_, report) = scan_json(fixtures, &["."]);
    let keys: Vec<(String, u64, u64, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let l = &f["location"];
            (
                l["path"].as_str().expect("path").to_string(),
                l["start_line"].as_u64().expect("line"),
                l["start_column"].as_u64().expect("column"),
                f["rule"].as_str().expect("rule").to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        keys, sorted,
        "findings are ordered by path, line, column, rule"
    );
    assert!(keys.len() > 50, "the fixture tree has many findings");
}

#[test]
fn paths_are_relative_with_forward_slashes() {
    let fixtures = Path::new(FIXTURES);
    let abs_root = fixtures.join("AS-NET-001").join("bad");
    let check = |report: &Value, prefix: &str| {
        let ps = paths(report);
        assert!(!ps.is_empty());
        for p in ps {
            assert!(
                !p.starts_with('/') && !p.contains('\\') && !p.contains(':'),
                "{p}"
            );
            assert!(
                !p.starts_with("./") && !p.contains("/./") && !p.contains(".."),
                "{p}"
            );
            assert!(!p.contains(FIXTURES), "{p}");
            assert!(p.starts_with(prefix), "{p} should start with {prefix:?}");
        }
    };
    // One directory: relative to it, whether named relatively or absolutely.
    check(&scan_json(fixtures, &["AS-NET-001/bad"]).1, "");
    check(&scan_json(fixtures, &["./AS-NET-001/bad/"]).1, "");
    check(
        &scan_json(Path::new("/"), &[abs_root.to_str().expect("utf-8")]).1,
        "",
    );
    // The default root is the working directory.
    check(&scan_json(&abs_root, &[]).1, "");
    // Several roots: relative to the working directory.
    check(
        &scan_json(fixtures, &["AS-NET-001/bad", "AS-SEC-001/bad"]).1,
        "AS-",
    );
    let (_, report) = scan_json(fixtures, &["AS-NET-001/bad", "AS-SEC-001/bad"]);
    let ps = paths(&report);
    assert!(
        ps.contains(&"AS-NET-001/bad/.cursor/mcp.json".to_string()),
        "{ps:?}"
    );
    assert!(
        ps.contains(&"AS-SEC-001/bad/.mcp.json".to_string()),
        "{ps:?}"
    );
}

// ---------------------------------------------------------------- formats

#[test]
fn github_format_annotates_each_finding() {
    let r = run(agentsec().current_dir(FIXTURES).args([
        "scan",
        "AS-NET-001/bad",
        "--format",
        "github",
    ]));
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let (_, report) = scan_json(Path::new(FIXTURES), &["AS-NET-001/bad"]);
    assert_eq!(
        lines.len(),
        report["findings"].as_array().expect("findings").len(),
        "one line per finding"
    );
    for l in &lines {
        assert!(
            l.starts_with("::error file=")
                || l.starts_with("::warning file=")
                || l.starts_with("::notice file="),
            "{l}"
        );
        assert!(
            l.contains(",line=")
                && l.contains(",col=")
                && l.contains(",endLine=")
                && l.contains(",title="),
            "{l}"
        );
        assert!(!l.contains('\r'), "{l}");
    }
    let critical = lines
        .iter()
        .find(|l| l.contains("file=.cursor/mcp.json,") && l.contains("AS-NET-001"))
        .expect("the Cursor finding");
    assert!(
        critical.starts_with(
            "::error file=.cursor/mcp.json,line=4,col=14,endLine=4,endColumn=48,title=AS-NET-001 "
        ),
        "{critical}"
    );
    assert!(
        critical.contains("(critical)::MCP server 'crm' talks to http://crm.corp.example:8080/mcp over cleartext%0A"),
        "{critical}"
    );
    assert!(
        critical.contains("%0A"),
        "the fix text follows on an escaped new line: {critical}"
    );
}

#[test]
fn human_format_without_colour() {
    let r =
        run(agentsec()
            .current_dir(FIXTURES)
            .args(["scan", "AS-NET-001/bad", "--color", "never"]));
    assert_eq!(r.code, 1);
    assert!(
        !r.stdout.contains('\u{1b}'),
        "no ANSI escapes with --color never"
    );
    assert!(r.stdout.contains(".cursor/mcp.json:4:14"), "{}", r.stdout);
    assert!(r.stdout.contains("AS-NET-001"), "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .last()
            .is_some_and(|l| l.contains("files analysed.")),
        "{}",
        r.stdout
    );
    let coloured =
        run(agentsec()
            .current_dir(FIXTURES)
            .args(["scan", "AS-NET-001/bad", "--color", "always"]));
    assert!(
        coloured.stdout.contains('\u{1b}'),
        "ANSI escapes with --color always"
    );
}

#[test]
fn rules_listing() {
    let r = run(agentsec().arg("rules"));
    assert_eq!(r.code, 0);
    insta::assert_snapshot!("rules", r.stdout);
}

#[test]
fn explain_page() {
    let r = run(agentsec().args(["explain", "AS-NET-001"]));
    assert_eq!(r.code, 0);
    let lower = run(agentsec().args(["explain", "as-net-001"]));
    assert_eq!(lower.stdout, r.stdout, "rule ids are case-insensitive");
    insta::assert_snapshot!("explain_AS-NET-001", r.stdout);
}

// ---------------------------------------------------------------- hostile trees

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_and_does_not_hang() {
    let d = tempdir();
    write(d.path(), "repo/.mcp.json", CLEAN);
    std::os::unix::fs::symlink("..", d.path().join("repo/sub-loop")).expect("symlink");
    std::os::unix::fs::symlink("self", d.path().join("repo/self")).expect("symlink");
    let started = std::time::Instant::now();
    let (code, report) = scan_json(&d.path().join("repo"), &[]);
    assert!(started.elapsed() < Duration::from_secs(30));
    // The loop is recorded as an info finding: its target is walked anyway, so nothing
    // is hidden and the scan does not fail. The self-referencing `self` link has no
    // config name and hides nothing either.
    assert_eq!(code, 0, "{report:#}");
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report:#}");
    let f = &findings[0];
    assert_eq!(f["rule"], "AS-SCAN-001");
    assert_eq!(f["severity"], "info");
    assert_eq!(f["location"]["path"], "sub-loop");
    let msg = f["message"].as_str().expect("message");
    assert!(
        msg.contains("loop") && msg.contains("not followed"),
        "{msg}"
    );
}

#[test]
fn file_over_max_size_is_reported() {
    let d = tempdir();
    let padding = " ".repeat(2000);
    write(d.path(), ".mcp.json", &format!("{CLEAN}{padding}"));
    // A name that only suggests a kind is skipped silently when too large.
    write(d.path(), "web/manifest.json", &format!("{{}}{padding}"));
    let (code, report) = scan_json(d.path(), &["--max-file-size", "1000"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        rules_and_paths(&report),
        vec![("AS-SCAN-001".to_string(), ".mcp.json".to_string())]
    );
    let msg = report["findings"][0]["message"].as_str().expect("message");
    assert!(msg.contains("over the 1000-byte limit"), "{msg}");
    let (code, _) = scan_json(d.path(), &[]);
    assert_eq!(code, 0, "under the default limit the file is clean");
}

/// Regression: a TOML file with non-ASCII text outside strings (a byte order mark,
/// which toml_edit accepts) once panicked the comment scan.
#[test]
fn toml_with_a_byte_order_mark_does_not_crash() {
    let d = tempdir();
    write(
        d.path(),
        ".codex/config.toml",
        "\u{feff}[mcp_servers.a]\ncommand = \"node\"\n",
    );
    let (code, report) = scan_json(d.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["files_scanned"], 1);
}

/// Regression: the message of a symbolic link loop (and so the AS-SCAN-001
/// fingerprint, which hashes it) must not depend on the checkout location.
#[cfg(unix)]
#[test]
fn symlink_loop_message_is_relative() {
    let fingerprint = |dir: &Path| {
        write(dir, "repo/.mcp.json", CLEAN);
        std::os::unix::fs::symlink("..", dir.join("repo/loop")).expect("symlink");
        let (_, report) = scan_json(&dir.join("repo"), &[]);
        let f = &report["findings"][0];
        let msg = f["message"].as_str().expect("message").to_string();
        assert!(
            !msg.contains(dir.to_str().expect("utf-8")),
            "machine path in {msg:?}"
        );
        f["fingerprint"].as_str().expect("fingerprint").to_string()
    };
    let (a, b) = (tempdir(), tempdir());
    assert_eq!(
        fingerprint(a.path()),
        fingerprint(b.path()),
        "fingerprints depend on the checkout location"
    );
}

/// Regression: a few hundred bytes of nested aliases ("billion laughs") must become
/// an AS-SCAN-001 finding, not an exponential expansion.
#[test]
fn yaml_alias_bomb_does_not_hang() {
    let d = tempdir();
    let mut yaml = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 9].join(", ");
        yaml.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    yaml.push_str("mcpServers:\n  - name: x\n    command: node\n    args: *l9\n");
    assert!(yaml.len() < 1024);
    write(d.path(), ".continue/config.yaml", &yaml);
    let out = agentsec()
        .current_dir(d.path())
        .args(["scan", "--format", "json"])
        .timeout(Duration::from_secs(20))
        .output()
        .expect("runs");
    assert!(
        out.status.code().is_some(),
        "the scan did not finish within 20 s"
    );
}

// ---------------------------------------------------------------- report contents

#[test]
fn json_report_shape() {
    let (_, report) = scan_json(Path::new(FIXTURES), &["AS-NET-001/bad"]);
    assert_eq!(report["version"], "1");
    assert_eq!(report["tool"]["name"], "agentsec");
    let summary = &report["summary"];
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(summary["findings"].as_u64(), Some(findings.len() as u64));
    let by_severity = summary["by_severity"].as_object().expect("by_severity");
    assert_eq!(
        by_severity.keys().collect::<Vec<_>>(),
        ["critical", "high", "medium", "low", "info"]
    );
    let total: u64 = by_severity
        .values()
        .map(|v| v.as_u64().expect("count"))
        .sum();
    assert_eq!(total, findings.len() as u64);
    assert_eq!(
        summary["files_scanned"], 12,
        "every file of AS-NET-001/bad is analysed"
    );
    for f in findings {
        for key in [
            "rule",
            "title",
            "severity",
            "confidence",
            "message",
            "help",
            "help_uri",
            "fingerprint",
        ] {
            assert!(
                f[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} in {f:#}"
            );
        }
        assert_eq!(f["suppressed"], false);
        assert_eq!(f["fingerprint"].as_str().map(str::len), Some(32));
        let l = &f["location"];
        assert!(l["end_line"].as_u64() >= l["start_line"].as_u64());
    }
}

/// Fingerprints identify a finding by rule, path, route and matched text: moving the
/// tree or shifting lines keeps them; changing the matched value does not.
#[test]
fn fingerprints_survive_moves_and_line_shifts() {
    let fingerprints = |dir: &Path| -> Vec<(String, String, u64)> {
        let (_, report) = scan_json(dir, &[]);
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().expect("rule").to_string(),
                    f["fingerprint"].as_str().expect("fingerprint").to_string(),
                    f["location"]["start_line"].as_u64().expect("line"),
                )
            })
            .collect()
    };
    let original = Path::new(FIXTURES).join("AS-NET-001/bad");
    let text = std::fs::read_to_string(original.join(".cursor/mcp.json")).expect("fixture");
    let a = tempdir();
    let b = tempdir();
    write(a.path(), ".cursor/mcp.json", &text);
    write(b.path(), ".cursor/mcp.json", &format!("\n\n{text}"));
    let (fa, fb) = (fingerprints(a.path()), fingerprints(b.path()));
    assert!(!fa.is_empty());
    let from_fixtures: Vec<_> = fingerprints(&original)
        .into_iter()
        .filter(|(r, _, _)| fa.iter().any(|(ra, _, _)| ra == r))
        .filter(|(_, fp, _)| fa.iter().any(|(_, f, _)| f == fp))
        .collect();
    assert_eq!(
        from_fixtures.len(),
        fa.len(),
        "same file, same relative path: same fingerprints"
    );
    for ((ra, fpa, la), (rb, fpb, lb)) in fa.iter().zip(&fb) {
        assert_eq!((ra, fpa), (rb, fpb), "a line shift keeps the fingerprint");
        assert_eq!(la + 2, *lb);
    }
    write(
        b.path(),
        ".cursor/mcp.json",
        &text.replace("crm.corp.example:8080", "crm2.corp.example:8080"),
    );
    let fc = fingerprints(b.path());
    assert_ne!(fa[0].1, fc[0].1, "a different URL is a different finding");
}

#[test]
fn human_report_snapshot() {
    let r =
        run(agentsec()
            .current_dir(FIXTURES)
            .args(["scan", "AS-SUP-002/bad", "--color", "never"]));
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("human_AS-SUP-002", r.stdout);
}

/// A dangling or self-referencing symlink that no rule would read (a LICENSE, an
/// image) hides nothing and must not fail the scan; one with a config name does.
#[test]
fn dangling_symlinks_matter_only_at_config_paths() {
    let d = tempdir();
    write(d.path(), "repo/.mcp.json", CLEAN);
    std::os::unix::fs::symlink("LICENSE", d.path().join("repo/LICENSE")).expect("symlink");
    std::os::unix::fs::symlink("/nonexistent/x.png", d.path().join("repo/logo.png"))
        .expect("symlink");
    let (code, report) = scan_json(&d.path().join("repo"), &[]);
    assert_eq!(code, 0, "{report:#}");
    std::fs::create_dir_all(d.path().join("repo/.cursor")).expect("mkdir");
    std::os::unix::fs::symlink(
        "/nonexistent/mcp.json",
        d.path().join("repo/.cursor/mcp.json"),
    )
    .expect("symlink");
    let (code, report) = scan_json(&d.path().join("repo"), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["findings"][0]["rule"], "AS-SCAN-001");
    assert_eq!(
        report["findings"][0]["location"]["path"],
        ".cursor/mcp.json"
    );
}

/// A config reached through symlinked directories is analysed and reported once.
#[test]
fn symlinked_directories_do_not_duplicate_findings() {
    let d = tempdir();
    write(
        d.path(),
        "repo/skills/base/.mcp.json",
        r#"{"mcpServers": {"x": {"command": "uvx", "args": ["pkg"]}}}"#,
    );
    for name in ["a", "b", "c"] {
        std::os::unix::fs::symlink("base", d.path().join("repo/skills").join(name))
            .expect("symlink");
    }
    let (_, report) = scan_json(&d.path().join("repo"), &[]);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["location"]["path"], "skills/a/.mcp.json");
}
