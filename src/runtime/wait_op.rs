//! Wait operations: what `Lock.acquire`, `Event.wait`, `Semaphore.acquire`,
//! `Queue.get`/`put`/`join` and `asyncio.sleep` return (CPython's
//! coroutines), and the waiter futures they put in a primitive's FIFO.
//!
//! An operation's state ([`OpData`]) lives in one of two places ([`Op`]):
//! - a [`WaitOp`] object: a native coroutine-like awaitable that does
//!   nothing until awaited, then finishes at once or waits. While it waits
//!   it is also its own waiter future (`core`): the primitive's FIFO holds
//!   it and the task waits on it, so it is one object, not a coroutine and
//!   a Future;
//! - inline in the task (`TaskObj::op`), when the method is called as the
//!   operand of an `await` (`await q.get()`, `async with lock`) inside a
//!   task whose awaits all reach the task. The call returns the task itself
//!   as the awaitable; the task stands in for the waiter future in the
//!   FIFO, and completing that waiter schedules the task's step directly.
//!   Such an await allocates nothing, and a task parked on a lock, event or
//!   queue is just the task and its coroutine.
//!
//! Invariant: a task has at most one inline operation (the one its
//! innermost frame awaits); its `OpData::state` is Done when it has none.
//! A waiter in a FIFO is a [`WaitOp`] or a task (inline), never anything
//! else, so `is_done`/`wake`/... tell them apart by type.

use super::future::{self, FutState, FutureCore};
use super::task::{task_mut, TaskObj};
use super::{awaitables, classes, rt, sync, Ready};
use crate::vm::exceptions::ExcKind;
use crate::vm::gen::GenStep;
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyErr, PyResult, Vm};
use std::any::Any;

/// What a wait operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitKind {
    /// `Lock.acquire()`; `__aenter__` returns None instead of True.
    LockAcquire {
        enter: bool,
    },
    /// `Lock.__aexit__` / `Semaphore.__aexit__`: release.
    Release,
    SemAcquire {
        enter: bool,
    },
    /// `Event.wait()`; for `Queue.join()` (waiting on the queue's
    /// finished event) the result is None.
    EventWait {
        join: bool,
    },
    QueueGet,
    QueuePut,
    /// `asyncio.sleep(delay)` run inline (a sleep awaited later is a
    /// `SleepObj`).
    Sleep,
}

impl WaitKind {
    /// The qualified name of the coroutine CPython would run
    /// (`<coroutine object Lock.acquire at ...>`).
    pub fn qualname(self) -> &'static str {
        match self {
            WaitKind::LockAcquire { enter: false } => "Lock.acquire",
            WaitKind::LockAcquire { enter: true } | WaitKind::SemAcquire { enter: true } => {
                "_ContextManagerMixin.__aenter__"
            }
            WaitKind::Release => "_ContextManagerMixin.__aexit__",
            WaitKind::SemAcquire { enter: false } => "Semaphore.acquire",
            WaitKind::EventWait { join: false } => "Event.wait",
            WaitKind::EventWait { join: true } => "Queue.join",
            WaitKind::QueueGet => "Queue.get",
            WaitKind::QueuePut => "Queue.put",
            WaitKind::Sleep => "sleep",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpState {
    /// Not awaited yet.
    Init,
    /// Waiting for its waiter future (a sleep: for its timer or next pass).
    Waiting,
    /// Finished (or, for a task's inline slot, empty).
    Done,
}

/// The state of one wait operation.
#[derive(Clone, Copy, Debug)]
pub struct OpData {
    pub kind: WaitKind,
    pub state: OpState,
    /// Inline only: the state of the waiter future the task stands in for.
    pub waiter: FutState,
    /// The primitive (a Lock, Event, Semaphore or Queue).
    pub target: ObjRef,
    /// `Queue.put`'s item; a sleep's delay, then its due time.
    pub item: Value,
}

impl OpData {
    /// A task's inline slot with no operation in it.
    pub const EMPTY: OpData = OpData {
        kind: WaitKind::Release,
        state: OpState::Done,
        waiter: FutState::Finished,
        target: ObjRef(0),
        item: Value::None,
    };

    fn new(kind: WaitKind, target: ObjRef, item: Value) -> OpData {
        OpData {
            kind,
            state: OpState::Init,
            waiter: FutState::Pending,
            target,
            item,
        }
    }

    /// Is an operation in progress?
    pub fn active(&self) -> bool {
        self.state != OpState::Done
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        if self.active() {
            f(Value::Obj(self.target));
            f(self.item);
        }
    }
}

/// A wait operation as an object of its own.
pub struct WaitOp {
    pub class: ObjRef,
    pub data: OpData,
    /// Itself while waiting (the waiter future), else None.
    pub fut: Option<ObjRef>,
    /// The waiter-future state (fresh each time it starts waiting).
    pub core: FutureCore,
    /// Where it was created, for the "never awaited" warning.
    pub origin: Option<(std::rc::Rc<crate::bytecode::Code>, u32)>,
}

impl NativeObject for WaitOp {
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(Value::Obj(self.data.target));
        self.fut.iter().for_each(|&r| f(Value::Obj(r)));
        f(self.data.item);
        self.core.trace(f);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn awaitable(&self) -> bool {
        true
    }
    fn unawaited(&self) -> Option<crate::vm::heap::Unawaited> {
        (self.data.state == OpState::Init).then(|| crate::vm::heap::Unawaited {
            qualname: self.qualname().into(),
            origin: self.origin.clone(),
        })
    }
}

impl WaitOp {
    /// The qualified name shown in its repr.
    pub fn qualname(&self) -> &'static str {
        self.data.kind.qualname()
    }
}

/// Where an operation's state lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// A [`WaitOp`] object.
    Obj(ObjRef),
    /// Inline in this task.
    Inline(ObjRef),
}

impl Op {
    /// The waiter future the operation puts in a FIFO (the WaitOp itself,
    /// or the task).
    pub fn waiter(self) -> ObjRef {
        match self {
            Op::Obj(r) | Op::Inline(r) => r,
        }
    }
}

/// The state of an operation.
pub fn data(vm: &mut Vm, op: Op) -> &mut OpData {
    match op {
        Op::Obj(r) => &mut op_mut(vm, r).data,
        Op::Inline(t) => &mut task_mut(vm, t).op,
    }
}

fn op_mut(vm: &mut Vm, r: ObjRef) -> &mut WaitOp {
    vm.native_mut::<WaitOp>(Value::Obj(r)).expect("a wait op")
}

/// A new wait operation on `target`: inline in the current task when the
/// call is the operand of an `await` that reaches the task (see the
/// module doc), else a [`WaitOp`].
pub fn new_op(vm: &mut Vm, kind: WaitKind, target: ObjRef, item: Value) -> Value {
    if let Some(t) = inline_task(vm) {
        return start_inline(vm, t, kind, target, item);
    }
    let class = classes(vm).sleep;
    let origin = awaitables::creation_site(vm);
    vm.alloc(Object::Native(Box::new(WaitOp {
        class,
        data: OpData::new(kind, target, item),
        fut: None,
        // Re-made on the loop the primitive is bound to before any wait.
        core: FutureCore::new(target),
        origin,
    })))
}

/// Puts a new operation in task `t`'s inline slot; the task is the
/// awaitable the call returns.
pub fn start_inline(vm: &mut Vm, t: ObjRef, kind: WaitKind, target: ObjRef, item: Value) -> Value {
    task_mut(vm, t).op = OpData::new(kind, target, item);
    Value::Obj(t)
}

/// The task that can run the operation being created inline: the native
/// call running now is the operand of an `await` (`Vm::awaited_call`), a
/// task is running, and every frame from the awaiting one down is awaited
/// by the next, so the await's suspension reaches the task.
pub fn inline_task(vm: &mut Vm) -> Option<ObjRef> {
    if !std::mem::take(&mut vm.awaited_call) || !super::installed(vm) {
        return None;
    }
    let t = rt(vm).current_task?;
    if task_mut(vm, t).op.active() || !vm.awaits_reach_task() {
        return None;
    }
    Some(t)
}

/// Is `r` the running task with an inline operation (so an `await` on it
/// is a step of that operation)?
pub fn is_inline(vm: &mut Vm, r: ObjRef) -> bool {
    rt(vm).current_task == Some(r) && task_mut(vm, r).op.active()
}

/// The inline operation of task `w` if `w` is a waiter standing in for one.
fn inline_waiter(vm: &Vm, w: ObjRef) -> Option<&OpData> {
    vm.native_ref::<TaskObj>(Value::Obj(w)).map(|t| &t.op)
}

/// Is the waiter future `w` done?
pub fn is_done(vm: &Vm, w: ObjRef) -> bool {
    match inline_waiter(vm, w) {
        Some(op) => op.waiter != FutState::Pending,
        None => future::core(vm, w).is_some_and(|c| c.done()),
    }
}

/// Was the waiter future `w` cancelled?
pub fn is_cancelled(vm: &Vm, w: ObjRef) -> bool {
    match inline_waiter(vm, w) {
        Some(op) => op.waiter == FutState::Cancelled,
        None => future::core(vm, w).is_some_and(|c| c.state == FutState::Cancelled),
    }
}

/// `w.set_result(v)` on a pending waiter: wakes the task waiting on it on
/// the next pass of the loop.
pub fn wake(vm: &mut Vm, w: ObjRef, v: Value) -> PyResult<()> {
    if inline_waiter(vm, w).is_none() {
        return future::set_result(vm, w, v);
    }
    let task = task_mut(vm, w);
    task.op.waiter = FutState::Finished;
    let lp = task.core.event_loop;
    super::push_ready(vm, lp, Ready::Step(w, Value::Unbound));
    Ok(())
}

/// `w.cancel()` on a waiter whose operation is cleaning up (nothing left
/// to wake).
pub fn cancel_waiter(vm: &mut Vm, w: ObjRef) -> PyResult<()> {
    match vm.native_mut::<TaskObj>(Value::Obj(w)) {
        Some(t) => {
            if t.op.waiter == FutState::Pending {
                t.op.waiter = FutState::Cancelled;
            }
        }
        None => {
            super::task::cancel_any(vm, w, Value::None)?;
        }
    }
    Ok(())
}

/// `task.cancel(msg)` while the task waits on its inline operation's
/// waiter: cancels the waiter and wakes the task with CancelledError, as
/// the waiter future's callback would. False if the waiter is done.
pub fn cancel_inline(vm: &mut Vm, t: ObjRef, msg: Value) -> bool {
    let task = task_mut(vm, t);
    if task.op.waiter != FutState::Pending {
        return false;
    }
    task.op.waiter = FutState::Cancelled;
    let lp = task.core.event_loop;
    let exc = future::new_cancelled_error(vm, msg);
    super::push_ready(vm, lp, Ready::Step(t, exc));
    true
}

/// Makes the operation's waiter a fresh pending future on the primitive's
/// loop (CPython's `self._get_loop().create_future()`); returns it.
pub fn new_waiter(vm: &mut Vm, op: Op, target: ObjRef) -> PyResult<ObjRef> {
    let lp = sync::bound_loop(vm, target)?;
    match op {
        Op::Obj(r) => op_mut(vm, r).core = FutureCore::new(lp),
        Op::Inline(_) => data(vm, op).waiter = FutState::Pending,
    }
    Ok(op.waiter())
}

/// The operation waits on its waiter `fut`: yield it to the task.
pub fn wait_on(vm: &mut Vm, op: Op, fut: ObjRef) -> PyResult<GenStep> {
    data(vm, op).state = OpState::Waiting;
    if let Op::Obj(r) = op {
        op_mut(vm, r).fut = Some(fut);
        future::expect(vm, fut).blocking = true;
    }
    Ok(GenStep::Yield(Value::Obj(fut)))
}

/// The operation finished with result `v`.
pub fn finish(vm: &mut Vm, op: Op, v: Value) -> PyResult<GenStep> {
    data(vm, op).state = OpState::Done;
    if let Op::Obj(r) = op {
        op_mut(vm, r).fut = None;
    }
    Ok(GenStep::Return(v))
}

/// The error for awaiting a finished operation again.
pub fn reused(vm: &mut Vm) -> PyErr {
    vm.new_error(
        ExcKind::RuntimeError,
        "cannot reuse already awaited coroutine",
    )
}

/// One step of a wait operation: `throw` is an exception thrown in while
/// it waits (CPython's clean-up runs, then it propagates).
pub fn op_step(vm: &mut Vm, op: Op, throw: Option<Value>) -> PyResult<GenStep> {
    let OpData {
        kind,
        target,
        state,
        ..
    } = *data(vm, op);
    if state == OpState::Init && matches!(op, Op::Obj(_)) {
        awaitables::started(vm);
    }
    if let Some(exc) = throw {
        data(vm, op).state = OpState::Done;
        if state == OpState::Waiting {
            sync::clean_up(vm, op, kind, target, exc)?;
        }
        if let Op::Obj(r) = op {
            op_mut(vm, r).fut = None;
        }
        return Err(PyErr(exc));
    }
    if kind == WaitKind::Sleep {
        return sleep_step(vm, op, state);
    }
    if state == OpState::Waiting {
        // Resumed before its waiter finished: keep waiting (CPython would
        // raise "await wasn't used with future").
        let fut = op.waiter();
        if !is_done(vm, fut) {
            if let Op::Obj(_) = op {
                future::expect(vm, fut).blocking = true;
            }
            return Ok(GenStep::Yield(Value::Obj(fut)));
        }
    }
    if state == OpState::Done {
        return Err(reused(vm));
    }
    sync::step(vm, op, kind, target, state)
}

/// An inline `asyncio.sleep(delay)`: `sleep(0)` yields None once (the next
/// pass); a timed sleep yields the task, which turns the due time into a
/// timer; the step after that returns None.
fn sleep_step(vm: &mut Vm, op: Op, state: OpState) -> PyResult<GenStep> {
    if state != OpState::Init {
        return finish(vm, op, Value::None);
    }
    let delay = data(vm, op).item;
    let secs = awaitables::delay_seconds(vm, delay)?;
    data(vm, op).state = OpState::Waiting;
    if secs <= 0.0 {
        return Ok(GenStep::Yield(Value::None));
    }
    super::running_loop(vm)?;
    let when = super::clock::now(vm) + secs;
    data(vm, op).item = Value::Float(when);
    Ok(GenStep::Yield(Value::Obj(op.waiter())))
}

/// Is `v` a wait operation object?
pub fn is_op(vm: &Vm, v: Value) -> bool {
    vm.native_ref::<WaitOp>(v).is_some()
}
