//! Argument conversions for native modules, with CPython's error messages:
//! a "real number" (`PyFloat_AsDouble`), an integer through `__index__`,
//! exact int <-> float conversions.

use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_traits::{FromPrimitive, Signed, ToPrimitive, Zero};

/// A number as f64, as CPython's `PyFloat_AsDouble`: floats, ints (exactly
/// rounded; OverflowError when too large), then `__float__`, then
/// `__index__`. Anything else: "must be real number, not X".
pub fn to_f64(vm: &mut Vm, v: Value) -> PyResult<f64> {
    match v {
        Value::Float(f) => Ok(f),
        Value::Int(i) => Ok(i as f64),
        Value::Bool(b) => Ok(b as i64 as f64),
        Value::Obj(r) => {
            if let Object::BigInt(b) = vm.heap.get(r) {
                return match bigint_to_f64(b) {
                    Some(f) => Ok(f),
                    None => Err(int_too_large(vm)),
                };
            }
            if let Some(m) = vm.lookup_special(v, "__float__") {
                let f = vm.call(m, &[], &[])?;
                return match f {
                    Value::Float(f) => Ok(f),
                    _ => {
                        let msg = format!(
                            "{}.__float__ returned non-float (type {})",
                            vm.type_name(v),
                            vm.type_name(f)
                        );
                        Err(vm.type_error(msg))
                    }
                };
            }
            if vm.lookup_special(v, "__index__").is_some() {
                let i = to_bigint(vm, v)?;
                return bigint_to_f64(&i).ok_or_else(|| int_too_large(vm));
            }
            Err(not_real(vm, v))
        }
        _ => Err(not_real(vm, v)),
    }
}

fn not_real(vm: &mut Vm, v: Value) -> crate::vm::PyErr {
    let msg = format!("must be real number, not {}", vm.type_name(v));
    vm.type_error(msg)
}

/// OverflowError "int too large to convert to float".
pub fn int_too_large(vm: &mut Vm) -> crate::vm::PyErr {
    vm.new_error(
        crate::vm::exceptions::ExcKind::OverflowError,
        "int too large to convert to float",
    )
}

/// Is `v` an int (bool and big ints included)?
pub fn is_int(vm: &Vm, v: Value) -> bool {
    match v {
        Value::Int(_) | Value::Bool(_) => true,
        Value::Obj(r) => matches!(vm.heap.get(r), Object::BigInt(_)),
        _ => false,
    }
}

/// An integer argument through `__index__`, as a big integer;
/// "'X' object cannot be interpreted as an integer" otherwise.
pub fn to_bigint(vm: &mut Vm, v: Value) -> PyResult<BigInt> {
    match v {
        Value::Int(i) => Ok(BigInt::from(i)),
        Value::Bool(b) => Ok(BigInt::from(b as i64)),
        Value::Obj(r) => {
            if let Object::BigInt(b) = vm.heap.get(r) {
                return Ok((**b).clone());
            }
            if let Some(m) = vm.lookup_special(v, "__index__") {
                let i = vm.call(m, &[], &[])?;
                if is_int(vm, i) {
                    return to_bigint(vm, i);
                }
                let msg = format!("__index__ returned non-int (type {})", vm.type_name(i));
                return Err(vm.type_error(msg));
            }
            Err(not_integer(vm, v))
        }
        _ => Err(not_integer(vm, v)),
    }
}

/// An integer argument through `__index__` as i64; None if it does not
/// fit.
pub fn to_i64(vm: &mut Vm, v: Value) -> PyResult<Option<i64>> {
    match v {
        Value::Int(i) => Ok(Some(i)),
        Value::Bool(b) => Ok(Some(b as i64)),
        _ => Ok(to_bigint(vm, v)?.to_i64()),
    }
}

/// TypeError "'X' object cannot be interpreted as an integer".
pub fn not_integer(vm: &mut Vm, v: Value) -> crate::vm::PyErr {
    let msg = format!(
        "'{}' object cannot be interpreted as an integer",
        vm.type_name(v)
    );
    vm.type_error(msg)
}

/// A big integer as the nearest f64 (ties to even); None if it overflows.
pub fn bigint_to_f64(b: &BigInt) -> Option<f64> {
    if let Some(i) = b.to_i64() {
        return Some(i as f64);
    }
    let (m, e) = bigint_frexp(b);
    if e > 1024 {
        return None;
    }
    let f = m * 2f64.powi(e as i32 - 1) * 2.0;
    f.is_finite().then_some(f)
}

/// A nonzero big integer as `(m, e)` with `b ~= m * 2**e`, `0.5 <= |m| < 1`,
/// `m` rounded to 53 bits (ties to even), as CPython's `_PyLong_Frexp`.
pub fn bigint_frexp(b: &BigInt) -> (f64, u64) {
    let bits = b.bits();
    let mag = b.magnitude();
    let (top, shift) = if bits <= 64 {
        (mag.to_u64().unwrap_or(0), 0)
    } else {
        let shift = bits - 64;
        let mut top = (mag >> shift).to_u64().unwrap_or(0);
        // Sticky bit: any nonzero bit shifted out decides ties upwards.
        if mag.trailing_zeros().unwrap_or(0) < shift {
            top |= 1;
        }
        (top, shift)
    };
    // u64 -> f64 rounds to nearest, ties to even, like the hardware.
    let mut m = top as f64;
    let mut e = shift;
    // Normalise m into [0.5, 1): m currently < 2**64.
    let lz = 64 - top.leading_zeros() as u64;
    m /= 2f64.powi(lz as i32);
    e += lz;
    if m >= 1.0 {
        m /= 2.0;
        e += 1;
    }
    if b.is_negative() {
        m = -m;
    }
    (m, e)
}

/// An integral float (already floored, ceiled or truncated) as an int;
/// "cannot convert float NaN/infinity to integer" otherwise.
pub fn float_to_int(vm: &mut Vm, f: f64) -> PyResult<Value> {
    if f.is_nan() {
        return Err(vm.value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(vm.new_error(
            crate::vm::exceptions::ExcKind::OverflowError,
            "cannot convert float infinity to integer",
        ));
    }
    if f.abs() < 9.2e18 {
        return Ok(Value::Int(f as i64));
    }
    let b = BigInt::from_f64(f).unwrap_or_else(BigInt::zero);
    Ok(vm.new_bigint(b))
}

/// A keyword-only or positional argument: `args[i]` if given, else the
/// keyword `name`, else None.
pub fn arg_or_kw(
    vm: &Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    i: usize,
    name: &str,
) -> Option<Value> {
    args.get(i)
        .copied()
        .or_else(|| crate::stdlib::builtins::kwarg(vm, kw, name))
}

/// TypeError unless every keyword is one of `allowed`:
/// "f() got an unexpected keyword argument 'x'".
pub fn check_kwargs(
    vm: &mut Vm,
    fname: &str,
    kw: &[(Value, Value)],
    allowed: &[&str],
) -> PyResult<()> {
    for &(k, _) in kw {
        let k = vm.str_of(k);
        if !allowed.contains(&k) {
            let msg = format!("{fname}() got an unexpected keyword argument '{k}'");
            return Err(vm.type_error(msg));
        }
    }
    Ok(())
}

/// `builtins::check_args` for a method: the receiver `args[0]` is not
/// counted.
pub fn check_method_args(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    min: usize,
    max: usize,
) -> PyResult<()> {
    crate::stdlib::builtins::check_args(vm, name, args.get(1..).unwrap_or(&[]), kw, min, max)
}

/// The most parameters a [`Signature`] binds.
pub const MAX_PARAMS: usize = 8;

/// Bound arguments: one slot per parameter, None where the default applies.
pub type Slots = [Option<Value>; MAX_PARAMS];

/// The parameters of a function as Python would declare them, for
/// binding arguments with Python's rules and messages.
pub struct Signature<'a> {
    /// The defining class ("" for a plain function): messages name the
    /// function `owner.name`, as Python's qualified names do.
    pub owner: &'a str,
    pub name: &'a str,
    /// Positional-or-keyword parameters (a method's receiver included, as
    /// `self`); the first `required` of them have no default.
    pub params: &'a [&'a str],
    pub required: usize,
    /// Keyword-only parameters (all with defaults).
    pub kwonly: &'a [&'a str],
}

impl Signature<'_> {
    /// Binds `args` and `kw`: the slots of `params` then `kwonly`.
    pub fn bind(&self, vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Slots> {
        bind_args(vm, self, args, kw)
    }
}

fn bind_args(
    vm: &mut Vm,
    sig: &Signature,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Slots> {
    let Signature {
        owner,
        name,
        params,
        required,
        kwonly,
    } = *sig;
    debug_assert!(params.len() + kwonly.len() <= MAX_PARAMS);
    let qualname = || {
        if owner.is_empty() {
            name.to_string()
        } else {
            format!("{owner}.{name}")
        }
    };
    let np = params.len();
    if args.len() > np {
        let takes = if required == np {
            format!("{np}")
        } else {
            format!("from {required} to {np}")
        };
        let s = if np == 1 && required == np { "" } else { "s" };
        let were = if args.len() == 1 { "was" } else { "were" };
        let msg = format!(
            "{}() takes {takes} positional argument{s} but {} {were} given",
            qualname(),
            args.len()
        );
        return Err(vm.type_error(msg));
    }
    let mut slots: Slots = [None; MAX_PARAMS];
    for (slot, &a) in slots.iter_mut().zip(args) {
        *slot = Some(a);
    }
    for &(k, v) in kw {
        let key = vm.str_of(k);
        let i = match params.iter().chain(kwonly).position(|p| *p == key) {
            Some(i) => i,
            None => {
                let msg = format!(
                    "{}() got an unexpected keyword argument '{key}'",
                    qualname()
                );
                return Err(vm.type_error(msg));
            }
        };
        if slots[i].is_some() {
            let msg = format!("{}() got multiple values for argument '{key}'", qualname());
            return Err(vm.type_error(msg));
        }
        slots[i] = Some(v);
    }
    let missing: Vec<String> = (0..required)
        .filter(|&i| slots[i].is_none())
        .map(|i| format!("'{}'", params[i]))
        .collect();
    if !missing.is_empty() {
        let names = match missing.len() {
            1 => missing[0].clone(),
            2 => format!("{} and {}", missing[0], missing[1]),
            n => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
        };
        let s = if missing.len() == 1 { "" } else { "s" };
        let msg = format!(
            "{}() missing {} required positional argument{s}: {names}",
            qualname(),
            missing.len()
        );
        return Err(vm.type_error(msg));
    }
    Ok(slots)
}

/// TypeError for keywords given to a function that takes none:
/// "module.name() takes no keyword arguments".
pub fn no_kwargs(vm: &mut Vm, module: &str, name: &str, kw: &[(Value, Value)]) -> PyResult<()> {
    if kw.is_empty() {
        return Ok(());
    }
    Err(vm.type_error(format!("{module}.{name}() takes no keyword arguments")))
}

/// A function of no arguments (CPython's METH_NOARGS).
pub fn no_args(
    vm: &mut Vm,
    module: &str,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<()> {
    no_kwargs(vm, module, name, kw)?;
    if !args.is_empty() {
        let msg = format!(
            "{module}.{name}() takes no arguments ({} given)",
            args.len()
        );
        return Err(vm.type_error(msg));
    }
    Ok(())
}

/// A function of exactly one argument (CPython's METH_O).
pub fn exactly_one(
    vm: &mut Vm,
    module: &str,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<()> {
    no_kwargs(vm, module, name, kw)?;
    if args.len() != 1 {
        let msg = format!(
            "{module}.{name}() takes exactly one argument ({} given)",
            args.len()
        );
        return Err(vm.type_error(msg));
    }
    Ok(())
}

/// A positional-only function of `min..=max` arguments (CPython's
/// `_PyArg_CheckPositional`: "name expected at most 2 arguments, got 3").
pub fn positional(
    vm: &mut Vm,
    module: &str,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    min: usize,
    max: usize,
) -> PyResult<()> {
    no_kwargs(vm, module, name, kw)?;
    let n = args.len();
    let (bound, limit) = if n < min {
        (if min == max { "" } else { "at least " }, min)
    } else if n > max {
        (if min == max { "" } else { "at most " }, max)
    } else {
        return Ok(());
    };
    let s = if limit == 1 { "" } else { "s" };
    Err(vm.type_error(format!(
        "{name} expected {bound}{limit} argument{s}, got {n}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_conversion_rounds_to_nearest_even() {
        let two = BigInt::from(2);
        // 2**64 + 1 is not representable: rounds to 2**64.
        let b = two.pow(64u32) + 1;
        assert_eq!(bigint_to_f64(&b), Some(18446744073709551616.0));
        // 2**53 + 1 fits in i64: converted by the hardware.
        let b = two.pow(53u32) + 1;
        assert_eq!(bigint_to_f64(&b), Some(9007199254740992.0));
        // Just above a tie rounds up thanks to the sticky bit.
        let b = (two.pow(80u32)) + two.pow(27u32) + 1;
        assert_eq!(
            bigint_to_f64(&b),
            Some(1208925819614629174706176.0 + 268435456.0)
        );
        assert_eq!(bigint_to_f64(&two.pow(1024u32)), None);
        let (m, e) = bigint_frexp(&two.pow(100u32));
        assert_eq!((m, e), (0.5, 101));
    }
}
