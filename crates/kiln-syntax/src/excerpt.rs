//! What the renderer is shown of the source for one diagnostic.
//!
//! codespan-reporting prints whole lines and finds them through its [`Files`]
//! trait. Handing it the files themselves would echo a 5 MB line in full for every
//! diagnostic on it. Instead each diagnostic gets an [`Excerpt`]: a small text
//! holding only the lines the renderer may print, each longer than
//! [`MAX_LINE_CHARS`] cut to a window around its marked position with `...` on the
//! cut sides and with control and invisible characters made visible, together
//! with the maps between its offsets and the file's. Line
//! numbers and columns shown are those of the real file. Building an excerpt costs
//! time in the number of labels, never in the length of a line or of the file.

use crate::diagnostic::{escape_char, escape_invisible, is_invisible};
use crate::span::{FileId, SourceFile, SourceMap, Span};
use codespan_reporting::files::{Error, Files, Location};
use std::collections::BTreeMap;
use std::ops::Range;

/// Lines with more chars than this are shown as a window of this many chars.
pub const MAX_LINE_CHARS: usize = 200;

/// How many chars a window shows before the marked position.
const CONTEXT_BEFORE: usize = 60;

/// How many lines after the start and before the end of a multi-line label the
/// renderer may print (codespan-reporting's default context is 3 and 1 lines),
/// plus one for the single line it prints between two printed lines.
const LABEL_CONTEXT: usize = 4;

const ELLIPSIS: &str = "...";

/// The text the renderer sees for one diagnostic, in every file it points into.
pub struct Excerpt<'m> {
    sources: &'m SourceMap,
    files: Vec<ExcerptFile>,
}

struct ExcerptFile {
    id: FileId,
    text: String,
    /// The lines present, by their zero-based index in the real file.
    lines: BTreeMap<usize, ExcerptLine>,
}

struct ExcerptLine {
    /// Where the line is in the excerpt's text, its newline included.
    range: Range<usize>,
    /// (offset in the file, offset in the excerpt) of every char of the window,
    /// then of the window's end; sorted by both.
    map: Vec<(usize, usize)>,
}

impl<'m> Excerpt<'m> {
    /// An excerpt showing the given spans, primary ones first: the window of a
    /// long line is placed around the first span that starts or ends on it.
    /// Spans into files the map does not have are left out.
    pub fn new(sources: &'m SourceMap, spans: &[Span]) -> Excerpt<'m> {
        // Per file: the line indexes to show, and where each marked line's
        // window goes.
        let mut wanted: Vec<(FileId, BTreeMap<usize, Option<usize>>)> = Vec::new();
        for span in spans {
            let Some(file) = sources.files().get(span.file.0 as usize) else {
                continue;
            };
            let entry = match wanted.iter().position(|(id, _)| *id == span.file) {
                Some(i) => &mut wanted[i].1,
                None => {
                    wanted.push((span.file, BTreeMap::new()));
                    &mut wanted.last_mut().expect("just pushed").1
                }
            };
            let (lo, hi) = clamp(file, *span);
            let (first, last) = (file.line_index(lo as u32), file.line_index(hi as u32));
            let context = if first == last { 1 } else { LABEL_CONTEXT };
            let lines = first.saturating_sub(1)..=(first + context).min(last + 1);
            let lines = lines.chain(last.saturating_sub(context).max(first)..=last + 1);
            for line in lines.filter(|&l| l < file.line_count()) {
                entry.entry(line).or_insert(None);
            }
            entry.entry(first).or_insert(None).get_or_insert(lo);
            entry.entry(last).or_insert(None).get_or_insert(hi);
        }
        let files = wanted
            .into_iter()
            .map(|(id, lines)| ExcerptFile::new(id, sources.get(id), &lines))
            .collect();
        Excerpt { sources, files }
    }

    /// Where a span of the file is in the excerpt; a part outside the shown
    /// window is cut to the window's edge.
    pub fn range_of(&self, span: Span) -> Option<Range<usize>> {
        let file = self.files.iter().find(|f| f.id == span.file)?;
        let real = self.sources.get(span.file);
        let (lo, hi) = clamp(real, span);
        Some(file.to_excerpt(real, lo)..file.to_excerpt(real, hi))
    }

    /// Whether the start of a span is inside the window shown of its line.
    pub fn shows(&self, span: Span) -> bool {
        let Some(file) = self.files.iter().find(|f| f.id == span.file) else {
            return false;
        };
        let real = self.sources.get(span.file);
        let (lo, _) = clamp(real, span);
        file.lines
            .get(&real.line_index(lo as u32))
            .is_some_and(|line| match (line.map.first(), line.map.last()) {
                (Some(first), Some(last)) => (first.0..=last.0).contains(&lo),
                _ => false,
            })
    }

    fn file(&self, id: FileId) -> Result<&ExcerptFile, Error> {
        self.files
            .iter()
            .find(|f| f.id == id)
            .ok_or(Error::FileMissing)
    }
}

/// A span's ends inside its file's text, on char boundaries, in order.
fn clamp(file: &SourceFile, span: Span) -> (usize, usize) {
    let floor = |offset: u32| {
        let mut offset = (offset as usize).min(file.text.len());
        while !file.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let lo = floor(span.lo);
    (lo, floor(span.hi).max(lo))
}

impl ExcerptFile {
    /// `lines` maps each line to show to the offset its window goes around,
    /// if it has one.
    fn new(id: FileId, file: &SourceFile, lines: &BTreeMap<usize, Option<usize>>) -> ExcerptFile {
        let mut text = String::new();
        let mut shown = BTreeMap::new();
        for (&index, &anchor) in lines {
            let Some(line) = file.line_range(index) else {
                continue;
            };
            let window = window(file, line.clone(), anchor);
            let start = text.len();
            let mut map = Vec::new();
            if window.start > line.start {
                text.push_str(ELLIPSIS);
            }
            for (i, c) in file.text[window.clone()].char_indices() {
                map.push((window.start + i, text.len()));
                // The `\r` of a `\r\n` line end stays; the renderer drops it.
                let line_end = window.start + i + c.len_utf8() == line.end;
                if c == '\r' && line_end {
                    text.push(c);
                } else {
                    push_visible(&mut text, c);
                }
            }
            map.push((window.end, text.len()));
            if window.end < line.end {
                text.push_str(ELLIPSIS);
            }
            text.push('\n');
            shown.insert(
                index,
                ExcerptLine {
                    range: start..text.len(),
                    map,
                },
            );
        }
        ExcerptFile {
            id,
            text,
            lines: shown,
        }
    }

    /// The excerpt offset of a file offset (a char boundary) on a shown line.
    fn to_excerpt(&self, file: &SourceFile, offset: usize) -> usize {
        let Some(line) = self.lines.get(&file.line_index(offset as u32)) else {
            return self.text.len();
        };
        let i = line.map.partition_point(|&(real, _)| real <= offset);
        line.map[i.saturating_sub(1)].1
    }

    /// The file offset of an excerpt offset on a shown line.
    fn to_file(&self, line: &ExcerptLine, offset: usize) -> usize {
        let i = line.map.partition_point(|&(_, shown)| shown <= offset);
        line.map[i.saturating_sub(1)].0
    }

    /// The shown line that holds an excerpt offset.
    fn line_at(&self, offset: usize) -> Option<(usize, &ExcerptLine)> {
        self.lines
            .iter()
            .find(|(_, l)| l.range.contains(&offset))
            .map(|(&i, l)| (i, l))
    }
}

/// Appends a char of source as the excerpt shows it. Raw control characters
/// would reach the terminal (an ESC can recolour or hide text) and have no width,
/// which shifts the markers, so C0 controls and DEL become their Unicode control
/// pictures (NUL is `␀`, ESC `␛`), one column each; other invisible chars
/// (C1 controls, bidirectional overrides, zero-width chars) are written as
/// `\u{..}`. Tabs stay: the renderer expands them.
fn push_visible(text: &mut String, c: char) {
    match c {
        '\t' => text.push(c),
        '\0'..='\u{1f}' => text.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
        '\u{7f}' => text.push('\u{2421}'),
        c if is_invisible(c) => text.push_str(&escape_char(c)),
        c => text.push(c),
    }
}

/// The part of a line to show: all of it when it is short, otherwise
/// [`MAX_LINE_CHARS`] chars starting [`CONTEXT_BEFORE`] chars before the anchor
/// (or ending at the line's end, when the anchor is near it).
fn window(file: &SourceFile, line: Range<usize>, anchor: Option<usize>) -> Range<usize> {
    let chars = file.chars_before(line.end) - file.chars_before(line.start);
    if chars as usize <= MAX_LINE_CHARS {
        return line;
    }
    let text = &file.text[line.clone()];
    let anchor = anchor.map_or(0, |a| a.clamp(line.start, line.end) - line.start);
    // Offsets relative to the line; each walk visits a bounded number of chars.
    let mut start = text[..anchor]
        .char_indices()
        .rev()
        .take(CONTEXT_BEFORE)
        .last()
        .map_or(anchor, |(i, _)| i);
    let end = match text[start..].char_indices().nth(MAX_LINE_CHARS) {
        Some((i, _)) => start + i,
        None => {
            // Near the end: show the line's last MAX_LINE_CHARS chars.
            start = text
                .char_indices()
                .rev()
                .take(MAX_LINE_CHARS)
                .last()
                .map_or(0, |(i, _)| i)
                .min(start);
            text.len()
        }
    };
    line.start + start..line.start + end
}

impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = FileId;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<String, Error> {
        self.file(id)?;
        Ok(escape_invisible(self.sources.get(id).short_name()))
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, Error> {
        Ok(&self.file(id)?.text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, Error> {
        let file = self.file(id)?;
        file.line_at(byte_index)
            .map(|(i, _)| i)
            .ok_or(Error::IndexTooLarge {
                given: byte_index,
                max: file.text.len(),
            })
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, Error> {
        let file = self.file(id)?;
        if let Some(line) = file.lines.get(&line_index) {
            return Ok(line.range.clone());
        }
        // A line the renderer asks for but never prints (the middle of a long
        // multi-line label): it gets nothing.
        let count = self.sources.get(id).line_count();
        if line_index < count {
            Ok(file.text.len()..file.text.len())
        } else {
            Err(Error::LineTooLarge {
                given: line_index,
                max: count - 1,
            })
        }
    }

    fn column_number(
        &'a self,
        id: FileId,
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, Error> {
        Ok(self.location(id, byte_index)?.column_number)
    }

    fn location(&'a self, id: FileId, byte_index: usize) -> Result<Location, Error> {
        let file = self.file(id)?;
        let (_, line) = file.line_at(byte_index).ok_or(Error::IndexTooLarge {
            given: byte_index,
            max: file.text.len(),
        })?;
        let (line_number, column_number) = self
            .sources
            .get(id)
            .line_col(file.to_file(line, byte_index) as u32);
        Ok(Location {
            line_number: line_number as usize,
            column_number: column_number as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt_lines(text: &str, span: (u32, u32)) -> (String, String) {
        let mut sources = SourceMap::new();
        let id = sources.add("a.kl", text);
        let span = Span::new(id, span.0, span.1);
        let excerpt = Excerpt::new(&sources, &[span]);
        let range = excerpt.range_of(span).unwrap();
        let shown = excerpt.files[0].text.clone();
        (shown.clone(), shown[range].to_string())
    }

    #[test]
    fn short_lines_are_shown_whole_with_their_neighbours() {
        let (shown, marked) = excerpt_lines("a\nbc d\ne\nf\n", (5, 6));
        assert_eq!(shown, "a\nbc d\ne\n");
        assert_eq!(marked, "d");
    }

    #[test]
    fn a_long_line_is_cut_around_the_marker() {
        let text = format!("{}MARK{}\n", "x".repeat(100_000), "y".repeat(100_000));
        let (shown, marked) = excerpt_lines(&text, (100_000, 100_004));
        assert_eq!(marked, "MARK");
        let line = shown.lines().next().unwrap();
        assert!(line.starts_with("...") && line.ends_with("..."), "{line}");
        assert_eq!(line.chars().count(), MAX_LINE_CHARS + 6);
        assert_eq!(&line[3..3 + CONTEXT_BEFORE], "x".repeat(CONTEXT_BEFORE));
    }

    #[test]
    fn a_marker_at_the_end_of_a_long_line_shows_the_end() {
        let text = format!("{}é", "x".repeat(10_000));
        let end = text.len() as u32;
        let (shown, marked) = excerpt_lines(&text, (end, end));
        assert_eq!(marked, "");
        let line = shown.lines().next().unwrap();
        assert!(line.starts_with("...") && line.ends_with('é'), "{line}");
        assert_eq!(line.chars().count(), MAX_LINE_CHARS + 3);
    }

    #[test]
    fn control_characters_are_made_visible() {
        let (shown, marked) = excerpt_lines("a\0b\u{1b}\u{7f}\u{202e}\tc\r\n", (5, 8));
        // The empty line after the last newline is a neighbour, shown too.
        assert_eq!(shown, "a\u{2400}b\u{241b}\u{2421}\\u{202e}\tc\r\n\n");
        assert_eq!(marked, "\\u{202e}");
        let (shown, _) = excerpt_lines("a\rb\n", (0, 1));
        assert_eq!(shown, "a\u{240d}b\n\n");
    }

    #[test]
    fn columns_and_lines_are_the_files() {
        let text = format!("first\n{}MARK\n", "é".repeat(1000));
        let mut sources = SourceMap::new();
        let id = sources.add("a.kl", text.as_str());
        let lo = text.find("MARK").unwrap() as u32;
        let excerpt = Excerpt::new(&sources, &[Span::new(id, lo, lo + 4)]);
        let at = excerpt.range_of(Span::new(id, lo, lo)).unwrap().start;
        let location = excerpt.location(id, at).unwrap();
        assert_eq!((location.line_number, location.column_number), (2, 1001));
    }
}
