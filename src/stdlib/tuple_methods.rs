//! Methods of `tuple`: `count`, `index` and the dunders CPython exposes,
//! sharing the element search of `list_methods.rs`.

use super::list_methods::{count_equal, find_index, index_bounds};
use super::method_args::{add_methods, arg_range, check_receiver, index_arg, no_args, one_arg};
use crate::bytecode::{BinaryOp, CompareOp};
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Installs the methods into the class namespaces.
pub fn install(vm: &mut Vm) {
    let tuple = vm.types.tuple;
    add_methods(
        vm,
        tuple,
        &[
            ("count", count),
            ("index", index),
            ("__len__", len),
            ("__getitem__", getitem),
            ("__contains__", contains),
            ("__iter__", iter),
            ("__add__", add),
            ("__mul__", mul),
            ("__rmul__", mul),
            ("__hash__", hash),
            ("__repr__", repr),
            ("__eq__", eq),
            ("__ne__", ne),
            ("__lt__", lt),
            ("__le__", le),
            ("__gt__", gt),
            ("__ge__", ge),
        ],
    );
}

fn is_tuple(vm: &Vm, v: Value) -> bool {
    matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_)))
}

fn recv(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<Value> {
    match args.first() {
        Some(&t) if is_tuple(vm, t) => Ok(t),
        _ => {
            let cls = vm.types.tuple;
            check_receiver(vm, args, cls, method)
        }
    }
}

fn count(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = recv(vm, args, "count")?;
    let x = one_arg(vm, args, kw, "tuple.count")?;
    count_equal(vm, t, x).map(|n| Value::Int(n as i64))
}

fn index(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = recv(vm, args, "index")?;
    let a = arg_range(vm, args, kw, "index", 1, 3)?;
    let len = vm.container_len(t);
    let (start, stop) = index_bounds(vm, a, len)?;
    match find_index(vm, t, a[0], start, stop)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(vm.value_error("tuple.index(x): x not in tuple")),
    }
}

fn len(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = recv(vm, args, "__len__")?;
    no_args(vm, args, kw, "tuple.__len__")?;
    Ok(Value::Int(vm.container_len(t) as i64))
}

fn getitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = recv(vm, args, "__getitem__")?;
    let k = one_arg(vm, args, kw, "tuple.__getitem__")?;
    vm.get_item(t, k)
}

fn contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = recv(vm, args, "__contains__")?;
    let x = one_arg(vm, args, kw, "tuple.__contains__")?;
    vm.contains(t, x).map(Value::Bool)
}

fn iter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = recv(vm, args, "__iter__")?;
    no_args(vm, args, kw, "tuple.__iter__")?;
    vm.get_iter(t)
}

fn add(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = recv(vm, args, "__add__")?;
    let o = one_arg(vm, args, kw, "tuple.__add__")?;
    if !is_tuple(vm, o) {
        let msg = format!(
            "can only concatenate tuple (not \"{}\") to tuple",
            vm.type_name(o)
        );
        return Err(vm.type_error(msg));
    }
    vm.binary_op(t, o, BinaryOp::Add)
}

fn mul(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = recv(vm, args, "__mul__")?;
    let n = one_arg(vm, args, kw, "tuple.__mul__")?;
    let k = index_arg(vm, n)?;
    vm.binary_op(t, Value::Int(k), BinaryOp::Mul)
}

fn hash(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = recv(vm, args, "__hash__")?;
    no_args(vm, args, kw, "tuple.__hash__")?;
    vm.hash_value(t).map(Value::Int)
}

fn repr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = recv(vm, args, "__repr__")?;
    no_args(vm, args, kw, "tuple.__repr__")?;
    let s = vm.repr_value(t)?;
    Ok(vm.new_str(s))
}

fn compare_dunder(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    op: CompareOp,
    name: &str,
) -> PyResult<Value> {
    let t = recv(vm, args, name)?;
    let o = one_arg(vm, args, kw, &format!("tuple.{name}"))?;
    if !is_tuple(vm, o) {
        return Ok(Value::NotImplemented);
    }
    vm.compare_op(t, o, op)
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
