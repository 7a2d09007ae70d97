//! The MIR verifier: checks the invariants every pass must preserve, and that the
//! code generator and the interpreter rely on.
//!
//! Invariants checked, per function:
//! 1. The function has an entry block, and every block is terminated (no
//!    [`Terminator::Open`]).
//! 2. Every value is defined exactly once (as a block parameter or a result).
//! 3. Every used value is defined in the function, and in a block the entry
//!    reaches, each use (an instruction's operand, a terminator's operand or a
//!    branch argument) is dominated by its definition: defined earlier in the
//!    same block, or in a block that dominates it.
//! 4. Every branch goes to a block of the function and passes exactly as many
//!    arguments as its target has parameters, with matching types.
//! 5. Every instruction has the number of results its kind makes, of the types
//!    its kind makes, and operands of the types it takes ([`inst`]): binary
//!    operands have the same type (`ptr` counting as `i64`), integer operations
//!    take integers and float ones floats, comparisons produce one `i8`,
//!    conversions go between the kinds and widths they name, `select`s choose
//!    with an `i8` between values of one type, objects and addresses are `ptr`
//!    (or `i64`). Branch conditions are `i8`; returns match the function's
//!    return type.
//! 6. The entry block's parameters match the function's parameter types.
//! 7. No `yield` is left (the generator transform replaces them all).
//! 8. Calls match what they call: a `call` passes as many arguments as the callee
//!    has parameters, of its parameter types, and has as many results as the
//!    callee returns, of its return type; the same for `call_extern` against the
//!    program's `extern` declaration, and for `call_runtime` against the runtime's
//!    table of functions (`kiln_runtime::symbols`), where the frame pointer and
//!    site are not arguments, the `site` flag must be the table's, and a type fits
//!    the table's when it has its width and is a float exactly when the table's
//!    is (the interpreter's rule). A `call_indirect` calls a `ptr` (or `i64`) and
//!    has at most one result; its signature is its arguments' and result's types,
//!    which nothing here can check against the function it will reach.
//! 9. Every id is in range: functions (`call`, `func_addr`), globals, externs,
//!    string literals, format specs, types with descriptors, the variant and field
//!    of `get_field`/`set_field` against the type's [`TypeInfo`], and inline
//!    frames (whose parents come before them). A global is loaded and stored with
//!    its own type; a field is read and written with its type's machine type.
//! 10. Panics sit on cold paths: every [`Terminator::Panic`] ends a block marked
//!     cold, with a panic kind the runtime knows; a call of a runtime function
//!     that never returns (`raises` or `exits` in the table) is the last
//!     instruction of its block, which ends in [`Terminator::Unreachable`]; the
//!     entry block is not cold. (Where lowering makes a check, the failing side
//!     of its branch is a cold block that panics; but the cold block of an
//!     `assert` with a message runs the message's code, which may branch, return
//!     or `break`, so a cold block's successors are not checked.)
//!
//! The checks of 8 and 9 that need the program (every one but the runtime
//! table's) run only through [`verify_funcs`] and [`verify_func_in`].
//!
//! It reports every violation it finds; it never panics on malformed MIR, and its
//! time is linear in the size of the function (with the dominator tree's almost
//! linear construction).

mod inst;

use crate::analysis::dominators::Dominators;
use crate::ir::*;
use kiln_runtime::Symbol;
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a function is checked against: its program (when known) and the
/// runtime's table of functions.
struct Env<'a> {
    program: Option<&'a Program>,
    runtime: &'static HashMap<&'static str, Symbol>,
}

/// The runtime's table of functions by name, made once.
fn runtime_table() -> &'static HashMap<&'static str, Symbol> {
    static TABLE: OnceLock<HashMap<&'static str, Symbol>> = OnceLock::new();
    TABLE.get_or_init(|| {
        kiln_runtime::symbols()
            .into_iter()
            .map(|s| (s.name, s))
            .collect()
    })
}

/// Checks one function on its own: everything but what needs its program (the
/// callees of `call`, globals, externs, strings, specs and types); returns the
/// list of broken invariants (empty when valid).
pub fn verify_func(f: &Func) -> Vec<String> {
    check_func(
        &Env {
            program: None,
            runtime: runtime_table(),
        },
        f,
    )
}

/// Checks one function of the program `p` (it need not be in `p.funcs` yet):
/// every invariant, ids and calls against the program included.
pub fn verify_func_in(p: &Program, f: &Func) -> Vec<String> {
    check_func(
        &Env {
            program: Some(p),
            runtime: runtime_table(),
        },
        f,
    )
}

pub fn verify_program(p: &Program) -> Vec<String> {
    verify_funcs(p, 0..p.funcs.len() as u32)
}

/// Verifies the functions `funcs` of a program (a unit's new ones); they may call
/// functions anywhere in the program.
pub fn verify_funcs(p: &Program, funcs: std::ops::Range<u32>) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(range) = p.funcs.get(funcs.start as usize..funcs.end as usize) else {
        return vec![format!(
            "functions {}..{} are not in the program (it has {})",
            funcs.start,
            funcs.end,
            p.funcs.len()
        )];
    };
    for f in range {
        for e in verify_func_in(p, f) {
            errors.push(format!("in {}: {e}", f.name));
        }
    }
    errors
}

fn check_func(env: &Env, f: &Func) -> Vec<String> {
    let mut errors = Vec::new();
    if f.blocks.is_empty() {
        return vec!["the function has no blocks".into()];
    }
    let mut defined = vec![0u32; f.values.len()];
    let mut define = |v: Value, errors: &mut Vec<String>| match defined.get_mut(v.index()) {
        Some(n) => *n += 1,
        None => errors.push(format!("{v} has no type")),
    };
    for data in &f.blocks {
        for &p in &data.params {
            define(p, &mut errors);
        }
        for inst in &data.insts {
            for &r in &inst.results {
                define(r, &mut errors);
            }
        }
    }
    for (i, &n) in defined.iter().enumerate() {
        if n > 1 {
            errors.push(format!("v{i} is defined {n} times"));
        }
    }
    let is_defined = |v: Value| defined.get(v.index()).is_some_and(|&n| n == 1);
    let ty = |v: Value| f.values.get(v.index()).copied();

    let entry = f.block(Func::ENTRY);
    let entry_types: Vec<Option<Type>> = entry.params.iter().map(|&v| ty(v)).collect();
    let want: Vec<Option<Type>> = f.params.iter().map(|&t| Some(t)).collect();
    if entry_types != want {
        errors.push("entry block parameters do not match the function's parameters".into());
    }
    check_inline_frames(f, &mut errors);

    for b in f.block_ids() {
        let data = f.block(b);
        for inst in &data.insts {
            for v in operands(&inst.kind) {
                if !is_defined(v) {
                    errors.push(format!("{b}: use of undefined {v}"));
                }
            }
            inst::check(env, f, b, inst, &mut errors);
        }
        match &data.term {
            Terminator::Open => errors.push(format!("{b} is not terminated")),
            Terminator::Branch { cond, .. } if ty(*cond) != Some(Type::I8) => {
                errors.push(format!("{b}: branch condition {cond} is not i8"))
            }
            Terminator::Return(v) if v.and_then(ty) != f.ret => {
                errors.push(format!("{b}: return does not match the function's type"))
            }
            Terminator::Yield { .. } => errors.push(format!("{b}: `yield` left after lowering")),
            _ => {}
        }
        if let Some(v) = data.term.operand() {
            if !is_defined(v) {
                errors.push(format!("{b}: use of undefined {v}"));
            }
        }
        for t in data.term.targets() {
            let Some(target) = f.blocks.get(t.block.index()) else {
                errors.push(format!("{b}: branch to missing {}", t.block));
                continue;
            };
            if target.params.len() != t.args.len() {
                errors.push(format!(
                    "{b}: {} takes {} arguments, given {}",
                    t.block,
                    target.params.len(),
                    t.args.len()
                ));
                continue;
            }
            for (&a, &p) in t.args.iter().zip(&target.params) {
                if !is_defined(a) {
                    errors.push(format!("{b}: use of undefined {a}"));
                } else if ty(a) != ty(p) {
                    errors.push(format!("{b}: argument {a} does not match the type of {p}"));
                }
            }
        }
    }
    check_panics(env, f, &mut errors);
    if errors.is_empty() {
        check_dominance(f, &mut errors);
    }
    errors
}

/// Invariant 9, for inline frames: every instruction's and panic's frame exists,
/// and each frame's parent comes before it (so walking parents ends).
fn check_inline_frames(f: &Func, errors: &mut Vec<String>) {
    for (i, frame) in f.inlines.iter().enumerate() {
        if frame.parent.is_some_and(|p| p as usize >= i) {
            errors.push(format!(
                "inline frame {i} has parent {}, which does not come before it",
                frame.parent.unwrap_or_default()
            ));
        }
    }
    let missing = |k: Option<u32>| k.is_some_and(|k| k as usize >= f.inlines.len());
    for b in f.block_ids() {
        let data = f.block(b);
        for inst in data.insts.iter().filter(|inst| missing(inst.inlined)) {
            errors.push(format!(
                "{b}: {} was inlined through missing frame {}",
                inst::name(&inst.kind),
                inst.inlined.unwrap_or_default()
            ));
        }
        if let Terminator::Panic { inlined, .. } = data.term {
            if missing(inlined) {
                errors.push(format!(
                    "{b}: panic was inlined through missing frame {}",
                    inlined.unwrap_or_default()
                ));
            }
        }
    }
}

/// Invariant 10: panics on cold paths, calls that never return end their block.
fn check_panics(env: &Env, f: &Func, errors: &mut Vec<String>) {
    if f.block(Func::ENTRY).cold {
        errors.push("the entry block is marked cold".into());
    }
    for b in f.block_ids() {
        let data = f.block(b);
        if let Terminator::Jump(t) = &data.term {
            if !data.cold && f.blocks.get(t.block.index()).is_some_and(|d| d.cold) {
                errors.push(format!(
                    "{b}: jump to cold {} (a cold block is entered by a branch or from \
                     another cold block)",
                    t.block
                ));
            }
        }
        if let Terminator::Panic { kind, .. } = data.term {
            if !data.cold {
                errors.push(format!("{b} panics but is not marked cold"));
            }
            if kiln_runtime::PanicKind::from_i32(kind) as i32 != kind {
                errors.push(format!("{b}: panic of unknown kind {kind}"));
            }
        }
        for (i, inst) in data.insts.iter().enumerate() {
            let InstKind::CallRuntime { symbol, .. } = &inst.kind else {
                continue;
            };
            if env.runtime.get(symbol).is_none_or(|s| s.returns) {
                continue;
            }
            if i + 1 != data.insts.len() {
                errors.push(format!(
                    "{b}: `{symbol}` never returns, but instructions follow it"
                ));
            } else if data.term != Terminator::Unreachable {
                errors.push(format!(
                    "{b}: `{symbol}` never returns, but its block does not end in unreachable"
                ));
            }
        }
    }
}

/// Invariant 3: in reachable blocks, every use is dominated by its definition.
fn check_dominance(f: &Func, errors: &mut Vec<String>) {
    let dom = Dominators::of(f);
    // Where each value is defined: its block and position (parameters at 0,
    // the result of instruction `i` at `i + 1`).
    let mut def_at = vec![(Block(0), 0usize); f.values.len()];
    for b in f.block_ids() {
        let data = f.block(b);
        for &p in &data.params {
            def_at[p.index()] = (b, 0);
        }
        for (i, inst) in data.insts.iter().enumerate() {
            for &r in &inst.results {
                def_at[r.index()] = (b, i + 1);
            }
        }
    }
    let check = |b: Block, at: usize, v: Value, errors: &mut Vec<String>| {
        let (db, pos) = def_at[v.index()];
        let ok = if db == b {
            pos <= at
        } else {
            dom.dominates(db, b)
        };
        if !ok {
            errors.push(format!(
                "{b}: {v} is used where its definition does not dominate"
            ));
        }
    };
    for b in f.block_ids().filter(|&b| dom.reachable(b)) {
        let data = f.block(b);
        for (i, inst) in data.insts.iter().enumerate() {
            for v in operands(&inst.kind) {
                check(b, i, v, errors);
            }
        }
        let end = data.insts.len();
        let term_uses = data.term.operand().into_iter();
        let arg_uses = data.term.targets().into_iter().flat_map(|t| t.args.clone());
        for v in term_uses.chain(arg_uses) {
            check(b, end, v, errors);
        }
    }
}

pub fn operands(kind: &InstKind) -> Vec<Value> {
    match kind {
        InstKind::Iconst(_)
        | InstKind::Fconst(_)
        | InstKind::Str(_)
        | InstKind::Spec(_)
        | InstKind::Null
        | InstKind::FuncAddr(_)
        | InstKind::Desc(_)
        | InstKind::GlobalLoad(_) => Vec::new(),
        InstKind::GetField { obj, .. } => vec![*obj],
        InstKind::SetField { obj, value, .. } => vec![*obj, *value],
        InstKind::Load { base, .. } => vec![*base],
        InstKind::Store { base, value, .. } => vec![*base, *value],
        InstKind::Retain(v) | InstKind::Release(v) => vec![*v],
        InstKind::Binary(_, a, b)
        | InstKind::Overflow(_, a, b)
        | InstKind::Icmp(_, a, b)
        | InstKind::Fcmp(_, a, b) => vec![*a, *b],
        InstKind::Unary(_, a) | InstKind::Convert(_, a) | InstKind::GlobalStore(_, a) => vec![*a],
        InstKind::Select(c, a, b) => vec![*c, *a, *b],
        InstKind::Call(_, args)
        | InstKind::CallExtern(_, args)
        | InstKind::CallRuntime { args, .. } => args.clone(),
        InstKind::CallIndirect { code, args } => {
            let mut all = vec![*code];
            all.extend(args);
            all
        }
    }
}
