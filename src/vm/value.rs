//! The value type.
//!
//! A [`Value`] is 16 bytes and `Copy`: small immutable values (None, bools,
//! i64 integers, floats and a few singletons) are stored inline; everything
//! else is an [`ObjRef`], an index into the VM's heap. Copying a value never
//! allocates and never touches a reference count; the garbage collector finds
//! live objects by tracing from the VM's roots (see `heap.rs`).
//!
//! Integers that overflow i64 become heap big integers; arithmetic always
//! normalises a big integer that fits back into `Value::Int`, so an integer
//! value has exactly one representation.

use std::fmt;

/// A handle to a heap object: its slot index in the heap arena.
///
/// Handles are only meaningful together with the heap that issued them. A
/// handle stays valid while the object is reachable from a GC root.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef(pub(crate) u32);

impl ObjRef {
    /// The slot index (used for `id()` and identity hashing).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Debug for ObjRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// An optional object reference in four bytes (`Option<ObjRef>` takes
/// eight), for compact object layouts: `None` or `Value::Obj`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct OptRef(u32);

impl OptRef {
    pub const NONE: OptRef = OptRef(u32::MAX);

    #[inline]
    pub fn get(self) -> Option<ObjRef> {
        (self != OptRef::NONE).then_some(ObjRef(self.0))
    }

    /// As a value: None, or the object.
    #[inline]
    pub fn value(self) -> Value {
        self.get().map_or(Value::None, Value::Obj)
    }

    /// From a value that is None or an object (anything else is None).
    #[inline]
    pub fn from_value(v: Value) -> OptRef {
        match v {
            Value::Obj(r) => OptRef(r.0),
            _ => OptRef::NONE,
        }
    }
}

impl fmt::Debug for OptRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

/// An aspy value.
///
/// `repr(u64)` puts every payload at offset 8 behind an 8-byte tag, so a
/// value is two plain words: copies are two moves and never split the
/// payload at odd offsets (which made the compiler shuffle values through
/// overlapping stack slots).
#[derive(Clone, Copy, Debug, Default)]
#[repr(u64)]
pub enum Value {
    /// Internal marker for an unbound local or an empty slot; never visible
    /// to programs.
    Unbound,
    #[default]
    None,
    NotImplemented,
    Ellipsis,
    Bool(bool),
    Int(i64),
    Float(f64),
    Obj(ObjRef),
}

impl Value {
    /// Identity comparison (`is`). Floats compare by bits, as two distinct
    /// float objects would in CPython only when they are the same object; for
    /// inline values identity means equal representation.
    #[inline]
    pub fn is(self, other: Value) -> bool {
        match (self, other) {
            (Value::Unbound, Value::Unbound)
            | (Value::None, Value::None)
            | (Value::NotImplemented, Value::NotImplemented)
            | (Value::Ellipsis, Value::Ellipsis) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Obj(a), Value::Obj(b)) => a == b,
            _ => false,
        }
    }

    #[inline]
    pub fn is_none(self) -> bool {
        matches!(self, Value::None)
    }

    #[inline]
    pub fn is_unbound(self) -> bool {
        matches!(self, Value::Unbound)
    }

    /// The heap handle, if this value lives on the heap.
    #[inline]
    pub fn as_obj(self) -> Option<ObjRef> {
        match self {
            Value::Obj(r) => Some(r),
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<ObjRef> for Value {
    fn from(r: ObjRef) -> Value {
        Value::Obj(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }
}
