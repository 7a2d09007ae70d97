//! Structs, enums and their `impl` blocks: declaring them, resolving their fields,
//! and registering methods and static functions as ordinary functions whose first
//! parameter is `self`.

use super::{Callee, Checker, FuncSig};
use crate::hir::{AdtDef, AdtKind, FuncId, VariantDef};
use crate::ty::{intern, new_adt_id, HeapTy, Ty};
use kiln_syntax::ast::{self, ItemKind, TypeKind, VariantPayload};

impl Checker {
    pub(crate) fn declare_adt(&mut self, name: &ast::Ident, generics: &[ast::Ident]) {
        if !generics.is_empty() {
            self.unsupported(name.span, "generic structs and enums");
        }
        if !self.unit_types.insert(name.name.clone()) {
            self.error_with_label(
                name.span,
                format!("the type `{}` is defined twice", name.name),
                "redefined here",
            );
            return;
        }
        // It takes the name from an alias of an earlier unit.
        self.state.names.aliases.remove(&name.name);
        let id = new_adt_id();
        self.state.program.adts.push(AdtDef {
            id,
            name: name.name.clone(),
            kind: AdtKind::Struct(Vec::new()),
        });
        self.state
            .names
            .adts
            .insert(name.name.clone(), self.state.program.adts.len() - 1);
    }

    /// The type of the struct or enum at `index` in `program.adts`.
    pub(crate) fn adt_ty(&self, index: usize) -> Ty {
        let adt = &self.state.program.adts[index];
        intern(HeapTy::Adt(adt.id, adt.name.clone()))
    }

    /// The declaration behind a struct or enum type.
    pub(crate) fn adt_of(&self, ty: Ty) -> Option<&AdtDef> {
        match ty.heap()? {
            HeapTy::Adt(id, _) => self.state.program.adts.iter().find(|a| a.id == id),
            _ => None,
        }
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
                }
                ItemKind::Enum(d) => {
                    let Some(&index) = self.state.names.adts.get(&d.name.name) else {
                        continue;
                    };
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
            if !imp.generics.is_empty() {
                self.unsupported(item.span.start(), "generic `impl` blocks");
                continue;
            }
            let Some((type_name, index)) = self.impl_target(imp) else {
                continue;
            };
            let self_ty = self.adt_ty(index);
            let adt = self.state.program.adts[index].id;
            for m in &imp.methods {
                let key = (adt, m.sig.name.name.clone());
                if self.state.names.methods.contains_key(&key) {
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
                });
                let id = FuncId(self.state.sigs.len() as u32 - 1);
                self.state.names.methods.insert(key, id);
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
        self.state.sigs[id.index()]
            .params
            .first()
            .is_some_and(|(name, _)| name == "self")
    }
}
