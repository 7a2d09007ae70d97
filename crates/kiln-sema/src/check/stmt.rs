//! Statements and blocks: `let`/`var`, expression statements, block values.

use super::{Checker, NameKind};
use crate::hir::{self, Const, ExprId, ExprKind, GlobalId};
use crate::ty::Ty;
use kiln_syntax::ast::{self, PatternKind, StmtKind};
use std::collections::HashMap;

impl Checker {
    pub(crate) fn check_stmt(&mut self, stmt: &ast::Stmt) -> ExprId {
        match &stmt.kind {
            StmtKind::Let {
                mutable,
                pattern,
                ty,
                init,
            } => self.check_let(*mutable, pattern, ty.as_ref(), init, stmt.span),
            StmtKind::Expr(e) => self.expr(e, None),
            StmtKind::Item(item) => {
                self.unsupported(item.span.start(), "declarations inside blocks");
                self.push_expr(ExprKind::Const(Const::Unit), Ty::Unit, stmt.span)
            }
        }
    }

    /// The last statement of a REPL entry: an expression's value is kept in a
    /// hidden global (`Unit::result`) for the REPL to print; anything else is an
    /// ordinary statement.
    pub(crate) fn check_result_stmt(&mut self, stmt: &ast::Stmt) -> ExprId {
        let StmtKind::Expr(e) = &stmt.kind else {
            return self.check_stmt(stmt);
        };
        let value = self.expr(e, None);
        let ty = self.ty_of(value);
        if ty == Ty::Unit || ty == Ty::Never {
            return value;
        }
        let global = self.declare_global("<result>", ty, false, value, stmt.span);
        self.result = Some(global);
        self.push_expr(
            ExprKind::SetGlobal {
                declares: true,
                global,
                value,
            },
            Ty::Unit,
            stmt.span,
        )
    }

    fn check_let(
        &mut self,
        mutable: bool,
        pattern: &ast::Pattern,
        ty: Option<&ast::TypeExpr>,
        init: &ast::Expr,
        span: kiln_syntax::Span,
    ) -> ExprId {
        let declared = ty.map(|t| self.resolve_type(t));
        let value = self.expr(init, declared);
        let ty = match declared {
            Some(t) => {
                self.expect_fits(value, t, init.span);
                t
            }
            // A binding of a diverging expression is dead code; give it a real type.
            None if self.ty_of(value) == Ty::Never => Ty::Unit,
            None => self.ty_of(value),
        };
        let name = match &pattern.kind {
            PatternKind::Binding(name) => name.name.clone(),
            PatternKind::Wildcard | PatternKind::Error => "_".to_string(),
            _ => {
                // Destructuring: the bindings are locals, even in top-level code.
                let top_level = self.cx.is_main && self.cx.scopes.len() == 1;
                let before = top_level.then(|| self.cx.scopes[0].clone());
                let pat = self.irrefutable_pattern(pattern, ty, mutable);
                let bind = self.push_expr(ExprKind::LetPat { pat, init: value }, Ty::Unit, span);
                return match before {
                    Some(before) if self.globals_in_slots => {
                        self.bindings_to_globals(bind, before, mutable, span)
                    }
                    _ => bind,
                };
            }
        };
        if self.cx.is_main && self.cx.scopes.len() == 1 {
            let global = self.declare_global(&name, ty, mutable, value, span);
            return self.push_expr(
                ExprKind::SetGlobal {
                    declares: true,
                    global,
                    value,
                },
                Ty::Unit,
                span,
            );
        }
        let local = self.declare_local(&name, ty, mutable);
        self.push_expr(ExprKind::Let { local, init: value }, Ty::Unit, span)
    }

    /// In a session that keeps accepting units, the bindings of a top-level
    /// destructuring `let` become globals, so later units see them: each local the
    /// pattern bound (those not in `before`) is copied into a global of its name.
    fn bindings_to_globals(
        &mut self,
        bind: ExprId,
        before: HashMap<String, hir::LocalId>,
        mutable: bool,
        span: kiln_syntax::Span,
    ) -> ExprId {
        let mut bound: Vec<(String, hir::LocalId)> = self.cx.scopes[0]
            .iter()
            .filter(|(n, l)| before.get(*n) != Some(*l))
            .map(|(n, l)| (n.clone(), *l))
            .collect();
        bound.sort_by_key(|(_, l)| *l);
        let mut stmts = vec![bind];
        for (name, local) in bound {
            let ty = self.cx.locals[local.index()].ty;
            let read = self.push_expr(ExprKind::Local(local), ty, span);
            let global = self.declare_global(&name, ty, mutable, read, span);
            stmts.push(self.push_expr(
                ExprKind::SetGlobal {
                    declares: true,
                    global,
                    value: read,
                },
                Ty::Unit,
                span,
            ));
        }
        self.push_expr(ExprKind::Block { stmts, tail: None }, Ty::Unit, span)
    }

    fn declare_global(
        &mut self,
        name: &str,
        ty: Ty,
        mutable: bool,
        value: ExprId,
        span: kiln_syntax::Span,
    ) -> GlobalId {
        // A constant initialiser is stored before the program starts, so the
        // variable is never unset. Not in a session of units (a REPL): there an
        // entry may panic before its `let` runs, and the variable must then be
        // unset, whatever its initialiser, as the documentation says.
        let init = match &self.cx.exprs[value.index()].kind {
            ExprKind::Const(c) if !matches!(c, Const::Str(_)) && !self.globals_in_slots => {
                Some(c.clone())
            }
            _ => None,
        };
        self.state.program.globals.push(hir::Global {
            name: name.to_string(),
            ty,
            mutable,
            span,
            init,
            from_functions: false,
        });
        let id = GlobalId(self.state.program.globals.len() as u32 - 1);
        self.vars.globals.push(id);
        // `_` and the hidden `<result>` of a REPL entry bind no name.
        if name != "_" && !name.starts_with('<') {
            let ident = ast::Ident {
                name: name.to_string(),
                span,
            };
            self.take_name(&ident, NameKind::Global);
            if let Some(old) = self.cx.globals.insert(name.to_string(), id) {
                if self.globals_in_slots {
                    self.shadowed_globals.push((old, id));
                }
            }
            // A top-level local of the same name (from destructuring) is shadowed.
            if let Some(top) = self.cx.scopes.first_mut() {
                top.remove(name);
            }
        }
        id
    }

    /// Checks a block. Its value is its last statement when that is an expression;
    /// when the block is expected to be `()`, that value is discarded.
    pub(crate) fn check_block(&mut self, block: &ast::Block, expected: Option<Ty>) -> ExprId {
        self.cx.scopes.push(HashMap::new());
        let mut stmts = Vec::new();
        let mut tail = None;
        let count = block.stmts.len();
        for (i, stmt) in block.stmts.iter().enumerate() {
            match (&stmt.kind, i + 1 == count) {
                (StmtKind::Expr(e), true) => tail = Some(self.expr(e, expected)),
                _ => stmts.push(self.check_stmt(stmt)),
            }
        }
        self.cx.scopes.pop();
        let mut ty = tail.map_or(Ty::Unit, |t| self.ty_of(t));
        if expected == Some(Ty::Unit) && !matches!(ty, Ty::Unit | Ty::Never | Ty::Error) {
            stmts.extend(tail.take());
            ty = Ty::Unit;
        }
        // A block that ends in a diverging statement diverges too.
        if tail.is_none() && stmts.last().is_some_and(|&s| self.ty_of(s) == Ty::Never) {
            ty = Ty::Never;
        }
        self.push_expr(ExprKind::Block { stmts, tail }, ty, block.span)
    }
}
