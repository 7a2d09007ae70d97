//! Closures and function values: checking `|x| e` as a function of its own,
//! capturing the variables it uses from the bodies around it, named functions used
//! as values, calls of function values, and the array methods that take one.
//!
//! A closure body is checked with a fresh [`BodyCx`] while the enclosing bodies
//! wait on [`Checker::enclosing`]. A name the closure does not declare is looked
//! up outwards; when found in an enclosing body it is captured into every closure
//! between there and here, each getting a local of its own that receives the
//! value. Capture is by variable: a captured `var` is marked `boxed`, so it lives
//! in a cell that the enclosing body and every closure share.

use super::{BodyCx, Callee, Checker};
use crate::hir::{ExprId, ExprKind, LocalId, Method};
use crate::ty::{HeapTy, Ty};
use kiln_syntax::ast;
use kiln_syntax::Span;
use std::collections::HashMap;

impl Checker {
    /// `|params| body`, with parameter types from annotations or from the expected
    /// function type (`hint`).
    pub(crate) fn closure(
        &mut self,
        params: &[ast::Param],
        ret: Option<&ast::TypeExpr>,
        body: &ast::Expr,
        hint: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let hint = hint.and_then(|t| t.as_func());
        let hint = hint.filter(|(ps, _)| ps.len() == params.len());
        let mut param_tys = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let ty = match &p.ty {
                Some(t) => self.resolve_type(t),
                None => match &hint {
                    Some((ps, _)) if !ps[i].contains_error() => ps[i],
                    // Known from how the parameter is used, or an error when the
                    // body ends.
                    _ => self.fresh_var(p.span, "|x: int| ..."),
                },
            };
            param_tys.push((p.name.name.clone(), ty));
        }
        let declared_ret = match ret {
            Some(t) => Some(self.resolve_type(t)),
            None => hint
                .as_ref()
                .map(|(_, r)| *r)
                .filter(|r| !r.contains_error()),
        };
        // Without a declared result type, `return` inside the body and the body's
        // value decide it together.
        let ret_ty = match declared_ret {
            Some(r) => r,
            None => self.fresh_var(span, "|x: int| -> int { ... }"),
        };
        let globals = self.cx.globals.clone();
        // The id first, so calls inside the body can say where they are; the
        // signature is filled in when the body is done.
        let func = self.new_func_id("<closure>", Vec::new(), Ty::Unit, span);
        let outer = std::mem::replace(
            &mut self.cx,
            BodyCx {
                ret: Some(ret_ty),
                scopes: vec![HashMap::new()],
                globals,
                is_closure: true,
                closure_id: Some(func),
                ..BodyCx::default()
            },
        );
        self.enclosing.push(outer);
        let mut locals = Vec::new();
        for (name, ty) in &param_tys {
            locals.push(self.declare_local(name, *ty, false));
        }
        let body_id = self.expr(body, declared_ret);
        let at = self.value_span(body_id);
        if self.ty_of(body_id) == Ty::Never && self.is_unknown(ret_ty) {
            // `|| panic("...")`: the closure returns nothing.
            self.unify(ret_ty, Ty::Unit);
        } else {
            self.expect_fits(body_id, ret_ty, at);
        }
        let ret_ty = self.resolve(ret_ty);
        let captures: Vec<LocalId> = self.cx.captures.iter().map(|&(_, outer)| outer).collect();
        self.state.sigs[func.index()].params = param_tys.clone();
        self.state.sigs[func.index()].ret = ret_ty;
        let f = self.finish_body("<closure>", locals, ret_ty, body_id, span);
        self.cx = self.enclosing.pop().expect("pushed above");
        self.bodies.insert(func, f);
        self.vars.closures.push(func);
        let ty = Ty::func(param_tys.into_iter().map(|(_, t)| t).collect(), ret_ty);
        self.push_expr(ExprKind::Closure { func, captures }, ty, span)
    }

    /// Finds a local by name in the current body or, inside a closure, in the
    /// bodies around it, capturing it on the way in.
    pub(crate) fn find_local(&mut self, name: &str) -> Option<LocalId> {
        if let Some(l) = self.lookup_local(name) {
            return Some(l);
        }
        if !self.cx.is_closure {
            return None;
        }
        // The innermost enclosing body that declares the name; the search stops at
        // the first body that is not a closure (a named function sees no locals
        // of other bodies).
        let depth = self.enclosing.len();
        let mut found = None;
        for level in (0..depth).rev() {
            let cx = &self.enclosing[level];
            if let Some(l) = cx.scopes.iter().rev().find_map(|s| s.get(name).copied()) {
                found = Some((level, l));
                break;
            }
            if !cx.is_closure {
                break;
            }
        }
        let (level, mut outer) = found?;
        // Capture by variable: a mutable local becomes a shared cell.
        let local = &mut self.enclosing[level].locals[outer.index()];
        local.boxed |= local.mutable;
        for inner_level in level + 1..=depth {
            let source = self.enclosing[inner_level - 1].locals[outer.index()].clone();
            let cx = if inner_level == depth {
                &mut self.cx
            } else {
                &mut self.enclosing[inner_level]
            };
            cx.locals.push(crate::hir::Local {
                name: source.name.clone(),
                ty: source.ty,
                mutable: source.mutable,
                boxed: source.mutable,
            });
            let inner = LocalId(cx.locals.len() as u32 - 1);
            cx.scopes[0].insert(source.name, inner);
            cx.captures.push((inner, outer));
            outer = inner;
        }
        Some(outer)
    }

    /// Whether `name` is a local here or in a body a closure can capture from.
    pub(crate) fn is_local_name(&self, name: &str) -> bool {
        if self.lookup_local(name).is_some() {
            return true;
        }
        if !self.cx.is_closure {
            return false;
        }
        for cx in self.enclosing.iter().rev() {
            if cx.scopes.iter().any(|s| s.contains_key(name)) {
                return true;
            }
            if !cx.is_closure {
                break;
            }
        }
        false
    }

    /// A named function used as a value.
    pub(crate) fn func_value(&mut self, name: &ast::Ident) -> ExprId {
        match self.state.names.funcs.get(&name.name).copied() {
            Some(Callee::Func(func)) if self.state.sigs[func.index()].generic.is_some() => {
                self.generic_value(func, name.span)
            }
            Some(Callee::Func(func)) => {
                let sig = self.state.sigs[func.index()].clone();
                let ty = Ty::func(sig.params.iter().map(|(_, t)| *t).collect(), sig.ret);
                self.push_expr(ExprKind::FuncValue(func), ty, name.span)
            }
            _ => {
                self.error_with_label(
                    name.span,
                    format!(
                        "the extern function `{}` cannot be used as a value",
                        name.name
                    ),
                    "call it instead",
                );
                self.error_expr(name.span)
            }
        }
    }

    /// `f(args)` where `f` is any expression of function type.
    pub(crate) fn call_value(
        &mut self,
        callee: &ast::Expr,
        args: &[ast::Arg],
        span: Span,
    ) -> ExprId {
        let f = self.expr(callee, None);
        let fty = self.ty_of(f);
        let Some((params, ret)) = fty.as_func() else {
            self.failed_call_args(args);
            if fty.contains_error() {
                return self.error_expr(span);
            }
            self.error_with_label(
                callee.span,
                format!("this is not a function: it is {fty}"),
                "called here",
            );
            return self.error_expr(span);
        };
        let args = self.call_args("this function", &params, args, span);
        self.push_expr(ExprKind::CallValue { callee: f, args }, ret, span)
    }

    /// The array methods that take a function: `map`, `filter`, `fold`, `any`,
    /// `all`, `sort_by`. The function argument is checked last, with its parameter
    /// types known from the array (and from `fold`'s initial value).
    pub(crate) fn closure_method(
        &mut self,
        recv: ExprId,
        elem: Ty,
        method: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> ExprId {
        let name = method.name.as_str();
        let arity = if name == "fold" { 2 } else { 1 };
        if args.len() != arity {
            let plural = if arity == 1 { "" } else { "s" };
            self.error_with_label(
                span,
                format!(
                    "`{name}` takes {arity} argument{plural} but {} were given",
                    args.len()
                ),
                "wrong number of arguments",
            );
            self.failed_call_args(args);
            return self.error_expr(span);
        }
        let mut ids = vec![recv];
        let (m, hint, result): (Method, Ty, Option<Ty>) = match name {
            "map" => {
                let result = self.fresh_var(span, "|x: int| -> int { ... }");
                (Method::Map, Ty::func(vec![elem], result), None)
            }
            "filter" => (
                Method::Filter,
                Ty::func(vec![elem], Ty::Bool),
                Some(self.ty_of(recv)),
            ),
            "any" => (Method::Any, Ty::func(vec![elem], Ty::Bool), Some(Ty::Bool)),
            "all" => (Method::All, Ty::func(vec![elem], Ty::Bool), Some(Ty::Bool)),
            "sort_by" => (
                Method::SortBy,
                Ty::func(vec![elem, elem], Ty::Bool),
                Some(Ty::Unit),
            ),
            _ => {
                let init = self.expr(&args[0].value, None);
                let acc = self.ty_of(init);
                ids.push(init);
                (Method::Fold, Ty::func(vec![acc, elem], acc), Some(acc))
            }
        };
        let f_arg = &args[arity - 1].value;
        let f = self.expr(f_arg, Some(hint));
        let fty = self.ty_of(f);
        ids.push(f);
        let Some((ps, r)) = fty.as_func() else {
            if !fty.contains_error() {
                self.error_with_label(
                    f_arg.span,
                    format!("`{name}` needs a function, found {fty}"),
                    "not a function",
                );
            }
            return self.error_expr(span);
        };
        let (want_ps, want_r) = hint.as_func().expect("made above");
        let params_fit = ps.len() == want_ps.len()
            && ps
                .iter()
                .zip(&want_ps)
                .all(|(p, w)| w.fits(*p) || self.unify(*p, *w));
        let ret_fits = self.agree(r, want_r);
        if !params_fit || !ret_fits {
            let shown = match m {
                // Any result type will do.
                Method::Map => format!("fn({elem}) -> _"),
                _ => hint.to_string(),
            };
            self.error_with_label(
                f_arg.span,
                format!("mismatched types: `{name}` needs {shown}, found {fty}"),
                format!("this is {fty}"),
            );
            self.poison(fty);
            return self.error_expr(span);
        }
        let r = self.resolve(r);
        let ty = result.unwrap_or_else(|| {
            if matches!(r, Ty::Unit | Ty::Never) {
                Ty::array(Ty::Unit)
            } else {
                Ty::array(r)
            }
        });
        self.push_expr(
            ExprKind::MethodCall {
                method: m,
                args: ids,
            },
            ty,
            span,
        )
    }

    /// Whether `ty` is an array, and its element type.
    pub(crate) fn array_elem(ty: Ty) -> Option<Ty> {
        match ty.heap()? {
            HeapTy::Array(t) => Some(t),
            _ => None,
        }
    }
}
