//! `itertools`: lazy iterator building blocks, all native. This file holds
//! the module table and the simple iterators (count, cycle, repeat,
//! accumulate, chain, compress, dropwhile, takewhile, filterfalse, islice,
//! starmap, zip_longest, pairwise); `itertools_group.rs` has groupby and
//! tee, `itertools_comb.rs` the combinatoric iterators.
//!
//! Every iterator is a native object whose step function follows CPython's
//! C implementation step by step, so laziness, exhaustion and the order in
//! which inputs are consumed match. A value taken out of an iterator's state
//! or freshly produced by an inner iterator is rooted across any call that
//! can run aspy code.

use super::itertools_comb as comb;
use super::itertools_group as group;
use super::support::{
    add_fn, add_value, alloc_native, bind, impl_native, index_arg, new_iter_type, new_module,
    payload, positional, rooted, set_constructor, Sig,
};
use crate::bytecode::BinaryOp;
use crate::stdlib::builtins::{add_method, native, set_class_attr};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// Creates the `itertools` module.
pub fn load(vm: &mut Vm) -> PyResult<Value> {
    let m = new_module(vm, "itertools")?;
    let types: &[(&str, NativeFn)] = &[
        ("count", count_new),
        ("cycle", cycle_new),
        ("repeat", repeat_new),
        ("accumulate", accumulate_new),
        ("chain", chain_new),
        ("compress", compress_new),
        ("dropwhile", dropwhile_new),
        ("takewhile", takewhile_new),
        ("filterfalse", filterfalse_new),
        ("islice", islice_new),
        ("starmap", starmap_new),
        ("zip_longest", zip_longest_new),
        ("pairwise", pairwise_new),
        ("groupby", group::groupby_new),
        ("_grouper", group::grouper_new),
        ("_tee", group::tee_object_new),
        ("_tee_dataobject", group::tee_data_new),
        ("product", comb::product_new),
        ("permutations", comb::permutations_new),
        ("combinations", comb::combinations_new),
        ("combinations_with_replacement", comb::cwr_new),
    ];
    for &(name, ctor) in types {
        let cls = new_iter_type(vm, name, "itertools");
        set_constructor(vm, cls, ctor);
        add_value(vm, m, name, Value::Obj(cls))?;
        extend_type(vm, name, cls);
    }
    add_fn(vm, m, "tee", group::tee)?;
    Ok(m)
}

/// Adds what some types have beyond the iterator protocol, and remembers
/// the classes that Rust code instantiates.
fn extend_type(vm: &mut Vm, name: &str, cls: ObjRef) {
    match name {
        "count" => add_method(vm, cls, "__repr__", count_repr),
        "repeat" => {
            add_method(vm, cls, "__repr__", repeat_repr);
            add_method(vm, cls, "__length_hint__", repeat_length_hint);
        }
        "chain" => {
            let f = native(vm, "from_iterable", chain_from_iterable);
            let f = vm.alloc(Object::ClassMethod(f));
            set_class_attr(vm, cls, "from_iterable", f);
        }
        "_tee" => {
            add_method(vm, cls, "__copy__", group::tee_copy);
            vm.module_state.insert(group::TEE_KEY, Value::Obj(cls));
        }
        "_tee_dataobject" => {
            vm.module_state.insert(group::TEE_DATA_KEY, Value::Obj(cls));
        }
        "_grouper" => {
            vm.module_state.insert(group::GROUPER_KEY, Value::Obj(cls));
        }
        _ => {}
    }
}

/// The class a constructor was called on (`args[0]`).
pub(super) fn ctor_class(vm: &mut Vm, args: &[Value]) -> PyResult<ObjRef> {
    match args.first() {
        Some(&Value::Obj(r)) if matches!(vm.heap.get(r), Object::Class(_)) => Ok(r),
        _ => Err(vm.type_error("__new__(X): X is not a type object")),
    }
}

/// `next(it)` for an inner iterator; None when exhausted.
pub(super) fn next_of(vm: &mut Vm, it: Value) -> PyResult<Option<Value>> {
    vm.iter_next(it)
}

/// Calls `f(args...)` with the arguments rooted.
pub(super) fn call_rooted(vm: &mut Vm, f: Value, args: &[Value]) -> PyResult<Value> {
    rooted(vm, args, |vm| vm.call(f, args, &[]))
}

// ---- count --------------------------------------------------------------------

struct Count {
    class: ObjRef,
    cur: Value,
    step: Value,
}

impl_native!(
    Count,
    |s, f| {
        f(s.cur);
        f(s.step);
    },
    next = count_next
);

const COUNT_SIG: Sig = Sig {
    name: "count",
    params: &["start", "step"],
    required: 0,
    max_pos: 2,
    pos_only: 0,
};

fn is_number(vm: &Vm, v: Value) -> bool {
    match v {
        Value::Int(_) | Value::Bool(_) | Value::Float(_) => true,
        Value::Obj(r) => matches!(
            vm.heap.get(r),
            Object::BigInt(_) | Object::Instance(_) | Object::Native(_)
        ),
        _ => false,
    }
}

fn count_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let [start, step] = bind::<2>(vm, &COUNT_SIG, &args[1..], kw)?;
    let cur = start.unwrap_or(Value::Int(0));
    let step = step.unwrap_or(Value::Int(1));
    if !is_number(vm, cur) || !is_number(vm, step) {
        return Err(vm.type_error("a number is required"));
    }
    // `count(True)` counts from 1, as CPython stores the start as an int.
    let norm = |v: Value| match v {
        Value::Bool(b) => Value::Int(b as i64),
        v => v,
    };
    let (cur, step) = (norm(cur), norm(step));
    Ok(alloc_native(vm, Count { class, cur, step }))
}

fn count_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let c = payload::<Count>(vm, r);
    let (cur, step) = (c.cur, c.step);
    let next = match (cur, step) {
        (Value::Int(a), Value::Int(b)) if a.checked_add(b).is_some() => Value::Int(a + b),
        _ => rooted(vm, &[cur], |vm| vm.binary_op(cur, step, BinaryOp::Add))?,
    };
    payload::<Count>(vm, r).cur = next;
    Ok(Some(cur))
}

fn count_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(c) = vm.native_ref::<Count>(args[0]) else {
        return Err(vm.type_error("count.__repr__ needs a count object"));
    };
    let (cur, step) = (c.cur, c.step);
    let name = vm.class_name(vm.class_of(args[0])).to_string();
    let cur_s = vm.repr_value(cur)?;
    let text = if matches!(step, Value::Int(1)) {
        format!("{name}({cur_s})")
    } else {
        let step_s = vm.repr_value(step)?;
        format!("{name}({cur_s}, {step_s})")
    };
    Ok(vm.new_str(text))
}

// ---- cycle ----------------------------------------------------------------------

struct Cycle {
    class: ObjRef,
    /// The source iterator until it is exhausted, then None.
    it: Value,
    saved: Vec<Value>,
    index: usize,
}

impl_native!(
    Cycle,
    |s, f| {
        f(s.it);
        s.saved.iter().for_each(|&v| f(v));
    },
    next = cycle_next
);

fn cycle_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    positional(vm, "cycle", &args[1..], kw, 1, 1)?;
    let it = vm.get_iter(args[1])?;
    Ok(alloc_native(
        vm,
        Cycle {
            class,
            it,
            saved: Vec::new(),
            index: 0,
        },
    ))
}

fn cycle_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let it = payload::<Cycle>(vm, r).it;
    if !it.is_none() {
        if let Some(v) = next_of(vm, it)? {
            payload::<Cycle>(vm, r).saved.push(v);
            return Ok(Some(v));
        }
        payload::<Cycle>(vm, r).it = Value::None;
    }
    let c = payload::<Cycle>(vm, r);
    if c.saved.is_empty() {
        return Ok(None);
    }
    let v = c.saved[c.index];
    c.index = (c.index + 1) % c.saved.len();
    Ok(Some(v))
}

// ---- repeat ---------------------------------------------------------------------

struct Repeat {
    class: ObjRef,
    obj: Value,
    /// Items left, or None for an endless repeat.
    left: Option<i64>,
}

impl_native!(Repeat, |s, f| { f(s.obj) }, next = repeat_next);

const REPEAT_SIG: Sig = Sig {
    name: "repeat",
    params: &["object", "times"],
    required: 1,
    max_pos: 2,
    pos_only: 0,
};

fn repeat_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let [obj, times] = bind::<2>(vm, &REPEAT_SIG, &args[1..], kw)?;
    let left = match times {
        Some(t) => Some(index_arg(vm, t)?.max(0)),
        None => None,
    };
    let obj = obj.unwrap_or(Value::None);
    Ok(alloc_native(vm, Repeat { class, obj, left }))
}

fn repeat_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let rp = payload::<Repeat>(vm, r);
    match &mut rp.left {
        None => Ok(Some(rp.obj)),
        Some(0) => Ok(None),
        Some(n) => {
            *n -= 1;
            Ok(Some(rp.obj))
        }
    }
}

fn repeat_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(rp) = vm.native_ref::<Repeat>(args[0]) else {
        return Err(vm.type_error("repeat.__repr__ needs a repeat object"));
    };
    let (obj, left) = (rp.obj, rp.left);
    let name = vm.class_name(vm.class_of(args[0])).to_string();
    let obj_s = vm.repr_value(obj)?;
    let text = match left {
        Some(n) => format!("{name}({obj_s}, {n})"),
        None => format!("{name}({obj_s})"),
    };
    Ok(vm.new_str(text))
}

fn repeat_length_hint(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    match vm.native_ref::<Repeat>(args[0]).map(|rp| rp.left) {
        Some(Some(n)) => Ok(Value::Int(n)),
        _ => Err(vm.type_error("len() of unsized object")),
    }
}

// ---- accumulate -------------------------------------------------------------------

struct Accumulate {
    class: ObjRef,
    it: Value,
    func: Value,
    /// The running total, Unbound before the first item.
    total: Value,
    /// The `initial` value still to be produced first, or Unbound.
    initial: Value,
}

impl_native!(
    Accumulate,
    |s, f| {
        f(s.it);
        f(s.func);
        f(s.total);
        f(s.initial);
    },
    next = accumulate_next
);

const ACCUMULATE_SIG: Sig = Sig {
    name: "accumulate",
    params: &["iterable", "func", "initial"],
    required: 1,
    max_pos: 2,
    pos_only: 0,
};

fn accumulate_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let [iterable, func, initial] = bind::<3>(vm, &ACCUMULATE_SIG, &args[1..], kw)?;
    let it = vm.get_iter(iterable.unwrap_or(Value::None))?;
    let initial = match initial {
        None | Some(Value::None) => Value::Unbound,
        Some(v) => v,
    };
    Ok(alloc_native(
        vm,
        Accumulate {
            class,
            it,
            func: func.unwrap_or(Value::None),
            total: Value::Unbound,
            initial,
        },
    ))
}

fn accumulate_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let a = payload::<Accumulate>(vm, r);
    if !a.initial.is_unbound() {
        let v = a.initial;
        a.total = v;
        a.initial = Value::Unbound;
        return Ok(Some(v));
    }
    let (it, func) = (a.it, a.func);
    let Some(v) = next_of(vm, it)? else {
        return Ok(None);
    };
    let total = payload::<Accumulate>(vm, r).total;
    let new_total = if total.is_unbound() {
        v
    } else if func.is_none() {
        rooted(vm, &[total, v], |vm| vm.binary_op(total, v, BinaryOp::Add))?
    } else {
        call_rooted(vm, func, &[total, v])?
    };
    payload::<Accumulate>(vm, r).total = new_total;
    Ok(Some(new_total))
}

// ---- chain ------------------------------------------------------------------------

struct Chain {
    class: ObjRef,
    /// An iterator over the iterables, None when exhausted.
    source: Value,
    /// The iterator of the current iterable, or None.
    active: Value,
}

impl_native!(
    Chain,
    |s, f| {
        f(s.source);
        f(s.active);
    },
    next = chain_next
);

fn chain_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    if !kw.is_empty() {
        return Err(vm.type_error("chain() takes no keyword arguments"));
    }
    let t = vm.new_tuple(args[1..].to_vec());
    let source = vm.get_iter(t)?;
    Ok(alloc_native(
        vm,
        Chain {
            class,
            source,
            active: Value::None,
        },
    ))
}

fn chain_from_iterable(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    if !kw.is_empty() {
        return Err(vm.type_error("chain.from_iterable() takes no keyword arguments"));
    }
    if args.len() != 2 {
        let msg = format!(
            "chain.from_iterable() takes exactly one argument ({} given)",
            args.len() - 1
        );
        return Err(vm.type_error(msg));
    }
    let source = vm.get_iter(args[1])?;
    Ok(alloc_native(
        vm,
        Chain {
            class,
            source,
            active: Value::None,
        },
    ))
}

fn chain_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    loop {
        let c = payload::<Chain>(vm, r);
        let (source, active) = (c.source, c.active);
        if source.is_none() {
            return Ok(None);
        }
        if active.is_none() {
            let iterable = match next_of(vm, source) {
                Ok(Some(v)) => v,
                Ok(None) => {
                    payload::<Chain>(vm, r).source = Value::None;
                    return Ok(None);
                }
                Err(e) => {
                    payload::<Chain>(vm, r).source = Value::None;
                    return Err(e);
                }
            };
            match rooted(vm, &[iterable], |vm| vm.get_iter(iterable)) {
                Ok(it) => payload::<Chain>(vm, r).active = it,
                Err(e) => {
                    payload::<Chain>(vm, r).source = Value::None;
                    return Err(e);
                }
            }
            continue;
        }
        if let Some(v) = next_of(vm, active)? {
            return Ok(Some(v));
        }
        payload::<Chain>(vm, r).active = Value::None;
    }
}

// ---- compress -----------------------------------------------------------------------

struct Compress {
    class: ObjRef,
    data: Value,
    selectors: Value,
}

impl_native!(
    Compress,
    |s, f| {
        f(s.data);
        f(s.selectors);
    },
    next = compress_next
);

const COMPRESS_SIG: Sig = Sig {
    name: "compress",
    params: &["data", "selectors"],
    required: 2,
    max_pos: 2,
    pos_only: 0,
};

fn compress_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let [data, selectors] = bind::<2>(vm, &COMPRESS_SIG, &args[1..], kw)?;
    let data = vm.get_iter(data.unwrap_or(Value::None))?;
    let selectors = rooted(vm, &[data], |vm| {
        vm.get_iter(selectors.unwrap_or(Value::None))
    })?;
    Ok(alloc_native(
        vm,
        Compress {
            class,
            data,
            selectors,
        },
    ))
}

fn compress_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let c = payload::<Compress>(vm, r);
    let (data, selectors) = (c.data, c.selectors);
    loop {
        let Some(datum) = next_of(vm, data)? else {
            return Ok(None);
        };
        let keep = rooted(vm, &[datum], |vm| -> PyResult<Option<bool>> {
            match next_of(vm, selectors)? {
                Some(s) => vm.truthy(s).map(Some),
                None => Ok(None),
            }
        })?;
        match keep {
            None => return Ok(None),
            Some(true) => return Ok(Some(datum)),
            Some(false) => {}
        }
    }
}

// ---- dropwhile, takewhile, filterfalse ------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum PredKind {
    DropWhile,
    TakeWhile,
    FilterFalse,
}

/// The predicate-driven iterators: `done` means "dropping finished" for
/// dropwhile and "stopped" for takewhile.
struct Pred {
    class: ObjRef,
    kind: PredKind,
    func: Value,
    it: Value,
    done: bool,
}

impl_native!(
    Pred,
    |s, f| {
        f(s.func);
        f(s.it);
    },
    next = pred_next
);

fn pred_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], kind: PredKind) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let name = match kind {
        PredKind::DropWhile => "dropwhile",
        PredKind::TakeWhile => "takewhile",
        PredKind::FilterFalse => "filterfalse",
    };
    positional(vm, name, &args[1..], kw, 2, 2)?;
    let it = vm.get_iter(args[2])?;
    Ok(alloc_native(
        vm,
        Pred {
            class,
            kind,
            func: args[1],
            it,
            done: false,
        },
    ))
}

fn dropwhile_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    pred_new(vm, args, kw, PredKind::DropWhile)
}

fn takewhile_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    pred_new(vm, args, kw, PredKind::TakeWhile)
}

fn filterfalse_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    pred_new(vm, args, kw, PredKind::FilterFalse)
}

/// The truth of `func(item)` (of `item` itself for filterfalse(None, ...)).
fn test_item(vm: &mut Vm, kind: PredKind, func: Value, item: Value) -> PyResult<bool> {
    if kind == PredKind::FilterFalse && func.is_none() {
        return vm.truthy(item);
    }
    let r = call_rooted(vm, func, &[item])?;
    vm.truthy(r)
}

fn pred_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let p = payload::<Pred>(vm, r);
    let (kind, func, it, done) = (p.kind, p.func, p.it, p.done);
    match kind {
        PredKind::DropWhile => {
            if done {
                return next_of(vm, it);
            }
            loop {
                let Some(item) = next_of(vm, it)? else {
                    return Ok(None);
                };
                if !test_item(vm, kind, func, item)? {
                    payload::<Pred>(vm, r).done = true;
                    return Ok(Some(item));
                }
            }
        }
        PredKind::TakeWhile => {
            if done {
                return Ok(None);
            }
            let Some(item) = next_of(vm, it)? else {
                return Ok(None);
            };
            if test_item(vm, kind, func, item)? {
                return Ok(Some(item));
            }
            payload::<Pred>(vm, r).done = true;
            Ok(None)
        }
        PredKind::FilterFalse => loop {
            let Some(item) = next_of(vm, it)? else {
                return Ok(None);
            };
            if !test_item(vm, kind, func, item)? {
                return Ok(Some(item));
            }
        },
    }
}

// ---- islice -------------------------------------------------------------------------

struct ISlice {
    class: ObjRef,
    /// The source iterator, None once exhausted.
    it: Value,
    /// Index of the next item to produce.
    next: usize,
    stop: Option<usize>,
    step: usize,
    /// Items consumed from the source so far.
    cnt: usize,
}

impl_native!(ISlice, |s, f| { f(s.it) }, next = islice_next);

/// An islice bound: None for None, -1 for anything that is not an integer
/// in `0..=isize::MAX` (CPython's error sentinel, checked by the caller).
fn islice_bound(vm: &mut Vm, v: Value) -> Option<i64> {
    if v.is_none() {
        return None;
    }
    match v {
        Value::Int(i) => Some(i),
        Value::Bool(b) => Some(b as i64),
        Value::Obj(r) if matches!(vm.heap.get(r), Object::Instance(_)) => {
            Some(index_arg(vm, v).unwrap_or(-1))
        }
        _ => Some(-1),
    }
}

fn islice_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let args = &args[1..];
    if !kw.is_empty() {
        return Err(vm.type_error("islice() takes no keyword arguments"));
    }
    positional(vm, "islice", args, kw, 2, 4)?;
    const STOP_MSG: &str =
        "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.";
    let (mut start, mut stop, mut step) = (0i64, -1i64, 1i64);
    if args.len() == 2 {
        if let Some(s) = islice_bound(vm, args[1]) {
            if s == -1 {
                return Err(vm.value_error(STOP_MSG));
            }
            stop = s;
        }
    } else {
        if let Some(s) = islice_bound(vm, args[1]) {
            start = s;
        }
        if let Some(s) = islice_bound(vm, args[2]) {
            if s == -1 {
                return Err(vm.value_error(STOP_MSG));
            }
            stop = s;
        }
    }
    if start < 0 || stop < -1 {
        return Err(vm.value_error(
            "Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.",
        ));
    }
    if let Some(&a3) = args.get(3) {
        if let Some(s) = islice_bound(vm, a3) {
            step = s;
        }
    }
    if step < 1 {
        return Err(vm.value_error("Step for islice() must be a positive integer or None."));
    }
    let it = vm.get_iter(args[0])?;
    Ok(alloc_native(
        vm,
        ISlice {
            class,
            it,
            next: start as usize,
            stop: (stop >= 0).then_some(stop as usize),
            step: step as usize,
            cnt: 0,
        },
    ))
}

fn islice_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let s = payload::<ISlice>(vm, r);
    let (it, stop) = (s.it, s.stop);
    if it.is_none() {
        return Ok(None);
    }
    loop {
        let s = payload::<ISlice>(vm, r);
        if s.cnt >= s.next {
            break;
        }
        if next_of(vm, it)?.is_none() {
            payload::<ISlice>(vm, r).it = Value::None;
            return Ok(None);
        }
        payload::<ISlice>(vm, r).cnt += 1;
    }
    if stop.is_some_and(|stop| payload::<ISlice>(vm, r).cnt >= stop) {
        payload::<ISlice>(vm, r).it = Value::None;
        return Ok(None);
    }
    let Some(item) = next_of(vm, it)? else {
        payload::<ISlice>(vm, r).it = Value::None;
        return Ok(None);
    };
    let s = payload::<ISlice>(vm, r);
    s.cnt += 1;
    let old = s.next;
    s.next = s.next.saturating_add(s.step);
    if let Some(stop) = s.stop {
        if s.next < old || s.next > stop {
            s.next = stop;
        }
    }
    Ok(Some(item))
}

// ---- starmap ------------------------------------------------------------------------

struct StarMap {
    class: ObjRef,
    func: Value,
    it: Value,
}

impl_native!(
    StarMap,
    |s, f| {
        f(s.func);
        f(s.it);
    },
    next = starmap_next
);

fn starmap_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    positional(vm, "starmap", &args[1..], kw, 2, 2)?;
    let it = vm.get_iter(args[2])?;
    Ok(alloc_native(
        vm,
        StarMap {
            class,
            func: args[1],
            it,
        },
    ))
}

fn starmap_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let s = payload::<StarMap>(vm, r);
    let (func, it) = (s.func, s.it);
    let Some(item) = next_of(vm, it)? else {
        return Ok(None);
    };
    let call_args = rooted(vm, &[item], |vm| vm.collect_iterable(item))?;
    call_rooted(vm, func, &call_args).map(Some)
}

// ---- zip_longest ----------------------------------------------------------------------

struct ZipLongest {
    class: ObjRef,
    /// The inputs' iterators; None for an exhausted one.
    iters: Vec<Value>,
    active: usize,
    fill: Value,
}

impl_native!(
    ZipLongest,
    |s, f| {
        s.iters.iter().for_each(|&v| f(v));
        f(s.fill);
    },
    next = zip_longest_next
);

fn zip_longest_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let mut fill = Value::None;
    for &(k, v) in kw {
        if vm.str_of(k) != "fillvalue" || kw.len() > 1 {
            return Err(vm.type_error("zip_longest() got an unexpected keyword argument"));
        }
        fill = v;
    }
    let iters = collect_iters(vm, &args[1..])?;
    let active = iters.len();
    Ok(alloc_native(
        vm,
        ZipLongest {
            class,
            iters,
            active,
            fill,
        },
    ))
}

/// `iter(x)` for each argument, keeping the ones made so far rooted.
pub(super) fn collect_iters(vm: &mut Vm, args: &[Value]) -> PyResult<Vec<Value>> {
    let base = vm.temp_roots.len();
    let mut out = Vec::with_capacity(args.len());
    for &a in args {
        match vm.get_iter(a) {
            Ok(it) => {
                vm.temp_roots.push(it);
                out.push(it);
            }
            Err(e) => {
                vm.temp_roots.truncate(base);
                return Err(e);
            }
        }
    }
    vm.temp_roots.truncate(base);
    Ok(out)
}

fn zip_longest_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let z = payload::<ZipLongest>(vm, r);
    let n = z.iters.len();
    if n == 0 || z.active == 0 {
        return Ok(None);
    }
    let base = vm.temp_roots.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let z = payload::<ZipLongest>(vm, r);
        let (it, fill) = (z.iters[i], z.fill);
        let item = if it.is_none() {
            fill
        } else {
            match next_of(vm, it) {
                Ok(Some(v)) => v,
                Ok(None) => {
                    let z = payload::<ZipLongest>(vm, r);
                    z.active -= 1;
                    z.iters[i] = Value::None;
                    if z.active == 0 {
                        vm.temp_roots.truncate(base);
                        return Ok(None);
                    }
                    fill
                }
                Err(e) => {
                    vm.temp_roots.truncate(base);
                    return Err(e);
                }
            }
        };
        vm.temp_roots.push(item);
        out.push(item);
    }
    vm.temp_roots.truncate(base);
    Ok(Some(vm.new_tuple(out)))
}

// ---- pairwise -------------------------------------------------------------------------

struct Pairwise {
    class: ObjRef,
    /// The source iterator, None once exhausted.
    it: Value,
    /// The previous item, Unbound before the first.
    old: Value,
}

impl_native!(
    Pairwise,
    |s, f| {
        f(s.it);
        f(s.old);
    },
    next = pairwise_next
);

fn pairwise_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    positional(vm, "pairwise", &args[1..], kw, 1, 1)?;
    let it = vm.get_iter(args[1])?;
    Ok(alloc_native(
        vm,
        Pairwise {
            class,
            it,
            old: Value::Unbound,
        },
    ))
}

fn pairwise_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let p = payload::<Pairwise>(vm, r);
    let (it, mut old) = (p.it, p.old);
    if it.is_none() {
        return Ok(None);
    }
    if old.is_unbound() {
        match next_of(vm, it)? {
            Some(v) => {
                old = v;
                payload::<Pairwise>(vm, r).old = v;
            }
            None => {
                payload::<Pairwise>(vm, r).it = Value::None;
                return Ok(None);
            }
        }
    }
    let Some(new) = next_of(vm, it)? else {
        let p = payload::<Pairwise>(vm, r);
        p.it = Value::None;
        p.old = Value::Unbound;
        return Ok(None);
    };
    let pair = vm.new_tuple(vec![old, new]);
    payload::<Pairwise>(vm, r).old = new;
    Ok(Some(pair))
}

/// MemoryError for a result size no machine could hold.
pub(super) fn check_size(vm: &mut Vm, n: usize) -> PyResult<()> {
    if n > 1 << 28 {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    Ok(())
}
