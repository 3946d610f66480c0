//! The classes and methods of the native Lock, Event, Semaphore,
//! BoundedSemaphore, Queue, LifoQueue and PriorityQueue (the algorithms are
//! in `src/runtime/sync.rs`). Each class may be subclassed in aspy: `__new__`
//! makes the native object (carrying the subclass), `__init__` sets it up.

use super::asyncio::{bind_py, or};
use crate::runtime::sync::{
    self, EventObj, LockObj, QueueKind, QueueObj, SemObj, WaitKind, WaitOp,
};
use crate::runtime::{self, Classes};
use crate::stdlib::builtins::{add_method, native, set_class_attr};
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::collections::VecDeque;

pub fn install(vm: &mut Vm, c: &Classes) {
    let lock: [(&'static str, NativeFn); 7] = [
        ("__init__", lock_init),
        ("locked", lock_locked),
        ("acquire", lock_acquire),
        ("release", lock_release),
        ("__aenter__", lock_aenter),
        ("__aexit__", aexit),
        ("__repr__", lock_repr),
    ];
    methods(vm, c.lock, &lock);
    static_new(vm, c.lock, lock_new);
    property(vm, c.lock, "_locked", lock_locked, None);
    property(vm, c.lock, "_waiters", waiters_attr, None);
    let event: [(&'static str, NativeFn); 6] = [
        ("__init__", event_init),
        ("is_set", event_is_set),
        ("set", event_set),
        ("clear", event_clear),
        ("wait", event_wait),
        ("__repr__", event_repr),
    ];
    methods(vm, c.event, &event);
    static_new(vm, c.event, event_new);
    property(vm, c.event, "_value", event_is_set, None);
    property(vm, c.event, "_waiters", waiters_attr, None);
    let sem: [(&'static str, NativeFn); 7] = [
        ("__init__", sem_init),
        ("locked", sem_locked),
        ("acquire", sem_acquire),
        ("release", sem_release),
        ("__aenter__", sem_aenter),
        ("__aexit__", aexit),
        ("__repr__", sem_repr),
    ];
    methods(vm, c.semaphore, &sem);
    static_new(vm, c.semaphore, sem_new);
    property(vm, c.semaphore, "_value", sem_value, Some(sem_set_value));
    property(vm, c.semaphore, "_waiters", waiters_attr, None);
    add_method(vm, c.bounded_semaphore, "__init__", bsem_init);
    static_new(vm, c.bounded_semaphore, bsem_new);
    property(vm, c.bounded_semaphore, "_bound_value", bsem_bound, None);
    let queue: [(&'static str, NativeFn); 13] = [
        ("__init__", queue_init),
        ("qsize", qsize),
        ("empty", empty),
        ("full", full),
        ("put", put),
        ("put_nowait", put_nowait),
        ("get", get),
        ("get_nowait", get_nowait),
        ("task_done", task_done),
        ("join", join),
        ("__repr__", queue_repr),
        ("__str__", queue_str),
        ("__class_getitem__", class_getitem),
    ];
    methods(vm, c.queue, &queue);
    static_new(vm, c.queue, queue_new);
    property(vm, c.queue, "maxsize", maxsize, None);
    property(vm, c.queue, "_maxsize", maxsize, None);
    property(vm, c.queue, "_unfinished_tasks", unfinished, None);
    property(vm, c.queue, "_queue", items_attr, None);
    property(vm, c.queue, "_getters", waiters_attr, None);
    property(vm, c.queue, "_finished", finished_attr, None);
}

fn methods(vm: &mut Vm, cls: ObjRef, list: &[(&'static str, NativeFn)]) {
    for &(name, f) in list {
        add_method(vm, cls, name, f);
    }
}

fn static_new(vm: &mut Vm, cls: ObjRef, f: NativeFn) {
    let n = native(vm, "__new__", f);
    let s = vm.alloc(Object::StaticMethod(n));
    set_class_attr(vm, cls, "__new__", s);
}

fn property(vm: &mut Vm, cls: ObjRef, name: &'static str, get: NativeFn, set: Option<NativeFn>) {
    let g = native(vm, name, get);
    let s = set.map_or(Value::None, |f| native(vm, name, f));
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

/// The class `__new__` was called with, and whether it is `base` itself
/// (then `__new__` takes the constructor's arguments; a subclass gets them
/// in its `__init__`).
fn new_class(vm: &mut Vm, args: &[Value], base: ObjRef) -> PyResult<(ObjRef, bool)> {
    match args.first() {
        Some(&Value::Obj(c)) if matches!(vm.heap.get(c), Object::Class(_)) => Ok((c, c == base)),
        _ => Err(vm.type_error("__new__(X): X is not a type object")),
    }
}

/// Allocates a native primitive of class `cls` (a subclass gets its class
/// and attributes in the heap's side table).
fn alloc_as(
    vm: &mut Vm,
    obj: Box<dyn crate::vm::object::NativeObject>,
    cls: ObjRef,
    exact: bool,
) -> Value {
    let v = vm.alloc(Object::Native(obj));
    if !exact {
        if let Value::Obj(r) = v {
            vm.heap.set_ext(r, cls);
        }
    }
    v
}

fn this<T: crate::vm::object::NativeObject>(
    vm: &mut Vm,
    args: &[Value],
    what: &str,
) -> PyResult<ObjRef> {
    match args.first() {
        Some(&v @ Value::Obj(r)) if vm.native_ref::<T>(v).is_some() => Ok(r),
        _ => Err(vm.type_error(format!("descriptor requires a '{what}' object"))),
    }
}

/// `<asyncio.locks.Lock object at 0x... [extra]>`.
fn object_repr(vm: &mut Vm, v: Value, extra: &str) -> String {
    let cls = vm.class_of(v);
    let (module, qual) = match vm.heap.get(cls) {
        Object::Class(c) => (
            vm.str_of(c.module).to_string(),
            vm.str_of(c.qualname).to_string(),
        ),
        _ => (String::new(), String::new()),
    };
    let addr = match v {
        Value::Obj(r) => 0x7f00_0000_0000usize + r.index() * 16,
        _ => 0,
    };
    format!("<{module}.{qual} object at {addr:#x} [{extra}]>")
}

fn with_waiters(extra: String, n: usize) -> String {
    if n > 0 {
        format!("{extra}, waiters:{n}")
    } else {
        extra
    }
}

fn op(vm: &mut Vm, kind: WaitKind, target: ObjRef, item: Value) -> Value {
    sync::new_op(vm, kind, target, item)
}

/// `_waiters` of a lock, event, semaphore or queue (getters): a list of
/// the waiter futures, or None when there are none yet.
fn waiters_attr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let v = args.first().copied().unwrap_or(Value::None);
    let list: Option<Vec<ObjRef>> = if let Some(l) = vm.native_ref::<LockObj>(v) {
        Some(l.waiters.iter().copied().collect())
    } else if let Some(e) = vm.native_ref::<EventObj>(v) {
        Some(e.waiters.iter().copied().collect())
    } else if let Some(s) = vm.native_ref::<SemObj>(v) {
        Some(s.waiters.iter().copied().collect())
    } else {
        vm.native_ref::<QueueObj>(v)
            .map(|q| q.getters.iter().copied().collect())
    };
    match list {
        Some(l) if !l.is_empty() => Ok(vm.new_list(l.into_iter().map(Value::Obj).collect())),
        Some(_) => Ok(Value::None),
        None => Err(vm.type_error("descriptor '_waiters' requires a synchronisation primitive")),
    }
}

fn aexit(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let v = args.first().copied().unwrap_or(Value::None);
    let target = match v {
        Value::Obj(r)
            if vm.native_ref::<LockObj>(v).is_some() || vm.native_ref::<SemObj>(v).is_some() =>
        {
            r
        }
        _ => return Err(vm.type_error("descriptor '__aexit__' requires a lock")),
    };
    Ok(op(vm, WaitKind::Release, target, Value::None))
}

// ---- Lock -------------------------------------------------------------------

fn new_lock(vm: &mut Vm, cls: ObjRef, exact: bool) -> Value {
    let class = runtime::classes(vm).lock;
    alloc_as(
        vm,
        Box::new(LockObj {
            class,
            locked: false,
            waiters: VecDeque::new(),
            bound: None,
        }),
        cls,
        exact,
    )
}

fn lock_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let base = runtime::classes(vm).lock;
    let (cls, exact) = new_class(vm, args, base)?;
    if exact {
        bind_py(vm, "Lock.__init__", args, kw, ["self"], 1, 1)?;
    }
    Ok(new_lock(vm, cls, exact))
}

fn lock_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<LockObj>(vm, args, "Lock")?;
    bind_py(vm, "Lock.__init__", args, kw, ["self"], 1, 1)?;
    if let Some(l) = vm.native_mut::<LockObj>(Value::Obj(r)) {
        l.locked = false;
        l.waiters.clear();
    }
    Ok(Value::None)
}

/// A method CPython writes in Python with no parameter but `self`:
/// "Queue.get() takes 1 positional argument but 2 were given".
fn no_args(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], qualname: &str) -> PyResult<()> {
    if args.len() == 1 && kw.is_empty() {
        return Ok(());
    }
    bind_py(vm, qualname, args, kw, ["self"], 1, 1).map(|_| ())
}

fn lock_locked(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<LockObj>(vm, args, "Lock")?;
    no_args(vm, args, kw, "Lock.locked")?;
    Ok(Value::Bool(
        vm.native_ref::<LockObj>(Value::Obj(r)).unwrap().locked,
    ))
}

fn lock_acquire(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<LockObj>(vm, args, "Lock")?;
    no_args(vm, args, kw, "Lock.acquire")?;
    Ok(op(
        vm,
        WaitKind::LockAcquire { enter: false },
        r,
        Value::None,
    ))
}

fn lock_aenter(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<LockObj>(vm, args, "Lock")?;
    Ok(op(
        vm,
        WaitKind::LockAcquire { enter: true },
        r,
        Value::None,
    ))
}

fn lock_release(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<LockObj>(vm, args, "Lock")?;
    no_args(vm, args, kw, "Lock.release")?;
    sync::lock_release(vm, r)?;
    Ok(Value::None)
}

fn lock_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<LockObj>(vm, args, "Lock")?;
    let l = vm.native_ref::<LockObj>(Value::Obj(r)).unwrap();
    let extra = if l.locked { "locked" } else { "unlocked" }.to_string();
    let extra = with_waiters(extra, l.waiters.len());
    let s = object_repr(vm, Value::Obj(r), &extra);
    Ok(vm.new_str(s))
}

// ---- Event ------------------------------------------------------------------

fn event_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let base = runtime::classes(vm).event;
    let (cls, exact) = new_class(vm, args, base)?;
    if exact {
        bind_py(vm, "Event.__init__", args, kw, ["self"], 1, 1)?;
    }
    let class = base;
    Ok(alloc_as(
        vm,
        Box::new(EventObj {
            class,
            value: false,
            waiters: VecDeque::new(),
            bound: None,
        }),
        cls,
        exact,
    ))
}

fn event_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<EventObj>(vm, args, "Event")?;
    bind_py(vm, "Event.__init__", args, kw, ["self"], 1, 1)?;
    if let Some(e) = vm.native_mut::<EventObj>(Value::Obj(r)) {
        e.value = false;
        e.waiters.clear();
    }
    Ok(Value::None)
}

fn event_is_set(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<EventObj>(vm, args, "Event")?;
    no_args(vm, args, kw, "Event.is_set")?;
    Ok(Value::Bool(
        vm.native_ref::<EventObj>(Value::Obj(r)).unwrap().value,
    ))
}

fn event_set(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<EventObj>(vm, args, "Event")?;
    no_args(vm, args, kw, "Event.set")?;
    sync::event_set(vm, r)?;
    Ok(Value::None)
}

fn event_clear(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<EventObj>(vm, args, "Event")?;
    no_args(vm, args, kw, "Event.clear")?;
    sync::event_clear(vm, r);
    Ok(Value::None)
}

fn event_wait(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<EventObj>(vm, args, "Event")?;
    no_args(vm, args, kw, "Event.wait")?;
    Ok(op(vm, WaitKind::EventWait { join: false }, r, Value::None))
}

fn event_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<EventObj>(vm, args, "Event")?;
    let e = vm.native_ref::<EventObj>(Value::Obj(r)).unwrap();
    let extra = if e.value { "set" } else { "unset" }.to_string();
    let extra = with_waiters(extra, e.waiters.len());
    let s = object_repr(vm, Value::Obj(r), &extra);
    Ok(vm.new_str(s))
}

// ---- Semaphore ----------------------------------------------------------------

fn int_arg(vm: &mut Vm, v: Value) -> PyResult<i64> {
    match v {
        Value::Int(i) => Ok(i),
        Value::Bool(b) => Ok(b as i64),
        _ => {
            let msg = format!(
                "'<' not supported between instances of '{}' and 'int'",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

fn sem_value_arg(vm: &mut Vm, name: &str, args: &[Value], kw: &[(Value, Value)]) -> PyResult<i64> {
    let init = format!("{name}.__init__");
    let [_, value] = bind_py(vm, &init, args, kw, ["self", "value"], 2, 1)?;
    let v = int_arg(vm, or(value, Value::Int(1)))?;
    if v < 0 {
        return Err(vm.value_error("Semaphore initial value must be >= 0"));
    }
    Ok(v)
}

fn new_sem(vm: &mut Vm, cls: ObjRef, exact: bool, value: i64, bound: Option<i64>) -> Value {
    let class = if bound.is_some() {
        runtime::classes(vm).bounded_semaphore
    } else {
        runtime::classes(vm).semaphore
    };
    alloc_as(
        vm,
        Box::new(SemObj {
            class,
            value,
            bound_value: bound,
            waiters: VecDeque::new(),
            bound: None,
        }),
        cls,
        exact,
    )
}

fn sem_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let base = runtime::classes(vm).semaphore;
    let (cls, exact) = new_class(vm, args, base)?;
    let value = if exact {
        sem_value_arg(vm, "Semaphore", args, kw)?
    } else {
        1
    };
    Ok(new_sem(vm, cls, exact, value, None))
}

fn sem_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<SemObj>(vm, args, "Semaphore")?;
    let value = sem_value_arg(vm, "Semaphore", args, kw)?;
    if let Some(s) = vm.native_mut::<SemObj>(Value::Obj(r)) {
        s.value = value;
        s.waiters.clear();
    }
    Ok(Value::None)
}

fn bsem_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let base = runtime::classes(vm).bounded_semaphore;
    let (cls, exact) = new_class(vm, args, base)?;
    let value = if exact {
        sem_value_arg(vm, "BoundedSemaphore", args, kw)?
    } else {
        1
    };
    Ok(new_sem(vm, cls, exact, value, Some(value)))
}

fn bsem_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<SemObj>(vm, args, "BoundedSemaphore")?;
    let value = sem_value_arg(vm, "BoundedSemaphore", args, kw)?;
    if let Some(s) = vm.native_mut::<SemObj>(Value::Obj(r)) {
        s.value = value;
        s.bound_value = Some(value);
        s.waiters.clear();
    }
    Ok(Value::None)
}

fn sem_locked(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<SemObj>(vm, args, "Semaphore")?;
    no_args(vm, args, kw, "Semaphore.locked")?;
    Ok(Value::Bool(sync::sem_locked(vm, r)))
}

fn sem_acquire(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<SemObj>(vm, args, "Semaphore")?;
    no_args(vm, args, kw, "Semaphore.acquire")?;
    Ok(op(
        vm,
        WaitKind::SemAcquire { enter: false },
        r,
        Value::None,
    ))
}

fn sem_aenter(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<SemObj>(vm, args, "Semaphore")?;
    Ok(op(vm, WaitKind::SemAcquire { enter: true }, r, Value::None))
}

fn sem_release(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<SemObj>(vm, args, "Semaphore")?;
    if args.len() != 1 || !kw.is_empty() {
        let bounded = vm
            .native_ref::<SemObj>(Value::Obj(r))
            .is_some_and(|s| s.bound_value.is_some());
        let q = if bounded {
            "BoundedSemaphore.release"
        } else {
            "Semaphore.release"
        };
        no_args(vm, args, kw, q)?;
    }
    sync::sem_release(vm, r)?;
    Ok(Value::None)
}

fn sem_value(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<SemObj>(vm, args, "Semaphore")?;
    Ok(Value::Int(
        vm.native_ref::<SemObj>(Value::Obj(r)).unwrap().value,
    ))
}

fn sem_set_value(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<SemObj>(vm, args, "Semaphore")?;
    let v = int_arg(vm, args.get(1).copied().unwrap_or(Value::None))?;
    vm.native_mut::<SemObj>(Value::Obj(r)).unwrap().value = v;
    Ok(Value::None)
}

fn bsem_bound(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<SemObj>(vm, args, "BoundedSemaphore")?;
    let b = vm.native_ref::<SemObj>(Value::Obj(r)).unwrap().bound_value;
    Ok(b.map_or(Value::None, Value::Int))
}

fn sem_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<SemObj>(vm, args, "Semaphore")?;
    let locked = sync::sem_locked(vm, r);
    let s = vm.native_ref::<SemObj>(Value::Obj(r)).unwrap();
    let extra = if locked {
        "locked".to_string()
    } else {
        format!("unlocked, value:{}", s.value)
    };
    let extra = with_waiters(extra, s.waiters.len());
    let text = object_repr(vm, Value::Obj(r), &extra);
    Ok(vm.new_str(text))
}

// ---- Queue ---------------------------------------------------------------------

fn queue_kind(vm: &mut Vm, cls: ObjRef) -> QueueKind {
    let c = runtime::classes(vm);
    if vm.is_subclass(cls, c.priority_queue) {
        QueueKind::Priority
    } else if vm.is_subclass(cls, c.lifo_queue) {
        QueueKind::Lifo
    } else {
        QueueKind::Fifo
    }
}

fn maxsize_arg(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<(i64, Value)> {
    let [_, m] = bind_py(vm, "Queue.__init__", args, kw, ["self", "maxsize"], 2, 1)?;
    let m = or(m, Value::Int(0));
    let n = match m {
        Value::Int(i) => i,
        Value::Bool(b) => b as i64,
        Value::Float(f) => f.ceil() as i64,
        _ => 0,
    };
    Ok((n, m))
}

fn queue_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let base = runtime::classes(vm).queue;
    let (cls, _) = new_class(vm, args, base)?;
    let c = runtime::classes(vm);
    let exact = [c.queue, c.lifo_queue, c.priority_queue].contains(&cls);
    let (maxsize, maxsize_value) = if exact {
        maxsize_arg(vm, args, kw)?
    } else {
        (0, Value::Int(0))
    };
    let kind = queue_kind(vm, cls);
    let finished = sync::new_event(vm, true);
    let class = match kind {
        QueueKind::Fifo => runtime::classes(vm).queue,
        QueueKind::Lifo => runtime::classes(vm).lifo_queue,
        QueueKind::Priority => runtime::classes(vm).priority_queue,
    };
    let exact = exact && class == cls;
    Ok(alloc_as(
        vm,
        Box::new(QueueObj {
            class,
            kind,
            maxsize,
            maxsize_value,
            items: VecDeque::new(),
            getters: VecDeque::new(),
            putters: VecDeque::new(),
            unfinished: 0,
            finished,
            bound: None,
        }),
        cls,
        exact,
    ))
}

fn queue_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this::<QueueObj>(vm, args, "Queue")?;
    let (maxsize, value) = maxsize_arg(vm, args, kw)?;
    let q = sync::queue_mut(vm, r);
    q.maxsize = maxsize;
    q.maxsize_value = value;
    Ok(Value::None)
}

fn q(vm: &mut Vm, args: &[Value]) -> PyResult<ObjRef> {
    this::<QueueObj>(vm, args, "Queue")
}

fn qsize(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    no_args(vm, args, kw, "Queue.qsize")?;
    Ok(Value::Int(sync::qsize(vm, r) as i64))
}

fn empty(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    no_args(vm, args, kw, "Queue.empty")?;
    Ok(Value::Bool(sync::qsize(vm, r) == 0))
}

fn full(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    no_args(vm, args, kw, "Queue.full")?;
    Ok(Value::Bool(sync::full(vm, r)))
}

fn put(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    let [_, item] = bind_py(vm, "Queue.put", args, kw, ["self", "item"], 2, 2)?;
    Ok(op(vm, WaitKind::QueuePut, r, item))
}

fn put_nowait(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    let [_, item] = bind_py(vm, "Queue.put_nowait", args, kw, ["self", "item"], 2, 2)?;
    sync::put_nowait(vm, r, item)?;
    Ok(Value::None)
}

fn get(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    no_args(vm, args, kw, "Queue.get")?;
    Ok(op(vm, WaitKind::QueueGet, r, Value::None))
}

fn get_nowait(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    no_args(vm, args, kw, "Queue.get_nowait")?;
    sync::get_nowait(vm, r)
}

fn task_done(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    no_args(vm, args, kw, "Queue.task_done")?;
    sync::task_done(vm, r)?;
    Ok(Value::None)
}

fn join(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    no_args(vm, args, kw, "Queue.join")?;
    let queue = sync::queue_mut(vm, r);
    let finished = queue.finished;
    // `if self._unfinished_tasks > 0: await self._finished.wait()`; the
    // event is set exactly when no task is unfinished.
    Ok(op(
        vm,
        WaitKind::EventWait { join: true },
        finished,
        Value::None,
    ))
}

fn maxsize(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    Ok(sync::queue_mut(vm, r).maxsize_value)
}

fn unfinished(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    Ok(Value::Int(sync::queue_mut(vm, r).unfinished))
}

fn items_attr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    let items: Vec<Value> = sync::queue_mut(vm, r).items.iter().copied().collect();
    Ok(vm.new_list(items))
}

fn finished_attr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    Ok(Value::Obj(sync::queue_mut(vm, r).finished))
}

fn queue_format(vm: &mut Vm, r: ObjRef) -> PyResult<String> {
    let queue = sync::queue_mut(vm, r);
    let (m, items, getters, putters, tasks) = (
        queue.maxsize_value,
        queue.items.iter().copied().collect::<Vec<_>>(),
        queue.getters.len(),
        queue.putters.len(),
        queue.unfinished,
    );
    let mut s = format!("maxsize={}", vm.repr_value(m)?);
    if !items.is_empty() {
        let l = vm.new_list(items);
        s.push_str(&format!(" _queue={}", vm.repr_value(l)?));
    }
    if getters > 0 {
        s.push_str(&format!(" _getters[{getters}]"));
    }
    if putters > 0 {
        s.push_str(&format!(" _putters[{putters}]"));
    }
    if tasks != 0 {
        s.push_str(&format!(" tasks={tasks}"));
    }
    Ok(s)
}

fn queue_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    let cls = vm.class_of(Value::Obj(r));
    let name = vm.class_name(cls).to_string();
    let addr = 0x7f00_0000_0000usize + r.index() * 16;
    let f = queue_format(vm, r)?;
    Ok(vm.new_str(format!("<{name} at {addr:#x} {f}>")))
}

fn queue_str(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = q(vm, args)?;
    let cls = vm.class_of(Value::Obj(r));
    let name = vm.class_name(cls).to_string();
    let f = queue_format(vm, r)?;
    Ok(vm.new_str(format!("<{name} {f}>")))
}

fn class_getitem(_vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(args.first().copied().unwrap_or(Value::None))
}

/// The repr of a wait operation: `<coroutine object Lock.acquire at 0x...>`.
pub fn op_repr(vm: &mut Vm, r: ObjRef) -> Option<String> {
    let o = vm.native_ref::<WaitOp>(Value::Obj(r))?;
    let addr = 0x7f00_0000_0000usize + r.index() * 16;
    Some(format!("<coroutine object {} at {addr:#x}>", o.qualname()))
}
