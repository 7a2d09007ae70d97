//! Command-line arguments that are not UTF-8 (legal on Unix): they never crash
//! `kiln`. A script's argument reaches `args()` with each bad sequence replaced
//! by U+FFFD; a file name is opened as it is and shown lossily in diagnostics.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::process::{Command, Output};

fn dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("args");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn os(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}

fn kiln(args: &[OsString]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .output()
        .unwrap()
}

#[track_caller]
fn assert_status(out: &Output, code: i32) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn script_arguments_reach_args_lossily() {
    let script = dir().join("echo_args.kl");
    std::fs::write(&script, "for a in args() { println(\"[{a}]\") }\n").unwrap();
    for run in [&["run"][..], &[]] {
        let mut argv: Vec<OsString> = run.iter().map(OsString::from).collect();
        argv.extend([
            script.clone().into_os_string(),
            os(b"\xff"),
            os(b"a\xc3b"),
            os(b"ok"),
            os(b"-x"),
        ]);
        let out = kiln(&argv);
        assert_status(&out, 0);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "[\u{fffd}]\n[a\u{fffd}b]\n[ok]\n[-x]\n"
        );
    }
}

#[test]
fn a_file_whose_name_is_not_utf8() {
    let mut name = dir().into_os_string().into_vec();
    name.extend_from_slice(b"/\xff.kl");
    let path = os(&name);
    std::fs::write(&path, "println(\"hi\")\nlet x: int = \"no\"\n").unwrap();
    let out = kiln(&[OsString::from("check"), path.clone()]);
    assert_status(&out, 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error: \u{fffd}.kl:2:"), "{stderr}");

    std::fs::write(&path, "println(\"hi\")\n").unwrap();
    for argv in [
        vec![OsString::from("check"), path.clone()],
        vec![OsString::from("run"), path.clone()],
        vec![path.clone()],
        vec![
            OsString::from("emit"),
            OsString::from("--ast"),
            path.clone(),
        ],
    ] {
        let out = kiln(&argv);
        assert_status(&out, 0);
    }
    assert_eq!(kiln(&[path]).stdout, b"hi\n");
}

#[test]
fn a_missing_file_whose_name_is_not_utf8() {
    let out = kiln(&[OsString::from("check"), os(b"/nonexistent/\xff.kl")]);
    assert_status(&out, 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: cannot read `/nonexistent/\u{fffd}.kl`"),
        "{stderr}"
    );
}

#[test]
fn a_bad_option_that_is_not_utf8() {
    let out = kiln(&[os(b"--\xff")]);
    assert_status(&out, 2);
    let out = kiln(&[
        OsString::from("emit"),
        os(b"--\xff"),
        OsString::from("x.kl"),
    ]);
    assert_status(&out, 2);
}
