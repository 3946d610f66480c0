//! User subclasses of built-in types (`class Stack(list)`, `class D(dict)`,
//! `class Point(tuple)`, `class Name(str)`, `class Port(int)`).
//!
//! An instance of such a class is the built-in object itself (an
//! `Object::List`, `Object::Dict`, ...) plus a `SubclassExt` in the heap's
//! side table holding its class and attributes. Native code that works on
//! lists works on list subclasses unchanged, as C code does in CPython.
//!
//! Operators and built-in functions keep their fast paths for exact types.
//! For an object with an extension they first ask [`Vm::ext_override`] whether
//! a user class in its MRO (one that is not a built-in type) defines the
//! special method; if so it runs, otherwise the built-in behaviour applies.
//!
//! Invariant: an extension is only ever attached to a freshly allocated
//! object ([`Vm::subclass_instance`] copies), so shared objects such as the
//! empty tuple or interned strings never change class.

use super::object::{Class, Layout, Object, StrObj};
use super::value::{ObjRef, Value};
use super::{PyResult, Vm};

/// The built-in types a user class may derive from.
const SUBCLASSABLE: [&str; 8] = [
    "list",
    "dict",
    "set",
    "frozenset",
    "tuple",
    "str",
    "bytes",
    "int",
];

impl Vm {
    /// Is `cls` one of the built-in types user classes may derive from?
    pub fn is_subclassable_builtin(&self, cls: ObjRef) -> bool {
        matches!(self.heap.get(cls), Object::Class(c) if c.layout == Layout::Builtin)
            && SUBCLASSABLE.contains(&self.class_name(cls))
    }

    /// The layout of a new class with these bases: `Subclass(base)` when
    /// one derives from a built-in type, else `Exception` or `Object`.
    /// Errors as CPython for bases whose layouts cannot be combined.
    pub fn layout_for_bases(&mut self, bases: &[ObjRef]) -> PyResult<Layout> {
        let mut solid: Option<ObjRef> = None;
        let mut exception = false;
        for &b in bases {
            let layout = match self.heap.get(b) {
                Object::Class(c) => c.layout,
                _ => Layout::Object,
            };
            let base = match layout {
                Layout::Object => continue,
                Layout::Exception => {
                    exception = true;
                    continue;
                }
                Layout::Subclass(base) => base,
                Layout::Type => self.types.type_,
                Layout::Builtin if b == self.types.object => continue,
                Layout::Builtin if b == self.types.type_ => b,
                Layout::Builtin => {
                    if !self.is_subclassable_builtin(b) {
                        let name = self.class_name(b).to_string();
                        let msg = if matches!(name.as_str(), "bool" | "range" | "slice")
                            || self.class_name(b).ends_with("iterator")
                        {
                            format!("type '{name}' is not an acceptable base type")
                        } else {
                            format!("aspy does not support subclassing the built-in type '{name}'")
                        };
                        let kind = if msg.starts_with("aspy") {
                            super::exceptions::ExcKind::NotImplementedError
                        } else {
                            super::exceptions::ExcKind::TypeError
                        };
                        return Err(self.new_error(kind, msg));
                    }
                    b
                }
            };
            match solid {
                Some(s) if s != base => {
                    return Err(self.type_error("multiple bases have instance lay-out conflict"))
                }
                _ => solid = Some(base),
            }
        }
        match solid {
            Some(_) if exception => {
                Err(self.type_error("multiple bases have instance lay-out conflict"))
            }
            Some(base) if base == self.types.type_ => Ok(Layout::Type),
            Some(base) => Ok(Layout::Subclass(base)),
            None if exception => Ok(Layout::Exception),
            None => Ok(Layout::Object),
        }
    }

    /// `v` (an object a built-in constructor made for the built-in type)
    /// as an instance of `cls`: unchanged when `cls` is the built-in type
    /// itself, otherwise a fresh copy carrying `cls`.
    pub fn subclass_instance(&mut self, v: Value, cls: ObjRef) -> Value {
        if !matches!(self.heap.get(cls), Object::Class(c) if matches!(c.layout, Layout::Subclass(_)))
        {
            return v;
        }
        let r = match v {
            Value::Obj(r) => r,
            // An int subclass instance is a `BigInt` object even when its
            // value fits in i64 (see `plain_int`).
            Value::Int(i) => return self.int_subclass_instance(num_bigint::BigInt::from(i), cls),
            Value::Bool(b) => {
                return self.int_subclass_instance(num_bigint::BigInt::from(b as i64), cls)
            }
            _ => return v,
        };
        let copy = match self.heap.get(r) {
            Object::BigInt(b) => Object::BigInt(b.clone()),
            Object::Str(s) => Object::Str(StrObj::new(s.as_str())),
            Object::Bytes(b) => Object::Bytes(b.clone()),
            Object::List(l) => Object::List(l.clone()),
            Object::Tuple(t) => Object::Tuple(t.clone()),
            Object::Dict(d) => Object::Dict(d.clone()),
            Object::Set(d, k) => Object::Set(d.clone(), *k),
            _ => return v,
        };
        let fresh = self.heap.alloc(copy);
        self.heap.set_ext(fresh, cls);
        Value::Obj(fresh)
    }

    fn int_subclass_instance(&mut self, b: num_bigint::BigInt, cls: ObjRef) -> Value {
        let fresh = self.heap.alloc(Object::BigInt(Box::new(b)));
        self.heap.set_ext(fresh, cls);
        Value::Obj(fresh)
    }

    /// `v` with an int subclass instance whose value fits in i64 replaced
    /// by that plain int. Ints are otherwise normalised (a `BigInt` object
    /// never fits in i64); code that relies on that calls this first.
    #[inline]
    pub fn plain_int(&self, v: Value) -> Value {
        use num_traits::ToPrimitive;
        match v {
            Value::Obj(r) if self.heap.has_ext(r) => match self.heap.get(r) {
                Object::BigInt(b) => b.to_i64().map_or(v, Value::Int),
                _ => v,
            },
            _ => v,
        }
    }

    /// A special method that a user class overrides on a built-in subclass
    /// instance, bound to it; None for every other value (the common case
    /// costs one bit test).
    #[inline]
    pub fn ext_override(&mut self, v: Value, name: &str) -> Option<Value> {
        let Value::Obj(r) = v else { return None };
        if !self.heap.has_ext(r) || self.builtin_self == Some(r) {
            return None;
        }
        self.ext_override_slow(v, name)
    }

    #[cold]
    fn ext_override_slow(&mut self, v: Value, name: &str) -> Option<Value> {
        self.intern(name);
        let f = self.user_override_value(v, name)?;
        let cls = self.class_of(v);
        Some(self.bind(f, v, cls))
    }

    /// Does a user class define `name` for this built-in subclass instance?
    /// (False for every other value, at the cost of one bit test.)
    #[inline]
    pub fn user_overrides(&self, v: Value, name: &str) -> bool {
        let Value::Obj(r) = v else { return false };
        self.heap.has_ext(r)
            && self.builtin_self != Some(r)
            && self.user_override_value(v, name).is_some()
    }

    /// The raw class attribute a user class in `v`'s MRO defines for `name`
    /// (before the first built-in class).
    fn user_override_value(&self, v: Value, name: &str) -> Option<Value> {
        let key = Value::Obj(self.lookup_interned(name)?);
        let cls = self.class_of(v);
        let Object::Class(c) = self.heap.get(cls) else {
            return None;
        };
        for &k in &c.mro {
            let Object::Class(kc) = self.heap.get(k) else {
                continue;
            };
            if kc.layout == Layout::Builtin {
                return None;
            }
            if let Some(f) = class_dict_get(self, kc, key) {
                return Some(f);
            }
        }
        None
    }

    /// Attribute lookup in the instance namespace of a subclass instance.
    pub fn ext_attr(&self, r: ObjRef, name: ObjRef) -> Option<Value> {
        self.heap
            .ext(r)
            .and_then(|e| self.attrs_get(&e.attrs, name))
    }
}

/// An entry of a class's own namespace by interned name.
fn class_dict_get(vm: &Vm, c: &Class, key: Value) -> Option<Value> {
    let Value::Obj(kr) = key else { return None };
    let Object::Str(s) = vm.heap.get(kr) else {
        return None;
    };
    let text = s.as_str();
    let i = c
        .dict
        .find(s.hash(), |k| k.is(key) || vm.as_str(k) == Some(text))?;
    c.dict.entry(i).map(|e| e.value)
}
