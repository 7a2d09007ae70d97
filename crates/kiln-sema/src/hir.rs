//! Typed HIR: the checked program, ready for lowering to MIR.
//!
//! Each function owns an arena of expressions addressed by [`ExprId`] and of locals
//! addressed by [`LocalId`]; every expression carries its type and span. Names are
//! resolved (locals, globals, functions, externs, built-ins), literals are typed,
//! and compound assignments are spelled out. HIR is produced only for programs
//! without errors, so it contains no error nodes: lowering may rely on every type
//! being concrete.

use crate::ty::Ty;
use kiln_syntax::ast::{BinOp, UnaryOp};
use kiln_syntax::Span;

macro_rules! id {
    ($name:ident) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(ExprId);
id!(LocalId);
id!(FuncId);
id!(GlobalId);
id!(ExternId);

#[derive(Clone, Debug, Default)]
pub struct Program {
    pub funcs: Vec<Function>,
    pub globals: Vec<Global>,
    pub externs: Vec<Extern>,
    /// The function made of the top-level statements.
    pub main: Option<FuncId>,
    /// `test "name" { ... }` blocks, compiled as functions without parameters.
    pub tests: Vec<(String, FuncId)>,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub params: Vec<LocalId>,
    pub ret: Ty,
    pub body: ExprId,
    pub locals: Vec<Local>,
    pub exprs: Vec<Expr>,
    pub span: Span,
}

impl Function {
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.index()]
    }

    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.index()]
    }
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
}

/// A scalar constant, used for literals and for globals known before the program
/// starts.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    /// The bits of an integer of the expression's type, sign-extended to 64 bits.
    Int(i64),
    Float(f64),
    Bool(bool),
    Char(char),
    Str(String),
    Unit,
}

#[derive(Clone, Debug)]
pub struct Global {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub span: Span,
    /// The initial value when it is a constant: such a global is initialised before
    /// the program starts and needs no check when read.
    pub init: Option<Const>,
}

#[derive(Clone, Debug)]
pub struct Extern {
    pub name: String,
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub span: Span,
}

/// Operations the compiler provides rather than the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `print`, `println`, `eprintln`: stream 0 stdout, 1 stderr.
    Print {
        stream: i32,
        newline: bool,
    },
    Panic,
    Assert,
    AssertEq,
    Exit,
    Clock,
    /// `x.to_str()` for any scalar.
    ToStr,
    StrLen,
    Abs,
    Min,
    Max,
    Pow,
    WrappingAdd,
    WrappingSub,
    WrappingMul,
    Sqrt,
    Floor,
    Ceil,
    Round,
    IsNan,
    /// A float function of the runtime by symbol (`sin`, `ln`, ...).
    FloatFn(&'static str),
}

/// One piece of an interpolated string.
#[derive(Clone, Debug)]
pub enum InterpPart {
    Text(String),
    Value { expr: ExprId, spec: Option<String> },
}

/// How a `for` loop walks an integer range.
#[derive(Clone, Debug)]
pub struct RangeLoop {
    pub var: LocalId,
    pub lo: ExprId,
    pub hi: ExprId,
    pub inclusive: bool,
    /// `.step_by(k)`; `None` is a step of 1.
    pub step: Option<ExprId>,
    /// `.rev()` before any `.step_by`: walk down from the top.
    pub reverse: bool,
    /// `.step_by(k).rev()`: walk down from the last element of the stepped range.
    pub reverse_stepped: bool,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Const(Const),
    Local(LocalId),
    Global(GlobalId),
    /// Introduces a local; the expression has type `()`.
    Let {
        local: LocalId,
        init: ExprId,
    },
    SetLocal {
        local: LocalId,
        value: ExprId,
    },
    SetGlobal {
        global: GlobalId,
        value: ExprId,
    },
    Block {
        stmts: Vec<ExprId>,
        tail: Option<ExprId>,
    },
    Unary {
        op: UnaryOp,
        operand: ExprId,
    },
    /// Arithmetic, bitwise and comparison operators; `&&`/`||` are [`ExprKind::Logical`].
    Binary {
        op: BinOp,
        lhs: ExprId,
        rhs: ExprId,
    },
    Logical {
        and: bool,
        lhs: ExprId,
        rhs: ExprId,
    },
    /// `value as T`, with `T` the expression's type.
    Cast {
        value: ExprId,
    },
    Call {
        func: FuncId,
        args: Vec<ExprId>,
    },
    CallExtern {
        ext: ExternId,
        args: Vec<ExprId>,
    },
    Builtin {
        op: Builtin,
        args: Vec<ExprId>,
    },
    Interp(Vec<InterpPart>),
    If {
        cond: ExprId,
        then: ExprId,
        otherwise: Option<ExprId>,
    },
    While {
        cond: ExprId,
        body: ExprId,
    },
    Loop {
        body: ExprId,
    },
    ForRange {
        range: RangeLoop,
        body: ExprId,
    },
    Break(Option<ExprId>),
    Continue,
    Return(Option<ExprId>),
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}
