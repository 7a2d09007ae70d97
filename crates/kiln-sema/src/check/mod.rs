//! The checker: resolves names and types of one unit of source (an AST module)
//! against what its session already knows, and builds typed HIR.
//!
//! It works in three passes over the unit: [`Checker::collect_items`] declares every
//! function, extern and type alias (so they are visible in the whole file);
//! [`Checker::check_main`] checks the top-level statements in order, which is also how
//! it learns which globals each function may see (those declared before it); then
//! each function body is checked. It reports every error it finds and keeps going:
//! an expression whose type could not be found gets [`Ty::Error`], which is
//! compatible with everything, so one mistake yields one diagnostic. It must never
//! panic, whatever the AST holds.

mod adts;
mod builtins;
mod closures;
mod exhaustive;
mod expr;
mod generators;
mod generics;
mod heap;
mod infer;
mod modules;
mod patterns;
mod stmt;
mod types;

use crate::hir::{self, ExprId, FuncId, GlobalId, LocalId};
use crate::ty::{AdtId, HeapTy, Ty};
use kiln_syntax::ast::{self, ItemKind};
use kiln_syntax::{Diagnostic, Span};
use std::collections::{HashMap, HashSet};

/// The maps of names a session keeps, and the globals visible at each point of a
/// unit: persistent maps, so taking a checkpoint or a snapshot copies nothing but
/// a pointer (a REPL session copies them at every entry).
pub(crate) type PMap<K, V> = imbl::HashMap<K, V>;
pub(crate) use modules::swap_namespace;
pub use modules::ModuleId;

/// What a session knows between units: every signature, name, type declaration and
/// global so far, and the HIR of every function checked. The name tables are small
/// and cloned as a checkpoint before each unit; the arenas only grow, so a checkpoint
/// records their lengths.
#[derive(Clone, Default)]
pub(crate) struct State {
    /// Signatures, indexed by [`FuncId`]: every function, method, `<main>` of each
    /// unit and test has one, so `sigs` and `program.funcs` have the same length
    /// between units.
    pub sigs: Vec<FuncSig>,
    pub names: Names,
    pub program: hir::Program,
    /// Namespaces by [`ModuleId`]: each imported module's (`modules.rs`), and each
    /// persistent unit's that declared generic functions, as the unit left it.
    pub namespaces: Vec<Names>,
    /// The namespace each generic function or method was declared in, when it is
    /// not the current one: a module's, or an earlier unit's in a persistent
    /// session. Its instances are checked in that namespace, so a name in a
    /// generic body means what it meant where and when the body was written.
    pub homes: HashMap<FuncId, ModuleId>,
    /// Functions a later unit replaced with the same signature: old → new. The new
    /// one took over the old one's call-table slot, so a call of the old one
    /// runs the newest body (see [`Checker::redefinition_notes`]).
    pub replaced_by: HashMap<FuncId, FuncId>,
    /// Structs and enums a later unit declared again under their name. Values and
    /// functions made before keep the old type, which prints like the new one: a
    /// mismatch between the two says which is which ([`Checker::mismatch`]).
    pub replaced_adts: HashSet<AdtId>,
    /// The top-level variables each generic function or method sees where it is
    /// declared (those declared before it in its unit, and every earlier unit's):
    /// its instances, checked later, read a name as a function declared there
    /// would.
    pub template_globals: HashMap<FuncId, PMap<String, GlobalId>>,
    /// The functions (anything but a unit's top-level code) that read or set each
    /// global. Compiled code can reach a global's slot while one of them can
    /// run: one that a same-signature redefinition replaced cannot (its slot
    /// calls the new body). Another global's slot is reached only by the
    /// top-level code of the units that see it, which runs once.
    pub global_users: HashMap<GlobalId, Vec<FuncId>>,
    /// Globals a unit hid while a function that can still run used them: their
    /// values are released once a later unit replaces the last such function
    /// (`Unit::released_globals`).
    pub hidden_reachable: HashSet<GlobalId>,
    /// Whether the process has a C function of this name, for `extern fn`; set
    /// by whoever will run the code (the engine). Without it any name is taken.
    pub symbol_exists: Option<fn(&str) -> bool>,
}

/// The names a unit sees from the units before it.
#[derive(Clone, Default)]
pub(crate) struct Names {
    pub funcs: PMap<String, Callee>,
    pub aliases: PMap<String, ast::TypeExpr>,
    /// Struct and enum names, and their declarations (indexed like `program.adts`).
    pub adts: PMap<String, usize>,
    /// Methods and static functions of structs and enums: (type, method name).
    pub methods: PMap<(AdtId, String), FuncId>,
    /// Top-level variables: globals visible to every later unit.
    pub globals: PMap<String, GlobalId>,
    /// Instances of generic functions: (generic function, type arguments).
    pub instances: PMap<(FuncId, Vec<Ty>), FuncId>,
    /// Modules brought in by `import`, by the name they are imported as.
    pub imports: PMap<String, ModuleId>,
}

/// What a name of a namespace denotes. The newest declaration of a name wins
/// whatever its kind: declaring it as one kind takes it from the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameKind {
    /// A function or an extern.
    Func,
    /// A struct or enum.
    Adt,
    Alias,
    /// A top-level variable.
    Global,
}

impl Names {
    /// Makes `name` free for a declaration of `kind`: forgets what it denoted as
    /// any other kind, so a use of the name means the new declaration.
    pub(crate) fn take(&mut self, name: &str, kind: NameKind) {
        if kind != NameKind::Func {
            self.funcs.remove(name);
        }
        if kind != NameKind::Adt {
            self.adts.remove(name);
        }
        if kind != NameKind::Alias {
            self.aliases.remove(name);
        }
        if kind != NameKind::Global {
            self.globals.remove(name);
        }
    }

    /// The names that belong to one namespace (what [`modules::swap_namespace`]
    /// exchanges), without the methods and instances the session shares.
    pub(crate) fn namespace(&self) -> Names {
        Names {
            funcs: self.funcs.clone(),
            aliases: self.aliases.clone(),
            adts: self.adts.clone(),
            globals: self.globals.clone(),
            imports: self.imports.clone(),
            ..Names::default()
        }
    }
}

/// The lengths of a [`State`]'s arenas, and its names, before a unit.
pub(crate) struct Checkpoint {
    names: Names,
    sigs: usize,
    funcs: usize,
    globals: usize,
    externs: usize,
    adts: usize,
    tests: usize,
    namespaces: usize,
    main: Option<FuncId>,
}

impl State {
    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            names: self.names.clone(),
            sigs: self.sigs.len(),
            funcs: self.program.funcs.len(),
            globals: self.program.globals.len(),
            externs: self.program.externs.len(),
            adts: self.program.adts.len(),
            tests: self.program.tests.len(),
            namespaces: self.namespaces.len(),
            main: self.program.main,
        }
    }

    /// Forgets everything added since `c`.
    pub(crate) fn restore(&mut self, c: Checkpoint) {
        self.names = c.names;
        self.sigs.truncate(c.sigs);
        let p = &mut self.program;
        p.funcs.truncate(c.funcs);
        p.globals.truncate(c.globals);
        p.externs.truncate(c.externs);
        p.adts.truncate(c.adts);
        p.tests.truncate(c.tests);
        p.main = c.main;
        self.namespaces.truncate(c.namespaces);
        self.template_globals.retain(|f, _| f.index() < c.sigs);
    }
}

/// What checking one unit added: the ids of its functions (in order; `<main>` and
/// its tests last) and its warnings.
#[derive(Debug)]
pub struct Unit {
    pub funcs: std::ops::Range<u32>,
    pub main: FuncId,
    pub tests: Vec<(String, FuncId)>,
    /// The unit's generic functions and methods: templates, whose HIR is a
    /// stand-in (their instances are the functions that run).
    pub templates: Vec<FuncId>,
    pub diagnostics: Vec<Diagnostic>,
    pub instances: InstanceStats,
    /// Functions of earlier units redefined by this unit with the same signature,
    /// `(old, new)`: a session that keeps accepting units points the old one's
    /// callers at the new one.
    pub replaced: Vec<(FuncId, FuncId)>,
    /// One line per redefinition that earlier definitions do not follow (a
    /// function with a new signature, a struct or enum), naming those definitions.
    pub notes: Vec<String>,
    /// For an entry (`Session::check_entry`) that ends in an expression of a type
    /// other than `()`: the hidden global its value is stored in, for the REPL to
    /// print.
    pub result: Option<hir::GlobalId>,
    /// The earlier globals this unit's top-level declarations hid (`let x`
    /// again), in the order of the declarations.
    pub hidden_globals: Vec<HiddenGlobal>,
    /// Globals hidden by earlier units that no code can reach once this unit's
    /// redefinitions are in: the last functions using them were replaced. Their
    /// values may be released once the unit has run.
    pub released_globals: Vec<GlobalId>,
}

/// A global that a unit's declaration of the same name hid.
#[derive(Clone, Copy, Debug)]
pub struct HiddenGlobal {
    pub old: GlobalId,
    /// The global declared in its place.
    pub new: GlobalId,
    /// No compiled code can reach `old` once the unit has run: nothing but
    /// top-level code used it, and no generic function that may still be
    /// instantiated can see it. If the unit's code set `new`, the session may
    /// release `old`'s value; if a panic stopped it first, the name should go
    /// back to `old` ([`crate::Session::unhide_global`]).
    pub unreachable: bool,
}

/// Checks one unit against `state`, adding to it. On any error, the caller restores
/// the checkpoint it took.
pub(crate) fn check_unit(
    state: State,
    module: &ast::Module,
    globals_in_slots: bool,
    keep_result: bool,
) -> (State, Result<Unit, Vec<Diagnostic>>) {
    let first = state.sigs.len() as u32;
    let tests_before = state.program.tests.len();
    let first_global = state.program.globals.len();
    let mut checker = Checker {
        state,
        globals_in_slots,
        keep_result,
        first_global,
        first_sig: first,
        ..Checker::default()
    };
    checker.collect_items(module);
    checker.resolve_adts(module);
    checker.resolve_aliases(module);
    checker.resolve_signatures(module);
    checker.collect_methods(module);
    let snapshots = checker.check_main(module);
    checker.check_bodies(module, snapshots, first);
    checker.hide_shadowed_functions();
    let (made, reused) = checker.instance_stats;
    let replaced = checker.replaced();
    let hidden_globals = checker.hidden_globals(&replaced);
    let released_globals = checker.released_globals(&replaced);
    let notes = checker.redefinition_notes(first, &replaced);
    let replaced_adts: Vec<AdtId> = checker
        .shadowed_adts
        .iter()
        .map(|&old| checker.state.program.adts[old].id)
        .collect();
    let Checker {
        mut diags,
        state,
        result,
        ..
    } = checker;
    // The same message at the same place says nothing more the second time (an
    // error in a generic function's signature, found again by each instance).
    let mut seen = HashSet::new();
    diags.retain(|d| seen.insert((d.span, d.message.clone())));
    if diags.iter().any(|d| d.is_error()) {
        return (state, Err(diags));
    }
    let mut state = state;
    for h in hidden_globals.iter().filter(|h| !h.unreachable) {
        state.hidden_reachable.insert(h.old);
    }
    for g in &released_globals {
        state.hidden_reachable.remove(g);
    }
    state.replaced_by.extend(replaced.iter().copied());
    state.replaced_adts.extend(replaced_adts);
    let unit = Unit {
        funcs: first..state.sigs.len() as u32,
        main: state.program.main.unwrap_or(FuncId(first)),
        tests: state.program.tests[tests_before..].to_vec(),
        diagnostics: diags,
        instances: InstanceStats { made, reused },
        replaced,
        notes,
        templates: (first..state.sigs.len() as u32)
            .map(FuncId)
            .filter(|f| state.sigs[f.index()].generic.is_some())
            .collect(),
        result: result.filter(|g| {
            let ty = state.program.globals[g.index()].ty;
            ty != Ty::Unit && ty != Ty::Never
        }),
        hidden_globals,
        released_globals,
    };
    (state, Ok(unit))
}

/// A function's signature, known before any body is checked.
#[derive(Clone, Debug)]
pub(crate) struct FuncSig {
    pub name: String,
    pub params: Vec<(String, Ty)>,
    pub ret: Ty,
    pub span: Span,
    /// For a generic function or method: its declaration, checked once per set of
    /// type arguments (`params` and `ret` are unused).
    pub generic: Option<std::rc::Rc<generics::Generic>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee {
    Func(FuncId),
    Extern(hir::ExternId),
}

#[derive(Clone, Debug)]
pub(crate) struct LoopCx {
    /// `loop` may carry a value out with `break value`; `while` and `for` may not.
    pub is_loop: bool,
    pub break_ty: Option<Ty>,
}

/// The state of the body being checked.
#[derive(Default)]
pub(crate) struct BodyCx {
    pub exprs: Vec<hir::Expr>,
    pub locals: Vec<hir::Local>,
    pub scopes: Vec<HashMap<String, LocalId>>,
    /// The return type; `None` in top-level code, where `return` is not allowed.
    pub ret: Option<Ty>,
    pub loops: Vec<LoopCx>,
    pub globals: PMap<String, GlobalId>,
    /// Top-level code: `let` and `var` in the outermost scope declare globals.
    pub is_main: bool,
    /// The body of a closure: names it does not declare are looked up in the
    /// enclosing bodies and captured.
    pub is_closure: bool,
    /// In a closure: its locals that receive captured values, each with the local
    /// of the enclosing body it captures.
    pub captures: Vec<(LocalId, LocalId)>,
    /// In a closure: its function id.
    pub closure_id: Option<FuncId>,
    /// In a function declared to return `Gen<T>`: what makes it a generator.
    pub gen: Option<generators::GenCx>,
}

#[derive(Default)]
pub(crate) struct Checker {
    pub diags: Vec<Diagnostic>,
    /// What the session knows, which this unit adds to.
    pub state: State,
    /// Functions and types this unit declares, to report duplicates within it (a
    /// later unit may declare a name again: the new declaration takes the name).
    unit_funcs: std::collections::HashSet<String>,
    unit_types: std::collections::HashSet<String>,
    /// Functions of earlier units whose name a function of this unit takes:
    /// `(old, new)`.
    shadowed: Vec<(FuncId, FuncId)>,
    /// The generic functions and methods among `shadowed` whose new declaration
    /// has the same generic signature: their instances were replaced
    /// ([`Checker::replace_generic_instances`]), so nothing still uses them.
    pub(crate) replaced_templates: Vec<FuncId>,
    /// Structs and enums of earlier units whose name this unit takes (indexes
    /// into `program.adts`).
    shadowed_adts: Vec<usize>,
    /// Globals whose name a declaration of this unit took (in a persistent
    /// session): `(old, new)`.
    pub(crate) shadowed_globals: Vec<(GlobalId, GlobalId)>,
    /// Names of this unit's functions that a top-level variable of the unit
    /// shadows: once the unit is checked, the name is the variable's.
    pub(crate) shadowing_globals: Vec<String>,
    /// Keep every top-level variable in a global slot, because later units may see
    /// it (a REPL or an embedder), rather than in a register of `<main>`.
    pub(crate) globals_in_slots: bool,
    /// Store the value of a final expression statement in a hidden global (a REPL
    /// entry), and the global.
    keep_result: bool,
    result: Option<hir::GlobalId>,
    /// The first global this unit declares.
    first_global: usize,
    /// The first function (signature) this unit declares.
    pub(crate) first_sig: u32,
    /// Type aliases of this unit whose type is in error (`resolve_aliases`).
    pub(crate) bad_aliases: HashSet<String>,
    pub cx: BodyCx,
    /// The unification variables of the named function (or top-level code, or
    /// test) being checked, with its closures.
    pub(crate) vars: infer::Vars,
    /// Type parameters in scope (in an instance of a generic function: bound to
    /// that instance's type arguments).
    pub(crate) type_params: HashMap<String, Ty>,
    /// Checking the arguments of a call that is an error: types to infer there
    /// are error types (`failed_call_arg`).
    pub(crate) in_failed_call: bool,
    /// How many instances deep the body being checked is (0: not an instance).
    pub(crate) instance_depth: usize,
    /// Instances asked for and not checked yet.
    pub(crate) instance_queue: Vec<generics::Request>,
    /// Counts for `--stats`: instances made and cache hits in this unit.
    pub(crate) instance_stats: (usize, usize),
    /// The bodies enclosing the closure being checked, innermost last.
    pub enclosing: Vec<BodyCx>,
    /// The HIR of every function this unit has checked, by id.
    pub bodies: HashMap<FuncId, hir::Function>,
    /// Where the error "X is not available yet" was reported, to say it once per
    /// construct and line.
    reported: Vec<(String, Span)>,
}

/// The generic-instance counts of a unit, for `kiln run --stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InstanceStats {
    /// Instances checked (cache misses).
    pub made: usize,
    /// Calls served by an instance made before (cache hits).
    pub reused: usize,
}

/// The globals visible at a function's position, recorded during `check_main`.
type Snapshots = HashMap<usize, PMap<String, GlobalId>>;

impl Checker {
    pub(crate) fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(span, message));
    }

    pub(crate) fn error_with_label(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error(span, message).with_label(label));
    }

    /// Reports a construct of LANGUAGE.md that this version does not implement.
    pub(crate) fn unsupported(&mut self, span: Span, what: &str) {
        let key = (what.to_string(), span);
        if self.reported.contains(&key) {
            return;
        }
        self.reported.push(key);
        self.diags.push(
            Diagnostic::error(span, format!("{what} are not available yet"))
                .with_label("not supported by this version of Kiln"),
        );
    }

    /// Resolves each type alias the unit declares once, so that an alias of an
    /// unknown type, or one that refers to itself, is an error where it is
    /// declared even if nothing uses it yet (a later unit might).
    fn resolve_aliases(&mut self, module: &ast::Module) {
        for item in &module.items {
            if let ItemKind::TypeAlias(alias) = &item.kind {
                let declared = self.state.names.aliases.get(&alias.name.name);
                if alias.generics.is_empty() && declared.is_some_and(|t| t.span == alias.ty.span) {
                    let errors = self.diags.len();
                    self.resolve_type(&alias.ty);
                    if self.diags.len() > errors {
                        // Reported here once: a use resolves to an error quietly.
                        self.bad_aliases.insert(alias.name.name.clone());
                    }
                }
            }
        }
    }

    fn collect_items(&mut self, module: &ast::Module) {
        for item in &module.items {
            match &item.kind {
                ItemKind::Fn(f) => self.declare_fn(&f.sig, Callee::Func(FuncId(0))),
                ItemKind::ExternFn(sig) => self.declare_fn(sig, Callee::Extern(hir::ExternId(0))),
                ItemKind::TypeAlias(alias) => self.declare_alias(alias),
                ItemKind::Struct(d) => self.declare_adt(&d.name, &d.generics, "a struct"),
                ItemKind::Enum(d) => self.declare_adt(&d.name, &d.generics, "an enum"),
                ItemKind::Impl(_) => {}
                ItemKind::Import(name) => self.check_import(name),
                ItemKind::Test(_) | ItemKind::Stmt(_) => {}
            }
        }
    }

    /// Declares a type alias; its type is resolved where it is used.
    fn declare_alias(&mut self, alias: &ast::TypeAlias) {
        if !alias.generics.is_empty() {
            self.unsupported(alias.name.span, "generic type aliases");
            return;
        }
        if self.is_builtin_type(&alias.name, "a type alias") {
            return;
        }
        if !self.unit_types.insert(alias.name.name.clone()) {
            self.error(
                alias.name.span,
                format!("the type `{}` is defined twice", alias.name.name),
            );
            return;
        }
        self.take_name(&alias.name, NameKind::Alias);
        self.state
            .names
            .aliases
            .insert(alias.name.name.clone(), alias.ty.clone());
    }

    /// Declares a function or extern name; the signature is filled in later.
    fn declare_fn(&mut self, sig: &ast::FnSig, kind: Callee) {
        let name = &sig.name.name;
        if !self.unit_funcs.insert(name.clone()) {
            self.error_with_label(
                sig.name.span,
                format!("the function `{name}` is defined twice"),
                "redefined here",
            );
            return;
        }
        self.take_name(&sig.name, NameKind::Func);
        let callee = match kind {
            Callee::Func(_) => {
                self.state.sigs.push(FuncSig {
                    name: name.clone(),
                    params: Vec::new(),
                    ret: Ty::Unit,
                    span: sig.span,
                    generic: None,
                });
                Callee::Func(FuncId(self.state.sigs.len() as u32 - 1))
            }
            Callee::Extern(_) => {
                if self.state.symbol_exists.is_some_and(|exists| !exists(name)) {
                    self.error_with_label(
                        sig.span,
                        format!("cannot find the C function `{name}` in this process"),
                        "no such symbol in libc, libm or the kiln binary",
                    );
                }
                self.state.program.externs.push(hir::Extern {
                    name: name.clone(),
                    params: Vec::new(),
                    ret: Ty::Unit,
                    span: sig.span,
                });
                Callee::Extern(hir::ExternId(self.state.program.externs.len() as u32 - 1))
            }
        };
        if let (Some(Callee::Func(old)), Callee::Func(new)) =
            (self.state.names.funcs.insert(name.clone(), callee), callee)
        {
            self.shadowed.push((old, new));
        }
    }

    /// Once every body of the unit is checked, a function of the unit that a
    /// top-level variable of the unit shadows gives its name to the variable, for
    /// later units ([`Checker::take_name`]).
    fn hide_shadowed_functions(&mut self) {
        for name in std::mem::take(&mut self.shadowing_globals) {
            if self.state.names.globals.contains_key(&name) {
                self.state.names.funcs.remove(&name);
            }
        }
    }

    /// Whether compiled code can still reach global `g` once this unit's
    /// redefinitions (`replaced`) are in: a function that can still run uses it,
    /// or a namespace kept for the instances of a generic function (a module's,
    /// or an earlier unit's), which may be made later, sees it.
    fn global_reachable(&self, g: GlobalId, replaced: &[(FuncId, FuncId)]) -> bool {
        let state = &self.state;
        let live = |f: &FuncId| {
            !state.replaced_by.contains_key(f) && !replaced.iter().any(|(old, _)| old == f)
        };
        let name = &state.program.globals[g.index()].name;
        state
            .global_users
            .get(&g)
            .is_some_and(|users| users.iter().any(live))
            || state
                .namespaces
                .iter()
                .any(|ns| ns.globals.get(name) == Some(&g))
    }

    /// The globals this unit hid, each with whether compiled code can still
    /// reach it ([`HiddenGlobal::unreachable`]).
    fn hidden_globals(&self, replaced: &[(FuncId, FuncId)]) -> Vec<HiddenGlobal> {
        self.shadowed_globals
            .iter()
            .map(|&(old, new)| HiddenGlobal {
                old,
                new,
                unreachable: !self.global_reachable(old, replaced),
            })
            .collect()
    }

    /// Globals hidden earlier while still in use that this unit's redefinitions
    /// leave unreachable ([`Unit::released_globals`]).
    fn released_globals(&self, replaced: &[(FuncId, FuncId)]) -> Vec<GlobalId> {
        if replaced.is_empty() {
            return Vec::new();
        }
        let mut released: Vec<GlobalId> = self
            .state
            .hidden_reachable
            .iter()
            .copied()
            .filter(|&g| !self.global_reachable(g, replaced))
            .collect();
        released.sort();
        released
    }

    /// Takes `name` for a declaration of `kind` by this unit (see [`Names::take`]).
    /// Within one unit a name is declared once as an item: a function and a type,
    /// or a type and a top-level variable, of the same name are an error (items
    /// are collected before top-level code is checked, so the variable is the one
    /// reported). A top-level variable may shadow a function of its own unit, as a
    /// later `let` shadows any name (`let area = area(3)`): top-level code after it
    /// reads the variable, code before it and function bodies call the function,
    /// and later units see the variable ([`Checker::shadowing_globals`]).
    pub(crate) fn take_name(&mut self, name: &ast::Ident, kind: NameKind) {
        if kind == NameKind::Global && self.unit_funcs.contains(&name.name) {
            self.shadowing_globals.push(name.name.clone());
            self.state.names.adts.remove(&name.name);
            self.state.names.aliases.remove(&name.name);
            return;
        }
        let other = if self.unit_funcs.contains(&name.name) && kind != NameKind::Func {
            Some("a function")
        } else if self.unit_types.contains(&name.name)
            && matches!(kind, NameKind::Func | NameKind::Global)
        {
            Some("a type")
        } else {
            None
        };
        if let Some(other) = other {
            let what = match kind {
                NameKind::Func => "a function",
                NameKind::Adt | NameKind::Alias => "a type",
                NameKind::Global => "a variable",
            };
            self.error_with_label(
                name.span,
                format!(
                    "`{}` is already {other}; {what} cannot have the same name",
                    name.name
                ),
                format!("`{}` is also {other}", name.name),
            );
        }
        self.state.names.take(&name.name, kind);
    }

    /// One line per redefinition that earlier definitions do not follow: a
    /// function with a new signature, or a struct or enum, with the functions
    /// and variables of earlier units that still use the old one.
    fn redefinition_notes(&self, first: u32, replaced: &[(FuncId, FuncId)]) -> Vec<String> {
        if self.shadowed.len() == replaced.len() && self.shadowed_adts.is_empty() {
            return Vec::new();
        }
        let names = &self.state.names;
        let program = &self.state.program;
        // The functions, methods and variables of earlier units that can still be
        // named.
        let mut funcs: Vec<(&str, FuncId)> = names
            .funcs
            .iter()
            .filter_map(|(n, c)| match c {
                Callee::Func(id) if id.0 < first => Some((n.as_str(), *id)),
                _ => None,
            })
            .collect();
        funcs.extend(
            names
                .methods
                .values()
                .filter(|id| id.0 < first)
                .map(|&id| (self.state.sigs[id.index()].name.as_str(), id)),
        );
        funcs.sort_by_key(|&(_, id)| id);
        let mut globals: Vec<(&str, GlobalId)> = names
            .globals
            .iter()
            .filter(|(_, g)| g.index() < self.first_global)
            .map(|(n, g)| (n.as_str(), *g))
            .collect();
        globals.sort_by_key(|&(_, g)| g);
        let list = |users: Vec<&str>| {
            users
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // A call of a generic function calls one of its instances.
        let template_of: HashMap<FuncId, FuncId> = names
            .instances
            .iter()
            .map(|((template, _), &instance)| (instance, *template))
            .collect();
        // What a function does is in its body, or a generic one's in its
        // instances' bodies (its own HIR is a stand-in).
        let mut instances_of: HashMap<FuncId, Vec<FuncId>> = HashMap::new();
        for (&instance, template) in &template_of {
            instances_of.entry(*template).or_default().push(instance);
        }
        let bodies = |f: FuncId| {
            std::iter::once(f)
                .chain(instances_of.get(&f).into_iter().flatten().copied())
                .map(|b| &program.funcs[b.index()])
        };
        let mut notes = Vec::new();
        for &(old, _) in &self.shadowed {
            if replaced.iter().any(|&(o, _)| o == old) || self.replaced_templates.contains(&old) {
                continue;
            }
            // A call of a function that `old` replaced (with the same signature)
            // runs `old`'s body now: it uses `old` as much as a direct call.
            let means_old = |mut func: FuncId| loop {
                if func == old || template_of.get(&func) == Some(&old) {
                    break true;
                }
                match self.state.replaced_by.get(&func) {
                    Some(&next) => func = next,
                    None => break false,
                }
            };
            let calls_old = |f: FuncId| {
                bodies(f).any(|body| body.exprs.iter().any(|e| {
                    matches!(e.kind, hir::ExprKind::Call { func, .. } | hir::ExprKind::FuncValue(func) if means_old(func))
                }))
            };
            let users: Vec<&str> = funcs
                .iter()
                .filter(|&&(_, f)| f != old && calls_old(f))
                .map(|&(n, _)| n)
                .collect();
            if !users.is_empty() {
                let name = &self.state.sigs[old.index()].name;
                notes.push(format!(
                    "note: `{name}` has a new signature; {} still use{} the old `{name}`",
                    list(users.clone()),
                    if users.len() == 1 { "s" } else { "" }
                ));
            }
        }
        for &old in &self.shadowed_adts {
            let adt = &program.adts[old];
            let mentions = |t: Ty| t.mentions_adt(adt.id);
            let mut users: Vec<&str> = funcs
                .iter()
                .filter(|&&(_, f)| {
                    // Its signature, or its body (a value made or read there).
                    let sig = &self.state.sigs[f.index()];
                    mentions(sig.ret)
                        || sig.params.iter().any(|p| mentions(p.1))
                        || bodies(f).any(|body| body.exprs.iter().any(|e| mentions(e.ty)))
                })
                .map(|&(n, _)| n)
                .collect();
            users.extend(
                globals
                    .iter()
                    .filter(|&&(_, g)| mentions(program.globals[g.index()].ty))
                    .map(|&(n, _)| n),
            );
            if !users.is_empty() {
                notes.push(format!(
                    "note: `{}` is a new type; {} still use{} the old `{}`",
                    adt.name,
                    list(users.clone()),
                    if users.len() == 1 { "s" } else { "" },
                    adt.name
                ));
            }
        }
        notes
    }

    /// The functions of earlier units that this unit redefines with the same
    /// signature: a caller of the old one can call the new one instead.
    fn replaced(&self) -> Vec<(FuncId, FuncId)> {
        let same = |a: &FuncSig, b: &FuncSig| {
            a.generic.is_none()
                && b.generic.is_none()
                && a.ret == b.ret
                && a.params.len() == b.params.len()
                && a.params.iter().zip(&b.params).all(|(x, y)| x.1 == y.1)
        };
        self.shadowed
            .iter()
            .copied()
            .filter(|&(old, new)| {
                same(&self.state.sigs[old.index()], &self.state.sigs[new.index()])
            })
            .collect()
    }

    fn resolve_signatures(&mut self, module: &ast::Module) {
        for item in &module.items {
            let (sig, is_extern) = match &item.kind {
                ItemKind::Fn(f) => (&f.sig, false),
                ItemKind::ExternFn(sig) => (sig, true),
                _ => continue,
            };
            let Some(&callee) = self.state.names.funcs.get(&sig.name.name) else {
                continue;
            };
            if let (ItemKind::Fn(f), Callee::Func(id)) = (&item.kind, callee) {
                if !f.sig.generics.is_empty() {
                    // A template: its signature and body are checked per instance.
                    if self.state.sigs[id.index()].span == f.sig.span {
                        self.state.sigs[id.index()].generic =
                            Some(std::rc::Rc::new(generics::Generic::function(f)));
                    }
                    continue;
                }
            }
            self.resolve_signature(sig, is_extern, callee, None);
        }
    }

    /// Resolves the parameter and return types of a function, an extern, or a
    /// method of `self_ty`.
    pub(crate) fn resolve_signature(
        &mut self,
        sig: &ast::FnSig,
        is_extern: bool,
        callee: Callee,
        self_ty: Option<Ty>,
    ) {
        {
            if !sig.generics.is_empty() {
                self.unsupported(sig.name.span, "generic methods");
            }
            let mut params: Vec<(String, Ty)> = Vec::new();
            for p in &sig.params {
                if params.iter().any(|(n, _)| *n == p.name.name) && p.name.name != "_" {
                    self.error_with_label(
                        p.name.span,
                        format!("the parameter `{}` is declared twice", p.name.name),
                        "declared again here",
                    );
                }
                let ty = match &p.ty {
                    _ if p.is_self => match self_ty {
                        Some(t) => t,
                        None => {
                            self.error(
                                p.span,
                                "`self` is only allowed in the methods of an `impl`",
                            );
                            Ty::Error
                        }
                    },
                    Some(t) => self.resolve_type(t),
                    None => Ty::Error,
                };
                if is_extern && !ty.is_numeric() && ty != Ty::Bool && !ty.contains_error() {
                    self.error(
                        p.span,
                        format!(
                            "an extern function's parameters must be numbers or bool, not {ty}"
                        ),
                    );
                }
                params.push((p.name.name.clone(), ty));
            }
            let ret = sig.ret.as_ref().map_or(Ty::Unit, |t| self.resolve_type(t));
            if is_extern
                && !(ret.is_numeric() || ret == Ty::Bool || ret == Ty::Unit || ret.is_error())
            {
                if let Some(t) = &sig.ret {
                    self.error(
                        t.span,
                        format!("an extern function must return a number, bool or (), not {ret}"),
                    );
                }
            }
            match callee {
                // Only the first declaration of a name owns the slot.
                Callee::Func(id) if self.state.sigs[id.index()].span == sig.span => {
                    self.state.sigs[id.index()].params = params;
                    self.state.sigs[id.index()].ret = ret;
                }
                Callee::Extern(id) if self.state.program.externs[id.index()].span == sig.span => {
                    let ext = &mut self.state.program.externs[id.index()];
                    ext.params = params.into_iter().map(|(_, t)| t).collect();
                    ext.ret = ret;
                }
                _ => {}
            }
        }
    }

    /// Checks the top-level statements as the body of `<main>`, and records for
    /// each function and test (by item index) the globals declared before it.
    fn check_main(&mut self, module: &ast::Module) -> Snapshots {
        let mut snapshots = Snapshots::new();
        let main_id = self.new_func_id("<main>", Vec::new(), Ty::Unit, Span::default());
        self.state.program.main = Some(main_id);
        self.cx = BodyCx {
            is_main: true,
            scopes: vec![HashMap::new()],
            globals: self.state.names.globals.clone(),
            ..BodyCx::default()
        };
        let mut stmts = Vec::new();
        let mut main_span: Option<Span> = None;
        let last_stmt = module
            .items
            .iter()
            .rposition(|i| matches!(i.kind, ItemKind::Stmt(_)));
        for (index, item) in module.items.iter().enumerate() {
            match &item.kind {
                ItemKind::Stmt(stmt) => {
                    main_span = Some(main_span.map_or(item.span, |s| s.to(item.span)));
                    let id = if self.keep_result && Some(index) == last_stmt {
                        self.check_result_stmt(stmt)
                    } else {
                        self.check_stmt(stmt)
                    };
                    stmts.push(id);
                }
                ItemKind::Fn(_) | ItemKind::Test(_) | ItemKind::Impl(_) => {
                    snapshots.insert(index, self.cx.globals.clone());
                }
                _ => {}
            }
        }
        let span = main_span.unwrap_or_default();
        let body = self.push_expr(hir::ExprKind::Block { stmts, tail: None }, Ty::Unit, span);
        self.state.names.globals = self.cx.globals.clone();
        if self.globals_in_slots {
            for g in &mut self.state.program.globals[self.first_global..] {
                g.from_functions = true;
            }
        }
        self.state.sigs[main_id.index()].span = span;
        let mut main = self.finish_body("<main>", Vec::new(), Ty::Unit, body, span);
        self.finish_inference(&mut main);
        self.bodies.insert(main_id, main);
        snapshots
    }

    fn check_bodies(&mut self, module: &ast::Module, snapshots: Snapshots, first: u32) {
        for (index, item) in module.items.iter().enumerate() {
            let globals = snapshots.get(&index).cloned().unwrap_or_default();
            match &item.kind {
                ItemKind::Fn(f) => {
                    let Some(Callee::Func(id)) =
                        self.state.names.funcs.get(&f.sig.name.name).copied()
                    else {
                        continue;
                    };
                    if id.0 < first || self.state.sigs[id.index()].span != f.sig.span {
                        continue;
                    }
                    if !f.sig.generics.is_empty() {
                        self.state.template_globals.insert(id, globals);
                        self.check_generic_signature(id);
                        continue;
                    }
                    let body = self.check_fn(id, f, globals);
                    self.bodies.insert(id, body);
                }
                ItemKind::Test(t) => {
                    let name = format!("test \"{}\"", t.name);
                    let id = self.new_func_id(&name, Vec::new(), Ty::Unit, item.span);
                    let body = self.check_test(t, item.span, globals);
                    self.bodies.insert(id, body);
                    self.state.program.tests.push((t.name.clone(), id));
                }
                ItemKind::Impl(imp) => {
                    for m in &imp.methods {
                        let Some(id) = self.method_id(imp, m) else {
                            continue;
                        };
                        if self.state.sigs[id.index()].generic.is_some() {
                            if id.0 >= first {
                                self.state.template_globals.insert(id, globals.clone());
                                self.check_generic_signature(id);
                            }
                            continue;
                        }
                        if id.0 >= first && !self.bodies.contains_key(&id) {
                            let body = self.check_fn(id, m, globals.clone());
                            self.bodies.insert(id, body);
                        }
                    }
                }
                _ => {}
            }
        }
        self.check_instances();
        self.replace_generic_instances();
        // Function ids of HIR match the signature ids.
        for index in first as usize..self.state.sigs.len() {
            let id = FuncId(index as u32);
            let f = match self.bodies.remove(&id) {
                Some(f) => f,
                None => self.placeholder(index),
            };
            if self.state.program.main != Some(id) {
                for e in &f.exprs {
                    if let hir::ExprKind::Global(g) | hir::ExprKind::SetGlobal { global: g, .. } =
                        e.kind
                    {
                        let users = self.state.global_users.entry(g).or_default();
                        if users.last() != Some(&id) {
                            users.push(id);
                        }
                    }
                }
            }
            self.state.program.funcs.push(f);
        }
    }

    /// Gives a function of this unit its id: a signature, whose index is the id.
    pub(crate) fn new_func_id(
        &mut self,
        name: &str,
        params: Vec<(String, Ty)>,
        ret: Ty,
        span: Span,
    ) -> FuncId {
        self.state.sigs.push(FuncSig {
            name: name.to_string(),
            params,
            ret,
            span,
            generic: None,
        });
        FuncId(self.state.sigs.len() as u32 - 1)
    }

    /// A body for a function whose declaration was rejected (only reachable when
    /// errors were reported, so it is never lowered).
    fn placeholder(&mut self, index: usize) -> hir::Function {
        let sig = &self.state.sigs[index];
        hir::Function {
            name: sig.name.clone(),
            captures: None,
            params: Vec::new(),
            ret: Ty::Unit,
            generator: false,
            body: ExprId(0),
            locals: Vec::new(),
            exprs: vec![hir::Expr {
                kind: hir::ExprKind::Const(hir::Const::Unit),
                ty: Ty::Unit,
                span: sig.span,
            }],
            span: sig.span,
        }
    }

    pub(crate) fn check_fn(
        &mut self,
        id: FuncId,
        f: &ast::FnDecl,
        globals: PMap<String, GlobalId>,
    ) -> hir::Function {
        let sig = self.state.sigs[id.index()].clone();
        self.cx = BodyCx {
            ret: Some(sig.ret),
            scopes: vec![HashMap::new()],
            globals,
            gen: sig
                .ret
                .as_gen()
                .filter(|_| generators::body_yields(&f.body))
                .map(|elem| generators::GenCx { elem }),
            ..BodyCx::default()
        };
        let mut params = Vec::new();
        for (name, ty) in &sig.params {
            params.push(self.declare_local(name, *ty, false));
        }
        let expected = if self.cx.gen.is_some() {
            Ty::Unit
        } else {
            sig.ret
        };
        let body = self.check_block(&f.body, Some(expected));
        let at = self.value_span(body);
        self.finish_fn_body(body, sig.ret, at);
        let mut f = self.finish_body(&sig.name, params, sig.ret, body, f.sig.span);
        self.finish_inference(&mut f);
        f
    }

    fn check_test(
        &mut self,
        t: &ast::TestDecl,
        span: Span,
        globals: PMap<String, GlobalId>,
    ) -> hir::Function {
        self.cx = BodyCx {
            ret: Some(Ty::Unit),
            scopes: vec![HashMap::new()],
            globals,
            ..BodyCx::default()
        };
        let body = self.check_block(&t.body, Some(Ty::Unit));
        let name = format!("test \"{}\"", t.name);
        let mut f = self.finish_body(&name, Vec::new(), Ty::Unit, body, span);
        self.finish_inference(&mut f);
        f
    }

    /// Moves the current body into a new HIR function.
    fn finish_body(
        &mut self,
        name: &str,
        params: Vec<LocalId>,
        ret: Ty,
        body: ExprId,
        span: Span,
    ) -> hir::Function {
        let cx = std::mem::take(&mut self.cx);
        hir::Function {
            name: name.to_string(),
            captures: cx
                .is_closure
                .then(|| cx.captures.iter().map(|&(inner, _)| inner).collect()),
            params,
            ret,
            generator: cx.gen.is_some(),
            body,
            locals: cx.locals,
            exprs: cx.exprs,
            span,
        }
    }

    // ---- body helpers ----------------------------------------------------------

    pub(crate) fn push_expr(&mut self, kind: hir::ExprKind, ty: Ty, span: Span) -> ExprId {
        self.cx.exprs.push(hir::Expr { kind, ty, span });
        ExprId(self.cx.exprs.len() as u32 - 1)
    }

    /// The type of an expression, with what inference knows so far.
    pub(crate) fn ty_of(&self, id: ExprId) -> Ty {
        self.known_ty(id)
    }

    pub(crate) fn declare_local(&mut self, name: &str, ty: Ty, mutable: bool) -> LocalId {
        self.cx.locals.push(hir::Local {
            name: name.to_string(),
            ty,
            mutable,
            boxed: false,
        });
        let id = LocalId(self.cx.locals.len() as u32 - 1);
        if let Some(scope) = self.cx.scopes.last_mut() {
            scope.insert(name.to_string(), id);
        }
        id
    }

    pub(crate) fn lookup_local(&self, name: &str) -> Option<LocalId> {
        self.cx
            .scopes
            .iter()
            .rev()
            .find_map(|s| s.get(name).copied())
    }

    /// Where the value of an expression comes from: the tail of a block (through
    /// nested blocks), else the expression itself. Mismatches are reported there.
    pub(crate) fn value_span(&self, mut id: ExprId) -> Span {
        while let hir::ExprKind::Block { tail: Some(t), .. } = self.cx.exprs[id.index()].kind {
            id = t;
        }
        self.cx.exprs[id.index()].span
    }

    /// Reports a mismatch when the expression's type does not fit `expected`.
    pub(crate) fn expect_fits(&mut self, id: ExprId, expected: Ty, span: Span) -> bool {
        let found = self.ty_of(id);
        let expected = self.resolve(expected);
        if self.agree(found, expected) {
            return true;
        }
        let span = if span.is_empty() {
            self.cx.exprs[id.index()].span
        } else {
            span
        };
        let m = self.mismatch(expected, found);
        let d = Diagnostic::error(
            span,
            format!(
                "mismatched types: expected {}, found {}",
                m.expected, m.found
            ),
        )
        .with_label(format!("this is {}", m.found));
        self.poison(found);
        self.poison(expected);
        self.diags.push(m.noted(d));
        false
    }

    /// How a mismatch shows its two types: as they print, unless they print the
    /// same. Then a struct or enum of one name differs inside them: an earlier
    /// definition that a later unit replaced is marked as such, with a note on
    /// redefinition; otherwise one is a module's, and the note says how a
    /// module's types are written.
    pub(crate) fn mismatch(&self, expected: Ty, found: Ty) -> Mismatch {
        let mut m = Mismatch {
            expected: expected.to_string(),
            found: found.to_string(),
            note: None,
        };
        if m.expected != m.found {
            return m;
        }
        let Some((a, b, name)) = expected.adts_named_alike(found) else {
            return m;
        };
        let (old_a, old_b) = (self.is_replaced(a), self.is_replaced(b));
        if !old_a && !old_b {
            m.note = Some(
                "these are two types of the same name: an imported module's types \
                 are written with the module's name (`module.Type`)"
                    .to_string(),
            );
            return m;
        }
        // Ids grow with each declaration: of two replaced ones, the larger is the
        // later.
        let which = |id: AdtId, other: AdtId, other_old: bool, ty: Ty| {
            let (age, replaced) = if other_old && id > other {
                ("a later", "also replaced")
            } else {
                ("an earlier", "replaced")
            };
            let whole = matches!(ty.heap(), Some(HeapTy::Adt(x, ..)) if x == id);
            if whole {
                format!(" ({age} definition, {replaced})")
            } else {
                format!(" (with {age} definition of `{name}`, {replaced})")
            }
        };
        if old_a {
            m.expected += &which(a, b, old_b, expected);
        }
        if old_b {
            m.found += &which(b, a, old_a, found);
        }
        m.note = Some(format!(
            "`{name}` was redefined: values made and functions declared before that \
             keep the old `{name}`"
        ));
        m
    }

    /// Whether a later declaration took the name of struct or enum `id`, in an
    /// earlier unit or in this one.
    fn is_replaced(&self, id: AdtId) -> bool {
        self.state.replaced_adts.contains(&id)
            || self
                .shadowed_adts
                .iter()
                .any(|&old| self.state.program.adts[old].id == id)
    }
}

/// Two types a mismatch shows, and a note when they print the same.
pub(crate) struct Mismatch {
    pub expected: String,
    pub found: String,
    note: Option<String>,
}

impl Mismatch {
    /// The diagnostic of the mismatch, with the note if there is one.
    pub(crate) fn noted(self, d: Diagnostic) -> Diagnostic {
        match self.note {
            Some(note) => d.with_note(note),
            None => d,
        }
    }
}
