//! Compiles and runs large generated programs: a 20,000-line top-level script, a
//! program of 1,000 small functions, a sum of 8,192 terms nested as a balanced
//! tree, and a `match` of 10,000 integer arms. They are made by
//! `scripts/gen-big-programs.sh`, which also writes the output each must print
//! (computed by the script, not by Kiln). Every phase of the compiler is meant to
//! take time close to linear in the size of its input; these tests check that such
//! programs compile and run correctly (with `KILN_LEAK_CHECK=1`), not how long they
//! take: docs/BENCHMARKS.md records the times.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh directory for one test's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-big-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

/// Generates the program `kind` at `scale` (per mille of the full size) into
/// `dir`; returns the paths of the program and of its expected output.
fn generate(dir: &Path, kind: &str, scale: u32) -> (PathBuf, PathBuf) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/gen-big-programs.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg("--scale")
        .arg(scale.to_string())
        .arg(dir)
        .arg(kind)
        .status()
        .expect("run bash scripts/gen-big-programs.sh");
    assert!(
        status.success(),
        "gen-big-programs.sh {kind} failed: {status}"
    );
    (
        dir.join(format!("{kind}.kl")),
        dir.join(format!("{kind}.out")),
    )
}

/// Runs the generated program and compares its output with the expected one.
fn run_and_compare(kind: &str, scale: u32, lines: Option<usize>) {
    let dir = temp_dir(kind);
    let (program, expected) = generate(&dir, kind, scale);
    let source = std::fs::read_to_string(&program).expect("read the program");
    if let Some(n) = lines {
        assert!(
            source.lines().count() >= n,
            "{kind}.kl has {} lines, expected at least {n}",
            source.lines().count()
        );
    }
    let want = std::fs::read_to_string(&expected).expect("read the expected output");
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .env("KILN_LEAK_CHECK", "1")
        .arg("run")
        .arg(&program)
        .output()
        .expect("run kiln");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "kiln run {kind}.kl: {}\n{}",
        out.status,
        &stderr[..stderr.len().min(4000)]
    );
    assert!(!want.is_empty());
    if stdout != want {
        let first = stdout
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(stdout.lines().count().min(want.lines().count()));
        panic!(
            "{kind}.kl printed something else from line {}: got {:?}, expected {:?}",
            first + 1,
            stdout.lines().nth(first),
            want.lines().nth(first)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn top_level_script_of_20000_lines() {
    run_and_compare("script", 1000, Some(20_000));
}

#[test]
fn ten_thousand_lines_of_small_functions() {
    run_and_compare("funcs", 1000, Some(10_000));
}

#[test]
fn balanced_sum_of_8192_terms() {
    run_and_compare("balanced", 125, None);
}

#[test]
fn match_of_10000_integer_arms() {
    run_and_compare("match", 100, Some(10_000));
}
