//! The MIR text form is complete: for every program under `tests/` that compiles,
//! its MIR printed, parsed and printed again is the text first printed
//! (`kiln_mir::parse`). A difference means the printer drops something the parser
//! needs, or the parser misreads what the printer writes.

use kiln::{on_kiln_thread, Engine};
use std::path::{Path, PathBuf};

fn programs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "pending") {
                programs(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "kl") {
            out.push(path);
        }
    }
}

#[test]
fn printed_mir_of_every_test_program_parses_back_to_the_same_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut files = Vec::new();
    programs(&root, &mut files);
    assert!(files.len() > 100, "found only {} programs", files.len());
    let failures = on_kiln_thread(move || {
        let mut compiled = 0;
        let mut failures = Vec::new();
        for path in &files {
            let text = std::fs::read_to_string(path).expect("a readable program");
            let mut engine = Engine::new().expect("an engine");
            let name = path.to_string_lossy();
            if engine.front_end(&name, &text).is_err() {
                continue;
            }
            compiled += 1;
            let printed = kiln_mir::print::print_program(engine.mir());
            let again = match kiln_mir::parse::parse_program(&printed) {
                Ok(program) => kiln_mir::print::print_program(&program),
                Err(e) => {
                    failures.push(format!("{}: {e}", path.display()));
                    continue;
                }
            };
            if again != printed {
                let line = printed
                    .lines()
                    .zip(again.lines())
                    .position(|(a, b)| a != b)
                    .map_or(0, |i| i + 1);
                failures.push(format!(
                    "{}: the text differs from line {line} on",
                    path.display()
                ));
            }
        }
        assert!(compiled > 100, "only {compiled} programs compiled");
        failures
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
