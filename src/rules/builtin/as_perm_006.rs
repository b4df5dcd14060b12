//! AS-PERM-006: a filesystem server (or a container mount) given the root, a home
//! directory or a system directory.

use std::sync::LazyLock;

use regex::Regex;

use crate::classify::{Client, FileKind};
use crate::finding::Severity;
use crate::manifest::mcp::Field;
use crate::manifest::{claude, gemini};
use crate::rules::values::container_image;
use crate::rules::{Context, Parsed, Rule};

pub struct BroadFilesystem;

static FS_SERVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(server-filesystem|mcp/filesystem|(^|[-_/@])(file|files|filesystem|fs|disk)([-_/@.=]|$))")
        .expect("static regex")
});

/// How broad a path is: `Some(true)` root/home/system, `Some(false)` escapes with `..`.
pub fn broad(path: &str) -> Option<bool> {
    static HOME_DIR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(/home(/[^/]+)?|/Users(/[^/]+)?|[a-z]:[\\/]Users([\\/][^\\/]+)?)$")
            .expect("static regex")
    });
    let p = path.trim().trim_end_matches(['/', '\\']);
    let p = if p.is_empty() && path.trim().starts_with('/') {
        "/"
    } else {
        p
    };
    let exact = [
        "/",
        "~",
        "$HOME",
        "${HOME}",
        "${env:HOME}",
        "${userHome}",
        "%USERPROFILE%",
        "/root",
        "/etc",
        "/var",
        "/usr",
        "/opt",
        "/proc",
        "/sys",
        "/dev",
        "/boot",
        "~/.config",
        "~/Library",
        "~/.ssh",
        "~/.aws",
        "$HOME/.config",
        "${HOME}/.config",
        "${HOME}/.ssh",
        "$HOME/.ssh",
    ];
    if exact.contains(&p)
        || HOME_DIR.is_match(p)
        || (p.len() <= 3 && p.ends_with(':'))
        || p.eq_ignore_ascii_case("C:")
    {
        return Some(true);
    }
    if p.split(['/', '\\']).any(|seg| seg == "..") {
        return Some(false);
    }
    None
}

impl Rule for BroadFilesystem {
    fn id(&self) -> &'static str {
        "AS-PERM-006"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        for root in file.roots {
            match file.kind {
                FileKind::ClaudeSettings => {
                    for (f, dir) in claude::permission_list(root, "additionalDirectories") {
                        agent_dir(cx, "Claude Code settings give the agent", &f, dir);
                    }
                }
                FileKind::McpConfig(Client::Gemini, _) => {
                    let found = gemini::setting(
                        root,
                        "context.includeDirectories",
                        Some("includeDirectories"),
                    );
                    for s in found {
                        for (i, item) in s.node.items().iter().enumerate() {
                            if let Some(dir) = item.as_str() {
                                let f = Field::new(item, s.route.index(i));
                                agent_dir(cx, "Gemini CLI settings add", &f, dir);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for s in &file.servers {
            let argv = s.argv();
            let fields: Vec<&Field<'_>> = s.command.iter().chain(s.args.iter()).collect();
            if let Some(img) = container_image(&argv) {
                // Host side of bind mounts.
                for i in 0..img {
                    let prev = if i > 0 { argv[i - 1].as_str() } else { "" };
                    if let Some(host) = mount_host(prev, &argv[i]) {
                        report(cx, &s.name, fields[i], host, "mounts");
                    }
                }
                continue;
            }
            let Some(pkg) = argv.iter().position(|a| FS_SERVER.is_match(a)) else {
                continue;
            };
            for i in pkg + 1..argv.len() {
                if !argv[i].starts_with('-') {
                    report(
                        cx,
                        &s.name,
                        fields[i],
                        &argv[i],
                        "gives the filesystem server",
                    );
                }
            }
        }
    }
}

/// The host side of a bind mount given as `-v X`, `--volume X`, `--mount X` or the
/// one-word `-v=X`, `--volume=X`, `--mount=X`.
fn mount_host<'w>(prev: &str, word: &'w str) -> Option<&'w str> {
    let (flag, value) = match word.split_once('=') {
        Some((f, v)) if matches!(f, "-v" | "--volume" | "--mount") => (f, v),
        _ => (prev, word),
    };
    match flag {
        "-v" | "--volume" => {
            // Keep a Windows drive letter (`C:\x:/data`) with its path.
            let b = value.as_bytes();
            let skip = if b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
                2
            } else {
                0
            };
            let end = value[skip..].find(':').map_or(value.len(), |i| i + skip);
            Some(&value[..end])
        }
        "--mount" => value.split(',').find_map(|kv| {
            kv.strip_prefix("source=")
                .or_else(|| kv.strip_prefix("src="))
        }),
        _ => None,
    }
}

fn report(cx: &mut Context<'_>, server: &str, f: &Field<'_>, path: &str, verb: &str) {
    match broad(path) {
        Some(true) => {
            cx.report(f.node.span.clone(), &f.route.to_string(), format!(
                "MCP server '{server}' {verb} `{path}`: the whole disk, a home directory or a system directory"
            ));
        }
        Some(false) => {
            cx.report(
                f.node.span.clone(),
                &f.route.to_string(),
                format!(
                "MCP server '{server}' {verb} `{path}`, which climbs out of the project with `..`"
            ),
            )
            .severity(Severity::Medium);
        }
        None => {}
    }
}

/// A directory the agent itself may read and edit, beyond the project.
fn agent_dir(cx: &mut Context<'_>, who: &str, f: &Field<'_>, dir: &str) {
    let route = f.route.to_string();
    let path = super::shorten(dir);
    match broad(dir) {
        Some(true) => {
            cx.report(f.node.span.clone(), &route, format!(
                "{who} `{path}` as a working directory: the whole disk, a home directory or a system directory"
            ));
        }
        Some(false) => {
            cx.report(
                f.node.span.clone(),
                &route,
                format!(
                "{who} `{path}` as a working directory, which climbs out of the project with `..`"
            ),
            )
            .severity(Severity::Medium);
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::broad;

    #[test]
    fn mount_forms() {
        use super::mount_host;
        assert_eq!(mount_host("-v", "/:/host"), Some("/"));
        assert_eq!(mount_host("run", "--volume=/etc:/e:ro"), Some("/etc"));
        assert_eq!(
            mount_host("--mount", "type=bind,source=/home,target=/h"),
            Some("/home")
        );
        assert_eq!(mount_host("-v", "C:\\Users\\a:/data"), Some("C:\\Users\\a"));
        assert_eq!(mount_host("-e", "A=b"), None);
    }

    #[test]
    fn broad_paths() {
        for p in [
            "/",
            "~",
            "/Users/alice",
            "/home/bob/",
            "/Users",
            "/home",
            "C:/Users/alice",
            "C:\\",
            "${HOME}",
            "/etc",
            "~/.ssh",
        ] {
            assert_eq!(broad(p), Some(true), "{p}");
        }
        assert_eq!(broad("${workspaceFolder}/../x"), Some(false));
        for p in [
            "/work/repo/docs",
            "./data",
            "~/projects/app",
            "/home/bob/project",
            "/tmp/x",
        ] {
            assert_eq!(broad(p), None, "{p}");
        }
    }
}
