//! CrewAI `config/agents.yaml` and `config/tasks.yaml`: one top-level entry per agent
//! or task, whose keys become keyword arguments of `Agent(...)` / `Task(...)`.
//! CrewAI loads these files with PyYAML (YAML 1.1) and validates them with pydantic,
//! so `yes`, `on`, `1` and the strings `"true"`/`"yes"` all end up as `True`.

use super::{Entry, Node, Route};

/// An agent of `agents.yaml`: an entry with a `role`, `goal` or `backstory`.
#[derive(Debug, Clone, Copy)]
pub struct Agent<'a> {
    pub entry: &'a Entry,
}

impl<'a> Agent<'a> {
    pub fn name(&self) -> &'a str {
        &self.entry.key
    }

    pub fn route(&self) -> Route {
        Route::root().key(&self.entry.key)
    }

    pub fn setting(&self, key: &str) -> Option<&'a Entry> {
        self.entry.value.entry(key)
    }
}

pub fn agents(root: &Node) -> Vec<Agent<'_>> {
    root.entries()
        .iter()
        .filter(|e| {
            ["role", "goal", "backstory"]
                .iter()
                .any(|k| e.value.get(k).is_some())
        })
        .map(|entry| Agent { entry })
        .collect()
}

/// A boolean as CrewAI ends up with it (PyYAML, then pydantic's lax bool parsing).
pub fn lax_bool(n: &Node) -> Option<bool> {
    if let Some(b) = n.as_bool() {
        return Some(b);
    }
    match n.scalar_text()?.to_ascii_lowercase().as_str() {
        "yes" | "on" | "y" | "t" | "1" => Some(true),
        "no" | "off" | "n" | "f" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::yaml;

    #[test]
    fn agents_and_booleans() {
        let doc = yaml::parse(
            "coder:\n  role: Dev\n  allow_code_execution: yes\nwriter:\n  goal: Write\n  allow_code_execution: 'off'\nnotes: just text\n",
        )
        .expect("yaml");
        let a = agents(&doc.roots[0]);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].name(), "coder");
        let flag = |i: usize| {
            a[i].setting("allow_code_execution")
                .and_then(|e| lax_bool(&e.value))
        };
        assert_eq!(flag(0), Some(true));
        assert_eq!(flag(1), Some(false));
        assert_eq!(a[0].route().to_string(), "coder");
    }

    #[test]
    fn odd_shapes() {
        for src in ["[]", "x", "a: [1, 2]", "a: {role: [x]}", "ü: {role: ä}"] {
            let doc = yaml::parse(src).expect("yaml");
            for r in &doc.roots {
                let _ = agents(r);
            }
        }
    }
}
