//! The event loop: one readable loop over a ready queue, a timer heap and
//! a mio poller, and the per-VM state asyncio needs (which loop and task are
//! running, the current contextvars context, the classes of futures and
//! tasks).
//!
//! A loop pass (CPython's `_run_once`): drop cancelled timers; wait for I/O
//! for as long as nothing is ready (until the next timer; with virtual
//! time, jump the clock there instead); move due timers to the ready queue;
//! run exactly the items that were ready when the pass began. When nothing
//! is ready, no timer is pending and no I/O is registered, nothing can ever
//! happen again: the loop stops with a deadlock report instead of hanging.
//!
//! Tasks are fibers (`task.rs`): a ready `Step` swaps the task's frames onto
//! the VM, runs them to their next suspension and swaps them out. Futures
//! complete by queueing their callbacks (`future.rs`). The VM never sees
//! this module; it calls back through `Vm::await_hook` (one await step on a
//! native awaitable) and `Vm::agen_firstiter_hook`.

pub mod awaitables;
pub mod clock;
pub mod context;
pub mod future;
pub mod gather;
pub mod io;
pub mod report;
pub mod sync;
pub mod task;
pub mod timers;
pub mod wait_op;

use crate::vm::exceptions::ExcKind;
use crate::vm::frame::Fiber;
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyErr, PyResult, Vm, VmExtension};
use future::Callback;
use std::any::Any;
use std::collections::VecDeque;
use timers::{TimerAction, TimerId, Timers};

/// The classes of the runtime's native objects (created by the asyncio
/// module, which also installs their methods).
#[derive(Clone, Copy)]
pub struct Classes {
    pub future: ObjRef,
    pub task: ObjRef,
    pub gathering_future: ObjRef,
    pub event_loop: ObjRef,
    pub handle: ObjRef,
    pub timer_handle: ObjRef,
    pub sleep: ObjRef,
    pub cancelled_error: ObjRef,
    pub invalid_state_error: ObjRef,
    pub context: ObjRef,
    pub context_var: ObjRef,
    pub token: ObjRef,
    pub lock: ObjRef,
    pub event: ObjRef,
    pub semaphore: ObjRef,
    pub bounded_semaphore: ObjRef,
    pub queue: ObjRef,
    pub lifo_queue: ObjRef,
    pub priority_queue: ObjRef,
    pub queue_empty: ObjRef,
    pub queue_full: ObjRef,
}

/// Per-VM asyncio state (hangs off `Vm::runtime`).
pub struct Runtime {
    pub classes: Classes,
    /// The loop inside `run_forever` now.
    pub running_loop: Option<ObjRef>,
    /// The task whose step is running now.
    pub current_task: Option<ObjRef>,
    /// The policy's loop (`get_event_loop` / `set_event_loop`).
    pub policy_loop: Option<ObjRef>,
    pub policy_set_called: bool,
    /// Numbers automatic task names (`Task-N`).
    pub task_counter: u64,
    /// The current contextvars Context, or None for an empty one that has
    /// not been needed yet.
    pub context: Value,
    /// Tasks not yet done (`all_tasks`, the deadlock report), each task
    /// knowing its index.
    pub pending: Vec<ObjRef>,
    /// `async def _run(aw): return await aw`, the root coroutine of a task
    /// made from an awaitable that is not a coroutine.
    pub wrapper: Value,
    /// Helper functions written in aspy (the `_aspy_async` module).
    pub helpers: Value,
    /// Async generators first iterated under a running loop, with that
    /// loop (the generators are held weakly: the collector reports deaths).
    pub agen_loops: Vec<(ObjRef, ObjRef)>,
    /// An empty fiber whose buffers the next task step runs on (a task
    /// parked at its root coroutine keeps no fiber of its own).
    pub spare_fiber: Fiber,
}

impl VmExtension for Runtime {
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        let c = &self.classes;
        for r in [
            c.future,
            c.task,
            c.gathering_future,
            c.event_loop,
            c.handle,
            c.timer_handle,
            c.sleep,
            c.cancelled_error,
            c.invalid_state_error,
            c.context,
            c.context_var,
            c.token,
            c.lock,
            c.event,
            c.semaphore,
            c.bounded_semaphore,
            c.queue,
            c.lifo_queue,
            c.priority_queue,
            c.queue_empty,
            c.queue_full,
        ] {
            f(Value::Obj(r));
        }
        for r in [self.running_loop, self.current_task, self.policy_loop]
            .into_iter()
            .flatten()
        {
            f(Value::Obj(r));
        }
        f(self.context);
        self.pending.iter().for_each(|&t| f(Value::Obj(t)));
        f(self.wrapper);
        f(self.helpers);
        self.agen_loops.iter().for_each(|&(_, l)| f(Value::Obj(l)));
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Installs the runtime (once): its state, and the VM hooks.
pub fn install(vm: &mut Vm, classes: Classes, helpers: Value, wrapper: Value) {
    vm.runtime = Some(Box::new(Runtime {
        classes,
        running_loop: None,
        current_task: None,
        policy_loop: None,
        policy_set_called: false,
        task_counter: 0,
        context: Value::None,
        pending: Vec::new(),
        wrapper,
        helpers,
        agen_loops: Vec::new(),
        spare_fiber: Fiber::default(),
    }));
    vm.await_hook = Some(awaitables::await_step);
    vm.agen_firstiter_hook = Some(report::agen_firstiter);
    vm.finalize_hook = Some(report::finalize);
}

/// Is the runtime installed (asyncio or contextvars imported)?
pub fn installed(vm: &Vm) -> bool {
    vm.runtime.is_some()
}

/// The runtime state. Panics if asyncio was never imported: every caller
/// is reached only through the asyncio/contextvars modules.
pub fn rt(vm: &mut Vm) -> &mut Runtime {
    vm.runtime
        .as_mut()
        .and_then(|r| r.as_any_mut().downcast_mut::<Runtime>())
        .expect("asyncio runtime installed")
}

/// The runtime's classes.
pub fn classes(vm: &mut Vm) -> Classes {
    rt(vm).classes
}

/// One entry of a loop's ready queue.
#[derive(Clone, Copy)]
pub enum Ready {
    /// Run a step of a task, throwing the exception in if not Unbound.
    Step(ObjRef, Value),
    /// A future completed: run one of its callbacks.
    Done(Callback, ObjRef),
    /// A `Handle`/`TimerHandle`: run its callback.
    Handle(ObjRef),
    /// A sleep's timer expired: its task wakes on the next pass.
    TimerFired(TimerId),
}

impl Ready {
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        match *self {
            Ready::Step(t, exc) => {
                f(Value::Obj(t));
                f(exc);
            }
            Ready::Done(cb, fut) => {
                cb.trace(f);
                f(Value::Obj(fut));
            }
            Ready::Handle(h) => f(Value::Obj(h)),
            Ready::TimerFired(_) => {}
        }
    }
}

/// An event loop (`asyncio.new_event_loop()`).
pub struct EventLoop {
    class: ObjRef,
    pub ready: VecDeque<Ready>,
    pub timers: Timers,
    pub stopping: bool,
    pub closed: bool,
    pub running: bool,
    pub debug: bool,
    pub io: Option<io::Io>,
    pub asyncgens_shutdown_called: bool,
    pub executor_shutdown_called: bool,
    pub exception_handler: Value,
    pub task_factory: Value,
    pub slow_callback_duration: f64,
}

impl NativeObject for EventLoop {
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        self.ready.iter().for_each(|r| r.trace(f));
        self.timers.trace(f);
        f(self.exception_handler);
        f(self.task_factory);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl EventLoop {
    /// A new, idle loop object.
    pub fn create(vm: &mut Vm) -> Value {
        let class = classes(vm).event_loop;
        vm.alloc(Object::Native(Box::new(EventLoop {
            class,
            ready: VecDeque::new(),
            timers: Timers::default(),
            stopping: false,
            closed: false,
            running: false,
            debug: false,
            io: io::Io::new(),
            asyncgens_shutdown_called: false,
            executor_shutdown_called: false,
            exception_handler: Value::None,
            task_factory: Value::None,
            slow_callback_duration: 0.1,
        })))
    }

    /// The loop behind a handle known to be one.
    pub fn get_mut(vm: &mut Vm, lp: ObjRef) -> &mut EventLoop {
        vm.native_mut::<EventLoop>(Value::Obj(lp))
            .expect("an event loop")
    }

    pub fn get(vm: &Vm, lp: ObjRef) -> &EventLoop {
        vm.native_ref::<EventLoop>(Value::Obj(lp))
            .expect("an event loop")
    }
}

/// The loop `v` refers to, if it is one.
pub fn as_loop(vm: &Vm, v: Value) -> Option<ObjRef> {
    match v {
        Value::Obj(r) if vm.native_ref::<EventLoop>(v).is_some() => Some(r),
        _ => None,
    }
}

/// `RuntimeError('Event loop is closed')` if it is.
pub fn check_closed(vm: &mut Vm, lp: ObjRef) -> PyResult<()> {
    if EventLoop::get(vm, lp).closed {
        return Err(vm.new_error(ExcKind::RuntimeError, "Event loop is closed"));
    }
    Ok(())
}

/// Appends to a loop's ready queue.
pub fn push_ready(vm: &mut Vm, lp: ObjRef, item: Ready) {
    EventLoop::get_mut(vm, lp).ready.push_back(item);
}

/// `run_forever`, or `run_until_complete` when `main` is given (the future
/// whose completion stops the loop; it is only used for the deadlock
/// report).
pub fn run_forever(vm: &mut Vm, lp: ObjRef, main: Option<ObjRef>) -> PyResult<()> {
    check_closed(vm, lp)?;
    if EventLoop::get(vm, lp).running {
        return Err(vm.new_error(ExcKind::RuntimeError, "This event loop is already running"));
    }
    if rt(vm).running_loop.is_some() {
        return Err(vm.new_error(
            ExcKind::RuntimeError,
            "Cannot run the event loop while another loop is running",
        ));
    }
    EventLoop::get_mut(vm, lp).running = true;
    rt(vm).running_loop = Some(lp);
    let result = loop {
        if let Err(e) = run_once(vm, lp, main) {
            break Err(e);
        }
        if EventLoop::get(vm, lp).stopping {
            break Ok(());
        }
    };
    let l = EventLoop::get_mut(vm, lp);
    l.stopping = false;
    l.running = false;
    rt(vm).running_loop = None;
    result
}

/// One pass of the loop (see the module doc).
fn run_once(vm: &mut Vm, lp: ObjRef, main: Option<ObjRef>) -> PyResult<()> {
    let l = EventLoop::get_mut(vm, lp);
    l.timers.purge_cancelled();
    let idle = l.ready.is_empty() && !l.stopping;
    let next_due = l.timers.next_due();
    let io_sources = l.io.as_ref().map_or(0, |io| io.registered);
    if !idle {
        clock::catch_up(vm);
    }
    if idle {
        match next_due {
            None if io_sources == 0 => return Err(report::deadlock(vm, lp, main)),
            None => wait_io(vm, lp, None),
            Some(when) => {
                let timeout = (when - clock::now(vm)).clamp(0.0, 86_400.0);
                if timeout > 0.0 {
                    if clock::is_virtual(vm) && io_sources == 0 {
                        clock::advance_to(vm, when);
                    } else {
                        wait_io(vm, lp, Some(timeout));
                    }
                }
            }
        }
    }
    let end = clock::now(vm) + 1e-9;
    let l = EventLoop::get_mut(vm, lp);
    while let Some((id, cancelled)) = l.timers.pop_due(end) {
        if cancelled {
            l.timers.release(id);
            continue;
        }
        match l.timers.action(id) {
            Some(TimerAction::Wake(_)) => l.ready.push_back(Ready::TimerFired(id)),
            Some(TimerAction::Handle(h)) => {
                l.timers.release(id);
                l.ready.push_back(Ready::Handle(h));
            }
            None => {}
        }
    }
    let n = l.ready.len();
    let debug = l.debug;
    for _ in 0..n {
        let Some(item) = EventLoop::get_mut(vm, lp).ready.pop_front() else {
            break;
        };
        if debug {
            report::timed(vm, lp, item, run_ready)?;
        } else {
            run_ready(vm, lp, item)?;
        }
    }
    Ok(())
}

/// Blocks in the poller (or sleeps) for up to `timeout` seconds.
fn wait_io(vm: &mut Vm, lp: ObjRef, timeout: Option<f64>) {
    let l = EventLoop::get_mut(vm, lp);
    match (&mut l.io, timeout) {
        (Some(io), t) => io.wait(t),
        (None, Some(t)) => io::wait(None, t),
        (None, None) => {}
    }
}

/// Runs one ready item. Errors are only those that stop the loop
/// (SystemExit, KeyboardInterrupt).
fn run_ready(vm: &mut Vm, lp: ObjRef, item: Ready) -> PyResult<()> {
    match item {
        Ready::Step(t, exc) => task::step(vm, t, (!exc.is_unbound()).then_some(exc)),
        Ready::Done(cb, fut) => run_done_callback(vm, lp, cb, fut),
        Ready::Handle(h) => run_handle(vm, lp, h),
        Ready::TimerFired(id) => {
            let l = EventLoop::get_mut(vm, lp);
            if let Some(TimerAction::Wake(t)) = l.timers.release(id) {
                l.ready.push_back(Ready::Step(t, Value::Unbound));
            }
            Ok(())
        }
    }
}

/// Runs a future's done callback.
fn run_done_callback(vm: &mut Vm, lp: ObjRef, cb: Callback, fut: ObjRef) -> PyResult<()> {
    match cb {
        Callback::Wakeup(t) => task::wakeup(vm, t, fut),
        Callback::Gather(outer) => gather::child_done(vm, outer, fut),
        Callback::ShieldInner(outer) => gather::shield_inner_done(vm, outer, fut),
        Callback::ShieldOuter(inner) => gather::shield_outer_done(vm, inner, fut),
        Callback::StopLoop => {
            let c = future::expect(vm, fut);
            if c.state != future::FutState::Cancelled {
                c.log_traceback = false;
                let exc = c.exception_value();
                if !exc.is_none()
                    && (vm.exc_matches(exc, ExcKind::SystemExit)
                        || vm.exc_matches(exc, ExcKind::KeyboardInterrupt))
                {
                    return Ok(());
                }
            }
            let owner = future::expect(vm, fut).event_loop;
            EventLoop::get_mut(vm, owner).stopping = true;
            Ok(())
        }
        Callback::Call { func, context } => {
            let args = [Value::Obj(fut)];
            let context = context.map_or(Value::None, Value::Obj);
            call_in_context(vm, lp, Value::Obj(func), &args, context, None)
        }
    }
}

/// Runs a `Handle`'s callback unless it was cancelled.
fn run_handle(vm: &mut Vm, lp: ObjRef, h: ObjRef) -> PyResult<()> {
    let Some(handle) = vm.native_ref::<timers::HandleObj>(Value::Obj(h)) else {
        return Ok(());
    };
    if handle.cancelled {
        return Ok(());
    }
    let (func, args, context) = (handle.callback, handle.args, handle.context);
    let args: Vec<Value> = vm.seq_items(args).map(|s| s.to_vec()).unwrap_or_default();
    call_in_context(vm, lp, func, &args, context, Some(h))
}

/// Calls `func(*args)` with `context` current; an exception goes to the
/// loop's exception handler ("Exception in callback ...").
fn call_in_context(
    vm: &mut Vm,
    lp: ObjRef,
    func: Value,
    args: &[Value],
    context: Value,
    handle: Option<ObjRef>,
) -> PyResult<()> {
    let r = context::run_in(vm, context, |vm| vm.call(func, args, &[]));
    match r {
        Ok(_) => Ok(()),
        Err(e) if is_fatal(vm, e.0) => Err(e),
        Err(e) => {
            vm.temp_roots.push(e.0);
            let r = report::callback_failed(vm, lp, func, args, handle, e.0);
            vm.temp_roots.pop();
            r
        }
    }
}

/// SystemExit and KeyboardInterrupt leave the loop; everything else is
/// caught by the task or reported.
pub fn is_fatal(vm: &Vm, exc: Value) -> bool {
    vm.exc_matches(exc, ExcKind::SystemExit) || vm.exc_matches(exc, ExcKind::KeyboardInterrupt)
}

/// `get_running_loop()`: RuntimeError('no running event loop') outside one.
pub fn running_loop(vm: &mut Vm) -> PyResult<ObjRef> {
    match rt(vm).running_loop {
        Some(l) => Ok(l),
        None => Err(vm.new_error(ExcKind::RuntimeError, "no running event loop")),
    }
}

/// `get_event_loop()`: the running loop, else the policy's (created on
/// first use, as CPython's main thread does).
pub fn event_loop(vm: &mut Vm) -> PyResult<ObjRef> {
    if let Some(l) = rt(vm).running_loop {
        return Ok(l);
    }
    let r = rt(vm);
    if let Some(l) = r.policy_loop {
        return Ok(l);
    }
    if r.policy_set_called {
        return Err(vm.new_error(
            ExcKind::RuntimeError,
            "There is no current event loop in thread 'MainThread'.",
        ));
    }
    let Value::Obj(l) = EventLoop::create(vm) else {
        unreachable!()
    };
    let r = rt(vm);
    r.policy_loop = Some(l);
    r.policy_set_called = true;
    Ok(l)
}

/// A RuntimeError with this message.
pub fn runtime_error(vm: &mut Vm, msg: impl Into<String>) -> PyErr {
    vm.new_error(ExcKind::RuntimeError, msg)
}
