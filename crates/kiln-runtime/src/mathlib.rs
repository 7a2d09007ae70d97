//! Kiln's own C math library, for `extern fn` and the float methods.
//!
//! Math results must not depend on the host's libm: glibc's `cbrt(27.0)` is
//! `3.0000000000000004`, musl's is `3.0`. Kiln therefore carries the `libm` crate
//! (a port of musl's libm) and exports it under the C names; an `extern fn` is
//! looked up here first and only then in the process (libc and the rest of libm).

macro_rules! c_math {
    ($($name:ident($($a:ident: $t:ty),*) -> $r:ty;)*) => {
        $(extern "C" fn $name($($a: $t),*) -> $r { libm::$name($($a),*) })*

        /// The C math functions Kiln provides, by C name.
        pub fn symbols() -> &'static [(&'static str, *const u8)] {
            const LIST: &[(&str, *const u8)] = &[$((stringify!($name), $name as *const u8)),*];
            LIST
        }
    };
}

c_math! {
    acos(x: f64) -> f64;
    acosh(x: f64) -> f64;
    asin(x: f64) -> f64;
    asinh(x: f64) -> f64;
    atan(x: f64) -> f64;
    atan2(y: f64, x: f64) -> f64;
    atanh(x: f64) -> f64;
    cbrt(x: f64) -> f64;
    ceil(x: f64) -> f64;
    copysign(x: f64, y: f64) -> f64;
    cos(x: f64) -> f64;
    cosh(x: f64) -> f64;
    erf(x: f64) -> f64;
    erfc(x: f64) -> f64;
    exp(x: f64) -> f64;
    exp2(x: f64) -> f64;
    expm1(x: f64) -> f64;
    fabs(x: f64) -> f64;
    fdim(x: f64, y: f64) -> f64;
    floor(x: f64) -> f64;
    fma(x: f64, y: f64, z: f64) -> f64;
    fmax(x: f64, y: f64) -> f64;
    fmin(x: f64, y: f64) -> f64;
    fmod(x: f64, y: f64) -> f64;
    hypot(x: f64, y: f64) -> f64;
    log(x: f64) -> f64;
    log10(x: f64) -> f64;
    log1p(x: f64) -> f64;
    log2(x: f64) -> f64;
    pow(x: f64, y: f64) -> f64;
    round(x: f64) -> f64;
    sin(x: f64) -> f64;
    sinh(x: f64) -> f64;
    sqrt(x: f64) -> f64;
    tan(x: f64) -> f64;
    tanh(x: f64) -> f64;
    tgamma(x: f64) -> f64;
    trunc(x: f64) -> f64;
    cbrtf(x: f32) -> f32;
    cosf(x: f32) -> f32;
    expf(x: f32) -> f32;
    logf(x: f32) -> f32;
    powf(x: f32, y: f32) -> f32;
    sinf(x: f32) -> f32;
    sqrtf(x: f32) -> f32;
    tanf(x: f32) -> f32;
}

/// Kiln's implementation of the C math function `name`, if it has one.
pub fn lookup(name: &str) -> Option<*const u8> {
    symbols().iter().find(|(n, _)| *n == name).map(|&(_, p)| p)
}
