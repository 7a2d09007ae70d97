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
use std::collections::HashMap;

/// Functions with at most this many instructions are inlined.
pub const MAX_CALLEE_SIZE: usize = 40;
/// A caller stops receiving inlined code past this many instructions.
const MAX_CALLER_SIZE: usize = 4000;

fn size(f: &Func) -> usize {
    f.blocks.iter().map(|b| b.insts.len() + 1).sum()
}

/// Inlines small callees into the functions `funcs` (a unit's new functions; the
/// callees may come from any unit); returns how many calls it inlined.
pub fn run(p: &mut Program, funcs: std::ops::Range<u32>) -> usize {
    // Copies are made from the functions as they were before this pass; only small
    // ones can be inlined, so only the small callees of `funcs` are kept.
    let mut small: HashMap<FuncRef, Func> = HashMap::new();
    for f in &p.funcs[funcs.start as usize..funcs.end as usize] {
        for inst in f.blocks.iter().flat_map(|b| &b.insts) {
            if let InstKind::Call(callee, _) = inst.kind {
                if small.contains_key(&callee) || Some(callee) == p.main {
                    continue;
                }
                let g = p.func(callee);
                if size(g) <= MAX_CALLEE_SIZE {
                    small.insert(callee, g.clone());
                }
            }
        }
    }
    let mut count = 0;
    for f in &mut p.funcs[funcs.start as usize..funcs.end as usize] {
        count += inline_into(f, &small);
    }
    count
}

/// Inlines calls of `small` functions into `f`. Linear in the size of `f`: the
/// caller's size is kept up to date rather than recomputed for every block, each
/// instruction is scanned once (a continuation holds what followed the call), and
/// work stops once the caller is past [`MAX_CALLER_SIZE`], which also bounds how
/// often the rest of a block moves into a continuation.
fn inline_into(f: &mut Func, small: &HashMap<FuncRef, Func>) -> usize {
    let mut caller_size = size(f);
    // Blocks of the function itself (and the continuations made from them) may have
    // calls inlined; copied blocks may not.
    let mut eligible = vec![true; f.blocks.len()];
    let mut count = 0;
    let mut b = 0;
    while b < f.blocks.len() && caller_size <= MAX_CALLER_SIZE {
        if !eligible[b] {
            b += 1;
            continue;
        }
        let site = f.blocks[b].insts.iter().position(|inst| match inst.kind {
            InstKind::Call(callee, _) => small.contains_key(&callee),
            _ => false,
        });
        if let Some(k) = site {
            let InstKind::Call(callee, _) = f.blocks[b].insts[k].kind else {
                unreachable!("the site is a call");
            };
            let Some(callee) = small.get(&callee) else {
                unreachable!("the callee is small");
            };
            let before = f.blocks.len();
            inline_call(f, b, k, callee);
            // The call became a jump, its block's terminator moved to the
            // continuation: the body's blocks are all that was added.
            caller_size += size(callee);
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

/// Replaces the call at `insts[k]` of block `b` by a copy of `callee`.
fn inline_call(f: &mut Func, b: usize, k: usize, callee: &Func) {
    let call = f.blocks[b].insts[k].clone();
    let InstKind::Call(_, args) = &call.kind else {
        return;
    };

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
    // The callee's own inlined code (inlined before, or a fused generator's
    // body) keeps its frames, now below the callee's.
    let first = f.inlines.len() as u32;
    f.inlines.extend(callee.inlines.iter().map(|i| InlineFrame {
        func: i.func.clone(),
        call_span: i.call_span,
        parent: Some(i.parent.map_or(frame, |p| first + p)),
    }));
    let origin = |inlined: Option<u32>| Some(inlined.map_or(frame, |k| first + k));

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
                inlined: origin(inst.inlined),
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
            Terminator::Panic {
                kind,
                span,
                inlined,
            } => Terminator::Panic {
                kind: *kind,
                span: *span,
                inlined: origin(*inlined),
            },
            // A function with a `yield` left is never inlined (the verifier
            // rejects one after lowering).
            Terminator::Unreachable | Terminator::Open | Terminator::Yield { .. } => {
                Terminator::Unreachable
            }
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
