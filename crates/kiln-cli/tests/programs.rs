//! Runs every `tests/**/*.kl` program of the repository through the `kiln` binary and
//! checks it against its `// expect:` comments.
//!
//! The format is the one of the shared conformance suite:
//! `// expect: TEXT` (one line of standard output, in order), `// expect-error: TEXT`
//! (compiling fails with exit 1 and TEXT in stderr), `// expect-panic: TEXT` (the run
//! panics with exit 101 and TEXT in stderr), `// args: A B` and `// stdin: LINE`.
//! Every failure is reported with the file and the first line that differs; the test
//! fails if any program does. Programs run with `KILN_LEAK_CHECK=1`, so a program
//! that ends with objects still alive fails (exit status 102). They run on the JIT,
//! or on the MIR interpreter when the test runs with `KILN_BACKEND=interp` (then
//! without the programs of `tests/interp-exceptions.txt`).
//!
//! A file whose first line starts with `// module` is a module that other
//! programs `import`, not a program: it is not run by itself.

mod common;

use common::{check_all, interp_exceptions, parse_expectations, program_files, run_kiln};
use std::path::{Path, PathBuf};

fn normalise(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .replace("\r\n", "\n")
        .split('\n')
        .map(|l| l.trim_end().to_string())
        .collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

fn tail(s: &str) -> &str {
    let mut start = s.len().saturating_sub(1200);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// Runs one program; `Err` says why it failed.
fn run_one(kiln: &Path, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let want = parse_expectations(&text);
    let output = run_kiln(kiln, path, &backend(), &want)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code();
    if let Some(err) = &want.error {
        if code != Some(1) {
            return Err(format!(
                "expected a compile error (exit 1), got {code:?}\nstderr: {}",
                tail(&stderr)
            ));
        }
        if !stderr.contains(err.as_str()) {
            return Err(format!(
                "compile error should mention {err:?}\nstderr: {}",
                tail(&stderr)
            ));
        }
        return Ok(());
    }
    if let Some(p) = &want.panic {
        if code != Some(101) {
            return Err(format!(
                "expected a panic (exit 101), got {code:?}\nstderr: {}",
                tail(&stderr)
            ));
        }
        if !stderr.contains(p.as_str()) {
            return Err(format!(
                "panic message should mention {p:?}\nstderr: {}",
                tail(&stderr)
            ));
        }
    } else if code != Some(0) {
        return Err(format!("exit {code:?}\nstderr: {}", tail(&stderr)));
    }
    let got = normalise(&stdout);
    let want_lines = normalise(&want.out.join("\n"));
    let n = got.len().max(want_lines.len());
    for i in 0..n {
        let (g, w) = (got.get(i), want_lines.get(i));
        if g != w {
            return Err(format!("stdout line {}: got {g:?}, want {w:?}", i + 1));
        }
    }
    Ok(())
}

/// The backend the programs run on: `KILN_BACKEND` if set (`interp` runs them all
/// through the MIR interpreter), else the JIT.
fn backend() -> String {
    std::env::var("KILN_BACKEND").unwrap_or_else(|_| "jit".to_string())
}

#[test]
fn kiln_programs() {
    let kiln = PathBuf::from(env!("CARGO_BIN_EXE_kiln"));
    let mut files = program_files();
    if backend() == "interp" {
        // Programs whose expectations only the JIT meets (their reasons are in the
        // file).
        let exceptions = interp_exceptions();
        files.retain(|f| !exceptions.contains_key(f));
    }
    let failures = check_all(&files, |path: &Path| run_one(&kiln, path));
    for f in &failures {
        eprintln!("{f}");
    }
    eprintln!(
        "{} passed, {} failed",
        files.len() - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} Kiln programs failed",
        failures.len(),
        files.len()
    );
}
