//! Native library modules (written in Rust): looked up by name on import.
//!
//! Each module is one file with an `init` function listed in `MODULES`.
//! `init` builds the module with [`NativeModule`] and returns it; `import`
//! calls it once and caches the result in `sys.modules`.
//!
//! ```
//! use aspy::stdlib::modules::NativeModule;
//! use aspy::vm::{PyResult, Value, Vm};
//!
//! fn answer(_vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
//!     Ok(Value::Int(42))
//! }
//!
//! fn init(vm: &mut Vm) -> PyResult<Value> {
//!     let m = NativeModule::new(vm, "deep_thought")?;
//!     m.def(vm, "answer", answer);
//!     m.set(vm, "pi", Value::Float(3.14));
//!     Ok(m.module)
//! }
//! # let mut vm = Vm::new(Default::default());
//! # let m = init(&mut vm).unwrap();
//! # assert!(vm.get_attr_str(m, "answer").is_ok());
//! ```
//!
//! To add a module: create `name.rs` with `pub fn init`, declare it below
//! and add one line to `MODULES`.
//!
//! Conventions:
//! - Functions are [`NativeFn`]s. Argument checks and conversions with
//!   CPython's wording are in [`args`]: `no_args`/`exactly_one`/
//!   `positional` for C-style functions, [`args::Signature`] for functions
//!   CPython writes in Python (keywords, defaults, "missing 1 required
//!   positional argument"), `to_f64`/`to_bigint`/`to_i64` for numbers.
//! - A type with private Rust state is a class made by
//!   [`NativeModule::class`] (methods added with `builtins::add_method`,
//!   a Rust `__new__` registered the same way) whose instances are
//!   `Object::Native` values implementing `NativeObject`.
//! - State that Rust code needs again later (a class handle, a default
//!   instance) goes in `vm.module_state` under a `"module.name"` key; those
//!   values are GC roots.
//! - A tuple-like record type (`sys.version_info`, `time.struct_time`) is a
//!   [`struct_seq`].

pub mod args;
pub mod asyncio;
pub mod asyncio_future;
pub mod asyncio_loop;
pub mod asyncio_sync;
pub mod collections;
mod collections_records;
pub mod contextvars;
pub mod functools;
pub mod gc;
pub mod itertools;
mod itertools_comb;
mod itertools_filter;
mod itertools_group;
pub mod json;
mod json_decode;
pub mod math;
mod math_float;
mod math_int;
mod math_special;
pub mod operator;
pub mod os;
pub mod random;
mod random_dist;
mod random_mt;
mod random_seq;
mod signature;
pub mod struct_seq;
pub mod support;
pub mod sys;
mod sys_io;
pub mod time;
mod traceback;

use crate::stdlib::builtins::native;
use crate::vm::object::{Layout, NativeFn, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// Builds a native module (registering it in `sys.modules`) and returns it.
pub type ModuleInit = fn(&mut Vm) -> PyResult<Value>;

/// Every native module: its import name and the function that builds it.
const MODULES: &[(&str, ModuleInit)] = &[
    ("sys", sys::init),
    ("time", time::init),
    ("math", math::init),
    ("random", random::init),
    ("os", os::init),
    ("os.path", os::init_path),
    ("_collections", collections::load),
    ("_functools", functools::load),
    ("itertools", itertools::load),
    ("_json", json::load),
    ("operator", operator::load),
    ("_asyncio", asyncio::load),
    ("contextvars", contextvars::load),
    ("gc", gc::load),
    ("_traceback", traceback::load),
];

/// Creates and returns the native module `name`, or None if there is no
/// native module of that name.
pub fn load(vm: &mut Vm, name: &str) -> Option<PyResult<Value>> {
    MODULES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, init)| init(vm))
}

/// A module being built by Rust code: the module object and its namespace.
#[derive(Clone, Copy)]
pub struct NativeModule {
    /// The module object (already registered in `sys.modules`).
    pub module: Value,
    /// Its namespace, a `Dict` object.
    pub dict: ObjRef,
}

impl NativeModule {
    /// Creates the module `name` and registers it in `sys.modules`.
    pub fn new(vm: &mut Vm, name: &str) -> PyResult<NativeModule> {
        let module = crate::stdlib::import::new_module(vm, name)?;
        let dict = match module {
            Value::Obj(r) => match vm.heap.get(r) {
                Object::Module(m) => m.dict,
                _ => unreachable!("new_module returns a module"),
            },
            _ => unreachable!("new_module returns a module"),
        };
        Ok(NativeModule { module, dict })
    }

    /// Sets a module attribute.
    pub fn set(&self, vm: &mut Vm, name: &str, v: Value) {
        let key = Value::Obj(vm.intern(name));
        // Keys are interned strings: setting cannot run aspy code or fail.
        let _ = vm.dict_set(Value::Obj(self.dict), key, v);
    }

    /// Adds a function.
    pub fn def(&self, vm: &mut Vm, name: &'static str, f: NativeFn) {
        let v = native(vm, name, f);
        self.set(vm, name, v);
    }

    /// Adds several functions.
    pub fn def_all(&self, vm: &mut Vm, fns: &[(&'static str, NativeFn)]) {
        for &(name, f) in fns {
            self.def(vm, name, f);
        }
    }

    /// The module's name as text.
    pub fn name<'a>(&self, vm: &'a Vm) -> &'a str {
        match self.module {
            Value::Obj(r) => match vm.heap.get(r) {
                Object::Module(m) => vm.str_of(m.name),
                _ => "",
            },
            _ => "",
        }
    }

    /// Creates a class of this module (a subclass of `object` that user
    /// code cannot subclass) and binds it as a module attribute.
    pub fn class(&self, vm: &mut Vm, name: &str) -> ObjRef {
        let object = vm.types.object;
        let cls = vm.new_class(name, &[object], Layout::Builtin);
        let module = self.name(vm).to_string();
        let module = Value::Obj(vm.intern(&module));
        if let Object::Class(c) = vm.heap.get_mut(cls) {
            c.module = module;
        }
        self.set(vm, name, Value::Obj(cls));
        cls
    }
}
