//! Kiln strings: the heap layout of `str`, and the operations compiled code calls.
//!
//! A string is a pointer to a [`StrObject`]: the object header (whose descriptor is
//! [`str_desc`]), the length @16 and the UTF-8 bytes @24. Literals are immortal
//! objects made once by the engine ([`new_immortal`]); strings made at run time come
//! from the object allocator and are counted by the leak check. Every function here
//! returns an owned (+1) string and borrows its arguments. This module must never
//! hand out a pointer to bytes that are not valid UTF-8, nor split a string inside a
//! character.

use crate::alloc::alloc_object;
use crate::array::{index_oob, new_array, parts, push};
use crate::desc::{str_desc, TypeDesc};
use crate::format::{self, FormatSpec};
use crate::object::{none, retain, some, FLAG_IMMORTAL};
pub use crate::object::{Header, IMMORTAL_RC, STR_DATA_OFFSET, STR_LEN_OFFSET};
use crate::panic::raise;
use std::alloc::{alloc, dealloc, Layout};
use std::cell::Cell;

/// The fixed part of a string object; `len` bytes of UTF-8 follow it.
#[repr(C)]
pub struct StrObject {
    pub header: Header,
    pub len: u64,
}

const DATA_OFFSET: usize = STR_DATA_OFFSET as usize;

/// Raises the `out of memory` panic. Allocation sites do not know the Kiln frame
/// that asked; the trace starts at the innermost JIT frame on the stack
/// ([`crate::panic::raise`] finds it).
pub fn out_of_memory() -> ! {
    crate::panic::raise_untraced("out of memory".into())
}

/// A run-time string object of `len` bytes whose bytes the caller must fill with
/// UTF-8 before anyone reads them.
fn alloc_str(len: usize) -> *mut u8 {
    let size = DATA_OFFSET
        .checked_add(len)
        .filter(|&n| n <= isize::MAX as usize)
        .unwrap_or_else(|| out_of_memory());
    let p = alloc_object(size, str_desc());
    // SAFETY: `p` is a fresh object of `size` bytes.
    unsafe { (*p.cast::<StrObject>()).len = len as u64 };
    p
}

/// The writable bytes of a string made by [`alloc_str`].
///
/// # Safety
/// `p` must come from `alloc_str(len)` and not be shared yet.
unsafe fn bytes_mut<'a>(p: *mut u8, len: usize) -> &'a mut [u8] {
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts_mut(p.add(DATA_OFFSET), len) }
}

/// Makes a string object at run time.
pub fn new_str(text: &str) -> *mut u8 {
    let p = alloc_str(text.len());
    // SAFETY: `p` has room for exactly `text.len()` bytes.
    unsafe { bytes_mut(p, text.len()).copy_from_slice(text.as_bytes()) };
    p
}

thread_local! {
    /// How many immortal strings this thread made and has not freed.
    static IMMORTAL_STRINGS: Cell<usize> = const { Cell::new(0) };
}

/// How many immortal strings the calling thread made ([`new_immortal`]) and has
/// not freed ([`free_immortal`]): what a session's literals hold until it ends.
pub fn immortal_strings() -> usize {
    IMMORTAL_STRINGS.with(Cell::get)
}

fn immortal_layout(len: usize) -> Layout {
    let size = DATA_OFFSET
        .checked_add(len)
        .unwrap_or_else(|| out_of_memory());
    Layout::from_size_align(size, 16).unwrap_or_else(|_| out_of_memory())
}

/// Makes a string object that reference counting never frees (for literals):
/// the engine that made it frees it with [`free_immortal`] when its session ends.
pub fn new_immortal(text: &str) -> *mut u8 {
    let layout = immortal_layout(text.len());
    // SAFETY: the layout has a non-zero size (the header alone is 16 bytes).
    let ptr = unsafe { alloc(layout) };
    if ptr.is_null() {
        out_of_memory();
    }
    // SAFETY: `ptr` is a fresh allocation large enough for the header and the bytes.
    unsafe {
        ptr.cast::<StrObject>().write(StrObject {
            header: Header {
                rc: IMMORTAL_RC,
                flags: FLAG_IMMORTAL,
                desc: str_desc(),
            },
            len: text.len() as u64,
        });
        std::ptr::copy_nonoverlapping(text.as_ptr(), ptr.add(DATA_OFFSET), text.len());
    }
    IMMORTAL_STRINGS.with(|n| n.set(n.get() + 1));
    ptr
}

/// Frees a string made by [`new_immortal`].
///
/// # Safety
/// `ptr` came from [`new_immortal`] on this thread, is not freed yet, and nothing
/// will use it again: no value refers to it and no code that embeds its address
/// will run.
pub unsafe fn free_immortal(ptr: *mut u8) {
    // SAFETY: by the contract, `ptr` is a live string object of this layout.
    unsafe {
        let len = (*ptr.cast::<StrObject>()).len as usize;
        dealloc(ptr, immortal_layout(len));
    }
    IMMORTAL_STRINGS.with(|n| n.set(n.get().saturating_sub(1)));
}

/// Borrows the text of a string object.
///
/// # Safety
/// `ptr` must point to a live string object made by this module.
pub unsafe fn as_str<'a>(ptr: *const u8) -> &'a str {
    // SAFETY: per the contract, `ptr` is a string object: its length field is valid
    // and is followed by that many bytes of UTF-8.
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
    let total = a
        .len()
        .checked_add(b.len())
        .unwrap_or_else(|| out_of_memory());
    let p = alloc_str(total);
    // SAFETY: `p` has room for exactly `total` bytes; both halves are UTF-8.
    unsafe {
        let out = bytes_mut(p, total);
        out[..a.len()].copy_from_slice(a.as_bytes());
        out[a.len()..].copy_from_slice(b.as_bytes());
    }
    p
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

/// # Safety
/// `s` must be a live string.
#[inline(always)]
unsafe fn text<'a>(s: *const u8) -> &'a str {
    // SAFETY: guaranteed by the caller.
    unsafe { as_str(s) }
}

/// Returns `s` itself (retained) when `part` is all of it, else a new string.
///
/// # Safety
/// `s` must be a live string and `part` a substring of its text.
unsafe fn same_or_new(s: *const u8, part: &str) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        if part.len() == text(s).len() {
            retain(s as *mut u8);
            s as *mut u8
        } else {
            new_str(part)
        }
    }
}

/// A new `[str]` of type `arr_desc` holding the given parts.
///
/// # Safety
/// `arr_desc` must be the descriptor of `[str]`.
unsafe fn str_array<'a>(
    arr_desc: *const TypeDesc,
    parts: impl Iterator<Item = &'a str>,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller; each new string is owned by the array.
    unsafe {
        let out = new_array(arr_desc, 0);
        for p in parts {
            push(out, new_str(p) as u64);
        }
        out
    }
}

/// `s.chars()`: `[char]`.
///
/// # Safety
/// `s` must be a live string and `arr_desc` the descriptor of `[char]`.
pub unsafe extern "C-unwind" fn kiln_str_chars(s: *const u8, arr_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let t = text(s);
        let out = new_array(arr_desc, t.chars().count());
        for c in t.chars() {
            push(out, c as u64);
        }
        out
    }
}

/// `s.bytes()`: `[u8]`.
///
/// # Safety
/// `s` must be a live string and `arr_desc` the descriptor of `[u8]`.
pub unsafe extern "C-unwind" fn kiln_str_bytes(s: *const u8, arr_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller; the new array has room for `len` bytes.
    unsafe {
        let t = text(s).as_bytes();
        let out = new_array(arr_desc, t.len());
        let (a, _) = parts(out);
        if !t.is_empty() {
            std::ptr::copy_nonoverlapping(t.as_ptr(), a.data, t.len());
        }
        a.len = t.len() as u64;
        out
    }
}

/// `s.contains(t)`.
///
/// # Safety
/// `s` and `t` must be live strings.
pub unsafe extern "C-unwind" fn kiln_str_contains(s: *const u8, t: *const u8) -> i8 {
    // SAFETY: guaranteed by the caller.
    unsafe { text(s).contains(text(t)) as i8 }
}

/// `s.starts_with(t)`.
///
/// # Safety
/// `s` and `t` must be live strings.
pub unsafe extern "C-unwind" fn kiln_str_starts_with(s: *const u8, t: *const u8) -> i8 {
    // SAFETY: guaranteed by the caller.
    unsafe { text(s).starts_with(text(t)) as i8 }
}

/// `s.ends_with(t)`.
///
/// # Safety
/// `s` and `t` must be live strings.
pub unsafe extern "C-unwind" fn kiln_str_ends_with(s: *const u8, t: *const u8) -> i8 {
    // SAFETY: guaranteed by the caller.
    unsafe { text(s).ends_with(text(t)) as i8 }
}

/// `s.find(t)`: the byte offset of the first match, as `int?`.
///
/// # Safety
/// `s` and `t` must be live strings and `opt_desc` the descriptor of `Option<int>`.
pub unsafe extern "C-unwind" fn kiln_str_find(
    s: *const u8,
    t: *const u8,
    opt_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match text(s).find(text(t)) {
            Some(i) => some(opt_desc, i as u64),
            None => none(opt_desc),
        }
    }
}

/// `s.split(sep)`, as Rust's `str::split`: `"a,b,,c"` gives `["a", "b", "", "c"]`.
///
/// # Safety
/// `s` and `sep` must be live strings and `arr_desc` the descriptor of `[str]`.
pub unsafe extern "C-unwind" fn kiln_str_split(
    s: *const u8,
    sep: *const u8,
    arr_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe { str_array(arr_desc, text(s).split(text(sep))) }
}

/// `s.lines()`, as Rust's `str::lines` (`\n` or `\r\n`; no final empty line).
///
/// # Safety
/// `s` must be a live string and `arr_desc` the descriptor of `[str]`.
pub unsafe extern "C-unwind" fn kiln_str_lines(s: *const u8, arr_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe { str_array(arr_desc, text(s).lines()) }
}

/// `s.trim()`: without leading and trailing whitespace.
///
/// # Safety
/// `s` must be a live string.
pub unsafe extern "C-unwind" fn kiln_str_trim(s: *const u8) -> *mut u8 {
    // SAFETY: guaranteed by the caller; the trimmed text is part of `s`.
    unsafe { same_or_new(s, text(s).trim()) }
}

/// `s.to_upper()`.
///
/// # Safety
/// `s` must be a live string.
pub unsafe extern "C-unwind" fn kiln_str_to_upper(s: *const u8) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    new_str(&unsafe { text(s) }.to_uppercase())
}

/// `s.to_lower()`.
///
/// # Safety
/// `s` must be a live string.
pub unsafe extern "C-unwind" fn kiln_str_to_lower(s: *const u8) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    new_str(&unsafe { text(s) }.to_lowercase())
}

/// `s.replace(a, b)`, as Rust's `str::replace`.
///
/// # Safety
/// `s`, `a` and `b` must be live strings.
pub unsafe extern "C-unwind" fn kiln_str_replace(
    s: *const u8,
    a: *const u8,
    b: *const u8,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    let (s, a, b) = unsafe { (text(s), text(a), text(b)) };
    new_str(&s.replace(a, b))
}

/// `s.repeat(n)`; a negative `n` panics.
///
/// # Safety
/// `s` must be a live string.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_str_repeat(
    fp: *const u8,
    site: i32,
    s: *const u8,
    n: i64,
) -> *mut u8 {
    if n < 0 {
        // SAFETY: guaranteed by the caller.
        unsafe { raise(fp, site, format!("negative count: {n}")) };
    }
    // SAFETY: guaranteed by the caller.
    let t = unsafe { text(s) };
    let total = t
        .len()
        .checked_mul(n as usize)
        .unwrap_or_else(|| out_of_memory());
    let p = alloc_str(total);
    if total > 0 {
        // SAFETY: `p` has room for `total` bytes: `n` copies of `t`.
        let out = unsafe { bytes_mut(p, total) };
        for chunk in out.chunks_exact_mut(t.len()) {
            chunk.copy_from_slice(t.as_bytes());
        }
    }
    p
}

/// `s.parse_int()`: `int?`, as Rust's `i64::from_str` (`"4x2"` is `None`).
///
/// # Safety
/// `s` must be a live string and `opt_desc` the descriptor of `Option<int>`.
pub unsafe extern "C-unwind" fn kiln_str_parse_int(
    s: *const u8,
    opt_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match text(s).parse::<i64>() {
            Ok(v) => some(opt_desc, v as u64),
            Err(_) => none(opt_desc),
        }
    }
}

/// `s.parse_float()`: `float?`, as Rust's `f64::from_str`.
///
/// # Safety
/// `s` must be a live string and `opt_desc` the descriptor of `Option<float>`.
pub unsafe extern "C-unwind" fn kiln_str_parse_float(
    s: *const u8,
    opt_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match text(s).parse::<f64>() {
            Ok(v) => some(opt_desc, v.to_bits()),
            Err(_) => none(opt_desc),
        }
    }
}

/// `s[lo..hi]` by byte offsets: out of range is the index panic, an offset inside a
/// character panics `byte index N is not a char boundary`.
///
/// # Safety
/// `s` must be a live string.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_str_slice(
    fp: *const u8,
    site: i32,
    s: *const u8,
    lo: i64,
    hi: i64,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    let t = unsafe { text(s) };
    let len = t.len() as i64;
    if hi < 0 || hi > len {
        // SAFETY: guaranteed by the caller.
        unsafe { index_oob(fp, site, hi, len) };
    }
    if lo < 0 || lo > len {
        // SAFETY: guaranteed by the caller.
        unsafe { index_oob(fp, site, lo, len) };
    }
    if lo > hi {
        // SAFETY: guaranteed by the caller.
        unsafe { crate::array::reversed_slice(fp, site, lo, hi) };
    }
    for i in [lo, hi] {
        if !t.is_char_boundary(i as usize) {
            // SAFETY: guaranteed by the caller.
            unsafe { raise(fp, site, format!("byte index {i} is not a char boundary")) };
        }
    }
    // SAFETY: the range is checked above and the part is a substring of `s`.
    unsafe { same_or_new(s, &t[lo as usize..hi as usize]) }
}

/// For `for c in s`: the char at byte `pos` in the low 32 bits and the byte
/// position after it in the high 32 bits, or -1 at the end.
///
/// # Safety
/// `s` must be a live string.
pub unsafe extern "C-unwind" fn kiln_str_next_char(s: *const u8, pos: i64) -> i64 {
    // SAFETY: guaranteed by the caller.
    let t = unsafe { text(s) };
    let Some(c) = usize::try_from(pos)
        .ok()
        .and_then(|p| t.get(p..))
        .and_then(|rest| rest.chars().next())
    else {
        return -1;
    };
    let next = pos as u64 + c.len_utf8() as u64;
    ((next << 32) | c as u64) as i64
}
