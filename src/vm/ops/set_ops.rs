//! Set operations over the table in `object/set.rs`: lookup, insertion,
//! removal and merging, with CPython's order of probes and comparisons.
//!
//! Keys are compared natively when possible; a candidate whose equality
//! needs `__eq__` is compared outside any borrow of the table, and the
//! lookup starts over if the table changed meanwhile (as CPython does).
//! The set algebra built on these primitives lives in
//! `stdlib/set_methods.rs`.

use crate::vm::exceptions::ExcKind;
use crate::vm::object::set::{SetFind, SetSlot, SetTable};
use crate::vm::object::{Object, SetKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

impl Vm {
    /// The table of a set or frozenset value.
    #[inline]
    pub fn set_table(&self, s: Value) -> Option<&SetTable> {
        match s {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Set(t, _) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }

    /// The table of a set value, mutably.
    #[inline]
    pub fn set_table_mut(&mut self, s: Value) -> Option<&mut SetTable> {
        match s {
            Value::Obj(r) => match self.heap.get_mut(r) {
                Object::Set(t, _) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }

    /// `set` or `frozenset` for a set value (None for other values).
    pub fn set_kind(&self, s: Value) -> Option<SetKind> {
        match s {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Set(_, k) => Some(*k),
                _ => None,
            },
            _ => None,
        }
    }

    /// Runs `f` with `vals` pushed on the GC roots.
    pub fn with_roots<R>(&mut self, vals: &[Value], f: impl FnOnce(&mut Vm) -> R) -> R {
        let n = self.temp_roots.len();
        self.temp_roots.extend_from_slice(vals);
        let r = f(self);
        self.temp_roots.truncate(n);
        r
    }

    /// A new empty set or frozenset.
    pub fn new_set(&mut self, kind: SetKind) -> Value {
        self.alloc(Object::Set(Box::default(), kind))
    }

    /// Finds `key` (with hash `hash`) in set `s`.
    pub fn set_find(&mut self, s: Value, key: Value, hash: i64) -> PyResult<SetFind> {
        let Some(t) = self.set_table(s) else {
            return Ok(SetFind::Absent {
                empty: 0,
                dummy: None,
            });
        };
        let fast = t.find(hash, |k| {
            if k.is(key) {
                Some(true)
            } else {
                self.native_eq(k, key)
            }
        });
        match fast {
            Ok(found) => Ok(found),
            Err(_) => self.with_roots(&[key], |vm| vm.set_find_slow(s, key, hash)),
        }
    }

    /// `set_find` when some candidate's equality calls into aspy code.
    fn set_find_slow(&mut self, s: Value, key: Value, hash: i64) -> PyResult<SetFind> {
        'restart: loop {
            let Some(t) = self.set_table(s) else {
                return Ok(SetFind::Absent {
                    empty: 0,
                    dummy: None,
                });
            };
            let (mut probe, version) = (t.probe(hash), t.version);
            let mut dummy = None;
            loop {
                let i = probe.next_slot();
                let slot = match self.set_table(s) {
                    Some(t) => t.slot(i),
                    None => continue 'restart,
                };
                if slot.is_empty() {
                    return Ok(SetFind::Absent { empty: i, dummy });
                }
                if slot.is_dummy() {
                    dummy = Some(i);
                    continue;
                }
                if slot.hash != hash {
                    continue;
                }
                let equal = match self.native_eq(slot.key, key) {
                    Some(r) => r || slot.key.is(key),
                    None => {
                        let r = self.with_roots(&[slot.key], |vm| vm.eq(slot.key, key))?;
                        let t = self.set_table(s);
                        let moved =
                            t.is_none_or(|t| t.version != version || !t.slot(i).key.is(slot.key));
                        if moved {
                            continue 'restart;
                        }
                        r
                    }
                };
                if equal {
                    return Ok(SetFind::Found(i));
                }
            }
        }
    }

    /// The hash of a value used as a set element; a `set` looked up in a
    /// set stands for the equal frozenset (CPython's `set_contains` retry).
    fn set_key_hash(&mut self, key: Value) -> PyResult<(Value, i64)> {
        match self.hash_value(key) {
            Ok(h) => Ok((key, h)),
            Err(e) if self.set_kind(key) == Some(SetKind::Set) => {
                if !self.exc_matches(e.0, ExcKind::TypeError) {
                    return Err(e);
                }
                let frozen = self.new_set(SetKind::FrozenSet);
                self.with_roots(&[frozen], |vm| vm.set_update(frozen, key))?;
                let h = self.hash_value(frozen)?;
                Ok((frozen, h))
            }
            Err(e) => Err(e),
        }
    }

    /// `key in s` for a set.
    pub fn set_contains(&mut self, s: Value, key: Value) -> PyResult<bool> {
        let (key, hash) = self.set_key_hash(key)?;
        self.with_roots(&[key], |vm| {
            Ok(matches!(vm.set_find(s, key, hash)?, SetFind::Found(_)))
        })
    }

    /// `key in s` with a known hash (no frozenset retry).
    pub fn set_contains_hashed(&mut self, s: Value, key: Value, hash: i64) -> PyResult<bool> {
        Ok(matches!(self.set_find(s, key, hash)?, SetFind::Found(_)))
    }

    /// `s.add(v)`.
    pub fn set_add(&mut self, s: Value, v: Value) -> PyResult<()> {
        let hash = self.hash_value(v)?;
        self.set_add_hashed(s, v, hash)
    }

    /// Adds `v`, whose hash is known.
    pub fn set_add_hashed(&mut self, s: Value, v: Value, hash: i64) -> PyResult<()> {
        let at = self.set_find(s, v, hash)?;
        if let Some(t) = self.set_table_mut(s) {
            t.insert_found_absent(at, hash, v);
        }
        Ok(())
    }

    /// Removes `key` if present; true if it was.
    pub fn set_discard(&mut self, s: Value, key: Value) -> PyResult<bool> {
        let (key, hash) = self.set_key_hash(key)?;
        self.with_roots(&[key], |vm| vm.set_discard_hashed(s, key, hash))
    }

    /// Removes `key` (hash known) if present; true if it was.
    pub fn set_discard_hashed(&mut self, s: Value, key: Value, hash: i64) -> PyResult<bool> {
        match self.set_find(s, key, hash)? {
            SetFind::Found(i) => Ok(self.set_table_mut(s).and_then(|t| t.remove_at(i)).is_some()),
            SetFind::Absent { .. } => Ok(false),
        }
    }

    /// A snapshot of a set's live slots (rooted by the caller if it calls
    /// into aspy code while using them).
    pub fn set_slots(&self, s: Value) -> Vec<SetSlot> {
        self.set_table(s)
            .map(|t| t.iter().copied().collect())
            .unwrap_or_default()
    }

    /// A new set (or frozenset) from values, added in order.
    pub fn new_set_of(&mut self, items: &[Value], kind: SetKind) -> PyResult<Value> {
        let s = self.new_set(kind);
        self.with_roots(&[s], |vm| {
            for &v in items {
                vm.set_add(s, v)?;
            }
            Ok(s)
        })
    }

    /// A new set from values (`{a, b, c}` displays).
    pub fn new_set_from(&mut self, items: &[Value]) -> PyResult<Value> {
        self.new_set_of(items, SetKind::Set)
    }

    /// A new set or frozenset holding the elements of `iterable`.
    pub fn new_set_from_iterable(&mut self, iterable: Value, kind: SetKind) -> PyResult<Value> {
        let s = self.new_set(kind);
        self.with_roots(&[s], |vm| vm.set_update(s, iterable))?;
        Ok(s)
    }

    /// Adds every element of `iterable` (CPython's `set_update_internal`):
    /// sets merge table to table, dicts add their keys with known hashes,
    /// anything else is iterated.
    pub fn set_update(&mut self, s: Value, iterable: Value) -> PyResult<()> {
        if self.set_kind(iterable).is_some() {
            return self.set_merge(s, iterable);
        }
        if let Some(entries) = self.exact_dict_entries(iterable) {
            if let Some(t) = self.set_table_mut(s) {
                t.reserve_for_merge(entries.len());
            }
            let keys: Vec<Value> = entries.iter().map(|e| e.0).collect();
            return self.with_roots(&keys, |vm| {
                for (k, h) in entries {
                    vm.set_add_hashed(s, k, h)?;
                }
                Ok(())
            });
        }
        if self.seq_items(iterable).is_some() {
            // By index, so a list mutated by `__hash__` behaves as under
            // CPython's list iterator.
            let mut i = 0;
            while let Some(v) = self
                .seq_items(iterable)
                .and_then(|items| items.get(i).copied())
            {
                self.set_add(s, v)?;
                i += 1;
            }
            return Ok(());
        }
        let it = self.get_iter(iterable)?;
        self.with_roots(&[it], |vm| {
            while let Some(v) = vm.iter_next(it)? {
                vm.with_roots(&[v], |vm| vm.set_add(s, v))?;
            }
            Ok(())
        })
    }

    /// The (key, hash) pairs of an exact `dict`, in order.
    fn exact_dict_entries(&self, d: Value) -> Option<Vec<(Value, i64)>> {
        match d {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Dict(t) => Some(t.iter().map(|e| (e.key, e.hash)).collect()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Adds the elements of set `other` to set `s` (CPython's `set_merge`).
    pub fn set_merge(&mut self, s: Value, other: Value) -> PyResult<()> {
        if s.is(other) {
            return Ok(());
        }
        let (Value::Obj(sr), Value::Obj(or)) = (s, other) else {
            return Ok(());
        };
        // Take the target's table out so both tables can be borrowed; no
        // aspy code runs until it is put back.
        let mut target = match self.heap.get_mut(sr) {
            Object::Set(t, _) => std::mem::take(&mut **t),
            _ => return Ok(()),
        };
        let done = match self.heap.get(or) {
            Object::Set(o, _) if !o.is_empty() => {
                target.reserve_for_merge(o.len());
                target.merge_into_empty(o)
            }
            _ => true,
        };
        if let Object::Set(t, _) = self.heap.get_mut(sr) {
            **t = target;
        }
        if done {
            return Ok(());
        }
        let slots = self.set_slots(other);
        let keys: Vec<Value> = slots.iter().map(|s| s.key).collect();
        self.with_roots(&keys, |vm| {
            for slot in slots {
                vm.set_add_hashed(s, slot.key, slot.hash)?;
            }
            Ok(())
        })
    }

    /// Every element of set `a` is in set `b` (CPython's `set_issubset` for
    /// two sets).
    pub fn set_is_subset(&mut self, a: Value, b: Value) -> PyResult<bool> {
        if self.container_len(a) > self.container_len(b) {
            return Ok(false);
        }
        let slots = self.set_slots(a);
        let keys: Vec<Value> = slots.iter().map(|s| s.key).collect();
        self.with_roots(&keys, |vm| {
            for slot in slots {
                if !vm.set_contains_hashed(b, slot.key, slot.hash)? {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }

    /// The hash of a frozenset, cached in its table.
    pub fn frozenset_hash(&mut self, s: Value) -> i64 {
        let Some(t) = self.set_table_mut(s) else {
            return 0;
        };
        if let Some(h) = t.hash_cache {
            return h;
        }
        let h = t.frozen_hash();
        t.hash_cache = Some(h);
        h
    }
}
