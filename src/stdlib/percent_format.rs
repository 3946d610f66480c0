//! `str % args`: printf-style formatting with CPython's semantics and
//! errors: `%(key)` lookups in a mapping, the flags `-+ #0`, `*` widths and
//! precisions, and the conversions `s r a c d i u o x X e E f F g G %`.
//!
//! Each conversion renders a sign, a prefix and a body, then pads them as
//! printf does (zero padding goes between the sign/prefix and the digits).

use super::format::{float_body, real_to_f64, Spec};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::ops::arith::to_bigint;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::{BigInt, Sign};

/// The flags, width and precision of one conversion.
#[derive(Default)]
struct Conv {
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
}

/// Where the arguments come from.
struct Args {
    items: Vec<Value>,
    next: usize,
    /// The argument when it is a mapping (for `%(key)s`).
    mapping: Option<Value>,
}

impl Args {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Value> {
        match self.items.get(self.next) {
            Some(&v) => {
                self.next += 1;
                Ok(v)
            }
            None => Err(vm.type_error("not enough arguments for format string")),
        }
    }
}

/// `fmt % args` for a `str` format.
pub fn percent_format(vm: &mut Vm, fmt: Value, args: Value) -> PyResult<Value> {
    let is_tuple = matches!(args, Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_)));
    let items = if is_tuple {
        vm.seq_items(args).map(|s| s.to_vec()).unwrap_or_default()
    } else {
        vec![args]
    };
    let mapping = (!is_tuple && vm.as_str(args).is_none() && has_getitem(vm, args)).then_some(args);
    let mut a = Args {
        items,
        next: 0,
        mapping,
    };
    let f: Vec<char> = vm.str_of(fmt).chars().collect();
    let mut out = String::with_capacity(f.len());
    let mut i = 0;
    while i < f.len() {
        let c = f[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        if f.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        i = one_conversion(vm, &f, i, &mut a, &mut out)?;
    }
    if a.next < a.items.len() && a.mapping.is_none() {
        return Err(vm.type_error("not all arguments converted during string formatting"));
    }
    Ok(vm.new_str(out))
}

/// Can `v` be indexed by a key (CPython's `PyMapping_Check`)?
fn has_getitem(vm: &mut Vm, v: Value) -> bool {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Dict(_) | Object::List(_) | Object::Bytes(_) | Object::ByteArray(_) => true,
            Object::Range(_) => true,
            Object::Instance(_) | Object::Native(_) => {
                vm.lookup_special(v, "__getitem__").is_some()
            }
            _ => false,
        },
        _ => false,
    }
}

/// Parses and renders one conversion starting after its `%`; returns the
/// index after it.
fn one_conversion(
    vm: &mut Vm,
    f: &[char],
    mut i: usize,
    a: &mut Args,
    out: &mut String,
) -> PyResult<usize> {
    let mut arg_override = None;
    if f.get(i) == Some(&'(') {
        let Some(mapping) = a.mapping else {
            return Err(vm.type_error("format requires a mapping"));
        };
        let mut depth = 1;
        let start = i + 1;
        i += 1;
        while i < f.len() && depth > 0 {
            match f[i] {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        if depth > 0 {
            return Err(vm.value_error("incomplete format key"));
        }
        let key: String = f[start..i - 1].iter().collect();
        let key = vm.new_str(key);
        arg_override = Some(vm.get_item(mapping, key)?);
        // As in CPython, positional conversions after a key find nothing.
        a.next = a.items.len();
    }
    let mut c = Conv::default();
    while let Some(&ch) = f.get(i) {
        match ch {
            '-' => c.left = true,
            '0' => c.zero = true,
            '+' => c.plus = true,
            ' ' => c.space = true,
            '#' => c.alt = true,
            _ => break,
        }
        i += 1;
    }
    if f.get(i) == Some(&'*') {
        i += 1;
        let w = star_arg(vm, a)?;
        if w < 0 {
            c.left = true;
        }
        c.width = w.unsigned_abs() as usize;
    } else {
        let (w, next) = digits(vm, f, i)?;
        c.width = w.unwrap_or(0);
        i = next;
    }
    if f.get(i) == Some(&'.') {
        i += 1;
        if f.get(i) == Some(&'*') {
            i += 1;
            c.precision = Some(star_arg(vm, a)?.max(0) as usize);
        } else {
            let (p, next) = digits(vm, f, i)?;
            c.precision = Some(p.unwrap_or(0));
            i = next;
        }
    }
    while matches!(f.get(i), Some('h' | 'l' | 'L')) {
        i += 1;
    }
    let Some(&conv) = f.get(i) else {
        return Err(vm.value_error("incomplete format"));
    };
    let arg = match arg_override {
        Some(v) => v,
        None => a.next(vm)?,
    };
    let (sign, prefix, body) = render(vm, conv, arg, &c, i)?;
    pad_into(out, &c, sign, &prefix, &body, is_numeric(conv));
    Ok(i + 1)
}

fn is_numeric(conv: char) -> bool {
    matches!(
        conv,
        'd' | 'i' | 'u' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G'
    )
}

/// A `*` width or precision taken from the arguments.
fn star_arg(vm: &mut Vm, a: &mut Args) -> PyResult<i64> {
    let v = a.next(vm)?;
    match v {
        Value::Int(n) => Ok(n),
        Value::Bool(b) => Ok(b as i64),
        _ => Err(vm.type_error("* wants int")),
    }
}

fn digits(vm: &mut Vm, f: &[char], mut i: usize) -> PyResult<(Option<usize>, usize)> {
    let start = i;
    let mut n: usize = 0;
    while let Some(d) = f.get(i).and_then(|c| c.to_digit(10)) {
        n = match n.checked_mul(10).and_then(|n| n.checked_add(d as usize)) {
            Some(n) if n <= i32::MAX as usize => n,
            _ => return Err(vm.value_error("width too big")),
        };
        i += 1;
    }
    Ok(((i > start).then_some(n), i))
}

/// Renders one conversion as (sign, prefix, body).
fn render(
    vm: &mut Vm,
    conv: char,
    arg: Value,
    c: &Conv,
    at: usize,
) -> PyResult<(&'static str, String, String)> {
    match conv {
        's' | 'r' | 'a' => {
            let text = match conv {
                's' => vm.str_value(arg)?,
                'r' => vm.repr_value(arg)?,
                _ => super::format::ascii_escape(&vm.repr_value(arg)?),
            };
            let text = match c.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            };
            Ok(("", String::new(), text))
        }
        'c' => Ok(("", String::new(), char_arg(vm, arg)?.to_string())),
        'd' | 'i' | 'u' => {
            let n = match arg {
                Value::Float(x) => {
                    if !x.is_finite() {
                        let msg = if x.is_nan() {
                            "cannot convert float NaN to integer"
                        } else {
                            "cannot convert float infinity to integer"
                        };
                        let kind = if x.is_nan() {
                            ExcKind::ValueError
                        } else {
                            ExcKind::OverflowError
                        };
                        return Err(vm.new_error(kind, msg));
                    }
                    float_to_bigint(x)
                }
                _ => match int_arg(vm, arg)? {
                    Some(b) => b,
                    None => {
                        let msg = format!(
                            "%{conv} format: a real number is required, not {}",
                            vm.type_name(arg)
                        );
                        return Err(vm.type_error(msg));
                    }
                },
            };
            Ok(int_parts(&n, 10, c, ""))
        }
        'o' | 'x' | 'X' => {
            let Some(n) = int_arg(vm, arg)? else {
                let msg = format!(
                    "%{conv} format: an integer is required, not {}",
                    vm.type_name(arg)
                );
                return Err(vm.type_error(msg));
            };
            let (radix, prefix) = match conv {
                'o' => (8, "0o"),
                'x' => (16, "0x"),
                _ => (16, "0X"),
            };
            let (sign, p, body) = int_parts(&n, radix, c, if c.alt { prefix } else { "" });
            let body = if conv == 'X' {
                body.to_uppercase()
            } else {
                body
            };
            Ok((sign, p, body))
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let Some(x) = real_to_f64(vm, arg)? else {
                let msg = format!("must be real number, not {}", vm.type_name(arg));
                return Err(vm.type_error(msg));
            };
            let mut spec = Spec::plain(conv);
            spec.alt = c.alt;
            spec.precision = Some(c.precision.unwrap_or(6));
            let mut body = if x.is_nan() {
                "nan".to_string()
            } else if x.is_infinite() {
                "inf".to_string()
            } else {
                float_body(x.abs(), &spec)
            };
            if conv.is_ascii_uppercase() {
                body = body.to_uppercase();
            }
            let neg = x.is_sign_negative() && !x.is_nan();
            Ok((sign_str(neg, c), String::new(), body))
        }
        other => Err(vm.value_error(format!(
            "unsupported format character '{other}' (0x{:x}) at index {at}",
            other as u32
        ))),
    }
}

fn sign_str(neg: bool, c: &Conv) -> &'static str {
    if neg {
        "-"
    } else if c.plus {
        "+"
    } else if c.space {
        " "
    } else {
        ""
    }
}

/// An integer argument (int, bool, big int or `__index__`), or None.
fn int_arg(vm: &mut Vm, v: Value) -> PyResult<Option<BigInt>> {
    if let Some(b) = to_bigint(vm, v) {
        return Ok(Some(b));
    }
    if matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Instance(_))) {
        for name in ["__index__", "__int__"] {
            if let Some(m) = vm.lookup_special(v, name) {
                let r = vm.call(m, &[], &[])?;
                return Ok(to_bigint(vm, r));
            }
        }
    }
    Ok(None)
}

fn float_to_bigint(x: f64) -> BigInt {
    use num_traits::FromPrimitive;
    BigInt::from_f64(x.trunc()).unwrap_or_default()
}

/// Sign, prefix and digits of an integer; the precision is a minimum
/// number of digits, as in C's printf.
fn int_parts(n: &BigInt, radix: u32, c: &Conv, prefix: &str) -> (&'static str, String, String) {
    let neg = n.sign() == Sign::Minus;
    let mut digits = n.magnitude().to_str_radix(radix);
    if let Some(p) = c.precision {
        if digits.len() < p {
            digits = "0".repeat(p - digits.len()) + &digits;
        }
    }
    (sign_str(neg, c), prefix.to_string(), digits)
}

/// The `%c` argument: an int code point or a one-character string.
fn char_arg(vm: &mut Vm, v: Value) -> PyResult<char> {
    if let Some(s) = vm.as_str(v) {
        let mut it = s.chars();
        if let (Some(c), None) = (it.next(), it.next()) {
            return Ok(c);
        }
        return Err(vm.type_error("%c requires int or char"));
    }
    match int_arg(vm, v)? {
        Some(b) => match u32::try_from(&b).ok().and_then(char::from_u32) {
            Some(c) => Ok(c),
            None => Err(vm.new_error(ExcKind::OverflowError, "%c arg not in range(0x110000)")),
        },
        None => Err(vm.type_error("%c requires int or char")),
    }
}

/// Appends sign, prefix and body padded to the width: spaces on the left
/// (or right with `-`), or zeros after the sign for numbers with `0`.
fn pad_into(out: &mut String, c: &Conv, sign: &str, prefix: &str, body: &str, numeric: bool) {
    let len = sign.len() + prefix.len() + body.chars().count();
    let n = c.width.saturating_sub(len);
    if c.left {
        out.push_str(sign);
        out.push_str(prefix);
        out.push_str(body);
        out.extend(std::iter::repeat_n(' ', n));
    } else if c.zero && numeric {
        out.push_str(sign);
        out.push_str(prefix);
        out.extend(std::iter::repeat_n('0', n));
        out.push_str(body);
    } else {
        out.extend(std::iter::repeat_n(' ', n));
        out.push_str(sign);
        out.push_str(prefix);
        out.push_str(body);
    }
}
