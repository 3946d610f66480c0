//! Calling: the call instructions, argument binding, frames for aspy
//! functions, and calls from Rust into aspy code. Generator resumption is
//! in `gen.rs`.

use super::exceptions::ExcKind;
use super::frame::{Frame, FrameMode};
use super::interp::{CallOutcome, Exit};
use super::object::{BoundMethod, Dict, Function, Instance, Layout, Object, Payload, VmCode};
use super::value::{ObjRef, Value};
use super::{PyErr, PyResult, Vm};
use crate::bytecode::opcode::{
    MAKE_FN_ANNOTATIONS, MAKE_FN_CLOSURE, MAKE_FN_DEFAULTS, MAKE_FN_KWDEFAULTS,
};
use std::rc::Rc;

/// Calls of built-in functions with fewer positional arguments than this
/// (and no keywords) pass them in a buffer on the Rust stack.
const INLINE_ARGS: usize = 8;

/// Entries in `Vm::init_cache`.
pub(crate) const INIT_CACHE_SIZE: usize = 64;

/// One entry of `Vm::init_cache`: a class's `__new__` and `__init__` as
/// found along its MRO, and its `__init__` function if calls of the class
/// can run it inline (see [`Vm::plain_init`]). Valid for `class` while
/// `Vm::class_epoch` is `epoch` (0: empty); the values are not traced, as
/// while the entry is valid the class holds them.
#[derive(Clone, Copy, Default)]
pub(crate) struct InitCache {
    epoch: u64,
    class: Option<ObjRef>,
    new: Option<Value>,
    init: Option<Value>,
    plain_init: Option<ObjRef>,
    /// For a built-in type (`str`, `int`, `tuple`, ...) whose `__new__` is
    /// a built-in function and whose `__init__` is `object.__init__`: that
    /// function, which alone makes the value of a call of the class.
    native_new: Option<super::object::NativeFn>,
    /// The `__call__` of the class's metaclass when it is not
    /// `type.__call__` (a singleton metaclass, say): calls of the class go
    /// to it instead of making an instance. None for every class whose
    /// metaclass is `type`.
    meta_call: Option<Value>,
}

impl Vm {
    /// `Call`, `CallMethod` and `CallKw`: the callee and arguments are on the
    /// stack (see opcode.rs).
    pub(crate) fn call_instr(
        &mut self,
        argc: usize,
        kwnames: Option<Value>,
        method: bool,
    ) -> PyResult<CallOutcome> {
        let len = self.fiber.stack.len();
        let (func_pos, args_start, nargs) = if method {
            let recv = self.fiber.stack[len - argc - 1];
            if recv.is_unbound() {
                (len - argc - 2, len - argc, argc)
            } else {
                (len - argc - 2, len - argc - 1, argc + 1)
            }
        } else {
            (len - argc - 1, len - argc, argc)
        };
        let callee = self.fiber.stack[func_pos];
        self.call_at(callee, func_pos, args_start, nargs, kwnames, false)
    }

    /// A positional call of the built-in function `r` whose `nargs`
    /// arguments are the top of the stack, the callee at `func_pos`: runs
    /// it and leaves the stack cut back to `func_pos` (the caller pushes
    /// the result). Also a call of a built-in type made by its `__new__`
    /// alone (see `InitCache::native_new`). None, touching nothing, for
    /// anything else or too many arguments.
    #[inline]
    pub(crate) fn call_builtin_top(
        &mut self,
        r: ObjRef,
        func_pos: usize,
        nargs: usize,
    ) -> Option<PyResult<Value>> {
        if nargs >= INLINE_ARGS {
            return None;
        }
        let (f, receiver, self_method, builtin) = match self.heap.get(r) {
            Object::Builtin(b) => (b.func, b.receiver, b.self_method, true),
            // `str(x)`, `int(s)`, ...: the type's `__new__` with the type
            // as its first argument is the whole call.
            Object::Class(_) => {
                let new = self.class_call_entry(r).native_new?;
                (new, Value::Obj(r), false, false)
            }
            _ => return None,
        };
        // The arguments stay rooted on the stack; the copy is because the
        // native function may grow (move) the stack.
        let mut buf = [Value::None; INLINE_ARGS];
        let skip = !receiver.is_unbound() as usize;
        buf[0] = receiver;
        let len = self.fiber.stack.len();
        buf[skip..skip + nargs].copy_from_slice(&self.fiber.stack[len - nargs..]);
        // A lock/event/queue operation awaited at once runs in its task.
        self.awaited_call = builtin && self.next_instr_awaits();
        let v = self.run_native(f, self_method, &buf[..skip + nargs], &[]);
        self.awaited_call = false;
        if v.is_ok() {
            self.fiber.stack.truncate(func_pos);
        }
        Some(v)
    }

    /// `CallEx`: `callable args_tuple [kwargs_dict]`.
    pub(crate) fn call_ex_instr(&mut self, has_kwargs: bool) -> PyResult<CallOutcome> {
        let kwargs = if has_kwargs {
            self.fiber.stack.pop().unwrap()
        } else {
            Value::None
        };
        let args = self.fiber.stack.pop().unwrap();
        let func_pos = self.fiber.stack.len() - 1;
        if let Some(v) = self.call_ex_builtin(func_pos, args, kwargs)? {
            return Ok(CallOutcome::Done(v));
        }
        // Keep the parts rooted while we spread them onto the stack.
        self.temp_roots.push(args);
        self.temp_roots.push(kwargs);
        // A tuple or list is copied straight onto the stack.
        let items: Option<&[Value]> = match args {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Tuple(t) => Some(t),
                Object::List(l) => Some(l),
                _ => None,
            },
            _ => None,
        };
        let nargs = match items {
            Some(items) => {
                self.fiber.stack.extend_from_slice(items);
                items.len()
            }
            None => match self.collect_iterable(args) {
                Ok(p) => {
                    let n = p.len();
                    self.fiber.stack.extend(p);
                    n
                }
                Err(e) => {
                    let callee = self.fiber.stack[func_pos];
                    let e = self.star_error(e, args, Some(callee));
                    self.temp_roots.truncate(self.temp_roots.len() - 2);
                    return Err(e);
                }
            },
        };
        let mut kwnames = None;
        if let Value::Obj(r) = kwargs {
            let entries: Vec<(Value, Value)> = match self.heap.get(r) {
                Object::Dict(d) => d.iter().map(|e| (e.key, e.value)).collect(),
                _ => Vec::new(),
            };
            if !entries.is_empty() {
                let mut names = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    if self.as_str(k).is_none() {
                        self.temp_roots.truncate(self.temp_roots.len() - 2);
                        return Err(self.type_error("keywords must be strings"));
                    }
                    names.push(k);
                    self.fiber.stack.push(v);
                }
                kwnames = Some(self.new_tuple(names));
            }
        }
        self.temp_roots.truncate(self.temp_roots.len() - 2);
        let total = self.fiber.stack.len() - func_pos - 1;
        let callee = self.fiber.stack[func_pos];
        let _ = nargs;
        self.call_at(callee, func_pos, func_pos + 1, total, kwnames, false)
    }

    /// `CallEx` of a built-in function with no bound receiver and no
    /// keyword arguments, from a tuple or list: the function gets the items
    /// of a tuple (the list's copied into one, as CPython does) without
    /// spreading them onto the stack and copying them again. None if the
    /// call is not of that kind.
    fn call_ex_builtin(
        &mut self,
        func_pos: usize,
        args: Value,
        kwargs: Value,
    ) -> PyResult<Option<Value>> {
        let (Value::Obj(f), Value::Obj(a)) = (self.fiber.stack[func_pos], args) else {
            return Ok(None);
        };
        let Object::Builtin(b) = self.heap.get(f) else {
            return Ok(None);
        };
        let (func, self_method) = (b.func, b.self_method);
        let no_kwargs = match kwargs {
            Value::None => true,
            Value::Obj(k) => matches!(self.heap.get(k), Object::Dict(d) if d.is_empty()),
            _ => false,
        };
        if !b.receiver.is_unbound() || !no_kwargs {
            return Ok(None);
        }
        let tuple = match self.heap.get(a) {
            Object::Tuple(_) => args,
            Object::List(l) => {
                let items = l.to_vec();
                self.new_tuple(items)
            }
            _ => return Ok(None),
        };
        let Object::Tuple(items) = self.heap.get(tuple.as_obj().unwrap_or(a)) else {
            unreachable!("a tuple")
        };
        let items: *const [Value] = &**items;
        self.temp_roots.push(tuple);
        self.awaited_call = self.next_instr_awaits();
        // SAFETY: a tuple never changes and its items live in their own
        // allocation, which stays put while the tuple is alive; it is
        // rooted until the call returns.
        let r = self.run_native(func, self_method, unsafe { &*items }, &[]);
        self.awaited_call = false;
        self.temp_roots.pop();
        self.fiber.stack.truncate(func_pos);
        r.map(Some)
    }

    /// Calls `callee` whose arguments are `stack[args_start..args_start+nargs]`
    /// (the last `len(kwnames)` of them keyword arguments). On return the
    /// stack is cut back to `func_pos`. With `native`, aspy frames run to
    /// completion in a nested loop instead of being left to the caller's loop.
    pub(crate) fn call_at(
        &mut self,
        callee: Value,
        func_pos: usize,
        args_start: usize,
        nargs: usize,
        kwnames: Option<Value>,
        native: bool,
    ) -> PyResult<CallOutcome> {
        let Value::Obj(r) = callee else {
            return Err(self.not_callable(callee));
        };
        match self.heap.get(r) {
            Object::Function(_) => {
                let mode = if native {
                    FrameMode::Native
                } else {
                    FrameMode::Call
                };
                self.call_function(r, func_pos, args_start, nargs, kwnames, mode)
            }
            Object::BoundMethod(BoundMethod { func, receiver }) => {
                let (func, receiver) = (Value::Obj(*func), *receiver);
                let args_start = if args_start > func_pos + 1 {
                    // `CallMethod` left a NULL slot: the receiver goes there.
                    self.fiber.stack[args_start - 1] = receiver;
                    args_start - 1
                } else {
                    self.fiber.stack.insert(args_start, receiver);
                    args_start
                };
                self.fiber.stack[func_pos] = func;
                self.call_at(func, func_pos, args_start, nargs + 1, kwnames, native)
            }
            Object::Builtin(b) if kwnames.is_none() && nargs < INLINE_ARGS => {
                // The common case, without allocating: copy the arguments
                // (still rooted on the stack) into a buffer on the Rust
                // stack, since the native function may grow the value stack.
                let (f, receiver, self_method) = (b.func, b.receiver, b.self_method);
                let mut buf = [Value::None; INLINE_ARGS];
                let skip = !receiver.is_unbound() as usize;
                buf[0] = receiver;
                buf[skip..skip + nargs]
                    .copy_from_slice(&self.fiber.stack[args_start..args_start + nargs]);
                if !native {
                    self.awaited_call = self.next_instr_awaits();
                }
                let v = self.run_native(f, self_method, &buf[..skip + nargs], &[]);
                self.awaited_call = false;
                self.fiber.stack.truncate(func_pos);
                Ok(CallOutcome::Done(v?))
            }
            Object::Builtin(b) => {
                let (f, receiver, self_method) = (b.func, b.receiver, b.self_method);
                let mut args: Vec<Value> = Vec::with_capacity(nargs + 1);
                if !receiver.is_unbound() {
                    args.push(receiver);
                }
                let kw = self.split_kwargs(args_start, nargs, kwnames, &mut args);
                let v = self.run_native(f, self_method, &args, &kw)?;
                self.fiber.stack.truncate(func_pos);
                Ok(CallOutcome::Done(v))
            }
            Object::Class(_) => self.call_class(r, func_pos, args_start, nargs, kwnames, native),
            _ => {
                // Instances and other objects with `__call__`: a plain
                // function or built-in method gets the object as its first
                // argument; any other attribute is bound first.
                let cls = self.class_of(callee);
                let Some(m) = self.class_lookup(cls, "__call__") else {
                    return Err(self.not_callable(callee));
                };
                let plain = matches!(m, Value::Obj(mr) if match self.heap.get(mr) {
                    Object::Function(_) => true,
                    Object::Builtin(b) => b.receiver.is_unbound(),
                    _ => false,
                });
                if plain {
                    self.fiber.stack.insert(args_start, callee);
                    self.fiber.stack[func_pos] = m;
                    return self.call_at(m, func_pos, args_start, nargs + 1, kwnames, native);
                }
                let Some(bound) = self.lookup_special(callee, "__call__") else {
                    return Err(self.not_callable(callee));
                };
                self.fiber.stack[func_pos] = bound;
                self.call_at(bound, func_pos, args_start, nargs, kwnames, native)
            }
        }
    }

    /// Runs a Rust function. A type's method (`self_method`) whose receiver
    /// is a built-in subclass instance runs with `builtin_self` set to it,
    /// so the operations it applies to its receiver are the built-in ones
    /// (`super().__getitem__(k)` in a dict subclass's `__getitem__` must
    /// not call that `__getitem__` again), as CPython's C methods are.
    #[inline]
    pub(crate) fn run_native(
        &mut self,
        f: super::object::NativeFn,
        self_method: bool,
        args: &[Value],
        kw: &[(Value, Value)],
    ) -> PyResult<Value> {
        let receiver = match args.first() {
            Some(&Value::Obj(r)) if self_method && self.heap.has_ext(r) => Some(r),
            _ => None,
        };
        if receiver.is_none() && self.builtin_self.is_none() {
            return f(self, args, kw);
        }
        let saved = std::mem::replace(&mut self.builtin_self, receiver);
        let r = f(self, args, kw);
        self.builtin_self = saved;
        r
    }

    /// Is the instruction after the running call a `GetAwaitable` (the
    /// call is the operand of an `await`)?
    fn next_instr_awaits(&self) -> bool {
        self.fiber.frames.last().is_some_and(|f| {
            matches!(
                f.code.instrs.get(f.ip as usize),
                Some(crate::bytecode::Instr::GetAwaitable)
            )
        })
    }

    /// Copies positional arguments into `out` and returns keyword pairs.
    fn split_kwargs(
        &mut self,
        args_start: usize,
        nargs: usize,
        kwnames: Option<Value>,
        out: &mut Vec<Value>,
    ) -> Vec<(Value, Value)> {
        let all = &self.fiber.stack[args_start..args_start + nargs];
        let names: &[Value] = match kwnames {
            Some(n) => self.seq_items(n).unwrap_or(&[]),
            None => &[],
        };
        let npos = nargs - names.len();
        out.extend_from_slice(&all[..npos]);
        names
            .iter()
            .zip(&all[npos..])
            .map(|(&k, &v)| (k, v))
            .collect()
    }

    fn not_callable(&mut self, v: Value) -> PyErr {
        let msg = format!("'{}' object is not callable", self.type_name(v));
        self.type_error(msg)
    }

    /// Calls an aspy function: binds the arguments in place and pushes a
    /// frame, or builds a generator/coroutine object.
    fn call_function(
        &mut self,
        fref: ObjRef,
        func_pos: usize,
        args_start: usize,
        nargs: usize,
        kwnames: Option<Value>,
        mode: FrameMode,
    ) -> PyResult<CallOutcome> {
        let Object::Function(f) = self.heap.get(fref) else {
            unreachable!()
        };
        let code = f.code.clone();
        let globals = f.globals;
        let c = &*code.code;
        let nslots = c.nslots();
        let simple = kwnames.is_none()
            && nargs == c.argcount as usize
            && c.kwonlyargcount == 0
            && !c.varargs
            && !c.varkeywords;
        if simple {
            self.fiber.stack.resize(args_start + nslots, Value::Unbound);
        } else {
            let slots = self.bind_arguments(fref, args_start, nargs, kwnames)?;
            self.fiber.stack.truncate(args_start);
            self.fiber.stack.extend(slots);
        }
        self.init_cells(fref, &code, args_start);
        if c.is_resumable() {
            let gen = self.new_generator(fref, code, args_start);
            self.fiber.stack.truncate(func_pos);
            return Ok(CallOutcome::Done(gen));
        }
        if self.fiber.frames.len() >= self.config.recursion_limit {
            self.fiber.stack.truncate(func_pos);
            return Err(self.new_error(ExcKind::RecursionError, "maximum recursion depth exceeded"));
        }
        self.fiber.frames.push(Frame {
            code,
            ip: 0,
            base: args_start as u32,
            ret_sp: func_pos as u32,
            globals,
            locals: Value::None,
            mode,
            generator: None,
        });
        if mode == FrameMode::Native {
            let stop = self.fiber.frames.len() - 1;
            return match self.run_nested(stop)? {
                Exit::Return(v) => Ok(CallOutcome::Done(v)),
                Exit::Yield(v) | Exit::Suspend(v) => Ok(CallOutcome::Done(v)),
            };
        }
        Ok(CallOutcome::Pushed)
    }

    /// Runs the frames from `stop` up in a nested dispatch loop.
    pub(crate) fn run_nested(&mut self, stop: usize) -> PyResult<Exit> {
        if self.native_depth >= self.config.recursion_limit {
            // Drop the frame we were about to run.
            let fr = self.fiber.frames.pop().unwrap();
            self.fiber.stack.truncate(fr.ret_sp as usize);
            return Err(self.new_error(ExcKind::RecursionError, "maximum recursion depth exceeded"));
        }
        self.native_depth += 1;
        // aspy code run from a built-in method sees every override again.
        let saved = self.builtin_self.take();
        let r = self.run_frames(stop);
        self.builtin_self = saved;
        self.native_depth -= 1;
        r
    }

    /// Creates the cells of a new frame and copies in the closure.
    fn init_cells(&mut self, fref: ObjRef, code: &Rc<VmCode>, base: usize) {
        let c = &*code.code;
        for &slot in &c.cell_slots {
            let v = self.fiber.stack[base + slot as usize];
            let cell = self.alloc(Object::Cell(v));
            self.fiber.stack[base + slot as usize] = cell;
        }
        if c.nfree > 0 {
            let first = c.nslots() - c.nfree as usize;
            if let Object::Function(f) = self.heap.get(fref) {
                for (k, &cell) in f.closure.iter().enumerate() {
                    self.fiber.stack[base + first + k] = cell;
                }
            }
        }
    }

    /// Builds the slot values for a call that is not the simple positional
    /// case, raising CPython's TypeErrors for mismatches.
    fn bind_arguments(
        &mut self,
        fref: ObjRef,
        args_start: usize,
        nargs: usize,
        kwnames: Option<Value>,
    ) -> PyResult<Vec<Value>> {
        let Object::Function(f) = self.heap.get(fref) else {
            unreachable!()
        };
        let code = f.code.code.clone();
        let defaults = f.defaults.to_vec();
        let kwdefaults = f.kwdefaults;
        let qualname = self.str_of(f.qualname).to_string();
        let mut pos: Vec<Value> = Vec::with_capacity(nargs);
        let kw = self.split_kwargs(args_start, nargs, kwnames, &mut pos);
        let npos = code.argcount as usize;
        let nkwonly = code.kwonlyargcount as usize;
        let mut slots = vec![Value::Unbound; code.nslots()];
        let mut extra_slot = npos + nkwonly;
        if pos.len() > npos && !code.varargs {
            return Err(self.too_many_positional(&qualname, &code, defaults.len(), pos.len(), &kw));
        }
        for (i, &v) in pos.iter().take(npos).enumerate() {
            slots[i] = v;
        }
        if code.varargs {
            let rest = if pos.len() > npos {
                pos[npos..].to_vec()
            } else {
                Vec::new()
            };
            slots[extra_slot] = self.new_tuple(rest);
            extra_slot += 1;
        }
        let kwdict = if code.varkeywords {
            let d = self.new_dict();
            slots[extra_slot] = d;
            Some(d)
        } else {
            None
        };
        let mut posonly_as_kw: Vec<String> = Vec::new();
        for (k, v) in kw {
            let name = self.str_of(k).to_string();
            let idx = code.varnames[..npos + nkwonly]
                .iter()
                .position(|n| **n == *name);
            match idx {
                Some(i) if i >= code.posonlyargcount as usize => {
                    if !slots[i].is_unbound() {
                        return Err(self.type_error(format!(
                            "{qualname}() got multiple values for argument '{name}'"
                        )));
                    }
                    slots[i] = v;
                }
                _ => match kwdict {
                    Some(d) => self.dict_set(d, k, v)?,
                    None => {
                        if idx.is_some() {
                            posonly_as_kw.push(name);
                            continue;
                        }
                        return Err(self.type_error(format!(
                            "{qualname}() got an unexpected keyword argument '{name}'"
                        )));
                    }
                },
            }
        }
        if !posonly_as_kw.is_empty() {
            return Err(self.type_error(format!(
                "{qualname}() got some positional-only arguments passed as keyword arguments: '{}'",
                posonly_as_kw.join(", ")
            )));
        }
        let first_default = npos - defaults.len().min(npos);
        let mut missing: Vec<String> = Vec::new();
        for i in 0..npos {
            if slots[i].is_unbound() {
                if i >= first_default {
                    slots[i] = defaults[i - first_default];
                } else {
                    missing.push(format!("'{}'", code.varnames[i]));
                }
            }
        }
        if !missing.is_empty() {
            return Err(self.missing_args(&qualname, "positional", &missing));
        }
        for (i, slot) in slots.iter_mut().enumerate().skip(npos).take(nkwonly) {
            if slot.is_unbound() {
                let name = Value::Obj(self.intern(&code.varnames[i].clone()));
                let d = if kwdefaults.is_none() {
                    None
                } else {
                    self.dict_get(kwdefaults, name)?
                };
                match d {
                    Some(v) => *slot = v,
                    None => missing.push(format!("'{}'", code.varnames[i])),
                }
            }
        }
        if !missing.is_empty() {
            return Err(self.missing_args(&qualname, "keyword-only", &missing));
        }
        Ok(slots)
    }

    fn too_many_positional(
        &mut self,
        qualname: &str,
        code: &crate::bytecode::Code,
        ndefaults: usize,
        given: usize,
        kw: &[(Value, Value)],
    ) -> PyErr {
        let npos = code.argcount as usize;
        let takes = if ndefaults > 0 && ndefaults <= npos && ndefaults != 0 {
            format!("from {} to {}", npos - ndefaults, npos)
        } else {
            npos.to_string()
        };
        let plural = if npos == 1 && ndefaults == 0 { "" } else { "s" };
        let kwonly_given = kw
            .iter()
            .filter(|(k, _)| {
                let n = self.str_of(*k);
                code.varnames[npos..npos + code.kwonlyargcount as usize]
                    .iter()
                    .any(|v| **v == *n)
            })
            .count();
        let was = if given == 1 { "was" } else { "were" };
        let msg = if kwonly_given > 0 {
            format!(
                "{qualname}() takes {takes} positional argument{plural} but {given} positional argument{} (and {kwonly_given} keyword-only argument{}) were given",
                if given == 1 { "" } else { "s" },
                if kwonly_given == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{qualname}() takes {takes} positional argument{plural} but {given} {was} given"
            )
        };
        self.type_error(msg)
    }

    fn missing_args(&mut self, qualname: &str, kind: &str, missing: &[String]) -> PyErr {
        let n = missing.len();
        let list = match n {
            1 => missing[0].clone(),
            2 => format!("{} and {}", missing[0], missing[1]),
            _ => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
        };
        let plural = if n == 1 { "" } else { "s" };
        self.type_error(format!(
            "{qualname}() missing {n} required {kind} argument{plural}: {list}"
        ))
    }

    /// The `__init__` function of a class whose instances are plain (layout
    /// `Object`, `object.__new__`), if it is an aspy function: the dispatch
    /// loop then allocates the instance and runs `__init__` inline. Cached
    /// per class and class epoch in `Vm::init_cache`.
    #[inline]
    pub(crate) fn plain_init(&mut self, cls: ObjRef) -> Option<ObjRef> {
        let e = self.class_call_entry(cls);
        e.plain_init
    }

    /// The class attributes `__new__` and `__init__` (as stored, unbound)
    /// of `cls`, from `Vm::init_cache`.
    #[inline]
    fn class_new_init(&mut self, cls: ObjRef) -> (Option<Value>, Option<Value>) {
        let e = self.class_call_entry(cls);
        (e.new, e.init)
    }

    /// The `init_cache` entry of `cls`, refilled if stale.
    #[inline]
    fn class_call_entry(&mut self, cls: ObjRef) -> InitCache {
        let slot = cls.index() % INIT_CACHE_SIZE;
        let e = self.init_cache[slot];
        if e.epoch == self.class_epoch && e.class == Some(cls) {
            return e;
        }
        let new = self.class_lookup(cls, "__new__");
        let init = self.class_lookup(cls, "__init__");
        let meta_call = self.meta_call(cls);
        let plain = matches!(self.heap.get(cls), Object::Class(c) if c.layout == Layout::Object)
            && new.is_none_or(|n| n.is(self.object_new))
            && meta_call.is_none();
        let plain_init = match init {
            Some(Value::Obj(f)) if plain && matches!(self.heap.get(f), Object::Function(_)) => {
                Some(f)
            }
            _ => None,
        };
        let builtin_type =
            matches!(self.heap.get(cls), Object::Class(c) if c.layout == Layout::Builtin);
        let native_new = match new {
            Some(Value::Obj(n))
                if builtin_type && init.is_some_and(|i| self.is_default_init(i)) =>
            {
                // `__new__` is stored as a static method.
                let f = match self.heap.get(n) {
                    Object::StaticMethod(Value::Obj(f)) => *f,
                    _ => n,
                };
                match self.heap.get(f) {
                    Object::Builtin(b) if b.receiver.is_unbound() && !b.self_method => Some(b.func),
                    _ => None,
                }
            }
            _ => None,
        };
        let e = InitCache {
            epoch: self.class_epoch,
            class: Some(cls),
            new,
            init,
            plain_init,
            native_new,
            meta_call,
        };
        self.init_cache[slot] = e;
        e
    }

    /// The `__call__` of `cls`'s metaclass, unless the class has none
    /// (`type`) or it is `type.__call__`.
    fn meta_call(&mut self, cls: ObjRef) -> Option<Value> {
        let meta = match self.heap.get(cls) {
            Object::Class(c) => c.meta?,
            _ => return None,
        };
        self.class_lookup(meta, "__call__")
            .filter(|m| !m.is(self.type_call))
    }

    /// `object.__init__` or `type.__init__`: an `__init__` that does
    /// nothing after a built-in `__new__`.
    #[inline]
    fn is_default_init(&self, init: Value) -> bool {
        init.is(self.object_init) || init.is(self.type_init)
    }

    /// A new instance of a plain class, with no attributes yet.
    #[inline]
    pub(crate) fn new_plain_instance(&mut self, cls: ObjRef) -> Value {
        self.alloc(Object::Instance(Instance {
            class: cls,
            attrs: Default::default(),
            payload: Payload::None,
        }))
    }

    /// Calling a class: make an instance and run `__init__`.
    fn call_class(
        &mut self,
        cls: ObjRef,
        func_pos: usize,
        args_start: usize,
        nargs: usize,
        kwnames: Option<Value>,
        native: bool,
    ) -> PyResult<CallOutcome> {
        if let Some(m) = self.class_call_entry(cls).meta_call {
            // `type(cls).__call__(cls, *args)`, as for any callable object.
            let m = self.bind(m, Value::Obj(cls), self.class_of(Value::Obj(cls)));
            self.fiber.stack[func_pos] = m;
            return self.call_at(m, func_pos, args_start, nargs, kwnames, native);
        }
        self.instantiate_at(cls, func_pos, args_start, nargs, kwnames, native)
    }

    /// Lays a call from Rust out on the stack as the dispatch loop does:
    /// the callee, the positional arguments, the keyword values. Returns
    /// the callee's position, the number of arguments and the tuple of
    /// keyword names, which is pushed on `temp_roots` (the caller pops it).
    fn spread_call(
        &mut self,
        callee: Value,
        args: &[Value],
        kw: &[(Value, Value)],
    ) -> (usize, usize, Option<Value>) {
        let func_pos = self.fiber.stack.len();
        self.fiber.stack.push(callee);
        self.fiber.stack.extend_from_slice(args);
        let mut kwnames = None;
        if !kw.is_empty() {
            let names: Vec<Value> = kw.iter().map(|&(k, _)| k).collect();
            self.fiber.stack.extend(kw.iter().map(|&(_, v)| v));
            let t = self.new_tuple(names);
            self.temp_roots.push(t);
            kwnames = Some(t);
        }
        (func_pos, args.len() + kw.len(), kwnames)
    }

    /// `type.__call__(cls, *args, **kw)`: makes an instance of `cls` the
    /// ordinary way (`__new__`, then `__init__`), whatever its metaclass's
    /// `__call__` is.
    pub fn instantiate(
        &mut self,
        cls: ObjRef,
        args: &[Value],
        kw: &[(Value, Value)],
    ) -> PyResult<Value> {
        let (func_pos, n, kwnames) = self.spread_call(Value::Obj(cls), args, kw);
        let r = self.instantiate_at(cls, func_pos, func_pos + 1, n, kwnames, true);
        if kwnames.is_some() {
            self.temp_roots.pop();
        }
        self.fiber.stack.truncate(func_pos);
        match r? {
            CallOutcome::Done(v) => Ok(v),
            CallOutcome::Pushed => unreachable!("native calls complete"),
        }
    }

    /// The body of a class call: `__new__`, then `__init__` if the result
    /// is an instance of `cls`.
    fn instantiate_at(
        &mut self,
        cls: ObjRef,
        func_pos: usize,
        args_start: usize,
        nargs: usize,
        kwnames: Option<Value>,
        native: bool,
    ) -> PyResult<CallOutcome> {
        let (class_new, class_init) = self.class_new_init(cls);
        let new = class_new.map(|n| match n {
            Value::Obj(r) => match self.heap.get(r) {
                Object::StaticMethod(f) if !n.is(self.object_new) => *f,
                _ => n,
            },
            _ => n,
        });
        let object_new = self.object_new;
        let instance = match new {
            Some(n) if !n.is(object_new) => {
                // A custom or built-in `__new__`: call it with the class first.
                let inst = if kwnames.is_none() && nargs < INLINE_ARGS {
                    let mut buf = [Value::Obj(cls); INLINE_ARGS];
                    buf[1..=nargs]
                        .copy_from_slice(&self.fiber.stack[args_start..args_start + nargs]);
                    self.call(n, &buf[..=nargs], &[])?
                } else {
                    let mut args = vec![Value::Obj(cls)];
                    let kw = self.split_kwargs(args_start, nargs, kwnames, &mut args);
                    self.call(n, &args, &kw)?
                };
                if !self.is_instance(inst, cls) {
                    self.fiber.stack.truncate(func_pos);
                    return Ok(CallOutcome::Done(inst));
                }

                let is_builtin_new =
                    matches!(n, Value::Obj(r) if matches!(self.heap.get(r), Object::Builtin(_)));
                if is_builtin_new && class_init.is_some_and(|i| self.is_default_init(i)) {
                    self.fiber.stack.truncate(func_pos);
                    return Ok(CallOutcome::Done(inst));
                }
                inst
            }
            _ => self.new_instance(cls, args_start, nargs, kwnames),
        };
        // `BaseException.__init__` would only set the args `object.__new__`
        // already stored (it still runs to refuse keyword arguments).
        let default_new = new.is_none_or(|n| n.is(object_new));
        let init = match class_init {
            Some(i) if i.is(self.exc_init) && default_new && kwnames.is_none() => {
                self.fiber.stack.truncate(func_pos);
                return Ok(CallOutcome::Done(instance));
            }
            Some(i) if !i.is(self.object_init) => i,
            _ => {
                if nargs > 0 && new.is_none_or(|n| n.is(object_new)) {
                    let excess = class_init.is_some_and(|i| i.is(self.object_init));
                    if excess && !self.is_subclass(cls, self.types.exc(ExcKind::BaseException)) {
                        let name = self.class_name(cls).to_string();
                        self.fiber.stack.truncate(func_pos);
                        return Err(self.type_error(format!("{name}() takes no arguments")));
                    }
                }
                self.fiber.stack.truncate(func_pos);
                return Ok(CallOutcome::Done(instance));
            }
        };
        // Replace the class by the instance: it becomes `self`.
        self.fiber.stack.insert(args_start, instance);
        self.fiber.stack[func_pos] = init;
        if let Value::Obj(ir) = init {
            if !native && matches!(self.heap.get(ir), Object::Function(_)) {
                let outcome = self.call_function(
                    ir,
                    func_pos,
                    args_start,
                    nargs + 1,
                    kwnames,
                    FrameMode::Init,
                )?;
                if let CallOutcome::Pushed = outcome {
                    self.fiber.frames.last_mut().unwrap().locals = instance;
                    return Ok(CallOutcome::Pushed);
                }
                // A generator `__init__`: it returned a generator, not None.
                let msg = "__init__() should return None, not 'generator'";
                return Err(self.type_error(msg));
            }
        }
        self.temp_roots.push(instance);
        let r = self.call_at(init, func_pos, args_start, nargs + 1, kwnames, true);
        self.temp_roots.pop();
        match r? {
            CallOutcome::Done(v) if v.is_none() => Ok(CallOutcome::Done(instance)),
            CallOutcome::Done(v) => {
                let msg = format!("__init__() should return None, not '{}'", self.type_name(v));
                Err(self.type_error(msg))
            }
            CallOutcome::Pushed => unreachable!("native calls complete"),
        }
    }

    /// `object.__new__(cls)`: a bare instance (exceptions get their args).
    fn new_instance(
        &mut self,
        cls: ObjRef,
        args_start: usize,
        nargs: usize,
        kwnames: Option<Value>,
    ) -> Value {
        let layout = match self.heap.get(cls) {
            Object::Class(c) => c.layout,
            _ => Layout::Object,
        };
        let payload = if layout == Layout::Exception {
            let mut pos = Vec::new();
            let _ = self.split_kwargs(args_start, nargs, kwnames, &mut pos);
            let args = self.new_tuple(pos);
            Payload::Exception(Box::new(super::object::ExcData::new(args)))
        } else {
            Payload::None
        };
        self.alloc(Object::Instance(Instance {
            class: cls,
            attrs: Default::default(),
            payload,
        }))
    }

    /// Calls any callable from Rust and waits for the result.
    pub fn call(&mut self, f: Value, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
        if let Value::Obj(r) = f {
            if let Object::Builtin(b) = self.heap.get(r) {
                let (func, receiver, self_method) = (b.func, b.receiver, b.self_method);
                if receiver.is_unbound() {
                    return self.run_native(func, self_method, args, kw);
                }
                if args.len() < INLINE_ARGS {
                    let mut buf = [receiver; INLINE_ARGS];
                    buf[1..=args.len()].copy_from_slice(args);
                    return self.run_native(func, self_method, &buf[..=args.len()], kw);
                }
                let mut all = Vec::with_capacity(args.len() + 1);
                all.push(receiver);
                all.extend_from_slice(args);
                return self.run_native(func, self_method, &all, kw);
            }
        }
        let (func_pos, n, kwnames) = self.spread_call(f, args, kw);
        let r = self.call_at(f, func_pos, func_pos + 1, n, kwnames, true);
        if kwnames.is_some() {
            self.temp_roots.pop();
        }
        match r {
            Ok(CallOutcome::Done(v)) => {
                self.fiber.stack.truncate(func_pos);
                Ok(v)
            }
            Ok(CallOutcome::Pushed) => unreachable!("native calls complete"),
            Err(e) => {
                self.fiber.stack.truncate(func_pos);
                Err(e)
            }
        }
    }

    /// `MakeFunction`: pops defaults/kwdefaults/annotations/closure as
    /// flagged.
    pub(crate) fn make_function(
        &mut self,
        code: Rc<VmCode>,
        globals: ObjRef,
        flags: u16,
    ) -> PyResult<Value> {
        let closure = if flags & MAKE_FN_CLOSURE != 0 {
            let t = self.fiber.stack.pop().unwrap();
            self.seq_items(t).map(|s| s.to_vec()).unwrap_or_default()
        } else {
            Vec::new()
        };
        let annotations = if flags & MAKE_FN_ANNOTATIONS != 0 {
            self.fiber.stack.pop().unwrap()
        } else {
            Value::None
        };
        let kwdefaults = if flags & MAKE_FN_KWDEFAULTS != 0 {
            self.fiber.stack.pop().unwrap()
        } else {
            Value::None
        };
        let defaults = if flags & MAKE_FN_DEFAULTS != 0 {
            let t = self.fiber.stack.pop().unwrap();
            self.seq_items(t).map(|s| s.to_vec()).unwrap_or_default()
        } else {
            Vec::new()
        };
        let c = code.code.clone();
        let name = Value::Obj(self.intern(&c.name));
        let qualname = self.new_str(&*c.qualname);
        let doc = match &c.docstring {
            Some(d) => self.new_str(&**d),
            None => Value::None,
        };
        let module = {
            let key = Value::Obj(self.intern("__name__"));
            self.dict_get(Value::Obj(globals), key)?
                .unwrap_or(Value::None)
        };
        Ok(self.alloc(Object::Function(Box::new(Function {
            inline_argc: code.inline_argc,
            code,
            globals,
            name,
            qualname,
            defaults: defaults.into_boxed_slice(),
            kwdefaults,
            closure: closure.into_boxed_slice(),
            doc,
            module,
            annotations,
            attrs: Default::default(),
        }))))
    }

    /// A dict object from name/value pairs (for `**kwargs` in natives).
    pub fn kwargs_dict(&mut self, kw: &[(Value, Value)]) -> PyResult<Value> {
        let d = self.alloc(Object::Dict(Box::new(Dict::new())));
        for &(k, v) in kw {
            self.dict_set(d, k, v)?;
        }
        Ok(d)
    }
}
