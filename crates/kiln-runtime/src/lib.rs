//! Kiln's runtime: what compiled Kiln code calls into.
//!
//! This crate depends on no other Kiln crate. It defines the object layout of heap
//! values, the output streams, text formatting, panics (raised as Rust panics that
//! unwind through JIT frames) and the stack limit checked by every function prologue.
//! Every function compiled code calls is `extern "C-unwind"` and listed in
//! [`symbols`], which is how the code generator finds them; nothing here may assume
//! it is running on any particular engine beyond the global state it owns.

pub mod alloc;
pub mod array;
pub mod desc;
pub mod entry;
pub mod format;
pub mod io;
pub mod map;
pub mod mathlib;
pub mod num;
pub mod object;
pub mod output;
pub mod panic;
pub mod process;
mod small_stack;
pub mod string;
pub mod value;

#[cfg(test)]
mod tests;

pub use alloc::{leak_report, live_objects};
pub use desc::{str_desc, DescArena, FieldDesc, TypeDesc, TypeKind, VariantDesc};
pub use object::{
    ARRAY_CAP_OFFSET, ARRAY_DATA_OFFSET, ARRAY_LEN_OFFSET, DESC_OFFSET, ENUM_TAG_OFFSET,
    FLAGS_OFFSET, FLAG_IMMORTAL, IMMORTAL_RC, MAP_IMPL_OFFSET, RC_OFFSET, STR_DATA_OFFSET,
    STR_LEN_OFFSET,
};
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
    // Objects and reference counting (docs/RUNTIME-ABI.md).
    object::kiln_alloc(Ptr) -> Ptr;
    object::kiln_alloc_variant(Ptr, I32) -> Ptr;
    object::kiln_drop(Ptr);
    object::kiln_retain(Ptr);
    object::kiln_release(Ptr);
    object::kiln_clone(Ptr) -> Ptr;
    // Generic operations on values of any type, by descriptor.
    value::kiln_value_eq(I64, I64, Ptr) -> I8;
    value::kiln_value_cmp(I64, I64, Ptr) -> I32;
    value::kiln_value_hash(I64, Ptr) -> I64;
    value::kiln_print_value(I32, I64, Ptr);
    value::kiln_sb_push_value(Ptr, I64, Ptr, Ptr);
    value::kiln_to_str(I64, Ptr) -> Ptr;
    // Arrays.
    array::kiln_index_oob(Ptr, I32, I64, I64);
    array::kiln_array_new(Ptr, I64) -> Ptr;
    array::kiln_array_len(Ptr) -> I64;
    array::kiln_array_push(Ptr, I64);
    array::kiln_array_pop(Ptr, Ptr) -> Ptr;
    array::kiln_array_get(Ptr, I32, Ptr, I64) -> I64;
    array::kiln_array_set(Ptr, I32, Ptr, I64, I64);
    array::kiln_array_insert(Ptr, I32, Ptr, I64, I64);
    array::kiln_array_remove(Ptr, I32, Ptr, I64) -> I64;
    array::kiln_array_repeat(Ptr, I32, Ptr, I64, I64) -> Ptr;
    array::kiln_array_slice(Ptr, I32, Ptr, I64, I64) -> Ptr;
    array::kiln_array_concat(Ptr, Ptr) -> Ptr;
    array::kiln_array_extend(Ptr, Ptr);
    array::kiln_array_clear(Ptr);
    array::kiln_array_contains(Ptr, I64) -> I8;
    array::kiln_array_index_of(Ptr, I64, Ptr) -> Ptr;
    array::kiln_array_sort(Ptr);
    array::kiln_array_sort_by(Ptr, Ptr, Ptr);
    array::kiln_array_reverse(Ptr);
    array::kiln_array_sum(Ptr, I32, Ptr) -> I64;
    array::kiln_array_min(Ptr, Ptr) -> Ptr;
    array::kiln_array_max(Ptr, Ptr) -> Ptr;
    array::kiln_array_enumerate(Ptr, Ptr) -> Ptr;
    array::kiln_str_join(Ptr, Ptr) -> Ptr;
    // Maps.
    map::kiln_map_new(Ptr) -> Ptr;
    map::kiln_map_set(Ptr, I64, I64);
    map::kiln_map_index(Ptr, I32, Ptr, I64) -> I64;
    map::kiln_map_get(Ptr, I64, Ptr) -> Ptr;
    map::kiln_map_contains_key(Ptr, I64) -> I8;
    map::kiln_map_remove(Ptr, I64, Ptr) -> Ptr;
    map::kiln_map_len(Ptr) -> I64;
    map::kiln_map_keys(Ptr, Ptr) -> Ptr;
    map::kiln_map_values(Ptr, Ptr) -> Ptr;
    map::kiln_map_clear(Ptr);
    map::kiln_map_version(Ptr) -> I64;
    map::kiln_map_check(Ptr, I32, Ptr, I64);
    map::kiln_map_key_at(Ptr, I64) -> I64;
    map::kiln_map_value_at(Ptr, I64) -> I64;
    // String methods.
    string::kiln_str_chars(Ptr, Ptr) -> Ptr;
    string::kiln_str_bytes(Ptr, Ptr) -> Ptr;
    string::kiln_str_contains(Ptr, Ptr) -> I8;
    string::kiln_str_starts_with(Ptr, Ptr) -> I8;
    string::kiln_str_ends_with(Ptr, Ptr) -> I8;
    string::kiln_str_find(Ptr, Ptr, Ptr) -> Ptr;
    string::kiln_str_split(Ptr, Ptr, Ptr) -> Ptr;
    string::kiln_str_lines(Ptr, Ptr) -> Ptr;
    string::kiln_str_trim(Ptr) -> Ptr;
    string::kiln_str_to_upper(Ptr) -> Ptr;
    string::kiln_str_to_lower(Ptr) -> Ptr;
    string::kiln_str_replace(Ptr, Ptr, Ptr) -> Ptr;
    string::kiln_str_repeat(Ptr, I32, Ptr, I64) -> Ptr;
    string::kiln_str_parse_int(Ptr, Ptr) -> Ptr;
    string::kiln_str_parse_float(Ptr, Ptr) -> Ptr;
    string::kiln_str_slice(Ptr, I32, Ptr, I64, I64) -> Ptr;
    string::kiln_str_next_char(Ptr, I64) -> I64;
    // I/O and unwrap failures.
    io::kiln_read_line(Ptr) -> Ptr;
    io::kiln_read_file(Ptr, Ptr) -> Ptr;
    io::kiln_write_file(Ptr, Ptr, Ptr) -> Ptr;
    io::kiln_args(Ptr) -> Ptr;
    io::kiln_unwrap_none(Ptr, I32);
    io::kiln_unwrap_err(Ptr, I32, I64, Ptr);
}
