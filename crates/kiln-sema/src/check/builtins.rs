//! Built-in functions (`println`, `panic`, `assert_eq`, ...), constants (`PI`,
//! `INT_MAX`, ...) and the methods of scalar types (`x.abs()`, `s.len()`).

use super::Checker;
use crate::hir::{Builtin, Const, ExprId, ExprKind, IoOp, Method};
use crate::ty::{intern, FloatTy, HeapTy, IntTy, Ty};
use kiln_syntax::ast;
use kiln_syntax::Span;

/// The built-in constants.
pub(crate) fn constant(name: &str) -> Option<(Const, Ty)> {
    Some(match name {
        "PI" => (Const::Float(std::f64::consts::PI), Ty::FLOAT),
        "E" => (Const::Float(std::f64::consts::E), Ty::FLOAT),
        "INF" => (Const::Float(f64::INFINITY), Ty::FLOAT),
        "NAN" => (Const::Float(f64::NAN), Ty::FLOAT),
        "INT_MAX" => (Const::Int(i64::MAX), Ty::INT),
        "INT_MIN" => (Const::Int(i64::MIN), Ty::INT),
        _ => return None,
    })
}

const BUILTIN_FNS: &[&str] = &[
    "print",
    "println",
    "eprintln",
    "panic",
    "assert",
    "assert_eq",
    "exit",
    "clock",
    "read_line",
    "read_file",
    "write_file",
    "args",
];

/// Built-ins of LANGUAGE.md that need types this version does not have.
const LATER_FNS: &[(&str, &str)] = &[];

pub(crate) fn is_builtin_fn(name: &str) -> bool {
    BUILTIN_FNS.contains(&name) || LATER_FNS.iter().any(|(n, _)| *n == name)
}

/// Array methods that take closures.
const CLOSURE_METHODS: &[&str] = &["map", "filter", "fold", "sort_by", "any", "all"];

fn float_fn(name: &str) -> Option<(&'static str, usize)> {
    Some(match name {
        "sin" => ("kiln_f64_sin", 0),
        "cos" => ("kiln_f64_cos", 0),
        "tan" => ("kiln_f64_tan", 0),
        "atan" => ("kiln_f64_atan", 0),
        "exp" => ("kiln_f64_exp", 0),
        "ln" => ("kiln_f64_ln", 0),
        "log10" => ("kiln_f64_log10", 0),
        "atan2" => ("kiln_f64_atan2", 1),
        "pow" => ("kiln_f64_pow", 1),
        _ => return None,
    })
}

impl Checker {
    /// Checks a call of a built-in function; `None` when `name` is not one.
    pub(crate) fn builtin_call(
        &mut self,
        name: &str,
        args: &[ast::Arg],
        span: Span,
    ) -> Option<ExprId> {
        if let Some((_, what)) = LATER_FNS.iter().find(|(n, _)| *n == name) {
            return Some(self.unsupported_expr(span, what));
        }
        if let Some(id) = self.io_call(name, args, span) {
            return Some(id);
        }
        let (op, ty) = match name {
            "print" => (
                Builtin::Print {
                    stream: 0,
                    newline: false,
                },
                Ty::Unit,
            ),
            "println" => (
                Builtin::Print {
                    stream: 0,
                    newline: true,
                },
                Ty::Unit,
            ),
            "eprintln" => (
                Builtin::Print {
                    stream: 1,
                    newline: true,
                },
                Ty::Unit,
            ),
            "panic" => (Builtin::Panic, Ty::Never),
            "assert" => (Builtin::Assert, Ty::Unit),
            "assert_eq" => (Builtin::AssertEq, Ty::Unit),
            "exit" => (Builtin::Exit, Ty::Never),
            "clock" => (Builtin::Clock, Ty::FLOAT),
            _ => return None,
        };
        let ids = match op {
            Builtin::Print { newline, .. } => {
                // `println()` prints an empty line; `print()` would print nothing.
                let min = if newline { 0 } else { 1 };
                self.arity(name, args, min, 1, span);
                let ids = self.free_args(args);
                for (&id, a) in ids.iter().zip(args) {
                    let t = self.ty_of(id);
                    self.check_printable(t, a.value.span);
                }
                ids
            }
            Builtin::Panic => self.call_args(name, &[Ty::Str], args, span),
            Builtin::Exit => self.call_args(name, &[Ty::INT], args, span),
            Builtin::Clock => self.call_args(name, &[], args, span),
            Builtin::Assert => {
                let params: &[Ty] = if args.len() == 2 {
                    &[Ty::Bool, Ty::Str]
                } else {
                    &[Ty::Bool]
                };
                self.call_args(name, params, args, span)
            }
            Builtin::AssertEq => self.assert_eq_args(args, span),
            _ => Vec::new(),
        };
        Some(self.push_expr(ExprKind::Builtin { op, args: ids }, ty, span))
    }

    fn arity(&mut self, name: &str, args: &[ast::Arg], min: usize, max: usize, span: Span) {
        if args.len() < min || args.len() > max {
            let want = if min == max {
                format!("{min}")
            } else {
                format!("{min} or {max}")
            };
            self.error_with_label(
                span,
                format!(
                    "`{name}` takes {want} argument(s) but {} were given",
                    args.len()
                ),
                "wrong number of arguments",
            );
        }
    }

    /// Checks arguments that may have any type.
    pub(crate) fn free_args(&mut self, args: &[ast::Arg]) -> Vec<ExprId> {
        args.iter().map(|a| self.expr(&a.value, None)).collect()
    }

    /// Checks the arguments of a call that is an error (reported, or to be
    /// reported by the caller), for mistakes of their own.
    pub(crate) fn failed_call_args(&mut self, args: &[ast::Arg]) -> Vec<ExprId> {
        args.iter()
            .map(|a| self.failed_call_arg(&a.value))
            .collect()
    }

    /// Checks an argument that no parameter receives, because its call is an
    /// error. What the call would have said about its types is unknown because
    /// of that error, so a type left to infer in it (a closure's parameter, an
    /// empty array) is poisoned from the start ([`Ty::Error`]) instead of being
    /// reported as unknown.
    pub(crate) fn failed_call_arg(&mut self, arg: &ast::Expr) -> ExprId {
        let outer = std::mem::replace(&mut self.in_failed_call, true);
        let id = self.expr(arg, None);
        self.in_failed_call = outer;
        id
    }

    fn assert_eq_args(&mut self, args: &[ast::Arg], span: Span) -> Vec<ExprId> {
        self.arity("assert_eq", args, 2, 2, span);
        let [a, b] = args else {
            return self.failed_call_args(args);
        };
        let l = self.expr(&a.value, None);
        let lt = self.ty_of(l);
        let r = self.expr(&b.value, Some(lt));
        self.expect_fits(r, lt, b.value.span);
        vec![l, r]
    }

    /// Checks `recv.name(args)` where `recv` is already checked.
    pub(crate) fn method(
        &mut self,
        recv: ExprId,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> ExprId {
        let ty = self.ty_of(recv);
        let name = method.name.as_str();
        if ty == Ty::Error {
            self.failed_call_args(args);
            return self.error_expr(span);
        }
        if ty == Ty::Never {
            self.free_args(args);
            return self.error_expr(span);
        }
        if let Some((m, params, ret)) = heap_method(ty, name) {
            let mut ids = vec![recv];
            ids.extend(self.call_args(name, &params, args, span));
            if matches!(m, Method::Sort | Method::ArrayMin | Method::ArrayMax) {
                let elem = params_elem(ty);
                if !elem.has_order() && !elem.contains_error() {
                    self.error(
                        method.span,
                        format!("`{name}` needs values that can be ordered, not {elem}"),
                    );
                }
            }
            return self.push_expr(
                ExprKind::MethodCall {
                    method: m,
                    args: ids,
                },
                ret,
                span,
            );
        }
        if let Some(elem) = Self::array_elem(ty).filter(|_| CLOSURE_METHODS.contains(&name)) {
            return self.closure_method(recv, elem, method, args, span);
        }
        let found = match ty {
            _ if name == "to_str" => Some((Builtin::ToStr, vec![], Ty::Str)),
            Ty::Int(i) => int_method(name, i),
            Ty::Float(f) => float_method(name, f),
            Ty::Str if name == "len" => Some((Builtin::StrLen, vec![], Ty::INT)),
            _ => None,
        };
        let Some((op, params, ret)) = found else {
            self.failed_call_args(args);
            self.error_with_label(
                method.span,
                format!("no method `{name}` on {ty}"),
                "unknown method",
            );
            return self.error_expr(span);
        };
        let mut ids = vec![recv];
        ids.extend(self.call_args(name, &params, args, span));
        self.push_expr(ExprKind::Builtin { op, args: ids }, ret, span)
    }
}

type ScalarMethod = Option<(Builtin, Vec<Ty>, Ty)>;

fn int_method(name: &str, i: IntTy) -> ScalarMethod {
    let t = Ty::Int(i);
    Some(match name {
        "abs" if i.signed() => (Builtin::Abs, vec![], t),
        "min" => (Builtin::Min, vec![t], t),
        "max" => (Builtin::Max, vec![t], t),
        "pow" => (Builtin::Pow, vec![Ty::INT], t),
        "wrapping_add" => (Builtin::WrappingAdd, vec![t], t),
        "wrapping_sub" => (Builtin::WrappingSub, vec![t], t),
        "wrapping_mul" => (Builtin::WrappingMul, vec![t], t),
        _ => return None,
    })
}

fn float_method(name: &str, f: FloatTy) -> ScalarMethod {
    let t = Ty::Float(f);
    Some(match name {
        "abs" => (Builtin::Abs, vec![], t),
        "min" => (Builtin::Min, vec![t], t),
        "max" => (Builtin::Max, vec![t], t),
        "sqrt" => (Builtin::Sqrt, vec![], t),
        "floor" => (Builtin::Floor, vec![], t),
        "ceil" => (Builtin::Ceil, vec![], t),
        "round" => (Builtin::Round, vec![], t),
        "is_nan" => (Builtin::IsNan, vec![], Ty::Bool),
        _ => {
            let (symbol, extra) = float_fn(name)?;
            (Builtin::FloatFn(symbol), vec![t; extra], t)
        }
    })
}

/// The element type of an array type (for error messages).
fn params_elem(ty: Ty) -> Ty {
    match ty.heap() {
        Some(HeapTy::Array(t)) => t,
        _ => Ty::Error,
    }
}

/// Methods of `str`, arrays, maps, options, results, tuples and structs:
/// the method, its parameter types (after the receiver) and its result type.
fn heap_method(ty: Ty, name: &str) -> Option<(Method, Vec<Ty>, Ty)> {
    use Method as M;
    let b = Ty::Bool;
    let opt = Ty::option;
    // A generator's frame has one owner: a copy would resume the same frame twice.
    if name == "clone" && ty.is_ref() && ty.as_gen().is_none() {
        return Some((M::Clone, vec![], ty));
    }
    Some(match (ty.heap(), name) {
        (None, _) if ty != Ty::Str => return None,
        (None, "len") => (M::Len, vec![], Ty::INT),
        (None, "is_empty") => (M::IsEmpty, vec![], b),
        (None, "chars") => (M::Chars, vec![], Ty::array(Ty::Char)),
        (None, "bytes") => (M::Bytes, vec![], Ty::array(Ty::Int(IntTy::U8))),
        (None, "contains") => (M::Contains, vec![Ty::Str], b),
        (None, "starts_with") => (M::StartsWith, vec![Ty::Str], b),
        (None, "ends_with") => (M::EndsWith, vec![Ty::Str], b),
        (None, "find") => (M::Find, vec![Ty::Str], opt(Ty::INT)),
        (None, "split") => (M::Split, vec![Ty::Str], Ty::array(Ty::Str)),
        (None, "lines") => (M::Lines, vec![], Ty::array(Ty::Str)),
        (None, "trim") => (M::Trim, vec![], Ty::Str),
        (None, "to_upper") => (M::ToUpper, vec![], Ty::Str),
        (None, "to_lower") => (M::ToLower, vec![], Ty::Str),
        (None, "replace") => (M::Replace, vec![Ty::Str, Ty::Str], Ty::Str),
        (None, "repeat") => (M::Repeat, vec![Ty::INT], Ty::Str),
        (None, "parse_int") => (M::ParseInt, vec![], opt(Ty::INT)),
        (None, "parse_float") => (M::ParseFloat, vec![], opt(Ty::FLOAT)),
        (Some(HeapTy::Array(t)), n) => match n {
            "len" => (M::Len, vec![], Ty::INT),
            "is_empty" => (M::IsEmpty, vec![], b),
            "push" => (M::Push, vec![t], Ty::Unit),
            "pop" => (M::Pop, vec![], opt(t)),
            "insert" => (M::Insert, vec![Ty::INT, t], Ty::Unit),
            "remove" => (M::Remove, vec![Ty::INT], t),
            "contains" => (M::Contains, vec![t], b),
            "index_of" => (M::IndexOf, vec![t], opt(Ty::INT)),
            "sort" => (M::Sort, vec![], Ty::Unit),
            "reverse" => (M::Reverse, vec![], Ty::Unit),
            "sum" if t.is_numeric() => (M::Sum, vec![], t),
            "min" => (M::ArrayMin, vec![], opt(t)),
            "max" => (M::ArrayMax, vec![], opt(t)),
            "enumerate" => (
                M::Enumerate,
                vec![],
                Ty::array(intern(HeapTy::Tuple(vec![Ty::INT, t]))),
            ),
            "extend" => (M::Extend, vec![ty], Ty::Unit),
            "clear" => (M::Clear, vec![], Ty::Unit),
            "join" if t == Ty::Str => (M::Join, vec![Ty::Str], Ty::Str),
            _ => return None,
        },
        (Some(HeapTy::Map(k, v)), n) => match n {
            "len" => (M::Len, vec![], Ty::INT),
            "is_empty" => (M::IsEmpty, vec![], b),
            "get" => (M::Get, vec![k], opt(v)),
            "contains_key" => (M::ContainsKey, vec![k], b),
            "remove" => (M::MapRemove, vec![k], opt(v)),
            "keys" => (M::Keys, vec![], Ty::array(k)),
            "values" => (M::Values, vec![], Ty::array(v)),
            "clear" => (M::Clear, vec![], Ty::Unit),
            _ => return None,
        },
        (Some(HeapTy::Option(t)), n) => match n {
            "unwrap" => (M::Unwrap, vec![], t),
            "unwrap_or" => (M::UnwrapOr, vec![t], t),
            "is_some" => (M::IsSome, vec![], b),
            "is_none" => (M::IsNone, vec![], b),
            _ => return None,
        },
        (Some(HeapTy::Gen(t)), "next") => (M::Next, vec![], opt(t)),
        (Some(HeapTy::Result(t, _)), n) => match n {
            "unwrap" => (M::Unwrap, vec![], t),
            "unwrap_or" => (M::UnwrapOr, vec![t], t),
            "is_ok" => (M::IsOk, vec![], b),
            "is_err" => (M::IsErr, vec![], b),
            _ => return None,
        },
        _ => return None,
    })
}

impl Checker {
    /// `read_line()`, `read_file(path)`, `write_file(path, text)`, `args()`.
    fn io_call(&mut self, name: &str, args: &[ast::Arg], span: Span) -> Option<ExprId> {
        let str_result = |ok: Ty| intern(HeapTy::Result(ok, Ty::Str));
        let (op, params, ret): (IoOp, Vec<Ty>, Ty) = match name {
            "read_line" => (IoOp::ReadLine, vec![], Ty::option(Ty::Str)),
            "read_file" => (IoOp::ReadFile, vec![Ty::Str], str_result(Ty::Str)),
            "write_file" => (
                IoOp::WriteFile,
                vec![Ty::Str, Ty::Str],
                str_result(Ty::Unit),
            ),
            "args" => (IoOp::Args, vec![], Ty::array(Ty::Str)),
            _ => return None,
        };
        let ids = self.call_args(name, &params, args, span);
        Some(self.push_expr(ExprKind::Io { op, args: ids }, ret, span))
    }
}
