//! Snapshot tests: rendered diagnostics of the checker, and the MIR of a few
//! functions. Each snapshot holds the source it was made from.

use kiln::{CompileError, Engine};

fn engine() -> Engine {
    Engine::new().expect("the JIT starts on this machine")
}

/// The source followed by every diagnostic, rendered without colour.
fn diagnostics(source: &str) -> String {
    let mut engine = engine();
    let rendered = match engine.front_end("test.kl", source) {
        Ok(_) => "(no errors)".to_string(),
        Err(CompileError::Diagnostics(d)) => engine.render(&d, false),
        Err(CompileError::Internal(e)) => format!("internal error: {e}"),
    };
    format!("{source}\n---\n{rendered}")
}

/// The source followed by the MIR of the function `name`.
fn mir_of(source: &str, name: &str) -> String {
    let mut engine = engine();
    if let Err(e) = engine.front_end("test.kl", source) {
        panic!("does not compile: {e:?}");
    }
    let program = engine.mir();
    let f = program
        .find_func(name)
        .unwrap_or_else(|| panic!("no function {name}"));
    let errors = kiln_mir::verify::verify_func(program.func(f));
    assert!(errors.is_empty(), "invalid MIR: {errors:?}");
    format!(
        "{source}\n---\n{}",
        kiln_mir::print::print_func(program.func(f))
    )
}

#[test]
fn type_mismatch_in_let() {
    insta::assert_snapshot!(diagnostics("let x: int = \"hello\"\n"));
}

#[test]
fn undefined_name() {
    insta::assert_snapshot!(diagnostics("fn f() -> int { y + 1 }\n"));
}

#[test]
fn assignment_to_let() {
    insta::assert_snapshot!(diagnostics("let n = 1\nn = 2\n"));
}

#[test]
fn mixed_numbers_need_as() {
    insta::assert_snapshot!(diagnostics("let a = 1\nlet b = 2.5\nprintln(a + b)\n"));
}

#[test]
fn several_errors_at_once() {
    insta::assert_snapshot!(diagnostics(
        "fn f(a: int) -> int { a }\nprintln(f(1, 2))\nlet s: str = 5\nprintln(nope)\nbreak\n"
    ));
}

#[test]
fn literal_out_of_range() {
    insta::assert_snapshot!(diagnostics("let b: u8 = 256\nlet c: i8 = -129\n"));
}

#[test]
fn missing_module() {
    insta::assert_snapshot!(diagnostics("import no_such_module\nprintln(1)\n"));
}

#[test]
fn generator_errors() {
    insta::assert_snapshot!(diagnostics(
        "yield 0\nfn a() -> int { yield 1; 2 }\nfn b() -> Gen<int> { yield \"s\" }\nfn c() -> Gen<int> { println(1) }\nfn d() -> Gen<int> { yield 1; return 2 }\nlet e = |x: int| { yield x }\n"
    ));
}

#[test]
fn mir_of_a_generator() {
    insta::assert_snapshot!(mir_of(
        "fn evens(limit: int) -> Gen<int> {\n    var i = 0\n    while i < limit { yield i; i += 2 }\n}\n",
        "evens"
    ));
}

/// A `for` over a pipeline of generator calls is one loop: no generator object
/// is made and nothing is resumed (lower/fuse.rs).
#[test]
fn mir_of_a_fused_generator_pipeline() {
    let mir = mir_of(
        "fn upto(n: int) -> Gen<int> { var i = 0; while i < n { yield i; i += 1 } }\n\
         fn odd(src: Gen<int>) -> Gen<int> { for x in src { if x % 2 == 1 { yield x } } }\n\
         fn sum(n: int) -> int { var s = 0; for x in odd(upto(n)) { s += x }; s }\n",
        "sum",
    );
    let body = &mir[mir.find("---").expect("the MIR follows the source")..];
    assert!(!body.contains("call"), "the loop still calls: {body}");
    assert!(
        !body.contains("kiln_alloc"),
        "a generator object is made: {body}"
    );
    insta::assert_snapshot!(mir);
}

#[test]
fn bad_format_spec() {
    insta::assert_snapshot!(diagnostics("let x = 1.5\nprintln(\"{x:q} {x:x}\")\n"));
}

#[test]
fn mir_of_fib() {
    insta::assert_snapshot!(mir_of(
        "fn fib(n: int) -> int {\n    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }\n}\n",
        "fib"
    ));
}

#[test]
fn mir_of_a_loop_with_a_variable() {
    insta::assert_snapshot!(mir_of(
        "fn sum(n: int) -> int {\n    var total = 0\n    var i = 0\n    while i < n {\n        i += 1\n        if i % 3 == 0 { continue }\n        total += i\n    }\n    total\n}\n",
        "sum"
    ));
}

#[test]
fn mir_of_a_stepped_range() {
    insta::assert_snapshot!(mir_of(
        "fn evens(n: int) -> int {\n    var s = 0\n    for i in (0..n).step_by(2) { s += i }\n    s\n}\n",
        "evens"
    ));
}

#[test]
fn non_exhaustive_match_names_a_value() {
    insta::assert_snapshot!(diagnostics(
        "enum Color { Red, Green, Blue }\nfn name(c: Color) -> str {\n    match c {\n        Red => \"red\",\n        Green => \"green\",\n    }\n}\n"
    ));
}

#[test]
fn mir_of_struct_fields_and_reference_counting() {
    insta::assert_snapshot!(mir_of(
        "struct P { name: str, xs: [int] }\nfn rename(p: P, s: str) -> int {\n    p.name = s + \"!\"\n    p.xs.push(1)\n    p.xs.len()\n}\n",
        "rename"
    ));
}

#[test]
fn mir_of_a_match_on_an_option() {
    insta::assert_snapshot!(mir_of(
        "fn describe(o: int?) -> str {\n    match o {\n        Some(n) if n > 0 => \"positive\",\n        Some(_) => \"other\",\n        None => \"none\",\n    }\n}\n",
        "describe"
    ));
}

#[test]
fn mir_of_loop_break_value() {
    insta::assert_snapshot!(mir_of(
        "fn first_square_over(limit: int) -> int {\n    var k = 0\n    loop {\n        k += 1\n        if k * k > limit { break k * k }\n    }\n}\n",
        "first_square_over"
    ));
}

/// An expression whose type stays unknown is one error, however many unknowns it
/// made (`[:]` has a key and a value type).
#[test]
fn an_unresolved_empty_map_is_one_error() {
    insta::assert_snapshot!(diagnostics("var m = [:]\n"));
}
