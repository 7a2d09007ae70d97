//! Modules: the namespace of each imported file, and names qualified by one
//! (`geometry.area(r)`, `geometry.UNIT`, `geometry.Rect` in a type,
//! `geometry.Shape.Circle(r)` in an expression or a pattern).
//!
//! A module is checked as a unit of its own, before the units that import it, in a
//! namespace that starts empty: it sees only its own items, the built-ins and the
//! modules it imports. When it commits, its top-level names (functions, globals,
//! structs, enums, aliases and its imports) leave the session's current names for
//! the module's own [`Names`] in `State::modules`, so the importing unit's names
//! never collide with them. `import name` then binds `name` to the module's id
//! (`Names::imports`), and `name.item` looks the item up there. Methods and generic
//! instances are keyed by ids, not names, and stay shared by the session.
//!
//! Everything a module's code names is resolved in its namespace, also when the
//! check happens later, from the importer: a generic function's instances
//! (`State::homes`) and the type aliases it declares. This file never reads files:
//! finding, reading and ordering modules is the engine's job, which hands the
//! session parsed modules and tells it which name each `import` binds.

use super::{Callee, Checker, Names};
use crate::hir::{ExprId, ExprKind};
use crate::ty::Ty;
use kiln_syntax::ast::{self, ExprKind as Ast, TypeExpr};
use kiln_syntax::Span;

/// A module checked by the session: an index into `State::modules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ModuleId(pub u32);

impl ModuleId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What `module.name` is.
enum Item {
    Func(Callee),
    Global(crate::hir::GlobalId),
    Adt(usize),
    Alias,
}

/// Exchanges the names that belong to one namespace (everything but methods and
/// instances, which are keyed by ids and shared by the session).
pub(crate) fn swap_namespace(a: &mut Names, b: &mut Names) {
    std::mem::swap(&mut a.funcs, &mut b.funcs);
    std::mem::swap(&mut a.aliases, &mut b.aliases);
    std::mem::swap(&mut a.adts, &mut b.adts);
    std::mem::swap(&mut a.globals, &mut b.globals);
    std::mem::swap(&mut a.imports, &mut b.imports);
}

impl Checker {
    /// `import name`: the engine loads the module before the unit is checked and
    /// binds its name; a name it did not bind was not loaded.
    pub(crate) fn check_import(&mut self, name: &ast::Ident) {
        if !self.state.names.imports.contains_key(&name.name) {
            self.error_with_label(
                name.span,
                format!("cannot find the module `{}`", name.name),
                "no module of this name was loaded",
            );
        }
    }

    /// Makes module `m`'s names the current ones; returns the names it replaced,
    /// for [`Checker::leave_module`].
    fn enter_module(&mut self, m: super::ModuleId) -> Names {
        let mut names = self.state.namespaces[m.index()].clone();
        swap_namespace(&mut self.state.names, &mut names);
        names
    }

    fn leave_module(&mut self, mut outer: Names) {
        swap_namespace(&mut self.state.names, &mut outer);
    }

    /// Enters the namespace a generic function was declared in ([`State::homes`]),
    /// if not the current one.
    pub(crate) fn enter_home(&mut self, f: crate::hir::FuncId) -> Option<Names> {
        let m = *self.state.homes.get(&f)?;
        Some(self.enter_module(m))
    }

    pub(crate) fn leave_home(&mut self, outer: Option<Names>) {
        if let Some(outer) = outer {
            self.leave_module(outer);
        }
    }

    /// The item `name` of module `m` (imported as `module`), or an error.
    fn module_item(&mut self, m: super::ModuleId, module: &str, name: &ast::Ident) -> Option<Item> {
        let ns = &self.state.namespaces[m.index()];
        let item = if let Some(&g) = ns.globals.get(&name.name) {
            Some(Item::Global(g))
        } else if let Some(&c) = ns.funcs.get(&name.name) {
            Some(Item::Func(c))
        } else if let Some(&i) = ns.adts.get(&name.name) {
            Some(Item::Adt(i))
        } else {
            ns.aliases.contains_key(&name.name).then_some(Item::Alias)
        };
        if item.is_none() {
            self.error_with_label(
                name.span,
                format!("the module `{module}` has no item `{}`", name.name),
                format!("not found in `{module}`"),
            );
        }
        item
    }

    /// `module.name` as a value: a global or a function of the module.
    pub(crate) fn module_value(
        &mut self,
        m: super::ModuleId,
        module: &ast::Ident,
        name: &ast::Ident,
        span: Span,
    ) -> ExprId {
        match self.module_item(m, &module.name, name) {
            Some(Item::Global(g)) => {
                let ty = self.state.program.globals[g.index()].ty;
                self.push_expr(ExprKind::Global(g), ty, span)
            }
            Some(Item::Func(_)) => {
                let outer = self.enter_module(m);
                let id = self.func_value(name);
                self.leave_module(outer);
                id
            }
            Some(Item::Adt(_) | Item::Alias) => {
                self.error_with_label(
                    span,
                    format!("`{}.{}` is a type, not a value", module.name, name.name),
                    "a type",
                );
                self.error_expr(span)
            }
            None => self.error_expr(span),
        }
    }

    /// `module.name(args)`: a call of the module's function, the construction of
    /// its struct, or a call of a function value it holds in a global.
    pub(crate) fn module_call(
        &mut self,
        m: super::ModuleId,
        receiver: &ast::Expr,
        name: &ast::Ident,
        args: &[ast::Arg],
        span: Span,
    ) -> ExprId {
        let module = match &receiver.kind {
            Ast::Name(id) => id.name.clone(),
            _ => String::new(),
        };
        match self.module_item(m, &module, name) {
            Some(Item::Func(callee)) => {
                let full = format!("{module}.{}", name.name);
                self.call_callee(&full, callee, args, None, span)
            }
            Some(Item::Adt(index)) => self.construct_struct(index, args, None, span),
            Some(Item::Global(_)) => {
                let callee = ast::Expr {
                    kind: Ast::Field {
                        base: Box::new(receiver.clone()),
                        name: name.clone(),
                    },
                    span: receiver.span.to(name.span),
                };
                self.call_value(&callee, args, span)
            }
            Some(Item::Alias) => {
                self.error_with_label(
                    name.span,
                    format!(
                        "`{module}.{}` is a type alias: it cannot be called",
                        name.name
                    ),
                    "a type alias",
                );
                self.failed_call_args(args);
                self.error_expr(span)
            }
            None => {
                self.failed_call_args(args);
                self.error_expr(span)
            }
        }
    }

    /// For `module.Type` (the base of `module.Type.Variant` or of
    /// `module.Type.function(...)`): the struct or enum, by index in
    /// `program.adts`.
    pub(crate) fn module_adt_path(&self, e: &ast::Expr) -> Option<usize> {
        let Ast::Field { base, name } = &e.kind else {
            return None;
        };
        let Ast::Name(module) = &base.kind else {
            return None;
        };
        let Some(super::heap::TypeName::Module(m)) = self.type_name(&module.name) else {
            return None;
        };
        self.state.namespaces[m.index()]
            .adts
            .get(&name.name)
            .copied()
    }

    /// A type written `module.Name` or `module.Name<Args>`; the arguments are
    /// resolved in the current namespace, an alias in the module's.
    pub(crate) fn module_type(&mut self, name: &ast::Ident, args: &[TypeExpr], span: Span) -> Ty {
        let unknown = |c: &mut Self, label: String| {
            c.error_with_label(name.span, format!("unknown type `{}`", name.name), label);
            Ty::Error
        };
        let Some((module, item)) = name.name.split_once('.') else {
            return unknown(self, "not a type in scope".into());
        };
        let Some(&m) = self.state.names.imports.get(module) else {
            return unknown(self, format!("no module `{module}` is imported"));
        };
        let ns = &self.state.namespaces[m.index()];
        if let Some(&index) = ns.adts.get(item) {
            let want = self.state.program.adts[index].generics.len();
            if args.len() != want {
                self.error_with_label(
                    span,
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
            let args = args.iter().map(|a| self.resolve_type(a)).collect();
            return self.adt_ty_with(index, args);
        }
        if let Some(alias) = ns.aliases.get(item).cloned() {
            if !args.is_empty() {
                self.error(
                    span,
                    format!("the type `{}` takes no type arguments", name.name),
                );
            }
            let outer = self.enter_module(m);
            let params = std::mem::take(&mut self.type_params);
            let ty = self.resolve_type(&alias);
            self.type_params = params;
            self.leave_module(outer);
            return ty;
        }
        unknown(self, format!("`{module}` has no type `{item}`"))
    }

    /// A constructor pattern's path without its leading module name
    /// (`geometry.Shape.Circle(r)` matches like `Shape.Circle(r)`), when the type it
    /// names is the type of the value matched.
    pub(crate) fn without_module<'p>(&self, path: &'p [ast::Ident], ty: Ty) -> &'p [ast::Ident] {
        if path.len() < 2 || self.is_local_name(&path[0].name) {
            return path;
        }
        let Some(&m) = self.state.names.imports.get(&path[0].name) else {
            return path;
        };
        let named = self.state.namespaces[m.index()].adts.get(&path[1].name);
        let matched = self.adt_of(ty).map(|a| a.id);
        match (named, matched) {
            (Some(&index), Some(id)) if self.state.program.adts[index].id == id => &path[1..],
            _ => path,
        }
    }
}
