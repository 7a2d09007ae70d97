//! Lexer tests: each token prints as a short word (`#42` for an int, `⏎` for a
//! statement-ending newline, spelling for keywords and punctuation), so a case is
//! one line of source and one line of expected tokens.

use kiln_syntax::lexer::{is_incomplete, lex, EntryLexer};
use kiln_syntax::token::{StrPiece, TokenKind};
use kiln_syntax::{dump_tokens, FileId, SourceMap};

fn show_kind(src: &str, kind: &TokenKind) -> String {
    match kind {
        TokenKind::Ident(name) => name.clone(),
        TokenKind::Int(v) => format!("#{v}"),
        TokenKind::Float(v) => format!("#{v:?}"),
        TokenKind::Char(c) => format!("{c:?}"),
        TokenKind::Str(pieces) => {
            let pieces: Vec<String> = pieces.iter().map(|p| show_piece(src, p)).collect();
            format!("str[{}]", pieces.join(" "))
        }
        TokenKind::Newline => "⏎".to_string(),
        TokenKind::Eof => "EOF".to_string(),
        other => other.spelling().unwrap_or("?").to_string(),
    }
}

fn show_piece(src: &str, piece: &StrPiece) -> String {
    match piece {
        StrPiece::Text(t) => format!("{t:?}"),
        StrPiece::Interp { expr, spec, .. } => {
            let text = &src[expr.lo as usize..expr.hi as usize];
            match spec {
                Some(spec) => format!("{{{text}:{spec}}}"),
                None => format!("{{{text}}}"),
            }
        }
    }
}

/// The tokens of `src` (without the final EOF) and the lexer's messages.
fn lex_show(src: &str) -> (String, Vec<String>) {
    let (tokens, diags) = lex(FileId(0), src);
    assert_eq!(tokens.last().map(|t| &t.kind), Some(&TokenKind::Eof));
    let shown: Vec<String> = tokens[..tokens.len() - 1]
        .iter()
        .map(|t| show_kind(src, &t.kind))
        .collect();
    (
        shown.join(" "),
        diags.into_iter().map(|d| d.message).collect(),
    )
}

#[track_caller]
fn check(src: &str, expected: &str) {
    let (shown, messages) = lex_show(src);
    assert!(messages.is_empty(), "{src:?}: {messages:?}");
    assert_eq!(shown, expected, "source: {src:?}");
}

#[track_caller]
fn check_all(cases: &[(&str, &str)]) {
    for (src, expected) in cases {
        check(src, expected);
    }
}

#[track_caller]
fn check_error(src: &str, expected: &str, messages: &[&str]) {
    let (shown, got) = lex_show(src);
    assert_eq!(got, messages, "source: {src:?}");
    assert_eq!(shown, expected, "source: {src:?}");
}

#[test]
fn integers() {
    check_all(&[
        ("42", "#42"),
        ("0", "#0"),
        ("1_000_000", "#1000000"),
        ("0xff", "#255"),
        ("0xFF_FF", "#65535"),
        ("0b1010", "#10"),
        ("0o17", "#15"),
        ("18446744073709551615", "#18446744073709551615"),
        ("0xffffffffffffffff", "#18446744073709551615"),
    ]);
}

#[test]
fn floats() {
    check_all(&[
        ("1.0", "#1.0"),
        ("1.5e-3", "#0.0015"),
        ("2e10", "#20000000000.0"),
        ("2E+3", "#2000.0"),
        ("1_0.2_5", "#10.25"),
        ("1e300", "#1e300"),
    ]);
}

#[test]
fn dots_after_numbers() {
    check_all(&[
        ("1..5", "#1 .. #5"),
        ("1..=5", "#1 ..= #5"),
        ("1.foo", "#1 . foo"),
        ("2.0.pow(1.0)", "#2.0 . pow ( #1.0 )"),
        ("t.0", "t . #0"),
        ("t.0.1", "t . #0.1"),
        ("x.0.y", "x . #0 . y"),
    ]);
}

#[test]
fn number_errors() {
    check_error(
        "99999999999999999999",
        "#0",
        &["integer literal is too large"],
    );
    check_error(
        "0x1_0000_0000_0000_0000",
        "#0",
        &["integer literal is too large"],
    );
    check_error("0b102", "#0", &["invalid digit `2` in a base-2 literal"]);
    check_error("0x", "#0", &["missing digits after `0x`"]);
    check_error("12abc", "#12", &["invalid suffix `abc` on a number"]);
    check_error("1e", "#1", &["invalid suffix `e` on a number"]);
}

#[test]
fn chars() {
    check_all(&[
        ("'a'", "'a'"),
        ("'\\n'", "'\\n'"),
        ("'\\t' '\\r' '\\0'", "'\\t' '\\r' '\\0'"),
        ("'\\''", "'\\''"),
        ("'\\\\'", "'\\\\'"),
        ("'\"'", "'\"'"),
        ("'\\u{1F600}'", "'😀'"),
        ("'é'", "'é'"),
        ("'{'", "'{'"),
    ]);
}

#[test]
fn char_errors() {
    check_error("''", "'\\0'", &["empty char literal"]);
    check_error(
        "'ab'",
        "'a'",
        &["char literal holds more than one character"],
    );
    check_error("'a", "'a'", &["unterminated char literal"]);
    check_error("'", "'\\0'", &["unterminated char literal"]);
    check_error("'\\q'", "'q'", &["unknown escape `\\q`"]);
    check_error("'\\u{110000}'", "'\\0'", &["invalid unicode escape"]);
    check_error("'\\u{}'", "'\\0'", &["invalid unicode escape"]);
    check_error("'\\u41'", "'\\0'", &["expected `{` after `\\u`"]);
}

#[test]
fn strings() {
    check_all(&[
        (r#""hello""#, r#"str["hello"]"#),
        (r#""""#, "str[]"),
        (
            r#""\n\t\r\0\\\"\'\{\}\u{41}""#,
            r#"str["\n\t\r\0\\\"'{}A"]"#,
        ),
        ("\"two\nlines\"", r#"str["two\nlines"]"#),
        (r#""{{x}}""#, r#"str["{x}"]"#),
        (r#""héllo""#, r#"str["héllo"]"#),
    ]);
}

#[test]
fn interpolations() {
    check_all(&[
        (r#""a{x}b""#, r#"str["a" {x} "b"]"#),
        (r#""{x}{y}""#, "str[{x} {y}]"),
        (r#""{n * 2}""#, "str[{n * 2}]"),
        (r#""{PI:.3}""#, "str[{PI:.3}]"),
        (r#""{x:*^9}""#, "str[{x:*^9}]"),
        (r#""{x:?}""#, "str[{x:?}]"),
        (r#""{names.join(", ")}""#, r#"str[{names.join(", ")}]"#),
        (r#""{m["k"]}""#, r#"str[{m["k"]}]"#),
        (r#""{m["a:b"]:>5}""#, r#"str[{m["a:b"]:>5}]"#),
        (r#""{f("}")}""#, r#"str[{f("}")}]"#),
        (r#""{f("{x}")}""#, r#"str[{f("{x}")}]"#),
        (r#""{'}'}""#, "str[{'}'}]"),
        (r#""{m[k:v]}""#, "str[{m[k:v]}]"),
        (r#""{ {a} }""#, "str[{ {a} }]"),
        ("\"{a +\nb}\"", "str[{a +\nb}]"),
    ]);
}

#[test]
fn string_errors() {
    check_error(r#""abc"#, r#"str["abc"]"#, &["unterminated string"]);
    check_error(r#""a{b"#, r#"str["a"]"#, &["unterminated interpolation"]);
    check_error(r#""a}b""#, r#"str["a}b"]"#, &["unmatched `}` in string"]);
    check_error(r#""\q""#, r#"str["q"]"#, &["unknown escape `\\q`"]);
    check_error(r#""\u{D800}""#, "str[]", &["invalid unicode escape"]);
}

#[test]
fn keywords_and_names() {
    check_all(&[
        (
            "fn let var if else while for in loop break continue return match",
            "fn let var if else while for in loop break continue return match",
        ),
        (
            "struct enum impl import type yield as true false test",
            "struct enum impl import type yield as true false test",
        ),
        ("self extern _ _x x1 Foo", "self extern _ _x x1 Foo"),
    ]);
    let (tokens, _) = lex(FileId(0), "self extern");
    assert!(matches!(tokens[0].kind, TokenKind::Ident(_)));
    assert!(matches!(tokens[1].kind, TokenKind::Ident(_)));
}

#[test]
fn operators() {
    check_all(&[
        ("+ - * / % & | ^ ~ !", "+ - * / % & | ^ ~ !"),
        (
            "<< >> && || == != < <= > >= =",
            "<< >> && || == != < <= > >= =",
        ),
        (
            "+= -= *= /= %= &= |= ^= <<= >>=",
            "+= -= *= /= %= &= |= ^= <<= >>=",
        ),
        (
            "( ) [ ] { } , ; : . .. ..= -> => ?",
            "( ) [ ] { } , ; : . .. ..= -> => ?",
        ),
        ("a>>=b", "a >>= b"),
        ("|x|x", "| x | x"),
        ("||{}", "|| { }"),
    ]);
}

#[test]
fn comments() {
    check_all(&[
        ("a // comment\nb", "a ⏎ b"),
        ("a /* x */ b", "a b"),
        ("a /* /* nested */ still */ b", "a b"),
        ("a /* multi\nline */ b", "a ⏎ b"),
        ("// only", ""),
        ("a /", "a /"),
    ]);
    check_error("a /* never", "a", &["unterminated block comment"]);
    check_error("/* /* */", "", &["unterminated block comment"]);
}

#[test]
fn newlines_end_statements() {
    check_all(&[
        ("a\nb", "a ⏎ b"),
        ("a\n\n\n  b", "a ⏎ b"),
        ("a;\nb", "a ; ⏎ b"),
        ("\n\na", "a"),
        ("a\n", "a ⏎"),
        ("f()\n", "f ( ) ⏎"),
        ("x?\ny", "x ? ⏎ y"),
        ("}\nx", "} ⏎ x"),
        ("a\r\nb", "a ⏎ b"),
    ]);
}

#[test]
fn newlines_after_continuing_tokens_are_ignored() {
    check_all(&[
        ("a +\nb", "a + b"),
        ("a ||\nb", "a || b"),
        ("a ==\nb", "a == b"),
        ("a <\nb", "a < b"),
        ("a ..\nb", "a .. b"),
        ("a as\nint", "a as int"),
        ("a,\nb", "a , b"),
        ("x =\n1", "x = #1"),
        ("x +=\n1", "x += #1"),
        ("f() ->\nint", "f ( ) -> int"),
        ("a =>\nb", "a => b"),
        ("a.\nb", "a . b"),
        ("{\na\n}", "{ a ⏎ }"),
    ]);
}

#[test]
fn newlines_before_continuing_tokens_are_ignored() {
    check_all(&[
        ("a\n.b()", "a . b ( )"),
        ("a\n  && b", "a && b"),
        ("a\n  || b", "a || b"),
        ("}\nelse {", "} else {"),
        ("a\n  || { b }", "a ⏎ || { b }"),
        ("a\n  || -> int { b }", "a ⏎ || -> int { b }"),
        ("}\n// comment\nelse {", "} else {"),
    ]);
}

/// `>` closes generic lists, so a line ending in it still ends (the parser
/// skips the newline when `>` was an operator).
#[test]
fn newline_after_greater_than_is_kept() {
    check_all(&[
        (
            "type P = Pair<int, int>\nx",
            "type P = Pair < int , int > ⏎ x",
        ),
        ("a >>\nb", "a >> ⏎ b"),
    ]);
}

#[test]
fn newlines_inside_brackets_are_ignored() {
    check_all(&[
        ("f(\na,\nb\n)", "f ( a , b )"),
        ("[\n1\n2\n]", "[ #1 #2 ]"),
        ("f(|| {\na\nb\n})\nc", "f ( || { a ⏎ b ⏎ } ) ⏎ c"),
        ("(a\n+ b)", "( a + b )"),
    ]);
}

/// A statement keyword at the start of a line inside an unclosed `(` or `[`
/// means the bracket was never closed: the statement ends there.
#[test]
fn unclosed_bracket_before_statement_keyword() {
    check_all(&[
        ("f(a\nlet x = 1", "f ( a ⏎ let x = #1"),
        ("f(a\nfn g() {}", "f ( a ⏎ fn g ( ) { }"),
        ("g(\nfn(x) 1)", "g ( fn ( x ) #1 )"),
        ("[a\nstruct S {}\nb", "[ a ⏎ struct S { } ⏎ b"),
    ]);
}

#[test]
fn unknown_characters_are_skipped() {
    check_error("a @ b", "a b", &["unexpected character `@`"]);
    check_error("a @#$ b", "a b", &["unexpected characters `@#$`"]);
    check_error("a é b", "a b", &["unexpected character `é`"]);
    check_error("a \\ b", "a b", &["unexpected character `\\`"]);
    // Control and invisible characters are escaped in the message.
    check_error("a\0b", "a b", &["unexpected character `\\0`"]);
}

#[test]
fn byte_order_mark_is_skipped() {
    check("\u{feff}let x", "let x");
    check_error("a \u{feff}", "a", &["unexpected character `\\u{feff}`"]);
}

#[test]
fn spans_are_byte_ranges() {
    let src = "let s = \"é{x}\"";
    let (tokens, _) = lex(FileId(3), src);
    let texts: Vec<&str> = tokens
        .iter()
        .map(|t| &src[t.span.lo as usize..t.span.hi as usize])
        .collect();
    assert_eq!(texts, ["let", "s", "=", "\"é{x}\"", ""]);
    assert_eq!(tokens[0].span.file, FileId(3));
    let TokenKind::Str(pieces) = &tokens[3].kind else {
        panic!("not a string");
    };
    let StrPiece::Interp { expr, span, .. } = &pieces[1] else {
        panic!("not an interpolation");
    };
    assert_eq!(&src[expr.lo as usize..expr.hi as usize], "x");
    assert_eq!(&src[span.lo as usize..span.hi as usize], "{x}");
}

#[test]
fn dump_format() {
    let mut sources = SourceMap::new();
    let src = "let x = 1\nprintln(\"a\nb\")";
    let file = sources.add("a.kl", src);
    let (tokens, _) = lex(file, src);
    let dump = dump_tokens(&sources, &tokens);
    let expected = "\
1:1  LET  let
1:5  IDENT  x
1:7  EQ  =
1:9  INT  1
1:10  NEWLINE  \\n
2:1  IDENT  println
2:8  LPAREN  (
2:9  STR  \"a\\nb\"
3:3  RPAREN  )
3:4  EOF  
";
    assert_eq!(dump, expected);
}

#[test]
fn incomplete_input() {
    assert!(is_incomplete("fn f() {"));
    assert!(is_incomplete("foo(1,"));
    assert!(is_incomplete("let s = \"abc"));
    assert!(is_incomplete("/* open"));
    assert!(is_incomplete("[1, 2"));
    assert!(!is_incomplete("fn f() { }"));
    assert!(!is_incomplete("1 + 2"));
    assert!(!is_incomplete(""));
}

/// An entry read a line at a time is incomplete exactly when its text so far is:
/// resuming at the start of the last line gives what lexing it all would.
#[test]
fn entry_read_by_lines_agrees_with_the_whole_text() {
    let sessions = [
        "fn f() {\n    let x = 1\n\n    x +\n        2\n}",
        "let xs = [\n    1,\n    2\n]",
        "foo(1,\n  2\n  let y = 3\n)",
        "let s = \"a\nb {x +\n 1} c\n\"",
        "/* a\n /* b */\n c */ 1",
        "1 +\n\n2",
        "if t {\n  1\n}\nelse {\n  2\n}",
        "xs\n  .map(|x| {\n    x\n  })",
        "let f = ||\n{ 1 }",
        "'\n'",
        "x // {\n(\n\"[\n\"\n)",
        "\u{feff}fn f() {\n}",
        "let s = \"one\n{{two\n\nthree}}\\\n\\\"four\n\" + \"\nfive\"",
        "/* a\n/* b\n\n*/ c\n*/ x +\n/*\n*/ 1",
        "f(\"a\n\", /* (\n */\n)",
    ];
    for text in sessions {
        check_entry_by_lines(text);
    }
}

/// The same for every test program, as if each were one entry.
#[test]
fn test_programs_read_by_lines_agree_with_their_whole_text() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut dirs = vec![root];
    let mut files = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "kl") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    check_entry_by_lines(&text);
                    files += 1;
                }
            }
        }
    }
    assert!(files > 100, "only {files} programs");
}

/// Reads `text` into an [`EntryLexer`] a line at a time, checking after each line
/// that it is incomplete exactly when the text so far is.
fn check_entry_by_lines(text: &str) {
    let mut lines = text.split('\n');
    let mut entry = EntryLexer::new(lines.next().unwrap());
    let mut so_far = entry.text().to_string();
    assert_eq!(entry.is_incomplete(), is_incomplete(&so_far), "{so_far:?}");
    for line in lines {
        entry.push_line(line);
        so_far.push('\n');
        so_far.push_str(line);
        assert_eq!(entry.text(), so_far);
        assert_eq!(entry.is_incomplete(), is_incomplete(&so_far), "{so_far:?}");
    }
}

/// `kiln emit --tokens` on one very long line: the columns count chars, and the
/// dump takes time linear in the line (it once took minutes for this line, as
/// every token's column was counted from the start of the line).
#[test]
fn dump_of_one_long_line() {
    let units = 500_000;
    let src = format!("{}1\n", "\"é\"+".repeat(units));
    let mut sources = SourceMap::new();
    let file = sources.add("long.kl", src.as_str());
    let (tokens, diags) = lex(file, &src);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(tokens.len(), 2 * units + 3);
    let dump = dump_tokens(&sources, &tokens);
    let lines: Vec<&str> = dump.lines().collect();
    assert_eq!(lines.len(), tokens.len());
    // Each unit is 4 chars (5 bytes): its string at 4k+1, its `+` at 4k+4.
    for k in [0, 1, 7, units / 2, units - 1] {
        assert_eq!(lines[2 * k], format!("1:{}  STR  \"é\"", 4 * k + 1));
        assert_eq!(lines[2 * k + 1], format!("1:{}  PLUS  +", 4 * k + 4));
    }
    assert_eq!(lines[2 * units], format!("1:{}  INT  1", 4 * units + 1));
    assert_eq!(
        lines[2 * units + 1],
        format!("1:{}  NEWLINE  \\n", 4 * units + 2)
    );
    assert_eq!(lines[2 * units + 2], "2:1  EOF  ");
}
