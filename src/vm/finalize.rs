//! Finalisation of dropped generators (CPython's `gen_close` from the
//! deallocator, and the event loop's async-generator finaliser hook).
//!
//! aspy has no reference counts, so it cannot see a generator's last
//! reference go. Instead:
//! - A generator whose drop would be observable is flagged
//!   (`GEN_NEEDS_FIN`, counted in `Heap::fin_count`): a generator or
//!   coroutine when it suspends inside a `try`/`with` region or delegates
//!   (`yield from`) to a flagged one, an async generator when its loop
//!   registers it (`agen_firstiter`). Everything else is never checked, and
//!   with no flagged generator alive every drop point costs one compare.
//! - The collector keeps unreachable flagged generators alive for one more
//!   cycle (`Heap::fin_queue`), and the VM finalises them after the
//!   collection ([`Vm::run_finalizers`]).
//! - For CPython's timing, the places where CPython drops the last
//!   reference (a `for` loop left early, a frame's locals and value stack at
//!   its return, the value stack cut by an exception, a local or global
//!   rebound or deleted, the module's end) pass the dropped values to
//!   [`Vm::fin_check_dropped`]: a flagged suspended generator among them that
//!   is on no fiber stack and that a marking from the roots does not reach
//!   is finalised at once. Markings are paid from `Heap::fin_budget`
//!   (refilled by collections), so a loop dropping such generators millions
//!   of times stays linear; past the budget the collector finalises them.
//!
//! Finalising a generator or coroutine is `close()`; an exception from it
//! is reported as CPython's "Exception ignored in: <generator ...>". An
//! async generator goes to the runtime's `finalize_hook`, which schedules
//! its `aclose()` on its loop. Each generator is finalised at most once
//! (`GEN_FINALIZED`).

use super::object::generator::{GEN_FINALIZED, GEN_NEEDS_FIN};
use super::object::{GenState, Object};
use super::value::{ObjRef, Value};
use super::Vm;
use crate::bytecode::{CodeKind, Instr};

impl Vm {
    /// Generator `g` has just suspended (its frame saved): flag it if
    /// dropping it now would run code (GeneratorExit caught or `finally`).
    pub(crate) fn fin_note_suspended(&mut self, g: ObjRef) {
        let Object::Generator(gen) = self.heap.get(g) else {
            return;
        };
        if gen.flags & (GEN_NEEDS_FIN | GEN_FINALIZED) != 0 || gen.kind == CodeKind::AsyncGenerator
        {
            return;
        }
        if gen.state != GenState::Suspended {
            return;
        }
        let code = &gen.code.code;
        let ip = gen.ip.saturating_sub(1);
        let in_handler = !code.exception_table.is_empty() && code.handler_for(ip).is_some();
        // The saved values are the slots then the operands: the last one
        // is the top of the stack, the delegate of a `yield from`.
        let top = (gen.sp as usize).checked_sub(1).map(|i| gen.values[i]);
        let delegates = matches!(code.instrs.get(ip as usize), Some(Instr::Send(_)))
            && top.is_some_and(|v| self.fin_suspect(v).is_some());
        if in_handler || delegates {
            self.fin_flag(g);
        }
    }

    /// Flags `g` for finalisation (also the runtime's registration of an
    /// async generator with its loop).
    pub fn fin_flag(&mut self, g: ObjRef) {
        let Object::Generator(gen) = self.heap.get_mut(g) else {
            return;
        };
        if gen.flags & (GEN_NEEDS_FIN | GEN_FINALIZED) == 0 {
            gen.flags |= GEN_NEEDS_FIN;
            self.heap.fin_count += 1;
            self.heap.fin_recent.push(g);
        }
    }

    /// Clears `g`'s flag (it finished or is being finalised); with
    /// `finalized`, it will never be flagged again.
    pub(crate) fn fin_unflag(&mut self, g: ObjRef, finalized: bool) {
        let Object::Generator(gen) = self.heap.get_mut(g) else {
            return;
        };
        let was_flagged = gen.flags & GEN_NEEDS_FIN != 0;
        gen.flags &= !GEN_NEEDS_FIN;
        if finalized {
            gen.flags |= GEN_FINALIZED;
        }
        if was_flagged {
            self.heap.fin_count -= 1;
        }
    }

    /// The flagged suspended generator `v` is, if it is one.
    fn fin_suspect(&self, v: Value) -> Option<ObjRef> {
        let Value::Obj(r) = v else { return None };
        match self.heap.get(r) {
            Object::Generator(g)
                if g.flags & GEN_NEEDS_FIN != 0 && g.state == GenState::Suspended =>
            {
                Some(r)
            }
            _ => None,
        }
    }

    /// The flagged suspended generators among `values` (each once).
    pub(crate) fn fin_suspects(&self, values: &[Value]) -> Vec<ObjRef> {
        let mut out = Vec::new();
        for &v in values {
            if let Some(r) = self.fin_suspect(v) {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        out
    }

    /// `dropped` lost a reference where CPython would drop one (the values
    /// are no longer where they were): finalise the flagged generators among
    /// them that nothing reaches any more.
    pub(crate) fn fin_check_dropped(&mut self, dropped: &[Value]) {
        let suspects = self.fin_suspects(dropped);
        self.fin_check(suspects);
    }

    /// The value `name` is bound to in namespace `ns` before a store or
    /// `del` replaces it, when it may need a check (a flagged generator).
    #[inline]
    pub(crate) fn fin_old_binding(&self, ns: Value, name: Value) -> Option<Value> {
        if self.heap.fin_count == 0 {
            return None;
        }
        let Value::Obj(r) = ns else { return None };
        let old = self.dict_get_str(r, name)?;
        self.fin_suspect(old).map(Value::Obj)
    }

    /// The value of `obj`'s own attribute `name` before a store or `del`
    /// replaces it, when it may need a check (a flagged generator).
    pub(crate) fn fin_old_attr(&self, obj: Value, name: Value) -> Option<Value> {
        let (Value::Obj(r), Value::Obj(n)) = (obj, name) else {
            return None;
        };
        let old = self.attrs_get(self.attr_map(r)?, n)?;
        self.fin_suspect(old).map(Value::Obj)
    }

    /// After a store or `del` replaced `old` (from [`Vm::fin_old_binding`]).
    #[inline]
    pub(crate) fn fin_check_binding(&mut self, old: Option<Value>) {
        if let Some(old) = old {
            self.fin_check_dropped(&[old]);
        }
    }

    /// Before a call: the flagged generators among the top `n` stack values
    /// (the callee and its arguments, maybe a value under them, which the
    /// check finds still on the stack). Empty, without allocating, when no
    /// generator is flagged.
    #[inline]
    pub(crate) fn fin_call_args(&self, n: usize) -> Vec<ObjRef> {
        if self.heap.fin_count == 0 {
            return Vec::new();
        }
        let len = self.fiber.stack.len();
        self.fin_suspects(&self.fiber.stack[len.saturating_sub(n)..])
    }

    /// After a call that finished without pushing a frame: its arguments
    /// (from [`Vm::fin_call_args`]) are dropped, and so may be generators
    /// flagged during the call (`next(gen())`).
    #[inline]
    pub(crate) fn fin_check_args(&mut self, mut args: Vec<ObjRef>) {
        if !self.heap.fin_recent.is_empty() {
            for r in std::mem::take(&mut self.heap.fin_recent) {
                if self.fin_suspect(Value::Obj(r)).is_some() && !args.contains(&r) {
                    args.push(r);
                }
            }
        }
        if !args.is_empty() {
            self.fin_check(args);
        }
    }

    /// Finalises the `suspects` that are unreachable. Nothing is freed: a
    /// marking from the roots tells which are, unless a fiber's stack shows
    /// a suspect alive first or the marking budget is spent (then the
    /// collector finalises them later).
    pub(crate) fn fin_check(&mut self, mut suspects: Vec<ObjRef>) {
        suspects.retain(|&r| !self.on_a_fiber_stack(r));
        if suspects.is_empty() {
            return;
        }
        let live = self.heap.live_objects();
        if live > self.heap.fin_budget {
            return;
        }
        self.heap.fin_budget -= live;
        let roots = self.gc_roots();
        self.heap.mark_only(roots);
        suspects.retain(|&r| !self.heap.is_marked(r));
        let mark = self.temp_roots.len();
        self.temp_roots
            .extend(suspects.iter().map(|&r| Value::Obj(r)));
        for r in suspects {
            self.finalize_generator(r);
        }
        self.temp_roots.truncate(mark);
    }

    /// An exception handler ended: the generators held by the frames its
    /// exception unwound lose their last reference (the traceback) now.
    pub(crate) fn fin_check_deferred(&mut self) {
        let deferred = std::mem::take(&mut self.heap.fin_deferred);
        let suspects = deferred
            .into_iter()
            .filter(|&r| self.fin_suspect(Value::Obj(r)).is_some())
            .collect();
        self.fin_check(suspects);
    }

    /// Is `r` on the value stack of the running fiber or a parked one (so
    /// certainly alive)?
    fn on_a_fiber_stack(&self, r: ObjRef) -> bool {
        let v = Value::Obj(r);
        self.fiber.stack.iter().any(|x| x.is(v))
            || self.parked.iter().any(|f| f.stack.iter().any(|x| x.is(v)))
    }

    /// After a collection: finalises the flagged generators it found
    /// unreachable (they stay rooted until all are done).
    pub(crate) fn run_finalizers(&mut self) {
        let queue = std::mem::take(&mut self.heap.fin_queue);
        let mark = self.temp_roots.len();
        self.temp_roots.extend(queue.iter().map(|&r| Value::Obj(r)));
        for r in queue {
            self.finalize_generator(r);
        }
        self.temp_roots.truncate(mark);
    }

    /// At the end of the main module: CPython clears the module's globals,
    /// dropping the generators they hold in order, then the rest die with
    /// the objects holding them. Every flagged generator is finalised.
    pub fn finalize_at_exit(&mut self, globals: ObjRef) {
        if self.heap.fin_count == 0 {
            return;
        }
        let values = match self.heap.get(globals) {
            Object::Dict(d) => d.values(),
            _ => Vec::new(),
        };
        let mut order = self.fin_suspects(&values);
        for r in self.heap.flagged_generators() {
            if !order.contains(&r) {
                order.push(r);
            }
        }
        let mark = self.temp_roots.len();
        self.temp_roots.extend(order.iter().map(|&r| Value::Obj(r)));
        for r in order {
            self.finalize_generator(r);
        }
        self.temp_roots.truncate(mark);
    }

    /// Finalises `g` (rooted by the caller) once: `close()` for a generator
    /// or coroutine, the runtime's hook for an async generator.
    fn finalize_generator(&mut self, g: ObjRef) {
        let Object::Generator(gen) = self.heap.get(g) else {
            return;
        };
        if gen.flags & GEN_FINALIZED != 0 {
            return;
        }
        let (kind, state) = (gen.kind, gen.state);
        self.fin_unflag(g, true);
        if state != GenState::Suspended {
            return;
        }
        if kind == CodeKind::AsyncGenerator {
            if let Some(hook) = self.finalize_hook {
                hook(self, g);
            }
            return;
        }
        self.close_reporting(g);
    }

    /// `close()` on `g`; an exception is reported as unraisable.
    pub fn close_reporting(&mut self, g: ObjRef) {
        if let Err(e) = self.gen_close(g) {
            self.report_unraisable(Value::Obj(g), e.0);
        }
    }

    /// CPython's "Exception ignored in: <obj>" report of an exception
    /// nobody can catch, with its traceback, on stderr.
    pub fn report_unraisable(&mut self, obj: Value, exc: Value) {
        self.temp_roots.push(exc);
        let what = self
            .repr_value(obj)
            .unwrap_or_else(|_| "<object repr() failed>".into());
        let tb = self.format_exception_alone(exc);
        self.temp_roots.pop();
        self.flush_stdout();
        eprint!("Exception ignored in: {what}\n{tb}");
    }
}
