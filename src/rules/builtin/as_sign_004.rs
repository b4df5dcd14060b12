//! AS-SIGN-004 (workflow side): a release workflow of an agent or MCP project that
//! uploads assets with no signing or provenance step anywhere in the workflow. Users
//! who download the assets then have nothing to verify them against.

use crate::classify::FileKind;
use crate::manifest::project;
use crate::manifest::workflow::{commands, locate, word_spans, Step, Workflow};
use crate::rules::{Context, Parsed, Rule};

pub struct UnsignedRelease;

/// Actions that attest or sign what a workflow builds.
const SIGNING_ACTIONS: &[&str] = &[
    "actions/attest-build-provenance",
    "actions/attest",
    "actions/attest-sbom",
    "sigstore/gh-action-sigstore-python",
    "sigstore/cosign-installer",
    "slsa-framework/slsa-github-generator",
];

/// Actions that upload release assets, with the input naming the files.
const UPLOAD_ACTIONS: &[(&str, &str)] = &[
    ("softprops/action-gh-release", "files"),
    ("ncipollo/release-action", "artifacts"),
    ("svenstaro/upload-release-action", "file"),
    ("actions/upload-release-asset", "asset_path"),
    ("goreleaser/goreleaser-action", ""),
];

impl Rule for UnsignedRelease {
    fn id(&self) -> &'static str {
        "AS-SIGN-004"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if file.kind != FileKind::Workflow {
            return;
        }
        let root_dir = project::workflow_root(file.abs);
        let agent = root_dir.as_deref().and_then(|r| project::read(r).agent);
        let goreleaser_signs = root_dir.as_deref().is_some_and(goreleaser_signs);
        for root in file.roots {
            let Some(w) = Workflow::read(root) else {
                continue;
            };
            if signs(&w) {
                continue;
            }
            for job in &w.jobs {
                for step in &job.steps {
                    let Some((span, route, files)) = upload(cx, step) else {
                        continue;
                    };
                    let bundle = files.contains(".mcpb") || files.contains(".dxt");
                    let why = match (&agent, bundle) {
                        (_, true) => "MCP bundles".to_string(),
                        (Some(a), _) => format!("an agent or MCP project ({a})"),
                        (None, false) => continue,
                    };
                    let uses_goreleaser = step
                        .uses
                        .as_ref()
                        .is_some_and(|u| u.slug == "goreleaser/goreleaser-action");
                    if uses_goreleaser && goreleaser_signs {
                        continue;
                    }
                    cx.report(span, &route, format!(
                        "job '{}' uploads release assets of {why}, but nothing in the workflow signs them or attests their provenance",
                        job.id));
                }
            }
        }
    }
}

/// Whether any step or job of the workflow signs or attests.
fn signs(w: &Workflow<'_>) -> bool {
    w.jobs.iter().any(|j| {
        j.uses
            .and_then(|u| u.as_str())
            .is_some_and(|u| u.contains("slsa-framework/slsa-github-generator"))
            || j.steps.iter().any(|s| {
                s.uses
                    .as_ref()
                    .is_some_and(|u| SIGNING_ACTIONS.contains(&u.slug.as_str()))
                    || s.run
                        .and_then(|r| r.as_str())
                        .is_some_and(|r| commands(r).iter().any(|(_, c)| signing_command(c)))
            })
    })
}

fn signing_command(cmd: &str) -> bool {
    let w = unlaunched(cmd);
    let first = w.first().map(|f| {
        let f = f.rsplit('/').next().unwrap_or(f);
        f.split('@').next().unwrap_or(f)
    });
    let has = |x: &str| w.contains(&x);
    match first {
        Some("cosign") => has("sign") || has("sign-blob") || has("attest") || has("attest-blob"),
        Some("gpg" | "gpg2") => w.iter().any(|a| {
            matches!(
                *a,
                "--detach-sign" | "-b" | "--sign" | "-s" | "--clearsign" | "-ab" | "-sb"
            )
        }),
        Some("minisign" | "signify") => has("-S"),
        Some("sigstore" | "agentsec" | "mcpb" | "dxt") => has("sign"),
        Some("python" | "python3") => has("sigstore") && has("sign"),
        _ => false,
    }
}

/// The words of a command without a package launcher in front (`npx -y pkg@1 …`,
/// `pipx run pkg …`, `uvx pkg …`), so the package reads as the command.
fn unlaunched(cmd: &str) -> Vec<&str> {
    let w: Vec<&str> = cmd.split_whitespace().collect();
    let skip = match w.as_slice() {
        ["npx" | "bunx" | "pnpx" | "uvx", ..] => 1,
        ["pipx" | "uv" | "pnpm" | "yarn", "run" | "dlx" | "tool", ..] => 2,
        _ => 0,
    };
    let rest = w.get(skip..).unwrap_or(&[]);
    let flags = rest.iter().take_while(|a| a.starts_with('-')).count();
    rest.get(flags..).unwrap_or(&[]).to_vec()
}

/// Words of a command, with '…' and "…" kept together (no escapes): enough to count
/// the file arguments of `gh release create`.
fn shell_words(cmd: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    for (i, c) in cmd.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    out.extend(cmd.get(s..i));
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.extend(cmd.get(s..));
    }
    out
}

/// `gh release create` options that take a value.
const GH_VALUE_FLAGS: &[&str] = &[
    "-n",
    "--notes",
    "-F",
    "--notes-file",
    "-t",
    "--title",
    "--target",
    "--discussion-category",
    "--notes-start-tag",
    "--fail-on-no-commits",
];

/// The span, route and file list of a step that uploads release assets.
fn upload(cx: &Context<'_>, step: &Step<'_>) -> Option<(crate::manifest::Span, String, String)> {
    if let Some(u) = &step.uses {
        let (_, input) = UPLOAD_ACTIONS.iter().find(|(slug, _)| u.slug == *slug)?;
        let files = if input.is_empty() {
            String::new()
        } else {
            step.input_text(input).unwrap_or_default()
        };
        if !input.is_empty() && files.trim().is_empty() {
            return None;
        }
        return Some((
            u.node.span.clone(),
            step.route.key("uses").to_string(),
            files,
        ));
    }
    let run = step.run?;
    let script = run.as_str()?;
    for (offset, cmd) in commands(script) {
        let words = word_spans(cmd);
        let names: Vec<&str> = words.iter().map(|(_, w)| *w).collect();
        let uploads = match names.as_slice() {
            ["gh", "release", "upload", ..] => true,
            // `gh release create TAG FILE...`: files after the tag, options aside.
            ["gh", "release", "create", ..] => {
                let args = shell_words(cmd);
                let mut positional = 0;
                let mut k = 3;
                while let Some(a) = args.get(k) {
                    if a.starts_with('#') {
                        break;
                    }
                    if GH_VALUE_FLAGS.contains(a) {
                        k += 1;
                    } else if !a.starts_with('-') && *a != "\\" {
                        positional += 1;
                    }
                    k += 1;
                }
                positional > 1
            }
            _ => false,
        };
        if uploads {
            let start = offset + words.first().map_or(0, |(o, _)| *o);
            let end = offset + words.get(2).map_or(0, |(o, w)| o + w.len());
            let span = locate(cx.file, run, start..end);
            return Some((span, step.route.key("run").to_string(), cmd.to_string()));
        }
    }
    None
}

/// GoReleaser signs when its configuration has a `signs:` or `docker_signs:` section.
fn goreleaser_signs(root: &std::path::Path) -> bool {
    [
        ".goreleaser.yml",
        ".goreleaser.yaml",
        "goreleaser.yml",
        "goreleaser.yaml",
    ]
    .iter()
    .filter_map(|n| {
        let p = root.join(n);
        let len = std::fs::metadata(&p).ok()?.len();
        (len < 1 << 20).then(|| std::fs::read_to_string(p).ok())?
    })
    .any(|t| {
        t.lines()
            .any(|l| l.starts_with("signs:") || l.starts_with("docker_signs:"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_commands() {
        assert!(signing_command("cosign sign-blob --yes dist/a.tar.gz"));
        assert!(signing_command("gpg --armor --detach-sign SHA256SUMS"));
        assert!(!signing_command("cosign verify x"));
        assert!(!signing_command("echo sign"));
        assert!(!signing_command(""));
        assert!(signing_command(
            "npx -y @anthropic-ai/mcpb@1.1.0 sign x.mcpb"
        ));
        assert!(signing_command("pipx run sigstore sign dist/*"));
        assert_eq!(
            shell_words("gh release create \"$T\" --notes 'a b' x"),
            vec!["gh", "release", "create", "\"$T\"", "--notes", "'a b'", "x"]
        );
    }
}
