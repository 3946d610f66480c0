//! Argument checks for the methods of the built-in types, with CPython's
//! wording for each of its calling conventions:
//!
//! - `METH_NOARGS` / `METH_O` methods: "list.copy() takes no arguments
//!   (1 given)", "str.join() takes exactly one argument (0 given)";
//! - Argument Clinic positional ranges: "pop expected at most 1 argument,
//!   got 2", "center expected at least 1 argument, got 0";
//! - `PyArg_ParseTuple` style: "find() takes at least 1 argument (0 given)";
//! - a receiver of the wrong type: "descriptor 'append' for 'list' objects
//!   doesn't apply to a 'int' object".
//!
//! [`Arity`], [`check`] and [`bind`] take the arguments without the
//! receiver (the text and bytes methods); the other helpers take the
//! method's full argument slice, receiver first (the container methods).

use super::builtins::add_method;
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// How a method takes its arguments (each has its own error wording).
#[derive(Clone, Copy)]
pub enum Arity {
    /// `METH_NOARGS`: "str.upper() takes no arguments (1 given)".
    NoArgs,
    /// `METH_O`: "str.join() takes exactly one argument (0 given)".
    One,
    /// Positional-only with a range: "center expected at least 1 argument, got 0".
    Pos(usize, usize),
    /// `PyArg_ParseTuple` style: "find() takes at least 1 argument (0 given)".
    Tuple(usize, usize),
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Checks the number of positional arguments and that no keywords are given.
pub fn check(
    vm: &mut Vm,
    tname: &str,
    mname: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    arity: Arity,
) -> PyResult<()> {
    if !kw.is_empty() {
        let msg = format!("{tname}.{mname}() takes no keyword arguments");
        return Err(vm.type_error(msg));
    }
    let n = args.len();
    let msg = match arity {
        Arity::NoArgs if n != 0 => format!("{tname}.{mname}() takes no arguments ({n} given)"),
        Arity::One if n != 1 => {
            format!("{tname}.{mname}() takes exactly one argument ({n} given)")
        }
        Arity::Pos(min, max) if min == max && n != min => {
            format!("{mname} expected {min} argument{}, got {n}", plural(min))
        }
        Arity::Pos(min, _) if n < min => {
            format!(
                "{mname} expected at least {min} argument{}, got {n}",
                plural(min)
            )
        }
        Arity::Pos(_, max) if n > max => {
            format!(
                "{mname} expected at most {max} argument{}, got {n}",
                plural(max)
            )
        }
        Arity::Tuple(min, _) if n < min => {
            format!(
                "{mname}() takes at least {min} argument{} ({n} given)",
                plural(min)
            )
        }
        Arity::Tuple(_, max) if n > max => {
            format!(
                "{mname}() takes at most {max} argument{} ({n} given)",
                plural(max)
            )
        }
        _ => return Ok(()),
    };
    Err(vm.type_error(msg))
}

/// Binds positional and keyword arguments to the parameter `names` (all
/// optional; the caller supplies defaults), as Argument Clinic does for
/// methods such as `split(sep=None, maxsplit=-1)`.
pub fn bind<const N: usize>(
    vm: &mut Vm,
    mname: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    names: [&str; N],
) -> PyResult<[Option<Value>; N]> {
    let total = args.len() + kw.len();
    if total > N {
        let msg = if args.len() > N || kw.is_empty() {
            format!(
                "{mname}() takes at most {N} argument{} ({total} given)",
                plural(N)
            )
        } else if args.is_empty() {
            format!(
                "{mname}() takes at most {N} keyword argument{} ({total} given)",
                plural(N)
            )
        } else {
            format!(
                "{mname}() takes at most {N} argument{} ({total} given)",
                plural(N)
            )
        };
        return Err(vm.type_error(msg));
    }
    let mut out = [None; N];
    for (slot, &a) in out.iter_mut().zip(args) {
        *slot = Some(a);
    }
    for &(k, v) in kw {
        let key = vm.str_of(k);
        match names.iter().position(|&n| n == key) {
            Some(i) if i < args.len() => {
                let msg = format!(
                    "argument for {mname}() given by name ('{key}') and position ({})",
                    i + 1
                );
                return Err(vm.type_error(msg));
            }
            Some(i) => out[i] = Some(v),
            None => {
                let msg = format!("'{key}' is an invalid keyword argument for {mname}()");
                return Err(vm.type_error(msg));
            }
        }
    }
    Ok(out)
}

/// An integer argument as i64, clamping big integers to the i64 range
/// (CPython clamps slice-like indices the same way). None when `v` is not
/// an integer.
pub fn clamp_index(vm: &mut Vm, v: Value) -> PyResult<Option<i64>> {
    let v = vm.plain_int(v);
    if let Value::Obj(r) = v {
        if let crate::vm::object::Object::BigInt(b) = vm.heap.get(r) {
            return Ok(Some(if b.sign() == num_bigint::Sign::Minus {
                i64::MIN
            } else {
                i64::MAX
            }));
        }
    }
    vm.to_index(v)
}

/// A "find"-style bound (`start`/`end`): None, or an integer clamped to i64.
pub fn slice_bound(vm: &mut Vm, v: Option<Value>) -> PyResult<Option<i64>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => match clamp_index(vm, v)? {
            Some(i) => Ok(Some(i)),
            None => Err(
                vm.type_error("slice indices must be integers or None or have an __index__ method")
            ),
        },
    }
}

/// A size or count argument (`width`, `maxsplit`, `count`, ...): an integer
/// that fits in a machine word.
pub fn size_arg(vm: &mut Vm, v: Value) -> PyResult<i64> {
    let v = vm.plain_int(v);
    if let Value::Obj(r) = v {
        if let crate::vm::object::Object::BigInt(_) = vm.heap.get(r) {
            return Err(vm.new_error(
                crate::vm::exceptions::ExcKind::OverflowError,
                "Python int too large to convert to C ssize_t",
            ));
        }
    }
    match vm.to_index(v)? {
        Some(i) => Ok(i),
        None => {
            let msg = format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// Resolves `start`/`end` against a length the way CPython's
/// `ADJUST_INDICES` does: negative values count from the end (then stop at
/// 0) and `end` is clamped to `len`; `start` is not clamped above, so it may
/// exceed `end` or `len` (callers treat that as "nothing found").
pub fn adjust_indices(start: Option<i64>, end: Option<i64>, len: usize) -> (usize, usize) {
    let len = len as i64;
    let from_end = |i: i64| {
        if i < 0 {
            i.saturating_add(len).max(0)
        } else {
            i
        }
    };
    let s = start.map_or(0, from_end);
    let e = end.map_or(len, |e| from_end(e).min(len));
    (s as usize, e as usize)
}

/// Checks the arguments of an operator method such as `__add__` (a "slot
/// wrapper" in CPython): exactly `n` positional arguments (`args` excludes
/// the receiver), no keywords.
pub fn check_wrapper(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    m: &str,
    n: usize,
) -> PyResult<()> {
    if !kw.is_empty() {
        return Err(vm.type_error(format!("wrapper {m}() takes no keyword arguments")));
    }
    if args.len() != n {
        let msg = format!("expected {n} argument{}, got {}", plural(n), args.len());
        return Err(vm.type_error(msg));
    }
    Ok(())
}

/// TypeError unless `args[0]` is an instance of `cls` ("descriptor ...").
pub fn check_receiver(vm: &mut Vm, args: &[Value], cls: ObjRef, method: &str) -> PyResult<Value> {
    match args.first() {
        Some(&r) if vm.is_instance(r, cls) => Ok(r),
        Some(&r) => {
            let msg = format!(
                "descriptor '{method}' for '{}' objects doesn't apply to a '{}' object",
                vm.class_name(cls),
                vm.type_name(r)
            );
            Err(vm.type_error(msg))
        }
        None => {
            let msg = format!(
                "unbound method {}.{method}() needs an argument",
                vm.class_name(cls)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// TypeError for keyword arguments to a method that takes none.
pub fn no_keywords(vm: &mut Vm, kw: &[(Value, Value)], qualname: &str) -> PyResult<()> {
    if kw.is_empty() {
        Ok(())
    } else {
        Err(vm.type_error(format!("{qualname}() takes no keyword arguments")))
    }
}

/// A `METH_NOARGS` method: nothing after the receiver.
pub fn no_args(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], qualname: &str) -> PyResult<()> {
    no_keywords(vm, kw, qualname)?;
    if args.len() != 1 {
        let msg = format!(
            "{qualname}() takes no arguments ({} given)",
            args.len().saturating_sub(1)
        );
        return Err(vm.type_error(msg));
    }
    Ok(())
}

/// A `METH_O` method: exactly one argument after the receiver.
pub fn one_arg(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    qualname: &str,
) -> PyResult<Value> {
    no_keywords(vm, kw, qualname)?;
    if args.len() != 2 {
        let msg = format!(
            "{qualname}() takes exactly one argument ({} given)",
            args.len().saturating_sub(1)
        );
        return Err(vm.type_error(msg));
    }
    Ok(args[1])
}

/// An Argument Clinic positional range: between `min` and `max` arguments
/// after the receiver; returns them.
pub fn arg_range<'a>(
    vm: &mut Vm,
    args: &'a [Value],
    kw: &[(Value, Value)],
    name: &str,
    min: usize,
    max: usize,
) -> PyResult<&'a [Value]> {
    no_keywords(vm, kw, name)?;
    let given = &args[1.min(args.len())..];
    let n = given.len();
    if n >= min && n <= max {
        return Ok(given);
    }
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    let msg = if min == max {
        format!("{name} expected {min} {}, got {n}", plural(min))
    } else if n < min {
        format!("{name} expected at least {min} {}, got {n}", plural(min))
    } else {
        format!("{name} expected at most {max} {}, got {n}", plural(max))
    };
    Err(vm.type_error(msg))
}

/// An index argument (`__index__`), with CPython's message for others.
pub fn index_arg(vm: &mut Vm, v: Value) -> PyResult<i64> {
    match vm.to_index(v)? {
        Some(i) => Ok(i),
        None => {
            let msg = format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// Clamps a `start`/`stop` argument of `index()` to a sequence of length
/// `len` (CPython's slice-index rule: `None` means the end, negatives
/// count from the end, out-of-range values clamp). Accepts `__index__`.
pub fn clamp_bound(vm: &mut Vm, v: Option<Value>, len: usize, default: usize) -> PyResult<usize> {
    let Some(v) = v else { return Ok(default) };
    if v.is_none() {
        return Ok(default);
    }
    let Some(i) = vm.to_index(v)? else {
        return Err(vm.type_error("slice indices must be integers or have an __index__ method"));
    };
    let len = len as i64;
    let j = if i < 0 { (i + len).max(0) } else { i.min(len) };
    Ok(j as usize)
}

/// Registers a read-only attribute computed by `getter(receiver)`.
pub fn add_getter(vm: &mut Vm, cls: ObjRef, name: &'static str, getter: NativeFn) {
    let f = super::builtins::native(vm, name, getter);
    let pname = Value::Obj(vm.intern(name));
    let p = vm.alloc(Object::Property(Box::new([
        f,
        Value::None,
        Value::None,
        Value::None,
        pname,
    ])));
    super::builtins::set_class_attr(vm, cls, name, p);
}

/// Registers many methods on one class.
pub fn add_methods(vm: &mut Vm, cls: ObjRef, methods: &[(&'static str, NativeFn)]) {
    for &(name, f) in methods {
        add_method(vm, cls, name, f);
    }
}
