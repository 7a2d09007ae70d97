//! Parser tests: source in, the tree as a one-line S-expression out (see
//! `common/sexpr.rs`), and for broken input, the diagnostics' messages.

mod common;

use common::sexpr;
use kiln_syntax::{parse, FileId};

/// Parses `src`, which must have no errors, and compares its items' S-expression
/// forms (one line per item) with `expected`.
#[track_caller]
fn check(src: &str, expected: &str) {
    let (module, diags) = parse(FileId(0), src);
    let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages.is_empty(),
        "{src:?}: unexpected errors {messages:?}"
    );
    assert_eq!(sexpr::module(&module), expected, "source: {src:?}");
}

/// Checks a table of `(source, expected)` pairs.
#[track_caller]
fn check_all(cases: &[(&str, &str)]) {
    for (src, expected) in cases {
        check(src, expected);
    }
}

/// The messages of the diagnostics for `src`, and its tree.
fn errors(src: &str) -> (Vec<String>, String) {
    let (module, diags) = parse(FileId(0), src);
    let messages = diags.into_iter().map(|d| d.message).collect();
    (messages, sexpr::module(&module))
}

#[track_caller]
fn check_error(src: &str, expected_messages: &[&str], expected_tree: &str) {
    let (messages, tree) = errors(src);
    assert_eq!(messages, expected_messages, "source: {src:?}");
    assert_eq!(tree, expected_tree, "source: {src:?}");
}

#[test]
fn precedence() {
    check_all(&[
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("1 * 2 + 3", "(+ (* 1 2) 3)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a || b && c", "(|| a (&& b c))"),
        ("a && b == c", "(&& a (== b c))"),
        ("a == b | c", "(== a (| b c))"),
        ("a | b ^ c & d", "(| a (^ b (& c d)))"),
        ("a & b << c", "(& a (<< b c))"),
        ("a << b + c", "(<< a (+ b c))"),
        ("a + b % c", "(+ a (% b c))"),
        ("0xff & 0x0f | 0x30", "(| (& 255 15) 48)"),
        ("-a / b", "(/ (- a) b)"),
        ("!(4 == 5)", "(! (== 4 5))"),
        ("~0", "(~ 0)"),
        ("- - x", "(- (- x))"),
    ]);
}

#[test]
fn casts_bind_between_unary_and_multiplication() {
    check_all(&[
        ("-3.99 as int", "(as (- 3.99) int)"),
        ("7 as float / 2.0", "(/ (as 7 float) 2.0)"),
        ("a * b as float", "(* a (as b float))"),
        ("x as u8 as int", "(as (as x u8) int)"),
        ("n as int < 5", "(< (as n int) 5)"),
        ("small as int + 1", "(+ (as small int) 1)"),
        ("f(x) as float", "(as (call f x) float)"),
    ]);
}

#[test]
fn assignment_is_right_associative_and_loosest() {
    check_all(&[
        ("a = b = c", "(= a (= b c))"),
        ("x += 1", "(+= x 1)"),
        ("x -= y * 2", "(-= x (* y 2))"),
        ("a <<= 1", "(<<= a 1)"),
        ("a >>= 1", "(>>= a 1)"),
        ("a ^= b", "(^= a b)"),
        ("a %= b", "(%= a b)"),
        ("m[k] = v || w", "(= (index m k) (|| v w))"),
        ("p.x = 3.0", "(= (. p x) 3.0)"),
    ]);
}

#[test]
fn ranges() {
    check_all(&[
        ("0..10", "(.. 0 10)"),
        ("0..=n + 1", "(..= 0 (+ n 1))"),
        ("a == 0..5", "(== a (.. 0 5))"),
        ("s[a..]", "(index s (.. a _))"),
        ("s[..b]", "(index s (.. _ b))"),
        ("s[..]", "(index s (.. _ _))"),
        ("xs[2..5]", "(index xs (.. 2 5))"),
        ("(0..3).rev()", "(.rev (.. 0 3))"),
        ("1..5", "(.. 1 5)"),
        ("for i in 0.. { }", "(for i (.. 0 _) {})"),
    ]);
}

#[test]
fn postfix_forms() {
    check_all(&[
        ("f(1, 2)", "(call f 1 2)"),
        ("f()", "(call f)"),
        ("Point(x: 1.0, y: 2.0)", "(call Point x: 1.0 y: 2.0)"),
        ("a.b.c", "(. (. a b) c)"),
        ("xs.len()", "(.len xs)"),
        (
            "xs.map(|x| x * x).filter(|x| x % 2 == 0)",
            "(.filter (.map xs (|x| (* x x))) (|x| (== (% x 2) 0)))",
        ),
        ("Shape.Rect(w: 2.0, h: 3.0)", "(.Rect Shape w: 2.0 h: 3.0)"),
        ("t.0", "(. t 0)"),
        ("t.0.1", "(. (. t 0) 1)"),
        ("t.1.x", "(. (. t 1) x)"),
        ("p.0 < q.0", "(< (. p 0) (. q 0))"),
        ("a[i][j]", "(index (index a i) j)"),
        ("parse(x)?", "(? (call parse x))"),
        ("x?.y?", "(? (. (? x) y))"),
        ("2.0.pow(10.0)", "(.pow 2.0 10.0)"),
        ("1.foo", "(. 1 foo)"),
        (
            "(7.0).floor() + 0.5.round()",
            "(+ (.floor 7.0) (.round 0.5))",
        ),
        ("f(a)(b)", "(call (call f a) b)"),
    ]);
}

#[test]
fn literals_and_collections() {
    check_all(&[
        ("42", "42"),
        ("1_000_000 + 0b101 + 0o17", "(+ (+ 1000000 5) 15)"),
        ("1e300", "1e300"),
        ("1.5e-3", "0.0015"),
        ("'x'", "'x'"),
        ("true", "true"),
        ("()", "()"),
        ("(1)", "1"),
        ("(1,)", "(tuple 1)"),
        ("(1, \"two\", 3.0)", "(tuple 1 \"two\" 3.0)"),
        ("[]", "[]"),
        ("[1, 2, 3,]", "[1 2 3]"),
        ("[[0; 3]; 2]", "[[0; 3]; 2]"),
        ("[:]", "[map ]"),
        ("[\"a\": 1, \"b\": 2]", "[map \"a\": 1, \"b\": 2]"),
        ("[(0, 0): \"o\"]", "[map (tuple 0 0): \"o\"]"),
        ("[\n  1,\n  2\n]", "[1 2]"),
    ]);
}

#[test]
fn strings_and_interpolation() {
    check_all(&[
        (r#""hello""#, r#""hello""#),
        (r#""""#, r#""""#),
        (
            r#""{name} has {n * 2} legs""#,
            r#""{name} has {(* n 2)} legs""#,
        ),
        (r#""{{literal}} braces""#, r#""{literal} braces""#),
        (r#""pi ~ {PI:.3}""#, r#""pi ~ {PI:.3}""#),
        (r#""[{name:>6}]""#, r#""[{name:>6}]""#),
        (r#""{names.join(", ")}""#, r#""{(.join names ", ")}""#),
        (r#""{m["k"]}""#, r#""{(index m "k")}""#),
        (r#""{f("a{b}c")}""#, r#""{(call f "a{b}c")}""#),
        (r#""{xs.map(|x| x)}""#, r#""{(.map xs (|x| x))}""#),
        (r#""{c:?}""#, r#""{c:?}""#),
        (r#""{'}'}""#, r#""{'}'}""#),
        (
            r#""tab\tand\\slash \"q\" \u{41}""#,
            r#""tab\tand\\slash \"q\" A""#,
        ),
        ("\"two\nlines\"", r#""two\nlines""#),
    ]);
}

#[test]
fn interpolation_spans_are_absolute() {
    let src = r#"let s = "ab{xyz}""#;
    let (module, diags) = parse(FileId(0), src);
    assert!(diags.is_empty());
    let kiln_syntax::ast::ItemKind::Stmt(stmt) = &module.items[0].kind else {
        panic!("not a statement");
    };
    let kiln_syntax::ast::StmtKind::Let { init, .. } = &stmt.kind else {
        panic!("not a let");
    };
    let kiln_syntax::ast::ExprKind::Str(parts) = &init.kind else {
        panic!("not a string");
    };
    let kiln_syntax::ast::StrPart::Interp { expr, span, .. } = &parts[1] else {
        panic!("not an interpolation");
    };
    assert_eq!(&src[expr.span.lo as usize..expr.span.hi as usize], "xyz");
    assert_eq!(&src[span.lo as usize..span.hi as usize], "{xyz}");
}

#[test]
fn closures() {
    check_all(&[
        ("|x| x + 1", "(|x| (+ x 1))"),
        ("|x: int, y| x", "(|x: int, y| x)"),
        ("|| { count += 1 }", "(|| {(+= count 1)})"),
        ("|x| -> int { x }", "(|x| -> int {x})"),
        (
            "|f: fn(int) -> int, x: int| f(f(x))",
            "(|f: fn(int) -> int, x: int| (call f (call f x)))",
        ),
        (
            "[0, 1].map(|i| |x: int| x + i)",
            "(.map [0 1] (|i| (|x: int| (+ x i))))",
        ),
        ("[double, |x| x * x]", "[double (|x| (* x x))]"),
        (
            "xs.fold(0, |acc, x| acc + x)",
            "(.fold xs 0 (|acc, x| (+ acc x)))",
        ),
        ("f(|| {\n  a\n  b\n})", "(call f (|| {a; b}))"),
    ]);
}

#[test]
fn control_flow() {
    check_all(&[
        (
            "if x < 0 { -1 } else if x == 0 { 0 } else { 1 }",
            "(if (< x 0) {(- 1)} (if (== x 0) {0} {1}))",
        ),
        ("if a {\n  b\n}\nelse {\n  c\n}", "(if a {b} {c})"),
        ("if let Some(x) = e { x }", "(if (let Some(x) e) {x})"),
        ("while i < 10 { i += 1 }", "(while (< i 10) {(+= i 1)})"),
        (
            "while let Some(t) = s.pop() { print(t) }",
            "(while (let Some(t) (.pop s)) {(call print t)})",
        ),
        ("loop { break }", "(loop {(break _)})"),
        ("loop { break n }", "(loop {(break n)})"),
        (
            "for (i, x) in xs.enumerate() { }",
            "(for (i, x) (.enumerate xs) {})",
        ),
        ("for _ in 0..10 { }", "(for _ (.. 0 10) {})"),
        ("fn f() { return }", "(fn f() {(return _)})"),
        ("fn f() { return 1 }", "(fn f() {(return 1)})"),
        (
            "while c { yield i; i += 2 }",
            "(while c {(yield i); (+= i 2)})",
        ),
        ("loop { continue }", "(loop {continue})"),
        (
            "let x = loop {\n  n += 7\n  if n % 5 == 0 { break n }\n}",
            "(let x = (loop {(+= n 7); (if (== (% n 5) 0) {(break n)})}))",
        ),
    ]);
}

#[test]
fn match_arms() {
    check_all(&[
        (
            "match s {\n  Circle(r) => 3.0 * r,\n  Rect(w, h) => w * h,\n  Empty => 0.0,\n}",
            "(match s (Circle(r) => (* 3.0 r)) (Rect(w, h) => (* w h)) (Empty => 0.0))",
        ),
        (
            "match n { 0 => \"z\", 1 | 2 | 3 => \"s\", 4..=9 => \"d\", x if x < 0 => \"n\", _ => \"b\" }",
            "(match n (0 => \"z\") ([1 | 2 | 3] => \"s\") (4..=9 => \"d\") (x if (< x 0) => \"n\") (_ => \"b\"))",
        ),
        (
            "match x {\n  Some(x) => { yield x; left -= 1 },\n  None => return,\n}",
            "(match x (Some(x) => {(yield x); (-= left 1)}) (None => (return _)))",
        ),
        (
            "match x {\n  A => { 1 }\n  B => 2\n}",
            "(match x (A => {1}) (B => 2))",
        ),
        ("match x { A => { 1 } B => 2 }", "(match x (A => {1}) (B => 2))"),
        ("match p { (0, _) => 1, (n, \"x\") => n }", "(match p ((0, _) => 1) ((n, \"x\") => n))"),
    ]);
}

#[test]
fn patterns() {
    check_all(&[
        ("let (a, b) = t", "(let (a, b) = t)"),
        ("let () = t", "(let () = t)"),
        ("let (a,) = t", "(let (a) = t)"),
        ("let ((a)) = t", "(let a = t)"),
        (
            "match x { -1 => a, -2.5 => b, 'a'..='z' => c, true => d }",
            "(match x (-1 => a) (-2.5 => b) ('a'..='z' => c) (true => d))",
        ),
        (
            "match x { Shape.Rect(w: a, h: _) => a, Shape.Empty => 0 }",
            "(match x (Shape.Rect(w: a, h: _) => a) (Shape.Empty => 0))",
        ),
        (
            "match x { Some((a, b)) => a, (1 | 2) => b }",
            "(match x (Some((a, b)) => a) ([1 | 2] => b))",
        ),
        (
            "match x { Some(1 | 2) => a }",
            "(match x (Some([1 | 2]) => a))",
        ),
        ("match x { 0..10 => a }", "(match x (0..10 => a))"),
    ]);
}

#[test]
fn types() {
    check_all(&[
        ("let x: int = 1", "(let x: int = 1)"),
        ("let x: [[int]] = a", "(let x: [[int]] = a)"),
        ("let x: [str: int] = [:]", "(let x: [str: int] = [map ])"),
        ("let x: (int, str) = a", "(let x: (int, str) = a)"),
        ("let x: () = a", "(let x: () = a)"),
        ("let x: (int) = a", "(let x: int = a)"),
        ("let x: (int,) = a", "(let x: (int) = a)"),
        ("let x: int?? = a", "(let x: int?? = a)"),
        (
            "let x: Option<Option<int>> = a",
            "(let x: Option<Option<int>> = a)",
        ),
        (
            "let x: Pair<A, [Option<B>]> = a",
            "(let x: Pair<A, [Option<B>]> = a)",
        ),
        (
            "let x: Option<Option<int>>= a",
            "(let x: Option<Option<int>> = a)",
        ),
        (
            "let f: fn(int, str) -> bool = a",
            "(let f: fn(int, str) -> bool = a)",
        ),
        ("let f: fn() = a", "(let f: fn() = a)"),
        (
            "let f: fn() -> fn() -> int = a",
            "(let f: fn() -> fn() -> int = a)",
        ),
        ("let r: geometry.Rect = a", "(let r: geometry.Rect = a)"),
        ("let g: Gen<int>? = a", "(let g: Gen<int>? = a)"),
    ]);
}

#[test]
fn items() {
    check_all(&[
        ("fn f<T, U>(xs: [T], f: fn(T) -> U) -> [U] { out }", "(fn f<T, U>(xs: [T], f: fn(T) -> U) -> [U] {out})"),
        ("extern fn cbrt(x: float) -> float", "(extern cbrt(x: float) -> float)"),
        ("struct Point { x: float, y: float }", "(struct Point {x: float, y: float})"),
        ("struct P<T> {\n  x: T\n  y: Option<T>\n}", "(struct P<T> {x: T, y: Option<T>})"),
        ("struct E {}", "(struct E {})"),
        ("enum Shape { Circle(float), Rect(w: float, h: float), Empty, }", "(enum Shape Circle(float) Rect{w: float, h: float} Empty)"),
        ("enum C {\n  Red\n  Green,\n  Blue\n}", "(enum C Red Green Blue)"),
        (
            "impl<T> Stack<T> {\n  fn new() -> Stack<T> { Stack(items: []) }\n  fn push(self, x: T) { self.items.push(x) }\n}",
            "(impl<T> Stack<T> (fn new() -> Stack<T> {(call Stack items: [])}) (fn push(self, x: T) {(.push (. self items) x)}))",
        ),
        ("type Grid = [[int]]", "(type Grid [[int]])"),
        ("type P<T> = Pair<T, T>\nlet x = 1", "(type P<T> Pair<T, T>)\n(let x = 1)"),
        ("import geometry", "(import geometry)"),
        ("test \"bump grows\" { assert(x) }", "(test \"bump grows\" {(call assert x)})"),
        ("fn f()\n{\n  1\n}", "(fn f() {1})"),
        ("fn f() { fn g() { } g() }", "(fn f() {(fn g() {}); (call g)})"),
        ("let extern = 1", "(let extern = 1)"),
    ]);
}

#[test]
fn statements_and_separators() {
    check_all(&[
        ("bump(); bump()", "(call bump)\n(call bump)"),
        ("a\nb\n\n\nc", "a\nb\nc"),
        ("let x = 1 +\n  2", "(let x = (+ 1 2))"),
        ("let x = a\n  .b()\n  .c()", "(let x = (.c (.b a)))"),
        ("let x = a\n  && b\n  || c", "(let x = (|| (&& a b) c))"),
        ("let x = a >\n  b", "(let x = (> a b))"),
        (
            "fn f() -> fn() -> int {\n  var n = 0\n  || { n += 1; n }\n}",
            "(fn f() -> fn() -> int {(var n = 0); (|| {(+= n 1); n})})",
        ),
        ("f(1,\n  2)", "(call f 1 2)"),
        ("let x =\n  5", "(let x = 5)"),
        ("var total = 0", "(var total = 0)"),
        ("let name: str = \"kiln\"", "(let name: str = \"kiln\")"),
        ("if a { } b", "(if a {})\nb"),
        ("x // comment\ny", "x\ny"),
        ("x /* multi\nline */ y", "x\ny"),
        ("x /* one line */ + y", "(+ x y)"),
        (
            "fn f() -> int { 1 } fn g() { }",
            "(fn f() -> int {1})\n(fn g() {})",
        ),
    ]);
}

#[test]
fn comparisons_do_not_chain() {
    check_error(
        "a < b < c",
        &["comparison operators cannot be chained"],
        "(< (< a b) c)",
    );
    check_error(
        "a == b != c",
        &["comparison operators cannot be chained"],
        "(!= (== a b) c)",
    );
    check_error(
        "x < 0 == false",
        &["comparison operators cannot be chained"],
        "(== (< x 0) false)",
    );
    check_error(
        "0..1..2",
        &["range operators cannot be chained"],
        "(.. (.. 0 1) 2)",
    );
}

#[test]
fn syntax_errors_recover() {
    check_error(
        "fn broken(a: int -> int { a }\nlet y = 2",
        &["expected `,` or `)`, found `->`"],
        "(fn broken(a: int) -> int {a})\n(let y = 2)",
    );
    check_error(
        "let x = \nlet y = 2",
        &["expected an expression, found `let`"],
        "(let x = <error>)\n(let y = 2)",
    );
    check_error(
        "let x = 5 6\nlet y = 2",
        &["expected newline or `;`, found `6`"],
        "(let x = 5)\n(let y = 2)",
    );
    check_error(
        "f(a b)\ng()",
        &["expected `,` or `)`, found `b`"],
        "(call f a)\n(call g)",
    );
    check_error(
        "foo(1, 2\nlet y = 3",
        &["expected `)`, found newline"],
        "(call foo 1 2)\n(let y = 3)",
    );
    check_error(
        "fn f() {\n  let x = 1 +\n}\nlet y = 2",
        &["expected an expression, found `}`"],
        "(fn f() {(let x = (+ 1 <error>))})\n(let y = 2)",
    );
    check_error(
        "let x = 1 let y = 2",
        &["expected newline or `;`, found `let`"],
        "(let x = 1)\n(let y = 2)",
    );
    check_error(
        "fn f(x) { }",
        &["missing type for parameter `x`"],
        "(fn f(x) {})",
    );
    check_error(
        "x = )\ny",
        &["expected an expression, found `)`"],
        "(= x <error>)\ny",
    );
    check_error("}\nx", &["unexpected `}`"], "x");
    check_error(
        "fn f() {\n  x\n",
        &["expected `}`, found end of file"],
        "(fn f() {x})",
    );
    check_error("t.0x1", &["invalid tuple index `0x1`"], "<error>");
    check_error(
        "let s = \"{}\"",
        &["empty interpolation"],
        "(let s = \"{<error>}\")",
    );
    check_error(
        "let s = \"{a b}\"",
        &["expected `}` after the interpolated expression, found `b`"],
        "(let s = \"{a}\")",
    );
    check_error(
        "struct P { x int, y: int }",
        &["expected `:`, found `int`"],
        "(struct P {x: <error>, y: int})",
    );
    check_error(
        "match x { A -> 1, B => 2 }",
        &["expected `=>`, found `->`"],
        "(match x (A => <error>) (B => 2))",
    );
    check_error(
        "impl P { let x = 1\n fn f() { } }",
        &["expected `fn` (an `impl` block holds only methods), found `let`"],
        "(impl P (fn f() {}))",
    );
    check_error(
        "extern fn f() { }",
        &["an `extern fn` has no body"],
        "(extern f())",
    );
    check_error(
        "fn f(a: int, self) { }",
        &["`self` must be the first parameter"],
        "(fn f(a: int, self) {})",
    );
}

#[test]
fn lexical_errors_reach_the_parser_output() {
    let (messages, _) = errors("let x = 1 @ 2");
    assert_eq!(messages[0], "unexpected character `@`");
    let (messages, _) = errors("let s = \"abc");
    assert_eq!(messages, ["unterminated string"]);
    let (messages, _) = errors("/* never closed");
    assert_eq!(messages, ["unterminated block comment"]);
    let (messages, _) = errors("let s = \"{a @ b}\"");
    assert_eq!(messages[0], "unexpected character `@`");
}

#[test]
fn one_error_per_position() {
    let (messages, _) = errors("x = = = = y");
    assert_eq!(messages, ["expected an expression, found `=`"]);
    let (messages, _) = errors("let = = = =");
    assert_eq!(messages.len(), 2, "{messages:?}");
}

#[test]
fn spans_cover_their_source() {
    let src = "let total = price * (1 + rate)";
    let (module, _) = parse(FileId(0), src);
    let item = &module.items[0];
    assert_eq!((item.span.lo, item.span.hi), (0, src.len() as u32));
}
