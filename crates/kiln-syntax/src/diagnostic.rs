//! Diagnostics as data, and the one place they are rendered.
//!
//! Every stage reports problems as [`Diagnostic`] values carrying spans; nothing
//! below the CLI prints them. Rendering uses `codespan-reporting` so that carets,
//! colours and line gutters are not hand-written.

use crate::span::{SourceMap, Span};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
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

/// Renders diagnostics as text in the order given, each headed by
/// `file:line:col: error: message` so that tools can grep the location, followed by
/// the source excerpt with markers.
pub fn render(sources: &SourceMap, diagnostics: &[Diagnostic], color: bool) -> String {
    let mut files = SimpleFiles::new();
    for f in sources.files() {
        files.add(f.short_name().to_string(), f.text.clone());
    }
    let mut buffer = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    let config = term::Config::default();
    for d in diagnostics {
        let file = d.span.file.0 as usize;
        let severity = match d.severity {
            Severity::Error => codespan_reporting::diagnostic::Severity::Error,
            Severity::Warning => codespan_reporting::diagnostic::Severity::Warning,
        };
        let mut labels = vec![Label::primary(file, d.span.lo as usize..d.span.hi as usize)
            .with_message(d.label.clone())];
        for (span, text) in &d.secondary {
            labels.push(
                Label::secondary(span.file.0 as usize, span.lo as usize..span.hi as usize)
                    .with_message(text.clone()),
            );
        }
        let message = format!("{}: {}", sources.location(d.span), d.message);
        let cs = CsDiagnostic::new(severity)
            .with_message(message)
            .with_labels(labels)
            .with_notes(d.notes.clone());
        // Writing to an in-memory buffer fails only on a bad span, which is a bug in
        // the stage that made the diagnostic; fall back to the plain header.
        if term::emit(&mut buffer, &config, &files, &cs).is_err() {
            use std::io::Write;
            let _ = writeln!(buffer, "error: {}", cs.message);
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}
