//! Ownership: where lowering inserts `retain` and `release` (DESIGN.md §4).
//!
//! The discipline is simple and uniform, so it is easy to trust:
//! - Every expression that makes a new reference (a call, an allocation, a runtime
//!   result, a load from a container or a global, which is retained) registers it as
//!   a *temporary* in the innermost temp frame. A frame is released when its
//!   statement (or condition, or branch) ends.
//! - A consumer that keeps a value (a variable, a field, a container, a return)
//!   calls [`FnLower::take_owned`]: a temporary of the current frame is moved out of
//!   it (no count change); anything else is retained.
//! - Local variables of reference type own their value; they are released when
//!   their scope ends and when `break`, `continue` or `return` leaves the scope.
//!   Parameters are borrowed: the caller keeps them alive.
//! - A panic leaks what its frames held; it never frees anything twice.
//!
//! A value in a frame was always made on the path that reaches the frame's end,
//! because constructs that branch (if, match, loops, `&&`) give each branch its own
//! frame; this is what keeps every `release` dominated by its value's definition.

use super::FnLower;
use crate::builder::Var;
use crate::ir::*;
use kiln_sema::hir::LocalId;
use kiln_sema::ty::Ty;
use kiln_syntax::Span;

#[derive(Default)]
pub(super) struct Ownership {
    /// Owned temporaries, innermost frame last.
    pub frames: Vec<Vec<Value>>,
    /// Variables of reference type owned by each open scope, innermost last.
    pub scopes: Vec<Vec<Var>>,
}

impl FnLower<'_> {
    pub(super) fn is_ref(&self, ty: Ty) -> bool {
        ty.is_ref()
    }

    pub(super) fn retain(&mut self, v: Value, span: Span) {
        self.b.ins(InstKind::Retain(v), &[], span);
    }

    pub(super) fn release(&mut self, v: Value, span: Span) {
        self.b.ins(InstKind::Release(v), &[], span);
    }

    pub(super) fn push_frame(&mut self) {
        self.own.frames.push(Vec::new());
    }

    /// Ends the innermost frame, releasing its temporaries (unless the code here is
    /// unreachable: then the path that left already released them).
    pub(super) fn pop_frame(&mut self, span: Span) {
        let temps = self.own.frames.pop().unwrap_or_default();
        if !self.b.is_terminated() {
            for v in temps.into_iter().rev() {
                self.release(v, span);
            }
        }
    }

    /// Registers an owned reference made by the current expression.
    pub(super) fn temp(&mut self, v: Value) -> Value {
        if let Some(frame) = self.own.frames.last_mut() {
            frame.push(v);
        }
        v
    }

    /// Registers `v` as a temporary when `ty` is a reference type.
    pub(super) fn produced(&mut self, v: Option<Value>, ty: Ty) -> Option<Value> {
        match v {
            Some(v) if self.is_ref(ty) => Some(self.temp(v)),
            other => other,
        }
    }

    /// Takes ownership of a reference for a consumer that keeps it.
    pub(super) fn take_owned(&mut self, v: Value, span: Span) -> Value {
        if let Some(frame) = self.own.frames.last_mut() {
            if let Some(pos) = frame.iter().rposition(|&t| t == v) {
                frame.remove(pos);
                return v;
            }
        }
        self.retain(v, span);
        v
    }

    /// Lowers an expression whose value a consumer keeps (a `break` or `yield`
    /// value): owned, as [`FnLower::own_value`] makes it.
    pub(super) fn lower_owned(&mut self, e: kiln_sema::hir::ExprId, span: Span) -> Option<Value> {
        let ty = self.expr(e).ty;
        let v = self.lower(e);
        self.own_value(v, ty, span)
    }

    /// `take_owned` for a value of any type (scalars need nothing).
    pub(super) fn own_value(&mut self, v: Option<Value>, ty: Ty, span: Span) -> Option<Value> {
        match v {
            Some(v) if self.is_ref(ty) => Some(self.take_owned(v, span)),
            other => other,
        }
    }

    pub(super) fn push_scope(&mut self) {
        self.own.scopes.push(Vec::new());
    }

    /// Ends a scope, releasing the locals it owns.
    pub(super) fn pop_scope(&mut self, span: Span) {
        let locals = self.own.scopes.pop().unwrap_or_default();
        if !self.b.is_terminated() {
            self.release_locals(&locals, span);
        }
    }

    /// Records that the innermost scope owns `local`.
    pub(super) fn own_local(&mut self, local: LocalId) {
        self.own_var(self.var(local));
    }

    /// Records that the innermost scope owns a variable (a local, or a global
    /// promoted to a variable of `<main>`).
    pub(super) fn own_var(&mut self, var: Var) {
        if let Some(scope) = self.own.scopes.last_mut() {
            scope.push(var);
        }
    }

    /// The current value of a local.
    pub(super) fn local_value(&mut self, local: LocalId, span: Span) -> Value {
        match self.fixed.get(&self.var(local).0) {
            Some(&v) => v,
            None => self.b.use_var(self.var(local), span),
        }
    }

    fn release_locals(&mut self, vars: &[Var], span: Span) {
        for &var in vars.iter().rev() {
            let v = match self.fixed.get(&var.0) {
                Some(&v) => v,
                None => self.b.use_var(var, span),
            };
            self.release(v, span);
        }
    }

    /// Releases everything owned by frames and scopes deeper than the given depths,
    /// without closing them: for `break`, `continue` and `return`, which leave them.
    pub(super) fn release_above(&mut self, frames: usize, scopes: usize, span: Span) {
        let temps: Vec<Value> = self.own.frames[frames.min(self.own.frames.len())..]
            .iter()
            .flatten()
            .copied()
            .collect();
        for v in temps.into_iter().rev() {
            self.release(v, span);
        }
        let locals: Vec<Var> = self.own.scopes[scopes.min(self.own.scopes.len())..]
            .iter()
            .flatten()
            .copied()
            .collect();
        self.release_locals(&locals, span);
    }

    /// Makes an escaping value (a block's or branch's result) owned before the frame
    /// and scope it came from close.
    pub(super) fn escape(&mut self, v: Option<Value>, ty: Ty, span: Span) -> Option<Value> {
        self.own_value(v, ty, span)
    }
}
