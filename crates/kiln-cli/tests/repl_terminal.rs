//! The REPL in a real pseudo-terminal: banner, prompts, the continuation prompt,
//! history recall with the up arrow, Ctrl-C at the prompt, at a continuation
//! prompt and while an entry runs, tab completion, `read_line()`, Ctrl-D, and the
//! history file.

use rexpect::session::{spawn_command, PtySession};
use std::process::Command;

const TIMEOUT_MS: u64 = 30_000;

fn start(data_home: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiln"));
    cmd.env("XDG_DATA_HOME", data_home)
        .env("HOME", data_home)
        .env("TERM", "xterm");
    spawn_command(cmd, Some(TIMEOUT_MS)).expect("kiln starts in a pseudo-terminal")
}

#[test]
fn an_interactive_session() {
    let data = std::env::temp_dir().join(format!("kiln-repl-pty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).expect("a temporary directory");
    let mut p = start(&data);
    p.exp_string("Kiln ").expect("the banner");
    p.exp_string(":help").expect("the banner names :help");
    p.exp_string(">>> ").expect("the prompt");

    // A definition over two lines: the second gets the continuation prompt.
    p.send_line("fn f(x: int) -> int {").unwrap();
    p.exp_string("... ").expect("the continuation prompt");
    p.send_line("x * 2 }").unwrap();
    p.exp_string(">>> ").unwrap();
    p.send_line("f(21)").unwrap();
    p.exp_string("42 : int").expect("the result");
    p.exp_string(">>> ").unwrap();

    // The up arrow recalls the last entry.
    p.send("\x1b[A").unwrap();
    p.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("42 : int")
        .expect("the recalled entry ran again");
    p.exp_string(">>> ").unwrap();

    // Ctrl-C at the prompt clears the line.
    p.send("this is not kiln").unwrap();
    p.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    p.send_control('c').unwrap();
    p.exp_string(">>> ").unwrap();
    p.send_line("f(2)").unwrap();
    p.exp_string("4 : int").expect("the line was cleared");
    p.exp_string(">>> ").unwrap();

    // Ctrl-C at a continuation prompt drops the unfinished entry.
    p.send_line("fn g() -> int {").unwrap();
    p.exp_string("... ").expect("the continuation prompt");
    std::thread::sleep(std::time::Duration::from_millis(100));
    p.send_control('c').unwrap();
    p.exp_string(">>> ").expect("back at the first prompt");
    p.send_line("f(3)").unwrap();
    p.exp_string("6 : int")
        .expect("the unfinished entry was dropped");
    p.exp_string(">>> ").unwrap();

    // Ctrl-C while an entry runs interrupts it; the session goes on.
    p.send_line("var n = 0").unwrap();
    p.exp_string(">>> ").unwrap();
    p.send_line("while true { n += 1 }").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send_control('c').unwrap();
    p.exp_string("error: interrupted")
        .expect("the entry was interrupted");
    p.exp_string(">>> ").unwrap();
    p.send_line("n > 0").unwrap();
    p.exp_string("true : bool")
        .expect("state kept after the interrupt");
    p.exp_string(">>> ").unwrap();
    p.send_line("f(5)").unwrap();
    p.exp_string("10 : int").unwrap();
    p.exp_string(">>> ").unwrap();

    // Tab completes a name the session defined.
    p.send_line("fn an_unusual_name() -> int { 7 }").unwrap();
    p.exp_string(">>> ").unwrap();
    p.send("an_unus").unwrap();
    p.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    p.send("\t").unwrap();
    p.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    p.send_line("()").unwrap();
    p.exp_string("7 : int").expect("the name was completed");
    p.exp_string(">>> ").unwrap();

    // `read_line()` reads the next line typed, and the prompt comes back after.
    p.send_line("let typed = read_line()").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    p.send_line("some words").unwrap();
    p.exp_string(">>> ").unwrap();
    p.send_line("typed").unwrap();
    p.exp_string("Some(\"some words\") : str?")
        .expect("read_line read the typed line");
    p.exp_string(">>> ").unwrap();

    // Ctrl-D quits, and the history was saved.
    p.send_control('d').unwrap();
    p.exp_eof().expect("Ctrl-D ends the session");
    let history =
        std::fs::read_to_string(data.join("kiln").join("history")).expect("a history file");
    assert!(history.contains("f(21)"), "{history}");
    let _ = std::fs::remove_dir_all(&data);
}
