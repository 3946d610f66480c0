//! Constructors of the core built-in types (`int(x)`, `str(x)`, `list(x)`,
//! ...), installed as each type's `__new__`.

use super::builtins::{add_method, check_args, native, set_class_attr};
use crate::vm::object::{Iter, Object, SetKind};
use crate::vm::ops::arith::to_bigint;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;

/// Installs `f` as the `__new__` (a static method) of a built-in class.
pub fn set_new(vm: &mut Vm, cls: ObjRef, f: crate::vm::object::NativeFn) {
    let b = native(vm, "__new__", f);
    let s = vm.alloc(Object::StaticMethod(b));
    set_class_attr(vm, cls, "__new__", s);
}

/// The `__new__` of a built-in type that user classes may derive from: the
/// type's own constructor (`ctor`) for the type itself; for a subclass, an
/// instance carrying the subclass. Without a `ctor` (list, dict, set) the
/// object starts empty and its `__init__` fills it, as in CPython, so
/// `list(gen)` consumes `gen` once.
macro_rules! subclassable_new {
    ($ty:ident) => {{
        fn entry(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
            let base = vm.types.$ty;
            new_for_class(vm, base, None, args, kw)
        }
        entry
    }};
    ($ty:ident, $ctor:path) => {{
        fn entry(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
            let base = vm.types.$ty;
            new_for_class(vm, base, Some($ctor), args, kw)
        }
        entry
    }};
}

fn new_for_class(
    vm: &mut Vm,
    base: ObjRef,
    ctor: Option<crate::vm::object::NativeFn>,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    let cls = match args.first() {
        Some(&Value::Obj(c)) if matches!(vm.heap.get(c), Object::Class(_)) => c,
        Some(&v) => {
            let base_name = vm.class_name(base).to_string();
            let msg = format!(
                "{base_name}.__new__(X): X is not a type object ({})",
                vm.type_name(v)
            );
            return Err(vm.type_error(msg));
        }
        None => {
            let base_name = vm.class_name(base).to_string();
            return Err(vm.type_error(format!("{base_name}.__new__(): not enough arguments")));
        }
    };
    if let (true, Some(ctor)) = (cls == base, ctor) {
        return ctor(vm, args, kw);
    }
    if !vm.is_subclass(cls, base) {
        let base_name = vm.class_name(base).to_string();
        let name = vm.class_name(cls).to_string();
        let msg = format!("{base_name}.__new__({name}): {name} is not a subtype of {base_name}");
        return Err(vm.type_error(msg));
    }
    let v = match ctor {
        Some(ctor) => ctor(vm, args, kw)?,
        None if base == vm.types.list => vm.new_list(Vec::new()),
        None if base == vm.types.dict => vm.new_dict(),
        None => vm.new_set_of(&[], SetKind::Set)?,
    };
    Ok(vm.subclass_instance(v, cls))
}

/// Arguments of `list(...)`/`set(...)`/`dict(...)`'s `__init__`: at most one
/// positional (after self); keywords only where `kw_ok`.
fn init_args(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    kw_ok: bool,
) -> PyResult<Option<Value>> {
    if !kw_ok && !kw.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    if args.len() > 2 {
        let msg = format!("{name} expected at most 1 argument, got {}", args.len() - 1);
        return Err(vm.type_error(msg));
    }
    Ok(args.get(1).copied())
}

/// `list.__init__(self, iterable=())`: replaces the contents.
fn list_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let items = match init_args(vm, "list", args, kw, false)? {
        Some(v) => vm.collect_iterable(v)?,
        None => Vec::new(),
    };
    if let Value::Obj(r) = args[0] {
        if let Object::List(l) = vm.heap.get_mut(r) {
            *l = items;
            return Ok(Value::None);
        }
    }
    Err(vm.type_error("descriptor '__init__' requires a 'list' object"))
}

/// `dict.__init__(self, mapping_or_pairs=(), **kw)`: adds to the contents.
fn dict_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let src = init_args(vm, "dict", args, kw, true)?;
    fill_dict(vm, args[0], src, kw)?;
    Ok(Value::None)
}

/// `set.__init__(self, iterable=())`: replaces the contents.
fn set_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let name = vm.type_name(args[0]);
    let src = init_args(vm, &name, args, kw, false)?;
    if let Some(t) = vm.set_table_mut(args[0]) {
        t.clear();
    }
    if let Some(src) = src {
        vm.set_update(args[0], src)?;
    }
    Ok(Value::None)
}

pub fn install(vm: &mut Vm) {
    let t = &vm.types;
    let (int, float, str_, bool_, list, tuple, dict, set, frozenset, range, bytes) = (
        t.int,
        t.float,
        t.str_,
        t.bool_,
        t.list,
        t.tuple,
        t.dict,
        t.set,
        t.frozenset,
        t.range,
        t.bytes,
    );
    set_new(vm, int, subclassable_new!(int, int_new));
    set_new(vm, float, float_new);
    set_new(
        vm,
        str_,
        subclassable_new!(str_, super::text_codecs::str_new),
    );
    set_new(vm, bool_, bool_new);
    set_new(vm, list, subclassable_new!(list));
    set_new(vm, tuple, subclassable_new!(tuple, tuple_new));
    set_new(vm, dict, subclassable_new!(dict));
    set_new(vm, set, subclassable_new!(set));
    set_new(vm, frozenset, subclassable_new!(frozenset, frozenset_new));
    set_new(vm, range, range_new);
    set_new(
        vm,
        bytes,
        subclassable_new!(bytes, super::bytes_methods::bytes_new),
    );
    add_method(vm, list, "__init__", list_init);
    add_method(vm, dict, "__init__", dict_init);
    add_method(vm, set, "__init__", set_init);
    let (en, zp, mp, fl, rv) = (
        vm.types.enumerate,
        vm.types.zip,
        vm.types.map,
        vm.types.filter,
        vm.types.reversed,
    );
    set_new(vm, en, enumerate_new);
    set_new(vm, zp, zip_new);
    set_new(vm, mp, map_new);
    set_new(vm, fl, filter_new);
    set_new(vm, rv, reversed_new);
}

fn int_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let args = &args[1..];
    let base = super::builtins::kwarg(vm, kw, "base").or(args.get(1).copied());
    let Some(&v) = args.first() else {
        return Ok(Value::Int(0));
    };
    if let Some(b) = base {
        let Value::Int(b) = b else {
            return Err(vm.type_error("'base' must be an integer"));
        };
        let Some(s) = vm.as_str(v).map(|s| s.to_string()) else {
            return Err(vm.type_error("int() can't convert non-string with explicit base"));
        };
        return parse_int(vm, &s, b as u32);
    }
    match v {
        Value::Int(_) => Ok(v),
        Value::Bool(b) => Ok(Value::Int(b as i64)),
        Value::Float(f) => {
            if f.is_nan() {
                return Err(vm.value_error("cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(vm.new_error(
                    crate::vm::exceptions::ExcKind::OverflowError,
                    "cannot convert float infinity to integer",
                ));
            }
            let t = f.trunc();
            if t.abs() < 9.0e18 {
                Ok(Value::Int(t as i64))
            } else {
                use num_traits::FromPrimitive;
                Ok(vm.new_bigint(BigInt::from_f64(t).unwrap_or_default()))
            }
        }
        Value::Obj(r) => match vm.heap.get(r) {
            Object::BigInt(b) if vm.heap.has_ext(r) => {
                let b = (**b).clone();
                Ok(vm.new_bigint(b))
            }
            Object::BigInt(_) => Ok(v),
            Object::Str(s) => {
                let s = s.as_str().to_string();
                parse_int(vm, &s, 10)
            }
            _ => {
                for name in ["__int__", "__index__", "__trunc__"] {
                    if let Some(m) = vm.lookup_special(v, name) {
                        return vm.call(m, &[], &[]);
                    }
                }
                let msg = format!("int() argument must be a string, a bytes-like object or a real number, not '{}'", vm.type_name(v));
                Err(vm.type_error(msg))
            }
        },
        _ => {
            let msg = format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// Parses an int literal as `int(s, base)` does.
pub fn parse_int(vm: &mut Vm, s: &str, base: u32) -> PyResult<Value> {
    if base != 0 && !(2..=36).contains(&base) {
        return Err(vm.value_error("int() base must be >= 2 and <= 36, or 0"));
    }
    let given_base = base;
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let mut base = base;
    let mut digits = body;
    let lower = body.to_ascii_lowercase();
    for (p, b) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if lower.starts_with(p) && (base == b || base == 0) {
            base = b;
            digits = &body[2..];
        }
    }
    if base == 0 {
        base = 10;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    // Base 0 follows literal rules: no leading zeros in a decimal number.
    let octal_like = given_base == 0
        && base == 10
        && clean.len() > 1
        && clean.starts_with('0')
        && clean.bytes().any(|b| b != b'0');
    let valid = !clean.is_empty()
        && !octal_like
        && clean.bytes().all(|b| b.is_ascii_alphanumeric())
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && (2..=36).contains(&base);
    let parsed = if valid {
        BigInt::parse_bytes(clean.as_bytes(), base)
    } else {
        None
    };
    match parsed {
        Some(b) => Ok(vm.new_bigint(if neg { -b } else { b })),
        None => {
            let shown = crate::vm::ops::text::str_repr(s);
            Err(vm.value_error(format!(
                "invalid literal for int() with base {given_base}: {shown}"
            )))
        }
    }
}

fn float_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "float", &args[1..], kw, 0, 1)?;
    let Some(&v) = args.get(1) else {
        return Ok(Value::Float(0.0));
    };
    match v {
        Value::Float(_) => Ok(v),
        Value::Int(i) => Ok(Value::Float(i as f64)),
        Value::Bool(b) => Ok(Value::Float(b as i64 as f64)),
        Value::Obj(r) => match vm.heap.get(r) {
            Object::BigInt(b) => {
                let b = (**b).clone();
                super::number_methods::int_to_f64(vm, &b).map(Value::Float)
            }
            Object::Str(s) => {
                let trimmed = s.as_str().trim();
                // An underscore is only allowed between two digits.
                let b = trimmed.as_bytes();
                let underscores_ok = b.iter().enumerate().all(|(i, &c)| {
                    c != b'_'
                        || (i > 0
                            && b[i - 1].is_ascii_digit()
                            && b.get(i + 1).is_some_and(u8::is_ascii_digit))
                });
                let t = trimmed.replace('_', "");
                let lower = t.to_ascii_lowercase();
                let f = match lower.trim_start_matches(['+', '-']) {
                    _ if !underscores_ok => None,
                    "inf" | "infinity" => Some(if lower.starts_with('-') {
                        f64::NEG_INFINITY
                    } else {
                        f64::INFINITY
                    }),
                    "nan" => Some(super::float_methods::fresh_nan(lower.starts_with('-'))),
                    _ => t.parse::<f64>().ok(),
                };
                match f {
                    Some(f) => Ok(Value::Float(f)),
                    None => {
                        let shown = crate::vm::ops::text::str_repr(s.as_str());
                        Err(vm.value_error(format!("could not convert string to float: {shown}")))
                    }
                }
            }
            _ => match vm.lookup_special(v, "__float__") {
                Some(m) => vm.call(m, &[], &[]),
                None => {
                    let msg = format!(
                        "float() argument must be a string or a real number, not '{}'",
                        vm.type_name(v)
                    );
                    Err(vm.type_error(msg))
                }
            },
        },
        _ => {
            let msg = format!(
                "float() argument must be a string or a real number, not '{}'",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

fn bool_new(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    match args.get(1) {
        None => Ok(Value::Bool(false)),
        Some(&v) => vm.truthy(v).map(Value::Bool),
    }
}

fn tuple_new(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    match args.get(1) {
        None => Ok(vm.types.empty_tuple),
        Some(&v) => {
            if let Value::Obj(r) = v {
                if let (Object::Tuple(_), false) = (vm.heap.get(r), vm.heap.has_ext(r)) {
                    return Ok(v);
                }
            }
            let items = vm.collect_iterable(v)?;
            Ok(vm.new_tuple(items))
        }
    }
}

/// `dict(mapping_or_pairs, **kw)` / `d.update(...)`.
pub fn fill_dict(vm: &mut Vm, d: Value, src: Option<Value>, kw: &[(Value, Value)]) -> PyResult<()> {
    super::dict_methods::update_from(vm, d, src, kw)
}

fn frozenset_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::set_methods::construct(vm, args, kw, SetKind::FrozenSet)
}

fn range_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let a = &args[1..];
    if !kw.is_empty() {
        return Err(vm.type_error("range() takes no keyword arguments"));
    }
    match a.len() {
        0 => Err(vm.type_error("range expected at least 1 argument, got 0")),
        1..=3 => super::big_range::construct(vm, a),
        k => Err(vm.type_error(format!("range expected at most 3 arguments, got {k}"))),
    }
}

fn enumerate_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (mut it, mut start) = (args.get(1).copied(), args.get(2).copied());
    if args.len() > 3 {
        let msg = format!(
            "enumerate() takes at most 2 arguments ({} given)",
            args.len() - 1 + kw.len()
        );
        return Err(vm.type_error(msg));
    }
    for &(k, v) in kw {
        match vm.str_of(k) {
            "iterable" if it.is_none() => it = Some(v),
            "start" if start.is_none() => start = Some(v),
            name @ ("iterable" | "start") => {
                let pos = if name == "iterable" { 1 } else { 2 };
                let msg = format!(
                    "argument for enumerate() given by name ('{name}') and position ({pos})"
                );
                return Err(vm.type_error(msg));
            }
            other => {
                let msg = format!("'{other}' is an invalid keyword argument for enumerate()");
                return Err(vm.type_error(msg));
            }
        }
    }
    let Some(it) = it else {
        return Err(vm.type_error("enumerate() missing required argument 'iterable'"));
    };
    let start = start.unwrap_or(Value::Int(0));
    if to_bigint(vm, start).is_none() {
        let msg = format!(
            "'{}' object cannot be interpreted as an integer",
            vm.type_name(start)
        );
        return Err(vm.type_error(msg));
    }
    let iter = vm.get_iter(it)?;
    Ok(vm.alloc(Object::Iter(Box::new(Iter::Enumerate {
        iter,
        count: start,
    }))))
}

fn zip_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let mut strict = false;
    for &(k, v) in kw {
        if vm.str_of(k) != "strict" {
            let msg = format!(
                "'{}' is an invalid keyword argument for zip()",
                vm.str_of(k)
            );
            return Err(vm.type_error(msg));
        }
        strict = vm.truthy(v)?;
    }
    let base = vm.temp_roots.len();
    for &a in &args[1..] {
        match vm.get_iter(a) {
            Ok(it) => vm.temp_roots.push(it),
            Err(e) => {
                vm.temp_roots.truncate(base);
                return Err(e);
            }
        }
    }
    let iters: Box<[Value]> = vm.temp_roots[base..].into();
    vm.temp_roots.truncate(base);
    Ok(vm.alloc(Object::Iter(Box::new(Iter::Zip { iters, strict }))))
}

fn map_new(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.len() < 3 {
        return Err(vm.type_error("map() must have at least two arguments."));
    }
    let mut iters = Vec::new();
    for &a in &args[2..] {
        let it = vm.get_iter(a)?;
        vm.temp_roots.push(it);
        iters.push(it);
    }
    let n = iters.len();
    let len = vm.temp_roots.len();
    vm.temp_roots.truncate(len - n);
    Ok(vm.alloc(Object::Iter(Box::new(Iter::Map {
        func: args[1],
        iters: iters.into_boxed_slice(),
    }))))
}

fn filter_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "filter", &args[1..], kw, 2, 2)?;
    let iter = vm.get_iter(args[2])?;
    Ok(vm.alloc(Object::Iter(Box::new(Iter::Filter {
        func: args[1],
        iter,
    }))))
}

/// `reversed(seq)`: `__reversed__` if the type has one, else the
/// sequence protocol (`__len__` and `__getitem__`, indexed from the end as
/// the iterator advances).
fn reversed_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let seq = super::method_args::arg_range(vm, args, kw, "reversed", 1, 1)?[0];
    let builtin_seq = match seq {
        Value::Obj(r) => matches!(
            vm.heap.get(r),
            Object::List(_) | Object::Tuple(_) | Object::Str(_) | Object::Bytes(_)
        ),
        _ => false,
    };
    if !builtin_seq {
        if let Some(m) = vm.lookup_special(seq, "__reversed__") {
            if m.is_none() {
                let msg = format!("'{}' object is not reversible", vm.type_name(seq));
                return Err(vm.type_error(msg));
            }
            return vm.call(m, &[], &[]);
        }
        let is_mapping = vm.dict_table(seq).is_some() || vm.set_kind(seq).is_some();
        if is_mapping || vm.lookup_special(seq, "__getitem__").is_none() {
            let msg = format!("'{}' object is not reversible", vm.type_name(seq));
            return Err(vm.type_error(msg));
        }
    }
    let n = vm.len_of(seq)?;
    Ok(vm.alloc(Object::Iter(Box::new(Iter::Reversed { seq, index: n }))))
}
