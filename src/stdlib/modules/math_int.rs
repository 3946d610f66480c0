//! The integer side of `math`: `floor`/`ceil`/`trunc` (ints of any size,
//! `__floor__`/`__ceil__`/`__trunc__`), `factorial`, `gcd`, `lcm`, `comb`,
//! `perm`, `isqrt` and `prod`. Products of many factors are computed by
//! binary splitting so that big results stay fast.

use super::args::{float_to_int, is_int, not_integer, to_bigint, to_f64};
use super::math::{one_arg, positional};
use crate::bytecode::BinaryOp;
use crate::vm::exceptions::ExcKind;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_integer::{Integer, Roots};
use num_traits::{One, Signed, ToPrimitive, Zero};

/// An int argument normalised (a bool becomes 0 or 1).
fn int_value(v: Value) -> Value {
    match v {
        Value::Bool(b) => Value::Int(b as i64),
        _ => v,
    }
}

/// floor/ceil: ints as they are, `__floor__`/`__ceil__` if defined,
/// otherwise the float rounded.
fn round_to_int(
    vm: &mut Vm,
    name: &str,
    dunder: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    f: fn(f64) -> f64,
) -> PyResult<Value> {
    one_arg(vm, name, args, kw)?;
    let v = args[0];
    if let Value::Float(x) = v {
        return float_to_int(vm, f(x));
    }
    if is_int(vm, v) {
        return Ok(int_value(v));
    }
    if let Some(m) = vm.lookup_special(v, dunder) {
        return vm.call(m, &[], &[]);
    }
    let x = to_f64(vm, v)?;
    float_to_int(vm, f(x))
}

pub fn floor(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    round_to_int(vm, "floor", "__floor__", args, kw, f64::floor)
}

pub fn ceil(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    round_to_int(vm, "ceil", "__ceil__", args, kw, f64::ceil)
}

pub fn trunc(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    one_arg(vm, "trunc", args, kw)?;
    let v = args[0];
    if let Value::Float(x) = v {
        return float_to_int(vm, x.trunc());
    }
    if is_int(vm, v) {
        return Ok(int_value(v));
    }
    match vm.lookup_special(v, "__trunc__") {
        Some(m) => vm.call(m, &[], &[]),
        None => {
            let msg = format!("type {} doesn't define __trunc__ method", vm.type_name(v));
            Err(vm.type_error(msg))
        }
    }
}

/// The product lo * (lo+1) * ... * hi (1 when lo > hi), by binary
/// splitting so the multiplications stay balanced.
fn range_product(lo: u64, hi: u64) -> BigInt {
    if lo > hi {
        return BigInt::one();
    }
    if hi - lo < 16 {
        let mut acc = BigInt::one();
        let mut small: u64 = 1;
        for i in lo..=hi {
            match small.checked_mul(i) {
                Some(p) => small = p,
                None => {
                    acc *= small;
                    small = i;
                }
            }
        }
        return acc * small;
    }
    let mid = lo + (hi - lo) / 2;
    range_product(lo, mid) * range_product(mid + 1, hi)
}

pub fn factorial(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    one_arg(vm, "factorial", args, kw)?;
    let n = to_bigint(vm, args[0])?;
    factorial_of(vm, &n)
}

fn factorial_of(vm: &mut Vm, n: &BigInt) -> PyResult<Value> {
    if n.is_negative() {
        return Err(vm.value_error("factorial() not defined for negative values"));
    }
    let Some(n) = n.to_i64() else {
        return Err(vm.new_error(
            ExcKind::OverflowError,
            "factorial() argument should not exceed 9223372036854775807",
        ));
    };
    let r = range_product(2, n as u64);
    Ok(vm.new_bigint(r))
}

pub fn gcd(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::math::no_kwargs(vm, "gcd", kw)?;
    let mut acc = BigInt::zero();
    for &a in args {
        let x = to_bigint(vm, a)?;
        if !acc.is_one() {
            acc = acc.gcd(&x);
        }
    }
    Ok(vm.new_bigint(acc))
}

pub fn lcm(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::math::no_kwargs(vm, "lcm", kw)?;
    let mut acc = BigInt::one();
    for (i, &a) in args.iter().enumerate() {
        let x = to_bigint(vm, a)?;
        if i == 0 {
            acc = x.abs();
        } else if !acc.is_zero() {
            acc = acc.lcm(&x);
        }
    }
    Ok(vm.new_bigint(acc))
}

/// The `n` and `k` of comb/perm, checked to be nonnegative.
fn n_and_k(vm: &mut Vm, n: Value, k: Value) -> PyResult<(BigInt, BigInt)> {
    let n = to_bigint(vm, n)?;
    let k = to_bigint(vm, k)?;
    if n.is_negative() {
        return Err(vm.value_error("n must be a non-negative integer"));
    }
    if k.is_negative() {
        return Err(vm.value_error("k must be a non-negative integer"));
    }
    Ok((n, k))
}

/// `k` as u64 (it is at most `n` here); OverflowError as CPython when not.
fn k_as_u64(vm: &mut Vm, k: &BigInt) -> PyResult<u64> {
    match k.to_u64().filter(|&k| k <= i64::MAX as u64) {
        Some(k) => Ok(k),
        None => Err(vm.new_error(
            ExcKind::OverflowError,
            "k must not exceed 9223372036854775807",
        )),
    }
}

/// n * (n-1) * ... * (n-k+1) for big n.
fn falling_product(n: &BigInt, k: u64) -> BigInt {
    match n.to_u64() {
        Some(n) => range_product(n - k + 1, n),
        None => {
            fn go(n: &BigInt, from: u64, to: u64) -> BigInt {
                // (n - from) * ... * (n - to + 1)
                if to - from <= 8 {
                    let mut acc = BigInt::one();
                    for i in from..to {
                        acc *= n - i;
                    }
                    return acc;
                }
                let mid = from + (to - from) / 2;
                go(n, from, mid) * go(n, mid, to)
            }
            go(n, 0, k)
        }
    }
}

pub fn comb(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "comb", args, kw, 2, 2)?;
    let (n, k) = n_and_k(vm, args[0], args[1])?;
    if k > n {
        return Ok(Value::Int(0));
    }
    let k = std::cmp::min(k.clone(), &n - &k);
    let k = k_as_u64(vm, &k)?;
    let r = falling_product(&n, k) / range_product(2, k);
    Ok(vm.new_bigint(r))
}

pub fn perm(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "perm", args, kw, 1, 2)?;
    if args.len() == 1 || args[1].is_none() {
        let n = to_bigint(vm, args[0])?;
        return factorial_of(vm, &n);
    }
    let (n, k) = n_and_k(vm, args[0], args[1])?;
    if k > n {
        return Ok(Value::Int(0));
    }
    let k = k_as_u64(vm, &k)?;
    let r = falling_product(&n, k);
    Ok(vm.new_bigint(r))
}

pub fn isqrt(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    one_arg(vm, "isqrt", args, kw)?;
    if matches!(args[0], Value::Float(_)) {
        return Err(not_integer(vm, args[0]));
    }
    let n = to_bigint(vm, args[0])?;
    if n.is_negative() {
        return Err(vm.value_error("isqrt() argument must be nonnegative"));
    }
    let r = match n.to_u64() {
        Some(u) => BigInt::from(u.sqrt()),
        None => n.sqrt(),
    };
    Ok(vm.new_bigint(r))
}

/// `math.prod(iterable, /, *, start=1)`.
pub fn prod(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let mut start = Value::Int(1);
    for &(k, v) in kw {
        if vm.str_of(k) == "start" {
            start = v;
        } else {
            let msg = format!(
                "'{}' is an invalid keyword argument for prod()",
                vm.str_of(k)
            );
            return Err(vm.type_error(msg));
        }
    }
    if args.len() != 1 {
        let msg = format!(
            "prod() takes exactly 1 positional argument ({} given)",
            args.len()
        );
        return Err(vm.type_error(msg));
    }
    let it = vm.get_iter(args[0])?;
    vm.temp_roots.push(it);
    vm.temp_roots.push(start);
    let acc_slot = vm.temp_roots.len() - 1;
    let r = loop {
        match vm.iter_next(it) {
            Ok(Some(x)) => {
                let acc = vm.temp_roots[acc_slot];
                match vm.binary_op(acc, x, BinaryOp::Mul) {
                    Ok(v) => vm.temp_roots[acc_slot] = v,
                    Err(e) => break Err(e),
                }
            }
            Ok(None) => break Ok(vm.temp_roots[acc_slot]),
            Err(e) => break Err(e),
        }
    };
    vm.temp_roots.truncate(acc_slot - 1);
    r
}
