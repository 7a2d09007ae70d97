//! Kiln's own C math library, for `extern fn` and the float methods.
//!
//! Math results must not depend on the host: glibc's `cbrt(27.0)` is
//! `3.0000000000000004` while musl's `exp(1.0)` is one ulp above `E`. Kiln therefore
//! uses CORE-MATH (the `core-math` crate), whose functions are *correctly rounded*:
//! every result is the exact value rounded to the nearest float, on every machine.
//! Operations that are exact anyway (`floor`, `sqrt`, `fmod`, ...) use Rust's `f64`
//! methods. These are exported under their C names; an `extern fn` is looked up here
//! first and only then in the process (libc and the rest of libm).

macro_rules! c_math {
    ($($name:ident($($a:ident: $t:ty),*) -> $r:ty = $body:expr;)*) => {
        $(extern "C" fn $name($($a: $t),*) -> $r { $body })*

        /// The C math functions Kiln provides, by C name.
        pub fn symbols() -> &'static [(&'static str, *const u8)] {
            const LIST: &[(&str, *const u8)] = &[$((stringify!($name), $name as *const u8)),*];
            LIST
        }
    };
}

use core_math as cr;

c_math! {
    acos(x: f64) -> f64 = cr::acos(x);
    acosh(x: f64) -> f64 = cr::acosh(x);
    asin(x: f64) -> f64 = cr::asin(x);
    asinh(x: f64) -> f64 = cr::asinh(x);
    atan(x: f64) -> f64 = cr::atan(x);
    atan2(y: f64, x: f64) -> f64 = cr::atan2(y, x);
    atanh(x: f64) -> f64 = cr::atanh(x);
    cbrt(x: f64) -> f64 = cr::cbrt(x);
    ceil(x: f64) -> f64 = x.ceil();
    copysign(x: f64, y: f64) -> f64 = x.copysign(y);
    cos(x: f64) -> f64 = cr::cos(x);
    cosh(x: f64) -> f64 = cr::cosh(x);
    erf(x: f64) -> f64 = cr::erf(x);
    erfc(x: f64) -> f64 = cr::erfc(x);
    exp(x: f64) -> f64 = cr::exp(x);
    exp2(x: f64) -> f64 = cr::exp2(x);
    exp10(x: f64) -> f64 = cr::exp10(x);
    expm1(x: f64) -> f64 = cr::expm1(x);
    fabs(x: f64) -> f64 = x.abs();
    floor(x: f64) -> f64 = x.floor();
    fma(x: f64, y: f64, z: f64) -> f64 = x.mul_add(y, z);
    fmax(x: f64, y: f64) -> f64 = x.max(y);
    fmin(x: f64, y: f64) -> f64 = x.min(y);
    fmod(x: f64, y: f64) -> f64 = x % y;
    hypot(x: f64, y: f64) -> f64 = cr::hypot(x, y);
    lgamma(x: f64) -> f64 = cr::lgamma(x);
    log(x: f64) -> f64 = cr::log(x);
    log10(x: f64) -> f64 = cr::log10(x);
    log1p(x: f64) -> f64 = cr::log1p(x);
    log2(x: f64) -> f64 = cr::log2(x);
    pow(x: f64, y: f64) -> f64 = cr::pow(x, y);
    round(x: f64) -> f64 = x.round();
    sin(x: f64) -> f64 = cr::sin(x);
    sinh(x: f64) -> f64 = cr::sinh(x);
    sqrt(x: f64) -> f64 = x.sqrt();
    tan(x: f64) -> f64 = cr::tan(x);
    tanh(x: f64) -> f64 = cr::tanh(x);
    tgamma(x: f64) -> f64 = cr::tgamma(x);
    trunc(x: f64) -> f64 = x.trunc();
    cbrtf(x: f32) -> f32 = cr::cbrtf(x);
    cosf(x: f32) -> f32 = cr::cosf(x);
    expf(x: f32) -> f32 = cr::expf(x);
    logf(x: f32) -> f32 = cr::logf(x);
    powf(x: f32, y: f32) -> f32 = cr::powf(x, y);
    sinf(x: f32) -> f32 = cr::sinf(x);
    sqrtf(x: f32) -> f32 = x.sqrt();
    tanf(x: f32) -> f32 = cr::tanf(x);
}

/// Kiln's implementation of the C math function `name`, if it has one.
pub fn lookup(name: &str) -> Option<*const u8> {
    symbols().iter().find(|(n, _)| *n == name).map(|&(_, p)| p)
}
