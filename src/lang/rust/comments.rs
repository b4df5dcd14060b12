//! Comments of a Rust file. syn drops them, and inline suppressions live in them, so
//! a small lexer finds them: it skips string, byte-string, raw-string and character
//! literals (a `//` inside `"http://..."` is not a comment) and nests block comments
//! as rustc does.

use crate::manifest::Comment;

/// Every `//` and `/* */` comment with its byte range, in source order. Unterminated
/// literals and comments run to the end of the file, as rustc would reject them.
pub fn comments(text: &str) -> Vec<Comment> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(b.len(), |n| i + n);
                push(&mut out, text, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = block_end(b, i);
                push(&mut out, text, i, end);
                i = end;
            }
            b'"' => i = string_end(b, i + 1),
            b'r' | b'b' | b'c' if !ident_before(b, i) => i = prefixed(b, i),
            b'\'' => i = char_end(b, i),
            _ => i += 1,
        }
    }
    out
}

fn push(out: &mut Vec<Comment>, text: &str, start: usize, end: usize) {
    if let Some(t) = text.get(start..end) {
        out.push(Comment {
            span: start..end,
            text: t.trim_end_matches('\r').to_string(),
        });
    }
}

fn ident_before(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] >= 0x80)
}

/// The end of a block comment starting at `i`; block comments nest.
fn block_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// The end of a `"` string whose contents start at `i`.
fn string_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// `r"…"`, `r#"…"#`, `b"…"`, `br#"…"#`, `c"…"`, `b'x'`; anything else is an
/// identifier starting with that letter.
fn prefixed(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if b[i] != b'r' && b.get(j) == Some(&b'r') {
        j += 1;
    }
    let raw = b[i] == b'r' || (j > i + 1);
    if raw {
        let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
        if b.get(j + hashes) != Some(&b'"') {
            return skip_ident(b, i);
        }
        let mut k = j + hashes + 1;
        while k < b.len() {
            if b[k] == b'"'
                && b.len() - k > hashes
                && b[k + 1..k + 1 + hashes].iter().all(|&c| c == b'#')
            {
                return k + 1 + hashes;
            }
            k += 1;
        }
        return b.len();
    }
    match b.get(j) {
        Some(b'"') => string_end(b, j + 1),
        Some(b'\'') if b[i] == b'b' => char_end(b, j),
        _ => skip_ident(b, i),
    }
}

fn skip_ident(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
        i += 1;
    }
    i
}

/// A character literal at `i`, or a lifetime/label (`'a`, `'static`), which has no
/// closing quote.
fn char_end(b: &[u8], i: usize) -> usize {
    if b.get(i + 1) == Some(&b'\\') {
        let mut k = i + 2;
        while k < b.len() && k < i + 12 {
            if b[k] == b'\'' && k > i + 2 {
                return k + 1;
            }
            k += 1;
        }
        return i + 1;
    }
    // One character (up to 4 bytes of UTF-8) followed by a quote.
    let len = match b.get(i + 1) {
        Some(&c) if c < 0x80 => 1,
        Some(&c) if c >= 0xf0 => 4,
        Some(&c) if c >= 0xe0 => 3,
        Some(_) => 2,
        None => return b.len(),
    };
    if b.get(i + 1 + len) == Some(&b'\'') {
        i + 2 + len
    } else {
        i + 1
    }
}

#[cfg(test)]
mod tests {
    use super::comments;

    fn texts(src: &str) -> Vec<String> {
        comments(src).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn line_and_block_comments() {
        assert_eq!(
            texts("let a = 1; // one\n/* two */ let b;"),
            ["// one", "/* two */"]
        );
        assert_eq!(
            texts("/* a /* nested */ still */ x // after"),
            ["/* a /* nested */ still */", "// after"]
        );
        assert_eq!(texts("let x = 1; // crlf\r\nlet y;"), ["// crlf"]);
    }

    #[test]
    fn literals_hide_comment_markers() {
        assert!(texts(r#"let u = "http://x/*y*/"; let e = "\"//";"#).is_empty());
        assert!(texts(r###"let r = r#"a "// quoted" /* b"#; let s = br"//";"###).is_empty());
        assert!(texts("let c = '\"'; let d = b'/'; let q = '\\''; // real").len() == 1);
        assert_eq!(
            texts("fn f<'a>(x: &'a str) -> &'static str { x } // end"),
            ["// end"]
        );
        assert_eq!(texts("let bar = 2; let rb = 3; // c"), ["// c"]);
        assert_eq!(texts("let s = 'é'; // ü"), ["// ü"]);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for s in [
            "", "/", "/*", "\"", "r#\"", "'", "'\\", "b'", "r##", "/* /* */", "é'", "'é", "c\"x",
        ] {
            let _ = comments(s);
        }
        assert_eq!(texts("/* open"), ["/* open"]);
    }
}
