//! Resolving written types (`int`, `Meters`, `[int]`) to [`Ty`].

use super::Checker;
use crate::ty::{intern, scalar_by_name, HeapTy, Ty};
use kiln_syntax::ast::{TypeExpr, TypeKind};
use kiln_syntax::Span;

/// How deep type aliases may refer to each other before we call it a cycle.
const MAX_ALIAS_DEPTH: usize = 64;

impl Checker {
    pub(crate) fn resolve_type(&mut self, t: &TypeExpr) -> Ty {
        self.resolve_type_at(t, 0)
    }

    fn resolve_type_at(&mut self, t: &TypeExpr, depth: usize) -> Ty {
        match &t.kind {
            TypeKind::Named { name, args } => {
                if let Some(&ty) = self.type_params.get(&name.name) {
                    if !args.is_empty() {
                        self.error(
                            t.span,
                            format!("the type parameter `{}` takes no type arguments", name.name),
                        );
                    }
                    return ty;
                }
                if let Some(ty) = scalar_by_name(&name.name) {
                    if !args.is_empty() {
                        self.error(
                            t.span,
                            format!("the type `{}` takes no type arguments", name.name),
                        );
                    }
                    return ty;
                }
                if let Some(alias) = self.state.names.aliases.get(&name.name).cloned() {
                    if self.bad_aliases.contains(&name.name) {
                        return Ty::Error;
                    }
                    if depth > MAX_ALIAS_DEPTH {
                        self.error(
                            name.span,
                            format!("the type alias `{}` refers to itself", name.name),
                        );
                        return Ty::Error;
                    }
                    return self.resolve_type_at(&alias, depth + 1);
                }
                if let Some(&index) = self.state.names.adts.get(&name.name) {
                    let want = self.state.program.adts[index].generics.len();
                    if args.len() != want {
                        self.error_with_label(
                            t.span,
                            format!(
                                "`{}` takes {want} type argument{}, but {} {} written",
                                name.name,
                                if want == 1 { "" } else { "s" },
                                args.len(),
                                if args.len() == 1 { "was" } else { "were" }
                            ),
                            "wrong number of type arguments",
                        );
                        return Ty::Error;
                    }
                    let args = args
                        .iter()
                        .map(|a| self.resolve_type_at(a, depth + 1))
                        .collect();
                    return self.adt_ty_with(index, args);
                }
                let arg = |c: &mut Self, i: usize| match args.get(i) {
                    Some(a) => c.resolve_type_at(a, depth + 1),
                    None => Ty::Error,
                };
                match (name.name.as_str(), args.len()) {
                    ("Option", 1) => Ty::option(arg(self, 0)),
                    ("Result", 2) => {
                        let (t, e) = (arg(self, 0), arg(self, 1));
                        intern(HeapTy::Result(t, e))
                    }
                    ("Option" | "Result", n) => {
                        let want = if name.name == "Option" { 1 } else { 2 };
                        self.error(
                            t.span,
                            format!("`{}` takes {want} type argument(s), not {n}", name.name),
                        );
                        Ty::Error
                    }
                    ("Gen", 1) => Ty::generator(arg(self, 0)),
                    ("Gen", n) => {
                        self.error(t.span, format!("`Gen` takes 1 type argument, not {n}"));
                        Ty::Error
                    }
                    _ if name.name.contains('.') => self.module_type(name, args, t.span),
                    _ => {
                        self.error_with_label(
                            name.span,
                            format!("unknown type `{}`", name.name),
                            "not a type in scope",
                        );
                        Ty::Error
                    }
                }
            }
            TypeKind::Tuple(items) if items.is_empty() => Ty::Unit,
            TypeKind::Tuple(items) => {
                let tys = items
                    .iter()
                    .map(|i| self.resolve_type_at(i, depth + 1))
                    .collect();
                intern(HeapTy::Tuple(tys))
            }
            TypeKind::Array(elem) => {
                let e = self.resolve_type_at(elem, depth + 1);
                Ty::array(e)
            }
            TypeKind::Map(key, value) => {
                let k = self.resolve_type_at(key, depth + 1);
                let v = self.resolve_type_at(value, depth + 1);
                self.check_key_type(k, key.span);
                intern(HeapTy::Map(k, v))
            }
            TypeKind::Fn { params, ret } => {
                let ps = params
                    .iter()
                    .map(|p| self.resolve_type_at(p, depth + 1))
                    .collect();
                let r = ret
                    .as_ref()
                    .map_or(Ty::Unit, |r| self.resolve_type_at(r, depth + 1));
                Ty::func(ps, r)
            }
            TypeKind::Optional(inner) => {
                let t = self.resolve_type_at(inner, depth + 1);
                Ty::option(t)
            }
            TypeKind::Error => Ty::Error,
        }
    }
}

impl Checker {
    /// Reports a map key type that is not allowed, with the reason: floats have no
    /// reliable equality, arrays and maps cannot be keys (LANGUAGE.md §6).
    pub(crate) fn check_key_type(&mut self, key: Ty, span: Span) {
        if key.contains_error() {
            return;
        }
        let Some(bad) = self.bad_key_part(key, &mut Vec::new()) else {
            return;
        };
        let reason = match bad.heap() {
            Some(HeapTy::Array(_)) => "arrays cannot be map keys",
            Some(HeapTy::Map(..)) => "maps cannot be map keys",
            Some(HeapTy::Func(..)) => "functions cannot be compared",
            Some(HeapTy::Gen(_)) => "generators cannot be compared",
            _ if bad.is_float() => "float has no reliable equality",
            _ => "it has no values to compare",
        };
        let message = if bad == key || bad.is_float() {
            format!("`{key}` cannot be a map key: {reason}")
        } else {
            format!("`{key}` cannot be a map key: it contains `{bad}`, and {reason}")
        };
        self.error_with_label(span, message, "not allowed as a key");
    }

    /// The first part of `ty` (itself, or a type inside it) that a map key may not
    /// contain, looking inside tuples, options, results, structs and enums (`seen`
    /// guards against recursive types).
    fn bad_key_part(&self, ty: Ty, seen: &mut Vec<Ty>) -> Option<Ty> {
        let Some(adt) = self.adt_of(ty) else {
            return match ty.heap() {
                Some(HeapTy::Tuple(ts)) => ts.into_iter().find_map(|t| self.bad_key_part(t, seen)),
                Some(HeapTy::Option(t)) => self.bad_key_part(t, seen),
                Some(HeapTy::Result(a, b)) => self
                    .bad_key_part(a, seen)
                    .or_else(|| self.bad_key_part(b, seen)),
                Some(HeapTy::Array(_) | HeapTy::Map(..) | HeapTy::Func(..) | HeapTy::Gen(_)) => {
                    Some(ty)
                }
                Some(HeapTy::Adt(..)) => None,
                None => (ty.is_float() || ty == Ty::Never).then_some(ty),
            };
        };
        if seen.contains(&ty) {
            return None;
        }
        seen.push(ty);
        let fields: Vec<Ty> = match &adt.kind {
            crate::hir::AdtKind::Struct(fs) => fs.iter().map(|(_, t)| *t).collect(),
            crate::hir::AdtKind::Enum(vs) => vs.iter().flat_map(|v| v.fields.clone()).collect(),
        };
        fields.into_iter().find_map(|t| self.bad_key_part(t, seen))
    }
}
