//! Argument checking for the methods of the built-in text and bytes types,
//! with CPython's wording.
//!
//! CPython's methods parse their arguments in a few different ways, and
//! each way words its errors differently; [`Arity`] names them so a method
//! states its convention once and gets the exact messages. `args` here never
//! include the receiver.

use crate::vm::value::Value;
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
