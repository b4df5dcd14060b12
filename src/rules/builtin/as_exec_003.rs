//! AS-EXEC-003: an agent that runs the code its model writes on the host, configured
//! in CrewAI YAML or in Python code. CrewAI's `code_execution_mode` defaults to `safe` (a
//! Docker container, falling back to a restricted in-process interpreter when Docker is
//! missing); `unsafe` runs the code directly on the host with the agent's privileges
//! and secrets. Local executors of other frameworks do the same.

use crate::classify::FileKind;
use crate::finding::{Confidence, Severity};
use crate::lang::calls::{Call, Value};
use crate::lang::{Lang, Module};
use crate::manifest::crewai::{self, lax_bool};
use crate::rules::{Context, Parsed, Rule};

pub struct HostCodeExecution;

impl Rule for HostCodeExecution {
    fn id(&self) -> &'static str {
        "AS-EXEC-003"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if file.kind == FileKind::CrewAi {
            crewai_agents(file, cx);
        }
        if let Some(code) = file.code.filter(|c| c.lang == Lang::Python) {
            code_executors(code, cx);
        }
        if let Some(code) = file
            .code
            .filter(|c| c.lang != Lang::Python && c.lang != Lang::Rust)
        {
            ts_executors(code, cx);
        }
    }
}

fn crewai_agents(file: &Parsed<'_>, cx: &mut Context<'_>) {
    for root in file.roots {
        for agent in crewai::agents(root) {
            let Some(allow) = agent.setting("allow_code_execution") else {
                continue;
            };
            if lax_bool(&allow.value) != Some(true) {
                continue;
            }
            let name = agent.name();
            let mode = agent.setting("code_execution_mode");
            let unsafe_mode = mode
                .and_then(|m| m.value.as_str())
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("unsafe"));
            match mode {
                Some(m) if unsafe_mode => {
                    cx.report(
                        m.value.span.clone(),
                        &agent.route().key(&m.key).to_string(),
                        format!(
                            "CrewAI agent '{name}' runs the code its model writes directly on the host (code_execution_mode: unsafe), with the agent's files, network and secrets"
                        ),
                    );
                }
                _ => {
                    cx.report(
                        allow.key_span.clone(),
                        &agent.route().key(&allow.key).to_string(),
                        format!(
                            "CrewAI agent '{name}' runs the code its model writes (allow_code_execution) in CrewAI's Docker mode, which falls back to a restricted in-process interpreter when Docker is unavailable; the feature is deprecated"
                        ),
                    )
                    .severity(Severity::Low);
                }
            }
        }
    }
}

/// The framework's own classes only: a project's class that happens to be called
/// `Agent` or `CodeAgent` says nothing about where code runs.
fn from(c: &Call, module: &str) -> bool {
    c.callee.starts_with(module)
}

fn code_executors(code: &Module, cx: &mut Context<'_>) {
    for c in &code.index.calls {
        if c.is("Agent") && from(c, "crewai") {
            crewai_agent(c, cx);
        } else if c.is("CodeInterpreterTool") && from(c, "crewai") {
            if let Some(a) = c.kwarg("unsafe_mode").filter(|a| a.is_true()) {
                cx.report(
                    a.span.clone(),
                    "CodeInterpreterTool:unsafe_mode",
                    "CrewAI `CodeInterpreterTool(unsafe_mode=True)` runs the code its model writes directly on the host, with the agent's files, network and secrets",
                );
            }
        } else if c.is("CodeAgent") && from(c, "smolagents") {
            smolagents_agent(c, cx);
        } else if c.is("LocalPythonExecutor") && from(c, "smolagents") {
            cx.report(
                c.callee_span.clone(),
                "LocalPythonExecutor",
                "smolagents `LocalPythonExecutor` runs model-written Python in this process; its import and operation limits are documented as not a security sandbox",
            )
            .severity(Severity::Medium);
        } else if c.is("LocalCommandLineCodeExecutor") && from(c, "autogen") {
            cx.report(
                c.callee_span.clone(),
                "LocalCommandLineCodeExecutor",
                "AutoGen `LocalCommandLineCodeExecutor` runs the code blocks its model writes as local processes, with the agent's files, network and secrets",
            )
            .severity(Severity::High);
        } else if c.is("JupyterCodeExecutor") && from(c, "autogen") {
            cx.report(
                c.callee_span.clone(),
                "JupyterCodeExecutor",
                "AutoGen `JupyterCodeExecutor` runs model-written code in a local Jupyter kernel, with the agent's files, network and secrets",
            )
            .severity(Severity::Medium);
        } else if c.is("LocalShellTool") && from(c, "agents") {
            cx.report(
                c.callee_span.clone(),
                "LocalShellTool",
                "OpenAI Agents `LocalShellTool` runs the shell commands its model writes on this host",
            )
            .severity(Severity::High);
        } else if from(c, "autogen") {
            legacy_autogen(c, cx);
        }
    }
}

/// Packages of the OpenAI Agents SDK for JavaScript.
const OPENAI_AGENTS_JS: &[&str] = &[
    "@openai/agents",
    "@openai/agents-core",
    "@openai/agents-openai",
];
/// The Claude Agent SDK for TypeScript and its former name.
const CLAUDE_SDK_JS: &[&str] = &[
    "@anthropic-ai/claude-agent-sdk",
    "@anthropic-ai/claude-code",
];

/// LangChain.js's Pyodide interpreter tool, in the community package and the old path.
const LANGCHAIN_PYINTERPRETER: &[&str] = &[
    "@langchain/community/experimental/tools/pyinterpreter",
    "langchain/experimental/tools/pyinterpreter",
];

fn from_any(c: &Call, modules: &[&str]) -> bool {
    modules
        .iter()
        .any(|m| c.callee.strip_prefix(m).is_some_and(|r| r.starts_with('.')))
}

/// An approval option that asks a person: anything but a literal `false`.
fn asks_approval(c: &Call, key: &str) -> bool {
    c.kw(key)
        .is_some_and(|a| !matches!(a.value, Value::Bool(false)))
}

fn ts_executors(code: &Module, cx: &mut Context<'_>) {
    for c in &code.index.calls {
        if c.last() == "shellTool" && from_any(c, OPENAI_AGENTS_JS) {
            openai_shell_tool(c, cx);
        } else if c.last() == "computerTool" && from_any(c, OPENAI_AGENTS_JS) {
            // The SDK drives a `Computer` the program implements, in its own environment.
            let approved = asks_approval(c, "needsApproval");
            cx.report(
                c.callee_span.clone(),
                "computerTool",
                "OpenAI Agents `computerTool` lets the model drive a computer this program controls (clicks, typing, navigation) with its sessions and files",
            )
            .severity(if approved { Severity::Low } else { Severity::Medium });
        } else if c.last() == "query" && from_any(c, CLAUDE_SDK_JS) {
            claude_query(code, c, cx);
        } else if matches!(c.last(), "PythonInterpreterTool" | "initialize")
            && c.callee.contains("PythonInterpreterTool")
            && from_any(c, LANGCHAIN_PYINTERPRETER)
        {
            cx.report(
                c.callee_span.clone(),
                "PythonInterpreterTool",
                "LangChain.js `PythonInterpreterTool` runs model-written Python in Pyodide inside this process, whose `js` module reaches the host JavaScript runtime; it is not an isolated sandbox",
            )
            .severity(Severity::Medium);
        }
    }
}

/// `shellTool({ shell })` runs on this host unless `environment` names a hosted
/// container (`container_auto`, `container_reference`).
fn openai_shell_tool(c: &Call, cx: &mut Context<'_>) {
    let hosted = match c.kw("environment").map(|a| &a.value) {
        Some(Value::Object(props)) => props.iter().any(|p| {
            p.name.as_deref() == Some("type")
                && matches!(&p.value, Value::Str(t) if t.starts_with("container"))
        }),
        // A variable: where it points is not known here.
        Some(_) => true,
        None => false,
    };
    if hosted {
        return;
    }
    if asks_approval(c, "needsApproval") {
        cx.report(
            c.callee_span.clone(),
            "shellTool",
            "OpenAI Agents `shellTool` with a local shell runs the commands its model writes on this host; each call waits for `needsApproval`, so a person (or the approval function) is the only barrier",
        )
        .severity(Severity::Medium);
    } else {
        cx.report(
            c.callee_span.clone(),
            "shellTool",
            "OpenAI Agents `shellTool` with a local shell runs the commands its model writes on this host without approval",
        )
        .severity(Severity::High);
    }
}

/// `query({ options: { permissionMode: "bypassPermissions" } })`: every tool call that
/// no deny rule blocks is approved, Bash included (the allow list does not limit it).
fn claude_query(code: &Module, c: &Call, cx: &mut Context<'_>) {
    let Some(options) = c.kw("options") else {
        return;
    };
    let Value::Object(props) = &options.value else {
        return;
    };
    let prop = |k: &str| props.iter().find(|p| p.name.as_deref() == Some(k));
    let Some(mode) = prop("permissionMode") else {
        return;
    };
    if code.index.string(mode).map(|s| s.0) != Some("bypassPermissions") {
        return;
    }
    let lists_bash = |k: &str| {
        prop(k).is_some_and(|a| match &a.value {
            Value::List(items) => items
                .iter()
                .any(|(v, _)| matches!(v, Value::Str(s) if s == "Bash" || s.starts_with("Bash("))),
            _ => false,
        })
    };
    let denied = prop("disallowedTools").is_some_and(|a| match &a.value {
        Value::List(items) => items
            .iter()
            .any(|(v, _)| matches!(v, Value::Str(s) if s == "Bash")),
        _ => false,
    });
    if denied {
        return;
    }
    let why = if lists_bash("allowedTools") {
        "with `Bash` allowed"
    } else {
        "which approves Bash too unless `disallowedTools` names it"
    };
    cx.report(
        mode.span.clone(),
        "query:permissionMode",
        format!(
            "Claude Agent SDK `query` runs with `permissionMode: \"bypassPermissions\"` {why}: the shell commands its model writes run on this host without approval"
        ),
    )
    .severity(Severity::High);
}

/// `Agent(allow_code_execution=True, code_execution_mode="unsafe")`, as in the YAML.
fn crewai_agent(c: &Call, cx: &mut Context<'_>) {
    let Some(allow) = c.kwarg("allow_code_execution").filter(|a| a.is_true()) else {
        return;
    };
    let mode = c.kwarg("code_execution_mode");
    match mode
        .filter(|m| matches!(&m.value, Value::Str(s) if s.trim().eq_ignore_ascii_case("unsafe")))
    {
        Some(m) => {
            cx.report(
                m.span.clone(),
                "Agent:code_execution_mode",
                "CrewAI `Agent(..., code_execution_mode=\"unsafe\")` runs the code its model writes directly on the host, with the agent's files, network and secrets",
            );
        }
        None => {
            cx.report(
                allow.span.clone(),
                "Agent:allow_code_execution",
                "CrewAI `Agent(..., allow_code_execution=True)` runs the code its model writes in CrewAI's Docker mode, which falls back to a restricted in-process interpreter when Docker is unavailable; the feature is deprecated",
            )
            .severity(Severity::Low);
        }
    }
}

/// `CodeAgent` runs its code with the local executor unless `executor_type` names a
/// remote or container sandbox (the default is `"local"`) or an executor is passed.
fn smolagents_agent(c: &Call, cx: &mut Context<'_>) {
    match c.kwarg("executor_type") {
        Some(a) if matches!(&a.value, Value::Str(s) if s == "local") => {
            cx.report(
                a.span.clone(),
                "CodeAgent:executor_type",
                "smolagents `CodeAgent(executor_type=\"local\")` runs model-written Python in this process; the local executor's limits are documented as not a security sandbox",
            )
            .severity(Severity::Medium);
        }
        None if c.kwarg("executor").is_none() => {
            cx.report(
                c.callee_span.clone(),
                "CodeAgent",
                "smolagents `CodeAgent` without `executor_type` runs model-written Python in this process with the local executor, which is documented as not a security sandbox",
            )
            // The default: nearly every smolagents program writes it, so it is low and
            // the explicit `executor_type="local"` choice is medium.
            .severity(Severity::Low)
            .confidence(Confidence::Medium);
        }
        _ => {}
    }
}

/// AutoGen 0.2 / AG2 `code_execution_config={"use_docker": False, ...}`.
fn legacy_autogen(c: &Call, cx: &mut Context<'_>) {
    let Some(cfg) = c.kwarg("code_execution_config") else {
        return;
    };
    let Value::Object(props) = &cfg.value else {
        return;
    };
    if let Some(p) = props
        .iter()
        .find(|p| p.name.as_deref() == Some("use_docker") && p.is_false())
    {
        cx.report(
            p.span.clone(),
            &format!("{}:use_docker", c.last()),
            format!(
                "AutoGen `{}` with `\"use_docker\": False` runs the code its model writes as local processes, with the agent's files, network and secrets",
                c.last()
            ),
        )
        .severity(Severity::High);
    }
}
