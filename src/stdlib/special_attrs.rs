//! Attributes the VM computes instead of storing: `__class__`, `__name__`,
//! `__dict__`, `__doc__`, function and class metadata, and the computed
//! attributes of exceptions (`stdlib::exceptions::get_attr`).

use crate::vm::object::Object;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// `cls.name = value` for the class attributes kept outside the
/// namespace (`__name__`, `__qualname__`; `__module__` is kept in both);
/// false for any other name.
pub fn set_class_special(vm: &mut Vm, cls: ObjRef, name: &str, value: Value) -> PyResult<bool> {
    let field = match name {
        "__name__" | "__qualname__" => {
            if vm.as_str(value).is_none() {
                let msg = format!(
                    "can only assign string to {}.{name}, not '{}'",
                    vm.class_name(cls),
                    vm.type_name(value)
                );
                return Err(vm.type_error(msg));
            }
            true
        }
        "__module__" => false,
        _ => return Ok(false),
    };
    if let Object::Class(c) = vm.heap.get_mut(cls) {
        match name {
            "__name__" => c.name = value,
            "__qualname__" => c.qualname = value,
            _ => c.module = value,
        }
    }
    Ok(field)
}

/// Looks up a computed attribute; None if `obj` has no such attribute.
pub fn get(vm: &mut Vm, obj: Value, name: &str) -> PyResult<Option<Value>> {
    if name == "__class__" {
        return Ok(Some(Value::Obj(vm.class_of(obj))));
    }
    if let Some(v) = super::number_methods::number_attr(vm, obj, name) {
        return Ok(Some(v));
    }
    let Value::Obj(r) = obj else { return Ok(None) };
    if name == "__dict__" {
        if let Some(d) = vm.own_dict(r)? {
            return Ok(Some(d));
        }
    }
    let v = match vm.heap.get(r) {
        Object::Class(c) => match name {
            "__name__" => c.name,
            "__qualname__" => c.qualname,
            "__module__" => c.module,
            "__mro__" => {
                let mro: Vec<Value> = c.mro.iter().map(|&k| Value::Obj(k)).collect();
                vm.new_tuple(mro)
            }
            "__bases__" => {
                let b: Vec<Value> = c.bases.iter().map(|&k| Value::Obj(k)).collect();
                vm.new_tuple(b)
            }
            "__base__" => c.bases.first().map_or(Value::None, |&b| Value::Obj(b)),
            "__doc__" => Value::None,
            "__dict__" => {
                let pairs: Vec<(Value, Value)> = c.dict.iter().map(|e| (e.key, e.value)).collect();
                let d = vm.new_dict();
                for (k, v) in pairs {
                    vm.dict_set(d, k, v)?;
                }
                d
            }
            _ => return Ok(None),
        },
        Object::Function(f) => match name {
            "__name__" => f.name,
            "__qualname__" => f.qualname,
            "__doc__" => f.doc,
            "__module__" => f.module,
            "__defaults__" => {
                if f.defaults.is_empty() {
                    Value::None
                } else {
                    let d = f.defaults.to_vec();
                    vm.new_tuple(d)
                }
            }
            "__kwdefaults__" => f.kwdefaults,
            "__globals__" => Value::Obj(f.globals),
            "__closure__" => {
                if f.closure.is_empty() {
                    Value::None
                } else {
                    let cells = f.closure.to_vec();
                    vm.new_tuple(cells)
                }
            }
            "__annotations__" => {
                if !f.annotations.is_none() {
                    return Ok(Some(f.annotations));
                }
                // Created on first use and kept, as in CPython.
                let d = vm.new_dict();
                if let Object::Function(f) = vm.heap.get_mut(r) {
                    f.annotations = d;
                }
                d
            }
            _ => return Ok(None),
        },
        Object::Builtin(b) => match name {
            "__name__" | "__qualname__" => {
                let n = b.name;
                Value::Obj(vm.intern(n))
            }
            "__self__" => b.receiver,
            "__doc__" => Value::None,
            _ => return Ok(None),
        },
        Object::BoundMethod(m) => match name {
            "__self__" => m.receiver,
            "__func__" => Value::Obj(m.func),
            _ => {
                let f = Value::Obj(m.func);
                let n = Value::Obj(vm.intern(name));
                return vm.get_attr_opt(f, n);
            }
        },
        Object::Module(m) => match name {
            "__dict__" => Value::Obj(m.dict),
            _ => return Ok(None),
        },
        Object::Cell(c) => match name {
            "cell_contents" if !c.is_unbound() => *c,
            "cell_contents" => {
                return Err(vm.value_error("Cell is empty"));
            }
            _ => return Ok(None),
        },
        Object::Generator(g) => match name {
            "__name__" => vm.generator_names(g).0,
            "__qualname__" => vm.generator_names(g).1,
            _ => return super::gen_methods::generator_attr(vm, r, name),
        },
        Object::Instance(_) => match name {
            _ if vm.exc_data(obj).is_some() => {
                match crate::stdlib::exceptions::get_attr(vm, obj, name)? {
                    Some(v) => v,
                    None if name == "__doc__" => Value::None,
                    None => return Ok(None),
                }
            }
            "__doc__" => Value::None,
            _ => return Ok(None),
        },
        Object::Property(p) => match name {
            "fget" => p[0],
            "fset" => p[1],
            "fdel" => p[2],
            "__doc__" => p[3],
            _ => return Ok(None),
        },
        Object::StaticMethod(f) | Object::ClassMethod(f) => match name {
            "__func__" | "__wrapped__" => *f,
            "__name__" | "__qualname__" | "__doc__" | "__module__" | "__annotations__" => {
                let (f, n) = (*f, Value::Obj(vm.intern(name)));
                return vm.get_attr_opt(f, n);
            }
            "__isabstractmethod__" => Value::Bool(false),
            _ => return Ok(None),
        },
        Object::Slice(p) => match name {
            "start" => p[0],
            "stop" => p[1],
            "step" => p[2],
            _ => return Ok(None),
        },
        Object::Range(rg) => match name {
            "start" => Value::Int(rg.start),
            "stop" => Value::Int(rg.stop),
            "step" => Value::Int(rg.step),
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// `repr()` of objects without a custom `__repr__`: functions, classes,
/// modules, methods and the other built-in shapes.
pub fn object_repr(vm: &mut Vm, v: Value) -> String {
    let Value::Obj(r) = v else {
        return String::new();
    };
    let addr = 0x7f00_0000_0000usize + r.index() * 16;
    match vm.heap.get(r) {
        Object::Function(f) => format!("<function {} at {addr:#x}>", vm.str_of(f.qualname)),
        Object::Builtin(b) => {
            if b.receiver.is_unbound() {
                format!("<built-in function {}>", b.name)
            } else {
                let name = b.name;
                let recv = b.receiver;
                let raddr = recv
                    .as_obj()
                    .map_or(addr, |o| 0x7f00_0000_0000 + o.index() * 16);
                format!(
                    "<built-in method {name} of {} object at {raddr:#x}>",
                    vm.type_name(recv)
                )
            }
        }
        Object::Super(start, obj) => {
            let (start, obj) = (*start, *obj);
            let this = if obj.is_unbound() {
                "NULL".to_string()
            } else {
                let owner = vm.super_self_class(start, obj);
                format!("<{} object>", vm.class_name(owner))
            };
            format!("<super: <class '{}'>, {this}>", vm.class_name(start))
        }
        Object::StaticMethod(f) | Object::ClassMethod(f) => {
            let f = *f;
            let what = vm.type_name(v);
            let inner = vm.repr_value(f).unwrap_or_default();
            format!("<{what}({inner})>")
        }
        Object::Class(c) => {
            let q = vm.str_of(c.qualname);
            match vm.as_str(c.module) {
                Some(module) if module != "builtins" => format!("<class '{module}.{q}'>"),
                // CPython shows `tp_name` here: the bare name.
                _ => format!("<class '{}'>", vm.str_of(c.name)),
            }
        }
        Object::Module(m) => format!("<module '{}'>", vm.str_of(m.name)),
        Object::BoundMethod(m) => {
            let (f, recv) = (Value::Obj(m.func), m.receiver);
            let fname = match f {
                Value::Obj(fr) => match vm.heap.get(fr) {
                    Object::Function(func) => vm.str_of(func.qualname).to_string(),
                    _ => "?".into(),
                },
                _ => "?".into(),
            };
            let rr = vm.repr_value(recv).unwrap_or_default();
            format!("<bound method {fname} of {rr}>")
        }
        Object::Generator(g) => {
            let what = match g.kind {
                crate::bytecode::CodeKind::Coroutine => "coroutine",
                crate::bytecode::CodeKind::AsyncGenerator => "async_generator",
                _ => "generator",
            };
            let qualname = vm.generator_names(g).1;
            format!("<{what} object {} at {addr:#x}>", vm.str_of(qualname))
        }
        Object::Cell(_) => format!("<cell at {addr:#x}>"),
        _ => {
            let tn = vm.type_name(v);
            format!("<{tn} object at {addr:#x}>")
        }
    }
}
