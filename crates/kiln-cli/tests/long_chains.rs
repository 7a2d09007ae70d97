//! Programs too long to check in: `if` / `else if` chains of 5,000 links, written
//! into a temporary directory and run by the `kiln` binary (with the leak check).
//! A chain is one flat list in every stage of the compiler, so its length must cost
//! neither stack depth nor quadratic time; these tests assert success and output.

use std::fmt::Write as _;
use std::process::Command;

const LINKS: usize = 5000;

/// Runs `src` as a file named `name`; returns the exit status, stdout and stderr.
fn run(name: &str, src: &str) -> (Option<i32>, String, String) {
    let dir = std::env::temp_dir().join(format!("kiln-long-chains-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cannot create the temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, src).expect("cannot write the program");
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .env("KILN_LEAK_CHECK", "1")
        .arg("run")
        .arg(&path)
        .output()
        .expect("cannot start kiln");
    let _ = std::fs::remove_file(&path);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn assert_output(name: &str, src: &str, want: &str) {
    let (code, stdout, stderr) = run(name, src);
    let tail = &stderr[stderr.len().saturating_sub(2000)..];
    assert_eq!(code, Some(0), "{name}: stderr: {tail}");
    assert_eq!(stdout, want, "{name}");
}

/// A function whose body is one chain: plain conditions, conditions that make
/// temporary strings, and `if let` links, with a final `else`.
#[test]
fn else_if_chain_in_a_function() {
    let mut src = String::from("fn opt(n: int) -> int? { if n >= 0 { Some(n) } else { None } }\n");
    src.push_str("fn label(n: int, s: str) -> str {\n    if n == 0 { \"zero\" }\n");
    for i in 1..LINKS {
        let _ = match i % 3 {
            0 => writeln!(src, "    else if n == {i} {{ \"a{i}\" }}"),
            1 => writeln!(src, "    else if \"{{n}}\" == \"{i}\" {{ s + \"{i}\" }}"),
            _ => writeln!(
                src,
                "    else if let Some({i}) = opt(n) {{ \"c\" + \"{i}\" }}"
            ),
        };
    }
    src.push_str("    else { \"other \" + s }\n}\n");
    src.push_str(
        "for n in [0, 1, 2, 3, 4997, 4998, 4999, 5000, -1] { print(label(n, \"s\") + \" \") }\n",
    );
    src.push_str("println(\"\")\n");
    assert_output(
        "chain_fn.kl",
        &src,
        "zero s1 c2 a3 c4997 a4998 s4999 other s other s \n",
    );
}

/// A chain without `else` at top level, assigning a variable in every branch.
#[test]
fn else_if_chain_without_else_at_top_level() {
    let mut src = String::from("var total = 0\nfor n in 0..5001 {\n    if n == 0 { total += 1 }\n");
    for i in 1..LINKS {
        let _ = writeln!(src, "    else if n == {i} {{ total += {i} }}");
    }
    src.push_str("}\nprintln(total)\n");
    let want = 1 + (LINKS - 1) * LINKS / 2;
    assert_output("chain_top.kl", &src, &format!("{want}\n"));
}

/// A chain made only of `if let` links binding strings, as a value.
#[test]
fn if_let_chain() {
    let mut src = String::from("fn pick(r: Result<str, int>) -> str {\n");
    src.push_str("    if let Err(0) = r { \"zero\" }\n");
    for i in 1..LINKS {
        let _ = writeln!(src, "    else if let Err({i}) = r {{ \"e{i}\" }}");
    }
    src.push_str("    else if let Ok(s) = r { s + \"!\" }\n    else { \"big\" }\n}\n");
    src.push_str("println(pick(Err(0)) + pick(Err(4999)) + pick(Ok(\"ok\")) + pick(Err(5000)))\n");
    assert_output("chain_if_let.kl", &src, "zeroe4999ok!big\n");
}
