//! Runs every `tests/kiln-test/NAME.out` case: a transcript of one `kiln test`
//! command, run in `tests/kiln-test`.
//!
//! The first line is the command (`$ kiln test mixed.kl adds`), the lines after it
//! the standard output expected, and the last line the exit status (`[exit 1]`).
//! Test timings vary from run to run, so the time at the end of each
//! `test "name" ... ok (0.012 ms)` line is replaced by `(TIME)` in both.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The output with every test's time replaced by `(TIME)`.
fn normalise(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|line| {
            let line = line.trim_end();
            let timed = line.starts_with("test ") && line.ends_with(" ms)");
            match line.rfind(" (") {
                Some(at) if timed => format!("{} (TIME)", &line[..at]),
                _ => line.to_string(),
            }
        })
        .collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Runs one case; `Err` says how it differs.
fn run_case(kiln: &Path, dir: &Path, case: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(case).map_err(|e| format!("cannot read: {e}"))?;
    let mut lines: Vec<&str> = text.lines().collect();
    let command = lines
        .first()
        .and_then(|l| l.strip_prefix("$ kiln "))
        .ok_or("the first line must be `$ kiln test ...`")?;
    let status = lines
        .pop()
        .and_then(|l| l.strip_prefix("[exit ")?.strip_suffix(']'))
        .and_then(|n| n.parse::<i32>().ok())
        .ok_or("the last line must be `[exit N]`")?;
    let output = Command::new(kiln)
        .current_dir(dir)
        .args(command.split_whitespace())
        .output()
        .map_err(|e| format!("cannot start kiln: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let got = normalise(&String::from_utf8_lossy(&output.stdout));
    let want = normalise(&lines[1..].join("\n"));
    for i in 0..got.len().max(want.len()) {
        let (g, w) = (got.get(i), want.get(i));
        if g != w {
            return Err(format!(
                "stdout line {}: got {g:?}, want {w:?}\nstdout:\n{}\nstderr:\n{stderr}",
                i + 1,
                got.join("\n")
            ));
        }
    }
    if output.status.code() != Some(status) {
        return Err(format!(
            "exit status {:?}, want {status}\nstderr:\n{stderr}",
            output.status.code()
        ));
    }
    Ok(())
}

#[test]
fn kiln_test_cases() {
    let kiln = PathBuf::from(env!("CARGO_BIN_EXE_kiln"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/kiln-test");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/kiln-test exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "out"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "too few cases in {}", dir.display());
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = run_case(&kiln, &dir, case) {
            failures.push(format!("FAIL {}: {why}", case.display()));
        }
    }
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} `kiln test` cases failed",
        failures.len(),
        cases.len()
    );
}
