//! The verifier against deliberately broken MIR: a small valid program built with
//! the builder, broken in one way per test, must be rejected with the error that
//! names that break (and the valid program must pass).

use kiln_mir::builder::FuncBuilder;
use kiln_mir::verify::{verify_func, verify_funcs, verify_program};
use kiln_mir::*;
use kiln_runtime::PanicKind;
use kiln_syntax::Span;

const S: Span = Span {
    file: kiln_syntax::FileId(0),
    lo: 0,
    hi: 0,
};

/// `fn0 add(a, b) -> i64`: `a + b`, checked for overflow.
fn add() -> Func {
    let mut b = FuncBuilder::new("add", vec![Type::I64, Type::I64], Some(Type::I64), S);
    let (x, y) = (
        b.block_params(Func::ENTRY)[0],
        b.block_params(Func::ENTRY)[1],
    );
    let r = b.ins(
        InstKind::Overflow(OverflowOp::Sadd, x, y),
        &[Type::I64, Type::I8],
        S,
    );
    b.panic_if(r[1], PanicKind::IntegerOverflow as i32, S);
    b.ret(Some(r[0]));
    b.finish()
}

/// `fn1 main()`: one instruction of most kinds, and a bounds check.
fn main_func() -> Func {
    let mut b = FuncBuilder::new("main", vec![], None, S);
    let one = b.iconst(Type::I64, 1, S);
    let sum = b.ins1(InstKind::Call(FuncRef(0), vec![one, one]), Type::I64, S);
    b.ins(InstKind::GlobalStore(GlobalRef(0), sum), &[], S);
    let g = b.ins1(InstKind::GlobalLoad(GlobalRef(0)), Type::I64, S);
    let stream = b.iconst(Type::I32, 1, S);
    let s = b.ins1(InstKind::Str(StrRef(0)), Type::Ptr, S);
    b.ins(runtime("kiln_print_str", vec![stream, s], false), &[], S);
    b.ins1(InstKind::Spec(SpecRef(0)), Type::Ptr, S);
    let d = b.ins1(InstKind::Desc(TypeRef(1)), Type::Ptr, S);
    let obj = b.ins1(runtime("kiln_alloc", vec![d], false), Type::Ptr, S);
    let x = b.ins1(InstKind::Fconst(1.5), Type::F64, S);
    b.ins(
        InstKind::SetField {
            ty: TypeRef(1),
            variant: None,
            index: 1,
            obj,
            value: x,
        },
        &[],
        S,
    );
    let y = b.ins1(
        InstKind::GetField {
            ty: TypeRef(1),
            variant: None,
            index: 1,
            obj,
        },
        Type::F64,
        S,
    );
    b.ins1(InstKind::CallExtern(ExternRef(0), vec![y]), Type::F64, S);
    let code = b.ins1(InstKind::FuncAddr(FuncRef(0)), Type::Ptr, S);
    b.ins1(
        InstKind::CallIndirect {
            code,
            args: vec![one, g],
        },
        Type::I64,
        S,
    );
    let n = b.ins1(
        InstKind::Load {
            base: obj,
            offset: 16,
        },
        Type::I64,
        S,
    );
    b.ins(
        InstKind::Store {
            base: obj,
            offset: 16,
            value: n,
        },
        &[],
        S,
    );
    let wide = b.ins1(InstKind::Convert(ConvertOp::Sext, stream), Type::I64, S);
    let half = b.ins1(InstKind::Convert(ConvertOp::Trunc, wide), Type::I32, S);
    let bits = b.ins1(InstKind::Convert(ConvertOp::Bitcast, y), Type::I64, S);
    let neg = b.ins1(InstKind::Unary(UnaryOp::Fneg, y), Type::F64, S);
    b.ins1(InstKind::Binary(BinaryOp::Fadd, neg, y), Type::F64, S);
    b.ins1(InstKind::Binary(BinaryOp::Iadd, bits, n), Type::I64, S);
    let lt = b.ins1(InstKind::Fcmp(FloatCC::Lt, neg, y), Type::I8, S);
    b.ins1(InstKind::Select(lt, half, stream), Type::I32, S);
    b.ins(InstKind::Retain(obj), &[], S);
    b.ins(InstKind::Release(obj), &[], S);
    b.ins(InstKind::Release(obj), &[], S);
    // A bounds check: `sum < g` fails to a cold block that raises.
    let bad = b.ins1(InstKind::Icmp(IntCC::Uge, sum, g), Type::I8, S);
    let fail = b.create_cold_block();
    let ok = b.create_block();
    b.branch(bad, fail, ok);
    b.seal(fail);
    b.seal(ok);
    b.switch_to(fail);
    b.ins(runtime("kiln_index_oob", vec![sum, g], true), &[], S);
    b.unreachable();
    b.switch_to(ok);
    b.ret(None);
    b.finish()
}

fn runtime(symbol: &'static str, args: Vec<Value>, site: bool) -> InstKind {
    InstKind::CallRuntime { symbol, args, site }
}

fn program() -> Program {
    let field = |t: u32| (String::new(), TypeRef(t));
    Program {
        funcs: vec![add(), main_func()],
        globals: vec![Global {
            name: "total".into(),
            ty: Type::I64,
            init: 0,
        }],
        externs: vec![Extern {
            symbol: "cos".into(),
            params: vec![Type::F64],
            ret: Some(Type::F64),
            span: S,
        }],
        strings: vec!["hi".into()],
        specs: vec!["?".into()],
        main: Some(FuncRef(1)),
        types: vec![
            TypeInfo::Scalar(6),
            TypeInfo::Struct {
                name: "P".into(),
                fields: vec![field(0), field(2)],
            },
            TypeInfo::Scalar(12),
            TypeInfo::Enum {
                name: "E".into(),
                variants: vec![
                    ("A".into(), false, vec![]),
                    ("B".into(), false, vec![field(0)]),
                ],
            },
            TypeInfo::Str,
        ],
    }
}

/// The errors of the program, which must include `want` exactly.
#[track_caller]
fn assert_error(p: &Program, want: &str) {
    let errors = verify_program(p);
    assert!(
        errors.iter().any(|e| e == want),
        "expected the error\n  {want}\ngot\n  {}",
        errors.join("\n  ")
    );
}

/// The first instruction of function `f` for which `pick` holds.
fn inst(p: &mut Program, f: usize, pick: impl Fn(&InstKind) -> bool) -> &mut Inst {
    p.funcs[f]
        .blocks
        .iter_mut()
        .flat_map(|b| b.insts.iter_mut())
        .find(|i| pick(&i.kind))
        .expect("the program has such an instruction")
}

fn is_call(k: &InstKind) -> bool {
    matches!(k, InstKind::Call(..))
}

fn is_runtime(symbol: &str) -> impl Fn(&InstKind) -> bool + '_ {
    move |k| matches!(k, InstKind::CallRuntime { symbol: s, .. } if *s == symbol)
}

/// A new value of type `ty` in function `f` (defined nowhere: for results).
fn new_value(p: &mut Program, f: usize, ty: Type) -> Value {
    p.funcs[f].values.push(ty);
    Value(p.funcs[f].values.len() as u32 - 1)
}

/// The value an instruction of `main` defines first, as picked.
fn result_of(p: &mut Program, pick: impl Fn(&InstKind) -> bool) -> Value {
    inst(p, 1, pick).results[0]
}

fn set_type(p: &mut Program, f: usize, v: Value, ty: Type) {
    p.funcs[f].values[v.index()] = ty;
}

/// The value of type f64 `main` makes first (the `fconst`).
fn a_float(p: &mut Program) -> Value {
    result_of(p, |k| matches!(k, InstKind::Fconst(_)))
}

#[test]
fn the_valid_program_passes() {
    let p = program();
    assert_eq!(verify_program(&p), Vec::<String>::new());
    assert_eq!(verify_func(&p.funcs[1]), Vec::<String>::new());
}

// ---- calls ----------------------------------------------------------------

#[test]
fn call_with_too_few_arguments() {
    let mut p = program();
    let InstKind::Call(_, args) = &mut inst(&mut p, 1, is_call).kind else {
        unreachable!()
    };
    args.pop();
    assert_error(
        &p,
        "in main: block0: call of fn0 passes 1 argument, it takes 2",
    );
}

#[test]
fn call_with_an_argument_of_the_wrong_type() {
    let mut p = program();
    let x = a_float(&mut p);
    let InstKind::Call(_, args) = &mut inst(&mut p, 1, is_call).kind else {
        unreachable!()
    };
    args[1] = x;
    // The float is defined after the call: dominance is not checked while other
    // errors stand, so this is the only error.
    assert_error(
        &p,
        &format!("in main: block0: call of fn0 passes {x}: f64 where it takes i64"),
    );
}

#[test]
fn call_without_the_result_the_callee_returns() {
    let mut p = program();
    let call = inst(&mut p, 1, is_call);
    call.results.clear();
    assert_error(&p, "in main: block0: call has 0 results, expected 1");
}

#[test]
fn call_result_of_the_wrong_type() {
    let mut p = program();
    let r = result_of(&mut p, is_call);
    set_type(&mut p, 1, r, Type::I32);
    assert_error(
        &p,
        &format!("in main: block0: call result {r} is i32, expected i64"),
    );
}

#[test]
fn call_of_a_missing_function() {
    let mut p = program();
    let InstKind::Call(f, _) = &mut inst(&mut p, 1, is_call).kind else {
        unreachable!()
    };
    *f = FuncRef(7);
    assert_error(&p, "in main: block0: call refers to missing fn7");
}

#[test]
fn calls_in_a_range_are_checked_against_earlier_functions() {
    // `main` (a later unit's function) calls `add` (an earlier unit's).
    let mut p = program();
    assert!(verify_funcs(&p, 1..2).is_empty());
    p.funcs[0].params.push(Type::I64);
    let errors = verify_funcs(&p, 1..2);
    assert_eq!(
        errors,
        vec!["in main: block0: call of fn0 passes 2 arguments, it takes 3".to_string()]
    );
}

#[test]
fn extern_call_against_its_declaration() {
    let mut p = program();
    let pick = |k: &InstKind| matches!(k, InstKind::CallExtern(..));
    let one = result_of(&mut p, |k| matches!(k, InstKind::Iconst(1)));
    let InstKind::CallExtern(_, args) = &mut inst(&mut p, 1, pick).kind else {
        unreachable!()
    };
    args[0] = one;
    assert_error(
        &p,
        &format!("in main: block0: call_extern of ext0 passes {one}: i64 where it takes f64"),
    );

    let mut p = program();
    inst(&mut p, 1, pick).results.clear();
    assert_error(&p, "in main: block0: call_extern has 0 results, expected 1");

    let mut p = program();
    let InstKind::CallExtern(e, _) = &mut inst(&mut p, 1, pick).kind else {
        unreachable!()
    };
    *e = ExternRef(3);
    assert_error(&p, "in main: block0: call_extern refers to missing ext3");
}

#[test]
fn runtime_call_of_an_unknown_function() {
    let mut p = program();
    let InstKind::CallRuntime { symbol, .. } = &mut inst(&mut p, 1, is_runtime("kiln_alloc")).kind
    else {
        unreachable!()
    };
    *symbol = "kiln_no_such_function";
    assert_error(
        &p,
        "in main: block0: call_runtime of unknown runtime function `kiln_no_such_function`",
    );
}

#[test]
fn runtime_call_with_the_wrong_site_flag() {
    let mut p = program();
    let InstKind::CallRuntime { site, .. } =
        &mut inst(&mut p, 1, is_runtime("kiln_index_oob")).kind
    else {
        unreachable!()
    };
    *site = false;
    assert_error(
        &p,
        "in main: block1: call_runtime of `kiln_index_oob`, which takes a site",
    );

    let mut p = program();
    let InstKind::CallRuntime { site, .. } = &mut inst(&mut p, 1, is_runtime("kiln_alloc")).kind
    else {
        unreachable!()
    };
    *site = true;
    assert_error(
        &p,
        "in main: block0: call_runtime of `kiln_alloc`, which does not take a site",
    );
}

#[test]
fn runtime_call_against_the_table() {
    // The frame pointer and site are not arguments: `kiln_index_oob` takes two.
    let mut p = program();
    let InstKind::CallRuntime { args, .. } =
        &mut inst(&mut p, 1, is_runtime("kiln_index_oob")).kind
    else {
        unreachable!()
    };
    args.push(args[0]);
    assert_error(
        &p,
        "in main: block1: call_runtime of `kiln_index_oob` passes 3 arguments, it takes 2",
    );

    // A float where the runtime takes an integer; `ptr` for `i64` is fine.
    let mut p = program();
    let x = a_float(&mut p);
    let d = result_of(&mut p, |k| matches!(k, InstKind::Desc(_)));
    let InstKind::CallRuntime { args, .. } =
        &mut inst(&mut p, 1, is_runtime("kiln_index_oob")).kind
    else {
        unreachable!()
    };
    args[0] = d;
    args[1] = x;
    assert_error(
        &p,
        &format!(
            "in main: block1: call_runtime of `kiln_index_oob` passes {x}: f64 where it takes i64"
        ),
    );
    assert_eq!(verify_program(&p).len(), 1, "{:?}", verify_program(&p));

    // A result the function does not make, and one missing.
    let mut p = program();
    let r = new_value(&mut p, 1, Type::I64);
    inst(&mut p, 1, is_runtime("kiln_print_str"))
        .results
        .push(r);
    assert_error(&p, "in main: block0: call_runtime has 1 result, expected 0");
    let mut p = program();
    let r = result_of(&mut p, is_runtime("kiln_alloc"));
    set_type(&mut p, 1, r, Type::F64);
    assert_error(
        &p,
        &format!("in main: block0: call_runtime result {r} is f64, expected i64 or ptr"),
    );
}

#[test]
fn indirect_call_through_a_float() {
    let mut p = program();
    let x = a_float(&mut p);
    let InstKind::CallIndirect { code, .. } =
        &mut inst(&mut p, 1, |k| matches!(k, InstKind::CallIndirect { .. })).kind
    else {
        unreachable!()
    };
    *code = x;
    assert_error(
        &p,
        &format!("in main: block0: call_indirect operand {x} is f64, expected ptr or i64"),
    );
}

#[test]
fn indirect_call_with_two_results() {
    let mut p = program();
    let r = new_value(&mut p, 1, Type::I64);
    inst(&mut p, 1, |k| matches!(k, InstKind::CallIndirect { .. }))
        .results
        .push(r);
    assert_error(
        &p,
        "in main: block0: call_indirect has 2 results, expected at most 1",
    );
}

#[test]
fn address_of_a_missing_function() {
    let mut p = program();
    inst(&mut p, 1, |k| matches!(k, InstKind::FuncAddr(_))).kind = InstKind::FuncAddr(FuncRef(9));
    assert_error(&p, "in main: block0: func_addr refers to missing fn9");
}

// ---- ids and the types they give ------------------------------------------

#[test]
fn globals_in_range_and_of_their_type() {
    let mut p = program();
    inst(&mut p, 1, |k| matches!(k, InstKind::GlobalLoad(_))).kind =
        InstKind::GlobalLoad(GlobalRef(4));
    assert_error(&p, "in main: block0: global_load refers to missing g4");

    let mut p = program();
    p.globals[0].ty = Type::F64;
    let g = result_of(&mut p, |k| matches!(k, InstKind::GlobalLoad(_)));
    let stored = result_of(&mut p, is_call);
    assert_error(
        &p,
        &format!("in main: block0: global_store operand {stored} is i64, expected f64"),
    );
    assert_error(
        &p,
        &format!("in main: block0: global_load result {g} is i64, expected f64"),
    );
}

#[test]
fn strings_specs_and_types_in_range() {
    let mut p = program();
    p.strings.clear();
    p.specs.clear();
    assert_error(&p, "in main: block0: str refers to missing str0");
    assert_error(&p, "in main: block0: spec refers to missing spec0");
    let mut p = program();
    p.types.truncate(1);
    assert_error(&p, "in main: block0: desc refers to missing type1");
    assert_error(&p, "in main: block0: get_field refers to missing type1");
}

/// The `get_field` of `main`, changed by `edit`.
fn edit_get_field(p: &mut Program, edit: impl FnOnce(&mut Option<u32>, &mut u32, &mut TypeRef)) {
    let InstKind::GetField {
        ty, variant, index, ..
    } = &mut inst(p, 1, |k| matches!(k, InstKind::GetField { .. })).kind
    else {
        unreachable!()
    };
    edit(variant, index, ty);
}

#[test]
fn field_index_beyond_the_struct() {
    let mut p = program();
    edit_get_field(&mut p, |_, index, _| *index = 2);
    assert_error(
        &p,
        "in main: block0: get_field of type1: it has 2 fields, not 3",
    );
}

#[test]
fn field_of_a_variant() {
    let mut p = program();
    edit_get_field(&mut p, |variant, _, _| *variant = Some(0));
    assert_error(
        &p,
        "in main: block0: get_field names a variant of type1, which is not an enum",
    );

    let mut p = program();
    edit_get_field(&mut p, |_, _, ty| *ty = TypeRef(3));
    assert_error(
        &p,
        "in main: block0: get_field of enum type3 names no variant",
    );

    let mut p = program();
    edit_get_field(&mut p, |variant, _, ty| {
        *ty = TypeRef(3);
        *variant = Some(2);
    });
    assert_error(
        &p,
        "in main: block0: get_field of type3: it has 2 variants, not 3",
    );

    // Variant 1 has one field, of type int: reading it as f64 is wrong.
    let mut p = program();
    edit_get_field(&mut p, |variant, index, ty| {
        *ty = TypeRef(3);
        *variant = Some(1);
        *index = 0;
    });
    let r = result_of(&mut p, |k| matches!(k, InstKind::GetField { .. }));
    assert_error(
        &p,
        &format!("in main: block0: get_field result {r} is f64, expected i64"),
    );
}

#[test]
fn field_of_a_type_without_fields() {
    let mut p = program();
    edit_get_field(&mut p, |_, _, ty| *ty = TypeRef(4));
    assert_error(
        &p,
        "in main: block0: get_field of type4, which has no fields",
    );
}

#[test]
fn field_written_with_the_wrong_type() {
    let mut p = program();
    let InstKind::SetField { index, value, .. } =
        &mut inst(&mut p, 1, |k| matches!(k, InstKind::SetField { .. })).kind
    else {
        unreachable!()
    };
    *index = 0;
    let v = *value;
    assert_error(
        &p,
        &format!("in main: block0: set_field operand {v} is f64, expected i64"),
    );
}

#[test]
fn checks_that_need_the_program_wait_for_it() {
    // On its own, a function's ids cannot be checked.
    let mut p = program();
    p.globals.clear();
    p.types.clear();
    p.funcs[0].params.clear();
    assert!(!verify_program(&p).is_empty());
    assert_eq!(verify_func(&p.funcs[1]), Vec::<String>::new());
}

// ---- results and operands of each kind -------------------------------------

#[test]
fn constants_have_one_result_of_their_kind() {
    let mut p = program();
    let one = result_of(&mut p, |k| matches!(k, InstKind::Iconst(1)));
    set_type(&mut p, 1, one, Type::F64);
    assert_error(
        &p,
        &format!("in main: block0: iconst result {one} is f64, expected an integer type"),
    );

    let mut p = program();
    let extra = new_value(&mut p, 1, Type::F64);
    inst(&mut p, 1, |k| matches!(k, InstKind::Fconst(_)))
        .results
        .push(extra);
    assert_error(&p, "in main: block0: fconst has 2 results, expected 1");

    let mut p = program();
    let s = result_of(&mut p, |k| matches!(k, InstKind::Str(_)));
    set_type(&mut p, 1, s, Type::I64);
    assert_error(
        &p,
        &format!("in main: block0: str result {s} is i64, expected ptr"),
    );
}

#[test]
fn stores_have_no_result() {
    let mut p = program();
    let r = new_value(&mut p, 1, Type::I64);
    inst(&mut p, 1, |k| matches!(k, InstKind::Store { .. }))
        .results
        .push(r);
    assert_error(&p, "in main: block0: store has 1 result, expected 0");

    let mut p = program();
    let r = new_value(&mut p, 1, Type::I64);
    inst(&mut p, 1, |k| matches!(k, InstKind::Release(_)))
        .results
        .push(r);
    assert_error(&p, "in main: block0: release has 1 result, expected 0");
}

#[test]
fn loads_and_stores_take_an_address() {
    let mut p = program();
    let x = a_float(&mut p);
    let InstKind::Load { base, .. } =
        &mut inst(&mut p, 1, |k| matches!(k, InstKind::Load { .. })).kind
    else {
        unreachable!()
    };
    *base = x;
    assert_error(
        &p,
        &format!("in main: block0: load operand {x} is f64, expected ptr or i64"),
    );
}

#[test]
fn reference_counts_of_objects_only() {
    let mut p = program();
    let one = result_of(&mut p, |k| matches!(k, InstKind::Iconst(1)));
    inst(&mut p, 1, |k| matches!(k, InstKind::Retain(_))).kind = InstKind::Retain(one);
    assert_error(
        &p,
        &format!("in main: block0: retain operand {one} is i64, expected ptr"),
    );
}

#[test]
fn float_arithmetic_on_integers() {
    let mut p = program();
    let InstKind::Binary(op, ..) = &mut inst(&mut p, 1, |k| {
        matches!(k, InstKind::Binary(BinaryOp::Iadd, ..))
    })
    .kind
    else {
        unreachable!()
    };
    *op = BinaryOp::Fadd;
    let bits = result_of(&mut p, |k| {
        matches!(k, InstKind::Convert(ConvertOp::Bitcast, _))
    });
    assert_error(
        &p,
        &format!("in main: block0: fadd operand {bits} is i64, expected a float type"),
    );
}

#[test]
fn binary_result_of_another_type() {
    let mut p = program();
    let r = result_of(&mut p, |k| {
        matches!(k, InstKind::Binary(BinaryOp::Iadd, ..))
    });
    set_type(&mut p, 1, r, Type::I32);
    assert_error(
        &p,
        &format!("in main: block0: iadd result {r} is i32, expected i64 or ptr"),
    );
}

#[test]
fn overflow_arithmetic_reports_the_flag() {
    let mut p = program();
    let flag = p.funcs[0].blocks[0].insts[0].results[1];
    set_type(&mut p, 0, flag, Type::I64);
    assert_error(
        &p,
        &format!("in add: block0: sadd_overflow result {flag} is i64, expected i8"),
    );
}

#[test]
fn unary_of_the_wrong_kind() {
    let mut p = program();
    let InstKind::Unary(op, x) = &mut inst(&mut p, 1, |k| matches!(k, InstKind::Unary(..))).kind
    else {
        unreachable!()
    };
    *op = UnaryOp::Ineg;
    let x = *x;
    assert_error(
        &p,
        &format!("in main: block0: ineg operand {x} is f64, expected an integer type"),
    );
}

#[test]
fn comparisons_of_the_right_kind_make_one_i8() {
    let mut p = program();
    let InstKind::Fcmp(_, x, y) = inst(&mut p, 1, |k| matches!(k, InstKind::Fcmp(..))).kind else {
        unreachable!()
    };
    inst(&mut p, 1, |k| matches!(k, InstKind::Fcmp(..))).kind = InstKind::Icmp(IntCC::Eq, x, y);
    assert_error(
        &p,
        &format!("in main: block0: icmp operand {x} is f64, expected an integer type"),
    );

    let mut p = program();
    let c = result_of(&mut p, |k| matches!(k, InstKind::Fcmp(..)));
    set_type(&mut p, 1, c, Type::I64);
    assert_error(
        &p,
        &format!("in main: block0: fcmp result {c} is i64, expected i8"),
    );
}

#[test]
fn conversions_between_the_widths_they_name() {
    let mut p = program();
    let InstKind::Convert(op, _) = &mut inst(&mut p, 1, |k| {
        matches!(k, InstKind::Convert(ConvertOp::Trunc, _))
    })
    .kind
    else {
        unreachable!()
    };
    *op = ConvertOp::Sext;
    assert_error(&p, "in main: block0: sext cannot convert i64 to i32");

    let mut p = program();
    let bits = result_of(&mut p, |k| {
        matches!(k, InstKind::Convert(ConvertOp::Bitcast, _))
    });
    set_type(&mut p, 1, bits, Type::I32);
    assert_error(
        &p,
        &format!("in main: block0: bitcast result {bits} is i32, expected a type of 64 bits"),
    );

    let mut p = program();
    let InstKind::Convert(op, _) = &mut inst(&mut p, 1, |k| {
        matches!(k, InstKind::Convert(ConvertOp::Sext, _))
    })
    .kind
    else {
        unreachable!()
    };
    *op = ConvertOp::StoF;
    let wide = result_of(&mut p, |k| {
        matches!(k, InstKind::Convert(ConvertOp::StoF, _))
    });
    assert_error(
        &p,
        &format!("in main: block0: stof result {wide} is i64, expected a float type"),
    );
}

#[test]
fn select_needs_an_i8_condition() {
    let mut p = program();
    let one = result_of(&mut p, |k| matches!(k, InstKind::Iconst(1)));
    let InstKind::Select(c, ..) = &mut inst(&mut p, 1, |k| matches!(k, InstKind::Select(..))).kind
    else {
        unreachable!()
    };
    *c = one;
    assert_error(
        &p,
        &format!("in main: block0: select operand {one} is i64, expected i8"),
    );
}

// ---- panics on cold paths ----------------------------------------------------

#[test]
fn a_panic_outside_a_cold_block() {
    let mut p = program();
    p.funcs[0].blocks[1].cold = false;
    assert_error(&p, "in add: block1 panics but is not marked cold");
}

#[test]
fn a_panic_of_unknown_kind() {
    let mut p = program();
    let Terminator::Panic { kind, .. } = &mut p.funcs[0].blocks[1].term else {
        unreachable!()
    };
    *kind = 42;
    assert_error(&p, "in add: block1: panic of unknown kind 42");
}

#[test]
fn code_after_a_call_that_never_returns() {
    let mut p = program();
    let extra = p.funcs[1].blocks[0].insts[0].clone();
    let fail = &mut p.funcs[1].blocks[1];
    fail.insts.push(Inst {
        results: vec![],
        ..extra
    });
    fail.insts.last_mut().unwrap().kind = InstKind::Iconst(0);
    let r = Value(p.funcs[1].values.len() as u32);
    p.funcs[1].values.push(Type::I64);
    p.funcs[1].blocks[1].insts.last_mut().unwrap().results = vec![r];
    assert_error(
        &p,
        "in main: block1: `kiln_index_oob` never returns, but instructions follow it",
    );

    let mut p = program();
    p.funcs[1].blocks[1].term = Terminator::Return(None);
    assert_error(&p, "in main: block1: `kiln_index_oob` never returns, but its block does not end in unreachable");
}

#[test]
fn a_cold_entry_block() {
    let mut p = program();
    p.funcs[0].blocks[0].cold = true;
    assert_error(&p, "in add: the entry block is marked cold");
}

#[test]
fn a_jump_into_a_cold_block() {
    let mut p = program();
    let Terminator::Branch { then, .. } = &p.funcs[0].blocks[0].term else {
        unreachable!()
    };
    let cold = then.clone();
    p.funcs[0].blocks[0].term = Terminator::Jump(cold);
    assert_error(
        &p,
        "in add: block0: jump to cold block1 (a cold block is entered by a branch or from another cold block)",
    );
}

// ---- inline frames ----------------------------------------------------------

#[test]
fn inline_frames_exist_and_come_after_their_parents() {
    let mut p = program();
    p.funcs[1].inlines.push(InlineFrame {
        func: "add".into(),
        call_span: S,
        parent: Some(0),
    });
    assert_error(
        &p,
        "in main: inline frame 0 has parent 0, which does not come before it",
    );

    let mut p = program();
    inst(&mut p, 1, is_call).inlined = Some(3);
    assert_error(
        &p,
        "in main: block0: call was inlined through missing frame 3",
    );
}

// ---- the function's shape (invariants 1 to 7) --------------------------------

#[test]
fn an_open_block() {
    let mut p = program();
    p.funcs[0].blocks[2].term = Terminator::Open;
    assert_error(&p, "in add: block2 is not terminated");
}

#[test]
fn a_function_without_blocks() {
    let mut p = program();
    p.funcs[0].blocks.clear();
    assert_error(&p, "in add: the function has no blocks");
}

#[test]
fn a_value_defined_twice() {
    let mut p = program();
    let sum = result_of(&mut p, is_call);
    let one = result_of(&mut p, |k| matches!(k, InstKind::Iconst(1)));
    inst(&mut p, 1, is_call).results[0] = one;
    let _ = sum;
    assert_error(&p, &format!("in main: {one} is defined 2 times"));
}

#[test]
fn a_use_of_an_undefined_value() {
    let mut p = program();
    let ghost = new_value(&mut p, 1, Type::I64);
    let InstKind::Call(_, args) = &mut inst(&mut p, 1, is_call).kind else {
        unreachable!()
    };
    args[0] = ghost;
    assert_error(&p, &format!("in main: block0: use of undefined {ghost}"));

    // Out of range of the function's values altogether.
    let mut p = program();
    p.funcs[0].blocks[2].term = Terminator::Return(Some(Value(999)));
    assert_error(&p, "in add: block2: use of undefined v999");
}

#[test]
fn a_use_before_the_definition() {
    let mut p = program();
    let insts = &mut p.funcs[1].blocks[0].insts;
    // The call of `add` moves in front of the constant it uses.
    insts.swap(0, 1);
    let one = p.funcs[1].blocks[0].insts[1].results[0];
    assert_error(
        &p,
        &format!("in main: block0: {one} is used where its definition does not dominate"),
    );
}

#[test]
fn a_use_in_a_block_the_definition_does_not_dominate() {
    // `add`'s result, defined in block0, used from the cold block1 is fine; a
    // value of the cold block used in block2 is not.
    let mut p = program();
    let f = &mut p.funcs[0];
    let v = Value(f.values.len() as u32);
    f.values.push(Type::I64);
    f.blocks[1].insts.push(Inst {
        kind: InstKind::Iconst(3),
        results: vec![v],
        span: S,
        inlined: None,
    });
    f.blocks[2].term = Terminator::Return(Some(v));
    assert_error(
        &p,
        &format!("in add: block2: {v} is used where its definition does not dominate"),
    );
}

#[test]
fn branches_against_their_targets() {
    let mut p = program();
    let f = &mut p.funcs[0];
    let flag = f.blocks[0].insts[0].results[1];
    let Terminator::Branch { then, .. } = &mut f.blocks[0].term else {
        unreachable!()
    };
    then.args.push(flag);
    assert_error(&p, "in add: block0: block1 takes 0 arguments, given 1");

    let mut p = program();
    let Terminator::Branch { then, .. } = &mut p.funcs[0].blocks[0].term else {
        unreachable!()
    };
    then.block = Block(9);
    assert_error(&p, "in add: block0: branch to missing block9");

    let mut p = program();
    let f = &mut p.funcs[0];
    let sum = f.blocks[0].insts[0].results[0];
    let Terminator::Branch { cond, .. } = &mut f.blocks[0].term else {
        unreachable!()
    };
    *cond = sum;
    assert_error(
        &p,
        &format!("in add: block0: branch condition {sum} is not i8"),
    );
}

#[test]
fn a_branch_argument_of_the_wrong_type() {
    let mut p = program();
    let f = &mut p.funcs[0];
    let param = Value(f.values.len() as u32);
    f.values.push(Type::I32);
    f.blocks[2].params.push(param);
    let sum = f.blocks[0].insts[0].results[0];
    let Terminator::Branch { otherwise, .. } = &mut f.blocks[0].term else {
        unreachable!()
    };
    otherwise.args.push(sum);
    assert_error(
        &p,
        &format!("in add: block0: argument {sum} does not match the type of {param}"),
    );
}

#[test]
fn returns_and_entry_against_the_signature() {
    let mut p = program();
    p.funcs[0].ret = Some(Type::F64);
    assert_error(
        &p,
        "in add: block2: return does not match the function's type",
    );

    let mut p = program();
    p.funcs[0].params[1] = Type::I32;
    assert_error(
        &p,
        "in add: entry block parameters do not match the function's parameters",
    );
}

#[test]
fn a_yield_left() {
    let mut p = program();
    let target = |b| Target {
        block: Block(b),
        args: vec![],
    };
    p.funcs[0].blocks[2].term = Terminator::Yield {
        value: None,
        resume: target(2),
        cancel: target(2),
    };
    assert_error(&p, "in add: block2: `yield` left after lowering");
}

#[test]
fn a_range_beyond_the_program() {
    let p = program();
    assert_eq!(
        verify_funcs(&p, 1..5),
        vec!["functions 1..5 are not in the program (it has 2)".to_string()]
    );
}

/// Every operand and id of every instruction and terminator, out of range in turn:
/// the verifier reports each and never panics.
#[test]
fn out_of_range_everything_never_panics() {
    let base = program();
    for f in 0..base.funcs.len() {
        for b in 0..base.funcs[f].blocks.len() {
            for i in 0..=base.funcs[f].blocks[b].insts.len() {
                let mut p = base.clone();
                let data = &mut p.funcs[f].blocks[b];
                match data.insts.get_mut(i) {
                    Some(inst) => {
                        kiln_mir::builder::for_each_operand_mut(&mut inst.kind, |v| {
                            *v = Value(u32::MAX)
                        });
                        for r in &mut inst.results {
                            *r = Value(u32::MAX - 1);
                        }
                        inst.kind = match inst.kind.clone() {
                            InstKind::Call(_, a) => InstKind::Call(FuncRef(u32::MAX), a),
                            InstKind::CallExtern(_, a) => {
                                InstKind::CallExtern(ExternRef(u32::MAX), a)
                            }
                            InstKind::GlobalLoad(_) => InstKind::GlobalLoad(GlobalRef(u32::MAX)),
                            InstKind::GlobalStore(_, v) => {
                                InstKind::GlobalStore(GlobalRef(u32::MAX), v)
                            }
                            InstKind::GetField { variant, obj, .. } => InstKind::GetField {
                                ty: TypeRef(u32::MAX),
                                variant: variant.map(|_| u32::MAX),
                                index: u32::MAX,
                                obj,
                            },
                            other => other,
                        };
                        inst.inlined = Some(u32::MAX);
                    }
                    None => {
                        match &mut data.term {
                            Terminator::Panic { kind, inlined, .. } => {
                                *kind = i32::MAX;
                                *inlined = Some(u32::MAX);
                            }
                            Terminator::Return(v) => *v = Some(Value(u32::MAX)),
                            Terminator::Unreachable => continue,
                            _ => {}
                        }
                        for t in data.term.targets_mut() {
                            t.block = Block(u32::MAX);
                            t.args.push(Value(u32::MAX));
                        }
                        if let Some(v) = data.term.operand_mut() {
                            *v = Value(u32::MAX);
                        }
                    }
                }
                let errors = verify_program(&p);
                assert!(!errors.is_empty(), "fn{f} block{b} inst {i}: no error");
            }
        }
    }
}
