//! A2A agent cards read into what the rules ask of them: where clients connect,
//! how they must authenticate, and whether the card is signed.
//!
//! Two shapes are in use. Up to 0.3 a card has a main `url` (+ `preferredTransport`)
//! and `additionalInterfaces[]`, schemes written as OpenAPI objects with a `type`
//! (`{"type": "apiKey", "in": "query"}`) and requirements as `security: [{name:
//! [scopes]}]`. From 1.0 the interfaces are `supportedInterfaces[]`, each scheme is a
//! one-key wrapper (`{"apiKeySecurityScheme": {"location": "query"}}`), requirements
//! are `securityRequirements: [{"schemes": {name: {"list": [scopes]}}}]` and the
//! extended-card flag moved into `capabilities`. Both are read, also mixed, so a card
//! half-way through a migration is still understood.

use crate::classify::{self, FileKind};

use super::mcp::Field;
use super::{Entry, Node, Route, Span};

/// What an endpoint of a card is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An interface where clients send A2A requests.
    Interface,
    /// An OAuth or OpenID Connect URL where clients obtain tokens.
    Auth,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Interface => "interface",
            Role::Auth => "auth",
        }
    }
}

/// A URL of a card with the place it was declared, for messages.
#[derive(Debug, Clone)]
pub struct Endpoint<'a> {
    pub field: Field<'a>,
    pub role: Role,
    /// Where it is declared, such as `additionalInterfaces[1]` or `securitySchemes.oauth tokenUrl`.
    pub place: String,
    /// An OAuth token or refresh endpoint: clients post client secrets, authorization
    /// codes and refresh tokens there.
    pub token_endpoint: bool,
}

#[derive(Debug, Clone)]
pub enum SchemeKind<'a> {
    /// `location` (1.0) / `in` (0.3): `query`, `header` or `cookie`.
    ApiKey {
        location: Option<Field<'a>>,
    },
    /// `scheme`: `Bearer`, `Basic`, ...
    Http {
        scheme: Option<Field<'a>>,
    },
    /// The flow keys (`authorizationCode`, `implicit`, ...) with their key spans.
    OAuth2 {
        flows: Vec<(&'a str, Span, Route)>,
    },
    OpenIdConnect,
    MutualTls,
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Scheme<'a> {
    pub name: &'a str,
    pub kind: SchemeKind<'a>,
}

#[derive(Debug, Clone)]
pub struct Card<'a> {
    pub root: &'a Node,
    pub name: String,
    /// Has the `capabilities` object every A2A version requires. Sites also publish
    /// hand-written "agent cards" that only borrow the name; those are judged with
    /// less confidence.
    pub conforming: bool,
    pub endpoints: Vec<Endpoint<'a>>,
    /// The `securitySchemes` entry, when present.
    pub schemes_entry: Option<&'a Entry>,
    pub schemes: Vec<Scheme<'a>>,
    /// `security` (0.3) or `securityRequirements` (1.0), whichever is present.
    pub requirements_entry: Option<&'a Entry>,
    /// Scheme names the requirements list, in order.
    pub required: Vec<&'a str>,
    /// Every skill names its own requirements (`security` in 0.3,
    /// `securityRequirements` in 1.0), which then apply to that skill.
    pub skills_required: bool,
    /// A 0.1-era `authentication.schemes` list with at least one scheme.
    pub legacy_auth: bool,
    pub skills: Option<&'a Entry>,
    /// `supportsAuthenticatedExtendedCard: true` (0.3) or
    /// `capabilities.extendedAgentCard: true` (1.0): the key of the flag.
    pub extended_card: Option<&'a Entry>,
    pub signatures: Option<&'a Entry>,
}

impl Card<'_> {
    /// Number of skills the card offers.
    pub fn skill_count(&self) -> usize {
        self.skills.map_or(0, |e| e.value.items().len())
    }

    pub fn interfaces(&self) -> impl Iterator<Item = &Endpoint<'_>> {
        self.endpoints.iter().filter(|e| e.role == Role::Interface)
    }
}

/// The agent cards among the roots of a file of `kind`: documents at a card path that
/// do not have a card's shape (other formats published under the same name) are skipped.
pub fn cards(kind: FileKind, roots: &[Node]) -> Vec<Card<'_>> {
    if kind != FileKind::A2aCard {
        return Vec::new();
    }
    roots
        .iter()
        .filter(|r| classify::shape_matches(kind, r))
        .map(read)
        .collect()
}

/// Reads a card from its parsed root. Fields of the wrong type are skipped, never an error.
pub fn read<'a>(root: &'a Node) -> Card<'a> {
    let r = Route::root();
    let name = root
        .get("name")
        .and_then(Node::as_str)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("unnamed")
        .to_string();
    let mut endpoints = Vec::new();
    if let Some(u) = root.get("url").filter(|n| n.as_str().is_some()) {
        endpoints.push(Endpoint {
            field: Field {
                node: u,
                route: r.key("url"),
            },
            role: Role::Interface,
            place: "url".into(),
            token_endpoint: false,
        });
    }
    for list in ["additionalInterfaces", "supportedInterfaces"] {
        for (i, iface) in root
            .get(list)
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if let Some(u) = iface.get("url").filter(|n| n.as_str().is_some()) {
                endpoints.push(Endpoint {
                    field: Field {
                        node: u,
                        route: r.key(list).index(i).key("url"),
                    },
                    role: Role::Interface,
                    place: format!("{list}[{i}]"),
                    token_endpoint: false,
                });
            }
        }
    }
    let schemes_entry = root.entry("securitySchemes");
    let mut schemes = Vec::new();
    for e in schemes_entry.map(|e| e.value.entries()).unwrap_or(&[]) {
        let route = r.key("securitySchemes").key(&e.key);
        let (inner, inner_route, kind) = scheme_kind(&e.value, &route);
        auth_urls(inner, &inner_route, &e.key, &mut endpoints);
        schemes.push(Scheme { name: &e.key, kind });
    }
    let requirements_entry = root
        .entry("securityRequirements")
        .or_else(|| root.entry("security"));
    let required = requirements_entry
        .map(|e| required_names(&e.value))
        .unwrap_or_default();
    let skill_list = root.get("skills").map(Node::items).unwrap_or(&[]);
    let skills_required = !skill_list.is_empty()
        && skill_list.iter().all(|sk| {
            sk.get("securityRequirements")
                .or_else(|| sk.get("security"))
                .is_some_and(|r| !required_names(r).is_empty())
        });
    let legacy_auth = root
        .get("authentication")
        .and_then(|a| a.get("schemes"))
        .is_some_and(|s| !s.items().is_empty());
    let flag = |e: Option<&'a Entry>| e.filter(|e| e.value.as_bool() == Some(true));
    let extended_card = flag(root.entry("supportsAuthenticatedExtendedCard")).or_else(|| {
        flag(
            root.get("capabilities")
                .and_then(|c| c.entry("extendedAgentCard")),
        )
    });
    Card {
        root,
        name,
        conforming: root.get("capabilities").is_some_and(Node::is_object),
        endpoints,
        schemes_entry,
        schemes,
        requirements_entry,
        required,
        skills_required,
        legacy_auth,
        skills: root.entry("skills"),
        extended_card,
        signatures: root.entry("signatures"),
    }
}

/// The scheme object itself (unwrapped from its 1.0 wrapper), its route and its kind.
fn scheme_kind<'a>(v: &'a Node, route: &Route) -> (&'a Node, Route, SchemeKind<'a>) {
    let field = |n: &'a Node, r: &Route, k: &str| {
        n.get(k).map(|node| Field {
            node,
            route: r.key(k),
        })
    };
    let flows = |n: &'a Node, r: &Route| {
        n.get("flows")
            .map(Node::entries)
            .unwrap_or(&[])
            .iter()
            .map(|f| {
                (
                    f.key.as_str(),
                    f.key_span.clone(),
                    r.key("flows").key(&f.key),
                )
            })
            .collect::<Vec<_>>()
    };
    if let Some(t) = v.get("type").and_then(Node::as_str) {
        // Cards in the wild also write `HTTP`, `apikey`, `OAuth2`.
        let kind = match t.to_ascii_lowercase().as_str() {
            "apikey" => SchemeKind::ApiKey {
                location: field(v, route, "in"),
            },
            "http" => SchemeKind::Http {
                scheme: field(v, route, "scheme"),
            },
            "oauth2" => SchemeKind::OAuth2 {
                flows: flows(v, route),
            },
            "openidconnect" => SchemeKind::OpenIdConnect,
            "mutualtls" => SchemeKind::MutualTls,
            _ => SchemeKind::Unknown,
        };
        return (v, route.clone(), kind);
    }
    for e in v.entries() {
        let n = &e.value;
        let r = route.key(&e.key);
        let kind = match e.key.as_str() {
            "apiKeySecurityScheme" => SchemeKind::ApiKey {
                location: field(n, &r, "location"),
            },
            "httpAuthSecurityScheme" => SchemeKind::Http {
                scheme: field(n, &r, "scheme"),
            },
            "oauth2SecurityScheme" => SchemeKind::OAuth2 {
                flows: flows(n, &r),
            },
            "openIdConnectSecurityScheme" => SchemeKind::OpenIdConnect,
            "mtlsSecurityScheme" => SchemeKind::MutualTls,
            _ => continue,
        };
        return (n, r, kind);
    }
    (v, route.clone(), SchemeKind::Unknown)
}

/// OpenID Connect discovery, OAuth metadata and flow URLs of one scheme.
fn auth_urls<'a>(s: &'a Node, route: &Route, name: &str, out: &mut Vec<Endpoint<'a>>) {
    let mut push = |node: &'a Node, route: Route, what: &str| {
        if node.as_str().is_some() {
            out.push(Endpoint {
                field: Field { node, route },
                role: Role::Auth,
                place: format!("securitySchemes.{name} {what}"),
                token_endpoint: matches!(what, "tokenUrl" | "refreshUrl"),
            });
        }
    };
    for k in ["openIdConnectUrl", "oauth2MetadataUrl"] {
        if let Some(n) = s.get(k) {
            push(n, route.key(k), k);
        }
    }
    for flow in s.get("flows").map(Node::entries).unwrap_or(&[]) {
        let fr = route.key("flows").key(&flow.key);
        for k in [
            "authorizationUrl",
            "tokenUrl",
            "refreshUrl",
            "deviceAuthorizationUrl",
        ] {
            if let Some(n) = flow.value.get(k) {
                push(n, fr.key(k), k);
            }
        }
    }
}

/// Scheme names a requirement list asks for: 0.3 `[{name: [..]}]`,
/// 1.0 `[{"schemes": {name: {"list": [..]}}}]`.
fn required_names(list: &Node) -> Vec<&str> {
    let mut out = Vec::new();
    for req in list.items() {
        let map = match req.get("schemes") {
            Some(s) if s.is_object() => s,
            _ => req,
        };
        out.extend(map.entries().iter().map(|e| e.key.as_str()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::json;

    fn card(src: &str) -> (crate::manifest::Document, String) {
        (json::parse(src).expect("json"), src.to_string())
    }

    #[test]
    fn reads_a_0_3_card() {
        let (doc, _) = card(
            r#"{"name":"geo","url":"https://a.example/a2a","preferredTransport":"JSONRPC",
            "additionalInterfaces":[{"url":"http://b.example/grpc","transport":"GRPC"}],
            "securitySchemes":{"k":{"type":"apiKey","in":"query","name":"key"},
              "o":{"type":"oauth2","flows":{"implicit":{"authorizationUrl":"http://idp/auth","scopes":{}}}}},
            "security":[{"o":["read"]}],"supportsAuthenticatedExtendedCard":true,"skills":[{"id":"x"}]}"#,
        );
        let c = read(&doc.roots[0]);
        assert_eq!(c.name, "geo");
        let places: Vec<_> = c.endpoints.iter().map(|e| e.place.as_str()).collect();
        assert_eq!(
            places,
            [
                "url",
                "additionalInterfaces[0]",
                "securitySchemes.o authorizationUrl"
            ]
        );
        assert!(matches!(
            &c.schemes[0].kind,
            SchemeKind::ApiKey { location: Some(f) } if f.text() == "query"
        ));
        assert!(
            matches!(&c.schemes[1].kind, SchemeKind::OAuth2 { flows } if flows[0].0 == "implicit")
        );
        assert_eq!(c.required, ["o"]);
        assert!(!c.skills_required);
        assert!(c.extended_card.is_some());
        assert_eq!(c.skill_count(), 1);
        assert!(c.signatures.is_none());
    }

    #[test]
    fn reads_a_1_0_card() {
        let (doc, _) = card(
            r#"{"name":"geo","supportedInterfaces":[{"url":"https://a.example/a2a","protocolBinding":"JSONRPC","protocolVersion":"1.0"},{"url":"grpc.example:443","protocolBinding":"GRPC"}],
            "capabilities":{"extendedAgentCard":true},
            "securitySchemes":{"g":{"openIdConnectSecurityScheme":{"openIdConnectUrl":"https://idp/.well-known/openid-configuration"}},
              "b":{"httpAuthSecurityScheme":{"scheme":"Basic"}}},
            "securityRequirements":[{"schemes":{"g":{"list":["openid"]}}}],
            "signatures":[{"protected":"e30","signature":"c2ln"}]}"#,
        );
        let c = read(&doc.roots[0]);
        assert_eq!(c.interfaces().count(), 2);
        assert_eq!(c.endpoints.len(), 3);
        assert!(matches!(c.schemes[0].kind, SchemeKind::OpenIdConnect));
        assert!(
            matches!(&c.schemes[1].kind, SchemeKind::Http { scheme: Some(f) } if f.text() == "Basic")
        );
        assert_eq!(c.required, ["g"]);
        assert!(c.extended_card.is_some());
        assert!(c.signatures.is_some());
        assert_eq!(
            c.endpoints[2].field.route.to_string(),
            "securitySchemes.g.openIdConnectSecurityScheme.openIdConnectUrl"
        );
    }

    #[test]
    fn mixed_shapes_seen_in_the_wild() {
        let (doc, _) = card(
            r#"{"name":"x","supportedInterfaces":[{"url":"https://a/x"}],"capabilities":{},
            "securitySchemes":{"b":{"type":"HTTP","scheme":"Basic"}},
            "securityRequirements":[{"b":[]}]}"#,
        );
        let c = read(&doc.roots[0]);
        assert!(matches!(
            &c.schemes[0].kind,
            SchemeKind::Http { scheme: Some(_) }
        ));
        assert_eq!(c.required, ["b"]);
        assert!(c.conforming);
    }

    #[test]
    fn odd_shapes_do_not_panic() {
        for src in [
            "[]",
            "null",
            r#"{"name":5,"url":7,"securitySchemes":[],"security":"x","skills":{}}"#,
            r#"{"securitySchemes":{"a":null,"b":{"type":3},"c":{"oauth2SecurityScheme":{"flows":[1]}}},"additionalInterfaces":[null,{"url":{}}]}"#,
            r#"{"name":"ç","url":"http://ü.example/ä","securityRequirements":[{"schemes":[]},5]}"#,
        ] {
            let (doc, _) = card(src);
            let c = read(&doc.roots[0]);
            let _ = (c.skill_count(), c.interfaces().count());
        }
    }
}
