//! Argument checks shared by the container methods, with CPython's exact
//! wording for each calling convention:
//!
//! - `METH_NOARGS` / `METH_O` methods: "list.copy() takes no arguments
//!   (1 given)", "set.add() takes exactly one argument (0 given)";
//! - methods parsed by Argument Clinic with a positional range: "pop
//!   expected at most 1 argument, got 2", "insert expected 2 arguments,
//!   got 1";
//! - a receiver of the wrong type: "descriptor 'append' for 'list' objects
//!   doesn't apply to a 'int' object".
//!
//! Every helper takes the method's full argument slice (receiver first).

use super::builtins::add_method;
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// TypeError unless `args[0]` is an instance of `cls` ("descriptor ...").
pub fn check_receiver(vm: &mut Vm, args: &[Value], cls: ObjRef, method: &str) -> PyResult<Value> {
    match args.first() {
        Some(&r) if vm.is_instance(r, cls) => Ok(r),
        Some(&r) => {
            let msg = format!(
                "descriptor '{method}' for '{}' objects doesn't apply to a '{}' object",
                vm.class_name(cls),
                vm.type_name(r)
            );
            Err(vm.type_error(msg))
        }
        None => {
            let msg = format!(
                "unbound method {}.{method}() needs an argument",
                vm.class_name(cls)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// TypeError for keyword arguments to a method that takes none.
pub fn no_keywords(vm: &mut Vm, kw: &[(Value, Value)], qualname: &str) -> PyResult<()> {
    if kw.is_empty() {
        Ok(())
    } else {
        Err(vm.type_error(format!("{qualname}() takes no keyword arguments")))
    }
}

/// A `METH_NOARGS` method: nothing after the receiver.
pub fn no_args(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], qualname: &str) -> PyResult<()> {
    no_keywords(vm, kw, qualname)?;
    if args.len() != 1 {
        let msg = format!(
            "{qualname}() takes no arguments ({} given)",
            args.len().saturating_sub(1)
        );
        return Err(vm.type_error(msg));
    }
    Ok(())
}

/// A `METH_O` method: exactly one argument after the receiver.
pub fn one_arg(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    qualname: &str,
) -> PyResult<Value> {
    no_keywords(vm, kw, qualname)?;
    if args.len() != 2 {
        let msg = format!(
            "{qualname}() takes exactly one argument ({} given)",
            args.len().saturating_sub(1)
        );
        return Err(vm.type_error(msg));
    }
    Ok(args[1])
}

/// An Argument Clinic positional range: between `min` and `max` arguments
/// after the receiver; returns them.
pub fn arg_range<'a>(
    vm: &mut Vm,
    args: &'a [Value],
    kw: &[(Value, Value)],
    name: &str,
    min: usize,
    max: usize,
) -> PyResult<&'a [Value]> {
    no_keywords(vm, kw, name)?;
    let given = &args[1.min(args.len())..];
    let n = given.len();
    if n >= min && n <= max {
        return Ok(given);
    }
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    let msg = if min == max {
        format!("{name} expected {min} {}, got {n}", plural(min))
    } else if n < min {
        format!("{name} expected at least {min} {}, got {n}", plural(min))
    } else {
        format!("{name} expected at most {max} {}, got {n}", plural(max))
    };
    Err(vm.type_error(msg))
}

/// An index argument (`__index__`), with CPython's message for others.
pub fn index_arg(vm: &mut Vm, v: Value) -> PyResult<i64> {
    match vm.to_index(v)? {
        Some(i) => Ok(i),
        None => {
            let msg = format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// Clamps a `start`/`stop` argument of `index()` to a sequence of length
/// `len` (CPython's slice-index rule: `None` means the end, negatives
/// count from the end, out-of-range values clamp). Accepts `__index__`.
pub fn clamp_bound(vm: &mut Vm, v: Option<Value>, len: usize, default: usize) -> PyResult<usize> {
    let Some(v) = v else { return Ok(default) };
    if v.is_none() {
        return Ok(default);
    }
    let Some(i) = vm.to_index(v)? else {
        return Err(vm.type_error("slice indices must be integers or have an __index__ method"));
    };
    let len = len as i64;
    let j = if i < 0 { (i + len).max(0) } else { i.min(len) };
    Ok(j as usize)
}

/// Registers a read-only attribute computed by `getter(receiver)`.
pub fn add_getter(vm: &mut Vm, cls: ObjRef, name: &'static str, getter: NativeFn) {
    let f = super::builtins::native(vm, name, getter);
    let p = vm.alloc(Object::Property(Box::new([
        f,
        Value::None,
        Value::None,
        Value::None,
    ])));
    super::builtins::set_class_attr(vm, cls, name, p);
}

/// Registers many methods on one class.
pub fn add_methods(vm: &mut Vm, cls: ObjRef, methods: &[(&'static str, NativeFn)]) {
    for &(name, f) in methods {
        add_method(vm, cls, name, f);
    }
}
