//! The verifier's checks of one instruction: its results, the types of its
//! operands, the ids it refers to, and calls against what they call (invariants
//! 5, 8 and 9 of [`crate::verify`]).
//!
//! Every lookup goes through `get`: an id out of range is an error to report,
//! never a reason to panic.

use super::Env;
use crate::ir::*;
use kiln_runtime::TypeKind;

/// The text form's name of an instruction (`iconst`, `call`, `iadd`, ...).
pub(super) fn name(kind: &InstKind) -> String {
    match kind {
        InstKind::Iconst(_) => "iconst".into(),
        InstKind::Fconst(_) => "fconst".into(),
        InstKind::Str(_) => "str".into(),
        InstKind::Spec(_) => "spec".into(),
        InstKind::Null => "null".into(),
        InstKind::Binary(op, ..) => format!("{op:?}").to_lowercase(),
        InstKind::Overflow(op, ..) => format!("{op:?}_overflow").to_lowercase(),
        InstKind::Unary(op, _) => format!("{op:?}").to_lowercase(),
        InstKind::Icmp(..) => "icmp".into(),
        InstKind::Fcmp(..) => "fcmp".into(),
        InstKind::Convert(op, _) => format!("{op:?}").to_lowercase(),
        InstKind::Select(..) => "select".into(),
        InstKind::Call(..) => "call".into(),
        InstKind::CallIndirect { .. } => "call_indirect".into(),
        InstKind::FuncAddr(_) => "func_addr".into(),
        InstKind::CallRuntime { .. } => "call_runtime".into(),
        InstKind::CallExtern(..) => "call_extern".into(),
        InstKind::GlobalLoad(_) => "global_load".into(),
        InstKind::GlobalStore(..) => "global_store".into(),
        InstKind::Desc(_) => "desc".into(),
        InstKind::GetField { .. } => "get_field".into(),
        InstKind::SetField { .. } => "set_field".into(),
        InstKind::Load { .. } => "load".into(),
        InstKind::Store { .. } => "store".into(),
        InstKind::Retain(_) => "retain".into(),
        InstKind::Release(_) => "release".into(),
    }
}

/// What a value's type must be.
#[derive(Clone, Copy)]
enum Want {
    Any,
    Exactly(Type),
    /// Any integer type (`ptr` included).
    Int,
    Float,
    /// `ptr`, or `i64` (an address is a 64-bit integer to the machine).
    Address,
    /// The type, `ptr` and `i64` counting as one (the machine's view; also the
    /// interpreter's rule for the runtime's parameters, which takes values of any
    /// type as `i64` bits).
    SameAs(Type),
    /// Any type of this many bits.
    Bits(u32),
}

impl Want {
    fn accepts(self, t: Type) -> bool {
        match self {
            Want::Any => true,
            Want::Exactly(w) => t == w,
            Want::Int => t.is_int(),
            Want::Float => t.is_float(),
            Want::Address => matches!(t, Type::Ptr | Type::I64),
            Want::SameAs(w) => widen(t) == widen(w),
            Want::Bits(n) => t.bits() == n,
        }
    }

    fn describe(self) -> String {
        match self {
            Want::Any => "any type".into(),
            Want::Exactly(t) => t.to_string(),
            Want::Int => "an integer type".into(),
            Want::Float => "a float type".into(),
            Want::Address => "ptr or i64".into(),
            Want::SameAs(Type::Ptr) | Want::SameAs(Type::I64) => "i64 or ptr".into(),
            Want::SameAs(t) => t.to_string(),
            Want::Bits(n) => format!("a type of {n} bits"),
        }
    }
}

/// `ptr` as the integer it is to the machine.
fn widen(t: Type) -> Type {
    if t == Type::Ptr {
        Type::I64
    } else {
        t
    }
}

/// Checks one instruction of block `b`, adding what is wrong to `errors`.
struct Checker<'a> {
    env: &'a Env<'a>,
    f: &'a Func,
    b: Block,
    inst: &'a Inst,
    errors: &'a mut Vec<String>,
}

pub(super) fn check(env: &Env, f: &Func, b: Block, inst: &Inst, errors: &mut Vec<String>) {
    let mut c = Checker {
        env,
        f,
        b,
        inst,
        errors,
    };
    c.check();
}

impl Checker<'_> {
    fn error(&mut self, message: String) {
        let name = name(&self.inst.kind);
        self.errors.push(format!("{}: {name} {message}", self.b));
    }

    fn ty(&self, v: Value) -> Option<Type> {
        self.f.values.get(v.index()).copied()
    }

    /// Checks that operand `v` has a type `want` accepts (an undefined operand is
    /// reported elsewhere).
    fn operand(&mut self, v: Value, want: Want) {
        if let Some(t) = self.ty(v) {
            if !want.accepts(t) {
                self.error(format!("operand {v} is {t}, expected {}", want.describe()));
            }
        }
    }

    /// Checks the number of results and, when it is right, their types.
    fn results(&mut self, want: &[Want]) {
        let results = &self.inst.results;
        if results.len() != want.len() {
            self.error(format!(
                "has {}, expected {}",
                count(results.len(), "result"),
                want.len()
            ));
            return;
        }
        for (&r, &w) in results.iter().zip(want) {
            if let Some(t) = self.ty(r) {
                if !w.accepts(t) {
                    self.error(format!("result {r} is {t}, expected {}", w.describe()));
                }
            }
        }
    }

    fn no_results(&mut self) {
        self.results(&[]);
    }

    /// The result types a call with return type `ret` has.
    fn returns(&mut self, ret: Option<Type>) {
        match ret {
            Some(t) => self.results(&[Want::Exactly(t)]),
            None => self.no_results(),
        }
    }

    /// Reports `what` (`g3`, `str7`) missing from the program's table `table`.
    fn in_range<T>(
        &mut self,
        table: impl FnOnce(&Program) -> &[T],
        index: usize,
        what: impl std::fmt::Display,
    ) {
        if let Some(p) = self.env.program {
            if table(p).get(index).is_none() {
                self.error(format!("refers to missing {what}"));
            }
        }
    }

    fn check(&mut self) {
        let kind = &self.inst.kind;
        match kind {
            InstKind::Iconst(_) => self.results(&[Want::Int]),
            InstKind::Fconst(_) => self.results(&[Want::Float]),
            InstKind::Str(s) => {
                self.in_range(|p| &p.strings, s.index(), s);
                self.results(&[Want::Exactly(Type::Ptr)]);
            }
            InstKind::Spec(s) => {
                self.in_range(|p| &p.specs, s.index(), s);
                self.results(&[Want::Exactly(Type::Ptr)]);
            }
            InstKind::Null => self.results(&[Want::Exactly(Type::Ptr)]),
            InstKind::Desc(t) => {
                self.in_range(|p| &p.types, t.index(), t);
                self.results(&[Want::Exactly(Type::Ptr)]);
            }
            InstKind::Binary(op, x, y) => self.binary(*op, *x, *y),
            InstKind::Overflow(_, x, y) => {
                let tx = self.ty(*x);
                self.operand(*x, Want::Int);
                if let Some(tx) = tx {
                    self.operand(*y, Want::SameAs(tx));
                    self.results(&[Want::SameAs(tx), Want::Exactly(Type::I8)]);
                }
            }
            InstKind::Unary(op, x) => {
                let want = match op {
                    UnaryOp::Ineg | UnaryOp::Bnot => Want::Int,
                    _ => Want::Float,
                };
                self.operand(*x, want);
                if let Some(tx) = self.ty(*x) {
                    self.results(&[Want::Exactly(tx)]);
                }
            }
            InstKind::Icmp(_, x, y) | InstKind::Fcmp(_, x, y) => {
                let want = match kind {
                    InstKind::Icmp(..) => Want::Int,
                    _ => Want::Float,
                };
                self.operand(*x, want);
                if self.ty(*x) != self.ty(*y) {
                    self.error(format!("compares {x} and {y}, which differ in type"));
                }
                self.results(&[Want::Exactly(Type::I8)]);
            }
            InstKind::Convert(op, x) => self.convert(*op, *x),
            InstKind::Select(c, x, y) => {
                self.operand(*c, Want::Exactly(Type::I8));
                if self.ty(*x) != self.ty(*y) {
                    self.error(format!("chooses between {x} and {y}, which differ in type"));
                }
                if let Some(tx) = self.ty(*x) {
                    self.results(&[Want::Exactly(tx)]);
                }
            }
            InstKind::Call(callee, args) => self.call(*callee, args),
            InstKind::CallIndirect { code, args: _ } => {
                self.operand(*code, Want::Address);
                if self.inst.results.len() > 1 {
                    let n = self.inst.results.len();
                    self.error(format!("has {n} results, expected at most 1"));
                }
            }
            InstKind::FuncAddr(callee) => {
                self.in_range(|p| &p.funcs, callee.index(), callee);
                self.results(&[Want::Address]);
            }
            InstKind::CallRuntime { symbol, args, site } => self.call_runtime(symbol, args, *site),
            InstKind::CallExtern(e, args) => self.call_extern(*e, args),
            InstKind::GlobalLoad(g) => match self.global(*g) {
                Some(t) => self.results(&[Want::Exactly(t)]),
                None => self.results(&[Want::Any]),
            },
            InstKind::GlobalStore(g, v) => {
                if let Some(t) = self.global(*g) {
                    self.operand(*v, Want::Exactly(t));
                }
                self.no_results();
            }
            InstKind::GetField {
                ty,
                variant,
                index,
                obj,
            } => {
                self.operand(*obj, Want::Exactly(Type::Ptr));
                match self.field(*ty, *variant, *index) {
                    Some(Some(t)) => self.results(&[Want::Exactly(t)]),
                    Some(None) => self.error("reads a field of no machine type".into()),
                    None => self.results(&[Want::Any]),
                }
            }
            InstKind::SetField {
                ty,
                variant,
                index,
                obj,
                value,
            } => {
                self.operand(*obj, Want::Exactly(Type::Ptr));
                match self.field(*ty, *variant, *index) {
                    Some(Some(t)) => self.operand(*value, Want::Exactly(t)),
                    Some(None) => self.error("writes a field of no machine type".into()),
                    None => {}
                }
                self.no_results();
            }
            InstKind::Load { base, .. } => {
                self.operand(*base, Want::Address);
                self.results(&[Want::Any]);
            }
            InstKind::Store { base, .. } => {
                self.operand(*base, Want::Address);
                self.no_results();
            }
            InstKind::Retain(v) | InstKind::Release(v) => {
                self.operand(*v, Want::Exactly(Type::Ptr));
                self.no_results();
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, x: Value, y: Value) {
        use BinaryOp::*;
        let want = match op {
            Fadd | Fsub | Fmul | Fdiv | Fmin | Fmax => Want::Float,
            _ => Want::Int,
        };
        self.operand(x, want);
        let (Some(tx), Some(ty)) = (self.ty(x), self.ty(y)) else {
            return;
        };
        if widen(tx) != widen(ty) {
            self.error(format!("operands {x} and {y} differ in type"));
        }
        self.results(&[Want::SameAs(tx)]);
    }

    /// A conversion goes from the kind and width its operation names to the
    /// result's type.
    fn convert(&mut self, op: ConvertOp, x: Value) {
        use ConvertOp::*;
        let (from, to) = match op {
            Sext | Uext | Trunc => (Want::Int, Want::Int),
            FtoSsat | FtoUsat => (Want::Float, Want::Int),
            StoF | UtoF => (Want::Int, Want::Float),
            Fconv => (Want::Float, Want::Float),
            Bitcast => (Want::Int, Want::Int),
        };
        let Some(tx) = self.ty(x) else {
            return;
        };
        if op == Bitcast {
            self.results(&[Want::Bits(tx.bits())]);
            return;
        }
        self.operand(x, from);
        self.results(&[to]);
        let Some(tr) = self.inst.results.first().and_then(|&r| self.ty(r)) else {
            return;
        };
        let (a, b) = (widen(tx).bits(), widen(tr).bits());
        let ok = match op {
            Sext | Uext => b > a,
            Trunc => b < a,
            _ => true,
        };
        if !ok {
            self.error(format!("cannot convert {tx} to {tr}"));
        }
    }

    fn call(&mut self, callee: FuncRef, args: &[Value]) {
        let Some(p) = self.env.program else {
            return;
        };
        let Some(g) = p.funcs.get(callee.index()) else {
            self.error(format!("refers to missing {callee}"));
            return;
        };
        self.arguments(&callee.to_string(), args, &g.params, |want, have| {
            want == have
        });
        self.returns(g.ret);
    }

    fn call_extern(&mut self, e: ExternRef, args: &[Value]) {
        let Some(p) = self.env.program else {
            return;
        };
        let Some(ext) = p.externs.get(e.index()) else {
            self.error(format!("refers to missing {e}"));
            return;
        };
        self.arguments(&e.to_string(), args, &ext.params, |want, have| want == have);
        self.returns(ext.ret);
    }

    fn call_runtime(&mut self, symbol: &str, args: &[Value], site: bool) {
        let Some(s) = self.env.runtime.get(symbol) else {
            self.error(format!("of unknown runtime function `{symbol}`"));
            return;
        };
        if s.site != site {
            let does = if s.site { "takes" } else { "does not take" };
            self.error(format!("of `{symbol}`, which {does} a site"));
            return;
        }
        let skip = if s.site { 2 } else { 0 };
        let params: Vec<Type> = s
            .params
            .iter()
            .skip(skip)
            .map(|&a| Type::of_abi(a))
            .collect();
        self.arguments(&format!("`{symbol}`"), args, &params, |want, have| {
            Want::SameAs(want).accepts(have)
        });
        match s.ret.map(Type::of_abi) {
            Some(t) => self.results(&[Want::SameAs(t)]),
            None => self.no_results(),
        }
    }

    /// Checks a call's arguments against the callee's parameters: their number,
    /// and each type by `same(parameter, argument)`.
    fn arguments(
        &mut self,
        callee: &str,
        args: &[Value],
        params: &[Type],
        same: impl Fn(Type, Type) -> bool,
    ) {
        if args.len() != params.len() {
            self.error(format!(
                "of {callee} passes {}, it takes {}",
                count(args.len(), "argument"),
                params.len()
            ));
            return;
        }
        for (&a, &want) in args.iter().zip(params) {
            if let Some(t) = self.ty(a).filter(|&t| !same(want, t)) {
                self.error(format!("of {callee} passes {a}: {t} where it takes {want}"));
            }
        }
    }

    /// The type of global `g`, reporting a missing one.
    fn global(&mut self, g: GlobalRef) -> Option<Type> {
        let p = self.env.program?;
        match p.globals.get(g.index()) {
            Some(global) => Some(global.ty),
            None => {
                self.error(format!("refers to missing {g}"));
                None
            }
        }
    }

    /// The machine type of field `index` (of `variant`) of type `ty` (`Some(None)`
    /// for a field of unit type), reporting what does not exist; `None` when there
    /// is no such field or no program to look in.
    fn field(&mut self, ty: TypeRef, variant: Option<u32>, index: u32) -> Option<Option<Type>> {
        let p = self.env.program?;
        let Some(info) = p.types.get(ty.index()) else {
            self.error(format!("refers to missing {ty}"));
            return None;
        };
        let fields: Vec<TypeRef> = match (info, variant) {
            (TypeInfo::Enum { variants, .. }, Some(v)) => match variants.get(v as usize) {
                Some((_, _, fs)) => fs.iter().map(|(_, t)| *t).collect(),
                None => {
                    self.error(format!(
                        "of {ty}: it has {} variants, not {}",
                        variants.len(),
                        v + 1
                    ));
                    return None;
                }
            },
            (TypeInfo::Enum { .. }, None) => {
                self.error(format!("of enum {ty} names no variant"));
                return None;
            }
            (_, Some(_)) => {
                self.error(format!("names a variant of {ty}, which is not an enum"));
                return None;
            }
            (TypeInfo::Tuple(fs), None) => fs.clone(),
            (TypeInfo::Struct { fields, .. }, None) => fields.iter().map(|(_, t)| *t).collect(),
            (TypeInfo::Closure { captures, .. }, None) => captures.clone(),
            (TypeInfo::Generator { params, .. }, None) => params.clone(),
            (_, None) => {
                self.error(format!("of {ty}, which has no fields"));
                return None;
            }
        };
        let Some(field) = fields.get(index as usize) else {
            self.error(format!(
                "of {ty}: it has {} fields, not {}",
                fields.len(),
                index + 1
            ));
            return None;
        };
        match p.types.get(field.index()) {
            Some(info) => Some(machine_type(info)),
            None => {
                self.error(format!("of {ty}: its field {index} is of missing {field}"));
                None
            }
        }
    }
}

/// `1 result`, `2 results`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The machine type of a value of a type with a descriptor (`None`: unit).
fn machine_type(info: &TypeInfo) -> Option<Type> {
    let TypeInfo::Scalar(k) = info else {
        return Some(Type::Ptr);
    };
    Some(match TypeKind::from_u32(*k)? {
        TypeKind::Unit => return None,
        TypeKind::Bool | TypeKind::I8 | TypeKind::U8 => Type::I8,
        TypeKind::I16 | TypeKind::U16 => Type::I16,
        TypeKind::Char | TypeKind::I32 | TypeKind::U32 => Type::I32,
        TypeKind::I64 | TypeKind::U64 => Type::I64,
        TypeKind::F32 => Type::F32,
        TypeKind::F64 => Type::F64,
        _ => Type::Ptr,
    })
}
