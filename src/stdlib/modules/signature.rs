//! Binding call arguments to a Python signature given at run time, with
//! the errors CPython's function calls raise, in CPython's order (keyword
//! arguments first, then too many positional arguments, then missing
//! positional, then missing keyword-only ones).
//!
//! A signature is a tuple `(qualname, params, defaults, kwonly, kwdefaults)`
//! of aspy values: the qualified name for messages (a str), the
//! positional-or-keyword parameter names (a tuple of str), the defaults of
//! the last of them (a tuple), the keyword-only names (a tuple of str) and
//! their defaults (a dict, or None). Library code that makes functions
//! without compiling source (namedtuple's `__new__`, a dataclass's
//! `__init__`) binds with it.

use crate::vm::value::Value;
use crate::vm::{PyErr, Vm};

/// The parts of a signature tuple, borrowed from the heap.
struct Parts<'a> {
    qualname: Value,
    params: &'a [Value],
    defaults: &'a [Value],
    kwonly: &'a [Value],
    kwdefaults: Value,
}

fn parts(vm: &Vm, spec: Value) -> Parts<'_> {
    let items = vm.seq_items(spec).unwrap_or(&[]);
    let part = |i: usize| items.get(i).copied().unwrap_or(Value::None);
    let seq = |i: usize| vm.seq_items(part(i)).unwrap_or(&[]);
    Parts {
        qualname: part(0),
        params: seq(1),
        defaults: seq(2),
        kwonly: seq(3),
        kwdefaults: part(4),
    }
}

/// Binds `given` and `kw` to `spec`: the values of the positional
/// parameters then the keyword-only ones, or CPython's TypeError.
pub fn bind(
    vm: &mut Vm,
    spec: Value,
    given: &[Value],
    kw: &[(Value, Value)],
) -> Result<Vec<Value>, PyErr> {
    bind_values(vm, spec, given, kw).map_err(|msg| vm.type_error(msg))
}

fn bind_values(
    vm: &Vm,
    spec: Value,
    given: &[Value],
    kw: &[(Value, Value)],
) -> Result<Vec<Value>, String> {
    let p = parts(vm, spec);
    let qualname = || vm.as_str(p.qualname).unwrap_or("?").to_string();
    let np = p.params.len();
    let mut slots: Vec<Option<Value>> = vec![None; np + p.kwonly.len()];
    for (slot, &a) in slots.iter_mut().zip(given.iter().take(np)) {
        *slot = Some(a);
    }
    let mut kwonly_given = 0;
    for &(k, v) in kw {
        let key = vm.str_of(k);
        let Some(i) = p
            .params
            .iter()
            .chain(p.kwonly)
            .position(|&n| vm.as_str(n) == Some(key))
        else {
            return Err(format!(
                "{}() got an unexpected keyword argument '{key}'",
                qualname()
            ));
        };
        if slots[i].is_some() {
            return Err(format!(
                "{}() got multiple values for argument '{key}'",
                qualname()
            ));
        }
        kwonly_given += usize::from(i >= np);
        slots[i] = Some(v);
    }
    let ndefaults = p.defaults.len().min(np);
    let required = np - ndefaults;
    if given.len() > np {
        return Err(too_many(
            &qualname(),
            np,
            required,
            given.len(),
            kwonly_given,
        ));
    }
    for (i, slot) in slots.iter_mut().enumerate().take(np).skip(required) {
        if slot.is_none() {
            *slot = Some(p.defaults[p.defaults.len() - (np - i)]);
        }
    }
    let missing: Vec<&str> = (0..required)
        .filter(|&i| slots[i].is_none())
        .map(|i| vm.str_of(p.params[i]))
        .collect();
    if !missing.is_empty() {
        return Err(missing_message(&qualname(), &missing, "positional"));
    }
    let mut missing = Vec::new();
    for (j, &name) in p.kwonly.iter().enumerate() {
        if slots[np + j].is_some() {
            continue;
        }
        let default = match p.kwdefaults {
            Value::Obj(d) => vm.dict_get_str(d, name),
            _ => None,
        };
        match default {
            Some(v) => slots[np + j] = Some(v),
            None => missing.push(vm.str_of(name)),
        }
    }
    if !missing.is_empty() {
        return Err(missing_message(&qualname(), &missing, "keyword-only"));
    }
    Ok(slots
        .into_iter()
        .map(|s| s.unwrap_or(Value::None))
        .collect())
}

/// "f() takes from 2 to 3 positional arguments but 4 were given".
fn too_many(qualname: &str, np: usize, required: usize, n: usize, kwonly_given: usize) -> String {
    let takes = if required == np {
        format!("{np}")
    } else {
        format!("from {required} to {np}")
    };
    let s = if np == 1 && required == np { "" } else { "s" };
    let given = if kwonly_given == 0 {
        let were = if n == 1 { "was" } else { "were" };
        format!("{n} {were}")
    } else {
        let ps = if n == 1 { "" } else { "s" };
        let ks = if kwonly_given == 1 { "" } else { "s" };
        format!("{n} positional argument{ps} (and {kwonly_given} keyword-only argument{ks}) were")
    };
    format!("{qualname}() takes {takes} positional argument{s} but {given} given")
}

/// "f() missing 2 required positional arguments: 'a' and 'b'".
fn missing_message(qualname: &str, names: &[&str], kind: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    let list = match quoted.len() {
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    };
    let s = if quoted.len() == 1 { "" } else { "s" };
    format!(
        "{qualname}() missing {} required {kind} argument{s}: {list}",
        quoted.len()
    )
}
