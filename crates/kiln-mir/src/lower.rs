//! Lowering: typed HIR to MIR.
//!
//! Lowering goes on unit by unit ([`Lowering`]): each HIR function of a unit
//! becomes one MIR function (a generator becomes its constructor, and its resume
//! function follows the unit's HIR functions with the other extra functions
//! lowering makes: closure adapters, `sort_by` comparisons). Locals become builder variables (so
//! SSA form and block parameters come from the builder), globals become loads and
//! stores of slots, and every operation that can fail at run time is spelled out as
//! a check that branches to a cold block ending in a panic. Lowering trusts the HIR
//! (it is only produced for programs without errors) and never reports errors.

mod closures;
mod fuse;
mod generator;
mod heap;
mod pattern;
mod rc;

use crate::builder::{FuncBuilder, Var};
use crate::ir::*;
use kiln_runtime::PanicKind;
use kiln_sema::hir::{self, Builtin, Const, ExprId, ExprKind, InterpPart, RangeLoop};
use kiln_sema::ty::{FloatTy, IntTy, Ty};
use kiln_syntax::ast::{BinOp, UnaryOp};
use kiln_syntax::Span;
use rc::Ownership;
use std::collections::HashMap;

/// The MIR type of a Kiln type; `None` for types without a value (`()`, never).
pub fn mir_type(ty: Ty) -> Option<Type> {
    Some(match ty {
        Ty::Int(i) => match i.bits() {
            8 => Type::I8,
            16 => Type::I16,
            32 => Type::I32,
            _ => Type::I64,
        },
        Ty::Float(FloatTy::F32) => Type::F32,
        Ty::Float(FloatTy::F64) => Type::F64,
        Ty::Bool => Type::I8,
        Ty::Char => Type::I32,
        Ty::Str | Ty::Heap(_) => Type::Ptr,
        // HIR has no unification variables (kiln-sema resolves them all).
        Ty::Unit | Ty::Never | Ty::Error | Ty::Infer(_) | Ty::Param(_) => return None,
    })
}

/// At most this many globals become variables of `<main>` (the first ones
/// declared); later ones keep their slot. A variable of `<main>` that holds a
/// reference lives to the end of the program, and Cranelift's register allocator
/// takes time in proportion to how many values are live across how many blocks: on
/// a generated script with thousands of top-level arrays and strings, promoting
/// every one made that time quadratic (6.9 s for 10,000 lines, 4.4 times as long as
/// for 5,000; 3.3 s, and linear, with this limit).
const MAX_PROMOTED_GLOBALS: usize = 64;

/// Tables filled while lowering functions, kept from one unit to the next: what
/// a unit's MIR refers to by id ([`StrRef`], [`TypeRef`], [`GlobalRef`],
/// [`FuncRef`]) stays valid for every later unit.
#[derive(Default)]
struct Tables {
    strings: Vec<String>,
    string_ids: HashMap<String, StrRef>,
    specs: Vec<String>,
    /// The slot of each HIR global (none for `()` globals).
    slots: Vec<Option<GlobalRef>>,
    /// The "initialised" flag of each global that has no constant initialiser.
    flags: Vec<Option<GlobalRef>>,
    /// Globals whose flag was seen set after their unit ran
    /// ([`Lowering::learn_initialised`]): reading them needs no check.
    known_set: Vec<bool>,
    /// Globals with a flag not seen set yet, to look at after the next run.
    unknown: Vec<hir::GlobalId>,
    /// Globals that only `<main>` uses: variables there, without a slot.
    promoted: Vec<bool>,
    promoted_count: usize,
    /// The first global of the unit being lowered: its `<main>` initialises the
    /// globals from here on in order, so reading them there needs no check.
    unit_globals: usize,
    /// Runtime descriptors needed by the program.
    types: Vec<TypeInfo>,
    type_ids: HashMap<Ty, TypeRef>,
    adts: Vec<hir::AdtDef>,
    /// The object descriptor of each closure function, of each named function used
    /// as a value, and of the cell of each type of captured `var`.
    closure_types: HashMap<hir::FuncId, TypeRef>,
    func_value_types: HashMap<hir::FuncId, TypeRef>,
    cell_types: HashMap<Ty, TypeRef>,
    /// The MIR function of each HIR function lowered so far, by [`hir::FuncId`].
    func_refs: Vec<FuncRef>,
    /// Functions lowering adds after the HIR ones, made on first use and shared
    /// by later units.
    extras: HashMap<closures::Extra, FuncRef>,
    /// The extras the unit being lowered asked for, still to be built (their
    /// [`FuncRef`]s follow its HIR functions).
    pending_extras: Vec<closures::Extra>,
    /// The number of MIR functions once the unit's HIR functions and the pending
    /// extras are added.
    next_func: u32,
    /// The resume functions of the unit's generators, for
    /// [`closures::Extra::Resume`], until they are added after its functions.
    resumes: HashMap<hir::FuncId, Func>,
    /// The global holding the running mark of generators
    /// ([`Lowering::running_mark`]), made with the first generator.
    running_mark: Option<GlobalRef>,
    /// Whether `for` loops over calls of small generators are fused with them
    /// ([`fuse`]).
    fuse: bool,
    fuse_info: HashMap<hir::FuncId, Option<std::rc::Rc<fuse::FuseInfo>>>,
}

impl Tables {
    fn string(&mut self, text: &str) -> StrRef {
        if let Some(&id) = self.string_ids.get(text) {
            return id;
        }
        let id = StrRef(self.strings.len() as u32);
        self.strings.push(text.to_string());
        self.string_ids.insert(text.to_string(), id);
        id
    }

    fn spec(&mut self, text: &str) -> SpecRef {
        self.specs.push(text.to_string());
        SpecRef(self.specs.len() as u32 - 1)
    }

    /// The MIR function of a HIR function of this or an earlier unit.
    fn func_ref(&self, f: hir::FuncId) -> FuncRef {
        self.func_refs[f.index()]
    }
}

/// Lowering that goes on from one unit of a session to the next: the MIR of every
/// function lowered so far (later units call earlier functions, and the inliner
/// copies from them) and the program-wide tables. MIR ids are session ids: a
/// [`FuncRef`], [`GlobalRef`], [`StrRef`] or [`TypeRef`] handed out for one unit
/// means the same thing in every later one, and units only append.
#[derive(Default)]
pub struct Lowering {
    program: Program,
    tables: Tables,
}

/// What lowering one unit added to the session's MIR program.
#[derive(Clone, Debug)]
pub struct LoweredUnit {
    /// The new MIR functions: the unit's HIR functions, then the extra functions
    /// they asked for.
    pub funcs: std::ops::Range<u32>,
    /// The unit's top-level code.
    pub main: Option<FuncRef>,
    /// Functions of earlier units that this unit redefines with the same
    /// signature, `(old, new)` (see `kiln_sema::Unit::replaced`).
    pub replaced: Vec<(FuncRef, FuncRef)>,
    /// The slot and descriptor of the unit's result (`kiln_sema::Unit::result`).
    pub result: Option<(GlobalRef, TypeRef)>,
    /// New functions nothing calls, which need no code: the stand-ins of generic
    /// templates (their instances are what runs) and a `<main>` without
    /// statements. `main` is `None` when it is one of them.
    pub uncalled: Vec<FuncRef>,
}

impl Lowering {
    pub fn new() -> Lowering {
        Lowering::default()
    }

    /// Fuse `for` loops with the small generators they walk (an optimisation:
    /// off by default, and only for code that is never redefined, as a fused
    /// loop keeps its own copy of the generator's body).
    pub fn set_fuse_generators(&mut self, on: bool) {
        self.tables.fuse = on;
    }

    /// Learns which globals of the units lowered so far are set, from `is_set`
    /// (which reads a flag's value): in a session whose units run before the next
    /// is lowered, a flag once set stays set, so later code reads those globals
    /// without checking. Looks only at flags not seen set before.
    pub fn learn_initialised(&mut self, mut is_set: impl FnMut(GlobalRef) -> bool) {
        let tables = &mut self.tables;
        tables.unknown.retain(|&g| {
            let set = tables.flags[g.index()].is_some_and(&mut is_set);
            tables.known_set[g.index()] |= set;
            !set
        });
    }

    /// The MIR of every unit lowered so far.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// For the MIR passes, which run over a unit's new functions.
    pub fn program_mut(&mut self) -> &mut Program {
        &mut self.program
    }

    pub fn into_program(self) -> Program {
        self.program
    }

    /// The global whose value a generator's body writes into its state while it
    /// runs (`None` until a generator is lowered). A panic leaves a generator
    /// whose body it unwound marked running; whoever catches it must give this
    /// global a new value below the old one (they start at
    /// [`kiln_runtime::desc::GEN_RUNNING`]) before Kiln code runs again, so
    /// that such a generator counts as finished (`crate::generator::transform`).
    pub fn running_mark(&self) -> Option<GlobalRef> {
        self.tables.running_mark
    }

    /// The MIR global of a HIR global already lowered to a slot.
    pub fn global_ref(&self, g: hir::GlobalId) -> Option<GlobalRef> {
        self.tables.slots.get(g.index()).copied().flatten()
    }

    /// The "initialised" flag of a HIR global, when it has one (a top-level
    /// variable of a persistent session).
    pub fn flag_ref(&self, g: hir::GlobalId) -> Option<GlobalRef> {
        self.tables.flags.get(g.index()).copied().flatten()
    }

    /// The MIR function of a HIR function already lowered.
    pub fn func_ref(&self, f: hir::FuncId) -> Option<FuncRef> {
        self.tables.func_refs.get(f.index()).copied()
    }

    /// Lowers the functions of a checked unit, and the globals, externs and
    /// declarations it added, on top of every unit lowered before. Every construct
    /// of checked HIR has a lowering (the matches over HIR kinds have no catch-all
    /// arm), so this cannot fail.
    pub fn lower_unit(&mut self, hir: &hir::Program, unit: &kiln_sema::Unit) -> LoweredUnit {
        let funcs = unit.funcs.clone();
        let main = Some(unit.main);
        let program = &mut self.program;
        let tables = &mut self.tables;
        let first = program.funcs.len() as u32;
        debug_assert_eq!(tables.func_refs.len(), funcs.start as usize);
        tables
            .func_refs
            .extend((0..funcs.len() as u32).map(|k| FuncRef(first + k)));
        tables.next_func = first + funcs.len() as u32;
        tables.adts.extend(
            hir.adts[tables.adts.len().min(hir.adts.len())..]
                .iter()
                .cloned(),
        );
        tables.unit_globals = tables.slots.len();
        for g in &hir.globals[tables.slots.len()..] {
            // A global only top-level code uses is a variable of `<main>`.
            let promote = !g.from_functions && tables.promoted_count < MAX_PROMOTED_GLOBALS;
            tables.promoted_count += promote as usize;
            tables.promoted.push(promote);
            if promote {
                tables.slots.push(None);
                tables.flags.push(None);
                continue;
            }
            let slot = mir_type(g.ty).map(|ty| {
                program.globals.push(Global {
                    name: g.name.clone(),
                    ty,
                    init: g.init.as_ref().map_or(0, const_bits),
                });
                GlobalRef(program.globals.len() as u32 - 1)
            });
            let flag = (slot.is_some() && g.init.is_none()).then(|| {
                program.globals.push(Global {
                    name: format!("{}.initialised", g.name),
                    ty: Type::I8,
                    init: 0,
                });
                GlobalRef(program.globals.len() as u32 - 1)
            });
            if flag.is_some() {
                tables
                    .unknown
                    .push(hir::GlobalId(tables.slots.len() as u32));
            }
            tables.slots.push(slot);
            tables.flags.push(flag);
        }
        tables.known_set.resize(tables.slots.len(), false);
        let has_generator = funcs.clone().any(|i| hir.funcs[i as usize].generator);
        if has_generator && tables.running_mark.is_none() {
            program.globals.push(Global {
                name: "<generator running mark>".to_string(),
                ty: Type::I64,
                init: kiln_runtime::desc::GEN_RUNNING as u64,
            });
            tables.running_mark = Some(GlobalRef(program.globals.len() as u32 - 1));
        }
        for e in &hir.externs[program.externs.len()..] {
            program.externs.push(Extern {
                symbol: e.name.clone(),
                params: e.params.iter().filter_map(|&t| mir_type(t)).collect(),
                ret: mir_type(e.ret),
                span: e.span,
            });
        }
        for i in funcs.clone() {
            let id = hir::FuncId(i);
            let f = &hir.funcs[i as usize];
            let is_main = main == Some(id);
            program
                .funcs
                .push(lower_function(hir, id, f, is_main, tables));
        }
        // Building an extra function never asks for another one.
        for extra in std::mem::take(&mut tables.pending_extras) {
            program.funcs.push(match extra {
                closures::Extra::Resume(g) => tables
                    .resumes
                    .remove(&g)
                    .expect("a generator of the unit made its resume function"),
                _ => closures::build_extra(hir, extra, tables),
            });
        }
        debug_assert_eq!(program.funcs.len() as u32, tables.next_func);
        let mut uncalled: Vec<FuncRef> =
            unit.templates.iter().map(|&t| tables.func_ref(t)).collect();
        let main = main.map(|m| tables.func_ref(m)).filter(|&m| {
            let f = program.func(m);
            let empty = f.blocks.len() == 1
                && f.blocks[0].insts.is_empty()
                && matches!(f.blocks[0].term, Terminator::Return(None));
            if empty {
                uncalled.push(m);
            }
            !empty
        });
        program.main = main.or(program.main);
        program
            .strings
            .extend_from_slice(&tables.strings[program.strings.len()..]);
        program
            .specs
            .extend_from_slice(&tables.specs[program.specs.len()..]);
        // The REPL prints the result with its descriptor.
        let result = unit.result.and_then(|g| {
            let slot = tables.slots[g.index()]?;
            Some((slot, tables.type_ref(hir.globals[g.index()].ty)))
        });
        program
            .types
            .extend_from_slice(&tables.types[program.types.len()..]);
        LoweredUnit {
            funcs: first..program.funcs.len() as u32,
            main,
            result,
            uncalled,
            replaced: unit
                .replaced
                .iter()
                .map(|&(old, new)| (tables.func_ref(old), tables.func_ref(new)))
                .collect(),
        }
    }
}

/// The bits a constant occupies in a global slot.
fn const_bits(c: &Const) -> u64 {
    match c {
        Const::Int(n) => *n as u64,
        Const::Float(x) => x.to_bits(),
        Const::Bool(b) => *b as u64,
        Const::Char(c) => *c as u64,
        Const::Str(_) | Const::Unit => 0,
    }
}

/// Where the branches of an `if` chain go: the join block, which takes a value
/// of the chain's type (made by `chain_join`).
struct ChainExit {
    join: Option<(Block, Option<Value>)>,
    ty: Ty,
    span: Span,
}

struct LoopTargets {
    brk: Block,
    cont: Block,
    /// `loop` with a value: the type of the exit block's parameter.
    value: Option<Type>,
    /// Ownership frames and scopes open outside the loop: `break` releases what
    /// those above them own.
    frames: usize,
    scopes: usize,
    /// The depths `continue` releases above, when they are not those of `break`:
    /// the consumer of a fused generator ([`fuse`]) continues into the generator's
    /// body, which keeps what it owns.
    cont_depth: Option<(usize, usize)>,
}

struct FnLower<'a> {
    hir: &'a hir::Program,
    func: &'a hir::Function,
    b: FuncBuilder,
    tables: &'a mut Tables,
    loops: Vec<LoopTargets>,
    is_main: bool,
    next_var: u32,
    /// Values of immutable locals: defined once, where they dominate every use, so
    /// they need no SSA variable (and no block parameters).
    fixed: HashMap<u32, Value>,
    own: Ownership,
    /// Variables of `<main>` that hold promoted globals.
    global_vars: HashMap<u32, Var>,
    /// Values of place expressions already evaluated by a compound assignment, so
    /// `a[i] += 1` evaluates `a` and `i` once.
    precomputed: HashMap<u32, Option<Value>>,
    /// The variable of local 0 of `func`: 0 for the function being lowered, past
    /// its own for the body of a fused generator.
    var_base: u32,
    /// The fused generators whose bodies are being lowered here, innermost last.
    fused: Vec<fuse::Fused<'a>>,
}

fn lower_function(
    hir: &hir::Program,
    id: hir::FuncId,
    func: &hir::Function,
    is_main: bool,
    tables: &mut Tables,
) -> Func {
    if func.generator {
        return generator::lower_generator(hir, id, func, tables);
    }
    // A closure body takes its closure object first.
    let env: Option<Type> = func.captures.is_some().then_some(Type::Ptr);
    let params: Vec<Type> = env
        .into_iter()
        .chain(
            func.params
                .iter()
                .filter_map(|&p| mir_type(func.local(p).ty)),
        )
        .collect();
    let ret = mir_type(func.ret);
    let b = FuncBuilder::new(func.name.clone(), params, ret, func.span);
    let mut cx = FnLower::new(hir, func, b, tables, is_main);
    let entry_params = cx.b.block_params(Func::ENTRY).to_vec();
    let mut incoming = entry_params.into_iter();
    if env.is_some() {
        let env = incoming.next().expect("the closure parameter");
        cx.bind_captures(env, id, func.span);
    }
    for &p in &func.params {
        if mir_type(func.local(p).ty).is_some() {
            if let Some(v) = incoming.next() {
                cx.def_local(p, v);
            }
        }
    }
    cx.push_frame();
    cx.push_scope();
    let value = cx.lower(func.body);
    if !cx.b.is_terminated() {
        let value = cx.own_value(value, func.ret, func.span);
        cx.release_above(0, 0, func.span);
        match (ret, value) {
            (None, _) => cx.b.ret(None),
            (Some(_), Some(v)) => cx.b.ret(Some(v)),
            // The body has type `Never` (`fn f() -> int { loop {} }`): its end is
            // never reached.
            (Some(_), None) => cx.b.unreachable(),
        }
    }
    cx.b.finish()
}

impl<'a> FnLower<'a> {
    /// Starts lowering `func` into `b`, with a variable for each of its locals.
    fn new(
        hir: &'a hir::Program,
        func: &'a hir::Function,
        b: FuncBuilder,
        tables: &'a mut Tables,
        is_main: bool,
    ) -> FnLower<'a> {
        let mut cx = FnLower {
            hir,
            func,
            b,
            tables,
            loops: Vec::new(),
            is_main,
            next_var: 0,
            fixed: HashMap::new(),
            own: Ownership::default(),
            global_vars: HashMap::new(),
            precomputed: HashMap::new(),
            var_base: 0,
            fused: Vec::new(),
        };
        cx.var_base = cx.declare_locals(func);
        cx
    }

    /// Declares a fresh variable for each local of `func`; returns the first.
    fn declare_locals(&mut self, func: &hir::Function) -> u32 {
        let base = self.next_var;
        self.next_var += func.locals.len() as u32;
        for (i, local) in func.locals.iter().enumerate() {
            let var = Var(base + i as u32);
            if local.boxed {
                self.b.declare_var(var, Type::Ptr);
            } else if let Some(ty) = mir_type(local.ty) {
                self.b.declare_var(var, ty);
            }
        }
        base
    }

    /// The variable of a local of the function whose code is being lowered.
    fn var(&self, l: hir::LocalId) -> Var {
        Var(self.var_base + l.0)
    }

    fn expr(&self, id: ExprId) -> &'a hir::Expr {
        let func: &'a hir::Function = self.func;
        func.expr(id)
    }

    fn fresh_var(&mut self, ty: Type) -> Var {
        let v = Var(self.next_var);
        self.next_var += 1;
        self.b.declare_var(v, ty);
        v
    }

    /// Lowers an expression; `None` for `()` and for code that does not continue.
    fn lower(&mut self, id: ExprId) -> Option<Value> {
        if let Some(&v) = self.precomputed.get(&id.0) {
            return v;
        }
        let e = self.expr(id);
        let (ty, span) = (e.ty, e.span);
        match &e.kind {
            ExprKind::Const(c) => self.constant(c, ty, span),
            ExprKind::Local(l) if self.func.local(*l).boxed => self.read_boxed(*l, span),
            ExprKind::Let { local, init } if self.func.local(*local).boxed => {
                self.let_boxed(*local, *init, span);
                None
            }
            ExprKind::SetLocal { local, value } if self.func.local(*local).boxed => {
                self.set_boxed(*local, *value, span);
                None
            }
            ExprKind::Closure { .. } | ExprKind::FuncValue(_) | ExprKind::CallValue { .. } => {
                self.lower_function_value(id)
            }
            ExprKind::Local(l) => {
                mir_type(ty)?;
                match self.fixed.get(&self.var(*l).0) {
                    Some(&v) => Some(v),
                    None => Some(self.b.use_var(self.var(*l), span)),
                }
            }
            ExprKind::Global(g) => self.load_global(*g, span),
            ExprKind::Let { local, init } => {
                let (local, init) = (*local, *init);
                let ty = self.func.local(local).ty;
                let v = self.lower(init);
                if let Some(v) = self.own_value(v, ty, span) {
                    self.def_local(local, v);
                    if self.is_ref(ty) {
                        self.own_local(local);
                    }
                }
                None
            }
            ExprKind::SetLocal { local, value } => {
                let (local, value) = (*local, *value);
                let ty = self.func.local(local).ty;
                let v = self.lower(value);
                if let Some(v) = self.own_value(v, ty, span) {
                    let old = self.is_ref(ty).then(|| self.local_value(local, span));
                    self.b.def_var(self.var(local), v);
                    if let Some(old) = old {
                        self.release(old, span);
                    }
                }
                None
            }
            ExprKind::SetGlobal {
                declares,
                global,
                value,
            } => {
                let (global, value, declares) = (*global, *value, *declares);
                if self.tables.promoted[global.index()] {
                    self.set_main_variable(global, value, declares, span);
                } else {
                    self.store_global(global, value, span);
                }
                None
            }
            ExprKind::Block { stmts, tail } => {
                self.push_scope();
                for &s in stmts {
                    self.push_frame();
                    self.lower(s);
                    self.pop_frame(span);
                }
                let value = tail.and_then(|t| {
                    self.push_frame();
                    let tty = self.expr(t).ty;
                    let v = self.lower(t);
                    let v = self.escape(v, tty, span);
                    self.pop_frame(span);
                    v
                });
                self.pop_scope(span);
                self.produced(value, ty)
            }
            ExprKind::Unary { op, operand } => self.unary(*op, *operand, span),
            ExprKind::Binary { op, lhs, rhs } => {
                let operand_ty = self.expr(*lhs).ty;
                let shift_ty = self.expr(*rhs).ty;
                let l = self.lower(*lhs);
                let r = self.lower(*rhs);
                self.binary(*op, operand_ty, shift_ty, l, r, span)
            }
            ExprKind::Logical { and, lhs, rhs } => self.logical(*and, *lhs, *rhs, span),
            ExprKind::Cast { value } => {
                let from = self.expr(*value).ty;
                let v = self.lower(*value)?;
                Some(self.cast(v, from, ty, span))
            }
            ExprKind::Call { func, args } => {
                let args = self.lower_args(args)?;
                let results: Vec<Type> = mir_type(ty).into_iter().collect();
                let r = self
                    .b
                    .ins(
                        InstKind::Call(self.tables.func_ref(*func), args),
                        &results,
                        span,
                    )
                    .first()
                    .copied();
                self.produced(r, ty)
            }
            ExprKind::CallExtern { ext, args } => {
                let args = self.lower_args(args)?;
                let results: Vec<Type> = mir_type(ty).into_iter().collect();
                self.b
                    .ins(InstKind::CallExtern(ExternRef(ext.0), args), &results, span)
                    .first()
                    .copied()
            }
            ExprKind::Builtin { op, args } => self.builtin(*op, args, ty, span),
            ExprKind::Interp(parts) => Some(self.interp(parts, span)),
            ExprKind::If {
                branches,
                otherwise,
            } => self.if_chain(branches, *otherwise, ty, span),
            ExprKind::While { cond, body } => {
                self.while_loop(*cond, *body, span);
                None
            }
            ExprKind::Loop { body } => self.loop_expr(*body, ty, span),
            ExprKind::ForRange { range, body } => {
                self.for_range(range, *body, span);
                None
            }
            ExprKind::Break(value) => {
                let value = value.and_then(|v| self.lower_owned(v, span));
                if let Some(target) = self.loops.last() {
                    let (brk, carries) = (target.brk, target.value.is_some());
                    let (frames, scopes) = (target.frames, target.scopes);
                    if !self.b.is_terminated() {
                        self.release_above(frames, scopes, span);
                    }
                    match (carries, value) {
                        (true, Some(v)) => self.b.jump(brk, vec![v]),
                        // The value has type `Never` (`break (break 1)`): this
                        // `break` is never reached.
                        (true, None) => self.end_dead_block(),
                        (false, _) => self.b.jump(brk, Vec::new()),
                    }
                }
                None
            }
            ExprKind::Yield(value) if !self.fused.is_empty() => {
                self.fused_yield(*value, span);
                None
            }
            ExprKind::Yield(value) => {
                self.lower_yield(*value, span);
                None
            }
            ExprKind::Return(value) if !self.fused.is_empty() => {
                // A generator's `return` has no value.
                if let Some(v) = value {
                    self.lower(*v);
                }
                self.fused_return(span);
                None
            }
            ExprKind::Continue => {
                if let Some(target) = self.loops.last() {
                    let (frames, scopes) =
                        target.cont_depth.unwrap_or((target.frames, target.scopes));
                    let cont = target.cont;
                    self.release_above(frames, scopes, span);
                    self.b.jump(cont, Vec::new());
                }
                None
            }
            ExprKind::Return(value) => {
                let ret_ty = self.func.ret;
                let value = value.and_then(|v| self.lower(v));
                let value = self.own_value(value, ret_ty, span);
                if !self.b.is_terminated() {
                    self.release_above(0, 0, span);
                }
                match (self.b.func.ret, value) {
                    (None, _) => self.b.ret(None),
                    (Some(_), Some(v)) => self.b.ret(Some(v)),
                    // The value has type `Never` (`return (return 1)`): this
                    // `return` is never reached.
                    (Some(_), None) => self.end_dead_block(),
                }
                None
            }
            ExprKind::LetPat { .. }
            | ExprKind::Array(_)
            | ExprKind::ArrayRepeat { .. }
            | ExprKind::Map(_)
            | ExprKind::Record(_)
            | ExprKind::Variant { .. }
            | ExprKind::Field { .. }
            | ExprKind::SetField { .. }
            | ExprKind::Index { .. }
            | ExprKind::SetIndex { .. }
            | ExprKind::Slice { .. }
            | ExprKind::Match { .. }
            | ExprKind::ForEach { .. }
            | ExprKind::Try(_)
            | ExprKind::MethodCall { .. }
            | ExprKind::Io { .. } => self.lower_heap(id),
        }
    }

    /// Gives a local its value: immutable ones directly, mutable ones through the
    /// builder's SSA construction.
    fn def_local(&mut self, local: hir::LocalId, v: Value) {
        if self.func.local(local).mutable {
            self.b.def_var(self.var(local), v);
        } else {
            self.fixed.insert(self.var(local).0, v);
        }
    }

    /// Ends the current block with `unreachable` if it is still open. After an
    /// expression of type `Never` (a `loop` without `break`, `panic(...)`) the
    /// builder may be left in an open block that nothing jumps to; code that
    /// switches to another block must close it, as every block needs a terminator.
    fn end_dead_block(&mut self) {
        if !self.b.is_terminated() {
            self.b.unreachable();
        }
    }

    /// The values of a call's arguments (none for `()` arguments); `None` when
    /// one never produces its value (`panic(...)`, `return`), which makes the
    /// call dead code, left out.
    fn lower_args(&mut self, args: &[ExprId]) -> Option<Vec<Value>> {
        let mut values = Vec::with_capacity(args.len());
        for &a in args {
            let ty = self.expr(a).ty;
            match self.lower(a) {
                Some(v) => values.push(v),
                None if mir_type(ty).is_some() || ty == Ty::Never => {
                    self.end_dead_block();
                    return None;
                }
                None => {}
            }
        }
        Some(values)
    }

    fn constant(&mut self, c: &Const, ty: Ty, span: Span) -> Option<Value> {
        let mty = mir_type(ty)?;
        Some(match c {
            Const::Int(n) => self.b.iconst(mty, *n, span),
            Const::Float(x) => self.b.ins1(InstKind::Fconst(*x), mty, span),
            Const::Bool(v) => self.b.iconst(Type::I8, *v as i64, span),
            Const::Char(ch) => self.b.iconst(Type::I32, *ch as i64, span),
            Const::Str(s) => {
                let r = self.tables.string(s);
                self.b.ins1(InstKind::Str(r), Type::Ptr, span)
            }
            Const::Unit => return None,
        })
    }

    fn str_literal(&mut self, text: &str, span: Span) -> Value {
        let r = self.tables.string(text);
        self.b.ins1(InstKind::Str(r), Type::Ptr, span)
    }

    fn runtime(
        &mut self,
        symbol: &'static str,
        args: Vec<Value>,
        ret: Option<Type>,
        span: Span,
    ) -> Option<Value> {
        let results: Vec<Type> = ret.into_iter().collect();
        let kind = InstKind::CallRuntime {
            symbol,
            args,
            site: false,
        };
        self.b.ins(kind, &results, span).first().copied()
    }

    /// A runtime call that may panic: it gets the frame pointer and a site.
    fn runtime_site(
        &mut self,
        symbol: &'static str,
        args: Vec<Value>,
        ret: Option<Type>,
        span: Span,
    ) -> Option<Value> {
        let results: Vec<Type> = ret.into_iter().collect();
        let kind = InstKind::CallRuntime {
            symbol,
            args,
            site: true,
        };
        self.b.ins(kind, &results, span).first().copied()
    }

    // ---- globals ---------------------------------------------------------------

    /// The variable of `<main>` that holds a promoted global.
    fn main_variable(&mut self, g: hir::GlobalId) -> Option<Var> {
        let ty = mir_type(self.hir.globals[g.index()].ty)?;
        if let Some(&v) = self.global_vars.get(&g.0) {
            return Some(v);
        }
        let v = self.fresh_var(ty);
        self.global_vars.insert(g.0, v);
        Some(v)
    }

    fn set_main_variable(&mut self, g: hir::GlobalId, value: ExprId, declares: bool, span: Span) {
        let gty = self.hir.globals[g.index()].ty;
        let v = self.lower(value);
        let (Some(v), Some(var)) = (self.own_value(v, gty, span), self.main_variable(g)) else {
            return;
        };
        let old = (!declares && self.is_ref(gty)).then(|| self.b.use_var(var, span));
        self.b.def_var(var, v);
        if let Some(old) = old {
            self.release(old, span);
        }
        if declares && self.is_ref(gty) {
            self.own_var(var);
        }
    }

    fn load_global(&mut self, g: hir::GlobalId, span: Span) -> Option<Value> {
        if self.tables.promoted[g.index()] {
            let var = self.main_variable(g)?;
            return Some(self.b.use_var(var, span));
        }
        let slot = self.tables.slots[g.index()]?;
        // `<main>` runs its unit's declarations in order, so it never reads one of
        // them before it is set; a global of an earlier unit may never have been
        // set (its unit stopped with a panic).
        let checked = (!self.is_main || g.index() < self.tables.unit_globals)
            && !self.tables.known_set[g.index()];
        if let (Some(flag), true) = (self.tables.flags[g.index()], checked) {
            let set = self.b.ins1(InstKind::GlobalLoad(flag), Type::I8, span);
            let zero = self.b.iconst(Type::I8, 0, span);
            let unset = self
                .b
                .ins1(InstKind::Icmp(IntCC::Eq, set, zero), Type::I8, span);
            // The message names the variable, which the fixed runtime error
            // cannot.
            let fail = self.b.create_cold_block();
            let ok = self.b.create_block();
            self.b.branch(unset, fail, ok);
            self.b.seal(fail);
            self.b.seal(ok);
            self.b.switch_to(fail);
            let name = &self.hir.globals[g.index()].name;
            let msg = self.str_literal(&format!("`{name}` is read before its `let` has run"), span);
            self.runtime_site("kiln_panic_msg", vec![msg], None, span);
            self.b.unreachable();
            self.b.switch_to(ok);
        }
        let gty = self.hir.globals[g.index()].ty;
        let ty = mir_type(gty)?;
        let v = self.b.ins1(InstKind::GlobalLoad(slot), ty, span);
        if self.is_ref(gty) {
            // Another function may replace the global while this value is in use.
            self.retain(v, span);
            self.temp(v);
        }
        Some(v)
    }

    fn store_global(&mut self, g: hir::GlobalId, value: ExprId, span: Span) {
        let gty = self.hir.globals[g.index()].ty;
        let v = self.lower(value);
        let v = self.own_value(v, gty, span);
        let (Some(slot), Some(v)) = (self.tables.slots[g.index()], v) else {
            return;
        };
        let old = self
            .is_ref(gty)
            .then(|| self.b.ins1(InstKind::GlobalLoad(slot), Type::Ptr, span));
        self.b.ins(InstKind::GlobalStore(slot, v), &[], span);
        if let Some(old) = old {
            self.release_if_set(old, span);
        }
        if let Some(flag) = self.tables.flags[g.index()] {
            let one = self.b.iconst(Type::I8, 1, span);
            self.b.ins(InstKind::GlobalStore(flag, one), &[], span);
        }
    }

    // ---- operators -------------------------------------------------------------

    fn unary(&mut self, op: UnaryOp, operand: ExprId, span: Span) -> Option<Value> {
        let ty = self.expr(operand).ty;
        let v = self.lower(operand)?;
        let mty = mir_type(ty)?;
        Some(match (op, ty) {
            (UnaryOp::Neg, Ty::Int(_)) => {
                let zero = self.b.iconst(mty, 0, span);
                self.checked(OverflowOp::Ssub, zero, v, mty, span)
            }
            (UnaryOp::Neg, _) => self.b.ins1(InstKind::Unary(UnaryOp_::Fneg, v), mty, span),
            (UnaryOp::Not, _) => {
                let one = self.b.iconst(Type::I8, 1, span);
                self.b
                    .ins1(InstKind::Binary(BinaryOp::Bxor, v, one), Type::I8, span)
            }
            (UnaryOp::BitNot, _) => self.b.ins1(InstKind::Unary(UnaryOp_::Bnot, v), mty, span),
        })
    }

    /// The value of `v` when it is an integer constant made just before (among
    /// the last few instructions of the current block): what the arithmetic
    /// checks below look at to leave out checks that constants decide. Looking
    /// no further keeps this constant-time; a constant made earlier is simply
    /// not seen, and its check stays.
    fn known_int(&self, v: Value) -> Option<i64> {
        let block = &self.b.func.blocks[self.b.current_block().index()];
        block
            .insts
            .iter()
            .rev()
            .take(4)
            .find_map(|inst| match inst.kind {
                InstKind::Iconst(n) if inst.results.first() == Some(&v) => Some(n),
                _ => None,
            })
    }

    /// Arithmetic that panics with `integer overflow` when the result does not fit.
    fn checked(&mut self, op: OverflowOp, a: Value, b: Value, ty: Type, span: Span) -> Value {
        // Two constants that do not overflow: the result is a constant, and there
        // is nothing to check. (When they do overflow, the check stays and panics
        // when the code runs, as for any other operands.)
        if let (Some(x), Some(y)) = (self.known_int(a), self.known_int(b)) {
            if let Some(v) = fold_overflow(op, ty.bits(), x, y) {
                return self.b.iconst(ty, v, span);
            }
        }
        let r = self
            .b
            .ins(InstKind::Overflow(op, a, b), &[ty, Type::I8], span);
        self.b
            .panic_if(r[1], PanicKind::IntegerOverflow as i32, span);
        r[0]
    }

    fn binary(
        &mut self,
        op: BinOp,
        ty: Ty,
        rhs_ty: Ty,
        l: Option<Value>,
        r: Option<Value>,
        span: Span,
    ) -> Option<Value> {
        if ty == Ty::Unit {
            let equal = matches!(op, BinOp::Eq | BinOp::Le | BinOp::Ge);
            return Some(self.b.iconst(Type::I8, equal as i64, span));
        }
        let (l, r) = (l?, r?);
        match ty {
            Ty::Int(i) => Some(self.int_binary(op, i, rhs_ty, l, r, span)),
            Ty::Float(_) => self.float_binary(op, ty, l, r, span),
            Ty::Bool | Ty::Char => {
                let mty = mir_type(ty)?;
                Some(match op {
                    BinOp::BitAnd => self
                        .b
                        .ins1(InstKind::Binary(BinaryOp::Band, l, r), mty, span),
                    BinOp::BitOr => self
                        .b
                        .ins1(InstKind::Binary(BinaryOp::Bor, l, r), mty, span),
                    BinOp::BitXor => self
                        .b
                        .ins1(InstKind::Binary(BinaryOp::Bxor, l, r), mty, span),
                    _ => self.icmp(int_cc(op, false), l, r, span),
                })
            }
            Ty::Str => Some(self.str_binary(op, l, r, span)),
            Ty::Heap(_) => Some(self.heap_binary(op, ty, l, r, span)),
            _ => None,
        }
    }

    fn icmp(&mut self, cc: IntCC, l: Value, r: Value, span: Span) -> Value {
        self.b.ins1(InstKind::Icmp(cc, l, r), Type::I8, span)
    }

    fn int_binary(
        &mut self,
        op: BinOp,
        i: IntTy,
        rhs_ty: Ty,
        l: Value,
        r: Value,
        span: Span,
    ) -> Value {
        let ty = mir_type(Ty::Int(i)).unwrap_or(Type::I64);
        let s = i.signed();
        let bin = |b: &mut FuncBuilder, op: BinaryOp| b.ins1(InstKind::Binary(op, l, r), ty, span);
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                let ov = match (op, s) {
                    (BinOp::Add, true) => OverflowOp::Sadd,
                    (BinOp::Add, false) => OverflowOp::Uadd,
                    (BinOp::Sub, true) => OverflowOp::Ssub,
                    (BinOp::Sub, false) => OverflowOp::Usub,
                    (_, true) => OverflowOp::Smul,
                    (_, false) => OverflowOp::Umul,
                };
                self.checked(ov, l, r, ty, span)
            }
            BinOp::Div | BinOp::Rem => {
                self.check_division(i, l, r, span);
                let op = match (op, s) {
                    (BinOp::Div, true) => BinaryOp::Sdiv,
                    (BinOp::Div, false) => BinaryOp::Udiv,
                    (_, true) => BinaryOp::Srem,
                    (_, false) => BinaryOp::Urem,
                };
                bin(&mut self.b, op)
            }
            BinOp::BitAnd => bin(&mut self.b, BinaryOp::Band),
            BinOp::BitOr => bin(&mut self.b, BinaryOp::Bor),
            BinOp::BitXor => bin(&mut self.b, BinaryOp::Bxor),
            BinOp::Shl | BinOp::Shr => self.shift(op, i, rhs_ty, l, r, span),
            _ => self.icmp(int_cc(op, s), l, r, span),
        }
    }

    /// Division by zero and `MIN / -1` panic. A check that a constant operand
    /// decides is left out when it cannot fire (`x % 7`: neither can; `x / -1`:
    /// only the second one can); one that must fire is emitted as usual, so the
    /// panic comes at run time, where the operation is.
    fn check_division(&mut self, i: IntTy, l: Value, r: Value, span: Span) {
        let ty = mir_type(Ty::Int(i)).unwrap_or(Type::I64);
        let bits = i.bits();
        let divisor = self.known_int(r).map(|v| zero_extend(v, bits));
        if divisor.is_none_or(|d| d == 0) {
            let zero = self.b.iconst(ty, 0, span);
            let is_zero = self.icmp(IntCC::Eq, r, zero, span);
            self.b
                .panic_if(is_zero, PanicKind::DivisionByZero as i32, span);
        }
        let all_ones = zero_extend(-1, bits);
        let min = zero_extend(i.min() as i64, bits);
        let overflow_possible = divisor.is_none_or(|d| d == all_ones)
            && self
                .known_int(l)
                .is_none_or(|v| zero_extend(v, bits) == min);
        if i.signed() && overflow_possible {
            let min = self.b.iconst(ty, i.min() as i64, span);
            let minus_one = self.b.iconst(ty, -1, span);
            let l_min = self.icmp(IntCC::Eq, l, min, span);
            let r_m1 = self.icmp(IntCC::Eq, r, minus_one, span);
            let both = self.b.ins1(
                InstKind::Binary(BinaryOp::Band, l_min, r_m1),
                Type::I8,
                span,
            );
            self.b
                .panic_if(both, PanicKind::IntegerOverflow as i32, span);
        }
    }

    /// A shift by a count outside `0..bits` panics.
    fn shift(&mut self, op: BinOp, i: IntTy, rhs_ty: Ty, l: Value, r: Value, span: Span) -> Value {
        let ty = mir_type(Ty::Int(i)).unwrap_or(Type::I64);
        let Ty::Int(ri) = rhs_ty else {
            return l;
        };
        let count = self.int_convert(r, ri, IntTy::I64, span);
        let bits = self.b.iconst(Type::I64, i.bits() as i64, span);
        // Unsigned comparison: a negative count is a huge number.
        let bad = self.icmp(IntCC::Uge, count, bits, span);
        self.b.panic_if(bad, PanicKind::InvalidShift as i32, span);
        let count = self.int_convert(count, IntTy::I64, i, span);
        let op = match (op, i.signed()) {
            (BinOp::Shl, _) => BinaryOp::Ishl,
            (_, true) => BinaryOp::Sshr,
            (_, false) => BinaryOp::Ushr,
        };
        self.b.ins1(InstKind::Binary(op, l, count), ty, span)
    }

    fn float_binary(&mut self, op: BinOp, ty: Ty, l: Value, r: Value, span: Span) -> Option<Value> {
        let mty = mir_type(ty)?;
        let bin = |b: &mut FuncBuilder, op: BinaryOp| b.ins1(InstKind::Binary(op, l, r), mty, span);
        Some(match op {
            BinOp::Add => bin(&mut self.b, BinaryOp::Fadd),
            BinOp::Sub => bin(&mut self.b, BinaryOp::Fsub),
            BinOp::Mul => bin(&mut self.b, BinaryOp::Fmul),
            BinOp::Div => bin(&mut self.b, BinaryOp::Fdiv),
            BinOp::Rem => return Some(self.float_call("kiln_f64_rem", &[l, r], mty, span)),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let cc = match op {
                    BinOp::Eq => FloatCC::Eq,
                    BinOp::Ne => FloatCC::Ne,
                    BinOp::Lt => FloatCC::Lt,
                    BinOp::Le => FloatCC::Le,
                    BinOp::Gt => FloatCC::Gt,
                    _ => FloatCC::Ge,
                };
                self.b.ins1(InstKind::Fcmp(cc, l, r), Type::I8, span)
            }
            BinOp::BitAnd
            | BinOp::BitOr
            | BinOp::BitXor
            | BinOp::Shl
            | BinOp::Shr
            | BinOp::And
            | BinOp::Or => unreachable!("the checker rejects `{}` on floats", op.as_str()),
        })
    }

    /// Calls an `f64` runtime function on values of type `ty` (`f32` is widened
    /// and narrowed around the call).
    fn float_call(&mut self, symbol: &'static str, args: &[Value], ty: Type, span: Span) -> Value {
        let wide: Vec<Value> = args
            .iter()
            .map(|&a| self.float_convert(a, ty, Type::F64, span))
            .collect();
        let r = self
            .runtime(symbol, wide, Some(Type::F64), span)
            .unwrap_or(args[0]);
        self.float_convert(r, Type::F64, ty, span)
    }

    fn float_convert(&mut self, v: Value, from: Type, to: Type, span: Span) -> Value {
        if from == to {
            v
        } else {
            self.b
                .ins1(InstKind::Convert(ConvertOp::Fconv, v), to, span)
        }
    }

    fn str_binary(&mut self, op: BinOp, l: Value, r: Value, span: Span) -> Value {
        match op {
            BinOp::Add => {
                let v = self.runtime("kiln_str_concat", vec![l, r], Some(Type::Ptr), span);
                self.produced(v, Ty::Str).unwrap_or(l)
            }
            _ => self.compare_with(op, "kiln_str_eq", "kiln_str_cmp", vec![l, r], span),
        }
    }

    /// `==`/`!=` from a runtime equality function and the `<` family from a runtime
    /// three-way comparison (-1, 0, 1), both taking `args`.
    fn compare_with(
        &mut self,
        op: BinOp,
        eq: &'static str,
        cmp: &'static str,
        args: Vec<Value>,
        span: Span,
    ) -> Value {
        if matches!(op, BinOp::Eq | BinOp::Ne) {
            let v = self.runtime(eq, args, Some(Type::I8), span);
            let v = v.unwrap_or_else(|| self.b.iconst(Type::I8, 0, span));
            if op == BinOp::Eq {
                return v;
            }
            let one = self.b.iconst(Type::I8, 1, span);
            return self
                .b
                .ins1(InstKind::Binary(BinaryOp::Bxor, v, one), Type::I8, span);
        }
        let ord = self.runtime(cmp, args, Some(Type::I32), span);
        let ord = ord.unwrap_or_else(|| self.b.iconst(Type::I32, 0, span));
        let zero = self.b.iconst(Type::I32, 0, span);
        self.icmp(int_cc(op, true), ord, zero, span)
    }

    fn logical(&mut self, and: bool, lhs: ExprId, rhs: ExprId, span: Span) -> Option<Value> {
        let l = self.lower(lhs)?;
        let rhs_block = self.b.create_block();
        let join = self.b.create_block();
        let result = self.b.add_block_param(join, Type::I8);
        let short = self.b.iconst(Type::I8, (!and) as i64, span);
        if and {
            self.b.branch_with(l, rhs_block, vec![], join, vec![short]);
        } else {
            self.b.branch_with(l, join, vec![short], rhs_block, vec![]);
        }
        self.b.seal(rhs_block);
        self.b.switch_to(rhs_block);
        self.push_frame();
        let r = self.lower(rhs);
        self.pop_frame(span);
        match r {
            Some(r) => self.b.jump(join, vec![r]),
            // `c && loop {}`: the right operand never produces a value.
            None => self.end_dead_block(),
        }
        self.b.seal(join);
        self.b.switch_to(join);
        Some(result)
    }

    // ---- conversions -----------------------------------------------------------

    fn int_convert(&mut self, v: Value, from: IntTy, to: IntTy, span: Span) -> Value {
        let (fb, tb) = (from.bits(), to.bits());
        let to_ty = mir_type(Ty::Int(to)).unwrap_or(Type::I64);
        let op = match fb.cmp(&tb) {
            std::cmp::Ordering::Equal => return v,
            std::cmp::Ordering::Greater => ConvertOp::Trunc,
            std::cmp::Ordering::Less if from.signed() => ConvertOp::Sext,
            std::cmp::Ordering::Less => ConvertOp::Uext,
        };
        self.b.ins1(InstKind::Convert(op, v), to_ty, span)
    }

    fn cast(&mut self, v: Value, from: Ty, to: Ty, span: Span) -> Value {
        let Some(to_ty) = mir_type(to) else {
            return v;
        };
        match (from, to) {
            _ if from == to => v,
            (Ty::Int(f), Ty::Int(t)) => self.int_convert(v, f, t, span),
            (Ty::Char, Ty::Int(t)) => self.int_convert(v, IntTy::U32, t, span),
            (Ty::Bool, Ty::Int(t)) => self.int_convert(v, IntTy::U8, t, span),
            (Ty::Int(f), Ty::Float(_)) => {
                let op = if f.signed() {
                    ConvertOp::StoF
                } else {
                    ConvertOp::UtoF
                };
                self.b.ins1(InstKind::Convert(op, v), to_ty, span)
            }
            (Ty::Float(_), Ty::Int(t)) => {
                let op = if t.signed() {
                    ConvertOp::FtoSsat
                } else {
                    ConvertOp::FtoUsat
                };
                self.b.ins1(InstKind::Convert(op, v), to_ty, span)
            }
            (Ty::Float(_), Ty::Float(_)) => {
                self.b
                    .ins1(InstKind::Convert(ConvertOp::Fconv, v), to_ty, span)
            }
            (Ty::Int(IntTy::U8), Ty::Char) => self.int_convert(v, IntTy::U8, IntTy::U32, span),
            (Ty::Int(f), Ty::Char) => {
                let wide = self.int_convert(v, f, IntTy::I64, span);
                let wide = if f == IntTy::U64 { v } else { wide };
                self.runtime_site("kiln_int_to_char", vec![wide], Some(Type::I32), span)
                    .unwrap_or(v)
            }
            // The checker accepts no other cast with a value (a cast of `Never`
            // has no value to convert, so it never gets here).
            _ => unreachable!("the checker rejects a cast from {from} to {to}"),
        }
    }

    // ---- built-ins -------------------------------------------------------------

    fn builtin(&mut self, op: Builtin, args: &[ExprId], ty: Ty, span: Span) -> Option<Value> {
        let arg_tys: Vec<Ty> = args.iter().map(|&a| self.expr(a).ty).collect();
        if op == Builtin::Assert {
            return self.assert(args, span);
        }
        let vals: Vec<Option<Value>> = args.iter().map(|&a| self.lower(a)).collect();
        let mty = mir_type(ty);
        let arg = |i: usize| vals.get(i).copied().flatten();
        match op {
            Builtin::Print { stream, newline } => {
                if let (Some(&t), Some(v)) = (arg_tys.first(), vals.first()) {
                    self.print_value(stream, t, *v, span);
                }
                if newline {
                    let s = self.b.iconst(Type::I32, stream as i64, span);
                    self.runtime("kiln_print_newline", vec![s], None, span);
                }
                None
            }
            Builtin::Panic => {
                let msg = arg(0)?;
                self.runtime_site("kiln_panic_msg", vec![msg], None, span);
                self.b.unreachable();
                None
            }
            Builtin::Exit => {
                let code = arg(0)?;
                self.runtime("kiln_exit", vec![code], None, span);
                self.b.unreachable();
                None
            }
            Builtin::Clock => self.runtime("kiln_clock", vec![], Some(Type::F64), span),
            Builtin::AssertEq => {
                self.assert_eq(arg_tys[0], arg(0), arg(1), span);
                None
            }
            Builtin::Assert => None,
            Builtin::ToStr => {
                let sb = self.runtime("kiln_sb_new", vec![], Some(Type::Ptr), span)?;
                let null = self.b.ins1(InstKind::Null, Type::Ptr, span);
                self.push_value(sb, arg_tys[0], arg(0), null, span);
                let v = self.runtime("kiln_sb_finish", vec![sb], Some(Type::Ptr), span);
                self.produced(v, Ty::Str)
            }
            Builtin::StrLen => Some(self.len_field(arg(0)?, span)),
            Builtin::Abs
            | Builtin::Min
            | Builtin::Max
            | Builtin::Pow
            | Builtin::WrappingAdd
            | Builtin::WrappingSub
            | Builtin::WrappingMul
            | Builtin::Sqrt
            | Builtin::Floor
            | Builtin::Ceil
            | Builtin::Round
            | Builtin::IsNan
            | Builtin::FloatFn(_) => self.numeric(op, arg_tys[0], arg(0)?, arg(1), mty?, span),
        }
    }

    fn numeric(
        &mut self,
        op: Builtin,
        ty: Ty,
        a: Value,
        b: Option<Value>,
        mty: Type,
        span: Span,
    ) -> Option<Value> {
        let int = match ty {
            Ty::Int(i) => Some(i),
            _ => None,
        };
        let binary = |s: &mut Self, op: BinaryOp| {
            let b = b?;
            Some(s.b.ins1(InstKind::Binary(op, a, b), mty, span))
        };
        Some(match op {
            Builtin::Abs => match int {
                Some(_) => {
                    let zero = self.b.iconst(mty, 0, span);
                    let neg = self.checked(OverflowOp::Ssub, zero, a, mty, span);
                    let is_neg = self.icmp(IntCC::Slt, a, zero, span);
                    self.b.ins1(InstKind::Select(is_neg, neg, a), mty, span)
                }
                None => self.b.ins1(InstKind::Unary(UnaryOp_::Fabs, a), mty, span),
            },
            Builtin::Min | Builtin::Max => {
                let b = b?;
                let is_min = op == Builtin::Min;
                match int {
                    Some(i) => {
                        let cc = match (is_min, i.signed()) {
                            (true, true) => IntCC::Slt,
                            (true, false) => IntCC::Ult,
                            (false, true) => IntCC::Sgt,
                            (false, false) => IntCC::Ugt,
                        };
                        let pick_a = self.icmp(cc, a, b, span);
                        self.b.ins1(InstKind::Select(pick_a, a, b), mty, span)
                    }
                    None => self.float_min_max(is_min, a, b, mty, span),
                }
            }
            Builtin::Pow => match int {
                Some(i) => {
                    let wide = self.int_convert(a, i, widen(i), span);
                    let kind = self.b.iconst(Type::I32, int_kind(i), span);
                    let r = self.runtime_site(
                        "kiln_pow_int",
                        vec![wide, b?, kind],
                        Some(Type::I64),
                        span,
                    )?;
                    self.int_convert(r, widen(i), i, span)
                }
                None => self.float_call("kiln_f64_pow", &[a, b?], mty, span),
            },
            Builtin::WrappingAdd => binary(self, BinaryOp::Iadd)?,
            Builtin::WrappingSub => binary(self, BinaryOp::Isub)?,
            Builtin::WrappingMul => binary(self, BinaryOp::Imul)?,
            Builtin::Sqrt => self.b.ins1(InstKind::Unary(UnaryOp_::Sqrt, a), mty, span),
            Builtin::Floor => self.b.ins1(InstKind::Unary(UnaryOp_::Floor, a), mty, span),
            Builtin::Ceil => self.b.ins1(InstKind::Unary(UnaryOp_::Ceil, a), mty, span),
            Builtin::Round => self.float_call("kiln_f64_round", &[a], mty, span),
            Builtin::IsNan => self
                .b
                .ins1(InstKind::Fcmp(FloatCC::Uno, a, a), Type::I8, span),
            Builtin::FloatFn(symbol) => {
                let args: Vec<Value> = std::iter::once(a).chain(b).collect();
                self.float_call(symbol, &args, mty, span)
            }
            Builtin::Print { .. }
            | Builtin::Panic
            | Builtin::Assert
            | Builtin::AssertEq
            | Builtin::Exit
            | Builtin::Clock
            | Builtin::ToStr
            | Builtin::StrLen => unreachable!("{op:?} is not a numeric built-in"),
        })
    }

    /// `min`/`max` as Rust defines them for floats: a NaN operand loses.
    fn float_min_max(&mut self, is_min: bool, a: Value, b: Value, ty: Type, span: Span) -> Value {
        let cc = if is_min { FloatCC::Lt } else { FloatCC::Gt };
        let a_wins = self.b.ins1(InstKind::Fcmp(cc, a, b), Type::I8, span);
        let b_nan = self
            .b
            .ins1(InstKind::Fcmp(FloatCC::Uno, b, b), Type::I8, span);
        let pick_a = self.b.ins1(
            InstKind::Binary(BinaryOp::Bor, a_wins, b_nan),
            Type::I8,
            span,
        );
        self.b.ins1(InstKind::Select(pick_a, a, b), ty, span)
    }

    fn print_value(&mut self, stream: i32, ty: Ty, v: Option<Value>, span: Span) {
        let s = self.b.iconst(Type::I32, stream as i64, span);
        let (symbol, arg) = match (ty, v) {
            (Ty::Unit, _) => ("kiln_print_unit", None),
            (Ty::Int(IntTy::U64), Some(v)) => ("kiln_print_u64", Some(v)),
            (Ty::Int(i), Some(v)) => (
                "kiln_print_i64",
                Some(self.int_convert(v, i, widen(i), span)),
            ),
            (Ty::Float(FloatTy::F64), Some(v)) => ("kiln_print_f64", Some(v)),
            (Ty::Float(FloatTy::F32), Some(v)) => ("kiln_print_f32", Some(v)),
            (Ty::Bool, Some(v)) => ("kiln_print_bool", Some(v)),
            (Ty::Char, Some(v)) => ("kiln_print_char", Some(v)),
            (Ty::Str, Some(v)) => ("kiln_print_str", Some(v)),
            (Ty::Heap(_), Some(v)) => {
                let d = self.desc(ty, span);
                self.runtime("kiln_print_value", vec![s, v, d], None, span);
                return;
            }
            _ => return,
        };
        let args: Vec<Value> = std::iter::once(s).chain(arg).collect();
        self.runtime(symbol, args, None, span);
    }

    /// Appends a value's text to a string builder, formatted by `spec` (a pointer,
    /// null for none).
    fn push_value(&mut self, sb: Value, ty: Ty, v: Option<Value>, spec: Value, span: Span) {
        let (symbol, v) = match (ty, v) {
            (Ty::Unit, _) => {
                self.runtime("kiln_sb_push_unit", vec![sb, spec], None, span);
                return;
            }
            (Ty::Int(i), Some(v)) => {
                let wide = self.int_convert(v, i, widen(i), span);
                let kind = self.b.iconst(Type::I32, int_kind(i), span);
                self.runtime("kiln_sb_push_int", vec![sb, wide, kind, spec], None, span);
                return;
            }
            (Ty::Float(FloatTy::F64), Some(v)) => ("kiln_sb_push_f64", v),
            (Ty::Float(FloatTy::F32), Some(v)) => ("kiln_sb_push_f32", v),
            (Ty::Bool, Some(v)) => ("kiln_sb_push_bool", v),
            (Ty::Char, Some(v)) => ("kiln_sb_push_char", v),
            (Ty::Str, Some(v)) => ("kiln_sb_push_str", v),
            (Ty::Heap(_), Some(v)) => {
                let d = self.desc(ty, span);
                self.runtime("kiln_sb_push_value", vec![sb, v, d, spec], None, span);
                return;
            }
            _ => return,
        };
        self.runtime(symbol, vec![sb, v, spec], None, span);
    }

    fn interp(&mut self, parts: &[InterpPart], span: Span) -> Value {
        let sb = self
            .runtime("kiln_sb_new", vec![], Some(Type::Ptr), span)
            .unwrap_or_else(|| self.b.zero(Type::Ptr, span));
        for part in parts {
            match part {
                InterpPart::Text(text) => {
                    let s = self.str_literal(text, span);
                    let null = self.b.ins1(InstKind::Null, Type::Ptr, span);
                    self.runtime("kiln_sb_push_str", vec![sb, s, null], None, span);
                }
                InterpPart::Value { expr, spec } => {
                    let ty = self.expr(*expr).ty;
                    let v = self.lower(*expr);
                    let spec = match spec {
                        Some(text) => {
                            let r = self.tables.spec(text);
                            self.b.ins1(InstKind::Spec(r), Type::Ptr, span)
                        }
                        None => self.b.ins1(InstKind::Null, Type::Ptr, span),
                    };
                    self.push_value(sb, ty, v, spec, span);
                }
            }
        }
        let v = self.runtime("kiln_sb_finish", vec![sb], Some(Type::Ptr), span);
        self.produced(v, Ty::Str).unwrap_or(sb)
    }

    fn assert(&mut self, args: &[ExprId], span: Span) -> Option<Value> {
        let cond = self.lower(args[0])?;
        let fail = self.b.create_cold_block();
        let ok = self.b.create_block();
        self.b.branch(cond, ok, fail);
        self.b.seal(fail);
        self.b.seal(ok);
        self.b.switch_to(fail);
        // Temporaries made on the way to a panic are leaked with it.
        self.push_frame();
        let fail_frame = self.own.frames.len();
        match args.get(1) {
            Some(&msg) => {
                // A message of type `Never` (`assert(c, panic("..."))`) ends the
                // failing path by itself; either way, go on in `ok`.
                if let Some(msg) = self.lower(msg) {
                    let prefix = self.str_literal("assertion failed: ", span);
                    let concat = vec![prefix, msg];
                    if let Some(text) =
                        self.runtime("kiln_str_concat", concat, Some(Type::Ptr), span)
                    {
                        self.runtime_site("kiln_panic_msg", vec![text], None, span);
                    }
                }
                self.end_dead_block();
            }
            None => self.b.panic(PanicKind::AssertionFailed as i32, span),
        }
        self.own.frames.truncate(fail_frame - 1);
        self.b.switch_to(ok);
        None
    }

    fn assert_eq(&mut self, ty: Ty, a: Option<Value>, b: Option<Value>, span: Span) {
        let Some(equal) = self.binary(BinOp::Eq, ty, ty, a, b, span) else {
            return;
        };
        let fail = self.b.create_cold_block();
        let ok = self.b.create_block();
        self.b.branch(equal, ok, fail);
        self.b.seal(fail);
        self.b.seal(ok);
        self.b.switch_to(fail);
        let Some(sb) = self.runtime("kiln_sb_new", vec![], Some(Type::Ptr), span) else {
            self.b.switch_to(ok);
            return;
        };
        let debug = self.tables.spec("?");
        let texts = ["assertion failed: left == right\n  left: ", "\n right: "];
        for (text, v) in texts.iter().zip([a, b]) {
            let s = self.str_literal(text, span);
            let null = self.b.ins1(InstKind::Null, Type::Ptr, span);
            self.runtime("kiln_sb_push_str", vec![sb, s, null], None, span);
            let spec = self.b.ins1(InstKind::Spec(debug), Type::Ptr, span);
            self.push_value(sb, ty, v, spec, span);
        }
        if let Some(msg) = self.runtime("kiln_sb_finish", vec![sb], Some(Type::Ptr), span) {
            self.runtime_site("kiln_panic_msg", vec![msg], None, span);
        }
        self.b.unreachable();
        self.b.switch_to(ok);
    }

    // ---- control flow ----------------------------------------------------------

    /// An `if` chain: each link tests its condition and either runs its branch
    /// and jumps to the one join block of the chain, or goes on to the next link.
    /// Lowered in a loop, so a chain of any length costs no recursion.
    fn if_chain(
        &mut self,
        branches: &[hir::IfBranch],
        otherwise: Option<ExprId>,
        ty: Ty,
        span: Span,
    ) -> Option<Value> {
        let mut exit = ChainExit {
            join: None,
            ty,
            span,
        };
        let mut reaches_else = true;
        for b in branches {
            let tested = match &b.cond {
                hir::IfCond::Bool(cond) => self.bool_link(*cond, b.then, &mut exit),
                hir::IfCond::Let { scrutinee, pat } => {
                    self.let_link(*scrutinee, pat, b.then, &mut exit)
                }
            };
            if !tested {
                // The condition never produces a value: the rest is dead code.
                reaches_else = false;
                break;
            }
        }
        if reaches_else {
            self.branch_body(otherwise, &mut exit);
        }
        let (join, result) = self.chain_join(&mut exit);
        self.b.seal(join);
        self.b.switch_to(join);
        self.produced(result, ty)
    }

    /// The join block of a chain, with its parameter, made when first needed
    /// (so that a plain `if` numbers its blocks in source order).
    fn chain_join(&mut self, exit: &mut ChainExit) -> (Block, Option<Value>) {
        if let Some(j) = exit.join {
            return j;
        }
        let join = self.b.create_block();
        let result = mir_type(exit.ty).map(|t| self.b.add_block_param(join, t));
        exit.join = Some((join, result));
        (join, result)
    }

    /// A link `if cond { then }`: leaves the builder where the condition is false.
    /// Returns false when the condition never produces a value.
    fn bool_link(&mut self, cond: ExprId, then: ExprId, exit: &mut ChainExit) -> bool {
        // The condition is a `bool`, so its temporaries can go at once; then no
        // later link has to release them.
        self.push_frame();
        let c = self.lower(cond);
        self.pop_frame(exit.span);
        let Some(c) = c else {
            self.end_dead_block();
            return false;
        };
        let then_block = self.b.create_block();
        let miss = self.b.create_block();
        self.chain_join(exit);
        self.b.branch(c, then_block, miss);
        self.b.seal(then_block);
        self.b.seal(miss);
        self.b.switch_to(then_block);
        self.branch_body(Some(then), exit);
        self.b.switch_to(miss);
        true
    }

    /// One branch of an `if` chain (or its `else`), in its own frame, ending with
    /// a jump to the join block.
    fn branch_body(&mut self, body: Option<ExprId>, exit: &mut ChainExit) {
        self.push_frame();
        let v = body.and_then(|e| self.lower(e));
        let v = self.escape(v, exit.ty, exit.span);
        self.pop_frame(exit.span);
        self.jump_to_join(v, exit);
    }

    fn jump_to_join(&mut self, v: Option<Value>, exit: &mut ChainExit) {
        if self.b.is_terminated() {
            return;
        }
        let (join, _) = self.chain_join(exit);
        let args = match (mir_type(exit.ty), v) {
            (Some(_), Some(v)) => vec![v],
            (Some(t), None) => vec![self.b.zero(t, exit.span)],
            _ => Vec::new(),
        };
        self.b.jump(join, args);
    }

    fn while_loop(&mut self, cond: ExprId, body: ExprId, span: Span) {
        let header = self.b.create_block();
        let body_block = self.b.create_block();
        let exit = self.b.create_block();
        self.b.jump(header, Vec::new());
        self.b.switch_to(header);
        self.push_frame();
        let c = self.lower(cond);
        self.pop_frame(span);
        let Some(c) = c else {
            // The condition never produces a value (`while break {}`, `while loop {}
            // {}`): the rest of the header and the whole body are dead code.
            self.end_dead_block();
            self.b.seal(header);
            self.b.seal(body_block);
            self.b.switch_to(body_block);
            self.b.unreachable();
            self.b.seal(exit);
            self.b.switch_to(exit);
            return;
        };
        self.b.branch(c, body_block, exit);
        self.b.seal(body_block);
        self.b.switch_to(body_block);
        self.loops.push(LoopTargets {
            brk: exit,
            cont: header,
            value: None,
            frames: self.own.frames.len(),
            scopes: self.own.scopes.len(),
            cont_depth: None,
        });
        self.lower(body);
        self.loops.pop();
        if !self.b.is_terminated() {
            self.b.jump(header, Vec::new());
        }
        self.b.seal(header);
        self.b.seal(exit);
        self.b.switch_to(exit);
        let _ = span;
    }

    fn loop_expr(&mut self, body: ExprId, ty: Ty, _span: Span) -> Option<Value> {
        let header = self.b.create_block();
        let exit = self.b.create_block();
        let value = mir_type(ty);
        let result = value.map(|t| self.b.add_block_param(exit, t));
        self.b.jump(header, Vec::new());
        self.b.switch_to(header);
        self.loops.push(LoopTargets {
            brk: exit,
            cont: header,
            value,
            frames: self.own.frames.len(),
            scopes: self.own.scopes.len(),
            cont_depth: None,
        });
        self.lower(body);
        self.loops.pop();
        if !self.b.is_terminated() {
            self.b.jump(header, Vec::new());
        }
        self.b.seal(header);
        self.b.seal(exit);
        self.b.switch_to(exit);
        self.produced(result, ty)
    }

    /// `for v in lo..hi` and its `.rev()` / `.step_by(k)` forms, as a counted
    /// loop that never overflows: the next value is computed with an overflow check
    /// and an overflow ends the loop.
    fn for_range(&mut self, r: &RangeLoop, body: ExprId, span: Span) {
        let Ty::Int(i) = self.func.local(r.var).ty else {
            return;
        };
        let ty = mir_type(Ty::Int(i)).unwrap_or(Type::I64);
        let s = i.signed();
        let (Some(lo), Some(hi)) = (self.lower(r.lo), self.lower(r.hi)) else {
            return;
        };
        let step = match r.step {
            Some(e) => {
                let Some(k) = self.lower(e) else { return };
                let zero = self.b.iconst(ty, 0, span);
                let bad = self.icmp(if s { IntCC::Sle } else { IntCC::Eq }, k, zero, span);
                self.b.panic_if(bad, PanicKind::BadStep as i32, span);
                k
            }
            None => self.b.iconst(ty, 1, span),
        };
        let lt = if s { IntCC::Slt } else { IntCC::Ult };
        let le = if s { IntCC::Sle } else { IntCC::Ule };
        let ge = if s { IntCC::Sge } else { IntCC::Uge };
        let nonempty = self.icmp(if r.inclusive { le } else { lt }, lo, hi, span);
        let start = self.b.create_block();
        let header = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        self.b.branch(nonempty, start, exit);
        self.b.seal(start);
        self.b.switch_to(start);
        let counter = self.fresh_var(ty);
        let first = if r.reverse || r.reverse_stepped {
            let last = if r.inclusive {
                hi
            } else {
                let one = self.b.iconst(ty, 1, span);
                self.b
                    .ins1(InstKind::Binary(BinaryOp::Isub, hi, one), ty, span)
            };
            if r.reverse_stepped {
                // The last element of lo, lo+k, ... that is <= last, in wrapping
                // arithmetic whose true result always fits.
                let diff = self
                    .b
                    .ins1(InstKind::Binary(BinaryOp::Isub, last, lo), ty, span);
                let n = self
                    .b
                    .ins1(InstKind::Binary(BinaryOp::Udiv, diff, step), ty, span);
                let off = self
                    .b
                    .ins1(InstKind::Binary(BinaryOp::Imul, n, step), ty, span);
                self.b
                    .ins1(InstKind::Binary(BinaryOp::Iadd, lo, off), ty, span)
            } else {
                last
            }
        } else {
            lo
        };
        self.b.def_var(counter, first);
        self.b.jump(header, Vec::new());
        self.b.switch_to(header);
        let current = self.b.use_var(counter, span);
        self.def_local(r.var, current);
        self.loops.push(LoopTargets {
            brk: exit,
            cont: latch,
            value: None,
            frames: self.own.frames.len(),
            scopes: self.own.scopes.len(),
            cont_depth: None,
        });
        self.lower(body);
        self.loops.pop();
        if !self.b.is_terminated() {
            self.b.jump(latch, Vec::new());
        }
        self.b.seal(latch);
        self.b.switch_to(latch);
        let current = self.b.use_var(counter, span);
        let down = r.reverse || r.reverse_stepped;
        let op = match (down, s) {
            (false, true) => OverflowOp::Sadd,
            (false, false) => OverflowOp::Uadd,
            (true, true) => OverflowOp::Ssub,
            (true, false) => OverflowOp::Usub,
        };
        let next = self
            .b
            .ins(InstKind::Overflow(op, current, step), &[ty, Type::I8], span);
        let in_range = if down {
            self.icmp(ge, next[0], lo, span)
        } else {
            self.icmp(if r.inclusive { le } else { lt }, next[0], hi, span)
        };
        let one = self.b.iconst(Type::I8, 1, span);
        let no_overflow = self.b.ins1(
            InstKind::Binary(BinaryOp::Bxor, next[1], one),
            Type::I8,
            span,
        );
        let go_on = self.b.ins1(
            InstKind::Binary(BinaryOp::Band, in_range, no_overflow),
            Type::I8,
            span,
        );
        self.b.def_var(counter, next[0]);
        self.b.branch(go_on, header, exit);
        self.b.seal(header);
        self.b.seal(exit);
        self.b.switch_to(exit);
    }
}

use crate::ir::UnaryOp as UnaryOp_;

/// The number of an integer type for `kiln_sb_push_int`.
fn int_kind(i: IntTy) -> i64 {
    match i {
        IntTy::I8 => 0,
        IntTy::I16 => 1,
        IntTy::I32 => 2,
        IntTy::I64 => 3,
        IntTy::U8 => 4,
        IntTy::U16 => 5,
        IntTy::U32 => 6,
        IntTy::U64 => 7,
    }
}

/// The 64-bit type of the same signedness, for printing.
fn widen(i: IntTy) -> IntTy {
    if i.signed() {
        IntTy::I64
    } else {
        IntTy::U64
    }
}

fn int_cc(op: BinOp, signed: bool) -> IntCC {
    match (op, signed) {
        (BinOp::Eq, _) => IntCC::Eq,
        (BinOp::Ne, _) => IntCC::Ne,
        (BinOp::Lt, true) => IntCC::Slt,
        (BinOp::Le, true) => IntCC::Sle,
        (BinOp::Gt, true) => IntCC::Sgt,
        (BinOp::Ge, true) => IntCC::Sge,
        (BinOp::Lt, false) => IntCC::Ult,
        (BinOp::Le, false) => IntCC::Ule,
        (BinOp::Gt, false) => IntCC::Ugt,
        (BinOp::Ge, false) => IntCC::Uge,
        (
            BinOp::Add
            | BinOp::Sub
            | BinOp::Mul
            | BinOp::Div
            | BinOp::Rem
            | BinOp::BitAnd
            | BinOp::BitOr
            | BinOp::BitXor
            | BinOp::Shl
            | BinOp::Shr
            | BinOp::And
            | BinOp::Or,
            _,
        ) => unreachable!("`{}` is not a comparison", op.as_str()),
    }
}

/// `x op y` on two constants of `bits` bits, when it does not overflow (signed or
/// unsigned as `op` says); `None` when it does.
fn fold_overflow(op: OverflowOp, bits: u32, x: i64, y: i64) -> Option<i64> {
    let unsigned = |v: i64| zero_extend(v, bits) as i128;
    let signed = |v: i64| sign_extend(v, bits) as i128;
    let (r, lo, hi) = match op {
        OverflowOp::Sadd | OverflowOp::Ssub | OverflowOp::Smul => {
            let (a, b) = (signed(x), signed(y));
            let r = match op {
                OverflowOp::Sadd => a + b,
                OverflowOp::Ssub => a - b,
                _ => a * b,
            };
            (r, -(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        }
        OverflowOp::Uadd | OverflowOp::Usub | OverflowOp::Umul => {
            let (a, b) = (unsigned(x), unsigned(y));
            let r = match op {
                OverflowOp::Uadd => a + b,
                OverflowOp::Usub => a - b,
                // Both below 2^64: the product can pass i128's range.
                _ => a.checked_mul(b)?,
            };
            (r, 0, (1i128 << bits) - 1)
        }
    };
    (lo..=hi).contains(&r).then_some(r as i64)
}
