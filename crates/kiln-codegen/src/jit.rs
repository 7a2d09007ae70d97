//! The JIT: compiling MIR programs into executable memory, and the tables the
//! engine needs afterwards.
//!
//! A [`Jit`] lives as long as the engine. Each [`Jit::compile`] adds a program: its
//! functions get new Cranelift ids (a definition is never replaced in place) and new
//! slots in the call table, which is what callers load from, so a later definition
//! of the same name can take over (DESIGN.md §7). For every function it keeps the
//! code range and the call sites, which turn return addresses back into Kiln source
//! positions for stack traces, and it registers unwind information so Rust panics
//! raised by the runtime unwind through JIT frames (DESIGN.md §6).

use crate::translate::{signature, translate};
use crate::unwind::UnwindRegistry;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, SourceLoc};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module, ModuleReloc};
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
    pub globals_base: usize,
    pub table_base: usize,
    pub slots: &'a [usize],
    pub sites: &'a mut Vec<Site>,
    pub stack_limit_addr: usize,
    pub direct_calls: bool,
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
        self.globals_base + g.index() * 8
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
    isa: OwnedTargetIsa,
    /// The settings each function is compiled with, by [`Tier`], made when first
    /// needed.
    tiers: HashMap<Tier, OwnedTargetIsa>,
    runtime: HashMap<&'static str, FuncId>,
    /// The call table: one function pointer per slot.
    table: Box<[usize]>,
    next_slot: usize,
    next_name: usize,
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
            single_pass: fan_in.iter().any(|&n| n > MAX_BACKTRACKING_FAN_IN),
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
        for c in &self.code {
            kiln_runtime::panic::unregister_code_range(c.start, c.start + c.len);
        }
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
            isa: isa.clone(),
            tiers: HashMap::from([(tier, isa)]),
            runtime,
            table: vec![0usize; TABLE_SLOTS].into_boxed_slice(),
            next_slot: 0,
            next_name: 0,
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

    /// Compiles a program and makes it executable.
    pub fn compile(
        &mut self,
        program: &mir::Program,
        opts: Options,
    ) -> Result<Compiled, CodegenError> {
        if self.next_slot + program.funcs.len() > TABLE_SLOTS {
            return Err(CodegenError("too many functions for the call table".into()));
        }
        let strings: Vec<usize> = program
            .strings
            .iter()
            .map(|s| self.string_object(s))
            .collect();
        let mut specs = Vec::new();
        for text in &program.specs {
            let spec = FormatSpec::parse(text)
                .map_err(|e| CodegenError(format!("format spec {text:?}: {e}")))?;
            let boxed = Box::new(spec);
            specs.push(&*boxed as *const FormatSpec as usize);
            self.specs.push(boxed);
        }
        let descs = mir::descs::build(&mut self.descs, &program.types);
        let mut globals: Box<[u64]> = program.globals.iter().map(|g| g.init).collect();
        let globals_base = if globals.is_empty() {
            0
        } else {
            globals.as_mut_ptr() as usize
        };
        for (i, g) in program.globals.iter().enumerate() {
            if g.ty == mir::Type::Ptr {
                self.ref_globals.push(globals_base + i * 8);
            }
        }
        self.globals.push(globals);

        let call_conv = self.isa.default_call_conv();
        let mut funcs = Vec::new();
        for f in &program.funcs {
            let sig = signature(call_conv, &f.params, f.ret);
            let name = format!("{}#{}", f.name, self.next_name);
            self.next_name += 1;
            let id = self
                .module
                .declare_function(&name, Linkage::Local, &sig)
                .map_err(|e| CodegenError(e.to_string()))?;
            funcs.push(id);
        }
        let mut externs = Vec::new();
        for e in &program.externs {
            let sig = signature(call_conv, &e.params, e.ret);
            let id = self
                .module
                .declare_function(&e.symbol, Linkage::Import, &sig)
                .map_err(|e| CodegenError(e.to_string()))?;
            externs.push(id);
        }
        let slots: Vec<usize> = (self.next_slot..self.next_slot + program.funcs.len()).collect();
        self.next_slot += program.funcs.len();

        let mut clif = Vec::new();
        let mut pending = Vec::new();
        let mut fctx = FunctionBuilderContext::new();
        let mut ctx = self.module.make_context();
        let mut translate_time = std::time::Duration::ZERO;
        let mut cranelift_time = std::time::Duration::ZERO;
        for (i, f) in program.funcs.iter().enumerate() {
            let started = std::time::Instant::now();
            let mut env = Env {
                module: &mut self.module,
                isa: self.isa.clone(),
                call_conv,
                program,
                funcs: &funcs,
                externs: &externs,
                runtime: &self.runtime,
                strings: &strings,
                specs: &specs,
                globals_base,
                table_base: self.table.as_ptr() as usize,
                slots: &slots,
                sites: &mut self.sites,
                stack_limit_addr: &kiln_runtime::panic::STACK_LIMIT as *const _ as usize,
                direct_calls: opts.direct_calls,
                descs: &descs,
            };
            ctx.func.signature = signature(call_conv, &f.params, f.ret);
            translate(&mut env, f, &mut ctx.func, &mut fctx);
            if opts.keep_clif {
                clif.push((f.name.clone(), ctx.func.display().to_string()));
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
                .map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, funcs[i]))
                .collect();
            self.module
                .define_function_bytes(funcs[i], alignment, compiled.code_buffer(), &relocs)
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
        for (i, (name, len, sites, unwind)) in pending.into_iter().enumerate() {
            let addr = self.module.get_finalized_function(funcs[i]);
            self.table[slots[i]] = addr as usize;
            kiln_runtime::panic::register_code_range(addr as usize, addr as usize + len);
            if let Some(info) = unwind {
                self.unwind.add(self.isa.as_ref(), addr as usize, &info);
            }
            out.code_bytes += len;
            self.code.push(CodeInfo {
                name: name.clone(),
                start: addr as usize,
                len,
                sites,
            });
            out.funcs.push((name, addr));
        }
        self.unwind.publish(self.isa.as_ref());
        out.main = program.main.map(|m| out.funcs[m.index()].1);
        Ok(out)
    }

    /// Releases what every global holds, as the end of the program does for
    /// locals; after this, live objects are leaks (or cycles).
    pub fn release_globals(&mut self) {
        for &addr in &self.ref_globals {
            let slot = addr as *mut usize;
            // SAFETY: `addr` is a slot of a global of reference type in a globals
            // block this JIT owns; it holds 0 or a live object owned by the global.
            unsafe {
                let obj = *slot;
                if obj != 0 {
                    *slot = 0;
                    kiln_runtime::object::kiln_release(obj as *mut u8);
                }
            }
        }
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

    /// The machine code of the most recent function with this name.
    pub fn code_of(&self, name: &str) -> Option<&[u8]> {
        let info = self.code.iter().rev().find(|c| c.name == name)?;
        // SAFETY: the code of a finalised function stays mapped and unchanged for as
        // long as the JIT module lives, which is as long as `self`.
        Some(unsafe { std::slice::from_raw_parts(info.start as *const u8, info.len) })
    }
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
