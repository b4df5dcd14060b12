//! Comments in text files (shell, Makefiles), for inline suppressions; Markdown
//! comments come from the markdown reader.

use super::Comment;

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
    fn hash_comments_after_space() {
        let sh = "#!/bin/sh\necho a#b # note\n";
        let c = hash_comments(sh);
        let texts: Vec<_> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["#!/bin/sh", "# note"]);
    }
}
