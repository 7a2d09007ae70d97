//! The parser on real programs and on garbage: every conformance program parses
//! without errors (except the one that is meant to fail), and no input, however
//! broken, makes the lexer or parser panic or hang.

use kiln_syntax::{parse, render, FileId, SourceMap};
use std::path::{Path, PathBuf};

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
}

/// Every `.kl` file under the conformance directory, sorted; empty when the
/// directory is not there (the crate may be built outside this checkout).
fn conformance_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![conformance_dir()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "kl") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn is_syntax_error_test(path: &Path) -> bool {
    path.ends_with("errors/syntax.kl")
}

#[test]
fn conformance_programs_parse_cleanly() {
    let files = conformance_files();
    if files.is_empty() {
        eprintln!("skipped: {} not found", conformance_dir().display());
        return;
    }
    let mut failures = String::new();
    for path in files.iter().filter(|p| !is_syntax_error_test(p)) {
        let src = read(path);
        let mut sources = SourceMap::new();
        let file = sources.add(path.display().to_string(), src.clone());
        let (_, diags) = parse(file, &src);
        if !diags.is_empty() {
            failures.push_str(&render(&sources, &diags, false));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn syntax_error_program_fails_on_line_one() {
    let Some(path) = conformance_files()
        .into_iter()
        .find(|p| is_syntax_error_test(p))
    else {
        return;
    };
    let src = read(&path);
    let mut sources = SourceMap::new();
    let file = sources.add("syntax.kl", src.clone());
    let (_, diags) = parse(file, &src);
    assert!(!diags.is_empty());
    assert_eq!(sources.get(file).line_col(diags[0].span.lo).0, 1);
    let text = render(&sources, &diags, false);
    assert!(text.contains("syntax.kl:1:"), "{text}");
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

/// Every prefix of every conformance program (cut at char boundaries).
#[test]
fn prefixes_of_programs_do_not_crash() {
    for path in conformance_files() {
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

/// Conformance programs with chars swapped, deleted and duplicated at random.
#[test]
fn garbled_programs_do_not_crash() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for path in conformance_files() {
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
