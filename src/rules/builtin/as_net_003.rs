//! AS-NET-003: a model provider, MCP, A2A or RPC endpoint reached over plaintext
//! HTTP/WebSocket from code. Prompts, tool results and API keys then cross the network
//! readable and modifiable by anyone on the path.

use crate::finding::Severity;
use crate::lang::calls::{Arg, Call, Index, Value};
use crate::lang::Lang;
use crate::rules::values::{is_local_ish, is_loopback, parse_url};
use crate::rules::{Context, Parsed, Rule};

pub struct PlaintextEndpoint;

/// Clients and the arguments that carry their endpoint. `0` = first positional.
const CLIENTS: &[(&str, &[&str], bool)] = &[
    // (callee, endpoint keywords, first positional argument is the endpoint)
    ("OpenAI", &["base_url", "baseURL"], false),
    ("AsyncOpenAI", &["base_url"], false),
    ("AzureOpenAI", &["base_url", "azure_endpoint"], false),
    ("Anthropic", &["base_url", "baseURL"], false),
    ("AsyncAnthropic", &["base_url"], false),
    (
        "ChatOpenAI",
        &["base_url", "openai_api_base", "configuration.baseURL"],
        false,
    ),
    (
        "ChatAnthropic",
        &["base_url", "anthropic_api_url", "anthropicApiUrl"],
        false,
    ),
    ("OpenAIEmbeddings", &["base_url", "openai_api_base"], false),
    ("Ollama", &["base_url", "baseUrl", "host"], false),
    ("ChatOllama", &["base_url", "baseUrl"], false),
    ("OpenAILike", &["api_base"], false),
    ("LiteLLMModel", &["api_base"], false),
    ("OpenAIServerModel", &["api_base"], false),
    ("completion", &["api_base", "base_url"], false),
    ("acompletion", &["api_base", "base_url"], false),
    ("createOpenAI", &["baseURL"], false),
    ("createAnthropic", &["baseURL"], false),
    ("createOpenAICompatible", &["baseURL"], false),
    ("A2AClient", &["url"], false),
    ("A2ACardResolver", &["base_url"], false),
    ("sse_client", &["url"], true),
    ("streamablehttp_client", &["url"], true),
    ("streamable_http_client", &["url"], true),
    ("websocket_client", &["url"], true),
    ("StreamableHTTPClientTransport", &[], true),
    ("SSEClientTransport", &[], true),
    ("WebSocketClientTransport", &[], true),
    ("WebSocket", &[], true),
    ("insecure_channel", &["target"], true),
    ("MCPServerSse", &["params.url"], false),
    ("MCPServerStreamableHttp", &["params.url"], false),
    ("experimental_createMCPClient", &["transport.url"], false),
    ("createMCPClient", &["transport.url"], false),
];

/// Keywords that attach a credential to the client.
const CREDENTIALS: &[&str] = &[
    "api_key",
    "apiKey",
    "openai_api_key",
    "anthropic_api_key",
    "headers",
    "auth",
    "authProvider",
    "token",
    "default_headers",
    "defaultHeaders",
];

impl Rule for PlaintextEndpoint {
    fn id(&self) -> &'static str {
        "AS-NET-003"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let Some(code) = file.code else { return };
        let ix = &code.index;
        if code.lang == Lang::Rust {
            return rust(ix, cx);
        }
        for c in &ix.calls {
            let Some((_, keys, positional)) = CLIENTS.iter().find(|(n, _, _)| c.is(n)) else {
                continue;
            };
            // `completion` and `WebSocket` are common names: require their modules.
            if matches!(c.method(), "completion" | "acompletion")
                && !c.callee.starts_with("litellm")
            {
                continue;
            }
            if c.method() == "insecure_channel" && !c.callee.starts_with("grpc") {
                continue;
            }
            let mut args: Vec<&Arg> = keys.iter().filter_map(|k| path(c, k)).collect();
            if *positional {
                args.extend(c.pos(0));
            }
            for a in args {
                let Some((url, span)) = endpoint(ix, a) else {
                    continue;
                };
                let grpc = c.method() == "insecure_channel";
                let Some((scheme, host)) = plaintext_host(&url, grpc) else {
                    continue;
                };
                if is_loopback(&host) {
                    continue;
                }
                let creds = CREDENTIALS
                    .iter()
                    .any(|k| c.kw(k).is_some_and(|a| a.value != Value::Null));
                let (sev, what) = judge(creds && !grpc, &host, grpc, &scheme);
                let tail = if creds && !grpc {
                    ", and the credential passed to it is sent in the clear"
                } else {
                    ""
                };
                cx.report(span, &format!("{}:{url}", c.raw), format!(
                    "`{}` reaches `{host}` over {what}: prompts, tool calls and results can be read and altered on the network{tail}",
                    c.raw
                ))
                .severity(sev);
            }
        }
    }
}

/// Rust builders and constructors that take an endpoint, with the position of the
/// URL argument: async-openai `OpenAIConfig::with_api_base`, rig
/// `Client::builder().base_url` and `Client::from_url(key, url)`, rmcp client
/// transports, tonic channels.
const RUST_ENDPOINTS: &[(&str, usize)] = &[
    ("with_api_base", 0),
    ("base_url", 0),
    ("with_base_url", 0),
    ("from_url", 1),
    ("StreamableHttpClientTransport.from_uri", 0),
    ("SseClientTransport.start", 0),
    ("Channel.from_static", 0),
    ("Channel.from_shared", 0),
    ("Endpoint.from_static", 0),
    ("Endpoint.from_shared", 0),
];

/// Crates and provider modules whose `base_url`-style methods set a model or agent
/// endpoint (the method names alone are common to every HTTP builder).
const RUST_LLM: &[&str] = &[
    "rig",
    "async_openai",
    "openai",
    "anthropic",
    "ollama",
    "gemini",
    "mistral",
    "groq",
    "deepseek",
    "openrouter",
    "xai",
    "cohere",
    "perplexity",
    "together",
    "azure",
    "genai",
    "llm",
    "rmcp",
    "tonic",
];

fn rust(ix: &Index, cx: &mut Context<'_>) {
    for c in &ix.calls {
        let Some((_, at)) = RUST_ENDPOINTS.iter().find(|(n, _)| c.is(n)) else {
            continue;
        };
        let known = c
            .callee
            .split('.')
            .any(|seg| RUST_LLM.contains(&seg.to_ascii_lowercase().as_str()))
            || c.is_any(&[
                "OpenAIConfig.new.with_api_base",
                "AzureConfig.new.with_api_base",
            ]);
        if !known {
            continue;
        }
        let Some(a) = c.pos(*at) else { continue };
        let Some((url, span)) = endpoint(ix, a) else {
            continue;
        };
        let grpc = c.callee.starts_with("tonic");
        let Some((scheme, host)) = plaintext_host(&url, false) else {
            continue;
        };
        if is_loopback(&host) {
            continue;
        }
        // A key in the chain (`.api_key(k)`, `from_url(key, url)`) travels with it.
        let creds = c.method() == "from_url"
            || ix.calls.iter().any(|o| {
                o.span.start == c.span.start
                    && o.callee.split('.').any(|seg| {
                        matches!(
                            seg,
                            "api_key" | "with_api_key" | "bearer_auth" | "auth_header"
                        )
                    })
            });
        let (sev, what) = judge(creds, &host, grpc, &scheme);
        let tail = if creds {
            ", and the API key sent with it travels in the clear"
        } else {
            ""
        };
        cx.report(span, &format!("{}:{url}", c.raw), format!(
            "`{}` reaches `{host}` over {what}: prompts, tool calls and results can be read and altered on the network{tail}",
            c.raw
        ))
        .severity(sev);
    }
}

/// A keyword or a dotted path into object arguments: `params.url`, `transport.url`.
/// Severity and wording of a plaintext endpoint: high when credentials go with it,
/// low for hosts that resolve only locally — a single-label name (`ollama`,
/// `testserver`) resolves only on a container network, a hosts file or a test harness.
fn judge(creds: bool, host: &str, grpc: bool, scheme: &str) -> (Severity, String) {
    let single_label = !host.contains('.') && !host.contains(':');
    let sev = if is_local_ish(host) || single_label {
        Severity::Low
    } else if creds {
        Severity::High
    } else {
        Severity::Medium
    };
    let what = if grpc {
        "an unencrypted gRPC channel".to_string()
    } else {
        format!("plaintext `{scheme}://`")
    };
    (sev, what)
}

fn path<'a>(c: &'a Call, key: &str) -> Option<&'a Arg> {
    let mut parts = key.split('.');
    let mut arg = c.kw(parts.next()?)?;
    for p in parts {
        match &arg.value {
            Value::Object(props) => arg = props.iter().find(|x| x.name.as_deref() == Some(p))?,
            _ => return None,
        }
    }
    Some(arg)
}

/// The URL an argument holds, with the span of its literal: a string, a constant,
/// `new URL("…")`, or the default of an environment lookup.
fn endpoint(ix: &Index, a: &Arg) -> Option<(String, crate::manifest::Span)> {
    if let Some((s, span, _)) = ix.string(a) {
        return Some((s.to_string(), span));
    }
    if let Value::Call(inner) = &a.value {
        if inner.is("URL") {
            return inner.pos(0).and_then(|x| endpoint(ix, x));
        }
        if inner.is_any(&["getenv", "environ.get"]) {
            return inner.pos(1).and_then(|x| endpoint(ix, x));
        }
    }
    None
}

/// The scheme and host of a plaintext URL (`http`/`ws`); for gRPC targets every
/// `host:port` counts, since `insecure_channel` never encrypts.
fn plaintext_host(url: &str, grpc: bool) -> Option<(String, String)> {
    if grpc {
        let host = url.rsplit_once(':').map_or(url, |(h, _)| h);
        let host = host.rsplit("://").next().unwrap_or(host);
        return (!host.is_empty()).then(|| ("grpc".to_string(), host.to_string()));
    }
    let parts = parse_url(url)?;
    matches!(parts.scheme.as_str(), "http" | "ws").then_some(())?;
    (!parts.host.is_empty()).then_some((parts.scheme, parts.host))
}
