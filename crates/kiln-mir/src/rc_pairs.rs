//! A MIR pass that cancels `retain v` … `release v` pairs (DESIGN.md §4).
//!
//! Lowering retains conservatively (every load of a reference from a field or an
//! element is retained, so it stays valid if the container changes). When, within
//! one block, nothing between the `retain` and a later `release` of the same value
//! can change any reference count or any container — no call, no store, no other
//! release — the object's other owner keeps it alive throughout, and the pair does
//! nothing. This pass removes such pairs; it never moves or adds an instruction.

use crate::ir::*;
use std::collections::HashMap;

/// Whether an instruction can drop a reference or change a container, so a
/// retained value might depend on the retain across it.
fn may_free(kind: &InstKind) -> bool {
    matches!(
        kind,
        InstKind::Call(..)
            | InstKind::CallIndirect { .. }
            | InstKind::CallRuntime { .. }
            | InstKind::CallExtern(..)
            | InstKind::SetField { .. }
            | InstKind::Store { .. }
            | InstKind::GlobalStore(..)
            | InstKind::Release(_)
    )
}

/// Removes cancelling pairs in every block; returns how many pairs it removed.
///
/// One pass over each block: the retains seen since the last instruction that
/// may free are kept by value (the earliest one per value), and a `release` of
/// such a value cancels with it. Any instruction that may free, the `release`
/// included, ends the stretch for every other retain.
pub fn cancel_rc_pairs(f: &mut Func) -> usize {
    let mut removed = 0;
    let mut open: HashMap<Value, usize> = HashMap::new();
    for block in &mut f.blocks {
        let mut dead = vec![false; block.insts.len()];
        let before = removed;
        open.clear();
        for (j, inst) in block.insts.iter().enumerate() {
            match inst.kind {
                InstKind::Retain(v) => {
                    open.entry(v).or_insert(j);
                }
                InstKind::Release(w) => {
                    if let Some(i) = open.remove(&w) {
                        dead[i] = true;
                        dead[j] = true;
                        removed += 1;
                    }
                    open.clear();
                }
                ref kind if may_free(kind) => open.clear(),
                _ => {}
            }
        }
        if removed > before {
            let mut k = 0;
            block.insts.retain(|_| {
                k += 1;
                !dead[k - 1]
            });
        }
    }
    removed
}

/// Runs the pass over the functions `funcs` of a program (a unit's new ones).
pub fn run(p: &mut Program, funcs: std::ops::Range<u32>) -> usize {
    p.funcs[funcs.start as usize..funcs.end as usize]
        .iter_mut()
        .map(cancel_rc_pairs)
        .sum()
}
