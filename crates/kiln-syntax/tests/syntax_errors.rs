//! How syntax errors look to a user: each snapshot holds the source and the
//! rendered diagnostics (`diagnostic::render`, no colour) together.

use kiln_syntax::{parse, render, SourceMap};

/// The source, a separator, and every diagnostic for it as the CLI would print it.
fn rendered(name: &str, src: &str) -> String {
    let mut sources = SourceMap::new();
    let file = sources.add(format!("{name}.kl"), src);
    let (_, diags) = parse(file, src);
    format!("{src}\n-----\n{}", render(&sources, &diags, false))
}

macro_rules! snapshot {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(rendered(stringify!($name), $src));
        }
    };
}

snapshot!(missing_paren_in_params, "fn broken(a: int -> int { a }\n");

snapshot!(
    unclosed_call_before_let,
    "let total = add(1, 2\nlet y = total * 2\nprintln(y)\n"
);

snapshot!(
    unclosed_block_at_end,
    "fn main_loop() {\n    var i = 0\n    while i < 3 {\n        i += 1\n    }\n"
);

snapshot!(chained_comparison, "if 1 < x < 10 {\n    println(x)\n}\n");

snapshot!(
    broken_interpolations,
    "println(\"sum: {a +}\")\nprintln(\"empty: {}\")\nprintln(\"two: {a b}\")\n"
);

snapshot!(
    unterminated_string,
    "let greeting = \"hello\nprintln(greeting)\n"
);

snapshot!(
    lexical_errors,
    "let x = 0b102 + 1 @ 2\nlet c = 'ab'\nlet e = \"\\q\"\n"
);

snapshot!(
    several_errors_one_each,
    "let = 5\nlet y = (1 + )\nstruct P { x int }\nmatch y { 1 -> 2 }\nprintln(\"ok\")\n"
);

snapshot!(
    missing_parameter_type,
    "fn area(w, h: int) -> int { w * h }\n"
);

#[test]
fn nested_too_deeply() {
    let src = format!("let x = {}1{}\n", "(".repeat(300), ")".repeat(300));
    let text = rendered("deep", &src);
    let errors = text.matches("error").count();
    assert_eq!(errors, 1, "{text}");
    insta::assert_snapshot!(text.split("-----\n").nth(1).unwrap_or(""));
}

/// Input nested too deeply is skipped, and the constructs around it then see
/// tokens out of place (the `{` of an `if` was skipped with the condition). That
/// is the same mistake, so it gets no second diagnostic.
#[test]
fn nesting_error_gets_one_diagnostic() {
    let deep = "-".repeat(300);
    let not = "!".repeat(300);
    let sources = [
        format!("let x = 1\nif {deep}x == 1 {{ println(1) }}\n"),
        format!("let x = true\nwhile {not}x {{ break }}\n"),
        format!("for i in {deep}1..3 {{ println(i) }}\n"),
        format!("let y = match {deep}1 {{ _ => 1 }}\n"),
        format!("fn f(x: int) -> int {{\n    if x == 0 {{ {deep}x }} else {{ 1 }}\n}}\n"),
    ];
    for src in &sources {
        let text = rendered("deep", src);
        let errors = text.matches("error:").count();
        assert_eq!(errors, 1, "{text}");
        assert!(text.contains("expression nested too deeply"), "{text}");
    }
}

/// An error after the statement with the nesting error is still reported.
#[test]
fn errors_after_a_nesting_error_are_reported() {
    let src = format!("let x = {}1\nlet = 5\n", "-".repeat(300));
    let text = rendered("deep", &src);
    assert_eq!(text.matches("error:").count(), 2, "{text}");
    assert!(text.contains("expected a pattern"), "{text}");
}

/// An `else if` chain is not nesting: thousands of links parse without error.
#[test]
fn long_else_if_chain_parses() {
    let mut src = String::from("let n = 3\nlet s = if n == 0 { 0 }\n");
    for i in 1..10_000 {
        src.push_str(&format!("    else if n == {i} {{ {i} }}\n"));
    }
    src.push_str("    else { -1 }\n");
    let text = rendered("chain", &src);
    assert!(
        !text.contains("error"),
        "{}",
        &text[text.len().saturating_sub(2000)..]
    );
}

// A run of closing brackets that close nothing is one error per line.
snapshot!(stray_closers, "let x = 1\n)) ]\n}\nprintln(x)\n");

/// Only the part of the source after the `-----` of [`rendered`].
fn rendered_errors(name: &str, src: &str) -> String {
    let text = rendered(name, src);
    text.split("-----\n").nth(1).unwrap_or("").to_string()
}

/// A long line is shown as a window of 200 chars around the marker.
#[test]
fn long_line_is_cut_around_the_marker() {
    let src = format!(
        "let total = {} ) {}\n",
        "1 + ".repeat(100),
        "+ 1".repeat(100)
    );
    insta::assert_snapshot!(rendered_errors("long_line", &src));
}

/// A secondary marker outside the window becomes a note with its position.
#[test]
fn far_secondary_marker_on_a_long_line() {
    let src = format!("let v = f({}\nlet y = 2\n", "1, ".repeat(100));
    insta::assert_snapshot!(rendered_errors("far_opener", &src));
}

/// At most 100 diagnostics are rendered, then a count of the rest.
#[test]
fn at_most_a_hundred_errors() {
    let text = rendered_errors("many", &"let = 1\n".repeat(150));
    assert_eq!(text.matches("error: many.kl:").count(), 100, "{text}");
    assert!(text.contains("many.kl:100:5: "), "{text}");
    assert!(
        text.ends_with("note: and 50 more errors (only the first 100 diagnostics are shown)\n\n"),
        "{text}"
    );
}

/// Control and invisible characters are never echoed raw: in the excerpt C0
/// controls show as control pictures (one column each, so markers line up) and
/// others as `\u{..}`; in messages they are escaped.
#[test]
fn control_characters_are_shown_escaped() {
    let src = "let a = 1\0 + 2\nlet b = \"\u{1b}[31m\" @\nlet c = 3 /* \u{202e} */ @\nlet d = 4\u{7f}\r\n";
    let text = rendered_errors("controls", src);
    assert!(
        !text.contains(['\0', '\u{1b}', '\u{202e}', '\u{7f}', '\r']),
        "{text:?}"
    );
    insta::assert_snapshot!(text);
}
