//! The dispatch loop.
//!
//! [`Vm::run_frames`] executes the current fiber's frames until the frame at
//! index `stop` returns (or, for generator and task frames, yields). Calls
//! between aspy functions push frames and continue the loop: the Rust stack
//! does not grow.
//!
//! Register model: while a frame runs, the loop keeps its state in locals
//! the compiler can hold in registers: `ip` (index of the next instruction),
//! `sp` (one past the top of the value stack), `bp` (the frame's slot 0) and
//! `limit` (the end of the stack's allocation). Everywhere else the fiber's
//! stack `Vec` is authoritative, so before anything out of line runs
//! (anything that may call aspy code, collect garbage, raise, or touch the
//! stack) the loop writes `sp` back as the `Vec`'s length (`sync!`) and
//! afterwards reloads the pointers (`reload!`), since the stack may have
//! moved. Frequent instructions and the common case of a few others (int and
//! float arithmetic, list indexing, `range` and list loops, calls of plain
//! aspy functions and returns from them) are handled inline; the rest go to
//! [`Vm::exec_slow`] in `exec.rs`.
//!
//! On entry to a frame the stack is reserved to the frame's slots plus its
//! deepest operand stack (`VmCode::frame_size`, computed by the compiler),
//! so pushes almost never grow it; a push still checks `limit`, so a wrong
//! depth can only cost a reallocation, never memory safety.
//!
//! When an instruction fails, the frame's `ip` is left just after it and
//! `unwind` looks for a handler in the exception table, popping frames that
//! have none.

use super::frame::FrameMode;
use super::object::{Iter, Object, VmCode};
use super::ops::arith;
use super::value::Value;
use super::{PyErr, PyResult, Vm};
use crate::bytecode::Instr;
use std::rc::Rc;

/// How a run of the dispatch loop ended (other than by an exception).
#[derive(Debug)]
pub enum Exit {
    /// The stop frame returned this value.
    Return(Value),
    /// A generator resumed from Rust yielded this value.
    Yield(Value),
    /// The fiber's task-root coroutine is waiting on this value (a future
    /// or other awaitable step); the fiber is left intact for resumption.
    Suspend(Value),
}

/// What a call instruction did.
pub enum CallOutcome {
    /// A new frame was pushed; the loop continues in it.
    Pushed,
    /// The call finished with this value.
    Done(Value),
}

/// What an out-of-line instruction did (see `exec.rs`).
pub(crate) enum Flow {
    /// Go on with the instruction at `ip` in the same frame.
    Next,
    /// The frame stack changed (a call, a return, a yield): reload the top frame.
    Frames,
    /// Leave the loop with this exit.
    Exit(Exit),
    /// Leave the loop with this exception, already unwound to `stop`.
    Fail(PyErr),
}

impl Vm {
    /// Runs until the frame at index `stop` finishes (see [`Exit`]).
    pub fn run_frames(&mut self, stop: usize) -> PyResult<Exit> {
        'frames: loop {
            let fi = self.fiber.frames.len() - 1;
            let frame = &self.fiber.frames[fi];
            // SAFETY: the frame at `fi` owns an `Rc<VmCode>` and stays on the
            // frame stack for this whole iteration of 'frames: every path
            // that pops, suspends or replaces it continues 'frames or
            // returns right away, so the code outlives every use below.
            let vcode: &VmCode = unsafe { &*Rc::as_ptr(&frame.code) };
            let instrs: &[Instr] = &vcode.instrs;
            let consts: &[Value] = &vcode.consts;
            let names: &[Value] = &vcode.names;
            let globals = frame.globals;
            let base = frame.base as usize;
            let mut ip = frame.ip as usize;

            let len = self.fiber.stack.len();
            let need = base + vcode.frame_size as usize;
            if self.fiber.stack.capacity() < need {
                self.fiber.stack.reserve(need.saturating_sub(len));
            }
            let mut stk: *mut Value = self.fiber.stack.as_mut_ptr();
            // SAFETY: `len` and the capacity bound the allocation.
            let (mut sp, mut bp, mut limit) = unsafe {
                (
                    stk.add(len),
                    stk.add(base),
                    stk.add(self.fiber.stack.capacity()),
                )
            };

            // Writes the stack pointer back as the Vec's length.
            macro_rules! sync {
                () => {
                    // SAFETY: `stk <= sp <= limit` and every slot below `sp`
                    // is initialised (pushes write before advancing).
                    unsafe { self.fiber.stack.set_len(sp.offset_from(stk) as usize) }
                };
            }
            // Reloads the pointers after the stack may have moved.
            macro_rules! reload {
                () => {{
                    stk = self.fiber.stack.as_mut_ptr();
                    // SAFETY: within the Vec's allocation.
                    unsafe {
                        sp = stk.add(self.fiber.stack.len());
                        limit = stk.add(self.fiber.stack.capacity());
                        bp = stk.add(base);
                    }
                }};
            }
            macro_rules! push {
                ($v:expr) => {{
                    let v: Value = $v;
                    if sp == limit {
                        sync!();
                        self.fiber.stack.reserve(16);
                        reload!();
                    }
                    // SAFETY: `sp < limit`, the end of the allocation.
                    unsafe {
                        sp.write(v);
                        sp = sp.add(1);
                    }
                }};
            }
            // The n-th value from the top (1 = the top). SAFETY of the
            // unchecked reads: the compiler verified that no instruction
            // pops below the frame's operand stack (`Builder::finish`).
            macro_rules! peek {
                ($n:expr) => {
                    unsafe { *sp.sub($n) }
                };
            }
            macro_rules! drop_n {
                ($n:expr) => {
                    unsafe { sp = sp.sub($n) }
                };
            }
            macro_rules! set_top {
                ($v:expr) => {
                    unsafe { *sp.sub(1) = $v }
                };
            }
            // SAFETY of slot access: slot indices come from the compiler and
            // are below `nslots`, and the frame's slots are on the stack.
            macro_rules! slot {
                ($i:expr) => {
                    unsafe { *bp.add($i as usize) }
                };
            }
            macro_rules! save_ip {
                () => {
                    self.fiber.frames[fi].ip = ip as u32
                };
            }
            let err: PyErr = 'inner: loop {
                // Runs an out-of-line helper with the stack synced.
                macro_rules! out {
                    ($e:expr) => {{
                        sync!();
                        let r = $e;
                        reload!();
                        match r {
                            Ok(v) => v,
                            Err(e) => break 'inner e,
                        }
                    }};
                }
                // Raises UnboundLocalError for the empty slot `$i`.
                macro_rules! unbound {
                    ($i:expr) => {{
                        sync!();
                        break 'inner self.unbound_local(&vcode.code, $i as u32);
                    }};
                }
                // The general implementation of the current instruction.
                macro_rules! slow {
                    ($instr:expr) => {{
                        sync!();
                        match self.exec_slow($instr, fi, &mut ip, stop, vcode) {
                            Ok(Flow::Next) => reload!(),
                            Ok(Flow::Frames) => continue 'frames,
                            Ok(Flow::Exit(exit)) => return Ok(exit),
                            Ok(Flow::Fail(e)) => return Err(e),
                            Err(e) => break 'inner e,
                        }
                    }};
                }
                debug_assert!(ip < instrs.len());
                // SAFETY: the compiler verified that control never falls off
                // the end of the code and that every jump and handler target
                // is an instruction; `ip` starts at 0, at a saved position or
                // at a handler.
                let instr = unsafe { *instrs.get_unchecked(ip) };
                ip += 1;
                match instr {
                    Instr::LoadLocal(i) => {
                        let v = slot!(i);
                        if v.is_unbound() {
                            unbound!(i);
                        }
                        push!(v);
                    }
                    Instr::StoreLocal(i) => {
                        if self.heap.fin_count != 0 && matches!(slot!(i), Value::Obj(_)) {
                            // The old value may be a generator to finalise.
                            slow!(instr);
                            continue;
                        }
                        drop_n!(1);
                        // SAFETY: as for `peek!` and `slot!`.
                        unsafe { move_value(sp, bp.add(i as usize)) };
                    }
                    // Superinstructions (see `opcode.rs`): the fast path
                    // does the whole sequence and skips the originals
                    // after it; otherwise just the first instruction.
                    Instr::LoadLocal2(a, b) => {
                        let (x, y) = (slot!(a), slot!(b));
                        if x.is_unbound() {
                            unbound!(a);
                        }
                        push!(x);
                        if !y.is_unbound() {
                            push!(y);
                            ip += 1;
                        }
                    }
                    Instr::LoadLocalInt(a, k) => {
                        let x = slot!(a);
                        if x.is_unbound() {
                            unbound!(a);
                        }
                        push!(x);
                        push!(Value::Int(k as i64));
                        ip += 1;
                    }
                    Instr::SubscrLocalInt(a, k) => {
                        let x = slot!(a);
                        match self.subscr_fast(x, Value::Int(k as i64)) {
                            Some(v) => {
                                push!(v);
                                ip += 2;
                            }
                            None if x.is_unbound() => unbound!(a),
                            None => push!(x),
                        }
                    }
                    Instr::BinaryOpLocalInt(op, a, k) => {
                        let x = slot!(a);
                        match arith::fast_binary(op, x, Value::Int(k as i64)) {
                            Some(r) => {
                                push!(r);
                                ip += 2;
                            }
                            None if x.is_unbound() => unbound!(a),
                            None => push!(x),
                        }
                    }
                    Instr::BinaryOpLocals(op, a, b) => {
                        let (x, y) = (slot!(a), slot!(b));
                        match arith::fast_binary(op, x, y) {
                            Some(r) => {
                                push!(r);
                                ip += 2;
                            }
                            None if x.is_unbound() => unbound!(a),
                            None => push!(x),
                        }
                    }
                    Instr::StoreLocalLoadLocal(a, b) => {
                        if self.heap.fin_count != 0 && matches!(slot!(a), Value::Obj(_)) {
                            slow!(instr);
                            continue;
                        }
                        drop_n!(1);
                        // SAFETY: as for `StoreLocal`.
                        unsafe { move_value(sp, bp.add(a as usize)) };
                        let y = slot!(b);
                        if !y.is_unbound() {
                            push!(y);
                            ip += 1;
                        }
                    }
                    Instr::ForIterStore(t, a) => {
                        let next = match peek!(1) {
                            Value::Obj(r) => self.for_iter_fast(r),
                            _ => None,
                        };
                        match next {
                            Some(Some(v)) => {
                                // SAFETY: as for `slot!`.
                                unsafe { bp.add(a as usize).write(v) };
                                ip += 1;
                            }
                            Some(None) => {
                                drop_n!(1);
                                ip = t as usize;
                            }
                            None => slow!(Instr::ForIter(t)),
                        }
                    }
                    Instr::LoadAttrLocal(a, i) => {
                        let x = slot!(a);
                        match self.load_attr_fast(vcode, i as u32, x) {
                            Some(v) => {
                                push!(v);
                                ip += 1;
                            }
                            None if x.is_unbound() => unbound!(a),
                            None => push!(x),
                        }
                    }
                    Instr::StoreAttrLocal(a, i) => {
                        let x = slot!(a);
                        if self.heap.fin_count == 0
                            && self.store_attr_fast(vcode, i as u32, x, peek!(1))
                        {
                            drop_n!(1);
                            ip += 1;
                        } else if x.is_unbound() {
                            unbound!(a);
                        } else {
                            push!(x);
                        }
                    }
                    Instr::LoadMethodLocal(a, i) => {
                        let x = slot!(a);
                        match self.load_method_fast(vcode, i as u32, x) {
                            Some((m, recv)) => {
                                push!(m);
                                push!(recv);
                                ip += 1;
                            }
                            None if x.is_unbound() => unbound!(a),
                            None => push!(x),
                        }
                    }
                    Instr::BinaryOpLocal(op, a) => {
                        let y = slot!(a);
                        match arith::fast_binary(op, peek!(1), y) {
                            Some(r) => {
                                set_top!(r);
                                ip += 1;
                            }
                            None if y.is_unbound() => unbound!(a),
                            None => push!(y),
                        }
                    }
                    Instr::CompareLocalInt(op, a, k) => {
                        let x = slot!(a);
                        match arith::fast_compare(op, x, Value::Int(k as i64)) {
                            Some(r) => {
                                push!(Value::Bool(r));
                                ip += 2;
                            }
                            None if x.is_unbound() => unbound!(a),
                            None => push!(x),
                        }
                    }
                    Instr::BinaryOpConst(op, c) => {
                        let y = consts[c as usize];
                        match arith::fast_binary(op, peek!(1), y) {
                            Some(r) => {
                                set_top!(r);
                                ip += 1;
                            }
                            None => push!(y),
                        }
                    }
                    Instr::BinaryOpStore(op, a, _) => {
                        match arith::fast_binary(op, peek!(2), peek!(1)) {
                            Some(r) => {
                                drop_n!(2);
                                // SAFETY: as for `slot!`.
                                unsafe { bp.add(a as usize).write(r) };
                                ip += 1;
                            }
                            None => slow!(instr.first()),
                        }
                    }
                    Instr::SubscrDup => match self.subscr_fast(peek!(2), peek!(1)) {
                        Some(v) => {
                            push!(v);
                            ip += 2;
                        }
                        None => {
                            let c = peek!(2);
                            push!(c);
                        }
                    },
                    Instr::StoreSubscrRot => {
                        if self.store_subscr_fast(peek!(3), peek!(2), peek!(1)) {
                            drop_n!(3);
                            ip += 2;
                        } else {
                            // SAFETY: as for `peek!`.
                            unsafe { std::ptr::swap(sp.sub(1), sp.sub(3)) }
                        }
                    }
                    Instr::GetIter => {
                        // A list, tuple or range: its iterator, made here.
                        let it = match peek!(1) {
                            Value::Obj(r) if !self.heap.has_ext(r) => match self.heap.get(r) {
                                Object::List(_) | Object::Tuple(_) => Some(Iter::Seq {
                                    seq: Value::Obj(r),
                                    index: 0,
                                }),
                                Object::Range(rg) => Some(Iter::Range {
                                    next: rg.start,
                                    stop: rg.stop,
                                    step: rg.step,
                                }),
                                _ => None,
                            },
                            _ => None,
                        };
                        match it {
                            Some(it) => {
                                let v = self.alloc(Object::Iter(Box::new(it)));
                                set_top!(v);
                            }
                            None => slow!(instr),
                        }
                    }
                    Instr::LoadConst(i) => push!(consts[i as usize]),
                    Instr::LoadSmallInt(i) => push!(Value::Int(i as i64)),
                    Instr::LoadNone => push!(Value::None),
                    Instr::Pop => drop_n!(1),
                    Instr::PopIter if self.heap.fin_count == 0 => drop_n!(1),
                    Instr::Copy(n) => {
                        if sp == limit {
                            sync!();
                            self.fiber.stack.reserve(16);
                            reload!();
                        }
                        // SAFETY: `sp < limit`; as for `peek!`.
                        unsafe {
                            move_value(sp.sub(n as usize), sp);
                            sp = sp.add(1);
                        }
                    }
                    Instr::Swap(n) => unsafe { swap_values(sp.sub(1), sp.sub(n as usize)) },
                    Instr::BinaryOp(op) | Instr::InplaceOp(op) => {
                        match arith::fast_binary(op, peek!(2), peek!(1)) {
                            Some(r) => {
                                drop_n!(1);
                                set_top!(r);
                            }
                            None => slow!(instr),
                        }
                    }
                    Instr::Compare(op) => match arith::fast_compare(op, peek!(2), peek!(1)) {
                        Some(r) => {
                            drop_n!(1);
                            set_top!(Value::Bool(r));
                        }
                        None => slow!(instr),
                    },
                    Instr::Jump(t) => {
                        let t = t as usize;
                        if t < ip && self.safe_point_due() {
                            save_ip!();
                            out!(self.safe_point());
                        }
                        ip = t;
                    }
                    Instr::PopJumpIfFalse(t) => match peek!(1) {
                        Value::Bool(b) => {
                            drop_n!(1);
                            if !b {
                                ip = t as usize;
                            }
                        }
                        _ => slow!(instr),
                    },
                    Instr::PopJumpIfTrue(t) => match peek!(1) {
                        Value::Bool(b) => {
                            drop_n!(1);
                            if b {
                                ip = t as usize;
                            }
                        }
                        _ => slow!(instr),
                    },
                    Instr::PopJumpIfNone(t) => {
                        let v = peek!(1);
                        drop_n!(1);
                        if v.is_none() {
                            ip = t as usize;
                        }
                    }
                    Instr::PopJumpIfNotNone(t) => {
                        let v = peek!(1);
                        drop_n!(1);
                        if !v.is_none() {
                            ip = t as usize;
                        }
                    }
                    Instr::UnaryNot => match peek!(1) {
                        Value::Bool(b) => set_top!(Value::Bool(!b)),
                        _ => slow!(instr),
                    },
                    Instr::UnaryNegative => match peek!(1) {
                        Value::Int(i) if i != i64::MIN => set_top!(Value::Int(-i)),
                        Value::Float(f) => set_top!(Value::Float(-f)),
                        _ => slow!(instr),
                    },
                    Instr::LoadGlobal(i) => {
                        let c = vcode.global_cache[i as usize].get();
                        if self.dict_version(globals) == c.globals_version
                            && (c.builtins_version == 0
                                || self.dict_version(self.builtins) == c.builtins_version)
                        {
                            push!(c.value);
                        } else {
                            // No sync: a lookup runs no aspy code and does
                            // not touch the stack (a NameError only allocates).
                            match self.load_global_cached(vcode, i, globals) {
                                Ok(v) => push!(v),
                                Err(e) => {
                                    sync!();
                                    break 'inner e;
                                }
                            }
                        }
                    }
                    Instr::LoadDeref(i) => {
                        let v = self.cell_get(slot!(i));
                        if v.is_unbound() {
                            sync!();
                            break 'inner self.unbound_deref(&vcode.code, i);
                        }
                        push!(v);
                    }
                    Instr::StoreDeref(i) => {
                        let v = peek!(1);
                        drop_n!(1);
                        self.cell_set(slot!(i), v);
                    }
                    Instr::LoadClosure(i) => push!(slot!(i)),
                    Instr::LoadAttr(i) => {
                        let obj = peek!(1);
                        let v = match self.load_attr_fast(vcode, i, obj) {
                            Some(v) => v,
                            None => out!(self.get_attr(obj, names[i as usize])),
                        };
                        set_top!(v);
                    }
                    Instr::StoreAttr(_) if self.heap.fin_count != 0 => slow!(instr),
                    Instr::StoreAttr(i) => {
                        let (v, obj) = (peek!(2), peek!(1));
                        if !self.store_attr_fast(vcode, i, obj, v) {
                            out!(self.set_attr(obj, names[i as usize], v));
                        }
                        drop_n!(2);
                    }
                    Instr::LoadMethod(i) => {
                        let obj = peek!(1);
                        let (m, recv) = match self.load_method_fast(vcode, i, obj) {
                            Some(pair) => pair,
                            None => out!(self.load_method(obj, names[i as usize])),
                        };
                        set_top!(m);
                        push!(recv);
                    }
                    Instr::BinarySubscr => match self.subscr_fast(peek!(2), peek!(1)) {
                        Some(v) => {
                            drop_n!(1);
                            set_top!(v);
                        }
                        None => slow!(instr),
                    },
                    Instr::StoreSubscr => {
                        if self.store_subscr_fast(peek!(2), peek!(1), peek!(3)) {
                            drop_n!(3);
                        } else {
                            slow!(instr)
                        }
                    }
                    Instr::UnpackSequence(n) => {
                        // A tuple or list of exactly `n` items: spread it
                        // in place (the general case allocates).
                        let n = n as usize;
                        let fits =
                            (limit as usize - sp as usize) / std::mem::size_of::<Value>() >= n;
                        let seq = match peek!(1) {
                            // Exact lists and tuples only: a subclass may
                            // override `__iter__`.
                            Value::Obj(r) if fits && !self.heap.has_ext(r) => {
                                match self.heap.get(r) {
                                    Object::Tuple(t) if t.len() == n => Some(&**t),
                                    Object::List(l) if l.len() == n => Some(&l[..]),
                                    _ => None,
                                }
                            }
                            _ => None,
                        };
                        match seq {
                            Some(items) => {
                                drop_n!(1);
                                for &v in items.iter().rev() {
                                    // SAFETY: room for `n` values checked
                                    // above (one more than needed).
                                    unsafe {
                                        sp.write(v);
                                        sp = sp.add(1);
                                    }
                                }
                            }
                            None => slow!(instr),
                        }
                    }
                    Instr::ListAppend(d) => {
                        let v = peek!(1);
                        let l = peek!(d as usize + 1);
                        match l {
                            Value::Obj(r) => match self.heap.get_mut(r) {
                                Object::List(items) => {
                                    items.push(v);
                                    drop_n!(1);
                                }
                                _ => slow!(instr),
                            },
                            _ => slow!(instr),
                        }
                    }
                    Instr::ForIter(t) => {
                        let next = match peek!(1) {
                            Value::Obj(r) => self.for_iter_fast(r),
                            _ => None,
                        };
                        match next {
                            Some(Some(v)) => push!(v),
                            Some(None) => {
                                drop_n!(1);
                                ip = t as usize;
                            }
                            None => slow!(instr),
                        }
                    }
                    Instr::Call(n) | Instr::CallMethod(n) => {
                        // Stack: callee [self_or_NULL] args. A NULL from
                        // `LoadMethod` stays where it is, below the frame.
                        let n = n as usize;
                        let (func_pos, nargs) = match instr {
                            Instr::CallMethod(_) if !peek!(n + 1).is_unbound() => (n + 2, n + 1),
                            Instr::CallMethod(_) => (n + 2, n),
                            _ => (n + 1, n),
                        };
                        let callee = peek!(func_pos);
                        // A plain class whose `__init__` is a plain function:
                        // the new instance takes the slot below the
                        // arguments (the callee's or the NULL) as `self`.
                        let Some((code, fglobals, class)) =
                            self.inline_callee(callee, nargs, func_pos == nargs + 1)
                        else {
                            // With generators to finalise, `exec_slow`
                            // checks the arguments the call drops (and
                            // generators the call flagged).
                            if let (Value::Obj(r), 0) = (callee, self.heap.fin_count) {
                                save_ip!();
                                sync!();
                                // SAFETY: `func_pos` values are on the stack.
                                let at = unsafe { sp.sub(func_pos).offset_from(stk) } as usize;
                                if let Some(res) = self.call_builtin_top(r, at, nargs) {
                                    reload!();
                                    match res {
                                        Ok(v) => push!(v),
                                        Err(e) => break 'inner e,
                                    }
                                    if self.heap.fin_count != 0 {
                                        sync!();
                                        self.fin_check_args(Vec::new());
                                        reload!();
                                    }
                                    continue;
                                }
                            }
                            slow!(instr);
                            continue;
                        };
                        let nargs = nargs + class.is_some() as usize;
                        // Unbound locals after the arguments; the frame's own
                        // reserve happens when the loop enters it.
                        let extra = code.nslots as usize - nargs;
                        if (limit as usize - sp as usize) / std::mem::size_of::<Value>() < extra
                            || self.fiber.frames.len() >= self.config.recursion_limit
                        {
                            slow!(instr);
                            continue;
                        }
                        let (mode, locals) = match class {
                            Some(cls) => {
                                let inst = self.new_plain_instance(cls);
                                // SAFETY: the slot below the arguments is on
                                // the stack (the callee's or the NULL).
                                unsafe { sp.sub(nargs).write(inst) };
                                (FrameMode::Init, inst)
                            }
                            None => (FrameMode::Call, Value::None),
                        };
                        for k in 0..extra {
                            // SAFETY: checked against `limit` just above.
                            unsafe { sp.add(k).write(Value::Unbound) };
                        }
                        // SAFETY: pointer arithmetic within the stack.
                        let (new_base, ret_sp) = unsafe {
                            (
                                sp.sub(nargs).offset_from(stk) as u32,
                                sp.sub(func_pos).offset_from(stk) as u32,
                            )
                        };
                        sp = unsafe { sp.add(extra) };
                        save_ip!();
                        sync!();
                        self.fiber
                            .push_call_frame(code, new_base, ret_sp, fglobals, mode, locals);
                        // Function entry is a safe point too, so that
                        // recursion without loops still collects.
                        self.maybe_collect();
                        continue 'frames;
                    }
                    // Generator and coroutine switches, without the
                    // second dispatch of `exec_slow`.
                    Instr::YieldValue | Instr::Send(_) | Instr::GetANext => {
                        sync!();
                        match self.exec_gen(instr, fi, &mut ip, stop, vcode) {
                            Ok(Flow::Next) => reload!(),
                            Ok(Flow::Frames) => continue 'frames,
                            Ok(Flow::Exit(exit)) => return Ok(exit),
                            Ok(Flow::Fail(e)) => return Err(e),
                            Err(e) => break 'inner e,
                        }
                    }
                    Instr::ReturnValue => {
                        let v = peek!(1);
                        let frame = &self.fiber.frames[fi];
                        let plain = frame.generator.is_none() && self.heap.fin_count == 0;
                        let result = match frame.mode {
                            FrameMode::Call if plain => v,
                            FrameMode::Init if plain && v.is_none() => frame.locals,
                            _ => {
                                slow!(instr);
                                continue;
                            }
                        };
                        let ret_sp = frame.ret_sp as usize;
                        // Dropped in place (a pop would copy the frame out).
                        self.fiber.frames.truncate(fi);
                        // SAFETY: the caller's part of the stack is below
                        // this frame, inside the allocation.
                        unsafe {
                            sp = stk.add(ret_sp);
                            sp.write(result);
                            sp = sp.add(1);
                        }
                        sync!();
                        continue 'frames;
                    }
                    _ => slow!(instr),
                }
            };
            // An instruction raised: find a handler, here or in a caller.
            self.fiber.frames[fi].ip = ip as u32;
            self.unwind(err, stop)?;
        }
    }

    /// Is a safe point's work due (a collection or a pending Ctrl-C)?
    #[inline(always)]
    fn safe_point_due(&self) -> bool {
        self.heap.wants_collection()
            || self
                .interrupt
                .as_ref()
                .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// What an inline call of `callee` with `nargs` positional arguments
    /// runs: the code and globals of a plain aspy function taking exactly
    /// those (see `VmCode::simple`), plus the class when `callee` is a plain
    /// class whose `__init__` is such a function (taking `self` too).
    /// `self_slot` says whether the slot below the arguments may take the
    /// new instance (not when it holds a receiver from `LoadMethod`).
    #[inline(always)]
    fn inline_callee(
        &mut self,
        callee: Value,
        nargs: usize,
        self_slot: bool,
    ) -> Option<(Rc<VmCode>, super::ObjRef, Option<super::ObjRef>)> {
        let Value::Obj(r) = callee else { return None };
        let (init, class) = match self.heap.get(r) {
            Object::Function(f) if f.inline_argc as usize == nargs => {
                return Some((f.code.clone(), f.globals, None));
            }
            Object::Class(_) if self_slot => (self.plain_init(r)?, r),
            _ => return None,
        };
        match self.heap.get(init) {
            Object::Function(f) if f.inline_argc as usize == nargs + 1 => {
                Some((f.code.clone(), f.globals, Some(class)))
            }
            _ => None,
        }
    }

    /// `c[k]` for a list or tuple and an int in range, or a dict holding
    /// an int or str key (see `Vm::dict_find_native`).
    #[inline(always)]
    fn subscr_fast(&self, c: Value, k: Value) -> Option<Value> {
        let Value::Obj(r) = c else { return None };
        if self.heap.has_ext(r) {
            // A subclass may override `__getitem__`.
            return None;
        }
        let items: &[Value] = match (self.heap.get(r), k) {
            (Object::List(l), Value::Int(_)) => l,
            (Object::Tuple(t), Value::Int(_)) => t,
            (Object::Dict(t), _) => {
                let (_, found) = self.dict_find_native(r, k)?;
                return t.entry(found?).map(|e| e.value);
            }
            _ => return None,
        };
        let Value::Int(i) = k else { return None };
        let i = if i < 0 { i + items.len() as i64 } else { i };
        items.get(usize::try_from(i).ok()?).copied()
    }

    /// `c[k] = v` for a list and an int in range, or a dict and an int or
    /// str key; false if not that case.
    #[inline(always)]
    fn store_subscr_fast(&mut self, c: Value, k: Value, v: Value) -> bool {
        let Value::Obj(r) = c else { return false };
        if self.heap.has_ext(r) {
            // A subclass may override `__setitem__`.
            return false;
        }
        let i = match (self.heap.get(r), k) {
            (Object::List(_), Value::Int(i)) => i,
            (Object::Dict(_), _) => {
                let Some((hash, found)) = self.dict_find_native(r, k) else {
                    return false;
                };
                if let Object::Dict(t) = self.heap.get_mut(r) {
                    match found {
                        Some(i) => t.set_value(i, v),
                        None => t.insert_new(hash, k, v),
                    }
                }
                return true;
            }
            _ => return false,
        };
        let Object::List(items) = self.heap.get_mut(r) else {
            return false;
        };
        let i = if i < 0 { i + items.len() as i64 } else { i };
        match usize::try_from(i).ok().and_then(|i| items.get_mut(i)) {
            Some(slot) => {
                *slot = v;
                true
            }
            None => false,
        }
    }

    /// One step of a `range`, list or tuple iterator: Some(Some(v)) for the
    /// next item, Some(None) when exhausted, None for other iterators.
    #[inline(always)]
    fn for_iter_fast(&mut self, r: super::ObjRef) -> Option<Option<Value>> {
        let Object::Iter(iter) = self.heap.get(r) else {
            return None;
        };
        match **iter {
            Iter::Range { next, stop, step } => {
                let more = if step > 0 { next < stop } else { next > stop };
                if more {
                    if let Object::Iter(it) = self.heap.get_mut(r) {
                        if let Iter::Range { next, .. } = &mut **it {
                            *next = next.checked_add(step).unwrap_or(stop);
                        }
                    }
                    Some(Some(Value::Int(next)))
                } else {
                    Some(None)
                }
            }
            Iter::Seq {
                seq: Value::Obj(s),
                index,
            } => {
                let item = match self.heap.get(s) {
                    Object::List(l) => l.get(index).copied(),
                    Object::Tuple(t) => t.get(index).copied(),
                    _ => return None,
                };
                if let Object::Iter(it) = self.heap.get_mut(r) {
                    if let Iter::Seq { index, .. } = &mut **it {
                        *index += 1;
                    }
                }
                Some(item)
            }
            _ => None,
        }
    }

    /// A safe point: collect garbage, check for Ctrl-C and resource limits.
    #[inline]
    pub fn safe_point(&mut self) -> PyResult<()> {
        self.maybe_collect();
        if let Some(flag) = &self.interrupt {
            if flag.swap(false, std::sync::atomic::Ordering::Relaxed) {
                return Err(self.new_error(super::exceptions::ExcKind::KeyboardInterrupt, ""));
            }
        }
        Ok(())
    }

    /// Finds a handler for `err`, unwinding frames down to `stop`. On
    /// success the loop continues in the frame that handles it; otherwise
    /// the exception is returned to the caller of `run_frames`.
    pub(crate) fn unwind(&mut self, err: PyErr, stop: usize) -> PyResult<()> {
        if self.heap.fin_count == 0 {
            return self.unwind_frames(err, stop, None);
        }
        // The value stacks cut on the way drop what they held (locals
        // live on in the traceback, as in CPython).
        let mut dropped = Vec::new();
        let r = self.unwind_frames(err, stop, Some(&mut dropped));
        if !dropped.is_empty() {
            let mark = self.temp_roots.len();
            if let Err(e) = &r {
                self.temp_roots.push(e.0);
            }
            self.fin_check(dropped);
            self.temp_roots.truncate(mark);
        }
        r
    }

    /// [`Vm::unwind`]'s work; with `dropped`, collects the generators
    /// needing finalisation among the values cut from the stacks.
    fn unwind_frames(
        &mut self,
        err: PyErr,
        stop: usize,
        mut dropped: Option<&mut Vec<super::ObjRef>>,
    ) -> PyResult<()> {
        let mut exc = err.0;
        let mut skip_tb = std::mem::take(&mut self.reraising);
        if !skip_tb {
            // A new exception: chain it to the one being handled. An
            // exception already chained (or coming back out of a nested
            // call) keeps the context it got when it was raised.
            self.set_context_if_unset(exc);
        }
        loop {
            let fi = self.fiber.frames.len() - 1;
            let frame = &self.fiber.frames[fi];
            let ip = frame.ip.saturating_sub(1);
            let code = frame.code.code.clone();
            let globals = frame.globals;
            if !skip_tb {
                self.add_traceback(exc, &code, ip, globals);
            }
            skip_tb = false;
            if let Some(h) = code.handler_for(ip).copied() {
                let frame = &mut self.fiber.frames[fi];
                frame.ip = h.handler;
                let depth = frame.base as usize + code.nslots() + h.depth as usize;
                if let Some(d) = dropped.as_deref_mut() {
                    let cut = depth.min(self.fiber.stack.len());
                    d.extend(self.fin_suspects(&self.fiber.stack[cut..]));
                }
                self.fiber.stack.truncate(depth);
                self.fiber.stack.push(exc);
                return Ok(());
            }
            let frame = self.fiber.frames.pop().unwrap();
            if let Some(d) = dropped.as_deref_mut() {
                let len = self.fiber.stack.len();
                let cut = (frame.base as usize + code.nslots()).min(len);
                d.extend(self.fin_suspects(&self.fiber.stack[cut..]));
                let locals = self.fin_suspects(&self.fiber.stack[frame.ret_sp as usize..cut]);
                self.heap.fin_deferred.extend(locals);
            }
            self.fiber.stack.truncate(frame.ret_sp as usize);
            if let Some(g) = frame.generator {
                exc = self.generator_died(g, exc);
            }
            if self.fiber.frames.len() <= stop {
                return Err(PyErr(exc));
            }
            if frame.mode == FrameMode::Delegate {
                if let Some(g) = frame.generator {
                    if self.agen_raised(g, exc) {
                        return Ok(());
                    }
                }
            }
            match frame.mode {
                FrameMode::Native | FrameMode::NativeResume | FrameMode::TaskRoot => {
                    return Err(PyErr(exc))
                }
                FrameMode::ForIter | FrameMode::Delegate | FrameMode::Call | FrameMode::Init => {}
            }
        }
    }

    /// Handles `ReturnValue`: pops the frame and delivers the value.
    pub(crate) fn return_from_frame(&mut self, v: Value, stop: usize) -> PyResult<Option<Exit>> {
        if self.heap.fin_count == 0 {
            return self.pop_returning_frame(v, stop);
        }
        // The frame's locals and stack die with it.
        let ret_sp = self.fiber.frames.last().map_or(0, |f| f.ret_sp as usize);
        let dropped = self.fin_suspects(&self.fiber.stack[ret_sp.min(self.fiber.stack.len())..]);
        let r = self.pop_returning_frame(v, stop);
        if !dropped.is_empty() {
            let mark = self.temp_roots.len();
            self.temp_roots.push(v);
            if let Err(e) = &r {
                self.temp_roots.push(e.0);
            }
            self.fin_check(dropped);
            self.temp_roots.truncate(mark);
        }
        r
    }

    /// [`Vm::return_from_frame`]'s work.
    fn pop_returning_frame(&mut self, v: Value, stop: usize) -> PyResult<Option<Exit>> {
        let frame = self.fiber.frames.pop().unwrap();
        self.fiber.stack.truncate(frame.ret_sp as usize);
        if let Some(g) = frame.generator {
            self.generator_finished(g);
        }
        let _ = stop;
        Ok(match frame.mode {
            FrameMode::Call => {
                self.fiber.stack.push(v);
                None
            }
            FrameMode::Init => {
                if !v.is_none() {
                    let msg = format!("__init__() should return None, not '{}'", self.type_name(v));
                    return Err(self.type_error(msg));
                }
                self.fiber.stack.push(frame.locals);
                None
            }
            FrameMode::Native => Some(Exit::Return(v)),
            FrameMode::NativeResume | FrameMode::TaskRoot => {
                // A generator returned to Rust: StopIteration(v) semantics.
                Some(Exit::Return(v))
            }
            FrameMode::ForIter => {
                // The loop is over: drop the iterator and jump past the loop.
                let caller = self.fiber.frames.last_mut().unwrap();
                let target = caller.code.code.instrs[caller.ip as usize - 1].jump_target();
                caller.ip = target.unwrap_or(caller.ip);
                self.fiber.stack.pop();
                None
            }
            FrameMode::Delegate => {
                // `yield from`/`await` finished: the result replaces the
                // sub-iterator and the caller continues after its Send.
                self.delegate_returned(frame.generator, v)?;
                None
            }
        })
    }
}

/// Swaps two values word by word (see [`move_value`]).
///
/// SAFETY: `a` and `b` are valid and aligned.
#[inline(always)]
unsafe fn swap_values(a: *mut Value, b: *mut Value) {
    let (a, b) = (
        a.cast::<std::mem::MaybeUninit<u64>>(),
        b.cast::<std::mem::MaybeUninit<u64>>(),
    );
    let (a0, a1) = (
        std::ptr::read_volatile(a),
        std::ptr::read_volatile(a.add(1)),
    );
    let (b0, b1) = (
        std::ptr::read_volatile(b),
        std::ptr::read_volatile(b.add(1)),
    );
    a.write(b0);
    a.add(1).write(b1);
    b.write(a0);
    b.add(1).write(a1);
}

/// Copies a value as two separate words. A value just produced by an
/// instruction was stored as tag and payload separately; reading it back
/// as one 16-byte load cannot be forwarded from those two stores and
/// stalls, while two 8-byte loads forward.
///
/// SAFETY: `src` and `dst` are valid, aligned and do not overlap.
#[inline(always)]
unsafe fn move_value(src: *const Value, dst: *mut Value) {
    use std::mem::MaybeUninit;
    // The tag word is always initialised; the payload may be padding.
    let s = src.cast::<MaybeUninit<u64>>();
    let d = dst.cast::<MaybeUninit<u64>>();
    let tag = std::ptr::read_volatile(s);
    let payload = std::ptr::read_volatile(s.add(1));
    d.write(tag);
    d.add(1).write(payload);
}
