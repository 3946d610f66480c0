//! Tasks as fibers.
//!
//! A task owns a [`Fiber`]: its root coroutine's frame (mode `TaskRoot`)
//! and the frames of every coroutine it is awaiting, on one value stack.
//! A step swaps that fiber onto the VM, delivers the value or exception to
//! the innermost frame, runs until the innermost awaitable yields (the
//! whole chain stays put: resuming costs the same at any depth) or the root
//! returns, and swaps it back out. What the step yielded says what the task
//! waits for ([`Waiter`]): a future (a wake-up callback on it), a sleep (a
//! timer that wakes it), or nothing (`sleep(0)`: the next pass).
//!
//! Cancellation follows CPython 3.11: `cancel()` cancels what the task
//! waits for, which wakes it with CancelledError; a task that is not
//! waiting gets it thrown in at its next step (`must_cancel`).

use super::future::{self, Callback, FutureCore};
use super::timers::{TimerAction, TimerId};
use super::wait_op::{self, OpData, WaitKind};
use super::{awaitables, context, gather, rt, EventLoop, Ready};
use crate::bytecode::CodeKind;
use crate::vm::exceptions::ExcKind;
use crate::vm::frame::{Fiber, FrameMode};
use crate::vm::interp::Exit;
use crate::vm::object::generator::PARKED;
use crate::vm::object::GenState;
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, OptRef, Value};
use crate::vm::{PyErr, PyResult, Vm};
use std::any::Any;

/// What a suspended task is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiter {
    /// Nothing: it is ready, running, or done.
    None,
    /// A future (or task) whose completion wakes it.
    Future(ObjRef),
    /// The timer of a sleep.
    Timer(TimerId),
    /// The waiter of its inline wait operation (`op`): the task stands in
    /// for that future.
    Inline,
}

/// A task's name: its number (`Task-<number>`) until the name is asked
/// for or set, then the string. CPython numbers a task when it is made
/// without a name; the string is only made when needed.
#[derive(Clone, Copy)]
pub struct TaskName(u64);

impl TaskName {
    /// Tags a string's handle (numbers stay below it).
    const STR: u64 = 1 << 63;

    fn number(n: u64) -> TaskName {
        TaskName(n & !TaskName::STR)
    }

    fn string(s: ObjRef) -> TaskName {
        TaskName(TaskName::STR | s.0 as u64)
    }

    /// The name string, if it exists.
    fn get(self) -> Option<ObjRef> {
        (self.0 & TaskName::STR != 0).then_some(ObjRef(self.0 as u32))
    }
}

/// An asyncio Task. Kept small (128 bytes): a parked task is this, its
/// heap slot and its coroutine.
pub struct TaskObj {
    pub core: FutureCore,
    /// The lock, event, queue or sleep operation its innermost frame
    /// awaits, when run inline (see `wait_op.rs`).
    pub op: OpData,
    /// The task's frames while it is parked with more than its root
    /// coroutine's frame (a parked root alone is saved in the coroutine).
    pub fiber: Option<Box<Fiber>>,
    name: TaskName,
    pub class: ObjRef,
    /// What the task was created with (`get_coro()`).
    pub coro: ObjRef,
    /// The coroutine at the root of the fiber (`coro`, or a wrapper
    /// coroutine awaiting it when it is another kind of awaitable).
    pub root: ObjRef,
    /// The contextvars Context the task runs in (None: empty so far).
    context: OptRef,
    pub num_cancels_requested: u32,
    /// Position in the runtime's pending list while not done.
    pub pending_index: u32,
    pub waiter: Waiter,
    pub started: bool,
    pub must_cancel: bool,
}

impl TaskObj {
    /// The contextvars Context the task runs in (None: empty so far).
    pub fn context(&self) -> Value {
        self.context.value()
    }

    pub fn set_context(&mut self, ctx: Value) {
        self.context = OptRef::from_value(ctx);
    }

    /// Names the task (`s` is a str).
    pub fn set_name(&mut self, s: ObjRef) {
        self.name = TaskName::string(s);
    }
}

impl NativeObject for TaskObj {
    fn awaitable(&self) -> bool {
        true
    }
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        self.core.trace(f);
        f(Value::Obj(self.coro));
        f(Value::Obj(self.root));
        if let Some(fiber) = &self.fiber {
            fiber.trace(f);
        }
        if let Some(s) = self.name.get() {
            f(Value::Obj(s));
        }
        f(self.context.value());
        if let Waiter::Future(w) = self.waiter {
            f(Value::Obj(w));
        }
        self.op.trace(f);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The task behind a handle known to be one.
pub fn task_mut(vm: &mut Vm, t: ObjRef) -> &mut TaskObj {
    vm.native_mut::<TaskObj>(Value::Obj(t)).expect("a task")
}

/// The task `v` refers to, if it is one.
pub fn as_task(vm: &Vm, v: Value) -> Option<ObjRef> {
    match v {
        Value::Obj(r) if vm.native_ref::<TaskObj>(v).is_some() => Some(r),
        _ => None,
    }
}

/// Is `v` something a task can run: a coroutine, or a native coroutine-like
/// object (an async generator's asend/athrow, a sleep), or an object with
/// `send`, `throw`, `close` and `__await__` (CPython's Coroutine ABC)?
pub fn is_coroutine(vm: &mut Vm, v: Value) -> bool {
    let Value::Obj(r) = v else { return false };
    match vm.heap.get(r) {
        // Generators too: 3.11 still accepts generator-based coroutines.
        Object::Generator(g) => g.kind != CodeKind::AsyncGenerator,
        Object::GenOp(op) => !matches!(op.kind, crate::vm::object::GenOpKind::Await),
        Object::Native(n) => {
            n.as_any().is::<awaitables::SleepObj>() || n.as_any().is::<super::wait_op::WaitOp>()
        }
        Object::Instance(_) => ["send", "throw", "close", "__await__"]
            .iter()
            .all(|m| vm.lookup_special(v, m).is_some()),
        _ => false,
    }
}

/// `Task(coro, loop=..., name=..., context=...)`: schedules the first step.
pub fn create(vm: &mut Vm, lp: ObjRef, coro: Value, name: Value, ctx: Value) -> PyResult<Value> {
    if !is_coroutine(vm, coro) {
        let r = vm.repr_value(coro)?;
        return Err(vm.type_error(format!("a coroutine was expected, got {r}")));
    }
    super::check_closed(vm, lp)?;
    let root = match coro {
        Value::Obj(r) if matches!(vm.heap.get(r), Object::Generator(g) if g.kind != CodeKind::AsyncGenerator) => {
            r
        }
        _ => {
            let wrapper = rt(vm).wrapper;
            match vm.call(wrapper, &[coro], &[])? {
                Value::Obj(r) => r,
                _ => unreachable!("the wrapper is a coroutine function"),
            }
        }
    };
    let name = match name {
        Value::None => {
            let r = rt(vm);
            r.task_counter += 1;
            TaskName::number(r.task_counter)
        }
        _ => {
            let s = vm.str_value(name)?;
            match vm.new_str(s) {
                Value::Obj(r) => TaskName::string(r),
                _ => unreachable!("a str is an object"),
            }
        }
    };
    let context = if ctx.is_none() {
        context::copy_current(vm)
    } else {
        ctx
    };
    let class = super::classes(vm).task;
    let pending_index = rt(vm).pending.len() as u32;
    let Value::Obj(coro) = coro else {
        unreachable!("is_coroutine accepts objects only")
    };
    let t = vm.alloc(Object::Native(Box::new(TaskObj {
        core: FutureCore::new(lp),
        op: OpData::EMPTY,
        fiber: None,
        name,
        class,
        coro,
        root,
        context: OptRef::from_value(context),
        num_cancels_requested: 0,
        pending_index,
        waiter: Waiter::None,
        started: false,
        must_cancel: false,
    })));
    let Value::Obj(tr) = t else { unreachable!() };
    rt(vm).pending.push(tr);
    super::push_ready(vm, lp, Ready::Step(tr, Value::Unbound));
    Ok(t)
}

/// The task's name as a string value.
pub fn name(vm: &mut Vm, t: ObjRef) -> Value {
    let task = task_mut(vm, t);
    if let Some(s) = task.name.get() {
        return Value::Obj(s);
    }
    let n = task.name.0;
    let s = vm.new_str(format!("Task-{n}"));
    if let Value::Obj(r) = s {
        task_mut(vm, t).set_name(r);
    }
    s
}

/// Removes a finished task from the pending list.
fn unregister(vm: &mut Vm, t: ObjRef) {
    let i = task_mut(vm, t).pending_index as usize;
    let pending = &mut rt(vm).pending;
    if pending.get(i) != Some(&t) {
        return;
    }
    pending.swap_remove(i);
    if let Some(&moved) = pending.get(i) {
        task_mut(vm, moved).pending_index = i as u32;
    }
}

/// One step of a task (CPython's `Task.__step`), resuming it with `exc`
/// thrown in if given. Errors returned are only SystemExit and
/// KeyboardInterrupt, which stop the loop; any other outcome is the task's.
pub fn step(vm: &mut Vm, t: ObjRef, exc: Option<Value>) -> PyResult<()> {
    let task = task_mut(vm, t);
    if task.core.done() {
        return Ok(());
    }
    let mut exc = exc;
    if task.must_cancel {
        task.must_cancel = false;
        let is_cancel = exc.is_some_and(|e| is_cancelled_error(vm, e));
        if !is_cancel {
            exc = Some(future::make_cancelled_error(vm, t));
        }
    }
    let task = task_mut(vm, t);
    task.waiter = Waiter::None;
    let ctx = task.context();
    let r = rt(vm);
    let prev_task = r.current_task.replace(t);
    let prev_ctx = std::mem::replace(&mut r.context, ctx);
    let outcome = run_fiber(vm, t, exc);
    let r = rt(vm);
    let ctx = std::mem::replace(&mut r.context, prev_ctx);
    r.current_task = prev_task;
    task_mut(vm, t).set_context(ctx);
    match outcome {
        Ok(Exit::Suspend(y)) => suspended(vm, t, y),
        Ok(Exit::Return(v) | Exit::Yield(v)) => {
            let task = task_mut(vm, t);
            if task.must_cancel {
                task.must_cancel = false;
                let msg = task.core.cancel_message();
                finish_cancelled(vm, t, msg);
            } else {
                task_mut(vm, t).core.finish_with(v);
                finished(vm, t);
            }
            Ok(())
        }
        Err(e) if is_cancelled_error(vm, e.0) => {
            task_mut(vm, t).core.set_cancelled_exc(e.0);
            finish_cancelled(vm, t, Value::None);
            Ok(())
        }
        Err(e) => {
            set_task_exception(vm, t, e.0);
            if super::is_fatal(vm, e.0) {
                return Err(e);
            }
            Ok(())
        }
    }
}

/// `super().cancel(msg)` on a task whose coroutine ended.
fn finish_cancelled(vm: &mut Vm, t: ObjRef, msg: Value) {
    let c = &mut task_mut(vm, t).core;
    c.state = future::FutState::Cancelled;
    c.set_cancel_message(msg);
    c.log_traceback = false;
    finished(vm, t);
}

fn set_task_exception(vm: &mut Vm, t: ObjRef, exc: Value) {
    let tb = vm.exc_data(exc).map_or(0, |d| d.traceback.len());
    task_mut(vm, t).core.fail_with(exc, tb);
    vm.heap.watched.push(t);
    finished(vm, t);
}

/// The task is done: leave the pending list, run the callbacks.
fn finished(vm: &mut Vm, t: ObjRef) {
    let task = task_mut(vm, t);
    task.fiber = None;
    // A wrapped native awaitable the task never got to run (cancelled
    // before its first step) was closed with it, not left "never awaited".
    if task.coro != task.root {
        let c = task.coro;
        awaitables::close_unstarted(vm, c);
    }
    unregister(vm, t);
    future::schedule_callbacks(vm, t);
}

/// Is `exc` an asyncio CancelledError?
pub fn is_cancelled_error(vm: &mut Vm, exc: Value) -> bool {
    let cls = super::classes(vm).cancelled_error;
    vm.is_instance(exc, cls)
}

/// A task that never ran is destroyed with its closed loop (CPython drops
/// it with the loop's ready queue): its coroutine is closed and reported
/// as never awaited, and it leaves the pending list (`all_tasks`).
pub fn destroy_unstarted(vm: &mut Vm, t: ObjRef) {
    let task = task_mut(vm, t);
    let (c, root) = (task.coro, task.root);
    let report = vm.heap.unawaited_of(c);
    if c != root {
        // The wrapper coroutine of a native awaitable: silently.
        let _ = vm.gen_close(root);
        awaitables::close_unstarted(vm, c);
    } else {
        let _ = vm.gen_close(c);
    }
    if let Some(u) = report {
        vm.warn_unawaited(vec![u]);
    }
    unregister(vm, t);
}

/// A started task of a closed loop is destroyed (at exit): its coroutine
/// is closed as CPython's finaliser closes it, GeneratorExit thrown in where
/// it waits, outside any task. Returns what went wrong, for the
/// "Exception ignored in" report: an error raised while closing, or
/// RuntimeError when the coroutine awaited again instead of finishing.
pub fn close_destroyed(vm: &mut Vm, t: ObjRef) -> Option<Value> {
    if !task_mut(vm, t).started {
        return None;
    }
    let exit = vm.new_error(ExcKind::GeneratorExit, "").0;
    match run_fiber(vm, t, Some(exit)) {
        Ok(Exit::Return(_)) => None,
        Ok(Exit::Suspend(_) | Exit::Yield(_)) => {
            Some(super::runtime_error(vm, "coroutine ignored GeneratorExit").0)
        }
        Err(e) => {
            let ge = vm.types.exc(ExcKind::GeneratorExit);
            (!vm.is_instance(e.0, ge)).then_some(e.0)
        }
    }
}

/// Swaps the task's fiber in (its own, or the spare one for a task parked
/// at its root), resumes it and swaps it out. A task that suspends with
/// only its root frame saves that frame in the root coroutine and gives
/// the buffers back as the spare fiber, so a parked task keeps no fiber.
fn run_fiber(vm: &mut Vm, t: ObjRef, exc: Option<Value>) -> PyResult<Exit> {
    let task = task_mut(vm, t);
    let mut own = task.fiber.take();
    let started = std::mem::replace(&mut task.started, true);
    let root = task.root;
    let fiber = match &mut own {
        Some(b) => std::mem::take(&mut **b),
        None => std::mem::take(&mut rt(vm).spare_fiber),
    };
    let outer = std::mem::replace(&mut vm.fiber, fiber);
    vm.parked.push(outer);
    vm.native_depth += 1;
    let r = resume(vm, root, started, exc);
    if matches!(r, Ok(Exit::Suspend(_))) && vm.fiber.frames.len() == 1 {
        vm.save_top_frame(GenState::Running, 0);
    }
    vm.native_depth -= 1;
    let outer = vm.parked.pop().expect("parked fiber");
    let fiber = std::mem::replace(&mut vm.fiber, outer);
    if fiber.frames.is_empty() {
        rt(vm).spare_fiber = fiber;
    } else {
        let mut b = own.unwrap_or_default();
        *b = fiber;
        task_mut(vm, t).fiber = Some(b);
    }
    r
}

fn resume(vm: &mut Vm, root: ObjRef, started: bool, exc: Option<Value>) -> PyResult<Exit> {
    let resumed = if !started {
        vm.resume_generator(root, Value::None, exc, FrameMode::TaskRoot)
    } else if vm.fiber.frames.is_empty() {
        vm.push_generator_frame(root, Value::None, exc, FrameMode::TaskRoot)
    } else if let Some(e) = exc {
        vm.throw_into_top(e)
    } else {
        vm.deliver_sent(Value::None);
        Ok(())
    };
    if let Err(e) = resumed {
        if vm.fiber.frames.is_empty() {
            return Err(e);
        }
        vm.unwind(e, 0)?;
    }
    vm.run_frames(0)
}

/// Where a suspended task is, innermost frame first: the code and the
/// index of its next instruction.
pub fn frame_positions(vm: &Vm, t: ObjRef) -> Vec<(std::rc::Rc<crate::bytecode::Code>, u32)> {
    let Some(task) = vm.native_ref::<TaskObj>(Value::Obj(t)) else {
        return Vec::new();
    };
    if let Some(fiber) = &task.fiber {
        return fiber
            .frames
            .iter()
            .rev()
            .map(|f| (f.code.code.clone(), f.ip))
            .collect();
    }
    match vm.heap.get(task.root) {
        Object::Generator(g) if g.flags & PARKED != 0 => vec![(g.code.code.clone(), g.ip)],
        _ => Vec::new(),
    }
}

/// The task's frames yielded `y`: decide what it waits for.
fn suspended(vm: &mut Vm, t: ObjRef, y: Value) -> PyResult<()> {
    let lp = task_mut(vm, t).core.event_loop;
    if y.is(Value::Obj(t)) && task_mut(vm, t).op.active() {
        return wait_inline(vm, t, lp);
    }
    if let Value::Obj(f) = y {
        if let Some(c) = future::core_mut(vm, f) {
            let (blocking, f_loop) = (c.blocking, c.event_loop);
            if f_loop != lp {
                let msg = format!(
                    "Task {} got Future {} attached to a different loop",
                    repr_of(vm, Value::Obj(t)),
                    repr_of(vm, y)
                );
                return retry_with_error(vm, t, lp, msg);
            }
            if !blocking {
                let msg = format!(
                    "yield was used instead of yield from in task {} with {}",
                    repr_of(vm, Value::Obj(t)),
                    repr_of(vm, y)
                );
                return retry_with_error(vm, t, lp, msg);
            }
            if f == t {
                let msg = format!(
                    "Task cannot await on itself: {}",
                    repr_of(vm, Value::Obj(t))
                );
                return retry_with_error(vm, t, lp, msg);
            }
            future::expect(vm, f).blocking = false;
            future::add_callback(vm, f, Callback::Wakeup(t));
            let task = task_mut(vm, t);
            task.waiter = Waiter::Future(f);
            if task.must_cancel {
                let msg = task.core.cancel_message();
                // A RecursionError (a cycle of waiting tasks) leaves
                // `must_cancel` set: nothing was cancelled.
                if cancel_any(vm, f, msg).unwrap_or(false) {
                    task_mut(vm, t).must_cancel = false;
                }
            }
            return Ok(());
        }
        if let Some(when) = awaitables::sleep_due(vm, y) {
            sleep_until(vm, t, lp, when);
            return Ok(());
        }
    }
    if y.is_none() {
        super::push_ready(vm, lp, Ready::Step(t, Value::Unbound));
        return Ok(());
    }
    let msg = if matches!(y, Value::Obj(r) if matches!(vm.heap.get(r), Object::Generator(g) if g.kind == CodeKind::Generator))
    {
        format!(
            "yield was used instead of yield from for generator in task {} with {}",
            repr_of(vm, Value::Obj(t)),
            repr_of(vm, y)
        )
    } else {
        format!("Task got bad yield: {}", repr_of(vm, y))
    };
    retry_with_error(vm, t, lp, msg)
}

fn repr_of(vm: &mut Vm, v: Value) -> String {
    vm.repr_value(v).unwrap_or_else(|_| "<?>".into())
}

/// The task waits on its inline operation: a timed sleep's timer, or the
/// waiter the task stands in for.
fn wait_inline(vm: &mut Vm, t: ObjRef, lp: ObjRef) -> PyResult<()> {
    let op = task_mut(vm, t).op;
    if op.kind == WaitKind::Sleep {
        if let Value::Float(when) = op.item {
            sleep_until(vm, t, lp, when);
        }
        return Ok(());
    }
    let task = task_mut(vm, t);
    task.waiter = Waiter::Inline;
    if task.must_cancel {
        let msg = task.core.cancel_message();
        if wait_op::cancel_inline(vm, t, msg) {
            task_mut(vm, t).must_cancel = false;
        }
    }
    Ok(())
}

/// The task sleeps until `when`: a timer wakes it.
fn sleep_until(vm: &mut Vm, t: ObjRef, lp: ObjRef, when: f64) {
    let id = EventLoop::get_mut(vm, lp)
        .timers
        .add(when, TimerAction::Wake(t));
    let task = task_mut(vm, t);
    task.waiter = Waiter::Timer(id);
    if task.must_cancel {
        task.must_cancel = false;
        let msg = task.core.cancel_message();
        cancel_sleep(vm, t, lp, id, msg);
    }
}

/// Schedules a step that throws RuntimeError(msg) into the task.
fn retry_with_error(vm: &mut Vm, t: ObjRef, lp: ObjRef, msg: String) -> PyResult<()> {
    let e = super::runtime_error(vm, msg).0;
    super::push_ready(vm, lp, Ready::Step(t, e));
    Ok(())
}

/// Cancels a sleeping task's timer and wakes it with CancelledError(msg).
fn cancel_sleep(vm: &mut Vm, t: ObjRef, lp: ObjRef, id: TimerId, msg: Value) {
    EventLoop::get_mut(vm, lp).timers.cancel(id);
    let exc = future::new_cancelled_error(vm, msg);
    super::push_ready(vm, lp, Ready::Step(t, exc));
}

/// A future the task awaited completed (CPython's `Task.__wakeup`).
pub fn wakeup(vm: &mut Vm, t: ObjRef, fut: ObjRef) -> PyResult<()> {
    match future::result(vm, fut) {
        Ok(_) => step(vm, t, None),
        Err(e) => step(vm, t, Some(e.0)),
    }
}

/// `Task.cancel(msg)`. Fails only with RecursionError (tasks waiting on
/// each other in a cycle cancel each other without end, as in CPython).
pub fn cancel(vm: &mut Vm, t: ObjRef, msg: Value) -> PyResult<bool> {
    let task = task_mut(vm, t);
    task.core.log_traceback = false;
    if task.core.done() {
        return Ok(false);
    }
    task.num_cancels_requested += 1;
    let lp = task.core.event_loop;
    match task.waiter {
        Waiter::Future(f) => {
            if cancel_any(vm, f, msg)? {
                return Ok(true);
            }
        }
        Waiter::Timer(id) => {
            if !EventLoop::get(vm, lp).timers.is_cancelled(id) {
                // The waiter stays (a cancelled sleep) until the step runs,
                // as CPython's `_fut_waiter` does: a second cancel() then
                // sets `must_cancel`, and reprs show the cancelled future.
                cancel_sleep(vm, t, lp, id, msg);
                return Ok(true);
            }
        }
        Waiter::Inline => {
            if wait_op::cancel_inline(vm, t, msg) {
                return Ok(true);
            }
        }
        Waiter::None => {}
    }
    let task = task_mut(vm, t);
    task.must_cancel = true;
    task.core.set_cancel_message(msg);
    Ok(true)
}

/// `fut.cancel(msg)` for any future: a task, a gathering future or a
/// plain one. Each level of a chain of cancellations counts against the
/// recursion limit, as CPython's nested C calls do.
pub fn cancel_any(vm: &mut Vm, f: ObjRef, msg: Value) -> PyResult<bool> {
    if vm.native_depth >= vm.config.recursion_limit {
        return Err(vm.new_error(
            ExcKind::RecursionError,
            "maximum recursion depth exceeded while calling a Python object",
        ));
    }
    vm.native_depth += 1;
    let r = if as_task(vm, Value::Obj(f)).is_some() {
        cancel(vm, f, msg)
    } else if gather::is_gathering(vm, f) {
        gather::cancel(vm, f, msg)
    } else {
        Ok(future::cancel(vm, f, msg))
    };
    vm.native_depth -= 1;
    r
}

/// Creates a CancelledError-free error for misuse of a task (`set_result`).
pub fn unsupported(vm: &mut Vm, what: &str) -> PyErr {
    vm.new_error(
        ExcKind::RuntimeError,
        format!("Task does not support {what} operation"),
    )
}
