//! Text encodings: `str.encode`, `bytes.decode` / `bytearray.decode`, and
//! the `UnicodeEncodeError` / `UnicodeDecodeError` exceptions they raise.
//!
//! Supported codecs are UTF-8, ASCII and Latin-1 under CPython's names and
//! aliases, with the error handlers strict, ignore, replace,
//! backslashreplace, and (encoding only) xmlcharrefreplace and namereplace.
//! A Unicode error carries CPython's five arguments (encoding, object,
//! start, end, reason); its `__str__` and attributes are installed here.

use super::builtins::{add_method, native, set_class_attr};
use super::method_args::bind;
use super::str_methods::this;
use crate::vm::exceptions::{new_exception, ExcKind};
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyErr, PyResult, Vm};

/// A codec aspy implements.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Utf8,
    Ascii,
    Latin1,
}

impl Codec {
    /// CPython's canonical name, used in error messages.
    fn name(self) -> &'static str {
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Ascii => "ascii",
            Codec::Latin1 => "latin-1",
        }
    }

    /// The largest code point the codec represents in one byte.
    fn limit(self) -> u32 {
        match self {
            Codec::Utf8 => 0x10ffff,
            Codec::Ascii => 0x7f,
            Codec::Latin1 => 0xff,
        }
    }
}

/// Looks an encoding name up as CPython's codec registry normalises it.
pub fn lookup(vm: &mut Vm, name: &str) -> PyResult<Codec> {
    let norm: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    match norm.as_str() {
        "utf_8" | "utf8" | "u8" | "utf" | "cp65001" => Ok(Codec::Utf8),
        "ascii" | "us_ascii" | "646" | "us" => Ok(Codec::Ascii),
        "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859" | "cp819"
        | "iso_ir_100" => Ok(Codec::Latin1),
        _ => Err(vm.new_error(ExcKind::LookupError, format!("unknown encoding: {name}"))),
    }
}

/// The error handlers aspy knows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Handler {
    Strict,
    Ignore,
    Replace,
    BackslashReplace,
    XmlCharRefReplace,
    NameReplace,
    Unknown,
}

impl Handler {
    fn parse(name: &str) -> Handler {
        match name {
            "strict" => Handler::Strict,
            "ignore" => Handler::Ignore,
            "replace" => Handler::Replace,
            "backslashreplace" => Handler::BackslashReplace,
            "xmlcharrefreplace" => Handler::XmlCharRefReplace,
            "namereplace" => Handler::NameReplace,
            _ => Handler::Unknown,
        }
    }
}

/// LookupError for an unknown handler name; like CPython, raised only when
/// an error actually occurs.
fn unknown_handler(vm: &mut Vm, errors: Value) -> PyErr {
    let msg = format!("unknown error handler name '{}'", vm.str_of(errors));
    vm.new_error(ExcKind::LookupError, msg)
}

pub fn install(vm: &mut Vm) {
    let s = vm.types.str_;
    add_method(vm, s, "encode", str_encode);
    for kind in [ExcKind::UnicodeEncodeError, ExcKind::UnicodeDecodeError] {
        let cls = vm.types.exc(kind);
        add_method(vm, cls, "__str__", unicode_error_str);
        let getters: [(&'static str, crate::vm::object::NativeFn); 5] = [
            ("encoding", attr_encoding),
            ("object", attr_object),
            ("start", attr_start),
            ("end", attr_end),
            ("reason", attr_reason),
        ];
        for (name, f) in getters {
            let g = native(vm, name, f);
            let pname = Value::Obj(vm.intern(name));
            let p = vm.alloc(Object::Property(Box::new([
                g,
                Value::None,
                Value::None,
                Value::None,
                pname,
            ])));
            set_class_attr(vm, cls, name, p);
        }
    }
}

/// The `encoding` and `errors` arguments of encode/decode.
pub fn codec_args(
    vm: &mut Vm,
    m: &str,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<(Codec, Value)> {
    let [enc, errors] = bind(vm, m, args, kw, ["encoding", "errors"])?;
    for (name, v) in [("encoding", enc), ("errors", errors)] {
        if let Some(v) = v {
            if vm.as_str(v).is_none() {
                let tn = if v.is_none() {
                    "None".to_string()
                } else {
                    vm.type_name(v)
                };
                let msg = format!("{m}() argument '{name}' must be str, not {tn}");
                return Err(vm.type_error(msg));
            }
        }
    }
    let codec = match enc {
        Some(e) => {
            let name = vm.str_of(e).to_string();
            lookup(vm, &name)?
        }
        None => Codec::Utf8,
    };
    let errors = match errors {
        Some(e) => e,
        None => Value::Obj(vm.intern("strict")),
    };
    Ok((codec, errors))
}

/// `str(object='')` and `str(bytes, encoding='utf-8', errors='strict')`.
pub fn str_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if let ([_, obj], []) = (args, kw) {
        // `str(x)`, the common call.
        return vm.to_str_value(*obj);
    }
    let [obj, enc, errors] = bind(vm, "str", &args[1..], kw, ["object", "encoding", "errors"])?;
    let Some(obj) = obj else {
        return Ok(vm.new_str(""));
    };
    if enc.is_none() && errors.is_none() {
        return vm.to_str_value(obj);
    }
    if vm.as_bytes(obj).is_none() {
        let msg = if vm.as_str(obj).is_some() {
            "decoding str is not supported".to_string()
        } else {
            format!(
                "decoding to str: need a bytes-like object, {} found",
                vm.type_name(obj)
            )
        };
        return Err(vm.type_error(msg));
    }
    let mut pass: Vec<(Value, Value)> = Vec::new();
    for (k, v) in [("encoding", enc), ("errors", errors)] {
        if let Some(v) = v {
            pass.push((Value::Obj(vm.intern(k)), v));
        }
    }
    let (codec, errors) = codec_args(vm, "str", &[], &pass)?;
    let s = decode(vm, obj, codec, errors)?;
    Ok(vm.new_str(s))
}

fn str_encode(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "encode")?;
    let (codec, errors) = codec_args(vm, "encode", &args[1..], kw)?;
    let out = encode(vm, recv, codec, errors)?;
    Ok(vm.alloc(Object::Bytes(out.into_boxed_slice())))
}

/// Encodes the `str` value `s`; `errors` is the handler name (a `str`).
pub fn encode(vm: &mut Vm, s: Value, codec: Codec, errors: Value) -> PyResult<Vec<u8>> {
    let text = vm.str_of(s);
    if codec == Codec::Utf8 {
        return Ok(text.as_bytes().to_vec());
    }
    let limit = codec.limit();
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        if c as u32 <= limit {
            out.push(c as u32 as u8);
            continue;
        }
        match Handler::parse(vm.str_of(errors)) {
            Handler::Strict => {
                let mut end = i + 1;
                while chars.next_if(|&(_, c)| c as u32 > limit).is_some() {
                    end += 1;
                }
                let reason = format!("ordinal not in range({})", limit + 1);
                return Err(unicode_error(
                    vm,
                    ExcKind::UnicodeEncodeError,
                    codec,
                    s,
                    i,
                    end,
                    &reason,
                ));
            }
            Handler::Ignore => {}
            Handler::Replace => out.push(b'?'),
            Handler::BackslashReplace => out.extend_from_slice(escape_char(c).as_bytes()),
            Handler::XmlCharRefReplace => {
                out.extend_from_slice(format!("&#{};", c as u32).as_bytes())
            }
            Handler::NameReplace => match unicode_names2::name(c) {
                Some(n) => out.extend_from_slice(format!("\\N{{{n}}}").as_bytes()),
                None => out.extend_from_slice(escape_char(c).as_bytes()),
            },
            Handler::Unknown => return Err(unknown_handler(vm, errors)),
        }
    }
    Ok(out)
}

/// `\xNN`, `\uNNNN` or `\UNNNNNNNN` for a character.
fn escape_char(c: char) -> String {
    let n = c as u32;
    if n <= 0xff {
        format!("\\x{n:02x}")
    } else if n <= 0xffff {
        format!("\\u{n:04x}")
    } else {
        format!("\\U{n:08x}")
    }
}

/// Decodes the bytes of `obj` (a `bytes` or `bytearray`).
pub fn decode(vm: &mut Vm, obj: Value, codec: Codec, errors: Value) -> PyResult<String> {
    let data = vm.as_bytes(obj).unwrap_or(&[]);
    if codec == Codec::Utf8 {
        if let Ok(s) = std::str::from_utf8(data) {
            return Ok(s.to_string());
        }
    } else if codec == Codec::Latin1 || data.is_ascii() {
        return Ok(data.iter().map(|&b| b as char).collect());
    }
    let mut out = String::with_capacity(data.len());
    let mut pos = 0;
    loop {
        let data = vm.as_bytes(obj).unwrap_or(&[]);
        // Find the next undecodable span [bad, bad_end).
        let (bad, bad_end, reason) = match codec {
            Codec::Utf8 => match std::str::from_utf8(&data[pos..]) {
                Ok(s) => {
                    out.push_str(s);
                    return Ok(out);
                }
                Err(e) => {
                    let good = pos + e.valid_up_to();
                    out.push_str(std::str::from_utf8(&data[pos..good]).unwrap_or(""));
                    let (end, reason) = match e.error_len() {
                        None => (data.len(), "unexpected end of data"),
                        Some(n) if n == 1 && !valid_lead(data[good]) => {
                            (good + 1, "invalid start byte")
                        }
                        Some(n) => (good + n, "invalid continuation byte"),
                    };
                    (good, end, reason)
                }
            },
            _ => match data[pos..].iter().position(|&b| b >= 0x80) {
                None => {
                    out.extend(data[pos..].iter().map(|&b| b as char));
                    return Ok(out);
                }
                Some(k) => {
                    out.extend(data[pos..pos + k].iter().map(|&b| b as char));
                    (pos + k, pos + k + 1, "ordinal not in range(128)")
                }
            },
        };
        match Handler::parse(vm.str_of(errors)) {
            Handler::Strict => {
                let kind = ExcKind::UnicodeDecodeError;
                return Err(unicode_error(vm, kind, codec, obj, bad, bad_end, reason));
            }
            Handler::Ignore => {}
            Handler::Replace => out.push('\u{fffd}'),
            Handler::BackslashReplace => {
                for &b in &data[bad..bad_end] {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            Handler::XmlCharRefReplace | Handler::NameReplace => {
                let msg = "don't know how to handle UnicodeDecodeError in error callback";
                return Err(vm.type_error(msg));
            }
            Handler::Unknown => return Err(unknown_handler(vm, errors)),
        }
        pos = bad_end;
    }
}

/// Can `b` begin a UTF-8 sequence (as CPython's decoder judges it)?
fn valid_lead(b: u8) -> bool {
    matches!(b, 0x00..=0x7f | 0xc2..=0xf4)
}

/// A new Unicode error with CPython's five arguments.
fn unicode_error(
    vm: &mut Vm,
    kind: ExcKind,
    codec: Codec,
    obj: Value,
    start: usize,
    end: usize,
    reason: &str,
) -> PyErr {
    let enc = vm.new_str(codec.name());
    let reason = vm.new_str(reason);
    let cls = vm.types.exc(kind);
    let args = vec![
        enc,
        obj,
        Value::Int(start as i64),
        Value::Int(end as i64),
        reason,
    ];
    PyErr(new_exception(vm, cls, args))
}

/// The five arguments of a Unicode error, if it has them.
fn unicode_error_args(vm: &Vm, exc: Value) -> Option<[Value; 5]> {
    let args = vm.exc_data(exc)?.args;
    let items = vm.seq_items(args)?;
    <[Value; 5]>::try_from(items).ok()
}

/// `str(UnicodeEncodeError)` / `str(UnicodeDecodeError)`, as CPython words it.
fn unicode_error_str(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = args.first().copied().unwrap_or(Value::None);
    let Some([enc, obj, start, end, reason]) = unicode_error_args(vm, exc) else {
        let all = vm.exc_data(exc).map(|d| d.args).unwrap_or(Value::None);
        let items = vm.seq_items(all).map(|s| s.to_vec()).unwrap_or_default();
        return match items.len() {
            0 => Ok(vm.new_str("")),
            1 => vm.to_str_value(items[0]),
            _ => {
                let s = vm.repr_value(all)?;
                Ok(vm.new_str(s))
            }
        };
    };
    let (Value::Int(start), Value::Int(end)) = (start, end) else {
        return Ok(vm.new_str(""));
    };
    let enc = vm.str_value(enc)?;
    let reason = vm.str_value(reason)?;
    let decoding = vm.exc_matches(exc, ExcKind::UnicodeDecodeError);
    let single = end == start + 1;
    let msg = if decoding {
        let byte = vm
            .as_bytes(obj)
            .and_then(|b| usize::try_from(start).ok().and_then(|i| b.get(i).copied()));
        match byte {
            Some(b) if single => {
                format!("'{enc}' codec can't decode byte 0x{b:02x} in position {start}: {reason}")
            }
            _ => format!(
                "'{enc}' codec can't decode bytes in position {start}-{}: {reason}",
                end - 1
            ),
        }
    } else {
        let ch = vm
            .as_str(obj)
            .and_then(|s| usize::try_from(start).ok().and_then(|i| s.chars().nth(i)));
        match ch {
            Some(c) if single => format!(
                "'{enc}' codec can't encode character '{}' in position {start}: {reason}",
                escape_char(c)
            ),
            _ => format!(
                "'{enc}' codec can't encode characters in position {start}-{}: {reason}",
                end - 1
            ),
        }
    };
    Ok(vm.new_str(msg))
}

/// One of the five arguments of a Unicode error, as an attribute.
fn attr_at(vm: &mut Vm, args: &[Value], i: usize) -> PyResult<Value> {
    let exc = args.first().copied().unwrap_or(Value::None);
    match unicode_error_args(vm, exc) {
        Some(a) => Ok(a[i]),
        None => Ok(Value::None),
    }
}

fn attr_encoding(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    attr_at(vm, args, 0)
}

fn attr_object(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    attr_at(vm, args, 1)
}

fn attr_start(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    attr_at(vm, args, 2)
}

fn attr_end(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    attr_at(vm, args, 3)
}

fn attr_reason(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    attr_at(vm, args, 4)
}
