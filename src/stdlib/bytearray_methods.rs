//! The mutating methods of `bytearray` (append, extend, insert, pop,
//! remove, clear, reverse, copy) and the helpers the VM's item assignment
//! uses for it.
//!
//! A bytearray is `Object::ByteArray(Vec<u8>)`; its read-only methods are
//! the ones shared with `bytes` (`bytes_methods.rs`, `bytes_search.rs`).
//! Arguments are converted (which may run aspy code) before the vector is
//! borrowed, so no borrow of the heap is held across a call.

use super::builtins::add_method;
use super::bytes_methods::byte_value;
use super::method_args::{check, Arity};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm, cls: ObjRef) {
    let methods: &[(&'static str, NativeFn)] = &[
        ("append", append),
        ("extend", extend),
        ("insert", insert),
        ("pop", pop),
        ("remove", remove),
        ("clear", clear),
        ("reverse", reverse),
        ("copy", copy),
    ];
    for &(name, f) in methods {
        add_method(vm, cls, name, f);
    }
}

/// The receiver, checked to be a bytearray.
fn this(vm: &mut Vm, args: &[Value], m: &str) -> PyResult<Value> {
    match args.first() {
        Some(&v) if matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::ByteArray(_))) => {
            Ok(v)
        }
        Some(&v) => {
            let msg = format!(
                "descriptor '{m}' for 'bytearray' objects doesn't apply to a '{}' object",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
        None => Err(vm.type_error(format!("unbound method bytearray.{m}() needs an argument"))),
    }
}

/// The vector of a bytearray value.
pub fn vec_mut(vm: &mut Vm, v: Value) -> Option<&mut Vec<u8>> {
    match v {
        Value::Obj(r) => match vm.heap.get_mut(r) {
            Object::ByteArray(b) => Some(b),
            _ => None,
        },
        _ => None,
    }
}

fn append(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "append")?;
    check(vm, "bytearray", "append", &args[1..], kw, Arity::One)?;
    let b = byte_value(vm, args[1], false)?;
    if let Some(v) = vec_mut(vm, recv) {
        v.push(b);
    }
    Ok(Value::None)
}

fn extend(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "extend")?;
    check(vm, "bytearray", "extend", &args[1..], kw, Arity::One)?;
    let src = args[1];
    let ok = vm.as_bytes(src).is_some() || vm.get_iter(src).is_ok();
    if !ok {
        let msg = format!("can't extend bytearray with {}", vm.type_name(src));
        return Err(vm.type_error(msg));
    }
    let more = vm.bytes_from_iterable(src)?;
    if let Some(v) = vec_mut(vm, recv) {
        v.extend_from_slice(&more);
    }
    Ok(Value::None)
}

fn insert(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "insert")?;
    check(vm, "bytearray", "insert", &args[1..], kw, Arity::Pos(2, 2))?;
    let i = super::method_args::clamp_index(vm, args[1])?;
    let Some(i) = i else {
        let msg = format!(
            "'{}' object cannot be interpreted as an integer",
            vm.type_name(args[1])
        );
        return Err(vm.type_error(msg));
    };
    let b = byte_value(vm, args[2], false)?;
    if let Some(v) = vec_mut(vm, recv) {
        let n = v.len() as i64;
        let at = if i < 0 {
            (i.saturating_add(n)).max(0)
        } else {
            i.min(n)
        };
        v.insert(at as usize, b);
    }
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "pop")?;
    check(vm, "bytearray", "pop", &args[1..], kw, Arity::Pos(0, 1))?;
    let i = match args.get(1) {
        Some(&x) => super::method_args::size_arg(vm, x)?,
        None => -1,
    };
    let len = vm.as_bytes(recv).map_or(0, |b| b.len()) as i64;
    if len == 0 {
        return Err(vm.new_error(ExcKind::IndexError, "pop from empty bytearray"));
    }
    let j = if i < 0 { i + len } else { i };
    if j < 0 || j >= len {
        return Err(vm.new_error(ExcKind::IndexError, "pop index out of range"));
    }
    let b = vec_mut(vm, recv).map_or(0, |v| v.remove(j as usize));
    Ok(Value::Int(b as i64))
}

fn remove(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "remove")?;
    check(vm, "bytearray", "remove", &args[1..], kw, Arity::One)?;
    let b = byte_value(vm, args[1], false)?;
    let pos = vm
        .as_bytes(recv)
        .and_then(|d| d.iter().position(|&x| x == b));
    match pos {
        Some(p) => {
            if let Some(v) = vec_mut(vm, recv) {
                v.remove(p);
            }
            Ok(Value::None)
        }
        None => Err(vm.value_error("value not found in bytearray")),
    }
}

fn clear(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "clear")?;
    check(vm, "bytearray", "clear", &args[1..], kw, Arity::NoArgs)?;
    if let Some(v) = vec_mut(vm, recv) {
        v.clear();
    }
    Ok(Value::None)
}

fn reverse(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "reverse")?;
    check(vm, "bytearray", "reverse", &args[1..], kw, Arity::NoArgs)?;
    if let Some(v) = vec_mut(vm, recv) {
        v.reverse();
    }
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "copy")?;
    check(vm, "bytearray", "copy", &args[1..], kw, Arity::NoArgs)?;
    let d = vm.as_bytes(recv).map(|b| b.to_vec()).unwrap_or_default();
    Ok(vm.alloc(Object::ByteArray(d)))
}
