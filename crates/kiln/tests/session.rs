//! A persistent engine: units of source compiled one after another into one
//! session, each against everything the earlier ones defined, as the REPL and an
//! embedder use it.

use kiln::{on_kiln_thread, CompileError, Engine, Outcome};

/// What one unit did: its output, then how it ended (`ok`, `exit N`, the panic
/// report, or the rendered compile errors).
fn unit(engine: &mut Engine, text: &str) -> String {
    unit_named(engine, "unit.kl", text)
}

/// [`unit`] for a unit named `name` (its imports are looked for next to it).
fn unit_named(engine: &mut Engine, name: &str, text: &str) -> String {
    let main = match engine.compile(name, text) {
        Ok(Some(main)) => main,
        // A unit of declarations only has no top-level code to run.
        Ok(None) => return "ok".into(),
        Err(CompileError::Diagnostics(d)) => return engine.render(&d, false),
        Err(CompileError::Internal(e)) => panic!("internal error: {e}"),
    };
    kiln_runtime::output::capture();
    // SAFETY: compiled by this engine, on the Kiln thread.
    let outcome = unsafe { engine.run_main(main) };
    let (out, _) = kiln_runtime::output::take_captured();
    let how = match outcome {
        Outcome::Finished => "ok".to_string(),
        Outcome::Exit(c) => format!("exit {c}"),
        Outcome::Panic(p) => p.to_string(),
    };
    format!("{out}{how}")
}

/// Runs `units` in one persistent engine; returns what each did.
fn session(units: &'static [&'static str]) -> Vec<String> {
    on_kiln_thread(move || {
        let mut engine = Engine::persistent();
        units.iter().map(|u| unit(&mut engine, u)).collect()
    })
}

#[test]
fn later_units_use_the_functions_variables_and_types_of_earlier_ones() {
    let out = session(&[
        "struct P { x: int, name: str }\nfn sq(x: int) -> int { x * x }\nlet base = 10\nvar count = 0",
        "count += 1\nlet p = P(sq(base) + count, \"p\")",
        "println(p)\nprintln(sq(p.x))\ncount += 1",
        "println(count)",
    ]);
    assert_eq!(
        out,
        ["ok", "ok", "P(x: 101, name: \"p\")\n10201\nok", "2\nok"]
    );
}

#[test]
fn a_unit_with_an_error_leaves_nothing_behind() {
    let out = session(&[
        "let a = 1",
        "let b = 2\nfn f() -> int { 3 }\nlet c: int = \"no\"",
        "println(a)",
        "println(b)",
        "println(f())",
    ]);
    assert_eq!(out[0], "ok");
    assert!(out[1].contains("error"), "{}", out[1]);
    assert_eq!(out[2], "1\nok");
    assert!(out[3].contains("`b`"), "{}", out[3]);
    assert!(out[4].contains("`f`"), "{}", out[4]);
}

#[test]
fn a_panic_keeps_what_completed_before_it() {
    let out = session(&[
        "var n = 1\nvar xs = [1, 2]",
        "n = 5\nxs.push(3)\nlet bad = xs[10]\nn = 6",
        "println(n)\nprintln(xs)",
    ]);
    assert_eq!(out[0], "ok");
    assert!(
        out[1].starts_with("error: index out of bounds"),
        "{}",
        out[1]
    );
    assert_eq!(out[2], "5\n[1, 2, 3]\nok");
}

#[test]
fn a_variable_whose_unit_panicked_before_setting_it_is_reported_when_read() {
    let out = session(&["let x: int = 1 / 0", "println(x)"]);
    assert!(out[0].starts_with("error: division by zero"), "{}", out[0]);
    assert!(
        out[1]
            .starts_with("error: `x` is read before its `let` has run\n  at <main> (unit.kl:1:9)"),
        "{}",
        out[1]
    );
}

#[test]
fn generics_of_one_unit_are_instantiated_by_later_ones() {
    let out = session(&[
        "fn first<T>(xs: [T]) -> T { xs[0] }\nstruct Box<T> { v: T }",
        "println(first([3, 4]))\nprintln(Box(\"s\"))",
        "println(first([\"a\"]))\nprintln(first([5]))",
    ]);
    assert_eq!(out, ["ok", "3\nBox(v: \"s\")\nok", "a\n5\nok"]);
}

#[test]
fn closures_capture_and_outlive_units() {
    let out = session(&[
        "var total = 0\nlet add = |x: int| { total += x }",
        "add(5)\nadd(7)",
        "println(total)\nfn make(k: int) -> fn(int) -> int { |x| x * k }\nlet triple = make(3)",
        "println(triple(total))\nprintln([1, 2].map(triple))",
    ]);
    assert_eq!(out, ["ok", "ok", "12\nok", "36\n[3, 6]\nok"]);
}

#[test]
fn closing_a_session_frees_its_string_literals() {
    on_kiln_thread(|| {
        let before = kiln_runtime::string::immortal_strings();
        let mut engine = Engine::persistent();
        let text = "let greeting = \"hello\"\nvar names = [\"ann\", \"bob\"]\nprintln(\"{greeting} {names}\")";
        assert_eq!(unit(&mut engine, text), "hello [\"ann\", \"bob\"]\nok");
        assert_eq!(
            unit(&mut engine, "names.push(\"cy\")\nprintln(names.len())"),
            "3\nok"
        );
        let during = kiln_runtime::string::immortal_strings();
        assert!(
            during >= before + 4,
            "the literals are made: {before} -> {during}"
        );
        engine.close();
        assert_eq!(kiln_runtime::string::immortal_strings(), before);
    });
}

#[test]
fn variables_set_by_earlier_units_are_read_without_a_check() {
    on_kiln_thread(|| {
        let mut engine = Engine::persistent();
        assert_eq!(unit(&mut engine, "var total = [1, 2].len()"), "ok");
        let stopped = unit(
            &mut engine,
            "let late = [5].len()\npanic(\"stop\")\nlet never = 1 + [6].len()",
        );
        assert!(stopped.contains("stop"), "{stopped}");
        assert_eq!(unit(&mut engine, "println(total + late)"), "3\nok");
        let program = engine.mir();
        let main = program.main.expect("the last unit's <main>");
        let text = kiln_mir::print::print_func(program.func(main));
        assert!(
            !text.contains("kiln_panic_msg"),
            "a needless check:\n{text}"
        );
        // A variable whose unit stopped before setting it is still checked.
        assert!(unit(&mut engine, "println(never)")
            .contains("`never` is read before its `let` has run"));
        let program = engine.mir();
        let main = program.main.expect("the last unit's <main>");
        let text = kiln_mir::print::print_func(program.func(main));
        assert!(
            text.contains("kiln_panic_msg"),
            "the check is missing:\n{text}"
        );
    });
}

#[test]
fn each_unit_compiles_only_its_own_functions() {
    on_kiln_thread(|| {
        let mut engine = Engine::persistent();
        assert_eq!(
            unit(&mut engine, "fn a() -> int { 1 }\nfn b() -> int { 2 }"),
            "ok"
        );
        let first = engine.stats().functions;
        assert_eq!(first, 2, "a and b (an empty <main> is not compiled)");
        assert_eq!(unit(&mut engine, "println(a() + b())"), "3\nok");
        assert_eq!(engine.stats().functions, 1, "only the new <main>");
    });
}

#[test]
fn a_function_redefined_with_the_same_signature_replaces_it_for_earlier_callers() {
    let out = session(&[
        "fn base() -> int { 1 }\nfn twice() -> int { base() * 2 }\nlet f = base",
        "println(twice())",
        "fn base() -> int { 10 }",
        "println(twice())\nprintln(f())",
        "fn base() -> int { 100 }",
        "println(twice())",
    ]);
    assert_eq!(out, ["ok", "2\nok", "ok", "20\n10\nok", "ok", "200\nok"]);
}

#[test]
fn a_function_redefined_with_another_signature_leaves_earlier_callers_alone() {
    let out = session(&[
        "fn base() -> int { 1 }\nfn twice() -> int { base() * 2 }",
        "fn base() -> str { \"new\" }",
        "println(twice())\nprintln(base())",
    ]);
    assert_eq!(out, ["ok", "ok", "2\nnew\nok"]);
}

/// A unit with errors changes nothing, also through its imports: a module loaded
/// for it runs only when a unit that imports it compiles (with what that module
/// imports, first), and a module that had errors is read again by the next unit
/// that imports it, so fixing the file is enough.
#[test]
fn a_failed_unit_leaves_its_modules_unrun_and_a_broken_module_is_read_again() {
    let dir = std::env::temp_dir().join(format!("kiln-session-modules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let write = |file: &str, text: &str| std::fs::write(dir.join(file), text).expect("written");
    write(
        "inner.kl",
        "println(\"inner runs\")\nfn one() -> int { 1 }\n",
    );
    write(
        "outer.kl",
        "import inner\nprintln(\"outer runs\")\nfn two() -> int { inner.one() + 1 }\n",
    );
    write("fixed.kl", "fn three() -> int { 3 + }\n");
    let name = dir.join("unit.kl").to_string_lossy().into_owned();
    let fixed = dir.join("fixed.kl");
    let out = on_kiln_thread(move || {
        let mut engine = Engine::persistent();
        let mut run = |text: &str| unit_named(&mut engine, &name, text);
        let mut out = vec![
            run("import outer\nlet bad: int = \"no\""),
            run("println(0)"),
            run("import outer\nprintln(outer.two())"),
            run("import outer\nprintln(outer.two())"),
            run("import fixed"),
        ];
        std::fs::write(&fixed, "println(\"fixed runs\")\nfn three() -> int { 3 }\n")
            .expect("written");
        out.push(run("import fixed\nprintln(fixed.three())"));
        out
    });
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out[0].contains("mismatched types"), "{}", out[0]);
    assert_eq!(out[1], "0\nok");
    assert_eq!(out[2], "inner runs\nouter runs\n2\nok");
    assert_eq!(out[3], "2\nok");
    assert!(out[4].contains("expected an expression"), "{}", out[4]);
    assert_eq!(out[5], "fixed runs\n3\nok");
}

/// A top-level variable declared again frees the old value once no code can
/// reach it (the unit after the one that hid it starts), so a session that keeps
/// re-running `var big = make()` does not keep every old value. A variable that
/// a function uses, or that a generic function's later instances may read,
/// keeps its value.
#[test]
fn a_variable_declared_again_frees_its_old_value_when_nothing_can_reach_it() {
    on_kiln_thread(|| {
        let mut engine = Engine::persistent();
        assert_eq!(unit(&mut engine, "fn make() -> [int] { [1, 2, 3] }"), "ok");
        assert_eq!(unit(&mut engine, "var big = make()"), "ok");
        let live = kiln_runtime::alloc::live_objects();
        for _ in 0..20 {
            assert_eq!(unit(&mut engine, "var big = make()"), "ok");
        }
        // The last value is alive, and the one before it until the next unit.
        assert_eq!(kiln_runtime::alloc::live_objects(), live + 1);
        assert_eq!(unit(&mut engine, "println(big.len())"), "3\nok");
        assert_eq!(kiln_runtime::alloc::live_objects(), live);

        // Used by a function: freed once a later unit replaces that function
        // (the same two entries pasted again).
        assert_eq!(unit(&mut engine, "var data = make()"), "ok");
        assert_eq!(unit(&mut engine, "fn size() -> int { data.len() }"), "ok");
        let live = kiln_runtime::alloc::live_objects();
        for _ in 0..20 {
            assert_eq!(unit(&mut engine, "var data = make()"), "ok");
            assert_eq!(unit(&mut engine, "fn size() -> int { data.len() }"), "ok");
        }
        assert_eq!(unit(&mut engine, "println(size())"), "3\nok");
        assert_eq!(kiln_runtime::alloc::live_objects(), live);

        // Used by a function: kept, and the function still reads it.
        assert_eq!(
            unit(
                &mut engine,
                "var kept = make()\nfn count() -> int { kept.len() }"
            ),
            "ok"
        );
        assert_eq!(unit(&mut engine, "var kept = \"new\""), "ok");
        assert_eq!(unit(&mut engine, "println(count())"), "3\nok");
        // Seen by a generic function, whose instances are made later: kept.
        assert_eq!(
            unit(
                &mut engine,
                "var seen = make()\nfn size<T>(x: T) -> int { seen.len() }"
            ),
            "ok"
        );
        assert_eq!(unit(&mut engine, "var seen = 0"), "ok");
        assert_eq!(unit(&mut engine, "println(size(true))"), "3\nok");
    });
}
