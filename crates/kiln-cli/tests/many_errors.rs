//! `kiln check` on files with a huge number of errors or very long lines: the
//! report stays small (at most 100 diagnostics, long lines cut to a window around
//! the marker) and the exit status is 1. Sizes are asserted, not times: a
//! quadratic renderer shows up as output far beyond these bounds, or as a test
//! that does not finish.

use std::path::PathBuf;
use std::process::Command;

/// Writes `text` to a file named `name` and runs `kiln check` on it; returns the
/// exit status and standard error.
fn check(name: &str, text: &str) -> (Option<i32>, String) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("many_errors");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.stdout.is_empty());
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[track_caller]
fn assert_bounded(stderr: &str, limit: usize) {
    assert!(
        stderr.len() < limit,
        "{} bytes of errors; it starts:\n{}",
        stderr.len(),
        &stderr[..stderr.len().min(2000)]
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_line_of_100_000_closing_brackets() {
    let (code, stderr) = check("closers.kl", &format!("{}\n", ")".repeat(100_000)));
    assert_eq!(code, Some(1), "{stderr}");
    assert_bounded(&stderr, 100_000);
    assert!(stderr.contains("closers.kl:1:1: unexpected `)"), "{stderr}");
}

#[test]
fn a_line_of_100_000_errors() {
    let (code, stderr) = check("at_signs.kl", &format!("{}\n", "@ ".repeat(100_000)));
    assert_eq!(code, Some(1), "{stderr}");
    assert_bounded(&stderr, 100_000);
    assert_eq!(stderr.matches("unexpected character `@`").count(), 100);
    assert!(stderr.contains("at_signs.kl:1:199: "), "{stderr}");
    assert!(
        stderr.contains("and 99900 more errors (only the first 100 diagnostics are shown)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("could not compile: 100000 errors"),
        "{stderr}"
    );
}

#[test]
fn errors_on_100_000_lines() {
    let (code, stderr) = check("lines.kl", &"let = 1\n".repeat(100_000));
    assert_eq!(code, Some(1), "{stderr}");
    assert_bounded(&stderr, 100_000);
    assert!(stderr.contains("lines.kl:100:5: "), "{stderr}");
    assert!(!stderr.contains("lines.kl:101:5: "), "{stderr}");
    assert!(stderr.contains("and 99900 more errors"), "{stderr}");
}

/// One error at the end of a 5 MB line shows a window of it, not the line.
#[test]
fn an_error_at_the_end_of_a_5_mb_line() {
    let src = format!("let s = \"{}\" @\n", "a".repeat(5_000_000));
    let (code, stderr) = check("long_line.kl", &src);
    assert_eq!(code, Some(1), "{stderr}");
    assert_bounded(&stderr, 2_000);
    assert!(stderr.contains("long_line.kl:1:5000012: "), "{stderr}");
    assert!(
        stderr.contains(&format!("│ ...{}\" @\n", "a".repeat(197))),
        "{stderr}"
    );
}
