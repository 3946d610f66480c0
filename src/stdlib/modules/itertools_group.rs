//! `itertools.groupby` (with its `_grouper` sub-iterators) and
//! `itertools.tee` (with `_tee` iterators sharing `_tee_dataobject` links).
//!
//! groupby follows CPython 3.11: a grouper only yields while it is its
//! parent's current grouper; advancing the parent invalidates it.
//!
//! tee buffers the source's items in a chain of links of `LINK_CELLS`
//! items. Each `_tee` holds the link it reads and its index there; a link no
//! `_tee` can reach any more is collected, so memory is bounded by the
//! distance between the fastest and the slowest copy.

use super::itertools::{call_rooted, ctor_class, next_of};
use super::support::{
    alloc_native, bind, impl_native, index_arg, payload, positional, rooted, state_class, Sig,
};
use crate::vm::exceptions::ExcKind;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

pub(super) const GROUPER_KEY: &str = "itertools._grouper";
pub(super) const TEE_KEY: &str = "itertools._tee";
pub(super) const TEE_DATA_KEY: &str = "itertools._tee_dataobject";

// ---- groupby ----------------------------------------------------------------------

/// Unbound stands for CPython's NULL in the key and value slots.
struct GroupBy {
    class: ObjRef,
    it: Value,
    keyfunc: Value,
    tgtkey: Value,
    currkey: Value,
    currvalue: Value,
    currgrouper: Value,
}

impl_native!(
    GroupBy,
    |s, f| {
        f(s.it);
        f(s.keyfunc);
        f(s.tgtkey);
        f(s.currkey);
        f(s.currvalue);
        f(s.currgrouper);
    },
    next = groupby_next
);

struct Grouper {
    class: ObjRef,
    parent: Value,
    tgtkey: Value,
}

impl_native!(
    Grouper,
    |s, f| {
        f(s.parent);
        f(s.tgtkey);
    },
    next = grouper_next
);

const GROUPBY_SIG: Sig = Sig {
    name: "groupby",
    params: &["iterable", "key"],
    required: 1,
    max_pos: 2,
    pos_only: 0,
};

pub(super) fn groupby_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let [iterable, key] = bind::<2>(vm, &GROUPBY_SIG, &args[1..], kw)?;
    let it = vm.get_iter(iterable.unwrap_or(Value::None))?;
    Ok(alloc_native(
        vm,
        GroupBy {
            class,
            it,
            keyfunc: key.unwrap_or(Value::None),
            tgtkey: Value::Unbound,
            currkey: Value::Unbound,
            currvalue: Value::Unbound,
            currgrouper: Value::None,
        },
    ))
}

pub(super) fn grouper_new(vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Err(vm.type_error("cannot create 'itertools._grouper' instances"))
}

/// Reads the next item and its key into the parent; false when exhausted.
fn groupby_step(vm: &mut Vm, r: ObjRef) -> PyResult<bool> {
    let g = payload::<GroupBy>(vm, r);
    let (it, keyfunc) = (g.it, g.keyfunc);
    let Some(v) = next_of(vm, it)? else {
        return Ok(false);
    };
    let key = if keyfunc.is_none() {
        v
    } else {
        call_rooted(vm, keyfunc, &[v])?
    };
    let g = payload::<GroupBy>(vm, r);
    g.currvalue = v;
    g.currkey = key;
    Ok(true)
}

fn keys_equal(vm: &mut Vm, a: Value, b: Value) -> PyResult<bool> {
    if a.is(b) {
        return Ok(true);
    }
    rooted(vm, &[a, b], |vm| vm.eq(a, b))
}

fn groupby_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    payload::<GroupBy>(vm, r).currgrouper = Value::None;
    // Skip what is left of the current group.
    loop {
        let g = payload::<GroupBy>(vm, r);
        let (currkey, tgtkey) = (g.currkey, g.tgtkey);
        if !currkey.is_unbound() && (tgtkey.is_unbound() || !keys_equal(vm, tgtkey, currkey)?) {
            break;
        }
        if !groupby_step(vm, r)? {
            return Ok(None);
        }
    }
    let class = state_class(vm, GROUPER_KEY);
    let g = payload::<GroupBy>(vm, r);
    let key = g.currkey;
    g.tgtkey = key;
    let grouper = alloc_native(
        vm,
        Grouper {
            class,
            parent: Value::Obj(r),
            tgtkey: key,
        },
    );
    payload::<GroupBy>(vm, r).currgrouper = grouper;
    Ok(Some(vm.new_tuple(vec![key, grouper])))
}

fn grouper_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let gr = payload::<Grouper>(vm, r);
    let (parent, tgtkey) = (gr.parent, gr.tgtkey);
    let Value::Obj(pr) = parent else {
        return Ok(None);
    };
    let g = payload::<GroupBy>(vm, pr);
    if !g.currgrouper.is(Value::Obj(r)) {
        return Ok(None);
    }
    if g.currvalue.is_unbound() && !groupby_step(vm, pr)? {
        return Ok(None);
    }
    let currkey = payload::<GroupBy>(vm, pr).currkey;
    if !keys_equal(vm, tgtkey, currkey)? {
        return Ok(None);
    }
    let g = payload::<GroupBy>(vm, pr);
    let v = g.currvalue;
    g.currvalue = Value::Unbound;
    Ok(Some(v))
}

// ---- tee ----------------------------------------------------------------------------

/// Items buffered per link.
const LINK_CELLS: usize = 57;

/// One link of a tee buffer: up to `LINK_CELLS` items read from the shared
/// source iterator, then the next link (None until needed).
struct TeeData {
    class: ObjRef,
    it: Value,
    values: Vec<Value>,
    next: Value,
    /// Set while reading from the source, to refuse re-entrant reads.
    running: bool,
}

impl_native!(TeeData, |s, f| {
    f(s.it);
    s.values.iter().for_each(|&v| f(v));
    f(s.next);
});

/// One of the iterators `tee()` returns.
struct Tee {
    class: ObjRef,
    data: Value,
    index: usize,
}

impl_native!(Tee, |s, f| { f(s.data) }, next = tee_next);

pub(super) fn tee_data_new(
    vm: &mut Vm,
    _args: &[Value],
    _kw: &[(Value, Value)],
) -> PyResult<Value> {
    Err(vm.type_error("cannot create 'itertools._tee_dataobject' instances"))
}

fn new_link(vm: &mut Vm, it: Value) -> Value {
    let class = state_class(vm, TEE_DATA_KEY);
    alloc_native(
        vm,
        TeeData {
            class,
            it,
            values: Vec::new(),
            next: Value::None,
            running: false,
        },
    )
}

/// A `_tee` reading a fresh buffer over the iterator `it`.
fn tee_from_iter(vm: &mut Vm, class: ObjRef, it: Value) -> Value {
    let data = rooted(vm, &[it], |vm| new_link(vm, it));
    rooted(vm, &[data], |vm| {
        alloc_native(
            vm,
            Tee {
                class,
                data,
                index: 0,
            },
        )
    })
}

/// `itertools._tee(iterable)`.
pub(super) fn tee_object_new(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    positional(vm, "_tee", &args[1..], kw, 1, 1)?;
    let it = vm.get_iter(args[1])?;
    if let Some(t) = vm.native_ref::<Tee>(it) {
        let (data, index) = (t.data, t.index);
        return Ok(alloc_native(vm, Tee { class, data, index }));
    }
    Ok(tee_from_iter(vm, class, it))
}

fn link_ref(v: Value) -> ObjRef {
    match v {
        Value::Obj(r) => r,
        _ => unreachable!("a tee always has a data link"),
    }
}

fn tee_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let t = payload::<Tee>(vm, r);
    let (mut data, mut index) = (t.data, t.index);
    if index >= LINK_CELLS {
        let link = payload::<TeeData>(vm, link_ref(data));
        let (next, it) = (link.next, link.it);
        let next = if next.is_none() {
            let n = new_link(vm, it);
            payload::<TeeData>(vm, link_ref(data)).next = n;
            n
        } else {
            next
        };
        let t = payload::<Tee>(vm, r);
        t.data = next;
        t.index = 0;
        data = next;
        index = 0;
    }
    let link = payload::<TeeData>(vm, link_ref(data));
    if let Some(&v) = link.values.get(index) {
        payload::<Tee>(vm, r).index = index + 1;
        return Ok(Some(v));
    }
    if link.running {
        return Err(vm.new_error(ExcKind::RuntimeError, "cannot re-enter the tee iterator"));
    }
    link.running = true;
    let it = link.it;
    let item = next_of(vm, it);
    payload::<TeeData>(vm, link_ref(data)).running = false;
    let Some(v) = item? else {
        return Ok(None);
    };
    payload::<TeeData>(vm, link_ref(data)).values.push(v);
    payload::<Tee>(vm, r).index = index + 1;
    Ok(Some(v))
}

/// `_tee.__copy__()`: a new iterator at the same position.
pub(super) fn tee_copy(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(t) = args.first().and_then(|&v| vm.native_ref::<Tee>(v)) else {
        return Err(vm.type_error("__copy__ needs an itertools._tee object"));
    };
    let (class, data, index) = (t.class, t.data, t.index);
    Ok(alloc_native(vm, Tee { class, data, index }))
}

/// `itertools.tee(iterable, n=2)`.
pub(super) fn tee(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if !kw.is_empty() {
        return Err(vm.type_error("itertools.tee() takes no keyword arguments"));
    }
    positional(vm, "tee", args, kw, 1, 2)?;
    let n = match args.get(1) {
        Some(&v) => index_arg(vm, v)?,
        None => 2,
    };
    if n < 0 {
        return Err(vm.value_error("n must be >= 0"));
    }
    if n == 0 {
        return Ok(vm.new_tuple(Vec::new()));
    }
    super::itertools::check_size(vm, n as usize)?;
    let it = vm.get_iter(args[0])?;
    let first = if vm.native_ref::<Tee>(it).is_some() {
        it
    } else {
        let class = state_class(vm, TEE_KEY);
        tee_from_iter(vm, class, it)
    };
    let Some(t) = vm.native_ref::<Tee>(first) else {
        unreachable!("tee() always starts from a _tee")
    };
    let (class, data, index) = (t.class, t.data, t.index);
    let mut out = vec![first];
    let base = vm.temp_roots.len();
    vm.temp_roots.push(first);
    for _ in 1..n {
        let copy = alloc_native(vm, Tee { class, data, index });
        vm.temp_roots.push(copy);
        out.push(copy);
    }
    vm.temp_roots.truncate(base);
    Ok(vm.new_tuple(out))
}
