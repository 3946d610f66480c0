//! The `builtins` namespace: built-in functions, `object`'s default methods,
//! `__build_class__`, and the registration helpers every native module uses.

use crate::vm::exceptions::{self, ExcKind};
use crate::vm::object::{Builtin, Class, Dict, Iter, Layout, NativeFn, Object, Range};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// A new built-in function value.
pub fn native(vm: &mut Vm, name: &'static str, func: NativeFn) -> Value {
    vm.alloc(Object::Builtin(Box::new(Builtin {
        name,
        func,
        receiver: Value::Unbound,
        data: Value::None,
        self_method: false,
    })))
}

/// Adds a method (a built-in taking the receiver first) to a class.
pub fn add_method(vm: &mut Vm, cls: ObjRef, name: &'static str, func: NativeFn) {
    let f = native(vm, name, func);
    if let Value::Obj(r) = f {
        if let Object::Builtin(b) = vm.heap.get_mut(r) {
            b.self_method = true;
        }
    }
    set_class_attr(vm, cls, name, f);
}

/// Sets a class attribute by name.
pub fn set_class_attr(vm: &mut Vm, cls: ObjRef, name: &str, v: Value) {
    let key = Value::Obj(vm.intern(name));
    let hash = vm.hash_value(key).unwrap_or(0);
    if let Object::Class(c) = vm.heap.get(cls) {
        let idx = c.dict.find(hash, |k| k.is(key));
        if let Object::Class(c) = vm.heap.get_mut(cls) {
            match idx {
                Some(i) => c.dict.set_value(i, v),
                None => c.dict.insert_new(hash, key, v),
            }
        }
    }
    vm.class_epoch += 1;
}

/// Registers a built-in function.
pub fn def(vm: &mut Vm, name: &'static str, func: NativeFn) {
    let f = native(vm, name, func);
    vm.set_builtin(name, f);
}

/// TypeError unless exactly `n` positional arguments and no keywords.
pub fn check_args(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    min: usize,
    max: usize,
) -> PyResult<()> {
    if !kw.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    if args.len() < min || args.len() > max {
        let msg = if min == max {
            match min {
                0 => format!("{name}() takes no arguments ({} given)", args.len()),
                1 => format!("{name}() takes exactly one argument ({} given)", args.len()),
                _ => format!("{name} expected {min} arguments, got {}", args.len()),
            }
        } else if args.len() < min {
            format!(
                "{name} expected at least {min} argument{}, got {}",
                if min == 1 { "" } else { "s" },
                args.len()
            )
        } else {
            format!(
                "{name} expected at most {max} argument{}, got {}",
                if max == 1 { "" } else { "s" },
                args.len()
            )
        };
        return Err(vm.type_error(msg));
    }
    Ok(())
}

/// Finds a keyword argument by name.
pub fn kwarg(vm: &Vm, kw: &[(Value, Value)], name: &str) -> Option<Value> {
    kw.iter()
        .find(|(k, _)| vm.str_of(*k) == name)
        .map(|&(_, v)| v)
}

pub fn install(vm: &mut Vm) {
    exceptions::install_builtins(vm);
    install_object(vm);
    let t = &vm.types;
    let named = [
        ("object", t.object),
        ("type", t.type_),
        ("int", t.int),
        ("bool", t.bool_),
        ("float", t.float),
        ("str", t.str_),
        ("bytes", t.bytes),
        ("bytearray", t.bytearray),
        ("list", t.list),
        ("tuple", t.tuple),
        ("dict", t.dict),
        ("set", t.set),
        ("frozenset", t.frozenset),
        ("range", t.range),
        ("slice", t.slice),
        ("property", t.property),
        ("staticmethod", t.staticmethod),
        ("classmethod", t.classmethod),
        ("super", t.super_),
        ("enumerate", t.enumerate),
        ("zip", t.zip),
        ("map", t.map),
        ("filter", t.filter),
        ("reversed", t.reversed),
    ];
    for (name, cls) in named {
        vm.set_builtin(name, Value::Obj(cls));
    }
    vm.set_builtin("None", Value::None);
    vm.set_builtin("Ellipsis", Value::Ellipsis);
    vm.set_builtin("NotImplemented", Value::NotImplemented);
    vm.set_builtin("False", Value::Bool(false));
    vm.set_builtin("True", Value::Bool(true));
    def(vm, "__build_class__", build_class);
    def(vm, "print", print);
    def(vm, "len", len);
    def(vm, "repr", repr);
    def(vm, "isinstance", isinstance);
    def(vm, "issubclass", issubclass);
    def(vm, "iter", iter);
    def(vm, "next", next);
    def(vm, "id", id);
    def(vm, "hash", hash);
    def(vm, "callable", callable);
    def(vm, "getattr", getattr);
    def(vm, "setattr", setattr);
    def(vm, "hasattr", hasattr);
    def(vm, "delattr", delattr);
    super::types_core::install(vm);
    super::metaclass::install(vm);
    super::functions::install(vm);
    super::builtins_numeric::install(vm);
    super::builtins_text::install(vm);
    super::builtins_introspect::install(vm);
    super::descriptors::install(vm);
    super::union_type::install(vm);
    super::generic_alias::install(vm);
    super::str_methods::install(vm);
    super::bytes_methods::install(vm);
    super::number_methods::install(vm);
    super::list_methods::install(vm);
    super::dict_methods::install(vm);
    super::set_methods::install(vm);
    super::gen_methods::install(vm);
    super::dict_views::install(vm);
    super::tuple_methods::install(vm);
    super::range_methods::install(vm);
    super::iterator_methods::install(vm);
    def(vm, "sorted", super::sorting::sorted);
    def(vm, "min", super::sorting::min);
    def(vm, "max", super::sorting::max);
    def(vm, "sum", super::sorting::sum);
    super::exceptions::install(vm);
}

// ---- object -----------------------------------------------------------------

fn install_object(vm: &mut Vm) {
    let object = vm.types.object;
    let f = native(vm, "__new__", object_new);
    let f = vm.alloc(Object::StaticMethod(f));
    set_class_attr(vm, object, "__new__", f);
    vm.object_new = f;
    let f = native(vm, "__init__", object_init);
    set_class_attr(vm, object, "__init__", f);
    vm.object_init = f;
    let f = native(vm, "__setattr__", object_setattr);
    set_class_attr(vm, object, "__setattr__", f);
    vm.object_setattr = f;
    let f = native(vm, "__delattr__", object_delattr);
    set_class_attr(vm, object, "__delattr__", f);
    vm.object_delattr = f;
    let f = native(vm, "__hash__", object_hash);
    set_class_attr(vm, object, "__hash__", f);
    vm.object_hash = f;
    let f = native(vm, "__repr__", object_repr);
    set_class_attr(vm, object, "__repr__", f);
    vm.object_repr = f;
    let f = native(vm, "__str__", object_str);
    set_class_attr(vm, object, "__str__", f);
    vm.object_str = f;
    add_method(vm, object, "__eq__", object_eq);
    add_method(vm, object, "__ne__", object_ne);
    add_method(vm, object, "__format__", object_format);
    add_method(vm, object, "__getattribute__", object_getattribute);
    let f = native(vm, "__init_subclass__", object_init_subclass);
    let f = vm.alloc(Object::ClassMethod(f));
    set_class_attr(vm, object, "__init_subclass__", f);
    let f = native(vm, "__subclasshook__", object_subclasshook);
    let f = vm.alloc(Object::ClassMethod(f));
    set_class_attr(vm, object, "__subclasshook__", f);
}

/// `object.__subclasshook__(C)`: NotImplemented (the ordinary check
/// decides), what `abc.ABCMeta` asks first.
fn object_subclasshook(_vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::NotImplemented)
}

fn object_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&cls_v) = args.first() else {
        return Err(vm.type_error("object.__new__(): not enough arguments"));
    };
    let layout = match cls_v {
        Value::Obj(c) => match vm.heap.get(c) {
            Object::Class(k) => Some(k.layout),
            _ => None,
        },
        _ => None,
    };
    let (Value::Obj(cls), Some(layout)) = (cls_v, layout) else {
        let msg = format!(
            "object.__new__(X): X is not a type object ({})",
            vm.type_name(cls_v)
        );
        return Err(vm.type_error(msg));
    };
    if layout != Layout::Object && layout != Layout::Exception && cls != vm.types.object {
        let name = vm.class_name(cls).to_string();
        return Err(vm.type_error(format!(
            "object.__new__({name}) is not safe, use {name}.__new__()"
        )));
    }
    let excess = args.len() > 1 || !kw.is_empty();
    if excess && layout != Layout::Exception {
        // CPython: extra arguments are an error unless the class overrides
        // `__init__` and not `__new__`.
        let new = vm.class_lookup(cls, "__new__");
        if new.is_some_and(|n| !n.is(vm.object_new)) {
            return Err(vm.type_error(
                "object.__new__() takes exactly one argument (the type to instantiate)",
            ));
        }
        let init = vm.class_lookup(cls, "__init__");
        if init.is_none_or(|i| i.is(vm.object_init)) {
            let msg = format!("{}() takes no arguments", vm.class_name(cls));
            return Err(vm.type_error(msg));
        }
    }
    let payload = if layout == Layout::Exception {
        let a = vm.new_tuple(args[1..].to_vec());
        crate::vm::object::Payload::Exception(Box::new(crate::vm::object::ExcData::new(a)))
    } else {
        crate::vm::object::Payload::None
    };
    Ok(vm.alloc(Object::Instance(crate::vm::object::Instance {
        class: cls,
        attrs: Default::default(),
        payload,
    })))
}

fn object_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&this) = args.first() else {
        return Err(vm.type_error("descriptor '__init__' of 'object' object needs an argument"));
    };
    if args.len() > 1 || !kw.is_empty() {
        // CPython: extra arguments are an error unless the class overrides
        // `__new__` and not `__init__`.
        let cls = vm.class_of(this);
        let init = vm.class_lookup(cls, "__init__");
        if init.is_some_and(|i| !i.is(vm.object_init)) {
            return Err(vm.type_error(
                "object.__init__() takes exactly one argument (the instance to initialize)",
            ));
        }
        let new = vm.class_lookup(cls, "__new__");
        if new.is_none_or(|n| n.is(vm.object_new)) {
            let msg = format!("{}() takes no arguments", vm.class_name(cls));
            return Err(vm.type_error(msg));
        }
    }
    Ok(Value::None)
}

fn object_setattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__setattr__", args, kw, 3, 3)?;
    vm.generic_setattr(args[0], args[1], args[2])?;
    Ok(Value::None)
}

fn object_delattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__delattr__", args, kw, 2, 2)?;
    vm.generic_delattr(args[0], args[1])?;
    Ok(Value::None)
}

fn object_hash(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let v = args.first().copied().unwrap_or(Value::None);
    Ok(Value::Int(match v {
        Value::Obj(r) => (r.index() as i64) << 4 | 5,
        _ => vm.hash_value(v)?,
    }))
}

fn object_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let v = args.first().copied().unwrap_or(Value::None);
    let s = vm.default_repr(v);
    Ok(vm.new_str(s))
}

fn object_str(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let v = args.first().copied().unwrap_or(Value::None);
    let s = vm.repr_value(v)?;
    Ok(vm.new_str(s))
}

fn object_eq(_vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.len() == 2 && args[0].is(args[1]) {
        return Ok(Value::Bool(true));
    }
    Ok(Value::NotImplemented)
}

fn object_ne(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.len() != 2 {
        return Ok(Value::NotImplemented);
    }
    let r = vm.compare_op(args[0], args[1], crate::bytecode::CompareOp::Eq)?;
    if matches!(r, Value::NotImplemented) {
        return Ok(r);
    }
    let t = vm.truthy(r)?;
    Ok(Value::Bool(!t))
}

fn object_format(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let spec = args
        .get(1)
        .map(|&s| vm.str_of(s).to_string())
        .unwrap_or_default();
    if !spec.is_empty() {
        let msg = format!(
            "unsupported format string passed to {}.__format__",
            vm.type_name(args[0])
        );
        return Err(vm.type_error(msg));
    }
    vm.to_str_value(args[0])
}

fn object_getattribute(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__getattribute__", args, kw, 2, 2)?;
    match vm.get_attr_opt(args[0], args[1])? {
        Some(v) => Ok(v),
        None => Err(vm.attribute_error(args[0], args[1])),
    }
}

fn object_init_subclass(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if !kw.is_empty() {
        let name = match args.first() {
            Some(&Value::Obj(c)) => vm.class_name(c).to_string(),
            _ => "object".to_string(),
        };
        return Err(vm.type_error(format!(
            "{name}.__init_subclass__() takes no keyword arguments"
        )));
    }
    Ok(Value::None)
}

// ---- __build_class__ ----------------------------------------------------------

/// `__build_class__(body, name, *bases, **keywords)`.
fn build_class(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.len() < 2 {
        return Err(vm.type_error("__build_class__: not enough arguments"));
    }
    let (body, name) = (args[0], args[1]);
    let resolved = resolve_mro_entries(vm, &args[2..])?;
    let (meta, kw) = metaclass_keyword(vm, kw);
    let given = resolved.clone().unwrap_or_else(|| args[2..].to_vec());
    // The classes `__mro_entries__` gave are rooted with the namespace.
    let entries = vm.new_tuple(resolved.clone().unwrap_or_default());
    vm.temp_roots.push(entries);
    let meta = match super::metaclass::statement_meta(vm, meta, &given) {
        Ok(m) => m,
        Err(e) => {
            vm.temp_roots.pop();
            return Err(e);
        }
    };
    if !meta.is(Value::Obj(vm.types.type_)) {
        let r = super::metaclass::build_with_meta(vm, body, name, &args[2..], &given, meta, &kw);
        vm.temp_roots.pop();
        return r;
    }
    let bases = match check_bases(vm, &given) {
        Ok(b) => b,
        Err(e) => {
            vm.temp_roots.pop();
            return Err(e);
        }
    };
    // Run the body with a fresh namespace; the class is made from it after.
    let ns = vm.new_dict();
    vm.temp_roots.push(ns);
    let r = (|| {
        if resolved.is_some() {
            let orig = vm.new_tuple(args[2..].to_vec());
            let key = Value::Obj(vm.intern("__orig_bases__"));
            vm.dict_set(ns, key, orig)?;
        }
        let cell = run_class_body(vm, body, ns)?;
        create_class(vm, name, &bases, ns, cell, &kw, None)
    })();
    vm.temp_roots.truncate(vm.temp_roots.len() - 2);
    r
}

/// Keyword arguments as (name, value) pairs.
type Keywords = Vec<(Value, Value)>;

/// Splits the `metaclass=` keyword off a class statement's keywords.
fn metaclass_keyword(vm: &Vm, kw: &[(Value, Value)]) -> (Option<Value>, Keywords) {
    let mut rest = Vec::with_capacity(kw.len());
    let mut meta = None;
    for &(k, v) in kw {
        if vm.as_str(k) == Some("metaclass") {
            meta = Some(v);
        } else {
            rest.push((k, v));
        }
    }
    (meta, rest)
}

/// PEP 560: a base that is not a class but has `__mro_entries__` is
/// replaced by the classes that method returns (how `Generic[T]` or
/// `NamedTuple` stand in a class statement's bases). None when every base
/// is a class already. The bases given are rooted by the caller; the
/// result is not rooted.
fn resolve_mro_entries(vm: &mut Vm, bases: &[Value]) -> PyResult<Option<Vec<Value>>> {
    let is_class = |vm: &Vm, b: Value| matches!(b, Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_)));
    if bases.iter().all(|&b| is_class(vm, b)) {
        return Ok(None);
    }
    let orig = vm.new_tuple(bases.to_vec());
    vm.temp_roots.push(orig);
    let r = (|| {
        let hook = Value::Obj(vm.intern("__mro_entries__"));
        let mut out = Vec::with_capacity(bases.len());
        let mark = vm.temp_roots.len();
        for &b in bases {
            let entries = if is_class(vm, b) {
                None
            } else {
                vm.get_attr_opt(b, hook)?
            };
            let Some(method) = entries else {
                out.push(b);
                continue;
            };
            let got = vm.call(method, &[orig], &[])?;
            let Some(items) = vm.tuple_items(got) else {
                return Err(vm.type_error("__mro_entries__ must return a tuple"));
            };
            vm.temp_roots.extend_from_slice(&items);
            out.extend(items);
        }
        vm.temp_roots.truncate(mark);
        Ok(Some(out))
    })();
    vm.temp_roots.pop();
    r
}

/// Checks the bases of a new class (default: `object`).
pub fn check_bases(vm: &mut Vm, args: &[Value]) -> PyResult<Vec<ObjRef>> {
    let mut bases: Vec<ObjRef> = Vec::new();
    for &b in args {
        match b {
            Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_)) => bases.push(r),
            _ => {
                return Err(vm.type_error("bases must be types"));
            }
        }
    }
    if bases.is_empty() {
        bases.push(vm.types.object);
    }
    Ok(bases)
}

/// Makes a class from its namespace `ns` (a dict), as `type.__new__`
/// does: MRO, `__qualname__` and `__doc__` handling, the `__class__` cell
/// of the body (`cell`, or None), `__set_name__`, then the parent's
/// `__init_subclass__` with the class keywords. `meta` is the metaclass
/// when it is not `type`.
pub fn create_class(
    vm: &mut Vm,
    name: Value,
    bases: &[ObjRef],
    ns: Value,
    cell: Value,
    kw: &[(Value, Value)],
    meta: Option<ObjRef>,
) -> PyResult<Value> {
    for (i, &b) in bases.iter().enumerate() {
        if bases[..i].contains(&b) {
            let msg = format!("duplicate base class {}", vm.class_name(b));
            return Err(vm.type_error(msg));
        }
    }
    let layout = vm.layout_for_bases(bases)?;
    let Some(mro_tail) = vm.compute_mro(bases) else {
        let names: Vec<String> = bases
            .iter()
            .map(|&b| vm.class_name(b).to_string())
            .collect();
        return Err(vm.type_error(format!(
            "Cannot create a consistent method resolution\norder (MRO) for bases {}",
            names.join(", ")
        )));
    };
    let qual_key = Value::Obj(vm.intern("__qualname__"));
    let module_key = Value::Obj(vm.intern("__module__"));
    let doc_key = Value::Obj(vm.intern("__doc__"));
    let qualname = vm.dict_get(ns, qual_key)?.unwrap_or(name);
    if vm.as_str(qualname).is_none() {
        let msg = format!(
            "type __qualname__ must be a str, not {}",
            vm.type_name(qualname)
        );
        return Err(vm.type_error(msg));
    }
    let module = vm.dict_get(ns, module_key)?.unwrap_or(Value::None);
    let mut dict = Dict::new();
    if let Object::Dict(d) = vm.heap.get(ns.as_obj().unwrap()) {
        for e in d.iter() {
            if e.key.is(qual_key) {
                continue;
            }
            dict.insert_new(e.hash, e.key, e.value);
        }
    }
    // A class that defines `__eq__` but not `__hash__` is unhashable.
    let eq_key = Value::Obj(vm.intern("__eq__"));
    let hash_key = Value::Obj(vm.intern("__hash__"));
    if vm.dict_get(ns, eq_key)?.is_some() && vm.dict_get(ns, hash_key)?.is_none() {
        let h = vm.hash_value(hash_key)?;
        dict.insert_new(h, hash_key, Value::None);
    }
    // `__init_subclass__` and `__class_getitem__` are implicitly class
    // methods.
    for name in ["__init_subclass__", "__class_getitem__"] {
        let key = Value::Obj(vm.intern(name));
        let h = vm.hash_value(key)?;
        if let Some(i) = dict.find(h, |k| k.is(key)) {
            let f = dict.entry(i).map_or(Value::None, |e| e.value);
            if matches!(f, Value::Obj(r) if matches!(vm.heap.get(r), Object::Function(_))) {
                let cm = vm.alloc(Object::ClassMethod(f));
                dict.set_value(i, cm);
            }
        }
    }
    if dict
        .find(vm.hash_value(doc_key)?, |k| k.is(doc_key))
        .is_none()
    {
        dict.insert_new(vm.hash_value(doc_key)?, doc_key, Value::None);
    }
    let cls = vm.heap.alloc(Object::Class(Box::new(Class {
        name,
        qualname,
        module,
        bases: bases.to_vec(),
        mro: Vec::new(),
        dict,
        layout,
        version: 0,
        meta,
    })));
    let mut mro = vec![cls];
    mro.extend(mro_tail);
    if let Object::Class(c) = vm.heap.get_mut(cls) {
        c.mro = mro;
    }
    if !cell.is_none() {
        vm.cell_set(cell, Value::Obj(cls));
    }
    vm.temp_roots.push(Value::Obj(cls));
    let r = set_names(vm, cls).and_then(|_| init_subclass(vm, cls, kw));
    vm.temp_roots.pop();
    r?;
    Ok(Value::Obj(cls))
}

/// Calls `__set_name__(cls, name)` on every namespace value that has it.
fn set_names(vm: &mut Vm, cls: ObjRef) -> PyResult<()> {
    let entries: Vec<(Value, Value)> = match vm.heap.get(cls) {
        Object::Class(c) => c.dict.iter().map(|e| (e.key, e.value)).collect(),
        _ => Vec::new(),
    };
    // A `__set_name__` may change the namespace: keep the values alive.
    let mark = vm.temp_roots.len();
    vm.temp_roots
        .extend(entries.iter().flat_map(|&(k, v)| [k, v]));
    let r = entries
        .iter()
        .try_for_each(|&(key, value)| set_name(vm, cls, key, value));
    vm.temp_roots.truncate(mark);
    r
}

/// `value.__set_name__(cls, key)` if the value's type defines it.
fn set_name(vm: &mut Vm, cls: ObjRef, key: Value, value: Value) -> PyResult<()> {
    let wants = matches!(value, Value::Obj(r) if matches!(vm.heap.get(r), Object::Instance(_) | Object::Property(_)));
    if !wants {
        return Ok(());
    }
    let Some(m) = vm.lookup_special(value, "__set_name__") else {
        return Ok(());
    };
    let Err(e) = vm.call(m, &[Value::Obj(cls), key], &[]) else {
        return Ok(());
    };
    let msg = format!(
        "Error calling __set_name__ on '{}' instance '{}' in '{}'",
        vm.type_name(value),
        vm.str_of(key),
        vm.class_name(cls)
    );
    let err = vm.new_error(ExcKind::RuntimeError, msg);
    if let Some(d) = vm.exc_data_mut(err.0) {
        d.cause = e.0;
        d.context = e.0;
        d.suppress_context = true;
    }
    Err(err)
}

/// The parent's `__init_subclass__` (found along the MRO after `cls`).
fn init_subclass(vm: &mut Vm, cls: ObjRef, kw: &[(Value, Value)]) -> PyResult<()> {
    let sup = vm.alloc(Object::Super(cls, Value::Obj(cls)));
    vm.temp_roots.push(sup);
    let name = Value::Obj(vm.intern("__init_subclass__"));
    let r = vm.get_attr(sup, name).and_then(|f| vm.call(f, &[], kw));
    vm.temp_roots.pop();
    r.map(|_| ())
}

/// Runs a class body function with `ns` as its namespace; returns the
/// `__class__` cell the body returned (or None).
pub fn run_class_body(vm: &mut Vm, body: Value, ns: Value) -> PyResult<Value> {
    let Value::Obj(fr) = body else {
        return Err(vm.type_error("__build_class__: func must be a function"));
    };
    let Object::Function(f) = vm.heap.get(fr) else {
        return Err(vm.type_error("__build_class__: func must be a function"));
    };
    let (code, globals) = (f.code.clone(), f.globals);
    let func_pos = vm.fiber.stack.len();
    vm.fiber.stack.push(body);
    let base = vm.fiber.stack.len();
    vm.fiber
        .stack
        .resize(base + code.code.nslots(), Value::Unbound);
    // Cells and free variables (the class body may close over outer names).
    for &slot in &code.code.cell_slots {
        let cell = vm.alloc(Object::Cell(Value::Unbound));
        vm.fiber.stack[base + slot as usize] = cell;
    }
    if code.code.nfree > 0 {
        let first = code.code.nslots() - code.code.nfree as usize;
        let closure = match vm.heap.get(fr) {
            Object::Function(f) => f.closure.to_vec(),
            _ => Vec::new(),
        };
        for (k, c) in closure.into_iter().enumerate() {
            vm.fiber.stack[base + first + k] = c;
        }
    }
    vm.fiber.frames.push(crate::vm::frame::Frame {
        code,
        ip: 0,
        base: base as u32,
        ret_sp: func_pos as u32,
        globals,
        locals: ns,
        mode: crate::vm::frame::FrameMode::Native,
        generator: None,
    });
    let stop = vm.fiber.frames.len() - 1;
    match vm.run_nested(stop)? {
        crate::vm::interp::Exit::Return(v) => Ok(v),
        _ => Ok(Value::None),
    }
}

// ---- simple built-in functions ------------------------------------------------

fn print(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let mut sep = " ".to_string();
    let mut end = "\n".to_string();
    let mut file = Value::None;
    let mut flush = false;
    for &(k, v) in kw {
        match vm.str_of(k) {
            "sep" => {
                if !v.is_none() {
                    sep = match vm.as_str(v) {
                        Some(s) => s.to_string(),
                        None => {
                            let msg =
                                format!("sep must be None or a string, not {}", vm.type_name(v));
                            return Err(vm.type_error(msg));
                        }
                    }
                }
            }
            "end" => {
                if !v.is_none() {
                    end = match vm.as_str(v) {
                        Some(s) => s.to_string(),
                        None => {
                            let msg =
                                format!("end must be None or a string, not {}", vm.type_name(v));
                            return Err(vm.type_error(msg));
                        }
                    }
                }
            }
            "file" => file = v,
            "flush" => flush = vm.truthy(v)?,
            other => {
                let msg = format!("'{other}' is an invalid keyword argument for print()");
                return Err(vm.type_error(msg));
            }
        }
    }
    if !file.is_none() {
        return print_to_file(vm, args, &sep, &end, file, flush);
    }
    let mut out = String::new();
    for (i, &a) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&vm.str_value(a)?);
    }
    out.push_str(&end);
    vm.write_stdout(&out);
    if flush {
        vm.flush_stdout();
    }
    Ok(Value::None)
}

/// `print(..., file=f)`: one `f.write` call per argument, separator and
/// end, as CPython makes them.
fn print_to_file(
    vm: &mut Vm,
    args: &[Value],
    sep: &str,
    end: &str,
    file: Value,
    flush: bool,
) -> PyResult<Value> {
    let w = vm.get_attr_str(file, "write")?;
    vm.temp_roots.push(w);
    let r = (|| {
        for (i, &a) in args.iter().enumerate() {
            if i > 0 {
                let s = vm.new_str(sep);
                vm.call(w, &[s], &[])?;
            }
            let s = vm.to_str_value(a)?;
            vm.call(w, &[s], &[])?;
        }
        let s = vm.new_str(end);
        vm.call(w, &[s], &[])?;
        if flush {
            let f = vm.get_attr_str(file, "flush")?;
            vm.call(f, &[], &[])?;
        }
        Ok(Value::None)
    })();
    vm.temp_roots.pop();
    r
}

fn len(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "len", args, kw, 1, 1)?;
    vm.len_of(args[0]).map(|n| Value::Int(n as i64))
}

impl Vm {
    /// `len(v)`.
    pub fn len_of(&mut self, v: Value) -> PyResult<usize> {
        if let (Value::Obj(r), false) = (v, self.user_overrides(v, "__len__")) {
            match self.heap.get(r) {
                Object::Str(_)
                | Object::List(_)
                | Object::Tuple(_)
                | Object::Dict(_)
                | Object::Set(..)
                | Object::DictView(..)
                | Object::Bytes(_)
                | Object::ByteArray(_) => return Ok(self.container_len(v)),
                Object::Range(rg) => return Ok(rg.len() as usize),
                Object::BigRange(_) => {
                    let b = super::big_range::bounds(self, v).unwrap_or_else(|| unreachable!());
                    return super::big_range::len_usize(self, &b);
                }
                Object::Native(n) => {
                    if let Some(len) = n.native_len() {
                        return Ok(len);
                    }
                }
                _ => {}
            }
        }
        if let Some(m) = self.lookup_special(v, "__len__") {
            let n = self.call(m, &[], &[])?;
            return match n {
                Value::Int(i) if i >= 0 => Ok(i as usize),
                Value::Int(_) => Err(self.value_error("__len__() should return >= 0")),
                Value::Bool(b) => Ok(b as usize),
                _ => {
                    let msg = format!(
                        "'{}' object cannot be interpreted as an integer",
                        self.type_name(n)
                    );
                    Err(self.type_error(msg))
                }
            };
        }
        let msg = format!("object of type '{}' has no len()", self.type_name(v));
        Err(self.type_error(msg))
    }
}

fn repr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "repr", args, kw, 1, 1)?;
    let s = vm.repr_value(args[0])?;
    Ok(vm.new_str(s))
}

/// `isinstance`/`issubclass` class-or-tuple check.
fn class_matches(vm: &mut Vm, cls: ObjRef, spec: Value, fname: &str) -> PyResult<bool> {
    let generic_error = |vm: &mut Vm| {
        vm.type_error(format!(
            "{fname}() argument 2 cannot be a parameterized generic"
        ))
    };
    if super::generic_alias::is_alias(vm, spec) {
        return Err(generic_error(vm));
    }
    if let Some(members) = super::union_type::union_members(vm, spec) {
        // Members are tried in order; a generic alias fails when reached.
        let first = members.iter().find_map(|&t| {
            if super::generic_alias::is_alias(vm, t) {
                Some(Err(()))
            } else if matches!(t, Value::Obj(r) if vm.is_subclass(cls, r)) {
                Some(Ok(()))
            } else {
                None
            }
        });
        return match first {
            Some(Err(())) => Err(generic_error(vm)),
            found => Ok(found.is_some()),
        };
    }
    if let Some(items) = vm.seq_items(spec) {
        if matches!(spec, Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_))) {
            let items = items.to_vec();
            for t in items {
                if class_matches(vm, cls, t, fname)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
    }
    match spec {
        Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_)) => Ok(vm.is_subclass(cls, r)),
        _ if fname == "issubclass" => {
            Err(vm.type_error("issubclass() arg 2 must be a class, a tuple of classes, or a union"))
        }
        _ => Err(vm.type_error(format!(
            "{fname}() arg 2 must be a type, a tuple of types, or a union"
        ))),
    }
}

/// `type(spec).__instancecheck__` / `__subclasscheck__` of a spec that is
/// not a class, tuple or union (a `typing` alias), if it has one.
fn custom_check(vm: &mut Vm, spec: Value, name: &str, arg: Value) -> PyResult<Option<bool>> {
    let is_class = matches!(spec, Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_) | Object::Tuple(_)));
    if is_class || !matches!(spec, Value::Obj(r) if matches!(vm.heap.get(r), Object::Instance(_))) {
        return Ok(None);
    }
    let Some(method) = vm.lookup_special(spec, name) else {
        return Ok(None);
    };
    let answer = vm.call(method, &[arg], &[])?;
    Ok(Some(vm.truthy(answer)?))
}

fn isinstance(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "isinstance", args, kw, 2, 2)?;
    instance_check(vm, args[0], args[1]).map(Value::Bool)
}

/// `isinstance(obj, spec)`: the exact class, then a metaclass's or a
/// typing alias's `__instancecheck__`, then the ordinary check.
fn instance_check(vm: &mut Vm, obj: Value, spec: Value) -> PyResult<bool> {
    let cls = vm.class_of(obj);
    if spec.is(Value::Obj(cls)) {
        return Ok(true);
    }
    if let Some(b) = custom_check(vm, spec, "__instancecheck__", obj)? {
        return Ok(b);
    }
    if let Some(b) = super::metaclass::meta_check(vm, spec, "__instancecheck__", obj)? {
        return Ok(b);
    }
    if let Some(items) = custom_meta_items(vm, spec) {
        for t in items {
            if instance_check(vm, obj, t)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    class_matches(vm, cls, spec, "isinstance")
}

/// The items of an exact tuple spec when one of them is a class with a
/// metaclass (whose checks must run one by one); None otherwise. The
/// items stay rooted by the tuple.
fn custom_meta_items(vm: &Vm, spec: Value) -> Option<Vec<Value>> {
    let Value::Obj(r) = spec else { return None };
    let Object::Tuple(items) = vm.heap.get(r) else {
        return None;
    };
    if vm.heap.has_ext(r) || !items.iter().any(|&t| vm.custom_meta(t).is_some()) {
        return None;
    }
    Some(items.to_vec())
}

fn issubclass(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "issubclass", args, kw, 2, 2)?;
    match args[0] {
        Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_)) => {
            subclass_check(vm, r, args[1]).map(Value::Bool)
        }
        _ => Err(vm.type_error("issubclass() arg 1 must be a class")),
    }
}

/// `issubclass(cls, spec)`: a metaclass's or a typing alias's
/// `__subclasscheck__`, then the ordinary check.
fn subclass_check(vm: &mut Vm, cls: ObjRef, spec: Value) -> PyResult<bool> {
    let c = Value::Obj(cls);
    if let Some(b) = custom_check(vm, spec, "__subclasscheck__", c)? {
        return Ok(b);
    }
    if let Some(b) = super::metaclass::meta_check(vm, spec, "__subclasscheck__", c)? {
        return Ok(b);
    }
    if let Some(items) = custom_meta_items(vm, spec) {
        for t in items {
            if subclass_check(vm, cls, t)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    class_matches(vm, cls, spec, "issubclass")
}

fn iter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "iter", args, kw, 1, 2)?;
    if args.len() == 2 {
        return Ok(vm.alloc(Object::Iter(Box::new(Iter::Callable {
            func: args[0],
            sentinel: args[1],
        }))));
    }
    vm.get_iter(args[0])
}

fn next(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "next", args, kw, 1, 2)?;
    let it = args[0];
    let is_iter = match it {
        Value::Obj(r) => {
            matches!(vm.heap.get(r), Object::Iter(_)) || vm.lookup_special(it, "__next__").is_some()
        }
        _ => false,
    };
    if !is_iter {
        let msg = format!("'{}' object is not an iterator", vm.type_name(it));
        return Err(vm.type_error(msg));
    }
    match vm.iter_next_with_value(it)? {
        crate::vm::gen::GenStep::Yield(v) => Ok(v),
        crate::vm::gen::GenStep::Return(v) => match args.get(1) {
            Some(&d) => Ok(d),
            None => Err(vm.stop_iteration(v)),
        },
    }
}

fn id(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "id", args, kw, 1, 1)?;
    Ok(Value::Int(match args[0] {
        Value::Obj(r) => 0x7f00_0000_0000 + r.index() as i64 * 16,
        v => 0x5500_0000_0000 + (vm.hash_value(v)? & 0xffff_ffff),
    }))
}

fn hash(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "hash", args, kw, 1, 1)?;
    vm.hash_value(args[0]).map(Value::Int)
}

fn callable(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "callable", args, kw, 1, 1)?;
    Ok(Value::Bool(vm.is_callable(args[0])))
}

impl Vm {
    /// `callable(v)`.
    pub fn is_callable(&mut self, v: Value) -> bool {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Function(_)
                | Object::Builtin(_)
                | Object::BoundMethod(_)
                | Object::Class(_) => true,
                _ => self.lookup_special(v, "__call__").is_some(),
            },
            _ => false,
        }
    }
}

/// An attribute-name argument as an interned string.
fn attr_name(vm: &mut Vm, v: Value) -> PyResult<Value> {
    match vm.as_str(v) {
        Some(s) => {
            let s = s.to_string();
            Ok(Value::Obj(vm.intern(&s)))
        }
        None => {
            let msg = format!("attribute name must be string, not '{}'", vm.type_name(v));
            Err(vm.type_error(msg))
        }
    }
}

fn getattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "getattr", args, kw, 2, 3)?;
    let name = attr_name(vm, args[1])?;
    match vm.get_attr(args[0], name) {
        Ok(v) => Ok(v),
        Err(e) if args.len() == 3 && vm.exc_matches(e.0, ExcKind::AttributeError) => Ok(args[2]),
        Err(e) => Err(e),
    }
}

fn setattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "setattr", args, kw, 3, 3)?;
    let name = attr_name(vm, args[1])?;
    vm.set_attr(args[0], name, args[2])?;
    Ok(Value::None)
}

fn hasattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "hasattr", args, kw, 2, 2)?;
    let name = attr_name(vm, args[1])?;
    match vm.get_attr(args[0], name) {
        Ok(_) => Ok(Value::Bool(true)),
        Err(e) if vm.exc_matches(e.0, ExcKind::AttributeError) => Ok(Value::Bool(false)),
        Err(e) => Err(e),
    }
}

fn delattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "delattr", args, kw, 2, 2)?;
    let name = attr_name(vm, args[1])?;
    vm.del_attr(args[0], name)?;
    Ok(Value::None)
}

/// A `range` object (used by the `range` type's constructor).
pub fn new_range(vm: &mut Vm, start: i64, stop: i64, step: i64) -> Value {
    vm.alloc(Object::Range(Box::new(Range { start, stop, step })))
}
