//! Frames and fibers: the VM's execution state as plain data.
//!
//! A [`Fiber`] is one thread of execution: the main program, or one asyncio
//! task. It owns one contiguous value stack and the stack of [`Frame`]s
//! running on it; a frame's slots (locals, cells, free variables) start at
//! `base` and its operand stack follows them. Calling an aspy function from
//! aspy code pushes a frame: the Rust stack does not grow. Suspending a task
//! leaves its fiber untouched, so resuming costs the same at any await depth.
//!
//! A generator that is not running keeps its frame and its slice of the
//! value stack inside the generator object; resuming copies them onto the
//! resuming fiber, and yielding copies them back.

use super::object::VmCode;
use super::value::{ObjRef, Value};
use std::rc::Rc;

/// What happens when a frame returns (or, for generator frames, yields).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameMode {
    /// An ordinary call from aspy code: push the result on the caller's stack.
    Call,
    /// `Class(...)` running `__init__`: the result must be None; push the
    /// instance (stored in the caller's stack slot of the callee) instead.
    Init,
    /// Called from Rust (a nested dispatch): return the result to Rust.
    Native,
    /// A generator resumed by the caller's `ForIter`: a yield pushes the
    /// value for the loop body; a return ends the loop.
    ForIter,
    /// A generator or coroutine resumed by the caller's `Send` (`yield from`
    /// / `await`): yields pass through to whoever resumed the caller; a
    /// return delivers the value to the caller's `Send`.
    Delegate,
    /// A generator resumed from Rust (`next()`, `send()`, `throw()`): yields
    /// and returns go back to Rust.
    NativeResume,
    /// The root coroutine of an asyncio task: a yield suspends the whole
    /// fiber and hands the yielded value to the event loop.
    TaskRoot,
}

pub struct Frame {
    pub code: Rc<VmCode>,
    /// Index of the next instruction.
    pub ip: u32,
    /// Index in the fiber's stack of this frame's slot 0.
    pub base: u32,
    /// Stack height to restore when the frame returns (below the callee and
    /// its arguments), before the result is pushed.
    pub ret_sp: u32,
    /// The module namespace (a `Dict` object) for global lookups.
    pub globals: ObjRef,
    /// The namespace for `LoadName`/`StoreName` (module or class body); for
    /// an `Init` frame, the instance being initialised; otherwise None.
    pub locals: Value,
    pub mode: FrameMode,
    /// The generator object running this frame, if any.
    pub generator: Option<ObjRef>,
}

impl Frame {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        self.code.trace(f);
        f(Value::Obj(self.globals));
        f(self.locals);
        if let Some(g) = self.generator {
            f(Value::Obj(g));
        }
    }
}

/// A thread of execution: a value stack and the frames running on it.
#[derive(Default)]
pub struct Fiber {
    pub stack: Vec<Value>,
    pub frames: Vec<Frame>,
    /// The exception currently being handled (`sys.exc_info()`), or None.
    pub handled: Value,
}

impl Fiber {
    /// Pushes a fresh frame (`ip` 0, no generator) for a call.
    /// The fields are written straight into the vector: building a `Frame`
    /// and copying it in costs a store-forwarding stall on every call.
    #[inline(always)]
    pub fn push_call_frame(
        &mut self,
        code: Rc<VmCode>,
        base: u32,
        ret_sp: u32,
        globals: ObjRef,
        mode: FrameMode,
        locals: Value,
    ) {
        if self.frames.len() == self.frames.capacity() {
            self.frames.reserve(1);
        }
        let len = self.frames.len();
        let p = self.frames.spare_capacity_mut()[0].as_mut_ptr();
        // SAFETY: `p` points to spare capacity; every field is written
        // before the length covers it.
        unsafe {
            std::ptr::addr_of_mut!((*p).code).write(code);
            std::ptr::addr_of_mut!((*p).ip).write(0);
            std::ptr::addr_of_mut!((*p).base).write(base);
            std::ptr::addr_of_mut!((*p).ret_sp).write(ret_sp);
            std::ptr::addr_of_mut!((*p).globals).write(globals);
            std::ptr::addr_of_mut!((*p).locals).write(locals);
            std::ptr::addr_of_mut!((*p).mode).write(mode);
            std::ptr::addr_of_mut!((*p).generator).write(None);
            self.frames.set_len(len + 1);
        }
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        self.stack.iter().for_each(|&v| f(v));
        self.frames.iter().for_each(|fr| fr.trace(f));
        f(self.handled);
    }
}
