//! Kiln's types as the checker sees them.
//!
//! This version of the checker knows the scalar types and `str`; every other type
//! of LANGUAGE.md is recognised by name so that it can be reported as not available
//! yet. `Never` is the type of expressions that do not produce a value (`return`,
//! `panic(...)`); it fits wherever any type is expected. `Error` stands for a type
//! that could not be determined because of an error already reported: it is
//! compatible with everything so one mistake yields one diagnostic.

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
}

impl Ty {
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

    /// Whether values of this type are ordered by `<`.
    pub fn has_order(self) -> bool {
        matches!(self, Ty::Int(_) | Ty::Float(_) | Ty::Char | Ty::Str)
    }

    /// Whether an error was already reported for this type.
    pub fn is_error(self) -> bool {
        self == Ty::Error
    }

    /// Whether a value of type `self` may be used where `expected` is wanted.
    pub fn fits(self, expected: Ty) -> bool {
        self == expected || matches!(self, Ty::Never | Ty::Error) || expected == Ty::Error
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
