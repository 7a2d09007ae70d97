//! The JIT: compiling MIR programs into executable memory, and the tables the
//! engine needs afterwards.
//!
//! A [`Jit`] lives as long as the engine's session. The MIR program grows unit by
//! unit, and its ids are session ids; [`Jit::compile`] compiles one unit's new
//! functions, and the JIT keeps, per MIR id, what code refers to: the Cranelift
//! function and call-table slot of each [`mir::FuncRef`], the address of each
//! global, string, format spec and type descriptor. A definition is never replaced
//! in place: callers load from the call table, and a function that replaces an
//! earlier one takes over its slot, so a later definition can take over
//! (DESIGN.md §7). For every function it keeps the
//! code range and the call sites, which turn return addresses back into Kiln source
//! positions for stack traces, and it registers unwind information so Rust panics
//! raised by the runtime unwind through JIT frames (DESIGN.md §6).

use crate::translate::{signature, translate};
use crate::unwind::UnwindRegistry;
use cranelift_codegen::binemit::Reloc;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, SourceLoc};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module, ModuleReloc, ModuleRelocTarget};
use kiln_mir as mir;
use kiln_runtime::desc::{DescArena, TypeDesc};
use kiln_runtime::format::FormatSpec;
use kiln_syntax::Span;
use std::collections::HashMap;

/// Where in the source a call or a check is: what a stack frame points at.
#[derive(Clone, Debug)]
pub struct Site {
    pub func: String,
    pub span: Span,
    /// Frames removed by inlining, innermost first: the functions (and call
    /// positions) that `func`'s code was inlined into.
    pub outer: Vec<(String, Span)>,
}

/// The machine code of one compiled function.
#[derive(Clone, Debug)]
pub struct CodeInfo {
    pub name: String,
    /// The MIR function compiled.
    pub func: mir::FuncRef,
    pub start: usize,
    pub len: usize,
    /// Code offsets `[start, end)` of instructions with a site (calls), and the site.
    pub sites: Vec<(u32, u32, u32)>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Let Cranelift optimise (`opt_level=speed`); otherwise compile fastest.
    pub optimize: bool,
    /// Call Kiln functions directly instead of through the call table. Only for
    /// programs whose functions are never redefined (a file run).
    pub direct_calls: bool,
    /// Keep the Cranelift IR text of every function.
    pub keep_clif: bool,
    /// Check for an interrupt at every loop header too, not only in function
    /// prologues, so any running code can be stopped (the REPL's Ctrl-C).
    pub interruptible: bool,
}

/// What compiling a program produced.
pub struct Compiled {
    /// The entry point of `<main>`, if the program has one.
    pub main: Option<*const u8>,
    /// Each function's name and entry address, in MIR order.
    pub funcs: Vec<(String, *const u8)>,
    /// Cranelift IR text per function, when asked for.
    pub clif: Vec<(String, String)>,
    /// Bytes of machine code made.
    pub code_bytes: usize,
    /// Time spent translating MIR to Cranelift IR, and in Cranelift itself
    /// (optimisation, register allocation, emission), for `kiln run --stats`.
    pub translate_time: std::time::Duration,
    pub cranelift_time: std::time::Duration,
}

#[derive(Debug)]
pub struct CodegenError(pub String);

impl std::fmt::Display for CodegenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

const TABLE_SLOTS: usize = 1 << 16;

/// State handed to the translator of one function.
pub struct Env<'a> {
    pub module: &'a mut JITModule,
    pub isa: OwnedTargetIsa,
    pub call_conv: CallConv,
    pub program: &'a mir::Program,
    pub funcs: &'a [FuncId],
    pub externs: &'a [FuncId],
    pub runtime: &'a HashMap<&'static str, FuncId>,
    pub strings: &'a [usize],
    pub specs: &'a [usize],
    pub globals: &'a [usize],
    pub table_base: usize,
    pub slots: &'a [usize],
    pub sites: &'a mut Vec<Site>,
    pub stack_limit_addr: usize,
    pub direct_calls: bool,
    pub interruptible: bool,
    /// The runtime descriptor of each MIR type.
    pub descs: &'a [*const TypeDesc],
}

impl Env<'_> {
    pub fn add_site(&mut self, site: Site) -> u32 {
        self.sites.push(site);
        self.sites.len() as u32 - 1
    }

    pub fn runtime_func(&self, symbol: &str) -> FuncId {
        self.runtime[symbol]
    }

    pub fn global_addr(&self, g: mir::GlobalRef) -> usize {
        self.globals[g.index()]
    }

    pub fn slot_addr(&self, f: mir::FuncRef) -> usize {
        self.table_base + self.slots[f.index()] * 8
    }

    /// The byte offset of a field, read from the type's runtime descriptor.
    pub fn field_offset(&self, ty: mir::TypeRef, variant: Option<u32>, index: u32) -> i32 {
        // SAFETY: descriptors are built by `descs::build` before translation and
        // live in the JIT's arena as long as the code; the MIR was verified against
        // the same type table, so the variant and field exist.
        unsafe { mir::descs::field_offset(self.descs, ty, variant, index) }
    }
}

pub struct Jit {
    module: JITModule,
    /// Code runs this far from where the module wrote it (`memory.rs`): added to
    /// every code address the module reports.
    exec_offset: isize,
    isa: OwnedTargetIsa,
    /// The settings each function is compiled with, by [`Tier`], made when first
    /// needed.
    tiers: HashMap<Tier, OwnedTargetIsa>,
    runtime: HashMap<&'static str, FuncId>,
    /// The call table: one function pointer per slot.
    table: Box<[usize]>,
    /// The first call-table slot not handed out yet.
    next_slot: usize,
    next_name: usize,
    /// Per [`mir::FuncRef`]: its Cranelift function and its call-table slot.
    funcs: Vec<FuncId>,
    slots: Vec<usize>,
    /// Per [`mir::ExternRef`], [`mir::StrRef`], [`mir::SpecRef`],
    /// [`mir::GlobalRef`] and [`mir::TypeRef`]: what compiled code refers to.
    externs: Vec<FuncId>,
    string_objects: Vec<usize>,
    spec_addrs: Vec<usize>,
    global_addrs: Vec<usize>,
    desc_ptrs: Vec<*const TypeDesc>,
    code: Vec<CodeInfo>,
    sites: Vec<Site>,
    unwind: UnwindRegistry,
    /// Memory that compiled code refers to by address; kept for the JIT's life.
    globals: Vec<Box<[u64]>>,
    /// Boxed so their addresses, baked into code, stay put as the vector grows.
    #[allow(clippy::vec_box)]
    specs: Vec<Box<FormatSpec>>,
    strings: HashMap<String, usize>,
    /// Runtime type descriptors referred to by compiled code.
    descs: DescArena,
    /// Addresses of global slots that hold references.
    ref_globals: Vec<usize>,
    /// Cranelift's contexts, kept between compiles.
    contexts: Option<(cranelift_codegen::Context, FunctionBuilderContext)>,
}

/// Functions with more MIR instructions than this are compiled without Cranelift's
/// optimisations. Its e-graph pass finds the dominator-tree scope of each value by
/// a linear search of the path from the root (`depth_of_block_in_gvn_map`), so it
/// takes time in proportion to instructions times dominator-tree depth: quadratic
/// on long straight-line code, where every checked operation adds a level (a sum
/// of 65,536 terms spent 40% of its compile time there). Huge functions are
/// generated code that runs once, like a long top-level script.
const MAX_OPTIMIZED_SIZE: usize = 20_000;

/// Functions with a block that more than this many branches pass values to are
/// given regalloc2's single-pass register allocator. The backtracking allocator
/// merges a block parameter with the value of each incoming branch, and each merge
/// re-examines every use gathered so far (`merge_bundle_requirements`): quadratic
/// in the number of branches (a `match` of 100,000 arms took over a minute). The
/// single-pass allocator costs the values live at a block times its predecessors,
/// which is why it is not used everywhere: on a long script with many long-lived
/// values the backtracking allocator is the linear one.
const MAX_BACKTRACKING_FAN_IN: usize = 1_000;

/// How one function is compiled: see [`MAX_OPTIMIZED_SIZE`] and
/// [`MAX_BACKTRACKING_FAN_IN`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Tier {
    optimize: bool,
    single_pass: bool,
}

impl Tier {
    fn of(f: &mir::Func, optimize: bool) -> Tier {
        let size: usize = f.blocks.iter().map(|b| b.insts.len() + 1).sum();
        let mut fan_in = vec![0usize; f.blocks.len()];
        for b in &f.blocks {
            for t in b.term.targets() {
                if !t.args.is_empty() {
                    fan_in[t.block.index()] += 1;
                }
            }
        }
        Tier {
            optimize: optimize && size <= MAX_OPTIMIZED_SIZE,
            // Code compiled for compile speed (the REPL) takes the single-pass
            // allocator too: it compiles about a third faster.
            single_pass: !optimize || fan_in.iter().any(|&n| n > MAX_BACKTRACKING_FAN_IN),
        }
    }
}

fn isa(tier: Tier) -> Result<OwnedTargetIsa, CodegenError> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| {
        f.set(k, v)
            .map_err(|e| CodegenError(format!("cranelift setting {k}={v}: {e}")))
    };
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    set(
        &mut flags,
        "opt_level",
        if tier.optimize { "speed" } else { "none" },
    )?;
    set(
        &mut flags,
        "regalloc_algorithm",
        if tier.single_pass {
            "single_pass"
        } else {
            "backtracking"
        },
    )?;
    // Cranelift's IR verifier checks every function it compiles; like the MIR
    // verifier, it runs in debug builds (the tests) only.
    set(
        &mut flags,
        "enable_verifier",
        if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        },
    )?;
    set(&mut flags, "preserve_frame_pointers", "true")?;
    set(&mut flags, "unwind_info", "true")?;
    let builder = cranelift_native::builder()
        .map_err(|e| CodegenError(format!("this machine is not supported by Cranelift: {e}")))?;
    builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| CodegenError(format!("cannot configure Cranelift: {e}")))
}

impl Drop for Jit {
    fn drop(&mut self) {
        let ranges: Vec<(usize, usize)> = self
            .code
            .iter()
            .map(|c| (c.start, c.start + c.len))
            .collect();
        kiln_runtime::panic::unregister_code_ranges(&ranges);
    }
}

impl Jit {
    pub fn new(optimize: bool) -> Result<Jit, CodegenError> {
        let tier = Tier {
            optimize,
            single_pass: false,
        };
        let isa = isa(tier)?;
        let mut builder =
            JITBuilder::with_isa(isa.clone(), cranelift_module::default_libcall_names());
        let symbols = kiln_runtime::symbols();
        for s in &symbols {
            builder.symbol(s.name, s.addr);
        }
        for &(name, addr) in kiln_runtime::mathlib::symbols() {
            builder.symbol(name, addr);
        }
        let memory = crate::memory::provider();
        builder.memory_provider(memory.memory);
        let mut module = JITModule::new(builder);
        let mut runtime = HashMap::new();
        for s in &symbols {
            let mut sig = ir::Signature::new(isa.default_call_conv());
            sig.params
                .extend(s.params.iter().map(|&a| ir::AbiParam::new(abi_type(a))));
            sig.returns
                .extend(s.ret.map(|a| ir::AbiParam::new(abi_type(a))));
            let id = module
                .declare_function(s.name, Linkage::Import, &sig)
                .map_err(|e| CodegenError(format!("runtime symbol {}: {e}", s.name)))?;
            runtime.insert(s.name, id);
        }
        Ok(Jit {
            module,
            exec_offset: memory.exec_offset,
            isa: isa.clone(),
            tiers: HashMap::from([(tier, isa)]),
            runtime,
            table: vec![0usize; TABLE_SLOTS].into_boxed_slice(),
            next_slot: 0,
            next_name: 0,
            funcs: Vec::new(),
            slots: Vec::new(),
            externs: Vec::new(),
            string_objects: Vec::new(),
            spec_addrs: Vec::new(),
            global_addrs: Vec::new(),
            desc_ptrs: Vec::new(),
            contexts: None,
            code: Vec::new(),
            sites: Vec::new(),
            unwind: UnwindRegistry::default(),
            globals: Vec::new(),
            specs: Vec::new(),
            strings: HashMap::new(),
            descs: DescArena::new(),
            ref_globals: Vec::new(),
        })
    }

    fn string_object(&mut self, text: &str) -> usize {
        if let Some(&p) = self.strings.get(text) {
            return p;
        }
        let p = kiln_runtime::string::new_immortal(text) as usize;
        self.strings.insert(text.to_string(), p);
        p
    }

    /// Compiles the functions `range` of `program` (one unit's new functions;
    /// they may refer to every function, global, string and type of earlier units)
    /// and makes them executable, except those in `skip` (functions nothing can
    /// call, such as an empty `<main>`).
    pub fn compile(
        &mut self,
        program: &mir::Program,
        range: std::ops::Range<u32>,
        skip: &[mir::FuncRef],
        replaced: &[(mir::FuncRef, mir::FuncRef)],
        opts: Options,
    ) -> Result<Compiled, CodegenError> {
        let todo: Vec<u32> = range
            .filter(|&i| !skip.contains(&mir::FuncRef(i)))
            .collect();
        if self.next_slot + (program.funcs.len() - self.funcs.len()) > TABLE_SLOTS {
            return Err(CodegenError("too many functions for the call table".into()));
        }
        self.add_tables(program)?;
        let call_conv = self.isa.default_call_conv();
        for f in &program.funcs[self.funcs.len()..] {
            let sig = signature(call_conv, &f.params, f.ret);
            let name = format!("{}#{}", f.name, self.next_name);
            self.next_name += 1;
            let id = self
                .module
                .declare_function(&name, Linkage::Local, &sig)
                .map_err(|e| CodegenError(e.to_string()))?;
            self.funcs.push(id);
            // A function that replaces an earlier one (same signature) shares its
            // slot: once its code is in, every caller of either calls it, with no
            // slot to update however long the chain of redefinitions.
            let this = mir::FuncRef(self.slots.len() as u32);
            let slot = match replaced.iter().find(|&&(_, new)| new == this) {
                Some(&(old, _)) => self.slots[old.index()],
                None => {
                    self.next_slot += 1;
                    self.next_slot - 1
                }
            };
            self.slots.push(slot);
        }
        for e in &program.externs[self.externs.len()..] {
            let sig = signature(call_conv, &e.params, e.ret);
            let id = self
                .module
                .declare_function(&e.symbol, Linkage::Import, &sig)
                .map_err(|e| CodegenError(e.to_string()))?;
            self.externs.push(id);
        }
        let mut clif = Vec::new();
        let mut pending = Vec::new();
        // Cranelift's contexts keep their allocations from one function to the
        // next (and from one unit to the next).
        let (mut ctx, mut fctx) = self
            .contexts
            .take()
            .unwrap_or_else(|| (self.module.make_context(), FunctionBuilderContext::new()));
        let mut translate_time = std::time::Duration::ZERO;
        let mut cranelift_time = std::time::Duration::ZERO;
        for &i in &todo {
            let i = i as usize;
            let f = &program.funcs[i];
            let started = std::time::Instant::now();
            let mut env = self.env(program, opts);
            ctx.func.signature = signature(call_conv, &f.params, f.ret);
            translate(&mut env, f, &mut ctx.func, &mut fctx);
            if opts.keep_clif {
                clif.push((f.name.clone(), clif_text(&mut ctx.func, &f.name)));
            }
            let translated = std::time::Instant::now();
            translate_time += translated - started;
            let tier = Tier::of(f, opts.optimize);
            let isa = match self.tiers.get(&tier) {
                Some(isa) => isa.clone(),
                None => {
                    let isa = isa(tier)?;
                    self.tiers.insert(tier, isa.clone());
                    isa
                }
            };
            // What `JITModule::define_function` does, with this function's settings.
            let alignment = ctx
                .compile(isa.as_ref(), &mut ControlPlane::default())
                .map_err(|e| CodegenError(format!("compiling `{}`: {:?}", f.name, e.inner)))?
                .buffer
                .alignment as u64;
            let compiled = ctx
                .compiled_code()
                .ok_or_else(|| CodegenError("no compiled code".into()))?;
            let relocs: Vec<ModuleReloc> = compiled
                .buffer
                .relocs()
                .iter()
                .map(|r| {
                    let mut reloc = ModuleReloc::from_mach_reloc(r, &ctx.func, self.funcs[i]);
                    // The module resolves a function of its own to where it wrote
                    // it: an absolute reference must name where it runs. (Relative
                    // ones are the same in both views.)
                    if matches!(reloc.kind, Reloc::Abs4 | Reloc::Abs8) && self.is_code(&reloc.name)
                    {
                        reloc.addend += self.exec_offset as i64;
                    }
                    reloc
                })
                .collect();
            self.module
                .define_function_bytes(self.funcs[i], alignment, compiled.code_buffer(), &relocs)
                .map_err(|e| CodegenError(format!("compiling `{}`: {e:?}", f.name)))?;
            cranelift_time += translated.elapsed();
            let sites = compiled
                .buffer
                .get_srclocs_sorted()
                .iter()
                .filter_map(|s| {
                    let loc: SourceLoc = s.loc;
                    (!loc.is_default()).then(|| (s.start, s.end, loc.bits() - 1))
                })
                .collect();
            let len = compiled.code_info().total_size as usize;
            let unwind = compiled
                .create_unwind_info(isa.as_ref())
                .map_err(|e| CodegenError(format!("unwind info for `{}`: {e}", f.name)))?;
            pending.push((f.name.clone(), len, sites, unwind));
            self.module.clear_context(&mut ctx);
        }
        self.contexts = Some((ctx, fctx));
        self.module
            .finalize_definitions()
            .map_err(|e| CodegenError(format!("linking: {e}")))?;

        let mut out = Compiled {
            main: None,
            funcs: Vec::new(),
            clif,
            code_bytes: 0,
            translate_time,
            cranelift_time,
        };
        for (&i, (name, len, sites, unwind)) in todo.iter().zip(pending) {
            let i = i as usize;
            let addr = self.finalized(self.funcs[i]);
            self.table[self.slots[i]] = addr as usize;
            kiln_runtime::panic::register_code_range(addr as usize, addr as usize + len);
            if let Some(info) = unwind {
                self.unwind.add(self.isa.as_ref(), addr as usize, &info);
            }
            out.code_bytes += len;
            self.code.push(CodeInfo {
                name: name.clone(),
                func: mir::FuncRef(i as u32),
                start: addr as usize,
                len,
                sites,
            });
            out.funcs.push((name, addr));
        }
        self.unwind.publish(self.isa.as_ref());
        out.main = program
            .main
            .and_then(|m| todo.iter().position(|&i| i == m.0))
            .map(|k| out.funcs[k].1);
        Ok(out)
    }

    /// What translating a function of `program` needs of this JIT.
    fn env<'a>(&'a mut self, program: &'a mir::Program, opts: Options) -> Env<'a> {
        Env {
            module: &mut self.module,
            isa: self.isa.clone(),
            call_conv: self.isa.default_call_conv(),
            program,
            funcs: &self.funcs,
            externs: &self.externs,
            runtime: &self.runtime,
            strings: &self.string_objects,
            specs: &self.spec_addrs,
            globals: &self.global_addrs,
            table_base: self.table.as_ptr() as usize,
            slots: &self.slots,
            sites: &mut self.sites,
            stack_limit_addr: &kiln_runtime::panic::STACK_LIMIT as *const _ as usize,
            direct_calls: opts.direct_calls,
            interruptible: opts.interruptible,
            descs: &self.desc_ptrs,
        }
    }

    /// The Cranelift IR of an already compiled function, translated again (the
    /// REPL's `:clif`).
    pub fn clif_of(&mut self, program: &mir::Program, f: mir::FuncRef, opts: Options) -> String {
        let func = &program.funcs[f.index()];
        let mut fctx = FunctionBuilderContext::new();
        let mut ctx = self.module.make_context();
        ctx.func.signature = signature(self.isa.default_call_conv(), &func.params, func.ret);
        let mut env = self.env(program, opts);
        translate(&mut env, func, &mut ctx.func, &mut fctx);
        let text = clif_text(&mut ctx.func, &func.name);
        self.module.clear_context(&mut ctx);
        text
    }

    /// Frees the machine code and data of this JIT.
    ///
    /// # Safety
    /// No code compiled by it may run, or be called, afterwards: no Kiln code is
    /// running, and every value that refers to its code (closure objects) or data
    /// has been released.
    pub unsafe fn free(mut self) {
        self.release_globals();
        // Nothing refers to the string literals any more: the globals that held
        // them are released, and the code that embeds them is freed below.
        for (_, p) in self.strings.drain() {
            // SAFETY: made by `new_immortal` on this (the Kiln) thread, once each.
            unsafe { kiln_runtime::string::free_immortal(p as *mut u8) };
        }
        self.string_objects.clear();
        let ranges: Vec<(usize, usize)> = self
            .code
            .drain(..)
            .map(|c| (c.start, c.start + c.len))
            .collect();
        kiln_runtime::panic::unregister_code_ranges(&ranges);
        let module = std::mem::replace(
            &mut self.module,
            JITModule::new(JITBuilder::with_isa(
                self.isa.clone(),
                cranelift_module::default_libcall_names(),
            )),
        );
        // SAFETY: by this function's contract, nothing runs or calls the code.
        unsafe { module.free_memory() };
    }

    /// Makes what the program's new strings, format specs, globals and types need
    /// at run time, so code can refer to them by address.
    fn add_tables(&mut self, program: &mir::Program) -> Result<(), CodegenError> {
        for i in self.string_objects.len()..program.strings.len() {
            let p = self.string_object(&program.strings[i]);
            self.string_objects.push(p);
        }
        for text in &program.specs[self.spec_addrs.len()..] {
            let spec = FormatSpec::parse(text)
                .map_err(|e| CodegenError(format!("format spec {text:?}: {e}")))?;
            let boxed = Box::new(spec);
            self.spec_addrs.push(&*boxed as *const FormatSpec as usize);
            self.specs.push(boxed);
        }
        let descs = mir::descs::build(&mut self.descs, &program.types, &self.desc_ptrs);
        self.desc_ptrs.extend(descs);
        let new = &program.globals[self.global_addrs.len()..];
        if !new.is_empty() {
            let mut block: Box<[u64]> = new.iter().map(|g| g.init).collect();
            let base = block.as_mut_ptr() as usize;
            for (i, g) in new.iter().enumerate() {
                let addr = base + i * 8;
                if g.ty == mir::Type::Ptr {
                    self.ref_globals.push(addr);
                }
                self.global_addrs.push(addr);
            }
            self.globals.push(block);
        }
        Ok(())
    }

    /// Releases what one global of reference type holds and empties it, for a
    /// global no code can reach any more (a REPL variable declared again).
    ///
    /// # Safety
    /// No Kiln code runs, and no code that runs later reads or writes the global.
    pub unsafe fn release_global(&mut self, program: &mir::Program, g: mir::GlobalRef) {
        let Some(&addr) = self.global_addrs.get(g.index()) else {
            return;
        };
        if program.globals[g.index()].ty != mir::Type::Ptr {
            return;
        }
        // SAFETY: by this function's contract nothing else uses the global.
        unsafe { release_slot(addr) };
    }

    /// Releases what every global holds, as the end of the program does for
    /// locals; after this, live objects are leaks (or cycles).
    pub fn release_globals(&mut self) {
        for &addr in &self.ref_globals {
            // SAFETY: `addr` is in `ref_globals`: the slot of a global of
            // reference type in a globals block this JIT owns, holding 0 or an
            // object the global owns.
            unsafe { release_slot(addr) };
        }
    }

    /// The entry address of a compiled function.
    pub fn code_addr(&mut self, f: mir::FuncRef) -> *const u8 {
        self.finalized(self.funcs[f.index()])
    }

    /// Where a finalised function's code runs.
    fn finalized(&self, id: FuncId) -> *const u8 {
        self.module
            .get_finalized_function(id)
            .wrapping_offset(self.exec_offset)
    }

    /// Whether a relocation refers to a function this module defines (rather
    /// than to a runtime symbol or an extern).
    fn is_code(&self, target: &ModuleRelocTarget) -> bool {
        match *target {
            ModuleRelocTarget::User {
                namespace: 0,
                index,
            } => self
                .module
                .declarations()
                .get_function_decl(FuncId::from_u32(index))
                .linkage
                .is_definable(),
            _ => false,
        }
    }

    /// The address of a global's slot.
    pub fn global_addr(&self, g: mir::GlobalRef) -> usize {
        self.global_addrs[g.index()]
    }

    /// The address of a global's slot, or `None` when no unit compiled here has
    /// the global yet.
    pub fn compiled_global(&self, g: mir::GlobalRef) -> Option<usize> {
        self.global_addrs.get(g.index()).copied()
    }

    /// The value of a global of type `i8` (an "initialised" flag), or `None`
    /// when no unit compiled here has it yet.
    ///
    /// # Safety
    /// No Kiln code may be running (it could be writing the global).
    pub unsafe fn global_i8(&self, g: mir::GlobalRef) -> Option<i8> {
        let addr = *self.global_addrs.get(g.index())?;
        // SAFETY: a global's slot is 8 bytes the JIT owns for its whole life, its
        // first byte an `i8` for an `i8` global; nothing writes it now.
        Some(unsafe { *(addr as *const i8) })
    }

    /// The runtime descriptor of a MIR type.
    pub fn desc(&self, t: mir::TypeRef) -> *const TypeDesc {
        self.desc_ptrs[t.index()]
    }

    pub fn site(&self, id: u32) -> Option<&Site> {
        self.sites.get(id as usize)
    }

    /// The function and call site of a return address into JIT code.
    pub fn lookup(&self, addr: usize) -> Option<(&CodeInfo, Option<&Site>)> {
        let code = self
            .code
            .iter()
            .find(|c| addr > c.start && addr <= c.start + c.len)?;
        // The return address is just after the call instruction.
        let offset = (addr - 1 - code.start) as u32;
        let site = code
            .sites
            .iter()
            .find(|&&(lo, hi, _)| offset >= lo && offset < hi)
            .and_then(|&(_, _, s)| self.site(s));
        Some((code, site))
    }

    /// The machine code of a compiled function.
    pub fn code_of(&self, f: mir::FuncRef) -> Option<&[u8]> {
        self.code.iter().rev().find(|c| c.func == f).map(code_slice)
    }

    /// The machine code of the function compiled to start at `addr`.
    pub fn code_at(&self, addr: *const u8) -> Option<&[u8]> {
        let start = addr as usize;
        self.code
            .iter()
            .rev()
            .find(|c| c.start == start)
            .map(code_slice)
    }
}

/// Releases what the slot of a global of reference type holds and empties it
/// (so it is never released twice).
///
/// # Safety
/// `addr` is the slot of a global of reference type in a globals block of a live
/// JIT, holding 0 or an object the global owns, and nothing uses the global
/// afterwards but another `release_slot`.
unsafe fn release_slot(addr: usize) {
    let slot = addr as *mut usize;
    // SAFETY: guaranteed by the caller.
    unsafe {
        let obj = *slot;
        if obj != 0 {
            *slot = 0;
            kiln_runtime::object::kiln_release(obj as *mut u8);
        }
    }
}

/// The text of a translated function, named as in Kiln (`function %P.get(...)`)
/// rather than by Cranelift's number for it; the name is only for display.
fn clif_text(func: &mut ir::Function, name: &str) -> String {
    func.name = ir::UserFuncName::testcase(name);
    func.display().to_string()
}

/// The machine code `info` describes.
fn code_slice(info: &CodeInfo) -> &[u8] {
    // SAFETY: the code of a finalised function stays mapped and unchanged for as
    // long as the JIT module lives, which outlives the borrow of its `CodeInfo`.
    unsafe { std::slice::from_raw_parts(info.start as *const u8, info.len) }
}

fn abi_type(a: kiln_runtime::Abi) -> ir::Type {
    use cranelift_codegen::ir::types;
    match a {
        kiln_runtime::Abi::I8 => types::I8,
        kiln_runtime::Abi::I16 => types::I16,
        kiln_runtime::Abi::I32 => types::I32,
        kiln_runtime::Abi::I64 | kiln_runtime::Abi::Ptr => types::I64,
        kiln_runtime::Abi::F32 => types::F32,
        kiln_runtime::Abi::F64 => types::F64,
    }
}
