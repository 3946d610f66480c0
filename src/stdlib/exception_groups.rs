//! `BaseExceptionGroup` and `ExceptionGroup` (PEP 654, as TaskGroup raises
//! them): construction with CPython's checks (and the switch to
//! `ExceptionGroup` when every member is an `Exception`), `message`,
//! `exceptions`, `str()`, `derive`, `subgroup` and `split`. The member
//! tuple is kept in the exception's `ExcData::extra`; the grouped traceback
//! format is in `vm/exceptions.rs`.

use super::builtins::{add_method, native, set_class_attr};
use crate::vm::exceptions::{new_exception, ExcKind};
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm) {
    let base = vm.types.exc(ExcKind::BaseExceptionGroup);
    let n = native(vm, "__new__", group_new);
    let s = vm.alloc(Object::StaticMethod(n));
    set_class_attr(vm, base, "__new__", s);
    let methods: [(&'static str, NativeFn); 5] = [
        ("__init__", group_init),
        ("__str__", group_str),
        ("derive", derive),
        ("subgroup", subgroup),
        ("split", split),
    ];
    for (name, f) in methods {
        add_method(vm, base, name, f);
    }
    for (name, f) in [("message", message as NativeFn), ("exceptions", exceptions)] {
        let g = native(vm, name, f);
        let p = vm.alloc(Object::Property(Box::new([
            g,
            Value::None,
            Value::None,
            Value::None,
        ])));
        set_class_attr(vm, base, name, p);
    }
}

/// The member exceptions of a group (empty for anything else).
pub fn members(vm: &Vm, exc: Value) -> Vec<Value> {
    let Some(d) = vm.exc_data(exc) else {
        return Vec::new();
    };
    vm.seq_items(d.extra)
        .map(|s| s.to_vec())
        .unwrap_or_default()
}

/// Is `exc` an exception group?
pub fn is_group(vm: &Vm, exc: Value) -> bool {
    vm.exc_matches(exc, ExcKind::BaseExceptionGroup)
}

/// `BaseExceptionGroup(message, exceptions)`.
fn group_new(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&Value::Obj(cls)) = args.first() else {
        return Err(vm.type_error("BaseExceptionGroup.__new__(X): X is not a type object"));
    };
    let rest = &args[1..];
    if rest.len() != 2 {
        let msg = format!(
            "BaseExceptionGroup.__new__() takes exactly 2 arguments ({} given)",
            rest.len()
        );
        return Err(vm.type_error(msg));
    }
    let (message, seq) = (rest[0], rest[1]);
    if vm.as_str(message).is_none() {
        let msg = format!("argument 1 must be str, not {}", vm.type_name(message));
        return Err(vm.type_error(msg));
    }
    let is_seq = matches!(seq, Value::Obj(r) if matches!(vm.heap.get(r), Object::List(_) | Object::Tuple(_)));
    if !is_seq {
        return Err(vm.type_error("second argument (exceptions) must be a sequence"));
    }
    let excs = vm.seq_items(seq).map(|s| s.to_vec()).unwrap_or_default();
    if excs.is_empty() {
        return Err(vm.value_error("second argument (exceptions) must be a non-empty sequence"));
    }
    let mut all_exceptions = true;
    for (i, &e) in excs.iter().enumerate() {
        if vm.exc_data(e).is_none() {
            let msg = format!("Item {i} of second argument (exceptions) is not an exception");
            return Err(vm.value_error(msg));
        }
        all_exceptions &= vm.exc_matches(e, ExcKind::Exception);
    }
    let base = vm.types.exc(ExcKind::BaseExceptionGroup);
    let group = vm.types.exc(ExcKind::ExceptionGroup);
    let cls = if cls == base && all_exceptions {
        group
    } else {
        if vm.is_subclass(cls, group) && !all_exceptions {
            return Err(vm.type_error("Cannot nest BaseExceptions in an ExceptionGroup"));
        }
        cls
    };
    let e = new_exception(vm, cls, vec![message, seq]);
    let tuple = vm.new_tuple(excs);
    if let Some(d) = vm.exc_data_mut(e) {
        d.extra = tuple;
    }
    Ok(e)
}

/// `__init__` accepts the constructor's arguments (set up by `__new__`).
fn group_init(_vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::None)
}

fn this(vm: &mut Vm, args: &[Value]) -> PyResult<Value> {
    match args.first() {
        Some(&e) if is_group(vm, e) => Ok(e),
        _ => Err(vm.type_error("descriptor requires a 'BaseExceptionGroup' object")),
    }
}

fn message(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let e = this(vm, args)?;
    let a = vm.exc_data(e).map(|d| d.args).unwrap_or(Value::None);
    Ok(vm
        .seq_items(a)
        .and_then(|s| s.first().copied())
        .unwrap_or(Value::None))
}

fn exceptions(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let e = this(vm, args)?;
    Ok(vm.exc_data(e).map(|d| d.extra).unwrap_or(Value::None))
}

fn group_str(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let e = this(vm, args)?;
    let m = message(vm, args, &[])?;
    let n = members(vm, e).len();
    let text = format!(
        "{} ({n} sub-exception{})",
        vm.str_of(m),
        if n == 1 { "" } else { "s" }
    );
    Ok(vm.new_str(text))
}

/// `eg.derive(excs)`: a group of the same message around `excs`.
fn derive(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let e = this(vm, args)?;
    let excs = args.get(1).copied().unwrap_or(Value::None);
    let m = message(vm, args, &[])?;
    let _ = e;
    let base = Value::Obj(vm.types.exc(ExcKind::BaseExceptionGroup));
    vm.call(base, &[m, excs], &[])
}

/// Does exception `e` match `cond` (a type, tuple of types, or predicate)?
fn matches(vm: &mut Vm, e: Value, cond: Value) -> PyResult<bool> {
    if vm.is_exception_class(cond)
        || matches!(cond, Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_)))
    {
        return vm.exception_matches(e, cond);
    }
    if vm.is_callable(cond) {
        let r = vm.call(cond, &[e], &[])?;
        return vm.truthy(r);
    }
    Err(vm.type_error("expected a function, exception type or tuple of exception types"))
}

/// Splits group `e` by `cond`: (matching part, rest), each None when empty.
fn split_group(vm: &mut Vm, e: Value, cond: Value) -> PyResult<(Value, Value)> {
    if matches(vm, e, cond)? {
        return Ok((e, Value::None));
    }
    let mut yes = Vec::new();
    let mut no = Vec::new();
    for m in members(vm, e) {
        if is_group(vm, m) {
            let (a, b) = split_group(vm, m, cond)?;
            if !a.is_none() {
                yes.push(a);
            }
            if !b.is_none() {
                no.push(b);
            }
        } else if matches(vm, m, cond)? {
            yes.push(m);
        } else {
            no.push(m);
        }
    }
    let make = |vm: &mut Vm, part: Vec<Value>| -> PyResult<Value> {
        if part.is_empty() {
            return Ok(Value::None);
        }
        let list = vm.new_list(part);
        let d = vm.get_attr_str(e, "derive")?;
        let g = vm.call(d, &[list], &[])?;
        copy_links(vm, e, g);
        Ok(g)
    };
    let a = make(vm, yes)?;
    vm.temp_roots.push(a);
    let b = make(vm, no);
    vm.temp_roots.pop();
    Ok((a, b?))
}

/// A derived group keeps the original's cause, context and traceback.
fn copy_links(vm: &mut Vm, from: Value, to: Value) {
    let Some(d) = vm.exc_data(from) else { return };
    let (cause, context, tb) = (d.cause, d.context, d.traceback.clone());
    if let Some(t) = vm.exc_data_mut(to) {
        t.cause = cause;
        t.context = context;
        t.traceback = tb;
    }
}

fn subgroup(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let e = this(vm, args)?;
    let cond = args.get(1).copied().unwrap_or(Value::None);
    Ok(split_group(vm, e, cond)?.0)
}

fn split(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let e = this(vm, args)?;
    let cond = args.get(1).copied().unwrap_or(Value::None);
    let (a, b) = split_group(vm, e, cond)?;
    Ok(vm.new_tuple(vec![a, b]))
}
