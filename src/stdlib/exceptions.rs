//! The methods and attributes of the built-in exception classes, as
//! CPython 3.11's `Objects/exceptions.c` defines them: `BaseException`
//! (`args`, `__str__`, `__repr__`, `with_traceback`, `add_note`, the
//! chaining attributes) and the families with their own constructor and
//! fields (`StopIteration.value`, `SystemExit.code`, `NameError.name`,
//! `AttributeError.name/obj`, `ImportError.msg/name/path`, `SyntaxError`'s
//! location, `KeyError`'s str). `OSError` is in `exc_oserror.rs`, exception
//! groups in `exc_group.rs`, traceback objects in `exc_traceback.rs`.
//!
//! Family fields live in `ExcData::fields` (see `vm::exceptions::FIELDS`);
//! [`get_attr`] and [`set_attr`] expose them and the `BaseException`
//! attributes as instance attributes, before the instance's own namespace
//! on assignment and after it on lookup.

use crate::stdlib::builtins::{add_method, native, set_class_attr};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Installs the exception methods (called once from `builtins::install`).
pub fn install(vm: &mut Vm) {
    let base = vm.types.exc(ExcKind::BaseException);
    let init = native(vm, "__init__", base_init);
    set_class_attr(vm, base, "__init__", init);
    vm.exc_init = init;
    add_method(vm, base, "__str__", base_str);
    add_method(vm, base, "__repr__", base_repr);
    add_method(vm, base, "with_traceback", with_traceback);
    add_method(vm, base, "add_note", add_note);
    let key_error = vm.types.exc(ExcKind::KeyError);
    add_method(vm, key_error, "__str__", key_error_str);
    let inits: [(ExcKind, crate::vm::object::NativeFn); 5] = [
        (ExcKind::StopIteration, stop_iteration_init),
        (ExcKind::SystemExit, system_exit_init),
        (ExcKind::NameError, name_error_init),
        (ExcKind::AttributeError, attribute_error_init),
        (ExcKind::ImportError, import_error_init),
    ];
    for (kind, f) in inits {
        let cls = vm.types.exc(kind);
        add_method(vm, cls, "__init__", f);
    }
    let import_error = vm.types.exc(ExcKind::ImportError);
    add_method(vm, import_error, "__str__", import_error_str);
    let syntax_error = vm.types.exc(ExcKind::SyntaxError);
    add_method(vm, syntax_error, "__init__", syntax_error_init);
    add_method(vm, syntax_error, "__str__", syntax_error_str);
    super::exc_oserror::install(vm);
    super::exc_group::install(vm);
    super::exc_traceback::install(vm);
}

/// Where a SyntaxError points: 1-based lines and character columns.
pub struct SyntaxLocation<'a> {
    pub filename: &'a str,
    pub line: usize,
    pub col: usize,
    pub end_line: usize,
    pub end_col: usize,
    /// The source line, with its newline.
    pub text: &'a str,
}

impl Vm {
    /// A SyntaxError (or subclass `kind`) as the parser raises it:
    /// `SyntaxError(msg, (filename, lineno, offset, text, end_lineno,
    /// end_offset))`.
    pub fn new_syntax_error(
        &mut self,
        kind: ExcKind,
        msg: &str,
        at: SyntaxLocation,
    ) -> crate::vm::PyErr {
        let msg = self.new_str(msg);
        let filename = self.new_str(at.filename);
        let text = self.new_str(at.text);
        let info = [
            filename,
            Value::Int(at.line as i64),
            Value::Int(at.col as i64),
            text,
            Value::Int(at.end_line as i64),
            Value::Int(at.end_col as i64),
        ];
        let tuple = self.new_tuple(info.to_vec());
        let cls = self.types.exc(kind);
        let exc = crate::vm::exceptions::new_exception(self, cls, vec![msg, tuple]);
        self.set_exc_field(exc, 0, msg);
        for (i, v) in info.into_iter().enumerate() {
            self.set_exc_field(exc, i + 1, v);
        }
        crate::vm::PyErr(exc)
    }
}

/// The receiver of an exception method, checked.
fn this(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<Value> {
    match args.first() {
        Some(&v) if vm.exc_data(v).is_some() => Ok(v),
        Some(&v) => {
            let msg = format!(
                "descriptor '{method}' requires a 'BaseException' object but received a '{}'",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
        None => Err(vm.type_error(format!(
            "descriptor '{method}' of 'BaseException' object needs an argument"
        ))),
    }
}

/// `BaseException.__init__(self, *args)`: `args` becomes the tuple given.
fn base_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "__init__")?;
    no_keywords(vm, exc, kw)?;
    set_args(vm, exc, &args[1..]);
    Ok(Value::None)
}

/// CPython's `_PyArg_NoKeywords` for an exception's constructor.
pub(crate) fn no_keywords(vm: &mut Vm, exc: Value, kw: &[(Value, Value)]) -> PyResult<()> {
    if kw.is_empty() {
        return Ok(());
    }
    let name = vm.type_name(exc);
    Err(vm.type_error(format!("{name}() takes no keyword arguments")))
}

/// Replaces the `args` tuple of an exception.
pub(crate) fn set_args(vm: &mut Vm, exc: Value, items: &[Value]) {
    let t = vm.new_tuple(items.to_vec());
    if let Some(d) = vm.exc_data_mut(exc) {
        d.args = t;
    }
}

/// The items of an exception's `args`.
pub(crate) fn args_of(vm: &Vm, exc: Value) -> Vec<Value> {
    vm.exc_data(exc)
        .and_then(|d| vm.seq_items(d.args))
        .map(|a| a.to_vec())
        .unwrap_or_default()
}

/// `BaseException.__str__`: '' for no args, `str(arg)` for one, else the
/// repr of the args tuple.
fn base_str(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "__str__")?;
    base_str_of(vm, exc)
}

/// The `BaseException.__str__` of `exc` (shared by subclasses' fallbacks).
pub(crate) fn base_str_of(vm: &mut Vm, exc: Value) -> PyResult<Value> {
    let items = args_of(vm, exc);
    match items.len() {
        0 => Ok(vm.new_str("")),
        1 => vm.to_str_value(items[0]),
        _ => {
            let t = vm.exc_data(exc).map_or(Value::None, |d| d.args);
            let s = vm.repr_value(t)?;
            Ok(vm.new_str(s))
        }
    }
}

/// `BaseException.__repr__`: `Name(arg)` or `Name(arg1, arg2)`.
fn base_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "__repr__")?;
    let cls = vm.class_of(exc);
    let name = vm.class_name(cls).to_string();
    let items = args_of(vm, exc);
    let inner = if items.len() == 1 {
        format!("({})", vm.repr_value(items[0])?)
    } else {
        let t = vm.exc_data(exc).map_or(Value::None, |d| d.args);
        vm.repr_value(t)?
    };
    Ok(vm.new_str(format!("{name}{inner}")))
}

/// `KeyError.__str__`: a lone argument is shown by its repr.
fn key_error_str(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "__str__")?;
    let items = args_of(vm, exc);
    if items.len() == 1 {
        let s = vm.repr_value(items[0])?;
        return Ok(vm.new_str(s));
    }
    base_str_of(vm, exc)
}

/// `BaseException.with_traceback(tb)`: sets `__traceback__`, returns self.
fn with_traceback(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "with_traceback")?;
    crate::stdlib::builtins::check_args(vm, "with_traceback", &args[1..], kw, 1, 1)?;
    set_traceback(vm, exc, args[1])?;
    Ok(exc)
}

/// Assigns `__traceback__`: a traceback object or None.
fn set_traceback(vm: &mut Vm, exc: Value, tb: Value) -> PyResult<()> {
    let entries = if tb.is_none() {
        Vec::new()
    } else {
        match super::exc_traceback::entries_of(vm, tb) {
            Some(e) => e,
            None => return Err(vm.type_error("__traceback__ must be a traceback or None")),
        }
    };
    if let Some(d) = vm.exc_data_mut(exc) {
        d.traceback = entries;
    }
    Ok(())
}

/// `BaseException.add_note(note)`: appends to the `__notes__` list,
/// creating it on first use.
fn add_note(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "add_note")?;
    crate::stdlib::builtins::check_args(vm, "add_note", &args[1..], kw, 1, 1)?;
    let note = args[1];
    if vm.as_str(note).is_none() {
        let msg = format!("note must be a str, not '{}'", vm.type_name(note));
        return Err(vm.type_error(msg));
    }
    let key = Value::Obj(vm.intern("__notes__"));
    let notes = match vm.get_attr_opt(exc, key)? {
        Some(n) => n,
        None => {
            let n = vm.new_list(Vec::new());
            vm.set_attr(exc, key, n)?;
            vm.get_attr(exc, key)?
        }
    };
    match notes {
        Value::Obj(r) if matches!(vm.heap.get(r), Object::List(_)) => {
            if let Object::List(l) = vm.heap.get_mut(r) {
                l.push(note);
            }
            Ok(Value::None)
        }
        _ => Err(vm.type_error("Cannot add note: __notes__ is not a list")),
    }
}

/// `StopIteration.__init__`: `value` is the first argument (or None).
fn stop_iteration_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    base_init(vm, args, kw)?;
    let value = args.get(1).copied().unwrap_or(Value::None);
    vm.set_exc_field(args[0], 0, value);
    Ok(Value::None)
}

/// `SystemExit.__init__`: `code` is None, the argument, or the args tuple.
fn system_exit_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    base_init(vm, args, kw)?;
    let code = match args.len() - 1 {
        0 => Value::None,
        1 => args[1],
        _ => vm.exc_data(args[0]).map_or(Value::None, |d| d.args),
    };
    vm.set_exc_field(args[0], 0, code);
    Ok(Value::None)
}

/// Binds the keyword-only arguments of an exception constructor (CPython's
/// `"|$OO:Name"` format): each name in `names` may be given once.
fn keyword_fields(
    vm: &mut Vm,
    kw: &[(Value, Value)],
    names: &[&str],
    class: &str,
) -> PyResult<Vec<Option<Value>>> {
    let mut out = vec![None; names.len()];
    for &(k, v) in kw {
        let key = vm.str_of(k).to_string();
        match names.iter().position(|n| *n == key) {
            Some(i) => out[i] = Some(v),
            None => {
                let msg = format!("'{key}' is an invalid keyword argument for {class}()");
                return Err(vm.type_error(msg));
            }
        }
    }
    Ok(out)
}

/// `NameError.__init__(*args, name=None)`.
fn name_error_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "__init__")?;
    let given = keyword_fields(vm, kw, &["name"], "NameError")?;
    set_args(vm, exc, &args[1..]);
    vm.set_exc_field(exc, 0, given[0].unwrap_or(Value::Unbound));
    Ok(Value::None)
}

/// `AttributeError.__init__(*args, name=None, obj=None)`.
fn attribute_error_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "__init__")?;
    let given = keyword_fields(vm, kw, &["name", "obj"], "AttributeError")?;
    set_args(vm, exc, &args[1..]);
    vm.set_exc_field(exc, 0, given[0].unwrap_or(Value::Unbound));
    vm.set_exc_field(exc, 1, given[1].unwrap_or(Value::Unbound));
    Ok(Value::None)
}

/// `ImportError.__init__(*args, name=None, path=None)`: `msg` is the lone
/// argument, if exactly one is given.
fn import_error_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "__init__")?;
    let given = keyword_fields(vm, kw, &["name", "path"], "ImportError")?;
    set_args(vm, exc, &args[1..]);
    let msg = if args.len() == 2 {
        args[1]
    } else {
        Value::Unbound
    };
    vm.set_exc_field(exc, 0, msg);
    vm.set_exc_field(exc, 1, given[0].unwrap_or(Value::Unbound));
    vm.set_exc_field(exc, 2, given[1].unwrap_or(Value::Unbound));
    Ok(Value::None)
}

/// `ImportError.__str__`: the message when it is a str.
fn import_error_str(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "__str__")?;
    let msg = vm.exc_field(exc, 0);
    if vm.as_str(msg).is_some() && vm.class_of(msg) == vm.types.str_ {
        return Ok(msg);
    }
    base_str_of(vm, exc)
}

/// `SyntaxError.__init__(msg, (filename, lineno, offset, text[, end_lineno,
/// end_offset]))`.
fn syntax_error_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    base_init(vm, args, kw)?;
    let exc = args[0];
    let given = &args[1..];
    if let Some(&msg) = given.first() {
        vm.set_exc_field(exc, 0, msg);
    }
    if given.len() == 2 {
        let info = vm.collect_iterable(given[1])?;
        if !(4..=6).contains(&info.len()) {
            let msg = if info.len() < 4 {
                format!("function takes at least 4 arguments ({} given)", info.len())
            } else {
                format!("function takes at most 6 arguments ({} given)", info.len())
            };
            return Err(vm.type_error(msg));
        }
        for (i, v) in info.into_iter().enumerate() {
            vm.set_exc_field(exc, i + 1, v);
        }
    }
    Ok(Value::None)
}

/// `SyntaxError.__str__`: `msg (file, line N)` with the file's base name.
fn syntax_error_str(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let exc = this(vm, args, "__str__")?;
    let msg = vm.exc_field(exc, 0);
    let msg = if msg.is_unbound() { Value::None } else { msg };
    let filename = vm.exc_field(exc, 1);
    let file = vm
        .as_str(filename)
        .map(|f| f.rsplit('/').next().unwrap_or(f).to_string());
    let lineno = match vm.exc_field(exc, 2) {
        Value::Int(n) => Some(n),
        _ => None,
    };
    let text = vm.str_value(msg)?;
    let s = match (file, lineno) {
        (None, None) => text,
        (Some(f), Some(n)) => format!("{text} ({f}, line {n})"),
        (Some(f), None) => format!("{text} ({f})"),
        (None, Some(n)) => format!("{text} (line {n})"),
    };
    Ok(vm.new_str(s))
}

/// A computed attribute of an exception instance (`args`, the chaining
/// attributes, `__traceback__`, its family's fields); None if `name` is
/// not one.
pub fn get_attr(vm: &mut Vm, exc: Value, name: &str) -> PyResult<Option<Value>> {
    let Some(d) = vm.exc_data(exc) else {
        return Ok(None);
    };
    let v = match name {
        "args" => d.args,
        "__cause__" => d.cause,
        "__context__" => d.context,
        "__suppress_context__" => Value::Bool(d.suppress_context),
        "__traceback__" => return super::exc_traceback::traceback_of(vm, exc).map(Some),
        _ => match vm.exc_field_index(exc, name) {
            Some(i) => {
                let v = vm.exc_field(exc, i);
                if v.is_unbound() {
                    Value::None
                } else {
                    v
                }
            }
            None => return Ok(None),
        },
    };
    Ok(Some(v))
}

/// Assigns a computed attribute of an exception; false if `name` is an
/// ordinary attribute (stored in the instance namespace instead).
pub fn set_attr(vm: &mut Vm, exc: Value, name: &str, v: Value) -> PyResult<bool> {
    match name {
        "args" => {
            let items = vm.collect_iterable(v)?;
            set_args(vm, exc, &items);
        }
        "__cause__" | "__context__" => {
            if !v.is_none() && vm.exc_data(v).is_none() {
                let what = if name == "__cause__" {
                    "cause"
                } else {
                    "context"
                };
                let msg = format!("exception {what} must be None or derive from BaseException");
                return Err(vm.type_error(msg));
            }
            if let Some(d) = vm.exc_data_mut(exc) {
                if name == "__cause__" {
                    d.cause = v;
                    d.suppress_context = true;
                } else {
                    d.context = v;
                }
            }
        }
        "__suppress_context__" => {
            let Value::Bool(b) = v else {
                return Err(vm.type_error("attribute value type must be bool"));
            };
            if let Some(d) = vm.exc_data_mut(exc) {
                d.suppress_context = b;
            }
        }
        "__traceback__" => set_traceback(vm, exc, v)?,
        "message" | "exceptions" if vm.is_exception_group(exc) => {
            return Err(vm.new_error(ExcKind::AttributeError, "readonly attribute"));
        }
        _ => match vm.exc_field_index(exc, name) {
            Some(i) => vm.set_exc_field(exc, i, v),
            None => return Ok(false),
        },
    }
    Ok(true)
}
