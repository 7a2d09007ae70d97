//! Source files that are not valid UTF-8: the error names the file, line and
//! column of the first bad byte, like any diagnostic, for every command that reads
//! a source file.

use std::path::PathBuf;
use std::process::Command;

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("source_encoding");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn kiln(args: &[&str], path: &PathBuf) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .arg(path)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn invalid_utf8_is_reported_at_its_position() {
    // The bad byte is the 6th char of line 3 (after a two-byte `é`).
    let path = write(
        "bad.kl",
        b"println(1)\n// ok\nlet \xc3\xa9\xff = 2\nprintln(2)\n",
    );
    for args in [&["check"][..], &["run"], &["emit", "--tokens"]] {
        let (code, stderr) = kiln(args, &path);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("error: bad.kl:3:6: this file is not valid UTF-8"),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("3 │ let é\u{fffd} = 2"),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("^ byte 0xff is not valid UTF-8"),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains("stream did not contain"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_truncated_sequence_at_the_end_of_the_file() {
    let path = write("cut.kl", b"println(1)\n\xe2\x82");
    let (code, stderr) = kiln(&["check"], &path);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: cut.kl:2:1: this file is not valid UTF-8"),
        "{stderr}"
    );
    assert!(stderr.contains("byte 0xe2 is not valid UTF-8"), "{stderr}");
}
