//! Arithmetic and comparison operators.
//!
//! `fast_binary`/`fast_compare` handle int and float operands inline for the
//! dispatch loop; everything else goes through `binary_op`, which knows the
//! built-in numeric, sequence and string cases and otherwise dispatches to
//! `__add__`/`__radd__` and friends, as Python does.

use crate::bytecode::{BinaryOp, CompareOp, Instr};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Object, StrObj};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

/// Int/float fast paths; None means "take the general path".
#[inline(always)]
pub fn fast_binary(op: BinaryOp, a: Value, b: Value) -> Option<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => match op {
            BinaryOp::Add => x.checked_add(y).map(Value::Int),
            BinaryOp::Sub => x.checked_sub(y).map(Value::Int),
            BinaryOp::Mul => x.checked_mul(y).map(Value::Int),
            BinaryOp::Mod if y > 0 => Some(Value::Int(x.rem_euclid(y))),
            BinaryOp::FloorDiv if y > 0 => Some(Value::Int(x.div_euclid(y))),
            BinaryOp::And => Some(Value::Int(x & y)),
            BinaryOp::Or => Some(Value::Int(x | y)),
            BinaryOp::Xor => Some(Value::Int(x ^ y)),
            BinaryOp::TrueDiv if y != 0 => Some(Value::Float(int_true_div(x, y))),
            _ => None,
        },
        (Value::Float(x), Value::Float(y)) => float_op(op, x, y),
        (Value::Float(x), Value::Int(y)) => float_op(op, x, y as f64),
        (Value::Int(x), Value::Float(y)) => float_op(op, x as f64, y),
        _ => None,
    }
}

#[inline(always)]
fn float_op(op: BinaryOp, x: f64, y: f64) -> Option<Value> {
    match op {
        BinaryOp::Add => Some(Value::Float(x + y)),
        BinaryOp::Sub => Some(Value::Float(x - y)),
        BinaryOp::Mul => Some(Value::Float(x * y)),
        BinaryOp::TrueDiv if y != 0.0 => Some(Value::Float(x / y)),
        _ => None,
    }
}

/// Correctly rounded int / int for values exactly representable as f64.
fn int_true_div(x: i64, y: i64) -> f64 {
    const LIMIT: i64 = 1 << 53;
    if x.abs() <= LIMIT && y.abs() <= LIMIT {
        x as f64 / y as f64
    } else {
        big_true_div(&BigInt::from(x), &BigInt::from(y)).unwrap_or(f64::INFINITY)
    }
}

/// `x / y` correctly rounded (half to even, subnormals included), as
/// CPython's `long_true_divide`; None when the result overflows a float.
/// `y` is not zero.
fn big_true_div(x: &BigInt, y: &BigInt) -> Option<f64> {
    let negative = x.is_negative() != y.is_negative();
    let (a, b) = (x.abs(), y.abs());
    if a.is_zero() {
        return Some(if negative { -0.0 } else { 0.0 });
    }
    // Scale so the integer quotient has at least 55 bits: q = a*2**s / b.
    let s = 56 - (a.bits() as i64 - b.bits() as i64);
    let (num, den) = if s >= 0 {
        (a << s as usize, b)
    } else {
        (a, b << (-s) as usize)
    };
    let (q, r) = num.div_rem(&den);
    let msb = q.bits() as i64 - 1 - s;
    if msb > 1023 {
        return None;
    }
    let lsb = (msb - 52).max(-1074);
    let drop = (lsb + s) as usize;
    let mant: BigInt = &q >> drop;
    let rest: BigInt = &q - (&mant << drop);
    let half = BigInt::from(1) << (drop - 1);
    let up = rest > half || (rest == half && (!r.is_zero() || mant.is_odd()));
    let mant = (if up { mant + 1 } else { mant }).to_u64()?;
    if mant >> 53 != 0 && lsb + 53 > 1023 {
        return None;
    }
    let mut f = mant as f64;
    let mut e = lsb;
    while e < 0 {
        let step = e.max(-1000);
        f *= 2f64.powi(step as i32);
        e -= step;
    }
    while e > 0 {
        let step = e.min(1000);
        f *= 2f64.powi(step as i32);
        e -= step;
    }
    Some(if negative { -f } else { f })
}

/// Int/float comparison fast paths.
#[inline(always)]
pub fn fast_compare(op: CompareOp, a: Value, b: Value) -> Option<bool> {
    let (x, y) = match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            return Some(match op {
                CompareOp::Lt => x < y,
                CompareOp::Le => x <= y,
                CompareOp::Eq => x == y,
                CompareOp::Ne => x != y,
                CompareOp::Gt => x > y,
                CompareOp::Ge => x >= y,
                CompareOp::Is => x == y,
                CompareOp::IsNot => x != y,
                _ => return None,
            })
        }
        (Value::Float(x), Value::Float(y)) => (x, y),
        (Value::Float(x), Value::Int(y)) if y.unsigned_abs() < (1 << 53) => (x, y as f64),
        (Value::Int(x), Value::Float(y)) if x.unsigned_abs() < (1 << 53) => (x as f64, y),
        _ => {
            return match op {
                CompareOp::Is => Some(a.is(b)),
                CompareOp::IsNot => Some(!a.is(b)),
                _ => None,
            }
        }
    };
    Some(match op {
        CompareOp::Lt => x < y,
        CompareOp::Le => x <= y,
        CompareOp::Eq => x == y,
        CompareOp::Ne => x != y,
        CompareOp::Gt => x > y,
        CompareOp::Ge => x >= y,
        _ => return None,
    })
}

/// A number as a big integer (for ints, bools and big ints).
pub(crate) fn to_bigint(vm: &Vm, v: Value) -> Option<BigInt> {
    match v {
        Value::Int(i) => Some(BigInt::from(i)),
        Value::Bool(b) => Some(BigInt::from(b as i64)),
        Value::Obj(r) => match vm.heap.get(r) {
            Object::BigInt(b) => Some((**b).clone()),
            _ => None,
        },
        _ => None,
    }
}

/// A number as f64, if it is an int, bool or float.
pub(crate) fn to_f64(vm: &Vm, v: Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(i as f64),
        Value::Bool(b) => Some(b as i64 as f64),
        Value::Float(f) => Some(f),
        Value::Obj(r) => match vm.heap.get(r) {
            Object::BigInt(b) => Some(b.to_f64().unwrap_or(if b.is_negative() {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })),
            _ => None,
        },
        _ => None,
    }
}

fn dunder_names(op: BinaryOp) -> (&'static str, &'static str, &'static str) {
    match op {
        BinaryOp::Add => ("__add__", "__radd__", "__iadd__"),
        BinaryOp::Sub => ("__sub__", "__rsub__", "__isub__"),
        BinaryOp::Mul => ("__mul__", "__rmul__", "__imul__"),
        BinaryOp::MatMul => ("__matmul__", "__rmatmul__", "__imatmul__"),
        BinaryOp::TrueDiv => ("__truediv__", "__rtruediv__", "__itruediv__"),
        BinaryOp::FloorDiv => ("__floordiv__", "__rfloordiv__", "__ifloordiv__"),
        BinaryOp::Mod => ("__mod__", "__rmod__", "__imod__"),
        BinaryOp::Pow => ("__pow__", "__rpow__", "__ipow__"),
        BinaryOp::LShift => ("__lshift__", "__rlshift__", "__ilshift__"),
        BinaryOp::RShift => ("__rshift__", "__rrshift__", "__irshift__"),
        BinaryOp::And => ("__and__", "__rand__", "__iand__"),
        BinaryOp::Or => ("__or__", "__ror__", "__ior__"),
        BinaryOp::Xor => ("__xor__", "__rxor__", "__ixor__"),
    }
}

/// The operator symbol used in TypeError messages.
pub fn op_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::MatMul => "@",
        BinaryOp::TrueDiv => "/",
        BinaryOp::FloorDiv => "//",
        BinaryOp::Mod => "%",
        BinaryOp::Pow => "** or pow()",
        BinaryOp::LShift => "<<",
        BinaryOp::RShift => ">>",
        BinaryOp::And => "&",
        BinaryOp::Or => "|",
        BinaryOp::Xor => "^",
    }
}

impl Vm {
    /// A big integer value, normalised to `Value::Int` when it fits.
    pub fn new_bigint(&mut self, b: BigInt) -> Value {
        match b.to_i64() {
            Some(i) => Value::Int(i),
            None => self.alloc(Object::BigInt(Box::new(b))),
        }
    }

    /// `a op b` for every operand type.
    pub fn binary_op(&mut self, a: Value, b: Value, op: BinaryOp) -> PyResult<Value> {
        if let (BinaryOp::Add, Value::Obj(x), Value::Obj(y)) = (op, a, b) {
            // `str + str` (exact strs: a subclass may define `__add__`).
            if !self.heap.has_ext(x) && !self.heap.has_ext(y) {
                if let (Object::Str(s), Object::Str(t)) = (self.heap.get(x), self.heap.get(y)) {
                    let joined = StrObj::concat(s, t);
                    return Ok(self.alloc(Object::Str(joined)));
                }
            }
        }
        if self.has_user_binary(a, b, op) {
            return self.dunder_binary(a, b, op, false);
        }
        if let Some(v) = self.builtin_binary(a, b, op)? {
            return Ok(v);
        }
        self.dunder_binary(a, b, op, false)
    }

    /// `a op= b`: `__iop__` first, then the binary operator.
    pub fn inplace_op(&mut self, a: Value, b: Value, op: BinaryOp) -> PyResult<Value> {
        if op == BinaryOp::Add {
            if let Some(v) = self.bytearray_iadd(a, b)? {
                return Ok(v);
            }
        }
        if let Value::Obj(r) = a {
            if matches!(
                op,
                BinaryOp::Or | BinaryOp::And | BinaryOp::Sub | BinaryOp::Xor
            ) {
                if let Some(v) = crate::stdlib::dict_views::inplace_operator(self, a, b, op)? {
                    return Ok(v);
                }
            }
            // Lists extend in place (unless a subclass says otherwise).
            if op == BinaryOp::Add && !self.user_overrides(a, "__iadd__") {
                if let Object::List(_) = self.heap.get(r) {
                    if let Value::Obj(br) = b {
                        if !matches!(self.heap.get(br), Object::List(_) | Object::Tuple(_)) {
                            self.list_extend(a, b)?;
                            return Ok(a);
                        }
                    }
                    self.list_extend(a, b)?;
                    return Ok(a);
                }
            }
            // Mutable built-in sequences repeat in place (`__imul__`).
            let builtin_imul = op == BinaryOp::Mul
                && matches!(self.heap.get(r), Object::List(_) | Object::ByteArray(_));
            if matches!(self.heap.get(r), Object::Instance(_) | Object::Native(_))
                || self.heap.has_ext(r)
                || builtin_imul
            {
                let (_, _, iname) = dunder_names(op);
                let m = match self.operator_method(a, iname) {
                    None if builtin_imul => self.lookup_special(a, iname),
                    m => m,
                };
                if let Some(m) = m {
                    let v = self.call(m, &[b], &[])?;
                    if !matches!(v, Value::NotImplemented) {
                        return Ok(v);
                    }
                }
            }
        }
        if self.has_user_binary(a, b, op) {
            return self.dunder_binary(a, b, op, true);
        }
        if let Some(v) = self.builtin_binary(a, b, op)? {
            return Ok(v);
        }
        self.dunder_binary(a, b, op, true)
    }

    /// A special method for operator dispatch: a built-in subclass
    /// instance only uses methods a user class defines.
    fn operator_method(&mut self, v: Value, name: &str) -> Option<Value> {
        match v {
            Value::Obj(r) if self.heap.has_ext(r) => self.ext_override(v, name),
            _ => self.lookup_special(v, name),
        }
    }

    fn dunder_binary(
        &mut self,
        a: Value,
        b: Value,
        op: BinaryOp,
        inplace: bool,
    ) -> PyResult<Value> {
        let (name, rname, _) = dunder_names(op);
        let ca = self.class_of(a);
        let cb = self.class_of(b);
        let a_user = self.is_user_value(a);
        let b_user = self.is_user_value(b);
        // A subclass's reflected method goes first.
        let rfirst = b_user && ca != cb && self.is_subclass(cb, ca);
        if rfirst {
            if let Some(m) = self.operator_method(b, rname) {
                let v = self.call(m, &[a], &[])?;
                if !matches!(v, Value::NotImplemented) {
                    return Ok(v);
                }
            }
        }
        if a_user {
            if let Some(m) = self.operator_method(a, name) {
                let v = self.call(m, &[b], &[])?;
                if !matches!(v, Value::NotImplemented) {
                    return Ok(v);
                }
            }
        }
        if b_user && !rfirst && ca != cb {
            if let Some(m) = self.operator_method(b, rname) {
                let v = self.call(m, &[a], &[])?;
                if !matches!(v, Value::NotImplemented) {
                    return Ok(v);
                }
            }
        }
        if self.heap_has_ext(a) || self.heap_has_ext(b) {
            // Built-in subclass instances without a (successful) override
            // behave as their built-in type.
            if let Some(v) = self.builtin_binary(a, b, op)? {
                return Ok(v);
            }
        }
        let (ta, tb) = (self.type_name(a), self.type_name(b));
        let is_seq = |vm: &Vm, v: Value| matches!(v, Value::Obj(r) if matches!(vm.heap.get(r), Object::Str(_) | Object::List(_) | Object::Tuple(_) | Object::Bytes(_)));
        let repeat = op == BinaryOp::Mul && (is_seq(self, a) || is_seq(self, b));
        let msg = if repeat {
            let other = if is_seq(self, a) { tb } else { ta };
            format!("can't multiply sequence by non-int of type '{other}'")
        } else if op == BinaryOp::Add && ta == "str" {
            format!("can only concatenate str (not \"{tb}\") to str")
        } else if op == BinaryOp::Add && (ta == "list" || ta == "tuple") && ta != tb {
            format!("can only concatenate {ta} (not \"{tb}\") to {ta}")
        } else {
            let sym = if inplace {
                format!("{}=", op_symbol(op))
            } else {
                op_symbol(op).to_string()
            };
            let sym = if op == BinaryOp::Pow && inplace {
                "**=".to_string()
            } else {
                sym
            };
            format!("unsupported operand type(s) for {sym}: '{ta}' and '{tb}'")
        };
        Err(self.type_error(msg))
    }

    /// Is this value an instance of a user class (which may define dunders)?
    /// Classes count: `type` defines `__or__` (`int | None`).
    fn is_user_value(&self, v: Value) -> bool {
        match v {
            Value::Obj(r) => {
                self.heap.has_ext(r)
                    || matches!(
                        self.heap.get(r),
                        Object::Instance(_) | Object::Native(_) | Object::Class(_)
                    )
            }
            _ => false,
        }
    }

    fn heap_has_ext(&self, v: Value) -> bool {
        matches!(v, Value::Obj(r) if self.heap.has_ext(r))
    }

    /// Does a built-in subclass operand define this operator itself?
    fn has_user_binary(&self, a: Value, b: Value, op: BinaryOp) -> bool {
        if !self.heap_has_ext(a) && !self.heap_has_ext(b) {
            return false;
        }
        let (name, rname, _) = dunder_names(op);
        self.user_overrides(a, name) || self.user_overrides(b, rname)
    }

    /// Built-in operand combinations; None if not applicable.
    fn builtin_binary(&mut self, a: Value, b: Value, op: BinaryOp) -> PyResult<Option<Value>> {
        // Numbers.
        let a_num = matches!(a, Value::Int(_) | Value::Bool(_) | Value::Float(_))
            || matches!(a, Value::Obj(r) if matches!(self.heap.get(r), Object::BigInt(_)));
        let b_num = matches!(b, Value::Int(_) | Value::Bool(_) | Value::Float(_))
            || matches!(b, Value::Obj(r) if matches!(self.heap.get(r), Object::BigInt(_)));
        if a_num && b_num {
            let is_float = matches!(a, Value::Float(_)) || matches!(b, Value::Float(_));
            if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
                match op {
                    BinaryOp::And => return Ok(Some(Value::Bool(x & y))),
                    BinaryOp::Or => return Ok(Some(Value::Bool(x | y))),
                    BinaryOp::Xor => return Ok(Some(Value::Bool(x ^ y))),
                    _ => {}
                }
            }
            let float_op = matches!(
                op,
                BinaryOp::Add
                    | BinaryOp::Sub
                    | BinaryOp::Mul
                    | BinaryOp::TrueDiv
                    | BinaryOp::FloorDiv
                    | BinaryOp::Mod
                    | BinaryOp::Pow
            );
            if is_float && !float_op {
                return Ok(None);
            }
            return if is_float {
                let (x, y) = (self.operand_f64(a)?, self.operand_f64(b)?);
                self.float_binary(op, x, y).map(Some)
            } else {
                let (x, y) = (to_bigint(self, a).unwrap(), to_bigint(self, b).unwrap());
                self.int_binary(op, x, y).map(Some)
            };
        }
        super::seq_ops::sequence_binary(self, a, b, op)
    }

    /// A number operand of float arithmetic as f64 (OverflowError for an
    /// int beyond the float range).
    fn operand_f64(&mut self, v: Value) -> PyResult<f64> {
        match to_f64(self, v) {
            Some(f) if f.is_finite() || matches!(v, Value::Float(_)) => Ok(f),
            _ => Err(self.new_error(ExcKind::OverflowError, "int too large to convert to float")),
        }
    }

    /// Float arithmetic with Python's semantics.
    pub fn float_binary(&mut self, op: BinaryOp, x: f64, y: f64) -> PyResult<Value> {
        Ok(Value::Float(match op {
            BinaryOp::Add => x + y,
            BinaryOp::Sub => x - y,
            BinaryOp::Mul => x * y,
            BinaryOp::TrueDiv => {
                if y == 0.0 {
                    return Err(
                        self.new_error(ExcKind::ZeroDivisionError, "float division by zero")
                    );
                }
                x / y
            }
            BinaryOp::FloorDiv => {
                if y == 0.0 {
                    return Err(
                        self.new_error(ExcKind::ZeroDivisionError, "float floor division by zero")
                    );
                }
                float_divmod(x, y).0
            }
            BinaryOp::Mod => {
                if y == 0.0 {
                    return Err(self.new_error(ExcKind::ZeroDivisionError, "float modulo"));
                }
                float_divmod(x, y).1
            }
            BinaryOp::Pow => return self.float_pow(x, y),
            _ => {
                let msg = format!(
                    "unsupported operand type(s) for {}: 'float' and 'float'",
                    op_symbol(op)
                );
                return Err(self.type_error(msg));
            }
        }))
    }

    fn float_pow(&mut self, x: f64, y: f64) -> PyResult<Value> {
        if x == 0.0 && y < 0.0 {
            return Err(self.new_error(
                ExcKind::ZeroDivisionError,
                "0.0 cannot be raised to a negative power",
            ));
        }
        if x < 0.0 && y.fract() != 0.0 && y.is_finite() {
            return Err(self.value_error(
                "complex numbers are not supported (negative number to a fractional power)",
            ));
        }
        let r = x.powf(y);
        if r.is_infinite() && x.is_finite() && y.is_finite() {
            return Err(self.new_error(
                ExcKind::OverflowError,
                "(34, 'Numerical result out of range')",
            ));
        }
        Ok(Value::Float(r))
    }

    /// Integer arithmetic on big integers (results normalised).
    pub fn int_binary(&mut self, op: BinaryOp, x: BigInt, y: BigInt) -> PyResult<Value> {
        let r = match op {
            BinaryOp::Add => x + y,
            BinaryOp::Sub => x - y,
            BinaryOp::Mul => x * y,
            BinaryOp::TrueDiv => {
                if y.is_zero() {
                    return Err(self.new_error(ExcKind::ZeroDivisionError, "division by zero"));
                }
                return match big_true_div(&x, &y) {
                    Some(f) => Ok(Value::Float(f)),
                    None => Err(self.new_error(
                        ExcKind::OverflowError,
                        "integer division result too large for a float",
                    )),
                };
            }
            BinaryOp::FloorDiv => {
                if y.is_zero() {
                    return Err(self.new_error(
                        ExcKind::ZeroDivisionError,
                        "integer division or modulo by zero",
                    ));
                }
                x.div_floor(&y)
            }
            BinaryOp::Mod => {
                if y.is_zero() {
                    return Err(
                        self.new_error(ExcKind::ZeroDivisionError, "integer modulo by zero")
                    );
                }
                x.mod_floor(&y)
            }
            BinaryOp::Pow => {
                if y.is_negative() {
                    if x.is_zero() {
                        return Err(self.new_error(
                            ExcKind::ZeroDivisionError,
                            "0.0 cannot be raised to a negative power",
                        ));
                    }
                    let (xf, yf) = (
                        x.to_f64().unwrap_or(f64::INFINITY),
                        y.to_f64().unwrap_or(f64::NEG_INFINITY),
                    );
                    return self.float_pow(xf, yf);
                }
                let Some(e) = y.to_u32() else {
                    if x.abs() <= BigInt::from(1) {
                        let r = if x.is_negative() && y.is_odd() {
                            x
                        } else {
                            x.abs()
                        };
                        return Ok(self.new_bigint(r));
                    }
                    return Err(self.new_error(ExcKind::MemoryError, ""));
                };
                if x.bits() as u128 * e as u128 > 64 * 1024 * 1024 * 8 {
                    return Err(self.new_error(ExcKind::MemoryError, ""));
                }
                num_traits::pow(x, e as usize)
            }
            BinaryOp::LShift => {
                if y.is_negative() {
                    return Err(self.value_error("negative shift count"));
                }
                let Some(s) = y.to_usize() else {
                    return Err(
                        self.new_error(ExcKind::OverflowError, "too many digits in integer")
                    );
                };
                if s > 1 << 30 {
                    return Err(self.new_error(ExcKind::MemoryError, ""));
                }
                x << s
            }
            BinaryOp::RShift => {
                if y.is_negative() {
                    return Err(self.value_error("negative shift count"));
                }
                let s = y.to_usize().unwrap_or(usize::MAX).min(1 << 40);
                if s as u64 > x.bits() {
                    if x.is_negative() {
                        BigInt::from(-1)
                    } else {
                        BigInt::zero()
                    }
                } else {
                    x >> s
                }
            }
            BinaryOp::And => x & y,
            BinaryOp::Or => x | y,
            BinaryOp::Xor => x ^ y,
            BinaryOp::MatMul => {
                return Err(self.type_error("unsupported operand type(s) for @: 'int' and 'int'"))
            }
        };
        Ok(self.new_bigint(r))
    }

    /// Unary `-`, `+`, `~`.
    pub fn unary_op(&mut self, v: Value, op: Instr) -> PyResult<Value> {
        let (name, sym) = match op {
            Instr::UnaryNegative => ("__neg__", "-"),
            Instr::UnaryPositive => ("__pos__", "+"),
            _ => ("__invert__", "~"),
        };
        match v {
            Value::Float(f) => match op {
                Instr::UnaryNegative => return Ok(Value::Float(-f)),
                Instr::UnaryPositive => return Ok(v),
                _ => {}
            },
            Value::Int(_) | Value::Bool(_) => {
                let x = to_bigint(self, v).unwrap();
                let r = match op {
                    Instr::UnaryNegative => -x,
                    Instr::UnaryPositive => x,
                    _ => !x,
                };
                return Ok(self.new_bigint(r));
            }
            Value::Obj(r) => {
                if let Object::BigInt(b) = self.heap.get(r) {
                    let x = (**b).clone();
                    let r = match op {
                        Instr::UnaryNegative => -x,
                        Instr::UnaryPositive => x,
                        _ => !x,
                    };
                    return Ok(self.new_bigint(r));
                }
                if let Some(m) = self.lookup_special(v, name) {
                    return self.call(m, &[], &[]);
                }
            }
            _ => {}
        }
        let msg = format!("bad operand type for unary {sym}: '{}'", self.type_name(v));
        Err(self.type_error(msg))
    }
}

/// Python's float divmod: the remainder has the sign of the divisor.
pub fn float_divmod(x: f64, y: f64) -> (f64, f64) {
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(x / y)
    };
    (floordiv, m)
}
