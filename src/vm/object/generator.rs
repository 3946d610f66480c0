//! Generators, coroutines and async generators, and the small objects that
//! drive them on a user's behalf.
//!
//! All three are a suspended frame plus a state. While not running, the
//! generator owns its [`Frame`] and the values of its stack slice; while
//! running, both live on the fiber that resumed it (see `vm/frame.rs`). A
//! coroutine suspended inside a task keeps state `Running`: its frame stays
//! on the task's fiber, which is set aside whole.

use crate::bytecode::{Code, CodeKind};
use crate::vm::frame::Frame;
use crate::vm::value::{ObjRef, Value};
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenState {
    /// Created, not yet started.
    Created,
    /// Paused at a yield (or at a `Send` while delegating).
    Suspended,
    /// On some fiber's frame stack: executing, or part of a suspended
    /// task's await chain.
    Running,
    Finished,
}

/// `Generator::flags`: an async generator has an `asend`/`athrow`/`aclose`
/// (or `async for` step) in progress (CPython's `ag_running_async`).
pub const AG_RUNNING_ASYNC: u32 = 1;
/// `Generator::flags`: `aclose()` was called (CPython's `ag_closed`).
pub const AG_CLOSED: u32 = 2;
/// `Generator::flags`: the first-iteration hook has run (the event loop
/// knows this async generator and will finalise it).
pub const AG_HOOKS_INITED: u32 = 4;
/// `Generator::flags`: dropping this suspended generator is observable (it
/// is paused inside a `try`/`with`, delegates to one that is, or is an async
/// generator its loop finalises): counted in `Heap::fin_count` (see
/// `vm/finalize.rs`).
pub const GEN_NEEDS_FIN: u32 = 8;
/// `Generator::flags`: finalised once already; never again.
pub const GEN_FINALIZED: u32 = 16;

pub struct Generator {
    pub kind: CodeKind,
    pub state: GenState,
    /// The saved frame (None while running or finished).
    pub frame: Option<Frame>,
    /// The saved slots and operand stack of the frame.
    pub stack: Vec<Value>,
    /// The saved "exception being handled" of the generator.
    pub handled: Value,
    pub name: Value,
    pub qualname: Value,
    /// Async generator state bits (`AG_*`).
    pub flags: u32,
    /// The generator's code (kept after it finishes, for reprs).
    pub code: Rc<Code>,
    /// For coroutines: the code and instruction that created it, reported
    /// if it is collected without ever being awaited.
    pub origin: Option<(Rc<Code>, u32)>,
}

impl Generator {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        if let Some(fr) = &self.frame {
            fr.trace(f);
        }
        self.stack.iter().for_each(|&v| f(v));
        f(self.handled);
        f(self.name);
        f(self.qualname);
    }
}

/// What a [`GenOp`] does to its generator.
#[derive(Clone, Copy, Debug)]
pub enum GenOpKind {
    /// `agen.asend(value)` / `agen.__anext__()`: resume with `value`; the
    /// next `yield` is the awaitable's result.
    ASend(Value),
    /// `agen.athrow(exc)`: raise `exc` at the yield; the next `yield` is the
    /// result, finishing raises StopAsyncIteration.
    AThrow(Value),
    /// `agen.aclose()`: raise GeneratorExit at the yield; the generator must
    /// finish without yielding again.
    AClose,
    /// `coroutine.__await__()`: an iterator that resumes the coroutine.
    Await,
}

/// Progress of a [`GenOp`] (CPython's awaitable states).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenOpState {
    Init,
    Iter,
    Closed,
}

/// An awaitable or iterator that drives a generator: the objects returned by
/// an async generator's `asend`/`athrow`/`aclose`/`__anext__`, and by a
/// coroutine's `__await__`.
pub struct GenOp {
    pub gen: ObjRef,
    pub kind: GenOpKind,
    pub state: GenOpState,
}

impl GenOp {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(Value::Obj(self.gen));
        match self.kind {
            GenOpKind::ASend(v) | GenOpKind::AThrow(v) => f(v),
            GenOpKind::AClose | GenOpKind::Await => {}
        }
    }
}
