//! `itertools`: lazy iterator building blocks, all native. This file holds
//! the module table and the simple iterators (count, cycle, repeat,
//! accumulate, chain); `itertools_filter.rs` has the filtering and
//! reshaping ones, `itertools_group.rs` groupby and tee, and
//! `itertools_comb.rs` the combinatoric iterators.
//!
//! Every iterator is a native object whose step function follows CPython's
//! C implementation step by step, so laziness, exhaustion and the order in
//! which inputs are consumed match. A value taken out of an iterator's state
//! or freshly produced by an inner iterator is rooted across any call that
//! can run aspy code.

use super::itertools_comb as comb;
use super::itertools_filter as filter;
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
        ("compress", filter::compress_new),
        ("dropwhile", filter::dropwhile_new),
        ("takewhile", filter::takewhile_new),
        ("filterfalse", filter::filterfalse_new),
        ("islice", filter::islice_new),
        ("starmap", filter::starmap_new),
        ("zip_longest", filter::zip_longest_new),
        ("pairwise", filter::pairwise_new),
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

/// MemoryError for a result size no machine could hold.
pub(super) fn check_size(vm: &mut Vm, n: usize) -> PyResult<()> {
    if n > 1 << 28 {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    Ok(())
}
