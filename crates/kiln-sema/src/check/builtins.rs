//! Built-in functions (`println`, `panic`, `assert_eq`, ...), constants (`PI`,
//! `INT_MAX`, ...) and the methods of scalar types (`x.abs()`, `s.len()`).

use super::Checker;
use crate::hir::{Builtin, Const, ExprId, ExprKind};
use crate::ty::{FloatTy, IntTy, Ty};
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
];

/// Built-ins of LANGUAGE.md that need types this version does not have.
const LATER_FNS: &[(&str, &str)] = &[
    ("read_line", "`read_line` and `Option`"),
    ("read_file", "file functions and `Result`"),
    ("write_file", "file functions and `Result`"),
    ("args", "`args` and arrays"),
    ("Some", "`Option` values"),
    ("None", "`Option` values"),
    ("Ok", "`Result` values"),
    ("Err", "`Result` values"),
];

pub(crate) fn is_builtin_fn(name: &str) -> bool {
    BUILTIN_FNS.contains(&name) || LATER_FNS.iter().any(|(n, _)| *n == name)
}

/// Methods of LANGUAGE.md on `str` that need arrays or `Option`.
const LATER_STR_METHODS: &[&str] = &[
    "chars",
    "bytes",
    "contains",
    "starts_with",
    "ends_with",
    "find",
    "split",
    "lines",
    "trim",
    "to_upper",
    "to_lower",
    "replace",
    "repeat",
    "parse_int",
    "parse_float",
];

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
    fn free_args(&mut self, args: &[ast::Arg]) -> Vec<ExprId> {
        args.iter().map(|a| self.expr(&a.value, None)).collect()
    }

    fn assert_eq_args(&mut self, args: &[ast::Arg], span: Span) -> Vec<ExprId> {
        self.arity("assert_eq", args, 2, 2, span);
        let [a, b] = args else {
            return self.free_args(args);
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
        if matches!(ty, Ty::Error | Ty::Never) {
            self.free_args(args);
            return self.error_expr(span);
        }
        let found = match ty {
            _ if name == "to_str" => Some((Builtin::ToStr, vec![], Ty::Str)),
            Ty::Int(i) => int_method(name, i),
            Ty::Float(f) => float_method(name, f),
            Ty::Str if name == "len" => Some((Builtin::StrLen, vec![], Ty::INT)),
            Ty::Str if LATER_STR_METHODS.contains(&name) || name == "is_empty" => {
                self.free_args(args);
                return self.unsupported_expr(method.span, "string methods other than `len`");
            }
            _ => None,
        };
        let Some((op, params, ret)) = found else {
            self.free_args(args);
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

type Method = Option<(Builtin, Vec<Ty>, Ty)>;

fn int_method(name: &str, i: IntTy) -> Method {
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

fn float_method(name: &str, f: FloatTy) -> Method {
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
