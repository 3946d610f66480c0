//! The sequence methods of `random.Random`: `choice`, `shuffle`, `sample`
//! (both of CPython's branches, and `counts=`) and `choices` (uniform,
//! `weights=` and `cum_weights=`), consuming random numbers exactly as
//! CPython's `random.py` does.

use super::args::{is_int, to_f64, to_i64, Signature};
use super::random::{method_args, receiver, rng};
use crate::bytecode::{BinaryOp, CompareOp};
use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

pub fn choice(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "choice", &["self", "seq"], 2, args, kw)?;
    let seq = s[1].unwrap_or(Value::None);
    let n = vm.len_of(seq)?;
    if n == 0 {
        return Err(vm.new_error(ExcKind::IndexError, "Cannot choose from an empty sequence"));
    }
    let i = rng(vm, this).below_u64(n as u64);
    if let Some(items) = vm.seq_items(seq) {
        if let Some(&v) = items.get(i as usize) {
            return Ok(v);
        }
    }
    vm.get_item(seq, Value::Int(i as i64))
}

pub fn shuffle(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "shuffle", &["self", "x"], 2, args, kw)?;
    let x = s[1].unwrap_or(Value::None);
    let n = vm.len_of(x)?;
    let is_list = matches!(x, Value::Obj(r) if matches!(vm.heap.get(r), Object::List(_)));
    for i in (1..n).rev() {
        let j = rng(vm, this).below_u64(i as u64 + 1) as usize;
        if is_list {
            if let Value::Obj(r) = x {
                if let Object::List(l) = vm.heap.get_mut(r) {
                    if i < l.len() && j < l.len() {
                        l.swap(i, j);
                        continue;
                    }
                }
            }
        }
        // x[i], x[j] = x[j], x[i]
        let xj = vm.get_item(x, Value::Int(j as i64))?;
        vm.temp_roots.push(xj);
        let r = swap_generic(vm, x, i, j, xj);
        vm.temp_roots.pop();
        r?;
    }
    Ok(Value::None)
}

fn swap_generic(vm: &mut Vm, x: Value, i: usize, j: usize, xj: Value) -> PyResult<()> {
    let xi = vm.get_item(x, Value::Int(i as i64))?;
    vm.temp_roots.push(xi);
    let r = vm
        .set_item(x, Value::Int(i as i64), xj)
        .and_then(|_| vm.set_item(x, Value::Int(j as i64), xi));
    vm.temp_roots.pop();
    r
}

/// Is `v` a sequence in the sense of `collections.abc.Sequence`?
fn is_sequence(vm: &Vm, v: Value) -> bool {
    matches!(v, Value::Obj(r) if matches!(
        vm.heap.get(r),
        Object::List(_) | Object::Tuple(_) | Object::Str(_) | Object::Bytes(_) | Object::Range(_)
    ))
}

pub fn sample(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let this = receiver(vm, args, "sample")?;
    let s = Signature {
        owner: "Random",
        name: "sample",
        params: &["self", "population", "k"],
        required: 3,
        kwonly: &["counts"],
    }
    .bind(vm, args, kw)?;
    let population = s[1].unwrap_or(Value::None);
    let k = s[2].unwrap_or(Value::None);
    if !is_sequence(vm, population) {
        return Err(
            vm.type_error("Population must be a sequence.  For dicts or sets, use sorted(d).")
        );
    }
    if let Some(counts) = s[3].filter(|c| !c.is_none()) {
        return sample_counts(vm, this, population, k, counts);
    }
    let n = vm.len_of(population)?;
    let k = match to_i64(vm, k)? {
        Some(k) if k >= 0 && k as usize <= n => k as usize,
        _ => return Err(vm.value_error("Sample larger than population or is negative")),
    };
    let mut setsize = 21usize;
    if k > 5 {
        let e = ((k as f64 * 3.0).ln() / 4f64.ln()).ceil() as u32;
        setsize = setsize.saturating_add(4usize.saturating_pow(e));
    }
    let mut picks = Vec::with_capacity(k);
    if n <= setsize {
        // Pool: move each pick out of the way.
        let mut pool: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = rng(vm, this).below_u64((n - i) as u64) as usize;
            picks.push(pool[j]);
            pool[j] = pool[n - i - 1];
        }
    } else {
        let mut selected = std::collections::HashSet::with_capacity(k);
        for _ in 0..k {
            let mut j = rng(vm, this).below_u64(n as u64) as usize;
            while selected.contains(&j) {
                j = rng(vm, this).below_u64(n as u64) as usize;
            }
            selected.insert(j);
            picks.push(j);
        }
    }
    let result = vm.new_list(Vec::with_capacity(k));
    vm.temp_roots.push(result);
    let r = fill_from(vm, result, population, &picks);
    vm.temp_roots.pop();
    r.map(|_| result)
}

/// Appends `population[i]` for each index to the list `out`.
fn fill_from(vm: &mut Vm, out: Value, population: Value, indices: &[usize]) -> PyResult<()> {
    for &i in indices {
        let v = vm.get_item(population, Value::Int(i as i64))?;
        if let Value::Obj(r) = out {
            if let Object::List(l) = vm.heap.get_mut(r) {
                l.push(v);
            }
        }
    }
    Ok(())
}

/// `sample(population, k, counts=...)`: a sample of `range(total)` mapped
/// back through the cumulative counts.
fn sample_counts(
    vm: &mut Vm,
    this: Value,
    population: Value,
    k: Value,
    counts: Value,
) -> PyResult<Value> {
    let cum = accumulate(vm, counts)?;
    vm.temp_roots.push(cum);
    let r = sample_counts_with(vm, this, population, k, cum);
    vm.temp_roots.pop();
    r
}

fn sample_counts_with(
    vm: &mut Vm,
    this: Value,
    population: Value,
    k: Value,
    cum: Value,
) -> PyResult<Value> {
    let n = vm.len_of(population)?;
    let mut cum_items = vm.seq_items(cum).unwrap_or(&[]).to_vec();
    if cum_items.len() != n {
        return Err(vm.value_error("The number of counts does not match the population"));
    }
    let total = cum_items.pop().unwrap_or(Value::Int(0));
    if !is_int(vm, total) {
        return Err(vm.type_error("Counts must be integers"));
    }
    if !vm.lt(Value::Int(0), total)? {
        return Err(vm.value_error("Total of counts must be greater than zero"));
    }
    let range = match total {
        Value::Int(t) => crate::stdlib::builtins::new_range(vm, 0, t, 1),
        _ => {
            return Err(vm.new_error(
                ExcKind::OverflowError,
                "Python int too large to convert to C ssize_t",
            ))
        }
    };
    vm.temp_roots.push(range);
    let kw_k = Value::Obj(vm.intern("k"));
    let selections = sample(vm, &[this, range], &[(kw_k, k)]);
    vm.temp_roots.pop();
    let selections = selections?;
    vm.temp_roots.push(selections);
    let out = vm.new_list(Vec::new());
    vm.temp_roots.push(out);
    let sel = vm.seq_items(selections).unwrap_or(&[]).to_vec();
    let mut r = Ok(());
    for s in sel {
        match bisect_right(vm, &cum_items, s, cum_items.len()) {
            Ok(i) => match vm.get_item(population, Value::Int(i as i64)) {
                Ok(v) => {
                    if let Value::Obj(o) = out {
                        if let Object::List(l) = vm.heap.get_mut(o) {
                            l.push(v);
                        }
                    }
                }
                Err(e) => {
                    r = Err(e);
                    break;
                }
            },
            Err(e) => {
                r = Err(e);
                break;
            }
        }
    }
    vm.temp_roots.truncate(vm.temp_roots.len() - 2);
    r.map(|_| out)
}

/// `list(itertools.accumulate(iterable))` with `+`.
fn accumulate(vm: &mut Vm, iterable: Value) -> PyResult<Value> {
    let items = vm.collect_iterable(iterable)?;
    let out = vm.new_list(items);
    vm.temp_roots.push(out);
    let n = vm.seq_items(out).map_or(0, |s| s.len());
    let mut r = Ok(());
    for i in 1..n {
        let (prev, cur) = match vm.seq_items(out) {
            Some(s) => (s[i - 1], s[i]),
            None => break,
        };
        match vm.binary_op(prev, cur, BinaryOp::Add) {
            Ok(sum) => {
                if let Value::Obj(o) = out {
                    if let Object::List(l) = vm.heap.get_mut(o) {
                        l[i] = sum;
                    }
                }
            }
            Err(e) => {
                r = Err(e);
                break;
            }
        }
    }
    vm.temp_roots.pop();
    r.map(|_| out)
}

/// `bisect.bisect_right(a, x, 0, hi)`: the index after the last item <= x.
fn bisect_right(vm: &mut Vm, a: &[Value], x: Value, hi: usize) -> PyResult<usize> {
    let (mut lo, mut hi) = (0usize, hi);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if vm.lt(x, a[mid])? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}

/// `choices(population, weights=None, *, cum_weights=None, k=1)`.
pub fn choices(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let this = receiver(vm, args, "choices")?;
    let s = Signature {
        owner: "Random",
        name: "choices",
        params: &["self", "population", "weights"],
        required: 2,
        kwonly: &["cum_weights", "k"],
    }
    .bind(vm, args, kw)?;
    let population = s[1].unwrap_or(Value::None);
    let weights = s[2].filter(|w| !w.is_none());
    let cum_weights = s[3].filter(|w| !w.is_none());
    let k_value = s[4].unwrap_or(Value::Int(1));
    let n = vm.len_of(population)?;
    let k = repeat_count(vm, k_value)?;
    let out = vm.new_list(Vec::with_capacity(k));
    vm.temp_roots.push(out);
    let r = match (weights, cum_weights) {
        (None, None) => choices_uniform(vm, this, population, n, k, out),
        (Some(w), None) => match accumulate(vm, w) {
            Ok(cum) => {
                vm.temp_roots.push(cum);
                let r = choices_weighted(vm, this, population, n, k, cum, out);
                vm.temp_roots.pop();
                r
            }
            Err(e) if vm.exc_matches(e.0, ExcKind::TypeError) && is_int(vm, w) => {
                let shown = vm.repr_value(w)?;
                Err(vm.type_error(format!(
                    "The number of choices must be a keyword argument: k={shown}"
                )))
            }
            Err(e) => Err(e),
        },
        (None, Some(cw)) => match vm.collect_iterable(cw) {
            Ok(items) => {
                let cum = vm.new_list(items);
                vm.temp_roots.push(cum);
                let r = choices_weighted(vm, this, population, n, k, cum, out);
                vm.temp_roots.pop();
                r
            }
            Err(e) => Err(e),
        },
        (Some(_), Some(_)) => {
            Err(vm.type_error("Cannot specify both weights and cumulative weights"))
        }
    };
    vm.temp_roots.pop();
    r.map(|_| out)
}

/// `itertools.repeat(None, k)`'s count: an int, negative meaning 0.
fn repeat_count(vm: &mut Vm, k: Value) -> PyResult<usize> {
    if matches!(k, Value::Float(_)) {
        return Err(super::args::not_integer(vm, k));
    }
    match to_i64(vm, k)? {
        Some(k) => Ok(k.max(0) as usize),
        None => Err(vm.new_error(
            ExcKind::OverflowError,
            "Python int too large to convert to C ssize_t",
        )),
    }
}

fn push(vm: &mut Vm, list: Value, v: Value) {
    if let Value::Obj(o) = list {
        if let Object::List(l) = vm.heap.get_mut(o) {
            l.push(v);
        }
    }
}

fn choices_uniform(
    vm: &mut Vm,
    this: Value,
    population: Value,
    n: usize,
    k: usize,
    out: Value,
) -> PyResult<()> {
    let nf = n as f64;
    for _ in 0..k {
        let i = (rng(vm, this).random() * nf).floor() as i64;
        let v = vm.get_item(population, Value::Int(i))?;
        push(vm, out, v);
    }
    Ok(())
}

fn choices_weighted(
    vm: &mut Vm,
    this: Value,
    population: Value,
    n: usize,
    k: usize,
    cum: Value,
    out: Value,
) -> PyResult<()> {
    let cum_items = vm.seq_items(cum).unwrap_or(&[]).to_vec();
    if cum_items.len() != n {
        return Err(vm.value_error("The number of weights does not match the population"));
    }
    let last = cum_items.last().copied().unwrap_or(Value::Int(0));
    let total = vm.binary_op(last, Value::Float(0.0), BinaryOp::Add)?;
    vm.temp_roots.push(total);
    let r = choices_weighted_total(vm, this, population, k, &cum_items, total, out);
    vm.temp_roots.pop();
    r
}

fn choices_weighted_total(
    vm: &mut Vm,
    this: Value,
    population: Value,
    k: usize,
    cum: &[Value],
    total: Value,
    out: Value,
) -> PyResult<()> {
    let not_positive = vm.compare_op(total, Value::Float(0.0), CompareOp::Le)?;
    if vm.truthy(not_positive)? {
        return Err(vm.value_error("Total of weights must be greater than zero"));
    }
    if !to_f64(vm, total)?.is_finite() {
        return Err(vm.value_error("Total of weights must be finite"));
    }
    let hi = cum.len().saturating_sub(1);
    for _ in 0..k {
        let r = Value::Float(rng(vm, this).random());
        let x = vm.binary_op(r, total, BinaryOp::Mul)?;
        vm.temp_roots.push(x);
        let i = bisect_right(vm, cum, x, hi);
        vm.temp_roots.pop();
        let v = vm.get_item(population, Value::Int(i? as i64))?;
        push(vm, out, v);
    }
    Ok(())
}
