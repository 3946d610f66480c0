//! Numeric built-in functions: `round`, `divmod`, `pow`, `hex`, `oct`,
//! `bin`, and the integer/rounding helpers the number methods share.
//!
//! Rounding is exact: a float is an exact binary fraction, so rounding it
//! to `ndigits` decimal places is done on big integers (half to even, as
//! CPython's correctly rounded `_Py_dg_dtoa`), and the decimal result is
//! converted back to the nearest float by Rust's correctly rounded parser.

use super::args::Params;
use super::builtins::{check_args, def};
use crate::bytecode::BinaryOp;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::ops::arith::{float_divmod, to_bigint};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

pub fn install(vm: &mut Vm) {
    def(vm, "round", round);
    def(vm, "divmod", divmod);
    def(vm, "pow", pow);
    def(vm, "hex", hex);
    def(vm, "oct", oct);
    def(vm, "bin", bin);
}

// ---- integer conversion -------------------------------------------------------

/// Is `v` an int (or bool, or big int)?
pub fn is_int(vm: &Vm, v: Value) -> bool {
    match v {
        Value::Int(_) | Value::Bool(_) => true,
        Value::Obj(r) => matches!(vm.heap.get(r), Object::BigInt(_)),
        _ => false,
    }
}

/// `operator.index(v)`: ints as they are, other objects through
/// `__index__`; CPython's TypeError otherwise.
pub fn index_bigint(vm: &mut Vm, v: Value) -> PyResult<BigInt> {
    if let Some(b) = to_bigint(vm, v) {
        return Ok(b);
    }
    if matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Instance(_))) {
        if let Some(m) = vm.lookup_special(v, "__index__") {
            let r = vm.call(m, &[], &[])?;
            return match to_bigint(vm, r) {
                Some(b) => Ok(b),
                None => {
                    let msg = format!("__index__ returned non-int (type {})", vm.type_name(r));
                    Err(vm.type_error(msg))
                }
            };
        }
    }
    let msg = format!(
        "'{}' object cannot be interpreted as an integer",
        vm.type_name(v)
    );
    Err(vm.type_error(msg))
}

/// `operator.index(v)` clamped to the i64 range (CPython's
/// `PyNumber_AsSsize_t(v, NULL)`).
pub fn index_clamped(vm: &mut Vm, v: Value) -> PyResult<i64> {
    let b = index_bigint(vm, v)?;
    Ok(b.to_i64()
        .unwrap_or(if b.is_negative() { i64::MIN } else { i64::MAX }))
}

// ---- round --------------------------------------------------------------------

/// `n / d` rounded half to even (`d > 0`).
fn div_round_half_even(n: &BigInt, d: &BigInt) -> BigInt {
    let (q, r) = n.div_mod_floor(d);
    let twice: BigInt = r << 1u8;
    if twice > *d || (twice == *d && q.is_odd()) {
        q + 1
    } else {
        q
    }
}

/// `round(x, ndigits)` for an integer: x itself for ndigits >= 0, else the
/// nearest multiple of 10**-ndigits (ties to even).
pub fn round_int(x: &BigInt, ndigits: i64) -> BigInt {
    if ndigits >= 0 {
        return x.clone();
    }
    // 10**k exceeds 2*|x| once k passes the number of decimal digits of x:
    // everything rounds to zero (and 10**k need not be built).
    let k = ndigits.unsigned_abs();
    if k > x.bits() / 3 + 2 {
        return BigInt::zero();
    }
    let p = num_traits::pow(BigInt::from(10), k as usize);
    div_round_half_even(x, &p) * p
}

/// The largest and smallest `ndigits` at which float rounding still
/// changes anything (CPython's `NDIGITS_MAX` / `NDIGITS_MIN`).
const NDIGITS_MAX: i64 = 323;
const NDIGITS_MIN: i64 = -308;

/// `round(x, ndigits)` for a finite float; None if the result overflows.
pub fn round_float(x: f64, ndigits: i64) -> Option<f64> {
    if !x.is_finite() || x == 0.0 || ndigits > NDIGITS_MAX {
        return Some(x);
    }
    if ndigits < NDIGITS_MIN {
        return Some(0.0 * x);
    }
    let (mant, exp) = float_parts(x.abs());
    let m = BigInt::from(mant);
    let (n, d) = if ndigits >= 0 {
        let scaled = m * num_traits::pow(BigInt::from(10), ndigits as usize);
        if exp >= 0 {
            (scaled << exp as usize, BigInt::one())
        } else {
            (scaled, BigInt::one() << (-exp) as usize)
        }
    } else {
        let p = num_traits::pow(BigInt::from(10), ndigits.unsigned_abs() as usize);
        if exp >= 0 {
            (m << exp as usize, p)
        } else {
            (m, p << (-exp) as usize)
        }
    };
    let q = div_round_half_even(&n, &d);
    let text = format!("{q}e{}", -ndigits);
    let r: f64 = text.parse().unwrap_or(f64::INFINITY);
    if r.is_infinite() {
        return None;
    }
    Some(if x < 0.0 { -r } else { r })
}

/// A positive finite float as `mant * 2**exp` with an integer mantissa.
pub fn float_parts(f: f64) -> (u64, i32) {
    let bits = f.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    if e == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), e - 1075)
    }
}

/// `round(f)` without ndigits: the nearest integer, ties to even.
pub fn round_float_to_int(vm: &mut Vm, f: f64) -> PyResult<Value> {
    let r = f.round_ties_even();
    float_to_int(vm, r)
}

/// An integral float as an int (CPython's `PyLong_FromDouble`).
pub fn float_to_int(vm: &mut Vm, f: f64) -> PyResult<Value> {
    if f.is_nan() {
        return Err(vm.value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(vm.new_error(
            ExcKind::OverflowError,
            "cannot convert float infinity to integer",
        ));
    }
    let t = f.trunc();
    if t.abs() < 9.0e18 {
        return Ok(Value::Int(t as i64));
    }
    let (mant, exp) = float_parts(t.abs());
    let b = BigInt::from(mant) << exp as usize;
    Ok(vm.new_bigint(if t < 0.0 { -b } else { b }))
}

/// `int.__round__` / `float.__round__` (and `round()` for numbers).
pub fn round_number(vm: &mut Vm, x: Value, ndigits: Option<Value>) -> PyResult<Value> {
    let nd = match ndigits {
        Some(v) if !v.is_none() => Some(index_clamped(vm, v)?),
        _ => None,
    };
    if let Value::Float(f) = x {
        return match nd {
            None => round_float_to_int(vm, f),
            Some(n) => match round_float(f, n) {
                Some(r) => Ok(Value::Float(r)),
                None => Err(vm.new_error(
                    ExcKind::OverflowError,
                    "rounded value too large to represent",
                )),
            },
        };
    }
    let b = to_bigint(vm, x).unwrap_or_default();
    Ok(vm.new_bigint(round_int(&b, nd.unwrap_or(0))))
}

fn round(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let p = Params {
        fname: "round",
        names: &["number", "ndigits"],
        required: 1,
        max_positional: 2,
    };
    let a = p.bind(vm, args, kw)?;
    let (x, ndigits) = (a[0].unwrap_or(Value::None), a[1]);
    if is_int(vm, x) || matches!(x, Value::Float(_)) {
        return round_number(vm, x, ndigits);
    }
    match vm.lookup_special(x, "__round__") {
        Some(m) => match ndigits {
            Some(n) if !n.is_none() => vm.call(m, &[n], &[]),
            _ => vm.call(m, &[], &[]),
        },
        None => {
            let msg = format!("type {} doesn't define __round__ method", vm.type_name(x));
            Err(vm.type_error(msg))
        }
    }
}

// ---- divmod and pow ---------------------------------------------------------------

fn divmod(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "divmod", args, kw, 2, 2)?;
    divmod_values(vm, args[0], args[1])
}

/// `divmod(a, b)` for every operand type.
pub fn divmod_values(vm: &mut Vm, a: Value, b: Value) -> PyResult<Value> {
    if let Some(r) = number_divmod(vm, a, b)? {
        return Ok(r);
    }
    let user = |vm: &Vm, v: Value| matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Instance(_) | Object::Native(_)));
    let (ca, cb) = (vm.class_of(a), vm.class_of(b));
    let reflected_first = user(vm, b) && ca != cb && vm.is_subclass(cb, ca);
    let mut attempts: Vec<(Value, &str, Value)> = Vec::with_capacity(2);
    if reflected_first {
        attempts.push((b, "__rdivmod__", a));
    }
    if user(vm, a) {
        attempts.push((a, "__divmod__", b));
    }
    if user(vm, b) && !reflected_first && ca != cb {
        attempts.push((b, "__rdivmod__", a));
    }
    for (recv, name, other) in attempts {
        if let Some(m) = vm.lookup_special(recv, name) {
            let r = vm.call(m, &[other], &[])?;
            if !matches!(r, Value::NotImplemented) {
                return Ok(r);
            }
        }
    }
    let msg = format!(
        "unsupported operand type(s) for divmod(): '{}' and '{}'",
        vm.type_name(a),
        vm.type_name(b)
    );
    Err(vm.type_error(msg))
}

/// `divmod` of two built-in numbers; None when either is not one.
pub fn number_divmod(vm: &mut Vm, a: Value, b: Value) -> PyResult<Option<Value>> {
    let a_int = is_int(vm, a);
    let b_int = is_int(vm, b);
    let a_num = a_int || matches!(a, Value::Float(_));
    let b_num = b_int || matches!(b, Value::Float(_));
    if !(a_num && b_num) {
        return Ok(None);
    }
    let (q, r) = if a_int && b_int {
        let (x, y) = (to_bigint(vm, a).unwrap(), to_bigint(vm, b).unwrap());
        if y.is_zero() {
            return Err(vm.new_error(
                ExcKind::ZeroDivisionError,
                "integer division or modulo by zero",
            ));
        }
        let (q, r) = x.div_mod_floor(&y);
        (vm.new_bigint(q), vm.new_bigint(r))
    } else {
        let x = crate::vm::ops::arith::to_f64(vm, a).unwrap();
        let y = crate::vm::ops::arith::to_f64(vm, b).unwrap();
        if y == 0.0 {
            return Err(vm.new_error(ExcKind::ZeroDivisionError, "float divmod()"));
        }
        let (q, r) = float_divmod(x, y);
        (Value::Float(q), Value::Float(r))
    };
    Ok(Some(vm.new_tuple(vec![q, r])))
}

fn pow(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let p = Params {
        fname: "pow",
        names: &["base", "exp", "mod"],
        required: 2,
        max_positional: 3,
    };
    let a = p.bind(vm, args, kw)?;
    let (base, exp) = (a[0].unwrap(), a[1].unwrap());
    match a[2] {
        Some(m) if !m.is_none() => pow3(vm, base, exp, m),
        _ => vm.binary_op(base, exp, BinaryOp::Pow),
    }
}

/// Three-argument `pow(base, exp, mod)`.
pub fn pow3(vm: &mut Vm, base: Value, exp: Value, m: Value) -> PyResult<Value> {
    if is_int(vm, base) && is_int(vm, exp) && is_int(vm, m) {
        let (b, e, m) = (
            to_bigint(vm, base).unwrap(),
            to_bigint(vm, exp).unwrap(),
            to_bigint(vm, m).unwrap(),
        );
        return int_pow_mod(vm, b, e, m);
    }
    let numeric = |vm: &Vm, v: Value| is_int(vm, v) || matches!(v, Value::Float(_));
    if numeric(vm, base) && numeric(vm, exp) && numeric(vm, m) {
        return Err(
            vm.type_error("pow() 3rd argument not allowed unless all arguments are integers")
        );
    }
    if matches!(base, Value::Obj(r) if matches!(vm.heap.get(r), Object::Instance(_))) {
        if let Some(f) = vm.lookup_special(base, "__pow__") {
            let r = vm.call(f, &[exp, m], &[])?;
            if !matches!(r, Value::NotImplemented) {
                return Ok(r);
            }
        }
    }
    let msg = format!(
        "unsupported operand type(s) for ** or pow(): '{}', '{}', '{}'",
        vm.type_name(base),
        vm.type_name(exp),
        vm.type_name(m)
    );
    Err(vm.type_error(msg))
}

/// `pow(b, e, m)` on integers, with CPython's sign rules and modular
/// inverses for negative exponents.
fn int_pow_mod(vm: &mut Vm, b: BigInt, e: BigInt, m: BigInt) -> PyResult<Value> {
    if m.is_zero() {
        return Err(vm.value_error("pow() 3rd argument cannot be 0"));
    }
    let negative_mod = m.is_negative();
    let m = m.abs();
    let mut b = b.mod_floor(&m);
    if e.is_negative() {
        match b.modinv(&m) {
            Some(inv) => b = inv,
            None => return Err(vm.value_error("base is not invertible for the given modulus")),
        }
    }
    let mut r = b.modpow(&e.abs(), &m);
    if negative_mod && !r.is_zero() {
        r -= &m;
    }
    Ok(vm.new_bigint(r))
}

// ---- hex, oct, bin ----------------------------------------------------------------

/// `hex`/`oct`/`bin`: sign, prefix, digits.
fn radix_text(vm: &mut Vm, v: Value, radix: u32, prefix: &str) -> PyResult<Value> {
    let b = index_bigint(vm, v)?;
    let digits = b.magnitude().to_str_radix(radix);
    let sign = if b.is_negative() { "-" } else { "" };
    Ok(vm.new_str(format!("{sign}{prefix}{digits}")))
}

fn hex(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "hex", args, kw, 1, 1)?;
    radix_text(vm, args[0], 16, "0x")
}

fn oct(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "oct", args, kw, 1, 1)?;
    radix_text(vm, args[0], 8, "0o")
}

fn bin(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "bin", args, kw, 1, 1)?;
    radix_text(vm, args[0], 2, "0b")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_rounding_is_exact_half_even() {
        assert_eq!(round_float(2.675, 2), Some(2.67));
        assert_eq!(round_float(0.125, 2), Some(0.12));
        assert_eq!(round_float(0.375, 2), Some(0.38));
        assert_eq!(round_float(1234.5678, -2), Some(1200.0));
        assert_eq!(round_float(5e22, -23), Some(0.0));
        assert_eq!(round_float(1.7976931348623157e308, -308), None);
        assert!(round_float(-0.4, 0).unwrap().is_sign_negative());
    }

    #[test]
    fn int_rounding_ties_to_even() {
        let r = |x: i64, n: i64| round_int(&BigInt::from(x), n);
        assert_eq!(r(25, -1), BigInt::from(20));
        assert_eq!(r(35, -1), BigInt::from(40));
        assert_eq!(r(-1250, -2), BigInt::from(-1200));
        assert_eq!(r(7, -400), BigInt::from(0));
    }
}
