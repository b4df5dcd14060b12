//! AS-EXEC-004: a restricted interpreter told to allow every module, or modules that
//! give the generated code the host (processes, files, the interpreter itself).

use crate::finding::Severity;
use crate::lang::calls::Value;
use crate::lang::Lang;
use crate::rules::{Context, Parsed, Rule};

pub struct WideImports;

/// Modules that hand the generated code the host: processes, files, the interpreter.
const HOST_MODULES: &[&str] = &[
    "os",
    "subprocess",
    "sys",
    "shutil",
    "pathlib",
    "importlib",
    "builtins",
    "ctypes",
    "pickle",
    "marshal",
    "multiprocessing",
    "pty",
    "io",
    "posix",
    "signal",
];
/// Modules that give it the network.
const NETWORK_MODULES: &[&str] = &[
    "socket", "requests", "urllib", "urllib3", "http", "httpx", "aiohttp", "ftplib", "smtplib",
];

impl Rule for WideImports {
    fn id(&self) -> &'static str {
        "AS-EXEC-004"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let Some(code) = file.code else { return };
        if code.lang != Lang::Python {
            return;
        }
        let ix = &code.index;
        for c in &ix.calls {
            if c.is_any(&["CodeAgent", "LocalPythonExecutor"]) && c.callee.starts_with("smolagents")
            {
                let arg = c
                    .kw("additional_authorized_imports")
                    .or_else(|| c.is("LocalPythonExecutor").then(|| c.pos(0)).flatten());
                let Some(arg) = arg else { continue };
                let items: Vec<(String, crate::manifest::Span)> = match &arg.value {
                    Value::List(items) => items
                        .iter()
                        .filter_map(|(v, s)| match v {
                            Value::Str(x) => Some((x.clone(), s.clone())),
                            _ => None,
                        })
                        .collect(),
                    Value::Str(s) => vec![(s.clone(), arg.span.clone())],
                    _ => Vec::new(),
                };
                let mut worst: Option<(Severity, String, crate::manifest::Span)> = None;
                for (m, span) in items {
                    let root = m.split('.').next().unwrap_or(&m);
                    let sev = if m == "*" {
                        Severity::Critical
                    } else if HOST_MODULES.contains(&root) {
                        Severity::High
                    } else if NETWORK_MODULES.contains(&root) {
                        Severity::Medium
                    } else {
                        continue;
                    };
                    if worst.as_ref().is_none_or(|(w, _, _)| sev > *w) {
                        worst = Some((sev, m, span));
                    }
                }
                let Some((sev, m, span)) = worst else {
                    continue;
                };
                let why = match sev {
                    Severity::Critical => "`\"*\"` lets the model's code import any module, so the local executor no longer restricts anything".to_string(),
                    Severity::High => format!("`{m}` gives the model's code processes, files or the interpreter itself on this host"),
                    _ => format!("`{m}` gives the model's code the network (exfiltration, internal services)"),
                };
                cx.report(
                    span,
                    &format!("{}:{m}", c.raw),
                    format!("`{}` authorises imports for generated code: {why}", c.raw),
                )
                .severity(sev);
            }
            if let Some(a) = c.kw("full_eval").filter(|a| a.is_true()) {
                if c.callee.starts_with("langroid") {
                    let span = a
                        .name_span
                        .clone()
                        .map_or(a.span.clone(), |n| n.start..a.span.end);
                    cx.report(span, &format!("{}:full_eval", c.raw), format!(
                        "`{}` sets `full_eval=True`: expressions from the model are evaluated with full Python instead of the restricted evaluator",
                        c.raw
                    ))
                    .severity(Severity::High);
                }
            }
        }
    }
}
