//! Expressions: literals typed by context, names, operators, assignment, casts,
//! calls, control flow and string interpolation.
//!
//! `expr(e, expected)` checks `e` with an optional expected type. The expectation
//! only guides literals and blocks (so `let x: float = 2` and `y * 2` with `y: float`
//! type-check); whether the result fits is decided by the caller with
//! `expect_fits`, so each mismatch is reported once, where it is noticed.

use super::{Callee, Checker, LoopCx};
use crate::hir::{Const, ExprId, ExprKind, IfBranch, IfCond, InterpPart, RangeLoop};
use crate::ty::{IntTy, Ty};
use kiln_runtime::format::{FormatSpec, Kind};
use kiln_syntax::ast::{self, BinOp, Condition, ExprKind as Ast, StrPart, UnaryOp};
use kiln_syntax::Span;
use std::collections::HashMap;

/// Whether an expression is made only of number literals, so that its type should
/// come from the other operand.
fn is_literal_like(e: &ast::Expr) -> bool {
    match &e.kind {
        Ast::Int(_) | Ast::Float(_) => true,
        Ast::Unary {
            op: UnaryOp::Neg,
            operand,
        } => is_literal_like(operand),
        Ast::Binary { op, lhs, rhs } if !op.is_comparison() => {
            is_literal_like(lhs) && is_literal_like(rhs)
        }
        _ => false,
    }
}

impl Checker {
    pub(crate) fn expr(&mut self, e: &ast::Expr, expected: Option<Ty>) -> ExprId {
        let span = e.span;
        // What inference knows of the expectation; an unknown one guides nothing.
        let expected = expected
            .map(|t| self.resolve(t))
            .filter(|t| !matches!(t, Ty::Infer(_)));
        match &e.kind {
            Ast::Int(n) => self.int_literal(*n, false, expected, span),
            Ast::Float(x) => self.float_literal(*x, expected, span),
            Ast::Bool(b) => self.push_expr(ExprKind::Const(Const::Bool(*b)), Ty::Bool, span),
            Ast::Char(c) => self.push_expr(ExprKind::Const(Const::Char(*c)), Ty::Char, span),
            Ast::Unit => self.push_expr(ExprKind::Const(Const::Unit), Ty::Unit, span),
            Ast::Str(parts) => self.string(parts, span),
            Ast::Name(ident) if ident.name == "None" && !self.is_local_name("None") => {
                self.builtin_variant("None", None, expected, span)
            }
            Ast::Name(ident) => self.name(ident),
            Ast::Unary { op, operand } => self.unary(*op, operand, expected, span),
            Ast::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, expected, span),
            Ast::Assign { op, target, value } => self.assign(*op, target, value, span),
            Ast::Cast { value, ty } => self.cast(value, ty, span),
            Ast::Call { callee, args } => self.call(callee, args, expected, span),
            Ast::MethodCall {
                receiver,
                method,
                args,
            } => self.method_call(receiver, method, args, span),
            Ast::Block(b) => self.check_block(b, expected),
            Ast::If {
                branches,
                otherwise,
            } => self.if_chain(branches, otherwise.as_ref(), expected, span),
            Ast::While { cond, body } => self.while_expr(cond, body, span),
            Ast::Loop(body) => self.loop_expr(body, span),
            Ast::For {
                pattern,
                iter,
                body,
            } => self.for_expr(pattern, iter, body, span),
            Ast::Break(value) => self.break_expr(value.as_deref(), span),
            Ast::Continue => self.continue_expr(span),
            Ast::Return(value) => self.return_expr(value.as_deref(), span),
            Ast::Tuple(items) => self.tuple_literal(items, expected, span),
            Ast::TupleField {
                base,
                index,
                index_span,
            } => self.tuple_field(base, *index, *index_span, span),
            Ast::Array(items) => self.array_literal(items, expected, span),
            Ast::ArrayRepeat { value, count } => self.array_repeat(value, count, expected, span),
            Ast::Map(entries) => self.map_literal(entries, expected, span),
            Ast::Index { base, index } => self.index(base, index, span),
            Ast::Range { .. } => {
                self.unsupported_expr(span, "ranges outside `for` loops and slices")
            }
            Ast::Field { base, name } => self.field(base, name, span),
            Ast::Try(value) => self.try_expr(value, span),
            Ast::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, expected, span),
            Ast::Closure { params, ret, body } => {
                self.closure(params, ret.as_ref(), body, expected, span)
            }
            Ast::Yield(value) => self.yield_expr(value.as_deref(), span),
            Ast::Error => self.error_expr(span),
        }
    }

    /// An expression whose type is unknown because of an error already reported.
    pub(crate) fn error_expr(&mut self, span: Span) -> ExprId {
        self.push_expr(ExprKind::Const(Const::Unit), Ty::Error, span)
    }

    pub(crate) fn unsupported_expr(&mut self, span: Span, what: &str) -> ExprId {
        self.unsupported(span, what);
        self.error_expr(span)
    }

    /// Checks `e` and reports when its type does not fit `ty`.
    pub(crate) fn expect_expr(&mut self, e: &ast::Expr, ty: Ty) -> ExprId {
        let id = self.expr(e, Some(ty));
        self.expect_fits(id, ty, e.span);
        id
    }

    // ---- literals --------------------------------------------------------------

    fn int_literal(
        &mut self,
        magnitude: u64,
        negative: bool,
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let value = if negative {
            -(magnitude as i128)
        } else {
            magnitude as i128
        };
        let int = match expected {
            Some(Ty::Float(f)) => {
                return self.push_expr(
                    ExprKind::Const(Const::Float(value as f64)),
                    Ty::Float(f),
                    span,
                )
            }
            Some(Ty::Int(t)) => t,
            _ => IntTy::I64,
        };
        if value < int.min() || value > int.max() {
            self.error_with_label(
                span,
                format!("the literal {value} does not fit in {}", Ty::Int(int)),
                format!("{} holds {}..={}", Ty::Int(int), int.min(), int.max()),
            );
            return self.push_expr(ExprKind::Const(Const::Int(0)), Ty::Int(int), span);
        }
        self.push_expr(
            ExprKind::Const(Const::Int(value as i64)),
            Ty::Int(int),
            span,
        )
    }

    fn float_literal(&mut self, x: f64, expected: Option<Ty>, span: Span) -> ExprId {
        let ty = match expected {
            Some(Ty::Float(f)) => Ty::Float(f),
            _ => Ty::FLOAT,
        };
        self.push_expr(ExprKind::Const(Const::Float(x)), ty, span)
    }

    fn string(&mut self, parts: &[StrPart], span: Span) -> ExprId {
        if parts.iter().all(|p| matches!(p, StrPart::Text(_))) {
            let text: String = parts
                .iter()
                .map(|p| match p {
                    StrPart::Text(t) => t.as_str(),
                    StrPart::Interp { .. } => "",
                })
                .collect();
            return self.push_expr(ExprKind::Const(Const::Str(text)), Ty::Str, span);
        }
        let mut out = Vec::new();
        for part in parts {
            match part {
                StrPart::Text(t) => out.push(InterpPart::Text(t.clone())),
                StrPart::Interp { expr, spec, span } => {
                    let id = self.expr(expr, None);
                    let ty = self.ty_of(id);
                    self.check_printable(ty, expr.span);
                    if let Some(spec) = spec {
                        self.check_spec(spec, ty, *span);
                    }
                    out.push(InterpPart::Value {
                        expr: id,
                        spec: spec.clone(),
                    });
                }
            }
        }
        self.push_expr(ExprKind::Interp(out), Ty::Str, span)
    }

    pub(crate) fn check_printable(&mut self, ty: Ty, span: Span) {
        if ty == Ty::Never {
            self.error(span, "this expression never produces a value to print");
        }
    }

    fn check_spec(&mut self, spec: &str, ty: Ty, span: Span) {
        let parsed = match FormatSpec::parse(spec) {
            Ok(p) => p,
            Err(why) => {
                self.error_with_label(span, format!("invalid format spec `{spec}`: {why}"), why);
                return;
            }
        };
        let fits = match parsed.kind {
            Kind::LowerHex | Kind::UpperHex | Kind::Binary | Kind::Octal => ty.is_int(),
            Kind::LowerExp | Kind::UpperExp => ty.is_numeric(),
            Kind::Display | Kind::Debug => true,
        };
        if !fits && !ty.is_error() {
            self.error(
                span,
                format!("the format spec `{spec}` does not apply to {ty}"),
            );
        }
    }

    // ---- names -----------------------------------------------------------------

    fn name(&mut self, ident: &ast::Ident) -> ExprId {
        let span = ident.span;
        if let Some(local) = self.find_local(&ident.name) {
            let ty = self.cx.locals[local.index()].ty;
            return self.push_expr(ExprKind::Local(local), ty, span);
        }
        if let Some(&global) = self.cx.globals.get(&ident.name) {
            let ty = self.state.program.globals[global.index()].ty;
            if !self.cx.is_main {
                self.state.program.globals[global.index()].from_functions = true;
            }
            return self.push_expr(ExprKind::Global(global), ty, span);
        }
        if let Some((c, ty)) = super::builtins::constant(&ident.name) {
            return self.push_expr(ExprKind::Const(c), ty, span);
        }
        if self.state.names.funcs.contains_key(&ident.name) {
            return self.func_value(ident);
        }
        if super::builtins::is_builtin_fn(&ident.name) {
            self.error(
                span,
                format!(
                    "`{}` is a built-in function: call it with `(...)`",
                    ident.name
                ),
            );
            return self.error_expr(span);
        }
        self.undefined(ident)
    }

    fn undefined(&mut self, ident: &ast::Ident) -> ExprId {
        self.error_with_label(
            ident.span,
            format!("cannot find `{}` in this scope", ident.name),
            "not found",
        );
        self.error_expr(ident.span)
    }

    // ---- operators -------------------------------------------------------------

    fn unary(
        &mut self,
        op: UnaryOp,
        operand: &ast::Expr,
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        if op == UnaryOp::Neg {
            match &operand.kind {
                Ast::Int(n) => return self.int_literal(*n, true, expected, span),
                Ast::Float(x) => return self.float_literal(-x, expected, span),
                _ => {}
            }
        }
        let hint = expected.filter(|t| t.is_numeric() || *t == Ty::Bool);
        let value = self.expr(operand, hint);
        let ty = self.ty_of(value);
        let ok = match op {
            UnaryOp::Neg => matches!(ty, Ty::Int(i) if i.signed()) || ty.is_float(),
            UnaryOp::Not => ty == Ty::Bool,
            UnaryOp::BitNot => ty.is_int(),
        };
        if !ok && !matches!(ty, Ty::Error | Ty::Never) {
            let sym = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Not => "!",
                UnaryOp::BitNot => "~",
            };
            self.error_with_label(
                span,
                format!("no operator `{sym}` for {ty}"),
                format!("this is {ty}"),
            );
            return self.error_expr(span);
        }
        self.push_expr(ExprKind::Unary { op, operand: value }, ty, span)
    }

    fn binary(
        &mut self,
        op: BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        if matches!(op, BinOp::And | BinOp::Or) {
            let l = self.expect_expr(lhs, Ty::Bool);
            let r = self.expect_expr(rhs, Ty::Bool);
            let and = op == BinOp::And;
            return self.push_expr(
                ExprKind::Logical {
                    and,
                    lhs: l,
                    rhs: r,
                },
                Ty::Bool,
                span,
            );
        }
        let hint = if op.is_comparison() {
            None
        } else {
            expected.filter(|t| t.is_numeric())
        };
        let shift = matches!(op, BinOp::Shl | BinOp::Shr);
        let (l, r) = if is_literal_like(lhs) && !is_literal_like(rhs) && !shift {
            let r = self.expr(rhs, hint);
            let l = self.expr(lhs, Some(self.ty_of(r)));
            (l, r)
        } else {
            let l = self.expr(lhs, hint);
            let rhs_hint = if shift && !is_literal_like(rhs) {
                None
            } else {
                Some(self.ty_of(l))
            };
            let r = self.expr(rhs, rhs_hint);
            (l, r)
        };
        self.binary_typed(op, l, r, span)
    }

    /// Types `l op r` whose operands are already checked.
    pub(crate) fn binary_typed(&mut self, op: BinOp, l: ExprId, r: ExprId, span: Span) -> ExprId {
        let (lt, rt) = (self.ty_of(l), self.ty_of(r));
        // An operand of unknown type takes the other's (`|x| x + k`).
        let shift = matches!(op, BinOp::Shl | BinOp::Shr);
        if !shift && (lt.contains_infer() || rt.contains_infer()) {
            self.unify(lt, rt);
        }
        let (lt, rt) = (self.ty_of(l), self.ty_of(r));
        let result = if op.is_comparison() { Ty::Bool } else { lt };
        if lt.is_error() || rt.is_error() {
            return self.push_expr(ExprKind::Binary { op, lhs: l, rhs: r }, result, span);
        }
        let ok = match op {
            BinOp::Shl | BinOp::Shr => lt.is_int() && rt.is_int(),
            _ if lt != rt => false,
            BinOp::Add => {
                lt.is_numeric()
                    || lt == Ty::Str
                    || matches!(lt.heap(), Some(crate::ty::HeapTy::Array(_)))
            }
            BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => lt.is_numeric(),
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => lt.is_int() || lt == Ty::Bool,
            BinOp::Eq | BinOp::Ne => lt.has_equality(),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => lt.has_order(),
            BinOp::And | BinOp::Or => lt == Ty::Bool,
        };
        if !ok {
            let mut d = kiln_syntax::Diagnostic::error(
                span,
                format!("no operator `{}` for {lt} and {rt}", op.as_str()),
            )
            .with_label(format!("{lt} {} {rt}", op.as_str()));
            if lt.is_numeric() && rt.is_numeric() {
                d = d.with_note("numbers never convert implicitly: convert one side with `as`");
            }
            self.diags.push(d);
            return self.error_expr(span);
        }
        self.push_expr(ExprKind::Binary { op, lhs: l, rhs: r }, result, span)
    }

    fn assign(
        &mut self,
        op: Option<BinOp>,
        target: &ast::Expr,
        value: &ast::Expr,
        span: Span,
    ) -> ExprId {
        let ident = match &target.kind {
            Ast::Name(ident) => ident,
            Ast::Field { .. } | Ast::Index { .. } => {
                return self.assign_place(op, target, value, span);
            }
            Ast::TupleField { .. } => {
                self.error_with_label(
                    target.span,
                    "cannot assign to an element of a tuple",
                    "tuples are immutable values",
                );
                return self.error_expr(span);
            }
            _ => {
                self.error_with_label(
                    target.span,
                    "cannot assign to this expression",
                    "not a variable",
                );
                return self.error_expr(span);
            }
        };
        let read = self.name(ident);
        let (ty, mutable) = match self.cx.exprs[read.index()].kind {
            ExprKind::Local(l) => (
                self.cx.locals[l.index()].ty,
                self.cx.locals[l.index()].mutable,
            ),
            ExprKind::Global(g) => (
                self.state.program.globals[g.index()].ty,
                self.state.program.globals[g.index()].mutable,
            ),
            _ => return self.error_expr(span),
        };
        if !mutable {
            self.diags.push(
                kiln_syntax::Diagnostic::error(
                    target.span,
                    format!("cannot assign to `{}`: it is not mutable", ident.name),
                )
                .with_label("assigned here")
                .with_note(format!(
                    "declare it with `var {}` to make it mutable",
                    ident.name
                )),
            );
        }
        let new_value = match op {
            None => self.expect_expr(value, ty),
            Some(op) => {
                let shift = matches!(op, BinOp::Shl | BinOp::Shr);
                let hint = (!shift || is_literal_like(value)).then_some(ty);
                let r = self.expr(value, hint);
                let combined = self.binary_typed(op, read, r, span);
                self.expect_fits(combined, ty, value.span);
                combined
            }
        };
        let kind = match self.cx.exprs[read.index()].kind {
            ExprKind::Local(local) => ExprKind::SetLocal {
                local,
                value: new_value,
            },
            ExprKind::Global(global) => ExprKind::SetGlobal {
                declares: false,
                global,
                value: new_value,
            },
            _ => return self.error_expr(span),
        };
        self.push_expr(kind, Ty::Unit, span)
    }

    fn cast(&mut self, value: &ast::Expr, ty: &ast::TypeExpr, span: Span) -> ExprId {
        let to = self.resolve_type(ty);
        let v = self.expr(value, None);
        let from = self.ty_of(v);
        let ok = from == to
            || matches!(
                (from, to),
                (Ty::Int(_) | Ty::Float(_), Ty::Int(_) | Ty::Float(_))
                    | (Ty::Char, Ty::Int(_))
                    | (Ty::Int(_), Ty::Char)
                    | (Ty::Bool, Ty::Int(_))
                    | (Ty::Error | Ty::Never, _)
                    | (_, Ty::Error)
            );
        if !ok {
            self.error_with_label(
                span,
                format!("cannot convert {from} to {to} with `as`"),
                format!("this is {from}"),
            );
            return self.error_expr(span);
        }
        self.push_expr(ExprKind::Cast { value: v }, to, span)
    }

    // ---- calls -----------------------------------------------------------------

    fn call(
        &mut self,
        callee: &ast::Expr,
        args: &[ast::Arg],
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let Ast::Name(ident) = &callee.kind else {
            return self.call_value(callee, args, span);
        };
        if self.is_local_name(&ident.name) || self.cx.globals.contains_key(&ident.name) {
            return self.call_value(callee, args, span);
        }
        if matches!(ident.name.as_str(), "Some" | "Ok" | "Err" | "None") {
            return self.builtin_variant(&ident.name, Some(args), expected, span);
        }
        if let Some(super::heap::TypeName::Adt(index)) = self.type_name(&ident.name) {
            return self.construct_struct(index, args, expected, span);
        }
        match self.state.names.funcs.get(&ident.name).copied() {
            Some(callee) => self.call_callee(&ident.name, callee, args, expected, span),
            None => match self.builtin_call(&ident.name, args, span) {
                Some(id) => id,
                None => {
                    self.failed_call_args(args);
                    self.undefined(ident)
                }
            },
        }
    }

    /// A call of a declared function or extern, found by its `name`.
    pub(crate) fn call_callee(
        &mut self,
        name: &str,
        callee: Callee,
        args: &[ast::Arg],
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        match callee {
            Callee::Func(func) if self.state.sigs[func.index()].generic.is_some() => {
                self.generic_call(func, None, args, expected, span)
            }
            Callee::Func(func) => {
                let sig = self.state.sigs[func.index()].clone();
                let params: Vec<Ty> = sig.params.iter().map(|(_, t)| *t).collect();
                let args = self.call_args(name, &params, args, span);
                self.push_expr(ExprKind::Call { func, args }, sig.ret, span)
            }
            Callee::Extern(ext) => {
                let e = self.state.program.externs[ext.index()].clone();
                let args = self.call_args(name, &e.params, args, span);
                self.push_expr(ExprKind::CallExtern { ext, args }, e.ret, span)
            }
        }
    }

    /// Checks call arguments against parameter types.
    pub(crate) fn call_args(
        &mut self,
        name: &str,
        params: &[Ty],
        args: &[ast::Arg],
        span: Span,
    ) -> Vec<ExprId> {
        if params.len() != args.len() {
            let plural = if params.len() == 1 { "" } else { "s" };
            self.error_with_label(
                span,
                format!(
                    "`{name}` takes {} argument{plural} but {} were given",
                    params.len(),
                    args.len()
                ),
                "wrong number of arguments",
            );
        }
        // Closures are checked after the other arguments (as rustc does), so
        // their parameter types can come from what the others decided:
        // `twice(|x| x + 1, 5)` with `fn twice<T>(f: fn(T) -> T, x: T)`.
        let is_closure = |a: &ast::Arg| matches!(a.value.kind, Ast::Closure { .. });
        let mut out: Vec<Option<ExprId>> = vec![None; args.len()];
        for closures in [false, true] {
            for (i, arg) in args.iter().enumerate() {
                if is_closure(arg) != closures {
                    continue;
                }
                if let Some(label) = &arg.label {
                    self.error(
                        label.span,
                        "argument labels are only for constructing structs and variants",
                    );
                }
                out[i] = Some(match params.get(i) {
                    Some(&ty) => self.expect_expr(&arg.value, ty),
                    None => self.failed_call_arg(&arg.value),
                });
            }
        }
        out.into_iter().flatten().collect()
    }

    fn method_call(
        &mut self,
        receiver: &ast::Expr,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> ExprId {
        if let Ast::Name(ident) = &receiver.kind {
            match self.type_name(&ident.name) {
                Some(super::heap::TypeName::Adt(index)) => {
                    return self.static_call(index, method, args, span)
                }
                Some(super::heap::TypeName::Module(m)) => {
                    return self.module_call(m, receiver, method, args, span)
                }
                None => {}
            }
        }
        if let Some(index) = self.module_adt_path(receiver) {
            return self.static_call(index, method, args, span);
        }
        if let Ast::Range { .. } = receiver.kind {
            return self.unsupported_expr(span, "ranges outside `for` loops");
        }
        let recv = self.expr(receiver, None);
        if self.require_known(self.ty_of(recv), receiver.span, "to call a method on it") {
            self.failed_call_args(args);
            return self.error_expr(span);
        }
        let rty = self.ty_of(recv);
        if let Some(adt) = self.adt_of(rty) {
            let key = (adt.id, method.name.clone());
            if let Some(&func) = self.state.names.methods.get(&key) {
                return self.user_method(func, recv, method, args, span);
            }
        }
        self.method(recv, method, args, span)
    }

    /// `Type.function(args)` (a static function) or `Enum.Variant(args)`.
    fn static_call(
        &mut self,
        index: usize,
        name: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> ExprId {
        let type_name = self.state.program.adts[index].name.clone();
        let adt = self.state.program.adts[index].id;
        if let Some(&func) = self.state.names.methods.get(&(adt, name.name.clone())) {
            if self.takes_self(func) {
                self.error_with_label(
                    name.span,
                    format!(
                        "`{type_name}.{}` is a method: call it on a value",
                        name.name
                    ),
                    "needs a value for `self`",
                );
                return self.error_expr(span);
            }
            if self.state.sigs[func.index()].generic.is_some() {
                return self.generic_call(func, None, args, None, span);
            }
            let sig = self.state.sigs[func.index()].clone();
            let params: Vec<Ty> = sig.params.iter().map(|(_, t)| *t).collect();
            let args = self.call_args(&sig.name, &params, args, span);
            return self.push_expr(ExprKind::Call { func, args }, sig.ret, span);
        }
        self.variant_value(index, name, Some(args), None, span)
    }

    /// `value.method(args)` for a method declared in an `impl` block.
    fn user_method(
        &mut self,
        func: crate::hir::FuncId,
        recv: ExprId,
        name: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> ExprId {
        let sig = self.state.sigs[func.index()].clone();
        if !self.takes_self(func) {
            self.error_with_label(
                name.span,
                format!(
                    "`{}` has no `self`: call it as `{}(...)`",
                    sig.name, sig.name
                ),
                "a static function",
            );
            return self.error_expr(span);
        }
        if sig.generic.is_some() {
            return self.generic_call(func, Some(recv), args, None, span);
        }
        let params: Vec<Ty> = sig.params.iter().skip(1).map(|(_, t)| *t).collect();
        let mut ids = vec![recv];
        ids.extend(self.call_args(&sig.name, &params, args, span));
        self.push_expr(ExprKind::Call { func, args: ids }, sig.ret, span)
    }

    // ---- control flow ----------------------------------------------------------

    fn condition(&mut self, cond: &Condition) -> ExprId {
        match cond {
            Condition::Expr(e) => self.expect_expr(e, Ty::Bool),
            Condition::Let { pattern, .. } => {
                self.unsupported_expr(pattern.span, "`if let` and `while let`")
            }
        }
    }

    /// An `if` / `else if` chain, checked link by link in a loop. Without a final
    /// `else` every branch is a block whose value is discarded and the chain is
    /// `()`. With one, the branches are checked with the expected type (or else
    /// the type of the first branch that has one) and must agree; the chain has
    /// the type of its first branch that produces a value.
    fn if_chain(
        &mut self,
        branches: &[ast::IfBranch],
        otherwise: Option<&ast::Block>,
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let mut hint = if otherwise.is_some() {
            expected
        } else {
            Some(Ty::Unit)
        };
        let mut out = Vec::with_capacity(branches.len());
        for b in branches {
            let cond = match &b.cond {
                Condition::Expr(e) => IfCond::Bool(self.expect_expr(e, Ty::Bool)),
                Condition::Let { pattern, value } => {
                    let scrutinee = self.expr(value, None);
                    let sty = self.ty_of(scrutinee);
                    self.cx.scopes.push(HashMap::new());
                    let pat = self.top_pattern(pattern, sty);
                    IfCond::Let { scrutinee, pat }
                }
            };
            let then = self.check_block(&b.then, hint);
            if matches!(cond, IfCond::Let { .. }) {
                self.cx.scopes.pop();
            }
            let then_ty = self.ty_of(then);
            hint = hint.or(Some(then_ty).filter(|t| !matches!(t, Ty::Never | Ty::Error)));
            out.push(IfBranch { cond, then });
        }
        let Some(otherwise) = otherwise else {
            return self.push_expr(
                ExprKind::If {
                    branches: out,
                    otherwise: None,
                },
                Ty::Unit,
                span,
            );
        };
        let other = self.check_block(otherwise, hint);
        // From the last link back: each link's type is its branch's, or the rest
        // of the chain's when its branch never produces a value.
        let mut ty = self.ty_of(other);
        let mut rest_span = otherwise.span;
        for (b, ast_b) in out.iter().zip(branches).rev() {
            let then_ty = self.ty_of(b.then);
            let link_ty = if then_ty == Ty::Never { ty } else { then_ty };
            if !self.agree(ty, link_ty) && !then_ty.is_error() {
                self.error_with_label(
                    rest_span,
                    format!("`if` and `else` have different types: {then_ty} and {ty}"),
                    format!("this is {ty}"),
                );
            }
            ty = link_ty;
            rest_span = ast_b.if_span.to(span);
        }
        self.push_expr(
            ExprKind::If {
                branches: out,
                otherwise: Some(other),
            },
            ty,
            span,
        )
    }

    fn while_expr(&mut self, cond: &Condition, body: &ast::Block, span: Span) -> ExprId {
        if let Condition::Let { pattern, value } = cond {
            return self.while_let(pattern, value, body, span);
        }
        let cond = self.condition(cond);
        self.cx.loops.push(LoopCx {
            is_loop: false,
            break_ty: None,
        });
        let body = self.check_block(body, Some(Ty::Unit));
        self.cx.loops.pop();
        self.push_expr(ExprKind::While { cond, body }, Ty::Unit, span)
    }

    fn loop_expr(&mut self, body: &ast::Block, span: Span) -> ExprId {
        self.cx.loops.push(LoopCx {
            is_loop: true,
            break_ty: None,
        });
        let body = self.check_block(body, Some(Ty::Unit));
        let cx = self.cx.loops.pop();
        let ty = cx.and_then(|c| c.break_ty).unwrap_or(Ty::Never);
        self.push_expr(ExprKind::Loop { body }, ty, span)
    }

    fn for_expr(
        &mut self,
        pattern: &ast::Pattern,
        iter: &ast::Expr,
        body: &ast::Block,
        span: Span,
    ) -> ExprId {
        let Some(shape) = range_shape(iter) else {
            return self.for_each(pattern, iter, body, span);
        };
        let name = match &pattern.kind {
            ast::PatternKind::Binding(id) => id.name.clone(),
            ast::PatternKind::Wildcard | ast::PatternKind::Error => "_".to_string(),
            _ => return self.unsupported_expr(pattern.span, "patterns other than a name in `for`"),
        };
        let (lo, hi) = if is_literal_like(shape.lo) && !is_literal_like(shape.hi) {
            let hi = self.expr(shape.hi, None);
            let lo = self.expr(shape.lo, Some(self.ty_of(hi)));
            (lo, hi)
        } else {
            let lo = self.expr(shape.lo, None);
            let hi = self.expr(shape.hi, Some(self.ty_of(lo)));
            (lo, hi)
        };
        let ty = self.ty_of(lo);
        if !ty.is_int() && !ty.is_error() {
            self.error(
                shape.lo.span,
                format!("a range in `for` must be of integers, not {ty}"),
            );
        }
        self.expect_fits(hi, ty, shape.hi.span);
        let step = shape.step.map(|s| self.expect_expr(s, ty));
        self.cx.scopes.push(HashMap::new());
        let var = self.declare_local(&name, ty, false);
        self.cx.loops.push(LoopCx {
            is_loop: false,
            break_ty: None,
        });
        let body = self.check_block(body, Some(Ty::Unit));
        self.cx.loops.pop();
        self.cx.scopes.pop();
        let range = RangeLoop {
            var,
            lo,
            hi,
            inclusive: shape.inclusive,
            step,
            reverse: shape.reverse,
            reverse_stepped: shape.reverse_stepped,
        };
        self.push_expr(ExprKind::ForRange { range, body }, Ty::Unit, span)
    }

    fn break_expr(&mut self, value: Option<&ast::Expr>, span: Span) -> ExprId {
        let Some(cx) = self.cx.loops.last().cloned() else {
            self.error_with_label(span, "`break` outside of a loop", "not inside a loop");
            return self.error_expr(span);
        };
        let value = match value {
            Some(v) if !cx.is_loop => {
                self.error(v.span, "only `loop` can carry a value out with `break`");
                Some(self.expr(v, None))
            }
            Some(v) => {
                let id = self.expr(v, cx.break_ty);
                self.unify_break(id, v.span);
                Some(id)
            }
            None if cx.is_loop => {
                let unit = self.push_expr(ExprKind::Const(Const::Unit), Ty::Unit, span);
                self.unify_break(unit, span);
                None
            }
            None => None,
        };
        self.push_expr(ExprKind::Break(value), Ty::Never, span)
    }

    /// Records the type a `loop` produces from one of its `break`s.
    fn unify_break(&mut self, value: ExprId, span: Span) {
        let ty = self.ty_of(value);
        let Some(break_ty) = self.cx.loops.last().map(|cx| cx.break_ty) else {
            return;
        };
        match break_ty {
            None if ty != Ty::Never => {
                if let Some(cx) = self.cx.loops.last_mut() {
                    cx.break_ty = Some(ty);
                }
            }
            Some(want) if !want.is_error() && !self.agree(ty, want) => {
                self.error_with_label(
                    span,
                    format!("`break` values of one loop have different types: {want} and {ty}"),
                    format!("this is {ty}"),
                );
            }
            _ => {}
        }
    }

    fn continue_expr(&mut self, span: Span) -> ExprId {
        if self.cx.loops.is_empty() {
            self.error_with_label(span, "`continue` outside of a loop", "not inside a loop");
            return self.error_expr(span);
        }
        self.push_expr(ExprKind::Continue, Ty::Never, span)
    }

    fn return_expr(&mut self, value: Option<&ast::Expr>, span: Span) -> ExprId {
        let Some(ret) = self.cx.ret else {
            self.error_with_label(
                span,
                "`return` outside of a function",
                "top-level code cannot return",
            );
            return self.error_expr(span);
        };
        if self.cx.gen.is_some() {
            self.check_gen_return(value.is_some(), span);
            let value = value.map(|v| self.expr(v, None));
            return self.push_expr(ExprKind::Return(value), Ty::Never, span);
        }
        let value = match value {
            Some(v) => Some(self.expect_expr(v, ret)),
            None => {
                if !Ty::Unit.fits(ret) {
                    self.error_with_label(
                        span,
                        format!("mismatched types: expected {ret}, found ()"),
                        format!("this function returns {ret}"),
                    );
                }
                None
            }
        };
        self.push_expr(ExprKind::Return(value), Ty::Never, span)
    }
}

/// The parts of `lo..hi`, `(lo..hi).rev()`, `(lo..hi).step_by(k)` and their
/// combinations.
struct RangeShape<'a> {
    lo: &'a ast::Expr,
    hi: &'a ast::Expr,
    inclusive: bool,
    step: Option<&'a ast::Expr>,
    reverse: bool,
    reverse_stepped: bool,
}

fn range_shape(e: &ast::Expr) -> Option<RangeShape<'_>> {
    match &e.kind {
        Ast::Range {
            lo: Some(lo),
            hi: Some(hi),
            inclusive,
        } => Some(RangeShape {
            lo,
            hi,
            inclusive: *inclusive,
            step: None,
            reverse: false,
            reverse_stepped: false,
        }),
        Ast::MethodCall {
            receiver,
            method,
            args,
        } => {
            let mut shape = range_shape(receiver)?;
            match (method.name.as_str(), args.as_slice()) {
                ("rev", []) if shape.step.is_none() && !shape.reverse => shape.reverse = true,
                ("rev", []) if shape.step.is_some() && !shape.reverse_stepped && !shape.reverse => {
                    shape.reverse_stepped = true
                }
                ("step_by", [k]) if shape.step.is_none() && k.label.is_none() => {
                    shape.step = Some(&k.value)
                }
                _ => return None,
            }
            Some(shape)
        }
        _ => None,
    }
}
