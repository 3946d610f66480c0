//! `_asyncio`: the native core of the `asyncio` package (the package itself,
//! in `stdlib/asyncio/`, re-exports it and adds what CPython writes in
//! Python: locks, queues, task groups, timeouts, `wait`, `wait_for`, ...).
//!
//! This file creates the runtime's classes and the module's functions;
//! the methods of futures and tasks are in `asyncio_future.rs`, those of
//! loops and handles in `asyncio_loop.rs`. The machinery itself is in
//! `src/runtime/`.

use super::asyncio_future;
use super::asyncio_loop;
use crate::runtime::{self, awaitables, future, gather, task, Classes};
use crate::stdlib::builtins::{add_method, check_args, native};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Layout, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// Binds arguments to parameter `names` as CPython's argument clinic does
/// for a C function (the first `npos` may be given by position, the first
/// `nreq` are required); unset ones are Unbound.
pub fn bind<const N: usize>(
    vm: &mut Vm,
    fname: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    names: [&str; N],
    npos: usize,
    nreq: usize,
) -> PyResult<[Value; N]> {
    bind_clinic(vm, fname, args, kw, names, npos, nreq, 0)
}

/// `bind` where the first `posonly` parameters are positional-only; the
/// checks and messages of CPython's `_PyArg_UnpackKeywords`, in its order.
#[allow(clippy::too_many_arguments)]
pub fn bind_clinic<const N: usize>(
    vm: &mut Vm,
    fname: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    names: [&str; N],
    npos: usize,
    nreq: usize,
    posonly: usize,
) -> PyResult<[Value; N]> {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let nargs = args.len();
    let given = nargs + kw.len();
    if given > N {
        let keyword = if nargs == 0 { "keyword " } else { "" };
        let msg = format!(
            "{fname}() takes at most {N} {keyword}argument{} ({given} given)",
            plural(N)
        );
        return Err(vm.type_error(msg));
    }
    if nargs > npos {
        let msg = if npos == 0 {
            format!("{fname}() takes no positional arguments")
        } else {
            let bound = if nreq < npos { "at most" } else { "exactly" };
            format!(
                "{fname}() takes {bound} {npos} positional argument{} ({nargs} given)",
                plural(npos)
            )
        };
        return Err(vm.type_error(msg));
    }
    let min_posonly = posonly.min(nreq);
    if nargs < min_posonly {
        let bound = if min_posonly < npos {
            "at least"
        } else {
            "exactly"
        };
        let msg = format!(
            "{fname}() takes {bound} {min_posonly} positional argument{} ({nargs} given)",
            plural(min_posonly)
        );
        return Err(vm.type_error(msg));
    }
    let mut out = [Value::Unbound; N];
    out[..nargs].copy_from_slice(args);
    let mut used = 0;
    for (i, slot) in out.iter_mut().enumerate().skip(nargs.max(posonly)) {
        let found = kw.iter().find(|&&(k, _)| vm.str_of(k) == names[i]);
        match found {
            Some(&(_, v)) => {
                *slot = v;
                used += 1;
            }
            None if i < nreq => {
                let msg = format!(
                    "{fname}() missing required argument '{}' (pos {})",
                    names[i],
                    i + 1
                );
                return Err(vm.type_error(msg));
            }
            None => {}
        }
    }
    if used < kw.len() {
        for &(k, _) in kw {
            let key = vm.str_of(k).to_string();
            let msg = match names.iter().position(|n| *n == key) {
                Some(i) if i >= posonly && i < nargs => format!(
                    "argument for {fname}() given by name ('{key}') and position ({})",
                    i + 1
                ),
                Some(i) if i >= posonly => continue,
                _ => format!("'{key}' is an invalid keyword argument for {fname}()"),
            };
            return Err(vm.type_error(msg));
        }
    }
    Ok(out)
}

/// `bind` with the rules and messages of a function CPython writes in
/// Python, `qualname(names[..npos], *, names[npos..])` (most of asyncio):
/// "sleep() missing 1 required positional argument: 'delay'". For a
/// method `names[0]` is "self" and `args` includes the receiver, counted
/// in the messages as Python counts it.
pub fn bind_py<const N: usize>(
    vm: &mut Vm,
    qualname: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    names: [&str; N],
    npos: usize,
    nreq: usize,
) -> PyResult<[Value; N]> {
    let sig = super::args::Signature {
        owner: "",
        name: qualname,
        params: &names[..npos],
        required: nreq,
        kwonly: &names[npos..],
    };
    let slots = sig.bind(vm, args, kw)?;
    let mut out = [Value::Unbound; N];
    for (o, s) in out.iter_mut().zip(slots) {
        if let Some(v) = s {
            *o = v;
        }
    }
    Ok(out)
}

/// An optional bound argument: Unbound becomes `default`.
pub fn or(v: Value, default: Value) -> Value {
    if v.is_unbound() {
        default
    } else {
        v
    }
}

/// Makes sure the runtime exists (its classes with their methods, the VM
/// hooks); `_asyncio` and `contextvars` both need it.
pub fn ensure_runtime(vm: &mut Vm) -> PyResult<()> {
    if runtime::installed(vm) {
        return Ok(());
    }
    let helpers = crate::stdlib::import::import_module(vm, "_aspy_async")?;
    vm.temp_roots.push(helpers);
    let wrapper = vm.get_attr_str(helpers, "run_awaitable");
    vm.temp_roots.pop();
    let wrapper = wrapper?;
    let classes = create_classes(vm);
    runtime::install(vm, classes, helpers, wrapper);
    Ok(())
}

fn class_in(vm: &mut Vm, name: &str, module: &str, bases: &[ObjRef], layout: Layout) -> ObjRef {
    let c = vm.new_class(name, bases, layout);
    let m = Value::Obj(vm.intern(module));
    if let Object::Class(k) = vm.heap.get_mut(c) {
        k.module = m;
    }
    c
}

fn create_classes(vm: &mut Vm) -> Classes {
    let object = vm.types.object;
    // C types in CPython keep the built-in layout (their messages name them
    // `_asyncio.Task`); classes CPython writes in Python get the plain
    // layout, so aspy classes can derive from them.
    let b = Layout::Builtin;
    let py = Layout::Object;
    let future = class_in(vm, "Future", "_asyncio", &[object], b);
    let task = class_in(vm, "Task", "_asyncio", &[future], b);
    let gathering_future = class_in(vm, "_GatheringFuture", "asyncio.tasks", &[future], py);
    let abstract_loop = class_in(vm, "AbstractEventLoop", "asyncio.events", &[object], py);
    let base_loop = class_in(
        vm,
        "BaseEventLoop",
        "asyncio.base_events",
        &[abstract_loop],
        py,
    );
    let event_loop = class_in(
        vm,
        "_UnixSelectorEventLoop",
        "asyncio.unix_events",
        &[base_loop],
        py,
    );
    let handle = class_in(vm, "Handle", "asyncio.events", &[object], py);
    let timer_handle = class_in(vm, "TimerHandle", "asyncio.events", &[handle], py);
    let sleep = class_in(vm, "coroutine", "builtins", &[object], b);
    let base_exc = vm.types.exc(ExcKind::BaseException);
    let exception = vm.types.exc(ExcKind::Exception);
    let e = Layout::Exception;
    let cancelled_error = class_in(vm, "CancelledError", "asyncio.exceptions", &[base_exc], e);
    let invalid_state_error = class_in(
        vm,
        "InvalidStateError",
        "asyncio.exceptions",
        &[exception],
        e,
    );
    let lock = class_in(vm, "Lock", "asyncio.locks", &[object], py);
    let event = class_in(vm, "Event", "asyncio.locks", &[object], py);
    let semaphore = class_in(vm, "Semaphore", "asyncio.locks", &[object], py);
    let bounded_semaphore = class_in(vm, "BoundedSemaphore", "asyncio.locks", &[semaphore], py);
    let queue = class_in(vm, "Queue", "asyncio.queues", &[object], py);
    let lifo_queue = class_in(vm, "LifoQueue", "asyncio.queues", &[queue], py);
    let priority_queue = class_in(vm, "PriorityQueue", "asyncio.queues", &[queue], py);
    let queue_empty = class_in(vm, "QueueEmpty", "asyncio.queues", &[exception], e);
    let queue_full = class_in(vm, "QueueFull", "asyncio.queues", &[exception], e);
    let context = class_in(vm, "Context", "_contextvars", &[object], b);
    let context_var = class_in(vm, "ContextVar", "_contextvars", &[object], b);
    let token = class_in(vm, "Token", "_contextvars", &[object], b);
    let classes = Classes {
        future,
        task,
        gathering_future,
        event_loop,
        handle,
        timer_handle,
        sleep,
        cancelled_error,
        invalid_state_error,
        context,
        context_var,
        token,
        lock,
        event,
        semaphore,
        bounded_semaphore,
        queue,
        lifo_queue,
        priority_queue,
        queue_empty,
        queue_full,
    };
    asyncio_future::install(vm, &classes);
    asyncio_loop::install(vm, &classes, abstract_loop);
    super::contextvars::install_methods(vm, &classes);
    super::asyncio_sync::install(vm, &classes);
    install_sleep(vm, sleep);
    classes
}

/// `import _asyncio`.
pub fn load(vm: &mut Vm) -> PyResult<Value> {
    ensure_runtime(vm)?;
    let m = crate::stdlib::import::new_module(vm, "_asyncio")?;
    let c = runtime::classes(vm);
    let base_loop = match vm.heap.get(c.event_loop) {
        Object::Class(k) => k.bases.first().copied(),
        _ => None,
    };
    let abstract_loop = base_loop.and_then(|b| match vm.heap.get(b) {
        Object::Class(k) => k.bases.first().copied(),
        _ => None,
    });
    let mut classes = vec![
        ("Future", c.future),
        ("Task", c.task),
        ("_GatheringFuture", c.gathering_future),
        ("_UnixSelectorEventLoop", c.event_loop),
        ("SelectorEventLoop", c.event_loop),
        ("Handle", c.handle),
        ("TimerHandle", c.timer_handle),
        ("CancelledError", c.cancelled_error),
        ("InvalidStateError", c.invalid_state_error),
        ("Lock", c.lock),
        ("Event", c.event),
        ("Semaphore", c.semaphore),
        ("BoundedSemaphore", c.bounded_semaphore),
        ("Queue", c.queue),
        ("LifoQueue", c.lifo_queue),
        ("PriorityQueue", c.priority_queue),
        ("QueueEmpty", c.queue_empty),
        ("QueueFull", c.queue_full),
    ];
    if let (Some(b), Some(a)) = (base_loop, abstract_loop) {
        classes.push(("BaseEventLoop", b));
        classes.push(("AbstractEventLoop", a));
    }
    for (name, cls) in classes {
        set(vm, m, name, Value::Obj(cls))?;
    }
    let funcs: [(&'static str, crate::vm::object::NativeFn); 17] = [
        ("get_running_loop", get_running_loop),
        ("_get_running_loop", get_running_loop_or_none),
        ("get_event_loop", get_event_loop),
        ("set_event_loop", set_event_loop),
        ("new_event_loop", new_event_loop),
        ("sleep", sleep),
        ("gather", gather_fn),
        ("ensure_future", ensure_future),
        ("create_task", create_task),
        ("shield", shield),
        ("current_task", current_task),
        ("all_tasks", all_tasks),
        ("iscoroutine", iscoroutine),
        ("iscoroutinefunction", iscoroutinefunction),
        ("isfuture", isfuture),
        ("_enter_task_hook", noop),
        ("_clock", clock_fn),
    ];
    for (name, f) in funcs {
        let v = native(vm, name, f);
        set(vm, m, name, v)?;
    }
    Ok(m)
}

/// Sets `module.name = v`.
pub fn set(vm: &mut Vm, module: Value, name: &str, v: Value) -> PyResult<()> {
    let Value::Obj(r) = module else { return Ok(()) };
    let Object::Module(m) = vm.heap.get(r) else {
        return Ok(());
    };
    let d = m.dict;
    let k = Value::Obj(vm.intern(name));
    vm.dict_set(Value::Obj(d), k, v)
}

fn noop(_vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::None)
}

fn clock_fn(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_clock", args, kw, 0, 0)?;
    Ok(Value::Float(runtime::clock::now(vm)))
}

// ---- loops ----------------------------------------------------------------

fn get_running_loop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_asyncio.get_running_loop", args, kw, 0, 0)?;
    runtime::running_loop(vm).map(Value::Obj)
}

fn get_running_loop_or_none(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_asyncio._get_running_loop", args, kw, 0, 0)?;
    Ok(runtime::rt(vm).running_loop.map_or(Value::None, Value::Obj))
}

fn get_event_loop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_asyncio.get_event_loop", args, kw, 0, 0)?;
    runtime::event_loop(vm).map(Value::Obj)
}

fn set_event_loop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [lp] = bind_py(vm, "set_event_loop", args, kw, ["loop"], 1, 1)?;
    let r = if lp.is_none() {
        None
    } else {
        match runtime::as_loop(vm, lp) {
            Some(l) => Some(l),
            None => {
                let msg = format!(
                    "loop must be an instance of AbstractEventLoop or None, not '{}'",
                    vm.type_name(lp)
                );
                return Err(vm.type_error(msg));
            }
        }
    };
    let rt = runtime::rt(vm);
    rt.policy_loop = r;
    rt.policy_set_called = true;
    Ok(Value::None)
}

fn new_event_loop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    bind_py(vm, "new_event_loop", args, kw, [], 0, 0)?;
    Ok(runtime::EventLoop::create(vm))
}

// ---- tasks and futures --------------------------------------------------------

fn sleep(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [delay, result] = bind_py(vm, "sleep", args, kw, ["delay", "result"], 2, 1)?;
    Ok(awaitables::new_sleep(vm, delay, or(result, Value::None)))
}

fn gather_fn(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let mut return_exceptions = false;
    for &(k, v) in kw {
        if vm.str_of(k) != "return_exceptions" {
            let msg = format!(
                "gather() got an unexpected keyword argument '{}'",
                vm.str_of(k)
            );
            return Err(vm.type_error(msg));
        }
        return_exceptions = vm.truthy(v)?;
    }
    gather::gather(vm, args, return_exceptions)
}

fn ensure_future(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [arg, lp] = bind_py(
        vm,
        "ensure_future",
        args,
        kw,
        ["coro_or_future", "loop"],
        1,
        1,
    )?;
    let lp = match or(lp, Value::None) {
        Value::None => None,
        v => Some(loop_arg(vm, v, "create_task")?),
    };
    gather::ensure_future(vm, arg, lp).map(Value::Obj)
}

/// A value that must be an event loop. For anything else, the
/// AttributeError CPython's Python code raises when it first uses the
/// loop's method `first_use`.
pub fn loop_arg(vm: &mut Vm, v: Value, first_use: &str) -> PyResult<ObjRef> {
    match runtime::as_loop(vm, v) {
        Some(l) => Ok(l),
        None => {
            let msg = format!(
                "'{}' object has no attribute '{first_use}'",
                vm.type_name(v)
            );
            Err(vm.new_error(ExcKind::AttributeError, msg))
        }
    }
}

fn create_task(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [coro, name, ctx] = bind_py(
        vm,
        "create_task",
        args,
        kw,
        ["coro", "name", "context"],
        1,
        1,
    )?;
    let lp = runtime::running_loop(vm)?;
    // asyncio.create_task names the task after creating it, so an
    // automatic number is used up either way (as in CPython).
    let t = gather::create_task(vm, lp, coro, Value::None, or(ctx, Value::None))?;
    let name = or(name, Value::None);
    if !name.is_none() {
        if let Some(tr) = task::as_task(vm, t) {
            let s = vm.str_value(name)?;
            if let Value::Obj(s) = vm.new_str(s) {
                task::task_mut(vm, tr).set_name(s);
            }
        }
    }
    Ok(t)
}

fn shield(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [arg] = bind_py(vm, "shield", args, kw, ["arg"], 1, 1)?;
    gather::shield(vm, arg)
}

fn current_task(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [lp] = bind_py(vm, "current_task", args, kw, ["loop"], 1, 0)?;
    let lp = match or(lp, Value::None) {
        Value::None => runtime::running_loop(vm)?,
        // Any other object is just a key no task is found under.
        v => match runtime::as_loop(vm, v) {
            Some(l) => l,
            None => return Ok(Value::None),
        },
    };
    let rt = runtime::rt(vm);
    if rt.running_loop != Some(lp) {
        return Ok(Value::None);
    }
    Ok(rt.current_task.map_or(Value::None, Value::Obj))
}

fn all_tasks(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [lp] = bind_py(vm, "all_tasks", args, kw, ["loop"], 1, 0)?;
    let lp = match or(lp, Value::None) {
        Value::None => runtime::running_loop(vm)?,
        v => match runtime::as_loop(vm, v) {
            Some(l) => l,
            None => return vm.new_set_from(&[]),
        },
    };
    let tasks: Vec<Value> = runtime::rt(vm)
        .pending
        .clone()
        .into_iter()
        .filter(|&t| future::expect(vm, t).event_loop == lp)
        .map(Value::Obj)
        .collect();
    vm.new_set_from(&tasks)
}

fn iscoroutine(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [obj] = bind_py(vm, "iscoroutine", args, kw, ["obj"], 1, 1)?;
    Ok(Value::Bool(task::is_coroutine(vm, obj)))
}

fn iscoroutinefunction(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [func] = bind_py(vm, "iscoroutinefunction", args, kw, ["func"], 1, 1)?;
    Ok(Value::Bool(is_coroutine_function(vm, func)?))
}

/// A coroutine function, also through bound methods and
/// `functools.partial` (its `func` attribute), or marked with
/// `_is_coroutine`.
pub fn is_coroutine_function(vm: &mut Vm, f: Value) -> PyResult<bool> {
    let mut f = f;
    for _ in 0..100 {
        let Value::Obj(r) = f else { return Ok(false) };
        match vm.heap.get(r) {
            Object::Function(func) => {
                return Ok(func.code.code.kind == crate::bytecode::CodeKind::Coroutine)
            }
            Object::BoundMethod(m) => f = Value::Obj(m.func),
            _ => {
                let marker = Value::Obj(vm.intern("_is_coroutine"));
                if vm.get_attr_opt(f, marker)?.is_some() {
                    return Ok(true);
                }
                let inner = Value::Obj(vm.intern("func"));
                let cls = vm.class_of(f);
                let is_partial = vm.class_name(cls) == "partial";
                match vm.get_attr_opt(f, inner)? {
                    Some(g) if is_partial => f = g,
                    _ => return Ok(false),
                }
            }
        }
    }
    Ok(false)
}

fn isfuture(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [obj] = bind_py(vm, "isfuture", args, kw, ["obj"], 1, 1)?;
    Ok(Value::Bool(future::is_future(vm, obj)))
}

// ---- asyncio.sleep objects ---------------------------------------------------------

fn install_sleep(vm: &mut Vm, cls: ObjRef) {
    add_method(vm, cls, "send", sleep_send);
    add_method(vm, cls, "throw", sleep_throw);
    add_method(vm, cls, "close", sleep_close);
    add_method(vm, cls, "__await__", return_self);
    add_method(vm, cls, "__iter__", return_self);
    add_method(vm, cls, "__next__", sleep_next);
    add_method(vm, cls, "__repr__", sleep_repr);
}

fn return_self(_vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(args.first().copied().unwrap_or(Value::None))
}

/// The receiver: a sleep or a lock/queue wait operation.
fn sleep_ref(vm: &mut Vm, args: &[Value]) -> PyResult<ObjRef> {
    match args.first() {
        Some(&v @ Value::Obj(r))
            if vm.native_ref::<awaitables::SleepObj>(v).is_some()
                || crate::runtime::sync::is_op(vm, v) =>
        {
            Ok(r)
        }
        _ => Err(vm.type_error("descriptor requires a 'coroutine' object")),
    }
}

fn sleep_step(vm: &mut Vm, r: ObjRef, throw: Option<Value>) -> PyResult<Value> {
    match awaitables::await_step(vm, r, Value::None, throw)? {
        Some(crate::vm::gen::GenStep::Yield(v)) => Ok(v),
        Some(crate::vm::gen::GenStep::Return(v)) => Err(vm.stop_iteration(v)),
        None => Ok(Value::None),
    }
}

fn sleep_send(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = sleep_ref(vm, args)?;
    check_args(vm, "send", &args[1..], kw, 1, 1)?;
    sleep_step(vm, r, None)
}

fn sleep_next(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = sleep_ref(vm, args)?;
    sleep_step(vm, r, None)
}

fn sleep_throw(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = sleep_ref(vm, args)?;
    let exc = vm.throw_args_exception(&args[1..])?;
    sleep_step(vm, r, Some(exc))
}

fn sleep_close(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = sleep_ref(vm, args)?;
    if vm
        .native_ref::<awaitables::SleepObj>(Value::Obj(r))
        .is_some()
    {
        awaitables::finish_sleep(vm, r);
    } else {
        awaitables::close_unstarted(vm, r);
    }
    Ok(Value::None)
}

fn sleep_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = sleep_ref(vm, args)?;
    if let Some(s) = super::asyncio_sync::op_repr(vm, r) {
        return Ok(vm.new_str(s));
    }
    let addr = 0x7f00_0000_0000usize + r.index() * 16;
    Ok(vm.new_str(format!("<coroutine object sleep at {addr:#x}>")))
}
