//! Generators, coroutines and async generators, and the small objects that
//! drive them on a user's behalf.
//!
//! All three are a suspended frame plus a state. While not running, the
//! generator keeps its frame's instruction pointer and values; while
//! running, the frame lives on the fiber that resumed it (see
//! `vm/frame.rs`). A coroutine suspended inside a task keeps state
//! `Running`: its frame stays on the task's fiber, which is set aside whole,
//! or, when it is the task's only frame, is saved here (`PARKED`).

use crate::bytecode::{Code, CodeKind};
use crate::vm::object::VmCode;
use crate::vm::value::{ObjRef, OptRef, Value};
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
pub const AG_RUNNING_ASYNC: u8 = 1;
/// `Generator::flags`: `aclose()` was called (CPython's `ag_closed`).
pub const AG_CLOSED: u8 = 2;
/// `Generator::flags`: the first-iteration hook has run (the event loop
/// knows this async generator and will finalise it).
pub const AG_HOOKS_INITED: u8 = 4;
/// `Generator::flags`: a `Running` coroutine whose frame is saved in the
/// object: the root of a task parked with no other frame (see
/// `runtime/task.rs`).
pub const PARKED: u8 = 8;
/// `Generator::flags`: dropping this suspended generator is observable (it
/// is paused inside a `try`/`with`, delegates to one that is, or is an async
/// generator its loop finalises): counted in `Heap::fin_count` (see
/// `vm/finalize.rs`).
pub const GEN_NEEDS_FIN: u8 = 16;
/// `Generator::flags`: finalised once already; never again.
pub const GEN_FINALIZED: u8 = 32;

/// A generator, coroutine or async generator.
///
/// Boxed in its heap slot (56 bytes), with its values in a second block. The saved frame is `ip` and the first `sp` of
/// `values`; the function supplies the globals (and the names).
pub struct Generator {
    pub kind: CodeKind,
    pub state: GenState,
    /// `AG_*` and `PARKED` bits.
    pub flags: u8,
    /// The saved frame's next instruction.
    pub ip: u32,
    /// How many of `values` the saved frame uses (slots, then operands).
    pub sp: u32,
    /// The function that made it: its globals run the frame and its
    /// `__name__`/`__qualname__` are the generator's.
    pub func: ObjRef,
    /// The saved "exception being handled" (an exception object).
    handled: OptRef,
    /// For an unstarted coroutine: the instruction of `origin` that
    /// created it.
    origin_ip: u32,
    /// The code (kept after it finishes, for reprs).
    pub code: Rc<VmCode>,
    /// The saved values, with room for the frame's deepest stack
    /// (`frame_size`) so suspending does not reallocate; empty once the
    /// generator has finished.
    pub values: Box<[Value]>,
    /// For coroutines: the code that created it, reported if it is
    /// collected without ever being awaited.
    origin: Option<Rc<Code>>,
}

impl Generator {
    /// A new generator in state `Created` whose frame's bound slots are
    /// `slots`; `origin` is where a coroutine was created.
    pub fn new(
        func: ObjRef,
        code: Rc<VmCode>,
        slots: &[Value],
        origin: Option<(Rc<Code>, u32)>,
    ) -> Generator {
        let size = (code.frame_size as usize).max(slots.len());
        let mut values = vec![Value::Unbound; size].into_boxed_slice();
        values[..slots.len()].copy_from_slice(slots);
        let (origin, origin_ip) = match origin {
            Some((c, ip)) => (Some(c), ip),
            None => (None, 0),
        };
        Generator {
            kind: code.code.kind,
            state: GenState::Created,
            flags: 0,
            ip: 0,
            sp: slots.len() as u32,
            func,
            handled: OptRef::NONE,
            origin_ip,
            code,
            values,
            origin,
        }
    }

    /// The saved frame's values.
    #[inline]
    pub fn saved(&self) -> &[Value] {
        &self.values[..self.sp as usize]
    }

    /// Saves a frame's values (growing the buffer only if the compiler's
    /// stack depth was exceeded).
    #[inline]
    pub fn save(&mut self, ip: u32, vals: &[Value]) {
        if vals.len() > self.values.len() {
            self.values = vals.to_vec().into_boxed_slice();
        } else {
            self.values[..vals.len()].copy_from_slice(vals);
        }
        self.ip = ip;
        self.sp = vals.len() as u32;
    }

    /// Drops the saved frame for good (the generator finished).
    pub fn clear(&mut self) {
        self.values = Box::default();
        self.sp = 0;
    }

    /// Is the frame saved here (rather than on a fiber, or gone)?
    pub fn has_saved_frame(&self) -> bool {
        match self.state {
            GenState::Created | GenState::Suspended => true,
            GenState::Running => self.flags & PARKED != 0,
            GenState::Finished => false,
        }
    }

    /// The saved "exception being handled" (None if none).
    #[inline]
    pub fn handled(&self) -> Value {
        self.handled.value()
    }

    /// Sets the saved "exception being handled" (None or an exception).
    #[inline]
    pub fn set_handled(&mut self, v: Value) {
        self.handled = OptRef::from_value(v);
    }

    /// Where an unstarted coroutine was created.
    pub fn origin(&self) -> Option<(Rc<Code>, u32)> {
        self.origin.clone().map(|c| (c, self.origin_ip))
    }

    /// Forgets the creation site (the coroutine has started).
    #[inline]
    pub fn clear_origin(&mut self) {
        self.origin = None;
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        self.code.trace(f);
        // While it runs, the buffer holds stale copies of values the
        // fiber now owns (a deleted local must not stay alive).
        if self.has_saved_frame() {
            self.saved().iter().for_each(|&v| f(v));
        }
        f(self.handled());
        f(Value::Obj(self.func));
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
