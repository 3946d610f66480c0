//! The descriptor protocol beyond plain method binding: properties, user
//! descriptors (`__get__`/`__set__`/`__delete__`), and attribute lookup
//! through `super` objects.
//!
//! A property is `Object::Property([fget, fset, fdel, doc, name])`; `name`
//! is set by `__set_name__` when the class is created (None otherwise) and
//! only used in error messages, as in CPython 3.11.

use super::exceptions::ExcKind;
use super::object::{BoundMethod, Builtin, Object};
use super::value::{ObjRef, Value};
use super::{PyErr, PyResult, Vm};

/// Which property accessor an operation needs.
#[derive(Clone, Copy)]
pub enum Accessor {
    Get = 0,
    Set = 1,
    Delete = 2,
}

impl Accessor {
    fn word(self) -> &'static str {
        match self {
            Accessor::Get => "getter",
            Accessor::Set => "setter",
            Accessor::Delete => "deleter",
        }
    }
}

impl Vm {
    /// The accessor function of a property, or CPython's AttributeError
    /// ("property 'x' of 'A' object has no setter") when it is missing.
    pub fn property_accessor(
        &mut self,
        prop: ObjRef,
        which: Accessor,
        obj: Value,
    ) -> PyResult<Value> {
        let (f, name) = match self.heap.get(prop) {
            Object::Property(p) => (p[which as usize], p[4]),
            _ => (Value::None, Value::None),
        };
        if !f.is_none() {
            return Ok(f);
        }
        let owner = self.type_name(obj);
        let msg = match self.as_str(name) {
            Some(n) => format!("property '{n}' of '{owner}' object has no {}", which.word()),
            None => format!("property of '{owner}' object has no {}", which.word()),
        };
        Err(self.new_error(ExcKind::AttributeError, msg))
    }

    /// Is `d` (a class attribute) a data descriptor: a property, or an
    /// object whose type defines `__set__` or `__delete__`?
    pub(crate) fn is_data_descriptor(&mut self, d: Value) -> bool {
        let Value::Obj(r) = d else { return false };
        match self.heap.get(r) {
            Object::Property(_) => true,
            Object::Instance(_) => {
                let cls = self.class_of(d);
                self.class_lookup(cls, "__set__").is_some()
                    || self.class_lookup(cls, "__delete__").is_some()
            }
            _ => false,
        }
    }

    /// Runs a user descriptor's `__set__` (or `__delete__` when `value` is
    /// None); Ok(false) if `d` is not such a descriptor.
    pub(crate) fn user_descriptor_store(
        &mut self,
        d: Value,
        obj: Value,
        value: Option<Value>,
    ) -> PyResult<bool> {
        let Value::Obj(r) = d else { return Ok(false) };
        if !matches!(self.heap.get(r), Object::Instance(_)) {
            return Ok(false);
        }
        let cls = self.class_of(d);
        let name = if value.is_some() {
            "__set__"
        } else {
            "__delete__"
        };
        let Some(m) = self.class_lookup(cls, name) else {
            if self.is_data_descriptor(d) {
                // CPython's wording for a half-implemented data descriptor.
                return Err(self.new_error(ExcKind::AttributeError, name));
            }
            return Ok(false);
        };
        match value {
            Some(v) => self.call(m, &[d, obj, v], &[])?,
            None => self.call(m, &[d, obj], &[])?,
        };
        Ok(true)
    }

    /// `d.__get__(obj, owner)` for any class attribute `d`; `obj` is None
    /// for a lookup on the class itself.
    pub fn bind_descriptor(
        &mut self,
        d: Value,
        obj: Option<Value>,
        owner: ObjRef,
    ) -> PyResult<Value> {
        let Value::Obj(r) = d else { return Ok(d) };
        match self.heap.get(r) {
            Object::Function(_) => Ok(match obj {
                Some(o) => self.alloc(Object::BoundMethod(BoundMethod {
                    func: r,
                    receiver: o,
                })),
                None => d,
            }),
            Object::Builtin(b) if b.receiver.is_unbound() => match obj {
                Some(o) => {
                    let (name, func, data, self_method) = (b.name, b.func, b.data, b.self_method);
                    Ok(self.alloc(Object::Builtin(Box::new(Builtin {
                        name,
                        func,
                        receiver: o,
                        data,
                        self_method,
                    }))))
                }
                None => Ok(d),
            },
            Object::ClassMethod(Value::Obj(f)) => {
                let f = *f;
                Ok(self.alloc(Object::BoundMethod(BoundMethod {
                    func: f,
                    receiver: Value::Obj(owner),
                })))
            }
            Object::StaticMethod(f) => Ok(*f),
            Object::Property(_) => match obj {
                Some(o) => {
                    let fget = self.property_accessor(r, Accessor::Get, o)?;
                    self.call(fget, &[o], &[])
                }
                None => Ok(d),
            },
            Object::Instance(_) => {
                let dcls = self.class_of(d);
                match self.class_lookup(dcls, "__get__") {
                    Some(get) => {
                        let o = obj.unwrap_or(Value::None);
                        self.call(get, &[d, o, Value::Obj(owner)], &[])
                    }
                    None => Ok(d),
                }
            }
            _ => Ok(d),
        }
    }

    /// `function.name = value`, with CPython's checks for the computed
    /// attributes (`__defaults__` must be a tuple or None, ...).
    pub(crate) fn set_function_attr(
        &mut self,
        f: ObjRef,
        name: Value,
        value: Value,
    ) -> PyResult<()> {
        let n = self.str_of(name).to_string();
        let is = |vm: &Vm, cls: ObjRef| value.is_none() || vm.is_instance(value, cls);
        let (tuple, dict, str_) = (self.types.tuple, self.types.dict, self.types.str_);
        let defaults = match n.as_str() {
            "__defaults__" if !is(self, tuple) => {
                return Err(self.type_error("__defaults__ must be set to a tuple object"));
            }
            "__defaults__" => Some(
                self.seq_items(value)
                    .map(<[Value]>::to_vec)
                    .unwrap_or_default(),
            ),
            "__kwdefaults__" | "__annotations__" if !is(self, dict) => {
                let msg = format!("{n} must be set to a dict object");
                return Err(self.type_error(msg));
            }
            "__name__" | "__qualname__" if !self.is_instance(value, str_) => {
                let msg = format!("{n} must be set to a string object");
                return Err(self.type_error(msg));
            }
            _ => None,
        };
        let Value::Obj(name_ref) = name else {
            return Ok(());
        };
        if n == "__dict__" {
            return self.set_own_dict(f, Some(value));
        }
        if let Object::Function(func) = self.heap.get_mut(f) {
            match n.as_str() {
                "__name__" => func.name = value,
                "__qualname__" => func.qualname = value,
                "__doc__" => func.doc = value,
                "__module__" => func.module = value,
                "__kwdefaults__" => func.kwdefaults = value,
                "__annotations__" => func.annotations = value,
                "__defaults__" => func.defaults = defaults.unwrap_or_default().into_boxed_slice(),
                _ => return self.set_own_attr(f, name_ref, value),
            }
        }
        Ok(())
    }

    /// `super_obj.name`: the MRO of the receiver's type after the super's
    /// class, then the super object's own attributes.
    pub(crate) fn super_get_attr(&mut self, sup: ObjRef, name: Value) -> PyResult<Option<Value>> {
        let Object::Super(start, obj) = self.heap.get(sup) else {
            return Ok(None);
        };
        let (start, obj) = (*start, *obj);
        let text = self.str_of(name).to_string();
        if !obj.is_unbound() && text != "__class__" {
            let owner = self.super_self_class(start, obj);
            let mro = match self.heap.get(owner) {
                Object::Class(c) => c.mro.clone(),
                _ => Vec::new(),
            };
            let after = mro
                .iter()
                .position(|&k| k == start)
                .map_or(mro.len(), |i| i + 1);
            let hash = self.hash_value(name)?;
            for &k in &mro[after..] {
                let found = match self.heap.get(k) {
                    Object::Class(kc) => kc
                        .dict
                        .find(hash, |key| key.is(name) || self.values_eq_str(key, name))
                        .and_then(|i| kc.dict.entry(i).map(|e| e.value)),
                    _ => None,
                };
                if let Some(d) = found {
                    let receiver = if obj.is(Value::Obj(owner)) {
                        None
                    } else {
                        Some(obj)
                    };
                    return self.bind_descriptor(d, receiver, owner).map(Some);
                }
            }
        }
        Ok(match text.as_str() {
            "__thisclass__" => Some(Value::Obj(start)),
            "__self__" if !obj.is_unbound() => Some(obj),
            "__self_class__" if !obj.is_unbound() => {
                Some(Value::Obj(self.super_self_class(start, obj)))
            }
            "__self__" | "__self_class__" => Some(Value::None),
            _ => None,
        })
    }

    /// The type whose MRO a super object searches: the receiver itself when
    /// it is a subclass of `start` (`super(C, cls)` in class methods), else
    /// its type (a class receiving a metaclass's method: `super(Meta, C)`).
    pub(crate) fn super_self_class(&self, start: ObjRef, obj: Value) -> ObjRef {
        match obj {
            Value::Obj(r)
                if matches!(self.heap.get(r), Object::Class(_)) && self.is_subclass(r, start) =>
            {
                r
            }
            _ => self.class_of(obj),
        }
    }

    /// `super()` without arguments: the `__class__` cell and the first
    /// argument of the calling function.
    pub fn implicit_super_args(&mut self) -> PyResult<(ObjRef, Value)> {
        let runtime =
            |vm: &mut Vm, msg: &str| -> PyErr { vm.new_error(ExcKind::RuntimeError, msg) };
        let Some(frame) = self.fiber.frames.last() else {
            return Err(runtime(self, "super(): no current frame"));
        };
        let code = frame.code.code.clone();
        let base = frame.base as usize;
        if code.argcount == 0 {
            return Err(runtime(self, "super(): no arguments"));
        }
        let mut first = self.fiber.stack[base];
        if code.cell_slots.contains(&0) {
            first = self.cell_get(first);
        }
        if first.is_unbound() {
            return Err(runtime(self, "super(): arg[0] deleted"));
        }
        let free_start = code.nslots() - code.nfree as usize;
        let slot = code.varnames[free_start..]
            .iter()
            .position(|n| &**n == "__class__");
        let Some(slot) = slot else {
            return Err(runtime(self, "super(): __class__ cell not found"));
        };
        let cell = self.fiber.stack[base + free_start + slot];
        match self.cell_get(cell) {
            Value::Obj(c) if matches!(self.heap.get(c), Object::Class(_)) => Ok((c, first)),
            Value::Unbound => Err(runtime(self, "super(): empty __class__ cell")),
            v => {
                let msg = format!("super(): __class__ is not a type ({})", self.type_name(v));
                Err(runtime(self, &msg))
            }
        }
    }
}
