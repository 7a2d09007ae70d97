//! Numeric helpers that are not single machine instructions.
//!
//! The transcendental functions are CORE-MATH's correctly rounded ones (see
//! [`crate::mathlib`]), so results are exact and the same on every platform; `round`
//! rounds half away from zero as LANGUAGE.md promises. Checked integer helpers raise Kiln panics on failure.

use crate::panic::{raise, PanicKind};

/// The range of the integer type numbered `kind` (0–3 `i8`..`i64`, 4–7 `u8`..`u64`).
fn int_range(kind: i32) -> (i128, i128) {
    let bits = 8u32 << (kind & 3);
    if kind < 4 {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    }
}

/// `a.pow(b)` on the integer type numbered `kind`: panics on overflow or a negative
/// exponent. `a` arrives sign- or zero-extended to 64 bits as its type requires.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_pow_int(
    fp: *const u8,
    site: i32,
    a: i64,
    b: i64,
    kind: i32,
) -> i64 {
    if b < 0 {
        // SAFETY: guaranteed by the caller.
        unsafe { raise(fp, site, format!("negative exponent: {b}")) };
    }
    let base = if kind == 7 {
        a as u64 as i128
    } else {
        a as i128
    };
    let (min, max) = int_range(kind);
    let overflow = || -> ! {
        // SAFETY: guaranteed by the caller.
        unsafe { raise(fp, site, PanicKind::IntegerOverflow.message().to_string()) }
    };
    let result = match base {
        0 => (b == 0) as i128,
        1 => 1,
        -1 => 1 - 2 * (b % 2) as i128,
        // |base| >= 2: the result leaves every range within 128 steps.
        _ => {
            let mut r: i128 = 1;
            for _ in 0..b {
                r = r
                    .checked_mul(base)
                    .filter(|r| (min..=max).contains(r))
                    .unwrap_or_else(|| overflow());
            }
            r
        }
    };
    if !(min..=max).contains(&result) {
        overflow();
    }
    result as i64
}

/// `n as char`: panics when `n` is not a Unicode scalar value.
///
/// # Safety
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_int_to_char(fp: *const u8, site: i32, n: i64) -> i32 {
    match u32::try_from(n).ok().and_then(char::from_u32) {
        Some(c) => c as i32,
        None => {
            let message = format!("invalid char: {n} is not a Unicode scalar value");
            // SAFETY: guaranteed by the caller.
            unsafe { raise(fp, site, message) }
        }
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
