//! Conversion to text: `repr()`, `str()` and f-string formatting, with
//! CPython's exact output for every built-in type (floats included).

use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Object, SetKind, StrObj};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// CPython's `repr(float)`: the shortest string that round-trips, in
/// positional notation for exponents -4 <= e < 16, scientific otherwise.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits.
    let sci = format!("{:e}", f);
    let (mant, exp) = sci.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let neg = mant.starts_with('-');
    let mut digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    prefer_even_on_tie(f.abs(), &mut digits, exp);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let e = exp as usize;
            if digits.len() > e + 1 {
                out.push_str(&digits[..e + 1]);
                out.push('.');
                out.push_str(&digits[e + 1..]);
            } else {
                out.push_str(&digits);
                for _ in digits.len()..e + 1 {
                    out.push('0');
                }
                out.push_str(".0");
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    }
    out
}

/// Among the shortest digit strings that round-trip, CPython's dtoa picks
/// the one nearest the exact value and, on an exact tie, the one with an
/// even last digit; Rust's shortest formatting may pick the odd one. Fixes
/// `digits` (scientific exponent `exp`) for that case.
///
/// A tie means `2f == S * 10**k` for the odd `S = d + alt` (`k` being the
/// exponent of the last digit). With `f = m * 2**e`, `m` odd, comparing
/// the powers of two and five decides it with integer arithmetic only.
fn prefer_even_on_tie(f: f64, digits: &mut String, exp: i32) {
    let last = digits.as_bytes()[digits.len() - 1];
    if last.is_multiple_of(2) {
        return;
    }
    let Ok(d) = digits.parse::<u64>() else { return };
    let k = exp as i64 - (digits.len() as i64 - 1);
    let bits = f.to_bits();
    let be = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    let (m, e) = if be == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), be - 1075)
    };
    if m == 0 {
        return;
    }
    let tz = m.trailing_zeros();
    let (m, e) = ((m >> tz) as u128, e + tz as i64);
    let sum = if k >= 0 {
        // 2**(e+1) * m == S * 2**k * 5**k
        let Some(p5) = 5u128.checked_pow(k as u32) else {
            return;
        };
        if e + 1 != k || m % p5 != 0 {
            return;
        }
        m / p5
    } else {
        // 2**(e+1) * m * 10**j == S (j = -k)
        let j = (-k) as u32;
        if e + 1 + j as i64 != 0 {
            return;
        }
        match 5u128.checked_pow(j).and_then(|p| p.checked_mul(m)) {
            Some(v) => v,
            None => return,
        }
    };
    let Some(alt) = sum.checked_sub(d as u128) else {
        return;
    };
    let alt = alt as u64;
    if alt.abs_diff(d) != 1 || alt.to_string().len() != digits.len() {
        return;
    }
    if format!("{alt}e{k}").parse::<f64>() == Ok(f) {
        *digits = alt.to_string();
    }
}

/// CPython's `repr(str)`: single quotes unless the text has a single quote
/// and no double quote; escapes for control characters.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if !c.is_ascii() && !crate::stdlib::unicode::is_printable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// CPython's `repr(bytes)`.
pub fn bytes_repr(b: &[u8]) -> String {
    bytes_repr_in(b, false)
}

/// CPython's `repr(bytearray)`, which escapes `'` even inside double quotes.
pub fn bytearray_repr(b: &[u8]) -> String {
    format!("bytearray({})", bytes_repr_in(b, true))
}

fn bytes_repr_in(b: &[u8], always_escape_single: bool) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from("b");
    out.push(quote);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c as char == quote || (always_escape_single && c == b'\'') => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
}

impl Vm {
    /// `repr(v)` as a Rust string.
    pub fn repr_value(&mut self, v: Value) -> PyResult<String> {
        match v {
            Value::None => return Ok("None".into()),
            Value::Bool(b) => return Ok(if b { "True" } else { "False" }.into()),
            Value::Int(i) => return Ok(i.to_string()),
            Value::Float(f) => return Ok(float_repr(f)),
            Value::Ellipsis => return Ok("Ellipsis".into()),
            Value::NotImplemented => return Ok("NotImplemented".into()),
            Value::Unbound => return Ok("<unbound>".into()),
            Value::Obj(_) => {}
        }
        let Value::Obj(r) = v else { unreachable!() };
        match self.heap.get(r) {
            _ if self.user_overrides(v, "__repr__") => self.repr_via_dunder(v),
            Object::Str(s) => Ok(str_repr(s.as_str())),
            Object::BigInt(b) => Ok(b.to_string()),
            Object::Bytes(b) => Ok(bytes_repr(b)),
            Object::ByteArray(b) => Ok(bytearray_repr(b)),
            Object::List(_) | Object::Tuple(_) | Object::Dict(_) | Object::Set(..) => {
                self.container_repr(v)
            }
            Object::DictView(..) => crate::stdlib::dict_views::view_repr(self, v),
            Object::BigRange(_) => Ok(crate::stdlib::big_range::bounds(self, v)
                .map(|b| crate::stdlib::big_range::repr(&b))
                .unwrap_or_default()),
            Object::Range(rg) => Ok(if rg.step == 1 {
                format!("range({}, {})", rg.start, rg.stop)
            } else {
                format!("range({}, {}, {})", rg.start, rg.stop, rg.step)
            }),
            Object::Slice(p) => {
                let p = **p;
                let a = self.repr_value(p[0])?;
                let b = self.repr_value(p[1])?;
                let c = self.repr_value(p[2])?;
                Ok(format!("slice({a}, {b}, {c})"))
            }
            Object::Instance(_) | Object::Native(_) => self.repr_via_dunder(v),
            Object::Class(c) if c.meta.is_some() => match self.meta_text(v, "__repr__")? {
                Some(s) => Ok(s),
                None => Ok(crate::stdlib::special_attrs::object_repr(self, v)),
            },
            _ => Ok(crate::stdlib::special_attrs::object_repr(self, v)),
        }
    }

    /// The repr of a user object: its class's `__repr__`, or the default.
    fn repr_via_dunder(&mut self, v: Value) -> PyResult<String> {
        let cls = self.class_of(v);
        if let Some(m) = self.class_lookup(cls, "__repr__") {
            if !m.is(self.object_repr) {
                let r = self.call(m, &[v], &[])?;
                return match self.as_str(r) {
                    Some(s) => Ok(s.to_string()),
                    None => {
                        let msg =
                            format!("__repr__ returned non-string (type {})", self.type_name(r));
                        Err(self.type_error(msg))
                    }
                };
            }
        }
        Ok(self.default_repr(v))
    }

    /// `<__main__.A object at 0x...>`.
    pub fn default_repr(&mut self, v: Value) -> String {
        let cls = self.class_of(v);
        let (module, qual) = match self.heap.get(cls) {
            Object::Class(c) => (
                self.str_of(c.module).to_string(),
                self.str_of(c.qualname).to_string(),
            ),
            _ => (String::new(), String::new()),
        };
        let addr = v.as_obj().map_or(0, |r| r.index()) * 16 + 0x7f0000000000;
        if module == "builtins" {
            format!("<{qual} object at {addr:#x}>")
        } else {
            format!("<{module}.{qual} object at {addr:#x}>")
        }
    }

    fn container_repr(&mut self, v: Value) -> PyResult<String> {
        if self.repr_guard.iter().any(|g| g.is(v)) {
            let Value::Obj(r) = v else { unreachable!() };
            return Ok(match self.heap.get(r) {
                Object::List(_) => "[...]",
                Object::Dict(_) => "{...}",
                _ => "(...)",
            }
            .into());
        }
        if self.repr_guard.len() > self.config.recursion_limit {
            return Err(self.new_error(
                ExcKind::RecursionError,
                "maximum recursion depth exceeded while getting the repr of an object",
            ));
        }
        self.repr_guard.push(v);
        let r = self.container_repr_inner(v);
        self.repr_guard.pop();
        r
    }

    fn container_repr_inner(&mut self, v: Value) -> PyResult<String> {
        let Value::Obj(r) = v else { unreachable!() };
        let cls = self.class_of(v);
        enum Kind {
            List,
            Tuple,
            Dict,
            Set(SetKind),
        }
        let (kind, items): (Kind, Vec<Value>) = match self.heap.get(r) {
            Object::List(l) => (Kind::List, l.clone()),
            Object::Tuple(t) => (Kind::Tuple, t.to_vec()),
            Object::Dict(d) => (
                Kind::Dict,
                d.iter().flat_map(|e| [e.key, e.value]).collect(),
            ),
            Object::Set(d, k) => (Kind::Set(*k), d.keys()),
            _ => unreachable!(),
        };
        let mut parts: Vec<String> = Vec::with_capacity(items.len());
        match kind {
            Kind::Dict => {
                for pair in items.chunks(2) {
                    let k = self.repr_value(pair[0])?;
                    let val = self.repr_value(pair[1])?;
                    parts.push(format!("{k}: {val}"));
                }
            }
            _ => {
                for &it in &items {
                    parts.push(self.repr_value(it)?);
                }
            }
        }
        let body = parts.join(", ");
        Ok(match kind {
            Kind::List => format!("[{body}]"),
            Kind::Tuple => {
                if parts.len() == 1 {
                    format!("({body},)")
                } else {
                    format!("({body})")
                }
            }
            Kind::Dict => format!("{{{body}}}"),
            Kind::Set(k) => {
                let name = self.class_name(cls).to_string();
                match (k, parts.is_empty()) {
                    (SetKind::Set, true) => format!("{name}()"),
                    (SetKind::Set, false) => format!("{{{body}}}"),
                    (SetKind::FrozenSet, true) => format!("{name}()"),
                    (SetKind::FrozenSet, false) => format!("{name}({{{body}}})"),
                }
            }
        })
    }

    /// `str(v)` as a Rust string.
    pub fn str_value(&mut self, v: Value) -> PyResult<String> {
        if let Value::Obj(r) = v {
            match self.heap.get(r) {
                _ if self.user_overrides(v, "__str__") => {
                    let m = self.ext_override(v, "__str__").unwrap_or(Value::None);
                    let r = self.call(m, &[], &[])?;
                    return match self.as_str(r) {
                        Some(s) => Ok(s.to_string()),
                        None => {
                            let msg =
                                format!("__str__ returned non-string (type {})", self.type_name(r));
                            Err(self.type_error(msg))
                        }
                    };
                }
                Object::Str(s) => return Ok(s.as_str().to_string()),
                Object::Class(c) if c.meta.is_some() => {
                    if let Some(s) = self.meta_text(v, "__str__")? {
                        return Ok(s);
                    }
                }
                Object::Instance(_) | Object::Native(_) => {
                    let cls = self.class_of(v);
                    let m = self.class_lookup(cls, "__str__");
                    if let Some(m) = m {
                        if !m.is(self.object_str) {
                            let r = self.call(m, &[v], &[])?;
                            return match self.as_str(r) {
                                Some(s) => Ok(s.to_string()),
                                None => {
                                    let msg = format!(
                                        "__str__ returned non-string (type {})",
                                        self.type_name(r)
                                    );
                                    Err(self.type_error(msg))
                                }
                            };
                        }
                    }
                }
                _ => {}
            }
        }
        self.repr_value(v)
    }

    /// `str(v)` as a value (returns `v` itself for exact strings).
    pub fn to_str_value(&mut self, v: Value) -> PyResult<Value> {
        match v {
            // An exact str is its own str; a subclass instance gives an
            // exact copy (or what its `__str__` returns), as in CPython.
            Value::Obj(r) if !self.heap.has_ext(r) => {
                if let Object::Str(_) = self.heap.get(r) {
                    return Ok(v);
                }
            }
            Value::Int(i) => {
                // The common `str(n)`: digits straight into the string.
                let mut buf = [0u8; 20];
                let text = decimal(i, &mut buf);
                return Ok(self.alloc(Object::Str(StrObj::with_nchars(text, text.len()))));
            }
            _ => {}
        }
        let s = self.str_value(v)?;
        Ok(self.new_str(s))
    }

    /// `FormatValue`: conversion (0 none, 1 str, 2 repr, 3 ascii) then
    /// `format(value, spec)`.
    pub(crate) fn format_value(
        &mut self,
        v: Value,
        conv: u32,
        spec: Option<Value>,
    ) -> PyResult<Value> {
        let v = match conv {
            1 => self.to_str_value(v)?,
            2 => {
                let s = self.repr_value(v)?;
                self.new_str(s)
            }
            3 => {
                let s = self.repr_value(v)?;
                let s = crate::stdlib::format::ascii_escape(&s);
                self.new_str(s)
            }
            _ => v,
        };
        let spec_str = spec.map(|s| self.str_of(s).to_string()).unwrap_or_default();
        if spec_str.is_empty() {
            if let Value::Obj(r) = v {
                if let Object::Str(_) = self.heap.get(r) {
                    return Ok(v);
                }
            }
        }
        crate::stdlib::format::format_value(self, v, &spec_str)
    }

    /// `PrintExpr` (REPL): echo the repr of a non-None value, bind `_`.
    pub(crate) fn print_expr(&mut self, v: Value) -> PyResult<()> {
        if v.is_none() {
            return Ok(());
        }
        let s = self.repr_value(v)?;
        self.write_stdout(&s);
        self.write_stdout("\n");
        self.flush_stdout();
        self.set_builtin("_", v);
        Ok(())
    }
}

/// The decimal digits of `i` (with a leading `-` when negative), written
/// into the end of `buf` (20 bytes hold any i64).
pub fn decimal(i: i64, buf: &mut [u8; 20]) -> &str {
    let mut n = i.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    // Only ASCII digits and '-' were written.
    std::str::from_utf8(&buf[at..]).unwrap_or("")
}
