//! Hashing, equality, ordering and truth.
//!
//! Hashes follow CPython for numbers (so `hash(1) == hash(1.0) == hash(True)`
//! and `hash(-1) == -2`); strings use the VM's own string hash. Equality of
//! built-in values is computed natively; instances go through `__eq__`.

use super::arith::{fast_compare, to_bigint};
use crate::bytecode::CompareOp;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{string::hash_bytes, DictIterKind, Object, SetKind};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

const MODULUS: u64 = (1 << 61) - 1;

/// CPython's hash of an integer.
pub fn hash_int(i: i64) -> i64 {
    let m = (i.unsigned_abs() % MODULUS) as i64;
    let h = if i < 0 { -m } else { m };
    if h == -1 {
        -2
    } else {
        h
    }
}

fn hash_bigint(b: &BigInt) -> i64 {
    let m = (b.abs() % BigInt::from(MODULUS)).to_i64().unwrap_or(0);
    let h = if b.is_negative() { -m } else { m };
    if h == -1 {
        -2
    } else {
        h
    }
}

/// Exact comparison of an integer with a float (None if the float is NaN).
pub fn int_float_cmp(i: &BigInt, f: f64) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering;
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    if let Some(small) = i.to_i64() {
        if small.unsigned_abs() < (1 << 53) {
            return (small as f64).partial_cmp(&f);
        }
    }
    // f = ±mant * 2**exp exactly; scale both sides to integers.
    let bits = f.abs().to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64;
    let frac = (bits & ((1 << 52) - 1)) as i64;
    let (mant, exp) = if e == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), e - 1075)
    };
    let mut m = BigInt::from(mant);
    if f < 0.0 {
        m = -m;
    }
    Some(if exp >= 0 {
        i.cmp(&(m << exp as usize))
    } else {
        (i << (-exp) as usize).cmp(&m)
    })
}

/// CPython's hash of a float.
pub fn hash_float(f: f64) -> i64 {
    if f.is_nan() {
        return 0;
    }
    if f.is_infinite() {
        return if f > 0.0 { 314159 } else { -314159 };
    }
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        return hash_int(f as i64);
    }
    let (mut m, mut e) = frexp(f.abs());
    let sign = if f < 0.0 { -1i64 } else { 1 };
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (61 - 28));
        m *= 268435456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 {
        e % 61
    } else {
        61 - 1 - ((-1 - e) % 61)
    };
    x = ((x << e) & MODULUS) | (x >> (61 - e));
    let h = x as i64 * sign;
    if h == -1 {
        -2
    } else {
        h
    }
}

fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 {
        return (0.0, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        let (m, e) = frexp(x * (1u64 << 54) as f64);
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

impl Vm {
    /// `hash(v)`; TypeError for unhashable values.
    #[inline]
    pub fn hash_value(&mut self, v: Value) -> PyResult<i64> {
        // The usual keys first, without the general function's frame.
        match v {
            Value::Int(i) => return Ok(hash_int(i)),
            Value::Obj(r) if !self.heap.has_ext(r) => {
                if let Object::Str(s) = self.heap.get(r) {
                    return Ok(s.hash());
                }
            }
            _ => {}
        }
        self.hash_value_general(v)
    }

    /// [`Vm::hash_value`] for every kind of value.
    fn hash_value_general(&mut self, v: Value) -> PyResult<i64> {
        match v {
            Value::Int(i) => Ok(hash_int(i)),
            Value::Bool(b) => Ok(b as i64),
            Value::Float(f) => Ok(hash_float(f)),
            Value::None => Ok(0x5f3759df),
            Value::Ellipsis => Ok(0x2b992ddf),
            Value::NotImplemented => Ok(0x1e8d0a1b),
            Value::Unbound => Ok(0),
            Value::Obj(r) => {
                match self.heap.get(r) {
                    _ if self.user_overrides(v, "__hash__") => return self.hash_via_dunder(v, r),
                    Object::Str(s) => return Ok(s.hash()),
                    Object::BigInt(b) => return Ok(hash_bigint(b)),
                    Object::Bytes(b) => return Ok(hash_bytes(b)),
                    Object::Tuple(items) => {
                        let items = items.to_vec();
                        return self.hash_tuple(&items);
                    }
                    Object::Set(_, SetKind::FrozenSet) => return Ok(self.frozenset_hash(v)),
                    Object::Range(rg) => {
                        let parts = crate::stdlib::range_methods::range_hash_parts(rg);
                        return self.hash_tuple(&parts);
                    }
                    Object::BigRange(_) => {
                        use crate::stdlib::big_range;
                        let b = big_range::bounds(self, v).unwrap_or_else(|| unreachable!());
                        let parts = big_range::hash_parts(self, &b);
                        return self.hash_tuple(&parts);
                    }
                    Object::List(_)
                    | Object::Dict(_)
                    | Object::Set(_, SetKind::Set)
                    | Object::ByteArray(_)
                    | Object::DictView(_, DictIterKind::Keys | DictIterKind::Items)
                    | Object::Slice(_) => {
                        let msg = format!("unhashable type: '{}'", self.type_name(v));
                        return Err(self.type_error(msg));
                    }
                    Object::Instance(_) | Object::Native(_) => return self.hash_via_dunder(v, r),
                    _ => {}
                }
                Ok((r.index() as i64) << 4 | 0x5)
            }
        }
    }

    /// The hash of a user object: its class's `__hash__` (None: unhashable),
    /// or identity.
    fn hash_via_dunder(&mut self, v: Value, r: crate::vm::ObjRef) -> PyResult<i64> {
        let cls = self.class_of(v);
        if let Some(h) = self.class_lookup(cls, "__hash__") {
            if h.is_none() {
                let msg = format!("unhashable type: '{}'", self.type_name(v));
                return Err(self.type_error(msg));
            }
            if !h.is(self.object_hash) {
                let r = self.call(h, &[v], &[])?;
                return match r {
                    Value::Int(i) => Ok(if i == -1 { -2 } else { i }),
                    Value::Bool(b) => Ok(b as i64),
                    _ => match to_bigint(self, r) {
                        Some(b) => Ok(hash_bigint(&b)),
                        None => Err(self.type_error("__hash__ method should return an integer")),
                    },
                };
            }
        }
        Ok((r.index() as i64) << 4 | 0x5)
    }

    fn hash_tuple(&mut self, items: &[Value]) -> PyResult<i64> {
        const P1: u64 = 11400714785074694791;
        const P2: u64 = 14029467366897019727;
        const P5: u64 = 2870177450012600261;
        let mut acc: u64 = P5;
        for &it in items {
            let lane = self.hash_value(it)? as u64;
            acc = acc.wrapping_add(lane.wrapping_mul(P2));
            acc = acc.rotate_left(31);
            acc = acc.wrapping_mul(P1);
        }
        acc = acc.wrapping_add((items.len() as u64) ^ (P5 ^ 3527539));
        let h = acc as i64;
        Ok(if h == -1 { 1546275796 } else { h })
    }

    /// `a == b` as a Rust bool.
    pub fn eq(&mut self, a: Value, b: Value) -> PyResult<bool> {
        if let Some(r) = self.native_eq(a, b) {
            return Ok(r);
        }
        let v = self.compare_op(a, b, CompareOp::Eq)?;
        self.truthy(v)
    }

    /// Equality decidable without calling aspy code; None if it needs
    /// `__eq__` (or compares containers holding such values).
    pub fn native_eq(&self, a: Value, b: Value) -> Option<bool> {
        if let Some(r) = fast_compare(CompareOp::Eq, a, b) {
            return Some(r);
        }
        match (a, b) {
            (Value::None, Value::None) => Some(true),
            (Value::Bool(x), Value::Bool(y)) => Some(x == y),
            (Value::Bool(x), Value::Int(y)) | (Value::Int(y), Value::Bool(x)) => {
                Some(x as i64 == y)
            }
            (Value::Bool(x), Value::Float(y)) | (Value::Float(y), Value::Bool(x)) => {
                Some(x as i64 as f64 == y)
            }
            (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
                Some(int_float_cmp(&BigInt::from(x), y) == Some(std::cmp::Ordering::Equal))
            }
            (Value::Obj(x), Value::Obj(y)) => {
                if x == y {
                    // Identity implies equality except for NaN-like objects.
                    return Some(true);
                }
                match (self.heap.get(x), self.heap.get(y)) {
                    // A str subclass may define `__eq__`.
                    (Object::Str(_), Object::Str(_))
                        if self.user_overrides(a, "__eq__") || self.user_overrides(b, "__eq__") =>
                    {
                        None
                    }
                    (Object::Str(s), Object::Str(t)) => Some(s.as_str() == t.as_str()),
                    (Object::BigInt(s), Object::BigInt(t)) => Some(s == t),
                    (Object::Bytes(s), Object::Bytes(t)) => Some(s == t),
                    (
                        Object::Bytes(_) | Object::ByteArray(_),
                        Object::Bytes(_) | Object::ByteArray(_),
                    ) => Some(self.as_bytes(a) == self.as_bytes(b)),
                    (Object::Tuple(s), Object::Tuple(t)) => self.native_seq_eq(s, t),
                    (Object::List(s), Object::List(t)) => self.native_seq_eq(s, t),
                    (Object::Slice(s), Object::Slice(t)) => self.native_seq_eq(&s[..], &t[..]),
                    (Object::Instance(_), _) | (_, Object::Instance(_)) => None,
                    (Object::Native(_), _) | (_, Object::Native(_)) => None,
                    (Object::Dict(_), Object::Dict(_)) | (Object::Set(..), Object::Set(..)) => None,
                    (Object::DictView(..), Object::DictView(..) | Object::Set(..))
                    | (Object::Set(..), Object::DictView(..)) => None,
                    (Object::BigRange(_), Object::Range(_) | Object::BigRange(_))
                    | (Object::Range(_), Object::BigRange(_)) => {
                        use crate::stdlib::big_range::{bounds, equal};
                        Some(equal(&bounds(self, a)?, &bounds(self, b)?))
                    }
                    (Object::Range(p), Object::Range(q)) => Some(
                        (p.is_empty() && q.is_empty())
                            || (p.len() == q.len()
                                && p.start == q.start
                                && (p.len() == 1 || p.step == q.step)),
                    ),
                    (Object::BoundMethod(p), Object::BoundMethod(q)) => {
                        Some(p.func == q.func && p.receiver.is(q.receiver))
                    }
                    _ => Some(false),
                }
            }
            (Value::Obj(x), other) | (other, Value::Obj(x)) => match self.heap.get(x) {
                Object::BigInt(b) => match other {
                    Value::Float(f) => Some(int_float_cmp(b, f) == Some(std::cmp::Ordering::Equal)),
                    // Only an int subclass instance can equal a small int.
                    Value::Int(i) => Some(**b == BigInt::from(i)),
                    Value::Bool(t) => Some(**b == BigInt::from(t as i64)),
                    _ => Some(false),
                },
                Object::Instance(_) | Object::Native(_) => None,
                _ => Some(false),
            },
            _ => Some(a.is(b)),
        }
    }

    fn native_seq_eq(&self, s: &[Value], t: &[Value]) -> Option<bool> {
        if s.len() != t.len() {
            return Some(false);
        }
        for (&p, &q) in s.iter().zip(t.iter()) {
            if !p.is(q) && !self.native_eq(p, q)? {
                return Some(false);
            }
        }
        Some(true)
    }

    /// Compare two strings (or anything) by text, for namespace lookups.
    pub(crate) fn values_eq_str(&self, a: Value, b: Value) -> bool {
        match (self.as_str(a), self.as_str(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
    }

    /// Truth value (`bool(v)`).
    pub fn truthy(&mut self, v: Value) -> PyResult<bool> {
        Ok(match v {
            Value::Bool(b) => b,
            Value::None | Value::Unbound => false,
            Value::Int(i) => i != 0,
            Value::Float(f) => f != 0.0,
            Value::NotImplemented | Value::Ellipsis => true,
            Value::Obj(r) => match self.heap.get(r) {
                _ if self.user_overrides(v, "__bool__") || self.user_overrides(v, "__len__") => {
                    return self.truthy_via_dunder(v)
                }
                Object::Str(s) => !s.as_str().is_empty(),
                Object::List(l) => !l.is_empty(),
                Object::Tuple(t) => !t.is_empty(),
                Object::Dict(d) => !d.is_empty(),
                Object::Set(t, _) => !t.is_empty(),
                Object::DictView(..) => self.container_len(v) != 0,
                Object::Bytes(b) => !b.is_empty(),
                Object::ByteArray(b) => !b.is_empty(),
                Object::BigInt(_) => true,
                Object::Range(rg) => !rg.is_empty(),
                Object::BigRange(_) => crate::stdlib::big_range::bounds(self, v)
                    .is_some_and(|b| !num_traits::Zero::is_zero(&b.len())),
                Object::Native(n) if n.native_len().is_some() => n.native_len() != Some(0),
                Object::Instance(_) | Object::Native(_) => return self.truthy_via_dunder(v),
                Object::Class(c) if c.meta.is_some() => return self.truthy_via_dunder(v),
                _ => true,
            },
        })
    }

    /// Truth through `__bool__`, then `__len__`.
    fn truthy_via_dunder(&mut self, v: Value) -> PyResult<bool> {
        if let Some(m) = self.lookup_special(v, "__bool__") {
            let r = self.call(m, &[], &[])?;
            return match r {
                Value::Bool(b) => Ok(b),
                _ => {
                    let msg = format!(
                        "__bool__ should return bool, returned {}",
                        self.type_name(r)
                    );
                    Err(self.type_error(msg))
                }
            };
        }
        if let Some(m) = self.lookup_special(v, "__len__") {
            let n = self.call(m, &[], &[])?;
            return Ok(!matches!(n, Value::Int(0) | Value::Bool(false)));
        }
        Ok(true)
    }

    /// A rich comparison or `is`/`in` test.
    pub fn compare_op(&mut self, a: Value, b: Value, op: CompareOp) -> PyResult<Value> {
        match op {
            CompareOp::Is => return Ok(Value::Bool(a.is(b))),
            CompareOp::IsNot => return Ok(Value::Bool(!a.is(b))),
            CompareOp::In => return self.contains(b, a).map(Value::Bool),
            CompareOp::NotIn => return self.contains(b, a).map(|r| Value::Bool(!r)),
            _ => {}
        }
        if let Some(r) = fast_compare(op, a, b) {
            return Ok(Value::Bool(r));
        }
        super::compare::rich_compare(self, a, b, op)
    }

    /// `a < b` as a Rust bool (for sorting, min, max).
    pub fn lt(&mut self, a: Value, b: Value) -> PyResult<bool> {
        if let Some(r) = fast_compare(CompareOp::Lt, a, b) {
            return Ok(r);
        }
        let v = super::compare::rich_compare(self, a, b, CompareOp::Lt)?;
        self.truthy(v)
    }

    /// Compares two numbers of any built-in numeric type.
    pub(crate) fn numeric_cmp(&self, a: Value, b: Value) -> Option<std::cmp::Ordering> {
        match (a, b) {
            (Value::Float(x), Value::Float(y)) => x.partial_cmp(&y),
            (Value::Float(x), _) => {
                let y = to_bigint(self, b)?;
                int_float_cmp(&y, x).map(std::cmp::Ordering::reverse)
            }
            (_, Value::Float(y)) => int_float_cmp(&to_bigint(self, a)?, y),
            _ => {
                let (x, y) = (to_bigint(self, a)?, to_bigint(self, b)?);
                Some(x.cmp(&y))
            }
        }
    }

    /// `needle in container`.
    pub fn contains(&mut self, container: Value, needle: Value) -> PyResult<bool> {
        let overridden = self.user_overrides(container, "__contains__");
        if let (Value::Obj(r), false) = (container, overridden) {
            match self.heap.get(r) {
                Object::Str(s) => {
                    return match self.as_str(needle) {
                        Some(n) => Ok(s.as_str().contains(n)),
                        None => {
                            let msg = format!(
                                "'in <string>' requires string as left operand, not {}",
                                self.type_name(needle)
                            );
                            Err(self.type_error(msg))
                        }
                    }
                }
                Object::Dict(_) => {
                    return Ok(self.dict_lookup(container, needle)?.is_some());
                }
                Object::Set(..) => return self.set_contains(container, needle),
                Object::DictView(..) => {
                    return crate::stdlib::dict_views::view_contains(self, container, needle)
                }
                Object::List(_) | Object::Tuple(_) => {
                    let mut i = 0;
                    loop {
                        let item = match self.seq_items(container) {
                            Some(items) if i < items.len() => items[i],
                            _ => return Ok(false),
                        };
                        if item.is(needle) || self.eq(item, needle)? {
                            return Ok(true);
                        }
                        i += 1;
                    }
                }
                Object::Range(_) | Object::BigRange(_) => {
                    return crate::stdlib::range_methods::contains_value(self, container, needle);
                }
                Object::Bytes(_) | Object::ByteArray(_) => {
                    let hay = self.as_bytes(container).unwrap_or(&[]);
                    if let Some(n) = self.as_bytes(needle) {
                        return Ok(memchr::memmem::find(hay, n).is_some());
                    }
                    return match self.to_index(needle)? {
                        Some(x) if (0..256).contains(&x) => {
                            let hay = self.as_bytes(container).unwrap_or(&[]);
                            Ok(hay.contains(&(x as u8)))
                        }
                        Some(_) => Err(self.value_error("byte must be in range(0, 256)")),
                        None => {
                            let msg = format!(
                                "a bytes-like object is required, not '{}'",
                                self.type_name(needle)
                            );
                            Err(self.type_error(msg))
                        }
                    };
                }
                _ => {}
            }
        }
        if let Some(m) = self.lookup_special(container, "__contains__") {
            let r = self.call(m, &[needle], &[])?;
            return self.truthy(r);
        }
        // Fall back to iteration.
        let it = match self.get_iter(container) {
            Ok(it) => it,
            Err(_) => {
                let msg = format!(
                    "argument of type '{}' is not iterable",
                    self.type_name(container)
                );
                return Err(self.type_error(msg));
            }
        };
        self.temp_roots.push(it);
        let result = loop {
            match self.iter_next(it) {
                Ok(Some(x)) => match self.eq(x, needle) {
                    Ok(true) => break Ok(true),
                    Ok(false) => {}
                    Err(e) => break Err(e),
                },
                Ok(None) => break Ok(false),
                Err(e) => break Err(e),
            }
        };
        self.temp_roots.pop();
        let _ = ExcKind::TypeError;
        result
    }
}
