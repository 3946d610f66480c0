//! Methods of `list` (and the dunders CPython exposes on it, so that
//! `list.__len__(x)` and friends work), with CPython 3.11's semantics:
//! element comparisons re-read the list after every call into aspy code
//! (the list may change under them), `extend` appends as it iterates, and
//! `sort` is in `sorting.rs`.
//!
//! `append` is a hot path: it checks its receiver and pushes without
//! allocating.

use super::method_args::{
    add_methods, arg_range, check_receiver, index_arg, no_args, no_keywords, one_arg,
};
use super::sorting;
use crate::bytecode::CompareOp;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Installs the methods into the class namespaces.
pub fn install(vm: &mut Vm) {
    let list = vm.types.list;
    add_methods(
        vm,
        list,
        &[
            ("append", append),
            ("extend", extend),
            ("insert", insert),
            ("remove", remove),
            ("pop", pop),
            ("clear", clear),
            ("index", index),
            ("count", count),
            ("sort", sort),
            ("reverse", reverse),
            ("copy", copy),
            ("__len__", len),
            ("__getitem__", getitem),
            ("__setitem__", setitem),
            ("__delitem__", delitem),
            ("__contains__", contains),
            ("__iter__", iter),
            ("__reversed__", reversed),
            ("__add__", add),
            ("__iadd__", iadd),
            ("__mul__", mul),
            ("__rmul__", mul),
            ("__imul__", imul),
            ("__repr__", repr),
            ("__eq__", eq),
            ("__ne__", ne),
            ("__lt__", lt),
            ("__le__", le),
            ("__gt__", gt),
            ("__ge__", ge),
        ],
    );
    super::builtins::set_class_attr(vm, list, "__hash__", Value::None);
}

/// The receiver, which must be a list.
fn recv(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<Value> {
    match args.first() {
        Some(&l @ Value::Obj(r)) if matches!(vm.heap.get(r), Object::List(_)) => Ok(l),
        _ => {
            let cls = vm.types.list;
            check_receiver(vm, args, cls, method)
        }
    }
}

/// The items of a list value, mutably.
fn items_mut(vm: &mut Vm, l: Value) -> Option<&mut Vec<Value>> {
    match l {
        Value::Obj(r) => match vm.heap.get_mut(r) {
            Object::List(items) => Some(items),
            _ => None,
        },
        _ => None,
    }
}

/// The item at `i` of list or tuple `seq`, if the sequence is still that long.
#[inline]
pub fn item_at(vm: &Vm, seq: Value, i: usize) -> Option<Value> {
    vm.seq_items(seq).and_then(|s| s.get(i).copied())
}

/// `a == b` with the identity shortcut of CPython's `PyObject_RichCompareBool`.
#[inline]
pub fn same_or_eq(vm: &mut Vm, a: Value, b: Value) -> PyResult<bool> {
    if a.is(b) {
        return Ok(true);
    }
    vm.eq(a, b)
}

/// Index of the first item of `seq[start..stop]` equal to `x` (the list
/// is re-read after each comparison).
pub fn find_index(
    vm: &mut Vm,
    seq: Value,
    x: Value,
    start: usize,
    stop: usize,
) -> PyResult<Option<usize>> {
    let mut i = start;
    while i < stop {
        let Some(item) = item_at(vm, seq, i) else {
            break;
        };
        if same_or_eq(vm, item, x)? {
            return Ok(Some(i));
        }
        i += 1;
    }
    Ok(None)
}

/// Number of items of `seq` equal to `x`.
pub fn count_equal(vm: &mut Vm, seq: Value, x: Value) -> PyResult<usize> {
    let (mut i, mut n) = (0, 0);
    while let Some(item) = item_at(vm, seq, i) {
        if same_or_eq(vm, item, x)? {
            n += 1;
        }
        i += 1;
    }
    Ok(n)
}

/// The `start`/`stop` arguments of `index()`: ints (or `__index__`) that
/// count from the end when negative, never None.
pub fn index_bounds(vm: &mut Vm, a: &[Value], len: usize) -> PyResult<(usize, usize)> {
    let bound = |vm: &mut Vm, v: Option<&Value>, default: i64| -> PyResult<usize> {
        let i = match v {
            None => default,
            Some(&v) => match vm.to_index(v)? {
                Some(i) => i,
                None => {
                    return Err(
                        vm.type_error("slice indices must be integers or have an __index__ method")
                    )
                }
            },
        };
        let i = if i < 0 { (i + len as i64).max(0) } else { i };
        Ok(i as usize)
    };
    let start = bound(vm, a.get(1), 0)?;
    let stop = bound(vm, a.get(2), i64::MAX)?;
    Ok((start, stop))
}

// ---- mutation ---------------------------------------------------------------------

fn append(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if let ([Value::Obj(r), x], []) = (args, kw) {
        if let Object::List(items) = vm.heap.get_mut(*r) {
            items.push(*x);
            return Ok(Value::None);
        }
    }
    let l = recv(vm, args, "append")?;
    let x = one_arg(vm, args, kw, "list.append")?;
    if let Some(items) = items_mut(vm, l) {
        items.push(x);
    }
    Ok(Value::None)
}

fn extend(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "extend")?;
    let src = one_arg(vm, args, kw, "list.extend")?;
    vm.list_extend(l, src)?;
    Ok(Value::None)
}

fn insert(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "insert")?;
    let a = arg_range(vm, args, kw, "insert", 2, 2)?;
    let (at, x) = (index_arg(vm, a[0])?, a[1]);
    if let Some(items) = items_mut(vm, l) {
        let n = items.len() as i64;
        let at = if at < 0 { (at + n).max(0) } else { at.min(n) };
        items.insert(at as usize, x);
    }
    Ok(Value::None)
}

fn remove(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "remove")?;
    let x = one_arg(vm, args, kw, "list.remove")?;
    match find_index(vm, l, x, 0, usize::MAX)? {
        Some(i) => {
            if let Some(items) = items_mut(vm, l) {
                if i < items.len() {
                    items.remove(i);
                }
            }
            Ok(Value::None)
        }
        None => Err(vm.value_error("list.remove(x): x not in list")),
    }
}

fn pop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "pop")?;
    let a = arg_range(vm, args, kw, "pop", 0, 1)?;
    let at = match a.first() {
        Some(&v) => index_arg(vm, v)?,
        None => -1,
    };
    let n = vm.container_len(l) as i64;
    if n == 0 {
        return Err(vm.new_error(ExcKind::IndexError, "pop from empty list"));
    }
    let i = if at < 0 { at + n } else { at };
    if i < 0 || i >= n {
        return Err(vm.new_error(ExcKind::IndexError, "pop index out of range"));
    }
    Ok(items_mut(vm, l).map_or(Value::None, |items| items.remove(i as usize)))
}

fn clear(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "clear")?;
    no_args(vm, args, kw, "list.clear")?;
    if let Some(items) = items_mut(vm, l) {
        // Release the storage, as CPython does.
        *items = Vec::new();
    }
    Ok(Value::None)
}

fn reverse(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "reverse")?;
    no_args(vm, args, kw, "list.reverse")?;
    if let Some(items) = items_mut(vm, l) {
        items.reverse();
    }
    Ok(Value::None)
}

fn sort(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "sort")?;
    if args.len() > 1 {
        return Err(vm.type_error("sort() takes no positional arguments"));
    }
    let (key, reverse) = sorting::sort_options(vm, kw, "sort")?;
    sorting::sort_list(vm, l, key, reverse)?;
    Ok(Value::None)
}

// ---- queries ----------------------------------------------------------------------

fn index(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "index")?;
    let a = arg_range(vm, args, kw, "index", 1, 3)?;
    let len = vm.container_len(l);
    let (start, stop) = index_bounds(vm, a, len)?;
    match find_index(vm, l, a[0], start, stop)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => {
            let r = vm.repr_value(a[0])?;
            Err(vm.value_error(format!("{r} is not in list")))
        }
    }
}

fn count(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "count")?;
    let x = one_arg(vm, args, kw, "list.count")?;
    count_equal(vm, l, x).map(|n| Value::Int(n as i64))
}

fn copy(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "copy")?;
    no_args(vm, args, kw, "list.copy")?;
    let items = vm.seq_items(l).map(|s| s.to_vec()).unwrap_or_default();
    Ok(vm.new_list(items))
}

fn len(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__len__")?;
    no_args(vm, args, kw, "list.__len__")?;
    Ok(Value::Int(vm.container_len(l) as i64))
}

fn getitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__getitem__")?;
    let k = one_arg(vm, args, kw, "list.__getitem__")?;
    vm.get_item(l, k)
}

fn setitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__setitem__")?;
    let a = arg_range(vm, args, kw, "__setitem__", 2, 2)?;
    vm.set_item(l, a[0], a[1])?;
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__delitem__")?;
    let k = one_arg(vm, args, kw, "list.__delitem__")?;
    vm.del_item(l, k)?;
    Ok(Value::None)
}

fn contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__contains__")?;
    let x = one_arg(vm, args, kw, "list.__contains__")?;
    vm.contains(l, x).map(Value::Bool)
}

fn iter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__iter__")?;
    no_args(vm, args, kw, "list.__iter__")?;
    vm.get_iter(l)
}

fn reversed(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__reversed__")?;
    no_args(vm, args, kw, "list.__reversed__")?;
    let n = vm.container_len(l);
    Ok(
        vm.alloc(Object::Iter(Box::new(crate::vm::object::Iter::Reversed {
            seq: l,
            index: n,
        }))),
    )
}

fn repr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__repr__")?;
    no_args(vm, args, kw, "list.__repr__")?;
    let s = vm.repr_value(l)?;
    Ok(vm.new_str(s))
}

// ---- operators ----------------------------------------------------------------------

fn is_list(vm: &Vm, v: Value) -> bool {
    matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::List(_)))
}

fn add(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__add__")?;
    let o = one_arg(vm, args, kw, "list.__add__")?;
    if !is_list(vm, o) {
        let msg = format!(
            "can only concatenate list (not \"{}\") to list",
            vm.type_name(o)
        );
        return Err(vm.type_error(msg));
    }
    vm.binary_op(l, o, crate::bytecode::BinaryOp::Add)
}

fn iadd(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__iadd__")?;
    let o = one_arg(vm, args, kw, "list.__iadd__")?;
    vm.list_extend(l, o)?;
    Ok(l)
}

fn mul(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__mul__")?;
    let n = one_arg(vm, args, kw, "list.__mul__")?;
    let k = index_arg(vm, n)?;
    vm.binary_op(l, Value::Int(k), crate::bytecode::BinaryOp::Mul)
}

fn imul(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = recv(vm, args, "__imul__")?;
    let n = one_arg(vm, args, kw, "list.__imul__")?;
    let Some(k) = vm.to_index(n)? else {
        let msg = format!(
            "can't multiply sequence by non-int of type '{}'",
            vm.type_name(n)
        );
        return Err(vm.type_error(msg));
    };
    let k = k.max(0) as usize;
    let len = vm.container_len(l);
    if len.saturating_mul(k) > (1 << 32) {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    if let Some(items) = items_mut(vm, l) {
        let once = std::mem::take(items);
        *items = once.repeat(k);
    }
    Ok(l)
}

fn compare_dunder(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    op: CompareOp,
    name: &str,
) -> PyResult<Value> {
    let l = recv(vm, args, name)?;
    no_keywords(vm, kw, name)?;
    let o = one_arg(vm, args, kw, &format!("list.{name}"))?;
    if !is_list(vm, o) {
        return Ok(Value::NotImplemented);
    }
    vm.compare_op(l, o, op)
}

fn eq(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, kw, CompareOp::Eq, "__eq__")
}

fn ne(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, kw, CompareOp::Ne, "__ne__")
}

fn lt(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, kw, CompareOp::Lt, "__lt__")
}

fn le(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, kw, CompareOp::Le, "__le__")
}

fn gt(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, kw, CompareOp::Gt, "__gt__")
}

fn ge(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare_dunder(vm, args, kw, CompareOp::Ge, "__ge__")
}
