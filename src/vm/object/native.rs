//! Objects with private Rust state, defined by library modules.
//!
//! A library type (deque, Future, Task, Random, ...) implements
//! [`NativeObject`]; the VM stores it as `Object::Native` and reaches its
//! class through [`NativeObject::class`]. Downcast with `as_any`.

use crate::vm::value::{ObjRef, Value};
use std::any::Any;

pub trait NativeObject: Any {
    /// The aspy class of this object.
    fn class(&self) -> ObjRef;
    /// Reports every value held, for the collector.
    fn trace(&self, f: &mut dyn FnMut(Value));
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}
