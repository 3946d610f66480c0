//! Sequence operators and subscripting: concatenation, repetition,
//! indexing, slicing (with CPython's index rules), item assignment and
//! deletion, and unpacking for assignment targets.

use crate::bytecode::BinaryOp;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Object, StrObj};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// `+`, `*` and `%` on built-in sequences; None if not applicable.
pub fn sequence_binary(vm: &mut Vm, a: Value, b: Value, op: BinaryOp) -> PyResult<Option<Value>> {
    if matches!(
        op,
        BinaryOp::Or | BinaryOp::And | BinaryOp::Sub | BinaryOp::Xor
    ) {
        return crate::stdlib::dict_views::operator(vm, a, b, op);
    }
    let (Value::Obj(x), _) = (a, b) else {
        if op == BinaryOp::Mul {
            if let Value::Obj(_) = b {
                return sequence_binary_rmul(vm, a, b);
            }
        }
        return Ok(None);
    };
    match op {
        BinaryOp::Add => {
            let Value::Obj(y) = b else { return Ok(None) };
            match (vm.heap.get(x), vm.heap.get(y)) {
                (Object::Str(s), Object::Str(t)) => {
                    let joined = StrObj::concat(s, t);
                    Ok(Some(vm.alloc(Object::Str(joined))))
                }
                (Object::List(s), Object::List(t)) => {
                    let mut out = Vec::with_capacity(s.len() + t.len());
                    out.extend_from_slice(s);
                    out.extend_from_slice(t);
                    Ok(Some(vm.new_list(out)))
                }
                (Object::Tuple(s), Object::Tuple(t)) => {
                    let mut out = Vec::with_capacity(s.len() + t.len());
                    out.extend_from_slice(s);
                    out.extend_from_slice(t);
                    Ok(Some(vm.new_tuple(out)))
                }
                (Object::Bytes(_) | Object::ByteArray(_), _) => vm.bytes_concat(a, b),
                _ => Ok(None),
            }
        }
        BinaryOp::Mul => {
            let n = match vm.plain_int(b) {
                Value::Int(n) => n,
                Value::Bool(v) => v as i64,
                _ => return Ok(None),
            };
            repeat(vm, a, n)
        }
        BinaryOp::Mod => match vm.heap.get(x) {
            Object::Str(_) => crate::stdlib::format::percent_format(vm, a, b).map(Some),
            Object::Bytes(_) | Object::ByteArray(_) => {
                crate::stdlib::bytes_search::bytes_percent(vm, a, b).map(Some)
            }
            _ => Ok(None),
        },
        _ => Ok(None),
    }
}

fn sequence_binary_rmul(vm: &mut Vm, a: Value, b: Value) -> PyResult<Option<Value>> {
    let n = match vm.plain_int(a) {
        Value::Int(n) => n,
        Value::Bool(v) => v as i64,
        _ => return Ok(None),
    };
    repeat(vm, b, n)
}

/// `seq * n`.
fn repeat(vm: &mut Vm, seq: Value, n: i64) -> PyResult<Option<Value>> {
    let Value::Obj(r) = seq else { return Ok(None) };
    let n = n.max(0) as usize;
    let len = match vm.heap.get(r) {
        Object::Str(s) => s.as_str().len(),
        Object::List(l) => l.len(),
        Object::Tuple(t) => t.len(),
        Object::Bytes(b) => b.len(),
        Object::ByteArray(b) => b.len(),
        _ => return Ok(None),
    };
    if len.saturating_mul(n) > (1 << 32) {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    Ok(Some(match vm.heap.get(r) {
        Object::Str(s) => {
            let out = s.as_str().repeat(n);
            vm.new_str(out)
        }
        Object::List(l) => {
            let out = l.repeat(n);
            vm.new_list(out)
        }
        Object::Tuple(t) => {
            let out = t.repeat(n);
            vm.new_tuple(out)
        }
        Object::Bytes(b) => {
            let out = b.repeat(n);
            vm.alloc(Object::Bytes(out.into_boxed_slice()))
        }
        Object::ByteArray(b) => {
            let out = b.repeat(n);
            vm.alloc(Object::ByteArray(out))
        }
        _ => return Ok(None),
    }))
}

/// The characters of `s` a resolved slice selects.
fn str_slice(s: &StrObj, si: &SliceIndices) -> String {
    if si.len == 0 {
        return String::new();
    }
    let start = si.start as usize;
    if si.step == 1 {
        let (a, b) = (s.byte_offset(start), s.byte_offset(start + si.len));
        return s.as_str()[a..b].to_string();
    }
    if s.is_ascii() {
        let bytes = s.as_str().as_bytes();
        return si.indices().map(|i| bytes[i] as char).collect();
    }
    let step = si.step.unsigned_abs() as usize;
    if si.step > 0 {
        let a = s.byte_offset(start);
        s.as_str()[a..].chars().step_by(step).take(si.len).collect()
    } else {
        let end = s.byte_offset(start + 1);
        s.as_str()[..end]
            .chars()
            .rev()
            .step_by(step)
            .take(si.len)
            .collect()
    }
}

/// Resolved slice bounds: start, stop, step and the number of elements.
pub struct SliceIndices {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
    pub len: usize,
}

impl SliceIndices {
    /// The element indices the slice selects.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len).map(move |k| (self.start + k as i64 * self.step) as usize)
    }
}

impl Vm {
    /// The bytes of a `bytes` or `bytearray` value.
    #[inline]
    pub fn as_bytes(&self, v: Value) -> Option<&[u8]> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Bytes(b) => Some(b),
                Object::ByteArray(b) => Some(b),
                _ => None,
            },
            _ => None,
        }
    }

    /// An index operand as i64 (ints, bools, `__index__`).
    pub fn to_index(&mut self, v: Value) -> PyResult<Option<i64>> {
        Ok(match self.plain_int(v) {
            Value::Int(i) => Some(i),
            Value::Bool(b) => Some(b as i64),
            Value::Obj(r) => match self.heap.get(r) {
                Object::BigInt(_) => Some(i64::MAX),
                Object::Instance(_) => match self.lookup_special(v, "__index__") {
                    Some(m) => {
                        let r = self.call(m, &[], &[])?;
                        self.to_index(r)?
                    }
                    None => None,
                },
                _ => None,
            },
            _ => None,
        })
    }

    /// Applies a slice object to a sequence of length `len` (CPython's
    /// `PySlice_AdjustIndices`).
    pub fn slice_indices(&mut self, slice: Value, len: usize) -> PyResult<SliceIndices> {
        let parts = match slice {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Slice(p) => **p,
                _ => [Value::None; 3],
            },
            _ => [Value::None; 3],
        };
        let len = len as i64;
        let get = |vm: &mut Vm, v: Value| -> PyResult<Option<i64>> {
            if v.is_none() {
                return Ok(None);
            }
            match vm.to_index(v)? {
                Some(i) => Ok(Some(i)),
                None => Err(vm.type_error(
                    "slice indices must be integers or None or have an __index__ method",
                )),
            }
        };
        let step = get(self, parts[2])?.unwrap_or(1);
        if step == 0 {
            return Err(self.value_error("slice step cannot be zero"));
        }
        let (lo_default, hi_default) = if step < 0 { (len - 1, -1) } else { (0, len) };
        let clamp = |i: i64, lo: i64, hi: i64| i.clamp(lo, hi);
        let start = match get(self, parts[0])? {
            None => lo_default,
            Some(i) => {
                let i = if i < 0 { i.saturating_add(len) } else { i };
                if step < 0 {
                    clamp(i, -1, len - 1)
                } else {
                    clamp(i, 0, len)
                }
            }
        };
        let stop = match get(self, parts[1])? {
            None => hi_default,
            Some(i) => {
                let i = if i < 0 { i.saturating_add(len) } else { i };
                if step < 0 {
                    clamp(i, -1, len - 1)
                } else {
                    clamp(i, 0, len)
                }
            }
        };
        let n = if step > 0 {
            if stop > start {
                (stop - start - 1) / step + 1
            } else {
                0
            }
        } else if start > stop {
            (start - stop - 1) / (-step) + 1
        } else {
            0
        };
        Ok(SliceIndices {
            start,
            stop,
            step,
            len: n as usize,
        })
    }

    fn is_slice(&self, v: Value) -> bool {
        matches!(v, Value::Obj(r) if matches!(self.heap.get(r), Object::Slice(_)))
    }

    /// Normalises an index against `len`, raising IndexError.
    fn seq_index(&mut self, key: Value, len: usize, what: &str) -> PyResult<usize> {
        let Some(i) = self.to_index(key)? else {
            let msg = format!(
                "{what} indices must be integers or slices, not {}",
                self.type_name(key)
            );
            return Err(self.type_error(msg));
        };
        let j = if i < 0 { i + len as i64 } else { i };
        if j < 0 || j >= len as i64 {
            let msg = format!("{what} index out of range");
            return Err(self.new_error(ExcKind::IndexError, msg));
        }
        Ok(j as usize)
    }

    /// `container[key]`.
    pub fn get_item(&mut self, c: Value, key: Value) -> PyResult<Value> {
        if let (Value::Obj(r), false) = (c, self.user_overrides(c, "__getitem__")) {
            match self.heap.get(r) {
                Object::List(l) => {
                    if let Value::Int(i) = key {
                        let len = l.len() as i64;
                        let j = if i < 0 { i + len } else { i };
                        if j >= 0 && j < len {
                            return Ok(l[j as usize]);
                        }
                    }
                    let len = l.len();
                    if self.is_slice(key) {
                        let si = self.slice_indices(key, len)?;
                        let Object::List(l) = self.heap.get(r) else {
                            unreachable!()
                        };
                        let out: Vec<Value> = si.indices().map(|i| l[i]).collect();
                        return Ok(self.new_list(out));
                    }
                    let j = self.seq_index(key, len, "list")?;
                    let Object::List(l) = self.heap.get(r) else {
                        unreachable!()
                    };
                    return Ok(l[j]);
                }
                Object::Tuple(t) => {
                    let len = t.len();
                    if self.is_slice(key) {
                        let si = self.slice_indices(key, len)?;
                        let Object::Tuple(t) = self.heap.get(r) else {
                            unreachable!()
                        };
                        let out: Vec<Value> = si.indices().map(|i| t[i]).collect();
                        return Ok(self.new_tuple(out));
                    }
                    let j = self.seq_index(key, len, "tuple")?;
                    let Object::Tuple(t) = self.heap.get(r) else {
                        unreachable!()
                    };
                    return Ok(t[j]);
                }
                Object::Dict(_) => {
                    if let Some(v) = self.dict_get(c, key)? {
                        return Ok(v);
                    }
                    if self.class_of(c) != self.types.dict {
                        if let Some(m) = self.lookup_special(c, "__missing__") {
                            return self.call(m, &[key], &[]);
                        }
                    }
                    return Err(self.key_error(key));
                }
                Object::Str(s) => {
                    let n = s.nchars();
                    if self.is_slice(key) {
                        let si = self.slice_indices(key, n)?;
                        let Object::Str(s) = self.heap.get(r) else {
                            unreachable!()
                        };
                        let out = str_slice(s, &si);
                        let obj = StrObj::with_nchars(out, si.len);
                        return Ok(self.alloc(Object::Str(obj)));
                    }
                    if self.to_index(key)?.is_none() {
                        let msg = format!(
                            "string indices must be integers, not '{}'",
                            self.type_name(key)
                        );
                        return Err(self.type_error(msg));
                    }
                    let j = self.seq_index(key, n, "string")?;
                    let Object::Str(s) = self.heap.get(r) else {
                        unreachable!()
                    };
                    let ch = s.char_at(j);
                    let mut buf = [0u8; 4];
                    let text: &str = ch.encode_utf8(&mut buf);
                    if ch.is_ascii_alphanumeric() || ch == '_' {
                        return Ok(Value::Obj(self.intern(text)));
                    }
                    return Ok(self.alloc(Object::Str(StrObj::new(text))));
                }
                Object::Bytes(_) | Object::ByteArray(_) => return self.bytes_get_item(c, key),
                Object::Range(rg) => {
                    let rg = **rg;
                    if let Value::Int(i) = key {
                        let n = rg.len();
                        let j = if i < 0 { i + n } else { i };
                        if (0..n).contains(&j) {
                            return Ok(Value::Int(rg.at(j)));
                        }
                    }
                    return crate::stdlib::range_methods::range_getitem(self, c, key);
                }
                Object::BigRange(_) => {
                    return crate::stdlib::range_methods::range_getitem(self, c, key);
                }
                Object::Class(k) => {
                    // The metaclass's `__getitem__` (`Color['RED']`) comes
                    // before `__class_getitem__`, as in CPython.
                    if k.meta.is_some() {
                        if let Some(m) = self.lookup_special(c, "__getitem__") {
                            return self.call(m, &[key], &[]);
                        }
                    }
                    // `list[int]` and friends: `__class_getitem__` if defined.
                    let n = Value::Obj(self.intern("__class_getitem__"));
                    if let Some(m) = self.get_attr_opt(c, n)? {
                        return self.call(m, &[key], &[]);
                    }
                    return Ok(c);
                }
                _ => {}
            }
        }
        if let Some(m) = self.lookup_special(c, "__getitem__") {
            return self.call(m, &[key], &[]);
        }
        let msg = format!("'{}' object is not subscriptable", self.type_name(c));
        Err(self.type_error(msg))
    }

    /// `container[key] = value`.
    pub fn set_item(&mut self, c: Value, key: Value, value: Value) -> PyResult<()> {
        if let (Value::Obj(r), false) = (c, self.user_overrides(c, "__setitem__")) {
            match self.heap.get(r) {
                Object::List(l) => {
                    let len = l.len();
                    if self.is_slice(key) {
                        return self.list_set_slice(c, key, value);
                    }
                    let j = self.seq_index(key, len, "list assignment")?;
                    if let Object::List(l) = self.heap.get_mut(r) {
                        l[j] = value;
                    }
                    return Ok(());
                }
                Object::Dict(_) => return self.dict_set(c, key, value),
                Object::ByteArray(_) => return self.bytearray_set_item(c, key, value),
                Object::Instance(_) | Object::Native(_) => {}
                _ => {
                    let msg = format!(
                        "'{}' object does not support item assignment",
                        self.type_name(c)
                    );
                    return Err(self.type_error(msg));
                }
            }
        }
        if let Some(m) = self.lookup_special(c, "__setitem__") {
            self.call(m, &[key, value], &[])?;
            return Ok(());
        }
        let msg = format!(
            "'{}' object does not support item assignment",
            self.type_name(c)
        );
        Err(self.type_error(msg))
    }

    fn list_set_slice(&mut self, l: Value, key: Value, value: Value) -> PyResult<()> {
        let items = match self.seq_items(value) {
            Some(s) => s.to_vec(),
            None => self
                .collect_iterable(value)
                .map_err(|_| self.type_error("must assign iterable to extended slice"))?,
        };
        let len = self.container_len(l);
        let si = self.slice_indices(key, len)?;
        let Value::Obj(r) = l else { return Ok(()) };
        if si.step == 1 {
            let start = si.start.max(0) as usize;
            let stop = (si.start + si.len as i64).max(start as i64) as usize;
            if let Object::List(v) = self.heap.get_mut(r) {
                v.splice(start..stop, items);
            }
            return Ok(());
        }
        if items.len() != si.len {
            let msg = format!(
                "attempt to assign sequence of size {} to extended slice of size {}",
                items.len(),
                si.len
            );
            return Err(self.value_error(msg));
        }
        let idx: Vec<usize> = si.indices().collect();
        if let Object::List(v) = self.heap.get_mut(r) {
            for (i, x) in idx.into_iter().zip(items) {
                v[i] = x;
            }
        }
        Ok(())
    }

    /// `del container[key]`.
    pub fn del_item(&mut self, c: Value, key: Value) -> PyResult<()> {
        if let (Value::Obj(r), false) = (c, self.user_overrides(c, "__delitem__")) {
            match self.heap.get(r) {
                Object::List(l) => {
                    let len = l.len();
                    if self.is_slice(key) {
                        let si = self.slice_indices(key, len)?;
                        let mut idx: Vec<usize> = si.indices().collect();
                        idx.sort_unstable();
                        if let Object::List(v) = self.heap.get_mut(r) {
                            for i in idx.into_iter().rev() {
                                v.remove(i);
                            }
                        }
                        return Ok(());
                    }
                    let j = self.seq_index(key, len, "list assignment")?;
                    if let Object::List(l) = self.heap.get_mut(r) {
                        l.remove(j);
                    }
                    return Ok(());
                }
                Object::Dict(_) => {
                    if self.dict_remove(c, key)?.is_none() {
                        return Err(self.key_error(key));
                    }
                    return Ok(());
                }
                Object::ByteArray(_) => return self.bytearray_del_item(c, key),
                Object::Instance(_) | Object::Native(_) => {}
                _ => {
                    let msg = format!(
                        "'{}' object doesn't support item deletion",
                        self.type_name(c)
                    );
                    return Err(self.type_error(msg));
                }
            }
        }
        if let Some(m) = self.lookup_special(c, "__delitem__") {
            self.call(m, &[key], &[])?;
            return Ok(());
        }
        let msg = format!(
            "'{}' object doesn't support item deletion",
            self.type_name(c)
        );
        Err(self.type_error(msg))
    }

    /// Unpacks `seq` for an assignment: exactly `before` items, or with a
    /// starred target `before` items, a list, and `after` items.
    pub fn unpack(
        &mut self,
        seq: Value,
        before: usize,
        after: Option<usize>,
    ) -> PyResult<Vec<Value>> {
        let items = match self.seq_items(seq) {
            Some(s) => s.to_vec(),
            None => {
                if self.get_iter(seq).is_err() {
                    let msg = format!("cannot unpack non-iterable {} object", self.type_name(seq));
                    return Err(self.type_error(msg));
                }
                self.collect_iterable(seq)?
            }
        };
        match after {
            None => {
                if items.len() == before {
                    return Ok(items);
                }
                let msg = if items.len() < before {
                    format!(
                        "not enough values to unpack (expected {before}, got {})",
                        items.len()
                    )
                } else {
                    format!("too many values to unpack (expected {before})")
                };
                Err(self.value_error(msg))
            }
            Some(after) => {
                if items.len() < before + after {
                    let msg = format!(
                        "not enough values to unpack (expected at least {}, got {})",
                        before + after,
                        items.len()
                    );
                    return Err(self.value_error(msg));
                }
                let mid_end = items.len() - after;
                let middle = self.new_list(items[before..mid_end].to_vec());
                let mut out = items[..before].to_vec();
                out.push(middle);
                out.extend_from_slice(&items[mid_end..]);
                Ok(out)
            }
        }
    }
}
