//! Rule listings and rule pages, generated from the rule metadata so that
//! `agentsec explain`, docs/rules and the README cannot drift apart.

use crate::rules::{Registry, RuleMeta};

pub fn list(r: &Registry) -> String {
    let mut out = String::new();
    for m in r.rules.values() {
        out.push_str(&format!(
            "{:<12} {:<8} {:<6} {}\n",
            m.id,
            m.severity.as_str(),
            m.confidence.as_str(),
            m.title
        ));
    }
    out
}

/// A rule's page in Markdown; also the content of docs/rules/<id>.md.
pub fn page(m: &RuleMeta) -> String {
    let mut s = format!("# {} — {}\n\n", m.id, m.title);
    s.push_str(&format!(
        "Severity: **{}** · Confidence: **{}** · Tags: {}\n\n",
        m.severity.as_str(),
        m.confidence.as_str(),
        m.tags
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    s.push_str(&format!(
        "{}\n\n## What it detects\n\n{}\n\n## How to fix\n\n{}\n",
        m.summary, m.description, m.fix
    ));
    if let Some(bad) = &m.bad {
        s.push_str(&format!("\n## Flagged\n\n```\n{bad}\n```\n"));
    }
    if let Some(good) = &m.good {
        s.push_str(&format!("\n## Accepted\n\n```\n{good}\n```\n"));
    }
    s.push_str(&format!(
        "\n## Suppressing\n\nWhen a finding is acceptable, say why in a comment on its line or alone on \
         the line above (`//` or `/* */` in JSONC, `#` in YAML and TOML):\n\n```\n\
         // agentsec: ignore[{id}] why this is acceptable here\n```\n\n\
         A comment without a reason suppresses nothing. `--ignore {id}` leaves the rule out \
         of a run.\n",
        id = m.id
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The rule table of README.md, between its `rules:start` and `rules:end` markers.
    pub fn readme_table(r: &Registry) -> String {
        let mut s = String::from("| Rule | Severity | Title |\n|---|---|---|\n");
        for m in r.rules.values() {
            s.push_str(&format!(
                "| [{}](docs/rules/{}.md) | {} | {} |\n",
                m.id,
                m.id,
                m.severity.as_str(),
                m.title
            ));
        }
        s
    }

    /// docs/rules and the README table are generated from the rule metadata; this
    /// fails when they drift. `AGENTSEC_BLESS=1 cargo test docs_` rewrites them.
    #[test]
    fn docs_match_rule_metadata() {
        let r = Registry::builtin().expect("rules load");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("docs/rules");
        let bless = std::env::var_os("AGENTSEC_BLESS").is_some();
        if bless {
            std::fs::create_dir_all(&dir).expect("create docs/rules");
        }
        for m in r.rules.values() {
            let path = dir.join(format!("{}.md", m.id));
            let want = page(m);
            if bless {
                std::fs::write(&path, &want).expect("write doc");
            } else {
                let have = std::fs::read_to_string(&path).unwrap_or_default();
                assert_eq!(
                    have,
                    want,
                    "{} is stale: run AGENTSEC_BLESS=1 cargo test docs_",
                    path.display()
                );
            }
        }
        let listed = std::fs::read_dir(&dir).expect("docs/rules").count();
        assert_eq!(
            listed,
            r.rules.len(),
            "docs/rules has pages for rules that do not exist"
        );

        let readme_path = root.join("README.md");
        let readme = std::fs::read_to_string(&readme_path).expect("README.md");
        let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
        let a = readme.find(start).expect("README has a rules:start marker") + start.len();
        let b = readme.find(end).expect("README has a rules:end marker");
        let table = readme_table(&r);
        if bless {
            let updated = format!("{}{}{}", &readme[..a], table, &readme[b..]);
            std::fs::write(&readme_path, updated).expect("write README");
        } else {
            assert_eq!(
                &readme[a..b],
                table,
                "README rule table is stale: run AGENTSEC_BLESS=1 cargo test docs_"
            );
        }
    }
}
