//! Kiln maps (`[K: V]`): insertion-ordered hash maps of slots, and every map
//! operation compiled code calls.
//!
//! A map object is the header and a pointer @16 to a [`MapImpl`]: a dense vector of
//! entries in insertion order (a removed entry leaves a hole until the next
//! compaction) and an open-addressing index (linear probing, load at most 1/2) of
//! entry numbers. Keys are hashed and compared through the key descriptor, with fast
//! paths for integers and strings. The map owns one reference to every pointer key
//! and value. `version` changes exactly when the set of keys changes, which is what
//! `for` loops check to report `map modified during iteration`. This module must
//! never let a loop see a freed key or value, and never change `version` when only
//! values change.

use crate::alloc::alloc_object;
use crate::array::{new_array, push};
use crate::desc::{TypeDesc, TypeKind};
use crate::object::{none, release_slot, retain_slot, some, Header, MAP_OBJECT_SIZE};
use crate::panic::raise;
use crate::value::{cmp, eq, hash, str_of};
use std::cmp::Ordering;

/// One key/value pair and the key's hash.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub hash: u64,
    pub key: u64,
    pub value: u64,
}

const EMPTY: u32 = 0;
const TOMB: u32 = u32::MAX;

/// The table behind a map object.
#[derive(Clone, Default)]
pub struct MapImpl {
    /// In insertion order; `None` is a removed entry not compacted yet.
    pub entries: Vec<Option<Entry>>,
    /// `EMPTY`, `TOMB`, or an entry number + 1. Its length is 0 or a power of two.
    index: Vec<u32>,
    live: usize,
    version: u64,
}

/// The layout of a map object.
#[repr(C)]
pub struct MapObject {
    pub header: Header,
    pub map: *mut MapImpl,
}

/// Whether two keys of type `kd` are equal.
///
/// # Safety
/// `a` and `b` must be values of type `kd`.
#[inline(always)]
unsafe fn keys_eq(a: u64, b: u64, kd: &TypeDesc) -> bool {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match kd.kind {
            k if k == TypeKind::Str as u32 => {
                a == b || str_of(a).as_bytes() == str_of(b).as_bytes()
            }
            k if k <= TypeKind::U64 as u32 => a == b,
            _ => eq(a, b, kd),
        }
    }
}

/// The hash of a key of type `kd`.
///
/// # Safety
/// `k` must be a value of type `kd`.
#[inline(always)]
unsafe fn key_hash(k: u64, kd: &TypeDesc) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match kd.kind {
            x if x == TypeKind::Str as u32 => crate::value::hash_bytes(str_of(k).as_bytes()),
            x if x <= TypeKind::U64 as u32 => crate::value::mix(k),
            _ => hash(k, kd),
        }
    }
}

impl MapImpl {
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The live (key, value) pairs in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.entries.iter().flatten().map(|e| (e.key, e.value))
    }

    /// The index slot and entry number holding key `k`.
    ///
    /// # Safety
    /// `k` must be a value of type `kd`, the map's key type.
    #[inline]
    unsafe fn find(&self, kd: &TypeDesc, k: u64, h: u64) -> Option<(usize, usize)> {
        if self.index.is_empty() {
            return None;
        }
        let mask = self.index.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let s = self.index[i];
            if s == EMPTY {
                return None;
            }
            if s != TOMB {
                let n = (s - 1) as usize;
                let e = self.entries[n]
                    .as_ref()
                    .expect("index points at a live entry");
                // SAFETY: keys stored in the map are values of type `kd`.
                if e.hash == h && unsafe { keys_eq(e.key, k, kd) } {
                    return Some((i, n));
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Drops the holes left by removals and rebuilds the index with room for at
    /// least `want` live entries.
    fn rebuild(&mut self, want: usize) {
        if self.live != self.entries.len() {
            self.entries.retain(|e| e.is_some());
        }
        let mut cap = 8usize;
        while cap < want.saturating_mul(3) {
            cap = cap
                .checked_mul(2)
                .unwrap_or_else(|| crate::string::out_of_memory());
        }
        if u32::try_from(cap).is_err() {
            crate::string::out_of_memory();
        }
        let mut index = Vec::new();
        if index.try_reserve_exact(cap).is_err() {
            crate::string::out_of_memory();
        }
        index.resize(cap, EMPTY);
        let mask = cap - 1;
        for (n, e) in self.entries.iter().enumerate() {
            let e = e.as_ref().expect("compacted");
            let mut i = e.hash as usize & mask;
            while index[i] != EMPTY {
                i = (i + 1) & mask;
            }
            index[i] = n as u32 + 1;
        }
        self.index = index;
    }

    /// Adds an entry whose key is known to be absent.
    fn insert_new(&mut self, h: u64, key: u64, value: u64) {
        if (self.entries.len() + 1) * 2 > self.index.len() {
            self.rebuild(self.live + 1);
        }
        let n = self.entries.len();
        if self.entries.try_reserve(1).is_err() {
            crate::string::out_of_memory();
        }
        self.entries.push(Some(Entry {
            hash: h,
            key,
            value,
        }));
        let mask = self.index.len() - 1;
        let mut i = h as usize & mask;
        while self.index[i] != EMPTY && self.index[i] != TOMB {
            i = (i + 1) & mask;
        }
        self.index[i] = n as u32 + 1;
        self.live += 1;
        self.version += 1;
    }

    /// Removes the entry at index slot `slot` / entry `n` and returns it.
    fn remove_at(&mut self, slot: usize, n: usize) -> Entry {
        self.index[slot] = TOMB;
        let e = self.entries[n].take().expect("live entry");
        self.live -= 1;
        self.version += 1;
        // Holes stay until the next rebuild: `entries.len()` bounds the used index
        // slots (live ones plus tombstones), which keeps the load at most 1/2.
        if self.live == 0 {
            self.entries = Vec::new();
            self.index = Vec::new();
        }
        e
    }

    /// The entry at position `i` in iteration order (compacting first if needed).
    fn entry_at(&mut self, i: usize) -> Option<&Entry> {
        if self.live != self.entries.len() {
            self.rebuild(self.live);
        }
        self.entries.get(i).and_then(|e| e.as_ref())
    }
}

/// The table of a live map object.
///
/// # Safety
/// `m` must be a live map object.
#[inline(always)]
pub unsafe fn map_of<'a>(m: *const u8) -> &'a mut MapImpl {
    // SAFETY: guaranteed by the caller; a map object always has its table.
    unsafe { &mut *(*m.cast::<MapObject>()).map }
}

/// The table, key descriptor and value descriptor of a live map object.
///
/// # Safety
/// `m` must be a live map object.
#[inline(always)]
unsafe fn parts<'a>(m: *const u8) -> (&'a mut MapImpl, &'a TypeDesc, &'a TypeDesc) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let d = &*(*m.cast::<MapObject>()).header.desc;
        (map_of(m), d.elem(), d.elem2())
    }
}

/// The value stored under `k`, borrowed.
///
/// # Safety
/// `m` must be a live map and `k` a value of its key type.
pub unsafe fn lookup(m: *const u8, k: u64) -> Option<u64> {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (map, kd, _) = parts(m);
        let h = key_hash(k, kd);
        map.find(kd, k, h)
            .map(|(_, n)| map.entries[n].as_ref().expect("live").value)
    }
}

/// A new map object of type `desc` holding `table`.
fn new_map_object(desc: *const TypeDesc, table: MapImpl) -> *mut u8 {
    let p = alloc_object(MAP_OBJECT_SIZE, desc);
    // SAFETY: `p` is a fresh map-sized object.
    unsafe { (*p.cast::<MapObject>()).map = Box::into_raw(Box::new(table)) };
    p
}

/// A shallow copy of a map (keys and values retained).
///
/// # Safety
/// `m` must be a live map object.
pub unsafe fn clone_map(m: *const u8) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (map, kd, vd) = parts(m);
        let mut copy = MapImpl {
            entries: Vec::new(),
            index: Vec::new(),
            live: 0,
            version: 0,
        };
        if copy.entries.try_reserve_exact(map.live).is_err() {
            crate::string::out_of_memory();
        }
        for e in map.entries.iter().flatten() {
            retain_slot(e.key, kd);
            retain_slot(e.value, vd);
            copy.entries.push(Some(*e));
        }
        copy.live = copy.entries.len();
        copy.rebuild(copy.live);
        new_map_object((*m.cast::<MapObject>()).header.desc, copy)
    }
}

/// An order for maps (by length, then entries in order); maps are not ordered in
/// Kiln, but generic code must not fail on them.
///
/// # Safety
/// `a` and `b` must be live maps of the same type.
pub unsafe fn maps_cmp(a: *const u8, b: *const u8) -> Ordering {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (ma, kd, vd) = parts(a);
        let mb = map_of(b);
        let by_len = ma.len().cmp(&mb.len());
        if by_len != Ordering::Equal {
            return by_len;
        }
        for ((k1, v1), (k2, v2)) in ma.iter().zip(mb.iter()) {
            let c = cmp(k1, k2, kd).then_with(|| cmp(v1, v2, vd));
            if c != Ordering::Equal {
                return c;
            }
        }
        Ordering::Equal
    }
}

/// A hash of a map met `depth` levels inside the value being hashed, consistent with
/// equality (independent of order; see [`crate::value::hash`]).
///
/// # Safety
/// `m` must be a live map.
pub unsafe fn map_hash(m: *const u8, depth: usize) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (map, _, vd) = parts(m);
        let mut sum = map.len() as u64;
        for e in map.entries.iter().flatten() {
            let vh = crate::value::hash_at(e.value, vd, depth + 1);
            sum = sum.wrapping_add(crate::value::mix(e.hash ^ vh.rotate_left(17)));
        }
        sum
    }
}

/// `[:]` / `[k: v, ...]`: a new empty map.
///
/// # Safety
/// `desc` must be a well-formed map descriptor.
pub unsafe extern "C-unwind" fn kiln_map_new(desc: *const TypeDesc) -> *mut u8 {
    new_map_object(desc, MapImpl::default())
}

/// `m[k] = v`; consumes `k` and `v`. For an existing key the old value and the
/// passed key are released (the stored key stays).
///
/// # Safety
/// `m` must be a live map, `k` and `v` owned values of its key and value types.
pub unsafe extern "C-unwind" fn kiln_map_set(m: *mut u8, k: u64, v: u64) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (map, kd, vd) = parts(m);
        let h = key_hash(k, kd);
        match map.find(kd, k, h) {
            Some((_, n)) => {
                let e = map.entries[n].as_mut().expect("live");
                let old = std::mem::replace(&mut e.value, v);
                release_slot(k, kd);
                release_slot(old, vd);
            }
            None => map.insert_new(h, k, v),
        }
    }
}

/// `m[k]`: the value (retained); a missing key panics `key not found: K`.
///
/// # Safety
/// `m` must be a live map and `k` a value of its key type.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_map_index(
    fp: *const u8,
    site: i32,
    m: *mut u8,
    k: u64,
) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (_, kd, vd) = parts(m);
        match lookup(m, k) {
            Some(v) => {
                retain_slot(v, vd);
                v
            }
            None => {
                let key = crate::value::to_text(k, kd, true);
                raise(fp, site, format!("key not found: {key}"))
            }
        }
    }
}

/// `m.get(k)`: `Option<V>` (the value retained into it).
///
/// # Safety
/// `m` must be a live map, `k` a value of its key type and `opt_desc` the descriptor
/// of `Option<V>`.
pub unsafe extern "C-unwind" fn kiln_map_get(
    m: *mut u8,
    k: u64,
    opt_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (_, _, vd) = parts(m);
        match lookup(m, k) {
            Some(v) => {
                retain_slot(v, vd);
                some(opt_desc, v)
            }
            None => none(opt_desc),
        }
    }
}

/// `m.contains_key(k)`.
///
/// # Safety
/// `m` must be a live map and `k` a value of its key type.
pub unsafe extern "C-unwind" fn kiln_map_contains_key(m: *mut u8, k: u64) -> i8 {
    // SAFETY: guaranteed by the caller.
    unsafe { lookup(m, k).is_some() as i8 }
}

/// `m.remove(k)`: `Option<V>` (the value moved into it); the stored key is released.
///
/// # Safety
/// `m` must be a live map, `k` a value of its key type and `opt_desc` the descriptor
/// of `Option<V>`.
pub unsafe extern "C-unwind" fn kiln_map_remove(
    m: *mut u8,
    k: u64,
    opt_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: guaranteed by the caller; the entry is out of the table before its key
    // is released.
    unsafe {
        let (map, kd, _) = parts(m);
        let h = key_hash(k, kd);
        match map.find(kd, k, h) {
            Some((slot, n)) => {
                let e = map.remove_at(slot, n);
                release_slot(e.key, kd);
                some(opt_desc, e.value)
            }
            None => none(opt_desc),
        }
    }
}

/// `m.len()`.
///
/// # Safety
/// `m` must be a live map.
pub unsafe extern "C-unwind" fn kiln_map_len(m: *mut u8) -> i64 {
    // SAFETY: guaranteed by the caller.
    unsafe { map_of(m).len() as i64 }
}

/// `m.keys()`: a new array of the keys (retained), in insertion order.
///
/// # Safety
/// `m` must be a live map and `arr_desc` the descriptor of `[K]`.
pub unsafe extern "C-unwind" fn kiln_map_keys(m: *mut u8, arr_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (map, kd, _) = parts(m);
        let out = new_array(arr_desc, map.len());
        for (k, _) in map.iter() {
            retain_slot(k, kd);
            push(out, k);
        }
        out
    }
}

/// `m.values()`: a new array of the values (retained), in insertion order.
///
/// # Safety
/// `m` must be a live map and `arr_desc` the descriptor of `[V]`.
pub unsafe extern "C-unwind" fn kiln_map_values(m: *mut u8, arr_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let (map, _, vd) = parts(m);
        let out = new_array(arr_desc, map.len());
        for (_, v) in map.iter() {
            retain_slot(v, vd);
            push(out, v);
        }
        out
    }
}

/// `m.clear()`.
///
/// # Safety
/// `m` must be a live map.
pub unsafe extern "C-unwind" fn kiln_map_clear(m: *mut u8) {
    // SAFETY: guaranteed by the caller; the entries are out of the table before any
    // key or value is released.
    unsafe {
        let (map, kd, vd) = parts(m);
        if map.is_empty() {
            return;
        }
        let entries = std::mem::take(&mut map.entries);
        map.index = Vec::new();
        map.live = 0;
        map.version += 1;
        for e in entries.into_iter().flatten() {
            release_slot(e.key, kd);
            release_slot(e.value, vd);
        }
    }
}

/// The map's version: it changes exactly when its set of keys changes.
///
/// # Safety
/// `m` must be a live map.
pub unsafe extern "C-unwind" fn kiln_map_version(m: *mut u8) -> i64 {
    // SAFETY: guaranteed by the caller.
    unsafe { map_of(m).version as i64 }
}

/// Panics `map modified during iteration` unless the map still has `version`.
///
/// # Safety
/// `m` must be a live map.
/// `fp` must be null or the frame pointer of a live JIT frame of this thread (the
/// frame-pointer contract of [`crate::panic`]).
pub unsafe extern "C-unwind" fn kiln_map_check(fp: *const u8, site: i32, m: *mut u8, version: i64) {
    // SAFETY: guaranteed by the caller.
    if unsafe { map_of(m).version } as i64 != version {
        // SAFETY: guaranteed by the caller.
        unsafe { raise(fp, site, "map modified during iteration".into()) };
    }
}

/// # Safety
/// `m` must be a live map.
unsafe fn entry_at<'a>(m: *mut u8, i: i64) -> &'a Entry {
    // SAFETY: guaranteed by the caller.
    let map = unsafe { map_of(m) };
    let len = map.len();
    match usize::try_from(i).ok().and_then(|i| map.entry_at(i)) {
        Some(e) => e,
        None => crate::panic::raise_untraced(format!("internal error: map entry {i} of {len}")),
    }
}

/// The key at position `i` in iteration order (borrowed), for `for` loops.
///
/// # Safety
/// `m` must be a live map and `0 <= i < len`.
pub unsafe extern "C-unwind" fn kiln_map_key_at(m: *mut u8, i: i64) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe { entry_at(m, i).key }
}

/// The value at position `i` in iteration order (borrowed), for `for` loops.
///
/// # Safety
/// `m` must be a live map and `0 <= i < len`.
pub unsafe extern "C-unwind" fn kiln_map_value_at(m: *mut u8, i: i64) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe { entry_at(m, i).value }
}
