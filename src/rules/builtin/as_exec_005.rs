//! AS-EXEC-005: HTTP request tools the model can point at any URL from the network
//! position of the agent (internal services, cloud metadata).

use crate::finding::Severity;
use crate::lang::calls::Value;
use crate::rules::{Context, Parsed, Rule};

pub struct UnrestrictedRequests;

const REQUEST_TOOLS: &[&str] = &[
    "requests_all",
    "requests_get",
    "requests_post",
    "requests_patch",
    "requests_put",
    "requests_delete",
];

impl Rule for UnrestrictedRequests {
    fn id(&self) -> &'static str {
        "AS-EXEC-005"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let Some(code) = file.code else { return };
        let ix = &code.index;
        for c in &ix.calls {
            if let Some(a) = c.kw("allow_dangerous_requests").filter(|a| a.is_true()) {
                let span = a
                    .name_span
                    .clone()
                    .map_or(a.span.clone(), |n| n.start..a.span.end);
                cx.report(span, &format!("{}:allow_dangerous_requests", c.raw), format!(
                    "`{}` is given `allow_dangerous_requests=True`: the model can send requests to any URL, including internal services and cloud metadata endpoints",
                    c.raw
                ));
            }
            if c.raw.contains("APIChain") && c.method().starts_with("from_llm") {
                if let Some(a) = c.kw("limit_to_domains").filter(|a| a.value == Value::Null) {
                    cx.report(a.span.clone(), &format!("{}:limit_to_domains", c.raw), format!(
                        "`{}` is built with `limit_to_domains=None`: the chain requests whatever URL the model writes",
                        c.raw
                    ));
                }
            }
            if c.is("load_tools") && c.callee.starts_with("langchain") {
                if let Some(Value::List(items)) = c.pos(0).map(|a| &a.value) {
                    for (v, span) in items {
                        if let Value::Str(s) = v {
                            if REQUEST_TOOLS.contains(&s.as_str()) {
                                cx.report(span.clone(), &format!("load_tools:{s}"), format!(
                                    "`load_tools` loads `{s}`: a tool that requests any URL the model chooses, from this host's network"
                                ))
                                .severity(Severity::Medium);
                            }
                        }
                    }
                }
            }
            let ts_tool = c.is_any(&["RequestsGetTool", "RequestsPostTool"])
                && c.callee.contains("langchain")
                || c.is("LLMRequestsChain") && c.callee.starts_with("langchain");
            if ts_tool && c.kw("allow_dangerous_requests").is_none() {
                cx.report(
                    c.callee_span.clone(),
                    &format!("{}:ctor", c.raw),
                    format!(
                        "`{}` requests any URL the model chooses, from this host's network",
                        c.raw
                    ),
                )
                .severity(Severity::Medium);
            }
        }
    }
}
