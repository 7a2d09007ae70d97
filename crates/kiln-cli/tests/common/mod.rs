//! What the tests that run `tests/**/*.kl` programs share: finding the programs,
//! reading their `// args:` and `// stdin:` lines and expectations, running `kiln`
//! on one with a chosen backend, and the list of programs the two backends may
//! disagree on (`tests/interp-exceptions.txt`).

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

#[derive(Default)]
pub struct Expectations {
    pub out: Vec<String>,
    pub error: Option<String>,
    pub panic: Option<String>,
    pub args: Vec<String>,
    pub stdin: Vec<String>,
}

pub fn parse_expectations(text: &str) -> Expectations {
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

/// The repository's `tests/` directory.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests")
}

/// Every test program under `tests/` (not `tests/pending` or `tests/repl`), sorted.
pub fn program_files() -> Vec<PathBuf> {
    let root = tests_dir();
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no test programs under {}",
        root.display()
    );
    files
}

/// The programs listed in `tests/interp-exceptions.txt`, each with the reason its
/// run may differ between the JIT and the interpreter. Lines are
/// `PATH -- REASON`, `PATH` relative to `tests/`; `#` starts a comment line.
pub fn interp_exceptions() -> HashMap<PathBuf, String> {
    let file = tests_dir().join("interp-exceptions.txt");
    let text = std::fs::read_to_string(&file).expect("tests/interp-exceptions.txt");
    let mut out = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (path, reason) = line
            .split_once(" -- ")
            .unwrap_or_else(|| panic!("`PATH -- REASON` expected: {line}"));
        let path = tests_dir().join(path.trim());
        assert!(path.is_file(), "an exception names no program: {line}");
        out.insert(path, reason.trim().to_string());
    }
    out
}

/// Runs `kiln run PATH ARGS` with the backend `backend` (`jit` or `interp`), the
/// program's stdin lines and `KILN_LEAK_CHECK=1`.
pub fn run_kiln(
    kiln: &Path,
    path: &Path,
    backend: &str,
    want: &Expectations,
) -> Result<Output, String> {
    let mut child = Command::new(kiln)
        .env("KILN_LEAK_CHECK", "1")
        .env("KILN_BACKEND", backend)
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
    child
        .wait_with_output()
        .map_err(|e| format!("kiln did not finish: {e}"))
}

/// Runs `check` on every file, on as many threads as there are cores (at most 8),
/// and returns the failures, sorted.
pub fn check_all(
    files: &[PathBuf],
    check: impl Fn(&Path) -> Result<(), String> + Sync,
) -> Vec<String> {
    let queue = Mutex::new(files.to_vec());
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
                if let Err(why) = check(&path) {
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
    failures
}
