//! `types.GenericAlias`: what `list[int]`, `dict[str, int]` or
//! `tuple[int, ...]` evaluate to (through `__class_getitem__`), so that
//! evaluated annotations print as CPython prints them.
//!
//! An alias keeps its origin class and argument tuple; calling it calls the
//! origin, other attributes are the origin's, and `isinstance` refuses it.

use super::builtins::{add_method, native, set_class_attr};
use super::modules::support::{add_getter, new_type, state_class};
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::any::Any;

/// A `types.GenericAlias` value.
pub struct GenericAlias {
    class: ObjRef,
    pub origin: Value,
    pub args: Vec<Value>,
}

impl NativeObject for GenericAlias {
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(Value::Obj(self.class));
        f(self.origin);
        self.args.iter().for_each(|&v| f(v));
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

const STATE_KEY: &str = "types.GenericAlias";

pub fn install(vm: &mut Vm) {
    let cls = new_type(vm, "GenericAlias", "types");
    vm.module_state.insert(STATE_KEY, Value::Obj(cls));
    add_method(vm, cls, "__call__", alias_call);
    add_method(vm, cls, "__repr__", alias_repr);
    add_method(vm, cls, "__eq__", alias_eq);
    add_method(vm, cls, "__hash__", alias_hash);
    add_method(vm, cls, "__getattr__", alias_getattr);
    add_method(vm, cls, "__or__", super::union_type::union_or);
    add_method(vm, cls, "__ror__", super::union_type::union_ror);
    add_getter(vm, cls, "__origin__", alias_origin);
    add_getter(vm, cls, "__args__", alias_args);
    add_getter(vm, cls, "__parameters__", alias_parameters);
    let t = &vm.types;
    for c in [t.list, t.dict, t.set, t.frozenset, t.tuple, t.type_] {
        add_class_getitem(vm, c);
    }
}

/// Gives a class CPython's `__class_getitem__` returning a `GenericAlias`
/// (for library types such as `deque` too).
pub fn add_class_getitem(vm: &mut Vm, cls: ObjRef) {
    let f = native(vm, "__class_getitem__", class_getitem);
    let f = vm.alloc(Object::ClassMethod(f));
    set_class_attr(vm, cls, "__class_getitem__", f);
}

/// Is `v` a generic alias?
pub fn is_alias(vm: &Vm, v: Value) -> bool {
    vm.native_ref::<GenericAlias>(v).is_some()
}

fn class_getitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::builtins::check_args(vm, "__class_getitem__", args, kw, 2, 2)?;
    let (origin, key) = (args[0], args[1]);
    let items = match key {
        Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_)) => {
            vm.seq_items(key).map(<[Value]>::to_vec).unwrap_or_default()
        }
        _ => vec![key],
    };
    let class = state_class(vm, STATE_KEY);
    Ok(vm.alloc(Object::Native(Box::new(GenericAlias {
        class,
        origin,
        args: items,
    }))))
}

/// The origin and arguments of the alias `args[0]`.
fn parts(vm: &Vm, args: &[Value]) -> (Value, Vec<Value>) {
    match args.first().and_then(|&a| vm.native_ref::<GenericAlias>(a)) {
        Some(g) => (g.origin, g.args.clone()),
        None => (Value::None, Vec::new()),
    }
}

fn alias_call(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (origin, _) = parts(vm, args);
    vm.call(origin, &args[1..], kw)
}

/// How a type appears inside an alias or union: `int`, `mod.Name`,
/// `None`, `...`, or the value's repr.
pub fn type_repr(vm: &mut Vm, t: Value) -> PyResult<String> {
    match t {
        Value::None => return Ok("None".into()),
        Value::Ellipsis => return Ok("...".into()),
        Value::Obj(r) if r == vm.types.none => return Ok("None".into()),
        Value::Obj(r) => {
            if let Object::Class(c) = vm.heap.get(r) {
                let (module, qual) = (vm.str_of(c.module), vm.str_of(c.qualname));
                return Ok(if module == "builtins" {
                    qual.to_string()
                } else {
                    format!("{module}.{qual}")
                });
            }
        }
        _ => {}
    }
    vm.repr_value(t)
}

fn alias_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let (origin, items) = parts(vm, args);
    let mut out = type_repr(vm, origin)?;
    out.push('[');
    if items.is_empty() {
        out.push_str("()");
    }
    for (i, &a) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&type_repr(vm, a)?);
    }
    out.push(']');
    Ok(vm.new_str(out))
}

fn alias_eq(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::builtins::check_args(vm, "__eq__", args, kw, 2, 2)?;
    if !is_alias(vm, args[1]) {
        return Ok(Value::NotImplemented);
    }
    let (o1, a1) = parts(vm, &args[..1]);
    let (o2, a2) = parts(vm, &args[1..]);
    if !o1.is(o2) || a1.len() != a2.len() {
        return Ok(Value::Bool(false));
    }
    for (x, y) in a1.into_iter().zip(a2) {
        if !vm.eq(x, y)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn alias_hash(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let (origin, items) = parts(vm, args);
    let mut h = vm.hash_value(origin)?;
    for a in items {
        h = h.wrapping_mul(1_000_003) ^ vm.hash_value(a)?;
    }
    Ok(Value::Int(if h == -1 { -2 } else { h }))
}

/// Other attributes are the origin's (`list[int].__name__`).
fn alias_getattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::builtins::check_args(vm, "__getattr__", args, kw, 2, 2)?;
    let (origin, _) = parts(vm, args);
    vm.get_attr(origin, args[1])
}

fn alias_origin(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(parts(vm, args).0)
}

fn alias_args(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let items = parts(vm, args).1;
    Ok(vm.new_tuple(items))
}

fn alias_parameters(vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(vm.types.empty_tuple)
}
