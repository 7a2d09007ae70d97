//! Checks the table of runtime functions (`kiln_runtime::symbols`) against the
//! functions it names, so that a mismatch is a test failure and never a call with
//! the wrong arguments:
//!
//! - the parameter and result types of each entry are those of the Rust signature
//!   (read from the function pointer's type, `rust_signatures`);
//! - an entry marked `site` has `fp: *const u8, site: i32` as its first parameters
//!   in the source, and every runtime function whose first parameter is `fp` is
//!   marked `site`;
//! - an entry marked `pure` (never unwinds) does not, in its own body, raise, exit,
//!   allocate an object or call another runtime function. This is a check of the
//!   body's text, one level deep: it catches a `pure` mark left on a function that
//!   was changed to panic, not a panic hidden in a helper;
//! - an entry marked `raises` or `exits` (never returns) ends its body in a call of
//!   one of the runtime's diverging helpers (`raise`, `index_oob`, `unwind_exit`),
//!   again by the text.

use std::collections::HashMap;
use std::path::Path;

/// Each `extern "C-unwind" fn kiln_...` of the runtime's sources: its name, its
/// parameter list and its body, by the text; and all the sources' text.
fn runtime_functions() -> (HashMap<String, (String, String)>, String) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = HashMap::new();
    let mut all = String::new();
    for entry in std::fs::read_dir(&src).expect("the runtime's src directory") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("a readable source file");
        all.push_str(&source);
        let mut rest = source.as_str();
        while let Some(i) = rest.find("extern \"C-unwind\" fn kiln_") {
            let from = &rest[i + "extern \"C-unwind\" fn ".len()..];
            let open = from.find('(').expect("a parameter list");
            let name = from[..open].to_string();
            let close = from.find(')').expect("the end of the parameter list");
            let params = from[open + 1..close].split_whitespace().collect::<Vec<_>>();
            let body_start = from.find('{').expect("a body");
            let body_end = from.find("\n}").unwrap_or(from.len());
            out.insert(
                name,
                (params.join(" "), from[body_start..body_end].to_string()),
            );
            rest = &from[close..];
        }
    }
    (out, all)
}

#[test]
fn every_entry_has_the_signature_of_the_function_it_names() {
    let rust: HashMap<_, _> = kiln_runtime::rust_signatures().into_iter().collect();
    let mut problems = Vec::new();
    for s in kiln_runtime::symbols() {
        let (params, ret) = &rust[s.name];
        if s.params != params.as_slice() || s.ret != *ret {
            problems.push(format!(
                "{}: the table says {:?} -> {:?}, the function is {:?} -> {:?}",
                s.name, s.params, s.ret, params, ret
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn site_and_pure_marks_agree_with_the_sources() {
    let (sources, all) = runtime_functions();
    let symbols = kiln_runtime::symbols();
    let mut problems = Vec::new();
    for s in &symbols {
        let Some((params, body)) = sources.get(s.name) else {
            // Made by a macro (the float functions of `num.rs`): its signature is
            // checked by the other test; it takes no frame pointer.
            if !all.contains(&format!("{}(", s.name)) || s.site {
                problems.push(format!(
                    "{}: no `extern \"C-unwind\" fn` of that name",
                    s.name
                ));
            }
            continue;
        };
        let takes_site = params.starts_with("fp: *const u8, site: i32");
        if s.site != takes_site {
            problems.push(format!(
                "{}: marked site={} but its parameters are ({params})",
                s.name, s.site
            ));
        }
        if s.site && !s.may_panic {
            problems.push(format!("{}: takes a site but is marked pure", s.name));
        }
        if !s.returns && !diverges(body) {
            problems.push(format!(
                "{}: marked as never returning, but its body does not end in a call of \
                 `raise`, `index_oob` or `unwind_exit`",
                s.name
            ));
        }
        if !s.may_panic {
            for bad in ["raise", "exit", "alloc", "kiln_", "panic"] {
                if body.contains(bad) {
                    problems.push(format!(
                        "{}: marked pure, but its body mentions `{bad}`",
                        s.name
                    ));
                }
            }
        }
    }
    for (name, (params, _)) in &sources {
        let listed = symbols.iter().any(|s| s.name == name);
        if listed && params.starts_with("fp: *const u8") {
            let s = symbols.iter().find(|s| s.name == name).unwrap();
            if !s.site {
                problems.push(format!("{name}: takes `fp` but is not marked site"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Whether a function body (its text from the opening brace) ends in a call of one
/// of the runtime's helpers that never return.
fn diverges(body: &str) -> bool {
    let last = body
        .trim_end()
        .trim_end_matches('}')
        .trim_end()
        .trim_end_matches('}')
        .trim_end();
    let last_line = last.lines().last().unwrap_or("").trim();
    ["raise(", "index_oob(", "unwind_exit("]
        .iter()
        .any(|f| last_line.contains(f))
}
