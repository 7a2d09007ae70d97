//! A MIR pass that cancels `retain v` … `release v` pairs (DESIGN.md §4).
//!
//! Lowering retains conservatively (every load of a reference from a field or an
//! element is retained, so it stays valid if the container changes). When, within
//! one block, nothing between the `retain` and a later `release` of the same value
//! can change any reference count or any container — no call, no store, no other
//! release — the object's other owner keeps it alive throughout, and the pair does
//! nothing. This pass removes such pairs; it never moves or adds an instruction.

use crate::ir::*;

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
pub fn cancel_rc_pairs(f: &mut Func) -> usize {
    let mut removed = 0;
    for block in &mut f.blocks {
        let mut dead = vec![false; block.insts.len()];
        for i in 0..block.insts.len() {
            let InstKind::Retain(v) = block.insts[i].kind else {
                continue;
            };
            for j in i + 1..block.insts.len() {
                let kind = &block.insts[j].kind;
                if let InstKind::Release(w) = kind {
                    if *w == v && !dead[j] {
                        dead[i] = true;
                        dead[j] = true;
                        removed += 1;
                        break;
                    }
                }
                if may_free(kind) {
                    break;
                }
            }
        }
        let mut k = 0;
        block.insts.retain(|_| {
            k += 1;
            !dead[k - 1]
        });
    }
    removed
}

/// Runs the pass over every function of a program.
pub fn run(p: &mut Program) -> usize {
    p.funcs.iter_mut().map(cancel_rc_pairs).sum()
}
