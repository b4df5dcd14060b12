//! Call sites and settings of a code file, for pattern rules (TLS verification off,
//! dangerous framework opt-ins, unsafe model loading): collected in one walk, with
//! callee names resolved through imports.

use std::collections::HashMap;

use tree_sitter::Node;

use super::{python, string_literal, text_of, typescript, Lang};
use crate::manifest::Span;

/// A call: `httpx.Client(verify=False)`, `new https.Agent({...})`.
#[derive(Debug, Clone)]
pub struct CallSite {
    /// The callee through imports (`torch.load`, `child_process.exec`); the written
    /// text when it cannot be resolved (`self.client.get`).
    pub name: String,
    pub span: Span,
    pub args: Vec<Arg>,
}

/// A positional or keyword argument, as written.
#[derive(Debug, Clone)]
pub struct Arg {
    pub key: Option<String>,
    pub value: String,
    pub span: Span,
}

/// `target = value` or an object property `key: value`.
#[derive(Debug, Clone)]
pub struct Setting {
    /// Assignment target text, or the property key without quotes.
    pub target: String,
    pub value: String,
    pub value_span: Span,
    /// An object property (`key: value`) rather than an assignment.
    pub property: bool,
}

impl CallSite {
    /// The last segment of the callee: `load` of `torch.load`.
    pub fn last(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }

    pub fn kwarg(&self, key: &str) -> Option<&Arg> {
        self.args.iter().find(|a| a.key.as_deref() == Some(key))
    }
}

fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut c = node.walk();
    node.named_children(&mut c).collect()
}

pub fn collect(
    lang: Lang,
    nodes: &[Node<'_>],
    text: &str,
    imports: &HashMap<String, String>,
) -> (Vec<CallSite>, Vec<Setting>) {
    let mut calls = Vec::new();
    let mut settings = Vec::new();
    match lang {
        Lang::Python => {
            walk(nodes, &mut |n| match n.kind() {
                "call" => {
                    let Some(f) = n.child_by_field_name("function") else {
                        return;
                    };
                    let name = python::dotted(f, text, imports)
                        .unwrap_or_else(|| text_of(f, text).to_string());
                    let args = n
                        .child_by_field_name("arguments")
                        .map(children)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|a| a.kind() != "comment")
                        .map(|a| {
                            if a.kind() == "keyword_argument" {
                                let k = a.child_by_field_name("name").map(|k| text_of(k, text));
                                let v = a.child_by_field_name("value").unwrap_or(a);
                                Arg {
                                    key: k.map(str::to_string),
                                    value: text_of(v, text).to_string(),
                                    span: v.byte_range(),
                                }
                            } else {
                                Arg {
                                    key: None,
                                    value: text_of(a, text).to_string(),
                                    span: a.byte_range(),
                                }
                            }
                        })
                        .collect();
                    calls.push(CallSite {
                        name,
                        span: n.byte_range(),
                        args,
                    });
                }
                "assignment" => {
                    if let (Some(l), Some(r)) = (
                        n.child_by_field_name("left"),
                        n.child_by_field_name("right"),
                    ) {
                        settings.push(Setting {
                            target: text_of(l, text).to_string(),
                            value: text_of(r, text).to_string(),
                            value_span: r.byte_range(),
                            property: false,
                        });
                    }
                }
                _ => {}
            });
        }
        _ => {
            walk(nodes, &mut |n| match n.kind() {
                "call_expression" | "new_expression" => {
                    let Some(f) = n
                        .child_by_field_name("function")
                        .or_else(|| n.child_by_field_name("constructor"))
                    else {
                        return;
                    };
                    let name = typescript::dotted(f, text, imports)
                        .unwrap_or_else(|| text_of(f, text).to_string());
                    let args = n
                        .child_by_field_name("arguments")
                        .filter(|a| a.kind() == "arguments")
                        .map(children)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|a| a.kind() != "comment")
                        .map(|a| Arg {
                            key: None,
                            value: text_of(a, text).to_string(),
                            span: a.byte_range(),
                        })
                        .collect();
                    calls.push(CallSite {
                        name,
                        span: n.byte_range(),
                        args,
                    });
                }
                "pair" => {
                    if let (Some(k), Some(v)) =
                        (n.child_by_field_name("key"), n.child_by_field_name("value"))
                    {
                        settings.push(Setting {
                            target: string_literal(k, text)
                                .unwrap_or_else(|| text_of(k, text).to_string()),
                            value: text_of(v, text).to_string(),
                            value_span: v.byte_range(),
                            property: true,
                        });
                    }
                }
                "assignment_expression" => {
                    if let (Some(l), Some(r)) = (
                        n.child_by_field_name("left"),
                        n.child_by_field_name("right"),
                    ) {
                        settings.push(Setting {
                            target: text_of(l, text).to_string(),
                            value: text_of(r, text).to_string(),
                            value_span: r.byte_range(),
                            property: false,
                        });
                    }
                }
                _ => {}
            });
        }
    }
    (calls, settings)
}

fn walk<'t>(nodes: &[Node<'t>], f: &mut impl FnMut(Node<'t>)) {
    for &n in nodes {
        f(n);
    }
}
