//! Dict and set operations over the raw table in `object/dict.rs`.
//!
//! Lookups compare keys natively when they can and call `__eq__` only for
//! user objects, outside any borrow of the table, so aspy code run by
//! `__eq__` may even mutate the dict without breaking the VM.

use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Dict, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

impl Vm {
    /// The table of a dict value.
    #[inline]
    pub fn dict_table(&self, d: Value) -> Option<&Dict> {
        match d {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Dict(t) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }

    /// The table of a dict value, mutably.
    #[inline]
    pub fn dict_table_mut(&mut self, d: Value) -> Option<&mut Dict> {
        match d {
            Value::Obj(r) => match self.heap.get_mut(r) {
                Object::Dict(t) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }

    /// Entry index of `key` in a dict.
    pub fn dict_lookup(&mut self, d: Value, key: Value) -> PyResult<Option<usize>> {
        let hash = self.hash_value(key)?;
        self.dict_lookup_hashed(d, key, hash)
    }

    pub fn dict_lookup_hashed(
        &mut self,
        d: Value,
        key: Value,
        hash: i64,
    ) -> PyResult<Option<usize>> {
        let Some(t) = self.dict_table(d) else {
            return Ok(None);
        };
        let mut needs_call = false;
        // A str key (the usual case) is compared with str entries by text
        // right here, as `native_eq` would.
        let key_text = match key {
            Value::Obj(r) if !self.heap.has_ext(r) => match self.heap.get(r) {
                Object::Str(s) => Some(s.as_str()),
                _ => None,
            },
            _ => None,
        };
        let found = t.find(hash, |k| {
            if k.is(key) {
                return true;
            }
            if let (Some(text), Value::Obj(r)) = (key_text, k) {
                if let Object::Str(s) = self.heap.get(r) {
                    if !self.heap.has_ext(r) {
                        return s.as_str() == text;
                    }
                }
            }
            match self.native_eq(k, key) {
                Some(r) => r,
                None => {
                    needs_call = true;
                    false
                }
            }
        });
        if found.is_some() || !needs_call {
            return Ok(found);
        }
        for idx in t.candidates(hash) {
            let k = match self.dict_table(d).and_then(|t| t.entry(idx)) {
                Some(e) => e.key,
                None => continue,
            };
            if self.native_eq(k, key).is_none() && self.eq(k, key)? {
                return Ok(Some(idx));
            }
        }
        Ok(None)
    }

    /// Looks `key` up in the exact dict `d` when that needs no aspy code:
    /// the key is an int or an exact str, and every entry with its hash
    /// compares natively. Returns the key's hash and the entry index (None
    /// if absent); None when the general path is needed (a dict subclass,
    /// another kind of key, a candidate key with `__eq__`).
    #[inline]
    pub(crate) fn dict_find_native(&self, d: ObjRef, key: Value) -> Option<(i64, Option<usize>)> {
        if self.heap.has_ext(d) {
            return None;
        }
        let Object::Dict(t) = self.heap.get(d) else {
            return None;
        };
        let (hash, text) = match key {
            Value::Int(i) => (super::hashing::hash_int(i), None),
            Value::Obj(r) if !self.heap.has_ext(r) => match self.heap.get(r) {
                Object::Str(s) => (s.hash(), Some(s.as_str())),
                _ => return None,
            },
            _ => return None,
        };
        let mut foreign = false;
        let found = t.find(hash, |k| {
            if k.is(key) {
                return true;
            }
            if let (Some(text), Value::Obj(r)) = (text, k) {
                if let Object::Str(s) = self.heap.get(r) {
                    if !self.heap.has_ext(r) {
                        return s.as_str() == text;
                    }
                }
            }
            match self.native_eq(k, key) {
                Some(eq) => eq,
                None => {
                    foreign = true;
                    false
                }
            }
        });
        (found.is_some() || !foreign).then_some((hash, found))
    }

    /// `d.get(key)` without raising KeyError.
    pub fn dict_get(&mut self, d: Value, key: Value) -> PyResult<Option<Value>> {
        let idx = self.dict_lookup(d, key)?;
        Ok(idx.and_then(|i| self.dict_table(d).and_then(|t| t.entry(i)).map(|e| e.value)))
    }

    /// `d[key] = value`.
    pub fn dict_set(&mut self, d: Value, key: Value, value: Value) -> PyResult<()> {
        let hash = self.hash_value(key)?;
        let idx = self.dict_lookup_hashed(d, key, hash)?;
        if let Some(t) = self.dict_table_mut(d) {
            match idx {
                Some(i) => t.set_value(i, value),
                None => t.insert_new(hash, key, value),
            }
        }
        Ok(())
    }

    /// Removes `key`, returning its value.
    pub fn dict_remove(&mut self, d: Value, key: Value) -> PyResult<Option<Value>> {
        let idx = self.dict_lookup(d, key)?;
        Ok(idx.and_then(|i| {
            self.dict_table_mut(d)
                .and_then(|t| t.remove_at(i))
                .map(|e| e.value)
        }))
    }

    /// Fast lookup of a string key in a namespace dict (no callbacks).
    #[inline]
    pub fn dict_get_str(&self, d: ObjRef, key: Value) -> Option<Value> {
        let Object::Dict(t) = self.heap.get(d) else {
            return None;
        };
        let Value::Obj(kr) = key else { return None };
        let Object::Str(ks) = self.heap.get(kr) else {
            return None;
        };
        let i = t.find(ks.hash(), |k| {
            k.is(key)
                || matches!(k, Value::Obj(r) if matches!(self.heap.get(r), Object::Str(s) if s.as_str() == ks.as_str()))
        })?;
        t.entry(i).map(|e| e.value)
    }

    /// Stores a string key in a namespace dict.
    pub fn dict_set_str(&mut self, d: ObjRef, key: Value, value: Value) -> PyResult<()> {
        self.dict_set(Value::Obj(d), key, value)
    }

    /// Number of items of a built-in container (0 for others).
    pub fn container_len(&self, v: Value) -> usize {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Dict(t) => t.len(),
                Object::Set(t, _) => t.len(),
                Object::List(l) => l.len(),
                Object::Tuple(t) => t.len(),
                Object::Str(s) => s.nchars(),
                Object::Bytes(b) => b.len(),
                Object::ByteArray(b) => b.len(),
                Object::DictView(d, _) => self.container_len(*d),
                _ => 0,
            },
            _ => 0,
        }
    }

    /// `a == b` for two dicts (CPython's `dict_equal`: every key of `a`
    /// maps to an equal value in `b`).
    pub fn dict_equal(&mut self, a: Value, b: Value) -> PyResult<bool> {
        if self.container_len(a) != self.container_len(b) {
            return Ok(false);
        }
        let items: Vec<Value> = self
            .dict_table(a)
            .map(|t| t.iter().flat_map(|e| [e.key, e.value]).collect())
            .unwrap_or_default();
        self.with_roots(&items, |vm| {
            for pair in items.chunks(2) {
                match vm.dict_get(b, pair[0])? {
                    Some(w) => {
                        if !pair[1].is(w) && !vm.eq(pair[1], w)? {
                            return Ok(false);
                        }
                    }
                    None => return Ok(false),
                }
            }
            Ok(true)
        })
    }

    /// `d.update(m)` for `{**m}` and `dict.update`; with `no_dup`, a
    /// repeated key is the TypeError of `f(**m)`. A dict source is merged
    /// as CPython's `dict_merge` does (its layout copied into an empty
    /// target, or one resize up front); other mappings go through `keys()`
    /// and `__getitem__`.
    pub fn dict_update(&mut self, d: Value, m: Value, no_dup: bool) -> PyResult<()> {
        if self.dict_table(m).is_some() {
            if !no_dup {
                return self.dict_merge_dict(d, m);
            }
            let pairs: Vec<Value> = self
                .dict_table(m)
                .map(|t| t.iter().flat_map(|e| [e.key, e.value]).collect())
                .unwrap_or_default();
            return self.with_roots(&pairs, |vm| vm.dict_store_pairs(d, &pairs, true));
        }
        let keys_m = match self.get_attr_str(m, "keys") {
            Ok(k) => k,
            Err(_) => {
                let msg = if no_dup {
                    format!(
                        "argument after ** must be a mapping, not {}",
                        self.type_name(m)
                    )
                } else {
                    format!("'{}' object is not a mapping", self.type_name(m))
                };
                return Err(self.type_error(msg));
            }
        };
        let keys = self.call(keys_m, &[], &[])?;
        let keys = self.with_roots(&[keys], |vm| vm.collect_iterable(keys))?;
        let acc = self.new_list(Vec::with_capacity(keys.len() * 2));
        self.temp_roots.push(acc);
        let r = self.with_roots(&keys, |vm| {
            for &k in &keys {
                let v = vm.get_item(m, k)?;
                if let Some(Object::List(l)) = acc.as_obj().map(|r| vm.heap.get_mut(r)) {
                    l.push(k);
                    l.push(v);
                }
            }
            let pairs = vm.seq_items(acc).map(|s| s.to_vec()).unwrap_or_default();
            vm.dict_store_pairs(d, &pairs, no_dup)
        });
        self.temp_roots.pop();
        r
    }

    /// Stores `[k0, v0, k1, v1, ...]` into dict `d`.
    fn dict_store_pairs(&mut self, d: Value, pairs: &[Value], no_dup: bool) -> PyResult<()> {
        for pair in pairs.chunks(2) {
            let (k, v) = (pair[0], pair[1]);
            if no_dup {
                if self.as_str(k).is_none() {
                    return Err(self.type_error("keywords must be strings"));
                }
                if self.dict_lookup(d, k)?.is_some() {
                    let msg = format!(
                        "got multiple values for keyword argument '{}'",
                        self.str_of(k)
                    );
                    return Err(self.type_error(msg));
                }
            }
            self.dict_set(d, k, v)?;
        }
        Ok(())
    }

    /// Merges dict `m` into dict `d`, keys keeping their known hashes.
    fn dict_merge_dict(&mut self, d: Value, m: Value) -> PyResult<()> {
        if d.is(m) {
            return Ok(());
        }
        let (src_len, clone) = match self.dict_table(m) {
            Some(t) => (t.len(), t.clone_for_empty_target()),
            None => return Ok(()),
        };
        if src_len == 0 {
            return Ok(());
        }
        let Some(target) = self.dict_table_mut(d) else {
            return Ok(());
        };
        if target.is_empty() {
            if let Some(c) = clone {
                // The clone has a version of its own (see `Dict`).
                *target = c;
                return Ok(());
            }
        }
        target.reserve_for_merge(src_len);
        let entries: Vec<crate::vm::object::dict::Entry> = self
            .dict_table(m)
            .map(|t| t.iter().copied().collect())
            .unwrap_or_default();
        let vals: Vec<Value> = entries.iter().flat_map(|e| [e.key, e.value]).collect();
        self.with_roots(&vals, |vm| {
            for e in &entries {
                let idx = vm.dict_lookup_hashed(d, e.key, e.hash)?;
                if let Some(t) = vm.dict_table_mut(d) {
                    match idx {
                        Some(i) => t.set_value(i, e.value),
                        None => t.insert_new(e.hash, e.key, e.value),
                    }
                }
            }
            Ok(())
        })
    }

    /// `list.extend(iterable)` (CPython's `list_extend`: a list or tuple is
    /// copied at once, anything else appended item by item as it is
    /// iterated).
    pub fn list_extend(&mut self, l: Value, iterable: Value) -> PyResult<()> {
        let Value::Obj(r) = l else { return Ok(()) };
        if let Some(items) = self.seq_items(iterable) {
            let items = items.to_vec();
            if let Object::List(v) = self.heap.get_mut(r) {
                v.extend(items);
            }
            return Ok(());
        }
        let it = self.get_iter(iterable)?;
        self.with_roots(&[it], |vm| {
            while let Some(x) = vm.iter_next(it)? {
                if let Object::List(v) = vm.heap.get_mut(r) {
                    v.push(x);
                }
            }
            Ok(())
        })
    }

    /// KeyError for a missing key (the key is the exception's argument).
    pub fn key_error(&mut self, key: Value) -> crate::vm::PyErr {
        let cls = self.types.exc(ExcKind::KeyError);
        crate::vm::PyErr(crate::vm::exceptions::new_exception(self, cls, vec![key]))
    }
}
