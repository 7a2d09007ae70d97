//! Translating one MIR function into Cranelift IR.
//!
//! The translation is one-to-one: each reachable MIR block becomes a Cranelift
//! block with the same parameters, each MIR instruction becomes one or a few
//! Cranelift instructions. Two things are added here: the stack-limit check at the
//! start of every function that calls Kiln code (DESIGN.md §5; see
//! `checks_stack`), and the frame pointer and site number passed to runtime
//! functions that may panic, so the runtime can take a stack trace (DESIGN.md
//! §6). Translation never fails on verified MIR.

use crate::jit::{Env, Site};
use cranelift_codegen::ir::{
    self, condcodes, types, AbiParam, BlockArg, InstBuilder, Signature, SourceLoc, TrapCode,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::Module;
use kiln_mir::{self as mir, InstKind, Terminator};
use std::collections::HashMap;

pub fn clif_type(t: mir::Type) -> ir::Type {
    match t {
        mir::Type::I8 => types::I8,
        mir::Type::I16 => types::I16,
        mir::Type::I32 => types::I32,
        mir::Type::I64 | mir::Type::Ptr => types::I64,
        mir::Type::F32 => types::F32,
        mir::Type::F64 => types::F64,
    }
}

pub fn signature(call_conv: CallConv, params: &[mir::Type], ret: Option<mir::Type>) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params
        .extend(params.iter().map(|&t| AbiParam::new(clif_type(t))));
    sig.returns.extend(ret.map(|t| AbiParam::new(clif_type(t))));
    sig
}

/// The user trap code for code that cannot be reached (after a call that does not
/// return). It never fires: the runtime function unwinds first.
fn unreachable_trap() -> TrapCode {
    TrapCode::user(1).unwrap_or(TrapCode::STACK_OVERFLOW)
}

/// Functions with more values than this check the stack limit even when they
/// call nothing, so that their frames may be large.
const LEAF_MAX_VALUES: usize = 1000;

/// Whether `f` must compare the stack pointer with the limit on entry. A *leaf*
/// (a function that calls nothing and releases nothing, so no Kiln code can run
/// until it returns, except the runtime's panic) cannot take part in a deep
/// recursion, and its frame (at most a few kilobytes of spill slots for
/// [`LEAF_MAX_VALUES`] values) fits in the 1 MiB margin below the limit that its
/// caller's own check left: so the check is left out of small leaves, which are
/// the functions called most often (the innermost generator of a pipeline, small
/// helpers the inliner kept). Releasing counts as a call: `kiln_drop` may abandon
/// a generator, running its resume function, which may release another, so a
/// chain of suspended generators is dropped by a recursion through compiled code
/// that must meet checks. An interrupt is still seen at the caller's next
/// function entry or loop header, and a leaf's own loops keep their checks.
fn checks_stack(f: &mir::Func) -> bool {
    f.values.len() > LEAF_MAX_VALUES
        || f.blocks.iter().flat_map(|b| &b.insts).any(|inst| {
            matches!(
                inst.kind,
                InstKind::Call(..)
                    | InstKind::CallIndirect { .. }
                    | InstKind::CallExtern(..)
                    | InstKind::CallRuntime { .. }
                    | InstKind::Release(_)
            )
        })
}

/// Blocks reachable from the entry, in MIR order; dead blocks are not translated.
fn reachable(f: &mir::Func) -> Vec<bool> {
    let mut seen = vec![false; f.blocks.len()];
    let mut stack = vec![mir::Func::ENTRY];
    while let Some(b) = stack.pop() {
        if std::mem::replace(&mut seen[b.index()], true) {
            continue;
        }
        for t in f.block(b).term.targets() {
            stack.push(t.block);
        }
    }
    seen
}

/// The blocks reachable from the entry in reverse post-order.
/// The blocks that a branch reaches from a block at or after them in `order`
/// (reverse post-order): the headers of loops.
fn loop_headers(f: &mir::Func, order: &[mir::Block]) -> Vec<bool> {
    let mut position = vec![usize::MAX; f.blocks.len()];
    for (i, b) in order.iter().enumerate() {
        position[b.index()] = i;
    }
    let mut headers = vec![false; f.blocks.len()];
    for &b in order {
        for t in f.block(b).term.targets() {
            if position[t.block.index()] <= position[b.index()] {
                headers[t.block.index()] = true;
            }
        }
    }
    headers
}

fn reverse_post_order(f: &mir::Func) -> Vec<mir::Block> {
    let mut seen = vec![false; f.blocks.len()];
    let mut order = Vec::new();
    // Iterative depth-first search: (block, index of the next successor to visit).
    let mut stack = vec![(mir::Func::ENTRY, 0usize)];
    seen[0] = true;
    while let Some(&mut (b, ref mut next)) = stack.last_mut() {
        let targets = f.block(b).term.targets();
        if let Some(t) = targets.get(*next) {
            *next += 1;
            let t = t.block;
            if !seen[t.index()] {
                seen[t.index()] = true;
                stack.push((t, 0));
            }
        } else {
            order.push(b);
            stack.pop();
        }
    }
    order.reverse();
    order
}

pub struct Translator<'e, 'f, 'b> {
    env: &'e mut Env<'f>,
    mir: &'f mir::Func,
    builder: FunctionBuilder<'b>,
    blocks: Vec<Option<ir::Block>>,
    values: Vec<Option<ir::Value>>,
    func_refs: HashMap<String, ir::FuncRef>,
    sig_refs: HashMap<mir::FuncRef, ir::SigRef>,
    /// Sites made for this function, by span and inlining frame, so code at one
    /// place shares one site.
    site_ids: HashMap<(kiln_syntax::Span, Option<u32>), u32>,
    /// A REPL entry's `<main>`: code that runs once, just after it is compiled,
    /// so it is made for compile speed (see [`Translator::release`]).
    run_once: bool,
}

/// Builds the Cranelift function for `mir` into `func`.
pub fn translate<'f>(
    env: &mut Env<'f>,
    mir: &'f mir::Func,
    func: &mut ir::Function,
    fctx: &mut FunctionBuilderContext,
) {
    let builder = FunctionBuilder::new(func, fctx);
    let mut t = Translator {
        env,
        mir,
        builder,
        blocks: vec![None; mir.blocks.len()],
        values: vec![None; mir.values.len()],
        func_refs: HashMap::new(),
        sig_refs: HashMap::new(),
        site_ids: HashMap::new(),
        run_once: false,
    };
    t.run();
    let frontend = t.env.isa.frontend_config();
    t.builder.finalize(frontend);
}

impl Translator<'_, '_, '_> {
    fn run(&mut self) {
        let live = reachable(self.mir);
        for b in self.mir.block_ids() {
            if !live[b.index()] {
                continue;
            }
            let block = self.builder.create_block();
            for &p in &self.mir.block(b).params {
                let v = self
                    .builder
                    .append_block_param(block, clif_type(self.mir.value_type(p)));
                self.values[p.index()] = Some(v);
            }
            if self.mir.block(b).cold {
                self.builder.set_cold_block(block);
            }
            self.blocks[b.index()] = Some(block);
        }
        let Some(entry) = self.blocks[0] else {
            return;
        };
        // `<main>` is only ever called by the engine, near the top of the runner
        // thread's stack, so its own frame cannot reach the limit; whatever it
        // calls checks in its own prologue, and its loops check for interrupts at
        // their headers. Leaving the check out saves a third of a small entry's
        // Cranelift IR (and the REPL compiles a `<main>` for every entry).
        let is_main = self
            .env
            .program
            .main
            .is_some_and(|m| std::ptr::eq(&self.env.program.funcs[m.index()], self.mir));
        self.run_once = is_main && self.env.interruptible;
        // A small leaf need not check either: see [`checks_stack`].
        self.prologue(entry, !is_main && checks_stack(self.mir));
        // Reverse post-order: every block after its dominators, so each value is
        // translated before its uses.
        let order = reverse_post_order(self.mir);
        let headers = if self.env.interruptible {
            loop_headers(self.mir, &order)
        } else {
            Vec::new()
        };
        for b in order {
            let Some(block) = self.blocks[b.index()] else {
                continue;
            };
            self.builder.switch_to_block(block);
            if headers.get(b.index()).copied().unwrap_or(false) {
                self.interrupt_check();
            }
            let data = self.mir.block(b);
            for inst in &data.insts {
                self.inst(inst);
            }
            self.terminator(&data.term);
        }
        self.builder.seal_all_blocks();
    }

    /// At a loop header of interruptible code: the prologue's comparison of the
    /// stack pointer with the limit, which an interrupt raises to the top of
    /// memory (`kiln_runtime::panic::request_interrupt`), so a loop without calls
    /// can be stopped too. The rest of the header continues in a new block.
    fn interrupt_check(&mut self) {
        let poll = self.builder.create_block();
        let cont = self.builder.create_block();
        self.builder.set_cold_block(poll);
        // Not `trusted()`: the limit changes while the loop runs, so this load may
        // not be hoisted out of it.
        let low = self.below_stack_limit(ir::MemFlagsData::new());
        self.builder.ins().brif(low, poll, &[], cont, &[]);
        self.builder.switch_to_block(poll);
        let site = self.site_for(self.mir.span, None);
        self.call_runtime("kiln_stack_overflow", &[], Some(site));
        self.builder.ins().trap(unreachable_trap());
        self.builder.switch_to_block(cont);
    }

    /// The entry block: with `check`, compare the stack pointer with the
    /// runtime's limit and call the stack-overflow panic when it is below; then go
    /// to the MIR entry (which may be the target of a branch, so it is not the
    /// entry block itself). Without a check, and when no branch goes to it, the
    /// MIR entry block is the entry block.
    fn prologue(&mut self, body: ir::Block, check: bool) {
        if !check && !self.entry_is_target() {
            // The MIR entry block can be the entry block itself (a block fewer
            // for Cranelift to compile: it counts in every REPL entry).
            return;
        }
        let start = self.builder.create_block();
        let params: Vec<ir::Type> = self.mir.params.iter().map(|&t| clif_type(t)).collect();
        for &ty in &params {
            self.builder.append_block_param(start, ty);
        }
        self.builder.switch_to_block(start);
        let args: Vec<BlockArg> = self
            .builder
            .block_params(start)
            .iter()
            .map(|&v| BlockArg::Value(v))
            .collect();
        if !check {
            self.builder.ins().jump(body, &args);
            return;
        }
        let overflow = self.builder.create_block();
        self.builder.set_cold_block(overflow);
        let flags = self.trusted();
        let low = self.below_stack_limit(flags);
        self.builder.ins().brif(low, overflow, &[], body, &args);
        self.builder.switch_to_block(overflow);
        let site = self.env.add_site(Site {
            func: self.mir.name.clone(),
            span: self.mir.span,
            outer: Vec::new(),
        });
        self.call_runtime("kiln_stack_overflow", &[], Some(site));
        self.builder.ins().trap(unreachable_trap());
    }

    /// Whether some branch goes to the MIR entry block.
    fn entry_is_target(&self) -> bool {
        self.mir
            .blocks
            .iter()
            .any(|b| b.term.targets().iter().any(|t| t.block == mir::Func::ENTRY))
    }

    /// Whether the stack pointer is below the runtime's stack limit (read with
    /// `flags`): a stack overflow, or an interrupt, which raises the limit.
    fn below_stack_limit(&mut self, flags: ir::MemFlagsData) -> ir::Value {
        let sp = self.builder.ins().get_stack_pointer(types::I64);
        let limit_addr = self
            .builder
            .ins()
            .iconst(types::I64, self.env.stack_limit_addr as i64);
        let limit = self.builder.ins().load(types::I64, flags, limit_addr, 0);
        self.builder
            .ins()
            .icmp(condcodes::IntCC::UnsignedLessThan, sp, limit)
    }

    /// Memory flags for loads and stores of memory that is always valid.
    fn trusted(&mut self) -> ir::MemFlagsData {
        ir::MemFlagsData::trusted()
    }

    fn val(&self, v: mir::Value) -> ir::Value {
        // Verified MIR defines every value before use in reachable code.
        self.values[v.index()].unwrap_or_else(|| panic!("MIR value {v} used before definition"))
    }

    fn set(&mut self, v: mir::Value, x: ir::Value) {
        self.values[v.index()] = Some(x);
    }

    fn runtime_ref(&mut self, symbol: &str) -> ir::FuncRef {
        if let Some(&r) = self.func_refs.get(symbol) {
            return r;
        }
        let id = self.env.runtime_func(symbol);
        let r = self.env.module.declare_func_in_func(id, self.builder.func);
        self.func_refs.insert(symbol.to_string(), r);
        r
    }

    /// Calls a runtime function; with a site, the frame pointer and the site number
    /// are passed first.
    fn call_runtime(
        &mut self,
        symbol: &str,
        args: &[ir::Value],
        site: Option<u32>,
    ) -> Vec<ir::Value> {
        let f = self.runtime_ref(symbol);
        let mut all = Vec::with_capacity(args.len() + 2);
        if let Some(site) = site {
            let fp = self.builder.ins().get_frame_pointer(types::I64);
            let site = self.builder.ins().iconst(types::I32, site as i64);
            all.push(fp);
            all.push(site);
        }
        all.extend_from_slice(args);
        let call = self.builder.ins().call(f, &all);
        self.builder.inst_results(call).to_vec()
    }

    /// A site for code at `span`, which was inlined through `inlined` (if any).
    fn site_for(&mut self, span: kiln_syntax::Span, inlined: Option<u32>) -> u32 {
        if let Some(&id) = self.site_ids.get(&(span, inlined)) {
            return id;
        }
        let mut func = self.mir.name.clone();
        let mut outer = Vec::new();
        let mut frame = inlined;
        while let Some(k) = frame {
            let Some(f) = self.mir.inlines.get(k as usize) else {
                break;
            };
            if outer.is_empty() {
                func = f.func.clone();
            }
            let parent_name = match f.parent.and_then(|p| self.mir.inlines.get(p as usize)) {
                Some(p) => p.func.clone(),
                None => self.mir.name.clone(),
            };
            outer.push((parent_name, f.call_span));
            frame = f.parent;
        }
        let id = self.env.add_site(Site { func, span, outer });
        self.site_ids.insert((span, inlined), id);
        id
    }

    fn inst(&mut self, inst: &mir::Inst) {
        let results = &inst.results;
        let ty = results
            .first()
            .map(|&r| clif_type(self.mir.value_type(r)))
            .unwrap_or(types::I64);
        let b = &mut self.builder;
        let out: Option<ir::Value> = match &inst.kind {
            InstKind::Iconst(n) => {
                let bits = ty.bits();
                let masked = if bits >= 64 {
                    *n
                } else {
                    *n & ((1i64 << bits) - 1)
                };
                Some(b.ins().iconst(ty, masked))
            }
            InstKind::Fconst(x) if ty == types::F32 => Some(b.ins().f32const(*x as f32)),
            InstKind::Fconst(x) => Some(b.ins().f64const(*x)),
            InstKind::Str(s) => Some(
                b.ins()
                    .iconst(types::I64, self.env.strings[s.index()] as i64),
            ),
            InstKind::Spec(s) => Some(b.ins().iconst(types::I64, self.env.specs[s.index()] as i64)),
            InstKind::Null => Some(b.ins().iconst(types::I64, 0)),
            InstKind::Binary(op, x, y) => {
                let (x, y) = (self.val(*x), self.val(*y));
                Some(self.binary(*op, x, y))
            }
            InstKind::Overflow(op, x, y) => {
                let (x, y) = (self.val(*x), self.val(*y));
                let b = &mut self.builder;
                let (v, flag) = match op {
                    mir::OverflowOp::Sadd => b.ins().sadd_overflow(x, y),
                    mir::OverflowOp::Uadd => b.ins().uadd_overflow(x, y),
                    mir::OverflowOp::Ssub => b.ins().ssub_overflow(x, y),
                    mir::OverflowOp::Usub => b.ins().usub_overflow(x, y),
                    mir::OverflowOp::Smul => b.ins().smul_overflow(x, y),
                    mir::OverflowOp::Umul => b.ins().umul_overflow(x, y),
                };
                self.set(results[0], v);
                self.set(results[1], flag);
                None
            }
            InstKind::Unary(op, x) => {
                let x = self.val(*x);
                let b = &mut self.builder;
                Some(match op {
                    mir::UnaryOp::Ineg => b.ins().ineg(x),
                    mir::UnaryOp::Fneg => b.ins().fneg(x),
                    mir::UnaryOp::Bnot => b.ins().bnot(x),
                    mir::UnaryOp::Fabs => b.ins().fabs(x),
                    mir::UnaryOp::Sqrt => b.ins().sqrt(x),
                    mir::UnaryOp::Floor => b.ins().floor(x),
                    mir::UnaryOp::Ceil => b.ins().ceil(x),
                    mir::UnaryOp::Trunc => b.ins().trunc(x),
                })
            }
            InstKind::Icmp(cc, x, y) => {
                let (x, y) = (self.val(*x), self.val(*y));
                Some(self.builder.ins().icmp(int_cc(*cc), x, y))
            }
            InstKind::Fcmp(cc, x, y) => {
                let (x, y) = (self.val(*x), self.val(*y));
                Some(self.builder.ins().fcmp(float_cc(*cc), x, y))
            }
            InstKind::Convert(op, x) => {
                let x = self.val(*x);
                Some(self.convert(*op, x, ty))
            }
            InstKind::Select(c, x, y) => {
                let (c, x, y) = (self.val(*c), self.val(*x), self.val(*y));
                Some(self.builder.ins().select(c, x, y))
            }
            InstKind::Call(f, args) => {
                let args: Vec<ir::Value> = args.iter().map(|&a| self.val(a)).collect();
                let site = self.site_for(inst.span, inst.inlined);
                self.builder.set_srcloc(SourceLoc::new(site + 1));
                let rets = self.call_kiln(*f, &args);
                self.builder.set_srcloc(SourceLoc::default());
                rets.first().copied()
            }
            InstKind::CallIndirect { code, args } => {
                let params: Vec<mir::Type> = args.iter().map(|&a| self.mir.value_type(a)).collect();
                let ret = inst.results.first().map(|&r| self.mir.value_type(r));
                let sig = signature(self.env.call_conv, &params, ret);
                let sig = self.builder.import_signature(sig);
                let code = self.val(*code);
                let args: Vec<ir::Value> = args.iter().map(|&a| self.val(a)).collect();
                let site = self.site_for(inst.span, inst.inlined);
                self.builder.set_srcloc(SourceLoc::new(site + 1));
                let call = self.builder.ins().call_indirect(sig, code, &args);
                self.builder.set_srcloc(SourceLoc::default());
                self.builder.inst_results(call).first().copied()
            }
            InstKind::FuncAddr(f) => {
                let id = self.env.funcs[f.index()];
                let r = self.env.module.declare_func_in_func(id, self.builder.func);
                Some(self.builder.ins().func_addr(types::I64, r))
            }
            InstKind::CallRuntime { symbol, args, site } => {
                let args: Vec<ir::Value> = args.iter().map(|&a| self.val(a)).collect();
                // Every runtime call gets a site, also one that is not passed: a
                // panic raised deep inside the runtime (out of memory, a stack
                // overflow in a recursive routine) finds its trace by the return
                // address of this call (kiln_runtime::panic::raise).
                let id = self.site_for(inst.span, inst.inlined);
                self.builder.set_srcloc(SourceLoc::new(id + 1));
                let rets = self.call_runtime(symbol, &args, site.then_some(id));
                self.builder.set_srcloc(SourceLoc::default());
                rets.first().copied()
            }
            InstKind::CallExtern(e, args) => {
                let args: Vec<ir::Value> = args.iter().map(|&a| self.val(a)).collect();
                let id = self.env.externs[e.index()];
                let f = self.env.module.declare_func_in_func(id, self.builder.func);
                let call = self.builder.ins().call(f, &args);
                self.builder.inst_results(call).first().copied()
            }
            InstKind::GlobalLoad(g) => {
                let addr = self.env.global_addr(*g);
                let flags = self.trusted();
                let b = &mut self.builder;
                let a = b.ins().iconst(types::I64, addr as i64);
                Some(b.ins().load(ty, flags, a, 0))
            }
            InstKind::Desc(t) => Some(b.ins().iconst(types::I64, self.env.descs[t.index()] as i64)),
            InstKind::GetField {
                ty: t,
                variant,
                index,
                obj,
            } => {
                let obj = self.val(*obj);
                let offset = self.env.field_offset(*t, *variant, *index);
                let flags = self.trusted();
                Some(self.builder.ins().load(ty, flags, obj, offset))
            }
            InstKind::SetField {
                ty: t,
                variant,
                index,
                obj,
                value,
            } => {
                let (obj, v) = (self.val(*obj), self.val(*value));
                let offset = self.env.field_offset(*t, *variant, *index);
                let flags = self.trusted();
                self.builder.ins().store(flags, v, obj, offset);
                None
            }
            InstKind::Load { base, offset } => {
                let base = self.val(*base);
                let flags = self.trusted();
                Some(self.builder.ins().load(ty, flags, base, *offset))
            }
            InstKind::Store {
                base,
                offset,
                value,
            } => {
                let (base, v) = (self.val(*base), self.val(*value));
                let flags = self.trusted();
                self.builder.ins().store(flags, v, base, *offset);
                None
            }
            InstKind::Retain(v) => {
                let v = self.val(*v);
                self.retain(v);
                None
            }
            InstKind::Release(v) => {
                let v = self.val(*v);
                // Dropping the last reference can run Kiln code (a suspended
                // generator's cleanup), so the call has a site like any call: a
                // trace through it shows where the value was released.
                let site = self.site_for(inst.span, inst.inlined);
                self.release(v, site);
                None
            }
            InstKind::GlobalStore(g, v) => {
                let v = self.val(*v);
                let addr = self.env.global_addr(*g);
                let flags = self.trusted();
                let b = &mut self.builder;
                let a = b.ins().iconst(types::I64, addr as i64);
                b.ins().store(flags, v, a, 0);
                None
            }
        };
        if let (Some(v), Some(&r)) = (out, results.first()) {
            self.set(r, v);
        }
    }

    /// Calls a Kiln function, directly or through its slot in the call table.
    fn call_kiln(&mut self, f: mir::FuncRef, args: &[ir::Value]) -> Vec<ir::Value> {
        if self.env.direct_calls {
            let id = self.env.funcs[f.index()];
            let r = self.env.module.declare_func_in_func(id, self.builder.func);
            let call = self.builder.ins().call(r, args);
            return self.builder.inst_results(call).to_vec();
        }
        let sig = match self.sig_refs.get(&f) {
            Some(&s) => s,
            None => {
                let callee = &self.env.program.funcs[f.index()];
                let sig = signature(self.env.call_conv, &callee.params, callee.ret);
                let s = self.builder.import_signature(sig);
                self.sig_refs.insert(f, s);
                s
            }
        };
        let slot = self.env.slot_addr(f);
        let flags = self.trusted();
        let b = &mut self.builder;
        let addr = b.ins().iconst(types::I64, slot as i64);
        let callee = b.ins().load(types::I64, flags, addr, 0);
        let call = b.ins().call_indirect(sig, callee, args);
        b.inst_results(call).to_vec()
    }

    /// `rc += 1`, inline.
    fn retain(&mut self, obj: ir::Value) {
        let flags = self.trusted();
        let b = &mut self.builder;
        let rc = b.ins().load(types::I32, flags, obj, 0);
        let rc = b.ins().iadd_imm_s(rc, 1);
        b.ins().store(flags, rc, obj, 0);
    }

    /// `rc -= 1`, inline; at zero, the runtime frees the object. In code that
    /// runs once (a REPL entry's `<main>`) a call of the runtime's release
    /// instead: two blocks fewer for Cranelift to compile per release, for a
    /// call each time it runs.
    fn release(&mut self, obj: ir::Value, site: u32) {
        if self.run_once {
            self.builder.set_srcloc(SourceLoc::new(site + 1));
            self.call_runtime("kiln_release", &[obj], None);
            self.builder.set_srcloc(SourceLoc::default());
            return;
        }
        let flags = self.trusted();
        let free = self.builder.create_block();
        let done = self.builder.create_block();
        self.builder.set_cold_block(free);
        let b = &mut self.builder;
        let rc = b.ins().load(types::I32, flags, obj, 0);
        let rc = b.ins().iadd_imm_s(rc, -1);
        b.ins().store(flags, rc, obj, 0);
        b.ins().brif(rc, done, &[], free, &[]);
        self.builder.switch_to_block(free);
        self.builder.set_srcloc(SourceLoc::new(site + 1));
        self.call_runtime("kiln_drop", &[obj], None);
        self.builder.set_srcloc(SourceLoc::default());
        self.builder.ins().jump(done, &[]);
        self.builder.switch_to_block(done);
    }

    fn binary(&mut self, op: mir::BinaryOp, x: ir::Value, y: ir::Value) -> ir::Value {
        use mir::BinaryOp::*;
        let b = self.builder.ins();
        match op {
            Iadd => b.iadd(x, y),
            Isub => b.isub(x, y),
            Imul => b.imul(x, y),
            Sdiv => b.sdiv(x, y),
            Udiv => b.udiv(x, y),
            Srem => b.srem(x, y),
            Urem => b.urem(x, y),
            Band => b.band(x, y),
            Bor => b.bor(x, y),
            Bxor => b.bxor(x, y),
            Ishl => b.ishl(x, y),
            Sshr => b.sshr(x, y),
            Ushr => b.ushr(x, y),
            Fadd => b.fadd(x, y),
            Fsub => b.fsub(x, y),
            Fmul => b.fmul(x, y),
            Fdiv => b.fdiv(x, y),
            Fmin => b.fmin(x, y),
            Fmax => b.fmax(x, y),
        }
    }

    fn convert(&mut self, op: mir::ConvertOp, x: ir::Value, to: ir::Type) -> ir::Value {
        use mir::ConvertOp::*;
        let from = self.builder.func.dfg.value_type(x);
        let b = &mut self.builder;
        match op {
            Sext => b.ins().sextend(to, x),
            Uext => b.ins().uextend(to, x),
            Trunc => b.ins().ireduce(to, x),
            StoF => b.ins().fcvt_from_sint(to, x),
            UtoF => b.ins().fcvt_from_uint(to, x),
            Fconv | Bitcast if from == to => x,
            Bitcast => b.ins().bitcast(to, ir::MemFlagsData::new(), x),
            Fconv if to == types::F64 => b.ins().fpromote(to, x),
            Fconv => b.ins().fdemote(to, x),
            FtoSsat | FtoUsat if to.bits() >= 32 => {
                if op == FtoSsat {
                    b.ins().fcvt_to_sint_sat(to, x)
                } else {
                    b.ins().fcvt_to_uint_sat(to, x)
                }
            }
            FtoSsat | FtoUsat => {
                // Narrow targets: saturate to 32 bits, clamp to the target's range,
                // then narrow.
                let bits = to.bits();
                let wide = if op == FtoSsat {
                    let w = b.ins().fcvt_to_sint_sat(types::I32, x);
                    let hi = b.ins().iconst(types::I32, (1i64 << (bits - 1)) - 1);
                    let lo = b.ins().iconst(types::I32, -(1i64 << (bits - 1)));
                    let w = b.ins().smin(w, hi);
                    b.ins().smax(w, lo)
                } else {
                    let w = b.ins().fcvt_to_uint_sat(types::I32, x);
                    let hi = b.ins().iconst(types::I32, (1i64 << bits) - 1);
                    b.ins().umin(w, hi)
                };
                b.ins().ireduce(to, wide)
            }
        }
    }

    fn target_args(&self, t: &mir::Target) -> Vec<BlockArg> {
        t.args
            .iter()
            .map(|&a| BlockArg::Value(self.val(a)))
            .collect()
    }

    fn block_of(&self, b: mir::Block) -> ir::Block {
        // A target of a reachable block is reachable.
        self.blocks[b.index()].unwrap_or_else(|| panic!("{b} is not translated"))
    }

    fn terminator(&mut self, term: &Terminator) {
        match term {
            Terminator::Jump(t) => {
                let args = self.target_args(t);
                let block = self.block_of(t.block);
                self.builder.ins().jump(block, &args);
            }
            Terminator::Branch {
                cond,
                then,
                otherwise,
            } => {
                let c = self.val(*cond);
                let (ta, ea) = (self.target_args(then), self.target_args(otherwise));
                let (tb, eb) = (self.block_of(then.block), self.block_of(otherwise.block));
                self.builder.ins().brif(c, tb, &ta, eb, &ea);
            }
            Terminator::Return(v) => {
                let vals: Vec<ir::Value> = v.iter().map(|&v| self.val(v)).collect();
                self.builder.ins().return_(&vals);
            }
            Terminator::Panic {
                kind,
                span,
                inlined,
            } => {
                let site = self.site_for(*span, *inlined);
                self.builder.set_srcloc(SourceLoc::new(site + 1));
                let k = self.builder.ins().iconst(types::I32, *kind as i64);
                self.call_runtime("kiln_panic", &[k], Some(site));
                self.builder.set_srcloc(SourceLoc::default());
                self.builder.ins().trap(unreachable_trap());
            }
            // The generator transform replaces every `yield` (the verifier
            // rejects one that is left).
            Terminator::Unreachable | Terminator::Open | Terminator::Yield { .. } => {
                self.builder.ins().trap(unreachable_trap());
            }
        }
    }
}

fn int_cc(cc: mir::IntCC) -> condcodes::IntCC {
    use condcodes::IntCC as C;
    match cc {
        mir::IntCC::Eq => C::Equal,
        mir::IntCC::Ne => C::NotEqual,
        mir::IntCC::Slt => C::SignedLessThan,
        mir::IntCC::Sle => C::SignedLessThanOrEqual,
        mir::IntCC::Sgt => C::SignedGreaterThan,
        mir::IntCC::Sge => C::SignedGreaterThanOrEqual,
        mir::IntCC::Ult => C::UnsignedLessThan,
        mir::IntCC::Ule => C::UnsignedLessThanOrEqual,
        mir::IntCC::Ugt => C::UnsignedGreaterThan,
        mir::IntCC::Uge => C::UnsignedGreaterThanOrEqual,
    }
}

fn float_cc(cc: mir::FloatCC) -> condcodes::FloatCC {
    use condcodes::FloatCC as C;
    match cc {
        mir::FloatCC::Eq => C::Equal,
        mir::FloatCC::Ne => C::NotEqual,
        mir::FloatCC::Lt => C::LessThan,
        mir::FloatCC::Le => C::LessThanOrEqual,
        mir::FloatCC::Gt => C::GreaterThan,
        mir::FloatCC::Ge => C::GreaterThanOrEqual,
        mir::FloatCC::Uno => C::Unordered,
    }
}
