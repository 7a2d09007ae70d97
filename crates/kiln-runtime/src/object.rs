//! Heap objects: the header every object starts with, the offsets compiled code
//! reads inline, allocation of tuples, structs and enum variants, reference counting,
//! dropping and shallow cloning — all driven by the object's type descriptor.
//!
//! Dropping never recurses: [`kiln_drop`] keeps an explicit worklist, so a chain of a
//! million objects is freed in constant Rust stack. This module must never free an
//! immortal object, never free an object whose count is not zero, and never run any
//! Kiln code while dropping.

use crate::alloc::{alloc_object, free_bytes, free_object};
use crate::desc::{TypeDesc, TypeKind};
use crate::value::{load, store};
use std::ptr;

/// The header every heap object starts with (16 bytes).
#[repr(C)]
#[derive(Debug)]
pub struct Header {
    /// Reference count; starts at 1, or [`IMMORTAL_RC`] for immortal objects.
    pub rc: u32,
    /// Bit 0: [`FLAG_IMMORTAL`]; bit 1: [`FLAG_ON_PRINT_PATH`].
    pub flags: u32,
    /// The object's type.
    pub desc: *const TypeDesc,
}

pub const RC_OFFSET: i32 = 0;
pub const FLAGS_OFFSET: i32 = 4;
pub const DESC_OFFSET: i32 = 8;
pub const STR_LEN_OFFSET: i32 = 16;
pub const STR_DATA_OFFSET: i32 = 24;
pub const ARRAY_LEN_OFFSET: i32 = 16;
pub const ARRAY_CAP_OFFSET: i32 = 24;
pub const ARRAY_DATA_OFFSET: i32 = 32;
pub const MAP_IMPL_OFFSET: i32 = 16;
pub const ENUM_TAG_OFFSET: i32 = 16;
/// The starting count of immortal objects: compiled code's unconditional
/// increments and decrements never bring it to zero.
pub const IMMORTAL_RC: u32 = 1 << 30;
pub const FLAG_IMMORTAL: u32 = 1;
/// Set while the object's text is being written and not finished yet, so that
/// printing finds cycles (`crate::value::write_value` sets and clears it; it is never
/// set between runtime calls).
pub const FLAG_ON_PRINT_PATH: u32 = 2;
/// Bytes of an array object (the elements live in a separate buffer).
pub const ARRAY_OBJECT_SIZE: usize = 40;
/// Bytes of a map object (the table lives in a separate `MapImpl`).
pub const MAP_OBJECT_SIZE: usize = 24;

/// # Safety
/// `obj` must be a live object.
#[inline(always)]
pub unsafe fn header<'a>(obj: *const u8) -> &'a mut Header {
    // SAFETY: guaranteed by the caller; objects are 16-byte aligned.
    unsafe { &mut *(obj as *mut Header) }
}

/// The descriptor of a live object.
///
/// # Safety
/// `obj` must be a live object whose descriptor is alive.
#[inline(always)]
pub unsafe fn desc_of<'a>(obj: *const u8) -> &'a TypeDesc {
    // SAFETY: guaranteed by the caller.
    unsafe { &*header(obj).desc }
}

/// `rc += 1`.
///
/// # Safety
/// `obj` must be a live object.
#[inline(always)]
pub unsafe fn retain(obj: *mut u8) {
    // SAFETY: guaranteed by the caller.
    let h = unsafe { header(obj) };
    h.rc = h.rc.wrapping_add(1);
}

/// `rc -= 1`, and drop the object when that makes it 0.
///
/// # Safety
/// `obj` must be a live object the caller owns a reference to, which this consumes.
#[inline(always)]
pub unsafe fn release(obj: *mut u8) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let h = header(obj);
        h.rc = h.rc.wrapping_sub(1);
        if h.rc == 0 {
            kiln_drop(obj);
        }
    }
}

/// Retains a value of type `d` held in a slot (no-op for scalars).
///
/// # Safety
/// For a reference type, `v` must be a live object.
#[inline(always)]
pub unsafe fn retain_slot(v: u64, d: &TypeDesc) {
    if d.is_ref() {
        // SAFETY: guaranteed by the caller.
        unsafe { retain(v as *mut u8) }
    }
}

/// Releases a value of type `d` held in a slot (no-op for scalars).
///
/// # Safety
/// For a reference type, `v` must be a live object reference the caller owns.
#[inline(always)]
pub unsafe fn release_slot(v: u64, d: &TypeDesc) {
    if d.is_ref() {
        // SAFETY: guaranteed by the caller.
        unsafe { release(v as *mut u8) }
    }
}

/// `rc += 1` for compiled code that does not inline it.
///
/// # Safety
/// `obj` must be a live object.
pub unsafe extern "C-unwind" fn kiln_retain(obj: *mut u8) {
    // SAFETY: guaranteed by the caller.
    unsafe { retain(obj) }
}

/// `rc -= 1`, dropping at 0, for compiled code that does not inline it.
///
/// # Safety
/// `obj` must be a live object reference the caller owns.
pub unsafe extern "C-unwind" fn kiln_release(obj: *mut u8) {
    // SAFETY: guaranteed by the caller.
    unsafe { release(obj) }
}

/// A stack of objects whose count reached zero and that still have to be freed.
struct Pending {
    inline: [*mut u8; 32],
    n: usize,
    spill: Vec<*mut u8>,
}

impl Pending {
    fn new() -> Pending {
        Pending {
            inline: [ptr::null_mut(); 32],
            n: 0,
            spill: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, p: *mut u8) {
        if self.n < self.inline.len() {
            self.inline[self.n] = p;
            self.n += 1;
        } else {
            self.spill.push(p);
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<*mut u8> {
        if let Some(p) = self.spill.pop() {
            return Some(p);
        }
        if self.n == 0 {
            return None;
        }
        self.n -= 1;
        Some(self.inline[self.n])
    }
}

/// Releases a child reference of an object being dropped: strings are freed on the
/// spot, other objects reaching zero wait on `pending`.
///
/// # Safety
/// `child` is null or a live object the dying parent owned a reference to.
#[inline]
unsafe fn release_child(child: *mut u8, pending: &mut Pending) {
    if child.is_null() {
        return;
    }
    // SAFETY: guaranteed by the caller.
    unsafe {
        let h = header(child);
        h.rc = h.rc.wrapping_sub(1);
        if h.rc != 0 {
            return;
        }
        if h.flags & FLAG_IMMORTAL != 0 {
            h.rc = IMMORTAL_RC;
            return;
        }
        if (*h.desc).kind == TypeKind::Str as u32 {
            let len = *child.add(STR_LEN_OFFSET as usize).cast::<u64>() as usize;
            free_object(child, STR_DATA_OFFSET as usize + len);
        } else {
            pending.push(child);
        }
    }
}

/// Releases the pointer fields of a tuple, struct or variant at `obj`.
///
/// # Safety
/// `obj` is an object being dropped whose fields are described by `fields`.
unsafe fn release_fields(obj: *mut u8, fields: &[crate::desc::FieldDesc], pending: &mut Pending) {
    for f in fields {
        // SAFETY: the field belongs to the object's well-formed descriptor, and the
        // object holds a value (or zero, for a field never set) at its offset.
        unsafe {
            if f.desc().is_ref() {
                let child = obj.add(f.offset as usize).cast::<*mut u8>().read();
                release_child(child, pending);
            }
        }
    }
}

/// Frees one object whose count reached zero, queueing children that reach zero.
///
/// # Safety
/// `obj` is a live object with count zero that nothing will use again.
unsafe fn destroy(obj: *mut u8, pending: &mut Pending) {
    // SAFETY: `obj` is a live object with a well-formed descriptor; every pointer it
    // holds is an owned reference (or null for a never-set field).
    unsafe {
        let h = header(obj);
        if h.flags & FLAG_IMMORTAL != 0 {
            h.rc = IMMORTAL_RC;
            return;
        }
        let d = &*h.desc;
        match d.kind() {
            TypeKind::Str => {
                let len = *obj.add(STR_LEN_OFFSET as usize).cast::<u64>() as usize;
                free_object(obj, STR_DATA_OFFSET as usize + len);
            }
            TypeKind::Array => {
                let a = &*obj.cast::<crate::array::ArrayObject>();
                let elem = d.elem();
                if elem.is_ref() {
                    let data = a.data.cast::<*mut u8>();
                    for i in 0..a.len as usize {
                        release_child(data.add(i).read(), pending);
                    }
                }
                if !a.data.is_null() {
                    free_bytes(a.data, a.cap as usize * elem.size as usize);
                }
                free_object(obj, ARRAY_OBJECT_SIZE);
            }
            TypeKind::Map => {
                let m = obj
                    .add(MAP_IMPL_OFFSET as usize)
                    .cast::<*mut crate::map::MapImpl>()
                    .read();
                if !m.is_null() {
                    let m = Box::from_raw(m);
                    let (kd, vd) = (d.elem(), d.elem2());
                    for e in m.entries.iter().flatten() {
                        if kd.is_ref() {
                            release_child(e.key as *mut u8, pending);
                        }
                        if vd.is_ref() {
                            release_child(e.value as *mut u8, pending);
                        }
                    }
                }
                free_object(obj, MAP_OBJECT_SIZE);
            }
            TypeKind::Tuple | TypeKind::Struct | TypeKind::Closure => {
                release_fields(obj, d.fields(), pending);
                free_object(obj, d.object_size as usize);
            }
            TypeKind::Generator => {
                abandon_generator(obj);
                release_fields(obj, d.fields(), pending);
                free_object(obj, d.object_size as usize);
            }
            TypeKind::Enum => {
                let tag = *obj.add(ENUM_TAG_OFFSET as usize).cast::<u32>() as usize;
                let v = &d.variants()[tag];
                release_fields(obj, v.fields(), pending);
                free_object(obj, v.object_size as usize);
            }
            k => crate::panic::raise_untraced(format!(
                "internal error: dropping an object of scalar kind {k:?}"
            )),
        }
    }
}

/// Resumes a generator whose code pointer is not native code: `(object, code,
/// mode)`. See [`set_generator_resume_hook`].
pub type GenResumeHook = unsafe fn(*mut u8, *const u8, i8) -> i8;

thread_local! {
    static GENERATOR_RESUME_HOOK: std::cell::Cell<Option<GenResumeHook>> =
        const { std::cell::Cell::new(None) };
}

/// Makes the runtime resume abandoned generators of this thread through `hook`
/// rather than by calling their code pointer: for a MIR interpreter, whose
/// functions have tokens rather than native code (`None` restores native calls).
/// Returns the hook it replaces.
pub fn set_generator_resume_hook(hook: Option<GenResumeHook>) -> Option<GenResumeHook> {
    GENERATOR_RESUME_HOOK.with(|h| h.replace(hook))
}

/// A generator dropped while suspended at a `yield` still owns what its frame
/// holds; its resume function in mode 1 releases that (the way a `return` at the
/// `yield` would) and marks it finished.
///
/// # Safety
/// `obj` must be a generator object made by compiled code, whose count just
/// reached zero.
unsafe fn abandon_generator(obj: *mut u8) {
    use crate::desc::{GenResume, GEN_CODE_OFFSET, GEN_STATE_OFFSET};
    let hook = GENERATOR_RESUME_HOOK.with(|h| h.get());
    // SAFETY: a generator object has its state and resume function at these
    // offsets (docs/RUNTIME-ABI.md); the function is JIT code that the engine
    // keeps mapped for the life of the process.
    unsafe {
        let state = obj.add(GEN_STATE_OFFSET as usize).cast::<i64>().read();
        if state > 0 {
            let code = obj.add(GEN_CODE_OFFSET as usize).cast::<*const u8>().read();
            match hook {
                Some(resume_by) => {
                    resume_by(obj, code, 1);
                }
                None => {
                    let resume: GenResume = std::mem::transmute(code);
                    resume(obj, 1);
                }
            }
        }
    }
}

/// Frees an object whose count reached zero, releasing everything it holds
/// (iteratively: children reaching zero are freed by the same loop).
///
/// # Safety
/// `obj` must be a live object whose count compiled code just brought to zero.
pub unsafe extern "C-unwind" fn kiln_drop(obj: *mut u8) {
    let mut pending = Pending::new();
    let mut cur = obj;
    loop {
        // SAFETY: `cur` is `obj` (caller's contract) or an object whose count this
        // loop brought to zero.
        unsafe { destroy(cur, &mut pending) };
        match pending.pop() {
            Some(next) => cur = next,
            None => return,
        }
    }
}

/// A new tuple or struct object: `rc = 1`, every field zero.
///
/// # Safety
/// `desc` must be a well-formed tuple or struct descriptor.
pub unsafe extern "C-unwind" fn kiln_alloc(desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    let size = unsafe { (*desc).object_size as usize };
    let p = alloc_object(size, desc);
    // SAFETY: the object is `size` bytes, of which the first 16 are the header.
    unsafe { p.add(16).write_bytes(0, size - 16) };
    p
}

/// A new enum object of variant `tag` with zeroed fields; for a variant without
/// fields, its immortal instance (retained, so counts stay balanced).
///
/// # Safety
/// `desc` must be a well-formed enum descriptor and `tag` one of its variants.
pub unsafe extern "C-unwind" fn kiln_alloc_variant(desc: *const TypeDesc, tag: i32) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    let v = unsafe { &(*desc).variants()[tag as usize] };
    if v.count == 0 && !v.unit_instance.is_null() {
        // SAFETY: unit instances are immortal objects owned by the descriptor's arena.
        unsafe { retain(v.unit_instance) };
        return v.unit_instance;
    }
    let size = v.object_size as usize;
    let p = alloc_object(size, desc);
    // SAFETY: the object is `size` >= 24 bytes: header, tag, then the fields.
    unsafe {
        p.add(ENUM_TAG_OFFSET as usize)
            .cast::<u32>()
            .write(tag as u32);
        p.add(20).write_bytes(0, size - 20);
    }
    p
}

/// Makes variant `tag` of enum `desc` holding one value (consumed), e.g. `Some(v)`.
///
/// # Safety
/// `desc` must be a well-formed enum descriptor whose variant `tag` has exactly one
/// field, and `v` a value of that field's type that the caller owns.
pub unsafe fn make_variant1(desc: *const TypeDesc, tag: u32, v: u64) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let p = kiln_alloc_variant(desc, tag as i32);
        let f = &(*desc).variants()[tag as usize].fields()[0];
        store(p.add(f.offset as usize), f.desc(), v);
        p
    }
}

/// `Some(v)` of the `Option` descriptor `opt` (consumes `v`).
///
/// # Safety
/// As for [`make_variant1`] with tag 1.
pub unsafe fn some(opt: *const TypeDesc, v: u64) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe { make_variant1(opt, 1, v) }
}

/// `None` of the `Option` descriptor `opt` (owned).
///
/// # Safety
/// `opt` must be a well-formed `Option` descriptor.
pub unsafe fn none(opt: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe { kiln_alloc_variant(opt, 0) }
}

/// The value held in the single field of an enum object's variant.
///
/// # Safety
/// `obj` must be a live enum object whose current variant has at least one field.
pub unsafe fn variant_field0(obj: *const u8) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let d = desc_of(obj);
        let tag = *obj.add(ENUM_TAG_OFFSET as usize).cast::<u32>() as usize;
        let f = &d.variants()[tag].fields()[0];
        load(obj.add(f.offset as usize), f.desc())
    }
}

/// The tag of a live enum object.
///
/// # Safety
/// `obj` must be a live enum object.
pub unsafe fn tag_of(obj: *const u8) -> u32 {
    // SAFETY: guaranteed by the caller.
    unsafe { *obj.add(ENUM_TAG_OFFSET as usize).cast::<u32>() }
}

/// `x.clone()`: a shallow copy. Arrays, maps and structs get a new object that
/// shares (retains) their children; strings, tuples and enum values are immutable,
/// so the same object comes back, retained.
///
/// # Safety
/// `obj` must be a live object.
pub unsafe extern "C-unwind" fn kiln_clone(obj: *mut u8) -> *mut u8 {
    // SAFETY: `obj` is a live object with a well-formed descriptor.
    unsafe {
        let d = desc_of(obj);
        match d.kind() {
            TypeKind::Array => crate::array::clone_array(obj),
            TypeKind::Map => crate::map::clone_map(obj),
            TypeKind::Struct => {
                let size = d.object_size as usize;
                let p = alloc_object(size, header(obj).desc);
                ptr::copy_nonoverlapping(obj.add(16), p.add(16), size - 16);
                for f in d.fields() {
                    let fd = f.desc();
                    if fd.is_ref() {
                        let child = p.add(f.offset as usize).cast::<*mut u8>().read();
                        if !child.is_null() {
                            retain(child);
                        }
                    }
                }
                p
            }
            _ => {
                retain(obj);
                obj
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alloc::live_objects;
    use crate::desc::DescArena;

    #[test]
    fn a_million_node_list_drops_without_recursion() {
        let before = live_objects();
        let mut a = DescArena::new();
        let i = a.scalar(TypeKind::I64);
        let list = a.declare();
        a.define_enum(
            list,
            "List",
            &[("Nil", false, &[]), ("Cons", false, &[("", i), ("", list)])],
        );
        // SAFETY: the descriptors are alive; each node takes over the reference to
        // the previous head.
        unsafe {
            let mut head = kiln_alloc_variant(list, 0);
            for n in 0..1_000_000u64 {
                let node = kiln_alloc_variant(list, 1);
                let fields = (*list).variants()[1].fields();
                store(node.add(fields[0].offset as usize), fields[0].desc(), n);
                store(
                    node.add(fields[1].offset as usize),
                    fields[1].desc(),
                    head as u64,
                );
                head = node;
            }
            assert_eq!(live_objects(), before + 1_000_000);
            release(head);
        }
        assert_eq!(live_objects(), before);
        // The unit instance survived with its count intact.
        // SAFETY: the arena is alive.
        let nil = unsafe { (*list).variants()[0].unit_instance };
        // SAFETY: unit instances are live as long as the arena.
        assert_eq!(unsafe { header(nil).rc }, IMMORTAL_RC);
    }

    #[test]
    fn a_million_node_struct_chain_drops() {
        let before = live_objects();
        let mut a = DescArena::new();
        let i = a.scalar(TypeKind::I64);
        let node = a.declare();
        let arr = a.array(node);
        a.define_struct(node, "Node", &[("v", i), ("next", arr)]);
        // SAFETY: descriptors alive; ownership passed down the chain.
        unsafe {
            let mut prev = crate::array::kiln_array_new(arr, 0);
            for n in 0..1_000_000u64 {
                let s = kiln_alloc(node);
                let f = (*node).fields();
                store(s.add(f[0].offset as usize), f[0].desc(), n);
                store(s.add(f[1].offset as usize), f[1].desc(), prev as u64);
                let holder = crate::array::kiln_array_new(arr, 1);
                crate::array::kiln_array_push(holder, s as u64);
                prev = holder;
            }
            release(prev);
        }
        assert_eq!(live_objects(), before);
    }

    #[test]
    fn clone_is_shallow() {
        let before = live_objects();
        let mut a = DescArena::new();
        let f = a.scalar(TypeKind::F64);
        let s = a.str();
        let p = a.struct_("P", &[("x", f), ("name", s)]);
        // SAFETY: descriptors alive; every object made here is released.
        unsafe {
            let obj = kiln_alloc(p);
            let fs = (*p).fields();
            let name = crate::string::new_str("pt");
            store(
                obj.add(fs[0].offset as usize),
                fs[0].desc(),
                1.5f64.to_bits(),
            );
            store(obj.add(fs[1].offset as usize), fs[1].desc(), name as u64);
            let c = kiln_clone(obj);
            assert_ne!(c, obj);
            assert_eq!(header(name).rc, 2);
            assert!(crate::value::eq(obj as u64, c as u64, &*p));
            let sc = kiln_clone(name);
            assert_eq!(sc, name);
            release(sc);
            release(obj);
            assert_eq!(header(name).rc, 1);
            release(c);
        }
        assert_eq!(live_objects(), before);
    }

    #[test]
    fn unit_variants_are_immortal_and_balanced() {
        let mut a = DescArena::new();
        let i = a.scalar(TypeKind::I64);
        let opt = a.option(i);
        // SAFETY: descriptors alive.
        unsafe {
            let n1 = none(opt);
            let n2 = kiln_alloc_variant(opt, 0);
            assert_eq!(n1, n2);
            assert_eq!(header(n1).rc, IMMORTAL_RC + 2);
            release(n1);
            release(n2);
            assert_eq!(header(n1).rc, IMMORTAL_RC);
            let s = some(opt, 42);
            assert_eq!(tag_of(s), 1);
            assert_eq!(variant_field0(s), 42);
            release(s);
        }
    }
}
