//! Ranges whose bounds do not fit in i64 (`range(10 ** 20)`), stored as
//! `Object::BigRange`, and the arithmetic shared by both kinds of range
//! (`Bounds`): length, indexing, membership and slicing on big integers,
//! as CPython's `rangeobject.c` computes them.
//!
//! Invariant: a range whose start, stop and step all fit in i64 is always
//! an `Object::Range`; [`new_range`] picks the representation.

use crate::vm::exceptions::ExcKind;
use crate::vm::object::{BigRange, Object, Range};
use crate::vm::ops::arith::to_bigint;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// The start, stop and step of any range, as big integers.
#[derive(Clone, Debug)]
pub struct Bounds {
    pub start: BigInt,
    pub stop: BigInt,
    pub step: BigInt,
}

impl Bounds {
    /// The number of elements (CPython's `compute_range_length`).
    pub fn len(&self) -> BigInt {
        let (lo, hi, step) = if self.step.is_positive() {
            (&self.start, &self.stop, self.step.clone())
        } else {
            (&self.stop, &self.start, -&self.step)
        };
        if lo >= hi {
            return BigInt::zero();
        }
        (hi - lo - BigInt::one()) / step + BigInt::one()
    }

    /// The element at index `i` (0 <= i < len).
    pub fn at(&self, i: &BigInt) -> BigInt {
        &self.start + i * &self.step
    }

    /// The index of `x`, if it is an element.
    pub fn position(&self, x: &BigInt) -> Option<BigInt> {
        let (q, r) = (x - &self.start).div_rem(&self.step);
        (r.is_zero() && !q.is_negative() && q < self.len()).then_some(q)
    }
}

/// The bounds of a range value of either kind.
pub fn bounds(vm: &Vm, v: Value) -> Option<Bounds> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Range(rg) => Some(Bounds {
                start: rg.start.into(),
                stop: rg.stop.into(),
                step: rg.step.into(),
            }),
            Object::BigRange(b) => Some(Bounds {
                start: b.start.clone(),
                stop: b.stop.clone(),
                step: b.step.clone(),
            }),
            _ => None,
        },
        _ => None,
    }
}

/// A range value, small when its bounds fit in i64.
pub fn new_range(vm: &mut Vm, b: Bounds) -> Value {
    if let (Some(start), Some(stop), Some(step)) =
        (b.start.to_i64(), b.stop.to_i64(), b.step.to_i64())
    {
        return vm.alloc(Object::Range(Box::new(Range { start, stop, step })));
    }
    vm.alloc(Object::BigRange(Box::new(BigRange {
        start: b.start,
        stop: b.stop,
        step: b.step,
    })))
}

/// An int-like value (int, bool, `__index__`) as a big integer.
pub fn index_big(vm: &mut Vm, v: Value) -> PyResult<Option<BigInt>> {
    if let Some(b) = to_bigint(vm, v) {
        return Ok(Some(b));
    }
    if matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Instance(_))) {
        if let Some(m) = vm.lookup_special(v, "__index__") {
            let r = vm.call(m, &[], &[])?;
            return match to_bigint(vm, r) {
                Some(b) => Ok(Some(b)),
                None => {
                    let msg = format!("__index__ returned non-int (type {})", vm.type_name(r));
                    Err(vm.type_error(msg))
                }
            };
        }
    }
    Ok(None)
}

/// `range(...)` from its (already unpacked) arguments.
pub fn construct(vm: &mut Vm, args: &[Value]) -> PyResult<Value> {
    if let Some(r) = small_range(args) {
        return Ok(vm.alloc(Object::Range(Box::new(r))));
    }
    let mut parts = Vec::with_capacity(3);
    for &a in args {
        match index_big(vm, a)? {
            Some(b) => parts.push(b),
            None => {
                let msg = format!(
                    "'{}' object cannot be interpreted as an integer",
                    vm.type_name(a)
                );
                return Err(vm.type_error(msg));
            }
        }
    }
    let b = match parts.len() {
        1 => Bounds {
            start: BigInt::zero(),
            stop: parts.pop().unwrap_or_default(),
            step: BigInt::one(),
        },
        2 => {
            let stop = parts.pop().unwrap_or_default();
            Bounds {
                start: parts.pop().unwrap_or_default(),
                stop,
                step: BigInt::one(),
            }
        }
        _ => {
            let step = parts.pop().unwrap_or_default();
            let stop = parts.pop().unwrap_or_default();
            Bounds {
                start: parts.pop().unwrap_or_default(),
                stop,
                step,
            }
        }
    };
    if b.step.is_zero() {
        return Err(vm.value_error("range() arg 3 must not be zero"));
    }
    Ok(new_range(vm, b))
}

/// The common case of `range(...)`: every argument a plain int and a
/// non-zero step, so no big integers are needed.
fn small_range(args: &[Value]) -> Option<Range> {
    let (start, stop, step) = match *args {
        [Value::Int(stop)] => (0, stop, 1),
        [Value::Int(start), Value::Int(stop)] => (start, stop, 1),
        [Value::Int(start), Value::Int(stop), Value::Int(step)] if step != 0 => (start, stop, step),
        _ => return None,
    };
    Some(Range { start, stop, step })
}

/// A big integer as a value.
pub fn big_value(vm: &mut Vm, b: BigInt) -> Value {
    vm.new_bigint(b)
}

/// `len(r)` for a big range: OverflowError when it does not fit.
pub fn len_usize(vm: &mut Vm, b: &Bounds) -> PyResult<usize> {
    match b.len().to_i64() {
        Some(n) => Ok(n as usize),
        None => Err(vm.new_error(
            ExcKind::OverflowError,
            "Python int too large to convert to C ssize_t",
        )),
    }
}

/// `r[key]` for a big range (index or slice).
pub fn getitem(vm: &mut Vm, b: &Bounds, key: Value) -> PyResult<Value> {
    if let Some(parts) = match key {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Slice(p) => Some(**p),
            _ => None,
        },
        _ => None,
    } {
        let sliced = slice(vm, b, parts)?;
        return Ok(new_range(vm, sliced));
    }
    let Some(i) = index_big(vm, key)? else {
        let msg = format!(
            "range indices must be integers or slices, not {}",
            vm.type_name(key)
        );
        return Err(vm.type_error(msg));
    };
    let len = b.len();
    let i = if i.is_negative() { i + &len } else { i };
    if i.is_negative() || i >= len {
        return Err(vm.new_error(ExcKind::IndexError, "range object index out of range"));
    }
    let v = b.at(&i);
    Ok(big_value(vm, v))
}

/// A slice of a range (CPython's `compute_slice` with
/// `_PySlice_GetLongIndices`).
fn slice(vm: &mut Vm, b: &Bounds, parts: [Value; 3]) -> PyResult<Bounds> {
    let len = b.len();
    let opt = |vm: &mut Vm, v: Value| -> PyResult<Option<BigInt>> {
        if v.is_none() {
            return Ok(None);
        }
        match index_big(vm, v)? {
            Some(x) => Ok(Some(x)),
            None => Err(
                vm.type_error("slice indices must be integers or None or have an __index__ method")
            ),
        }
    };
    let step = opt(vm, parts[2])?.unwrap_or_else(BigInt::one);
    if step.is_zero() {
        return Err(vm.value_error("slice step cannot be zero"));
    }
    let (lower, upper) = if step.is_negative() {
        (-BigInt::one(), &len - BigInt::one())
    } else {
        (BigInt::zero(), len.clone())
    };
    let clamp = |x: BigInt| -> BigInt {
        let x = if x.is_negative() { x + &len } else { x };
        if x < lower {
            lower.clone()
        } else if x > upper {
            upper.clone()
        } else {
            x
        }
    };
    let start = match opt(vm, parts[0])? {
        Some(x) => clamp(x),
        None if step.is_negative() => upper.clone(),
        None => lower.clone(),
    };
    let stop = match opt(vm, parts[1])? {
        Some(x) => clamp(x),
        None if step.is_negative() => lower.clone(),
        None => upper.clone(),
    };
    Ok(Bounds {
        start: b.at(&start),
        stop: b.at(&stop),
        step: &b.step * step,
    })
}

/// `x in r` for an int `x`.
pub fn contains_int(b: &Bounds, x: &BigInt) -> bool {
    b.position(x).is_some()
}

/// `repr(r)`.
pub fn repr(b: &Bounds) -> String {
    if b.step.is_one() {
        format!("range({}, {})", b.start, b.stop)
    } else {
        format!("range({}, {}, {})", b.start, b.stop, b.step)
    }
}

/// Range equality: same elements (CPython's `range_equals`).
pub fn equal(a: &Bounds, b: &Bounds) -> bool {
    let (la, lb) = (a.len(), b.len());
    if la != lb {
        return false;
    }
    if la.is_zero() {
        return true;
    }
    if a.start != b.start {
        return false;
    }
    la.is_one() || a.step == b.step
}

/// The values hashed for a range: `(len, start, step)` with None for the
/// parts that do not matter (CPython's `range_hash`).
pub fn hash_parts(vm: &mut Vm, b: &Bounds) -> [Value; 3] {
    let len = b.len();
    let n = big_value(vm, len.clone());
    if len.is_zero() {
        return [n, Value::None, Value::None];
    }
    let start = big_value(vm, b.start.clone());
    if len.is_one() {
        return [n, start, Value::None];
    }
    let step = big_value(vm, b.step.clone());
    [n, start, step]
}
