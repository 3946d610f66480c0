//! Methods of `int` (and so of `bool`): `bit_length`, `bit_count`,
//! `to_bytes`, `int.from_bytes`, `as_integer_ratio`, `conjugate`, the
//! conversion and unary dunders, and the `real`/`imag`/`numerator`/
//! `denominator` attributes of every number. Installs the float methods
//! and the operator dunders too.

use super::args::Params;
use super::builtins::{add_method, native, set_class_attr};
use super::builtins_numeric::{is_int, round_number};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeFn, Object};
use crate::vm::ops::arith::to_bigint;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::{BigInt, Sign};
use num_traits::{Signed, ToPrimitive, Zero};

pub fn install(vm: &mut Vm) {
    let int = vm.types.int;
    let methods: [(&'static str, NativeFn); 22] = [
        ("bit_length", bit_length),
        ("bit_count", bit_count),
        ("to_bytes", to_bytes),
        ("as_integer_ratio", as_integer_ratio),
        ("conjugate", conjugate),
        ("__index__", int_itself),
        ("__int__", int_itself),
        ("__trunc__", int_itself),
        ("__floor__", int_itself),
        ("__ceil__", int_itself),
        ("__pos__", int_itself),
        ("__float__", int_float),
        ("__round__", int_round),
        ("__neg__", int_neg),
        ("__abs__", int_abs),
        ("__invert__", int_invert),
        ("__bool__", int_bool),
        ("__hash__", int_hash),
        ("__getnewargs__", int_getnewargs),
        ("__format__", int_format),
        ("__repr__", int_repr),
        ("__sizeof__", int_sizeof),
    ];
    for (name, f) in methods {
        add_method(vm, int, name, f);
    }
    add_method(vm, int, "__str__", int_repr);
    let f = native(vm, "from_bytes", from_bytes);
    let f = vm.alloc(Object::ClassMethod(f));
    set_class_attr(vm, int, "from_bytes", f);
    super::float_methods::install(vm);
    super::number_dunders::install(vm);
}

/// `real`, `imag`, `numerator` and `denominator` of an int, bool or float
/// (None for other values and names).
pub fn number_attr(vm: &mut Vm, v: Value, name: &str) -> Option<Value> {
    if let Value::Float(f) = v {
        return match name {
            "real" => Some(Value::Float(f)),
            "imag" => Some(Value::Float(0.0)),
            _ => None,
        };
    }
    if !is_int(vm, v) {
        return None;
    }
    match name {
        "real" | "numerator" => Some(match v {
            Value::Bool(b) => Value::Int(b as i64),
            // An int subclass instance gives its plain int value.
            Value::Obj(r) if vm.heap.has_ext(r) => {
                let b = to_bigint(vm, v)?;
                vm.new_bigint(b)
            }
            _ => v,
        }),
        "imag" => Some(Value::Int(0)),
        "denominator" => Some(Value::Int(1)),
        _ => None,
    }
}

/// The integer receiver of an `int` method (`bool`s are ints).
fn int_self(vm: &mut Vm, args: &[Value], name: &str) -> PyResult<BigInt> {
    let Some(&v) = args.first() else {
        return Err(vm.type_error(format!("unbound method int.{name}() needs an argument")));
    };
    match to_bigint(vm, v) {
        Some(b) => Ok(b),
        None => {
            let msg = format!(
                "descriptor '{name}' for 'int' objects doesn't apply to a '{}' object",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// A method taking no arguments besides the receiver.
fn int_self_only(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    name: &str,
) -> PyResult<BigInt> {
    let b = int_self(vm, args, name)?;
    if !kw.is_empty() {
        return Err(vm.type_error(format!("int.{name}() takes no keyword arguments")));
    }
    if args.len() > 1 {
        return Err(vm.type_error(format!(
            "int.{name}() takes no arguments ({} given)",
            args.len() - 1
        )));
    }
    Ok(b)
}

fn bit_length(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "bit_length")?;
    Ok(Value::Int(b.bits() as i64))
}

fn bit_count(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "bit_count")?;
    let ones: u64 = b
        .magnitude()
        .iter_u64_digits()
        .map(|d| d.count_ones() as u64)
        .sum();
    Ok(Value::Int(ones as i64))
}

fn as_integer_ratio(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "as_integer_ratio")?;
    let n = vm.new_bigint(b);
    Ok(vm.new_tuple(vec![n, Value::Int(1)]))
}

fn conjugate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "conjugate")?;
    Ok(vm.new_bigint(b))
}

/// `__int__`, `__index__`, `__trunc__`, ...: the value as a plain int.
fn int_itself(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "__int__")?;
    Ok(vm.new_bigint(b))
}

fn int_float(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "__float__")?;
    int_to_f64(vm, &b).map(Value::Float)
}

/// An int as the nearest float; OverflowError when out of range.
pub fn int_to_f64(vm: &mut Vm, b: &BigInt) -> PyResult<f64> {
    match b.to_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(vm.new_error(ExcKind::OverflowError, "int too large to convert to float")),
    }
}

fn int_round(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self(vm, args, "__round__")?;
    if !kw.is_empty() || args.len() > 2 {
        let msg = format!(
            "__round__ expected at most 1 argument, got {}",
            args.len() - 1 + kw.len()
        );
        return Err(vm.type_error(msg));
    }
    let x = vm.new_bigint(b);
    match args.get(1) {
        Some(&nd) => {
            // `int.__round__` wants an integer even for None.
            super::builtins_numeric::index_bigint(vm, nd)?;
            round_number(vm, x, Some(nd))
        }
        None => round_number(vm, x, None),
    }
}

fn int_neg(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "__neg__")?;
    Ok(vm.new_bigint(-b))
}

fn int_abs(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "__abs__")?;
    Ok(vm.new_bigint(b.abs()))
}

fn int_invert(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "__invert__")?;
    Ok(vm.new_bigint(!b))
}

fn int_bool(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "__bool__")?;
    Ok(Value::Bool(!b.is_zero()))
}

fn int_hash(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    int_self_only(vm, args, kw, "__hash__")?;
    vm.hash_value(args[0]).map(Value::Int)
}

fn int_getnewargs(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "__getnewargs__")?;
    let n = vm.new_bigint(b);
    Ok(vm.new_tuple(vec![n]))
}

fn int_format(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    int_self(vm, args, "__format__")?;
    super::builtins::check_args(vm, "__format__", &args[1..], kw, 1, 1)?;
    let Some(spec) = vm.as_str(args[1]).map(str::to_string) else {
        let msg = format!(
            "__format__() argument must be str, not {}",
            vm.type_name(args[1])
        );
        return Err(vm.type_error(msg));
    };
    super::format::format_value(vm, args[0], &spec)
}

fn int_repr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    int_self_only(vm, args, kw, "__repr__")?;
    let s = vm.repr_value(args[0])?;
    Ok(vm.new_str(s))
}

fn int_sizeof(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self_only(vm, args, kw, "__sizeof__")?;
    // CPython: a 24-byte header plus 4 bytes per 30-bit digit (at least one).
    let digits = b.bits().div_ceil(30).max(1);
    Ok(Value::Int(24 + 4 * digits as i64))
}

// ---- to_bytes / from_bytes ------------------------------------------------------------

/// Parses a `byteorder` argument: true for little-endian.
fn little_endian(vm: &mut Vm, v: Option<Value>) -> PyResult<bool> {
    let Some(v) = v else { return Ok(false) };
    match vm.as_str(v) {
        Some("little") => Ok(true),
        Some("big") => Ok(false),
        Some(_) => Err(vm.value_error("byteorder must be either 'little' or 'big'")),
        None => {
            let msg = format!(
                "to_bytes() argument 'byteorder' must be str, not {}",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

fn to_bytes(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let b = int_self(vm, args, "to_bytes")?;
    let p = Params {
        fname: "to_bytes",
        names: &["length", "byteorder", "signed"],
        required: 0,
        max_positional: 2,
    };
    let a = p.bind(vm, &args[1..], kw)?;
    let length = match a[0] {
        Some(v) => super::builtins_numeric::index_bigint(vm, v)?,
        None => BigInt::from(1),
    };
    if length.is_negative() {
        return Err(vm.value_error("length argument must be non-negative"));
    }
    let little = little_endian(vm, a[1])?;
    let signed = match a[2] {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    if b.is_negative() && !signed {
        return Err(vm.new_error(
            ExcKind::OverflowError,
            "can't convert negative int to unsigned",
        ));
    }
    let mut bytes = if signed {
        b.to_signed_bytes_le()
    } else {
        b.magnitude().to_bytes_le()
    };
    if b.is_zero() {
        bytes.clear();
    }
    let length = match length.to_usize() {
        Some(n) if n >= bytes.len() => n,
        _ => return Err(vm.new_error(ExcKind::OverflowError, "int too big to convert")),
    };
    if length > (1 << 31) {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    let fill = if b.is_negative() { 0xff } else { 0 };
    bytes.resize(length, fill);
    if !little {
        bytes.reverse();
    }
    Ok(vm.alloc(Object::Bytes(bytes.into_boxed_slice())))
}

fn from_bytes(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let cls = args[0];
    let p = Params {
        fname: "from_bytes",
        names: &["bytes", "byteorder", "signed"],
        required: 1,
        max_positional: 2,
    };
    let a = p.bind(vm, &args[1..], kw)?;
    let src = a[0].unwrap();
    let little = little_endian(vm, a[1])?;
    let signed = match a[2] {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    let mut bytes = bytes_of(vm, src)?;
    if !little {
        bytes.reverse();
    }
    let n = if signed {
        BigInt::from_signed_bytes_le(&bytes)
    } else {
        BigInt::from_bytes_le(Sign::Plus, &bytes)
    };
    let v = vm.new_bigint(n);
    match cls {
        Value::Obj(c) if c == vm.types.int => Ok(v),
        Value::Obj(c) if c == vm.types.bool_ => vm.truthy(v).map(Value::Bool),
        _ => vm.call(cls, &[v], &[]),
    }
}

/// The bytes of a bytes-like object or an iterable of ints in range(256).
fn bytes_of(vm: &mut Vm, src: Value) -> PyResult<Vec<u8>> {
    if let Value::Obj(r) = src {
        match vm.heap.get(r) {
            Object::Bytes(b) => return Ok(b.to_vec()),
            Object::Str(_) => {
                return Err(vm.type_error("cannot convert 'str' object to bytes"));
            }
            _ => {}
        }
    }
    let items = match vm.collect_iterable(src) {
        Ok(items) => items,
        Err(e) if vm.exc_matches(e.0, ExcKind::TypeError) => {
            let msg = format!("cannot convert '{}' object to bytes", vm.type_name(src));
            return Err(vm.type_error(msg));
        }
        Err(e) => return Err(e),
    };
    vm.temp_roots.extend_from_slice(&items);
    let mut out = Vec::with_capacity(items.len());
    let mut result = Ok(());
    for &it in &items {
        match super::builtins_numeric::index_bigint(vm, it).map(|n| n.to_u8()) {
            Ok(Some(b)) => out.push(b),
            Ok(None) => {
                result = Err(vm.value_error("bytes must be in range(0, 256)"));
                break;
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    let keep = vm.temp_roots.len() - items.len();
    vm.temp_roots.truncate(keep);
    result.map(|_| out)
}
