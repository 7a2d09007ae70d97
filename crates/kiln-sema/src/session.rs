//! The compiler session: everything the checker knows, kept from one unit of source
//! to the next.
//!
//! A [`Session`] owns the interned types ([`TypeStore`]), every signature, name,
//! struct, enum and global declared so far, and the HIR of every function checked.
//! Source arrives as *units* — a file, a REPL entry, an embedder's `eval` — each
//! checked against what the session holds. A unit without errors commits as a whole;
//! a unit with any error leaves the session exactly as it was. Items are addressed
//! by ids ([`FuncId`], [`GlobalId`], [`AdtId`]) that stay valid for the session's
//! life; names only map to the newest declaration. Nothing here starts a code
//! generator, and nothing about types lives outside the session.

use crate::check::{self, ModuleId, State, Unit};
use crate::hir::{self, FuncId};
use crate::ty::{Entered, TypeStore};
use kiln_syntax::ast;
use kiln_syntax::Diagnostic;

/// What a name given to the REPL's `:mir`, `:clif` or `:asm` stands for.
#[derive(Debug, PartialEq, Eq)]
pub enum Inspectable {
    /// These compiled functions: the function itself, or a generic one's
    /// instances.
    Funcs(Vec<FuncId>),
    /// A generic function none of whose instances has been made yet.
    NoInstances,
    /// Nothing the session defines.
    Unknown,
}

pub struct Session {
    types: TypeStore,
    state: State,
    /// Keep top-level variables in global slots (later units may read them).
    persistent: bool,
    units: usize,
}

impl Default for Session {
    fn default() -> Session {
        Session::new()
    }
}

impl Session {
    /// A session for one file: its top-level variables may live in registers of
    /// `<main>`, because no later unit can see them.
    pub fn new() -> Session {
        Session {
            types: TypeStore::new(),
            state: State::default(),
            persistent: false,
            units: 0,
        }
    }

    /// A session that keeps accepting units (a REPL, an embedder): every top-level
    /// variable lives in a global slot so later units can use it.
    pub fn persistent() -> Session {
        Session {
            persistent: true,
            ..Session::new()
        }
    }

    /// Checks one unit against everything the session holds. On success the unit's
    /// declarations are part of the session; on any error the session is unchanged
    /// and every diagnostic is returned.
    pub fn check_unit(&mut self, module: &ast::Module) -> Result<Unit, Vec<Diagnostic>> {
        self.check(module, false, &[])
    }

    /// [`Session::check_unit`] for a unit whose `import`s name modules the
    /// session checked before: `imports` binds each imported name to its module.
    pub fn check_unit_importing(
        &mut self,
        module: &ast::Module,
        imports: &[(String, ModuleId)],
    ) -> Result<Unit, Vec<Diagnostic>> {
        self.check(module, false, imports)
    }

    /// Checks a REPL entry: a unit whose final expression statement, when its type
    /// is not `()`, keeps its value in a hidden global ([`Unit::result`]).
    pub fn check_entry(
        &mut self,
        module: &ast::Module,
        imports: &[(String, ModuleId)],
    ) -> Result<Unit, Vec<Diagnostic>> {
        self.check(module, true, imports)
    }

    /// Checks an imported module (a file) as a unit in a namespace of its own: it
    /// sees only its own items and the modules in `imports`, and on success its
    /// top-level names go to the returned module, not to the session's names, so
    /// later units reach them only as `name.item` after an `import`. Its top-level
    /// variables live in global slots (importers read them).
    pub fn check_module(
        &mut self,
        module: &ast::Module,
        imports: &[(String, ModuleId)],
    ) -> Result<(Unit, ModuleId), Vec<Diagnostic>> {
        let _types = self.types.enter_guard();
        let mark = self.types.mark();
        let checkpoint = self.state.checkpoint();
        let mut state = std::mem::take(&mut self.state);
        let mut outer = check::Names::default();
        check::swap_namespace(&mut state.names, &mut outer);
        state.names.imports.extend(imports.iter().cloned());
        let (mut state, result) = check::check_unit(state, module, true, false);
        let result = match result {
            Ok(unit) => {
                let id = ModuleId(state.namespaces.len() as u32);
                let mut names = check::Names::default();
                check::swap_namespace(&mut state.names, &mut names);
                check::swap_namespace(&mut state.names, &mut outer);
                state.namespaces.push(names);
                for f in unit.funcs.clone() {
                    let f = hir::FuncId(f);
                    if state.sigs[f.index()].generic.is_some() {
                        state.homes.insert(f, id);
                    }
                }
                self.units += 1;
                Ok((unit, id))
            }
            Err(errors) => {
                state.restore(checkpoint);
                self.types.rollback(mark);
                Err(errors)
            }
        };
        self.state = state;
        result
    }

    /// The type of the value an entry would produce (the REPL's `:type`), as
    /// written in source, without changing the session: `Ok(None)` when it
    /// produces none.
    pub fn type_of_entry(
        &mut self,
        module: &ast::Module,
    ) -> Result<Option<String>, Vec<Diagnostic>> {
        let _types = self.types.enter_guard();
        let mark = self.types.mark();
        let checkpoint = self.state.checkpoint();
        let state = std::mem::take(&mut self.state);
        let (mut state, result) = check::check_unit(state, module, self.persistent, true);
        // The answer is written out before the types it names are rolled back.
        let answer = result.map(|unit| {
            unit.result
                .map(|g| state.program.globals[g.index()].ty.to_string())
        });
        state.restore(checkpoint);
        self.types.rollback(mark);
        self.state = state;
        answer
    }

    fn check(
        &mut self,
        module: &ast::Module,
        keep_result: bool,
        imports: &[(String, ModuleId)],
    ) -> Result<Unit, Vec<Diagnostic>> {
        let _types = self.types.enter_guard();
        let mark = self.types.mark();
        let checkpoint = self.state.checkpoint();
        let mut state = std::mem::take(&mut self.state);
        state.names.imports.extend(imports.iter().cloned());
        let (mut state, result) = check::check_unit(state, module, self.persistent, keep_result);
        match &result {
            Err(_) => {
                state.restore(checkpoint);
                self.types.rollback(mark);
            }
            Ok(unit) => {
                self.units += 1;
                if self.persistent && !unit.templates.is_empty() {
                    // Later units may redefine the names the unit's generic
                    // functions use: their instances keep this unit's meaning, as
                    // the unit's other functions do.
                    let id = ModuleId(state.namespaces.len() as u32);
                    state.namespaces.push(state.names.namespace());
                    for &f in &unit.templates {
                        state.homes.entry(f).or_insert(id);
                    }
                }
            }
        }
        self.state = state;
        result
    }

    /// Gives a name back to the global `hidden.old` when the declaration that hid
    /// it never ran (a panic stopped the unit first): as a panic keeps what
    /// completed before it, the old variable is still the one the name means.
    /// Nothing changes if the name has been taken again since.
    pub fn unhide_global(&mut self, hidden: check::HiddenGlobal) {
        let name = self.state.program.globals[hidden.new.index()].name.clone();
        if self.state.names.globals.get(&name) == Some(&hidden.new) {
            self.state.names.globals.insert(name, hidden.old);
            self.state.hidden_reachable.remove(&hidden.old);
        }
    }

    /// Makes `extern fn` declarations of names the process lacks an error of the
    /// unit that declares them (so the unit, like any unit with errors, leaves
    /// the session unchanged).
    pub fn set_symbol_lookup(&mut self, exists: fn(&str) -> bool) {
        self.state.symbol_exists = Some(exists);
    }

    /// The HIR of every function checked so far, with every global, extern and
    /// struct or enum declaration.
    pub fn program(&self) -> &hir::Program {
        &self.state.program
    }

    /// The function called `name` in the newest unit that declared one.
    pub fn func_named(&self, name: &str) -> Option<FuncId> {
        match self.state.names.funcs.get(name)? {
            check::Callee::Func(id) => Some(*id),
            check::Callee::Extern(_) => None,
        }
    }

    /// The functions the REPL's `:mir`, `:clif` and `:asm` show for `name`, as a
    /// user writes it: a function (`f`), a method or static function
    /// (`Type.method`), an imported module's function (`module.f`), every
    /// instance of a generic one (`id`), or one instance (`id<int>`). Spaces do
    /// not matter; the newest definition of the name is the one meant.
    pub fn inspectable(&self, name: &str) -> Inspectable {
        let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect();
        let (base, instance) = match compact.find('<') {
            Some(i) => (&compact[..i], true),
            None => (compact.as_str(), false),
        };
        let names = &self.state.names;
        let func = |ns: &check::Names, f: &str| match ns.funcs.get(f) {
            Some(check::Callee::Func(id)) => Some(*id),
            _ => None,
        };
        let found = match base.split_once('.') {
            None => func(names, base),
            Some((owner, member)) => {
                if let Some(&index) = names.adts.get(owner) {
                    let adt = self.state.program.adts[index].id;
                    names.methods.get(&(adt, member.to_string())).copied()
                } else if let Some(&m) = names.imports.get(owner) {
                    func(&self.state.namespaces[m.index()], member)
                } else {
                    None
                }
            }
        };
        let Some(id) = found else {
            return Inspectable::Unknown;
        };
        if !self.is_generic(id) {
            return if instance {
                Inspectable::Unknown
            } else {
                Inspectable::Funcs(vec![id])
            };
        }
        // An instance is named by its type arguments: `id<int>`, and
        // `geometry.area<int>` for the instance named `area<int>`.
        let targs = |name: &str| -> String {
            let name: String = name.chars().filter(|c| !c.is_whitespace()).collect();
            name.find('<')
                .map_or(String::new(), |i| name[i..].to_string())
        };
        let wanted = targs(&compact);
        let mut instances: Vec<FuncId> = names
            .instances
            .iter()
            .filter(|((g, _), _)| *g == id)
            .map(|(_, &inst)| inst)
            .filter(|&inst| !instance || targs(&self.state.sigs[inst.index()].name) == wanted)
            .collect();
        instances.sort();
        if instances.is_empty() {
            Inspectable::NoInstances
        } else {
            Inspectable::Funcs(instances)
        }
    }

    /// Whether `f` is a generic function or method (a template: its instances are
    /// the functions compiled).
    pub fn is_generic(&self, f: FuncId) -> bool {
        self.state.sigs[f.index()].generic.is_some()
    }

    /// Every name the session defines (functions, top-level variables, types),
    /// for a REPL's completion.
    pub fn names(&self) -> Vec<String> {
        let n = &self.state.names;
        n.funcs
            .keys()
            .chain(n.globals.keys())
            .chain(n.adts.keys())
            .chain(n.aliases.keys())
            .cloned()
            .collect()
    }

    pub fn types(&self) -> &TypeStore {
        &self.types
    }

    /// Makes this session's types current on this thread until the guard drops:
    /// needed by any code that reads or prints the types of its HIR.
    pub fn enter(&self) -> Entered {
        self.types.enter_guard()
    }

    /// How many units have committed.
    pub fn units(&self) -> usize {
        self.units
    }
}
