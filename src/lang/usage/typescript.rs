//! TypeScript/JavaScript: the keys of a tool's input schema, and the handler's reads.

use tree_sitter::Node;

use super::{has_kind, smallest_covering, walk};
use crate::lang::{string_literal, text_of, unwrap_expr, Module, Tool};
use crate::manifest::Span;

/// The keys of the tool's input schema, or its destructured handler parameters when
/// no schema is found.
pub(super) fn declared(module: &Module, text: &str, tool: &Tool) -> Vec<(String, Span)> {
    let root = module.tree.root_node();
    let keys = schema_keys(root, text, tool);
    if !keys.is_empty() {
        return keys;
    }
    // Without a schema the first handler parameter may be the SDK's request
    // context (`async (extra) => …`); only a destructured one names arguments.
    match ts_handler(root, tool).and_then(first_param) {
        Some(p) if p.kind() == "object_pattern" => tool.params.clone(),
        _ => Vec::new(),
    }
}

/// Whether the handler reads `name`: names it, spreads or passes on its argument
/// object, or reads `arguments`.
pub(super) fn used(module: &Module, text: &str, tool: &Tool, name: &str) -> bool {
    let root = module.tree.root_node();
    let Some(h) = ts_handler(root, tool) else {
        return true;
    };
    // `(args) => …`: the object is whole; a use of it other than reading a
    // named property (spread, passed on, iterated) may read any key.
    if let Some(p) = first_param(h) {
        let whole = match p.kind() {
            "identifier" => Some(text_of(p, text).to_string()),
            "required_parameter" | "optional_parameter" => p
                .child_by_field_name("pattern")
                .filter(|x| x.kind() == "identifier")
                .map(|x| text_of(x, text).to_string()),
            _ => None,
        };
        if p.kind() != "identifier" && has_kind(p, "rest_pattern") {
            return true;
        }
        if let Some(obj) = whole {
            if passed_whole(h, text, &obj) {
                return true;
            }
        }
    }
    let Some(b) = h.child_by_field_name("body") else {
        return true;
    };
    let mut used = false;
    walk(b, &mut |n| match n.kind() {
        "identifier"
        | "property_identifier"
        | "shorthand_property_identifier"
        | "string_fragment" => used |= text_of(n, text) == name,
        _ => {}
    });
    used || text_of(b, text).contains("arguments")
}

/// The TypeScript handler function whose body is the tool's body.
fn ts_handler<'t>(root: Node<'t>, tool: &Tool) -> Option<Node<'t>> {
    let mut n = smallest_covering(root, &tool.body)?;
    while n.byte_range() == tool.body {
        match n.parent() {
            Some(p) if p.byte_range() == tool.body => n = p,
            Some(p) => return Some(p),
            None => return None,
        }
    }
    Some(n)
}

fn first_param(h: Node<'_>) -> Option<Node<'_>> {
    if let Some(p) = h.child_by_field_name("parameter") {
        return Some(p);
    }
    let ps = h.child_by_field_name("parameters")?;
    let mut c = ps.walk();
    let first = ps.named_children(&mut c).find(|c| c.kind() != "comment");
    first
}

/// Whether the argument object `obj` is used as a whole in the handler: anything but
/// `obj.key` or `obj["key"]`.
fn passed_whole(h: Node<'_>, text: &str, obj: &str) -> bool {
    let Some(b) = h.child_by_field_name("body") else {
        return false;
    };
    let mut whole = false;
    walk(b, &mut |n| {
        if n.kind() == "identifier" && text_of(n, text) == obj {
            let member = n.parent().is_some_and(|p| {
                matches!(p.kind(), "member_expression" | "subscript_expression")
                    && p.child_by_field_name("object")
                        .is_some_and(|o| o.byte_range() == n.byte_range())
            });
            whole |= !member;
        }
    });
    whole
}

/// The keys of a TypeScript tool's input schema: a zod raw shape passed to
/// `server.tool`, or `inputSchema` / `parameters` / `schema` of a config object
/// (`z.object({...})`, a raw shape, or JSON Schema `properties`).
fn schema_keys(root: Node<'_>, text: &str, tool: &Tool) -> Vec<(String, Span)> {
    let Some(call) = registration(root, tool) else {
        return Vec::new();
    };
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut c = args.walk();
    let args: Vec<Node<'_>> = args
        .named_children(&mut c)
        .filter(|a| a.kind() != "comment")
        .collect();
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let a = unwrap_expr(*a);
        if a.kind() != "object" {
            continue;
        }
        const CONFIG: [&str; 5] = [
            "inputSchema",
            "parameters",
            "schema",
            "argsSchema",
            "paramsSchema",
        ];
        let config: Vec<Node<'_>> = CONFIG.iter().filter_map(|k| prop(a, text, k)).collect();
        if !config.is_empty() {
            for v in config {
                schema_value(v, text, &mut out);
            }
        } else if i > 0 && i + 1 < args.len() && zod_shape(a, text) {
            shape_keys(a, text, &mut out);
        }
    }
    out
}

fn schema_value(v: Node<'_>, text: &str, out: &mut Vec<(String, Span)>) {
    let v = unwrap_expr(v);
    match v.kind() {
        "object" => {
            if let Some(p) = prop(v, text, "properties") {
                let p = unwrap_expr(p);
                if p.kind() == "object" {
                    shape_keys(p, text, out);
                }
            } else if zod_shape(v, text) {
                shape_keys(v, text, out);
            }
        }
        "call_expression" => {
            // z.object({...}), z.object({...}).strict(), jsonSchema({...})
            let mut n = v;
            while let Some(f) = n.child_by_field_name("function") {
                let f = unwrap_expr(f);
                let name = f
                    .child_by_field_name("property")
                    .map_or_else(|| text_of(f, text), |p| text_of(p, text));
                if matches!(name, "object" | "jsonSchema" | "strictObject") {
                    let mut c = n.walk();
                    let first = n
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_children(&mut c).find(|x| x.kind() != "comment"));
                    if let Some(first) = first {
                        schema_value(first, text, out);
                    }
                    return;
                }
                match f.child_by_field_name("object") {
                    Some(o) if o.kind() == "call_expression" => n = o,
                    _ => return,
                }
            }
        }
        _ => {}
    }
}

/// An object literal whose values are schema builders (`z.string()`, `z.number().int()`).
fn zod_shape(obj: Node<'_>, text: &str) -> bool {
    let mut c = obj.walk();
    let pairs: Vec<Node<'_>> = obj
        .named_children(&mut c)
        .filter(|p| p.kind() == "pair")
        .collect();
    !pairs.is_empty()
        && pairs.iter().all(|p| {
            p.child_by_field_name("value").is_some_and(|v| {
                let t = text_of(v, text).trim_start();
                v.kind() == "call_expression" && (t.starts_with("z.") || t.starts_with("Type."))
            })
        })
}

fn shape_keys(obj: Node<'_>, text: &str, out: &mut Vec<(String, Span)>) {
    let mut c = obj.walk();
    for p in obj.named_children(&mut c) {
        if p.kind() != "pair" {
            continue;
        }
        let Some(k) = p.child_by_field_name("key") else {
            continue;
        };
        let name = string_literal(k, text).unwrap_or_else(|| text_of(k, text).to_string());
        out.push((name, k.byte_range()));
    }
}

fn prop<'t>(obj: Node<'t>, text: &str, key: &str) -> Option<Node<'t>> {
    let mut c = obj.walk();
    let found = obj.named_children(&mut c).find_map(|p| {
        if p.kind() != "pair" {
            return None;
        }
        let k = p.child_by_field_name("key")?;
        let name = string_literal(k, text).unwrap_or_else(|| text_of(k, text).to_string());
        (name == key)
            .then(|| p.child_by_field_name("value"))
            .flatten()
    });
    found
}

/// The call that registers the tool: the innermost call around its name, else around
/// its handler, else the value of the variable that names it.
fn registration<'t>(root: Node<'t>, tool: &Tool) -> Option<Node<'t>> {
    let enclosing_call = |span: &Span| {
        let mut n = smallest_covering(root, span)?;
        loop {
            if matches!(n.kind(), "call_expression" | "new_expression") && n.byte_range() != *span {
                return Some(n);
            }
            n = n.parent()?;
        }
    };
    if let Some(c) = enclosing_call(&tool.name_span) {
        return Some(c);
    }
    if let Some(c) = enclosing_call(&tool.body) {
        return Some(c);
    }
    let name = smallest_covering(root, &tool.name_span)?;
    let decl = name
        .parent()
        .filter(|p| p.kind() == "variable_declarator")?;
    decl.child_by_field_name("value").map(unwrap_expr)
}
