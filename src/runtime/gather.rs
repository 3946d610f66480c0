//! `gather`, `shield` and `ensure_future`, natively (CPython writes them in
//! Python around closures; here the closures are [`Callback`] variants
//! naming the future they act on).

use super::future::{self, Callback, FutState, FutureCore, FutureObj, Gather};
use super::task::{self, as_task};
use super::{classes, event_loop, EventLoop};
use crate::vm::object::Object;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use rustc_hash::FxHashMap;

/// `ensure_future(arg, loop=lp)`: a future as is, anything awaitable
/// wrapped in a task.
pub fn ensure_future(vm: &mut Vm, arg: Value, lp: Option<ObjRef>) -> PyResult<ObjRef> {
    if let Value::Obj(r) = arg {
        if let Some(c) = future::core(vm, r).filter(|_| future::is_future(vm, arg)) {
            if lp.is_some_and(|l| l != c.event_loop) {
                return Err(vm.value_error(
                    "The future belongs to a different loop than the one specified as the loop argument",
                ));
            }
            return Ok(r);
        }
    }
    let arg = if task::is_coroutine(vm, arg) {
        arg
    } else if vm.lookup_special(arg, "__await__").is_some() {
        // CPython's `_wrap_awaitable`: a coroutine awaiting it.
        let wrapper = super::rt(vm).wrapper;
        vm.call(wrapper, &[arg], &[])?
    } else {
        return Err(vm.type_error("An asyncio.Future, a coroutine or an awaitable is required"));
    };
    vm.temp_roots.push(arg);
    let lp = match lp {
        Some(l) => Ok(l),
        None => event_loop(vm),
    };
    let t = lp.and_then(|lp| create_task(vm, lp, arg, Value::None, Value::None));
    vm.temp_roots.pop();
    match t? {
        Value::Obj(t) => Ok(t),
        _ => unreachable!(),
    }
}

/// `loop.create_task(coro, name=, context=)`, honouring a task factory.
pub fn create_task(
    vm: &mut Vm,
    lp: ObjRef,
    coro: Value,
    name: Value,
    ctx: Value,
) -> PyResult<Value> {
    super::check_closed(vm, lp)?;
    let factory = EventLoop::get(vm, lp).task_factory;
    if factory.is_none() {
        return task::create(vm, lp, coro, name, ctx);
    }
    let t = if ctx.is_none() {
        vm.call(factory, &[Value::Obj(lp), coro], &[])?
    } else {
        let k = Value::Obj(vm.intern("context"));
        vm.call(factory, &[Value::Obj(lp), coro], &[(k, ctx)])?
    };
    if !name.is_none() {
        vm.temp_roots.push(t);
        let r = vm
            .get_attr_str(t, "set_name")
            .and_then(|m| vm.call(m, &[name], &[]));
        vm.temp_roots.pop();
        r?;
    }
    Ok(t)
}

/// `gather(*aws, return_exceptions=...)`.
pub fn gather(vm: &mut Vm, args: &[Value], return_exceptions: bool) -> PyResult<Value> {
    if args.is_empty() {
        let lp = event_loop(vm)?;
        let outer = future::new_future(vm, lp);
        let Value::Obj(o) = outer else { unreachable!() };
        let empty = vm.new_list(Vec::new());
        future::set_result(vm, o, empty)?;
        return Ok(outer);
    }
    // CPython's `arg_to_fut`, for the arguments whose repeats cannot be
    // told otherwise: a pending future given again already has this
    // gather's callback, so the usual case (tasks) needs no map.
    let mut seen: FxHashMap<ObjRef, ObjRef> = FxHashMap::default();
    let mut outer: Option<ObjRef> = None;
    let mark = vm.temp_roots.len();
    // The futures made so far are rooted as the children of `outer`, which
    // is rooted from its creation on (there is no safe point between the
    // first `ensure_future` and it).
    let r = (|| -> PyResult<ObjRef> {
        for &arg in args {
            let repeat = match (arg, outer) {
                (Value::Obj(a), Some(o)) if has_callback(vm, a, o) => Some(a),
                (Value::Obj(a), _) => seen.get(&a).copied(),
                _ => None,
            };
            if let Some(fut) = repeat {
                gathering(vm, outer.unwrap()).children.push(fut);
                continue;
            }
            let lp = outer.map(|o| future::expect(vm, o).event_loop);
            let fut = ensure_future(vm, arg, lp)?;
            let o = match outer {
                Some(o) => o,
                None => {
                    let lp = future::expect(vm, fut).event_loop;
                    let o = new_gathering(vm, lp, return_exceptions, args.len());
                    vm.temp_roots.push(Value::Obj(o));
                    outer = Some(o);
                    o
                }
            };
            if let Value::Obj(a) = arg {
                if a != fut || future::expect(vm, fut).done() {
                    seen.insert(a, fut);
                }
            }
            let g = gathering(vm, o);
            g.nfuts += 1;
            g.children.push(fut);
            future::add_callback(vm, fut, Callback::Gather(o));
        }
        Ok(outer.unwrap())
    })();
    vm.temp_roots.truncate(mark);
    r.map(Value::Obj)
}

/// Does the pending future `f` already have `outer`'s gather callback?
fn has_callback(vm: &Vm, f: ObjRef, outer: ObjRef) -> bool {
    future::core(vm, f)
        .is_some_and(|c| !c.done() && c.callbacks.as_slice().contains(&Callback::Gather(outer)))
}

fn new_gathering(vm: &mut Vm, lp: ObjRef, return_exceptions: bool, n: usize) -> ObjRef {
    let class = classes(vm).gathering_future;
    let v = vm.alloc(Object::Native(Box::new(FutureObj {
        class,
        core: FutureCore::new(lp),
        gather: Some(Box::new(Gather {
            children: Vec::with_capacity(n),
            nfuts: 0,
            nfinished: 0,
            return_exceptions,
            cancel_requested: false,
        })),
    })));
    let Value::Obj(r) = v else { unreachable!() };
    r
}

fn gathering(vm: &mut Vm, o: ObjRef) -> &mut Gather {
    vm.native_mut::<FutureObj>(Value::Obj(o))
        .and_then(|f| f.gather.as_deref_mut())
        .expect("a gathering future")
}

/// Is `f` a `_GatheringFuture`?
pub fn is_gathering(vm: &Vm, f: ObjRef) -> bool {
    vm.native_ref::<FutureObj>(Value::Obj(f))
        .is_some_and(|g| g.gather.is_some())
}

/// A child of `outer` completed (CPython's `_done_callback` in gather).
pub fn child_done(vm: &mut Vm, outer: ObjRef, fut: ObjRef) -> PyResult<()> {
    let g = gathering(vm, outer);
    g.nfinished += 1;
    let (return_exceptions, finished_all) = (g.return_exceptions, g.nfinished == g.nfuts);
    let fut_cancelled = future::expect(vm, fut).state == FutState::Cancelled;
    if future::expect(vm, outer).done() {
        if !fut_cancelled {
            future::expect(vm, fut).log_traceback = false;
        }
        return Ok(());
    }
    if !return_exceptions {
        if fut_cancelled {
            let exc = future::make_cancelled_error(vm, fut);
            return future::set_exception(vm, outer, exc);
        }
        let c = future::expect(vm, fut);
        c.log_traceback = false;
        let exc = c.exception_value();
        if !exc.is_none() {
            return future::set_exception(vm, outer, exc);
        }
    }
    if !finished_all {
        return Ok(());
    }
    let n = gathering(vm, outer).children.len();
    let mut results = Vec::with_capacity(n);
    for i in 0..n {
        let child = gathering(vm, outer).children[i];
        let c = future::expect(vm, child);
        let v = if c.state == FutState::Cancelled {
            let msg = c.cancel_message();
            let msg = if msg.is_none() { vm.new_str("") } else { msg };
            future::new_cancelled_error(vm, msg)
        } else {
            c.log_traceback = false;
            if c.exception_value().is_none() {
                c.result_value()
            } else {
                c.exception_value()
            }
        };
        results.push(v);
    }
    if gathering(vm, outer).cancel_requested {
        let exc = future::make_cancelled_error(vm, fut);
        return future::set_exception(vm, outer, exc);
    }
    let list = vm.new_list(results);
    future::set_result(vm, outer, list)
}

/// `_GatheringFuture.cancel(msg)`: cancels the children.
pub fn cancel(vm: &mut Vm, outer: ObjRef, msg: Value) -> PyResult<bool> {
    if future::expect(vm, outer).done() {
        return Ok(false);
    }
    let children = gathering(vm, outer).children.clone();
    let mut ret = false;
    for child in children {
        if task::cancel_any(vm, child, msg)? {
            ret = true;
        }
    }
    if ret {
        gathering(vm, outer).cancel_requested = true;
    }
    Ok(ret)
}

/// `shield(arg)`.
pub fn shield(vm: &mut Vm, arg: Value) -> PyResult<Value> {
    let inner = ensure_future(vm, arg, None)?;
    if future::expect(vm, inner).done() {
        return Ok(Value::Obj(inner));
    }
    let lp = future::expect(vm, inner).event_loop;
    vm.temp_roots.push(Value::Obj(inner));
    let outer = future::new_future(vm, lp);
    vm.temp_roots.pop();
    let Value::Obj(o) = outer else { unreachable!() };
    future::add_callback(vm, inner, Callback::ShieldInner(o));
    future::add_callback(vm, o, Callback::ShieldOuter(inner));
    Ok(outer)
}

/// shield's `_inner_done_callback`.
pub fn shield_inner_done(vm: &mut Vm, outer: ObjRef, inner: ObjRef) -> PyResult<()> {
    let inner_state = future::expect(vm, inner).state;
    if future::expect(vm, outer).state == FutState::Cancelled {
        if inner_state != FutState::Cancelled {
            future::expect(vm, inner).log_traceback = false;
        }
        return Ok(());
    }
    if inner_state == FutState::Cancelled {
        future::cancel(vm, outer, Value::None);
        return Ok(());
    }
    let c = future::expect(vm, inner);
    c.log_traceback = false;
    let (exc, result) = (c.exception_value(), c.result_value());
    if !exc.is_none() {
        future::set_exception(vm, outer, exc)
    } else {
        future::set_result(vm, outer, result)
    }
}

/// shield's `_outer_done_callback`.
pub fn shield_outer_done(vm: &mut Vm, inner: ObjRef, outer: ObjRef) -> PyResult<()> {
    let c = future::expect(vm, inner);
    if !c.done() {
        c.callbacks
            .retain(|cb| !matches!(cb, Callback::ShieldInner(o) if *o == outer));
    }
    Ok(())
}

/// Is `v` a task (for `as_task` users outside this module)?
pub fn is_task(vm: &Vm, v: Value) -> bool {
    as_task(vm, v).is_some()
}
