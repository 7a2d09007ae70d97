//! Tests of the heap runtime working together: descriptors, objects, arrays, maps,
//! strings, text forms, I/O and the leak count. Every test checks that the number of
//! live objects on its thread is back where it started.

use crate::array::*;
use crate::desc::{retired_descriptors, DescArena, TypeDesc, TypeKind};
use crate::format::FormatSpec;
use crate::io::*;
use crate::map::*;
use crate::object::*;
use crate::string::*;
use crate::value::*;
use crate::{live_objects, KilnPanic};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::null;

fn d<'a>(p: *const TypeDesc) -> &'a TypeDesc {
    // SAFETY: tests only pass descriptors of arenas that outlive the call.
    unsafe { &*p }
}

fn s(t: &str) -> u64 {
    new_str(t) as u64
}

fn st(v: u64) -> &'static str {
    // SAFETY: tests only pass live strings, and use the text before releasing them.
    unsafe { as_str(v as *const u8) }
}

/// An array of type `desc` holding `items` (consumed).
fn array(desc: *const TypeDesc, items: &[u64]) -> u64 {
    // SAFETY: `desc` is an array descriptor and the items values of its elements.
    unsafe {
        let a = kiln_array_new(desc, 0);
        for &v in items {
            kiln_array_push(a, v);
        }
        a as u64
    }
}

/// A tuple or struct of type `desc` holding `vals` (consumed).
fn record(desc: *const TypeDesc, vals: &[u64]) -> u64 {
    // SAFETY: `desc` is a tuple/struct descriptor and `vals` values of its fields.
    unsafe {
        let p = kiln_alloc(desc);
        for (f, &v) in d(desc).fields().iter().zip(vals) {
            store(p.add(f.offset as usize), f.desc(), v);
        }
        p as u64
    }
}

/// Variant `tag` of enum `desc` holding `vals` (consumed).
fn variant(desc: *const TypeDesc, tag: u32, vals: &[u64]) -> u64 {
    // SAFETY: `desc` is an enum descriptor and `vals` values of the variant's fields.
    unsafe {
        let p = kiln_alloc_variant(desc, tag as i32);
        for (f, &v) in d(desc).variants()[tag as usize].fields().iter().zip(vals) {
            store(p.add(f.offset as usize), f.desc(), v);
        }
        p as u64
    }
}

fn rel(v: u64, desc: *const TypeDesc) {
    // SAFETY: tests release only references they own.
    unsafe { release_slot(v, d(desc)) }
}

fn show(v: u64, desc: *const TypeDesc) -> String {
    // SAFETY: `v` is a value of type `desc`.
    unsafe { to_text(v, d(desc), false) }
}

fn fmt(v: u64, desc: *const TypeDesc, spec: &str) -> String {
    let spec = FormatSpec::parse(spec).unwrap();
    let mut out = String::new();
    // SAFETY: `v` is a value of type `desc`.
    unsafe { push_formatted(&mut out, v, d(desc), Some(&spec)) };
    out
}

fn panic_message(f: impl FnOnce()) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => panic!("expected a Kiln panic"),
        Err(e) => match e.downcast::<KilnPanic>() {
            Ok(p) => p.message,
            Err(_) => panic!("not a Kiln panic"),
        },
    }
}

/// Frequently used descriptors.
struct Types {
    a: DescArena,
    int: *const TypeDesc,
    float: *const TypeDesc,
    str: *const TypeDesc,
}

impl Types {
    fn new() -> Types {
        let a = DescArena::new();
        let int = a.scalar(TypeKind::I64);
        let float = a.scalar(TypeKind::F64);
        let str = a.str();
        Types { a, int, float, str }
    }
}

fn opt_value(o: u64) -> Option<u64> {
    // SAFETY: `o` is a live Option object.
    unsafe {
        match tag_of(o as *const u8) {
            0 => None,
            _ => Some(variant_field0(o as *const u8)),
        }
    }
}

#[test]
fn text_forms_of_scalars_and_strings() {
    let mut t = Types::new();
    let before = live_objects();
    let ch = t.a.scalar(TypeKind::Char);
    let b = t.a.scalar(TypeKind::Bool);
    let unit = t.a.scalar(TypeKind::Unit);
    let u8t = t.a.scalar(TypeKind::U8);
    let i8t = t.a.scalar(TypeKind::I8);
    let u64t = t.a.scalar(TypeKind::U64);
    assert_eq!(show(42, t.int), "42");
    assert_eq!(show(-7i64 as u64, t.int), "-7");
    assert_eq!(show(1.0f64.to_bits(), t.float), "1.0");
    assert_eq!(show(0.1f64.to_bits(), t.float), "0.1");
    assert_eq!(show(1e300f64.to_bits(), t.float), "1e300");
    assert_eq!(show(f64::NAN.to_bits(), t.float), "NaN");
    assert_eq!(show(f64::NEG_INFINITY.to_bits(), t.float), "-inf");
    assert_eq!(show(1, b), "true");
    assert_eq!(show(0, unit), "()");
    assert_eq!(show('c' as u64, ch), "c");
    assert_eq!(fmt('c' as u64, ch, "?"), "'c'");
    assert_eq!(show(u64::MAX, u64t), "18446744073709551615");
    let hi = s("hi");
    assert_eq!(show(hi, t.str), "hi");
    assert_eq!(fmt(hi, t.str, "?"), "\"hi\"");
    assert_eq!(fmt(hi, t.str, ">4"), "  hi");
    rel(hi, t.str);
    // Sized integers inside arrays are stored at their size and read back with their
    // sign.
    let au8 = t.a.array(u8t);
    let ai8 = t.a.array(i8t);
    let x = array(au8, &[255, 0]);
    let y = array(ai8, &[-1i64 as u64, 127]);
    assert_eq!(show(x, au8), "[255, 0]");
    assert_eq!(show(y, ai8), "[-1, 127]");
    rel(x, au8);
    rel(y, ai8);
    let bu = t.a.tuple(&[b, unit, ch]);
    let v = record(bu, &[1, 0, '\'' as u64]);
    assert_eq!(show(v, bu), "(true, (), '\\'')");
    rel(v, bu);
    assert_eq!(live_objects(), before);
}

#[test]
fn text_forms_of_containers() {
    let mut t = Types::new();
    let before = live_objects();
    let ints = t.a.array(t.int);
    let strs = t.a.array(t.str);
    let ch = t.a.scalar(TypeKind::Char);
    let chars = t.a.array(ch);
    let nested = t.a.array(ints);
    let m = t.a.map(t.str, t.int);
    let pair = t.a.tuple(&[t.int, t.str]);
    let one = t.a.tuple(&[t.int]);
    let point = t.a.struct_("Point", &[("x", t.float), ("y", t.float)]);
    let opt = t.a.option(t.int);
    let opt_strs = t.a.option(strs);
    let shape = t.a.enum_(
        "Shape",
        &[
            ("Circle", false, &[("", t.float)]),
            ("Rect", true, &[("w", t.float), ("h", t.float)]),
            ("Empty", false, &[]),
        ],
    );
    let empty_struct = t.a.struct_("Unit", &[]);

    let v = array(ints, &[1, 2]);
    assert_eq!(show(v, ints), "[1, 2]");
    assert_eq!(fmt(v, ints, "?"), "[1, 2]");
    assert_eq!(fmt(v, ints, ">8"), "  [1, 2]");
    assert_eq!(fmt(v, ints, "*^10"), "**[1, 2]**");
    assert_eq!(fmt(v, ints, "<8"), "[1, 2]  ");
    rel(v, ints);
    let v = array(ints, &[]);
    assert_eq!(show(v, ints), "[]");
    rel(v, ints);
    let v = array(strs, &[s("a"), s("b\n\"q\"\t\\"), s("\u{7}é")]);
    assert_eq!(show(v, strs), r#"["a", "b\n\"q\"\t\\", "\u{7}é"]"#);
    rel(v, strs);
    let v = array(chars, &['a' as u64, '\'' as u64, '"' as u64, '\n' as u64]);
    assert_eq!(show(v, chars), r#"['a', '\'', '"', '\n']"#);
    rel(v, chars);
    let inner1 = array(ints, &[1, 2]);
    let inner2 = array(ints, &[]);
    let v = array(nested, &[inner1, inner2]);
    assert_eq!(show(v, nested), "[[1, 2], []]");
    rel(v, nested);

    // SAFETY: `m` is a map descriptor; keys and values are consumed by `set`.
    let map = unsafe { kiln_map_new(m) } as u64;
    assert_eq!(show(map, m), "[:]");
    assert_eq!(fmt(map, m, ">5"), "  [:]");
    // SAFETY: as above.
    unsafe {
        kiln_map_set(map as *mut u8, s("a"), 1);
        kiln_map_set(map as *mut u8, s("b"), 2);
    }
    assert_eq!(show(map, m), r#"["a": 1, "b": 2]"#);
    rel(map, m);

    let v = record(pair, &[1, s("a")]);
    assert_eq!(show(v, pair), r#"(1, "a")"#);
    rel(v, pair);
    let v = record(one, &[1]);
    assert_eq!(show(v, one), "(1,)");
    rel(v, one);
    let v = record(point, &[1.0f64.to_bits(), 2.0f64.to_bits()]);
    assert_eq!(show(v, point), "Point(x: 1.0, y: 2.0)");
    assert_eq!(fmt(v, point, ".2"), "Point(x: 1.00, y: 2.00)");
    assert_eq!(fmt(v, point, "+"), "Point(x: +1.0, y: +2.0)");
    rel(v, point);
    let v = record(empty_struct, &[]);
    assert_eq!(show(v, empty_struct), "Unit()");
    rel(v, empty_struct);
    let v = variant(opt, 1, &[3]);
    assert_eq!(show(v, opt), "Some(3)");
    rel(v, opt);
    let v = variant(opt, 0, &[]);
    assert_eq!(show(v, opt), "None");
    rel(v, opt);
    let v = variant(shape, 0, &[1.0f64.to_bits()]);
    assert_eq!(show(v, shape), "Circle(1.0)");
    rel(v, shape);
    let v = variant(shape, 1, &[2.0f64.to_bits(), 3.0f64.to_bits()]);
    assert_eq!(show(v, shape), "Rect(w: 2.0, h: 3.0)");
    rel(v, shape);
    let v = variant(shape, 2, &[]);
    assert_eq!(show(v, shape), "Empty");
    rel(v, shape);
    let inner = array(strs, &[s("x")]);
    let v = variant(opt_strs, 1, &[inner]);
    assert_eq!(show(v, opt_strs), r#"Some(["x"])"#);
    rel(v, opt_strs);

    // Deeper nesting: a map of tuples holding optional points.
    let opt_point = t.a.option(point);
    let tup = t.a.tuple(&[t.str, opt_point]);
    let mt = t.a.map(t.int, tup);
    // SAFETY: as above.
    let map = unsafe { kiln_map_new(mt) } as u64;
    let p = record(point, &[0.5f64.to_bits(), (-1.0f64).to_bits()]);
    let some_p = variant(opt_point, 1, &[p]);
    let none_p = variant(opt_point, 0, &[]);
    // SAFETY: as above.
    unsafe {
        kiln_map_set(map as *mut u8, 1, record(tup, &[s("p"), some_p]));
        kiln_map_set(map as *mut u8, 2, record(tup, &[s(""), none_p]));
    }
    assert_eq!(
        show(map, mt),
        r#"[1: ("p", Some(Point(x: 0.5, y: -1.0))), 2: ("", None)]"#
    );
    rel(map, mt);
    assert_eq!(live_objects(), before);
}

#[test]
fn interpolation_specs_on_scalars() {
    let t = Types::new();
    let u8t = t.a.scalar(TypeKind::U8);
    assert_eq!(fmt(255, t.int, "x"), "ff");
    assert_eq!(fmt(5, t.int, "05"), "00005");
    assert_eq!(fmt(255, u8t, "#b"), "0b11111111");
    assert_eq!(fmt(std::f64::consts::PI.to_bits(), t.float, ".3"), "3.142");
    assert_eq!(fmt(2.5f64.to_bits(), t.float, "8"), "     2.5");
    // The builder entry point.
    let sb = crate::string::kiln_sb_new();
    let spec = FormatSpec::parse("?").unwrap();
    let x = s("q");
    // SAFETY: live builder, value and spec.
    let out = unsafe {
        kiln_sb_push_value(sb, x, t.str, &spec);
        kiln_sb_push_value(sb, 7, t.int, null());
        kiln_sb_finish(sb)
    };
    assert_eq!(st(out as u64), "\"q\"7");
    rel(out as u64, t.str);
    rel(x, t.str);
}

#[test]
fn equality_ordering_and_hashing() {
    let mut t = Types::new();
    let before = live_objects();
    let ints = t.a.array(t.int);
    let pair = t.a.tuple(&[t.int, t.str]);
    let floats = t.a.array(t.float);
    let opt = t.a.option(t.int);
    let m = t.a.map(t.str, t.int);
    // SAFETY: all values below are values of the descriptors they are used with.
    unsafe {
        let a = array(ints, &[1, 2]);
        let b = array(ints, &[1, 3]);
        let c = array(ints, &[1]);
        let a2 = array(ints, &[1, 2]);
        assert!(eq(a, a2, d(ints)));
        assert!(!eq(a, b, d(ints)));
        assert_eq!(kiln_value_cmp(a, b, ints), -1);
        assert_eq!(kiln_value_cmp(c, a, ints), -1);
        assert_eq!(kiln_value_cmp(a, c, ints), 1);
        assert_eq!(kiln_value_cmp(a, a2, ints), 0);
        assert_eq!(hash(a, d(ints)), hash(a2, d(ints)));
        for v in [a, b, c, a2] {
            rel(v, ints);
        }

        let x = s("abc");
        let y = s("abd");
        let z = s("abc");
        assert_eq!(kiln_value_eq(x, z, t.str), 1);
        assert_eq!(kiln_value_cmp(x, y, t.str), -1);
        assert_eq!(kiln_value_hash(x, t.str), kiln_value_hash(z, t.str));
        assert_ne!(kiln_value_hash(x, t.str), kiln_value_hash(y, t.str));
        let p = record(pair, &[1, x]);
        let q = record(pair, &[1, y]);
        let r = record(pair, &[1, z]);
        assert_eq!(kiln_value_cmp(p, q, pair), -1);
        assert_eq!(kiln_value_eq(p, r, pair), 1);
        assert_eq!(kiln_value_hash(p, pair), kiln_value_hash(r, pair));
        for v in [p, q, r] {
            rel(v, pair);
        }

        let nan = f64::NAN.to_bits();
        let f1 = array(floats, &[nan]);
        let f2 = array(floats, &[nan]);
        assert!(!eq(f1, f2, d(floats)), "NaN != NaN inside arrays too");
        assert_eq!(
            kiln_value_hash(0.0f64.to_bits(), t.float),
            kiln_value_hash((-0.0f64).to_bits(), t.float)
        );
        assert_eq!(
            kiln_value_eq(0.0f64.to_bits(), (-0.0f64).to_bits(), t.float),
            1
        );
        rel(f1, floats);
        rel(f2, floats);

        let n = variant(opt, 0, &[]);
        let s3 = variant(opt, 1, &[3]);
        let s4 = variant(opt, 1, &[4]);
        let s3b = variant(opt, 1, &[3]);
        assert_eq!(kiln_value_cmp(n, s3, opt), -1);
        assert_eq!(kiln_value_cmp(s3, s4, opt), -1);
        assert_eq!(kiln_value_eq(s3, s3b, opt), 1);
        assert_eq!(kiln_value_eq(s3, n, opt), 0);
        assert_eq!(kiln_value_hash(s3, opt), kiln_value_hash(s3b, opt));
        for v in [n, s3, s4, s3b] {
            rel(v, opt);
        }

        // Maps compare regardless of insertion order.
        let m1 = kiln_map_new(m);
        let m2 = kiln_map_new(m);
        kiln_map_set(m1, s("a"), 1);
        kiln_map_set(m1, s("b"), 2);
        kiln_map_set(m2, s("b"), 2);
        kiln_map_set(m2, s("a"), 1);
        assert_eq!(kiln_value_eq(m1 as u64, m2 as u64, m), 1);
        assert_eq!(kiln_value_hash(m1 as u64, m), kiln_value_hash(m2 as u64, m));
        kiln_map_set(m2, s("a"), 5);
        assert_eq!(kiln_value_eq(m1 as u64, m2 as u64, m), 0);
        rel(m1 as u64, m);
        rel(m2 as u64, m);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn array_operations() {
    let mut t = Types::new();
    let before = live_objects();
    let ints = t.a.array(t.int);
    let strs = t.a.array(t.str);
    let opt_int = t.a.option(t.int);
    let opt_str = t.a.option(t.str);
    // SAFETY: every value is of the type its descriptor says; owned values are
    // released once.
    unsafe {
        let a = kiln_array_new(ints, 0);
        for i in 0..10 {
            kiln_array_push(a, i);
        }
        assert_eq!(kiln_array_len(a), 10);
        assert_eq!(kiln_array_get(null(), 0, a, 3), 3);
        kiln_array_set(null(), 0, a, 3, 30);
        kiln_array_insert(null(), 0, a, 0, 100);
        kiln_array_insert(null(), 0, a, 11, 200);
        assert_eq!(
            show(a as u64, ints),
            "[100, 0, 1, 2, 30, 4, 5, 6, 7, 8, 9, 200]"
        );
        assert_eq!(kiln_array_remove(null(), 0, a, 0), 100);
        let o = kiln_array_pop(a, opt_int);
        assert_eq!(opt_value(o as u64), Some(200));
        rel(o as u64, opt_int);
        let sl = kiln_array_slice(null(), 0, a, 2, 5);
        assert_eq!(show(sl as u64, ints), "[2, 30, 4]");
        let empty = kiln_array_slice(null(), 0, a, 10, 10);
        assert_eq!(show(empty as u64, ints), "[]");
        let cat = kiln_array_concat(sl, sl);
        assert_eq!(show(cat as u64, ints), "[2, 30, 4, 2, 30, 4]");
        kiln_array_extend(cat, cat);
        assert_eq!(kiln_array_len(cat), 12);
        assert_eq!(kiln_array_contains(cat, 30), 1);
        assert_eq!(kiln_array_contains(cat, 31), 0);
        let i = kiln_array_index_of(cat, 30, opt_int);
        assert_eq!(opt_value(i as u64), Some(1));
        rel(i as u64, opt_int);
        let i = kiln_array_index_of(cat, 31, opt_int);
        assert_eq!(opt_value(i as u64), None);
        rel(i as u64, opt_int);
        kiln_array_sort(cat);
        assert_eq!(
            show(cat as u64, ints),
            "[2, 2, 2, 2, 4, 4, 4, 4, 30, 30, 30, 30]"
        );
        kiln_array_reverse(cat);
        assert_eq!(kiln_array_get(null(), 0, cat, 0), 30);
        assert_eq!(kiln_array_sum(null(), 0, cat), 144);
        let mn = kiln_array_min(cat, opt_int);
        let mx = kiln_array_max(cat, opt_int);
        assert_eq!(
            (opt_value(mn as u64), opt_value(mx as u64)),
            (Some(2), Some(30))
        );
        rel(mn as u64, opt_int);
        rel(mx as u64, opt_int);
        kiln_array_clear(cat);
        assert_eq!(kiln_array_len(cat), 0);
        assert_eq!(kiln_array_sum(null(), 0, cat), 0);
        let o = kiln_array_pop(cat, opt_int);
        assert_eq!(opt_value(o as u64), None);
        rel(o as u64, opt_int);
        let o = kiln_array_min(cat, opt_int);
        assert_eq!(opt_value(o as u64), None);
        rel(o as u64, opt_int);
        for v in [a, sl, empty, cat] {
            rel(v as u64, ints);
        }

        // Arrays of strings retain and release their elements.
        let words = array(strs, &[s("pear"), s("apple"), s("fig")]);
        let w = words as *mut u8;
        let apple = kiln_array_get(null(), 0, w, 1);
        assert_eq!(header(apple as *const u8).rc, 1);
        let copy = kiln_clone(w);
        assert_eq!(header(apple as *const u8).rc, 2);
        kiln_array_sort(w);
        assert_eq!(show(words, strs), r#"["apple", "fig", "pear"]"#);
        assert_eq!(show(copy as u64, strs), r#"["pear", "apple", "fig"]"#);
        let sep = s(", ");
        let joined = kiln_str_join(w, sep as *const u8);
        assert_eq!(st(joined as u64), "apple, fig, pear");
        rel(joined as u64, t.str);
        rel(sep, t.str);
        let fig = s("fig");
        assert_eq!(kiln_array_contains(w, fig), 1);
        rel(fig, t.str);
        kiln_array_set(null(), 0, w, 0, s("kiwi"));
        let mx = kiln_array_max(w, opt_str);
        assert_eq!(show(mx as u64, opt_str), r#"Some("pear")"#);
        rel(mx as u64, opt_str);
        let removed = kiln_array_remove(null(), 0, w, 2);
        assert_eq!(st(removed), "pear");
        rel(removed, t.str);
        let tuple = t.a.tuple(&[t.int, t.str]);
        let enum_desc = t.a.array(tuple);
        let e = kiln_array_enumerate(w, enum_desc);
        assert_eq!(show(e as u64, enum_desc), r#"[(0, "kiwi"), (1, "fig")]"#);
        rel(e as u64, enum_desc);
        rel(copy as u64, strs);
        rel(words, strs);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn array_repeat_clones_rows() {
    let mut t = Types::new();
    let before = live_objects();
    let ints = t.a.array(t.int);
    let grid = t.a.array(ints);
    // SAFETY: as in `array_operations`.
    unsafe {
        let row = kiln_array_repeat(null(), 0, ints, 0, 3);
        assert_eq!(show(row as u64, ints), "[0, 0, 0]");
        let g = kiln_array_repeat(null(), 0, grid, row as u64, 2);
        rel(row as u64, ints);
        let r0 = kiln_array_get(null(), 0, g, 0) as *mut u8;
        kiln_array_set(null(), 0, r0, 1, 5);
        assert_eq!(show(g as u64, grid), "[[0, 5, 0], [0, 0, 0]]");
        rel(g as u64, grid);
        let sevens = kiln_array_repeat(null(), 0, ints, 7, 4);
        assert_eq!(show(sevens as u64, ints), "[7, 7, 7, 7]");
        rel(sevens as u64, ints);
        let msg = panic_message(|| {
            kiln_array_repeat(null(), 0, ints, 7, -1);
        });
        assert_eq!(msg, "negative count: -1");
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn array_panics() {
    let mut t = Types::new();
    let before = live_objects();
    let ints = t.a.array(t.int);
    let i8s = t.a.array(t.a.scalar(TypeKind::I8));
    let u8s = t.a.array(t.a.scalar(TypeKind::U8));
    // SAFETY: as in `array_operations`.
    unsafe {
        let a = array(ints, &[1, 2, 3]) as *mut u8;
        let msg = panic_message(|| {
            kiln_array_get(null(), 0, a, 5);
        });
        assert_eq!(msg, "index out of bounds: index 5, length 3");
        let msg = panic_message(|| {
            kiln_array_get(null(), 0, a, -1);
        });
        assert_eq!(msg, "index out of bounds: index -1, length 3");
        let msg = panic_message(|| kiln_array_set(null(), 0, a, 3, 0));
        assert_eq!(msg, "index out of bounds: index 3, length 3");
        let msg = panic_message(|| kiln_array_insert(null(), 0, a, 4, 0));
        assert_eq!(msg, "index out of bounds: index 4, length 3");
        let msg = panic_message(|| {
            kiln_array_remove(null(), 0, a, 3);
        });
        assert_eq!(msg, "index out of bounds: index 3, length 3");
        let msg = panic_message(|| {
            kiln_array_slice(null(), 0, a, 2, 4);
        });
        assert_eq!(msg, "index out of bounds: index 4, length 3");
        let msg = panic_message(|| {
            kiln_array_slice(null(), 0, a, 3, 2);
        });
        assert_eq!(msg, "slice starts at 3 but ends at 2");
        let msg = panic_message(|| {
            kiln_array_slice(null(), 0, a, 4, 2);
        });
        assert_eq!(msg, "index out of bounds: index 4, length 3");
        rel(a as u64, ints);

        let big = array(ints, &[i64::MAX as u64, 1]) as *mut u8;
        let msg = panic_message(|| {
            kiln_array_sum(null(), 0, big);
        });
        assert_eq!(msg, "integer overflow");
        rel(big as u64, ints);
        let small = array(i8s, &[-100i64 as u64, -28i64 as u64]) as *mut u8;
        assert_eq!(kiln_array_sum(null(), 0, small) as i64, -128);
        kiln_array_push(small, -1i64 as u64);
        let msg = panic_message(|| {
            kiln_array_sum(null(), 0, small);
        });
        assert_eq!(msg, "integer overflow");
        rel(small as u64, i8s);
        let bytes = array(u8s, &[200, 55]) as *mut u8;
        assert_eq!(kiln_array_sum(null(), 0, bytes), 255);
        rel(bytes as u64, u8s);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn sorting_is_stable_and_total() {
    let mut t = Types::new();
    let before = live_objects();
    let floats = t.a.array(t.float);
    let pair = t.a.tuple(&[t.int, t.str]);
    let pairs = t.a.array(pair);
    let ch = t.a.scalar(TypeKind::Char);
    let chars = t.a.array(ch);
    // SAFETY: as in `array_operations`.
    unsafe {
        let f = array(
            floats,
            &[
                3.0f64.to_bits(),
                f64::NAN.to_bits(),
                (-1.0f64).to_bits(),
                2.5f64.to_bits(),
            ],
        ) as *mut u8;
        kiln_array_sort(f);
        assert_eq!(show(f as u64, floats), "[-1.0, 2.5, 3.0, NaN]");
        let fsum = f64::from_bits(kiln_array_sum(null(), 0, f));
        assert!(fsum.is_nan());
        rel(f as u64, floats);
        let p = array(
            pairs,
            &[
                record(pair, &[2, s("b")]),
                record(pair, &[1, s("z")]),
                record(pair, &[2, s("a")]),
                record(pair, &[1, s("a")]),
            ],
        ) as *mut u8;
        kiln_array_sort(p);
        assert_eq!(
            show(p as u64, pairs),
            r#"[(1, "a"), (1, "z"), (2, "a"), (2, "b")]"#
        );
        rel(p as u64, pairs);
        let c = array(chars, &['c' as u64, 'a' as u64, 'é' as u64, 'b' as u64]) as *mut u8;
        kiln_array_sort(c);
        assert_eq!(show(c as u64, chars), "['a', 'b', 'c', 'é']");
        kiln_array_reverse(c);
        assert_eq!(show(c as u64, chars), "['é', 'c', 'b', 'a']");
        rel(c as u64, chars);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn map_operations() {
    let mut t = Types::new();
    let before = live_objects();
    let m = t.a.map(t.str, t.int);
    let opt_int = t.a.option(t.int);
    let strs = t.a.array(t.str);
    let ints = t.a.array(t.int);
    // SAFETY: every key and value is of the map's types; owned values released once.
    unsafe {
        let map = kiln_map_new(m);
        let v0 = kiln_map_version(map);
        kiln_map_set(map, s("one"), 1);
        kiln_map_set(map, s("two"), 2);
        kiln_map_set(map, s("three"), 3);
        let v1 = kiln_map_version(map);
        assert_ne!(v0, v1);
        let k = s("two");
        kiln_map_set(map, k, 22);
        assert_eq!(
            kiln_map_version(map),
            v1,
            "changing a value keeps the version"
        );
        assert_eq!(kiln_map_len(map), 3);
        let k = s("two");
        assert_eq!(kiln_map_index(null(), 0, map, k), 22);
        assert_eq!(kiln_map_contains_key(map, k), 1);
        let g = kiln_map_get(map, k, opt_int);
        assert_eq!(opt_value(g as u64), Some(22));
        rel(g as u64, opt_int);
        let r = kiln_map_remove(map, k, opt_int);
        assert_eq!(opt_value(r as u64), Some(22));
        rel(r as u64, opt_int);
        assert_ne!(kiln_map_version(map), v1);
        let r = kiln_map_remove(map, k, opt_int);
        assert_eq!(opt_value(r as u64), None);
        rel(r as u64, opt_int);
        assert_eq!(kiln_map_contains_key(map, k), 0);
        let msg = panic_message(|| {
            kiln_map_index(null(), 0, map, k);
        });
        assert_eq!(msg, r#"key not found: "two""#);
        rel(k, t.str);
        // Iteration sees the entries in insertion order, holes skipped.
        let n = kiln_map_len(map);
        let mut seen = Vec::new();
        for i in 0..n {
            seen.push((
                st(kiln_map_key_at(map, i)).to_string(),
                kiln_map_value_at(map, i),
            ));
        }
        assert_eq!(seen, vec![("one".to_string(), 1), ("three".to_string(), 3)]);
        kiln_map_set(map, s("two"), 2);
        assert_eq!(show(map as u64, m), r#"["one": 1, "three": 3, "two": 2]"#);
        let ver = kiln_map_version(map);
        kiln_map_check(null(), 0, map, ver);
        kiln_map_set(map, s("four"), 4);
        let msg = panic_message(|| kiln_map_check(null(), 0, map, ver));
        assert_eq!(msg, "map modified during iteration");
        let keys = kiln_map_keys(map, strs);
        let values = kiln_map_values(map, ints);
        assert_eq!(
            show(keys as u64, strs),
            r#"["one", "three", "two", "four"]"#
        );
        assert_eq!(show(values as u64, ints), "[1, 3, 2, 4]");
        rel(keys as u64, strs);
        rel(values as u64, ints);
        let copy = kiln_clone(map);
        kiln_map_clear(map);
        assert_eq!(kiln_map_len(map), 0);
        assert_eq!(show(map as u64, m), "[:]");
        assert_eq!(kiln_map_len(copy), 4);
        kiln_map_set(map, s("again"), 9);
        assert_eq!(show(map as u64, m), r#"["again": 9]"#);
        rel(copy as u64, m);
        rel(map as u64, m);

        // Integer-keyed map with a missing key shows the key unquoted.
        let mi = t.a.map(t.int, t.str);
        let map = kiln_map_new(mi);
        let msg = panic_message(|| {
            kiln_map_index(null(), 0, map, 7);
        });
        assert_eq!(msg, "key not found: 7");
        rel(map as u64, mi);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn map_with_tuple_and_enum_keys() {
    let mut t = Types::new();
    let before = live_objects();
    let key = t.a.tuple(&[t.int, t.str]);
    let m = t.a.map(key, t.int);
    let opt = t.a.option(t.int);
    let m2 = t.a.map(opt, t.int);
    // SAFETY: as in `map_operations`.
    unsafe {
        let map = kiln_map_new(m);
        kiln_map_set(map, record(key, &[1, s("a")]), 10);
        kiln_map_set(map, record(key, &[1, s("b")]), 20);
        let probe = record(key, &[1, s("b")]);
        assert_eq!(kiln_map_index(null(), 0, map, probe), 20);
        kiln_map_set(map, probe, 21);
        assert_eq!(kiln_map_len(map), 2);
        let probe = record(key, &[2, s("b")]);
        let msg = panic_message(|| {
            kiln_map_index(null(), 0, map, probe);
        });
        assert_eq!(msg, r#"key not found: (2, "b")"#);
        rel(probe, key);
        assert_eq!(show(map as u64, m), r#"[(1, "a"): 10, (1, "b"): 21]"#);
        rel(map as u64, m);

        let map = kiln_map_new(m2);
        kiln_map_set(map, variant(opt, 0, &[]), 1);
        kiln_map_set(map, variant(opt, 1, &[5]), 2);
        let k = variant(opt, 0, &[]);
        assert_eq!(kiln_map_index(null(), 0, map, k), 1);
        rel(k, opt);
        assert_eq!(show(map as u64, m2), "[None: 1, Some(5): 2]");
        rel(map as u64, m2);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn big_maps() {
    let t = Types::new();
    let before = live_objects();
    let mut a = t.a;
    let mi = a.map(t.int, t.int);
    let ms = a.map(t.str, t.int);
    let opt = a.option(t.int);
    // SAFETY: as in `map_operations`.
    unsafe {
        let map = kiln_map_new(mi);
        for i in 0..200_000u64 {
            kiln_map_set(map, i * 7, i);
        }
        assert_eq!(kiln_map_len(map), 200_000);
        for i in (0..200_000u64).step_by(2) {
            let r = kiln_map_remove(map, i * 7, opt);
            rel(r as u64, opt);
        }
        assert_eq!(kiln_map_len(map), 100_000);
        assert_eq!(kiln_map_key_at(map, 0), 7);
        assert_eq!(kiln_map_value_at(map, 99_999), 199_999);
        for i in 0..200_000u64 {
            assert_eq!(kiln_map_contains_key(map, i * 7), (i % 2) as i8);
        }
        rel(map as u64, mi);

        // The wordfreq pattern: 100k distinct str keys, a million lookups.
        let map = kiln_map_new(ms);
        let words: Vec<u64> = (0..100_000).map(|i| s(&format!("word{i}"))).collect();
        for (i, &w) in words.iter().enumerate() {
            retain(w as *mut u8);
            kiln_map_set(map, w, i as u64);
        }
        let mut total = 0u64;
        for round in 0..10u64 {
            for (i, &w) in words.iter().enumerate() {
                let n = kiln_map_index(null(), 0, map, w);
                total += n;
                if round == 0 && i % 1000 == 0 {
                    retain(w as *mut u8);
                    kiln_map_set(map, w, n + 1);
                }
            }
        }
        assert!(total > 0);
        assert_eq!(kiln_map_len(map), 100_000);
        for w in words {
            rel(w, t.str);
        }
        rel(map as u64, ms);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn map_insert_remove_churn_stays_small() {
    let mut t = Types::new();
    let before = live_objects();
    let mi = t.a.map(t.int, t.int);
    let opt = t.a.option(t.int);
    // SAFETY: as in `map_operations`.
    unsafe {
        let map = kiln_map_new(mi);
        kiln_map_set(map, u64::MAX, 0);
        for i in 0..100_000u64 {
            kiln_map_set(map, i, i);
            let r = kiln_map_remove(map, i, opt);
            rel(r as u64, opt);
        }
        assert_eq!(kiln_map_len(map), 1);
        assert_eq!(kiln_map_key_at(map, 0), u64::MAX);
        assert!(map_of(map).entries.len() < 1000);
        rel(map as u64, mi);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn string_methods() {
    let mut t = Types::new();
    let before = live_objects();
    let strs = t.a.array(t.str);
    let ch = t.a.scalar(TypeKind::Char);
    let chars = t.a.array(ch);
    let bytes = t.a.array(t.a.scalar(TypeKind::U8));
    let opt_int = t.a.option(t.int);
    let opt_float = t.a.option(t.float);
    let split = |text: &str, sep: &str| -> String {
        let (x, y) = (s(text), s(sep));
        // SAFETY: live strings and the `[str]` descriptor.
        let parts = unsafe { kiln_str_split(x as *const u8, y as *const u8, strs) };
        let out = show(parts as u64, strs);
        for v in [x, y, parts as u64] {
            rel(v, t.str);
        }
        out
    };
    assert_eq!(split("a,b,,c", ","), r#"["a", "b", "", "c"]"#);
    assert_eq!(split("", ","), r#"[""]"#);
    assert_eq!(split("a b", " "), r#"["a", "b"]"#);
    // SAFETY: every argument is a live string or the right descriptor; every
    // result is released.
    unsafe {
        let x = s("héllo");
        let p = x as *const u8;
        let c = kiln_str_chars(p, chars);
        assert_eq!(show(c as u64, chars), "['h', 'é', 'l', 'l', 'o']");
        rel(c as u64, chars);
        let b = kiln_str_bytes(p, bytes);
        assert_eq!(show(b as u64, bytes), "[104, 195, 169, 108, 108, 111]");
        rel(b as u64, bytes);
        let ll = s("ll");
        let zz = s("zz");
        assert_eq!(kiln_str_contains(p, ll as *const u8), 1);
        assert_eq!(kiln_str_contains(p, zz as *const u8), 0);
        let he = s("hé");
        assert_eq!(kiln_str_starts_with(p, he as *const u8), 1);
        assert_eq!(kiln_str_ends_with(p, he as *const u8), 0);
        assert_eq!(kiln_str_ends_with(p, ll as *const u8), 0);
        let f = kiln_str_find(p, ll as *const u8, opt_int);
        assert_eq!(opt_value(f as u64), Some(3));
        rel(f as u64, opt_int);
        let f = kiln_str_find(p, zz as *const u8, opt_int);
        assert_eq!(opt_value(f as u64), None);
        rel(f as u64, opt_int);
        let up = kiln_str_to_upper(p);
        assert_eq!(st(up as u64), "HÉLLO");
        let low = kiln_str_to_lower(up);
        assert_eq!(st(low as u64), "héllo");
        let rep = kiln_str_replace(p, ll as *const u8, zz as *const u8);
        assert_eq!(st(rep as u64), "hézzo");
        let r3 = kiln_str_repeat(null(), 0, ll as *const u8, 3);
        assert_eq!(st(r3 as u64), "llllll");
        let r0 = kiln_str_repeat(null(), 0, ll as *const u8, 0);
        assert_eq!(st(r0 as u64), "");
        let msg = panic_message(|| {
            kiln_str_repeat(null(), 0, ll as *const u8, -2);
        });
        assert_eq!(msg, "negative count: -2");
        let sl = kiln_str_slice(null(), 0, p, 1, 3);
        assert_eq!(st(sl as u64), "é");
        let whole = kiln_str_slice(null(), 0, p, 0, 6);
        assert_eq!(whole, p as *mut u8, "the whole string is shared");
        let msg = panic_message(|| {
            kiln_str_slice(null(), 0, p, 2, 4);
        });
        assert_eq!(msg, "byte index 2 is not a char boundary");
        let msg = panic_message(|| {
            kiln_str_slice(null(), 0, p, 0, 7);
        });
        assert_eq!(msg, "index out of bounds: index 7, length 6");
        // for c in s
        let mut pos = 0;
        let mut out = String::new();
        loop {
            let r = kiln_str_next_char(p, pos);
            if r == -1 {
                break;
            }
            out.push(char::from_u32(r as u32).unwrap());
            pos = r >> 32;
        }
        assert_eq!(out, "héllo");
        for v in [up, low, rep, r3, r0, sl, whole] {
            rel(v as u64, t.str);
        }
        for v in [x, ll, zz, he] {
            rel(v, t.str);
        }

        let padded = s("  \t hi there \n");
        let tr = kiln_str_trim(padded as *const u8);
        assert_eq!(st(tr as u64), "hi there");
        let tr2 = kiln_str_trim(tr);
        assert_eq!(tr2, tr);
        for v in [padded, tr as u64, tr2 as u64] {
            rel(v, t.str);
        }
        let text = s("one\ntwo\r\n\nthree\n");
        let lines = kiln_str_lines(text as *const u8, strs);
        assert_eq!(show(lines as u64, strs), r#"["one", "two", "", "three"]"#);
        rel(lines as u64, strs);
        rel(text, t.str);

        for (input, want) in [
            ("42", Some(42)),
            ("-7", Some(-7)),
            ("+5", Some(5)),
            ("4x2", None),
            ("", None),
            (" 1", None),
            ("9223372036854775808", None),
        ] {
            let x = s(input);
            let o = kiln_str_parse_int(x as *const u8, opt_int);
            assert_eq!(opt_value(o as u64).map(|v| v as i64), want, "{input:?}");
            rel(o as u64, opt_int);
            rel(x, t.str);
        }
        for (input, want) in [
            ("2.5", Some(2.5)),
            ("1e3", Some(1000.0)),
            ("-0.5", Some(-0.5)),
            ("x", None),
            ("1.5.2", None),
        ] {
            let x = s(input);
            let o = kiln_str_parse_float(x as *const u8, opt_float);
            assert_eq!(opt_value(o as u64).map(f64::from_bits), want, "{input:?}");
            rel(o as u64, opt_float);
            rel(x, t.str);
        }

        let a = s("ab");
        let b = s("cd");
        let c = kiln_str_concat(a as *const u8, b as *const u8);
        assert_eq!(st(c as u64), "abcd");
        assert_eq!(kiln_str_len(c), 4);
        for v in [a, b, c as u64] {
            rel(v, t.str);
        }
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn literals_are_immortal() {
    let before = live_objects();
    let lit = new_immortal("literal");
    // SAFETY: `lit` is an immortal string; balanced retains and releases, and extra
    // releases, never free it.
    unsafe {
        assert_eq!(header(lit).rc, IMMORTAL_RC);
        assert_eq!(header(lit).flags & FLAG_IMMORTAL, 1);
        assert_eq!(header(lit).desc, crate::desc::str_desc());
        for _ in 0..1000 {
            kiln_retain(lit);
        }
        for _ in 0..1000 {
            kiln_release(lit);
        }
        assert_eq!(header(lit).rc, IMMORTAL_RC);
        assert_eq!(as_str(lit), "literal");
        // Stored in an array and dropped with it, the literal survives.
        let mut a = DescArena::new();
        let strs = a.array(a.str());
        let arr = kiln_array_new(strs, 0);
        kiln_retain(lit);
        kiln_array_push(arr, lit as u64);
        kiln_release(arr);
        assert_eq!(header(lit).rc, IMMORTAL_RC);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn leak_report_names_live_types() {
    crate::alloc::set_leak_tracking(true);
    let mut t = Types::new();
    let point = t.a.struct_("Point", &[("x", t.float), ("y", t.float)]);
    let ints = t.a.array(t.int);
    let before = live_objects();
    assert_eq!(before, 0, "tests run on their own threads");
    let p1 = record(point, &[0, 0]);
    let p2 = record(point, &[0, 0]);
    let a = array(ints, &[1]);
    assert_eq!(
        crate::leak_report().as_deref(),
        Some("leak check: 3 objects still alive (2 Point, 1 [int])")
    );
    rel(p1, point);
    rel(p2, point);
    rel(a, ints);
    assert_eq!(crate::leak_report(), None);
}

#[test]
fn drop_releases_nested_containers() {
    let mut t = Types::new();
    let before = live_objects();
    let strs = t.a.array(t.str);
    let m = t.a.map(t.str, strs);
    let opt = t.a.option(m);
    let node = t.a.declare();
    let children = t.a.array(node);
    t.a.define_struct(node, "Tree", &[("label", t.str), ("kids", children)]);
    // SAFETY: as in `map_operations`.
    unsafe {
        let map = kiln_map_new(m);
        for i in 0..100 {
            let v = array(strs, &[s("x"), s(&format!("{i}"))]);
            kiln_map_set(map, s(&format!("k{i}")), v);
        }
        let o = variant(opt, 1, &[map as u64]);
        assert_eq!(live_objects(), before + 1 + 1 + 100 * 4);
        rel(o, opt);

        // A wide and deep tree.
        fn build(node: *const TypeDesc, children: *const TypeDesc, depth: u32) -> u64 {
            let kids = array(children, &[]);
            if depth > 0 {
                for _ in 0..3 {
                    // SAFETY: `kids` is a live `[Tree]`.
                    unsafe { kiln_array_push(kids as *mut u8, build(node, children, depth - 1)) };
                }
            }
            record(node, &[s("n"), kids])
        }
        let tree = build(node, children, 7);
        assert!(live_objects() > before + 3000);
        rel(tree, node);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn deep_equality_and_printing_of_long_lists() {
    let mut t = Types::new();
    let before = live_objects();
    let list = t.a.declare();
    t.a.define_enum(
        list,
        "List",
        &[
            ("Nil", false, &[]),
            ("Cons", false, &[("", t.int), ("", list)]),
        ],
    );
    let make = |n: u64| {
        let mut head = variant(list, 0, &[]);
        for i in 0..n {
            head = variant(list, 1, &[i, head]);
        }
        head
    };
    let a = make(200_000);
    let b = make(200_000);
    // SAFETY: both are live lists.
    unsafe {
        assert!(eq(a, b, d(list)));
        assert_eq!(cmp(a, b, d(list)), std::cmp::Ordering::Equal);
        assert_eq!(hash(a, d(list)), hash(b, d(list)));
    }
    let text = show(a, list);
    assert!(text.starts_with("Cons(199999, Cons(199998, "));
    assert!(text.ends_with(&format!("Cons(0, Nil){}", ")".repeat(199_999))));
    rel(a, list);
    rel(b, list);
    let small = make(2);
    assert_eq!(show(small, list), "Cons(1, Cons(0, Nil))");
    rel(small, list);
    assert_eq!(live_objects(), before);
}

#[test]
fn deep_nesting_through_a_first_field_needs_no_native_stack() {
    // `Cons(List, int)`: the rest of the list is the first field, so a walk cannot
    // handle it as the last child. Test threads have 2 MiB of stack; a walk that
    // recursed per level would overflow it long before 300,000 levels.
    let mut t = Types::new();
    let before = live_objects();
    let list = t.a.declare();
    t.a.define_enum(
        list,
        "List",
        &[
            ("Nil", false, &[]),
            ("Cons", false, &[("", list), ("", t.int)]),
        ],
    );
    let make = |n: u64| {
        let mut head = variant(list, 0, &[]);
        for i in 0..n {
            head = variant(list, 1, &[head, i % 10]);
        }
        head
    };
    let n = 300_000;
    let a = make(n);
    let b = make(n);
    let c = make(n + 1);
    // SAFETY: all are live lists.
    unsafe {
        assert!(eq(a, b, d(list)));
        assert!(!eq(a, c, d(list)));
        assert_eq!(hash(a, d(list)), hash(b, d(list)));
    }
    let text = show(a, list);
    assert!(text.starts_with("Cons(Cons(Cons("));
    assert!(text.contains("Cons(Nil, 0), 1), 2)"));
    assert!(text.ends_with(", 7), 8), 9)"));
    assert_eq!(
        text.len(),
        "Cons(".len() * n as usize + "Nil".len() + ", 0)".len() * n as usize
    );
    for v in [a, b, c] {
        rel(v, list);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn cyclic_values_print_compare_and_hash() {
    // struct Node { v: int, next: Node? }
    let mut t = Types::new();
    let before = live_objects();
    let node = t.a.declare();
    let opt = t.a.option(node);
    t.a.define_struct(node, "Node", &[("v", t.int), ("next", opt)]);
    let none = || variant(opt, 0, &[]);
    // A ring of nodes holding `values`; returns the first node (owned once by the
    // caller; the ring owns it once more).
    let ring = |values: &[u64]| {
        let nodes: Vec<u64> = values.iter().map(|&v| record(node, &[v, none()])).collect();
        for (i, &n) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % nodes.len()];
            // SAFETY: `n` and `next` are live nodes; the field held `None`, released
            // here, and takes a new reference to `next`.
            unsafe {
                let f = &d(node).fields()[1];
                let slot = (n as *mut u8).add(f.offset as usize);
                release_slot(load(slot, d(opt)), d(opt));
                retain_slot(next, d(node));
                store(slot, d(opt), variant(opt, 1, &[next]));
            }
        }
        for &n in &nodes[1..] {
            rel(n, node);
        }
        nodes[0]
    };
    let unlink = |first: u64| {
        // Cuts the ring before `first`, so that the whole ring can be freed.
        // SAFETY: `first` is a live node of a ring.
        unsafe {
            let f = &d(node).fields()[1];
            let slot = (first as *mut u8).add(f.offset as usize);
            let old = load(slot, d(opt));
            store(slot, d(opt), none());
            release_slot(old, d(opt));
        }
    };
    let a = ring(&[1]);
    let b = ring(&[1, 1, 1]);
    let c = ring(&[1, 2]);
    let e = ring(&[1, 2, 1, 2]);
    assert_eq!(show(a, node), "Node(v: 1, next: Some(Node(...)))");
    assert_eq!(
        show(c, node),
        "Node(v: 1, next: Some(Node(v: 2, next: Some(Node(...)))))"
    );
    // SAFETY: all are live nodes.
    unsafe {
        assert!(eq(a, b, d(node)));
        assert!(eq(c, e, d(node)));
        assert!(!eq(a, c, d(node)));
        assert_eq!(hash(a, d(node)), hash(b, d(node)));
        assert_eq!(hash(c, d(node)), hash(e, d(node)));
        // No object keeps the mark printing puts on the objects of its path.
        assert_eq!(header(a as *const u8).flags & FLAG_ON_PRINT_PATH, 0);
    }
    for v in [a, b, c, e] {
        unlink(v);
        rel(v, node);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn values_outlive_the_arena_that_described_them() {
    // An engine may be dropped while objects it made are alive (leaked in a cycle,
    // abandoned by a panic, or handed to a host). They must stay usable: their
    // descriptors and the unit-variant instances they point at outlive the arena.
    let before = live_objects();
    let retired_before = retired_descriptors();
    let (a, b) = {
        let mut arena = DescArena::new();
        let int = arena.scalar(TypeKind::I64);
        let node = arena.declare();
        let opt = arena.option(node);
        arena.define_struct(node, "Node", &[("v", int), ("next", opt)]);
        let list = || {
            let leaf = record(node, &[7, variant(opt, 0, &[])]);
            record(node, &[1, variant(opt, 1, &[leaf])])
        };
        (list(), list())
    };
    assert!(retired_descriptors() >= retired_before + 2);
    // Take back as much freed memory of the sizes the arena used as the allocator
    // will give, filled with junk, so that reading a freed descriptor would show.
    let junk: Vec<Vec<u8>> = (0..2000)
        .flat_map(|_| (1..=16).map(|k| vec![0xAB; 8 * k]))
        .collect();
    // SAFETY: `a` and `b` are live objects of the same type.
    unsafe {
        let d = desc_of(a as *const u8);
        assert_eq!(
            object_text(a as *const u8),
            "Node(v: 1, next: Some(Node(v: 7, next: None)))"
        );
        assert!(eq(a, b, d));
        assert_eq!(hash(a, d), hash(b, d));
        kiln_release(a as *mut u8);
        kiln_release(b as *mut u8);
    }
    drop(junk);
    assert_eq!(live_objects(), before);
}

#[test]
fn io_functions() {
    let mut t = Types::new();
    let before = live_objects();
    let opt_str = t.a.option(t.str);
    let unit = t.a.scalar(TypeKind::Unit);
    let res = t.a.result(t.str, t.str);
    let res_unit = t.a.result(unit, t.str);
    let strs = t.a.array(t.str);
    set_stdin(Some("first\r\nsecond\nlast".into()));
    // SAFETY: descriptors as the functions require; results released.
    unsafe {
        let mut lines = Vec::new();
        loop {
            let o = kiln_read_line(opt_str);
            let line = opt_value(o as u64).map(|v| st(v).to_string());
            rel(o as u64, opt_str);
            match line {
                Some(l) => lines.push(l),
                None => break,
            }
        }
        assert_eq!(lines, ["first", "second", "last"]);
        set_stdin(None);

        let dir = std::env::temp_dir().join(format!("kiln-io-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = s(dir.join("f.txt").to_str().unwrap());
        let body = s("hello\n");
        let w = kiln_write_file(path as *const u8, body as *const u8, res_unit);
        assert_eq!(show(w as u64, res_unit), "Ok(())");
        rel(w as u64, res_unit);
        let r = kiln_read_file(path as *const u8, res);
        assert_eq!(show(r as u64, res), r#"Ok("hello\n")"#);
        rel(r as u64, res);
        let missing = s(dir.join("missing.txt").to_str().unwrap());
        let r = kiln_read_file(missing as *const u8, res);
        assert_eq!(tag_of(r as *const u8), 1);
        let msg = st(variant_field0(r as *const u8));
        assert!(msg.contains("No such file"), "{msg}");
        assert!(!msg.contains("os error"), "{msg}");
        rel(r as u64, res);
        let dir_path = s(dir.to_str().unwrap());
        let w = kiln_write_file(dir_path as *const u8, body as *const u8, res_unit);
        assert_eq!(tag_of(w as *const u8), 1);
        rel(w as u64, res_unit);
        for v in [path, body, missing, dir_path] {
            rel(v, t.str);
        }
        let _ = std::fs::remove_dir_all(&dir);

        crate::io::set_args(vec!["a".into(), "b c".into()]);
        let args = kiln_args(strs);
        assert_eq!(show(args as u64, strs), r#"["a", "b c"]"#);
        rel(args as u64, strs);

        let msg = panic_message(|| kiln_unwrap_none(null(), 0));
        assert_eq!(msg, "unwrap on None");
        let e = s("bad \"input\"");
        let msg = panic_message(|| kiln_unwrap_err(null(), 0, e, t.str));
        assert_eq!(msg, r#"unwrap on Err: "bad \"input\"""#);
        rel(e, t.str);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn zero_sized_elements() {
    let mut t = Types::new();
    let before = live_objects();
    let unit = t.a.scalar(TypeKind::Unit);
    let units = t.a.array(unit);
    let opt = t.a.option(unit);
    // SAFETY: as in `array_operations`.
    unsafe {
        let a = kiln_array_new(units, 0);
        for _ in 0..5 {
            kiln_array_push(a, 0);
        }
        kiln_array_insert(null(), 0, a, 2, 0);
        assert_eq!(show(a as u64, units), "[(), (), (), (), (), ()]");
        let o = kiln_array_pop(a, opt);
        assert_eq!(show(o as u64, opt), "Some(())");
        rel(o as u64, opt);
        let r = kiln_array_repeat(null(), 0, units, 0, 3);
        kiln_array_extend(a, r);
        assert_eq!(kiln_array_len(a), 8);
        let c = kiln_clone(a);
        kiln_array_reverse(c);
        kiln_array_sort(c);
        assert_eq!(kiln_value_eq(a as u64, c as u64, units), 1);
        for v in [a, r, c] {
            rel(v as u64, units);
        }
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn symbols_are_unique_and_complete() {
    let syms = crate::symbols();
    let mut names: Vec<&str> = syms.iter().map(|s| s.name).collect();
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n, "duplicate symbol names");
    for want in [
        "kiln_drop",
        "kiln_alloc_variant",
        "kiln_map_key_at",
        "kiln_str_next_char",
        "kiln_unwrap_err",
        "kiln_sb_push_value",
    ] {
        assert!(names.contains(&want), "{want} missing");
    }
}

/// Timings of the allocation- and map-heavy paths; run with
/// `cargo test -p kiln-runtime --release bench_ -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_trees_and_maps() {
    use std::time::Instant;
    let mut t = Types::new();
    let tree = t.a.declare();
    t.a.define_enum(
        tree,
        "Tree",
        &[
            ("Leaf", false, &[]),
            ("Node", false, &[("", tree), ("", tree)]),
        ],
    );
    fn make(tree: *const TypeDesc, depth: u32) -> u64 {
        let (a, b) = if depth == 0 {
            (variant(tree, 0, &[]), variant(tree, 0, &[]))
        } else {
            (make(tree, depth - 1), make(tree, depth - 1))
        };
        variant(tree, 1, &[a, b])
    }
    let start = Instant::now();
    for _ in 0..64 {
        let x = make(tree, 14);
        rel(x, tree);
    }
    let nodes = 64.0 * 32768.0;
    eprintln!(
        "binary trees: {:.1} ns per node made and dropped",
        start.elapsed().as_nanos() as f64 / nodes
    );
    let ms = t.a.map(t.str, t.int);
    let words: Vec<u64> = (0..100_000).map(|i| s(&format!("word{i}"))).collect();
    // SAFETY: live map and strings; every reference taken is released.
    unsafe {
        let map = kiln_map_new(ms);
        let start = Instant::now();
        for (i, &w) in words.iter().enumerate() {
            retain(w as *mut u8);
            kiln_map_set(map, w, i as u64);
        }
        eprintln!("100k str inserts: {:?}", start.elapsed());
        let start = Instant::now();
        let mut total = 0u64;
        for _ in 0..10 {
            for &w in &words {
                total += kiln_map_index(null(), 0, map, w);
            }
        }
        eprintln!("1M str lookups: {:?} (sum {total})", start.elapsed());
        rel(map as u64, ms);
    }
    for w in words {
        rel(w, t.str);
    }
}
