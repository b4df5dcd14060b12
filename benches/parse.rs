//! The floor for code scans: a bare parallel tree-sitter parse of the Python and
//! TypeScript/JavaScript files under the given directories (same walk, same size and
//! generated-file limits as a scan), with nothing done to the trees. `benches/code.sh`
//! prints it next to the full scan.
//!
//! `cargo bench --bench parse -- DIR...` (the fixtures when no directory is given)

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

fn grammar(path: &Path) -> Option<tree_sitter::Language> {
    Some(match path.extension()?.to_str()? {
        "py" | "pyi" => tree_sitter_python::LANGUAGE.into(),
        "js" | "jsx" | "mjs" | "cjs" => tree_sitter_javascript::LANGUAGE.into(),
        "ts" | "mts" | "cts" => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        "tsx" => tree_sitter_typescript::LANGUAGE_TSX.into(),
        _ => return None,
    })
}

fn main() {
    let mut dirs: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    // Without a directory (as `cargo test --all-targets` runs it): the fixtures.
    if dirs.is_empty() {
        dirs.push(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures").to_string());
    }
    for dir in dirs {
        let start = Instant::now();
        let files: Vec<_> = ignore::WalkBuilder::new(&dir)
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .filter_map(|e| Some((grammar(e.path())?, e.into_path())))
            .collect();
        let (bytes, nodes) = files
            .par_iter()
            .map(|(g, p)| {
                let Ok(text) = std::fs::read_to_string(p) else {
                    return (0, 0);
                };
                // The scan's limits: 1 MiB, and no minified bundles.
                let longest = text.lines().map(str::len).max().unwrap_or(0);
                if text.len() > 1024 * 1024 || longest > 20_000 {
                    return (0, 0);
                }
                let mut parser = tree_sitter::Parser::new();
                if parser.set_language(g).is_err() {
                    return (0, 0);
                }
                let n = parser
                    .parse(&text, None)
                    .map_or(0, |t| t.root_node().descendant_count());
                (text.len(), n)
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{dir}: {} files, {:.2} MB parsed ({nodes} nodes) in {secs:.2} s = {:.1} MB/s",
            files.len(),
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs.max(1e-3)
        );
    }
}
