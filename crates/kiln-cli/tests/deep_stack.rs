//! Panics and `exit` at the bottom of a very deep stack end quickly: the unwinding
//! does not cost time per JIT frame (docs/ARCHITECTURE.md, "Leaving compiled code").

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs `kiln run FILE` and returns its exit status, stderr and wall time.
fn run(file: &Path) -> (Option<i32>, String, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .arg("run")
        .arg(file)
        .output()
        .expect("kiln starts");
    let took = start.elapsed();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    )
}

// The limits are well above what the runs take now (a stack overflow under a
// second, most of it spent filling the 256 MiB stack; the exit about 0.2 s) and
// below what they took when the unwinder walked every frame (5-9 s and 2.1 s
// on the development machine), so a busy machine does not make them fail.

#[test]
fn a_stack_overflow_is_reported_without_walking_every_frame() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/programs/regressions/stack_overflow_reported_quickly.kl");
    let (code, stderr, took) = run(&file);
    assert_eq!(code, Some(101), "{stderr}");
    assert!(stderr.starts_with("error: stack overflow\n"), "{stderr}");
    // The stack really was deep: millions of frames were left out of the trace.
    let left_out: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("  ... ")?.strip_suffix(" more frames"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of left-out frames in {stderr}"));
    assert!(left_out > 1_000_000, "{stderr}");
    assert!(
        took < Duration::from_secs(4),
        "reporting the overflow took {took:?}"
    );
}

#[test]
fn exit_from_a_deep_stack_is_quick() {
    let dir = std::env::temp_dir().join(format!("kiln-deep-exit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("deep_exit.kl");
    std::fs::write(
        &file,
        // 12 million frames deep, with room to spare below the stack limit.
        "fn f(n: int) -> int {\n    if n == 12000000 { exit(3) }\n    f(n + 1) + 1\n}\nprintln(f(0))\n",
    )
    .unwrap();
    let (code, stderr, took) = run(&file);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(took < Duration::from_millis(1500), "exit took {took:?}");
}
