//! Value helpers shared by rules (RULES.md §1.3): placeholders, hosts, URLs, secrets,
//! container images.

use std::sync::LazyLock;

use regex::Regex;

/// True for values that stand for a secret rather than being one: `${VAR}`,
/// `${input:x}`, `${env:X}`, `$VAR`, `{{x}}`, `<token>`, `YOUR_KEY`, `xxx`, `changeme`.
pub fn is_placeholder(v: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?ix)^(
                \$\{?[A-Za-z_][A-Za-z0-9_]*\}?            # $VAR, ${VAR}
              | \$\{[A-Za-z_][A-Za-z0-9_]*:-[^}]*\}        # ${VAR:-default}
              | \$\{(env|input|config|user_config)[:.][^}]+\}   # ${env:X} ${input:x} ${user_config.x}
              | \$\{workspaceFolder[^}]*\}
              | \{\{[^}]*\}\}                               # {{ secrets.X }}
              | <[^<>]+>                                    # <token>
              | (your|my)[_-].* | .*[_-]here
              | x{3,}.* | \*{3,}.* | \.{3,}
              | changeme | change[_-]me | replace.* | todo | dummy.* | example.* | placeholder.* | redacted
              | (sk|ghp|gho|xox[a-z])[-_](x+|\.{3}|\*+)
            )$",
        )
        .expect("static regex")
    });
    let t = v.trim();
    t.is_empty() || RE.is_match(t) || (t.contains("${") && !has_literal_secret_outside_refs(t))
}

/// `Bearer ${TOKEN}` is a reference; `Bearer abc123...` is not.
fn has_literal_secret_outside_refs(v: &str) -> bool {
    static REF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\$\{[^}]*\}").expect("static regex"));
    let rest = REF.replace_all(v, "");
    let rest = rest
        .trim()
        .trim_start_matches("Bearer")
        .trim_start_matches("Basic")
        .trim();
    rest.len() >= 16
}

/// A parsed URL: just what the rules need, without pulling in a URL crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    pub scheme: String,
    pub userinfo: Option<String>,
    pub host: String,
    pub rest: String,
}

pub fn parse_url(u: &str) -> Option<UrlParts> {
    let (scheme, after) = u.trim().split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    {
        return None;
    }
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((ui, hp)) => (Some(ui.to_string()), hp),
        None => (None, authority),
    };
    let host = if let Some(h) = hostport.strip_prefix('[') {
        h.split(']').next().unwrap_or("").to_string()
    } else {
        hostport.split(':').next().unwrap_or("").to_string()
    };
    Some(UrlParts {
        scheme: scheme.to_ascii_lowercase(),
        userinfo,
        host: host.to_ascii_lowercase(),
        rest: rest.to_string(),
    })
}

/// The host of a connection address: a URL, or gRPC's bare `host:port`.
pub fn address_host(addr: &str) -> Option<String> {
    if let Some(p) = parse_url(addr) {
        return Some(p.host);
    }
    let a = addr.trim();
    if a.is_empty() || a.contains(char::is_whitespace) || a.contains('/') {
        return None;
    }
    let host = match a.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => a.split(':').next().unwrap_or(""),
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// `localhost`, `*.localhost`, 127.0.0.0/8 in any spelling (`127.1`), `::1` in any
/// spelling, and `0.0.0.0` as a client target, which connects locally.
pub fn is_loopback(host: &str) -> bool {
    let h = host
        .trim_end_matches('.')
        .trim_start_matches('[')
        .trim_end_matches(']');
    if h == "localhost" || h.ends_with(".localhost") || h == "0.0.0.0" {
        return true;
    }
    if let Ok(ip) = h.parse::<std::net::IpAddr>() {
        return ip.is_loopback()
            || matches!(ip, std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()));
    }
    // inet_aton shorthand: 127.1, 127.0.1 (each part a number, the first 127).
    let parts: Vec<&str> = h.split('.').collect();
    parts.len() >= 2
        && parts[0] == "127"
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.parse::<u32>().is_ok())
}

/// Hosts that are local in practice but cross a boundary (the container host).
pub fn is_local_ish(host: &str) -> bool {
    matches!(
        host,
        "host.docker.internal" | "gateway.docker.internal" | "host.containers.internal"
    )
}

/// A known credential format found in a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    pub kind: &'static str,
    /// Byte range inside the value.
    pub range: std::ops::Range<usize>,
}

static SECRET_PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("Anthropic API key", r"\bsk-ant-[A-Za-z0-9_-]{20,}"),
        ("OpenRouter API key", r"\bsk-or-v1-[0-9a-f]{64}"),
        (
            "OpenAI API key",
            r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
        ),
        ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}"),
        (
            "GitHub fine-grained token",
            r"\bgithub_pat_[A-Za-z0-9_]{22,}",
        ),
        ("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
        ("AWS access key id", r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
        ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
        ("Slack token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
        ("Stripe live key", r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}"),
        ("Hugging Face token", r"\bhf_[A-Za-z0-9]{30,}"),
        ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("JSON Web Token", r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"),
        ("private key", r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    ]
    .into_iter()
    .map(|(k, r)| (k, Regex::new(r).expect("static regex")))
    .collect()
});

/// Finds a known credential format in `v`. Values made of repeated characters or
/// spelled like placeholders (`sk-xxxx…`) are not credentials.
pub fn known_secret(v: &str) -> Option<SecretMatch> {
    // One search for all formats first: almost no value holds any, and a scan asks
    // about every string literal of every code file.
    static ANY: LazyLock<Regex> = LazyLock::new(|| {
        let all: Vec<&str> = SECRET_PATTERNS.iter().map(|(_, r)| r.as_str()).collect();
        Regex::new(&all.join("|")).expect("static regex")
    });
    if !ANY.is_match(v) {
        return None;
    }
    for (kind, re) in SECRET_PATTERNS.iter() {
        for m in re.find_iter(v) {
            let s = m.as_str();
            if looks_fake(s) {
                continue;
            }
            return Some(SecretMatch {
                kind,
                range: m.range(),
            });
        }
    }
    None
}

/// Obviously fake: long runs of one character, or placeholder words inside.
fn looks_fake(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if [
        "xxxx",
        "your",
        "example",
        "placeholder",
        "redacted",
        "dummy",
        "0000000000",
        // Sequences and words no generated key contains.
        "1234567890",
        "abcdefghij",
        "invalid",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return true;
    }
    let tail: Vec<char> = s.chars().rev().take(16).collect();
    tail.iter().all(|c| *c == tail[0])
}

/// Key names that say their value is a credential.
pub fn is_secret_key_name(k: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(api[_-]?key|token|secret|passw(or)?d|bearer|auth|credential|private[_-]?key|client[_-]?secret|access[_-]?key)")
            .expect("static regex")
    });
    RE.is_match(&without_author(&k.to_ascii_lowercase()))
}

/// `GIT_AUTHOR_NAME` names a person, not a credential: "author" is dropped unless it
/// starts "authorization"/"authorise".
fn without_author(k: &str) -> String {
    let mut out = String::new();
    let mut rest = k;
    while let Some(i) = rest.find("author") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "author".len()..];
        if after.starts_with("iz") || after.starts_with("is") {
            out.push_str("author");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A list of variable names (`CLAUDE_CODE_OAUTH_TOKEN,GITHUB_TOKEN`): what a
/// secret is called, not its value.
fn is_name_list(v: &str) -> bool {
    v.contains('_')
        && v.split([',', ' ']).filter(|w| !w.is_empty()).all(|w| {
            w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// A generic secret: a credential-named key with a long, random-looking literal.
pub fn generic_secret(key: &str, value: &str) -> bool {
    let v = value.trim();
    let v = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .or_else(|| v.strip_prefix("Basic "))
        .or_else(|| v.strip_prefix("token "))
        .unwrap_or(v);
    is_secret_key_name(key)
        && v.len() >= 16
        && !v.contains(char::is_whitespace)
        && !v.contains("://")
        && !v.starts_with('/')
        && entropy(v) >= 3.5
        && !is_placeholder(v)
        && !looks_fake(v)
        && !is_name_list(v)
}

/// The image of a `docker|podman|nerdctl run …` command line: index into argv.
pub fn container_image(argv: &[String]) -> Option<usize> {
    let launcher = argv.first().map(|c| basename(c))?;
    if !matches!(launcher, "docker" | "podman" | "nerdctl") {
        return None;
    }
    let run = argv.iter().position(|a| a == "run")?;
    // `docker compose run <service>` names a service, not an image.
    if argv[..run].iter().any(|a| a == "compose") {
        return None;
    }
    // Options of `docker run` that take a value as the next word.
    const WITH_VALUE: &[&str] = &[
        "-e",
        "--env",
        "-v",
        "--volume",
        "--mount",
        "--name",
        "-p",
        "--publish",
        "--network",
        "--net",
        "-w",
        "--workdir",
        "-u",
        "--user",
        "--entrypoint",
        "--env-file",
        "-l",
        "--label",
        "--platform",
        "--pull",
        "--cap-add",
        "--cap-drop",
        "--security-opt",
        "-h",
        "--hostname",
        "--add-host",
        "--memory",
        "-m",
        "--cpus",
        "--restart",
        "--device",
        "--tmpfs",
        "--ulimit",
        "--log-driver",
        "--log-opt",
        "--pid",
        "--ipc",
        "--uts",
        "--userns",
        "--runtime",
        "--gpus",
        "--dns",
        "--label-file",
        "--group-add",
        "--shm-size",
        "--stop-signal",
        "--cidfile",
        "--pids-limit",
        "--memory-swap",
        "--memory-reservation",
        "--cpu-shares",
        "-c",
        "--cpuset-cpus",
        "--cgroupns",
        "--cgroup-parent",
        "--sysctl",
        "--volumes-from",
        "--expose",
        "--link",
        "--ip",
        "--ip6",
        "--mac-address",
        "--device-cgroup-rule",
        "-a",
        "--attach",
        "--stop-timeout",
        "--health-cmd",
        "--health-interval",
        "--oom-score-adj",
        "--storage-opt",
        "--isolation",
        "--domainname",
        "--dns-search",
        "--dns-option",
        "--network-alias",
    ];
    let mut i = run + 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "--" {
            return (i + 1 < argv.len()).then_some(i + 1);
        }
        if a.starts_with('-') {
            if WITH_VALUE.contains(&a.as_str()) {
                i += 1;
            }
            i += 1;
            continue;
        }
        return Some(i);
    }
    None
}

/// The last path component of a command (`/usr/bin/npx` → `npx`, `npx.cmd` → `npx`).
pub fn basename(cmd: &str) -> &str {
    let b = cmd.rsplit(['/', '\\']).next().unwrap_or(cmd);
    b.strip_suffix(".cmd")
        .or_else(|| b.strip_suffix(".exe"))
        .unwrap_or(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_hosts() {
        assert_eq!(
            address_host("http://LocalHost:80/x").as_deref(),
            Some("localhost")
        );
        assert_eq!(
            address_host("grpc.example:443").as_deref(),
            Some("grpc.example")
        );
        assert_eq!(address_host("[::1]:50051").as_deref(), Some("::1"));
        assert_eq!(address_host("a b"), None);
        assert_eq!(address_host(""), None);
    }

    #[test]
    fn placeholders() {
        for p in [
            "${VAR}",
            "$VAR",
            "${input:gh_pat}",
            "${env:GH}",
            "<token>",
            "YOUR_KEY",
            "your-api-key",
            "xxxxxxxx",
            "changeme",
            "{{ secrets.X }}",
            "Bearer ${TOKEN}",
            "${user_config.api_key}",
            "${VAR:-dflt}",
            "paste-key-here",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for s in [
            "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
            "Bearer abcdefghijklmnopqrstu12345",
        ] {
            assert!(!is_placeholder(s), "{s}");
        }
    }

    #[test]
    fn urls_and_hosts() {
        let u = parse_url("http://user:pw@[::1]:8080/mcp?x=1").expect("url");
        assert_eq!(u.scheme, "http");
        assert_eq!(u.host, "::1");
        assert_eq!(u.userinfo.as_deref(), Some("user:pw"));
        assert!(is_loopback(&u.host));
        assert!(is_loopback("127.0.0.1") && is_loopback("app.localhost"));
        assert!(is_loopback("127.1") && is_loopback("0:0:0:0:0:0:0:1") && is_loopback("[::1]"));
        assert!(!is_loopback("127.example.com") && !is_loopback("10.0.0.1"));
        assert!(parse_url("not a url").is_none());
    }

    #[test]
    fn secrets() {
        let fake_gh = format!("ghp_{}", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5");
        assert_eq!(known_secret(&fake_gh).map(|m| m.kind), Some("GitHub token"));
        let openrouter = format!("sk-or-v1-{}", "0123456789abcdef".repeat(4));
        assert_eq!(
            known_secret(&openrouter).map(|m| m.kind),
            Some("OpenRouter API key")
        );
        assert!(known_secret("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").is_none());
        assert!(known_secret("sk-your-key-goes-here-please-1234").is_none());
        assert!(known_secret("sk-invalid-websocket-edge-matrix-key").is_none());
        assert!(known_secret("sk-proj-abcdefghijklmnopqrstuvwxyz1234567890").is_none());
        assert!(known_secret("AKIA1234567890ABCDEF").is_none());
        assert!(generic_secret("API_KEY", "q8Zr2LmX9vKp4TnW7bYc"));
        assert!(!generic_secret("API_KEY", "${API_KEY}"));
        assert!(!generic_secret("LOG_LEVEL", "q8Zr2LmX9vKp4TnW7bYc"));
        assert!(!generic_secret(
            "GIT_AUTHOR_EMAIL",
            "github-actions[bot]@users.noreply.github.com"
        ));
        assert!(!generic_secret("GIT_AUTHOR_NAME", "q8Zr2LmX9vKp4TnW7bYc"));
        assert!(is_secret_key_name("AUTHORIZATION") && is_secret_key_name("OAUTH_CLIENT"));
        assert!(!generic_secret(
            "SECRET_NAMES",
            "CLAUDE_CODE_OAUTH_TOKEN,GITHUB_TOKEN,COPILOT_PAT"
        ));
        assert!(generic_secret("SECRET", "Q8ZR2LMX9VKP4TNW7BYC"));
        assert!(!generic_secret(
            "AUTH_URL",
            "https://auth.example.com/oauth/token"
        ));
    }

    #[test]
    fn docker_image_position() {
        let argv: Vec<String> = [
            "docker",
            "run",
            "-i",
            "--rm",
            "-e",
            "TOKEN",
            "-v",
            "/a:/b",
            "ghcr.io/x/y:1",
            "serve",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(container_image(&argv), Some(8));
        let limited: Vec<String> = ["docker", "run", "--pids-limit", "128", "--read-only", "img"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(container_image(&limited), Some(5));
        let not: Vec<String> = ["npx", "run", "x"].iter().map(|s| s.to_string()).collect();
        assert_eq!(container_image(&not), None);
        let compose: Vec<String> = ["docker", "compose", "run", "--rm", "svc"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(container_image(&compose), None);
    }
}
