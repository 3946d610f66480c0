//! The operator methods of `int`, `bool` and `float` (`int.__add__`,
//! `(5).__rsub__`, `(2.5).__lt__`, ...), for code that calls them by name.
//!
//! The dispatch loop never calls these: it computes number operators
//! natively. Each method is one instantiation of a const-generic function
//! (number kind, operator index, reflected?), so the tables below are all
//! the code there is. A method returns NotImplemented for operands of other
//! types, as CPython's do.

use super::builtins::add_method;
use super::builtins_numeric::{is_int, number_divmod, pow3};
use crate::bytecode::{BinaryOp, CompareOp};
use crate::vm::object::NativeFn;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

/// Receiver kinds.
const INT: u8 = 0;
const FLOAT: u8 = 1;
const BOOL: u8 = 2;

/// Binary operators: (operator, method, reflected method).
const OPS: [(BinaryOp, &str, &str); 12] = [
    (BinaryOp::Add, "__add__", "__radd__"),
    (BinaryOp::Sub, "__sub__", "__rsub__"),
    (BinaryOp::Mul, "__mul__", "__rmul__"),
    (BinaryOp::TrueDiv, "__truediv__", "__rtruediv__"),
    (BinaryOp::FloorDiv, "__floordiv__", "__rfloordiv__"),
    (BinaryOp::Mod, "__mod__", "__rmod__"),
    (BinaryOp::Pow, "__pow__", "__rpow__"),
    (BinaryOp::LShift, "__lshift__", "__rlshift__"),
    (BinaryOp::RShift, "__rshift__", "__rrshift__"),
    (BinaryOp::And, "__and__", "__rand__"),
    (BinaryOp::Or, "__or__", "__ror__"),
    (BinaryOp::Xor, "__xor__", "__rxor__"),
];

/// Rich comparisons: (operator, method).
const CMPS: [(CompareOp, &str); 6] = [
    (CompareOp::Eq, "__eq__"),
    (CompareOp::Ne, "__ne__"),
    (CompareOp::Lt, "__lt__"),
    (CompareOp::Le, "__le__"),
    (CompareOp::Gt, "__gt__"),
    (CompareOp::Ge, "__ge__"),
];

pub fn install(vm: &mut Vm) {
    let (int, float, bool_) = (vm.types.int, vm.types.float, vm.types.bool_);
    macro_rules! binops {
        ($cls:expr, $kind:expr; $($i:literal),*) => {
            $(
                add_method(vm, $cls, OPS[$i].1, binop::<$kind, $i, false>);
                add_method(vm, $cls, OPS[$i].2, binop::<$kind, $i, true>);
            )*
        };
    }
    binops!(int, INT; 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    binops!(float, FLOAT; 0, 1, 2, 3, 4, 5, 6);
    binops!(bool_, BOOL; 9, 10, 11);
    macro_rules! cmps {
        ($cls:expr, $kind:expr; $($i:literal),*) => {
            $( add_method(vm, $cls, CMPS[$i].1, compare::<$kind, $i>); )*
        };
    }
    cmps!(int, INT; 0, 1, 2, 3, 4, 5);
    cmps!(float, FLOAT; 0, 1, 2, 3, 4, 5);
    let divmods: [(ObjRef, &'static str, NativeFn); 4] = [
        (int, "__divmod__", divmod::<INT, false>),
        (int, "__rdivmod__", divmod::<INT, true>),
        (float, "__divmod__", divmod::<FLOAT, false>),
        (float, "__rdivmod__", divmod::<FLOAT, true>),
    ];
    for (cls, name, f) in divmods {
        add_method(vm, cls, name, f);
    }
}

/// The receiver of a number method, checked against the method's type.
fn receiver<const KIND: u8>(vm: &mut Vm, args: &[Value], name: &str) -> PyResult<Value> {
    let tname = kind_name(KIND);
    let Some(&v) = args.first() else {
        return Err(vm.type_error(format!("unbound method {tname}.{name}() needs an argument")));
    };
    if !accepts::<KIND>(vm, v) {
        let msg = format!(
            "descriptor '{name}' requires a '{tname}' object but received a '{}'",
            vm.type_name(v)
        );
        return Err(vm.type_error(msg));
    }
    Ok(v)
}

fn kind_name(kind: u8) -> &'static str {
    match kind {
        INT => "int",
        FLOAT => "float",
        _ => "bool",
    }
}

/// Is `v` a value of the method's own type?
fn accepts<const KIND: u8>(vm: &Vm, v: Value) -> bool {
    match KIND {
        INT => is_int(vm, v),
        FLOAT => matches!(v, Value::Float(_)),
        _ => matches!(v, Value::Bool(_)),
    }
}

/// Can a method of this kind combine with `other` (else NotImplemented)?
fn operand_ok<const KIND: u8>(vm: &Vm, other: Value) -> bool {
    match KIND {
        FLOAT => is_int(vm, other) || matches!(other, Value::Float(_)),
        _ => is_int(vm, other),
    }
}

/// Between `min` and `max` arguments after the receiver (method-wrapper
/// wording).
fn check_count(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
    min: usize,
    max: usize,
) -> PyResult<()> {
    if !kw.is_empty() {
        return Err(vm.type_error("wrapper takes no keyword arguments"));
    }
    let n = args.len().saturating_sub(1);
    if n < min || n > max {
        let want = if n < min { min } else { max };
        let s = if want == 1 { "" } else { "s" };
        return Err(vm.type_error(format!("expected {want} argument{s}, got {n}")));
    }
    Ok(())
}

fn binop<const KIND: u8, const OP: usize, const REFL: bool>(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    let (op, name, rname) = OPS[OP];
    let this = receiver::<KIND>(vm, args, if REFL { rname } else { name })?;
    let max = if op == BinaryOp::Pow { 2 } else { 1 };
    check_count(vm, args, kw, 1, max)?;
    let other = args[1];
    if !operand_ok::<KIND>(vm, other) {
        return Ok(Value::NotImplemented);
    }
    let (a, b) = if REFL { (other, this) } else { (this, other) };
    match args.get(2) {
        Some(&m) if !m.is_none() => {
            if KIND == INT && !is_int(vm, m) {
                return Ok(Value::NotImplemented);
            }
            pow3(vm, a, b, m)
        }
        _ => vm.binary_op(a, b, op),
    }
}

fn compare<const KIND: u8, const OP: usize>(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    let (op, name) = CMPS[OP];
    let this = receiver::<KIND>(vm, args, name)?;
    check_count(vm, args, kw, 1, 1)?;
    if !operand_ok::<KIND>(vm, args[1]) {
        return Ok(Value::NotImplemented);
    }
    vm.compare_op(this, args[1], op)
}

fn divmod<const KIND: u8, const REFL: bool>(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    let name = if REFL { "__rdivmod__" } else { "__divmod__" };
    let this = receiver::<KIND>(vm, args, name)?;
    check_count(vm, args, kw, 1, 1)?;
    if !operand_ok::<KIND>(vm, args[1]) {
        return Ok(Value::NotImplemented);
    }
    let (a, b) = if REFL {
        (args[1], this)
    } else {
        (this, args[1])
    };
    Ok(number_divmod(vm, a, b)?.unwrap_or(Value::NotImplemented))
}
