//! The abstract syntax tree: the whole grammar of LANGUAGE.md, as the parser sees it.
//!
//! The AST mirrors the source closely and carries a [`Span`] on every node. It holds
//! no types and no resolved names: that is sema's job, which turns it into typed HIR.
//! The parser never fails to produce a tree; where input was broken it puts
//! [`ExprKind::Error`], [`TypeKind::Error`] or [`PatternKind::Error`] nodes and
//! reports a diagnostic, so later stages must accept those nodes silently.

use crate::span::Span;

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One source file: top-level items and statements in source order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Module {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Fn(FnDecl),
    /// `extern fn name(params) -> ret` with no body.
    ExternFn(FnSig),
    Struct(StructDecl),
    Enum(EnumDecl),
    Impl(ImplDecl),
    /// `type Name<T> = Type`
    TypeAlias(TypeAlias),
    /// `import name`
    Import(Ident),
    /// `test "name" { ... }`
    Test(TestDecl),
    /// A top-level statement (`let`, `var`, or an expression), run in order.
    Stmt(Stmt),
}

/// A function's signature: everything but the body.
#[derive(Clone, Debug, PartialEq)]
pub struct FnSig {
    pub name: Ident,
    /// Type parameter names of `fn f<T, U>`.
    pub generics: Vec<Ident>,
    pub params: Vec<Param>,
    /// `None` when no `->` was written (the return type is `()`).
    pub ret: Option<TypeExpr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    pub sig: FnSig,
    pub body: Block,
}

/// A parameter of a function or closure. `ty` is `None` for `self` and for closure
/// parameters written without a type; the parser reports a missing type on a
/// function parameter but still produces the parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub is_self: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructDecl {
    pub name: Ident,
    pub generics: Vec<Ident>,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub generics: Vec<Ident>,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: Ident,
    pub payload: VariantPayload,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum VariantPayload {
    /// `Empty`
    Unit,
    /// `Circle(float)`
    Tuple(Vec<TypeExpr>),
    /// `Rect(w: float, h: float)`
    Labelled(Vec<Field>),
}

/// `impl<T> Target<T> { fn ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct ImplDecl {
    pub generics: Vec<Ident>,
    pub target: TypeExpr,
    pub methods: Vec<FnDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeAlias {
    pub name: Ident,
    pub generics: Vec<Ident>,
    pub ty: TypeExpr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    /// The test's name with escapes processed (no interpolation).
    pub name: String,
    pub body: Block,
}

/// `{ stmt* }`. The block's value is its last statement when that is an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let pat: ty = init` or `var pat: ty = init`.
    Let {
        mutable: bool,
        pattern: Pattern,
        ty: Option<TypeExpr>,
        init: Expr,
    },
    Expr(Expr),
    /// A declaration written inside a block (`fn`, `struct`, ...). The grammar
    /// allows it; sema decides whether it is supported.
    Item(Box<Item>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `&&`, short-circuit
    And,
    /// `||`, short-circuit
    Or,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `!x`
    Not,
    /// `~x`
    BitNot,
}

/// A call argument, optionally labelled: `Point(x: 1.0, y: 2.0)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub label: Option<Ident>,
    pub value: Expr,
}

/// One piece of a string literal.
#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    /// Literal text with escapes already processed.
    Text(String),
    /// `{expr}` or `{expr:spec}`; `spec` is the text after the `:` as written.
    Interp {
        expr: Expr,
        spec: Option<String>,
        span: Span,
    },
}

/// The condition of `if` and `while`: a boolean, or `let pattern = value`.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Expr(Expr),
    Let { pattern: Pattern, value: Expr },
}

/// One `if cond { then }` of an `if` / `else if` chain.
#[derive(Clone, Debug, PartialEq)]
pub struct IfBranch {
    pub cond: Condition,
    pub then: Block,
    /// The `if` keyword: the rest of the chain starts here.
    pub if_span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal's magnitude; a leading `-` is a separate [`UnaryOp::Neg`].
    Int(u64),
    Float(f64),
    Bool(bool),
    Char(char),
    /// A string literal; a literal without interpolation has one `Text` part (or none
    /// when empty).
    Str(Vec<StrPart>),
    /// `()`
    Unit,
    /// A plain name: a variable, function, type or variant.
    Name(Ident),
    /// `(a, b)`, `(a,)`; never fewer than one element.
    Tuple(Vec<Expr>),
    /// `[a, b, c]`, `[]`
    Array(Vec<Expr>),
    /// `[value; count]`
    ArrayRepeat {
        value: Box<Expr>,
        count: Box<Expr>,
    },
    /// `[k: v, ...]`; `[:]` is an empty map.
    Map(Vec<(Expr, Expr)>),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `target = value` (op `None`) or `target op= value`.
    Assign {
        op: Option<BinOp>,
        target: Box<Expr>,
        value: Box<Expr>,
    },
    /// `a..b`, `a..=b`, and in index position `a..`, `..b`, `..`.
    Range {
        lo: Option<Box<Expr>>,
        hi: Option<Box<Expr>>,
        inclusive: bool,
    },
    /// `value as Type`
    Cast {
        value: Box<Expr>,
        ty: TypeExpr,
    },
    /// `callee(args)`
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    /// `receiver.method(args)`
    MethodCall {
        receiver: Box<Expr>,
        method: Ident,
        args: Vec<Arg>,
    },
    /// `base.name` (also a path such as `Shape.Circle` or `geometry.area`)
    Field {
        base: Box<Expr>,
        name: Ident,
    },
    /// `base.0`
    TupleField {
        base: Box<Expr>,
        index: u32,
        index_span: Span,
    },
    /// `base[index]`; slices are an index by a `Range`.
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    /// `value?`
    Try(Box<Expr>),
    Block(Block),
    /// `if c { } else if c { } ... else { }`. A chain of `else if` is one flat
    /// list, not nested `If`s, so that no stage recurses once per link.
    If {
        /// At least one.
        branches: Vec<IfBranch>,
        /// The final `else` block.
        otherwise: Option<Block>,
    },
    While {
        cond: Box<Condition>,
        body: Block,
    },
    Loop(Block),
    For {
        pattern: Pattern,
        iter: Box<Expr>,
        body: Block,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    /// `|params| body` or `|params| -> Ret { body }`
    Closure {
        params: Vec<Param>,
        ret: Option<TypeExpr>,
        body: Box<Expr>,
    },
    Break(Option<Box<Expr>>),
    Continue,
    Return(Option<Box<Expr>>),
    Yield(Option<Box<Expr>>),
    /// Where the parser could not make sense of the input; a diagnostic was reported.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `int`, `Point`, `Pair<A, B>`, `Gen<T>`, `Option<T>`
    Named {
        name: Ident,
        args: Vec<TypeExpr>,
    },
    /// `[T]`
    Array(Box<TypeExpr>),
    /// `[K: V]`
    Map(Box<TypeExpr>, Box<TypeExpr>),
    /// `(A, B)`; `()` is the empty tuple, which is the unit type.
    Tuple(Vec<TypeExpr>),
    /// `fn(A, B) -> R`; `ret` is `None` when no `->` was written.
    Fn {
        params: Vec<TypeExpr>,
        ret: Option<Box<TypeExpr>>,
    },
    /// `T?`
    Optional(Box<TypeExpr>),
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

/// A literal that may appear in a pattern; numbers may carry a leading `-`.
#[derive(Clone, Debug, PartialEq)]
pub enum PatLit {
    Int { negative: bool, magnitude: u64 },
    Float(f64),
    Bool(bool),
    Char(char),
    Str(String),
}

/// A sub-pattern of a constructor, optionally labelled: `Rect(w: a, h: _)`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatField {
    pub label: Option<Ident>,
    pub pattern: Pattern,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    /// `_`
    Wildcard,
    /// A bare name. Sema decides whether it binds a variable or names a unit
    /// variant such as `None` or `Red`.
    Binding(Ident),
    Literal(PatLit),
    /// `1..=9`, `'a'..'z'`
    Range {
        lo: PatLit,
        hi: PatLit,
        inclusive: bool,
    },
    /// `(a, _, 3)`
    Tuple(Vec<Pattern>),
    /// `Some(x)`, `Shape.Rect(w, h)`, `Point(x: px, y: _)`: a path of one or more
    /// names followed by sub-patterns in parentheses. A path of more than one name
    /// without parentheses (`Shape.Empty`) has `fields: None`.
    Ctor {
        path: Vec<Ident>,
        fields: Option<Vec<PatField>>,
    },
    /// `a | b | c`
    Or(Vec<Pattern>),
    Error,
}
