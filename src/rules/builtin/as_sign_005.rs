//! AS-SIGN-005: agent and MCP packages published without provenance. A package built
//! and uploaded with a long-lived token carries no statement of which repository and
//! workflow produced it, so a stolen token publishes look-alike releases.

use crate::classify::FileKind;
use crate::cmdline::{self, Word};
use crate::finding::{Confidence, Severity};
use crate::manifest::project::{self, Project};
use crate::manifest::workflow::{writes, Job, Step, Workflow};
use crate::manifest::{Node, Span};
use crate::rules::{Context, Parsed, Rule};

pub struct PublishWithoutProvenance;

impl Rule for PublishWithoutProvenance {
    fn id(&self) -> &'static str {
        "AS-SIGN-005"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        match file.kind {
            FileKind::Workflow => workflow(file, cx),
            FileKind::PackageJson => package_json(file, cx),
            _ => {}
        }
    }
}

fn workflow(file: &Parsed<'_>, cx: &mut Context<'_>) {
    let Some(root_dir) = project::workflow_root(file.abs) else {
        return;
    };
    let proj = project::read(&root_dir);
    let Some(why) = proj.agent.clone() else {
        return;
    };
    for root in file.roots {
        let Some(w) = Workflow::read(root) else {
            continue;
        };
        let cosign = w.jobs.iter().flat_map(|j| &j.steps).any(|s| {
            s.run
                .and_then(Node::as_str)
                .is_some_and(|r| r.contains("cosign sign"))
                || s.uses
                    .as_ref()
                    .is_some_and(|u| u.slug == "sigstore/cosign-installer")
        });
        for job in &w.jobs {
            let id_token = w
                .permissions_of(job)
                .is_some_and(|p| writes(p).iter().any(|(s, _)| *s == "id-token" || *s == "*"));
            for step in &job.steps {
                let env = |name: &str| env_value(&w, job, step, name);
                if let Some(u) = &step.uses {
                    if u.slug == "pypa/gh-action-pypi-publish" {
                        pypi_action(cx, step, job, &why);
                    }
                    if u.slug == "changesets/action" && step.input("publish").is_some() {
                        let npm_env = env("NPM_CONFIG_PROVENANCE")
                            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
                        if !(npm_env || proj.npm_provenance || id_token) {
                            let e = step.input("publish").map_or(u.node, |e| &e.value);
                            cx.report(e.span.clone(), &step.route_of("publish"), format!(
                                "job '{}' publishes with changesets without provenance: no NPM_CONFIG_PROVENANCE=true, no `publishConfig.provenance`, and no `id-token: write` for trusted publishing ({why})",
                                job.id)).severity(Severity::Medium);
                        }
                    }
                    continue;
                }
                let Some(run) = step.run else { continue };
                for words in cmdline::split_string(&cx.file.text, run) {
                    let ctx = Cmd {
                        cx: &mut *cx,
                        words: &words,
                        job,
                        step,
                        why: &why,
                    };
                    check_command(ctx, &proj, id_token, cosign, &env);
                }
            }
        }
    }
}

struct Cmd<'c, 'x, 'a> {
    cx: &'c mut Context<'x>,
    words: &'a [Word],
    job: &'a Job<'a>,
    step: &'a Step<'a>,
    why: &'a str,
}

impl Cmd<'_, '_, '_> {
    /// Reports at the command's first `n` words.
    fn report(&mut self, n: usize, sev: Severity, what: &str) {
        let (Some(first), Some(last)) = (
            self.words.first(),
            self.words.get(n.saturating_sub(1)).or(self.words.last()),
        ) else {
            return;
        };
        let span: Span = first.span.start..last.span.end.max(first.span.start);
        let route = self.step.route.key("run").to_string();
        self.cx
            .report(
                span,
                &route,
                format!("job '{}' {what} ({})", self.job.id, self.why),
            )
            .severity(sev);
    }
}

fn check_command(
    mut c: Cmd<'_, '_, '_>,
    proj: &Project,
    id_token: bool,
    cosign: bool,
    env: &dyn Fn(&str) -> Option<String>,
) {
    let mut words: Vec<&str> = c.words.iter().map(|w| w.text.as_str()).collect();
    if let Some(first) = words.first_mut() {
        *first = first.rsplit('/').next().unwrap_or(first);
    }
    let has = |x: &str| {
        words
            .iter()
            .any(|w| *w == x || w.starts_with(&format!("{x}=")))
    };
    let env_true = |n: &str| env(n).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let secret_env = |n: &str| env(n).is_some_and(|v| v.contains("secrets."));
    let npm_provenance =
        has("--provenance") || env_true("NPM_CONFIG_PROVENANCE") || proj.npm_provenance;
    const STORED_TOKEN: &str = "publishes to PyPI with a stored token instead of trusted publishing, so no attestation is attached";
    let found: Option<(usize, Severity, String)> = match words.as_slice() {
        ["npm", "publish", ..]
        | ["changeset", "publish", ..]
        | ["npx", "changeset", "publish", ..] => (!(npm_provenance || id_token)).then(|| {
            (2, Severity::Medium, "publishes to npm without provenance: no `--provenance`, no `publishConfig.provenance`, and no `id-token: write` for trusted publishing".into())
        }),
        ["pnpm", rest @ ..] if rest.contains(&"publish") => (!npm_provenance).then(|| {
            (2, Severity::Medium, "publishes with pnpm without NPM_CONFIG_PROVENANCE=true, so no provenance is attached".into())
        }),
        ["twine", "upload", ..] => (has("-p") || has("--password") || secret_env("TWINE_PASSWORD"))
            .then(|| (2, Severity::Medium, STORED_TOKEN.into())),
        ["uv", "publish", ..] => (has("--token")
            || has("-t")
            || has("--password")
            || secret_env("UV_PUBLISH_TOKEN")
            || secret_env("UV_PUBLISH_PASSWORD"))
        .then(|| (2, Severity::Medium, STORED_TOKEN.into())),
        ["poetry", "publish", ..] => (has("--password")
            || has("-p")
            || secret_env("POETRY_PYPI_TOKEN_PYPI")
            || secret_env("POETRY_HTTP_BASIC_PYPI_PASSWORD"))
        .then(|| (2, Severity::Medium, STORED_TOKEN.into())),
        ["cargo", "publish", ..] => Some((2, Severity::Info, "publishes to crates.io, which records no provenance; attest the crate with actions/attest".into())),
        ["docker", "push", ..] if !cosign => Some((2, Severity::Low, "pushes an image that nothing in the workflow signs (cosign sign)".into())),
        ["mcp-publisher", "login", method, ..] if *method != "github-oidc" => Some((
            3,
            Severity::Low,
            format!("logs in to the MCP registry with `{method}` credentials instead of `github-oidc`"),
        )),
        _ => None,
    };
    if let Some((n, sev, what)) = found {
        c.report(n, sev, &what);
    }
}

fn pypi_action(cx: &mut Context<'_>, step: &Step<'_>, job: &Job<'_>, why: &str) {
    if let Some(e) = step.input("password") {
        cx.report(e.value.span.clone(), &step.route_of("password"), format!(
            "job '{}' publishes to PyPI with an API token instead of trusted publishing, so no attestation is attached ({why})", job.id))
            .severity(Severity::Medium);
    } else if let Some(e) = step.input("attestations") {
        if e.value.as_bool() == Some(false) {
            cx.report(
                e.value.span.clone(),
                &step.route_of("attestations"),
                format!("job '{}' turns off PyPI attestations ({why})", job.id),
            )
            .severity(Severity::Medium);
        }
    }
}

/// An environment variable visible to a step, innermost first.
fn env_value(w: &Workflow<'_>, job: &Job<'_>, step: &Step<'_>, name: &str) -> Option<String> {
    [step.env, job.env, w.env]
        .into_iter()
        .flatten()
        .find_map(|e| e.get(name))
        .and_then(Node::scalar_text)
}

/// package.json of an MCP package (`mcpName`) with no provenance setting and no
/// workflow in the repository that publishes: it is published from a workstation.
fn package_json(file: &Parsed<'_>, cx: &mut Context<'_>) {
    let Some(pkg) = file.roots.first() else {
        return;
    };
    let Some(entry) = pkg.entry("mcpName") else {
        return;
    };
    if pkg.get("private").and_then(Node::as_bool) == Some(true) {
        return;
    }
    let provenance = pkg
        .get("publishConfig")
        .and_then(|c| c.get("provenance"))
        .and_then(Node::as_bool);
    if provenance == Some(true) || publishing_workflow(file.abs) {
        return;
    }
    let name = entry.value.as_str().unwrap_or("");
    cx.report(entry.key_span.clone(), "mcpName", format!(
        "MCP package '{name}' sets no `publishConfig.provenance` and no workflow in the repository publishes it, so releases carry no provenance"))
        .confidence(Confidence::Low);
}

/// Whether a `.github/workflows` directory at or above the package publishes packages.
fn publishing_workflow(package_json: &std::path::Path) -> bool {
    let mut dir = package_json.parent();
    for _ in 0..5 {
        let Some(d) = dir else { break };
        let wf = d.join(".github").join("workflows");
        if let Ok(entries) = std::fs::read_dir(&wf) {
            return entries.flatten().take(200).any(|e| {
                let p = e.path();
                let small = std::fs::metadata(&p).is_ok_and(|m| m.is_file() && m.len() < 1 << 20);
                small
                    && std::fs::read_to_string(&p)
                        .is_ok_and(|t| t.contains("publish") || t.contains("changesets/action"))
            });
        }
        dir = d.parent();
    }
    false
}
