//! Scripted REPL sessions: every `tests/repl/NAME.in` is piped into `kiln` (no
//! arguments), run from `tests/repl/`, and what comes out must be exactly
//! `NAME.out` on stdout and `NAME.err` on stderr (no `NAME.err`: stderr must be
//! empty). The exit status must be 0, or the number in `NAME.status`. Sessions run
//! with `KILN_LEAK_CHECK=1`, so objects still alive once the session's variables
//! are released fail the test (status 102).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn sessions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/repl")
}

fn run_session(input: &Path) -> Result<(), String> {
    let dir = sessions_dir();
    let text = std::fs::read(input).map_err(|e| e.to_string())?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .current_dir(&dir)
        .env("KILN_LEAK_CHECK", "1")
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start kiln: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&text);
    });
    let out = child
        .wait_with_output()
        .map_err(|e| format!("kiln did not finish: {e}"))?;
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = |ext: &str| std::fs::read_to_string(input.with_extension(ext)).ok();
    let want_out = expected("out").unwrap_or_default();
    let want_err = expected("err").unwrap_or_default();
    let want_status: i32 = expected("status").map_or(0, |s| s.trim().parse().unwrap_or(-1));
    let mut problems = Vec::new();
    if stdout != want_out {
        problems.push(diff("stdout", &want_out, &stdout));
    }
    if stderr != want_err {
        problems.push(diff("stderr", &want_err, &stderr));
    }
    if out.status.code() != Some(want_status) {
        problems.push(format!(
            "exit status {:?}, expected {want_status}\n{stderr}",
            out.status.code()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The first line where `got` differs from `want`.
fn diff(stream: &str, want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            return format!(
                "{stream} differs at line {}:\n  expected: {}\n  got:      {}\n--- all of {stream}:\n{got}",
                i + 1,
                a.unwrap_or(&"(end)"),
                b.unwrap_or(&"(end)")
            );
        }
    }
    format!("{stream} differs in its line endings")
}

#[test]
fn repl_sessions() {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(sessions_dir())
        .expect("tests/repl exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "in"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 30, "only {} sessions", inputs.len());
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|p| {
            run_session(p)
                .err()
                .map(|e| format!("{}:\n{e}", p.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} sessions failed:\n\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n\n")
    );
}

/// Pipes `input` into `kiln`; returns stdout, stderr and the exit status.
fn pipe(input: &str) -> (String, String, Option<i32>) {
    pipe_with(input, &[])
}

/// [`pipe`], with these environment variables set.
fn pipe_with(input: &str, env: &[(&str, &str)]) -> (String, String, Option<i32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kiln starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(input.as_bytes()).expect("input written");
    drop(stdin);
    let out = child.wait_with_output().expect("kiln finishes");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// `:clif` and `:asm` show a function's Cranelift IR and machine code (which hold
/// addresses, so they are checked for their shape), for plain functions and for
/// generic instances.
#[test]
fn clif_and_asm_show_functions_and_instances() {
    let (out, err, code) = pipe(
        "fn sq(x: int) -> int { x * x }\nfn id<T>(x: T) -> T { x }\nid(1)\n:clif sq\n:asm sq\n:clif id\n:asm id\n:asm nothing\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("1 : int\n"), "{out}");
    assert!(out.contains("function %sq(i64) -> i64"), "{out}");
    assert!(out.contains("function %id<int>(i64) -> i64"), "{out}");
    assert!(
        out.contains("smul_overflow") || out.contains("imul"),
        "{out}"
    );
    assert!(out.contains("fn sq:\n"), "{out}");
    assert!(out.contains("fn id<int>:\n"), "{out}");
    assert!(out.contains("ret"), "{out}");
    assert_eq!(err, "error: no function `nothing` in this session\n");
}

/// `:time` runs the expression, prints its value, then the compile and run times.
#[test]
fn time_shows_the_value_then_compile_and_run_time() {
    let (out, err, _) = pipe("fn fib(n: int) -> int { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\n:time fib(20)\n");
    assert_eq!(err, "");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "6765 : int");
    let t = lines[1];
    assert!(
        t.starts_with("time: compile ") && t.contains(" ms, run ") && t.ends_with(" ms"),
        "{t}"
    );
}

/// `:stats` counts what the session compiled, and the generic instance cache:
/// an instance asked for again in a later entry is served from the cache.
#[test]
fn stats_count_functions_and_instance_cache_hits() {
    let (out, err, _) =
        pipe("fn id<T>(x: T) -> T { x }\nid(1)\nid(2)\nid(\"s\")\nid(3) + id(4)\n:stats\n");
    assert_eq!(err, "");
    assert!(out.contains("entries: 5\n"), "{out}");
    assert!(
        out.contains("generic instances: 2 made (cache misses), 3 reused (cache hits)"),
        "{out}"
    );
    for phase in ["parse", "check", "lower", "codegen", "run"] {
        assert!(out.contains(&format!("\n{phase} ")), "{phase}: {out}");
    }
    assert!(out.contains("functions compiled: "), "{out}");
    assert!(out.contains("machine code: "), "{out}");
}

/// `kiln` allocates with mimalloc, or with the system allocator when
/// `KILN_SYSTEM_ALLOCATOR` is set or a valgrind tool that replaces `malloc` runs it
/// (`src/allocator.rs`): a session with heap work, large arrays (which the runtime
/// takes from the process allocator) and a panic gives the same results with
/// either, and ends with nothing alive.
#[test]
fn either_allocator_runs_a_session_alike() {
    let input = "var xs: [int] = []\n\
                 for i in 0..10000 { xs.push(i * i) }\n\
                 xs.len()\n\
                 xs[9999]\n\
                 let words = \"a bb ccc\".split(\" \").map(|w| w.repeat(100))\n\
                 words[2].len()\n\
                 var m: [str: int] = [:]\n\
                 for w in words { m[w] = w.len() }\n\
                 m.len()\n\
                 xs[10000]\n\
                 xs.len() + m.len()\n";
    let want_out = "10000 : int\n99980001 : int\n300 : int\n3 : int\n10003 : int\n";
    for env in [
        vec![("KILN_LEAK_CHECK", "1")],
        vec![("KILN_LEAK_CHECK", "1"), ("KILN_SYSTEM_ALLOCATOR", "1")],
    ] {
        let (out, err, status) = pipe_with(input, &env);
        assert_eq!(out, want_out, "{env:?}\n{err}");
        assert!(
            err.contains("index out of bounds: index 10000, length 10000"),
            "{env:?}\n{err}"
        );
        assert_eq!(status, Some(0), "{env:?}\n{err}");
    }
}

/// An entry of many lines (a function, an array, a string, a comment) is read in
/// time linear in its length: whether it is complete yet is decided from each new
/// line, not by lexing the entry again (20,000 lines once took most of a minute).
#[test]
fn an_entry_of_many_lines() {
    let lines = 20_000;
    let mut input = String::from("fn f() -> int {\n    var t = 0\n");
    for i in 0..lines {
        input.push_str(&format!("    t += {i}\n"));
    }
    input.push_str("    t\n}\nf()\nlet xs = [\n");
    for i in 0..lines {
        input.push_str(&format!("    {i},\n"));
    }
    input.push_str("]\nxs.len()\nlet s = \"\n");
    for i in 0..lines {
        input.push_str(&format!("line {i} {{{{}}}}\n"));
    }
    input.push_str("\"\ns.lines().len()\n/*\n");
    for i in 0..lines {
        input.push_str(&format!("{i} /* */\n"));
    }
    input.push_str("*/ 7\n");
    let (out, err, status) = pipe(&input);
    assert_eq!(err, "");
    assert_eq!(out, "199990000 : int\n20000 : int\n20001 : int\n7 : int\n");
    assert_eq!(status, Some(0));
}

/// `read_line()` in an entry reads the next line of input that is not part of an
/// entry, whether the lines arrive all at once (already read ahead by the REPL) or
/// one at a time.
#[test]
fn read_line_reads_the_next_line_however_the_input_arrives() {
    let lines = ["let l = read_line()", "hello there", "l", "read_line()"];
    let want = "Some(\"hello there\") : str?\nNone : str?\n";
    let (out, err, _) = pipe(&(lines.join("\n") + "\n"));
    assert_eq!((out.as_str(), err.as_str()), (want, ""));

    let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kiln starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    for line in lines {
        std::thread::sleep(std::time::Duration::from_millis(200));
        writeln!(stdin, "{line}").expect("input written");
        stdin.flush().expect("input written");
    }
    drop(stdin);
    let out = child.wait_with_output().expect("kiln finishes");
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// Pipes bytes that need not be UTF-8 into `kiln`; returns stdout and stderr.
fn pipe_bytes(input: &[u8]) -> (String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kiln starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(input).expect("input written");
    drop(stdin);
    let out = child.wait_with_output().expect("kiln finishes");
    assert_eq!(out.status.code(), Some(0));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A line that is not UTF-8 is an error of its entry, at its line and column, in
/// the words `kiln run` uses for such a file, said of the entry; the session
/// goes on.
#[test]
fn an_entry_that_is_not_utf8_is_an_error() {
    let (out, err) = pipe_bytes(b"\xff\n1\n2\n");
    assert_eq!(out, "1 : int\n2 : int\n");
    assert_eq!(
        err,
        "error: <repl>:1:1: this entry is not valid UTF-8\n  \
         ┌─ <repl>:1:1\n  │\n1 │ \u{fffd}\n  │ ^ byte 0xff is not valid UTF-8\n  │\n  \
         = Kiln source must be UTF-8\n"
    );

    let (out, err) = pipe_bytes(b"1\n\"\xff\"\n2\n");
    assert_eq!(out, "1 : int\n2 : int\n");
    assert!(
        err.starts_with("error: <repl>:1:2: this entry is not valid UTF-8\n"),
        "{err}"
    );

    // In the second line of an entry; the entry is not run.
    let (out, err) = pipe_bytes(b"fn f() -> str {\n    \"\xc3\xa9\xe2\x82\"\n}\nf\n3\n");
    assert_eq!(out, "3 : int\n");
    assert!(
        err.starts_with("error: <repl>:2:7: this entry is not valid UTF-8\n"),
        "{err}"
    );
    assert!(err.contains("byte 0xe2 is not valid UTF-8"), "{err}");
    assert!(err.contains("cannot find `f` in this scope"), "{err}");
}

/// `:load` of a file that is not UTF-8 reports it as `kiln run` does.
#[test]
fn load_of_a_file_that_is_not_utf8() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("repl_not_utf8");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad8.kl");
    std::fs::write(&path, b"let a = 1\nlet s = \"\xff\"\n").unwrap();
    let (out, err) = pipe_bytes(format!(":load {}\n2\n", path.display()).as_bytes());
    assert_eq!(out, "2 : int\n");
    assert!(
        err.starts_with("error: bad8.kl:2:10: this file is not valid UTF-8\n"),
        "{err}"
    );
    assert!(err.contains("byte 0xff is not valid UTF-8"), "{err}");
    assert!(!err.contains("stream did not contain"), "{err}");
}
