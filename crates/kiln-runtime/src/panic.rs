//! Runtime errors: raising them, and recording the Kiln frames they pass through.
//!
//! A Kiln panic is a Rust panic whose payload is a [`KilnPanic`], raised with
//! `resume_unwind` (so no panic hook prints anything) from an `extern "C-unwind"`
//! function. Compiled code passes its frame pointer and a *site* number (an index
//! the engine maps back to a source position) to every function here, so the stack
//! trace is taken by walking the frame-pointer chain of JIT frames only: the walk
//! stops at the first return address outside registered JIT code, so it never reads
//! a frame of Rust code. Runtime code that does not have the frame pointer at hand
//! passes null, and the system unwinder finds the innermost JIT frame for it
//! ([`innermost_jit_frame`]). This module must never print: the engine decides what
//! to do with a panic.
//!
//! **The frame-pointer contract.** Every runtime function that takes a frame pointer
//! `fp` ([`raise`], `kiln_panic`, `kiln_index_oob`, `kiln_array_get`, ...) is `unsafe`
//! and requires `fp` to be null (the trace then starts at the innermost JIT frame,
//! found by the system unwinder) or the frame pointer of a JIT frame of the calling
//! thread that is still live: what compiled code passes as its own frame pointer, and
//! what a runtime function passes on unchanged. The trace is taken by reading `[fp]`
//! and `[fp + 8]`, so any other pointer could be read as memory it is not. Code
//! without a Kiln frame at hand uses [`raise_untraced`].

use crate::entry::JitFrames;
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{RwLock, RwLockReadGuard};

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
    /// `next()` on a generator from inside its own body.
    GeneratorRunning = 7,
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
            7 => PanicKind::GeneratorRunning,
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
            PanicKind::GeneratorRunning => "generator resumed while it is running",
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
    /// A very deep stack keeps only its innermost and outermost frames here; the
    /// frames in between are summarised in `omitted`.
    pub return_addrs: Vec<usize>,
    pub omitted: Option<Omitted>,
}

/// The frames left out of the middle of a very deep stack trace.
#[derive(Clone, Debug, Default)]
pub struct Omitted {
    /// The index in `return_addrs` where the left-out frames were.
    pub at: usize,
    /// Their distinct return addresses, each with how many frames returned there,
    /// so the engine can count Kiln frames (one machine frame may hold several
    /// inlined ones). At most [`OMITTED_ADDRS`] addresses are kept.
    pub addrs: Vec<(usize, u64)>,
    /// Left-out frames whose return address did not fit in `addrs`.
    pub others: u64,
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

/// Forgets ranges recorded by [`register_code_range`] (their code is going away),
/// in one pass over the recorded ones.
pub fn unregister_code_ranges(gone: &[(usize, usize)]) {
    let gone: std::collections::HashSet<(usize, usize)> = gone.iter().copied().collect();
    let mut ranges = CODE_RANGES.write().unwrap_or_else(|e| e.into_inner());
    ranges.retain(|r| !gone.contains(r));
}

/// The JIT code ranges, read-locked for one stack walk.
struct JitCode<'a> {
    ranges: RwLockReadGuard<'a, Vec<(usize, usize)>>,
    /// The range of the last hit: consecutive frames are usually in one function.
    last: (usize, usize),
}

impl JitCode<'_> {
    fn lock() -> JitCode<'static> {
        JitCode {
            ranges: CODE_RANGES.read().unwrap_or_else(|e| e.into_inner()),
            last: (0, 0),
        }
    }

    #[inline]
    fn contains(&mut self, addr: usize) -> bool {
        if addr >= self.last.0 && addr < self.last.1 {
            return true;
        }
        match self
            .ranges
            .iter()
            .find(|&&(lo, hi)| addr >= lo && addr < hi)
        {
            Some(&r) => {
                self.last = r;
                true
            }
            None => false,
        }
    }
}

/// The innermost frames a stack trace keeps.
pub const TRACE_HEAD: usize = 32;
/// The outermost frames a stack trace keeps (the last one is usually `<main>`).
pub const TRACE_TAIL: usize = 8;
/// How many distinct return addresses of left-out frames are counted one by one.
pub const OMITTED_ADDRS: usize = 32;

/// Counts left-out frames per return address. A deep stack comes from recursion,
/// so the same few addresses repeat; runs of one address are counted before
/// touching the table.
#[derive(Default)]
struct OmittedCounter {
    omitted: Omitted,
    run: Option<(usize, u64)>,
}

impl OmittedCounter {
    #[inline]
    fn add(&mut self, addr: usize) {
        match &mut self.run {
            Some((a, n)) if *a == addr => *n += 1,
            _ => {
                self.flush();
                self.run = Some((addr, 1));
            }
        }
    }

    fn flush(&mut self) {
        let Some((addr, n)) = self.run.take() else {
            return;
        };
        let o = &mut self.omitted;
        if let Some(entry) = o.addrs.iter_mut().find(|e| e.0 == addr) {
            entry.1 += n;
        } else if o.addrs.len() < OMITTED_ADDRS {
            o.addrs.push((addr, n));
        } else {
            o.others += n;
        }
    }
}

/// Collects the return addresses of a stack trace, innermost first, keeping the
/// innermost [`TRACE_HEAD`] and the outermost [`TRACE_TAIL`] and counting the ones
/// in between.
#[derive(Default)]
struct TraceBuilder {
    head: Vec<usize>,
    /// A ring of the last frames seen past the head.
    tail: [usize; TRACE_TAIL],
    beyond: usize,
    counter: OmittedCounter,
}

impl TraceBuilder {
    #[inline]
    fn push(&mut self, ret: usize) {
        if self.head.len() < TRACE_HEAD {
            self.head.push(ret);
            return;
        }
        // The frame the ring pushes out is left out of the trace.
        let slot = &mut self.tail[self.beyond % TRACE_TAIL];
        if self.beyond >= TRACE_TAIL {
            self.counter.add(*slot);
        }
        *slot = ret;
        self.beyond += 1;
    }

    fn finish(mut self) -> (Vec<usize>, Option<Omitted>) {
        let beyond = self.beyond;
        let kept = beyond.min(TRACE_TAIL);
        let at = self.head.len();
        let tail = self.tail;
        self.head
            .extend((beyond - kept..beyond).map(|i| tail[i % TRACE_TAIL]));
        self.counter.flush();
        let omitted = (beyond > TRACE_TAIL).then_some(Omitted {
            at,
            ..self.counter.omitted
        });
        (self.head, omitted)
    }
}

/// Walks the frame-pointer chain starting at the JIT frame `fp`, passing the
/// return address of each JIT frame's caller to `on_frame`; stops at the first one
/// outside JIT code. Returns the outermost JIT frame's frame pointer and its return
/// address, if the chain ended there.
///
/// Each JIT frame (compiled with preserved frame pointers) stores the caller's frame
/// pointer at `[fp]` and the return address at `[fp + 8]`.
fn walk_frames(
    code: &mut JitCode,
    mut fp: usize,
    mut on_frame: impl FnMut(usize),
) -> Option<(usize, usize)> {
    while fp != 0 && fp.is_multiple_of(std::mem::align_of::<usize>()) {
        // SAFETY: `fp` is the frame pointer of a JIT frame: either the one compiled
        // code passed in (or the unwinder found), or one read from a JIT frame whose
        // return address was checked to be JIT code, so its caller is a JIT frame
        // too. Such frames always hold the saved frame pointer and return address at
        // these offsets.
        let (next, ret) = unsafe { (*(fp as *const usize), *((fp + 8) as *const usize)) };
        if !code.contains(ret) {
            return Some((fp, ret));
        }
        on_frame(ret);
        if next <= fp {
            break;
        }
        fp = next;
    }
    None
}

#[repr(C)]
struct UnwindContext {
    _opaque: [u8; 0],
}

/// `_URC_NO_REASON`: go on to the next frame.
const URC_NO_REASON: c_int = 0;
/// `_URC_END_OF_STACK`: stop the walk.
const URC_END_OF_STACK: c_int = 5;

type TraceFn = extern "C" fn(*mut UnwindContext, *mut c_void) -> c_int;

extern "C" {
    // The system unwinder's (libgcc's or LLVM libunwind's) frame walk: it steps
    // through every frame with unwind information, which all Rust frames and all
    // JIT frames (registered by the code generator) have.
    fn _Unwind_Backtrace(trace: TraceFn, arg: *mut c_void) -> c_int;
    fn _Unwind_GetIP(ctx: *mut UnwindContext) -> usize;
    fn _Unwind_GetGR(ctx: *mut UnwindContext, reg: c_int) -> usize;
}

/// The DWARF number of the frame-pointer register.
#[cfg(target_arch = "x86_64")]
const FP_REGISTER: c_int = 6; // rbp
#[cfg(target_arch = "aarch64")]
const FP_REGISTER: c_int = 29; // x29
#[cfg(target_arch = "riscv64")]
const FP_REGISTER: c_int = 8; // s0

/// Steps through the stack with the system unwinder, passing each JIT frame to
/// `visit` (the return address into it and its frame pointer), innermost first,
/// for as long as `visit` says to go on.
///
/// Rust frames need not keep frame pointers (an allocation deep inside a runtime
/// function, a recursive routine that checks the stack, the sort that calls a
/// `sort_by` comparison back), so the frame-pointer walk cannot start from them
/// or step over them. The system unwinder can: it steps out of Rust frames by
/// their unwind information, restoring the registers each one saved, and through
/// JIT frames (registered by the code generator); in a JIT frame the
/// frame-pointer register holds that frame's frame pointer (JIT code keeps it
/// there throughout). Slower than the frame-pointer walk, it only runs for a
/// panic.
fn unwind_jit_frames(code: &mut JitCode, visit: &mut dyn FnMut(usize, usize) -> bool) {
    struct Walk<'c, 'a, 'v> {
        code: &'c mut JitCode<'a>,
        visit: &'v mut dyn FnMut(usize, usize) -> bool,
    }
    extern "C" fn step(ctx: *mut UnwindContext, arg: *mut c_void) -> c_int {
        // SAFETY: `arg` is the `Walk` that `unwind_jit_frames` passed, alive and not
        // otherwise borrowed during the walk.
        let walk = unsafe { &mut *arg.cast::<Walk>() };
        // SAFETY: `ctx` is the context the unwinder passes for the current frame.
        let ip = unsafe { _Unwind_GetIP(ctx) };
        if !walk.code.contains(ip) {
            return URC_NO_REASON;
        }
        // SAFETY: as above; the frame-pointer register is one the unwinder tracks.
        let fp = unsafe { _Unwind_GetGR(ctx, FP_REGISTER) };
        if (walk.visit)(ip, fp) {
            URC_NO_REASON
        } else {
            URC_END_OF_STACK
        }
    }
    let mut walk = Walk { code, visit };
    // SAFETY: `step` only reads the context it is given and uses `walk`, which
    // outlives the walk.
    unsafe { _Unwind_Backtrace(step, (&mut walk as *mut Walk).cast()) };
}

/// The innermost JIT frame on this thread's stack: the return address into it and
/// its frame pointer; `None` when no JIT code is running. A panic raised from a
/// Rust frame starts its trace here ([`unwind_jit_frames`]).
fn innermost_jit_frame(code: &mut JitCode) -> Option<(usize, usize)> {
    let mut found = None;
    unwind_jit_frames(code, &mut |ip, fp| {
        found = Some((ip, fp));
        false
    });
    found
}

/// Passes to `on_frame` the return address into each JIT frame farther out than
/// the one whose frame pointer is `beyond`, innermost first: the frames beyond
/// Rust frames that called compiled code back ([`unwind_jit_frames`]).
fn outer_jit_frames(code: &mut JitCode, beyond: usize, on_frame: &mut dyn FnMut(usize)) {
    unwind_jit_frames(code, &mut |ip, fp| {
        // The stack grows down: frames already walked are at or below `beyond`.
        if fp > beyond {
            on_frame(ip);
        }
        true
    });
}

/// Walks the JIT frames on the stack from the one whose frame pointer is `fp`
/// (null: the innermost one), passing each return address into JIT code to
/// `on_frame`, innermost first.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract above).
unsafe fn walk_jit_stack(fp: *const u8, mut on_frame: impl FnMut(usize)) -> Option<JitFrames> {
    let mut code = JitCode::lock();
    let fp = if fp.is_null() {
        let (ret, fp) = innermost_jit_frame(&mut code)?;
        on_frame(ret);
        fp
    } else {
        fp as usize
    };
    let (outermost, exit) = walk_frames(&mut code, fp, &mut on_frame)?;
    if exit != crate::entry::entry_return() {
        outer_jit_frames(&mut code, outermost, &mut on_frame);
    }
    Some(JitFrames {
        innermost: fp,
        outermost,
        exit,
    })
}

/// Unwinds to the engine with `payload` (a [`KilnPanic`] or a [`RuntimeExit`]),
/// skipping the JIT frames in one step when it can ([`crate::entry`]). `frames` are
/// the JIT frames on the stack, if known.
fn unwind(payload: Box<dyn std::any::Any + Send>, frames: Option<JitFrames>) -> ! {
    crate::entry::skip_to_entry(frames);
    std::panic::resume_unwind(payload)
}

/// Unwinds to the engine with the payload of `exit(code)`.
pub(crate) fn unwind_exit(code: i32) -> ! {
    // SAFETY: a null frame pointer is always allowed.
    let frames = unsafe { walk_jit_stack(std::ptr::null(), |_| {}) };
    unwind(Box::new(RuntimeExit(code)), frames)
}

/// Raises a Kiln panic with `message`. `fp` is the frame pointer of the JIT frame
/// that called the runtime and `site` the site it passed; runtime code that does
/// not know them passes null and -1 ([`raise_untraced`]), and the trace starts at
/// the innermost JIT frame on the stack, at the site of the call it made.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe fn raise(fp: *const u8, site: i32, message: String) -> ! {
    crate::output::flush_all();
    let mut trace = TraceBuilder::default();
    // SAFETY: `fp` is null or a live JIT frame, by this function's contract.
    let frames = unsafe { walk_jit_stack(fp, |ret| trace.push(ret)) };
    let (return_addrs, omitted) = trace.finish();
    let payload = KilnPanic {
        message,
        site: site as u32,
        return_addrs,
        omitted,
    };
    unwind(Box::new(payload), frames)
}

/// Raises a Kiln panic with `message` from runtime code that does not know the Kiln
/// frame that caused it; the trace starts at the innermost JIT frame on the stack.
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
    let limit = top - stack_size + margin;
    REAL_STACK_LIMIT.store(limit, Ordering::Relaxed);
    STACK_LIMIT.store(limit, Ordering::Relaxed);
}

/// The limit [`set_stack_limit`] set, while an interrupt has replaced it.
static REAL_STACK_LIMIT: AtomicUsize = AtomicUsize::new(0);

/// Whether an interrupt (Ctrl-C in the REPL) waits to be raised.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Asks the running Kiln code to stop with the runtime error `interrupted`. Safe to
/// call from a signal handler (it only stores to atomics). The next function
/// prologue, or loop header of code compiled to be interruptible, finds the stack
/// pointer "below" a limit raised to the top of memory and calls
/// [`kiln_stack_overflow`], which raises the interrupt instead.
pub fn request_interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
    STACK_LIMIT.store(usize::MAX, Ordering::SeqCst);
}

/// Forgets an interrupt that no Kiln code was running to receive.
pub fn clear_interrupt() {
    if INTERRUPTED.swap(false, Ordering::SeqCst) {
        STACK_LIMIT.store(REAL_STACK_LIMIT.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

/// Called by a function prologue that found the stack pointer below the limit.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_stack_overflow(fp: *const u8, site: i32) {
    let message = if INTERRUPTED.swap(false, Ordering::SeqCst) {
        STACK_LIMIT.store(REAL_STACK_LIMIT.load(Ordering::SeqCst), Ordering::SeqCst);
        "interrupted"
    } else {
        "stack overflow"
    };
    // SAFETY: guaranteed by the caller.
    unsafe { raise(fp, site, message.to_string()) }
}
