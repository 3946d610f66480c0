//! `contextvars`: `ContextVar`, `Token`, `Context` and `copy_context`
//! (the machinery is in `src/runtime/context.rs`).

use super::asyncio::{ensure_runtime, set};
use crate::runtime::context::{self, ContextObj, ContextVarObj, TokenObj};
use crate::runtime::{self, Classes};
use crate::stdlib::builtins::{add_method, check_args, native, set_class_attr};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Layout, NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyErr, PyResult, Vm};

/// Installs the methods of the three classes (called once, when the
/// runtime is created).
pub fn install_methods(vm: &mut Vm, c: &Classes) {
    let var_methods: [(&'static str, NativeFn); 5] = [
        ("get", var_get),
        ("set", var_set),
        ("reset", var_reset),
        ("__repr__", var_repr),
        ("__class_getitem__", class_getitem),
    ];
    for (name, f) in var_methods {
        add_method(vm, c.context_var, name, f);
    }
    static_new(vm, c.context_var, var_new);
    property(vm, c.context_var, "name", var_name);
    let token_methods: [(&'static str, NativeFn); 1] = [("__repr__", token_repr)];
    for (name, f) in token_methods {
        add_method(vm, c.token, name, f);
    }
    property(vm, c.token, "var", token_var);
    property(vm, c.token, "old_value", token_old);
    let object = vm.types.object;
    let missing_cls = vm.new_class("Token.MISSING", &[object], Layout::Object);
    add_method(vm, missing_cls, "__repr__", missing_repr);
    let missing = vm.alloc(Object::Instance(crate::vm::object::Instance {
        class: missing_cls,
        attrs: Default::default(),
        payload: crate::vm::object::Payload::None,
    }));
    set_class_attr(vm, c.token, "MISSING", missing);
    let ctx_methods: [(&'static str, NativeFn); 11] = [
        ("run", ctx_run),
        ("copy", ctx_copy),
        ("get", ctx_get),
        ("keys", ctx_keys),
        ("values", ctx_values),
        ("items", ctx_items),
        ("__getitem__", ctx_getitem),
        ("__contains__", ctx_contains),
        ("__len__", ctx_len),
        ("__iter__", ctx_iter),
        ("__repr__", ctx_repr),
    ];
    for (name, f) in ctx_methods {
        add_method(vm, c.context, name, f);
    }
    static_new(vm, c.context, ctx_new);
}

fn static_new(vm: &mut Vm, cls: ObjRef, f: NativeFn) {
    let n = native(vm, "__new__", f);
    let s = vm.alloc(Object::StaticMethod(n));
    set_class_attr(vm, cls, "__new__", s);
}

fn property(vm: &mut Vm, cls: ObjRef, name: &'static str, get: NativeFn) {
    crate::stdlib::method_args::add_getter(vm, cls, name, get);
}

/// `import contextvars`.
pub fn load(vm: &mut Vm) -> PyResult<Value> {
    ensure_runtime(vm)?;
    let m = crate::stdlib::import::new_module(vm, "contextvars")?;
    let c = runtime::classes(vm);
    set(vm, m, "ContextVar", Value::Obj(c.context_var))?;
    set(vm, m, "Token", Value::Obj(c.token))?;
    set(vm, m, "Context", Value::Obj(c.context))?;
    let f = native(vm, "copy_context", copy_context);
    set(vm, m, "copy_context", f)?;
    Ok(m)
}

fn addr(r: ObjRef) -> String {
    format!("{:#x}", 0x7f00_0000_0000usize + r.index() * 16)
}

// ---- ContextVar ---------------------------------------------------------------

fn var_ref(vm: &mut Vm, args: &[Value]) -> PyResult<ObjRef> {
    match args.first() {
        Some(&v @ Value::Obj(r)) if vm.native_ref::<ContextVarObj>(v).is_some() => Ok(r),
        _ => Err(vm.type_error("descriptor requires a 'ContextVar' object")),
    }
}

fn var(vm: &Vm, r: ObjRef) -> &ContextVarObj {
    vm.native_ref::<ContextVarObj>(Value::Obj(r))
        .expect("a ContextVar")
}

/// `ContextVar(name, /, *, default=<missing>)`, with the messages of
/// CPython's argument parser for that signature.
fn var_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let pos = &args[1..];
    let given = pos.len() + kw.len();
    if given > 2 {
        let msg = format!("ContextVar() takes at most 2 arguments ({given} given)");
        return Err(vm.type_error(msg));
    }
    if pos.len() != 1 {
        let bound = if pos.is_empty() { "exactly" } else { "at most" };
        let msg = format!(
            "ContextVar() takes {bound} 1 positional argument ({} given)",
            pos.len()
        );
        return Err(vm.type_error(msg));
    }
    let name = pos[0];
    let mut default = Value::Unbound;
    for &(k, v) in kw {
        if vm.str_of(k) != "default" {
            let msg = format!(
                "'{}' is an invalid keyword argument for ContextVar()",
                vm.str_of(k)
            );
            return Err(vm.type_error(msg));
        }
        default = v;
    }
    if vm.as_str(name).is_none() {
        return Err(vm.type_error("context variable name must be a str"));
    }
    let class = runtime::classes(vm).context_var;
    Ok(vm.alloc(Object::Native(Box::new(ContextVarObj {
        class,
        name,
        default,
    }))))
}

fn var_name(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = var_ref(vm, args)?;
    Ok(var(vm, r).name)
}

fn var_get(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = var_ref(vm, args)?;
    if !kw.is_empty() {
        return Err(vm.type_error("ContextVar.get() takes no keyword arguments"));
    }
    check_args(vm, "get", &args[1..], kw, 0, 1)?;
    let cur = runtime::rt(vm).context;
    if let Some(v) = context::lookup(vm, cur, r) {
        return Ok(v);
    }
    if let Some(&d) = args.get(1) {
        return Ok(d);
    }
    let d = var(vm, r).default;
    if !d.is_unbound() {
        return Ok(d);
    }
    let cls = vm.types.exc(ExcKind::LookupError);
    Err(PyErr(crate::vm::exceptions::new_exception(
        vm,
        cls,
        vec![args[0]],
    )))
}

fn var_set(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = var_ref(vm, args)?;
    check_args(vm, "ContextVar.set", &args[1..], kw, 1, 1)?;
    let ctx = context::current(vm);
    let old = context::lookup(vm, ctx, r).unwrap_or(Value::Unbound);
    context::store(vm, ctx, r, args[1]);
    let class = runtime::classes(vm).token;
    Ok(vm.alloc(Object::Native(Box::new(TokenObj {
        class,
        context: ctx,
        var: r,
        old,
        used: false,
    }))))
}

fn var_reset(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = var_ref(vm, args)?;
    check_args(vm, "ContextVar.reset", &args[1..], kw, 1, 1)?;
    let tv = args[1];
    let Some(token) = vm.native_ref::<TokenObj>(tv) else {
        let msg = format!("expected an instance of Token, got '{}'", vm.type_name(tv));
        return Err(vm.type_error(msg));
    };
    let (used, tvar, tctx, old) = (token.used, token.var, token.context, token.old);
    let text = vm.repr_value(tv)?;
    if used {
        return Err(vm.new_error(
            ExcKind::RuntimeError,
            format!("{text} has already been used once"),
        ));
    }
    if tvar != r {
        return Err(vm.value_error(format!("{text} was created by a different ContextVar")));
    }
    let cur = runtime::rt(vm).context;
    if !tctx.is(cur) {
        return Err(vm.value_error(format!("{text} was created in a different Context")));
    }
    if let Some(t) = vm.native_mut::<TokenObj>(tv) {
        t.used = true;
    }
    context::store(vm, cur, r, old);
    Ok(Value::None)
}

fn var_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let r = var_ref(vm, args)?;
    let (name, default) = (var(vm, r).name, var(vm, r).default);
    let mut s = format!("<ContextVar name={}", vm.repr_value(name)?);
    if !default.is_unbound() {
        s.push_str(&format!(" default={}", vm.repr_value(default)?));
    }
    s.push_str(&format!(" at {}>", addr(r)));
    Ok(vm.new_str(s))
}

fn class_getitem(_vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(args.first().copied().unwrap_or(Value::None))
}

// ---- Token ----------------------------------------------------------------------

fn token(vm: &mut Vm, args: &[Value]) -> PyResult<(ObjRef, ObjRef, Value, bool)> {
    match args.first() {
        Some(&v @ Value::Obj(r)) => match vm.native_ref::<TokenObj>(v) {
            Some(t) => Ok((r, t.var, t.old, t.used)),
            None => Err(vm.type_error("descriptor requires a 'Token' object")),
        },
        _ => Err(vm.type_error("descriptor requires a 'Token' object")),
    }
}

fn token_var(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, v, _, _) = token(vm, args)?;
    Ok(Value::Obj(v))
}

fn token_old(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, _, old, _) = token(vm, args)?;
    if old.is_unbound() {
        let cls = runtime::classes(vm).token;
        return vm.get_attr_str(Value::Obj(cls), "MISSING");
    }
    Ok(old)
}

fn token_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let (r, v, _, used) = token(vm, args)?;
    let var_text = vm.repr_value(Value::Obj(v))?;
    let s = format!(
        "<Token{} var={var_text} at {}>",
        if used { " used" } else { "" },
        addr(r)
    );
    Ok(vm.new_str(s))
}

fn missing_repr(vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(vm.new_str("<Token.MISSING>"))
}

// ---- Context ----------------------------------------------------------------------

fn ctx_arg(vm: &mut Vm, args: &[Value]) -> PyResult<Value> {
    match args.first() {
        Some(&v) if vm.native_ref::<ContextObj>(v).is_some() => Ok(v),
        _ => Err(vm.type_error("descriptor requires a 'Context' object")),
    }
}

fn pairs(vm: &Vm, ctx: Value) -> Vec<(ObjRef, Value)> {
    vm.native_ref::<ContextObj>(ctx)
        .map(|c| c.vars.to_vec())
        .unwrap_or_default()
}

fn ctx_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.len() > 1 || !kw.is_empty() {
        return Err(vm.type_error("Context() does not accept any arguments"));
    }
    Ok(context::new_context(vm, std::rc::Rc::new(Vec::new())))
}

fn copy_context(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_contextvars.copy_context", args, kw, 0, 0)?;
    let c = context::copy_current(vm);
    if c.is_none() {
        return Ok(context::new_context(vm, std::rc::Rc::new(Vec::new())));
    }
    Ok(c)
}

fn ctx_run(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let ctx = ctx_arg(vm, args)?;
    let Some(&f) = args.get(1) else {
        return Err(vm.type_error("run() missing 1 required positional argument"));
    };
    let rest = args[2..].to_vec();
    let kw = kw.to_vec();
    context::run_in(vm, ctx, |vm| vm.call(f, &rest, &kw))
}

fn ctx_copy(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let ctx = ctx_arg(vm, args)?;
    check_args(vm, "Context.copy", &args[1..], kw, 0, 0)?;
    let vars = vm
        .native_ref::<ContextObj>(ctx)
        .map(|c| c.vars.clone())
        .unwrap_or_default();
    Ok(context::new_context(vm, vars))
}

fn var_key(vm: &mut Vm, v: Value) -> PyResult<ObjRef> {
    match v {
        Value::Obj(r) if vm.native_ref::<ContextVarObj>(v).is_some() => Ok(r),
        _ => {
            let msg = format!("a ContextVar key was expected, got {}", vm.repr_value(v)?);
            Err(vm.type_error(msg))
        }
    }
}

fn ctx_get(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let ctx = ctx_arg(vm, args)?;
    if !kw.is_empty() {
        return Err(vm.type_error("Context.get() takes no keyword arguments"));
    }
    let n = args.len() - 1;
    if !(1..=2).contains(&n) {
        let (bound, m) = if n == 0 { ("least", 1) } else { ("most", 2) };
        let s = if m == 1 { "" } else { "s" };
        let msg = format!("get expected at {bound} {m} argument{s}, got {n}");
        return Err(vm.type_error(msg));
    }
    let k = var_key(vm, args[1])?;
    let default = args.get(2).copied().unwrap_or(Value::None);
    Ok(context::lookup(vm, ctx, k).unwrap_or(default))
}

fn ctx_getitem(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let ctx = ctx_arg(vm, args)?;
    let key = args.get(1).copied().unwrap_or(Value::None);
    let k = var_key(vm, key)?;
    match context::lookup(vm, ctx, k) {
        Some(v) => Ok(v),
        None => {
            let cls = vm.types.exc(ExcKind::KeyError);
            Err(PyErr(crate::vm::exceptions::new_exception(
                vm,
                cls,
                vec![key],
            )))
        }
    }
}

fn ctx_contains(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let ctx = ctx_arg(vm, args)?;
    let key = args.get(1).copied().unwrap_or(Value::None);
    let k = var_key(vm, key)?;
    Ok(Value::Bool(context::lookup(vm, ctx, k).is_some()))
}

fn ctx_len(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let ctx = ctx_arg(vm, args)?;
    Ok(Value::Int(pairs(vm, ctx).len() as i64))
}

fn ctx_keys(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let ctx = ctx_arg(vm, args)?;
    check_args(vm, "Context.keys", &args[1..], kw, 0, 0)?;
    let keys = pairs(vm, ctx)
        .into_iter()
        .map(|(k, _)| Value::Obj(k))
        .collect();
    Ok(vm.new_list(keys))
}

fn ctx_values(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let ctx = ctx_arg(vm, args)?;
    check_args(vm, "Context.values", &args[1..], kw, 0, 0)?;
    let vals = pairs(vm, ctx).into_iter().map(|(_, v)| v).collect();
    Ok(vm.new_list(vals))
}

fn ctx_items(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let ctx = ctx_arg(vm, args)?;
    check_args(vm, "Context.items", &args[1..], kw, 0, 0)?;
    let mut items = Vec::new();
    for (k, v) in pairs(vm, ctx) {
        let t = vm.new_tuple(vec![Value::Obj(k), v]);
        vm.temp_roots.push(t);
        items.push(t);
    }
    vm.temp_roots.truncate(vm.temp_roots.len() - items.len());
    Ok(vm.new_list(items))
}

fn ctx_iter(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let keys = ctx_keys(vm, args, &[])?;
    vm.get_iter(keys)
}

fn ctx_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let ctx = ctx_arg(vm, args)?;
    let Value::Obj(r) = ctx else { unreachable!() };
    Ok(vm.new_str(format!("<_contextvars.Context object at {}>", addr(r))))
}
