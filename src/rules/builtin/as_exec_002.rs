//! AS-EXEC-002: agent-framework deserialisation opt-ins. Pickle-backed stores load
//! code with their data once `allow_dangerous_deserialization` is set, and LangChain's
//! `load`/`loads` instantiate classes named by the data they read.

use crate::finding::{Confidence, Severity};
use crate::lang::calls::{Call, Index, Value};
use crate::lang::Lang;
use crate::rules::{Context, Parsed, Rule};

pub struct UnsafeDeserialization;

impl Rule for UnsafeDeserialization {
    fn id(&self) -> &'static str {
        "AS-EXEC-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let Some(code) = file.code else { return };
        let ix = &code.index;
        for c in &ix.calls {
            for key in [
                "allow_dangerous_deserialization",
                "allowDangerousDeserialization",
            ] {
                if let Some(a) = c.kw(key).filter(|a| a.is_true()) {
                    let span = a
                        .name_span
                        .clone()
                        .map_or(a.span.clone(), |n| n.start..a.span.end);
                    cx.report(span, &format!("{}:{key}", c.raw), format!(
                        "`{}` is called with `{key}=True`: the file it loads is unpickled, so whoever can write or replace it runs code in this process",
                        c.raw
                    ));
                }
            }
            if is_langchain_load(code.lang, c) {
                langchain_load(ix, c, cx);
            }
            if code.lang == Lang::Python
                && c.is_any(&["load_prompt", "load_prompt_from_config"])
                && c.callee.starts_with("langchain")
            {
                if let Some(a) = c.pos(0).filter(|a| ix.string(a).is_none()) {
                    cx.report(a.span.clone(), &format!("{}:arg", c.raw), format!(
                        "`{}` reads a prompt file chosen at run time: a path from outside can load any file as a template (path traversal)",
                        c.raw
                    ))
                    .severity(Severity::Medium)
                    .confidence(Confidence::Medium);
                }
            }
        }
    }
}

/// `langchain_core.load.load|loads` (Python) or `load` from `@langchain/core/load`.
fn is_langchain_load(lang: Lang, c: &Call) -> bool {
    match lang {
        Lang::Python => {
            matches!(c.method(), "load" | "loads")
                && (c.callee.starts_with("langchain_core.load")
                    || c.callee.starts_with("langchain.load"))
        }
        _ => c.method() == "load" && c.callee.starts_with("@langchain/core/load"),
    }
}

fn langchain_load(ix: &Index, c: &Call, cx: &mut Context<'_>) {
    // Opt-ins that widen what the data can instantiate or read.
    let widen = c
        .kw("allowed_objects")
        .filter(|a| ix.string(a).is_some_and(|(s, _, _)| s == "all"))
        .map(|a| (a, "allowed_objects=\"all\""))
        .or_else(|| {
            c.kw("secrets_from_env")
                .filter(|a| a.is_true())
                .map(|a| (a, "secrets_from_env=True"))
        })
        .or_else(|| {
            c.kw("secretsFromEnv")
                .filter(|a| a.is_true())
                .map(|a| (a, "secretsFromEnv: true"))
        });
    let literal = c.pos(0).is_some_and(|a| matches!(a.value, Value::Str(_)));
    if literal {
        return;
    }
    match widen {
        Some((a, what)) => {
            let span = a
                .name_span
                .clone()
                .map_or(a.span.clone(), |n| n.start..a.span.end);
            cx.report(span, &format!("{}:{what}", c.raw), format!(
                "`{}` deserialises data read at run time with `{what}`: crafted data can instantiate arbitrary classes or pull secrets from the environment (CVE-2025-68664 class)",
                c.raw
            ));
        }
        None => {
            let Some(a) = c.pos(0) else { return };
            cx.report(a.span.clone(), &format!("{}:arg", c.raw), format!(
                "`{}` deserialises LangChain objects from data read at run time: if that data can come from outside, it chooses which classes are built",
                c.raw
            ))
            .severity(Severity::Medium)
            .confidence(Confidence::Medium);
        }
    }
}
