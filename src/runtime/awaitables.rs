//! One `await` step on a native awaitable (the VM's `await_hook`):
//! futures and tasks yield themselves until done, then return their result;
//! `asyncio.sleep` objects yield once (None for `sleep(0)`, themselves
//! for a timed sleep, which the task turns into a timer) and then return.
//!
//! A sleep is a native coroutine-like object rather than an aspy coroutine
//! around a Future and a TimerHandle: a timed sleep costs one small object
//! and one timer-heap entry, and `sleep(0)` no allocation beyond the object.

use super::future::{self, FutState};
use super::wait_op::{self, Op, OpState, WaitOp};
use crate::bytecode::opcode::CompareOp;
use crate::bytecode::Code;
use crate::vm::gen::GenStep;
use crate::vm::heap::Unawaited;
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::any::Any;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SleepState {
    /// Not awaited yet.
    Init,
    /// Yielded to the task; the next step returns the result.
    Yielded,
    /// Done: awaiting it again is an error, as for a coroutine.
    Finished,
}

/// `asyncio.sleep(delay, result)`.
pub struct SleepObj {
    pub class: ObjRef,
    pub delay: Value,
    pub result: Value,
    pub state: SleepState,
    /// Due time (loop clock) once a timed sleep has yielded.
    pub when: f64,
    /// Where it was created, for the "never awaited" warning.
    pub origin: Option<(Rc<Code>, u32)>,
}

impl NativeObject for SleepObj {
    fn awaitable(&self) -> bool {
        true
    }
    fn unawaited(&self) -> Option<Unawaited> {
        (self.state == SleepState::Init).then(|| Unawaited {
            qualname: "sleep".into(),
            origin: self.origin.clone(),
        })
    }
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(self.delay);
        f(self.result);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A new sleep: run inline by the awaiting task when the call is the
/// operand of an `await` and the result is None (see `wait_op.rs`), else
/// a sleep object.
pub fn new_sleep(vm: &mut Vm, delay: Value, result: Value) -> Value {
    if result.is_none() {
        if let Some(t) = wait_op::inline_task(vm) {
            return wait_op::start_inline(vm, t, wait_op::WaitKind::Sleep, t, delay);
        }
    }
    let class = super::classes(vm).sleep;
    let origin = creation_site(vm);
    vm.alloc(Object::Native(Box::new(SleepObj {
        class,
        delay,
        result,
        state: SleepState::Init,
        when: 0.0,
        origin,
    })))
}

/// The code and instruction creating a coroutine-like object now; counts
/// it as not yet started (see `Vm::report_unawaited_at_exit`).
pub fn creation_site(vm: &mut Vm) -> Option<(Rc<Code>, u32)> {
    vm.unstarted_coroutines += 1;
    vm.fiber
        .frames
        .last()
        .map(|f| (f.code.code.clone(), f.ip.saturating_sub(1)))
}

/// A coroutine-like object left its first state (awaited, closed, thrown
/// into): it no longer counts as never awaited.
pub fn started(vm: &mut Vm) {
    vm.unstarted_coroutines = vm.unstarted_coroutines.saturating_sub(1);
}

/// The VM's await hook: one `Send` step on `r` if it is a native awaitable,
/// or, with `throw`, its clean-up before the exception propagates.
pub fn await_step(
    vm: &mut Vm,
    r: ObjRef,
    _sent: Value,
    throw: Option<Value>,
) -> PyResult<Option<GenStep>> {
    let Object::Native(n) = vm.heap.get(r) else {
        return Ok(None);
    };
    let any = n.as_any();
    if any.is::<WaitOp>() {
        return wait_op::op_step(vm, Op::Obj(r), throw).map(Some);
    }
    let is_sleep = any.is::<SleepObj>();
    if wait_op::is_inline(vm, r) {
        return wait_op::op_step(vm, Op::Inline(r), throw).map(Some);
    }
    if is_sleep {
        if let Some(exc) = throw {
            finish_sleep(vm, r);
            return Err(crate::vm::PyErr(exc));
        }
        return sleep_step(vm, r).map(Some);
    }
    let Some(c) = future::core_mut(vm, r) else {
        return Ok(None);
    };
    if let Some(exc) = throw {
        return Err(crate::vm::PyErr(exc));
    }
    if c.state == FutState::Pending {
        c.blocking = true;
        return Ok(Some(GenStep::Yield(Value::Obj(r))));
    }
    future::result(vm, r).map(|v| Some(GenStep::Return(v)))
}

fn sleep_mut(vm: &mut Vm, r: ObjRef) -> &mut SleepObj {
    vm.native_mut::<SleepObj>(Value::Obj(r)).expect("a sleep")
}

/// One step of a sleep.
fn sleep_step(vm: &mut Vm, r: ObjRef) -> PyResult<GenStep> {
    let s = sleep_mut(vm, r);
    match s.state {
        SleepState::Finished => Err(vm.new_error(
            crate::vm::exceptions::ExcKind::RuntimeError,
            "cannot reuse already awaited coroutine",
        )),
        SleepState::Yielded => {
            s.state = SleepState::Finished;
            Ok(GenStep::Return(s.result))
        }
        SleepState::Init => {
            let delay = s.delay;
            // Started: if the delay is bad, the sleep ends with the error.
            s.state = SleepState::Finished;
            started(vm);
            let secs = delay_seconds(vm, delay)?;
            if secs <= 0.0 {
                sleep_mut(vm, r).state = SleepState::Yielded;
                return Ok(GenStep::Yield(Value::None));
            }
            super::running_loop(vm)?;
            let when = super::clock::now(vm) + secs;
            let s = sleep_mut(vm, r);
            s.when = when;
            s.state = SleepState::Yielded;
            Ok(GenStep::Yield(Value::Obj(r)))
        }
    }
}

/// A sleep's delay in seconds: a number, or anything comparable with 0
/// (CPython's `if delay <= 0`), which then means 0 or forever.
pub fn delay_seconds(vm: &mut Vm, delay: Value) -> PyResult<f64> {
    if let Some(f) = crate::vm::ops::arith::to_f64(vm, delay) {
        return Ok(f);
    }
    // Not a number: let the comparison raise CPython's error.
    let le = vm.compare_op(delay, Value::Int(0), CompareOp::Le)?;
    Ok(if vm.truthy(le)? { 0.0 } else { f64::INFINITY })
}

/// The due time of a sleep that has yielded itself, if `v` is one.
pub fn sleep_due(vm: &Vm, v: Value) -> Option<f64> {
    vm.native_ref::<SleepObj>(v)
        .filter(|s| s.state == SleepState::Yielded)
        .map(|s| s.when)
}

/// Marks a sleep finished (closed or thrown into).
pub fn finish_sleep(vm: &mut Vm, r: ObjRef) {
    let s = sleep_mut(vm, r);
    if s.state == SleepState::Init {
        s.state = SleepState::Finished;
        started(vm);
    } else {
        s.state = SleepState::Finished;
    }
}

/// Closes a sleep or lock/queue operation that never started (no warning).
pub fn close_unstarted(vm: &mut Vm, r: ObjRef) {
    if let Some(s) = vm.native_mut::<SleepObj>(Value::Obj(r)) {
        if s.state == SleepState::Init {
            s.state = SleepState::Finished;
            started(vm);
        }
    } else if let Some(o) = vm.native_mut::<WaitOp>(Value::Obj(r)) {
        if o.data.state == OpState::Init {
            o.data.state = OpState::Done;
            started(vm);
        }
    }
}
