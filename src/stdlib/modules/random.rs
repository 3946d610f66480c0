//! The `random` module: CPython's `random.Random` (seeding, integers,
//! sequences) over the Mersenne Twister of `random_mt.rs`, following
//! CPython's algorithms step for step so that seeded programs draw the same
//! values. The sequence methods are in `random_seq.rs`, the distributions
//! (`gauss`, `uniform`, ...) in `random_dist.rs`.
//!
//! Module-level functions are the bound methods of one hidden instance, as
//! in CPython. `random.Random` cannot be subclassed in aspy.

use super::args::{is_int, to_bigint, to_f64, to_i64, Signature, Slots};
use super::random_mt::Mt;
use super::{random_dist, random_seq, NativeModule};
use crate::bytecode::BinaryOp;
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

/// A `random.Random` (or `random.SystemRandom`) instance.
pub struct RandomObj {
    class: ObjRef,
    pub mt: Mt,
    /// Draw from the operating system's entropy instead of `mt`
    /// (`SystemRandom`).
    system: bool,
    /// The second value of the last `gauss` pair, if not used yet.
    pub gauss_next: Option<f64>,
}

impl RandomObj {
    /// A float in [0, 1) (`random()`).
    pub fn random(&mut self) -> f64 {
        if self.system {
            // 53 random bits, as SystemRandom.random does.
            (os_bits(53).to_u64().unwrap_or(0)) as f64 * 2f64.powi(-53)
        } else {
            self.mt.random()
        }
    }

    /// `getrandbits(k)`.
    pub fn bits(&mut self, k: u64) -> BigUint {
        if self.system {
            os_bits(k)
        } else {
            self.mt.bits(k)
        }
    }

    /// The 32-bit words of `getrandbits(k)`, least significant first.
    pub fn bit_words(&mut self, k: u64) -> Vec<u32> {
        if self.system {
            let mut words = os_bits(k).to_u32_digits();
            words.resize(k.div_ceil(32) as usize, 0);
            words
        } else {
            self.mt.bit_words(k)
        }
    }

    /// A uniform int in [0, n) for n > 0.
    pub fn below_u64(&mut self, n: u64) -> u64 {
        if self.system {
            return self.below(&BigInt::from(n)).to_u64().unwrap_or(0);
        }
        self.mt.below_u64(n)
    }

    /// A uniform int in [0, n) for n > 0, of any size.
    pub fn below(&mut self, n: &BigInt) -> BigInt {
        if !self.system {
            return self.mt.below(n);
        }
        let k = n.bits();
        loop {
            let r = BigInt::from(os_bits(k));
            if &r < n {
                return r;
            }
        }
    }
}

/// `k` random bits from the operating system.
fn os_bits(k: u64) -> BigUint {
    let mut bytes = vec![0u8; k.div_ceil(8) as usize];
    fill_random(&mut bytes);
    BigUint::from_bytes_le(&bytes) >> (bytes.len() as u64 * 8 - k)
}

/// Fills `buf` from the operating system's entropy source; false if it
/// is not available.
fn fill_random(buf: &mut [u8]) -> bool {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: `rest` is valid and writable for its whole length.
        let got = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if got <= 0 {
            return false;
        }
        done += got as usize;
    }
    true
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
    ("choice", random_seq::choice),
    ("shuffle", random_seq::shuffle),
    ("sample", random_seq::sample),
    ("choices", random_seq::choices),
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
    let system = vm.new_class("SystemRandom", &[cls], crate::vm::object::Layout::Builtin);
    let module = Value::Obj(vm.intern("random"));
    if let Object::Class(c) = vm.heap.get_mut(system) {
        c.module = module;
    }
    m.set(vm, "SystemRandom", Value::Obj(system));
    add_method(vm, system, "__new__", system_new);
    add_method(vm, system, "seed", system_seed);
    add_method(vm, system, "getstate", system_no_state);
    add_method(vm, system, "setstate", system_no_state);
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
        system: false,
        gauss_next: None,
    })))
}

/// `SystemRandom(x=None)`: the seed is ignored.
fn system_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let sig = Signature {
        owner: "Random",
        name: "__init__",
        params: &["self", "x"],
        required: 1,
        kwonly: &[],
    };
    sig.bind(vm, args, kw)?;
    let Some(&Value::Obj(cls)) = args.first() else {
        return Err(vm.type_error("SystemRandom.__new__(X): X is not a type object"));
    };
    Ok(vm.alloc(Object::Native(Box::new(RandomObj {
        class: cls,
        mt: Mt::from_key(&[0]),
        system: true,
        gauss_next: None,
    }))))
}

/// `SystemRandom.seed(*args, **kwds)`: does nothing.
fn system_seed(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    receiver(vm, args, "seed")?;
    Ok(Value::None)
}

/// `SystemRandom.getstate`/`setstate`.
fn system_no_state(vm: &mut Vm, _args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    Err(vm.new_error(
        ExcKind::NotImplementedError,
        "System entropy source does not have state.",
    ))
}

/// A generator seeded from the operating system's entropy.
fn entropy_mt() -> Mt {
    let mut key = [0u32; 624];
    let mut bytes = [0u8; 624 * 4];
    if !fill_random(&mut bytes) {
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
) -> PyResult<(Value, Slots)> {
    let this = receiver(vm, args, name)?;
    let sig = Signature {
        owner: "Random",
        name,
        params,
        required,
        kwonly: &[],
    };
    let slots = sig.bind(vm, args, kw)?;
    Ok((this, slots))
}

/// A uniform int in [0, n) for n > 0, as a value.
fn below_value(vm: &mut Vm, this: Value, n: &BigInt) -> Value {
    let r = rng(vm, this).below(n);
    vm.new_bigint(r)
}

// ---- construction and state ---------------------------------------------------

/// `Random(x=None)`.
fn random_new(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let sig = Signature {
        owner: "Random",
        name: "__init__",
        params: &["self", "x"],
        required: 1,
        kwonly: &[],
    };
    let slots = sig.bind(vm, args, kw)?;
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
            Object::Str(s) => Some(s.as_str().as_bytes().to_vec()),
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
    Ok(Value::Float(rng(vm, this).random()))
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
    let bits = rng(vm, this).bits(k);
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
    let words = rng(vm, this).bit_words(nbytes as u64 * 8);
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
            let r = rng(vm, this).below(&width);
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
    let r = rng(vm, this).below(&n);
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
            return Ok(Value::Int(rng(vm, this).below_u64(n as u64) as i64));
        }
        (Value::Int(a), Value::Int(b), None) if a < b && b.checked_sub(a).is_some() => {
            let r = rng(vm, this).below_u64((b - a) as u64);
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
            let r = rng(vm, this).below_u64(width as u64 + 1);
            return Ok(Value::Int(a + r as i64));
        }
    }
    let stop = vm.binary_op(b, Value::Int(1), BinaryOp::Add)?;
    vm.temp_roots.push(stop);
    let r = randrange_impl(vm, this, a, stop, None);
    vm.temp_roots.pop();
    r
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
