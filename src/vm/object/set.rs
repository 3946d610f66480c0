//! The hash table under `set` and `frozenset`.
//!
//! CPython's sets are unordered, but the order in which a program sees their
//! elements (printing `{3, 1, 2}` shows `{1, 2, 3}`) follows from the exact
//! layout of its open-addressing table. aspy must print the same, so this
//! table lays elements out as CPython 3.11's `setobject.c` does: a
//! power-of-two array of slots (at least 8), probed linearly for 9 slots and
//! then by the perturbed recurrence `i = 5*i + 1 + perturb`; deleted slots
//! become dummies; the table grows when `fill*5 >= mask*3`; resizing reinserts
//! in slot order. Iteration runs in slot order.
//!
//! Invariants: `slots.len()` is a power of two >= 8; `used` counts live
//! slots and `fill` live plus dummy slots; at least one slot is empty, so
//! probing always ends. A slot is empty when its key is `Value::Unbound` and
//! its hash 0, a dummy when its key is `Value::Unbound` and its hash -1
//! (Python hashes are never -1).
//!
//! Like `Dict`, the table never compares keys itself: lookups take an
//! equality closure, and the VM (`vm/ops/set_ops.rs`) handles comparisons
//! that must call back into aspy code.

use crate::vm::value::Value;

/// Slots of a new table.
pub const MIN_SIZE: usize = 8;
/// Slots probed linearly before jumping.
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

/// One slot of the table.
#[derive(Clone, Copy, Debug)]
pub struct SetSlot {
    pub hash: i64,
    pub key: Value,
}

impl SetSlot {
    const EMPTY: SetSlot = SetSlot {
        hash: 0,
        key: Value::Unbound,
    };
    const DUMMY: SetSlot = SetSlot {
        hash: -1,
        key: Value::Unbound,
    };

    /// Holds a key.
    #[inline]
    pub fn is_live(&self) -> bool {
        !self.key.is_unbound()
    }

    /// Never held a key since the table was built (ends a probe).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.key.is_unbound() && self.hash == 0
    }

    /// Held a key that was removed.
    #[inline]
    pub fn is_dummy(&self) -> bool {
        self.key.is_unbound() && self.hash == -1
    }
}

/// CPython's probe sequence for one hash: slot indices, forever.
#[derive(Clone, Copy)]
pub struct Probe {
    mask: usize,
    base: usize,
    offset: usize,
    run: usize,
    perturb: u64,
}

impl Probe {
    fn new(hash: i64, mask: usize) -> Probe {
        let base = (hash as u64 as usize) & mask;
        Probe {
            mask,
            base,
            offset: 0,
            run: Self::run_len(base, mask),
            perturb: hash as u64,
        }
    }

    /// Slots visited from `base` before jumping: 10 when they fit below the
    /// end of the table, else 1.
    #[inline]
    fn run_len(base: usize, mask: usize) -> usize {
        if base + LINEAR_PROBES <= mask {
            LINEAR_PROBES + 1
        } else {
            1
        }
    }

    /// The next slot index to examine.
    #[inline]
    pub fn next_slot(&mut self) -> usize {
        if self.offset == self.run {
            self.perturb >>= PERTURB_SHIFT;
            self.base = (self
                .base
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(self.perturb as usize))
                & self.mask;
            self.offset = 0;
            self.run = Self::run_len(self.base, self.mask);
        }
        let i = self.base + self.offset;
        self.offset += 1;
        i
    }
}

/// Where a key is, or where it would go (see [`SetTable::find`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetFind {
    /// The key is in this slot.
    Found(usize),
    /// The key is absent; `empty` is the empty slot that ended the probe and
    /// `dummy` the last dummy slot passed on the way (where CPython inserts).
    Absent { empty: usize, dummy: Option<usize> },
}

/// The table of a set or frozenset.
#[derive(Clone)]
pub struct SetTable {
    slots: Vec<SetSlot>,
    fill: usize,
    used: usize,
    /// Where `pop` resumes its scan.
    finger: usize,
    /// Bumped by every change, so a lookup interrupted by a call into aspy
    /// code can tell the table moved under it.
    pub version: u64,
    /// A frozenset's hash once computed.
    pub hash_cache: Option<i64>,
}

impl Default for SetTable {
    fn default() -> Self {
        SetTable::new()
    }
}

impl SetTable {
    /// An empty table of the minimum size.
    pub fn new() -> SetTable {
        SetTable {
            slots: vec![SetSlot::EMPTY; MIN_SIZE],
            fill: 0,
            used: 0,
            finger: 0,
            version: 0,
            hash_cache: None,
        }
    }

    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.used
    }

    /// No elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    #[inline]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Number of slots (the table size).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Live plus dummy slots.
    pub fn fill(&self) -> usize {
        self.fill
    }

    /// The probe sequence of `hash` in the current table.
    #[inline]
    pub fn probe(&self, hash: i64) -> Probe {
        Probe::new(hash, self.mask())
    }

    /// The slot at index `i`.
    #[inline]
    pub fn slot(&self, i: usize) -> SetSlot {
        self.slots[i]
    }

    /// Looks `hash`/key up, deciding equality of a candidate with the same
    /// hash by `eq`; Err(slot) when `eq` returned None for the candidate in
    /// that slot (its equality needs a call into aspy code).
    #[inline]
    pub fn find(
        &self,
        hash: i64,
        mut eq: impl FnMut(Value) -> Option<bool>,
    ) -> Result<SetFind, usize> {
        let mut probe = self.probe(hash);
        let mut dummy = None;
        loop {
            let i = probe.next_slot();
            let s = &self.slots[i];
            if s.key.is_unbound() {
                if s.hash == 0 {
                    return Ok(SetFind::Absent { empty: i, dummy });
                }
                dummy = Some(i);
            } else if s.hash == hash {
                match eq(s.key) {
                    Some(true) => return Ok(SetFind::Found(i)),
                    Some(false) => {}
                    None => return Err(i),
                }
            }
        }
    }

    /// Stores a key found absent by `find` (CPython's `set_add_entry`):
    /// into the last dummy passed, else into the empty slot, growing the
    /// table when it gets too full.
    pub fn insert_found_absent(&mut self, at: SetFind, hash: i64, key: Value) {
        let SetFind::Absent { empty, dummy } = at else {
            return;
        };
        self.version += 1;
        self.hash_cache = None;
        self.used += 1;
        if let Some(d) = dummy {
            self.slots[d] = SetSlot { hash, key };
            return;
        }
        self.slots[empty] = SetSlot { hash, key };
        self.fill += 1;
        if self.fill * 5 >= self.mask() * 3 {
            self.resize(self.growth_target());
        }
    }

    /// The `minused` CPython passes when a table fills up.
    fn growth_target(&self) -> usize {
        if self.used > 50_000 {
            self.used * 2
        } else {
            self.used * 4
        }
    }

    /// Turns the live slot `i` into a dummy.
    pub fn remove_at(&mut self, i: usize) -> Option<SetSlot> {
        let s = self.slots[i];
        if !s.is_live() {
            return None;
        }
        self.slots[i] = SetSlot::DUMMY;
        self.used -= 1;
        self.version += 1;
        self.hash_cache = None;
        Some(s)
    }

    /// Rebuilds the table with the smallest size greater than `minused`
    /// (CPython's `set_table_resize`), dropping dummies.
    pub fn resize(&mut self, minused: usize) {
        let mut size = MIN_SIZE;
        while size <= minused {
            size <<= 1;
        }
        if size == MIN_SIZE && self.slots.len() == MIN_SIZE && self.fill == self.used {
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![SetSlot::EMPTY; size]);
        self.fill = self.used;
        self.version += 1;
        for s in old.iter().filter(|s| s.is_live()) {
            self.insert_clean(s.hash, s.key);
        }
    }

    /// Puts a key known to be absent into the first empty slot of its probe
    /// sequence; the caller keeps `fill`/`used` right.
    fn insert_clean(&mut self, hash: i64, key: Value) {
        let mut probe = self.probe(hash);
        loop {
            let i = probe.next_slot();
            if self.slots[i].is_empty() {
                self.slots[i] = SetSlot { hash, key };
                return;
            }
        }
    }

    /// Adds every key of `other` (CPython's `set_merge`, after
    /// `reserve_for_merge`) when this table is empty, so no key can already
    /// be present. Returns false (doing nothing) when this table is not
    /// empty.
    pub fn merge_into_empty(&mut self, other: &SetTable) -> bool {
        if self.fill != 0 {
            return false;
        }
        if other.used == 0 {
            return true;
        }
        self.version += 1;
        self.hash_cache = None;
        if self.slots.len() == other.slots.len() && other.fill == other.used {
            self.slots.copy_from_slice(&other.slots);
        } else {
            for s in other.slots.iter().filter(|s| s.is_live()) {
                self.insert_clean(s.hash, s.key);
            }
        }
        self.fill = other.used;
        self.used = other.used;
        true
    }

    /// Grows the table ahead of merging `incoming` more keys, as CPython
    /// does before adding the elements of another set or a dict.
    pub fn reserve_for_merge(&mut self, incoming: usize) {
        if (self.fill + incoming) * 5 >= self.mask() * 3 {
            self.resize((self.used + incoming) * 2);
        }
    }

    /// Drops dummies when more than a quarter of the table is dummies (the
    /// end of CPython's `set_difference_update_internal`).
    pub fn shrink_after_removals(&mut self) {
        if self.fill - self.used > self.mask() / 4 {
            self.resize(self.growth_target());
        }
    }

    /// Removes and returns an element (CPython's `set_pop`: scans from the
    /// finger).
    pub fn pop(&mut self) -> Option<Value> {
        if self.used == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = self.finger & mask;
        while !self.slots[i].is_live() {
            i = if i == mask { 0 } else { i + 1 };
        }
        let key = self.slots[i].key;
        self.remove_at(i);
        self.finger = i + 1;
        Some(key)
    }

    /// Empties the table back to the minimum size.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.slots.resize(MIN_SIZE, SetSlot::EMPTY);
        self.fill = 0;
        self.used = 0;
        self.version += 1;
        self.hash_cache = None;
    }

    /// Exchanges the contents of two tables (CPython's `set_swap_bodies`).
    pub fn swap_bodies(&mut self, other: &mut SetTable) {
        std::mem::swap(&mut self.slots, &mut other.slots);
        std::mem::swap(&mut self.fill, &mut other.fill);
        std::mem::swap(&mut self.used, &mut other.used);
        self.version += 1;
        other.version += 1;
        self.hash_cache = None;
        other.hash_cache = None;
    }

    /// Live slots in slot order.
    pub fn iter(&self) -> impl Iterator<Item = &SetSlot> {
        self.slots.iter().filter(|s| s.is_live())
    }

    /// Live keys in slot order.
    pub fn keys(&self) -> Vec<Value> {
        self.iter().map(|s| s.key).collect()
    }

    /// The first live slot at index >= `idx`, with its index.
    #[inline]
    pub fn next_from(&self, idx: usize) -> Option<(usize, SetSlot)> {
        let start = idx.min(self.slots.len());
        self.slots[start..]
            .iter()
            .position(|s| s.is_live())
            .map(|k| (start + k, self.slots[start + k]))
    }

    /// CPython's `frozenset_hash` of the live hashes.
    pub fn frozen_hash(&self) -> i64 {
        let shuffle = |h: u64| ((h ^ 89869747) ^ (h << 16)).wrapping_mul(3644798167);
        let mut h: u64 = 0;
        for s in self.iter() {
            h ^= shuffle(s.hash as u64);
        }
        h ^= (self.used as u64 + 1).wrapping_mul(1927868237);
        h ^= (h >> 11) ^ (h >> 25);
        h = h.wrapping_mul(69069).wrapping_add(907133923);
        if h as i64 == -1 {
            590923713
        } else {
            h as i64
        }
    }

    /// Reports every element, for the collector.
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        for s in self.iter() {
            f(s.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(t: &mut SetTable, h: i64) {
        let at = t
            .find(h, |k| Some(matches!(k, Value::Int(x) if x == h)))
            .unwrap();
        if matches!(at, SetFind::Absent { .. }) {
            t.insert_found_absent(at, h, Value::Int(h));
        }
    }

    fn order(t: &SetTable) -> Vec<i64> {
        t.iter()
            .map(|s| match s.key {
                Value::Int(i) => i,
                _ => -1,
            })
            .collect()
    }

    #[test]
    fn collisions_and_growth_follow_cpython() {
        let mut t = SetTable::new();
        for h in [5, 13, 21, 29] {
            add(&mut t, h);
        }
        let i = match t.find(13, |k| Some(matches!(k, Value::Int(13)))) {
            Ok(SetFind::Found(i)) => i,
            _ => panic!("13 not found"),
        };
        t.remove_at(i);
        add(&mut t, 37);
        // CPython 3.11 prints {37, 5, 21, 29}.
        assert_eq!(order(&t), vec![37, 5, 21, 29]);
    }

    #[test]
    fn empty_frozenset_hash_matches_cpython() {
        assert_eq!(SetTable::new().frozen_hash(), 133146708735736);
    }
}
