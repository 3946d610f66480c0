//! More built-in functions: numeric helpers, `sorted`, `min`/`max`, `sum`,
//! `any`/`all`, `abs`, `chr`/`ord`, `str`-like conversions.

use super::builtins::{check_args, def};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm) {
    def(vm, "abs", abs);
    def(vm, "any", any);
    def(vm, "all", all);
}

fn abs(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "abs", args, kw, 1, 1)?;
    match args[0] {
        Value::Int(i) if i != i64::MIN => Ok(Value::Int(i.abs())),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        Value::Bool(b) => Ok(Value::Int(b as i64)),
        v => {
            if let Some(b) = crate::vm::ops::arith::to_bigint(vm, v) {
                use num_traits::Signed;
                return Ok(vm.new_bigint(b.abs()));
            }
            match vm.lookup_special(v, "__abs__") {
                Some(m) => vm.call(m, &[], &[]),
                None => {
                    let msg = format!("bad operand type for abs(): '{}'", vm.type_name(v));
                    Err(vm.type_error(msg))
                }
            }
        }
    }
}

fn any(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "any", args, kw, 1, 1)?;
    truth_scan(vm, args[0], true)
}

fn all(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "all", args, kw, 1, 1)?;
    truth_scan(vm, args[0], false)
}

/// Stops at the first item whose truth equals `stop_on`.
fn truth_scan(vm: &mut Vm, iterable: Value, stop_on: bool) -> PyResult<Value> {
    let it = vm.get_iter(iterable)?;
    vm.temp_roots.push(it);
    let r = loop {
        match vm.iter_next(it) {
            Ok(Some(x)) => match vm.truthy(x) {
                Ok(t) if t == stop_on => break Ok(Value::Bool(stop_on)),
                Ok(_) => {}
                Err(e) => break Err(e),
            },
            Ok(None) => break Ok(Value::Bool(!stop_on)),
            Err(e) => break Err(e),
        }
    };
    vm.temp_roots.pop();
    r
}
