//! Taint sources besides tool parameters, by name: calls that return a language
//! model's output, and the fields of a web framework's request object. Python and
//! TypeScript decide from the syntax which receiver and callee a call has; these
//! predicates decide from the names whether that is a model or a request.
//!
//! The model is steered by every text it reads, so what it returns is as untrusted as
//! a tool argument (the catalog's §1.4 model-output sources). Receivers must plausibly
//! be a model client: a `dict.invoke` or an unrelated `.content` is not a source.

use super::taint::{Origin, Taint};

/// Module roots (Python) and packages (JS) of model SDKs and agent frameworks.
pub fn llm_module(m: &str) -> bool {
    let m = m.trim_start_matches('@');
    let root = m.split(['.', '/']).next().unwrap_or(m);
    matches!(
        root,
        "openai"
            | "anthropic"
            | "langchain"
            | "langchain_core"
            | "langchain_openai"
            | "langchain_anthropic"
            | "langchain_community"
            | "langchain_google_genai"
            | "langchain_ollama"
            | "langchain_aws"
            | "langchain_groq"
            | "langchain_mistralai"
            | "langgraph"
            | "llama_index"
            | "litellm"
            | "ollama"
            | "groq"
            | "mistralai"
            | "cohere"
            | "google"
            | "crewai"
            | "agno"
            | "pydantic_ai"
            | "smolagents"
            | "strands"
            | "agents"
            | "ai-sdk"
            | "ai"
            | "anthropic-ai"
            | "mastra"
    )
}

/// A constructor or factory whose result is a model, chain or agent whose calls
/// return model output (`ChatOpenAI(...)`, `AgentExecutor(...)`, `new ChatAnthropic()`).
pub fn llm_ctor(last: &str) -> bool {
    if ["Prompt", "Message", "Parser", "Embedding", "Tool", "Loader"]
        .iter()
        .any(|k| last.contains(k))
    {
        return false;
    }
    last.starts_with("Chat")
        || last.ends_with("LLM")
        || [
            "OpenAI",
            "Anthropic",
            "Ollama",
            "Gemini",
            "Bedrock",
            "Groq",
            "Mistral",
            "VertexAI",
        ]
        .iter()
        .any(|k| last.contains(k))
        || matches!(
            last,
            "AgentExecutor"
                | "create_react_agent"
                | "create_agent"
                | "createReactAgent"
                | "createAgent"
                | "initialize_agent"
                | "create_openai_functions_agent"
                | "create_openai_tools_agent"
                | "create_tool_calling_agent"
                | "LLMChain"
                | "ConversationChain"
                | "RetrievalQA"
                | "init_chat_model"
                | "initChatModel"
                | "GenerativeModel"
                | "Agent"
                | "CodeAgent"
                | "ToolCallingAgent"
                | "Crew"
                | "as_query_engine"
                | "as_chat_engine"
                | "with_structured_output"
                | "withStructuredOutput"
                | "bind_tools"
                | "bindTools"
        )
}

/// A receiver named like a model, chain or agent (`llm`, `chat_model`, `qa_chain`,
/// `agent_executor`), for models built elsewhere and passed in.
pub fn llm_name(recv: &str) -> bool {
    let seg = recv.rsplit('.').next().unwrap_or(recv).to_ascii_lowercase();
    let seg = seg.trim_start_matches('_');
    seg == "llm"
        || seg.ends_with("_llm")
        || seg.starts_with("llm_")
        || seg.ends_with("llm") && seg.len() <= 8
        || matches!(
            seg,
            "chat_model" | "chatmodel" | "model" | "chain" | "agent" | "agent_executor"
        )
        || seg.ends_with("_chain")
        || seg.ends_with("chain") && seg.len() <= 12
        || seg.ends_with("_agent")
        || seg.contains("query_engine")
        || seg.contains("chat_engine")
        || seg.contains("queryengine")
}

/// Methods of a model, chain, agent or engine object that return its output.
/// `by_name`: the receiver is only named like a model, so methods common on other
/// objects (`model.predict` of a classifier, `engine.query` of a database) need
/// the name to say which engine it is.
pub fn llm_method(m: &str, recv: &str, by_name: bool) -> bool {
    if by_name {
        let r = recv.to_ascii_lowercase();
        return match m {
            "query" | "aquery" => r.contains("query_engine") || r.contains("queryengine"),
            "chat" | "achat" => r.contains("chat_engine") || r.contains("llm"),
            "predict" | "apredict" | "call" | "prompt" | "generate" => false,
            _ => llm_method(m, recv, false),
        };
    }
    matches!(
        m,
        "invoke"
            | "ainvoke"
            | "predict"
            | "apredict"
            | "run"
            | "arun"
            | "run_sync"
            | "stream"
            | "astream"
            | "complete"
            | "acomplete"
            | "chat"
            | "achat"
            | "query"
            | "aquery"
            | "generate_content"
            | "kickoff"
            | "prompt"
            | "generate"
    )
}

/// A call whose path alone names a model API (`client.chat.completions.create`,
/// `openai.responses.create`, `litellm.completion`); `anthropic` says whether the
/// file imports the Anthropic SDK, without which `.messages.create` is ambiguous
/// (Twilio sends SMS with it).
pub fn model_api_path(path: &str, anthropic: bool) -> bool {
    let ends = |s: &str| path == s.trim_start_matches('.') || path.ends_with(s);
    [
        ".chat.completions.create",
        ".chat.completions.parse",
        ".responses.create",
        ".responses.parse",
        ".models.generate_content",
    ]
    .iter()
    .any(|s| ends(s))
        || (anthropic && ends(".messages.create"))
        || matches!(
            path,
            "litellm.completion"
                | "litellm.acompletion"
                | "ollama.chat"
                | "ollama.generate"
                | "openai.ChatCompletion.create"
                | "openai.Completion.create"
                | "agents.Runner.run"
                | "agents.Runner.run_sync"
                | "agents.Runner.run_streamed"
        )
}

/// Vercel AI SDK and OpenAI Agents JS functions that return model output.
pub fn js_model_fn(module_member: &str) -> bool {
    matches!(
        module_member,
        "ai.generateText"
            | "ai.generateObject"
            | "ai.streamText"
            | "ai.streamObject"
            | "@openai/agents.run"
            | "openai/agents.run"
            | "ai/react.useChat"
            | "ai/react.useCompletion"
            | "@ai-sdk/react.useChat"
            | "@ai-sdk/react.useCompletion"
    )
}

/// Fields of Flask, Django and Starlette/FastAPI request objects that hold what the
/// client sent.
pub const PY_REQUEST_FIELDS: &[&str] = &[
    "args",
    "form",
    "json",
    "values",
    "headers",
    "cookies",
    "data",
    "files",
    "view_args",
    "GET",
    "POST",
    "body",
    "COOKIES",
    "META",
    "FILES",
    "query_params",
    "path_params",
];

/// Methods of the same objects that return what the client sent.
pub const PY_REQUEST_METHODS: &[&str] = &["get_json", "get_data", "json", "form", "body"];

/// Express `req.*` and Hono `c.req.*` fields, and the Fetch API `Request` methods
/// (Next.js route handlers).
pub const JS_REQUEST_FIELDS: &[&str] = &[
    "body", "query", "params", "headers", "cookies", "url", "nextUrl",
];
pub const JS_REQUEST_METHODS: &[&str] = &[
    "json",
    "text",
    "formData",
    "query",
    "param",
    "header",
    "valid",
    "parseBody",
    "queries",
];

/// HTTP verbs of route registration (`app.get`, `router.post`, `@app.route`).
pub fn route_verb(m: &str) -> bool {
    matches!(
        m,
        "get" | "post" | "put" | "patch" | "delete" | "route" | "api_route" | "all" | "use"
    )
}

/// String methods whose result is still the text they were given: a system prompt
/// built with one of them holds the untrusted value. Any other call in that place
/// computes the prompt out of sight (`systemPrompt({ selectedChatModel })` picks a
/// constant by the value), so it is not reported.
pub const STRING_METHODS: &[&str] = &[
    "format",
    "join",
    "concat",
    "replace",
    "strip",
    "trim",
    "toString",
    "dedent",
    "lower",
    "upper",
    "format_map",
    "substitute",
];

/// The source label for a model call: the callee as written, shortened.
pub fn label(callee: &str) -> String {
    // Line breaks and the indentation after them go; other spacing stays.
    let c: String = callee.lines().map(str::trim).collect::<Vec<_>>().join("");
    if c.chars().count() > 60 {
        let mut s: String = c.chars().take(57).collect();
        s.push_str("...");
        s
    } else {
        c
    }
}

/// The taint of what a model returned, from the call as written.
pub fn model_output(span: crate::manifest::Span, written: &str) -> Taint {
    Taint::from(
        Origin::Model,
        span,
        format!("model output from `{}`", label(written)),
    )
}

/// The taint of a request field (`req.body.cmd`) as written.
pub fn request_field(span: crate::manifest::Span, written: &str) -> Taint {
    Taint::from(
        Origin::Request,
        span,
        format!("request field `{}`", label(written)),
    )
}

/// The taint of a request method's result (`await request.json()`) as written.
pub fn request_data(span: crate::manifest::Span, written: &str) -> Taint {
    Taint::from(
        Origin::Request,
        span,
        format!("request data `{}`", label(written)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_by_name() {
        for r in [
            "llm",
            "self.llm",
            "chat_model",
            "qa_chain",
            "agent_executor",
            "query_engine",
        ] {
            assert!(llm_name(r), "{r}");
        }
        for r in [
            "d",
            "data",
            "resp",
            "client",
            "cache",
            "toolchain_config",
            "handlers",
        ] {
            assert!(!llm_name(r), "{r}");
        }
        assert!(llm_ctor("ChatOpenAI") && llm_ctor("AzureOpenAI") && llm_ctor("AgentExecutor"));
        assert!(!llm_ctor("ChatPromptTemplate") && !llm_ctor("HumanMessage") && !llm_ctor("dict"));
    }

    #[test]
    fn api_paths() {
        assert!(model_api_path("client.chat.completions.create", false));
        assert!(model_api_path("self.client.responses.create", false));
        assert!(!model_api_path("client.messages.create", false));
        assert!(model_api_path("client.messages.create", true));
        assert!(!model_api_path("create", true));
        assert_eq!(label("a\n  .b()"), "a.b()");
        assert!(label(&"é".repeat(100)).ends_with("..."));
    }
}
