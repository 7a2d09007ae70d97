//! Kiln's code generator: MIR to native code with Cranelift.
//!
//! [`translate`] turns one MIR function into Cranelift IR; [`jit`] owns the JIT
//! module, the call table, and the code and site tables used for stack traces;
//! [`unwind`] registers unwind information so runtime panics unwind through JIT
//! frames; [`disasm`] prints machine code. Nothing here reads source text or prints.

pub mod disasm;
pub mod jit;
pub mod memory;
pub mod translate;
pub mod unwind;

pub use jit::{CodeInfo, CodegenError, Compiled, Jit, Options, Site};
