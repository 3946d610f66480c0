//! What the loop tells the user: the deadlock report, the exception
//! handler's log ("Exception in callback ...", "Task exception was never
//! retrieved"), slow steps in debug mode, and the reprs of futures, tasks
//! and handles those messages use. Also the collector's finalize hook
//! (unretrieved exceptions, async generators to close) and the async
//! generator first-iteration hook.

use super::future::{self, Callback, FutState};
use super::task::{self, as_task, Waiter};
use super::timers::HandleObj;
use super::{clock, rt, EventLoop, Ready};
use crate::bytecode::CodeKind;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::generator::AG_CLOSED;
use crate::vm::object::{GenState, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyErr, PyResult, Vm};

// ---- reprs ----------------------------------------------------------------

/// `repr()` of a value for a log line (never fails).
pub fn safe_repr(vm: &mut Vm, v: Value) -> String {
    vm.repr_value(v).unwrap_or_else(|_| "<repr failed>".into())
}

/// How a callback shows in reprs: `name(args) at file:line`.
pub fn callback_source(vm: &mut Vm, func: Value, args: &[Value]) -> String {
    let name = callback_name(vm, func);
    let args: Vec<String> = args.iter().map(|&a| safe_repr(vm, a)).collect();
    let mut s = format!("{name}({})", args.join(", "));
    if let Some((file, line)) = function_source(vm, func) {
        s.push_str(&format!(" at {file}:{line}"));
    }
    s
}

fn callback_name(vm: &mut Vm, func: Value) -> String {
    for attr in ["__qualname__", "__name__"] {
        if let Ok(v) = vm.get_attr_str(func, attr) {
            if let Some(s) = vm.as_str(v) {
                return s.to_string();
            }
        }
    }
    safe_repr(vm, func)
}

/// The file and first line of an aspy function (or bound method).
fn function_source(vm: &Vm, func: Value) -> Option<(String, usize)> {
    let Value::Obj(r) = func else { return None };
    match vm.heap.get(r) {
        Object::Function(f) => {
            let code = &f.code.code;
            Some((
                code.source.name.to_string(),
                code.source.line_of(code.span.start),
            ))
        }
        Object::BoundMethod(m) => function_source(vm, Value::Obj(m.func)),
        _ => None,
    }
}

fn callback_repr(vm: &mut Vm, cb: Callback) -> String {
    match cb {
        Callback::Wakeup(_) => "Task.task_wakeup()".into(),
        Callback::Call { func, .. } => callback_source(vm, Value::Obj(func), &[]),
        Callback::Gather(_) => "gather.<locals>._done_callback()".into(),
        Callback::ShieldInner(_) => "shield.<locals>._inner_done_callback()".into(),
        Callback::ShieldOuter(_) => "shield.<locals>._outer_done_callback()".into(),
        Callback::StopLoop => "_run_until_complete_cb()".into(),
    }
}

/// The parts of a future's repr after its class name.
fn future_info(vm: &mut Vm, f: ObjRef) -> Vec<String> {
    let c = future::expect(vm, f);
    let (state, result, exc) = (c.state, c.result_value(), c.exception_value());
    let callbacks = c.callbacks.as_slice().to_vec();
    let mut info = vec![match state {
        FutState::Pending => "pending".to_string(),
        FutState::Cancelled => "cancelled".to_string(),
        FutState::Finished => "finished".to_string(),
    }];
    if state == FutState::Finished {
        if exc.is_none() {
            info.push(format!("result={}", safe_repr(vm, result)));
        } else {
            info.push(format!("exception={}", safe_repr(vm, exc)));
        }
    }
    if !callbacks.is_empty() {
        let n = callbacks.len();
        let first = callback_repr(vm, callbacks[0]);
        let cb = match n {
            1 => first,
            2 => format!("{first}, {}", callback_repr(vm, callbacks[1])),
            _ => format!(
                "{first}, <{} more>, {}",
                n - 2,
                callback_repr(vm, callbacks[n - 1])
            ),
        };
        info.push(format!("cb=[{cb}]"));
    }
    info
}

/// Python frames CPython spends per task in a chain of `wait_for=` reprs:
/// a chain longer than the recursion limit allows raises RecursionError.
const FRAMES_PER_WAITER_REPR: usize = 4;

/// `repr(fut)` as the user asks for it: RecursionError for a chain of
/// waiting tasks too deep for CPython's recursion limit.
pub fn future_repr_checked(vm: &mut Vm, f: ObjRef) -> PyResult<String> {
    let mut chain = vec![f];
    while let Some(t) = as_task(vm, Value::Obj(chain[chain.len() - 1])) {
        let Waiter::Future(w) = task::task_mut(vm, t).waiter else {
            break;
        };
        if chain.contains(&w) {
            break; // a cycle: shown as `...`
        }
        chain.push(w);
        if (chain.len() - 1) * FRAMES_PER_WAITER_REPR > vm.config.recursion_limit {
            return Err(vm.new_error(
                crate::vm::exceptions::ExcKind::RecursionError,
                "maximum recursion depth exceeded",
            ));
        }
    }
    Ok(future_repr(vm, f))
}

/// `repr()` of a Future or Task; `...` for one already being shown (tasks
/// waiting on each other in a cycle), as CPython's `recursive_repr` does.
/// Reprs for log messages never fail: a chain deeper than the recursion
/// limit is cut short with `...`.
pub fn future_repr(vm: &mut Vm, f: ObjRef) -> String {
    if vm.repr_guard.iter().any(|g| g.is(Value::Obj(f)))
        || vm.repr_guard.len() > vm.config.recursion_limit
    {
        return "...".into();
    }
    vm.repr_guard.push(Value::Obj(f));
    let s = future_repr_unguarded(vm, f);
    vm.repr_guard.pop();
    s
}

fn future_repr_unguarded(vm: &mut Vm, f: ObjRef) -> String {
    let cls = vm.class_of(Value::Obj(f));
    let name = vm.class_name(cls).to_string();
    let mut info = future_info(vm, f);
    if as_task(vm, Value::Obj(f)).is_some() {
        let t = task::task_mut(vm, f);
        let (cancelling, coro, waiter) = (t.num_cancels_requested > 0, t.coro, t.waiter);
        let lp = t.core.event_loop;
        if cancelling && !t.core.done() {
            info[0] = "cancelling".into();
        }
        let tname = task::name(vm, f);
        info.insert(1, format!("name={}", safe_repr(vm, tname)));
        info.insert(
            2,
            format!("coro=<{}>", coroutine_repr(vm, f, Value::Obj(coro))),
        );
        if let Some(w) = waiter_repr(vm, lp, waiter) {
            info.insert(3, format!("wait_for={w}"));
        }
    }
    format!("<{name} {}>", info.join(" "))
}

/// What a task's `wait_for=` shows. CPython's task always waits on a
/// Future; aspy's sleeps and lock/queue operations have none, so they show
/// as the Future CPython would have: pending with the task's wake-up, or
/// cancelled, or (a sleep whose timer fired) finished.
fn waiter_repr(vm: &mut Vm, lp: ObjRef, waiter: Waiter) -> Option<String> {
    match waiter {
        Waiter::None => None,
        Waiter::Future(w)
            if vm
                .native_ref::<super::wait_op::WaitOp>(Value::Obj(w))
                .is_some() =>
        {
            Some(format!("<Future {}>", future_info(vm, w).join(" ")))
        }
        Waiter::Future(w) => Some(future_repr(vm, w)),
        // The waiter future the task stands in for, as CPython shows it.
        Waiter::Inline => Some("<Future pending cb=[Task.task_wakeup()]>".into()),
        Waiter::Timer(_) if super::EventLoop::get(vm, lp).closed => {
            // Closing the loop dropped the timer; the sleep never ends.
            Some("<Future pending cb=[Task.task_wakeup()]>".into())
        }
        Waiter::Timer(id) => {
            let timers = &super::EventLoop::get(vm, lp).timers;
            Some(match timers.action(id) {
                Some(_) if timers.is_cancelled(id) => "<Future cancelled>".into(),
                Some(_) => "<Future pending cb=[Task.task_wakeup()]>".into(),
                None => "<Future finished result=None>".into(),
            })
        }
    }
}

/// `name() running at file:line` / `name() done, defined at file:line`.
fn coroutine_repr(vm: &mut Vm, t: ObjRef, coro: Value) -> String {
    let Value::Obj(c) = coro else {
        return safe_repr(vm, coro);
    };
    if let Some(op) = vm.native_ref::<super::wait_op::WaitOp>(coro) {
        // A native coroutine has no code object: CPython's format for one.
        return format!("{}()", op.qualname());
    }
    if vm.native_ref::<super::awaitables::SleepObj>(coro).is_some() {
        return "sleep()".into();
    }
    let Object::Generator(g) = vm.heap.get(c) else {
        return safe_repr(vm, coro);
    };
    let qual = vm.str_of(vm.generator_names(g).1).to_string();
    let state = g.state;
    let saved = g.has_saved_frame().then(|| (g.code.code.clone(), g.ip));
    let gen_code = g.code.code.clone();
    if state == GenState::Finished {
        let line = gen_code.source.line_of(gen_code.span.start);
        let file = &gen_code.source.name;
        return format!("{qual}() done, defined at {file}:{line}");
    }
    let (code, line) = match saved {
        Some((code, ip)) => {
            let line = if ip > 0 {
                code.line_of(ip as usize - 1)
            } else {
                code.source.line_of(code.span.start)
            };
            (code, line)
        }
        None => match task_root_frame(vm, t) {
            Some(found) => found,
            None => (
                gen_code.clone(),
                gen_code.source.line_of(gen_code.span.start),
            ),
        },
    };
    let file = code.source.name.to_string();
    format!("{qual}() running at {file}:{line}")
}

/// The code and current line of a started task's root frame.
fn task_root_frame(vm: &mut Vm, t: ObjRef) -> Option<(std::rc::Rc<crate::bytecode::Code>, usize)> {
    let (code, ip) = if rt(vm).current_task == Some(t) {
        let fr = vm.fiber.frames.first()?;
        (fr.code.code.clone(), fr.ip)
    } else {
        task::frame_positions(vm, t).pop()?
    };
    let line = code.line_of(ip.saturating_sub(1) as usize);
    Some((code, line))
}

/// `repr()` of a Handle or TimerHandle.
pub fn handle_repr(vm: &mut Vm, h: ObjRef) -> String {
    let Some(handle) = vm.native_ref::<HandleObj>(Value::Obj(h)) else {
        return String::new();
    };
    let (cb, args, cancelled, timer, when) = (
        handle.callback,
        handle.args,
        handle.cancelled,
        handle.timer.is_some() || handle.when != 0.0,
        handle.when,
    );
    let created = handle.origin.as_ref().map(|(code, ip)| {
        let line = code.line_of(*ip as usize);
        format!("created at {}:{line}", code.source.name)
    });
    let cls = vm.class_of(Value::Obj(h));
    let mut info = vec![vm.class_name(cls).to_string()];
    if cancelled {
        info.push("cancelled".into());
    }
    if timer {
        info.push(format!("when={}", crate::vm::ops::text::float_repr(when)));
    }
    if !cb.is_none() {
        let args = vm.seq_items(args).map(|s| s.to_vec()).unwrap_or_default();
        info.push(callback_source(vm, cb, &args));
    }
    info.extend(created);
    format!("<{}>", info.join(" "))
}

// ---- the exception handler's log ------------------------------------------

/// Writes an error the way asyncio's logger prints one: the message, the
/// other context entries (`key: value`, sorted), then the traceback.
pub fn log_error(vm: &mut Vm, message: &str, entries: &[(String, String)], exc: Option<Value>) {
    let mut out = String::from(message);
    let mut entries = entries.to_vec();
    entries.sort();
    for (k, v) in entries {
        out.push_str(&format!("\n{k}: {v}"));
    }
    out.push('\n');
    if let Some(e) = exc {
        out.push_str(&vm.format_exception(e));
    }
    vm.flush_stdout();
    eprint!("{out}");
}

/// `loop.call_exception_handler(context)` for a context built in Rust.
pub fn call_exception_handler(
    vm: &mut Vm,
    lp: ObjRef,
    message: &str,
    exc: Option<Value>,
    extra: &[(&str, Value)],
) -> PyResult<()> {
    let handler = EventLoop::get(vm, lp).exception_handler;
    if handler.is_none() {
        let mut entries = Vec::new();
        for &(k, v) in extra {
            let text = repr_for_log(vm, v);
            entries.push((k.to_string(), text));
        }
        log_error(vm, message, &entries, exc);
        return Ok(());
    }
    let ctx = vm.new_dict();
    vm.temp_roots.push(ctx);
    let r = (|| {
        let m = vm.new_str(message);
        let key = Value::Obj(vm.intern("message"));
        vm.dict_set(ctx, key, m)?;
        if let Some(e) = exc {
            let key = Value::Obj(vm.intern("exception"));
            vm.dict_set(ctx, key, e)?;
        }
        for &(k, v) in extra {
            let key = Value::Obj(vm.intern(k));
            vm.dict_set(ctx, key, v)?;
        }
        vm.call(handler, &[Value::Obj(lp), ctx], &[])
    })();
    let r = match r {
        Ok(_) => Ok(()),
        Err(e) if super::is_fatal(vm, e.0) => Err(e),
        Err(e) => {
            handler_failed(vm, ctx, e.0);
            Ok(())
        }
    };
    vm.temp_roots.pop();
    r
}

/// The user's exception handler raised `exc` while handling `ctx`: the
/// default handler logs it with the context it was given.
pub fn handler_failed(vm: &mut Vm, ctx: Value, exc: Value) {
    vm.temp_roots.push(exc);
    let entries = [("context".to_string(), safe_repr(vm, ctx))];
    log_error(
        vm,
        "Unhandled error in exception handler",
        &entries,
        Some(exc),
    );
    vm.temp_roots.pop();
}

/// The repr of a context value, with futures and handles in asyncio's form.
fn repr_for_log(vm: &mut Vm, v: Value) -> String {
    if let Value::Obj(r) = v {
        if future::core(vm, r).is_some() {
            return future_repr(vm, r);
        }
        if vm.native_ref::<HandleObj>(v).is_some() {
            return handle_repr(vm, r);
        }
    }
    safe_repr(vm, v)
}

/// A callback raised: "Exception in callback ...".
pub fn callback_failed(
    vm: &mut Vm,
    lp: ObjRef,
    func: Value,
    args: &[Value],
    handle: Option<ObjRef>,
    exc: Value,
) -> PyResult<()> {
    let msg = format!("Exception in callback {}", callback_source(vm, func, args));
    let extra: Vec<(&str, Value)> = match handle {
        Some(h) => vec![("handle", Value::Obj(h))],
        None => Vec::new(),
    };
    call_exception_handler(vm, lp, &msg, Some(exc), &extra)
}

// ---- debug mode ---------------------------------------------------------------

/// Runs a ready item and, in debug mode, reports it if it held the loop
/// for `slow_callback_duration` (100 ms) or more.
pub fn timed(
    vm: &mut Vm,
    lp: ObjRef,
    item: Ready,
    run: fn(&mut Vm, ObjRef, Ready) -> PyResult<()>,
) -> PyResult<()> {
    let t0 = clock::now(vm);
    let r = run(vm, lp, item);
    let dt = clock::now(vm) - t0;
    if dt >= EventLoop::get(vm, lp).slow_callback_duration {
        let what = match item {
            Ready::Step(t, _) => future_repr(vm, t),
            Ready::Done(cb, _) => format!("<Handle {}>", callback_repr(vm, cb)),
            Ready::Handle(h) => handle_repr(vm, h),
            Ready::TimerFired(_) => "<TimerHandle>".into(),
        };
        vm.flush_stdout();
        eprintln!("Executing {what} took {dt:.3} seconds");
    }
    r
}

// ---- deadlock ------------------------------------------------------------------

/// The error raised when nothing can ever run again: every pending task,
/// with the place it waits at.
pub fn deadlock(vm: &mut Vm, lp: ObjRef, main: Option<ObjRef>) -> PyErr {
    let tasks: Vec<ObjRef> = rt(vm).pending.clone();
    let mut lines = Vec::new();
    for t in tasks {
        if future::expect(vm, t).event_loop != lp {
            continue;
        }
        let name = task::name(vm, t);
        let name = vm.str_of(name).to_string();
        let is_main = main == Some(t);
        let place = waiting_place(vm, t);
        let task = task::task_mut(vm, t);
        let waits_for = match task.waiter {
            Waiter::Future(f) => format!(" on {}", short_future(vm, f)),
            Waiter::Inline => format!(" on {}()", task.op.kind.qualname()),
            _ => String::new(),
        };
        lines.push(format!(
            "  task '{name}'{} waits{waits_for} at {place}",
            if is_main { " (main)" } else { "" }
        ));
    }
    let head = if lines.is_empty() {
        "deadlock: the event loop has nothing to run and nothing to wait for".to_string()
    } else {
        format!(
            "deadlock: no task can make progress ({} waiting, nothing scheduled)",
            lines.len()
        )
    };
    let mut msg = head;
    for l in lines {
        msg.push('\n');
        msg.push_str(&l);
    }
    vm.new_error(ExcKind::RuntimeError, msg)
}

fn short_future(vm: &mut Vm, f: ObjRef) -> String {
    if let Some(op) = vm.native_ref::<super::wait_op::WaitOp>(Value::Obj(f)) {
        return format!("{}()", op.qualname());
    }
    if as_task(vm, Value::Obj(f)).is_some() {
        let n = task::name(vm, f);
        return format!("task '{}'", vm.str_of(n));
    }
    let cls = vm.class_of(Value::Obj(f));
    format!("a {}", vm.class_name(cls))
}

/// `file:line in function` for each frame of a suspended task, innermost
/// first, stopping after the first frame in the user's own code.
fn waiting_place(vm: &mut Vm, t: ObjRef) -> String {
    let mut parts = Vec::new();
    for (code, ip) in task::frame_positions(vm, t) {
        let line = code.line_of(ip.saturating_sub(1) as usize);
        let file = code.source.name.to_string();
        parts.push(format!("{file}:{line} in {}", code.name));
        if !file.starts_with("<aspy stdlib") {
            break;
        }
    }
    if parts.is_empty() {
        return "its start".into();
    }
    parts.join(", called from ")
}

// ---- collector hooks ---------------------------------------------------------------

/// First iteration of an async generator under a running loop: remember it
/// so the loop can close it at shutdown (weakly: the collector tells us
/// when it dies).
pub fn agen_firstiter(vm: &mut Vm, agen: ObjRef) {
    let Some(lp) = rt(vm).running_loop else {
        return;
    };
    rt(vm).agen_loops.push((agen, lp));
    vm.heap.watched.push(agen);
    // Dropping it calls the finaliser hook (see `vm/finalize.rs`).
    vm.fin_flag(agen);
}

/// A watched object became unreachable (or the program is exiting).
pub fn finalize(vm: &mut Vm, r: ObjRef) {
    if let Some(lp) = super::as_loop(vm, Value::Obj(r)) {
        destroy_pending_tasks(vm, lp);
        return;
    }
    if let Object::Generator(g) = vm.heap.get(r) {
        if g.kind == CodeKind::AsyncGenerator {
            agen_finalize(vm, r);
        }
        return;
    }
    let Some(c) = future::core(vm, r) else {
        return;
    };
    if !c.log_traceback || c.exception_value().is_none() {
        return;
    }
    let (lp, exc) = (c.event_loop, c.exception_value());
    future::expect(vm, r).log_traceback = false;
    let what = if as_task(vm, Value::Obj(r)).is_some() {
        "Task"
    } else {
        let cls = vm.class_of(Value::Obj(r));
        vm.class_name(cls)
    };
    let msg = format!("{what} exception was never retrieved");
    let _ = call_exception_handler(vm, lp, &msg, Some(exc), &[("future", Value::Obj(r))]);
}

const DESTROYED_PENDING: &str = "Task was destroyed but it is pending!";

/// The pending tasks of loop `lp`, oldest first.
fn pending_tasks_of(vm: &mut Vm, lp: ObjRef) -> Vec<ObjRef> {
    let mut tasks = rt(vm).pending.clone();
    tasks.retain(|&t| future::expect(vm, t).event_loop == lp);
    tasks.sort_by_key(|t| t.index());
    tasks
}

/// `loop.close()` drops the ready queue, and with it the tasks that never
/// ran (in CPython nothing else holds them): each is reported ("Task was
/// destroyed but it is pending!") and its coroutine as never awaited.
pub fn destroy_unstarted_tasks(vm: &mut Vm, lp: ObjRef) {
    for t in pending_tasks_of(vm, lp) {
        if task::task_mut(vm, t).started {
            continue;
        }
        let _ = call_exception_handler(vm, lp, DESTROYED_PENDING, None, &[("task", Value::Obj(t))]);
        task::destroy_unstarted(vm, t);
    }
}

/// A closed loop still had pending tasks (it is watched from `close()`):
/// at exit they are destroyed, as CPython's collector destroys them (they
/// sit in reference cycles). Each is reported ("Task was destroyed but it
/// is pending!"), then their coroutines are closed, so their `finally`
/// blocks run; what goes wrong there is "Exception ignored".
fn destroy_pending_tasks(vm: &mut Vm, lp: ObjRef) {
    if !EventLoop::get(vm, lp).closed {
        return;
    }
    let tasks = pending_tasks_of(vm, lp);
    for &t in &tasks {
        let _ = call_exception_handler(vm, lp, DESTROYED_PENDING, None, &[("task", Value::Obj(t))]);
    }
    for t in tasks {
        if let Some(exc) = task::close_destroyed(vm, t) {
            let coro = task::task_mut(vm, t).coro;
            unraisable(vm, Value::Obj(coro), exc);
        }
    }
}

/// CPython's "Exception ignored in: <obj>" report of an error nobody can
/// catch (here: raised while a destroyed task's coroutine was closed).
pub fn unraisable(vm: &mut Vm, obj: Value, exc: Value) {
    vm.temp_roots.push(exc);
    let what = safe_repr(vm, obj);
    let tb = vm.format_exception_alone(exc);
    vm.temp_roots.pop();
    vm.flush_stdout();
    eprint!("Exception ignored in: {what}\n{tb}");
}

/// An async generator died: forget it, and if it is suspended inside its
/// body, schedule `aclose()` on its loop (CPython's finaliser hook:
/// `loop.call_soon(loop.create_task, agen.aclose())`). One whose
/// `aclose()` was called already is closed at once, as CPython's
/// `_PyGen_Finalize` does.
fn agen_finalize(vm: &mut Vm, agen: ObjRef) {
    let pos = rt(vm).agen_loops.iter().position(|&(a, _)| a == agen);
    let Some(pos) = pos else { return };
    let (_, lp) = rt(vm).agen_loops.swap_remove(pos);
    let (suspended, closed) = match vm.heap.get(agen) {
        Object::Generator(g) => (g.state == GenState::Suspended, g.flags & AG_CLOSED != 0),
        _ => (false, false),
    };
    if !suspended {
        return;
    }
    if closed {
        vm.close_reporting(agen);
        return;
    }
    if EventLoop::get(vm, lp).closed {
        return;
    }
    let op = vm.new_gen_op(agen, crate::vm::object::GenOpKind::AClose);
    vm.temp_roots.push(op);
    let lpv = Value::Obj(lp);
    let scheduled = vm.get_attr_str(lpv, "create_task").and_then(|create| {
        vm.temp_roots.push(create);
        let soon = vm.get_attr_str(lpv, "call_soon");
        let r = soon.and_then(|soon| vm.call(soon, &[create, op], &[]));
        vm.temp_roots.pop();
        r
    });
    vm.temp_roots.pop();
    if let Err(e) = scheduled {
        unraisable(vm, Value::Obj(agen), e.0);
    }
}
