//! The MIR verifier: checks the invariants every pass must preserve.
//!
//! Invariants checked, per function:
//! 1. Every block is terminated (no [`Terminator::Open`]).
//! 2. Every value is defined exactly once (as a block parameter or a result).
//! 3. Every used value is defined in the function, and in a block the entry
//!    reaches, each use (an instruction's operand, a terminator's operand or a
//!    branch argument) is dominated by its definition: defined earlier in the
//!    same block, or in a block that dominates it.
//! 4. Every branch passes exactly as many arguments as its target has parameters,
//!    with matching types.
//! 5. Binary operands have the same type (`ptr` counting as `i64`); comparisons
//!    produce `I8`; branch
//!    conditions are `I8`; returns match the function's return type.
//! 6. The entry block's parameters match the function's parameter types.
//! 7. No `yield` is left (the generator transform replaces them all).
//!
//! It reports every violation it finds; it never panics on malformed MIR.

use crate::analysis::dominators::Dominators;
use crate::ir::*;

/// Checks one function; returns the list of broken invariants (empty when valid).
pub fn verify_func(f: &Func) -> Vec<String> {
    let mut errors = Vec::new();
    let mut defined = vec![0u32; f.values.len()];
    let mut define = |v: Value, errors: &mut Vec<String>| match defined.get_mut(v.index()) {
        Some(n) => *n += 1,
        None => errors.push(format!("{v} has no type")),
    };
    for b in f.block_ids() {
        let data = f.block(b);
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

    for b in f.block_ids() {
        let data = f.block(b);
        for inst in &data.insts {
            for v in operands(&inst.kind) {
                if !is_defined(v) {
                    errors.push(format!("{b}: use of undefined {v}"));
                }
            }
            check_types(f, b, inst, &mut errors);
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
    if errors.is_empty() {
        check_dominance(f, &mut errors);
    }
    errors
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

pub fn verify_program(p: &Program) -> Vec<String> {
    verify_funcs(p, 0..p.funcs.len() as u32)
}

/// Verifies the functions `funcs` of a program (a unit's new ones).
pub fn verify_funcs(p: &Program, funcs: std::ops::Range<u32>) -> Vec<String> {
    let mut errors = Vec::new();
    for f in &p.funcs[funcs.start as usize..funcs.end as usize] {
        for e in verify_func(f) {
            errors.push(format!("in {}: {e}", f.name));
        }
    }
    errors
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

/// Pointers are 64-bit integers to the machine: address arithmetic mixes them.
fn same_width(a: Option<Type>, b: Option<Type>) -> bool {
    let norm = |t: Option<Type>| t.map(|t| if t == Type::Ptr { Type::I64 } else { t });
    norm(a) == norm(b)
}

fn check_types(f: &Func, b: Block, inst: &Inst, errors: &mut Vec<String>) {
    let ty = |v: Value| f.values.get(v.index()).copied();
    match &inst.kind {
        InstKind::Binary(_, x, y) | InstKind::Overflow(_, x, y) if !same_width(ty(*x), ty(*y)) => {
            errors.push(format!("{b}: operands {x} and {y} differ in type"))
        }
        InstKind::Icmp(_, x, y) | InstKind::Fcmp(_, x, y) => {
            if ty(*x) != ty(*y) {
                errors.push(format!("{b}: compared values {x} and {y} differ in type"));
            }
            if inst.results.len() != 1 || ty(inst.results[0]) != Some(Type::I8) {
                errors.push(format!("{b}: a comparison must produce one i8"));
            }
        }
        InstKind::Select(c, x, y) if ty(*c) != Some(Type::I8) || ty(*x) != ty(*y) => {
            errors.push(format!("{b}: ill-typed select"))
        }
        _ => {}
    }
}
