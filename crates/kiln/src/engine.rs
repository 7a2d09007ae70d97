//! The engine: the pipeline from source text to running native code.

use crate::report::{Frame, PanicReport};
use kiln_codegen::{Jit, Options};
use kiln_mir as mir;
use kiln_runtime::{KilnPanic, RuntimeExit};
use kiln_syntax::{Diagnostic, SourceMap, Span};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// The stack reserved for Kiln code (and the compiler, which recurses on deeply
/// nested input). Pages are only committed when touched.
pub const STACK_SIZE: usize = 256 << 20;

/// Room left below the stack limit for the panic machinery and runtime calls.
const STACK_MARGIN: usize = 1 << 20;

/// Kiln threads run one at a time (DESIGN.md §5): the stack limit that compiled
/// code checks is one value for the process, so it must belong to the only thread
/// running Kiln code.
static KILN_THREAD: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` on a new thread with a [`STACK_SIZE`] stack whose limit is set for the
/// prologue checks of compiled code, and returns its result. Calls from several
/// threads at once wait for each other.
pub fn on_kiln_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new()
        .name("kiln".into())
        .stack_size(STACK_SIZE)
        .spawn(move || {
            // A panic while holding the lock poisons it; the limit is reset below,
            // so the next thread can go on.
            let _one_at_a_time = KILN_THREAD.lock().unwrap_or_else(|e| e.into_inner());
            let marker = 0u8;
            let top = &marker as *const u8 as usize;
            kiln_runtime::panic::set_stack_limit(top, STACK_SIZE, STACK_MARGIN);
            f()
        });
    match handle {
        Ok(h) => match h.join() {
            Ok(v) => v,
            Err(payload) => std::panic::resume_unwind(payload),
        },
        Err(e) => panic!("cannot start the Kiln thread: {e}"),
    }
}

/// How a run ended.
#[derive(Debug)]
pub enum Outcome {
    /// The program ran to the end.
    Finished,
    /// The program called `exit(code)`.
    Exit(i32),
    /// A runtime error.
    Panic(PanicReport),
}

/// Why a program could not be compiled.
#[derive(Debug)]
pub enum CompileError {
    /// Errors in the program, with their rendering.
    Diagnostics(Vec<Diagnostic>),
    /// A bug in the compiler (never the user's fault).
    Internal(String),
}

/// The stages whose output `kiln emit` can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Tokens,
    Ast,
    Mir,
    Clif,
    Asm,
}

pub struct Engine {
    jit: Jit,
    sources: SourceMap,
    options: Options,
    /// How long each phase of the last compilation took (`KILN_TIMINGS=1`).
    timings: Vec<(&'static str, Duration)>,
}

impl Engine {
    /// An engine for running whole files: optimising, with direct calls between
    /// functions (a file's functions are never redefined, so the call table is not
    /// needed; DESIGN.md §7).
    pub fn new() -> Result<Engine, String> {
        Engine::with_options(Options {
            optimize: true,
            direct_calls: true,
            keep_clif: false,
        })
    }

    pub fn with_options(options: Options) -> Result<Engine, String> {
        let jit = Jit::new(options.optimize).map_err(|e| e.to_string())?;
        Ok(Engine {
            jit,
            sources: SourceMap::new(),
            options,
            timings: Vec::new(),
        })
    }

    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The program's arguments, as `args()` returns them.
    pub fn set_args(&self, args: Vec<String>) {
        kiln_runtime::io::set_args(args);
    }

    /// For `KILN_LEAK_CHECK=1`: releases the globals, then reports the objects
    /// still alive (in a program without reference cycles, none should be).
    /// Must run on the Kiln thread, after the program ends.
    pub fn leak_check(&mut self) -> Option<String> {
        self.jit.release_globals();
        kiln_runtime::alloc::leak_report()
    }

    /// Renders diagnostics against this engine's sources.
    pub fn render(&self, diagnostics: &[Diagnostic], color: bool) -> String {
        kiln_syntax::render(&self.sources, diagnostics, color)
    }

    /// The phases of the last compilation and how long each took, in order.
    pub fn timings(&self) -> &[(&'static str, Duration)] {
        &self.timings
    }

    /// Runs one phase of compilation, recording its time.
    fn timed<T>(&mut self, phase: &'static str, f: impl FnOnce(&mut Self) -> T) -> T {
        let started = Instant::now();
        let out = f(self);
        self.timings.push((phase, started.elapsed()));
        out
    }

    /// Parses, checks and lowers `text` to MIR.
    pub fn front_end(&mut self, name: &str, text: &str) -> Result<mir::Program, CompileError> {
        self.timings.clear();
        let file = self.sources.add(name, text);
        let (module, mut diags) = self.timed("parse", |_| kiln_syntax::parse(file, text));
        if diags.iter().any(|d| d.is_error()) {
            return Err(CompileError::Diagnostics(diags));
        }
        let checked = self.timed("check", |_| kiln_sema::check_module(&module));
        diags.extend(checked.diagnostics);
        let Some(hir) = checked.program else {
            return Err(CompileError::Diagnostics(diags));
        };
        let program = self
            .timed("lower", |_| mir::lower::lower_program(&hir))
            .map_err(|spans| {
                let diags = spans
                    .into_iter()
                    .map(|s| {
                        Diagnostic::error(
                            s,
                            "code generation for this construct is not available yet",
                        )
                        .with_label("not supported by this version of Kiln")
                    })
                    .collect();
                CompileError::Diagnostics(diags)
            })?;
        if cfg!(debug_assertions) {
            self.timed("verify", |_| verify(&program))?;
        }
        let mut program = program;
        if self.options.optimize {
            self.timed("inline", |_| mir::inline::run(&mut program));
            if cfg!(debug_assertions) {
                self.timed("verify", |_| verify(&program))?;
            }
        }
        self.timed("rc_pairs", |_| mir::rc_pairs::run(&mut program));
        if cfg!(debug_assertions) {
            self.timed("verify", |_| verify(&program))?;
        }
        let missing = missing_externs(&program);
        if !missing.is_empty() {
            return Err(CompileError::Diagnostics(missing));
        }
        Ok(program)
    }

    /// Compiles `text` and returns the address of its `<main>`.
    pub fn compile(&mut self, name: &str, text: &str) -> Result<Option<*const u8>, CompileError> {
        let program = self.front_end(name, text)?;
        let started = Instant::now();
        let compiled = self
            .jit
            .compile(&program, self.options)
            .map_err(|e| CompileError::Internal(e.to_string()))?;
        let total = started.elapsed();
        self.timings.extend([
            ("translate", compiled.translate_time),
            ("cranelift", compiled.cranelift_time),
            (
                "link",
                total.saturating_sub(compiled.translate_time + compiled.cranelift_time),
            ),
        ]);
        Ok(compiled.main)
    }

    /// Runs a compiled `<main>`, turning panics and `exit` into an [`Outcome`].
    ///
    /// # Safety
    /// `main` must be the entry of a `<main>` compiled by this engine, and this
    /// must run on a thread made by [`on_kiln_thread`].
    pub unsafe fn run_main(&self, main: *const u8) -> Outcome {
        // SAFETY: per the contract, `main` is compiled code with the signature
        // `fn()` in the platform's C calling convention, and it unwinds only through
        // frames with registered unwind information.
        let f: extern "C-unwind" fn() = unsafe { std::mem::transmute(main) };
        let result = catch_unwind(AssertUnwindSafe(|| f()));
        kiln_runtime::output::flush_all();
        match result {
            Ok(()) => Outcome::Finished,
            Err(payload) => self.outcome_of(payload),
        }
    }

    fn outcome_of(&self, payload: Box<dyn std::any::Any + Send>) -> Outcome {
        if let Some(exit) = payload.downcast_ref::<RuntimeExit>() {
            return Outcome::Exit(exit.0);
        }
        if let Some(p) = payload.downcast_ref::<KilnPanic>() {
            return Outcome::Panic(self.report(p));
        }
        std::panic::resume_unwind(payload)
    }

    fn location(&self, span: Span) -> String {
        self.sources.location(span)
    }

    fn report(&self, p: &KilnPanic) -> PanicReport {
        let mut frames = Vec::new();
        if let Some(site) = self.jit.site(p.site) {
            self.push_site_frames(&mut frames, site);
        }
        let mut omitted = false;
        for &addr in &p.return_addrs {
            if addr == usize::MAX {
                omitted = true;
                continue;
            }
            if let Some((code, site)) = self.jit.lookup(addr) {
                match site {
                    Some(s) => self.push_site_frames(&mut frames, s),
                    None => frames.push(Frame {
                        func: code.name.clone(),
                        location: None,
                    }),
                }
            }
        }
        PanicReport {
            message: p.message.clone(),
            frames,
            omitted,
        }
    }

    /// The frames of one site: its own, then those inlining removed.
    fn push_site_frames(&self, frames: &mut Vec<Frame>, site: &kiln_codegen::Site) {
        frames.push(Frame {
            func: site.func.clone(),
            location: Some(self.location(site.span)),
        });
        for (func, span) in &site.outer {
            frames.push(Frame {
                func: func.clone(),
                location: Some(self.location(*span)),
            });
        }
    }

    /// The text of one stage for `kiln emit`.
    pub fn emit(&mut self, name: &str, text: &str, stage: Stage) -> Result<String, CompileError> {
        match stage {
            Stage::Tokens => {
                let file = self.sources.add(name, text);
                let (tokens, diags) = kiln_syntax::lex(file, text);
                if diags.iter().any(|d| d.is_error()) {
                    return Err(CompileError::Diagnostics(diags));
                }
                Ok(kiln_syntax::lexer::dump_tokens(&self.sources, &tokens))
            }
            Stage::Ast => {
                let file = self.sources.add(name, text);
                let (module, diags) = kiln_syntax::parse(file, text);
                if diags.iter().any(|d| d.is_error()) {
                    return Err(CompileError::Diagnostics(diags));
                }
                Ok(format!("{module:#?}\n"))
            }
            Stage::Mir => {
                let program = self.front_end(name, text)?;
                verify(&program)?;
                Ok(mir::print::print_program(&program))
            }
            Stage::Clif => {
                let program = self.front_end(name, text)?;
                let options = Options {
                    keep_clif: true,
                    ..self.options
                };
                let compiled = self
                    .jit
                    .compile(&program, options)
                    .map_err(|e| CompileError::Internal(e.to_string()))?;
                Ok(compiled
                    .clif
                    .iter()
                    .map(|(_, text)| text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"))
            }
            Stage::Asm => {
                let program = self.front_end(name, text)?;
                let compiled = self
                    .jit
                    .compile(&program, self.options)
                    .map_err(|e| CompileError::Internal(e.to_string()))?;
                let mut out = String::new();
                for (fname, addr) in &compiled.funcs {
                    out.push_str(&format!("fn {fname}:\n"));
                    if let Some(code) = self.jit.code_of(fname) {
                        out.push_str(&kiln_codegen::disasm::disassemble(code, *addr as u64));
                    }
                    out.push('\n');
                }
                Ok(out)
            }
        }
    }
}

fn verify(program: &mir::Program) -> Result<(), CompileError> {
    let errors = mir::verify::verify_program(program);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CompileError::Internal(format!(
            "MIR verification failed:\n{}\n{}",
            errors.join("\n"),
            mir::print::print_program(program)
        )))
    }
}

/// Diagnostics for `extern fn` declarations whose symbol the process lacks.
fn missing_externs(program: &mir::Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for e in &program.externs {
        if kiln_runtime::mathlib::lookup(&e.symbol).is_some() {
            continue;
        }
        let Ok(name) = std::ffi::CString::new(e.symbol.as_str()) else {
            continue;
        };
        // SAFETY: `name` is a valid C string; dlsym with RTLD_DEFAULT only reads it.
        let found = unsafe { !libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()).is_null() };
        if !found {
            out.push(
                Diagnostic::error(
                    e.span,
                    format!("cannot find the C function `{}` in this process", e.symbol),
                )
                .with_label("no such symbol in libc, libm or the kiln binary"),
            );
        }
    }
    out
}
