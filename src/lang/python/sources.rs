//! Python sources besides tool parameters: model output (OpenAI, Anthropic,
//! LangChain, LlamaIndex, LiteLLM, OpenAI Agents, CrewAI) and request data (Flask,
//! Django, FastAPI). These apply in any function of the file, and at module level
//! (Streamlit apps are scripts), not only in tools.

use std::collections::HashSet;

use tree_sitter::Node;

use super::{children, dotted, root_module, Imports};
use crate::lang::sources as names;
use crate::lang::taint::{Env, Origin, Taint};
use crate::lang::{text_of, Nodes};

/// What the file imports and builds that makes a call a model call or an object a
/// request.
#[derive(Default)]
pub(super) struct Ctx {
    /// The file imports a model SDK or agent framework.
    llm_file: bool,
    anthropic: bool,
    /// Names assigned a model, chain, agent or engine (`llm`, `self.client`).
    llms: HashSet<String>,
    /// The local name of `flask.request`.
    flask_request: Option<String>,
    django: bool,
    /// Names assigned a FastAPI/Flask application or router.
    apps: HashSet<String>,
    web: bool,
}

/// A function to analyse for these sources, with the values tainted on entry.
pub(super) struct Entry<'t> {
    pub name: String,
    pub node: Node<'t>,
    pub seeds: Vec<(String, Taint)>,
    pub requests: Vec<String>,
}

fn unwrap_await(n: Node<'_>) -> Node<'_> {
    if n.kind() == "await" {
        n.named_child(0).unwrap_or(n)
    } else {
        n
    }
}

impl Ctx {
    pub fn new(nodes: &Nodes<'_>, text: &str, imports: &Imports) -> Ctx {
        let mut cx = Ctx {
            llm_file: imports.values().any(|v| names::llm_module(v)),
            anthropic: root_module(imports, &["anthropic", "langchain_anthropic"]),
            flask_request: imports
                .iter()
                .find(|(_, v)| v.as_str() == "flask.request")
                .map(|(k, _)| k.clone()),
            django: root_module(imports, &["django", "rest_framework"]),
            web: root_module(imports, &["fastapi", "flask", "starlette"]),
            ..Ctx::default()
        };
        for &a in nodes.iter().filter(|n| nodes.kind(**n) == "assignment") {
            let (Some(l), Some(r)) = (
                a.child_by_field_name("left"),
                a.child_by_field_name("right"),
            ) else {
                continue;
            };
            let r = unwrap_await(r);
            let left = text_of(l, text).to_string();
            if cx.is_model_value(r, text, imports) {
                cx.llms.insert(left);
            } else if r.kind() == "call" {
                let d = r
                    .child_by_field_name("function")
                    .and_then(|f| dotted(f, text, imports))
                    .unwrap_or_default();
                if matches!(
                    d.as_str(),
                    "fastapi.FastAPI" | "fastapi.APIRouter" | "flask.Flask" | "flask.Blueprint"
                ) {
                    cx.apps.insert(left);
                }
            }
        }
        cx
    }

    /// Whether anything in the file can be one of these sources.
    pub fn relevant(&self) -> bool {
        self.llm_file || self.web || self.django || self.flask_request.is_some()
    }

    /// A model, chain or agent object: built by a known constructor, an LCEL pipe
    /// with one, or a name already known to hold one.
    fn is_model_value(&self, r: Node<'_>, text: &str, imports: &Imports) -> bool {
        match r.kind() {
            "identifier" | "attribute" => self.llms.contains(text_of(r, text)),
            "parenthesized_expression" => r
                .named_child(0)
                .is_some_and(|c| self.is_model_value(c, text, imports)),
            "binary_operator" => {
                text_of(r, text).contains('|')
                    && children(r).into_iter().any(|c| {
                        self.is_model_value(c, text, imports)
                            || (self.llm_file
                                && matches!(c.kind(), "identifier" | "attribute")
                                && names::llm_name(text_of(c, text)))
                    })
            }
            "call" => {
                let Some(f) = r.child_by_field_name("function") else {
                    return false;
                };
                let last = match f.kind() {
                    "attribute" => f
                        .child_by_field_name("attribute")
                        .map(|a| text_of(a, text))
                        .unwrap_or(""),
                    _ => text_of(f, text),
                };
                if !names::llm_ctor(last) {
                    return false;
                }
                // A method (`index.as_query_engine()`, `llm.bind_tools(...)`) names the
                // object; a class must come from a model SDK.
                let method = matches!(
                    last,
                    "as_query_engine" | "as_chat_engine" | "with_structured_output" | "bind_tools"
                );
                method
                    || dotted(f, text, imports)
                        .is_some_and(|d| d.contains('.') && names::llm_module(&d))
            }
            _ => false,
        }
    }

    /// A call that returns model output.
    pub fn model_call(
        &self,
        call: Node<'_>,
        name: &str,
        last: &str,
        recv: Option<Node<'_>>,
        text: &str,
        imports: &Imports,
    ) -> Option<Taint> {
        let f = call.child_by_field_name("function")?;
        let path = if name.is_empty() {
            text_of(f, text)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        } else {
            name.to_string()
        };
        let by_path = names::model_api_path(&path, self.anthropic);
        let by_recv = || {
            let r = unwrap_await(recv?);
            let rt = text_of(r, text);
            if self.is_model_value(r, text, imports) {
                return Some(names::llm_method(last, rt, false));
            }
            Some(
                self.llm_file
                    && matches!(r.kind(), "identifier" | "attribute")
                    && names::llm_name(rt)
                    && names::llm_method(last, rt, true),
            )
        };
        if !(by_path || by_recv() == Some(true)) {
            return None;
        }
        Some(names::model_output(call.byte_range(), text_of(f, text)))
    }

    fn is_request(&self, n: Node<'_>, text: &str, env: &Env) -> bool {
        n.kind() == "identifier" && {
            let t = text_of(n, text);
            self.flask_request.as_deref() == Some(t) || env.requests.contains(t)
        }
    }

    /// `request.args`, `request.GET`, `request.query_params`: what the client sent.
    pub fn request_attr(&self, node: Node<'_>, text: &str, env: &Env) -> Option<Taint> {
        let obj = node.child_by_field_name("object")?;
        let field = text_of(node.child_by_field_name("attribute")?, text);
        if !(self.is_request(obj, text, env) && names::PY_REQUEST_FIELDS.contains(&field)) {
            return None;
        }
        let whole = field_access(node);
        Some(names::request_field(
            whole.byte_range(),
            text_of(whole, text),
        ))
    }

    /// `request.get_json()`, `await request.json()`, `await request.form()`.
    pub fn request_call(
        &self,
        call: Node<'_>,
        last: &str,
        recv: Option<Node<'_>>,
        text: &str,
        env: &Env,
    ) -> Option<Taint> {
        (recv.is_some_and(|r| self.is_request(r, text, env))
            && names::PY_REQUEST_METHODS.contains(&last))
        .then(|| names::request_data(call.byte_range(), text_of(call, text)))
    }

    /// Functions (and the module body) to analyse for these sources, skipping the
    /// tools already analysed; route handlers get their parameters as request data.
    pub fn entries<'t>(
        &self,
        nodes: &Nodes<'t>,
        text: &str,
        tools: &HashSet<usize>,
    ) -> Vec<Entry<'t>> {
        let mut out = Vec::new();
        if !self.relevant() {
            return out;
        }
        // Outside a model file and without Flask's global `request`, only route
        // parameters and request objects are sources: other functions need no pass.
        let anywhere = self.llm_file || self.flask_request.is_some();
        if let Some(root) = nodes
            .first()
            .filter(|n| anywhere && nodes.kind(**n) == "module")
        {
            out.push(Entry {
                name: "<module>".into(),
                node: *root,
                seeds: Vec::new(),
                requests: Vec::new(),
            });
        }
        for &f in nodes
            .iter()
            .filter(|n| nodes.kind(**n) == "function_definition")
        {
            if tools.contains(&f.id()) {
                continue;
            }
            let name = f
                .child_by_field_name("name")
                .map(|n| text_of(n, text).to_string())
                .unwrap_or_default();
            let route = self.is_route(f, text);
            let mut seeds = Vec::new();
            let mut requests = Vec::new();
            for (p, span, ty, default) in param_list(f, text) {
                let ty_last = ty.rsplit('.').next().unwrap_or(&ty);
                let is_req_obj = matches!(ty_last, "Request" | "HttpRequest" | "WebSocket")
                    || (self.django && p == "request");
                if is_req_obj {
                    requests.push(p);
                    continue;
                }
                // The framework converts these or rejects the request: no text is left.
                let scalar = ty
                    .replace("Optional[", "")
                    .replace(['[', ']', ' '], "")
                    .split('|')
                    .filter(|t| *t != "None")
                    .all(|t| {
                        matches!(
                            t.rsplit('.').next().unwrap_or(t),
                            "int" | "float" | "bool" | "UUID" | "datetime" | "date"
                        )
                    });
                let injected = (!ty.is_empty() && scalar)
                    || default.contains("Depends(")
                    || default.contains("Security(")
                    || ["Session", "BackgroundTasks", "Response", "Settings"]
                        .iter()
                        .any(|k| ty.contains(k))
                    || matches!(
                        p.as_str(),
                        "db" | "session" | "background_tasks" | "response"
                    );
                if route && !injected {
                    let t = Taint::from(
                        Origin::Request,
                        span,
                        format!("request parameter `{p}` of route `{name}`"),
                    );
                    seeds.push((p, t));
                }
            }
            if !anywhere && seeds.is_empty() && requests.is_empty() {
                continue;
            }
            out.push(Entry {
                name,
                node: f,
                seeds,
                requests,
            });
        }
        out
    }

    /// Decorated `@app.get(...)`, `@router.post(...)`, `@app.route(...)` on a FastAPI
    /// or Flask application or router of this file.
    fn is_route(&self, f: Node<'_>, text: &str) -> bool {
        let Some(parent) = f.parent().filter(|p| p.kind() == "decorated_definition") else {
            return false;
        };
        children(parent)
            .into_iter()
            .filter(|d| d.kind() == "decorator")
            .any(|d| {
                let Some(e) = d.named_child(0) else {
                    return false;
                };
                let callee = if e.kind() == "call" {
                    e.child_by_field_name("function")
                } else {
                    None
                };
                let Some(callee) = callee.filter(|c| c.kind() == "attribute") else {
                    return false;
                };
                let obj = callee
                    .child_by_field_name("object")
                    .map(|o| text_of(o, text))
                    .unwrap_or("");
                let verb = callee
                    .child_by_field_name("attribute")
                    .map(|a| text_of(a, text))
                    .unwrap_or("");
                let app = self.apps.contains(obj)
                    || (self.web
                        && (matches!(obj, "app" | "router" | "bp" | "api" | "blueprint")
                            || obj.ends_with("_router")
                            || obj.ends_with("_bp")));
                app && (names::route_verb(verb) || matches!(verb, "websocket")) && verb != "use"
            })
    }
}

/// The field read from a request mapping, for the message: `request.args.get("q")`,
/// `request.GET["file"]`, not only `request.args`.
fn field_access(node: Node<'_>) -> Node<'_> {
    let mut cur = node;
    for _ in 0..4 {
        let Some(p) = cur.parent() else { break };
        match p.kind() {
            "subscript" if p.child_by_field_name("value") == Some(cur) => cur = p,
            "attribute" if p.child_by_field_name("object") == Some(cur) => match p.parent() {
                Some(c) if c.kind() == "call" && c.child_by_field_name("function") == Some(p) => {
                    cur = c
                }
                _ => cur = p,
            },
            _ => break,
        }
    }
    cur
}

/// Every parameter with its span, annotation and default, as written.
fn param_list(f: Node<'_>, text: &str) -> Vec<(String, std::ops::Range<usize>, String, String)> {
    let Some(ps) = f.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in children(ps) {
        let (n, ty, def) = match p.kind() {
            "identifier" => (Some(p), None, None),
            "typed_parameter" => (
                p.named_child(0).filter(|c| c.kind() == "identifier"),
                p.child_by_field_name("type"),
                None,
            ),
            "default_parameter" | "typed_default_parameter" => (
                p.child_by_field_name("name"),
                p.child_by_field_name("type"),
                p.child_by_field_name("value"),
            ),
            _ => (None, None, None),
        };
        let Some(n) = n else { continue };
        let name = text_of(n, text);
        if matches!(name, "self" | "cls") {
            continue;
        }
        out.push((
            name.to_string(),
            n.byte_range(),
            ty.map(|t| text_of(t, text).to_string()).unwrap_or_default(),
            def.map(|t| text_of(t, text).to_string())
                .unwrap_or_default(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lang::{analyse, Lang, Origin, Sink};

    fn flows(src: &str) -> Vec<(Sink, Origin, String)> {
        analyse(Lang::Python, src)
            .map(|m| {
                m.flows
                    .iter()
                    .map(|f| (f.sink, f.origin, f.steps[0].label.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn model_calls() {
        let f = flows(
            "import os\nfrom openai import OpenAI\nc = OpenAI()\ndef f(p):\n    r = c.responses.create(input=p)\n    os.system(r.output_text)\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].1, Origin::Model);
        let f = flows(
            "import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI()\nchain = prompt | llm\nos.system(chain.invoke({}).content)\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
    }

    #[test]
    fn lookalikes_are_not_models() {
        for src in [
            // No model SDK imported: a name alone is not enough.
            "import os\ndef f(llm):\n    os.system(llm.invoke('x').content)\n",
            // Twilio's `messages.create` without the Anthropic SDK.
            "import os\nimport openai\nfrom twilio.rest import Client\nc = Client()\nm = c.messages.create(body='x')\nos.system(m.sid)\n",
            // An unrelated `.invoke` and `.content`.
            "import os, requests\nimport openai\nd = {}\nos.system(d.invoke('x').content)\nos.system(requests.get(u).content)\n",
            // A request-like name that is not Flask's request.
            "import os\nimport flask\ndef f(request):\n    os.system(request.args['x'])\n",
        ] {
            assert!(flows(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn request_sources() {
        let f = flows(
            "import os\nfrom fastapi import FastAPI, Request\napp = FastAPI()\n@app.post('/x')\nasync def x(request: Request):\n    body = await request.json()\n    os.system(body['cmd'])\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].1, Origin::Request);
        // A helper that is no route: its parameters are not request data.
        let f = flows(
            "import os\nfrom fastapi import FastAPI\napp = FastAPI()\ndef helper(cmd: str):\n    os.system(cmd)\n",
        );
        assert!(f.is_empty());
    }
}
