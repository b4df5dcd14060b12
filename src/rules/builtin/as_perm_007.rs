//! AS-PERM-007: shared Claude Code settings approve the repository's own MCP servers, so
//! whatever `.mcp.json` launches starts without each developer approving it.

use crate::classify::FileKind;
use crate::finding::Severity;
use crate::rules::{Context, Parsed, Rule, Scope};

pub struct AutoEnableServers;

impl Rule for AutoEnableServers {
    fn id(&self) -> &'static str {
        "AS-PERM-007"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        // A user's own `settings.local.json` records that user's approvals.
        if file.kind != FileKind::ClaudeSettings || file.scope != Scope::Shared {
            return;
        }
        for root in file.roots {
            if let Some(v) = root.get("enableAllProjectMcpServers") {
                if v.as_bool() == Some(true) {
                    cx.report(
                        v.span.clone(),
                        "enableAllProjectMcpServers",
                        "shared Claude Code settings approve every MCP server in the repository's .mcp.json: a server added there later starts for every collaborator without a prompt",
                    );
                }
            }
            if let Some(list) = root.get("enabledMcpjsonServers") {
                let names: Vec<&str> = list.items().iter().filter_map(|n| n.as_str()).collect();
                if !names.is_empty() {
                    let mut shown: Vec<String> =
                        names.iter().take(5).map(|n| format!("'{n}'")).collect();
                    if names.len() > 5 {
                        shown.push(format!("and {} more", names.len() - 5));
                    }
                    cx.report(
                        list.span.clone(),
                        "enabledMcpjsonServers",
                        format!(
                            "shared Claude Code settings pre-approve .mcp.json servers {}: their commands start for every collaborator without a prompt",
                            shown.join(", ")
                        ),
                    )
                    .severity(Severity::Medium);
                }
            }
        }
    }
}
