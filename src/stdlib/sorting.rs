//! `list.sort` and `sorted`, following CPython 3.11's `list_sort_impl`:
//! the list is emptied while it sorts (a change made by a key function or a
//! comparison is detected and reported as "list modified during sort"),
//! keys are computed once each in order, `reverse` reverses before and
//! after a stable sort.
//!
//! Speed: when the keys provably compare without calling aspy code and
//! without ever failing (all ints, all strings, all non-NaN floats or
//! numbers, or tuples of those with consistent element kinds), any stable
//! sort gives CPython's result, so Rust's sort runs on native comparisons.
//! Anything else goes through [`timsort`](super::timsort), which mirrors
//! CPython's comparison sequence exactly.

use super::timsort;
use crate::bytecode::CompareOp;
use crate::vm::object::Object;
use crate::vm::ops::arith::fast_compare;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use std::cmp::Ordering;

/// Sorts list `list` in place (`list.sort(key=key, reverse=reverse)`;
/// `key` None means no key function).
pub fn sort_list(vm: &mut Vm, list: Value, key: Value, reverse: bool) -> PyResult<()> {
    let Some(r) = list.as_obj() else {
        return Ok(());
    };
    let items = match vm.heap.get_mut(r) {
        Object::List(l) => std::mem::take(l),
        _ => return Ok(()),
    };
    let n_roots = vm.temp_roots.len();
    let (items, result) = sort_items(vm, items, key, reverse);
    vm.temp_roots.truncate(n_roots);
    let modified = match vm.heap.get_mut(r) {
        Object::List(l) => {
            // Any change to the emptied list gave it storage.
            let modified = l.capacity() != 0;
            *l = items;
            modified
        }
        _ => false,
    };
    match result {
        Ok(()) if modified => Err(vm.value_error("list modified during sort")),
        r => r,
    }
}

/// Sorts `items`, returning them (a permutation of the input even on
/// failure) and the outcome. May leave values on `temp_roots` (the caller
/// truncates).
fn sort_items(
    vm: &mut Vm,
    mut items: Vec<Value>,
    key: Value,
    reverse: bool,
) -> (Vec<Value>, PyResult<()>) {
    if key.is_none() {
        if reverse {
            items.reverse();
        }
        let mut result = Ok(());
        if !native_sort(vm, &mut items, |v| *v) {
            vm.temp_roots.extend_from_slice(&items);
            result = timsort::sort(&mut items, |a, b| vm.lt(*a, *b));
        }
        if reverse {
            items.reverse();
        }
        return (items, result);
    }
    vm.temp_roots.reserve(2 * items.len());
    vm.temp_roots.extend_from_slice(&items);
    let mut pairs: Vec<(Value, Value)> = Vec::with_capacity(items.len());
    for &item in &items {
        match vm.call(key, &[item], &[]) {
            Ok(k) => {
                vm.temp_roots.push(k);
                pairs.push((k, item));
            }
            Err(e) => return (items, Err(e)),
        }
    }
    if reverse {
        pairs.reverse();
    }
    let mut result = Ok(());
    if !native_sort(vm, &mut pairs, |p| p.0) {
        result = timsort::sort(&mut pairs, |a, b| vm.lt(a.0, b.0));
    }
    if reverse {
        pairs.reverse();
    }
    items.clear();
    items.extend(pairs.iter().map(|p| p.1));
    (items, result)
}

// ---- native sorting ----------------------------------------------------------------

/// What a key looks like for native comparison.
#[derive(Clone, PartialEq, Debug)]
enum Shape {
    /// Not seen yet (a tuple position no key had so far).
    Unknown,
    /// int, bool, float (not NaN) or big int.
    Num,
    Str,
    /// A tuple; the shape of each position.
    Tuple(Vec<Shape>),
}

/// The deepest tuple nesting sorted natively.
const MAX_DEPTH: usize = 3;

/// Folds the shape of `v` into `shape`; false when `v` cannot be compared
/// natively or conflicts with what was seen.
fn merge_shape(vm: &Vm, shape: &mut Shape, v: Value, depth: usize) -> bool {
    let kind = match v {
        Value::Int(_) | Value::Bool(_) => Shape::Num,
        Value::Float(f) if !f.is_nan() => Shape::Num,
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Str(_) => Shape::Str,
            Object::BigInt(_) => Shape::Num,
            Object::Tuple(items) if depth < MAX_DEPTH => {
                if !matches!(shape, Shape::Tuple(_) | Shape::Unknown) {
                    return false;
                }
                if *shape == Shape::Unknown {
                    *shape = Shape::Tuple(Vec::new());
                }
                let Shape::Tuple(parts) = shape else {
                    return false;
                };
                if parts.len() < items.len() {
                    parts.resize(items.len(), Shape::Unknown);
                }
                return items
                    .iter()
                    .zip(parts.iter_mut())
                    .all(|(&x, s)| merge_shape(vm, s, x, depth + 1));
            }
            _ => return false,
        },
        _ => return false,
    };
    match shape {
        Shape::Unknown => {
            *shape = kind;
            true
        }
        s => *s == kind,
    }
}

/// Sorts natively when every key has one consistent comparable shape;
/// false (leaving `v` untouched) otherwise.
fn native_sort<T: Copy>(vm: &Vm, v: &mut [T], key: impl Fn(&T) -> Value) -> bool {
    if v.len() < 2 {
        return true;
    }
    if v.iter().all(|x| matches!(key(x), Value::Int(_))) {
        let int = |x: &T| match key(x) {
            Value::Int(i) => i,
            _ => 0,
        };
        v.sort_by_key(int);
        return true;
    }
    let mut shape = Shape::Unknown;
    if !v.iter().all(|x| merge_shape(vm, &mut shape, key(x), 0)) {
        return false;
    }
    if shape == Shape::Str {
        // Borrow every text once rather than twice per comparison.
        let mut texts: Vec<(&str, T)> = v.iter().map(|x| (vm.str_of(key(x)), *x)).collect();
        texts.sort_by(|a, b| a.0.cmp(b.0));
        for (slot, (_, x)) in v.iter_mut().zip(texts) {
            *slot = x;
        }
        return true;
    }
    if v.iter().all(|x| matches!(key(x), Value::Float(_))) {
        let bits = |x: &T| match key(x) {
            Value::Float(f) => float_order_key(f),
            _ => 0,
        };
        v.sort_by_key(bits);
        return true;
    }
    if let Shape::Tuple(parts) = &shape {
        if flat_tuple_sort(vm, v, &key, parts.len()) {
            return true;
        }
    }
    v.sort_by(|a, b| native_cmp(vm, key(a), key(b)));
    true
}

/// A u64 whose order is that of the (non-NaN) float, with -0.0 equal to
/// 0.0 (so a stable sort keeps them in place, as CPython's does).
fn float_order_key(f: f64) -> u64 {
    let f = if f == 0.0 { 0.0 } else { f };
    let b = f.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// One element of a tuple key, unpacked for fast comparison.
#[derive(Clone, Copy)]
enum Prim<'a> {
    Int(i64),
    Float(f64),
    Str(&'a str),
}

fn prim_cmp(a: &Prim, b: &Prim) -> Ordering {
    match (a, b) {
        (Prim::Int(x), Prim::Int(y)) => x.cmp(y),
        (Prim::Float(x), Prim::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Prim::Int(x), Prim::Float(y)) => int_float_cmp(*x, *y),
        (Prim::Float(x), Prim::Int(y)) => int_float_cmp(*y, *x).reverse(),
        (Prim::Str(x), Prim::Str(y)) => x.cmp(y),
        // Mixed kinds never share a position (checked by `merge_shape`).
        _ => Ordering::Equal,
    }
}

/// Sorts keys that are tuples of `width` ints, floats or strings each
/// (the common `key=lambda r: (r.a, r.b)`) by unpacking them once into a
/// flat array; false (leaving `v` untouched) for other tuples.
fn flat_tuple_sort<T: Copy>(
    vm: &Vm,
    v: &mut [T],
    key: &impl Fn(&T) -> Value,
    width: usize,
) -> bool {
    if width == 0 || width > 4 {
        return false;
    }
    let mut prims: Vec<Prim> = Vec::with_capacity(v.len() * width);
    for x in v.iter() {
        let Value::Obj(r) = key(x) else { return false };
        let Object::Tuple(items) = vm.heap.get(r) else {
            return false;
        };
        if items.len() != width {
            return false;
        }
        for &item in items.iter() {
            prims.push(match item {
                Value::Int(i) => Prim::Int(i),
                Value::Bool(b) => Prim::Int(b as i64),
                Value::Float(f) => Prim::Float(f),
                Value::Obj(o) => match vm.heap.get(o) {
                    Object::Str(s) => Prim::Str(s.as_str()),
                    _ => return false,
                },
                _ => return false,
            });
        }
    }
    let mut order: Vec<u32> = (0..v.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (a as usize * width, b as usize * width);
        for k in 0..width {
            let o = prim_cmp(&prims[a + k], &prims[b + k]);
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    let sorted: Vec<T> = order.iter().map(|&i| v[i as usize]).collect();
    v.copy_from_slice(&sorted);
    true
}

/// Total order on values validated by `merge_shape` (same shape).
fn native_cmp(vm: &Vm, a: Value, b: Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(&y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (Value::Int(x), Value::Float(y)) => int_float_cmp(x, y),
        (Value::Float(x), Value::Int(y)) => int_float_cmp(y, x).reverse(),
        (Value::Obj(x), Value::Obj(y)) => match (vm.heap.get(x), vm.heap.get(y)) {
            (Object::Str(s), Object::Str(t)) => s.as_str().cmp(t.as_str()),
            (Object::Tuple(s), Object::Tuple(t)) => {
                for (&p, &q) in s.iter().zip(t.iter()) {
                    let o = native_cmp(vm, p, q);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                s.len().cmp(&t.len())
            }
            _ => vm.numeric_cmp(a, b).unwrap_or(Ordering::Equal),
        },
        _ => vm.numeric_cmp(a, b).unwrap_or(Ordering::Equal),
    }
}

/// Exact comparison of an int with a (non-NaN) float.
fn int_float_cmp(i: i64, f: f64) -> Ordering {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f >= TWO_63 {
        return Ordering::Less;
    }
    if f < -TWO_63 {
        return Ordering::Greater;
    }
    let t = f.trunc();
    match i.cmp(&(t as i64)) {
        Ordering::Equal => 0.0f64.partial_cmp(&(f - t)).unwrap_or(Ordering::Equal),
        o => o,
    }
}

// ---- sorted, min, max ----------------------------------------------------------------

/// The `key` and `reverse` keyword arguments of `sort`/`sorted`.
pub fn sort_options(vm: &mut Vm, kw: &[(Value, Value)], fname: &str) -> PyResult<(Value, bool)> {
    let (mut key, mut reverse) = (Value::None, false);
    for &(k, v) in kw {
        match vm.str_of(k) {
            "key" => key = v,
            "reverse" => {
                reverse = match v {
                    Value::Bool(b) => b,
                    Value::Int(i) => i != 0,
                    _ => match vm.to_index(v)? {
                        Some(i) => i != 0,
                        None => {
                            let msg = format!(
                                "'{}' object cannot be interpreted as an integer",
                                vm.type_name(v)
                            );
                            return Err(vm.type_error(msg));
                        }
                    },
                }
            }
            other => {
                let msg = format!("'{other}' is an invalid keyword argument for {fname}()");
                return Err(vm.type_error(msg));
            }
        }
    }
    Ok((key, reverse))
}

/// `sorted(iterable, /, *, key=None, reverse=False)`.
pub fn sorted(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.len() != 1 {
        let msg = format!("sorted expected 1 argument, got {}", args.len());
        return Err(vm.type_error(msg));
    }
    let (key, reverse) = sort_options(vm, kw, "sort")?;
    let items = vm.collect_iterable(args[0])?;
    let list = vm.new_list(items);
    vm.with_roots(&[list], |vm| sort_list(vm, list, key, reverse))?;
    Ok(list)
}

/// `min(...)`.
pub fn min(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    min_max(vm, args, kw, CompareOp::Lt, "min")
}

/// `max(...)`.
pub fn max(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    min_max(vm, args, kw, CompareOp::Gt, "max")
}

/// CPython's `min_max`: the first item wins ties; `op` is `<` for min and
/// `>` for max, applied as `candidate op best`.
fn min_max(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    op: CompareOp,
    name: &str,
) -> PyResult<Value> {
    let (mut key, mut default) = (Value::None, None);
    if kw.len() > 2 {
        let msg = format!(
            "{name}() takes at most 2 keyword arguments ({} given)",
            kw.len()
        );
        return Err(vm.type_error(msg));
    }
    for &(k, v) in kw {
        match vm.str_of(k) {
            "key" => key = v,
            "default" => default = Some(v),
            other => {
                let msg = format!("'{other}' is an invalid keyword argument for {name}()");
                return Err(vm.type_error(msg));
            }
        }
    }
    let source = match args.len() {
        0 => {
            let msg = format!("{name} expected at least 1 argument, got 0");
            return Err(vm.type_error(msg));
        }
        1 => args[0],
        _ => {
            if default.is_some() {
                let msg = format!(
                    "Cannot specify a default for {name}() with multiple positional arguments"
                );
                return Err(vm.type_error(msg));
            }
            vm.new_tuple(args.to_vec())
        }
    };
    let best = vm.with_roots(&[source], |vm| scan_extreme(vm, source, key, op))?;
    match best {
        Some(v) => Ok(v),
        None => match default {
            Some(d) => Ok(d),
            None => Err(vm.value_error(format!("{name}() arg is an empty sequence"))),
        },
    }
}

/// The extreme item of an iterable, or None when it is empty.
fn scan_extreme(vm: &mut Vm, source: Value, key: Value, op: CompareOp) -> PyResult<Option<Value>> {
    let it = vm.get_iter(source)?;
    // Rooted slots: the iterator, the best item and its key, the current
    // item and its key.
    let base = vm.temp_roots.len();
    vm.temp_roots
        .extend_from_slice(&[it, Value::None, Value::None, Value::None, Value::None]);
    let r = (|| {
        let (mut best_item, mut best_val): (Option<Value>, Value) = (None, Value::None);
        while let Some(item) = vm.iter_next(it)? {
            vm.temp_roots[base + 3] = item;
            let val = if key.is_none() {
                item
            } else {
                vm.call(key, &[item], &[])?
            };
            vm.temp_roots[base + 4] = val;
            let better = match best_item {
                None => true,
                Some(_) => match fast_compare(op, val, best_val) {
                    Some(b) => b,
                    None => {
                        let r = vm.compare_op(val, best_val, op)?;
                        vm.truthy(r)?
                    }
                },
            };
            if better {
                best_item = Some(item);
                best_val = val;
                vm.temp_roots[base + 1] = item;
                vm.temp_roots[base + 2] = val;
            }
        }
        Ok(best_item)
    })();
    vm.temp_roots.truncate(base);
    r
}

/// `sum(iterable, /, start=0)`, with CPython's refusal of string starts;
/// ints and floats add without leaving Rust.
pub fn sum(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.len() + kw.len() > 2 {
        let msg = format!(
            "sum() takes at most 2 arguments ({} given)",
            args.len() + kw.len()
        );
        return Err(vm.type_error(msg));
    }
    if args.is_empty() {
        return Err(vm.type_error("sum() takes at least 1 positional argument (0 given)"));
    }
    let mut start = None;
    for &(k, v) in kw {
        match vm.str_of(k) {
            "start" => start = Some(v),
            other => {
                let msg = format!("'{other}' is an invalid keyword argument for sum()");
                return Err(vm.type_error(msg));
            }
        }
    }
    let start = start.or(args.get(1).copied()).unwrap_or(Value::Int(0));
    if let Value::Obj(r) = start {
        let refused = match vm.heap.get(r) {
            Object::Str(_) => Some("sum() can't sum strings [use ''.join(seq) instead]"),
            Object::Bytes(_) => Some("sum() can't sum bytes [use b''.join(seq) instead]"),
            _ => None,
        };
        if let Some(msg) = refused {
            return Err(vm.type_error(msg));
        }
    }
    let src = args[0];
    if vm.seq_items(src).is_some() {
        return sum_seq(vm, src, start);
    }
    let it = vm.get_iter(src)?;
    let base = vm.temp_roots.len();
    vm.temp_roots.extend_from_slice(&[it, start]);
    let r = (|| {
        let mut acc = start;
        while let Some(x) = vm.iter_next(it)? {
            acc = add(vm, acc, x)?;
            vm.temp_roots[base + 1] = acc;
        }
        Ok(acc)
    })();
    vm.temp_roots.truncate(base);
    r
}

/// `sum` over a list or tuple, by index (no iterator object).
fn sum_seq(vm: &mut Vm, seq: Value, start: Value) -> PyResult<Value> {
    let base = vm.temp_roots.len();
    vm.temp_roots.push(start);
    let r = (|| {
        let mut acc = start;
        let mut i = 0;
        while let Some(x) = vm.seq_items(seq).and_then(|s| s.get(i).copied()) {
            acc = add(vm, acc, x)?;
            vm.temp_roots[base] = acc;
            i += 1;
        }
        Ok(acc)
    })();
    vm.temp_roots.truncate(base);
    r
}

#[inline]
fn add(vm: &mut Vm, a: Value, b: Value) -> PyResult<Value> {
    match crate::vm::ops::arith::fast_binary(crate::bytecode::BinaryOp::Add, a, b) {
        Some(v) => Ok(v),
        None => vm.binary_op(a, b, crate::bytecode::BinaryOp::Add),
    }
}
