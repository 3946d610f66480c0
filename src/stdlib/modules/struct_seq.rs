//! Struct sequences: CPython's named, read-only tuples of the C library
//! (`sys.version_info`, `sys.float_info`, `time.struct_time`).
//!
//! A value indexes, slices, iterates, hashes and compares like the tuple of
//! its first `n_seq` items (so `sys.version_info >= (3, 8)` works), reads
//! every item by field name, and prints as `module.name(field=value, ...)`.
//! Items past `n_seq` are reachable by name only (`tm_zone`). Types are
//! made with [`new_type`]; calling one from aspy code raises "cannot create
//! 'X' instances" unless its module installs its own `__new__`.

use crate::bytecode::CompareOp;
use crate::stdlib::builtins::{add_method, check_args};
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::any::Any;

/// One struct sequence value.
pub struct StructSeq {
    class: ObjRef,
    fields: &'static [&'static str],
    n_seq: usize,
    items: Box<[Value]>,
}

impl NativeObject for StructSeq {
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(Value::Obj(self.class));
        self.items.iter().for_each(|&v| f(v));
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Creates a struct sequence type of module `module` (not bound anywhere).
pub fn new_type(vm: &mut Vm, module: &str, name: &str) -> ObjRef {
    let object = vm.types.object;
    let cls = vm.new_class(name, &[object], crate::vm::object::Layout::Builtin);
    let module = Value::Obj(vm.intern(module));
    if let Object::Class(c) = vm.heap.get_mut(cls) {
        c.module = module;
    }
    let methods: [(&'static str, crate::vm::object::NativeFn); 14] = [
        ("__new__", no_new),
        ("__repr__", repr),
        ("__len__", len),
        ("__getitem__", getitem),
        ("__iter__", iter),
        ("__contains__", contains),
        ("__hash__", hash),
        ("__getattr__", getattr),
        ("__eq__", eq),
        ("__ne__", ne),
        ("__lt__", lt),
        ("__le__", le),
        ("__gt__", gt),
        ("__ge__", ge),
    ];
    for (n, f) in methods {
        add_method(vm, cls, n, f);
    }
    cls
}

/// A new value of type `cls`: `items` holds every field's value in the
/// order of `fields`; the first `n_seq` form the tuple.
pub fn new(
    vm: &mut Vm,
    cls: ObjRef,
    fields: &'static [&'static str],
    n_seq: usize,
    items: Vec<Value>,
) -> Value {
    debug_assert_eq!(fields.len(), items.len());
    vm.alloc(Object::Native(Box::new(StructSeq {
        class: cls,
        fields,
        n_seq,
        items: items.into_boxed_slice(),
    })))
}

/// The tuple part of a struct sequence value (None for other values).
pub fn as_tuple(vm: &mut Vm, v: Value) -> Option<Value> {
    let items = vm.native_ref::<StructSeq>(v)?.items[..].to_vec();
    let n = vm.native_ref::<StructSeq>(v)?.n_seq;
    let mut items = items;
    items.truncate(n);
    Some(vm.new_tuple(items))
}

/// Every item of a struct sequence value, named ones included.
pub fn items(vm: &Vm, v: Value) -> Option<&[Value]> {
    vm.native_ref::<StructSeq>(v).map(|s| &s.items[..])
}

fn this(vm: &mut Vm, args: &[Value]) -> PyResult<Value> {
    match args.first() {
        Some(&v) if vm.native_ref::<StructSeq>(v).is_some() => Ok(v),
        _ => Err(vm.type_error("descriptor requires a struct sequence")),
    }
}

fn no_new(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let name = match args.first() {
        Some(&Value::Obj(c)) => qualified_name(vm, c),
        _ => "struct sequence".to_string(),
    };
    Err(vm.type_error(format!("cannot create '{name}' instances")))
}

/// `module.name` of a class.
fn qualified_name(vm: &Vm, cls: ObjRef) -> String {
    match vm.heap.get(cls) {
        Object::Class(c) => format!("{}.{}", vm.str_of(c.module), vm.str_of(c.name)),
        _ => String::new(),
    }
}

fn repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let v = this(vm, args)?;
    let (cls, fields, n_seq, items) = {
        let s = vm.native_ref::<StructSeq>(v).unwrap();
        (s.class, s.fields, s.n_seq, s.items.to_vec())
    };
    let mut out = qualified_name(vm, cls);
    out.push('(');
    for (i, (name, item)) in fields.iter().zip(items).take(n_seq).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
        out.push('=');
        out.push_str(&vm.repr_value(item)?);
    }
    out.push(')');
    Ok(vm.new_str(out))
}

fn len(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let v = this(vm, args)?;
    Ok(Value::Int(
        vm.native_ref::<StructSeq>(v).unwrap().n_seq as i64,
    ))
}

/// Runs `f` on the tuple part of `args[0]`, keeping the tuple rooted.
fn with_tuple(
    vm: &mut Vm,
    args: &[Value],
    f: impl FnOnce(&mut Vm, Value) -> PyResult<Value>,
) -> PyResult<Value> {
    let v = this(vm, args)?;
    let t = as_tuple(vm, v).unwrap_or(Value::None);
    vm.temp_roots.push(t);
    let r = f(vm, t);
    vm.temp_roots.pop();
    r
}

fn getitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__getitem__", args, kw, 2, 2)?;
    with_tuple(vm, args, |vm, t| vm.get_item(t, args[1]))
}

fn iter(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    with_tuple(vm, args, |vm, t| vm.get_iter(t))
}

fn contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__contains__", args, kw, 2, 2)?;
    with_tuple(vm, args, |vm, t| vm.contains(t, args[1]).map(Value::Bool))
}

fn hash(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    with_tuple(vm, args, |vm, t| vm.hash_value(t).map(Value::Int))
}

fn getattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__getattr__", args, kw, 2, 2)?;
    let v = this(vm, args)?;
    let name = vm.str_of(args[1]);
    let s = vm.native_ref::<StructSeq>(v).unwrap();
    let found = s.fields.iter().position(|f| *f == name).map(|i| s.items[i]);
    match found {
        Some(item) => Ok(item),
        None => {
            let msg = format!(
                "'{}' object has no attribute '{name}'",
                qualified_name(vm, s.class)
            );
            Err(vm.new_error(crate::vm::exceptions::ExcKind::AttributeError, msg))
        }
    }
}

/// A comparison: both sides as tuples (a struct sequence or a tuple on the
/// right), NotImplemented for anything else.
fn compare(vm: &mut Vm, args: &[Value], op: CompareOp) -> PyResult<Value> {
    if args.len() != 2 {
        return Err(vm.type_error("expected 1 argument"));
    }
    let other = args[1];
    let other_t = match as_tuple(vm, other) {
        Some(t) => t,
        None if matches!(other, Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_))) => {
            other
        }
        None => return Ok(Value::NotImplemented),
    };
    vm.temp_roots.push(other_t);
    let r = with_tuple(vm, args, |vm, t| vm.compare_op(t, other_t, op));
    vm.temp_roots.pop();
    r
}

fn eq(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Eq)
}

fn ne(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Ne)
}

fn lt(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Lt)
}

fn le(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Le)
}

fn gt(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Gt)
}

fn ge(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Ge)
}
