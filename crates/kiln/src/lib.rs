//! Kiln as a library: compile Kiln source and run it with the Cranelift JIT.
//!
//! [`Engine`] owns the JIT and the source map; [`Engine::compile`] runs the whole
//! pipeline (parse, check, lower, generate code) and [`Engine::run_main`] runs the
//! compiled top-level code, catching runtime panics and `exit`. Kiln code must run
//! on a thread with a large stack and a stack limit set: [`on_kiln_thread`] makes
//! one. This crate never prints; callers decide where text goes.

mod engine;
mod report;

pub use engine::{
    install_interrupt_handler, on_kiln_thread, panic_message, CompileError, Engine, Entry, Outcome,
    Stage, Stats, TestProgram, STACK_SIZE,
};
pub use kiln_codegen::Options;
pub use report::{Frame, Omitted, PanicReport};
