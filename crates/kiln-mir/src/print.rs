//! The text form of MIR, for `kiln emit --mir`, the REPL's `:mir`, snapshot tests
//! and the MIR file tests. Values print as `v3`, blocks as `block2`; each block lists
//! its parameters with their types. The output is deterministic: it depends only on
//! the MIR.
//!
//! The text is complete: [`crate::parse`] reads it back into the same MIR, less
//! source spans and the origins of inlined code, which only stack traces use
//! (`print(parse(print(p))) == print(p)`, tested over every test program). A change
//! here needs the matching change there.

use crate::ir::*;
use std::fmt::Write;

pub fn print_program(p: &Program) -> String {
    let mut out = String::new();
    if let Some(main) = p.main {
        let _ = writeln!(out, "main = {main}");
    }
    for (i, g) in p.globals.iter().enumerate() {
        let _ = write!(out, "global g{i} {:?}: {}", g.name, g.ty);
        match g.init {
            0 => {}
            bits if g.ty.is_float() => {
                let _ = write!(out, " = {bits:#x}");
            }
            bits => {
                let _ = write!(out, " = {}", bits as i64);
            }
        }
        out.push('\n');
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
        let _ = writeln!(out, "type{i} = {}", type_info(t));
    }
    for f in &p.funcs {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&print_func(f));
    }
    out
}

/// A descriptor's type: `struct Point {x: type0, y: type0}`,
/// `enum Shape {Circle(type1), Rect{w: type1, h: type1}, Empty}` (braces for a
/// variant that prints labelled, a field's name only where it has one).
fn type_info(t: &TypeInfo) -> String {
    let refs = |ts: &[TypeRef]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    let fields = |fs: &[(String, TypeRef)]| {
        fs.iter()
            .map(|(n, t)| match n.is_empty() {
                true => t.to_string(),
                false => format!("{}: {t}", name(n)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match t {
        TypeInfo::Scalar(kind) => format!("scalar {kind}"),
        TypeInfo::Str => "str".to_string(),
        TypeInfo::Array(e) => format!("array {e}"),
        TypeInfo::Map(k, v) => format!("map {k}, {v}"),
        TypeInfo::Tuple(ts) => format!("tuple({})", refs(ts).join(", ")),
        TypeInfo::Struct {
            name: n,
            fields: fs,
        } => {
            format!("struct {} {{{}}}", name(n), fields(fs))
        }
        TypeInfo::Enum { name: n, variants } => {
            let vs: Vec<String> = variants
                .iter()
                .map(|(v, labelled, fs)| match (labelled, fs.is_empty()) {
                    (true, _) => format!("{}{{{}}}", name(v), fields(fs)),
                    (false, true) => name(v),
                    (false, false) => format!("{}({})", name(v), fields(fs)),
                })
                .collect();
            format!("enum {} {{{}}}", name(n), vs.join(", "))
        }
        TypeInfo::Closure { name: n, captures } => {
            format!("closure {}({})", name(n), refs(captures).join(", "))
        }
        TypeInfo::Generator {
            name: n,
            params,
            frame_slots,
        } => format!(
            "generator {}({}) frame {frame_slots}",
            name(n),
            refs(params).join(", ")
        ),
    }
}

/// A name as written in a descriptor: bare when it is an identifier, quoted
/// otherwise (`"Pair<int, str>"`, an empty closure name).
pub(crate) fn name(n: &str) -> String {
    let mut chars = n.chars();
    let ident = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ident {
        n.to_string()
    } else {
        format!("{n:?}")
    }
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
        InstKind::Fconst(x) => format!("fconst {}", float(*x)),
        InstKind::Str(s) => format!("str {s}"),
        InstKind::Spec(s) => format!("spec {s}"),
        InstKind::Null => "null".to_string(),
        InstKind::Binary(op, a, b) => format!("{} {a}, {b}", binary_name(*op)),
        InstKind::Overflow(op, a, b) => format!("{} {a}, {b}", overflow_name(*op)),
        InstKind::Unary(op, a) => format!("{} {a}", unary_name(*op)),
        InstKind::Icmp(cc, a, b) => format!("icmp {} {a}, {b}", int_cc_name(*cc)),
        InstKind::Fcmp(cc, a, b) => format!("fcmp {} {a}, {b}", float_cc_name(*cc)),
        InstKind::Convert(op, a) => format!("{} {a}", convert_name(*op)),
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

/// A float constant: Rust's shortest text that reads back as the same value, and
/// for a NaN other than the canonical one, its bits (`NaN:0x7ff8000000000001`).
fn float(x: f64) -> String {
    if x.is_nan() && x.to_bits() != f64::NAN.to_bits() {
        format!("NaN:{:#x}", x.to_bits())
    } else {
        format!("{x:?}")
    }
}

pub(crate) fn binary_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Iadd => "iadd",
        BinaryOp::Isub => "isub",
        BinaryOp::Imul => "imul",
        BinaryOp::Sdiv => "sdiv",
        BinaryOp::Udiv => "udiv",
        BinaryOp::Srem => "srem",
        BinaryOp::Urem => "urem",
        BinaryOp::Band => "band",
        BinaryOp::Bor => "bor",
        BinaryOp::Bxor => "bxor",
        BinaryOp::Ishl => "ishl",
        BinaryOp::Sshr => "sshr",
        BinaryOp::Ushr => "ushr",
        BinaryOp::Fadd => "fadd",
        BinaryOp::Fsub => "fsub",
        BinaryOp::Fmul => "fmul",
        BinaryOp::Fdiv => "fdiv",
        BinaryOp::Fmin => "fmin",
        BinaryOp::Fmax => "fmax",
    }
}

pub(crate) fn overflow_name(op: OverflowOp) -> &'static str {
    match op {
        OverflowOp::Sadd => "sadd_overflow",
        OverflowOp::Uadd => "uadd_overflow",
        OverflowOp::Ssub => "ssub_overflow",
        OverflowOp::Usub => "usub_overflow",
        OverflowOp::Smul => "smul_overflow",
        OverflowOp::Umul => "umul_overflow",
    }
}

pub(crate) fn unary_name(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Ineg => "ineg",
        UnaryOp::Fneg => "fneg",
        UnaryOp::Bnot => "bnot",
        UnaryOp::Fabs => "fabs",
        UnaryOp::Sqrt => "sqrt",
        UnaryOp::Floor => "floor",
        UnaryOp::Ceil => "ceil",
        UnaryOp::Trunc => "trunc",
    }
}

pub(crate) fn int_cc_name(cc: IntCC) -> &'static str {
    match cc {
        IntCC::Eq => "eq",
        IntCC::Ne => "ne",
        IntCC::Slt => "slt",
        IntCC::Sle => "sle",
        IntCC::Sgt => "sgt",
        IntCC::Sge => "sge",
        IntCC::Ult => "ult",
        IntCC::Ule => "ule",
        IntCC::Ugt => "ugt",
        IntCC::Uge => "uge",
    }
}

pub(crate) fn float_cc_name(cc: FloatCC) -> &'static str {
    match cc {
        FloatCC::Eq => "eq",
        FloatCC::Ne => "ne",
        FloatCC::Lt => "lt",
        FloatCC::Le => "le",
        FloatCC::Gt => "gt",
        FloatCC::Ge => "ge",
        FloatCC::Uno => "uno",
    }
}

/// `ireduce` (Cranelift's name) rather than `trunc`, which is the float rounding.
pub(crate) fn convert_name(op: ConvertOp) -> &'static str {
    match op {
        ConvertOp::Sext => "sext",
        ConvertOp::Uext => "uext",
        ConvertOp::Trunc => "ireduce",
        ConvertOp::FtoSsat => "ftossat",
        ConvertOp::FtoUsat => "ftousat",
        ConvertOp::StoF => "stof",
        ConvertOp::UtoF => "utof",
        ConvertOp::Fconv => "fconv",
        ConvertOp::Bitcast => "bitcast",
    }
}
