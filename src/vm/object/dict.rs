//! The insertion-ordered hash table under `dict`, `set` and namespaces.
//!
//! Entries live in a vector in insertion order; a `hashbrown::HashTable`
//! maps hashes to entry indices. Deleting leaves a hole (`None`) so indices
//! held by live iterators stay meaningful. `version` changes whenever the
//! dict changes (a key added or removed, a value replaced) and is drawn from
//! a counter shared by every dict of the thread, so a version number never
//! repeats: equal versions mean the same dict in the same state (the
//! `LoadGlobal` cache relies on this; a clone draws a new version).
//!
//! When holes are squeezed out matters to programs that mutate a dict while
//! iterating it (which entries a live iterator still sees), so the entry
//! vector follows CPython 3.11's sizing: a table of `2^log2_size` slots holds
//! at most two thirds as many entries (`usable` counts what is left; holes
//! still count as used); when it runs out, the entries are compacted into a
//! table sized for three times the live count. `popitem` drops the last
//! entry and the holes before it, as CPython does.
//!
//! The table never compares keys itself: callers pass an equality closure,
//! because comparing two aspy values may need the heap (strings) or even a
//! call back into aspy code (`__eq__`). The VM's dict operations (in
//! `vm/ops/dict_ops.rs`) do that dance; this file only stores.

use crate::vm::value::Value;
use hashbrown::HashTable;
use std::cell::Cell;

thread_local! {
    static NEXT_VERSION: Cell<u64> = const { Cell::new(1) };
}

/// A version number no dict of this thread has had before (never 0).
#[inline]
fn next_version() -> u64 {
    NEXT_VERSION.with(|c| {
        let v = c.get();
        c.set(v + 1);
        v
    })
}

#[derive(Clone, Copy)]
pub struct Entry {
    pub hash: i64,
    pub key: Value,
    pub value: Value,
}

/// A copy is a new dict: it draws a new version.
impl Clone for Dict {
    fn clone(&self) -> Dict {
        Dict {
            table: self.table.clone(),
            entries: self.entries.clone(),
            len: self.len,
            version: next_version(),
            log2_size: self.log2_size,
            usable: self.usable,
        }
    }
}

pub struct Dict {
    table: HashTable<u32>,
    entries: Vec<Option<Entry>>,
    len: usize,
    /// Changes on every mutation; unique across the thread's dicts.
    version: u64,
    /// log2 of CPython's table size (0: nothing allocated yet).
    log2_size: u8,
    /// Entries that can still be appended before the table must grow.
    usable: usize,
}

/// CPython's `PyDict_LOG_MINSIZE`.
const LOG2_MIN_SIZE: u8 = 3;

/// Entries a table of `2^log2` slots can hold (CPython's `USABLE_FRACTION`).
fn usable_fraction(log2: u8) -> usize {
    ((1usize << log2) << 1) / 3
}

/// The smallest table that has at least `n` slots (CPython's
/// `calculate_log2_keysize`).
fn log2_for(n: usize) -> u8 {
    let n = n.max(1 << LOG2_MIN_SIZE);
    (usize::BITS - (n - 1).leading_zeros()) as u8
}

impl Dict {
    // No `Default`: an empty dict is not a constant, it draws a new version.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Dict {
        Dict {
            table: HashTable::new(),
            entries: Vec::new(),
            len: 0,
            version: next_version(),
            log2_size: 0,
            usable: 0,
        }
    }

    /// The current version (see the module doc).
    #[inline]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// A dict sized for `n` entries, as CPython presizes dict displays and
    /// merges (`_PyDict_NewPresized`).
    pub fn with_capacity(n: usize) -> Dict {
        let mut d = Dict::new();
        if n > usable_fraction(LOG2_MIN_SIZE) {
            let log2 = log2_for((n * 3).div_ceil(2)).min(17);
            d.log2_size = log2;
            d.usable = usable_fraction(log2);
            d.entries.reserve(d.usable);
            d.table.reserve(d.usable, |_| 0);
        }
        d
    }

    /// Grows the table before merging `incoming` entries when it could not
    /// hold them (CPython's `dict_merge`).
    pub fn reserve_for_merge(&mut self, incoming: usize) {
        if usable_fraction(self.log2_size) < incoming {
            self.resize(log2_for(((self.len + incoming) * 3).div_ceil(2)));
        }
    }

    /// A copy of this table to become the contents of an empty dict being
    /// updated from it, when CPython's `dict_merge` would copy the table
    /// as it is (no holes, and small or more than half full).
    pub fn clone_for_empty_target(&self) -> Option<Dict> {
        let fits = self.log2_size == LOG2_MIN_SIZE
            || (self.log2_size > 0 && usable_fraction(self.log2_size - 1) < self.len);
        (self.is_compact() && fits).then(|| self.clone())
    }

    /// A copy for `dict.copy()` when CPython copies the table as it is (at
    /// most a third of the entries are holes); None when it rebuilds.
    pub fn clone_for_copy(&self) -> Option<Dict> {
        (self.len >= self.entries.len() * 2 / 3).then(|| self.clone())
    }

    /// True when no entry was ever deleted since the last compaction
    /// (CPython copies such a dict's table as it is).
    pub fn is_compact(&self) -> bool {
        self.entries.len() == self.len
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Index of the entry whose key has `hash` and satisfies `eq`.
    #[inline]
    pub fn find(&self, hash: i64, mut eq: impl FnMut(Value) -> bool) -> Option<usize> {
        let entries = &self.entries;
        self.table
            .find(hash as u64, |&i| match &entries[i as usize] {
                Some(e) => e.hash == hash && eq(e.key),
                None => false,
            })
            .map(|&i| i as usize)
    }

    /// Indices of all entries whose hash equals `hash` (for lookups whose
    /// equality must call into aspy code).
    pub fn candidates(&self, hash: i64) -> Vec<usize> {
        let mut out = Vec::new();
        let entries = &self.entries;
        for &i in self.table.iter_hash(hash as u64) {
            if let Some(e) = &entries[i as usize] {
                if e.hash == hash {
                    out.push(i as usize);
                }
            }
        }
        out
    }

    /// Appends a new entry; the caller has checked the key is absent.
    pub fn insert_new(&mut self, hash: i64, key: Value, value: Value) {
        if self.usable == 0 {
            self.resize(log2_for(self.len * 3));
        }
        self.usable -= 1;
        let idx = self.entries.len() as u32;
        self.entries.push(Some(Entry { hash, key, value }));
        let entries = &self.entries;
        self.table.insert_unique(hash as u64, idx, |&i| {
            entries[i as usize].map_or(0, |e| e.hash as u64)
        });
        self.len += 1;
        self.version = next_version();
    }

    /// The entry at `idx` (from `find`), if still present.
    #[inline]
    pub fn entry(&self, idx: usize) -> Option<&Entry> {
        self.entries.get(idx).and_then(|e| e.as_ref())
    }

    /// Replaces the value of the entry at `idx`.
    #[inline]
    pub fn set_value(&mut self, idx: usize, value: Value) {
        if let Some(Some(e)) = self.entries.get_mut(idx) {
            e.value = value;
            self.version = next_version();
        }
    }

    /// Removes the entry at `idx` and returns it.
    pub fn remove_at(&mut self, idx: usize) -> Option<Entry> {
        let e = self.entries.get_mut(idx)?.take()?;
        if let Ok(found) = self.table.find_entry(e.hash as u64, |&i| i as usize == idx) {
            found.remove();
        }
        self.len -= 1;
        self.version = next_version();
        Some(e)
    }

    /// Removes and returns the last entry (for `popitem`); the entry vector
    /// ends where that entry was.
    pub fn pop_last(&mut self) -> Option<Entry> {
        let idx = self.entries.iter().rposition(|e| e.is_some())?;
        let e = self.remove_at(idx);
        self.entries.truncate(idx);
        e
    }

    /// Removes every entry and releases the table (CPython's `dict.clear`).
    pub fn clear(&mut self) {
        self.table.clear();
        self.entries.clear();
        self.len = 0;
        self.version = next_version();
        self.log2_size = 0;
        self.usable = 0;
    }

    /// Upper bound of entry indices (holes included), for index iteration.
    pub fn capacity_index(&self) -> usize {
        self.entries.len()
    }

    /// Live entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().flatten()
    }

    /// The first live entry at index >= `idx`, with its index.
    pub fn next_from(&self, idx: usize) -> Option<(usize, &Entry)> {
        self.entries[idx.min(self.entries.len())..]
            .iter()
            .enumerate()
            .find_map(|(k, e)| e.as_ref().map(|e| (idx + k, e)))
    }

    pub fn keys(&self) -> Vec<Value> {
        self.iter().map(|e| e.key).collect()
    }

    pub fn values(&self) -> Vec<Value> {
        self.iter().map(|e| e.value).collect()
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        for e in self.iter() {
            f(e.key);
            f(e.value);
        }
    }

    /// The index of the last entry slot (holes included) plus one.
    pub fn end_index(&self) -> usize {
        self.entries.len()
    }

    /// The last live entry at an index < `idx`, with its index.
    pub fn prev_before(&self, idx: usize) -> Option<(usize, &Entry)> {
        self.entries[..idx.min(self.entries.len())]
            .iter()
            .enumerate()
            .rev()
            .find_map(|(k, e)| e.as_ref().map(|e| (k, e)))
    }

    /// Compacts the entries into a table of `2^log2` slots (CPython's
    /// `dictresize`).
    fn resize(&mut self, log2: u8) {
        self.entries.retain(|e| e.is_some());
        self.log2_size = log2;
        self.usable = usable_fraction(log2).saturating_sub(self.len);
        self.entries.reserve(self.usable);
        let entries = &self.entries;
        let mut table = HashTable::with_capacity(self.len + self.usable);
        for (i, e) in entries.iter().enumerate() {
            let h = e.as_ref().map_or(0, |e| e.hash) as u64;
            table.insert_unique(h, i as u32, |&j| {
                entries[j as usize].map_or(0, |e| e.hash as u64)
            });
        }
        self.table = table;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_cpython() {
        assert_eq!(log2_for(0), 3);
        assert_eq!(log2_for(8), 3);
        assert_eq!(log2_for(9), 4);
        assert_eq!(log2_for(15), 4);
        assert_eq!(usable_fraction(3), 5);
        let mut d = Dict::new();
        for i in 0..5 {
            d.insert_new(i, Value::Int(i), Value::None);
        }
        assert_eq!(d.usable, 0);
        d.remove_at(0);
        d.insert_new(9, Value::Int(9), Value::None);
        // The sixth append compacts into a 16-slot table.
        assert_eq!(d.end_index(), 5);
        assert_eq!(d.log2_size, 4);
    }
}
