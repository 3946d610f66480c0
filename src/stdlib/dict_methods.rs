//! Methods of `dict`: views, `get`/`setdefault`/`pop`/`popitem`, `update`,
//! `copy`, `clear`, `fromkeys`, the `|` and `|=` operators and the dunders,
//! with CPython 3.11's messages. `update` and the constructor share
//! [`update_from`], which follows CPython's `dict_update_arg`: a dict is
//! merged, anything with `keys()` is read as a mapping, anything else must
//! yield pairs (stored one at a time, so a failure keeps earlier pairs).

use super::dict_views::new_view;
use super::method_args::{add_methods, arg_range, check_receiver, no_args, no_keywords, one_arg};
use crate::vm::object::{Dict, DictIterKind, Object};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Installs the methods into the class namespaces.
pub fn install(vm: &mut Vm) {
    let dict = vm.types.dict;
    add_methods(
        vm,
        dict,
        &[
            ("keys", keys),
            ("values", values),
            ("items", items),
            ("get", get),
            ("setdefault", setdefault),
            ("pop", pop),
            ("popitem", popitem),
            ("update", update),
            ("copy", copy),
            ("clear", clear),
            ("__len__", len),
            ("__contains__", contains),
            ("__getitem__", getitem),
            ("__setitem__", setitem),
            ("__delitem__", delitem),
            ("__iter__", iter),
            ("__reversed__", reversed),
            ("__repr__", repr),
            ("__eq__", eq),
            ("__ne__", ne),
            ("__or__", or),
            ("__ror__", ror),
            ("__ior__", ior),
        ],
    );
    let f = super::builtins::native(vm, "fromkeys", fromkeys);
    let cm = vm.alloc(Object::ClassMethod(f));
    super::builtins::set_class_attr(vm, dict, "fromkeys", cm);
    super::builtins::set_class_attr(vm, dict, "__hash__", Value::None);
}

fn recv(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<Value> {
    match args.first() {
        Some(&d) if vm.dict_table(d).is_some() => Ok(d),
        _ => {
            let cls = vm.types.dict;
            check_receiver(vm, args, cls, method)
        }
    }
}

fn is_dict(vm: &Vm, v: Value) -> bool {
    vm.dict_table(v).is_some()
}

/// `dict.update(src, **kw)` and `dict(src, **kw)` (CPython's
/// `dict_update_arg` followed by the keywords).
pub fn update_from(
    vm: &mut Vm,
    d: Value,
    src: Option<Value>,
    kw: &[(Value, Value)],
) -> PyResult<()> {
    if let Some(src) = src {
        let mapping = is_dict(vm, src) || {
            let keys = Value::Obj(vm.intern("keys"));
            vm.get_attr_opt(src, keys)?.is_some()
        };
        if mapping {
            vm.dict_update(d, src, false)?;
        } else {
            merge_pairs(vm, d, src)?;
        }
    }
    for &(k, v) in kw {
        vm.dict_set(d, k, v)?;
    }
    Ok(())
}

/// Stores the pairs an iterable yields (CPython's `PyDict_MergeFromSeq2`).
fn merge_pairs(vm: &mut Vm, d: Value, src: Value) -> PyResult<()> {
    let it = vm.get_iter(src)?;
    vm.with_roots(&[it], |vm| {
        let mut i = 0usize;
        while let Some(item) = vm.iter_next(it)? {
            vm.with_roots(&[item], |vm| store_pair(vm, d, item, i))?;
            i += 1;
        }
        Ok(())
    })
}

/// Stores one `(key, value)` element of an update sequence.
fn store_pair(vm: &mut Vm, d: Value, item: Value, i: usize) -> PyResult<()> {
    let kv = match vm.seq_items(item) {
        Some(kv) => kv.to_vec(),
        None => {
            if vm.get_iter(item).is_err() {
                let msg =
                    format!("cannot convert dictionary update sequence element #{i} to a sequence");
                return Err(vm.type_error(msg));
            }
            vm.collect_iterable(item)?
        }
    };
    if kv.len() != 2 {
        let msg = format!(
            "dictionary update sequence element #{i} has length {}; 2 is required",
            kv.len()
        );
        return Err(vm.value_error(msg));
    }
    vm.with_roots(&kv, |vm| vm.dict_set(d, kv[0], kv[1]))
}

/// A copy of dict `d` (CPython's `PyDict_Copy`: the table as it is when
/// it has few holes, else a compacted rebuild).
pub fn dict_copy(vm: &mut Vm, d: Value) -> PyResult<Value> {
    if let Some(c) = vm.dict_table(d).and_then(|t| t.clone_for_copy()) {
        return Ok(vm.alloc(Object::Dict(Box::new(c))));
    }
    let out = vm.new_dict();
    vm.with_roots(&[out], |vm| vm.dict_update(out, d, false))?;
    Ok(out)
}

/// `a | b` for two dicts; None when either is not a dict.
pub fn dict_or(vm: &mut Vm, a: Value, b: Value) -> PyResult<Option<Value>> {
    if !is_dict(vm, a) || !is_dict(vm, b) {
        return Ok(None);
    }
    let out = dict_copy(vm, a)?;
    vm.with_roots(&[out], |vm| update_from(vm, out, Some(b), &[]))?;
    Ok(Some(out))
}

fn keys(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "keys")?;
    no_args(vm, args, kw, "dict.keys")?;
    Ok(new_view(vm, d, DictIterKind::Keys))
}

fn values(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "values")?;
    no_args(vm, args, kw, "dict.values")?;
    Ok(new_view(vm, d, DictIterKind::Values))
}

fn items(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "items")?;
    no_args(vm, args, kw, "dict.items")?;
    Ok(new_view(vm, d, DictIterKind::Items))
}

fn get(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "get")?;
    let a = arg_range(vm, args, kw, "get", 1, 2)?;
    let default = a.get(1).copied().unwrap_or(Value::None);
    if let Value::Obj(r) = d {
        if let Some((_, found)) = vm.dict_find_native(r, a[0]) {
            let v = found.and_then(|i| vm.dict_table(d)?.entry(i).map(|e| e.value));
            return Ok(v.unwrap_or(default));
        }
    }
    Ok(vm.dict_get(d, a[0])?.unwrap_or(default))
}

fn setdefault(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "setdefault")?;
    let a = arg_range(vm, args, kw, "setdefault", 1, 2)?;
    let default = a.get(1).copied().unwrap_or(Value::None);
    let key = a[0];
    let hash = vm.hash_value(key)?;
    match vm.dict_lookup_hashed(d, key, hash)? {
        Some(i) => Ok(vm
            .dict_table(d)
            .and_then(|t| t.entry(i))
            .map_or(Value::None, |e| e.value)),
        None => {
            if let Some(t) = vm.dict_table_mut(d) {
                t.insert_new(hash, key, default);
            }
            Ok(default)
        }
    }
}

fn pop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "pop")?;
    let a = arg_range(vm, args, kw, "pop", 1, 2)?;
    match vm.dict_remove(d, a[0])? {
        Some(v) => Ok(v),
        None => match a.get(1) {
            Some(&default) => Ok(default),
            None => Err(vm.key_error(a[0])),
        },
    }
}

fn popitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "popitem")?;
    no_args(vm, args, kw, "dict.popitem")?;
    match vm.dict_table_mut(d).and_then(|t| t.pop_last()) {
        Some(e) => Ok(vm.new_tuple(vec![e.key, e.value])),
        None => {
            let msg = vm.new_str("popitem(): dictionary is empty");
            Err(vm.key_error(msg))
        }
    }
}

fn update(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "update")?;
    let a = arg_range(vm, args, &[], "update", 0, 1)?;
    update_from(vm, d, a.first().copied(), kw)?;
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "copy")?;
    no_args(vm, args, kw, "dict.copy")?;
    dict_copy(vm, d)
}

fn clear(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "clear")?;
    no_args(vm, args, kw, "dict.clear")?;
    if let Some(t) = vm.dict_table_mut(d) {
        t.clear();
    }
    Ok(Value::None)
}

/// `dict.fromkeys(iterable, value=None)` (a classmethod; `args[0]` is the
/// class). Keys of a dict or set source keep their known hashes.
fn fromkeys(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let a = arg_range(vm, args, kw, "fromkeys", 1, 2)?;
    let (src, value) = (a[0], a.get(1).copied().unwrap_or(Value::None));
    let known: Option<Vec<(Value, i64)>> = if let Some(t) = vm.dict_table(src) {
        Some(t.iter().map(|e| (e.key, e.hash)).collect())
    } else {
        vm.set_table(src)
            .map(|t| t.iter().map(|s| (s.key, s.hash)).collect())
    };
    if let Some(pairs) = known {
        let mut table = Dict::with_capacity(pairs.len());
        for (k, h) in pairs {
            table.insert_new(h, k, value);
        }
        return Ok(vm.alloc(Object::Dict(Box::new(table))));
    }
    let d = vm.new_dict();
    let it = vm.get_iter(src)?;
    vm.with_roots(&[d, it], |vm| {
        while let Some(k) = vm.iter_next(it)? {
            vm.with_roots(&[k], |vm| vm.dict_set(d, k, value))?;
        }
        Ok(d)
    })
}

fn len(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__len__")?;
    no_args(vm, args, kw, "dict.__len__")?;
    Ok(Value::Int(vm.container_len(d) as i64))
}

fn contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__contains__")?;
    let k = one_arg(vm, args, kw, "dict.__contains__")?;
    Ok(Value::Bool(vm.dict_lookup(d, k)?.is_some()))
}

fn getitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__getitem__")?;
    let k = one_arg(vm, args, kw, "dict.__getitem__")?;
    vm.get_item(d, k)
}

fn setitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__setitem__")?;
    let a = arg_range(vm, args, kw, "__setitem__", 2, 2)?;
    vm.dict_set(d, a[0], a[1])?;
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__delitem__")?;
    let k = one_arg(vm, args, kw, "dict.__delitem__")?;
    vm.del_item(d, k)?;
    Ok(Value::None)
}

fn iter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__iter__")?;
    no_args(vm, args, kw, "dict.__iter__")?;
    Ok(vm.dict_iter(d, DictIterKind::Keys, false))
}

fn reversed(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__reversed__")?;
    no_args(vm, args, kw, "dict.__reversed__")?;
    Ok(vm.dict_iter(d, DictIterKind::Keys, true))
}

fn repr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__repr__")?;
    no_args(vm, args, kw, "dict.__repr__")?;
    let s = vm.repr_value(d)?;
    Ok(vm.new_str(s))
}

fn eq(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__eq__")?;
    let o = one_arg(vm, args, kw, "dict.__eq__")?;
    if !is_dict(vm, o) {
        return Ok(Value::NotImplemented);
    }
    vm.dict_equal(d, o).map(Value::Bool)
}

fn ne(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__ne__")?;
    let o = one_arg(vm, args, kw, "dict.__ne__")?;
    if !is_dict(vm, o) {
        return Ok(Value::NotImplemented);
    }
    vm.dict_equal(d, o).map(|r| Value::Bool(!r))
}

fn or(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__or__")?;
    let o = one_arg(vm, args, kw, "dict.__or__")?;
    Ok(dict_or(vm, d, o)?.unwrap_or(Value::NotImplemented))
}

fn ror(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__ror__")?;
    let o = one_arg(vm, args, kw, "dict.__ror__")?;
    Ok(dict_or(vm, o, d)?.unwrap_or(Value::NotImplemented))
}

fn ior(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = recv(vm, args, "__ior__")?;
    let o = one_arg(vm, args, kw, "dict.__ior__")?;
    no_keywords(vm, kw, "dict.__ior__")?;
    update_from(vm, d, Some(o), &[])?;
    Ok(d)
}
