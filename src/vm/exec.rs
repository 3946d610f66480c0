//! Out-of-line instructions: everything the dispatch loop in `interp.rs`
//! does not handle inline, and the general case of the instructions it
//! fast-paths (a fast path that does not apply falls back here).
//!
//! Here the fiber's value stack `Vec` is authoritative: the loop has written
//! its stack pointer back before calling [`Vm::exec_slow`] and reloads it
//! afterwards, so these arms use ordinary `Vec` operations.

use super::frame::FrameMode;
use super::interp::{CallOutcome, Flow};
use super::object::{GenState, Iter, Object, VmCode};
use super::ops::arith;
use super::value::Value;
use super::{PyErr, PyResult, Vm};
use crate::bytecode::Instr;

impl Vm {
    /// Executes `instr` (already fetched; `ip` is the index after it) in
    /// the frame at index `fi`, whose code is `vcode`.
    #[inline(never)]
    pub(crate) fn exec_slow(
        &mut self,
        instr: Instr,
        fi: usize,
        ip: &mut usize,
        stop: usize,
        vcode: &VmCode,
    ) -> PyResult<Flow> {
        let code = &*vcode.code;
        let base = self.fiber.frames[fi].base as usize;
        self.fiber.frames[fi].ip = *ip as u32;
        macro_rules! push {
            ($v:expr) => {{
                let v = $v;
                self.fiber.stack.push(v)
            }};
        }
        macro_rules! pop {
            () => {
                self.fiber.stack.pop().unwrap_or(Value::None)
            };
        }
        macro_rules! top {
            () => {
                *self.fiber.stack.last().unwrap()
            };
        }
        macro_rules! save_ip {
            () => {
                self.fiber.frames[fi].ip = *ip as u32
            };
        }
        macro_rules! tri {
            ($e:expr) => {
                $e?
            };
        }
        match instr {
            Instr::LoadLocal(i) => {
                let v = self.fiber.stack[base + i as usize];
                if v.is_unbound() {
                    return Err(self.unbound_local(code, i));
                }
                push!(v);
            }
            Instr::StoreLocal(i) => {
                let v = pop!();
                let old = std::mem::replace(&mut self.fiber.stack[base + i as usize], v);
                if self.heap.fin_count != 0 {
                    self.fin_check_dropped(&[old]);
                }
            }
            Instr::LoadConst(i) => push!(vcode.consts[i as usize]),
            Instr::LoadSmallInt(i) => push!(Value::Int(i as i64)),
            Instr::LoadNone => push!(Value::None),
            Instr::Pop => {
                self.fiber.stack.pop();
            }
            Instr::PopIter => {
                let it = pop!();
                if self.heap.fin_count != 0 {
                    self.fin_check_dropped(&[it]);
                }
            }
            Instr::BinaryOp(op) => {
                let n = self.fiber.stack.len();
                let (a, b) = (self.fiber.stack[n - 2], self.fiber.stack[n - 1]);
                let r = match arith::fast_binary(op, a, b) {
                    Some(r) => r,
                    None => tri!(self.binary_op(a, b, op)),
                };
                self.fiber.stack.truncate(n - 2);
                push!(r);
            }
            Instr::InplaceOp(op) => {
                let n = self.fiber.stack.len();
                let (a, b) = (self.fiber.stack[n - 2], self.fiber.stack[n - 1]);
                let r = match arith::fast_binary(op, a, b) {
                    Some(r) => r,
                    None => tri!(self.inplace_op(a, b, op)),
                };
                self.fiber.stack.truncate(n - 2);
                push!(r);
            }
            Instr::Compare(op) => {
                let n = self.fiber.stack.len();
                let (a, b) = (self.fiber.stack[n - 2], self.fiber.stack[n - 1]);
                let r = match arith::fast_compare(op, a, b) {
                    Some(r) => Value::Bool(r),
                    None => tri!(self.compare_op(a, b, op)),
                };
                self.fiber.stack.truncate(n - 2);
                push!(r);
            }
            Instr::Jump(t) => {
                if (t as usize) < *ip {
                    save_ip!();
                    tri!(self.safe_point());
                }
                *ip = t as usize;
            }
            Instr::PopJumpIfFalse(t) => {
                let v = pop!();
                let truth = match v {
                    Value::Bool(b) => b,
                    _ => tri!(self.truthy(v)),
                };
                if !truth {
                    *ip = t as usize;
                }
            }
            Instr::PopJumpIfTrue(t) => {
                let v = pop!();
                let truth = match v {
                    Value::Bool(b) => b,
                    _ => tri!(self.truthy(v)),
                };
                if truth {
                    *ip = t as usize;
                }
            }
            Instr::PopJumpIfNone(t) => {
                if pop!().is_none() {
                    *ip = t as usize;
                }
            }
            Instr::PopJumpIfNotNone(t) => {
                if !pop!().is_none() {
                    *ip = t as usize;
                }
            }
            Instr::JumpIfFalseOrPop(t) => {
                let v = top!();
                if !tri!(self.truthy(v)) {
                    *ip = t as usize;
                } else {
                    self.fiber.stack.pop();
                }
            }
            Instr::JumpIfTrueOrPop(t) => {
                let v = top!();
                if tri!(self.truthy(v)) {
                    *ip = t as usize;
                } else {
                    self.fiber.stack.pop();
                }
            }
            Instr::LoadGlobal(i) => {
                let name = vcode.names[i as usize];
                let globals = self.fiber.frames[fi].globals;
                let v = tri!(self.load_global(globals, name));
                push!(v);
            }
            Instr::StoreGlobal(i) => {
                let name = vcode.names[i as usize];
                let globals = self.fiber.frames[fi].globals;
                let v = top!();
                let old = self.fin_old_binding(Value::Obj(globals), name);
                tri!(self.dict_set_str(globals, name, v));
                self.fiber.stack.pop();
                self.fin_check_binding(old);
            }
            Instr::DeleteGlobal(i) => {
                let name = vcode.names[i as usize];
                let globals = self.fiber.frames[fi].globals;
                let old = self.fin_old_binding(Value::Obj(globals), name);
                tri!(self.delete_name_in(Value::Obj(globals), name));
                self.fin_check_binding(old);
            }
            Instr::LoadName(i) => {
                let name = vcode.names[i as usize];
                let v = tri!(self.load_name(fi, name));
                push!(v);
            }
            Instr::StoreName(i) => {
                let name = vcode.names[i as usize];
                let ns = self.fiber.frames[fi].locals;
                let v = top!();
                let old = self.fin_old_binding(ns, name);
                tri!(self.namespace_set(ns, name, v));
                self.fiber.stack.pop();
                self.fin_check_binding(old);
            }
            Instr::DeleteName(i) => {
                let name = vcode.names[i as usize];
                let ns = self.fiber.frames[fi].locals;
                let old = self.fin_old_binding(ns, name);
                tri!(self.delete_name_in(ns, name));
                self.fin_check_binding(old);
            }
            Instr::DeleteLocal(i) => {
                let slot = base + i as usize;
                if self.fiber.stack[slot].is_unbound() {
                    return Err(self.unbound_local(code, i));
                }
                let old = std::mem::replace(&mut self.fiber.stack[slot], Value::Unbound);
                if self.heap.fin_count != 0 {
                    self.fin_check_dropped(&[old]);
                }
            }
            Instr::LoadDeref(i) => {
                let cell = self.fiber.stack[base + i as usize];
                let v = self.cell_get(cell);
                if v.is_unbound() {
                    return Err(self.unbound_deref(code, i));
                }
                push!(v);
            }
            Instr::StoreDeref(i) => {
                let cell = self.fiber.stack[base + i as usize];
                let v = pop!();
                self.cell_set(cell, v);
            }
            Instr::DeleteDeref(i) => {
                let cell = self.fiber.stack[base + i as usize];
                if self.cell_get(cell).is_unbound() {
                    return Err(self.unbound_deref(code, i));
                }
                self.cell_set(cell, Value::Unbound);
            }
            Instr::LoadClosure(i) => push!(self.fiber.stack[base + i as usize]),
            Instr::LoadClassDeref(i) => {
                let name = Value::Obj(self.intern(&code.varnames[i as usize].clone()));
                let ns = self.fiber.frames[fi].locals;
                let found = tri!(self.namespace_get(ns, name));
                let v = match found {
                    Some(v) => v,
                    None => {
                        let cell = self.fiber.stack[base + i as usize];
                        let v = self.cell_get(cell);
                        if v.is_unbound() {
                            return Err(self.unbound_deref(code, i));
                        }
                        v
                    }
                };
                push!(v);
            }
            Instr::LoadAttr(i) => {
                let name = vcode.names[i as usize];
                let obj = top!();
                let v = tri!(self.get_attr(obj, name));
                *self.fiber.stack.last_mut().unwrap() = v;
            }
            Instr::StoreAttr(i) => {
                let name = vcode.names[i as usize];
                let n = self.fiber.stack.len();
                let (v, obj) = (self.fiber.stack[n - 2], self.fiber.stack[n - 1]);
                let old = self.fin_old_attr(obj, name);
                tri!(self.set_attr(obj, name, v));
                self.fiber.stack.truncate(n - 2);
                self.fin_check_binding(old);
            }
            Instr::DeleteAttr(i) => {
                let name = vcode.names[i as usize];
                let obj = top!();
                let old = self.fin_old_attr(obj, name);
                tri!(self.del_attr(obj, name));
                self.fiber.stack.pop();
                self.fin_check_binding(old);
            }
            Instr::LoadMethod(i) => {
                let name = vcode.names[i as usize];
                let obj = top!();
                let (m, recv) = tri!(self.load_method(obj, name));
                *self.fiber.stack.last_mut().unwrap() = m;
                push!(recv);
            }
            Instr::BinarySubscr => {
                let n = self.fiber.stack.len();
                let (c, k) = (self.fiber.stack[n - 2], self.fiber.stack[n - 1]);
                let v = tri!(self.get_item(c, k));
                self.fiber.stack.truncate(n - 2);
                push!(v);
            }
            Instr::StoreSubscr => {
                let n = self.fiber.stack.len();
                let (v, c, k) = (
                    self.fiber.stack[n - 3],
                    self.fiber.stack[n - 2],
                    self.fiber.stack[n - 1],
                );
                tri!(self.set_item(c, k, v));
                self.fiber.stack.truncate(n - 3);
            }
            Instr::DeleteSubscr => {
                let n = self.fiber.stack.len();
                let (c, k) = (self.fiber.stack[n - 2], self.fiber.stack[n - 1]);
                tri!(self.del_item(c, k));
                self.fiber.stack.truncate(n - 2);
            }
            Instr::BuildSlice(n) => {
                let step = if n == 3 { pop!() } else { Value::None };
                let stop_v = pop!();
                let start = pop!();
                let s = self.alloc(Object::Slice(Box::new([start, stop_v, step])));
                push!(s);
            }
            Instr::Copy(n) => {
                let v = self.fiber.stack[self.fiber.stack.len() - n as usize];
                push!(v);
            }
            Instr::Swap(n) => {
                let len = self.fiber.stack.len();
                self.fiber.stack.swap(len - 1, len - n as usize);
            }
            Instr::UnaryNegative => {
                let v = top!();
                let r = match v {
                    Value::Int(i) if i != i64::MIN => Value::Int(-i),
                    Value::Float(f) => Value::Float(-f),
                    _ => tri!(self.unary_op(v, Instr::UnaryNegative)),
                };
                *self.fiber.stack.last_mut().unwrap() = r;
            }
            Instr::UnaryPositive | Instr::UnaryInvert => {
                let v = top!();
                let r = tri!(self.unary_op(v, instr));
                *self.fiber.stack.last_mut().unwrap() = r;
            }
            Instr::UnaryNot => {
                let v = top!();
                let t = tri!(self.truthy(v));
                *self.fiber.stack.last_mut().unwrap() = Value::Bool(!t);
            }
            Instr::GetIter => {
                let v = top!();
                let it = tri!(self.get_iter(v));
                *self.fiber.stack.last_mut().unwrap() = it;
            }
            Instr::ForIter(t) => {
                let it = top!();
                if let Value::Obj(r) = it {
                    match self.heap.get_mut(r) {
                        Object::Iter(iter) => {
                            if let Iter::Range { next, stop, step } = &mut **iter {
                                let cur = *next;
                                if (*step > 0 && cur < *stop) || (*step < 0 && cur > *stop) {
                                    *next = cur.checked_add(*step).unwrap_or(*stop);
                                    push!(Value::Int(cur));
                                } else {
                                    self.fiber.stack.pop();
                                    *ip = t as usize;
                                }
                                return Ok(Flow::Next);
                            }
                        }
                        Object::Generator(g) if g.state != GenState::Running => {
                            save_ip!();
                            tri!(self.resume_generator(r, Value::None, None, FrameMode::ForIter));
                            return Ok(Flow::Frames);
                        }
                        _ => {}
                    }
                }
                save_ip!();
                match tri!(self.iter_next(it)) {
                    Some(v) => push!(v),
                    None => {
                        self.fiber.stack.pop();
                        *ip = t as usize;
                    }
                }
            }
            Instr::ReturnValue => {
                let v = pop!();
                save_ip!();
                match self.return_from_frame(v, stop) {
                    Ok(Some(exit)) => return Ok(Flow::Exit(exit)),
                    Ok(None) => return Ok(Flow::Frames),
                    Err(e) => {
                        return Ok(match self.unwind(e, stop) {
                            Ok(()) => Flow::Frames,
                            Err(e) => Flow::Fail(e),
                        });
                    }
                }
            }
            Instr::Call(n) => {
                save_ip!();
                let args = self.fin_call_args(n as usize + 2);
                match tri!(self.call_instr(n as usize, None, false)) {
                    CallOutcome::Pushed => return Ok(Flow::Frames),
                    CallOutcome::Done(v) => {
                        push!(v);
                        self.fin_check_args(args);
                    }
                }
            }
            Instr::CallMethod(n) => {
                save_ip!();
                let args = self.fin_call_args(n as usize + 2);
                match tri!(self.call_instr(n as usize, None, true)) {
                    CallOutcome::Pushed => return Ok(Flow::Frames),
                    CallOutcome::Done(v) => {
                        push!(v);
                        self.fin_check_args(args);
                    }
                }
            }
            Instr::CallKw(n) => {
                save_ip!();
                let names = pop!();
                let args = self.fin_call_args(n as usize + 1);
                match tri!(self.call_instr(n as usize, Some(names), false)) {
                    CallOutcome::Pushed => return Ok(Flow::Frames),
                    CallOutcome::Done(v) => {
                        push!(v);
                        self.fin_check_args(args);
                    }
                }
            }
            Instr::CallEx(flags) => {
                save_ip!();
                match tri!(self.call_ex_instr(flags != 0)) {
                    CallOutcome::Pushed => return Ok(Flow::Frames),
                    CallOutcome::Done(v) => push!(v),
                }
            }
            Instr::MakeFunction { code_index, flags } => {
                let child = vcode.children[code_index as usize].clone();
                let globals = self.fiber.frames[fi].globals;
                let f = tri!(self.make_function(child, globals, flags));
                push!(f);
            }
            Instr::LoadBuildClass => {
                let v = tri!(self.builtin_value("__build_class__"));
                push!(v);
            }
            Instr::BuildTuple(n) => {
                let at = self.fiber.stack.len() - n as usize;
                let items: Vec<Value> = self.fiber.stack.drain(at..).collect();
                let t = self.new_tuple(items);
                push!(t);
            }
            Instr::BuildList(n) => {
                let at = self.fiber.stack.len() - n as usize;
                let items: Vec<Value> = self.fiber.stack.drain(at..).collect();
                let l = self.new_list(items);
                push!(l);
            }
            Instr::BuildSet(n) => {
                let at = self.fiber.stack.len() - n as usize;
                let items: Vec<Value> = self.fiber.stack[at..].to_vec();
                let s = tri!(self.new_set_from(&items));
                self.fiber.stack.truncate(at);
                push!(s);
            }
            Instr::BuildMap(n) => {
                let at = self.fiber.stack.len() - 2 * n as usize;
                let d = self.new_dict();
                push!(d);
                for k in 0..n as usize {
                    let key = self.fiber.stack[at + 2 * k];
                    let val = self.fiber.stack[at + 2 * k + 1];
                    tri!(self.dict_set(d, key, val));
                }
                self.fiber.stack.truncate(at);
                push!(d);
            }
            Instr::BuildString(n) => {
                let at = self.fiber.stack.len() - n as usize;
                let mut s = String::new();
                for k in at..self.fiber.stack.len() {
                    s.push_str(self.str_of(self.fiber.stack[k]));
                }
                self.fiber.stack.truncate(at);
                let v = self.new_str(s);
                push!(v);
            }
            Instr::ListToTuple => {
                let l = pop!();
                let items = self.seq_items(l).map(|s| s.to_vec()).unwrap_or_default();
                let t = self.new_tuple(items);
                push!(t);
            }
            Instr::ListAppend(d) => {
                let v = pop!();
                let l = self.fiber.stack[self.fiber.stack.len() - d as usize];
                if let Value::Obj(r) = l {
                    if let Object::List(items) = self.heap.get_mut(r) {
                        items.push(v);
                    }
                }
            }
            Instr::SetAdd(d) => {
                let v = pop!();
                let s = self.fiber.stack[self.fiber.stack.len() - d as usize];
                push!(v);
                tri!(self.set_add(s, v));
                self.fiber.stack.pop();
            }
            Instr::MapAdd(d) => {
                let n = self.fiber.stack.len();
                let (k, v) = (self.fiber.stack[n - 2], self.fiber.stack[n - 1]);
                let m = self.fiber.stack[n - 2 - d as usize];
                tri!(self.dict_set(m, k, v));
                self.fiber.stack.truncate(n - 2);
            }
            Instr::ListExtend(d) => {
                let it = top!();
                let l = self.fiber.stack[self.fiber.stack.len() - 1 - d as usize];
                if let Err(e) = self.list_extend(l, it) {
                    return Err(self.star_error(e, it, None));
                }
                self.fiber.stack.pop();
            }
            Instr::SetUpdate(d) => {
                let it = top!();
                let s = self.fiber.stack[self.fiber.stack.len() - 1 - d as usize];
                tri!(self.set_update(s, it));
                self.fiber.stack.pop();
            }
            Instr::DictUpdate(d) => {
                let m = top!();
                let target = self.fiber.stack[self.fiber.stack.len() - 1 - d as usize];
                tri!(self.dict_update(target, m, false));
                self.fiber.stack.pop();
            }
            Instr::DictMerge(d) => {
                let n = self.fiber.stack.len();
                let m = top!();
                let target = self.fiber.stack[n - 1 - d as usize];
                if let Err(e) = self.dict_update(target, m, true) {
                    // Below the dict: the positional tuple, the callee.
                    let func = self.fiber.stack[n - 3 - d as usize];
                    return Err(self.double_star_error(e, func));
                }
                self.fiber.stack.pop();
            }
            Instr::FormatValue(flags) => {
                let spec = if flags & 4 != 0 { Some(pop!()) } else { None };
                let v = top!();
                let s = tri!(self.format_value(v, flags & 3, spec));
                *self.fiber.stack.last_mut().unwrap() = s;
            }
            Instr::UnpackSequence(n) => {
                let seq = top!();
                let items = tri!(self.unpack(seq, n as usize, None));
                self.fiber.stack.pop();
                self.fiber.stack.extend(items.into_iter().rev());
            }
            Instr::UnpackEx(arg) => {
                let (before, after) = ((arg & 0xff) as usize, (arg >> 8) as usize);
                let seq = top!();
                let items = tri!(self.unpack(seq, before, Some(after)));
                self.fiber.stack.pop();
                self.fiber.stack.extend(items.into_iter().rev());
            }
            Instr::RaiseVarargs(n) => {
                save_ip!();
                return Err(self.raise_varargs(n));
            }
            Instr::Reraise => {
                let exc = pop!();
                save_ip!();
                self.reraising = true;
                return Err(PyErr(exc));
            }
            Instr::PushExcInfo => {
                let exc = pop!();
                let prev = self.fiber.handled;
                push!(prev);
                push!(exc);
                self.fiber.handled = exc;
            }
            Instr::PopExcept => {
                let prev = pop!();
                self.fiber.handled = prev;
                if !self.heap.fin_deferred.is_empty() {
                    self.fin_check_deferred();
                }
            }
            Instr::CheckExcMatch => {
                let typ = pop!();
                let exc = top!();
                let m = tri!(self.exception_matches(exc, typ));
                push!(Value::Bool(m));
            }
            Instr::LoadAssertionError => {
                let cls = self.types.exc(super::exceptions::ExcKind::AssertionError);
                push!(Value::Obj(cls));
            }
            Instr::BeforeWith => {
                save_ip!();
                let mgr = top!();
                let (exit, entered) = tri!(self.before_with(mgr));
                self.fiber.stack.pop();
                push!(exit);
                push!(entered);
            }
            Instr::BeforeAsyncWith => {
                save_ip!();
                let mgr = top!();
                let (exit, aw) = tri!(self.before_async_with(mgr));
                self.fiber.stack.pop();
                push!(exit);
                push!(aw);
            }
            Instr::WithExceptStart => {
                save_ip!();
                let n = self.fiber.stack.len();
                let (exit, exc) = (self.fiber.stack[n - 3], self.fiber.stack[n - 1]);
                let r = tri!(self.with_except_start(exit, exc));
                push!(r);
            }
            Instr::YieldValue | Instr::Send(_) | Instr::GetANext => {
                return self.exec_gen(instr, fi, ip, stop, vcode);
            }
            Instr::GetYieldFromIter => {
                let v = top!();
                let it = tri!(self.get_yield_from_iter(v, code));
                *self.fiber.stack.last_mut().unwrap() = it;
            }
            Instr::GetAwaitable => {
                let v = top!();
                let aw = tri!(self.get_awaitable(v));
                *self.fiber.stack.last_mut().unwrap() = aw;
            }
            Instr::GetAExitAwaitable => {
                let v = top!();
                let aw = tri!(self.get_with_awaitable(v, "__aexit__"));
                *self.fiber.stack.last_mut().unwrap() = aw;
            }
            Instr::GetAIter => {
                save_ip!();
                let v = top!();
                let it = tri!(self.get_aiter(v));
                *self.fiber.stack.last_mut().unwrap() = it;
            }
            Instr::EndAsyncFor => {
                let exc = pop!();
                if self.exc_matches(exc, super::exceptions::ExcKind::StopAsyncIteration) {
                    self.fiber.stack.pop();
                } else {
                    save_ip!();
                    self.reraising = true;
                    return Err(PyErr(exc));
                }
            }
            Instr::ImportName(i) => {
                save_ip!();
                let name = vcode.names[i as usize];
                let globals = self.fiber.frames[fi].globals;
                let m = tri!(self.import_module_value(name, globals));
                push!(m);
            }
            Instr::ImportFrom(i) => {
                let name = vcode.names[i as usize];
                let m = top!();
                let v = tri!(self.import_from(m, name));
                push!(v);
            }
            Instr::ImportStar => {
                let m = top!();
                let ns = self.fiber.frames[fi].locals;
                tri!(self.import_star(m, ns));
                self.fiber.stack.pop();
            }
            Instr::PrintExpr => {
                save_ip!();
                let v = top!();
                tri!(self.print_expr(v));
                self.fiber.stack.pop();
            }
            Instr::Nop => {}
            // A superinstruction off its fast path is its first instruction.
            Instr::LoadLocal2(..)
            | Instr::LoadLocalInt(..)
            | Instr::SubscrLocalInt(..)
            | Instr::BinaryOpLocalInt(..)
            | Instr::BinaryOpLocals(..)
            | Instr::StoreLocalLoadLocal(..)
            | Instr::ForIterStore(..)
            | Instr::LoadAttrLocal(..)
            | Instr::StoreAttrLocal(..)
            | Instr::LoadMethodLocal(..)
            | Instr::BinaryOpLocal(..)
            | Instr::CompareLocalInt(..)
            | Instr::BinaryOpConst(..)
            | Instr::BinaryOpStore(..)
            | Instr::SubscrDup
            | Instr::StoreSubscrRot => return self.exec_slow(instr.first(), fi, ip, stop, vcode),
        }
        Ok(Flow::Next)
    }
}
