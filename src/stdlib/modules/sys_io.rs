//! `sys.stdout`, `sys.stderr` and `sys.stdin`: text streams over the
//! process's standard files (CPython's `_io.TextIOWrapper`).
//!
//! `sys.stdout` writes into the VM's own buffered stdout, the one `print`
//! uses, so `print` and `sys.stdout.write` output stays in program order.
//! A write to `sys.stderr` first flushes that buffer, then goes straight to
//! the process's stderr (unbuffered), so the two streams interleave as the
//! program wrote them. `sys.stdin` reads lines through Rust's buffered
//! standard input.

use super::args::check_method_args;
use crate::stdlib::builtins::add_method;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Layout, NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyErr, PyResult, Vm};
use std::any::Any;
use std::io::{BufRead, Read, Write};

/// Which standard file a stream object is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Std {
    In,
    Out,
    Err,
}

/// A standard stream object.
pub struct StdStream {
    class: ObjRef,
    which: Std,
    /// Text read from stdin but not returned yet (after `read(n)`).
    pending: String,
}

impl NativeObject for StdStream {
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(Value::Obj(self.class));
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Creates the stream class and the three stream objects
/// (stdin, stdout, stderr).
pub fn make_streams(vm: &mut Vm) -> [Value; 3] {
    let object = vm.types.object;
    let cls = vm.new_class("TextIOWrapper", &[object], Layout::Builtin);
    let module = Value::Obj(vm.intern("_io"));
    if let Object::Class(c) = vm.heap.get_mut(cls) {
        c.module = module;
    }
    let methods: [(&'static str, crate::vm::object::NativeFn); 13] = [
        ("write", write),
        ("writelines", writelines),
        ("flush", flush),
        ("read", read),
        ("readline", readline),
        ("readlines", readlines),
        ("__iter__", iter),
        ("__next__", next),
        ("isatty", isatty),
        ("fileno", fileno),
        ("readable", readable),
        ("writable", writable),
        ("__repr__", repr),
    ];
    for (n, f) in methods {
        add_method(vm, cls, n, f);
    }
    add_method(vm, cls, "__getattr__", getattr);
    [Std::In, Std::Out, Std::Err].map(|which| {
        vm.alloc(Object::Native(Box::new(StdStream {
            class: cls,
            which,
            pending: String::new(),
        })))
    })
}

fn which(vm: &mut Vm, args: &[Value], name: &str) -> PyResult<Std> {
    match args.first().and_then(|&v| vm.native_ref::<StdStream>(v)) {
        Some(s) => Ok(s.which),
        None => Err(vm.type_error(format!(
            "descriptor '{name}' requires a '_io.TextIOWrapper' object"
        ))),
    }
}

/// `vm.module_state` key of `io.UnsupportedOperation`.
const UNSUPPORTED_KEY: &str = "io.UnsupportedOperation";

/// `io.UnsupportedOperation` (a subclass of OSError and ValueError), made
/// on first use.
fn unsupported(vm: &mut Vm, what: &str) -> PyErr {
    let cls = match vm.module_state.get(UNSUPPORTED_KEY) {
        Some(&Value::Obj(c)) => c,
        _ => {
            let bases = [
                vm.types.exc(ExcKind::OSError),
                vm.types.exc(ExcKind::ValueError),
            ];
            let c = vm.new_class("UnsupportedOperation", &bases, Layout::Exception);
            let module = Value::Obj(vm.intern("io"));
            if let Object::Class(k) = vm.heap.get_mut(c) {
                k.module = module;
            }
            vm.module_state.insert(UNSUPPORTED_KEY, Value::Obj(c));
            c
        }
    };
    let msg = vm.new_str(what);
    PyErr(crate::vm::exceptions::new_exception(vm, cls, vec![msg]))
}

/// Writes text to a standard output stream, keeping stdout and stderr in
/// program order.
pub fn write_text(vm: &mut Vm, which: Std, s: &str) {
    match which {
        Std::Err => {
            vm.flush_stdout();
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(s.as_bytes());
            let _ = err.flush();
        }
        _ => vm.write_stdout(s),
    }
}

fn write(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_method_args(vm, "TextIOWrapper.write", args, kw, 1, 1)?;
    let w = which(vm, args, "write")?;
    if w == Std::In {
        return Err(unsupported(vm, "not writable"));
    }
    let Some(s) = vm.as_str(args[1]) else {
        let msg = format!(
            "write() argument must be str, not {}",
            vm.type_name(args[1])
        );
        return Err(vm.type_error(msg));
    };
    let s = s.to_string();
    write_text(vm, w, &s);
    Ok(Value::Int(s.chars().count() as i64))
}

fn writelines(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_method_args(vm, "TextIOWrapper.writelines", args, kw, 1, 1)?;
    let w = which(vm, args, "writelines")?;
    let lines = vm.collect_iterable(args[1])?;
    for line in lines {
        let Some(s) = vm.as_str(line) else {
            let msg = format!("write() argument must be str, not {}", vm.type_name(line));
            return Err(vm.type_error(msg));
        };
        let s = s.to_string();
        write_text(vm, w, &s);
    }
    Ok(Value::None)
}

fn flush(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    if which(vm, args, "flush")? == Std::Out {
        vm.flush_stdout();
    }
    Ok(Value::None)
}

/// One line of standard input including its newline ("" at end of file),
/// starting with text an earlier `read(n)` left over.
fn read_line(vm: &mut Vm, this: Value) -> PyResult<String> {
    let pending = take_pending(vm, this);
    if let Some(nl) = pending.find('\n') {
        put_back(vm, this, pending[nl + 1..].to_string());
        return Ok(pending[..=nl].to_string());
    }
    vm.flush_stdout();
    let mut buf = Vec::new();
    match std::io::stdin().lock().read_until(b'\n', &mut buf) {
        Ok(_) => Ok(pending + &String::from_utf8_lossy(&buf)),
        Err(e) => Err(vm.new_error(ExcKind::OSError, e.to_string())),
    }
}

fn take_pending(vm: &mut Vm, this: Value) -> String {
    vm.native_mut::<StdStream>(this)
        .map(|s| std::mem::take(&mut s.pending))
        .unwrap_or_default()
}

fn put_back(vm: &mut Vm, this: Value, text: String) {
    if let Some(s) = vm.native_mut::<StdStream>(this) {
        s.pending = text;
    }
}

fn readable_only(vm: &mut Vm, args: &[Value], name: &str) -> PyResult<()> {
    match which(vm, args, name)? {
        Std::In => Ok(()),
        _ => Err(unsupported(vm, "not readable")),
    }
}

fn read(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_method_args(vm, "TextIOWrapper.read", args, kw, 0, 1)?;
    readable_only(vm, args, "read")?;
    let limit = match args.get(1) {
        None | Some(Value::None) => None,
        Some(&v) => match v {
            Value::Int(n) if n >= 0 => Some(n as usize),
            Value::Int(_) => None,
            _ => {
                let msg = format!(
                    "argument should be integer or None, not '{}'",
                    vm.type_name(v)
                );
                return Err(vm.type_error(msg));
            }
        },
    };
    vm.flush_stdout();
    let this = args[0];
    let mut text = take_pending(vm, this);
    match limit {
        None => {
            let mut buf = Vec::new();
            if let Err(e) = std::io::stdin().lock().read_to_end(&mut buf) {
                return Err(vm.new_error(ExcKind::OSError, e.to_string()));
            }
            text.push_str(&String::from_utf8_lossy(&buf));
        }
        Some(n) => {
            // Whole lines are read; what is beyond `n` characters waits
            // for the next read.
            while text.chars().count() < n {
                let line = read_line(vm, this)?;
                if line.is_empty() {
                    break;
                }
                text.push_str(&line);
            }
            if let Some((cut, _)) = text.char_indices().nth(n) {
                put_back(vm, this, text[cut..].to_string());
                text.truncate(cut);
            }
        }
    }
    Ok(vm.new_str(text))
}

fn readline(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_method_args(vm, "TextIOWrapper.readline", args, kw, 0, 1)?;
    readable_only(vm, args, "readline")?;
    let line = read_line(vm, args[0])?;
    Ok(vm.new_str(line))
}

fn readlines(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_method_args(vm, "TextIOWrapper.readlines", args, kw, 0, 1)?;
    readable_only(vm, args, "readlines")?;
    let mut lines = Vec::new();
    loop {
        let line = read_line(vm, args[0])?;
        if line.is_empty() {
            break;
        }
        lines.push(vm.new_str(line));
    }
    Ok(vm.new_list(lines))
}

fn iter(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    which(vm, args, "__iter__")?;
    Ok(args[0])
}

fn next(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    readable_only(vm, args, "__next__")?;
    let line = read_line(vm, args[0])?;
    if line.is_empty() {
        return Err(vm.stop_iteration(Value::None));
    }
    Ok(vm.new_str(line))
}

fn isatty(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    use std::io::IsTerminal;
    let tty = match which(vm, args, "isatty")? {
        Std::In => std::io::stdin().is_terminal(),
        Std::Out => std::io::stdout().is_terminal(),
        Std::Err => std::io::stderr().is_terminal(),
    };
    Ok(Value::Bool(tty))
}

fn fileno(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let n = match which(vm, args, "fileno")? {
        Std::In => 0,
        Std::Out => 1,
        Std::Err => 2,
    };
    Ok(Value::Int(n))
}

fn readable(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::Bool(which(vm, args, "readable")? == Std::In))
}

fn writable(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Ok(Value::Bool(which(vm, args, "writable")? != Std::In))
}

/// `(name, mode)` of a stream.
fn name_mode(w: Std) -> (&'static str, &'static str) {
    match w {
        Std::In => ("<stdin>", "r"),
        Std::Out => ("<stdout>", "w"),
        Std::Err => ("<stderr>", "w"),
    }
}

fn repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let (name, mode) = name_mode(which(vm, args, "__repr__")?);
    Ok(vm.new_str(format!(
        "<_io.TextIOWrapper name='{name}' mode='{mode}' encoding='utf-8'>"
    )))
}

/// `name`, `mode`, `encoding`, `errors`, `closed`, `line_buffering`.
fn getattr(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_method_args(vm, "__getattr__", args, kw, 1, 1)?;
    let w = which(vm, args, "__getattr__")?;
    let (name, mode) = name_mode(w);
    let text = match vm.str_of(args[1]) {
        "name" => name,
        "mode" => mode,
        "encoding" => "utf-8",
        "errors" => {
            if w == Std::Err {
                "backslashreplace"
            } else {
                "strict"
            }
        }
        "closed" => return Ok(Value::Bool(false)),
        "line_buffering" => return Ok(Value::Bool(false)),
        _ => return Err(vm.attribute_error(args[0], args[1])),
    };
    Ok(vm.new_str(text))
}
