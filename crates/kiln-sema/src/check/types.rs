//! Resolving written types (`int`, `Meters`, `[int]`) to [`Ty`].

use super::Checker;
use crate::ty::{scalar_by_name, Ty};
use kiln_syntax::ast::{TypeExpr, TypeKind};

/// How deep type aliases may refer to each other before we call it a cycle.
const MAX_ALIAS_DEPTH: usize = 64;

impl Checker {
    pub(crate) fn resolve_type(&mut self, t: &TypeExpr) -> Ty {
        self.resolve_type_at(t, 0)
    }

    fn resolve_type_at(&mut self, t: &TypeExpr, depth: usize) -> Ty {
        match &t.kind {
            TypeKind::Named { name, args } => {
                if let Some(ty) = scalar_by_name(&name.name) {
                    if !args.is_empty() {
                        self.error(
                            t.span,
                            format!("the type `{}` takes no type arguments", name.name),
                        );
                    }
                    return ty;
                }
                if let Some(alias) = self.aliases.get(&name.name).cloned() {
                    if depth > MAX_ALIAS_DEPTH {
                        self.error(
                            name.span,
                            format!("the type alias `{}` refers to itself", name.name),
                        );
                        return Ty::Error;
                    }
                    return self.resolve_type_at(&alias, depth + 1);
                }
                match name.name.as_str() {
                    "Option" | "Result" => {
                        self.unsupported(t.span, "`Option` and `Result` types");
                        Ty::Error
                    }
                    "Gen" => {
                        self.unsupported(t.span, "generators");
                        Ty::Error
                    }
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
            TypeKind::Tuple(_) => {
                self.unsupported(t.span, "tuples");
                Ty::Error
            }
            TypeKind::Array(_) => {
                self.unsupported(t.span, "arrays");
                Ty::Error
            }
            TypeKind::Map(key, _) => {
                // A float key is wrong whatever the version: say so first.
                let key_ty = self.resolve_type_at(key, depth + 1);
                if key_ty.is_float() {
                    self.error(
                        key.span,
                        "a map key cannot be a float: float has no reliable equality",
                    );
                } else {
                    self.unsupported(t.span, "maps");
                }
                Ty::Error
            }
            TypeKind::Fn { .. } => {
                self.unsupported(t.span, "function types");
                Ty::Error
            }
            TypeKind::Optional(_) => {
                self.unsupported(t.span, "optional types");
                Ty::Error
            }
            TypeKind::Error => Ty::Error,
        }
    }
}
