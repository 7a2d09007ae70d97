//! A MIR pass that turns divisibility tests by a constant into a multiplication
//! and a comparison.
//!
//! `x % d == 0` (and `!= 0`), where `d` is a constant and the remainder is used
//! by nothing else, needs no division and no remainder: for odd `d`, `x` is a
//! multiple of `d` exactly when `x * d⁻¹` (mod 2ᵂ, where `d⁻¹` is the inverse of
//! `d` modulo 2ᵂ) is small enough. For unsigned `x`, `x * d⁻¹ ≤ ⌊(2ᵂ−1)/d⌋`; for
//! signed `x`, with `A = ⌊(2ᵂ⁻¹−1)/d⌋`, `x * d⁻¹ + A ≤ 2A` (unsigned compare).
//! Multiples of a power of two `2ᵏ` are those whose low `k` bits are zero.
//! (Hacker's Delight §10-17; gcc and LLVM do the same.) Cranelift divides by a
//! constant with a multiply-high and corrections, which this replaces with one
//! multiplication, one addition and one comparison.
//!
//! The remainder's checks (division by zero, `MIN % -1`) are left in place: the
//! divisor is a constant, so they are decided at compile time, and they still
//! come first. The remainder instruction is removed; even divisors that are not
//! powers of two are left alone.

use crate::ir::*;
use std::collections::HashMap;

/// Rewrites the divisibility tests of `f`; returns how many it rewrote.
pub fn rewrite_divisibility(f: &mut Func) -> usize {
    let mut consts: HashMap<Value, i64> = HashMap::new();
    let mut uses = vec![0u32; f.values.len()];
    // The remainders by a constant: result -> (signed, dividend, divisor).
    let mut rems: HashMap<Value, (bool, Value, i64)> = HashMap::new();
    for block in &f.blocks {
        for inst in &block.insts {
            for v in crate::verify::operands(&inst.kind) {
                uses[v.index()] += 1;
            }
            match inst.kind {
                InstKind::Iconst(c) => {
                    consts.insert(inst.results[0], c);
                }
                InstKind::Binary(op @ (BinaryOp::Srem | BinaryOp::Urem), x, d) => {
                    if let Some(&c) = consts.get(&d) {
                        rems.insert(inst.results[0], (op == BinaryOp::Srem, x, c));
                    }
                }
                _ => {}
            }
        }
        if let Some(v) = block.term.operand() {
            uses[v.index()] += 1;
        }
        for t in block.term.targets() {
            for &a in &t.args {
                uses[a.index()] += 1;
            }
        }
    }
    if rems.is_empty() {
        return 0;
    }
    let mut dead: std::collections::HashSet<Value> = std::collections::HashSet::new();
    for b in 0..f.blocks.len() {
        let mut k = 0;
        while k < f.blocks[b].insts.len() {
            let inst = &f.blocks[b].insts[k];
            let InstKind::Icmp(cc @ (IntCC::Eq | IntCC::Ne), l, r) = inst.kind else {
                k += 1;
                continue;
            };
            let (rem, zero) = if rems.contains_key(&l) {
                (l, r)
            } else {
                (r, l)
            };
            let (Some(&(signed, x, c)), Some(0)) = (rems.get(&rem), consts.get(&zero).copied())
            else {
                k += 1;
                continue;
            };
            let ty = f.values[x.index()];
            let Some(test) = Test::new(signed, c, ty.bits()) else {
                k += 1;
                continue;
            };
            if uses[rem.index()] != 1 {
                k += 1;
                continue;
            }
            let (span, inlined, result) = (inst.span, inst.inlined, inst.results[0]);
            let new = test.insts(f, x, ty, cc == IntCC::Eq, result, span, inlined);
            let n = new.len();
            f.blocks[b].insts.splice(k..=k, new);
            k += n;
            // The remainder has no use left.
            dead.insert(rem);
            rems.remove(&rem);
        }
    }
    if !dead.is_empty() {
        for block in &mut f.blocks {
            block
                .insts
                .retain(|i| !i.results.first().is_some_and(|r| dead.contains(r)));
        }
    }
    dead.len()
}

/// How to test that a `bits`-wide value is a multiple of a constant.
enum Test {
    /// The low bits under this mask are zero.
    Mask(u64),
    /// `x * inverse (+ bias) ≤ limit`, unsigned, all mod 2ᵂ.
    Multiply { inverse: u64, bias: u64, limit: u64 },
}

impl Test {
    fn new(signed: bool, c: i64, bits: u32) -> Option<Test> {
        if !(8..=64).contains(&bits) {
            return None;
        }
        let mask = zero_extend(-1, bits);
        // The divisor as an unsigned value of the type, its magnitude when signed.
        let d = if signed {
            sign_extend(c, bits).unsigned_abs()
        } else {
            zero_extend(c, bits)
        };
        if d <= 1 {
            return None;
        }
        if d.is_power_of_two() {
            return Some(Test::Mask(d - 1));
        }
        if d % 2 == 0 {
            return None;
        }
        // The inverse of d modulo 2^64 by Newton's iteration (each step doubles
        // the correct low bits; d * d ≡ 1 mod 8 to start), then cut to the width.
        let mut inverse = d;
        for _ in 0..5 {
            inverse = inverse.wrapping_mul(2u64.wrapping_sub(d.wrapping_mul(inverse)));
        }
        let inverse = inverse & mask;
        Some(if signed {
            let a = (mask >> 1) / d;
            Test::Multiply {
                inverse,
                bias: a,
                limit: 2 * a,
            }
        } else {
            Test::Multiply {
                inverse,
                bias: 0,
                limit: mask / d,
            }
        })
    }

    /// The instructions that compute the test into `result` (`is_multiple`: the
    /// test is `== 0`, otherwise `!= 0`).
    #[allow(clippy::too_many_arguments)]
    fn insts(
        &self,
        f: &mut Func,
        x: Value,
        ty: Type,
        is_multiple: bool,
        result: Value,
        span: kiln_syntax::Span,
        inlined: Option<u32>,
    ) -> Vec<Inst> {
        let mut out = Vec::new();
        let mut emit = |kind: InstKind, results: Vec<Value>| {
            out.push(Inst {
                kind,
                results,
                span,
                inlined,
            });
        };
        let value = |f: &mut Func| {
            f.values.push(ty);
            Value(f.values.len() as u32 - 1)
        };
        // Constants are kept sign-extended from the type's width, as lowering
        // makes them.
        let konst = |bits: u64| sign_extend(bits as i64, ty.bits());
        let (lhs, limit, cc) = match *self {
            Test::Mask(m) => {
                let mask = value(f);
                emit(InstKind::Iconst(konst(m)), vec![mask]);
                let low = value(f);
                emit(InstKind::Binary(BinaryOp::Band, x, mask), vec![low]);
                let cc = if is_multiple { IntCC::Eq } else { IntCC::Ne };
                (low, 0, cc)
            }
            Test::Multiply {
                inverse,
                bias,
                limit,
            } => {
                let inv = value(f);
                emit(InstKind::Iconst(konst(inverse)), vec![inv]);
                let mut prod = value(f);
                emit(InstKind::Binary(BinaryOp::Imul, x, inv), vec![prod]);
                if bias != 0 {
                    let b = value(f);
                    emit(InstKind::Iconst(konst(bias)), vec![b]);
                    let sum = value(f);
                    emit(InstKind::Binary(BinaryOp::Iadd, prod, b), vec![sum]);
                    prod = sum;
                }
                let cc = if is_multiple { IntCC::Ule } else { IntCC::Ugt };
                (prod, limit, cc)
            }
        };
        let l = value(f);
        emit(InstKind::Iconst(konst(limit)), vec![l]);
        emit(InstKind::Icmp(cc, lhs, l), vec![result]);
        out
    }
}

/// Runs the pass over the functions `funcs` of a program (a unit's new ones).
pub fn run(p: &mut Program, funcs: std::ops::Range<u32>) -> usize {
    p.funcs[funcs.start as usize..funcs.end as usize]
        .iter_mut()
        .map(rewrite_divisibility)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::Test;

    /// Evaluates a test the way the emitted instructions do.
    fn holds(t: &Test, x: u64, bits: u32) -> bool {
        let mask = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        match *t {
            Test::Mask(m) => x & m == 0,
            Test::Multiply {
                inverse,
                bias,
                limit,
            } => (x.wrapping_mul(inverse).wrapping_add(bias) & mask) <= limit,
        }
    }

    #[test]
    fn every_8_bit_value_and_divisor() {
        for signed in [true, false] {
            for c in -128i64..=255 {
                let Some(t) = Test::new(signed, c, 8) else {
                    continue;
                };
                for x in 0u64..256 {
                    let want = if signed {
                        let (x, d) = (x as u8 as i8 as i64, c as u8 as i8 as i64);
                        x % d == 0
                    } else {
                        x % (c as u64 & 0xff) == 0
                    };
                    assert_eq!(holds(&t, x, 8), want, "signed {signed} {x} % {c}");
                }
            }
        }
    }

    #[test]
    fn wide_values_at_the_edges() {
        let xs = [
            0i64,
            1,
            -1,
            3,
            -3,
            7,
            21,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
            1 << 40,
        ];
        for d in [3i64, -3, 5, 7, 9, 1_000_000_007, 4, 1 << 20, i64::MIN, 6, 2] {
            for &x in &xs {
                if let Some(t) = Test::new(true, d, 64) {
                    assert_eq!(holds(&t, x as u64, 64), x % d == 0, "{x} % {d}");
                }
                if let Some(t) = Test::new(false, d, 64) {
                    let (ux, ud) = (x as u64, d as u64);
                    assert_eq!(holds(&t, ux, 64), ux % ud == 0, "{ux} % {ud} unsigned");
                }
                if let Some(t) = Test::new(true, d, 32) {
                    let (x32, d32) = (x as i32, d as i32);
                    if d32 != 0 && !(x32 == i32::MIN && d32 == -1) {
                        assert_eq!(holds(&t, x32 as u32 as u64, 32), x32 % d32 == 0);
                    }
                }
            }
        }
    }
}
