//! Source files, byte spans and the source map.
//!
//! A [`Span`] is a byte range in one file. Line and column are computed only when a
//! diagnostic or a stack trace is rendered, never stored. This module must never read
//! files from disk: callers hand it text.

use std::fmt;

/// Identifies one file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A half-open byte range `lo..hi` in one file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub lo: u32,
    pub hi: u32,
}

impl Span {
    /// The span of code the compiler makes with no source text of its own (the
    /// comparison helper `sort_by` calls): a stack trace shows its frame without
    /// a position, and it must never reach a diagnostic.
    pub const GENERATED: Span = Span {
        file: FileId(u32::MAX),
        lo: 0,
        hi: 0,
    };

    pub fn new(file: FileId, lo: u32, hi: u32) -> Span {
        Span { file, lo, hi }
    }

    /// Whether this is [`Span::GENERATED`].
    pub fn is_generated(self) -> bool {
        self.file == Span::GENERATED.file
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }

    /// An empty span at the start of `self`.
    pub fn start(self) -> Span {
        Span {
            hi: self.lo,
            ..self
        }
    }

    /// An empty span at the end of `self`.
    pub fn end(self) -> Span {
        Span {
            lo: self.hi,
            ..self
        }
    }

    pub fn len(self) -> u32 {
        self.hi - self.lo
    }

    pub fn is_empty(self) -> bool {
        self.lo == self.hi
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.lo, self.hi)
    }
}

/// One source file: its display name, its text, where each line starts, and how
/// many chars come before each [`CHAR_BLOCK`] of bytes.
///
/// Both tables are built once, so finding the line and column of an offset costs a
/// binary search and a count over at most one block, however long the line: a file
/// of one long line with a million tokens or diagnostics stays linear to dump or
/// render.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<u32>,
    /// `chars_before[k]` is the number of chars before the first char boundary
    /// at or after byte `k * CHAR_BLOCK`.
    chars_before: Vec<u32>,
}

/// The stride, in bytes, of [`SourceFile`]'s char-count table.
const CHAR_BLOCK: usize = 1024;

/// The first char boundary of `text` at or after `offset` (at most the length).
fn boundary_at_or_after(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        let mut chars_before = Vec::with_capacity(text.len() / CHAR_BLOCK + 1);
        let mut chars = 0;
        let mut pos = 0;
        for k in 1..=text.len() / CHAR_BLOCK {
            chars_before.push(chars);
            let next = boundary_at_or_after(&text, k * CHAR_BLOCK);
            chars += text[pos..next].chars().count() as u32;
            pos = next;
        }
        chars_before.push(chars);
        SourceFile {
            name: name.into(),
            text,
            line_starts,
            chars_before,
        }
    }

    /// The number of chars in `text[..offset]`, with `offset` rounded down to a
    /// char boundary and clamped to the text.
    pub fn chars_before(&self, offset: usize) -> u32 {
        let offset = self.floor_boundary(offset);
        let block = offset / CHAR_BLOCK;
        // The block's first boundary is at most `offset`, itself a boundary.
        let from = boundary_at_or_after(&self.text, block * CHAR_BLOCK);
        self.chars_before[block] + self.text[from..offset].chars().count() as u32
    }

    /// `offset` clamped to the text and rounded down to a char boundary.
    fn floor_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The number of lines (a final line without a newline counts; the empty
    /// text after a final newline counts as one more).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The zero-based line that holds a byte offset (clamped to the text).
    pub fn line_index(&self, offset: u32) -> usize {
        let offset = offset.min(self.text.len() as u32);
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// The byte range of a zero-based line, without its newline; `None` past the
    /// last line.
    pub fn line_range(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.get(line)? as usize;
        let end = match self.line_starts.get(line + 1) {
            Some(&next) => next as usize - 1,
            None => self.text.len(),
        };
        Some(start..end)
    }

    /// One-based line and column (in chars) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = self.line_index(offset);
        let start = self.line_starts[line] as usize;
        let end = self.floor_boundary(offset as usize);
        let col = if end - start <= CHAR_BLOCK {
            self.text[start..end].chars().count() as u32
        } else {
            self.chars_before(end) - self.chars_before(start)
        };
        (line as u32 + 1, col + 1)
    }

    /// The file name without its directories, as shown in traces and diagnostics.
    pub fn short_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }
}

/// All files of one compilation, addressed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile::new(name, text));
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// `name:line:col` of the start of a span.
    pub fn location(&self, span: Span) -> String {
        let file = self.get(span.file);
        let (line, col) = file.line_col(span.lo);
        format!("{}:{}:{}", file.short_name(), line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let f = SourceFile::new("a.kl", "ab\nhé x\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(7), (2, 4));
        assert_eq!(f.line_col(100), (3, 1));
    }

    /// The tables agree with counting from the start of the line, at every
    /// offset (also inside a char) of text with one- to four-byte chars that
    /// spans several blocks.
    #[test]
    fn line_col_matches_counting() {
        let piece = "ab\u{e9}\u{20ac}\u{1f600}\n\t\u{0}x";
        let text = piece.repeat(3 * CHAR_BLOCK / piece.len() + 7) + "tail";
        let f = SourceFile::new("a.kl", text.as_str());
        for offset in 0..=text.len() + 2 {
            let clamped = offset.min(text.len());
            let mut end = clamped;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
            let line = text[..end].matches('\n').count() as u32 + 1;
            let col = text[line_start..end].chars().count() as u32 + 1;
            assert_eq!(f.line_col(offset as u32), (line, col), "offset {offset}");
        }
    }

    #[test]
    fn line_ranges() {
        let f = SourceFile::new("a.kl", "ab\n\ncd");
        assert_eq!(f.line_count(), 3);
        assert_eq!(f.line_range(0), Some(0..2));
        assert_eq!(f.line_range(1), Some(3..3));
        assert_eq!(f.line_range(2), Some(4..6));
        assert_eq!(f.line_range(3), None);
        assert_eq!(SourceFile::new("b.kl", "x\n").line_range(1), Some(2..2));
    }
}
