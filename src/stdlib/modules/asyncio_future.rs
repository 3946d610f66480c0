//! Methods of `asyncio.Future` and `asyncio.Task` (thin wrappers over
//! `src/runtime/future.rs` and `task.rs`).

use super::asyncio::{bind, or};
use crate::runtime::future::{self, Callback, FutState, FutureCore, FutureObj};
use crate::runtime::{self, context, report, task, Classes};
use crate::stdlib::builtins::{add_method, native, set_class_attr};
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm, c: &Classes) {
    let methods: [(&'static str, NativeFn); 14] = [
        ("result", result),
        ("exception", exception),
        ("done", done),
        ("cancelled", cancelled),
        ("cancel", cancel),
        ("add_done_callback", add_done_callback),
        ("remove_done_callback", remove_done_callback),
        ("set_result", set_result),
        ("set_exception", set_exception),
        ("get_loop", get_loop),
        ("__await__", return_self),
        ("__iter__", return_self),
        ("__repr__", repr),
        ("__next__", next),
    ];
    for (name, f) in methods {
        add_method(vm, c.future, name, f);
    }
    property(vm, c.future, "_state", state, None);
    property(vm, c.future, "_loop", loop_attr, None);
    property(
        vm,
        c.future,
        "_asyncio_future_blocking",
        blocking,
        Some(set_blocking),
    );
    property(vm, c.future, "_log_traceback", log_traceback, None);
    let new = native(vm, "__new__", future_new);
    let new = vm.alloc(Object::StaticMethod(new));
    set_class_attr(vm, c.future, "__new__", new);
    let task_methods: [(&'static str, NativeFn); 11] = [
        ("get_coro", get_coro),
        ("get_name", get_name),
        ("set_name", set_name),
        ("get_context", get_context),
        ("cancelling", cancelling),
        ("uncancel", uncancel),
        ("set_result", task_set_result),
        ("set_exception", task_set_exception),
        ("get_stack", get_stack),
        ("print_stack", print_stack),
        ("cancel", cancel),
    ];
    for (name, f) in task_methods {
        add_method(vm, c.task, name, f);
    }
    let new = native(vm, "__new__", task_new);
    let new = vm.alloc(Object::StaticMethod(new));
    set_class_attr(vm, c.task, "__new__", new);
    property(vm, c.task, "_must_cancel", must_cancel, None);
    property(vm, c.task, "_coro", get_coro, None);
    property(vm, c.task, "_fut_waiter", fut_waiter, None);
}

/// Adds a read-only (or read-write) property backed by natives.
fn property(vm: &mut Vm, cls: ObjRef, name: &'static str, get: NativeFn, set: Option<NativeFn>) {
    let g = native(vm, name, get);
    let s = match set {
        Some(f) => native(vm, name, f),
        None => Value::None,
    };
    let pname = Value::Obj(vm.intern(name));
    let p = vm.alloc(Object::Property(Box::new([
        g,
        s,
        Value::None,
        Value::None,
        pname,
    ])));
    set_class_attr(vm, cls, name, p);
}

/// The receiver as a future (or task).
fn fut(vm: &mut Vm, args: &[Value]) -> PyResult<ObjRef> {
    if let Some(&Value::Obj(r)) = args.first() {
        if future::core(vm, r).is_some() {
            return Ok(r);
        }
    }
    Err(vm.type_error("descriptor requires a '_asyncio.Future' object"))
}

fn task_ref(vm: &mut Vm, args: &[Value]) -> PyResult<ObjRef> {
    match args.first().and_then(|&v| task::as_task(vm, v)) {
        Some(t) => Ok(t),
        None => Err(vm.type_error("descriptor requires a '_asyncio.Task' object")),
    }
}

/// The arguments of a Future/Task method CPython writes in C with no
/// parameters (`n == 0`, METH_NOARGS) or exactly one (METH_O); messages
/// name the method `Future.x` or `Task.x`.
fn arity(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], name: &str, n: usize) -> PyResult<()> {
    let given = args.len().saturating_sub(1);
    if given == n && kw.is_empty() {
        return Ok(());
    }
    let cls = match args.first() {
        Some(&v) if task::as_task(vm, v).is_some() => "Task",
        _ => "Future",
    };
    let msg = if !kw.is_empty() {
        format!("{cls}.{name}() takes no keyword arguments")
    } else if n == 0 {
        format!("{cls}.{name}() takes no arguments ({given} given)")
    } else {
        format!("{cls}.{name}() takes exactly one argument ({given} given)")
    };
    Err(vm.type_error(msg))
}

fn core(vm: &mut Vm, f: ObjRef) -> &mut FutureCore {
    future::expect(vm, f)
}

/// `Future(*, loop=None)`.
fn future_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let [lp] = bind(vm, "Future", &args[1..], kw, ["loop"], 0, 0)?;
    let lp = match or(lp, Value::None) {
        Value::None => runtime::event_loop(vm)?,
        v => super::asyncio::loop_arg(vm, v, "get_debug")?,
    };
    Ok(future::new_future(vm, lp))
}

/// `Task(coro, *, loop=None, name=None, context=None)`.
fn task_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let names = ["coro", "loop", "name", "context"];
    let [coro, lp, name, ctx] = bind(vm, "Task", &args[1..], kw, names, 1, 1)?;
    let lp = match or(lp, Value::None) {
        Value::None => runtime::event_loop(vm)?,
        v => super::asyncio::loop_arg(vm, v, "get_debug")?,
    };
    task::create(vm, lp, coro, or(name, Value::None), or(ctx, Value::None))
}

fn result(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    arity(vm, args, kw, "result", 0)?;
    future::result(vm, f)
}

fn exception(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    arity(vm, args, kw, "exception", 0)?;
    future::exception(vm, f)
}

fn done(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    arity(vm, args, kw, "done", 0)?;
    Ok(Value::Bool(core(vm, f).done()))
}

fn cancelled(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    arity(vm, args, kw, "cancelled", 0)?;
    Ok(Value::Bool(core(vm, f).state == FutState::Cancelled))
}

fn cancel(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    let [msg] = bind(vm, "cancel", &args[1..], kw, ["msg"], 1, 0)?;
    Ok(Value::Bool(task::cancel_any(vm, f, or(msg, Value::None))?))
}

fn add_done_callback(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    let [func, ctx] = super::asyncio::bind_clinic(
        vm,
        "add_done_callback",
        &args[1..],
        kw,
        ["fn", "context"],
        1,
        1,
        1,
    )?;
    let ctx = match or(ctx, Value::None) {
        Value::None => context::copy_current(vm),
        c => c,
    };
    let Value::Obj(func) = func else {
        let msg = format!("'{}' object is not callable", vm.type_name(func));
        return Err(vm.type_error(msg));
    };
    let context = ctx.as_obj();
    future::add_callback(vm, f, Callback::Call { func, context });
    Ok(Value::None)
}

fn remove_done_callback(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    arity(vm, args, kw, "remove_done_callback", 1)?;
    let target = args[1];
    let callbacks = core(vm, f).callbacks.as_slice().to_vec();
    let mut remove = Vec::with_capacity(callbacks.len());
    for cb in &callbacks {
        let hit = match *cb {
            Callback::Call { func, .. } => {
                let func = Value::Obj(func);
                func.is(target) || vm.eq(func, target)?
            }
            _ => false,
        };
        remove.push(hit);
    }
    let mut i = 0;
    let removed = core(vm, f).callbacks.retain(|_| {
        i += 1;
        !remove.get(i - 1).copied().unwrap_or(false)
    });
    Ok(Value::Int(removed as i64))
}

fn set_result(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    arity(vm, args, kw, "set_result", 1)?;
    future::set_result(vm, f, args[1])?;
    Ok(Value::None)
}

fn set_exception(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    arity(vm, args, kw, "set_exception", 1)?;
    future::set_exception(vm, f, args[1])?;
    Ok(Value::None)
}

fn get_loop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    arity(vm, args, kw, "get_loop", 0)?;
    Ok(Value::Obj(core(vm, f).event_loop))
}

fn return_self(_vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(args.first().copied().unwrap_or(Value::None))
}

/// `next(fut.__await__())`: one step of the await protocol from Rust.
fn next(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    match crate::runtime::awaitables::await_step(vm, f, Value::None, None)? {
        Some(crate::vm::gen::GenStep::Yield(v)) => Ok(v),
        Some(crate::vm::gen::GenStep::Return(v)) => Err(vm.stop_iteration(v)),
        None => Ok(Value::None),
    }
}

fn repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    let s = report::future_repr_checked(vm, f)?;
    Ok(vm.new_str(s))
}

fn state(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    let s = match core(vm, f).state {
        FutState::Pending => "PENDING",
        FutState::Cancelled => "CANCELLED",
        FutState::Finished => "FINISHED",
    };
    Ok(vm.new_str(s))
}

fn loop_attr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    get_loop(vm, args, &[])
}

fn blocking(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    Ok(Value::Bool(core(vm, f).blocking))
}

fn set_blocking(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    let v = args.get(1).copied().unwrap_or(Value::None);
    let b = vm.truthy(v)?;
    core(vm, f).blocking = b;
    Ok(Value::None)
}

fn log_traceback(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let f = fut(vm, args)?;
    Ok(Value::Bool(core(vm, f).log_traceback))
}

// ---- Task ---------------------------------------------------------------------

fn get_coro(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = task_ref(vm, args)?;
    arity(vm, args, kw, "get_coro", 0)?;
    Ok(Value::Obj(task::task_mut(vm, t).coro))
}

fn get_name(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = task_ref(vm, args)?;
    arity(vm, args, kw, "get_name", 0)?;
    Ok(task::name(vm, t))
}

fn set_name(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = task_ref(vm, args)?;
    arity(vm, args, kw, "set_name", 1)?;
    let s = vm.str_value(args[1])?;
    if let Value::Obj(s) = vm.new_str(s) {
        task::task_mut(vm, t).set_name(s);
    }
    Ok(Value::None)
}

fn get_context(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = task_ref(vm, args)?;
    arity(vm, args, kw, "get_context", 0)?;
    let ctx = task::task_mut(vm, t).context();
    if !ctx.is_none() {
        return Ok(ctx);
    }
    // Materialise the empty context so the task and the caller share it.
    let running = runtime::rt(vm).current_task == Some(t);
    let c = context::new_context(vm, std::rc::Rc::new(Vec::new()));
    task::task_mut(vm, t).set_context(c);
    if running {
        runtime::rt(vm).context = c;
    }
    Ok(c)
}

fn cancelling(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = task_ref(vm, args)?;
    arity(vm, args, kw, "cancelling", 0)?;
    Ok(Value::Int(
        task::task_mut(vm, t).num_cancels_requested as i64,
    ))
}

fn uncancel(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = task_ref(vm, args)?;
    arity(vm, args, kw, "uncancel", 0)?;
    let task = task::task_mut(vm, t);
    if task.num_cancels_requested > 0 {
        task.num_cancels_requested -= 1;
    }
    Ok(Value::Int(task.num_cancels_requested as i64))
}

fn task_set_result(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    task_ref(vm, args)?;
    arity(vm, args, kw, "set_result", 1)?;
    Err(task::unsupported(vm, "set_result"))
}

fn task_set_exception(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    task_ref(vm, args)?;
    arity(vm, args, kw, "set_exception", 1)?;
    Err(task::unsupported(vm, "set_exception"))
}

fn get_stack(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    task_ref(vm, args)?;
    bind(vm, "get_stack", &args[1..], kw, ["limit"], 0, 0)?;
    Ok(vm.new_list(Vec::new()))
}

fn print_stack(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    task_ref(vm, args)?;
    bind(vm, "print_stack", &args[1..], kw, ["limit", "file"], 0, 0)?;
    Ok(Value::None)
}

fn must_cancel(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = task_ref(vm, args)?;
    Ok(Value::Bool(task::task_mut(vm, t).must_cancel))
}

fn fut_waiter(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let t = task_ref(vm, args)?;
    Ok(match task::task_mut(vm, t).waiter {
        task::Waiter::Future(f) => Value::Obj(f),
        _ => Value::None,
    })
}

/// Is `v` a plain (non-task) future object? Used by the loop's methods.
pub fn is_plain_future(vm: &Vm, v: Value) -> bool {
    vm.native_ref::<FutureObj>(v).is_some()
}
