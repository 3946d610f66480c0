//! Functions, bound methods and built-in (Rust) functions.

use super::klass::AttrMap;
use crate::bytecode::Code;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

/// A code object loaded into a VM: the compiler's [`Code`] plus its constants
/// and names turned into values (names are interned strings).
pub struct VmCode {
    pub code: Rc<Code>,
    pub consts: Box<[Value]>,
    pub names: Box<[Value]>,
    pub children: Box<[Rc<VmCode>]>,
}

impl VmCode {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        self.consts.iter().for_each(|&v| f(v));
        self.names.iter().for_each(|&v| f(v));
        for c in self.children.iter() {
            c.trace(f);
        }
    }
}

/// A function defined in aspy code (`def`, `lambda`, comprehension bodies).
pub struct Function {
    pub code: Rc<VmCode>,
    /// The defining module's namespace (a `Dict` object).
    pub globals: ObjRef,
    pub name: Value,
    pub qualname: Value,
    /// Defaults of the last positional parameters.
    pub defaults: Box<[Value]>,
    /// Defaults of keyword-only parameters: a dict, or None.
    pub kwdefaults: Value,
    /// Cells for the code's free variables, in order.
    pub closure: Box<[Value]>,
    pub doc: Value,
    pub module: Value,
    /// `__annotations__`: a dict, or None until first asked for.
    pub annotations: Value,
    /// Arbitrary attributes (`f.__wrapped__ = ...`).
    pub attrs: AttrMap,
}

impl Function {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        self.code.trace(f);
        f(Value::Obj(self.globals));
        f(self.name);
        f(self.qualname);
        self.defaults.iter().for_each(|&v| f(v));
        f(self.kwdefaults);
        self.closure.iter().for_each(|&v| f(v));
        f(self.doc);
        f(self.module);
        f(self.annotations);
        self.attrs.trace(f);
    }
}

/// `obj.method` for a function found on the class: the function and its receiver.
#[derive(Clone, Copy)]
pub struct BoundMethod {
    pub func: Value,
    pub receiver: Value,
}

/// The signature of a built-in function: positional arguments (the receiver
/// first for methods) and keyword arguments as (name string, value) pairs.
///
/// The arguments stay rooted on the caller's value stack for the duration of
/// the call.
pub type NativeFn = fn(&mut Vm, &[Value], &[(Value, Value)]) -> PyResult<Value>;

/// A function implemented in Rust, possibly bound to a receiver.
pub struct Builtin {
    pub name: &'static str,
    pub func: NativeFn,
    /// The bound receiver, or `Value::Unbound` for a plain function.
    pub receiver: Value,
    /// Extra state for closures made by library code (e.g. `functools.partial`
    /// is written in Rust and keeps its parts here); `Value::None` if unused.
    pub data: Value,
}

impl Builtin {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(self.receiver);
        f(self.data);
    }
}
