//! Built-in functions about characters and text: `chr`, `ord`, `ascii`
//! and `format` (the format-spec machinery is in `format.rs`).

use super::builtins::{check_args, def};
use super::builtins_numeric::index_bigint;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_traits::ToPrimitive;

pub fn install(vm: &mut Vm) {
    def(vm, "chr", chr);
    def(vm, "ord", ord);
    def(vm, "ascii", ascii);
    def(vm, "format", format);
}

fn chr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "chr", args, kw, 1, 1)?;
    let code = index_bigint(vm, args[0])?;
    let Some(code) = code.to_i32() else {
        return Err(vm.new_error(
            ExcKind::OverflowError,
            "Python int too large to convert to C int",
        ));
    };
    if !(0..0x110000).contains(&code) {
        return Err(vm.value_error("chr() arg not in range(0x110000)"));
    }
    match char::from_u32(code as u32) {
        Some(c) => Ok(vm.new_str(c.to_string())),
        None => Err(vm.new_error(
            ExcKind::NotImplementedError,
            "aspy does not support lone surrogates",
        )),
    }
}

fn ord(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "ord", args, kw, 1, 1)?;
    let v = args[0];
    let (code, len) = match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Str(s) => {
                let mut chars = s.as_str().chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => return Ok(Value::Int(c as i64)),
                    _ => (None, s.as_str().chars().count()),
                }
            }
            Object::Bytes(b) => (b.first().copied().filter(|_| b.len() == 1), b.len()),
            _ => (None, usize::MAX),
        },
        _ => (None, usize::MAX),
    };
    if let Some(c) = code {
        return Ok(Value::Int(c as i64));
    }
    let msg = if len == usize::MAX {
        format!(
            "ord() expected string of length 1, but {} found",
            vm.type_name(v)
        )
    } else {
        format!("ord() expected a character, but string of length {len} found")
    };
    Err(vm.type_error(msg))
}

fn ascii(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "ascii", args, kw, 1, 1)?;
    let r = vm.repr_value(args[0])?;
    let escaped = super::format::ascii_escape(&r);
    Ok(vm.new_str(escaped))
}

fn format(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "format", args, kw, 1, 2)?;
    let spec = match args.get(1) {
        None => String::new(),
        Some(&s) => match vm.as_str(s) {
            Some(text) => text.to_string(),
            None => {
                let msg = format!("format() argument 2 must be str, not {}", vm.type_name(s));
                return Err(vm.type_error(msg));
            }
        },
    };
    super::format::format_value(vm, args[0], &spec)
}
