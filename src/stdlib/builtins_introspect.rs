//! Built-in functions that look at namespaces and the running program:
//! `globals`, `locals`, `vars`, `dir`, and `input` (reads standard input).
//!
//! A native function runs without a frame of its own, so "the caller" of
//! `globals()`/`locals()` is the top frame of the running fiber.

use super::builtins::{check_args, def};
use crate::bytecode::CodeKind;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Layout, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::collections::BTreeSet;
use std::io::BufRead;

pub fn install(vm: &mut Vm) {
    def(vm, "globals", globals);
    def(vm, "locals", locals);
    def(vm, "vars", vars);
    def(vm, "dir", dir);
    def(vm, "input", input);
}

fn globals(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "globals", args, kw, 0, 0)?;
    match vm.fiber.frames.last() {
        Some(f) => Ok(Value::Obj(f.globals)),
        None => Ok(Value::Obj(vm.builtins)),
    }
}

fn locals(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "locals", args, kw, 0, 0)?;
    current_locals(vm)
}

/// The caller's local namespace: the module or class namespace itself, or
/// a new dict of a function's bound local, cell and free variables.
fn current_locals(vm: &mut Vm) -> PyResult<Value> {
    let Some(frame) = vm.fiber.frames.last() else {
        return Ok(vm.new_dict());
    };
    let code = frame.code.code.clone();
    if matches!(code.kind, CodeKind::Module | CodeKind::Class) {
        if let Value::Obj(r) = frame.locals {
            if matches!(vm.heap.get(r), Object::Dict(_)) {
                return Ok(frame.locals);
            }
        }
        return Ok(Value::Obj(frame.globals));
    }
    let base = frame.base as usize;
    let free_start = code.nslots() - code.nfree as usize;
    let mut pairs = Vec::with_capacity(code.nslots());
    for (i, name) in code.varnames.iter().enumerate() {
        let mut v = vm.fiber.stack[base + i];
        if i >= free_start || code.cell_slots.contains(&(i as u32)) {
            v = match v {
                Value::Obj(r) => match vm.heap.get(r) {
                    Object::Cell(inner) => *inner,
                    _ => v,
                },
                _ => v,
            };
        }
        if !v.is_unbound() {
            pairs.push((name.clone(), v));
        }
    }
    let d = vm.new_dict();
    vm.temp_roots.push(d);
    for (name, v) in pairs {
        let k = vm.new_str(&*name);
        vm.dict_set(d, k, v)?;
    }
    vm.temp_roots.pop();
    Ok(d)
}

fn vars(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "vars", args, kw, 0, 1)?;
    let Some(&v) = args.first() else {
        return current_locals(vm);
    };
    let name = Value::Obj(vm.intern("__dict__"));
    match vm.get_attr(v, name) {
        Ok(d) => Ok(d),
        Err(e) if vm.exc_matches(e.0, ExcKind::AttributeError) => {
            Err(vm.type_error("vars() argument must have __dict__ attribute"))
        }
        Err(e) => Err(e),
    }
}

/// The attributes every object has (`dir(object)`).
const OBJECT_DIR: &[&str] = &[
    "__class__",
    "__delattr__",
    "__dir__",
    "__doc__",
    "__eq__",
    "__format__",
    "__ge__",
    "__getattribute__",
    "__getstate__",
    "__gt__",
    "__hash__",
    "__init__",
    "__init_subclass__",
    "__le__",
    "__lt__",
    "__ne__",
    "__new__",
    "__reduce__",
    "__reduce_ex__",
    "__repr__",
    "__setattr__",
    "__sizeof__",
    "__str__",
    "__subclasshook__",
];

/// What user classes add to `dir(object)`.
const USER_CLASS_DIR: &[&str] = &["__dict__", "__module__", "__weakref__"];

/// What functions add to `dir(object)`.
const FUNCTION_DIR: &[&str] = &[
    "__annotations__",
    "__builtins__",
    "__call__",
    "__closure__",
    "__code__",
    "__defaults__",
    "__dict__",
    "__get__",
    "__globals__",
    "__kwdefaults__",
    "__module__",
    "__name__",
    "__qualname__",
];

fn dir(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "dir", args, kw, 0, 1)?;
    let Some(&v) = args.first() else {
        let l = current_locals(vm)?;
        return sorted_keys(vm, l);
    };
    if let Value::Obj(r) = v {
        match vm.heap.get(r) {
            Object::Module(m) => {
                let d = Value::Obj(m.dict);
                return sorted_keys(vm, d);
            }
            Object::Class(_) => {
                let mut names = BTreeSet::new();
                class_dir(vm, r, &mut names);
                return names_list(vm, names);
            }
            Object::Instance(_) => {
                let cls = vm.class_of(v);
                if let Some(m) = vm.class_lookup(cls, "__dir__") {
                    let listed = vm.call(m, &[v], &[])?;
                    return sorted_iterable(vm, listed);
                }
            }
            _ => {}
        }
    }
    let mut names = BTreeSet::new();
    let cls = vm.class_of(v);
    class_dir(vm, cls, &mut names);
    if let Value::Obj(r) = v {
        for (k, _) in vm.own_attr_pairs(r) {
            if let Some(k) = vm.as_str(k) {
                names.insert(k.to_string());
            }
        }
        if let Object::Function(_) = vm.heap.get(r) {
            names.extend(FUNCTION_DIR.iter().map(|s| s.to_string()));
        }
    }
    names_list(vm, names)
}

/// Attributes of built-in types that the VM computes (`special_attrs.rs`)
/// rather than keeps in the class namespace.
fn computed_attrs(vm: &Vm, cls: ObjRef) -> &'static [&'static str] {
    let t = &vm.types;
    if cls == t.int {
        &["denominator", "imag", "numerator", "real"]
    } else if cls == t.float {
        &["imag", "real"]
    } else if cls == t.property {
        &["fdel", "fget", "fset"]
    } else if cls == t.slice || cls == t.range {
        &["start", "step", "stop"]
    } else if cls == t.staticmethod || cls == t.classmethod {
        &["__func__", "__isabstractmethod__", "__wrapped__"]
    } else {
        &[]
    }
}

/// The names visible on a class: its MRO's namespaces plus what every
/// object (and every user class) has.
fn class_dir(vm: &Vm, cls: ObjRef, names: &mut BTreeSet<String>) {
    let Object::Class(c) = vm.heap.get(cls) else {
        return;
    };
    for &k in &c.mro {
        if let Object::Class(kc) = vm.heap.get(k) {
            for e in kc.dict.iter() {
                if let Some(s) = vm.as_str(e.key) {
                    names.insert(s.to_string());
                }
            }
            if kc.layout != Layout::Builtin && k != vm.types.object {
                names.extend(USER_CLASS_DIR.iter().map(|s| s.to_string()));
            }
            names.extend(computed_attrs(vm, k).iter().map(|s| s.to_string()));
        }
    }
    names.extend(OBJECT_DIR.iter().map(|s| s.to_string()));
}

fn names_list(vm: &mut Vm, names: BTreeSet<String>) -> PyResult<Value> {
    let items: Vec<Value> = names.into_iter().map(|n| vm.new_str(n)).collect();
    Ok(vm.new_list(items))
}

/// The string keys of a dict, sorted.
fn sorted_keys(vm: &mut Vm, d: Value) -> PyResult<Value> {
    let names: BTreeSet<String> = match d {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Dict(dict) => dict
                .iter()
                .filter_map(|e| vm.as_str(e.key).map(str::to_string))
                .collect(),
            _ => BTreeSet::new(),
        },
        _ => BTreeSet::new(),
    };
    names_list(vm, names)
}

/// `sorted(iterable)` of what a `__dir__` returned.
fn sorted_iterable(vm: &mut Vm, v: Value) -> PyResult<Value> {
    let items = vm.collect_iterable(v)?;
    vm.temp_roots.extend_from_slice(&items);
    let mut sorted: Vec<Value> = Vec::with_capacity(items.len());
    let mut result = Ok(());
    // Insertion sort with the VM's `<` (user `__dir__` results are short).
    'outer: for &x in &items {
        let mut pos = sorted.len();
        while pos > 0 {
            match vm.lt(x, sorted[pos - 1]) {
                Ok(true) => pos -= 1,
                Ok(false) => break,
                Err(e) => {
                    result = Err(e);
                    break 'outer;
                }
            }
        }
        sorted.insert(pos, x);
    }
    let n = vm.temp_roots.len() - items.len();
    vm.temp_roots.truncate(n);
    result?;
    Ok(vm.new_list(sorted))
}

fn input(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "input", args, kw, 0, 1)?;
    if let Some(&p) = args.first() {
        let prompt = vm.str_value(p)?;
        vm.write_stdout(&prompt);
    }
    vm.flush_stdout();
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    match read {
        Ok(0) => Err(vm.new_error(ExcKind::EOFError, "EOF when reading a line")),
        Ok(_) => {
            if line.ends_with('\n') {
                line.pop();
                if line.ends_with('\r') {
                    line.pop();
                }
            }
            Ok(vm.new_str(line))
        }
        Err(e) => Err(vm.new_error(ExcKind::OSError, e.to_string())),
    }
}
