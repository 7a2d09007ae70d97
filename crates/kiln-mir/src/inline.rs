//! Inlining small functions into their callers (DESIGN.md §8).
//!
//! A call to a function whose body is small is replaced by a copy of that body: the
//! calling block jumps to the copy's entry with the arguments, and every `return`
//! of the copy jumps to a new block that continues after the call, taking the
//! result as its parameter. Copies are made from the functions as they were before
//! this pass, and calls inside a copy are not inlined again, so a recursive function
//! is unrolled exactly once (which halves the calls of `fib`) and the pass always
//! ends. Inlined code keeps its spans and records where it was inlined
//! ([`InlineFrame`]), so stack traces still show every Kiln frame. Ownership is
//! unchanged: the copy borrows its arguments and returns an owned result, exactly as
//! the call did.

use crate::ir::*;

/// Functions with at most this many instructions are inlined.
pub const MAX_CALLEE_SIZE: usize = 40;
/// A caller stops receiving inlined code past this many instructions.
const MAX_CALLER_SIZE: usize = 4000;

fn size(f: &Func) -> usize {
    f.blocks.iter().map(|b| b.insts.len() + 1).sum()
}

/// Inlines small callees in every function; returns how many calls it inlined.
pub fn run(p: &mut Program) -> usize {
    let originals = p.funcs.clone();
    let sizes: Vec<usize> = originals.iter().map(size).collect();
    let main = p.main;
    let mut count = 0;
    for f in &mut p.funcs {
        count += inline_into(f, &originals, &sizes, main);
    }
    count
}

fn inline_into(f: &mut Func, originals: &[Func], sizes: &[usize], main: Option<FuncRef>) -> usize {
    // Blocks of the function itself (and the continuations made from them) may have
    // calls inlined; copied blocks may not.
    let mut eligible = vec![true; f.blocks.len()];
    let mut count = 0;
    // Kept up to date as calls are inlined: recomputing it per block would make
    // the pass quadratic in the size of the caller.
    let mut caller_size = size(f);
    let mut b = 0;
    while b < f.blocks.len() {
        if !eligible[b] || caller_size > MAX_CALLER_SIZE {
            b += 1;
            continue;
        }
        let site = f.blocks[b].insts.iter().position(|inst| match inst.kind {
            InstKind::Call(callee, _) => {
                Some(callee) != main
                    && sizes
                        .get(callee.index())
                        .is_some_and(|&s| s <= MAX_CALLEE_SIZE)
            }
            _ => false,
        });
        if let Some(k) = site {
            let before = f.blocks.len();
            let block_size = |data: &BlockData| data.insts.len() + 1;
            caller_size -= block_size(&f.blocks[b]);
            inline_call(f, b, k, originals);
            caller_size += block_size(&f.blocks[b]);
            caller_size += f.blocks[before..].iter().map(block_size).sum::<usize>();
            // The continuation is eligible; the copied blocks are not.
            eligible.push(true);
            eligible.resize(f.blocks.len(), false);
            debug_assert!(f.blocks.len() > before);
            count += 1;
        }
        b += 1;
    }
    count
}

/// Replaces the call at `insts[k]` of block `b` by a copy of the callee.
fn inline_call(f: &mut Func, b: usize, k: usize, originals: &[Func]) {
    let call = f.blocks[b].insts[k].clone();
    let InstKind::Call(callee_ref, args) = &call.kind else {
        return;
    };
    let callee = &originals[callee_ref.index()];

    // The rest of the block continues after the call, with the call's results as
    // its parameters.
    let tail = f.blocks[b].insts.split_off(k + 1);
    f.blocks[b].insts.truncate(k);
    let term = std::mem::replace(&mut f.blocks[b].term, Terminator::Unreachable);
    let cont = Block(f.blocks.len() as u32);
    let cold = f.blocks[b].cold;
    f.blocks.push(BlockData {
        params: call.results.clone(),
        insts: tail,
        term,
        cold,
    });

    let frame = f.inlines.len() as u32;
    f.inlines.push(InlineFrame {
        func: callee.name.clone(),
        call_span: call.span,
        parent: call.inlined,
    });

    let values: Vec<Value> = callee
        .values
        .iter()
        .map(|&ty| {
            f.values.push(ty);
            Value(f.values.len() as u32 - 1)
        })
        .collect();
    let v = |x: Value| values[x.index()];
    let base = f.blocks.len() as u32;
    let blk = |x: Block| Block(base + x.0);
    for data in &callee.blocks {
        let insts = data
            .insts
            .iter()
            .map(|inst| Inst {
                kind: map_values(&inst.kind, &v),
                results: inst.results.iter().map(|&r| v(r)).collect(),
                span: inst.span,
                inlined: Some(frame),
            })
            .collect();
        let target = |t: &Target| Target {
            block: blk(t.block),
            args: t.args.iter().map(|&a| v(a)).collect(),
        };
        let term = match &data.term {
            Terminator::Jump(t) => Terminator::Jump(target(t)),
            Terminator::Branch {
                cond,
                then,
                otherwise,
            } => Terminator::Branch {
                cond: v(*cond),
                then: target(then),
                otherwise: target(otherwise),
            },
            Terminator::Return(r) => Terminator::Jump(Target {
                block: cont,
                args: r.iter().map(|&x| v(x)).collect(),
            }),
            Terminator::Panic { kind, span, .. } => Terminator::Panic {
                kind: *kind,
                span: *span,
                inlined: Some(frame),
            },
            Terminator::Unreachable | Terminator::Open => Terminator::Unreachable,
        };
        f.blocks.push(BlockData {
            params: data.params.iter().map(|&p| v(p)).collect(),
            insts,
            term,
            cold: data.cold || cold,
        });
    }
    f.blocks[b].term = Terminator::Jump(Target {
        block: blk(Func::ENTRY),
        args: args.clone(),
    });
}

/// An instruction with every value operand renamed.
fn map_values(kind: &InstKind, v: &impl Fn(Value) -> Value) -> InstKind {
    use InstKind::*;
    let all = |xs: &[Value]| xs.iter().map(|&x| v(x)).collect::<Vec<_>>();
    match kind {
        Iconst(_) | Fconst(_) | Str(_) | Spec(_) | Null | GlobalLoad(_) | Desc(_) | FuncAddr(_) => {
            kind.clone()
        }
        Binary(op, a, b) => Binary(*op, v(*a), v(*b)),
        Overflow(op, a, b) => Overflow(*op, v(*a), v(*b)),
        Unary(op, a) => Unary(*op, v(*a)),
        Icmp(cc, a, b) => Icmp(*cc, v(*a), v(*b)),
        Fcmp(cc, a, b) => Fcmp(*cc, v(*a), v(*b)),
        Convert(op, a) => Convert(*op, v(*a)),
        Select(c, a, b) => Select(v(*c), v(*a), v(*b)),
        Call(f, args) => Call(*f, all(args)),
        CallIndirect { code, args } => CallIndirect {
            code: v(*code),
            args: all(args),
        },
        CallRuntime { symbol, args, site } => CallRuntime {
            symbol,
            args: all(args),
            site: *site,
        },
        CallExtern(e, args) => CallExtern(*e, all(args)),
        GlobalStore(g, a) => GlobalStore(*g, v(*a)),
        GetField {
            ty,
            variant,
            index,
            obj,
        } => GetField {
            ty: *ty,
            variant: *variant,
            index: *index,
            obj: v(*obj),
        },
        SetField {
            ty,
            variant,
            index,
            obj,
            value,
        } => SetField {
            ty: *ty,
            variant: *variant,
            index: *index,
            obj: v(*obj),
            value: v(*value),
        },
        Load { base, offset } => Load {
            base: v(*base),
            offset: *offset,
        },
        Store {
            base,
            offset,
            value,
        } => Store {
            base: v(*base),
            offset: *offset,
            value: v(*value),
        },
        Retain(a) => Retain(v(*a)),
        Release(a) => Release(v(*a)),
    }
}
