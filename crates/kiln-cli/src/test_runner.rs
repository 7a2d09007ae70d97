//! `kiln test FILE|DIR [FILTER]`: runs the `test "name" { ... }` blocks of a file,
//! or of every `.kl` file in a folder, and reports in the style of `cargo test`.
//!
//! Each file is compiled by a fresh engine; its top-level code runs first, once, as
//! the setup its tests share (a test can use the file's globals and functions),
//! then each test whose name contains FILTER runs by itself: a panic or a failed
//! `assert` ends that test only, and is reported with its message and stack trace
//! after the list. Tests of the modules a file imports are not run. Everything but
//! compile errors goes to standard output; the last line is `N passed, N failed`.
//! Exit status: 0 when every test passed (and every file compiled), 1 otherwise.

use super::{display_name, read_source, report_compile_error, write_error};
use kiln::{Engine, Outcome};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// What running the tests of some files came to.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    /// A file did not compile, or its setup stopped.
    broken: bool,
}

pub(crate) fn test(path: &Path, filter: Option<&str>) -> ExitCode {
    let files = if path.is_dir() {
        match kl_files(path) {
            Ok(files) => files,
            Err(e) => {
                error_line!("error: cannot read the folder `{}`: {e}", path.display());
                return ExitCode::from(1);
            }
        }
    } else {
        vec![path.to_path_buf()]
    };
    let mut tally = Tally::default();
    for file in &files {
        test_file(file, filter, &mut tally);
    }
    out(&format!(
        "{} passed, {} failed\n",
        tally.passed, tally.failed
    ));
    if tally.failed == 0 && !tally.broken {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The `.kl` files of a folder (not of its subfolders), sorted.
fn kl_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "kl"))
        .collect();
    files.sort();
    Ok(files)
}

fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

fn test_file(path: &Path, filter: Option<&str>, tally: &mut Tally) {
    let Ok(text) = read_source(path) else {
        tally.broken = true;
        return;
    };
    let name = display_name(path);
    let mut engine = match Engine::new() {
        Ok(e) => e,
        Err(e) => {
            error_line!("error: cannot start the JIT: {e}");
            tally.broken = true;
            return;
        }
    };
    let program = match engine.compile_tests(&name, &text) {
        Ok(p) => p,
        Err(e) => {
            report_compile_error(&engine, e);
            tally.broken = true;
            return;
        }
    };
    let selected: Vec<&(String, *const u8)> = program
        .tests
        .iter()
        .filter(|(t, _)| filter.is_none_or(|f| t.contains(f)))
        .collect();
    let plural = if selected.len() == 1 { "" } else { "s" };
    out(&format!(
        "running {} test{plural} in {name}\n",
        selected.len()
    ));
    if selected.is_empty() {
        return;
    }
    if let Some(main) = program.main {
        // SAFETY: compiled by this engine; `kiln` runs commands on the Kiln thread.
        let outcome = unsafe { engine.run_main(main) };
        if let Some(why) = failure(outcome) {
            out(&format!(
                "setup FAILED: the top-level code of {name} stopped, so its tests did not run\n{why}\n"
            ));
            tally.failed += selected.len();
            tally.broken = true;
            return;
        }
    }
    let mut failures = Vec::new();
    for (test, code) in selected {
        let started = Instant::now();
        // SAFETY: as above; a test is a function without parameters, like `<main>`.
        let outcome = unsafe { engine.run_main(*code) };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match failure(outcome) {
            None => {
                tally.passed += 1;
                out(&format!("test {test:?} ... ok ({ms:.3} ms)\n"));
            }
            Some(why) => {
                tally.failed += 1;
                out(&format!("test {test:?} ... FAILED ({ms:.3} ms)\n"));
                failures.push((test, why));
            }
        }
    }
    if !failures.is_empty() {
        out("\nfailures:\n");
        for (test, why) in failures {
            out(&format!("\n---- {test:?} ----\n{why}\n"));
        }
        out("\n");
    }
}

/// Why a run failed: the panic report, or the `exit` it called.
fn failure(outcome: Outcome) -> Option<String> {
    match outcome {
        Outcome::Finished => None,
        Outcome::Exit(code) => Some(format!("error: called exit({code})")),
        Outcome::Panic(report) => Some(report.to_string().trim_end().to_string()),
    }
}
