//! Attribute and name lookup.
//!
//! Attribute lookup follows Python's rules: data descriptors (properties) on
//! the type win, then the instance's own attributes, then other class
//! attributes (functions become bound methods), then `__getattr__`.
//! Attribute names are interned strings, so comparisons are by identity.

use super::descr::Accessor;
use super::exceptions::ExcKind;
use super::object::{BoundMethod, Builtin, GlobalCache, Object, VmCode};
use super::value::{ObjRef, Value};
use super::{PyErr, PyResult, Vm};

impl Vm {
    /// Looks `name` up along the MRO of `cls` (class attributes only).
    pub fn class_lookup_ref(&self, cls: ObjRef, name: Value) -> Option<Value> {
        let Object::Class(c) = self.heap.get(cls) else {
            return None;
        };
        let (hash, text) = match name {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Str(s) => (s.hash(), s.as_str()),
                _ => return None,
            },
            _ => return None,
        };
        for &k in &c.mro {
            if let Object::Class(kc) = self.heap.get(k) {
                let found = kc.dict.find(hash, |key| {
                    key.is(name) || self.as_str(key).is_some_and(|s| s == text)
                });
                if let Some(i) = found {
                    return kc.dict.entry(i).map(|e| e.value);
                }
            }
        }
        None
    }

    /// Looks a name given as text up along the MRO of `cls`.
    pub fn class_lookup(&mut self, cls: ObjRef, name: &str) -> Option<Value> {
        let n = Value::Obj(self.intern(name));
        self.class_lookup_ref(cls, n)
    }

    /// A special method of `v`'s type, bound to `v` (None if absent).
    pub fn lookup_special(&mut self, v: Value, name: &str) -> Option<Value> {
        let cls = self.class_of(v);
        let f = self.class_lookup(cls, name)?;
        Some(self.bind(f, v, cls))
    }

    /// Binds a class attribute to an instance (functions become methods).
    pub(crate) fn bind(&mut self, attr: Value, obj: Value, cls: ObjRef) -> Value {
        let Value::Obj(r) = attr else { return attr };
        match self.heap.get(r) {
            Object::Function(_) => self.alloc(Object::BoundMethod(BoundMethod {
                func: r,
                receiver: obj,
            })),
            Object::Builtin(b) if b.receiver.is_unbound() => {
                let (name, func, data, self_method) = (b.name, b.func, b.data, b.self_method);
                self.alloc(Object::Builtin(Box::new(Builtin {
                    name,
                    func,
                    receiver: obj,
                    data,
                    self_method,
                })))
            }
            Object::ClassMethod(Value::Obj(f)) => {
                let f = *f;
                self.alloc(Object::BoundMethod(BoundMethod {
                    func: f,
                    receiver: Value::Obj(cls),
                }))
            }
            Object::StaticMethod(f) => *f,
            _ => attr,
        }
    }

    /// `obj.name` where `name` is an interned string.
    pub fn get_attr(&mut self, obj: Value, name: Value) -> PyResult<Value> {
        let r = match self.get_attr_opt(obj, name) {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => match self.lookup_special(obj, "__getattr__") {
                Some(ga) => self.call(ga, &[name], &[]),
                None => return Err(self.attribute_error(obj, name)),
            },
            Err(e) => Err(e),
        };
        r.map_err(|e| self.attribute_error_context(e, obj, name))
    }

    /// Like CPython's `PyObject_GetAttr`: an AttributeError raised while
    /// looking `name` up (by a property, `__getattr__`, ...) learns the
    /// name and object it was about, if it does not know them yet, so an
    /// uncaught one can suggest a close name.
    fn attribute_error_context(&mut self, err: PyErr, obj: Value, name: Value) -> PyErr {
        let e = err.0;
        if self.exc_matches(e, ExcKind::AttributeError)
            && self.exc_field(e, 0).is_unbound()
            && self.exc_field(e, 1).is_unbound()
        {
            self.set_exc_field(e, 0, name);
            self.set_exc_field(e, 1, obj);
        }
        err
    }

    /// `obj.name` with the name as text.
    pub fn get_attr_str(&mut self, obj: Value, name: &str) -> PyResult<Value> {
        let n = Value::Obj(self.intern(name));
        self.get_attr(obj, n)
    }

    /// Attribute lookup without `__getattr__` and without raising for a
    /// missing attribute.
    pub fn get_attr_opt(&mut self, obj: Value, name: Value) -> PyResult<Option<Value>> {
        let Value::Obj(name_ref) = name else {
            return Ok(None);
        };
        // Modules and classes have their own namespaces.
        if let Value::Obj(r) = obj {
            match self.heap.get(r) {
                Object::Module(m) => {
                    let d = m.dict;
                    if let Some(v) = self.dict_get(Value::Obj(d), name)? {
                        return Ok(Some(v));
                    }
                }
                Object::Class(_) => return self.class_get_attr(r, name),
                Object::Instance(inst) => {
                    let (cls, found) = (inst.class, self.attrs_get(&inst.attrs, name_ref));
                    return self.instance_get_attr(obj, cls, found, name);
                }
                _ if self.heap.has_ext(r) => {
                    let found = self.ext_attr(r, name_ref);
                    let cls = self.class_of(obj);
                    return self.instance_get_attr(obj, cls, found, name);
                }
                Object::Function(f) => {
                    if let Some(v) = self.attrs_get(&f.attrs, name_ref) {
                        return Ok(Some(v));
                    }
                }
                Object::Super(..) => {
                    if let Some(v) = self.super_get_attr(r, name)? {
                        return Ok(Some(v));
                    }
                }
                _ => {}
            }
        }
        let cls = self.class_of(obj);
        if let Some(d) = self.class_lookup_ref(cls, name) {
            return self.descriptor_get(d, obj, cls).map(Some);
        }
        self.special_attr(obj, name)
    }

    /// Lookup on an object with its own attributes (`found`, the value in
    /// its namespace if any): data descriptors on the class win, then the
    /// instance's own attribute, then other class attributes.
    fn instance_get_attr(
        &mut self,
        obj: Value,
        cls: ObjRef,
        found: Option<Value>,
        name: Value,
    ) -> PyResult<Option<Value>> {
        let descr = self.class_lookup_ref(cls, name);
        if let Some(d) = descr {
            if self.is_data_descriptor(d) {
                return self.descriptor_get(d, obj, cls).map(Some);
            }
        }
        if let Some(v) = found {
            return Ok(Some(v));
        }
        if let Some(d) = descr {
            return self.descriptor_get(d, obj, cls).map(Some);
        }
        self.special_attr(obj, name)
    }

    /// Applies the descriptor protocol to a class attribute found for `obj`.
    fn descriptor_get(&mut self, d: Value, obj: Value, cls: ObjRef) -> PyResult<Value> {
        if let Value::Obj(r) = d {
            match self.heap.get(r) {
                Object::Property(_) => {
                    let fget = self.property_accessor(r, Accessor::Get, obj)?;
                    return self.call(fget, &[obj], &[]);
                }
                Object::Instance(_) => {
                    // A user-defined descriptor with `__get__`.
                    let dcls = self.class_of(d);
                    if let Some(get) = self.class_lookup(dcls, "__get__") {
                        return self.call(get, &[d, obj, Value::Obj(cls)], &[]);
                    }
                }
                _ => {}
            }
        }
        Ok(self.bind(d, obj, cls))
    }

    /// Attribute lookup on a class object, as `type.__getattribute__`:
    /// a data descriptor of the metaclass (a property on it) first, then
    /// the class's MRO (binding classmethods to the class), then the
    /// metaclass's other attributes (its methods, bound to the class).
    fn class_get_attr(&mut self, cls: ObjRef, name: Value) -> PyResult<Option<Value>> {
        let meta = match self.heap.get(cls) {
            Object::Class(c) => c.meta,
            _ => None,
        };
        if let Some(m) = meta {
            if let Some(d) = self.class_lookup_ref(m, name) {
                if self.is_data_descriptor(d) {
                    return self.descriptor_get(d, Value::Obj(cls), m).map(Some);
                }
            }
        }
        if let Some(v) = self.class_lookup_ref(cls, name) {
            if let Value::Obj(r) = v {
                match self.heap.get(r) {
                    Object::ClassMethod(Value::Obj(f)) => {
                        let f = *f;
                        return Ok(Some(self.alloc(Object::BoundMethod(BoundMethod {
                            func: f,
                            receiver: Value::Obj(cls),
                        }))));
                    }
                    Object::StaticMethod(f) => return Ok(Some(*f)),
                    Object::Instance(_) => {
                        let dcls = self.class_of(v);
                        if let Some(get) = self.class_lookup(dcls, "__get__") {
                            return self
                                .call(get, &[v, Value::None, Value::Obj(cls)], &[])
                                .map(Some);
                        }
                    }
                    _ => {}
                }
            }
            return Ok(Some(v));
        }
        let type_cls = meta.unwrap_or(self.types.type_);
        if let Some(d) = self.class_lookup_ref(type_cls, name) {
            return self.descriptor_get(d, Value::Obj(cls), type_cls).map(Some);
        }
        self.special_attr(Value::Obj(cls), name)
    }

    /// Attributes computed by the VM (`__class__`, `__name__`, `__dict__`, ...).
    fn special_attr(&mut self, obj: Value, name: Value) -> PyResult<Option<Value>> {
        let n = self.str_of(name).to_string();
        crate::stdlib::special_attrs::get(self, obj, &n)
    }

    /// `obj.name = value`.
    pub fn set_attr(&mut self, obj: Value, name: Value, value: Value) -> PyResult<()> {
        if !matches!(name, Value::Obj(_)) {
            return Err(self.type_error("attribute name must be string"));
        }
        let Value::Obj(r) = obj else {
            return Err(self.attribute_error_set(obj, name));
        };
        let has_ext = self.heap.has_ext(r);
        match self.heap.get(r) {
            Object::Instance(_) => self.instance_set_attr(obj, name, value),
            _ if has_ext => self.instance_set_attr(obj, name, value),
            Object::Class(_) => self.class_set_attr(r, name, Some(value)),
            Object::Module(m) => {
                let d = m.dict;
                self.dict_set(Value::Obj(d), name, value)
            }
            Object::Function(_) => self.set_function_attr(r, name, value),
            _ => Err(self.attribute_error_set(obj, name)),
        }
    }

    /// `obj.name = value` for an instance (or a built-in subclass instance):
    /// a user `__setattr__`, else `object.__setattr__`.
    fn instance_set_attr(&mut self, obj: Value, name: Value, value: Value) -> PyResult<()> {
        let Value::Obj(name_ref) = name else {
            return Err(self.type_error("attribute name must be string"));
        };
        let cls = self.class_of(obj);
        if let Some(sa) = self.class_lookup(cls, "__setattr__") {
            if !sa.is(self.object_setattr) {
                self.call(sa, &[obj, name, value], &[])?;
                return Ok(());
            }
        }
        self.instance_store(obj, name_ref, Some(value))
    }

    /// Stores into the namespace of an instance or built-in subclass
    /// instance (an exception's computed attributes go to its state).
    fn store_instance_attr(&mut self, r: ObjRef, name: ObjRef, value: Value) -> PyResult<()> {
        if self.exc_data(Value::Obj(r)).is_some() {
            let n = self.str_of(Value::Obj(name)).to_string();
            if crate::stdlib::exceptions::set_attr(self, Value::Obj(r), &n, value)? {
                return Ok(());
            }
        }
        self.set_own_attr(r, name, value)
    }

    /// `object.__setattr__(obj, name, value)`: descriptors, then the
    /// instance's own attributes.
    pub fn generic_setattr(&mut self, obj: Value, name: Value, value: Value) -> PyResult<()> {
        match (obj, name) {
            (Value::Obj(r), Value::Obj(_)) => {
                let n = self.interned_name(name);
                if matches!(self.heap.get(r), Object::Instance(_)) || self.heap.has_ext(r) {
                    return self.instance_store(obj, n, Some(value));
                }
                if matches!(self.heap.get(r), Object::Class(_)) {
                    return self.class_store(r, Value::Obj(n), Some(value));
                }
                self.set_attr(obj, Value::Obj(n), value)
            }
            _ => Err(self.attribute_error_set(obj, name)),
        }
    }

    /// `object.__delattr__(obj, name)`.
    pub fn generic_delattr(&mut self, obj: Value, name: Value) -> PyResult<()> {
        match (obj, name) {
            (Value::Obj(r), Value::Obj(_)) => {
                let n = self.interned_name(name);
                if matches!(self.heap.get(r), Object::Instance(_)) || self.heap.has_ext(r) {
                    return self.instance_store(obj, n, None);
                }
                if matches!(self.heap.get(r), Object::Class(_)) {
                    return self.class_store(r, Value::Obj(n), None);
                }
                self.del_attr(obj, Value::Obj(n))
            }
            _ => Err(self.attribute_error(obj, name)),
        }
    }

    /// The interned string equal to a `str` value.
    fn interned_name(&mut self, name: Value) -> ObjRef {
        let text = self.str_of(name);
        match self.lookup_interned(text) {
            Some(i) => i,
            None => {
                let s = text.to_string();
                self.intern(&s)
            }
        }
    }

    /// Stores (or with None, deletes) an instance attribute the way
    /// `object.__setattr__`/`__delattr__` do: a data descriptor on the type
    /// (property, user `__set__`/`__delete__`) wins over the instance's own
    /// attributes; plain `object()` instances have none.
    fn instance_store(&mut self, obj: Value, name: ObjRef, value: Option<Value>) -> PyResult<()> {
        let name_v = Value::Obj(name);
        let Value::Obj(r) = obj else {
            return Err(self.attribute_error_set(obj, name_v));
        };
        let cls = self.class_of(obj);
        if let Some(d @ Value::Obj(dr)) = self.class_lookup_ref(cls, name_v) {
            if let Object::Property(_) = self.heap.get(dr) {
                return match value {
                    Some(v) => {
                        let fset = self.property_accessor(dr, Accessor::Set, obj)?;
                        self.call(fset, &[obj, v], &[]).map(|_| ())
                    }
                    None => {
                        let fdel = self.property_accessor(dr, Accessor::Delete, obj)?;
                        self.call(fdel, &[obj], &[]).map(|_| ())
                    }
                };
            }
            if self.user_descriptor_store(d, obj, value)? {
                return Ok(());
            }
        }
        if cls == self.types.object {
            return Err(match value {
                Some(_) => self.attribute_error_set(obj, name_v),
                None => self.attribute_error(obj, name_v),
            });
        }
        if self.as_str(name_v) == Some("__dict__") {
            return self.set_own_dict(r, value);
        }
        match value {
            Some(_) if !self.slots_allow(cls, name_v) => Err(self.attribute_error(obj, name_v)),
            Some(v) => self.store_instance_attr(r, name, v),
            None => match self.remove_own_attr(r, name)? {
                Some(_) => Ok(()),
                None => Err(self.attribute_error(obj, name_v)),
            },
        }
    }

    pub(crate) fn namespace_set_class(
        &mut self,
        cls: ObjRef,
        name: Value,
        value: Value,
    ) -> PyResult<()> {
        let hash = self.hash_value(name)?;
        if let Object::Class(c) = self.heap.get(cls) {
            let idx = c
                .dict
                .find(hash, |k| k.is(name) || self.values_eq_str(k, name));
            if let Object::Class(c) = self.heap.get_mut(cls) {
                match idx {
                    Some(i) => c.dict.set_value(i, value),
                    None => c.dict.insert_new(hash, name, value),
                }
                c.version += 1;
            }
        }
        self.class_epoch += 1;
        Ok(())
    }

    /// `del obj.name`.
    pub fn del_attr(&mut self, obj: Value, name: Value) -> PyResult<()> {
        let Value::Obj(name_ref) = name else {
            return Err(self.attribute_error(obj, name));
        };
        if let Value::Obj(r) = obj {
            match self.heap.get(r) {
                Object::Instance(_) => return self.instance_del_attr(obj, name),
                _ if self.heap.has_ext(r) => return self.instance_del_attr(obj, name),
                Object::Class(_) => return self.class_set_attr(r, name, None),
                Object::Module(m) => {
                    let d = m.dict;
                    return self.delete_name_in(Value::Obj(d), name);
                }
                Object::Function(_) => {
                    return match self.remove_own_attr(r, name_ref)? {
                        Some(_) => Ok(()),
                        None => Err(self.attribute_error(obj, name)),
                    };
                }
                _ => {}
            }
        }
        Err(self.attribute_error(obj, name))
    }

    /// `del obj.name` for an instance (or a built-in subclass instance): a
    /// user `__delattr__`, else `object.__delattr__`.
    fn instance_del_attr(&mut self, obj: Value, name: Value) -> PyResult<()> {
        let Value::Obj(name_ref) = name else {
            return Err(self.attribute_error(obj, name));
        };
        let cls = self.class_of(obj);
        if let Some(da) = self.class_lookup(cls, "__delattr__") {
            if !da.is(self.object_delattr) {
                self.call(da, &[obj, name], &[])?;
                return Ok(());
            }
        }
        self.instance_store(obj, name_ref, None)
    }

    /// `LoadMethod`: (function, receiver) for a method found on the type,
    /// else (attribute, NULL).
    pub(crate) fn load_method(&mut self, obj: Value, name: Value) -> PyResult<(Value, Value)> {
        let cls = self.class_of(obj);
        let plain_instance = match obj {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Instance(inst) => {
                    if let Value::Obj(n) = name {
                        self.attrs_get(&inst.attrs, n).is_none()
                    } else {
                        true
                    }
                }
                Object::Module(_) | Object::Class(_) | Object::Function(_) | Object::Super(..) => {
                    false
                }
                _ if self.heap.has_ext(r) => {
                    matches!(name, Value::Obj(n) if self.ext_attr(r, n).is_none())
                }
                _ => true,
            },
            _ => true,
        };
        if plain_instance {
            if let Some(f) = self.class_lookup_ref(cls, name) {
                if let Value::Obj(fr) = f {
                    match self.heap.get(fr) {
                        Object::Function(_) => return Ok((f, obj)),
                        Object::Builtin(b) if b.receiver.is_unbound() => return Ok((f, obj)),
                        _ => {}
                    }
                }
            }
        }
        let v = self.get_attr(obj, name)?;
        Ok((v, Value::Unbound))
    }

    /// `AttributeError: 'X' object has no attribute 'y'` (with CPython's
    /// wording for modules and classes).
    pub fn attribute_error(&mut self, obj: Value, name: Value) -> PyErr {
        let n = self.str_of(name).to_string();
        let msg = match obj {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Module(m) => {
                    format!("module '{}' has no attribute '{n}'", self.str_of(m.name))
                }
                Object::Class(c) => {
                    format!(
                        "type object '{}' has no attribute '{n}'",
                        self.str_of(c.name)
                    )
                }
                _ => format!("'{}' object has no attribute '{n}'", self.type_name(obj)),
            },
            _ => format!("'{}' object has no attribute '{n}'", self.type_name(obj)),
        };
        let e = self.new_error(ExcKind::AttributeError, msg);
        self.set_exc_attr(e.0, "name", name);
        self.set_exc_attr(e.0, "obj", obj);
        e
    }

    fn attribute_error_set(&mut self, obj: Value, name: Value) -> PyErr {
        let n = self.str_of(name).to_string();
        let msg = format!("'{}' object has no attribute '{n}'", self.type_name(obj));
        self.new_error(ExcKind::AttributeError, msg)
    }

    /// Sets an attribute of an exception instance from Rust: one of its
    /// family's fields (e.g. `name`) or else a plain instance attribute.
    pub fn set_exc_attr(&mut self, exc: Value, name: &str, v: Value) {
        if let Some(i) = self.exc_field_index(exc, name) {
            self.set_exc_field(exc, i, v);
            return;
        }
        let n = self.intern(name);
        if let Value::Obj(r) = exc {
            // Only a program's own `__dict__` entries can make this fail.
            let _ = self.set_own_attr(r, n, v);
        }
    }

    // ---- names -------------------------------------------------------------

    /// A global name: the module namespace, then builtins.
    #[inline]
    pub(crate) fn load_global(&mut self, globals: ObjRef, name: Value) -> PyResult<Value> {
        if let Some(v) = self.dict_get_str(globals, name) {
            return Ok(v);
        }
        if let Some(v) = self.dict_get_str(self.builtins, name) {
            return Ok(v);
        }
        Err(self.name_error(name))
    }

    /// `LoadGlobal` of `code.names[i]` when the cache entry did not match:
    /// looks the name up and refills the entry.
    #[inline(never)]
    pub(crate) fn load_global_cached(
        &mut self,
        code: &VmCode,
        i: u32,
        globals: ObjRef,
    ) -> PyResult<Value> {
        let name = code.names[i as usize];
        let (value, builtins_version) = match self.dict_get_str(globals, name) {
            Some(v) => (v, 0),
            None => match self.dict_get_str(self.builtins, name) {
                Some(v) => (v, self.dict_version(self.builtins)),
                None => return Err(self.name_error(name)),
            },
        };
        let globals_version = self.dict_version(globals);
        if globals_version != u64::MAX {
            code.global_cache[i as usize].set(GlobalCache {
                globals_version,
                builtins_version,
                value,
            });
        }
        Ok(value)
    }

    /// The version of a dict object (`u64::MAX`, never a version, for
    /// anything else).
    #[inline(always)]
    pub(crate) fn dict_version(&self, d: ObjRef) -> u64 {
        match self.heap.get(d) {
            Object::Dict(t) => t.version(),
            _ => u64::MAX,
        }
    }

    /// `LoadName`: the frame's namespace, then globals, then builtins.
    pub(crate) fn load_name(&mut self, fi: usize, name: Value) -> PyResult<Value> {
        let frame = &self.fiber.frames[fi];
        let (ns, globals) = (frame.locals, frame.globals);
        if let Some(v) = self.namespace_get(ns, name)? {
            return Ok(v);
        }
        self.load_global(globals, name)
    }

    pub fn name_error(&mut self, name: Value) -> PyErr {
        let n = self.str_of(name).to_string();
        let e = self.new_error(ExcKind::NameError, format!("name '{n}' is not defined"));
        self.set_exc_attr(e.0, "name", name);
        e
    }

    /// Reads from a namespace: a dict, or any mapping with `__getitem__`.
    pub(crate) fn namespace_get(&mut self, ns: Value, name: Value) -> PyResult<Option<Value>> {
        if let Value::Obj(r) = ns {
            // An exact dict; a dict subclass (a metaclass's `__prepare__`
            // may return one) goes through its `__getitem__`.
            if matches!(self.heap.get(r), Object::Dict(_)) && !self.heap.has_ext(r) {
                return Ok(self.dict_get_str(r, name));
            }
            if ns.is_none() {
                return Ok(None);
            }
            match self.get_item(ns, name) {
                Ok(v) => return Ok(Some(v)),
                Err(e) if self.exc_matches(e.0, ExcKind::KeyError) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    pub(crate) fn namespace_set(&mut self, ns: Value, name: Value, v: Value) -> PyResult<()> {
        if let Value::Obj(r) = ns {
            if matches!(self.heap.get(r), Object::Dict(_)) && !self.heap.has_ext(r) {
                return self.dict_set_str(r, name, v);
            }
        }
        self.set_item(ns, name, v)
    }

    /// `del name` in a namespace (NameError if absent).
    pub(crate) fn delete_name_in(&mut self, ns: Value, name: Value) -> PyResult<()> {
        if self.dict_remove(ns, name)?.is_none() {
            return Err(self.name_error(name));
        }
        Ok(())
    }

    /// A builtin by name (for `LoadBuildClass` and library code).
    pub fn builtin_value(&mut self, name: &str) -> PyResult<Value> {
        let n = Value::Obj(self.intern(name));
        match self.dict_get_str(self.builtins, n) {
            Some(v) => Ok(v),
            None => Err(self.name_error(n)),
        }
    }

    /// Binds `name` in the builtins namespace.
    pub fn set_builtin(&mut self, name: &str, v: Value) {
        let n = Value::Obj(self.intern(name));
        let b = self.builtins;
        let _ = self.dict_set_str(b, n, v);
    }

    // ---- cells -------------------------------------------------------------

    #[inline]
    pub(crate) fn cell_get(&self, cell: Value) -> Value {
        match cell {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Cell(v) => *v,
                _ => Value::Unbound,
            },
            _ => Value::Unbound,
        }
    }

    #[inline]
    pub(crate) fn cell_set(&mut self, cell: Value, v: Value) {
        if let Value::Obj(r) = cell {
            if let Object::Cell(c) = self.heap.get_mut(r) {
                *c = v;
            }
        }
    }

    #[cold]
    pub(crate) fn unbound_local(&mut self, code: &crate::bytecode::Code, slot: u32) -> PyErr {
        let name = &code.varnames[slot as usize];
        self.new_error(
            ExcKind::UnboundLocalError,
            format!(
                "cannot access local variable '{name}' where it is not associated with a value"
            ),
        )
    }

    #[cold]
    pub(crate) fn unbound_deref(&mut self, code: &crate::bytecode::Code, slot: u32) -> PyErr {
        let name = &code.varnames[slot as usize];
        let free_start = code.nslots() - code.nfree as usize;
        if (slot as usize) >= free_start {
            self.new_error(
                ExcKind::NameError,
                format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope"),
            )
        } else {
            self.new_error(
                ExcKind::UnboundLocalError,
                format!(
                    "cannot access local variable '{name}' where it is not associated with a value"
                ),
            )
        }
    }
}
