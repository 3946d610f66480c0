//! Heap objects.
//!
//! [`Object`] is the closed set of object shapes the VM knows natively, one
//! variant per shape; each variant's data type lives in its own file.
//! Objects refer to each other only through [`Value`]s, and every object
//! reports those references in [`Object::trace`], which the collector relies
//! on: a reference not reported there is a use-after-free waiting to happen.
//!
//! `bytes` and `bytearray` are separate variants (immutable boxed slice,
//! growable vector); code that only reads them uses `Vm::as_bytes`.
//!
//! Library types that need private state (deque, Future, Task, the random
//! generator, ...) use [`Object::Native`] with a [`NativeObject`] payload.

pub mod dict;
pub mod function;
pub mod generator;
pub mod klass;
pub mod native;
pub mod set;
pub mod string;

pub use dict::Dict;
pub use function::{
    AttrCache, BoundMethod, Builtin, ClassAttr, Function, GlobalCache, NativeFn, VmCode, NOT_INLINE,
};
pub use generator::{GenOp, GenOpKind, GenOpState, GenState, Generator};
pub use klass::{AttrMap, Class, ExcData, Instance, Layout, Payload, TraceEntry};
pub use native::{NativeNextFn, NativeObject};
pub use set::SetTable;
pub use string::StrObj;

use super::value::{ObjRef, Value};
use num_bigint::BigInt;

/// A heap object.
pub enum Object {
    Str(StrObj),
    Bytes(Box<[u8]>),
    /// A `bytearray`: bytes that can change in place.
    ByteArray(Vec<u8>),
    BigInt(Box<BigInt>),
    List(Vec<Value>),
    Tuple(Box<[Value]>),
    Dict(Box<Dict>),
    /// A set or frozenset.
    Set(Box<SetTable>, SetKind),
    /// `d.keys()`, `d.values()` or `d.items()`: a live view of dict `d`.
    DictView(Value, DictIterKind),
    Range(Box<Range>),
    /// A range whose bounds do not all fit in i64.
    BigRange(Box<BigRange>),
    Slice(Box<[Value; 3]>),
    Function(Box<Function>),
    BoundMethod(BoundMethod),
    Builtin(Box<Builtin>),
    Class(Box<Class>),
    Instance(Instance),
    Module(Box<Module>),
    /// A closure cell; `Value::Unbound` when empty.
    Cell(Value),
    Generator(Box<Generator>),
    /// An awaitable driving an async generator, or a coroutine's `__await__`.
    GenOp(Box<GenOp>),
    Iter(Box<Iter>),
    /// `[fget, fset, fdel, doc, name]` (see `vm/descr.rs`).
    Property(Box<[Value; 5]>),
    StaticMethod(Value),
    ClassMethod(Value),
    /// `super(type, obj)`: the class to start after, and the receiver.
    Super(ObjRef, Value),
    Native(Box<dyn NativeObject>),
}

/// Distinguishes `set` from `frozenset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    Set,
    FrozenSet,
}

/// `range(start, stop, step)` with i64 bounds.
#[derive(Clone, Copy, Debug)]
pub struct Range {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

impl Range {
    /// Number of elements.
    pub fn len(&self) -> i64 {
        let (lo, hi, step) = (self.start as i128, self.stop as i128, self.step as i128);
        let n = if step > 0 && lo < hi {
            (hi - lo - 1) / step + 1
        } else if step < 0 && lo > hi {
            (lo - hi - 1) / (-step) + 1
        } else {
            0
        };
        n.min(i64::MAX as i128) as i64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The i-th element (0 <= i < len).
    pub fn at(&self, i: i64) -> i64 {
        self.start + i * self.step
    }
}

/// `range(start, stop, step)` with big-integer bounds (see
/// `stdlib/big_range.rs`; ranges that fit in i64 are always [`Range`]).
#[derive(Clone, Debug)]
pub struct BigRange {
    pub start: BigInt,
    pub stop: BigInt,
    pub step: BigInt,
}

/// A module: its name and its namespace (a `Dict` object).
pub struct Module {
    pub name: Value,
    pub dict: ObjRef,
}

/// Iterator state for the built-in iterable types.
pub enum Iter {
    /// Over a list or tuple (by index, so mutation during iteration is safe).
    Seq {
        seq: Value,
        index: usize,
    },
    Range {
        next: i64,
        stop: i64,
        step: i64,
    },
    /// Over a string, by character; `byte` is the byte offset of the next char.
    Str {
        s: Value,
        byte: usize,
    },
    Bytes {
        b: Value,
        index: usize,
    },
    /// Over a dict's keys, values or items (CPython's `dictiterobject`):
    /// `dict` is None once exhausted; `used` is the size when iteration
    /// began (`usize::MAX` after a size change was reported, so the error
    /// sticks); `remaining` counts the entries still expected, so finding
    /// more raises "dictionary keys changed during iteration". A reversed
    /// iterator walks `index` down from the end (`index` is one past the
    /// next entry to look at).
    Dict {
        dict: Value,
        index: usize,
        used: usize,
        remaining: usize,
        kind: DictIterKind,
        reverse: bool,
    },
    /// Over a set's slots (CPython's `setiterobject`), with the size when
    /// iteration began; `set` is None once exhausted.
    Set {
        set: Value,
        index: usize,
        used: usize,
    },
    Enumerate {
        iter: Value,
        count: Value,
    },
    /// `zip(*iters, strict=...)`.
    Zip {
        iters: Box<[Value]>,
        strict: bool,
    },
    Map {
        func: Value,
        iters: Box<[Value]>,
    },
    Filter {
        func: Value,
        iter: Value,
    },
    Reversed {
        seq: Value,
        index: usize,
    },
    /// The old sequence protocol (CPython's `iterator` type): `seq[index]`
    /// for index 0, 1, ... until IndexError or StopIteration; `seq` is None
    /// once exhausted.
    GetItem {
        seq: Value,
        index: usize,
    },
    /// `iter(callable, sentinel)`.
    Callable {
        func: Value,
        sentinel: Value,
    },
    /// Any other iterator implemented in Rust by a library module.
    Exhausted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DictIterKind {
    Keys,
    Values,
    Items,
}

impl Object {
    /// Reports every value this object refers to.
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        match self {
            Object::Str(_)
            | Object::Bytes(_)
            | Object::ByteArray(_)
            | Object::BigInt(_)
            | Object::Range(_)
            | Object::BigRange(_) => {}
            Object::List(items) => items.iter().for_each(|&v| f(v)),
            Object::Tuple(items) => items.iter().for_each(|&v| f(v)),
            Object::Dict(d) => d.trace(f),
            Object::Set(t, _) => t.trace(f),
            Object::DictView(d, _) => f(*d),
            Object::Slice(parts) => parts.iter().for_each(|&v| f(v)),
            Object::Function(func) => func.trace(f),
            Object::BoundMethod(m) => {
                f(Value::Obj(m.func));
                f(m.receiver);
            }
            Object::Builtin(b) => b.trace(f),
            Object::Class(c) => c.trace(f),
            Object::Instance(i) => i.trace(f),
            Object::Module(m) => {
                f(m.name);
                f(Value::Obj(m.dict));
            }
            Object::Cell(v) | Object::StaticMethod(v) | Object::ClassMethod(v) => f(*v),
            Object::Generator(g) => g.trace(f),
            Object::GenOp(op) => op.trace(f),
            Object::Iter(it) => it.trace(f),
            Object::Property(parts) => parts.iter().for_each(|&v| f(v)),
            Object::Super(cls, obj) => {
                f(Value::Obj(*cls));
                f(*obj);
            }
            Object::Native(n) => n.trace(f),
        }
    }
}

impl Iter {
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        match self {
            Iter::Seq { seq, .. } | Iter::Reversed { seq, .. } | Iter::GetItem { seq, .. } => {
                f(*seq)
            }
            Iter::Range { .. } | Iter::Exhausted => {}
            Iter::Str { s, .. } => f(*s),
            Iter::Bytes { b, .. } => f(*b),
            Iter::Dict { dict, .. } => f(*dict),
            Iter::Set { set, .. } => f(*set),
            Iter::Enumerate { iter, count } => {
                f(*iter);
                f(*count);
            }
            Iter::Zip { iters, .. } => iters.iter().for_each(|&v| f(v)),
            Iter::Map { func, iters } => {
                f(*func);
                iters.iter().for_each(|&v| f(v));
            }
            Iter::Filter { func, iter } => {
                f(*func);
                f(*iter);
            }
            Iter::Callable { func, sentinel } => {
                f(*func);
                f(*sentinel);
            }
        }
    }
}
// Every object costs one heap slot of this size (the arena holds
// `Option<Object>`): keep each variant's data at 24 bytes or less, boxing
// anything bigger.
const _: () = assert!(std::mem::size_of::<Option<Object>>() == 32);
