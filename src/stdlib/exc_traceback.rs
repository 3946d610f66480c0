//! Traceback, frame and code objects: what `exc.__traceback__` returns.
//!
//! An exception keeps its traceback as a list of entries (innermost frame
//! first, see `ExcData::traceback`); `__traceback__` wraps a snapshot of it
//! in a `traceback` object whose frame is the last entry, and `tb_next`
//! drops that entry. The objects are read-only views: `tb_frame` gives a
//! `frame` with `f_lineno`, `f_globals` and `f_code`, whose `code` has
//! `co_name`, `co_qualname`, `co_filename` and `co_firstlineno`.
//! `with_traceback(tb)` and assigning `__traceback__` copy the entries back.
//! `sys._getframe` gives the same kind of frame for a running frame.

use super::modules::support::{add_getter, alloc_native, impl_native, new_type, state_class};
use crate::bytecode::Code;
use crate::vm::object::TraceEntry;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

const TRACEBACK_KEY: &str = "builtins.traceback";
const FRAME_KEY: &str = "builtins.frame";
const CODE_KEY: &str = "builtins.code";

/// A `traceback` object: `entries` ends with this traceback's own frame.
struct Traceback {
    class: ObjRef,
    entries: Rc<[TraceEntry]>,
}
impl_native!(Traceback, |s, f| {
    s.entries.iter().for_each(|e| f(Value::Obj(e.globals)));
});

/// A `frame` object (a frame that an exception passed through).
struct FrameObj {
    class: ObjRef,
    entry: TraceEntry,
}
impl_native!(FrameObj, |s, f| {
    f(Value::Obj(s.entry.globals));
});

/// A `code` object.
struct CodeObj {
    class: ObjRef,
    code: Rc<Code>,
}
impl_native!(CodeObj, |_s, _f| {});

/// Creates the three types (they are not bound in builtins, as in CPython).
pub fn install(vm: &mut Vm) {
    let tb = new_type(vm, "traceback", "builtins");
    add_getter(vm, tb, "tb_next", tb_next);
    add_getter(vm, tb, "tb_frame", tb_frame);
    add_getter(vm, tb, "tb_lineno", tb_lineno);
    add_getter(vm, tb, "tb_lasti", tb_lasti);
    vm.module_state.insert(TRACEBACK_KEY, Value::Obj(tb));
    let frame = new_type(vm, "frame", "builtins");
    add_getter(vm, frame, "f_lineno", f_lineno);
    add_getter(vm, frame, "f_globals", f_globals);
    add_getter(vm, frame, "f_code", f_code);
    vm.module_state.insert(FRAME_KEY, Value::Obj(frame));
    let code = new_type(vm, "code", "builtins");
    add_getter(vm, code, "co_name", co_name);
    add_getter(vm, code, "co_qualname", co_qualname);
    add_getter(vm, code, "co_filename", co_filename);
    add_getter(vm, code, "co_firstlineno", co_firstlineno);
    vm.module_state.insert(CODE_KEY, Value::Obj(code));
}

/// `exc.__traceback__`: None if the exception was never raised.
pub fn traceback_of(vm: &mut Vm, exc: Value) -> PyResult<Value> {
    let entries: Rc<[TraceEntry]> = match vm.exc_data(exc) {
        Some(d) if !d.traceback.is_empty() => d.traceback.as_slice().into(),
        _ => return Ok(Value::None),
    };
    Ok(new_traceback(vm, entries))
}

fn new_traceback(vm: &mut Vm, entries: Rc<[TraceEntry]>) -> Value {
    let class = state_class(vm, TRACEBACK_KEY);
    alloc_native(vm, Traceback { class, entries })
}

/// The entries of a traceback object, for `with_traceback`; None if `tb`
/// is not one.
pub fn entries_of(vm: &Vm, tb: Value) -> Option<Vec<TraceEntry>> {
    vm.native_ref::<Traceback>(tb).map(|t| t.entries.to_vec())
}

/// The frame entry of the traceback `args[0]`.
fn tb_entry(vm: &mut Vm, args: &[Value]) -> PyResult<(Rc<[TraceEntry]>, TraceEntry)> {
    let this = args.first().copied().unwrap_or(Value::None);
    match vm.native_ref::<Traceback>(this) {
        Some(t) => {
            let last = t.entries[t.entries.len() - 1].clone();
            Ok((t.entries.clone(), last))
        }
        None => Err(vm.type_error("expected a traceback object")),
    }
}

fn tb_next(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let (entries, _) = tb_entry(vm, args)?;
    if entries.len() < 2 {
        return Ok(Value::None);
    }
    Ok(new_traceback(vm, entries[..entries.len() - 1].into()))
}

fn tb_frame(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, entry) = tb_entry(vm, args)?;
    let class = state_class(vm, FRAME_KEY);
    Ok(alloc_native(vm, FrameObj { class, entry }))
}

fn tb_lineno(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, e) = tb_entry(vm, args)?;
    Ok(Value::Int(e.code.line_of(e.ip as usize) as i64))
}

/// `tb_lasti`: the byte offset CPython would report (two bytes per
/// instruction).
fn tb_lasti(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let (_, e) = tb_entry(vm, args)?;
    Ok(Value::Int(e.ip as i64 * 2))
}

/// `sys._getframe(depth)`: a frame object for the aspy frame `depth` calls
/// below the caller (0 is the caller itself).
pub fn frame_at(vm: &mut Vm, depth: i64) -> PyResult<Value> {
    let frames = &vm.fiber.frames;
    let index = usize::try_from(depth)
        .ok()
        .and_then(|d| frames.len().checked_sub(d + 1));
    let Some(frame) = index.map(|i| &frames[i]) else {
        return Err(vm.value_error("call stack is not deep enough"));
    };
    let entry = TraceEntry {
        code: frame.code.code.clone(),
        ip: frame.ip.saturating_sub(1),
        globals: frame.globals,
    };
    let class = state_class(vm, FRAME_KEY);
    Ok(alloc_native(vm, FrameObj { class, entry }))
}

fn frame_entry(vm: &mut Vm, args: &[Value]) -> PyResult<TraceEntry> {
    let this = args.first().copied().unwrap_or(Value::None);
    match vm.native_ref::<FrameObj>(this) {
        Some(f) => Ok(f.entry.clone()),
        None => Err(vm.type_error("expected a frame object")),
    }
}

fn f_lineno(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let e = frame_entry(vm, args)?;
    Ok(Value::Int(e.code.line_of(e.ip as usize) as i64))
}

fn f_globals(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::Obj(frame_entry(vm, args)?.globals))
}

fn f_code(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let code = frame_entry(vm, args)?.code;
    let class = state_class(vm, CODE_KEY);
    Ok(alloc_native(vm, CodeObj { class, code }))
}

fn code_of(vm: &mut Vm, args: &[Value]) -> PyResult<Rc<Code>> {
    let this = args.first().copied().unwrap_or(Value::None);
    match vm.native_ref::<CodeObj>(this) {
        Some(c) => Ok(c.code.clone()),
        None => Err(vm.type_error("expected a code object")),
    }
}

fn co_name(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let c = code_of(vm, args)?;
    Ok(vm.new_str(&*c.name))
}

fn co_qualname(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let c = code_of(vm, args)?;
    Ok(vm.new_str(&*c.qualname))
}

fn co_filename(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let c = code_of(vm, args)?;
    Ok(vm.new_str(c.source.name.as_str()))
}

fn co_firstlineno(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let c = code_of(vm, args)?;
    Ok(Value::Int(c.source.line_of(c.span.start) as i64))
}
