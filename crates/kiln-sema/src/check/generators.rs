//! Generators: `yield`, and what makes a function one.
//!
//! A function whose declared result is `Gen<T>` and whose body contains `yield`
//! (outside of closures: [`body_yields`]) is a generator
//! (`hir::Function::generator`), checked with a [`GenCx`]: its body is a block of
//! type `()` whose value is discarded, `yield` takes values of `T` and `return`
//! takes no value. A function returning `Gen<T>`
//! without any `yield` is an ordinary function that must return a generator it
//! got elsewhere (`fn pick() -> Gen<int> { evens(4) }`). A closure is never a
//! generator: `yield` inside one is an error, as is `yield` anywhere else outside a
//! generator.

use super::Checker;
use crate::hir::{Const, ExprId, ExprKind};
use crate::ty::Ty;
use kiln_syntax::{ast, Diagnostic, Span};

/// The body being checked is a generator's.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GenCx {
    /// `T`: the type of the values it yields.
    pub elem: Ty,
}

/// Whether a function body contains `yield` outside of closures (a closure's
/// `yield` is an error of its own). Walks with an explicit stack: nesting depth
/// is bounded only by the parser's budget.
pub(crate) fn body_yields(body: &ast::Block) -> bool {
    use ast::ExprKind as E;
    let mut work: Vec<&ast::Expr> = Vec::new();
    push_block(body, &mut work);
    while let Some(e) = work.pop() {
        match &e.kind {
            E::Yield(_) => return true,
            E::Int(_) | E::Float(_) | E::Bool(_) | E::Char(_) | E::Unit | E::Name(_) => {}
            E::Continue | E::Error | E::Closure { .. } => {}
            E::Str(parts) => {
                for p in parts {
                    if let ast::StrPart::Interp { expr, .. } = p {
                        work.push(expr);
                    }
                }
            }
            E::Tuple(items) | E::Array(items) => work.extend(items),
            E::ArrayRepeat { value, count } => work.extend([&**value, &**count]),
            E::Map(entries) => {
                for (k, v) in entries {
                    work.extend([k, v]);
                }
            }
            E::Unary { operand, .. } => work.push(operand),
            E::Binary { lhs, rhs, .. } => work.extend([&**lhs, &**rhs]),
            E::Assign { target, value, .. } => work.extend([&**target, &**value]),
            E::Range { lo, hi, .. } => work.extend(lo.iter().chain(hi).map(|b| &**b)),
            E::Cast { value, .. } | E::Try(value) => work.push(value),
            E::Call { callee, args } => {
                work.push(callee);
                work.extend(args.iter().map(|a| &a.value));
            }
            E::MethodCall { receiver, args, .. } => {
                work.push(receiver);
                work.extend(args.iter().map(|a| &a.value));
            }
            E::Field { base, .. } | E::TupleField { base, .. } => work.push(base),
            E::Index { base, index } => work.extend([&**base, &**index]),
            E::Block(b) | E::Loop(b) => push_block(b, &mut work),
            E::If {
                branches,
                otherwise,
            } => {
                for br in branches {
                    push_condition(&br.cond, &mut work);
                    push_block(&br.then, &mut work);
                }
                if let Some(b) = otherwise {
                    push_block(b, &mut work);
                }
            }
            E::While { cond, body } => {
                push_condition(cond, &mut work);
                push_block(body, &mut work);
            }
            E::For { iter, body, .. } => {
                work.push(iter);
                push_block(body, &mut work);
            }
            E::Match { scrutinee, arms } => {
                work.push(scrutinee);
                for arm in arms {
                    work.extend(arm.guard.iter());
                    work.push(&arm.body);
                }
            }
            E::Break(v) | E::Return(v) => work.extend(v.iter().map(|b| &**b)),
        }
    }
    false
}

fn push_block<'a>(b: &'a ast::Block, work: &mut Vec<&'a ast::Expr>) {
    for s in &b.stmts {
        match &s.kind {
            ast::StmtKind::Let { init, .. } => work.push(init),
            ast::StmtKind::Expr(e) => work.push(e),
            ast::StmtKind::Item(_) => {}
        }
    }
}

fn push_condition<'a>(c: &'a ast::Condition, work: &mut Vec<&'a ast::Expr>) {
    match c {
        ast::Condition::Expr(e) | ast::Condition::Let { value: e, .. } => work.push(e),
    }
}

impl Checker {
    /// `yield value`, or `yield` alone in a generator of `()`.
    pub(crate) fn yield_expr(&mut self, value: Option<&ast::Expr>, span: Span) -> ExprId {
        let Some(elem) = self.cx.gen.map(|g| g.elem) else {
            self.yield_outside(span);
            if let Some(v) = value {
                self.expr(v, None);
            }
            // `()`, as a `yield` would be: no cascade of errors about it.
            return self.push_expr(ExprKind::Const(Const::Unit), Ty::Unit, span);
        };
        let v = match value {
            Some(v) => {
                let id = self.expr(v, Some(elem));
                let found = self.ty_of(id);
                let fits = found.fits(elem)
                    || ((found.contains_infer() || elem.contains_infer())
                        && self.unify(found, elem));
                if !fits {
                    let m = self.mismatch(elem, found);
                    let (elem, found) = (&m.expected, &m.found);
                    let d = Diagnostic::error(
                        v.span,
                        format!("mismatched types: this generator yields {elem}, found {found}"),
                    )
                    .with_label(format!("this is {found}, expected {elem}"));
                    self.diags.push(m.noted(d));
                }
                Some(id)
            }
            None => {
                if !Ty::Unit.fits(elem) {
                    self.error_with_label(
                        span,
                        format!("`yield` needs a value: this generator yields {elem}"),
                        format!("expected a value of type {elem} after `yield`"),
                    );
                }
                None
            }
        };
        self.push_expr(ExprKind::Yield(v), Ty::Unit, span)
    }

    fn yield_outside(&mut self, span: Span) {
        if self.cx.ret.is_some_and(|r| r.contains_error()) {
            return;
        }
        let (message, label, note) = if self.cx.is_closure {
            (
                "`yield` inside a closure",
                "closures cannot yield".to_string(),
                "only a named function (or method) returning `Gen<T>` can be a generator",
            )
        } else if let Some(ret) = self.cx.ret {
            (
                "`yield` outside of a generator",
                format!("this function returns {ret}, not `Gen<T>`"),
                "a generator is a function whose return type is `Gen<T>` and whose body yields",
            )
        } else {
            (
                "`yield` outside of a generator",
                "top-level code cannot yield".to_string(),
                "a generator is a function whose return type is `Gen<T>` and whose body yields",
            )
        };
        self.diags.push(
            Diagnostic::error(span, message)
                .with_label(label)
                .with_note(note),
        );
    }

    /// `return value` in a generator: an error (`return` alone ends it).
    pub(crate) fn check_gen_return(&mut self, has_value: bool, span: Span) {
        if let (Some(g), true) = (self.cx.gen, has_value) {
            self.error_with_label(
                span,
                "`return` with a value in a generator",
                format!(
                    "a generator hands out its values ({}) with `yield`; `return` only ends it",
                    g.elem
                ),
            );
        }
    }

    /// At the end of a function body: its value against the declared result. A
    /// generator's value is discarded; a function declared to return `Gen<T>`
    /// whose body neither yields nor makes a generator gets an error that says so.
    pub(crate) fn finish_fn_body(&mut self, body: ExprId, ret: Ty, at: Span) {
        if self.cx.gen.is_some() {
            return;
        }
        if ret.as_gen().is_some() && self.ty_of(body) == Ty::Unit {
            self.diags.push(
                Diagnostic::error(
                    at,
                    format!("this function returns {ret} but its body has no `yield`"),
                )
                .with_label(format!("this is (), expected {ret}"))
                .with_note(
                    "a function returning `Gen<T>` is a generator when its body yields; \
                     otherwise it must return a generator",
                ),
            );
            return;
        }
        self.expect_fits(body, ret, at);
    }
}
