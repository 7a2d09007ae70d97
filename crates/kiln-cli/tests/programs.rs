//! Runs every `tests/**/*.kl` program of the repository through the `kiln` binary and
//! checks it against its `// expect:` comments.
//!
//! The format is the one of the shared conformance suite:
//! `// expect: TEXT` (one line of standard output, in order), `// expect-error: TEXT`
//! (compiling fails with exit 1 and TEXT in stderr), `// expect-panic: TEXT` (the run
//! panics with exit 101 and TEXT in stderr), `// args: A B` and `// stdin: LINE`.
//! Every failure is reported with the file and the first line that differs; the test
//! fails if any program does. Programs run with `KILN_LEAK_CHECK=1`, so a program
//! that ends with objects still alive fails (exit status 102).
//!
//! A file whose first line starts with `// module` is a module that other
//! programs `import`, not a program: it is not run by itself.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

#[derive(Default)]
struct Expectations {
    out: Vec<String>,
    error: Option<String>,
    panic: Option<String>,
    args: Vec<String>,
    stdin: Vec<String>,
}

fn parse_expectations(text: &str) -> Expectations {
    let mut e = Expectations::default();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(i) = line.find("// expect:") {
            let rest = &line[i + "// expect:".len()..];
            e.out
                .push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
        } else if let Some(i) = line.find("// expect-error: ") {
            e.error = Some(line[i + "// expect-error: ".len()..].trim().to_string());
        } else if let Some(i) = line.find("// expect-panic: ") {
            e.panic = Some(line[i + "// expect-panic: ".len()..].trim().to_string());
        } else if let Some(rest) = trimmed.strip_prefix("// args: ") {
            e.args = rest.split_whitespace().map(String::from).collect();
        } else if let Some(i) = line.find("// stdin: ") {
            e.stdin.push(line[i + "// stdin: ".len()..].to_string());
        }
    }
    e
}

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
    let mut child = Command::new(kiln)
        .env("KILN_LEAK_CHECK", "1")
        .arg("run")
        .arg(path)
        .args(&want.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start kiln: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let input: String = want.stdin.iter().map(|l| format!("{l}\n")).collect();
        let _ = stdin.write_all(input.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("kiln did not finish: {e}"))?;
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

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // `tests/pending` holds programs for features not implemented yet,
        // `tests/repl` REPL sessions (its `.kl` files are what they `:load`), and
        // `tests/kiln-test` the cases of `kiln test` (`tests/kiln_test.rs`).
        if path.is_dir()
            && path
                .file_name()
                .is_some_and(|n| n == "pending" || n == "repl" || n == "kiln-test")
        {
            continue;
        }
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "kl") && !is_module(&path) {
            out.push(path);
        }
    }
}

/// Whether a file is a module for other programs to import (its first line
/// starts with `// module`).
fn is_module(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .is_ok_and(|t| t.lines().next().is_some_and(|l| l.starts_with("// module")))
}

#[test]
fn kiln_programs() {
    let kiln = PathBuf::from(env!("CARGO_BIN_EXE_kiln"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no test programs under {}",
        root.display()
    );

    let queue = Mutex::new(files.clone());
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let Some(path) = queue.lock().unwrap().pop() else {
                    break;
                };
                if let Err(why) = run_one(&kiln, &path) {
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("FAIL {}: {why}", path.display()));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
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
