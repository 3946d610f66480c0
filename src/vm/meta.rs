//! Classes whose metaclass is not `type` (`class C(metaclass=Meta)`).
//!
//! A class keeps its metaclass in `Class::meta`; None means `type`, and
//! every path here starts from that field, so plain classes never reach
//! this code. For a class with a metaclass, the operations CPython looks
//! up on `type(C)` are looked up on the metaclass: storing and deleting
//! attributes (`Meta.__setattr__`, properties of the metaclass), `repr`
//! and `str`, truth, and the special methods the operators find through
//! `Vm::lookup_special` (which already uses `class_of(C)`, the metaclass).

use super::descr::Accessor;
use super::object::Object;
use super::value::{ObjRef, Value};
use super::{PyResult, Vm};

impl Vm {
    /// The metaclass of `v` when `v` is a class whose metaclass is not
    /// `type`.
    #[inline]
    pub fn custom_meta(&self, v: Value) -> Option<ObjRef> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Class(c) => c.meta,
                _ => None,
            },
            _ => None,
        }
    }

    /// `meta.name` along the metaclass's MRO unless it is `default` (the
    /// method `type` or `object` supplies).
    pub(crate) fn meta_override(
        &mut self,
        meta: ObjRef,
        name: &str,
        default: Value,
    ) -> Option<Value> {
        self.class_lookup(meta, name).filter(|m| !m.is(default))
    }

    /// `C.name = value` (None: `del C.name`) on a class: the metaclass's
    /// own `__setattr__`/`__delattr__` if it defines one, else
    /// [`Vm::class_store`].
    pub(crate) fn class_set_attr(
        &mut self,
        cls: ObjRef,
        name: Value,
        value: Option<Value>,
    ) -> PyResult<()> {
        if let Some(m) = self.custom_meta(Value::Obj(cls)) {
            let hook = match value {
                Some(_) => self.meta_override(m, "__setattr__", self.object_setattr),
                None => self.meta_override(m, "__delattr__", self.object_delattr),
            };
            if let Some(f) = hook {
                let obj = Value::Obj(cls);
                match value {
                    Some(v) => self.call(f, &[obj, name, v], &[])?,
                    None => self.call(f, &[obj, name], &[])?,
                };
                return Ok(());
            }
        }
        self.class_store(cls, name, value)
    }

    /// `type.__setattr__`/`type.__delattr__`: a data descriptor of the
    /// metaclass (a property with a setter) handles the store; otherwise
    /// the class namespace changes.
    pub(crate) fn class_store(
        &mut self,
        cls: ObjRef,
        name: Value,
        value: Option<Value>,
    ) -> PyResult<()> {
        let obj = Value::Obj(cls);
        if let Some(m) = self.custom_meta(obj) {
            if let Some(d @ Value::Obj(dr)) = self.class_lookup_ref(m, name) {
                if let Object::Property(_) = self.heap.get(dr) {
                    let which = if value.is_some() {
                        Accessor::Set
                    } else {
                        Accessor::Delete
                    };
                    let f = self.property_accessor(dr, which, obj)?;
                    match value {
                        Some(v) => self.call(f, &[obj, v], &[])?,
                        None => self.call(f, &[obj], &[])?,
                    };
                    return Ok(());
                }
                if self.user_descriptor_store(d, obj, value)? {
                    return Ok(());
                }
            }
        }
        match value {
            Some(v) => {
                let n = self.str_of(name).to_string();
                if !crate::stdlib::special_attrs::set_class_special(self, cls, &n, v)? {
                    self.namespace_set_class(cls, name, v)?;
                }
                Ok(())
            }
            None => self.class_delete(cls, name),
        }
    }

    /// Removes `name` from a class's own namespace (AttributeError if it
    /// is not there).
    fn class_delete(&mut self, cls: ObjRef, name: Value) -> PyResult<()> {
        let hash = self.hash_value(name)?;
        if let Object::Class(c) = self.heap.get(cls) {
            if let Some(i) = c
                .dict
                .find(hash, |k| k.is(name) || self.values_eq_str(k, name))
            {
                if let Object::Class(c) = self.heap.get_mut(cls) {
                    c.dict.remove_at(i);
                    c.version += 1;
                }
                self.class_epoch += 1;
                return Ok(());
            }
        }
        Err(self.attribute_error(Value::Obj(cls), name))
    }

    /// `repr(C)` or `str(C)` (`name` is `__repr__` or `__str__`) for a class
    /// whose metaclass defines that method; None when it does not.
    pub(crate) fn meta_text(&mut self, cls: Value, name: &str) -> PyResult<Option<String>> {
        let Some(m) = self.custom_meta(cls) else {
            return Ok(None);
        };
        let default = if name == "__repr__" {
            self.object_repr
        } else {
            self.object_str
        };
        let Some(f) = self.meta_override(m, name, default) else {
            return Ok(None);
        };
        let r = self.call(f, &[cls], &[])?;
        match self.as_str(r) {
            Some(s) => Ok(Some(s.to_string())),
            None => {
                let msg = format!("{name} returned non-string (type {})", self.type_name(r));
                Err(self.type_error(msg))
            }
        }
    }
}
