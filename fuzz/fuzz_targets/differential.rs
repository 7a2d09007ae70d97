//! Differential fuzz target: the fuzzer's bytes drive `kiln-fuzzgen`'s program
//! generator (each choice it makes reads the next bytes), and the program it
//! makes runs in this process on the MIR interpreter, the optimising JIT and the
//! unoptimised JIT. Any difference in output, panic report or exit, a program
//! that does not compile (a generator or checker bug), a leak, or a Rust panic
//! anywhere fails the input. Coverage of the compiler and runtime guides the
//! fuzzer toward choices that reach new code.
//!
//! `kiln-difftest` is the same comparison driven by seeds, through the `kiln`
//! command; docs/TESTING.md has both.

#![no_main]

use kiln::{CompileError, Engine, Options, Outcome};
use kiln_fuzzgen::gen::{generate, Config};
use kiln_fuzzgen::rng::Bytes;
use libfuzzer_sys::fuzz_target;

/// Small programs: many executions per second matter more here than size.
const CONFIG: Config = Config {
    top_statements: 12,
    functions: 3,
    budget: 20_000,
};

fuzz_target!(|data: &[u8]| {
    let source = generate(&mut Bytes::new(data), CONFIG);
    let runs = kiln::on_kiln_thread(move || {
        let interp = run(&source, Backend::Interp);
        let jit = run(&source, Backend::Jit { optimize: true });
        let plain = run(&source, Backend::Jit { optimize: false });
        (source, interp, jit, plain)
    });
    let (source, interp, jit, plain) = runs;
    assert_eq!(interp, jit, "interpreter and JIT differ on:\n{source}");
    assert_eq!(jit, plain, "optimised and unoptimised JIT differ on:\n{source}");
});

enum Backend {
    Interp,
    Jit { optimize: bool },
}

/// Output, error output and how the program ended.
fn run(source: &str, backend: Backend) -> (String, String, String) {
    let optimize = !matches!(backend, Backend::Jit { optimize: false });
    let mut engine = Engine::with_options(Options {
        optimize,
        direct_calls: true,
        ..Options::default()
    })
    .expect("the JIT starts");
    kiln_runtime::output::capture();
    let outcome = match backend {
        Backend::Interp => match engine.load_interpreted("p.kl", source) {
            Ok(true) => Some(engine.run_interpreted()),
            Ok(false) => None,
            Err(e) => compile_error(&engine, e),
        },
        Backend::Jit { .. } => match engine.compile("p.kl", source) {
            // SAFETY: compiled by this engine, on the Kiln thread.
            Ok(Some(main)) => Some(unsafe { engine.run_main(main) }),
            Ok(None) => None,
            Err(e) => compile_error(&engine, e),
        },
    };
    let (out, err) = kiln_runtime::output::take_captured();
    let end = match outcome {
        None | Some(Outcome::Finished) => match engine.leak_check() {
            Some(report) => panic!("leak: {report}\n{source}"),
            None => "finished".to_string(),
        },
        Some(Outcome::Exit(code)) => format!("exit {code}"),
        Some(Outcome::Panic(report)) => report.to_string(),
    };
    (out, err, end)
}

fn compile_error(engine: &Engine, e: CompileError) -> ! {
    match e {
        CompileError::Diagnostics(d) => {
            panic!("a generated program does not compile:\n{}", engine.render(&d, false))
        }
        CompileError::Internal(e) => panic!("internal compiler error: {e}"),
    }
}
