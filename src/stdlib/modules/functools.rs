//! `_functools`: the native part of `functools` (whose Python-level API is
//! `stdlib/functools.aspy`): `partial`, `reduce`, `cmp_to_key` and the
//! cache behind `lru_cache`.
//!
//! The `lru_cache` wrapper itself is an aspy function made by
//! functools.aspy (so it binds as a method and takes `update_wrapper`
//! attributes like any function); each call goes to [`LruCache`]'s `call`,
//! which builds the key as CPython's `_make_key` does and keeps the entries
//! in an insertion-ordered dict, least recently used first.

use super::support::{
    add_getter, add_value, alloc_native, impl_native, new_module, new_type, payload, positional,
    receiver, rooted, set_constructor, state_class,
};
use crate::bytecode::CompareOp;
use crate::stdlib::builtins::{add_method, native, set_class_attr};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Object, Payload};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

const KEY_WRAPPER_KEY: &str = "functools.KeyWrapper";
const KWD_MARK_KEY: &str = "functools._kwd_mark";

/// Creates the `_functools` module.
pub fn load(vm: &mut Vm) -> PyResult<Value> {
    let m = new_module(vm, "_functools")?;
    let partial = new_type(vm, "partial", "functools");
    set_constructor(vm, partial, partial_new);
    add_method(vm, partial, "__call__", partial_call);
    add_method(vm, partial, "__repr__", partial_repr);
    add_getter(vm, partial, "func", partial_func);
    add_getter(vm, partial, "args", partial_args);
    add_getter(vm, partial, "keywords", partial_keywords);
    add_value(vm, m, "partial", Value::Obj(partial))?;

    let key = new_type(vm, "KeyWrapper", "functools");
    add_method(vm, key, "__call__", key_call);
    add_getter(vm, key, "obj", key_obj);
    let cmps: [(&'static str, crate::vm::object::NativeFn); 6] = [
        ("__lt__", key_lt),
        ("__le__", key_le),
        ("__eq__", key_eq),
        ("__ne__", key_ne),
        ("__gt__", key_gt),
        ("__ge__", key_ge),
    ];
    for (name, f) in cmps {
        add_method(vm, key, name, f);
    }
    set_class_attr(vm, key, "__hash__", Value::None);
    vm.module_state.insert(KEY_WRAPPER_KEY, Value::Obj(key));

    let lru = new_type(vm, "_LruCache", "functools");
    set_constructor(vm, lru, lru_new);
    add_method(vm, lru, "call", lru_call);
    add_method(vm, lru, "info", lru_info);
    add_method(vm, lru, "clear", lru_clear);
    add_value(vm, m, "_LruCache", Value::Obj(lru))?;

    // The marker between positional and keyword parts of a cache key.
    let object = vm.types.object;
    let mark = vm.alloc(Object::Instance(crate::vm::object::Instance {
        class: object,
        attrs: Default::default(),
        payload: Payload::None,
    }));
    vm.module_state.insert(KWD_MARK_KEY, mark);

    let f = native(vm, "reduce", reduce);
    add_value(vm, m, "reduce", f)?;
    let f = native(vm, "cmp_to_key", cmp_to_key);
    add_value(vm, m, "cmp_to_key", f)?;
    Ok(m)
}

fn is_callable(vm: &mut Vm, v: Value) -> bool {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Function(_)
            | Object::Builtin(_)
            | Object::BoundMethod(_)
            | Object::Class(_) => true,
            _ => vm.lookup_special(v, "__call__").is_some(),
        },
        _ => false,
    }
}

/// The (key, value) pairs of a dict.
fn dict_pairs(vm: &Vm, d: Value) -> Vec<(Value, Value)> {
    match d {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Dict(t) => t.iter().map(|e| (e.key, e.value)).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

// ---- partial ------------------------------------------------------------------------

/// `functools.partial(func, *args, **keywords)`.
struct Partial {
    class: ObjRef,
    func: Value,
    /// A tuple.
    args: Value,
    /// A dict.
    keywords: Value,
}

impl_native!(Partial, |s, f| {
    f(s.func);
    f(s.args);
    f(s.keywords);
});

fn partial_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&Value::Obj(class)) = args.first() else {
        return Err(vm.type_error("partial.__new__(X): X is not a type object"));
    };
    let Some(&func) = args.get(1) else {
        return Err(vm.type_error("type 'partial' takes at least one argument"));
    };
    if !is_callable(vm, func) {
        return Err(vm.type_error("the first argument must be callable"));
    }
    // A partial of a partial is flattened into one.
    let (func, mut all, inner_kw) = match vm.native_ref::<Partial>(func) {
        Some(p) => {
            let inner = vm.seq_items(p.args).map(|s| s.to_vec()).unwrap_or_default();
            (p.func, inner, dict_pairs(vm, p.keywords))
        }
        None => (func, Vec::new(), Vec::new()),
    };
    all.extend_from_slice(&args[2..]);
    let t = vm.new_tuple(all);
    vm.temp_roots.push(t);
    let d = vm.new_dict();
    vm.temp_roots.push(d);
    let mut r = Ok(());
    for &(k, v) in inner_kw.iter().chain(kw) {
        r = r.and_then(|_| vm.dict_set(d, k, v));
    }
    vm.temp_roots.truncate(vm.temp_roots.len() - 2);
    r?;
    Ok(alloc_native(
        vm,
        Partial {
            class,
            func,
            args: t,
            keywords: d,
        },
    ))
}

fn this_partial(vm: &mut Vm, args: &[Value]) -> PyResult<ObjRef> {
    receiver::<Partial>(vm, args, "__call__", "functools.partial")
}

fn partial_call(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this_partial(vm, args)?;
    let p = payload::<Partial>(vm, r);
    let (func, pargs, pkw) = (p.func, p.args, p.keywords);
    let mut all = vm.seq_items(pargs).map(|s| s.to_vec()).unwrap_or_default();
    all.extend_from_slice(&args[1..]);
    let mut kws = dict_pairs(vm, pkw);
    for &(k, v) in kw {
        match kws.iter_mut().find(|(pk, _)| vm.values_eq_str(*pk, k)) {
            Some(slot) => slot.1 = v,
            None => kws.push((k, v)),
        }
    }
    vm.call(func, &all, &kws)
}

fn partial_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = receiver::<Partial>(vm, args, "__repr__", "functools.partial")?;
    let me = args[0];
    let cls = vm.class_of(me);
    let (module, qual) = match vm.heap.get(cls) {
        Object::Class(c) => (
            vm.str_of(c.module).to_string(),
            vm.str_of(c.qualname).to_string(),
        ),
        _ => (String::new(), String::new()),
    };
    if vm.repr_guard.iter().any(|g| g.is(me)) {
        return Ok(vm.new_str("..."));
    }
    let p = payload::<Partial>(vm, r);
    let (func, pargs, pkw) = (p.func, p.args, p.keywords);
    vm.repr_guard.push(me);
    let body = (|| -> PyResult<String> {
        let mut s = vm.repr_value(func)?;
        let items = vm.seq_items(pargs).map(|s| s.to_vec()).unwrap_or_default();
        for v in items {
            s.push_str(", ");
            s.push_str(&vm.repr_value(v)?);
        }
        for (k, v) in dict_pairs(vm, pkw) {
            s.push_str(", ");
            s.push_str(&vm.str_value(k)?);
            s.push('=');
            s.push_str(&vm.repr_value(v)?);
        }
        Ok(s)
    })();
    vm.repr_guard.pop();
    let text = format!("{module}.{qual}({})", body?);
    Ok(vm.new_str(text))
}

fn partial_func(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = receiver::<Partial>(vm, args, "func", "functools.partial")?;
    Ok(payload::<Partial>(vm, r).func)
}

fn partial_args(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = receiver::<Partial>(vm, args, "args", "functools.partial")?;
    Ok(payload::<Partial>(vm, r).args)
}

fn partial_keywords(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = receiver::<Partial>(vm, args, "keywords", "functools.partial")?;
    Ok(payload::<Partial>(vm, r).keywords)
}

// ---- reduce ---------------------------------------------------------------------------

/// `reduce(function, iterable[, initial])`.
fn reduce(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "reduce", args, kw, 2, 3)?;
    let func = args[0];
    let it = match vm.get_iter(args[1]) {
        Ok(it) => it,
        Err(e) if vm.exc_matches(e.0, ExcKind::TypeError) => {
            return Err(vm.type_error("reduce() arg 2 must support iteration"))
        }
        Err(e) => return Err(e),
    };
    let base = vm.temp_roots.len();
    vm.temp_roots.push(it);
    let acc_slot = vm.temp_roots.len();
    vm.temp_roots
        .push(args.get(2).copied().unwrap_or(Value::Unbound));
    let r = (|| -> PyResult<Value> {
        while let Some(item) = vm.iter_next(it)? {
            let acc = vm.temp_roots[acc_slot];
            let next = if acc.is_unbound() {
                item
            } else {
                rooted(vm, &[item], |vm| vm.call(func, &[acc, item], &[]))?
            };
            vm.temp_roots[acc_slot] = next;
        }
        let acc = vm.temp_roots[acc_slot];
        if acc.is_unbound() {
            return Err(vm.type_error("reduce() of empty iterable with no initial value"));
        }
        Ok(acc)
    })();
    vm.temp_roots.truncate(base);
    r
}

// ---- cmp_to_key -------------------------------------------------------------------------

/// What `cmp_to_key(cmp)` returns (with `obj` Unbound), and what calling it
/// makes: a key object comparing through `cmp(self.obj, other.obj)`.
struct KeyWrapper {
    class: ObjRef,
    cmp: Value,
    obj: Value,
}

impl_native!(KeyWrapper, |s, f| {
    f(s.cmp);
    f(s.obj);
});

fn cmp_to_key(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let cmp = match (args, kw) {
        ([c], []) => *c,
        ([], [(k, v)]) if vm.str_of(*k) == "mycmp" => *v,
        _ => {
            return Err(vm.type_error(format!(
                "cmp_to_key() takes exactly 1 argument ({} given)",
                args.len() + kw.len()
            )))
        }
    };
    let class = state_class(vm, KEY_WRAPPER_KEY);
    Ok(alloc_native(
        vm,
        KeyWrapper {
            class,
            cmp,
            obj: Value::Unbound,
        },
    ))
}

fn key_call(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = receiver::<KeyWrapper>(vm, args, "__call__", "functools.KeyWrapper")?;
    let obj = match (&args[1..], kw) {
        ([o], []) => *o,
        ([], [(k, v)]) if vm.str_of(*k) == "obj" => *v,
        ([], []) => return Err(vm.type_error("K() missing required argument 'obj' (pos 1)")),
        _ => {
            return Err(vm.type_error(format!(
                "K() takes at most 1 argument ({} given)",
                args.len() - 1 + kw.len()
            )))
        }
    };
    let k = payload::<KeyWrapper>(vm, r);
    let (class, cmp) = (k.class, k.cmp);
    Ok(alloc_native(vm, KeyWrapper { class, cmp, obj }))
}

fn key_obj(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = receiver::<KeyWrapper>(vm, args, "obj", "functools.KeyWrapper")?;
    match payload::<KeyWrapper>(vm, r).obj {
        Value::Unbound => Err(vm.new_error(ExcKind::AttributeError, "obj")),
        v => Ok(v),
    }
}

fn key_compare(vm: &mut Vm, args: &[Value], op: CompareOp) -> PyResult<Value> {
    let r = receiver::<KeyWrapper>(vm, args, "__lt__", "functools.KeyWrapper")?;
    let other = args.get(1).copied().unwrap_or(Value::None);
    let Some(o) = vm.native_ref::<KeyWrapper>(other) else {
        return Err(vm.type_error("other argument must be K instance"));
    };
    let b = o.obj;
    let k = payload::<KeyWrapper>(vm, r);
    let (cmp, a) = (k.cmp, k.obj);
    if a.is_unbound() || b.is_unbound() {
        return Err(vm.new_error(ExcKind::AttributeError, "object"));
    }
    let res = vm.call(cmp, &[a, b], &[])?;
    rooted(vm, &[res], |vm| vm.compare_op(res, Value::Int(0), op))
}

fn key_lt(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    key_compare(vm, args, CompareOp::Lt)
}

fn key_le(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    key_compare(vm, args, CompareOp::Le)
}

fn key_eq(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    key_compare(vm, args, CompareOp::Eq)
}

fn key_ne(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    key_compare(vm, args, CompareOp::Ne)
}

fn key_gt(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    key_compare(vm, args, CompareOp::Gt)
}

fn key_ge(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    key_compare(vm, args, CompareOp::Ge)
}

// ---- the lru_cache core ---------------------------------------------------------------

/// The state of one `lru_cache` wrapper.
struct LruCache {
    class: ObjRef,
    func: Value,
    /// None: unbounded.
    maxsize: Option<usize>,
    typed: bool,
    /// key -> result, least recently used first.
    cache: Value,
    hits: i64,
    misses: i64,
}

impl_native!(LruCache, |s, f| {
    f(s.func);
    f(s.cache);
});

/// `_LruCache(user_function, maxsize, typed)`.
fn lru_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&Value::Obj(class)) = args.first() else {
        return Err(vm.type_error("_LruCache.__new__(X): X is not a type object"));
    };
    positional(vm, "_LruCache", &args[1..], kw, 3, 3)?;
    let maxsize = match args[2] {
        Value::None => None,
        Value::Int(n) => Some(n.max(0) as usize),
        Value::Bool(b) => Some(b as usize),
        _ => return Err(vm.type_error("maxsize should be integer or None")),
    };
    let typed = vm.truthy(args[3])?;
    let cache = vm.new_dict();
    vm.temp_roots.push(cache);
    let v = alloc_native(
        vm,
        LruCache {
            class,
            func: args[1],
            maxsize,
            typed,
            cache,
            hits: 0,
            misses: 0,
        },
    );
    vm.temp_roots.pop();
    Ok(v)
}

fn this_lru(vm: &mut Vm, args: &[Value]) -> PyResult<ObjRef> {
    receiver::<LruCache>(vm, args, "call", "functools._LruCache")
}

/// The cache key of a call, as CPython's `_make_key`: the arguments, then a
/// marker and the keyword pairs, then (typed) the argument types; a lone
/// int or str argument is its own key.
fn make_key(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)], typed: bool) -> Value {
    if !typed && kw.is_empty() {
        if let [one] = args {
            let plain = match *one {
                Value::Int(_) => true,
                Value::Obj(r) => matches!(vm.heap.get(r), Object::Str(_) | Object::BigInt(_)),
                _ => false,
            };
            if plain {
                return *one;
            }
        }
    }
    let mut key = args.to_vec();
    if !kw.is_empty() {
        key.push(
            vm.module_state
                .get(KWD_MARK_KEY)
                .copied()
                .unwrap_or(Value::None),
        );
        for &(k, v) in kw {
            key.push(k);
            key.push(v);
        }
    }
    if typed {
        for &a in args {
            key.push(Value::Obj(vm.class_of(a)));
        }
        for &(_, v) in kw {
            key.push(Value::Obj(vm.class_of(v)));
        }
    }
    vm.new_tuple(key)
}

/// `call(args, kwds)`: the cached result of `func(*args, **kwds)`.
fn lru_call(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this_lru(vm, args)?;
    positional(vm, "call", &args[1..], kw, 2, 2)?;
    let pos = vm
        .seq_items(args[1])
        .map(|s| s.to_vec())
        .unwrap_or_default();
    let kws = dict_pairs(vm, args[2]);
    let c = payload::<LruCache>(vm, r);
    let (func, maxsize, typed, cache) = (c.func, c.maxsize, c.typed, c.cache);
    if maxsize == Some(0) {
        payload::<LruCache>(vm, r).misses += 1;
        return vm.call(func, &pos, &kws);
    }
    let key = make_key(vm, &pos, &kws, typed);
    rooted(vm, &[key], |vm| -> PyResult<Value> {
        if let Some(idx) = vm.dict_lookup(cache, key)? {
            payload::<LruCache>(vm, r).hits += 1;
            return Ok(touch(vm, cache, idx));
        }
        payload::<LruCache>(vm, r).misses += 1;
        let result = vm.call(func, &pos, &kws)?;
        rooted(vm, &[result], |vm| store(vm, cache, key, result, maxsize))?;
        Ok(result)
    })
}

/// The value at entry `idx` of the cache dict, moved to the most recently
/// used end.
fn touch(vm: &mut Vm, cache: Value, idx: usize) -> Value {
    let Value::Obj(d) = cache else {
        return Value::None;
    };
    let Object::Dict(t) = vm.heap.get_mut(d) else {
        return Value::None;
    };
    match t.remove_at(idx) {
        Some(e) => {
            t.insert_new(e.hash, e.key, e.value);
            e.value
        }
        None => Value::None,
    }
}

/// Stores a new result, evicting the least recently used entry when full.
/// A key added meanwhile (by a recursive call) is left as it is.
fn store(
    vm: &mut Vm,
    cache: Value,
    key: Value,
    result: Value,
    maxsize: Option<usize>,
) -> PyResult<()> {
    if vm.dict_lookup(cache, key)?.is_some() {
        return Ok(());
    }
    if let (Some(max), Value::Obj(d)) = (maxsize, cache) {
        if let Object::Dict(t) = vm.heap.get_mut(d) {
            if t.len() >= max {
                if let Some((i, _)) = t.next_from(0) {
                    t.remove_at(i);
                }
            }
        }
    }
    vm.dict_set(cache, key, result)
}

/// `info()`: (hits, misses, maxsize, currsize).
fn lru_info(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this_lru(vm, args)?;
    let c = payload::<LruCache>(vm, r);
    let (hits, misses, maxsize, cache) = (c.hits, c.misses, c.maxsize, c.cache);
    let size = vm.container_len(cache) as i64;
    let max = maxsize.map_or(Value::None, |m| Value::Int(m as i64));
    Ok(vm.new_tuple(vec![
        Value::Int(hits),
        Value::Int(misses),
        max,
        Value::Int(size),
    ]))
}

/// `clear()`: empties the cache and resets the statistics.
fn lru_clear(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = this_lru(vm, args)?;
    let c = payload::<LruCache>(vm, r);
    c.hits = 0;
    c.misses = 0;
    if let Value::Obj(d) = c.cache {
        if let Object::Dict(t) = vm.heap.get_mut(d) {
            t.clear();
        }
    }
    Ok(Value::None)
}
