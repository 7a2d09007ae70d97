use kiln_syntax::{parse, FileId};
use std::time::Instant;
struct X(u64);
impl X { fn next(&mut self) -> u64 { let mut x = self.0; x ^= x << 13; x ^= x >> 7; x ^= x << 17; self.0 = x; x } fn below(&mut self, n: usize) -> usize { (self.next() % n as u64) as usize } }
const P: &[&str] = &["fn", "let", "var", "if", "else", "while", "for", "in", "loop", "match", "struct", "enum", "impl", "type", "import", "test", "extern", "return", "break", "yield", "as", "self", "x", "Foo", "_", "0", "1.5", "0x", "1e", "'a'", "'", "\"", "\"a{", "{x:", "}", "{", "(", ")", "[", "]", "<", ">", ">>", ",", ";", ":", ".", "..", "..=", "->", "=>", "=", "+=", "|", "||", "&&", "?", "-", "!", "~", "*", "/*", "*/", "//", "\n", " ", "\t", "@", "é", "\\", "\\u{", "0.1", ".0", "t.0.1", "\"{a}\"", "'\\u{41}'"];
#[test]
fn fuzz_big() {
    let mut r = X(12345);
    let t = Instant::now();
    let mut worst = std::time::Duration::ZERO;
    for _ in 0..300000 {
        let len = r.below(120);
        let src: String = (0..len).map(|_| P[r.below(P.len())]).collect();
        let t0 = Instant::now();
        let _ = parse(FileId(0), &src);
        worst = worst.max(t0.elapsed());
    }
    println!("fuzz total {:?} worst {:?}", t.elapsed(), worst);
}
#[test]
fn perf_big() {
    let mut r = X(999);
    for (name, src) in [
        ("soup1MB", (0..200000).map(|_| P[r.below(P.len())]).collect::<String>()),
        ("chars", "'ab".repeat(300000)),
        ("parens", "(".repeat(1000000)),
        ("closers", ")".repeat(1000000)),
        ("braces", "{".repeat(1000000)),
        ("eqs", "= ".repeat(500000)),
        ("strs", "\"{".repeat(300000)),
        ("strs2", "\"{\"".repeat(300000)),
        ("commas", format!("f({})", ",".repeat(1000000))),
        ("lets", "let x = 1\n".repeat(100000)),
        ("unknown", "@ ".repeat(500000)),
        ("minus", "-".repeat(1000000)),
        ("pipes", "|".repeat(1000000)),
        ("lt", format!("let x: {}", "A<".repeat(300000))),
    ] {
        let t0 = Instant::now();
        let (_, d) = parse(FileId(0), &src);
        println!("{name}: {:?} ({} diags)", t0.elapsed(), d.len());
    }
}
#[test]
fn fuzz_bytes_and_garble() {
    let mut r = X(777);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    let mut files = vec![];
    for e in std::fs::read_dir(&dir).unwrap().flatten() { if e.path().extension().is_some_and(|x| x == "kl") { files.push(std::fs::read_to_string(e.path()).unwrap()); } }
    for i in 0..100000 {
        let src = if i % 2 == 0 {
            let bytes: Vec<u8> = (0..r.below(200)).map(|_| { let b = r.below(256) as u8; if r.below(2) == 0 { b"(){}[]\"'\\:;,.|<>=+-\n {}"[r.below(23)] } else { b } }).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            let f: Vec<char> = files[r.below(files.len())].chars().collect();
            let mut g = f.clone();
            for _ in 0..1 + r.below(20) { if g.is_empty() { break } let a = r.below(g.len()); let b = r.below(g.len()); match r.below(4) { 0 => g.swap(a, b), 1 => { g.remove(a); } 2 => { let c = g[b]; g.insert(a, c) } _ => g.truncate(a) } }
            g.into_iter().collect()
        };
        let (_, d) = parse(FileId(0), &src);
        for x in &d { assert!(!x.message.contains("bug in Kiln"), "{src:?}"); let _ = (x.span.lo <= x.span.hi) || panic!("bad span {src:?} {x:?}"); assert!((x.span.hi as usize) <= src.len(), "{src:?} {x:?}"); }
        let mut sm = kiln_syntax::SourceMap::new(); sm.add("f.kl", src.clone());
        let fixed: Vec<_> = d.into_iter().map(|mut x| { x.span.file = FileId(0); x }).collect();
        let out = kiln_syntax::render(&sm, &fixed, false);
        assert!(!out.contains("error: error:"), "{src:?}");
    }
}
