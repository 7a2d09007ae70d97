//! Panics and `exit` at the bottom of a very deep stack end correctly: the panic is
//! reported with a shortened trace, `exit` keeps its status. How long they take
//! (the unwinding does not cost time per JIT frame, docs/ARCHITECTURE.md, "Leaving
//! compiled code") is measured in docs/BENCHMARKS.md, never asserted here.

use std::path::Path;
use std::process::Command;

/// Runs `kiln run FILE` and returns its exit status and stderr.
fn run(file: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .arg("run")
        .arg(file)
        .output()
        .expect("kiln starts");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_stack_overflow_is_reported_with_a_shortened_trace() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/programs/regressions/stack_overflow_reported_quickly.kl");
    let (code, stderr) = run(&file);
    assert_eq!(code, Some(101), "{stderr}");
    assert!(stderr.starts_with("error: stack overflow\n"), "{stderr}");
    // The stack really was deep: millions of frames were left out of the trace.
    let left_out: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("  ... ")?.strip_suffix(" more frames"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of left-out frames in {stderr}"));
    assert!(left_out > 1_000_000, "{stderr}");
}

#[test]
fn exit_from_a_deep_stack_keeps_its_status() {
    let dir = std::env::temp_dir().join(format!("kiln-deep-exit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("deep_exit.kl");
    std::fs::write(
        &file,
        // 12 million frames deep, with room to spare below the stack limit.
        "fn f(n: int) -> int {\n    if n == 12000000 { exit(3) }\n    f(n + 1) + 1\n}\nprintln(f(0))\n",
    )
    .unwrap();
    let (code, stderr) = run(&file);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}
