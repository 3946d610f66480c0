//! `format()` and the format-spec mini-language, `%`-formatting of strings,
//! and `ascii()` escaping.

use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::ops::arith::{to_bigint, to_f64};
use crate::vm::ops::text::float_repr;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// A parsed format spec: `[[fill]align][sign][z][#][0][width][,|_][.precision][type]`.
#[derive(Default, Debug)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    alt: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse_spec(s: &str) -> Option<Spec> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut spec = Spec::default();
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        spec.fill = Some(chars[0]);
        spec.align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        spec.align = Some(chars[0]);
        i = 1;
    }
    if i < chars.len() && matches!(chars[i], '+' | '-' | ' ') {
        spec.sign = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == 'z' {
        i += 1;
    }
    if i < chars.len() && chars[i] == '#' {
        spec.alt = true;
        i += 1;
    }
    if i < chars.len() && chars[i] == '0' {
        spec.zero = true;
        i += 1;
    }
    let start = i;
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    if i > start {
        spec.width = chars[start..i].iter().collect::<String>().parse().ok()?;
    }
    if i < chars.len() && matches!(chars[i], ',' | '_') {
        spec.grouping = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        spec.precision = Some(chars[start..i].iter().collect::<String>().parse().ok()?);
    }
    if i < chars.len() {
        spec.ty = Some(chars[i]);
        i += 1;
    }
    if i != chars.len() {
        return None;
    }
    Some(spec)
}

fn group(digits: &str, sep: char, every: usize) -> String {
    let mut out = String::new();
    let n = digits.len();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (n - k).is_multiple_of(every) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Pads `body` (with `sign` prefix) to the spec's width.
fn pad(spec: &Spec, sign: &str, body: &str, default_align: char) -> String {
    let fill = spec.fill.unwrap_or(if spec.zero && spec.align.is_none() {
        '0'
    } else {
        ' '
    });
    let align = spec
        .align
        .unwrap_or(if spec.zero { '=' } else { default_align });
    let len = sign.chars().count() + body.chars().count();
    if len >= spec.width {
        return format!("{sign}{body}");
    }
    let n = spec.width - len;
    let f = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
    match align {
        '<' => format!("{sign}{body}{}", f(n)),
        '^' => format!("{}{sign}{body}{}", f(n / 2), f(n - n / 2)),
        '=' => format!("{sign}{}{body}", f(n)),
        _ => format!("{}{sign}{body}", f(n)),
    }
}

fn sign_str(neg: bool, spec: &Spec) -> &'static str {
    if neg {
        "-"
    } else {
        match spec.sign {
            Some('+') => "+",
            Some(' ') => " ",
            _ => "",
        }
    }
}

/// Formats a float with a fixed or exponent type, as Python does.
fn format_float(f: f64, spec: &Spec, ty: char) -> String {
    let neg = f.is_sign_negative() && !(f == 0.0 && ty == 'n');
    let a = f.abs();
    let prec = spec.precision.unwrap_or(6);
    let mut body = if a.is_nan() {
        "nan".to_string()
    } else if a.is_infinite() {
        "inf".to_string()
    } else {
        match ty {
            'f' | 'F' | '%' => {
                let v = if ty == '%' { a * 100.0 } else { a };
                format!("{:.*}", prec, v)
            }
            'e' | 'E' => exp_format(a, prec),
            'g' | 'G' | 'n' => {
                let p = if prec == 0 { 1 } else { prec };
                let e = if a == 0.0 {
                    0
                } else {
                    exp_format(a, p - 1)
                        .split('e')
                        .nth(1)
                        .unwrap()
                        .parse::<i32>()
                        .unwrap()
                };
                if e >= -4 && e < p as i32 {
                    let s = format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, a);
                    if spec.alt {
                        s
                    } else {
                        strip_zeros(&s)
                    }
                } else {
                    let s = exp_format(a, p - 1);
                    if spec.alt {
                        s
                    } else {
                        let (m, x) = s.split_once('e').unwrap();
                        format!("{}e{}", strip_zeros(m), x)
                    }
                }
            }
            _ => {
                // No type with a precision: like 'g' but at least one digit after the point.
                let p = prec.max(1);
                let e = if a == 0.0 {
                    0
                } else {
                    exp_format(a, p - 1)
                        .split('e')
                        .nth(1)
                        .unwrap()
                        .parse::<i32>()
                        .unwrap()
                };
                if e >= -4 && e < p as i32 {
                    let s = strip_zeros(&format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, a));
                    if s.contains('.') {
                        s
                    } else {
                        format!("{s}.0")
                    }
                } else {
                    let s = exp_format(a, p - 1);
                    let (m, x) = s.split_once('e').unwrap();
                    format!("{}e{}", strip_zeros(m), x)
                }
            }
        }
    };
    if ty == '%' {
        body.push('%');
    }
    if ty.is_ascii_uppercase() {
        body = body.to_uppercase();
    }
    if let Some(g) = spec.grouping {
        let (int_part, rest) = match body.find(|c: char| !c.is_ascii_digit()) {
            Some(i) => body.split_at(i),
            None => (body.as_str(), ""),
        };
        body = format!("{}{}", group(int_part, g, 3), rest);
    }
    pad(spec, sign_str(neg, spec), &body, '>')
}

fn strip_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// `{:.{prec}e}` in Python's style (two-digit exponent with sign).
fn exp_format(a: f64, prec: usize) -> String {
    let s = format!("{:.*e}", prec, a);
    let (m, e) = s.split_once('e').unwrap();
    let e: i32 = e.parse().unwrap();
    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

/// `format(v, spec)`.
pub fn format_value(vm: &mut Vm, v: Value, spec_str: &str) -> PyResult<Value> {
    // User objects: `__format__`.
    if let Value::Obj(r) = v {
        if matches!(vm.heap.get(r), Object::Instance(_) | Object::Native(_)) {
            if let Some(m) = vm.lookup_special(v, "__format__") {
                let s = vm.new_str(spec_str);
                return vm.call(m, &[s], &[]);
            }
        }
    }
    // `bool.__format__` is `int.__format__`, except that an empty spec
    // gives `str(b)`.
    if let (Value::Bool(b), "") = (v, spec_str) {
        return Ok(vm.new_str(if b { "True" } else { "False" }));
    }
    let Some(spec) = parse_spec(spec_str) else {
        return Err(vm.value_error("Invalid format specifier"));
    };
    let is_int = matches!(v, Value::Int(_) | Value::Bool(_))
        || matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::BigInt(_)));
    let out = if let Value::Float(f) = v {
        match spec.ty {
            None if spec.precision.is_none() => {
                let neg = f.is_sign_negative();
                let mut body = float_repr(f.abs());
                if let Some(g) = spec.grouping {
                    let (i, rest) = match body.find('.') {
                        Some(p) => body.split_at(p),
                        None => (body.as_str(), ""),
                    };
                    body = format!("{}{}", group(i, g, 3), rest);
                }
                pad(&spec, sign_str(neg, &spec), &body, '>')
            }
            None => format_float(f, &spec, 'r'),
            Some(t @ ('f' | 'F' | 'e' | 'E' | 'g' | 'G' | '%' | 'n')) => format_float(f, &spec, t),
            Some(t) => {
                return Err(vm.value_error(format!(
                    "Unknown format code '{t}' for object of type 'float'"
                )))
            }
        }
    } else if is_int {
        let b = to_bigint(vm, v).unwrap();
        match spec.ty {
            Some(t @ ('f' | 'F' | 'e' | 'E' | 'g' | 'G' | '%')) => {
                let f = to_f64(vm, v).unwrap();
                format_float(f, &spec, t)
            }
            Some('c') => {
                let c = char::from_u32(b.try_into().unwrap_or(0u32)).unwrap_or('\0');
                pad(&spec, "", &c.to_string(), '<')
            }
            ty => {
                let neg = b.sign() == num_bigint::Sign::Minus;
                let m = if neg { -b } else { b };
                let (digits, prefix) = match ty {
                    None | Some('d') | Some('n') => (m.to_str_radix(10), ""),
                    Some('x') => (m.to_str_radix(16), "0x"),
                    Some('X') => (m.to_str_radix(16).to_uppercase(), "0X"),
                    Some('o') => (m.to_str_radix(8), "0o"),
                    Some('b') => (m.to_str_radix(2), "0b"),
                    Some(t) => {
                        let tn = vm.type_name(v);
                        return Err(vm.value_error(format!(
                            "Unknown format code '{t}' for object of type '{tn}'"
                        )));
                    }
                };
                let digits = match spec.grouping {
                    Some(g) => group(
                        &digits,
                        g,
                        if matches!(ty, Some('x' | 'X' | 'o' | 'b')) {
                            4
                        } else {
                            3
                        },
                    ),
                    None => digits,
                };
                let sign = format!(
                    "{}{}",
                    sign_str(neg, &spec),
                    if spec.alt { prefix } else { "" }
                );
                pad(&spec, &sign, &digits, '>')
            }
        }
    } else {
        let s = vm.str_value(v)?;
        if let Some(t) = spec.ty {
            if t != 's' {
                let tn = vm.type_name(v);
                return Err(vm.value_error(format!(
                    "Unknown format code '{t}' for object of type '{tn}'"
                )));
            }
        }
        if spec.sign.is_some() {
            return Err(vm.value_error("Sign not allowed in string format specifier"));
        }
        let s: String = match spec.precision {
            Some(p) => s.chars().take(p).collect(),
            None => s,
        };
        pad(&spec, "", &s, '<')
    };
    Ok(vm.new_str(out))
}

/// `str % args`.
pub fn percent_format(vm: &mut Vm, fmt: Value, args: Value) -> PyResult<Value> {
    let f = vm.str_of(fmt).to_string();
    let items: Vec<Value> = match args {
        Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_)) => {
            vm.seq_items(args).unwrap().to_vec()
        }
        _ => vec![args],
    };
    let mut out = String::new();
    let mut it = items.into_iter();
    let chars: Vec<char> = f.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_ascii_alphabetic() && chars[i] != '%' {
            i += 1;
        }
        if i >= chars.len() {
            return Err(vm.value_error("incomplete format"));
        }
        let flags: String = chars[start..i].iter().collect();
        let conv = chars[i];
        i += 1;
        if conv == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = it.next() else {
            return Err(vm.type_error("not enough arguments for format string"));
        };
        let text = match conv {
            's' => vm.str_value(arg)?,
            'r' | 'a' => vm.repr_value(arg)?,
            'd' | 'i' | 'u' => {
                let n = match arg {
                    Value::Float(x) => vm.new_bigint(num_bigint::BigInt::from(x.trunc() as i128)),
                    _ => arg,
                };
                if to_bigint(vm, n).is_none() {
                    let msg = format!(
                        "%{conv} format: a real number is required, not {}",
                        vm.type_name(arg)
                    );
                    return Err(vm.type_error(msg));
                }
                let s = vm.new_str(format!("{flags}d"));
                let spec = vm.str_of(s).to_string();
                let r = format_value(vm, n, &spec)?;
                out.push_str(vm.str_of(r));
                continue;
            }
            'f' | 'F' | 'e' | 'E' | 'g' | 'G' | 'x' | 'X' | 'o' | 'c' => {
                let spec = format!("{flags}{conv}");
                let spec = spec.replacen('-', "<", 1);
                let r = format_value(vm, arg, &spec)?;
                out.push_str(vm.str_of(r));
                continue;
            }
            other => {
                return Err(vm.value_error(format!(
                    "unsupported format character '{other}' (0x{:x}) at index {}",
                    other as u32,
                    i - 1
                )))
            }
        };
        let spec_flags = flags.replacen('-', "<", 1);
        let spec = parse_spec(&spec_flags).unwrap_or_default();
        out.push_str(&pad(&spec, "", &text, '>'));
    }
    if it.next().is_some() {
        return Err(vm.type_error("not all arguments converted during string formatting"));
    }
    Ok(vm.new_str(out))
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

#[allow(dead_code)]
fn unused_kind() -> ExcKind {
    ExcKind::ValueError
}
