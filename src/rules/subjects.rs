//! The fields that data rules can test, computed from normalized MCP servers and
//! from the endpoints of A2A agent cards.

use crate::manifest::a2a::{self, Role, SchemeKind};
use crate::manifest::env::EnvVar;
use crate::manifest::mcp::{Field, McpServer, Pair};
use crate::manifest::Span;

use super::data::{Matcher, Subject, SubjectKind};
use super::values::{
    container_image, is_local_ish, is_loopback, is_secret_key_name, parse_url, UrlParts,
};
use super::Parsed;

/// What a data rule matches: its fields, and where a finding on it points.
pub trait Target: Subject {
    /// The span and route named by a matcher's `at`.
    fn span_at(&self, at: &str) -> Option<(Span, String)>;
}

/// A server, or one item of its env, headers or args, as a data rule sees it.
pub struct Item<'s, 'a> {
    pub server: &'s McpServer<'a>,
    pub scope: &'static str,
    pub key: Option<&'s str>,
    pub value: Option<String>,
    /// Previous argument, for flags that take the next word.
    pub prev: Option<String>,
    pub key_span: Option<Span>,
    pub value_span: Option<Span>,
    pub route: String,
}

impl Subject for Item<'_, '_> {
    fn field(&self, name: &str) -> Option<String> {
        match name {
            "key" => self.key.map(str::to_string),
            "value" => self.value.clone(),
            "prev" => self.prev.clone(),
            "scope" => Some(self.scope.to_string()),
            _ => {
                if let Some(f) = name.strip_prefix("value.url.") {
                    // The value as a URL, for arguments of bridge launchers.
                    let parts = parse_url(self.value.as_deref()?)?;
                    return url_field(&parts, f);
                }
                name.strip_prefix("server.")
                    .and_then(|f| server_field(self.server, f))
            }
        }
    }
}

fn server_field(s: &McpServer<'_>, f: &str) -> Option<String> {
    let url = s.url.as_ref().map(Field::text);
    let parts = url.as_deref().and_then(parse_url);
    let argv = s.argv();
    let image = container_image(&argv).map(|i| argv[i].clone());
    match f {
        "name" => Some(s.name.clone()),
        "client" => Some(s.client.as_str().to_string()),
        "transport" => Some(s.transport.as_str().to_string()),
        "command" => s.command.as_ref().map(Field::text),
        "argv" => (!argv.is_empty()).then(|| argv.join(" ")),
        "url" => url,
        _ if f.starts_with("url.") => url_field(&parts?, &f[4..]),
        "credentials" => Some(has_credentials(s).to_string()),
        "image" => image,
        "image.pinned" => image.map(|i| image_pinned(&i).to_string()),
        "image.tag" => image.map(|i| image_tag(&i).unwrap_or_default()),
        _ => None,
    }
}

fn url_field(p: &UrlParts, f: &str) -> Option<String> {
    match f {
        "scheme" => Some(p.scheme.clone()),
        "host" => Some(p.host.clone()),
        "loopback" => Some(is_loopback(&p.host).to_string()),
        "local" => Some(is_local_ish(&p.host).to_string()),
        _ => None,
    }
}

/// The entry sends credentials: auth-like headers or indirect credential settings.
pub fn has_credentials(s: &McpServer<'_>) -> bool {
    !s.auth_refs.is_empty()
        || s.headers.iter().any(|h| {
            let k = h.key.to_ascii_lowercase();
            k.contains("authorization") || k.contains("cookie") || is_secret_key_name(&k)
        })
        || s.url.as_ref().is_some_and(|u| {
            parse_url(&u.text()).is_some_and(|p| {
                p.userinfo.is_some() || {
                    let q = p.rest.to_ascii_lowercase();
                    ["key=", "token=", "api_key=", "apikey=", "access_token="]
                        .iter()
                        .any(|k| q.contains(k))
                }
            })
        })
}

pub fn image_pinned(image: &str) -> bool {
    image
        .rsplit_once("@sha256:")
        .is_some_and(|(_, d)| d.len() == 64 && d.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The tag of an image reference, if it has one (`:latest`, `:1.2`).
pub fn image_tag(image: &str) -> Option<String> {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':').map(|(_, t)| t.to_string())
}

fn pair_item<'s, 'a>(s: &'s McpServer<'a>, scope: &'static str, p: &'s Pair<'a>) -> Item<'s, 'a> {
    Item {
        server: s,
        scope,
        key: Some(&p.key),
        value: p.value.node.scalar_text(),
        prev: None,
        key_span: Some(p.key_span.clone()),
        value_span: Some(p.value.node.span.clone()),
        route: p.value.route.to_string(),
    }
}

/// Every item a matcher looks at in a file.
pub fn items<'s, 'a>(m: &Matcher, file: &'s Parsed<'a>) -> Vec<Box<dyn Target + 's>> {
    let scope = match file.scope {
        super::Scope::Shared => "shared",
        super::Scope::User => "user",
    };
    if m.subject == SubjectKind::Endpoint {
        return endpoints(file)
            .into_iter()
            .map(|e| Box::new(e) as Box<dyn Target + 's>)
            .collect();
    }
    if m.subject == SubjectKind::Variable {
        return file
            .env
            .iter()
            .map(|v| {
                Box::new(VariableItem {
                    var: v,
                    scope,
                    kind: file.kind.as_str(),
                }) as Box<dyn Target + 's>
            })
            .collect();
    }
    let mut out: Vec<Item<'s, 'a>> = Vec::new();
    for s in &file.servers {
        match m.subject {
            SubjectKind::Server => out.push(Item {
                server: s,
                scope,
                key: None,
                value: None,
                prev: None,
                key_span: Some(s.name_span.clone()),
                value_span: None,
                route: s.route.to_string(),
            }),
            SubjectKind::Env => out.extend(s.env.iter().map(|p| pair_item(s, scope, p))),
            SubjectKind::Headers => out.extend(s.headers.iter().map(|p| pair_item(s, scope, p))),
            SubjectKind::Args | SubjectKind::EnvAndArgs => {
                if m.subject == SubjectKind::EnvAndArgs {
                    out.extend(s.env.iter().map(|p| pair_item(s, scope, p)));
                }
                for (i, a) in s.args.iter().enumerate() {
                    out.push(Item {
                        server: s,
                        scope,
                        key: None,
                        value: a.node.scalar_text(),
                        prev: i.checked_sub(1).and_then(|j| s.args[j].node.scalar_text()),
                        key_span: None,
                        value_span: Some(a.node.span.clone()),
                        route: a.route.to_string(),
                    })
                }
            }
            // Taken from agent cards and environment bindings above, never from servers.
            SubjectKind::Endpoint | SubjectKind::Variable => {}
        }
    }
    out.into_iter()
        .map(|i| Box::new(i) as Box<dyn Target + 's>)
        .collect()
}

impl Target for Item<'_, '_> {
    fn span_at(&self, at: &str) -> Option<(Span, String)> {
        let item = self;
        let s = item.server;
        match at {
            "key" => item.key_span.clone().map(|sp| (sp, item.route.clone())),
            "value" => item.value_span.clone().map(|sp| (sp, item.route.clone())),
            "name" => Some((s.name_span.clone(), s.route.to_string())),
            "url" => s
                .url
                .as_ref()
                .map(|u| (u.node.span.clone(), u.route.to_string())),
            "command" => s
                .command
                .as_ref()
                .map(|c| (c.node.span.clone(), c.route.to_string())),
            "image" => {
                let argv = s.argv();
                let i = container_image(&argv)?;
                let offset = usize::from(s.command.is_some());
                let f = if i < offset {
                    s.command.as_ref()?
                } else {
                    s.args.get(i - offset)?
                };
                Some((f.node.span.clone(), f.route.to_string()))
            }
            _ => None,
        }
    }
}

/// A URL an A2A agent card sends clients to, with what the card says about it.
pub struct EndpointItem {
    card: String,
    place: String,
    role: Role,
    url: String,
    /// Clients send credentials there: an interface of a card that asks for a token,
    /// key or password, or an OAuth token endpoint.
    credentials: bool,
    span: Span,
    route: String,
}

impl Subject for EndpointItem {
    fn field(&self, name: &str) -> Option<String> {
        match name {
            "card" => Some(self.card.clone()),
            "place" => Some(self.place.clone()),
            "role" => Some(self.role.as_str().to_string()),
            "url" => Some(self.url.clone()),
            "credentials" => Some(self.credentials.to_string()),
            _ => url_field(&parse_url(&self.url)?, name.strip_prefix("url.")?),
        }
    }
}

impl Target for EndpointItem {
    fn span_at(&self, at: &str) -> Option<(Span, String)> {
        (at == "url").then(|| (self.span.clone(), self.route.clone()))
    }
}

/// An environment variable that settings, a container, a job or a dotenv file sets.
pub struct VariableItem<'s> {
    var: &'s EnvVar,
    scope: &'static str,
    /// The file's kind (`claude-settings`, `compose`, `dotenv`, ...).
    kind: &'static str,
}

impl Subject for VariableItem<'_> {
    fn field(&self, name: &str) -> Option<String> {
        match name {
            "key" => Some(self.var.key.clone()),
            "value" => Some(self.var.value.clone()),
            "owner" => Some(self.var.owner.clone()),
            "scope" => Some(self.scope.to_string()),
            "kind" => Some(self.kind.to_string()),
            _ => None,
        }
    }
}

impl Target for VariableItem<'_> {
    fn span_at(&self, at: &str) -> Option<(Span, String)> {
        let route = self.var.route.to_string();
        match at {
            "key" => Some((self.var.key_span.clone(), route)),
            "value" => Some((self.var.value_span.clone(), route)),
            _ => None,
        }
    }
}

/// The endpoints of the agent cards in a file (none for other kinds).
fn endpoints(file: &Parsed<'_>) -> Vec<EndpointItem> {
    let mut out = Vec::new();
    for card in a2a::cards(file.kind, file.roots) {
        let asks_for_secrets = card
            .schemes
            .iter()
            .any(|s| !matches!(s.kind, SchemeKind::MutualTls));
        let mut seen = std::collections::HashSet::new();
        for e in &card.endpoints {
            // 0.3 cards repeat the main `url` in `additionalInterfaces`: one finding.
            if e.role == Role::Interface && !seen.insert(e.field.text()) {
                continue;
            }
            let credentials = match e.role {
                Role::Interface => asks_for_secrets,
                Role::Auth => e.token_endpoint,
            };
            out.push(EndpointItem {
                card: card.name.clone(),
                place: e.place.clone(),
                role: e.role,
                url: e.field.text(),
                credentials,
                span: e.field.node.span.clone(),
                route: e.field.route.to_string(),
            });
        }
    }
    out
}
