//! Fuzz target for the whole front end: lexer, parser, checker, lowering to MIR,
//! the MIR passes, the MIR verifier and diagnostic rendering. Whatever the input, none of them
//! may panic or hang (docs/ARCHITECTURE.md, "the front end never panics"), every
//! diagnostic must point inside the file, and MIR made from a program the checker
//! accepted must verify (a verifier failure there is a compiler bug).
//!
//! Run it with `cargo fuzz run front_end` from this directory; docs/TESTING.md
//! has the full command and the results of past runs.

#![no_main]

use kiln_syntax::{Diagnostic, FileId, SourceMap};
use libfuzzer_sys::fuzz_target;

/// The compiler runs on a thread with a large stack (`kiln::engine::STACK_SIZE`,
/// 256 MiB), because the checker and lowering recurse on the tree the parser
/// built. The target gives it the same, so that only real unbounded recursion is
/// reported, not the fuzzer's smaller main-thread stack.
const STACK_SIZE: usize = 256 << 20;

/// What the parser reports when its fuel guard finds it stuck (a bug in Kiln).
const STUCK: &str = "the parser got stuck here (this is a bug in Kiln)";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.to_owned();
    let worker = std::thread::Builder::new()
        .name("kiln".into())
        .stack_size(STACK_SIZE)
        .spawn(move || front_end(&text))
        .expect("cannot start the compiler thread");
    if let Err(payload) = worker.join() {
        std::panic::resume_unwind(payload);
    }
});

/// Checks what must hold of every diagnostic: its span lies inside the one file
/// (the renderer silently falls back to a bare header on a bad span, so check
/// here), the parser never reports itself stuck, and they render.
fn check_diagnostics(sources: &SourceMap, file: FileId, text: &str, diags: &[Diagnostic]) {
    for d in diags {
        let spans = std::iter::once(d.span).chain(d.secondary.iter().map(|(s, _)| *s));
        for span in spans {
            assert_eq!(span.file, file, "{d:?}");
            assert!(span.lo <= span.hi, "{d:?}");
            assert!(span.hi as usize <= text.len(), "{d:?}");
        }
        // The exact message: others quote source text, which may say anything.
        assert_ne!(d.message, STUCK, "{d:?}");
    }
    let rendered = kiln_syntax::render(sources, diags, false);
    assert_eq!(diags.is_empty(), rendered.is_empty());
}

fn front_end(text: &str) {
    let mut sources = SourceMap::new();
    let file = sources.add("fuzz.kl", text);
    let (module, diags) = kiln_syntax::parse(file, text);
    check_diagnostics(&sources, file, text, &diags);
    if diags.iter().any(|d| d.is_error()) {
        return;
    }

    // A file is one unit of a fresh session, as `Engine::front_end` checks it
    // (without the modules it imports: an `import` names no file here).
    let mut session = kiln_sema::Session::new();
    let mut unit = match session.check_unit(&module) {
        Ok(unit) => unit,
        Err(errors) => {
            check_diagnostics(&sources, file, text, &errors);
            assert!(
                errors.iter().any(|d| d.is_error()),
                "a unit rejected without an error"
            );
            return;
        }
    };
    let warnings = std::mem::take(&mut unit.diagnostics);
    check_diagnostics(&sources, file, text, &warnings);
    assert!(
        !warnings.iter().any(|d| d.is_error()),
        "a unit accepted with an error"
    );

    let _types = session.enter();
    let mut lowering = kiln_mir::lower::Lowering::new();
    // As for a file program: `for` loops fused with small generators.
    lowering.set_fuse_generators(true);
    let lowered = lowering.lower_unit(session.program(), &unit);
    let program = lowering.program_mut();
    let funcs = lowered.funcs;
    verify(program, funcs.clone(), "lowering");
    // The MIR passes `Engine::front_end` runs, each checked like the engine does
    // in debug builds.
    kiln_mir::inline::run(program, funcs.clone());
    verify(program, funcs.clone(), "inlining");
    kiln_mir::divisible::run(program, funcs.clone());
    verify(program, funcs.clone(), "divisibility tests");
    kiln_mir::rc_pairs::run(program, funcs.clone());
    verify(program, funcs, "cancelling retain/release pairs");
}

/// MIR made from a checked program must verify: anything else is a compiler bug.
fn verify(program: &kiln_mir::ir::Program, funcs: std::ops::Range<u32>, after: &str) {
    let errors = kiln_mir::verify::verify_funcs(program, funcs);
    assert!(
        errors.is_empty(),
        "MIR does not verify after {after}:\n{}",
        errors.join("\n")
    );
}
