//! Methods of `float`: `is_integer`, `as_integer_ratio`, `hex`,
//! `float.fromhex`, `conjugate`, and the conversion and unary dunders
//! (`__trunc__`, `__floor__`, `__ceil__`, `__round__`, `__int__`, ...).
//!
//! `hex`/`fromhex` work on the exact binary value: `fromhex` collects every
//! hex digit into a big integer and rounds once (half to even, with
//! subnormals), as CPython does.

use super::builtins::{add_method, native, set_class_attr};
use super::builtins_numeric::{float_parts, float_to_int, round_number};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeFn, Object};
use crate::vm::ops::text::float_repr;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_traits::{One, ToPrimitive, Zero};

thread_local! {
    /// The payload of the last NaN made by [`fresh_nan`].
    static NAN_PAYLOAD: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A NaN for `float("nan")`: in CPython each call makes a new object, so
/// `[float("nan")] == [float("nan")]` is false while a list holding the same
/// NaN twice compares equal (`is` comes first). Floats are inline values
/// here; a distinct payload per NaN gives `is` the same answers.
pub fn fresh_nan(negative: bool) -> f64 {
    const QUIET: u64 = 0x7ff8_0000_0000_0000;
    const PAYLOAD: u64 = 0x0007_ffff_ffff_ffff;
    let payload = NAN_PAYLOAD.with(|p| {
        let next = (p.get() + 1) & PAYLOAD;
        p.set(next);
        next
    });
    let sign = if negative { 1u64 << 63 } else { 0 };
    f64::from_bits(sign | QUIET | payload)
}

pub fn install(vm: &mut Vm) {
    let float = vm.types.float;
    let methods: [(&'static str, NativeFn); 19] = [
        ("is_integer", is_integer),
        ("as_integer_ratio", as_integer_ratio),
        ("hex", hex),
        ("conjugate", float_itself),
        ("__float__", float_itself),
        ("__pos__", float_itself),
        ("__int__", float_trunc),
        ("__trunc__", float_trunc),
        ("__floor__", float_floor),
        ("__ceil__", float_ceil),
        ("__round__", float_round),
        ("__neg__", float_neg),
        ("__abs__", float_abs),
        ("__bool__", float_bool),
        ("__hash__", float_hash),
        ("__getnewargs__", float_getnewargs),
        ("__format__", float_format),
        ("__repr__", float_repr_method),
        ("__str__", float_repr_method),
    ];
    for (name, f) in methods {
        add_method(vm, float, name, f);
    }
    let class_methods: [(&'static str, NativeFn); 2] =
        [("fromhex", fromhex), ("__getformat__", getformat)];
    for (name, f) in class_methods {
        let f = native(vm, name, f);
        let f = vm.alloc(Object::ClassMethod(f));
        set_class_attr(vm, float, name, f);
    }
}

/// `float.__getformat__(kind)`: the machine's float format.
fn getformat(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::builtins::check_args(vm, "__getformat__", &args[1..], kw, 1, 1)?;
    match vm.as_str(args[1]) {
        Some("double" | "float") => Ok(vm.new_str("IEEE, little-endian")),
        Some(_) => Err(vm.value_error("__getformat__() argument 1 must be 'double' or 'float'")),
        None => {
            let msg = format!(
                "__getformat__() argument must be str, not {}",
                vm.type_name(args[1])
            );
            Err(vm.type_error(msg))
        }
    }
}

/// The float receiver of a method that takes no other arguments.
fn float_self(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], name: &str) -> PyResult<f64> {
    let f = match args.first() {
        Some(&Value::Float(f)) => f,
        Some(&v) => {
            let msg = format!(
                "descriptor '{name}' for 'float' objects doesn't apply to a '{}' object",
                vm.type_name(v)
            );
            return Err(vm.type_error(msg));
        }
        None => {
            return Err(vm.type_error(format!("unbound method float.{name}() needs an argument")))
        }
    };
    if !kw.is_empty() {
        return Err(vm.type_error(format!("float.{name}() takes no keyword arguments")));
    }
    if args.len() > 1 {
        return Err(vm.type_error(format!(
            "float.{name}() takes no arguments ({} given)",
            args.len() - 1
        )));
    }
    Ok(f)
}

fn is_integer(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = float_self(vm, args, kw, "is_integer")?;
    Ok(Value::Bool(f.is_finite() && f.fract() == 0.0))
}

fn as_integer_ratio(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = float_self(vm, args, kw, "as_integer_ratio")?;
    if f.is_nan() {
        return Err(vm.value_error("cannot convert NaN to integer ratio"));
    }
    if f.is_infinite() {
        return Err(vm.new_error(
            ExcKind::OverflowError,
            "cannot convert Infinity to integer ratio",
        ));
    }
    let (mut mant, mut exp) = float_parts(f.abs());
    if mant == 0 {
        let zero = Value::Int(0);
        return Ok(vm.new_tuple(vec![zero, Value::Int(1)]));
    }
    // Lowest terms: the denominator is a power of two.
    let tz = mant.trailing_zeros().min(exp.unsigned_abs()) as i32;
    if exp < 0 {
        mant >>= tz;
        exp += tz;
    }
    let mut num = BigInt::from(mant);
    let mut den = BigInt::one();
    if exp >= 0 {
        num <<= exp as usize;
    } else {
        den <<= (-exp) as usize;
    }
    if f < 0.0 {
        num = -num;
    }
    let (n, d) = (vm.new_bigint(num), vm.new_bigint(den));
    Ok(vm.new_tuple(vec![n, d]))
}

fn float_itself(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    float_self(vm, args, kw, "conjugate").map(Value::Float)
}

fn float_trunc(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = float_self(vm, args, kw, "__trunc__")?;
    float_to_int(vm, f)
}

fn float_floor(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = float_self(vm, args, kw, "__floor__")?;
    float_to_int(vm, f.floor())
}

fn float_ceil(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = float_self(vm, args, kw, "__ceil__")?;
    float_to_int(vm, f.ceil())
}

fn float_round(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let nd = args.get(1).copied();
    let rest = if args.len() > 1 { &args[..1] } else { args };
    if args.len() > 2 {
        let msg = format!(
            "__round__ expected at most 1 argument, got {}",
            args.len() - 1
        );
        return Err(vm.type_error(msg));
    }
    let f = float_self(vm, rest, kw, "__round__")?;
    round_number(vm, Value::Float(f), nd)
}

fn float_neg(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    float_self(vm, args, kw, "__neg__").map(|f| Value::Float(-f))
}

fn float_abs(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    float_self(vm, args, kw, "__abs__").map(|f| Value::Float(f.abs()))
}

fn float_bool(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    float_self(vm, args, kw, "__bool__").map(|f| Value::Bool(f != 0.0))
}

fn float_hash(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = float_self(vm, args, kw, "__hash__")?;
    Ok(Value::Int(crate::vm::ops::hashing::hash_float(f)))
}

fn float_getnewargs(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = float_self(vm, args, kw, "__getnewargs__")?;
    Ok(vm.new_tuple(vec![Value::Float(f)]))
}

fn float_format(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let rest = if args.len() > 1 { &args[..1] } else { args };
    let f = float_self(vm, rest, kw, "__format__")?;
    let spec = match args.get(1).map(|&s| (s, vm.as_str(s).map(str::to_string))) {
        Some((_, Some(s))) if args.len() == 2 => s,
        Some((s, None)) => {
            let msg = format!("__format__() argument must be str, not {}", vm.type_name(s));
            return Err(vm.type_error(msg));
        }
        _ => {
            let msg = format!(
                "__format__() takes exactly one argument ({} given)",
                args.len() - 1
            );
            return Err(vm.type_error(msg));
        }
    };
    super::format::format_value(vm, Value::Float(f), &spec)
}

fn float_repr_method(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = float_self(vm, args, kw, "__repr__")?;
    Ok(vm.new_str(float_repr(f)))
}

// ---- hex / fromhex ------------------------------------------------------------------

fn hex(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = float_self(vm, args, kw, "hex")?;
    Ok(vm.new_str(float_hex(f)))
}

/// `float.hex()`: `[-]0x1.<13 hex digits>p<exp>` (`0x0.` for subnormals).
pub fn float_hex(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0x0.0p+0");
    }
    let bits = f.abs().to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    let (lead, exp) = if e == 0 { (0, -1022) } else { (1, e - 1023) };
    let esign = if exp < 0 { '-' } else { '+' };
    format!("{sign}0x{lead}.{frac:013x}p{esign}{}", exp.abs())
}

fn fromhex(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::builtins::check_args(vm, "fromhex", &args[1..], kw, 1, 1)?;
    let Some(text) = vm.as_str(args[1]).map(str::to_string) else {
        let msg = format!(
            "fromhex() argument must be str, not {}",
            vm.type_name(args[1])
        );
        return Err(vm.type_error(msg));
    };
    let f = match parse_hex_float(&text) {
        Ok(f) => f,
        Err(HexError::Invalid) => {
            return Err(vm.value_error("invalid hexadecimal floating-point string"))
        }
        Err(HexError::Overflow) => {
            return Err(vm.new_error(
                ExcKind::OverflowError,
                "hexadecimal value too large to represent as a float",
            ))
        }
    };
    let cls = args[0];
    if cls.is(Value::Obj(vm.types.float)) {
        return Ok(Value::Float(f));
    }
    vm.call(cls, &[Value::Float(f)], &[])
}

/// Why a hex float string was refused.
#[derive(Debug, PartialEq)]
pub enum HexError {
    Invalid,
    Overflow,
}

/// Parses CPython's `float.fromhex` syntax, correctly rounded.
pub fn parse_hex_float(text: &str) -> Result<f64, HexError> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let signed = |f: f64| if neg { -f } else { f };
    let lower = body.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "infinity" => return Ok(signed(f64::INFINITY)),
        "nan" => return Ok(fresh_nan(neg)),
        _ => {}
    }
    let rest = lower.strip_prefix("0x").unwrap_or(&lower);
    let (digits, exp_text) = match rest.split_once('p') {
        Some((d, e)) => (d, Some(e)),
        None => (rest, None),
    };
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, f),
        None => (digits, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(HexError::Invalid);
    }
    let mut mant = BigInt::zero();
    for c in int_part.chars().chain(frac_part.chars()) {
        let d = c.to_digit(16).ok_or(HexError::Invalid)?;
        mant = (mant << 4u8) + d;
    }
    let exp: i64 = match exp_text {
        Some(e) => parse_exponent(e)?,
        None => 0,
    };
    let exp = exp.saturating_sub(4 * frac_part.len() as i64);
    round_to_f64(&mant, exp).map(signed)
}

/// A decimal exponent with optional sign, clamped to a safe range.
fn parse_exponent(e: &str) -> Result<i64, HexError> {
    let (neg, digits) = match e.as_bytes().first() {
        Some(b'-') => (true, &e[1..]),
        Some(b'+') => (false, &e[1..]),
        _ => (false, e),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HexError::Invalid);
    }
    let v: i64 = digits.parse().unwrap_or(1 << 40).min(1 << 40);
    Ok(if neg { -v } else { v })
}

/// `mant * 2**exp` rounded half to even to the nearest float.
fn round_to_f64(mant: &BigInt, exp: i64) -> Result<f64, HexError> {
    if mant.is_zero() {
        return Ok(0.0);
    }
    let bits = mant.bits() as i64;
    let msb = bits - 1 + exp;
    if msb > 1023 {
        return Err(HexError::Overflow);
    }
    if msb < -1075 {
        return Ok(0.0);
    }
    let lsb = (msb - 52).max(-1074);
    let shift = lsb - exp;
    let q = if shift > 0 {
        let s = shift as usize;
        let q: BigInt = mant >> s;
        let rem: BigInt = mant - (&q << s);
        let half = BigInt::one() << (s - 1);
        if rem > half || (rem == half && q.bit(0)) {
            q + 1
        } else {
            q
        }
    } else {
        mant << (-shift) as usize
    };
    let q = q.to_u64().unwrap_or(u64::MAX);
    if q >> 53 != 0 && lsb + 53 > 1023 {
        return Err(HexError::Overflow);
    }
    Ok(ldexp(q as f64, lsb))
}

/// `x * 2**e`, exact whenever the result is representable.
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    while e > 0 {
        let step = e.min(1000);
        x *= 2f64.powi(step as i32);
        e -= step;
    }
    while e < 0 {
        let step = e.max(-1000);
        x *= 2f64.powi(step as i32);
        e -= step;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        for f in [5.5, 0.1, 1e-320, 1.7976931348623157e308, -2.5, 5e-324] {
            assert_eq!(parse_hex_float(&float_hex(f)), Ok(f), "{f}");
        }
        assert_eq!(float_hex(5.5), "0x1.6000000000000p+2");
        assert_eq!(float_hex(1e-320), "0x0.00000000007e8p-1022");
    }

    #[test]
    fn fromhex_rounds_and_overflows() {
        assert_eq!(parse_hex_float("0x1.8p1"), Ok(3.0));
        assert_eq!(parse_hex_float("0x.8"), Ok(0.5));
        assert_eq!(parse_hex_float("1.8"), Ok(1.5));
        assert_eq!(parse_hex_float("0x1p-1080"), Ok(0.0));
        assert_eq!(parse_hex_float("0x1p1024"), Err(HexError::Overflow));
        assert_eq!(parse_hex_float("zz"), Err(HexError::Invalid));
        assert_eq!(
            parse_hex_float("0x1.fffffffffffff8p1023"),
            Err(HexError::Overflow)
        );
    }
}
