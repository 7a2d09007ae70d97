//! Stack traces from the interpreter's frames, by the rules of the frame-pointer
//! walk over compiled code (kiln_runtime's `panic.rs` and the engine's report), so
//! that both backends print the same frames at the same positions:
//!
//! - A panic raised with a site (every runtime function taking one, a MIR `panic`,
//!   a stack overflow) starts at that site; the innermost frame's caller is the
//!   first *return address*. A panic raised without one (deep inside the runtime)
//!   starts at the return address of the runtime call, in the innermost frame.
//! - Each return address is the call a frame is at; it shows as that call's
//!   position and, for code that was inlined, the frames inlining removed.
//! - The walk stops where the innermost activation began (in compiled code: at the
//!   first return address outside JIT code, inside the runtime's `sort_by`).
//! - Of a long chain of return addresses, the innermost [`TRACE_HEAD`] and the
//!   outermost [`TRACE_TAIL`] are shown; the others are counted, one by one for
//!   the first [`OMITTED_ADDRS`] distinct calls, one frame each beyond that.

use crate::exec::Frame;
use crate::Interpreter;
use kiln_mir::{Block, Func, FuncRef, Terminator};
use kiln_runtime::panic::{OMITTED_ADDRS, TRACE_HEAD, TRACE_TAIL};
use kiln_runtime::KilnPanic;
use kiln_syntax::Span;

/// The Kiln frames of a panic, innermost first: function names and positions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    pub frames: Vec<(String, Span)>,
    pub omitted: Option<TraceOmitted>,
}

/// Frames left out of the middle of a deep trace (the engine's `Omitted`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceOmitted {
    /// The index in `frames` of the first frame after the gap.
    pub at: usize,
    pub count: u64,
    /// False when `count` is only a lower bound.
    pub exact: bool,
}

/// A place in the code: a function and the instruction (or terminator) it is at,
/// or its entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    At(FuncRef, Block, usize),
    Entry(FuncRef),
}

impl Interpreter {
    /// The trace of the panic `p`, which this interpreter's last run raised.
    pub fn trace(&self, p: &KilnPanic) -> Trace {
        let s = self.stack.borrow();
        let frames: Vec<Place> = s
            .frames
            .iter()
            .rev()
            .map(|f: &Frame| Place::At(f.func, f.block, f.inst))
            .collect();
        let (first, returns) = match s.entering {
            Some(f) => (Some(Place::Entry(f)), frames),
            // Raised with a site: the site, then the callers.
            None if p.site != u32::MAX => {
                let mut it = frames.into_iter();
                (it.next(), it.collect())
            }
            // Raised deep inside the runtime: the runtime call is a return address.
            None => (None, frames),
        };
        let mut trace = Trace::default();
        if let Some(place) = first {
            trace.frames.extend(self.site(place));
        }
        let n = returns.len();
        if n <= TRACE_HEAD + TRACE_TAIL {
            for &place in &returns {
                trace.frames.extend(self.site(place));
            }
            return trace;
        }
        for &place in &returns[..TRACE_HEAD] {
            trace.frames.extend(self.site(place));
        }
        let (count, exact) = self.count_omitted(&returns[TRACE_HEAD..n - TRACE_TAIL]);
        trace.omitted = Some(TraceOmitted {
            at: trace.frames.len(),
            count,
            exact,
        });
        for &place in &returns[n - TRACE_TAIL..] {
            trace.frames.extend(self.site(place));
        }
        trace
    }

    /// How many Kiln frames `places` hold, counted as the runtime counts left-out
    /// return addresses: runs of one place first, then a table of at most
    /// [`OMITTED_ADDRS`] distinct places; places beyond it count one frame each.
    fn count_omitted(&self, places: &[Place]) -> (u64, bool) {
        let mut table: Vec<(Place, u64)> = Vec::new();
        let mut others = 0u64;
        let mut add = |place: Place, n: u64| {
            if let Some(e) = table.iter_mut().find(|e| e.0 == place) {
                e.1 += n;
            } else if table.len() < OMITTED_ADDRS {
                table.push((place, n));
            } else {
                others += n;
            }
        };
        let mut run: Option<(Place, u64)> = None;
        for &place in places {
            match &mut run {
                Some((p, n)) if *p == place => *n += 1,
                _ => {
                    if let Some((p, n)) = run.take() {
                        add(p, n);
                    }
                    run = Some((place, 1));
                }
            }
        }
        if let Some((p, n)) = run {
            add(p, n);
        }
        let count = table
            .iter()
            .map(|&(place, n)| n * self.site(place).len() as u64)
            .sum::<u64>()
            + others;
        (count, others == 0)
    }

    /// The frames one place shows: its own, then those inlining removed.
    fn site(&self, place: Place) -> Vec<(String, Span)> {
        match place {
            Place::Entry(f) => {
                let func = self.program.func(f);
                vec![(func.name.clone(), func.span)]
            }
            Place::At(f, block, inst) => {
                let func = self.program.func(f);
                let data = func.block(block);
                let (span, inlined) = match data.insts.get(inst) {
                    Some(i) => (i.span, i.inlined),
                    None => match &data.term {
                        Terminator::Panic { span, inlined, .. } => (*span, *inlined),
                        _ => (func.span, None),
                    },
                };
                site_frames(func, span, inlined)
            }
        }
    }
}

/// The frames of code at `span` in `func`, inlined through `inlined`: the code's
/// own function, then each function it was inlined into with the position of the
/// call (as the code generator's sites record them).
fn site_frames(func: &Func, span: Span, inlined: Option<u32>) -> Vec<(String, Span)> {
    let mut name = func.name.clone();
    let mut outer = Vec::new();
    let mut frame = inlined;
    while let Some(k) = frame {
        let Some(f) = func.inlines.get(k as usize) else {
            break;
        };
        if outer.is_empty() {
            name = f.func.clone();
        }
        let parent = match f.parent.and_then(|p| func.inlines.get(p as usize)) {
            Some(p) => p.func.clone(),
            None => func.name.clone(),
        };
        outer.push((parent, f.call_span));
        frame = f.parent;
    }
    let mut frames = vec![(name, span)];
    frames.extend(outer);
    frames
}
