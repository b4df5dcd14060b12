//! A POSIX-shell-like word splitter. It recognises enough of the shell grammar to
//! tell which words form one simple command (quotes, escapes, continuations,
//! operators, comments, substitutions, heredocs) without expanding anything: rules
//! need the words as the shell would pass them and where they are written.

use std::ops::Range;

/// One word, with offsets relative to the text that was split.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The word after quote removal; substitutions (`$(...)`, `` `...` ``, `${...}`)
    /// are kept as written.
    pub text: String,
    /// The word as written, quotes included.
    pub span: Range<usize>,
    /// For a word that is one quoted string (`'...'` or `"..."`), the text between
    /// the quotes: an `sh -c` argument is split again from there.
    pub quoted_inner: Option<Range<usize>>,
    /// The insides of command substitutions in the word, split again as commands.
    pub subs: Vec<Range<usize>>,
}

/// Whose rules the text follows where shell scripts and Dockerfiles differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// A shell script: heredoc bodies are data written to a file or a command's
    /// input, and are skipped.
    Shell,
    /// A Dockerfile instruction: a `RUN <<EOF` body is the script itself, and a
    /// comment line inside a continued instruction is removed before the shell sees
    /// it, so the command goes on past it.
    Dockerfile,
}

/// Splits `text` into simple commands, each a list of words.
pub fn split(text: &str, dialect: Dialect) -> Vec<Vec<Token>> {
    let mut lx = Lexer {
        text,
        pos: 0,
        commands: Vec::new(),
        current: Vec::new(),
        pending: Vec::new(),
        dialect,
    };
    lx.run();
    lx.commands
}

struct Lexer<'t> {
    text: &'t str,
    pos: usize,
    commands: Vec<Vec<Token>>,
    current: Vec<Token>,
    /// Heredoc delimiters seen on the current line, whose bodies start at the next
    /// newline.
    pending: Vec<(String, bool)>,
    dialect: Dialect,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn peek_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|s| s.chars().next())
    }

    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn end_command(&mut self) {
        if !self.current.is_empty() {
            self.commands.push(std::mem::take(&mut self.current));
        }
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                '\n' => {
                    self.pos += 1;
                    self.end_command();
                    self.heredoc_bodies();
                }
                '\\' if self.continuation_at(self.pos).is_some() => {
                    self.pos += self.continuation_at(self.pos).unwrap_or(1);
                }
                c if c.is_whitespace() => self.pos += c.len_utf8(),
                '#' => self.skip_comment(),
                ';' | '&' | '|' | '(' | ')' => {
                    self.pos += 1;
                    self.end_command();
                }
                '<' | '>' => self.redirection(),
                _ => {
                    let tok = self.word();
                    // Grouping and negation words carry no command of their own.
                    if !matches!(tok.text.as_str(), "{" | "}" | "!") || tok.quoted_inner.is_some() {
                        self.current.push(tok);
                    }
                }
            }
        }
        self.end_command();
    }

    /// The length of a backslash-newline continuation at `at`, if there is one.
    fn continuation_at(&self, at: usize) -> Option<usize> {
        let rest = self.text.get(at..)?;
        if rest.starts_with("\\\n") {
            Some(2)
        } else if rest.starts_with("\\\r\n") {
            Some(3)
        } else {
            None
        }
    }

    fn skip_comment(&mut self) {
        let line_start = self.text[..self.pos].rfind('\n').map_or(0, |i| i + 1);
        let whole_line = self.text[line_start..self.pos].trim().is_empty() && line_start > 0;
        let rest = self.rest();
        self.pos += rest.find('\n').unwrap_or(rest.len());
        if whole_line && self.dialect == Dialect::Dockerfile && self.peek() == Some('\n') {
            self.pos += 1;
        }
    }

    /// `<`, `>`, `>>`, `<<<`, `&>`-style operators; `<<WORD` starts a heredoc. The
    /// target word stays a word of the command, which is harmless for rules.
    fn redirection(&mut self) {
        let rest = self.rest();
        if rest.starts_with("<<") && !rest.starts_with("<<<") {
            self.pos += 2;
            let strip_tabs = self.peek() == Some('-');
            if strip_tabs {
                self.pos += 1;
            }
            while matches!(self.peek(), Some(' ' | '\t')) {
                self.pos += 1;
            }
            if matches!(self.peek(), None | Some('\n')) {
                return;
            }
            let tok = self.word();
            if !tok.text.is_empty() {
                self.pending.push((tok.text, strip_tabs));
            }
            return;
        }
        while matches!(self.peek(), Some('<' | '>' | '&' | '|')) {
            self.pos += 1;
        }
    }

    /// After a newline: skips or splits the bodies of the heredocs opened on the line
    /// that just ended.
    fn heredoc_bodies(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for (delim, _) in pending {
            let start = self.pos;
            let mut end = self.text.len();
            let mut next = self.text.len();
            let mut at = self.pos;
            while at < self.text.len() {
                let line_end = self.text[at..]
                    .find('\n')
                    .map_or(self.text.len(), |i| at + i);
                let line = self.text[at..line_end].trim_end_matches('\r');
                if line.trim_start_matches('\t') == delim || line.trim() == delim {
                    end = at;
                    next = (line_end + 1).min(self.text.len());
                    break;
                }
                at = line_end + 1;
            }
            if self.dialect == Dialect::Dockerfile {
                let body = &self.text[start..end];
                for mut cmd in split(body, Dialect::Dockerfile) {
                    for t in &mut cmd {
                        shift(t, start);
                    }
                    self.commands.push(cmd);
                }
            }
            self.pos = next.max(self.pos);
        }
    }

    /// Reads one word starting at the current position.
    fn word(&mut self) -> Token {
        let start = self.pos;
        let mut text = String::new();
        let mut subs = Vec::new();
        // (quote char, inner range) of each quoted part, to know whether the word is
        // one quoted string.
        let mut quoted_parts = 0;
        let mut unquoted_chars = false;
        let mut inner = None;
        while let Some(c) = self.peek() {
            match c {
                c if c.is_whitespace() => break,
                ';' | '&' | '|' | '(' | ')' | '<' | '>' => break,
                '\\' => {
                    if self.continuation_at(self.pos).is_some() {
                        break;
                    }
                    self.pos += 1;
                    if let Some(n) = self.peek() {
                        text.push(n);
                        self.pos += n.len_utf8();
                    }
                    unquoted_chars = true;
                }
                '\'' => {
                    self.pos += 1;
                    let from = self.pos;
                    let rest = self.rest();
                    let len = rest.find('\'').unwrap_or(rest.len());
                    text.push_str(&rest[..len]);
                    self.pos += len;
                    inner = Some(from..self.pos);
                    if self.peek() == Some('\'') {
                        self.pos += 1;
                    }
                    quoted_parts += 1;
                }
                '"' => {
                    self.pos += 1;
                    let from = self.pos;
                    self.double_quoted(&mut text, &mut subs);
                    inner = Some(from..self.pos);
                    if self.peek() == Some('"') {
                        self.pos += 1;
                    }
                    quoted_parts += 1;
                }
                '$' | '`' => {
                    self.substitution(&mut text, &mut subs);
                    unquoted_chars = true;
                }
                c => {
                    text.push(c);
                    self.pos += c.len_utf8();
                    unquoted_chars = true;
                }
            }
        }
        // A lone operator character never reaches here: `run` handles those. Guard
        // against an empty word anyway so the loop always advances.
        if self.pos == start {
            if let Some(c) = self.peek() {
                self.pos += c.len_utf8();
                text.push(c);
            }
        }
        Token {
            text,
            span: start..self.pos,
            quoted_inner: if quoted_parts == 1 && !unquoted_chars {
                inner
            } else {
                None
            },
            subs,
        }
    }

    /// Inside `"..."`: a backslash escapes only `$`, `` ` ``, `"`, `\` and newline;
    /// substitutions are kept as written. Stops at the closing quote or the end.
    fn double_quoted(&mut self, text: &mut String, subs: &mut Vec<Range<usize>>) {
        while let Some(c) = self.peek() {
            match c {
                '"' => return,
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        Some(n @ ('$' | '`' | '"' | '\\')) => {
                            text.push(n);
                            self.pos += 1;
                        }
                        Some('\n') => self.pos += 1,
                        _ => text.push('\\'),
                    }
                }
                '$' | '`' => self.substitution(text, subs),
                c => {
                    text.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// `$(...)`, `$((...))`, `${...}`, `` `...` `` or a lone `$`: copied as written;
    /// the inside of a command substitution is remembered for a second split.
    fn substitution(&mut self, text: &mut String, subs: &mut Vec<Range<usize>>) {
        let start = self.pos;
        let rest = self.rest();
        if rest.starts_with("$(") {
            let arithmetic = rest.starts_with("$((");
            let open = self.pos + 2;
            let close = matching(self.text, open, '(', ')');
            if !arithmetic {
                subs.push(open..close.min(self.text.len()));
            }
            self.pos = (close + 1).min(self.text.len());
        } else if rest.starts_with("${") {
            let close = matching(self.text, self.pos + 2, '{', '}');
            self.pos = (close + 1).min(self.text.len());
        } else if rest.starts_with('`') {
            let open = self.pos + 1;
            let mut at = open;
            let mut close = self.text.len();
            while let Some(c) = self.peek_at(at) {
                match c {
                    '\\' => at += 1 + self.peek_at(at + 1).map_or(0, char::len_utf8),
                    '`' => {
                        close = at;
                        break;
                    }
                    c => at += c.len_utf8(),
                }
            }
            subs.push(open..close.min(self.text.len()));
            self.pos = (close + 1).min(self.text.len());
        } else {
            self.pos += 1;
        }
        text.push_str(self.text.get(start..self.pos).unwrap_or(""));
    }
}

/// The offset of the bracket closing the one opened just before `from`, skipping
/// quoted text and nested pairs; the end of the text when unbalanced.
fn matching(text: &str, from: usize, open: char, close: char) -> usize {
    let mut depth = 1usize;
    let mut at = from;
    let mut quote: Option<char> = None;
    while let Some(c) = text.get(at..).and_then(|s| s.chars().next()) {
        match (quote, c) {
            (_, '\\') if quote != Some('\'') => {
                at += 1;
                at += text
                    .get(at..)
                    .and_then(|s| s.chars().next())
                    .map_or(0, char::len_utf8);
                continue;
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, c) if c == open => depth += 1,
            (None, c) if c == close => {
                depth -= 1;
                if depth == 0 {
                    return at;
                }
            }
            _ => {}
        }
        at += c.len_utf8();
    }
    text.len()
}

fn shift(t: &mut Token, by: usize) {
    t.span = t.span.start + by..t.span.end + by;
    if let Some(r) = &mut t.quoted_inner {
        *r = r.start + by..r.end + by;
    }
    for r in &mut t.subs {
        *r = r.start + by..r.end + by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        split(text, Dialect::Shell)
            .into_iter()
            .map(|c| c.into_iter().map(|t| t.text).collect())
            .collect()
    }

    fn spans(text: &str) -> Vec<&str> {
        split(text, Dialect::Shell)
            .into_iter()
            .flatten()
            .map(|t| &text[t.span])
            .collect()
    }

    #[test]
    fn operators_separate_commands() {
        assert_eq!(
            words("a b && c || d; e | f & g\nh"),
            [
                vec!["a", "b"],
                vec!["c"],
                vec!["d"],
                vec!["e"],
                vec!["f"],
                vec!["g"],
                vec!["h"]
            ]
        );
        assert_eq!(words("(cd x; y)"), [vec!["cd", "x"], vec!["y"]]);
        assert_eq!(words("{ a; }"), [vec!["a"]]);
        assert_eq!(words("a|&b;;c"), [vec!["a"], vec!["b"], vec!["c"]]);
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(
            words(r#"claude -p "fix \"it\" \$x" 'a "b"' c\ d e\\f"#),
            [vec![
                "claude",
                "-p",
                "fix \"it\" $x",
                "a \"b\"",
                "c d",
                "e\\f"
            ]]
        );
        // Backslashes before other characters stay inside double quotes.
        assert_eq!(words(r#""a\nb""#), [vec!["a\\nb"]]);
        assert_eq!(words("x=\"a b\"c'd'"), [vec!["x=a bcd"]]);
        assert_eq!(words("''"), [vec![""]]);
    }

    #[test]
    fn spans_are_exact() {
        let t = "  claude  --dangerously-skip-permissions \"-p\" 'x y'";
        assert_eq!(
            spans(t),
            [
                "claude",
                "--dangerously-skip-permissions",
                "\"-p\"",
                "'x y'"
            ]
        );
        let cmds = split(t, Dialect::Shell);
        let q = cmds[0][3].quoted_inner.clone().expect("quoted");
        assert_eq!(&t[q], "x y");
        assert_eq!(cmds[0][0].quoted_inner, None);
    }

    #[test]
    fn continuations_are_whitespace() {
        let t = "claude \\\n  -p x\\\r\n--yolo";
        assert_eq!(words(t), [vec!["claude", "-p", "x", "--yolo"]]);
        assert_eq!(spans(t)[3], "--yolo");
        // Inside double quotes a continuation disappears.
        assert_eq!(words("\"a\\\nb\""), [vec!["ab"]]);
    }

    #[test]
    fn comments_only_at_word_start() {
        assert_eq!(
            words("a b#c # claude --yolo\n# x\nd"),
            [vec!["a", "b#c"], vec!["d"]]
        );
        assert_eq!(words("echo '# no'"), [vec!["echo", "# no"]]);
    }

    #[test]
    fn substitutions_are_words_and_split_again() {
        let t = r#"out=$(claude -p "a)b" --yolo) x `gemini -y` ${A:-$(b)} $((1+2))"#;
        let cmds = split(t, Dialect::Shell);
        assert_eq!(cmds.len(), 1);
        let w: Vec<_> = cmds[0].iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            w,
            [
                "out=$(claude -p \"a)b\" --yolo)",
                "x",
                "`gemini -y`",
                "${A:-$(b)}",
                "$((1+2))"
            ]
        );
        assert_eq!(&t[cmds[0][0].subs[0].clone()], "claude -p \"a)b\" --yolo");
        assert_eq!(&t[cmds[0][2].subs[0].clone()], "gemini -y");
        assert!(cmds[0][4].subs.is_empty());
        // GitHub expressions hold spaces inside the braces.
        assert_eq!(
            words("echo ${{ github.event.issue.title }}"),
            [vec!["echo", "${{ github.event.issue.title }}"]]
        );
    }

    #[test]
    fn heredocs() {
        let t = "cat <<'EOF' > f\nclaude --yolo\nEOF\nnext a\n";
        assert_eq!(words(t), [vec!["cat", "f"], vec!["next", "a"]]);
        let cmds = split("RUN <<EOF\nclaude --yolo\nEOF\n", Dialect::Dockerfile);
        assert_eq!(
            split("a \\\n  # note\n  --yolo", Dialect::Dockerfile)
                .iter()
                .map(|c| c.iter().map(|t| t.text.as_str()).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
            [vec!["a", "--yolo"]]
        );
        let t2 = "RUN <<EOF\nclaude --yolo\nEOF\n";
        let w: Vec<Vec<&str>> = cmds
            .iter()
            .map(|c| c.iter().map(|t| &t2[t.span.clone()]).collect())
            .collect();
        assert_eq!(w, [vec!["RUN"], vec!["claude", "--yolo"]]);
        assert_eq!(words("cat <<-X\n\tbody\n\tX\nz"), [vec!["cat"], vec!["z"]]);
        assert_eq!(words("cat <<"), [vec!["cat"]]);
        assert_eq!(words("cat <<<\"here\""), [vec!["cat", "here"]]);
    }

    #[test]
    fn unicode_and_unterminated_input_do_not_panic() {
        assert_eq!(words("écho «ünï» 'ça'"), [vec!["écho", "«ünï»", "ça"]]);
        assert_eq!(spans("日本 \"語\""), ["日本", "\"語\""]);
        for t in [
            "\"",
            "'",
            "\\",
            "$(",
            "${",
            "`",
            "\"$(",
            "a \"b",
            "a 'b",
            "$(a \"",
            "<<",
            "<<'",
            "a\\",
            "\"\\",
            "`\\",
            "$((",
            "\u{feff}x",
            "🦀\\🦀",
            "&&||;;",
            "$",
            "\"$\"",
        ] {
            let cmds = split(t, Dialect::Shell);
            for t2 in cmds.iter().flatten() {
                assert!(t.get(t2.span.clone()).is_some(), "{t:?}");
                for s in &t2.subs {
                    assert!(t.get(s.clone()).is_some(), "{t:?}");
                }
            }
            let _ = split(t, Dialect::Dockerfile);
        }
        assert_eq!(words("a \"b c"), [vec!["a", "b c"]]);
        assert_eq!(words("a 'b"), [vec!["a", "b"]]);
    }

    #[test]
    fn huge_input_is_linear_enough() {
        let t = "claude -p x && ".repeat(20_000);
        assert_eq!(split(&t, Dialect::Shell).len(), 20_000);
        let nested = "$(".repeat(5_000);
        let _ = split(&nested, Dialect::Shell);
    }
}
