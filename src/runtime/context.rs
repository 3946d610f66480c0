//! contextvars: `Context`, `ContextVar` and `Token`.
//!
//! A context maps variables to values. Copying one is O(1): contexts share
//! their map (`Rc`) and copy it on the first write. The runtime keeps the
//! current context in `Runtime::context`, where None stands for an empty
//! context nobody has needed yet, so tasks and callbacks that never touch a
//! variable never allocate one. Each task runs in the copy of the context
//! that created it; a step makes the task's context current.

use super::{classes, rt};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::any::Any;
use std::rc::Rc;

/// A `contextvars.Context`.
pub struct ContextObj {
    pub class: ObjRef,
    /// (variable, value) pairs in the order variables were first set.
    pub vars: Rc<Vec<(ObjRef, Value)>>,
    /// Inside `Context.run` (or a callback run in it).
    pub entered: bool,
}

/// A `contextvars.ContextVar`.
pub struct ContextVarObj {
    pub class: ObjRef,
    pub name: Value,
    /// Unbound: no default.
    pub default: Value,
}

/// A `contextvars.Token`, returned by `ContextVar.set`.
pub struct TokenObj {
    pub class: ObjRef,
    pub context: Value,
    pub var: ObjRef,
    /// The value before the `set`, Unbound if there was none.
    pub old: Value,
    pub used: bool,
}

macro_rules! native_boilerplate {
    ($t:ty, |$s:ident, $f:ident| $body:block) => {
        impl NativeObject for $t {
            fn class(&self) -> ObjRef {
                self.class
            }
            fn trace(&self, $f: &mut dyn FnMut(Value)) {
                let $s = self;
                $body
            }
            fn as_any(&self) -> &dyn Any {
                self
            }
            fn as_any_mut(&mut self) -> &mut dyn Any {
                self
            }
        }
    };
}

native_boilerplate!(ContextObj, |s, f| {
    for &(k, v) in s.vars.iter() {
        f(Value::Obj(k));
        f(v);
    }
});
native_boilerplate!(ContextVarObj, |s, f| {
    f(s.name);
    f(s.default);
});
native_boilerplate!(TokenObj, |s, f| {
    f(s.context);
    f(Value::Obj(s.var));
    f(s.old);
});

/// A new context with these variables.
pub fn new_context(vm: &mut Vm, vars: Rc<Vec<(ObjRef, Value)>>) -> Value {
    let class = classes(vm).context;
    vm.alloc(Object::Native(Box::new(ContextObj {
        class,
        vars,
        entered: false,
    })))
}

fn ctx_ref(vm: &Vm, ctx: Value) -> Option<&ContextObj> {
    vm.native_ref::<ContextObj>(ctx)
}

/// `copy_context()` of the current context (None stays None: still empty).
pub fn copy_current(vm: &mut Vm) -> Value {
    let cur = rt(vm).context;
    match ctx_ref(vm, cur) {
        Some(c) if !c.vars.is_empty() => {
            let vars = c.vars.clone();
            new_context(vm, vars)
        }
        _ => Value::None,
    }
}

/// The current context as an object (creating it if it is still None).
pub fn current(vm: &mut Vm) -> Value {
    let cur = rt(vm).context;
    if !cur.is_none() {
        return cur;
    }
    let c = new_context(vm, Rc::new(Vec::new()));
    rt(vm).context = c;
    c
}

/// The value of `var` in context `ctx` (None: empty).
pub fn lookup(vm: &Vm, ctx: Value, var: ObjRef) -> Option<Value> {
    ctx_ref(vm, ctx)?
        .vars
        .iter()
        .find(|(k, _)| *k == var)
        .map(|&(_, v)| v)
}

/// Sets (or with Unbound, removes) `var` in context `ctx`.
pub fn store(vm: &mut Vm, ctx: Value, var: ObjRef, value: Value) {
    let Some(c) = vm.native_mut::<ContextObj>(ctx) else {
        return;
    };
    let vars = Rc::make_mut(&mut c.vars);
    let pos = vars.iter().position(|(k, _)| *k == var);
    match (pos, value.is_unbound()) {
        (Some(i), true) => {
            vars.remove(i);
        }
        (Some(i), false) => vars[i].1 = value,
        (None, false) => vars.push((var, value)),
        (None, true) => {}
    }
}

/// Runs `f` with `ctx` as the current context (None: a fresh empty one).
/// RuntimeError if `ctx` is already entered.
pub fn run_in<T>(vm: &mut Vm, ctx: Value, f: impl FnOnce(&mut Vm) -> PyResult<T>) -> PyResult<T> {
    if let Some(c) = ctx_ref(vm, ctx) {
        if c.entered {
            let r = vm.repr_value(ctx)?;
            return Err(vm.new_error(
                ExcKind::RuntimeError,
                format!("cannot enter context: {r} is already entered"),
            ));
        }
    }
    set_entered(vm, ctx, true);
    let prev = std::mem::replace(&mut rt(vm).context, ctx);
    vm.temp_roots.push(prev);
    let r = f(vm);
    vm.temp_roots.pop();
    rt(vm).context = prev;
    set_entered(vm, ctx, false);
    r
}

fn set_entered(vm: &mut Vm, ctx: Value, entered: bool) {
    if let Some(c) = vm.native_mut::<ContextObj>(ctx) {
        c.entered = entered;
    }
}
