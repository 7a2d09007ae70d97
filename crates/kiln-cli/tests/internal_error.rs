//! An internal error (a Rust panic anywhere in Kiln: a compiler phase, the runtime,
//! the command itself) ends `kiln` with status 70 and a message that says it is a
//! bug in Kiln, never with status 101, which means a runtime error of the program.
//! `KILN_DEBUG_ICE=PHASE` makes a phase panic (crates/kiln/src/engine.rs).

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A correct program, in a file of its own (tests run in parallel).
fn program() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("kiln-ice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("ok{}.kl", NEXT.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&file, "fn f(n: int) -> int { n + 1 }\nprintln(f(41))\n").unwrap();
    file
}

/// Runs `kiln ARGS FILE` with `KILN_DEBUG_ICE=phase`; returns the status and stderr.
fn run_with_ice(args: &[&str], phase: &str) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .arg(program())
        .env("KILN_DEBUG_ICE", phase)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("kiln starts");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Checks that a forced panic in `phase` ends `kiln ARGS FILE` with status 70 and
/// the first line `first`, followed by the place of the panic.
fn assert_internal_error(args: &[&str], phase: &str, first: &str) {
    let (code, stderr) = run_with_ice(args, phase);
    assert_eq!(code, Some(70), "{args:?} {phase}: {stderr}");
    assert_eq!(stderr.lines().next().unwrap_or(""), first, "{stderr}");
    // Where it happened, for the bug report; not the Rust panic hook's own text.
    assert!(
        stderr.contains("panicked at crates/kiln/src/engine.rs:"),
        "{stderr}"
    );
    assert!(!stderr.contains("thread '"), "{stderr}");
}

/// The first line of the report of a forced panic in a compiler phase.
fn compiler_error(phase: &str, what: &str) -> String {
    format!(
        "internal compiler error (this is a bug in Kiln): {what}: \
         KILN_DEBUG_ICE={phase}: a forced internal error"
    )
}

#[test]
fn a_panic_in_code_generation_is_an_internal_error() {
    let first = compiler_error("codegen", "code generation");
    assert_internal_error(&["run"], "codegen", &first);
    assert_internal_error(&["emit", "--asm"], "codegen", &first);
    assert_internal_error(&["emit", "--clif"], "codegen", &first);
}

#[test]
fn a_panic_in_any_phase_is_an_internal_error() {
    for (phase, what) in [
        ("parse", "parsing"),
        ("check", "checking"),
        ("lower", "lowering"),
    ] {
        let first = compiler_error(phase, what);
        assert_internal_error(&["run"], phase, &first);
        assert_internal_error(&["check"], phase, &first);
        assert_internal_error(&["emit", "--mir"], phase, &first);
    }
}

#[test]
fn a_panic_while_running_is_an_internal_error() {
    assert_internal_error(
        &["run"],
        "run",
        "internal error (this is a bug in Kiln): KILN_DEBUG_ICE=run: a forced internal error",
    );
}

#[test]
fn without_the_hook_the_program_runs() {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .arg("run")
        .arg(program())
        .output()
        .expect("kiln starts");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "42\n");
}
