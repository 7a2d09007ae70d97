//! The engine as a library: compiling and running programs, and the call table
//! through which calls go when functions may be redefined (DESIGN.md §7).

use kiln::{on_kiln_thread, Engine, Options, Outcome};

/// Compiles and runs `source` with `options` on the Kiln thread; returns what it
/// printed and how it ended.
fn run(source: &'static str, options: Options) -> (String, String) {
    on_kiln_thread(move || {
        let mut engine = Engine::with_options(options).expect("the JIT starts");
        let main = match engine.compile("test.kl", source) {
            Ok(Some(main)) => main,
            Ok(None) => return (String::new(), "no main".into()),
            Err(e) => return (String::new(), format!("{e:?}")),
        };
        kiln_runtime::output::capture();
        // SAFETY: compiled by this engine, on the Kiln thread.
        let outcome = unsafe { engine.run_main(main) };
        let (out, _) = kiln_runtime::output::take_captured();
        let how = match outcome {
            Outcome::Finished => "finished".to_string(),
            Outcome::Exit(c) => format!("exit {c}"),
            Outcome::Panic(p) => p.to_string(),
        };
        (out, how)
    })
}

const PROGRAM: &str = "
fn fib(n: int) -> int { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }
fn is_even(n: int) -> bool { if n == 0 { true } else { is_odd(n - 1) } }
fn is_odd(n: int) -> bool { if n == 0 { false } else { is_even(n - 1) } }
fn inner(xs: [int]) -> int { xs[5] }
println(fib(20))
println(is_even(10))
println(inner([1, 2, 3]))
";

fn options(direct_calls: bool, optimize: bool) -> Options {
    Options {
        optimize,
        direct_calls,
        ..Options::default()
    }
}

#[test]
fn calls_through_the_call_table_behave_like_direct_calls() {
    for optimize in [false, true] {
        let table = run(PROGRAM, options(false, optimize));
        let direct = run(PROGRAM, options(true, optimize));
        assert_eq!(table, direct, "optimize = {optimize}");
        assert_eq!(table.0, "6765\ntrue\n");
        assert!(
            table.1.starts_with(
                "error: index out of bounds: index 5, length 3\n  at inner (test.kl:5:30)"
            ),
            "{}",
            table.1
        );
    }
}

#[test]
fn exit_unwinds_to_the_engine() {
    let (out, how) = run("println(1)\nexit(7)\nprintln(2)\n", options(false, true));
    assert_eq!(out, "1\n");
    assert_eq!(how, "exit 7");
}

#[test]
fn checking_a_program_does_not_start_the_code_generator() {
    on_kiln_thread(|| {
        let mut engine = Engine::new().expect("an engine");
        engine.front_end("test.kl", PROGRAM).expect("compiles");
        assert!(engine.mir().find_func("fib").is_some());
        assert!(!engine.jit_started());
        engine.compile("test.kl", PROGRAM).expect("compiles");
        assert!(engine.jit_started());
    });
}

/// A trace too deep to print whole shows its innermost frames, one line counting the
/// Kiln frames left out, and its outermost frames, ending with `<main>`; shown and
/// counted frames add up to the real depth, with or without inlining.
#[test]
fn a_shortened_trace_keeps_the_outermost_frame_and_counts_the_rest() {
    const DEEP: &str = "fn g(n: int) -> int { if n == 0 { 1 / n } else { g(n - 1) + 1 } }\n\
                        println(g(1000))\n";
    for optimize in [false, true] {
        let (_, how) = run(DEEP, options(true, optimize));
        let lines: Vec<&str> = how.lines().collect();
        assert_eq!(lines[0], "error: division by zero", "{how}");
        assert_eq!(lines[1], "  at g (test.kl:1:35)", "{how}");
        assert_eq!(*lines.last().unwrap(), "  at <main> (test.kl:2:9)", "{how}");
        let gap: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with("  ..."))
            .collect();
        assert_eq!(gap.len(), 1, "{how}");
        let left_out: usize = gap[0]
            .trim_start_matches("  ... ")
            .trim_end_matches(" more frames")
            .parse()
            .unwrap_or_else(|_| panic!("a count of frames: {:?}", gap[0]));
        let shown = lines.iter().filter(|l| l.starts_with("  at ")).count();
        // g(1000) down to g(0) is 1001 frames of g, plus <main>.
        assert_eq!(shown + left_out, 1002, "optimize = {optimize}\n{how}");
        assert!(shown < 100, "{how}");
    }
}

/// Compiles and runs `source` with a new engine on the current (Kiln) thread and
/// drops the engine; returns what the program printed.
fn run_and_drop(source: &str) -> String {
    let mut engine = Engine::new().expect("the JIT starts");
    let main = engine
        .compile("test.kl", source)
        .expect("compiles")
        .expect("has a main");
    kiln_runtime::output::capture();
    // SAFETY: compiled by this engine, on the Kiln thread.
    let outcome = unsafe { engine.run_main(main) };
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    kiln_runtime::output::take_captured().0
}

#[test]
fn objects_outliving_their_engine_keep_their_types() {
    // Objects a program leaks in a cycle outlive its engine. The type descriptors
    // they point at must stay valid and never be reused for another engine's types:
    // the leak report of a later engine on the same thread still names them right.
    let report = on_kiln_thread(|| {
        kiln_runtime::alloc::set_leak_tracking(true);
        let ring = "
struct Node { v: int, next: Node? }
let a = Node(v: 1, next: None)
a.next = Some(a)
println(a)
";
        let pair = "
struct Pair { left: Pair?, right: int }
let p = Pair(left: None, right: 2)
p.left = Some(p)
println(p)
";
        let mut out = String::new();
        for _ in 0..3 {
            out.push_str(&run_and_drop(ring));
            out.push_str(&run_and_drop(pair));
        }
        assert_eq!(
            out,
            "Node(v: 1, next: Some(Node(...)))\nPair(left: Some(Pair(...)), right: 2)\n".repeat(3)
        );
        kiln_runtime::alloc::leak_report().expect("the cycles are still alive")
    });
    assert_eq!(
        report,
        "leak check: 12 objects still alive (6 Option, 3 Node, 3 Pair)"
    );
}

/// Loads `source` into the interpreter and runs it on the Kiln thread; returns what
/// it printed, how it ended, and whether the code generator was started.
fn interpret(source: &'static str, options: Options) -> ((String, String), bool) {
    on_kiln_thread(move || {
        let mut engine = Engine::with_options(options).expect("an engine");
        match engine.load_interpreted("test.kl", source) {
            Ok(true) => {}
            Ok(false) => return ((String::new(), "no main".into()), engine.jit_started()),
            Err(e) => return ((String::new(), format!("{e:?}")), engine.jit_started()),
        }
        kiln_runtime::output::capture();
        let outcome = engine.run_interpreted();
        let (out, _) = kiln_runtime::output::take_captured();
        let how = match outcome {
            Outcome::Finished => "finished".to_string(),
            Outcome::Exit(c) => format!("exit {c}"),
            Outcome::Panic(p) => p.to_string(),
        };
        ((out, how), engine.jit_started())
    })
}

#[test]
fn the_interpreter_agrees_with_compiled_code_and_never_starts_the_code_generator() {
    for optimize in [false, true] {
        let compiled = run(PROGRAM, options(true, optimize));
        let (interpreted, jit_started) = interpret(PROGRAM, options(true, optimize));
        assert_eq!(compiled, interpreted, "optimize = {optimize}");
        assert!(!jit_started, "interpreting started the code generator");
    }
}
