//! Dict and set operations over the raw table in `object/dict.rs`.
//!
//! Lookups compare keys natively when they can and call `__eq__` only for
//! user objects, outside any borrow of the table, so aspy code run by
//! `__eq__` may even mutate the dict without breaking the VM.

use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Dict, Object, SetKind};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

impl Vm {
    fn table(&self, d: Value) -> Option<&Dict> {
        match d {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Dict(t) | Object::Set(t, _) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }

    fn table_mut(&mut self, d: Value) -> Option<&mut Dict> {
        match d {
            Value::Obj(r) => match self.heap.get_mut(r) {
                Object::Dict(t) | Object::Set(t, _) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }

    /// Entry index of `key` in a dict or set.
    pub fn dict_lookup(&mut self, d: Value, key: Value) -> PyResult<Option<usize>> {
        let hash = self.hash_value(key)?;
        self.dict_lookup_hashed(d, key, hash)
    }

    fn dict_lookup_hashed(&mut self, d: Value, key: Value, hash: i64) -> PyResult<Option<usize>> {
        let Some(t) = self.table(d) else {
            return Ok(None);
        };
        let mut needs_call = false;
        let found = t.find(hash, |k| {
            if k.is(key) {
                return true;
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
            let k = match self.table(d).and_then(|t| t.entry(idx)) {
                Some(e) => e.key,
                None => continue,
            };
            if self.native_eq(k, key).is_none() && self.eq(k, key)? {
                return Ok(Some(idx));
            }
        }
        Ok(None)
    }

    /// `d.get(key)` without raising KeyError.
    pub fn dict_get(&mut self, d: Value, key: Value) -> PyResult<Option<Value>> {
        let idx = self.dict_lookup(d, key)?;
        Ok(idx.and_then(|i| self.table(d).and_then(|t| t.entry(i)).map(|e| e.value)))
    }

    /// `d[key] = value`.
    pub fn dict_set(&mut self, d: Value, key: Value, value: Value) -> PyResult<()> {
        let hash = self.hash_value(key)?;
        let idx = self.dict_lookup_hashed(d, key, hash)?;
        if let Some(t) = self.table_mut(d) {
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
            self.table_mut(d)
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
                || matches!(k, Value::Obj(r) if matches!(self.heap.get(r), Object::Str(s) if s.s == ks.s))
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
                Object::Dict(t) | Object::Set(t, _) => t.len(),
                Object::List(l) => l.len(),
                Object::Tuple(t) => t.len(),
                Object::Str(s) => s.nchars,
                Object::Bytes(b) => b.len(),
                Object::ByteArray(b) => b.len(),
                _ => 0,
            },
            _ => 0,
        }
    }

    /// Are all elements of set `a` in set `b`?
    pub fn set_is_subset(&mut self, a: Value, b: Value) -> PyResult<bool> {
        let keys = self.table(a).map(|t| t.keys()).unwrap_or_default();
        for k in keys {
            if self.dict_lookup(b, k)?.is_none() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `a == b` for two dicts.
    pub fn dict_equal(&mut self, a: Value, b: Value) -> PyResult<bool> {
        if self.container_len(a) != self.container_len(b) {
            return Ok(false);
        }
        let items: Vec<(Value, Value)> = self
            .table(a)
            .map(|t| t.iter().map(|e| (e.key, e.value)).collect())
            .unwrap_or_default();
        for (k, v) in items {
            match self.dict_get(b, k)? {
                Some(w) => {
                    if !v.is(w) && !self.eq(v, w)? {
                        return Ok(false);
                    }
                }
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    /// A new set (or frozenset) from values.
    pub fn new_set_of(&mut self, items: &[Value], kind: SetKind) -> PyResult<Value> {
        let s = self.alloc(Object::Set(Box::new(Dict::new()), kind));
        self.temp_roots.push(s);
        for &v in items {
            if let Err(e) = self.set_add(s, v) {
                self.temp_roots.pop();
                return Err(e);
            }
        }
        self.temp_roots.pop();
        Ok(s)
    }

    pub fn new_set_from(&mut self, items: &[Value]) -> PyResult<Value> {
        self.new_set_of(items, SetKind::Set)
    }

    /// `s.add(v)`.
    pub fn set_add(&mut self, s: Value, v: Value) -> PyResult<()> {
        let hash = self.hash_value(v)?;
        if self.dict_lookup_hashed(s, v, hash)?.is_none() {
            if let Some(t) = self.table_mut(s) {
                t.insert_new(hash, v, Value::None);
            }
        }
        Ok(())
    }

    /// `s |= iterable` (for `{*a}` displays and `set.update`).
    pub fn set_update(&mut self, s: Value, iterable: Value) -> PyResult<()> {
        let items = self.collect_iterable(iterable)?;
        self.temp_roots.extend_from_slice(&items);
        let n = items.len();
        let mut r = Ok(());
        for v in items {
            r = self.set_add(s, v);
            if r.is_err() {
                break;
            }
        }
        let len = self.temp_roots.len();
        self.temp_roots.truncate(len - n);
        r
    }

    /// `d.update(m)` for `{**m}`; with `no_dup`, a repeated key is the
    /// TypeError of `f(**m)`.
    pub fn dict_update(&mut self, d: Value, m: Value, no_dup: bool) -> PyResult<()> {
        let pairs: Vec<(Value, Value)> = match self.table(m) {
            Some(t) if matches!(m, Value::Obj(r) if matches!(self.heap.get(r), Object::Dict(_))) => {
                t.iter().map(|e| (e.key, e.value)).collect()
            }
            _ => {
                // Any mapping: keys() then __getitem__.
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
                let keys = self.collect_iterable(keys)?;
                let mut out = Vec::with_capacity(keys.len());
                for k in keys {
                    let v = self.get_item(m, k)?;
                    out.push((k, v));
                }
                out
            }
        };
        for (k, v) in pairs {
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

    /// `list.extend(iterable)`.
    pub fn list_extend(&mut self, l: Value, iterable: Value) -> PyResult<()> {
        let items = match self.seq_items(iterable) {
            Some(s) => s.to_vec(),
            None => self.collect_iterable(iterable)?,
        };
        if let Value::Obj(r) = l {
            if let Object::List(v) = self.heap.get_mut(r) {
                v.extend(items);
            }
        }
        Ok(())
    }

    /// KeyError for a missing key (the key is the exception's argument).
    pub fn key_error(&mut self, key: Value) -> crate::vm::PyErr {
        let cls = self.types.exc(ExcKind::KeyError);
        crate::vm::PyErr(crate::vm::exceptions::new_exception(self, cls, vec![key]))
    }
}
