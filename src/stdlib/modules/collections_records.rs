//! Native accelerators for the classes `collections.aspy` defines:
//!
//! - `_namedtuple_new(qualname, fields, defaults)` makes the `__new__` of a
//!   namedtuple class: a built-in bound to the tuple `(qualname, fields,
//!   defaults)` that binds its arguments to the field names with the
//!   messages CPython gives for the `lambda _cls, x, y: ...` it compiles
//!   (`Point.__new__() missing 1 required positional argument: 'y'`), then
//!   builds the tuple of the class.
//! - `_count_elements(mapping, iterable)` is `Counter.update`'s loop
//!   (`mapping[x] = mapping.get(x, 0) + 1`), run natively when `mapping`'s
//!   type keeps dict's `get` and `__setitem__`.

use crate::stdlib::builtins::check_args;
use crate::vm::object::{Builtin, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// `_namedtuple_new(qualname, fields, defaults)`: the `__new__` function.
pub fn namedtuple_new_for(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_namedtuple_new", args, kw, 3, 3)?;
    let spec = vm.new_tuple(args.to_vec());
    Ok(vm.alloc(Object::Builtin(Box::new(Builtin {
        name: "__new__",
        func: namedtuple_new,
        receiver: spec,
        data: Value::None,
        self_method: false,
    }))))
}

/// The parts of a namedtuple's `__new__` spec.
struct Spec {
    qualname: String,
    fields: Vec<Value>,
    defaults: Vec<Value>,
}

fn spec_of(vm: &Vm, spec: Value) -> Spec {
    let parts = vm.seq_items(spec).unwrap_or(&[]);
    let part = |i: usize| parts.get(i).copied().unwrap_or(Value::None);
    let (q, f, d) = (part(0), part(1), part(2));
    Spec {
        qualname: vm.as_str(q).unwrap_or("__new__").to_string(),
        fields: vm.seq_items(f).map(<[Value]>::to_vec).unwrap_or_default(),
        defaults: vm.seq_items(d).map(<[Value]>::to_vec).unwrap_or_default(),
    }
}

/// `Point.__new__(cls, *args, **kw)`: `args[0]` is the spec.
fn namedtuple_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let spec = spec_of(vm, args[0]);
    let given = &args[1..];
    let nparams = spec.fields.len() + 1;
    // Parameter 0 is `_cls`; parameters 1.. are the fields.
    let mut slots: Vec<Option<Value>> = vec![None; nparams];
    for (slot, &a) in slots.iter_mut().zip(given) {
        *slot = Some(a);
    }
    for &(k, v) in kw {
        let key = vm.str_of(k);
        let i = if key == "_cls" {
            Some(0)
        } else {
            spec.fields
                .iter()
                .position(|&f| vm.as_str(f) == Some(key))
                .map(|i| i + 1)
        };
        let Some(i) = i else {
            let msg = format!(
                "{}() got an unexpected keyword argument '{key}'",
                spec.qualname
            );
            return Err(vm.type_error(msg));
        };
        if slots[i].is_some() {
            let msg = format!(
                "{}() got multiple values for argument '{key}'",
                spec.qualname
            );
            return Err(vm.type_error(msg));
        }
        slots[i] = Some(v);
    }
    let ndefaults = spec.defaults.len().min(spec.fields.len());
    let required = nparams - ndefaults;
    if given.len() > nparams {
        let takes = if required == nparams {
            format!("{nparams}")
        } else {
            format!("from {required} to {nparams}")
        };
        let s = if nparams == 1 { "" } else { "s" };
        let were = if given.len() == 1 { "was" } else { "were" };
        let msg = format!(
            "{}() takes {takes} positional argument{s} but {} {were} given",
            spec.qualname,
            given.len()
        );
        return Err(vm.type_error(msg));
    }
    let mut missing = Vec::new();
    for (i, slot) in slots.iter_mut().enumerate() {
        if slot.is_some() {
            continue;
        }
        if i >= required {
            *slot = Some(spec.defaults[spec.defaults.len() - (nparams - i)]);
        } else if i == 0 {
            missing.push("'_cls'".to_string());
        } else {
            missing.push(format!("'{}'", vm.str_of(spec.fields[i - 1])));
        }
    }
    if !missing.is_empty() {
        let names = match missing.len() {
            1 => missing[0].clone(),
            2 => format!("{} and {}", missing[0], missing[1]),
            n => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
        };
        let s = if missing.len() == 1 { "" } else { "s" };
        let msg = format!(
            "{}() missing {} required positional argument{s}: {names}",
            spec.qualname,
            missing.len()
        );
        return Err(vm.type_error(msg));
    }
    let cls = slots[0].unwrap_or(Value::None);
    let items: Vec<Value> = slots[1..]
        .iter()
        .map(|s| s.unwrap_or(Value::None))
        .collect();
    let cls = tuple_subtype(vm, cls)?;
    let t = vm.new_tuple(items);
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
