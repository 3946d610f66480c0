//! The JSON parser behind `json.loads` and `JSONDecoder`: a recursive
//! descent over the UTF-8 bytes of the document, following CPython's C
//! scanner (`Modules/_json.c`) for what is accepted and for every error
//! message and position (positions are reported in characters).
//!
//! Rooting: without hooks nothing can run aspy code, so nothing can be
//! collected while parsing. With hooks (`object_hook`, `parse_float`, ...)
//! every container under construction and every pending key is pushed on
//! `vm.temp_roots`; `decode` cuts the root stack back whatever happens.

use super::json::decode_error;
use super::support::{index_arg, positional};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyErr, PyResult, Vm};
use num_bigint::BigInt;

/// CPython's default limit on the digits of an int parsed from text.
const MAX_INT_DIGITS: usize = 4300;

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// The document as a `str` value (for JSONDecodeError.doc).
    doc: Value,
    strict: bool,
    object_hook: Value,
    object_pairs_hook: Value,
    parse_float: Value,
    parse_int: Value,
    parse_constant: Value,
    depth: usize,
    max_depth: usize,
}

/// `_json.decode(s, idx, whole, strict, object_hook, object_pairs_hook,
/// parse_float, parse_int, parse_constant)`. With `whole`, parses the
/// entire document (whitespace allowed around it) and returns the value;
/// otherwise parses one value at character `idx` and returns
/// `(value, end)` like `JSONDecoder.raw_decode`.
pub(super) fn decode(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "decode", args, kw, 9, 9)?;
    let whole = vm.truthy(args[2])?;
    let (text, doc) = document(vm, args[0])?;
    vm.temp_roots.push(doc);
    let base = vm.temp_roots.len();
    let r = run(vm, &text, doc, args, whole);
    vm.temp_roots.truncate(base - 1);
    r
}

fn run(vm: &mut Vm, text: &str, doc: Value, args: &[Value], whole: bool) -> PyResult<Value> {
    let hook = |v: Value| if v.is_none() { Value::None } else { v };
    let frames = vm.fiber.frames.len();
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        doc,
        strict: vm.truthy(args[3])?,
        object_hook: hook(args[4]),
        object_pairs_hook: hook(args[5]),
        parse_float: hook(args[6]),
        parse_int: hook(args[7]),
        parse_constant: hook(args[8]),
        depth: 0,
        max_depth: vm.config.recursion_limit.saturating_sub(frames + 3),
    };
    if whole {
        if text.starts_with('\u{feff}') {
            return Err(decode_error(
                vm,
                "Unexpected UTF-8 BOM (decode using utf-8-sig)",
                doc,
                0,
            ));
        }
        let start = p.skip_ws(0);
        let Some((v, end)) = p.scan_once(vm, start)? else {
            return Err(p.error(vm, "Expecting value", start));
        };
        let end = p.skip_ws(end);
        if end != p.bytes.len() {
            return Err(p.error(vm, "Extra data", end));
        }
        return Ok(v);
    }
    let idx = index_arg(vm, args[1])?;
    if idx < 0 {
        return Err(vm.value_error("idx cannot be negative"));
    }
    let start = match text.char_indices().nth(idx as usize) {
        Some((b, _)) => b,
        None => text.len(),
    };
    let Some((v, end)) = p.scan_once(vm, start)? else {
        return Err(p.error(vm, "Expecting value", start));
    };
    vm.temp_roots.push(v);
    let end_chars = text[..end].chars().count() as i64;
    Ok(vm.new_tuple(vec![v, Value::Int(end_chars)]))
}

/// The document's text and its `str` value: a str as is, bytes decoded
/// with the encoding `json.detect_encoding` picks.
fn document(vm: &mut Vm, s: Value) -> PyResult<(String, Value)> {
    if let Some(t) = vm.as_str(s) {
        return Ok((t.to_string(), s));
    }
    let bytes = match s {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Bytes(b) => Some(b.to_vec()),
            _ => None,
        },
        _ => None,
    };
    let Some(bytes) = bytes else {
        let msg = format!(
            "the JSON object must be str, bytes or bytearray, not {}",
            vm.type_name(s)
        );
        return Err(vm.type_error(msg));
    };
    let text = decode_bytes(vm, &bytes)?;
    let v = vm.new_str(text.as_str());
    Ok((text, v))
}

/// Decodes a JSON byte document (UTF-8, UTF-16 or UTF-32, detected from a
/// BOM or the pattern of zero bytes, as `json.detect_encoding` does).
fn decode_bytes(vm: &mut Vm, b: &[u8]) -> PyResult<String> {
    let units16 = |le: bool, b: &[u8]| -> Vec<u16> {
        b.chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect()
    };
    let utf16 = |vm: &mut Vm, le: bool, b: &[u8]| -> PyResult<String> {
        char::decode_utf16(units16(le, b))
            .collect::<Result<String, _>>()
            .map_err(|_| {
                vm.new_error(
                    ExcKind::UnicodeDecodeError,
                    "'utf-16' codec can't decode bytes: illegal UTF-16 surrogate",
                )
            })
    };
    let utf32 = |vm: &mut Vm, le: bool, b: &[u8]| -> PyResult<String> {
        b.chunks_exact(4)
            .map(|c| {
                let n = if le {
                    u32::from_le_bytes([c[0], c[1], c[2], c[3]])
                } else {
                    u32::from_be_bytes([c[0], c[1], c[2], c[3]])
                };
                char::from_u32(n)
            })
            .collect::<Option<String>>()
            .ok_or_else(|| {
                vm.new_error(
                    ExcKind::UnicodeDecodeError,
                    "'utf-32' codec can't decode bytes: code point not in range(0x110000)",
                )
            })
    };
    match b {
        [0xff, 0xfe, 0, 0, rest @ ..] => utf32(vm, true, rest),
        [0, 0, 0xfe, 0xff, rest @ ..] => utf32(vm, false, rest),
        [0xff, 0xfe, rest @ ..] => utf16(vm, true, rest),
        [0xfe, 0xff, rest @ ..] => utf16(vm, false, rest),
        [0xef, 0xbb, 0xbf, rest @ ..] => utf8(vm, rest),
        [0, b1, _, _, ..] if *b1 != 0 => utf16(vm, false, b),
        [0, _, _, _, ..] => utf32(vm, false, b),
        [_, 0, b2, b3, ..] if *b2 != 0 || *b3 != 0 => utf16(vm, true, b),
        [_, 0, _, _, ..] => utf32(vm, true, b),
        [0, _] => utf16(vm, false, b),
        [_, 0] => utf16(vm, true, b),
        _ => utf8(vm, b),
    }
}

/// Strict UTF-8 decoding with CPython's error wording.
fn utf8(vm: &mut Vm, b: &[u8]) -> PyResult<String> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            let byte = b[at];
            let reason = match e.error_len() {
                None => "unexpected end of data",
                Some(_) if (0x80..0xc2).contains(&byte) || byte > 0xf4 => "invalid start byte",
                Some(_) => "invalid continuation byte",
            };
            let msg =
                format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {at}: {reason}");
            Err(vm.new_error(ExcKind::UnicodeDecodeError, msg))
        }
    }
}

fn is_digit(b: Option<&u8>) -> bool {
    b.is_some_and(|c| c.is_ascii_digit())
}

impl Parser<'_> {
    /// A JSONDecodeError at byte offset `at`.
    fn error(&self, vm: &mut Vm, msg: &str, at: usize) -> PyErr {
        let pos = self.text[..at].chars().count();
        decode_error(vm, msg, self.doc, pos)
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(i) {
            i += 1;
        }
        i
    }

    fn starts(&self, i: usize, word: &str) -> bool {
        self.bytes[i..].starts_with(word.as_bytes())
    }

    /// One value starting at byte `i`: Some((value, end)), or None when no
    /// value starts there (the caller reports "Expecting value").
    fn scan_once(&mut self, vm: &mut Vm, i: usize) -> PyResult<Option<(Value, usize)>> {
        let Some(&c) = self.bytes.get(i) else {
            return Ok(None);
        };
        let found = match c {
            b'"' => self.string(vm, i + 1)?,
            b'{' => self.object(vm, i + 1)?,
            b'[' => self.array(vm, i + 1)?,
            b'n' if self.starts(i, "null") => (Value::None, i + 4),
            b't' if self.starts(i, "true") => (Value::Bool(true), i + 4),
            b'f' if self.starts(i, "false") => (Value::Bool(false), i + 5),
            b'N' if self.starts(i, "NaN") => (self.constant(vm, "NaN", f64::NAN)?, i + 3),
            b'I' if self.starts(i, "Infinity") => {
                (self.constant(vm, "Infinity", f64::INFINITY)?, i + 8)
            }
            b'-' if self.starts(i, "-Infinity") => {
                (self.constant(vm, "-Infinity", f64::NEG_INFINITY)?, i + 9)
            }
            _ => return self.number(vm, i),
        };
        Ok(Some(found))
    }

    fn constant(&self, vm: &mut Vm, name: &str, value: f64) -> PyResult<Value> {
        if self.parse_constant.is_none() {
            return Ok(Value::Float(value));
        }
        let s = vm.new_str(name);
        vm.call(self.parse_constant, &[s], &[])
    }

    /// A number per `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`.
    fn number(&self, vm: &mut Vm, start: usize) -> PyResult<Option<(Value, usize)>> {
        let b = self.bytes;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while is_digit(b.get(i)) {
                    i += 1;
                }
            }
            _ => return Ok(None),
        }
        let mut is_float = false;
        if b.get(i) == Some(&b'.') && is_digit(b.get(i + 1)) {
            i += 2;
            while is_digit(b.get(i)) {
                i += 1;
            }
            is_float = true;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            let mut j = i + 1;
            if let Some(b'+' | b'-') = b.get(j) {
                j += 1;
            }
            if is_digit(b.get(j)) {
                while is_digit(b.get(j)) {
                    j += 1;
                }
                i = j;
                is_float = true;
            }
        }
        let text = &self.text[start..i];
        let hook = if is_float {
            self.parse_float
        } else {
            self.parse_int
        };
        let v = if !hook.is_none() {
            let s = vm.new_str(text);
            vm.call(hook, &[s], &[])?
        } else if is_float {
            Value::Float(text.parse::<f64>().unwrap_or(f64::NAN))
        } else {
            parse_int(vm, text)?
        };
        Ok(Some((v, i)))
    }

    /// A string whose opening quote is just before byte `start`.
    fn string(&self, vm: &mut Vm, start: usize) -> PyResult<(Value, usize)> {
        let (b, text) = (self.bytes, self.text);
        let begin = start - 1;
        let mut out = String::new();
        let mut i = start;
        let mut chunk = start;
        let mut lone_surrogate = false;
        loop {
            while let Some(&c) = b.get(i) {
                if c == b'"' || c == b'\\' {
                    break;
                }
                if c < 0x20 && self.strict {
                    return Err(self.error(vm, "Invalid control character at", i));
                }
                i += 1;
            }
            let Some(&c) = b.get(i) else {
                return Err(self.error(vm, "Unterminated string starting at", begin));
            };
            if c == b'"' {
                if lone_surrogate {
                    // Rust strings cannot hold one; refused once the string
                    // is known to be well formed, so syntax errors win.
                    return Err(vm.new_error(
                        ExcKind::NotImplementedError,
                        "aspy does not support lone surrogates in strings",
                    ));
                }
                let v = if out.is_empty() {
                    vm.new_str(&text[chunk..i])
                } else {
                    out.push_str(&text[chunk..i]);
                    vm.new_str(out)
                };
                return Ok((v, i + 1));
            }
            out.push_str(&text[chunk..i]);
            i += 1;
            let Some(&e) = b.get(i) else {
                return Err(self.error(vm, "Unterminated string starting at", begin));
            };
            if e == b'u' {
                let (ch, next) = self.unicode_escape(vm, i + 1)?;
                match ch {
                    Some(ch) => out.push(ch),
                    None => lone_surrogate = true,
                }
                i = next;
            } else {
                out.push(match e {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return Err(self.error(vm, "Invalid \\escape", i - 1)),
                });
                i += 1;
            }
            chunk = i;
        }
    }

    fn hex4(&self, i: usize) -> Option<u32> {
        let digits = self.bytes.get(i..i + 4)?;
        let s = std::str::from_utf8(digits).ok()?;
        if !s.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(s, 16).ok()
    }

    /// The character of a `\uXXXX` escape whose hex digits start at byte
    /// `i` (a surrogate pair is joined; None for a lone surrogate), and the
    /// byte after it.
    fn unicode_escape(&self, vm: &mut Vm, i: usize) -> PyResult<(Option<char>, usize)> {
        let Some(hi) = self.hex4(i) else {
            return Err(self.error(vm, "Invalid \\uXXXX escape", i - 1));
        };
        let mut next = i + 4;
        let mut cp = hi;
        if (0xd800..0xdc00).contains(&hi)
            && next + 6 < self.bytes.len()
            && self.bytes[next] == b'\\'
            && self.bytes[next + 1] == b'u'
        {
            let Some(lo) = self.hex4(next + 2) else {
                return Err(self.error(vm, "Invalid \\uXXXX escape", next + 1));
            };
            if (0xdc00..0xe000).contains(&lo) {
                cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                next += 6;
            }
        }
        Ok((char::from_u32(cp), next))
    }

    /// Enters an array or object: CPython's recursion limit.
    fn enter(&mut self, vm: &mut Vm, what: &str) -> PyResult<()> {
        if self.depth >= self.max_depth {
            let msg = format!(
                "maximum recursion depth exceeded while decoding a JSON {what} from a unicode string"
            );
            return Err(vm.new_error(ExcKind::RecursionError, msg));
        }
        self.depth += 1;
        Ok(())
    }

    /// The value at byte `i` inside a container ("Expecting value" if none).
    fn item(&mut self, vm: &mut Vm, i: usize) -> PyResult<(Value, usize)> {
        match self.scan_once(vm, i)? {
            Some(found) => Ok(found),
            None => Err(self.error(vm, "Expecting value", i)),
        }
    }

    /// An array whose `[` is just before byte `start`.
    fn array(&mut self, vm: &mut Vm, start: usize) -> PyResult<(Value, usize)> {
        self.enter(vm, "array")?;
        let list = vm.new_list(Vec::new());
        let base = vm.temp_roots.len();
        vm.temp_roots.push(list);
        let mut i = self.skip_ws(start);
        if self.bytes.get(i) == Some(&b']') {
            i += 1;
        } else {
            loop {
                let (v, end) = self.item(vm, i)?;
                if let Value::Obj(r) = list {
                    if let Object::List(l) = vm.heap.get_mut(r) {
                        l.push(v);
                    }
                }
                i = self.skip_ws(end);
                match self.bytes.get(i) {
                    Some(b']') => {
                        i += 1;
                        break;
                    }
                    Some(b',') => i = self.skip_ws(i + 1),
                    _ => return Err(self.error(vm, "Expecting ',' delimiter", i)),
                }
            }
        }
        vm.temp_roots.truncate(base);
        self.depth -= 1;
        Ok((list, i))
    }

    /// An object whose `{` is just before byte `start`.
    fn object(&mut self, vm: &mut Vm, start: usize) -> PyResult<(Value, usize)> {
        self.enter(vm, "object")?;
        let pairs = !self.object_pairs_hook.is_none();
        let container = if pairs {
            vm.new_list(Vec::new())
        } else {
            vm.new_dict()
        };
        let base = vm.temp_roots.len();
        vm.temp_roots.push(container);
        let mut i = self.skip_ws(start);
        if self.bytes.get(i) == Some(&b'}') {
            i += 1;
        } else {
            loop {
                if self.bytes.get(i) != Some(&b'"') {
                    let msg = "Expecting property name enclosed in double quotes";
                    return Err(self.error(vm, msg, i));
                }
                let (key, end) = self.string(vm, i + 1)?;
                vm.temp_roots.push(key);
                i = self.skip_ws(end);
                if self.bytes.get(i) != Some(&b':') {
                    return Err(self.error(vm, "Expecting ':' delimiter", i));
                }
                i = self.skip_ws(i + 1);
                let (v, end) = self.item(vm, i)?;
                if pairs {
                    let t = vm.new_tuple(vec![key, v]);
                    if let Value::Obj(r) = container {
                        if let Object::List(l) = vm.heap.get_mut(r) {
                            l.push(t);
                        }
                    }
                } else {
                    vm.dict_set(container, key, v)?;
                }
                vm.temp_roots.pop();
                i = self.skip_ws(end);
                match self.bytes.get(i) {
                    Some(b'}') => {
                        i += 1;
                        break;
                    }
                    Some(b',') => i = self.skip_ws(i + 1),
                    _ => return Err(self.error(vm, "Expecting ',' delimiter", i)),
                }
            }
        }
        let result = if pairs {
            vm.call(self.object_pairs_hook, &[container], &[])?
        } else if !self.object_hook.is_none() {
            vm.call(self.object_hook, &[container], &[])?
        } else {
            container
        };
        vm.temp_roots.truncate(base);
        self.depth -= 1;
        Ok((result, i))
    }
}

/// An int from JSON digits (with CPython's 4300-digit limit).
fn parse_int(vm: &mut Vm, text: &str) -> PyResult<Value> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    let digits = text.trim_start_matches('-').len();
    if digits > MAX_INT_DIGITS {
        let msg = format!(
            "Exceeds the limit ({MAX_INT_DIGITS} digits) for integer string conversion: value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit"
        );
        return Err(vm.value_error(msg));
    }
    match BigInt::parse_bytes(text.as_bytes(), 10) {
        Some(b) => Ok(vm.new_bigint(b)),
        None => Err(vm.value_error("invalid JSON number")),
    }
}
