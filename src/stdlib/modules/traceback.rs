//! `_traceback`: the VM's traceback printer for `stdlib/traceback.aspy`.
//! The text is the one aspy prints for an uncaught exception, so
//! `traceback.print_exc()` in an `except` block shows what CPython's does.

use super::asyncio::set;
use crate::stdlib::builtins::{check_args, native};
use crate::vm::exceptions::ExcKind;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// `import _traceback`.
pub fn load(vm: &mut Vm) -> PyResult<Value> {
    let m = crate::stdlib::import::new_module(vm, "_traceback")?;
    let f = native(vm, "format_exception", format_exception);
    set(vm, m, "format_exception", f)?;
    let f = native(vm, "format_exception_only", format_exception_only);
    set(vm, m, "format_exception_only", f)?;
    Ok(m)
}

/// The exception argument: an exception instance, or None.
fn exception_arg(vm: &mut Vm, v: Value, name: &str) -> PyResult<Option<Value>> {
    if v.is(Value::None) {
        return Ok(None);
    }
    if vm.exc_matches(v, ExcKind::BaseException) {
        return Ok(Some(v));
    }
    let msg = format!(
        "{name}() argument must be an exception, not {}",
        vm.type_name(v)
    );
    Err(vm.type_error(msg))
}

/// `format_exception(exc, chain)`: the whole printed traceback as one
/// string (with the chained exceptions when `chain` is true).
fn format_exception(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "format_exception", args, kw, 2, 2)?;
    let Some(exc) = exception_arg(vm, args[0], "format_exception")? else {
        return Ok(vm.new_str("NoneType: None\n"));
    };
    let text = if vm.truthy(args[1])? {
        vm.format_exception(exc)
    } else {
        vm.format_exception_alone(exc)
    };
    Ok(vm.new_str(&text))
}

/// `format_exception_only(exc)`: the last line, `Type: message\n`.
fn format_exception_only(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "format_exception_only", args, kw, 1, 1)?;
    let Some(exc) = exception_arg(vm, args[0], "format_exception_only")? else {
        return Ok(vm.new_str("NoneType: None\n"));
    };
    let mut text = vm.exception_summary(exc);
    text.push('\n');
    Ok(vm.new_str(&text))
}
