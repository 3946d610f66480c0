//! Helpers for the exception, context-manager, await and import opcodes.

use crate::bytecode::{Code, CodeKind};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{GenState, Object};
use crate::vm::value::Value;
use crate::vm::{PyErr, PyResult, Vm};

impl Vm {
    /// `RaiseVarargs(n)`: builds the exception to raise (as the error).
    pub(crate) fn raise_varargs(&mut self, n: u32) -> PyErr {
        match n {
            0 => {
                let h = self.fiber.handled;
                if h.is_none() {
                    return self.new_error(ExcKind::RuntimeError, "No active exception to reraise");
                }
                self.reraising = true;
                PyErr(h)
            }
            _ => {
                let cause = if n == 2 { self.fiber.stack.pop() } else { None };
                let exc = self.fiber.stack.pop().unwrap_or(Value::None);
                let exc = match self.make_exception(exc) {
                    Ok(e) => e,
                    Err(e) => return e,
                };
                if let Some(cause) = cause {
                    let cause = if cause.is_none() {
                        Value::None
                    } else {
                        match self.make_exception(cause) {
                            Ok(c) => c,
                            Err(_) => {
                                return self
                                    .type_error("exception causes must derive from BaseException")
                            }
                        }
                    };
                    if let Some(d) = self.exc_data_mut(exc) {
                        d.cause = cause;
                        d.suppress_context = true;
                    }
                }
                self.set_context(exc);
                PyErr(exc)
            }
        }
    }

    /// Sets `__context__` of a newly raised exception to the exception
    /// being handled, if any (CPython's `_PyErr_SetObject`: an existing
    /// context is replaced, and a cycle through the handled exception's
    /// context chain is cut).
    pub fn set_context(&mut self, exc: Value) {
        let handled = self.fiber.handled;
        if handled.is_none() || handled.is(exc) {
            return;
        }
        let mut cur = handled;
        let mut slow = handled;
        let mut toggle = false;
        while let Some(next) = self.exc_data(cur).map(|d| d.context) {
            if next.is_none() {
                break;
            }
            if next.is(exc) {
                if let Some(d) = self.exc_data_mut(cur) {
                    d.context = Value::None;
                }
                break;
            }
            cur = next;
            if cur.is(slow) {
                break;
            }
            if toggle {
                slow = self.exc_data(slow).map_or(Value::None, |d| d.context);
            }
            toggle = !toggle;
        }
        if let Some(d) = self.exc_data_mut(exc) {
            d.context = handled;
        }
    }

    /// [`Vm::set_context`] for an exception raised by the VM itself, which
    /// may pass through `unwind` several times (once per nested dispatch
    /// loop): only the first time, when it has no context yet, counts.
    pub(crate) fn set_context_if_unset(&mut self, exc: Value) {
        if self.exc_data(exc).is_some_and(|d| d.context.is_none()) {
            self.set_context(exc);
        }
    }

    /// An exception instance from `raise X`: instances as is, classes called.
    pub fn make_exception(&mut self, v: Value) -> PyResult<Value> {
        if self.exc_data(v).is_some() {
            return Ok(v);
        }
        if self.is_exception_class(v) {
            let e = self.call(v, &[], &[])?;
            if self.exc_data(e).is_some() {
                return Ok(e);
            }
        }
        Err(self.type_error("exceptions must derive from BaseException"))
    }

    /// CPython's `_PyObject_FunctionStr`, naming a callee in call errors:
    /// `module.qualname()` (no module for builtins), or `X object`.
    pub fn function_str(&mut self, f: Value) -> String {
        let qualname = self
            .get_attr_str(f, "__qualname__")
            .ok()
            .and_then(|q| self.as_str(q).map(str::to_string));
        let Some(qualname) = qualname else {
            return format!("{} object", self.type_name(f));
        };
        let module = self
            .get_attr_str(f, "__module__")
            .ok()
            .and_then(|m| self.as_str(m).map(str::to_string));
        match module {
            Some(m) if m != "builtins" => format!("{m}.{qualname}()"),
            _ => format!("{qualname}()"),
        }
    }

    /// The error of spreading `*it` into a display (`[*it]`) or, with the
    /// callee, into a call: a value that cannot be iterated at all gets
    /// CPython's wording; any other error passes through.
    pub(crate) fn star_error(&mut self, err: PyErr, it: Value, callee: Option<Value>) -> PyErr {
        let iterable = match it {
            Value::Obj(r) if matches!(self.heap.get(r), Object::Instance(_)) => {
                let cls = self.class_of(it);
                self.class_lookup(cls, "__iter__").is_some()
                    || self.class_lookup(cls, "__getitem__").is_some()
            }
            Value::Obj(_) => true,
            _ => false,
        };
        if iterable || !self.exc_matches(err.0, ExcKind::TypeError) {
            return err;
        }
        let tn = self.type_name(it);
        let msg = match callee {
            Some(f) => format!(
                "{} argument after * must be an iterable, not {tn}",
                self.function_str(f)
            ),
            None => format!("Value after * must be an iterable, not {tn}"),
        };
        self.type_error(msg)
    }

    /// The error of `f(**m)` (from `dict_update` in its no-duplicates
    /// mode), naming the callee as CPython does.
    pub(crate) fn double_star_error(&mut self, err: PyErr, callee: Value) -> PyErr {
        if !self.exc_matches(err.0, ExcKind::TypeError) {
            return err;
        }
        let msg = self.str_value(err.0).unwrap_or_default();
        if !msg.starts_with("argument after **") && !msg.starts_with("got multiple values") {
            return err;
        }
        let msg = format!("{} {msg}", self.function_str(callee));
        self.type_error(msg)
    }

    /// `CheckExcMatch`.
    pub(crate) fn exception_matches(&mut self, exc: Value, typ: Value) -> PyResult<bool> {
        if let Some(items) = self.seq_items(typ) {
            let items = items.to_vec();
            for t in items {
                if self.exception_matches(exc, t)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        if !self.is_exception_class(typ) {
            return Err(self.type_error(
                "catching classes that do not inherit from BaseException is not allowed",
            ));
        }
        let Value::Obj(t) = typ else { unreachable!() };
        Ok(self.is_instance(exc, t))
    }

    /// `BeforeWith`: (bound `__exit__`, result of `__enter__()`).
    pub(crate) fn before_with(&mut self, mgr: Value) -> PyResult<(Value, Value)> {
        let enter = self.lookup_special(mgr, "__enter__");
        let exit = self.lookup_special(mgr, "__exit__");
        let (Some(enter), Some(exit)) = (enter, exit) else {
            let tn = self.type_name(mgr);
            let msg = if enter.is_some() {
                format!("'{tn}' object does not support the context manager protocol (missed __exit__ method)")
            } else {
                format!("'{tn}' object does not support the context manager protocol")
            };
            return Err(self.type_error(msg));
        };
        self.temp_roots.push(exit);
        let r = self.call(enter, &[], &[]);
        self.temp_roots.pop();
        Ok((exit, r?))
    }

    /// `BeforeAsyncWith`: (bound `__aexit__`, awaitable of `__aenter__()`).
    pub(crate) fn before_async_with(&mut self, mgr: Value) -> PyResult<(Value, Value)> {
        let enter = self.lookup_special(mgr, "__aenter__");
        let exit = self.lookup_special(mgr, "__aexit__");
        let (Some(enter), Some(exit)) = (enter, exit) else {
            let missed = if enter.is_some() {
                " (missed __aexit__ method)"
            } else {
                ""
            };
            let msg = format!(
                "'{}' object does not support the asynchronous context manager protocol{missed}",
                self.type_name(mgr)
            );
            return Err(self.type_error(msg));
        };
        self.temp_roots.push(exit);
        // A built-in `__aenter__` is the operand of this `await`.
        self.awaited_call =
            matches!(enter, Value::Obj(r) if matches!(self.heap.get(r), Object::Builtin(_)));
        let r = self.call(enter, &[], &[]);
        self.awaited_call = false;
        let aw = r.and_then(|v| self.get_with_awaitable(v, "__aenter__"));
        self.temp_roots.pop();
        Ok((exit, aw?))
    }

    /// `GetAwaitable` on what `__aenter__`/`__aexit__` returned: an object
    /// with no `__await__` gets CPython's `async with` message.
    pub(crate) fn get_with_awaitable(&mut self, v: Value, method: &str) -> PyResult<Value> {
        let awaitable = match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Generator(g) => g.kind == CodeKind::Coroutine,
                Object::Native(n) => n.awaitable(),
                _ => self.lookup_special(v, "__await__").is_some(),
            },
            _ => false,
        };
        if !awaitable {
            let msg = format!(
                "'async with' received an object from {method} that does not implement __await__: {}",
                self.type_name(v)
            );
            return Err(self.type_error(msg));
        }
        self.get_awaitable(v)
    }

    /// `WithExceptStart`: `exit(type, exc, tb)`.
    pub(crate) fn with_except_start(&mut self, exit: Value, exc: Value) -> PyResult<Value> {
        let typ = Value::Obj(self.class_of(exc));
        self.call(exit, &[typ, exc, Value::None], &[])
    }

    /// `GetAwaitable`.
    pub(crate) fn get_awaitable(&mut self, v: Value) -> PyResult<Value> {
        if let Value::Obj(r) = v {
            match self.heap.get(r) {
                Object::Generator(g) if g.kind == CodeKind::Coroutine => {
                    if g.state == GenState::Finished {
                        return Err(self.new_error(
                            ExcKind::RuntimeError,
                            "cannot reuse already awaited coroutine",
                        ));
                    }
                    return Ok(v);
                }
                Object::Native(n) if n.awaitable() => return Ok(v),
                _ => {}
            }
        }
        if let Some(m) = self.lookup_special(v, "__await__") {
            let it = self.call(m, &[], &[])?;
            let is_iter = match it {
                Value::Obj(r) => match self.heap.get(r) {
                    Object::Generator(g) if g.kind == CodeKind::Coroutine => {
                        return Err(self.type_error("__await__() returned a coroutine"));
                    }
                    Object::Generator(_) | Object::Iter(_) | Object::GenOp(_) => true,
                    _ => self.lookup_special(it, "__next__").is_some(),
                },
                _ => false,
            };
            if !is_iter {
                let msg = format!(
                    "__await__() returned non-iterator of type '{}'",
                    self.type_name(it)
                );
                return Err(self.type_error(msg));
            }
            return Ok(it);
        }
        let msg = format!(
            "object {} can't be used in 'await' expression",
            self.type_name(v)
        );
        Err(self.type_error(msg))
    }

    /// `GetYieldFromIter`.
    pub(crate) fn get_yield_from_iter(&mut self, v: Value, code: &Code) -> PyResult<Value> {
        if let Value::Obj(r) = v {
            if let Object::Generator(g) = self.heap.get(r) {
                if g.kind == CodeKind::Coroutine && code.kind != CodeKind::Coroutine {
                    return Err(self.type_error(
                        "cannot 'yield from' a coroutine object in a non-coroutine generator",
                    ));
                }
                return Ok(v);
            }
        }
        self.get_iter(v)
    }

    /// `GetAIter`.
    pub(crate) fn get_aiter(&mut self, v: Value) -> PyResult<Value> {
        match self.lookup_special(v, "__aiter__") {
            Some(m) => {
                let it = self.call(m, &[], &[])?;
                if self.lookup_special(it, "__anext__").is_none() {
                    let msg = format!(
                        "'async for' received an object from __aiter__ that does not implement __anext__: {}",
                        self.type_name(it)
                    );
                    return Err(self.type_error(msg));
                }
                Ok(it)
            }
            None => {
                let msg = format!(
                    "'async for' requires an object with __aiter__ method, got {}",
                    self.type_name(v)
                );
                Err(self.type_error(msg))
            }
        }
    }

    /// `GetANext`: the awaitable of `__anext__()`.
    pub(crate) fn get_anext(&mut self, v: Value) -> PyResult<Value> {
        // An async generator is its own `__anext__` awaitable: `Send` on it
        // runs one step (see `Vm::anext_step`), with no object allocated.
        if let Value::Obj(r) = v {
            if matches!(self.heap.get(r), Object::Generator(g) if g.kind == CodeKind::AsyncGenerator)
                && !self.heap.has_ext(r)
            {
                return Ok(v);
            }
        }
        match self.lookup_special(v, "__anext__") {
            Some(m) => {
                let aw = self.call(m, &[], &[])?;
                self.get_awaitable(aw).map_err(|_| {
                    let msg = format!(
                        "'async for' received an invalid object from __anext__: {}",
                        self.type_name(aw)
                    );
                    self.type_error(msg)
                })
            }
            None => {
                let msg = format!(
                    "'async for' requires an iterator with __anext__ method, got {}",
                    self.type_name(v)
                );
                Err(self.type_error(msg))
            }
        }
    }

    // ---- imports ---------------------------------------------------------

    /// `ImportName`: the module named by a (dotted) name string.
    /// A relative name (leading dots) is resolved against the
    /// `__package__` of `globals`, the importing module's namespace.
    pub(crate) fn import_module_value(
        &mut self,
        name: Value,
        globals: crate::vm::value::ObjRef,
    ) -> PyResult<Value> {
        let mut n = self.str_of(name).to_string();
        if n.starts_with('.') {
            let key = Value::Obj(self.intern("__package__"));
            let package = self.dict_get(Value::Obj(globals), key)?;
            let package = package.and_then(|p| self.as_str(p).map(str::to_string));
            n = crate::stdlib::import::resolve_relative(self, &n, package.as_deref())?;
        }
        crate::stdlib::import::import_module(self, &n)
    }

    /// `ImportFrom`.
    pub(crate) fn import_from(&mut self, module: Value, name: Value) -> PyResult<Value> {
        match self.get_attr_opt(module, name)? {
            Some(v) => Ok(v),
            None => {
                // A submodule not yet imported.
                let mname = self.get_attr_str(module, "__name__")?;
                let full = format!("{}.{}", self.str_of(mname), self.str_of(name));
                if let Ok(m) = crate::stdlib::import::import_module(self, &full) {
                    return Ok(m);
                }
                // CPython names the module's file, or "unknown location".
                let file_key = Value::Obj(self.intern("__file__"));
                let file = match self.get_attr_opt(module, file_key)? {
                    Some(f) if self.as_str(f).is_some_and(|f| !f.starts_with('<')) => {
                        self.str_of(f).to_string()
                    }
                    _ => "unknown location".to_string(),
                };
                let msg = format!(
                    "cannot import name '{}' from '{}' ({file})",
                    self.str_of(name),
                    self.str_of(mname)
                );
                Err(self.new_error(ExcKind::ImportError, msg))
            }
        }
    }

    /// `ImportStar`: copies public names into the namespace.
    pub(crate) fn import_star(&mut self, module: Value, ns: Value) -> PyResult<()> {
        let Value::Obj(r) = module else { return Ok(()) };
        let Object::Module(m) = self.heap.get(r) else {
            return Ok(());
        };
        let d = m.dict;
        let pairs: Vec<(Value, Value)> = match self.heap.get(d) {
            Object::Dict(t) => t.iter().map(|e| (e.key, e.value)).collect(),
            _ => Vec::new(),
        };
        for (k, v) in pairs {
            if !self.str_of(k).starts_with('_') {
                self.namespace_set(ns, k, v)?;
            }
        }
        Ok(())
    }
}
