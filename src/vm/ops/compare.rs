//! Rich comparison of arbitrary values: numbers, strings, bytes, sequences
//! (lexicographic), sets (subset order), then `__lt__`/`__eq__` and their
//! reflections, with CPython's TypeError when nothing applies.

use crate::bytecode::CompareOp;
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use std::cmp::Ordering;

fn op_from_ordering(op: CompareOp, o: Ordering) -> bool {
    match op {
        CompareOp::Lt => o == Ordering::Less,
        CompareOp::Le => o != Ordering::Greater,
        CompareOp::Eq => o == Ordering::Equal,
        CompareOp::Ne => o != Ordering::Equal,
        CompareOp::Gt => o == Ordering::Greater,
        CompareOp::Ge => o != Ordering::Less,
        _ => false,
    }
}

fn names(op: CompareOp) -> (&'static str, &'static str, &'static str) {
    match op {
        CompareOp::Lt => ("__lt__", "__gt__", "<"),
        CompareOp::Le => ("__le__", "__ge__", "<="),
        CompareOp::Eq => ("__eq__", "__eq__", "=="),
        CompareOp::Ne => ("__ne__", "__ne__", "!="),
        CompareOp::Gt => ("__gt__", "__lt__", ">"),
        _ => ("__ge__", "__le__", ">="),
    }
}

pub fn rich_compare(vm: &mut Vm, a: Value, b: Value, op: CompareOp) -> PyResult<Value> {
    // Numbers of mixed representation.
    if let Some(o) = vm.numeric_cmp(a, b) {
        return Ok(Value::Bool(op_from_ordering(op, o)));
    }
    let nan_involved =
        matches!(a, Value::Float(f) if f.is_nan()) || matches!(b, Value::Float(f) if f.is_nan());
    if nan_involved
        && (vm.numeric_cmp(a, Value::Int(0)).is_some()
            || vm.numeric_cmp(b, Value::Int(0)).is_some())
    {
        return Ok(Value::Bool(op == CompareOp::Ne));
    }
    let user = |vm: &Vm, v: Value| {
        matches!(v, Value::Obj(r) if vm.heap.has_ext(r) || match vm.heap.get(r) {
            Object::Instance(_) | Object::Native(_) => true,
            Object::Class(c) => c.meta.is_some(),
            _ => false,
        })
    };
    // A built-in subclass instance only dispatches to methods a user class
    // defines: the built-in type's own comparison is `builtin_compare`.
    let special = |vm: &mut Vm, v: Value, name: &str| match v {
        Value::Obj(r) if vm.heap.has_ext(r) => vm.ext_override(v, name),
        _ => vm.lookup_special(v, name),
    };
    if !user(vm, a) && !user(vm, b) {
        if let Some(r) = builtin_compare(vm, a, b, op)? {
            return Ok(Value::Bool(r));
        }
    }
    let (name, rname, sym) = names(op);
    let ca = vm.class_of(a);
    let cb = vm.class_of(b);
    let reflected_first = ca != cb && vm.is_subclass(cb, ca) && user(vm, b);
    let mut tried_reflected = false;
    if reflected_first {
        tried_reflected = true;
        if let Some(m) = special(vm, b, rname) {
            let r = vm.call(m, &[a], &[])?;
            if !matches!(r, Value::NotImplemented) {
                return Ok(r);
            }
        }
    }
    if user(vm, a) {
        if let Some(m) = special(vm, a, name) {
            let r = vm.call(m, &[b], &[])?;
            if !matches!(r, Value::NotImplemented) {
                return Ok(r);
            }
        }
    }
    if !tried_reflected && user(vm, b) {
        if let Some(m) = special(vm, b, rname) {
            let r = vm.call(m, &[a], &[])?;
            if !matches!(r, Value::NotImplemented) {
                return Ok(r);
            }
        }
    }
    if user(vm, a) || user(vm, b) {
        // Built-in subclass instances without an override compare as
        // their built-in type.
        if let Some(r) = builtin_compare(vm, a, b, op)? {
            return Ok(Value::Bool(r));
        }
    }
    match op {
        CompareOp::Eq => Ok(Value::Bool(a.is(b) || vm.native_eq(a, b).unwrap_or(false))),
        CompareOp::Ne => {
            // `__ne__` defaults to the inverse of `__eq__`.
            if user(vm, a) {
                if let Some(m) = special(vm, a, "__eq__") {
                    let r = vm.call(m, &[b], &[])?;
                    if !matches!(r, Value::NotImplemented) {
                        let t = vm.truthy(r)?;
                        return Ok(Value::Bool(!t));
                    }
                }
            }
            Ok(Value::Bool(
                !(a.is(b) || vm.native_eq(a, b).unwrap_or(false)),
            ))
        }
        _ => {
            let msg = format!(
                "'{sym}' not supported between instances of '{}' and '{}'",
                vm.type_name(a),
                vm.type_name(b)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// Comparisons among built-in values; None when the types don't compare.
fn builtin_compare(vm: &mut Vm, a: Value, b: Value, op: CompareOp) -> PyResult<Option<bool>> {
    if matches!(op, CompareOp::Eq | CompareOp::Ne) {
        if let Some(r) = vm.native_eq(a, b) {
            return Ok(Some(if op == CompareOp::Eq { r } else { !r }));
        }
    }
    let (Value::Obj(x), Value::Obj(y)) = (a, b) else {
        return Ok(None);
    };
    match (vm.heap.get(x), vm.heap.get(y)) {
        (Object::Str(s), Object::Str(t)) => {
            Ok(Some(op_from_ordering(op, s.as_str().cmp(t.as_str()))))
        }
        (Object::Bytes(_) | Object::ByteArray(_), Object::Bytes(_) | Object::ByteArray(_)) => {
            let o = vm.as_bytes(a).cmp(&vm.as_bytes(b));
            Ok(Some(op_from_ordering(op, o)))
        }
        (Object::List(_), Object::List(_)) | (Object::Tuple(_), Object::Tuple(_)) => {
            seq_compare(vm, a, b, op).map(Some)
        }
        (Object::Dict(_), Object::Dict(_)) if matches!(op, CompareOp::Eq | CompareOp::Ne) => {
            let r = vm.dict_equal(a, b)?;
            Ok(Some(if op == CompareOp::Eq { r } else { !r }))
        }
        (Object::Set(..), Object::Set(..)) => {
            crate::stdlib::set_methods::set_richcompare(vm, a, b, op).map(Some)
        }
        (Object::Slice(p), Object::Slice(q)) => {
            // Slices compare as (start, stop, step) tuples.
            let (p, q) = (p.to_vec(), q.to_vec());
            let (x, y) = (vm.new_tuple(p), vm.new_tuple(q));
            vm.with_roots(&[x, y], |vm| seq_compare(vm, x, y, op))
                .map(Some)
        }
        (Object::DictView(..), Object::DictView(..) | Object::Set(..))
        | (Object::Set(..), Object::DictView(..)) => {
            crate::stdlib::dict_views::view_richcompare(vm, a, b, op)
        }
        _ => Ok(None),
    }
}

/// Lexicographic comparison of two lists or two tuples.
fn seq_compare(vm: &mut Vm, a: Value, b: Value, op: CompareOp) -> PyResult<bool> {
    let mut i = 0;
    loop {
        let (x, y, la, lb) = {
            let sa = vm.seq_items(a).unwrap_or(&[]);
            let sb = vm.seq_items(b).unwrap_or(&[]);
            (sa.get(i).copied(), sb.get(i).copied(), sa.len(), sb.len())
        };
        match (x, y) {
            (Some(x), Some(y)) => {
                if x.is(y) || vm.eq(x, y)? {
                    i += 1;
                    continue;
                }
                return match op {
                    CompareOp::Eq => Ok(false),
                    CompareOp::Ne => Ok(true),
                    _ => {
                        let r = vm.compare_op(x, y, op)?;
                        vm.truthy(r)
                    }
                };
            }
            _ => return Ok(op_from_ordering(op, la.cmp(&lb))),
        }
    }
}
