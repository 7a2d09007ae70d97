//! Kiln arrays (`[T]`): growable, packed at the element's size, and every array
//! operation compiled code calls.
//!
//! An array object is the header, `len` @16, `cap` @24 and `data` @32 (a buffer of
//! `cap` elements from [`crate::alloc`]; null while `cap * size` is 0). Values go in
//! and out as slots. The array owns one reference to every pointer element: storing
//! consumes the caller's reference (`push`, `set`, `insert`), reading for the caller
//! retains unless the function's contract says the result is borrowed, and removing
//! an element hands its reference over. This module must never read or write past
//! `len` elements, nor leave a pointer element without the reference it owns.

use crate::alloc::{alloc_object, realloc_bytes};
use crate::desc::{TypeDesc, TypeKind};
use crate::object::{kiln_clone, none, release_slot, retain_slot, some, Header, ARRAY_OBJECT_SIZE};
use crate::panic::{raise, PanicKind};
use crate::value::{cmp, eq, load, store};
use std::cmp::Ordering;
use std::ptr;

/// The layout of an array object.
#[repr(C)]
pub struct ArrayObject {
    pub header: Header,
    pub len: u64,
    pub cap: u64,
    pub data: *mut u8,
}

impl ArrayObject {
    /// Element `i` (borrowed).
    ///
    /// # Safety
    /// `i < len` and `ed` is the element descriptor.
    #[inline(always)]
    pub unsafe fn get(&self, i: usize, ed: &TypeDesc) -> u64 {
        // SAFETY: guaranteed by the caller.
        unsafe { load(self.data.add(i * ed.size as usize), ed) }
    }

    /// Overwrites element `i` without touching reference counts.
    ///
    /// # Safety
    /// `i < cap` and `ed` is the element descriptor.
    #[inline(always)]
    unsafe fn put(&mut self, i: usize, ed: &TypeDesc, v: u64) {
        // SAFETY: guaranteed by the caller.
        unsafe { store(self.data.add(i * ed.size as usize), ed, v) }
    }
}

/// The array and its element descriptor.
///
/// # Safety
/// `a` must be a live array object.
#[inline(always)]
pub unsafe fn parts<'a>(a: *mut u8) -> (&'a mut ArrayObject, &'a TypeDesc) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let obj = &mut *a.cast::<ArrayObject>();
        let ed = (*obj.header.desc).elem();
        (obj, ed)
    }
}

fn bytes_for(cap: usize, size: usize) -> usize {
    cap.checked_mul(size)
        .filter(|&b| b <= isize::MAX as usize)
        .unwrap_or_else(|| crate::string::out_of_memory())
}

/// A new empty array of type `desc` with room for `cap` elements.
///
/// # Safety
/// `desc` must be a well-formed array descriptor.
pub unsafe fn new_array(desc: *const TypeDesc, cap: usize) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    let size = unsafe { (*desc).elem().size as usize };
    let bytes = bytes_for(cap, size);
    let data = if bytes == 0 {
        ptr::null_mut()
    } else {
        crate::alloc::alloc_bytes(bytes)
    };
    let p = alloc_object(ARRAY_OBJECT_SIZE, desc);
    // SAFETY: `p` is a fresh array-sized object.
    unsafe {
        let a = &mut *p.cast::<ArrayObject>();
        a.len = 0;
        a.cap = if bytes == 0 && size == 0 {
            u64::MAX
        } else {
            cap as u64
        };
        a.data = data;
    }
    p
}

/// Makes room for `extra` more elements.
///
/// # Safety
/// `a` must be a live array with element descriptor `ed`.
#[inline]
unsafe fn reserve(a: &mut ArrayObject, ed: &TypeDesc, extra: usize) {
    let need = (a.len as usize)
        .checked_add(extra)
        .unwrap_or_else(|| crate::string::out_of_memory());
    if need as u64 <= a.cap {
        return;
    }
    let size = ed.size as usize;
    let new_cap = need.max(a.cap as usize * 2).max(4);
    let new_bytes = bytes_for(new_cap, size);
    a.data = if a.data.is_null() {
        crate::alloc::alloc_bytes(new_bytes)
    } else {
        // SAFETY: the buffer holds `cap * size` bytes from `alloc_bytes`.
        unsafe { realloc_bytes(a.data, a.cap as usize * size, new_bytes) }
    };
    a.cap = new_cap as u64;
}

/// Appends a value the array takes over.
///
/// # Safety
/// `arr` must be a live array and `v` a value of its element type, owned.
#[inline]
pub unsafe fn push(arr: *mut u8, v: u64) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (a, ed) = parts(arr);
        if a.len == a.cap {
            reserve(a, ed, 1);
        }
        a.put(a.len as usize, ed, v);
        a.len += 1;
    }
}

/// Raises `index out of bounds: index I, length N`.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe fn index_oob(fp: *const u8, site: i32, index: i64, len: i64) -> ! {
    let message = format!("index out of bounds: index {index}, length {len}");
    // SAFETY: `fp` is as the caller received it, under the same contract.
    unsafe { raise(fp, site, message) }
}

/// Raises `index out of bounds: index I, length N` (for inlined bounds checks).
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_index_oob(fp: *const u8, site: i32, index: i64, len: i64) {
    // SAFETY: guaranteed by the caller.
    unsafe { index_oob(fp, site, index, len) }
}

/// `i` as an index into `len` elements, or the index panic.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
#[inline(always)]
unsafe fn check_index(fp: *const u8, site: i32, i: i64, len: u64) -> usize {
    if i < 0 || i as u64 >= len {
        // SAFETY: guaranteed by the caller.
        unsafe { index_oob(fp, site, i, len as i64) };
    }
    i as usize
}

/// `[]` / `[a, b, c]`: a new empty array with room for `cap` elements.
///
/// # Safety
/// `desc` must be a well-formed array descriptor.
pub unsafe extern "C-unwind" fn kiln_array_new(desc: *const TypeDesc, cap: i64) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe { new_array(desc, cap.max(0) as usize) }
}

/// `a.len()`.
///
/// # Safety
/// `arr` must be a live array.
pub unsafe extern "C-unwind" fn kiln_array_len(arr: *mut u8) -> i64 {
    // SAFETY: guaranteed by the caller.
    unsafe { (*arr.cast::<ArrayObject>()).len as i64 }
}

/// `a.push(v)`; consumes `v`.
///
/// # Safety
/// `arr` must be a live array and `v` an owned value of its element type.
pub unsafe extern "C-unwind" fn kiln_array_push(arr: *mut u8, v: u64) {
    // SAFETY: guaranteed by the caller.
    unsafe { push(arr, v) }
}

/// `a.pop()`: `Some(last)` (moved out of the array) or `None`.
///
/// # Safety
/// `arr` must be a live array and `opt_desc` the descriptor of `Option<T>`.
pub unsafe extern "C-unwind" fn kiln_array_pop(arr: *mut u8, opt_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller; the popped element's reference moves into
    // the option.
    unsafe {
        let (a, ed) = parts(arr);
        if a.len == 0 {
            return none(opt_desc);
        }
        a.len -= 1;
        let v = a.get(a.len as usize, ed);
        some(opt_desc, v)
    }
}

/// `a[i]`, bounds-checked; the result is borrowed.
///
/// # Safety
/// `arr` must be a live array.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_array_get(
    fp: *const u8,
    site: i32,
    arr: *mut u8,
    i: i64,
) -> u64 {
    // SAFETY: guaranteed by the caller; `i` is checked against `len`.
    unsafe {
        let (a, ed) = parts(arr);
        let i = check_index(fp, site, i, a.len);
        a.get(i, ed)
    }
}

/// `a[i] = v`; consumes `v` and releases the element it replaces.
///
/// # Safety
/// `arr` must be a live array and `v` an owned value of its element type.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_array_set(
    fp: *const u8,
    site: i32,
    arr: *mut u8,
    i: i64,
    v: u64,
) {
    // SAFETY: guaranteed by the caller; `i` is checked against `len`.
    unsafe {
        let (a, ed) = parts(arr);
        let i = match i {
            i if i >= 0 && (i as u64) < a.len => i as usize,
            _ => {
                release_slot(v, ed);
                index_oob(fp, site, i, a.len as i64)
            }
        };
        let old = a.get(i, ed);
        a.put(i, ed, v);
        release_slot(old, ed);
    }
}

/// `a.insert(i, v)` for `0 <= i <= len`; consumes `v`.
///
/// # Safety
/// `arr` must be a live array and `v` an owned value of its element type.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_array_insert(
    fp: *const u8,
    site: i32,
    arr: *mut u8,
    i: i64,
    v: u64,
) {
    // SAFETY: guaranteed by the caller; `i` is checked against `len` and the buffer
    // has room for one more element after `reserve`.
    unsafe {
        let (a, ed) = parts(arr);
        if i < 0 || i as u64 > a.len {
            release_slot(v, ed);
            index_oob(fp, site, i, a.len as i64);
        }
        reserve(a, ed, 1);
        let size = ed.size as usize;
        let i = i as usize;
        if size > 0 {
            let at = a.data.add(i * size);
            ptr::copy(at, at.add(size), (a.len as usize - i) * size);
        }
        a.put(i, ed, v);
        a.len += 1;
    }
}

/// `a.remove(i)`: the element, moved out (owned).
///
/// # Safety
/// `arr` must be a live array.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_array_remove(
    fp: *const u8,
    site: i32,
    arr: *mut u8,
    i: i64,
) -> u64 {
    // SAFETY: guaranteed by the caller; `i` is checked against `len`.
    unsafe {
        let (a, ed) = parts(arr);
        let i = check_index(fp, site, i, a.len);
        let v = a.get(i, ed);
        let size = ed.size as usize;
        if size > 0 {
            let at = a.data.add(i * size);
            ptr::copy(at.add(size), at, (a.len as usize - i - 1) * size);
        }
        a.len -= 1;
        v
    }
}

/// `[v; n]`: `n` elements, each `v.clone()` (a shallow copy) for reference types;
/// `v` is borrowed.
///
/// # Safety
/// `desc` must be a well-formed array descriptor and `v` a value of its element type.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_array_repeat(
    fp: *const u8,
    site: i32,
    desc: *const TypeDesc,
    v: u64,
    n: i64,
) -> *mut u8 {
    if n < 0 {
        // SAFETY: guaranteed by the caller.
        unsafe { raise(fp, site, format!("negative count: {n}")) };
    }
    let n = n as usize;
    // SAFETY: guaranteed by the caller; the array has room for `n` elements.
    unsafe {
        let arr = new_array(desc, n);
        let (a, ed) = parts(arr);
        if ed.is_ref() {
            for i in 0..n {
                a.put(i, ed, kiln_clone(v as *mut u8) as u64);
                a.len = i as u64 + 1;
            }
        } else if v == 0 || ed.size == 0 {
            if !a.data.is_null() {
                a.data.write_bytes(0, n * ed.size as usize);
            }
            a.len = n as u64;
        } else {
            for i in 0..n {
                a.put(i, ed, v);
            }
            a.len = n as u64;
        }
        arr
    }
}

/// The panic of a slice whose start is after its end (`a[3..1]`), as Rust words it.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub(crate) unsafe fn reversed_slice(fp: *const u8, site: i32, lo: i64, hi: i64) -> ! {
    // SAFETY: guaranteed by the caller.
    unsafe { crate::panic::raise(fp, site, format!("slice starts at {lo} but ends at {hi}")) }
}

/// `a[lo..hi]`: a new array sharing (retaining) the elements. `0 <= lo <= hi <= len`,
/// else the index panic (for a bound outside the array) or [`reversed_slice`].
///
/// # Safety
/// `arr` must be a live array.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_array_slice(
    fp: *const u8,
    site: i32,
    arr: *mut u8,
    lo: i64,
    hi: i64,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller; the range is checked against `len`.
    unsafe {
        let (a, ed) = parts(arr);
        let len = a.len as i64;
        if hi < 0 || hi > len {
            index_oob(fp, site, hi, len);
        }
        if lo < 0 || lo > len {
            index_oob(fp, site, lo, len);
        }
        if lo > hi {
            reversed_slice(fp, site, lo, hi);
        }
        let (lo, hi) = (lo as usize, hi as usize);
        copy_range(a.header.desc, a, ed, lo, hi)
    }
}

/// A new array of type `desc` holding elements `lo..hi` of `a`, retained.
///
/// # Safety
/// `lo <= hi <= a.len`, `ed` is `a`'s element descriptor and `desc` an array
/// descriptor with the same element type.
unsafe fn copy_range(
    desc: *const TypeDesc,
    a: &ArrayObject,
    ed: &TypeDesc,
    lo: usize,
    hi: usize,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller; the new array has room for `hi - lo`.
    unsafe {
        let n = hi - lo;
        let out = new_array(desc, n);
        let (o, _) = parts(out);
        let size = ed.size as usize;
        if n * size > 0 {
            ptr::copy_nonoverlapping(a.data.add(lo * size), o.data, n * size);
        }
        if ed.is_ref() {
            for i in 0..n {
                retain_slot(o.get(i, ed), ed);
            }
        }
        o.len = n as u64;
        out
    }
}

/// A shallow copy of an array.
///
/// # Safety
/// `arr` must be a live array.
pub unsafe fn clone_array(arr: *mut u8) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (a, ed) = parts(arr);
        copy_range(a.header.desc, a, ed, 0, a.len as usize)
    }
}

/// `a + b`: a new array.
///
/// # Safety
/// `a` and `b` must be live arrays of the same type.
pub unsafe extern "C-unwind" fn kiln_array_concat(a: *mut u8, b: *mut u8) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let out = clone_array(a);
        kiln_array_extend(out, b);
        out
    }
}

/// `a.extend(b)`: appends `b`'s elements (retained); `b` may be `a` itself.
///
/// # Safety
/// `arr` and `other` must be live arrays of the same type.
pub unsafe extern "C-unwind" fn kiln_array_extend(arr: *mut u8, other: *mut u8) {
    // SAFETY: guaranteed by the caller. `other`'s fields are re-read after `reserve`,
    // which may move `arr`'s buffer when both are the same array.
    unsafe {
        let n = (*other.cast::<ArrayObject>()).len as usize;
        {
            let (a, ed) = parts(arr);
            reserve(a, ed, n);
        }
        let (a, ed) = parts(arr);
        let size = ed.size as usize;
        let src = (*other.cast::<ArrayObject>()).data;
        if n * size > 0 {
            ptr::copy(src, a.data.add(a.len as usize * size), n * size);
        }
        if ed.is_ref() {
            for i in 0..n {
                retain_slot(a.get(a.len as usize + i, ed), ed);
            }
        }
        a.len += n as u64;
    }
}

/// `a.clear()`: releases every element; keeps the buffer.
///
/// # Safety
/// `arr` must be a live array.
pub unsafe extern "C-unwind" fn kiln_array_clear(arr: *mut u8) {
    // SAFETY: guaranteed by the caller. `len` is 0 before any element is released,
    // and releasing never touches this array's buffer.
    unsafe {
        let (a, ed) = parts(arr);
        let n = a.len as usize;
        a.len = 0;
        if ed.is_ref() {
            for i in 0..n {
                release_slot(a.get(i, ed), ed);
            }
        }
    }
}

/// The index of the first element equal to `v`.
///
/// # Safety
/// `arr` must be a live array and `v` a value of its element type.
unsafe fn position(arr: *mut u8, v: u64) -> Option<usize> {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (a, ed) = parts(arr);
        let n = a.len as usize;
        if n == 0 {
            return None;
        }
        match ed.kind() {
            TypeKind::I64 | TypeKind::U64 => raw_slice(a.data.cast::<u64>(), n)
                .iter()
                .position(|&x| x == v),
            TypeKind::Str => {
                let needle = crate::value::str_of(v).as_bytes();
                (0..n).find(|&i| crate::value::str_of(a.get(i, ed)).as_bytes() == needle)
            }
            _ => (0..n).find(|&i| eq(a.get(i, ed), v, ed)),
        }
    }
}

/// `a.contains(v)`.
///
/// # Safety
/// `arr` must be a live array and `v` a value of its element type.
pub unsafe extern "C-unwind" fn kiln_array_contains(arr: *mut u8, v: u64) -> i8 {
    // SAFETY: guaranteed by the caller.
    unsafe { position(arr, v).is_some() as i8 }
}

/// `a.index_of(v)`: `Option<int>`.
///
/// # Safety
/// `arr` must be a live array, `v` a value of its element type and `opt_desc` the
/// descriptor of `Option<int>`.
pub unsafe extern "C-unwind" fn kiln_array_index_of(
    arr: *mut u8,
    v: u64,
    opt_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match position(arr, v) {
            Some(i) => some(opt_desc, i as u64),
            None => none(opt_desc),
        }
    }
}

/// `a.sort()`: stable, by the order of `<`.
///
/// # Safety
/// `arr` must be a live array.
pub unsafe extern "C-unwind" fn kiln_array_sort(arr: *mut u8) {
    // SAFETY: guaranteed by the caller. Sorting permutes the elements in place (or
    // through a copy written back), so every reference stays owned exactly once.
    unsafe {
        let (a, ed) = parts(arr);
        let n = a.len as usize;
        if n < 2 {
            return;
        }
        macro_rules! sort_as {
            ($t:ty) => {
                raw_slice_mut(a.data.cast::<$t>(), n).sort_unstable()
            };
        }
        match ed.kind() {
            // Equal integers are indistinguishable, so stability does not matter.
            TypeKind::I64 => sort_as!(i64),
            TypeKind::U64 => sort_as!(u64),
            TypeKind::I32 => sort_as!(i32),
            TypeKind::U32 | TypeKind::Char => sort_as!(u32),
            TypeKind::I16 => sort_as!(i16),
            TypeKind::U16 => sort_as!(u16),
            TypeKind::I8 => sort_as!(i8),
            TypeKind::U8 | TypeKind::Bool => sort_as!(u8),
            TypeKind::Unit => {}
            TypeKind::Str => {
                let s = raw_slice_mut(a.data.cast::<u64>(), n);
                s.sort_by(|&x, &y| {
                    crate::value::str_of(x)
                        .as_bytes()
                        .cmp(crate::value::str_of(y).as_bytes())
                });
            }
            _ => {
                let mut slots: Vec<u64> = (0..n).map(|i| a.get(i, ed)).collect();
                slots.sort_by(|&x, &y| cmp(x, y, ed));
                for (i, v) in slots.into_iter().enumerate() {
                    a.put(i, ed, v);
                }
            }
        }
    }
}

/// The code a `sort_by` call compares with: `less(closure, a, b)` says whether the
/// element in slot `a` goes before the one in slot `b` (the compiler generates it
/// per element type; it calls the closure).
pub type LessFn = unsafe extern "C-unwind" fn(*mut u8, u64, u64) -> i8;

/// `a.sort_by(f)`: a stable merge sort that calls `less` only as "does the right
/// element go before the left one", so equal elements keep their order.
///
/// The closure may do anything, including changing the array: the elements are
/// sorted as a retained copy and written back only if the length is unchanged
/// (otherwise the sort panics), so no element is ever read after being freed.
///
/// # Safety
/// `arr` must be a live array, `closure` a live closure object and `less` the
/// comparison code generated for this array's element type.
pub unsafe extern "C-unwind" fn kiln_array_sort_by(
    arr: *mut u8,
    closure: *mut u8,
    less: *const u8,
) {
    // SAFETY: guaranteed by the caller: `less` has the `LessFn` signature.
    let less: LessFn = unsafe { std::mem::transmute::<*const u8, LessFn>(less) };
    // SAFETY: `arr` is a live array; every slot copied below is retained, so the
    // copy owns its references whatever the closure does to the array.
    unsafe {
        let (a, ed) = parts(arr);
        let n = a.len as usize;
        if n < 2 {
            return;
        }
        let mut slots: Vec<u64> = (0..n).map(|i| a.get(i, ed)).collect();
        for &v in &slots {
            crate::object::retain_slot(v, ed);
        }
        let mut buf = slots.clone();
        let mut width = 1;
        while width < n {
            let mut lo = 0;
            while lo < n {
                let mid = (lo + width).min(n);
                let hi = (lo + 2 * width).min(n);
                let (mut i, mut j, mut k) = (lo, mid, lo);
                while i < mid && j < hi {
                    if less(closure, slots[j], slots[i]) != 0 {
                        buf[k] = slots[j];
                        j += 1;
                    } else {
                        buf[k] = slots[i];
                        i += 1;
                    }
                    k += 1;
                }
                buf[k..k + mid - i].copy_from_slice(&slots[i..mid]);
                k += mid - i;
                buf[k..k + hi - j].copy_from_slice(&slots[j..hi]);
                lo = hi;
            }
            std::mem::swap(&mut slots, &mut buf);
            width *= 2;
        }
        let (a, ed) = parts(arr);
        if a.len as usize != n {
            for &v in &slots {
                crate::object::release_slot(v, ed);
            }
            crate::panic::raise_untraced("array modified during sort_by".to_string());
        }
        for (i, v) in slots.into_iter().enumerate() {
            crate::object::release_slot(a.get(i, ed), ed);
            a.put(i, ed, v);
        }
    }
}

/// `a.reverse()`.
///
/// # Safety
/// `arr` must be a live array.
pub unsafe extern "C-unwind" fn kiln_array_reverse(arr: *mut u8) {
    // SAFETY: guaranteed by the caller; the buffer holds `len` elements of `size`.
    unsafe {
        let (a, ed) = parts(arr);
        let n = a.len as usize;
        if n < 2 {
            return;
        }
        match ed.size {
            1 => raw_slice_mut(a.data, n).reverse(),
            2 => raw_slice_mut(a.data.cast::<u16>(), n).reverse(),
            4 => raw_slice_mut(a.data.cast::<u32>(), n).reverse(),
            8 => raw_slice_mut(a.data.cast::<u64>(), n).reverse(),
            _ => {}
        }
    }
}

/// `a.sum()`: integers panic on overflow; 0 when empty.
///
/// # Safety
/// `arr` must be a live array of numbers.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_array_sum(fp: *const u8, site: i32, arr: *mut u8) -> u64 {
    let overflow = || -> ! {
        // SAFETY: guaranteed by the caller.
        unsafe { raise(fp, site, PanicKind::IntegerOverflow.message().to_string()) }
    };
    // SAFETY: guaranteed by the caller; the buffer holds `len` elements of the type.
    unsafe {
        let (a, ed) = parts(arr);
        let n = a.len as usize;
        macro_rules! int_sum {
            ($t:ty) => {{
                let s = raw_slice(a.data.cast::<$t>(), n);
                let mut acc: $t = 0;
                for &x in s {
                    acc = acc.checked_add(x).unwrap_or_else(|| overflow());
                }
                acc
            }};
        }
        if n == 0 {
            return 0;
        }
        match ed.kind() {
            TypeKind::I64 => int_sum!(i64) as u64,
            TypeKind::I32 => int_sum!(i32) as i64 as u64,
            TypeKind::I16 => int_sum!(i16) as i64 as u64,
            TypeKind::I8 => int_sum!(i8) as i64 as u64,
            TypeKind::U64 => int_sum!(u64),
            TypeKind::U32 => int_sum!(u32) as u64,
            TypeKind::U16 => int_sum!(u16) as u64,
            TypeKind::U8 => int_sum!(u8) as u64,
            TypeKind::F64 => {
                let s = raw_slice(a.data.cast::<f64>(), n);
                s.iter().sum::<f64>().to_bits()
            }
            TypeKind::F32 => {
                let s = raw_slice(a.data.cast::<f32>(), n);
                s.iter().sum::<f32>().to_bits() as u64
            }
            _ => 0,
        }
    }
}

/// The smallest (or, with `want = Greater`, largest) element, first one on ties.
///
/// # Safety
/// `arr` must be a live array and `opt_desc` the descriptor of `Option<T>`.
unsafe fn extreme(arr: *mut u8, opt_desc: *const TypeDesc, want: Ordering) -> *mut u8 {
    // SAFETY: guaranteed by the caller; the chosen element is retained into the option.
    unsafe {
        let (a, ed) = parts(arr);
        let n = a.len as usize;
        if n == 0 {
            return none(opt_desc);
        }
        let mut best = a.get(0, ed);
        for i in 1..n {
            let x = a.get(i, ed);
            if cmp(x, best, ed) == want {
                best = x;
            }
        }
        retain_slot(best, ed);
        some(opt_desc, best)
    }
}

/// `a.min()`: `Option<T>`.
///
/// # Safety
/// `arr` must be a live array and `opt_desc` the descriptor of `Option<T>`.
pub unsafe extern "C-unwind" fn kiln_array_min(arr: *mut u8, opt_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe { extreme(arr, opt_desc, Ordering::Less) }
}

/// `a.max()`: `Option<T>`.
///
/// # Safety
/// `arr` must be a live array and `opt_desc` the descriptor of `Option<T>`.
pub unsafe extern "C-unwind" fn kiln_array_max(arr: *mut u8, opt_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe { extreme(arr, opt_desc, Ordering::Greater) }
}

/// `a.enumerate()`: `[(int, T)]`; `desc` is the result's descriptor.
///
/// # Safety
/// `arr` must be a live array and `desc` the descriptor of `[(int, T)]`.
pub unsafe extern "C-unwind" fn kiln_array_enumerate(
    arr: *mut u8,
    desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller; each tuple's fields are set before it is
    // stored, and each element is retained into its tuple.
    unsafe {
        let (a, ed) = parts(arr);
        let n = a.len as usize;
        let out = new_array(desc, n);
        let tdesc = (*desc).elem;
        let f = (*tdesc).fields();
        for i in 0..n {
            let t = crate::object::kiln_alloc(tdesc);
            store(t.add(f[0].offset as usize), f[0].desc(), i as u64);
            let v = a.get(i, ed);
            retain_slot(v, ed);
            store(t.add(f[1].offset as usize), f[1].desc(), v);
            push(out, t as u64);
        }
        out
    }
}

/// `xs.join(sep)` for an array of strings.
///
/// # Safety
/// `arr` must be a live `[str]` and `sep` a live string.
pub unsafe extern "C-unwind" fn kiln_str_join(arr: *mut u8, sep: *const u8) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (a, ed) = parts(arr);
        let sep = crate::string::as_str(sep);
        let n = a.len as usize;
        let parts: Vec<&str> = (0..n).map(|i| crate::value::str_of(a.get(i, ed))).collect();
        let total = parts
            .iter()
            .map(|s| s.len())
            .sum::<usize>()
            .checked_add(sep.len().saturating_mul(n.saturating_sub(1)))
            .unwrap_or_else(|| crate::string::out_of_memory());
        let mut s = String::new();
        if s.try_reserve_exact(total).is_err() {
            crate::string::out_of_memory();
        }
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                s.push_str(sep);
            }
            s.push_str(p);
        }
        crate::string::new_str(&s)
    }
}

/// `from_raw_parts` that accepts the null data pointer of an empty array.
///
/// # Safety
/// Unless `n` is 0, `data` must point to `n` initialised values of `T`.
unsafe fn raw_slice<'a, T>(data: *const T, n: usize) -> &'a [T] {
    if n == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller for n > 0.
    unsafe { std::slice::from_raw_parts(data, n) }
}

/// The mutable form of [`raw_slice`].
///
/// # Safety
/// As for [`raw_slice`], and no other reference to the elements may be alive.
unsafe fn raw_slice_mut<'a, T>(data: *mut T, n: usize) -> &'a mut [T] {
    if n == 0 {
        return &mut [];
    }
    // SAFETY: guaranteed by the caller for n > 0.
    unsafe { std::slice::from_raw_parts_mut(data, n) }
}
