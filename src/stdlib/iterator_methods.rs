//! `__iter__` and `__next__` on the built-in iterator types (list, tuple,
//! range, str, dict and set iterators, `enumerate`, `zip`, `map`,
//! `filter`, `reversed`, ...), so `it.__next__()` works as in CPython.

use super::method_args::{add_methods, no_args};
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Installs the methods into the class namespaces.
pub fn install(vm: &mut Vm) {
    let t = &vm.types;
    let classes = [
        t.list_iterator,
        t.tuple_iterator,
        t.range_iterator,
        t.str_iterator,
        t.bytes_iterator,
        t.dict_keyiterator,
        t.dict_valueiterator,
        t.dict_itemiterator,
        t.dict_reversekeyiterator,
        t.dict_reversevalueiterator,
        t.dict_reverseitemiterator,
        t.set_iterator,
        t.enumerate,
        t.zip,
        t.map,
        t.filter,
        t.reversed,
        t.list_reverseiterator,
        t.callable_iterator,
        t.seq_iterator,
    ];
    for cls in classes {
        add_methods(vm, cls, &[("__iter__", iter_self), ("__next__", next)]);
    }
}

/// The receiver, which must be a built-in iterator.
fn recv(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<Value> {
    match args.first() {
        Some(&it @ Value::Obj(r)) if matches!(vm.heap.get(r), Object::Iter(_)) => Ok(it),
        Some(&other) => {
            let msg = format!(
                "descriptor '{method}' requires an iterator object but received a '{}'",
                vm.type_name(other)
            );
            Err(vm.type_error(msg))
        }
        None => Err(vm.type_error(format!("descriptor '{method}' needs an argument"))),
    }
}

fn iter_self(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let it = recv(vm, args, "__iter__")?;
    no_args(vm, args, kw, "__iter__")?;
    Ok(it)
}

fn next(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let it = recv(vm, args, "__next__")?;
    no_args(vm, args, kw, "__next__")?;
    match vm.iter_next(it)? {
        Some(v) => Ok(v),
        None => Err(vm.stop_iteration(Value::None)),
    }
}
