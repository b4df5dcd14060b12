//! AS-AUTH-002: an A2A agent card that tells clients nothing (or something weak) about
//! how to authenticate. The card is the contract: a client authenticates with the
//! schemes the card declares and requires, so a card without them describes an open
//! agent, and a weak scheme is what every client will use.

use crate::finding::{Confidence, Severity};
use crate::manifest::a2a::{self, Card, SchemeKind};
use crate::rules::values::{address_host, is_loopback};
use crate::rules::{Context, Parsed, Rule};

pub struct CardSecurity;

impl Rule for CardSecurity {
    fn id(&self) -> &'static str {
        "AS-AUTH-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for card in a2a::cards(file.kind, file.roots) {
            if card.schemes.is_empty() && !card.legacy_auth {
                no_schemes(&card, cx);
            } else {
                if !card.schemes.is_empty() && card.required.is_empty() && !card.skills_required {
                    no_requirement(&card, cx);
                }
                weak_schemes(&card, cx);
            }
        }
    }
}

/// Where a card's interfaces are.
enum Exposure<'c> {
    /// Every interface is on loopback: a development card.
    Local,
    /// The first interface off this machine.
    Remote(&'c a2a::Endpoint<'c>),
    /// No interface is declared; the card is judged as published.
    Unknown,
}

fn exposure<'c>(card: &'c Card<'_>) -> Exposure<'c> {
    let mut any = false;
    for e in card.interfaces() {
        any = true;
        match address_host(&e.field.text()) {
            Some(h) if is_loopback(&h) => {}
            _ => return Exposure::Remote(e),
        }
    }
    if any {
        Exposure::Local
    } else {
        Exposure::Unknown
    }
}

fn no_schemes(card: &Card<'_>, cx: &mut Context<'_>) {
    if let Some(flag) = card.extended_card {
        cx.report(
            flag.key_span.clone(),
            &flag_route(card, &flag.key),
            format!(
                "A2A agent card '{}' offers an authenticated extended card ({}) but declares no securitySchemes, so nothing tells clients how that card and the agent are protected",
                card.name, flag.key
            ),
        )
        .confidence(if card.conforming { Confidence::High } else { Confidence::Medium });
        return;
    }
    let n = card.skill_count();
    if n == 0 {
        return;
    }
    let skills = if n == 1 {
        "1 skill".to_string()
    } else {
        format!("{n} skills")
    };
    let f = match exposure(card) {
        Exposure::Local => return,
        Exposure::Remote(e) => cx.report(
            e.field.node.span.clone(),
            &e.field.route.to_string(),
            format!(
                "A2A agent card '{}' offers {skills} at {} but declares no securitySchemes: any client that reaches it may call the agent",
                card.name,
                e.field.text()
            ),
        ),
        Exposure::Unknown => {
            let Some(s) = card.skills else { return };
            cx.report(
                s.key_span.clone(),
                "skills",
                format!(
                    "A2A agent card '{}' offers {skills} but declares no securitySchemes: any client that reaches it may call the agent",
                    card.name
                ),
            )
        }
    };
    if !card.conforming {
        f.confidence(Confidence::Medium);
    }
}

fn no_requirement(card: &Card<'_>, cx: &mut Context<'_>) {
    let Some(e) = card.schemes_entry else { return };
    let key = match card.requirements_entry {
        Some(r) => r.key.as_str(),
        None if card.root.get("supportedInterfaces").is_some() => "securityRequirements",
        None => "security",
    };
    cx.report(
        e.key_span.clone(),
        "securitySchemes",
        format!(
            "A2A agent card '{}' declares securitySchemes but no `{key}` requirement, so none of them is required",
            card.name
        ),
    )
    .severity(Severity::Medium);
}

fn weak_schemes(card: &Card<'_>, cx: &mut Context<'_>) {
    for s in &card.schemes {
        let name = s.name;
        match &s.kind {
            SchemeKind::ApiKey { location: Some(l) } if l.text().eq_ignore_ascii_case("query") => {
                cx.report(
                    l.node.span.clone(),
                    &l.route.to_string(),
                    format!(
                        "A2A agent card '{}': scheme '{name}' sends the API key in the URL query, where proxies, server logs and histories keep it",
                        card.name
                    ),
                )
                .severity(Severity::Medium);
            }
            SchemeKind::Http { scheme: Some(h) } if h.text().eq_ignore_ascii_case("basic") => {
                cx.report(
                    h.node.span.clone(),
                    &h.route.to_string(),
                    format!(
                        "A2A agent card '{}': scheme '{name}' uses HTTP Basic, a long-lived password sent with every request",
                        card.name
                    ),
                )
                .severity(Severity::Medium);
            }
            SchemeKind::OAuth2 { flows } => {
                for (flow, span, route) in flows {
                    if matches!(*flow, "implicit" | "password") {
                        cx.report(
                            span.clone(),
                            &route.to_string(),
                            format!(
                                "A2A agent card '{}': scheme '{name}' offers the OAuth {flow} flow, deprecated by the OAuth 2.0 security best practice and by A2A 1.0 (use authorization code with PKCE, client credentials or device code)",
                                card.name
                            ),
                        )
                        .severity(Severity::Medium);
                    }
                }
            }
            _ => {}
        }
    }
}

fn flag_route(card: &Card<'_>, key: &str) -> String {
    if card.root.entry(key).is_some() {
        key.to_string()
    } else {
        format!("capabilities.{key}")
    }
}
