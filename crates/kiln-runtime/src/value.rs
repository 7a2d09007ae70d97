//! Generic operations on Kiln values of any type, driven by type descriptors:
//! loading and storing values at their size inside objects, structural equality,
//! ordering, hashing, and the text forms of LANGUAGE.md §7.
//!
//! Values travel as *slots* (`u64`, see docs/RUNTIME-ABI.md). Everything here only
//! reads the values it is given: it never changes a reference count or an object,
//! except for the header bit [`FLAG_ON_PRINT_PATH`] that printing sets on the objects
//! of its path and clears before it returns.
//!
//! Values may contain cycles and may nest as deep as memory allows, and every
//! operation here must still end without exhausting the native stack:
//! - equality and printing walk a value with an explicit stack of the objects on the
//!   current path ([`SmallStack`], inline for small values); equality treats a pair of
//!   objects met again as equal (co-inductive equality), printing writes a marker for
//!   an object met again on its path;
//! - hashing looks only at a fixed number of levels, which keeps it consistent with
//!   that equality;
//! - ordering exists only for numbers, chars, strings and arrays and tuples of them
//!   (`Ty::has_order`), which can neither be cyclic nor nest deeper than their type, so
//!   it recurses, with the last child handled by a loop.
//!
//! Scalars are formatted by [`crate::format`].

use crate::array::ArrayObject;
use crate::desc::{FieldDesc, TypeDesc, TypeKind};
use crate::format::{self, FormatSpec, Kind};
use crate::map::map_of;
use crate::object::{desc_of, header, tag_of, FLAG_ON_PRINT_PATH};
use crate::small_stack::SmallStack;
use std::cmp::Ordering;
use std::collections::HashSet;
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
        crate::panic::raise_untraced("stack overflow".into());
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

/// How many levels of its path a walk over a value keeps without allocating; also
/// how deep equality goes before it remembers pairs of objects, and how often after
/// that (every `SHALLOW` levels). Comparing small values needs no heap.
const SHALLOW: usize = 16;

/// What looking at one pair of values (or one value) found.
enum Visit<F> {
    Equal,
    Differ,
    /// A compound pair with compound children still to compare.
    Open(F),
}

/// A pair of compound objects whose children are being compared.
#[derive(Clone, Copy)]
struct EqFrame<'a> {
    a: u64,
    b: u64,
    d: &'a TypeDesc,
    /// The next child to compare.
    next: usize,
    /// The number of children (for a map, its entries including removed ones).
    len: usize,
    depth: usize,
}

/// The next pair a comparison must look at, given by the child of an [`EqFrame`].
enum EqChild<'a> {
    Pair(u64, u64, &'a TypeDesc),
    /// A removed map entry, or a leaf field compared already.
    Skip,
    /// `b` has no entry for a key of `a`.
    Missing,
}

/// Structural equality (`==`). Floats compare as IEEE numbers (`NaN != NaN`).
///
/// Values may contain cycles (LANGUAGE.md §2), so equality is the co-inductive one:
/// two values are equal when no walk through both reaches a difference. The walk
/// keeps its path on an explicit stack (a chain a million levels deep needs no native
/// stack). Past [`SHALLOW`] levels it remembers the pair of objects it meets at every
/// `SHALLOW`-th level, and a remembered pair met again counts as equal: on a cycle some
/// remembered pair must come round again, so comparing two cycles ends. A returned
/// `false` is always a real difference.
///
/// # Safety
/// `a` and `b` must be values of type `d`.
pub unsafe fn eq(a: u64, b: u64, d: &TypeDesc) -> bool {
    check_stack();
    let mut path: SmallStack<EqFrame, SHALLOW> = SmallStack::new();
    let mut seen: Option<HashSet<(u64, u64)>> = None;
    let (mut a, mut b, mut d, mut depth) = (a, b, d, 0);
    // SAFETY: `a` and `b` are values of type `d`; every child read below is a value
    // of the child's type, by the descriptors.
    unsafe {
        loop {
            match eq_visit(a, b, d, depth) {
                Visit::Differ => return false,
                Visit::Equal => {}
                Visit::Open(frame) => {
                    let first_time = depth < SHALLOW
                        || depth % SHALLOW != 0
                        || seen.get_or_insert_with(HashSet::new).insert((a, b));
                    if first_time {
                        path.push(frame);
                    }
                }
            }
            loop {
                let Some(top) = path.last_mut() else {
                    return true;
                };
                let i = top.next;
                top.next += 1;
                let frame = *top;
                // After its last child a frame has nothing left to do: dropping it
                // first keeps a long chain (a linked list) at a constant depth.
                if frame.next == frame.len {
                    path.pop();
                }
                match eq_child(&frame, i) {
                    EqChild::Pair(x, y, cd) => {
                        (a, b, d, depth) = (x, y, cd, frame.depth + 1);
                        break;
                    }
                    EqChild::Skip => {}
                    EqChild::Missing => return false,
                }
            }
        }
    }
}

/// Whether values of type `d` have no children: scalars and strings. Compound values
/// compare their leaf children at once and open a frame only for the others.
#[inline(always)]
fn is_leaf(d: &TypeDesc) -> bool {
    !d.is_ref() || d.kind() == TypeKind::Str
}

/// `a == b` for leaf values (see [`is_leaf`]).
///
/// # Safety
/// `a` and `b` must be values of type `d`, a leaf type.
#[inline(always)]
unsafe fn leaf_eq(a: u64, b: u64, d: &TypeDesc) -> bool {
    match d.kind() {
        TypeKind::Unit => true,
        TypeKind::F64 => f64::from_bits(a) == f64::from_bits(b),
        TypeKind::F32 => f32::from_bits(a as u32) == f32::from_bits(b as u32),
        // SAFETY: guaranteed by the caller.
        TypeKind::Str => a == b || unsafe { str_of(a).as_bytes() == str_of(b).as_bytes() },
        _ => a == b,
    }
}

/// Compares `a` and `b` as far as that needs no walk into compound children.
///
/// # Safety
/// `a` and `b` must be values of type `d`.
#[inline(always)]
unsafe fn eq_visit(a: u64, b: u64, d: &TypeDesc, depth: usize) -> Visit<EqFrame<'_>> {
    let same = |x: bool| if x { Visit::Equal } else { Visit::Differ };
    let open = |len: usize| {
        Visit::Open(EqFrame {
            a,
            b,
            d,
            next: 0,
            len,
            depth,
        })
    };
    // SAFETY: guaranteed by the caller.
    unsafe {
        match d.kind() {
            // Functions have no structural equality; inside a struct they compare
            // by identity.
            TypeKind::Closure | TypeKind::Generator => same(a == b),
            TypeKind::Map => {
                let (x, y) = (map_of(a as *const u8), map_of(b as *const u8));
                if x.len() != y.len() {
                    Visit::Differ
                } else if x.is_empty() {
                    Visit::Equal
                } else {
                    open(x.entries.len())
                }
            }
            TypeKind::Array => {
                let (x, y) = (arr(a), arr(b));
                if x.len != y.len {
                    return Visit::Differ;
                }
                let ed = d.elem();
                let n = x.len as usize;
                if n == 0 {
                    return Visit::Equal;
                }
                if !ed.is_ref() && !matches!(ed.kind(), TypeKind::F32 | TypeKind::F64) {
                    let bytes = n * ed.size as usize;
                    return same(
                        bytes == 0
                            || std::slice::from_raw_parts(x.data, bytes)
                                == std::slice::from_raw_parts(y.data, bytes),
                    );
                }
                if is_leaf(ed) {
                    return same((0..n).all(|i| leaf_eq(x.get(i, ed), y.get(i, ed), ed)));
                }
                open(n)
            }
            TypeKind::Tuple | TypeKind::Struct | TypeKind::Enum => {
                if d.kind() == TypeKind::Enum && tag_of(a as *const u8) != tag_of(b as *const u8) {
                    return Visit::Differ;
                }
                let fields = compound_fields(a, d);
                let mut compound = false;
                for f in fields {
                    let fd = f.desc();
                    if !is_leaf(fd) {
                        compound = true;
                    } else if !leaf_eq(field(a, f), field(b, f), fd) {
                        return Visit::Differ;
                    }
                }
                if compound {
                    open(fields.len())
                } else {
                    Visit::Equal
                }
            }
            _ => same(leaf_eq(a, b, d)),
        }
    }
}

/// Child `i` of a compound pair.
///
/// # Safety
/// `f` must hold live objects of type `f.d`, and `i < f.len`.
#[inline(always)]
unsafe fn eq_child<'a>(f: &EqFrame<'a>, i: usize) -> EqChild<'a> {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (a, b, d) = (f.a, f.b, f.d);
        match d.kind() {
            TypeKind::Array => {
                let ed = d.elem();
                EqChild::Pair(arr(a).get(i, ed), arr(b).get(i, ed), ed)
            }
            TypeKind::Map => match map_of(a as *const u8).entries[i] {
                None => EqChild::Skip,
                Some(e) => match crate::map::lookup(b as *const u8, e.key) {
                    Some(w) => EqChild::Pair(e.value, w, d.elem2()),
                    None => EqChild::Missing,
                },
            },
            _ => {
                let fd = &compound_fields(a, d)[i];
                if is_leaf(fd.desc()) {
                    // Compared already, by `eq_visit`.
                    return EqChild::Skip;
                }
                EqChild::Pair(field(a, fd), field(b, fd), fd.desc())
            }
        }
    }
}

/// The fields of a tuple, struct, or the current variant of an enum object.
///
/// # Safety
/// `v` must be a live object of type `d`, a tuple, struct or enum.
#[inline(always)]
unsafe fn compound_fields(v: u64, d: &TypeDesc) -> &[FieldDesc] {
    // SAFETY: guaranteed by the caller.
    unsafe {
        if d.kind() == TypeKind::Enum {
            variant_fields(v, d).1
        } else {
            d.fields()
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
                TypeKind::Closure | TypeKind::Generator => return a.cmp(&b),
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

/// How many levels of a value its hash looks at. Cyclic values can be map keys, so a
/// hash cannot look at everything; stopping at a fixed depth keeps it consistent with
/// [`eq`], because values that are equal look the same down to any depth.
const HASH_DEPTH: usize = 64;

/// A hash consistent with [`eq`]: equal values hash equally. Only the first
/// [`HASH_DEPTH`] levels of a value count.
///
/// # Safety
/// `v` must be a value of type `d`.
pub unsafe fn hash(v: u64, d: &TypeDesc) -> u64 {
    check_stack();
    // SAFETY: guaranteed by the caller.
    unsafe { hash_at(v, d, 0) }
}

/// The hash of `v` met `depth` levels inside the value being hashed. Recursion is
/// bounded by [`HASH_DEPTH`].
///
/// # Safety
/// `v` must be a value of type `d`.
pub(crate) unsafe fn hash_at(v: u64, d: &TypeDesc, depth: usize) -> u64 {
    // SAFETY: as in `eq`.
    unsafe {
        match d.kind() {
            TypeKind::Str => return hash_bytes(str_of(v).as_bytes()),
            TypeKind::Unit => return 0,
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
        let (mut v, mut d, mut depth) = (v, d, depth);
        loop {
            if depth >= HASH_DEPTH {
                return mix(acc);
            }
            match d.kind() {
                TypeKind::Closure | TypeKind::Generator => return mix(combine(acc, v)),
                TypeKind::Map => {
                    return mix(combine(acc, crate::map::map_hash(v as *const u8, depth)));
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
                        acc = combine(acc, hash_at(x.get(i, ed), ed, depth + 1));
                    }
                    (v, d) = (x.get(n - 1, ed), ed);
                }
                TypeKind::Tuple | TypeKind::Struct | TypeKind::Enum => {
                    if d.kind() == TypeKind::Enum {
                        acc = combine(acc, tag_of(v as *const u8) as u64);
                    }
                    let Some((last, init)) = compound_fields(v, d).split_last() else {
                        return mix(acc);
                    };
                    for f in init {
                        acc = combine(acc, hash_at(field(v, f), f.desc(), depth + 1));
                    }
                    (v, d) = (field(v, last), last.desc());
                }
                _ => return mix(combine(acc, hash_at(v, d, depth))),
            }
            depth += 1;
        }
    }
}

/// A compound object whose children are being printed.
#[derive(Clone, Copy)]
struct PrintFrame<'a> {
    v: u64,
    d: &'a TypeDesc,
    /// The next child to print (for a map, key and value of each entry count as two).
    next: usize,
    len: usize,
    /// Whether a child was printed yet (maps skip removed entries).
    wrote: bool,
}

/// The objects being printed on the current path: those whose text was opened and not
/// closed yet. Each carries [`FLAG_ON_PRINT_PATH`] while it is on the path, so an
/// object met again there (a cycle) is found in constant time, however deep the path.
struct PrintPath<'a> {
    frames: SmallStack<PrintFrame<'a>, SHALLOW>,
}

impl<'a> PrintPath<'a> {
    /// Adds `f` to the path, or returns `false` if its object is on the path already.
    ///
    /// # Safety
    /// `f.v` must be a live object.
    unsafe fn push(&mut self, f: PrintFrame<'a>) -> bool {
        // SAFETY: guaranteed by the caller.
        let h = unsafe { header(f.v as *const u8) };
        if h.flags & FLAG_ON_PRINT_PATH != 0 {
            return false;
        }
        h.flags |= FLAG_ON_PRINT_PATH;
        self.frames.push(f);
        true
    }

    fn pop(&mut self) -> Option<PrintFrame<'a>> {
        let f = self.frames.pop()?;
        // SAFETY: the object was live when pushed and is still: printing changes no
        // reference count.
        unsafe { header(f.v as *const u8).flags &= !FLAG_ON_PRINT_PATH };
        Some(f)
    }
}

impl Drop for PrintPath<'_> {
    /// Clears the marks of a walk that did not finish (only if it unwinds), so that no
    /// object keeps a stale mark.
    fn drop(&mut self) {
        while self.pop().is_some() {}
    }
}

/// Writes the text form of a value (LANGUAGE.md §7). `nested` selects the form used
/// inside containers (strings and chars quoted and escaped). `num` is applied to the
/// numbers (their precision and `+`), or `None` for the plain form.
///
/// The walk keeps its path on an explicit stack, so a value nested a million levels
/// deep needs no native stack. An object met again while it is still being printed
/// (a cycle) is written as a marker instead of its contents: `[...]` for an array or
/// map, `(...)` for a tuple, `Name(...)` for a struct or enum variant.
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
    let mut path = PrintPath {
        frames: SmallStack::new(),
    };
    let (mut v, mut d, mut nested) = (v, d, nested);
    // SAFETY: as in `eq`; descriptor names are valid UTF-8 living as long as `d`.
    unsafe {
        loop {
            let len = print_children(v, d);
            if len == 0 {
                write_leaf(out, v, d, nested, num);
            } else if path.push(PrintFrame {
                v,
                d,
                next: 0,
                len,
                wrote: false,
            }) {
                write_opener(out, v, d);
            } else {
                write_marker(out, v, d);
            }
            // Find the next child to print, closing every finished object on the way.
            loop {
                let Some(top) = path.frames.last_mut() else {
                    return;
                };
                if top.next == top.len {
                    let f = path.pop().expect("a frame");
                    out.push_str(closer(f.d));
                    continue;
                }
                if let Some(child) = next_print_child(out, top) {
                    (v, d) = child;
                    nested = true;
                    break;
                }
            }
        }
    }
}

/// How many children of `v` its text shows (0 for scalars, strings and empty
/// compound values); for a map, two per entry including removed ones.
///
/// # Safety
/// `v` must be a value of type `d`.
#[inline(always)]
unsafe fn print_children(v: u64, d: &TypeDesc) -> usize {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match d.kind() {
            TypeKind::Array => arr(v).len as usize,
            TypeKind::Map => {
                let m = crate::map::map_of(v as *const u8);
                if m.is_empty() {
                    0
                } else {
                    2 * m.entries.len()
                }
            }
            TypeKind::Tuple | TypeKind::Struct | TypeKind::Enum => compound_fields(v, d).len(),
            _ => 0,
        }
    }
}

/// Writes the separator and label before the frame's next child and returns that
/// child, or `None` when the child is part of a removed map entry.
///
/// # Safety
/// `f.v` must be a live object of type `f.d` and `f.next < f.len`.
unsafe fn next_print_child<'a>(
    out: &mut String,
    f: &mut PrintFrame<'a>,
) -> Option<(u64, &'a TypeDesc)> {
    let i = f.next;
    f.next += 1;
    // SAFETY: guaranteed by the caller; descriptor names are valid UTF-8.
    unsafe {
        let d = f.d;
        let child = match d.kind() {
            TypeKind::Array => {
                let ed = d.elem();
                (arr(f.v).get(i, ed), ed)
            }
            TypeKind::Map => {
                let e = crate::map::map_of(f.v as *const u8).entries[i / 2]?;
                if i.is_multiple_of(2) {
                    if f.wrote {
                        out.push_str(", ");
                    }
                    f.wrote = true;
                    return Some((e.key, d.elem()));
                }
                out.push_str(": ");
                return Some((e.value, d.elem2()));
            }
            _ => {
                let fd = &compound_fields(f.v, d)[i];
                if i > 0 {
                    out.push_str(", ");
                }
                if labelled(f.v, d) {
                    out.push_str(fd.name());
                    out.push_str(": ");
                }
                return Some((field(f.v, fd), fd.desc()));
            }
        };
        if i > 0 {
            out.push_str(", ");
        }
        Some(child)
    }
}

/// Whether the fields of `v` print with their names: a struct's always, an enum
/// variant's when it was declared with names (`Rect(w: 2.0, h: 3.0)`).
///
/// # Safety
/// `v` must be a live object of type `d`, a tuple, struct or enum.
#[inline(always)]
unsafe fn labelled(v: u64, d: &TypeDesc) -> bool {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match d.kind() {
            TypeKind::Struct => true,
            TypeKind::Enum => d.variants()[tag_of(v as *const u8) as usize].labelled != 0,
            _ => false,
        }
    }
}

/// The name printed before the parenthesis of a struct or enum variant, else "".
///
/// # Safety
/// `v` must be a live object of type `d`.
unsafe fn type_name(v: u64, d: &TypeDesc) -> &str {
    // SAFETY: guaranteed by the caller; descriptor names are valid UTF-8.
    unsafe {
        match d.kind() {
            TypeKind::Struct => d.name(),
            TypeKind::Enum => d.variants()[tag_of(v as *const u8) as usize].name(),
            _ => "",
        }
    }
}

/// Writes the start of a compound value's text, up to its first child.
///
/// # Safety
/// `v` must be a live object of type `d`, not a string.
unsafe fn write_opener(out: &mut String, v: u64, d: &TypeDesc) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match d.kind() {
            TypeKind::Array | TypeKind::Map => out.push('['),
            _ => {
                out.push_str(type_name(v, d));
                out.push('(');
            }
        }
    }
}

/// The end of a compound value's text, after its last child.
///
/// # Safety
/// `d` must be the descriptor of a compound type.
unsafe fn closer(d: &TypeDesc) -> &'static str {
    match d.kind() {
        TypeKind::Array | TypeKind::Map => "]",
        // SAFETY: `d` is a tuple descriptor.
        TypeKind::Tuple if unsafe { d.fields() }.len() == 1 => ",)",
        _ => ")",
    }
}

/// Writes what stands for an object met again while it is being printed.
///
/// # Safety
/// `v` must be a live object of type `d`, not a string.
unsafe fn write_marker(out: &mut String, v: u64, d: &TypeDesc) {
    match d.kind() {
        TypeKind::Array | TypeKind::Map => out.push_str("[...]"),
        _ => {
            // SAFETY: guaranteed by the caller.
            out.push_str(unsafe { type_name(v, d) });
            out.push_str("(...)");
        }
    }
}

/// Writes a value that shows no children: a scalar, a string, or an empty compound.
///
/// # Safety
/// `v` must be a value of type `d`.
unsafe fn write_leaf(
    out: &mut String,
    v: u64,
    d: &TypeDesc,
    nested: bool,
    num: Option<&FormatSpec>,
) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match d.kind() {
            TypeKind::Unit => out.push_str("()"),
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
            k if k.is_int() => format::push_int(out, v as i64, k.int_format_kind(), num),
            TypeKind::Generator => out.push_str("<gen>"),
            TypeKind::Closure => {
                // The object's own descriptor names it (a function type's does not).
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
            TypeKind::Map => out.push_str("[:]"),
            TypeKind::Array => out.push_str("[]"),
            TypeKind::Tuple => out.push_str("()"),
            // A struct without fields prints `Name()`, a variant without fields `Name`.
            TypeKind::Struct => {
                out.push_str(d.name());
                out.push_str("()");
            }
            _ => out.push_str(type_name(v, d)),
        }
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
