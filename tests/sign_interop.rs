//! Interoperability of agentsec's bundles with the sigstore JavaScript libraries,
//! model-signing (Python) and a mock Sigstore (@sigstore/mock over HTTP).
//!
//! The tools are installed by `tests/interop/setup.sh` into `tests/interop/.work/`.
//! Without `AGENTSEC_INTEROP` set, these tests print SKIP and pass; with
//! `AGENTSEC_INTEROP=1` a missing tool is a failure.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Output, Stdio};

use assert_cmd::Command;
use base64::Engine as _;
use tempfile::TempDir;

const PASSWORD: &str = "interop-password";
const GHA_ISSUER: &str = "https://token.actions.githubusercontent.com";
const GHA_IDENTITY: &str =
    "https://github.com/acme/agent-skill/.github/workflows/release.yml@refs/tags/v1.0.0";

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

fn work_dir() -> PathBuf {
    interop_dir().join(".work")
}

/// True when interop tests must run; prints why they are skipped otherwise.
fn enabled(test: &str) -> bool {
    match std::env::var("AGENTSEC_INTEROP") {
        Ok(v) if !v.is_empty() && v != "0" => true,
        _ => {
            // Written to stderr directly so libtest's output capture does not hide it.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "SKIP {test}: AGENTSEC_INTEROP is not set (run tests/interop/setup.sh, then AGENTSEC_INTEROP=1 cargo test --test sign_interop)"
            );
            false
        }
    }
}

fn node(script: &str) -> StdCommand {
    let modules = work_dir().join("node_modules");
    assert!(
        modules.join("@sigstore/verify").is_dir() && modules.join("@sigstore/mock").is_dir(),
        "interop tool missing: {} (run tests/interop/setup.sh)",
        modules.display()
    );
    let mut c = StdCommand::new("node");
    c.env("NODE_PATH", &modules).arg(interop_dir().join(script));
    c
}

fn venv_bin(name: &str) -> PathBuf {
    let p = work_dir().join("venv/bin").join(name);
    assert!(
        p.is_file(),
        "interop tool missing: {} (run tests/interop/setup.sh)",
        p.display()
    );
    p
}

fn agentsec(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("agentsec").expect("binary");
    c.current_dir(dir)
        .env("AGENTSEC_PASSWORD", PASSWORD)
        .env_remove("SIGSTORE_ID_TOKEN")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .args(args);
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[track_caller]
fn ok(o: Output) -> String {
    assert_eq!(o.status.code(), Some(0), "expected success:\n{}", text(&o));
    text(&o)
}

#[track_caller]
fn fails(o: Output, needle: &str) -> String {
    let t = text(&o);
    assert_ne!(o.status.code(), Some(0), "expected a failure:\n{t}");
    assert!(t.contains(needle), "expected '{needle}' in:\n{t}");
    t
}

fn run(mut c: StdCommand) -> Output {
    c.output().expect("run interop tool")
}

fn keygen(dir: &Path, alg: &str, prefix: &str) {
    ok(
        agentsec(dir, &["keygen", "--algorithm", alg, "--output", prefix])
            .output()
            .unwrap(),
    );
}

fn make_model(dir: &Path) -> PathBuf {
    let m = dir.join("model");
    std::fs::create_dir_all(m.join("tokenizer")).unwrap();
    std::fs::write(m.join("config.json"), b"{\"layers\": 2}\n").unwrap();
    std::fs::write(m.join("weights.bin"), [7u8; 4096]).unwrap();
    std::fs::write(m.join("tokenizer/vocab.txt"), b"a\nb\n").unwrap();
    std::fs::write(m.join("tokenizer.json"), b"{}\n").unwrap();
    m
}

#[test]
fn sigstore_js_verifies_agentsec_key_bundles() {
    if !enabled("sigstore_js_verifies_agentsec_key_bundles") {
        return;
    }
    let t = TempDir::new().unwrap();
    let d = t.path();
    keygen(d, "p256", "k");
    keygen(d, "p256", "other");
    std::fs::write(d.join("server.mcpb"), b"mcp server package\n").unwrap();
    ok(agentsec(d, &["sign", "server.mcpb", "--key", "k.key"])
        .output()
        .unwrap());

    let mut c = node("verify.js");
    c.current_dir(d)
        .args(["key", "server.mcpb.sigstore.json", "server.mcpb", "k.pub"]);
    ok(run(c));

    let mut c = node("verify.js");
    c.current_dir(d).args([
        "key",
        "server.mcpb.sigstore.json",
        "server.mcpb",
        "other.pub",
    ]);
    fails(run(c), "verification failed");

    std::fs::write(d.join("server.mcpb"), b"tampered\n").unwrap();
    let mut c = node("verify.js");
    c.current_dir(d)
        .args(["key", "server.mcpb.sigstore.json", "server.mcpb", "k.pub"]);
    fails(run(c), "verification failed");
}

#[test]
fn model_signing_accepts_agentsec_directory_attestations() {
    if !enabled("model_signing_accepts_agentsec_directory_attestations") {
        return;
    }
    let t = TempDir::new().unwrap();
    let d = t.path();
    keygen(d, "p256", "k");
    let m = make_model(d);
    ok(agentsec(
        d,
        &["sign", "model", "--key", "k.key", "--bundle", "model.sig"],
    )
    .output()
    .unwrap());
    let ms = venv_bin("model_signing");
    let verify = || {
        let mut c = StdCommand::new(&ms);
        c.current_dir(d).args([
            "verify",
            "key",
            "model",
            "--signature",
            "model.sig",
            "--public_key",
            "k.pub",
        ]);
        run(c)
    };
    assert!(ok(verify()).contains("Verification succeeded"));
    std::fs::write(m.join("weights.bin"), [8u8; 4096]).unwrap();
    fails(verify(), "weights.bin");
}

#[test]
fn agentsec_verifies_model_signing_signatures() {
    if !enabled("agentsec_verifies_model_signing_signatures") {
        return;
    }
    let t = TempDir::new().unwrap();
    let d = t.path();
    keygen(d, "p256", "k");
    let m = make_model(d);
    // Python `cryptography` (OpenSSL) reads agentsec's encrypted key; model-signing's
    // own --password option is broken in 1.1.1, so hand it a decrypted copy.
    let mut c = StdCommand::new(venv_bin("python"));
    c.current_dir(d).args([
        "-c",
        "from cryptography.hazmat.primitives import serialization as s; import sys\n\
         k = s.load_pem_private_key(open('k.key','rb').read(), sys.argv[1].encode())\n\
         open('k.plain.pem','wb').write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()))",
        PASSWORD,
    ]);
    ok(run(c));
    let mut c = StdCommand::new(venv_bin("model_signing"));
    c.current_dir(d).args([
        "sign",
        "key",
        "model",
        "--signature",
        "model.sig",
        "--private_key",
        "k.plain.pem",
    ]);
    ok(run(c));

    let out = ok(agentsec(
        d,
        &["verify", "model", "--bundle", "model.sig", "--key", "k.pub"],
    )
    .output()
    .unwrap());
    assert!(out.contains("4 files"), "{out}");

    std::fs::write(m.join("tokenizer/vocab.txt"), b"a\nb\nc\n").unwrap();
    std::fs::write(m.join("extra.py"), b"import os\n").unwrap();
    let out = fails(
        agentsec(
            d,
            &["verify", "model", "--bundle", "model.sig", "--key", "k.pub"],
        )
        .output()
        .unwrap(),
        "changed: tokenizer/vocab.txt",
    );
    assert!(out.contains("added: extra.py"), "{out}");
}

/// @sigstore/mock served on 127.0.0.1; killed when dropped.
struct MockSigstore {
    child: Child,
    url: String,
    root: PathBuf,
}

impl MockSigstore {
    fn start(dir: &Path) -> Self {
        let root = dir.join("trusted_root.json");
        let mut c = node("mock-sigstore.js");
        c.arg(&root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = c.spawn().expect("start mock Sigstore");
        let stdout = child.stdout.take().expect("mock stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read mock URL");
        let v: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                let _ = child.kill();
                panic!("mock Sigstore did not start ({e}): {line:?}");
            }
        };
        let url = v["url"].as_str().expect("mock url").to_string();
        MockSigstore { child, url, root }
    }

    fn root(&self) -> &str {
        self.root.to_str().unwrap()
    }
}

impl Drop for MockSigstore {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn jwt(claims: serde_json::Value) -> String {
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        e.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        e.encode(claims.to_string()),
        e.encode(b"unsigned")
    )
}

fn gha_token() -> String {
    jwt(serde_json::json!({"iss": GHA_ISSUER, "sub": GHA_IDENTITY, "aud": "sigstore"}))
}

fn verify_keyless(
    d: &Path,
    mock: &MockSigstore,
    path: &str,
    bundle: &str,
    id: &str,
    iss: &str,
) -> Output {
    agentsec(
        d,
        &[
            "verify",
            path,
            "--bundle",
            bundle,
            "--certificate-identity",
            id,
            "--certificate-oidc-issuer",
            iss,
            "--trusted-root",
            mock.root(),
        ],
    )
    .output()
    .unwrap()
}

#[test]
fn keyless_against_mock_sigstore() {
    if !enabled("keyless_against_mock_sigstore") {
        return;
    }
    let t = TempDir::new().unwrap();
    let d = t.path();
    let mock = MockSigstore::start(d);
    std::fs::write(d.join("skill.zip"), b"skill archive\n").unwrap();

    // agentsec signs keyless with an explicit token.
    ok(agentsec(
        d,
        &[
            "sign",
            "skill.zip",
            "--identity-token",
            &gha_token(),
            "--fulcio-url",
            &mock.url,
            "--rekor-url",
            &mock.url,
            "--trusted-root",
            mock.root(),
        ],
    )
    .output()
    .unwrap());
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("skill.zip.sigstore.json")).unwrap()).unwrap();
    assert!(bundle["verificationMaterial"]["certificate"]["rawBytes"].is_string());
    assert_eq!(
        bundle["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"],
        "hashedrekord"
    );

    let b = "skill.zip.sigstore.json";
    ok(verify_keyless(
        d,
        &mock,
        "skill.zip",
        b,
        GHA_IDENTITY,
        GHA_ISSUER,
    ));
    fails(
        verify_keyless(
            d,
            &mock,
            "skill.zip",
            b,
            "https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main",
            GHA_ISSUER,
        ),
        "identity mismatch",
    );
    fails(
        verify_keyless(
            d,
            &mock,
            "skill.zip",
            b,
            GHA_IDENTITY,
            "https://accounts.google.com",
        ),
        "issuer mismatch",
    );
    // Without --trusted-root the built-in public-good root applies: a mock certificate
    // does not chain to it, and the message says which root was used.
    fails(
        agentsec(
            d,
            &[
                "verify",
                "skill.zip",
                "--bundle",
                b,
                "--certificate-identity",
                GHA_IDENTITY,
                "--certificate-oidc-issuer",
                GHA_ISSUER,
            ],
        )
        .output()
        .unwrap(),
        "built-in Sigstore public-good trusted root",
    );

    // sigstore-js accepts it against the mock's trusted root.
    let mut c = node("verify.js");
    c.current_dir(d).args([
        "keyless",
        b,
        "skill.zip",
        mock.root(),
        GHA_IDENTITY,
        GHA_ISSUER,
    ]);
    ok(run(c));
    let mut c = node("verify.js");
    c.current_dir(d).args([
        "keyless",
        b,
        "skill.zip",
        mock.root(),
        "https://github.com/evil/x",
        GHA_ISSUER,
    ]);
    fails(run(c), "verification failed");

    // A trusted root from another Sigstore instance does not verify it.
    let t2 = TempDir::new().unwrap();
    let other = MockSigstore::start(t2.path());
    let out = agentsec(
        d,
        &[
            "verify",
            "skill.zip",
            "--certificate-identity",
            GHA_IDENTITY,
            "--certificate-oidc-issuer",
            GHA_ISSUER,
            "--trusted-root",
            other.root(),
        ],
    )
    .output()
    .unwrap();
    fails(out, "transparency log");

    // A trusted root whose CT log key is not the one that signed the SCT.
    let mut root: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&mock.root).unwrap()).unwrap();
    root["ctlogs"][0]["publicKey"]["rawBytes"] = root["tlogs"][0]["publicKey"]["rawBytes"].clone();
    let bad_ct = d.join("bad-ct-root.json");
    std::fs::write(&bad_ct, root.to_string()).unwrap();
    fails(
        agentsec(
            d,
            &[
                "verify",
                "skill.zip",
                "--certificate-identity",
                GHA_IDENTITY,
                "--certificate-oidc-issuer",
                GHA_ISSUER,
                "--trusted-root",
                bad_ct.to_str().unwrap(),
            ],
        )
        .output()
        .unwrap(),
        "signed certificate timestamp",
    );

    // Tampered artifact.
    std::fs::write(d.join("skill.zip"), b"skill archive, changed\n").unwrap();
    fails(
        verify_keyless(d, &mock, "skill.zip", b, GHA_IDENTITY, GHA_ISSUER),
        "digest mismatch",
    );

    // Directory, with the token requested the GitHub Actions way.
    let m = make_model(d);
    ok(agentsec(
        d,
        &[
            "sign",
            "model",
            "--fulcio-url",
            &mock.url,
            "--rekor-url",
            &mock.url,
            "--rekor-dsse-entry",
            "intoto",
        ],
    )
    .env(
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        format!("{}/gha-token?api-version=2.0", mock.url),
    )
    .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "test-request-token")
    .output()
    .unwrap());
    ok(verify_keyless(
        d,
        &mock,
        "model",
        "model.sigstore.json",
        GHA_IDENTITY,
        GHA_ISSUER,
    ));
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("model.sigstore.json")).unwrap()).unwrap();
    assert_eq!(
        bundle["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"],
        "intoto"
    );
    // sigstore-js accepts the DSSE bundle's signature, certificate and log entry.
    // (With the default `dsse` entry type the mock stores the proposed entry as is,
    // not in the form Rekor stores, which sigstore-js rightly refuses; so the
    // sigstore-js check uses `intoto`, whose stored form the client provides.)
    let mut c = node("verify.js");
    c.current_dir(d).args([
        "keyless",
        "model.sigstore.json",
        "-",
        mock.root(),
        GHA_IDENTITY,
        GHA_ISSUER,
    ]);
    ok(run(c));
    std::fs::remove_file(m.join("tokenizer.json")).unwrap();
    fails(
        verify_keyless(
            d,
            &mock,
            "model",
            "model.sigstore.json",
            GHA_IDENTITY,
            GHA_ISSUER,
        ),
        "removed: tokenizer.json",
    );

    // The default Rekor entry type for directories is `dsse`.
    ok(agentsec(
        d,
        &[
            "sign",
            "model",
            "--identity-token",
            &gha_token(),
            "--fulcio-url",
            &mock.url,
            "--rekor-url",
            &mock.url,
            "--trusted-root",
            mock.root(),
        ],
    )
    .output()
    .unwrap());
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("model.sigstore.json")).unwrap()).unwrap();
    assert_eq!(
        bundle["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"],
        "dsse"
    );
    ok(verify_keyless(
        d,
        &mock,
        "model",
        "model.sigstore.json",
        GHA_IDENTITY,
        GHA_ISSUER,
    ));
    std::fs::write(m.join("config.json"), b"{\"layers\": 3}\n").unwrap();
    fails(
        verify_keyless(
            d,
            &mock,
            "model",
            "model.sigstore.json",
            GHA_IDENTITY,
            GHA_ISSUER,
        ),
        "changed: config.json",
    );
}

#[test]
fn agentsec_verifies_sigstore_js_keyless_bundles() {
    if !enabled("agentsec_verifies_sigstore_js_keyless_bundles") {
        return;
    }
    let t = TempDir::new().unwrap();
    let d = t.path();
    let mock = MockSigstore::start(d);
    std::fs::write(d.join("agent.tar.gz"), b"release\n").unwrap();
    let mut c = node("sign-keyless.js");
    c.current_dir(d)
        .env("SIGSTORE_ID_TOKEN", gha_token())
        .args(["agent.tar.gz", "js.sigstore.json", &mock.url, &mock.url]);
    ok(run(c));
    ok(verify_keyless(
        d,
        &mock,
        "agent.tar.gz",
        "js.sigstore.json",
        GHA_IDENTITY,
        GHA_ISSUER,
    ));
    fails(
        verify_keyless(
            d,
            &mock,
            "agent.tar.gz",
            "js.sigstore.json",
            "someone@example.com",
            GHA_ISSUER,
        ),
        "identity mismatch",
    );
    // Tampered log entry body: the inclusion proof and promise no longer hold.
    let path = d.join("js.sigstore.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = "1700000000".into();
    std::fs::write(d.join("bad.json"), v.to_string()).unwrap();
    fails(
        verify_keyless(
            d,
            &mock,
            "agent.tar.gz",
            "bad.json",
            GHA_IDENTITY,
            GHA_ISSUER,
        ),
        "signed entry timestamp",
    );
}
