//! `_fileio`: raw files for the `open()` built-in (`stdlib/_pyio.aspy`
//! builds text and binary file objects on it).
//!
//! A raw file owns a `std::fs::File` and is unbuffered: every `write`
//! reaches the operating system at once, so nothing written is lost if a
//! program never closes its file (aspy has no finaliser that would flush
//! a buffer). The file is closed by `close()` or when the object is freed.

use super::args::positional;
use super::os::os_error;
use super::support::{add_fn, new_type};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use std::any::Any;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};

/// An open (or closed) raw file.
struct RawFile {
    class: ObjRef,
    file: Option<File>,
}

impl NativeObject for RawFile {
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, _f: &mut dyn FnMut(Value)) {}
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `import _fileio`.
pub fn load(vm: &mut Vm) -> PyResult<Value> {
    let m = crate::stdlib::import::new_module(vm, "_fileio")?;
    let class = new_type(vm, "RawFile", "_fileio");
    vm.temp_roots.push(Value::Obj(class));
    let r = (|| {
        let key = Value::Obj(vm.intern("RawFile"));
        vm.set_attr(m, key, Value::Obj(class))?;
        add_fn(vm, m, "open", open)?;
        add_fn(vm, m, "read", read)?;
        add_fn(vm, m, "write", write)?;
        add_fn(vm, m, "seek", seek)?;
        add_fn(vm, m, "close", close)
    })();
    vm.temp_roots.pop();
    r.map(|_| m)
}

/// `open(path, mode)`: mode is one of r, w, a, x, optionally with `+`
/// (validated by `_pyio`). A directory is refused as CPython refuses it.
fn open(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "_fileio", "open", args, kw, 2, 2)?;
    let path = vm.str_of(args[0]).to_string();
    let mode = vm.str_of(args[1]).to_string();
    let plus = mode.contains('+');
    let mut opts = OpenOptions::new();
    match mode.chars().next() {
        Some('r') => opts.read(true).write(plus),
        Some('w') => opts.write(true).create(true).truncate(true).read(plus),
        Some('a') => opts.append(true).create(true).read(plus),
        Some('x') => opts.write(true).create_new(true).read(plus),
        _ => return Err(vm.value_error(format!("invalid mode: '{mode}'"))),
    };
    if std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
        let shown = crate::vm::ops::text::str_repr(&path);
        let msg = format!("[Errno 21] Is a directory: {shown}");
        return Err(vm.new_error(ExcKind::IsADirectoryError, msg));
    }
    let file = opts.open(&path).map_err(|e| os_error(vm, &e, &path))?;
    let module = crate::stdlib::import::import_module(vm, "_fileio")?;
    let class = match vm.get_attr_str(module, "RawFile")? {
        Value::Obj(c) => c,
        _ => unreachable!("_fileio.RawFile is a class"),
    };
    Ok(vm.alloc(Object::Native(Box::new(RawFile {
        class,
        file: Some(file),
    }))))
}

/// The open file of a raw file argument; ValueError once it is closed.
fn file_of(vm: &mut Vm, v: Value) -> PyResult<&mut File> {
    match vm.native_mut::<RawFile>(v) {
        Some(RawFile { file: Some(_), .. }) => {}
        Some(_) => return Err(vm.value_error("I/O operation on closed file.")),
        None => return Err(vm.type_error("expected a raw file")),
    }
    Ok(vm
        .native_mut::<RawFile>(v)
        .and_then(|f| f.file.as_mut())
        .unwrap())
}

/// `read(f, n)`: up to n bytes (all that is left when n < 0).
fn read(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "_fileio", "read", args, kw, 2, 2)?;
    let n = match args[1] {
        Value::Int(n) => n,
        _ => -1,
    };
    let mut buf = Vec::new();
    let file = file_of(vm, args[0])?;
    let r = if n < 0 {
        file.read_to_end(&mut buf).map(|_| ())
    } else {
        file.take(n as u64).read_to_end(&mut buf).map(|_| ())
    };
    r.map_err(|e| os_error(vm, &e, ""))?;
    Ok(vm.alloc(Object::Bytes(buf.into_boxed_slice())))
}

/// `write(f, data)`: writes all of `data`; returns its length.
fn write(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "_fileio", "write", args, kw, 2, 2)?;
    let Some(data) = vm.as_bytes(args[1]).map(<[u8]>::to_vec) else {
        return Err(vm.type_error("a bytes-like object is required"));
    };
    let file = file_of(vm, args[0])?;
    file.write_all(&data).map_err(|e| os_error(vm, &e, ""))?;
    Ok(Value::Int(data.len() as i64))
}

/// `seek(f, offset, whence)`: the new absolute position.
fn seek(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "_fileio", "seek", args, kw, 3, 3)?;
    let (Value::Int(off), Value::Int(whence)) = (args[1], args[2]) else {
        return Err(vm.type_error("seek offset and whence must be integers"));
    };
    let to = match whence {
        0 if off >= 0 => SeekFrom::Start(off as u64),
        0 => return Err(vm.value_error(format!("negative seek position {off}"))),
        1 => SeekFrom::Current(off),
        2 => SeekFrom::End(off),
        _ => return Err(vm.value_error(format!("invalid whence ({whence}, should be 0, 1 or 2)"))),
    };
    let file = file_of(vm, args[0])?;
    let pos = file.seek(to).map_err(|e| os_error(vm, &e, ""))?;
    Ok(Value::Int(pos as i64))
}

/// `close(f)`: closes the file (again is harmless).
fn close(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "_fileio", "close", args, kw, 1, 1)?;
    if let Some(f) = vm.native_mut::<RawFile>(args[0]) {
        f.file = None;
    }
    Ok(Value::None)
}
