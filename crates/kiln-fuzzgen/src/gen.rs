//! The program generator: random Kiln programs that type-check and terminate.
//!
//! A program is built top-down from the types it needs: every expression is made
//! for a wanted type, from the variables in scope, literals (with each type's edge
//! values), operators, calls and the constructs of the language. Three rules keep
//! every program well-typed and short-running:
//!
//! - **Types are explicit.** Literals of sized types are written as casts
//!   (`(200 as u8)`), every operator application is parenthesised, and an empty
//!   array, map or `None` only appears where its type is annotated.
//! - **Work is bounded.** Loops have literal trip counts, a function only calls
//!   functions made before it (or itself, through a `d` parameter that counts
//!   down), and each call is charged with the callee's cost times the trip counts
//!   of the loops around it; a call that would exceed the budget is not made.
//! - **Nothing grows without bound.** Inside a loop, a string or array is never
//!   assigned an expression that reads a string or array (so nothing doubles each
//!   time round), and while a `for` walks an array or map, nothing appends to an
//!   array or changes a map (the loop re-reads the length, so appending inside it
//!   would never end).
//!
//! Panics are allowed and compared like any other outcome (integer overflow,
//! division by zero, an index out of bounds), but the operations that may panic
//! are rare, so that most programs run to the end.

use crate::rng::Source;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

const INT_TYS: [IntTy; 8] = [
    IntTy::I8,
    IntTy::I16,
    IntTy::I32,
    IntTy::I64,
    IntTy::U8,
    IntTy::U16,
    IntTy::U32,
    IntTy::U64,
];

impl IntTy {
    fn name(self) -> &'static str {
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
    fn bits(self) -> u32 {
        match self {
            IntTy::I8 | IntTy::U8 => 8,
            IntTy::I16 | IntTy::U16 => 16,
            IntTy::I32 | IntTy::U32 => 32,
            IntTy::I64 | IntTy::U64 => 64,
        }
    }
    fn signed(self) -> bool {
        matches!(self, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64)
    }
    fn min(self) -> i128 {
        if self.signed() {
            -(1i128 << (self.bits() - 1))
        } else {
            0
        }
    }
    fn max(self) -> i128 {
        if self.signed() {
            (1i128 << (self.bits() - 1)) - 1
        } else {
            (1i128 << self.bits()) - 1
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Int(IntTy),
    F64,
    F32,
    Bool,
    Char,
    Str,
    Unit,
    Arr(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Tup(Vec<Ty>),
    Opt(Box<Ty>),
    Struct(usize),
    Enum(usize),
    /// The prelude's generic `Wrap<T>`.
    Wrap(Box<Ty>),
}

const INT: Ty = Ty::Int(IntTy::I64);

/// How often (in percent) an operation that may panic is made where a safe one
/// would do: low, because one panic ends the program.
const RISK: u64 = 4;

impl Ty {
    /// Whether values of the type can grow (so must not be fed back into
    /// themselves in a loop).
    fn grows(&self) -> bool {
        matches!(self, Ty::Str | Ty::Arr(_) | Ty::Map(..))
    }
    /// Whether `<` and friends apply.
    fn ordered(&self) -> bool {
        matches!(self, Ty::Int(_) | Ty::F64 | Ty::F32 | Ty::Char | Ty::Str)
    }
    /// Whether `==` applies (everything here but floats inside containers is
    /// fine; floats compare too, NaN included).
    fn comparable(&self) -> bool {
        !matches!(self, Ty::Unit)
    }
    fn can_be_key(&self) -> bool {
        matches!(self, Ty::Int(_) | Ty::Str | Ty::Char | Ty::Bool)
    }
}

struct StructDef {
    name: String,
    fields: Vec<(String, Ty)>,
    /// The type its method `get` returns.
    get: Ty,
}

struct EnumDef {
    name: String,
    variants: Vec<(String, Vec<Ty>)>,
}

struct FnDef {
    name: String,
    /// After the leading `d: int`.
    params: Vec<Ty>,
    ret: Ty,
    /// Statements one call runs, roughly, callees included.
    cost: u64,
    /// Whether a call may append to an array it is given.
    grows: bool,
}

struct GenDef {
    name: String,
    elem: Ty,
    cost: u64,
}

#[derive(Clone)]
struct Var {
    name: String,
    ty: Ty,
    mutable: bool,
}

/// How big programs get.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Statements at the top level.
    pub top_statements: u32,
    /// Functions (each with a few statements).
    pub functions: u32,
    /// The most statements one run may execute, roughly.
    pub budget: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            top_statements: 30,
            functions: 5,
            budget: 200_000,
        }
    }
}

/// Makes one program.
pub fn generate(rng: &mut dyn Source, config: Config) -> String {
    let mut g = Gen {
        rng,
        config,
        out: String::new(),
        indent: 0,
        structs: Vec::new(),
        enums: Vec::new(),
        funcs: Vec::new(),
        gens: Vec::new(),
        scopes: vec![Vec::new()],
        names: 0,
        mult: 1,
        cost: 0,
        current_fn: None,
        self_call: false,
        grows: false,
        ret: None,
        loop_depth: 0,
        value_loop: false,
        walking: 0,
        no_grow_reads: false,
    };
    g.program();
    g.out
}

struct Gen<'r> {
    rng: &'r mut dyn Source,
    config: Config,
    out: String,
    indent: usize,
    structs: Vec<StructDef>,
    enums: Vec<EnumDef>,
    funcs: Vec<FnDef>,
    gens: Vec<GenDef>,
    scopes: Vec<Vec<Var>>,
    names: u32,
    /// Product of the trip counts of the loops around the current point.
    mult: u64,
    /// Statements charged to the function (or top level) being made.
    cost: u64,
    /// The function being made, which may call itself once.
    current_fn: Option<(usize, String, Vec<Ty>, Ty)>,
    self_call: bool,
    /// Whether the function being made appends to an array.
    grows: bool,
    /// The return type where `return` may be written.
    ret: Option<Ty>,
    loop_depth: u32,
    /// Whether the innermost loop is a `loop` whose value is used (a bare
    /// `break` would not type-check there).
    value_loop: bool,
    /// How many `for` loops over an array or map enclose this point.
    walking: u32,
    /// While making a value for a string or array in a loop: read no variable of
    /// a type that grows.
    no_grow_reads: bool,
}

impl Gen<'_> {
    // ---- randomness ----

    fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            0
        } else {
            self.rng.next_u64() % n
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn fresh(&mut self, prefix: &str) -> String {
        self.names += 1;
        format!("{prefix}{}", self.names)
    }

    // ---- output ----

    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    // ---- scopes ----

    fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }
    fn pop_scope(&mut self) {
        self.scopes.pop();
    }
    fn bind(&mut self, name: &str, ty: Ty, mutable: bool) {
        let var = Var {
            name: name.to_string(),
            ty,
            mutable,
        };
        self.scopes.last_mut().expect("a scope").push(var);
    }
    /// Variables of type `ty` that may be read here.
    fn vars_of(&self, ty: &Ty, mutable: bool) -> Vec<Var> {
        let mut found: Vec<Var> = Vec::new();
        for scope in &self.scopes {
            for v in scope {
                if v.ty == *ty && (!mutable || v.mutable) {
                    // A later binding of the same name shadows an earlier one.
                    found.retain(|f| f.name != v.name);
                    found.push(v.clone());
                }
            }
        }
        if self.no_grow_reads && ty.grows() {
            found.clear();
        }
        found
    }
    fn all_vars(&self) -> Vec<Var> {
        let mut found: Vec<Var> = Vec::new();
        for scope in &self.scopes {
            for v in scope {
                found.retain(|f| f.name != v.name);
                found.push(v.clone());
            }
        }
        found
    }

    // ---- types ----

    fn scalar_ty(&mut self) -> Ty {
        match self.below(10) {
            0..=3 => INT,
            4 => Ty::Int(*self.pick(&INT_TYS)),
            5 => Ty::F64,
            6 => Ty::F32,
            7 => Ty::Bool,
            8 => Ty::Char,
            _ => Ty::Str,
        }
    }
    fn key_ty(&mut self) -> Ty {
        match self.below(4) {
            0 | 1 => INT,
            2 => Ty::Str,
            _ => Ty::Int(*self.pick(&INT_TYS)),
        }
    }
    fn any_ty(&mut self, depth: u32) -> Ty {
        if depth == 0 {
            return self.scalar_ty();
        }
        match self.below(20) {
            0..=9 => self.scalar_ty(),
            10 | 11 => Ty::Arr(Box::new(self.any_ty(depth - 1))),
            12 => Ty::Map(Box::new(self.key_ty()), Box::new(self.any_ty(depth - 1))),
            13 => Ty::Tup(vec![self.any_ty(depth - 1), self.any_ty(depth - 1)]),
            14 | 15 => Ty::Opt(Box::new(self.any_ty(depth - 1))),
            16 if !self.structs.is_empty() => {
                Ty::Struct(self.below(self.structs.len() as u64) as usize)
            }
            17 if !self.enums.is_empty() => Ty::Enum(self.below(self.enums.len() as u64) as usize),
            18 => Ty::Wrap(Box::new(self.scalar_ty())),
            _ => INT,
        }
    }

    fn ty_text(&self, ty: &Ty) -> String {
        match ty {
            Ty::Int(i) => i.name().to_string(),
            Ty::F64 => "float".into(),
            Ty::F32 => "f32".into(),
            Ty::Bool => "bool".into(),
            Ty::Char => "char".into(),
            Ty::Str => "str".into(),
            Ty::Unit => "()".into(),
            Ty::Arr(t) => format!("[{}]", self.ty_text(t)),
            Ty::Map(k, v) => format!("[{}: {}]", self.ty_text(k), self.ty_text(v)),
            Ty::Tup(ts) => {
                let parts: Vec<String> = ts.iter().map(|t| self.ty_text(t)).collect();
                format!("({})", parts.join(", "))
            }
            Ty::Opt(t) => format!("{}?", self.ty_text(t)),
            Ty::Struct(i) => self.structs[*i].name.clone(),
            Ty::Enum(i) => self.enums[*i].name.clone(),
            Ty::Wrap(t) => format!("Wrap<{}>", self.ty_text(t)),
        }
    }

    // ---- the program ----

    fn program(&mut self) {
        self.line("// A generated program (kiln-difftest).");
        self.prelude();
        let n_structs = self.below(3);
        for _ in 0..n_structs {
            self.struct_def();
        }
        let n_enums = self.below(3);
        for _ in 0..n_enums {
            self.enum_def();
        }
        // Globals the functions may read and write.
        self.line("var G_COUNT = 0");
        self.bind("G_COUNT", INT, true);
        let gf = self.literal(&Ty::F64);
        self.line(&format!("var G_F: float = {gf}"));
        self.bind("G_F", Ty::F64, true);
        let n_funcs = self.below(self.config.functions as u64 + 1);
        for _ in 0..n_funcs {
            if self.chance(25) {
                self.generator_def();
            } else {
                self.function_def();
            }
        }
        self.line("");
        self.cost = 0;
        for _ in 0..self.config.top_statements {
            self.statement(3);
        }
        // Print everything still in scope, so every value is compared.
        for v in self.all_vars() {
            let name = v.name.clone();
            self.line(&format!("println(\"{name} = {{{name}:?}}\")"));
        }
    }

    /// Generic items every program may use.
    fn prelude(&mut self) {
        self.line("struct Wrap<T> { v: T, n: int }");
        self.line("fn pick<T>(c: bool, a: T, b: T) -> T { if c { a } else { b } }");
        self.line("fn first_or<T>(xs: [T], d: T) -> T { if xs.len() > 0 { xs[0] } else { d } }");
        self.line("fn last_or<T>(xs: [T], d: T) -> T {");
        self.line("    var out = d");
        self.line("    for x in xs { out = x }");
        self.line("    out");
        self.line("}");
        self.line("fn none_like<T>(x: T) -> T? { None }");
        self.line("fn at_or<T>(xs: [T], i: int, d: T) -> T { if i >= 0 && i < xs.len() { xs[i] } else { d } }");
        self.line("fn count_some<T>(xs: [T?]) -> int {");
        self.line("    var n = 0");
        self.line("    for x in xs { if let Some(_) = x { n += 1 } }");
        self.line("    n");
        self.line("}");
    }

    fn struct_def(&mut self) {
        let name = format!("S{}", self.structs.len());
        let n = self.range(1, 3);
        let mut fields = Vec::new();
        for i in 0..n {
            let ty = if self.chance(20) {
                Ty::Arr(Box::new(self.scalar_ty()))
            } else {
                self.scalar_ty()
            };
            fields.push((format!("f{i}"), ty));
        }
        let parts: Vec<String> = fields
            .iter()
            .map(|(f, t)| format!("{f}: {}", self.ty_text(t)))
            .collect();
        self.line(&format!("struct {name} {{ {} }}", parts.join(", ")));
        // A method reading the fields, and a static constructor.
        let ret = self.scalar_ty();
        self.line(&format!("impl {name} {{"));
        self.indent += 1;
        let rt = self.ty_text(&ret);
        self.line(&format!("fn get(self) -> {rt} {{"));
        self.indent += 1;
        self.push_scope();
        for (f, t) in &fields {
            self.bind(&format!("self.{f}"), t.clone(), false);
        }
        let body = self.expr(&ret, 2);
        self.pop_scope();
        self.line(&body);
        self.indent -= 1;
        self.line("}");
        self.push_scope();
        let args: Vec<String> = fields
            .iter()
            .map(|(f, t)| format!("{f}: {}", self.literal(t)))
            .collect();
        self.pop_scope();
        self.line(&format!(
            "fn make() -> {name} {{ {name}({}) }}",
            args.join(", ")
        ));
        self.indent -= 1;
        self.line("}");
        self.structs.push(StructDef {
            name,
            fields,
            get: ret,
        });
    }

    fn enum_def(&mut self) {
        let e = self.enums.len();
        let name = format!("E{e}");
        let n = self.range(1, 4);
        let mut variants = Vec::new();
        for i in 0..n {
            let arity = self.below(3);
            let tys: Vec<Ty> = (0..arity).map(|_| self.scalar_ty()).collect();
            variants.push((format!("V{e}_{i}"), tys));
        }
        let parts: Vec<String> = variants
            .iter()
            .map(|(v, tys)| {
                if tys.is_empty() {
                    v.clone()
                } else {
                    let ts: Vec<String> = tys.iter().map(|t| self.ty_text(t)).collect();
                    format!("{v}({})", ts.join(", "))
                }
            })
            .collect();
        self.line(&format!("enum {name} {{ {} }}", parts.join(", ")));
        self.enums.push(EnumDef { name, variants });
    }

    fn function_def(&mut self) {
        let idx = self.funcs.len();
        let name = format!("f{idx}");
        let n_params = self.below(4);
        let params: Vec<Ty> = (0..n_params).map(|_| self.any_ty(1)).collect();
        let ret = if self.chance(10) {
            Ty::Unit
        } else {
            self.any_ty(1)
        };
        let mut header = format!("fn {name}(d: int");
        for (i, p) in params.iter().enumerate() {
            let _ = write!(header, ", p{i}: {}", self.ty_text(p));
        }
        header.push(')');
        if ret != Ty::Unit {
            let _ = write!(header, " -> {}", self.ty_text(&ret));
        }
        header.push_str(" {");
        self.line(&header);
        self.indent += 1;
        self.push_scope();
        self.bind("d", INT, false);
        for (i, p) in params.iter().enumerate() {
            self.bind(&format!("p{i}"), p.clone(), false);
        }
        self.cost = 0;
        self.mult = 1;
        self.grows = false;
        self.self_call = false;
        self.current_fn = Some((idx, name.clone(), params.clone(), ret.clone()));
        self.ret = Some(ret.clone());
        let n = self.range(1, 6);
        for _ in 0..n {
            self.statement(2);
        }
        if ret != Ty::Unit {
            let value = self.expr(&ret, 3);
            self.line(&value);
        }
        self.pop_scope();
        self.indent -= 1;
        self.line("}");
        let recursion = if self.self_call { 5 } else { 1 };
        self.funcs.push(FnDef {
            name,
            params,
            ret,
            cost: (self.cost + 1) * recursion,
            grows: self.grows,
        });
        self.current_fn = None;
        self.ret = None;
    }

    fn generator_def(&mut self) {
        let name = format!("g{}", self.gens.len());
        let elem = self.any_ty(1);
        let et = self.ty_text(&elem);
        self.line(&format!("fn {name}(d: int, n: int) -> Gen<{et}> {{"));
        self.indent += 1;
        self.push_scope();
        self.bind("d", INT, false);
        self.bind("n", INT, false);
        self.cost = 0;
        self.grows = false;
        self.line("var i = 0");
        self.line("while i < n {");
        self.indent += 1;
        self.push_scope();
        self.bind("i", INT, false);
        // At most 8 elements are asked for.
        self.mult = 8;
        self.loop_depth += 1;
        self.line("i += 1");
        let n = self.range(0, 3);
        for _ in 0..n {
            self.statement(1);
        }
        let value = self.expr(&elem, 2);
        self.line(&format!("yield {value}"));
        if self.chance(30) {
            let cond = self.expr(&Ty::Bool, 1);
            self.line(&format!("if {cond} {{ return }}"));
        }
        self.loop_depth -= 1;
        self.mult = 1;
        self.pop_scope();
        self.indent -= 1;
        self.line("}");
        self.pop_scope();
        self.indent -= 1;
        self.line("}");
        self.gens.push(GenDef {
            name,
            elem,
            cost: self.cost + 8,
        });
    }

    // ---- statements ----

    fn statement(&mut self, depth: u32) {
        self.cost += self.mult;
        let choice = self.below(100);
        match choice {
            0..=21 => self.let_statement(),
            22..=33 => self.assign(),
            34..=43 => self.print(),
            44..=51 if depth > 0 => self.if_statement(depth),
            52..=57 if depth > 0 => self.for_range(depth),
            58..=61 if depth > 0 => self.while_loop(depth),
            62..=65 if depth > 0 => self.for_each(depth),
            66..=68 if depth > 0 => self.loop_break(depth),
            69..=73 => self.container_mutation(),
            74..=77 if depth > 0 => self.match_statement(depth),
            78..=80 if depth > 0 => self.generator_use(depth),
            81..=84 => self.closure_statement(),
            85..=86 if self.loop_depth > 0 && !self.value_loop => {
                let cond = self.expr(&Ty::Bool, 1);
                let word = if self.chance(50) { "break" } else { "continue" };
                self.line(&format!("if {cond} {{ {word} }}"));
            }
            87 if self.ret.is_some() => {
                let ret = self.ret.clone().expect("a return type");
                let cond = self.expr(&Ty::Bool, 1);
                if ret == Ty::Unit {
                    self.line(&format!("if {cond} {{ return }}"));
                } else {
                    let v = self.expr(&ret, 2);
                    self.line(&format!("if {cond} {{ return {v} }}"));
                }
            }
            88..=90 => {
                // A call for its effects.
                let ty = if self.chance(30) {
                    Ty::Unit
                } else {
                    self.any_ty(1)
                };
                if let Some(call) = self.call(&ty, 1) {
                    self.line(&format!("let _ = {call}"));
                } else {
                    self.print();
                }
            }
            91 => {
                let ty = self.any_ty(1);
                if ty.comparable() && !has_float(&ty) {
                    let v = self.expr(&ty, 2);
                    let name = self.fresh("a");
                    self.line(&format!("let {name} = {v}"));
                    self.line(&format!("assert_eq({name}, {name})"));
                }
            }
            92..=93 => self.field_assign(),
            94 => self.destructure(),
            95..=96 if depth > 0 => self.if_let(depth),
            _ => self.let_statement(),
        }
    }

    fn let_statement(&mut self) {
        let ty = self.any_ty(2);
        let mutable = self.chance(50);
        let name = self.fresh("v");
        let kw = if mutable { "var" } else { "let" };
        let value = self.expr(&ty, 3);
        let annotate = self.chance(50) || needs_annotation(&value);
        if annotate {
            let t = self.ty_text(&ty);
            self.line(&format!("{kw} {name}: {t} = {value}"));
        } else {
            self.line(&format!("{kw} {name} = {value}"));
        }
        self.bind(&name, ty, mutable);
    }

    fn assign(&mut self) {
        let vars: Vec<Var> = self.all_vars().into_iter().filter(|v| v.mutable).collect();
        if vars.is_empty() {
            return self.let_statement();
        }
        let v = self.pick(&vars).clone();
        let in_loop = self.mult > 1;
        let saved = self.no_grow_reads;
        if in_loop && v.ty.grows() {
            self.no_grow_reads = true;
        }
        match &v.ty {
            Ty::Int(i) if self.chance(50) => {
                let rhs = self.expr(&v.ty, 2);
                if self.chance(15) {
                    let op = *self.pick(&["+=", "-=", "*=", "&=", "|=", "^="]);
                    self.line(&format!("{} {op} {rhs}", v.name));
                } else {
                    let m = *self.pick(&["wrapping_add", "wrapping_sub", "wrapping_mul"]);
                    let _ = i;
                    self.line(&format!("{} = {}.{m}({rhs})", v.name, v.name));
                }
            }
            Ty::F64 | Ty::F32 if self.chance(50) => {
                let rhs = self.expr(&v.ty, 2);
                let op = *self.pick(&["+=", "-=", "*=", "/="]);
                self.line(&format!("{} {op} {rhs}", v.name));
            }
            Ty::Str if !in_loop && self.chance(30) => {
                let rhs = self.expr(&Ty::Str, 2);
                self.line(&format!("{} = {} + {rhs}", v.name, v.name));
            }
            _ => {
                let rhs = self.expr(&v.ty, 2);
                self.line(&format!("{} = {rhs}", v.name));
            }
        }
        self.no_grow_reads = saved;
    }

    fn print(&mut self) {
        let ty = self.any_ty(2);
        let value = self.expr(&ty, 2);
        match self.below(4) {
            0 => self.line(&format!("println({value})")),
            1 => {
                let name = self.fresh("t");
                self.line(&format!("let {name} = {value}"));
                let spec = self.format_spec(&ty);
                self.line(&format!("println(\"{name}: {{{name}{spec}}}.\")"));
            }
            2 => self.line(&format!("print({value}); println(\"\")")),
            _ => self.line(&format!("println({value}.to_str().len())")),
        }
    }

    /// A format spec that applies to values of `ty` (often none).
    fn format_spec(&mut self, ty: &Ty) -> String {
        let specs: &[&str] = match ty {
            Ty::Int(_) => &["", ":5", ":<6", ":^7", ":x", ":X", ":b", ":o", ":05", ":?"],
            Ty::F64 | Ty::F32 => &["", ":.3", ":8.2", ":e", ":?", ":>10"],
            _ => &["", ":?", ":12", ":*^9"],
        };
        self.pick(specs).to_string()
    }

    fn if_statement(&mut self, depth: u32) {
        let cond = self.expr(&Ty::Bool, 2);
        self.line(&format!("if {cond} {{"));
        self.block(depth - 1, 3);
        if self.chance(50) {
            self.line("} else {");
            self.block(depth - 1, 3);
        }
        self.line("}");
    }

    /// The statements of a block, in a scope of their own.
    fn block(&mut self, depth: u32, most: i64) {
        self.indent += 1;
        self.push_scope();
        let n = self.range(1, most);
        for _ in 0..n {
            self.statement(depth);
        }
        self.pop_scope();
        self.indent -= 1;
    }

    /// Runs `body` as a loop of `trips` iterations at most.
    fn in_loop(&mut self, trips: u64, body: impl FnOnce(&mut Self)) {
        self.in_loop_of(false, trips, body)
    }

    fn in_loop_of(&mut self, value_loop: bool, trips: u64, body: impl FnOnce(&mut Self)) {
        let saved = (self.mult, self.value_loop);
        self.mult = self.mult.saturating_mul(trips.max(1));
        self.value_loop = value_loop;
        self.loop_depth += 1;
        body(self);
        self.loop_depth -= 1;
        (self.mult, self.value_loop) = saved;
    }

    fn loop_trips(&mut self) -> Option<u64> {
        // Deep loop nests multiply: stop nesting when the product gets large.
        if self.mult > 200 {
            None
        } else {
            Some(self.range(0, 10) as u64)
        }
    }

    fn for_range(&mut self, depth: u32) {
        let Some(n) = self.loop_trips() else {
            return self.print();
        };
        let i = self.fresh("i");
        let range = match self.below(5) {
            0 => format!("0..{n}"),
            1 => format!("0..={}", n.saturating_sub(1) as i64),
            2 => format!("(0..{n}).rev()"),
            3 => format!("(0..{}).step_by({})", n * 2, 2),
            _ => format!("{}..{}", -(n as i64), 0),
        };
        self.line(&format!("for {i} in {range} {{"));
        self.in_loop(n, |g| g.loop_body(depth, &i));
        self.line("}");
    }

    /// One to four statements, indented, in a scope where the loop's counter
    /// `counter` (an `int`) can be read.
    fn loop_body(&mut self, depth: u32, counter: &str) {
        self.indent += 1;
        self.push_scope();
        self.bind(counter, INT, false);
        let k = self.range(1, 4);
        for _ in 0..k {
            self.statement(depth - 1);
        }
        self.pop_scope();
        self.indent -= 1;
    }

    fn while_loop(&mut self, depth: u32) {
        let Some(n) = self.loop_trips() else {
            return self.print();
        };
        let c = self.fresh("c");
        self.line(&format!("var {c} = 0"));
        self.line(&format!("while {c} < {n} {{"));
        self.in_loop(n, |g| {
            g.indent += 1;
            g.line(&format!("{c} += 1"));
            g.indent -= 1;
            g.loop_body(depth, &c);
        });
        self.line("}");
    }

    fn loop_break(&mut self, depth: u32) {
        let Some(n) = self.loop_trips() else {
            return self.print();
        };
        let c = self.fresh("c");
        let ty = self.scalar_ty();
        let name = self.fresh("v");
        self.line(&format!("var {c} = 0"));
        self.line(&format!("let {name} = loop {{"));
        self.in_loop_of(true, n + 1, |g| {
            g.indent += 1;
            g.line(&format!("{c} += 1"));
            let value = g.expr(&ty, 2);
            g.line(&format!("if {c} > {n} {{ break {value} }}"));
            g.push_scope();
            let k = g.range(0, 3);
            for _ in 0..k {
                g.statement(depth - 1);
            }
            g.pop_scope();
            g.indent -= 1;
        });
        self.line("}");
        self.bind(&name, ty, false);
    }

    fn for_each(&mut self, depth: u32) {
        // Over an array, a map, a string, or an array made on the spot.
        let arrays: Vec<Var> = self
            .all_vars()
            .into_iter()
            .filter(|v| matches!(v.ty, Ty::Arr(_) | Ty::Map(..) | Ty::Str))
            .collect();
        let (source, elem, trips) = if !arrays.is_empty() && self.chance(70) {
            let v = self.pick(&arrays).clone();
            // The length is not known here: charge a generous trip count.
            match v.ty {
                Ty::Arr(t) => (v.name, *t, 30),
                Ty::Map(k, val) => (v.name, Ty::Tup(vec![*k, *val]), 30),
                _ => (v.name, Ty::Char, 30),
            }
        } else {
            let elem = self.any_ty(1);
            let n = self.range(0, 5);
            let items: Vec<String> = (0..n).map(|_| self.expr(&elem, 1)).collect();
            let t = self.ty_text(&elem);
            let name = self.fresh("xs");
            self.line(&format!("let {name}: [{t}] = [{}]", items.join(", ")));
            self.bind(&name, Ty::Arr(Box::new(elem.clone())), false);
            (name, elem, n as u64)
        };
        if self.mult.saturating_mul(trips) > 2_000 {
            return;
        }
        let x = self.fresh("x");
        let is_array = self
            .all_vars()
            .iter()
            .any(|v| v.name == source && matches!(v.ty, Ty::Arr(_)));
        let enumerate = is_array && self.chance(20);
        if enumerate {
            self.line(&format!("for (k{x}, {x}) in {source}.enumerate() {{"));
        } else {
            self.line(&format!("for {x} in {source} {{"));
        }
        self.walking += 1;
        self.in_loop(trips, |g| {
            g.indent += 1;
            g.push_scope();
            g.bind(&x, elem.clone(), false);
            if enumerate {
                g.bind(&format!("k{x}"), INT, false);
            }
            let k = g.range(1, 3);
            for _ in 0..k {
                g.statement(depth - 1);
            }
            g.pop_scope();
            g.indent -= 1;
        });
        self.walking -= 1;
        self.line("}");
    }

    fn container_mutation(&mut self) {
        let vars: Vec<Var> = self
            .all_vars()
            .into_iter()
            .filter(|v| matches!(v.ty, Ty::Arr(_) | Ty::Map(..)))
            .collect();
        if vars.is_empty() {
            return self.let_statement();
        }
        let v = self.pick(&vars).clone();
        let saved = self.no_grow_reads;
        if self.mult > 1 {
            self.no_grow_reads = true;
        }
        match &v.ty {
            Ty::Arr(t) => {
                let t = (**t).clone();
                let grow_ok = self.walking == 0;
                match self.below(8) {
                    0 | 1 if grow_ok => {
                        let e = self.expr(&t, 2);
                        self.line(&format!("{}.push({e})", v.name));
                        self.grows = true;
                    }
                    2 => self.line(&format!("let _ = {}.pop()", v.name)),
                    3 => {
                        let e = self.expr(&t, 2);
                        let i = self.expr(&INT, 1);
                        self.line(&format!(
                            "if {0}.len() > 0 {{ {0}[({1}).abs() % {0}.len()] = {e} }}",
                            v.name, i
                        ));
                    }
                    4 if grow_ok && self.chance(RISK * 3) => {
                        let e = self.expr(&t, 2);
                        let i = self.expr(&INT, 1);
                        // May panic: an index past the end.
                        self.line(&format!("{}.insert({i}, {e})", v.name));
                        self.grows = true;
                    }
                    5 if orderable_elem(&t) => self.line(&format!("{}.sort()", v.name)),
                    6 => self.line(&format!("{}.reverse()", v.name)),
                    7 if grow_ok => {
                        let e = self.expr(&t, 1);
                        self.line(&format!("{}.extend([{e}])", v.name));
                        self.grows = true;
                    }
                    _ => self.line(&format!(
                        "if {0}.len() > 0 {{ let _ = {0}.remove(0) }}",
                        v.name
                    )),
                }
            }
            Ty::Map(k, val) => {
                if self.walking > 0 {
                    self.no_grow_reads = saved;
                    return self.print();
                }
                let (k, val) = ((**k).clone(), (**val).clone());
                let key = self.expr(&k, 1);
                match self.below(3) {
                    0 | 1 => {
                        let e = self.expr(&val, 2);
                        self.line(&format!("{}[{key}] = {e}", v.name));
                    }
                    _ => self.line(&format!("let _ = {}.remove({key})", v.name)),
                }
            }
            _ => {}
        }
        self.no_grow_reads = saved;
    }

    /// `let (a, b) = TUPLE`.
    fn destructure(&mut self) {
        let (ta, tb) = (self.scalar_ty(), self.any_ty(1));
        let t = Ty::Tup(vec![ta.clone(), tb.clone()]);
        let value = self.expr(&t, 2);
        let (a, b) = (self.fresh("v"), self.fresh("v"));
        self.line(&format!("let ({a}, {b}) = {value}"));
        self.bind(&a, ta, false);
        self.bind(&b, tb, false);
    }

    /// `if let Some(x) = OPTION { } else { }`.
    fn if_let(&mut self, depth: u32) {
        let t = self.any_ty(1);
        let value = self.expr(&Ty::Opt(Box::new(t.clone())), 2);
        let x = self.fresh("b");
        self.line(&format!("if let Some({x}) = {value} {{"));
        self.indent += 1;
        self.push_scope();
        self.bind(&x, t, false);
        self.statement(depth - 1);
        self.pop_scope();
        self.indent -= 1;
        if self.chance(50) {
            self.line("} else {");
            self.block(depth - 1, 2);
        }
        self.line("}");
    }

    fn field_assign(&mut self) {
        let vars: Vec<Var> = self
            .all_vars()
            .into_iter()
            .filter(|v| matches!(v.ty, Ty::Struct(_) | Ty::Wrap(_)))
            .collect();
        if vars.is_empty() {
            return self.print();
        }
        let v = self.pick(&vars).clone();
        let (field, ty) = match &v.ty {
            Ty::Struct(s) => {
                let fields = self.structs[*s].fields.clone();
                self.pick(&fields).clone()
            }
            Ty::Wrap(t) => ("v".to_string(), (**t).clone()),
            _ => return,
        };
        let saved = self.no_grow_reads;
        if self.mult > 1 && ty.grows() {
            self.no_grow_reads = true;
        }
        let e = self.expr(&ty, 2);
        self.no_grow_reads = saved;
        self.line(&format!("{}.{field} = {e}", v.name));
    }

    fn match_statement(&mut self, depth: u32) {
        let ty = match self.below(3) {
            0 if !self.enums.is_empty() => Ty::Enum(self.below(self.enums.len() as u64) as usize),
            1 => Ty::Opt(Box::new(self.scalar_ty())),
            _ => INT,
        };
        let scrutinee = self.expr(&ty, 2);
        self.line(&format!("match {scrutinee} {{"));
        self.indent += 1;
        match &ty {
            Ty::Enum(e) => {
                let variants = self.enums[*e].variants.clone();
                for (name, tys) in variants {
                    self.push_scope();
                    let mut pat = name.clone();
                    if !tys.is_empty() {
                        let binds: Vec<String> = tys
                            .iter()
                            .map(|t| {
                                let b = self.fresh("b");
                                self.bind(&b, t.clone(), false);
                                b
                            })
                            .collect();
                        pat = format!("{name}({})", binds.join(", "));
                    }
                    self.arm(&pat, depth);
                    self.pop_scope();
                }
            }
            Ty::Opt(t) => {
                let b = self.fresh("b");
                self.push_scope();
                self.bind(&b, (**t).clone(), false);
                self.arm(&format!("Some({b})"), depth);
                self.pop_scope();
                self.arm("None", depth);
            }
            _ => {
                let a = self.range(-3, 3);
                self.arm(&format!("{a} | {}", a + 10), depth);
                let lo = self.range(-20, 20);
                let hi = lo + self.range(0, 9);
                self.arm(&format!("{lo}..={hi}"), depth);
                let b = self.fresh("b");
                self.push_scope();
                self.bind(&b, INT, false);
                let cond = self.expr(&Ty::Bool, 1);
                self.arm(&format!("{b} if {cond}"), depth);
                self.pop_scope();
                self.arm("_", depth);
            }
        }
        self.indent -= 1;
        self.line("}");
    }

    fn arm(&mut self, pat: &str, depth: u32) {
        self.line(&format!("{pat} => {{"));
        self.block(depth - 1, 2);
        self.line("}");
    }

    fn generator_use(&mut self, depth: u32) {
        if self.gens.is_empty() {
            return self.print();
        }
        let i = self.below(self.gens.len() as u64) as usize;
        let (name, elem, cost) = {
            let g = &self.gens[i];
            (g.name.clone(), g.elem.clone(), g.cost)
        };
        if self.mult.saturating_mul(cost) > self.config.budget / 4 {
            return self.print();
        }
        self.cost += self.mult * cost;
        let n = self.range(0, 8);
        let d = self.range(0, 3);
        match self.below(3) {
            0 => {
                let x = self.fresh("x");
                self.line(&format!("for {x} in {name}({d}, {n}) {{"));
                self.in_loop(n as u64, |g| {
                    g.indent += 1;
                    g.push_scope();
                    g.bind(&x, elem.clone(), false);
                    g.statement(depth - 1);
                    if g.chance(30) {
                        let cond = g.expr(&Ty::Bool, 1);
                        g.line(&format!("if {cond} {{ break }}"));
                    }
                    g.pop_scope();
                    g.indent -= 1;
                });
                self.line("}");
            }
            1 => {
                let gv = self.fresh("gen");
                self.line(&format!("let {gv} = {name}({d}, {n})"));
                let t = self.ty_text(&elem);
                let first = self.fresh("v");
                self.line(&format!("let {first}: {t}? = {gv}.next()"));
                self.bind(&first, Ty::Opt(Box::new(elem.clone())), false);
                if self.chance(50) {
                    let b = self.fresh("b");
                    self.line(&format!("while let Some({b}) = {gv}.next() {{"));
                    self.in_loop(n as u64, |g| {
                        g.indent += 1;
                        g.push_scope();
                        g.bind(&b, elem.clone(), false);
                        g.statement(depth - 1);
                        g.pop_scope();
                        g.indent -= 1;
                    });
                    self.line("}");
                }
                // Otherwise the generator is dropped part-way.
            }
            _ => {
                let t = self.ty_text(&elem);
                let xs = self.fresh("v");
                self.line(&format!("var {xs}: [{t}] = []"));
                self.line(&format!("for y in {name}({d}, {n}) {{ {xs}.push(y) }}"));
                self.bind(&xs, Ty::Arr(Box::new(elem)), true);
            }
        }
    }

    fn closure_statement(&mut self) {
        let counters = self.vars_of(&INT, true);
        if !counters.is_empty() && self.chance(40) {
            // A closure that changes a captured variable.
            let c = self.pick(&counters).name.clone();
            let f = self.fresh("inc");
            let k = self.range(1, 5);
            self.line(&format!("let {f} = || {{ {c} = {c}.wrapping_add({k}) }}"));
            let calls = self.range(1, 3);
            for _ in 0..calls {
                self.line(&format!("{f}()"));
            }
            return;
        }
        let arg = self.scalar_ty();
        let ret = self.scalar_ty();
        let f = self.fresh("fc");
        let p = self.fresh("q");
        self.push_scope();
        self.bind(&p, arg.clone(), false);
        let body = self.expr(&ret, 2);
        self.pop_scope();
        let at = self.ty_text(&arg);
        let rt = self.ty_text(&ret);
        self.line(&format!("let {f}: fn({at}) -> {rt} = |{p}| {body}"));
        let n = self.range(1, 3);
        for _ in 0..n {
            let a = self.expr(&arg, 1);
            self.line(&format!("println({f}({a}))"));
        }
    }

    // ---- expressions ----

    /// An expression of type `ty`, at most `depth` levels deep.
    fn expr(&mut self, ty: &Ty, depth: u32) -> String {
        if depth == 0 || self.chance(25) {
            return self.leaf(ty);
        }
        if self.chance(8) {
            if let Some(call) = self.call(ty, depth) {
                return call;
            }
        }
        if self.chance(5) {
            let c = self.expr(&Ty::Bool, depth - 1);
            let a = self.expr(ty, depth - 1);
            let b = self.expr(ty, depth - 1);
            return format!("(if {c} {{ {a} }} else {{ {b} }})");
        }
        if self.chance(3) {
            let a = self.expr(ty, depth - 1);
            let b = self.expr(ty, depth - 1);
            let c = self.expr(&Ty::Bool, depth - 1);
            return format!("pick({c}, {a}, {b})");
        }
        match ty.clone() {
            Ty::Int(i) => self.int_expr(i, depth),
            Ty::F64 | Ty::F32 => self.float_expr(ty, depth),
            Ty::Bool => self.bool_expr(depth),
            Ty::Char => match self.below(3) {
                0 => {
                    let n = self.expr(&Ty::Int(IntTy::U8), depth - 1);
                    format!("({n} as char)")
                }
                1 => {
                    let s = self.expr(&Ty::Str, depth - 1);
                    let d = self.literal(&Ty::Char);
                    format!("first_or({s}.chars(), {d})")
                }
                _ => self.leaf(ty),
            },
            Ty::Str => self.str_expr(depth),
            Ty::Arr(t) => self.array_expr(&t, depth),
            Ty::Opt(t) => self.option_expr(&t, depth),
            Ty::Tup(ts) => {
                let parts: Vec<String> = ts.iter().map(|t| self.expr(t, depth - 1)).collect();
                format!("({})", parts.join(", "))
            }
            Ty::Struct(s) => {
                if self.chance(20) {
                    return format!("{}.make()", self.structs[s].name);
                }
                let fields = self.structs[s].fields.clone();
                let args: Vec<String> = fields
                    .iter()
                    .map(|(f, t)| {
                        let v = self.expr(t, depth - 1);
                        if self.chance(50) {
                            format!("{f}: {v}")
                        } else {
                            v
                        }
                    })
                    .collect();
                format!("{}({})", self.structs[s].name, args.join(", "))
            }
            Ty::Wrap(t) => {
                let v = self.expr(&t, depth - 1);
                let n = self.expr(&INT, depth - 1);
                format!("Wrap(v: {v}, n: {n})")
            }
            _ => self.leaf(ty),
        }
    }

    /// A variable of the type, or a literal.
    fn leaf(&mut self, ty: &Ty) -> String {
        let vars = self.vars_of(ty, false);
        if !vars.is_empty() && self.chance(70) {
            return self.pick(&vars).name.clone();
        }
        // A field of a struct in scope, or what its method returns.
        if self.chance(10) {
            for v in self.all_vars() {
                if let Ty::Struct(s) = v.ty {
                    if self.structs[s].get == *ty && !(self.no_grow_reads && ty.grows()) {
                        return format!("{}.get()", v.name);
                    }
                    if let Some((f, _)) = self.structs[s].fields.iter().find(|(_, t)| t == ty) {
                        if !(self.no_grow_reads && ty.grows()) {
                            return format!("{}.{f}", v.name);
                        }
                    }
                }
            }
        }
        self.literal(ty)
    }

    fn literal(&mut self, ty: &Ty) -> String {
        match ty {
            Ty::Int(i) => self.int_literal(*i),
            Ty::F64 => self.float_literal(),
            Ty::F32 => format!("({} as f32)", self.float_literal()),
            Ty::Bool => if self.chance(50) { "true" } else { "false" }.into(),
            Ty::Char => {
                let c = *self.pick(&[
                    "'a'",
                    "'Z'",
                    "'0'",
                    "' '",
                    "'\\n'",
                    "'\\t'",
                    "'\\''",
                    "'é'",
                    "'λ'",
                    "'\\u{1F600}'",
                    "'\\\\'",
                    "'\"'",
                ]);
                c.to_string()
            }
            Ty::Str => self.str_literal(),
            Ty::Unit => "()".into(),
            Ty::Arr(t) => {
                let n = self.range(0, 3);
                let items: Vec<String> = (0..n).map(|_| self.literal(t)).collect();
                if items.is_empty() {
                    // Empty, with its element type written: `[x; 0]`.
                    let x = self.literal(t);
                    return format!("[{x}; 0]");
                }
                format!("[{}]", items.join(", "))
            }
            Ty::Map(k, v) => {
                let n = self.range(1, 3);
                let mut keys: Vec<String> = Vec::new();
                let mut items: Vec<String> = Vec::new();
                for _ in 0..n {
                    let key = self.literal(k);
                    if !keys.contains(&key) {
                        items.push(format!("{key}: {}", self.literal(v)));
                        keys.push(key);
                    }
                }
                format!("[{}]", items.join(", "))
            }
            Ty::Tup(ts) => {
                let parts: Vec<String> = ts.iter().map(|t| self.literal(t)).collect();
                format!("({})", parts.join(", "))
            }
            Ty::Opt(t) => {
                let v = self.literal(t);
                format!("Some({v})")
            }
            Ty::Struct(s) => format!("{}.make()", self.structs[*s].name),
            Ty::Enum(e) => {
                let variants = self.enums[*e].variants.clone();
                let (name, tys) = self.pick(&variants).clone();
                let en = self.enums[*e].name.clone();
                if tys.is_empty() {
                    format!("{en}.{name}")
                } else {
                    let args: Vec<String> = tys.iter().map(|t| self.literal(t)).collect();
                    format!("{en}.{name}({})", args.join(", "))
                }
            }
            Ty::Wrap(t) => {
                let v = self.literal(t);
                format!("Wrap(v: {v}, n: {})", self.range(-5, 5))
            }
        }
    }

    fn int_literal(&mut self, i: IntTy) -> String {
        let v: i128 = match self.below(10) {
            0 => i.min(),
            1 => i.max(),
            2 => *self.pick(&[i.min() + 1, i.max() - 1, 0, 1]),
            3 => {
                // Anywhere in range.
                let span = (i.max() - i.min()) as u128;
                let r = (self.rng.next_u64() as u128) % (span + 1);
                i.min() + r as i128
            }
            _ => {
                let small = self.range(-100, 100) as i128;
                if i.signed() {
                    small
                } else {
                    small.abs()
                }
            }
        };
        if i == IntTy::I64 {
            if v == i.min() {
                "INT_MIN".into()
            } else if v < 0 {
                format!("({v})")
            } else {
                format!("{v}")
            }
        } else if i == IntTy::U64 && v > i64::MAX as i128 {
            format!("({} as u64)", v - (1i128 << 64))
        } else {
            format!("({v} as {})", i.name())
        }
    }

    fn float_literal(&mut self) -> String {
        match self.below(12) {
            0 => "0.0".into(),
            1 => "(-0.0)".into(),
            2 => "INF".into(),
            3 => "(-INF)".into(),
            4 => "NAN".into(),
            5 => "1e300".into(),
            6 => "(-2.5e-310)".into(),
            7 => "0.1".into(),
            _ => {
                let whole = self.range(-1000, 1000);
                let frac = self.range(0, 999);
                if whole < 0 {
                    format!("({whole}.{frac:03})")
                } else {
                    format!("{whole}.{frac:03}")
                }
            }
        }
    }

    fn str_literal(&mut self) -> String {
        let n = self.range(0, 6);
        let mut s = String::from("\"");
        for _ in 0..n {
            let piece = *self.pick(&[
                "a", "b", "Kiln", " ", ",", "0", "9", "é", "λ", "🙂", "\\n", "\\t", "\\\\", "\\\"",
                "\\{", "\\}", "x", "-", "12", "1.5",
            ]);
            s.push_str(piece);
        }
        s.push('"');
        s
    }

    fn int_expr(&mut self, i: IntTy, depth: u32) -> String {
        let t = Ty::Int(i);
        let name = i.name();
        let a = self.expr(&t, depth - 1);
        match self.below(22) {
            0..=2 => {
                let b = self.expr(&t, depth - 1);
                let m = *self.pick(&["wrapping_add", "wrapping_sub", "wrapping_mul"]);
                format!("{a}.{m}({b})")
            }
            3..=5 => {
                let b = self.expr(&t, depth - 1);
                let op = *self.pick(&["&", "|", "^"]);
                format!("({a} {op} {b})")
            }
            6 => format!("(~{a})"),
            7 => {
                let k = self.below(i.bits() as u64);
                let op = *self.pick(&["<<", ">>"]);
                format!("({a} {op} {k})")
            }
            8 => {
                let b = self.expr(&t, depth - 1);
                let m = *self.pick(&["min", "max"]);
                format!("{a}.{m}({b})")
            }
            9 => {
                // Division by a constant that cannot fail.
                let d = if i.signed() {
                    *self.pick(&[2i64, 3, 7, 10, -2, -3])
                } else {
                    *self.pick(&[1i64, 2, 3, 7, 10])
                };
                let op = *self.pick(&["/", "%"]);
                if i == IntTy::I64 {
                    format!("({a} {op} ({d}))")
                } else {
                    format!("({a} {op} ({d} as {name}))")
                }
            }
            10..=12 => {
                // Checked arithmetic: may overflow, so keep the operands small.
                let b = self.expr(&t, depth - 1);
                let mut op = *self.pick(&["+", "-", "*"]);
                // Unsigned subtraction underflows half the time: make it rarer.
                if op == "-" && !i.signed() && self.chance(80) {
                    op = "+";
                }
                let (sa, sb) = (self.small(i, &a), self.small(i, &b));
                format!("({sa} {op} {sb})")
            }
            13 if self.chance(RISK) => {
                // Division by anything: may divide by zero or overflow.
                let b = self.expr(&t, depth - 1);
                let op = *self.pick(&["/", "%"]);
                format!("({a} {op} {b})")
            }
            14 => {
                // A cast from another number or a char.
                let from = match self.below(4) {
                    0 => Ty::F64,
                    1 => Ty::F32,
                    2 => Ty::Char,
                    _ => Ty::Int(*self.pick(&INT_TYS)),
                };
                let v = self.expr(&from, depth - 1);
                if from == Ty::Char {
                    format!("(({v} as int) as {name})")
                } else {
                    format!("({v} as {name})")
                }
            }
            15 => {
                let s = self.expr(&Ty::Str, depth - 1);
                format!("({s}.len() as {name})")
            }
            16 => {
                let et = self.any_ty(1);
                let xs = self.expr(&Ty::Arr(Box::new(et)), depth - 1);
                format!("({xs}.len() as {name})")
            }
            17 => {
                let o = self.expr(&Ty::Opt(Box::new(t.clone())), depth - 1);
                format!("{o}.unwrap_or({a})")
            }
            18 if i.signed() => {
                let a = self.small(i, &a);
                if self.chance(50) {
                    format!("(-{a})")
                } else {
                    format!("{a}.abs()")
                }
            }
            19 => {
                let xs = self.expr(&Ty::Arr(Box::new(t.clone())), depth - 1);
                let f = *self.pick(&["first_or", "last_or"]);
                format!("{f}({xs}, {a})")
            }
            20 => {
                // An element by a checked index.
                let xs = self.expr(&Ty::Arr(Box::new(t.clone())), depth - 1);
                let k = self.range(0, 3);
                if self.chance(RISK) {
                    // May panic: out of bounds.
                    format!("{xs}[{k}]")
                } else {
                    format!("at_or({xs}, {k}, {a})")
                }
            }
            21 => {
                let e = self.range(0, if i.bits() >= 32 { 3 } else { 2 });
                let a = self.small(i, &a);
                format!("{a}.pow({e})")
            }
            _ => a,
        }
    }

    /// `a` reduced to a small magnitude, so checked arithmetic on it rarely
    /// overflows (and sometimes left as it is, so it sometimes does).
    fn small(&mut self, i: IntTy, a: &str) -> String {
        if self.chance(RISK) {
            return a.to_string();
        }
        if i == IntTy::I64 {
            format!("({a} % 1000)")
        } else if i.bits() == 8 {
            format!("({a} % (5 as {}))", i.name())
        } else {
            format!("({a} % (100 as {}))", i.name())
        }
    }

    fn float_expr(&mut self, ty: &Ty, depth: u32) -> String {
        let name = if *ty == Ty::F32 { "f32" } else { "float" };
        let a = self.expr(ty, depth - 1);
        match self.below(8) {
            0..=2 => {
                let b = self.expr(ty, depth - 1);
                let op = *self.pick(&["+", "-", "*", "/", "%"]);
                format!("({a} {op} {b})")
            }
            3 => format!("(-{a})"),
            4 => {
                let m = *self.pick(&["sqrt", "abs", "floor", "ceil", "round", "sin", "cos", "exp"]);
                format!("{a}.{m}()")
            }
            5 => {
                let b = self.expr(ty, depth - 1);
                let m = *self.pick(&["min", "max", "pow", "atan2"]);
                format!("{a}.{m}({b})")
            }
            6 => {
                let from = if self.chance(50) {
                    Ty::Int(*self.pick(&INT_TYS))
                } else if *ty == Ty::F32 {
                    Ty::F64
                } else {
                    Ty::F32
                };
                let v = self.expr(&from, depth - 1);
                format!("({v} as {name})")
            }
            _ => {
                let o = self.expr(&Ty::Opt(Box::new(ty.clone())), depth - 1);
                format!("{o}.unwrap_or({a})")
            }
        }
    }

    fn bool_expr(&mut self, depth: u32) -> String {
        match self.below(9) {
            0..=2 => {
                let t = if self.chance(60) {
                    self.scalar_ty()
                } else {
                    self.any_ty(1)
                };
                let a = self.expr(&t, depth - 1);
                let b = self.expr(&t, depth - 1);
                let op = if t.ordered() && self.chance(60) {
                    *self.pick(&["<", "<=", ">", ">="])
                } else {
                    *self.pick(&["==", "!="])
                };
                format!("({a} {op} {b})")
            }
            3 => {
                let a = self.expr(&Ty::Bool, depth - 1);
                let b = self.expr(&Ty::Bool, depth - 1);
                let op = *self.pick(&["&&", "||"]);
                format!("({a} {op} {b})")
            }
            4 => {
                let a = self.expr(&Ty::Bool, depth - 1);
                format!("(!{a})")
            }
            5 => {
                let t = self.scalar_ty();
                let o = self.expr(&Ty::Opt(Box::new(t)), depth - 1);
                let m = *self.pick(&["is_some", "is_none"]);
                format!("{o}.{m}()")
            }
            6 => {
                let s = self.expr(&Ty::Str, depth - 1);
                let lit = self.str_literal();
                let m = *self.pick(&["contains", "starts_with", "ends_with"]);
                format!("{s}.{m}({lit})")
            }
            7 => {
                let t = self.scalar_ty();
                let xs = self.expr(&Ty::Arr(Box::new(t.clone())), depth - 1);
                let x = self.expr(&t, depth - 1);
                format!("{xs}.contains({x})")
            }
            _ => {
                let f = self.expr(&Ty::F64, depth - 1);
                format!("{f}.is_nan()")
            }
        }
    }

    fn str_expr(&mut self, depth: u32) -> String {
        match self.below(10) {
            0 | 1 => {
                let a = self.expr(&Ty::Str, depth - 1);
                let b = self.expr(&Ty::Str, depth - 1);
                format!("({a} + {b})")
            }
            2 | 3 => {
                // Interpolation, with a format spec.
                let t = self.any_ty(1);
                let v = self.expr(&t, depth - 1);
                let spec = self.format_spec(&t);
                let lit = self.str_literal();
                let inner = &lit[1..lit.len() - 1];
                format!("\"{inner}{{{v}{spec}}}|\"")
            }
            4 => {
                let t = self.scalar_ty();
                let v = self.expr(&t, depth - 1);
                format!("{v}.to_str()")
            }
            5 => {
                let s = self.expr(&Ty::Str, depth - 1);
                let m = *self.pick(&["trim", "to_upper", "to_lower"]);
                format!("{s}.{m}()")
            }
            6 => {
                let s = self.expr(&Ty::Str, depth - 1);
                let a = self.str_literal();
                let b = self.str_literal();
                format!("{s}.replace({a}, {b})")
            }
            7 => {
                let s = self.expr(&Ty::Str, depth - 1);
                let n = self.range(0, 3);
                format!("{s}.repeat({n})")
            }
            8 => {
                let xs = self.expr(&Ty::Arr(Box::new(Ty::Str)), depth - 1);
                let sep = self.str_literal();
                format!("{xs}.join({sep})")
            }
            _ => {
                if self.chance(RISK * 3) {
                    // Slicing: may panic off a char boundary or out of range.
                    let s = self.expr(&Ty::Str, depth - 1);
                    let a = self.range(0, 3);
                    format!("{s}[{a}..]")
                } else {
                    self.leaf(&Ty::Str)
                }
            }
        }
    }

    fn array_expr(&mut self, t: &Ty, depth: u32) -> String {
        let at = Ty::Arr(Box::new(t.clone()));
        match self.below(9) {
            0 | 1 => {
                let n = self.range(1, 4);
                let items: Vec<String> = (0..n).map(|_| self.expr(t, depth - 1)).collect();
                format!("[{}]", items.join(", "))
            }
            2 => {
                let v = self.expr(t, depth - 1);
                let n = self.range(0, 4);
                format!("[{v}; {n}]")
            }
            3 => {
                let xs = self.expr(&at, depth - 1);
                format!("{xs}.clone()")
            }
            4 => {
                // `map` with a closure of the element type.
                let xs = self.expr(&at, depth - 1);
                let x = self.fresh("m");
                self.push_scope();
                self.bind(&x, t.clone(), false);
                let body = self.expr(t, depth - 1);
                self.pop_scope();
                format!("{xs}.map(|{x}| {body})")
            }
            5 => {
                let xs = self.expr(&at, depth - 1);
                let x = self.fresh("m");
                self.push_scope();
                self.bind(&x, t.clone(), false);
                let body = self.expr(&Ty::Bool, depth - 1);
                self.pop_scope();
                format!("{xs}.filter(|{x}| {body})")
            }
            6 => {
                let a = self.expr(&at, depth - 1);
                let b = self.expr(&at, depth - 1);
                format!("({a} + {b})")
            }
            7 if *t == Ty::Str => {
                let s = self.expr(&Ty::Str, depth - 1);
                format!("{s}.split(\",\")")
            }
            7 if *t == Ty::Char => {
                let s = self.expr(&Ty::Str, depth - 1);
                format!("{s}.chars()")
            }
            _ => {
                let xs = self.expr(&at, depth - 1);
                if self.chance(RISK) {
                    // May panic: past the end.
                    format!("{xs}[..{}]", self.range(0, 2))
                } else {
                    format!("{xs}[..0]")
                }
            }
        }
    }

    fn option_expr(&mut self, t: &Ty, depth: u32) -> String {
        match self.below(6) {
            0 | 1 => {
                let v = self.expr(t, depth - 1);
                format!("Some({v})")
            }
            2 => {
                // A `None` whose type comes from the argument.
                let x = self.literal(t);
                format!("none_like({x})")
            }
            3 if matches!(t, Ty::Int(IntTy::I64)) => {
                let s = self.expr(&Ty::Str, depth - 1);
                let m = *self.pick(&["find(\"a\")", "parse_int()"]);
                format!("{s}.{m}")
            }
            4 => {
                let xs = self.expr(&Ty::Arr(Box::new(t.clone())), depth - 1);
                if t.ordered() && !matches!(t, Ty::F64 | Ty::F32) && self.chance(50) {
                    format!("{xs}.min()")
                } else {
                    format!("{xs}.pop()")
                }
            }
            5 if t.can_be_key() => {
                let m = self.expr(
                    &Ty::Map(Box::new(t.clone()), Box::new(t.clone())),
                    depth - 1,
                );
                let k = self.expr(t, depth - 1);
                format!("{m}.get({k})")
            }
            _ => self.leaf(&Ty::Opt(Box::new(t.clone()))),
        }
    }

    /// A call of a generated function returning `ty`, within the budget.
    fn call(&mut self, ty: &Ty, depth: u32) -> Option<String> {
        let mut candidates = Vec::new();
        for (i, f) in self.funcs.iter().enumerate() {
            let charge = self.mult.saturating_mul(f.cost);
            if f.ret == *ty
                && charge <= self.config.budget / 8
                && self.cost.saturating_add(charge) <= self.config.budget
                && !(f.grows && self.walking > 0)
            {
                candidates.push(i);
            }
        }
        // The function being made may call itself once, counting `d` down.
        let own = self.current_fn.clone().filter(|(_, _, _, ret)| ret == ty);
        if let Some((_, name, params, _)) = own {
            if !self.self_call && self.mult == 1 && self.chance(30) {
                self.self_call = true;
                let args = self.args(&params, depth);
                let default = self.literal(ty);
                return Some(format!(
                    "(if d > 0 {{ {name}(d - 1{args}) }} else {{ {default} }})"
                ));
            }
        }
        if candidates.is_empty() {
            return None;
        }
        let i = *self.pick(&candidates);
        let (name, params, cost) = {
            let f = &self.funcs[i];
            (f.name.clone(), f.params.clone(), f.cost)
        };
        self.cost += self.mult * cost;
        if self.funcs[i].grows {
            self.grows = true;
        }
        let args = self.args(&params, depth);
        let d = self.range(0, 3);
        Some(format!("{name}({d}{args})"))
    }

    fn args(&mut self, params: &[Ty], depth: u32) -> String {
        let mut out = String::new();
        for p in params {
            let a = self.expr(p, depth.saturating_sub(1));
            let _ = write!(out, ", {a}");
        }
        out
    }
}

fn orderable_elem(t: &Ty) -> bool {
    matches!(t, Ty::Int(_) | Ty::Str | Ty::Char)
}

/// Whether a value of the type may hold a float (NaN is not equal to itself).
fn has_float(t: &Ty) -> bool {
    match t {
        Ty::F64 | Ty::F32 | Ty::Struct(_) | Ty::Enum(_) => true,
        Ty::Arr(t) | Ty::Opt(t) | Ty::Wrap(t) => has_float(t),
        Ty::Map(k, v) => has_float(k) || has_float(v),
        Ty::Tup(ts) => ts.iter().any(has_float),
        _ => false,
    }
}

/// Whether a `let` of this text needs its type written (an empty container).
fn needs_annotation(value: &str) -> bool {
    value.contains("[]") || value.contains("None") || value.contains("[:]")
}
