//! Structs, enums and their `impl` blocks: declaring them, resolving their fields,
//! and registering methods and static functions as ordinary functions whose first
//! parameter is `self`.

use super::generics::Generic;
use super::{Callee, Checker, FuncSig, NameKind};
use crate::hir::{AdtDef, AdtKind, FuncId, VariantDef};
use crate::ty::{intern, is_builtin_type_name, new_adt_id, HeapTy, Ty};
use kiln_syntax::ast::{self, ItemKind, TypeKind, VariantPayload};
use kiln_syntax::Span;
use std::collections::HashMap;

impl Checker {
    /// Declares a struct or enum (`what`: "a struct", "an enum") by name; its
    /// fields and variants are resolved later.
    pub(crate) fn declare_adt(&mut self, name: &ast::Ident, generics: &[ast::Ident], what: &str) {
        if self.is_builtin_type(name, what) {
            return;
        }
        if !self.unit_types.insert(name.name.clone()) {
            self.error_with_label(
                name.span,
                format!("the type `{}` is defined twice", name.name),
                "redefined here",
            );
            return;
        }
        self.take_name(name, NameKind::Adt);
        let id = new_adt_id();
        self.state.program.adts.push(AdtDef {
            id,
            name: name.name.clone(),
            generics: generics.iter().map(|g| g.name.clone()).collect(),
            kind: AdtKind::Struct(Vec::new()),
        });
        let new = self.state.program.adts.len() - 1;
        if let Some(old) = self.state.names.adts.insert(name.name.clone(), new) {
            self.shadowed_adts.push(old);
        }
    }

    /// Reports a declaration (`what`: "a struct") named like a built-in type,
    /// which would be a second type of that name.
    pub(crate) fn is_builtin_type(&mut self, name: &ast::Ident, what: &str) -> bool {
        if !is_builtin_type_name(&name.name) {
            return false;
        }
        self.error_with_label(
            name.span,
            format!(
                "`{0}` is a built-in type; {what} cannot be named `{0}`",
                name.name
            ),
            "a built-in type's name",
        );
        true
    }

    /// The type of the struct or enum at `index` in `program.adts`, with the type
    /// arguments `args` (none for one that is not generic).
    pub(crate) fn adt_ty_with(&self, index: usize, args: Vec<Ty>) -> Ty {
        let adt = &self.state.program.adts[index];
        intern(HeapTy::Adt(adt.id, adt.name.clone(), args))
    }

    /// The type of the struct or enum at `index`; for a generic one, with its own
    /// type parameters as arguments (its type inside its declaration and `impl`).
    pub(crate) fn adt_ty(&self, index: usize) -> Ty {
        let n = self.state.program.adts[index].generics.len();
        self.adt_ty_with(index, (0..n as u32).map(Ty::Param).collect())
    }

    /// A use of the struct or enum at `index` where its type arguments are to be
    /// inferred: its type with a fresh variable per type parameter (or the
    /// expected type's arguments), and its declaration instantiated with them.
    pub(crate) fn fresh_adt(
        &mut self,
        index: usize,
        expected: Option<Ty>,
        span: Span,
    ) -> (Ty, AdtDef) {
        let def = self.state.program.adts[index].clone();
        if def.generics.is_empty() {
            return (self.adt_ty_with(index, Vec::new()), def);
        }
        let args = match expected.and_then(|t| t.heap()) {
            Some(HeapTy::Adt(id, _, args)) if id == def.id => args,
            _ => def
                .generics
                .iter()
                .map(|_| self.fresh_var(span, "let p: Pair<int, str> = ..."))
                .collect(),
        };
        let inst = def.instantiate(&args);
        (self.adt_ty_with(index, args), inst)
    }

    /// The declaration behind a struct or enum type, with its type arguments put in.
    pub(crate) fn adt_of(&self, ty: Ty) -> Option<AdtDef> {
        match ty.heap()? {
            HeapTy::Adt(id, _, args) => self
                .state
                .program
                .adts
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.instantiate(&args)),
            _ => None,
        }
    }

    /// The type parameters of the struct or enum at `index`, as a scope for
    /// resolving its field types.
    fn adt_params(&self, index: usize) -> HashMap<String, Ty> {
        self.state.program.adts[index]
            .generics
            .iter()
            .enumerate()
            .map(|(i, g)| (g.clone(), Ty::Param(i as u32)))
            .collect()
    }

    /// Resolves the field types of every struct and enum (after all are declared,
    /// so they may refer to each other and to themselves).
    pub(crate) fn resolve_adts(&mut self, module: &ast::Module) {
        for item in &module.items {
            match &item.kind {
                ItemKind::Struct(d) => {
                    let Some(&index) = self.state.names.adts.get(&d.name.name) else {
                        continue;
                    };
                    self.type_params = self.adt_params(index);
                    let mut fields: Vec<(String, Ty)> = Vec::new();
                    for f in &d.fields {
                        if fields.iter().any(|(n, _)| *n == f.name.name) {
                            self.error(
                                f.name.span,
                                format!("the field `{}` is declared twice", f.name.name),
                            );
                        }
                        let ty = self.resolve_type(&f.ty);
                        fields.push((f.name.name.clone(), ty));
                    }
                    self.state.program.adts[index].kind = AdtKind::Struct(fields);
                    self.type_params.clear();
                }
                ItemKind::Enum(d) => {
                    let Some(&index) = self.state.names.adts.get(&d.name.name) else {
                        continue;
                    };
                    self.type_params = self.adt_params(index);
                    let mut variants: Vec<VariantDef> = Vec::new();
                    for v in &d.variants {
                        if variants.iter().any(|x| x.name == v.name.name) {
                            self.error(
                                v.name.span,
                                format!("the variant `{}` is declared twice", v.name.name),
                            );
                        }
                        let (labels, fields) = match &v.payload {
                            VariantPayload::Unit => (None, Vec::new()),
                            VariantPayload::Tuple(ts) => {
                                (None, ts.iter().map(|t| self.resolve_type(t)).collect())
                            }
                            VariantPayload::Labelled(fs) => (
                                Some(fs.iter().map(|f| f.name.name.clone()).collect()),
                                fs.iter().map(|f| self.resolve_type(&f.ty)).collect(),
                            ),
                        };
                        variants.push(VariantDef {
                            name: v.name.name.clone(),
                            labels,
                            fields,
                        });
                    }
                    self.state.program.adts[index].kind = AdtKind::Enum(variants);
                    self.type_params.clear();
                }
                _ => {}
            }
        }
    }

    /// The name of the type an `impl` block is for, if it is a declared struct or enum.
    fn impl_target(&mut self, imp: &ast::ImplDecl) -> Option<(String, usize)> {
        let TypeKind::Named { name, .. } = &imp.target.kind else {
            self.error(
                imp.target.span,
                "an `impl` block must name a struct or enum",
            );
            return None;
        };
        match self.state.names.adts.get(&name.name) {
            Some(&index) => Some((name.name.clone(), index)),
            None if is_builtin_type_name(&name.name) => {
                self.error_with_label(
                    name.span,
                    format!(
                        "`{}` is a built-in type: an `impl` block must name a struct or enum",
                        name.name
                    ),
                    "a built-in type",
                );
                None
            }
            None => {
                self.error_with_label(
                    name.span,
                    format!("unknown type `{}`", name.name),
                    "not a struct or enum of this file",
                );
                None
            }
        }
    }

    /// Declares every method of every `impl` block and resolves its signature.
    pub(crate) fn collect_methods(&mut self, module: &ast::Module) {
        for item in &module.items {
            let ItemKind::Impl(imp) = &item.kind else {
                continue;
            };
            let Some((type_name, index)) = self.impl_target(imp) else {
                continue;
            };
            let impl_generics: Vec<String> = imp.generics.iter().map(|g| g.name.clone()).collect();
            if impl_generics != self.state.program.adts[index].generics {
                let want = &self.state.program.adts[index].generics;
                let shown = if want.is_empty() {
                    format!("impl {type_name}")
                } else {
                    format!("impl<{0}> {type_name}<{0}>", want.join(", "))
                };
                self.error_with_label(
                    imp.target.span,
                    format!("an `impl` of `{type_name}` must name its type parameters: `{shown}`"),
                    "type parameters differ from the declaration",
                );
                continue;
            }
            let self_ty = self.adt_ty(index);
            let adt = self.state.program.adts[index].id;
            for m in &imp.methods {
                let key = (adt, m.sig.name.name.clone());
                // A method of an earlier unit (a REPL entry) may be redefined, as
                // a function may; twice in one unit is an error.
                let earlier = self.state.names.methods.get(&key).copied();
                if earlier.is_some_and(|old| old.0 >= self.first_sig) {
                    self.error_with_label(
                        m.sig.name.span,
                        format!("`{}.{}` is defined twice", type_name, m.sig.name.name),
                        "redefined here",
                    );
                    continue;
                }
                self.state.sigs.push(FuncSig {
                    name: format!("{}.{}", type_name, m.sig.name.name),
                    params: Vec::new(),
                    ret: Ty::Unit,
                    span: m.sig.span,
                    generic: None,
                });
                let id = FuncId(self.state.sigs.len() as u32 - 1);
                self.state.names.methods.insert(key, id);
                if let Some(old) = earlier {
                    self.shadowed.push((old, id));
                }
                if !impl_generics.is_empty() || !m.sig.generics.is_empty() {
                    // A template, checked per instance (generics.rs).
                    self.state.sigs[id.index()].generic = Some(std::rc::Rc::new(Generic {
                        decl: m.clone(),
                        impl_generics: impl_generics.clone(),
                        self_adt: Some(index),
                    }));
                    continue;
                }
                self.resolve_signature(&m.sig, false, Callee::Func(id), Some(self_ty));
                if let Some(p) = m.sig.params.iter().skip(1).find(|p| p.is_self) {
                    self.error(p.span, "`self` must be the first parameter");
                }
            }
        }
    }

    /// The function id of a method declared in `imp`.
    pub(crate) fn method_id(&self, imp: &ast::ImplDecl, m: &ast::FnDecl) -> Option<FuncId> {
        let TypeKind::Named { name, .. } = &imp.target.kind else {
            return None;
        };
        let index = *self.state.names.adts.get(&name.name)?;
        let adt = self.state.program.adts[index].id;
        let id = *self
            .state
            .names
            .methods
            .get(&(adt, m.sig.name.name.clone()))?;
        (self.state.sigs[id.index()].span == m.sig.span).then_some(id)
    }

    /// Whether the function takes `self` (a method rather than a static function).
    pub(crate) fn takes_self(&self, id: FuncId) -> bool {
        if let Some(g) = &self.state.sigs[id.index()].generic {
            return g.takes_self();
        }
        self.state.sigs[id.index()]
            .params
            .first()
            .is_some_and(|(name, _)| name == "self")
    }
}
