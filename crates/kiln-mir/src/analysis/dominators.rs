//! Dominators of a MIR function's blocks: the dominator tree (Lengauer–Tarjan),
//! constant-time dominance queries, and dominance frontiers.
//!
//! SSA construction (`builder.rs`) uses the tree and the frontiers; the verifier
//! uses the queries to check that every definition dominates its uses. Only
//! blocks the entry reaches are in the tree. Nothing here recurses: generated
//! code makes very deep trees.

use crate::ir::{Block, Func};

/// The dominator tree of a function's blocks reachable from the entry, by the
/// algorithm of Lengauer and Tarjan (with path compression; no recursion, as
/// generated code makes very deep trees).
pub struct Dominators {
    /// The immediate dominator of each reachable block (the entry's is itself);
    /// `None` for blocks the entry does not reach.
    idom: Vec<Option<Block>>,
    children: Vec<Vec<Block>>,
    /// Entry and exit times of a walk of the tree, so that `a` dominates `b`
    /// exactly when `a`'s interval contains `b`'s ([`Dominators::dominates`]).
    enter: Vec<u32>,
    exit: Vec<u32>,
}

impl Dominators {
    /// The dominator tree of the control-flow graph given by each block's
    /// successors (block 0 is the entry).
    pub fn compute(succs: &[Vec<Block>]) -> Dominators {
        let n = succs.len();
        const NONE: u32 = u32::MAX;
        // Depth-first numbering from the entry.
        let mut dfnum = vec![NONE; n];
        let mut vertex: Vec<u32> = Vec::new();
        let mut parent: Vec<u32> = Vec::new();
        let mut stack: Vec<(u32, u32, usize)> = vec![(0, NONE, 0)];
        while let Some((b, from, next)) = stack.pop() {
            if next == 0 {
                if dfnum[b as usize] != NONE {
                    continue;
                }
                dfnum[b as usize] = vertex.len() as u32;
                vertex.push(b);
                parent.push(if from == NONE {
                    0
                } else {
                    dfnum[from as usize]
                });
            }
            if let Some(&s) = succs[b as usize].get(next) {
                stack.push((b, from, next + 1));
                if dfnum[s.index()] == NONE {
                    stack.push((s.0, b, 0));
                }
            }
        }
        let m = vertex.len();
        let mut preds: Vec<Vec<u32>> = vec![Vec::new(); m];
        for (b, list) in succs.iter().enumerate() {
            if dfnum[b] == NONE {
                continue;
            }
            for s in list {
                preds[dfnum[s.index()] as usize].push(dfnum[b]);
            }
        }
        // Everything below works on depth-first numbers.
        let mut semi: Vec<u32> = (0..m as u32).collect();
        let mut idom: Vec<u32> = vec![0; m];
        let mut ancestor: Vec<u32> = vec![NONE; m];
        let mut label: Vec<u32> = (0..m as u32).collect();
        let mut bucket: Vec<Vec<u32>> = vec![Vec::new(); m];
        let mut path = Vec::new();
        let mut eval = |v: u32, ancestor: &mut Vec<u32>, label: &mut Vec<u32>, semi: &Vec<u32>| {
            if ancestor[v as usize] == NONE {
                return v;
            }
            // Compress the path from `v` to the root of its tree in the forest.
            path.clear();
            let mut x = v;
            while ancestor[ancestor[x as usize] as usize] != NONE {
                path.push(x);
                x = ancestor[x as usize];
            }
            for &x in path.iter().rev() {
                let a = ancestor[x as usize] as usize;
                if semi[label[a] as usize] < semi[label[x as usize] as usize] {
                    label[x as usize] = label[a];
                }
                ancestor[x as usize] = ancestor[a];
            }
            label[v as usize]
        };
        for w in (1..m).rev() {
            for &v in &preds[w] {
                let u = eval(v, &mut ancestor, &mut label, &semi);
                if semi[u as usize] < semi[w] {
                    semi[w] = semi[u as usize];
                }
            }
            bucket[semi[w] as usize].push(w as u32);
            let p = parent[w];
            ancestor[w] = p;
            for v in std::mem::take(&mut bucket[p as usize]) {
                let u = eval(v, &mut ancestor, &mut label, &semi);
                idom[v as usize] = if semi[u as usize] < semi[v as usize] {
                    u
                } else {
                    p
                };
            }
        }
        for w in 1..m {
            if idom[w] != semi[w] {
                idom[w] = idom[idom[w] as usize];
            }
        }
        let mut out = Dominators {
            idom: vec![None; n],
            children: vec![Vec::new(); n],
            enter: vec![0; n],
            exit: vec![0; n],
        };
        for w in 0..m {
            let b = Block(vertex[w]);
            let d = Block(vertex[idom[w] as usize]);
            out.idom[b.index()] = Some(d);
            if w != 0 {
                out.children[d.index()].push(b);
            }
        }
        out.number_tree();
        out
    }

    /// The successors of every block of `f`, the input of [`Dominators::compute`].
    pub fn successors(f: &Func) -> Vec<Vec<Block>> {
        f.blocks
            .iter()
            .map(|b| b.term.targets().iter().map(|t| t.block).collect())
            .collect()
    }

    /// The dominator tree of a function.
    pub fn of(f: &Func) -> Dominators {
        Dominators::compute(&Dominators::successors(f))
    }

    /// Numbers the tree's blocks by a depth-first walk (no recursion).
    fn number_tree(&mut self) {
        if self.idom.is_empty() {
            return;
        }
        let mut clock = 0;
        let mut stack = vec![(Func::ENTRY, false)];
        while let Some((b, leaving)) = stack.pop() {
            clock += 1;
            if leaving {
                self.exit[b.index()] = clock;
                continue;
            }
            self.enter[b.index()] = clock;
            stack.push((b, true));
            for &c in &self.children[b.index()] {
                stack.push((c, false));
            }
        }
    }

    /// The immediate dominator of `b` (the entry's is itself); `None` when the
    /// entry does not reach `b`.
    pub fn idom(&self, b: Block) -> Option<Block> {
        self.idom[b.index()]
    }

    /// Whether every path from the entry to `b` goes through `a` (a block
    /// dominates itself). False when either is unreachable.
    pub fn dominates(&self, a: Block, b: Block) -> bool {
        self.reachable(a)
            && self.reachable(b)
            && self.enter[a.index()] <= self.enter[b.index()]
            && self.exit[b.index()] <= self.exit[a.index()]
    }

    /// Whether the entry reaches `b`.
    pub fn reachable(&self, b: Block) -> bool {
        self.idom[b.index()].is_some()
    }

    /// The blocks `b` immediately dominates.
    pub fn children(&self, b: Block) -> &[Block] {
        &self.children[b.index()]
    }

    /// The dominance frontier of every block (Cooper, Harvey and Kennedy's
    /// method: walk up from each predecessor of a join to the join's dominator,
    /// stopping where an earlier predecessor's walk already went).
    pub fn frontiers(&self, succs: &[Vec<Block>]) -> Vec<Vec<Block>> {
        let n = succs.len();
        let mut preds: Vec<Vec<Block>> = vec![Vec::new(); n];
        for (b, list) in succs.iter().enumerate() {
            if !self.reachable(Block(b as u32)) {
                continue;
            }
            for &s in list {
                preds[s.index()].push(Block(b as u32));
            }
        }
        let mut df: Vec<Vec<Block>> = vec![Vec::new(); n];
        for (j, list) in preds.iter().enumerate() {
            if list.len() < 2 {
                continue;
            }
            let join = Block(j as u32);
            let Some(stop) = self.idom[j] else {
                continue;
            };
            for &p in list {
                let mut runner = p;
                while runner != stop && df[runner.index()].last() != Some(&join) {
                    df[runner.index()].push(join);
                    match self.idom[runner.index()] {
                        Some(up) if up != runner => runner = up,
                        _ => break,
                    }
                }
            }
        }
        df
    }
}
