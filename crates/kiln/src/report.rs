//! Turning a runtime panic into a report: the message and the Kiln stack trace.

use std::fmt;

/// One Kiln frame of a stack trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub func: String,
    /// `file:line:col`, when known.
    pub location: Option<String>,
}

/// A runtime error as the user sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanicReport {
    pub message: String,
    pub frames: Vec<Frame>,
    /// How many frames were left out of a very deep trace.
    pub omitted: bool,
}

impl fmt::Display for PanicReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        for (i, frame) in self.frames.iter().enumerate() {
            if self.omitted && i + 1 == self.frames.len() {
                writeln!(f, "  ...")?;
            }
            match &frame.location {
                Some(loc) => writeln!(f, "  at {} ({loc})", frame.func)?,
                None => writeln!(f, "  at {}", frame.func)?,
            }
        }
        Ok(())
    }
}
