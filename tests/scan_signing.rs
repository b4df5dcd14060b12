//! Signature checks of `agentsec scan` on artifacts made at test time: bundles signed
//! with `agentsec sign` and then invalidated, model shards, and `[signing] require`.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const KEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sign/cosign-p256.key");

fn agentsec(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("agentsec")
        .expect("binary")
        .current_dir(dir)
        .env("AGENTSEC_PASSWORD", "agentsec-test")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

fn sign(dir: &Path, rel: &str) {
    let (code, _, err) = agentsec(dir, &["sign", "--key", KEY, rel]);
    assert_eq!(code, 0, "sign {rel}: {err}");
}

/// `(path, line, column, rule, severity, message)` of every finding of `rules`.
fn findings(dir: &Path, rules: &[&str]) -> Vec<(String, u64, u64, String, String, String)> {
    let (code, out, err) = agentsec(dir, &["scan", ".", "--format", "json"]);
    assert!(matches!(code, 0 | 1), "scan exited {code}: {err}");
    let v: Value = serde_json::from_str(&out).expect("JSON report");
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| rules.iter().any(|r| f["rule"] == *r))
        .map(|f| {
            let l = &f["location"];
            (
                l["path"].as_str().unwrap_or_default().to_string(),
                l["start_line"].as_u64().unwrap_or_default(),
                l["start_column"].as_u64().unwrap_or_default(),
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_file_changed_after_signing_is_reported_at_the_bundle_digest() {
    let t = TempDir::new().expect("tempdir");
    write(t.path(), "dist/app.tar.gz", b"build 1\n");
    sign(t.path(), "dist/app.tar.gz");
    assert!(findings(t.path(), &["AS-SIGN-008"]).is_empty());

    write(t.path(), "dist/app.tar.gz", b"build 2\n");
    let f = findings(t.path(), &["AS-SIGN-008"]);
    assert_eq!(f.len(), 1, "{f:?}");
    let (path, line, col, _, sev, msg) = &f[0];
    assert_eq!(path, "dist/app.tar.gz.sigstore.json");
    assert_eq!(sev, "high");
    assert!(msg.contains("no longer matches app.tar.gz"), "{msg}");
    // The location is the digest value inside the bundle.
    let bundle = std::fs::read_to_string(t.path().join(path)).expect("bundle");
    let digest_line = bundle
        .lines()
        .position(|l| l.contains("\"digest\""))
        .expect("digest line");
    assert_eq!(*line as usize, digest_line + 1);
    let text = bundle.lines().nth(digest_line).expect("line");
    let at = text.find(": \"").expect("value") + 3;
    assert_eq!(*col as usize, at);
}

#[test]
fn a_directory_changed_after_signing_names_the_files() {
    let t = TempDir::new().expect("tempdir");
    write(
        t.path(),
        "skills/pdf/SKILL.md",
        b"---\nname: pdf\n---\nRead PDFs.\n",
    );
    sign(t.path(), "skills/pdf");
    assert!(findings(t.path(), &["AS-SIGN-008"]).is_empty());

    write(t.path(), "skills/pdf/extra.py", b"print('added later')\n");
    let f = findings(t.path(), &["AS-SIGN-008"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "skills/pdf.sigstore.json");
    assert!(f[0].5.contains("added extra.py"), "{}", f[0].5);
}

#[test]
fn in_toto_subjects_of_a_file_attestation_are_compared() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let t = TempDir::new().expect("tempdir");
    write(t.path(), "dist/server.mcpb", b"bundle bytes");
    let digest = hex::encode(sha2::Sha256::digest(b"bundle bytes"));
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "server.mcpb", "digest": {"sha256": digest}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {}
    });
    let payload = base64::engine::general_purpose::STANDARD.encode(statement.to_string());
    let bundle = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "k"}, "tlogEntries": []},
        "dsseEnvelope": {"payload": payload, "payloadType": "application/vnd.in-toto+json",
                         "signatures": [{"sig": "AAAA", "keyid": ""}]}
    });
    write(
        t.path(),
        "dist/server.mcpb.sigstore.json",
        bundle.to_string().as_bytes(),
    );
    assert!(findings(t.path(), &["AS-SIGN-008"]).is_empty());
    write(t.path(), "dist/server.mcpb", b"other bytes");
    let f = findings(t.path(), &["AS-SIGN-008"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].5.contains("not among the attested digests"),
        "{}",
        f[0].5
    );
}

#[test]
fn model_shards_yield_one_finding_per_directory() {
    let t = TempDir::new().expect("tempdir");
    for i in 1..=3 {
        write(
            t.path(),
            &format!("models/agent-7b/model-0000{i}-of-00003.safetensors"),
            b"placeholder",
        );
    }
    write(t.path(), "models/other/model.gguf", b"placeholder");
    let f = findings(t.path(), &["AS-SIGN-002"]);
    let paths: Vec<&str> = f.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        paths,
        [
            "models/agent-7b/model-00001-of-00003.safetensors",
            "models/other/model.gguf"
        ]
    );
    assert!(
        f[0].5.contains("and 2 more in models/agent-7b/"),
        "{}",
        f[0].5
    );

    // A shard with its own sidecar leaves the others to report.
    write(
        t.path(),
        "models/agent-7b/model-00001-of-00003.safetensors.sig",
        b"sig",
    );
    let f = findings(t.path(), &["AS-SIGN-002"]);
    assert_eq!(f[0].0, "models/agent-7b/model-00002-of-00003.safetensors");
    assert!(f[0].5.contains("and 1 more"), "{}", f[0].5);

    // model_signing run from models/ writes model.sig there: it covers both.
    write(t.path(), "models/model.sig", b"{}");
    assert!(findings(t.path(), &["AS-SIGN-002"]).is_empty());
}

#[test]
fn lfs_pointers_are_low() {
    let t = TempDir::new().expect("tempdir");
    write(
        t.path(),
        "model.safetensors",
        b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1\n",
    );
    let f = findings(t.path(), &["AS-SIGN-002"]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].4, "low");
    assert!(f[0].5.contains("Git LFS"), "{}", f[0].5);
}

#[test]
fn required_globs_bring_unclassified_files_into_the_scan() {
    let t = TempDir::new().expect("tempdir");
    write(t.path(), "dist/app.tar.gz", b"build 1\n");
    write(t.path(), "dist/notes.yaml", b"just: notes\n");
    // Without the setting, neither file is analysed.
    assert!(findings(t.path(), &["AS-SIGN-009"]).is_empty());

    write(
        t.path(),
        "agentsec.toml",
        b"[signing]\nrequire = [\"dist/**\"]\n",
    );
    let f = findings(t.path(), &["AS-SIGN-009"]);
    let paths: Vec<&str> = f.iter().map(|f| f.0.as_str()).collect();
    // A YAML file that is not a Kubernetes manifest is still required to be signed.
    assert_eq!(paths, ["dist/app.tar.gz", "dist/notes.yaml"], "{f:?}");
    assert!(f.iter().all(|f| f.4 == "high"));

    sign(t.path(), "dist/app.tar.gz");
    sign(t.path(), "dist/notes.yaml");
    assert!(findings(t.path(), &["AS-SIGN-009"]).is_empty());

    // Changed after signing: the requirement is no longer met, and the bundle is stale.
    write(t.path(), "dist/app.tar.gz", b"build 2\n");
    let f = findings(t.path(), &["AS-SIGN-009", "AS-SIGN-008"]);
    let got: Vec<(&str, &str)> = f.iter().map(|f| (f.0.as_str(), f.3.as_str())).collect();
    assert_eq!(
        got,
        [
            ("dist/app.tar.gz", "AS-SIGN-009"),
            ("dist/app.tar.gz.sigstore.json", "AS-SIGN-008")
        ]
    );
    assert!(f[0].5.contains("no longer matches"), "{}", f[0].5);
}

#[test]
fn a_directory_bundle_satisfies_required_files_inside_it() {
    let t = TempDir::new().expect("tempdir");
    write(t.path(), "models/agent-7b/model.safetensors", b"weights");
    write(t.path(), "models/agent-7b/config.json", b"{}");
    write(
        t.path(),
        "agentsec.toml",
        b"[signing]\nrequire = [\"models/**\"]\n",
    );
    assert_eq!(findings(t.path(), &["AS-SIGN-009"]).len(), 2);
    sign(t.path(), "models/agent-7b");
    assert!(findings(t.path(), &["AS-SIGN-009", "AS-SIGN-002"]).is_empty());
    write(
        t.path(),
        "models/agent-7b/config.json",
        b"{\"changed\": true}",
    );
    let f = findings(t.path(), &["AS-SIGN-009"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "models/agent-7b/config.json");
}

#[test]
fn signing_settings_in_pyproject_and_errors_with_locations() {
    let t = TempDir::new().expect("tempdir");
    write(t.path(), "dist/app.whl", b"wheel");
    write(
        t.path(),
        "pyproject.toml",
        b"[project]\nname = \"x\"\n\n[tool.agentsec.signing]\nrequire = [\"dist/*.whl\"]\n",
    );
    let f = findings(t.path(), &["AS-SIGN-009"]);
    assert_eq!(f.len(), 1, "{f:?}");

    write(
        t.path(),
        "agentsec.toml",
        b"[signing]\nrequire = [\"dist/[a.whl\"]\n",
    );
    let (code, _, err) = agentsec(t.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("agentsec.toml:2:12: `signing.require`"),
        "{err}"
    );
    write(
        t.path(),
        "agentsec.toml",
        b"[signing]\nrequired = [\"dist/*\"]\n",
    );
    let (code, _, err) = agentsec(t.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("agentsec.toml:2:1: unknown key `signing.required`"),
        "{err}"
    );
    write(
        t.path(),
        "agentsec.toml",
        b"[signing]\nrequire = \"dist/*\"\n",
    );
    let (code, _, err) = agentsec(t.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`signing.require`: expected a list"), "{err}");
}
