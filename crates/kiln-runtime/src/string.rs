//! Kiln strings: the heap layout of `str`, and the operations compiled code calls.
//!
//! A string is a pointer to an [`StrObject`]: an object header followed by the
//! length and the UTF-8 bytes. Literals are immortal objects made once by the engine
//! ([`new_immortal`]); strings made at run time are allocated here. This module must
//! never hand out a pointer to bytes that are not valid UTF-8.

use crate::format::{self, FormatSpec};
use std::alloc::{alloc, Layout};

/// The header every heap object starts with.
#[repr(C)]
pub struct Header {
    /// Reference count; [`IMMORTAL`] for objects that are never freed.
    pub rc: u32,
    /// What kind of object this is; see [`KIND_STR`].
    pub kind: u32,
}

pub const IMMORTAL: u32 = u32::MAX;
pub const KIND_STR: u32 = 1;

/// The fixed part of a string object; `len` bytes of UTF-8 follow it.
#[repr(C)]
pub struct StrObject {
    pub header: Header,
    pub len: u64,
}

/// Byte offset of the length field, for code that reads it inline.
pub const STR_LEN_OFFSET: i32 = 8;
const DATA_OFFSET: usize = std::mem::size_of::<StrObject>();

/// Raises the `out of memory` panic. Allocation sites do not know the Kiln frame
/// that asked, so this panic has no stack trace.
pub fn out_of_memory() -> ! {
    crate::panic::raise(std::ptr::null(), -1, "out of memory".into())
}

fn allocate(text: &str, rc: u32) -> *mut u8 {
    let size = DATA_OFFSET
        .checked_add(text.len())
        .unwrap_or_else(|| out_of_memory());
    let layout = Layout::from_size_align(size, 8).unwrap_or_else(|_| out_of_memory());
    // SAFETY: the layout has a non-zero size (the header alone is 16 bytes).
    let ptr = unsafe { alloc(layout) };
    if ptr.is_null() {
        out_of_memory();
    }
    // SAFETY: `ptr` is a fresh allocation large enough for the header and the bytes.
    unsafe {
        ptr.cast::<StrObject>().write(StrObject {
            header: Header { rc, kind: KIND_STR },
            len: text.len() as u64,
        });
        std::ptr::copy_nonoverlapping(text.as_ptr(), ptr.add(DATA_OFFSET), text.len());
    }
    ptr
}

/// Makes a string object at run time.
pub fn new_str(text: &str) -> *mut u8 {
    allocate(text, 1)
}

/// Makes a string object that is never freed (for literals).
pub fn new_immortal(text: &str) -> *mut u8 {
    allocate(text, IMMORTAL)
}

/// Borrows the text of a string object.
///
/// # Safety
/// `ptr` must point to a live string object made by this module.
pub unsafe fn as_str<'a>(ptr: *const u8) -> &'a str {
    // SAFETY: per the contract, `ptr` is a string object: its length field is valid
    // and is followed by that many bytes of UTF-8 written by `allocate`.
    unsafe {
        let len = (*ptr.cast::<StrObject>()).len as usize;
        let bytes = std::slice::from_raw_parts(ptr.add(DATA_OFFSET), len);
        std::str::from_utf8_unchecked(bytes)
    }
}

/// # Safety
/// Called by compiled code only, with live Kiln objects and builders.
pub unsafe extern "C-unwind" fn kiln_str_concat(a: *const u8, b: *const u8) -> *mut u8 {
    // SAFETY: compiled code passes live string objects.
    let (a, b) = unsafe { (as_str(a), as_str(b)) };
    let mut s = String::new();
    let total = a
        .len()
        .checked_add(b.len())
        .unwrap_or_else(|| out_of_memory());
    if s.try_reserve_exact(total).is_err() {
        out_of_memory();
    }
    s.push_str(a);
    s.push_str(b);
    new_str(&s)
}

/// # Safety
/// Called by compiled code only, with live Kiln objects and builders.
pub unsafe extern "C-unwind" fn kiln_str_len(s: *const u8) -> i64 {
    // SAFETY: compiled code passes a live string object.
    unsafe { as_str(s) }.len() as i64
}

/// # Safety
/// Called by compiled code only, with live Kiln objects and builders.
pub unsafe extern "C-unwind" fn kiln_str_eq(a: *const u8, b: *const u8) -> i8 {
    // SAFETY: compiled code passes live string objects.
    unsafe { (as_str(a) == as_str(b)) as i8 }
}

/// Byte-wise comparison: -1, 0 or 1.
/// # Safety
/// Called by compiled code only, with live Kiln objects and builders.
pub unsafe extern "C-unwind" fn kiln_str_cmp(a: *const u8, b: *const u8) -> i32 {
    // SAFETY: compiled code passes live string objects.
    unsafe { as_str(a).cmp(as_str(b)) as i32 }
}

/// A string under construction by interpolation: a boxed Rust `String`.
pub extern "C-unwind" fn kiln_sb_new() -> *mut String {
    Box::into_raw(Box::new(String::new()))
}

/// # Safety
/// `sb` must come from [`kiln_sb_new`] and not be finished yet.
unsafe fn builder<'a>(sb: *mut String) -> &'a mut String {
    // SAFETY: guaranteed by the caller.
    unsafe { &mut *sb }
}

/// # Safety
/// `spec` is null or points to a `FormatSpec` the engine keeps alive.
unsafe fn spec<'a>(spec: *const FormatSpec) -> Option<&'a FormatSpec> {
    // SAFETY: guaranteed by the caller.
    unsafe { spec.as_ref() }
}

macro_rules! sb_push {
    ($($name:ident($v:ident: $t:ty) => $fmt:path;)*) => {$(
        /// # Safety
        /// Called by compiled code only, with a live builder.
        pub unsafe extern "C-unwind" fn $name(sb: *mut String, $v: $t, spec_ptr: *const FormatSpec) {
            // SAFETY: compiled code passes a live builder and a null or engine-owned spec.
            let (sb, spec) = unsafe { (builder(sb), spec(spec_ptr)) };
            $fmt(sb, $v, spec);
        }
    )*};
}

/// # Safety
/// Called by compiled code only, with a live builder and a null or engine-owned spec.
pub unsafe extern "C-unwind" fn kiln_sb_push_int(
    sb: *mut String,
    v: i64,
    kind: i32,
    spec_ptr: *const FormatSpec,
) {
    // SAFETY: guaranteed by the caller.
    let (sb, spec) = unsafe { (builder(sb), spec(spec_ptr)) };
    format::push_int(sb, v, kind, spec);
}

sb_push! {
    kiln_sb_push_f64(v: f64) => format::push_f64;
    kiln_sb_push_f32(v: f32) => format::push_f32;
    kiln_sb_push_bool(v: i8) => format::push_bool;
    kiln_sb_push_char(v: u32) => format::push_char;
}

/// # Safety
/// Called by compiled code only, with live Kiln objects and builders.
pub unsafe extern "C-unwind" fn kiln_sb_push_str(
    sb: *mut String,
    s: *const u8,
    spec_ptr: *const FormatSpec,
) {
    // SAFETY: compiled code passes a live builder, a live string and a null or
    // engine-owned spec.
    let (sb, s, spec) = unsafe { (builder(sb), as_str(s), spec(spec_ptr)) };
    if sb.try_reserve(s.len()).is_err() {
        out_of_memory();
    }
    format::push_str(sb, s, spec);
}

/// # Safety
/// Called by compiled code only, with live Kiln objects and builders.
pub unsafe extern "C-unwind" fn kiln_sb_push_unit(sb: *mut String, spec_ptr: *const FormatSpec) {
    // SAFETY: as above.
    let (sb, spec) = unsafe { (builder(sb), spec(spec_ptr)) };
    format::push_text(sb, "()", false, spec);
}

/// # Safety
/// Called by compiled code only, with live Kiln objects and builders.
pub unsafe extern "C-unwind" fn kiln_sb_finish(sb: *mut String) -> *mut u8 {
    // SAFETY: `sb` came from `kiln_sb_new` and is finished exactly once, here.
    let s = unsafe { Box::from_raw(sb) };
    new_str(&s)
}
