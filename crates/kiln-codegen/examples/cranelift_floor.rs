//! The floor of compiling one small function with Cranelift, measured apart from
//! Kiln: how much of a REPL entry's compile time is Cranelift's own, and how much
//! is how Kiln drives it (docs/BENCHMARKS.md, the REPL).
//!
//!     cargo run --release -p kiln-codegen --example cranelift_floor [N] [BATCH]
//!
//! Small functions, each built with `FunctionBuilder` and compiled N times (10,000
//! by default) with the settings the REPL uses (`opt_level=none`, the single-pass
//! register allocator, frame pointers, unwind information, no verifier):
//! - `tiny`: `fn(x) -> x + 1 + 2`, iconsts and `iadd`s and a `return`;
//! - `checked`: like a Kiln `<main>`: an overflow-checked add (`sadd_overflow`)
//!   whose overflow branch goes to a cold block that calls a panic function and
//!   traps, and a call of an imported function;
//! - `check`: only the checked add and its cold block, as Kiln compiles a check;
//! - for comparison, what a check would cost in other forms Kiln does not use:
//!   raised by `trapnz` (`checked-trap`, `check-trap`: no block and no call, but
//!   the panic would then come from a signal handler, which DESIGN.md §6 rules
//!   out), a cold block that only traps (`check-cold-trap`), and a cold block that
//!   tail-calls the panic function (`check-tail`).
//!
//! Each is compiled (1) by bare `Context::compile` with one reused `Context`; (2)
//! through a `JITModule` the way Kiln compiles an entry: a new function declared,
//! built, compiled, its bytes defined, `finalize_definitions` with Kiln's code
//! memory (`kiln_codegen::memory`), unwind information made and registered; (3)
//! the same through `JITModule::define_function`. It prints microseconds per
//! function (best of 5 rounds of N), and (2) step by step. With BATCH > 1, (2)
//! and (3) finalise and register unwind information once per BATCH functions
//! instead of once per function (a REPL must do it per entry).

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, condcodes::IntCC, types, AbiParam, InstBuilder};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module, ModuleReloc};
use kiln_codegen::unwind::UnwindRegistry;
use std::time::{Duration, Instant};

extern "C" fn panic_stub(_fp: i64, _site: i32, _kind: i32) {
    std::process::abort()
}

extern "C" fn callee(x: i64) -> i64 {
    x
}

fn isa() -> OwnedTargetIsa {
    let mut flags = settings::builder();
    for (k, v) in [
        ("use_colocated_libcalls", "false"),
        ("is_pic", "false"),
        ("opt_level", "none"),
        ("regalloc_algorithm", "single_pass"),
        ("enable_verifier", "false"),
        ("preserve_frame_pointers", "true"),
        ("unwind_info", "true"),
    ] {
        flags.set(k, v).unwrap();
    }
    cranelift_native::builder()
        .unwrap()
        .finish(settings::Flags::new(flags))
        .unwrap()
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Tiny,
    Checked,
    /// `Checked` with the overflow raised by `trapnz` instead of a cold block.
    CheckedTrap,
    /// Only the checked add, its cold block calling the panic function.
    Check,
    /// Only the checked add, raised by `trapnz`.
    CheckTrap,
    /// Only the checked add, its cold block a bare `trap`.
    CheckColdTrap,
    /// Only the checked add, its cold block a `return_call` of the panic function.
    CheckTail,
}

/// Builds the function into `func`; `imports` are (panic, callee) references when
/// compiled through a module, else they are declared as external names.
fn build(
    func: &mut ir::Function,
    fctx: &mut FunctionBuilderContext,
    shape: Shape,
    imports: Option<(ir::FuncRef, ir::FuncRef)>,
    isa: &OwnedTargetIsa,
) {
    let call_conv = isa.default_call_conv();
    func.signature = ir::Signature::new(call_conv);
    func.signature.params.push(AbiParam::new(types::I64));
    func.signature.returns.push(AbiParam::new(types::I64));
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let x = b.block_params(entry)[0];
    match shape {
        Shape::Tiny => {
            let one = b.ins().iconst(types::I64, 1);
            let two = b.ins().iconst(types::I64, 2);
            let s = b.ins().iadd(x, one);
            let t = b.ins().iadd(s, two);
            b.ins().return_(&[t]);
        }
        Shape::Checked
        | Shape::CheckedTrap
        | Shape::Check
        | Shape::CheckTrap
        | Shape::CheckColdTrap
        | Shape::CheckTail => {
            let (panic, call) = imports.unwrap_or_else(|| {
                let mut psig = ir::Signature::new(call_conv);
                psig.params.extend([
                    AbiParam::new(types::I64),
                    AbiParam::new(types::I32),
                    AbiParam::new(types::I32),
                ]);
                let mut csig = ir::Signature::new(call_conv);
                csig.params.push(AbiParam::new(types::I64));
                csig.returns.push(AbiParam::new(types::I64));
                let psig = b.import_signature(psig);
                let csig = b.import_signature(csig);
                let pname = b
                    .func
                    .declare_imported_user_function(ir::UserExternalName::new(0, 1));
                let cname = b
                    .func
                    .declare_imported_user_function(ir::UserExternalName::new(0, 2));
                let p = b.import_function(ir::ExtFuncData {
                    name: ir::ExternalName::user(pname),
                    signature: psig,
                    colocated: false,
                    patchable: false,
                });
                let c = b.import_function(ir::ExtFuncData {
                    name: ir::ExternalName::user(cname),
                    signature: csig,
                    colocated: false,
                    patchable: false,
                });
                (p, c)
            });
            let one = b.ins().iconst(types::I64, 1);
            let (s, of) = b.ins().sadd_overflow(x, one);
            if matches!(shape, Shape::CheckedTrap | Shape::CheckTrap) {
                b.ins().trapnz(of, ir::TrapCode::user(1).unwrap());
            } else {
                let ok = b.create_block();
                let cold = b.create_block();
                b.set_cold_block(cold);
                b.ins().brif(of, cold, &[], ok, &[]);
                b.switch_to_block(cold);
                if shape == Shape::CheckColdTrap {
                    b.ins().trap(ir::TrapCode::user(1).unwrap());
                } else {
                    let fp = b.ins().get_frame_pointer(types::I64);
                    let site = b.ins().iconst(types::I32, 7);
                    let kind = b.ins().iconst(types::I32, 1);
                    if shape == Shape::CheckTail {
                        b.ins().return_call(panic, &[fp, site, kind]);
                    } else {
                        b.ins().call(panic, &[fp, site, kind]);
                        b.ins().trap(ir::TrapCode::user(1).unwrap());
                    }
                }
                b.switch_to_block(ok);
            }
            if matches!(
                shape,
                Shape::Check | Shape::CheckTrap | Shape::CheckColdTrap | Shape::CheckTail
            ) {
                b.ins().return_(&[s]);
                b.seal_all_blocks();
                b.finalize(isa.frontend_config());
                return;
            }
            let r = b.ins().call(call, &[s]);
            let r = b.inst_results(r)[0];
            let c = b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
            let z = b.ins().iconst(types::I64, 0);
            let v = b.ins().select(c, z, r);
            b.ins().return_(&[v]);
        }
    }
    b.seal_all_blocks();
    b.finalize(isa.frontend_config());
}

fn bare(shape: Shape, n: usize, isa: &OwnedTargetIsa) -> (Duration, Duration) {
    let mut ctx = Context::new();
    let mut fctx = FunctionBuilderContext::new();
    let (mut building, mut compiling) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..n {
        let t0 = Instant::now();
        ctx.clear();
        build(&mut ctx.func, &mut fctx, shape, None, isa);
        let t1 = Instant::now();
        let code = ctx
            .compile(isa.as_ref(), &mut ControlPlane::default())
            .unwrap();
        std::hint::black_box(code.code_buffer().len());
        building += t1 - t0;
        compiling += t1.elapsed();
    }
    (building, compiling)
}

struct Module_ {
    module: JITModule,
    panic: FuncId,
    callee: FuncId,
    unwind: UnwindRegistry,
    exec_offset: isize,
    next: usize,
    /// Functions compiled per `finalize_definitions` (1 in the REPL).
    batch: usize,
}

fn module(isa: &OwnedTargetIsa) -> Module_ {
    let mut jb = JITBuilder::with_isa(isa.clone(), cranelift_module::default_libcall_names());
    jb.symbol("panic_stub", panic_stub as *const u8);
    jb.symbol("callee", callee as *const u8);
    let memory = kiln_codegen::memory::provider();
    jb.memory_provider(memory.memory);
    let mut module = JITModule::new(jb);
    let cc = isa.default_call_conv();
    let mut psig = ir::Signature::new(cc);
    psig.params.extend([
        AbiParam::new(types::I64),
        AbiParam::new(types::I32),
        AbiParam::new(types::I32),
    ]);
    let mut csig = ir::Signature::new(cc);
    csig.params.push(AbiParam::new(types::I64));
    csig.returns.push(AbiParam::new(types::I64));
    let panic = module
        .declare_function("panic_stub", Linkage::Import, &psig)
        .unwrap();
    let callee = module
        .declare_function("callee", Linkage::Import, &csig)
        .unwrap();
    Module_ {
        module,
        panic,
        callee,
        unwind: UnwindRegistry::default(),
        exec_offset: memory.exec_offset,
        next: 0,
        batch: std::env::args()
            .nth(2)
            .map(|s| s.parse().expect("BATCH"))
            .unwrap_or(1),
    }
}

/// One "entry": declare, build, compile, define, finalize, register unwind info.
/// `via_define` uses `JITModule::define_function` instead of Kiln's
/// `compile` + `define_function_bytes`.
fn entry(
    m: &mut Module_,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    shape: Shape,
    isa: &OwnedTargetIsa,
    via_define: bool,
    phases: &mut [Duration; 5],
) {
    let t0 = Instant::now();
    let cc = isa.default_call_conv();
    let mut sig = ir::Signature::new(cc);
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I64));
    let name = format!("f#{}", m.next);
    m.next += 1;
    let id = m
        .module
        .declare_function(&name, Linkage::Local, &sig)
        .unwrap();
    let imports = (shape != Shape::Tiny).then(|| {
        (
            m.module.declare_func_in_func(m.panic, &mut ctx.func),
            m.module.declare_func_in_func(m.callee, &mut ctx.func),
        )
    });
    build(&mut ctx.func, fctx, shape, imports, isa);
    let t1 = Instant::now();
    let unwind = if via_define {
        m.module.define_function(id, ctx).unwrap();
        ctx.compiled_code()
            .unwrap()
            .create_unwind_info(isa.as_ref())
            .unwrap()
    } else {
        let align = ctx
            .compile(isa.as_ref(), &mut ControlPlane::default())
            .unwrap()
            .buffer
            .alignment as u64;
        phases[4] += t1.elapsed();
        let compiled = ctx.compiled_code().unwrap();
        let relocs: Vec<ModuleReloc> = compiled
            .buffer
            .relocs()
            .iter()
            .map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, id))
            .collect();
        m.module
            .define_function_bytes(id, align, compiled.code_buffer(), &relocs)
            .unwrap();
        compiled.create_unwind_info(isa.as_ref()).unwrap()
    };
    m.module.clear_context(ctx);
    let t2 = Instant::now();
    if m.next.is_multiple_of(m.batch) {
        m.module.finalize_definitions().unwrap();
    }
    let t3 = Instant::now();
    if m.next.is_multiple_of(m.batch) {
        let addr = m
            .module
            .get_finalized_function(id)
            .wrapping_offset(m.exec_offset);
        if let Some(info) = unwind {
            m.unwind.add(isa.as_ref(), addr as usize, &info);
        }
        m.unwind.publish(isa.as_ref());
    }
    let t4 = Instant::now();
    for (k, d) in [t1 - t0, t2 - t1, t3 - t2, t4 - t3].into_iter().enumerate() {
        phases[k] += d;
    }
}

fn jit(
    shape: Shape,
    n: usize,
    isa: &OwnedTargetIsa,
    via_define: bool,
    phases: &mut [Duration; 5],
) -> Duration {
    let mut m = module(isa);
    let mut ctx = m.module.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let t0 = Instant::now();
    for _ in 0..n {
        entry(&mut m, &mut ctx, &mut fctx, shape, isa, via_define, phases);
    }
    let t = t0.elapsed();
    // The unwind tables and code stay registered until the process ends, as the
    // REPL's do until `:clear`; leak the module rather than free code the
    // unwinder still knows.
    std::mem::forget(m);
    t
}

fn us(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("N"))
        .unwrap_or(10_000);
    let isa = isa();
    for (shape, label) in [
        (Shape::Tiny, "tiny"),
        (Shape::Checked, "checked"),
        (Shape::CheckedTrap, "checked-trap"),
        (Shape::Check, "check"),
        (Shape::CheckTrap, "check-trap"),
        (Shape::CheckColdTrap, "check-cold-trap"),
        (Shape::CheckTail, "check-tail"),
    ] {
        let mut best = [f64::MAX; 5];
        let mut best_phase = [f64::MAX; 5];
        for _ in 0..5 {
            let (b, c) = bare(shape, n, &isa);
            let mut phases = [Duration::ZERO; 5];
            let j = jit(shape, n, &isa, false, &mut phases);
            let d = jit(shape, n, &isa, true, &mut [Duration::ZERO; 5]);
            for (k, p) in phases.iter().enumerate() {
                best_phase[k] = best_phase[k].min(us(*p, n));
            }
            for (k, v) in [us(b, n), us(c, n), us(b + c, n), us(j, n), us(d, n)]
                .into_iter()
                .enumerate()
            {
                best[k] = best[k].min(v);
            }
        }
        println!(
            "{label:8} build {:6.2} µs, Context::compile {:6.2} µs, both {:6.2} µs; \
             JITModule as Kiln (compile + define_function_bytes + finalize + unwind) {:6.2} µs; \
             via define_function {:6.2} µs  (best of 5 × {n})",
            best[0], best[1], best[2], best[3], best[4]
        );
        println!(
            "{label:8} as Kiln, by step: declare + build {:6.2} µs, compile + define {:6.2} µs, \
             finalize_definitions {:6.2} µs, unwind registration {:6.2} µs (of compile + define: Context::compile {:6.2} µs)",
            best_phase[0], best_phase[1], best_phase[2], best_phase[3], best_phase[4]
        );
    }
}
