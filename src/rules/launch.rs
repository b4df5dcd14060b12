//! How an MCP server's command line launches a package: the launcher (`npx`, `uvx`,
//! `pipx run`, ...), the package spec and its name. Pinning and policy rules share it.

use super::values::basename;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ecosystem {
    Npm,
    Python,
    Deno,
}

/// Finds the launcher and the index of the package spec it runs.
pub fn package_position(t: &[&str]) -> Option<(Ecosystem, String, usize, bool)> {
    for i in 0..t.len() {
        let b = basename(t[i]);
        let next = t.get(i + 1).copied().unwrap_or("");
        let (eco, launcher, start) = match (b, next) {
            ("npx" | "bunx" | "pnpx", _) => (Ecosystem::Npm, b.to_string(), i + 1),
            ("pnpm" | "yarn", "dlx") | ("npm", "exec") | ("bun", "x") => {
                (Ecosystem::Npm, format!("{b} {next}"), i + 2)
            }
            ("uvx", _) => (Ecosystem::Python, b.to_string(), i + 1),
            ("uv", "tool") if t.get(i + 2) == Some(&"run") => {
                (Ecosystem::Python, "uv tool run".into(), i + 3)
            }
            ("pipx", "run") => (Ecosystem::Python, "pipx run".into(), i + 2),
            ("deno", "run") => (Ecosystem::Deno, "deno run".into(), i + 2),
            _ => continue,
        };
        let mut yes = false;
        let mut j = start;
        while j < t.len() {
            let a = t[j];
            match a {
                "-y" | "--yes" => yes = true,
                "-p" | "--package" | "--from" if eco != Ecosystem::Deno => {
                    return (j + 1 < t.len()).then_some((eco, launcher, j + 1, yes));
                }
                _ if a.starts_with("--package=") || a.starts_with("--from=") => {
                    // The spec shares a word with its flag: point at that word.
                    return Some((eco, launcher, j, yes));
                }
                "--with" | "--python" | "--index-url" | "--extra-index-url" | "--registry"
                | "--cache" | "--node-options" => j += 1,
                _ if a.starts_with('-') => {}
                _ => return Some((eco, launcher, j, yes)),
            }
            j += 1;
        }
        return None;
    }
    None
}

/// The spec in a word: `--package=<spec>` and `--from=<spec>` share a word with their
/// flag. Returns the spec and its byte offset in the word.
pub fn spec_in(word: &str) -> (&str, usize) {
    let spec = word
        .strip_prefix("--package=")
        .or_else(|| word.strip_prefix("--from="))
        .unwrap_or(word);
    (spec, word.len() - spec.len())
}

/// The package name of a spec: `@scope/name@1.2.3` → `@scope/name`,
/// `name==1.0`, `name[extra]>=2` → `name`, `npm:x@1` → `x`.
pub fn package_name(eco: Ecosystem, spec: &str) -> &str {
    let spec = spec
        .strip_prefix("npm:")
        .or_else(|| spec.strip_prefix("jsr:"))
        .unwrap_or(spec);
    match eco {
        Ecosystem::Python => {
            let end = spec
                .find(['=', '<', '>', '~', '!', '[', '@', ';', ' '])
                .unwrap_or(spec.len());
            &spec[..end]
        }
        _ => {
            let body_start = usize::from(spec.starts_with('@'));
            match spec[body_start..].find('@') {
                Some(i) => &spec[..body_start + i],
                None => spec,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_specs() {
        assert_eq!(package_name(Ecosystem::Npm, "@acme/mcp@1.2.3"), "@acme/mcp");
        assert_eq!(package_name(Ecosystem::Npm, "mcp-remote"), "mcp-remote");
        assert_eq!(package_name(Ecosystem::Npm, "npm:x@latest"), "x");
        assert_eq!(
            package_name(Ecosystem::Python, "mcp-server-fetch==1.0"),
            "mcp-server-fetch"
        );
        assert_eq!(package_name(Ecosystem::Python, "x[cli]>=2"), "x");
        assert_eq!(package_name(Ecosystem::Python, "x@1.0"), "x");
        assert_eq!(package_name(Ecosystem::Npm, "@"), "@");
    }

    #[test]
    fn launchers() {
        let t = ["npx", "-y", "@acme/mcp@1.0.0"];
        let (eco, l, i, yes) = package_position(&t).expect("npx");
        assert_eq!((eco, l.as_str(), i, yes), (Ecosystem::Npm, "npx", 2, true));
        assert!(package_position(&["node", "server.js"]).is_none());
        let t = ["uvx", "--from=git+https://x/y", "tool"];
        let (_, _, i, _) = package_position(&t).expect("uvx");
        assert_eq!(spec_in(t[i]), ("git+https://x/y", 7));
    }
}
