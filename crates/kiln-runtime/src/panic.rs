//! Runtime errors: raising them, and recording the Kiln frames they pass through.
//!
//! A Kiln panic is a Rust panic whose payload is a [`KilnPanic`], raised with
//! `resume_unwind` (so no panic hook prints anything) from an `extern "C-unwind"`
//! function. Compiled code passes its frame pointer and a *site* number (an index
//! the engine maps back to a source position) to every function here, so the stack
//! trace is taken by walking the frame-pointer chain of JIT frames only: the walk
//! stops at the first return address outside registered JIT code, so it never reads
//! a frame of Rust code. This module must never print: the engine decides what to do
//! with a panic.
//!
//! **The frame-pointer contract.** Every runtime function that takes a frame pointer
//! `fp` ([`raise`], `kiln_panic`, `kiln_index_oob`, `kiln_array_get`, ...) is `unsafe`
//! and requires `fp` to be null (the panic then has no trace) or the frame pointer of
//! a JIT frame of the calling thread that is still live: what compiled code passes as
//! its own frame pointer, and what a runtime function passes on unchanged. The trace
//! is taken by reading `[fp]` and `[fp + 8]`, so any other pointer could be read as
//! memory it is not. Code without a Kiln frame at hand uses [`raise_untraced`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::RwLock;

/// The fixed panic messages compiled code can raise by number.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanicKind {
    DivisionByZero = 0,
    IntegerOverflow = 1,
    InvalidShift = 2,
    AssertionFailed = 3,
    Unreachable = 4,
    GlobalUninit = 5,
    BadStep = 6,
}

impl PanicKind {
    pub fn from_i32(n: i32) -> PanicKind {
        match n {
            0 => PanicKind::DivisionByZero,
            1 => PanicKind::IntegerOverflow,
            2 => PanicKind::InvalidShift,
            3 => PanicKind::AssertionFailed,
            5 => PanicKind::GlobalUninit,
            6 => PanicKind::BadStep,
            _ => PanicKind::Unreachable,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            PanicKind::DivisionByZero => "division by zero",
            PanicKind::IntegerOverflow => "integer overflow",
            PanicKind::InvalidShift => "invalid shift: count out of range",
            PanicKind::AssertionFailed => "assertion failed",
            PanicKind::Unreachable => "internal error: reached unreachable code",
            PanicKind::GlobalUninit => "global used before it was initialised",
            PanicKind::BadStep => "step_by needs a positive step",
        }
    }
}

/// The payload of a Kiln runtime error.
#[derive(Clone, Debug)]
pub struct KilnPanic {
    pub message: String,
    /// The site number of the failing operation, as compiled code passed it.
    pub site: u32,
    /// Return addresses of the JIT frames above the failing one, innermost first.
    pub return_addrs: Vec<usize>,
}

/// The payload that `exit(code)` unwinds with, so the engine returns cleanly.
#[derive(Clone, Copy, Debug)]
pub struct RuntimeExit(pub i32);

static CODE_RANGES: RwLock<Vec<(usize, usize)>> = RwLock::new(Vec::new());

/// Records `[start, end)` as JIT code, so stack walks may step through its frames.
pub fn register_code_range(start: usize, end: usize) {
    let mut ranges = CODE_RANGES.write().unwrap_or_else(|e| e.into_inner());
    ranges.push((start, end));
}

/// Forgets a range recorded by [`register_code_range`] (its code is going away).
pub fn unregister_code_range(start: usize, end: usize) {
    let mut ranges = CODE_RANGES.write().unwrap_or_else(|e| e.into_inner());
    ranges.retain(|&r| r != (start, end));
}

fn is_jit_code(addr: usize) -> bool {
    let ranges = CODE_RANGES.read().unwrap_or_else(|e| e.into_inner());
    ranges.iter().any(|&(lo, hi)| addr >= lo && addr < hi)
}

/// Frames deeper than this are summarised; a stack overflow has millions.
const MAX_TRACE: usize = 64;

/// Walks the frame-pointer chain starting at a JIT frame.
///
/// Each JIT frame (compiled with preserved frame pointers) stores the caller's frame
/// pointer at `[fp]` and the return address at `[fp + 8]`.
fn walk_frames(mut fp: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    while fp != 0 && fp.is_multiple_of(std::mem::align_of::<usize>()) {
        // SAFETY: `fp` is the frame pointer of a JIT frame: either the one compiled
        // code passed in, or one read from a JIT frame whose return address was
        // checked to be JIT code, so its caller is a JIT frame too. Such frames
        // always hold the saved frame pointer and return address at these offsets.
        let (next, ret) = unsafe { (*(fp as *const usize), *((fp + 8) as *const usize)) };
        if !is_jit_code(ret) {
            break;
        }
        depth += 1;
        if out.len() < MAX_TRACE {
            out.push(ret);
        }
        if next <= fp {
            break;
        }
        fp = next;
    }
    if depth > out.len() {
        // Keep the outermost frame too: it is usually `<main>`.
        out.push(usize::MAX);
    }
    out
}

/// Raises a Kiln panic with `message`.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe fn raise(fp: *const u8, site: i32, message: String) -> ! {
    crate::output::flush_all();
    let payload = KilnPanic {
        message,
        site: site as u32,
        return_addrs: walk_frames(fp as usize),
    };
    std::panic::resume_unwind(Box::new(payload))
}

/// Raises a Kiln panic with `message` and no stack trace, for failures that do not
/// know the Kiln frame that caused them.
pub fn raise_untraced(message: String) -> ! {
    // SAFETY: a null frame pointer is always allowed: the trace is empty.
    unsafe { raise(std::ptr::null(), -1, message) }
}

/// Raises one of the fixed runtime errors.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_panic(fp: *const u8, site: i32, kind: i32) {
    // SAFETY: guaranteed by the caller.
    unsafe { raise(fp, site, PanicKind::from_i32(kind).message().to_string()) }
}

/// Raises a runtime error whose message is a Kiln string (`panic(msg)`).
///
/// # Safety
/// `msg` must be a live Kiln string.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_panic_msg(fp: *const u8, site: i32, msg: *const u8) {
    // SAFETY: guaranteed by the caller: `msg` is a live Kiln string, `fp` as required.
    unsafe {
        let text = crate::string::as_str(msg).to_string();
        raise(fp, site, text)
    }
}

/// The lowest stack address Kiln code may use; compared with the stack pointer in
/// every function prologue. Zero disables the check until a runner thread sets it.
pub static STACK_LIMIT: AtomicUsize = AtomicUsize::new(0);

/// Sets the stack limit for the current thread's Kiln code, `margin` bytes above
/// the lowest address of a stack of `stack_size` bytes whose top is near `top`.
pub fn set_stack_limit(top: usize, stack_size: usize, margin: usize) {
    STACK_LIMIT.store(top - stack_size + margin, Ordering::Relaxed);
}

/// Called by a function prologue that found the stack pointer below the limit.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_stack_overflow(fp: *const u8, site: i32) {
    // SAFETY: guaranteed by the caller.
    unsafe { raise(fp, site, "stack overflow".to_string()) }
}
