//! `format()` and the format-spec mini-language for the built-in types,
//! and `ascii()` escaping. `%`-formatting lives in `percent_format.rs`.
//!
//! A spec is `[[fill]align][sign][z][#][0][width][,|_][.precision][type]`,
//! parsed into [`Spec`] with CPython's errors. Numbers are rendered as a
//! sign, a prefix (`0x`, ...), digits and a suffix (fraction, exponent,
//! `%`), then grouped and padded exactly as CPython's `formatter_unicode.c`
//! does, zero padding included (`format(1234, "010,")` is `00,001,234`).

use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::ops::arith::{to_bigint, to_f64};
use crate::vm::ops::text::float_repr;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::{BigInt, Sign};

pub use super::percent_format::percent_format;

/// A parsed format spec.
#[derive(Debug, Clone)]
pub struct Spec {
    pub fill: char,
    /// The alignment; None when not given (each type has its default).
    pub align: Option<char>,
    /// '+', '-' or ' '.
    pub sign: char,
    /// `z`: negative zero becomes positive.
    pub no_neg_zero: bool,
    /// `#`.
    pub alt: bool,
    pub width: usize,
    /// ',' or '_'.
    pub grouping: Option<char>,
    pub precision: Option<usize>,
    pub ty: Option<char>,
}

impl Spec {
    /// An empty spec with the given type (used by `%`-formatting).
    pub fn plain(ty: char) -> Spec {
        Spec {
            fill: ' ',
            align: None,
            sign: '-',
            no_neg_zero: false,
            alt: false,
            width: 0,
            grouping: None,
            precision: None,
            ty: Some(ty),
        }
    }
}

fn is_align(c: char) -> bool {
    matches!(c, '<' | '>' | '^' | '=')
}

/// Parses a spec for a value of type `tname` whose default alignment is
/// `default_align` ('<' for strings, '>' for numbers).
pub fn parse_spec(vm: &mut Vm, s: &str, tname: &str, default_align: char) -> PyResult<Spec> {
    let chars: Vec<char> = s.chars().collect();
    let mut spec = Spec::plain(' ');
    spec.ty = None;
    let mut i = 0;
    let mut fill_given = false;
    if chars.len() >= 2 && is_align(chars[1]) {
        spec.fill = chars[0];
        spec.align = Some(chars[1]);
        fill_given = true;
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        spec.align = Some(chars[0]);
        i = 1;
    }
    if i < chars.len() && matches!(chars[i], '+' | '-' | ' ') {
        spec.sign = chars[i];
        i += 1;
    }
    if i < chars.len() && chars[i] == 'z' {
        spec.no_neg_zero = true;
        i += 1;
    }
    if i < chars.len() && chars[i] == '#' {
        spec.alt = true;
        i += 1;
    }
    if !fill_given && i < chars.len() && chars[i] == '0' {
        spec.fill = '0';
        if spec.align.is_none() && default_align == '>' {
            spec.align = Some('=');
        }
        i += 1;
    }
    let (width, next) = parse_number(vm, &chars, i)?;
    spec.width = width.unwrap_or(0);
    i = next;
    if i < chars.len() && matches!(chars[i], ',' | '_') {
        spec.grouping = Some(chars[i]);
        i += 1;
        if i < chars.len() && matches!(chars[i], ',' | '_') {
            return Err(vm.value_error("Cannot specify both ',' and '_'."));
        }
    }
    if i < chars.len() && chars[i] == '.' {
        let (p, next) = parse_number(vm, &chars, i + 1)?;
        let Some(p) = p else {
            return Err(vm.value_error("Format specifier missing precision"));
        };
        spec.precision = Some(p);
        i = next;
    }
    if chars.len() - i > 1 {
        return Err(vm.value_error(format!(
            "Invalid format specifier '{s}' for object of type '{tname}'"
        )));
    }
    spec.ty = chars.get(i).copied();
    if let Some(g) = spec.grouping {
        let ok = match spec.ty {
            None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => true,
            Some('b' | 'o' | 'x' | 'X') => g == '_',
            _ => false,
        };
        if !ok {
            let t = spec.ty.unwrap_or('s');
            return Err(vm.value_error(format!("Cannot specify '{g}' with '{t}'.")));
        }
    }
    Ok(spec)
}

/// Digits at `chars[i..]` as a number (None if there are none).
fn parse_number(vm: &mut Vm, chars: &[char], mut i: usize) -> PyResult<(Option<usize>, usize)> {
    let start = i;
    let mut n: usize = 0;
    while i < chars.len() && chars[i].is_ascii_digit() {
        n = match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(chars[i] as usize - '0' as usize))
        {
            Some(n) if n <= isize::MAX as usize => n,
            _ => return Err(vm.value_error("Too many decimal digits in format string")),
        };
        i += 1;
    }
    Ok(((i > start).then_some(n), i))
}

/// Groups `digits` (ASCII) from the right every `every` characters with
/// `sep`, zero-extended so the result has at least `min_width` characters
/// (CPython's `InsertThousandsGrouping` with a minimum width).
fn group_digits(digits: &str, sep: Option<char>, every: usize, min_width: usize) -> String {
    let Some(sep) = sep else {
        let zeros = min_width.saturating_sub(digits.len());
        let mut out = "0".repeat(zeros);
        out.push_str(digits);
        return out;
    };
    let d = digits.as_bytes();
    let mut remaining = d.len() as i64;
    let mut min_width = min_width as i64;
    let every = every as i64;
    let mut rev: Vec<u8> = Vec::with_capacity(d.len() * 2);
    let mut first = true;
    loop {
        let l = every.min(remaining.max(min_width).max(1));
        let zeros = (l - remaining).max(0);
        let n_chars = remaining.min(l).max(0);
        if !first {
            rev.push(sep as u8);
        }
        first = false;
        for k in 0..n_chars {
            rev.push(d[(remaining - 1 - k) as usize]);
        }
        rev.extend(std::iter::repeat_n(b'0', zeros as usize));
        remaining -= n_chars;
        min_width -= l;
        if remaining <= 0 && min_width <= 0 {
            break;
        }
        min_width -= 1;
    }
    rev.reverse();
    String::from_utf8(rev).unwrap_or_default()
}

/// Lays out a number: `sign`, `prefix`, the integer `digits` (grouped per
/// the spec) and `suffix`, padded to the spec's width.
fn layout_number(
    spec: &Spec,
    sign: &str,
    prefix: &str,
    digits: &str,
    suffix: &str,
    every: usize,
) -> String {
    let align = spec.align.unwrap_or('>');
    let lead = sign.len() + prefix.len();
    let min_width = if spec.fill == '0' && align == '=' {
        spec.width.saturating_sub(lead + suffix.chars().count())
    } else {
        0
    };
    let body = group_digits(digits, spec.grouping, every, min_width);
    let len = lead + body.len() + suffix.chars().count();
    let mut out = String::with_capacity(len.max(spec.width));
    if len >= spec.width {
        out.push_str(sign);
        out.push_str(prefix);
        out.push_str(&body);
        out.push_str(suffix);
        return out;
    }
    let n = spec.width - len;
    let (left, right) = match align {
        '<' => (0, n),
        '^' => (n / 2, n - n / 2),
        _ => (n, 0),
    };
    if align == '=' {
        out.push_str(sign);
        out.push_str(prefix);
        out.extend(std::iter::repeat_n(spec.fill, n));
    } else {
        out.extend(std::iter::repeat_n(spec.fill, left));
        out.push_str(sign);
        out.push_str(prefix);
    }
    out.push_str(&body);
    out.push_str(suffix);
    out.extend(std::iter::repeat_n(spec.fill, right));
    out
}

/// Pads text (already truncated) to the spec's width.
pub fn pad_text(spec: &Spec, text: &str, default_align: char) -> String {
    let len = text.chars().count();
    if len >= spec.width {
        return text.to_string();
    }
    let n = spec.width - len;
    let (left, right) = match spec.align.unwrap_or(default_align) {
        '<' => (0, n),
        '^' => (n / 2, n - n / 2),
        _ => (n, 0),
    };
    let mut out = String::with_capacity(text.len() + n * spec.fill.len_utf8());
    out.extend(std::iter::repeat_n(spec.fill, left));
    out.push_str(text);
    out.extend(std::iter::repeat_n(spec.fill, right));
    out
}

fn sign_of(neg: bool, spec: &Spec) -> &'static str {
    match (neg, spec.sign) {
        (true, _) => "-",
        (false, '+') => "+",
        (false, ' ') => " ",
        _ => "",
    }
}

/// `{:.{prec}e}` in Python's style (exponent with a sign and two digits).
fn exp_format(a: f64, prec: usize, alt: bool) -> String {
    let s = format!("{:.*e}", prec, a);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let point = if alt && !m.contains('.') { "." } else { "" };
    format!("{m}{point}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

/// Decimal exponent of `a` (> 0) once rounded to `p` significant digits.
fn exponent_at(a: f64, p: usize) -> i32 {
    let s = format!("{:.*e}", p.saturating_sub(1), a);
    s.split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0)
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// `%g`-style rendering of a non-negative finite float with `p`
/// significant digits; `keep_zeros` for the `#` flag.
fn general(a: f64, p: usize, keep_zeros: bool) -> String {
    let p = p.max(1);
    let e = if a == 0.0 { 0 } else { exponent_at(a, p) };
    if e >= -4 && e < p as i32 {
        let s = format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, a);
        if keep_zeros {
            if s.contains('.') {
                s
            } else {
                s + "."
            }
        } else {
            strip_zeros(&s).to_string()
        }
    } else {
        let s = exp_format(a, p - 1, keep_zeros);
        if keep_zeros {
            s
        } else {
            let (m, x) = s.split_once('e').unwrap_or((&s, ""));
            format!("{}e{}", strip_zeros(m), x)
        }
    }
}

/// The digits of a finite, non-negative float for a presentation type
/// (None: the repr-like default).
pub fn float_body(a: f64, spec: &Spec) -> String {
    let prec = spec.precision;
    match spec.ty {
        Some('f' | 'F') => {
            let s = format!("{:.*}", prec.unwrap_or(6), a);
            if spec.alt && !s.contains('.') {
                s + "."
            } else {
                s
            }
        }
        Some('%') => {
            let s = format!("{:.*}", prec.unwrap_or(6), a * 100.0);
            let s = if spec.alt && !s.contains('.') {
                s + "."
            } else {
                s
            };
            s + "%"
        }
        Some('e' | 'E') => exp_format(a, prec.unwrap_or(6), spec.alt),
        Some('g' | 'G' | 'n') => general(a, prec.unwrap_or(6), spec.alt),
        _ => match prec {
            None => float_repr(a),
            Some(p) => {
                let s = general(a, p, spec.alt);
                if s.contains(['.', 'e', 'i', 'n']) {
                    s
                } else {
                    s + ".0"
                }
            }
        },
    }
}

/// Formats a float per a parsed spec.
pub fn format_float(f: f64, spec: &Spec) -> String {
    let upper = matches!(spec.ty, Some('F' | 'E' | 'G'));
    let mut body = if f.is_nan() {
        "nan".to_string()
    } else if f.is_infinite() {
        "inf".to_string()
    } else {
        float_body(f.abs(), spec)
    };
    if (f.is_nan() || f.is_infinite()) && spec.ty == Some('%') {
        body.push('%');
    }
    if upper {
        body = body.to_uppercase();
    }
    let mut neg = f.is_sign_negative() && !f.is_nan();
    if neg && spec.no_neg_zero && body.bytes().all(|b| !matches!(b, b'1'..=b'9')) {
        neg = false;
    }
    // The integer digits are grouped and zero-padded; the rest is a suffix.
    let split = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let (digits, suffix) = body.split_at(split);
    if digits.is_empty() {
        // nan/inf have no digits to group.
        let plain = Spec {
            grouping: None,
            ..spec.clone()
        };
        return layout_number(&plain, sign_of(neg, spec), "", "", suffix, 3);
    }
    layout_number(spec, sign_of(neg, spec), "", digits, suffix, 3)
}

/// Formats an integer per a parsed spec (`ty` is already known valid).
fn format_int(vm: &mut Vm, v: &BigInt, spec: &Spec, tname: &str) -> PyResult<String> {
    if spec.precision.is_some() {
        return Err(vm.value_error("Precision not allowed in integer format specifier"));
    }
    if spec.no_neg_zero {
        return Err(
            vm.value_error("Negative zero coercion (z) not allowed in integer format specifier")
        );
    }
    let neg = v.sign() == Sign::Minus;
    let m = v.magnitude();
    let (digits, prefix, every) = match spec.ty {
        None | Some('d' | 'n') => (m.to_str_radix(10), "", 3),
        Some('x') => (m.to_str_radix(16), "0x", 4),
        Some('X') => (m.to_str_radix(16).to_uppercase(), "0X", 4),
        Some('o') => (m.to_str_radix(8), "0o", 4),
        Some('b') => (m.to_str_radix(2), "0b", 4),
        Some('c') => {
            if spec.sign != '-' {
                return Err(vm.value_error("Sign not allowed with integer format specifier 'c'"));
            }
            if spec.alt {
                return Err(vm.value_error(
                    "Alternate form (#) not allowed with integer format specifier 'c'",
                ));
            }
            let c = u32::try_from(v).ok().and_then(char::from_u32);
            let Some(c) = c else {
                return Err(vm.new_error(ExcKind::OverflowError, "%c arg not in range(0x110000)"));
            };
            return Ok(pad_text(spec, c.encode_utf8(&mut [0; 4]), '>'));
        }
        Some(t) => {
            return Err(vm.value_error(format!(
                "Unknown format code '{t}' for object of type '{tname}'"
            )))
        }
    };
    let prefix = if spec.alt { prefix } else { "" };
    Ok(layout_number(
        spec,
        sign_of(neg, spec),
        prefix,
        &digits,
        "",
        every,
    ))
}

/// Formats text per a parsed spec.
fn format_str(vm: &mut Vm, s: &str, spec: &Spec, tname: &str) -> PyResult<String> {
    if let (Some(g), None) = (spec.grouping, spec.ty) {
        return Err(vm.value_error(format!("Cannot specify '{g}' with 's'.")));
    }
    if let Some(t) = spec.ty.filter(|&t| t != 's') {
        return Err(vm.value_error(format!(
            "Unknown format code '{t}' for object of type '{tname}'"
        )));
    }
    if spec.sign != '-' {
        return Err(vm.value_error("Sign not allowed in string format specifier"));
    }
    if spec.alt {
        return Err(vm.value_error("Alternate form (#) not allowed in string format specifier"));
    }
    if spec.align == Some('=') {
        return Err(vm.value_error("'=' alignment not allowed in string format specifier"));
    }
    let text = match spec.precision {
        Some(p) => match s.char_indices().nth(p) {
            Some((b, _)) => &s[..b],
            None => s,
        },
        None => s,
    };
    Ok(pad_text(spec, text, '<'))
}

/// Calls a bound `__format__` and checks that it returned a str.
fn format_via_method(vm: &mut Vm, m: Value, spec_str: &str) -> PyResult<Value> {
    let s = vm.new_str(spec_str);
    let r = vm.call(m, &[s], &[])?;
    if vm.as_str(r).is_none() {
        let msg = format!("__format__ must return a str, not {}", vm.type_name(r));
        return Err(vm.type_error(msg));
    }
    Ok(r)
}

/// `format(v, spec)`.
pub fn format_value(vm: &mut Vm, v: Value, spec_str: &str) -> PyResult<Value> {
    enum Kind {
        Int,
        Float(f64),
        Str,
        Other,
    }
    let kind = match v {
        Value::Int(_) | Value::Bool(_) => Kind::Int,
        Value::Float(f) => Kind::Float(f),
        Value::Obj(r) => match vm.heap.get(r) {
            _ if vm.user_overrides(v, "__format__") => {
                let m = vm.ext_override(v, "__format__").unwrap_or(Value::None);
                return format_via_method(vm, m, spec_str);
            }
            Object::BigInt(_) => Kind::Int,
            Object::Str(_) => Kind::Str,
            Object::Instance(_) | Object::Native(_) => {
                if let Some(m) = vm.lookup_special(v, "__format__") {
                    return format_via_method(vm, m, spec_str);
                }
                Kind::Other
            }
            _ => Kind::Other,
        },
        _ => Kind::Other,
    };
    if spec_str.is_empty() {
        return vm.to_str_value(v);
    }
    let tname = vm.type_name(v);
    let out = match kind {
        Kind::Int => {
            let spec = parse_spec(vm, spec_str, &tname, '>')?;
            let b = to_bigint(vm, v).unwrap_or_default();
            match spec.ty {
                Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => {
                    let f = int_to_f64(vm, &b)?;
                    format_float(f, &spec)
                }
                _ => format_int(vm, &b, &spec, &tname)?,
            }
        }
        Kind::Float(f) => {
            let spec = parse_spec(vm, spec_str, &tname, '>')?;
            match spec.ty {
                None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' | 'n') => {
                    format_float(f, &spec)
                }
                Some(t) => {
                    return Err(vm.value_error(format!(
                        "Unknown format code '{t}' for object of type 'float'"
                    )))
                }
            }
        }
        Kind::Str => {
            let spec = parse_spec(vm, spec_str, &tname, '<')?;
            let s = vm.str_of(v).to_string();
            format_str(vm, &s, &spec, &tname)?
        }
        Kind::Other => {
            let msg = format!("unsupported format string passed to {tname}.__format__");
            return Err(vm.type_error(msg));
        }
    };
    Ok(vm.new_str(out))
}

/// An integer as f64, with CPython's OverflowError when it is too big.
pub fn int_to_f64(vm: &mut Vm, b: &BigInt) -> PyResult<f64> {
    use num_traits::ToPrimitive;
    match b.to_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(vm.new_error(ExcKind::OverflowError, "int too large to convert to float")),
    }
}

/// A float from any real number (int, bool, float), or None.
pub fn real_to_f64(vm: &mut Vm, v: Value) -> PyResult<Option<f64>> {
    match v {
        Value::Float(f) => Ok(Some(f)),
        Value::Int(i) => Ok(Some(i as f64)),
        Value::Bool(b) => Ok(Some(b as i64 as f64)),
        _ => match to_bigint(vm, v) {
            Some(b) => int_to_f64(vm, &b).map(Some),
            None => Ok(to_f64(vm, v)),
        },
    }
}

/// `ascii()`: escapes every non-ASCII character.
pub fn ascii_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let n = c as u32;
        if n < 0x80 {
            out.push(c);
        } else if n <= 0xff {
            out.push_str(&format!("\\x{n:02x}"));
        } else if n <= 0xffff {
            out.push_str(&format!("\\u{n:04x}"));
        } else {
            out.push_str(&format!("\\U{n:08x}"));
        }
    }
    out
}
