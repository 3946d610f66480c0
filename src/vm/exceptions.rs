//! The built-in exception hierarchy, exception objects and tracebacks.
//!
//! Exceptions are instances whose class derives from `BaseException`; their
//! state ([`ExcData`]: args, traceback entries, cause, context) is the
//! instance payload. The traceback is rendered exactly in CPython's format.

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
    Exception: BaseException,
    SystemExit: BaseException,
    KeyboardInterrupt: BaseException,
    GeneratorExit: BaseException,
    BaseExceptionGroup: BaseException,
    ExceptionGroup: Exception,
    ArithmeticError: Exception,
    ZeroDivisionError: ArithmeticError,
    OverflowError: ArithmeticError,
    FloatingPointError: ArithmeticError,
    LookupError: Exception,
    IndexError: LookupError,
    KeyError: LookupError,
    ValueError: Exception,
    UnicodeError: ValueError,
    UnicodeDecodeError: UnicodeError,
    UnicodeEncodeError: UnicodeError,
    TypeError: Exception,
    AttributeError: Exception,
    NameError: Exception,
    UnboundLocalError: NameError,
    RuntimeError: Exception,
    RecursionError: RuntimeError,
    NotImplementedError: RuntimeError,
    StopIteration: Exception,
    StopAsyncIteration: Exception,
    AssertionError: Exception,
    ImportError: Exception,
    ModuleNotFoundError: ImportError,
    OSError: Exception,
    ConnectionError: OSError,
    BrokenPipeError: ConnectionError,
    ConnectionAbortedError: ConnectionError,
    ConnectionRefusedError: ConnectionError,
    ConnectionResetError: ConnectionError,
    FileExistsError: OSError,
    FileNotFoundError: OSError,
    IsADirectoryError: OSError,
    NotADirectoryError: OSError,
    PermissionError: OSError,
    TimeoutError: OSError,
    BlockingIOError: OSError,
    InterruptedError: OSError,
    EOFError: Exception,
    MemoryError: Exception,
    BufferError: Exception,
    SyntaxError: Exception,
    IndentationError: SyntaxError,
    TabError: IndentationError,
    SystemError: Exception,
    ReferenceError: Exception,
    Warning: Exception,
    UserWarning: Warning,
    DeprecationWarning: Warning,
    RuntimeWarning: Warning,
}

/// Creates the exception classes and binds them in `builtins`.
pub(crate) fn init(vm: &mut Vm) {
    let mut classes: Vec<ObjRef> = Vec::with_capacity(HIERARCHY.len());
    for &(kind, name, parent) in HIERARCHY {
        let bases = if kind == ExcKind::BaseException {
            vec![vm.types.object]
        } else if kind == ExcKind::ExceptionGroup {
            vec![
                classes[ExcKind::BaseExceptionGroup as usize],
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

/// A new exception instance of class `cls` with the given args.
pub fn new_exception(vm: &mut Vm, cls: ObjRef, args: Vec<Value>) -> Value {
    let args = vm.new_tuple(args);
    vm.alloc(Object::Instance(Instance {
        class: cls,
        attrs: Default::default(),
        payload: Payload::Exception(Box::new(ExcData::new(args))),
    }))
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

    /// Records that `exc` passed through instruction `ip` of `code`.
    pub fn add_traceback(
        &mut self,
        exc: Value,
        code: &std::rc::Rc<crate::bytecode::Code>,
        ip: u32,
    ) {
        if let Some(data) = self.exc_data_mut(exc) {
            data.traceback.push(TraceEntry {
                code: code.clone(),
                ip,
            });
        }
    }

    /// The last line of a traceback: `Type: message` (or just `Type`).
    pub fn exception_summary(&mut self, exc: Value) -> String {
        let cls = self.class_of(exc);
        let name = self.class_name(cls).to_string();
        let module = match self.heap.get(cls) {
            Object::Class(c) => self.str_of(c.module).to_string(),
            _ => String::new(),
        };
        let qual = if module.is_empty() || module == "builtins" || module == "__main__" {
            name
        } else {
            format!("{module}.{name}")
        };
        let msg = match self.str_value(exc) {
            Ok(s) => s,
            Err(_) => "<exception str() failed>".to_string(),
        };
        if msg.is_empty() {
            qual
        } else {
            format!("{qual}: {msg}")
        }
    }
}
