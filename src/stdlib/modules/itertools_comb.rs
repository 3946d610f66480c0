//! The combinatoric iterators of `itertools`: product, permutations,
//! combinations and combinations_with_replacement.
//!
//! Each materialises its input pools when created (as CPython does) and
//! then steps an index vector in lexicographic order, building one result
//! tuple per step; the algorithms are the ones in the itertools docs.

use super::itertools::{check_size, ctor_class};
use super::support::{alloc_native, bind, impl_native, index_arg, payload, Sig};
use crate::vm::object::Object;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

// ---- product ----------------------------------------------------------------------

struct Product {
    class: ObjRef,
    pools: Vec<Vec<Value>>,
    indices: Vec<usize>,
    started: bool,
    done: bool,
}

impl_native!(
    Product,
    |s, f| {
        s.pools.iter().flatten().for_each(|&v| f(v));
    },
    next = product_next
);

pub(super) fn product_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let mut repeat = 1i64;
    if kw.len() > 1 {
        let msg = format!(
            "product() takes at most 1 keyword argument ({} given)",
            kw.len()
        );
        return Err(vm.type_error(msg));
    }
    if let Some(&(k, v)) = kw.first() {
        if vm.str_of(k) != "repeat" {
            let msg = format!(
                "'{}' is an invalid keyword argument for product()",
                vm.str_of(k)
            );
            return Err(vm.type_error(msg));
        }
        repeat = index_arg(vm, v)?;
        if repeat < 0 {
            return Err(vm.value_error("repeat argument cannot be negative"));
        }
    }
    let inputs = if repeat == 0 { &[][..] } else { &args[1..] };
    check_size(vm, inputs.len().saturating_mul(repeat as usize))?;
    // Earlier pools are only reachable from `base`: keep them rooted while
    // the next input is iterated (which may run aspy code).
    let roots = vm.temp_roots.len();
    let mut base = Vec::with_capacity(inputs.len());
    for &a in inputs {
        match vm.collect_iterable(a) {
            Ok(items) => {
                vm.temp_roots.extend_from_slice(&items);
                base.push(items);
            }
            Err(e) => {
                vm.temp_roots.truncate(roots);
                return Err(e);
            }
        }
    }
    vm.temp_roots.truncate(roots);
    let mut pools = Vec::with_capacity(base.len() * repeat as usize);
    for _ in 0..repeat {
        pools.extend(base.iter().cloned());
    }
    Ok(alloc_native(
        vm,
        Product {
            class,
            pools,
            indices: Vec::new(),
            started: false,
            done: false,
        },
    ))
}

fn product_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let p = payload::<Product>(vm, r);
    if p.done {
        return Ok(None);
    }
    if !p.started {
        p.started = true;
        if p.pools.iter().any(Vec::is_empty) {
            p.done = true;
            return Ok(None);
        }
        p.indices = vec![0; p.pools.len()];
    } else {
        let mut i = p.pools.len();
        loop {
            if i == 0 {
                p.done = true;
                return Ok(None);
            }
            i -= 1;
            p.indices[i] += 1;
            if p.indices[i] < p.pools[i].len() {
                break;
            }
            p.indices[i] = 0;
        }
    }
    let items: Vec<Value> = p
        .indices
        .iter()
        .zip(&p.pools)
        .map(|(&k, pool)| pool[k])
        .collect();
    Ok(Some(vm.new_tuple(items)))
}

// ---- permutations, combinations, combinations_with_replacement ---------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Permutations,
    Combinations,
    WithReplacement,
}

struct Comb {
    class: ObjRef,
    kind: Kind,
    pool: Vec<Value>,
    r: usize,
    indices: Vec<usize>,
    /// Permutations only: CPython's cycle counters.
    cycles: Vec<usize>,
    started: bool,
    done: bool,
}

impl_native!(
    Comb,
    |s, f| {
        s.pool.iter().for_each(|&v| f(v));
    },
    next = comb_next
);

fn new_comb(vm: &mut Vm, class: ObjRef, kind: Kind, pool: Vec<Value>, r: usize) -> Value {
    alloc_native(
        vm,
        Comb {
            class,
            kind,
            pool,
            r,
            indices: Vec::new(),
            cycles: Vec::new(),
            started: false,
            done: false,
        },
    )
}

const PERMUTATIONS_SIG: Sig = Sig {
    name: "permutations",
    params: &["iterable", "r"],
    required: 1,
    max_pos: 2,
    pos_only: 0,
};

pub(super) fn permutations_new(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let [iterable, r] = bind::<2>(vm, &PERMUTATIONS_SIG, &args[1..], kw)?;
    let pool = vm.collect_iterable(iterable.unwrap_or(Value::None))?;
    let r = match r {
        None | Some(Value::None) => pool.len() as i64,
        Some(v) => {
            let is_int = matches!(v, Value::Int(_) | Value::Bool(_))
                || matches!(v, Value::Obj(o) if matches!(vm.heap.get(o), Object::BigInt(_)));
            if !is_int {
                return Err(vm.type_error("Expected int as r"));
            }
            index_arg(vm, v)?
        }
    };
    if r < 0 {
        return Err(vm.value_error("r must be non-negative"));
    }
    Ok(new_comb(vm, class, Kind::Permutations, pool, r as usize))
}

/// Binds `(iterable, r)` for combinations and its variant.
fn comb_args(
    vm: &mut Vm,
    name: &'static str,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<(Vec<Value>, usize)> {
    let sig = Sig {
        name,
        params: &["iterable", "r"],
        required: 2,
        max_pos: 2,
        pos_only: 0,
    };
    let [iterable, r] = bind::<2>(vm, &sig, args, kw)?;
    let r = index_arg(vm, r.unwrap_or(Value::None))?;
    let pool = vm.collect_iterable(iterable.unwrap_or(Value::None))?;
    if r < 0 {
        return Err(vm.value_error("r must be non-negative"));
    }
    Ok((pool, r as usize))
}

pub(super) fn combinations_new(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let (pool, r) = comb_args(vm, "combinations", &args[1..], kw)?;
    Ok(new_comb(vm, class, Kind::Combinations, pool, r))
}

pub(super) fn cwr_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let class = ctor_class(vm, args)?;
    let (pool, r) = comb_args(vm, "combinations_with_replacement", &args[1..], kw)?;
    if !pool.is_empty() {
        check_size(vm, r)?;
    }
    Ok(new_comb(vm, class, Kind::WithReplacement, pool, r))
}

impl Comb {
    /// Sets up the first index vector; false if there is no result at all.
    fn start(&mut self) -> bool {
        let (n, r) = (self.pool.len(), self.r);
        match self.kind {
            Kind::Permutations => {
                if r > n {
                    return false;
                }
                self.indices = (0..n).collect();
                self.cycles = (0..r).map(|i| n - i).collect();
            }
            Kind::Combinations => {
                if r > n {
                    return false;
                }
                self.indices = (0..r).collect();
            }
            Kind::WithReplacement => {
                if n == 0 && r > 0 {
                    return false;
                }
                self.indices = vec![0; r];
            }
        }
        true
    }

    /// Steps the index vector to the next result; false when done.
    fn advance(&mut self) -> bool {
        let (n, r) = (self.pool.len(), self.r);
        let idx = &mut self.indices;
        match self.kind {
            Kind::Permutations => {
                for i in (0..r).rev() {
                    self.cycles[i] -= 1;
                    if self.cycles[i] == 0 {
                        idx[i..].rotate_left(1);
                        self.cycles[i] = n - i;
                    } else {
                        let j = self.cycles[i];
                        idx.swap(i, n - j);
                        return true;
                    }
                }
                false
            }
            Kind::Combinations => {
                let Some(i) = (0..r).rev().find(|&i| idx[i] != i + n - r) else {
                    return false;
                };
                idx[i] += 1;
                for j in i + 1..r {
                    idx[j] = idx[j - 1] + 1;
                }
                true
            }
            Kind::WithReplacement => {
                let Some(i) = (0..r).rev().find(|&i| idx[i] != n - 1) else {
                    return false;
                };
                let v = idx[i] + 1;
                idx[i..].iter_mut().for_each(|x| *x = v);
                true
            }
        }
    }
}

fn comb_next(vm: &mut Vm, r: ObjRef) -> PyResult<Option<Value>> {
    let c = payload::<Comb>(vm, r);
    if c.done {
        return Ok(None);
    }
    let more = if c.started {
        c.advance()
    } else {
        c.started = true;
        c.start()
    };
    if !more {
        c.done = true;
        c.indices = Vec::new();
        return Ok(None);
    }
    let items: Vec<Value> = c.indices[..c.r].iter().map(|&k| c.pool[k]).collect();
    Ok(Some(vm.new_tuple(items)))
}
