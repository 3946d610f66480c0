//! The built-in classes.
//!
//! Every built-in type is an ordinary [`Class`] object created when the VM
//! starts; its methods are `Builtin` functions in its namespace, installed by
//! the `stdlib` modules (see `src/stdlib/`). [`Vm::class_of`] maps any value
//! to its class.

use super::exceptions::{self, ExcKind};
use super::object::{Class, Dict, Iter, Layout, Object};
use super::value::{ObjRef, Value};
use super::Vm;

/// Handles to the built-in classes and a few shared constants.
pub struct Types {
    pub object: ObjRef,
    pub type_: ObjRef,
    pub none: ObjRef,
    pub not_implemented: ObjRef,
    pub ellipsis: ObjRef,
    pub bool_: ObjRef,
    pub int: ObjRef,
    pub float: ObjRef,
    pub str_: ObjRef,
    pub bytes: ObjRef,
    pub bytearray: ObjRef,
    pub list: ObjRef,
    pub tuple: ObjRef,
    pub dict: ObjRef,
    pub set: ObjRef,
    pub frozenset: ObjRef,
    pub range: ObjRef,
    pub slice: ObjRef,
    pub function: ObjRef,
    pub builtin_function: ObjRef,
    pub method: ObjRef,
    pub module: ObjRef,
    pub cell: ObjRef,
    pub generator: ObjRef,
    pub coroutine: ObjRef,
    pub async_generator: ObjRef,
    pub async_generator_asend: ObjRef,
    pub async_generator_athrow: ObjRef,
    pub coroutine_wrapper: ObjRef,
    pub property: ObjRef,
    pub staticmethod: ObjRef,
    pub classmethod: ObjRef,
    pub super_: ObjRef,
    pub list_iterator: ObjRef,
    pub tuple_iterator: ObjRef,
    pub range_iterator: ObjRef,
    pub str_iterator: ObjRef,
    pub bytes_iterator: ObjRef,
    pub dict_keyiterator: ObjRef,
    pub dict_valueiterator: ObjRef,
    pub dict_itemiterator: ObjRef,
    pub set_iterator: ObjRef,
    pub list_reverseiterator: ObjRef,
    pub dict_keys: ObjRef,
    pub dict_values: ObjRef,
    pub dict_items: ObjRef,
    pub dict_reversekeyiterator: ObjRef,
    pub dict_reversevalueiterator: ObjRef,
    pub dict_reverseitemiterator: ObjRef,
    pub enumerate: ObjRef,
    pub zip: ObjRef,
    pub map: ObjRef,
    pub filter: ObjRef,
    pub reversed: ObjRef,
    pub callable_iterator: ObjRef,
    /// CPython's `iterator`: the old `__getitem__` protocol.
    pub seq_iterator: ObjRef,
    /// Exception classes, indexed by `ExcKind`.
    pub exceptions: Vec<ObjRef>,
    pub empty_tuple: Value,
}

impl Types {
    /// A value with every handle zero; replaced by `init` before any use.
    pub(crate) fn placeholder() -> Types {
        let z = ObjRef(0);
        Types {
            object: z,
            type_: z,
            none: z,
            not_implemented: z,
            ellipsis: z,
            bool_: z,
            int: z,
            float: z,
            str_: z,
            bytes: z,
            bytearray: z,
            list: z,
            tuple: z,
            dict: z,
            set: z,
            frozenset: z,
            range: z,
            slice: z,
            function: z,
            builtin_function: z,
            method: z,
            module: z,
            cell: z,
            generator: z,
            coroutine: z,
            async_generator: z,
            async_generator_asend: z,
            async_generator_athrow: z,
            coroutine_wrapper: z,
            property: z,
            staticmethod: z,
            classmethod: z,
            super_: z,
            list_iterator: z,
            tuple_iterator: z,
            range_iterator: z,
            str_iterator: z,
            bytes_iterator: z,
            dict_keyiterator: z,
            dict_valueiterator: z,
            dict_itemiterator: z,
            set_iterator: z,
            list_reverseiterator: z,
            dict_keys: z,
            dict_values: z,
            dict_items: z,
            dict_reversekeyiterator: z,
            dict_reversevalueiterator: z,
            dict_reverseitemiterator: z,
            enumerate: z,
            zip: z,
            map: z,
            filter: z,
            reversed: z,
            callable_iterator: z,
            seq_iterator: z,
            exceptions: Vec::new(),
            empty_tuple: Value::None,
        }
    }

    /// The class of a built-in exception kind.
    #[inline]
    pub fn exc(&self, kind: ExcKind) -> ObjRef {
        self.exceptions[kind as usize]
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        let all = [
            self.object,
            self.type_,
            self.none,
            self.not_implemented,
            self.ellipsis,
            self.bool_,
            self.int,
            self.float,
            self.str_,
            self.bytes,
            self.bytearray,
            self.list,
            self.tuple,
            self.dict,
            self.set,
            self.frozenset,
            self.range,
            self.slice,
            self.function,
            self.builtin_function,
            self.method,
            self.module,
            self.cell,
            self.generator,
            self.coroutine,
            self.async_generator,
            self.async_generator_asend,
            self.async_generator_athrow,
            self.coroutine_wrapper,
            self.property,
            self.staticmethod,
            self.classmethod,
            self.super_,
            self.list_iterator,
            self.tuple_iterator,
            self.range_iterator,
            self.str_iterator,
            self.bytes_iterator,
            self.dict_keyiterator,
            self.dict_valueiterator,
            self.dict_itemiterator,
            self.set_iterator,
            self.list_reverseiterator,
            self.dict_keys,
            self.dict_values,
            self.dict_items,
            self.dict_reversekeyiterator,
            self.dict_reversevalueiterator,
            self.dict_reverseitemiterator,
            self.enumerate,
            self.zip,
            self.map,
            self.filter,
            self.reversed,
            self.callable_iterator,
            self.seq_iterator,
        ];
        all.iter().for_each(|&r| f(Value::Obj(r)));
        self.exceptions.iter().for_each(|&r| f(Value::Obj(r)));
        f(self.empty_tuple);
    }
}

impl Vm {
    /// Creates a class object with the given bases (C3 MRO computed here).
    pub fn new_class(&mut self, name: &str, bases: &[ObjRef], layout: Layout) -> ObjRef {
        let name_v = Value::Obj(self.intern(name));
        let module = Value::Obj(self.intern("builtins"));
        let mro = if bases.is_empty() {
            Vec::new()
        } else {
            self.compute_mro(bases).unwrap_or_else(|| bases.to_vec())
        };
        let cls = self.heap.alloc(Object::Class(Box::new(Class {
            name: name_v,
            qualname: name_v,
            module,
            bases: bases.to_vec(),
            mro: Vec::new(),
            dict: Dict::new(),
            layout,
            version: 0,
            meta: None,
        })));
        let mut full = vec![cls];
        full.extend(mro);
        if let Object::Class(c) = self.heap.get_mut(cls) {
            c.mro = full;
        }
        cls
    }

    /// C3 linearisation of `bases` (without the class itself); None when no
    /// consistent order exists.
    pub fn compute_mro(&self, bases: &[ObjRef]) -> Option<Vec<ObjRef>> {
        // Single inheritance: the merge is the base's own MRO.
        if let [b] = bases {
            if let Object::Class(c) = self.heap.get(*b) {
                return Some(c.mro.clone());
            }
        }
        let mut seqs: Vec<Vec<ObjRef>> = bases
            .iter()
            .map(|&b| match self.heap.get(b) {
                Object::Class(c) => c.mro.clone(),
                _ => vec![b],
            })
            .collect();
        seqs.push(bases.to_vec());
        let mut out = Vec::new();
        loop {
            seqs.retain(|s| !s.is_empty());
            if seqs.is_empty() {
                return Some(out);
            }
            let candidate = seqs
                .iter()
                .map(|s| s[0])
                .find(|&c| seqs.iter().all(|s| !s[1..].contains(&c)))?;
            out.push(candidate);
            for s in seqs.iter_mut() {
                if s[0] == candidate {
                    s.remove(0);
                }
            }
        }
    }

    /// The class of any value.
    #[inline]
    pub fn class_of(&self, v: Value) -> ObjRef {
        let t = &self.types;
        match v {
            Value::None | Value::Unbound => t.none,
            Value::NotImplemented => t.not_implemented,
            Value::Ellipsis => t.ellipsis,
            Value::Bool(_) => t.bool_,
            Value::Int(_) => t.int,
            Value::Float(_) => t.float,
            Value::Obj(r) => match self.heap.get(r) {
                _ if self.heap.has_ext(r) => self.heap.ext(r).map_or(t.object, |e| e.class),
                Object::Instance(i) => i.class,
                Object::Str(_) => t.str_,
                Object::List(_) => t.list,
                Object::Tuple(_) => t.tuple,
                Object::Dict(_) => t.dict,
                Object::BigInt(_) => t.int,
                Object::Function(_) => t.function,
                Object::Builtin(_) => t.builtin_function,
                Object::BoundMethod(_) => t.method,
                Object::Class(c) => c.meta.unwrap_or(t.type_),
                Object::Bytes(_) => t.bytes,
                Object::ByteArray(_) => t.bytearray,
                Object::Set(_, k) => match k {
                    super::object::SetKind::Set => t.set,
                    super::object::SetKind::FrozenSet => t.frozenset,
                },
                Object::Range(_) | Object::BigRange(_) => t.range,
                Object::DictView(_, kind) => match kind {
                    super::object::DictIterKind::Keys => t.dict_keys,
                    super::object::DictIterKind::Values => t.dict_values,
                    super::object::DictIterKind::Items => t.dict_items,
                },
                Object::Slice(_) => t.slice,
                Object::Module(_) => t.module,
                Object::Cell(_) => t.cell,
                Object::Generator(g) => match g.kind {
                    crate::bytecode::CodeKind::Coroutine => t.coroutine,
                    crate::bytecode::CodeKind::AsyncGenerator => t.async_generator,
                    _ => t.generator,
                },
                Object::GenOp(op) => match op.kind {
                    super::object::GenOpKind::ASend(_) => t.async_generator_asend,
                    super::object::GenOpKind::AThrow(_) | super::object::GenOpKind::AClose => {
                        t.async_generator_athrow
                    }
                    super::object::GenOpKind::Await => t.coroutine_wrapper,
                },
                Object::Iter(it) => match &**it {
                    Iter::Seq { seq, .. } => match seq {
                        Value::Obj(s) if matches!(self.heap.get(*s), Object::Tuple(_)) => {
                            t.tuple_iterator
                        }
                        _ => t.list_iterator,
                    },
                    Iter::Range { .. } => t.range_iterator,
                    Iter::Str { .. } => t.str_iterator,
                    Iter::Bytes { .. } => t.bytes_iterator,
                    Iter::Dict { kind, reverse, .. } => {
                        use super::object::DictIterKind as K;
                        match (kind, reverse) {
                            (K::Keys, false) => t.dict_keyiterator,
                            (K::Values, false) => t.dict_valueiterator,
                            (K::Items, false) => t.dict_itemiterator,
                            (K::Keys, true) => t.dict_reversekeyiterator,
                            (K::Values, true) => t.dict_reversevalueiterator,
                            (K::Items, true) => t.dict_reverseitemiterator,
                        }
                    }
                    Iter::Set { .. } => t.set_iterator,
                    Iter::Enumerate { .. } => t.enumerate,
                    Iter::Zip { .. } => t.zip,
                    Iter::Map { .. } => t.map,
                    Iter::Filter { .. } => t.filter,
                    Iter::Reversed { seq, .. } => match seq {
                        Value::Obj(s) if matches!(self.heap.get(*s), Object::List(_)) => {
                            t.list_reverseiterator
                        }
                        _ => t.reversed,
                    },
                    Iter::Callable { .. } | Iter::Exhausted => t.callable_iterator,
                    Iter::GetItem { .. } => t.seq_iterator,
                },
                Object::Property(_) => t.property,
                Object::StaticMethod(_) => t.staticmethod,
                Object::ClassMethod(_) => t.classmethod,
                Object::Super(..) => t.super_,
                Object::Native(n) => n.class(),
            },
        }
    }

    /// Is `cls` the class `base` or a subclass of it?
    pub fn is_subclass(&self, cls: ObjRef, base: ObjRef) -> bool {
        if cls == base {
            return true;
        }
        match self.heap.get(cls) {
            Object::Class(c) => c.mro.contains(&base),
            _ => false,
        }
    }

    /// `isinstance(v, cls)` for a single class.
    #[inline]
    pub fn is_instance(&self, v: Value, cls: ObjRef) -> bool {
        self.is_subclass(self.class_of(v), cls)
    }
}

/// Creates every built-in class. Methods are installed later by `stdlib`.
pub(crate) fn init(vm: &mut Vm) {
    let object = vm.new_class("object", &[], Layout::Object);
    vm.types.object = object;
    let b = |vm: &mut Vm, name: &str| vm.new_class(name, &[object], Layout::Builtin);
    vm.types.type_ = b(vm, "type");
    vm.types.none = b(vm, "NoneType");
    vm.types.not_implemented = b(vm, "NotImplementedType");
    vm.types.ellipsis = b(vm, "ellipsis");
    vm.types.int = b(vm, "int");
    let int = vm.types.int;
    vm.types.bool_ = vm.new_class("bool", &[int], Layout::Builtin);
    vm.types.float = b(vm, "float");
    vm.types.str_ = b(vm, "str");
    vm.types.bytes = b(vm, "bytes");
    vm.types.bytearray = b(vm, "bytearray");
    vm.types.list = b(vm, "list");
    vm.types.tuple = b(vm, "tuple");
    vm.types.dict = b(vm, "dict");
    vm.types.set = b(vm, "set");
    vm.types.frozenset = b(vm, "frozenset");
    vm.types.range = b(vm, "range");
    vm.types.slice = b(vm, "slice");
    vm.types.function = b(vm, "function");
    vm.types.builtin_function = b(vm, "builtin_function_or_method");
    vm.types.method = b(vm, "method");
    vm.types.module = b(vm, "module");
    vm.types.cell = b(vm, "cell");
    vm.types.generator = b(vm, "generator");
    vm.types.coroutine = b(vm, "coroutine");
    vm.types.async_generator = b(vm, "async_generator");
    vm.types.async_generator_asend = b(vm, "async_generator_asend");
    vm.types.async_generator_athrow = b(vm, "async_generator_athrow");
    vm.types.coroutine_wrapper = b(vm, "coroutine_wrapper");
    vm.types.property = b(vm, "property");
    vm.types.staticmethod = b(vm, "staticmethod");
    vm.types.classmethod = b(vm, "classmethod");
    vm.types.super_ = b(vm, "super");
    vm.types.list_iterator = b(vm, "list_iterator");
    vm.types.tuple_iterator = b(vm, "tuple_iterator");
    vm.types.range_iterator = b(vm, "range_iterator");
    vm.types.str_iterator = b(vm, "str_ascii_iterator");
    vm.types.bytes_iterator = b(vm, "bytes_iterator");
    vm.types.dict_keyiterator = b(vm, "dict_keyiterator");
    vm.types.dict_valueiterator = b(vm, "dict_valueiterator");
    vm.types.dict_itemiterator = b(vm, "dict_itemiterator");
    vm.types.set_iterator = b(vm, "set_iterator");
    vm.types.list_reverseiterator = b(vm, "list_reverseiterator");
    vm.types.dict_keys = b(vm, "dict_keys");
    vm.types.dict_values = b(vm, "dict_values");
    vm.types.dict_items = b(vm, "dict_items");
    vm.types.dict_reversekeyiterator = b(vm, "dict_reversekeyiterator");
    vm.types.dict_reversevalueiterator = b(vm, "dict_reversevalueiterator");
    vm.types.dict_reverseitemiterator = b(vm, "dict_reverseitemiterator");
    vm.types.enumerate = b(vm, "enumerate");
    vm.types.zip = b(vm, "zip");
    vm.types.map = b(vm, "map");
    vm.types.filter = b(vm, "filter");
    vm.types.reversed = b(vm, "reversed");
    vm.types.callable_iterator = b(vm, "callable_iterator");
    vm.types.seq_iterator = b(vm, "iterator");
    vm.types.empty_tuple = vm.alloc(Object::Tuple(Box::new([])));
    exceptions::init(vm);
}
