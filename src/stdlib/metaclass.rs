//! `type`'s own methods (`__new__`, `__call__`, `__init__`, `__prepare__`,
//! `__instancecheck__`, `__subclasscheck__`) and the metaclass side of a
//! class statement.
//!
//! A class statement whose metaclass is `type` (the default, and what the
//! bases give unless one of them has another metaclass) stays on the
//! direct path in `builtins::build_class`. Otherwise [`build_with_meta`]
//! follows CPython's `__build_class__`: the most derived metaclass is
//! chosen, its `__prepare__` makes the namespace the body runs in, and the
//! class is `meta(name, bases, ns, **kw)`, which reaches `type.__new__`
//! (here [`type_new`]) through the metaclass's own `__new__`.

use super::builtins::{add_method, check_args, native, set_class_attr};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm) {
    let t = vm.types.type_;
    super::types_core::set_new(vm, t, type_new);
    add_method(vm, t, "__call__", type_call);
    vm.type_call = vm.class_lookup(t, "__call__").unwrap_or(Value::None);
    add_method(vm, t, "__init__", type_init);
    vm.type_init = vm.class_lookup(t, "__init__").unwrap_or(Value::None);
    let f = native(vm, "__prepare__", type_prepare);
    let f = vm.alloc(Object::ClassMethod(f));
    set_class_attr(vm, t, "__prepare__", f);
    add_method(vm, t, "__instancecheck__", type_instancecheck);
    add_method(vm, t, "__subclasscheck__", type_subclasscheck);
}

fn is_class(vm: &Vm, v: Value) -> bool {
    matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_)))
}

/// `type.__new__(metatype, ...)`: `type(x)` is x's class; with a name,
/// bases and namespace it makes a class whose metaclass is `metatype` (or
/// the more derived metaclass of a base).
fn type_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&mt) = args.first() else {
        return Err(vm.type_error("type.__new__(): not enough arguments"));
    };
    let mt_ref = match mt {
        Value::Obj(r) if is_class(vm, mt) => r,
        _ => {
            let msg = format!(
                "type.__new__(X): X is not a type object ({})",
                vm.type_name(mt)
            );
            return Err(vm.type_error(msg));
        }
    };
    let type_ = vm.types.type_;
    if !vm.is_subclass(mt_ref, type_) {
        let name = vm.class_name(mt_ref).to_string();
        return Err(vm.type_error(format!(
            "type.__new__({name}): {name} is not a subtype of type"
        )));
    }
    let rest = &args[1..];
    if mt_ref == type_ && rest.len() == 1 && kw.is_empty() {
        return Ok(Value::Obj(vm.class_of(rest[0])));
    }
    if rest.len() != 3 {
        if mt_ref == type_ {
            return Err(vm.type_error("type() takes 1 or 3 arguments"));
        }
        let msg = format!(
            "type.__new__() takes exactly 3 arguments ({} given)",
            rest.len()
        );
        return Err(vm.type_error(msg));
    }
    new_class(vm, mt_ref, rest, kw)
}

/// `type.__new__(meta, name, bases, ns, **kw)`: a new class from a
/// namespace dict, made by the most derived metaclass of `meta` and the
/// bases' metaclasses.
fn new_class(vm: &mut Vm, meta: ObjRef, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [name, bases, ns] = [args[0], args[1], args[2]];
    let checks = [
        (name, vm.types.str_, 1, "str"),
        (bases, vm.types.tuple, 2, "tuple"),
        (ns, vm.types.dict, 3, "dict"),
    ];
    for (v, cls, pos, want) in checks {
        if !vm.is_instance(v, cls) {
            let msg = format!(
                "type.__new__() argument {pos} must be {want}, not {}",
                vm.type_name(v)
            );
            return Err(vm.type_error(msg));
        }
    }
    let base_values = vm
        .seq_items(bases)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    if !base_values.iter().all(|&b| is_class(vm, b)) {
        return Err(vm.type_error(
            "metaclass conflict: the metaclass of a derived class must be a (non-strict) \
             subclass of the metaclasses of all its bases",
        ));
    }
    let winner = calculate_meta(vm, meta, &base_values)?;
    let cls = if winner != meta && winner_new(vm, winner).is_some() {
        // A base's metaclass is more derived and has its own `__new__`.
        let new = winner_new(vm, winner).unwrap_or(Value::None);
        vm.call(new, &[Value::Obj(winner), name, bases, ns], kw)?
    } else {
        let bases = super::builtins::check_bases(vm, &base_values)?;
        let copy = vm.new_dict();
        vm.temp_roots.push(copy);
        let r = fill_namespace(vm, copy, ns).and_then(|_| {
            let key = Value::Obj(vm.intern("__classcell__"));
            let cell = vm.dict_remove(copy, key)?.unwrap_or(Value::None);
            let m = (winner != vm.types.type_).then_some(winner);
            super::builtins::create_class(vm, name, &bases, copy, cell, kw, m)
        });
        vm.temp_roots.pop();
        r?
    };
    if winner != meta && meta == vm.types.type_ {
        // `type(name, bases, ns)` runs as `type.__new__` alone (see
        // `InitCache::native_new`); CPython's `type.__call__` would then
        // run the chosen metaclass's `__init__`.
        let m = vm.class_of(cls);
        if let Some(f) = vm.meta_override(m, "__init__", vm.type_init) {
            vm.temp_roots.push(cls);
            let r = vm.call(f, &[cls, name, bases, ns], kw);
            vm.temp_roots.pop();
            r?;
        }
    }
    Ok(cls)
}

/// The metaclass's own `__new__` (as a plain function), unless it is
/// `type.__new__`.
fn winner_new(vm: &mut Vm, meta: ObjRef) -> Option<Value> {
    let type_new = vm.class_lookup(vm.types.type_, "__new__");
    let new = vm.class_lookup(meta, "__new__")?;
    if type_new.is_some_and(|t| t.is(new)) {
        return None;
    }
    Some(match new {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::StaticMethod(f) => *f,
            _ => new,
        },
        _ => new,
    })
}

/// Copies the class namespace and adds `__module__` from the caller's
/// globals when it is missing.
fn fill_namespace(vm: &mut Vm, copy: Value, ns: Value) -> PyResult<()> {
    vm.dict_update(copy, ns, false)?;
    let module_key = Value::Obj(vm.intern("__module__"));
    if vm.dict_get(copy, module_key)?.is_none() {
        if let Some(globals) = vm.fiber.frames.last().map(|f| f.globals) {
            let name_key = Value::Obj(vm.intern("__name__"));
            if let Some(m) = vm.dict_get(Value::Obj(globals), name_key)? {
                vm.dict_set(copy, module_key, m)?;
            }
        }
    }
    Ok(())
}

/// The most derived of `meta` and the metaclasses of `bases`, or
/// CPython's "metaclass conflict" TypeError.
pub fn calculate_meta(vm: &mut Vm, meta: ObjRef, bases: &[Value]) -> PyResult<ObjRef> {
    let mut winner = meta;
    for &b in bases {
        let t = vm.class_of(b);
        if vm.is_subclass(winner, t) {
            continue;
        }
        if vm.is_subclass(t, winner) {
            winner = t;
            continue;
        }
        return Err(vm.type_error(
            "metaclass conflict: the metaclass of a derived class must be a (non-strict) \
             subclass of the metaclasses of all its bases",
        ));
    }
    Ok(winner)
}

/// `type.__call__(cls, *args, **kw)`: an instance of `cls` made the
/// ordinary way (what `super().__call__(...)` in a metaclass reaches).
fn type_call(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&c) = args.first() else {
        return Err(vm.type_error("descriptor '__call__' of 'type' object needs an argument"));
    };
    match c {
        Value::Obj(cls) if is_class(vm, c) => vm.instantiate(cls, &args[1..], kw),
        _ => {
            let msg = format!(
                "descriptor '__call__' requires a 'type' object but received a '{}'",
                vm.type_name(c)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// `type.__init__(cls, name, bases, ns, **kw)`: the class is complete
/// already; only the argument count is checked, as in CPython.
fn type_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let n = args.len().saturating_sub(1);
    if n == 1 && !kw.is_empty() {
        return Err(vm.type_error("type.__init__() takes no keyword arguments"));
    }
    if n != 1 && n != 3 {
        return Err(vm.type_error("type.__init__() takes 1 or 3 arguments"));
    }
    Ok(Value::None)
}

/// `type.__prepare__(name, bases, **kw)`: a fresh dict.
fn type_prepare(vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(vm.new_dict())
}

/// `type.__instancecheck__(cls, obj)`: the ordinary check, without hooks.
fn type_instancecheck(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__instancecheck__", args, kw, 2, 2)?;
    let ok = match args[0] {
        Value::Obj(cls) => vm.is_instance(args[1], cls),
        _ => false,
    };
    Ok(Value::Bool(ok))
}

/// `type.__subclasscheck__(cls, sub)`: the ordinary check, without hooks.
fn type_subclasscheck(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__subclasscheck__", args, kw, 2, 2)?;
    let (Value::Obj(cls), Value::Obj(sub)) = (args[0], args[1]) else {
        return Err(vm.type_error("issubclass() arg 1 must be a class"));
    };
    if !is_class(vm, args[1]) {
        return Err(vm.type_error("issubclass() arg 1 must be a class"));
    }
    Ok(Value::Bool(vm.is_subclass(sub, cls)))
}

/// The answer of `type(spec).__instancecheck__` (or `__subclasscheck__`)
/// when `spec` is a class whose metaclass overrides it; None otherwise.
pub fn meta_check(vm: &mut Vm, spec: Value, name: &str, arg: Value) -> PyResult<Option<bool>> {
    let Some(meta) = vm.custom_meta(spec) else {
        return Ok(None);
    };
    let type_ = vm.types.type_;
    let default = vm.class_lookup(type_, name).unwrap_or(Value::None);
    let Some(f) = vm.meta_override(meta, name, default) else {
        return Ok(None);
    };
    let f = vm.bind(f, spec, meta);
    vm.temp_roots.push(f);
    let r = vm.call(f, &[arg], &[]);
    vm.temp_roots.pop();
    let answer = r?;
    Ok(Some(vm.truthy(answer)?))
}

/// The metaclass a class statement uses: the `metaclass=` keyword, else
/// the first base's class, made the most derived one of the bases'
/// metaclasses when it is a class.
pub fn statement_meta(vm: &mut Vm, given: Option<Value>, bases: &[Value]) -> PyResult<Value> {
    let meta = match given {
        Some(m) => m,
        None => match bases.first() {
            Some(&b) if is_class(vm, b) => Value::Obj(vm.class_of(b)),
            _ => Value::Obj(vm.types.type_),
        },
    };
    match meta {
        Value::Obj(m) if is_class(vm, meta) && bases.iter().all(|&b| is_class(vm, b)) => {
            calculate_meta(vm, m, bases).map(Value::Obj)
        }
        _ => Ok(meta),
    }
}

/// A class statement with a metaclass other than `type`: `__prepare__`,
/// the body in the namespace it returned, then `meta(name, bases, ns,
/// **kw)`. `orig` are the bases as written, `bases` after
/// `__mro_entries__`; both are rooted by the caller.
pub fn build_with_meta(
    vm: &mut Vm,
    body: Value,
    name: Value,
    orig: &[Value],
    bases: &[Value],
    meta: Value,
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    let bases_t = vm.new_tuple(bases.to_vec());
    vm.temp_roots.push(bases_t);
    let mark = vm.temp_roots.len();
    let r = (|| {
        let prepare_key = Value::Obj(vm.intern("__prepare__"));
        let ns = match vm.get_attr_opt(meta, prepare_key)? {
            Some(p) => vm.call(p, &[name, bases_t], kw)?,
            None => vm.new_dict(),
        };
        vm.temp_roots.push(ns);
        check_mapping(vm, meta, ns)?;
        let cell = super::builtins::run_class_body(vm, body, ns)?;
        vm.temp_roots.push(cell);
        if orig.len() != bases.len() || orig.iter().zip(bases).any(|(a, b)| !a.is(*b)) {
            let t = vm.new_tuple(orig.to_vec());
            let key = Value::Obj(vm.intern("__orig_bases__"));
            vm.namespace_set(ns, key, t)?;
        }
        if !cell.is_none() {
            let key = Value::Obj(vm.intern("__classcell__"));
            vm.namespace_set(ns, key, cell)?;
        }
        let cls = vm.call(meta, &[name, bases_t, ns], kw)?;
        check_class_cell(vm, cell, cls, name)?;
        Ok(cls)
    })();
    vm.temp_roots.truncate(mark - 1);
    r
}

/// TypeError unless `__prepare__` returned a mapping.
fn check_mapping(vm: &mut Vm, meta: Value, ns: Value) -> PyResult<()> {
    let is_dict = matches!(ns, Value::Obj(r) if matches!(vm.heap.get(r), Object::Dict(_)));
    if is_dict || vm.lookup_special(ns, "__getitem__").is_some() {
        return Ok(());
    }
    let who = match meta {
        Value::Obj(m) if is_class(vm, meta) => vm.class_name(m).to_string(),
        _ => "<metaclass>".to_string(),
    };
    let msg = format!(
        "{who}.__prepare__() must return a mapping, not {}",
        vm.type_name(ns)
    );
    Err(vm.type_error(msg))
}

/// After `meta(...)`: the body's `__class__` cell must hold the new class,
/// i.e. the metaclass passed `__classcell__` on to `type.__new__`.
fn check_class_cell(vm: &mut Vm, cell: Value, cls: Value, name: Value) -> PyResult<()> {
    if cell.is_none() || !is_class(vm, cls) {
        return Ok(());
    }
    let held = vm.cell_get(cell);
    if held.is(cls) {
        return Ok(());
    }
    let name = vm.str_of(name).to_string();
    let cls_repr = vm.repr_value(cls)?;
    if held.is_unbound() {
        let msg = format!(
            "__class__ not set defining '{name}' as {cls_repr}. Was __classcell__ propagated to type.__new__?"
        );
        return Err(vm.new_error(ExcKind::RuntimeError, msg));
    }
    let held_repr = vm.repr_value(held)?;
    Err(vm.type_error(format!(
        "__class__ set to {held_repr} defining '{name}' as {cls_repr}"
    )))
}
