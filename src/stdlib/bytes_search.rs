//! Searching, splitting and joining methods shared by `bytes` and
//! `bytearray`, and `bytes % args`.
//!
//! Substring search uses `memchr::memmem`. A needle may be any bytes-like
//! value or, for find/index/count, a single byte given as an int. Results
//! that are bytes have the receiver's type.

use super::builtins::add_method;
use super::bytes_methods::{bytes_like_error, data, expect_bytes, is_space, new_like, this, tname};
use super::method_args::{adjust_indices, bind, check, size_arg, slice_bound, Arity};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use memchr::memmem;

pub fn install(vm: &mut Vm, cls: ObjRef) {
    let methods: &[(&'static str, NativeFn)] = &[
        ("find", find),
        ("rfind", rfind),
        ("index", index),
        ("rindex", rindex),
        ("count", count),
        ("startswith", startswith),
        ("endswith", endswith),
        ("replace", replace),
        ("partition", partition),
        ("rpartition", rpartition),
        ("split", split),
        ("rsplit", rsplit),
        ("splitlines", splitlines),
        ("join", join),
    ];
    for &(name, f) in methods {
        add_method(vm, cls, name, f);
    }
}

/// A search needle: bytes-like, or an int naming one byte.
fn needle(vm: &mut Vm, v: Value) -> PyResult<Vec<u8>> {
    if let Some(b) = vm.as_bytes(v) {
        return Ok(b.to_vec());
    }
    match vm.to_index(v)? {
        Some(x) if (0..256).contains(&x) => Ok(vec![x as u8]),
        Some(_) => Err(vm.value_error("byte must be in range(0, 256)")),
        None => {
            let msg = format!(
                "argument should be integer or bytes-like object, not '{}'",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// The window `[start, end)` of the receiver selected by optional bounds,
/// or None when start lies past end.
fn window(
    vm: &mut Vm,
    recv: Value,
    start: Option<Value>,
    end: Option<Value>,
) -> PyResult<Option<(usize, usize)>> {
    let start = slice_bound(vm, start)?;
    let end = slice_bound(vm, end)?;
    let (s, e) = adjust_indices(start, end, data(vm, recv).len());
    Ok((s <= e).then_some((s, e)))
}

fn search(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    rev: bool,
) -> PyResult<Option<usize>> {
    let recv = this(vm, args, m)?;
    let t = tname(vm, recv);
    check(vm, t, m, &args[1..], kw, Arity::Tuple(1, 3))?;
    let sub = needle(vm, args[1])?;
    let Some((s, e)) = window(vm, recv, args.get(2).copied(), args.get(3).copied())? else {
        return Ok(None);
    };
    let hay = &data(vm, recv)[s..e];
    let pos = if rev {
        memmem::rfind(hay, &sub)
    } else {
        memmem::find(hay, &sub)
    };
    Ok(pos.map(|p| p + s))
}

fn find(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let p = search(vm, args, kw, "find", false)?;
    Ok(Value::Int(p.map_or(-1, |p| p as i64)))
}

fn rfind(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let p = search(vm, args, kw, "rfind", true)?;
    Ok(Value::Int(p.map_or(-1, |p| p as i64)))
}

fn index(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    match search(vm, args, kw, "index", false)? {
        Some(p) => Ok(Value::Int(p as i64)),
        None => Err(vm.value_error("subsection not found")),
    }
}

fn rindex(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    match search(vm, args, kw, "rindex", true)? {
        Some(p) => Ok(Value::Int(p as i64)),
        None => Err(vm.value_error("subsection not found")),
    }
}

fn count(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "count")?;
    let t = tname(vm, recv);
    check(vm, t, "count", &args[1..], kw, Arity::Tuple(1, 3))?;
    let sub = needle(vm, args[1])?;
    let Some((s, e)) = window(vm, recv, args.get(2).copied(), args.get(3).copied())? else {
        return Ok(Value::Int(0));
    };
    let hay = &data(vm, recv)[s..e];
    let n = if sub.is_empty() {
        hay.len() + 1
    } else {
        memmem::find_iter(hay, &sub).count()
    };
    Ok(Value::Int(n as i64))
}

fn affix_match(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    at_end: bool,
) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    let t = tname(vm, recv);
    check(vm, t, m, &args[1..], kw, Arity::Tuple(1, 3))?;
    let arg = args[1];
    let candidates: Vec<Value> = if vm.as_bytes(arg).is_some() {
        vec![arg]
    } else if let Some(t) = match arg {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Tuple(t) => Some(t.to_vec()),
            _ => None,
        },
        _ => None,
    } {
        t
    } else {
        let msg = format!(
            "{m} first arg must be bytes or a tuple of bytes, not {}",
            vm.type_name(arg)
        );
        return Err(vm.type_error(msg));
    };
    let Some((s, e)) = window(vm, recv, args.get(2).copied(), args.get(3).copied())? else {
        return Ok(Value::Bool(false));
    };
    for c in candidates {
        let Some(p) = vm.as_bytes(c) else {
            return Err(bytes_like_error(vm, c));
        };
        let hay = &data(vm, recv)[s..e];
        if (at_end && hay.ends_with(p)) || (!at_end && hay.starts_with(p)) {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn startswith(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    affix_match(vm, args, kw, "startswith", false)
}

fn endswith(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    affix_match(vm, args, kw, "endswith", true)
}

fn replace(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "replace")?;
    let t = tname(vm, recv);
    check(vm, t, "replace", &args[1..], kw, Arity::Pos(2, 3))?;
    let old = expect_bytes(vm, args[1])?;
    let new = expect_bytes(vm, args[2])?;
    let limit = match args.get(3) {
        Some(&c) => size_arg(vm, c)?,
        None => -1,
    };
    let (d, o, n) = (data(vm, recv), data(vm, old), data(vm, new));
    let limit = if limit < 0 {
        usize::MAX
    } else {
        limit as usize
    };
    let mut out = Vec::with_capacity(d.len());
    let mut last = 0;
    let mut done = 0;
    if o.is_empty() {
        // Insert `new` before every byte and at the end.
        for i in 0..=d.len() {
            if done == limit {
                break;
            }
            out.extend_from_slice(&d[last..i]);
            out.extend_from_slice(n);
            last = i;
            done += 1;
        }
    } else {
        for i in memmem::find_iter(d, o) {
            if done == limit {
                break;
            }
            out.extend_from_slice(&d[last..i]);
            out.extend_from_slice(n);
            last = i + o.len();
            done += 1;
        }
    }
    out.extend_from_slice(&d[last..]);
    if out.len() > 1 << 32 {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    Ok(new_like(vm, recv, out))
}

fn partition_impl(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    rev: bool,
) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    let t = tname(vm, recv);
    check(vm, t, m, &args[1..], kw, Arity::One)?;
    let sep = expect_bytes(vm, args[1])?;
    if data(vm, sep).is_empty() {
        return Err(vm.value_error("empty separator"));
    }
    let (d, p) = (data(vm, recv), data(vm, sep));
    let pos = if rev {
        memmem::rfind(d, p)
    } else {
        memmem::find(d, p)
    };
    let parts: [Vec<u8>; 3] = match pos {
        Some(i) => [d[..i].to_vec(), p.to_vec(), d[i + p.len()..].to_vec()],
        None if rev => [Vec::new(), Vec::new(), d.to_vec()],
        None => [d.to_vec(), Vec::new(), Vec::new()],
    };
    let items: Vec<Value> = parts.into_iter().map(|p| new_like(vm, recv, p)).collect();
    Ok(vm.new_tuple(items))
}

fn partition(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    partition_impl(vm, args, kw, "partition", false)
}

fn rpartition(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    partition_impl(vm, args, kw, "rpartition", true)
}

/// A list of the receiver's slices at the given ranges.
fn pieces(vm: &mut Vm, recv: Value, ranges: &[(usize, usize)]) -> Value {
    let items: Vec<Value> = ranges
        .iter()
        .map(|&(a, b)| {
            let piece = data(vm, recv)[a..b].to_vec();
            new_like(vm, recv, piece)
        })
        .collect();
    vm.new_list(items)
}

fn split_impl(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    rev: bool,
) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    let [sep, maxsplit] = bind(vm, m, &args[1..], kw, ["sep", "maxsplit"])?;
    let sep = match sep {
        None | Some(Value::None) => None,
        Some(s) => Some(expect_bytes(vm, s)?),
    };
    if sep.is_some_and(|s| data(vm, s).is_empty()) {
        return Err(vm.value_error("empty separator"));
    }
    let max = match maxsplit {
        Some(v) => size_arg(vm, v)?,
        None => -1,
    };
    let limit = if max < 0 { usize::MAX } else { max as usize };
    let d = data(vm, recv);
    let ranges = match sep {
        None => split_whitespace(d, limit, rev),
        Some(s) => split_on(d, data(vm, s), limit, rev),
    };
    Ok(pieces(vm, recv, &ranges))
}

/// Ranges of `d` split on runs of ASCII whitespace, at most `limit` splits
/// from the left or right; the last piece split off keeps the rest as is.
fn split_whitespace(d: &[u8], limit: usize, rev: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if rev {
        let mut end = d.len();
        loop {
            while end > 0 && is_space(&d[end - 1]) {
                end -= 1;
            }
            if end == 0 {
                break;
            }
            if out.len() == limit {
                out.push((0, end));
                break;
            }
            let mut start = end;
            while start > 0 && !is_space(&d[start - 1]) {
                start -= 1;
            }
            out.push((start, end));
            end = start;
        }
        out.reverse();
    } else {
        let mut start = 0;
        loop {
            while start < d.len() && is_space(&d[start]) {
                start += 1;
            }
            if start == d.len() {
                break;
            }
            if out.len() == limit {
                out.push((start, d.len()));
                break;
            }
            let mut end = start;
            while end < d.len() && !is_space(&d[end]) {
                end += 1;
            }
            out.push((start, end));
            start = end;
        }
    }
    out
}

/// Ranges of `d` split on `sep` (non-empty), in left-to-right order.
fn split_on(d: &[u8], sep: &[u8], limit: usize, rev: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if rev {
        let mut end = d.len();
        for i in memmem::rfind_iter(d, sep) {
            if out.len() == limit {
                break;
            }
            if i + sep.len() > end {
                continue;
            }
            out.push((i + sep.len(), end));
            end = i;
        }
        out.push((0, end));
        out.reverse();
    } else {
        let mut start = 0;
        for i in memmem::find_iter(d, sep) {
            if out.len() == limit {
                break;
            }
            out.push((start, i));
            start = i + sep.len();
        }
        out.push((start, d.len()));
    }
    out
}

fn split(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    split_impl(vm, args, kw, "split", false)
}

fn rsplit(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    split_impl(vm, args, kw, "rsplit", true)
}

fn splitlines(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "splitlines")?;
    let [keep] = bind(vm, "splitlines", &args[1..], kw, ["keepends"])?;
    let keep = match keep {
        Some(v) => size_arg(vm, v)? != 0,
        None => false,
    };
    let d = data(vm, recv);
    let mut ranges = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < d.len() {
        let b = d[i];
        if b != b'\n' && b != b'\r' {
            i += 1;
            continue;
        }
        let mut after = i + 1;
        if b == b'\r' && d.get(after) == Some(&b'\n') {
            after += 1;
        }
        ranges.push((start, if keep { after } else { i }));
        start = after;
        i = after;
    }
    if start < d.len() {
        ranges.push((start, d.len()));
    }
    Ok(pieces(vm, recv, &ranges))
}

fn join(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "join")?;
    let t = tname(vm, recv);
    check(vm, t, "join", &args[1..], kw, Arity::One)?;
    let iterable = args[1];
    let items: Vec<Value> = match vm.seq_items(iterable) {
        Some(items) => items.to_vec(),
        None => {
            if vm.get_iter(iterable).is_err() {
                return Err(vm.type_error("can only join an iterable"));
            }
            vm.collect_iterable(iterable)?
        }
    };
    if let Some(i) = items.iter().position(|&v| vm.as_bytes(v).is_none()) {
        let msg = format!(
            "sequence item {i}: expected a bytes-like object, {} found",
            vm.type_name(items[i])
        );
        return Err(vm.type_error(msg));
    }
    let sep = data(vm, recv);
    let total: usize = items.iter().map(|&v| data(vm, v).len()).sum::<usize>()
        + sep.len() * items.len().saturating_sub(1);
    if total > 1 << 32 {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    let mut out = Vec::with_capacity(total);
    for (i, &v) in items.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(sep);
        }
        out.extend_from_slice(data(vm, v));
    }
    Ok(new_like(vm, recv, out))
}

/// `bytes % args`: the text rules of `str % args` over Latin-1, with
/// bytes-like arguments for `%s`.
pub fn bytes_percent(vm: &mut Vm, fmt: Value, args: Value) -> PyResult<Value> {
    let to_text = |vm: &mut Vm, v: Value| -> PyResult<Value> {
        if let Some(b) = vm.as_bytes(v) {
            let s: String = b.iter().map(|&c| c as char).collect();
            return Ok(vm.new_str(s));
        }
        if vm.as_str(v).is_some() {
            let msg = format!(
                "%b requires a bytes-like object, or an object that implements __bytes__, not '{}'",
                vm.type_name(v)
            );
            return Err(vm.type_error(msg));
        }
        Ok(v)
    };
    let is_tuple = matches!(args, Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_)));
    let base = vm.temp_roots.len();
    let converted = if is_tuple {
        let items = vm.seq_items(args).map(|s| s.to_vec()).unwrap_or_default();
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            let v = to_text(vm, it)?;
            vm.temp_roots.push(v);
            out.push(v);
        }
        vm.new_tuple(out)
    } else {
        to_text(vm, args)?
    };
    vm.temp_roots.push(converted);
    let text: String = data(vm, fmt).iter().map(|&c| c as char).collect();
    let fmt_s = vm.new_str(text);
    vm.temp_roots.push(fmt_s);
    let r = super::format::percent_format(vm, fmt_s, converted);
    vm.temp_roots.truncate(base);
    let r = r?;
    let out: Vec<u8> = vm.str_of(r).chars().map(|c| c as u32 as u8).collect();
    Ok(new_like(vm, fmt, out))
}
