//! `X | Y` on types: `types.UnionType`, as used in annotations
//! (`def f(x: int | None)`) and in `isinstance(v, int | str)`.
//!
//! A union keeps its member types in order, flattened (a union of unions
//! is one union) and without repeats; a "union" of one type is the type
//! itself. `None` stands for `NoneType`, as in CPython.

use super::builtins::add_method;
use super::modules::support::{add_getter, new_type};
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::any::Any;

/// A `types.UnionType` value.
pub struct UnionType {
    class: ObjRef,
    /// The member types (classes), at least two.
    pub args: Vec<Value>,
}

impl NativeObject for UnionType {
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(Value::Obj(self.class));
        self.args.iter().for_each(|&v| f(v));
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

const STATE_KEY: &str = "types.UnionType";

pub fn install(vm: &mut Vm) {
    let cls = new_type(vm, "UnionType", "types");
    vm.module_state.insert(STATE_KEY, Value::Obj(cls));
    add_method(vm, cls, "__or__", union_or);
    add_method(vm, cls, "__ror__", union_ror);
    add_method(vm, cls, "__repr__", union_repr);
    add_method(vm, cls, "__eq__", union_eq);
    add_method(vm, cls, "__hash__", union_hash);
    add_getter(vm, cls, "__args__", union_args);
    let type_ = vm.types.type_;
    add_method(vm, type_, "__or__", union_or);
    add_method(vm, type_, "__ror__", union_ror);
}

/// The member types of a union, or None if `v` is not one.
pub fn union_members(vm: &Vm, v: Value) -> Option<&[Value]> {
    vm.native_ref::<UnionType>(v).map(|u| &u.args[..])
}

/// The types `v` contributes to a union; None if it cannot be a member.
fn members_of(vm: &Vm, v: Value) -> Option<Vec<Value>> {
    match v {
        Value::None => Some(vec![Value::Obj(vm.types.none)]),
        Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_)) => Some(vec![v]),
        _ if super::generic_alias::is_alias(vm, v) => Some(vec![v]),
        _ => union_members(vm, v).map(<[Value]>::to_vec),
    }
}

/// `a | b` for types, None values and unions; NotImplemented otherwise.
fn make_union(vm: &mut Vm, a: Value, b: Value) -> Value {
    let (Some(left), Some(right)) = (members_of(vm, a), members_of(vm, b)) else {
        return Value::NotImplemented;
    };
    let mut args: Vec<Value> = Vec::with_capacity(left.len() + right.len());
    for t in left.into_iter().chain(right) {
        if !args.iter().any(|x| x.is(t)) {
            args.push(t);
        }
    }
    if args.len() == 1 {
        return args[0];
    }
    let class = super::modules::support::state_class(vm, STATE_KEY);
    vm.alloc(Object::Native(Box::new(UnionType { class, args })))
}

pub(crate) fn union_or(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::builtins::check_args(vm, "__or__", args, kw, 2, 2)?;
    Ok(make_union(vm, args[0], args[1]))
}

pub(crate) fn union_ror(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::builtins::check_args(vm, "__ror__", args, kw, 2, 2)?;
    Ok(make_union(vm, args[1], args[0]))
}

fn union_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let members = args
        .first()
        .and_then(|&u| union_members(vm, u))
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut parts = Vec::with_capacity(members.len());
    for t in members {
        parts.push(super::generic_alias::type_repr(vm, t)?);
    }
    Ok(vm.new_str(parts.join(" | ")))
}

fn union_eq(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::builtins::check_args(vm, "__eq__", args, kw, 2, 2)?;
    let (Some(a), Some(b)) = (union_members(vm, args[0]), union_members(vm, args[1])) else {
        return Ok(Value::NotImplemented);
    };
    // Unions compare as sets of types.
    let same = a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.is(*y)));
    Ok(Value::Bool(same))
}

fn union_hash(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let members = args
        .first()
        .and_then(|&u| union_members(vm, u))
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    // Order-independent, like the hash of a frozenset of the members.
    let mut h: i64 = 0x2f1b_5c3d;
    for t in members {
        h ^= vm.hash_value(t)?.wrapping_mul(0x9e37_79b9);
    }
    Ok(Value::Int(if h == -1 { -2 } else { h }))
}

fn union_args(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let members = args
        .first()
        .and_then(|&u| union_members(vm, u))
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    Ok(vm.new_tuple(members))
}
