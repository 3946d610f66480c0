//! The operator methods of `bytes` and `bytearray` (`__len__`,
//! `__getitem__`, `__add__`, comparisons, ...) for explicit calls such as
//! `b.__len__()` or `bytearray.__setitem__(ba, 0, 1)`; the VM itself runs
//! these operators natively (`vm/ops/bytes_ops.rs`).

use super::builtins::{add_method, set_class_attr};
use super::bytes_methods::this;
use super::method_args::{check_wrapper, size_arg};
use crate::bytecode::{BinaryOp, CompareOp};
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm, bytes: ObjRef, bytearray: ObjRef) {
    let shared: &[(&'static str, NativeFn)] = &[
        ("__len__", dunder_len),
        ("__getitem__", dunder_getitem),
        ("__contains__", dunder_contains),
        ("__add__", dunder_add),
        ("__mul__", dunder_mul),
        ("__rmul__", dunder_mul),
        ("__mod__", dunder_mod),
        ("__iter__", dunder_iter),
        ("__eq__", dunder_eq),
        ("__ne__", dunder_ne),
        ("__lt__", dunder_lt),
        ("__le__", dunder_le),
        ("__gt__", dunder_gt),
        ("__ge__", dunder_ge),
    ];
    for cls in [bytes, bytearray] {
        for &(name, f) in shared {
            add_method(vm, cls, name, f);
        }
    }
    add_method(vm, bytes, "__hash__", dunder_hash);
    set_class_attr(vm, bytearray, "__hash__", Value::None);
    add_method(vm, bytearray, "__setitem__", dunder_setitem);
    add_method(vm, bytearray, "__delitem__", dunder_delitem);
    add_method(vm, bytearray, "__iadd__", dunder_iadd);
    add_method(vm, bytearray, "__imul__", dunder_imul);
}

/// The receiver of an operator method, its arguments checked.
fn recv(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], m: &str, n: usize) -> PyResult<Value> {
    let r = this(vm, args, m)?;
    check_wrapper(vm, &args[1..], kw, m, n)?;
    Ok(r)
}

fn dunder_len(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = recv(vm, args, kw, "__len__", 0)?;
    Ok(Value::Int(vm.as_bytes(r).map_or(0, |b| b.len()) as i64))
}

fn dunder_getitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = recv(vm, args, kw, "__getitem__", 1)?;
    vm.get_item(r, args[1])
}

fn dunder_contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = recv(vm, args, kw, "__contains__", 1)?;
    vm.contains(r, args[1]).map(Value::Bool)
}

fn dunder_add(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = recv(vm, args, kw, "__add__", 1)?;
    vm.binary_op(r, args[1], BinaryOp::Add)
}

fn dunder_mul(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = recv(vm, args, kw, "__mul__", 1)?;
    let n = size_arg(vm, args[1])?;
    vm.binary_op(r, Value::Int(n), BinaryOp::Mul)
}

fn dunder_mod(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = recv(vm, args, kw, "__mod__", 1)?;
    super::bytes_search::bytes_percent(vm, r, args[1])
}

fn dunder_iter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = recv(vm, args, kw, "__iter__", 0)?;
    vm.get_iter(r)
}

fn dunder_hash(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = recv(vm, args, kw, "__hash__", 0)?;
    vm.hash_value(r).map(Value::Int)
}

/// A comparison with another bytes-like value; NotImplemented otherwise.
fn compare(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    op: CompareOp,
) -> PyResult<Value> {
    let r = recv(vm, args, kw, m, 1)?;
    if vm.as_bytes(args[1]).is_none() {
        return Ok(Value::NotImplemented);
    }
    vm.compare_op(r, args[1], op)
}

fn dunder_eq(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__eq__", CompareOp::Eq)
}

fn dunder_ne(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__ne__", CompareOp::Ne)
}

fn dunder_lt(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__lt__", CompareOp::Lt)
}

fn dunder_le(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__le__", CompareOp::Le)
}

fn dunder_gt(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__gt__", CompareOp::Gt)
}

fn dunder_ge(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__ge__", CompareOp::Ge)
}

/// The receiver of a bytearray-only operator method.
fn array_recv(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    n: usize,
) -> PyResult<Value> {
    let r = recv(vm, args, kw, m, n)?;
    if !matches!(r, Value::Obj(o) if matches!(vm.heap.get(o), Object::ByteArray(_))) {
        let msg = format!(
            "descriptor '{m}' for 'bytearray' objects doesn't apply to a '{}' object",
            vm.type_name(r)
        );
        return Err(vm.type_error(msg));
    }
    Ok(r)
}

fn dunder_setitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = array_recv(vm, args, kw, "__setitem__", 2)?;
    vm.set_item(r, args[1], args[2])?;
    Ok(Value::None)
}

fn dunder_delitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = array_recv(vm, args, kw, "__delitem__", 1)?;
    vm.del_item(r, args[1])?;
    Ok(Value::None)
}

fn dunder_iadd(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = array_recv(vm, args, kw, "__iadd__", 1)?;
    vm.inplace_op(r, args[1], BinaryOp::Add)
}

/// `b *= n`: repeats the bytearray in place.
fn dunder_imul(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = array_recv(vm, args, kw, "__imul__", 1)?;
    let Some(n) = vm.to_index(args[1])? else {
        let msg = format!(
            "can't multiply sequence by non-int of type '{}'",
            vm.type_name(args[1])
        );
        return Err(vm.type_error(msg));
    };
    let n = n.max(0) as usize;
    if let Value::Obj(o) = r {
        let len = vm.as_bytes(r).map_or(0, <[u8]>::len);
        if len.saturating_mul(n) > (1 << 32) {
            return Err(vm.new_error(crate::vm::exceptions::ExcKind::MemoryError, ""));
        }
        if let Object::ByteArray(b) = vm.heap.get_mut(o) {
            *b = b.repeat(n);
        }
    }
    Ok(r)
}
