//! Generic functions, instantiated on demand like templates.
//!
//! A generic function's declaration is kept (as an `Rc<ast::FnDecl>` in its
//! signature) and not checked by itself. A call gives each type parameter a
//! unification variable, checks the arguments against the parameter types (closure
//! arguments last) and records the call. When the calling body's inference is
//! finished, the variables are concrete: the call asks for the instance
//! `(function, [type arguments])`. The session caches instances, so each is checked
//! — the declaration's body with the type parameters bound to the arguments — and
//! compiled once. An error inside an instance names the instance and points at the
//! call that asked for it.

use super::Checker;
use crate::hir::{ExprId, ExprKind, FuncId};
use crate::ty::Ty;
use kiln_syntax::ast;
use kiln_syntax::Span;
use std::collections::HashMap;

/// How deep instances may ask for instances (`f<T>` calling `f<[T]>` would
/// otherwise never end).
const MAX_INSTANCE_DEPTH: usize = 64;

/// A generic function or method: its declaration, and for a method, the `impl`'s
/// type parameters (which come first among the type arguments) and the struct or
/// enum it belongs to.
#[derive(Debug)]
pub(crate) struct Generic {
    pub decl: ast::FnDecl,
    pub impl_generics: Vec<String>,
    pub self_adt: Option<usize>,
}

impl Generic {
    pub fn function(decl: &ast::FnDecl) -> Generic {
        Generic {
            decl: decl.clone(),
            impl_generics: Vec::new(),
            self_adt: None,
        }
    }

    /// Every type parameter: the `impl`'s, then the function's own.
    fn params(&self) -> impl Iterator<Item = &str> {
        self.impl_generics
            .iter()
            .map(|s| s.as_str())
            .chain(self.decl.sig.generics.iter().map(|g| g.name.as_str()))
    }

    pub fn takes_self(&self) -> bool {
        self.decl.sig.params.first().is_some_and(|p| p.is_self)
    }
}

/// A call of a generic function whose type arguments are known once the calling
/// body's inference is finished.
pub(crate) struct GenericCall {
    /// The closure the call is in, or `None` for the body itself.
    pub in_closure: Option<FuncId>,
    pub expr: ExprId,
    pub generic: FuncId,
    pub targs: Vec<Ty>,
    pub span: Span,
}

/// An instance to check.
pub(crate) struct Request {
    generic: FuncId,
    targs: Vec<Ty>,
    instance: FuncId,
    call_span: Span,
    depth: usize,
}

impl Checker {
    /// `f(args)` for a generic `f`, or `recv.f(args)` for a generic method.
    pub(crate) fn generic_call(
        &mut self,
        func: FuncId,
        recv: Option<ExprId>,
        args: &[ast::Arg],
        expected: Option<Ty>,
        span: Span,
    ) -> ExprId {
        let sig = self.state.sigs[func.index()].clone();
        let generic = sig.generic.expect("called for generic functions");
        let count = generic.params().count();
        let targs: Vec<Ty> = (0..count)
            .map(|_| self.fresh_var(span, "let p: Pair<int, str> = ..."))
            .collect();
        let (params, ret) = self.home_signature(func, &generic, &targs);
        if let Some(e) = expected {
            // The expected result can decide a type argument (`let s: [str] = f()`).
            if ret.contains_infer() {
                self.unify(ret, e);
            }
        }
        let mut param_tys: Vec<Ty> = params.iter().map(|(_, t)| *t).collect();
        let mut ids = Vec::new();
        if let Some(r) = recv {
            let self_ty = param_tys.remove(0);
            let rty = self.ty_of(r);
            self.unify(rty, self_ty);
            ids.push(r);
        }
        ids.extend(self.call_args(&sig.name, &param_tys, args, span));
        let id = self.push_expr(ExprKind::Call { func, args: ids }, ret, span);
        self.record_generic_use(id, func, targs, span);
        id
    }

    /// Records `expr`, a call or value of the generic `func` with `targs` (still
    /// being inferred), to be pointed at its instance when inference finishes
    /// ([`Checker::resolve_generic_calls`]).
    fn record_generic_use(&mut self, expr: ExprId, func: FuncId, targs: Vec<Ty>, span: Span) {
        self.vars.generic_calls.push(GenericCall {
            in_closure: self.cx.closure_id,
            expr,
            generic: func,
            targs,
            span,
        });
    }

    /// A generic function used as a value (`let g: fn(int) -> int = id`): its type
    /// is the generic signature with fresh type variables, which the use decides;
    /// once inference finishes the value names the instance
    /// ([`Checker::resolve_generic_calls`]), or an error says the type arguments
    /// could not be inferred.
    pub(crate) fn generic_value(&mut self, func: FuncId, span: Span) -> ExprId {
        let generic = self.state.sigs[func.index()]
            .generic
            .clone()
            .expect("called for generic functions");
        let targs: Vec<Ty> = (0..generic.params().count())
            .map(|_| self.fresh_var(span, "let f: fn(int) -> int = ..."))
            .collect();
        let (params, ret) = self.home_signature(func, &generic, &targs);
        let ty = Ty::func(params.iter().map(|(_, t)| *t).collect(), ret);
        let id = self.push_expr(ExprKind::FuncValue(func), ty, span);
        self.record_generic_use(id, func, targs, span);
        id
    }

    /// The parameter and result types of the generic `func` (whose declaration is
    /// `generic`) for `targs`, its names read in its home namespace.
    fn home_signature(
        &mut self,
        func: FuncId,
        generic: &Generic,
        targs: &[Ty],
    ) -> (Vec<(String, Ty)>, Ty) {
        let home = self.enter_home(func);
        let signature = self.instance_signature(generic, targs);
        self.leave_home(home);
        signature
    }

    /// Reports, once and where it is declared, what is wrong in a generic
    /// function's signature whatever its type arguments (an unknown type): its
    /// signature is read with a placeholder for each type parameter, as
    /// [`Checker::same_generic_signature`] reads it. Without this a generic
    /// function that is never called would hide the error, and each instance
    /// would report it again.
    pub(crate) fn check_generic_signature(&mut self, f: FuncId) {
        let Some(generic) = self.state.sigs[f.index()].generic.clone() else {
            return;
        };
        let probes: Vec<Ty> = (0..generic.params().count() as u32)
            .map(Ty::Param)
            .collect();
        self.home_signature(f, &generic, &probes);
    }

    /// The parameter and result types of a generic function for `targs`.
    fn instance_signature(&mut self, generic: &Generic, targs: &[Ty]) -> (Vec<(String, Ty)>, Ty) {
        let scope: HashMap<String, Ty> = generic
            .params()
            .zip(targs)
            .map(|(g, &t)| (g.to_string(), t))
            .collect();
        let self_ty = generic.self_adt.map(|index| {
            let n = generic.impl_generics.len();
            self.adt_ty_with(index, targs[..n.min(targs.len())].to_vec())
        });
        let saved = std::mem::replace(&mut self.type_params, scope);
        let decl = &generic.decl;
        let params = decl
            .sig
            .params
            .iter()
            .map(|p| {
                let t = match (&p.ty, self_ty) {
                    (_, Some(s)) if p.is_self => s,
                    (Some(t), _) => self.resolve_type(t),
                    (None, _) => Ty::Error,
                };
                (p.name.name.clone(), t)
            })
            .collect();
        let ret = decl
            .sig
            .ret
            .as_ref()
            .map_or(Ty::Unit, |t| self.resolve_type(t));
        self.type_params = saved;
        (params, ret)
    }

    /// The instance of `generic` for `targs` (all concrete), made on first use.
    pub(crate) fn instance(&mut self, generic: FuncId, targs: Vec<Ty>, call_span: Span) -> FuncId {
        let key = (generic, targs.clone());
        if let Some(&id) = self.state.names.instances.get(&key) {
            self.instance_stats.1 += 1;
            return id;
        }
        self.instance_stats.0 += 1;
        let sig = self.state.sigs[generic.index()].clone();
        let info = sig.generic.clone().expect("a generic function");
        let (params, ret) = self.home_signature(generic, &info, &targs);
        let shown: Vec<String> = targs.iter().map(|t| t.to_string()).collect();
        let name = format!("{}<{}>", sig.name, shown.join(", "));
        let id = self.new_func_id(&name, params, ret, info.decl.sig.span);
        self.state.names.instances.insert(key, id);
        self.instance_queue.push(Request {
            generic,
            targs,
            instance: id,
            call_span,
            depth: self.instance_depth + 1,
        });
        id
    }

    /// For each generic function (or method) this unit redefines with the same
    /// generic signature: makes the new one's instance for every instance the old
    /// one has, and records the pair as a redefinition, so that (as for a
    /// non-generic function) the new instance takes over the old one's slot and
    /// earlier callers run the new body.
    pub(crate) fn replace_generic_instances(&mut self) {
        let shadowed = self.shadowed.clone();
        let pairs: Vec<(FuncId, FuncId)> = shadowed
            .into_iter()
            .filter(|&(old, new)| self.same_generic_signature(old, new))
            .collect();
        for (old, new) in pairs {
            self.replaced_templates.push(old);
            let mut instances: Vec<(Vec<Ty>, FuncId)> = self
                .state
                .names
                .instances
                .iter()
                .filter(|((g, _), _)| *g == old)
                .map(|((_, targs), &inst)| (targs.clone(), inst))
                .collect();
            instances.sort_by_key(|&(_, inst)| inst);
            let span = self.state.sigs[new.index()].span;
            for (targs, inst) in instances {
                let replacement = self.instance(new, targs, span);
                self.shadowed.push((inst, replacement));
            }
        }
        self.check_instances();
    }

    /// Whether two generic functions have the same signature: as many type
    /// parameters, and the same parameter and result types when each type
    /// parameter is the same placeholder (each read in its own home namespace).
    fn same_generic_signature(&mut self, a: FuncId, b: FuncId) -> bool {
        let (Some(ga), Some(gb)) = (
            self.state.sigs[a.index()].generic.clone(),
            self.state.sigs[b.index()].generic.clone(),
        ) else {
            return false;
        };
        let n = ga.params().count();
        if n != gb.params().count() || ga.self_adt != gb.self_adt {
            return false;
        }
        let probes: Vec<Ty> = (0..n as u32).map(Ty::Param).collect();
        let errors = self.diags.len();
        let sa = self.home_signature(a, &ga, &probes);
        let sb = self.home_signature(b, &gb, &probes);
        // Resolving a signature again reports nothing new; if it did, it is not
        // this check's to report.
        self.diags.truncate(errors);
        let types =
            |s: &(Vec<(String, Ty)>, Ty)| (s.0.iter().map(|p| p.1).collect::<Vec<_>>(), s.1);
        types(&sa) == types(&sb)
    }

    /// Checks every instance asked for, including those the checked ones ask for.
    pub(crate) fn check_instances(&mut self) {
        while let Some(req) = self.instance_queue.pop() {
            let info = self.state.sigs[req.generic.index()]
                .generic
                .clone()
                .expect("a generic function");
            let name = self.state.sigs[req.instance.index()].name.clone();
            if req.depth > MAX_INSTANCE_DEPTH {
                self.error_with_label(
                    req.call_span,
                    format!("too many nested instances of a generic function, at `{name}`"),
                    "asks for an instance of ever larger types",
                );
                continue;
            }
            let scope: HashMap<String, Ty> = info
                .params()
                .zip(&req.targs)
                .map(|(g, &t)| (g.to_string(), t))
                .collect();
            let errors_before = self.diags.len();
            let saved_scope = std::mem::replace(&mut self.type_params, scope);
            let saved_depth = std::mem::replace(&mut self.instance_depth, req.depth);
            // The body's names are those of its home: the module, or the earlier
            // unit, it was declared in.
            let home = self.enter_home(req.generic);
            let globals = match self.state.template_globals.get(&req.generic) {
                Some(seen) => seen.clone(),
                None => self.state.names.globals.clone(),
            };
            let body = self.check_fn(req.instance, &info.decl, globals);
            self.leave_home(home);
            self.type_params = saved_scope;
            self.instance_depth = saved_depth;
            for d in &mut self.diags[errors_before..] {
                d.secondary
                    .push((req.call_span, format!("`{name}` is asked for here")));
                d.notes.push(format!("in the instance `{name}`"));
            }
            self.bodies.insert(req.instance, body);
        }
    }

    /// Points each finished generic call at its instance.
    pub(crate) fn resolve_generic_calls(
        &mut self,
        f: &mut crate::hir::Function,
        calls: Vec<GenericCall>,
        reported: &[u32],
    ) {
        for call in calls {
            let targs: Vec<Ty> = call.targs.iter().map(|&t| self.resolve(t)).collect();
            if targs.iter().any(|t| t.contains_error()) {
                continue;
            }
            let unknown: Vec<u32> = targs.iter().flat_map(|t| t.infer_vars()).collect();
            if unknown.iter().any(|v| reported.contains(v)) {
                // Already reported where the value without a type was made.
                continue;
            }
            if !unknown.is_empty() {
                let name = self.state.sigs[call.generic.index()].name.clone();
                self.diags.push(
                    kiln_syntax::Diagnostic::error(
                        call.span,
                        format!("cannot infer the type arguments of `{name}`"),
                    )
                    .with_label("type arguments needed")
                    .with_note("annotate an argument or the variable the result goes to"),
                );
                continue;
            }
            let instance = self.instance(call.generic, targs, call.span);
            let target = match call.in_closure {
                None => Some(&mut *f),
                Some(c) => self.bodies.get_mut(&c),
            };
            if let Some(func) = target {
                match &mut func.exprs[call.expr.index()].kind {
                    ExprKind::Call { func: callee, .. } | ExprKind::FuncValue(callee) => {
                        *callee = instance;
                    }
                    _ => {}
                }
            }
        }
    }
}
