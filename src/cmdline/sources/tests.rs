use std::path::Path;

use crate::classify::{self, FileKind, Form};
use crate::manifest::{dockerfile, mcp};
use crate::rules::Parsed;
use crate::source::SourceFile;

use super::command_lines;

/// (origin, words as written in the file) of every command line of `text` at `path`.
fn lines(path: &str, text: &str) -> Vec<(String, Vec<String>)> {
    let (kind, _) = classify::by_path(path).expect("classified");
    let source = SourceFile::new(path.to_string(), text.to_string());
    let doc = match kind.form() {
        Form::Doc(f) => crate::scan::parse(f, text).expect("parses"),
        _ => Default::default(),
    };
    let docker = if kind == FileKind::Dockerfile {
        dockerfile::parse(text).0
    } else {
        Vec::new()
    };
    let servers = match kind {
        FileKind::McpConfig(c, _) => doc.roots.iter().flat_map(|r| mcp::servers(c, r)).collect(),
        _ => Vec::new(),
    };
    let parsed = Parsed {
        servers,
        docker: &docker,
        ..Parsed::for_test(&source, kind, Path::new(path), &doc.roots)
    };
    command_lines(&parsed)
        .into_iter()
        .map(|l| {
            let words = l
                .words
                .iter()
                .map(|w| text.get(w.span.clone()).expect("span in file").to_string())
                .collect();
            (l.origin, words)
        })
        .collect()
}

fn has(found: &[(String, Vec<String>)], origin: &str, words: &[&str]) -> bool {
    found.iter().any(|(o, w)| o == origin && w == words)
}

#[test]
fn package_json_scripts() {
    let t = r#"{"scripts": {"agent": "claude -p \"$TASK\" --dangerously-skip-permissions && echo ok", "n": 1}}"#;
    let f = lines("package.json", t);
    assert!(
        has(
            &f,
            "script `agent`",
            &[
                "claude",
                "-p",
                "\\\"$TASK\\\"",
                "--dangerously-skip-permissions"
            ]
        ),
        "{f:?}"
    );
    assert!(has(&f, "script `agent`", &["echo", "ok"]));
}

#[test]
fn makefile_justfile_procfile_and_scripts() {
    let mk = "FLAGS = --yolo\nreview: deps\n\t@claude -p x \\\n\t  --dangerously-skip-permissions\n\t-echo done # c\n";
    let f = lines("Makefile", mk);
    assert!(
        has(
            &f,
            "recipe `review`",
            &["claude", "-p", "x", "--dangerously-skip-permissions"]
        ),
        "{f:?}"
    );
    assert!(has(&f, "recipe `review`", &["echo", "done"]));
    assert!(!f.iter().any(|(_, w)| w.contains(&"--yolo".to_string())));
    let just = "set shell := [\"bash\", \"-c\"]\n\nfix arg:\n    gemini --yolo -p {{arg}}\n";
    let f = lines("justfile", just);
    assert!(
        has(&f, "recipe `fix`", &["gemini", "--yolo", "-p", "{{arg}}"]),
        "{f:?}"
    );
    let f = lines(
        "Procfile",
        "web: npm start\nagent: codex exec --full-auto x\n",
    );
    assert!(
        has(
            &f,
            "process `agent`",
            &["codex", "exec", "--full-auto", "x"]
        ),
        "{f:?}"
    );
    let f = lines("run.sh", "#!/bin/sh\nset -e\nclaude -p 'a b' # --yolo\n");
    assert!(has(&f, "the script", &["claude", "-p", "'a b'"]), "{f:?}");
}

#[test]
fn dockerfile_forms() {
    let t = "FROM node:22\nRUN --mount=type=cache,target=/c npm i -g @anthropic-ai/claude-code \\\n && claude --version\nENTRYPOINT [\"claude\"]\nCMD [\"--dangerously-skip-permissions\", \"-p\"]\nRUN <<EOF\ngemini -y\nEOF\n";
    let f = lines("Dockerfile", t);
    assert!(
        has(
            &f,
            "the RUN instruction",
            &["npm", "i", "-g", "@anthropic-ai/claude-code"]
        ),
        "{f:?}"
    );
    assert!(has(&f, "the RUN instruction", &["claude", "--version"]));
    assert!(
        has(
            &f,
            "the CMD instruction",
            &["claude", "--dangerously-skip-permissions", "-p"]
        ),
        "{f:?}"
    );
    assert!(has(&f, "the RUN instruction", &["gemini", "-y"]), "{f:?}");
}

#[test]
fn compose_and_kubernetes() {
    let t = "services:\n  a:\n    image: x\n    entrypoint: [\"sh\", \"-c\"]\n    command: [\"claude --yolo -p hi\"]\n  b:\n    command: gemini -y\n";
    let f = lines("compose.yaml", t);
    assert!(
        has(&f, "service `a`", &["claude", "--yolo", "-p", "hi"]),
        "{f:?}"
    );
    assert!(has(&f, "service `b`", &["gemini", "-y"]), "{f:?}");
    let k = "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: agent\n              command: [codex, exec]\n              args:\n                - --sandbox\n                - danger-full-access\n";
    let f = lines("deploy/agent.yaml", k);
    assert!(
        has(
            &f,
            "container `agent`",
            &["codex", "exec", "--sandbox", "danger-full-access"]
        ),
        "{f:?}"
    );
}

#[test]
fn workflows_and_composite_actions() {
    let t = "on: [push]\njobs:\n  ai:\n    steps:\n      - name: Review\n        run: |\n          npm ci\n          claude -p \"review\" \\\n            --permission-mode=bypassPermissions\n      - uses: anthropics/claude-code-action@v1\n        with:\n          claude_args: --dangerously-skip-permissions --max-turns 3\n      - shell: python\n        run: print('claude --yolo')\n";
    let f = lines(".github/workflows/ai.yml", t);
    assert!(
        has(
            &f,
            "job `ai` step `Review`",
            &[
                "claude",
                "-p",
                "\"review\"",
                "--permission-mode=bypassPermissions"
            ]
        ),
        "{f:?}"
    );
    assert!(
        has(
            &f,
            "job `ai` step 2",
            &["--dangerously-skip-permissions", "--max-turns", "3"]
        ),
        "{f:?}"
    );
    assert!(!f.iter().any(|(o, _)| o.contains("step 3")));
    let t = "on: push\njobs:\n  c:\n    steps:\n      - uses: openai/codex-action@v1\n        with:\n          codex-args: '[\"--sandbox\", \"danger-full-access\"]'\n      - uses: openai/codex-action@v1\n        with:\n          codex-args: --yolo -c approval_policy=never\n";
    let f = lines(".github/workflows/codex.yml", t);
    assert!(
        has(&f, "job `c` step 1", &["--sandbox", "danger-full-access"]),
        "{f:?}"
    );
    assert!(
        has(
            &f,
            "job `c` step 2",
            &["--yolo", "-c", "approval_policy=never"]
        ),
        "{f:?}"
    );
    let a = "runs:\n  using: composite\n  steps:\n    - run: gemini --yolo\n      shell: bash\n";
    let f = lines("action.yml", a);
    assert!(
        has(&f, "composite action step 1", &["gemini", "--yolo"]),
        "{f:?}"
    );
}

#[test]
fn devcontainer_and_tasks() {
    let t = r#"{
  // comment
  "postCreateCommand": "npm i -g @openai/codex && codex --yolo",
  "postStartCommand": ["claude", "--dangerously-skip-permissions"],
  "postAttachCommand": {"a": "gemini -y", "b": ["aider", "--yes-always"]}
}"#;
    let f = lines(".devcontainer/devcontainer.json", t);
    assert!(
        has(&f, "`postCreateCommand`", &["codex", "--yolo"]),
        "{f:?}"
    );
    assert!(
        has(
            &f,
            "`postStartCommand`",
            &["claude", "--dangerously-skip-permissions"]
        ),
        "{f:?}"
    );
    assert!(has(
        &f,
        "`postAttachCommand` command `a`",
        &["gemini", "-y"]
    ));
    assert!(has(
        &f,
        "`postAttachCommand` command `b`",
        &["aider", "--yes-always"]
    ));
    let t = r#"{"version": "2.0.0", "tasks": [{"label": "agent", "type": "shell", "command": "claude", "args": ["-p", {"value": "--dangerously-skip-permissions", "quoting": "escape"}]}]}"#;
    let f = lines(".vscode/tasks.json", t);
    assert!(
        has(
            &f,
            "task `agent`",
            &["claude", "-p", "--dangerously-skip-permissions"]
        ),
        "{f:?}"
    );
}

#[test]
fn mcp_servers() {
    let t = r#"{"mcpServers": {"x": {"command": "npx", "args": ["-y", "@openai/codex", "mcp-server", "-c", "sandbox_mode=danger-full-access"]}}}"#;
    let f = lines(".mcp.json", t);
    assert!(
        has(
            &f,
            "MCP server `x`",
            &[
                "npx",
                "-y",
                "@openai/codex",
                "mcp-server",
                "-c",
                "sandbox_mode=danger-full-access"
            ]
        ),
        "{f:?}"
    );
}

#[test]
fn odd_shapes_do_not_panic() {
    for (p, t) in [
        ("package.json", r#"{"scripts": []}"#),
        ("package.json", r#"{"scripts": {"a": "\"unterminated"}}"#),
        (
            "compose.yaml",
            "services:\n  a:\n    command: 3\n    entrypoint: {x: 1}\n",
        ),
        (
            ".github/workflows/x.yml",
            "on: push\njobs:\n  a:\n    steps: 3\n",
        ),
        (".github/workflows/x.yml", "on: push\njobs: []\n"),
        (
            ".vscode/tasks.json",
            r#"{"tasks": [{"command": ["x"]}, 3]}"#,
        ),
        (
            ".devcontainer/devcontainer.json",
            r#"{"postCreateCommand": 3}"#,
        ),
        (
            "Dockerfile",
            "RUN [\"unterminated\nCMD [1, 2]\nENTRYPOINT\n",
        ),
        ("Makefile", "\t\\\n"),
        ("Procfile", ":\n: x\n"),
    ] {
        let _ = lines(p, t);
    }
}

/// Random command text inside JSON strings and YAML scalars of every style: spans
/// mapped back through escapes and indentation stay on character boundaries.
#[test]
fn random_values_map_inside_the_file() {
    const ALPHABET: &[&str] = &[
        "a", " ", "\n", "\\", "'", "\"", "$", "(", ")", "`", "#", ";", "|", "-y", "é", "🦀", "\t",
        "claude ", "--yolo", "\\u00e9", "\\n", "''",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..1500 {
        let mut v = String::new();
        for _ in 0..(seed % 24) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            v.push_str(ALPHABET[(seed % ALPHABET.len() as u64) as usize]);
        }
        let json = format!("{{\"scripts\": {{\"a\": \"{}\"}}}}", v.replace('\n', "\\n"));
        let indented = v.replace('\n', "\n          ");
        let yaml = [
            format!("on: push\njobs:\n  a:\n    steps:\n      - run: |\n          {indented}\n"),
            format!("on: push\njobs:\n  a:\n    steps:\n      - run: >-\n          {indented}\n"),
            format!(
                "on: push\njobs:\n  a:\n    steps:\n      - run: '{}'\n",
                v.replace('\'', "''").replace('\n', " ")
            ),
            format!(
                "on: push\njobs:\n  a:\n    steps:\n      - run: \"{}\"\n",
                v.replace('\n', " ")
            ),
        ];
        for (path, text) in std::iter::once(("package.json", json.as_str()))
            .chain(yaml.iter().map(|y| (".github/workflows/x.yml", y.as_str())))
        {
            let (kind, _) = classify::by_path(path).expect("classified");
            let Form::Doc(f) = kind.form() else { continue };
            let Ok(doc) = crate::scan::parse(f, text) else {
                continue;
            };
            let source = SourceFile::new(path.to_string(), text.to_string());
            let parsed = Parsed::for_test(&source, kind, Path::new(path), &doc.roots);
            for line in command_lines(&parsed) {
                for w in &line.words {
                    let at = text.get(w.span.clone());
                    assert!(at.is_some(), "{text:?} {:?}", w.span);
                    // A flag word is found verbatim at its span (or inside the whole
                    // value, when the value cannot be aligned).
                    if w.text == "--yolo" || w.text == "-y" {
                        assert!(
                            at.is_some_and(|a| a.contains(&w.text)),
                            "{text:?} {:?}",
                            w.span
                        );
                    }
                }
            }
        }
    }
}
