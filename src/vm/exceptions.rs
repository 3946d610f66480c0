//! The built-in exception hierarchy and the exception state.
//!
//! Exceptions are instances whose class derives from `BaseException`; their
//! state ([`ExcData`]: args, traceback entries, cause, context, per-family
//! fields) is the instance payload. The classes are created in CPython's
//! order (that of the `builtins` dict). Their methods and attributes are in
//! `stdlib/exceptions.rs` and its `exc_*` siblings; rendering of uncaught
//! exceptions is in `traceback.rs`.

use super::object::{ExcData, Instance, Layout, Object, Payload, TraceEntry};
use super::value::{ObjRef, Value};
use super::Vm;

macro_rules! exc_kinds {
    ($($kind:ident : $parent:ident),* $(,)?) => {
        /// The built-in exception classes, in definition order (every parent
        /// before its children).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub enum ExcKind { $($kind),* }

        const HIERARCHY: &[(ExcKind, &str, ExcKind)] = &[
            $((ExcKind::$kind, stringify!($kind), ExcKind::$parent)),*
        ];
    };
}

exc_kinds! {
    BaseException: BaseException,
    BaseExceptionGroup: BaseException,
    Exception: BaseException,
    GeneratorExit: BaseException,
    KeyboardInterrupt: BaseException,
    SystemExit: BaseException,
    ArithmeticError: Exception,
    AssertionError: Exception,
    AttributeError: Exception,
    BufferError: Exception,
    EOFError: Exception,
    ImportError: Exception,
    LookupError: Exception,
    MemoryError: Exception,
    NameError: Exception,
    OSError: Exception,
    ReferenceError: Exception,
    RuntimeError: Exception,
    StopAsyncIteration: Exception,
    StopIteration: Exception,
    SyntaxError: Exception,
    SystemError: Exception,
    TypeError: Exception,
    ValueError: Exception,
    Warning: Exception,
    FloatingPointError: ArithmeticError,
    OverflowError: ArithmeticError,
    ZeroDivisionError: ArithmeticError,
    BytesWarning: Warning,
    DeprecationWarning: Warning,
    EncodingWarning: Warning,
    FutureWarning: Warning,
    ImportWarning: Warning,
    PendingDeprecationWarning: Warning,
    ResourceWarning: Warning,
    RuntimeWarning: Warning,
    SyntaxWarning: Warning,
    UnicodeWarning: Warning,
    UserWarning: Warning,
    BlockingIOError: OSError,
    ChildProcessError: OSError,
    ConnectionError: OSError,
    FileExistsError: OSError,
    FileNotFoundError: OSError,
    InterruptedError: OSError,
    IsADirectoryError: OSError,
    NotADirectoryError: OSError,
    PermissionError: OSError,
    ProcessLookupError: OSError,
    TimeoutError: OSError,
    IndentationError: SyntaxError,
    IndexError: LookupError,
    KeyError: LookupError,
    ModuleNotFoundError: ImportError,
    NotImplementedError: RuntimeError,
    RecursionError: RuntimeError,
    UnboundLocalError: NameError,
    UnicodeError: ValueError,
    BrokenPipeError: ConnectionError,
    ConnectionAbortedError: ConnectionError,
    ConnectionRefusedError: ConnectionError,
    ConnectionResetError: ConnectionError,
    TabError: IndentationError,
    UnicodeDecodeError: UnicodeError,
    UnicodeEncodeError: UnicodeError,
    UnicodeTranslateError: UnicodeError,
    ExceptionGroup: BaseExceptionGroup,
}

/// The exception families with per-instance fields (CPython's C struct
/// members), the names of those fields in `ExcData::fields` order. An
/// exception belongs to the first family it is an instance of.
pub const FIELDS: &[(ExcKind, &[&str])] = &[
    (ExcKind::StopIteration, &["value"]),
    (ExcKind::SystemExit, &["code"]),
    (ExcKind::NameError, &["name"]),
    (ExcKind::AttributeError, &["name", "obj"]),
    (ExcKind::ImportError, &["msg", "name", "path"]),
    (
        ExcKind::OSError,
        &["errno", "strerror", "filename", "filename2"],
    ),
    (
        ExcKind::SyntaxError,
        &[
            "msg",
            "filename",
            "lineno",
            "offset",
            "text",
            "end_lineno",
            "end_offset",
            "print_file_and_line",
        ],
    ),
    (ExcKind::BaseExceptionGroup, &["message", "exceptions"]),
];

/// The field a lone constructor argument also sets, for the families
/// whose `__init__` keeps it (`StopIteration.value`, `SystemExit.code`,
/// `ImportError.msg`, `SyntaxError.msg`), so exceptions the runtime makes
/// with [`Vm::new_error`] match constructed ones.
pub fn message_field(kind: ExcKind) -> Option<usize> {
    use ExcKind::*;
    match kind {
        StopIteration | SystemExit | ImportError | ModuleNotFoundError | SyntaxError
        | IndentationError | TabError => Some(0),
        _ => None,
    }
}

/// Creates the exception classes and binds them in `builtins`.
pub(crate) fn init(vm: &mut Vm) {
    let mut classes: Vec<ObjRef> = Vec::with_capacity(HIERARCHY.len());
    for &(kind, name, parent) in HIERARCHY {
        let bases = if kind == ExcKind::BaseException {
            vec![vm.types.object]
        } else if kind == ExcKind::ExceptionGroup {
            vec![
                classes[parent as usize],
                classes[ExcKind::Exception as usize],
            ]
        } else {
            vec![classes[parent as usize]]
        };
        let cls = vm.new_class(name, &bases, Layout::Exception);
        classes.push(cls);
    }
    vm.types.exceptions = classes;
}

/// Binds every exception class in the builtins namespace (plus the
/// `EnvironmentError`/`IOError` aliases).
pub fn install_builtins(vm: &mut Vm) {
    for &(kind, name, _) in HIERARCHY {
        let cls = vm.types.exc(kind);
        vm.set_builtin(name, Value::Obj(cls));
    }
    let os = Value::Obj(vm.types.exc(ExcKind::OSError));
    vm.set_builtin("EnvironmentError", os);
    vm.set_builtin("IOError", os);
}

/// A new exception instance of class `cls` with the given args. The
/// fields its class's constructor would derive from them are set too
/// (`StopIteration.value`, `SystemExit.code`, `OSError.errno` ...), so
/// runtime-made exceptions behave like constructed ones.
pub fn new_exception(vm: &mut Vm, cls: ObjRef, args: Vec<Value>) -> Value {
    let first = args.first().copied();
    let os_args =
        (2..=5).contains(&args.len()) && vm.is_subclass(cls, vm.types.exc(ExcKind::OSError));
    let items = if os_args { Some(args.clone()) } else { None };
    let tuple = vm.new_tuple(args);
    let exc = vm.alloc(Object::Instance(Instance {
        class: cls,
        attrs: Default::default(),
        payload: Payload::Exception(Box::new(ExcData::new(tuple))),
    }));
    if cls == vm.types.exc(ExcKind::StopIteration) {
        vm.set_exc_field(exc, 0, first.unwrap_or(Value::None));
    } else if cls == vm.types.exc(ExcKind::SystemExit) {
        let code = match vm.seq_items(tuple).map_or(0, |a| a.len()) {
            0 => Value::None,
            1 => first.unwrap_or(Value::None),
            _ => tuple,
        };
        vm.set_exc_field(exc, 0, code);
    } else if let Some(items) = items {
        crate::stdlib::exc_oserror::init_fields(vm, exc, &items);
    }
    exc
}

impl Vm {
    /// The exception state of an exception instance.
    pub fn exc_data(&self, exc: Value) -> Option<&ExcData> {
        match exc {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Instance(Instance {
                    payload: Payload::Exception(e),
                    ..
                }) => Some(e),
                _ => None,
            },
            _ => None,
        }
    }

    /// The exception state, mutably.
    pub fn exc_data_mut(&mut self, exc: Value) -> Option<&mut ExcData> {
        match exc {
            Value::Obj(r) => match self.heap.get_mut(r) {
                Object::Instance(Instance {
                    payload: Payload::Exception(e),
                    ..
                }) => Some(e),
                _ => None,
            },
            _ => None,
        }
    }

    /// Is this value an exception instance of (a subclass of) `kind`?
    pub fn exc_matches(&self, exc: Value, kind: ExcKind) -> bool {
        self.is_instance(exc, self.types.exc(kind))
    }

    /// Is `v` an exception class (a subclass of BaseException)?
    pub fn is_exception_class(&self, v: Value) -> bool {
        match v {
            Value::Obj(r) => {
                matches!(self.heap.get(r), Object::Class(_))
                    && self.is_subclass(r, self.types.exc(ExcKind::BaseException))
            }
            _ => false,
        }
    }

    /// The field names of `exc`'s family (see [`FIELDS`]).
    pub fn exc_fields_of(&self, exc: Value) -> &'static [&'static str] {
        FIELDS
            .iter()
            .find(|(kind, _)| self.exc_matches(exc, *kind))
            .map_or(&[], |(_, names)| names)
    }

    /// The index of field `name` in `exc`'s family, if it has one.
    pub fn exc_field_index(&self, exc: Value, name: &str) -> Option<usize> {
        self.exc_fields_of(exc).iter().position(|n| *n == name)
    }

    /// Field `i` of an exception (`Value::Unbound` if never set).
    pub fn exc_field(&self, exc: Value, i: usize) -> Value {
        self.exc_data(exc).map_or(Value::Unbound, |d| d.field(i))
    }

    /// Sets field `i` of an exception.
    pub fn set_exc_field(&mut self, exc: Value, i: usize, v: Value) {
        if let Some(d) = self.exc_data_mut(exc) {
            d.set_field(i, v);
        }
    }

    /// Records that `exc` passed through instruction `ip` of `code`, running
    /// with `globals`.
    pub fn add_traceback(
        &mut self,
        exc: Value,
        code: &std::rc::Rc<crate::bytecode::Code>,
        ip: u32,
        globals: ObjRef,
    ) {
        if let Some(data) = self.exc_data_mut(exc) {
            data.traceback.push(TraceEntry {
                code: code.clone(),
                ip,
                globals,
            });
        }
    }
}
