//! The continuous distributions of `random.Random`, written as CPython's
//! `random.py` writes them (same draws in the same order, same float
//! operations), so seeded programs print the same values.

use super::args::to_f64;
use super::random::{method_args, rng};
use crate::bytecode::BinaryOp;
use crate::vm::exceptions::ExcKind;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};
use std::f64::consts::{E, PI};

const TWOPI: f64 = 2.0 * PI;

fn nv_magicconst() -> f64 {
    4.0 * (-0.5f64).exp() / 2f64.sqrt()
}

fn sg_magicconst() -> f64 {
    1.0 + 4.5f64.ln()
}

/// The next `random()` of the generator `this`.
fn draw(vm: &mut Vm, this: Value) -> f64 {
    rng(vm, this).random()
}

/// `math.log(x)`: a domain error for x <= 0.
fn ln(vm: &mut Vm, x: f64) -> PyResult<f64> {
    if x <= 0.0 {
        return Err(vm.value_error("math domain error"));
    }
    Ok(x.ln())
}

/// `math.sqrt(x)`: a domain error for x < 0.
fn sqrt(vm: &mut Vm, x: f64) -> PyResult<f64> {
    if x < 0.0 {
        return Err(vm.value_error("math domain error"));
    }
    Ok(x.sqrt())
}

/// `math.exp(x)`: a range error on overflow.
fn exp(vm: &mut Vm, x: f64) -> PyResult<f64> {
    let r = x.exp();
    if r.is_infinite() && x.is_finite() {
        return Err(vm.new_error(ExcKind::OverflowError, "math range error"));
    }
    Ok(r)
}

/// Float division with Python's ZeroDivisionError.
fn div(vm: &mut Vm, x: f64, y: f64) -> PyResult<f64> {
    if y == 0.0 {
        return Err(vm.new_error(ExcKind::ZeroDivisionError, "float division by zero"));
    }
    Ok(x / y)
}

/// The float value of parameter `i` (or `default` when not given).
fn param(vm: &mut Vm, slots: &[Option<Value>], i: usize, default: f64) -> PyResult<f64> {
    match slots[i] {
        Some(v) => to_f64(vm, v),
        None => Ok(default),
    }
}

/// `uniform(a, b)`: `a + (b - a) * random()` with Python's arithmetic.
pub fn uniform(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "uniform", &["self", "a", "b"], 3, args, kw)?;
    let (a, b) = (s[1].unwrap_or(Value::None), s[2].unwrap_or(Value::None));
    if let (Value::Float(a), Value::Float(b)) = (a, b) {
        return Ok(Value::Float(a + (b - a) * draw(vm, this)));
    }
    let width = vm.binary_op(b, a, BinaryOp::Sub)?;
    vm.temp_roots.push(width);
    let r = Value::Float(draw(vm, this));
    let scaled = vm.binary_op(width, r, BinaryOp::Mul);
    vm.temp_roots.pop();
    let scaled = scaled?;
    vm.temp_roots.push(scaled);
    let out = vm.binary_op(a, scaled, BinaryOp::Add);
    vm.temp_roots.pop();
    out
}

/// `triangular(low=0.0, high=1.0, mode=None)`.
pub fn triangular(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(
        vm,
        "triangular",
        &["self", "low", "high", "mode"],
        1,
        args,
        kw,
    )?;
    let u = draw(vm, this);
    let mut low = param(vm, &s, 1, 0.0)?;
    let mut high = param(vm, &s, 2, 1.0)?;
    let mode = s[3].filter(|m| !m.is_none());
    let mut c = match mode {
        None => 0.5,
        Some(m) => {
            let m = to_f64(vm, m)?;
            if high - low == 0.0 {
                // (mode - low) / (high - low) raised ZeroDivisionError.
                return Ok(s[1].unwrap_or(Value::Float(0.0)));
            }
            (m - low) / (high - low)
        }
    };
    let mut u = u;
    if u > c {
        u = 1.0 - u;
        c = 1.0 - c;
        std::mem::swap(&mut low, &mut high);
    }
    let root = sqrt(vm, u * c)?;
    Ok(Value::Float(low + (high - low) * root))
}

/// One draw of the standard normal distribution by Kinderman and
/// Monahan's ratio method.
fn standard_normal(vm: &mut Vm, this: Value) -> PyResult<f64> {
    let magic = nv_magicconst();
    loop {
        let u1 = draw(vm, this);
        let u2 = 1.0 - draw(vm, this);
        let z = magic * (u1 - 0.5) / u2;
        let zz = z * z / 4.0;
        if zz <= -ln(vm, u2)? {
            return Ok(z);
        }
    }
}

/// `normalvariate(mu=0.0, sigma=1.0)`.
pub fn normalvariate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "normalvariate", &["self", "mu", "sigma"], 1, args, kw)?;
    let mu = param(vm, &s, 1, 0.0)?;
    let sigma = param(vm, &s, 2, 1.0)?;
    let z = standard_normal(vm, this)?;
    Ok(Value::Float(mu + z * sigma))
}

/// `lognormvariate(mu, sigma)`.
pub fn lognormvariate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "lognormvariate", &["self", "mu", "sigma"], 3, args, kw)?;
    let mu = param(vm, &s, 1, 0.0)?;
    let sigma = param(vm, &s, 2, 1.0)?;
    let z = standard_normal(vm, this)?;
    exp(vm, mu + z * sigma).map(Value::Float)
}

/// `gauss(mu=0.0, sigma=1.0)`: Box-Muller, keeping the second value of
/// each pair for the next call.
pub fn gauss(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "gauss", &["self", "mu", "sigma"], 1, args, kw)?;
    let mu = param(vm, &s, 1, 0.0)?;
    let sigma = param(vm, &s, 2, 1.0)?;
    let z = match rng(vm, this).gauss_next.take() {
        Some(z) => z,
        None => {
            let x2pi = draw(vm, this) * TWOPI;
            let u = draw(vm, this);
            let l = ln(vm, 1.0 - u)?;
            let g2rad = sqrt(vm, -2.0 * l)?;
            rng(vm, this).gauss_next = Some(x2pi.sin() * g2rad);
            x2pi.cos() * g2rad
        }
    };
    Ok(Value::Float(mu + z * sigma))
}

/// `expovariate(lambd)`.
pub fn expovariate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "expovariate", &["self", "lambd"], 2, args, kw)?;
    let lambd = param(vm, &s, 1, 1.0)?;
    let u = draw(vm, this);
    let l = ln(vm, 1.0 - u)?;
    div(vm, -l, lambd).map(Value::Float)
}

/// `vonmisesvariate(mu, kappa)`.
pub fn vonmisesvariate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "vonmisesvariate", &["self", "mu", "kappa"], 3, args, kw)?;
    let mu = param(vm, &s, 1, 0.0)?;
    let kappa = param(vm, &s, 2, 0.0)?;
    if kappa <= 1e-6 {
        return Ok(Value::Float(TWOPI * draw(vm, this)));
    }
    let half = 0.5 / kappa;
    let r = half + (1.0 + half * half).sqrt();
    let z = loop {
        let u1 = draw(vm, this);
        let z = (PI * u1).cos();
        let d = z / (r + z);
        let u2 = draw(vm, this);
        if u2 < 1.0 - d * d || u2 <= (1.0 - d) * exp(vm, d)? {
            break z;
        }
    };
    let q = 1.0 / r;
    let f = (q + z) / (1.0 + q * z);
    let u3 = draw(vm, this);
    let angle = if u3 > 0.5 {
        mu + f.acos()
    } else {
        mu - f.acos()
    };
    Ok(Value::Float(
        crate::vm::ops::arith::float_divmod(angle, TWOPI).1,
    ))
}

/// One draw of the gamma distribution (shape `alpha`, scale `beta`).
fn gamma_draw(vm: &mut Vm, this: Value, alpha: f64, beta: f64) -> PyResult<f64> {
    if alpha <= 0.0 || beta <= 0.0 {
        return Err(vm.value_error("gammavariate: alpha and beta must be > 0.0"));
    }
    if alpha > 1.0 {
        // Cheng's algorithm.
        let ainv = (2.0 * alpha - 1.0).sqrt();
        let bbb = alpha - 4f64.ln();
        let ccc = alpha + ainv;
        let sg = sg_magicconst();
        loop {
            let u1 = draw(vm, this);
            if !(1e-7 < u1 && u1 < 0.9999999) {
                continue;
            }
            let u2 = 1.0 - draw(vm, this);
            let v = ln(vm, u1 / (1.0 - u1))? / ainv;
            let x = alpha * exp(vm, v)?;
            let z = u1 * u1 * u2;
            let r = bbb + ccc * v - x;
            if r + sg - 4.5 * z >= 0.0 || r >= ln(vm, z)? {
                return Ok(x * beta);
            }
        }
    }
    if alpha == 1.0 {
        let u = draw(vm, this);
        let l = ln(vm, 1.0 - u)?;
        return Ok(-l * beta);
    }
    // alpha < 1: the algorithm of Ahrens and Dieter (GS).
    loop {
        let u = draw(vm, this);
        let b = (E + alpha) / E;
        let p = b * u;
        let x = if p <= 1.0 {
            p.powf(1.0 / alpha)
        } else {
            -ln(vm, (b - p) / alpha)?
        };
        let u1 = draw(vm, this);
        if p > 1.0 {
            if u1 <= x.powf(alpha - 1.0) {
                return Ok(x * beta);
            }
        } else if u1 <= exp(vm, -x)? {
            return Ok(x * beta);
        }
    }
}

/// `gammavariate(alpha, beta)`.
pub fn gammavariate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "gammavariate", &["self", "alpha", "beta"], 3, args, kw)?;
    let alpha = param(vm, &s, 1, 1.0)?;
    let beta = param(vm, &s, 2, 1.0)?;
    gamma_draw(vm, this, alpha, beta).map(Value::Float)
}

/// `betavariate(alpha, beta)`.
pub fn betavariate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "betavariate", &["self", "alpha", "beta"], 3, args, kw)?;
    let alpha = param(vm, &s, 1, 1.0)?;
    let beta = param(vm, &s, 2, 1.0)?;
    let y = gamma_draw(vm, this, alpha, 1.0)?;
    if y != 0.0 {
        let other = gamma_draw(vm, this, beta, 1.0)?;
        return Ok(Value::Float(y / (y + other)));
    }
    Ok(Value::Float(0.0))
}

/// `paretovariate(alpha)`.
pub fn paretovariate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "paretovariate", &["self", "alpha"], 2, args, kw)?;
    let alpha = param(vm, &s, 1, 1.0)?;
    let u = 1.0 - draw(vm, this);
    let e = div(vm, -1.0, alpha)?;
    Ok(Value::Float(u.powf(e)))
}

/// `weibullvariate(alpha, beta)`.
pub fn weibullvariate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(
        vm,
        "weibullvariate",
        &["self", "alpha", "beta"],
        3,
        args,
        kw,
    )?;
    let alpha = param(vm, &s, 1, 1.0)?;
    let beta = param(vm, &s, 2, 1.0)?;
    let u = 1.0 - draw(vm, this);
    let l = ln(vm, u)?;
    let e = div(vm, 1.0, beta)?;
    Ok(Value::Float(alpha * (-l).powf(e)))
}
