//! AS-SUP-002: container images run by tag rather than by digest: MCP `docker run`
//! command lines, compose services, Kubernetes containers, dev containers and the
//! base images of agent Dockerfiles.

use crate::classify::FileKind;
use crate::finding::Severity;
use crate::manifest::containers::{self, Container};
use crate::manifest::dockerfile;
use crate::rules::subjects::{image_pinned, image_tag};
use crate::rules::{Context, Parsed, Rule};

pub struct UnpinnedImage;

/// The catalog's severity for an unpinned reference: medium with no tag or
/// `:latest`, low for another tag, and info for a bare name (no registry or
/// namespace), which is a locally built image or a Docker official image that no
/// third party can publish.
pub fn severity(image: &str) -> Severity {
    let name = image.split('@').next().unwrap_or(image);
    if !name.contains('/') {
        return Severity::Info;
    }
    match image_tag(image).as_deref() {
        None | Some("") | Some("latest") => Severity::Medium,
        Some(_) => Severity::Low,
    }
}

/// `${VAR:-default}` becomes its default; a reference that still holds a variable
/// cannot be judged and yields `None`.
fn resolved(image: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = image.trim();
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}')? + at;
        let inner = &rest[at + 2..end];
        let (_, default) = inner.split_once(":-").or_else(|| inner.split_once('-'))?;
        out.push_str(default);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    (!out.is_empty() && !out.contains('$') && !out.contains("{{")).then_some(out)
}

impl Rule for UnpinnedImage {
    fn id(&self) -> &'static str {
        "AS-SUP-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for s in &file.servers {
            let Some(c) = containers::from_mcp(s) else {
                continue;
            };
            let Some(img) = &c.image else { continue };
            if image_pinned(&img.value) {
                continue;
            }
            cx.report(
                img.span.clone(),
                &img.route.to_string(),
                format!(
                    "MCP server '{}' runs container image {} without a digest",
                    s.name, img.value
                ),
            )
            .severity(severity(&img.value));
        }
        match file.kind {
            FileKind::Compose | FileKind::Kubernetes | FileKind::Devcontainer => {
                for c in containers::of_document(file.kind, file.roots) {
                    deployed(&c, cx);
                }
            }
            FileKind::Dockerfile => base_images(file, cx),
            _ => {}
        }
    }
}

fn deployed(c: &Container, cx: &mut Context<'_>) {
    let Some(img) = c.image.as_ref().filter(|_| !c.local_image) else {
        return;
    };
    let Some(image) = resolved(&img.value) else {
        return;
    };
    if image_pinned(&image) {
        return;
    }
    let mut sev = severity(&image);
    // The catalog's medium is for agent images; the rest of a stack (databases,
    // caches, proxies) is reported, but at most low.
    if !c.is_agent() && sev > Severity::Low {
        sev = Severity::Low;
    }
    cx.report(
        img.span.clone(),
        &img.route.to_string(),
        format!("{} runs container image {image} without a digest", c.owner),
    )
    .severity(sev);
}

/// Base images of agent Dockerfiles (stage references and `scratch` are not pulled).
fn base_images(file: &Parsed<'_>, cx: &mut Context<'_>) {
    let text = &file.source.text;
    if !containers::is_agent_dockerfile(&file.source.path, text, file.docker) {
        return;
    }
    for st in dockerfile::stages(text, file.docker) {
        let from = &st.from;
        if from.internal
            || from.image.contains('$')
            || from.image.contains("{{")
            || image_pinned(&from.image)
        {
            continue;
        }
        cx.report(
            from.span.clone(),
            "FROM",
            format!("this agent image builds on {} without a digest", from.image),
        )
        .severity(severity(&from.image));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_and_variables() {
        assert_eq!(severity("python:3.12"), Severity::Info);
        assert_eq!(severity("ghcr.io/a/b"), Severity::Medium);
        assert_eq!(severity("ghcr.io/a/b:latest"), Severity::Medium);
        assert_eq!(severity("localhost:5000/a"), Severity::Medium);
        assert_eq!(severity("a/b:1.2"), Severity::Low);
        assert_eq!(
            resolved("${REG:-ghcr.io}/a/b:${TAG:-1}").as_deref(),
            Some("ghcr.io/a/b:1")
        );
        assert_eq!(resolved("${IMAGE}"), None);
        assert_eq!(resolved("{{ .Values.image }}"), None);
        assert_eq!(resolved("${"), None);
        assert_eq!(resolved("é/ü:1").as_deref(), Some("é/ü:1"));
    }
}
