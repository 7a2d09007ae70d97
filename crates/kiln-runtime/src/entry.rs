//! Entering compiled code, and leaving it in one step when a panic or `exit` ends it.
//!
//! A panic unwinds with the system unwinder, which interprets the unwind
//! information of every frame it passes, twice (a search phase and a cleanup
//! phase). A stack overflow leaves millions of JIT frames on the stack, and walking
//! them took seconds. JIT frames have no cleanups (no landing pads: compiled code
//! releases nothing when a panic passes through it), so there is nothing to do in
//! them; only the Rust frames between the panic and the innermost JIT frame, and
//! those above the outermost one, need the unwinder.
//!
//! So compiled code is entered through [`call`], an entry frame written in
//! assembly that saves *every* callee-saved register, with unwind information that
//! says where. Before raising, the runtime makes the innermost JIT frame look as if
//! the entry frame had called it directly: it overwrites that frame's saved frame
//! pointer and return address (which are only ever read again by the unwinder,
//! since the frame never resumes) with those of the outermost JIT frame, which
//! point into the entry frame ([`skip_to_entry`]). The unwinder then steps from the
//! innermost JIT frame straight to the entry frame. The callee-saved registers it
//! computes on the way are wrong for the frames it skipped, but the entry frame
//! restores all of them from its own save area, so its caller sees exactly the
//! values it had when it entered compiled code.
//!
//! This relies on two rules: compiled code never catches a panic and has no
//! cleanups (its unwind information has no personality routine), and the runtime
//! never catches a panic it raises (a panic raised by the runtime always unwinds
//! through the frame it was raised for). Where there is no entry frame (another
//! architecture, or code called some other way), nothing is overwritten and the
//! unwinder walks every frame as before.

/// Runs the compiled function `entry`, a `fn()` in the platform's C calling
/// convention, through the entry frame.
///
/// # Safety
/// `entry` must be compiled code with that signature that unwinds only through
/// frames with registered unwind information.
pub unsafe fn call(entry: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: `kiln_runtime_enter` calls `entry` with no arguments, following
        // the C calling convention, and restores every callee-saved register; the
        // caller's contract covers `entry` itself.
        unsafe { kiln_runtime_enter(entry) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        // SAFETY: per the contract, `entry` is compiled code with this signature.
        let f: extern "C-unwind" fn() = unsafe { std::mem::transmute(entry) };
        f()
    }
}

#[cfg(target_arch = "x86_64")]
extern "C-unwind" {
    /// The entry frame (below). Unwinding passes through it by its unwind
    /// information; it has no cleanups.
    fn kiln_runtime_enter(entry: *const u8);
    /// The address just after the entry frame's call: the return address of the
    /// outermost JIT frame.
    fn kiln_runtime_enter_return();
}

// The entry frame, x86-64 System V. A standard frame (saved rbp, rbp = rsp) that
// pushes rbx and r12-r15, all the callee-saved registers besides rbp, keeps the
// stack 16-byte aligned at the call and describes every save in its CFI.
#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl kiln_runtime_enter",
    ".hidden kiln_runtime_enter",
    ".type kiln_runtime_enter, @function",
    "kiln_runtime_enter:",
    ".cfi_startproc",
    "push rbp",
    ".cfi_def_cfa_offset 16",
    ".cfi_offset rbp, -16",
    "mov rbp, rsp",
    ".cfi_def_cfa_register rbp",
    "push rbx",
    ".cfi_offset rbx, -24",
    "push r12",
    ".cfi_offset r12, -32",
    "push r13",
    ".cfi_offset r13, -40",
    "push r14",
    ".cfi_offset r14, -48",
    "push r15",
    ".cfi_offset r15, -56",
    "sub rsp, 8",
    "call rdi",
    ".globl kiln_runtime_enter_return",
    ".hidden kiln_runtime_enter_return",
    "kiln_runtime_enter_return:",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    ".cfi_def_cfa rsp, 8",
    "ret",
    ".cfi_endproc",
    ".size kiln_runtime_enter, . - kiln_runtime_enter",
);

/// The return address of the outermost JIT frame when compiled code was entered
/// through [`call`]; zero where there is no entry frame.
pub(crate) fn entry_return() -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        kiln_runtime_enter_return as *const () as usize
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        0
    }
}

/// The JIT frames on the stack when a panic is raised.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JitFrames {
    /// The frame pointer of the innermost JIT frame.
    pub innermost: usize,
    /// The frame pointer of the outermost JIT frame.
    pub outermost: usize,
    /// The return address of the outermost JIT frame (into its caller).
    pub exit: usize,
}

/// Makes the unwinder step from the innermost JIT frame straight to the entry
/// frame, when the JIT frames were entered through [`call`]. Must be called just
/// before raising the panic that unwinds them.
pub(crate) fn skip_to_entry(frames: Option<JitFrames>) {
    let Some(f) = frames else { return };
    let entry = entry_return();
    if entry == 0 || f.exit != entry || f.innermost == f.outermost {
        return;
    }
    let word = std::mem::size_of::<usize>();
    // SAFETY: both are frame pointers of live JIT frames found by the frame-pointer
    // walk, which hold the saved frame pointer at `[fp]` and the return address at
    // `[fp + 8]`. The innermost frame never resumes: the caller raises a panic next,
    // which nothing catches before the engine (see the module documentation), so
    // after this its two words are read only by the unwinder, which then takes the
    // entry frame for its caller. The frames in between have no cleanups to miss.
    unsafe {
        let (saved_fp, ret) = (
            f.outermost as *const usize,
            (f.outermost + word) as *const usize,
        );
        *(f.innermost as *mut usize) = *saved_fp;
        *((f.innermost + word) as *mut usize) = *ret;
    }
}
