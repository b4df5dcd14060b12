//! Coding-agent command lines: which words start an agent (directly, through a
//! package runner or a container image) and which of its flags turn off its
//! permission prompts or sandbox. The table is the one place to amend when an agent
//! adds or renames such a flag; each entry names the documentation it follows.

use crate::cmdline::{basename, program_index, Word};
use crate::finding::Severity;
use crate::rules::values::container_image;

/// A coding-agent CLI.
pub struct Agent {
    pub name: &'static str,
    /// Executable names.
    programs: &'static [&'static str],
    /// npm / PyPI packages that install it, for `npx`, `uvx`, `pipx run`, ...
    packages: &'static [&'static str],
    /// Container image names (last path segment, without tag) that run it.
    images: &'static [&'static str],
    /// For a program whose name other tools share: the subcommands that start the
    /// agent (any subcommand when empty).
    subcommands: &'static [&'static str],
    pub flags: &'static [Flag],
}

/// A flag that removes a safeguard. `names` are the spellings of the option; with
/// `values`, only those values count (as `--opt v`, `--opt=v`, or `-o v`).
pub struct Flag {
    names: &'static [&'static str],
    values: &'static [&'static str],
    /// What the flag turns off, for messages.
    pub effect: &'static str,
    /// High when prompts and sandbox both go (or prompts for every tool); medium when
    /// a second safeguard remains.
    pub severity: Severity,
}

const fn flag(names: &'static [&'static str], effect: &'static str) -> Flag {
    Flag {
        names,
        values: &[],
        effect,
        severity: Severity::High,
    }
}

const fn valued(
    names: &'static [&'static str],
    values: &'static [&'static str],
    effect: &'static str,
    severity: Severity,
) -> Flag {
    Flag {
        names,
        values,
        effect,
        severity,
    }
}

/// Gemini CLI configuration docs: `--yolo`/`-y` (deprecated, still accepted) and
/// `--approval-mode yolo`. Qwen Code, a Gemini CLI fork, keeps them.
const GEMINI_FLAGS: &[Flag] = &[
    flag(&["--yolo", "-y"], "approves every tool call (YOLO mode)"),
    valued(
        &["--approval-mode"],
        &["yolo"],
        "approves every tool call (YOLO mode)",
        Severity::High,
    ),
];

pub const AGENTS: &[Agent] = &[
    // Claude Code CLI reference: `--dangerously-skip-permissions`, `--permission-mode`
    // (`bypassPermissions` is the mode the former flag selects),
    // `--allow-dangerously-skip-permissions` (bypass available, not on by default).
    Agent {
        name: "claude",
        programs: &["claude"],
        packages: &["@anthropic-ai/claude-code"],
        images: &["claude-code"],
        subcommands: &[],
        flags: &[
            flag(
                &["--dangerously-skip-permissions"],
                "skips every permission prompt",
            ),
            valued(
                &["--permission-mode"],
                &["bypassPermissions"],
                "skips every permission prompt",
                Severity::High,
            ),
            // Makes bypassPermissions a mode the session may switch to without
            // starting in it: medium, as the prompts stay until the mode changes.
            Flag {
                names: &["--allow-dangerously-skip-permissions"],
                values: &[],
                effect: "makes bypassPermissions, with no permission prompts, a mode the session can switch to",
                severity: Severity::Medium,
            },
        ],
    },
    // Codex CLI reference (`codex --help`): `--dangerously-bypass-approvals-and-sandbox`
    // and its alias `--yolo`; `--sandbox/-s`; `--ask-for-approval/-a`; `-c/--config
    // key=value` overrides of config.toml keys.
    Agent {
        name: "codex",
        programs: &["codex"],
        packages: &["@openai/codex"],
        images: &["codex"],
        subcommands: &[],
        flags: &[
            flag(
                &["--dangerously-bypass-approvals-and-sandbox", "--yolo"],
                "turns off both the sandbox and approval prompts",
            ),
            valued(
                &["--sandbox", "-s"],
                &["danger-full-access"],
                "turns off the sandbox",
                Severity::High,
            ),
            valued(
                &["-c", "--config"],
                &["sandbox_mode=danger-full-access"],
                "turns off the sandbox",
                Severity::High,
            ),
            valued(
                &["--ask-for-approval", "-a"],
                &["never"],
                "never asks before running a command (the sandbox still applies)",
                Severity::Medium,
            ),
            valued(
                &["-c", "--config"],
                &["approval_policy=never"],
                "never asks before running a command (the sandbox still applies)",
                Severity::Medium,
            ),
        ],
    },
    // Gemini CLI: see GEMINI_FLAGS.
    Agent {
        name: "gemini",
        programs: &["gemini"],
        packages: &["@google/gemini-cli"],
        images: &["gemini-cli"],
        subcommands: &[],
        flags: GEMINI_FLAGS,
    },
    // Qwen Code (a Gemini CLI fork) keeps Gemini's flags.
    Agent {
        name: "qwen",
        programs: &["qwen"],
        packages: &["@qwen-code/qwen-code"],
        images: &["qwen-code"],
        subcommands: &[],
        flags: GEMINI_FLAGS,
    },
    // aider options reference: `--yes-always` answers yes to every confirmation,
    // shell commands included.
    Agent {
        name: "aider",
        programs: &["aider"],
        packages: &["aider-chat"],
        images: &["aider", "aider-full"],
        subcommands: &[],
        flags: &[flag(
            &["--yes-always"],
            "answers yes to every confirmation, shell commands included",
        )],
    },
    // GitHub Copilot CLI command reference: `--allow-all-tools`; `--allow-all` (alias
    // `--yolo`) adds every path and URL.
    Agent {
        name: "copilot",
        programs: &["copilot"],
        packages: &["@github/copilot"],
        images: &[],
        subcommands: &[],
        flags: &[
            flag(&["--allow-all-tools"], "runs every tool without asking"),
            flag(
                &["--allow-all", "--yolo"],
                "runs every tool, path and URL without asking",
            ),
        ],
    },
    // Amp CLI: `--dangerously-allow-all` skips every tool confirmation (a legacy flag
    // now that recent versions run tools without approval by default; still reported
    // because it states the intent). `@ampcode/cli` replaced `@sourcegraph/amp`.
    Agent {
        name: "amp",
        programs: &["amp"],
        packages: &["@ampcode/cli", "@sourcegraph/amp"],
        images: &[],
        subcommands: &[],
        flags: &[flag(
            &["--dangerously-allow-all"],
            "runs every tool without asking",
        )],
    },
    // Cursor CLI parameters: `-f`/`--force` (alias `--yolo`) runs every tool call
    // unless explicitly denied; `--sandbox disabled` turns the OS sandbox off. The
    // CLI also installs as `agent`, a name too common to recognise on its own.
    Agent {
        name: "cursor-agent",
        programs: &["cursor-agent"],
        packages: &[],
        images: &[],
        subcommands: &[],
        flags: &[
            flag(
                &["--force", "-f", "--yolo"],
                "runs every tool call unless it is explicitly denied",
            ),
            valued(
                &["--sandbox"],
                &["disabled"],
                "turns off the sandbox (tool approvals still apply)",
                Severity::Medium,
            ),
        ],
    },
    // opencode and Goose have no flag that skips their prompts in a way this table
    // can state; they are listed so workflows know the step runs an agent. `goose`
    // also names a database migration tool, so only its agent subcommands count.
    Agent {
        name: "opencode",
        programs: &["opencode"],
        packages: &["opencode-ai"],
        images: &[],
        subcommands: &[],
        flags: &[],
    },
    Agent {
        name: "goose",
        programs: &["goose"],
        packages: &[],
        images: &[],
        subcommands: &["run", "session"],
        flags: &[],
    },
];

/// An agent started by a command, and where its own arguments begin.
pub struct Invocation {
    pub agent: &'static Agent,
    /// Index of the first word after the agent's program or package word.
    pub args: usize,
    /// Started inside a container with no host directory mounted.
    pub isolated: bool,
}

/// The agent a command starts, if any: `claude ...`, `env X=1 claude`, `npx -y
/// @openai/codex@1 ...`, `pnpm dlx ...`, `uvx aider-chat`, `docker run img ...`.
pub fn invocation(words: &[Word]) -> Option<Invocation> {
    let mut i = program_index(words)?;
    for _ in 0..8 {
        let w = words.get(i)?;
        let prog = basename(&w.text);
        let prog = prog.strip_suffix(".exe").unwrap_or(prog);
        if let Some(agent) = AGENTS.iter().find(|a| a.programs.contains(&prog)) {
            let sub = words.get(i + 1).map(|w| w.text.as_str());
            if !agent.subcommands.is_empty() && !sub.is_some_and(|s| agent.subcommands.contains(&s))
            {
                return None;
            }
            return Some(Invocation {
                agent,
                args: i + 1,
                isolated: false,
            });
        }
        match prog {
            // Wrappers that run the rest of the line as a command.
            "sudo" | "env" | "exec" | "nohup" | "command" | "nice" | "time" | "xargs"
            | "stdbuf" => {
                i = next_positional(words, i + 1, prog == "env")?;
            }
            "timeout" => i = next_positional(words, i + 1, false)? + 1,
            "npx" | "bunx" | "pnpx" | "uvx" => return package(words, i + 1),
            "npm" | "pnpm" | "yarn" | "bun" | "pipx" | "uv" => {
                let sub = next_positional(words, i + 1, false)?;
                let sub_word = words.get(sub)?.text.as_str();
                match (prog, sub_word) {
                    ("npm", "exec" | "x")
                    | ("pnpm", "dlx" | "exec")
                    | ("yarn", "dlx" | "exec")
                    | ("bun", "x")
                    | ("pipx", "run") => {
                        return package(words, sub + 1);
                    }
                    ("uv", "tool") => {
                        let run = next_positional(words, sub + 1, false)?;
                        if words.get(run)?.text != "run" {
                            return None;
                        }
                        return package(words, run + 1);
                    }
                    _ => return None,
                }
            }
            "docker" | "podman" | "nerdctl" => return container(words, i),
            _ => return None,
        }
    }
    None
}

/// The next word at or after `from` that is not an option (nor, for `env`, an
/// assignment).
fn next_positional(words: &[Word], from: usize, assignments: bool) -> Option<usize> {
    (from..words.len()).find(|&j| {
        let t = words[j].text.as_str();
        !(t.starts_with('-') || (assignments && t.contains('=')))
    })
}

/// The package word of a package runner: its name without a version matches an agent
/// package or program.
fn package(words: &[Word], from: usize) -> Option<Invocation> {
    let mut j = from;
    while let Some(w) = words.get(j) {
        let t = w.text.as_str();
        if t == "--" {
            j += 1;
            continue;
        }
        // `-p/--package X` names the package; the command follows.
        if matches!(t, "-p" | "--package" | "--from") {
            j += 2;
            continue;
        }
        if t.starts_with('-') {
            j += 1;
            continue;
        }
        let agent = by_package(t).or_else(|| {
            let name = strip_version(t);
            AGENTS.iter().find(|a| a.programs.contains(&name))
        })?;
        return Some(Invocation {
            agent,
            args: j + 1,
            isolated: false,
        });
    }
    None
}

/// The agent an npm or PyPI package spec installs (`@openai/codex@0.47.0`).
pub fn by_package(spec: &str) -> Option<&'static Agent> {
    let name = strip_version(spec);
    AGENTS.iter().find(|a| a.packages.contains(&name))
}

/// `@scope/pkg@1.2`, `pkg@latest`, `pkg==1.0` → the package name.
pub fn strip_version(spec: &str) -> &str {
    let spec = spec.split("==").next().unwrap_or(spec);
    match spec.strip_prefix('@') {
        Some(rest) => rest.find('@').map_or(spec, |at| &spec[..at + 1]),
        None => spec.split('@').next().unwrap_or(spec),
    }
}

fn container(words: &[Word], at: usize) -> Option<Invocation> {
    let argv: Vec<String> = words[at..].iter().map(|w| w.text.clone()).collect();
    let img = container_image(&argv)?;
    let image = argv[img].rsplit('/').next().unwrap_or(&argv[img]);
    let image = image.split(['@', ':']).next().unwrap_or(image);
    // The agent's own image, or any image told to run the agent's program.
    let (agent, args) = match AGENTS.iter().find(|a| a.images.contains(&image)) {
        Some(a) => (a, img + 1),
        None => {
            let prog = argv.get(img + 1).map(|p| basename(p))?;
            let agent = AGENTS.iter().find(|a| a.programs.contains(&prog))?;
            (agent, img + 2)
        }
    };
    let mounts = argv[..img].iter().any(|a| {
        matches!(a.as_str(), "-v" | "--volume" | "--mount")
            || a.starts_with("-v=")
            || a.starts_with("--volume=")
            || a.starts_with("--mount=")
            || a == "--privileged"
    });
    Some(Invocation {
        agent,
        args: at + args,
        isolated: !mounts,
    })
}

/// A dangerous flag found on a command line.
pub struct Found<'w> {
    pub flag: &'static Flag,
    pub word: &'w Word,
    /// The separate value word (`-s danger-full-access`), when there is one.
    pub value: Option<&'w Word>,
}

impl Found<'_> {
    /// The flag as written, with its value.
    pub fn text(&self) -> String {
        match self.value {
            Some(v) => format!("{} {}", self.word.text, v.text),
            None => self.word.text.clone(),
        }
    }

    /// The option word through its value word, when they are in order in the file.
    pub fn span(&self) -> crate::manifest::Span {
        match self.value {
            Some(v) if v.span.end > self.word.span.start => self.word.span.start..v.span.end,
            _ => self.word.span.clone(),
        }
    }
}

/// The flags of `agent` among `words[from..]` (up to `--`).
pub fn dangerous_flags<'w>(
    agent: &'static Agent,
    words: &'w [Word],
    from: usize,
) -> Vec<Found<'w>> {
    let mut out = Vec::new();
    let mut i = from;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            break;
        }
        let (name, inline) = match t.split_once('=') {
            Some((n, v)) if n.starts_with('-') => (n, Some(v)),
            _ => (t, None),
        };
        for f in agent.flags {
            if !f.names.contains(&name) {
                continue;
            }
            if f.values.is_empty() {
                if inline.is_none() {
                    out.push(Found {
                        flag: f,
                        word: w,
                        value: None,
                    });
                }
                continue;
            }
            let next = if inline.is_none() {
                words.get(i + 1)
            } else {
                None
            };
            let value = inline.or(next.map(|n| n.text.as_str()));
            if value.is_some_and(|v| f.values.iter().any(|want| same_value(v, want))) {
                out.push(Found {
                    flag: f,
                    word: w,
                    value: next,
                });
            }
        }
        i += 1;
    }
    out
}

/// Compares a flag value with a dangerous value: `-c` overrides are TOML, so
/// `sandbox_mode="danger-full-access"` and spaces around `=` mean the same.
fn same_value(v: &str, want: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '"' | '\'' | ' '))
            .collect()
    };
    norm(v) == norm(want)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmdline::{split, Dialect, Mapping};

    /// (agent, flag words as written) of every command in `text`.
    fn found(text: &str) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for words in split(text, &Mapping::Shift(0), Dialect::Shell) {
            if let Some(inv) = invocation(&words) {
                for f in dangerous_flags(inv.agent, &words, inv.args) {
                    out.push((inv.agent.name, text[f.word.span.clone()].to_string()));
                }
            }
        }
        out
    }

    #[test]
    fn direct_and_wrapped_invocations() {
        assert_eq!(
            found("claude -p x --dangerously-skip-permissions"),
            [("claude", "--dangerously-skip-permissions".into())]
        );
        assert_eq!(
            found("FOO=1 sudo -E env A=b /usr/bin/claude --permission-mode bypassPermissions"),
            [("claude", "--permission-mode".into())]
        );
        assert_eq!(
            found("claude --permission-mode=bypassPermissions"),
            [("claude", "--permission-mode=bypassPermissions".into())]
        );
        assert_eq!(
            found("npx -y @openai/codex@0.40.0 exec --yolo 'x'"),
            [("codex", "--yolo".into())]
        );
        assert_eq!(
            found("pnpm dlx @google/gemini-cli -p hi -y"),
            [("gemini", "-y".into())]
        );
        assert_eq!(
            found("uvx --from aider-chat aider --yes-always"),
            [("aider", "--yes-always".into())]
        );
        assert_eq!(
            found("pipx run aider-chat --yes-always"),
            [("aider", "--yes-always".into())]
        );
        assert_eq!(
            found("timeout 600 codex exec -s danger-full-access -a never"),
            [("codex", "-s".into()), ("codex", "-a".into())]
        );
        assert_eq!(
            found("codex -c sandbox_mode=\"danger-full-access\" -c 'approval_policy=never'"),
            [("codex", "-c".into()), ("codex", "-c".into())]
        );
        assert_eq!(
            found("gemini --approval-mode yolo"),
            [("gemini", "--approval-mode".into())]
        );
        assert_eq!(
            found("copilot -p x --allow-all-tools"),
            [("copilot", "--allow-all-tools".into())]
        );
        assert_eq!(
            found("amp -x q --dangerously-allow-all"),
            [("amp", "--dangerously-allow-all".into())]
        );
        assert_eq!(
            found("cursor-agent -p --force 'x'"),
            [("cursor-agent", "--force".into())]
        );
    }

    #[test]
    fn containers() {
        let t = "docker run --rm -e K ghcr.io/x/claude-code:1 --dangerously-skip-permissions";
        let words = &split(t, &Mapping::Shift(0), Dialect::Shell)[0];
        let inv = invocation(words).expect("agent");
        assert!(inv.isolated);
        assert_eq!(found(t).len(), 1);
        let t = "docker run --rm node:22 claude -p x --dangerously-skip-permissions";
        let words = &split(t, &Mapping::Shift(0), Dialect::Shell)[0];
        assert!(invocation(words).expect("agent").isolated);
        assert_eq!(found(t).len(), 1);
        let t = "docker run -v $PWD:/w paulgauthier/aider-full --yes-always";
        let words = &split(t, &Mapping::Shift(0), Dialect::Shell)[0];
        assert!(!invocation(words).expect("agent").isolated);
    }

    #[test]
    fn not_the_agent_or_not_its_flag() {
        for t in [
            "grep --yolo file",
            "echo \"--yolo\"",
            "echo claude --dangerously-skip-permissions",
            "claude -p '--dangerously-skip-permissions'x",
            "claude -- --dangerously-skip-permissions",
            "claude --permission-mode default",
            "codex -s workspace-write -a on-request",
            "codex -c sandbox_mode=read-only",
            "npx -y some-tool --yolo",
            "gemini-helper -y",
            "docker run ubuntu claude --permission-mode plan",
            "npx -y @google/gemini-cli -p x",
            "codex login",
            "docker run -y claude-code",
            "npm run claude -- --dangerously-skip-permissions",
            "aider --yes",
            "goose up --yolo",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    #[test]
    fn subcommands_and_packages() {
        let agent = |t: &str| {
            let words = &split(t, &Mapping::Shift(0), Dialect::Shell)[0];
            invocation(words).map(|i| i.agent.name)
        };
        assert_eq!(agent("goose run -t hi"), Some("goose"));
        assert_eq!(agent("goose up"), None);
        assert_eq!(agent("goose"), None);
        assert_eq!(agent("npx -y opencode-ai@0.5 run x"), Some("opencode"));
        assert_eq!(
            by_package("@openai/codex@0.47.0").map(|a| a.name),
            Some("codex")
        );
        assert!(by_package("codex").is_none());
    }

    #[test]
    fn versions() {
        assert_eq!(strip_version("@openai/codex@latest"), "@openai/codex");
        assert_eq!(strip_version("@openai/codex"), "@openai/codex");
        assert_eq!(strip_version("aider-chat==0.86"), "aider-chat");
        assert_eq!(strip_version("claude@1"), "claude");
        assert_eq!(strip_version("@"), "@");
    }
}
