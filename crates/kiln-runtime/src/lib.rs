//! Kiln's runtime: what compiled Kiln code calls into.
//!
//! This crate depends on no other Kiln crate. It defines the object layout of heap
//! values, the output streams, text formatting, panics (raised as Rust panics that
//! unwind through JIT frames) and the stack limit checked by every function prologue.
//! Every function compiled code calls is `extern "C-unwind"` and listed in
//! [`symbols`], which is how the code generator finds them; nothing here may assume
//! it is running on any particular engine beyond the global state it owns.

pub mod format;
pub mod mathlib;
pub mod num;
pub mod output;
pub mod panic;
pub mod process;
pub mod string;

pub use panic::{KilnPanic, PanicKind, RuntimeExit};

/// A runtime entry point as the code generator sees it: the symbol name, its
/// address, and its signature in terms of [`Abi`] types.
pub struct Symbol {
    pub name: &'static str,
    pub addr: *const u8,
    pub params: &'static [Abi],
    pub ret: Option<Abi>,
}

/// The machine-level types that cross the boundary between compiled code and the
/// runtime. `Ptr` is a pointer-sized integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
    Ptr,
}

macro_rules! symbols {
    ($( $module:ident :: $name:ident ( $($p:ident),* ) $(-> $r:ident)? ;)*) => {
        /// Every runtime function compiled code may call.
        pub fn symbols() -> Vec<Symbol> {
            vec![$(Symbol {
                name: stringify!($name),
                addr: $module::$name as *const u8,
                params: &[$(Abi::$p),*],
                ret: symbols!(@ret $($r)?),
            }),*]
        }
    };
    (@ret) => { None };
    (@ret $r:ident) => { Some(Abi::$r) };
}

symbols! {
    output::kiln_print_i64(I32, I64);
    output::kiln_print_u64(I32, I64);
    output::kiln_print_f64(I32, F64);
    output::kiln_print_f32(I32, F32);
    output::kiln_print_bool(I32, I8);
    output::kiln_print_char(I32, I32);
    output::kiln_print_str(I32, Ptr);
    output::kiln_print_unit(I32);
    output::kiln_print_newline(I32);
    string::kiln_str_concat(Ptr, Ptr) -> Ptr;
    string::kiln_str_len(Ptr) -> I64;
    string::kiln_str_eq(Ptr, Ptr) -> I8;
    string::kiln_str_cmp(Ptr, Ptr) -> I32;
    string::kiln_sb_new() -> Ptr;
    string::kiln_sb_push_str(Ptr, Ptr, Ptr);
    string::kiln_sb_push_int(Ptr, I64, I32, Ptr);
    string::kiln_sb_push_f64(Ptr, F64, Ptr);
    string::kiln_sb_push_f32(Ptr, F32, Ptr);
    string::kiln_sb_push_bool(Ptr, I8, Ptr);
    string::kiln_sb_push_char(Ptr, I32, Ptr);
    string::kiln_sb_push_unit(Ptr, Ptr);
    string::kiln_sb_finish(Ptr) -> Ptr;
    num::kiln_pow_int(Ptr, I32, I64, I64, I32) -> I64;
    num::kiln_f64_round(F64) -> F64;
    num::kiln_f64_rem(F64, F64) -> F64;
    num::kiln_f64_pow(F64, F64) -> F64;
    num::kiln_f64_sin(F64) -> F64;
    num::kiln_f64_cos(F64) -> F64;
    num::kiln_f64_tan(F64) -> F64;
    num::kiln_f64_atan(F64) -> F64;
    num::kiln_f64_atan2(F64, F64) -> F64;
    num::kiln_f64_exp(F64) -> F64;
    num::kiln_f64_ln(F64) -> F64;
    num::kiln_f64_log10(F64) -> F64;
    num::kiln_int_to_char(Ptr, I32, I64) -> I32;
    process::kiln_exit(I64);
    process::kiln_clock() -> F64;
    panic::kiln_panic(Ptr, I32, I32);
    panic::kiln_panic_msg(Ptr, I32, Ptr);
    panic::kiln_stack_overflow(Ptr, I32);
}
