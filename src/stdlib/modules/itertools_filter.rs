//! The filtering and reshaping iterators of `itertools`: compress,
//! dropwhile, takewhile, filterfalse, islice, starmap, zip_longest and
//! pairwise (the module table is in `itertools.rs`).
//!
//! As everywhere in itertools, each step follows CPython's C code, and a
//! value produced by an inner iterator is rooted across any call that can
//! run aspy code.

use super::itertools::{call_rooted, ctor_class, next_of};
use super::support::{
    alloc_native, bind, impl_native, index_arg, payload, positional, rooted, Sig,
};
use crate::vm::object::Object;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

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

pub(super) fn compress_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
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

pub(super) fn dropwhile_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    pred_new(vm, args, kw, PredKind::DropWhile)
}

pub(super) fn takewhile_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    pred_new(vm, args, kw, PredKind::TakeWhile)
}

pub(super) fn filterfalse_new(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
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

pub(super) fn islice_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
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

pub(super) fn starmap_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
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

pub(super) fn zip_longest_new(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
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
fn collect_iters(vm: &mut Vm, args: &[Value]) -> PyResult<Vec<Value>> {
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

pub(super) fn pairwise_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
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
