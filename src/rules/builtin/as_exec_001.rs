//! AS-EXEC-001: LangChain opt-ins that hand the model a Python interpreter or a shell.

use crate::finding::Severity;
use crate::lang::Lang;
use crate::rules::{Context, Parsed, Rule};

pub struct LangchainDangerousTools;

const DATAFRAME_AGENTS: &[&str] = &[
    "create_pandas_dataframe_agent",
    "create_csv_agent",
    "create_spark_dataframe_agent",
    "create_xorbits_agent",
];

const REPL_TOOLS: &[&str] = &[
    "PythonREPLTool",
    "PythonAstREPLTool",
    "PythonREPL",
    "ShellTool",
    "BashProcess",
];

const MATH_CHAINS: &[&str] = &["LLMMathChain", "PALChain", "CPALChain"];

impl Rule for LangchainDangerousTools {
    fn id(&self) -> &'static str {
        "AS-EXEC-001"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let Some(code) = file.code.filter(|c| c.lang == Lang::Python) else {
            return;
        };
        for c in &code.index.calls {
            // LangChain names only: a project's own `ShellTool` class is not LangChain's.
            let langchain = c.callee.starts_with("langchain");
            let last = c.last();
            if let Some(a) = c.kwarg("allow_dangerous_code").filter(|a| a.is_true()) {
                let what = if DATAFRAME_AGENTS.contains(&last) {
                    format!("`{last}` with `allow_dangerous_code=True` runs Python the model writes on this host")
                } else {
                    format!("`{last}(..., allow_dangerous_code=True)` lets the model's code run on this host")
                };
                cx.report(
                    a.span.clone(),
                    &format!("{last}:allow_dangerous_code"),
                    format!("{what}: a prompt injection in the data becomes code execution"),
                );
            }
            if let Some(a) = c.kwarg("allow_dangerous_tools").filter(|a| a.is_true()) {
                cx.report(
                    a.span.clone(),
                    &format!("{last}:allow_dangerous_tools"),
                    format!("`{last}(..., allow_dangerous_tools=True)` enables tools that execute code or commands for whoever steers the model"),
                );
            }
            if langchain && REPL_TOOLS.contains(&last) {
                cx.report(
                    c.span.clone(),
                    last,
                    format!("`{last}` gives the model a Python or shell interpreter on this host: a prompt injection becomes code execution"),
                );
            }
            if last == "load_tools" {
                for a in c
                    .args
                    .iter()
                    .filter(|a| a.name.is_none() || a.name.as_deref() == Some("tool_names"))
                {
                    let written = file.source.text.get(a.span.clone()).unwrap_or("");
                    for t in ["terminal", "python_repl"] {
                        if written.contains(&format!("\"{t}\""))
                            || written.contains(&format!("'{t}'"))
                        {
                            cx.report(
                                a.span.clone(),
                                &format!("load_tools:{t}"),
                                format!("`load_tools` with \"{t}\" gives the model a shell or Python interpreter on this host"),
                            );
                        }
                    }
                }
            }
            // `LLMMathChain(...)` or `LLMMathChain.from_llm(...)`.
            let chain = c.callee.split('.').find(|s| MATH_CHAINS.contains(s));
            if let (true, Some(chain)) = (langchain, chain) {
                cx.report(
                    c.span.clone(),
                    chain,
                    format!("`{chain}` evaluates model-written expressions or programs (CVE-2023-29374 was LLMMathChain running `exec`)"),
                )
                .severity(Severity::Medium);
            }
        }
    }
}
