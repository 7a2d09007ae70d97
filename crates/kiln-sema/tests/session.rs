//! The session's contract: units build on each other, a unit with an error leaves
//! the session exactly as it was, and sessions do not see each other's types.

use kiln_sema::hir::ExprKind;
use kiln_sema::ty::{HeapId, Ty};
use kiln_sema::Session;
use kiln_syntax::{FileId, SourceMap};

/// Parses `text` as a unit of its own file and checks it in `session`.
fn unit(
    session: &mut Session,
    sources: &mut SourceMap,
    text: &str,
) -> Result<kiln_sema::Unit, Vec<String>> {
    let file: FileId = sources.add("unit.kl", text);
    let (module, diags) = kiln_syntax::parse(file, text);
    assert!(diags.is_empty(), "syntax errors in a test unit: {diags:?}");
    session
        .check_unit(&module)
        .map_err(|d| d.iter().map(|d| d.message.clone()).collect())
}

/// A rendering of everything the session holds, to compare before and after.
fn summary(session: &Session) -> String {
    let _types = session.enter();
    let p = session.program();
    let funcs: Vec<String> = p
        .funcs
        .iter()
        .map(|f| format!("{}->{}", f.name, f.ret))
        .collect();
    let globals: Vec<String> = p
        .globals
        .iter()
        .map(|g| format!("{}:{}", g.name, g.ty))
        .collect();
    let adts: Vec<&str> = p.adts.iter().map(|a| a.name.as_str()).collect();
    format!(
        "funcs {funcs:?} globals {globals:?} adts {adts:?} types {} units {}",
        session.types().len(),
        session.units()
    )
}

#[test]
fn later_units_see_earlier_declarations() {
    let mut s = Session::persistent();
    let mut src = SourceMap::new();
    unit(
        &mut s,
        &mut src,
        "struct P { x: int }\nfn sq(n: int) -> int { n * n }\nlet k = 3\n",
    )
    .expect("first unit checks");
    let u = unit(&mut s, &mut src, "let p = P(sq(k))\nprintln(p.x)\n")
        .expect("second unit sees P, sq and k");
    // The second unit's `<main>` has an id after every function of the first.
    assert_eq!(s.program().funcs[u.main.index()].name, "<main>");
    assert!(u.main.index() > s.func_named("sq").unwrap().index());
    // In a persistent session every top-level variable lives in a slot.
    assert!(s.program().globals.iter().all(|g| g.from_functions));
}

#[test]
fn a_unit_with_an_error_changes_nothing() {
    let mut s = Session::persistent();
    let mut src = SourceMap::new();
    unit(&mut s, &mut src, "fn one() -> int { 1 }\nlet a = [1, 2]\n").expect("checks");
    let before = summary(&s);
    let errors = unit(
        &mut s,
        &mut src,
        "struct Q { m: [str: float] }\nfn one() -> str { \"x\" }\nlet b = (1, \"t\")\nlet c: int = \"no\"\n",
    )
    .expect_err("the last line is a type error");
    assert!(
        errors.iter().any(|e| e.contains("mismatched types")),
        "{errors:?}"
    );
    assert_eq!(summary(&s), before);
    // The names of the failed unit are not bound; the old `one` still is.
    assert!(unit(&mut s, &mut src, "let d = b\n").is_err());
    assert!(unit(&mut s, &mut src, "let e = Q([:])\n").is_err());
    unit(&mut s, &mut src, "let f: int = one()\n").expect("`one` is still the int one");
}

#[test]
fn a_later_unit_may_declare_a_name_again() {
    let mut s = Session::persistent();
    let mut src = SourceMap::new();
    unit(&mut s, &mut src, "fn v() -> int { 1 }\n").expect("checks");
    let old = s.func_named("v").unwrap();
    unit(&mut s, &mut src, "fn v() -> str { \"one\" }\n").expect("a new `v` takes the name");
    let new = s.func_named("v").unwrap();
    assert_ne!(old, new);
    unit(&mut s, &mut src, "let t: str = v()\n").expect("calls reach the new `v`");
    // Within one unit a name is still declared once.
    let errors = unit(&mut s, &mut src, "fn w() {}\nfn w() {}\n").unwrap_err();
    assert!(errors[0].contains("defined twice"), "{errors:?}");
}

#[test]
fn sessions_do_not_see_each_others_types() {
    let mut a = Session::new();
    let mut b = Session::new();
    let mut src = SourceMap::new();
    unit(
        &mut a,
        &mut src,
        "let xs = [(1, \"a\")]\nlet m = [\"k\": [1.5]]\n",
    )
    .expect("checks");
    unit(&mut b, &mut src, "let ys = [true]\n").expect("checks");
    // Each session interned only its own compound types.
    let a_types = {
        let _t = a.enter();
        a.program()
            .globals
            .iter()
            .map(|g| g.ty.to_string())
            .collect::<Vec<_>>()
    };
    let b_types = {
        let _t = b.enter();
        b.program()
            .globals
            .iter()
            .map(|g| g.ty.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(a_types, ["[(int, str)]", "[str: [float]]"]);
    assert_eq!(b_types, ["[bool]"]);
    assert_eq!(b.types().len(), 1);
    // The same id means different types in different sessions.
    let in_a = a.types().enter(|| Ty::Heap(HeapId(0)).to_string());
    let in_b = b.types().enter(|| Ty::Heap(HeapId(0)).to_string());
    assert_eq!((in_a.as_str(), in_b.as_str()), ("(int, str)", "[bool]"));
    drop(a);
    // Dropping one session leaves the other intact.
    let _t = b.enter();
    assert_eq!(b.program().globals[0].ty.to_string(), "[bool]");
}

#[test]
fn a_file_session_keeps_unread_top_level_variables_in_registers() {
    let mut s = Session::new();
    let mut src = SourceMap::new();
    unit(
        &mut s,
        &mut src,
        "let n = 1\nfn f() -> int { 2 }\nprintln(n + f())\n",
    )
    .expect("checks");
    assert!(!s.program().globals[0].from_functions);
    let main = &s.program().funcs[s.program().main.unwrap().index()];
    assert!(matches!(main.expr(main.body).kind, ExprKind::Block { .. }));
}

/// Parses `text` as a module file and checks it in `session`, with `imports`.
fn module(
    session: &mut Session,
    sources: &mut SourceMap,
    text: &str,
    imports: &[(String, kiln_sema::ModuleId)],
) -> Result<kiln_sema::ModuleId, Vec<String>> {
    let file: FileId = sources.add("module.kl", text);
    let (parsed, diags) = kiln_syntax::parse(file, text);
    assert!(
        diags.is_empty(),
        "syntax errors in a test module: {diags:?}"
    );
    session
        .check_module(&parsed, imports)
        .map(|(_, id)| id)
        .map_err(|d| d.iter().map(|d| d.message.clone()).collect())
}

#[test]
fn a_module_has_its_own_namespace() {
    let mut s = Session::new();
    let mut src = SourceMap::new();
    let m = module(
        &mut s,
        &mut src,
        "struct Rect { w: int }\nfn area(r: Rect) -> int { r.w }\nfn id<T>(x: T) -> T { helper(); x }\nfn helper() {}\n",
        &[],
    )
    .expect("the module checks");
    // Its names are not the session's: only `geometry.` reaches them.
    assert_eq!(s.func_named("area"), None);
    let text = "import geometry\nstruct Rect { h: str }\nfn area() -> str { \"mine\" }\nfn helper() -> int { 1 }\nlet r = geometry.Rect(2)\nprintln(geometry.area(r) + geometry.id(3) + helper())\nprintln(area() + Rect(\"x\").h)\n";
    let file = src.add("main.kl", text);
    let (parsed, _) = kiln_syntax::parse(file, text);
    s.check_unit_importing(&parsed, &[("geometry".to_string(), m)])
        .expect("the importer checks, and its names do not collide");
}

#[test]
fn a_module_with_an_error_changes_nothing() {
    let mut s = Session::new();
    let mut src = SourceMap::new();
    module(&mut s, &mut src, "fn ok() -> int { 1 }\n", &[]).expect("checks");
    let before = summary(&s);
    let errors = module(
        &mut s,
        &mut src,
        "struct S { a: int }\nlet x: int = \"no\"\n",
        &[],
    )
    .expect_err("a type error");
    assert!(
        errors.iter().any(|e| e.contains("mismatched")),
        "{errors:?}"
    );
    assert_eq!(summary(&s), before);
}

#[test]
fn an_import_the_engine_did_not_load_is_an_error() {
    let mut s = Session::new();
    let mut src = SourceMap::new();
    let errors = unit(&mut s, &mut src, "import nowhere\n").expect_err("not loaded");
    assert!(errors
        .iter()
        .any(|e| e.contains("cannot find the module `nowhere`")));
}
