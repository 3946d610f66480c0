//! Generators, coroutines and async generators in motion: creating them,
//! resuming them (from the `Send` and `ForIter` instructions or from Rust),
//! delivering their yields and returns to whoever resumed them, and the
//! `Send` instruction itself.
//!
//! Invariants:
//! - A generator's frame is saved in its object (state Created/Suspended)
//!   or is on exactly one fiber (state Running).
//! - A yield that passes through `Send` walks down the contiguous
//!   `Delegate` frames under the top frame to the frame that resumed the
//!   chain (the head). At a task root the whole fiber suspends untouched, so
//!   resuming costs the same at any depth; otherwise every frame from the
//!   head up is saved back into its generator and the value goes to the
//!   head's resumer.
//! - In an async generator, `YieldValue` produces a value for the awaitable
//!   that resumed it (`async for`, asend, athrow, aclose), never for the
//!   task: only yields that pass through `Send` reach the event loop. The
//!   awaiting frame's `Send` operand (the generator itself for `async for`,
//!   or a [`GenOp`]) says what a yield, a return or an exception means.
//!
//! `throw`, `close` and the async-generator operations from Rust are in
//! `gen_ops.rs`.

use super::exceptions::ExcKind;
use super::frame::{Frame, FrameMode};
use super::interp::{Exit, Flow};
use super::object::generator::{
    AG_CLOSED, AG_HOOKS_INITED, AG_RUNNING_ASYNC, GEN_FINALIZED, GEN_NEEDS_FIN, PARKED,
};
use super::object::{GenOpKind, GenOpState, GenState, Generator, Object, VmCode};
use super::value::{ObjRef, Value};
use super::{PyErr, PyResult, Vm};
use crate::bytecode::{CodeKind, Instr};
use std::rc::Rc;

/// What one resumption of a generator from Rust produced.
pub enum GenStep {
    Yield(Value),
    Return(Value),
}

/// How the frame awaiting an async generator interprets its results.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AgenAwaiter {
    /// `async for`, `asend`, `__anext__`, `athrow`: a yield is the result.
    Next,
    /// `aclose`: the generator must finish.
    Close,
}

impl Vm {
    /// A new generator, coroutine or async generator for a call of `fref`
    /// whose bound slots are the fiber's values from `start` (taken off
    /// the stack).
    pub(crate) fn new_generator(&mut self, fref: ObjRef, code: Rc<VmCode>, start: usize) -> Value {
        let origin = if code.code.kind == CodeKind::Coroutine {
            self.unstarted_coroutines += 1;
            self.fiber.frames.last().map(|f| {
                let ip = f.ip.saturating_sub(1);
                (f.code.code.clone(), ip)
            })
        } else {
            None
        };
        let gen = Generator::new(fref, code, &self.fiber.stack[start..], origin);
        self.fiber.stack.truncate(start);
        self.alloc(Object::Generator(Box::new(gen)))
    }

    /// A generator's `__name__` and `__qualname__`: its function's.
    pub fn generator_names(&self, gen: &Generator) -> (Value, Value) {
        match self.heap.get(gen.func) {
            Object::Function(f) => (f.name, f.qualname),
            _ => (Value::None, Value::None),
        }
    }

    /// Pushes a suspended generator's frame onto the current fiber, in
    /// `mode`, delivering `sent` (or raising `throw` inside it: the error is
    /// returned for the caller to unwind, with the frame already pushed).
    /// If the generator cannot be resumed the error is returned and no
    /// frame is pushed.
    pub(crate) fn resume_generator(
        &mut self,
        g: ObjRef,
        sent: Value,
        throw: Option<Value>,
        mode: FrameMode,
    ) -> PyResult<()> {
        let Object::Generator(gen) = self.heap.get_mut(g) else {
            unreachable!()
        };
        match gen.state {
            GenState::Running => return Err(self.already_running(g, mode)),
            GenState::Finished => {
                let kind = gen.kind;
                if let Some(exc) = throw {
                    if kind != CodeKind::Coroutine {
                        return Err(PyErr(exc));
                    }
                }
                return Err(match kind {
                    CodeKind::Coroutine => self.new_error(
                        ExcKind::RuntimeError,
                        "cannot reuse already awaited coroutine",
                    ),
                    CodeKind::AsyncGenerator => self.new_exc_no_args(ExcKind::StopAsyncIteration),
                    _ => self.stop_iteration(Value::None),
                });
            }
            GenState::Created => {
                if let Some(exc) = throw {
                    if gen.kind == CodeKind::Coroutine {
                        self.unstarted_coroutines = self.unstarted_coroutines.saturating_sub(1);
                    }
                    gen.state = GenState::Finished;
                    gen.clear();
                    gen.clear_origin();
                    gen.flags &= !AG_RUNNING_ASYNC;
                    return Err(PyErr(exc));
                }
                if !sent.is_none() {
                    let what = generator_word(gen.kind);
                    gen.flags &= !AG_RUNNING_ASYNC;
                    let msg = format!("can't send non-None value to a just-started {what}");
                    return Err(self.type_error(msg));
                }
            }
            GenState::Suspended => {}
        }
        let was_created = gen.state == GenState::Created;
        if was_created && gen.kind == CodeKind::Coroutine {
            self.unstarted_coroutines = self.unstarted_coroutines.saturating_sub(1);
            gen.clear_origin();
        }
        gen.state = GenState::Running;
        self.push_generator_frame(g, sent, throw, mode)
    }

    /// Moves generator `g`'s saved frame onto the fiber in `mode` (its
    /// state already says Running) and delivers `sent` or raises `throw`
    /// as `resume_generator` describes.
    pub(crate) fn push_generator_frame(
        &mut self,
        g: ObjRef,
        sent: Value,
        throw: Option<Value>,
        mode: FrameMode,
    ) -> PyResult<()> {
        let base = self.fiber.stack.len();
        let Object::Generator(gen) = self.heap.get_mut(g) else {
            unreachable!()
        };
        gen.flags &= !PARKED;
        // While running, the generator keeps the resumer's handled
        // exception and sees it unless it handles one of its own (CPython
        // looks down its stack of exception states).
        let outer = self.fiber.handled;
        let own = gen.handled();
        gen.set_handled(outer);
        self.fiber.handled = if own.is_none() { outer } else { own };
        let ip = gen.ip;
        let was_created = ip == 0;
        let code = gen.code.clone();
        let func = gen.func;
        // The values are copied onto the fiber; the generator keeps its
        // buffer for the next suspension (no allocation per resume/yield).
        self.fiber.stack.extend_from_slice(gen.saved());
        let globals = match self.heap.get(func) {
            Object::Function(f) => f.globals,
            _ => unreachable!("a generator's function"),
        };
        let at_send = !was_created && at_send(&code, ip);
        if self.fiber.frames.capacity() == 0 {
            // Most tasks never await deeper than a frame or two.
            self.fiber.frames.reserve_exact(1);
        }
        // Written in place (a `Frame` built and copied in would stall).
        self.fiber
            .push_call_frame(code, base as u32, base as u32, globals, mode, Value::None);
        let frame = self.fiber.frames.last_mut().unwrap();
        frame.generator = Some(g);
        // At a `Send`, the `Send` runs again with the value sent.
        frame.ip = if throw.is_none() && at_send {
            ip - 1
        } else {
            ip
        };
        if self.fiber.frames.len() > self.config.recursion_limit {
            return Err(self.new_error(ExcKind::RecursionError, "maximum recursion depth exceeded"));
        }
        match throw {
            Some(exc) if at_send => self.throw_into_delegate(exc),
            Some(exc) => Err(PyErr(exc)),
            None => {
                if was_created {
                    return Ok(());
                }
                let frame = self.fiber.frames.last_mut().unwrap();
                if !at_send && matches!(frame.code.instrs.get(ip as usize), Some(Instr::Pop)) {
                    // `yield x` as a statement: the sent value is dropped
                    // at once, so skip pushing it and the `Pop`.
                    frame.ip += 1;
                } else {
                    self.fiber.stack.push(sent);
                }
                Ok(())
            }
        }
    }

    /// The top frame has just been put back on the fiber at a yield or a
    /// `Send`: make `sent` the value of that expression (a `Send` runs again
    /// with it).
    pub(crate) fn deliver_sent(&mut self, sent: Value) {
        let top = self.fiber.frames.last_mut().unwrap();
        if frame_at_send(top) {
            top.ip -= 1;
        }
        self.fiber.stack.push(sent);
    }

    /// Raises `exc` in the top frame, which is paused at a `Send`: a
    /// suspended generator it delegates to gets the exception first
    /// (GeneratorExit closes it instead, as CPython does).
    pub(crate) fn throw_into_delegate(&mut self, exc: Value) -> PyResult<()> {
        let sub = *self.fiber.stack.last().unwrap();
        let Value::Obj(sr) = sub else {
            return Err(PyErr(exc));
        };
        let target = match self.heap.get(sr) {
            Object::Native(_) => {
                // A native awaitable cleans up (a lock's waiter list, ...).
                if let Some(hook) = self.await_hook {
                    hook(self, sr, Value::None, Some(exc))?;
                }
                return Err(PyErr(exc));
            }
            Object::Generator(sg) if sg.state == GenState::Suspended => Some(sr),
            Object::GenOp(op) if op.state != GenOpState::Closed => match self.heap.get(op.gen) {
                Object::Generator(sg) if sg.state == GenState::Suspended => Some(op.gen),
                _ => None,
            },
            _ => None,
        };
        let Some(target) = target else {
            return Err(PyErr(exc));
        };
        if self.exc_matches(exc, ExcKind::GeneratorExit) {
            self.gen_close(target)?;
            return Err(PyErr(exc));
        }
        self.resume_generator(target, Value::None, Some(exc), FrameMode::Delegate)
    }

    /// Raises `exc` in the top frame of the fiber (a resumed task): thrown
    /// into what it delegates to if it is paused at a `Send`.
    pub fn throw_into_top(&mut self, exc: Value) -> PyResult<()> {
        if self.fiber.frames.last().is_some_and(frame_at_send) {
            self.throw_into_delegate(exc)
        } else {
            Err(PyErr(exc))
        }
    }

    /// `YieldValue`, `Send` and `GetANext` (with the `LoadNone; Send` of
    /// `async for` after it), straight from the dispatch loop: the stack
    /// is synced, `ip` is the index after `instr` in the frame at `fi`.
    #[inline(never)]
    pub(crate) fn exec_gen(
        &mut self,
        instr: Instr,
        fi: usize,
        ip: &mut usize,
        stop: usize,
        vcode: &VmCode,
    ) -> PyResult<Flow> {
        self.fiber.frames[fi].ip = *ip as u32;
        match instr {
            Instr::YieldValue => {
                let v = self.fiber.stack.pop().unwrap_or(Value::None);
                match self.yield_from_frame(v, true) {
                    Ok(Some(exit)) => Ok(Flow::Exit(exit)),
                    Ok(None) => Ok(Flow::Frames),
                    // Raised in the frame now on top (the one awaiting an
                    // async generator's aclose).
                    Err(e) => Ok(match self.unwind(e, stop) {
                        Ok(()) => Flow::Frames,
                        Err(e) => Flow::Fail(e),
                    }),
                }
            }
            Instr::Send(_) => self.send_flow(),
            _ => {
                let v = *self.fiber.stack.last().unwrap();
                // `async for` continues with `LoadNone; Send`: run them now
                // rather than dispatching each.
                let fused = matches!(
                    vcode.instrs.get(*ip..*ip + 2),
                    Some([Instr::LoadNone, Instr::Send(_)])
                );
                if fused && self.async_for_ready(v) {
                    *ip += 2;
                    self.fiber.frames[fi].ip = *ip as u32;
                    self.fiber.stack.push(v);
                    self.async_for_step(v)?;
                    return Ok(Flow::Frames);
                }
                let aw = self.get_anext(v)?;
                self.fiber.stack.push(aw);
                if !fused {
                    return Ok(Flow::Next);
                }
                *ip += 2;
                self.fiber.frames[fi].ip = *ip as u32;
                self.fiber.stack.push(Value::None);
                self.send_flow()
            }
        }
    }

    /// `Send` as a flow of the dispatch loop.
    fn send_flow(&mut self) -> PyResult<Flow> {
        Ok(match self.send_instr()? {
            Some(exit) => Flow::Exit(exit),
            None => Flow::Frames,
        })
    }

    /// Would a yield from the top frame's `Send` reach a task (every frame
    /// from the top down awaits the next, down to a `TaskRoot`)?
    pub fn awaits_reach_task(&self) -> bool {
        for f in self.fiber.frames.iter().rev() {
            match f.mode {
                FrameMode::Delegate => continue,
                FrameMode::TaskRoot => return true,
                _ => return false,
            }
        }
        false
    }

    /// The error for resuming a generator whose frame is already on a fiber.
    fn already_running(&mut self, g: ObjRef, mode: FrameMode) -> PyErr {
        let kind = match self.heap.get(g) {
            Object::Generator(gen) => gen.kind,
            _ => CodeKind::Generator,
        };
        let on_this_fiber = self.fiber.frames.iter().any(|f| f.generator == Some(g));
        if kind == CodeKind::Coroutine && mode == FrameMode::Delegate && !on_this_fiber {
            return self.new_error(ExcKind::RuntimeError, "coroutine is being awaited already");
        }
        if kind == CodeKind::AsyncGenerator {
            return self.new_error(
                ExcKind::RuntimeError,
                "anext(): asynchronous generator is already running",
            );
        }
        let msg = format!("{} already executing", generator_word(kind));
        self.value_error(msg)
    }

    /// Resumes a generator from Rust (`next`, `send`, `throw`).
    pub fn gen_resume(
        &mut self,
        g: ObjRef,
        sent: Value,
        throw: Option<Value>,
    ) -> PyResult<GenStep> {
        let stop = self.fiber.frames.len();
        if let Err(e) = self.resume_generator(g, sent, throw, FrameMode::NativeResume) {
            if self.fiber.frames.len() > stop {
                self.unwind(e, stop)?;
            } else {
                return Err(e);
            }
        }
        match self.run_nested(stop)? {
            Exit::Yield(v) | Exit::Suspend(v) => Ok(GenStep::Yield(v)),
            Exit::Return(v) => Ok(GenStep::Return(v)),
        }
    }

    /// The top frame yields `v`: from `YieldValue` (`value_yield`), or from a
    /// `Send` whose sub-iterator yielded. Delivers it to whoever resumed the
    /// chain; an error is raised in the frame that is then on top.
    pub(crate) fn yield_from_frame(
        &mut self,
        v: Value,
        value_yield: bool,
    ) -> PyResult<Option<Exit>> {
        let top = self.fiber.frames.len() - 1;
        if value_yield {
            if let Some(g) = self.fiber.frames[top].generator {
                if self.is_async_generator(g) {
                    return self.agen_value_yield(g, v);
                }
            }
        }
        let mut h = top;
        while self.fiber.frames[h].mode == FrameMode::Delegate && h > 0 {
            h -= 1;
        }
        let head_mode = self.fiber.frames[h].mode;
        if head_mode == FrameMode::TaskRoot {
            return Ok(Some(Exit::Suspend(v)));
        }
        for _ in h..=top {
            self.suspend_top_frame();
        }
        match head_mode {
            FrameMode::ForIter => {
                self.fiber.stack.push(v);
                Ok(None)
            }
            _ => Ok(Some(Exit::Yield(v))),
        }
    }

    fn is_async_generator(&self, g: ObjRef) -> bool {
        matches!(self.heap.get(g), Object::Generator(gen) if gen.kind == CodeKind::AsyncGenerator)
    }

    /// An async generator's `yield v`: the value is the result of the
    /// awaitable that resumed it.
    fn agen_value_yield(&mut self, g: ObjRef, v: Value) -> PyResult<Option<Exit>> {
        let mode = self.fiber.frames.last().unwrap().mode;
        self.save_top_frame(GenState::Suspended, AG_RUNNING_ASYNC);
        if mode != FrameMode::Delegate {
            // Driven from Rust (`gen_op_resume`): it sees the generator
            // suspended and takes `v` as the awaitable's result.
            return Ok(Some(Exit::Return(v)));
        }
        match self.close_awaiter(g) {
            AgenAwaiter::Close => Err(self.new_error(
                ExcKind::RuntimeError,
                "async generator ignored GeneratorExit",
            )),
            AgenAwaiter::Next => {
                self.finish_send(v);
                Ok(None)
            }
        }
    }

    /// The frame awaiting an async generator (the top frame, at a `Send`):
    /// marks its awaitable done and says what kind it was (`g` is the
    /// async generator).
    fn close_awaiter(&mut self, g: ObjRef) -> AgenAwaiter {
        let sub = *self.fiber.stack.last().unwrap();
        if let Value::Obj(r) = sub {
            if r == g {
                // `async for` awaits the generator itself: nothing to close.
                return AgenAwaiter::Next;
            }
            if let Object::GenOp(op) = self.heap.get_mut(r) {
                op.state = GenOpState::Closed;
                if matches!(op.kind, GenOpKind::AClose) {
                    return AgenAwaiter::Close;
                }
            }
        }
        AgenAwaiter::Next
    }

    /// A `Delegate` frame (running generator `g`) returned `v`; the frame is
    /// already popped. `yield from`/`await` evaluates to `v`; an async
    /// generator's return ends the awaiting `async for`/asend/athrow with
    /// StopAsyncIteration, and completes an aclose.
    pub(crate) fn delegate_returned(&mut self, g: Option<ObjRef>, v: Value) -> PyResult<()> {
        if let Some(g) = g {
            if self.is_async_generator(g) {
                return match self.close_awaiter(g) {
                    AgenAwaiter::Close => {
                        self.finish_send(Value::None);
                        Ok(())
                    }
                    AgenAwaiter::Next => Err(self.new_exc_no_args(ExcKind::StopAsyncIteration)),
                };
            }
        }
        self.finish_send(v);
        Ok(())
    }

    /// An async generator's frame (in `Delegate` mode) raised `exc` and was
    /// popped. Returns true if the awaiting frame completes normally
    /// instead (an aclose whose generator exited with GeneratorExit or
    /// StopAsyncIteration).
    pub(crate) fn agen_raised(&mut self, g: ObjRef, exc: Value) -> bool {
        if !self.is_async_generator(g) {
            return false;
        }
        let closing = self.close_awaiter(g) == AgenAwaiter::Close;
        if closing
            && (self.exc_matches(exc, ExcKind::GeneratorExit)
                || self.exc_matches(exc, ExcKind::StopAsyncIteration))
        {
            self.finish_send(Value::None);
            return true;
        }
        false
    }

    pub(crate) fn clear_agen_flag(&mut self, g: ObjRef, flag: u8) {
        if let Object::Generator(gen) = self.heap.get_mut(g) {
            gen.flags &= !flag;
        }
    }

    /// Moves the top frame (a generator's) back into its generator object.
    pub(crate) fn suspend_top_frame(&mut self) {
        self.save_top_frame(GenState::Suspended, 0);
    }

    /// Pops the top frame into its generator object, which takes `state`
    /// (Running with `PARKED` for a parked task's root) and loses the
    /// `clear` flags.
    pub(crate) fn save_top_frame(&mut self, state: GenState, clear: u8) {
        // Field by field: moving the whole frame out would read it back in
        // wide chunks right after its fields were stored (a stall).
        let frame = self.fiber.frames.last().unwrap();
        let (base, ip, generator) = (frame.base as usize, frame.ip, frame.generator);
        self.fiber.frames.truncate(self.fiber.frames.len() - 1);
        let Some(g) = generator else {
            self.fiber.stack.truncate(base);
            return;
        };
        let current = self.fiber.handled;
        if let Object::Generator(gen) = self.heap.get_mut(g) {
            gen.state = state;
            gen.flags &= !clear;
            if state == GenState::Running {
                gen.flags |= PARKED;
            }
            gen.save(ip, &self.fiber.stack[base..]);
            self.fiber.stack.truncate(base);
            let outer = gen.handled();
            gen.set_handled(if current.is(outer) {
                Value::None
            } else {
                current
            });
            self.fiber.handled = outer;
            if gen.flags & (GEN_NEEDS_FIN | GEN_FINALIZED) == 0 {
                self.fin_note_suspended(g);
            }
        }
    }

    /// A generator frame returned: mark it finished.
    pub(crate) fn generator_finished(&mut self, g: ObjRef) {
        if let Object::Generator(gen) = self.heap.get_mut(g) {
            gen.state = GenState::Finished;
            gen.clear();
            gen.flags &= !AG_RUNNING_ASYNC;
            self.fiber.handled = gen.handled();
            gen.set_handled(Value::None);
            if gen.flags & GEN_NEEDS_FIN != 0 {
                self.fin_unflag(g, false);
            }
        }
    }

    /// A generator frame raised `exc` out of itself: mark it finished and
    /// apply PEP 479 (StopIteration becomes RuntimeError).
    pub(crate) fn generator_died(&mut self, g: ObjRef, exc: Value) -> Value {
        self.generator_finished(g);
        let kind = match self.heap.get(g) {
            Object::Generator(gen) => gen.kind,
            _ => return exc,
        };
        let what = generator_word(kind);
        let converted = if self.exc_matches(exc, ExcKind::StopIteration) {
            Some(format!("{what} raised StopIteration"))
        } else if kind == CodeKind::AsyncGenerator
            && self.exc_matches(exc, ExcKind::StopAsyncIteration)
        {
            Some(format!("{what} raised StopAsyncIteration"))
        } else {
            None
        };
        match converted {
            Some(msg) => {
                let e = self.new_error(ExcKind::RuntimeError, msg).0;
                if let Some(d) = self.exc_data_mut(e) {
                    d.cause = exc;
                    d.context = exc;
                    d.suppress_context = true;
                }
                e
            }
            None => exc,
        }
    }

    /// A `StopIteration(value)` exception.
    pub fn stop_iteration(&mut self, value: Value) -> PyErr {
        let cls = self.types.exc(ExcKind::StopIteration);
        let args = if value.is_none() { vec![] } else { vec![value] };
        let e = super::exceptions::new_exception(self, cls, args);
        self.set_exc_field(e, 0, value);
        PyErr(e)
    }

    /// An exception of a built-in kind with no arguments (`GeneratorExit()`).
    pub fn new_exc_no_args(&mut self, kind: ExcKind) -> PyErr {
        let cls = self.types.exc(kind);
        PyErr(super::exceptions::new_exception(self, cls, Vec::new()))
    }

    /// `Send(target)`: one delegation step of `yield from` / `await`.
    pub(crate) fn send_instr(&mut self) -> PyResult<Option<Exit>> {
        let value = self.fiber.stack.pop().unwrap();
        let sub = *self.fiber.stack.last().unwrap();
        if let Value::Obj(r) = sub {
            match self.heap.get(r) {
                Object::Generator(g) => {
                    match g.kind {
                        CodeKind::AsyncGenerator => self.anext_step(r, value)?,
                        CodeKind::Coroutine => {
                            self.resume_generator(r, value, None, FrameMode::Delegate)?
                        }
                        _ if g.state == GenState::Finished => self.finish_send(Value::None),
                        _ => self.resume_generator(r, value, None, FrameMode::Delegate)?,
                    }
                    return Ok(None);
                }
                Object::GenOp(_) => {
                    self.gen_op_step(r, value)?;
                    return Ok(None);
                }
                Object::Native(_) => {
                    if let Some(hook) = self.await_hook {
                        if let Some(step) = hook(self, r, value, None)? {
                            return self.sub_stepped(step);
                        }
                    }
                }
                _ => {}
            }
        }
        // Any other iterator: `send` or `__next__`.
        self.temp_roots.push(sub);
        let step = if value.is_none() {
            self.iter_next_with_value(sub)
        } else {
            match self.get_attr_str(sub, "send") {
                Ok(m) => self
                    .call(m, &[value], &[])
                    .map(GenStep::Yield)
                    .or_else(|e| {
                        if self.exc_matches(e.0, ExcKind::StopIteration) {
                            Ok(GenStep::Return(self.stop_iteration_value(e.0)))
                        } else {
                            Err(e)
                        }
                    }),
                Err(e) => Err(e),
            }
        };
        self.temp_roots.pop();
        self.sub_stepped(step?)
    }

    /// The `Send` operand (not a frame of ours) yielded or finished.
    fn sub_stepped(&mut self, step: GenStep) -> PyResult<Option<Exit>> {
        match step {
            GenStep::Yield(y) => self.yield_from_frame(y, false),
            GenStep::Return(v) => {
                self.finish_send(v);
                Ok(None)
            }
        }
    }

    /// `Send` on an async generator itself: one step of `async for` (the
    /// `__anext__` awaitable without allocating it).
    fn anext_step(&mut self, g: ObjRef, value: Value) -> PyResult<()> {
        let Object::Generator(gen) = self.heap.get_mut(g) else {
            unreachable!()
        };
        if gen.state == GenState::Suspended
            && gen.flags & (AG_RUNNING_ASYNC | AG_HOOKS_INITED) == AG_HOOKS_INITED
        {
            // The usual step of `async for`: straight to the frame.
            gen.flags |= AG_RUNNING_ASYNC;
            gen.state = GenState::Running;
            return self.push_generator_frame(g, value, None, FrameMode::Delegate);
        }
        if gen.state == GenState::Finished {
            return Err(self.new_exc_no_args(ExcKind::StopAsyncIteration));
        }
        // Running with the flag set: a step resumed after passing a yield
        // through to the task; without: a new step.
        if gen.flags & AG_RUNNING_ASYNC == 0 {
            if gen.state == GenState::Running {
                return Err(self.already_running(g, FrameMode::Delegate));
            }
            gen.flags |= AG_RUNNING_ASYNC;
            if gen.flags & AG_HOOKS_INITED == 0 {
                self.agen_first_iteration(g);
            }
        }
        self.resume_generator(g, value, None, FrameMode::Delegate)
    }

    /// Is `v` an async generator (not a subclass instance) ready for the
    /// usual step of `async for`: suspended, its hooks run, no step in
    /// progress?
    #[inline]
    pub(crate) fn async_for_ready(&self, v: Value) -> bool {
        let Value::Obj(r) = v else { return false };
        matches!(self.heap.get(r), Object::Generator(gen)
            if gen.kind == CodeKind::AsyncGenerator
                && gen.state == GenState::Suspended
                && gen.flags & (AG_RUNNING_ASYNC | AG_HOOKS_INITED) == AG_HOOKS_INITED)
            && !self.heap.has_ext(r)
    }

    /// The usual step of `async for` on `v` (see `async_for_ready`),
    /// awaited by the top frame's `Send` (already passed): the generator's
    /// frame goes on top.
    pub(crate) fn async_for_step(&mut self, v: Value) -> PyResult<()> {
        let Value::Obj(g) = v else { unreachable!() };
        if let Object::Generator(gen) = self.heap.get_mut(g) {
            gen.flags |= AG_RUNNING_ASYNC;
            gen.state = GenState::Running;
        }
        self.push_generator_frame(g, Value::None, None, FrameMode::Delegate)
    }

    /// `Send` on a [`GenOp`]: starts or continues the operation with the
    /// generator's frame pushed above the awaiting frame.
    fn gen_op_step(&mut self, op: ObjRef, value: Value) -> PyResult<()> {
        let Object::GenOp(o) = self.heap.get(op) else {
            unreachable!()
        };
        let (g, kind, state) = (o.gen, o.kind, o.state);
        if matches!(kind, GenOpKind::Await) {
            return self.resume_generator(g, value, None, FrameMode::Delegate);
        }
        match state {
            GenOpState::Closed => Err(self.reuse_error(kind)),
            GenOpState::Iter => self.resume_generator(g, value, None, FrameMode::Delegate),
            GenOpState::Init => match self.start_agen_op(op, value)? {
                AgenStart::Resume(sent, throw) => {
                    self.resume_generator(g, sent, throw, FrameMode::Delegate)
                }
                AgenStart::Done(result) => {
                    self.set_op_state(op, GenOpState::Closed);
                    match result {
                        Ok(v) => {
                            self.finish_send(v);
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
            },
        }
    }

    pub(crate) fn set_op_state(&mut self, op: ObjRef, state: GenOpState) {
        if let Object::GenOp(o) = self.heap.get_mut(op) {
            o.state = state;
        }
    }

    /// "cannot reuse already awaited ..." for a finished [`GenOp`].
    pub(crate) fn reuse_error(&mut self, kind: GenOpKind) -> PyErr {
        let what = match kind {
            GenOpKind::ASend(_) => "__anext__()/asend()",
            _ => "aclose()/athrow()",
        };
        let msg = format!("cannot reuse already awaited {what}");
        self.new_error(ExcKind::RuntimeError, msg)
    }

    /// The first step of an asend/athrow/aclose (CPython's checks): either
    /// what to resume the generator with, or the operation's outcome when
    /// the generator need not run.
    pub(crate) fn start_agen_op(&mut self, op: ObjRef, value: Value) -> PyResult<AgenStart> {
        let Object::GenOp(o) = self.heap.get(op) else {
            unreachable!()
        };
        let (g, kind) = (o.gen, o.kind);
        let Object::Generator(gen) = self.heap.get(g) else {
            unreachable!()
        };
        let (state, flags) = (gen.state, gen.flags);
        let closing = matches!(kind, GenOpKind::AClose);
        if let GenOpKind::ASend(v) = kind {
            if flags & AG_RUNNING_ASYNC != 0 {
                self.set_op_state(op, GenOpState::Closed);
                return Err(self.new_error(
                    ExcKind::RuntimeError,
                    "anext(): asynchronous generator is already running",
                ));
            }
            let sent = if value.is_none() { v } else { value };
            self.set_op_state(op, GenOpState::Iter);
            self.set_agen_flag(g, AG_RUNNING_ASYNC);
            self.agen_first_iteration(g);
            return Ok(AgenStart::Resume(sent, None));
        }
        if state == GenState::Finished {
            // aclose/athrow of a finished generator: nothing to do.
            return Ok(AgenStart::Done(Ok(Value::None)));
        }
        if flags & AG_RUNNING_ASYNC != 0 {
            let what = if closing { "aclose" } else { "athrow" };
            let msg = format!("{what}(): asynchronous generator is already running");
            return Ok(AgenStart::Done(Err(
                self.new_error(ExcKind::RuntimeError, msg)
            )));
        }
        if flags & AG_CLOSED != 0 {
            return Ok(AgenStart::Done(Err(
                self.new_exc_no_args(ExcKind::StopAsyncIteration)
            )));
        }
        if !value.is_none() {
            return Ok(AgenStart::Done(Err(self.type_error(
                "can't send non-None value to a just-started coroutine",
            ))));
        }
        self.agen_first_iteration(g);
        if state == GenState::Created {
            // Throwing into an unstarted generator finishes it at once.
            if let Object::Generator(gen) = self.heap.get_mut(g) {
                gen.state = GenState::Finished;
                gen.clear();
                if closing {
                    gen.flags |= AG_CLOSED;
                }
            }
            return Ok(AgenStart::Done(match kind {
                GenOpKind::AThrow(exc) => Err(PyErr(exc)),
                _ => Ok(Value::None),
            }));
        }
        let exc = match kind {
            GenOpKind::AThrow(exc) => exc,
            _ => {
                self.set_agen_flag(g, AG_CLOSED);
                self.new_exc_no_args(ExcKind::GeneratorExit).0
            }
        };
        self.set_op_state(op, GenOpState::Iter);
        self.set_agen_flag(g, AG_RUNNING_ASYNC);
        Ok(AgenStart::Resume(Value::None, Some(exc)))
    }

    pub(crate) fn set_agen_flag(&mut self, g: ObjRef, flag: u8) {
        if let Object::Generator(gen) = self.heap.get_mut(g) {
            gen.flags |= flag;
        }
    }

    /// The delegation finished with `v`: replace the sub-iterator and jump.
    pub(crate) fn finish_send(&mut self, v: Value) {
        *self.fiber.stack.last_mut().unwrap() = v;
        let frame = self.fiber.frames.last_mut().unwrap();
        if let Some(t) = frame.code.code.instrs[frame.ip as usize - 1].jump_target() {
            frame.ip = t;
        }
    }

    /// The `value` of a StopIteration (None if its constructor never set it).
    pub fn stop_iteration_value(&self, exc: Value) -> Value {
        match self.exc_field(exc, 0) {
            Value::Unbound => Value::None,
            v => v,
        }
    }
}

/// How an async-generator operation starts.
pub(crate) enum AgenStart {
    /// Resume the generator with this value or exception.
    Resume(Value, Option<Value>),
    /// The operation is over without running the generator.
    Done(PyResult<Value>),
}

/// Is this (suspended) frame paused at a `Send`?
fn frame_at_send(frame: &Frame) -> bool {
    at_send(&frame.code, frame.ip)
}

/// Is a frame of `code` whose next instruction is `ip` paused at a `Send`?
pub fn at_send(code: &VmCode, ip: u32) -> bool {
    ip > 0 && matches!(code.instrs[ip as usize - 1], Instr::Send(_))
}

/// "generator", "coroutine" or "async generator", for messages.
pub fn generator_word(kind: CodeKind) -> &'static str {
    match kind {
        CodeKind::Coroutine => "coroutine",
        CodeKind::AsyncGenerator => "async generator",
        _ => "generator",
    }
}
