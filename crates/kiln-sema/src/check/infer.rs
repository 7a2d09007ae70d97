//! Local type inference: unification variables within one body.
//!
//! Where a type is not known yet — an empty array or map literal, `None`, a closure
//! parameter without annotation and without an expected type — the checker makes a
//! variable ([`Ty::Infer`]). Later uses bind it by unification (`xs.push(1)`,
//! `m["a"] = 1.5`, `best = Some(x)`, `x + k`). Variables belong to the named
//! function (or top-level code, or test) being checked, closures inside it
//! included, so a closure's parameter can be inferred from how the enclosing code
//! calls it. When that body ends, every type in its HIR — and in the HIR and
//! signatures of its closures, and in the globals it declared — is replaced by
//! what its variables were bound to; a variable still unbound is a compile error
//! at the expression that made it, saying what annotation would fix it. So HIR
//! never contains a variable: lowering sees concrete types only.
//!
//! Signatures of named functions stay explicit, so inference never crosses a
//! function boundary.

use super::Checker;
use crate::hir::{self, ExprId, FuncId};
use crate::ty::{intern, HeapTy, Ty};
use kiln_syntax::{Diagnostic, Span};

/// The unification variables of the body being checked.
#[derive(Default)]
pub(crate) struct Vars {
    /// What each variable is bound to, if anything yet.
    bound: Vec<Option<Ty>>,
    /// Where each variable was made, and the annotation that would fix it.
    origin: Vec<(Span, &'static str)>,
    /// Closures made in this body, whose HIR is finished when the body ends.
    pub closures: Vec<FuncId>,
    /// Globals declared in this body (top-level code).
    pub globals: Vec<hir::GlobalId>,
    /// Calls of generic functions, pointed at their instances when the body ends.
    pub generic_calls: Vec<super::generics::GenericCall>,
    /// Where an unresolved variable was reported: one expression gets one error,
    /// however many variables it made (`[:]` makes two).
    reported_at: std::collections::HashSet<Span>,
}

impl Checker {
    /// A new unification variable, made for the expression at `span`. `fix` says
    /// how an annotation would pin it (`"let xs: [int] = []"`).
    pub(crate) fn fresh_var(&mut self, span: Span, fix: &'static str) -> Ty {
        if self.in_failed_call {
            // Poisoned from the start: see `failed_call_arg`.
            return Ty::Error;
        }
        let v = self.vars.bound.len() as u32;
        self.vars.bound.push(None);
        self.vars.origin.push((span, fix));
        Ty::Infer(v)
    }

    /// Whether `t` is a variable not bound yet.
    pub(crate) fn is_unknown(&self, t: Ty) -> bool {
        matches!(self.shallow(t), Ty::Infer(_))
    }

    /// Reports that the value at `span` must have a known type to be used as it is,
    /// if `t` is still unknown; the variable becomes an error so nothing else is
    /// reported for it. Returns whether it was unknown.
    pub(crate) fn require_known(&mut self, t: Ty, span: Span, what: &str) -> bool {
        let Ty::Infer(v) = self.shallow(t) else {
            return false;
        };
        let fix = self.vars.origin[v as usize].1;
        self.diags.push(
            Diagnostic::error(span, format!("the type of this value must be known {what}"))
                .with_label("type not known yet")
                .with_note(format!("add a type annotation, as in `{fix}`")),
        );
        self.vars.bound[v as usize] = Some(Ty::Error);
        true
    }

    /// Whether a value of type `found` may be used where `want` is expected,
    /// binding variables on either side to make it so. Types with variables go
    /// through unification even when an error type makes them fit, so that a
    /// variable that meets an error is bound to it (see [`Checker::unify`]).
    pub(crate) fn agree(&mut self, found: Ty, want: Ty) -> bool {
        ((found.contains_infer() || want.contains_infer()) && self.unify(found, want))
            || found.fits(want)
    }

    /// Binds every variable still unbound in `t` to [`Ty::Error`]: a value of
    /// type `t` was reported as wrong, so what is unknown in it is unknown
    /// because of that error.
    pub(crate) fn poison(&mut self, t: Ty) {
        for v in self.resolve(t).infer_vars() {
            self.vars.bound[v as usize] = Some(Ty::Error);
        }
    }

    /// Follows bound variables at the top of `t`.
    fn shallow(&self, mut t: Ty) -> Ty {
        while let Ty::Infer(v) = t {
            match self.vars.bound.get(v as usize).copied().flatten() {
                Some(b) => t = b,
                None => break,
            }
        }
        t
    }

    /// `t` with every bound variable replaced by its binding, all the way down.
    pub(crate) fn resolve(&self, t: Ty) -> Ty {
        if self.vars.bound.is_empty() {
            return t;
        }
        let t = self.shallow(t);
        let Some(h) = t.heap() else {
            return t;
        };
        let r = |t: Ty| self.resolve(t);
        let h2 = match &h {
            HeapTy::Array(a) => HeapTy::Array(r(*a)),
            HeapTy::Map(k, v) => HeapTy::Map(r(*k), r(*v)),
            HeapTy::Tuple(ts) => HeapTy::Tuple(ts.iter().map(|&t| r(t)).collect()),
            HeapTy::Option(a) => HeapTy::Option(r(*a)),
            HeapTy::Gen(a) => HeapTy::Gen(r(*a)),
            HeapTy::Result(a, b) => HeapTy::Result(r(*a), r(*b)),
            HeapTy::Func(ps, ret) => HeapTy::Func(ps.iter().map(|&t| r(t)).collect(), r(*ret)),
            HeapTy::Adt(id, name, args) => {
                if args.is_empty() {
                    return t;
                }
                HeapTy::Adt(*id, name.clone(), args.iter().map(|&t| r(t)).collect())
            }
        };
        if h2 == h {
            t
        } else {
            intern(h2)
        }
    }

    /// Makes `a` and `b` the same type by binding variables; false when they
    /// cannot be (the caller reports the mismatch). A variable unified with an
    /// error type is bound to it: it is *poisoned*, its type unknown because of an
    /// error already reported, so nothing more is reported about it (neither
    /// "cannot infer" when the body ends nor a mismatch where it is used).
    pub(crate) fn unify(&mut self, a: Ty, b: Ty) -> bool {
        let (a, b) = (self.shallow(a), self.shallow(b));
        if a == b {
            return true;
        }
        match (a, b) {
            // `never` fits any type, but says nothing about a variable.
            (Ty::Never, _) | (_, Ty::Never) => true,
            (Ty::Error, Ty::Infer(v)) | (Ty::Infer(v), Ty::Error) => {
                self.vars.bound[v as usize] = Some(Ty::Error);
                true
            }
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Infer(v), t) | (t, Ty::Infer(v)) => {
                if self.occurs(v, t) {
                    return false;
                }
                self.vars.bound[v as usize] = Some(t);
                true
            }
            (Ty::Heap(_), Ty::Heap(_)) => {
                let (Some(x), Some(y)) = (a.heap(), b.heap()) else {
                    return false;
                };
                match (x, y) {
                    (HeapTy::Array(p), HeapTy::Array(q))
                    | (HeapTy::Option(p), HeapTy::Option(q))
                    | (HeapTy::Gen(p), HeapTy::Gen(q)) => self.unify(p, q),
                    (HeapTy::Map(k1, v1), HeapTy::Map(k2, v2))
                    | (HeapTy::Result(k1, v1), HeapTy::Result(k2, v2)) => {
                        self.unify(k1, k2) && self.unify(v1, v2)
                    }
                    (HeapTy::Tuple(ps), HeapTy::Tuple(qs)) if ps.len() == qs.len() => {
                        ps.iter().zip(&qs).all(|(&p, &q)| self.unify(p, q))
                    }
                    (HeapTy::Adt(x, _, ps), HeapTy::Adt(y, _, qs))
                        if x == y && ps.len() == qs.len() =>
                    {
                        ps.iter().zip(&qs).all(|(&p, &q)| self.unify(p, q))
                    }
                    (HeapTy::Func(ps, r1), HeapTy::Func(qs, r2)) if ps.len() == qs.len() => {
                        ps.iter().zip(&qs).all(|(&p, &q)| self.unify(p, q)) && self.unify(r1, r2)
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    fn occurs(&self, v: u32, t: Ty) -> bool {
        let t = self.shallow(t);
        if t == Ty::Infer(v) {
            return true;
        }
        match t.heap() {
            Some(HeapTy::Array(a) | HeapTy::Option(a) | HeapTy::Gen(a)) => self.occurs(v, a),
            Some(HeapTy::Map(a, b) | HeapTy::Result(a, b)) => {
                self.occurs(v, a) || self.occurs(v, b)
            }
            Some(HeapTy::Tuple(ts) | HeapTy::Adt(_, _, ts)) => {
                ts.iter().any(|&t| self.occurs(v, t))
            }
            Some(HeapTy::Func(ps, r)) => ps.iter().any(|&t| self.occurs(v, t)) || self.occurs(v, r),
            _ => false,
        }
    }

    /// `t` resolved, with unbound variables reported (once each) and replaced by
    /// [`Ty::Error`].
    fn finish_ty(&mut self, t: Ty, reported: &mut Vec<u32>) -> Ty {
        let t = self.resolve(t);
        if !t.contains_infer() {
            return t;
        }
        for v in t.infer_vars() {
            if !reported.contains(&v) {
                reported.push(v);
                let (span, fix) = self.vars.origin[v as usize];
                if !self.vars.reported_at.insert(span) {
                    continue;
                }
                self.diags.push(
                    Diagnostic::error(span, "cannot infer the type of this expression")
                        .with_label("type needed here")
                        .with_note(format!("add a type annotation, as in `{fix}`")),
                );
            }
        }
        t.replace_infer(Ty::Error)
    }

    /// Replaces every variable in a finished body (and in its closures and the
    /// globals it declared) by its binding; called when a named function, test or
    /// top-level code has been checked.
    pub(crate) fn finish_inference(&mut self, f: &mut hir::Function) {
        let calls = std::mem::take(&mut self.vars.generic_calls);
        if self.vars.bound.is_empty() {
            self.vars = Vars::default();
            return;
        }
        let mut reported = Vec::new();
        self.finish_function(f, &mut reported);
        for id in std::mem::take(&mut self.vars.closures) {
            if let Some(mut body) = self.bodies.remove(&id) {
                self.finish_function(&mut body, &mut reported);
                self.bodies.insert(id, body);
            }
            let mut sig = self.state.sigs[id.index()].clone();
            for (_, t) in &mut sig.params {
                *t = self.finish_ty(*t, &mut reported);
            }
            sig.ret = self.finish_ty(sig.ret, &mut reported);
            self.state.sigs[id.index()] = sig;
        }
        for g in std::mem::take(&mut self.vars.globals) {
            let t = self.state.program.globals[g.index()].ty;
            self.state.program.globals[g.index()].ty = self.finish_ty(t, &mut reported);
        }
        self.resolve_generic_calls(f, calls, &reported);
        self.vars = Vars::default();
    }

    fn finish_function(&mut self, f: &mut hir::Function, reported: &mut Vec<u32>) {
        // Report at the expressions in source order, which is creation order.
        for i in 0..f.exprs.len() {
            let t = f.exprs[i].ty;
            f.exprs[i].ty = self.finish_ty(t, reported);
        }
        for i in 0..f.locals.len() {
            let t = f.locals[i].ty;
            f.locals[i].ty = self.finish_ty(t, reported);
        }
        f.ret = self.finish_ty(f.ret, reported);
    }

    /// The type of an expression, with what inference knows so far.
    pub(crate) fn known_ty(&self, id: ExprId) -> Ty {
        self.resolve(self.cx.exprs[id.index()].ty)
    }
}
