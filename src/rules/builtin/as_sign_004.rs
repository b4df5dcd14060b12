//! AS-SIGN-004 (workflow side): a release workflow of an agent or MCP project that
//! uploads assets with no signing or provenance step anywhere in the workflow. Users
//! who download the assets then have nothing to verify them against.

use crate::classify::FileKind;
use crate::cmdline::{self, Dialect, Mapping, Word};
use crate::manifest::project;
use crate::manifest::workflow::{Step, Workflow};
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
                    || s.run.and_then(|r| r.as_str()).is_some_and(|r| {
                        cmdline::split(r, &Mapping::Shift(0), Dialect::Shell)
                            .iter()
                            .any(|c| signing_command(&texts(c)))
                    })
            })
    })
}

fn texts(words: &[Word]) -> Vec<&str> {
    words.iter().map(|w| w.text.as_str()).collect()
}

fn signing_command(cmd: &[&str]) -> bool {
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
fn unlaunched<'w>(w: &[&'w str]) -> Vec<&'w str> {
    let skip = match w {
        ["npx" | "bunx" | "pnpx" | "uvx", ..] => 1,
        ["pipx" | "uv" | "pnpm" | "yarn", "run" | "dlx" | "tool", ..] => 2,
        _ => 0,
    };
    let rest = w.get(skip..).unwrap_or(&[]);
    let flags = rest.iter().take_while(|a| a.starts_with('-')).count();
    rest.get(flags..).unwrap_or(&[]).to_vec()
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
    for words in cmdline::split_string(&cx.file.text, run) {
        let names = texts(&words);
        let uploads = match names.as_slice() {
            ["gh", "release", "upload", ..] => true,
            // `gh release create TAG FILE...`: files after the tag, options aside.
            ["gh", "release", "create", args @ ..] => {
                let mut positional = 0;
                let mut k = 0;
                while let Some(a) = args.get(k) {
                    if GH_VALUE_FLAGS.contains(a) {
                        k += 1;
                    } else if !a.starts_with('-') {
                        positional += 1;
                    }
                    k += 1;
                }
                positional > 1
            }
            _ => false,
        };
        if let (true, Some(first), Some(third)) = (uploads, words.first(), words.get(2)) {
            let span = first.span.start..third.span.end.max(first.span.start);
            return Some((span, step.route.key("run").to_string(), names.join(" ")));
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
        let signs = |t: &str| {
            cmdline::split(t, &Mapping::Shift(0), Dialect::Shell)
                .iter()
                .any(|c| signing_command(&texts(c)))
        };
        assert!(signs("cosign sign-blob --yes dist/a.tar.gz"));
        assert!(signs("gpg --armor --detach-sign SHA256SUMS"));
        assert!(!signs("cosign verify x"));
        assert!(!signs("echo sign"));
        assert!(!signs(""));
        assert!(signs("npx -y @anthropic-ai/mcpb@1.1.0 sign x.mcpb"));
        assert!(signs("pipx run sigstore sign dist/*"));
        assert!(signs("echo start\ncosign sign \"$IMAGE\""));
    }
}
