//! Kiln's types as the checker sees them.
//!
//! [`Ty`] is a small `Copy` value. Scalars are variants of their own; compound types
//! (arrays, maps, tuples, `Option`, `Result`, structs and enums) are
//! [`Ty::Heap`] ids into the session's [`TypeStore`], so two types are equal exactly
//! when their ids are. The store of the session at work is current on its thread
//! ([`TypeStore::enter`]), so any type can be displayed without passing a context;
//! dropping the session frees its types.
//! `Never` is the type of expressions that do not produce a value (`return`,
//! `panic(...)`); it fits wherever any type is expected. `Error` stands for a type
//! that could not be determined because of an error already reported: it is
//! compatible with everything so one mistake yields one diagnostic.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntTy {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

impl IntTy {
    pub fn bits(self) -> u32 {
        match self {
            IntTy::I8 | IntTy::U8 => 8,
            IntTy::I16 | IntTy::U16 => 16,
            IntTy::I32 | IntTy::U32 => 32,
            IntTy::I64 | IntTy::U64 => 64,
        }
    }

    pub fn signed(self) -> bool {
        matches!(self, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64)
    }

    pub fn min(self) -> i128 {
        if self.signed() {
            -(1i128 << (self.bits() - 1))
        } else {
            0
        }
    }

    pub fn max(self) -> i128 {
        if self.signed() {
            (1i128 << (self.bits() - 1)) - 1
        } else {
            (1i128 << self.bits()) - 1
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "int",
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatTy {
    F32,
    F64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Int(IntTy),
    Float(FloatTy),
    Bool,
    Char,
    Str,
    Unit,
    Never,
    Error,
    /// A compound type, interned: see [`HeapTy`].
    Heap(HeapId),
    /// A type not known yet: a unification variable of the body being checked
    /// (`check/infer.rs`). It never reaches HIR.
    Infer(u32),
    /// Type parameter `i` of a generic struct or enum, in its declared field types
    /// only; [`Ty::subst`] replaces it with a type argument.
    Param(u32),
}

/// The id of an interned [`HeapTy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeapId(pub u32);

/// The id of a user-declared struct or enum, unique in its session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AdtId(pub u32);

/// Compound types. All of them are reference types at run time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HeapTy {
    Array(Ty),
    Map(Ty, Ty),
    /// Never fewer than one element; `()` is [`Ty::Unit`].
    Tuple(Vec<Ty>),
    Option(Ty),
    Result(Ty, Ty),
    /// A struct or enum, with its name for display and its type arguments (none
    /// for a struct or enum that is not generic).
    Adt(AdtId, String, Vec<Ty>),
    /// A function value: a named function or a closure (`fn(A, B) -> R`).
    Func(Vec<Ty>, Ty),
    /// A generator producing values of the type (`Gen<T>`).
    Gen(Ty),
}

/// The compound types of one session, interned.
///
/// A session owns one store; [`Ty::Heap`] ids are positions in it and mean nothing
/// outside it. Code that reads or makes compound types runs inside
/// [`TypeStore::enter`], which makes the store the current one for this thread
/// (the way rustc makes its type context current): this keeps [`Ty`] a `Copy`
/// value that prints without a context, while two sessions in one process stay
/// independent and dropping a session frees its types.
#[derive(Default)]
pub struct TypeStore {
    inner: RefCell<Interner>,
}

#[derive(Default, Clone)]
struct Interner {
    types: Vec<HeapTy>,
    ids: HashMap<HeapTy, HeapId>,
    next_adt: u32,
}

/// How far a store has grown: taken before a unit is checked, so that a unit with
/// errors can leave the store exactly as it was ([`TypeStore::rollback`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeMark {
    types: usize,
    next_adt: u32,
}

thread_local! {
    /// The store of the session this thread is working for, if any.
    static CURRENT: Cell<*const TypeStore> = const { Cell::new(std::ptr::null()) };
}

/// Makes a store current until dropped, then restores the one before it.
pub struct Entered {
    previous: *const TypeStore,
    /// Not `Send`: the guard belongs to the thread whose current store it set.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

impl TypeStore {
    pub fn new() -> TypeStore {
        TypeStore::default()
    }

    /// Makes this store the current one on this thread while `f` runs.
    pub fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        let _guard = self.enter_guard();
        f()
    }

    /// Makes this store the current one on this thread until the guard is dropped.
    /// The store must outlive the guard (the borrow says so).
    pub fn enter_guard(&self) -> Entered {
        let previous = CURRENT.with(|c| c.replace(self as *const TypeStore));
        Entered {
            previous,
            _not_send: std::marker::PhantomData,
        }
    }

    /// The number of interned compound types.
    pub fn len(&self) -> usize {
        self.inner.borrow().types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn mark(&self) -> TypeMark {
        let i = self.inner.borrow();
        TypeMark {
            types: i.types.len(),
            next_adt: i.next_adt,
        }
    }

    /// Forgets every type interned since `mark`.
    pub fn rollback(&self, mark: TypeMark) {
        let mut i = self.inner.borrow_mut();
        for h in i.types.split_off(mark.types) {
            i.ids.remove(&h);
        }
        i.next_adt = mark.next_adt;
    }
}

/// Runs `f` with the current store. Using a compound type outside any session is a
/// bug in the compiler, never the user's fault.
fn with_store<R>(f: impl FnOnce(&mut Interner) -> R) -> R {
    let ptr = CURRENT.with(|c| c.get());
    assert!(
        !ptr.is_null(),
        "internal error: a compound type was used outside its session"
    );
    // SAFETY: `ptr` was set by `TypeStore::enter_guard` on this thread from a live
    // `&TypeStore`, and the guard that resets it borrows that store, so the store
    // outlives every use here. The `RefCell` catches re-entrant borrows.
    let store = unsafe { &*ptr };
    f(&mut store.inner.borrow_mut())
}

/// The type for a compound type description.
pub fn intern(h: HeapTy) -> Ty {
    with_store(|i| {
        if let Some(&id) = i.ids.get(&h) {
            return Ty::Heap(id);
        }
        let id = HeapId(i.types.len() as u32);
        i.types.push(h.clone());
        i.ids.insert(h, id);
        Ty::Heap(id)
    })
}

/// A fresh id for a struct or enum declaration, unique in the session.
pub fn new_adt_id() -> AdtId {
    with_store(|i| {
        i.next_adt += 1;
        AdtId(i.next_adt)
    })
}

/// The description of an interned type.
pub fn heap(id: HeapId) -> HeapTy {
    with_store(|i| {
        i.types
            .get(id.0 as usize)
            .cloned()
            .unwrap_or(HeapTy::Tuple(Vec::new()))
    })
}

impl Ty {
    pub fn array(elem: Ty) -> Ty {
        intern(HeapTy::Array(elem))
    }

    pub fn option(inner: Ty) -> Ty {
        intern(HeapTy::Option(inner))
    }

    /// The compound description of this type, if it is compound.
    pub fn heap(self) -> Option<HeapTy> {
        match self {
            Ty::Heap(id) => Some(heap(id)),
            _ => None,
        }
    }

    /// Whether values of this type are pointers to reference-counted objects.
    pub fn is_ref(self) -> bool {
        matches!(self, Ty::Str | Ty::Heap(_))
    }

    /// Whether `f` holds for this type or any type inside it.
    pub fn any_part(self, f: &impl Fn(Ty) -> bool) -> bool {
        if f(self) {
            return true;
        }
        match self.heap() {
            None => false,
            Some(HeapTy::Array(t) | HeapTy::Option(t) | HeapTy::Gen(t)) => t.any_part(f),
            Some(HeapTy::Map(a, b) | HeapTy::Result(a, b)) => a.any_part(f) || b.any_part(f),
            Some(HeapTy::Tuple(ts) | HeapTy::Adt(_, _, ts)) => ts.iter().any(|t| t.any_part(f)),
            Some(HeapTy::Func(ps, r)) => ps.iter().any(|t| t.any_part(f)) || r.any_part(f),
        }
    }

    /// Whether this type, or any type inside it, is an error.
    pub fn contains_error(self) -> bool {
        self.any_part(&|t| t == Ty::Error)
    }

    /// Whether this type is, or contains, the struct or enum `id`.
    pub fn mentions_adt(self, id: AdtId) -> bool {
        self.any_part(&|t| matches!(t.heap(), Some(HeapTy::Adt(a, _, _)) if a == id))
    }

    /// The first pair of distinct structs or enums of one name found at the same
    /// place in `self` and `other`: what makes two types that differ print the
    /// same.
    pub fn adts_named_alike(self, other: Ty) -> Option<(AdtId, AdtId, String)> {
        let pairs = |xs: &[Ty], ys: &[Ty]| {
            (xs.len() == ys.len())
                .then(|| xs.iter().zip(ys).find_map(|(x, y)| x.adts_named_alike(*y)))
                .flatten()
        };
        match (self.heap()?, other.heap()?) {
            (HeapTy::Adt(a, n, xs), HeapTy::Adt(b, m, ys)) => {
                if a != b && n == m {
                    Some((a, b, n))
                } else {
                    pairs(&xs, &ys)
                }
            }
            (HeapTy::Array(x), HeapTy::Array(y))
            | (HeapTy::Option(x), HeapTy::Option(y))
            | (HeapTy::Gen(x), HeapTy::Gen(y)) => x.adts_named_alike(y),
            (HeapTy::Map(a, b), HeapTy::Map(c, d))
            | (HeapTy::Result(a, b), HeapTy::Result(c, d)) => pairs(&[a, b], &[c, d]),
            (HeapTy::Tuple(xs), HeapTy::Tuple(ys)) => pairs(&xs, &ys),
            (HeapTy::Func(xs, r), HeapTy::Func(ys, q)) => {
                pairs(&xs, &ys).or_else(|| r.adts_named_alike(q))
            }
            _ => None,
        }
    }

    /// Whether a unification variable occurs in this type.
    pub fn contains_infer(self) -> bool {
        !self.infer_vars().is_empty()
    }

    /// The unification variables in this type.
    pub fn infer_vars(self) -> Vec<u32> {
        let mut out = Vec::new();
        self.collect_infer(&mut out);
        out
    }

    fn collect_infer(self, out: &mut Vec<u32>) {
        match self {
            Ty::Infer(v) => out.push(v),
            Ty::Heap(_) => match self.heap() {
                Some(HeapTy::Array(t) | HeapTy::Option(t) | HeapTy::Gen(t)) => t.collect_infer(out),
                Some(HeapTy::Map(a, b) | HeapTy::Result(a, b)) => {
                    a.collect_infer(out);
                    b.collect_infer(out);
                }
                Some(HeapTy::Tuple(ts) | HeapTy::Adt(_, _, ts)) => {
                    ts.iter().for_each(|t| t.collect_infer(out))
                }
                Some(HeapTy::Func(ps, r)) => {
                    ps.iter().for_each(|t| t.collect_infer(out));
                    r.collect_infer(out);
                }
                None => {}
            },
            _ => {}
        }
    }

    /// This type with every unification variable replaced by `with`.
    pub fn replace_infer(self, with: Ty) -> Ty {
        self.map_leaves(&|t| matches!(t, Ty::Infer(_)).then_some(with))
    }

    /// This type with each type parameter `Param(i)` replaced by `args[i]`.
    pub fn subst(self, args: &[Ty]) -> Ty {
        if args.is_empty() {
            return self;
        }
        self.map_leaves(&|t| match t {
            Ty::Param(i) => Some(args.get(i as usize).copied().unwrap_or(Ty::Error)),
            _ => None,
        })
    }

    /// This type rebuilt with each part for which `f` gives a replacement replaced.
    fn map_leaves(self, f: &dyn Fn(Ty) -> Option<Ty>) -> Ty {
        if let Some(t) = f(self) {
            return t;
        }
        let r = |t: Ty| t.map_leaves(f);
        match self.heap() {
            Some(HeapTy::Array(t)) => Ty::array(r(t)),
            Some(HeapTy::Option(t)) => Ty::option(r(t)),
            Some(HeapTy::Gen(t)) => Ty::generator(r(t)),
            Some(HeapTy::Map(a, b)) => intern(HeapTy::Map(r(a), r(b))),
            Some(HeapTy::Result(a, b)) => intern(HeapTy::Result(r(a), r(b))),
            Some(HeapTy::Tuple(ts)) => intern(HeapTy::Tuple(ts.into_iter().map(r).collect())),
            Some(HeapTy::Func(ps, ret)) => Ty::func(ps.into_iter().map(r).collect(), r(ret)),
            Some(HeapTy::Adt(id, name, ts)) if !ts.is_empty() => {
                intern(HeapTy::Adt(id, name, ts.into_iter().map(r).collect()))
            }
            Some(HeapTy::Adt(..)) | None => self,
        }
    }

    /// `Gen<t>`.
    pub fn generator(t: Ty) -> Ty {
        intern(HeapTy::Gen(t))
    }

    /// The element type of a generator type.
    pub fn as_gen(self) -> Option<Ty> {
        match self.heap()? {
            HeapTy::Gen(t) => Some(t),
            _ => None,
        }
    }

    pub fn func(params: Vec<Ty>, ret: Ty) -> Ty {
        intern(HeapTy::Func(params, ret))
    }

    /// The parameter and result types of a function type.
    pub fn as_func(self) -> Option<(Vec<Ty>, Ty)> {
        match self.heap()? {
            HeapTy::Func(ps, r) => Some((ps, r)),
            _ => None,
        }
    }

    pub const INT: Ty = Ty::Int(IntTy::I64);
    pub const FLOAT: Ty = Ty::Float(FloatTy::F64);

    pub fn is_int(self) -> bool {
        matches!(self, Ty::Int(_))
    }

    pub fn is_float(self) -> bool {
        matches!(self, Ty::Float(_))
    }

    pub fn is_numeric(self) -> bool {
        self.is_int() || self.is_float()
    }

    /// Whether values of this type can be told apart by `==`: functions cannot be
    /// compared (LANGUAGE.md §4), nor anything holding one directly. (A struct or
    /// enum holding a function compares its other fields; the function field
    /// compares by identity.)
    pub fn has_equality(self) -> bool {
        match self.heap() {
            Some(HeapTy::Func(..) | HeapTy::Gen(_)) => false,
            Some(HeapTy::Array(t) | HeapTy::Option(t)) => t.has_equality(),
            Some(HeapTy::Map(k, v) | HeapTy::Result(k, v)) => k.has_equality() && v.has_equality(),
            Some(HeapTy::Tuple(ts)) => ts.iter().all(|t| t.has_equality()),
            Some(HeapTy::Adt(..)) => true,
            None => !matches!(self, Ty::Never | Ty::Error),
        }
    }

    /// Whether values of this type are ordered by `<`: numbers, chars, strings, and
    /// tuples and arrays of ordered types (lexicographically).
    pub fn has_order(self) -> bool {
        match self.heap() {
            Some(HeapTy::Array(t)) => t.has_order(),
            Some(HeapTy::Tuple(ts)) => ts.iter().all(|t| t.has_order()),
            Some(_) => false,
            None => matches!(self, Ty::Int(_) | Ty::Float(_) | Ty::Char | Ty::Str),
        }
    }

    /// Whether an error was already reported for this type.
    pub fn is_error(self) -> bool {
        self == Ty::Error
    }

    /// Whether a value of type `self` may be used where `expected` is wanted.
    pub fn fits(self, expected: Ty) -> bool {
        self == expected
            || matches!(self, Ty::Never)
            || self.contains_error()
            || expected.contains_error()
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Int(i) => f.write_str(i.name()),
            Ty::Float(FloatTy::F64) => f.write_str("float"),
            Ty::Float(FloatTy::F32) => f.write_str("f32"),
            Ty::Bool => f.write_str("bool"),
            Ty::Char => f.write_str("char"),
            Ty::Str => f.write_str("str"),
            Ty::Unit => f.write_str("()"),
            Ty::Never => f.write_str("never"),
            Ty::Error => f.write_str("{unknown}"),
            Ty::Infer(_) => f.write_str("_"),
            Ty::Param(i) => write!(f, "<type parameter {i}>"),
            Ty::Heap(id) => match heap(*id) {
                HeapTy::Array(t) => write!(f, "[{t}]"),
                HeapTy::Map(k, v) => write!(f, "[{k}: {v}]"),
                HeapTy::Tuple(ts) => {
                    let parts: Vec<String> = ts.iter().map(|t| t.to_string()).collect();
                    if parts.len() == 1 {
                        write!(f, "({},)", parts[0])
                    } else {
                        write!(f, "({})", parts.join(", "))
                    }
                }
                // `fn(int) -> int?` would read as a function returning `int?`.
                HeapTy::Option(t) if matches!(t.heap(), Some(HeapTy::Func(..))) => {
                    write!(f, "({t})?")
                }
                HeapTy::Option(t) => write!(f, "{t}?"),
                HeapTy::Gen(t) => write!(f, "Gen<{t}>"),
                HeapTy::Result(t, e) => write!(f, "Result<{t}, {e}>"),
                HeapTy::Adt(_, name, args) => {
                    f.write_str(&name)?;
                    if !args.is_empty() {
                        let parts: Vec<String> = args.iter().map(|t| t.to_string()).collect();
                        write!(f, "<{}>", parts.join(", "))?;
                    }
                    Ok(())
                }
                HeapTy::Func(ps, r) => {
                    let parts: Vec<String> = ps.iter().map(|t| t.to_string()).collect();
                    write!(f, "fn({})", parts.join(", "))?;
                    if r != Ty::Unit {
                        write!(f, " -> {r}")?;
                    }
                    Ok(())
                }
            },
        }
    }
}

/// Whether `name` is a type the language provides (a scalar, `Option`, `Result`,
/// `Gen`), which no declaration may take.
pub fn is_builtin_type_name(name: &str) -> bool {
    scalar_by_name(name).is_some() || matches!(name, "Option" | "Result" | "Gen")
}

/// The scalar type a name denotes, if it is one.
pub fn scalar_by_name(name: &str) -> Option<Ty> {
    Some(match name {
        "int" | "i64" => Ty::INT,
        "i8" => Ty::Int(IntTy::I8),
        "i16" => Ty::Int(IntTy::I16),
        "i32" => Ty::Int(IntTy::I32),
        "u8" => Ty::Int(IntTy::U8),
        "u16" => Ty::Int(IntTy::U16),
        "u32" => Ty::Int(IntTy::U32),
        "u64" => Ty::Int(IntTy::U64),
        "float" | "f64" => Ty::FLOAT,
        "f32" => Ty::Float(FloatTy::F32),
        "bool" => Ty::Bool,
        "char" => Ty::Char,
        "str" => Ty::Str,
        _ => return None,
    })
}
