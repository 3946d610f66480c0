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
    })))
}

/// Adds a method (a built-in taking the receiver first) to a class.
pub fn add_method(vm: &mut Vm, cls: ObjRef, name: &'static str, func: NativeFn) {
    let f = native(vm, name, func);
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
                _ => format!(
                    "{name}() takes exactly {min} arguments ({} given)",
                    args.len()
                ),
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
    super::functions::install(vm);
    super::str_methods::install(vm);
    super::bytes_methods::install(vm);
    super::number_methods::install(vm);
    super::list_methods::install(vm);
    super::dict_methods::install(vm);
    super::set_methods::install(vm);
    super::gen_methods::install(vm);
    super::exception_groups::install(vm);
    super::dict_views::install(vm);
    super::tuple_methods::install(vm);
    super::range_methods::install(vm);
    super::iterator_methods::install(vm);
    def(vm, "sorted", super::sorting::sorted);
    def(vm, "min", super::sorting::min);
    def(vm, "max", super::sorting::max);
    def(vm, "sum", super::sorting::sum);
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
    add_method(vm, object, "__init_subclass__", object_init_subclass);
}

fn object_new(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&Value::Obj(cls)) = args.first() else {
        return Err(vm.type_error("object.__new__(): not enough arguments"));
    };
    let layout = match vm.heap.get(cls) {
        Object::Class(c) => c.layout,
        _ => return Err(vm.type_error("object.__new__(X): X is not a type object")),
    };
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

fn object_init(_vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::None)
}

fn object_setattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__setattr__", args, kw, 3, 3)?;
    vm.generic_setattr(args[0], args[1], args[2])?;
    Ok(Value::None)
}

fn object_delattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "__delattr__", args, kw, 2, 2)?;
    let (obj, name) = (args[0], args[1]);
    if let (Value::Obj(r), Value::Obj(n)) = (obj, name) {
        if let Object::Instance(inst) = vm.heap.get_mut(r) {
            if inst.attrs.remove(n).is_some() {
                return Ok(Value::None);
            }
        }
    }
    Err(vm.attribute_error(obj, name))
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

fn object_init_subclass(_vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::None)
}

// ---- __build_class__ ----------------------------------------------------------

/// `__build_class__(body, name, *bases, **keywords)`.
fn build_class(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.len() < 2 {
        return Err(vm.type_error("__build_class__: not enough arguments"));
    }
    let (body, name) = (args[0], args[1]);
    let mut bases: Vec<ObjRef> = Vec::new();
    for &b in &args[2..] {
        match b {
            Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_)) => bases.push(r),
            _ => {
                return Err(vm.type_error("bases must be types"));
            }
        }
    }
    for (k, _) in kw {
        let k = vm.str_of(*k).to_string();
        if k == "metaclass" {
            return Err(vm.new_error(
                ExcKind::NotImplementedError,
                "aspy does not support metaclasses",
            ));
        }
    }
    if bases.is_empty() {
        bases.push(vm.types.object);
    }
    let layout = vm.layout_for_bases(&bases)?;
    let Some(mro_tail) = vm.compute_mro(&bases) else {
        let names: Vec<String> = bases
            .iter()
            .map(|&b| vm.class_name(b).to_string())
            .collect();
        return Err(vm.type_error(format!(
            "Cannot create a consistent method resolution order (MRO) for bases {}",
            names.join(", ")
        )));
    };
    // Run the body with a fresh namespace.
    let ns = vm.new_dict();
    vm.temp_roots.push(ns);
    let cell = run_class_body(vm, body, ns);
    let cell = match cell {
        Ok(c) => c,
        Err(e) => {
            vm.temp_roots.pop();
            return Err(e);
        }
    };
    let mut dict = Dict::new();
    if let Object::Dict(d) = vm.heap.get(ns.as_obj().unwrap()) {
        for e in d.iter() {
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
    let qual_key = Value::Obj(vm.intern("__qualname__"));
    let module_key = Value::Obj(vm.intern("__module__"));
    let qualname = vm.dict_get(ns, qual_key)?.unwrap_or(name);
    let module = vm.dict_get(ns, module_key)?.unwrap_or(Value::None);
    vm.temp_roots.pop();
    let cls = vm.heap.alloc(Object::Class(Box::new(Class {
        name,
        qualname,
        module,
        bases: bases.clone(),
        mro: Vec::new(),
        dict,
        layout,
        version: 0,
    })));
    let mut mro = vec![cls];
    mro.extend(mro_tail);
    if let Object::Class(c) = vm.heap.get_mut(cls) {
        c.mro = mro;
    }
    if !cell.is_none() {
        vm.cell_set(cell, Value::Obj(cls));
    }
    // `__init_subclass__` of the parent.
    vm.temp_roots.push(Value::Obj(cls));
    let parent = bases[0];
    let r = match vm.class_lookup(parent, "__init_subclass__") {
        Some(f) if !matches!(f, Value::Obj(r) if matches!(vm.heap.get(r), Object::Builtin(_))) => {
            let f = match f {
                Value::Obj(r) => match vm.heap.get(r) {
                    Object::ClassMethod(inner) => *inner,
                    _ => f,
                },
                _ => f,
            };
            let kwargs: Vec<(Value, Value)> = kw.to_vec();
            vm.call(f, &[Value::Obj(cls)], &kwargs).map(|_| ())
        }
        _ => Ok(()),
    };
    vm.temp_roots.pop();
    r?;
    Ok(Value::Obj(cls))
}

/// Runs a class body function with `ns` as its namespace; returns the
/// `__class__` cell the body returned (or None).
fn run_class_body(vm: &mut Vm, body: Value, ns: Value) -> PyResult<Value> {
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
    let mut out = String::new();
    for (i, &a) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&vm.str_value(a)?);
    }
    out.push_str(&end);
    if file.is_none() {
        vm.write_stdout(&out);
        if flush {
            vm.flush_stdout();
        }
        Ok(Value::None)
    } else {
        let w = vm.get_attr_str(file, "write")?;
        let s = vm.new_str(out);
        vm.call(w, &[s], &[])?;
        if flush {
            if let Ok(f) = vm.get_attr_str(file, "flush") {
                vm.call(f, &[], &[])?;
            }
        }
        Ok(Value::None)
    }
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
        _ => Err(vm.type_error(format!(
            "{fname}() arg 2 must be a type, a tuple of types, or a union"
        ))),
    }
}

fn isinstance(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "isinstance", args, kw, 2, 2)?;
    let cls = vm.class_of(args[0]);
    class_matches(vm, cls, args[1], "isinstance").map(Value::Bool)
}

fn issubclass(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "issubclass", args, kw, 2, 2)?;
    match args[0] {
        Value::Obj(r) if matches!(vm.heap.get(r), Object::Class(_)) => {
            class_matches(vm, r, args[1], "issubclass").map(Value::Bool)
        }
        _ => Err(vm.type_error("issubclass() arg 1 must be a class")),
    }
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
fn attr_name(vm: &mut Vm, v: Value, fname: &str) -> PyResult<Value> {
    match vm.as_str(v) {
        Some(s) => {
            let s = s.to_string();
            Ok(Value::Obj(vm.intern(&s)))
        }
        None => {
            let msg = format!(
                "{fname}(): attribute name must be string, not '{}'",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

fn getattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "getattr", args, kw, 2, 3)?;
    let name = attr_name(vm, args[1], "getattr")?;
    match vm.get_attr(args[0], name) {
        Ok(v) => Ok(v),
        Err(e) if args.len() == 3 && vm.exc_matches(e.0, ExcKind::AttributeError) => Ok(args[2]),
        Err(e) => Err(e),
    }
}

fn setattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "setattr", args, kw, 3, 3)?;
    let name = attr_name(vm, args[1], "setattr")?;
    vm.set_attr(args[0], name, args[2])?;
    Ok(Value::None)
}

fn hasattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "hasattr", args, kw, 2, 2)?;
    let name = attr_name(vm, args[1], "hasattr")?;
    match vm.get_attr(args[0], name) {
        Ok(_) => Ok(Value::Bool(true)),
        Err(e) if vm.exc_matches(e.0, ExcKind::AttributeError) => Ok(Value::Bool(false)),
        Err(e) => Err(e),
    }
}

fn delattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "delattr", args, kw, 2, 2)?;
    let name = attr_name(vm, args[1], "delattr")?;
    vm.del_attr(args[0], name)?;
    Ok(Value::None)
}

/// A `range` object (used by the `range` type's constructor).
pub fn new_range(vm: &mut Vm, start: i64, stop: i64, step: i64) -> Value {
    vm.alloc(Object::Range(Box::new(Range { start, stop, step })))
}
