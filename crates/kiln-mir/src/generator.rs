//! The generator transform: a generator's body, lowered as an ordinary function
//! with [`Terminator::Yield`]s, becomes its *resume function*, a state machine.
//!
//! The model is the coroutine lowering of rustc (`rustc_mir_transform/coroutine.rs`)
//! and of Cranelift-based compilers that follow it: the values live across a
//! suspension point move into the coroutine object, and an entry block dispatches
//! on a state number to the code after the suspension point that was left.
//! Liveness ([`crate::analysis::liveness`]) says which values cross each `yield`.
//!
//! The body comes in as `fn(gen: ptr, mode: i8)` returning nothing, whose code
//! reads its parameters from the generator object. It goes out returning `i8`:
//! - block 0 loads the state and dispatches: state 0 starts the body, state `k`
//!   goes to the *restore block* of `yield` number `k`, a finished generator
//!   returns 0 at once, and one marked running either is running (resumed from
//!   inside its own body: a panic) or was running when a panic unwound it (it
//!   finishes, and returns 0; see [`transform`]);
//! - `yield value` stores every value live after it into the frame (one 8-byte
//!   slot per value, from `GEN_FRAME_OFFSET`), the value into the out slot and `k`
//!   into the state, and returns 1; constants and the parameters (read from the
//!   object's fields, which never change) are not stored but recomputed;
//! - starting, and the restore block of `yield` `k`, mark the generator running;
//!   the restore block then reloads those values and goes on at the
//!   `yield`'s `resume` target in mode 0, or at its `cancel` target in mode 1 (the
//!   runtime abandons a generator dropped while suspended that way: the cancel
//!   path releases what the body owned, as a `return` there would);
//! - `return` stores the finished state and returns 0.
//!
//! A reloaded value is a second definition of the original one; SSA form is
//! restored by [`FuncBuilder::repair_ssa`], which adds block parameters where the
//! first run and a resumed run of the body meet (a loop around a `yield`).
//! Values are not held in the frame between suspensions: only at a `yield` are
//! they stored, so the code between `yield`s runs on registers as any function's.
//! Each value crossing some `yield` has its own slot (slots are not shared between
//! values live at different `yield`s): simple, and frames stay small for the
//! generators people write.

use crate::analysis::liveness::Liveness;
use crate::builder::FuncBuilder;
use crate::ir::*;
use kiln_runtime::desc::{GEN_DONE, GEN_FRAME_OFFSET, GEN_OUT_OFFSET, GEN_STATE_OFFSET};
use kiln_runtime::PanicKind;
use std::collections::HashMap;

/// A yield of the body: its block, the value, and where it goes on.
struct YieldPoint {
    block: Block,
    value: Option<Value>,
    resume: Block,
    cancel: Block,
}

/// Turns a generator body into its resume function; returns it with the number
/// of frame slots its generator objects need.
///
/// `running` is the program's *running mark*, the global whose value a run of
/// the body writes into the state (`Lowering::running_mark`). A panic unwinds
/// compiled code without running anything in it, so a generator whose body
/// panicked keeps the mark of that run; whoever catches the panic (the engine)
/// changes the global, as no run that began before it is still going on. A
/// state that is a mark other than the global's is therefore a run a panic
/// ended, and the generator counts as finished (as Python's does after raising);
/// the global's own mark is a run still going on, re-entered. This costs a run
/// one load of the global, where a registry of running generators would cost
/// stores at every resume and `yield`, and finding them at a panic without one
/// would need their addresses from the frames the panic unwinds, which
/// compiled code does not keep anywhere known.
pub fn transform(mut f: Func, running: GlobalRef) -> (Func, u32) {
    let entry_params = f.block(Func::ENTRY).params.clone();
    let (gen, mode) = (entry_params[0], entry_params[1]);
    let span = f.span;
    let start = move_entry(&mut f);
    let live = Liveness::compute(&f);

    let mut yields = Vec::new();
    for b in f.block_ids() {
        if let Terminator::Yield {
            value,
            resume,
            cancel,
        } = &f.block(b).term
        {
            yields.push(YieldPoint {
                block: b,
                value: *value,
                resume: resume.block,
                cancel: cancel.block,
            });
        }
    }

    // The values each yield keeps, and a frame slot for each such value that
    // cannot be recomputed where the generator resumes.
    let remat = rematerialisable(&f, gen);
    let mut slot_of: HashMap<Value, i32> = HashMap::new();
    let mut kept: Vec<Vec<Value>> = Vec::new();
    for y in &yields {
        let mut values = live.live_in(y.resume);
        for v in live.live_in(y.cancel) {
            if !values.contains(&v) {
                values.push(v);
            }
        }
        values.retain(|&v| v != gen && v != mode);
        values.sort();
        for &v in &values {
            if !remat.contains_key(&v) {
                let next = slot_of.len() as i32;
                slot_of.entry(v).or_insert(next);
            }
        }
        kept.push(values);
    }
    let slot = |v: Value| GEN_FRAME_OFFSET as i32 + 8 * slot_of[&v];

    let mut e = Emitter { f: &mut f, span };
    // Each yield suspends; its restore block resumes.
    let mut redefined: HashMap<Value, Vec<(Block, Value)>> = HashMap::new();
    let mut restores = Vec::new();
    for (k, (y, values)) in yields.iter().zip(&kept).enumerate() {
        let state = k as i64 + 1;
        for &v in values.iter().filter(|v| !remat.contains_key(v)) {
            e.store(y.block, gen, slot(v), v);
        }
        if let Some(v) = y.value {
            e.store(y.block, gen, GEN_OUT_OFFSET as i32, v);
        }
        e.set_state(y.block, gen, state);
        let one = e.iconst(y.block, Type::I8, 1);
        e.f.blocks[y.block.index()].term = Terminator::Return(Some(one));

        let restore = e.new_block();
        e.mark_running(restore, gen, running);
        for &v in values {
            let ty = e.f.value_type(v);
            let kind = match remat.get(&v) {
                Some(kind) => kind.clone(),
                None => InstKind::Load {
                    base: gen,
                    offset: slot(v),
                },
            };
            let w = e.ins(restore, kind, ty);
            redefined.entry(v).or_default().push((restore, w));
        }
        e.f.blocks[restore.index()].term = Terminator::Branch {
            cond: mode,
            then: Target {
                block: y.cancel,
                args: Vec::new(),
            },
            otherwise: Target {
                block: y.resume,
                args: Vec::new(),
            },
        };
        restores.push((state, restore));
    }

    // Every return finishes the generator.
    for b in e.f.block_ids().collect::<Vec<_>>() {
        if matches!(e.f.block(b).term, Terminator::Return(None)) {
            e.set_state(b, gen, GEN_DONE);
            let zero = e.iconst(b, Type::I8, 0);
            e.f.blocks[b.index()].term = Terminator::Return(Some(zero));
        }
    }

    e.dispatch(gen, running, start, &restores);
    f.ret = Some(Type::I8);
    let mut redefined: Vec<(Value, Vec<(Block, Value)>)> = redefined.into_iter().collect();
    redefined.sort_by_key(|(v, _)| *v);
    let f = FuncBuilder::repair_ssa(f, &redefined);
    (f, slot_of.len() as u32)
}

/// The values a resumed body can recompute instead of keeping them in the
/// frame, with the instruction that does: constants, and the parameters read
/// from the generator object, whose fields never change after the constructor
/// set them (a parameter the body assigns to is a new value, not one of these).
fn rematerialisable(f: &Func, gen: Value) -> HashMap<Value, InstKind> {
    let mut remat = HashMap::new();
    for inst in f.blocks.iter().flat_map(|b| &b.insts) {
        let again = match inst.kind {
            InstKind::Iconst(_) | InstKind::Fconst(_) | InstKind::Null => true,
            InstKind::GetField { obj, .. } => obj == gen,
            _ => false,
        };
        if let (true, [v]) = (again, inst.results.as_slice()) {
            remat.insert(*v, inst.kind.clone());
        }
    }
    remat
}

/// Moves the entry block's code to a new block, leaving block 0 with the
/// parameters only (for the dispatch); returns the new block.
fn move_entry(f: &mut Func) -> Block {
    let start = Block(f.blocks.len() as u32);
    let entry = &mut f.blocks[Func::ENTRY.index()];
    let moved = BlockData {
        params: Vec::new(),
        insts: std::mem::take(&mut entry.insts),
        term: std::mem::replace(&mut entry.term, Terminator::Unreachable),
        cold: false,
    };
    f.blocks.push(moved);
    for block in &mut f.blocks {
        for t in block.term.targets_mut() {
            if t.block == Func::ENTRY {
                t.block = start;
            }
        }
    }
    start
}

/// Appends instructions and blocks to a function being transformed.
struct Emitter<'a> {
    f: &'a mut Func,
    span: kiln_syntax::Span,
}

impl Emitter<'_> {
    fn new_block(&mut self) -> Block {
        self.f.blocks.push(BlockData {
            params: Vec::new(),
            insts: Vec::new(),
            term: Terminator::Unreachable,
            cold: false,
        });
        Block(self.f.blocks.len() as u32 - 1)
    }

    fn push(&mut self, b: Block, kind: InstKind, results: Vec<Value>) {
        self.f.blocks[b.index()].insts.push(Inst {
            kind,
            results,
            span: self.span,
            inlined: None,
        });
    }

    fn ins(&mut self, b: Block, kind: InstKind, ty: Type) -> Value {
        self.f.values.push(ty);
        let v = Value(self.f.values.len() as u32 - 1);
        self.push(b, kind, vec![v]);
        v
    }

    fn iconst(&mut self, b: Block, ty: Type, n: i64) -> Value {
        self.ins(b, InstKind::Iconst(n), ty)
    }

    fn store(&mut self, b: Block, base: Value, offset: i32, value: Value) {
        self.push(
            b,
            InstKind::Store {
                base,
                offset,
                value,
            },
            Vec::new(),
        );
    }

    fn set_state(&mut self, b: Block, gen: Value, state: i64) {
        let s = self.iconst(b, Type::I64, state);
        self.store(b, gen, GEN_STATE_OFFSET as i32, s);
    }

    /// Stores the running mark into the state.
    fn mark_running(&mut self, b: Block, gen: Value, running: GlobalRef) {
        let mark = self.ins(b, InstKind::GlobalLoad(running), Type::I64);
        self.store(b, gen, GEN_STATE_OFFSET as i32, mark);
    }

    /// Fills block 0: load the state, then compare it with 0 (start), each
    /// yield's number (its restore block) and "finished" (return 0); anything
    /// else is a running mark, checked on a cold path.
    fn dispatch(
        &mut self,
        gen: Value,
        running: GlobalRef,
        start: Block,
        restores: &[(i64, Block)],
    ) {
        let state = self.ins(
            Func::ENTRY,
            InstKind::Load {
                base: gen,
                offset: GEN_STATE_OFFSET as i32,
            },
            Type::I64,
        );
        let begin = self.new_block();
        self.mark_running(begin, gen, running);
        self.f.blocks[begin.index()].term = Terminator::Jump(Target {
            block: start,
            args: Vec::new(),
        });
        let done = self.new_block();
        let zero = self.iconst(done, Type::I8, 0);
        self.f.blocks[done.index()].term = Terminator::Return(Some(zero));
        let marked = self.marked(gen, running, state);

        let cases: Vec<(i64, Block)> = std::iter::once((0, begin))
            .chain(restores.iter().copied())
            .chain(std::iter::once((GEN_DONE, done)))
            .collect();
        let mut at = Func::ENTRY;
        for (i, &(n, target)) in cases.iter().enumerate() {
            let k = self.iconst(at, Type::I64, n);
            let hit = self.ins(at, InstKind::Icmp(IntCC::Eq, state, k), Type::I8);
            let next = if i + 1 == cases.len() {
                marked
            } else {
                self.new_block()
            };
            self.f.blocks[at.index()].term = Terminator::Branch {
                cond: hit,
                then: Target {
                    block: target,
                    args: Vec::new(),
                },
                otherwise: Target {
                    block: next,
                    args: Vec::new(),
                },
            };
            at = next;
        }
    }

    /// The cold blocks for a generator whose state is a running mark: the
    /// current mark is a run going on, resumed from inside itself (a panic); an
    /// older one is a run a panic ended, which finishes the generator.
    fn marked(&mut self, gen: Value, running: GlobalRef, state: Value) -> Block {
        let marked = self.new_block();
        let current = self.ins(marked, InstKind::GlobalLoad(running), Type::I64);
        let live = self.ins(marked, InstKind::Icmp(IntCC::Eq, state, current), Type::I8);
        let reentered = self.new_block();
        self.f.blocks[reentered.index()].term = Terminator::Panic {
            kind: PanicKind::GeneratorRunning as i32,
            span: self.span,
            inlined: None,
        };
        let abandoned = self.new_block();
        self.set_state(abandoned, gen, GEN_DONE);
        let zero = self.iconst(abandoned, Type::I8, 0);
        self.f.blocks[abandoned.index()].term = Terminator::Return(Some(zero));
        self.f.blocks[marked.index()].term = Terminator::Branch {
            cond: live,
            then: Target {
                block: reentered,
                args: Vec::new(),
            },
            otherwise: Target {
                block: abandoned,
                args: Vec::new(),
            },
        };
        for b in [marked, reentered, abandoned] {
            self.f.blocks[b.index()].cold = true;
        }
        marked
    }
}
