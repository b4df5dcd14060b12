//! Comments in text files (Markdown, shell, Makefiles), for inline suppressions.

use super::Comment;

/// `<!-- ... -->` blocks: the comment syntax of Markdown and of most instruction files.
pub fn html_comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("<!--") {
        let start = from + at;
        let end = text[start + 4..]
            .find("-->")
            .map_or(text.len(), |e| start + 4 + e + 3);
        out.push(Comment {
            span: start..end,
            text: text[start..end].to_string(),
        });
        from = end;
    }
    out
}

/// `#` comments that start a line or follow whitespace (shell, Makefile, justfile).
/// A `#` inside quotes is rare enough in the lines that carry directives that the
/// simple rule serves: a directive must still name a rule id to take effect.
pub fn hash_comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let mut prev_space = true;
        for (i, c) in body.char_indices() {
            if c == '#' && prev_space {
                out.push(Comment {
                    span: line_start + i..line_start + body.len(),
                    text: body[i..].to_string(),
                });
                break;
            }
            prev_space = c.is_whitespace();
        }
        line_start += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_hash_comments() {
        let md = "# Title\n<!-- agentsec: ignore[AS-POIS-001] quoted example -->\ntext <!-- unterminated";
        let c = html_comments(md);
        assert_eq!(c.len(), 2);
        assert!(c[0].text.ends_with("-->"));
        let sh = "#!/bin/sh\necho a#b # note\n";
        let c = hash_comments(sh);
        let texts: Vec<_> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["#!/bin/sh", "# note"]);
    }
}
