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
}

pub struct Class {
    pub name: Value,
    pub qualname: Value,
    pub module: Value,
    pub bases: Vec<ObjRef>,
    /// Method resolution order, starting with this class.
    pub mro: Vec<ObjRef>,
    pub dict: Dict,
    pub layout: Layout,
    /// Incremented whenever this class's namespace changes (attribute caches).
    pub version: u64,
}

impl Class {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(self.name);
        f(self.qualname);
        f(self.module);
        self.bases.iter().for_each(|&b| f(Value::Obj(b)));
        self.mro.iter().for_each(|&b| f(Value::Obj(b)));
        self.dict.trace(f);
    }
}

/// Instance attributes: a short vector of (interned name, value), searched
/// linearly by identity of the name. Instances rarely have many attributes.
#[derive(Default)]
pub struct AttrMap {
    pub items: Vec<(Value, Value)>,
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

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        for &(k, v) in &self.items {
            f(k);
            f(v);
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

/// One traceback entry: where an exception passed through.
#[derive(Clone)]
pub struct TraceEntry {
    pub code: Rc<Code>,
    pub ip: u32,
}

/// The state of an exception instance.
pub struct ExcData {
    /// `args`, a tuple.
    pub args: Value,
    pub traceback: Vec<TraceEntry>,
    pub cause: Value,
    pub context: Value,
    pub suppress_context: bool,
    /// Extra per-type state (e.g. `StopIteration.value`, `SystemExit.code`,
    /// `ExceptionGroup.exceptions`); None when unused.
    pub extra: Value,
}

impl ExcData {
    pub fn new(args: Value) -> ExcData {
        ExcData {
            args,
            traceback: Vec::new(),
            cause: Value::None,
            context: Value::None,
            suppress_context: false,
            extra: Value::None,
        }
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(self.args);
        f(self.cause);
        f(self.context);
        f(self.extra);
    }
}
