//! TypeScript/JavaScript sources besides tool parameters: model output (OpenAI,
//! Anthropic, LangChain.js, Vercel AI SDK, OpenAI Agents JS) and request data
//! (Express and Hono routes, Next.js route handlers). They apply in any function of
//! the file and at module level, where routes are registered.

use std::collections::HashSet;

use tree_sitter::Node;

use super::{dotted, handler_params, is_function, Imports};
use crate::lang::sources as names;
use crate::lang::taint::{Env, Taint};
use crate::lang::{text_of, unwrap_expr, Nodes};

#[derive(Default)]
pub(super) struct Ctx {
    llm_file: bool,
    anthropic: bool,
    /// Names bound to a model, chain or agent (`const model = new ChatOpenAI()`).
    llms: HashSet<String>,
    /// Names bound to an Express or Hono application or router.
    apps: HashSet<String>,
    /// The file imports Express, Hono or a similar router.
    web: bool,
}

pub(super) struct Entry<'t> {
    pub name: String,
    pub node: Node<'t>,
    pub requests: Vec<String>,
}

/// Next.js route handler names (`app/**/route.ts`).
const NEXT_HANDLERS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

impl Ctx {
    pub fn new(nodes: &Nodes<'_>, text: &str, imports: &Imports) -> Ctx {
        let mut cx = Ctx {
            llm_file: imports.values().any(|v| names::llm_module(v)),
            anthropic: imports.values().any(|v| v.starts_with("@anthropic-ai/")),
            web: imports.values().any(|v| {
                let root = v.split('.').next().unwrap_or(v);
                matches!(
                    root,
                    "express" | "hono" | "fastify" | "koa-router" | "@koa/router"
                )
            }),
            ..Ctx::default()
        };
        for &d in nodes
            .iter()
            .filter(|n| nodes.kind(**n) == "variable_declarator")
        {
            let (Some(n), Some(v)) = (
                d.child_by_field_name("name"),
                d.child_by_field_name("value"),
            ) else {
                continue;
            };
            let name = text_of(n, text).to_string();
            let v = unwrap_expr(v);
            if cx.is_model_value(v, text, imports) {
                cx.llms.insert(name);
            } else if matches!(v.kind(), "call_expression" | "new_expression") {
                let callee = v
                    .child_by_field_name("function")
                    .or_else(|| v.child_by_field_name("constructor"));
                let d = callee
                    .and_then(|f| dotted(f, text, imports))
                    .unwrap_or_default();
                let root = d.split('.').next().unwrap_or(&d);
                if matches!(root, "express" | "hono" | "fastify")
                    || d.ends_with("Router")
                    || d == "Hono"
                {
                    cx.apps.insert(name);
                }
            }
        }
        cx
    }

    pub fn relevant(&self) -> bool {
        self.llm_file || self.web
    }

    fn is_model_value(&self, v: Node<'_>, text: &str, imports: &Imports) -> bool {
        match v.kind() {
            "identifier" | "member_expression" => self.llms.contains(text_of(v, text)),
            "call_expression" | "new_expression" => {
                let Some(f) = v
                    .child_by_field_name("function")
                    .or_else(|| v.child_by_field_name("constructor"))
                else {
                    return false;
                };
                let last = match f.kind() {
                    "member_expression" => f
                        .child_by_field_name("property")
                        .map(|p| text_of(p, text))
                        .unwrap_or(""),
                    _ => text_of(f, text),
                };
                if !names::llm_ctor(last) {
                    return false;
                }
                // `model.withStructuredOutput(...)`, `llm.bindTools(...)`: on a model.
                if matches!(last, "withStructuredOutput" | "bindTools") {
                    return f
                        .child_by_field_name("object")
                        .is_some_and(|o| self.is_model_value(unwrap_expr(o), text, imports));
                }
                dotted(f, text, imports).is_some_and(|d| d.contains('.') && names::llm_module(&d))
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
        let f = call
            .child_by_field_name("function")
            .or_else(|| call.child_by_field_name("constructor"))?;
        let path: String = text_of(f, text)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let hit = names::js_model_fn(name)
            || names::model_api_path(&path, self.anthropic)
            || recv.is_some_and(|r| {
                let r = unwrap_expr(r);
                let rt = text_of(r, text);
                if self.is_model_value(r, text, imports) {
                    names::llm_method(last, rt, false)
                } else {
                    self.llm_file
                        && matches!(r.kind(), "identifier" | "member_expression")
                        && names::llm_name(rt)
                        && names::llm_method(last, rt, true)
                }
            });
        hit.then(|| names::model_output(call.byte_range(), text_of(f, text)))
    }

    /// `req.body`, `req.query.q`, `request.nextUrl`: a field of a request object.
    pub fn request_member(&self, node: Node<'_>, text: &str, env: &Env) -> Option<Taint> {
        let obj = node.child_by_field_name("object")?;
        let field = text_of(node.child_by_field_name("property")?, text);
        if !(env.requests.contains(text_of(obj, text)) && names::JS_REQUEST_FIELDS.contains(&field))
        {
            return None;
        }
        let whole = field_access(node);
        Some(names::request_field(
            whole.byte_range(),
            text_of(whole, text),
        ))
    }

    /// `await request.json()`, `c.req.query("q")`, `c.req.valid("json")`.
    pub fn request_call(
        &self,
        call: Node<'_>,
        last: &str,
        recv: Option<Node<'_>>,
        text: &str,
        env: &Env,
    ) -> Option<Taint> {
        let r = recv?;
        (env.requests.contains(text_of(r, text)) && names::JS_REQUEST_METHODS.contains(&last))
            .then(|| names::request_data(call.byte_range(), text_of(call, text)))
    }

    /// `app.post("/x", (req, res) => ...)` on an Express or Hono app or router: the
    /// names under which the handlers of this call see the request.
    pub fn route_requests(
        &self,
        recv: Option<Node<'_>>,
        last: &str,
        args: &[Node<'_>],
        text: &str,
    ) -> Vec<String> {
        let Some(r) = recv else { return Vec::new() };
        let rt = text_of(r, text);
        let app = self.apps.contains(rt)
            || (self.web
                && (matches!(rt, "app" | "router" | "api" | "routes" | "server")
                    || rt.ends_with("Router")
                    || rt.ends_with("router")));
        if !app || !names::route_verb(last) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for a in args
            .iter()
            .map(|a| unwrap_expr(*a))
            .filter(|a| is_function(*a))
        {
            if let Some((p, _)) = handler_params(a, text).first() {
                // Express hands `req`; Hono a context whose `req` is the request.
                out.push(p.clone());
                out.push(format!("{p}.req"));
            }
        }
        out
    }

    /// Functions (and the module body) to analyse for these sources, skipping the
    /// tool handlers already analysed. Next.js route handlers see their first
    /// parameter as the request.
    pub fn entries<'t>(
        &self,
        nodes: &Nodes<'t>,
        text: &str,
        tools: &HashSet<usize>,
    ) -> Vec<Entry<'t>> {
        let mut out = Vec::new();
        // Without a model SDK or router only Next.js route handlers can hold sources.
        let all = self.relevant();
        if let Some(root) = nodes
            .first()
            .filter(|n| all && nodes.kind(**n) == "program")
        {
            out.push(Entry {
                name: "<module>".into(),
                node: *root,
                requests: Vec::new(),
            });
        }
        for &f in nodes.iter().filter(|n| {
            matches!(
                nodes.kind(**n),
                "function_declaration" | "method_definition" | "generator_function_declaration"
            )
        }) {
            if tools.contains(&f.id()) {
                continue;
            }
            let name = f
                .child_by_field_name("name")
                .map(|n| text_of(n, text).to_string())
                .unwrap_or_default();
            let mut requests = Vec::new();
            // The name first: finding a node's parent walks down from the root.
            if NEXT_HANDLERS.contains(&name.as_str())
                && f.parent().is_some_and(|p| p.kind() == "export_statement")
            {
                if let Some((p, _)) = handler_params(f, text).first() {
                    requests.push(p.clone());
                }
            }
            if !all && requests.is_empty() {
                continue;
            }
            out.push(Entry {
                name,
                node: f,
                requests,
            });
        }
        // `export const POST = async (req) => ...`
        for &d in nodes
            .iter()
            .filter(|n| nodes.kind(**n) == "variable_declarator")
        {
            let (Some(n), Some(v)) = (
                d.child_by_field_name("name"),
                d.child_by_field_name("value"),
            ) else {
                continue;
            };
            let name = text_of(n, text);
            if !NEXT_HANDLERS.contains(&name) {
                continue;
            }
            let exported = d
                .parent()
                .and_then(|p| p.parent())
                .is_some_and(|p| p.kind() == "export_statement");
            let v = unwrap_expr(v);
            if exported && is_function(v) && !tools.contains(&v.id()) {
                let requests = handler_params(v, text)
                    .into_iter()
                    .take(1)
                    .map(|p| p.0)
                    .collect();
                out.push(Entry {
                    name: name.to_string(),
                    node: v,
                    requests,
                });
            }
        }
        out
    }
}

/// The field read from a request, for the message: `req.body.cmd`, not `req.body`;
/// a method called on it (`searchParams.get`) ends the field.
fn field_access(node: Node<'_>) -> Node<'_> {
    let mut cur = node;
    for _ in 0..4 {
        let Some(p) = cur.parent() else { break };
        let is_obj = p.child_by_field_name("object") == Some(cur);
        let called = p.parent().is_some_and(|g| {
            g.kind() == "call_expression" && g.child_by_field_name("function") == Some(p)
        });
        match p.kind() {
            "member_expression" | "subscript_expression" if is_obj && !called => cur = p,
            _ => break,
        }
    }
    cur
}

#[cfg(test)]
mod tests {
    use crate::lang::{analyse, Lang, Origin, Sink};

    fn flows(src: &str) -> Vec<(Sink, Origin)> {
        analyse(Lang::Tsx, src)
            .map(|m| m.flows.iter().map(|f| (f.sink, f.origin)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn model_and_request_sources() {
        let f = flows(
            "import { ChatOpenAI } from '@langchain/openai';\nimport { exec } from 'child_process';\nconst model = new ChatOpenAI();\nexport async function f(q) {\n  const r = await model.invoke(q);\n  exec(r.content);\n}\n",
        );
        assert_eq!(f, [(Sink::Shell, Origin::Model)]);
        let f = flows(
            "import express from 'express';\nimport { exec } from 'child_process';\nconst router = express.Router();\nrouter.get('/x', (req, res) => exec(req.query.cmd));\n",
        );
        assert_eq!(f, [(Sink::Shell, Origin::Request)]);
    }

    #[test]
    fn lookalikes_are_not_sources() {
        for src in [
            // No router imported: `req` of an arbitrary callback.
            "import { exec } from 'child_process';\nemitter.on('x', (req) => exec(req.body));\n",
            // `invoke` on something that is no model, in a file with an SDK.
            "import OpenAI from 'openai';\nimport { exec } from 'child_process';\nconst cache = new Map();\nexec(cache.invoke('k').content);\n",
            // A non-exported GET function is no Next.js handler.
            "import { exec } from 'child_process';\nfunction GET(request) { exec(request.url); }\n",
            // Sanitised model output.
            "import OpenAI from 'openai';\nimport DOMPurify from 'dompurify';\nconst c = new OpenAI();\nexport async function f(el) {\n  const r = await c.chat.completions.create({});\n  el.innerHTML = DOMPurify.sanitize(r.choices[0].message.content);\n}\n",
        ] {
            assert!(flows(src).is_empty(), "{src}");
        }
    }
}
