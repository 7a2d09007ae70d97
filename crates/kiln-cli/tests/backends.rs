//! Runs every `tests/**/*.kl` program on both backends, the JIT and the MIR
//! interpreter, and checks that their standard output, standard error and exit
//! status are identical (DESIGN.md §12), whatever the program expects.
//!
//! One difference is allowed: after a stack overflow, how many frames the trace
//! leaves out (`... N more frames`), since the depth at which the stack runs out
//! depends on the size of each backend's frames. The frames shown must agree.
//! Programs listed in `tests/interp-exceptions.txt` are not compared; each line
//! there says why.

mod common;

use common::{check_all, interp_exceptions, parse_expectations, program_files, run_kiln};
use std::path::{Path, PathBuf};
use std::process::Output;

/// The parts of a run that must agree, stderr with the count of left-out frames
/// of a stack overflow removed.
fn observed(out: &Output) -> (Option<i32>, String, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if stderr.starts_with("error: stack overflow\n") {
        stderr = stderr
            .lines()
            .map(|l| match l.strip_prefix("  ... ") {
                Some(rest) if rest.ends_with(" more frames") => "  ... N more frames",
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    (out.status.code(), stdout, stderr)
}

/// The first line where two texts differ, for the failure message.
fn first_difference(what: &str, jit: &str, interp: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (jit.lines().collect(), interp.lines().collect());
    let i = (0..a.len().max(b.len()))
        .find(|&i| a.get(i) != b.get(i))
        .unwrap_or(0);
    format!(
        "{what} line {}: jit {:?}, interp {:?}",
        i + 1,
        a.get(i),
        b.get(i)
    )
}

fn compare(kiln: &Path, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let want = parse_expectations(&text);
    let jit = observed(&run_kiln(kiln, path, "jit", &want)?);
    let interp = observed(&run_kiln(kiln, path, "interp", &want)?);
    if jit.0 != interp.0 {
        return Err(format!(
            "exit status: jit {:?}, interp {:?}\ninterp stderr: {}",
            jit.0, interp.0, interp.2
        ));
    }
    if jit.1 != interp.1 {
        return Err(first_difference("stdout", &jit.1, &interp.1));
    }
    if jit.2 != interp.2 {
        return Err(first_difference("stderr", &jit.2, &interp.2));
    }
    Ok(())
}

#[test]
fn every_program_runs_the_same_on_both_backends() {
    let kiln = PathBuf::from(env!("CARGO_BIN_EXE_kiln"));
    let exceptions = interp_exceptions();
    let mut files = program_files();
    files.retain(|f| !exceptions.contains_key(f));
    let failures = check_all(&files, |path: &Path| compare(&kiln, path));
    for f in &failures {
        eprintln!("{f}");
    }
    eprintln!(
        "{} agree, {} differ, {} not compared (tests/interp-exceptions.txt)",
        files.len() - failures.len(),
        failures.len(),
        exceptions.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} programs differ between the JIT and the interpreter",
        failures.len(),
        files.len()
    );
}

#[test]
fn the_interp_flag_and_the_environment_choose_the_interpreter() {
    let kiln = PathBuf::from(env!("CARGO_BIN_EXE_kiln"));
    let program = common::tests_dir().join("programs/panics/stack_overflow.kl");
    let flag = std::process::Command::new(&kiln)
        .env_remove("KILN_BACKEND")
        .args(["run", "--interp"])
        .arg(&program)
        .output()
        .expect("kiln starts");
    let env = std::process::Command::new(&kiln)
        .env("KILN_BACKEND", "interp")
        .arg("run")
        .arg(&program)
        .output()
        .expect("kiln starts");
    let jit = std::process::Command::new(&kiln)
        .env("KILN_BACKEND", "jit")
        .arg("run")
        .arg(&program)
        .output()
        .expect("kiln starts");
    // The count of left-out frames tells the backends apart: both runs are the
    // interpreter's.
    assert_eq!(flag.status.code(), Some(101));
    assert_eq!(flag.stderr, env.stderr);
    assert_ne!(flag.stderr, jit.stderr);
}

#[test]
fn an_unknown_backend_is_a_usage_error() {
    let kiln = PathBuf::from(env!("CARGO_BIN_EXE_kiln"));
    let program = common::tests_dir().join("programs/arith/bitwise_ops.kl");
    let out = std::process::Command::new(&kiln)
        .env("KILN_BACKEND", "llvm")
        .arg("run")
        .arg(&program)
        .output()
        .expect("kiln starts");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("KILN_BACKEND=llvm"));
}
