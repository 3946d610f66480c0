//! Classes and instances.
//!
//! Every type is a [`Class`], the built-in ones included (`int`, `list`,
//! `BaseException`, ...), so `type(x)`, `isinstance` and method lookup work
//! the same way for all values. A class keeps its namespace in a [`Dict`]
//! and its C3 method resolution order in `mro` (the class itself first).
//!
//! An [`Instance`] keeps its attributes in a small [`AttrMap`] keyed by
//! interned name strings (compared by identity), plus a [`Payload`] when the
//! class derives from a built-in type that carries data (exceptions).

use super::dict::Dict;
use crate::bytecode::Code;
use crate::vm::value::{ObjRef, Value};
use std::rc::Rc;
use thin_vec::ThinVec;

/// Which built-in type's data layout a class (and its instances) uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Plain instances (`object` and user classes).
    Object,
    /// `BaseException` and subclasses: instances carry `ExcData`.
    Exception,
    /// A built-in type whose values are not `Instance`s (int, str, list, ...);
    /// such classes cannot be instantiated as plain instances.
    Builtin,
    /// A user class deriving from the built-in type given (list, dict, set,
    /// frozenset, tuple, str, bytes): its instances are that type's objects
    /// carrying a `SubclassExt` (see `vm/heap.rs` and `vm/subclass.rs`).
    Subclass(ObjRef),
    /// A metaclass: a user class deriving from `type`. Its instances are
    /// classes (`Object::Class` values whose `meta` names it).
    Type,
}

pub struct Class {
    pub name: Value,
    pub qualname: Value,
    pub module: Value,
    pub bases: Vec<ObjRef>,
    /// Method resolution order, starting with this class.
    pub mro: Vec<ObjRef>,
    /// The namespace. Code that changes it after the class is created must
    /// advance `Vm::class_epoch` (attribute and `__init__` caches depend on
    /// it); `Vm::set_attr` and `builtins::set_class_attr` do.
    pub dict: Dict,
    pub layout: Layout,
    /// Incremented whenever this class's namespace changes (attribute caches).
    pub version: u64,
    /// The class's metaclass when it is not `type` (a user subclass of
    /// `type`). None, the common case, keeps every class operation on its
    /// fast path.
    pub meta: Option<ObjRef>,
}

impl Class {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(self.name);
        f(self.qualname);
        f(self.module);
        self.bases.iter().for_each(|&b| f(Value::Obj(b)));
        self.mro.iter().for_each(|&b| f(Value::Obj(b)));
        self.dict.trace(f);
        if let Some(m) = self.meta {
            f(Value::Obj(m));
        }
    }
}

/// Instance attributes: a short vector of (interned name, value), searched
/// linearly by identity of the name. Instances rarely have many attributes.
/// A `ThinVec` is one pointer (length and capacity live in its allocation),
/// which keeps an [`Instance`] small enough for a heap slot. Once the program
/// has asked for the object's `__dict__`, the attributes live in that dict
/// instead and `items` stays empty (`vm/instance_dict.rs`).
#[derive(Default)]
pub struct AttrMap {
    pub items: ThinVec<(Value, Value)>,
    /// The `__dict__` object holding the attributes, once there is one.
    pub dict: Option<ObjRef>,
}

impl AttrMap {
    #[inline]
    pub fn get(&self, name: ObjRef) -> Option<Value> {
        self.items
            .iter()
            .find(|(k, _)| matches!(k, Value::Obj(r) if *r == name))
            .map(|&(_, v)| v)
    }

    #[inline]
    pub fn set(&mut self, name: ObjRef, value: Value) {
        for item in self.items.iter_mut() {
            if matches!(item.0, Value::Obj(r) if r == name) {
                item.1 = value;
                return;
            }
        }
        self.items.push((Value::Obj(name), value));
    }

    pub fn remove(&mut self, name: ObjRef) -> Option<Value> {
        let i = self
            .items
            .iter()
            .position(|(k, _)| matches!(k, Value::Obj(r) if *r == name))?;
        Some(self.items.remove(i).1)
    }

    /// Does a `__dict__` object hold the attributes (so `get` and `set`
    /// on this map do not apply)?
    #[inline]
    pub fn has_dict(&self) -> bool {
        self.dict.is_some()
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        for &(k, v) in &self.items {
            f(k);
            f(v);
        }
        if let Some(d) = self.dict {
            f(Value::Obj(d));
        }
    }
}

pub struct Instance {
    pub class: ObjRef,
    pub attrs: AttrMap,
    pub payload: Payload,
}

impl Instance {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(Value::Obj(self.class));
        self.attrs.trace(f);
        if let Payload::Exception(e) = &self.payload {
            e.trace(f);
        }
    }
}

pub enum Payload {
    None,
    Exception(Box<ExcData>),
}

/// One traceback entry: where an exception passed through (CPython's
/// `tb_frame`, reduced to what tracebacks and `tb_frame` need).
#[derive(Clone)]
pub struct TraceEntry {
    pub code: Rc<Code>,
    /// The instruction that was running (`tb_lasti`).
    pub ip: u32,
    /// The frame's globals (for `tb_frame.f_globals` and the names a
    /// NameError suggestion is chosen from).
    pub globals: ObjRef,
}

/// The state of an exception instance.
pub struct ExcData {
    /// `args`, a tuple.
    pub args: Value,
    /// Innermost frame first: entries are appended while the exception
    /// unwinds outward, so the last one is `__traceback__`'s head.
    pub traceback: Vec<TraceEntry>,
    pub cause: Value,
    pub context: Value,
    pub suppress_context: bool,
    /// Per-type state, laid out by the exception's family (see
    /// `vm::exceptions::FIELDS`: `StopIteration.value`, `OSError.errno`,
    /// ...). Empty until set; `Value::Unbound` marks a field never set
    /// (CPython's NULL), which reads as None.
    pub fields: Vec<Value>,
}

impl ExcData {
    pub fn new(args: Value) -> ExcData {
        ExcData {
            args,
            traceback: Vec::new(),
            cause: Value::None,
            context: Value::None,
            suppress_context: false,
            fields: Vec::new(),
        }
    }

    /// Field `i`, or `Value::Unbound` if it was never set.
    pub fn field(&self, i: usize) -> Value {
        self.fields.get(i).copied().unwrap_or(Value::Unbound)
    }

    /// Sets field `i`, growing the field list as needed.
    pub fn set_field(&mut self, i: usize, v: Value) {
        if self.fields.len() <= i {
            self.fields.resize(i + 1, Value::Unbound);
        }
        self.fields[i] = v;
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(self.args);
        f(self.cause);
        f(self.context);
        self.fields.iter().for_each(|&v| f(v));
        self.traceback.iter().for_each(|e| f(Value::Obj(e.globals)));
    }
}
