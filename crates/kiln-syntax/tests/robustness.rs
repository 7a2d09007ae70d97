//! The parser on real programs and on garbage: every program of the repository's
//! own corpus (and of the shared conformance suite, when it sits beside this
//! checkout) parses without errors unless it expects a compile error, syntax errors
//! are reported where the programs say, and no input, however broken, makes the
//! lexer or parser panic or hang.

use kiln_syntax::{parse, render, FileId, SourceMap};
use std::path::{Path, PathBuf};

fn repo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn conformance_dir() -> PathBuf {
    repo_dir().join("../shared/conformance")
}

/// Every `.kl` file under `dir`, recursively.
fn kl_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "kl") {
                out.push(path);
            }
        }
    }
}

/// The programs the tests run on, sorted: the repository's `tests/` and
/// `examples/` (always there; a checkout without them fails here rather than
/// passing on nothing), then the shared conformance suite when it is present.
fn corpus() -> Vec<PathBuf> {
    let mut own = Vec::new();
    for dir in ["tests", "examples"] {
        kl_files_under(&repo_dir().join(dir), &mut own);
    }
    assert!(
        own.len() >= 100,
        "only {} test programs under {}: the corpus is missing",
        own.len(),
        repo_dir().display()
    );
    let mut shared = Vec::new();
    kl_files_under(&conformance_dir(), &mut shared);
    own.extend(shared);
    own.sort();
    own
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The text of a program's `// expect-error:` line, if it expects a compile error.
fn expected_error(src: &str) -> Option<&str> {
    src.lines()
        .filter_map(|l| l.split_once("// expect-error: ").map(|(_, t)| t.trim()))
        .next_back()
}

/// Whether an expected error names a position, `NAME.kl:LINE:`.
fn names_position(expected: &str) -> bool {
    let Some((_, rest)) = expected.split_once(".kl:") else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest.as_bytes().get(digits) == Some(&b':')
}

fn parse_file(path: &Path, src: &str) -> (SourceMap, Vec<kiln_syntax::Diagnostic>) {
    let mut sources = SourceMap::new();
    let file = sources.add(path.display().to_string(), src);
    let (_, diags) = parse(file, src);
    (sources, diags)
}

/// A program that does not expect a compile error has no syntax error.
#[test]
fn corpus_programs_parse_cleanly() {
    let mut failures = String::new();
    for path in corpus() {
        let src = read(&path);
        if expected_error(&src).is_some() {
            continue;
        }
        let (sources, diags) = parse_file(&path, &src);
        if !diags.is_empty() {
            failures.push_str(&render(&sources, &diags, false));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

/// A program that expects an error at a position and has syntax errors gets one
/// there (the header of some diagnostic names it).
#[test]
fn syntax_errors_are_where_programs_expect_them() {
    let mut checked = 0;
    let mut failures = String::new();
    for path in corpus() {
        let src = read(&path);
        let Some(expected) = expected_error(&src).filter(|e| names_position(e)) else {
            continue;
        };
        let (sources, diags) = parse_file(&path, &src);
        if diags.is_empty() {
            continue;
        }
        checked += 1;
        let text = render(&sources, &diags, false);
        if !text.contains(expected) {
            failures.push_str(&format!(
                "{}: expected {expected:?} in\n{text}\n",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures}");
    // The corpus has a dozen programs with syntax errors at a known place.
    assert!(checked >= 5, "only {checked} programs with syntax errors");
}

/// Parses `src` and checks what must hold for any input: it returns, every
/// diagnostic's span lies inside the text, the parser never reports itself
/// stuck, and the diagnostics render.
fn check_survives(src: &str) {
    let (_, diags) = parse(FileId(0), src);
    for d in &diags {
        assert!(d.span.lo <= d.span.hi, "{src:?}: {d:?}");
        assert!(d.span.hi as usize <= src.len(), "{src:?}: {d:?}");
        assert!(!d.message.contains("bug in Kiln"), "{src:?}: {d:?}");
    }
    let mut sources = SourceMap::new();
    sources.add("fuzz.kl", src);
    let text = render(&sources, &diags, false);
    assert!(!text.contains("error: error:"), "{src:?}: {text}");
}

/// Every prefix of every program (cut at char boundaries).
#[test]
fn prefixes_of_programs_do_not_crash() {
    for path in corpus() {
        let src = read(&path);
        for (i, _) in src.char_indices() {
            check_survives(&src[..i]);
        }
    }
}

/// A tiny xorshift generator, so that garbling is repeatable without new
/// dependencies.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces of Kiln syntax and junk that random inputs are built from.
const PIECES: &[&str] = &[
    "fn", "let", "var", "if", "else", "while", "for", "in", "loop", "match", "struct", "enum",
    "impl", "type", "import", "test", "extern", "return", "break", "yield", "as", "self", "x",
    "Foo", "_", "0", "1.5", "0x", "1e", "'a'", "'", "\"", "\"a{", "{x:", "}", "{", "(", ")", "[",
    "]", "<", ">", ">>", ",", ";", ":", ".", "..", "..=", "->", "=>", "=", "+=", "|", "||", "&&",
    "?", "-", "!", "~", "*", "/*", "*/", "//", "\n", " ", "\t", "@", "é", "\\", "\\u{",
];

fn random_program(rng: &mut XorShift) -> String {
    let len = rng.below(60);
    (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

#[test]
fn random_token_soup_does_not_crash() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..5000 {
        check_survives(&random_program(&mut rng));
    }
}

/// Programs with chars swapped, deleted and duplicated at random.
#[test]
fn garbled_programs_do_not_crash() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for path in corpus() {
        let chars: Vec<char> = read(&path).chars().collect();
        if chars.is_empty() {
            continue;
        }
        for _ in 0..40 {
            let mut garbled = chars.clone();
            for _ in 0..1 + rng.below(8) {
                let (a, b) = (rng.below(garbled.len()), rng.below(garbled.len()));
                match rng.below(3) {
                    0 => garbled.swap(a, b),
                    1 => {
                        garbled.remove(a);
                    }
                    _ => garbled.insert(a, garbled[b]),
                }
                if garbled.is_empty() {
                    break;
                }
            }
            let src: String = garbled.into_iter().collect();
            check_survives(&src);
        }
    }
}

/// Random bytes, biased towards brackets and quotes, made into valid UTF-8.
#[test]
fn random_bytes_do_not_crash() {
    const BIASED: &[u8] = b"(){}[]\"'\\:;,.|<>=+-\n {}";
    let mut rng = XorShift(0xdead_beef_cafe_f00d);
    for _ in 0..5000 {
        let len = rng.below(120);
        let bytes: Vec<u8> = (0..len)
            .map(|_| match rng.below(2) {
                0 => BIASED[rng.below(BIASED.len())],
                _ => rng.below(256) as u8,
            })
            .collect();
        check_survives(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let depth = 100_000;
    let cases = [
        format!("{}1{}", "(".repeat(depth), ")".repeat(depth)),
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth)),
        format!("{}{}", "{".repeat(depth), "}".repeat(depth)),
        format!("let x = {}1", "-".repeat(depth)),
        format!("let x: {}int{}", "[".repeat(depth), "]".repeat(depth)),
        format!("let {}x{} = 1", "(".repeat(depth), ")".repeat(depth)),
        "(".repeat(depth),
        format!("let x = {}", "if a { 1 } else ".repeat(depth)),
        format!("let s = \"{}\"", "{\"".repeat(depth)),
        format!("let f = {}x", "|x| ".repeat(depth)),
    ];
    for src in &cases {
        let (_, diags) = parse(FileId(0), src);
        assert!(!diags.is_empty());
        assert!(diags.len() < 10, "{} diagnostics", diags.len());
    }
}

#[test]
fn long_chains_do_not_crash() {
    let n = 100_000;
    let cases = [
        format!("let x = 1{}", " + 1".repeat(n)),
        format!("x{}", ".f()".repeat(n)),
        format!("x{}", "?".repeat(n)),
        format!("let t: int{} = 1", "?".repeat(n)),
        format!("let x = a{}", " = a".repeat(n)),
    ];
    for src in &cases {
        let _ = parse(FileId(0), src);
    }
}

#[test]
fn empty_and_blank_inputs_parse() {
    for src in [
        "",
        "\n",
        "   ",
        "// only a comment",
        "/* block */",
        ";;;",
        "\n\n;\n",
    ] {
        let (module, diags) = parse(FileId(0), src);
        assert!(module.items.is_empty(), "{src:?}");
        assert!(diags.is_empty(), "{src:?}: {diags:?}");
    }
}
