//! Kiln's reference MIR interpreter: a second implementation of MIR, written to be
//! read rather than to be fast, so that every program can be run two ways and the
//! results compared with the JIT's (DESIGN.md §12).
//!
//! It runs the MIR the JIT compiles, after the same passes, and calls the same
//! runtime functions by address ([`native`]), so heap objects, printing, panics and
//! the leak check are shared with compiled code. What compiled code gets from the
//! machine, the interpreter keeps itself:
//!
//! - **Frames.** Kiln calls do not recurse in Rust: the interpreter keeps an explicit
//!   stack of frames ([`exec`]), each with its function, its values and the
//!   instruction it is at. That stack is what a panic's trace is made of, and its
//!   size is what a stack overflow is measured by.
//! - **Code addresses.** `FuncAddr` gives a *code token*, an address inside a block
//!   of bytes the interpreter owns (one byte per function), which `CallIndirect`
//!   maps back to the function. Tokens are never executed. The one runtime function
//!   that calls code, `kiln_array_sort_by`, is given a native trampoline instead of
//!   the token; it re-enters the interpreter ([`exec`], "Callbacks").
//! - **Traces.** Runtime functions that take a frame pointer get null (allowed by
//!   the frame-pointer contract), so the runtime finds no JIT frame and the panic
//!   carries no return addresses; the engine asks [`Interpreter::trace`] for the
//!   frames, which are made from the frame stack as it was when the panic was
//!   raised, by the rules the frame-pointer walk follows ([`trace`]).
//!
//! This crate must never print, and never catch a Kiln panic: like compiled code,
//! it lets a panic unwind to the engine.

mod exec;
pub mod native;
pub mod ops;
mod trace;

pub use trace::{Trace, TraceOmitted};

use kiln_mir as mir;
use kiln_runtime::desc::{DescArena, TypeDesc};
use kiln_runtime::format::FormatSpec;
use kiln_runtime::Symbol;
use kiln_syntax::Span;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// Why a program cannot be run by the interpreter.
#[derive(Clone, Debug)]
pub struct LoadError {
    pub span: Span,
    pub message: String,
}

/// A program loaded into the interpreter: the MIR and everything compiled code
/// would refer to by address (string literals, format specs, descriptors, global
/// slots, runtime and C functions).
pub struct Interpreter {
    program: mir::Program,
    /// The immortal string object of each string literal.
    strings: Vec<usize>,
    /// Boxed so their addresses stay put.
    #[allow(clippy::vec_box)]
    specs: Vec<Box<FormatSpec>>,
    /// Keeps the descriptors alive (and, when dropped, hands them to the runtime's
    /// registry, since objects may outlive the interpreter).
    _arena: DescArena,
    descs: Vec<*const TypeDesc>,
    globals: Box<[Cell<u64>]>,
    runtime: HashMap<&'static str, Symbol>,
    /// The address of each `extern fn`.
    externs: Vec<*const u8>,
    /// The bytes whose addresses are code tokens: token of function `i` is
    /// `tokens.as_ptr() + i`.
    tokens: Box<[u8]>,
    stack: RefCell<exec::Stack>,
}

impl Interpreter {
    /// Loads a program (lowered and through the MIR passes, as for the JIT).
    pub fn new(program: mir::Program) -> Result<Interpreter, LoadError> {
        let mut externs = Vec::new();
        for e in &program.externs {
            if !native::fits(&e.params) {
                return Err(LoadError {
                    span: e.span,
                    message: format!(
                        "the interpreter cannot call `{}`: it passes at most {} integer and {} \
                         float arguments to a C function",
                        e.symbol,
                        native::INT_ARGS,
                        native::FLOAT_ARGS
                    ),
                });
            }
            let addr = extern_address(&e.symbol).ok_or_else(|| LoadError {
                span: e.span,
                message: format!("cannot find the C function `{}` in this process", e.symbol),
            })?;
            externs.push(addr);
        }
        let mut specs = Vec::new();
        for text in &program.specs {
            let spec = FormatSpec::parse(text).map_err(|e| LoadError {
                span: Span::default(),
                message: format!("format spec {text:?}: {e}"),
            })?;
            specs.push(Box::new(spec));
        }
        let strings = program
            .strings
            .iter()
            .map(|s| kiln_runtime::string::new_immortal(s) as usize)
            .collect();
        let mut arena = DescArena::new();
        let descs = mir::descs::build(&mut arena, &program.types, &[]);
        let globals = program.globals.iter().map(|g| Cell::new(g.init)).collect();
        let runtime = kiln_runtime::symbols()
            .into_iter()
            .map(|s| (s.name, s))
            .collect();
        let tokens = vec![0u8; program.funcs.len().max(1)].into_boxed_slice();
        Ok(Interpreter {
            program,
            strings,
            specs,
            _arena: arena,
            descs,
            globals,
            runtime,
            externs,
            tokens,
            stack: RefCell::new(exec::Stack::default()),
        })
    }

    /// Whether the program has top-level code to run.
    pub fn has_main(&self) -> bool {
        self.program.main.is_some()
    }

    /// Runs `<main>`. A Kiln panic or `exit` unwinds out of this call, as out of
    /// compiled code; the caller catches it and, for a panic, asks [`Self::trace`].
    ///
    /// Must run on the Kiln thread (its stack limit bounds the native stack that
    /// callbacks from the runtime use).
    pub fn run_main(&self) {
        let Some(main) = self.program.main else {
            return;
        };
        self.run_top_level(main);
    }

    /// Runs one unit's top-level code (an imported module's, before the program's).
    pub fn run_top_level(&self, main: mir::FuncRef) {
        *self.stack.borrow_mut() = exec::Stack::default();
        let _current = exec::Current::enter(self);
        self.run(main, &[]);
    }

    /// Calls function `f` with `args`, each in the interpreter's form of its type
    /// (integers zero-extended from their width, floats as their bits), and
    /// returns its result in that form: what the MIR file tests call. A Kiln panic
    /// unwinds out of this call, as out of [`Self::run_main`], and the same thread
    /// rule applies.
    pub fn call(&self, f: mir::FuncRef, args: &[u64]) -> Option<u64> {
        *self.stack.borrow_mut() = exec::Stack::default();
        let _current = exec::Current::enter(self);
        self.run(f, args)
    }

    /// Releases what every global holds, as the end of the program does for locals;
    /// after this, live objects are leaks (or cycles).
    pub fn release_globals(&self) {
        // Releasing a suspended generator resumes it (to release its frame).
        let _current = exec::Current::enter(self);
        for (g, slot) in self.program.globals.iter().zip(self.globals.iter()) {
            if g.ty == mir::Type::Ptr && slot.get() != 0 {
                let obj = slot.replace(0);
                // SAFETY: a global of reference type holds 0 or a live object it owns.
                unsafe { kiln_runtime::object::kiln_release(obj as *mut u8) };
            }
        }
    }

    fn spec_addr(&self, s: mir::SpecRef) -> u64 {
        &*self.specs[s.index()] as *const FormatSpec as u64
    }

    fn token(&self, f: mir::FuncRef) -> u64 {
        self.tokens.as_ptr() as u64 + f.0 as u64
    }

    /// The function a code token stands for.
    pub(crate) fn func_of_token(&self, code: u64) -> mir::FuncRef {
        let base = self.tokens.as_ptr() as u64;
        match code.checked_sub(base) {
            Some(i) if i < self.program.funcs.len() as u64 => mir::FuncRef(i as u32),
            _ => panic!("call through {code:#x}, which is not the code of a Kiln function"),
        }
    }
}

/// Where an `extern fn` is: Kiln's math library first, then the process.
fn extern_address(symbol: &str) -> Option<*const u8> {
    if let Some(addr) = kiln_runtime::mathlib::lookup(symbol) {
        return Some(addr);
    }
    let name = std::ffi::CString::new(symbol).ok()?;
    // SAFETY: `name` is a valid C string; dlsym with RTLD_DEFAULT only reads it.
    let addr = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    (!addr.is_null()).then_some(addr as *const u8)
}
