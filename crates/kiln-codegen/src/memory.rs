//! Executable memory for the JIT: code is written through one mapping and runs
//! from another.
//!
//! cranelift-jit's default provider maps fresh pages for every batch of code and
//! then makes them executable: a `mmap`, a `mprotect` and a new memory mapping per
//! REPL entry, each entry on pages of its own. Here (x86-64 Linux) the code lives
//! in one memory file (`memfd_create`) mapped twice: a *writing view*, readable
//! and writable, where Cranelift's bytes are copied and relocated, and an
//! *executing view*, readable and executable, where the code runs. No mapping is
//! ever writable and executable at once, and finalising a batch costs nothing: no
//! `mprotect`, no new page per entry (entries are packed one after another, so
//! small entries share pages), no change to the memory map. Both views sit in one
//! reservation of address space, the executing view [`VIEW_BYTES`] below the
//! writing view, so every byte of code has its executing address at the same
//! distance, [`Provider::exec_offset`], from the address cranelift-jit writes
//! it at: relative calls between functions need no adjustment, and absolute
//! references to a function's code (`func_addr`) get that distance added (see
//! `Jit::compile`). On x86-64 the instruction cache is coherent with stores
//! through any mapping of the same memory, so nothing needs flushing.
//!
//! The price: the writing view stays mapped for the JIT's life, so finished code
//! can be changed by a stray write through it (never through its executing
//! address). Where the memory file cannot be made, and on other targets,
//! cranelift-jit's own provider is used (at an offset of 0).

use cranelift_jit::{BranchProtection, JITMemoryKind, JITMemoryProvider, SystemMemoryProvider};
use cranelift_module::ModuleResult;
use std::io;

/// A memory provider for a new JIT module, and the distance from where it has
/// code written to where that code runs.
pub struct Provider {
    pub memory: Box<dyn JITMemoryProvider + Send>,
    /// Add to an address cranelift-jit reports (`get_finalized_function`, a
    /// function's address in a relocation) to get the address the code runs at.
    pub exec_offset: isize,
}

/// The memory provider for a new JIT module.
pub fn provider() -> Provider {
    if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        if let Ok(memory) = CodeMemory::new() {
            return Provider {
                exec_offset: memory.exec as isize - memory.write as isize,
                memory: Box::new(memory),
            };
        }
    }
    Provider {
        memory: Box::new(SystemMemoryProvider::new()),
        exec_offset: 0,
    }
}

/// The size of the memory file, and of each view: the most machine code one JIT
/// holds: a REPL entry makes a few hundred bytes, the largest generated program
/// of `bench/run.sh compile` (a `match` of 100,000 arms) 5.5 MB. The file is
/// sparse and the views are only address space: memory is used only where code is
/// written. Not more: reserved address space counts against `RLIMIT_AS`, which
/// some test programs lower to 2 GiB.
const VIEW_BYTES: usize = 64 << 20;

pub struct CodeMemory {
    /// The reservation: the executing view at its bottom, then the writing view.
    exec: *mut u8,
    write: *mut u8,
    /// The first free byte (the same offset in both views).
    next: usize,
    /// For data objects (Kiln defines none: its globals and strings live
    /// elsewhere).
    data: SystemMemoryProvider,
}

// SAFETY: the raw pointers are to mappings this value owns; it is moved between
// threads as a whole, never shared.
unsafe impl Send for CodeMemory {}

impl CodeMemory {
    fn new() -> io::Result<CodeMemory> {
        // SAFETY: the name is a NUL-terminated string; the flags are valid.
        let fd = unsafe { libc::memfd_create(c"kiln-code".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let memory = Self::map(fd);
        // SAFETY: `fd` is the memory file opened above; the views (if made) keep
        // the file alive without it.
        unsafe { libc::close(fd) };
        memory
    }

    /// Reserves both views and maps the file `fd` into each.
    fn map(fd: libc::c_int) -> io::Result<CodeMemory> {
        // SAFETY: `fd` is a memory file; it becomes sparse, VIEW_BYTES long.
        if unsafe { libc::ftruncate(fd, VIEW_BYTES as libc::off_t) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh anonymous private mapping, inaccessible, at an address
        // the kernel chooses; both halves are replaced just below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                2 * VIEW_BYTES,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let exec = base as *mut u8;
        // SAFETY: within the reservation of `2 * VIEW_BYTES`.
        let write = unsafe { exec.add(VIEW_BYTES) };
        for (view, prot) in [
            (exec, libc::PROT_READ | libc::PROT_EXEC),
            (write, libc::PROT_READ | libc::PROT_WRITE),
        ] {
            // SAFETY: `view` is one half of the reservation made above; MAP_FIXED
            // replaces it by the whole file.
            let p = unsafe {
                libc::mmap(
                    view as *mut libc::c_void,
                    VIEW_BYTES,
                    prot,
                    libc::MAP_SHARED | libc::MAP_FIXED,
                    fd,
                    0,
                )
            };
            if p == libc::MAP_FAILED {
                let err = io::Error::last_os_error();
                // SAFETY: the reservation made above, holding no code.
                unsafe { libc::munmap(base, 2 * VIEW_BYTES) };
                return Err(err);
            }
        }
        Ok(CodeMemory {
            exec,
            write,
            next: 0,
            data: SystemMemoryProvider::new(),
        })
    }
}

impl JITMemoryProvider for CodeMemory {
    fn allocate(&mut self, size: usize, align: u64, kind: JITMemoryKind) -> io::Result<*mut u8> {
        if !matches!(kind, JITMemoryKind::Executable) {
            return self.data.allocate(size, align, kind);
        }
        let align = usize::try_from(align).expect("alignment too big");
        let start = self.next.next_multiple_of(align);
        if start + size > VIEW_BYTES {
            return Err(io::Error::other("out of JIT code memory"));
        }
        self.next = start + size;
        // SAFETY: `start + size <= VIEW_BYTES`, inside the writing view.
        Ok(unsafe { self.write.add(start) })
    }

    unsafe fn free_memory(&mut self) {
        if self.exec.is_null() {
            return;
        }
        // SAFETY: both views are this provider's (unmapping the last mapping of
        // the file frees it); the caller guarantees no code in them runs or is
        // called again.
        unsafe { libc::munmap(self.exec as *mut libc::c_void, 2 * VIEW_BYTES) };
        self.exec = std::ptr::null_mut();
        self.write = std::ptr::null_mut();
        self.next = VIEW_BYTES;
        // SAFETY: as above.
        unsafe { self.data.free_memory() };
    }

    fn finalize(&mut self, branch_protection: BranchProtection) -> ModuleResult<()> {
        // The code is executable already, through the executing view.
        self.data.finalize(branch_protection)
    }
}
