//! Patterns: checking them against the type of the value they match, `match`
//! expressions, and `while let` (a `match` in a loop). `if let` is a link of an
//! `if` chain (`check/expr.rs`).

use super::exhaustive::Uncovered;
use super::Checker;
use crate::hir::{AdtKind, Arm, Const, ExprId, ExprKind, LocalId, Pat, PatKind};
use crate::ty::{HeapTy, Ty};
use kiln_syntax::ast::{self, PatLit, PatternKind};
use kiln_syntax::Span;
use std::collections::HashMap;

/// The variants of an enum-like type: (name, field types, labels).
pub(crate) type VariantList = Vec<(String, Vec<Ty>, Option<Vec<String>>)>;

/// While checking a later alternative of an `|` pattern: the names the first
/// alternative binds, each with its local and whether this alternative has bound
/// it yet. `None` elsewhere.
pub(crate) type Shared = Option<HashMap<String, (LocalId, bool)>>;

impl Checker {
    /// The variants of an enum, `Option` or `Result` type.
    pub(crate) fn variants_of(&self, ty: Ty) -> Option<VariantList> {
        match ty.heap()? {
            HeapTy::Option(t) => Some(vec![
                ("None".into(), vec![], None),
                ("Some".into(), vec![t], None),
            ]),
            HeapTy::Result(t, e) => Some(vec![
                ("Ok".into(), vec![t], None),
                ("Err".into(), vec![e], None),
            ]),
            HeapTy::Adt(..) => match &self.adt_of(ty)?.kind {
                AdtKind::Enum(vs) => Some(
                    vs.iter()
                        .map(|v| (v.name.clone(), v.fields.clone(), v.labels.clone()))
                        .collect(),
                ),
                AdtKind::Struct(_) => None,
            },
            _ => None,
        }
    }

    /// Checks a pattern against a value of type `ty`, declaring its bindings in the
    /// current scope. `binds` maps names to locals already declared by another
    /// alternative of an `|` pattern.
    pub(crate) fn check_pattern(&mut self, p: &ast::Pattern, ty: Ty, binds: &mut Shared) -> Pat {
        let kind = self.pattern_kind(p, ty, binds);
        Pat {
            kind,
            ty,
            span: p.span,
        }
    }

    fn pattern_kind(&mut self, p: &ast::Pattern, ty: Ty, binds: &mut Shared) -> PatKind {
        let span = p.span;
        match &p.kind {
            PatternKind::Wildcard | PatternKind::Error => PatKind::Wild,
            PatternKind::Binding(name) => {
                if let Some(tag) = self.unit_variant(ty, &name.name) {
                    return PatKind::Variant {
                        tag,
                        fields: Vec::new(),
                    };
                }
                PatKind::Bind(self.bind(name, ty, binds))
            }
            PatternKind::Literal(lit) => match self.pattern_literal(lit, ty, span) {
                Some(c) => PatKind::Lit(c),
                None => PatKind::Wild,
            },
            PatternKind::Range { lo, hi, inclusive } => {
                let l = self.pattern_literal(lo, ty, span);
                let h = self.pattern_literal(hi, ty, span);
                if !(ty.is_int() || ty == Ty::Char || ty.contains_error()) {
                    self.error(
                        span,
                        format!("a range pattern needs integers or chars, not {ty}"),
                    );
                }
                match (l, h) {
                    (Some(lo), Some(hi)) => PatKind::Range {
                        lo,
                        hi,
                        inclusive: *inclusive,
                    },
                    _ => PatKind::Wild,
                }
            }
            PatternKind::Tuple(items) => match ty.heap() {
                Some(HeapTy::Tuple(ts)) if ts.len() == items.len() => {
                    let pats = items
                        .iter()
                        .zip(ts)
                        .map(|(i, t)| self.check_pattern(i, t, binds))
                        .collect();
                    PatKind::Fields(pats)
                }
                _ => {
                    if !ty.contains_error() {
                        self.error_with_label(
                            span,
                            format!("this tuple pattern cannot match {ty}"),
                            format!("the value is {ty}"),
                        );
                    }
                    for i in items {
                        self.check_pattern(i, Ty::Error, binds);
                    }
                    PatKind::Wild
                }
            },
            PatternKind::Ctor { path, fields } => {
                self.ctor_pattern(path, fields.as_deref(), ty, span, binds)
            }
            PatternKind::Or(alts) => PatKind::Or(self.or_alternatives(alts, ty, binds)),
        }
    }

    /// The alternatives of an `|` pattern. The first one declares the bindings (or
    /// reuses those of an enclosing alternative, through `binds`); every later one
    /// must bind the same names, with the same types, and reuses the same locals, so
    /// that lowering can give them the values of whichever alternative matched.
    fn or_alternatives(&mut self, alts: &[ast::Pattern], ty: Ty, binds: &mut Shared) -> Vec<Pat> {
        let mut out = Vec::with_capacity(alts.len());
        let mut first: Vec<LocalId> = Vec::new();
        for (i, alt) in alts.iter().enumerate() {
            if i == 0 {
                let p = self.check_pattern(alt, ty, binds);
                pattern_locals(&p, &mut first);
                out.push(p);
                continue;
            }
            let shared = first
                .iter()
                .map(|&l| (self.cx.locals[l.index()].name.clone(), (l, false)))
                .collect();
            let mut shared = Some(shared);
            out.push(self.check_pattern(alt, ty, &mut shared));
            // Report what this alternative did not bind in the order the first
            // alternative binds it.
            let bound = shared.unwrap_or_default();
            for l in &first {
                let name = &self.cx.locals[l.index()].name;
                if bound.get(name) == Some(&(*l, false)) {
                    let name = name.clone();
                    self.error_with_label(
                        alt.span,
                        format!("`{name}` is not bound in every alternative"),
                        format!("this alternative does not bind `{name}`"),
                    );
                }
            }
        }
        out
    }

    fn bind(&mut self, name: &ast::Ident, ty: Ty, binds: &mut Shared) -> LocalId {
        if let Some(shared) = binds {
            // A later alternative of `|`: reuse the first alternative's local.
            match shared.get_mut(&name.name) {
                Some((l, used)) if !*used => {
                    *used = true;
                    let l = *l;
                    let first = self.cx.locals[l.index()].ty;
                    if first != ty && !ty.contains_error() && !first.contains_error() {
                        self.error_with_label(
                            name.span,
                            format!(
                                "`{}` is {ty} here but {first} in the first alternative",
                                name.name
                            ),
                            format!("this is {ty}"),
                        );
                    }
                    return l;
                }
                Some((l, _)) => {
                    let l = *l;
                    self.bound_twice(&name.name, name.span);
                    return l;
                }
                None => self.error_with_label(
                    name.span,
                    format!("`{}` is not bound in every alternative", name.name),
                    "the first alternative does not bind it",
                ),
            }
        }
        self.declare_local(&name.name, ty, false)
    }

    fn bound_twice(&mut self, name: &str, span: Span) {
        self.error_with_label(
            span,
            format!("`{name}` is bound more than once in this pattern"),
            "bound again here",
        );
    }

    /// Checks a whole pattern (not part of another one) against a value of type
    /// `ty`, declaring its bindings in the current scope. A name may be bound once.
    pub(crate) fn top_pattern(&mut self, p: &ast::Pattern, ty: Ty) -> Pat {
        let pat = self.check_pattern(p, ty, &mut None);
        let mut seen = HashMap::new();
        self.check_bound_once(&pat, &mut seen);
        pat
    }

    /// Reports a name bound twice outside `|` (later alternatives of `|` reuse the
    /// first one's locals and are checked by `bind`).
    fn check_bound_once(&mut self, p: &Pat, seen: &mut HashMap<String, LocalId>) {
        match &p.kind {
            PatKind::Bind(l) => {
                let name = self.cx.locals[l.index()].name.clone();
                match seen.get(&name) {
                    Some(first) if first != l => self.bound_twice(&name, p.span),
                    _ => {
                        seen.insert(name, *l);
                    }
                }
            }
            PatKind::Fields(ps) | PatKind::Variant { fields: ps, .. } => {
                for p in ps {
                    self.check_bound_once(p, seen);
                }
            }
            PatKind::Or(ps) => {
                if let Some(p) = ps.first() {
                    self.check_bound_once(p, seen);
                }
            }
            PatKind::Wild | PatKind::Lit(_) | PatKind::Range { .. } => {}
        }
    }

    /// The tag of a variant without fields named `name`, when `ty` has one.
    fn unit_variant(&self, ty: Ty, name: &str) -> Option<u32> {
        let vs = self.variants_of(ty)?;
        vs.iter()
            .position(|(n, fs, _)| n == name && fs.is_empty())
            .map(|i| i as u32)
    }

    fn pattern_literal(&mut self, lit: &PatLit, ty: Ty, span: Span) -> Option<Const> {
        let mismatch = |c: &mut Self, what: &str| {
            if !ty.contains_error() {
                c.error_with_label(
                    span,
                    format!("{what} pattern cannot match {ty}"),
                    format!("the value is {ty}"),
                );
            }
            None
        };
        match (lit, ty) {
            (
                PatLit::Int {
                    negative,
                    magnitude,
                },
                Ty::Int(i),
            ) => {
                let v = if *negative {
                    -(*magnitude as i128)
                } else {
                    *magnitude as i128
                };
                if v < i.min() || v > i.max() {
                    self.error(span, format!("the literal {v} does not fit in {ty}"));
                    return None;
                }
                Some(Const::Int(v as i64))
            }
            (
                PatLit::Int {
                    negative,
                    magnitude,
                },
                Ty::Float(_),
            ) => {
                let v = *magnitude as f64;
                Some(Const::Float(if *negative { -v } else { v }))
            }
            (PatLit::Float(x), Ty::Float(_)) => Some(Const::Float(*x)),
            (PatLit::Bool(b), Ty::Bool) => Some(Const::Bool(*b)),
            (PatLit::Char(c), Ty::Char) => Some(Const::Char(*c)),
            (PatLit::Str(s), Ty::Str) => Some(Const::Str(s.clone())),
            (PatLit::Int { .. }, _) => mismatch(self, "an integer"),
            (PatLit::Float(_), _) => mismatch(self, "a float"),
            (PatLit::Bool(_), _) => mismatch(self, "a bool"),
            (PatLit::Char(_), _) => mismatch(self, "a char"),
            (PatLit::Str(_), _) => mismatch(self, "a string"),
        }
    }

    fn ctor_pattern(
        &mut self,
        path: &[ast::Ident],
        fields: Option<&[ast::PatField]>,
        ty: Ty,
        span: Span,
        binds: &mut Shared,
    ) -> PatKind {
        let path = self.without_module(path, ty);
        let Some(last) = path.last() else {
            return PatKind::Wild;
        };
        // A qualified path names the type first: `Shape.Rect(..)`.
        if path.len() > 1 {
            let head = &path[0].name;
            let named = self.adt_of(ty).map(|a| a.name.clone());
            if named.as_deref() != Some(head.as_str()) && !ty.contains_error() {
                self.error_with_label(
                    span,
                    format!("this pattern is for `{head}`, but the value is {ty}"),
                    "wrong type",
                );
                return self.wild_fields(fields, binds);
            }
        }
        // A struct pattern: `Point(x, y)`.
        if let Some(adt) = self.adt_of(ty) {
            if let AdtKind::Struct(fs) = &adt.kind {
                if last.name == adt.name {
                    let labels: Vec<String> = fs.iter().map(|(n, _)| n.clone()).collect();
                    let tys: Vec<Ty> = fs.iter().map(|(_, t)| *t).collect();
                    let pats = self.field_patterns(
                        &adt.name,
                        Some(&labels),
                        &tys,
                        fields.unwrap_or(&[]),
                        span,
                        binds,
                    );
                    return PatKind::Fields(pats);
                }
            }
        }
        let Some(variants) = self.variants_of(ty) else {
            if !ty.contains_error() {
                self.error_with_label(
                    span,
                    format!("`{}` cannot match {ty}", last.name),
                    format!("the value is {ty}"),
                );
            }
            return self.wild_fields(fields, binds);
        };
        let Some(tag) = variants.iter().position(|(n, _, _)| *n == last.name) else {
            self.error_with_label(
                last.span,
                format!("{ty} has no variant `{}`", last.name),
                "unknown variant",
            );
            return self.wild_fields(fields, binds);
        };
        let (name, tys, labels) = &variants[tag];
        let pats = match fields {
            None if tys.is_empty() => Vec::new(),
            None => {
                self.error(
                    span,
                    format!("`{name}` has {} value(s): write `{name}(...)`", tys.len()),
                );
                Vec::new()
            }
            Some(fs) => self.field_patterns(name, labels.as_deref(), tys, fs, span, binds),
        };
        PatKind::Variant {
            tag: tag as u32,
            fields: pats,
        }
    }

    /// Sub-patterns of a constructor, in declaration order (missing labelled fields
    /// match anything).
    fn field_patterns(
        &mut self,
        what: &str,
        labels: Option<&[String]>,
        tys: &[Ty],
        fields: &[ast::PatField],
        span: Span,
        binds: &mut Shared,
    ) -> Vec<Pat> {
        let labelled = fields.iter().any(|f| f.label.is_some());
        if !labelled && fields.len() != tys.len() {
            self.error_with_label(
                span,
                format!(
                    "`{what}` has {} value(s), but the pattern has {}",
                    tys.len(),
                    fields.len()
                ),
                "wrong number of values",
            );
        }
        let mut out: Vec<Option<Pat>> = vec![None; tys.len()];
        for (i, f) in fields.iter().enumerate() {
            let at = match (&f.label, labels) {
                (Some(l), Some(names)) => names.iter().position(|n| *n == l.name),
                (Some(l), None) => {
                    self.error(l.span, format!("the values of `{what}` have no labels"));
                    None
                }
                (None, _) => Some(i),
            };
            match at.filter(|&a| a < tys.len()) {
                Some(a) => out[a] = Some(self.check_pattern(&f.pattern, tys[a], binds)),
                None => {
                    if let Some(l) = &f.label {
                        self.error(l.span, format!("`{what}` has no field `{}`", l.name));
                    }
                    self.check_pattern(&f.pattern, Ty::Error, binds);
                }
            }
        }
        out.into_iter()
            .zip(tys)
            .map(|(p, &t)| {
                p.unwrap_or(Pat {
                    kind: PatKind::Wild,
                    ty: t,
                    span,
                })
            })
            .collect()
    }

    fn wild_fields(&mut self, fields: Option<&[ast::PatField]>, binds: &mut Shared) -> PatKind {
        for f in fields.unwrap_or(&[]) {
            self.check_pattern(&f.pattern, Ty::Error, binds);
        }
        PatKind::Wild
    }

    /// A pattern that must match every value of `ty` (in `let` and `for`).
    pub(crate) fn irrefutable_pattern(&mut self, p: &ast::Pattern, ty: Ty, mutable: bool) -> Pat {
        let pat = self.top_pattern(p, ty);
        if mutable {
            self.mark_mutable(&pat);
        }
        match self.uncovered(std::slice::from_ref(&&pat), ty) {
            None => {}
            Some(Uncovered::Value(missing)) => self.error_with_label(
                p.span,
                format!("this pattern does not match every value: `{missing}` is not covered"),
                "use `match` or `if let` for a pattern that may fail",
            ),
            Some(Uncovered::TooComplex) => self.error_with_label(
                p.span,
                "this pattern is too complex to check that it matches every value",
                "use `match` with a `_` arm",
            ),
        }
        pat
    }

    fn mark_mutable(&mut self, pat: &Pat) {
        match &pat.kind {
            PatKind::Bind(l) => self.cx.locals[l.index()].mutable = true,
            PatKind::Fields(ps) | PatKind::Variant { fields: ps, .. } | PatKind::Or(ps) => {
                for p in ps {
                    self.mark_mutable(p);
                }
            }
            _ => {}
        }
    }

    pub(crate) fn match_expr(
        &mut self,
        scrutinee: &ast::Expr,
        arms: &[ast::MatchArm],
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let s = self.expr(scrutinee, None);
        let sty = self.ty_of(s);
        let mut out = Vec::new();
        let mut result: Option<Ty> = expected;
        for arm in arms {
            self.cx.scopes.push(HashMap::new());
            let pat = self.top_pattern(&arm.pattern, sty);
            let guard = arm.guard.as_ref().map(|g| self.expect_expr(g, Ty::Bool));
            let body = self.expr(&arm.body, result);
            let bt = self.ty_of(body);
            match result {
                None if bt != Ty::Never && !bt.contains_error() => result = Some(bt),
                Some(want) if !self.agree(bt, want) => {
                    self.error_with_label(
                        arm.body.span,
                        format!("the arms of this `match` have different types: {want} and {bt}"),
                        format!("this is {bt}"),
                    );
                }
                _ => {}
            }
            self.cx.scopes.pop();
            out.push(Arm { pat, guard, body });
        }
        if !sty.contains_error() {
            let unguarded: Vec<&Pat> = out
                .iter()
                .filter(|a| a.guard.is_none())
                .map(|a| &a.pat)
                .collect();
            match self.uncovered(&unguarded, sty) {
                None => {}
                Some(Uncovered::Value(missing)) => self.error_with_label(
                    scrutinee.span,
                    format!("non-exhaustive match: `{missing}` is not covered"),
                    format!("add an arm for `{missing}`, or `_`"),
                ),
                Some(Uncovered::TooComplex) => self.error_with_label(
                    scrutinee.span,
                    "this `match` is too complex to check that it covers every value",
                    "add a `_` arm",
                ),
            }
        }
        let ty = if out.is_empty() {
            Ty::Never
        } else {
            result.unwrap_or(Ty::Never)
        };
        self.push_expr(
            ExprKind::Match {
                scrutinee: s,
                arms: out,
            },
            ty,
            span,
        )
    }

    /// `match s { pat => body, _ => otherwise }`: what `while let` is made of.
    fn match_or_else(
        &mut self,
        s: ExprId,
        pat: Pat,
        body: ExprId,
        otherwise: ExprId,
        ty: Ty,
        span: Span,
    ) -> ExprId {
        let wild = Pat {
            kind: PatKind::Wild,
            ty: pat.ty,
            span,
        };
        let arms = vec![
            Arm {
                pat,
                guard: None,
                body,
            },
            Arm {
                pat: wild,
                guard: None,
                body: otherwise,
            },
        ];
        self.push_expr(ExprKind::Match { scrutinee: s, arms }, ty, span)
    }

    /// `while let PAT = value { body }` as `loop { match value { PAT => body, _ => break } }`.
    pub(crate) fn while_let(
        &mut self,
        pattern: &ast::Pattern,
        value: &ast::Expr,
        body: &ast::Block,
        span: Span,
    ) -> ExprId {
        self.cx.loops.push(super::LoopCx {
            is_loop: false,
            break_ty: None,
        });
        let s = self.expr(value, None);
        let sty = self.ty_of(s);
        self.cx.scopes.push(HashMap::new());
        let pat = self.top_pattern(pattern, sty);
        let body_id = self.check_block(body, Some(Ty::Unit));
        self.cx.scopes.pop();
        self.cx.loops.pop();
        let brk = self.push_expr(ExprKind::Break(None), Ty::Never, span);
        let m = self.match_or_else(s, pat, body_id, brk, Ty::Unit, span);
        let block = self.push_expr(
            ExprKind::Block {
                stmts: vec![m],
                tail: None,
            },
            Ty::Unit,
            span,
        );
        self.push_expr(ExprKind::Loop { body: block }, Ty::Unit, span)
    }
}

/// The locals a pattern binds, in the order they appear. The alternatives of a
/// nested `|` bind the same locals, so only the first one is walked.
fn pattern_locals(p: &Pat, out: &mut Vec<LocalId>) {
    match &p.kind {
        PatKind::Bind(l) => out.push(*l),
        PatKind::Fields(ps) | PatKind::Variant { fields: ps, .. } => {
            for p in ps {
                pattern_locals(p, out);
            }
        }
        PatKind::Or(ps) => {
            if let Some(p) = ps.first() {
                pattern_locals(p, out);
            }
        }
        PatKind::Wild | PatKind::Lit(_) | PatKind::Range { .. } => {}
    }
}
