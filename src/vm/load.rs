//! Loading compiled code into a VM: constants become values, names become
//! interned strings. The resulting [`VmCode`] is shared by every function
//! and frame made from it.

use super::object::{Object, VmCode, NOT_INLINE};
use super::value::Value;
use super::Vm;
use crate::bytecode::{Code, CodeKind, Const};
use std::rc::Rc;

pub fn load_code(vm: &mut Vm, code: &Rc<Code>) -> Rc<VmCode> {
    let consts = code.consts.iter().map(|c| const_value(vm, c)).collect();
    let names = code
        .names
        .iter()
        .map(|n| Value::Obj(vm.intern(n)))
        .collect();
    let children = code.children.iter().map(|c| load_code(vm, c)).collect();
    let simple = code.kind == CodeKind::Function
        && code.kwonlyargcount == 0
        && !code.varargs
        && !code.varkeywords
        && code.cell_slots.is_empty()
        && code.nfree == 0;
    let inline_argc = if simple { code.argcount } else { NOT_INLINE };
    let global_cache = (0..code.names.len()).map(|_| Default::default()).collect();
    let attr_cache = (0..code.names.len()).map(|_| Default::default()).collect();
    Rc::new(VmCode {
        code: code.clone(),
        instrs: super::fuse::fuse(&code.instrs),
        consts,
        names,
        children,
        nslots: code.nslots() as u32,
        frame_size: (code.nslots() + code.max_stack as usize) as u32,
        inline_argc,
        global_cache,
        attr_cache,
    })
}

fn const_value(vm: &mut Vm, c: &Const) -> Value {
    match c {
        Const::None => Value::None,
        Const::Bool(b) => Value::Bool(*b),
        Const::Ellipsis => Value::Ellipsis,
        Const::Int(i) => Value::Int(*i),
        Const::BigInt(b) => vm.new_bigint((**b).clone()),
        Const::Float(f) => Value::Float(*f),
        Const::Str(s) => {
            // Short identifier-like strings are interned, as CPython does.
            if s.len() <= 40 && s.chars().all(|c| c.is_alphanumeric() || c == '_') {
                Value::Obj(vm.intern(s))
            } else {
                vm.new_str(&**s)
            }
        }
        Const::Bytes(b) => vm.alloc(Object::Bytes(b.to_vec().into_boxed_slice())),
        Const::Tuple(items) => {
            let vals = items.iter().map(|c| const_value(vm, c)).collect();
            vm.new_tuple(vals)
        }
        Const::FrozenSet(items) => {
            let vals: Vec<Value> = items.iter().map(|c| const_value(vm, c)).collect();
            vm.with_roots(&vals, |vm| frozenset_const(vm, &vals))
        }
    }
}

/// The frozenset constant of a set display, laid out as CPython's: built
/// from the elements in source order, then rebuilt from that set's slot
/// order when the compiler merges constants (`merge_consts_recursive`).
fn frozenset_const(vm: &mut Vm, vals: &[Value]) -> Value {
    use super::object::SetKind;
    let first = vm
        .new_set_of(vals, SetKind::FrozenSet)
        .unwrap_or(Value::None);
    let slots = vm.set_slots(first);
    let rebuilt = vm.new_set(SetKind::FrozenSet);
    for s in slots {
        // Constants hash and compare without running aspy code.
        let _ = vm.set_add_hashed(rebuilt, s.key, s.hash);
    }
    rebuilt
}
