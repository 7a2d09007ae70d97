//! Executable memory for the JIT: code is written into reserved regions, from
//! the bottom up.
//!
//! cranelift-jit's default provider maps fresh pages for every batch of code and
//! then makes them executable: a `mmap`, a `mprotect` and a new memory mapping per
//! REPL entry. Here address space is reserved 4 MiB at a time (inaccessible, so
//! it costs no memory; it is made writable 256 KiB at a time as code fills it),
//! and each batch is written at the bottom of what is free; finalising makes the
//! batch's pages readable and executable with one
//! `mprotect`, and the next batch starts on the next page. A page is never
//! writable and executable at once, and finished code is never made writable
//! again. Only x86-64 Linux uses it: there the instruction cache needs no flush
//! (other targets keep cranelift-jit's provider).

use cranelift_jit::{BranchProtection, JITMemoryKind, JITMemoryProvider, SystemMemoryProvider};
use cranelift_module::{ModuleError, ModuleResult};
use std::io;

/// The memory provider for a new JIT module.
pub fn provider() -> Box<dyn JITMemoryProvider + Send> {
    if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        Box::new(CodeMemory::new())
    } else {
        Box::new(SystemMemoryProvider::new())
    }
}

/// Address space reserved at a time: room for a thousand REPL entries (each
/// takes at least a page).
const REGION_BYTES: usize = 4 << 20;

/// How much of a region is made writable at a time.
const WRITABLE_STEP: usize = 256 << 10;

/// One reserved mapping.
struct Region {
    base: *mut u8,
    len: usize,
}

pub struct CodeMemory {
    /// Every region reserved; the last one is filled.
    regions: Vec<Region>,
    /// In the last region: the end of the executable part (page aligned), where
    /// the code not finalised yet starts, and the first free byte.
    finalized: usize,
    next: usize,
    /// In the last region: the end of the writable part (past it the region is
    /// inaccessible).
    writable: usize,
    /// Code in earlier regions not finalised yet: `[start, end)` addresses.
    unfinished: Vec<(usize, usize)>,
    /// For data objects (Kiln defines none: its globals and strings live
    /// elsewhere).
    data: SystemMemoryProvider,
    page: usize,
}

// SAFETY: the raw pointers are to mappings this value owns; it is moved between
// threads as a whole, never shared.
unsafe impl Send for CodeMemory {}

impl CodeMemory {
    pub fn new() -> CodeMemory {
        // SAFETY: `sysconf` has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        CodeMemory {
            regions: Vec::new(),
            unfinished: Vec::new(),
            finalized: 0,
            next: 0,
            writable: 0,
            data: SystemMemoryProvider::new(),
            page,
        }
    }

    fn reserve(&mut self, at_least: usize) -> io::Result<()> {
        if let Some(r) = self.regions.last() {
            let end = self.next.next_multiple_of(self.page).min(r.len);
            if end > self.finalized {
                let base = r.base as usize;
                self.unfinished.push((base + self.finalized, base + end));
            }
        }
        let len = REGION_BYTES.max(at_least.next_multiple_of(self.page));
        // SAFETY: a fresh anonymous private mapping, at an address the kernel
        // chooses; it is unmapped only by `free_memory`.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        self.regions.push(Region {
            base: base as *mut u8,
            len,
        });
        self.finalized = 0;
        self.next = 0;
        self.writable = 0;
        Ok(())
    }
}

impl JITMemoryProvider for CodeMemory {
    fn allocate(&mut self, size: usize, align: u64, kind: JITMemoryKind) -> io::Result<*mut u8> {
        if !matches!(kind, JITMemoryKind::Executable) {
            return self.data.allocate(size, align, kind);
        }
        let align = usize::try_from(align).expect("alignment too big");
        let fits = |r: &Region, next: usize| next.next_multiple_of(align) + size <= r.len;
        match self.regions.last() {
            Some(r) if fits(r, self.next) => {}
            // Code not finalised yet stays where it is; what follows goes to a
            // new region, and the rest of this one is left unused.
            _ => self.reserve(size + align)?,
        }
        let region = self.regions.last().expect("a region was reserved");
        let start = self.next.next_multiple_of(align);
        self.next = start + size;
        if self.next > self.writable {
            let end = self.next.next_multiple_of(WRITABLE_STEP).min(region.len);
            // SAFETY: `[writable, end)` is an inaccessible, page-aligned part of
            // the region that no code is in yet.
            let r = unsafe {
                libc::mprotect(
                    region.base.add(self.writable) as *mut libc::c_void,
                    end - self.writable,
                    libc::PROT_READ | libc::PROT_WRITE,
                )
            };
            if r != 0 {
                return Err(io::Error::last_os_error());
            }
            self.writable = end;
        }
        // SAFETY: `start + size <= region.len`, checked above.
        Ok(unsafe { region.base.add(start) })
    }

    unsafe fn free_memory(&mut self) {
        for r in self.regions.drain(..) {
            // SAFETY: `r` is a mapping made by `reserve`; the caller guarantees no
            // code in it runs or is called again.
            unsafe { libc::munmap(r.base as *mut libc::c_void, r.len) };
        }
        self.unfinished.clear();
        self.finalized = 0;
        self.next = 0;
        self.writable = 0;
        // SAFETY: as above.
        unsafe { self.data.free_memory() };
    }

    fn finalize(&mut self, branch_protection: BranchProtection) -> ModuleResult<()> {
        self.data.finalize(branch_protection)?;
        for (start, end) in std::mem::take(&mut self.unfinished) {
            executable(start, end).map_err(|err| ModuleError::Allocation { err })?;
        }
        let Some(region) = self.regions.last() else {
            return Ok(());
        };
        let end = self.next.next_multiple_of(self.page).min(region.len);
        if end > self.finalized {
            let base = region.base as usize;
            executable(base + self.finalized, base + end)
                .map_err(|err| ModuleError::Allocation { err })?;
        }
        self.finalized = end;
        self.next = end;
        Ok(())
    }
}

/// Makes the pages `[start, end)` of a region readable and executable, and no
/// longer writable.
fn executable(start: usize, end: usize) -> io::Result<()> {
    // SAFETY: `[start, end)` is a page-aligned part of a region this provider
    // reserved, holding code written since the last finalisation; nothing writes
    // it afterwards.
    let r = unsafe {
        libc::mprotect(
            start as *mut libc::c_void,
            end - start,
            libc::PROT_READ | libc::PROT_EXEC,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
