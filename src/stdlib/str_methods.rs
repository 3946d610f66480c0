//! Methods of `str`: registration, the receiver and argument helpers every
//! `str` method file shares, padding, stripping and translation, and the
//! operator methods (`str.__len__`, `str.__add__`, ...).
//!
//! Case and predicates live in `str_case.rs`, searching and splitting in
//! `str_search.rs`, `str.format` in `str_format.rs`, `encode` in
//! `text_codecs.rs`. Strings are UTF-8 with a precomputed length in code
//! points (`StrObj::nchars`); methods borrow the receiver's text from the
//! heap and allocate only their result.

use super::builtins::{add_method, native, set_class_attr};
use super::method_args::{bind, check, size_arg, Arity};
use super::unicode;
use crate::bytecode::{BinaryOp, CompareOp};
use crate::vm::object::{NativeFn, Object, StrObj};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm) {
    let cls = vm.types.str_;
    let methods: &[(&'static str, NativeFn)] = &[
        ("strip", strip),
        ("lstrip", lstrip),
        ("rstrip", rstrip),
        ("zfill", zfill),
        ("center", center),
        ("ljust", ljust),
        ("rjust", rjust),
        ("expandtabs", expandtabs),
        ("removeprefix", removeprefix),
        ("removesuffix", removesuffix),
        ("translate", translate),
        ("__len__", dunder_len),
        ("__contains__", dunder_contains),
        ("__getitem__", dunder_getitem),
        ("__add__", dunder_add),
        ("__mul__", dunder_mul),
        ("__rmul__", dunder_mul),
        ("__mod__", dunder_mod),
        ("__eq__", dunder_eq),
        ("__ne__", dunder_ne),
        ("__lt__", dunder_lt),
        ("__le__", dunder_le),
        ("__gt__", dunder_gt),
        ("__ge__", dunder_ge),
        ("__hash__", dunder_hash),
        ("__iter__", dunder_iter),
        ("__str__", dunder_str),
        ("__repr__", dunder_repr),
    ];
    for &(name, f) in methods {
        add_method(vm, cls, name, f);
    }
    let f = native(vm, "maketrans", maketrans);
    let f = vm.alloc(Object::StaticMethod(f));
    set_class_attr(vm, cls, "maketrans", f);
    super::str_case::install(vm, cls);
    super::str_search::install(vm, cls);
    super::str_format::install(vm, cls);
    super::text_codecs::install(vm);
}

// ---- shared helpers -----------------------------------------------------------

/// The receiver of a `str` method (`args[0]`), checked: unbound calls such
/// as `str.upper(5)` get CPython's descriptor errors.
pub(crate) fn this(vm: &mut Vm, args: &[Value], mname: &str) -> PyResult<Value> {
    match args.first() {
        Some(&v) if vm.as_str(v).is_some() => Ok(v),
        Some(&v) => {
            let msg = format!(
                "descriptor '{mname}' for 'str' objects doesn't apply to a '{}' object",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
        None => Err(vm.type_error(format!("unbound method str.{mname}() needs an argument"))),
    }
}

/// The string object behind a value known to be a `str`.
pub(crate) fn sobj(vm: &Vm, v: Value) -> &StrObj {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Str(s) => s,
            _ => unreachable!("checked str receiver"),
        },
        _ => unreachable!("checked str receiver"),
    }
}

/// A new `str` whose length in code points is known.
pub(crate) fn new_str_n(vm: &mut Vm, s: String, nchars: usize) -> Value {
    vm.alloc(Object::Str(StrObj::with_nchars(s, nchars)))
}

/// A `str` argument, or TypeError "must be str, not int" with `prefix`
/// before "must" (e.g. "replace() argument 1 ").
pub(crate) fn expect_str(vm: &mut Vm, v: Value, prefix: &str) -> PyResult<Value> {
    if vm.as_str(v).is_some() {
        return Ok(v);
    }
    let msg = format!("{prefix}must be str, not {}", vm.type_name(v));
    Err(vm.type_error(msg))
}

/// Returns `recv` itself when a method leaves the text unchanged (as
/// CPython does for exact `str`), else a new string.
fn same_or_new(vm: &mut Vm, recv: Value, out: String) -> Value {
    if vm.str_of(recv).len() == out.len() && vm.str_of(recv) == out {
        recv
    } else {
        vm.new_str(out)
    }
}

// ---- stripping --------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Left,
    Right,
    Both,
}

fn strip_impl(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    side: Side,
) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    check(vm, "str", m, &args[1..], kw, Arity::Pos(0, 1))?;
    let chars = match args.get(1) {
        None | Some(Value::None) => None,
        Some(&c) => match vm.as_str(c) {
            Some(_) => Some(c),
            None => return Err(vm.type_error(format!("{m} arg must be None or str"))),
        },
    };
    let s = vm.str_of(recv);
    let set = chars.map(|c| vm.str_of(c));
    let is_strip = |c: char| match set {
        None => unicode::is_space(c),
        Some(set) => set.contains(c),
    };
    let mut t = s;
    if side != Side::Right {
        t = t.trim_start_matches(is_strip);
    }
    if side != Side::Left {
        t = t.trim_end_matches(is_strip);
    }
    if t.len() == s.len() {
        return Ok(recv);
    }
    let out = t.to_string();
    Ok(vm.new_str(out))
}

fn strip(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    strip_impl(vm, args, kw, "strip", Side::Both)
}

fn lstrip(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    strip_impl(vm, args, kw, "lstrip", Side::Left)
}

fn rstrip(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    strip_impl(vm, args, kw, "rstrip", Side::Right)
}

fn affix_impl(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    prefix: bool,
) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    check(vm, "str", m, &args[1..], kw, Arity::One)?;
    let a = args[1];
    if vm.as_str(a).is_none() {
        let msg = format!("{m}() argument must be str, not {}", vm.type_name(a));
        return Err(vm.type_error(msg));
    }
    let (s, a) = (vm.str_of(recv), vm.str_of(a));
    let t = if prefix {
        s.strip_prefix(a)
    } else {
        s.strip_suffix(a)
    };
    match t {
        Some(t) if !a.is_empty() => {
            let out = t.to_string();
            Ok(vm.new_str(out))
        }
        _ => Ok(recv),
    }
}

fn removeprefix(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    affix_impl(vm, args, kw, "removeprefix", true)
}

fn removesuffix(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    affix_impl(vm, args, kw, "removesuffix", false)
}

// ---- padding ------------------------------------------------------------------------

/// The fill character argument of `center`/`ljust`/`rjust`.
fn fill_char(vm: &mut Vm, v: Option<Value>) -> PyResult<char> {
    let Some(v) = v else { return Ok(' ') };
    let Some(s) = vm.as_str(v) else {
        let msg = format!(
            "The fill character must be a unicode character, not {}",
            vm.type_name(v)
        );
        return Err(vm.type_error(msg));
    };
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(vm.type_error("The fill character must be exactly one character long")),
    }
}

/// Pads the receiver to `width` characters, `left` of the fill going before.
fn pad_impl(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], m: &str) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    check(vm, "str", m, &args[1..], kw, Arity::Pos(1, 2))?;
    let width = size_arg(vm, args[1])?;
    let fill = fill_char(vm, args.get(2).copied())?;
    let n = sobj(vm, recv).nchars();
    if width <= n as i64 {
        return Ok(recv);
    }
    let total = width as usize - n;
    let left = match m {
        "ljust" => 0,
        "rjust" => total,
        // CPython's rule: the odd fill character goes left only when both
        // the fill count and the width are odd.
        _ => total / 2 + (total & width as usize & 1),
    };
    padded(vm, recv, left, total - left, fill)
}

/// The receiver with `left` and `right` fill characters around it.
fn padded(vm: &mut Vm, recv: Value, left: usize, right: usize, fill: char) -> PyResult<Value> {
    let s = sobj(vm, recv);
    let size = (left + right)
        .saturating_mul(fill.len_utf8())
        .saturating_add(s.as_str().len());
    if size > isize::MAX as usize / 2 {
        return Err(vm.new_error(crate::vm::exceptions::ExcKind::MemoryError, ""));
    }
    let mut out = String::with_capacity(size);
    out.extend(std::iter::repeat_n(fill, left));
    out.push_str(s.as_str());
    out.extend(std::iter::repeat_n(fill, right));
    let n = s.nchars() + left + right;
    Ok(new_str_n(vm, out, n))
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
    check(vm, "str", "zfill", &args[1..], kw, Arity::One)?;
    let width = size_arg(vm, args[1])?;
    let n = sobj(vm, recv).nchars();
    if width <= n as i64 {
        return Ok(recv);
    }
    let fill = width as usize - n;
    let padded = padded(vm, recv, fill, 0, '0')?;
    // A sign moves in front of the zeros.
    let s = vm.str_of(padded);
    let sign = s.as_bytes().get(fill).copied().unwrap_or(b'0');
    if sign == b'+' || sign == b'-' {
        let mut out = String::with_capacity(s.len());
        out.push(sign as char);
        out.push_str(&s[..fill]);
        out.push_str(&s[fill + 1..]);
        return Ok(new_str_n(vm, out, width as usize));
    }
    Ok(padded)
}

fn expandtabs(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "expandtabs")?;
    let [tabsize] = bind(vm, "expandtabs", &args[1..], kw, ["tabsize"])?;
    let tabsize = match tabsize {
        Some(t) => size_arg(vm, t)?,
        None => 8,
    };
    let s = vm.str_of(recv);
    if !s.contains('\t') {
        return Ok(recv);
    }
    let mut out = String::with_capacity(s.len());
    let mut col: usize = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                if tabsize > 0 {
                    let n = tabsize as usize - col % tabsize as usize;
                    out.extend(std::iter::repeat_n(' ', n));
                    col += n;
                }
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    Ok(vm.new_str(out))
}

// ---- translate / maketrans ----------------------------------------------------------

fn translate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "translate")?;
    check(vm, "str", "translate", &args[1..], kw, Arity::One)?;
    let table = args[1];
    let mut out = String::new();
    let mut i = 0;
    // Re-borrow each step: the table's `__getitem__` may run aspy code.
    while let Some(c) = vm.str_of(recv)[i..].chars().next() {
        i += c.len_utf8();
        let key = Value::Int(c as i64);
        let mapped = match vm.get_item(table, key) {
            Ok(v) => v,
            Err(e) if vm.exc_matches(e.0, crate::vm::exceptions::ExcKind::LookupError) => {
                out.push(c);
                continue;
            }
            Err(e) => return Err(e),
        };
        match mapped {
            Value::None => {}
            Value::Int(n) => match u32::try_from(n).ok().and_then(char::from_u32) {
                Some(m) => out.push(m),
                None => return Err(vm.value_error("character mapping must be in range(0x110000)")),
            },
            v => match vm.as_str(v) {
                Some(t) => out.push_str(t),
                None => {
                    return Err(vm.type_error("character mapping must return integer, None or str"))
                }
            },
        }
    }
    Ok(same_or_new(vm, recv, out))
}

/// `str.maketrans(x[, y[, z]])`: a dict from code points to replacements.
fn maketrans(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check(vm, "str", "maketrans", args, kw, Arity::Pos(1, 3))?;
    let d = vm.new_dict();
    vm.temp_roots.push(d);
    let r = fill_maketrans(vm, d, args);
    vm.temp_roots.pop();
    r.map(|_| d)
}

fn fill_maketrans(vm: &mut Vm, d: Value, args: &[Value]) -> PyResult<()> {
    if args.len() == 1 {
        let src = args[0];
        if !matches!(src, Value::Obj(r) if matches!(vm.heap.get(r), Object::Dict(_))) {
            return Err(
                vm.type_error("if you give only one argument to maketrans it must be a dict")
            );
        }
        let items: Vec<(Value, Value)> = match src {
            Value::Obj(r) => match vm.heap.get(r) {
                Object::Dict(t) => t.iter().map(|e| (e.key, e.value)).collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        for (k, v) in items {
            let key = match vm.as_str(k) {
                Some(s) => {
                    let mut it = s.chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) => Value::Int(c as i64),
                        _ => {
                            return Err(vm
                                .value_error("string keys in translate table must be of length 1"))
                        }
                    }
                }
                None if matches!(k, Value::Int(_) | Value::Bool(_)) => k,
                None => {
                    return Err(vm.type_error("keys in translate table must be strings or integers"))
                }
            };
            vm.dict_set(d, key, v)?;
        }
        return Ok(());
    }
    let (x, y) = (args[0], args[1]);
    if vm.as_str(x).is_none() {
        let msg = format!(
            "maketrans() argument 1 must be str, not {}",
            vm.type_name(x)
        );
        return Err(vm.type_error(msg));
    }
    if vm.as_str(y).is_none() {
        let msg = format!(
            "maketrans() argument 2 must be str, not {}",
            vm.type_name(y)
        );
        return Err(vm.type_error(msg));
    }
    let pairs: Vec<(char, char)> = {
        let (xs, ys) = (sobj(vm, x), sobj(vm, y));
        if xs.nchars() != ys.nchars() {
            return Err(vm.value_error("the first two maketrans arguments must have equal length"));
        }
        xs.as_str().chars().zip(ys.as_str().chars()).collect()
    };
    for (a, b) in pairs {
        let v = Value::Int(b as i64);
        vm.dict_set(d, Value::Int(a as i64), v)?;
    }
    if let Some(&z) = args.get(2) {
        let Some(zs) = vm.as_str(z) else {
            let msg = format!(
                "maketrans() argument 3 must be str, not {}",
                vm.type_name(z)
            );
            return Err(vm.type_error(msg));
        };
        let dels: Vec<char> = zs.chars().collect();
        for c in dels {
            vm.dict_set(d, Value::Int(c as i64), Value::None)?;
        }
    }
    Ok(())
}

// ---- operator methods ---------------------------------------------------------------

/// The receiver of an operator method, its arguments checked.
fn wrapper_args(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    n: usize,
) -> PyResult<Value> {
    let recv = this(vm, args, m)?;
    super::method_args::check_wrapper(vm, &args[1..], kw, m, n)?;
    Ok(recv)
}

fn dunder_len(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = wrapper_args(vm, args, kw, "__len__", 0)?;
    Ok(Value::Int(sobj(vm, recv).nchars() as i64))
}

fn dunder_contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = wrapper_args(vm, args, kw, "__contains__", 1)?;
    vm.contains(recv, args[1]).map(Value::Bool)
}

fn dunder_getitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = wrapper_args(vm, args, kw, "__getitem__", 1)?;
    vm.get_item(recv, args[1])
}

fn dunder_add(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = wrapper_args(vm, args, kw, "__add__", 1)?;
    if vm.as_str(args[1]).is_none() {
        let msg = format!(
            "can only concatenate str (not \"{}\") to str",
            vm.type_name(args[1])
        );
        return Err(vm.type_error(msg));
    }
    vm.binary_op(recv, args[1], BinaryOp::Add)
}

fn dunder_mul(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = wrapper_args(vm, args, kw, "__mul__", 1)?;
    let n = size_arg(vm, args[1])?;
    vm.binary_op(recv, Value::Int(n), BinaryOp::Mul)
}

fn dunder_mod(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = wrapper_args(vm, args, kw, "__mod__", 1)?;
    super::format::percent_format(vm, recv, args[1])
}

/// A rich comparison with another `str`; NotImplemented for other types.
fn compare(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    op: CompareOp,
) -> PyResult<Value> {
    let recv = wrapper_args(vm, args, kw, m, 1)?;
    if vm.as_str(args[1]).is_none() {
        return Ok(Value::NotImplemented);
    }
    vm.compare_op(recv, args[1], op)
}

fn dunder_eq(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__eq__", CompareOp::Eq)
}

fn dunder_ne(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__ne__", CompareOp::Ne)
}

fn dunder_lt(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__lt__", CompareOp::Lt)
}

fn dunder_le(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__le__", CompareOp::Le)
}

fn dunder_gt(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__gt__", CompareOp::Gt)
}

fn dunder_ge(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, kw, "__ge__", CompareOp::Ge)
}

fn dunder_hash(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = wrapper_args(vm, args, kw, "__hash__", 0)?;
    Ok(Value::Int(sobj(vm, recv).hash()))
}

fn dunder_iter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = wrapper_args(vm, args, kw, "__iter__", 0)?;
    vm.get_iter(recv)
}

fn dunder_str(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    wrapper_args(vm, args, kw, "__str__", 0)
}

fn dunder_repr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = wrapper_args(vm, args, kw, "__repr__", 0)?;
    let s = crate::vm::ops::text::str_repr(vm.str_of(recv));
    Ok(vm.new_str(s))
}
