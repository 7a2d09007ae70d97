//! Kiln's types as the checker sees them.
//!
//! [`Ty`] is a small `Copy` value. Scalars are variants of their own; compound types
//! (arrays, maps, tuples, `Option`, `Result`, structs and enums) are
//! [`Ty::Heap`] ids into a process-wide interner of [`HeapTy`], so two types are equal
//! exactly when their ids are, and any type can be displayed without a context.
//! Interned types are never freed: a program has few, and a REPL session adds few.
//! `Never` is the type of expressions that do not produce a value (`return`,
//! `panic(...)`); it fits wherever any type is expected. `Error` stands for a type
//! that could not be determined because of an error already reported: it is
//! compatible with everything so one mistake yields one diagnostic.

use std::collections::HashMap;
use std::fmt;
use std::sync::{OnceLock, RwLock};

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
}

/// The id of an interned [`HeapTy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeapId(pub u32);

/// The id of a user-declared struct or enum, unique in the process.
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
    /// A struct or enum, with its name for display.
    Adt(AdtId, String),
}

#[derive(Default)]
struct Interner {
    types: Vec<HeapTy>,
    ids: HashMap<HeapTy, HeapId>,
    next_adt: u32,
}

fn interner() -> &'static RwLock<Interner> {
    static INTERNER: OnceLock<RwLock<Interner>> = OnceLock::new();
    INTERNER.get_or_init(|| RwLock::new(Interner::default()))
}

/// The type for a compound type description.
pub fn intern(h: HeapTy) -> Ty {
    if let Some(&id) = interner()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .ids
        .get(&h)
    {
        return Ty::Heap(id);
    }
    let mut i = interner().write().unwrap_or_else(|e| e.into_inner());
    if let Some(&id) = i.ids.get(&h) {
        return Ty::Heap(id);
    }
    let id = HeapId(i.types.len() as u32);
    i.types.push(h.clone());
    i.ids.insert(h, id);
    Ty::Heap(id)
}

/// A fresh id for a struct or enum declaration.
pub fn new_adt_id() -> AdtId {
    let mut i = interner().write().unwrap_or_else(|e| e.into_inner());
    i.next_adt += 1;
    AdtId(i.next_adt)
}

/// The description of an interned type.
pub fn heap(id: HeapId) -> HeapTy {
    interner()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .types
        .get(id.0 as usize)
        .cloned()
        .unwrap_or(HeapTy::Tuple(Vec::new()))
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

    /// Whether this type, or any type inside it, is an error.
    pub fn contains_error(self) -> bool {
        match self.heap() {
            None => self == Ty::Error,
            Some(HeapTy::Array(t) | HeapTy::Option(t)) => t.contains_error(),
            Some(HeapTy::Map(a, b) | HeapTy::Result(a, b)) => {
                a.contains_error() || b.contains_error()
            }
            Some(HeapTy::Tuple(ts)) => ts.iter().any(|t| t.contains_error()),
            Some(HeapTy::Adt(..)) => false,
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

    /// Whether values of this type can be told apart by `==`.
    pub fn has_equality(self) -> bool {
        !matches!(self, Ty::Never | Ty::Error)
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
                HeapTy::Option(t) => write!(f, "{t}?"),
                HeapTy::Result(t, e) => write!(f, "Result<{t}, {e}>"),
                HeapTy::Adt(_, name) => f.write_str(&name),
            },
        }
    }
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
