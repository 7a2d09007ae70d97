//! Differential testing of Kiln's backends with generated programs.
//!
//! [`gen::generate`] makes a random program that type-checks and terminates;
//! [`check`] runs it with `kiln run --interp` (the MIR interpreter), `kiln run`
//! (the optimising JIT) and `kiln run --no-opt` (the JIT without MIR inlining or
//! Cranelift optimisation), each under the leak check, and compares their
//! standard output, standard error and exit status. [`shrink`] cuts a program that
//! shows a difference down to the lines that still show it.
//!
//! The `kiln-difftest` command drives this over many seeds; `cargo test` runs a
//! fixed-seed batch (`crates/kiln-cli/tests/difftest.rs`); `fuzz/` has a
//! cargo-fuzz target that makes programs from the fuzzer's bytes. docs/TESTING.md
//! records the runs.

pub mod gen;
pub mod rng;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The three ways a program is run, by name and `kiln` arguments.
pub const BACKENDS: [(&str, &[&str]); 3] = [
    ("interp", &["run", "--interp"]),
    ("jit", &["run"]),
    ("jit-noopt", &["run", "--no-opt"]),
];

/// What one run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The exit status; `None` when a signal ended the process or it timed out.
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

/// How the backends' runs of one program compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// All agree, and the program ran to the end (`status` 0) or panicked (101).
    Agree { status: i32 },
    /// All agree that the program does not compile: a bug in the generator (or
    /// in the checker).
    Invalid,
    /// All agree on something that is a bug whatever the program: an internal
    /// error, a leak, a crash.
    Broken { status: Option<i32> },
    /// A run took longer than the limit.
    Timeout { backend: &'static str },
    /// The backends disagree.
    Mismatch,
}

impl Verdict {
    pub fn is_failure(&self) -> bool {
        !matches!(self, Verdict::Agree { .. })
    }
}

/// Runs `kiln ARGS FILE` with the leak check, killing it after `limit`.
pub fn run_kiln(kiln: &Path, args: &[&str], file: &Path, limit: Duration) -> Outcome {
    let spawned = Command::new(kiln)
        .args(args)
        .arg(file)
        .env("KILN_LEAK_CHECK", "1")
        .env_remove("KILN_BACKEND")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            return Outcome {
                status: None,
                stdout: String::new(),
                stderr: format!("cannot run {}: {e}", kiln.display()),
                timed_out: false,
            }
        }
    };
    // Read both pipes on threads, so a program with much output cannot block.
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let mut pause = Duration::from_micros(200);
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                timed_out = true;
                break None;
            }
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(5));
            }
            Err(_) => break None,
        }
    };
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    Outcome {
        status,
        stdout: text(out_reader.join().unwrap_or_default()),
        stderr: text(err_reader.join().unwrap_or_default()),
        timed_out,
    }
}

/// Runs `file` on every backend and compares.
pub fn check(kiln: &Path, file: &Path, limit: Duration) -> (Verdict, Vec<Outcome>) {
    let outcomes: Vec<Outcome> = BACKENDS
        .iter()
        .map(|(_, args)| run_kiln(kiln, args, file, limit))
        .collect();
    (verdict(&outcomes), outcomes)
}

fn verdict(outcomes: &[Outcome]) -> Verdict {
    if let Some(i) = outcomes.iter().position(|o| o.timed_out) {
        return Verdict::Timeout {
            backend: BACKENDS[i].0,
        };
    }
    if outcomes.iter().any(|o| *o != outcomes[0]) {
        return Verdict::Mismatch;
    }
    match outcomes[0].status {
        Some(s @ (0 | 101)) => Verdict::Agree { status: s },
        Some(1) => Verdict::Invalid,
        status => Verdict::Broken { status },
    }
}

/// What must stay true of a program while it is shrunk: the same statuses, the
/// same pattern of agreement between backends, and no compile error.
fn signature(outcomes: &[Outcome]) -> Option<(Vec<Option<i32>>, Vec<bool>)> {
    if outcomes.iter().any(|o| o.status == Some(1)) {
        return None;
    }
    let statuses = outcomes.iter().map(|o| o.status).collect();
    let agree = outcomes[1..].iter().map(|o| *o == outcomes[0]).collect();
    Some((statuses, agree))
}

/// Removes lines from a failing program while it fails the same way; writes
/// each candidate to `file`. Returns the smallest program found.
///
/// First whole top-level items and statements go, in chunks that halve in size
/// (delta debugging), then any line or block left, one at a time.
pub fn shrink(kiln: &Path, file: &Path, source: &str, limit: Duration) -> String {
    let run = |lines: &[String]| {
        if std::fs::write(file, lines.join("\n") + "\n").is_err() {
            return None;
        }
        let (_, outcomes) = check(kiln, file, limit);
        signature(&outcomes)
    };
    let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
    let Some(want) = run(&lines) else {
        return source.to_string();
    };
    let without = |lines: &[String], from: usize, to: usize| {
        let mut c = lines.to_vec();
        c.drain(from..=to);
        c
    };
    let mut chunk = (top_level(&lines).len() / 2).max(1);
    loop {
        let mut k = 0;
        loop {
            let regions = top_level(&lines);
            if k >= regions.len() {
                break;
            }
            let last = (k + chunk).min(regions.len()) - 1;
            let candidate = without(&lines, regions[k].0, regions[last].1);
            if run(&candidate).as_ref() == Some(&want) {
                lines = candidate;
            } else {
                k += chunk;
            }
        }
        if chunk == 1 {
            break;
        }
        chunk /= 2;
    }
    loop {
        let mut changed = false;
        let mut i = 0;
        while i < lines.len() {
            if let Some(end) = region(&lines, i) {
                let candidate = without(&lines, i, end);
                if run(&candidate).as_ref() == Some(&want) {
                    lines = candidate;
                    changed = true;
                    continue;
                }
            }
            i += 1;
        }
        if !changed {
            break;
        }
    }
    let text = lines.join("\n") + "\n";
    let _ = std::fs::write(file, &text);
    text
}

/// The top-level regions of a program, as first and last lines.
fn top_level(lines: &[String]) -> Vec<(usize, usize)> {
    let mut regions = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        match region(lines, i) {
            Some(end) => {
                regions.push((i, end));
                i = end + 1;
            }
            None => i += 1,
        }
    }
    regions
}

/// The last line of the smallest self-contained region starting at line `i`: a
/// line whose braces balance, or a line that opens a block through the line that
/// closes it. `None` for a line that closes a block it did not open.
fn region(lines: &[String], i: usize) -> Option<usize> {
    let mut depth: i64 = 0;
    for (j, line) in lines.iter().enumerate().skip(i) {
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '\\' if !escaped => {
                    escaped = true;
                    continue;
                }
                '{' if !escaped => depth += 1,
                '}' if !escaped => {
                    depth -= 1;
                    if depth < 0 {
                        return None;
                    }
                }
                _ => {}
            }
            escaped = false;
        }
        if depth == 0 {
            return Some(j);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_balanced_blocks() {
        let lines: Vec<String> = [
            "let a = 1",
            "if a > 0 {",
            "    println(\"\\{\")",
            "} else {",
            "}",
            "println(a)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(region(&lines, 0), Some(0));
        assert_eq!(region(&lines, 1), Some(4));
        assert_eq!(region(&lines, 2), Some(2));
        assert_eq!(region(&lines, 3), None);
    }

    #[test]
    fn the_same_seed_makes_the_same_program() {
        let a = gen::generate(&mut rng::SplitMix(7), gen::Config::default());
        let b = gen::generate(&mut rng::SplitMix(7), gen::Config::default());
        let c = gen::generate(&mut rng::SplitMix(8), gen::Config::default());
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn fuzzer_bytes_make_programs_even_when_empty() {
        let p = gen::generate(&mut rng::Bytes::new(&[]), gen::Config::default());
        assert!(p.contains("struct Wrap"));
    }
}
