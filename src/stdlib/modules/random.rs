//! The `random` module: CPython's `random.Random` (seeding, integers,
//! sequences) over the Mersenne Twister of `random_mt.rs`, following
//! CPython's algorithms step for step so that seeded programs draw the same
//! values. The distributions (`gauss`, `uniform`, ...) are in
//! `random_dist.rs`.
//!
//! Module-level functions are the bound methods of one hidden instance, as
//! in CPython. `random.Random` cannot be subclassed in aspy.

use super::args::{bind_args, is_int, to_bigint, to_f64, to_i64};
use super::random_mt::Mt;
use super::{random_dist, NativeModule};
use crate::bytecode::{BinaryOp, CompareOp};
use crate::stdlib::builtins::add_method;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::{NativeFn, NativeObject, Object};
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};
use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive};
use sha2::{Digest, Sha512};
use std::any::Any;

/// A `random.Random` instance.
pub struct RandomObj {
    class: ObjRef,
    pub mt: Mt,
    /// The second value of the last `gauss` pair, if not used yet.
    pub gauss_next: Option<f64>,
}

impl NativeObject for RandomObj {
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(Value::Obj(self.class));
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Methods of `Random` that are also module functions.
const METHODS: &[(&str, NativeFn)] = &[
    ("seed", seed),
    ("random", random),
    ("getrandbits", getrandbits),
    ("getstate", getstate),
    ("setstate", setstate),
    ("randrange", randrange),
    ("randint", randint),
    ("choice", choice),
    ("shuffle", shuffle),
    ("sample", sample),
    ("choices", choices),
    ("randbytes", randbytes),
    ("uniform", random_dist::uniform),
    ("triangular", random_dist::triangular),
    ("gauss", random_dist::gauss),
    ("normalvariate", random_dist::normalvariate),
    ("lognormvariate", random_dist::lognormvariate),
    ("expovariate", random_dist::expovariate),
    ("vonmisesvariate", random_dist::vonmisesvariate),
    ("gammavariate", random_dist::gammavariate),
    ("betavariate", random_dist::betavariate),
    ("paretovariate", random_dist::paretovariate),
    ("weibullvariate", random_dist::weibullvariate),
];

/// Builds the `random` module.
pub fn init(vm: &mut Vm) -> PyResult<Value> {
    let m = NativeModule::new(vm, "random")?;
    let cls = m.class(vm, "Random");
    add_method(vm, cls, "__new__", random_new);
    for &(name, f) in METHODS {
        add_method(vm, cls, name, f);
    }
    let inst = new_instance(vm, cls, entropy_mt());
    m.set(vm, "_inst", inst);
    for &(name, _) in METHODS {
        let bound = vm.get_attr_str(inst, name)?;
        m.set(vm, name, bound);
    }
    let log4 = 4f64.ln();
    for (name, v) in [
        ("NV_MAGICCONST", 4.0 * (-0.5f64).exp() / 2f64.sqrt()),
        ("TWOPI", 2.0 * std::f64::consts::PI),
        ("LOG4", log4),
        ("SG_MAGICCONST", 1.0 + 4.5f64.ln()),
        ("RECIP_BPF", 2f64.powi(-53)),
    ] {
        m.set(vm, name, Value::Float(v));
    }
    m.set(vm, "BPF", Value::Int(53));
    Ok(m.module)
}

fn new_instance(vm: &mut Vm, cls: ObjRef, mt: Mt) -> Value {
    vm.alloc(Object::Native(Box::new(RandomObj {
        class: cls,
        mt,
        gauss_next: None,
    })))
}

/// A generator seeded from the operating system's entropy.
fn entropy_mt() -> Mt {
    let mut key = [0u32; 624];
    let mut bytes = [0u8; 624 * 4];
    // SAFETY: the buffer is valid and writable for its whole length.
    let got = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    if got < bytes.len() as isize {
        // No entropy source: fall back on the time and process id, as
        // CPython does.
        let now = crate::vm::clock::real_ns(libc::CLOCK_REALTIME);
        return Mt::from_key(&[now as u32, (now >> 32) as u32, std::process::id()]);
    }
    for (k, chunk) in key.iter_mut().zip(bytes.chunks_exact(4)) {
        *k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    Mt::from_key(&key)
}

// ---- receiver and small helpers -------------------------------------------------

/// Checks that `args[0]` is a Random instance and returns it.
pub(super) fn receiver(vm: &mut Vm, args: &[Value], name: &str) -> PyResult<Value> {
    match args.first() {
        Some(&v) if vm.native_ref::<RandomObj>(v).is_some() => Ok(v),
        other => {
            let tn = other.map(|&v| vm.type_name(v)).unwrap_or_default();
            let msg = if other.is_some() {
                format!("descriptor '{name}' for '_random.Random' objects doesn't apply to a '{tn}' object")
            } else {
                format!("unbound method {name}() needs an argument")
            };
            Err(vm.type_error(msg))
        }
    }
}

/// The generator of a Random instance already checked by [`receiver`].
pub(super) fn rng(vm: &mut Vm, this: Value) -> &mut RandomObj {
    vm.native_mut::<RandomObj>(this)
        .expect("receiver() checked the type")
}

/// Binds a method's arguments (`self` first) with Python's messages.
pub(super) fn method_args(
    vm: &mut Vm,
    name: &str,
    params: &[&str],
    required: usize,
    args: &[Value],
    kw: &[(Value, Value)],
) -> PyResult<(Value, Vec<Option<Value>>)> {
    let this = receiver(vm, args, name)?;
    let qual = format!("Random.{name}");
    let slots = bind_args(vm, &qual, params, required, &[], args, kw)?;
    Ok((this, slots))
}

/// A uniform int in [0, n) for n > 0, as a value.
fn below_value(vm: &mut Vm, this: Value, n: &BigInt) -> Value {
    let r = rng(vm, this).mt.below(n);
    vm.new_bigint(r)
}

// ---- construction and state ---------------------------------------------------

/// `Random(x=None)`.
fn random_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let slots = bind_args(vm, "Random.__init__", &["self", "x"], 1, &[], args, kw)?;
    let Some(&Value::Obj(cls)) = args.first() else {
        return Err(vm.type_error("Random.__new__(X): X is not a type object"));
    };
    let seed_value = slots[1].unwrap_or(Value::None);
    let mt = seed_mt(vm, seed_value, Value::Int(2))?;
    Ok(new_instance(vm, cls, mt))
}

/// A generator seeded as `Random.seed(a, version)` does.
fn seed_mt(vm: &mut Vm, a: Value, version: Value) -> PyResult<Mt> {
    let text: Option<Vec<u8>> = match a {
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Str(s) => Some(s.s.as_bytes().to_vec()),
            Object::Bytes(b) => Some(b.to_vec()),
            _ => None,
        },
        _ => None,
    };
    if let Some(bytes) = text {
        if vm.eq(version, Value::Int(1))? {
            let n = legacy_string_seed(vm, a, &bytes);
            return Ok(Mt::from_int(&BigUint::from(n)));
        }
        if vm.eq(version, Value::Int(2))? {
            // int.from_bytes(a + sha512(a).digest(), 'big')
            let mut all = bytes.clone();
            all.extend_from_slice(&Sha512::digest(&bytes));
            return Ok(Mt::from_int(&BigUint::from_bytes_be(&all)));
        }
    }
    let ok_type = a.is_none()
        || is_int(vm, a)
        || matches!(a, Value::Float(_))
        || matches!(a, Value::Obj(r) if matches!(vm.heap.get(r), Object::Str(_) | Object::Bytes(_)));
    if !ok_type {
        return Err(vm.type_error(
            "The only supported seed types are: None,\nint, float, str, bytes, and bytearray.",
        ));
    }
    if a.is_none() {
        return Ok(entropy_mt());
    }
    if is_int(vm, a) {
        let n = to_bigint(vm, a)?;
        return Ok(Mt::from_int(n.magnitude()));
    }
    // Anything else is seeded by its hash, taken as unsigned.
    let h = vm.hash_value(a)? as u64;
    Ok(Mt::from_int(&BigUint::from(h)))
}

/// Version 1 seeding of a str or bytes (Python 2's string hash).
fn legacy_string_seed(vm: &Vm, a: Value, bytes: &[u8]) -> u64 {
    let chars: Vec<u64> = match vm.as_str(a) {
        Some(s) => s.chars().map(|c| c as u64).collect(),
        None => bytes.iter().map(|&b| b as u64).collect(),
    };
    let mut x: u64 = chars.first().map_or(0, |&c| c << 7);
    for &c in &chars {
        x = 1000003u64.wrapping_mul(x) ^ c;
    }
    x ^ chars.len() as u64
}

fn seed(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "seed", &["self", "a", "version"], 1, args, kw)?;
    let a = s[1].unwrap_or(Value::None);
    let version = s[2].unwrap_or(Value::Int(2));
    let mt = seed_mt(vm, a, version)?;
    let r = rng(vm, this);
    r.mt = mt;
    r.gauss_next = None;
    Ok(Value::None)
}

fn getstate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, _) = method_args(vm, "getstate", &["self"], 1, args, kw)?;
    let r = rng(vm, this);
    let mut words: Vec<Value> = r.mt.state.iter().map(|&w| Value::Int(w as i64)).collect();
    words.push(Value::Int(r.mt.index as i64));
    let gauss = r.gauss_next.map_or(Value::None, Value::Float);
    let internal = vm.new_tuple(words);
    Ok(vm.new_tuple(vec![Value::Int(3), internal, gauss]))
}

fn setstate(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "setstate", &["self", "state"], 2, args, kw)?;
    let state = s[1].unwrap_or(Value::None);
    let version = vm.get_item(state, Value::Int(0))?;
    vm.temp_roots.push(version);
    let is_v3 = state_version(vm, version);
    vm.temp_roots.pop();
    let is_v3 = is_v3?;
    let parts = vm.unpack(state, 3, None)?;
    // Keep the parts rooted: converting them may run aspy code.
    let parts = vm.new_list(parts);
    vm.temp_roots.push(parts);
    let r = read_state(vm, parts, is_v3);
    vm.temp_roots.pop();
    let (words, index, gauss_next) = r?;
    let r = rng(vm, this);
    r.mt.state = words;
    r.mt.index = index;
    r.gauss_next = gauss_next;
    Ok(Value::None)
}

/// Whether a state's version is 3 (else 2); other versions are an error.
fn state_version(vm: &mut Vm, version: Value) -> PyResult<bool> {
    if vm.eq(version, Value::Int(3))? {
        return Ok(true);
    }
    if vm.eq(version, Value::Int(2))? {
        return Ok(false);
    }
    let v = vm.str_value(version)?;
    Err(vm.value_error(format!(
        "state with version {v} passed to Random.setstate() of version 3"
    )))
}

/// The generator words, index and `gauss_next` of a getstate() tuple's
/// parts (a rooted list of three values).
fn read_state(
    vm: &mut Vm,
    parts: Value,
    is_v3: bool,
) -> PyResult<([u32; 624], usize, Option<f64>)> {
    let (internal, gauss) = match vm.seq_items(parts) {
        Some(p) => (p[1], p[2]),
        None => (Value::None, Value::None),
    };
    let gauss_next = if gauss.is_none() {
        None
    } else {
        Some(to_f64(vm, gauss)?)
    };
    let is_tuple = matches!(internal, Value::Obj(r) if matches!(vm.heap.get(r), Object::Tuple(_)));
    if is_v3 && !is_tuple {
        return Err(vm.type_error("state vector must be a tuple"));
    }
    let items = vm.collect_iterable(internal)?;
    if items.len() != 625 {
        return Err(vm.value_error("state vector is the wrong size"));
    }
    let items = vm.new_list(items);
    vm.temp_roots.push(items);
    let r = state_words(vm, items, is_v3);
    vm.temp_roots.pop();
    let (words, last) = r?;
    let index = match to_i64(vm, last)? {
        Some(i) if (0..=624).contains(&i) => i as usize,
        _ => return Err(vm.value_error("invalid state")),
    };
    Ok((words, index, gauss_next))
}

/// The 624 state words of a rooted list of 625 ints, and its last item.
fn state_words(vm: &mut Vm, items: Value, is_v3: bool) -> PyResult<([u32; 624], Value)> {
    let mut words = [0u32; 624];
    for (i, w) in words.iter_mut().enumerate() {
        let item = vm.seq_items(items).map_or(Value::None, |s| s[i]);
        let b = to_bigint(vm, item)?;
        if b.is_negative() && is_v3 {
            return Err(vm.new_error(
                ExcKind::OverflowError,
                "can't convert negative int to unsigned",
            ));
        }
        // Version 2 states are taken modulo 2**32; C keeps the low 32 bits.
        *w = b.mod_floor(&BigInt::from(1u64 << 32)).to_u32().unwrap_or(0);
    }
    let last = vm.seq_items(items).map_or(Value::None, |s| s[624]);
    Ok((words, last))
}

// ---- numbers --------------------------------------------------------------------

fn random(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let this = receiver(vm, args, "random")?;
    if args.len() != 1 || !kw.is_empty() {
        let msg = format!(
            "Random.random() takes no arguments ({} given)",
            args.len() - 1 + kw.len()
        );
        return Err(vm.type_error(msg));
    }
    Ok(Value::Float(rng(vm, this).mt.random()))
}

/// The `k` of getrandbits: a nonnegative C int.
fn bit_count(vm: &mut Vm, v: Value) -> PyResult<u64> {
    if matches!(v, Value::Float(_)) {
        return Err(super::args::not_integer(vm, v));
    }
    match to_i64(vm, v)? {
        Some(k) if k > i32::MAX as i64 => Err(vm.new_error(
            ExcKind::OverflowError,
            "Python int too large to convert to C int",
        )),
        Some(k) if k >= 0 => Ok(k as u64),
        Some(_) => Err(vm.value_error("number of bits must be non-negative")),
        None => Err(vm.new_error(
            ExcKind::OverflowError,
            "Python int too large to convert to C int",
        )),
    }
}

fn getrandbits(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let this = receiver(vm, args, "getrandbits")?;
    if args.len() != 2 || !kw.is_empty() {
        let msg = format!(
            "Random.getrandbits() takes exactly one argument ({} given)",
            args.len() - 1
        );
        return Err(vm.type_error(msg));
    }
    let k = bit_count(vm, args[1])?;
    let bits = rng(vm, this).mt.bits(k);
    Ok(vm.new_bigint(BigInt::from(bits)))
}

fn randbytes(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "randbytes", &["self", "n"], 2, args, kw)?;
    let n = s[1].unwrap_or(Value::None);
    let nbytes = match to_i64(vm, n)? {
        Some(n) if n < 0 => return Err(vm.value_error("number of bits must be non-negative")),
        Some(n) if n <= i32::MAX as i64 / 8 => n as usize,
        _ => {
            return Err(vm.new_error(
                ExcKind::OverflowError,
                "Python int too large to convert to C int",
            ))
        }
    };
    let words = rng(vm, this).mt.bit_words(nbytes as u64 * 8);
    let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes.truncate(nbytes);
    Ok(vm.alloc(Object::Bytes(bytes.into_boxed_slice())))
}

/// An integer argument of randrange: `__index__`, or else an integral
/// value through `int()` (non-integral ones are a ValueError naming `what`).
fn range_arg(vm: &mut Vm, v: Value, what: &str) -> PyResult<BigInt> {
    match to_bigint(vm, v) {
        Ok(b) => Ok(b),
        Err(e) if vm.exc_matches(e.0, ExcKind::TypeError) => {
            let int_cls = Value::Obj(vm.types.int);
            let i = vm.call(int_cls, &[v], &[])?;
            if !vm.eq(i, v)? {
                return Err(vm.value_error(format!("non-integer {what} for randrange()")));
            }
            to_bigint(vm, i)
        }
        Err(e) => Err(e),
    }
}

/// `randrange(start, stop, step)` on big integers (CPython's algorithm).
fn randrange_impl(
    vm: &mut Vm,
    this: Value,
    start: Value,
    stop: Value,
    step: Option<Value>,
) -> PyResult<Value> {
    let istart = range_arg(vm, start, "arg 1")?;
    if stop.is_none() {
        if step.is_some_and(|s| !matches!(s, Value::Int(1))) {
            return Err(vm.type_error("Missing a non-None stop argument"));
        }
        if istart.is_positive() {
            return Ok(below_value(vm, this, &istart));
        }
        return Err(vm.value_error("empty range for randrange()"));
    }
    let istop = range_arg(vm, stop, "stop")?;
    let width = &istop - &istart;
    let istep = match step {
        Some(s) => range_arg(vm, s, "step")?,
        None => BigInt::one(),
    };
    if istep.is_one() {
        if width.is_positive() {
            let r = rng(vm, this).mt.below(&width);
            return Ok(vm.new_bigint(istart + r));
        }
        return Err(vm.value_error(format!(
            "empty range for randrange() ({istart}, {istop}, {width})"
        )));
    }
    let n = if istep.is_positive() {
        (&width + &istep - BigInt::one()).div_floor(&istep)
    } else if istep.is_negative() {
        (&width + &istep + BigInt::one()).div_floor(&istep)
    } else {
        return Err(vm.value_error("zero step for randrange()"));
    };
    if !n.is_positive() {
        return Err(vm.value_error("empty range for randrange()"));
    }
    let r = rng(vm, this).mt.below(&n);
    Ok(vm.new_bigint(istart + istep * r))
}

fn randrange(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(
        vm,
        "randrange",
        &["self", "start", "stop", "step"],
        2,
        args,
        kw,
    )?;
    let start = s[1].unwrap_or(Value::None);
    let stop = s[2].unwrap_or(Value::None);
    // Fast path: randrange(n) and randrange(a, b) on small ints.
    match (start, stop, s[3]) {
        (Value::Int(n), Value::None, None) if n > 0 => {
            return Ok(Value::Int(rng(vm, this).mt.below_u64(n as u64) as i64));
        }
        (Value::Int(a), Value::Int(b), None) if a < b && b.checked_sub(a).is_some() => {
            let r = rng(vm, this).mt.below_u64((b - a) as u64);
            return Ok(Value::Int(a + r as i64));
        }
        _ => {}
    }
    randrange_impl(vm, this, start, stop, s[3])
}

fn randint(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "randint", &["self", "a", "b"], 3, args, kw)?;
    let (a, b) = (s[1].unwrap_or(Value::None), s[2].unwrap_or(Value::None));
    if let (Value::Int(a), Value::Int(b)) = (a, b) {
        if let Some(width) = b.checked_sub(a).filter(|&w| (0..i64::MAX).contains(&w)) {
            let r = rng(vm, this).mt.below_u64(width as u64 + 1);
            return Ok(Value::Int(a + r as i64));
        }
    }
    let stop = vm.binary_op(b, Value::Int(1), BinaryOp::Add)?;
    vm.temp_roots.push(stop);
    let r = randrange_impl(vm, this, a, stop, None);
    vm.temp_roots.pop();
    r
}

// ---- sequences --------------------------------------------------------------------

fn choice(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "choice", &["self", "seq"], 2, args, kw)?;
    let seq = s[1].unwrap_or(Value::None);
    let n = vm.len_of(seq)?;
    if n == 0 {
        return Err(vm.new_error(ExcKind::IndexError, "Cannot choose from an empty sequence"));
    }
    let i = rng(vm, this).mt.below_u64(n as u64);
    if let Some(items) = vm.seq_items(seq) {
        if let Some(&v) = items.get(i as usize) {
            return Ok(v);
        }
    }
    vm.get_item(seq, Value::Int(i as i64))
}

fn shuffle(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let (this, s) = method_args(vm, "shuffle", &["self", "x"], 2, args, kw)?;
    let x = s[1].unwrap_or(Value::None);
    let n = vm.len_of(x)?;
    let is_list = matches!(x, Value::Obj(r) if matches!(vm.heap.get(r), Object::List(_)));
    for i in (1..n).rev() {
        let j = rng(vm, this).mt.below_u64(i as u64 + 1) as usize;
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

fn sample(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let this = receiver(vm, args, "sample")?;
    let s = bind_args(
        vm,
        "Random.sample",
        &["self", "population", "k"],
        3,
        &["counts"],
        args,
        kw,
    )?;
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
            let j = rng(vm, this).mt.below_u64((n - i) as u64) as usize;
            picks.push(pool[j]);
            pool[j] = pool[n - i - 1];
        }
    } else {
        let mut selected = std::collections::HashSet::with_capacity(k);
        for _ in 0..k {
            let mut j = rng(vm, this).mt.below_u64(n as u64) as usize;
            while selected.contains(&j) {
                j = rng(vm, this).mt.below_u64(n as u64) as usize;
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
fn choices(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let this = receiver(vm, args, "choices")?;
    let s = bind_args(
        vm,
        "Random.choices",
        &["self", "population", "weights"],
        2,
        &["cum_weights", "k"],
        args,
        kw,
    )?;
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
        let i = (rng(vm, this).mt.random() * nf).floor() as i64;
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
        let r = Value::Float(rng(vm, this).mt.random());
        let x = vm.binary_op(r, total, BinaryOp::Mul)?;
        vm.temp_roots.push(x);
        let i = bisect_right(vm, cum, x, hi);
        vm.temp_roots.pop();
        let v = vm.get_item(population, Value::Int(i? as i64))?;
        push(vm, out, v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::Zero;

    #[test]
    fn legacy_seed_of_empty_string_is_zero() {
        let vm = Vm::new(Default::default());
        assert_eq!(legacy_string_seed(&vm, Value::None, b""), 0);
    }

    #[test]
    fn zero_is_a_valid_seed() {
        let mut mt = Mt::from_int(&BigUint::zero());
        assert!(mt.random() < 1.0);
    }
}
