//! `_json`: the native core of the `json` module (whose Python-level API,
//! `dumps`/`loads`/`JSONEncoder`/`JSONDecoder`, is `stdlib/json.aspy`).
//! This file has the module table, `JSONDecodeError` and the encoder;
//! `json_decode.rs` has the parser.
//!
//! The encoder writes into one `String`. It follows CPython's C encoder:
//! `float.__repr__` for floats, `Infinity`/`NaN` unless `allow_nan` is
//! false, int/float/bool/None keys turned into strings, circular
//! references detected by identity, `default(o)` for anything else. User
//! code only runs through `default`; values it returns (and the snapshots of
//! containers being walked) are rooted while they are encoded.

use super::json_decode;
use super::support::{add_fn, add_value, new_module, positional};
use crate::stdlib::builtins::{add_method, native};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Layout, Object};
use crate::vm::ops::text::float_repr;
use crate::vm::value::Value;
use crate::vm::{PyErr, PyResult, Vm};
use std::fmt::Write as _;

/// `vm.module_state` key of the `JSONDecodeError` class.
pub(super) const DECODE_ERROR_KEY: &str = "json.JSONDecodeError";

/// Creates the `_json` module.
pub fn load(vm: &mut Vm) -> PyResult<Value> {
    let m = new_module(vm, "_json")?;
    let value_error = vm.types.exc(ExcKind::ValueError);
    let cls = vm.new_class("JSONDecodeError", &[value_error], Layout::Exception);
    let module = Value::Obj(vm.intern("json.decoder"));
    if let Object::Class(c) = vm.heap.get_mut(cls) {
        c.module = module;
    }
    add_method(vm, cls, "__init__", decode_error_init);
    vm.module_state.insert(DECODE_ERROR_KEY, Value::Obj(cls));
    add_value(vm, m, "JSONDecodeError", Value::Obj(cls))?;
    add_fn(vm, m, "encode", encode)?;
    add_fn(vm, m, "decode", json_decode::decode)?;
    let f = native(vm, "encode_basestring_ascii", encode_basestring_ascii);
    add_value(vm, m, "encode_basestring_ascii", f)?;
    Ok(m)
}

// ---- JSONDecodeError ------------------------------------------------------------

/// Line and column (1-based) of character index `pos` in `doc`.
fn line_col(doc: &str, pos: usize) -> (usize, usize) {
    let before = doc.chars().take(pos);
    let mut line = 1;
    let mut col = pos + 1;
    for (i, c) in before.enumerate() {
        if c == '\n' {
            line += 1;
            col = pos - i;
        }
    }
    (line, col)
}

/// Fills a JSONDecodeError instance: `args` is the full message, and
/// `msg`, `doc`, `pos`, `lineno`, `colno` are attributes.
fn fill_decode_error(vm: &mut Vm, exc: Value, msg: Value, doc: Value, pos: usize) {
    let (line, col) = line_col(vm.str_of(doc), pos);
    let text = format!("{}: line {line} column {col} (char {pos})", vm.str_of(msg));
    let full = vm.new_str(text);
    let args = vm.new_tuple(vec![full]);
    if let Some(d) = vm.exc_data_mut(exc) {
        d.args = args;
    }
    vm.set_exc_attr(exc, "msg", msg);
    vm.set_exc_attr(exc, "doc", doc);
    vm.set_exc_attr(exc, "pos", Value::Int(pos as i64));
    vm.set_exc_attr(exc, "lineno", Value::Int(line as i64));
    vm.set_exc_attr(exc, "colno", Value::Int(col as i64));
}

/// `JSONDecodeError.__init__(self, msg, doc, pos)`.
fn decode_error_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.len() != 4 || !kw.is_empty() || vm.as_str(args[1]).is_none() {
        return Err(
            vm.type_error("JSONDecodeError.__init__() takes a message, a document and a position")
        );
    }
    let pos = match args[3] {
        Value::Int(p) if p >= 0 => p as usize,
        _ => return Err(vm.type_error("JSONDecodeError position must be an int >= 0")),
    };
    let doc = if vm.as_str(args[2]).is_some() {
        args[2]
    } else {
        vm.new_str("")
    };
    fill_decode_error(vm, args[0], args[1], doc, pos);
    Ok(Value::None)
}

/// A new `JSONDecodeError(msg, doc, pos)` ready to raise (`pos` counts
/// characters).
pub(super) fn decode_error(vm: &mut Vm, msg: &str, doc: Value, pos: usize) -> PyErr {
    let cls = super::support::state_class(vm, DECODE_ERROR_KEY);
    let m = vm.new_str(msg);
    let exc = crate::vm::exceptions::new_exception(vm, cls, vec![m]);
    vm.temp_roots.push(exc);
    fill_decode_error(vm, exc, m, doc, pos);
    vm.temp_roots.pop();
    PyErr(exc)
}

// ---- string escaping ----------------------------------------------------------------

/// Appends `s` as a JSON string literal (with the quotes).
fn write_string(out: &mut String, s: &str, ensure_ascii: bool) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let plain = if ensure_ascii {
            (' '..='~').contains(&c) && c != '"' && c != '\\'
        } else {
            c >= ' ' && c != '"' && c != '\\'
        };
        if plain {
            continue;
        }
        out.push_str(&s[start..i]);
        start = i + c.len_utf8();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// `_json.encode_basestring_ascii(s)`.
fn encode_basestring_ascii(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "encode_basestring_ascii", args, kw, 1, 1)?;
    let Some(s) = vm.as_str(args[0]) else {
        let msg = format!(
            "first argument must be a string, not {}",
            vm.type_name(args[0])
        );
        return Err(vm.type_error(msg));
    };
    let mut out = String::new();
    write_string(&mut out, s, true);
    Ok(vm.new_str(out))
}

// ---- the encoder ----------------------------------------------------------------------

/// Encoding options and state for one `encode` call.
struct Encoder {
    skipkeys: bool,
    ensure_ascii: bool,
    check_circular: bool,
    allow_nan: bool,
    sort_keys: bool,
    /// The indentation unit, None for single-line output.
    indent: Option<String>,
    item_sep: String,
    key_sep: String,
    /// `default(o)`, or None to raise "not JSON serializable".
    default: Value,
    /// Identities of the containers being encoded (circular check).
    markers: Vec<Value>,
    depth: usize,
    max_depth: usize,
    out: String,
}

/// `_json.encode(obj, skipkeys, ensure_ascii, check_circular, allow_nan,
/// sort_keys, indent, separators, default)`: the JSON text of `obj`.
fn encode(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "encode", args, kw, 9, 9)?;
    let indent = indent_unit(vm, args[6])?;
    let (item_sep, key_sep) = separators(vm, args[7], indent.is_some())?;
    // CPython's Python-level encoder (used with indent) nests one frame
    // less deep than the C encoder, and words its RecursionError differently.
    let frames = vm.fiber.frames.len();
    let budget = if indent.is_some() { 3 } else { 4 };
    let mut enc = Encoder {
        skipkeys: vm.truthy(args[1])?,
        ensure_ascii: vm.truthy(args[2])?,
        check_circular: vm.truthy(args[3])?,
        allow_nan: vm.truthy(args[4])?,
        sort_keys: vm.truthy(args[5])?,
        indent,
        item_sep,
        key_sep,
        default: args[8],
        markers: Vec::new(),
        depth: 0,
        max_depth: vm.config.recursion_limit.saturating_sub(frames + budget),
        out: String::new(),
    };
    enc.value(vm, args[0])?;
    Ok(vm.new_str(enc.out))
}

/// The indentation unit: None, `' ' * n` for an int, or the string itself.
fn indent_unit(vm: &mut Vm, v: Value) -> PyResult<Option<String>> {
    match v {
        Value::None => Ok(None),
        Value::Int(n) => Ok(Some(" ".repeat(n.clamp(0, 1 << 20) as usize))),
        Value::Bool(b) => Ok(Some(if b { " " } else { "" }.to_string())),
        _ => match vm.as_str(v) {
            Some(s) => Ok(Some(s.to_string())),
            None => {
                let msg = format!(
                    "can't multiply sequence by non-int of type '{}'",
                    vm.type_name(v)
                );
                Err(vm.type_error(msg))
            }
        },
    }
}

/// (item separator, key separator) from `separators` (None: the defaults).
fn separators(vm: &mut Vm, v: Value, indented: bool) -> PyResult<(String, String)> {
    if v.is_none() {
        let item = if indented { "," } else { ", " };
        return Ok((item.to_string(), ": ".to_string()));
    }
    let parts = vm.collect_iterable(v)?;
    if parts.len() != 2 {
        let msg = if parts.len() < 2 {
            format!(
                "not enough values to unpack (expected 2, got {})",
                parts.len()
            )
        } else {
            "too many values to unpack (expected 2)".to_string()
        };
        return Err(vm.value_error(msg));
    }
    for (k, argn) in [(1, 5), (0, 6)] {
        if vm.as_str(parts[k]).is_none() {
            let msg = format!(
                "make_encoder() argument {argn} must be str, not {}",
                vm.type_name(parts[k])
            );
            return Err(vm.type_error(msg));
        }
    }
    Ok((
        vm.str_of(parts[0]).to_string(),
        vm.str_of(parts[1]).to_string(),
    ))
}

impl Encoder {
    fn value(&mut self, vm: &mut Vm, v: Value) -> PyResult<()> {
        match v {
            Value::None => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Float(f) => {
                let s = self.float(vm, f)?;
                self.out.push_str(&s);
            }
            Value::Obj(r) => match vm.heap.get(r) {
                Object::Str(s) => write_string(&mut self.out, s.as_str(), self.ensure_ascii),
                Object::BigInt(b) => {
                    let _ = write!(self.out, "{b}");
                }
                Object::List(_) | Object::Tuple(_) => self.list(vm, v)?,
                Object::Dict(_) => self.dict(vm, v)?,
                _ => self.other(vm, v)?,
            },
            _ => self.other(vm, v)?,
        }
        Ok(())
    }

    /// A float as JSON: its repr, or Infinity/-Infinity/NaN when allowed.
    fn float(&self, vm: &mut Vm, f: f64) -> PyResult<String> {
        if f.is_finite() {
            return Ok(float_repr(f));
        }
        if !self.allow_nan {
            return Err(vm.value_error("Out of range float values are not JSON compliant"));
        }
        Ok(if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_string())
    }

    /// Enters a container: recursion and circular-reference checks.
    fn enter(&mut self, vm: &mut Vm, v: Value) -> PyResult<()> {
        if self.depth >= self.max_depth {
            let msg = if self.indent.is_some() {
                "maximum recursion depth exceeded while calling a Python object"
            } else {
                "maximum recursion depth exceeded while encoding a JSON object"
            };
            return Err(vm.new_error(ExcKind::RecursionError, msg));
        }
        if self.check_circular {
            if self.markers.iter().any(|m| m.is(v)) {
                return Err(vm.value_error("Circular reference detected"));
            }
            self.markers.push(v);
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        if self.check_circular {
            self.markers.pop();
        }
        self.depth -= 1;
    }

    /// Starts a new line at the current depth (indented output only).
    fn newline(&mut self) {
        if let Some(unit) = &self.indent {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str(unit);
            }
        }
    }

    fn list(&mut self, vm: &mut Vm, v: Value) -> PyResult<()> {
        let items = vm.seq_items(v).map(|s| s.to_vec()).unwrap_or_default();
        if items.is_empty() {
            self.out.push_str("[]");
            return Ok(());
        }
        self.enter(vm, v)?;
        self.out.push('[');
        let base = vm.temp_roots.len();
        vm.temp_roots.extend_from_slice(&items);
        let r = self.items(vm, &items);
        vm.temp_roots.truncate(base);
        r?;
        self.leave();
        self.newline();
        self.out.push(']');
        Ok(())
    }

    fn items(&mut self, vm: &mut Vm, items: &[Value]) -> PyResult<()> {
        for (i, &item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(&self.item_sep);
            }
            self.newline();
            self.value(vm, item)?;
        }
        Ok(())
    }

    fn dict(&mut self, vm: &mut Vm, v: Value) -> PyResult<()> {
        let Value::Obj(r) = v else { return Ok(()) };
        let mut pairs: Vec<(Value, Value)> = match vm.heap.get(r) {
            Object::Dict(d) => d.iter().map(|e| (e.key, e.value)).collect(),
            _ => Vec::new(),
        };
        if pairs.is_empty() {
            self.out.push_str("{}");
            return Ok(());
        }
        self.enter(vm, v)?;
        self.out.push('{');
        let base = vm.temp_roots.len();
        for &(k, val) in &pairs {
            vm.temp_roots.push(k);
            vm.temp_roots.push(val);
        }
        let mut r = Ok(());
        if self.sort_keys {
            r = sort_pairs(vm, &mut pairs);
        }
        if r.is_ok() {
            r = self.pairs(vm, &pairs);
        }
        vm.temp_roots.truncate(base);
        r?;
        self.leave();
        self.newline();
        self.out.push('}');
        Ok(())
    }

    fn pairs(&mut self, vm: &mut Vm, pairs: &[(Value, Value)]) -> PyResult<()> {
        let mut first = true;
        for &(k, val) in pairs {
            let Some(key) = self.key(vm, k)? else {
                continue;
            };
            if !first {
                self.out.push_str(&self.item_sep);
            }
            first = false;
            self.newline();
            write_string(&mut self.out, &key, self.ensure_ascii);
            self.out.push_str(&self.key_sep);
            self.value(vm, val)?;
        }
        Ok(())
    }

    /// The string form of a dict key; None to skip it (`skipkeys`).
    fn key(&self, vm: &mut Vm, k: Value) -> PyResult<Option<String>> {
        Ok(Some(match k {
            Value::Float(f) => self.float(vm, f)?,
            Value::Bool(b) => if b { "true" } else { "false" }.to_string(),
            Value::None => "null".to_string(),
            Value::Int(i) => i.to_string(),
            Value::Obj(r) => match vm.heap.get(r) {
                Object::Str(s) => s.as_str().to_string(),
                Object::BigInt(b) => b.to_string(),
                _ => return self.bad_key(vm, k),
            },
            _ => return self.bad_key(vm, k),
        }))
    }

    fn bad_key(&self, vm: &mut Vm, k: Value) -> PyResult<Option<String>> {
        if self.skipkeys {
            return Ok(None);
        }
        let msg = format!(
            "keys must be str, int, float, bool or None, not {}",
            vm.class_name(vm.class_of(k))
        );
        Err(vm.type_error(msg))
    }

    /// Anything else: `default(o)`, encoded in turn (with `o` marked, so a
    /// default returning its argument is caught as circular).
    fn other(&mut self, vm: &mut Vm, v: Value) -> PyResult<()> {
        if self.default.is_none() {
            let msg = format!(
                "Object of type {} is not JSON serializable",
                vm.class_name(vm.class_of(v))
            );
            return Err(vm.type_error(msg));
        }
        if self.check_circular {
            if self.markers.iter().any(|m| m.is(v)) {
                return Err(vm.value_error("Circular reference detected"));
            }
            self.markers.push(v);
        }
        vm.temp_roots.push(v);
        let r = vm.call(self.default, &[v], &[]).and_then(|new| {
            vm.temp_roots.push(new);
            let r = self.value(vm, new);
            vm.temp_roots.pop();
            r
        });
        vm.temp_roots.pop();
        if self.check_circular {
            self.markers.pop();
        }
        r
    }
}

/// Sorts dict items by key as `sorted(d.items())` does in practice (keys
/// are unique, so values are never compared). Small inputs use the same
/// comparison order as CPython's sort (a run check, then binary
/// insertion), so a TypeError for mixed key types names the types in the
/// same order.
fn sort_pairs(vm: &mut Vm, pairs: &mut [(Value, Value)]) -> PyResult<()> {
    if pairs.len() > 64 {
        return merge_sort(vm, pairs);
    }
    let n = pairs.len();
    // Count the initial run; a strictly descending one is reversed.
    let mut run = 1;
    if n >= 2 {
        run = 2;
        if vm.lt(pairs[1].0, pairs[0].0)? {
            while run < n && vm.lt(pairs[run].0, pairs[run - 1].0)? {
                run += 1;
            }
            pairs[..run].reverse();
        } else {
            while run < n && !vm.lt(pairs[run].0, pairs[run - 1].0)? {
                run += 1;
            }
        }
    }
    for i in run..n {
        let pivot = pairs[i];
        let (mut lo, mut hi) = (0, i);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if vm.lt(pivot.0, pairs[mid].0)? {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        pairs[lo..=i].rotate_right(1);
    }
    Ok(())
}

/// A stable merge sort by key with a comparison that may fail.
fn merge_sort(vm: &mut Vm, pairs: &mut [(Value, Value)]) -> PyResult<()> {
    let n = pairs.len();
    if n <= 1 {
        return Ok(());
    }
    let mid = n / 2;
    merge_sort(vm, &mut pairs[..mid])?;
    merge_sort(vm, &mut pairs[mid..])?;
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if vm.lt(pairs[j].0, pairs[i].0)? {
            merged.push(pairs[j]);
            j += 1;
        } else {
            merged.push(pairs[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&pairs[i..mid]);
    merged.extend_from_slice(&pairs[j..]);
    pairs.copy_from_slice(&merged);
    Ok(())
}
