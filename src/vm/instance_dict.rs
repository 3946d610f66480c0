//! Own attributes of instances, functions and built-in subclass instances,
//! and their `__dict__`.
//!
//! An object's attributes start in its small [`AttrMap`] vector. The first
//! time a program asks for `obj.__dict__` (or `vars(obj)`), the attributes
//! move into a real dict object, which from then on is the only store:
//! `obj.__dict__["x"] = 1` sets `obj.x`, and every later `obj.__dict__` is
//! the same dict, as in CPython. The fast attribute paths (`attr_fast.rs`)
//! decline objects in this mode and the general path reads through here.

use super::object::{AttrMap, Object};
use super::value::{ObjRef, Value};
use super::{PyResult, Vm};
use thin_vec::ThinVec;

impl Vm {
    /// The attribute map of an object that has its own namespace (plain
    /// `object()` instances have none).
    fn attr_map(&self, r: ObjRef) -> Option<&AttrMap> {
        match self.heap.get(r) {
            Object::Instance(inst) if inst.class == self.types.object => None,
            Object::Instance(inst) => Some(&inst.attrs),
            Object::Function(f) => Some(&f.attrs),
            _ => self.heap.ext(r).map(|e| &e.attrs),
        }
    }

    fn attr_map_mut(&mut self, r: ObjRef) -> Option<&mut AttrMap> {
        if self.heap.has_ext(r) {
            return self.heap.ext_mut(r).map(|e| &mut e.attrs);
        }
        match self.heap.get_mut(r) {
            Object::Instance(inst) => Some(&mut inst.attrs),
            Object::Function(f) => Some(&mut f.attrs),
            _ => None,
        }
    }

    /// Reads `name` (an interned string) from an attribute map.
    #[inline]
    pub(crate) fn attrs_get(&self, map: &AttrMap, name: ObjRef) -> Option<Value> {
        match map.dict {
            None => map.get(name),
            Some(d) => self.dict_get_str(d, Value::Obj(name)),
        }
    }

    /// Sets the object's own attribute `name`.
    pub(crate) fn set_own_attr(&mut self, r: ObjRef, name: ObjRef, v: Value) -> PyResult<()> {
        let Some(map) = self.attr_map_mut(r) else {
            return Ok(());
        };
        match map.dict {
            None => {
                map.set(name, v);
                Ok(())
            }
            Some(d) => self.dict_set(Value::Obj(d), Value::Obj(name), v),
        }
    }

    /// Removes the object's own attribute `name`, returning its value.
    pub(crate) fn remove_own_attr(&mut self, r: ObjRef, name: ObjRef) -> PyResult<Option<Value>> {
        let Some(map) = self.attr_map_mut(r) else {
            return Ok(None);
        };
        match map.dict {
            None => Ok(map.remove(name)),
            Some(d) => self.dict_remove(Value::Obj(d), Value::Obj(name)),
        }
    }

    /// The object's own (name, value) pairs in insertion order.
    pub(crate) fn own_attr_pairs(&self, r: ObjRef) -> Vec<(Value, Value)> {
        match self.attr_map(r) {
            Some(AttrMap { dict: Some(d), .. }) => self
                .dict_table(Value::Obj(*d))
                .map(|t| t.iter().map(|e| (e.key, e.value)).collect())
                .unwrap_or_default(),
            Some(m) => m.items.to_vec(),
            None => Vec::new(),
        }
    }

    /// `obj.__dict__`: the dict holding the object's attributes, created
    /// from them on first use; None for an object without a namespace.
    pub(crate) fn own_dict(&mut self, r: ObjRef) -> PyResult<Option<Value>> {
        let items = match self.attr_map(r) {
            None => return Ok(None),
            Some(AttrMap { dict: Some(d), .. }) => return Ok(Some(Value::Obj(*d))),
            Some(m) => m.items.clone(),
        };
        let d = self.new_dict();
        self.temp_roots.push(d);
        let mut filled = Ok(());
        for (k, v) in items {
            filled = self.dict_set(d, k, v);
            if filled.is_err() {
                break;
            }
        }
        self.temp_roots.pop();
        filled?;
        self.adopt_dict(r, d);
        Ok(Some(d))
    }

    /// `obj.__dict__ = d` (or `del obj.__dict__`, with None: a fresh dict).
    pub(crate) fn set_own_dict(&mut self, r: ObjRef, d: Option<Value>) -> PyResult<()> {
        let d = match d {
            Some(d) if matches!(d, Value::Obj(dr) if matches!(self.heap.get(dr), Object::Dict(_))) => {
                d
            }
            Some(other) => {
                let msg = format!(
                    "__dict__ must be set to a dictionary, not a '{}'",
                    self.type_name(other)
                );
                return Err(self.type_error(msg));
            }
            None => self.new_dict(),
        };
        self.adopt_dict(r, d);
        Ok(())
    }

    /// Makes dict `d` the object's attribute store.
    fn adopt_dict(&mut self, r: ObjRef, d: Value) {
        if let (Some(map), Value::Obj(dr)) = (self.attr_map_mut(r), d) {
            map.items = ThinVec::new();
            map.dict = Some(dr);
        }
    }
}
