//! `_collections`: the native part of `collections` (whose Python-level
//! layout is `stdlib/collections/__init__.aspy`). It holds `deque`, a double-ended
//! queue on a `VecDeque`, with optional `maxlen` (a bounded deque drops items
//! from the opposite end), and its forward and reverse iterators.
//!
//! Invariant: `Deque::state` changes whenever items are added, removed or
//! rotated (not on `d[i] = x` or `reverse()`, as in CPython); iterators and
//! scans that call back into aspy code (`count`, `index`, `remove`, `in`)
//! compare it to detect "deque mutated during iteration".

use super::collections_records as records;
use super::support::{
    add_getter, alloc_native, bind, impl_native, index_arg, new_iter_type, new_module, new_type,
    payload, positional, receiver, rooted, set_constructor, state_class, Sig,
};
use crate::bytecode::CompareOp;
use crate::stdlib::builtins::{add_method, check_args, set_class_attr};
use crate::vm::exceptions::ExcKind;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::collections::VecDeque;

/// A `collections.deque`.
pub struct Deque {
    class: ObjRef,
    items: VecDeque<Value>,
    maxlen: Option<usize>,
    state: u64,
}

impl_native!(
    Deque,
    |s, f| {
        s.items.iter().for_each(|&v| f(v));
    },
    len = |s| s.items.len()
);

/// An iterator over a deque, front to back or back to front.
struct DequeIter {
    class: ObjRef,
    deque: Value,
    /// Items already produced.
    index: usize,
    state: u64,
    reverse: bool,
}

impl_native!(DequeIter, |s, f| { f(s.deque) }, next = deque_iter_next);

const ITER_KEY: &str = "_collections._deque_iterator";
const REV_ITER_KEY: &str = "_collections._deque_reverse_iterator";

/// Creates the `_collections` module.
pub fn load(vm: &mut Vm) -> PyResult<Value> {
    let m = new_module(vm, "_collections")?;
    let cls = new_type(vm, "deque", "collections");
    set_constructor(vm, cls, deque_new);
    let methods: &[(&'static str, crate::vm::object::NativeFn)] = &[
        ("__init__", deque_init),
        ("append", append),
        ("appendleft", appendleft),
        ("pop", pop),
        ("popleft", popleft),
        ("extend", extend),
        ("extendleft", extendleft),
        ("rotate", rotate),
        ("clear", clear),
        ("copy", copy),
        ("__copy__", copy),
        ("count", count),
        ("index", index),
        ("insert", insert),
        ("remove", remove),
        ("reverse", reverse),
        ("__len__", len),
        ("__getitem__", getitem),
        ("__setitem__", setitem),
        ("__delitem__", delitem),
        ("__contains__", contains),
        ("__iter__", iter),
        ("__reversed__", reversed),
        ("__repr__", repr),
        ("__eq__", eq),
        ("__ne__", ne),
        ("__lt__", lt),
        ("__le__", le),
        ("__gt__", gt),
        ("__ge__", ge),
        ("__add__", add),
        ("__mul__", mul),
        ("__rmul__", mul),
        ("__iadd__", iadd),
        ("__imul__", imul),
    ];
    for &(name, f) in methods {
        add_method(vm, cls, name, f);
    }
    add_getter(vm, cls, "maxlen", maxlen);
    set_class_attr(vm, cls, "__hash__", Value::None);
    let it = new_iter_type(vm, "_deque_iterator", "_collections");
    let rit = new_iter_type(vm, "_deque_reverse_iterator", "_collections");
    vm.module_state.insert(ITER_KEY, Value::Obj(it));
    vm.module_state.insert(REV_ITER_KEY, Value::Obj(rit));
    super::support::add_value(vm, m, "deque", Value::Obj(cls))?;
    super::support::add_fn(vm, m, "_namedtuple_new", records::namedtuple_new_for)?;
    super::support::add_fn(vm, m, "_count_elements", records::count_elements)?;
    super::support::add_fn(vm, m, "_init_fields", records::init_fields)?;
    Ok(m)
}

// ---- helpers ----------------------------------------------------------------

fn this(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<ObjRef> {
    receiver::<Deque>(vm, args, method, "collections.deque")
}

fn dq(vm: &mut Vm, r: ObjRef) -> &mut Deque {
    payload::<Deque>(vm, r)
}

fn is_deque(vm: &Vm, v: Value) -> bool {
    vm.native_ref::<Deque>(v).is_some()
}

/// Arity check with CPython's method wording (`deque.pop() takes no
/// arguments`); the message is only built on failure.
fn method_args(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    n: usize,
) -> PyResult<()> {
    if kw.is_empty() && args.len() == n + 1 {
        return Ok(());
    }
    check_args(vm, &format!("deque.{name}"), &args[1..], kw, n, n)
}

impl Deque {
    /// Appends at the right end, dropping from the left when full.
    fn push_back(&mut self, v: Value) {
        if self.maxlen == Some(self.items.len()) {
            if self.items.is_empty() {
                return;
            }
            self.items.pop_front();
        }
        self.items.push_back(v);
        self.state = self.state.wrapping_add(1);
    }

    /// Appends at the left end, dropping from the right when full.
    fn push_front(&mut self, v: Value) {
        if self.maxlen == Some(self.items.len()) {
            if self.items.is_empty() {
                return;
            }
            self.items.pop_back();
        }
        self.items.push_front(v);
        self.state = self.state.wrapping_add(1);
    }

    fn touch(&mut self) {
        self.state = self.state.wrapping_add(1);
    }
}

/// A new empty deque of class `class`.
fn new_deque(vm: &mut Vm, class: ObjRef, maxlen: Option<usize>) -> Value {
    alloc_native(
        vm,
        Deque {
            class,
            items: VecDeque::new(),
            maxlen,
            state: 0,
        },
    )
}

/// A copy of the items (for scans that call back into aspy code).
fn snapshot(vm: &mut Vm, r: ObjRef) -> Vec<Value> {
    dq(vm, r).items.iter().copied().collect()
}

fn mutated(vm: &mut Vm) -> crate::vm::PyErr {
    vm.new_error(ExcKind::RuntimeError, "deque mutated during iteration")
}

/// A sequence index: `__index__` honoured, CPython's TypeError otherwise.
fn seq_index(vm: &mut Vm, key: Value, len: usize) -> PyResult<usize> {
    let is_int = matches!(key, Value::Int(_) | Value::Bool(_))
        || vm.lookup_special(key, "__index__").is_some();
    if !is_int {
        let msg = format!(
            "sequence index must be integer, not '{}'",
            vm.type_name(key)
        );
        return Err(vm.type_error(msg));
    }
    let i = index_arg(vm, key).unwrap_or(i64::MAX);
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(vm.new_error(ExcKind::IndexError, "deque index out of range"));
    }
    Ok(j as usize)
}

// ---- construction -------------------------------------------------------------

fn deque_new(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&Value::Obj(cls)) = args.first() else {
        return Err(vm.type_error("deque.__new__(X): X is not a type object"));
    };
    Ok(new_deque(vm, cls, None))
}

const INIT_SIG: Sig = Sig {
    name: "deque",
    params: &["iterable", "maxlen"],
    required: 0,
    max_pos: 2,
    pos_only: 0,
};

/// `deque.__init__(iterable=(), maxlen=None)`: (re)fills the deque.
fn deque_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "__init__")?;
    let [iterable, maxlen] = bind::<2>(vm, &INIT_SIG, &args[1..], kw)?;
    let maxlen = match maxlen {
        None | Some(Value::None) => None,
        Some(v @ (Value::Int(_) | Value::Bool(_))) => {
            let n = index_arg(vm, v)?;
            if n < 0 {
                return Err(vm.value_error("maxlen must be non-negative"));
            }
            Some(n as usize)
        }
        Some(_) => return Err(vm.type_error("an integer is required")),
    };
    let items = match iterable {
        Some(it) => vm.collect_iterable(it)?,
        None => Vec::new(),
    };
    let d = dq(vm, r);
    d.maxlen = maxlen;
    d.items.clear();
    d.touch();
    for v in items {
        d.push_back(v);
    }
    Ok(Value::None)
}

fn maxlen(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "maxlen")?;
    Ok(match dq(vm, r).maxlen {
        Some(n) => Value::Int(n as i64),
        None => Value::None,
    })
}

// ---- adding and removing ----------------------------------------------------------

fn append(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "append")?;
    method_args(vm, "append", args, kw, 1)?;
    dq(vm, r).push_back(args[1]);
    Ok(Value::None)
}

fn appendleft(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "appendleft")?;
    method_args(vm, "appendleft", args, kw, 1)?;
    dq(vm, r).push_front(args[1]);
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "pop")?;
    method_args(vm, "pop", args, kw, 0)?;
    let d = dq(vm, r);
    match d.items.pop_back() {
        Some(v) => {
            d.touch();
            Ok(v)
        }
        None => Err(vm.new_error(ExcKind::IndexError, "pop from an empty deque")),
    }
}

fn popleft(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "popleft")?;
    method_args(vm, "popleft", args, kw, 0)?;
    let d = dq(vm, r);
    match d.items.pop_front() {
        Some(v) => {
            d.touch();
            Ok(v)
        }
        None => Err(vm.new_error(ExcKind::IndexError, "pop from an empty deque")),
    }
}

fn extend(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "extend")?;
    method_args(vm, "extend", args, kw, 1)?;
    let items = vm.collect_iterable(args[1])?;
    let d = dq(vm, r);
    for v in items {
        d.push_back(v);
    }
    Ok(Value::None)
}

fn extendleft(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "extendleft")?;
    method_args(vm, "extendleft", args, kw, 1)?;
    let items = vm.collect_iterable(args[1])?;
    let d = dq(vm, r);
    for v in items {
        d.push_front(v);
    }
    Ok(Value::None)
}

fn rotate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "rotate")?;
    positional(vm, "deque.rotate", &args[1..], kw, 0, 1)?;
    let n = match args.get(1) {
        Some(&v) => index_arg(vm, v)?,
        None => 1,
    };
    let d = dq(vm, r);
    let len = d.items.len() as i64;
    if len > 1 {
        let k = n.rem_euclid(len) as usize;
        d.items.rotate_right(k);
    }
    d.touch();
    Ok(Value::None)
}

fn clear(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "clear")?;
    method_args(vm, "clear", args, kw, 0)?;
    let d = dq(vm, r);
    d.items.clear();
    d.touch();
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "copy")?;
    method_args(vm, "copy", args, kw, 0)?;
    let d = dq(vm, r);
    let (class, maxlen, items) = (d.class, d.maxlen, d.items.clone());
    let out = new_deque(vm, class, maxlen);
    if let Value::Obj(o) = out {
        dq(vm, o).items = items;
    }
    Ok(out)
}

fn insert(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "insert")?;
    positional(vm, "insert", &args[1..], kw, 2, 2)?;
    let i = index_arg(vm, args[1])?;
    let d = dq(vm, r);
    let len = d.items.len();
    if d.maxlen == Some(len) {
        return Err(vm.new_error(ExcKind::IndexError, "deque already at its maximum size"));
    }
    let pos = if i < 0 {
        (i + len as i64).max(0) as usize
    } else {
        (i as usize).min(len)
    };
    d.items.insert(pos, args[2]);
    d.touch();
    Ok(Value::None)
}

fn reverse(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "reverse")?;
    method_args(vm, "reverse", args, kw, 0)?;
    dq(vm, r).items.make_contiguous().reverse();
    Ok(Value::None)
}

// ---- searching ----------------------------------------------------------------

/// Position of the first item equal to `x` in `[start, stop)`, checking for
/// mutation after each comparison (which may run aspy code).
fn find(vm: &mut Vm, r: ObjRef, x: Value, start: usize, stop: usize) -> PyResult<Option<usize>> {
    let state = dq(vm, r).state;
    for i in start..stop {
        let item = match dq(vm, r).items.get(i) {
            Some(&v) => v,
            None => return Ok(None),
        };
        let same = item.is(x) || rooted(vm, &[item], |vm| vm.eq(item, x))?;
        if dq(vm, r).state != state {
            return Err(mutated(vm));
        }
        if same {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn count(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "count")?;
    method_args(vm, "count", args, kw, 1)?;
    let items = snapshot(vm, r);
    let state = dq(vm, r).state;
    let x = args[1];
    let n = rooted(vm, &items, |vm| -> PyResult<i64> {
        let mut n = 0;
        for &item in &items {
            if item.is(x) || vm.eq(item, x)? {
                n += 1;
            }
            if dq(vm, r).state != state {
                return Err(mutated(vm));
            }
        }
        Ok(n)
    })?;
    Ok(Value::Int(n))
}

/// A `start`/`stop` bound of `index`, clamped into `0..=len`.
fn clamp_bound(vm: &mut Vm, v: Option<&Value>, default: usize, len: usize) -> PyResult<usize> {
    let Some(&v) = v else { return Ok(default) };
    let i = index_arg(vm, v)?;
    Ok(if i < 0 {
        (i + len as i64).max(0) as usize
    } else {
        (i as usize).min(len)
    })
}

fn index(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "index")?;
    positional(vm, "index", &args[1..], kw, 1, 3)?;
    let len = dq(vm, r).items.len();
    let start = clamp_bound(vm, args.get(2), 0, len)?;
    let stop = clamp_bound(vm, args.get(3), len, len)?;
    match find(vm, r, args[1], start, stop)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => {
            let msg = format!("{} is not in deque", vm.repr_value(args[1])?);
            Err(vm.value_error(msg))
        }
    }
}

fn remove(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "remove")?;
    method_args(vm, "remove", args, kw, 1)?;
    let len = dq(vm, r).items.len();
    let found = match find(vm, r, args[1], 0, len) {
        Ok(f) => f,
        Err(e) if vm.exc_matches(e.0, ExcKind::RuntimeError) => {
            return Err(vm.new_error(ExcKind::IndexError, "deque mutated during iteration"))
        }
        Err(e) => return Err(e),
    };
    match found {
        Some(i) => {
            let d = dq(vm, r);
            d.items.remove(i);
            d.touch();
            Ok(Value::None)
        }
        None => {
            let msg = format!("{} is not in deque", vm.repr_value(args[1])?);
            Err(vm.value_error(msg))
        }
    }
}

fn contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "__contains__")?;
    method_args(vm, "__contains__", args, kw, 1)?;
    let len = dq(vm, r).items.len();
    Ok(Value::Bool(find(vm, r, args[1], 0, len)?.is_some()))
}

// ---- sequence protocol ------------------------------------------------------------

fn len(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "__len__")?;
    Ok(Value::Int(dq(vm, r).items.len() as i64))
}

fn getitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "__getitem__")?;
    method_args(vm, "__getitem__", args, kw, 1)?;
    let len = dq(vm, r).items.len();
    let i = seq_index(vm, args[1], len)?;
    Ok(dq(vm, r).items[i])
}

fn setitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "__setitem__")?;
    method_args(vm, "__setitem__", args, kw, 2)?;
    let len = dq(vm, r).items.len();
    let i = seq_index(vm, args[1], len)?;
    dq(vm, r).items[i] = args[2];
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "__delitem__")?;
    method_args(vm, "__delitem__", args, kw, 1)?;
    let len = dq(vm, r).items.len();
    let i = seq_index(vm, args[1], len)?;
    let d = dq(vm, r);
    d.items.remove(i);
    d.touch();
    Ok(Value::None)
}

fn new_iter(vm: &mut Vm, args: &[Value], reverse: bool) -> PyResult<Value> {
    let r = this(vm, args, if reverse { "__reversed__" } else { "__iter__" })?;
    let class = state_class(vm, if reverse { REV_ITER_KEY } else { ITER_KEY });
    let state = dq(vm, r).state;
    Ok(alloc_native(
        vm,
        DequeIter {
            class,
            deque: args[0],
            index: 0,
            state,
            reverse,
        },
    ))
}

fn iter(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    new_iter(vm, args, false)
}

fn reversed(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    new_iter(vm, args, true)
}

fn deque_iter_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let it = payload::<DequeIter>(vm, r);
    let (d, index, state, reverse) = (it.deque, it.index, it.state, it.reverse);
    let Value::Obj(dr) = d else { return Ok(None) };
    let deque = dq(vm, dr);
    if deque.state != state {
        return Err(mutated(vm));
    }
    let len = deque.items.len();
    if index >= len {
        return Ok(None);
    }
    let v = deque.items[if reverse { len - 1 - index } else { index }];
    payload::<DequeIter>(vm, r).index = index + 1;
    Ok(Some(v))
}

// ---- repr, comparison, arithmetic ---------------------------------------------------

fn repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "__repr__")?;
    let me = args[0];
    if vm.repr_guard.iter().any(|g| g.is(me)) {
        return Ok(vm.new_str("[...]"));
    }
    let items = snapshot(vm, r);
    let (class, maxlen) = {
        let d = dq(vm, r);
        (d.class, d.maxlen)
    };
    vm.repr_guard.push(me);
    let body = rooted(vm, &items, |vm| -> PyResult<String> {
        let mut s = String::from("[");
        for (i, &v) in items.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&vm.repr_value(v)?);
        }
        s.push(']');
        Ok(s)
    });
    vm.repr_guard.pop();
    let body = body?;
    let name = vm.class_name(class).to_string();
    let text = match maxlen {
        Some(n) => format!("{name}({body}, maxlen={n})"),
        None => format!("{name}({body})"),
    };
    Ok(vm.new_str(text))
}

/// Rich comparison of two deques, lexicographic like lists.
fn compare(vm: &mut Vm, args: &[Value], op: CompareOp) -> PyResult<Value> {
    let r = this(vm, args, "__eq__")?;
    let other = match args.get(1) {
        Some(&o) if is_deque(vm, o) => o,
        _ => return Ok(Value::NotImplemented),
    };
    let Value::Obj(or) = other else {
        return Ok(Value::NotImplemented);
    };
    let a = snapshot(vm, r);
    let b = snapshot(vm, or);
    if matches!(op, CompareOp::Eq | CompareOp::Ne) && a.len() != b.len() {
        return Ok(Value::Bool(op == CompareOp::Ne));
    }
    let mut roots = a.clone();
    roots.extend_from_slice(&b);
    rooted(vm, &roots, |vm| {
        for (&x, &y) in a.iter().zip(&b) {
            if x.is(y) || vm.eq(x, y)? {
                continue;
            }
            return match op {
                CompareOp::Eq => Ok(Value::Bool(false)),
                CompareOp::Ne => Ok(Value::Bool(true)),
                _ => vm.compare_op(x, y, op),
            };
        }
        let ord = a.len().cmp(&b.len());
        use std::cmp::Ordering::*;
        Ok(Value::Bool(match op {
            CompareOp::Eq => ord == Equal,
            CompareOp::Ne => ord != Equal,
            CompareOp::Lt => ord == Less,
            CompareOp::Le => ord != Greater,
            CompareOp::Gt => ord == Greater,
            _ => ord != Less,
        }))
    })
}

fn eq(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Eq)
}

fn ne(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Ne)
}

fn lt(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Lt)
}

fn le(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Le)
}

fn gt(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Gt)
}

fn ge(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    compare(vm, args, CompareOp::Ge)
}

fn add(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    this(vm, args, "__add__")?;
    method_args(vm, "__add__", args, kw, 1)?;
    let other = args[1];
    let Some(tail) = vm.native_ref::<Deque>(other).map(|d| d.items.clone()) else {
        let msg = format!(
            "can only concatenate deque (not \"{}\") to deque",
            vm.type_name(other)
        );
        return Err(vm.type_error(msg));
    };
    let out = copy(vm, &args[..1], &[])?;
    if let Value::Obj(o) = out {
        let d = dq(vm, o);
        for v in tail {
            d.push_back(v);
        }
    }
    Ok(out)
}

/// Repeats the items of deque `r` in place `n` times in all.
fn repeat_in_place(vm: &mut Vm, r: ObjRef, n: Value) -> PyResult<()> {
    let n = index_arg(vm, n)?;
    let d = dq(vm, r);
    if n <= 0 {
        d.items.clear();
        d.touch();
        return Ok(());
    }
    let base: Vec<Value> = d.items.iter().copied().collect();
    let limit = d.maxlen.unwrap_or(usize::MAX);
    // Only the last `maxlen` items survive, so a bounded deque never needs
    // more than that many rounds.
    let total = base.len().saturating_mul(n as usize);
    if d.maxlen.is_none() && total > 1 << 32 {
        return Err(vm.new_error(ExcKind::MemoryError, ""));
    }
    let rounds = if base.is_empty() {
        0
    } else {
        (n as usize - 1).min((limit / base.len()).saturating_add(1))
    };
    for _ in 0..rounds {
        for &v in &base {
            d.push_back(v);
        }
    }
    Ok(())
}

fn mul(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    this(vm, args, "__mul__")?;
    method_args(vm, "__mul__", args, kw, 1)?;
    if index_arg(vm, args[1]).is_err() {
        return Ok(Value::NotImplemented);
    }
    let out = copy(vm, &args[..1], &[])?;
    if let Value::Obj(o) = out {
        repeat_in_place(vm, o, args[1])?;
    }
    Ok(out)
}

fn iadd(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    extend(vm, args, kw)?;
    Ok(args[0])
}

fn imul(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this(vm, args, "__imul__")?;
    method_args(vm, "__imul__", args, kw, 1)?;
    repeat_in_place(vm, r, args[1])?;
    Ok(args[0])
}
