//! The allocator behind every Kiln heap object and array buffer, and the live-object
//! count used by the leak check.
//!
//! Small blocks (up to [`MAX_SMALL`] bytes) come from thread-local free lists, one
//! per size class of 16-byte steps, refilled by carving 64 KiB chunks; larger blocks
//! come from the system allocator. Chunks are never returned to the system: when a
//! thread ends, its free lists are handed to the next thread that starts allocating,
//! so the sequence of runner threads the engine creates reuses the same memory.
//! Every block is 16-byte aligned. The caller always passes the block's size back
//! when freeing it; this module never reads an object's contents except the
//! descriptor pointer of an object being counted. It must never call into compiled
//! code, and it must never hand out a block that is still in use.
//!
//! Counting: [`alloc_object`] and [`free_object`] keep a per-thread count of live
//! (non-immortal) objects. When leak tracking is on (the `KILN_LEAK_CHECK`
//! environment variable is set to something other than `0`, or
//! [`set_leak_tracking`] was called) they also count per descriptor, so
//! [`leak_report`] can name the types. The counts are per thread: ask on the thread
//! that ran the Kiln code.

use crate::desc::TypeDesc;
use crate::object::Header;
use std::alloc::{alloc as sys_alloc, dealloc as sys_dealloc, realloc as sys_realloc, Layout};
use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::ptr;
use std::sync::Mutex;

/// Blocks up to this size come from the size-class free lists. With the
/// `system-alloc` feature (for measuring the allocator) every block comes from the
/// system allocator.
pub const MAX_SMALL: usize = if cfg!(feature = "system-alloc") {
    0
} else {
    256
};
const STEP: usize = 16;
const CLASSES: usize = 256 / STEP;
const CHUNK: usize = 64 * 1024;
/// The alignment of every block.
pub const ALIGN: usize = 16;

struct Tracking {
    /// Per descriptor: live count and the type's name (taken while it was alive).
    by_desc: HashMap<usize, (isize, String)>,
}

struct State {
    /// Heads of the free lists; each free block stores the next pointer in its
    /// first word.
    free: [*mut u8; CLASSES],
    bump: *mut u8,
    end: *mut u8,
    live: isize,
    /// 0: not decided yet, 1: off, 2: on.
    tracking_mode: u8,
    adopted: bool,
    tracking: Option<Box<Tracking>>,
}

/// What a finished thread leaves for the next one.
struct Orphan {
    free: [*mut u8; CLASSES],
    bump: *mut u8,
    end: *mut u8,
}

// SAFETY: an orphan's blocks belong to no thread any more; whoever pops it from the
// list becomes their only owner.
unsafe impl Send for Orphan {}

static ORPHANS: Mutex<Vec<Orphan>> = Mutex::new(Vec::new());

impl State {
    const fn new() -> State {
        State {
            free: [ptr::null_mut(); CLASSES],
            bump: ptr::null_mut(),
            end: ptr::null_mut(),
            live: 0,
            tracking_mode: 0,
            adopted: false,
            tracking: None,
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        let orphan = Orphan {
            free: self.free,
            bump: self.bump,
            end: self.end,
        };
        if orphan.free.iter().any(|p| !p.is_null()) || orphan.bump != orphan.end {
            if let Ok(mut list) = ORPHANS.lock() {
                list.push(orphan);
            }
        }
    }
}

thread_local! {
    static STATE: UnsafeCell<State> = const { UnsafeCell::new(State::new()) };
}

/// Runs `f` on this thread's allocator state, or returns `None` when the thread is
/// past destroying it.
#[inline(always)]
fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    STATE
        .try_with(|s| {
            // SAFETY: the state is thread-local and no function of this module calls
            // another one while it holds this reference (`f` never re-enters), so this
            // is the only reference to it.
            f(unsafe { &mut *s.get() })
        })
        .ok()
}

#[inline(always)]
fn class_of(size: usize) -> usize {
    (size.max(1) - 1) / STEP
}

fn large_layout(size: usize) -> Layout {
    if size > memory_limit() {
        crate::string::out_of_memory();
    }
    Layout::from_size_align(size, ALIGN).unwrap_or_else(|_| crate::string::out_of_memory())
}

/// The largest block worth asking the system for: the machine's memory and swap.
/// A larger request cannot be satisfied, but an allocator that maps memory
/// without reserving it (mimalloc, or any allocator under `vm.overcommit_memory=1`)
/// would grant it, and the program would then fill memory until the kernel
/// killed it, instead of panicking with `out of memory` as it does here.
fn memory_limit() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        // SAFETY: `sysinfo` fills the struct it is given and reads nothing else.
        let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
        if unsafe { libc::sysinfo(&mut info) } != 0 {
            return usize::MAX;
        }
        let unit = u64::from(info.mem_unit.max(1));
        let total = (info.totalram as u64).saturating_add(info.totalswap as u64);
        usize::try_from(total.saturating_mul(unit)).unwrap_or(usize::MAX)
    })
}

fn sys_block(size: usize) -> *mut u8 {
    // SAFETY: `size` is non-zero (callers round small sizes up to a class).
    let p = unsafe { sys_alloc(large_layout(size)) };
    if p.is_null() {
        crate::string::out_of_memory();
    }
    p
}

impl State {
    /// Takes a block of class `c` when the free list is empty.
    #[cold]
    fn refill(&mut self, c: usize) -> *mut u8 {
        if !self.adopted {
            self.adopted = true;
            self.adopt();
            let head = self.free[c];
            if !head.is_null() {
                // SAFETY: free blocks store the next pointer in their first word.
                self.free[c] = unsafe { head.cast::<*mut u8>().read() };
                return head;
            }
        }
        let size = (c + 1) * STEP;
        if (self.end as usize) - (self.bump as usize) < size {
            self.bump = sys_block(CHUNK);
            // SAFETY: the chunk is CHUNK bytes long.
            self.end = unsafe { self.bump.add(CHUNK) };
        }
        let p = self.bump;
        // SAFETY: at least `size` bytes remain in the chunk (checked above).
        self.bump = unsafe { p.add(size) };
        p
    }

    fn adopt(&mut self) {
        let orphan = match ORPHANS.lock() {
            Ok(mut list) => list.pop(),
            Err(_) => None,
        };
        let Some(o) = orphan else { return };
        for c in 0..CLASSES {
            let theirs = o.free[c];
            if theirs.is_null() {
                continue;
            }
            let ours = self.free[c];
            if ours.is_null() {
                self.free[c] = theirs;
                continue;
            }
            // Rare (this thread freed blocks before it first needed a new one):
            // append theirs after our list, which is short.
            let mut tail = ours;
            // SAFETY: free blocks store the next pointer in their first word; both
            // lists are well formed, and the orphan's is now exclusively ours.
            unsafe {
                loop {
                    let next = tail.cast::<*mut u8>().read();
                    if next.is_null() {
                        break;
                    }
                    tail = next;
                }
                tail.cast::<*mut u8>().write(theirs);
            }
        }
        if o.bump != o.end {
            self.bump = o.bump;
            self.end = o.end;
        }
    }
}

impl State {
    /// Takes a block of class `c` from its free list, refilling it when empty.
    #[inline(always)]
    fn take(&mut self, c: usize) -> *mut u8 {
        let head = self.free[c];
        if head.is_null() {
            self.refill(c)
        } else {
            // SAFETY: free blocks store the next pointer in their first word.
            self.free[c] = unsafe { head.cast::<*mut u8>().read() };
            head
        }
    }

    /// Puts a block of class `c` on its free list.
    ///
    /// # Safety
    /// `p` is a block of at least `(c + 1) * 16` bytes, 16-byte aligned, not in use.
    #[inline(always)]
    unsafe fn give(&mut self, c: usize, p: *mut u8) {
        // SAFETY: guaranteed by the caller; the first word becomes the link.
        unsafe { p.cast::<*mut u8>().write(self.free[c]) };
        self.free[c] = p;
    }
}

/// Allocates `size` bytes (uninitialised, 16-byte aligned). Never returns null: an
/// allocation that cannot be satisfied raises the `out of memory` panic.
#[inline]
pub fn alloc_bytes(size: usize) -> *mut u8 {
    if size > MAX_SMALL {
        return sys_block(size);
    }
    let c = class_of(size);
    // Only during thread teardown is there no state: a system block of the class
    // size is just as good (freed blocks go onto free lists, never back to the
    // system).
    with_state(|s| s.take(c)).unwrap_or_else(|| sys_block((c + 1) * STEP))
}

/// Frees a block from [`alloc_bytes`].
///
/// # Safety
/// `p` must come from [`alloc_bytes`] (or [`realloc_bytes`]) with the same `size`, and
/// must not be used afterwards.
#[inline]
pub unsafe fn free_bytes(p: *mut u8, size: usize) {
    if size > MAX_SMALL {
        // SAFETY: large blocks come from the system allocator with this layout.
        unsafe { sys_dealloc(p, large_layout(size)) };
        return;
    }
    let c = class_of(size);
    // During thread teardown the block is leaked, which is harmless.
    // SAFETY: the block came from `alloc_bytes(size)`, so it is at least a class-`c`
    // block, and the caller no longer uses it.
    let _ = with_state(|s| unsafe { s.give(c, p) });
}

/// Resizes a block from [`alloc_bytes`], keeping the first `min(old, new)` bytes.
///
/// # Safety
/// As for [`free_bytes`] with `old` as the size.
pub unsafe fn realloc_bytes(p: *mut u8, old: usize, new: usize) -> *mut u8 {
    if old > MAX_SMALL && new > MAX_SMALL {
        let layout = large_layout(old);
        large_layout(new);
        // SAFETY: `p` is a system block with `layout`; `new` is non-zero and a valid
        // size for this alignment (checked by `large_layout`).
        let q = unsafe { sys_realloc(p, layout, new) };
        if q.is_null() {
            crate::string::out_of_memory();
        }
        return q;
    }
    if class_of(old) == class_of(new) && old <= MAX_SMALL && new <= MAX_SMALL {
        return p;
    }
    let q = alloc_bytes(new);
    // SAFETY: both blocks are at least `min(old, new)` bytes and distinct; `p` is
    // freed with its own size.
    unsafe {
        ptr::copy_nonoverlapping(p, q, old.min(new));
        free_bytes(p, old);
    }
    q
}

/// Allocates an object of `size` bytes (at least the 16-byte header) with `rc = 1`,
/// no flags and the given descriptor, and counts it as live. The bytes after the
/// header are uninitialised.
#[inline]
pub fn alloc_object(size: usize, desc: *const TypeDesc) -> *mut u8 {
    let p = if size > MAX_SMALL {
        let p = sys_block(size);
        let _ = with_state(|s| s.count(desc, 1));
        p
    } else {
        let c = class_of(size);
        with_state(|s| {
            s.count(desc, 1);
            s.take(c)
        })
        .unwrap_or_else(|| sys_block((c + 1) * STEP))
    };
    // SAFETY: the block is at least 16 bytes and 16-byte aligned.
    unsafe {
        p.cast::<Header>().write(Header {
            rc: 1,
            flags: 0,
            desc,
        });
    }
    p
}

/// Frees an object from [`alloc_object`] and stops counting it.
///
/// # Safety
/// `p` must be a live object from [`alloc_object`] of `size` bytes, not used
/// afterwards.
#[inline]
pub unsafe fn free_object(p: *mut u8, size: usize) {
    // SAFETY: `p` is a live object, so its header is readable.
    let desc = unsafe { (*p.cast::<Header>()).desc };
    if size > MAX_SMALL {
        let _ = with_state(|s| s.count(desc, -1));
        // SAFETY: large objects are system blocks of this size.
        unsafe { sys_dealloc(p, large_layout(size)) };
        return;
    }
    let c = class_of(size);
    // SAFETY: as in `free_bytes`.
    let _ = with_state(|s| unsafe {
        s.count(desc, -1);
        s.give(c, p)
    });
}

impl State {
    #[inline(always)]
    fn count(&mut self, desc: *const TypeDesc, delta: isize) {
        self.live += delta;
        // Allocations decide the mode on first use; frees only count when it is on.
        if self.tracking_mode == 2 || (delta > 0 && self.tracking_mode == 0) {
            track(self, desc, delta);
        }
    }
}

#[cold]
fn track(s: &mut State, desc: *const TypeDesc, delta: isize) {
    if s.tracking_mode == 0 {
        let on = std::env::var_os("KILN_LEAK_CHECK").is_some_and(|v| !v.is_empty() && v != "0");
        s.tracking_mode = if on { 2 } else { 1 };
    }
    if s.tracking_mode != 2 {
        return;
    }
    let t = s.tracking.get_or_insert_with(|| {
        Box::new(Tracking {
            by_desc: HashMap::new(),
        })
    });
    let entry = t.by_desc.entry(desc as usize).or_insert_with(|| {
        // SAFETY: objects are allocated with live, well-formed descriptors.
        let name = unsafe { desc.as_ref().map(|d| crate::desc::type_name(d)) };
        (0, name.unwrap_or_else(|| "?".into()))
    });
    entry.0 += delta;
}

/// Turns per-type counting on or off for this thread (it starts on when
/// `KILN_LEAK_CHECK` is set).
pub fn set_leak_tracking(on: bool) {
    let _ = with_state(|s| {
        s.tracking_mode = if on { 2 } else { 1 };
        if !on {
            s.tracking = None;
        }
    });
}

/// How many objects allocated on this thread are alive.
pub fn live_objects() -> usize {
    with_state(|s| s.live.max(0) as usize).unwrap_or(0)
}

/// `None` when no object is alive on this thread; otherwise a one-line report such
/// as `leak check: 3 objects still alive (2 Point, 1 [int])` (the names only while
/// tracking is on).
pub fn leak_report() -> Option<String> {
    with_state(|s| {
        if s.live <= 0 {
            return None;
        }
        let noun = if s.live == 1 { "object" } else { "objects" };
        let mut text = format!("leak check: {} {noun} still alive", s.live);
        if let Some(t) = &s.tracking {
            let mut by_name: HashMap<&str, isize> = HashMap::new();
            for (n, name) in t.by_desc.values() {
                if *n > 0 {
                    *by_name.entry(name.as_str()).or_default() += n;
                }
            }
            let mut parts: Vec<(&str, isize)> = by_name.into_iter().collect();
            parts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            if !parts.is_empty() {
                let list: Vec<String> = parts
                    .iter()
                    .map(|(name, n)| format!("{n} {name}"))
                    .collect();
                text.push_str(&format!(" ({})", list.join(", ")));
            }
        }
        Some(text)
    })
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desc::str_desc;

    #[test]
    fn blocks_are_aligned_and_reused() {
        let a = alloc_bytes(24);
        assert_eq!(a as usize % ALIGN, 0);
        // SAFETY: `a` came from `alloc_bytes(24)`.
        unsafe { free_bytes(a, 24) };
        let b = alloc_bytes(32);
        assert_eq!(a, b, "same class reuses the freed block");
        // SAFETY: as above.
        unsafe { free_bytes(b, 32) };
        let big = alloc_bytes(10_000);
        assert_eq!(big as usize % ALIGN, 0);
        // SAFETY: `big` came from `alloc_bytes(10_000)`; `grown` from realloc.
        unsafe {
            big.write_bytes(7, 10_000);
            let grown = realloc_bytes(big, 10_000, 20_000);
            assert_eq!(*grown.add(9_999), 7);
            let small = realloc_bytes(grown, 20_000, 100);
            assert_eq!(*small.add(99), 7);
            free_bytes(small, 100);
        }
    }

    #[test]
    fn a_million_objects() {
        let before = live_objects();
        let mut keep = Vec::with_capacity(1000);
        for round in 0..1000 {
            for i in 0..1000 {
                let size = 16 + (i + round) % 200;
                keep.push((alloc_object(size, str_desc()), size));
            }
            assert_eq!(live_objects(), before + 1000);
            for (p, size) in keep.drain(..) {
                // SAFETY: each object was allocated above with this size.
                unsafe { free_object(p, size) };
            }
        }
        assert_eq!(live_objects(), before);
    }

    #[test]
    fn leak_report_names_types() {
        set_leak_tracking(true);
        assert_eq!(leak_report(), None);
        let a = alloc_object(24, str_desc());
        let b = alloc_object(24, str_desc());
        assert_eq!(
            leak_report().as_deref(),
            Some("leak check: 2 objects still alive (2 str)")
        );
        // SAFETY: allocated above with size 24.
        unsafe {
            free_object(a, 24);
            assert_eq!(
                leak_report().as_deref(),
                Some("leak check: 1 object still alive (1 str)")
            );
            free_object(b, 24);
        }
        assert_eq!(leak_report(), None);
    }

    #[test]
    fn finished_threads_hand_memory_on() {
        let p = std::thread::spawn(|| {
            let p = alloc_bytes(48);
            // SAFETY: allocated just above.
            unsafe { free_bytes(p, 48) };
            p as usize
        })
        .join()
        .unwrap();
        // Some later thread adopts the orphaned lists; we cannot tell which, but a
        // fresh thread's allocation must still work.
        let q = std::thread::spawn(|| {
            let q = alloc_bytes(48);
            // SAFETY: allocated just above.
            unsafe { free_bytes(q, 48) };
            q as usize
        })
        .join()
        .unwrap();
        assert!(p != 0 && q != 0);
    }
}
