//! The declarative matcher of data rules: which items of a normalized MCP server (or
//! which endpoints of an A2A agent card) to look at, a predicate over their fields,
//! where to point, and severity overrides.
//!
//! ```yaml
//! match:
//!   for: env                 # server | env | headers | args | env+args | endpoint
//!   where: { all: [ {field: key, equals: NODE_OPTIONS}, {field: value, regex: '--require'} ] }
//!   at: value                # key | value | name | url | image (endpoint: url)
//!   severity:                # first matching override wins
//!     - { when: {field: server.url.loopback, equals: "true"}, is: low }
//! ```
//!
//! `for: endpoint` items are the URLs of A2A agent cards, with the fields `card` (its
//! name), `place` (`url`, `supportedInterfaces[1]`, `securitySchemes.x tokenUrl`),
//! `role` (`interface` or `auth`), `url`, `url.scheme|host|loopback|local` and
//! `credentials` (clients send a token, key, password or client secret there).

use regex::Regex;

use crate::finding::Severity;
use crate::manifest::{Node, Value};

#[derive(Debug, Clone)]
pub struct Matcher {
    pub subject: SubjectKind,
    pub pred: Pred,
    pub at: String,
    pub overrides: Vec<(Pred, Severity)>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Server,
    Env,
    Headers,
    Args,
    /// Environment values and arguments alike (`KEY=value` words are both).
    EnvAndArgs,
    /// A URL an A2A agent card sends clients to: an interface or an OAuth/OIDC URL.
    Endpoint,
    /// An environment variable set outside MCP server entries: agent settings,
    /// containers, jobs, dotenv files (`Parsed::env`).
    Variable,
}

#[derive(Debug, Clone)]
pub enum Pred {
    All(Vec<Pred>),
    Any(Vec<Pred>),
    Not(Box<Pred>),
    Field(String, Test),
}

#[derive(Debug, Clone)]
pub enum Test {
    Equals(String),
    In(Vec<String>),
    Regex(Regex),
    Exists(bool),
}

/// What a matcher can ask of the thing it looks at.
pub trait Subject {
    /// The text of a named field, or `None` when the field is absent.
    fn field(&self, name: &str) -> Option<String>;
}

impl Pred {
    pub fn eval(&self, s: &dyn Subject) -> bool {
        match self {
            Pred::All(ps) => ps.iter().all(|p| p.eval(s)),
            Pred::Any(ps) => ps.iter().any(|p| p.eval(s)),
            Pred::Not(p) => !p.eval(s),
            Pred::Field(name, test) => {
                let v = s.field(name);
                match test {
                    Test::Exists(want) => v.is_some() == *want,
                    Test::Equals(x) => v.as_deref() == Some(x.as_str()),
                    Test::In(xs) => v.is_some_and(|v| xs.contains(&v)),
                    Test::Regex(re) => v.is_some_and(|v| re.is_match(&v)),
                }
            }
        }
    }
}

impl Matcher {
    /// Parses one matcher; its own `message` overrides the rule's.
    pub fn parse(node: &Node, message: &str) -> Result<Self, String> {
        check_keys(
            node,
            &["for", "where", "at", "severity", "message"],
            "match",
        )?;
        let message = node
            .get("message")
            .and_then(Node::as_str)
            .unwrap_or(message)
            .to_string();
        let subject = match node.get("for").and_then(Node::as_str) {
            Some("server") => SubjectKind::Server,
            Some("env") => SubjectKind::Env,
            Some("headers") => SubjectKind::Headers,
            Some("args") => SubjectKind::Args,
            Some("env+args") => SubjectKind::EnvAndArgs,
            Some("endpoint") => SubjectKind::Endpoint,
            Some("variable") => SubjectKind::Variable,
            other => {
                return Err(format!(
                "match.for must be server, env, headers, args, env+args, endpoint or variable, not {other:?}"
            ))
            }
        };
        let condition = pred(node.get("where").ok_or("match.where is required")?)?;
        let at = node
            .get("at")
            .and_then(Node::as_str)
            .unwrap_or("value")
            .to_string();
        let allowed: &[&str] = match subject {
            SubjectKind::Server => &["name", "url", "command", "image"],
            SubjectKind::Endpoint => &["url"],
            _ => &["key", "value"],
        };
        if !allowed.contains(&at.as_str()) {
            return Err(format!("match.at `{at}` is not one of {allowed:?}"));
        }
        let mut overrides = Vec::new();
        for o in node.get("severity").map(Node::items).unwrap_or(&[]) {
            check_keys(o, &["when", "is"], "severity override")?;
            let when = pred(o.get("when").ok_or("severity override needs `when`")?)?;
            let is = o
                .get("is")
                .and_then(Node::as_str)
                .and_then(Severity::parse)
                .ok_or("severity override needs a valid `is`")?;
            overrides.push((when, is));
        }
        Ok(Matcher {
            subject,
            pred: condition,
            at,
            overrides,
            message,
        })
    }

    /// The severity for a match: the first override whose condition holds, else `base`.
    pub fn severity(&self, s: &dyn Subject, base: Severity) -> Severity {
        self.overrides
            .iter()
            .find(|(p, _)| p.eval(s))
            .map_or(base, |(_, sev)| *sev)
    }

    /// Fills `{field}` placeholders of the message from the subject.
    pub fn render(&self, s: &dyn Subject) -> String {
        let mut out = String::new();
        let mut rest = self.message.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            out.push_str(&s.field(name).unwrap_or_default());
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }
}

fn check_keys(node: &Node, allowed: &[&str], what: &str) -> Result<(), String> {
    if !node.is_object() {
        return Err(format!("{what} must be a mapping"));
    }
    match node
        .entries()
        .iter()
        .find(|e| !allowed.contains(&e.key.as_str()))
    {
        Some(e) => Err(format!("unknown key `{}` in {what}", e.key)),
        None => Ok(()),
    }
}

fn pred(node: &Node) -> Result<Pred, String> {
    let list = |n: &Node| -> Result<Vec<Pred>, String> { n.items().iter().map(pred).collect() };
    if let Some(n) = node.get("all") {
        check_keys(node, &["all"], "all")?;
        return Ok(Pred::All(list(n)?));
    }
    if let Some(n) = node.get("any") {
        check_keys(node, &["any"], "any")?;
        return Ok(Pred::Any(list(n)?));
    }
    if let Some(n) = node.get("not") {
        check_keys(node, &["not"], "not")?;
        return Ok(Pred::Not(Box::new(pred(n)?)));
    }
    check_keys(
        node,
        &["field", "equals", "in", "regex", "exists"],
        "predicate",
    )?;
    let field = node
        .get("field")
        .and_then(Node::as_str)
        .ok_or("a predicate needs `field`")?
        .to_string();
    let test = if let Some(v) = node.get("equals") {
        Test::Equals(v.scalar_text().ok_or("`equals` takes a scalar")?)
    } else if let Some(v) = node.get("in") {
        Test::In(
            v.items()
                .iter()
                .map(|x| x.scalar_text().ok_or("`in` takes scalars"))
                .collect::<Result<_, _>>()?,
        )
    } else if let Some(v) = node.get("regex") {
        let src = v.as_str().ok_or("`regex` takes a string")?;
        Test::Regex(Regex::new(src).map_err(|e| format!("bad regex {src:?}: {e}"))?)
    } else if let Some(v) = node.get("exists") {
        match v.value {
            Value::Bool(b) => Test::Exists(b),
            _ => return Err("`exists` takes true or false".into()),
        }
    } else {
        return Err(format!(
            "predicate on `{field}` needs equals, in, regex or exists"
        ));
    };
    Ok(Pred::Field(field, test))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::yaml;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);
    impl Subject for Map {
        fn field(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|s| s.to_string())
        }
    }

    fn matcher(src: &str) -> Result<Matcher, String> {
        let doc = yaml::parse(src).expect("yaml");
        Matcher::parse(&doc.roots[0], "{key} is {value}")
    }

    #[test]
    fn predicates_and_overrides() {
        let m = matcher(
            "for: env\nwhere:\n  all:\n    - {field: key, in: [A, B]}\n    - not: {field: value, regex: '^ok'}\nat: key\nseverity:\n  - {when: {field: key, equals: B}, is: low}\n",
        )
        .expect("valid");
        let s = Map(HashMap::from([("key", "B"), ("value", "bad")]));
        assert!(m.pred.eval(&s));
        assert_eq!(m.severity(&s, Severity::High), Severity::Low);
        assert_eq!(m.render(&s), "B is bad");
        let ok = Map(HashMap::from([("key", "A"), ("value", "ok!")]));
        assert!(!m.pred.eval(&ok));
    }

    #[test]
    fn rejects_malformed_matchers() {
        assert!(matcher("for: env\nwhere: {field: key, like: x}\n").is_err());
        assert!(matcher("for: nothing\nwhere: {field: key, equals: x}\n").is_err());
        assert!(matcher("for: env\nwhere: {field: key, regex: '('}\n").is_err());
        assert!(matcher("for: env\nwhere: {field: key, equals: x}\nat: url\n").is_err());
        assert!(matcher("for: endpoint\nwhere: {field: url, equals: x}\nat: key\n").is_err());
        assert!(matcher("for: endpoint\nwhere: {field: url, equals: x}\nat: url\n").is_ok());
    }
}
