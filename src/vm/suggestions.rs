//! "Did you mean" suggestions for uncaught NameError and AttributeError,
//! as CPython 3.11's `Python/suggestions.c` computes them: the candidate
//! names (the attributes `dir(obj)` lists, sorted; or the failing frame's
//! locals, then its globals, then the builtins, in dict order) are ranked
//! by a Levenshtein distance where a case change costs 1 and any other
//! edit 2, and a candidate qualifies only if at most a third of the
//! characters involved change. The first best candidate wins.

use super::exceptions::ExcKind;
use super::object::Object;
use super::value::Value;
use super::Vm;

const MAX_CANDIDATE_ITEMS: usize = 750;
const MAX_STRING_SIZE: usize = 40;
const MOVE_COST: usize = 2;
const CASE_COST: usize = 1;

/// The builtins in CPython's dict order, so that ties between equally
/// close builtin names break as in CPython whatever order aspy created
/// them in.
const CPYTHON_BUILTINS: &[&str] = &[
    "__name__",
    "__doc__",
    "__package__",
    "__loader__",
    "__spec__",
    "__build_class__",
    "__import__",
    "abs",
    "all",
    "any",
    "ascii",
    "bin",
    "breakpoint",
    "callable",
    "chr",
    "compile",
    "delattr",
    "dir",
    "divmod",
    "eval",
    "exec",
    "format",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "hex",
    "id",
    "input",
    "isinstance",
    "issubclass",
    "iter",
    "aiter",
    "len",
    "locals",
    "max",
    "min",
    "next",
    "anext",
    "oct",
    "ord",
    "pow",
    "print",
    "repr",
    "round",
    "setattr",
    "sorted",
    "sum",
    "vars",
    "None",
    "Ellipsis",
    "NotImplemented",
    "False",
    "True",
    "bool",
    "memoryview",
    "bytearray",
    "bytes",
    "classmethod",
    "complex",
    "dict",
    "enumerate",
    "filter",
    "float",
    "frozenset",
    "property",
    "int",
    "list",
    "map",
    "object",
    "range",
    "reversed",
    "set",
    "slice",
    "staticmethod",
    "str",
    "super",
    "tuple",
    "type",
    "zip",
    "__debug__",
    "BaseException",
    "BaseExceptionGroup",
    "Exception",
    "GeneratorExit",
    "KeyboardInterrupt",
    "SystemExit",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BufferError",
    "EOFError",
    "ImportError",
    "LookupError",
    "MemoryError",
    "NameError",
    "OSError",
    "ReferenceError",
    "RuntimeError",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SystemError",
    "TypeError",
    "ValueError",
    "Warning",
    "FloatingPointError",
    "OverflowError",
    "ZeroDivisionError",
    "BytesWarning",
    "DeprecationWarning",
    "EncodingWarning",
    "FutureWarning",
    "ImportWarning",
    "PendingDeprecationWarning",
    "ResourceWarning",
    "RuntimeWarning",
    "SyntaxWarning",
    "UnicodeWarning",
    "UserWarning",
    "BlockingIOError",
    "ChildProcessError",
    "ConnectionError",
    "FileExistsError",
    "FileNotFoundError",
    "InterruptedError",
    "IsADirectoryError",
    "NotADirectoryError",
    "PermissionError",
    "ProcessLookupError",
    "TimeoutError",
    "IndentationError",
    "IndexError",
    "KeyError",
    "ModuleNotFoundError",
    "NotImplementedError",
    "RecursionError",
    "UnboundLocalError",
    "UnicodeError",
    "BrokenPipeError",
    "ConnectionAbortedError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "TabError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeTranslateError",
    "ExceptionGroup",
    "EnvironmentError",
    "IOError",
    "open",
    "quit",
    "exit",
    "copyright",
    "credits",
    "license",
    "help",
];

/// The suggestion for an exception that is exactly a NameError or an
/// AttributeError with the name (and object) it failed on, if any.
pub fn offer(vm: &mut Vm, exc: Value) -> Option<String> {
    let cls = vm.class_of(exc);
    if cls == vm.types.exc(ExcKind::AttributeError) {
        let name = vm.exc_field(exc, 0);
        let obj = vm.exc_field(exc, 1);
        if obj.is_unbound() || vm.class_of(name) != vm.types.str_ {
            return None;
        }
        let name = vm.as_str(name)?.to_string();
        let dir = attribute_names(vm, obj)?;
        return best_match(&dir, &name);
    }
    if cls == vm.types.exc(ExcKind::NameError) {
        let name = vm.exc_field(exc, 0);
        if vm.class_of(name) != vm.types.str_ {
            return None;
        }
        let name = vm.as_str(name)?.to_string();
        let frame = vm.exc_data(exc)?.traceback.first()?.clone();
        let locals: Vec<String> = local_names(&frame.code);
        if let Some(s) = best_match(&locals, &name) {
            return Some(s);
        }
        let globals = dict_keys(vm, Value::Obj(frame.globals));
        if let Some(s) = best_match(&globals, &name) {
            return Some(s);
        }
        return best_match(&builtin_names(vm), &name);
    }
    None
}

/// CPython's `co_varnames`: the parameters and plain locals (not the
/// cells of inner functions, nor free variables).
fn local_names(code: &crate::bytecode::Code) -> Vec<String> {
    let nlocal = code.varnames.len() - code.nfree as usize;
    let nparams = code.argcount as usize
        + code.kwonlyargcount as usize
        + code.varargs as usize
        + code.varkeywords as usize;
    code.varnames[..nlocal]
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < nparams || !code.cell_slots.contains(&(*i as u32)))
        .map(|(_, n)| n.to_string())
        .collect()
}

/// The string keys of a dict, in order.
fn dict_keys(vm: &Vm, d: Value) -> Vec<String> {
    let Value::Obj(r) = d else { return Vec::new() };
    match vm.heap.get(r) {
        Object::Dict(t) => t
            .iter()
            .filter_map(|e| vm.as_str(e.key).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// The builtins, CPython's first and in CPython's order.
fn builtin_names(vm: &Vm) -> Vec<String> {
    let mut names = dict_keys(vm, Value::Obj(vm.builtins));
    let rank = |n: &String| {
        CPYTHON_BUILTINS
            .iter()
            .position(|b| b == n)
            .unwrap_or(CPYTHON_BUILTINS.len())
    };
    names.sort_by_key(rank);
    names
}

/// What `dir(obj)` lists, sorted: a module's names; a class's attributes
/// along its MRO; an instance's attributes and its class's.
fn attribute_names(vm: &mut Vm, obj: Value) -> Option<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    let add_class = |vm: &Vm, cls, names: &mut Vec<String>| {
        if let Object::Class(c) = vm.heap.get(cls) {
            for &k in &c.mro {
                if let Object::Class(kc) = vm.heap.get(k) {
                    names.extend(
                        kc.dict
                            .iter()
                            .filter_map(|e| vm.as_str(e.key).map(str::to_string)),
                    );
                }
            }
        }
    };
    match obj {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Module(m) => names = dict_keys(vm, Value::Obj(m.dict)),
            Object::Class(_) => add_class(vm, r, &mut names),
            Object::Instance(inst) => {
                let (cls, attrs) = (inst.class, vm.own_attr_pairs(r));
                names.extend(
                    attrs
                        .iter()
                        .filter_map(|&(k, _)| vm.as_str(k).map(str::to_string)),
                );
                add_class(vm, cls, &mut names);
                names.push("__class__".to_string());
            }
            _ => {
                let cls = vm.class_of(obj);
                add_class(vm, cls, &mut names);
                names.push("__class__".to_string());
            }
        },
        _ => {
            let cls = vm.class_of(obj);
            add_class(vm, cls, &mut names);
            names.push("__class__".to_string());
        }
    }
    names.sort();
    names.dedup();
    Some(names)
}

/// CPython's `calculate_suggestions`.
fn best_match(candidates: &[String], name: &str) -> Option<String> {
    if candidates.len() >= MAX_CANDIDATE_ITEMS {
        return None;
    }
    let mut best: Option<&String> = None;
    let mut best_distance = usize::MAX;
    for item in candidates {
        if item == name {
            continue;
        }
        // No more than 1/3 of the involved characters should need changing.
        let max = ((name.len() + item.len() + 3) * MOVE_COST / 6).min(best_distance - 1);
        let d = levenshtein(name.as_bytes(), item.as_bytes(), max);
        if d > max {
            continue;
        }
        if best.is_none() || d < best_distance {
            best = Some(item);
            best_distance = d;
        }
    }
    best.cloned()
}

fn substitution_cost(a: u8, b: u8) -> usize {
    if a & 31 != b & 31 {
        return MOVE_COST;
    }
    if a == b {
        return 0;
    }
    if a.eq_ignore_ascii_case(&b) && a.is_ascii_alphabetic() {
        CASE_COST
    } else {
        MOVE_COST
    }
}

/// CPython's `levenshtein_distance` over UTF-8 bytes, giving up (with
/// `max_cost + 1`) as soon as the result must exceed `max_cost`.
fn levenshtein(a: &[u8], b: &[u8], max_cost: usize) -> usize {
    let (mut a, mut b) = (a, b);
    while let (Some(x), Some(y)) = (a.first(), b.first()) {
        if x != y {
            break;
        }
        a = &a[1..];
        b = &b[1..];
    }
    while let (Some(x), Some(y)) = (a.last(), b.last()) {
        if x != y {
            break;
        }
        a = &a[..a.len() - 1];
        b = &b[..b.len() - 1];
    }
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE_COST;
    }
    if a.len() > MAX_STRING_SIZE || b.len() > MAX_STRING_SIZE {
        return max_cost + 1;
    }
    if b.len() < a.len() {
        std::mem::swap(&mut a, &mut b);
    }
    if (b.len() - a.len()) * MOVE_COST > max_cost {
        return max_cost + 1;
    }
    let mut row: Vec<usize> = (1..=a.len()).map(|i| i * MOVE_COST).collect();
    let mut result = 0;
    for (bi, &code) in b.iter().enumerate() {
        let mut distance = bi * MOVE_COST;
        result = distance;
        let mut minimum = usize::MAX;
        for (ai, &ac) in a.iter().enumerate() {
            let substitute = distance + substitution_cost(code, ac);
            distance = row[ai];
            let insert_delete = result.min(distance) + MOVE_COST;
            result = insert_delete.min(substitute);
            row[ai] = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_follow_cpython() {
        assert_eq!(levenshtein(b"uper", b"upper", 10), 2);
        assert_eq!(levenshtein(b"Total", b"total", 10), 1);
        assert_eq!(levenshtein(b"abc", b"abc", 10), 0);
        let names = vec!["total".to_string(), "totals".to_string()];
        assert_eq!(best_match(&names, "totl").as_deref(), Some("total"));
        assert_eq!(best_match(&names, "xyz"), None);
    }
}
