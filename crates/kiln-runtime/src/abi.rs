//! The types of runtime functions as compiled code sees them, derived from their
//! Rust signatures so that the table in [`crate::symbols`] can be checked against
//! the functions it names.
//!
//! [`AbiType`] says which machine type a Rust parameter type crosses the boundary
//! as; [`RuntimeFn`] reads a whole `extern "C-unwind"` function pointer type that
//! way. Only types with a fixed, register-sized C representation implement
//! [`AbiType`], so a runtime function taking anything else does not fit the table.

/// The machine-level types that cross the boundary between compiled code and the
/// runtime. `Ptr` is a pointer-sized integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
    Ptr,
}

/// A Rust type that crosses the boundary as the machine type [`AbiType::ABI`].
pub trait AbiType {
    const ABI: Abi;
}

macro_rules! abi_types {
    ($($t:ty => $abi:ident),* $(,)?) => {
        $(impl AbiType for $t {
            const ABI: Abi = Abi::$abi;
        })*
    };
}

abi_types! {
    i8 => I8, u8 => I8, i16 => I16, u16 => I16, i32 => I32, u32 => I32,
    i64 => I64, u64 => I64, f32 => F32, f64 => F64,
}

impl<T> AbiType for *const T {
    const ABI: Abi = Abi::Ptr;
}

impl<T> AbiType for *mut T {
    const ABI: Abi = Abi::Ptr;
}

/// A Rust result type: `()` (no result) or an [`AbiType`].
pub trait AbiResult {
    const RESULT: Option<Abi>;
}

impl AbiResult for () {
    const RESULT: Option<Abi> = None;
}

impl<T: AbiType> AbiResult for T {
    const RESULT: Option<Abi> = Some(T::ABI);
}

/// An `unsafe extern "C-unwind"` function pointer type whose parameters and result
/// all cross the boundary.
pub trait RuntimeFn {
    fn params() -> Vec<Abi>;
    fn result() -> Option<Abi>;
}

macro_rules! runtime_fns {
    ($( ($($a:ident),*) )*) => {
        $(impl<$($a: AbiType,)* R: AbiResult> RuntimeFn for unsafe extern "C-unwind" fn($($a),*) -> R {
            fn params() -> Vec<Abi> {
                vec![$($a::ABI),*]
            }
            fn result() -> Option<Abi> {
                R::RESULT
            }
        })*
    };
}

runtime_fns! {
    ()
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
}

/// The parameter and result types of the function `f` points to.
pub fn signature_of<F: RuntimeFn>(_f: F) -> (Vec<Abi>, Option<Abi>) {
    (F::params(), F::result())
}
