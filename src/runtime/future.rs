//! Futures: the state every asyncio Future and Task shares
//! ([`FutureCore`]), the native `Future` object, and the transitions
//! (result, exception, cancel) that schedule done callbacks.
//!
//! Lifecycle: `Pending` -> `Finished` (result or exception) or `Cancelled`;
//! a done future never changes again. Completing a future moves its
//! callbacks, in registration order, to the end of its loop's ready queue
//! (CPython's `call_soon` for each), so they run on the next pass of the
//! loop, never inside the call that completed it.

use super::task::TaskObj;
use super::wait_op::WaitOp;
use super::{EventLoop, Ready};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyErr, PyResult, Vm};
use std::any::Any;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutState {
    Pending,
    Cancelled,
    Finished,
}

/// What runs when a future completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callback {
    /// A task awaiting this future: resume it with the outcome (CPython's
    /// `Task.__wakeup`).
    Wakeup(ObjRef),
    /// A callable from `add_done_callback`, called with the future in
    /// `context` (a contextvars Context; None for the empty one).
    Call {
        func: ObjRef,
        context: Option<ObjRef>,
    },
    /// A child of the gathering future `outer` completed.
    Gather(ObjRef),
    /// `shield`: the inner future of the outer future completed.
    ShieldInner(ObjRef),
    /// `shield`: the outer future (cancelled or done) releases the inner.
    ShieldOuter(ObjRef),
    /// `run_until_complete`: stop the loop once the future is done.
    StopLoop,
}

impl Callback {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        match *self {
            Callback::Wakeup(r)
            | Callback::Gather(r)
            | Callback::ShieldInner(r)
            | Callback::ShieldOuter(r) => f(Value::Obj(r)),
            Callback::Call { func, context } => {
                f(Value::Obj(func));
                if let Some(c) = context {
                    f(Value::Obj(c));
                }
            }
            Callback::StopLoop => {}
        }
    }
}

/// A future's done callbacks in registration order, stored inline while
/// there is at most one (the usual case: the task awaiting it).
#[derive(Clone, Debug, Default)]
pub enum Callbacks {
    #[default]
    None,
    One(Callback),
    Many(Box<Vec<Callback>>),
}

impl Callbacks {
    pub fn push(&mut self, cb: Callback) {
        *self = match std::mem::take(self) {
            Callbacks::None => Callbacks::One(cb),
            Callbacks::One(first) => Callbacks::Many(Box::new(vec![first, cb])),
            Callbacks::Many(mut v) => {
                v.push(cb);
                Callbacks::Many(v)
            }
        };
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Callbacks::None)
    }

    pub fn as_slice(&self) -> &[Callback] {
        match self {
            Callbacks::None => &[],
            Callbacks::One(cb) => std::slice::from_ref(cb),
            Callbacks::Many(v) => v,
        }
    }

    /// Keeps the callbacks `keep` accepts; returns how many were removed.
    pub fn retain(&mut self, mut keep: impl FnMut(&Callback) -> bool) -> usize {
        let all: Vec<Callback> = self.as_slice().to_vec();
        let n = all.len();
        *self = Callbacks::None;
        for cb in all {
            if keep(&cb) {
                self.push(cb);
            }
        }
        n - self.as_slice().len()
    }
}

/// The rarely used part of a future's state: why it was cancelled, and
/// the length of its exception's traceback.
#[derive(Clone, Copy)]
pub struct FutureExtra {
    pub message: Value,
    /// The CancelledError that cancelled a task, re-raised by `result()`.
    pub exc: Value,
    /// Length of the exception's traceback when it was set: re-raising it
    /// restores that traceback (CPython's `with_traceback(_exception_tb)`).
    pub exc_tb_len: u32,
}

/// The state of a future (also embedded in every task).
pub struct FutureCore {
    pub state: FutState,
    /// The exception is set (`outcome` holds it instead of a result).
    failed: bool,
    /// An exception was set and nobody has looked at it yet.
    pub log_traceback: bool,
    /// `_asyncio_future_blocking`.
    pub blocking: bool,
    /// The event loop (an `EventLoop` object).
    pub event_loop: ObjRef,
    /// The result, or the exception when `failed`.
    outcome: Value,
    pub callbacks: Callbacks,
    extra: Option<Box<FutureExtra>>,
}

impl FutureCore {
    pub fn new(event_loop: ObjRef) -> FutureCore {
        FutureCore {
            state: FutState::Pending,
            failed: false,
            log_traceback: false,
            blocking: false,
            event_loop,
            outcome: Value::None,
            callbacks: Callbacks::None,
            extra: None,
        }
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(self.outcome);
        f(Value::Obj(self.event_loop));
        if let Some(c) = &self.extra {
            f(c.message);
            f(c.exc);
        }
        self.callbacks.as_slice().iter().for_each(|c| c.trace(f));
    }

    pub fn done(&self) -> bool {
        self.state != FutState::Pending
    }

    /// The result (None unless finished without an exception).
    pub fn result_value(&self) -> Value {
        if self.failed {
            Value::None
        } else {
            self.outcome
        }
    }

    /// The exception (None unless finished with one).
    pub fn exception_value(&self) -> Value {
        if self.failed {
            self.outcome
        } else {
            Value::None
        }
    }

    /// Finishes with a result (no checks).
    pub fn finish_with(&mut self, v: Value) {
        self.outcome = v;
        self.failed = false;
        self.state = FutState::Finished;
    }

    /// Finishes with an exception whose traceback has `tb_len` entries.
    pub fn fail_with(&mut self, exc: Value, tb_len: usize) {
        self.outcome = exc;
        self.failed = true;
        if tb_len != 0 || self.extra.is_some() {
            self.extra().exc_tb_len = tb_len as u32;
        }
        self.state = FutState::Finished;
        self.log_traceback = true;
    }

    /// Length of the exception's traceback when it was set.
    pub fn exc_tb_len(&self) -> u32 {
        self.extra.as_ref().map_or(0, |c| c.exc_tb_len)
    }

    pub fn cancel_message(&self) -> Value {
        self.extra.as_ref().map_or(Value::None, |c| c.message)
    }

    pub fn set_cancel_message(&mut self, msg: Value) {
        if msg.is_none() && self.extra.is_none() {
            return;
        }
        self.extra().message = msg;
    }

    pub fn cancelled_exc(&self) -> Value {
        self.extra.as_ref().map_or(Value::None, |c| c.exc)
    }

    pub fn set_cancelled_exc(&mut self, exc: Value) {
        if exc.is_none() && self.extra.is_none() {
            return;
        }
        self.extra().exc = exc;
    }

    fn extra(&mut self) -> &mut FutureExtra {
        self.extra.get_or_insert_with(|| {
            Box::new(FutureExtra {
                message: Value::None,
                exc: Value::None,
                exc_tb_len: 0,
            })
        })
    }
}

/// State of the future `gather()` returns.
pub struct Gather {
    pub children: Vec<ObjRef>,
    pub nfuts: usize,
    pub nfinished: usize,
    pub return_exceptions: bool,
    pub cancel_requested: bool,
}

/// An asyncio `Future` (or `_GatheringFuture` when `gather` is set).
pub struct FutureObj {
    pub class: ObjRef,
    pub core: FutureCore,
    pub gather: Option<Box<Gather>>,
}

impl NativeObject for FutureObj {
    fn awaitable(&self) -> bool {
        true
    }
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        self.core.trace(f);
        if let Some(g) = &self.gather {
            g.children.iter().for_each(|&c| f(Value::Obj(c)));
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The future state of `r` if it is a Future or a Task (or the waiter
/// state of a wait operation).
pub fn core(vm: &Vm, r: ObjRef) -> Option<&FutureCore> {
    let Object::Native(n) = vm.heap.get(r) else {
        return None;
    };
    let any = n.as_any();
    if let Some(f) = any.downcast_ref::<FutureObj>() {
        return Some(&f.core);
    }
    if let Some(t) = any.downcast_ref::<TaskObj>() {
        return Some(&t.core);
    }
    any.downcast_ref::<WaitOp>().map(|o| &o.core)
}

/// The future state of `r`, mutably.
pub fn core_mut(vm: &mut Vm, r: ObjRef) -> Option<&mut FutureCore> {
    let Object::Native(n) = vm.heap.get_mut(r) else {
        return None;
    };
    let any = n.as_any_mut();
    if any.is::<FutureObj>() {
        return any.downcast_mut::<FutureObj>().map(|f| &mut f.core);
    }
    if any.is::<TaskObj>() {
        return any.downcast_mut::<TaskObj>().map(|t| &mut t.core);
    }
    any.downcast_mut::<WaitOp>().map(|o| &mut o.core)
}

/// Is `v` a Future or a Task (`asyncio.isfuture`)? Not a lock's or queue's
/// wait operation, although that has a waiter-future state of its own.
pub fn is_future(vm: &Vm, v: Value) -> bool {
    matches!(v, Value::Obj(r) if core(vm, r).is_some()) && vm.native_ref::<WaitOp>(v).is_none()
}

/// The future state of a value known to be a future.
pub fn expect(vm: &mut Vm, r: ObjRef) -> &mut FutureCore {
    core_mut(vm, r).expect("a future")
}

/// A new pending Future on `event_loop`.
pub fn new_future(vm: &mut Vm, event_loop: ObjRef) -> Value {
    let class = super::classes(vm).future;
    vm.alloc(Object::Native(Box::new(FutureObj {
        class,
        core: FutureCore::new(event_loop),
        gather: None,
    })))
}

/// Moves the callbacks of a just-completed future to its loop's ready queue.
pub fn schedule_callbacks(vm: &mut Vm, fut: ObjRef) {
    let c = expect(vm, fut);
    if c.callbacks.is_empty() {
        return;
    }
    let callbacks = std::mem::take(&mut c.callbacks);
    let lp = c.event_loop;
    let ready = &mut EventLoop::get_mut(vm, lp).ready;
    for &cb in callbacks.as_slice() {
        ready.push_back(Ready::Done(cb, fut));
    }
}

/// `fut.add_done_callback(...)`: scheduled at once if already done.
pub fn add_callback(vm: &mut Vm, fut: ObjRef, cb: Callback) {
    let c = expect(vm, fut);
    if c.done() {
        let lp = c.event_loop;
        EventLoop::get_mut(vm, lp)
            .ready
            .push_back(Ready::Done(cb, fut));
    } else {
        c.callbacks.push(cb);
    }
}

/// The InvalidStateError for completing a done future.
fn invalid_state(vm: &mut Vm, msg: &str) -> PyErr {
    let cls = super::classes(vm).invalid_state_error;
    let m = vm.new_str(msg);
    PyErr(crate::vm::exceptions::new_exception(vm, cls, vec![m]))
}

/// `set_result`: InvalidStateError if already done.
pub fn set_result(vm: &mut Vm, fut: ObjRef, v: Value) -> PyResult<()> {
    let c = expect(vm, fut);
    if c.done() {
        return Err(invalid_state(vm, "invalid state"));
    }
    c.finish_with(v);
    schedule_callbacks(vm, fut);
    Ok(())
}

/// `set_exception`: an exception class is instantiated; StopIteration is
/// refused, as in CPython.
pub fn set_exception(vm: &mut Vm, fut: ObjRef, exc: Value) -> PyResult<()> {
    if expect(vm, fut).done() {
        return Err(invalid_state(vm, "invalid state"));
    }
    let exc = if vm.is_exception_class(exc) {
        vm.call(exc, &[], &[])?
    } else {
        exc
    };
    if vm.exc_data(exc).is_none() {
        return Err(vm.type_error("invalid exception object"));
    }
    if vm.class_of(exc) == vm.types.exc(ExcKind::StopIteration) {
        return Err(vm.type_error(
            "StopIteration interacts badly with generators and cannot be raised into a Future",
        ));
    }
    let tb_len = vm.exc_data(exc).map_or(0, |d| d.traceback.len());
    let c = expect(vm, fut);
    if c.done() {
        return Err(invalid_state(vm, "invalid state"));
    }
    c.fail_with(exc, tb_len);
    vm.heap.watched.push(fut);
    schedule_callbacks(vm, fut);
    Ok(())
}

/// Future.cancel: false if already done.
pub fn cancel(vm: &mut Vm, fut: ObjRef, msg: Value) -> bool {
    let c = expect(vm, fut);
    c.log_traceback = false;
    if c.done() {
        return false;
    }
    c.state = FutState::Cancelled;
    c.set_cancel_message(msg);
    schedule_callbacks(vm, fut);
    true
}

/// The CancelledError a cancelled future raises (CPython's
/// `_make_cancelled_error`).
pub fn make_cancelled_error(vm: &mut Vm, fut: ObjRef) -> Value {
    let c = expect(vm, fut);
    let saved = c.cancelled_exc();
    if !saved.is_none() {
        c.set_cancelled_exc(Value::None);
        return saved;
    }
    let msg = c.cancel_message();
    new_cancelled_error(vm, msg)
}

/// `CancelledError()` or `CancelledError(msg)`.
pub fn new_cancelled_error(vm: &mut Vm, msg: Value) -> Value {
    let cls = super::classes(vm).cancelled_error;
    let args = if msg.is_none() { vec![] } else { vec![msg] };
    crate::vm::exceptions::new_exception(vm, cls, args)
}

/// `result()`: the value, or the exception raised (with the traceback it
/// had when it was set), or CancelledError, or InvalidStateError.
pub fn result(vm: &mut Vm, fut: ObjRef) -> PyResult<Value> {
    let c = expect(vm, fut);
    match c.state {
        FutState::Cancelled => Err(PyErr(make_cancelled_error(vm, fut))),
        FutState::Pending => Err(invalid_state(vm, "Result is not set.")),
        FutState::Finished => {
            c.log_traceback = false;
            let exc = c.exception_value();
            if exc.is_none() {
                return Ok(c.result_value());
            }
            let len = c.exc_tb_len() as usize;
            if let Some(d) = vm.exc_data_mut(exc) {
                d.traceback.truncate(len);
            }
            vm.reraising = false;
            Err(PyErr(exc))
        }
    }
}

/// `exception()`: the exception or None; CancelledError if cancelled.
pub fn exception(vm: &mut Vm, fut: ObjRef) -> PyResult<Value> {
    let c = expect(vm, fut);
    match c.state {
        FutState::Cancelled => Err(PyErr(make_cancelled_error(vm, fut))),
        FutState::Pending => Err(invalid_state(vm, "Exception is not set.")),
        FutState::Finished => {
            c.log_traceback = false;
            Ok(c.exception_value())
        }
    }
}
