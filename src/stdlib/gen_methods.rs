//! Methods of generators, coroutines, async generators and the awaitables
//! that drive them (`async_generator_asend`, `async_generator_athrow`,
//! `coroutine_wrapper`), and the `aiter`/`anext` builtins.

use super::builtins::{add_method, check_args, def};
use crate::bytecode::CodeKind;
use crate::vm::gen::GenStep;
use crate::vm::object::{GenOpKind, GenOpState, GenState, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm) {
    let t = &vm.types;
    let (gen, coro, agen) = (t.generator, t.coroutine, t.async_generator);
    let ops = [
        t.async_generator_asend,
        t.async_generator_athrow,
        t.coroutine_wrapper,
    ];
    for cls in [gen, coro] {
        add_method(vm, cls, "send", gen_send);
        add_method(vm, cls, "throw", gen_throw);
        add_method(vm, cls, "close", gen_close);
    }
    add_method(vm, gen, "__next__", gen_next);
    add_method(vm, gen, "__iter__", return_self);
    add_method(vm, coro, "__await__", coro_await);
    add_method(vm, agen, "__aiter__", return_self);
    add_method(vm, agen, "__anext__", agen_anext);
    add_method(vm, agen, "asend", agen_asend);
    add_method(vm, agen, "athrow", agen_athrow);
    add_method(vm, agen, "aclose", agen_aclose);
    for cls in ops {
        add_method(vm, cls, "send", op_send);
        add_method(vm, cls, "throw", op_throw);
        add_method(vm, cls, "close", op_close);
        add_method(vm, cls, "__next__", op_next);
        add_method(vm, cls, "__iter__", return_self);
        add_method(vm, cls, "__await__", return_self);
    }
    def(vm, "aiter", aiter);
    def(vm, "anext", anext);
}

/// The receiver as a generator of one of `kinds`, or CPython's TypeError
/// for a method called on the wrong type.
fn receiver(vm: &mut Vm, args: &[Value], name: &str, kinds: &[CodeKind]) -> PyResult<ObjRef> {
    if let Some(&Value::Obj(r)) = args.first() {
        if let Object::Generator(g) = vm.heap.get(r) {
            if kinds.contains(&g.kind) {
                return Ok(r);
            }
        }
    }
    let got = args
        .first()
        .map(|&v| vm.type_name(v))
        .unwrap_or_else(|| "nothing".into());
    Err(vm.type_error(format!(
        "descriptor '{name}' requires a generator, not '{got}'"
    )))
}

const SYNC_KINDS: &[CodeKind] = &[CodeKind::Generator, CodeKind::Coroutine];

/// Maps a step to a method result: a yield is returned, a return raises
/// StopIteration(value).
fn step_result(vm: &mut Vm, step: GenStep) -> PyResult<Value> {
    match step {
        GenStep::Yield(v) => Ok(v),
        GenStep::Return(v) => Err(vm.stop_iteration(v)),
    }
}

fn gen_send(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = receiver(vm, args, "send", SYNC_KINDS)?;
    check_args(vm, "send", &args[1..], kw, 1, 1)?;
    let step = vm.gen_resume(g, args[1], None)?;
    step_result(vm, step)
}

fn gen_next(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = receiver(vm, args, "__next__", &[CodeKind::Generator])?;
    check_args(vm, "__next__", &args[1..], kw, 0, 0)?;
    let step = vm.gen_resume(g, Value::None, None)?;
    step_result(vm, step)
}

fn gen_throw(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = receiver(vm, args, "throw", SYNC_KINDS)?;
    let exc = vm.throw_args_for(g, &args[1..])?;
    let step = vm.gen_throw(g, exc)?;
    step_result(vm, step)
}

fn gen_close(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = receiver(vm, args, "close", SYNC_KINDS)?;
    check_args(vm, "close", &args[1..], kw, 0, 0)?;
    vm.gen_close(g)?;
    Ok(Value::None)
}

fn return_self(_vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(args.first().copied().unwrap_or(Value::None))
}

fn coro_await(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = receiver(vm, args, "__await__", &[CodeKind::Coroutine])?;
    check_args(vm, "__await__", &args[1..], kw, 0, 0)?;
    Ok(vm.new_gen_op(g, GenOpKind::Await))
}

const AGEN: &[CodeKind] = &[CodeKind::AsyncGenerator];

fn agen_anext(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = receiver(vm, args, "__anext__", AGEN)?;
    check_args(vm, "__anext__", &args[1..], kw, 0, 0)?;
    Ok(vm.new_gen_op(g, GenOpKind::ASend(Value::None)))
}

fn agen_asend(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = receiver(vm, args, "asend", AGEN)?;
    check_args(vm, "asend", &args[1..], kw, 1, 1)?;
    Ok(vm.new_gen_op(g, GenOpKind::ASend(args[1])))
}

fn agen_athrow(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = receiver(vm, args, "athrow", AGEN)?;
    let exc = vm.throw_args_exception(&args[1..])?;
    Ok(vm.new_gen_op(g, GenOpKind::AThrow(exc)))
}

fn agen_aclose(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = receiver(vm, args, "aclose", AGEN)?;
    check_args(vm, "aclose", &args[1..], kw, 0, 0)?;
    Ok(vm.new_gen_op(g, GenOpKind::AClose))
}

fn op_receiver(vm: &mut Vm, args: &[Value], name: &str) -> PyResult<ObjRef> {
    if let Some(&Value::Obj(r)) = args.first() {
        if matches!(vm.heap.get(r), Object::GenOp(_)) {
            return Ok(r);
        }
    }
    Err(vm.type_error(format!("descriptor '{name}' requires an awaitable")))
}

fn op_send(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let op = op_receiver(vm, args, "send")?;
    check_args(vm, "send", &args[1..], kw, 1, 1)?;
    let step = vm.gen_op_resume(op, args[1], None)?;
    step_result(vm, step)
}

fn op_next(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let op = op_receiver(vm, args, "__next__")?;
    check_args(vm, "__next__", &args[1..], kw, 0, 0)?;
    let step = vm.gen_op_resume(op, Value::None, None)?;
    step_result(vm, step)
}

fn op_throw(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let op = op_receiver(vm, args, "throw")?;
    let exc = vm.throw_args_exception(&args[1..])?;
    let step = vm.gen_op_resume(op, Value::None, Some(exc))?;
    step_result(vm, step)
}

fn op_close(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let op = op_receiver(vm, args, "close")?;
    check_args(vm, "close", &args[1..], kw, 0, 0)?;
    let Object::GenOp(o) = vm.heap.get_mut(op) else {
        unreachable!()
    };
    if matches!(o.kind, GenOpKind::Await) {
        let g = o.gen;
        vm.gen_close(g)?;
    } else {
        o.state = GenOpState::Closed;
    }
    Ok(Value::None)
}

fn aiter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "aiter", args, kw, 1, 1)?;
    let obj = args[0];
    let Some(m) = vm.lookup_special(obj, "__aiter__") else {
        let msg = format!("'{}' object is not an async iterable", vm.type_name(obj));
        return Err(vm.type_error(msg));
    };
    let it = vm.call(m, &[], &[])?;
    if vm.lookup_special(it, "__anext__").is_none() {
        let msg = format!("'{}' object is not an async iterator", vm.type_name(it));
        return Err(vm.type_error(msg));
    }
    Ok(it)
}

fn anext(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "anext", args, kw, 1, 2)?;
    let it = args[0];
    let Some(m) = vm.lookup_special(it, "__anext__") else {
        let msg = format!("'{}' object is not an async iterator", vm.type_name(it));
        return Err(vm.type_error(msg));
    };
    let aw = vm.call(m, &[], &[])?;
    if args.len() == 1 {
        return Ok(aw);
    }
    // With a default: an awaitable that turns StopAsyncIteration into it.
    vm.temp_roots.push(aw);
    let helper = crate::stdlib::import::import_module(vm, "_aspy_async")
        .and_then(|m| vm.get_attr_str(m, "anext_default"));
    vm.temp_roots.pop();
    let helper = helper?;
    vm.call(helper, &[aw, args[1]], &[])
}

/// The `gi_*`/`cr_*`/`ag_*` attributes of generator `g` (None if `name` is
/// not one).
pub fn generator_attr(vm: &mut Vm, g: ObjRef, name: &str) -> PyResult<Option<Value>> {
    let Object::Generator(gen) = vm.heap.get(g) else {
        return Ok(None);
    };
    let prefix = match gen.kind {
        CodeKind::Coroutine => "cr_",
        CodeKind::AsyncGenerator => "ag_",
        _ => "gi_",
    };
    let Some(field) = name.strip_prefix(prefix) else {
        return Ok(None);
    };
    let (state, flags, kind) = (gen.state, gen.flags, gen.kind);
    let on_fiber = vm.fiber.frames.iter().any(|f| f.generator == Some(g));
    let v = match field {
        "running" if kind == CodeKind::AsyncGenerator => {
            Value::Bool(flags & crate::vm::object::generator::AG_RUNNING_ASYNC != 0)
        }
        "running" => Value::Bool(state == GenState::Running && on_fiber),
        "suspended" => Value::Bool(state == GenState::Suspended),
        "frame" if state == GenState::Finished => Value::None,
        "frame" => frame_view(vm, g),
        "await" | "yieldfrom" => delegate_of(vm, g),
        "origin" if kind == CodeKind::Coroutine => Value::None,
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// What a suspended generator is delegating to (`yield from` / `await`).
fn delegate_of(vm: &Vm, g: ObjRef) -> Value {
    let Object::Generator(gen) = vm.heap.get(g) else {
        return Value::None;
    };
    let at_send = |f: &crate::vm::frame::Frame| crate::vm::gen::at_send(&f.code, f.ip);
    if gen.has_saved_frame() {
        if gen.state != GenState::Created && crate::vm::gen::at_send(&gen.code, gen.ip) {
            return gen.saved().last().copied().unwrap_or(Value::None);
        }
        return Value::None;
    }
    // Running on the current fiber: the value below the next frame up.
    let frames = &vm.fiber.frames;
    match frames.iter().position(|f| f.generator == Some(g)) {
        Some(i) if i + 1 < frames.len() && at_send(&frames[i]) => {
            let above = frames[i + 1].ret_sp as usize;
            vm.fiber
                .stack
                .get(above.wrapping_sub(1))
                .copied()
                .unwrap_or(Value::None)
        }
        _ => Value::None,
    }
}

/// A `frame` object for `cr_frame`/`gi_frame`/`ag_frame`: shows the
/// generator's current line.
struct FrameView {
    class: ObjRef,
    gen: ObjRef,
}

impl crate::vm::object::NativeObject for FrameView {
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(Value::Obj(self.gen));
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

fn frame_view(vm: &mut Vm, g: ObjRef) -> Value {
    let class = match vm.module_state.get("frame") {
        Some(&Value::Obj(c)) => c,
        _ => {
            let object = vm.types.object;
            let c = vm.new_class("frame", &[object], crate::vm::object::Layout::Builtin);
            add_method(vm, c, "__repr__", frame_repr);
            super::method_args::add_getter(vm, c, "f_lineno", frame_lineno);
            vm.module_state.insert("frame", Value::Obj(c));
            c
        }
    };
    vm.alloc(Object::Native(Box::new(FrameView { class, gen: g })))
}

/// The code and current line of the generator behind a frame view.
fn frame_position(vm: &Vm, v: Value) -> Option<(std::rc::Rc<crate::bytecode::Code>, usize)> {
    let g = vm.native_ref::<FrameView>(v)?.gen;
    let Object::Generator(gen) = vm.heap.get(g) else {
        return None;
    };
    let (code, ip) = if gen.has_saved_frame() {
        (gen.code.code.clone(), gen.ip)
    } else {
        let f = vm.fiber.frames.iter().find(|f| f.generator == Some(g))?;
        (f.code.code.clone(), f.ip)
    };
    let line = if ip == 0 {
        code.source.line_of(code.span.start)
    } else {
        code.line_of(ip as usize - 1)
    };
    Some((code, line))
}

fn frame_lineno(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let v = args.first().copied().unwrap_or(Value::None);
    Ok(frame_position(vm, v).map_or(Value::None, |(_, l)| Value::Int(l as i64)))
}

fn frame_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let v = args.first().copied().unwrap_or(Value::None);
    let addr = match v {
        Value::Obj(r) => 0x7f00_0000_0000usize + r.index() * 16,
        _ => 0,
    };
    let text = match frame_position(vm, v) {
        Some((code, line)) => format!(
            "<frame at {addr:#x}, file '{}', line {line}, code {}>",
            code.source.name, code.name
        ),
        None => format!("<frame at {addr:#x}>"),
    };
    Ok(vm.new_str(text))
}
