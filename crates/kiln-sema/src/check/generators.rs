//! Generators: `yield`, and what makes a function one.
//!
//! A function whose declared result is `Gen<T>` is checked with a [`GenCx`]; when
//! its body turns out to contain `yield` (outside of closures) it is a generator
//! (`hir::Function::generator`): its body's value is discarded, `yield` takes
//! values of `T` and `return` takes no value. A function returning `Gen<T>`
//! without any `yield` is an ordinary function that must return a generator it
//! got elsewhere (`fn pick() -> Gen<int> { evens(4) }`). A closure is never a
//! generator: `yield` inside one is an error, as is `yield` anywhere else outside a
//! generator.

use super::Checker;
use crate::hir::ExprId;
use crate::hir::ExprKind;
use crate::ty::Ty;
use kiln_syntax::{ast, Diagnostic, Span};

/// What the checker records about a body whose declared result is `Gen<T>`.
#[derive(Clone, Debug)]
pub(crate) struct GenCx {
    /// `T`: the type of the values it yields.
    pub elem: Ty,
    /// Whether any `yield` was seen (then the function is a generator).
    pub yields: bool,
    /// `return` without a value (fine in a generator, wrong in a function that
    /// must return a `Gen<T>`), and `return value` (the other way round).
    pub plain_returns: Vec<Span>,
    pub value_returns: Vec<Span>,
}

impl GenCx {
    pub(crate) fn new(elem: Ty) -> GenCx {
        GenCx {
            elem,
            yields: false,
            plain_returns: Vec::new(),
            value_returns: Vec::new(),
        }
    }
}

impl Checker {
    /// `yield value`, or `yield` alone in a generator of `()`.
    pub(crate) fn yield_expr(&mut self, value: Option<&ast::Expr>, span: Span) -> ExprId {
        let Some(elem) = self.cx.gen.as_ref().map(|g| g.elem) else {
            self.yield_outside(span);
            if let Some(v) = value {
                self.expr(v, None);
            }
            return self.error_expr(span);
        };
        if let Some(g) = self.cx.gen.as_mut() {
            g.yields = true;
        }
        let v = match value {
            Some(v) => {
                let id = self.expr(v, Some(elem));
                let found = self.ty_of(id);
                let fits = found.fits(elem)
                    || ((found.contains_infer() || elem.contains_infer())
                        && self.unify(found, elem));
                if !fits {
                    self.error_with_label(
                        v.span,
                        format!("mismatched types: this generator yields {elem}, found {found}"),
                        format!("this is {found}, expected {elem}"),
                    );
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

    /// Records a `return` in a body that returns `Gen<T>`; whether it is right
    /// depends on whether the body yields, known at its end
    /// ([`Checker::finish_gen_body`]). Returns false when `return_expr` should not
    /// check it as an ordinary `return`.
    pub(crate) fn note_gen_return(&mut self, has_value: bool, span: Span) -> bool {
        let Some(g) = self.cx.gen.as_mut() else {
            return true;
        };
        if has_value {
            g.value_returns.push(span);
            true
        } else {
            g.plain_returns.push(span);
            false
        }
    }

    /// At the end of a body declared to return `Gen<T>`: whether it is a
    /// generator, reporting what does not fit either kind of function. For a
    /// function that does not yield, also checks its value against `ret`.
    pub(crate) fn finish_gen_body(&mut self, body: ExprId, ret: Ty, at: Span) -> bool {
        let Some(g) = self.cx.gen.clone() else {
            self.expect_fits(body, ret, at);
            return false;
        };
        if g.yields {
            for span in g.value_returns {
                self.error_with_label(
                    span,
                    "`return` with a value in a generator",
                    format!(
                        "a generator yields its values ({}); `return` only ends it",
                        g.elem
                    ),
                );
            }
            return true;
        }
        for span in g.plain_returns {
            self.error_with_label(
                span,
                format!("mismatched types: expected {ret}, found ()"),
                format!("this function returns {ret}"),
            );
        }
        let found = self.ty_of(body);
        if found == Ty::Unit {
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
            return false;
        }
        self.expect_fits(body, ret, at);
        false
    }
}
