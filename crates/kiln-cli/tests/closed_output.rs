//! Output that cannot be written: no command of `kiln` may panic when standard
//! output or standard error is a pipe whose reader is gone (`kiln emit --mir F |
//! head -1`) or a full device. A closed pipe ends the output quietly with the
//! status the command would have had; a full device is reported on stderr.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A program with plenty of output in every stage, and a lot of errors.
fn programs() -> (PathBuf, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("closed_output");
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.kl");
    let mut src = String::new();
    for i in 0..300 {
        src.push_str(&format!(
            "fn f{i}(n: int) -> int {{ if n > {i} {{ n * {i} }} else {{ n + {i} }} }}\n"
        ));
    }
    src.push_str("var total = 0\nfor i in 0..20000 { total += f7(i); println(\"line {i}\") }\n");
    src.push_str("println(total)\nlet xs: [int] = []\nprintln(xs[1])\n");
    std::fs::write(&good, src).unwrap();
    let bad = dir.join("bad.kl");
    std::fs::write(&bad, "let = 1\n".repeat(500)).unwrap();
    (good, bad)
}

/// A pipe whose read end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

fn dev_full() -> Stdio {
    File::options()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .into()
}

fn kiln(args: &[&str], file: Option<&PathBuf>, stdout: Stdio, stderr: Stdio) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiln"));
    cmd.args(args);
    if let Some(file) = file {
        cmd.arg(file);
    }
    cmd.stdout(stdout).stderr(stderr).output().unwrap()
}

#[track_caller]
fn assert_quiet(out: &Output, code: i32, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
}

const STAGES: [&str; 5] = ["--tokens", "--ast", "--mir", "--clif", "--asm"];

#[test]
fn stdout_closed_before_anything_is_written() {
    let (good, _) = programs();
    for stage in STAGES {
        let out = kiln(&["emit", stage], Some(&good), closed_pipe(), Stdio::piped());
        assert_quiet(&out, 0, stage);
        assert!(out.stderr.is_empty(), "{stage}: {:?}", out.stderr);
    }
    for flag in ["--help", "--version"] {
        let out = kiln(&[flag], None, closed_pipe(), Stdio::piped());
        assert_quiet(&out, 0, flag);
    }
    // The program's own output is dropped; its panic still reaches stderr.
    let out = kiln(&["run"], Some(&good), closed_pipe(), Stdio::piped());
    assert_quiet(&out, 101, "run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("index out of bounds"));
}

/// What `kiln emit --mir FILE | head -1` does: read one line, then close.
#[test]
fn stdout_closed_after_the_first_line() {
    let (good, _) = programs();
    for stage in STAGES {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
            .args(["emit", stage])
            .arg(&good)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "{stage}");
        let out = child.wait_with_output().unwrap();
        assert_quiet(&out, 0, stage);
    }
}

#[test]
fn stderr_closed() {
    let (good, bad) = programs();
    let out = kiln(&["check"], Some(&bad), Stdio::piped(), closed_pipe());
    assert_eq!(out.status.code(), Some(1));
    let out = kiln(&["run"], Some(&bad), Stdio::piped(), closed_pipe());
    assert_eq!(out.status.code(), Some(1));
    let out = kiln(
        &["emit", "--mir"],
        Some(&bad),
        Stdio::piped(),
        closed_pipe(),
    );
    assert_eq!(out.status.code(), Some(1));
    let out = kiln(&["run"], Some(&good), Stdio::null(), closed_pipe());
    assert_eq!(out.status.code(), Some(101));
    let out = kiln(&["--bogus"], None, Stdio::piped(), closed_pipe());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn full_device() {
    let (good, bad) = programs();
    for stage in STAGES {
        let out = kiln(&["emit", stage], Some(&good), dev_full(), Stdio::piped());
        assert_quiet(&out, 1, stage);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("error: cannot write the output: "),
            "{stderr}"
        );
    }
    let out = kiln(&["check"], Some(&bad), Stdio::piped(), dev_full());
    assert_eq!(out.status.code(), Some(1));
    let out = kiln(&["run"], Some(&good), dev_full(), dev_full());
    assert_eq!(out.status.code(), Some(101));
}
