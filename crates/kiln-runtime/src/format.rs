//! The text form of scalar values and the format specs of LANGUAGE.md §7.
//!
//! A spec is parsed once, at compile time, into a [`FormatSpec`] that the engine keeps
//! alive and passes by pointer; at run time it is only applied. Specs follow Rust's
//! `std::fmt`: `[[fill]align][+][#][0][width][.precision][type]`, with `type` one of
//! `? x X b o e E`. A float's plain text is Rust's `{:?}` for `f64`. This module does
//! no IO.

use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Display,
    Debug,
    LowerHex,
    UpperHex,
    Binary,
    Octal,
    LowerExp,
    UpperExp,
}

/// A parsed format spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub fill: char,
    pub align: Option<Align>,
    pub plus: bool,
    pub alternate: bool,
    pub zero: bool,
    pub width: Option<usize>,
    pub precision: Option<usize>,
    pub kind: Kind,
}

impl Default for FormatSpec {
    fn default() -> FormatSpec {
        FormatSpec {
            fill: ' ',
            align: None,
            plus: false,
            alternate: false,
            zero: false,
            width: None,
            precision: None,
            kind: Kind::Display,
        }
    }
}

fn align_of(c: char) -> Option<Align> {
    match c {
        '<' => Some(Align::Left),
        '>' => Some(Align::Right),
        '^' => Some(Align::Center),
        _ => None,
    }
}

impl FormatSpec {
    /// Parses the text after the `:` of `{expr:spec}`.
    pub fn parse(text: &str) -> Result<FormatSpec, String> {
        let mut spec = FormatSpec::default();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        if chars.len() >= 2 && align_of(chars[1]).is_some() {
            spec.fill = chars[0];
            spec.align = align_of(chars[1]);
            i = 2;
        } else if let Some(a) = chars.first().and_then(|&c| align_of(c)) {
            spec.align = Some(a);
            i = 1;
        }
        if chars.get(i) == Some(&'+') {
            spec.plus = true;
            i += 1;
        }
        if chars.get(i) == Some(&'#') {
            spec.alternate = true;
            i += 1;
        }
        if chars.get(i) == Some(&'0') {
            spec.zero = true;
            i += 1;
        }
        spec.width = number(&chars, &mut i)?;
        if chars.get(i) == Some(&'.') {
            i += 1;
            spec.precision = number(&chars, &mut i)?;
            if spec.precision.is_none() {
                return Err("expected a precision after `.`".into());
            }
        }
        spec.kind = match chars.get(i) {
            None => Kind::Display,
            Some('?') => Kind::Debug,
            Some('x') => Kind::LowerHex,
            Some('X') => Kind::UpperHex,
            Some('b') => Kind::Binary,
            Some('o') => Kind::Octal,
            Some('e') => Kind::LowerExp,
            Some('E') => Kind::UpperExp,
            Some(c) => return Err(format!("unknown format type `{c}`")),
        };
        if let Some(c) = chars.get(i + 1) {
            return Err(format!("unexpected `{c}` in format spec"));
        }
        Ok(spec)
    }
}

fn number(chars: &[char], i: &mut usize) -> Result<Option<usize>, String> {
    let start = *i;
    while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
        *i += 1;
    }
    if start == *i {
        return Ok(None);
    }
    let text: String = chars[start..*i].iter().collect();
    text.parse::<usize>()
        .ok()
        .filter(|&n| n <= 1 << 16)
        .map(Some)
        .ok_or_else(|| "format width or precision is too large".to_string())
}

/// The text form of an `f64`: Rust's `{:?}`.
pub fn f64_text(v: f64) -> String {
    format!("{v:?}")
}

/// The text form of an `f32`: Rust's `{:?}`.
pub fn f32_text(v: f32) -> String {
    format!("{v:?}")
}

/// Pads `body` to the spec's width. `numeric` selects right alignment by default and
/// sign-aware zero padding.
fn pad(out: &mut String, body: &str, numeric: bool, spec: &FormatSpec) {
    let len = body.chars().count();
    let width = spec.width.unwrap_or(0);
    if len >= width {
        out.push_str(body);
        return;
    }
    let missing = width - len;
    if spec.zero && numeric {
        let (sign, digits) = match body.strip_prefix(['-', '+']) {
            Some(rest) => (&body[..1], rest),
            None => ("", body),
        };
        let (prefix, digits) = split_radix_prefix(digits);
        out.push_str(sign);
        out.push_str(prefix);
        out.extend(std::iter::repeat_n('0', missing));
        out.push_str(digits);
        return;
    }
    let align = spec
        .align
        .unwrap_or(if numeric { Align::Right } else { Align::Left });
    let (before, after) = match align {
        Align::Left => (0, missing),
        Align::Right => (missing, 0),
        Align::Center => (missing / 2, missing - missing / 2),
    };
    out.extend(std::iter::repeat_n(spec.fill, before));
    out.push_str(body);
    out.extend(std::iter::repeat_n(spec.fill, after));
}

fn split_radix_prefix(digits: &str) -> (&str, &str) {
    for p in ["0x", "0b", "0o"] {
        if let Some(rest) = digits.strip_prefix(p) {
            return (p, rest);
        }
    }
    ("", digits)
}

fn with_plus(mut body: String, spec: &FormatSpec) -> String {
    if spec.plus && !body.starts_with('-') {
        body.insert(0, '+');
    }
    body
}

fn int_body<T>(v: T, spec: &FormatSpec) -> String
where
    T: std::fmt::Display
        + std::fmt::LowerHex
        + std::fmt::UpperHex
        + std::fmt::Binary
        + std::fmt::Octal
        + std::fmt::LowerExp
        + std::fmt::UpperExp,
{
    let alt = spec.alternate;
    // Rust honours a precision on integers only in the exponent forms, where it is the
    // number of digits after the point (rounded half to even); elsewhere it is ignored.
    let body = match (spec.kind, alt) {
        (Kind::LowerHex, false) => format!("{v:x}"),
        (Kind::LowerHex, true) => format!("{v:#x}"),
        (Kind::UpperHex, false) => format!("{v:X}"),
        (Kind::UpperHex, true) => format!("{v:#X}"),
        (Kind::Binary, false) => format!("{v:b}"),
        (Kind::Binary, true) => format!("{v:#b}"),
        (Kind::Octal, false) => format!("{v:o}"),
        (Kind::Octal, true) => format!("{v:#o}"),
        (Kind::LowerExp, _) => match spec.precision {
            Some(p) => format!("{v:.p$e}"),
            None => format!("{v:e}"),
        },
        (Kind::UpperExp, _) => match spec.precision {
            Some(p) => format!("{v:.p$E}"),
            None => format!("{v:E}"),
        },
        (Kind::Display | Kind::Debug, _) => format!("{v}"),
    };
    with_plus(body, spec)
}

/// The text of a float under `spec`, before padding. `nan` says whether `v` is a NaN,
/// which Rust prints as `NaN` without a sign, even under `+`.
fn float_body<T>(v: T, nan: bool, text: String, spec: &FormatSpec) -> String
where
    T: std::fmt::Display + std::fmt::LowerExp + std::fmt::UpperExp,
{
    let body = match (spec.kind, spec.precision) {
        (Kind::LowerExp, Some(p)) => format!("{v:.p$e}"),
        (Kind::LowerExp, None) => format!("{v:e}"),
        (Kind::UpperExp, Some(p)) => format!("{v:.p$E}"),
        (Kind::UpperExp, None) => format!("{v:E}"),
        (_, Some(p)) => format!("{v:.p$}"),
        (_, None) => text,
    };
    if nan {
        return body;
    }
    with_plus(body, spec)
}

/// The integer types, numbered as compiled code passes them to
/// [`push_int`]: 0–3 are `i8 i16 i32 i64`, 4–7 are `u8 u16 u32 u64`.
pub fn push_int(out: &mut String, v: i64, kind: i32, spec: Option<&FormatSpec>) {
    let Some(spec) = spec else {
        let _ = match kind {
            7 => write!(out, "{}", v as u64),
            _ => write!(out, "{v}"),
        };
        return;
    };
    // Radix forms show the bits of the value's own width, as Rust does.
    let body = match kind {
        0 => int_body(v as i8, spec),
        1 => int_body(v as i16, spec),
        2 => int_body(v as i32, spec),
        4 => int_body(v as u8, spec),
        5 => int_body(v as u16, spec),
        6 => int_body(v as u32, spec),
        7 => int_body(v as u64, spec),
        _ => int_body(v, spec),
    };
    pad(out, &body, true, spec)
}

pub fn push_f64(out: &mut String, v: f64, spec: Option<&FormatSpec>) {
    match spec {
        None => out.push_str(&f64_text(v)),
        Some(spec) => pad(
            out,
            &float_body(v, v.is_nan(), f64_text(v), spec),
            true,
            spec,
        ),
    }
}

pub fn push_f32(out: &mut String, v: f32, spec: Option<&FormatSpec>) {
    match spec {
        None => out.push_str(&f32_text(v)),
        Some(spec) => pad(
            out,
            &float_body(v, v.is_nan(), f32_text(v), spec),
            true,
            spec,
        ),
    }
}

pub fn push_bool(out: &mut String, v: i8, spec: Option<&FormatSpec>) {
    push_text(out, if v != 0 { "true" } else { "false" }, false, spec);
}

pub fn push_char(out: &mut String, v: u32, spec: Option<&FormatSpec>) {
    let c = char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER);
    match spec {
        Some(s) if s.kind == Kind::Debug => push_text(out, &format!("{c:?}"), false, spec),
        _ => push_text(out, c.encode_utf8(&mut [0; 4]), false, spec),
    }
}

pub fn push_str(out: &mut String, s: &str, spec: Option<&FormatSpec>) {
    match spec {
        Some(sp) if sp.kind == Kind::Debug => push_text(out, &format!("{s:?}"), false, spec),
        _ => push_text(out, s, false, spec),
    }
}

/// Pushes a value's text, truncated to the precision (as Rust does for strings) and
/// padded to the width.
pub fn push_text(out: &mut String, text: &str, numeric: bool, spec: Option<&FormatSpec>) {
    let Some(spec) = spec else {
        out.push_str(text);
        return;
    };
    match spec.precision {
        Some(p) if !numeric && text.chars().count() > p => {
            let cut: String = text.chars().take(p).collect();
            pad(out, &cut, numeric, spec)
        }
        _ => pad(out, text, numeric, spec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt_i(v: i64, spec: &str) -> String {
        let mut s = String::new();
        push_int(&mut s, v, 3, Some(&FormatSpec::parse(spec).unwrap()));
        s
    }

    fn fmt_f(v: f64, spec: &str) -> String {
        let mut s = String::new();
        push_f64(&mut s, v, Some(&FormatSpec::parse(spec).unwrap()));
        s
    }

    #[test]
    fn float_text_is_rust_debug() {
        assert_eq!(f64_text(1.0), "1.0");
        assert_eq!(f64_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(f64_text(1e300), "1e300");
        assert_eq!(f64_text(f64::NAN), "NaN");
        assert_eq!(f64_text(f64::NEG_INFINITY), "-inf");
        assert_eq!(f64_text(-0.0), "-0.0");
    }

    #[test]
    fn integer_specs() {
        assert_eq!(fmt_i(255, "x"), "ff");
        assert_eq!(fmt_i(255, "X"), "FF");
        assert_eq!(fmt_i(5, "b"), "101");
        assert_eq!(fmt_i(8, "o"), "10");
        assert_eq!(fmt_i(7, "03"), "007");
        assert_eq!(fmt_i(-7, "04"), "-007");
        assert_eq!(fmt_i(3, "5"), "    3");
        assert_eq!(fmt_i(3, "<5"), "3    ");
        assert_eq!(fmt_i(3, "*^5"), "**3**");
        assert_eq!(fmt_i(255, "#x"), "0xff");
        assert_eq!(fmt_i(255, "#06x"), "0x00ff");
        assert_eq!(fmt_i(5, "+"), "+5");
    }

    #[test]
    fn integer_exponent_keeps_the_precision() {
        assert_eq!(fmt_i(123456, ".2e"), "1.23e5");
        assert_eq!(fmt_i(1, ".3e"), "1.000e0");
        assert_eq!(fmt_i(1245, ".2E"), "1.24E3");
        assert_eq!(fmt_i(123456, "e"), "1.23456e5");
        assert_eq!(fmt_i(123456, ".2"), "123456");
    }

    #[test]
    fn radix_uses_the_type_width() {
        let mut s = String::new();
        push_int(&mut s, -8, 0, Some(&FormatSpec::parse("o").unwrap()));
        assert_eq!(s, "370");
        s.clear();
        push_int(&mut s, -1, 7, None);
        assert_eq!(s, "18446744073709551615");
    }

    #[test]
    fn float_specs() {
        assert_eq!(fmt_f(std::f64::consts::PI, ".3"), "3.142");
        assert_eq!(fmt_f(1234.5, "e"), "1.2345e3");
        assert_eq!(fmt_f(2.5, "8"), "     2.5");
        assert_eq!(fmt_f(-2.5, "08.2"), "-0002.50");
    }

    #[test]
    fn nan_has_no_sign() {
        assert_eq!(fmt_f(f64::NAN, "+"), "NaN");
        assert_eq!(fmt_f(-f64::NAN, "+.2e"), "NaN");
        assert_eq!(fmt_f(f64::NAN, "+08"), "00000NaN");
        assert_eq!(fmt_f(f64::INFINITY, "+08"), "+0000inf");
    }

    #[test]
    fn bad_specs_are_errors() {
        assert!(FormatSpec::parse("q").is_err());
        assert!(FormatSpec::parse(".").is_err());
        assert!(FormatSpec::parse("5x3").is_err());
        assert!(FormatSpec::parse("*^9").is_ok());
    }
}
