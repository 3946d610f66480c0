//! Native parts of the record types written in aspy (`collections/__init__.aspy`'s
//! namedtuple and Counter, `dataclasses.aspy`), private functions of
//! `_collections`:
//!
//! - `_namedtuple_new(qualname, fields, defaults)` makes the `__new__` of a
//!   namedtuple class: a built-in bound to its signature (see
//!   `signature.rs`), so a call binds its arguments with the messages
//!   CPython gives for the `lambda _cls, x, y: ...` it compiles
//!   (`Point.__new__() missing 1 required positional argument: 'y'`), then
//!   builds the tuple of the class.
//! - `_init_fields(plan, self, args, kwargs)` is the body of a dataclass's
//!   `__init__`: it binds the arguments, fills the fields (calling default
//!   factories) and returns the values of the `InitVar` pseudo-fields.
//! - `_count_elements(mapping, iterable)` is `Counter.update`'s loop
//!   (`mapping[x] = mapping.get(x, 0) + 1`), run natively when `mapping`'s
//!   type keeps dict's `get` and `__setitem__`.

use super::signature;
use crate::stdlib::builtins::check_args;
use crate::vm::object::{Builtin, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// `_namedtuple_new(qualname, fields, defaults)`: the `__new__` function.
pub fn namedtuple_new_for(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_namedtuple_new", args, kw, 3, 3)?;
    let cls_param = Value::Obj(vm.intern("_cls"));
    let mut params = vec![cls_param];
    params.extend_from_slice(vm.seq_items(args[1]).unwrap_or(&[]));
    let params = vm.new_tuple(params);
    vm.temp_roots.push(params);
    let spec = vm.new_tuple(vec![
        args[0],
        params,
        args[2],
        vm.types.empty_tuple,
        Value::None,
    ]);
    vm.temp_roots.pop();
    Ok(vm.alloc(Object::Builtin(Box::new(Builtin {
        name: "__new__",
        func: namedtuple_new,
        receiver: spec,
        data: Value::None,
        self_method: false,
    }))))
}

/// `Point.__new__(cls, *args, **kw)`: `args[0]` is the signature.
fn namedtuple_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let mut values = signature::bind(vm, args[0], &args[1..], kw)?;
    let cls = tuple_subtype(vm, values[0])?;
    values.remove(0);
    let t = vm.new_tuple(values);
    Ok(vm.subclass_instance(t, cls))
}

/// `cls` checked as `tuple.__new__(cls, ...)` checks it.
fn tuple_subtype(vm: &mut Vm, cls: Value) -> PyResult<ObjRef> {
    let class = match cls {
        Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_)) => r,
        _ => {
            let msg = format!(
                "tuple.__new__(X): X is not a type object ({})",
                vm.type_name(cls)
            );
            return Err(vm.type_error(msg));
        }
    };
    if !vm.is_subclass(class, vm.types.tuple) {
        let name = vm.class_name(class).to_string();
        let msg = format!("tuple.__new__({name}): {name} is not a subtype of tuple");
        return Err(vm.type_error(msg));
    }
    Ok(class)
}

/// `_init_fields(plan, self, args, kwargs)`, where `plan` is
/// `(signature, steps, initvars, frozen, factory_marker)`: `steps` holds
/// one `(name, index, factory)` per field to set (`index` of its bound
/// argument, -1 for a field filled by `factory()` alone; `factory` None if
/// it has none), `initvars` the indexes of the InitVar arguments, and an
/// argument equal to `factory_marker` means "call the factory".
pub fn init_fields(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_init_fields", args, kw, 4, 4)?;
    let (plan, this, given, kwargs) = (args[0], args[1], args[2], args[3]);
    let part = |vm: &Vm, i: usize| {
        vm.seq_items(plan)
            .and_then(|p| p.get(i).copied())
            .unwrap_or(Value::None)
    };
    let (spec, steps, initvars) = (part(vm, 0), part(vm, 1), part(vm, 2));
    let (frozen, marker) = (part(vm, 3), part(vm, 4));
    let mut positional = Vec::with_capacity(1 + vm.seq_items(given).map_or(0, <[Value]>::len));
    positional.push(this);
    positional.extend_from_slice(vm.seq_items(given).unwrap_or(&[]));
    let kw: Vec<(Value, Value)> = vm
        .dict_table(kwargs)
        .map(|t| t.iter().map(|e| (e.key, e.value)).collect())
        .unwrap_or_default();
    let values = signature::bind(vm, spec, &positional, &kw)?;
    let base = vm.temp_roots.len();
    vm.temp_roots.extend_from_slice(&values);
    let r = fill_fields(
        vm,
        this,
        steps,
        &values,
        frozen.is(Value::Bool(true)),
        marker,
    );
    vm.temp_roots.truncate(base);
    r?;
    let initvars: Vec<Value> = vm
        .seq_items(initvars)
        .unwrap_or(&[])
        .iter()
        .filter_map(|&i| match i {
            Value::Int(i) => values.get(i as usize).copied(),
            _ => None,
        })
        .collect();
    Ok(vm.new_tuple(initvars))
}

/// Sets each field of a new dataclass instance from its bound argument or
/// its default factory.
fn fill_fields(
    vm: &mut Vm,
    this: Value,
    steps: Value,
    values: &[Value],
    frozen: bool,
    marker: Value,
) -> PyResult<()> {
    let n = vm.seq_items(steps).map_or(0, <[Value]>::len);
    for i in 0..n {
        let step = vm.seq_items(steps).and_then(|s| s.get(i).copied());
        let Some(step) = step else { break };
        let (name, index, factory) = match vm.seq_items(step) {
            Some(&[name, Value::Int(index), factory]) => (name, index, factory),
            _ => continue,
        };
        let bound = usize::try_from(index)
            .ok()
            .and_then(|i| values.get(i).copied());
        let value = match bound {
            Some(v) if !v.is(marker) || factory.is_none() => v,
            _ => vm.call(factory, &[], &[])?,
        };
        vm.temp_roots.push(value);
        let r = if frozen {
            vm.generic_setattr(this, name, value)
        } else {
            vm.set_attr(this, name, value)
        };
        vm.temp_roots.pop();
        r?;
    }
    Ok(())
}

/// `_count_elements(mapping, iterable)`: counts each item of `iterable`
/// into `mapping`.
pub fn count_elements(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_count_elements", args, kw, 2, 2)?;
    let (mapping, iterable) = (args[0], args[1]);
    let it = vm.get_iter(iterable)?;
    vm.temp_roots.push(it);
    let r = if plain_dict_protocol(vm, mapping) {
        count_native(vm, mapping, it)
    } else {
        count_by_calls(vm, mapping, it)
    };
    vm.temp_roots.pop();
    r.map(|()| Value::None)
}

/// Does `mapping` behave as a dict for `get` and item assignment?
fn plain_dict_protocol(vm: &mut Vm, mapping: Value) -> bool {
    let is_dict = matches!(mapping, Value::Obj(r) if matches!(vm.heap.get(r), Object::Dict(_)));
    is_dict && !vm.user_overrides(mapping, "get") && !vm.user_overrides(mapping, "__setitem__")
}

fn count_native(vm: &mut Vm, mapping: Value, it: Value) -> PyResult<()> {
    while let Some(x) = vm.iter_next(it)? {
        vm.temp_roots.push(x);
        let r = (|| {
            let n = vm.dict_get(mapping, x)?.unwrap_or(Value::Int(0));
            let n = add_one(vm, n)?;
            vm.temp_roots.push(n);
            let r = vm.dict_set(mapping, x, n);
            vm.temp_roots.pop();
            r
        })();
        vm.temp_roots.pop();
        r?;
    }
    Ok(())
}

fn count_by_calls(vm: &mut Vm, mapping: Value, it: Value) -> PyResult<()> {
    let get = vm.get_attr_str(mapping, "get")?;
    vm.temp_roots.push(get);
    let r = (|| {
        while let Some(x) = vm.iter_next(it)? {
            vm.temp_roots.push(x);
            let r = (|| {
                let n = vm.call(get, &[x, Value::Int(0)], &[])?;
                vm.temp_roots.push(n);
                let n = add_one(vm, n);
                vm.temp_roots.pop();
                let n = n?;
                vm.temp_roots.push(n);
                let r = vm.set_item(mapping, x, n);
                vm.temp_roots.pop();
                r
            })();
            vm.temp_roots.pop();
            r?;
        }
        Ok(())
    })();
    vm.temp_roots.pop();
    r
}

/// `n + 1`, natively for a small int.
fn add_one(vm: &mut Vm, n: Value) -> PyResult<Value> {
    match n {
        Value::Int(i) if i < i64::MAX => Ok(Value::Int(i + 1)),
        _ => vm.binary_op(n, Value::Int(1), crate::bytecode::BinaryOp::Add),
    }
}
