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
    /// Struct and enum declarations used by the program.
    pub adts: Vec<AdtDef>,
}

/// A struct or enum declaration, with resolved field types.
#[derive(Clone, Debug)]
pub struct AdtDef {
    pub id: crate::ty::AdtId,
    pub name: String,
    /// Type parameter names of a generic struct or enum; its field types refer to
    /// them as [`Ty::Param`].
    pub generics: Vec<String>,
    pub kind: AdtKind,
}

impl AdtDef {
    /// The declaration with its type parameters replaced by `args`.
    pub fn instantiate(&self, args: &[Ty]) -> AdtDef {
        let mut d = self.clone();
        if args.is_empty() {
            return d;
        }
        match &mut d.kind {
            AdtKind::Struct(fields) => {
                for (_, t) in fields {
                    *t = t.subst(args);
                }
            }
            AdtKind::Enum(variants) => {
                for v in variants {
                    for t in &mut v.fields {
                        *t = t.subst(args);
                    }
                }
            }
        }
        d
    }
}

#[derive(Clone, Debug)]
pub enum AdtKind {
    Struct(Vec<(String, Ty)>),
    Enum(Vec<VariantDef>),
}

#[derive(Clone, Debug)]
pub struct VariantDef {
    pub name: String,
    /// Field names for labelled payloads (`Rect(w: float, h: float)`).
    pub labels: Option<Vec<String>>,
    pub fields: Vec<Ty>,
}

/// A pattern, typed by the value it matches.
#[derive(Clone, Debug)]
pub struct Pat {
    pub kind: PatKind,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum PatKind {
    Wild,
    Bind(LocalId),
    Lit(Const),
    Range {
        lo: Const,
        hi: Const,
        inclusive: bool,
    },
    /// A tuple, or a struct's fields in declaration order.
    Fields(Vec<Pat>),
    /// An enum variant (including `Some`/`None`/`Ok`/`Err`) and its fields.
    Variant {
        tag: u32,
        fields: Vec<Pat>,
    },
    Or(Vec<Pat>),
}

/// One link of an `if` chain: when `cond` holds, `then` runs.
#[derive(Clone, Debug)]
pub struct IfBranch {
    pub cond: IfCond,
    pub then: ExprId,
}

#[derive(Clone, Debug)]
pub enum IfCond {
    /// A `bool` expression.
    Bool(ExprId),
    /// `let pat = scrutinee`: holds when the pattern matches, binding its names
    /// for `then`.
    Let { scrutinee: ExprId, pat: Pat },
}

#[derive(Clone, Debug)]
pub struct Arm {
    pub pat: Pat,
    pub guard: Option<ExprId>,
    pub body: ExprId,
}

/// What a `for` loop walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForKind {
    /// Elements of an array, re-reading the length each step.
    Array,
    /// `(key, value)` tuples of a map, checking it is not modified.
    Map,
    /// The chars of a string.
    Str,
    /// The values of a generator, until it finishes.
    Gen,
}

/// Methods of built-in compound types and strings. Receivers come first in `args`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Len,
    IsEmpty,
    Clone,
    // str
    Chars,
    Bytes,
    Contains,
    StartsWith,
    EndsWith,
    Find,
    Split,
    Lines,
    Trim,
    ToUpper,
    ToLower,
    Replace,
    Repeat,
    ParseInt,
    ParseFloat,
    Join,
    // arrays
    Push,
    Pop,
    Insert,
    Remove,
    IndexOf,
    Sort,
    Reverse,
    Sum,
    ArrayMin,
    ArrayMax,
    Enumerate,
    Extend,
    Clear,
    // maps
    Get,
    ContainsKey,
    MapRemove,
    Keys,
    Values,
    // generators
    /// `g.next()`: resumes the generator, `Some(value)` until it finishes.
    Next,
    // Option / Result
    Unwrap,
    UnwrapOr,
    IsSome,
    IsNone,
    IsOk,
    IsErr,
    // arrays, with a function value as the last argument
    Map,
    Filter,
    Fold,
    Any,
    All,
    SortBy,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    /// For the body of a closure, the locals that receive its captured values, in
    /// the order of [`ExprKind::Closure::captures`]; such a function takes the
    /// closure object as a hidden first argument. `None` for named functions.
    pub captures: Option<Vec<LocalId>>,
    pub params: Vec<LocalId>,
    pub ret: Ty,
    /// A generator: `ret` is `Gen<T>` and the body contains `yield`. Calling it
    /// makes a generator object; the body runs as `next()` asks for values.
    pub generator: bool,
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
    /// A mutable local that a closure captures lives in a heap cell shared with the
    /// closures (capture by variable, LANGUAGE.md §5); reads and writes go through
    /// the cell. A closure's own local for such a capture is boxed too: it holds
    /// the cell.
    pub boxed: bool,
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
    /// Whether any function (not the top-level code) reads or assigns it. A global
    /// only top-level code uses can live in a register.
    pub from_functions: bool,
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
        /// `let`/`var` declares the global here (rather than assigning it).
        declares: bool,
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
    /// A call of a function value (a closure, or a named function used as a value).
    CallValue {
        callee: ExprId,
        args: Vec<ExprId>,
    },
    /// A named function used as a value: a closure object with no captures.
    FuncValue(FuncId),
    /// A closure: an object holding `func` (whose `captures` receive the values) and
    /// the current values of `captures`, locals of the enclosing function. A
    /// captured local that is `boxed` is captured as its cell, so both sides see
    /// one variable.
    Closure {
        func: FuncId,
        captures: Vec<LocalId>,
    },
    Builtin {
        op: Builtin,
        args: Vec<ExprId>,
    },
    Interp(Vec<InterpPart>),
    /// `if c { } else if c { } ... else { }`: the branches are tried in order.
    /// A chain is one flat list so that no stage recurses once per link.
    If {
        /// At least one.
        branches: Vec<IfBranch>,
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
    /// `yield value` in a generator (`None`: a generator of `()`); type `()`.
    Yield(Option<ExprId>),
    /// `let (a, b) = value` and other irrefutable destructuring.
    LetPat {
        pat: Pat,
        init: ExprId,
    },
    /// An array literal.
    Array(Vec<ExprId>),
    /// `[value; count]`.
    ArrayRepeat {
        value: ExprId,
        count: ExprId,
    },
    /// A map literal.
    Map(Vec<(ExprId, ExprId)>),
    /// A tuple, or a struct (fields in declaration order); the type says which.
    Record(Vec<ExprId>),
    /// An enum variant with its fields.
    Variant {
        tag: u32,
        fields: Vec<ExprId>,
    },
    /// Field `index` of a struct or element `index` of a tuple.
    Field {
        base: ExprId,
        index: u32,
    },
    SetField {
        base: ExprId,
        index: u32,
        value: ExprId,
    },
    /// `base[index]` of an array or a map.
    Index {
        base: ExprId,
        index: ExprId,
    },
    SetIndex {
        base: ExprId,
        index: ExprId,
        value: ExprId,
    },
    /// `base[lo..hi]` of an array or a string; a missing end is `None`.
    Slice {
        base: ExprId,
        lo: Option<ExprId>,
        hi: Option<ExprId>,
    },
    Match {
        scrutinee: ExprId,
        arms: Vec<Arm>,
    },
    ForEach {
        kind: ForKind,
        pat: Pat,
        iter: ExprId,
        body: ExprId,
    },
    /// `value?` in a function returning `Option` or `Result`.
    Try(ExprId),
    MethodCall {
        method: Method,
        args: Vec<ExprId>,
    },
    /// `read_line()`, `read_file(p)`, `write_file(p, t)`, `args()`.
    Io {
        op: IoOp,
        args: Vec<ExprId>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoOp {
    ReadLine,
    ReadFile,
    WriteFile,
    Args,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

impl ExprKind {
    /// Calls `f` with each direct sub-expression, in evaluation order: for passes
    /// over HIR that need no more than the tree's shape.
    pub fn for_each_child(&self, mut f: impl FnMut(ExprId)) {
        match self {
            ExprKind::Const(_)
            | ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::FuncValue(_)
            | ExprKind::Closure { .. }
            | ExprKind::Continue => {}
            ExprKind::Let { init: e, .. }
            | ExprKind::SetLocal { value: e, .. }
            | ExprKind::SetGlobal { value: e, .. }
            | ExprKind::Unary { operand: e, .. }
            | ExprKind::Cast { value: e }
            | ExprKind::Loop { body: e }
            | ExprKind::LetPat { init: e, .. }
            | ExprKind::Field { base: e, .. }
            | ExprKind::Try(e) => f(*e),
            ExprKind::Break(e) | ExprKind::Return(e) | ExprKind::Yield(e) => {
                if let Some(e) = e {
                    f(*e)
                }
            }
            ExprKind::Block { stmts, tail } => {
                stmts.iter().for_each(|&s| f(s));
                if let Some(t) = tail {
                    f(*t)
                }
            }
            ExprKind::Binary { lhs, rhs, .. } | ExprKind::Logical { lhs, rhs, .. } => {
                f(*lhs);
                f(*rhs)
            }
            ExprKind::Call { args, .. }
            | ExprKind::CallExtern { args, .. }
            | ExprKind::Builtin { args, .. }
            | ExprKind::Array(args)
            | ExprKind::Record(args)
            | ExprKind::Variant { fields: args, .. }
            | ExprKind::MethodCall { args, .. }
            | ExprKind::Io { args, .. } => args.iter().for_each(|&a| f(a)),
            ExprKind::CallValue { callee, args } => {
                f(*callee);
                args.iter().for_each(|&a| f(a))
            }
            ExprKind::Interp(parts) => {
                for p in parts {
                    if let InterpPart::Value { expr, .. } = p {
                        f(*expr)
                    }
                }
            }
            ExprKind::If {
                branches,
                otherwise,
            } => {
                for b in branches {
                    match &b.cond {
                        IfCond::Bool(c) => f(*c),
                        IfCond::Let { scrutinee, .. } => f(*scrutinee),
                    }
                    f(b.then)
                }
                if let Some(o) = otherwise {
                    f(*o)
                }
            }
            ExprKind::While { cond, body } => {
                f(*cond);
                f(*body)
            }
            ExprKind::ForRange { range, body } => {
                f(range.lo);
                f(range.hi);
                if let Some(s) = range.step {
                    f(s)
                }
                f(*body)
            }
            ExprKind::ArrayRepeat { value, count } => {
                f(*value);
                f(*count)
            }
            ExprKind::Map(entries) => {
                for &(k, v) in entries {
                    f(k);
                    f(v)
                }
            }
            ExprKind::SetField { base, value, .. } => {
                f(*base);
                f(*value)
            }
            ExprKind::Index { base, index } => {
                f(*base);
                f(*index)
            }
            ExprKind::SetIndex { base, index, value } => {
                f(*base);
                f(*index);
                f(*value)
            }
            ExprKind::Slice { base, lo, hi } => {
                f(*base);
                if let Some(lo) = lo {
                    f(*lo)
                }
                if let Some(hi) = hi {
                    f(*hi)
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                f(*scrutinee);
                for a in arms {
                    if let Some(g) = a.guard {
                        f(g)
                    }
                    f(a.body)
                }
            }
            ExprKind::ForEach { iter, body, .. } => {
                f(*iter);
                f(*body)
            }
        }
    }
}
