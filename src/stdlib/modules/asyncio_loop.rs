//! Methods of the event loop and of its `Handle`/`TimerHandle` objects
//! (thin wrappers over `src/runtime/mod.rs`).

use super::asyncio::{bind_py, or};
use crate::runtime::future::{self, Callback};
use crate::runtime::timers::{HandleObj, TimerAction};
use crate::runtime::{self, clock, context, gather, report, Classes, EventLoop, Ready};
use crate::stdlib::builtins::{add_method, check_args, native, set_class_attr};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm, c: &Classes, abstract_loop: ObjRef) {
    let methods: [(&'static str, NativeFn); 27] = [
        ("run_until_complete", run_until_complete),
        ("run_forever", run_forever),
        ("stop", stop),
        ("close", close),
        ("is_closed", is_closed),
        ("is_running", is_running),
        ("time", time),
        ("call_soon", call_soon),
        ("call_soon_threadsafe", call_soon),
        ("call_later", call_later),
        ("call_at", call_at),
        ("create_future", create_future),
        ("create_task", create_task),
        ("get_debug", get_debug),
        ("set_debug", set_debug),
        ("call_exception_handler", call_exception_handler),
        ("set_exception_handler", set_exception_handler),
        ("get_exception_handler", get_exception_handler),
        ("default_exception_handler", default_exception_handler),
        ("shutdown_asyncgens", shutdown_asyncgens),
        ("shutdown_default_executor", shutdown_default_executor),
        ("set_task_factory", set_task_factory),
        ("get_task_factory", get_task_factory),
        ("__repr__", repr),
        ("_asyncgens_count", asyncgens_count),
        ("_timer_count", timer_count),
        ("_ready_count", ready_count),
    ];
    for (name, f) in methods {
        add_method(vm, c.event_loop, name, f);
    }
    let g = native(vm, "slow_callback_duration", slow_get);
    let s = native(vm, "slow_callback_duration", slow_set);
    let pname = Value::Obj(vm.intern("slow_callback_duration"));
    let p = vm.alloc(Object::Property(Box::new([
        g,
        s,
        Value::None,
        Value::None,
        pname,
    ])));
    set_class_attr(vm, c.event_loop, "slow_callback_duration", p);
    let new = native(vm, "__new__", loop_new);
    let new = vm.alloc(Object::StaticMethod(new));
    set_class_attr(vm, c.event_loop, "__new__", new);
    let _ = abstract_loop;
    let handle_methods: [(&'static str, NativeFn); 5] = [
        ("cancel", handle_cancel),
        ("cancelled", handle_cancelled),
        ("when", handle_when),
        ("get_context", handle_context),
        ("__repr__", handle_repr),
    ];
    for (name, f) in handle_methods {
        add_method(vm, c.handle, name, f);
    }
}

/// A loop method CPython writes in Python with no parameter but `self`:
/// "BaseEventLoop.time() takes 1 positional argument but 2 were given".
fn no_args(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], qualname: &str) -> PyResult<()> {
    if args.len() == 1 && kw.is_empty() {
        return Ok(());
    }
    bind_py(vm, qualname, args, kw, ["self"], 1, 1).map(|_| ())
}

/// The one argument of a loop method CPython writes in Python,
/// `qualname(self, param)`, given by position or keyword.
fn one_arg(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    qualname: &str,
    param: &str,
) -> PyResult<Value> {
    if args.len() == 2 && kw.is_empty() {
        return Ok(args[1]);
    }
    let [_, v] = bind_py(vm, qualname, args, kw, ["self", param], 2, 2)?;
    Ok(v)
}

fn lp(vm: &mut Vm, args: &[Value]) -> PyResult<ObjRef> {
    match args.first().and_then(|&v| runtime::as_loop(vm, v)) {
        Some(l) => Ok(l),
        None => Err(vm.type_error("descriptor requires an event loop")),
    }
}

fn loop_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_UnixSelectorEventLoop", &args[1..], kw, 0, 1)?;
    Ok(EventLoop::create(vm))
}

fn run_until_complete(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let arg = one_arg(vm, args, kw, "BaseEventLoop.run_until_complete", "future")?;
    runtime::check_closed(vm, l)?;
    if EventLoop::get(vm, l).running {
        return Err(runtime::runtime_error(
            vm,
            "This event loop is already running",
        ));
    }
    if runtime::rt(vm).running_loop.is_some() {
        return Err(runtime::runtime_error(
            vm,
            "Cannot run the event loop while another loop is running",
        ));
    }
    let new_task = !future::is_future(vm, arg);
    let f = gather::ensure_future(vm, arg, Some(l))?;
    vm.temp_roots.push(Value::Obj(f));
    future::add_callback(vm, f, Callback::StopLoop);
    let r = runtime::run_forever(vm, l, Some(f));
    remove_stop_callback(vm, f);
    vm.temp_roots.pop();
    if let Err(e) = r {
        let c = future::expect(vm, f);
        if new_task && c.done() && c.state != future::FutState::Cancelled {
            c.log_traceback = false;
        }
        return Err(e);
    }
    if !future::expect(vm, f).done() {
        return Err(runtime::runtime_error(
            vm,
            "Event loop stopped before Future completed.",
        ));
    }
    future::result(vm, f)
}

fn remove_stop_callback(vm: &mut Vm, f: ObjRef) {
    future::expect(vm, f)
        .callbacks
        .retain(|cb| !matches!(cb, Callback::StopLoop));
}

fn run_forever(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.run_forever")?;
    runtime::run_forever(vm, l, None)?;
    Ok(Value::None)
}

fn stop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.stop")?;
    EventLoop::get_mut(vm, l).stopping = true;
    Ok(Value::None)
}

fn close(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "_UnixSelectorEventLoop.close")?;
    let el = EventLoop::get_mut(vm, l);
    if el.running {
        return Err(runtime::runtime_error(
            vm,
            "Cannot close a running event loop",
        ));
    }
    if el.closed {
        return Ok(Value::None);
    }
    el.closed = true;
    el.ready.clear();
    el.timers.clear();
    el.executor_shutdown_called = true;
    report::destroy_unstarted_tasks(vm, l);
    // Tasks left pending are destroyed at exit (see `report::finalize`).
    let pending = runtime::rt(vm).pending.clone();
    if pending
        .iter()
        .any(|&t| future::expect(vm, t).event_loop == l)
    {
        vm.heap.watched.push(l);
    }
    Ok(Value::None)
}

fn is_closed(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.is_closed")?;
    Ok(Value::Bool(EventLoop::get(vm, l).closed))
}

fn is_running(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.is_running")?;
    Ok(Value::Bool(EventLoop::get(vm, l).running))
}

fn time(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.time")?;
    Ok(Value::Float(clock::now(vm)))
}

/// Splits `callback, *args, context=None` of call_soon/call_later/call_at;
/// `name` is the method the user called (for argument errors).
fn callback_args(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<(Value, Value, Value)> {
    let mut ctx = Value::None;
    for &(k, v) in kw {
        if vm.str_of(k) != "context" {
            let msg = format!(
                "BaseEventLoop.{name}() got an unexpected keyword argument '{}'",
                vm.str_of(k)
            );
            return Err(vm.type_error(msg));
        }
        ctx = v;
    }
    let Some(&callback) = args.first() else {
        let msg =
            format!("BaseEventLoop.{name}() missing 1 required positional argument: 'callback'");
        return Err(vm.type_error(msg));
    };
    let rest = vm.new_tuple(args[1..].to_vec());
    let ctx = if ctx.is_none() {
        vm.temp_roots.push(rest);
        let c = context::copy_current(vm);
        vm.temp_roots.pop();
        c
    } else {
        ctx
    };
    Ok((callback, rest, ctx))
}

/// In debug mode the loop checks the callback (CPython's `_check_callback`).
fn check_callback(vm: &mut Vm, l: ObjRef, callback: Value, method: &str) -> PyResult<()> {
    if !EventLoop::get(vm, l).debug {
        return Ok(());
    }
    let coro = crate::runtime::task::is_coroutine(vm, callback)
        || super::asyncio::is_coroutine_function(vm, callback)?;
    if coro {
        return Err(vm.type_error(format!("coroutines cannot be used with {method}()")));
    }
    if !vm.is_callable(callback) {
        let r = vm.repr_value(callback)?;
        return Err(vm.type_error(format!(
            "a callable object was expected by {method}(), got {r}"
        )));
    }
    Ok(())
}

fn new_handle(
    vm: &mut Vm,
    l: ObjRef,
    callback: Value,
    args: Value,
    ctx: Value,
    when: Option<f64>,
) -> ObjRef {
    let classes = runtime::classes(vm);
    let class = if when.is_some() {
        classes.timer_handle
    } else {
        classes.handle
    };
    let origin = if EventLoop::get(vm, l).debug {
        vm.fiber
            .frames
            .last()
            .map(|f| (f.code.code.clone(), f.ip.saturating_sub(1)))
    } else {
        None
    };
    let h = vm.alloc(Object::Native(Box::new(HandleObj {
        class,
        callback,
        args,
        context: ctx,
        cancelled: false,
        when: when.unwrap_or(0.0),
        timer: None,
        event_loop: l,
        origin,
    })));
    let Value::Obj(r) = h else { unreachable!() };
    r
}

fn call_soon(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let (callback, rest, ctx) = callback_args(vm, "call_soon", &args[1..], kw)?;
    runtime::check_closed(vm, l)?;
    check_callback(vm, l, callback, "call_soon")?;
    let h = new_handle(vm, l, callback, rest, ctx, None);
    runtime::push_ready(vm, l, Ready::Handle(h));
    Ok(Value::Obj(h))
}

fn call_later(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let Some(&delay) = args.get(1) else {
        return Err(vm.type_error(
            "BaseEventLoop.call_later() missing 2 required positional arguments: 'delay' and 'callback'",
        ));
    };
    if delay.is_none() {
        return Err(vm.type_error("delay must not be None"));
    }
    let now = Value::Float(clock::now(vm));
    let when = vm.binary_op(now, delay, crate::bytecode::opcode::BinaryOp::Add)?;
    schedule_at(vm, l, when, &args[2..], kw, "call_later")
}

fn call_at(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let Some(&when) = args.get(1) else {
        return Err(vm.type_error(
            "BaseEventLoop.call_at() missing 2 required positional arguments: 'when' and 'callback'",
        ));
    };
    if when.is_none() {
        return Err(vm.type_error("when cannot be None"));
    }
    schedule_at(vm, l, when, &args[2..], kw, "call_at")
}

fn schedule_at(
    vm: &mut Vm,
    l: ObjRef,
    when: Value,
    rest: &[Value],
    kw: &[(Value, Value)],
    name: &str,
) -> PyResult<Value> {
    let (callback, cargs, ctx) = callback_args(vm, name, rest, kw)?;
    runtime::check_closed(vm, l)?;
    // call_later goes through call_at, which does the check (as in CPython).
    check_callback(vm, l, callback, "call_at")?;
    let Some(w) = crate::vm::ops::arith::to_f64(vm, when) else {
        let msg = format!(
            "'<' not supported between instances of '{}' and 'float'",
            vm.type_name(when)
        );
        return Err(vm.type_error(msg));
    };
    let h = new_handle(vm, l, callback, cargs, ctx, Some(w));
    let id = EventLoop::get_mut(vm, l)
        .timers
        .add(w, TimerAction::Handle(h));
    if let Some(handle) = vm.native_mut::<HandleObj>(Value::Obj(h)) {
        handle.timer = Some(id);
    }
    Ok(Value::Obj(h))
}

fn create_future(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.create_future")?;
    Ok(future::new_future(vm, l))
}

fn create_task(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let names = ["self", "coro", "name", "context"];
    let qualname = "BaseEventLoop.create_task";
    let [_, coro, name, ctx] = bind_py(vm, qualname, args, kw, names, 2, 2)?;
    gather::create_task(vm, l, coro, or(name, Value::None), or(ctx, Value::None))
}

fn get_debug(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.get_debug")?;
    Ok(Value::Bool(EventLoop::get(vm, l).debug))
}

fn set_debug(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let enabled = one_arg(vm, args, kw, "BaseEventLoop.set_debug", "enabled")?;
    let on = vm.truthy(enabled)?;
    EventLoop::get_mut(vm, l).debug = on;
    Ok(Value::None)
}

fn call_exception_handler(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let ctx = one_arg(
        vm,
        args,
        kw,
        "BaseEventLoop.call_exception_handler",
        "context",
    )?;
    let handler = EventLoop::get(vm, l).exception_handler;
    if handler.is_none() {
        log_context(vm, ctx)?;
        return Ok(Value::None);
    }
    if let Err(e) = vm.call(handler, &[Value::Obj(l), ctx], &[]) {
        if runtime::is_fatal(vm, e.0) {
            return Err(e);
        }
        report::handler_failed(vm, ctx, e.0);
    }
    Ok(Value::None)
}

fn default_exception_handler(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    lp(vm, args)?;
    let ctx = one_arg(
        vm,
        args,
        kw,
        "BaseEventLoop.default_exception_handler",
        "context",
    )?;
    log_context(vm, ctx)?;
    Ok(Value::None)
}

/// The default handler: logs a context dict.
fn log_context(vm: &mut Vm, ctx: Value) -> PyResult<()> {
    let Value::Obj(d) = ctx else {
        return Err(vm.type_error("context must be a dict"));
    };
    let pairs: Vec<(Value, Value)> = match vm.heap.get(d) {
        Object::Dict(t) => t.iter().map(|e| (e.key, e.value)).collect(),
        _ => return Err(vm.type_error("context must be a dict")),
    };
    let mut message = String::new();
    let mut exc = None;
    let mut entries = Vec::new();
    for (k, v) in pairs {
        let key = vm.str_value(k)?;
        match key.as_str() {
            "message" => message = vm.str_value(v)?,
            "exception" => exc = (!v.is_none()).then_some(v),
            _ => {
                let text = match v {
                    Value::Obj(r) if future::core(vm, r).is_some() => report::future_repr(vm, r),
                    Value::Obj(r) if vm.native_ref::<HandleObj>(v).is_some() => {
                        report::handle_repr(vm, r)
                    }
                    _ => vm.repr_value(v)?,
                };
                entries.push((key, text));
            }
        }
    }
    if message.is_empty() {
        message = "Unhandled exception in event loop".into();
    }
    report::log_error(vm, &message, &entries, exc);
    Ok(())
}

fn set_exception_handler(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let h = one_arg(
        vm,
        args,
        kw,
        "BaseEventLoop.set_exception_handler",
        "handler",
    )?;
    if !h.is_none() && !vm.is_callable(h) {
        let r = vm.repr_value(h)?;
        return Err(vm.type_error(format!("A callable object or None is expected, got {r}")));
    }
    EventLoop::get_mut(vm, l).exception_handler = h;
    Ok(Value::None)
}

fn get_exception_handler(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.get_exception_handler")?;
    Ok(EventLoop::get(vm, l).exception_handler)
}

/// `loop.shutdown_asyncgens()`: a coroutine closing every live async
/// generator first iterated under this loop.
fn shutdown_asyncgens(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.shutdown_asyncgens")?;
    EventLoop::get_mut(vm, l).asyncgens_shutdown_called = true;
    let mut agens = Vec::new();
    runtime::rt(vm).agen_loops.retain(|&(a, owner)| {
        if owner == l {
            agens.push(Value::Obj(a));
            false
        } else {
            true
        }
    });
    let list = vm.new_list(agens);
    vm.temp_roots.push(list);
    let helpers = runtime::rt(vm).helpers;
    let f = vm.get_attr_str(helpers, "shutdown_asyncgens");
    let r = f.and_then(|f| vm.call(f, &[Value::Obj(l), list], &[]));
    vm.temp_roots.pop();
    r
}

fn shutdown_default_executor(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.shutdown_default_executor")?;
    EventLoop::get_mut(vm, l).executor_shutdown_called = true;
    let helpers = runtime::rt(vm).helpers;
    let f = vm.get_attr_str(helpers, "nothing_to_shut_down")?;
    vm.call(f, &[], &[])
}

fn set_task_factory(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let f = one_arg(vm, args, kw, "BaseEventLoop.set_task_factory", "factory")?;
    if !f.is_none() && !vm.is_callable(f) {
        return Err(vm.type_error("task factory must be a callable or None"));
    }
    EventLoop::get_mut(vm, l).task_factory = f;
    Ok(Value::None)
}

fn get_task_factory(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    no_args(vm, args, kw, "BaseEventLoop.get_task_factory")?;
    Ok(EventLoop::get(vm, l).task_factory)
}

fn repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let el = EventLoop::get(vm, l);
    let py = |b: bool| if b { "True" } else { "False" };
    let s = format!(
        "<_UnixSelectorEventLoop running={} closed={} debug={}>",
        py(el.running),
        py(el.closed),
        py(el.debug)
    );
    Ok(vm.new_str(s))
}

fn asyncgens_count(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let n = runtime::rt(vm)
        .agen_loops
        .iter()
        .filter(|&&(_, o)| o == l)
        .count();
    Ok(Value::Int(n as i64))
}

fn timer_count(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    Ok(Value::Int(EventLoop::get(vm, l).timers.len() as i64))
}

fn ready_count(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    Ok(Value::Int(EventLoop::get(vm, l).ready.len() as i64))
}

fn slow_get(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    Ok(Value::Float(EventLoop::get(vm, l).slow_callback_duration))
}

fn slow_set(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let l = lp(vm, args)?;
    let v = args.get(1).copied().unwrap_or(Value::None);
    let Some(secs) = crate::vm::ops::arith::to_f64(vm, v) else {
        return Err(vm.type_error("slow_callback_duration must be a number"));
    };
    EventLoop::get_mut(vm, l).slow_callback_duration = secs;
    Ok(Value::None)
}

// ---- handles ---------------------------------------------------------------------

fn handle_ref(vm: &mut Vm, args: &[Value]) -> PyResult<ObjRef> {
    match args.first() {
        Some(&v @ Value::Obj(r)) if vm.native_ref::<HandleObj>(v).is_some() => Ok(r),
        _ => Err(vm.type_error("descriptor requires a 'Handle' object")),
    }
}

fn handle_mut(vm: &mut Vm, h: ObjRef) -> &mut HandleObj {
    vm.native_mut::<HandleObj>(Value::Obj(h)).expect("a handle")
}

fn handle_cancel(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let h = handle_ref(vm, args)?;
    let handle = handle_mut(vm, h);
    if handle.cancelled {
        return Ok(Value::None);
    }
    let (timer, l) = (handle.timer, handle.event_loop);
    let debug = EventLoop::get(vm, l).debug;
    let repr_text = debug.then(|| report::handle_repr(vm, h));
    let handle = handle_mut(vm, h);
    handle.cancelled = true;
    if repr_text.is_none() {
        handle.callback = Value::None;
        handle.args = Value::None;
    }
    if let Some(id) = timer {
        EventLoop::get_mut(vm, l).timers.cancel(id);
    }
    Ok(Value::None)
}

fn handle_cancelled(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let h = handle_ref(vm, args)?;
    Ok(Value::Bool(handle_mut(vm, h).cancelled))
}

fn handle_when(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let h = handle_ref(vm, args)?;
    let class = handle_mut(vm, h).class;
    if class == runtime::classes(vm).handle {
        return Err(vm.new_error(
            ExcKind::AttributeError,
            "'Handle' object has no attribute 'when'",
        ));
    }
    Ok(Value::Float(handle_mut(vm, h).when))
}

fn handle_context(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let h = handle_ref(vm, args)?;
    let ctx = handle_mut(vm, h).context;
    if ctx.is_none() {
        let c = context::new_context(vm, std::rc::Rc::new(Vec::new()));
        handle_mut(vm, h).context = c;
        return Ok(c);
    }
    Ok(ctx)
}

fn handle_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let h = handle_ref(vm, args)?;
    let s = report::handle_repr(vm, h);
    Ok(vm.new_str(s))
}
