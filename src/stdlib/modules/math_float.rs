//! The accurate floating-point sums of `math`: `fsum` (Shewchuk's exact
//! summation with CPython's final rounding fix-up) and the Euclidean norm
//! behind `hypot` and `dist` (CPython 3.11's algorithm: scaled squares
//! split into exact parts, then one correction step), so results agree with
//! CPython to the last bit.

use super::args::to_f64;
use crate::stdlib::builtins::check_args;
use crate::vm::exceptions::ExcKind;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// `math.fsum(iterable)`.
pub fn fsum(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::math::one_arg(vm, "fsum", args, kw)?;
    let it = vm.get_iter(args[0])?;
    vm.temp_roots.push(it);
    let r = fsum_iter(vm, it);
    vm.temp_roots.pop();
    r
}

fn fsum_iter(vm: &mut Vm, it: Value) -> PyResult<Value> {
    // Nonoverlapping partial sums, smallest magnitude first.
    let mut partials: Vec<f64> = Vec::new();
    let mut special_sum = 0.0;
    let mut inf_sum = 0.0;
    while let Some(item) = vm.iter_next(it)? {
        let mut x = to_f64(vm, item)?;
        let xsave = x;
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                // Either a nan or inf among the inputs, or an overflow.
                if xsave.is_finite() {
                    return Err(
                        vm.new_error(ExcKind::OverflowError, "intermediate overflow in fsum")
                    );
                }
                if xsave.is_infinite() {
                    inf_sum += xsave;
                }
                special_sum += xsave;
                partials.clear();
            } else {
                partials.push(x);
            }
        }
    }
    if special_sum != 0.0 {
        if f64::is_nan(inf_sum) {
            return Err(vm.value_error("-inf + inf in fsum"));
        }
        return Ok(Value::Float(special_sum));
    }
    Ok(Value::Float(round_partials(&partials)))
}

/// The correctly rounded sum of nonoverlapping partials (ascending).
fn round_partials(p: &[f64]) -> f64 {
    let mut n = p.len();
    if n == 0 {
        return 0.0;
    }
    n -= 1;
    let mut hi = p[n];
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = p[n];
        hi = x + y;
        lo = y - (hi - x);
        if lo != 0.0 {
            break;
        }
    }
    // Half-even rounding across several partials: a remainder of the same
    // sign as the next partial down pushes a tie upwards.
    if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

/// `math.hypot(*coordinates)`.
pub fn hypot(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::math::no_kwargs(vm, "hypot", kw)?;
    let mut coords = Vec::with_capacity(args.len());
    let (mut max, mut found_nan) = (0.0f64, false);
    for &a in args {
        let x = to_f64(vm, a)?.abs();
        found_nan |= x.is_nan();
        if x > max {
            max = x;
        }
        coords.push(x);
    }
    Ok(Value::Float(vector_norm(&mut coords, max, found_nan)))
}

/// `math.dist(p, q)`.
pub fn dist(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    super::math::no_kwargs(vm, "dist", kw)?;
    check_args(vm, "dist", args, &[], 2, 2)?;
    // The points stay rooted as lists: `__float__` may run aspy code.
    let p = vm.collect_iterable(args[0])?;
    let p = vm.new_list(p);
    vm.temp_roots.push(p);
    let q = vm.collect_iterable(args[1]).map(|q| vm.new_list(q));
    let r = q.and_then(|q| {
        vm.temp_roots.push(q);
        let r = differences(vm, p, q);
        vm.temp_roots.pop();
        r
    });
    vm.temp_roots.pop();
    let (mut diffs, max, found_nan) = r?;
    Ok(Value::Float(vector_norm(&mut diffs, max, found_nan)))
}

/// |p[i] - q[i]| for two lists of equal length, their maximum, and whether
/// one is a nan.
fn differences(vm: &mut Vm, p: Value, q: Value) -> PyResult<(Vec<f64>, f64, bool)> {
    let n = vm.seq_items(p).map_or(0, |s| s.len());
    if vm.seq_items(q).map_or(0, |s| s.len()) != n {
        return Err(vm.value_error("both points must have the same number of dimensions"));
    }
    let mut diffs = Vec::with_capacity(n);
    let (mut max, mut found_nan) = (0.0f64, false);
    for i in 0..n {
        let a = vm.seq_items(p).map_or(Value::None, |s| s[i]);
        let b = vm.seq_items(q).map_or(Value::None, |s| s[i]);
        let x = (to_f64(vm, a)? - to_f64(vm, b)?).abs();
        found_nan |= x.is_nan();
        if x > max {
            max = x;
        }
        diffs.push(x);
    }
    Ok((diffs, max, found_nan))
}

/// Adds `x` to the running sum `csum`, accumulating the rounding error.
#[inline]
fn add_exact(csum: &mut f64, frac: &mut f64, x: f64) {
    let old = *csum;
    *csum += x;
    *frac += (old - *csum) + x;
}

/// Splits `x` (|x| < 1) into `hi + lo` where `hi` has at most 26
/// significant bits, so `hi * hi` and `2 * hi * lo` are exact.
#[inline]
fn split(x: f64) -> (f64, f64) {
    const T27: f64 = 134217729.0; // 2**27 + 1
    let t = x * T27;
    let hi = t - (t - x);
    (hi, x - hi)
}

/// The Euclidean norm of nonnegative `v`, whose largest element is `max`.
fn vector_norm(v: &mut [f64], max: f64, found_nan: bool) -> f64 {
    if max.is_infinite() {
        return max;
    }
    if found_nan {
        return f64::NAN;
    }
    if max == 0.0 || v.len() <= 1 {
        return max;
    }
    let max_e = frexp_exponent(max);
    let (mut csum, mut frac1, mut frac2, mut frac3) = (1.0, 0.0, 0.0, 0.0);
    if max_e >= -1023 {
        // Scale by a power of two so the largest element is in [0.5, 1).
        let scale = super::math_special::ldexp(1.0, -max_e);
        for &x in v.iter() {
            let (hi, lo) = split(x * scale);
            add_exact(&mut csum, &mut frac1, hi * hi);
            add_exact(&mut csum, &mut frac2, 2.0 * hi * lo);
            frac3 += lo * lo;
        }
        let h = (csum - 1.0 + (frac1 + frac2 + frac3)).sqrt();
        // One Newton step corrects the square root's rounding.
        let (hi, lo) = split(h);
        add_exact(&mut csum, &mut frac1, -hi * hi);
        add_exact(&mut csum, &mut frac2, -2.0 * hi * lo);
        add_exact(&mut csum, &mut frac3, -lo * lo);
        let x = csum - 1.0 + (frac1 + frac2 + frac3);
        return (h + x / (2.0 * h)) / scale;
    }
    // Subnormal maximum: 2**-max_e would overflow; divide by max instead.
    for &x in v.iter() {
        let x = x / max;
        add_exact(&mut csum, &mut frac1, x * x);
    }
    max * (csum - 1.0 + frac1).sqrt()
}

/// The exponent `e` of C's `frexp(x)`: `x = m * 2**e` with
/// `0.5 <= |m| < 1` (x finite and nonzero).
fn frexp_exponent(x: f64) -> i32 {
    super::math_special::frexp(x).1
}
