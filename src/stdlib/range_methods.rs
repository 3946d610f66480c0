//! Methods of `range` (`index`, `count`, `start`/`stop`/`step`,
//! `reversed`, dunders) and of `slice` (the constructor, `indices`, the
//! `start`/`stop`/`step` attributes), with CPython 3.11's messages.
//! Membership of an int in a range is arithmetic (O(1)); other values are
//! compared element by element, as CPython does.

use super::big_range::{self, bounds, Bounds};
use super::list_methods::same_or_eq;
use super::method_args::{add_getter, add_methods, arg_range, check_receiver, no_args, one_arg};
use crate::vm::object::{Iter, Object, Range};
use crate::vm::ops::arith::to_bigint;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

/// Installs the methods into the class namespaces.
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

fn recv(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<(Value, Bounds)> {
    match args.first().and_then(|&v| bounds(vm, v).map(|b| (v, b))) {
        Some(found) => Ok(found),
        None => {
            let cls = vm.types.range;
            check_receiver(vm, args, cls, method)?;
            Err(vm.type_error(format!("descriptor '{method}' requires a 'range' object")))
        }
    }
}

/// An int (not a float or other number equal to one) as a big integer:
/// the values CPython tests arithmetically.
fn exact_int(vm: &Vm, v: Value) -> Option<BigInt> {
    match v {
        Value::Float(_) => None,
        _ => to_bigint(vm, v),
    }
}

/// Position of `x` found by comparing it with every element.
fn search(vm: &mut Vm, b: &Bounds, x: Value) -> PyResult<Option<i64>> {
    let n = big_range::len_usize(vm, b)?;
    for k in 0..n {
        let item = b.at(&BigInt::from(k));
        let item = big_range::big_value(vm, item);
        if same_or_eq(vm, item, x)? {
            return Ok(Some(k as i64));
        }
    }
    Ok(None)
}

/// `x in r` for a range value `r` of either kind: arithmetic for ints, a
/// scan comparing elements otherwise.
pub fn contains_value(vm: &mut Vm, r: Value, x: Value) -> PyResult<bool> {
    if let (Value::Int(i), Value::Obj(o)) = (x, r) {
        if let Object::Range(rg) = vm.heap.get(o) {
            return Ok(range_position(rg, i).is_some());
        }
    }
    let Some(b) = bounds(vm, r) else {
        return Ok(false);
    };
    if let Some(i) = exact_int(vm, x) {
        return Ok(big_range::contains_int(&b, &i));
    }
    Ok(search(vm, &b, x)?.is_some())
}

/// `r[key]` beyond the plain-int fast path of `get_item`.
pub fn range_getitem(vm: &mut Vm, r: Value, key: Value) -> PyResult<Value> {
    let Some(b) = bounds(vm, r) else {
        return Ok(Value::None);
    };
    big_range::getitem(vm, &b, key)
}

/// The position of int `x` in a small range, if it is an element.
pub fn range_position(rg: &Range, x: i64) -> Option<i64> {
    let (start, step, n) = (rg.start as i128, rg.step as i128, rg.len() as i128);
    let off = x as i128 - start;
    if off % step != 0 {
        return None;
    }
    let k = off / step;
    (0..n).contains(&k).then_some(k as i64)
}

/// An iterator over a big range (elements beyond i64 are not reached in
/// practice; the bounds saturate).
pub fn big_range_iter(vm: &Vm, r: Value) -> Iter {
    let b = bounds(vm, r).unwrap_or(Bounds {
        start: BigInt::from(0),
        stop: BigInt::from(0),
        step: BigInt::from(1),
    });
    let sat = |x: &BigInt| {
        x.to_i64()
            .unwrap_or(if x.is_negative() { i64::MIN } else { i64::MAX })
    };
    Iter::Range {
        next: sat(&b.start),
        stop: sat(&b.stop),
        step: sat(&b.step),
    }
}

fn index(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, b) = recv(vm, args, "index")?;
    let x = one_arg(vm, args, kw, "range.index")?;
    if let Some(i) = exact_int(vm, x) {
        return match b.position(&i) {
            Some(k) => Ok(big_range::big_value(vm, k)),
            None => {
                let r = vm.repr_value(x)?;
                Err(vm.value_error(format!("{r} is not in range")))
            }
        };
    }
    match search(vm, &b, x)? {
        Some(k) => Ok(Value::Int(k)),
        None => Err(vm.value_error("sequence.index(x): x not in sequence")),
    }
}

fn count(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, b) = recv(vm, args, "count")?;
    let x = one_arg(vm, args, kw, "range.count")?;
    if let Some(i) = exact_int(vm, x) {
        return Ok(Value::Int(big_range::contains_int(&b, &i) as i64));
    }
    let n = big_range::len_usize(vm, &b)?;
    let mut found = 0;
    for k in 0..n {
        let item = b.at(&BigInt::from(k));
        let item = big_range::big_value(vm, item);
        if same_or_eq(vm, item, x)? {
            found += 1;
        }
    }
    Ok(Value::Int(found))
}

fn len(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (r, _) = recv(vm, args, "__len__")?;
    no_args(vm, args, kw, "range.__len__")?;
    vm.len_of(r).map(|n| Value::Int(n as i64))
}

fn contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (r, _) = recv(vm, args, "__contains__")?;
    let x = one_arg(vm, args, kw, "range.__contains__")?;
    contains_value(vm, r, x).map(Value::Bool)
}

fn iter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (r, _) = recv(vm, args, "__iter__")?;
    no_args(vm, args, kw, "range.__iter__")?;
    vm.get_iter(r)
}

/// `reversed(range)`: a range iterator from the last element down.
fn reversed(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, b) = recv(vm, args, "__reversed__")?;
    no_args(vm, args, kw, "range.__reversed__")?;
    let n = b.len();
    let flipped = if n.is_zero() {
        Bounds {
            start: BigInt::from(0),
            stop: BigInt::from(0),
            step: BigInt::from(1),
        }
    } else {
        Bounds {
            start: b.at(&(n - 1)),
            stop: &b.start - &b.step,
            step: -&b.step,
        }
    };
    let r = big_range::new_range(vm, flipped);
    vm.get_iter(r)
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
    let b = recv(vm, args, "start")?.1;
    Ok(big_range::big_value(vm, b.start))
}

fn range_stop(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = recv(vm, args, "stop")?.1;
    Ok(big_range::big_value(vm, b.stop))
}

fn range_step(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = recv(vm, args, "step")?.1;
    Ok(big_range::big_value(vm, b.step))
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
