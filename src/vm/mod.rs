//! The virtual machine: one [`Vm`] value owns everything a running program
//! has (heap, fibers, modules, interned names, the event loop's state), so a
//! host can run several VMs side by side. There is no global mutable state.
//!
//! Submodules: `value` (the value type), `heap` (arena + collector),
//! `object/` (object shapes), `frame` (frames and fibers), `interp` (the
//! dispatch loop), `call` (calling conventions), `attr` (attribute lookup),
//! `ops/` (operators, comparison, hashing, conversion to text, iteration),
//! `types` (the built-in classes), `exceptions` (the exception hierarchy and
//! tracebacks).

pub mod attr;
pub mod attr_fast;
pub mod call;
pub mod clock;
pub mod descr;
pub mod exceptions;
pub mod exec;
pub mod finalize;
pub mod frame;
pub mod fuse;
pub mod gen;
pub mod gen_ops;
pub mod heap;
pub mod instance_dict;
pub mod interp;
pub mod load;
pub mod meta;
pub mod object;
pub mod ops;
pub mod slot_vec;
pub mod slots;
pub mod subclass;
pub mod suggestions;
pub mod traceback;
pub mod types;
pub mod value;

use crate::bytecode::Code;
use exceptions::ExcKind;
use frame::Fiber;
use heap::Heap;
use object::{Dict, Object, StrObj};
use rustc_hash::FxHashMap;
use std::io::Write;
use std::rc::Rc;
use types::Types;
pub use value::{ObjRef, Value};

/// A raised Python exception: the exception instance.
#[derive(Clone, Copy, Debug)]
pub struct PyErr(pub Value);

pub type PyResult<T> = Result<T, PyErr>;

/// Settings a host or the CLI chooses before running code.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sys.getrecursionlimit()`: maximum depth of aspy frames.
    pub recursion_limit: usize,
    /// `sys.argv`.
    pub argv: Vec<String>,
    /// Run the event loop on a virtual clock.
    pub virtual_time: bool,
    /// Directories searched by `import` for `name.aspy`.
    pub path: Vec<String>,
    /// Collect garbage after this many allocations at least (None: the
    /// default). Small values stress-test GC rooting.
    pub gc_threshold: Option<usize>,
    /// Set (by the host's SIGINT handler) to interrupt the running program
    /// with KeyboardInterrupt at the next safe point.
    pub interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            recursion_limit: 1000,
            argv: Vec::new(),
            virtual_time: false,
            path: Vec::new(),
            gc_threshold: None,
            interrupt: None,
        }
    }
}

/// Reports every GC root of the VM `$vm` to `$push` (a `&mut dyn
/// FnMut(Value)`). A macro, not a method, so that a closure using it
/// borrows only these fields and `vm.heap` stays free for the collector.
macro_rules! trace_roots {
    ($vm:expr, $push:expr) => {{
        let push: &mut dyn FnMut(Value) = $push;
        $vm.fiber.trace(push);
        for f in &$vm.parked {
            f.trace(push);
        }
        $vm.temp_roots.iter().for_each(|&v| push(v));
        push(Value::Obj($vm.builtins));
        push(Value::Obj($vm.modules));
        $vm.types.trace(push);
        $vm.interned.values().for_each(|&r| push(Value::Obj(r)));
        $vm.module_state.values().for_each(|&v| push(v));
        $vm.repr_guard.iter().for_each(|&v| push(v));
        if let Some(rt) = &$vm.runtime {
            rt.trace(push);
        }
    }};
}

pub struct Vm {
    pub heap: Heap,
    /// The fiber running now.
    pub fiber: Fiber,
    /// Fibers set aside while another runs (e.g. the main program while
    /// `asyncio.run` drives tasks); they are GC roots.
    pub parked: Vec<Fiber>,
    /// Values Rust code holds across calls into aspy code (see `heap.rs`).
    pub temp_roots: Vec<Value>,
    pub types: Types,
    /// The `builtins` namespace (a `Dict` object).
    pub builtins: ObjRef,
    /// `sys.modules`: name -> module (a `Dict` object).
    pub modules: ObjRef,
    interned: FxHashMap<Box<str>, ObjRef>,
    pub config: Config,
    /// Depth of nested dispatch loops (Rust recursion through aspy calls).
    pub native_depth: usize,
    /// Buffered standard output.
    pub stdout: std::io::BufWriter<std::io::Stdout>,
    /// Set by the SIGINT handler; checked at safe points.
    pub interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Set by `Reraise`: the exception already has this frame in its
    /// traceback.
    pub(crate) reraising: bool,
    /// Per-module state of native library modules, keyed by module name.
    pub module_state: FxHashMap<&'static str, Value>,
    /// Containers whose repr is being computed (to print `[...]` for cycles).
    pub(crate) repr_guard: Vec<Value>,
    /// The default `object` methods, to recognise "not overridden" quickly.
    pub object_new: Value,
    pub object_init: Value,
    pub object_setattr: Value,
    pub object_delattr: Value,
    pub object_hash: Value,
    pub object_repr: Value,
    pub object_str: Value,
    /// `type.__call__`: a metaclass whose `__call__` is this one makes
    /// instances the ordinary way (see `InitCache::meta_call`).
    pub type_call: Value,
    /// `type.__init__`, which does nothing after `type.__new__`.
    pub type_init: Value,
    /// `BaseException.__init__`: constructing an exception whose class
    /// keeps it (and `object.__new__`) skips the call, as the new instance
    /// already holds its args.
    pub exc_init: Value,
    /// Installed by the asyncio runtime: one `await` step on a native
    /// awaitable (Future, Task, sleep). None if the object is not one.
    pub await_hook: Option<AwaitHook>,
    /// Set while a built-in function runs as the operand of an `await`
    /// (`await q.get()`: its result goes straight to `GetAwaitable`, or it
    /// is an `async with` manager's `__aenter__`). A native awaitable
    /// factory may then run its operation inline in the awaiting task
    /// (`runtime/wait_op.rs`); it must take the flag before anything else.
    pub awaited_call: bool,
    /// Installed by the asyncio runtime: called the first time an async
    /// generator is iterated, so the running loop can finalise it.
    pub agen_firstiter_hook: Option<fn(&mut Vm, ObjRef)>,
    /// Installed by the asyncio runtime: called for each watched object
    /// (`Heap::watched`) the collector found unreachable, and at exit for
    /// those still alive.
    pub finalize_hook: Option<fn(&mut Vm, ObjRef)>,
    /// Coroutines created and not yet started, closed or collected: when
    /// zero, exit needs no search for never-awaited coroutines.
    pub(crate) unstarted_coroutines: usize,
    /// Warnings already printed, as `file:line: message`: like CPython's
    /// default warning filter, each is shown once per location.
    pub(crate) warnings_shown: std::collections::HashSet<String>,
    /// The event loop runtime's state (see `src/runtime/`), created when
    /// asyncio is first used.
    pub runtime: Option<Box<dyn VmExtension>>,
    /// The clock behind `time` and the event loop (see `clock.rs`).
    pub clock: clock::Clock,
    /// Advanced by every change to a class namespace and by every
    /// collection; attribute cache entries are valid only for the epoch
    /// they were filled in (see `object::AttrCache`).
    pub class_epoch: u64,
    /// The built-in subclass instance a built-in method is running on (see
    /// `Vm::run_native`): `user_overrides` ignores its overrides until the
    /// method runs aspy code.
    pub(crate) builtin_self: Option<ObjRef>,
    /// `__init__` lookups for class calls (see `Vm::plain_init`).
    pub(crate) init_cache: [call::InitCache; call::INIT_CACHE_SIZE],
}

/// State that a layer above the VM hangs off it (the event loop runtime):
/// reached by downcasting, traced by the collector.
pub trait VmExtension: std::any::Any {
    /// Reports every value held, for the collector.
    fn trace(&self, f: &mut dyn FnMut(Value));
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
}

/// See [`Vm::await_hook`].
/// `throw` is an exception thrown into the awaiting frame: the awaitable
/// cleans up and returns it as the error (Ok(None): not a native awaitable).
pub type AwaitHook = fn(&mut Vm, ObjRef, Value, Option<Value>) -> PyResult<Option<gen::GenStep>>;

impl Vm {
    /// A fresh VM with the built-in types and functions installed.
    pub fn new(config: Config) -> Vm {
        let interrupt = config.interrupt.clone();
        let mut heap = Heap::new();
        let types = Types::placeholder();
        let builtins = heap.alloc(Object::Dict(Box::new(Dict::new())));
        let modules = heap.alloc(Object::Dict(Box::new(Dict::new())));
        let clock = clock::Clock::new(config.virtual_time);
        let mut vm = Vm {
            heap,
            fiber: Fiber::default(),
            parked: Vec::new(),
            temp_roots: Vec::new(),
            types,
            builtins,
            modules,
            interned: FxHashMap::with_capacity_and_hasher(1024, Default::default()),
            config,
            native_depth: 0,
            stdout: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()),
            interrupt,
            reraising: false,
            module_state: FxHashMap::default(),
            repr_guard: Vec::new(),
            object_new: Value::None,
            object_init: Value::None,
            object_setattr: Value::None,
            object_delattr: Value::None,
            object_hash: Value::None,
            object_repr: Value::None,
            object_str: Value::None,
            type_call: Value::None,
            type_init: Value::None,
            exc_init: Value::None,
            await_hook: None,
            awaited_call: false,
            agen_firstiter_hook: None,
            finalize_hook: None,
            unstarted_coroutines: 0,
            warnings_shown: Default::default(),
            runtime: None,
            clock,
            class_epoch: 1,
            builtin_self: None,
            init_cache: [Default::default(); call::INIT_CACHE_SIZE],
        };
        if let Some(n) = vm.config.gc_threshold {
            vm.heap.set_min_threshold(n);
        }
        types::init(&mut vm);
        crate::stdlib::builtins::install(&mut vm);
        vm
    }

    // ---- allocation ------------------------------------------------------

    #[inline]
    pub fn alloc(&mut self, obj: Object) -> Value {
        Value::Obj(self.heap.alloc(obj))
    }

    /// A new `str` value.
    pub fn new_str(&mut self, s: impl AsRef<str>) -> Value {
        self.alloc(Object::Str(StrObj::new(s)))
    }

    /// The interned `str` with this text (names, attribute keys).
    pub fn intern(&mut self, s: &str) -> ObjRef {
        if let Some(&r) = self.interned.get(s) {
            return r;
        }
        let r = self.heap.alloc(Object::Str(StrObj::new(s)));
        self.interned.insert(s.into(), r);
        r
    }

    /// The interned string if one exists (a name never interned cannot be
    /// an attribute name of anything).
    pub fn lookup_interned(&self, s: &str) -> Option<ObjRef> {
        self.interned.get(s).copied()
    }

    pub fn new_list(&mut self, items: Vec<Value>) -> Value {
        self.alloc(Object::List(items))
    }

    pub fn new_tuple(&mut self, items: Vec<Value>) -> Value {
        if items.is_empty() {
            return self.types.empty_tuple;
        }
        self.alloc(Object::Tuple(items.into_boxed_slice()))
    }

    pub fn new_dict(&mut self) -> Value {
        self.alloc(Object::Dict(Box::new(Dict::new())))
    }

    // ---- reading values --------------------------------------------------

    /// The text of a `str` value, or None.
    #[inline]
    pub fn as_str(&self, v: Value) -> Option<&str> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Str(s) => Some(s.as_str()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The text of a value known to be a `str` (empty string otherwise).
    pub fn str_of(&self, v: Value) -> &str {
        self.as_str(v).unwrap_or("")
    }

    /// The items of a tuple or list value.
    pub fn seq_items(&self, v: Value) -> Option<&[Value]> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Tuple(t) => Some(t),
                Object::List(l) => Some(l),
                _ => None,
            },
            _ => None,
        }
    }

    // ---- garbage collection ----------------------------------------------

    /// Collects garbage if the heap asks for it. Called only at safe points
    /// of the dispatch loop, where every live value is reachable from roots.
    #[inline]
    pub fn maybe_collect(&mut self) {
        if self.heap.wants_collection() {
            self.collect_garbage();
        }
    }

    /// A full collection from the VM's roots.
    pub fn collect_garbage(&mut self) -> usize {
        // A freed class's slot may be reused by a new class.
        self.class_epoch += 1;
        // The roots are reported straight to the marker, field by field, so
        // a collection allocates no list of them (with 200k parked tasks it
        // would be megabytes).
        let freed = self.heap.collect(|push| trace_roots!(self, push));
        if !self.heap.unawaited.is_empty() {
            self.report_unawaited();
        }
        if !self.heap.fin_queue.is_empty() {
            self.run_finalizers();
        }
        if !self.heap.dying.is_empty() {
            self.finalize_dying();
        }
        freed
    }

    /// The collector's roots: everything the VM holds directly (for a
    /// marking that excludes nothing; see `trace_roots!`).
    pub(crate) fn gc_roots(&self) -> Vec<Value> {
        let mut roots: Vec<Value> = Vec::with_capacity(1024);
        trace_roots!(self, &mut |v: Value| roots.push(v));
        roots
    }

    /// Runs the finalize hook on watched objects that became unreachable
    /// (they stay rooted while it runs).
    fn finalize_dying(&mut self) {
        let dying = std::mem::take(&mut self.heap.dying);
        let Some(hook) = self.finalize_hook else {
            return;
        };
        let mark = self.temp_roots.len();
        self.temp_roots.extend(dying.iter().map(|&r| Value::Obj(r)));
        for r in dying {
            hook(self, r);
        }
        self.temp_roots.truncate(mark);
    }

    /// At exit: runs the finalize hook on every watched object still alive
    /// (as CPython finalises objects at shutdown).
    pub fn finalize_watched_at_exit(&mut self) {
        let watched = std::mem::take(&mut self.heap.watched);
        let Some(hook) = self.finalize_hook else {
            return;
        };
        let mark = self.temp_roots.len();
        self.temp_roots
            .extend(watched.iter().map(|&r| Value::Obj(r)));
        for r in watched {
            hook(self, r);
        }
        self.temp_roots.truncate(mark);
    }

    // ---- errors ------------------------------------------------------------

    /// A new exception of a built-in kind with a message.
    #[cold]
    pub fn new_error(&mut self, kind: ExcKind, msg: impl Into<String>) -> PyErr {
        let msg = self.new_str(msg.into());
        let cls = self.types.exc(kind);
        let e = exceptions::new_exception(self, cls, vec![msg]);
        if let Some(i) = exceptions::message_field(kind) {
            self.set_exc_field(e, i, msg);
        }
        PyErr(e)
    }

    #[cold]
    pub fn type_error(&mut self, msg: impl Into<String>) -> PyErr {
        self.new_error(ExcKind::TypeError, msg)
    }

    #[cold]
    pub fn value_error(&mut self, msg: impl Into<String>) -> PyErr {
        self.new_error(ExcKind::ValueError, msg)
    }

    /// The class name of a value, as used in error messages. Like CPython's
    /// `tp_name`, a built-in type defined by a library module is qualified
    /// by its module (`collections.deque`).
    pub fn type_name(&self, v: Value) -> String {
        let cls = self.class_of(v);
        if let Object::Class(c) = self.heap.get(cls) {
            let module = self.str_of(c.module);
            if c.layout == object::Layout::Builtin && !module.is_empty() && module != "builtins" {
                return format!("{module}.{}", self.str_of(c.name));
            }
        }
        self.class_name(cls).to_string()
    }

    /// The `__name__` of a class.
    pub fn class_name(&self, cls: ObjRef) -> &str {
        match self.heap.get(cls) {
            Object::Class(c) => self.str_of(c.name),
            _ => "?",
        }
    }

    // ---- output ------------------------------------------------------------

    /// Writes text to standard output (buffered).
    pub fn write_stdout(&mut self, s: &str) {
        let _ = self.stdout.write_all(s.as_bytes());
    }

    /// Flushes standard output.
    pub fn flush_stdout(&mut self) {
        let _ = self.stdout.flush();
    }

    /// Loads compiled code into this VM (constants become values).
    pub fn load_code(&mut self, code: &Rc<Code>) -> Rc<object::VmCode> {
        load::load_code(self, code)
    }
}
