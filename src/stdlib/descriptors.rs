//! Constructors and methods of the descriptor and helper types:
//! `classmethod`, `staticmethod`, `property` (with `getter`/`setter`/
//! `deleter`), `super` (with and without arguments), `slice`, and
//! `type.mro`.
//!
//! The lookup side of the descriptor protocol lives in `vm/descr.rs`.

use super::args::Params;
use super::builtins::{add_method, check_args};
use super::types_core::set_new;
use crate::vm::descr::Accessor;
use crate::vm::object::Object;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm) {
    let t = &vm.types;
    let (cm, sm, prop, sup, slice) = (t.classmethod, t.staticmethod, t.property, t.super_, t.slice);
    set_new(vm, cm, classmethod_new);
    add_method(vm, cm, "__get__", classmethod_get);
    set_new(vm, sm, staticmethod_new);
    add_method(vm, sm, "__get__", staticmethod_get);
    add_method(vm, sm, "__call__", staticmethod_call);
    set_new(vm, prop, property_new);
    add_method(vm, prop, "getter", property_getter);
    add_method(vm, prop, "setter", property_setter);
    add_method(vm, prop, "deleter", property_deleter);
    add_method(vm, prop, "__get__", property_get);
    add_method(vm, prop, "__set__", property_set);
    add_method(vm, prop, "__delete__", property_delete);
    add_method(vm, prop, "__set_name__", property_set_name);
    set_new(vm, sup, super_new);
    set_new(vm, slice, slice_new);
    add_method(vm, slice, "indices", slice_indices);
    let type_ = vm.types.type_;
    add_method(vm, type_, "mro", type_mro);
    let t = &vm.types;
    let singletons: [(ObjRef, crate::vm::object::NativeFn); 3] = [
        (t.none, none_new),
        (t.not_implemented, not_implemented_new),
        (t.ellipsis, ellipsis_new),
    ];
    for (cls, f) in singletons {
        set_new(vm, cls, f);
    }
}

/// `type(None)()` and the other singleton types' constructors.
fn singleton(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], v: Value) -> PyResult<Value> {
    if args.len() > 1 || !kw.is_empty() {
        let name = vm.type_name(v);
        return Err(vm.type_error(format!("{name} takes no arguments")));
    }
    Ok(v)
}

fn none_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    singleton(vm, args, kw, Value::None)
}

fn not_implemented_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    singleton(vm, args, kw, Value::NotImplemented)
}

fn ellipsis_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    singleton(vm, args, kw, Value::Ellipsis)
}

// ---- classmethod and staticmethod ---------------------------------------------------

/// The one argument of `classmethod(f)` / `staticmethod(f)`.
fn wrapped_callable(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    if !kw.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    match args {
        [_, f] => Ok(*f),
        _ => Err(vm.type_error(format!(
            "{name} expected 1 argument, got {}",
            args.len() - 1
        ))),
    }
}

fn classmethod_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = wrapped_callable(vm, "classmethod", args, kw)?;
    Ok(vm.alloc(Object::ClassMethod(f)))
}

fn staticmethod_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = wrapped_callable(vm, "staticmethod", args, kw)?;
    Ok(vm.alloc(Object::StaticMethod(f)))
}

/// `descr.__get__(obj, type=None)` arguments: (obj or None, owner class).
fn get_args(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<(Value, ObjRef)> {
    check_args(vm, "__get__", args, kw, 2, 3)?;
    let obj = args[1];
    let owner = match args.get(2) {
        Some(&Value::Obj(c)) if matches!(vm.heap.get(c), Object::Class(_)) => c,
        _ if obj.is_none() => {
            return Err(vm.type_error("__get__(None, None) is invalid"));
        }
        _ => vm.class_of(obj),
    };
    Ok((obj, owner))
}

fn classmethod_get(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (obj, owner) = get_args(vm, args, kw)?;
    vm.bind_descriptor(args[0], Some(obj), owner)
}

fn staticmethod_get(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (obj, owner) = get_args(vm, args, kw)?;
    vm.bind_descriptor(args[0], Some(obj), owner)
}

fn staticmethod_call(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = match vm.heap.get(args[0].as_obj().unwrap()) {
        Object::StaticMethod(f) => *f,
        _ => return Err(vm.type_error("descriptor '__call__' requires a 'staticmethod'")),
    };
    vm.call(f, &args[1..], kw)
}

// ---- property -----------------------------------------------------------------------

fn property_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let p = Params {
        fname: "property",
        names: &["fget", "fset", "fdel", "doc"],
        required: 0,
        max_positional: 4,
    };
    let a = p.bind(vm, &args[1..], kw)?;
    let part = |i: usize| a[i].unwrap_or(Value::None);
    let (fget, fset, fdel) = (part(0), part(1), part(2));
    let mut doc = part(3);
    if doc.is_none() && !fget.is_none() {
        doc = getter_doc(vm, fget)?;
    }
    Ok(vm.alloc(Object::Property(Box::new([
        fget,
        fset,
        fdel,
        doc,
        Value::None,
    ]))))
}

/// The `__doc__` of a getter (None when it has none).
fn getter_doc(vm: &mut Vm, fget: Value) -> PyResult<Value> {
    let name = Value::Obj(vm.intern("__doc__"));
    match vm.get_attr_opt(fget, name) {
        Ok(d) => Ok(d.unwrap_or(Value::None)),
        Err(e) if vm.exc_matches(e.0, crate::vm::exceptions::ExcKind::AttributeError) => {
            Ok(Value::None)
        }
        Err(e) => Err(e),
    }
}

fn property_parts(vm: &mut Vm, p: Value) -> PyResult<[Value; 5]> {
    match p {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Property(parts) => Ok(**parts),
            _ => Err(vm.type_error("descriptor requires a 'property' object")),
        },
        _ => Err(vm.type_error("descriptor requires a 'property' object")),
    }
}

/// A copy of the property with one accessor replaced (`getter`/`setter`/
/// `deleter`); a doc taken from the old getter follows the new one.
fn property_with(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    which: Accessor,
) -> PyResult<Value> {
    check_args(vm, "property", args, kw, 2, 2)?;
    let mut parts = property_parts(vm, args[0])?;
    let idx = which as usize;
    if matches!(which, Accessor::Get) {
        let old_doc = getter_doc(vm, parts[0])?;
        if parts[3].is_none() || parts[3].is(old_doc) {
            parts[3] = getter_doc(vm, args[1])?;
        }
    }
    parts[idx] = args[1];
    Ok(vm.alloc(Object::Property(Box::new(parts))))
}

fn property_getter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    property_with(vm, args, kw, Accessor::Get)
}

fn property_setter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    property_with(vm, args, kw, Accessor::Set)
}

fn property_deleter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    property_with(vm, args, kw, Accessor::Delete)
}

fn property_get(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (obj, owner) = get_args(vm, args, kw)?;
    let target = if obj.is_none() { None } else { Some(obj) };
    vm.bind_descriptor(args[0], target, owner)
}

fn property_set(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__set__", args, kw, 3, 3)?;
    let r = args[0].as_obj().unwrap();
    let fset = vm.property_accessor(r, Accessor::Set, args[1])?;
    vm.call(fset, &[args[1], args[2]], &[])?;
    Ok(Value::None)
}

fn property_delete(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__delete__", args, kw, 2, 2)?;
    let r = args[0].as_obj().unwrap();
    let fdel = vm.property_accessor(r, Accessor::Delete, args[1])?;
    vm.call(fdel, &[args[1]], &[])?;
    Ok(Value::None)
}

fn property_set_name(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__set_name__", args, kw, 3, 3)?;
    if let Object::Property(p) = vm.heap.get_mut(args[0].as_obj().unwrap()) {
        p[4] = args[2];
    }
    Ok(Value::None)
}

// ---- super ----------------------------------------------------------------------------

fn super_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "super", &args[1..], kw, 0, 2)?;
    let (start, obj) = match args.len() {
        1 => vm.implicit_super_args()?,
        _ => {
            let start = match args[1] {
                Value::Obj(c) if matches!(vm.heap.get(c), Object::Class(_)) => c,
                v => {
                    let msg = format!("super() argument 1 must be a type, not {}", vm.type_name(v));
                    return Err(vm.type_error(msg));
                }
            };
            (start, args.get(2).copied().unwrap_or(Value::Unbound))
        }
    };
    if !obj.is_unbound() {
        let owner = vm.super_self_class(start, obj);
        let is_class = matches!(obj, Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_)));
        let ok = vm.is_subclass(owner, start) || (is_class && vm.is_instance(obj, start));
        if !ok {
            return Err(
                vm.type_error("super(type, obj): obj must be an instance or subtype of type")
            );
        }
    }
    Ok(vm.alloc(Object::Super(start, obj)))
}

// ---- slice ------------------------------------------------------------------------------

fn slice_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if !kw.is_empty() {
        return Err(vm.type_error("slice() takes no keyword arguments"));
    }
    check_args(vm, "slice", &args[1..], kw, 1, 3)?;
    let parts = match &args[1..] {
        [stop] => [Value::None, *stop, Value::None],
        [start, stop] => [*start, *stop, Value::None],
        [start, stop, step] => [*start, *stop, *step],
        _ => unreachable!("argument count checked"),
    };
    Ok(vm.alloc(Object::Slice(Box::new(parts))))
}

fn slice_indices(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "indices", args, kw, 2, 2)?;
    let len = super::builtins_numeric::index_bigint(vm, args[1])?;
    if len < num_bigint::BigInt::from(0) {
        return Err(vm.value_error("length should not be negative"));
    }
    let len = usize::try_from(len).unwrap_or(usize::MAX >> 1);
    let ix = vm.slice_indices(args[0], len)?;
    let parts = vec![
        Value::Int(ix.start),
        Value::Int(ix.stop),
        Value::Int(ix.step),
    ];
    Ok(vm.new_tuple(parts))
}

// ---- type(name, bases, dict) and type methods -----------------------------------------

/// `cls.mro()`: the method resolution order as a list.
fn type_mro(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "mro", args, kw, 1, 1)?;
    let mro: Vec<Value> = match args[0] {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Class(c) => c.mro.iter().map(|&k| Value::Obj(k)).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    if mro.is_empty() {
        let msg = format!(
            "descriptor 'mro' for 'type' objects doesn't apply to a '{}' object",
            vm.type_name(args[0])
        );
        return Err(vm.type_error(msg));
    }
    Ok(vm.new_list(mro))
}
