//! AS-SIGN-001: an A2A agent card without a usable signature. A card is fetched before
//! any trust exists; its `signatures[]` (detached JWS over the JCS-canonical card) are
//! what lets a client tell the provider's card from a forged or altered one. Only what
//! a file shows is judged here: presence, shape and the protected header.

use base64::Engine;

use crate::finding::{Confidence, Severity};
use crate::manifest::a2a::{self, Card};
use crate::manifest::{Node, Route};
use crate::rules::values::{address_host, is_loopback};
use crate::rules::{Context, Parsed, Rule};

pub struct UnsignedCard;

impl Rule for UnsignedCard {
    fn id(&self) -> &'static str {
        "AS-SIGN-001"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for card in a2a::cards(file.kind, file.roots) {
            match card.signatures {
                None => unsigned(&card, cx, None),
                Some(e) if e.value.items().is_empty() => unsigned(&card, cx, Some(e)),
                Some(e) => {
                    let route = Route::root().key("signatures");
                    for (i, sig) in e.value.items().iter().enumerate() {
                        check_signature(&card, sig, &route.index(i), cx);
                    }
                }
            }
        }
    }
}

/// A card whose every interface is on this machine is a development card; the one
/// that gets published is usually generated with the real address.
fn local_only(card: &Card<'_>) -> bool {
    let mut any = false;
    for e in card.interfaces() {
        any = true;
        if !address_host(&e.field.text()).is_some_and(|h| is_loopback(&h)) {
            return false;
        }
    }
    any
}

fn unsigned(card: &Card<'_>, cx: &mut Context<'_>, empty: Option<&crate::manifest::Entry>) {
    let (span, route) = match (empty, card.root.entry("name")) {
        (Some(e), _) => (e.key_span.clone(), "signatures"),
        (None, Some(n)) => (n.key_span.clone(), "name"),
        (None, None) => match card.root.entries().first() {
            Some(first) => (first.key_span.clone(), "name"),
            None => return,
        },
    };
    let what = if empty.is_some() {
        "has an empty `signatures` list"
    } else {
        "is not signed (no `signatures`)"
    };
    let f = cx.report(
        span,
        route,
        format!(
            "A2A agent card '{}' {what}: clients cannot tell a forged or altered card from the provider's",
            card.name
        ),
    );
    if local_only(card) {
        f.severity(Severity::Low);
    }
    if !card.conforming {
        f.confidence(Confidence::Medium);
    }
}

fn check_signature(card: &Card<'_>, sig: &Node, route: &Route, cx: &mut Context<'_>) {
    let name = &card.name;
    let protected = sig.get("protected").and_then(Node::as_str);
    let signature = sig.get("signature").and_then(Node::as_str);
    let (Some(protected), Some(signature)) = (protected, signature) else {
        let missing = match (sig.get("protected"), sig.get("signature")) {
            _ if !sig.is_object() => "is not a JWS object",
            (None, _) => "has no `protected` header",
            (_, None) => "has no `signature` value",
            _ => "has a non-string `protected` or `signature`",
        };
        cx.report(
            sig.span.clone(),
            &route.to_string(),
            format!("A2A agent card '{name}': signature {missing}, so it cannot verify"),
        )
        .severity(Severity::High);
        return;
    };
    let at = sig
        .get("protected")
        .map_or(sig.span.clone(), |n| n.span.clone());
    let proute = route.key("protected").to_string();
    if signature.trim().is_empty() {
        cx.report(
            sig.get("signature")
                .map_or(sig.span.clone(), |n| n.span.clone()),
            &route.key("signature").to_string(),
            format!("A2A agent card '{name}': signature value is empty, so it cannot verify"),
        )
        .severity(Severity::High);
        return;
    }
    let Some(header) = decode_header(protected) else {
        cx.report(
            at,
            &proute,
            format!(
                "A2A agent card '{name}': the protected header is not base64url-encoded JSON, so the signature cannot verify"
            ),
        )
        .severity(Severity::High);
        return;
    };
    let unprotected = sig.get("header");
    let param = |k: &str| -> Option<String> {
        header
            .get(k)
            .and_then(|v| v.as_str().map(str::to_string))
            .or_else(|| {
                unprotected
                    .and_then(|h| h.get(k))
                    .and_then(Node::scalar_text)
            })
    };
    let has = |k: &str| header.get(k).is_some() || unprotected.is_some_and(|h| h.get(k).is_some());
    match header.get("alg").and_then(|a| a.as_str()) {
        None => {
            cx.report(
                at.clone(),
                &proute,
                format!("A2A agent card '{name}': the signature header names no `alg`"),
            )
            .severity(Severity::High);
        }
        Some(a) if a.eq_ignore_ascii_case("none") => {
            cx.report(
                at.clone(),
                &proute,
                format!("A2A agent card '{name}': the signature uses `alg: none`, which anyone can produce"),
            )
            .severity(Severity::High);
        }
        Some(a) if a.to_ascii_uppercase().starts_with("HS") => {
            cx.report(
                at.clone(),
                &proute,
                format!(
                    "A2A agent card '{name}': the signature uses {a}, a shared-secret MAC that clients cannot verify without the key that also forges it"
                ),
            )
            .severity(Severity::Medium);
        }
        Some(_) => {}
    }
    for k in ["jku", "x5u"] {
        if let Some(u) = param(k) {
            if !u.trim().to_ascii_lowercase().starts_with("https://") {
                cx.report(
                    at.clone(),
                    &proute,
                    format!(
                        "A2A agent card '{name}': the signing key is fetched from {u} ({k}) without HTTPS, so whoever controls the path can swap the key"
                    ),
                )
                .severity(Severity::High);
            }
        }
    }
    if !["kid", "jku", "x5c", "jwk", "x5u"].iter().any(|k| has(k)) {
        cx.report(
            at,
            &proute,
            format!(
                "A2A agent card '{name}': the signature names no key (`kid`, `jku`, `x5c`), so clients cannot tell which key should verify it"
            ),
        )
        .severity(Severity::Low);
    }
}

/// The JOSE header of a JWS `protected` value (base64url, padding tolerated).
fn decode_header(protected: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let raw = protected.trim().trim_end_matches('=');
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(m) => Some(m),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_headers() {
        // {"alg":"ES256","typ":"JOSE","kid":"key-1","jku":"https://example.com/agent/jwks.json"}
        let h = decode_header("eyJhbGciOiJFUzI1NiIsInR5cCI6IkpPU0UiLCJraWQiOiJrZXktMSIsImprdSI6Imh0dHBzOi8vZXhhbXBsZS5jb20vYWdlbnQvandrcy5qc29uIn0")
            .expect("header");
        assert_eq!(h.get("alg").and_then(|v| v.as_str()), Some("ES256"));
        assert!(decode_header("e30=").is_some());
        for bad in ["", "!!", "bnVsbA", "W10", "ü", "e30.e30"] {
            assert!(decode_header(bad).is_none(), "{bad}");
        }
    }
}
