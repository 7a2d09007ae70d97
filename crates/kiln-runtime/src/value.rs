//! Generic operations on Kiln values of any type, driven by type descriptors:
//! loading and storing values at their size inside objects, structural equality,
//! ordering, hashing, and the text forms of LANGUAGE.md §7.
//!
//! Values travel as *slots* (`u64`, see docs/RUNTIME-ABI.md). Everything here only
//! reads the values it is given: it never changes a reference count or an object.
//! Nested values are walked with the last child handled by a loop rather than a
//! recursive call, so long chains (linked lists) use constant Rust stack; other
//! nesting recurses, guarded by the Kiln stack limit so that it ends in a `stack
//! overflow` panic rather than a crash. Scalars are formatted by [`crate::format`].

use crate::array::ArrayObject;
use crate::desc::{FieldDesc, TypeDesc, TypeKind};
use crate::format::{self, FormatSpec, Kind};
use crate::object::{desc_of, tag_of};
use std::cmp::Ordering;
use std::fmt::Write;

/// Reads a value of type `d` stored at `p`, as a slot (sign- or zero-extended).
///
/// # Safety
/// `p` must point to a value of type `d`, aligned to its size.
#[inline(always)]
pub unsafe fn load(p: *const u8, d: &TypeDesc) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match d.size {
            0 => 0,
            1 if d.kind == TypeKind::I8 as u32 => *p.cast::<i8>() as i64 as u64,
            1 => *p as u64,
            2 if d.kind == TypeKind::I16 as u32 => *p.cast::<i16>() as i64 as u64,
            2 => *p.cast::<u16>() as u64,
            4 if d.kind == TypeKind::I32 as u32 => *p.cast::<i32>() as i64 as u64,
            4 => *p.cast::<u32>() as u64,
            _ => *p.cast::<u64>(),
        }
    }
}

/// Writes a slot's value of type `d` at `p`, at the type's size.
///
/// # Safety
/// `p` must point to writable room for a value of type `d`, aligned to its size.
#[inline(always)]
pub unsafe fn store(p: *mut u8, d: &TypeDesc, v: u64) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match d.size {
            0 => {}
            1 => *p = v as u8,
            2 => *p.cast::<u16>() = v as u16,
            4 => *p.cast::<u32>() = v as u32,
            _ => *p.cast::<u64>() = v,
        }
    }
}

/// Raises `stack overflow` when the Rust stack reaches the Kiln stack limit (only
/// on the Kiln thread, whose limit is set; other threads are not checked).
#[inline(always)]
pub fn check_stack() {
    let limit = crate::panic::STACK_LIMIT.load(std::sync::atomic::Ordering::Relaxed);
    if limit == 0 {
        return;
    }
    let marker = 0u8;
    let sp = &marker as *const u8 as usize;
    // Only within the margin below the limit: a limit set for another thread's stack
    // must not fire here.
    if sp < limit && limit - sp < (1 << 20) {
        crate::panic::raise(std::ptr::null(), -1, "stack overflow".into());
    }
}

/// The bytes of a string slot.
///
/// # Safety
/// `v` must be a live string object.
#[inline(always)]
pub unsafe fn str_of<'a>(v: u64) -> &'a str {
    // SAFETY: guaranteed by the caller.
    unsafe { crate::string::as_str(v as *const u8) }
}

/// # Safety
/// `v` must be a live array object.
#[inline(always)]
unsafe fn arr<'a>(v: u64) -> &'a ArrayObject {
    // SAFETY: guaranteed by the caller.
    unsafe { &*(v as *const ArrayObject) }
}

/// The fields of the current variant of a live enum object.
///
/// # Safety
/// `v` must be a live enum object of type `d`.
#[inline(always)]
unsafe fn variant_fields(v: u64, d: &TypeDesc) -> (u32, &[FieldDesc]) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let tag = tag_of(v as *const u8);
        (tag, d.variants()[tag as usize].fields())
    }
}

/// Reads field `f` of the object `v`.
///
/// # Safety
/// `v` must be a live object that has the field `f`.
#[inline(always)]
unsafe fn field(v: u64, f: &FieldDesc) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe { load((v as *const u8).add(f.offset as usize), f.desc()) }
}

fn f64_cmp(x: f64, y: f64) -> Ordering {
    // NaN sorts after every number and equal to itself, so the order is total.
    x.partial_cmp(&y)
        .unwrap_or_else(|| x.is_nan().cmp(&y.is_nan()))
}

/// Structural equality (`==`). Floats compare as IEEE numbers (`NaN != NaN`).
///
/// # Safety
/// `a` and `b` must be values of type `d`.
pub unsafe fn eq(a: u64, b: u64, d: &TypeDesc) -> bool {
    check_stack();
    let (mut a, mut b, mut d) = (a, b, d);
    // SAFETY: `a` and `b` are values of type `d`; every child read below is a value
    // of the child's type, by the descriptors.
    unsafe {
        loop {
            match d.kind() {
                TypeKind::Unit => return true,
                TypeKind::F64 => return f64::from_bits(a) == f64::from_bits(b),
                TypeKind::F32 => return f32::from_bits(a as u32) == f32::from_bits(b as u32),
                TypeKind::Str => return a == b || str_of(a).as_bytes() == str_of(b).as_bytes(),
                TypeKind::Map => return crate::map::maps_equal(a as *const u8, b as *const u8),
                // Functions have no structural equality; inside a struct they
                // compare by identity.
                TypeKind::Closure => return a == b,
                TypeKind::Array => {
                    let (x, y) = (arr(a), arr(b));
                    if x.len != y.len {
                        return false;
                    }
                    let ed = d.elem();
                    let n = x.len as usize;
                    if n == 0 {
                        return true;
                    }
                    if !ed.is_ref() && !matches!(ed.kind(), TypeKind::F32 | TypeKind::F64) {
                        let bytes = n * ed.size as usize;
                        return bytes == 0
                            || std::slice::from_raw_parts(x.data, bytes)
                                == std::slice::from_raw_parts(y.data, bytes);
                    }
                    for i in 0..n - 1 {
                        if !eq(x.get(i, ed), y.get(i, ed), ed) {
                            return false;
                        }
                    }
                    (a, b, d) = (x.get(n - 1, ed), y.get(n - 1, ed), ed);
                }
                TypeKind::Tuple | TypeKind::Struct | TypeKind::Enum => {
                    let fields = if d.kind() == TypeKind::Enum {
                        let (ta, fa) = variant_fields(a, d);
                        if ta != tag_of(b as *const u8) {
                            return false;
                        }
                        fa
                    } else {
                        d.fields()
                    };
                    let Some((last, init)) = fields.split_last() else {
                        return true;
                    };
                    for f in init {
                        if !eq(field(a, f), field(b, f), f.desc()) {
                            return false;
                        }
                    }
                    (a, b, d) = (field(a, last), field(b, last), last.desc());
                }
                k if k.is_int() => return a == b,
                _ => return a == b,
            }
        }
    }
}

/// The ordering of `<`: numbers, chars, bools; strings byte-wise; tuples, arrays,
/// structs (field by field) and enums (tag, then fields) lexicographically. `NaN`
/// sorts after every number, so the order is total.
///
/// # Safety
/// `a` and `b` must be values of type `d`.
pub unsafe fn cmp(a: u64, b: u64, d: &TypeDesc) -> Ordering {
    check_stack();
    let (mut a, mut b, mut d) = (a, b, d);
    // SAFETY: as in `eq`.
    unsafe {
        loop {
            match d.kind() {
                TypeKind::Unit => return Ordering::Equal,
                TypeKind::Closure => return a.cmp(&b),
                TypeKind::F64 => return f64_cmp(f64::from_bits(a), f64::from_bits(b)),
                TypeKind::F32 => {
                    return f64_cmp(
                        f32::from_bits(a as u32) as f64,
                        f32::from_bits(b as u32) as f64,
                    )
                }
                TypeKind::I8 | TypeKind::I16 | TypeKind::I32 | TypeKind::I64 => {
                    return (a as i64).cmp(&(b as i64))
                }
                TypeKind::Str => return str_of(a).as_bytes().cmp(str_of(b).as_bytes()),
                TypeKind::Map => return crate::map::maps_cmp(a as *const u8, b as *const u8),
                TypeKind::Array => {
                    let (x, y) = (arr(a), arr(b));
                    let ed = d.elem();
                    let n = x.len.min(y.len) as usize;
                    let len_order = x.len.cmp(&y.len);
                    if n == 0 {
                        return len_order;
                    }
                    let loop_to = if len_order == Ordering::Equal {
                        n - 1
                    } else {
                        n
                    };
                    for i in 0..loop_to {
                        let c = cmp(x.get(i, ed), y.get(i, ed), ed);
                        if c != Ordering::Equal {
                            return c;
                        }
                    }
                    if len_order != Ordering::Equal {
                        return len_order;
                    }
                    (a, b, d) = (x.get(n - 1, ed), y.get(n - 1, ed), ed);
                }
                TypeKind::Tuple | TypeKind::Struct | TypeKind::Enum => {
                    let fields = if d.kind() == TypeKind::Enum {
                        let (ta, fa) = variant_fields(a, d);
                        let tb = tag_of(b as *const u8);
                        if ta != tb {
                            return ta.cmp(&tb);
                        }
                        fa
                    } else {
                        d.fields()
                    };
                    let Some((last, init)) = fields.split_last() else {
                        return Ordering::Equal;
                    };
                    for f in init {
                        let c = cmp(field(a, f), field(b, f), f.desc());
                        if c != Ordering::Equal {
                            return c;
                        }
                    }
                    (a, b, d) = (field(a, last), field(b, last), last.desc());
                }
                // bool, char and the unsigned integers are zero-extended.
                _ => return a.cmp(&b),
            }
        }
    }
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// A strong 64-bit mixer (the splitmix64 finaliser).
#[inline(always)]
pub fn mix(x: u64) -> u64 {
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline(always)]
fn combine(acc: u64, h: u64) -> u64 {
    (acc.rotate_left(5) ^ h).wrapping_mul(K)
}

/// The hash of a byte string (the hash of a `str`).
#[inline]
pub fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        h = combine(h, u64::from_le_bytes(c.try_into().expect("8 bytes")));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = combine(h, u64::from_le_bytes(w));
    }
    mix(h)
}

/// A hash consistent with [`eq`]: equal values hash equally.
///
/// # Safety
/// `v` must be a value of type `d`.
pub unsafe fn hash(v: u64, d: &TypeDesc) -> u64 {
    check_stack();
    // SAFETY: as in `eq`.
    unsafe {
        match d.kind() {
            TypeKind::Str => return hash_bytes(str_of(v).as_bytes()),
            TypeKind::Unit => return 0,
            TypeKind::Closure => return mix(v),
            TypeKind::F64 => {
                let x = f64::from_bits(v);
                return mix(if x == 0.0 { 0 } else { v });
            }
            TypeKind::F32 => {
                let x = f32::from_bits(v as u32);
                return mix(if x == 0.0 { 0 } else { v });
            }
            k if !k.is_ref() => return mix(v),
            _ => {}
        }
        let mut acc = K;
        let (mut v, mut d) = (v, d);
        loop {
            match d.kind() {
                TypeKind::Map => {
                    return mix(combine(acc, crate::map::map_hash(v as *const u8)));
                }
                TypeKind::Array => {
                    let x = arr(v);
                    let ed = d.elem();
                    let n = x.len as usize;
                    acc = combine(acc, n as u64);
                    if n == 0 {
                        return mix(acc);
                    }
                    for i in 0..n - 1 {
                        acc = combine(acc, hash(x.get(i, ed), ed));
                    }
                    (v, d) = (x.get(n - 1, ed), ed);
                }
                TypeKind::Tuple | TypeKind::Struct | TypeKind::Enum => {
                    let fields = if d.kind() == TypeKind::Enum {
                        let (tag, f) = variant_fields(v, d);
                        acc = combine(acc, tag as u64);
                        f
                    } else {
                        d.fields()
                    };
                    let Some((last, init)) = fields.split_last() else {
                        return mix(acc);
                    };
                    for f in init {
                        acc = combine(acc, hash(field(v, f), f.desc()));
                    }
                    (v, d) = (field(v, last), last.desc());
                }
                _ => return mix(combine(acc, hash(v, d))),
            }
        }
    }
}

/// Writes the text form of a value (LANGUAGE.md §7). `nested` selects the form used
/// inside containers (strings and chars quoted and escaped). `num` is applied to the
/// numbers (their precision and `+`), or `None` for the plain form.
///
/// # Safety
/// `v` must be a value of type `d`.
pub unsafe fn write_value(
    out: &mut String,
    v: u64,
    d: &TypeDesc,
    nested: bool,
    num: Option<&FormatSpec>,
) {
    check_stack();
    let mut closers: Vec<&'static str> = Vec::new();
    let (mut v, mut d, mut nested) = (v, d, nested);
    // SAFETY: as in `eq`; descriptor names are valid UTF-8 living as long as `d`.
    unsafe {
        loop {
            match d.kind() {
                TypeKind::Unit => out.push_str("()"),
                TypeKind::Closure => {
                    // The object's own descriptor names it (a function type's
                    // descriptor does not).
                    let own = &*crate::object::header(v as *const u8).desc;
                    match own.name() {
                        "" => out.push_str("<closure>"),
                        name => {
                            out.push_str("<fn ");
                            out.push_str(name);
                            out.push('>');
                        }
                    }
                }
                TypeKind::Bool => format::push_bool(out, v as i8, None),
                TypeKind::Char => {
                    let c = char::from_u32(v as u32).unwrap_or(char::REPLACEMENT_CHARACTER);
                    if nested {
                        let _ = write!(out, "{c:?}");
                    } else {
                        out.push(c);
                    }
                }
                TypeKind::F64 => format::push_f64(out, f64::from_bits(v), num),
                TypeKind::F32 => format::push_f32(out, f32::from_bits(v as u32), num),
                TypeKind::Str => {
                    let s = str_of(v);
                    if nested {
                        let _ = write!(out, "{s:?}");
                    } else {
                        out.push_str(s);
                    }
                }
                k @ (TypeKind::I8
                | TypeKind::I16
                | TypeKind::I32
                | TypeKind::I64
                | TypeKind::U8
                | TypeKind::U16
                | TypeKind::U32
                | TypeKind::U64) => format::push_int(out, v as i64, k.int_format_kind(), num),
                TypeKind::Map => {
                    let m = crate::map::map_of(v as *const u8);
                    if m.is_empty() {
                        out.push_str("[:]");
                    } else {
                        let (kd, vd) = (d.elem(), d.elem2());
                        out.push('[');
                        for (i, (k, x)) in m.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            write_value(out, k, kd, true, num);
                            out.push_str(": ");
                            write_value(out, x, vd, true, num);
                        }
                        out.push(']');
                    }
                }
                TypeKind::Array => {
                    let x = arr(v);
                    let ed = d.elem();
                    out.push('[');
                    let n = x.len as usize;
                    if n == 0 {
                        out.push(']');
                    } else {
                        for i in 0..n - 1 {
                            write_value(out, x.get(i, ed), ed, true, num);
                            out.push_str(", ");
                        }
                        closers.push("]");
                        (v, d, nested) = (x.get(n - 1, ed), ed, true);
                        continue;
                    }
                }
                TypeKind::Tuple => {
                    let fields = d.fields();
                    out.push('(');
                    match fields.split_last() {
                        None => out.push(')'),
                        Some((last, init)) => {
                            for f in init {
                                write_value(out, field(v, f), f.desc(), true, num);
                                out.push_str(", ");
                            }
                            closers.push(if fields.len() == 1 { ",)" } else { ")" });
                            (v, d, nested) = (field(v, last), last.desc(), true);
                            continue;
                        }
                    }
                }
                TypeKind::Struct | TypeKind::Enum => {
                    let (name, fields, labelled) = if d.kind() == TypeKind::Enum {
                        let tag = tag_of(v as *const u8) as usize;
                        let var = &d.variants()[tag];
                        (var.name(), var.fields(), var.labelled != 0)
                    } else {
                        (d.name(), d.fields(), true)
                    };
                    out.push_str(name);
                    if fields.is_empty() {
                        if d.kind() == TypeKind::Struct {
                            out.push_str("()");
                        }
                    } else {
                        out.push('(');
                        let (last, init) = fields.split_last().expect("non-empty");
                        for f in init {
                            if labelled {
                                out.push_str(f.name());
                                out.push_str(": ");
                            }
                            write_value(out, field(v, f), f.desc(), true, num);
                            out.push_str(", ");
                        }
                        if labelled {
                            out.push_str(last.name());
                            out.push_str(": ");
                        }
                        closers.push(")");
                        (v, d, nested) = (field(v, last), last.desc(), true);
                        continue;
                    }
                }
            }
            break;
        }
    }
    for c in closers.iter().rev() {
        out.push_str(c);
    }
}

/// Pushes a value formatted by an interpolation spec: scalars as [`crate::format`]
/// does; compound values' text (the in-container form for `?`) padded to the width,
/// with the precision and `+` applied to the numbers inside.
///
/// # Safety
/// `v` must be a value of type `d`.
pub unsafe fn push_formatted(out: &mut String, v: u64, d: &TypeDesc, spec: Option<&FormatSpec>) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let Some(spec) = spec else {
            write_value(out, v, d, false, None);
            return;
        };
        match d.kind() {
            k if k.is_int() => format::push_int(out, v as i64, k.int_format_kind(), Some(spec)),
            TypeKind::F64 => format::push_f64(out, f64::from_bits(v), Some(spec)),
            TypeKind::F32 => format::push_f32(out, f32::from_bits(v as u32), Some(spec)),
            TypeKind::Bool => format::push_bool(out, v as i8, Some(spec)),
            TypeKind::Char => format::push_char(out, v as u32, Some(spec)),
            TypeKind::Str => format::push_str(out, str_of(v), Some(spec)),
            TypeKind::Unit => format::push_text(out, "()", false, Some(spec)),
            _ => {
                let num = FormatSpec {
                    precision: spec.precision,
                    plus: spec.plus,
                    ..FormatSpec::default()
                };
                let num = (num != FormatSpec::default()).then_some(&num);
                let mut text = String::new();
                write_value(&mut text, v, d, spec.kind == Kind::Debug, num);
                let pad = FormatSpec {
                    precision: None,
                    plus: false,
                    zero: false,
                    kind: Kind::Display,
                    ..spec.clone()
                };
                format::push_text(out, &text, false, Some(&pad));
            }
        }
    }
}

/// The text form of a value, as a Rust string (top-level form).
///
/// # Safety
/// `v` must be a value of type `d`.
pub unsafe fn to_text(v: u64, d: &TypeDesc, nested: bool) -> String {
    let mut s = String::new();
    // SAFETY: guaranteed by the caller.
    unsafe { write_value(&mut s, v, d, nested, None) };
    s
}

/// `a == b` for values of any type.
///
/// # Safety
/// `a` and `b` must be values of the type `desc` describes.
pub unsafe extern "C-unwind" fn kiln_value_eq(a: u64, b: u64, desc: *const TypeDesc) -> i8 {
    // SAFETY: guaranteed by the caller.
    unsafe { eq(a, b, &*desc) as i8 }
}

/// -1, 0 or 1 as `a` is less than, equal to or greater than `b`.
///
/// # Safety
/// `a` and `b` must be values of the type `desc` describes.
pub unsafe extern "C-unwind" fn kiln_value_cmp(a: u64, b: u64, desc: *const TypeDesc) -> i32 {
    // SAFETY: guaranteed by the caller.
    unsafe { cmp(a, b, &*desc) as i32 }
}

/// The hash of a value, consistent with `==`.
///
/// # Safety
/// `v` must be a value of the type `desc` describes.
pub unsafe extern "C-unwind" fn kiln_value_hash(v: u64, desc: *const TypeDesc) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let d = &*desc;
        match d.kind {
            k if k == TypeKind::I64 as u32 => mix(v),
            k if k == TypeKind::Str as u32 => hash_bytes(str_of(v).as_bytes()),
            _ => hash(v, d),
        }
    }
}

/// Prints a value's text form (top-level: strings and chars raw) to a stream.
///
/// # Safety
/// `v` must be a value of the type `desc` describes.
pub unsafe extern "C-unwind" fn kiln_print_value(stream: i32, v: u64, desc: *const TypeDesc) {
    // SAFETY: guaranteed by the caller.
    let text = unsafe { to_text(v, &*desc, false) };
    crate::output::write_str(stream, &text);
}

/// Pushes a value's text, formatted by `spec` (null for none), to a string builder.
///
/// # Safety
/// `sb` must be a live builder from `kiln_sb_new`, `v` a value of the type `desc`
/// describes, and `spec` null or a live `FormatSpec`.
pub unsafe extern "C-unwind" fn kiln_sb_push_value(
    sb: *mut String,
    v: u64,
    desc: *const TypeDesc,
    spec: *const FormatSpec,
) {
    // SAFETY: guaranteed by the caller.
    unsafe { push_formatted(&mut *sb, v, &*desc, spec.as_ref()) }
}

/// `x.to_str()`: the value's top-level text form as a new string.
///
/// # Safety
/// `v` must be a value of the type `desc` describes.
pub unsafe extern "C-unwind" fn kiln_to_str(v: u64, desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    let text = unsafe { to_text(v, &*desc, false) };
    crate::string::new_str(&text)
}

/// The top-level text form of any live object (for hosts and debugging).
///
/// # Safety
/// `obj` must be a live object.
pub unsafe fn object_text(obj: *const u8) -> String {
    // SAFETY: guaranteed by the caller.
    unsafe { to_text(obj as u64, desc_of(obj), false) }
}
