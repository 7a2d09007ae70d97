//! Calling a C function by address when its signature is known only at run time:
//! runtime functions (by their entry in `kiln_runtime::symbols`) and `extern fn`s.
//!
//! On the x86-64 System V and AArch64 (AAPCS64) calling conventions, integer and
//! float arguments travel in separate register files, each filled in order. So any
//! function whose integer arguments fit in the first [`INT_ARGS`] integer registers
//! and whose float arguments fit in the first [`FLOAT_ARGS`] float registers can be
//! called through one function pointer type taking six `u64`s and eight `f64`s:
//! the integer arguments go in the `u64`s in order (zero-extended from their
//! width, which is what a callee reading the low bits needs), the float arguments
//! in the `f64`s in order (an `f32` as the low 32 bits of an `f64` register); the
//! registers a function does not read are ignored. The result comes back in the
//! first integer or the first float register, and only its low bits are meaningful.
//!
//! Calling a function through a pointer of another type is outside what Rust
//! defines; it is sound here because the machine-level convention makes the two
//! calls identical, which is why this module exists only for those targets. libffi
//! would do the same for every target, at the price of a C library built from
//! source and a call interface prepared per signature; the interpreter needs
//! neither more targets nor more arguments than these (checked by
//! [`fits`] for every runtime function in a test, and for `extern fn`s when a
//! program is loaded).

use kiln_mir::Type;

/// Integer (and pointer) arguments a native call can pass: the six integer
/// argument registers of x86-64 System V (AArch64 has eight; six is the smaller).
pub const INT_ARGS: usize = 6;
/// Float arguments a native call can pass: eight on both targets.
pub const FLOAT_ARGS: usize = 8;

#[cfg(not(all(any(target_arch = "x86_64", target_arch = "aarch64"), not(windows))))]
compile_error!(
    "the MIR interpreter calls native functions by the x86-64 System V or AArch64 \
     convention (see native.rs)"
);

/// Whether a function with parameters `params` can be called by [`call`].
pub fn fits(params: &[Type]) -> bool {
    let floats = params.iter().filter(|t| t.is_float()).count();
    floats <= FLOAT_ARGS && params.len() - floats <= INT_ARGS
}

type IntResult = unsafe extern "C-unwind" fn(
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
) -> u64;
type FloatResult = unsafe extern "C-unwind" fn(
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
) -> f64;

/// Calls the C function at `addr` with `args` (each a value of its MIR type, in the
/// interpreter's form: see [`crate::ops`]) and returns its result in that form
/// (0 when it has none). A Rust panic raised by the callee (a Kiln panic, `exit`)
/// unwinds out of this call.
///
/// # Safety
/// `addr` must be a function of the C calling convention (`extern "C-unwind"` if it
/// may unwind) whose parameters are `args`' types in order and whose result is
/// `ret`; `args` must satisfy [`fits`] and whatever the function requires of them.
pub unsafe fn call(addr: *const u8, args: &[(Type, u64)], ret: Option<Type>) -> u64 {
    let mut ints = [0u64; INT_ARGS];
    let mut floats = [0f64; FLOAT_ARGS];
    let (mut ni, mut nf) = (0, 0);
    for &(ty, bits) in args {
        if ty.is_float() {
            // An f32 is the low 32 bits of its register.
            let bits = if ty == Type::F32 {
                bits & 0xffff_ffff
            } else {
                bits
            };
            floats[nf] = f64::from_bits(bits);
            nf += 1;
        } else {
            ints[ni] = bits;
            ni += 1;
        }
    }
    let [i0, i1, i2, i3, i4, i5] = ints;
    let [f0, f1, f2, f3, f4, f5, f6, f7] = floats;
    match ret {
        Some(t) if t.is_float() => {
            // SAFETY: the caller's contract: on these targets a function with these
            // parameters reads them from exactly these registers (module docs).
            let f: FloatResult = unsafe { std::mem::transmute::<*const u8, FloatResult>(addr) };
            // SAFETY: as above.
            let r = unsafe { f(i0, i1, i2, i3, i4, i5, f0, f1, f2, f3, f4, f5, f6, f7) };
            crate::ops::mask(t, r.to_bits())
        }
        _ => {
            // SAFETY: as above; a function without a result leaves the result
            // register as it is, and the value is then ignored.
            let f: IntResult = unsafe { std::mem::transmute::<*const u8, IntResult>(addr) };
            // SAFETY: as above.
            let r = unsafe { f(i0, i1, i2, i3, i4, i5, f0, f1, f2, f3, f4, f5, f6, f7) };
            ret.map_or(0, |t| crate::ops::mask(t, r))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_function_fits_a_native_call() {
        for s in kiln_runtime::symbols() {
            let params: Vec<Type> = s.params.iter().map(|&a| Type::of_abi(a)).collect();
            assert!(fits(&params), "{} has too many arguments", s.name);
        }
    }

    extern "C-unwind" fn mixed(a: i32, x: f64, b: i64, y: f32, c: u8) -> f64 {
        a as f64 + x + b as f64 + y as f64 + c as f64
    }

    extern "C-unwind" fn narrow(a: i8) -> i8 {
        a.wrapping_mul(2)
    }

    #[test]
    fn integers_and_floats_arrive_in_order() {
        let args = [
            (Type::I32, 1),
            (Type::F64, 10.0f64.to_bits()),
            (Type::I64, 100),
            (Type::F32, 1000.0f32.to_bits() as u64),
            (Type::I8, 3),
        ];
        // SAFETY: `mixed` has exactly these parameter and result types.
        let r = unsafe { call(mixed as *const u8, &args, Some(Type::F64)) };
        assert_eq!(f64::from_bits(r), 1114.0);
        // SAFETY: `narrow` takes and returns an i8.
        let r = unsafe { call(narrow as *const u8, &[(Type::I8, 0x50)], Some(Type::I8)) };
        assert_eq!(r, 0xa0);
    }
}
