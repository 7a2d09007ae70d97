//! Liveness of SSA values: which values are live on entry to each block.
//!
//! A value is live at a point when some path from there reaches a use of it
//! without passing its definition again. With block parameters, a branch's
//! arguments are uses in the branching block, and a block's parameters are
//! defined at its start (so they are never live into it). The classic backward
//! data-flow problem, solved by iterating over the blocks in post-order until
//! nothing changes, on bit sets of values:
//!
//! ```text
//! live_in(b)  = uses(b) ∪ (live_out(b) − defs(b))
//! live_out(b) = ∪ live_in(s) for each successor s
//! ```
//!
//! where `uses(b)` are the values `b` uses that it does not define (in SSA a
//! value defined in a block is defined before its uses there). The generator
//! transform asks which values are live across each `yield`.

use crate::ir::{Block, Func, Value};

/// A set of values as bits.
#[derive(Clone, Debug, PartialEq, Eq)]
struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    fn new(n: usize) -> BitSet {
        BitSet {
            words: vec![0; n.div_ceil(64)],
        }
    }

    fn insert(&mut self, v: usize) {
        self.words[v / 64] |= 1 << (v % 64);
    }

    fn remove(&mut self, v: usize) {
        self.words[v / 64] &= !(1 << (v % 64));
    }

    fn contains(&self, v: usize) -> bool {
        self.words[v / 64] & (1 << (v % 64)) != 0
    }

    /// Adds `other` to `self`; whether anything was added.
    fn union_with(&mut self, other: &BitSet) -> bool {
        let mut changed = false;
        for (a, &b) in self.words.iter_mut().zip(&other.words) {
            let new = *a | b;
            changed |= new != *a;
            *a = new;
        }
        changed
    }

    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(i * 64 + bit)
            })
        })
    }
}

/// The values live on entry to each block of one function.
pub struct Liveness {
    live_in: Vec<BitSet>,
}

impl Liveness {
    pub fn compute(f: &Func) -> Liveness {
        let n = f.blocks.len();
        let nv = f.values.len();
        let mut uses = vec![BitSet::new(nv); n];
        let mut defs = vec![BitSet::new(nv); n];
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (bi, block) in f.blocks.iter().enumerate() {
            let (u, d) = (&mut uses[bi], &mut defs[bi]);
            for &p in &block.params {
                d.insert(p.index());
            }
            let mut use_value = |v: Value, d: &BitSet| {
                if !d.contains(v.index()) {
                    u.insert(v.index());
                }
            };
            for inst in &block.insts {
                for v in crate::verify::operands(&inst.kind) {
                    use_value(v, d);
                }
                for &r in &inst.results {
                    d.insert(r.index());
                }
            }
            if let Some(v) = block.term.operand() {
                use_value(v, d);
            }
            for t in block.term.targets() {
                for &a in &t.args {
                    use_value(a, d);
                }
                preds[t.block.index()].push(bi);
            }
        }
        // Backward: a block's live-in feeds its predecessors' live-out. Start with
        // every block queued, in reverse order (close to post-order for the
        // forward layout lowering produces).
        let mut live_in = uses.clone();
        let mut queued = vec![true; n];
        let mut work: Vec<usize> = (0..n).collect();
        let mut out = BitSet::new(nv);
        while let Some(b) = work.pop() {
            queued[b] = false;
            out.words.iter_mut().for_each(|w| *w = 0);
            for t in f.blocks[b].term.targets() {
                out.union_with(&live_in[t.block.index()]);
            }
            for i in defs[b].iter() {
                out.remove(i);
            }
            if live_in[b].union_with(&out) {
                for &p in &preds[b] {
                    if !queued[p] {
                        queued[p] = true;
                        work.push(p);
                    }
                }
            }
        }
        Liveness { live_in }
    }

    /// Whether `v` is live on entry to `b`.
    pub fn is_live_in(&self, b: Block, v: Value) -> bool {
        self.live_in[b.index()].contains(v.index())
    }

    /// The values live on entry to `b`, in the order of their numbers.
    pub fn live_in(&self, b: Block) -> Vec<Value> {
        self.live_in[b.index()]
            .iter()
            .map(|i| Value(i as u32))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::FuncBuilder;
    use crate::ir::{BinaryOp, InstKind, Type};
    use kiln_syntax::Span;

    /// `fn(n) { x = n + 1; loop: if c { use x } else { exit } }`: `x` and the
    /// parameter flow around the loop; a value used only before it is not live.
    #[test]
    fn values_used_around_a_loop_stay_live() {
        let s = Span::default();
        let mut b = FuncBuilder::new("f", vec![Type::I64], None, s);
        let n = b.block_params(Func::ENTRY)[0];
        let one = b.iconst(Type::I64, 1, s);
        let x = b.ins1(InstKind::Binary(BinaryOp::Iadd, n, one), Type::I64, s);
        let head = b.create_block();
        let body = b.create_block();
        let exit = b.create_block();
        b.jump(head, vec![]);
        b.switch_to(head);
        let c = b.ins1(InstKind::Icmp(crate::ir::IntCC::Slt, x, n), Type::I8, s);
        b.branch(c, body, exit);
        b.switch_to(body);
        b.ins1(InstKind::Binary(BinaryOp::Iadd, x, x), Type::I64, s);
        b.jump(head, vec![]);
        b.switch_to(exit);
        b.ret(None);
        let f = b.finish();
        let l = Liveness::compute(&f);
        assert!(l.is_live_in(head, x) && l.is_live_in(head, n));
        assert!(l.is_live_in(body, x) && l.is_live_in(body, n));
        assert!(!l.is_live_in(exit, x));
        assert!(!l.is_live_in(head, one));
        assert!(l.live_in(Func::ENTRY).is_empty());
    }
}
