//! Generator operations called from Rust: `throw` and `close`, the
//! async-generator awaitables driven by `send`/`throw` calls (rather than by
//! an `await`, which `gen.rs` handles in the dispatch loop), and the
//! normalisation of `throw`'s CPython-3.11 arguments.

use super::exceptions::ExcKind;
use super::gen::{generator_word, AgenStart, GenStep};
use super::object::generator::{AG_HOOKS_INITED, AG_RUNNING_ASYNC};
use super::object::{GenOpKind, GenOpState, GenState, Object};
use super::value::{ObjRef, Value};
use super::{PyResult, Vm};
use crate::bytecode::CodeKind;

impl Vm {
    /// `gen.throw(exc)`: raises `exc` at the generator's yield.
    pub fn gen_throw(&mut self, g: ObjRef, exc: Value) -> PyResult<GenStep> {
        self.gen_resume(g, Value::None, Some(exc))
    }

    /// `gen.close()`: raises GeneratorExit at the yield; the generator must
    /// not yield again.
    pub fn gen_close(&mut self, g: ObjRef) -> PyResult<()> {
        let Object::Generator(gen) = self.heap.get_mut(g) else {
            return Ok(());
        };
        match gen.state {
            GenState::Created => {
                gen.state = GenState::Finished;
                gen.clear();
                gen.clear_origin();
                if gen.kind == CodeKind::Coroutine {
                    self.unstarted_coroutines = self.unstarted_coroutines.saturating_sub(1);
                }
                return Ok(());
            }
            GenState::Finished => return Ok(()),
            GenState::Running | GenState::Suspended => {}
        }
        let kind = gen.kind;
        let exit = self.new_exc_no_args(ExcKind::GeneratorExit).0;
        match self.gen_resume(g, Value::None, Some(exit)) {
            Ok(GenStep::Yield(_)) => {
                let msg = format!("{} ignored GeneratorExit", generator_word(kind));
                Err(self.new_error(ExcKind::RuntimeError, msg))
            }
            Ok(GenStep::Return(_)) => Ok(()),
            Err(e)
                if self.exc_matches(e.0, ExcKind::GeneratorExit)
                    || self.exc_matches(e.0, ExcKind::StopIteration) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// `send`/`throw` on a [`GenOp`](super::object::GenOp) called from Rust
    /// (its `send`, `throw` and `__next__` methods): one step of the
    /// awaitable. A result of the operation is `GenStep::Return`.
    pub fn gen_op_resume(
        &mut self,
        op: ObjRef,
        sent: Value,
        throw: Option<Value>,
    ) -> PyResult<GenStep> {
        let Object::GenOp(o) = self.heap.get(op) else {
            unreachable!()
        };
        let (g, kind, state) = (o.gen, o.kind, o.state);
        if matches!(kind, GenOpKind::Await) {
            return self.gen_resume(g, sent, throw);
        }
        let (sent, throw) = match state {
            GenOpState::Closed => return Err(self.reuse_error(kind)),
            GenOpState::Iter => (sent, throw),
            GenOpState::Init => {
                if let Some(exc) = throw {
                    self.set_op_state(op, GenOpState::Iter);
                    self.set_agen_flag(g, AG_RUNNING_ASYNC);
                    (Value::None, Some(exc))
                } else {
                    match self.start_agen_op(op, sent)? {
                        AgenStart::Resume(s, t) => (s, t),
                        AgenStart::Done(r) => {
                            self.set_op_state(op, GenOpState::Closed);
                            return r.map(GenStep::Return);
                        }
                    }
                }
            }
        };
        let closing = matches!(kind, GenOpKind::AClose);
        let step = self.gen_resume(g, sent, throw);
        let finished =
            matches!(self.heap.get(g), Object::Generator(gen) if gen.state == GenState::Finished);
        match step {
            Ok(GenStep::Yield(v)) => Ok(GenStep::Yield(v)),
            Ok(GenStep::Return(v)) => {
                self.set_op_state(op, GenOpState::Closed);
                self.clear_agen_flag(g, AG_RUNNING_ASYNC);
                match (finished, closing) {
                    (false, false) => Ok(GenStep::Return(v)),
                    (false, true) => Err(self.new_error(
                        ExcKind::RuntimeError,
                        "async generator ignored GeneratorExit",
                    )),
                    (true, false) => Err(self.new_exc_no_args(ExcKind::StopAsyncIteration)),
                    (true, true) => Ok(GenStep::Return(Value::None)),
                }
            }
            Err(e) => {
                self.set_op_state(op, GenOpState::Closed);
                self.clear_agen_flag(g, AG_RUNNING_ASYNC);
                if closing
                    && (self.exc_matches(e.0, ExcKind::GeneratorExit)
                        || self.exc_matches(e.0, ExcKind::StopAsyncIteration))
                {
                    return Ok(GenStep::Return(Value::None));
                }
                Err(e)
            }
        }
    }

    /// A new [`GenOp`](super::object::GenOp) on generator `g`.
    pub fn new_gen_op(&mut self, g: ObjRef, kind: GenOpKind) -> Value {
        self.alloc(Object::GenOp(Box::new(super::object::GenOp {
            gen: g,
            kind,
            state: GenOpState::Init,
        })))
    }

    /// Runs the event loop's first-iteration hook for an async generator
    /// (once), so the loop can finalise it when it closes.
    pub(crate) fn agen_first_iteration(&mut self, g: ObjRef) {
        let Object::Generator(gen) = self.heap.get_mut(g) else {
            return;
        };
        if gen.flags & AG_HOOKS_INITED != 0 {
            return;
        }
        gen.flags |= AG_HOOKS_INITED;
        if let Some(hook) = self.agen_firstiter_hook {
            hook(self, g);
        }
    }

    /// The exception `gen.throw(*args)` raises in generator `g`: bad
    /// arguments raise TypeError at the call, except in a generator paused
    /// in `yield from`/`await`, where CPython raises it inside (its `finally`
    /// blocks run).
    pub fn throw_args_for(&mut self, g: ObjRef, args: &[Value]) -> PyResult<Value> {
        match self.throw_args_exception(args) {
            Ok(e) => Ok(e),
            Err(e) if self.gen_is_delegating(g) => Ok(e.0),
            Err(e) => Err(e),
        }
    }

    /// Is this suspended generator paused at a `yield from`/`await`?
    pub fn gen_is_delegating(&self, g: ObjRef) -> bool {
        match self.heap.get(g) {
            Object::Generator(gen) if gen.state == GenState::Suspended => {
                super::gen::at_send(&gen.code, gen.ip)
            }
            _ => false,
        }
    }

    /// The exception `throw(typ[, val[, tb]])` raises (CPython 3.11's rules).
    pub fn throw_args_exception(&mut self, args: &[Value]) -> PyResult<Value> {
        if args.is_empty() {
            let msg = format!("throw expected at least 1 argument, got {}", args.len());
            return Err(self.type_error(msg));
        }
        if args.len() > 3 {
            let msg = format!("throw expected at most 3 arguments, got {}", args.len());
            return Err(self.type_error(msg));
        }
        let typ = args[0];
        let val = args.get(1).copied().unwrap_or(Value::None);
        let tb = args.get(2).copied().unwrap_or(Value::None);
        if !tb.is_none() {
            return Err(self.type_error("throw() third argument must be a traceback object"));
        }
        if self.is_exception_class(typ) {
            let Value::Obj(cls) = typ else { unreachable!() };
            if self.is_instance(val, cls) {
                return Ok(val);
            }
            let args = if val.is_none() {
                Vec::new()
            } else if let Some(items) = self.tuple_items(val) {
                items
            } else {
                vec![val]
            };
            return self.call(typ, &args, &[]);
        }
        if self.exc_data(typ).is_some() {
            if !val.is_none() {
                return Err(self.type_error("instance exception may not have a separate value"));
            }
            return Ok(typ);
        }
        let msg = format!(
            "exceptions must be classes or instances deriving from BaseException, not {}",
            self.type_name(typ)
        );
        Err(self.type_error(msg))
    }

    /// The items of `v` if it is exactly a tuple (copied out of the heap).
    pub(crate) fn tuple_items(&self, v: Value) -> Option<Vec<Value>> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Tuple(t) => Some(t.to_vec()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The generator `v` refers to, if it is one of `kind`.
    pub fn generator_of_kind(&self, v: Value, kind: CodeKind) -> Option<ObjRef> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Generator(g) if g.kind == kind => Some(r),
                _ => None,
            },
            _ => None,
        }
    }
}

impl Vm {
    /// Prints CPython's warning for each coroutine the collector freed
    /// unstarted, at the line that created it.
    pub(crate) fn report_unawaited(&mut self) {
        let list = std::mem::take(&mut self.heap.unawaited);
        self.unstarted_coroutines = self.unstarted_coroutines.saturating_sub(list.len());
        self.warn_unawaited(list);
    }

    /// Prints the never-awaited warnings (once per location). Also for a
    /// coroutine the runtime drops unstarted (a pending task destroyed
    /// before its first step), after closing it.
    pub fn warn_unawaited(&mut self, list: Vec<crate::vm::heap::Unawaited>) {
        self.flush_stdout();
        let mut err = String::new();
        for u in list {
            let msg = format!("coroutine '{}' was never awaited", u.qualname);
            let (place, source) = match &u.origin {
                Some((code, ip)) => {
                    let line = code.line_of(*ip as usize);
                    let text = code.source.line_text(line).trim().to_string();
                    (format!("{}:{line}", code.source.name), text)
                }
                None => ("sys:1".to_string(), String::new()),
            };
            let warning = format!("{place}: RuntimeWarning: {msg}\n");
            if !self.warnings_shown.insert(warning.clone()) {
                continue;
            }
            err.push_str(&warning);
            if !source.is_empty() {
                err.push_str(&format!("  {source}\n"));
            }
            err.push_str(
                "RuntimeWarning: Enable tracemalloc to get the object allocation traceback\n",
            );
        }
        eprint!("{err}");
    }

    /// Collects garbage if some coroutine may have been dropped unawaited
    /// or some watched object (a future whose exception nobody retrieved)
    /// may have been dropped, reporting them.
    pub fn collect_dropped(&mut self) {
        if self.unstarted_coroutines > 0 || !self.heap.watched.is_empty() {
            self.collect_garbage();
        }
    }

    /// At exit: reports never-awaited coroutines. With `collect`, the
    /// unreachable ones first (as CPython reports them when they are
    /// dropped); then those still alive, as CPython reports them while
    /// shutting down (`sys:1: ...`).
    pub fn report_unawaited_at_exit(&mut self, collect: bool) {
        if self.unstarted_coroutines == 0 {
            return;
        }
        if collect {
            self.collect_garbage();
        }
        if self.unstarted_coroutines == 0 {
            return;
        }
        let mut err = String::new();
        for u in self.heap.live_unawaited() {
            let warning = format!(
                "sys:1: RuntimeWarning: coroutine '{}' was never awaited\n",
                u.qualname
            );
            if self.warnings_shown.insert(warning.clone()) {
                err.push_str(&warning);
            }
        }
        self.flush_stdout();
        eprint!("{err}");
    }
}
