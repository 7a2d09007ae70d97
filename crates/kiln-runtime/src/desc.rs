//! Type descriptors: the run-time description of every Kiln type that lives in a
//! heap object, laid out exactly as docs/RUNTIME-ABI.md says (`#[repr(C)]`), and
//! [`DescArena`], the safe builder the code generator uses to make them.
//!
//! A descriptor tells the runtime how big a value is inside an object, where the
//! fields of a tuple, struct or enum variant are, and what an array or map holds, so
//! that dropping, cloning, comparing, hashing and printing work for every type
//! without per-type code. Descriptors are immutable once defined and must outlive
//! every object that points at them, which may outlive the engine: this module never
//! frees a descriptor or a unit-variant instance (a dropped arena retires them, see
//! [`DescArena`]) and never changes a descriptor after it was defined.

use crate::object::{Header, FLAG_IMMORTAL, IMMORTAL_RC};
use std::alloc::{alloc_zeroed, Layout};
use std::ptr;

/// The kind of a type, as stored in [`TypeDesc::kind`].
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeKind {
    Unit = 0,
    Bool = 1,
    Char = 2,
    I8 = 3,
    I16 = 4,
    I32 = 5,
    I64 = 6,
    U8 = 7,
    U16 = 8,
    U32 = 9,
    U64 = 10,
    F32 = 11,
    F64 = 12,
    Str = 13,
    Array = 14,
    Map = 15,
    Tuple = 16,
    Struct = 17,
    Enum = 18,
    /// A function value: a closure object holding a code pointer and captures.
    Closure = 19,
    /// A generator object: its resume code, state, frame and parameters.
    Generator = 20,
}

/// The kind of a descriptor that was declared but not defined yet.
const UNDEFINED: u32 = u32::MAX;

impl TypeKind {
    const ALL: [TypeKind; 21] = [
        TypeKind::Unit,
        TypeKind::Bool,
        TypeKind::Char,
        TypeKind::I8,
        TypeKind::I16,
        TypeKind::I32,
        TypeKind::I64,
        TypeKind::U8,
        TypeKind::U16,
        TypeKind::U32,
        TypeKind::U64,
        TypeKind::F32,
        TypeKind::F64,
        TypeKind::Str,
        TypeKind::Array,
        TypeKind::Map,
        TypeKind::Tuple,
        TypeKind::Struct,
        TypeKind::Enum,
        TypeKind::Closure,
        TypeKind::Generator,
    ];

    pub fn from_u32(n: u32) -> Option<TypeKind> {
        TypeKind::ALL.get(n as usize).copied()
    }

    /// Bytes a value of this kind occupies inside an object.
    pub const fn size(self) -> u32 {
        match self {
            TypeKind::Unit => 0,
            TypeKind::Bool | TypeKind::I8 | TypeKind::U8 => 1,
            TypeKind::I16 | TypeKind::U16 => 2,
            TypeKind::Char | TypeKind::I32 | TypeKind::U32 | TypeKind::F32 => 4,
            _ => 8,
        }
    }

    /// Whether values of this kind are pointers to heap objects.
    pub fn is_ref(self) -> bool {
        self as u32 >= TypeKind::Str as u32
    }

    /// Whether this is one of the integer kinds (`i8` .. `u64`).
    pub fn is_int(self) -> bool {
        (TypeKind::I8 as u32..=TypeKind::U64 as u32).contains(&(self as u32))
    }

    /// The number `format::push_int` uses for an integer kind (0–3 signed, 4–7
    /// unsigned).
    pub fn int_format_kind(self) -> i32 {
        self as i32 - TypeKind::I8 as i32
    }
}

/// The descriptor of one type. See docs/RUNTIME-ABI.md.
#[repr(C)]
#[derive(Debug)]
pub struct TypeDesc {
    pub kind: u32,
    pub size: u32,
    pub name: *const u8,
    pub name_len: u32,
    pub count: u32,
    pub elem: *const TypeDesc,
    pub elem2: *const TypeDesc,
    pub fields: *const FieldDesc,
    pub variants: *const VariantDesc,
    pub object_size: u32,
    pub _pad: u32,
}

/// One field of a tuple, struct or enum variant.
#[repr(C)]
#[derive(Debug)]
pub struct FieldDesc {
    pub offset: u32,
    pub name: *const u8,
    pub name_len: u32,
    pub desc: *const TypeDesc,
}

/// One variant of an enum.
#[repr(C)]
#[derive(Debug)]
pub struct VariantDesc {
    pub name: *const u8,
    pub name_len: u32,
    pub count: u32,
    pub labelled: u32,
    pub fields: *const FieldDesc,
    pub object_size: u32,
    pub unit_instance: *mut u8,
}

/// # Safety
/// `ptr` must be null (then `len` is ignored) or point to `len` bytes of UTF-8 that
/// live at least as long as `'a`.
unsafe fn text<'a>(ptr: *const u8, len: u32) -> &'a str {
    if ptr.is_null() {
        return "";
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len as usize)) }
}

/// # Safety
/// `ptr` must be null (then `len` is ignored) or point to `len` initialised values
/// that live at least as long as `'a`.
unsafe fn slice<'a, T>(ptr: *const T, len: u32) -> &'a [T] {
    if ptr.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(ptr, len as usize) }
}

impl TypeDesc {
    /// The kind; an undefined or corrupt descriptor is an internal error.
    #[inline]
    pub fn kind(&self) -> TypeKind {
        match TypeKind::from_u32(self.kind) {
            Some(k) => k,
            None => crate::panic::raise_untraced(format!(
                "internal error: bad type descriptor kind {}",
                self.kind
            )),
        }
    }

    /// Whether values of this type are pointers to heap objects.
    #[inline]
    pub fn is_ref(&self) -> bool {
        self.kind >= TypeKind::Str as u32 && self.kind != UNDEFINED
    }

    /// The struct or enum name ("" for other types).
    ///
    /// # Safety
    /// The descriptor must be well formed (made by [`DescArena`] or [`str_desc`]).
    pub unsafe fn name(&self) -> &str {
        // SAFETY: a well-formed descriptor's name is null or valid UTF-8 it owns.
        unsafe { text(self.name, self.name_len) }
    }

    /// The fields of a tuple or struct, the captures of a closure, or the
    /// parameters a generator keeps.
    ///
    /// # Safety
    /// The descriptor must be well formed.
    pub unsafe fn fields(&self) -> &[FieldDesc] {
        if !matches!(
            self.kind(),
            TypeKind::Tuple | TypeKind::Struct | TypeKind::Closure | TypeKind::Generator
        ) {
            return &[];
        }
        // SAFETY: a well-formed tuple/struct descriptor has `count` fields.
        unsafe { slice(self.fields, self.count) }
    }

    /// The variants of an enum.
    ///
    /// # Safety
    /// The descriptor must be well formed.
    pub unsafe fn variants(&self) -> &[VariantDesc] {
        if self.kind() != TypeKind::Enum {
            return &[];
        }
        // SAFETY: a well-formed enum descriptor has `count` variants.
        unsafe { slice(self.variants, self.count) }
    }

    /// The element type of an array, or the key type of a map.
    ///
    /// # Safety
    /// The descriptor must be a well-formed array or map descriptor.
    pub unsafe fn elem(&self) -> &TypeDesc {
        // SAFETY: guaranteed by the caller.
        unsafe { &*self.elem }
    }

    /// The value type of a map.
    ///
    /// # Safety
    /// The descriptor must be a well-formed map descriptor.
    pub unsafe fn elem2(&self) -> &TypeDesc {
        // SAFETY: guaranteed by the caller.
        unsafe { &*self.elem2 }
    }
}

impl FieldDesc {
    /// # Safety
    /// The field must belong to a well-formed descriptor.
    pub unsafe fn name(&self) -> &str {
        // SAFETY: guaranteed by the caller.
        unsafe { text(self.name, self.name_len) }
    }

    /// # Safety
    /// The field must belong to a well-formed descriptor.
    pub unsafe fn desc(&self) -> &TypeDesc {
        // SAFETY: guaranteed by the caller.
        unsafe { &*self.desc }
    }
}

impl VariantDesc {
    /// # Safety
    /// The variant must belong to a well-formed descriptor.
    pub unsafe fn name(&self) -> &str {
        // SAFETY: guaranteed by the caller.
        unsafe { text(self.name, self.name_len) }
    }

    /// # Safety
    /// The variant must belong to a well-formed descriptor.
    pub unsafe fn fields(&self) -> &[FieldDesc] {
        // SAFETY: guaranteed by the caller.
        unsafe { slice(self.fields, self.count) }
    }
}

/// A descriptor in a `static`: it holds only null pointers and is never written.
struct StaticDesc(TypeDesc);

// SAFETY: static descriptors contain only null pointers and are never mutated, so
// sharing them between threads is sound.
unsafe impl Sync for StaticDesc {}

const fn scalar_static(kind: TypeKind) -> StaticDesc {
    StaticDesc(blank_desc(kind as u32, kind.size()))
}

/// A descriptor of `kind` and `size` with no name, fields, variants or elements.
const fn blank_desc(kind: u32, size: u32) -> TypeDesc {
    TypeDesc {
        kind,
        size,
        name: ptr::null(),
        name_len: 0,
        count: 0,
        elem: ptr::null(),
        elem2: ptr::null(),
        fields: ptr::null(),
        variants: ptr::null(),
        object_size: 0,
        _pad: 0,
    }
}

static SCALARS: [StaticDesc; 14] = [
    scalar_static(TypeKind::Unit),
    scalar_static(TypeKind::Bool),
    scalar_static(TypeKind::Char),
    scalar_static(TypeKind::I8),
    scalar_static(TypeKind::I16),
    scalar_static(TypeKind::I32),
    scalar_static(TypeKind::I64),
    scalar_static(TypeKind::U8),
    scalar_static(TypeKind::U16),
    scalar_static(TypeKind::U32),
    scalar_static(TypeKind::U64),
    scalar_static(TypeKind::F32),
    scalar_static(TypeKind::F64),
    scalar_static(TypeKind::Str),
];

/// The descriptor of `str`, shared by string literals and run-time strings.
pub fn str_desc() -> *const TypeDesc {
    &SCALARS[TypeKind::Str as usize].0
}

/// The static descriptor of a scalar kind (`Unit` ..= `F64`) or of `str`; `None`
/// for the compound kinds, which need an arena.
pub fn static_desc(kind: TypeKind) -> Option<*const TypeDesc> {
    SCALARS.get(kind as usize).map(|d| &d.0 as *const TypeDesc)
}

/// A variant as [`DescArena::enum_`] takes it: name, whether its fields are
/// labelled, and its fields (name, or "" when unlabelled; type).
pub type VariantDef<'a> = (&'a str, bool, &'a [(&'a str, *const TypeDesc)]);

/// Makes descriptors at stable addresses that stay valid for the rest of the process.
///
/// Every descriptor, field table, variant table, name and unit-variant instance is a
/// separate heap allocation made here and never freed: an object may outlive the
/// engine whose arena described it (an object leaked in a cycle or abandoned by a
/// panic does; a value handed to an embedding host would), and it reads its
/// descriptor, and may point at a unit-variant instance, until it is freed. When the
/// arena is dropped, its allocations move to [`RETIRED`], so they stay reachable (a
/// leak checker sees them as in use) and are never reused for another type. The cost
/// is the size of a program's type descriptions per engine, next to its machine
/// code, which cranelift-jit never unmaps either.
pub struct DescArena {
    allocations: Allocations,
    declared: std::collections::HashSet<usize>,
}

/// The memory a [`DescArena`] made.
#[derive(Default)]
struct Allocations {
    descs: Vec<*mut TypeDesc>,
    fields: Vec<*mut [FieldDesc]>,
    variants: Vec<*mut [VariantDesc]>,
    names: Vec<*mut [u8]>,
    units: Vec<*mut u8>,
}

// SAFETY: the allocations are tied to no thread: descriptors are immutable once
// defined, and unit-variant instances are immortal objects that only Kiln code and
// the runtime touch, and Kiln code runs on one thread at a time (`on_kiln_thread`).
// Moving the pointers to another thread (with the arena, or into `RETIRED`) is sound.
unsafe impl Send for Allocations {}

/// The allocations of every dropped arena, kept for the rest of the process.
static RETIRED: std::sync::Mutex<Vec<Allocations>> = std::sync::Mutex::new(Vec::new());

/// How many descriptors dropped arenas have left behind (for tests and diagnostics).
pub fn retired_descriptors() -> usize {
    let retired = RETIRED.lock().unwrap_or_else(|e| e.into_inner());
    retired.iter().map(|a| a.descs.len()).sum()
}

impl Default for DescArena {
    fn default() -> Self {
        DescArena::new()
    }
}

const UNIT_OBJECT_SIZE: usize = 24;

/// Where a closure object keeps its code pointer, and where its captures start.
pub const CLOSURE_CODE_OFFSET: u32 = 16;
pub const CLOSURE_CAPTURES_OFFSET: u32 = 24;

/// A generator object (docs/RUNTIME-ABI.md): its resume function, its state
/// (0 not started, k > 0 suspended at `yield` number k, [`GEN_DONE`] finished,
/// [`GEN_RUNNING`] or below running, or left running by a panic), the value it
/// last yielded, then its frame of 8-byte slots, then the parameters it keeps
/// (fields of its descriptor).
pub const GEN_CODE_OFFSET: u32 = 16;
pub const GEN_STATE_OFFSET: u32 = 24;
pub const GEN_OUT_OFFSET: u32 = 32;
pub const GEN_FRAME_OFFSET: u32 = 40;
pub const GEN_DONE: i64 = -1;
/// The first *running mark*: the state a run of a generator's body writes is the
/// value of its program's running-mark global, which starts here and goes one
/// lower at each panic that unwinds Kiln code (so a run a panic ended is told
/// from one going on).
pub const GEN_RUNNING: i64 = -2;
/// The resume function: `mode` 0 runs to the next `yield` (result 1, the value
/// at [`GEN_OUT_OFFSET`]) or to the end (result 0); mode 1 abandons the
/// generator, releasing what its frame holds (result 0).
pub type GenResume = unsafe extern "C-unwind" fn(*mut u8, i8) -> i8;

fn align_up(n: u32, to: u32) -> u32 {
    n.div_ceil(to) * to
}

impl DescArena {
    pub fn new() -> DescArena {
        DescArena {
            allocations: Allocations::default(),
            declared: std::collections::HashSet::new(),
        }
    }

    /// A placeholder to be defined later by one of the `define_*` functions, for
    /// recursive types. Only heap types (array, map, tuple, struct, enum) can be
    /// declared, so its `size` is already 8 and it may be used as a field type
    /// before it is defined.
    pub fn declare(&mut self) -> *mut TypeDesc {
        let d = Box::into_raw(Box::new(blank_desc(UNDEFINED, 8)));
        self.allocations.descs.push(d);
        self.declared.insert(d as usize);
        d
    }

    fn check_target(&self, target: *mut TypeDesc) {
        assert!(
            self.declared.contains(&(target as usize)),
            "descriptor was not declared by this arena"
        );
        // SAFETY: `target` is one of this arena's live descriptors (checked above).
        let kind = unsafe { (*target).kind };
        assert_eq!(kind, UNDEFINED, "descriptor defined twice");
    }

    fn name(&mut self, s: &str) -> (*const u8, u32) {
        if s.is_empty() {
            return (ptr::null(), 0);
        }
        let len = u32::try_from(s.len()).expect("name too long");
        let b: *mut [u8] = Box::into_raw(s.as_bytes().to_vec().into_boxed_slice());
        self.allocations.names.push(b);
        (b as *const u8, len)
    }

    /// Lays out fields from `start`, each aligned to its size; returns the table and
    /// the object size (rounded up to 8).
    fn layout(
        &mut self,
        start: u32,
        fields: &[(&str, *const TypeDesc)],
    ) -> (*const FieldDesc, u32) {
        let mut off = start;
        let mut table = Vec::with_capacity(fields.len());
        for &(name, desc) in fields {
            assert!(!desc.is_null(), "null field descriptor");
            // SAFETY: field descriptors are live descriptors (possibly declared and not
            // yet defined, which have size 8).
            let size = unsafe { (*desc).size };
            off = align_up(off, size.max(1));
            let (name, name_len) = self.name(name);
            table.push(FieldDesc {
                offset: off,
                name,
                name_len,
                desc,
            });
            off += size;
        }
        let size = align_up(off, 8).max(start);
        if table.is_empty() {
            return (ptr::null(), size);
        }
        let t: *mut [FieldDesc] = Box::into_raw(table.into_boxed_slice());
        self.allocations.fields.push(t);
        (t as *const FieldDesc, size)
    }

    /// The descriptor of a scalar kind (`Unit` ..= `F64`); these are shared statics.
    pub fn scalar(&self, kind: TypeKind) -> *const TypeDesc {
        assert!(!kind.is_ref(), "{kind:?} is not a scalar kind");
        static_desc(kind).expect("scalar kinds have static descriptors")
    }

    /// The descriptor of `str` (the shared static one).
    pub fn str(&self) -> *const TypeDesc {
        str_desc()
    }

    pub fn array(&mut self, elem: *const TypeDesc) -> *const TypeDesc {
        let d = self.declare();
        self.define_array(d, elem);
        d
    }

    pub fn map(&mut self, key: *const TypeDesc, value: *const TypeDesc) -> *const TypeDesc {
        let d = self.declare();
        self.define_map(d, key, value);
        d
    }

    pub fn tuple(&mut self, fields: &[*const TypeDesc]) -> *const TypeDesc {
        let d = self.declare();
        self.define_tuple(d, fields);
        d
    }

    pub fn struct_(&mut self, name: &str, fields: &[(&str, *const TypeDesc)]) -> *const TypeDesc {
        let d = self.declare();
        self.define_struct(d, name, fields);
        d
    }

    pub fn enum_(&mut self, name: &str, variants: &[VariantDef]) -> *const TypeDesc {
        let d = self.declare();
        self.define_enum(d, name, variants);
        d
    }

    /// `Option<T>`: `None` (tag 0) and `Some(T)` (tag 1).
    pub fn option(&mut self, t: *const TypeDesc) -> *const TypeDesc {
        self.enum_(
            "Option",
            &[("None", false, &[]), ("Some", false, &[("", t)])],
        )
    }

    /// `Result<T, E>`: `Ok(T)` (tag 0) and `Err(E)` (tag 1).
    pub fn result(&mut self, t: *const TypeDesc, e: *const TypeDesc) -> *const TypeDesc {
        self.enum_(
            "Result",
            &[("Ok", false, &[("", t)]), ("Err", false, &[("", e)])],
        )
    }

    fn set(&mut self, target: *mut TypeDesc, desc: TypeDesc) {
        self.check_target(target);
        // SAFETY: `target` is a live, undefined descriptor of this arena; nothing
        // reads it concurrently while it is being defined.
        unsafe { target.write(desc) }
    }

    fn blank(kind: TypeKind) -> TypeDesc {
        blank_desc(kind as u32, kind.size())
    }

    pub fn define_array(&mut self, target: *mut TypeDesc, elem: *const TypeDesc) {
        assert!(!elem.is_null());
        let mut d = Self::blank(TypeKind::Array);
        d.elem = elem;
        d.object_size = crate::object::ARRAY_OBJECT_SIZE as u32;
        self.set(target, d);
    }

    pub fn define_map(
        &mut self,
        target: *mut TypeDesc,
        key: *const TypeDesc,
        value: *const TypeDesc,
    ) {
        assert!(!key.is_null() && !value.is_null());
        let mut d = Self::blank(TypeKind::Map);
        d.elem = key;
        d.elem2 = value;
        d.object_size = crate::object::MAP_OBJECT_SIZE as u32;
        self.set(target, d);
    }

    pub fn define_tuple(&mut self, target: *mut TypeDesc, fields: &[*const TypeDesc]) {
        let named: Vec<(&str, *const TypeDesc)> = fields.iter().map(|&d| ("", d)).collect();
        let (table, object_size) = self.layout(16, &named);
        let mut d = Self::blank(TypeKind::Tuple);
        d.count = fields.len() as u32;
        d.fields = table;
        d.object_size = object_size;
        self.set(target, d);
    }

    pub fn define_struct(
        &mut self,
        target: *mut TypeDesc,
        name: &str,
        fields: &[(&str, *const TypeDesc)],
    ) {
        self.define_named_fields(target, TypeKind::Struct, name, 16, fields);
    }

    /// A struct or closure descriptor: a name and fields laid out from `start`.
    fn define_named_fields(
        &mut self,
        target: *mut TypeDesc,
        kind: TypeKind,
        name: &str,
        start: u32,
        fields: &[(&str, *const TypeDesc)],
    ) {
        let (table, object_size) = self.layout(start, fields);
        let (name, name_len) = self.name(name);
        let mut d = Self::blank(kind);
        d.name = name;
        d.name_len = name_len;
        d.count = fields.len() as u32;
        d.fields = table;
        d.object_size = object_size;
        self.set(target, d);
    }

    /// A closure object: the code pointer at offset 16, then the captured values.
    /// `name` is the function's name for a named function used as a value, empty
    /// for a closure; the descriptor of a function *type* (an array's element, a
    /// field) has no captures and is used only to know that values are objects.
    pub fn define_closure(
        &mut self,
        target: *mut TypeDesc,
        name: &str,
        captures: &[*const TypeDesc],
    ) {
        let named: Vec<(&str, *const TypeDesc)> = captures.iter().map(|&d| ("", d)).collect();
        self.define_named_fields(
            target,
            TypeKind::Closure,
            name,
            CLOSURE_CAPTURES_OFFSET,
            &named,
        );
    }

    /// A generator object: `frame_slots` 8-byte slots of its frame from
    /// [`GEN_FRAME_OFFSET`], then the parameters it keeps (owned by the object).
    /// The descriptor of a generator *type* has no slots and no parameters, like
    /// that of a function type.
    pub fn define_generator(
        &mut self,
        target: *mut TypeDesc,
        name: &str,
        params: &[*const TypeDesc],
        frame_slots: u32,
    ) {
        let named: Vec<(&str, *const TypeDesc)> = params.iter().map(|&d| ("", d)).collect();
        let start = GEN_FRAME_OFFSET + 8 * frame_slots;
        self.define_named_fields(target, TypeKind::Generator, name, start, &named);
    }

    pub fn define_enum(&mut self, target: *mut TypeDesc, name: &str, variants: &[VariantDef]) {
        self.check_target(target);
        let mut table = Vec::with_capacity(variants.len());
        let mut max_size = UNIT_OBJECT_SIZE as u32;
        for (tag, &(vname, labelled, fields)) in variants.iter().enumerate() {
            let (ftable, object_size) = self.layout(24, fields);
            let (vn, vn_len) = self.name(vname);
            let unit_instance = if fields.is_empty() {
                self.unit_instance(target, tag as u32)
            } else {
                ptr::null_mut()
            };
            max_size = max_size.max(object_size);
            table.push(VariantDesc {
                name: vn,
                name_len: vn_len,
                count: fields.len() as u32,
                labelled: labelled as u32,
                fields: ftable,
                object_size,
                unit_instance,
            });
        }
        let (n, n_len) = self.name(name);
        let mut d = Self::blank(TypeKind::Enum);
        d.name = n;
        d.name_len = n_len;
        d.count = variants.len() as u32;
        d.object_size = max_size;
        if !table.is_empty() {
            let t: *mut [VariantDesc] = Box::into_raw(table.into_boxed_slice());
            self.allocations.variants.push(t);
            d.variants = t as *const VariantDesc;
        }
        self.set(target, d);
    }

    /// Makes the immortal object of a variant without fields.
    fn unit_instance(&mut self, desc: *const TypeDesc, tag: u32) -> *mut u8 {
        let layout = Layout::from_size_align(UNIT_OBJECT_SIZE, 16).expect("valid layout");
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { alloc_zeroed(layout) };
        if p.is_null() {
            crate::string::out_of_memory();
        }
        // SAFETY: `p` is a fresh, zeroed, 16-aligned allocation of 24 bytes: room for
        // the header and the tag.
        unsafe {
            p.cast::<Header>().write(Header {
                rc: IMMORTAL_RC,
                flags: FLAG_IMMORTAL,
                desc,
            });
            p.add(crate::object::ENUM_TAG_OFFSET as usize)
                .cast::<u32>()
                .write(tag);
        }
        self.allocations.units.push(p);
        p
    }
}

impl Drop for DescArena {
    /// Retires the arena's allocations instead of freeing them: values this arena
    /// described may still be alive (see [`DescArena`]).
    fn drop(&mut self) {
        let allocations = std::mem::take(&mut self.allocations);
        let mut retired = RETIRED.lock().unwrap_or_else(|e| e.into_inner());
        retired.push(allocations);
    }
}

/// The name of a type as Kiln writes it (`int`, `[str]`, `(int, float)`, `Point`),
/// for the leak report.
///
/// # Safety
/// `d` must be a well-formed descriptor.
pub unsafe fn type_name(d: &TypeDesc) -> String {
    // SAFETY: `d` and everything it points at are well formed (caller's contract).
    unsafe {
        match TypeKind::from_u32(d.kind) {
            None => "?".into(),
            Some(k) => match k {
                TypeKind::Unit => "()".into(),
                TypeKind::Bool => "bool".into(),
                TypeKind::Char => "char".into(),
                TypeKind::I8 => "i8".into(),
                TypeKind::I16 => "i16".into(),
                TypeKind::I32 => "i32".into(),
                TypeKind::I64 => "int".into(),
                TypeKind::U8 => "u8".into(),
                TypeKind::U16 => "u16".into(),
                TypeKind::U32 => "u32".into(),
                TypeKind::U64 => "u64".into(),
                TypeKind::F32 => "f32".into(),
                TypeKind::F64 => "float".into(),
                TypeKind::Str => "str".into(),
                TypeKind::Array => format!("[{}]", type_name(d.elem())),
                TypeKind::Map => format!("[{}: {}]", type_name(d.elem()), type_name(d.elem2())),
                TypeKind::Tuple => {
                    let parts: Vec<String> =
                        d.fields().iter().map(|f| type_name(f.desc())).collect();
                    if parts.len() == 1 {
                        format!("({},)", parts[0])
                    } else {
                        format!("({})", parts.join(", "))
                    }
                }
                TypeKind::Struct | TypeKind::Enum => d.name().to_string(),
                TypeKind::Closure => "fn".to_string(),
                TypeKind::Generator => "Gen".to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_layout_aligns_fields() {
        let mut a = DescArena::new();
        let b = a.scalar(TypeKind::Bool);
        let i = a.scalar(TypeKind::I64);
        let c = a.scalar(TypeKind::Char);
        let s = a.struct_("S", &[("a", b), ("b", i), ("c", c), ("d", b)]);
        // SAFETY: `s` was just defined by the arena.
        unsafe {
            let d = &*s;
            let offs: Vec<u32> = d.fields().iter().map(|f| f.offset).collect();
            assert_eq!(offs, vec![16, 24, 32, 36]);
            assert_eq!(d.object_size, 40);
            assert_eq!(d.name(), "S");
            assert_eq!(d.fields()[2].name(), "c");
            assert_eq!(d.size, 8);
        }
    }

    #[test]
    fn enum_layout_and_unit_instances() {
        let mut a = DescArena::new();
        let f = a.scalar(TypeKind::F64);
        let e = a.enum_(
            "Shape",
            &[
                ("Circle", false, &[("", f)]),
                ("Rect", true, &[("w", f), ("h", f)]),
                ("Empty", false, &[]),
            ],
        );
        // SAFETY: `e` was just defined by the arena.
        unsafe {
            let d = &*e;
            let v = d.variants();
            assert_eq!(v.len(), 3);
            assert_eq!(v[0].fields()[0].offset, 24);
            assert_eq!(v[0].object_size, 32);
            assert_eq!(v[1].fields()[1].offset, 32);
            assert_eq!(v[1].object_size, 40);
            assert!(v[0].unit_instance.is_null());
            let u = v[2].unit_instance;
            assert!(!u.is_null());
            let h = &*u.cast::<Header>();
            assert_eq!(h.rc, IMMORTAL_RC);
            assert_eq!(h.flags, FLAG_IMMORTAL);
            assert_eq!(h.desc, e);
            assert_eq!(*u.add(16).cast::<u32>(), 2);
        }
    }

    #[test]
    fn recursive_types_through_placeholders() {
        let mut a = DescArena::new();
        let i = a.scalar(TypeKind::I64);
        let list = a.declare();
        a.define_enum(
            list,
            "List",
            &[("Nil", false, &[]), ("Cons", false, &[("", i), ("", list)])],
        );
        // SAFETY: `list` is defined now.
        unsafe {
            let d = &*list;
            assert_eq!(d.kind(), TypeKind::Enum);
            assert_eq!(d.variants()[1].fields()[1].offset, 32);
            assert_eq!(d.variants()[1].fields()[1].desc, list as *const _);
            assert_eq!(type_name(d), "List");
        }
    }

    #[test]
    fn type_names() {
        let mut a = DescArena::new();
        let i = a.scalar(TypeKind::I64);
        let s = a.str();
        let arr = a.array(i);
        let m = a.map(s, arr);
        let t1 = a.tuple(&[i]);
        let t2 = a.tuple(&[i, s]);
        // SAFETY: all defined above.
        unsafe {
            assert_eq!(type_name(&*arr), "[int]");
            assert_eq!(type_name(&*m), "[str: [int]]");
            assert_eq!(type_name(&*t1), "(int,)");
            assert_eq!(type_name(&*t2), "(int, str)");
            assert_eq!((*t2).fields()[1].offset, 24);
            assert_eq!((*t2).object_size, 32);
        }
    }

    #[test]
    #[should_panic(expected = "defined twice")]
    fn defining_twice_is_refused() {
        let mut a = DescArena::new();
        let i = a.scalar(TypeKind::I64);
        let d = a.declare();
        a.define_array(d, i);
        a.define_array(d, i);
    }
}
