//! Kiln's runtime: what compiled Kiln code calls into.
//!
//! This crate depends on no other Kiln crate. It defines the object layout of heap
//! values, the output streams, text formatting, panics (raised as Rust panics that
//! unwind through JIT frames) and the stack limit checked by every function prologue.
//! Every function compiled code calls is `extern "C-unwind"` and listed in
//! [`symbols`], which is how the code generator finds them; nothing here may assume
//! it is running on any particular engine beyond the global state it owns.

pub mod abi;
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

pub use abi::Abi;
pub use alloc::{leak_report, live_objects};
pub use desc::{str_desc, DescArena, FieldDesc, TypeDesc, TypeKind, VariantDesc};
pub use object::{
    ARRAY_CAP_OFFSET, ARRAY_DATA_OFFSET, ARRAY_LEN_OFFSET, DESC_OFFSET, ENUM_TAG_OFFSET,
    FLAGS_OFFSET, FLAG_IMMORTAL, IMMORTAL_RC, MAP_IMPL_OFFSET, RC_OFFSET, STR_DATA_OFFSET,
    STR_LEN_OFFSET,
};
pub use panic::{KilnPanic, PanicKind, RuntimeExit};

/// A runtime entry point as compiled code (and the interpreter) sees it: the symbol
/// name, its address, and its signature in terms of [`Abi`] types.
///
/// The table is written once, in [`symbols`], and checked against the Rust
/// signature of every function it names (`rust_signatures`, tested in this crate)
/// and against their sources (`tests/runtime_table.rs`).
#[derive(Clone, Copy, Debug)]
pub struct Symbol {
    pub name: &'static str,
    pub addr: *const u8,
    /// Every parameter, the frame pointer and site number included when
    /// [`Symbol::site`] is set.
    pub params: &'static [Abi],
    pub ret: Option<Abi>,
    /// Whether the function may raise a Kiln panic or end the program (`exit`),
    /// that is, unwind instead of returning. Most may, if only because they
    /// allocate; the ones that cannot are marked `pure` in the table.
    pub may_panic: bool,
    /// Whether the first two parameters are the caller's frame pointer and a site
    /// number (`fp: *const u8, site: i32`, the frame-pointer contract of
    /// [`panic`]). Such a function may panic.
    pub site: bool,
    /// Whether the function can return. One that cannot always raises a panic or
    /// ends the program (`raises` and `exits` in the table); the MIR ends the block
    /// after a call of one with `unreachable`.
    pub returns: bool,
}

// SAFETY: a `Symbol` is an immutable description; `addr` is the address of a
// function, which any thread may read (calling it is what needs care).
unsafe impl Send for Symbol {}
// SAFETY: as above.
unsafe impl Sync for Symbol {}

macro_rules! symbols {
    ($( $kind:ident $module:ident :: $name:ident ( $($p:ident),* ) $(-> $r:ident)? ;)*) => {
        /// Every runtime function compiled code may call. Each line of the table is
        /// `pure` (never unwinds), `panics` (may panic or exit), `site` (may
        /// panic, and takes the frame pointer and a site number first), `raises`
        /// (always panics, never returns; takes a site) or `exits` (always ends
        /// the program, never returns).
        pub fn symbols() -> Vec<Symbol> {
            vec![$(Symbol {
                name: stringify!($name),
                addr: $module::$name as *const u8,
                params: &[$(Abi::$p),*],
                ret: symbols!(@ret $($r)?),
                may_panic: symbols!(@may_panic $kind),
                site: symbols!(@site $kind),
                returns: symbols!(@returns $kind),
            }),*]
        }

        /// The name of every function in [`symbols`] with the signature its Rust
        /// declaration has, read through [`abi::RuntimeFn`]. The cast to an
        /// `unsafe extern "C-unwind"` function pointer with as many parameters as
        /// the table lists fails to compile when the function has another ABI or
        /// parameter count.
        #[doc(hidden)]
        pub fn rust_signatures() -> Vec<(&'static str, (Vec<Abi>, Option<Abi>))> {
            vec![$((
                stringify!($name),
                abi::signature_of(
                    $module::$name as unsafe extern "C-unwind" fn($(symbols!(@any $p)),*) -> _,
                ),
            )),*]
        }
    };
    (@ret) => { None };
    (@ret $r:ident) => { Some(Abi::$r) };
    (@any $p:ident) => { _ };
    (@may_panic pure) => { false };
    (@may_panic panics) => { true };
    (@may_panic site) => { true };
    (@may_panic raises) => { true };
    (@may_panic exits) => { true };
    (@site pure) => { false };
    (@site panics) => { false };
    (@site site) => { true };
    (@site raises) => { true };
    (@site exits) => { false };
    (@returns raises) => { false };
    (@returns exits) => { false };
    (@returns $kind:ident) => { true };
}

symbols! {
    pure output::kiln_print_i64(I32, I64);
    pure output::kiln_print_u64(I32, I64);
    pure output::kiln_print_f64(I32, F64);
    pure output::kiln_print_f32(I32, F32);
    pure output::kiln_print_bool(I32, I8);
    pure output::kiln_print_char(I32, I32);
    pure output::kiln_print_str(I32, Ptr);
    pure output::kiln_print_unit(I32);
    pure output::kiln_print_newline(I32);
    panics string::kiln_str_concat(Ptr, Ptr) -> Ptr;
    pure string::kiln_str_len(Ptr) -> I64;
    pure string::kiln_str_eq(Ptr, Ptr) -> I8;
    pure string::kiln_str_cmp(Ptr, Ptr) -> I32;
    panics string::kiln_sb_new() -> Ptr;
    panics string::kiln_sb_push_str(Ptr, Ptr, Ptr);
    panics string::kiln_sb_push_int(Ptr, I64, I32, Ptr);
    panics string::kiln_sb_push_f64(Ptr, F64, Ptr);
    panics string::kiln_sb_push_f32(Ptr, F32, Ptr);
    panics string::kiln_sb_push_bool(Ptr, I8, Ptr);
    panics string::kiln_sb_push_char(Ptr, I32, Ptr);
    panics string::kiln_sb_push_unit(Ptr, Ptr);
    panics string::kiln_sb_finish(Ptr) -> Ptr;
    site num::kiln_pow_int(Ptr, I32, I64, I64, I32) -> I64;
    pure num::kiln_f64_round(F64) -> F64;
    pure num::kiln_f64_rem(F64, F64) -> F64;
    pure num::kiln_f64_pow(F64, F64) -> F64;
    pure num::kiln_f64_sin(F64) -> F64;
    pure num::kiln_f64_cos(F64) -> F64;
    pure num::kiln_f64_tan(F64) -> F64;
    pure num::kiln_f64_atan(F64) -> F64;
    pure num::kiln_f64_atan2(F64, F64) -> F64;
    pure num::kiln_f64_exp(F64) -> F64;
    pure num::kiln_f64_ln(F64) -> F64;
    pure num::kiln_f64_log10(F64) -> F64;
    site num::kiln_int_to_char(Ptr, I32, I64) -> I32;
    exits process::kiln_exit(I64);
    pure process::kiln_clock() -> F64;
    raises panic::kiln_panic(Ptr, I32, I32);
    raises panic::kiln_panic_msg(Ptr, I32, Ptr);
    raises panic::kiln_stack_overflow(Ptr, I32);
    // Objects and reference counting (docs/RUNTIME-ABI.md).
    panics object::kiln_alloc(Ptr) -> Ptr;
    panics object::kiln_alloc_variant(Ptr, I32) -> Ptr;
    panics object::kiln_drop(Ptr);
    pure object::kiln_retain(Ptr);
    panics object::kiln_release(Ptr);
    panics object::kiln_clone(Ptr) -> Ptr;
    // Generic operations on values of any type, by descriptor.
    panics value::kiln_value_eq(I64, I64, Ptr) -> I8;
    panics value::kiln_value_cmp(I64, I64, Ptr) -> I32;
    panics value::kiln_value_hash(I64, Ptr) -> I64;
    panics value::kiln_print_value(I32, I64, Ptr);
    panics value::kiln_sb_push_value(Ptr, I64, Ptr, Ptr);
    panics value::kiln_to_str(I64, Ptr) -> Ptr;
    // Arrays.
    raises array::kiln_index_oob(Ptr, I32, I64, I64);
    panics array::kiln_array_new(Ptr, I64) -> Ptr;
    pure array::kiln_array_len(Ptr) -> I64;
    panics array::kiln_array_push(Ptr, I64);
    panics array::kiln_array_pop(Ptr, Ptr) -> Ptr;
    site array::kiln_array_get(Ptr, I32, Ptr, I64) -> I64;
    site array::kiln_array_set(Ptr, I32, Ptr, I64, I64);
    site array::kiln_array_insert(Ptr, I32, Ptr, I64, I64);
    site array::kiln_array_remove(Ptr, I32, Ptr, I64) -> I64;
    site array::kiln_array_repeat(Ptr, I32, Ptr, I64, I64) -> Ptr;
    site array::kiln_array_slice(Ptr, I32, Ptr, I64, I64) -> Ptr;
    panics array::kiln_array_concat(Ptr, Ptr) -> Ptr;
    panics array::kiln_array_extend(Ptr, Ptr);
    panics array::kiln_array_clear(Ptr);
    panics array::kiln_array_contains(Ptr, I64) -> I8;
    panics array::kiln_array_index_of(Ptr, I64, Ptr) -> Ptr;
    panics array::kiln_array_sort(Ptr);
    panics array::kiln_array_sort_by(Ptr, Ptr, Ptr);
    panics array::kiln_array_reverse(Ptr);
    site array::kiln_array_sum(Ptr, I32, Ptr) -> I64;
    panics array::kiln_array_min(Ptr, Ptr) -> Ptr;
    panics array::kiln_array_max(Ptr, Ptr) -> Ptr;
    panics array::kiln_array_enumerate(Ptr, Ptr) -> Ptr;
    panics array::kiln_str_join(Ptr, Ptr) -> Ptr;
    // Maps.
    panics map::kiln_map_new(Ptr) -> Ptr;
    panics map::kiln_map_set(Ptr, I64, I64);
    site map::kiln_map_index(Ptr, I32, Ptr, I64) -> I64;
    panics map::kiln_map_get(Ptr, I64, Ptr) -> Ptr;
    panics map::kiln_map_contains_key(Ptr, I64) -> I8;
    panics map::kiln_map_remove(Ptr, I64, Ptr) -> Ptr;
    pure map::kiln_map_len(Ptr) -> I64;
    panics map::kiln_map_keys(Ptr, Ptr) -> Ptr;
    panics map::kiln_map_values(Ptr, Ptr) -> Ptr;
    panics map::kiln_map_clear(Ptr);
    pure map::kiln_map_version(Ptr) -> I64;
    site map::kiln_map_check(Ptr, I32, Ptr, I64);
    panics map::kiln_map_key_at(Ptr, I64) -> I64;
    panics map::kiln_map_value_at(Ptr, I64) -> I64;
    // String methods.
    panics string::kiln_str_chars(Ptr, Ptr) -> Ptr;
    panics string::kiln_str_bytes(Ptr, Ptr) -> Ptr;
    panics string::kiln_str_contains(Ptr, Ptr) -> I8;
    panics string::kiln_str_starts_with(Ptr, Ptr) -> I8;
    panics string::kiln_str_ends_with(Ptr, Ptr) -> I8;
    panics string::kiln_str_find(Ptr, Ptr, Ptr) -> Ptr;
    panics string::kiln_str_split(Ptr, Ptr, Ptr) -> Ptr;
    panics string::kiln_str_lines(Ptr, Ptr) -> Ptr;
    panics string::kiln_str_trim(Ptr) -> Ptr;
    panics string::kiln_str_to_upper(Ptr) -> Ptr;
    panics string::kiln_str_to_lower(Ptr) -> Ptr;
    panics string::kiln_str_replace(Ptr, Ptr, Ptr) -> Ptr;
    site string::kiln_str_repeat(Ptr, I32, Ptr, I64) -> Ptr;
    panics string::kiln_str_parse_int(Ptr, Ptr) -> Ptr;
    panics string::kiln_str_parse_float(Ptr, Ptr) -> Ptr;
    site string::kiln_str_slice(Ptr, I32, Ptr, I64, I64) -> Ptr;
    pure string::kiln_str_next_char(Ptr, I64) -> I64;
    // I/O and unwrap failures.
    panics io::kiln_read_line(Ptr) -> Ptr;
    panics io::kiln_read_file(Ptr, Ptr) -> Ptr;
    panics io::kiln_write_file(Ptr, Ptr, Ptr) -> Ptr;
    panics io::kiln_args(Ptr) -> Ptr;
    raises io::kiln_unwrap_none(Ptr, I32);
    raises io::kiln_unwrap_err(Ptr, I32, I64, Ptr);
}
