//! Methods shared by `bytes` and `bytearray`: registration, receiver and
//! argument helpers, the constructors, `decode`/`hex`/`fromhex`, case
//! conversion, predicates, padding and stripping.
//!
//! Every method here is installed on both classes and works on the
//! receiver's bytes as a slice; a method that returns bytes returns the
//! receiver's own type (`bytearray(b"a").upper()` is a bytearray).
//! Searching and splitting live in `bytes_search.rs`, the mutating methods
//! of `bytearray` in `bytearray_methods.rs`. Bytes methods treat only ASCII
//! as letters, digits and whitespace.

use super::builtins::{add_method, native, set_class_attr};
use super::method_args::{bind, check, size_arg, Arity};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::Value;
use crate::vm::{PyErr, PyResult, Vm};

pub fn install(vm: &mut Vm) {
    let methods: &[(&'static str, NativeFn)] = &[
        ("decode", decode),
        ("hex", hex),
        ("upper", upper),
        ("lower", lower),
        ("swapcase", swapcase),
        ("title", title),
        ("capitalize", capitalize),
        ("isdigit", isdigit),
        ("isalpha", isalpha),
        ("isalnum", isalnum),
        ("isspace", isspace),
        ("isupper", isupper),
        ("islower", islower),
        ("istitle", istitle),
        ("isascii", isascii),
        ("strip", strip),
        ("lstrip", lstrip),
        ("rstrip", rstrip),
        ("center", center),
        ("ljust", ljust),
        ("rjust", rjust),
        ("zfill", zfill),
        ("expandtabs", expandtabs),
        ("removeprefix", removeprefix),
        ("removesuffix", removesuffix),
        ("__repr__", dunder_repr),
        ("__str__", dunder_repr),
    ];
    let (bytes, bytearray) = (vm.types.bytes, vm.types.bytearray);
    for cls in [bytes, bytearray] {
        for &(name, f) in methods {
            add_method(vm, cls, name, f);
        }
        let f = native(vm, "fromhex", fromhex);
        let f = vm.alloc(Object::ClassMethod(f));
        set_class_attr(vm, cls, "fromhex", f);
        super::bytes_search::install(vm, cls);
    }
    let f = native(vm, "__new__", bytearray_new);
    let f = vm.alloc(Object::StaticMethod(f));
    set_class_attr(vm, bytearray, "__new__", f);
    super::bytearray_methods::install(vm, bytearray);
    super::bytes_operators::install(vm, bytes, bytearray);
}

// ---- shared helpers -----------------------------------------------------------

/// The receiver of a bytes method: a `bytes` or `bytearray` value.
pub(crate) fn this(vm: &mut Vm, args: &[Value], mname: &str) -> PyResult<Value> {
    match args.first() {
        Some(&v) if vm.as_bytes(v).is_some() => Ok(v),
        Some(&v) => {
            let msg = format!(
                "descriptor '{mname}' for 'bytes' objects doesn't apply to a '{}' object",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
        None => Err(vm.type_error(format!("unbound method bytes.{mname}() needs an argument"))),
    }
}

/// The receiver's bytes (the receiver was checked by [`this`]).
pub(crate) fn data(vm: &Vm, v: Value) -> &[u8] {
    vm.as_bytes(v).unwrap_or(&[])
}

/// The type name of a bytes-like receiver, for messages.
pub(crate) fn tname(vm: &Vm, v: Value) -> &'static str {
    match v {
        Value::Obj(r) if matches!(vm.heap.get(r), Object::ByteArray(_)) => "bytearray",
        _ => "bytes",
    }
}

/// A new value of the receiver's type holding `out`.
pub(crate) fn new_like(vm: &mut Vm, recv: Value, out: Vec<u8>) -> Value {
    if tname(vm, recv) == "bytearray" {
        vm.alloc(Object::ByteArray(out))
    } else {
        vm.alloc(Object::Bytes(out.into_boxed_slice()))
    }
}

/// The receiver itself for an unchanged `bytes`, a copy otherwise
/// (a bytearray method always returns a new object).
fn same_or_new(vm: &mut Vm, recv: Value, out: &[u8]) -> Value {
    if tname(vm, recv) == "bytes" && data(vm, recv) == out {
        recv
    } else {
        let out = out.to_vec();
        new_like(vm, recv, out)
    }
}

/// TypeError "a bytes-like object is required, not 'str'".
pub(crate) fn bytes_like_error(vm: &mut Vm, v: Value) -> PyErr {
    let msg = format!("a bytes-like object is required, not '{}'", vm.type_name(v));
    vm.type_error(msg)
}

/// A bytes-like argument.
pub(crate) fn expect_bytes(vm: &mut Vm, v: Value) -> PyResult<Value> {
    if vm.as_bytes(v).is_some() {
        Ok(v)
    } else {
        Err(bytes_like_error(vm, v))
    }
}

fn noargs<'a>(
    vm: &'a mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
) -> PyResult<&'a [u8]> {
    let recv = this(vm, args, m)?;
    let t = tname(vm, recv);
    check(vm, t, m, &args[1..], kw, Arity::NoArgs)?;
    Ok(data(vm, recv))
}

/// Applies a per-byte mapping and returns the receiver's type.
fn map_bytes(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    f: fn(&[u8]) -> Vec<u8>,
) -> PyResult<Value> {
    let out = f(noargs(vm, args, kw, m)?);
    let recv = args[0];
    Ok(new_like(vm, recv, out))
}

// ---- constructors -----------------------------------------------------------------

/// The contents for `bytes(...)` / `bytearray(...)` (`name` is the type).
pub fn bytes_from_args(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    name: &str,
) -> PyResult<Vec<u8>> {
    let [src, enc, errors] = bind(vm, name, args, kw, ["source", "encoding", "errors"])?;
    let Some(src) = src else {
        if enc.is_some() || errors.is_some() {
            let which = if enc.is_some() { "encoding" } else { "errors" };
            return Err(vm.type_error(format!("{which} without a string argument")));
        }
        return Ok(Vec::new());
    };
    if vm.as_str(src).is_some() {
        if enc.is_none() {
            return Err(vm.type_error("string argument without an encoding"));
        }
        let mut pass: Vec<(Value, Value)> = Vec::new();
        for (k, v) in [("encoding", enc), ("errors", errors)] {
            if let Some(v) = v {
                pass.push((Value::Obj(vm.intern(k)), v));
            }
        }
        let (codec, errors) = super::text_codecs::codec_args(vm, name, &[], &pass)?;
        return super::text_codecs::encode(vm, src, codec, errors);
    }
    if enc.is_some() || errors.is_some() {
        let which = if enc.is_some() { "encoding" } else { "errors" };
        return Err(vm.type_error(format!("{which} without a string argument")));
    }
    if let Some(b) = vm.as_bytes(src) {
        return Ok(b.to_vec());
    }
    match vm.plain_int(src) {
        Value::Int(_) | Value::Bool(_) => {
            let n = size_arg(vm, src)?;
            if n < 0 {
                return Err(vm.value_error("negative count"));
            }
            if n > (1 << 34) {
                return Err(vm.new_error(ExcKind::MemoryError, ""));
            }
            return Ok(vec![0; n as usize]);
        }
        Value::Obj(r) if matches!(vm.heap.get(r), Object::BigInt(_)) => {
            return Err(vm.new_error(
                ExcKind::OverflowError,
                "cannot fit 'int' into an index-sized integer",
            ));
        }
        Value::Obj(r)
            if name == "bytes"
                && matches!(vm.heap.get(r), Object::Instance(_) | Object::Native(_)) =>
        {
            if let Some(m) = vm.lookup_special(src, "__bytes__") {
                let b = vm.call(m, &[], &[])?;
                return match vm.as_bytes(b) {
                    Some(d) => Ok(d.to_vec()),
                    None => {
                        let msg =
                            format!("__bytes__ returned non-bytes (type {})", vm.type_name(b));
                        Err(vm.type_error(msg))
                    }
                };
            }
        }
        _ => {}
    }
    if vm.get_iter(src).is_err() {
        let msg = format!("cannot convert '{}' object to {name}", vm.type_name(src));
        return Err(vm.type_error(msg));
    }
    let items = vm.collect_iterable(src)?;
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        out.push(byte_value(vm, it, name == "bytes")?);
    }
    Ok(out)
}

/// An int in range(256) (`plural` picks CPython's wording for `bytes`).
pub(crate) fn byte_value(vm: &mut Vm, v: Value, plural: bool) -> PyResult<u8> {
    match vm.to_index(v)? {
        Some(x) if (0..256).contains(&x) => Ok(x as u8),
        Some(_) => Err(vm.value_error(if plural {
            "bytes must be in range(0, 256)"
        } else {
            "byte must be in range(0, 256)"
        })),
        None => {
            let msg = format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// `bytes.__new__` (installed by `types_core`).
pub fn bytes_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let out = bytes_from_args(vm, &args[1..], kw, "bytes")?;
    Ok(vm.alloc(Object::Bytes(out.into_boxed_slice())))
}

fn bytearray_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let out = bytes_from_args(vm, &args[1..], kw, "bytearray")?;
    Ok(vm.alloc(Object::ByteArray(out)))
}

// ---- decode / hex / fromhex ---------------------------------------------------------

fn decode(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "decode")?;
    let (codec, errors) = super::text_codecs::codec_args(vm, "decode", &args[1..], kw)?;
    let s = super::text_codecs::decode(vm, recv, codec, errors)?;
    Ok(vm.new_str(s))
}

fn hex(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "hex")?;
    let [sep, per] = bind(vm, "hex", &args[1..], kw, ["sep", "bytes_per_sep"])?;
    let sep = match sep {
        None => None,
        Some(s) => {
            let text: Option<String> = match vm.as_str(s) {
                Some(t) => Some(t.to_string()),
                None => vm
                    .as_bytes(s)
                    .map(|b| b.iter().map(|&c| c as char).collect()),
            };
            let Some(text) = text else {
                // CPython measures the separator before checking its type.
                vm.len_of(s)?;
                return Err(vm.type_error("sep must be str or bytes."));
            };
            let mut it = text.chars();
            match (it.next(), it.next()) {
                (Some(c), None) if c.is_ascii() => Some(c),
                (Some(_), None) => return Err(vm.value_error("sep must be ASCII.")),
                _ => return Err(vm.value_error("sep must be length 1.")),
            }
        }
    };
    let per = match per {
        Some(p) => size_arg(vm, p)?,
        None => 1,
    };
    let d = data(vm, recv);
    let mut out = String::with_capacity(d.len() * 3);
    let group = per.unsigned_abs().max(1) as usize;
    for (i, b) in d.iter().enumerate() {
        if let Some(sep) = sep {
            // Groups count from the right for a positive bytes_per_sep.
            let boundary = if per >= 0 {
                i > 0 && (d.len() - i).is_multiple_of(group)
            } else {
                i > 0 && i.is_multiple_of(group)
            };
            if boundary {
                out.push(sep);
            }
        }
        out.push_str(&format!("{b:02x}"));
    }
    Ok(vm.new_str(out))
}

/// `bytes.fromhex(s)` / `bytearray.fromhex(s)` (a classmethod).
fn fromhex(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&Value::Obj(cls)) = args.first() else {
        return Err(vm.type_error("fromhex() needs a class"));
    };
    let is_array = cls == vm.types.bytearray;
    let cname = if is_array { "bytearray" } else { "bytes" };
    check(vm, cname, "fromhex", &args[1..], kw, Arity::One)?;
    let Some(s) = vm.as_str(args[1]) else {
        let msg = format!(
            "fromhex() argument must be str, not {}",
            vm.type_name(args[1])
        );
        return Err(vm.type_error(msg));
    };
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::with_capacity(chars.len() / 2);
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let hi = chars[i].to_digit(16);
        let lo = chars.get(i + 1).and_then(|c| c.to_digit(16));
        match (hi, lo) {
            (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
            (None, _) => return Err(fromhex_error(vm, i)),
            (Some(_), None) => return Err(fromhex_error(vm, i + 1)),
        }
        i += 2;
    }
    Ok(if is_array {
        vm.alloc(Object::ByteArray(out))
    } else {
        vm.alloc(Object::Bytes(out.into_boxed_slice()))
    })
}

fn fromhex_error(vm: &mut Vm, pos: usize) -> PyErr {
    vm.value_error(format!(
        "non-hexadecimal number found in fromhex() arg at position {pos}"
    ))
}

fn dunder_repr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "__repr__")?;
    if !kw.is_empty() || args.len() != 1 {
        return Err(vm.type_error(format!("expected 0 arguments, got {}", args.len() - 1)));
    }
    let s = vm.repr_value(recv)?;
    Ok(vm.new_str(s))
}

// ---- case conversion and predicates -------------------------------------------------

fn upper(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    map_bytes(vm, args, kw, "upper", |d| d.to_ascii_uppercase())
}

fn lower(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    map_bytes(vm, args, kw, "lower", |d| d.to_ascii_lowercase())
}

fn swapcase(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    map_bytes(vm, args, kw, "swapcase", |d| {
        d.iter()
            .map(|&b| {
                if b.is_ascii_uppercase() {
                    b.to_ascii_lowercase()
                } else {
                    b.to_ascii_uppercase()
                }
            })
            .collect()
    })
}

fn title(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    map_bytes(vm, args, kw, "title", |d| {
        let mut prev_cased = false;
        d.iter()
            .map(|&b| {
                let out = if prev_cased {
                    b.to_ascii_lowercase()
                } else {
                    b.to_ascii_uppercase()
                };
                prev_cased = b.is_ascii_alphabetic();
                out
            })
            .collect()
    })
}

fn capitalize(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    map_bytes(vm, args, kw, "capitalize", |d| {
        d.iter()
            .enumerate()
            .map(|(i, &b)| {
                if i == 0 {
                    b.to_ascii_uppercase()
                } else {
                    b.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

fn all_bytes(d: &[u8], f: fn(&u8) -> bool) -> Value {
    Value::Bool(!d.is_empty() && d.iter().all(f))
}

fn isdigit(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isdigit").map(|d| all_bytes(d, u8::is_ascii_digit))
}

fn isalpha(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isalpha").map(|d| all_bytes(d, u8::is_ascii_alphabetic))
}

fn isalnum(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isalnum").map(|d| all_bytes(d, u8::is_ascii_alphanumeric))
}

fn isspace(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isspace").map(|d| all_bytes(d, is_space))
}

fn isascii(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isascii").map(|d| Value::Bool(d.is_ascii()))
}

fn isupper(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isupper").map(|d| {
        Value::Bool(d.iter().any(u8::is_ascii_uppercase) && !d.iter().any(u8::is_ascii_lowercase))
    })
}

fn islower(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "islower").map(|d| {
        Value::Bool(d.iter().any(u8::is_ascii_lowercase) && !d.iter().any(u8::is_ascii_uppercase))
    })
}

fn istitle(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let d = noargs(vm, args, kw, "istitle")?;
    let (mut cased, mut prev_cased) = (false, false);
    for &b in d {
        if b.is_ascii_uppercase() {
            if prev_cased {
                return Ok(Value::Bool(false));
            }
            prev_cased = true;
            cased = true;
        } else if b.is_ascii_lowercase() {
            if !prev_cased {
                return Ok(Value::Bool(false));
            }
            prev_cased = true;
            cased = true;
        } else {
            prev_cased = false;
        }
    }
    Ok(Value::Bool(cased))
}

/// ASCII whitespace as bytes methods see it.
pub(crate) fn is_space(b: &u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

// ---- stripping and padding ----------------------------------------------------------

fn strip_impl(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    left: bool,
    right: bool,
) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    let t = tname(vm, recv);
    check(vm, t, m, &args[1..], kw, Arity::Pos(0, 1))?;
    let set = match args.get(1) {
        None | Some(Value::None) => None,
        Some(&c) => Some(expect_bytes(vm, c)?),
    };
    let d = data(vm, recv);
    let set = set.map(|s| data(vm, s));
    let strip = |b: &u8| match set {
        None => is_space(b),
        Some(set) => set.contains(b),
    };
    let (mut a, mut z) = (0, d.len());
    if left {
        while a < z && strip(&d[a]) {
            a += 1;
        }
    }
    if right {
        while z > a && strip(&d[z - 1]) {
            z -= 1;
        }
    }
    let out = d[a..z].to_vec();
    Ok(same_or_new(vm, recv, &out))
}

fn strip(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    strip_impl(vm, args, kw, "strip", true, true)
}

fn lstrip(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    strip_impl(vm, args, kw, "lstrip", true, false)
}

fn rstrip(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    strip_impl(vm, args, kw, "rstrip", false, true)
}

fn affix_impl(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    prefix: bool,
) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    let t = tname(vm, recv);
    check(vm, t, m, &args[1..], kw, Arity::One)?;
    let a = expect_bytes(vm, args[1])?;
    let (d, a) = (data(vm, recv), data(vm, a));
    let rest = if prefix {
        d.strip_prefix(a)
    } else {
        d.strip_suffix(a)
    };
    let out = rest.unwrap_or(d).to_vec();
    Ok(same_or_new(vm, recv, &out))
}

fn removeprefix(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    affix_impl(vm, args, kw, "removeprefix", true)
}

fn removesuffix(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    affix_impl(vm, args, kw, "removesuffix", false)
}

fn pad_impl(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], m: &str) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    let t = tname(vm, recv);
    check(vm, t, m, &args[1..], kw, Arity::Pos(1, 2))?;
    let width = size_arg(vm, args[1])?;
    let fill = match args.get(2) {
        None => b' ',
        Some(&f) => match vm.as_bytes(f) {
            Some([b]) => *b,
            _ => {
                let msg = format!(
                    "{m}() argument 2 must be a byte string of length 1, not {}",
                    vm.type_name(f)
                );
                return Err(vm.type_error(msg));
            }
        },
    };
    let d = data(vm, recv);
    if width <= d.len() as i64 {
        let out = d.to_vec();
        return Ok(same_or_new(vm, recv, &out));
    }
    if width > (1 << 34) {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    let total = width as usize - d.len();
    let left = match m {
        "ljust" => 0,
        "rjust" => total,
        _ => total / 2 + (total & width as usize & 1),
    };
    let mut out = Vec::with_capacity(width as usize);
    out.resize(left, fill);
    out.extend_from_slice(d);
    out.resize(width as usize, fill);
    Ok(new_like(vm, recv, out))
}

fn center(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    pad_impl(vm, args, kw, "center")
}

fn ljust(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    pad_impl(vm, args, kw, "ljust")
}

fn rjust(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    pad_impl(vm, args, kw, "rjust")
}

fn zfill(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "zfill")?;
    let t = tname(vm, recv);
    check(vm, t, "zfill", &args[1..], kw, Arity::One)?;
    let width = size_arg(vm, args[1])?;
    let d = data(vm, recv);
    if width <= d.len() as i64 {
        let out = d.to_vec();
        return Ok(same_or_new(vm, recv, &out));
    }
    if width > (1 << 34) {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    let fill = width as usize - d.len();
    let mut out = Vec::with_capacity(width as usize);
    let body = match d.first() {
        Some(&s @ (b'+' | b'-')) => {
            out.push(s);
            &d[1..]
        }
        _ => d,
    };
    out.resize(out.len() + fill, b'0');
    out.extend_from_slice(body);
    Ok(new_like(vm, recv, out))
}

fn expandtabs(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "expandtabs")?;
    let [tabsize] = bind(vm, "expandtabs", &args[1..], kw, ["tabsize"])?;
    let tabsize = match tabsize {
        Some(t) => size_arg(vm, t)?,
        None => 8,
    };
    let d = data(vm, recv);
    let mut out = Vec::with_capacity(d.len());
    let mut col = 0usize;
    for &b in d {
        match b {
            b'\t' => {
                if tabsize > 0 {
                    let n = tabsize as usize - col % tabsize as usize;
                    out.resize(out.len() + n, b' ');
                    col += n;
                }
            }
            b'\n' | b'\r' => {
                out.push(b);
                col = 0;
            }
            _ => {
                out.push(b);
                col += 1;
            }
        }
    }
    Ok(new_like(vm, recv, out))
}
