//! `OSError`: its constructor (which picks the subclass matching an errno,
//! so `OSError(errno.ENOENT, ...)` is a `FileNotFoundError`), its fields
//! (`errno`, `strerror`, `filename`, `filename2`) and its str
//! (`[Errno 2] No such file or directory: 'x'`), after CPython 3.11's
//! `OSError_new`/`OSError_init`/`OSError_str`.
//!
//! As in CPython, a subclass that defines `__init__` (and keeps
//! `OSError.__new__`) is parsed by `OSError.__init__` when it calls it;
//! otherwise `__new__` does all the work and `__init__` does nothing.

use super::builtins::{add_method, native, set_class_attr};
use super::exceptions::{no_keywords, set_args};
use crate::vm::exceptions::{new_exception, ExcKind};
use crate::vm::object::Object;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyErr, PyResult, Vm};

const NEW_KEY: &str = "builtins.OSError.__new__";
const INIT_KEY: &str = "builtins.OSError.__init__";

/// Field indices of the OSError family (see `vm::exceptions::FIELDS`).
const ERRNO: usize = 0;
const STRERROR: usize = 1;
const FILENAME: usize = 2;
const FILENAME2: usize = 3;

/// Linux errno values and the subclass `OSError(errno, ...)` becomes.
const ERRNO_MAP: &[(i64, ExcKind)] = &[
    (1, ExcKind::PermissionError),          // EPERM
    (2, ExcKind::FileNotFoundError),        // ENOENT
    (3, ExcKind::ProcessLookupError),       // ESRCH
    (4, ExcKind::InterruptedError),         // EINTR
    (10, ExcKind::ChildProcessError),       // ECHILD
    (11, ExcKind::BlockingIOError),         // EAGAIN, EWOULDBLOCK
    (13, ExcKind::PermissionError),         // EACCES
    (17, ExcKind::FileExistsError),         // EEXIST
    (20, ExcKind::NotADirectoryError),      // ENOTDIR
    (21, ExcKind::IsADirectoryError),       // EISDIR
    (32, ExcKind::BrokenPipeError),         // EPIPE
    (103, ExcKind::ConnectionAbortedError), // ECONNABORTED
    (104, ExcKind::ConnectionResetError),   // ECONNRESET
    (108, ExcKind::BrokenPipeError),        // ESHUTDOWN
    (110, ExcKind::TimeoutError),           // ETIMEDOUT
    (111, ExcKind::ConnectionRefusedError), // ECONNREFUSED
    (114, ExcKind::BlockingIOError),        // EALREADY
    (115, ExcKind::BlockingIOError),        // EINPROGRESS
];

pub fn install(vm: &mut Vm) {
    let os = vm.types.exc(ExcKind::OSError);
    let new = native(vm, "__new__", oserror_new);
    let new = vm.alloc(Object::StaticMethod(new));
    set_class_attr(vm, os, "__new__", new);
    vm.module_state.insert(NEW_KEY, new);
    let init = native(vm, "__init__", oserror_init);
    set_class_attr(vm, os, "__init__", init);
    vm.module_state.insert(INIT_KEY, init);
    add_method(vm, os, "__str__", oserror_str);
}

impl Vm {
    /// `OSError(errno, strerror[, filename])` raised by the runtime: the
    /// subclass for `errno` (FileNotFoundError for 2, ...).
    pub fn new_os_error(&mut self, errno: i64, strerror: &str, filename: Option<Value>) -> PyErr {
        let kind = errno_kind(errno).unwrap_or(ExcKind::OSError);
        let cls = self.types.exc(kind);
        let strerror = self.new_str(strerror);
        let exc = new_exception(self, cls, vec![Value::Int(errno), strerror]);
        self.set_exc_field(exc, ERRNO, Value::Int(errno));
        self.set_exc_field(exc, STRERROR, strerror);
        if let Some(f) = filename.filter(|f| !f.is_none()) {
            self.set_exc_field(exc, FILENAME, f);
        }
        PyErr(exc)
    }
}

fn errno_kind(errno: i64) -> Option<ExcKind> {
    ERRNO_MAP.iter().find(|(e, _)| *e == errno).map(|(_, k)| *k)
}

/// True when `cls` defers argument parsing to `__init__` (CPython's
/// `oserror_use_init`): it overrides `__init__` but not `__new__`.
fn use_init(vm: &mut Vm, cls: ObjRef) -> bool {
    let new = vm.module_state.get(NEW_KEY).copied();
    let init = vm.module_state.get(INIT_KEY).copied();
    let cls_init = vm.class_lookup(cls, "__init__");
    let cls_new = vm.class_lookup(cls, "__new__");
    let same = |a: Option<Value>, b: Option<Value>| matches!((a, b), (Some(x), Some(y)) if x.is(y));
    !same(cls_init, init) && same(cls_new, new)
}

/// `OSError.__new__(cls, *args)`.
fn oserror_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let cls = match args.first() {
        Some(&Value::Obj(c)) if vm.is_exception_class(Value::Obj(c)) => c,
        _ => return Err(vm.type_error("OSError.__new__(X): X is not a type object")),
    };
    let rest = &args[1..];
    if use_init(vm, cls) {
        return Ok(new_exception(vm, cls, Vec::new()));
    }
    if !kw.is_empty() {
        let name = vm.class_name(cls).to_string();
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    let mut cls = cls;
    if cls == vm.types.exc(ExcKind::OSError) && (2..=5).contains(&rest.len()) {
        if let Some(kind) = match rest[0] {
            Value::Int(e) => errno_kind(e),
            _ => None,
        } {
            cls = vm.types.exc(kind);
        }
    }
    let exc = new_exception(vm, cls, Vec::new());
    init_fields(vm, exc, rest);
    Ok(exc)
}

/// `OSError.__init__(self, *args)`: only does work for a class whose
/// `__init__` is its own (see [`use_init`]).
fn oserror_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&exc) = args.first().filter(|&&e| vm.exc_data(e).is_some()) else {
        return Err(vm.type_error("descriptor '__init__' requires a 'BaseException' object"));
    };
    let cls = vm.class_of(exc);
    if !use_init(vm, cls) {
        return Ok(Value::None);
    }
    no_keywords(vm, exc, kw)?;
    init_fields(vm, exc, &args[1..]);
    Ok(Value::None)
}

/// CPython's `oserror_parse_args` + `oserror_init`: with 2 to 5 arguments
/// they are (errno, strerror, filename, winerror, filename2); a filename
/// leaves only (errno, strerror) in `args`.
pub(crate) fn init_fields(vm: &mut Vm, exc: Value, given: &[Value]) {
    let mut args = given;
    if (2..=5).contains(&given.len()) {
        let filename = given.get(2).copied().filter(|f| !f.is_none());
        if let Some(f) = filename {
            vm.set_exc_field(exc, FILENAME, f);
            if let Some(&f2) = given.get(4).filter(|f| !f.is_none()) {
                vm.set_exc_field(exc, FILENAME2, f2);
            }
            args = &given[..2];
        }
        vm.set_exc_field(exc, ERRNO, given[0]);
        vm.set_exc_field(exc, STRERROR, given[1]);
    }
    set_args(vm, exc, args);
}

/// `OSError.__str__`.
fn oserror_str(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&exc) = args.first().filter(|&&e| vm.exc_data(e).is_some()) else {
        return Err(vm.type_error("descriptor '__str__' requires a 'BaseException' object"));
    };
    let or_none = |v: Value| if v.is_unbound() { Value::None } else { v };
    let errno = vm.exc_field(exc, ERRNO);
    let strerror = vm.exc_field(exc, STRERROR);
    let filename = vm.exc_field(exc, FILENAME);
    let filename2 = vm.exc_field(exc, FILENAME2);
    let text = if !filename.is_unbound() {
        let e = vm.str_value(or_none(errno))?;
        let s = vm.str_value(or_none(strerror))?;
        let f = vm.repr_value(filename)?;
        if filename2.is_unbound() {
            format!("[Errno {e}] {s}: {f}")
        } else {
            let f2 = vm.repr_value(filename2)?;
            format!("[Errno {e}] {s}: {f} -> {f2}")
        }
    } else if !errno.is_unbound() && !strerror.is_unbound() {
        let e = vm.str_value(errno)?;
        let s = vm.str_value(strerror)?;
        format!("[Errno {e}] {s}")
    } else {
        return super::exceptions::base_str_of(vm, exc);
    };
    Ok(vm.new_str(text))
}
