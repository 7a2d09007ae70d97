//! MIR file tests, in the style of Cranelift's filetests: every `tests/mir/*.mir`
//! is MIR text (`kiln_mir::parse`) with directives in comments.
//!
//! - `; run: f(3, 1.5, true) == 9` calls the MIR function named `f` with scalar
//!   arguments (typed by its signature) and compares its result; `!=` too, and
//!   `; run: f(1)` alone only calls it. Each call runs on the interpreter and on
//!   compiled code (unoptimised and optimised), which must all agree with the
//!   directive. `; run: f(1, 0) panics: division by zero` expects a Kiln panic
//!   whose message contains the text.
//! - `; verify-error: TEXT`: the verifier must reject the file with an error
//!   containing TEXT. A file without such lines must verify clean.
//!
//! Failures name the file and the line of the directive. docs/TESTING.md says
//! how to write one.

use kiln::on_kiln_thread;
use kiln_codegen::{Jit, Options};
use kiln_interp::{native, ops, Interpreter};
use kiln_mir::{FuncRef, Program, Type};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// A `; run:` line: the function, its arguments as bits, and what to expect.
struct Run {
    line: usize,
    text: String,
    func: FuncRef,
    args: Vec<(Type, u64)>,
    ret: Option<Type>,
    expect: Expect,
}

enum Expect {
    /// Only that the call returns.
    Returns,
    /// `== value` (`true`) or `!= value` (`false`).
    Value(bool, u64),
    /// A Kiln panic whose message contains this text.
    Panic(String),
}

/// One of the ways a `; run:` line is executed.
#[derive(Clone, Copy)]
enum Backend {
    Interp,
    Jit { optimize: bool },
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Interp => "the interpreter",
            Backend::Jit { optimize: false } => "compiled code",
            Backend::Jit { optimize: true } => "optimised compiled code",
        }
    }
}

#[test]
fn every_mir_file_test_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/mir");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mir"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "found only {} MIR file tests",
        files.len()
    );
    let failures = on_kiln_thread(move || {
        let mut failures = Vec::new();
        for path in &files {
            let name = format!("tests/mir/{}", path.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(path).expect("a readable file");
            failures.extend(run_file(&text).into_iter().map(|f| format!("{name}:{f}")));
        }
        failures
    });
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The failures of one file, each `LINE: what went wrong`.
fn run_file(text: &str) -> Vec<String> {
    let program = match kiln_mir::parse::parse_program(text) {
        Ok(p) => p,
        Err(e) => return vec![e.to_string()],
    };
    let printed = kiln_mir::print::print_program(&program);
    match kiln_mir::parse::parse_program(&printed) {
        Ok(again) if kiln_mir::print::print_program(&again) == printed => {}
        _ => return vec!["1: the printed form of this MIR does not read back the same".into()],
    }
    let mut failures = Vec::new();
    let mut runs = Vec::new();
    let mut verify_errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let Some(comment) = line.trim_start().strip_prefix(';') else {
            continue;
        };
        let comment = comment.trim();
        if let Some(want) = comment.strip_prefix("verify-error:") {
            verify_errors.push((line_no, want.trim().to_string()));
        } else if let Some(call) = comment.strip_prefix("run:") {
            match parse_run(&program, call.trim()) {
                Ok(mut run) => {
                    run.line = line_no;
                    runs.push(run);
                }
                Err(e) => failures.push(format!("{line_no}: {e}")),
            }
        }
    }
    let errors = kiln_mir::verify::verify_program(&program);
    for (line, want) in &verify_errors {
        if !errors.iter().any(|e| e.contains(want.as_str())) {
            failures.push(format!(
                "{line}: no verifier error contains `{want}`; the errors: {errors:?}"
            ));
        }
    }
    if verify_errors.is_empty() && !errors.is_empty() {
        failures.push(format!("1: the MIR does not verify: {errors:?}"));
    }
    if !errors.is_empty() {
        if let Some(run) = runs.first() {
            failures.push(format!(
                "{}: `run` in a file that does not verify",
                run.line
            ));
        }
        return failures;
    }
    if runs.is_empty() {
        return failures;
    }
    let backends = [
        Backend::Interp,
        Backend::Jit { optimize: false },
        Backend::Jit { optimize: true },
    ];
    for backend in backends {
        match results(backend, &program, &runs) {
            Ok(results) => {
                for (run, result) in runs.iter().zip(results) {
                    if let Some(f) = check(run, result) {
                        failures.push(format!(
                            "{}: {}: {f} on {}",
                            run.line,
                            run.text,
                            backend.name()
                        ));
                    }
                }
            }
            Err(e) => failures.push(format!("1: {}: {e}", backend.name())),
        }
    }
    failures
}

/// Whether a result is what the directive expects; if not, what went wrong.
fn check(run: &Run, result: Result<u64, String>) -> Option<String> {
    let bits = match (result, &run.expect) {
        (Err(panic), Expect::Panic(want)) if panic.contains(want.as_str()) => return None,
        (Err(panic), _) => return Some(format!("panicked ({panic})")),
        (Ok(_), Expect::Panic(_)) => return Some("did not panic".to_string()),
        (Ok(bits), _) => bits,
    };
    let Expect::Value(equal, want) = run.expect else {
        return None;
    };
    let ty = run.ret?;
    let same = match ty {
        Type::F64 => same_float(f64::from_bits(bits), f64::from_bits(want)),
        Type::F32 => {
            let (a, b) = (f32::from_bits(bits as u32), f32::from_bits(want as u32));
            (a.is_nan() && b.is_nan()) || bits == want
        }
        _ => bits == want,
    };
    (same != equal).then(|| format!("gave {}", show(ty, bits)))
}

/// Floats compare by bits (so `-0.0` is not `0.0`), except that NaNs are all one.
fn same_float(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

fn show(ty: Type, bits: u64) -> String {
    match ty {
        Type::F64 => format!("{:?}", f64::from_bits(bits)),
        Type::F32 => format!("{:?}", f32::from_bits(bits as u32)),
        _ => ops::signed(ty, bits).to_string(),
    }
}

/// Runs every `run` line of a file on one backend; a Kiln panic is an `Err`.
fn results(
    backend: Backend,
    program: &Program,
    runs: &[Run],
) -> Result<Vec<Result<u64, String>>, String> {
    let call = |f: &dyn Fn() -> u64| {
        catch_unwind(AssertUnwindSafe(f)).map_err(|payload| kiln::panic_message(&*payload))
    };
    match backend {
        Backend::Interp => {
            let interp = Interpreter::new(program.clone()).map_err(|e| e.message)?;
            Ok(runs
                .iter()
                .map(|run| {
                    let args: Vec<u64> = run.args.iter().map(|&(_, bits)| bits).collect();
                    call(&|| interp.call(run.func, &args).unwrap_or(0))
                })
                .collect())
        }
        Backend::Jit { optimize } => {
            let mut jit = Jit::new(optimize).map_err(|e| e.0)?;
            let options = Options {
                optimize,
                direct_calls: true,
                ..Options::default()
            };
            let n = program.funcs.len() as u32;
            jit.compile(program, 0..n, &[], &[], options)
                .map_err(|e| e.0)?;
            Ok(runs
                .iter()
                .map(|run| {
                    let addr = jit.code_addr(run.func);
                    // SAFETY: `addr` is a function compiled from MIR whose parameters
                    // are `run.args`' types and whose result is `run.ret` (both read
                    // from its signature), in the platform's C calling convention;
                    // this runs on the Kiln thread, whose stack limit its prologue
                    // checks.
                    call(&|| unsafe { native::call(addr, &run.args, run.ret) })
                })
                .collect())
        }
    }
}

/// `f(1, 2.5, true) == 3`: the function by name, the arguments typed by its
/// parameters.
fn parse_run(program: &Program, text: &str) -> Result<Run, String> {
    let open = text.find('(').ok_or("expected `NAME(ARGS)`")?;
    let close = text.rfind(')').ok_or("expected `)`")?;
    let name = text[..open].trim();
    let func = program
        .find_func(name)
        .ok_or_else(|| format!("no function named `{name}`"))?;
    let f = program.func(func);
    let args_text = text[open + 1..close].trim();
    let args: Vec<&str> = match args_text.is_empty() {
        true => Vec::new(),
        false => args_text.split(',').map(str::trim).collect(),
    };
    if args.len() != f.params.len() {
        return Err(format!("`{name}` takes {} arguments", f.params.len()));
    }
    if !native::fits(&f.params) {
        return Err(format!("`{name}` takes too many arguments to be called"));
    }
    let args = args
        .iter()
        .zip(&f.params)
        .map(|(a, &ty)| scalar(ty, a).map(|bits| (ty, bits)))
        .collect::<Result<Vec<_>, _>>()?;
    let rest = text[close + 1..].trim();
    let expect = if rest.is_empty() {
        Expect::Returns
    } else if let Some(message) = rest.strip_prefix("panics:") {
        Expect::Panic(message.trim().to_string())
    } else {
        let (equal, value) = match (rest.strip_prefix("=="), rest.strip_prefix("!=")) {
            (Some(v), _) => (true, v),
            (_, Some(v)) => (false, v),
            _ => return Err(format!("expected `==`, `!=` or `panics:`, found `{rest}`")),
        };
        let ty = f
            .ret
            .ok_or_else(|| format!("`{name}` returns nothing to compare"))?;
        Expect::Value(equal, scalar(ty, value.trim())?)
    };
    Ok(Run {
        line: 0,
        text: text.to_string(),
        func,
        args,
        ret: f.ret,
        expect,
    })
}

/// A scalar literal of type `ty` in the interpreter's form: an integer (wrapped
/// to the width), `true`/`false` for an `i8`, a float (`1.5`, `-0.0`, `inf`, `NaN`).
fn scalar(ty: Type, text: &str) -> Result<u64, String> {
    let bad = || format!("expected {ty}, found `{text}`");
    let bits = match ty {
        Type::F64 => text.parse::<f64>().map_err(|_| bad())?.to_bits(),
        Type::F32 => text.parse::<f32>().map_err(|_| bad())?.to_bits() as u64,
        Type::Ptr => return Err(format!("cannot pass a pointer (`{text}`)")),
        _ => match text {
            "true" if ty == Type::I8 => 1,
            "false" if ty == Type::I8 => 0,
            _ => match text.parse::<i64>() {
                Ok(n) => n as u64,
                Err(_) => text.parse::<u64>().map_err(|_| bad())?,
            },
        },
    };
    Ok(ops::mask(ty, bits))
}
