//! Cached attribute access for the dispatch loop.
//!
//! `LoadAttr`, `StoreAttr` and `LoadMethod` keep one [`AttrCache`] entry per
//! name of their code object. An entry records, for one class, what the
//! class holds under the name (nothing, a plain value, a method, or
//! something that needs the general path) and whether the class has the
//! default `__setattr__`; it is valid while `Vm::class_epoch` is unchanged.
//! With a matching entry, an instance attribute is read or written in the
//! instance's own attributes without walking the MRO, and a method call
//! skips the bound-method object. A module attribute (`math.sqrt`) is
//! cached with the version of the module's dict instead. Every function
//! here returns None (or false) when the fast path does not apply; the
//! caller then takes the general path in `attr.rs`, which implements the
//! full rules.
//!
//! None of these run aspy code or touch the value stack (filling an entry
//! only reads class dicts; binding a method only allocates).

use super::object::{AttrCache, BoundMethod, ClassAttr, Object, Payload, VmCode};
use super::value::{ObjRef, Value};
use super::Vm;

impl Vm {
    /// The cache entry for `code.names[i]` on class `cls`, refilled if it
    /// does not match.
    #[inline(always)]
    fn attr_entry(&mut self, code: &VmCode, i: u32, cls: ObjRef) -> AttrCache {
        let c = code.attr_cache[i as usize].get();
        if c.epoch == self.class_epoch && c.class == Some(cls) {
            return c;
        }
        self.fill_attr_cache(code, i, cls)
    }

    #[inline(never)]
    fn fill_attr_cache(&mut self, code: &VmCode, i: u32, cls: ObjRef) -> AttrCache {
        let name = code.names[i as usize];
        let found = self.class_lookup_ref(cls, name);
        let kind = match found {
            None => ClassAttr::Absent,
            Some(Value::Obj(r)) => match self.heap.get(r) {
                Object::Function(_) => ClassAttr::Function,
                Object::Builtin(b) if b.receiver.is_unbound() => ClassAttr::Builtin,
                Object::Builtin(_) => ClassAttr::Plain,
                Object::Property(_)
                | Object::Instance(_)
                | Object::ClassMethod(_)
                | Object::StaticMethod(_) => ClassAttr::Other,
                _ => ClassAttr::Plain,
            },
            Some(_) => ClassAttr::Plain,
        };
        let setattr = self.class_lookup(cls, "__setattr__");
        let entry = AttrCache {
            epoch: self.class_epoch,
            class: Some(cls),
            kind,
            // A class with `__slots__` checks new attributes on the
            // general path (`vm/slots.rs`).
            plain_setattr: setattr.is_none_or(|f| f.is(self.object_setattr))
                && self.slot_names(cls).is_none(),
            value: found.unwrap_or(Value::None),
        };
        code.attr_cache[i as usize].set(entry);
        entry
    }

    /// `module.name` when the module's namespace holds the name. The entry
    /// remembers the value with the dict's version (versions never repeat,
    /// see `dict.rs`), so a hit costs no hashing.
    #[inline(always)]
    fn module_attr_fast(&mut self, code: &VmCode, i: u32, dict: ObjRef) -> Option<Value> {
        let version = self.dict_version(dict);
        let c = code.attr_cache[i as usize].get();
        if c.kind == ClassAttr::Module && c.class == Some(dict) && c.epoch == version {
            return Some(c.value);
        }
        self.fill_module_cache(code, i, dict, version)
    }

    #[inline(never)]
    fn fill_module_cache(
        &mut self,
        code: &VmCode,
        i: u32,
        dict: ObjRef,
        version: u64,
    ) -> Option<Value> {
        let value = self.dict_get_str(dict, code.names[i as usize])?;
        if version != u64::MAX {
            code.attr_cache[i as usize].set(AttrCache {
                epoch: version,
                class: Some(dict),
                kind: ClassAttr::Module,
                plain_setattr: false,
                value,
            });
        }
        Some(value)
    }

    /// `obj.name` for an instance, when the cache says the class does not
    /// interfere (no data descriptor) and the attribute is found; and for
    /// a module attribute.
    #[inline(always)]
    pub(crate) fn load_attr_fast(&mut self, code: &VmCode, i: u32, obj: Value) -> Option<Value> {
        let Value::Obj(r) = obj else { return None };
        let inst = match self.heap.get(r) {
            Object::Instance(inst) => inst,
            Object::Module(m) => {
                let dict = m.dict;
                return self.module_attr_fast(code, i, dict);
            }
            _ => return None,
        };
        let cls = inst.class;
        let c = self.attr_entry(code, i, cls);
        let Value::Obj(name) = code.names[i as usize] else {
            return None;
        };
        let Object::Instance(inst) = self.heap.get(r) else {
            return None;
        };
        match c.kind {
            ClassAttr::Absent | ClassAttr::Plain | ClassAttr::Function | ClassAttr::Builtin => {
                if let Some(v) = inst.attrs.get(name) {
                    return Some(v);
                }
                if inst.attrs.has_dict() {
                    return None;
                }
            }
            ClassAttr::Other | ClassAttr::Module => return None,
        }
        match c.kind {
            ClassAttr::Plain => Some(c.value),
            ClassAttr::Function => Some(self.alloc(Object::BoundMethod(BoundMethod {
                func: c.value.as_obj()?,
                receiver: obj,
            }))),
            _ => None,
        }
    }

    /// `LoadMethod` for an instance or a built-in value: (function, receiver)
    /// when the class holds a function or built-in method the instance does
    /// not shadow.
    #[inline(always)]
    pub(crate) fn load_method_fast(
        &mut self,
        code: &VmCode,
        i: u32,
        obj: Value,
    ) -> Option<(Value, Value)> {
        let cls = match obj {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Instance(inst) => {
                    let Value::Obj(name) = code.names[i as usize] else {
                        return None;
                    };
                    if inst.attrs.get(name).is_some() || inst.attrs.has_dict() {
                        return None;
                    }
                    inst.class
                }
                Object::Module(m) => {
                    // A module attribute: called with no receiver.
                    let dict = m.dict;
                    return Some((self.module_attr_fast(code, i, dict)?, Value::Unbound));
                }
                Object::Class(_) | Object::Function(_) | Object::Super(..) => return None,
                // A built-in subclass instance's own attributes shadow methods.
                _ if self.heap.has_ext(r) => {
                    let Value::Obj(name) = code.names[i as usize] else {
                        return None;
                    };
                    if self.ext_attr(r, name).is_some() {
                        return None;
                    }
                    self.class_of(obj)
                }
                _ => self.class_of(obj),
            },
            _ => self.class_of(obj),
        };
        let c = self.attr_entry(code, i, cls);
        match c.kind {
            ClassAttr::Function | ClassAttr::Builtin => Some((c.value, obj)),
            _ => None,
        }
    }

    /// `obj.name = v` for an instance whose class has no data descriptor for
    /// the name and the default `__setattr__`; false if not that case.
    #[inline(always)]
    pub(crate) fn store_attr_fast(&mut self, code: &VmCode, i: u32, obj: Value, v: Value) -> bool {
        let Value::Obj(r) = obj else { return false };
        let Object::Instance(inst) = self.heap.get(r) else {
            return false;
        };
        if !matches!(inst.payload, Payload::None) {
            // Exceptions keep some attributes (args, __traceback__, ...)
            // in their state, with checks: the general path knows them.
            return false;
        }
        let cls = inst.class;
        // Plain `object()` instances have no attributes (the general path
        // raises AttributeError).
        if cls == self.types.object {
            return false;
        }
        let c = self.attr_entry(code, i, cls);
        if !c.plain_setattr || matches!(c.kind, ClassAttr::Other | ClassAttr::Module) {
            return false;
        }
        let Value::Obj(name) = code.names[i as usize] else {
            return false;
        };
        if let Object::Instance(inst) = self.heap.get_mut(r) {
            if !inst.attrs.has_dict() {
                inst.attrs.set(name, v);
                return true;
            }
        }
        false
    }
}
