//! The `sys` module: interpreter facts and hooks.
//!
//! Compatibility choice: aspy presents itself as the CPython it imitates.
//! `sys.version`, `sys.version_info` and `sys.implementation` say CPython
//! 3.11 (`implementation.name == 'cpython'`), because programs branch on
//! them and must take the same branch as under CPython. `sys.modules` is the
//! VM's own module table and `sys.setrecursionlimit` changes the VM's limit.
//! The standard streams are in `sys_io.rs`.

use super::args::{not_integer, to_i64};
use super::struct_seq;
use super::sys_io;
use super::NativeModule;
use crate::stdlib::builtins::{add_method, check_args};
use crate::vm::exceptions::{new_exception, ExcKind};
use crate::vm::object::{Instance, Layout, Object, Payload};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// The CPython version aspy follows.
const VERSION: (i64, i64, i64) = (3, 11, 7);
const VERSION_TEXT: &str = "3.11.7 (main, Jan  1 2024, 00:00:00) [GCC 12.2.0]";
const HEXVERSION: i64 = 0x030b07f0;

const VERSION_INFO_FIELDS: &[&str] = &["major", "minor", "micro", "releaselevel", "serial"];
const FLOAT_INFO_FIELDS: &[&str] = &[
    "max",
    "max_exp",
    "max_10_exp",
    "min",
    "min_exp",
    "min_10_exp",
    "dig",
    "mant_dig",
    "epsilon",
    "radix",
    "rounds",
];
const INT_INFO_FIELDS: &[&str] = &[
    "bits_per_digit",
    "sizeof_digit",
    "default_max_str_digits",
    "str_digits_check_threshold",
];

/// Builds the `sys` module.
pub fn init(vm: &mut Vm) -> PyResult<Value> {
    let m = NativeModule::new(vm, "sys")?;
    m.def_all(
        vm,
        &[
            ("exit", exit),
            ("getrecursionlimit", getrecursionlimit),
            ("setrecursionlimit", setrecursionlimit),
            ("exc_info", exc_info),
            ("exception", exception),
            ("_getframe", getframe),
            ("intern", intern),
            ("getdefaultencoding", utf8),
            ("getfilesystemencoding", utf8),
        ],
    );
    let argv: Vec<Value> = vm
        .config
        .argv
        .clone()
        .into_iter()
        .map(|a| vm.new_str(a))
        .collect();
    let argv = vm.new_list(argv);
    m.set(vm, "argv", argv);
    let path: Vec<Value> = vm
        .config
        .path
        .clone()
        .into_iter()
        .map(|p| vm.new_str(p))
        .collect();
    let path = vm.new_list(path);
    m.set(vm, "path", path);
    let modules = Value::Obj(vm.modules);
    m.set(vm, "modules", modules);
    set_str(vm, &m, "version", VERSION_TEXT);
    set_str(vm, &m, "platform", std::env::consts::OS);
    let order = if cfg!(target_endian = "little") {
        "little"
    } else {
        "big"
    };
    set_str(vm, &m, "byteorder", order);
    let exe = std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    set_str(vm, &m, "executable", &exe);
    m.set(vm, "maxsize", Value::Int(i64::MAX));
    m.set(vm, "maxunicode", Value::Int(0x10ffff));
    m.set(vm, "hexversion", Value::Int(HEXVERSION));
    m.set(vm, "api_version", Value::Int(1013));
    let version_info = make_version_info(vm);
    m.set(vm, "version_info", version_info);
    let float_info = make_float_info(vm);
    m.set(vm, "float_info", float_info);
    let int_info = make_int_info(vm);
    m.set(vm, "int_info", int_info);
    let implementation = make_implementation(vm, version_info);
    m.set(vm, "implementation", implementation);
    let [stdin, stdout, stderr] = sys_io::make_streams(vm);
    for (name, v) in [
        ("stdin", stdin),
        ("stdout", stdout),
        ("stderr", stderr),
        ("__stdin__", stdin),
        ("__stdout__", stdout),
        ("__stderr__", stderr),
    ] {
        m.set(vm, name, v);
    }
    Ok(m.module)
}

fn set_str(vm: &mut Vm, m: &NativeModule, name: &str, text: &str) {
    let v = vm.new_str(text);
    m.set(vm, name, v);
}

fn make_version_info(vm: &mut Vm) -> Value {
    let cls = struct_seq::new_type(vm, "sys", "version_info");
    let final_ = vm.new_str("final");
    let (major, minor, micro) = VERSION;
    let items = vec![
        Value::Int(major),
        Value::Int(minor),
        Value::Int(micro),
        final_,
        Value::Int(0),
    ];
    struct_seq::new(vm, cls, VERSION_INFO_FIELDS, 5, items)
}

fn make_float_info(vm: &mut Vm) -> Value {
    let cls = struct_seq::new_type(vm, "sys", "float_info");
    let items = vec![
        Value::Float(f64::MAX),
        Value::Int(f64::MAX_EXP as i64),
        Value::Int(f64::MAX_10_EXP as i64),
        Value::Float(f64::MIN_POSITIVE),
        Value::Int(f64::MIN_EXP as i64),
        Value::Int(f64::MIN_10_EXP as i64),
        Value::Int(f64::DIGITS as i64),
        Value::Int(f64::MANTISSA_DIGITS as i64),
        Value::Float(f64::EPSILON),
        Value::Int(f64::RADIX as i64),
        Value::Int(1),
    ];
    struct_seq::new(vm, cls, FLOAT_INFO_FIELDS, 11, items)
}

fn make_int_info(vm: &mut Vm) -> Value {
    let cls = struct_seq::new_type(vm, "sys", "int_info");
    let items = [30, 4, 4300, 640].map(Value::Int).to_vec();
    struct_seq::new(vm, cls, INT_INFO_FIELDS, 4, items)
}

/// `sys.implementation`: a `types.SimpleNamespace`-like object.
fn make_implementation(vm: &mut Vm, version_info: Value) -> Value {
    let object = vm.types.object;
    let cls = vm.new_class("SimpleNamespace", &[object], Layout::Object);
    let module = Value::Obj(vm.intern("types"));
    if let Object::Class(c) = vm.heap.get_mut(cls) {
        c.module = module;
    }
    add_method(vm, cls, "__repr__", namespace_repr);
    let name = vm.new_str("cpython");
    let tag = vm.new_str("cpython-311");
    let arch = vm.new_str(format!(
        "{}-{}-gnu",
        std::env::consts::ARCH,
        std::env::consts::OS
    ));
    let mut attrs = crate::vm::object::AttrMap::default();
    for (k, v) in [
        ("name", name),
        ("cache_tag", tag),
        ("version", version_info),
        ("hexversion", Value::Int(HEXVERSION)),
        ("_multiarch", arch),
    ] {
        let k = vm.intern(k);
        attrs.set(k, v);
    }
    vm.alloc(Object::Instance(Instance {
        class: cls,
        attrs,
        payload: Payload::None,
    }))
}

/// `namespace(a=1, b='x')`.
fn namespace_repr(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let items = match args.first() {
        Some(&Value::Obj(r)) => vm.own_attr_pairs(r),
        _ => Vec::new(),
    };
    let mut parts = Vec::with_capacity(items.len());
    for (k, v) in items {
        let r = vm.repr_value(v)?;
        parts.push(format!("{}={r}", vm.str_of(k)));
    }
    Ok(vm.new_str(format!("namespace({})", parts.join(", "))))
}

/// `sys.exit([arg])`: raises SystemExit(arg).
fn exit(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "exit", args, kw, 0, 1)?;
    let cls = vm.types.exc(ExcKind::SystemExit);
    // As C's PyErr_SetObject: None means no arguments, a tuple is the
    // arguments themselves.
    let exc_args = match args.first() {
        None | Some(Value::None) => Vec::new(),
        Some(&v) => match vm.seq_items(v) {
            Some(items) if matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_))) => {
                items.to_vec()
            }
            _ => vec![v],
        },
    };
    let e = new_exception(vm, cls, exc_args);
    Err(crate::vm::PyErr(e))
}

fn getrecursionlimit(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "getrecursionlimit", args, kw, 0, 0)?;
    Ok(Value::Int(vm.config.recursion_limit as i64))
}

fn setrecursionlimit(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "setrecursionlimit", args, kw, 1, 1)?;
    if matches!(args[0], Value::Float(_)) {
        return Err(not_integer(vm, args[0]));
    }
    let n = match to_i64(vm, args[0])? {
        Some(n) if n <= i32::MAX as i64 => n,
        _ => {
            return Err(vm.new_error(
                ExcKind::OverflowError,
                "Python int too large to convert to C int",
            ))
        }
    };
    if n < 1 {
        return Err(vm.value_error("recursion limit must be greater or equal than 1"));
    }
    // CPython counts the frame of the caller of setrecursionlimit too.
    let depth = vm.fiber.frames.len() + 1;
    if depth as i64 >= n {
        return Err(vm.new_error(
            ExcKind::RecursionError,
            format!(
                "cannot set the recursion limit to {n} at the recursion depth {depth}: the limit is too low"
            ),
        ));
    }
    vm.config.recursion_limit = n as usize;
    Ok(Value::None)
}

fn exc_info(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "exc_info", args, kw, 0, 0)?;
    let e = vm.fiber.handled;
    let items = if e.is_none() {
        vec![Value::None; 3]
    } else {
        vec![Value::Obj(vm.class_of(e)), e, Value::None]
    };
    Ok(vm.new_tuple(items))
}

/// `sys._getframe(depth=0)`.
fn getframe(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "_getframe", args, kw, 0, 1)?;
    let depth = match args.first() {
        Some(&d) => match vm.to_index(d)? {
            Some(d) => d,
            None => {
                let msg = format!(
                    "'{}' object cannot be interpreted as an integer",
                    vm.type_name(d)
                );
                return Err(vm.type_error(msg));
            }
        },
        None => 0,
    };
    crate::stdlib::exc_traceback::frame_at(vm, depth)
}

fn exception(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "exception", args, kw, 0, 0)?;
    Ok(vm.fiber.handled)
}

fn intern(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "intern", args, kw, 1, 1)?;
    match vm.as_str(args[0]) {
        Some(s) => {
            let s = s.to_string();
            Ok(Value::Obj(vm.intern(&s)))
        }
        None => {
            let msg = format!(
                "intern() argument must be str, not {}",
                vm.type_name(args[0])
            );
            Err(vm.type_error(msg))
        }
    }
}

fn utf8(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "getdefaultencoding", args, kw, 0, 0)?;
    Ok(vm.new_str("utf-8"))
}
