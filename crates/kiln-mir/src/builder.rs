//! Building a [`Func`] instruction by instruction, with SSA construction for
//! variables.
//!
//! Lowering speaks of source variables ([`Var`]); the builder turns their
//! definitions and uses into SSA values, adding block parameters where control flow
//! joins. This is the algorithm of Braun et al., "Simple and Efficient Construction
//! of Static Single Assignment Form" (CC 2013): a block is *sealed* once all its
//! predecessors are known; reading a variable in an unsealed block adds an
//! incomplete parameter that is completed when the block is sealed. The builder
//! never reorders or deletes instructions.

use crate::ir::*;
use kiln_syntax::Span;
use std::collections::HashMap;

/// A source-level variable, numbered by the lowering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Var(pub u32);

pub struct FuncBuilder {
    pub func: Func,
    current: Block,
    preds: Vec<Vec<Block>>,
    sealed: Vec<bool>,
    incomplete: Vec<Vec<(Var, Value)>>,
    defs: HashMap<(Var, Block), Value>,
    var_types: HashMap<Var, Type>,
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
            preds: Vec::new(),
            sealed: Vec::new(),
            incomplete: Vec::new(),
            defs: HashMap::new(),
            var_types: HashMap::new(),
        };
        let entry = b.create_block();
        for ty in params {
            b.add_block_param(entry, ty);
        }
        b.seal(entry);
        b
    }

    pub fn finish(self) -> Func {
        self.func
    }

    pub fn create_block(&mut self) -> Block {
        self.func.blocks.push(BlockData {
            params: Vec::new(),
            insts: Vec::new(),
            term: Terminator::Open,
            cold: false,
        });
        self.preds.push(Vec::new());
        self.sealed.push(false);
        self.incomplete.push(Vec::new());
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
            inlined: None,
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
            self.preds[t.block.index()].push(from);
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

    pub fn ret(&mut self, value: Option<Value>) {
        self.terminate(Terminator::Return(value));
    }

    pub fn panic(&mut self, kind: i32, span: Span) {
        self.terminate(Terminator::Panic {
            kind,
            span,
            inlined: None,
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
        self.var_types.insert(var, ty);
    }

    pub fn def_var(&mut self, var: Var, value: Value) {
        self.ensure_open();
        self.defs.insert((var, self.current), value);
    }

    pub fn use_var(&mut self, var: Var, span: Span) -> Value {
        self.ensure_open();
        let block = self.current;
        self.read_var(var, block, span)
    }

    fn read_var(&mut self, var: Var, block: Block, span: Span) -> Value {
        // Walk single-predecessor chains iteratively: check-heavy code makes long
        // chains of blocks, and recursion per block would exhaust the stack.
        let mut chain = Vec::new();
        let mut b = block;
        let ty = self.var_types[&var];
        let value = loop {
            if let Some(&v) = self.defs.get(&(var, b)) {
                break v;
            }
            if !self.sealed[b.index()] {
                let param = self.add_block_param(b, ty);
                self.incomplete[b.index()].push((var, param));
                break param;
            }
            let preds = self.unique_preds(b);
            match preds.as_slice() {
                [] => break self.zero_in(b, ty, span),
                [only] => {
                    chain.push(b);
                    b = *only;
                }
                _ => {
                    let param = self.add_block_param(b, ty);
                    self.defs.insert((var, b), param);
                    self.add_param_args(var, b, &preds, span);
                    break param;
                }
            }
        };
        self.defs.insert((var, b), value);
        for c in chain {
            self.defs.insert((var, c), value);
        }
        value
    }

    /// A zero placed at the start of a block without predecessors (dead code).
    fn zero_in(&mut self, block: Block, ty: Type, span: Span) -> Value {
        let kind = match ty {
            Type::F32 | Type::F64 => InstKind::Fconst(0.0),
            Type::Ptr => InstKind::Null,
            _ => InstKind::Iconst(0),
        };
        let v = self.new_value(ty);
        self.func.blocks[block.index()].insts.insert(
            0,
            Inst {
                kind,
                results: vec![v],
                span,
                inlined: None,
            },
        );
        v
    }

    fn unique_preds(&self, block: Block) -> Vec<Block> {
        let mut preds = self.preds[block.index()].clone();
        preds.sort();
        preds.dedup();
        preds
    }

    /// Passes the value of `var` from each predecessor to the newest parameter of
    /// `block`.
    fn add_param_args(&mut self, var: Var, block: Block, preds: &[Block], span: Span) {
        for &pred in preds {
            let v = self.read_var(var, pred, span);
            let term = &mut self.func.blocks[pred.index()].term;
            for t in term.targets_mut() {
                if t.block == block {
                    t.args.push(v);
                }
            }
        }
    }

    /// Declares that every predecessor of `block` is known.
    pub fn seal(&mut self, block: Block) {
        if self.sealed[block.index()] {
            return;
        }
        self.sealed[block.index()] = true;
        let pending = std::mem::take(&mut self.incomplete[block.index()]);
        let preds = self.unique_preds(block);
        for (var, _) in pending {
            self.add_param_args(var, block, &preds, self.func.span);
        }
    }
}
