//! `BaseExceptionGroup` and `ExceptionGroup` (PEP 654, CPython 3.11's
//! `Objects/exceptions.c`): the constructor's rules (a non-empty sequence
//! of exception instances; `BaseExceptionGroup(...)` of plain Exceptions is
//! an `ExceptionGroup`, which refuses BaseExceptions), the read-only
//! `message` and `exceptions` (a tuple), `derive`, `split` and `subgroup`.
//! `except*` is not supported (the parser refuses it).
//!
//! Fields (see `vm::exceptions::FIELDS`): 0 is `message`, 1 `exceptions`.

use super::builtins::{add_method, check_args, native, set_class_attr};
use super::exceptions::no_keywords;
use crate::vm::exceptions::{new_exception, ExcKind};
use crate::vm::object::Object;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

const MESSAGE: usize = 0;
const EXCEPTIONS: usize = 1;

pub fn install(vm: &mut Vm) {
    let group = vm.types.exc(ExcKind::BaseExceptionGroup);
    let new = native(vm, "__new__", group_new);
    let new = vm.alloc(Object::StaticMethod(new));
    set_class_attr(vm, group, "__new__", new);
    add_method(vm, group, "__init__", group_init);
    add_method(vm, group, "__str__", group_str);
    add_method(vm, group, "derive", derive);
    add_method(vm, group, "split", split);
    add_method(vm, group, "subgroup", subgroup);
}

impl Vm {
    /// A new exception group from Rust (e.g. for a TaskGroup): an
    /// `ExceptionGroup` if every exception is an `Exception`, else a
    /// `BaseExceptionGroup`. `excs` must be non-empty exception instances.
    pub fn new_exception_group(&mut self, msg: &str, excs: Vec<Value>) -> Value {
        let all_plain = excs
            .iter()
            .all(|&e| self.exc_matches(e, ExcKind::Exception));
        let kind = if all_plain {
            ExcKind::ExceptionGroup
        } else {
            ExcKind::BaseExceptionGroup
        };
        let cls = self.types.exc(kind);
        let msg = self.new_str(msg);
        let list = self.new_list(excs.clone());
        let tuple = self.new_tuple(excs);
        let group = new_exception(self, cls, vec![msg, list]);
        self.set_exc_field(group, MESSAGE, msg);
        self.set_exc_field(group, EXCEPTIONS, tuple);
        group
    }

    /// Is `v` an exception group?
    pub fn is_exception_group(&self, v: Value) -> bool {
        self.exc_matches(v, ExcKind::BaseExceptionGroup)
    }

    /// The sub-exceptions of a group (empty for anything else).
    pub fn group_exceptions(&self, group: Value) -> Vec<Value> {
        let t = self.exc_field(group, EXCEPTIONS);
        self.seq_items(t).map(|s| s.to_vec()).unwrap_or_default()
    }
}

/// CPython's `PySequence_Check`: lists, tuples, strings, bytes, ranges
/// and objects whose class defines `__getitem__` (dicts excepted).
fn is_sequence(vm: &mut Vm, v: Value) -> bool {
    if let Value::Obj(r) = v {
        match vm.heap.get(r) {
            Object::List(_)
            | Object::Tuple(_)
            | Object::Str(_)
            | Object::Bytes(_)
            | Object::ByteArray(_)
            | Object::Range(_) => return true,
            Object::Dict(_) => return false,
            _ => {}
        }
    }
    let cls = vm.class_of(v);
    vm.class_lookup(cls, "__getitem__").is_some()
}

/// `BaseExceptionGroup.__new__(cls, message, exceptions)`.
fn group_new(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let cls = match args.first() {
        Some(&Value::Obj(c)) if vm.is_exception_class(Value::Obj(c)) => c,
        _ => return Err(vm.type_error("BaseExceptionGroup.__new__(X): X is not a type object")),
    };
    let given = &args[1..];
    if given.len() != 2 {
        let msg = format!(
            "BaseExceptionGroup.__new__() takes exactly 2 arguments ({} given)",
            given.len()
        );
        return Err(vm.type_error(msg));
    }
    let (message, excs) = (given[0], given[1]);
    if vm.as_str(message).is_none() {
        let msg = format!(
            "BaseExceptionGroup.__new__() argument 1 must be str, not {}",
            vm.type_name(message)
        );
        return Err(vm.type_error(msg));
    }
    if !is_sequence(vm, excs) {
        return Err(vm.type_error("second argument (exceptions) must be a sequence"));
    }
    let items = vm.collect_iterable(excs)?;
    if items.is_empty() {
        return Err(vm.value_error("second argument (exceptions) must be a non-empty sequence"));
    }
    let mut nested_base = false;
    for (i, &e) in items.iter().enumerate() {
        if vm.exc_data(e).is_none() {
            let msg = format!("Item {i} of second argument (exceptions) is not an exception");
            return Err(vm.value_error(msg));
        }
        nested_base |= !vm.exc_matches(e, ExcKind::Exception);
    }
    let cls = group_class(vm, cls, nested_base)?;
    let tuple = vm.new_tuple(items);
    let group = new_exception(vm, cls, vec![message, excs]);
    vm.set_exc_field(group, MESSAGE, message);
    vm.set_exc_field(group, EXCEPTIONS, tuple);
    Ok(group)
}

/// The class a group is created with: `BaseExceptionGroup` of Exceptions
/// only becomes `ExceptionGroup`; an Exception subclass cannot hold a
/// BaseException.
fn group_class(vm: &mut Vm, cls: ObjRef, nested_base: bool) -> PyResult<ObjRef> {
    let base_group = vm.types.exc(ExcKind::BaseExceptionGroup);
    let group = vm.types.exc(ExcKind::ExceptionGroup);
    if cls == group {
        if nested_base {
            return Err(vm.type_error("Cannot nest BaseExceptions in an ExceptionGroup"));
        }
    } else if cls == base_group {
        if !nested_base {
            return Ok(group);
        }
    } else if nested_base && vm.is_subclass(cls, vm.types.exc(ExcKind::Exception)) {
        let name = vm.class_name(cls).to_string();
        return Err(vm.type_error(format!("Cannot nest BaseExceptions in '{name}'")));
    }
    Ok(cls)
}

/// `BaseExceptionGroup.__init__`: `BaseException.__init__` without keywords.
fn group_init(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&exc) = args.first().filter(|&&e| vm.exc_data(e).is_some()) else {
        return Err(vm.type_error("descriptor '__init__' requires a 'BaseException' object"));
    };
    no_keywords(vm, exc, kw)?;
    super::exceptions::set_args(vm, exc, &args[1..]);
    Ok(Value::None)
}

/// The receiver of a group method, checked.
fn this_group(vm: &mut Vm, args: &[Value], method: &str) -> PyResult<Value> {
    match args.first() {
        Some(&g) if vm.is_exception_group(g) => Ok(g),
        _ => Err(vm.type_error(format!(
            "descriptor '{method}' requires a 'BaseExceptionGroup' object"
        ))),
    }
}

/// `str(group)`: `message (N sub-exceptions)`.
fn group_str(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = this_group(vm, args, "__str__")?;
    let msg = vm.exc_field(g, MESSAGE);
    let text = vm.str_value(msg)?;
    let n = vm.group_exceptions(g).len();
    let plural = if n > 1 { "s" } else { "" };
    Ok(vm.new_str(format!("{text} ({n} sub-exception{plural})")))
}

/// `group.derive(excs)`: a group with the same message around `excs`.
fn derive(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = this_group(vm, args, "derive")?;
    check_args(vm, "derive", &args[1..], kw, 1, 1)?;
    let msg = vm.exc_field(g, MESSAGE);
    let cls = Value::Obj(vm.types.exc(ExcKind::BaseExceptionGroup));
    vm.call(cls, &[msg, args[1]], &[])
}

/// How `split`/`subgroup` decide that an exception matches.
#[derive(Clone, Copy)]
enum Matcher {
    /// An exception class or tuple of classes.
    Type(Value),
    /// A function called with each exception.
    Predicate(Value),
}

fn matcher(vm: &mut Vm, v: Value) -> PyResult<Matcher> {
    if let Value::Obj(r) = v {
        if matches!(vm.heap.get(r), Object::Function(_)) {
            return Ok(Matcher::Predicate(v));
        }
    }
    if vm.is_exception_class(v) {
        return Ok(Matcher::Type(v));
    }
    let is_tuple = matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_)));
    if is_tuple && vm.class_of(v) == vm.types.tuple {
        let items = vm.seq_items(v).map(|s| s.to_vec()).unwrap_or_default();
        if items.iter().all(|&t| vm.is_exception_class(t)) {
            return Ok(Matcher::Type(v));
        }
    }
    Err(vm.type_error("expected a function, exception type or tuple of exception types"))
}

fn matches(vm: &mut Vm, exc: Value, m: Matcher) -> PyResult<bool> {
    match m {
        Matcher::Type(t) => vm.exception_matches(exc, t),
        Matcher::Predicate(f) => {
            let r = vm.call(f, &[exc], &[])?;
            vm.truthy(r)
        }
    }
}

/// `group.split(matcher)`: `(match, rest)`, either None when empty.
fn split(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = this_group(vm, args, "split")?;
    check_args(vm, "split", &args[1..], kw, 1, 1)?;
    let m = matcher(vm, args[1])?;
    let (matched, rest) = split_recursive(vm, g, m, true)?;
    let pair = vec![matched.unwrap_or(Value::None), rest.unwrap_or(Value::None)];
    Ok(vm.new_tuple(pair))
}

/// `group.subgroup(matcher)`: the matching part, or None.
fn subgroup(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let g = this_group(vm, args, "subgroup")?;
    check_args(vm, "subgroup", &args[1..], kw, 1, 1)?;
    let m = matcher(vm, args[1])?;
    let (matched, _) = split_recursive(vm, g, m, false)?;
    Ok(matched.unwrap_or(Value::None))
}

/// CPython's `exceptiongroup_split_recursive`: a whole match, a leaf that
/// does not match, or a group rebuilt (with `derive`) from the matching and
/// non-matching parts of its members. Every value held across calls into
/// aspy code is on `temp_roots`.
fn split_recursive(
    vm: &mut Vm,
    exc: Value,
    m: Matcher,
    construct_rest: bool,
) -> PyResult<(Option<Value>, Option<Value>)> {
    if matches(vm, exc, m)? {
        return Ok((Some(exc), None));
    }
    if !vm.is_exception_group(exc) {
        return Ok((None, construct_rest.then_some(exc)));
    }
    let mark = vm.temp_roots.len();
    let result = split_members(vm, exc, m, construct_rest);
    vm.temp_roots.truncate(mark);
    result
}

fn split_members(
    vm: &mut Vm,
    group: Value,
    m: Matcher,
    construct_rest: bool,
) -> PyResult<(Option<Value>, Option<Value>)> {
    let mut matched = Vec::new();
    let mut rest = Vec::new();
    for e in vm.group_exceptions(group) {
        let (a, b) = split_recursive(vm, e, m, construct_rest)?;
        for (part, into) in [(a, &mut matched), (b, &mut rest)] {
            if let Some(v) = part {
                vm.temp_roots.push(v);
                into.push(v);
            }
        }
    }
    let matched = subset(vm, group, matched)?;
    if let Some(v) = matched {
        vm.temp_roots.push(v);
    }
    let rest = if construct_rest {
        subset(vm, group, rest)?
    } else {
        None
    };
    Ok((matched, rest))
}

/// CPython's `exceptiongroup_subset`: `orig.derive(excs)` carrying over
/// the traceback, cause, context and a copy of the notes; None if `excs`
/// is empty.
fn subset(vm: &mut Vm, orig: Value, excs: Vec<Value>) -> PyResult<Option<Value>> {
    if excs.is_empty() {
        return Ok(None);
    }
    let list = vm.new_list(excs);
    vm.temp_roots.push(list);
    let derived = vm
        .get_attr_str(orig, "derive")
        .and_then(|d| vm.call(d, &[list], &[]));
    vm.temp_roots.pop();
    let eg = derived?;
    if !vm.is_exception_group(eg) {
        return Err(vm.type_error("derive must return an instance of BaseExceptionGroup"));
    }
    vm.temp_roots.push(eg);
    let r = copy_metadata(vm, orig, eg);
    vm.temp_roots.pop();
    r.map(|()| Some(eg))
}

fn copy_metadata(vm: &mut Vm, orig: Value, eg: Value) -> PyResult<()> {
    let (tb, context, cause) = match vm.exc_data(orig) {
        Some(d) => (d.traceback.clone(), d.context, d.cause),
        None => return Ok(()),
    };
    if let Some(d) = vm.exc_data_mut(eg) {
        if !tb.is_empty() {
            d.traceback = tb;
        }
        d.context = context;
        d.cause = cause;
        d.suppress_context = true;
    }
    let key = Value::Obj(vm.intern("__notes__"));
    if let Some(notes) = vm.get_attr_opt(orig, key)? {
        if is_sequence(vm, notes) {
            let items = vm.collect_iterable(notes)?;
            let copy = vm.new_list(items);
            vm.set_attr(eg, key, copy)?;
        }
    }
    Ok(())
}
