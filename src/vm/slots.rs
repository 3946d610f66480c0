//! `__slots__`: an instance of a class whose every class in the MRO (but
//! `object`) declares `__slots__`, without `"__dict__"`, takes only the
//! attributes those slots name; any other raises CPython's AttributeError.
//!
//! The restriction is worked out from the class namespaces when an
//! attribute is added (the attribute caches send stores on such classes
//! down the general path: see `attr_entry`), so classes without
//! `__slots__` pay nothing. Slot attributes are stored like any other
//! attribute; `__dict__` is not refused (a documented difference).

use super::object::{Layout, Object};
use super::value::{ObjRef, Value};
use super::Vm;

impl Vm {
    /// The attribute names instances of `cls` are limited to, or None when
    /// they may take any (some class in the MRO has no `__slots__`, or a
    /// slot is `__dict__`, or a base is a built-in type other than object).
    pub(crate) fn slot_names(&mut self, cls: ObjRef) -> Option<Vec<Value>> {
        let key = Value::Obj(self.intern("__slots__"));
        let mro = match self.heap.get(cls) {
            Object::Class(c) => c.mro.clone(),
            _ => return None,
        };
        let mut names = Vec::new();
        for c in mro {
            if c == self.types.object {
                continue;
            }
            let Object::Class(k) = self.heap.get(c) else {
                return None;
            };
            if !matches!(k.layout, Layout::Object) {
                return None;
            }
            let hash = match self.heap.get(key.as_obj()?) {
                Object::Str(s) => s.hash(),
                _ => return None,
            };
            let i = k.dict.find(hash, |kk| kk.is(key))?;
            let declared = k.dict.entry(i)?.value;
            if self.as_str(declared).is_some() {
                names.push(declared);
            } else {
                names.extend_from_slice(self.seq_items(declared)?);
            }
        }
        if names.iter().any(|&n| self.as_str(n) == Some("__dict__")) {
            return None;
        }
        Some(names)
    }

    /// May an instance of `cls` get the new attribute `name`?
    pub(crate) fn slots_allow(&mut self, cls: ObjRef, name: Value) -> bool {
        let Some(names) = self.slot_names(cls) else {
            return true;
        };
        let text = self.as_str(name).map(str::to_string);
        names
            .iter()
            .any(|&n| n.is(name) || (text.is_some() && self.as_str(n) == text.as_deref()))
    }
}
