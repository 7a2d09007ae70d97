//! Diagnostics as data, and the one place they are rendered.
//!
//! Every stage reports problems as [`Diagnostic`] values carrying spans; nothing
//! below the CLI prints them. Rendering uses `codespan-reporting` so that carets,
//! colours and line gutters are not hand-written.

use crate::excerpt::Excerpt;
use crate::span::{SourceMap, Span};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::term::{self, termcolor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the source: a message, a primary span, and optional
/// secondary labels and notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// The text under the primary marker; empty for none.
    pub label: String,
    pub secondary: Vec<(Span, String)>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            label: String::new(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// At most this many diagnostics are rendered (as rustc and clang cap theirs); a
/// line after them counts the rest. A file of 100,000 stray brackets would
/// otherwise print gigabytes.
pub const MAX_RENDERED: usize = 100;

/// Messages, labels and notes longer than this many chars are cut (they may
/// quote the source).
const MAX_MESSAGE_CHARS: usize = 1000;

/// Renders diagnostics as text in the order given, each headed by
/// `file:line:col: error: message` so that tools can grep the location, followed by
/// the source excerpt with markers. Only the first [`MAX_RENDERED`] are shown, and
/// long lines are shown as a window around the marker (`excerpt.rs`), so the
/// text and the time taken are bounded whatever the input.
pub fn render(sources: &SourceMap, diagnostics: &[Diagnostic], color: bool) -> String {
    let mut buffer = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    let config = term::Config::default();
    for d in diagnostics.iter().take(MAX_RENDERED) {
        render_one(&mut buffer, &config, sources, d);
    }
    if let Some(rest) = diagnostics.get(MAX_RENDERED..) {
        if !rest.is_empty() {
            use std::io::Write;
            let errors = rest.iter().filter(|d| d.is_error()).count();
            let warnings = rest.len() - errors;
            let mut parts = Vec::new();
            if errors > 0 {
                parts.push(plural(errors, "more error"));
            }
            if warnings > 0 {
                parts.push(plural(warnings, "more warning"));
            }
            let _ = writeln!(
                buffer,
                "note: and {} (only the first {MAX_RENDERED} diagnostics are shown)\n",
                parts.join(" and ")
            );
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn render_one(
    buffer: &mut termcolor::Buffer,
    config: &term::Config,
    sources: &SourceMap,
    d: &Diagnostic,
) {
    let severity = match d.severity {
        Severity::Error => codespan_reporting::diagnostic::Severity::Error,
        Severity::Warning => codespan_reporting::diagnostic::Severity::Warning,
    };
    let known = |span: &Span| (span.file.0 as usize) < sources.files().len();
    let mut spans = vec![d.span];
    spans.extend(d.secondary.iter().map(|(span, _)| *span));
    spans.retain(known);
    let excerpt = Excerpt::new(sources, &spans);
    let mut labels = Vec::new();
    if let Some(range) = excerpt.range_of(d.span) {
        labels.push(Label::primary(d.span.file, range).with_message(message_text(&d.label)));
    }
    let mut notes = Vec::new();
    for (span, text) in &d.secondary {
        if !excerpt.shows(*span) {
            // Far from the primary marker on the same long line: a marker at the
            // edge of the window would point at the wrong text, so say where.
            if known(span) {
                notes.push(format!(
                    "{}: {}",
                    sources.location(*span),
                    message_text(text)
                ));
            }
        } else if let Some(range) = excerpt.range_of(*span) {
            labels.push(Label::secondary(span.file, range).with_message(message_text(text)));
        }
    }
    notes.extend(d.notes.iter().map(|n| message_text(n)));
    let message = if known(&d.span) {
        message_text(&format!("{}: {}", sources.location(d.span), d.message))
    } else {
        message_text(&d.message)
    };
    let cs = CsDiagnostic::new(severity)
        .with_message(message)
        .with_labels(labels)
        .with_notes(notes);
    // The excerpt answers every question about the spans it was made from, so
    // this fails only on a bug; fall back to the plain header.
    if term::emit(buffer, config, &excerpt, &cs).is_err() {
        use std::io::Write;
        let _ = writeln!(buffer, "error: {}", cs.message);
    }
}

/// Text of a message, label or note as shown: cut when very long, and with
/// invisible characters escaped.
fn message_text(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((i, _)) => format!("{}...", escape_invisible(&text[..i])),
        None => escape_invisible(text),
    }
}

/// Whether a char is invisible or changes how text around it shows: control
/// characters (C0, DEL, C1), bidirectional overrides and isolates, zero-width
/// chars, line and paragraph separators, the soft hyphen and the byte order mark.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// How an invisible char is written in a message: `\0`, `\r`, `\t`, `\n`, or
/// `\u{hex}`.
pub fn escape_char(c: char) -> String {
    match c {
        '\0' => "\\0".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        '\n' => "\\n".to_string(),
        c => format!("\\u{{{:x}}}", c as u32),
    }
}

/// `text` with every invisible char except newlines and tabs escaped
/// ([`escape_char`]), for quoting source text in a message: raw control
/// characters would reach the user's terminal.
pub fn escape_invisible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_invisible(c) && c != '\n' && c != '\t' {
            out.push_str(&escape_char(c));
        } else {
            out.push(c);
        }
    }
    out
}
