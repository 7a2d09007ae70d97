//! Building a [`Func`] instruction by instruction, with SSA construction for
//! variables.
//!
//! Lowering speaks of source variables ([`Var`]); the builder turns their
//! definitions and uses into SSA values, adding block parameters where control flow
//! joins. While the function is being built, a use of a variable that has no
//! definition earlier in the same block gets a *placeholder* value standing for
//! "the variable on entry to this block". [`FuncBuilder::finish`] then builds SSA
//! form the classic way (Cytron et al.): dominators (Lengauer–Tarjan), dominance
//! frontiers, parameters at the iterated dominance frontier of each variable's
//! definitions, and one renaming walk over the dominator tree that resolves every
//! placeholder; parameters nothing uses are removed again. Every step is near
//! linear in the size of the function, however long the variables live (a
//! top-level script of many thousand lines has thousands of variables live to its
//! end, and a search backwards from each use, as on-the-fly construction does, is
//! quadratic there). The builder never reorders or deletes instructions.

use crate::analysis::dominators::Dominators;
use crate::ir::*;
use kiln_syntax::Span;
use std::collections::HashMap;

/// A source-level variable, numbered by the lowering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Var(pub u32);

/// What a variable holds in a block, as far as the block has been built.
#[derive(Clone, Copy)]
struct Current {
    value: Value,
    /// `value` is the variable's last definition in the block, not the placeholder
    /// for its value on entry.
    defined: bool,
}

pub struct FuncBuilder {
    pub func: Func,
    current: Block,
    /// Blocks declared to have all their predecessors (checked in debug builds).
    sealed: Vec<bool>,
    /// The value of each variable in each block that defines or uses it.
    current_defs: HashMap<(Var, Block), Current>,
    /// Placeholders for a variable's value on entry to a block, with the span of
    /// the use (for a zero in dead code).
    entry_uses: Vec<(Var, Block, Value, Span)>,
    /// The blocks that define each variable, by [`Var`] number.
    def_blocks: Vec<Vec<Block>>,
    var_types: Vec<Option<Type>>,
    /// The [`Func::inlines`] entry of the code being built, for lowering that puts
    /// another function's body in place (a fused generator); `None` for the
    /// function's own code.
    pub inline_frame: Option<u32>,
}

impl FuncBuilder {
    /// Starts a function whose entry block has one parameter per `params` type.
    pub fn new(name: impl Into<String>, params: Vec<Type>, ret: Option<Type>, span: Span) -> Self {
        let mut b = FuncBuilder {
            func: Func {
                name: name.into(),
                params: params.clone(),
                ret,
                blocks: Vec::new(),
                values: Vec::new(),
                span,
                inlines: Vec::new(),
            },
            current: Func::ENTRY,
            sealed: Vec::new(),
            current_defs: HashMap::new(),
            entry_uses: Vec::new(),
            def_blocks: Vec::new(),
            var_types: Vec::new(),
            inline_frame: None,
        };
        let entry = b.create_block();
        for ty in params {
            b.add_block_param(entry, ty);
        }
        b.seal(entry);
        b
    }

    /// Completes SSA construction and returns the function.
    pub fn finish(mut self) -> Func {
        self.build_ssa();
        self.func
    }

    pub fn create_block(&mut self) -> Block {
        self.func.blocks.push(BlockData {
            params: Vec::new(),
            insts: Vec::new(),
            term: Terminator::Open,
            cold: false,
        });
        self.sealed.push(false);
        Block(self.func.blocks.len() as u32 - 1)
    }

    pub fn create_cold_block(&mut self) -> Block {
        let b = self.create_block();
        self.func.blocks[b.index()].cold = true;
        b
    }

    pub fn new_value(&mut self, ty: Type) -> Value {
        self.func.values.push(ty);
        Value(self.func.values.len() as u32 - 1)
    }

    pub fn add_block_param(&mut self, block: Block, ty: Type) -> Value {
        let v = self.new_value(ty);
        self.func.blocks[block.index()].params.push(v);
        v
    }

    pub fn block_params(&self, block: Block) -> &[Value] {
        &self.func.blocks[block.index()].params
    }

    pub fn current_block(&self) -> Block {
        self.current
    }

    pub fn switch_to(&mut self, block: Block) {
        self.current = block;
    }

    /// Whether the current block already ends in a terminator (code after a
    /// `return`, `break` or panic is unreachable).
    pub fn is_terminated(&self) -> bool {
        !matches!(
            self.func.blocks[self.current.index()].term,
            Terminator::Open
        )
    }

    /// Makes sure there is an open block to emit into: after a terminator, a fresh
    /// block with no predecessors (dead code) is started.
    pub fn ensure_open(&mut self) {
        if self.is_terminated() {
            let dead = self.create_block();
            self.seal(dead);
            self.switch_to(dead);
        }
    }

    pub fn ins(&mut self, kind: InstKind, result_types: &[Type], span: Span) -> Vec<Value> {
        self.ensure_open();
        let results: Vec<Value> = result_types.iter().map(|&t| self.new_value(t)).collect();
        let block = &mut self.func.blocks[self.current.index()];
        block.insts.push(Inst {
            kind,
            results: results.clone(),
            span,
            inlined: self.inline_frame,
        });
        results
    }

    /// Emits an instruction with exactly one result.
    pub fn ins1(&mut self, kind: InstKind, ty: Type, span: Span) -> Value {
        self.ins(kind, &[ty], span)[0]
    }

    pub fn iconst(&mut self, ty: Type, v: i64, span: Span) -> Value {
        self.ins1(InstKind::Iconst(v), ty, span)
    }

    /// A zero of any type, for values read in dead code.
    pub fn zero(&mut self, ty: Type, span: Span) -> Value {
        match ty {
            Type::F32 | Type::F64 => self.ins1(InstKind::Fconst(0.0), ty, span),
            Type::Ptr => self.ins1(InstKind::Null, ty, span),
            _ => self.iconst(ty, 0, span),
        }
    }

    fn terminate(&mut self, term: Terminator) {
        self.ensure_open();
        let from = self.current;
        for t in term.targets() {
            debug_assert!(
                !self.sealed[t.block.index()],
                "{}: new predecessor {from} of sealed {}",
                self.func.name,
                t.block
            );
        }
        self.func.blocks[from.index()].term = term;
    }

    pub fn jump(&mut self, block: Block, args: Vec<Value>) {
        self.terminate(Terminator::Jump(Target { block, args }));
    }

    pub fn branch(&mut self, cond: Value, then: Block, otherwise: Block) {
        self.branch_with(cond, then, Vec::new(), otherwise, Vec::new());
    }

    pub fn branch_with(
        &mut self,
        cond: Value,
        then: Block,
        then_args: Vec<Value>,
        otherwise: Block,
        otherwise_args: Vec<Value>,
    ) {
        self.terminate(Terminator::Branch {
            cond,
            then: Target {
                block: then,
                args: then_args,
            },
            otherwise: Target {
                block: otherwise,
                args: otherwise_args,
            },
        });
    }

    /// Ends the block with a generator's `yield` (see [`Terminator::Yield`]).
    pub fn suspend(&mut self, value: Option<Value>, resume: Block, cancel: Block) {
        let target = |block| Target {
            block,
            args: Vec::new(),
        };
        self.terminate(Terminator::Yield {
            value,
            resume: target(resume),
            cancel: target(cancel),
        });
    }

    pub fn ret(&mut self, value: Option<Value>) {
        self.terminate(Terminator::Return(value));
    }

    pub fn panic(&mut self, kind: i32, span: Span) {
        self.terminate(Terminator::Panic {
            kind,
            span,
            inlined: self.inline_frame,
        });
    }

    pub fn unreachable(&mut self) {
        self.terminate(Terminator::Unreachable);
    }

    /// Branches to a new cold block that panics with `kind` when `cond` is true, and
    /// continues in a new block otherwise.
    pub fn panic_if(&mut self, cond: Value, kind: i32, span: Span) {
        let fail = self.create_cold_block();
        let ok = self.create_block();
        self.branch(cond, fail, ok);
        self.seal(fail);
        self.seal(ok);
        self.switch_to(fail);
        self.panic(kind, span);
        self.switch_to(ok);
    }

    // ---- variables -----------------------------------------------------------

    pub fn declare_var(&mut self, var: Var, ty: Type) {
        let i = var.0 as usize;
        if self.var_types.len() <= i {
            self.var_types.resize(i + 1, None);
            self.def_blocks.resize(i + 1, Vec::new());
        }
        self.var_types[i] = Some(ty);
    }

    fn var_type(&self, var: Var) -> Type {
        match self.var_types.get(var.0 as usize) {
            Some(Some(ty)) => *ty,
            _ => panic!("{}: variable {var:?} used but not declared", self.func.name),
        }
    }

    pub fn def_var(&mut self, var: Var, value: Value) {
        self.ensure_open();
        let block = self.current;
        let old = self.current_defs.insert(
            (var, block),
            Current {
                value,
                defined: true,
            },
        );
        if !old.is_some_and(|c| c.defined) {
            self.def_blocks[var.0 as usize].push(block);
        }
    }

    pub fn use_var(&mut self, var: Var, span: Span) -> Value {
        self.ensure_open();
        let block = self.current;
        if let Some(c) = self.current_defs.get(&(var, block)) {
            return c.value;
        }
        let ty = self.var_type(var);
        let placeholder = self.new_value(ty);
        self.current_defs.insert(
            (var, block),
            Current {
                value: placeholder,
                defined: false,
            },
        );
        self.entry_uses.push((var, block, placeholder, span));
        placeholder
    }

    /// Declares that every predecessor of `block` is known. SSA construction does
    /// not need it (it runs when the function is complete); debug builds check that
    /// no edge to `block` is added afterwards.
    pub fn seal(&mut self, block: Block) {
        self.sealed[block.index()] = true;
    }

    // ---- SSA repair ------------------------------------------------------------

    /// Restores SSA form in a complete function after a pass gave some values
    /// more definitions: each `(value, [(block, new value)])` says that in `block`
    /// (which must not use `value` itself) `new value` is a further definition of
    /// `value`. Every use of `value` then reads the definition that reaches it,
    /// through block parameters where definitions meet, exactly as variables are
    /// resolved when a function is built (the value and its new definitions act as
    /// one variable). The generator transform uses this for values reloaded from
    /// the generator's frame after a `yield`.
    pub fn repair_ssa(func: Func, redefined: &[(Value, Vec<(Block, Value)>)]) -> Func {
        let n = func.blocks.len();
        let mut b = FuncBuilder {
            func,
            current: Func::ENTRY,
            sealed: vec![true; n],
            current_defs: HashMap::new(),
            entry_uses: Vec::new(),
            def_blocks: Vec::new(),
            var_types: Vec::new(),
            inline_frame: None,
        };
        // Where each value is defined.
        let mut def_block: HashMap<Value, Block> = HashMap::new();
        for bl in b.func.block_ids() {
            let data = b.func.block(bl);
            for &p in &data.params {
                def_block.insert(p, bl);
            }
            for inst in &data.insts {
                for &r in &inst.results {
                    def_block.insert(r, bl);
                }
            }
        }
        let mut var_of: HashMap<Value, Var> = HashMap::new();
        for (i, (v, defs)) in redefined.iter().enumerate() {
            let var = Var(i as u32);
            b.declare_var(var, b.func.value_type(*v));
            var_of.insert(*v, var);
            let home = def_block[v];
            for (block, value) in std::iter::once((home, *v)).chain(defs.iter().copied()) {
                b.current_defs.insert(
                    (var, block),
                    Current {
                        value,
                        defined: true,
                    },
                );
                b.def_blocks[i].push(block);
            }
        }
        // Each use outside a block that defines the variable reads its value on
        // entry to the block: a placeholder, resolved by SSA construction.
        let span = b.func.span;
        let mut blocks = std::mem::take(&mut b.func.blocks);
        for (bi, block) in blocks.iter_mut().enumerate() {
            let here = Block(bi as u32);
            let mut resolve = |v: &mut Value| {
                let Some(&var) = var_of.get(v) else {
                    return;
                };
                if let Some(c) = b.current_defs.get(&(var, here)) {
                    if c.defined {
                        return;
                    }
                    *v = c.value;
                    return;
                }
                let p = b.new_value(b.func.value_type(*v));
                b.current_defs.insert(
                    (var, here),
                    Current {
                        value: p,
                        defined: false,
                    },
                );
                b.entry_uses.push((var, here, p, span));
                *v = p;
            };
            for inst in &mut block.insts {
                for_each_operand_mut(&mut inst.kind, &mut resolve);
            }
            if let Some(v) = block.term.operand_mut() {
                resolve(v);
            }
            for t in block.term.targets_mut() {
                t.args.iter_mut().for_each(&mut resolve);
            }
        }
        b.func.blocks = blocks;
        b.build_ssa();
        b.func
    }

    // ---- SSA construction ----------------------------------------------------

    /// Replaces every placeholder by the value its variable has there, adding block
    /// parameters where definitions meet.
    fn build_ssa(&mut self) {
        if self.entry_uses.is_empty() {
            return;
        }
        let n = self.func.blocks.len();
        let def_blocks = std::mem::take(&mut self.def_blocks);
        let succs: Vec<Vec<Block>> = self
            .func
            .blocks
            .iter()
            .map(|b| b.term.targets().iter().map(|t| t.block).collect())
            .collect();
        let dom = Dominators::compute(&succs);

        // Parameters at the iterated dominance frontier of each variable's
        // definitions (reachable blocks only; the entry never gets any), for the
        // variables some block uses before defining them: the others never flow
        // from one block to another.
        let frontiers = dom.frontiers(&succs);
        let mut crosses = vec![false; self.var_types.len()];
        for &(var, _, _, _) in &self.entry_uses {
            crosses[var.0 as usize] = true;
        }
        let mut phis: Vec<Vec<(Var, Value)>> = vec![Vec::new(); n];
        let explicit: Vec<usize> = self.func.blocks.iter().map(|b| b.params.len()).collect();
        let mut has_phi = vec![u32::MAX; n];
        let mut queued = vec![u32::MAX; n];
        let mut work = Vec::new();
        for (v, defs) in def_blocks.iter().enumerate() {
            let (Some(ty), true) = (self.var_types[v], crosses[v]) else {
                continue;
            };
            let stamp = v as u32;
            for &d in defs {
                if dom.reachable(d) && queued[d.index()] != stamp {
                    queued[d.index()] = stamp;
                    work.push(d);
                }
            }
            while let Some(x) = work.pop() {
                for &y in &frontiers[x.index()] {
                    if has_phi[y.index()] == stamp || y == Func::ENTRY {
                        continue;
                    }
                    has_phi[y.index()] = stamp;
                    let p = self.add_block_param(y, ty);
                    phis[y.index()].push((Var(stamp), p));
                    if queued[y.index()] != stamp {
                        queued[y.index()] = stamp;
                        work.push(y);
                    }
                }
            }
        }

        // Placeholders by block, and the variables each block defines.
        let mut uses_at: Vec<Vec<(Var, Value, Span)>> = vec![Vec::new(); n];
        for &(var, b, p, span) in &self.entry_uses {
            uses_at[b.index()].push((var, p, span));
        }
        let mut defs_in: Vec<Vec<(Var, Value)>> = vec![Vec::new(); n];
        for (v, blocks) in def_blocks.iter().enumerate() {
            for &b in blocks {
                let value = self.current_defs[&(Var(v as u32), b)].value;
                defs_in[b.index()].push((Var(v as u32), value));
            }
        }

        // Rename along the dominator tree: each variable's stack holds its value
        // in the dominators of the block being visited.
        let mut alias: Vec<Option<Value>> = vec![None; self.func.values.len()];
        let mut stacks: Vec<Vec<Value>> = vec![Vec::new(); self.var_types.len()];
        let mut zeros: Vec<Vec<Inst>> = vec![Vec::new(); n];
        let mut entry_zero: HashMap<Var, Value> = HashMap::new();
        let mut visit = vec![(Func::ENTRY, false)];
        while let Some((b, leaving)) = visit.pop() {
            let bi = b.index();
            if leaving {
                for &(var, _) in phis[bi].iter().chain(&defs_in[bi]) {
                    stacks[var.0 as usize].pop();
                }
                continue;
            }
            for &(var, p) in &phis[bi] {
                stacks[var.0 as usize].push(p);
            }
            for &(var, p, span) in &uses_at[bi] {
                let v = self.value_in_dominators(var, &stacks, &mut entry_zero, &mut zeros, span);
                alias[p.index()] = Some(v);
            }
            for &(var, value) in &defs_in[bi] {
                stacks[var.0 as usize].push(value);
            }
            for (k, s) in succs[bi].iter().enumerate() {
                let s = s.index();
                if phis[s].is_empty() {
                    continue;
                }
                let mut args = Vec::with_capacity(phis[s].len());
                for &(var, _) in &phis[s] {
                    let span = self.func.span;
                    args.push(self.value_in_dominators(
                        var,
                        &stacks,
                        &mut entry_zero,
                        &mut zeros,
                        span,
                    ));
                }
                let term = &mut self.func.blocks[bi].term;
                term.targets_mut()[k].args.extend(args);
            }
            visit.push((b, true));
            for &c in dom.children(b) {
                visit.push((c, false));
            }
        }

        // Blocks nothing reaches: every variable is a zero there, as the code never
        // runs; they still pass arguments to the parameters of their targets.
        for b in 0..n {
            if dom.reachable(Block(b as u32)) {
                continue;
            }
            let mut dead_zero: HashMap<Var, Value> = HashMap::new();
            let mut zero_for =
                |this: &mut Self, var: Var, span: Span, zeros: &mut Vec<Vec<Inst>>| {
                    *dead_zero.entry(var).or_insert_with(|| {
                        let ty = this.var_type(var);
                        this.zero_inst(ty, span, &mut zeros[b])
                    })
                };
            for &(var, p, span) in &uses_at[b] {
                let v = zero_for(self, var, span, &mut zeros);
                alias[p.index()] = Some(v);
            }
            for (k, s) in succs[b].iter().enumerate() {
                for &(var, _) in &phis[s.index()] {
                    let v = match self.current_defs.get(&(var, Block(b as u32))) {
                        Some(c) => c.value,
                        None => {
                            let span = self.func.span;
                            zero_for(self, var, span, &mut zeros)
                        }
                    };
                    self.func.blocks[b].term.targets_mut()[k].args.push(v);
                }
            }
        }
        alias.resize(self.func.values.len(), None);

        let zero_blocks: Vec<(usize, usize)> = zeros
            .iter()
            .enumerate()
            .filter(|(_, z)| !z.is_empty())
            .map(|(b, z)| (b, z.len()))
            .collect();
        for (b, z) in zeros.into_iter().enumerate() {
            if !z.is_empty() {
                let insts = &mut self.func.blocks[b].insts;
                insts.splice(0..0, z);
            }
        }
        resolve_placeholders(&mut self.func, &mut alias);
        remove_unused_params(&mut self.func, &phis, &explicit);
        remove_unused_zeros(&mut self.func, &zero_blocks);
        renumber_values(&mut self.func);
    }

    /// The value of `var` where the renaming walk is: its innermost definition in
    /// the dominators, or a zero at the function's start when there is none.
    fn value_in_dominators(
        &mut self,
        var: Var,
        stacks: &[Vec<Value>],
        entry_zero: &mut HashMap<Var, Value>,
        zeros: &mut [Vec<Inst>],
        span: Span,
    ) -> Value {
        if let Some(&v) = stacks[var.0 as usize].last() {
            return v;
        }
        if let Some(&v) = entry_zero.get(&var) {
            return v;
        }
        let ty = self.var_type(var);
        let v = self.zero_inst(ty, span, &mut zeros[Func::ENTRY.index()]);
        entry_zero.insert(var, v);
        v
    }

    /// A zero of type `ty`, defined by an instruction added to `into`.
    fn zero_inst(&mut self, ty: Type, span: Span, into: &mut Vec<Inst>) -> Value {
        let kind = match ty {
            Type::F32 | Type::F64 => InstKind::Fconst(0.0),
            Type::Ptr => InstKind::Null,
            _ => InstKind::Iconst(0),
        };
        let v = self.new_value(ty);
        into.push(Inst {
            kind,
            results: vec![v],
            span,
            inlined: None,
        });
        v
    }
}

/// Rewrites every operand that is a placeholder to the value it stands for.
fn resolve_placeholders(f: &mut Func, alias: &mut [Option<Value>]) {
    // A placeholder may stand for another placeholder (`let y = x` defines `y` as
    // the value of `x` on entry); follow the chain and shorten it.
    let find = |alias: &mut [Option<Value>], v: Value| -> Value {
        let mut root = v;
        let mut steps = 0;
        while let Some(next) = alias[root.index()] {
            root = next;
            steps += 1;
            assert!(steps <= alias.len(), "cyclic SSA placeholders");
        }
        let mut x = v;
        while let Some(next) = alias[x.index()] {
            alias[x.index()] = Some(root);
            x = next;
        }
        root
    };
    for block in &mut f.blocks {
        for inst in &mut block.insts {
            for_each_operand_mut(&mut inst.kind, |v| *v = find(alias, *v));
        }
        if let Some(v) = block.term.operand_mut() {
            *v = find(alias, *v);
        }
        for t in block.term.targets_mut() {
            for a in &mut t.args {
                *a = find(alias, *a);
            }
        }
    }
}

/// Removes the parameters SSA construction added that no instruction needs
/// (directly or through other such parameters), with their arguments.
fn remove_unused_params(f: &mut Func, phis: &[Vec<(Var, Value)>], explicit: &[usize]) {
    // Which value is which added parameter: (block, position among the added).
    let mut phi_of: HashMap<Value, (usize, usize)> = HashMap::new();
    for (b, list) in phis.iter().enumerate() {
        for (j, &(_, p)) in list.iter().enumerate() {
            phi_of.insert(p, (b, j));
        }
    }
    if phi_of.is_empty() {
        return;
    }
    let mut live: Vec<Vec<bool>> = phis.iter().map(|l| vec![false; l.len()]).collect();
    let mut work = Vec::new();
    let mark = |v: Value, live: &mut Vec<Vec<bool>>, work: &mut Vec<(usize, usize)>| {
        if let Some(&(b, j)) = phi_of.get(&v) {
            if !live[b][j] {
                live[b][j] = true;
                work.push((b, j));
            }
        }
    };
    // Uses by instructions, conditions, returns and explicit parameters.
    for block in &f.blocks {
        for inst in &block.insts {
            for v in crate::verify::operands(&inst.kind) {
                mark(v, &mut live, &mut work);
            }
        }
        if let Some(v) = block.term.operand() {
            mark(v, &mut live, &mut work);
        }
        for t in block.term.targets() {
            for &a in &t.args[..explicit[t.block.index()].min(t.args.len())] {
                mark(a, &mut live, &mut work);
            }
        }
    }
    // A live added parameter makes its arguments live.
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); f.blocks.len()];
    for (b, block) in f.blocks.iter().enumerate() {
        for t in block.term.targets() {
            if !phis[t.block.index()].is_empty() {
                preds[t.block.index()].push(b);
            }
        }
    }
    for list in &mut preds {
        list.dedup();
    }
    while let Some((b, j)) = work.pop() {
        for &p in &preds[b] {
            for t in f.blocks[p].term.targets() {
                if t.block.index() == b {
                    mark(t.args[explicit[b] + j], &mut live, &mut work);
                }
            }
        }
    }
    // Drop the dead ones from the parameters and from every branch's arguments.
    let keep = |b: usize, i: usize| i < explicit[b] || live[b][i - explicit[b]];
    for (b, block) in f.blocks.iter_mut().enumerate() {
        if live[b].iter().all(|&l| l) {
            continue;
        }
        let mut i = 0;
        block.params.retain(|_| {
            i += 1;
            keep(b, i - 1)
        });
    }
    for block in &mut f.blocks {
        for t in block.term.targets_mut() {
            let b = t.block.index();
            if live[b].iter().all(|&l| l) {
                continue;
            }
            let mut i = 0;
            t.args.retain(|_| {
                i += 1;
                keep(b, i - 1)
            });
        }
    }
}

/// Removes the zeros SSA construction put at the start of blocks (`(block, how
/// many)`) that nothing uses, as when they were only passed to parameters that
/// turned out to be unused.
fn remove_unused_zeros(f: &mut Func, zero_blocks: &[(usize, usize)]) {
    if zero_blocks.is_empty() {
        return;
    }
    let mut used = vec![false; f.values.len()];
    for block in &f.blocks {
        for inst in &block.insts {
            for v in crate::verify::operands(&inst.kind) {
                used[v.index()] = true;
            }
        }
        if let Some(v) = block.term.operand() {
            used[v.index()] = true;
        }
        for t in block.term.targets() {
            for a in &t.args {
                used[a.index()] = true;
            }
        }
    }
    for &(b, n) in zero_blocks {
        let mut k = 0;
        f.blocks[b].insts.retain(|inst| {
            k += 1;
            k > n || inst.results.iter().any(|r| used[r.index()])
        });
    }
}

/// Numbers the values in the order of their definitions (block by block, its
/// parameters and then its instructions' results), dropping the placeholders and
/// the removed parameters and zeros: the function stays compact for later passes
/// and its text reads in order.
fn renumber_values(f: &mut Func) {
    const UNSET: u32 = u32::MAX;
    let mut new = vec![UNSET; f.values.len()];
    let mut types = Vec::with_capacity(f.values.len());
    let mut define = |v: &mut Value, new: &mut Vec<u32>| {
        new[v.index()] = types.len() as u32;
        types.push(f.values[v.index()]);
        *v = Value(new[v.index()]);
    };
    for block in &mut f.blocks {
        for p in &mut block.params {
            define(p, &mut new);
        }
        for inst in &mut block.insts {
            for r in &mut inst.results {
                define(r, &mut new);
            }
        }
    }
    let rename = |v: &mut Value| {
        debug_assert!(new[v.index()] != UNSET, "{v} is used but not defined");
        *v = Value(new[v.index()]);
    };
    for block in &mut f.blocks {
        for inst in &mut block.insts {
            for_each_operand_mut(&mut inst.kind, rename);
        }
        if let Some(v) = block.term.operand_mut() {
            rename(v);
        }
        for t in block.term.targets_mut() {
            t.args.iter_mut().for_each(rename);
        }
    }
    f.values = types;
}

/// Calls `f` on every value operand of an instruction.
pub fn for_each_operand_mut(kind: &mut InstKind, mut f: impl FnMut(&mut Value)) {
    use InstKind::*;
    match kind {
        Iconst(_) | Fconst(_) | Str(_) | Spec(_) | Null | GlobalLoad(_) | Desc(_) | FuncAddr(_) => {
        }
        CallIndirect { code, args } => {
            f(code);
            args.iter_mut().for_each(f)
        }
        Binary(_, a, b) | Overflow(_, a, b) | Icmp(_, a, b) | Fcmp(_, a, b) => {
            f(a);
            f(b);
        }
        Unary(_, a) | Convert(_, a) | GlobalStore(_, a) | Retain(a) | Release(a) => f(a),
        Select(c, a, b) => {
            f(c);
            f(a);
            f(b);
        }
        Call(_, args) | CallExtern(_, args) | CallRuntime { args, .. } => {
            args.iter_mut().for_each(f)
        }
        GetField { obj, .. } | Load { base: obj, .. } => f(obj),
        SetField { obj, value, .. }
        | Store {
            base: obj, value, ..
        } => {
            f(obj);
            f(value);
        }
    }
}
