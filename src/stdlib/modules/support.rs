//! Plumbing shared by the native modules in this folder: building module
//! objects, native classes and their methods, binding arguments the way
//! CPython's built-in functions do, and iterator classes implemented in Rust.
//!
//! Native objects keep their class in a `class` field and report it when
//! traced, so a class stays alive as long as one of its instances does even
//! if the module that made it is dropped from `sys.modules`.

use crate::stdlib::builtins::{add_method, native, set_class_attr};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Layout, NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// Implements [`NativeObject`](crate::vm::object::NativeObject) for a struct
/// with a `class: ObjRef` field. `trace(self, f)` lists the values the
/// struct holds besides its class; `next = path` makes it an iterator whose
/// `__next__` step is that function; `len = |s| expr` gives its length.
macro_rules! impl_native {
    ($ty:ty, |$s:ident, $f:ident| $trace:block
        $(, next = $next:expr)? $(, len = |$l:ident| $len:expr)?) => {
        impl $crate::vm::object::NativeObject for $ty {
            fn class(&self) -> $crate::vm::value::ObjRef {
                self.class
            }
            fn trace(&self, $f: &mut dyn FnMut($crate::vm::value::Value)) {
                let $s = self;
                $f($crate::vm::value::Value::Obj($s.class));
                $trace
            }
            fn as_any(&self) -> &dyn std::any::Any {
                self
            }
            fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
                self
            }
            $(
                fn next_fn(&self) -> Option<$crate::vm::object::NativeNextFn> {
                    Some($next)
                }
            )?
            $(
                fn native_len(&self) -> Option<usize> {
                    let $l = self;
                    Some($len)
                }
            )?
        }
    };
}
pub(crate) use impl_native;

/// Creates the module `name`, registered in `sys.modules`.
pub fn new_module(vm: &mut Vm, name: &str) -> PyResult<Value> {
    crate::stdlib::import::new_module(vm, name)
}

/// The namespace dict of a module value.
fn module_dict(vm: &Vm, module: Value) -> Value {
    match module {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Module(m) => Value::Obj(m.dict),
            _ => Value::None,
        },
        _ => Value::None,
    }
}

/// Binds `name` to `v` in a module's namespace.
pub fn add_value(vm: &mut Vm, module: Value, name: &str, v: Value) -> PyResult<()> {
    let d = module_dict(vm, module);
    let key = Value::Obj(vm.intern(name));
    vm.dict_set(d, key, v)
}

/// Adds a built-in function to a module.
pub fn add_fn(vm: &mut Vm, module: Value, name: &'static str, f: NativeFn) -> PyResult<()> {
    let v = native(vm, name, f);
    add_value(vm, module, name, v)
}

/// A new built-in class `module.name` (its instances are native objects).
pub fn new_type(vm: &mut Vm, name: &str, module: &str) -> ObjRef {
    let object = vm.types.object;
    let cls = vm.new_class(name, &[object], Layout::Builtin);
    let m = Value::Obj(vm.intern(module));
    if let Object::Class(c) = vm.heap.get_mut(cls) {
        c.module = m;
    }
    cls
}

/// Installs `f` as the constructor (`__new__`) of a native class; it is
/// called with the class first, then the call's arguments.
pub fn set_constructor(vm: &mut Vm, cls: ObjRef, f: NativeFn) {
    let b = native(vm, "__new__", f);
    let s = vm.alloc(Object::StaticMethod(b));
    set_class_attr(vm, cls, "__new__", s);
}

/// Adds a read-only attribute computed by `getter(obj)`.
pub fn add_getter(vm: &mut Vm, cls: ObjRef, name: &'static str, getter: NativeFn) {
    let g = native(vm, name, getter);
    let doc = Value::None;
    let pname = Value::Obj(vm.intern(name));
    let p = vm.alloc(Object::Property(Box::new([
        g,
        Value::None,
        Value::None,
        doc,
        pname,
    ])));
    set_class_attr(vm, cls, name, p);
}

/// A class object remembered in `vm.module_state` under `key`.
pub fn state_class(vm: &Vm, key: &'static str) -> ObjRef {
    match vm.module_state.get(key) {
        Some(Value::Obj(r)) => *r,
        _ => vm.types.object,
    }
}

/// Creates a native iterator class: `__iter__` returns the object itself and
/// `__next__` runs the object's step function.
pub fn new_iter_type(vm: &mut Vm, name: &str, module: &str) -> ObjRef {
    let cls = new_type(vm, name, module);
    add_method(vm, cls, "__iter__", iter_self);
    add_method(vm, cls, "__next__", iter_next_method);
    cls
}

fn iter_self(_vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(args[0])
}

fn iter_next_method(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let this = args[0];
    let step = match this {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Native(n) => n.next_fn().map(|f| (f, r)),
            _ => None,
        },
        _ => None,
    };
    let Some((f, r)) = step else {
        return Err(vm.type_error("descriptor '__next__' requires an iterator"));
    };
    match f(vm, r)? {
        Some(v) => Ok(v),
        None => Err(vm.stop_iteration(Value::None)),
    }
}

/// Allocates a native object.
pub fn alloc_native<T: crate::vm::object::NativeObject>(vm: &mut Vm, obj: T) -> Value {
    vm.alloc(Object::Native(Box::new(obj)))
}

/// The native payload of `r` (which the caller knows to be a `T`).
pub fn payload<T: crate::vm::object::NativeObject>(vm: &mut Vm, r: ObjRef) -> &mut T {
    match vm.heap.get_mut(r) {
        Object::Native(n) => match n.as_any_mut().downcast_mut::<T>() {
            Some(t) => t,
            None => panic!("native object of an unexpected type"),
        },
        _ => panic!("not a native object"),
    }
}

/// The receiver of a method, as a `T`; TypeError naming `what` otherwise
/// (methods can be called unbound on any object: `deque.pop(5)`).
pub fn receiver<T: crate::vm::object::NativeObject>(
    vm: &mut Vm,
    args: &[Value],
    method: &str,
    what: &str,
) -> PyResult<ObjRef> {
    if let Some(&Value::Obj(r)) = args.first() {
        if let Object::Native(n) = vm.heap.get(r) {
            if n.as_any().is::<T>() {
                return Ok(r);
            }
        }
    }
    let got = args
        .first()
        .map_or("nothing".to_string(), |&v| vm.type_name(v));
    Err(vm.type_error(format!(
        "descriptor '{method}' for '{what}' objects doesn't apply to a '{got}' object"
    )))
}

/// An integer argument (`__index__` honoured) as i64; TypeError "'X' object
/// cannot be interpreted as an integer", OverflowError past i64.
pub fn index_arg(vm: &mut Vm, v: Value) -> PyResult<i64> {
    match vm.plain_int(v) {
        Value::Int(i) => Ok(i),
        Value::Bool(b) => Ok(b as i64),
        Value::Obj(r) if matches!(vm.heap.get(r), Object::BigInt(_)) => Err(vm.new_error(
            ExcKind::OverflowError,
            "Python int too large to convert to C ssize_t",
        )),
        _ => {
            if matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Instance(_))) {
                if let Some(m) = vm.lookup_special(v, "__index__") {
                    let r = vm.call(m, &[], &[])?;
                    if matches!(r, Value::Int(_) | Value::Bool(_))
                        || matches!(r, Value::Obj(o) if matches!(vm.heap.get(o), Object::BigInt(_)))
                    {
                        return index_arg(vm, r);
                    }
                    let msg = format!("__index__ returned non-int (type {})", vm.type_name(r));
                    return Err(vm.type_error(msg));
                }
            }
            let msg = format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// The parameters of a built-in function, for [`bind`]: CPython's argument
/// clinic rules and messages.
pub struct Sig {
    /// The function name used in messages.
    pub name: &'static str,
    /// Parameter names in order; the first `max_pos` may be passed by position.
    pub params: &'static [&'static str],
    /// How many leading parameters are required.
    pub required: usize,
    /// How many parameters may be given by position.
    pub max_pos: usize,
    /// How many leading parameters are positional-only.
    pub pos_only: usize,
}

/// Binds `args` and `kw` to the parameters of `sig`: one slot per
/// parameter, None where not given.
pub fn bind<const N: usize>(
    vm: &mut Vm,
    sig: &Sig,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<[Option<Value>; N]> {
    let mut out = [None; N];
    let name = sig.name;
    if args.len() > sig.max_pos {
        let total = args.len() + kw.len();
        let msg = if sig.max_pos < sig.params.len() {
            format!(
                "{name}() takes at most {} positional argument{} ({} given)",
                sig.max_pos,
                if sig.max_pos == 1 { "" } else { "s" },
                args.len()
            )
        } else {
            format!(
                "{name}() takes at most {} argument{} ({total} given)",
                sig.max_pos,
                if sig.max_pos == 1 { "" } else { "s" },
            )
        };
        return Err(vm.type_error(msg));
    }
    if args.len() + kw.len() > sig.params.len() {
        let msg = format!(
            "{name}() takes at most {} arguments ({} given)",
            sig.params.len(),
            args.len() + kw.len()
        );
        return Err(vm.type_error(msg));
    }
    for (slot, &a) in out.iter_mut().zip(args) {
        *slot = Some(a);
    }
    for &(k, v) in kw {
        let key = vm.str_of(k);
        let found = sig.params[sig.pos_only..]
            .iter()
            .position(|p| *p == key)
            .map(|i| i + sig.pos_only);
        let Some(i) = found else {
            let msg = format!("'{key}' is an invalid keyword argument for {name}()");
            return Err(vm.type_error(msg));
        };
        if out[i].is_some() {
            let msg = format!(
                "argument for {name}() given by name ('{key}') and position ({})",
                i + 1
            );
            return Err(vm.type_error(msg));
        }
        out[i] = Some(v);
    }
    if let Some(i) = (0..sig.required).find(|&i| out[i].is_none()) {
        let msg = format!(
            "{name}() missing required argument '{}' (pos {})",
            sig.params[i],
            i + 1
        );
        return Err(vm.type_error(msg));
    }
    Ok(out)
}

/// TypeError "`name` expected N argument(s), got M" unless `min <= n <= max`
/// (CPython's `_PyArg_CheckPositional` wording), or "`name`() takes no
/// keyword arguments" if any keyword was given.
pub fn positional(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    min: usize,
    max: usize,
) -> PyResult<()> {
    if !kw.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    let n = args.len();
    let plural = |k: usize| if k == 1 { "" } else { "s" };
    let msg = if n < min {
        if min == max {
            format!("{name} expected {min} argument{}, got {n}", plural(min))
        } else {
            format!(
                "{name} expected at least {min} argument{}, got {n}",
                plural(min)
            )
        }
    } else if n > max {
        if min == max {
            format!("{name} expected {max} argument{}, got {n}", plural(max))
        } else {
            format!(
                "{name} expected at most {max} argument{}, got {n}",
                plural(max)
            )
        }
    } else {
        return Ok(());
    };
    Err(vm.type_error(msg))
}

/// Runs `f` with `vals` pushed on the GC's temporary roots, popping them
/// afterwards whatever `f` returns.
pub fn rooted<R>(vm: &mut Vm, vals: &[Value], f: impl FnOnce(&mut Vm) -> R) -> R {
    let n = vm.temp_roots.len();
    vm.temp_roots.extend_from_slice(vals);
    let r = f(vm);
    vm.temp_roots.truncate(n);
    r
}
