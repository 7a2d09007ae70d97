//! Registering unwind information of JIT code with the system unwinder.
//!
//! Cranelift computes each function's unwind information but cranelift-jit does not
//! register it. Without it a Rust panic raised by the runtime could not unwind
//! through JIT frames back to the engine. Each batch of functions becomes one
//! `.eh_frame` section (a CIE, one FDE per function, and a zero terminator) handed
//! to `__register_frame`; the bytes are kept alive for as long as the code exists.

use cranelift_codegen::isa::unwind::{systemv, UnwindInfo};
use cranelift_codegen::isa::TargetIsa;
use gimli::write::{Address, EhFrame, EndianVec, FrameTable};

#[derive(Default)]
pub struct UnwindRegistry {
    pending: Vec<(usize, systemv::UnwindInfo)>,
    /// Registered `.eh_frame` sections; never freed while code may run.
    frames: Vec<Box<[u8]>>,
}

extern "C" {
    /// libgcc's (and LLVM libunwind's) entry point for run-time frame tables.
    fn __register_frame(begin: *const u8);
    /// Its inverse: the unwinder forgets a table before its memory is freed.
    fn __deregister_frame(begin: *const u8);
}

impl Drop for UnwindRegistry {
    fn drop(&mut self) {
        // Newest first: the unwinder keeps registrations in a list with the newest
        // at its head, so this finds each at once (oldest first would search the
        // whole list every time: quadratic in the REPL's thousands of entries).
        for frame in self.frames.iter().rev() {
            // SAFETY: `frame` was passed to `__register_frame` by `publish` and is
            // still alive; after this the unwinder no longer reads it.
            unsafe { __deregister_frame(frame.as_ptr()) };
        }
    }
}

impl UnwindRegistry {
    /// Queues the unwind information of a function whose code starts at `addr`.
    pub fn add(&mut self, _isa: &dyn TargetIsa, addr: usize, info: &UnwindInfo) {
        if let UnwindInfo::SystemV(info) = info {
            self.pending.push((addr, info.clone()));
        }
    }

    /// Registers every queued function with the unwinder.
    pub fn publish(&mut self, isa: &dyn TargetIsa) {
        if self.pending.is_empty() {
            return;
        }
        let Some(cie) = isa.create_systemv_cie() else {
            self.pending.clear();
            return;
        };
        let mut table = FrameTable::default();
        let cie_id = table.add_cie(cie);
        for (addr, info) in self.pending.drain(..) {
            table.add_fde(cie_id, info.to_fde(Address::Constant(addr as u64)));
        }
        let endian = if cfg!(target_endian = "little") {
            gimli::RunTimeEndian::Little
        } else {
            gimli::RunTimeEndian::Big
        };
        let mut eh = EhFrame(EndianVec::new(endian));
        if table.write_eh_frame(&mut eh).is_err() {
            return;
        }
        let mut bytes = eh.0.into_vec();
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        let bytes = bytes.into_boxed_slice();
        // SAFETY: `bytes` is a complete, zero-terminated `.eh_frame` section whose
        // FDEs describe finalised JIT code; it is kept alive in `self.frames` for as
        // long as the registry (and so the JIT) lives.
        unsafe { __register_frame(bytes.as_ptr()) };
        self.frames.push(bytes);
    }
}
