//! Iteration: `iter()`, `next()` and collecting an iterable.

use crate::vm::exceptions::ExcKind;
use crate::vm::gen::GenStep;
use crate::vm::object::{DictIterKind, GenState, Iter, Object};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

impl Vm {
    /// `iter(v)`.
    pub fn get_iter(&mut self, v: Value) -> PyResult<Value> {
        if self.user_overrides(v, "__iter__") {
            return self.iter_via_dunder(v);
        }
        if let Value::Obj(r) = v {
            let it = match self.heap.get(r) {
                Object::List(_) | Object::Tuple(_) => Iter::Seq { seq: v, index: 0 },
                Object::Range(rg) => Iter::Range {
                    next: rg.start,
                    stop: rg.stop,
                    step: rg.step,
                },
                Object::BigRange(_) => crate::stdlib::range_methods::big_range_iter(self, v),
                Object::Str(_) => Iter::Str { s: v, byte: 0 },
                Object::Bytes(_) | Object::ByteArray(_) => Iter::Bytes { b: v, index: 0 },
                Object::Dict(d) => Iter::Dict {
                    dict: v,
                    index: 0,
                    used: d.len(),
                    remaining: d.len(),
                    kind: DictIterKind::Keys,
                    reverse: false,
                },
                Object::Set(t, _) => Iter::Set {
                    set: v,
                    index: 0,
                    used: t.len(),
                },
                Object::DictView(d, kind) => {
                    let (d, kind) = (*d, *kind);
                    return Ok(self.dict_iter(d, kind, false));
                }
                Object::Iter(_) => return Ok(v),
                Object::Generator(g) if g.kind == crate::bytecode::CodeKind::Generator => {
                    return Ok(v)
                }
                Object::Native(n) if n.next_fn().is_some() => return Ok(v),
                _ => return self.iter_via_dunder(v),
            };
            return Ok(self.alloc(Object::Iter(Box::new(it))));
        }
        let msg = format!("'{}' object is not iterable", self.type_name(v));
        Err(self.type_error(msg))
    }

    /// `iter(v)` through `__iter__`, or the old `__getitem__` protocol.
    fn iter_via_dunder(&mut self, v: Value) -> PyResult<Value> {
        if let Some(m) = self.lookup_special(v, "__iter__") {
            let it = self.call(m, &[], &[])?;
            let native_iter = matches!(it, Value::Obj(r) if match self.heap.get(r) {
                Object::Iter(_) | Object::Generator(_) => true,
                Object::Native(n) => n.next_fn().is_some(),
                _ => false,
            });
            if !native_iter && self.lookup_special(it, "__next__").is_none() {
                let msg = format!(
                    "iter() returned non-iterator of type '{}'",
                    self.type_name(it)
                );
                return Err(self.type_error(msg));
            }
            return Ok(it);
        }
        if self.lookup_special(v, "__getitem__").is_some() {
            // The old sequence protocol: index until IndexError.
            return Ok(self.alloc(Object::Iter(Box::new(Iter::GetItem { seq: v, index: 0 }))));
        }
        let msg = format!("'{}' object is not iterable", self.type_name(v));
        Err(self.type_error(msg))
    }

    /// `next(it)`: Some(value), or None when exhausted.
    pub fn iter_next(&mut self, it: Value) -> PyResult<Option<Value>> {
        match self.iter_next_with_value(it)? {
            GenStep::Yield(v) => Ok(Some(v)),
            GenStep::Return(_) => Ok(None),
        }
    }

    /// `next(it)`, keeping a generator's return value.
    pub fn iter_next_with_value(&mut self, it: Value) -> PyResult<GenStep> {
        let Value::Obj(r) = it else {
            let msg = format!("'{}' object is not an iterator", self.type_name(it));
            return Err(self.type_error(msg));
        };
        match self.heap.get(r) {
            Object::Iter(_) => {
                return self.builtin_iter_next(r).map(|o| match o {
                    Some(v) => GenStep::Yield(v),
                    None => GenStep::Return(Value::None),
                })
            }
            Object::Generator(g) if g.kind == crate::bytecode::CodeKind::Generator => {
                if g.state == GenState::Finished {
                    return Ok(GenStep::Return(Value::None));
                }
                return self.gen_resume(r, Value::None, None);
            }
            Object::Native(n) => {
                if let Some(next) = n.next_fn() {
                    return next(self, r).map(|o| match o {
                        Some(v) => GenStep::Yield(v),
                        None => GenStep::Return(Value::None),
                    });
                }
            }
            _ => {}
        }
        let Some(m) = self.lookup_special(it, "__next__") else {
            let msg = format!("'{}' object is not an iterator", self.type_name(it));
            return Err(self.type_error(msg));
        };
        match self.call(m, &[], &[]) {
            Ok(v) => Ok(GenStep::Yield(v)),
            Err(e) if self.exc_matches(e.0, ExcKind::StopIteration) => {
                Ok(GenStep::Return(self.stop_iteration_value(e.0)))
            }
            Err(e) => Err(e),
        }
    }

    fn builtin_iter_next(&mut self, r: crate::vm::ObjRef) -> PyResult<Option<Value>> {
        let Object::Iter(it) = self.heap.get(r) else {
            unreachable!()
        };
        match &**it {
            Iter::Seq { seq, index } => {
                let (seq, index) = (*seq, *index);
                let item = self.seq_items(seq).and_then(|s| s.get(index).copied());
                if let Object::Iter(it) = self.heap.get_mut(r) {
                    if let Iter::Seq { index, .. } = &mut **it {
                        // Once exhausted, always exhausted (even if the
                        // list grows later), as in CPython.
                        *index = if item.is_some() {
                            *index + 1
                        } else {
                            usize::MAX
                        };
                    }
                }
                Ok(item)
            }
            Iter::Range { .. } => {
                let Object::Iter(it) = self.heap.get_mut(r) else {
                    unreachable!()
                };
                let Iter::Range { next, stop, step } = &mut **it else {
                    unreachable!()
                };
                let cur = *next;
                if (*step > 0 && cur < *stop) || (*step < 0 && cur > *stop) {
                    // Past i64 the range is over: stop there.
                    *next = cur.checked_add(*step).unwrap_or(*stop);
                    Ok(Some(Value::Int(cur)))
                } else {
                    Ok(None)
                }
            }
            Iter::Str { s, byte } => {
                let (s, byte) = (*s, *byte);
                let text = self.str_of(s);
                match text[byte..].chars().next() {
                    Some(c) => {
                        let n = c.len_utf8();
                        if let Object::Iter(it) = self.heap.get_mut(r) {
                            if let Iter::Str { byte, .. } = &mut **it {
                                *byte += n;
                            }
                        }
                        let mut buf = [0u8; 4];
                        let cs: &str = c.encode_utf8(&mut buf);
                        // ASCII characters are shared (like CPython's cache of
                        // one-character strings); others are fresh objects, so
                        // iterating text does not grow the intern table.
                        Ok(Some(if c.is_ascii() {
                            Value::Obj(self.intern(cs))
                        } else {
                            let obj = crate::vm::object::StrObj::with_nchars(cs, 1);
                            self.alloc(Object::Str(obj))
                        }))
                    }
                    None => Ok(None),
                }
            }
            Iter::Bytes { b, index } => {
                let (b, index) = (*b, *index);
                let v = self.as_bytes(b).and_then(|d| d.get(index).copied());
                if let Object::Iter(it) = self.heap.get_mut(r) {
                    if let Iter::Bytes { index, .. } = &mut **it {
                        *index += 1;
                    }
                }
                Ok(v.map(|x| Value::Int(x as i64)))
            }
            Iter::Dict { .. } => self.dict_iter_next(r),
            Iter::Set { set, index, used } => {
                let (set, index, used) = (*set, *index, *used);
                let Some(t) = self.set_table(set) else {
                    return Ok(None);
                };
                if t.len() != used {
                    if let Object::Iter(it) = self.heap.get_mut(r) {
                        if let Iter::Set { used, .. } = &mut **it {
                            *used = usize::MAX;
                        }
                    }
                    return Err(
                        self.new_error(ExcKind::RuntimeError, "Set changed size during iteration")
                    );
                }
                let next = t.next_from(index);
                if let Object::Iter(it) = self.heap.get_mut(r) {
                    if let Iter::Set { set, index, .. } = &mut **it {
                        match next {
                            Some((i, _)) => *index = i + 1,
                            None => *set = Value::None,
                        }
                    }
                }
                Ok(next.map(|(_, slot)| slot.key))
            }
            Iter::Reversed { seq, index } => {
                let (seq, index) = (*seq, *index);
                if index == 0 {
                    return Ok(None);
                }
                let item = match self.seq_items(seq) {
                    Some(s) => s.get(index - 1).copied(),
                    None => self.reversed_item(seq, index - 1)?,
                };
                if let Object::Iter(it) = self.heap.get_mut(r) {
                    if let Iter::Reversed { index, .. } = &mut **it {
                        *index = if item.is_some() { *index - 1 } else { 0 };
                    }
                }
                Ok(item)
            }
            Iter::Enumerate { iter, count } => {
                let (iter, count) = (*iter, *count);
                match self.iter_next(iter)? {
                    Some(v) => {
                        let next =
                            self.binary_op(count, Value::Int(1), crate::bytecode::BinaryOp::Add)?;
                        if let Object::Iter(it) = self.heap.get_mut(r) {
                            if let Iter::Enumerate { count, .. } = &mut **it {
                                *count = next;
                            }
                        }
                        Ok(Some(self.new_tuple(vec![count, v])))
                    }
                    None => Ok(None),
                }
            }
            Iter::Zip { iters, strict } => {
                let (iters, strict) = (iters.to_vec(), *strict);
                self.zip_next(&iters, strict)
            }
            Iter::Map { func, iters } => {
                let (func, iters) = (*func, iters.to_vec());
                let mut args = Vec::with_capacity(iters.len());
                for i in iters {
                    match self.iter_next(i)? {
                        Some(v) => {
                            args.push(v);
                            self.temp_roots.push(v);
                        }
                        None => {
                            let n = args.len();
                            self.temp_roots.truncate(self.temp_roots.len() - n);
                            return Ok(None);
                        }
                    }
                }
                let n = args.len();
                let r = self.call(func, &args, &[]);
                self.temp_roots.truncate(self.temp_roots.len() - n);
                r.map(Some)
            }
            Iter::Filter { func, iter } => {
                let (func, iter) = (*func, *iter);
                loop {
                    let Some(v) = self.iter_next(iter)? else {
                        return Ok(None);
                    };
                    let keep = if func.is_none() {
                        self.truthy(v)?
                    } else {
                        self.temp_roots.push(v);
                        let r = self.call(func, &[v], &[]);
                        self.temp_roots.pop();
                        let r = r?;
                        self.truthy(r)?
                    };
                    if keep {
                        return Ok(Some(v));
                    }
                }
            }
            Iter::Callable { func, sentinel } => {
                let (func, sentinel) = (*func, *sentinel);
                let v = self.call(func, &[], &[])?;
                if v.is(sentinel) || self.eq(v, sentinel)? {
                    if let Object::Iter(it) = self.heap.get_mut(r) {
                        **it = Iter::Exhausted;
                    }
                    return Ok(None);
                }
                Ok(Some(v))
            }
            Iter::GetItem { seq, index } => {
                let (seq, index) = (*seq, *index);
                if seq.is_none() {
                    return Ok(None);
                }
                let item = self.reversed_item(seq, index)?;
                if let Object::Iter(it) = self.heap.get_mut(r) {
                    if let Iter::GetItem { seq, index } = &mut **it {
                        match item {
                            Some(_) => *index += 1,
                            None => *seq = Value::None,
                        }
                    }
                }
                Ok(item)
            }
            Iter::Exhausted => Ok(None),
        }
    }

    /// `seq[i]` for `reversed` or the old iteration protocol over a
    /// sequence other than a list or tuple; None when the sequence reports
    /// the end (IndexError, StopIteration).
    fn reversed_item(&mut self, seq: Value, i: usize) -> PyResult<Option<Value>> {
        match self.get_item(seq, Value::Int(i as i64)) {
            Ok(v) => Ok(Some(v)),
            Err(e)
                if self.exc_matches(e.0, ExcKind::IndexError)
                    || self.exc_matches(e.0, ExcKind::StopIteration) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// One step of `zip`: a tuple of the next items, None when the
    /// shortest input ends (with `strict`, CPython's ValueError when the
    /// inputs have different lengths).
    fn zip_next(&mut self, iters: &[Value], strict: bool) -> PyResult<Option<Value>> {
        if iters.is_empty() {
            return Ok(None);
        }
        let base = self.temp_roots.len();
        let r = (|| {
            for (i, &it) in iters.iter().enumerate() {
                match self.iter_next(it)? {
                    Some(v) => self.temp_roots.push(v),
                    None if strict && i > 0 => {
                        let plural = if i == 1 { " " } else { "s 1-" };
                        let msg = format!(
                            "zip() argument {} is shorter than argument{plural}{i}",
                            i + 1
                        );
                        return Err(self.value_error(msg));
                    }
                    None if strict => {
                        for (j, &other) in iters.iter().enumerate().skip(1) {
                            if self.iter_next(other)?.is_some() {
                                let plural = if j == 1 { " " } else { "s 1-" };
                                let msg = format!(
                                    "zip() argument {} is longer than argument{plural}{j}",
                                    j + 1
                                );
                                return Err(self.value_error(msg));
                            }
                        }
                        return Ok(None);
                    }
                    None => return Ok(None),
                }
            }
            let items = self.temp_roots[base..].to_vec();
            Ok(Some(self.new_tuple(items)))
        })();
        self.temp_roots.truncate(base);
        r
    }

    /// A new iterator over a dict's keys, values or items.
    pub fn dict_iter(&mut self, d: Value, kind: DictIterKind, reverse: bool) -> Value {
        let (used, end) = self
            .dict_table(d)
            .map_or((0, 0), |t| (t.len(), t.end_index()));
        self.alloc(Object::Iter(Box::new(Iter::Dict {
            dict: d,
            index: if reverse { end } else { 0 },
            used,
            remaining: used,
            kind,
            reverse,
        })))
    }

    /// One step of a dict iterator (CPython's `dictiter_iternext*` and
    /// `dictreviter_iternext`).
    fn dict_iter_next(&mut self, r: crate::vm::ObjRef) -> PyResult<Option<Value>> {
        let Object::Iter(it) = self.heap.get(r) else {
            return Ok(None);
        };
        let Iter::Dict {
            dict,
            index,
            used,
            remaining,
            kind,
            reverse,
        } = **it
        else {
            return Ok(None);
        };
        let Some(t) = self.dict_table(dict) else {
            return Ok(None);
        };
        if t.len() != used {
            self.update_dict_iter(r, |_, used, _| *used = usize::MAX);
            return Err(self.new_error(
                ExcKind::RuntimeError,
                "dictionary changed size during iteration",
            ));
        }
        let found = if reverse {
            t.prev_before(index).map(|(i, e)| (i, *e))
        } else {
            t.next_from(index).map(|(i, e)| (i, *e))
        };
        let Some((i, e)) = found else {
            self.update_dict_iter(r, |d, _, _| *d = Value::None);
            return Ok(None);
        };
        // Only forward iterators count entries (CPython's reversed dict
        // iterator has no "keys changed" check).
        if remaining == 0 && !reverse {
            self.update_dict_iter(r, |d, _, _| *d = Value::None);
            return Err(self.new_error(
                ExcKind::RuntimeError,
                "dictionary keys changed during iteration",
            ));
        }
        self.update_dict_iter(r, |_, _, pos| *pos = if reverse { i } else { i + 1 });
        Ok(Some(match kind {
            DictIterKind::Keys => e.key,
            DictIterKind::Values => e.value,
            DictIterKind::Items => self.new_tuple(vec![e.key, e.value]),
        }))
    }

    /// Updates a dict iterator's (dict, used, index) and counts one entry
    /// consumed when the index moves.
    fn update_dict_iter(
        &mut self,
        r: crate::vm::ObjRef,
        f: impl FnOnce(&mut Value, &mut usize, &mut usize),
    ) {
        if let Object::Iter(it) = self.heap.get_mut(r) {
            if let Iter::Dict {
                dict,
                used,
                index,
                remaining,
                ..
            } = &mut **it
            {
                let before = *index;
                f(dict, used, index);
                if *index != before {
                    *remaining = remaining.saturating_sub(1);
                }
            }
        }
    }

    /// All items of an iterable, in order.
    pub fn collect_iterable(&mut self, v: Value) -> PyResult<Vec<Value>> {
        if let Some(items) = self.seq_items(v) {
            return Ok(items.to_vec());
        }
        let it = self.get_iter(v)?;
        // Accumulate into a rooted list so a collection mid-way keeps items.
        let acc = self.new_list(Vec::new());
        self.temp_roots.push(it);
        self.temp_roots.push(acc);
        let result = loop {
            match self.iter_next(it) {
                Ok(Some(x)) => {
                    if let Value::Obj(r) = acc {
                        if let Object::List(l) = self.heap.get_mut(r) {
                            l.push(x);
                        }
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.temp_roots.truncate(self.temp_roots.len() - 2);
        result?;
        Ok(self.seq_items(acc).map(|s| s.to_vec()).unwrap_or_default())
    }
}
