//! Searching, splitting and joining methods of `str`: find/rfind/index/
//! rindex/count, startswith/endswith, replace, partition/rpartition,
//! split/rsplit, splitlines and join.
//!
//! Positions given and returned are code-point indices; the search itself
//! runs on the UTF-8 bytes of the slice the indices select, and a byte
//! position found is converted back by counting characters before it.

use super::builtins::add_method;
use super::method_args::{adjust_indices, bind, check, size_arg, slice_bound, Arity};
use super::str_methods::{expect_str, sobj, this};
use super::unicode;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::string::char_count;
use crate::vm::object::{NativeFn, Object, StrObj};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

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

/// The receiver's code-point window `[start, end)` selected by a method's
/// optional `start`/`end` arguments: (char start, byte start, byte end), or
/// None when the window is empty because start lies past end.
fn window(
    vm: &mut Vm,
    recv: Value,
    start: Option<Value>,
    end: Option<Value>,
) -> PyResult<Option<(usize, usize, usize)>> {
    let start = slice_bound(vm, start)?;
    let end = slice_bound(vm, end)?;
    let s = sobj(vm, recv);
    let (cs, ce) = adjust_indices(start, end, s.nchars());
    if cs > ce {
        return Ok(None);
    }
    Ok(Some((cs, s.byte_offset(cs), s.byte_offset(ce))))
}

/// Shared body of find/rfind/index/rindex: the code-point index of `sub`
/// in the window, or None.
fn search(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    rev: bool,
) -> PyResult<Option<usize>> {
    let recv = this(vm, args, m)?;
    check(vm, "str", m, &args[1..], kw, Arity::Tuple(1, 3))?;
    let sub = expect_str(vm, args[1], "")?;
    let Some((cs, bs, be)) = window(vm, recv, args.get(2).copied(), args.get(3).copied())? else {
        return Ok(None);
    };
    let hay = &vm.str_of(recv)[bs..be];
    let sub = vm.str_of(sub);
    let pos = if rev { hay.rfind(sub) } else { hay.find(sub) };
    Ok(pos.map(|p| cs + char_count(&hay.as_bytes()[..p])))
}

fn found(pos: Option<usize>) -> Value {
    Value::Int(pos.map_or(-1, |p| p as i64))
}

fn find(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    search(vm, args, kw, "find", false).map(found)
}

fn rfind(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    search(vm, args, kw, "rfind", true).map(found)
}

fn index(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    match search(vm, args, kw, "index", false)? {
        Some(p) => Ok(Value::Int(p as i64)),
        None => Err(vm.value_error("substring not found")),
    }
}

fn rindex(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    match search(vm, args, kw, "rindex", true)? {
        Some(p) => Ok(Value::Int(p as i64)),
        None => Err(vm.value_error("substring not found")),
    }
}

fn count(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "count")?;
    check(vm, "str", "count", &args[1..], kw, Arity::Tuple(1, 3))?;
    let sub = expect_str(vm, args[1], "")?;
    let Some((_, bs, be)) = window(vm, recv, args.get(2).copied(), args.get(3).copied())? else {
        return Ok(Value::Int(0));
    };
    let hay = &vm.str_of(recv)[bs..be];
    let sub = vm.str_of(sub);
    let n = if sub.is_empty() {
        char_count(hay.as_bytes()) + 1
    } else {
        hay.matches(sub).count()
    };
    Ok(Value::Int(n as i64))
}

/// Shared body of startswith/endswith.
fn affix_match(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    at_end: bool,
) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    check(vm, "str", m, &args[1..], kw, Arity::Tuple(1, 3))?;
    let arg = args[1];
    let candidates: Vec<Value> = if vm.as_str(arg).is_some() {
        vec![arg]
    } else if let Value::Obj(r) = arg {
        match vm.heap.get(r) {
            Object::Tuple(t) => t.to_vec(),
            _ => return Err(affix_type_error(vm, m, arg)),
        }
    } else {
        return Err(affix_type_error(vm, m, arg));
    };
    let Some((_, bs, be)) = window(vm, recv, args.get(2).copied(), args.get(3).copied())? else {
        return Ok(Value::Bool(false));
    };
    for c in candidates {
        let Some(p) = vm.as_str(c) else {
            let msg = format!(
                "tuple for {m} must only contain str, not {}",
                vm.type_name(c)
            );
            return Err(vm.type_error(msg));
        };
        let hay = &vm.str_of(recv)[bs..be];
        let hit = if at_end {
            hay.ends_with(p)
        } else {
            hay.starts_with(p)
        };
        if hit {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn affix_type_error(vm: &mut Vm, m: &str, arg: Value) -> crate::vm::PyErr {
    let msg = format!(
        "{m} first arg must be str or a tuple of str, not {}",
        vm.type_name(arg)
    );
    vm.type_error(msg)
}

fn startswith(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    affix_match(vm, args, kw, "startswith", false)
}

fn endswith(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    affix_match(vm, args, kw, "endswith", true)
}

/// Results longer than this many bytes raise MemoryError instead of
/// exhausting the machine.
const MAX_RESULT: usize = 1 << 32;

fn replace(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "replace")?;
    check(vm, "str", "replace", &args[1..], kw, Arity::Pos(2, 3))?;
    let old = expect_str(vm, args[1], "replace() argument 1 ")?;
    let new = expect_str(vm, args[2], "replace() argument 2 ")?;
    let limit = match args.get(3) {
        Some(&c) => size_arg(vm, c)?,
        None => -1,
    };
    let (s, o, n) = (sobj(vm, recv), vm.str_of(old), vm.str_of(new));
    let hits = if o.is_empty() {
        s.nchars() + 1
    } else {
        s.as_str().matches(o).count()
    };
    let hits = if limit >= 0 {
        hits.min(limit as usize)
    } else {
        hits
    };
    if hits == 0 {
        return Ok(recv);
    }
    let size = (s.as_str().len() as u128) + (hits as u128) * (n.len() as u128);
    if size > MAX_RESULT as u128 {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    let out = s.as_str().replacen(o, n, hits);
    Ok(vm.new_str(out))
}

/// Shared body of partition/rpartition.
fn partition_impl(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    rev: bool,
) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    check(vm, "str", m, &args[1..], kw, Arity::One)?;
    let sep = expect_str(vm, args[1], "")?;
    if vm.str_of(sep).is_empty() {
        return Err(vm.value_error("empty separator"));
    }
    let (s, p) = (vm.str_of(recv), vm.str_of(sep));
    let pos = if rev { s.rfind(p) } else { s.find(p) };
    let split = pos.map(|i| (s[..i].to_string(), s[i + p.len()..].to_string()));
    let empty = vm.new_str("");
    let parts = match split {
        Some((head, tail)) => {
            let head = vm.new_str(head);
            let tail = vm.new_str(tail);
            [head, sep, tail]
        }
        None if rev => [empty, empty, recv],
        None => [recv, empty, empty],
    };
    Ok(vm.new_tuple(parts.to_vec()))
}

fn partition(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    partition_impl(vm, args, kw, "partition", false)
}

fn rpartition(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    partition_impl(vm, args, kw, "rpartition", true)
}

/// Parsed `split`/`rsplit` arguments: the separator (None: whitespace) and
/// the maximum number of splits (None: no limit).
fn split_args(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
) -> PyResult<(Value, Option<Value>, Option<usize>)> {
    let recv = this(vm, args, m)?;
    let [sep, maxsplit] = bind(vm, m, &args[1..], kw, ["sep", "maxsplit"])?;
    let sep = match sep {
        None | Some(Value::None) => None,
        Some(s) if vm.as_str(s).is_some() => Some(s),
        Some(s) => {
            let msg = format!("must be str or None, not {}", vm.type_name(s));
            return Err(vm.type_error(msg));
        }
    };
    if sep.is_some_and(|s| vm.str_of(s).is_empty()) {
        return Err(vm.value_error("empty separator"));
    }
    let max = match maxsplit {
        Some(v) => size_arg(vm, v)?,
        None => -1,
    };
    let max = (max >= 0).then_some(max as usize);
    Ok((recv, sep, max))
}

/// Byte ranges of the pieces of `s` split on runs of whitespace, at most
/// `max` splits from the left (the last piece keeps the rest as it is).
fn split_whitespace(s: &str, max: Option<usize>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    loop {
        while it.next_if(|&(_, c)| unicode::is_space(c)).is_some() {}
        let Some(&(start, _)) = it.peek() else { break };
        if max.is_some_and(|m| out.len() == m) {
            out.push((start, s.len()));
            break;
        }
        let mut end = s.len();
        for (i, c) in it.by_ref() {
            if unicode::is_space(c) {
                end = i;
                break;
            }
        }
        out.push((start, end));
    }
    out
}

/// Like [`split_whitespace`] but splitting from the right; ranges are
/// returned in left-to-right order.
fn rsplit_whitespace(s: &str, max: Option<usize>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut it = s.char_indices().rev().peekable();
    loop {
        while it.next_if(|&(_, c)| unicode::is_space(c)).is_some() {}
        let Some(&(last, c)) = it.peek() else { break };
        let end = last + c.len_utf8();
        if max.is_some_and(|m| out.len() == m) {
            out.push((0, end));
            break;
        }
        let mut start = 0;
        for (i, c) in it.by_ref() {
            if unicode::is_space(c) {
                start = i + c.len_utf8();
                break;
            }
        }
        out.push((start, end));
    }
    out.reverse();
    out
}

/// Byte ranges of `s` split on `sep` (non-empty), at most `max` splits,
/// from the left or (with `rev`) from the right, in left-to-right order.
fn split_on(s: &str, sep: &str, max: Option<usize>, rev: bool) -> Vec<(usize, usize)> {
    let limit = max.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    if rev {
        let mut end = s.len();
        for (i, _) in s.rmatch_indices(sep) {
            if out.len() == limit {
                break;
            }
            out.push((i + sep.len(), end));
            end = i;
        }
        out.push((0, end));
        out.reverse();
    } else {
        let mut start = 0;
        for (i, _) in s.match_indices(sep) {
            if out.len() == limit {
                break;
            }
            out.push((start, i));
            start = i + sep.len();
        }
        out.push((start, s.len()));
    }
    out
}

/// A list of the receiver's substrings at the given byte ranges.
fn pieces_list(vm: &mut Vm, recv: Value, ranges: &[(usize, usize)]) -> Value {
    let ascii = sobj(vm, recv).is_ascii();
    let mut items = Vec::with_capacity(ranges.len());
    for &(a, b) in ranges {
        // Built before allocating: the text is borrowed from the heap.
        let piece = &vm.str_of(recv)[a..b];
        let obj = if ascii {
            StrObj::with_nchars(piece, b - a)
        } else {
            StrObj::new(piece)
        };
        items.push(vm.alloc(Object::Str(obj)));
    }
    vm.new_list(items)
}

fn split(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (recv, sep, max) = split_args(vm, args, kw, "split")?;
    let s = vm.str_of(recv);
    let ranges = match sep {
        None => split_whitespace(s, max),
        Some(sep) => split_on(s, vm.str_of(sep), max, false),
    };
    Ok(pieces_list(vm, recv, &ranges))
}

fn rsplit(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (recv, sep, max) = split_args(vm, args, kw, "rsplit")?;
    let s = vm.str_of(recv);
    let ranges = match sep {
        None => rsplit_whitespace(s, max),
        Some(sep) => split_on(s, vm.str_of(sep), max, true),
    };
    Ok(pieces_list(vm, recv, &ranges))
}

/// Is `c` one of Python's line boundaries?
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

fn splitlines(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "splitlines")?;
    let [keep] = bind(vm, "splitlines", &args[1..], kw, ["keepends"])?;
    let keep = match keep {
        Some(v) => size_arg(vm, v)? != 0,
        None => false,
    };
    let s = vm.str_of(recv);
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !is_line_break(c) {
            continue;
        }
        let mut after = i + c.len_utf8();
        if c == '\r' && it.next_if(|&(_, n)| n == '\n').is_some() {
            after += 1;
        }
        ranges.push((start, if keep { after } else { i }));
        start = after;
    }
    if start < s.len() {
        ranges.push((start, s.len()));
    }
    Ok(pieces_list(vm, recv, &ranges))
}

fn join(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "join")?;
    check(vm, "str", "join", &args[1..], kw, Arity::One)?;
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
    // Sizes first: one allocation, and the first non-str item is reported.
    let (mut bytes, mut chars) = (0usize, 0usize);
    let mut bad = None;
    for (i, &it) in items.iter().enumerate() {
        match it {
            Value::Obj(r) => match vm.heap.get(r) {
                Object::Str(p) => {
                    bytes += p.as_str().len();
                    chars += p.nchars();
                }
                _ => bad = Some(i),
            },
            _ => bad = Some(i),
        }
        if bad.is_some() {
            break;
        }
    }
    if let Some(i) = bad {
        let msg = format!(
            "sequence item {i}: expected str instance, {} found",
            vm.type_name(items[i])
        );
        return Err(vm.type_error(msg));
    }
    if items.len() == 1 {
        return Ok(items[0]);
    }
    let sep = sobj(vm, recv);
    let gaps = items.len().saturating_sub(1);
    bytes += sep.as_str().len() * gaps;
    chars += sep.nchars() * gaps;
    if bytes > MAX_RESULT {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    let sep = sep.as_str();
    let parts = items.iter().enumerate().flat_map(|(i, &it)| {
        let gap = if i > 0 { sep } else { "" };
        [gap, vm.str_of(it)]
    });
    let joined = StrObj::concat_all(parts, chars);
    Ok(vm.alloc(Object::Str(joined)))
}
