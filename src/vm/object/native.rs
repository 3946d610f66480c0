//! Objects with private Rust state, defined by library modules.
//!
//! A library type (deque, Future, Task, Random, ...) implements
//! [`NativeObject`]; the VM stores it as `Object::Native` and reaches its
//! class through [`NativeObject::class`]. Downcast with `as_any`.

use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::any::Any;

/// The `__next__` step of an iterator implemented in Rust: advances the
/// iterator `this` (the object itself) and returns its next item, or None
/// when exhausted (no StopIteration is allocated).
pub type NativeNextFn = fn(&mut Vm, ObjRef) -> PyResult<Option<Value>>;

pub trait NativeObject: Any {
    /// The aspy class of this object.
    fn class(&self) -> ObjRef;
    /// Reports every value held, for the collector.
    fn trace(&self, f: &mut dyn FnMut(Value));
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    /// For iterator types: the step function the VM calls directly for
    /// `next()` and `for` loops. None for objects that are not iterators.
    fn next_fn(&self) -> Option<NativeNextFn> {
        None
    }
    /// For sized containers: the length, which `len()` and truth tests use
    /// directly instead of calling `__len__`.
    fn native_len(&self) -> Option<usize> {
        None
    }
    /// Awaited directly by the VM's `await_hook` (futures, tasks, sleeps):
    /// `await` skips the `__await__` call.
    fn awaitable(&self) -> bool {
        false
    }
    /// For native coroutine-like objects (`asyncio.sleep(...)`,
    /// `lock.acquire()`): the "never awaited" report if it was never
    /// awaited (see `Heap::unawaited`).
    fn unawaited(&self) -> Option<crate::vm::heap::Unawaited> {
        None
    }
}

impl Vm {
    /// The native payload of `v` if it is an `Object::Native` of type `T`.
    pub fn native_ref<T: NativeObject>(&self, v: Value) -> Option<&T> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                crate::vm::object::Object::Native(n) => n.as_any().downcast_ref::<T>(),
                _ => None,
            },
            _ => None,
        }
    }

    /// The native payload of `v`, mutably.
    pub fn native_mut<T: NativeObject>(&mut self, v: Value) -> Option<&mut T> {
        match v {
            Value::Obj(r) => match self.heap.get_mut(r) {
                crate::vm::object::Object::Native(n) => n.as_any_mut().downcast_mut::<T>(),
                _ => None,
            },
            _ => None,
        }
    }
}
