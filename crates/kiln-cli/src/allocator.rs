//! The `kiln` command's memory allocator: mimalloc, or the system's allocator under
//! valgrind.
//!
//! Compiling a REPL entry makes and frees thousands of small vectors (Cranelift's
//! above all): with the C library's allocator, `malloc`, `free` and `realloc` were
//! a fifth of the instructions of the `bench/repl` session. mimalloc, a maintained
//! allocator made for this kind of load, takes about a fifth off that session's
//! CPU time (docs/BENCHMARKS.md). It is its 2.x series, without transparent huge
//! pages: the 3.x series (the crate's default) kept 75% more memory and spent the
//! time saved in system calls, and huge pages added 7 to 9 MB to every process,
//! even `kiln run` of a program that allocates nothing. Kiln's own small objects do not come from here: the
//! runtime carves them from its own free lists (`kiln_runtime::alloc`); its larger
//! blocks (long arrays, strings) do.
//!
//! Valgrind's memcheck sees the blocks of the system allocator only (it replaces
//! `malloc` and `free`), so the system allocator is used when the process runs
//! under a valgrind tool that replaces `malloc` (memcheck, massif, ...: its
//! preloaded library is in `LD_PRELOAD`) or when `KILN_SYSTEM_ALLOCATOR` is set
//! (to anything but `0`). The choice is made once, at the first allocation, before
//! anything could have been allocated by the other one.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering};

pub struct KilnAllocator;

const UNDECIDED: u8 = 0;
const MIMALLOC: u8 = 1;
const SYSTEM: u8 = 2;

static CHOICE: AtomicU8 = AtomicU8::new(UNDECIDED);

/// Whether the process allocates with the system allocator.
#[inline]
fn system() -> bool {
    match CHOICE.load(Ordering::Relaxed) {
        MIMALLOC => false,
        SYSTEM => true,
        _ => decide(),
    }
}

/// Calls `method` of the chosen allocator (a direct call each way, which the
/// compiler inlines: a `dyn GlobalAlloc` cost 2% more instructions in a session).
macro_rules! forward {
    ($method:ident($($arg:expr),*)) => {
        if system() {
            System.$method($($arg),*)
        } else {
            mimalloc::MiMalloc.$method($($arg),*)
        }
    };
}

#[cold]
fn decide() -> bool {
    // SAFETY: both names are NUL-terminated; `getenv` allocates nothing, and the
    // strings it returns are NUL-terminated and stay valid while nothing changes
    // the environment (nothing does before the first allocation returns).
    let system = unsafe {
        is_on(libc::getenv(c"KILN_SYSTEM_ALLOCATOR".as_ptr()))
            || replaces_malloc(libc::getenv(c"LD_PRELOAD".as_ptr()))
    };
    // Every thread that decides decides the same, so a race is harmless.
    CHOICE.store(if system { SYSTEM } else { MIMALLOC }, Ordering::Relaxed);
    system
}

/// Whether an environment variable's value (or null) turns an option on: set to
/// anything but nothing or `0`, as for `KILN_LEAK_CHECK`.
///
/// # Safety
/// `value` must be null or point to a NUL-terminated string.
unsafe fn is_on(value: *const libc::c_char) -> bool {
    // SAFETY: a NUL-terminated string, by the contract.
    !value.is_null()
        && !matches!(
            unsafe { std::ffi::CStr::from_ptr(value) }.to_bytes(),
            b"" | b"0"
        )
}

/// Whether `preload` (the value of `LD_PRELOAD`, or null) has a valgrind tool that
/// replaces `malloc`: every tool's preloaded library but `vgpreload_core`, which
/// all tools load (callgrind and cachegrind load only that one, and measure
/// mimalloc as it runs).
///
/// # Safety
/// `preload` must be null or point to a NUL-terminated string.
unsafe fn replaces_malloc(preload: *const libc::c_char) -> bool {
    if preload.is_null() {
        return false;
    }
    // SAFETY: a NUL-terminated string, by the contract.
    let bytes = unsafe { std::ffi::CStr::from_ptr(preload) }.to_bytes();
    bytes.split(|&b| b == b':' || b == b' ').any(|path| {
        let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
        name.starts_with(b"vgpreload_") && !name.starts_with(b"vgpreload_core")
    })
}

// SAFETY: every call goes to one allocator, the same for the process's whole life
// (`CHOICE` never changes once set), so each block is freed or resized by the
// allocator that made it; both allocators uphold `GlobalAlloc`'s contract, and each
// method forwards the caller's guarantees unchanged.
unsafe impl GlobalAlloc for KilnAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see above.
        unsafe { forward!(alloc(layout)) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see above.
        unsafe { forward!(alloc_zeroed(layout)) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: see above.
        unsafe { forward!(dealloc(ptr, layout)) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: see above.
        unsafe { forward!(realloc(ptr, layout, new_size)) }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_on, replaces_malloc};

    fn check(preload: &std::ffi::CStr) -> bool {
        // SAFETY: a NUL-terminated string.
        unsafe { replaces_malloc(preload.as_ptr()) }
    }

    #[test]
    fn valgrind_tools_that_replace_malloc_are_recognised() {
        // What valgrind 3.19 sets for memcheck, and for callgrind.
        assert!(check(
            c"/usr/libexec/valgrind/vgpreload_core-amd64-linux.so:/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"
        ));
        assert!(check(c"vgpreload_massif-amd64-linux.so"));
        assert!(!check(
            c"/usr/libexec/valgrind/vgpreload_core-amd64-linux.so"
        ));
        assert!(!check(c"/usr/lib/libmimalloc.so.2 /usr/lib/libfoo.so"));
        assert!(!check(c""));
        // SAFETY: null is allowed.
        assert!(!unsafe { replaces_malloc(std::ptr::null()) });
    }

    #[test]
    fn an_option_is_on_unless_unset_empty_or_zero() {
        // SAFETY: NUL-terminated strings, and null.
        unsafe {
            assert!(is_on(c"1".as_ptr()));
            assert!(is_on(c"yes".as_ptr()));
            assert!(!is_on(c"0".as_ptr()));
            assert!(!is_on(c"".as_ptr()));
            assert!(!is_on(std::ptr::null()));
        }
    }
}
