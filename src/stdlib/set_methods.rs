//! Methods of `set` and `frozenset`, their operators (`| & - ^`, their
//! in-place forms, and comparisons), following CPython 3.11's
//! `setobject.c` step for step: which operand is iterated, when a result is
//! a copy, and when tables are presized all decide the element order a
//! program later prints.

use super::method_args::{add_methods, arg_range, no_args, no_keywords, one_arg};
use crate::bytecode::{BinaryOp, CompareOp};
use crate::vm::object::{Object, SetKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Installs the methods into the class namespaces.
pub fn install(vm: &mut Vm) {
    let (set, frozenset) = (vm.types.set, vm.types.frozenset);
    let shared: &[(&'static str, crate::vm::object::NativeFn)] = &[
        ("__contains__", contains),
        ("__len__", len),
        ("__iter__", iter),
        ("__repr__", repr),
        ("__eq__", eq),
        ("__ne__", ne),
        ("__lt__", lt),
        ("__le__", le),
        ("__gt__", gt),
        ("__ge__", ge),
        ("__or__", or),
        ("__and__", and),
        ("__sub__", sub),
        ("__xor__", xor),
        ("__ror__", ror),
        ("__rand__", rand),
        ("__rsub__", rsub),
        ("__rxor__", rxor),
        ("difference", difference),
        ("intersection", intersection),
        ("isdisjoint", isdisjoint),
        ("issubset", issubset),
        ("issuperset", issuperset),
        ("symmetric_difference", symmetric_difference),
        ("union", union),
    ];
    add_methods(vm, set, shared);
    add_methods(vm, frozenset, shared);
    add_methods(
        vm,
        set,
        &[
            ("add", add),
            ("clear", clear),
            ("copy", copy),
            ("discard", discard),
            ("difference_update", difference_update),
            ("intersection_update", intersection_update),
            ("pop", pop),
            ("remove", remove),
            ("symmetric_difference_update", symmetric_difference_update),
            ("update", update),
            ("__ior__", ior),
            ("__iand__", iand),
            ("__isub__", isub),
            ("__ixor__", ixor),
        ],
    );
    add_methods(
        vm,
        frozenset,
        &[("copy", frozenset_copy), ("__hash__", frozenset_hash)],
    );
    super::builtins::set_class_attr(vm, set, "__hash__", Value::None);
}

// ---- receivers -----------------------------------------------------------------

/// `args[0]` as a set of any kind, or CPython's descriptor TypeError.
fn recv(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<Value> {
    match args.first() {
        Some(&s) if vm.set_kind(s).is_some() => Ok(s),
        _ => {
            let cls = vm.types.set;
            super::method_args::check_receiver(vm, args, cls, method)
        }
    }
}

/// `args[0]` as a mutable `set`.
fn recv_mut(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<Value> {
    match args.first() {
        Some(&s) if vm.set_kind(s) == Some(SetKind::Set) => Ok(s),
        _ => {
            let cls = vm.types.set;
            super::method_args::check_receiver(vm, args, cls, method)
        }
    }
}

/// "set.add" or "frozenset.union", for argument errors.
fn qualname(vm: &Vm, s: Value, method: &str) -> String {
    match vm.set_kind(s) {
        Some(SetKind::FrozenSet) => format!("frozenset.{method}"),
        _ => format!("set.{method}"),
    }
}

fn is_set(vm: &Vm, v: Value) -> bool {
    vm.set_kind(v).is_some()
}

fn is_exact_dict(vm: &Vm, v: Value) -> bool {
    matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Dict(_)))
}

/// The kind a result of an operation on `s` has (`set` stays `set`).
fn kind_of(vm: &Vm, s: Value) -> SetKind {
    vm.set_kind(s).unwrap_or(SetKind::Set)
}

// ---- the algebra ---------------------------------------------------------------------

/// A copy of set `s` of the same kind (CPython's `set_copy`).
pub fn set_copy(vm: &mut Vm, s: Value) -> PyResult<Value> {
    let out = vm.new_set(kind_of(vm, s));
    vm.with_roots(&[out], |vm| vm.set_merge(out, s))?;
    Ok(out)
}

/// Runs `f` on a freshly made set of the given kind, keeping it rooted.
fn build(
    vm: &mut Vm,
    kind: SetKind,
    f: impl FnOnce(&mut Vm, Value) -> PyResult<()>,
) -> PyResult<Value> {
    let out = vm.new_set(kind);
    vm.with_roots(&[out], |vm| f(vm, out))?;
    Ok(out)
}

/// `s.union(*others)`.
fn union_of(vm: &mut Vm, s: Value, others: &[Value]) -> PyResult<Value> {
    let out = set_copy(vm, s)?;
    vm.with_roots(&[out], |vm| {
        for &o in others {
            if !o.is(s) {
                vm.set_update(out, o)?;
            }
        }
        Ok(out)
    })
}

/// `s & other` for one operand (CPython's `set_intersection`).
pub fn intersection_of(vm: &mut Vm, s: Value, other: Value) -> PyResult<Value> {
    if s.is(other) {
        return set_copy(vm, s);
    }
    let kind = kind_of(vm, s);
    if is_set(vm, other) {
        // Iterate the smaller, probe the larger.
        let (big, small) = if vm.container_len(other) > vm.container_len(s) {
            (other, s)
        } else {
            (s, other)
        };
        let slots = vm.set_slots(small);
        let keys: Vec<Value> = slots.iter().map(|x| x.key).collect();
        return vm.with_roots(&keys, |vm| {
            build(vm, kind, |vm, out| {
                for slot in slots {
                    if vm.set_contains_hashed(big, slot.key, slot.hash)? {
                        vm.set_add_hashed(out, slot.key, slot.hash)?;
                    }
                }
                Ok(())
            })
        });
    }
    let it = vm.get_iter(other)?;
    vm.with_roots(&[it], |vm| {
        build(vm, kind, |vm, out| {
            while let Some(k) = vm.iter_next(it)? {
                let done = vm.with_roots(&[k], |vm| -> PyResult<bool> {
                    let h = vm.hash_value(k)?;
                    if vm.set_contains_hashed(s, k, h)? {
                        vm.set_add_hashed(out, k, h)?;
                        return Ok(vm.container_len(out) >= vm.container_len(s));
                    }
                    Ok(false)
                })?;
                if done {
                    break;
                }
            }
            Ok(())
        })
    })
}

/// `s.intersection(*others)`.
fn intersection_multi(vm: &mut Vm, s: Value, others: &[Value]) -> PyResult<Value> {
    let mut result = match others.first() {
        None => return set_copy(vm, s),
        Some(&o) => intersection_of(vm, s, o)?,
    };
    for &o in &others[1..] {
        result = vm.with_roots(&[result], |vm| intersection_of(vm, result, o))?;
    }
    Ok(result)
}

/// Replaces the contents of set `s` by those of set `tmp`.
fn swap_bodies(vm: &mut Vm, s: Value, tmp: Value) {
    let Some(mut t) = vm.set_table_mut(tmp).map(std::mem::take) else {
        return;
    };
    if let Some(own) = vm.set_table_mut(s) {
        own.swap_bodies(&mut t);
    }
}

/// Removes from set `s` every element of `other` (CPython's
/// `set_difference_update_internal`).
fn difference_update_one(vm: &mut Vm, s: Value, other: Value) -> PyResult<()> {
    if s.is(other) {
        if let Some(t) = vm.set_table_mut(s) {
            t.clear();
        }
        return Ok(());
    }
    if is_set(vm, other) {
        let other = if (vm.container_len(other) >> 3) > vm.container_len(s) {
            intersection_of(vm, s, other)?
        } else {
            other
        };
        let slots = vm.set_slots(other);
        let keys: Vec<Value> = slots.iter().map(|x| x.key).collect();
        vm.with_roots(&keys, |vm| {
            for slot in slots {
                vm.set_discard_hashed(s, slot.key, slot.hash)?;
            }
            Ok(())
        })?;
    } else {
        let it = vm.get_iter(other)?;
        vm.with_roots(&[it], |vm| {
            while let Some(k) = vm.iter_next(it)? {
                vm.with_roots(&[k], |vm| -> PyResult<()> {
                    let h = vm.hash_value(k)?;
                    vm.set_discard_hashed(s, k, h)?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    }
    if let Some(t) = vm.set_table_mut(s) {
        t.shrink_after_removals();
    }
    Ok(())
}

/// `s - other` for one operand (CPython's `set_difference`).
pub fn difference_of(vm: &mut Vm, s: Value, other: Value) -> PyResult<Value> {
    let other_size = if is_set(vm, other) || is_exact_dict(vm, other) {
        vm.container_len(other)
    } else {
        return copy_and_difference(vm, s, other);
    };
    if (vm.container_len(s) >> 2) > other_size {
        return copy_and_difference(vm, s, other);
    }
    let dict_other = is_exact_dict(vm, other);
    let slots = vm.set_slots(s);
    let keys: Vec<Value> = slots.iter().map(|x| x.key).collect();
    let kind = kind_of(vm, s);
    vm.with_roots(&keys, |vm| {
        build(vm, kind, |vm, out| {
            for slot in slots {
                let present = if dict_other {
                    vm.dict_lookup_hashed(other, slot.key, slot.hash)?.is_some()
                } else {
                    vm.set_contains_hashed(other, slot.key, slot.hash)?
                };
                if !present {
                    vm.set_add_hashed(out, slot.key, slot.hash)?;
                }
            }
            Ok(())
        })
    })
}

fn copy_and_difference(vm: &mut Vm, s: Value, other: Value) -> PyResult<Value> {
    let out = set_copy(vm, s)?;
    vm.with_roots(&[out], |vm| difference_update_one(vm, out, other))?;
    Ok(out)
}

/// `s.difference(*others)`.
fn difference_multi(vm: &mut Vm, s: Value, others: &[Value]) -> PyResult<Value> {
    let out = match others.first() {
        None => return set_copy(vm, s),
        Some(&o) => difference_of(vm, s, o)?,
    };
    vm.with_roots(&[out], |vm| {
        for &o in &others[1..] {
            difference_update_one(vm, out, o)?;
        }
        Ok(out)
    })
}

/// `s ^= other` (CPython's `set_symmetric_difference_update`).
fn symmetric_update(vm: &mut Vm, s: Value, other: Value) -> PyResult<()> {
    if s.is(other) {
        if let Some(t) = vm.set_table_mut(s) {
            t.clear();
        }
        return Ok(());
    }
    let pairs: Vec<(Value, i64)> = if is_exact_dict(vm, other) {
        vm.dict_table(other)
            .map(|t| t.iter().map(|e| (e.key, e.hash)).collect())
            .unwrap_or_default()
    } else {
        let other_set = if is_set(vm, other) {
            other
        } else {
            let kind = kind_of(vm, s);
            vm.new_set_from_iterable(other, kind)?
        };
        vm.set_slots(other_set)
            .into_iter()
            .map(|x| (x.key, x.hash))
            .collect()
    };
    let keys: Vec<Value> = pairs.iter().map(|p| p.0).collect();
    vm.with_roots(&keys, |vm| {
        for (k, h) in pairs {
            if !vm.set_discard_hashed(s, k, h)? {
                vm.set_add_hashed(s, k, h)?;
            }
        }
        Ok(())
    })
}

/// `s ^ other` (CPython's `set_symmetric_difference`: a set made from
/// `other`, then updated with `s`).
pub fn symmetric_difference_of(vm: &mut Vm, s: Value, other: Value) -> PyResult<Value> {
    let kind = kind_of(vm, s);
    let out = vm.new_set_from_iterable(other, kind)?;
    vm.with_roots(&[out], |vm| symmetric_update(vm, out, s))?;
    Ok(out)
}

/// `s.issubset(other)` for any iterable `other`.
fn issubset_any(vm: &mut Vm, s: Value, other: Value) -> PyResult<bool> {
    if is_set(vm, other) {
        return vm.set_is_subset(s, other);
    }
    let tmp = vm.new_set_from_iterable(other, SetKind::Set)?;
    vm.with_roots(&[tmp], |vm| vm.set_is_subset(s, tmp))
}

/// `s.issuperset(other)` for any iterable `other`.
fn issuperset_any(vm: &mut Vm, s: Value, other: Value) -> PyResult<bool> {
    if is_set(vm, other) {
        return vm.set_is_subset(other, s);
    }
    let it = vm.get_iter(other)?;
    vm.with_roots(&[it], |vm| {
        while let Some(k) = vm.iter_next(it)? {
            let h = vm.with_roots(&[k], |vm| vm.hash_value(k))?;
            if !vm.with_roots(&[k], |vm| vm.set_contains_hashed(s, k, h))? {
                return Ok(false);
            }
        }
        Ok(true)
    })
}

/// `s.isdisjoint(other)`.
fn isdisjoint_any(vm: &mut Vm, s: Value, other: Value) -> PyResult<bool> {
    if s.is(other) {
        return Ok(vm.container_len(s) == 0);
    }
    if is_set(vm, other) {
        let (big, small) = if vm.container_len(other) > vm.container_len(s) {
            (other, s)
        } else {
            (s, other)
        };
        let slots = vm.set_slots(small);
        let keys: Vec<Value> = slots.iter().map(|x| x.key).collect();
        return vm.with_roots(&keys, |vm| {
            for slot in slots {
                if vm.set_contains_hashed(big, slot.key, slot.hash)? {
                    return Ok(false);
                }
            }
            Ok(true)
        });
    }
    let it = vm.get_iter(other)?;
    vm.with_roots(&[it], |vm| {
        while let Some(k) = vm.iter_next(it)? {
            let h = vm.with_roots(&[k], |vm| vm.hash_value(k))?;
            if vm.with_roots(&[k], |vm| vm.set_contains_hashed(s, k, h))? {
                return Ok(false);
            }
        }
        Ok(true)
    })
}

/// Rich comparison of two sets (CPython's `set_richcompare`).
pub fn set_richcompare(vm: &mut Vm, a: Value, b: Value, op: CompareOp) -> PyResult<bool> {
    let (la, lb) = (vm.container_len(a), vm.container_len(b));
    Ok(match op {
        CompareOp::Eq => set_equal(vm, a, b)?,
        CompareOp::Ne => !set_equal(vm, a, b)?,
        CompareOp::Le => vm.set_is_subset(a, b)?,
        CompareOp::Ge => vm.set_is_subset(b, a)?,
        CompareOp::Lt => la < lb && vm.set_is_subset(a, b)?,
        CompareOp::Gt => la > lb && vm.set_is_subset(b, a)?,
        _ => false,
    })
}

fn set_equal(vm: &mut Vm, a: Value, b: Value) -> PyResult<bool> {
    if vm.container_len(a) != vm.container_len(b) {
        return Ok(false);
    }
    let cached = |vm: &Vm, s: Value| vm.set_table(s).and_then(|t| t.hash_cache);
    if let (Some(x), Some(y)) = (cached(vm, a), cached(vm, b)) {
        if x != y {
            return Ok(false);
        }
    }
    vm.set_is_subset(a, b)
}

/// `a op b` for the set operators when `a` is a set: None when the
/// operator does not apply (CPython returns NotImplemented unless both
/// operands are sets).
pub fn set_binary(vm: &mut Vm, a: Value, b: Value, op: BinaryOp) -> PyResult<Option<Value>> {
    if !is_set(vm, a) || !is_set(vm, b) {
        return Ok(None);
    }
    Ok(Some(match op {
        BinaryOp::Or => union_of(vm, a, &[b])?,
        BinaryOp::And => intersection_of(vm, a, b)?,
        BinaryOp::Sub => difference_of(vm, a, b)?,
        BinaryOp::Xor => symmetric_difference_of(vm, a, b)?,
        _ => return Ok(None),
    }))
}

/// `a op= b` when `a` is a `set` and `b` a set: updates `a` in place.
pub fn set_inplace(vm: &mut Vm, a: Value, b: Value, op: BinaryOp) -> PyResult<Option<Value>> {
    if vm.set_kind(a) != Some(SetKind::Set) || !is_set(vm, b) {
        return Ok(None);
    }
    match op {
        BinaryOp::Or => vm.set_update(a, b)?,
        BinaryOp::And => {
            let tmp = intersection_of(vm, a, b)?;
            swap_bodies(vm, a, tmp);
        }
        BinaryOp::Sub => difference_update_one(vm, a, b)?,
        BinaryOp::Xor => symmetric_update(vm, a, b)?,
        _ => return Ok(None),
    }
    Ok(Some(a))
}

/// `s -= other` or `s ^= other` for any iterable `other` (the
/// `difference_update` / `symmetric_difference_update` methods).
pub fn set_inplace_any(vm: &mut Vm, s: Value, other: Value, op: BinaryOp) -> PyResult<()> {
    match op {
        BinaryOp::Sub => difference_update_one(vm, s, other),
        _ => symmetric_update(vm, s, other),
    }
}

// ---- methods ------------------------------------------------------------------------

fn add(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv_mut(vm, args, "add")?;
    let v = one_arg(vm, args, kw, "set.add")?;
    vm.set_add(s, v)?;
    Ok(Value::None)
}

fn clear(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv_mut(vm, args, "clear")?;
    no_args(vm, args, kw, "set.clear")?;
    if let Some(t) = vm.set_table_mut(s) {
        t.clear();
    }
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv_mut(vm, args, "copy")?;
    no_args(vm, args, kw, "set.copy")?;
    set_copy(vm, s)
}

fn frozenset_copy(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "copy")?;
    no_args(vm, args, kw, "frozenset.copy")?;
    if vm.set_kind(s) == Some(SetKind::FrozenSet) {
        return Ok(s);
    }
    set_copy(vm, s)
}

fn frozenset_hash(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "__hash__")?;
    no_args(vm, args, kw, "frozenset.__hash__")?;
    vm.hash_value(s).map(Value::Int)
}

fn discard(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv_mut(vm, args, "discard")?;
    let v = one_arg(vm, args, kw, "set.discard")?;
    vm.set_discard(s, v)?;
    Ok(Value::None)
}

fn remove(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv_mut(vm, args, "remove")?;
    let v = one_arg(vm, args, kw, "set.remove")?;
    if !vm.set_discard(s, v)? {
        return Err(vm.key_error(v));
    }
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv_mut(vm, args, "pop")?;
    no_args(vm, args, kw, "set.pop")?;
    match vm.set_table_mut(s).and_then(|t| t.pop()) {
        Some(v) => Ok(v),
        None => {
            let msg = vm.new_str("pop from an empty set");
            Err(vm.key_error(msg))
        }
    }
}

fn update(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv_mut(vm, args, "update")?;
    no_keywords(vm, kw, "set.update")?;
    for &o in &args[1..] {
        vm.set_update(s, o)?;
    }
    Ok(Value::None)
}

fn union(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "union")?;
    let q = qualname(vm, s, "union");
    no_keywords(vm, kw, &q)?;
    union_of(vm, s, &args[1..])
}

fn intersection(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "intersection")?;
    let q = qualname(vm, s, "intersection");
    no_keywords(vm, kw, &q)?;
    intersection_multi(vm, s, &args[1..])
}

fn intersection_update(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv_mut(vm, args, "intersection_update")?;
    no_keywords(vm, kw, "set.intersection_update")?;
    let tmp = intersection_multi(vm, s, &args[1..])?;
    swap_bodies(vm, s, tmp);
    Ok(Value::None)
}

fn difference(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "difference")?;
    let q = qualname(vm, s, "difference");
    no_keywords(vm, kw, &q)?;
    difference_multi(vm, s, &args[1..])
}

fn difference_update(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv_mut(vm, args, "difference_update")?;
    no_keywords(vm, kw, "set.difference_update")?;
    for &o in &args[1..] {
        difference_update_one(vm, s, o)?;
    }
    Ok(Value::None)
}

fn symmetric_difference(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "symmetric_difference")?;
    let q = qualname(vm, s, "symmetric_difference");
    let o = one_arg(vm, args, kw, &q)?;
    symmetric_difference_of(vm, s, o)
}

fn symmetric_difference_update(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    let s = recv_mut(vm, args, "symmetric_difference_update")?;
    let o = one_arg(vm, args, kw, "set.symmetric_difference_update")?;
    symmetric_update(vm, s, o)?;
    Ok(Value::None)
}

fn issubset(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "issubset")?;
    let q = qualname(vm, s, "issubset");
    let o = one_arg(vm, args, kw, &q)?;
    issubset_any(vm, s, o).map(Value::Bool)
}

fn issuperset(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "issuperset")?;
    let q = qualname(vm, s, "issuperset");
    let o = one_arg(vm, args, kw, &q)?;
    issuperset_any(vm, s, o).map(Value::Bool)
}

fn isdisjoint(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "isdisjoint")?;
    let q = qualname(vm, s, "isdisjoint");
    let o = one_arg(vm, args, kw, &q)?;
    isdisjoint_any(vm, s, o).map(Value::Bool)
}

fn contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "__contains__")?;
    let q = qualname(vm, s, "__contains__");
    let v = one_arg(vm, args, kw, &q)?;
    vm.set_contains(s, v).map(Value::Bool)
}

fn len(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "__len__")?;
    let q = qualname(vm, s, "__len__");
    no_args(vm, args, kw, &q)?;
    Ok(Value::Int(vm.container_len(s) as i64))
}

fn iter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "__iter__")?;
    let q = qualname(vm, s, "__iter__");
    no_args(vm, args, kw, &q)?;
    vm.get_iter(s)
}

fn repr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = recv(vm, args, "__repr__")?;
    let q = qualname(vm, s, "__repr__");
    no_args(vm, args, kw, &q)?;
    let text = vm.repr_value(s)?;
    Ok(vm.new_str(text))
}

/// A comparison dunder: NotImplemented unless both operands are sets.
fn compare_dunder(vm: &mut Vm, args: &[Value], op: CompareOp, name: &str) -> PyResult<Value> {
    let s = recv(vm, args, name)?;
    let q = qualname(vm, s, name);
    let o = one_arg(vm, args, &[], &q)?;
    if !is_set(vm, o) {
        return Ok(Value::NotImplemented);
    }
    set_richcompare(vm, s, o, op).map(Value::Bool)
}

fn eq(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, CompareOp::Eq, "__eq__")
}

fn ne(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, CompareOp::Ne, "__ne__")
}

fn lt(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, CompareOp::Lt, "__lt__")
}

fn le(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, CompareOp::Le, "__le__")
}

fn gt(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, CompareOp::Gt, "__gt__")
}

fn ge(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, CompareOp::Ge, "__ge__")
}

/// A binary-operator dunder; `reflected` swaps the operands.
fn binary_dunder(
    vm: &mut Vm,
    args: &[Value],
    op: BinaryOp,
    name: &str,
    reflected: bool,
) -> PyResult<Value> {
    let s = recv(vm, args, name)?;
    let q = qualname(vm, s, name);
    let o = one_arg(vm, args, &[], &q)?;
    let (a, b) = if reflected { (o, s) } else { (s, o) };
    Ok(set_binary(vm, a, b, op)?.unwrap_or(Value::NotImplemented))
}

fn or(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    binary_dunder(vm, args, BinaryOp::Or, "__or__", false)
}

fn and(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    binary_dunder(vm, args, BinaryOp::And, "__and__", false)
}

fn sub(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    binary_dunder(vm, args, BinaryOp::Sub, "__sub__", false)
}

fn xor(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    binary_dunder(vm, args, BinaryOp::Xor, "__xor__", false)
}

fn ror(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    binary_dunder(vm, args, BinaryOp::Or, "__ror__", true)
}

fn rand(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    binary_dunder(vm, args, BinaryOp::And, "__rand__", true)
}

fn rsub(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    binary_dunder(vm, args, BinaryOp::Sub, "__rsub__", true)
}

fn rxor(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    binary_dunder(vm, args, BinaryOp::Xor, "__rxor__", true)
}

/// An in-place dunder: updates the receiver, or NotImplemented.
fn inplace_dunder(vm: &mut Vm, args: &[Value], op: BinaryOp, name: &str) -> PyResult<Value> {
    let s = recv_mut(vm, args, name)?;
    let q = format!("set.{name}");
    let o = one_arg(vm, args, &[], &q)?;
    Ok(set_inplace(vm, s, o, op)?.unwrap_or(Value::NotImplemented))
}

fn ior(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    inplace_dunder(vm, args, BinaryOp::Or, "__ior__")
}

fn iand(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    inplace_dunder(vm, args, BinaryOp::And, "__iand__")
}

fn isub(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    inplace_dunder(vm, args, BinaryOp::Sub, "__isub__")
}

fn ixor(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    inplace_dunder(vm, args, BinaryOp::Xor, "__ixor__")
}

/// Constructor helper: `set(iterable)` / `frozenset(iterable)` (the
/// frozenset of a frozenset is the same object).
pub fn construct(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    kind: SetKind,
) -> PyResult<Value> {
    let name = match kind {
        SetKind::Set => "set",
        SetKind::FrozenSet => "frozenset",
    };
    let given = arg_range(vm, args, kw, name, 0, 1)?;
    match given.first() {
        None => Ok(vm.new_set(kind)),
        Some(&v) if kind == SetKind::FrozenSet && vm.set_kind(v) == Some(SetKind::FrozenSet) => {
            Ok(v)
        }
        Some(&v) => vm.new_set_from_iterable(v, kind),
    }
}
