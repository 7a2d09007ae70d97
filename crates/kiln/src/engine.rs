//! The engine: the pipeline from source text to running native code.

mod modules;

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

/// What the front end made of a unit.
struct FrontEnd {
    unit: mir::lower::LoweredUnit,
    /// The unit's tests: their names and HIR functions.
    tests: Vec<(String, kiln_sema::hir::FuncId)>,
    /// For an entry, the type of its result as written in source.
    result_type: Option<String>,
    notes: Vec<String>,
}

/// A compiled REPL entry, or a file loaded into the session.
pub struct Entry {
    /// Its top-level code.
    pub main: Option<*const u8>,
    /// Redefinitions that earlier definitions do not follow, one line each
    /// (`kiln_sema::Unit::notes`).
    pub notes: Vec<String>,
    result: Option<EntryResult>,
}

/// Where an entry's result will be, and how to print it.
struct EntryResult {
    addr: usize,
    desc: *const kiln_runtime::desc::TypeDesc,
    ty: String,
}

/// Makes Ctrl-C (SIGINT) interrupt the running Kiln code with the runtime error
/// `interrupted` instead of ending the process (the REPL). Interruptible code
/// checks at every function entry and loop header
/// (`kiln_runtime::panic::request_interrupt`).
pub fn install_interrupt_handler() {
    extern "C" fn on_sigint(_: libc::c_int) {
        kiln_runtime::panic::request_interrupt();
    }
    // SAFETY: the handler only stores to atomics, which is async-signal-safe; the
    // sigaction structure is fully initialised before the call.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
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

impl Stats {
    /// Adds another unit's costs to these (a session's totals).
    pub fn add(&mut self, o: &Stats) {
        self.parse += o.parse;
        self.check += o.check;
        self.lower += o.lower;
        self.passes += o.passes;
        self.codegen += o.codegen;
        self.translate += o.translate;
        self.cranelift += o.cranelift;
        self.run += o.run;
        self.functions += o.functions;
        self.instances.made += o.instances.made;
        self.instances.reused += o.instances.reused;
        self.code_bytes += o.code_bytes;
    }

    /// Time spent compiling (every phase but `run`).
    pub fn compile_time(&self) -> Duration {
        self.parse + self.check + self.lower + self.passes + self.codegen
    }
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

/// An engine is one compiler session from source to machine code: the checker's
/// [`kiln_sema::Session`], the MIR of every unit lowered so far
/// ([`mir::lower::Lowering`]) and the code generator with its call table. Each
/// layer only appends, and its ids (HIR `FuncId`, MIR `FuncRef`, global and type
/// ids) stay valid for the engine's life. A file engine starts a fresh session for
/// every program it compiles (a file is one unit); a persistent engine (the REPL,
/// an embedder) compiles each unit against everything before it.
pub struct Engine {
    /// What the compiler knows about the program: its types, items and HIR.
    session: kiln_sema::Session,
    /// The MIR of every unit lowered so far, and lowering's tables.
    lowering: mir::lower::Lowering,
    /// Whether units accumulate (see [`Engine::persistent`]).
    persistent: bool,
    /// The code generator, started the first time code is compiled, so checking a
    /// program never starts Cranelift.
    jit: Option<Jit>,
    /// The program loaded into the MIR interpreter, when it runs instead of the JIT
    /// (`engine/interp.rs`).
    interp: Option<kiln_interp::Interpreter>,
    sources: SourceMap,
    options: Options,
    stats: Stats,
    /// The modules loaded by `import`.
    modules: modules::Modules,
    /// Modules lowered and not compiled yet, each with its id: compiled before the
    /// next unit that imports them (`engine/modules.rs`).
    pending: Vec<(kiln_sema::ModuleId, mir::lower::LoweredUnit)>,
    /// The top-level code of the modules of the program loaded into the
    /// interpreter, in the order it runs.
    interp_modules: Vec<mir::FuncRef>,
    /// The top-level code of modules compiled and not run yet: run, in order,
    /// before the next `<main>`.
    module_mains: Vec<*const u8>,
    /// The globals the last unit hid ([`kiln_sema::Unit::hidden_globals`]),
    /// settled once it has run, before the next unit is compiled
    /// ([`Engine::settle_hidden_globals`]).
    hidden: Vec<kiln_sema::HiddenGlobal>,
    /// Globals hidden earlier that the last unit's redefinitions left
    /// unreachable ([`kiln_sema::Unit::released_globals`]): released with
    /// `hidden`.
    released: Vec<kiln_sema::hir::GlobalId>,
}

/// A file compiled for `kiln test`.
pub struct TestProgram {
    /// The file's top-level code (run once, before the tests).
    pub main: Option<*const u8>,
    /// Each test's name and code, in source order.
    pub tests: Vec<(String, *const u8)>,
}

impl Engine {
    /// An engine for running whole files: optimising, with direct calls between
    /// functions (a file's functions are never redefined, so the call table is not
    /// needed; DESIGN.md §7).
    pub fn new() -> Result<Engine, String> {
        Engine::with_options(Options {
            optimize: true,
            direct_calls: true,
            ..Options::default()
        })
    }

    pub fn with_options(options: Options) -> Result<Engine, String> {
        Ok(Engine {
            session: new_session(kiln_sema::Session::new()),
            lowering: mir::lower::Lowering::new(),
            persistent: false,
            jit: None,
            interp: None,
            sources: SourceMap::new(),
            options,
            stats: Stats::default(),
            modules: modules::Modules::default(),
            pending: Vec::new(),
            interp_modules: Vec::new(),
            module_mains: Vec::new(),
            hidden: Vec::new(),
            released: Vec::new(),
        })
    }

    /// An engine whose units accumulate (a REPL, an embedder): each unit is
    /// checked, lowered and compiled against everything earlier units defined,
    /// top-level variables live in global slots so later units can use them, and
    /// calls go through the call table so a later definition can take over.
    ///
    /// Its code is compiled for compile speed (DESIGN.md §8) and is interruptible
    /// ([`Engine::interrupt`]).
    pub fn persistent() -> Engine {
        Engine::persistent_with(Options {
            optimize: false,
            direct_calls: false,
            keep_clif: false,
            interruptible: true,
        })
    }

    /// A persistent engine with other code generation options (`direct_calls` is
    /// ignored: calls must go through the call table).
    pub fn persistent_with(options: Options) -> Engine {
        Engine {
            session: new_session(kiln_sema::Session::persistent()),
            lowering: mir::lower::Lowering::new(),
            persistent: true,
            jit: None,
            interp: None,
            sources: SourceMap::new(),
            options: Options {
                direct_calls: false,
                ..options
            },
            stats: Stats::default(),
            modules: modules::Modules::default(),
            pending: Vec::new(),
            interp_modules: Vec::new(),
            module_mains: Vec::new(),
            hidden: Vec::new(),
            released: Vec::new(),
        }
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

    /// [`Engine::stats`], reset for the next unit.
    pub fn take_stats(&mut self) -> Stats {
        std::mem::take(&mut self.stats)
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

    /// Parses, checks and lowers `text` as one unit; returns what it added to the
    /// session's MIR program.
    pub fn front_end(
        &mut self,
        name: &str,
        text: &str,
    ) -> Result<mir::lower::LoweredUnit, CompileError> {
        self.front_end_unit(name, text, false).map(|f| f.unit)
    }

    /// [`Engine::front_end`]; for an `entry` (see [`Engine::compile_entry`]) also
    /// the type of its result, as written in source.
    fn front_end_unit(
        &mut self,
        name: &str,
        text: &str,
        entry: bool,
    ) -> Result<FrontEnd, CompileError> {
        self.settle_hidden_globals();
        let file = self.sources.add(name, text);
        let started = Instant::now();
        let (module, mut diags) = phase("parse", || kiln_syntax::parse(file, text))?;
        self.stats.parse = started.elapsed();
        if diags.iter().any(|d| d.is_error()) {
            return Err(CompileError::Diagnostics(diags));
        }
        if !self.persistent {
            // A file is one unit of a fresh session, after the modules it imports.
            self.session = new_session(kiln_sema::Session::new());
            self.lowering = mir::lower::Lowering::new();
            self.modules = modules::Modules::default();
            self.pending.clear();
            self.module_mains.clear();
        }
        let imports = self.load_unit_imports(&module, name, &mut diags)?;
        if diags.iter().any(|d| d.is_error()) {
            return Err(CompileError::Diagnostics(diags));
        }
        let started = Instant::now();
        let session = &mut self.session;
        let checked = phase("check", || {
            if entry {
                session.check_entry(&module, &imports)
            } else {
                session.check_unit_importing(&module, &imports)
            }
        })?;
        self.stats.check = started.elapsed();
        let mut unit = match checked {
            Ok(unit) => unit,
            Err(errors) => {
                diags.extend(errors);
                return Err(CompileError::Diagnostics(diags));
            }
        };
        self.stats.instances = unit.instances;
        self.hidden = std::mem::take(&mut unit.hidden_globals);
        self.released = std::mem::take(&mut unit.released_globals);
        diags.extend(std::mem::take(&mut unit.diagnostics));
        let notes = std::mem::take(&mut unit.notes);
        let result_type = unit.result.map(|g| {
            let _types = self.session.enter();
            self.session.program().globals[g.index()].ty.to_string()
        });
        let lowered = self.lower_checked(&unit)?;
        self.ready_imports(&imports);
        Ok(FrontEnd {
            unit: lowered,
            tests: unit.tests.clone(),
            result_type,
            notes,
        })
    }

    /// Settles the globals the last unit hid, now that it has run: where the
    /// declaration that hid one never ran (a panic stopped the unit first), the
    /// name goes back to the old global, whose value is kept; otherwise, when no
    /// code can reach the old global, its value is released (a REPL variable
    /// declared again does not keep its old value alive).
    fn settle_hidden_globals(&mut self) {
        let hidden = std::mem::take(&mut self.hidden);
        let mut release = std::mem::take(&mut self.released);
        let Some(jit) = &mut self.jit else {
            return;
        };
        // Newest first: a name one unit hid twice goes back one step at a time.
        for h in hidden.into_iter().rev() {
            // SAFETY: no Kiln code runs while a unit is compiled.
            let set = match self.lowering.flag_ref(h.new) {
                Some(flag) => unsafe { jit.global_i8(flag) }.is_some_and(|v| v != 0),
                None => true,
            };
            if !set {
                self.session.unhide_global(h);
            } else if h.unreachable {
                release.push(h.old);
            }
        }
        for g in release
            .into_iter()
            .filter_map(|g| self.lowering.global_ref(g))
        {
            // SAFETY: no Kiln code runs while a unit is compiled, and the checker
            // found no code that can reach the global any more.
            unsafe { jit.release_global(self.lowering.program(), g) };
        }
    }

    /// Lowers a checked unit and runs the MIR passes over it.
    fn lower_checked(
        &mut self,
        unit: &kiln_sema::Unit,
    ) -> Result<mir::lower::LoweredUnit, CompileError> {
        // A persistent session inlines nothing: a function may be redefined by a
        // later unit, and a caller holding an inlined copy would not see it.
        let inline = self.options.optimize && !self.persistent;
        if let (true, Some(jit)) = (self.persistent, &self.jit) {
            // Earlier units have run: variables they set need no check when read.
            // SAFETY: no Kiln code runs while a unit is compiled.
            self.lowering
                .learn_initialised(|flag| unsafe { jit.global_i8(flag) }.is_some_and(|v| v != 0));
        }
        let (lowered, lowering, passes) = {
            let _types = self.session.enter();
            let hir = self.session.program();
            let lowering = &mut self.lowering;
            phase("lower", || lower(lowering, hir, unit, inline))??
        };
        self.stats.lower = lowering;
        self.stats.passes = passes;
        Ok(lowered)
    }

    /// The MIR of every unit compiled so far.
    pub fn mir(&self) -> &mir::Program {
        self.lowering.program()
    }

    /// Generates machine code for a unit's new MIR functions.
    fn codegen(
        &mut self,
        unit: &mir::lower::LoweredUnit,
        options: Options,
    ) -> Result<Compiled, CompileError> {
        self.jit()?;
        let (Some(jit), program) = (&mut self.jit, self.lowering.program()) else {
            unreachable!("started above");
        };
        let funcs = unit.funcs.clone();
        let (skip, replaced) = (&unit.uncalled, &unit.replaced);
        phase("codegen", || {
            jit.compile(program, funcs, skip, replaced, options)
        })?
        .map_err(|e| CompileError::Internal(format!("{}: {e}", phase_name("codegen"))))
    }

    /// Compiles `text` as one unit and returns the address of its `<main>`.
    pub fn compile(&mut self, name: &str, text: &str) -> Result<Option<*const u8>, CompileError> {
        let unit = self.front_end(name, text)?;
        Ok(self.back_end(&unit)?.main)
    }

    /// Compiles a file for `kiln test`: its top-level code and its tests (not
    /// those of the modules it imports).
    pub fn compile_tests(&mut self, name: &str, text: &str) -> Result<TestProgram, CompileError> {
        let front = self.front_end_unit(name, text, false)?;
        let compiled = self.back_end(&front.unit)?;
        let tests = front
            .tests
            .iter()
            .filter_map(|(test, id)| {
                let f = self.lowering.func_ref(*id)?;
                let code = self.jit.as_mut()?.code_addr(f);
                Some((test.clone(), code))
            })
            .collect();
        Ok(TestProgram {
            main: compiled.main,
            tests,
        })
    }

    /// Compiles a unit that keeps no result, as [`Engine::compile`] does, with the
    /// notes on what it redefined: a file loaded into a persistent session (the
    /// REPL's `:load`).
    pub fn compile_loaded(&mut self, name: &str, text: &str) -> Result<Entry, CompileError> {
        let FrontEnd { unit, notes, .. } = self.front_end_unit(name, text, false)?;
        let main = self.back_end(&unit)?.main;
        Ok(Entry {
            main,
            result: None,
            notes,
        })
    }

    /// Compiles a REPL entry: a unit whose final expression's value, when it has
    /// one, is kept for [`Engine::take_result`] to print.
    pub fn compile_entry(&mut self, name: &str, text: &str) -> Result<Entry, CompileError> {
        let FrontEnd {
            unit,
            result_type,
            notes,
            ..
        } = self.front_end_unit(name, text, true)?;
        let main = self.back_end(&unit)?.main;
        let result = match (unit.result, result_type, &self.jit) {
            (Some((global, ty)), Some(text), Some(jit)) => Some(EntryResult {
                addr: jit.global_addr(global),
                desc: jit.desc(ty),
                ty: text,
            }),
            _ => None,
        };
        Ok(Entry {
            main,
            result,
            notes,
        })
    }

    /// The text `VALUE : TYPE` of an entry's result once its `<main>` has run, with
    /// the value in its in-container form; releases the value. `None` when the
    /// entry has no result or stopped before making it.
    pub fn take_result(&mut self, entry: &Entry) -> Option<String> {
        let r = entry.result.as_ref()?;
        // SAFETY: `addr` is the result's global slot in this engine's JIT, and `desc`
        // the descriptor of its type; the slot holds 0 until `<main>` stores the
        // value (which it owns) there, and nothing else refers to the slot.
        unsafe {
            let desc = &*r.desc;
            let is_ref = desc.is_ref();
            let v = kiln_runtime::value::load(r.addr as *const u8, desc);
            if is_ref && v == 0 {
                return None;
            }
            let text = kiln_runtime::value::to_text(v, desc, true);
            if is_ref {
                *(r.addr as *mut u64) = 0;
                kiln_runtime::object::kiln_release(v as *mut u8);
            }
            Some(format!("{text} : {}", r.ty))
        }
    }

    /// The type of the value `text` would produce as an entry, as written in
    /// source (`()` for none), without running it or changing the session.
    pub fn type_of_entry(&mut self, name: &str, text: &str) -> Result<String, CompileError> {
        let file = self.sources.add(name, text);
        let (module, diags) = phase("parse", || kiln_syntax::parse(file, text))?;
        if diags.iter().any(|d| d.is_error()) {
            return Err(CompileError::Diagnostics(diags));
        }
        let session = &mut self.session;
        phase("check", || session.type_of_entry(&module))?
            .map(|ty| ty.unwrap_or_else(|| "()".to_string()))
            .map_err(CompileError::Diagnostics)
    }

    /// The text of a compiled function (or of a generic one's instances) at one
    /// stage, for the REPL's `:mir`, `:clif` and `:asm`; names are resolved as
    /// [`Session::inspectable`] says. `Err` says why there is nothing to show.
    pub fn function_text(&mut self, name: &str, stage: Stage) -> Result<String, String> {
        let funcs: Vec<mir::FuncRef> = match self.session.inspectable(name) {
            kiln_sema::Inspectable::Funcs(ids) => ids
                .into_iter()
                .filter_map(|id| self.lowering.func_ref(id))
                .collect(),
            kiln_sema::Inspectable::NoInstances if name.contains('<') => {
                return Err(format!(
                    "no instance `{name}` has been made: a generic function's instances \
                     are compiled when a call needs them (call it, then ask again)"
                ))
            }
            kiln_sema::Inspectable::NoInstances => {
                return Err(format!(
                    "`{name}` is generic and has no instance yet: its instances are \
                     compiled when a call needs them (call it, then ask again)"
                ))
            }
            kiln_sema::Inspectable::Unknown => Vec::new(),
        };
        if funcs.is_empty() {
            return Err(format!("no function `{name}` in this session"));
        }
        let unavailable = || format!("`{name}` has no machine code in this session");
        let mut out = String::new();
        for f in funcs {
            let program = self.lowering.program();
            let func = program.func(f);
            match stage {
                Stage::Mir => out.push_str(&mir::print::print_func(func)),
                Stage::Clif => {
                    let jit = self.jit.as_mut().ok_or_else(unavailable)?;
                    out.push_str(&jit.clif_of(program, f, self.options));
                }
                Stage::Asm => {
                    let code = self
                        .jit
                        .as_ref()
                        .and_then(|jit| jit.code_of(f))
                        .ok_or_else(unavailable)?;
                    out.push_str(&format!("fn {}:\n", func.name));
                    out.push_str(&kiln_codegen::disasm::disassemble(
                        code,
                        code.as_ptr() as u64,
                    ));
                }
                Stage::Tokens | Stage::Ast => return Err(unavailable()),
            }
            out.push('\n');
        }
        Ok(out)
    }

    /// Ends the session and frees its compiled code and data (the REPL's
    /// `:clear`). Must run on the Kiln thread, with no Kiln code running.
    pub fn close(self) {
        if let Some(jit) = self.jit {
            // SAFETY: no Kiln code runs (the REPL calls this between entries), and
            // releasing the globals releases every value the session kept; values
            // cannot escape a session except through its globals.
            unsafe { jit.free() };
        }
    }

    /// Generates code for a lowered unit (after the modules it imported); its
    /// redefinitions take over the slots of the functions they replace.
    fn back_end(&mut self, unit: &mir::lower::LoweredUnit) -> Result<Compiled, CompileError> {
        let started = Instant::now();
        self.compile_modules()?;
        let mut compiled = self.codegen(unit, self.options)?;
        if compiled.main.is_none() {
            // A unit without top-level code of its own still runs the modules it
            // imported: the last of them stands for its `<main>` (`run_main` runs
            // the others first).
            compiled.main = self.module_mains.pop();
        }
        self.stats.codegen = started.elapsed();
        self.stats.functions = compiled.funcs.len();
        self.stats.code_bytes = compiled.code_bytes;
        self.stats.translate = compiled.translate_time;
        self.stats.cranelift = compiled.cranelift_time;
        Ok(compiled)
    }

    /// Generates code for the modules lowered since the last unit was compiled;
    /// their top-level code will run before the next `<main>`.
    fn compile_modules(&mut self) -> Result<(), CompileError> {
        for module in self.take_ready_modules() {
            self.codegen(&module, self.options)?;
            // `program.main` is the newest unit's; a module's is its own.
            let main = module
                .main
                .and_then(|m| self.jit.as_mut().map(|jit| jit.code_addr(m)));
            self.module_mains.extend(main);
        }
        Ok(())
    }

    /// Runs a compiled `<main>`, turning panics and `exit` into an [`Outcome`].
    /// Any other Rust panic (a bug in Kiln, in the runtime) goes on unwinding to the
    /// caller.
    ///
    /// # Safety
    /// `main` must be the entry of a `<main>` compiled by this engine, and this
    /// must run on a thread made by [`on_kiln_thread`].
    pub unsafe fn run_main(&mut self, main: *const u8) -> Outcome {
        // The top-level code of modules imported since the last run goes first;
        // a panic or `exit` there ends the run.
        for module in std::mem::take(&mut self.module_mains) {
            // SAFETY: compiled by this engine like `main`, on this thread.
            match unsafe { self.run_code(module) } {
                Outcome::Finished => {}
                stopped => return stopped,
            }
        }
        // SAFETY: the caller's contract.
        unsafe { self.run_code(main) }
    }

    /// Runs one compiled function without parameters (a `<main>`, a test).
    ///
    /// # Safety
    /// As for [`Engine::run_main`].
    unsafe fn run_code(&mut self, main: *const u8) -> Outcome {
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
            Err(payload) => {
                self.end_generator_runs();
                self.outcome_of(payload)
            }
        }
    }

    /// After a panic or `exit` unwound every Kiln frame, no generator's body is
    /// running any more: a new running mark makes the generators it left marked
    /// running count as finished (`kiln_mir::generator::transform`).
    fn end_generator_runs(&mut self) {
        let mark = self.lowering.running_mark();
        let Some(slot) = mark.and_then(|g| self.jit.as_ref()?.compiled_global(g)) else {
            // No generator was compiled, so none ran.
            return;
        };
        // SAFETY: the running mark is an `i64` global, its slot lives as long as
        // the JIT, and no Kiln code runs now to read or write it.
        unsafe { *(slot as *mut i64) -= 1 };
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

    /// `file:line:col` of a span in a trace; `None` for generated code.
    fn location(&self, span: Span) -> Option<String> {
        (!span.is_generated()).then(|| self.sources.location(span))
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
                None => Frame {
                    func: code.name.clone(),
                    location: None,
                }
                .push_to(frames),
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
        Frame {
            func: site.func.clone(),
            location: self.location(site.span),
        }
        .push_to(frames);
        for (func, span) in &site.outer {
            Frame {
                func: func.clone(),
                location: self.location(*span),
            }
            .push_to(frames);
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
                let unit = self.front_end(name, text)?;
                let program = self.lowering.program();
                verify(program, unit.funcs)?;
                Ok(mir::print::print_program(program))
            }
            Stage::Clif => {
                let unit = self.front_end(name, text)?;
                let options = Options {
                    keep_clif: true,
                    ..self.options
                };
                self.compile_modules()?;
                let compiled = self.codegen(&unit, options)?;
                Ok(compiled
                    .clif
                    .iter()
                    .map(|(_, text)| text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"))
            }
            Stage::Asm => {
                let unit = self.front_end(name, text)?;
                self.compile_modules()?;
                let compiled = self.codegen(&unit, self.options)?;
                let Some(jit) = &self.jit else {
                    return Err(CompileError::Internal(
                        "the code generator did not start".into(),
                    ));
                };
                phase("codegen", || {
                    let mut out = String::new();
                    for (fname, addr) in &compiled.funcs {
                        out.push_str(&format!("fn {fname}:\n"));
                        if let Some(code) = jit.code_at(*addr) {
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

/// Lowers a checked unit's functions and runs the MIR passes over them, verifying
/// the result after each one in debug builds; returns what the unit added and the
/// time spent lowering and in the passes.
fn lower(
    lowering: &mut mir::lower::Lowering,
    hir: &kiln_sema::hir::Program,
    unit: &kiln_sema::Unit,
    inline: bool,
) -> Result<(mir::lower::LoweredUnit, Duration, Duration), CompileError> {
    let started = Instant::now();
    lowering.set_fuse_generators(inline);
    let unit = lowering.lower_unit(hir, unit);
    let lowered = started.elapsed();
    let started = Instant::now();
    let program = lowering.program_mut();
    if cfg!(debug_assertions) {
        verify(program, unit.funcs.clone())?;
    }
    if inline {
        mir::inline::run(program, unit.funcs.clone());
        mir::divisible::run(program, unit.funcs.clone());
        if cfg!(debug_assertions) {
            verify(program, unit.funcs.clone())?;
        }
    }
    mir::rc_pairs::run(program, unit.funcs.clone());
    if cfg!(debug_assertions) {
        verify(program, unit.funcs.clone())?;
    }
    Ok((unit, lowered, started.elapsed()))
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

fn verify(program: &mir::Program, funcs: std::ops::Range<u32>) -> Result<(), CompileError> {
    let errors = mir::verify::verify_funcs(program, funcs);
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

/// A checker session whose `extern fn` declarations must name a function this
/// process has (an error of the declaring unit otherwise).
fn new_session(mut session: kiln_sema::Session) -> kiln_sema::Session {
    session.set_symbol_lookup(symbol_exists);
    session
}

/// Whether an `extern fn` of this name can be linked: one of the runtime's float
/// functions, or a symbol of the process (libc, libm, the `kiln` binary).
fn symbol_exists(symbol: &str) -> bool {
    if kiln_runtime::mathlib::lookup(symbol).is_some() {
        return true;
    }
    let Ok(name) = std::ffi::CString::new(symbol) else {
        return false;
    };
    // SAFETY: `name` is a valid C string; dlsym with RTLD_DEFAULT only reads it.
    unsafe { !libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()).is_null() }
}
