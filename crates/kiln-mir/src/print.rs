//! The text form of MIR, for `kiln emit --mir`, the REPL's `:mir` and snapshot
//! tests. Values print as `v3`, blocks as `block2`; each block lists its parameters
//! with their types. The output is deterministic: it depends only on the MIR.

use crate::ir::*;
use std::fmt::Write;

pub fn print_program(p: &Program) -> String {
    let mut out = String::new();
    for (i, g) in p.globals.iter().enumerate() {
        let _ = writeln!(out, "global g{i}: {} ; {}", g.ty, g.name);
    }
    for (i, e) in p.externs.iter().enumerate() {
        let _ = writeln!(
            out,
            "extern ext{i} = {}{}",
            e.symbol,
            signature(&e.params, e.ret)
        );
    }
    for (i, s) in p.strings.iter().enumerate() {
        let _ = writeln!(out, "str{i} = {s:?}");
    }
    for (i, s) in p.specs.iter().enumerate() {
        let _ = writeln!(out, "spec{i} = {s:?}");
    }
    for (i, t) in p.types.iter().enumerate() {
        let _ = writeln!(out, "type{i} = {t:?}");
    }
    for f in &p.funcs {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&print_func(f));
    }
    out
}

fn signature(params: &[Type], ret: Option<Type>) -> String {
    let params: Vec<String> = params.iter().map(|t| t.to_string()).collect();
    match ret {
        Some(r) => format!("({}) -> {r}", params.join(", ")),
        None => format!("({})", params.join(", ")),
    }
}

fn list(vs: &[Value]) -> String {
    vs.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn target(t: &Target) -> String {
    if t.args.is_empty() {
        t.block.to_string()
    } else {
        format!("{}({})", t.block, list(&t.args))
    }
}

pub fn print_func(f: &Func) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "fn {:?}{} {{", f.name, signature(&f.params, f.ret));
    for b in f.block_ids() {
        let data = f.block(b);
        let params: Vec<String> = data
            .params
            .iter()
            .map(|&v| format!("{v}: {}", f.value_type(v)))
            .collect();
        let cold = if data.cold { " cold" } else { "" };
        let _ = writeln!(out, "{b}({}){cold}:", params.join(", "));
        for inst in &data.insts {
            let _ = writeln!(out, "    {}", print_inst(f, inst));
        }
        let _ = writeln!(out, "    {}", print_term(&data.term));
    }
    out.push_str("}\n");
    out
}

fn print_inst(f: &Func, inst: &Inst) -> String {
    let lhs = if inst.results.is_empty() {
        String::new()
    } else {
        let typed: Vec<String> = inst
            .results
            .iter()
            .map(|&v| format!("{v}: {}", f.value_type(v)))
            .collect();
        format!("{} = ", typed.join(", "))
    };
    let rhs = match &inst.kind {
        InstKind::Iconst(n) => format!("iconst {n}"),
        InstKind::Fconst(x) => format!("fconst {x:?}"),
        InstKind::Str(s) => format!("str {s}"),
        InstKind::Spec(s) => format!("spec {s}"),
        InstKind::Null => "null".to_string(),
        InstKind::Binary(op, a, b) => format!("{} {a}, {b}", format!("{op:?}").to_lowercase()),
        InstKind::Overflow(op, a, b) => {
            format!("{}_overflow {a}, {b}", format!("{op:?}").to_lowercase())
        }
        InstKind::Unary(op, a) => format!("{} {a}", format!("{op:?}").to_lowercase()),
        InstKind::Icmp(cc, a, b) => format!("icmp {} {a}, {b}", format!("{cc:?}").to_lowercase()),
        InstKind::Fcmp(cc, a, b) => format!("fcmp {} {a}, {b}", format!("{cc:?}").to_lowercase()),
        InstKind::Convert(op, a) => format!("{} {a}", format!("{op:?}").to_lowercase()),
        InstKind::Select(c, a, b) => format!("select {c}, {a}, {b}"),
        InstKind::Call(func, args) => format!("call {func}({})", list(args)),
        InstKind::CallIndirect { code, args } => format!("call_indirect {code}({})", list(args)),
        InstKind::FuncAddr(func) => format!("func_addr {func}"),
        InstKind::CallRuntime { symbol, args, site } => {
            let site = if *site { " with site" } else { "" };
            format!("call_runtime {symbol}({}){site}", list(args))
        }
        InstKind::CallExtern(e, args) => format!("call_extern {e}({})", list(args)),
        InstKind::GlobalLoad(g) => format!("global_load {g}"),
        InstKind::GlobalStore(g, v) => format!("global_store {g}, {v}"),
        InstKind::Desc(t) => format!("desc {t}"),
        InstKind::GetField {
            ty,
            variant,
            index,
            obj,
        } => match variant {
            Some(v) => format!("get_field {ty}.{v}.{index} {obj}"),
            None => format!("get_field {ty}.{index} {obj}"),
        },
        InstKind::SetField {
            ty,
            variant,
            index,
            obj,
            value,
        } => match variant {
            Some(v) => format!("set_field {ty}.{v}.{index} {obj}, {value}"),
            None => format!("set_field {ty}.{index} {obj}, {value}"),
        },
        InstKind::Load { base, offset } => format!("load {base}+{offset}"),
        InstKind::Store {
            base,
            offset,
            value,
        } => format!("store {base}+{offset}, {value}"),
        InstKind::Retain(v) => format!("retain {v}"),
        InstKind::Release(v) => format!("release {v}"),
    };
    format!("{lhs}{rhs}")
}

fn print_term(t: &Terminator) -> String {
    match t {
        Terminator::Jump(to) => format!("jump {}", target(to)),
        Terminator::Branch {
            cond,
            then,
            otherwise,
        } => format!("brif {cond}, {}, {}", target(then), target(otherwise)),
        Terminator::Return(Some(v)) => format!("return {v}"),
        Terminator::Return(None) => "return".to_string(),
        Terminator::Panic { kind, .. } => format!("panic {kind}"),
        Terminator::Unreachable => "unreachable".to_string(),
        Terminator::Yield {
            value,
            resume,
            cancel,
        } => {
            let value = value.map(|v| format!(" {v}")).unwrap_or_default();
            format!("yield{value}, {}, {}", target(resume), target(cancel))
        }
        Terminator::Open => "<open>".to_string(),
    }
}
