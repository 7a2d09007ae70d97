//! The engine: the pipeline from source text to running native code.

use crate::report::{Frame, Omitted, PanicReport};
use kiln_codegen::{Compiled, Jit, Options};
use kiln_mir as mir;
use kiln_runtime::{KilnPanic, RuntimeExit};
use kiln_syntax::{Diagnostic, SourceMap, Span};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

mod interp;

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

/// Where compiling and running a program spent its time, and what it made
/// (`kiln run --stats`).
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub parse: Duration,
    pub check: Duration,
    pub lower: Duration,
    /// MIR passes (inlining, retain/release pairs) and verification.
    pub passes: Duration,
    pub codegen: Duration,
    /// Of `codegen`: translating MIR to Cranelift IR, and Cranelift itself.
    pub translate: Duration,
    pub cranelift: Duration,
    pub run: Duration,
    /// Functions compiled to machine code.
    pub functions: usize,
    /// Generic instances made (cache misses) and calls served by one made before
    /// (cache hits).
    pub instances: kiln_sema::InstanceStats,
    pub code_bytes: usize,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        writeln!(f, "phase        time")?;
        for (name, d) in [
            ("parse", self.parse),
            ("check", self.check),
            ("lower", self.lower),
            ("mir passes", self.passes),
            ("codegen", self.codegen),
            ("  translate", self.translate),
            ("  cranelift", self.cranelift),
            ("run", self.run),
        ] {
            writeln!(f, "{name:<12} {:>9.3} ms", ms(d))?;
        }
        writeln!(f, "functions compiled: {}", self.functions)?;
        writeln!(
            f,
            "generic instances: {} made (cache misses), {} reused (cache hits)",
            self.instances.made, self.instances.reused
        )?;
        writeln!(f, "machine code: {} bytes", self.code_bytes)
    }
}

pub struct Engine {
    /// What the compiler knows about the program: its types, items and HIR. A file
    /// is one unit of a fresh session.
    session: kiln_sema::Session,
    /// The code generator, started the first time code is compiled, so checking a
    /// program never starts Cranelift.
    jit: Option<Jit>,
    /// The program loaded into the MIR interpreter, when it runs instead of the JIT
    /// (`engine/interp.rs`).
    interp: Option<kiln_interp::Interpreter>,
    sources: SourceMap,
    options: Options,
    stats: Stats,
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
        Ok(Engine {
            session: kiln_sema::Session::new(),
            jit: None,
            interp: None,
            sources: SourceMap::new(),
            options,
            stats: Stats::default(),
        })
    }

    /// The code generator, started on first use.
    fn jit(&mut self) -> Result<&mut Jit, CompileError> {
        if self.jit.is_none() {
            let jit = Jit::new(self.options.optimize)
                .map_err(|e| CompileError::Internal(e.to_string()))?;
            self.jit = Some(jit);
        }
        Ok(self.jit.as_mut().expect("started above"))
    }

    /// Whether the code generator has been started (tests check that checking a
    /// program does not start it).
    pub fn jit_started(&self) -> bool {
        self.jit.is_some()
    }

    /// What compiling (and running) the last program cost and made.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The session that checked the last program.
    pub fn session(&self) -> &kiln_sema::Session {
        &self.session
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
        if let Some(jit) = &mut self.jit {
            jit.release_globals();
        }
        if let Some(interp) = &self.interp {
            interp.release_globals();
        }
        kiln_runtime::alloc::leak_report()
    }

    /// Renders diagnostics against this engine's sources.
    pub fn render(&self, diagnostics: &[Diagnostic], color: bool) -> String {
        kiln_syntax::render(&self.sources, diagnostics, color)
    }

    /// Parses, checks and lowers `text` to MIR.
    pub fn front_end(&mut self, name: &str, text: &str) -> Result<mir::Program, CompileError> {
        let file = self.sources.add(name, text);
        let started = Instant::now();
        let (module, mut diags) = phase("parse", || kiln_syntax::parse(file, text))?;
        self.stats.parse = started.elapsed();
        if diags.iter().any(|d| d.is_error()) {
            return Err(CompileError::Diagnostics(diags));
        }
        // A file is one unit of a fresh session. Lowering still works on a whole
        // program; a session that goes on accepting units (the REPL) will lower
        // each unit's functions against the session's tables.
        self.session = kiln_sema::Session::new();
        let started = Instant::now();
        let session = &mut self.session;
        let checked = phase("check", || session.check_unit(&module))?;
        self.stats.check = started.elapsed();
        match checked {
            Ok(unit) => {
                self.stats.instances = unit.instances;
                diags.extend(unit.diagnostics)
            }
            Err(errors) => {
                diags.extend(errors);
                return Err(CompileError::Diagnostics(diags));
            }
        }
        let optimize = self.options.optimize;
        let (program, lowering, passes) = {
            let _types = self.session.enter();
            let hir = self.session.program();
            phase("lower", || lower(hir, optimize))??
        };
        self.stats.lower = lowering;
        self.stats.passes = passes;
        let missing = missing_externs(&program);
        if !missing.is_empty() {
            return Err(CompileError::Diagnostics(missing));
        }
        Ok(program)
    }

    /// Generates machine code for `program`.
    fn codegen(
        &mut self,
        program: &mir::Program,
        options: Options,
    ) -> Result<Compiled, CompileError> {
        let jit = self.jit()?;
        phase("codegen", || jit.compile(program, options))?
            .map_err(|e| CompileError::Internal(format!("{}: {e}", phase_name("codegen"))))
    }

    /// Compiles `text` and returns the address of its `<main>`.
    pub fn compile(&mut self, name: &str, text: &str) -> Result<Option<*const u8>, CompileError> {
        let program = self.front_end(name, text)?;
        let started = Instant::now();
        let compiled = self.codegen(&program, self.options)?;
        self.stats.codegen = started.elapsed();
        self.stats.functions = compiled.funcs.len();
        self.stats.code_bytes = compiled.code_bytes;
        self.stats.translate = compiled.translate_time;
        self.stats.cranelift = compiled.cranelift_time;
        Ok(compiled.main)
    }

    /// Runs a compiled `<main>`, turning panics and `exit` into an [`Outcome`].
    /// Any other Rust panic (a bug in Kiln, in the runtime) goes on unwinding to the
    /// caller.
    ///
    /// # Safety
    /// `main` must be the entry of a `<main>` compiled by this engine, and this
    /// must run on a thread made by [`on_kiln_thread`].
    pub unsafe fn run_main(&mut self, main: *const u8) -> Outcome {
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| {
            debug_ice("run");
            // SAFETY: per the contract, `main` is compiled code with the signature
            // `fn()` in the platform's C calling convention, and it unwinds only
            // through frames with registered unwind information.
            unsafe { kiln_runtime::entry::call(main) }
        }));
        kiln_runtime::output::flush_all();
        self.stats.run = started.elapsed();
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
        let Some(jit) = &self.jit else {
            return PanicReport {
                message: p.message.clone(),
                frames,
                omitted: None,
            };
        };
        if let Some(site) = jit.site(p.site) {
            self.push_site_frames(&mut frames, site);
        }
        let mut omitted = None;
        for (i, &addr) in p.return_addrs.iter().enumerate() {
            if let Some(o) = p.omitted.as_ref().filter(|o| o.at == i) {
                omitted = Some(Omitted {
                    at: frames.len(),
                    count: self.count_frames(o),
                    exact: o.others == 0,
                });
            }
            self.push_return_frames(&mut frames, addr);
        }
        PanicReport {
            message: p.message.clone(),
            frames,
            omitted,
        }
    }

    /// The Kiln frames of one return address into JIT code.
    fn push_return_frames(&self, frames: &mut Vec<Frame>, addr: usize) {
        if let Some((code, site)) = self.jit.as_ref().and_then(|j| j.lookup(addr)) {
            match site {
                Some(s) => self.push_site_frames(frames, s),
                None => frames.push(Frame {
                    func: code.name.clone(),
                    location: None,
                }),
            }
        }
    }

    /// How many Kiln frames the left-out machine frames held; frames whose return
    /// address was not recorded count as one each.
    fn count_frames(&self, o: &kiln_runtime::panic::Omitted) -> u64 {
        let per_frame = |addr: usize| match self.jit.as_ref().and_then(|j| j.lookup(addr)) {
            Some((_, Some(site))) => 1 + site.outer.len() as u64,
            Some((_, None)) => 1,
            None => 0,
        };
        o.addrs
            .iter()
            .map(|&(addr, n)| n * per_frame(addr))
            .sum::<u64>()
            + o.others
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
                let (tokens, diags) = phase("parse", || kiln_syntax::lex(file, text))?;
                if diags.iter().any(|d| d.is_error()) {
                    return Err(CompileError::Diagnostics(diags));
                }
                let sources = &self.sources;
                phase("parse", || {
                    kiln_syntax::lexer::dump_tokens(sources, &tokens)
                })
            }
            Stage::Ast => {
                let file = self.sources.add(name, text);
                let (module, diags) = phase("parse", || kiln_syntax::parse(file, text))?;
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
                let compiled = self.codegen(&program, options)?;
                Ok(compiled
                    .clif
                    .iter()
                    .map(|(_, text)| text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"))
            }
            Stage::Asm => {
                let program = self.front_end(name, text)?;
                let compiled = self.codegen(&program, self.options)?;
                let Some(jit) = &self.jit else {
                    return Err(CompileError::Internal(
                        "the code generator did not start".into(),
                    ));
                };
                phase("codegen", || {
                    let mut out = String::new();
                    for (fname, addr) in &compiled.funcs {
                        out.push_str(&format!("fn {fname}:\n"));
                        if let Some(code) = jit.code_of(fname) {
                            out.push_str(&kiln_codegen::disasm::disassemble(code, *addr as u64));
                        }
                        out.push('\n');
                    }
                    out
                })
            }
        }
    }
}

/// Lowers checked HIR to MIR and runs the MIR passes, verifying the result after
/// each one in debug builds.
/// Lowers a checked program and runs the MIR passes; returns the program and the
/// time spent lowering and in the passes.
fn lower(
    hir: &kiln_sema::hir::Program,
    optimize: bool,
) -> Result<(mir::Program, Duration, Duration), CompileError> {
    let started = Instant::now();
    let mut program = mir::lower::lower_program(hir);
    let lowering = started.elapsed();
    let started = Instant::now();
    if cfg!(debug_assertions) {
        verify(&program)?;
    }
    if optimize {
        mir::inline::run(&mut program);
        if cfg!(debug_assertions) {
            verify(&program)?;
        }
    }
    mir::rc_pairs::run(&mut program);
    if cfg!(debug_assertions) {
        verify(&program)?;
    }
    Ok((program, lowering, started.elapsed()))
}

/// How an internal error names the phase it happened in.
fn phase_name(phase: &str) -> &'static str {
    match phase {
        "parse" => "parsing",
        "check" => "checking",
        "lower" => "lowering",
        "codegen" => "code generation",
        _ => "compiling",
    }
}

/// Runs one phase of the compiler. A Rust panic in it is a bug in Kiln, never the
/// user's fault: it becomes an internal error naming the phase (the caller reports
/// it with exit status 70), not a crash that looks like a runtime error of the
/// program.
fn phase<T>(phase: &'static str, f: impl FnOnce() -> T) -> Result<T, CompileError> {
    catch_unwind(AssertUnwindSafe(|| {
        debug_ice(phase);
        f()
    }))
    .map_err(|payload| {
        CompileError::Internal(format!(
            "{}: {}",
            phase_name(phase),
            panic_message(payload.as_ref())
        ))
    })
}

/// The message of a Rust panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(p) = payload.downcast_ref::<KilnPanic>() {
        p.message.clone()
    } else {
        "a panic without a message".to_string()
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

/// `KILN_DEBUG_ICE=PHASE` makes that phase panic, so tests can check that an
/// internal error is reported as one (crates/kiln-cli/tests/internal_error.rs).
fn debug_ice(phase: &str) {
    static FORCED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let forced = FORCED.get_or_init(|| std::env::var("KILN_DEBUG_ICE").ok());
    if forced.as_deref() == Some(phase) {
        panic!("KILN_DEBUG_ICE={phase}: a forced internal error");
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
