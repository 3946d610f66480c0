//! Methods of `range` (`index`, `count`, `start`/`stop`/`step`,
//! `reversed`, dunders) and of `slice` (the constructor, `indices`, the
//! `start`/`stop`/`step` attributes), with CPython 3.11's messages.
//! Membership of an int in a range is arithmetic (O(1)); other values are
//! compared element by element, as CPython does.

use super::list_methods::same_or_eq;
use super::method_args::{add_getter, add_methods, arg_range, check_receiver, no_args, one_arg};
use crate::vm::object::{Iter, Object, Range};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm) {
    let (range, slice) = (vm.types.range, vm.types.slice);
    add_methods(
        vm,
        range,
        &[
            ("index", index),
            ("count", count),
            ("__len__", len),
            ("__contains__", contains),
            ("__iter__", iter),
            ("__reversed__", reversed),
            ("__getitem__", getitem),
            ("__hash__", hash),
            ("__repr__", repr),
        ],
    );
    add_getter(vm, range, "start", range_start);
    add_getter(vm, range, "stop", range_stop);
    add_getter(vm, range, "step", range_step);
    add_methods(vm, slice, &[("indices", indices), ("__repr__", repr)]);
    add_getter(vm, slice, "start", slice_start);
    add_getter(vm, slice, "stop", slice_stop);
    add_getter(vm, slice, "step", slice_step);
    let f = super::builtins::native(vm, "__new__", slice_new);
    let new = vm.alloc(Object::StaticMethod(f));
    super::builtins::set_class_attr(vm, slice, "__new__", new);
    super::builtins::set_class_attr(vm, slice, "__hash__", Value::None);
}

fn range_of(vm: &Vm, v: Value) -> Option<Range> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Range(rg) => Some(**rg),
            _ => None,
        },
        _ => None,
    }
}

fn recv(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<(Value, Range)> {
    match args
        .first()
        .and_then(|&v| range_of(vm, v).map(|rg| (v, rg)))
    {
        Some(found) => Ok(found),
        None => {
            let cls = vm.types.range;
            check_receiver(vm, args, cls, method)?;
            Err(vm.type_error(format!("descriptor '{method}' requires a 'range' object")))
        }
    }
}

/// The position of int `x` in the range, if it is an element.
pub fn range_position(rg: &Range, x: i64) -> Option<i64> {
    let (start, step, n) = (rg.start as i128, rg.step as i128, rg.len() as i128);
    let off = x as i128 - start;
    if off % step != 0 {
        return None;
    }
    let k = off / step;
    (0..n).contains(&k).then_some(k as i64)
}

/// An int or bool as i64 (the values CPython tests arithmetically).
fn exact_int(v: Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i),
        Value::Bool(b) => Some(b as i64),
        _ => None,
    }
}

/// Position of `x` found by comparing it with every element.
fn search(vm: &mut Vm, rg: &Range, x: Value) -> PyResult<Option<i64>> {
    for k in 0..rg.len() {
        if same_or_eq(vm, Value::Int(rg.at(k)), x)? {
            return Ok(Some(k));
        }
    }
    Ok(None)
}

/// `x in range`.
pub fn range_contains(vm: &mut Vm, rg: &Range, x: Value) -> PyResult<bool> {
    if let Some(i) = exact_int(x) {
        return Ok(range_position(rg, i).is_some());
    }
    Ok(search(vm, rg, x)?.is_some())
}

fn index(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, rg) = recv(vm, args, "index")?;
    let x = one_arg(vm, args, kw, "range.index")?;
    if let Some(i) = exact_int(x) {
        return match range_position(&rg, i) {
            Some(k) => Ok(Value::Int(k)),
            None => {
                let r = vm.repr_value(x)?;
                Err(vm.value_error(format!("{r} is not in range")))
            }
        };
    }
    match search(vm, &rg, x)? {
        Some(k) => Ok(Value::Int(k)),
        None => Err(vm.value_error("sequence.index(x): x not in sequence")),
    }
}

fn count(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, rg) = recv(vm, args, "count")?;
    let x = one_arg(vm, args, kw, "range.count")?;
    if let Some(i) = exact_int(x) {
        return Ok(Value::Int(range_position(&rg, i).is_some() as i64));
    }
    let mut n = 0;
    for k in 0..rg.len() {
        if same_or_eq(vm, Value::Int(rg.at(k)), x)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn len(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, rg) = recv(vm, args, "__len__")?;
    no_args(vm, args, kw, "range.__len__")?;
    Ok(Value::Int(rg.len()))
}

fn contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, rg) = recv(vm, args, "__contains__")?;
    let x = one_arg(vm, args, kw, "range.__contains__")?;
    range_contains(vm, &rg, x).map(Value::Bool)
}

fn iter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (r, _) = recv(vm, args, "__iter__")?;
    no_args(vm, args, kw, "range.__iter__")?;
    vm.get_iter(r)
}

/// `reversed(range)`: a range iterator from the last element down.
fn reversed(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, rg) = recv(vm, args, "__reversed__")?;
    no_args(vm, args, kw, "range.__reversed__")?;
    let n = rg.len();
    let it = if n == 0 {
        Iter::Range {
            next: 0,
            stop: 0,
            step: 1,
        }
    } else {
        let last = rg.at(n - 1);
        Iter::Range {
            next: last,
            stop: rg.start.saturating_sub(rg.step),
            step: rg.step.saturating_neg(),
        }
    };
    Ok(vm.alloc(Object::Iter(Box::new(it))))
}

fn getitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (r, _) = recv(vm, args, "__getitem__")?;
    let k = one_arg(vm, args, kw, "range.__getitem__")?;
    vm.get_item(r, k)
}

fn hash(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (r, _) = recv(vm, args, "__hash__")?;
    no_args(vm, args, kw, "range.__hash__")?;
    vm.hash_value(r).map(Value::Int)
}

/// `repr` of a range or slice receiver.
fn repr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let v = args.first().copied().unwrap_or(Value::None);
    no_args(vm, args, kw, "__repr__")?;
    let s = vm.repr_value(v)?;
    Ok(vm.new_str(s))
}

fn range_start(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::Int(recv(vm, args, "start")?.1.start))
}

fn range_stop(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::Int(recv(vm, args, "stop")?.1.stop))
}

fn range_step(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::Int(recv(vm, args, "step")?.1.step))
}

/// The hash of a range: that of `(len, start, step)`, with `None` for
/// parts that do not matter (CPython's `range_hash`).
pub fn range_hash_parts(rg: &Range) -> [Value; 3] {
    let n = rg.len();
    match n {
        0 => [Value::Int(0), Value::None, Value::None],
        1 => [Value::Int(1), Value::Int(rg.start), Value::None],
        _ => [Value::Int(n), Value::Int(rg.start), Value::Int(rg.step)],
    }
}

// ---- slice ------------------------------------------------------------------------

fn slice_parts(vm: &Vm, v: Value) -> Option<[Value; 3]> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Slice(p) => Some(**p),
            _ => None,
        },
        _ => None,
    }
}

fn slice_recv(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<(Value, [Value; 3])> {
    match args
        .first()
        .and_then(|&v| slice_parts(vm, v).map(|p| (v, p)))
    {
        Some(found) => Ok(found),
        None => {
            let cls = vm.types.slice;
            check_receiver(vm, args, cls, method)?;
            Err(vm.type_error(format!("descriptor '{method}' requires a 'slice' object")))
        }
    }
}

/// `slice(stop)` / `slice(start, stop[, step])`.
fn slice_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let a = arg_range(vm, args, kw, "slice", 1, 3)?;
    let parts = match *a {
        [stop] => [Value::None, stop, Value::None],
        [start, stop] => [start, stop, Value::None],
        [start, stop, step] => [start, stop, step],
        _ => [Value::None; 3],
    };
    Ok(vm.alloc(Object::Slice(Box::new(parts))))
}

/// `slice.indices(length)`: (start, stop, step) clamped to a sequence of
/// that length.
fn indices(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (s, _) = slice_recv(vm, args, "indices")?;
    let n = one_arg(vm, args, kw, "slice.indices")?;
    let len = super::method_args::index_arg(vm, n)?;
    if len < 0 {
        return Err(vm.value_error("length should not be negative"));
    }
    let si = vm.slice_indices(s, len as usize)?;
    Ok(vm.new_tuple(vec![
        Value::Int(si.start),
        Value::Int(si.stop),
        Value::Int(si.step),
    ]))
}

fn slice_start(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(slice_recv(vm, args, "start")?.1[0])
}

fn slice_stop(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(slice_recv(vm, args, "stop")?.1[1])
}

fn slice_step(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(slice_recv(vm, args, "step")?.1[2])
}
