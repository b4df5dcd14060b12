//! AS-OBS-001: credentials written to logs, consoles or MCP client notifications.
//! Logs are shipped, kept and read by many; MCP `ctx.*` logging goes to the client and
//! can land in the model's context.

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Severity;
use crate::lang::calls::Call;
use crate::lang::Lang;
use crate::rules::{Context, Parsed, Rule};

pub struct SecretsInLogs;

/// The last part of a name says it holds a credential (`api_key`, `self.token`,
/// `access_token`); counts and limits of LLM tokens do not (`max_tokens`).
static SENSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:.*[_-])?(api[_-]?key|apikey|secret|client[_-]?secret|passw(or)?d|passwd|pwd|authorization|auth[_-]?header|cookie|credentials?|private[_-]?key|token|access[_-]?token|refresh[_-]?token|id[_-]?token|bearer)$")
        .expect("static regex")
});

/// Tokens that are not credentials: MCP progress and pagination tokens, tokenizer
/// special tokens.
static NOT_CREDENTIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(progress|page|next|cursor|continuation|pagination|resume|sync|cancel(lation)?|eos|bos|pad|unk|stop|special)[_-]?token$")
        .expect("static regex")
});

/// Whole objects that carry credentials.
const WHOLE: &[&str] = &[
    "os.environ",
    "process.env",
    "request.headers",
    "req.headers",
    "headers",
    "environ",
];

impl Rule for SecretsInLogs {
    fn id(&self) -> &'static str {
        "AS-OBS-001"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let Some(code) = file.code else { return };
        let ix = &code.index;
        for c in ix.calls.iter().filter(|c| !c.refs.is_empty()) {
            let Some(client) = sink(code.lang, c) else {
                continue;
            };
            for (name, span) in &c.refs {
                let Some(why) = sensitive(name) else { continue };
                let dest = if client {
                    "sent to the MCP client (and the model's context)"
                } else {
                    "written to the log"
                };
                let f = cx.report(
                    span.clone(),
                    &format!("{}:{name}", c.raw),
                    format!(
                        "{why} `{}` is {dest} by `{}`: anyone who can read it gets the credential",
                        file.source.text.get(span.clone()).unwrap_or(name),
                        c.raw
                    ),
                );
                if client {
                    f.severity(Severity::High);
                }
                break;
            }
        }
    }
}

/// A log sink; `Some(true)` for MCP client logging.
fn sink(lang: Lang, c: &Call) -> Option<bool> {
    // The Rust index fills `refs` for log macros only (`info!`, `println!` ...).
    if lang == Lang::Rust {
        return Some(false);
    }
    let m = c.method();
    let recv = c.raw.rsplit_once('.').map(|(r, _)| r).unwrap_or("");
    let recv_last = recv.rsplit('.').next().unwrap_or(recv).to_ascii_lowercase();
    if matches!(recv_last.as_str(), "ctx" | "context") {
        return Some(true);
    }
    if m == "send_log_message" {
        return Some(true);
    }
    if lang == Lang::Python && c.raw == "print" {
        return Some(false);
    }
    if recv_last == "console" || recv_last.contains("log") || c.callee.starts_with("logging.") {
        return Some(false);
    }
    None
}

fn sensitive(name: &str) -> Option<&'static str> {
    if let Some((obj, key)) = name.split_once('[') {
        let key = key.trim_end_matches(']');
        if WHOLE.contains(&obj) {
            return SENSITIVE.is_match(key).then_some("The credential");
        }
        return None;
    }
    if WHOLE.contains(&name) {
        return Some("The whole environment or header set");
    }
    let last = name.rsplit('.').next().unwrap_or(name);
    (SENSITIVE.is_match(last) && !NOT_CREDENTIAL.is_match(last)).then_some("The credential")
}

#[cfg(test)]
mod tests {
    use super::sensitive;

    #[test]
    fn names() {
        for n in [
            "api_key",
            "self.token",
            "access_token",
            "OPENAI_API_KEY",
            "password",
            "os.environ",
            "req.headers",
            "os.environ[GITHUB_TOKEN]",
        ] {
            assert!(sensitive(n).is_some(), "{n}");
        }
        for n in [
            "max_tokens",
            "token_count",
            "tokens",
            "key",
            "os.environ[HOME]",
            "token_url",
            "secret_name",
            "progress_token",
            "eos_token",
            "é",
        ] {
            assert!(sensitive(n).is_none(), "{n}");
        }
    }
}
