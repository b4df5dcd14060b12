//! AS-NET-002 (code): TLS certificate verification turned off in Python,
//! TypeScript/JavaScript (a call argument, an option property or an assignment) or Rust.

use crate::lang::calls::Value;
use crate::lang::Lang;
use crate::rules::{Context, Parsed, Rule};

pub struct TlsVerificationOff;

const PY_HTTP: &[&str] = &["requests", "httpx", "aiohttp", "urllib3"];
const PY_CALLS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "request",
    "stream",
    "Client",
    "AsyncClient",
    "Session",
    "PoolManager",
    "TCPConnector",
    "ws_connect",
];

impl Rule for TlsVerificationOff {
    fn id(&self) -> &'static str {
        "AS-NET-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let Some(code) = file.code else {
            return;
        };
        if code.lang == Lang::Rust {
            return rust(code, cx);
        }
        let py = code.lang == Lang::Python;
        let ix = &code.index;
        for c in ix.calls.iter().filter(|_| py) {
            let root = c.callee.split('.').next().unwrap_or("");
            let http = PY_HTTP.contains(&root) || PY_CALLS.contains(&c.last());
            for key in ["verify", "ssl"] {
                if let Some(a) = c.kwarg(key).filter(|a| a.is_false() && http) {
                    cx.report(
                        a.span.clone(),
                        &format!("{}:{key}", c.callee),
                        format!(
                            "`{}(..., {key}=False)` turns off TLS certificate verification: anyone on the network path can read and change the traffic, API keys included",
                            c.callee
                        ),
                    );
                }
            }
            if c.callee == "ssl._create_unverified_context" {
                cx.report(
                    c.span.clone(),
                    &c.callee,
                    "`ssl._create_unverified_context()` makes a TLS context that accepts any certificate: anyone on the network path can read and change the traffic",
                );
            }
        }
        for s in &ix.assigns {
            let v = &s.value.value;
            let t = s.target.as_str();
            let zero = matches!(v, Value::Str(x) | Value::Num(x) if x == "0");
            // `os.environ[...]`, `process.env.X` or an `env` mapping entry; a bare
            // variable of that name sets nothing.
            let env_off = (t.contains("NODE_TLS_REJECT_UNAUTHORIZED")
                || t.contains("PYTHONHTTPSVERIFY"))
                && (s.property || t.contains("env"))
                && zero;
            let msg = if env_off {
                Some(format!(
                    "`{t}` set to 0 turns off TLS certificate verification for every connection of the process"
                ))
            } else if py && t.ends_with(".check_hostname") && s.value.is_false() {
                Some(format!(
                    "`{t} = False` accepts certificates issued for any host: a man in the middle can impersonate the server"
                ))
            } else if py
                && t.ends_with(".verify_mode")
                && matches!(v, Value::Name(n) if n.ends_with("CERT_NONE"))
            {
                Some(format!(
                    "`{t} = CERT_NONE` accepts any certificate: anyone on the network path can read and change the traffic"
                ))
            } else if py && t == "ssl._create_default_https_context" {
                Some("replacing `ssl._create_default_https_context` turns off certificate verification for every HTTPS request of the process".to_string())
            } else if !py && s.property && t == "rejectUnauthorized" && s.value.is_false() {
                Some("`rejectUnauthorized: false` accepts any TLS certificate: anyone on the network path can read and change the traffic".to_string())
            } else if !py
                && s.property
                && t == "checkServerIdentity"
                && accepts_all(file.source.text.get(s.value.span.clone()).unwrap_or(""))
            {
                Some("`checkServerIdentity` that always succeeds accepts certificates for any host: a man in the middle can impersonate the server".to_string())
            } else {
                None
            };
            if let Some(m) = msg {
                cx.report(s.value.span.clone(), t, m);
            }
        }
    }
}

/// reqwest's `ClientBuilder` and native-tls's `TlsConnector` builder switches called
/// with a literal `true`.
fn rust(code: &crate::lang::Module, cx: &mut Context<'_>) {
    for c in &code.index.calls {
        let name = c.method();
        if !matches!(
            name,
            "danger_accept_invalid_certs" | "danger_accept_invalid_hostnames"
        ) || !c.pos(0).is_some_and(|a| a.is_true())
        {
            continue;
        }
        let what = if name.ends_with("hostnames") {
            "turns off TLS hostname verification: any valid certificate for any site is accepted for this one"
        } else {
            "turns off TLS certificate verification: any certificate is accepted"
        };
        cx.report(
            c.callee_span.start..c.span.end,
            name,
            format!("`{name}(true)` {what}, so anyone on the network path can read and change the traffic, API keys included"),
        );
    }
}

/// `() => undefined`, `() => {}`, `function () { return undefined; }`.
fn accepts_all(v: &str) -> bool {
    let compact: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    [
        "=>undefined",
        "=>{}",
        "=>null",
        "{returnundefined;}",
        "{returnundefined}",
        "{}",
    ]
    .iter()
    .any(|e| compact.ends_with(e))
        && (compact.contains("=>") || compact.starts_with("function"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn accepting_identity_checks() {
        assert!(super::accepts_all("() => undefined"));
        assert!(super::accepts_all("function () {}"));
        assert!(!super::accepts_all(
            "(host, cert) => tls.checkServerIdentity(host, cert)"
        ));
    }
}
