//! `operator`: the operators as functions (`add`, `lt`, `getitem`, ...)
//! and the callables `itemgetter`, `attrgetter` and `methodcaller`, all
//! native so that `reduce(operator.mul, ...)` or
//! `sorted(..., key=itemgetter(1))` cost no aspy frame per item.
//! Each function defers to the VM's own operator implementation, so
//! results and error messages are those of the operator syntax.

use super::support::{
    add_value, alloc_native, impl_native, new_module, new_type, payload, positional, receiver,
    set_constructor,
};
use crate::bytecode::{BinaryOp, CompareOp, Instr};
use crate::stdlib::builtins::{add_method, native};
use crate::vm::object::{NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

macro_rules! binary {
    ($($f:ident, $name:literal => $op:ident),* $(,)?) => {$(
        fn $f(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
            positional(vm, $name, args, kw, 2, 2)?;
            vm.binary_op(args[0], args[1], BinaryOp::$op)
        }
    )*};
}

macro_rules! inplace {
    ($($f:ident, $name:literal => $op:ident),* $(,)?) => {$(
        fn $f(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
            positional(vm, $name, args, kw, 2, 2)?;
            vm.inplace_op(args[0], args[1], BinaryOp::$op)
        }
    )*};
}

macro_rules! compare {
    ($($f:ident, $name:literal => $op:ident),* $(,)?) => {$(
        fn $f(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
            positional(vm, $name, args, kw, 2, 2)?;
            vm.compare_op(args[0], args[1], CompareOp::$op)
        }
    )*};
}

binary! {
    add, "add" => Add, sub, "sub" => Sub, mul, "mul" => Mul, matmul, "matmul" => MatMul,
    truediv, "truediv" => TrueDiv, floordiv, "floordiv" => FloorDiv, mod_, "mod" => Mod,
    pow, "pow" => Pow, lshift, "lshift" => LShift, rshift, "rshift" => RShift,
    and_, "and_" => And, or_, "or_" => Or, xor, "xor" => Xor,
}

inplace! {
    iadd, "iadd" => Add, isub, "isub" => Sub, imul, "imul" => Mul, imatmul, "imatmul" => MatMul,
    itruediv, "itruediv" => TrueDiv, ifloordiv, "ifloordiv" => FloorDiv, imod, "imod" => Mod,
    ipow, "ipow" => Pow, ilshift, "ilshift" => LShift, irshift, "irshift" => RShift,
    iand, "iand" => And, ior, "ior" => Or, ixor, "ixor" => Xor,
}

compare! {
    lt, "lt" => Lt, le, "le" => Le, eq, "eq" => Eq, ne, "ne" => Ne, gt, "gt" => Gt, ge, "ge" => Ge,
}

/// Creates the `operator` module.
pub fn load(vm: &mut Vm) -> PyResult<Value> {
    let m = new_module(vm, "operator")?;
    // Functions that also exist under their dunder name (`__add__`).
    let dual: &[(&'static str, &'static str, NativeFn)] = &[
        ("add", "__add__", add),
        ("sub", "__sub__", sub),
        ("mul", "__mul__", mul),
        ("matmul", "__matmul__", matmul),
        ("truediv", "__truediv__", truediv),
        ("floordiv", "__floordiv__", floordiv),
        ("mod", "__mod__", mod_),
        ("pow", "__pow__", pow),
        ("lshift", "__lshift__", lshift),
        ("rshift", "__rshift__", rshift),
        ("and_", "__and__", and_),
        ("or_", "__or__", or_),
        ("xor", "__xor__", xor),
        ("iadd", "__iadd__", iadd),
        ("isub", "__isub__", isub),
        ("imul", "__imul__", imul),
        ("imatmul", "__imatmul__", imatmul),
        ("itruediv", "__itruediv__", itruediv),
        ("ifloordiv", "__ifloordiv__", ifloordiv),
        ("imod", "__imod__", imod),
        ("ipow", "__ipow__", ipow),
        ("ilshift", "__ilshift__", ilshift),
        ("irshift", "__irshift__", irshift),
        ("iand", "__iand__", iand),
        ("ior", "__ior__", ior),
        ("ixor", "__ixor__", ixor),
        ("lt", "__lt__", lt),
        ("le", "__le__", le),
        ("eq", "__eq__", eq),
        ("ne", "__ne__", ne),
        ("gt", "__gt__", gt),
        ("ge", "__ge__", ge),
        ("neg", "__neg__", neg),
        ("pos", "__pos__", pos),
        ("invert", "__invert__", invert),
        ("inv", "__inv__", invert),
        ("abs", "__abs__", abs),
        ("not_", "__not__", not_),
        ("index", "__index__", index),
        ("concat", "__concat__", concat),
        ("iconcat", "__iconcat__", iconcat),
        ("contains", "__contains__", contains),
        ("getitem", "__getitem__", getitem),
        ("setitem", "__setitem__", setitem),
        ("delitem", "__delitem__", delitem),
        ("call", "__call__", call),
    ];
    for &(name, dunder, f) in dual {
        let v = native(vm, name, f);
        add_value(vm, m, name, v)?;
        add_value(vm, m, dunder, v)?;
    }
    let plain: &[(&'static str, NativeFn)] = &[
        ("truth", truth),
        ("is_", is_),
        ("is_not", is_not),
        ("countOf", count_of),
        ("indexOf", index_of),
        ("length_hint", length_hint),
    ];
    for &(name, f) in plain {
        let v = native(vm, name, f);
        add_value(vm, m, name, v)?;
    }
    let getters: &[(&str, NativeFn, NativeFn, NativeFn)] = &[
        ("itemgetter", itemgetter_new, itemgetter_call, getter_repr),
        ("attrgetter", attrgetter_new, attrgetter_call, getter_repr),
        (
            "methodcaller",
            methodcaller_new,
            methodcaller_call,
            getter_repr,
        ),
    ];
    for &(name, new, call, repr) in getters {
        let cls = new_type(vm, name, "operator");
        set_constructor(vm, cls, new);
        add_method(vm, cls, "__call__", call);
        add_method(vm, cls, "__repr__", repr);
        add_value(vm, m, name, Value::Obj(cls))?;
    }
    Ok(m)
}

// ---- single-operand and miscellaneous functions ------------------------------------------

fn unary(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    op: Instr,
) -> PyResult<Value> {
    positional(vm, name, args, kw, 1, 1)?;
    vm.unary_op(args[0], op)
}

fn neg(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    unary(vm, "neg", args, kw, Instr::UnaryNegative)
}

fn pos(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    unary(vm, "pos", args, kw, Instr::UnaryPositive)
}

fn invert(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    unary(vm, "invert", args, kw, Instr::UnaryInvert)
}

fn abs(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "abs", args, kw, 1, 1)?;
    let f = vm.builtin_value("abs")?;
    vm.call(f, args, &[])
}

fn not_(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "not_", args, kw, 1, 1)?;
    Ok(Value::Bool(!vm.truthy(args[0])?))
}

fn truth(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "truth", args, kw, 1, 1)?;
    Ok(Value::Bool(vm.truthy(args[0])?))
}

fn is_(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "is_", args, kw, 2, 2)?;
    Ok(Value::Bool(args[0].is(args[1])))
}

fn is_not(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "is_not", args, kw, 2, 2)?;
    Ok(Value::Bool(!args[0].is(args[1])))
}

fn index(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "index", args, kw, 1, 1)?;
    match args[0] {
        Value::Int(_) => Ok(args[0]),
        Value::Bool(b) => Ok(Value::Int(b as i64)),
        Value::Obj(r) if matches!(vm.heap.get(r), Object::BigInt(_)) => Ok(args[0]),
        v => Ok(Value::Int(super::support::index_arg(vm, v)?)),
    }
}

/// TypeError unless `a` is a sequence (concatenation needs one).
fn check_sequence(vm: &mut Vm, a: Value) -> PyResult<()> {
    let is_seq = match a {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Str(_) | Object::List(_) | Object::Tuple(_) | Object::Bytes(_) => true,
            _ => vm.lookup_special(a, "__getitem__").is_some(),
        },
        _ => false,
    };
    if is_seq {
        return Ok(());
    }
    let msg = format!("'{}' object can't be concatenated", vm.type_name(a));
    Err(vm.type_error(msg))
}

fn concat(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "concat", args, kw, 2, 2)?;
    check_sequence(vm, args[0])?;
    vm.binary_op(args[0], args[1], BinaryOp::Add)
}

fn iconcat(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "iconcat", args, kw, 2, 2)?;
    check_sequence(vm, args[0])?;
    vm.inplace_op(args[0], args[1], BinaryOp::Add)
}

fn contains(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "contains", args, kw, 2, 2)?;
    vm.contains(args[0], args[1]).map(Value::Bool)
}

fn getitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "getitem", args, kw, 2, 2)?;
    vm.get_item(args[0], args[1])
}

fn setitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "setitem", args, kw, 3, 3)?;
    vm.set_item(args[0], args[1], args[2])?;
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "delitem", args, kw, 2, 2)?;
    vm.del_item(args[0], args[1])?;
    Ok(Value::None)
}

fn call(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some((&f, rest)) = args.split_first() else {
        return Err(vm.type_error("call() missing 1 required positional argument: 'obj'"));
    };
    vm.call(f, rest, kw)
}

/// Scans `seq` for items equal to `x` (identity first, as CPython does),
/// calling `found(index)` for each; stops when it returns true.
fn scan(vm: &mut Vm, seq: Value, x: Value, mut found: impl FnMut(usize) -> bool) -> PyResult<()> {
    let it = vm.get_iter(seq)?;
    vm.temp_roots.push(it);
    let r = (|| {
        let mut i = 0;
        while let Some(item) = vm.iter_next(it)? {
            if (item.is(x) || vm.eq(item, x)?) && found(i) {
                break;
            }
            i += 1;
        }
        Ok(())
    })();
    vm.temp_roots.pop();
    r
}

fn count_of(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "countOf", args, kw, 2, 2)?;
    let mut n = 0;
    scan(vm, args[0], args[1], |_| {
        n += 1;
        false
    })?;
    Ok(Value::Int(n))
}

fn index_of(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "indexOf", args, kw, 2, 2)?;
    let mut at = None;
    scan(vm, args[0], args[1], |i| {
        at = Some(i);
        true
    })?;
    match at {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(vm.value_error("sequence.index(x): x not in sequence")),
    }
}

fn length_hint(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "length_hint", args, kw, 1, 2)?;
    let default = args.get(1).copied().unwrap_or(Value::Int(0));
    if !matches!(default, Value::Int(_)) {
        let msg = format!(
            "'{}' object cannot be interpreted as an integer",
            vm.type_name(default)
        );
        return Err(vm.type_error(msg));
    }
    let v = args[0];
    let has_len = match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Str(_)
            | Object::List(_)
            | Object::Tuple(_)
            | Object::Dict(_)
            | Object::Set(..)
            | Object::Bytes(_)
            | Object::Range(_) => true,
            _ => vm.lookup_special(v, "__len__").is_some(),
        },
        _ => false,
    };
    if has_len {
        return vm.len_of(v).map(|n| Value::Int(n as i64));
    }
    match vm.lookup_special(v, "__length_hint__") {
        Some(m) => match vm.call(m, &[], &[]) {
            Ok(Value::NotImplemented) => Ok(default),
            Ok(r) => Ok(r),
            Err(e) if vm.exc_matches(e.0, crate::vm::exceptions::ExcKind::TypeError) => Ok(default),
            Err(e) => Err(e),
        },
        None => Ok(default),
    }
}

// ---- itemgetter, attrgetter, methodcaller ------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum GetterKind {
    Item,
    Attr,
    Method,
}

/// The three callables: the items or attribute names to fetch, or (for
/// methodcaller) the method name then its positional arguments.
struct Getter {
    class: ObjRef,
    kind: GetterKind,
    items: Vec<Value>,
    kwargs: Vec<(Value, Value)>,
}

impl_native!(Getter, |s, f| {
    s.items.iter().for_each(|&v| f(v));
    s.kwargs.iter().for_each(|&(k, v)| {
        f(k);
        f(v);
    });
});

fn new_getter(
    vm: &mut Vm,
    args: &[Value],
    kind: GetterKind,
    kwargs: Vec<(Value, Value)>,
) -> PyResult<Value> {
    let Some(&Value::Obj(class)) = args.first() else {
        return Err(vm.type_error("__new__(X): X is not a type object"));
    };
    Ok(alloc_native(
        vm,
        Getter {
            class,
            kind,
            items: args[1..].to_vec(),
            kwargs,
        },
    ))
}

fn itemgetter_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if !kw.is_empty() {
        return Err(vm.type_error("itemgetter() takes no keyword arguments"));
    }
    if args.len() < 2 {
        return Err(vm.type_error("itemgetter expected 1 argument, got 0"));
    }
    new_getter(vm, args, GetterKind::Item, Vec::new())
}

fn attrgetter_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if !kw.is_empty() {
        return Err(vm.type_error("attrgetter() takes no keyword arguments"));
    }
    if args.len() < 2 {
        return Err(vm.type_error("attrgetter expected 1 argument, got 0"));
    }
    if args[1..].iter().any(|&a| vm.as_str(a).is_none()) {
        return Err(vm.type_error("attribute name must be a string"));
    }
    new_getter(vm, args, GetterKind::Attr, Vec::new())
}

fn methodcaller_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.len() < 2 {
        return Err(vm.type_error("methodcaller needs at least one argument, the method name"));
    }
    if vm.as_str(args[1]).is_none() {
        return Err(vm.type_error("method name must be a string"));
    }
    new_getter(vm, args, GetterKind::Method, kw.to_vec())
}

/// `obj.a.b.c` for a dotted attribute name.
fn dotted_attr(vm: &mut Vm, mut obj: Value, name: Value) -> PyResult<Value> {
    let path = vm.str_of(name).to_string();
    for part in path.split('.') {
        obj = vm.get_attr_str(obj, part)?;
    }
    Ok(obj)
}

fn getter_parts(vm: &mut Vm, args: &[Value], kind: GetterKind) -> PyResult<ObjRef> {
    let what = match kind {
        GetterKind::Item => "operator.itemgetter",
        GetterKind::Attr => "operator.attrgetter",
        GetterKind::Method => "operator.methodcaller",
    };
    let r = receiver::<Getter>(vm, args, "__call__", what)?;
    if args.len() != 2 {
        let name = what.trim_start_matches("operator.");
        let msg = format!("{name} expected 1 argument, got {}", args.len() - 1);
        return Err(vm.type_error(msg));
    }
    Ok(r)
}

fn itemgetter_call(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = getter_parts(vm, args, GetterKind::Item)?;
    let items = payload::<Getter>(vm, r).items.clone();
    if let [one] = items[..] {
        return vm.get_item(args[1], one);
    }
    let base = vm.temp_roots.len();
    let mut out = Vec::with_capacity(items.len());
    for k in items {
        match vm.get_item(args[1], k) {
            Ok(v) => {
                vm.temp_roots.push(v);
                out.push(v);
            }
            Err(e) => {
                vm.temp_roots.truncate(base);
                return Err(e);
            }
        }
    }
    vm.temp_roots.truncate(base);
    Ok(vm.new_tuple(out))
}

fn attrgetter_call(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = getter_parts(vm, args, GetterKind::Attr)?;
    let names = payload::<Getter>(vm, r).items.clone();
    if let [one] = names[..] {
        return dotted_attr(vm, args[1], one);
    }
    let base = vm.temp_roots.len();
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        match dotted_attr(vm, args[1], n) {
            Ok(v) => {
                vm.temp_roots.push(v);
                out.push(v);
            }
            Err(e) => {
                vm.temp_roots.truncate(base);
                return Err(e);
            }
        }
    }
    vm.temp_roots.truncate(base);
    Ok(vm.new_tuple(out))
}

fn methodcaller_call(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = getter_parts(vm, args, GetterKind::Method)?;
    let g = payload::<Getter>(vm, r);
    let (items, kwargs) = (g.items.clone(), g.kwargs.clone());
    let name = vm.str_of(items[0]).to_string();
    let m = vm.get_attr_str(args[1], &name)?;
    super::support::rooted(vm, &[m], |vm| vm.call(m, &items[1..], &kwargs))
}

/// `operator.itemgetter(1, 2)`, `operator.attrgetter('a')`,
/// `operator.methodcaller('name', 1, key=2)`.
fn getter_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = receiver::<Getter>(vm, args, "__repr__", "operator.itemgetter")?;
    let g = payload::<Getter>(vm, r);
    let (kind, items, kwargs) = (g.kind, g.items.clone(), g.kwargs.clone());
    let name = match kind {
        GetterKind::Item => "itemgetter",
        GetterKind::Attr => "attrgetter",
        GetterKind::Method => "methodcaller",
    };
    let mut parts = Vec::with_capacity(items.len() + kwargs.len());
    for v in items {
        parts.push(vm.repr_value(v)?);
    }
    for (k, v) in kwargs {
        let value = vm.repr_value(v)?;
        parts.push(format!("{}={value}", vm.str_of(k)));
    }
    let text = format!("operator.{name}({})", parts.join(", "));
    Ok(vm.new_str(text))
}
