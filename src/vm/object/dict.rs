//! The insertion-ordered hash table under `dict`, `set` and namespaces.
//!
//! Entries live in a vector in insertion order; a `hashbrown::HashTable`
//! maps hashes to entry indices. Deleting leaves a hole (`None`) so indices
//! held by live iterators stay meaningful; holes are squeezed out when they
//! outnumber the live entries, and `version` changes whenever the set of keys
//! changes.
//!
//! The table never compares keys itself: callers pass an equality closure,
//! because comparing two aspy values may need the heap (strings) or even a
//! call back into aspy code (`__eq__`). The VM's dict operations (in
//! `vm/ops/dict_ops.rs`) do that dance; this file only stores.

use crate::vm::value::Value;
use hashbrown::HashTable;

#[derive(Clone, Copy)]
pub struct Entry {
    pub hash: i64,
    pub key: Value,
    pub value: Value,
}

#[derive(Default, Clone)]
pub struct Dict {
    table: HashTable<u32>,
    entries: Vec<Option<Entry>>,
    len: usize,
    /// Bumped whenever a key is added or removed.
    pub version: u64,
}

impl Dict {
    pub fn new() -> Dict {
        Dict::default()
    }

    pub fn with_capacity(n: usize) -> Dict {
        Dict {
            table: HashTable::with_capacity(n),
            entries: Vec::with_capacity(n),
            len: 0,
            version: 0,
        }
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
        if self.entries.len() >= 16 && self.entries.len() >= 2 * self.len + 8 {
            self.compact();
        }
        let idx = self.entries.len() as u32;
        self.entries.push(Some(Entry { hash, key, value }));
        let entries = &self.entries;
        self.table.insert_unique(hash as u64, idx, |&i| {
            entries[i as usize].map_or(0, |e| e.hash as u64)
        });
        self.len += 1;
        self.version += 1;
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
        }
    }

    /// Removes the entry at `idx` and returns it.
    pub fn remove_at(&mut self, idx: usize) -> Option<Entry> {
        let e = self.entries.get_mut(idx)?.take()?;
        if let Ok(found) = self.table.find_entry(e.hash as u64, |&i| i as usize == idx) {
            found.remove();
        }
        self.len -= 1;
        self.version += 1;
        if self.len == 0 {
            self.entries.clear();
            self.table.clear();
        }
        Some(e)
    }

    /// Removes and returns the last entry (for `popitem`).
    pub fn pop_last(&mut self) -> Option<Entry> {
        let idx = self.entries.iter().rposition(|e| e.is_some())?;
        self.remove_at(idx)
    }

    pub fn clear(&mut self) {
        self.table.clear();
        self.entries.clear();
        self.len = 0;
        self.version += 1;
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

    fn compact(&mut self) {
        self.entries.retain(|e| e.is_some());
        let entries = &self.entries;
        let mut table = HashTable::with_capacity(self.len);
        for (i, e) in entries.iter().enumerate() {
            let h = e.as_ref().map_or(0, |e| e.hash) as u64;
            table.insert_unique(h, i as u32, |&j| {
                entries[j as usize].map_or(0, |e| e.hash as u64)
            });
        }
        self.table = table;
    }
}
