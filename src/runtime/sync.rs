//! Native Lock, Event, Semaphore and Queue: CPython 3.11's algorithms
//! (`asyncio/locks.py`, `asyncio/queues.py`) with the same waiter order and
//! the same behaviour under cancellation, without an aspy frame per call.
//!
//! A waiter is a future in the primitive's FIFO, as in CPython. What
//! CPython writes as a coroutine (`acquire`, `wait`, `get`, `put`, ...) is
//! a wait operation (`wait_op.rs`): it does nothing until awaited (as a
//! coroutine body), then either finishes at once or yields its waiter
//! future; resumed, it finishes the algorithm here; an exception thrown in
//! while it waits runs CPython's `finally`/`except` clean-up first.
//! Condition, Barrier and the queue subclasses' hooks stay in aspy.

use super::wait_op::{
    cancel_waiter, data, finish, is_cancelled, is_done, new_waiter, wait_on, wake, Op,
};
pub use super::wait_op::{is_op, new_op, WaitOp};
pub use super::wait_op::{OpState, WaitKind};
use super::{classes, rt};
use crate::vm::exceptions::ExcKind;
use crate::vm::gen::GenStep;
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyErr, PyResult, Vm};
use std::any::Any;
use std::collections::VecDeque;

macro_rules! native_object {
    ($t:ty, |$s:ident, $f:ident| $body:block) => {
        impl NativeObject for $t {
            fn class(&self) -> ObjRef {
                self.class
            }
            fn trace(&self, $f: &mut dyn FnMut(Value)) {
                let $s = self;
                $body
            }
            fn as_any(&self) -> &dyn Any {
                self
            }
            fn as_any_mut(&mut self) -> &mut dyn Any {
                self
            }
        }
    };
}

fn trace_refs(q: &VecDeque<ObjRef>, f: &mut dyn FnMut(Value)) {
    q.iter().for_each(|&r| f(Value::Obj(r)));
}

/// `asyncio.Lock`.
pub struct LockObj {
    pub class: ObjRef,
    pub locked: bool,
    pub waiters: VecDeque<ObjRef>,
    /// The loop it is bound to (CPython's `_LoopBoundMixin`).
    pub bound: Option<ObjRef>,
}

/// `asyncio.Event`.
pub struct EventObj {
    pub class: ObjRef,
    pub value: bool,
    pub waiters: VecDeque<ObjRef>,
    pub bound: Option<ObjRef>,
}

/// `asyncio.Semaphore` (and `BoundedSemaphore`, with `bound_value`).
pub struct SemObj {
    pub class: ObjRef,
    pub value: i64,
    pub bound_value: Option<i64>,
    pub waiters: VecDeque<ObjRef>,
    pub bound: Option<ObjRef>,
}

/// How a queue orders its items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueKind {
    Fifo,
    Lifo,
    Priority,
}

/// `asyncio.Queue`, `LifoQueue`, `PriorityQueue`.
pub struct QueueObj {
    pub class: ObjRef,
    pub kind: QueueKind,
    pub maxsize: i64,
    pub maxsize_value: Value,
    pub items: VecDeque<Value>,
    pub getters: VecDeque<ObjRef>,
    pub putters: VecDeque<ObjRef>,
    pub unfinished: i64,
    /// An `Event` set whenever no task is unfinished (`join()` waits on it).
    pub finished: ObjRef,
    pub bound: Option<ObjRef>,
}

native_object!(LockObj, |s, f| {
    trace_refs(&s.waiters, f);
    s.bound.iter().for_each(|&l| f(Value::Obj(l)));
});
native_object!(EventObj, |s, f| {
    trace_refs(&s.waiters, f);
    s.bound.iter().for_each(|&l| f(Value::Obj(l)));
});
native_object!(SemObj, |s, f| {
    trace_refs(&s.waiters, f);
    s.bound.iter().for_each(|&l| f(Value::Obj(l)));
});
native_object!(QueueObj, |s, f| {
    s.items.iter().for_each(|&v| f(v));
    trace_refs(&s.getters, f);
    trace_refs(&s.putters, f);
    f(s.maxsize_value);
    f(Value::Obj(s.finished));
    s.bound.iter().for_each(|&l| f(Value::Obj(l)));
});

fn lock_mut(vm: &mut Vm, r: ObjRef) -> &mut LockObj {
    vm.native_mut::<LockObj>(Value::Obj(r)).expect("a lock")
}

fn event_mut(vm: &mut Vm, r: ObjRef) -> &mut EventObj {
    vm.native_mut::<EventObj>(Value::Obj(r)).expect("an event")
}

fn sem_mut(vm: &mut Vm, r: ObjRef) -> &mut SemObj {
    vm.native_mut::<SemObj>(Value::Obj(r)).expect("a semaphore")
}

pub fn queue_mut(vm: &mut Vm, r: ObjRef) -> &mut QueueObj {
    vm.native_mut::<QueueObj>(Value::Obj(r)).expect("a queue")
}

/// CPython's `_LoopBoundMixin._get_loop`: the running loop, which must be
/// the one the primitive first ran under.
pub fn bound_loop(vm: &mut Vm, target: ObjRef) -> PyResult<ObjRef> {
    let running = rt(vm).running_loop;
    let slot: &mut Option<ObjRef> = match vm.heap.get_mut(target) {
        Object::Native(n) => {
            let any = n.as_any_mut();
            if any.is::<LockObj>() {
                &mut any.downcast_mut::<LockObj>().unwrap().bound
            } else if any.is::<EventObj>() {
                &mut any.downcast_mut::<EventObj>().unwrap().bound
            } else if any.is::<SemObj>() {
                &mut any.downcast_mut::<SemObj>().unwrap().bound
            } else {
                &mut any.downcast_mut::<QueueObj>().expect("a primitive").bound
            }
        }
        _ => unreachable!("a primitive"),
    };
    if slot.is_none() {
        *slot = running;
    }
    if *slot != running || running.is_none() {
        let r = vm.repr_value(Value::Obj(target))?;
        if running.is_none() {
            return Err(vm.new_error(ExcKind::RuntimeError, "no running event loop"));
        }
        return Err(vm.new_error(
            ExcKind::RuntimeError,
            format!("{r} is bound to a different event loop"),
        ));
    }
    Ok(running.unwrap())
}

fn remove_waiter(q: &mut VecDeque<ObjRef>, f: ObjRef) -> bool {
    match q.iter().position(|&w| w == f) {
        Some(i) => {
            q.remove(i);
            true
        }
        None => false,
    }
}

// ---- Lock -------------------------------------------------------------------

/// `Lock.release()`.
pub fn lock_release(vm: &mut Vm, l: ObjRef) -> PyResult<()> {
    let lock = lock_mut(vm, l);
    if !lock.locked {
        return Err(vm.new_error(ExcKind::RuntimeError, "Lock is not acquired."));
    }
    lock.locked = false;
    lock_wake_first(vm, l)
}

fn lock_wake_first(vm: &mut Vm, l: ObjRef) -> PyResult<()> {
    let Some(&first) = lock_mut(vm, l).waiters.front() else {
        return Ok(());
    };
    if !is_done(vm, first) {
        wake(vm, first, Value::Bool(true))?;
    }
    Ok(())
}

fn lock_step(vm: &mut Vm, op: Op, l: ObjRef, enter: bool, state: OpState) -> PyResult<GenStep> {
    let done = if enter {
        Value::None
    } else {
        Value::Bool(true)
    };
    match state {
        OpState::Init => {
            let lock = lock_mut(vm, l);
            let waiters: Vec<ObjRef> = lock.waiters.iter().copied().collect();
            let free = !lock.locked && waiters.iter().all(|&w| is_cancelled(vm, w));
            if free {
                lock_mut(vm, l).locked = true;
                return finish(vm, op, done);
            }
            let fut = new_waiter(vm, op, l)?;
            lock_mut(vm, l).waiters.push_back(fut);
            wait_on(vm, op, fut)
        }
        _ => {
            remove_waiter(&mut lock_mut(vm, l).waiters, op.waiter());
            lock_mut(vm, l).locked = true;
            finish(vm, op, done)
        }
    }
}

fn lock_throw(vm: &mut Vm, op: Op, l: ObjRef, exc: Value) -> PyResult<()> {
    remove_waiter(&mut lock_mut(vm, l).waiters, op.waiter());
    if super::task::is_cancelled_error(vm, exc) && !lock_mut(vm, l).locked {
        lock_wake_first(vm, l)?;
    }
    Ok(())
}

// ---- Event -------------------------------------------------------------------

/// `Event.set()`.
pub fn event_set(vm: &mut Vm, e: ObjRef) -> PyResult<()> {
    let ev = event_mut(vm, e);
    if ev.value {
        return Ok(());
    }
    ev.value = true;
    // Waking a waiter does not touch the FIFO: walk it in place.
    let mut i = 0;
    while let Some(&fut) = event_mut(vm, e).waiters.get(i) {
        if !is_done(vm, fut) {
            wake(vm, fut, Value::Bool(true))?;
        }
        i += 1;
    }
    Ok(())
}

/// `Event.clear()`.
pub fn event_clear(vm: &mut Vm, e: ObjRef) {
    event_mut(vm, e).value = false;
}

fn event_step(vm: &mut Vm, op: Op, e: ObjRef, join: bool, state: OpState) -> PyResult<GenStep> {
    let done = if join { Value::None } else { Value::Bool(true) };
    match state {
        OpState::Init => {
            if event_mut(vm, e).value {
                return finish(vm, op, done);
            }
            let fut = new_waiter(vm, op, e)?;
            event_mut(vm, e).waiters.push_back(fut);
            wait_on(vm, op, fut)
        }
        _ => {
            remove_waiter(&mut event_mut(vm, e).waiters, op.waiter());
            finish(vm, op, done)
        }
    }
}

// ---- Semaphore -------------------------------------------------------------------

/// `Semaphore.locked()`.
pub fn sem_locked(vm: &mut Vm, s: ObjRef) -> bool {
    let sem = sem_mut(vm, s);
    if sem.value == 0 {
        return true;
    }
    let waiters: Vec<ObjRef> = sem.waiters.iter().copied().collect();
    waiters.into_iter().any(|w| !is_cancelled(vm, w))
}

/// `Semaphore.release()` (BoundedSemaphore checks its bound first).
pub fn sem_release(vm: &mut Vm, s: ObjRef) -> PyResult<()> {
    let sem = sem_mut(vm, s);
    if sem.bound_value.is_some_and(|b| sem.value >= b) {
        return Err(vm.value_error("BoundedSemaphore released too many times"));
    }
    sem.value += 1;
    sem_wake_next(vm, s)
}

fn sem_wake_next(vm: &mut Vm, s: ObjRef) -> PyResult<()> {
    let waiters: Vec<ObjRef> = sem_mut(vm, s).waiters.iter().copied().collect();
    for fut in waiters {
        if !is_done(vm, fut) {
            sem_mut(vm, s).value -= 1;
            return wake(vm, fut, Value::Bool(true));
        }
    }
    Ok(())
}

fn sem_step(vm: &mut Vm, op: Op, s: ObjRef, enter: bool, state: OpState) -> PyResult<GenStep> {
    let done = if enter {
        Value::None
    } else {
        Value::Bool(true)
    };
    match state {
        OpState::Init => {
            if !sem_locked(vm, s) {
                sem_mut(vm, s).value -= 1;
                return finish(vm, op, done);
            }
            let fut = new_waiter(vm, op, s)?;
            sem_mut(vm, s).waiters.push_back(fut);
            wait_on(vm, op, fut)
        }
        _ => {
            remove_waiter(&mut sem_mut(vm, s).waiters, op.waiter());
            if sem_mut(vm, s).value > 0 {
                sem_wake_next(vm, s)?;
            }
            finish(vm, op, done)
        }
    }
}

fn sem_throw(vm: &mut Vm, op: Op, s: ObjRef, exc: Value) -> PyResult<()> {
    let fut = op.waiter();
    remove_waiter(&mut sem_mut(vm, s).waiters, fut);
    if super::task::is_cancelled_error(vm, exc) && !is_cancelled(vm, fut) {
        sem_mut(vm, s).value += 1;
        sem_wake_next(vm, s)?;
    }
    Ok(())
}

// ---- Queue ------------------------------------------------------------------------

/// `Queue.qsize()`.
pub fn qsize(vm: &mut Vm, q: ObjRef) -> usize {
    queue_mut(vm, q).items.len()
}

/// `Queue.full()`.
pub fn full(vm: &mut Vm, q: ObjRef) -> bool {
    let queue = queue_mut(vm, q);
    queue.maxsize > 0 && queue.items.len() as i64 >= queue.maxsize
}

/// Wakes the first waiter of `getters` (or `putters`) that is not done.
fn wakeup_next(vm: &mut Vm, q: ObjRef, getters: bool) -> PyResult<()> {
    loop {
        let queue = queue_mut(vm, q);
        let waiters = if getters {
            &mut queue.getters
        } else {
            &mut queue.putters
        };
        let Some(w) = waiters.pop_front() else {
            return Ok(());
        };
        if !is_done(vm, w) {
            return wake(vm, w, Value::None);
        }
    }
}

/// `Queue.put_nowait(item)`.
pub fn put_nowait(vm: &mut Vm, q: ObjRef, item: Value) -> PyResult<()> {
    if full(vm, q) {
        return Err(queue_error(vm, "QueueFull"));
    }
    match queue_mut(vm, q).kind {
        QueueKind::Fifo | QueueKind::Lifo => queue_mut(vm, q).items.push_back(item),
        QueueKind::Priority => heap_push(vm, q, item)?,
    }
    let queue = queue_mut(vm, q);
    queue.unfinished += 1;
    let finished = queue.finished;
    event_clear(vm, finished);
    wakeup_next(vm, q, true)
}

/// `Queue.get_nowait()`.
pub fn get_nowait(vm: &mut Vm, q: ObjRef) -> PyResult<Value> {
    let queue = queue_mut(vm, q);
    if queue.items.is_empty() {
        return Err(queue_error(vm, "QueueEmpty"));
    }
    let item = match queue.kind {
        QueueKind::Fifo => queue.items.pop_front(),
        QueueKind::Lifo => queue.items.pop_back(),
        QueueKind::Priority => Some(heap_pop(vm, q)?),
    };
    let item = item.unwrap_or(Value::None);
    vm.temp_roots.push(item);
    let r = wakeup_next(vm, q, false);
    vm.temp_roots.pop();
    r.map(|_| item)
}

/// `QueueEmpty()` / `QueueFull()`.
fn queue_error(vm: &mut Vm, name: &str) -> PyErr {
    let c = classes(vm);
    let cls = if name == "QueueFull" {
        c.queue_full
    } else {
        c.queue_empty
    };
    PyErr(crate::vm::exceptions::new_exception(vm, cls, Vec::new()))
}

/// `Queue.task_done()`.
pub fn task_done(vm: &mut Vm, q: ObjRef) -> PyResult<()> {
    let queue = queue_mut(vm, q);
    if queue.unfinished <= 0 {
        return Err(vm.value_error("task_done() called too many times"));
    }
    queue.unfinished -= 1;
    if queue.unfinished == 0 {
        let finished = queue.finished;
        event_set(vm, finished)?;
    }
    Ok(())
}

fn queue_get_step(vm: &mut Vm, op: Op, q: ObjRef) -> PyResult<GenStep> {
    // Woken, or first time round CPython's `while self.empty()` loop.
    if !queue_mut(vm, q).items.is_empty() {
        let item = get_nowait(vm, q)?;
        return finish(vm, op, item);
    }
    let getter = new_waiter(vm, op, q)?;
    queue_mut(vm, q).getters.push_back(getter);
    wait_on(vm, op, getter)
}

fn queue_put_step(vm: &mut Vm, op: Op, q: ObjRef) -> PyResult<GenStep> {
    if !full(vm, q) {
        let item = data(vm, op).item;
        put_nowait(vm, q, item)?;
        return finish(vm, op, Value::None);
    }
    let putter = new_waiter(vm, op, q)?;
    queue_mut(vm, q).putters.push_back(putter);
    wait_on(vm, op, putter)
}

/// CPython's `except:` clause of `Queue.get`/`put` while waiting.
fn queue_throw(vm: &mut Vm, op: Op, q: ObjRef, getters: bool) -> PyResult<()> {
    let w = op.waiter();
    cancel_waiter(vm, w)?;
    let queue = queue_mut(vm, q);
    let list = if getters {
        &mut queue.getters
    } else {
        &mut queue.putters
    };
    remove_waiter(list, w);
    let ready = if getters {
        !queue_mut(vm, q).items.is_empty()
    } else {
        !full(vm, q)
    };
    if ready && !is_cancelled(vm, w) {
        wakeup_next(vm, q, getters)?;
    }
    Ok(())
}

// ---- priority queue heap (heapq's algorithm, comparing with `<`) ----------------

fn item_at(vm: &mut Vm, q: ObjRef, i: usize) -> Value {
    queue_mut(vm, q)
        .items
        .get(i)
        .copied()
        .unwrap_or(Value::None)
}

fn set_item(vm: &mut Vm, q: ObjRef, i: usize, v: Value) {
    if let Some(slot) = queue_mut(vm, q).items.get_mut(i) {
        *slot = v;
    }
}

fn heap_push(vm: &mut Vm, q: ObjRef, item: Value) -> PyResult<()> {
    queue_mut(vm, q).items.push_back(item);
    let pos = queue_mut(vm, q).items.len() - 1;
    sift_down(vm, q, 0, pos)
}

fn heap_pop(vm: &mut Vm, q: ObjRef) -> PyResult<Value> {
    let last = queue_mut(vm, q).items.pop_back().unwrap_or(Value::None);
    if queue_mut(vm, q).items.is_empty() {
        return Ok(last);
    }
    let top = item_at(vm, q, 0);
    set_item(vm, q, 0, last);
    vm.temp_roots.push(top);
    let r = sift_up(vm, q, 0);
    vm.temp_roots.pop();
    r.map(|_| top)
}

fn sift_down(vm: &mut Vm, q: ObjRef, start: usize, mut pos: usize) -> PyResult<()> {
    let item = item_at(vm, q, pos);
    vm.temp_roots.push(item);
    let r = (|| {
        while pos > start {
            let parent_pos = (pos - 1) >> 1;
            let parent = item_at(vm, q, parent_pos);
            if vm.lt(item, parent)? {
                set_item(vm, q, pos, parent);
                pos = parent_pos;
                continue;
            }
            break;
        }
        set_item(vm, q, pos, item);
        Ok(())
    })();
    vm.temp_roots.pop();
    r
}

fn sift_up(vm: &mut Vm, q: ObjRef, mut pos: usize) -> PyResult<()> {
    let end = queue_mut(vm, q).items.len();
    let start = pos;
    let item = item_at(vm, q, pos);
    vm.temp_roots.push(item);
    let r = (|| {
        let mut child = 2 * pos + 1;
        while child < end {
            let right = child + 1;
            if right < end {
                let (c, r) = (item_at(vm, q, child), item_at(vm, q, right));
                if !vm.lt(c, r)? {
                    child = right;
                }
            }
            let c = item_at(vm, q, child);
            set_item(vm, q, pos, c);
            pos = child;
            child = 2 * pos + 1;
        }
        set_item(vm, q, pos, item);
        sift_down(vm, q, start, pos)
    })();
    vm.temp_roots.pop();
    r
}

// ---- dispatch ----------------------------------------------------------------

/// One step of operation `op` (state `state`, not Done) on `target`.
pub fn step(
    vm: &mut Vm,
    op: Op,
    kind: WaitKind,
    target: ObjRef,
    state: OpState,
) -> PyResult<GenStep> {
    match kind {
        WaitKind::LockAcquire { enter } => lock_step(vm, op, target, enter, state),
        WaitKind::SemAcquire { enter } => sem_step(vm, op, target, enter, state),
        WaitKind::EventWait { join } => event_step(vm, op, target, join, state),
        WaitKind::QueueGet => queue_get_step(vm, op, target),
        WaitKind::QueuePut => queue_put_step(vm, op, target),
        WaitKind::Release => {
            if vm.native_ref::<LockObj>(Value::Obj(target)).is_some() {
                lock_release(vm, target)?;
            } else {
                sem_release(vm, target)?;
            }
            finish(vm, op, Value::None)
        }
        WaitKind::Sleep => unreachable!("sleeps step in wait_op.rs"),
    }
}

/// CPython's `finally`/`except` clean-up of an operation that was waiting
/// when `exc` was thrown in.
pub fn clean_up(vm: &mut Vm, op: Op, kind: WaitKind, target: ObjRef, exc: Value) -> PyResult<()> {
    match kind {
        WaitKind::LockAcquire { .. } => lock_throw(vm, op, target, exc),
        WaitKind::SemAcquire { .. } => sem_throw(vm, op, target, exc),
        WaitKind::EventWait { .. } => {
            remove_waiter(&mut event_mut(vm, target).waiters, op.waiter());
            Ok(())
        }
        WaitKind::QueueGet => queue_throw(vm, op, target, true),
        WaitKind::QueuePut => queue_throw(vm, op, target, false),
        WaitKind::Release | WaitKind::Sleep => Ok(()),
    }
}

/// A new queue-finished event for a queue being created.
pub fn new_event(vm: &mut Vm, value: bool) -> ObjRef {
    let class = classes(vm).event;
    match vm.alloc(Object::Native(Box::new(EventObj {
        class,
        value,
        waiters: VecDeque::new(),
        bound: None,
    }))) {
        Value::Obj(r) => r,
        _ => unreachable!(),
    }
}
