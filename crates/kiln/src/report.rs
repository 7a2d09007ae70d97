//! Turning a runtime panic into a report: the message and the Kiln stack trace.

use std::fmt;

/// One Kiln frame of a stack trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub func: String,
    /// `file:line:col`, when known.
    pub location: Option<String>,
}

impl Frame {
    /// Adds `frame` to a trace being built, innermost first, unless it only
    /// repeats the frame before it: compiler-made code with no position of its
    /// own that calls the function of the same name (the adapter that lets a
    /// named function be passed as a closure) adds nothing to the trace.
    pub fn push_to(self, frames: &mut Vec<Frame>) {
        let repeats =
            self.location.is_none() && frames.last().is_some_and(|inner| inner.func == self.func);
        if !repeats {
            frames.push(self);
        }
    }
}

/// A runtime error as the user sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanicReport {
    pub message: String,
    pub frames: Vec<Frame>,
    /// The frames left out of the middle of a very deep trace.
    pub omitted: Option<Omitted>,
}

/// Frames left out of a stack trace: shown as one line between the innermost
/// and the outermost frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Omitted {
    /// The index in `frames` of the first frame after the gap.
    pub at: usize,
    /// How many Kiln frames were left out.
    pub count: u64,
    /// False when `count` is only a lower bound.
    pub exact: bool,
}

impl fmt::Display for PanicReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        for (i, frame) in self.frames.iter().enumerate() {
            if let Some(o) = self.omitted.filter(|o| o.at == i) {
                let at_least = if o.exact { "" } else { "at least " };
                let s = if o.count == 1 { "" } else { "s" };
                writeln!(f, "  ... {at_least}{} more frame{s}", o.count)?;
            }
            match &frame.location {
                // The top-level code of a REPL entry is named by its place alone
                // (LANGUAGE.md §9).
                Some(loc) if frame.func == "<main>" && loc.starts_with("<repl>:") => {
                    writeln!(f, "  at {loc}")?
                }
                Some(loc) => writeln!(f, "  at {} ({loc})", frame.func)?,
                None => writeln!(f, "  at {}", frame.func)?,
            }
        }
        Ok(())
    }
}
