//! A scanned file's text and the mapping from byte offsets to lines and columns.

/// One file read for scanning.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as reported: relative to the scan root, with '/' separators.
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: String, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and 1-based column in Unicode code points (SARIF `columnKind`
    /// `unicodeCodePoints`), for a byte offset. Offsets inside a character or past the
    /// end are clamped, so a bad span never panics.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_code_points() {
        let f = SourceFile::new("a".into(), "ab\n\u{e9}x\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'x' is after a two-byte character: byte 5, column 2.
        assert_eq!(f.line_col(5), (2, 2));
        assert_eq!(f.line_col(4), (2, 1), "inside a character clamps back");
        assert_eq!(f.line_col(999), (3, 1));
    }
}
