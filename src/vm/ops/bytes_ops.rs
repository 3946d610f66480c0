//! Subscripting and operators for `bytes` and `bytearray`: indexing and
//! slicing both, item and slice assignment and deletion on a bytearray,
//! concatenation between any two bytes-like values, and `bytearray +=`.
//!
//! Values to store are converted (which may run aspy code, e.g. a
//! generator) before the bytearray's vector is borrowed.

use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

impl Vm {
    /// Is `v` a bytearray?
    fn is_bytearray(&self, v: Value) -> bool {
        matches!(v, Value::Obj(r) if matches!(self.heap.get(r), Object::ByteArray(_)))
    }

    fn bytearray_vec(&mut self, v: Value) -> Option<&mut Vec<u8>> {
        match v {
            Value::Obj(r) => match self.heap.get_mut(r) {
                Object::ByteArray(b) => Some(b),
                _ => None,
            },
            _ => None,
        }
    }

    /// A new value of the same type as `like` (bytes or bytearray).
    fn bytes_like_new(&mut self, like: Value, data: Vec<u8>) -> Value {
        if self.is_bytearray(like) {
            self.alloc(Object::ByteArray(data))
        } else {
            self.alloc(Object::Bytes(data.into_boxed_slice()))
        }
    }

    /// `b[key]` for bytes and bytearray.
    pub(crate) fn bytes_get_item(&mut self, c: Value, key: Value) -> PyResult<Value> {
        let n = self.as_bytes(c).map_or(0, |b| b.len());
        if self.is_slice_value(key) {
            let si = self.slice_indices(key, n)?;
            let d = self.as_bytes(c).unwrap_or(&[]);
            let out: Vec<u8> = si.indices().map(|i| d[i]).collect();
            return Ok(self.bytes_like_new(c, out));
        }
        let what = if self.is_bytearray(c) {
            "bytearray"
        } else {
            "byte"
        };
        let j = self.bytes_index(key, n, what)?;
        Ok(Value::Int(self.as_bytes(c).map_or(0, |d| d[j]) as i64))
    }

    /// Normalises an index into a bytes value of length `len`.
    fn bytes_index(&mut self, key: Value, len: usize, what: &str) -> PyResult<usize> {
        let Some(i) = self.to_index(key)? else {
            let t = if what == "byte" { "byte" } else { "bytearray" };
            let msg = format!(
                "{t} indices must be integers or slices, not {}",
                self.type_name(key)
            );
            return Err(self.type_error(msg));
        };
        let j = if i < 0 {
            i.saturating_add(len as i64)
        } else {
            i
        };
        if j < 0 || j >= len as i64 {
            let msg = if what == "byte" {
                "index out of range".to_string()
            } else {
                format!("{what} index out of range")
            };
            return Err(self.new_error(ExcKind::IndexError, msg));
        }
        Ok(j as usize)
    }

    /// The bytes of a bytes-like value or an iterable of ints in range(256)
    /// (what bytearray slice assignment and `extend` accept).
    pub fn bytes_from_iterable(&mut self, v: Value) -> PyResult<Vec<u8>> {
        if let Some(b) = self.as_bytes(v) {
            return Ok(b.to_vec());
        }
        let items = self.collect_iterable(v)?;
        let mut out = Vec::with_capacity(items.len());
        for x in items {
            match self.to_index(x)? {
                Some(b) if (0..256).contains(&b) => out.push(b as u8),
                Some(_) => return Err(self.value_error("byte must be in range(0, 256)")),
                None => {
                    let msg = format!(
                        "'{}' object cannot be interpreted as an integer",
                        self.type_name(x)
                    );
                    return Err(self.type_error(msg));
                }
            }
        }
        Ok(out)
    }

    /// `ba[key] = value` for a bytearray.
    pub(crate) fn bytearray_set_item(
        &mut self,
        c: Value,
        key: Value,
        value: Value,
    ) -> PyResult<()> {
        let n = self.as_bytes(c).map_or(0, |b| b.len());
        if self.is_slice_value(key) {
            let ok = self.as_bytes(value).is_some()
                || (self.as_str(value).is_none()
                    && !matches!(value, Value::Int(_) | Value::Bool(_) | Value::None)
                    && self.get_iter(value).is_ok());
            if !ok {
                return Err(self.type_error(
                    "can assign only bytes, buffers, or iterables of ints in range(0, 256)",
                ));
            }
            let data = self.bytes_from_iterable(value)?;
            let si = self.slice_indices(key, n)?;
            if si.step == 1 {
                let start = si.start.max(0) as usize;
                let stop = start + si.len;
                if let Some(v) = self.bytearray_vec(c) {
                    v.splice(start..stop, data);
                }
                return Ok(());
            }
            if data.len() != si.len {
                let msg = format!(
                    "attempt to assign bytes of size {} to extended slice of size {}",
                    data.len(),
                    si.len
                );
                return Err(self.value_error(msg));
            }
            let idx: Vec<usize> = si.indices().collect();
            if let Some(v) = self.bytearray_vec(c) {
                for (i, b) in idx.into_iter().zip(data) {
                    v[i] = b;
                }
            }
            return Ok(());
        }
        let j = self.bytes_index(key, n, "bytearray")?;
        let b = match self.to_index(value)? {
            Some(b) if (0..256).contains(&b) => b as u8,
            Some(_) => return Err(self.value_error("byte must be in range(0, 256)")),
            None => {
                let msg = format!(
                    "'{}' object cannot be interpreted as an integer",
                    self.type_name(value)
                );
                return Err(self.type_error(msg));
            }
        };
        if let Some(v) = self.bytearray_vec(c) {
            v[j] = b;
        }
        Ok(())
    }

    /// `del ba[key]` for a bytearray.
    pub(crate) fn bytearray_del_item(&mut self, c: Value, key: Value) -> PyResult<()> {
        let n = self.as_bytes(c).map_or(0, |b| b.len());
        if self.is_slice_value(key) {
            let si = self.slice_indices(key, n)?;
            let mut drop = vec![false; n];
            for i in si.indices() {
                drop[i] = true;
            }
            if let Some(v) = self.bytearray_vec(c) {
                let mut k = 0;
                v.retain(|_| {
                    k += 1;
                    !drop[k - 1]
                });
            }
            return Ok(());
        }
        let j = self.bytes_index(key, n, "bytearray")?;
        if let Some(v) = self.bytearray_vec(c) {
            v.remove(j);
        }
        Ok(())
    }

    /// `a + b` where `a` is bytes-like; None when `b` is not bytes-like.
    pub(crate) fn bytes_concat(&mut self, a: Value, b: Value) -> PyResult<Option<Value>> {
        let (Some(x), Some(y)) = (self.as_bytes(a), self.as_bytes(b)) else {
            if self.as_bytes(a).is_some() && !self.is_user_object(b) {
                let ta = if self.is_bytearray(a) {
                    "bytearray"
                } else {
                    "bytes"
                };
                let msg = format!("can't concat {} to {ta}", self.type_name(b));
                return Err(self.type_error(msg));
            }
            return Ok(None);
        };
        let mut out = Vec::with_capacity(x.len() + y.len());
        out.extend_from_slice(x);
        out.extend_from_slice(y);
        Ok(Some(self.bytes_like_new(a, out)))
    }

    /// `ba += other` for a bytearray: extends in place. None if `a` is not a
    /// bytearray.
    pub(crate) fn bytearray_iadd(&mut self, a: Value, b: Value) -> PyResult<Option<Value>> {
        if !self.is_bytearray(a) {
            return Ok(None);
        }
        let Some(more) = self.as_bytes(b).map(|d| d.to_vec()) else {
            if self.is_user_object(b) {
                return Ok(None);
            }
            let msg = format!("can't concat {} to bytearray", self.type_name(b));
            return Err(self.type_error(msg));
        };
        if let Some(v) = self.bytearray_vec(a) {
            v.extend_from_slice(&more);
        }
        Ok(Some(a))
    }

    fn is_user_object(&self, v: Value) -> bool {
        matches!(v, Value::Obj(r) if matches!(self.heap.get(r), Object::Instance(_) | Object::Native(_)))
    }

    fn is_slice_value(&self, v: Value) -> bool {
        matches!(v, Value::Obj(r) if matches!(self.heap.get(r), Object::Slice(_)))
    }
}
