//! The meaning of MIR's pure instructions on values held as bits.
//!
//! A value of any MIR type is a `u64`: an integer (or pointer) of `n` bits is kept
//! zero-extended from its low `n` bits, an `f64` is its bits, an `f32` its bits in
//! the low 32. Every function here takes and returns values in that form, and does
//! what the code generator's Cranelift instruction does (wrapping integer
//! arithmetic, shift counts taken modulo the width, saturating float-to-int
//! conversions, IEEE comparisons), written for the reader rather than for speed.

use kiln_mir::{BinaryOp, ConvertOp, FloatCC, IntCC, OverflowOp, Type, UnaryOp};

/// The low `ty.bits()` bits of `bits`.
pub fn mask(ty: Type, bits: u64) -> u64 {
    match ty.bits() {
        8 => bits & 0xff,
        16 => bits & 0xffff,
        32 => bits & 0xffff_ffff,
        _ => bits,
    }
}

/// The signed value of an integer of type `ty`.
pub fn signed(ty: Type, bits: u64) -> i64 {
    match ty.bits() {
        8 => bits as u8 as i8 as i64,
        16 => bits as u16 as i16 as i64,
        32 => bits as u32 as i32 as i64,
        _ => bits as i64,
    }
}

fn f32_of(bits: u64) -> f32 {
    f32::from_bits(bits as u32)
}

fn f64_of(bits: u64) -> f64 {
    f64::from_bits(bits)
}

/// A float of type `ty` (`f32` or `f64`), widened to `f64` (exactly).
fn float_of(ty: Type, bits: u64) -> f64 {
    if ty == Type::F32 {
        f32_of(bits) as f64
    } else {
        f64_of(bits)
    }
}

/// The bits of the float `x` as a value of type `ty`, rounding to `f32` if so.
fn float_bits(ty: Type, x: f64) -> u64 {
    if ty == Type::F32 {
        (x as f32).to_bits() as u64
    } else {
        x.to_bits()
    }
}

/// Applies a float operation in the precision of `ty`.
fn float2(ty: Type, a: u64, b: u64, f32op: fn(f32, f32) -> f32, f64op: fn(f64, f64) -> f64) -> u64 {
    if ty == Type::F32 {
        f32op(f32_of(a), f32_of(b)).to_bits() as u64
    } else {
        f64op(f64_of(a), f64_of(b)).to_bits()
    }
}

fn float1(ty: Type, a: u64, f32op: fn(f32) -> f32, f64op: fn(f64) -> f64) -> u64 {
    if ty == Type::F32 {
        f32op(f32_of(a)).to_bits() as u64
    } else {
        f64op(f64_of(a)).to_bits()
    }
}

/// Cranelift's `fmin`/`fmax`: NaN if either side is NaN, and `-0.0 < +0.0`.
fn fmin_max(ty: Type, a: u64, b: u64, min: bool) -> u64 {
    let (x, y) = (float_of(ty, a), float_of(ty, b));
    if x.is_nan() {
        return a;
    }
    if y.is_nan() {
        return b;
    }
    if x == y {
        // Equal, or zeros of different signs: min takes the negative one.
        let x_neg = x.is_sign_negative();
        return if x_neg == min { a } else { b };
    }
    if (x < y) == min {
        a
    } else {
        b
    }
}

pub fn binary(op: BinaryOp, ty: Type, a: u64, b: u64) -> u64 {
    use BinaryOp::*;
    let shift = |b: u64| (b % ty.bits() as u64) as u32;
    let r = match op {
        Iadd => a.wrapping_add(b),
        Isub => a.wrapping_sub(b),
        Imul => a.wrapping_mul(b),
        Sdiv => signed(ty, a).wrapping_div(signed(ty, b)) as u64,
        Udiv => a / b,
        Srem => signed(ty, a).wrapping_rem(signed(ty, b)) as u64,
        Urem => a % b,
        Band => a & b,
        Bor => a | b,
        Bxor => a ^ b,
        Ishl => a << shift(b),
        Sshr => (signed(ty, a) >> shift(b)) as u64,
        Ushr => a >> shift(b),
        Fadd => return float2(ty, a, b, |x, y| x + y, |x, y| x + y),
        Fsub => return float2(ty, a, b, |x, y| x - y, |x, y| x - y),
        Fmul => return float2(ty, a, b, |x, y| x * y, |x, y| x * y),
        Fdiv => return float2(ty, a, b, |x, y| x / y, |x, y| x / y),
        Fmin => return fmin_max(ty, a, b, true),
        Fmax => return fmin_max(ty, a, b, false),
    };
    mask(ty, r)
}

/// Arithmetic that reports overflow: the wrapped result and whether it overflowed.
pub fn overflow(op: OverflowOp, ty: Type, a: u64, b: u64) -> (u64, bool) {
    use OverflowOp::*;
    let bits = ty.bits();
    let (smin, smax) = (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1);
    let umax = (1i128 << bits) - 1;
    let (sa, sb) = (signed(ty, a) as i128, signed(ty, b) as i128);
    let (ua, ub) = (a as i128, b as i128);
    let (wide, over) = match op {
        Sadd => (sa + sb, !(smin..=smax).contains(&(sa + sb))),
        Ssub => (sa - sb, !(smin..=smax).contains(&(sa - sb))),
        Smul => (sa * sb, !(smin..=smax).contains(&(sa * sb))),
        Uadd => (ua + ub, ua + ub > umax),
        Usub => (ua - ub, ua < ub),
        // Two u64s multiply to up to 128 bits, beyond i128: multiply as u128.
        Umul => {
            let product = a as u128 * b as u128;
            (product as i128, product > umax as u128)
        }
    };
    (mask(ty, wide as u64), over)
}

pub fn unary(op: UnaryOp, ty: Type, a: u64) -> u64 {
    use UnaryOp::*;
    let sign = if ty == Type::F32 {
        1u64 << 31
    } else {
        1u64 << 63
    };
    match op {
        Ineg => mask(ty, 0u64.wrapping_sub(a)),
        Bnot => mask(ty, !a),
        Fneg => a ^ sign,
        Fabs => a & !sign,
        Sqrt => float1(ty, a, f32::sqrt, f64::sqrt),
        Floor => float1(ty, a, f32::floor, f64::floor),
        Ceil => float1(ty, a, f32::ceil, f64::ceil),
        Trunc => float1(ty, a, f32::trunc, f64::trunc),
    }
}

/// An integer comparison of two values of type `ty`: 1 or 0.
pub fn icmp(cc: IntCC, ty: Type, a: u64, b: u64) -> u64 {
    use IntCC::*;
    let (sa, sb) = (signed(ty, a), signed(ty, b));
    let r = match cc {
        Eq => a == b,
        Ne => a != b,
        Slt => sa < sb,
        Sle => sa <= sb,
        Sgt => sa > sb,
        Sge => sa >= sb,
        Ult => a < b,
        Ule => a <= b,
        Ugt => a > b,
        Uge => a >= b,
    };
    r as u64
}

/// A float comparison: 1 or 0. All but `Ne` and `Uno` are false on NaN.
pub fn fcmp(cc: FloatCC, ty: Type, a: u64, b: u64) -> u64 {
    use FloatCC::*;
    let (x, y) = (float_of(ty, a), float_of(ty, b));
    let r = match cc {
        Eq => x == y,
        Ne => x != y,
        Lt => x < y,
        Le => x <= y,
        Gt => x > y,
        Ge => x >= y,
        Uno => x.is_nan() || y.is_nan(),
    };
    r as u64
}

/// Converts `a` of type `from` to type `to`.
pub fn convert(op: ConvertOp, from: Type, to: Type, a: u64) -> u64 {
    use ConvertOp::*;
    match op {
        Sext => mask(to, signed(from, a) as u64),
        Uext => a,
        Trunc => mask(to, a),
        // Rust's `as` from a float to an integer saturates and takes NaN to 0,
        // like Cranelift's `fcvt_to_sint_sat` (and the clamping the code generator
        // adds for narrow targets).
        FtoSsat => {
            let x = float_of(from, a);
            let n = match to.bits() {
                8 => x as i8 as i64,
                16 => x as i16 as i64,
                32 => x as i32 as i64,
                _ => x as i64,
            };
            mask(to, n as u64)
        }
        FtoUsat => {
            let x = float_of(from, a);
            match to.bits() {
                8 => x as u8 as u64,
                16 => x as u16 as u64,
                32 => x as u32 as u64,
                _ => x as u64,
            }
        }
        // One rounding, from the integer straight to the target width.
        StoF if to == Type::F32 => (signed(from, a) as f32).to_bits() as u64,
        StoF => (signed(from, a) as f64).to_bits(),
        UtoF if to == Type::F32 => (a as f32).to_bits() as u64,
        UtoF => (a as f64).to_bits(),
        Fconv if from == to => a,
        Fconv => float_bits(to, float_of(from, a)),
        Bitcast => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_wrap_at_their_width() {
        assert_eq!(binary(BinaryOp::Iadd, Type::I8, 0xff, 1), 0);
        assert_eq!(
            binary(BinaryOp::Sdiv, Type::I32, mask(Type::I32, -7i64 as u64), 2),
            mask(Type::I32, -3i64 as u64)
        );
        assert_eq!(binary(BinaryOp::Sshr, Type::I16, 0x8000, 15), 0xffff);
        assert_eq!(binary(BinaryOp::Ishl, Type::I32, 1, 33), 2);
    }

    #[test]
    fn overflow_is_reported_at_the_exact_boundary() {
        assert_eq!(overflow(OverflowOp::Sadd, Type::I8, 127, 0), (127, false));
        assert_eq!(overflow(OverflowOp::Sadd, Type::I8, 127, 1), (0x80, true));
        assert_eq!(
            overflow(OverflowOp::Usub, Type::I64, 0, 1),
            (u64::MAX, true)
        );
        assert_eq!(
            overflow(OverflowOp::Smul, Type::I64, i64::MIN as u64, u64::MAX),
            (i64::MIN as u64, true)
        );
        assert_eq!(
            overflow(OverflowOp::Umul, Type::I64, u64::MAX - 9, u64::MAX - 9),
            (100, true)
        );
        assert_eq!(
            overflow(OverflowOp::Umul, Type::I64, 1 << 32, (1 << 32) - 1),
            (u64::MAX - (1 << 32) + 1, false)
        );
    }

    #[test]
    fn float_conversions_saturate() {
        let nan = f64::NAN.to_bits();
        assert_eq!(convert(ConvertOp::FtoSsat, Type::F64, Type::I32, nan), 0);
        assert_eq!(
            convert(ConvertOp::FtoSsat, Type::F64, Type::I8, 1e9f64.to_bits()),
            127
        );
        assert_eq!(
            convert(ConvertOp::FtoUsat, Type::F64, Type::I8, (-5.0f64).to_bits()),
            0
        );
    }

    #[test]
    fn min_and_max_order_zeros_and_keep_nan() {
        let (pz, nz) = (0.0f64.to_bits(), (-0.0f64).to_bits());
        assert_eq!(binary(BinaryOp::Fmin, Type::F64, pz, nz), nz);
        assert_eq!(binary(BinaryOp::Fmax, Type::F64, nz, pz), pz);
        let nan = f64::NAN.to_bits();
        assert!(f64::from_bits(binary(BinaryOp::Fmin, Type::F64, 1.0f64.to_bits(), nan)).is_nan());
    }
}
