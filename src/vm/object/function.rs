//! Functions, bound methods and built-in (Rust) functions.

use super::klass::AttrMap;
use crate::bytecode::{Code, Instr};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::cell::Cell;
use std::rc::Rc;

/// A code object loaded into a VM: the compiler's [`Code`] plus its constants
/// and names turned into values (names are interned strings).
pub struct VmCode {
    pub code: Rc<Code>,
    /// A copy of `code.instrs`, one pointer hop closer for the dispatch
    /// loop, which reloads it on every call and return, with
    /// superinstructions fused in (see `load.rs`).
    pub instrs: Box<[Instr]>,
    pub consts: Box<[Value]>,
    pub names: Box<[Value]>,
    pub children: Box<[Rc<VmCode>]>,
    /// `code.nslots()`: slots before the operand stack.
    pub nslots: u32,
    /// Slots plus the deepest operand stack: what a frame reserves on entry.
    pub frame_size: u32,
    /// For a plain function whose parameters are all positional, with no
    /// cells or free variables, its number of parameters: called with
    /// exactly that many arguments (so no defaults are needed), the
    /// dispatch loop calls it inline. [`NOT_INLINE`] for other code. Kept
    /// here, not only in `code`, to spare a call a pointer hop.
    pub inline_argc: u32,
    /// One `LoadGlobal` cache entry per name (see [`GlobalCache`]).
    pub global_cache: Box<[Cell<GlobalCache>]>,
    /// One attribute cache entry per name, shared by the `LoadAttr`,
    /// `StoreAttr` and `LoadMethod` instructions naming it (see [`AttrCache`]).
    pub attr_cache: Box<[Cell<AttrCache>]>,
}

/// `VmCode::inline_argc` of code that is never called inline.
pub const NOT_INLINE: u32 = u32::MAX;

/// What the class of an object holds under an attribute name, as far as the
/// fast attribute paths need to know (see [`AttrCache`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClassAttr {
    /// Nothing along the MRO: only the instance can have the attribute.
    #[default]
    Absent,
    /// A plain value, returned as is when the instance lacks the attribute.
    Plain,
    /// A function: a method (bound on `LoadAttr`, unbound for `LoadMethod`).
    Function,
    /// A built-in method awaiting its receiver (unbound for `LoadMethod`).
    Builtin,
    /// A data descriptor (property) or anything else that needs the
    /// general path.
    Other,
    /// Not a class entry: the value a module namespace held under the
    /// name, valid while that dict (`class`) is at version `epoch`.
    Module,
}

/// An attribute cache entry: what `class` held under the name when
/// `Vm::class_epoch` was `epoch` (0: empty entry). Any change to any class
/// namespace, and every collection (a freed class's slot may be reused),
/// advances the epoch, so a matching entry describes the class as it is.
/// `value` is not traced: while the entry matches, the class holds it.
/// A [`ClassAttr::Module`] entry instead caches a module attribute: `class`
/// is the module's dict and `epoch` that dict's version; class lookups
/// treat such an entry like `Other` should it ever match.
#[derive(Clone, Copy, Default)]
pub struct AttrCache {
    pub epoch: u64,
    pub class: Option<ObjRef>,
    pub kind: ClassAttr,
    /// The class has the default `__setattr__` (stores may go straight to
    /// the instance's attributes).
    pub plain_setattr: bool,
    /// The class attribute (for `Plain`, `Function`, `Builtin`).
    pub value: Value,
}

/// A `LoadGlobal` cache entry: the value last found for a name, valid while
/// the module dict is still at `globals_version` and, for a name found in
/// the builtins, the builtins dict is still at `builtins_version` (0 when
/// the module dict had the name). Dict versions never repeat (see
/// `dict.rs`), so equal versions mean nothing changed; 0 is never a version,
/// so a default entry never matches.
#[derive(Clone, Copy, Default)]
pub struct GlobalCache {
    pub globals_version: u64,
    pub builtins_version: u64,
    pub value: Value,
}

impl VmCode {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        // `global_cache` values are not traced: an entry is used only
        // while its dicts are unchanged, and then they still hold the value.
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
    /// `code.inline_argc`, one pointer hop closer for calls.
    pub inline_argc: u32,
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
    /// A function (or anything a classmethod wrapped).
    pub func: ObjRef,
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
    /// A method of a type (its first argument is the receiver). Run on a
    /// built-in subclass instance, it sees the built-in behaviour of that
    /// receiver, not the subclass's overrides (see `Vm::builtin_self`).
    pub self_method: bool,
}

impl Builtin {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(self.receiver);
        f(self.data);
    }
}
