//! Source text that is not UTF-8: where its first bad byte is, and the diagnostic
//! that says so, the same for a file (`kiln run`, `:load`) and a REPL entry. It
//! never reads or prints anything itself.

use kiln_syntax::{Diagnostic, SourceMap, Span};

/// The first byte of some text that is not UTF-8.
#[derive(Clone, Copy, Debug)]
pub struct NotUtf8 {
    /// Its offset: the same in the bytes and in their lossy decoding (bad bytes
    /// replaced by U+FFFD), which leaves everything before them in place.
    pub at: usize,
    pub byte: u8,
}

/// `bytes` as text, or the text with bad bytes replaced and where the first one is.
pub fn decode(bytes: Vec<u8>) -> Result<String, (String, NotUtf8)> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bad = NotUtf8 {
            at,
            byte: e.as_bytes()[at],
        };
        (String::from_utf8_lossy(e.as_bytes()).into_owned(), bad)
    })
}

/// Where text that is not UTF-8 came from, for the diagnostic's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A file (`kiln run`, `:load`).
    File,
    /// A REPL entry.
    Entry,
}

impl NotUtf8 {
    /// The rendered diagnostic, naming `name` at the bad byte's line and column of
    /// `text` (the lossy decoding).
    pub fn render(self, origin: Origin, name: &str, text: String, color: bool) -> String {
        let mut sources = SourceMap::new();
        let file = sources.add(name, text);
        let replacement = char::REPLACEMENT_CHARACTER.len_utf8() as u32;
        let span = Span::new(file, self.at as u32, self.at as u32 + replacement);
        let (message, note) = match origin {
            Origin::File => (
                "this file is not valid UTF-8",
                "Kiln source files must be UTF-8",
            ),
            Origin::Entry => ("this entry is not valid UTF-8", "Kiln source must be UTF-8"),
        };
        let diagnostic = Diagnostic::error(span, message)
            .with_label(format!("byte 0x{:02x} is not valid UTF-8", self.byte))
            .with_note(note);
        kiln_syntax::render(&sources, &[diagnostic], color)
    }
}
