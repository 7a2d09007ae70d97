//! Expressions that make or take apart compound values: array, map and tuple
//! literals, struct construction, enum variants (`Shape.Rect(...)`, `Some(x)`),
//! fields, indexing and slicing, `?`, and `for` over arrays, maps and strings.

use super::Checker;
use crate::hir::{AdtKind, ExprId, ExprKind, ForKind};
use crate::ty::{intern, HeapTy, Ty};
use kiln_syntax::ast::{self, ExprKind as Ast};
use kiln_syntax::Span;
use std::collections::HashMap;

/// What a name used as a receiver or callee denotes, besides a value.
pub(crate) enum TypeName {
    /// A struct or enum, by index in `program.adts`.
    Adt(usize),
    /// A module brought in by `import`.
    Module(super::ModuleId),
}

impl Checker {
    /// Whether `name` is a type (or module) rather than a value in this scope.
    pub(crate) fn type_name(&self, name: &str) -> Option<TypeName> {
        if self.is_local_name(name) || self.cx.globals.contains_key(name) {
            return None;
        }
        if let Some(&i) = self.state.names.adts.get(name) {
            return Some(TypeName::Adt(i));
        }
        self.state
            .names
            .imports
            .get(name)
            .copied()
            .map(TypeName::Module)
    }

    pub(crate) fn array_literal(
        &mut self,
        items: &[ast::Expr],
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let hint = match expected.and_then(|t| t.heap()) {
            Some(HeapTy::Array(t)) => Some(t),
            _ => None,
        };
        let Some(first) = items.first() else {
            return match hint {
                Some(t) => self.push_expr(ExprKind::Array(Vec::new()), Ty::array(t), span),
                None => {
                    let t = self.fresh_var(span, "let xs: [int] = []");
                    self.push_expr(ExprKind::Array(Vec::new()), Ty::array(t), span)
                }
            };
        };
        let first_id = self.expr(first, hint);
        let elem = hint.unwrap_or_else(|| self.ty_of(first_id));
        self.expect_fits(first_id, elem, first.span);
        let mut ids = vec![first_id];
        for item in &items[1..] {
            ids.push(self.expect_expr(item, elem));
        }
        self.push_expr(ExprKind::Array(ids), Ty::array(elem), span)
    }

    pub(crate) fn array_repeat(
        &mut self,
        value: &ast::Expr,
        count: &ast::Expr,
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let hint = match expected.and_then(|t| t.heap()) {
            Some(HeapTy::Array(t)) => Some(t),
            _ => None,
        };
        let v = self.expr(value, hint);
        let elem = hint.unwrap_or_else(|| self.ty_of(v));
        self.expect_fits(v, elem, value.span);
        let n = self.expect_expr(count, Ty::INT);
        self.push_expr(
            ExprKind::ArrayRepeat { value: v, count: n },
            Ty::array(elem),
            span,
        )
    }

    pub(crate) fn map_literal(
        &mut self,
        entries: &[(ast::Expr, ast::Expr)],
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let (hk, hv) = match expected.and_then(|t| t.heap()) {
            Some(HeapTy::Map(k, v)) => (Some(k), Some(v)),
            _ => (None, None),
        };
        let Some((k0, v0)) = entries.first() else {
            return match (hk, hv) {
                (Some(k), Some(v)) => {
                    self.push_expr(ExprKind::Map(Vec::new()), intern(HeapTy::Map(k, v)), span)
                }
                _ => {
                    let fix = "let m: [str: int] = [:]";
                    let k = hk.unwrap_or_else(|| self.fresh_var(span, fix));
                    let v = hv.unwrap_or_else(|| self.fresh_var(span, fix));
                    self.push_expr(ExprKind::Map(Vec::new()), intern(HeapTy::Map(k, v)), span)
                }
            };
        };
        let k = self.expr(k0, hk);
        let v = self.expr(v0, hv);
        let kt = hk.unwrap_or_else(|| self.ty_of(k));
        let vt = hv.unwrap_or_else(|| self.ty_of(v));
        self.expect_fits(k, kt, k0.span);
        self.expect_fits(v, vt, v0.span);
        if hk.is_none() {
            self.check_key_type(kt, k0.span);
        }
        let mut ids = vec![(k, v)];
        for (ke, ve) in &entries[1..] {
            let k = self.expect_expr(ke, kt);
            let v = self.expect_expr(ve, vt);
            ids.push((k, v));
        }
        self.push_expr(ExprKind::Map(ids), intern(HeapTy::Map(kt, vt)), span)
    }

    pub(crate) fn tuple_literal(
        &mut self,
        items: &[ast::Expr],
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let hints = match expected.and_then(|t| t.heap()) {
            Some(HeapTy::Tuple(ts)) if ts.len() == items.len() => ts,
            _ => Vec::new(),
        };
        let mut ids = Vec::new();
        let mut tys = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let id = self.expr(item, hints.get(i).copied());
            tys.push(self.ty_of(id));
            ids.push(id);
        }
        self.push_expr(ExprKind::Record(ids), intern(HeapTy::Tuple(tys)), span)
    }

    pub(crate) fn tuple_field(
        &mut self,
        base: &ast::Expr,
        index: u32,
        index_span: Span,
        span: Span,
    ) -> ExprId {
        let b = self.expr(base, None);
        let bt = self.ty_of(b);
        match bt.heap() {
            Some(HeapTy::Tuple(ts)) => match ts.get(index as usize) {
                Some(&t) => self.push_expr(ExprKind::Field { base: b, index }, t, span),
                None => {
                    self.error_with_label(
                        index_span,
                        format!("the tuple {bt} has no element {index}"),
                        format!("it has {} elements", ts.len()),
                    );
                    self.error_expr(span)
                }
            },
            _ if bt.contains_error() || bt == Ty::Never => self.error_expr(span),
            _ => {
                self.error_with_label(
                    index_span,
                    format!("{bt} is not a tuple"),
                    "no numbered elements",
                );
                self.error_expr(span)
            }
        }
    }

    /// `base.name`: a struct field, or `Enum.Variant` for a variant without fields.
    pub(crate) fn field(&mut self, base: &ast::Expr, name: &ast::Ident, span: Span) -> ExprId {
        if let Ast::Name(id) = &base.kind {
            match self.type_name(&id.name) {
                Some(TypeName::Adt(i)) => return self.variant_value(i, name, None, None, span),
                Some(TypeName::Module(m)) => return self.module_value(m, id, name, span),
                None => {}
            }
        }
        if let Some(i) = self.module_adt_path(base) {
            return self.variant_value(i, name, None, None, span);
        }
        let b = self.expr(base, None);
        if self.require_known(self.ty_of(b), base.span, "to read a field") {
            return self.error_expr(span);
        }
        let bt = self.ty_of(b);
        match self.struct_field(bt, &name.name) {
            Some((index, t)) => self.push_expr(ExprKind::Field { base: b, index }, t, span),
            None if bt.contains_error() || bt == Ty::Never => self.error_expr(span),
            None => {
                self.error_with_label(
                    name.span,
                    format!("{bt} has no field `{}`", name.name),
                    "unknown field",
                );
                self.error_expr(span)
            }
        }
    }

    /// The index and type of a struct's field.
    pub(crate) fn struct_field(&self, ty: Ty, name: &str) -> Option<(u32, Ty)> {
        match &self.adt_of(ty)?.kind {
            AdtKind::Struct(fields) => fields
                .iter()
                .position(|(n, _)| n == name)
                .map(|i| (i as u32, fields[i].1)),
            AdtKind::Enum(_) => None,
        }
    }

    /// `Point(x: 1.0, y: 2.0)` or `Point(1.0, 2.0)`.
    pub(crate) fn construct_struct(
        &mut self,
        index: usize,
        args: &[ast::Arg],
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let (ty, adt) = self.fresh_adt(index, expected, span);
        let AdtKind::Struct(fields) = &adt.kind else {
            self.error(
                span,
                format!(
                    "`{}` is an enum: name a variant, as in `{}.Variant(...)`",
                    adt.name, adt.name
                ),
            );
            return self.error_expr(span);
        };
        let labels: Vec<String> = fields.iter().map(|(n, _)| n.clone()).collect();
        let tys: Vec<Ty> = fields.iter().map(|(_, t)| *t).collect();
        match self.constructor_args(&adt.name, Some(&labels), &tys, args, span) {
            Some(ids) => self.push_expr(ExprKind::Record(ids), ty, span),
            None => self.error_expr(span),
        }
    }

    /// Checks constructor arguments, positional or labelled, and returns them in
    /// declaration order.
    fn constructor_args(
        &mut self,
        what: &str,
        labels: Option<&[String]>,
        tys: &[Ty],
        args: &[ast::Arg],
        span: Span,
    ) -> Option<Vec<ExprId>> {
        if args.len() != tys.len() {
            let plural = if tys.len() == 1 { "" } else { "s" };
            self.error_with_label(
                span,
                format!(
                    "`{what}` takes {} value{plural} but {} were given",
                    tys.len(),
                    args.len()
                ),
                "wrong number of values",
            );
            for a in args {
                self.expr(&a.value, None);
            }
            return None;
        }
        let mut slots: Vec<Option<ExprId>> = vec![None; tys.len()];
        let mut ok = true;
        for (i, arg) in args.iter().enumerate() {
            let at = match (&arg.label, labels) {
                (None, _) => i,
                (Some(l), Some(names)) => match names.iter().position(|n| *n == l.name) {
                    Some(p) => p,
                    None => {
                        self.error_with_label(
                            l.span,
                            format!("`{what}` has no field `{}`", l.name),
                            "unknown label",
                        );
                        ok = false;
                        i
                    }
                },
                (Some(l), None) => {
                    self.error(l.span, format!("the values of `{what}` have no labels"));
                    ok = false;
                    i
                }
            };
            let id = self.expect_expr(&arg.value, tys[at]);
            if slots[at].is_some() {
                self.error(
                    arg.value.span,
                    format!(
                        "the field `{}` is given twice",
                        labels.map_or("", |l| &l[at])
                    ),
                );
                ok = false;
            }
            slots[at] = Some(id);
        }
        if !ok {
            return None;
        }
        slots.into_iter().collect()
    }

    /// `Shape.Rect(w: 2.0, h: 3.0)` (with `args`) or `Shape.Empty` (without).
    pub(crate) fn variant_value(
        &mut self,
        index: usize,
        name: &ast::Ident,
        args: Option<&[ast::Arg]>,
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let (ty, adt) = self.fresh_adt(index, expected, span);
        let AdtKind::Enum(variants) = &adt.kind else {
            let what = if args.is_some() {
                "static function"
            } else {
                "variant"
            };
            self.error_with_label(
                name.span,
                format!("`{}` has no {what} `{}`", adt.name, name.name),
                "not found",
            );
            return self.error_expr(span);
        };
        let Some(tag) = variants.iter().position(|v| v.name == name.name) else {
            self.error_with_label(
                name.span,
                format!("`{}` has no variant `{}`", adt.name, name.name),
                "not found",
            );
            return self.error_expr(span);
        };
        let v = &variants[tag];
        let full = format!("{}.{}", adt.name, v.name);
        let fields = match args {
            None if v.fields.is_empty() => Vec::new(),
            None => {
                self.error_with_label(
                    span,
                    format!("`{full}` needs {} value(s)", v.fields.len()),
                    format!("write `{full}(...)`"),
                );
                return self.error_expr(span);
            }
            Some(args) => {
                match self.constructor_args(&full, v.labels.as_deref(), &v.fields, args, span) {
                    Some(ids) => ids,
                    None => return self.error_expr(span),
                }
            }
        };
        self.push_expr(
            ExprKind::Variant {
                tag: tag as u32,
                fields,
            },
            ty,
            span,
        )
    }

    /// `Some(x)`, `None`, `Ok(x)`, `Err(e)`: typed from the expectation where the
    /// argument alone cannot tell.
    pub(crate) fn builtin_variant(
        &mut self,
        name: &str,
        args: Option<&[ast::Arg]>,
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let exp = expected.and_then(|t| t.heap());
        let arg = args.and_then(|a| a.first());
        if let Some(a) = args {
            let want = if name == "None" { 0 } else { 1 };
            if a.len() != want {
                self.error(
                    span,
                    format!("`{name}` takes {want} value(s) but {} were given", a.len()),
                );
                return self.error_expr(span);
            }
        } else if name != "None" {
            self.error(span, format!("`{name}` needs a value: `{name}(...)`"));
            return self.error_expr(span);
        }
        match name {
            "None" => match exp {
                Some(HeapTy::Option(t)) => self.push_expr(
                    ExprKind::Variant {
                        tag: 0,
                        fields: Vec::new(),
                    },
                    Ty::option(t),
                    span,
                ),
                _ => {
                    let t = self.fresh_var(span, "let x: int? = None");
                    self.push_expr(
                        ExprKind::Variant {
                            tag: 0,
                            fields: Vec::new(),
                        },
                        Ty::option(t),
                        span,
                    )
                }
            },
            "Some" => {
                let hint = match exp {
                    Some(HeapTy::Option(t)) => Some(t),
                    _ => None,
                };
                let Some(a) = arg else {
                    return self.error_expr(span);
                };
                let v = self.expr(&a.value, hint);
                let t = hint.unwrap_or_else(|| self.ty_of(v));
                self.expect_fits(v, t, a.value.span);
                self.push_expr(
                    ExprKind::Variant {
                        tag: 1,
                        fields: vec![v],
                    },
                    Ty::option(t),
                    span,
                )
            }
            _ => {
                let ok = name == "Ok";
                let (ht, he) = match exp {
                    Some(HeapTy::Result(t, e)) => (Some(t), Some(e)),
                    _ => (None, None),
                };
                let Some(a) = arg else {
                    return self.error_expr(span);
                };
                let hint = if ok { ht } else { he };
                let v = self.expr(&a.value, hint);
                let vt = hint.unwrap_or_else(|| self.ty_of(v));
                self.expect_fits(v, vt, a.value.span);
                let other = if ok { he } else { ht };
                let other = match other {
                    Some(t) => t,
                    None => self.fresh_var(span, "let r: Result<int, str> = Ok(1)"),
                };
                let (t, e) = if ok { (vt, other) } else { (other, vt) };
                let tag = if ok { 0 } else { 1 };
                self.push_expr(
                    ExprKind::Variant {
                        tag,
                        fields: vec![v],
                    },
                    intern(HeapTy::Result(t, e)),
                    span,
                )
            }
        }
    }

    /// `base[index]` and `base[lo..hi]`.
    pub(crate) fn index(&mut self, base: &ast::Expr, index: &ast::Expr, span: Span) -> ExprId {
        let b = self.expr(base, None);
        if self.require_known(self.ty_of(b), base.span, "to index it") {
            self.expr(index, None);
            return self.error_expr(span);
        }
        let bt = self.ty_of(b);
        if let Ast::Range { lo, hi, inclusive } = &index.kind {
            return self.slice(b, bt, lo.as_deref(), hi.as_deref(), *inclusive, span);
        }
        match bt.heap() {
            Some(HeapTy::Array(t)) => {
                let i = self.expect_expr(index, Ty::INT);
                self.push_expr(ExprKind::Index { base: b, index: i }, t, span)
            }
            Some(HeapTy::Map(k, v)) => {
                let i = self.expect_expr(index, k);
                self.push_expr(ExprKind::Index { base: b, index: i }, v, span)
            }
            _ if bt.contains_error() || bt == Ty::Never => {
                self.expr(index, None);
                self.error_expr(span)
            }
            _ if bt == Ty::Str => {
                self.expr(index, None);
                self.error_with_label(
                    span,
                    "a string cannot be indexed by a number",
                    "slice it by byte offsets (`s[a..b]`) or walk its `chars()`",
                );
                self.error_expr(span)
            }
            _ => {
                self.expr(index, None);
                self.error_with_label(
                    span,
                    format!("{bt} cannot be indexed"),
                    "not an array or a map",
                );
                self.error_expr(span)
            }
        }
    }

    fn slice(
        &mut self,
        b: ExprId,
        bt: Ty,
        lo: Option<&ast::Expr>,
        hi: Option<&ast::Expr>,
        inclusive: bool,
        span: Span,
    ) -> ExprId {
        let lo = lo.map(|e| self.expect_expr(e, Ty::INT));
        let mut hi = hi.map(|e| self.expect_expr(e, Ty::INT));
        if inclusive {
            // `a[lo..=hi]` is `a[lo..hi + 1]`, with the overflow check of `+`.
            if let Some(h) = hi {
                let sp = self.cx.exprs[h.index()].span;
                let one = self.push_expr(ExprKind::Const(crate::hir::Const::Int(1)), Ty::INT, sp);
                hi = Some(self.push_expr(
                    ExprKind::Binary {
                        op: ast::BinOp::Add,
                        lhs: h,
                        rhs: one,
                    },
                    Ty::INT,
                    sp,
                ));
            }
        }
        let ok = bt == Ty::Str || matches!(bt.heap(), Some(HeapTy::Array(_)));
        if !ok && !bt.contains_error() {
            self.error_with_label(
                span,
                format!("{bt} cannot be sliced"),
                "only arrays and strings can",
            );
            return self.error_expr(span);
        }
        self.push_expr(ExprKind::Slice { base: b, lo, hi }, bt, span)
    }

    /// `value?`: unwraps `Some`/`Ok` or returns the `None`/`Err` from the function.
    pub(crate) fn try_expr(&mut self, value: &ast::Expr, span: Span) -> ExprId {
        let v = self.expr(value, None);
        let vt = self.ty_of(v);
        let ret = self.cx.ret;
        let Some(ret) = ret else {
            self.error_with_label(
                span,
                "`?` outside of a function",
                "top-level code cannot return",
            );
            return self.error_expr(span);
        };
        if self.cx.gen.is_some() && !vt.contains_error() {
            self.error_with_label(
                span,
                "`?` inside a generator",
                "a generator returns no value to pass an error on with",
            );
            return self.error_expr(span);
        }
        let inner = match (vt.heap(), ret.heap()) {
            (Some(HeapTy::Option(t)), Some(HeapTy::Option(_))) => t,
            (Some(HeapTy::Result(t, e)), Some(HeapTy::Result(_, re))) => {
                if !e.fits(re) {
                    self.error_with_label(
                        span,
                        format!("`?` cannot return the error type {e} from a function whose errors are {re}"),
                        format!("this is {vt}"),
                    );
                }
                t
            }
            _ if vt.contains_error() || ret.contains_error() => return self.error_expr(span),
            (Some(HeapTy::Option(_) | HeapTy::Result(..)), _) => {
                self.error_with_label(
                    span,
                    format!(
                        "`?` on {vt} needs a function that returns {}",
                        if matches!(vt.heap(), Some(HeapTy::Option(_))) {
                            "an option"
                        } else {
                            "a `Result`"
                        }
                    ),
                    format!("this function returns {ret}"),
                );
                return self.error_expr(span);
            }
            _ => {
                self.error_with_label(
                    span,
                    format!("`?` needs an option or a `Result`, not {vt}"),
                    "cannot unwrap",
                );
                return self.error_expr(span);
            }
        };
        self.push_expr(ExprKind::Try(v), inner, span)
    }

    /// `for PAT in iter` over an array, a map or a string.
    pub(crate) fn for_each(
        &mut self,
        pattern: &ast::Pattern,
        iter: &ast::Expr,
        body: &ast::Block,
        span: Span,
    ) -> ExprId {
        let it = self.expr(iter, None);
        let ity = self.ty_of(it);
        let (kind, elem) = match ity.heap() {
            Some(HeapTy::Array(t)) => (ForKind::Array, t),
            Some(HeapTy::Map(k, v)) => (ForKind::Map, intern(HeapTy::Tuple(vec![k, v]))),
            Some(HeapTy::Gen(t)) => (ForKind::Gen, t),
            _ if ity == Ty::Str => (ForKind::Str, Ty::Char),
            _ if ity.contains_error() || ity == Ty::Never => (ForKind::Array, Ty::Error),
            _ => {
                self.error_with_label(
                    iter.span,
                    format!("cannot iterate over {ity}"),
                    "`for` walks ranges, arrays, maps, strings and generators",
                );
                (ForKind::Array, Ty::Error)
            }
        };
        self.cx.scopes.push(HashMap::new());
        let pat = self.irrefutable_pattern(pattern, elem, false);
        self.cx.loops.push(super::LoopCx {
            is_loop: false,
            break_ty: None,
        });
        let body = self.check_block(body, Some(Ty::Unit));
        self.cx.loops.pop();
        self.cx.scopes.pop();
        self.push_expr(
            ExprKind::ForEach {
                kind,
                pat,
                iter: it,
                body,
            },
            Ty::Unit,
            span,
        )
    }
}

impl Checker {
    /// `base.field = value`, `base[index] = value` and their compound forms.
    pub(crate) fn assign_place(
        &mut self,
        op: Option<ast::BinOp>,
        target: &ast::Expr,
        value: &ast::Expr,
        span: Span,
    ) -> ExprId {
        // The place is read and written through the same ids; lowering evaluates
        // `base` and `index` once.
        let (read, write): (ExprId, Box<dyn Fn(ExprId) -> ExprKind>) = match &target.kind {
            Ast::Field { base, name } => {
                if let Ast::Name(module) = &base.kind {
                    if let Some(TypeName::Module(_)) = self.type_name(&module.name) {
                        self.error_with_label(
                            target.span,
                            format!(
                                "cannot assign to `{}.{}`: a module's globals change only \
                                 through its own functions",
                                module.name, name.name
                            ),
                            "a module's item",
                        );
                        self.expr(value, None);
                        return self.error_expr(span);
                    }
                }
                let b = self.expr(base, None);
                let bt = self.ty_of(b);
                let Some((index, ty)) = self.struct_field(bt, &name.name) else {
                    if !bt.contains_error() {
                        self.error_with_label(
                            name.span,
                            format!("{bt} has no field `{}`", name.name),
                            "unknown field",
                        );
                    }
                    self.expr(value, None);
                    return self.error_expr(span);
                };
                let read = self.push_expr(ExprKind::Field { base: b, index }, ty, target.span);
                (
                    read,
                    Box::new(move |v| ExprKind::SetField {
                        base: b,
                        index,
                        value: v,
                    }),
                )
            }
            Ast::Index { base, index } => {
                let read = self.index(base, index, target.span);
                let ExprKind::Index { base: b, index: i } = self.cx.exprs[read.index()].kind else {
                    self.expr(value, None);
                    return self.error_expr(span);
                };
                (
                    read,
                    Box::new(move |v| ExprKind::SetIndex {
                        base: b,
                        index: i,
                        value: v,
                    }),
                )
            }
            _ => return self.error_expr(span),
        };
        let ty = self.ty_of(read);
        let new_value = match op {
            None => self.expect_expr(value, ty),
            Some(op) => {
                let r = self.expr(value, Some(ty));
                let combined = self.binary_typed(op, read, r, span);
                self.expect_fits(combined, ty, value.span);
                combined
            }
        };
        let kind = write(new_value);
        self.push_expr(kind, Ty::Unit, span)
    }
}
