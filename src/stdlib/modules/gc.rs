//! `gc`: the collector's switches. `collect()` runs a full collection (and
//! with it the reports CPython makes when objects die: coroutines never
//! awaited, task exceptions never retrieved).

use super::asyncio::set;
use crate::stdlib::builtins::{check_args, native};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// `import gc`.
pub fn load(vm: &mut Vm) -> PyResult<Value> {
    let m = crate::stdlib::import::new_module(vm, "gc")?;
    let f = native(vm, "collect", collect);
    set(vm, m, "collect", f)?;
    let f = native(vm, "isenabled", isenabled);
    set(vm, m, "isenabled", f)?;
    let f = native(vm, "enable", switch);
    set(vm, m, "enable", f)?;
    let f = native(vm, "disable", switch);
    set(vm, m, "disable", f)?;
    Ok(m)
}

/// `gc.collect(generation=2)`: the number of objects freed.
fn collect(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "collect", args, kw, 0, 1)?;
    // A collection twice over: watched objects found dead by the first are
    // finalised, then freed by the second.
    let n = vm.collect_garbage() + vm.collect_garbage();
    Ok(Value::Int(n as i64))
}

fn isenabled(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "isenabled", args, kw, 0, 0)?;
    Ok(Value::Bool(true))
}

/// `gc.enable()` / `gc.disable()`: aspy's collector always runs at its
/// safe points (disabling it would only let memory grow), so these only
/// exist for programs that call them.
fn switch(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "enable", args, kw, 0, 0)?;
    Ok(Value::None)
}
