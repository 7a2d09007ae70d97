//! `kiln run --stats`: the phase times and counts printed after the program, and
//! the generic instance cache they show (an instance asked for many times is made
//! once).

use std::process::Command;

fn kiln_stats(name: &str, source: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("kiln-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(format!("{name}.kl"));
    std::fs::write(&path, source).expect("the program is written");
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["run", "--stats"])
        .arg(&path)
        .output()
        .expect("kiln runs");
    assert!(out.status.success(), "kiln failed: {out:?}");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_instance_asked_for_many_times_is_made_once() {
    let mut src = String::from("fn id<T>(x: T) -> T { x }\nvar total = 0\n");
    for i in 0..50 {
        src.push_str(&format!("total += id({i})\n"));
    }
    src.push_str("println(id(\"done\"))\nprintln(total)\n");
    let (out, err) = kiln_stats("instances", &src);
    assert_eq!(out, "done\n1225\n");
    // `id<int>` and `id<str>`: two instances; the other 49 calls of `id<int>` reuse it.
    assert!(
        err.contains("generic instances: 2 made (cache misses), 49 reused (cache hits)"),
        "{err}"
    );
}

#[test]
fn stats_name_every_phase_and_the_code_made() {
    let (out, err) = kiln_stats("phases", "fn sq(x: int) -> int { x * x }\nprintln(sq(7))\n");
    assert_eq!(out, "49\n");
    for phase in ["parse", "check", "lower", "mir passes", "codegen", "run"] {
        assert!(
            err.lines().any(|l| l.starts_with(phase)),
            "no {phase} in {err}"
        );
    }
    assert!(err.contains("functions compiled: 2"), "{err}");
    let bytes: usize = err
        .lines()
        .find_map(|l| l.strip_prefix("machine code: "))
        .and_then(|l| l.strip_suffix(" bytes"))
        .and_then(|n| n.parse().ok())
        .expect("a machine code line");
    assert!(bytes > 0);
}
