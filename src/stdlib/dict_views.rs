//! `dict_keys`, `dict_values` and `dict_items`: live views of a dict
//! (`Object::DictView`), with CPython 3.11's set behaviour for keys and
//! items views (`& | - ^`, comparisons, `isdisjoint`), membership, `len`,
//! iteration, `reversed` and repr. Also the operator entry points the VM
//! calls for `| & - ^` on sets, dicts and views.

use super::method_args::{add_methods, no_args, one_arg};
use super::set_methods;
use crate::bytecode::{BinaryOp, CompareOp};
use crate::vm::object::{DictIterKind, Object, SetKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Installs the methods into the class namespaces.
pub fn install(vm: &mut Vm) {
    let t = &vm.types;
    let (keys, values, items) = (t.dict_keys, t.dict_values, t.dict_items);
    for cls in [keys, values, items] {
        add_methods(
            vm,
            cls,
            &[
                ("__len__", view_len),
                ("__iter__", view_iter),
                ("__reversed__", view_reversed),
                ("__contains__", view_contains_method),
                ("__repr__", view_repr_method),
            ],
        );
    }
    for cls in [keys, items] {
        add_methods(vm, cls, &[("isdisjoint", view_isdisjoint)]);
        super::builtins::set_class_attr(vm, cls, "__hash__", Value::None);
    }
}

/// The dict and kind of a view value.
fn view_parts(vm: &Vm, v: Value) -> Option<(Value, DictIterKind)> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::DictView(d, k) => Some((*d, *k)),
            _ => None,
        },
        _ => None,
    }
}

/// Is `v` a keys or items view (the views that behave as sets)?
fn is_set_view(vm: &Vm, v: Value) -> bool {
    matches!(view_parts(vm, v), Some((_, k)) if k != DictIterKind::Values)
}

/// A new view of dict `d`.
pub fn new_view(vm: &mut Vm, d: Value, kind: DictIterKind) -> Value {
    vm.alloc(Object::DictView(d, kind))
}

/// `needle in view`.
pub fn view_contains(vm: &mut Vm, view: Value, needle: Value) -> PyResult<bool> {
    let Some((d, kind)) = view_parts(vm, view) else {
        return Ok(false);
    };
    match kind {
        DictIterKind::Keys => Ok(vm.dict_lookup(d, needle)?.is_some()),
        DictIterKind::Items => {
            let pair = match vm.seq_items(needle) {
                Some(p) if p.len() == 2 && vm.class_of(needle) == vm.types.tuple => [p[0], p[1]],
                _ => return Ok(false),
            };
            match vm.dict_get(d, pair[0])? {
                Some(found) => Ok(found.is(pair[1]) || vm.eq(found, pair[1])?),
                None => Ok(false),
            }
        }
        DictIterKind::Values => {
            let values: Vec<Value> = vm
                .dict_table(d)
                .map(|t| t.iter().map(|e| e.value).collect())
                .unwrap_or_default();
            vm.with_roots(&values, |vm| {
                for &v in &values {
                    if v.is(needle) || vm.eq(v, needle)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            })
        }
    }
}

/// `repr(view)`: `dict_keys([...])`.
pub fn view_repr(vm: &mut Vm, view: Value) -> PyResult<String> {
    let Some((d, kind)) = view_parts(vm, view) else {
        return Ok(String::new());
    };
    let name = vm.type_name(view);
    if vm.repr_guard.iter().any(|g| g.is(view)) {
        return Ok("...".into());
    }
    let items = view_list(vm, d, kind);
    vm.repr_guard.push(view);
    let r = vm.with_roots(&[items], |vm| vm.repr_value(items));
    vm.repr_guard.pop();
    Ok(format!("{name}({})", r?))
}

/// The elements of a view as a new list.
fn view_list(vm: &mut Vm, d: Value, kind: DictIterKind) -> Value {
    let entries: Vec<(Value, Value)> = vm
        .dict_table(d)
        .map(|t| t.iter().map(|e| (e.key, e.value)).collect())
        .unwrap_or_default();
    let list = vm.new_list(Vec::with_capacity(entries.len()));
    for (k, v) in entries {
        let item = match kind {
            DictIterKind::Keys => k,
            DictIterKind::Values => v,
            DictIterKind::Items => vm.new_tuple(vec![k, v]),
        };
        if let Some(Object::List(l)) = list.as_obj().map(|r| vm.heap.get_mut(r)) {
            l.push(item);
        }
    }
    list
}

/// A set holding the elements of `v` (CPython's `dictviews_to_set`: a keys
/// view is read straight from its dict).
fn to_set(vm: &mut Vm, v: Value) -> PyResult<Value> {
    let src = match view_parts(vm, v) {
        Some((d, DictIterKind::Keys)) => d,
        _ => v,
    };
    vm.new_set_from_iterable(src, SetKind::Set)
}

/// Is every element of `a` in `b` (CPython's `all_contained_in`)?
fn all_contained_in(vm: &mut Vm, a: Value, b: Value) -> PyResult<bool> {
    let it = vm.get_iter(a)?;
    vm.with_roots(&[it], |vm| {
        while let Some(x) = vm.iter_next(it)? {
            if !vm.with_roots(&[x], |vm| vm.contains(b, x))? {
                return Ok(false);
            }
        }
        Ok(true)
    })
}

fn swapped(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

/// Comparison of a keys/items view with a set or view (CPython's
/// `dictview_richcompare`); None when it does not apply.
pub fn view_richcompare(vm: &mut Vm, a: Value, b: Value, op: CompareOp) -> PyResult<Option<bool>> {
    if !is_set_view(vm, a) {
        if is_set_view(vm, b) {
            return view_richcompare(vm, b, a, swapped(op));
        }
        return Ok(None);
    }
    if !is_set_view(vm, b) && vm.set_kind(b).is_none() {
        return Ok(None);
    }
    let (la, lb) = (vm.container_len(a), vm.container_len(b));
    Ok(Some(match op {
        CompareOp::Eq => la == lb && all_contained_in(vm, a, b)?,
        CompareOp::Ne => !(la == lb && all_contained_in(vm, a, b)?),
        CompareOp::Lt => la < lb && all_contained_in(vm, a, b)?,
        CompareOp::Le => la <= lb && all_contained_in(vm, a, b)?,
        CompareOp::Gt => la > lb && all_contained_in(vm, b, a)?,
        CompareOp::Ge => la >= lb && all_contained_in(vm, b, a)?,
        _ => return Ok(None),
    }))
}

/// `a & b` with a keys/items view on either side (CPython's
/// `_PyDictView_Intersect`).
fn view_intersect(vm: &mut Vm, a: Value, b: Value) -> PyResult<Value> {
    let (mut view, mut other) = if is_set_view(vm, a) { (a, b) } else { (b, a) };
    let len_view = vm.container_len(view);
    if vm.set_kind(other) == Some(SetKind::Set) && len_view <= vm.len_of(other)? {
        return set_methods::intersection_of(vm, other, view);
    }
    if is_set_view(vm, other) && vm.container_len(other) > len_view {
        std::mem::swap(&mut view, &mut other);
    }
    let out = vm.new_set(SetKind::Set);
    let it = vm.get_iter(other)?;
    vm.with_roots(&[out, it], |vm| {
        while let Some(x) = vm.iter_next(it)? {
            vm.with_roots(&[x], |vm| -> PyResult<()> {
                if view_contains(vm, view, x)? {
                    vm.set_add(out, x)?;
                }
                Ok(())
            })?;
        }
        Ok(out)
    })
}

/// `a op b` for `| & - ^` on sets, dicts and dict views; None when the
/// operator does not apply to these operands.
pub fn operator(vm: &mut Vm, a: Value, b: Value, op: BinaryOp) -> PyResult<Option<Value>> {
    if !matches!(
        op,
        BinaryOp::Or | BinaryOp::And | BinaryOp::Sub | BinaryOp::Xor
    ) {
        return Ok(None);
    }
    if is_set_view(vm, a) || is_set_view(vm, b) {
        if op == BinaryOp::And {
            return view_intersect(vm, a, b).map(Some);
        }
        let out = to_set(vm, a)?;
        vm.with_roots(&[out], |vm| match op {
            BinaryOp::Or => vm.set_update(out, b),
            BinaryOp::Sub => set_methods::set_inplace_any(vm, out, b, BinaryOp::Sub),
            _ => set_methods::set_inplace_any(vm, out, b, BinaryOp::Xor),
        })?;
        return Ok(Some(out));
    }
    if op == BinaryOp::Or {
        if let Some(v) = super::dict_methods::dict_or(vm, a, b)? {
            return Ok(Some(v));
        }
    }
    set_methods::set_binary(vm, a, b, op)
}

/// `a op= b` for sets (`|= &= -= ^=`) and dicts (`|=`); None when it does
/// not apply.
pub fn inplace_operator(vm: &mut Vm, a: Value, b: Value, op: BinaryOp) -> PyResult<Option<Value>> {
    if op == BinaryOp::Or && vm.dict_table(a).is_some() {
        super::dict_methods::update_from(vm, a, Some(b), &[])?;
        return Ok(Some(a));
    }
    if vm.set_kind(a) == Some(SetKind::Set) {
        return set_methods::set_inplace(vm, a, b, op);
    }
    Ok(None)
}

// ---- methods ------------------------------------------------------------------------

/// The receiver of a view method.
fn recv(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<(Value, Value, DictIterKind)> {
    match args
        .first()
        .and_then(|&v| view_parts(vm, v).map(|(d, k)| (v, d, k)))
    {
        Some(parts) => Ok(parts),
        None => {
            let cls = vm.types.dict_keys;
            super::method_args::check_receiver(vm, args, cls, method)?;
            unreachable!("check_receiver accepted a non-view")
        }
    }
}

fn qualname(vm: &Vm, view: Value, method: &str) -> String {
    format!("{}.{method}", vm.type_name(view))
}

fn view_len(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (v, _, _) = recv(vm, args, "__len__")?;
    let q = qualname(vm, v, "__len__");
    no_args(vm, args, kw, &q)?;
    Ok(Value::Int(vm.container_len(v) as i64))
}

fn view_iter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (v, d, kind) = recv(vm, args, "__iter__")?;
    let q = qualname(vm, v, "__iter__");
    no_args(vm, args, kw, &q)?;
    Ok(vm.dict_iter(d, kind, false))
}

fn view_reversed(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (v, d, kind) = recv(vm, args, "__reversed__")?;
    let q = qualname(vm, v, "__reversed__");
    no_args(vm, args, kw, &q)?;
    Ok(vm.dict_iter(d, kind, true))
}

fn view_contains_method(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (v, _, _) = recv(vm, args, "__contains__")?;
    let q = qualname(vm, v, "__contains__");
    let x = one_arg(vm, args, kw, &q)?;
    view_contains(vm, v, x).map(Value::Bool)
}

fn view_repr_method(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (v, _, _) = recv(vm, args, "__repr__")?;
    let q = qualname(vm, v, "__repr__");
    no_args(vm, args, kw, &q)?;
    let s = view_repr(vm, v)?;
    Ok(vm.new_str(s))
}

/// `view.isdisjoint(iterable)` (CPython's `dictviews_isdisjoint`).
fn view_isdisjoint(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (v, _, _) = recv(vm, args, "isdisjoint")?;
    let q = qualname(vm, v, "isdisjoint");
    let other = one_arg(vm, args, kw, &q)?;
    if v.is(other) {
        return Ok(Value::Bool(vm.container_len(v) == 0));
    }
    // Iterate the smaller side, but only when `other` is a set or view
    // (membership in anything else may be slow).
    let sized = vm.set_kind(other).is_some() || is_set_view(vm, other);
    let (probe, iterate) = if sized && vm.container_len(other) > vm.container_len(v) {
        (other, v)
    } else {
        (v, other)
    };
    let it = vm.get_iter(iterate)?;
    vm.with_roots(&[it], |vm| {
        while let Some(x) = vm.iter_next(it)? {
            if vm.with_roots(&[x], |vm| vm.contains(probe, x))? {
                return Ok(Value::Bool(false));
            }
        }
        Ok(Value::Bool(true))
    })
}
