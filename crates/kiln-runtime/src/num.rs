//! Numeric helpers that are not single machine instructions.
//!
//! The transcendental functions are CORE-MATH's correctly rounded ones (see
//! [`crate::mathlib`]), so results are exact and the same on every platform; `round`
//! rounds half away from zero as LANGUAGE.md promises. Checked integer helpers raise Kiln panics on failure.

use crate::panic::{raise, PanicKind};

/// `a.pow(b)` on `int`: panics on overflow or a negative exponent.
pub extern "C-unwind" fn kiln_pow_i64(fp: *const u8, site: i32, a: i64, b: i64) -> i64 {
    if b < 0 {
        raise(fp, site, format!("negative exponent: {b}"));
    }
    match u32::try_from(b).ok().and_then(|e| a.checked_pow(e)) {
        Some(v) => v,
        None if a == 0 || a == 1 => a,
        None if a == -1 => {
            if b % 2 == 0 {
                1
            } else {
                -1
            }
        }
        None => raise(fp, site, PanicKind::IntegerOverflow.message().to_string()),
    }
}

/// `n as char`: panics when `n` is not a Unicode scalar value.
pub extern "C-unwind" fn kiln_int_to_char(fp: *const u8, site: i32, n: i64) -> i32 {
    match u32::try_from(n).ok().and_then(char::from_u32) {
        Some(c) => c as i32,
        None => raise(
            fp,
            site,
            format!("invalid char: {n} is not a Unicode scalar value"),
        ),
    }
}

macro_rules! float_fns {
    ($($name:ident($($a:ident),*) => $body:expr;)*) => {
        $(pub extern "C-unwind" fn $name($($a: f64),*) -> f64 { $body })*
    };
}

float_fns! {
    kiln_f64_round(x) => x.round();
    kiln_f64_rem(x, y) => x % y;
    kiln_f64_pow(x, y) => core_math::pow(x, y);
    kiln_f64_sin(x) => core_math::sin(x);
    kiln_f64_cos(x) => core_math::cos(x);
    kiln_f64_tan(x) => core_math::tan(x);
    kiln_f64_atan(x) => core_math::atan(x);
    kiln_f64_atan2(y, x) => core_math::atan2(y, x);
    kiln_f64_exp(x) => core_math::exp(x);
    kiln_f64_ln(x) => core_math::log(x);
    kiln_f64_log10(x) => core_math::log10(x);
}
