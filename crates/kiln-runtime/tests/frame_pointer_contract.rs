//! Checks the frame-pointer contract of `src/panic.rs` over the runtime's sources:
//! every function that takes a frame pointer (`fp: *const u8`) dereferences it, or
//! passes it to a function that does, so it must be `unsafe` and say so in a
//! `# Safety` section that names `fp`. A safe function taking `fp` would let safe code
//! make the runtime read arbitrary memory.

use std::path::Path;

/// One function signature found in a source file: its first line number, the text of
/// its doc comment and the signature up to the opening brace.
struct Signature {
    line: usize,
    doc: String,
    text: String,
}

fn signatures(source: &str) -> Vec<Signature> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let is_fn = t.starts_with("fn ")
            || t.starts_with("pub fn ")
            || t.starts_with("unsafe fn ")
            || t.starts_with("pub unsafe fn ")
            || t.starts_with("pub(crate) fn ")
            || t.starts_with("pub(crate) unsafe fn ")
            || t.contains("extern \"C-unwind\" fn ");
        if !is_fn {
            continue;
        }
        let mut text = String::new();
        for l in &lines[i..] {
            text.push_str(l.trim());
            text.push(' ');
            if l.contains('{') || l.trim_end().ends_with(';') {
                break;
            }
        }
        let mut doc = Vec::new();
        for l in lines[..i].iter().rev() {
            let l = l.trim_start();
            if l.starts_with("///") {
                doc.push(l);
            } else if !l.starts_with("#[") {
                break;
            }
        }
        doc.reverse();
        out.push(Signature {
            line: i + 1,
            doc: doc.join("\n"),
            text,
        });
    }
    out
}

#[test]
fn every_function_taking_a_frame_pointer_is_unsafe_and_documents_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&src).expect("the runtime's src directory") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("a readable source file");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for sig in signatures(&source) {
            if !sig.text.contains("fp: *const u8") {
                continue;
            }
            checked += 1;
            let unsafe_fn = sig.text.contains("unsafe fn ")
                || sig.text.contains("unsafe extern \"C-unwind\" fn ");
            if !unsafe_fn {
                problems.push(format!("{name}:{}: not `unsafe`", sig.line));
            }
            let safety = sig.doc.split("# Safety").nth(1).unwrap_or("");
            if !safety.contains("`fp`") {
                problems.push(format!(
                    "{name}:{}: no `# Safety` section naming `fp`",
                    sig.line
                ));
            }
        }
    }
    // raise, kiln_panic, kiln_panic_msg, kiln_stack_overflow, kiln_index_oob,
    // kiln_unwrap_none, kiln_pow_int, kiln_int_to_char and the checked container
    // operations at least.
    assert!(checked >= 20, "found only {checked} functions taking `fp`");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
