//! The MIR data model: a typed SSA IR with block parameters.
//!
//! A [`Program`] holds functions; a [`Func`] holds blocks, values and instructions in
//! vectors addressed by typed `u32` ids ([`Block`], [`Value`]). Every value is
//! defined exactly once, either as a block parameter or as an instruction result.
//! Control flow is explicit: each block ends in one [`Terminator`], and branches pass
//! arguments to their target's parameters (there are no phi nodes). Checks that can
//! fail at run time (overflow, division, shifts) are explicit branches to blocks that
//! end in [`Terminator::Panic`]. Nothing here knows about Cranelift.

use kiln_syntax::Span;
use std::fmt;

macro_rules! entity {
    ($name:ident, $prefix:literal) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

entity!(Value, "v");
entity!(Block, "block");
entity!(FuncRef, "fn");
entity!(GlobalRef, "g");
entity!(ExternRef, "ext");
entity!(StrRef, "str");
entity!(SpecRef, "spec");
entity!(TypeRef, "type");

/// A machine-level type. `bool` is `I8` holding 0 or 1; `char` is `I32`; a heap
/// value is `Ptr`. Unit has no MIR type: it occupies no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
    Ptr,
}

impl Type {
    /// How MIR sees a type of the runtime's table (`kiln_runtime::symbols`).
    pub fn of_abi(a: kiln_runtime::Abi) -> Type {
        use kiln_runtime::Abi;
        match a {
            Abi::I8 => Type::I8,
            Abi::I16 => Type::I16,
            Abi::I32 => Type::I32,
            Abi::I64 => Type::I64,
            Abi::F32 => Type::F32,
            Abi::F64 => Type::F64,
            Abi::Ptr => Type::Ptr,
        }
    }

    #[inline]
    pub fn is_int(self) -> bool {
        matches!(
            self,
            Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Ptr
        )
    }

    #[inline]
    pub fn is_float(self) -> bool {
        matches!(self, Type::F32 | Type::F64)
    }

    #[inline]
    pub fn bits(self) -> u32 {
        match self {
            Type::I8 => 8,
            Type::I16 => 16,
            Type::I32 | Type::F32 => 32,
            Type::I64 | Type::F64 | Type::Ptr => 64,
        }
    }
}

/// The low `bits` bits of `v`, as an unsigned number: the value of an integer
/// constant of that width read unsigned.
pub fn zero_extend(v: i64, bits: u32) -> u64 {
    if bits >= 64 {
        v as u64
    } else {
        v as u64 & ((1u64 << bits) - 1)
    }
}

/// The low `bits` bits of `v`, read as a signed number: how lowering keeps the
/// constants of narrower integer types (sign-extended to 64 bits).
pub fn sign_extend(v: i64, bits: u32) -> i64 {
    let shift = 64 - bits.min(64);
    (v << shift) >> shift
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Type::I8 => "i8",
            Type::I16 => "i16",
            Type::I32 => "i32",
            Type::I64 => "i64",
            Type::F32 => "f32",
            Type::F64 => "f64",
            Type::Ptr => "ptr",
        };
        f.write_str(s)
    }
}

/// Two-operand operations that cannot fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Iadd,
    Isub,
    Imul,
    /// Signed division; the divisor is known not to be zero or to overflow.
    Sdiv,
    Udiv,
    Srem,
    Urem,
    Band,
    Bor,
    Bxor,
    /// Shifts take a count already checked to be in range.
    Ishl,
    Sshr,
    Ushr,
    Fadd,
    Fsub,
    Fmul,
    Fdiv,
    Fmin,
    Fmax,
}

/// Arithmetic that reports overflow: results are `[value, overflowed]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverflowOp {
    Sadd,
    Uadd,
    Ssub,
    Usub,
    Smul,
    Umul,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Ineg,
    Fneg,
    /// Bitwise not.
    Bnot,
    Fabs,
    Sqrt,
    Floor,
    Ceil,
    Trunc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntCC {
    Eq,
    Ne,
    Slt,
    Sle,
    Sgt,
    Sge,
    Ult,
    Ule,
    Ugt,
    Uge,
}

/// Float comparisons. All but `Ne` are false when either side is NaN; `Ne` is true.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatCC {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Either side is NaN.
    Uno,
}

/// Conversions between machine types. The target type is the result's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvertOp {
    /// Sign-extend a narrower integer.
    Sext,
    /// Zero-extend a narrower integer.
    Uext,
    /// Keep the low bits of a wider integer.
    Trunc,
    /// Float to signed integer, saturating; NaN becomes 0.
    FtoSsat,
    /// Float to unsigned integer, saturating; NaN becomes 0.
    FtoUsat,
    StoF,
    UtoF,
    /// Between float widths.
    Fconv,
    /// Reinterpret the bits (same width: `f64` and `i64`, `f32` and `i32`).
    Bitcast,
}

/// A type that needs a runtime descriptor (see docs/RUNTIME-ABI.md).
#[derive(Clone, Debug, PartialEq)]
pub enum TypeInfo {
    /// A scalar, by its `TypeKind` number in the ABI (0 unit .. 12 f64).
    Scalar(u32),
    Str,
    Array(TypeRef),
    Map(TypeRef, TypeRef),
    Tuple(Vec<TypeRef>),
    Struct {
        name: String,
        fields: Vec<(String, TypeRef)>,
    },
    /// Variants with their field names (empty names for positional fields) and
    /// whether they print labelled.
    Enum {
        name: String,
        variants: Vec<VariantInfo>,
    },
    /// A closure object: a code pointer, then the captured values. `name` is the
    /// function's name for a named function used as a value, empty for a closure.
    /// The descriptor of a function *type* has no captures.
    Closure {
        name: String,
        captures: Vec<TypeRef>,
    },
    /// A generator object: its resume code, state and out slot, `frame_slots`
    /// 8-byte slots of its frame, then the parameters it keeps, which it owns.
    /// `name` is the generator function's. The descriptor of a generator *type*
    /// has no slots and no parameters.
    Generator {
        name: String,
        params: Vec<TypeRef>,
        frame_slots: u32,
    },
}

/// An enum variant for its descriptor: name, whether it prints labelled, and its
/// fields (empty names for positional fields).
pub type VariantInfo = (String, bool, Vec<(String, TypeRef)>);

#[derive(Clone, Debug, PartialEq)]
pub enum InstKind {
    Iconst(i64),
    Fconst(f64),
    /// The address of an immortal string literal.
    Str(StrRef),
    /// The address of a parsed format spec kept by the engine.
    Spec(SpecRef),
    /// A null pointer (no format spec).
    Null,
    Binary(BinaryOp, Value, Value),
    Overflow(OverflowOp, Value, Value),
    Unary(UnaryOp, Value),
    Icmp(IntCC, Value, Value),
    Fcmp(FloatCC, Value, Value),
    Convert(ConvertOp, Value),
    Select(Value, Value, Value),
    /// A call to a Kiln function.
    Call(FuncRef, Vec<Value>),
    /// A call through a code pointer (a function value); the arguments' types and
    /// the result's make the signature.
    CallIndirect {
        code: Value,
        args: Vec<Value>,
    },
    /// The address of a Kiln function's code.
    FuncAddr(FuncRef),
    /// A call to a runtime function by symbol. When `site` is true the code
    /// generator passes the frame pointer and a site number before `args`.
    CallRuntime {
        symbol: &'static str,
        args: Vec<Value>,
        site: bool,
    },
    CallExtern(ExternRef, Vec<Value>),
    GlobalLoad(GlobalRef),
    GlobalStore(GlobalRef, Value),
    /// The address of a type's runtime descriptor.
    Desc(TypeRef),
    /// Load field `index` of an object of type `ty` (of `variant` for enums).
    GetField {
        ty: TypeRef,
        variant: Option<u32>,
        index: u32,
        obj: Value,
    },
    SetField {
        ty: TypeRef,
        variant: Option<u32>,
        index: u32,
        obj: Value,
        value: Value,
    },
    /// Load from `base + offset` (object headers, array data).
    Load {
        base: Value,
        offset: i32,
    },
    Store {
        base: Value,
        offset: i32,
        value: Value,
    },
    /// Increment the reference count of an object.
    Retain(Value),
    /// Decrement the reference count; at zero the runtime frees the object.
    Release(Value),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Inst {
    pub kind: InstKind,
    pub results: Vec<Value>,
    pub span: Span,
    /// For code inlined from another function: its entry in [`Func::inlines`].
    pub inlined: Option<u32>,
}

/// Where inlined code came from, so stack traces can show the frames inlining
/// removed: the code of `func`, called at `call_span` from the code of `parent`
/// (`None`: the function this entry belongs to).
#[derive(Clone, Debug, PartialEq)]
pub struct InlineFrame {
    pub func: String,
    pub call_span: Span,
    pub parent: Option<u32>,
}

/// A branch target with the arguments for its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub block: Block,
    pub args: Vec<Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Terminator {
    Jump(Target),
    Branch {
        cond: Value,
        then: Target,
        otherwise: Target,
    },
    Return(Option<Value>),
    /// Raise one of the runtime's fixed panics (`kiln_runtime::PanicKind` number).
    Panic {
        kind: i32,
        span: Span,
        /// For code inlined from another function: its entry in [`Func::inlines`].
        inlined: Option<u32>,
    },
    /// Control never reaches here (after a call that does not return).
    Unreachable,
    /// `yield value` in the body of a generator: the generator suspends, handing
    /// out `value`; when resumed it goes on at `resume`, and when abandoned at
    /// `cancel` (which releases what the body owns and returns). Both targets take
    /// no arguments. Only lowering makes it, and the generator transform
    /// (`generator.rs`) replaces every one before any other pass runs.
    Yield {
        value: Option<Value>,
        resume: Target,
        cancel: Target,
    },
    /// Not terminated yet: only while a block is being built.
    Open,
}

impl Terminator {
    pub fn targets(&self) -> Vec<&Target> {
        match self {
            Terminator::Jump(t) => vec![t],
            Terminator::Branch {
                then, otherwise, ..
            } => vec![then, otherwise],
            Terminator::Yield { resume, cancel, .. } => vec![resume, cancel],
            _ => Vec::new(),
        }
    }

    pub fn targets_mut(&mut self) -> Vec<&mut Target> {
        match self {
            Terminator::Jump(t) => vec![t],
            Terminator::Branch {
                then, otherwise, ..
            } => vec![then, otherwise],
            Terminator::Yield { resume, cancel, .. } => vec![resume, cancel],
            _ => Vec::new(),
        }
    }

    /// The value the terminator itself uses (a branch's condition, a returned or
    /// yielded value), apart from its targets' arguments.
    pub fn operand(&self) -> Option<Value> {
        match self {
            Terminator::Branch { cond, .. } => Some(*cond),
            Terminator::Return(v) | Terminator::Yield { value: v, .. } => *v,
            _ => None,
        }
    }

    pub fn operand_mut(&mut self) -> Option<&mut Value> {
        match self {
            Terminator::Branch { cond, .. } => Some(cond),
            Terminator::Return(v) | Terminator::Yield { value: v, .. } => v.as_mut(),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BlockData {
    pub params: Vec<Value>,
    pub insts: Vec<Inst>,
    pub term: Terminator,
    /// Rarely executed (panic paths): laid out last by the code generator.
    pub cold: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Func {
    pub name: String,
    pub params: Vec<Type>,
    pub ret: Option<Type>,
    pub blocks: Vec<BlockData>,
    /// The type of every value, indexed by [`Value`].
    pub values: Vec<Type>,
    pub span: Span,
    /// The origins of inlined code (see [`Inst::inlined`]).
    pub inlines: Vec<InlineFrame>,
}

impl Func {
    pub const ENTRY: Block = Block(0);

    #[inline]
    pub fn block(&self, b: Block) -> &BlockData {
        &self.blocks[b.index()]
    }

    #[inline]
    pub fn value_type(&self, v: Value) -> Type {
        self.values[v.index()]
    }

    pub fn block_ids(&self) -> impl Iterator<Item = Block> {
        (0..self.blocks.len() as u32).map(Block)
    }
}

/// A global variable's storage slot.
#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    pub name: String,
    pub ty: Type,
    /// The slot's bits before the program starts (a constant initialiser, or 0).
    pub init: u64,
}

/// A C function found in the process by name.
#[derive(Clone, Debug, PartialEq)]
pub struct Extern {
    pub symbol: String,
    pub params: Vec<Type>,
    pub ret: Option<Type>,
    pub span: Span,
}

/// One compilation unit.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    pub funcs: Vec<Func>,
    pub globals: Vec<Global>,
    pub externs: Vec<Extern>,
    /// String literal texts, addressed by [`StrRef`].
    pub strings: Vec<String>,
    /// Format spec texts (as after the `:`), addressed by [`SpecRef`].
    pub specs: Vec<String>,
    /// The function that runs the top-level statements.
    pub main: Option<FuncRef>,
    /// Types with runtime descriptors, addressed by [`TypeRef`].
    pub types: Vec<TypeInfo>,
}

impl Program {
    #[inline]
    pub fn func(&self, f: FuncRef) -> &Func {
        &self.funcs[f.index()]
    }

    pub fn find_func(&self, name: &str) -> Option<FuncRef> {
        self.funcs
            .iter()
            .position(|f| f.name == name)
            .map(|i| FuncRef(i as u32))
    }
}
