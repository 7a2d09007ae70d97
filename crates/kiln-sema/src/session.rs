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

use crate::check::{self, State, Unit};
use crate::hir::{self, FuncId};
use crate::ty::{Entered, TypeStore};
use kiln_syntax::ast;
use kiln_syntax::Diagnostic;

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
        let _types = self.types.enter_guard();
        let mark = self.types.mark();
        let checkpoint = self.state.checkpoint();
        let state = std::mem::take(&mut self.state);
        let (mut state, result) = check::check_unit(state, module, self.persistent);
        if result.is_err() {
            state.restore(checkpoint);
            self.types.rollback(mark);
        } else {
            self.units += 1;
        }
        self.state = state;
        result
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
