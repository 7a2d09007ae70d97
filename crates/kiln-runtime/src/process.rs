//! The process-level built-ins: `exit` and `clock`.
//!
//! `exit` does not end the process itself: it unwinds to the engine with a
//! [`crate::RuntimeExit`] payload, so an embedding program decides what exiting means.

use std::sync::OnceLock;
use std::time::Instant;

pub extern "C-unwind" fn kiln_exit(code: i64) {
    crate::output::flush_all();
    crate::panic::unwind_exit(code as i32)
}

static START: OnceLock<Instant> = OnceLock::new();

/// Seconds since the first call in this process, monotonic.
pub extern "C-unwind" fn kiln_clock() -> f64 {
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}
