//! The heap: an arena of objects and a precise mark-and-sweep collector.
//!
//! Every heap object lives in one slot of `slots`; an [`ObjRef`] is a slot
//! index. Freed slots go on a free list and are reused. The slot array
//! grows without copying (see `slot_vec.rs`). There are no object
//! headers: the mark bits live in a separate bit vector, so an object costs
//! only its slot.
//!
//! Invariant (the rooting rule): the collector runs only at safe points of the
//! dispatch loop (`Vm::maybe_collect`), and traces from the VM's roots: every
//! fiber's value stack and frames, module and builtin namespaces, interned
//! strings, the event loop's queues and `Vm::temp_roots`. Rust code that holds
//! a `Value` in a local variable across a call back into aspy code (which can
//! reach a safe point) must first push it onto `temp_roots`. Rust code that
//! does not call back into aspy code needs no rooting.

use super::object::{AttrMap, Object};
use super::slot_vec::SlotVec;
use super::value::{ObjRef, Value};
use rustc_hash::FxHashMap;

/// What an instance of a user subclass of a built-in type (`class D(dict)`)
/// has beyond the built-in object itself: its class and its attributes.
/// The object stays an ordinary `Object::Dict` (or `List`, `Str`, ...), so
/// every native method works on it unchanged.
pub struct SubclassExt {
    pub class: ObjRef,
    pub attrs: AttrMap,
}

/// The object arena and collector state.
pub struct Heap {
    slots: SlotVec<Option<Object>>,
    free: Vec<u32>,
    marks: Vec<u64>,
    live: usize,
    allocated_since_gc: usize,
    threshold: usize,
    /// The least number of allocations between collections.
    min_threshold: usize,
    /// Number of collections so far (for tests and `--stats`).
    pub collections: usize,
    /// When set, every safe point collects (a test mode that flushes out
    /// rooting bugs).
    pub stress: bool,
    /// Upper bound on live objects (the embedding API's heap limit); 0 = none.
    pub max_objects: usize,
    /// Side table of subclass extensions, by slot; `ext_bits` says which
    /// slots have one, so the common check costs one bit test.
    exts: FxHashMap<u32, Box<SubclassExt>>,
    ext_bits: Vec<u64>,
    /// Coroutines freed without ever being started, for the VM to report
    /// ("coroutine '...' was never awaited"): qualname and creation site.
    pub unawaited: Vec<Unawaited>,
    /// Objects to be told about when they become unreachable (held weakly).
    /// A collection that finds one unreachable keeps it alive one more
    /// cycle and moves it to `dying`, for the VM's finalize hook.
    pub watched: Vec<ObjRef>,
    pub dying: Vec<ObjRef>,
    /// Generators flagged `GEN_NEEDS_FIN` (see `vm/finalize.rs`): when
    /// zero, no drop needs checking.
    pub fin_count: usize,
    /// Flagged generators a collection found unreachable: kept alive for
    /// the VM to finalise.
    pub fin_queue: Vec<ObjRef>,
    /// How many more objects reachability checks of dropped generators may
    /// mark before the next collection refills it (bounds their cost).
    pub fin_budget: usize,
    /// Flagged generators held by the locals of frames an exception
    /// unwound (CPython's traceback keeps them until the exception is
    /// handled); checked when a handler ends. Forgotten at a collection,
    /// which finalises the unreachable ones itself.
    pub fin_deferred: Vec<ObjRef>,
    /// Generators flagged since the last check after a native call (one
    /// started by `next(gen())` is dropped when the call returns).
    /// Forgotten at a collection.
    pub fin_recent: Vec<ObjRef>,
    /// The collector's work lists, kept between collections.
    mark_stack: Vec<ObjRef>,
}

/// A coroutine collected before it was ever awaited.
pub struct Unawaited {
    pub qualname: std::rc::Rc<str>,
    pub origin: Option<(std::rc::Rc<crate::bytecode::Code>, u32)>,
}

const MIN_THRESHOLD: usize = 20_000;

/// Cap of `Heap::fin_budget` (objects marked by drop checks between
/// collections).
const FIN_BUDGET_MAX: usize = 8_000_000;

/// Slots reserved when the heap is made.
const INITIAL_SLOTS: usize = 4096;

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

impl Heap {
    pub fn new() -> Heap {
        Heap {
            // Room for the built-in types and functions and a small
            // program, so starting up does not regrow the arena.
            slots: SlotVec::with_capacity(INITIAL_SLOTS),
            free: Vec::new(),
            marks: Vec::new(),
            live: 0,
            allocated_since_gc: 0,
            threshold: MIN_THRESHOLD,
            min_threshold: MIN_THRESHOLD,
            collections: 0,
            stress: false,
            max_objects: 0,
            exts: FxHashMap::default(),
            ext_bits: Vec::new(),
            unawaited: Vec::new(),
            watched: Vec::new(),
            dying: Vec::new(),
            fin_count: 0,
            fin_queue: Vec::new(),
            fin_budget: FIN_BUDGET_MAX,
            fin_deferred: Vec::new(),
            fin_recent: Vec::new(),
            mark_stack: Vec::new(),
        }
    }

    /// Stores `obj` in a free slot and returns its handle.
    #[inline]
    pub fn alloc(&mut self, obj: Object) -> ObjRef {
        self.live += 1;
        self.allocated_since_gc += 1;
        if let Some(i) = self.free.pop() {
            self.slots[i as usize] = Some(obj);
            ObjRef(i)
        } else {
            let i = self.slots.len() as u32;
            self.slots.push(Some(obj));
            ObjRef(i)
        }
    }

    /// The object behind a handle.
    #[inline]
    pub fn get(&self, r: ObjRef) -> &Object {
        match self.slots.get(r.0 as usize) {
            Some(Some(obj)) => obj,
            _ => dangling(r),
        }
    }

    /// The object behind a handle, mutably.
    #[inline]
    pub fn get_mut(&mut self, r: ObjRef) -> &mut Object {
        match self.slots.get_mut(r.0 as usize) {
            Some(Some(obj)) => obj,
            _ => dangling(r),
        }
    }

    /// Collect after every `n` allocations at least (`n` = 1 collects at
    /// nearly every safe point: a test mode that flushes out rooting bugs).
    pub fn set_min_threshold(&mut self, n: usize) {
        self.min_threshold = n.max(1);
        self.threshold = self.min_threshold;
    }

    /// Does the object at `r` belong to a user subclass of a built-in type?
    #[inline]
    pub fn has_ext(&self, r: ObjRef) -> bool {
        has_bit(&self.ext_bits, r)
    }

    /// The subclass extension of the object at `r`, if it has one.
    #[inline]
    pub fn ext(&self, r: ObjRef) -> Option<&SubclassExt> {
        if self.has_ext(r) {
            self.exts.get(&r.0).map(|b| &**b)
        } else {
            None
        }
    }

    pub fn ext_mut(&mut self, r: ObjRef) -> Option<&mut SubclassExt> {
        if self.has_ext(r) {
            self.exts.get_mut(&r.0).map(|b| &mut **b)
        } else {
            None
        }
    }

    /// Makes the object at `r` an instance of the subclass `class`.
    pub fn set_ext(&mut self, r: ObjRef, class: ObjRef) {
        let i = r.0 as usize;
        if self.ext_bits.len() <= i / 64 {
            self.ext_bits.resize(i / 64 + 1, 0);
        }
        self.ext_bits[i / 64] |= 1u64 << (i % 64);
        self.exts.insert(
            r.0,
            Box::new(SubclassExt {
                class,
                attrs: AttrMap::default(),
            }),
        );
    }

    /// Number of live objects (after the last collection, plus new ones).
    pub fn live_objects(&self) -> usize {
        self.live
    }

    /// Should the next safe point collect?
    #[inline]
    pub fn wants_collection(&self) -> bool {
        self.allocated_since_gc >= self.threshold || self.stress
    }

    /// Marks everything reachable from the roots `roots` reports (through
    /// the function it is given), then frees the rest. Returns the number
    /// of objects freed.
    pub fn collect(&mut self, roots: impl FnOnce(&mut dyn FnMut(Value))) -> usize {
        self.fin_deferred.clear();
        self.fin_recent.clear();
        self.marks.clear();
        self.marks.resize(self.slots.len().div_ceil(64), 0);
        // The mark stack keeps its capacity from
        // one collection to the next: a big heap would otherwise allocate
        // and free megabytes per collection.
        let mut stack = std::mem::take(&mut self.mark_stack);
        let (slots, marks, ext_bits) = (&self.slots, &mut self.marks, &self.ext_bits);
        roots(&mut |v| {
            if let Value::Obj(r) = v {
                mark(marks, slots, ext_bits, r, &mut stack);
            }
        });
        self.drain(&mut stack);
        if self.fin_count > 0 {
            self.resurrect_finalizable(&mut stack);
        }
        self.resurrect_watched(&mut stack);
        self.mark_stack = stack;
        self.sweep()
    }

    /// Marks everything reachable from `roots` without freeing anything,
    /// for [`Heap::is_marked`] (a reachability check of dropped objects).
    pub fn mark_only(&mut self, roots: impl IntoIterator<Item = Value>) {
        self.marks.clear();
        self.marks.resize(self.slots.len().div_ceil(64), 0);
        let mut stack = std::mem::take(&mut self.mark_stack);
        for v in roots {
            if let Value::Obj(r) = v {
                mark(&mut self.marks, &self.slots, &self.ext_bits, r, &mut stack);
            }
        }
        self.drain(&mut stack);
        self.mark_stack = stack;
    }

    /// Was `r` reached by the last marking?
    pub fn is_marked(&self, r: ObjRef) -> bool {
        has_bit(&self.marks, r)
    }

    /// Unreachable generators flagged for finalisation go to `fin_queue`
    /// and are marked (with what they reach) so they survive this
    /// collection (PEP 442: the finaliser sees them whole).
    fn resurrect_finalizable(&mut self, stack: &mut Vec<ObjRef>) {
        let flag = super::object::generator::GEN_NEEDS_FIN;
        for (i, slot) in self.slots.iter().enumerate() {
            if let Some(Object::Generator(g)) = slot {
                if g.flags & flag != 0 && self.marks[i / 64] & (1u64 << (i % 64)) == 0 {
                    self.fin_queue.push(ObjRef(i as u32));
                }
            }
        }
        let queue = std::mem::take(&mut self.fin_queue);
        for &r in &queue {
            mark(&mut self.marks, &self.slots, &self.ext_bits, r, stack);
        }
        self.fin_queue = queue;
        self.drain(stack);
    }

    /// Every generator flagged for finalisation, in slot order.
    pub fn flagged_generators(&self) -> Vec<ObjRef> {
        let flag = super::object::generator::GEN_NEEDS_FIN;
        let flagged = |(i, s): (usize, &Option<Object>)| match s {
            Some(Object::Generator(g)) if g.flags & flag != 0 => Some(ObjRef(i as u32)),
            _ => None,
        };
        self.slots.iter().enumerate().filter_map(flagged).collect()
    }

    /// Moves unreachable watched objects to `dying` and marks them (and
    /// what they reach) so they survive this collection.
    fn resurrect_watched(&mut self, stack: &mut Vec<ObjRef>) {
        if self.watched.is_empty() {
            return;
        }
        let watched = std::mem::take(&mut self.watched);
        let mut kept = Vec::with_capacity(watched.len());
        for r in watched {
            let i = r.0 as usize;
            if self.marks[i / 64] & (1u64 << (i % 64)) != 0 {
                kept.push(r);
            } else {
                self.dying.push(r);
            }
        }
        self.watched = kept;
        for &r in &self.dying {
            mark(&mut self.marks, &self.slots, &self.ext_bits, r, stack);
        }
        self.drain(stack);
    }

    /// Traces the objects on `stack` (already marked) until everything
    /// they reach is marked.
    fn drain(&mut self, stack: &mut Vec<ObjRef>) {
        let (slots, marks, ext_bits) = (&self.slots, &mut self.marks, &self.ext_bits);
        let mut visit = |v: Value, stack: &mut Vec<ObjRef>| {
            if let Value::Obj(c) = v {
                mark(marks, slots, ext_bits, c, stack);
            }
        };
        while let Some(r) = stack.pop() {
            if let Some(Some(obj)) = slots.get(r.0 as usize) {
                obj.trace(&mut |v| visit(v, stack));
            }
            if has_bit(ext_bits, r) {
                if let Some(ext) = self.exts.get(&r.0) {
                    visit(Value::Obj(ext.class), stack);
                    ext.attrs.trace(&mut |v| visit(v, stack));
                }
            }
        }
    }

    fn sweep(&mut self) -> usize {
        let mut freed = 0;
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if slot.is_some() && self.marks[i / 64] & (1u64 << (i % 64)) == 0 {
                if let Some(u) = slot.as_ref().and_then(unawaited) {
                    self.unawaited.push(u);
                }
                *slot = None;
                self.free.push(i as u32);
                freed += 1;
                if let Some(w) = self.ext_bits.get_mut(i / 64) {
                    if *w & (1u64 << (i % 64)) != 0 {
                        *w &= !(1u64 << (i % 64));
                        self.exts.remove(&(i as u32));
                    }
                }
            }
        }
        self.live -= freed;
        self.allocated_since_gc = 0;
        self.threshold = self.live.max(self.min_threshold);
        self.fin_budget = (self.fin_budget + 2 * self.threshold).min(FIN_BUDGET_MAX);
        self.collections += 1;
        freed
    }
}

/// The report for an object that is an unstarted coroutine (or a native
/// coroutine-like object never awaited), if it is one.
fn unawaited(obj: &Object) -> Option<Unawaited> {
    match obj {
        Object::Generator(g) => {
            if g.kind != crate::bytecode::CodeKind::Coroutine
                || g.state != super::object::GenState::Created
            {
                return None;
            }
            Some(Unawaited {
                qualname: g.code.code.qualname.clone(),
                origin: g.origin(),
            })
        }
        Object::Native(n) => n.unawaited(),
        _ => None,
    }
}

/// Every unstarted coroutine still on the heap (reported at exit).
impl Heap {
    /// The never-awaited report for `r`, if it is an unstarted coroutine.
    pub fn unawaited_of(&self, r: ObjRef) -> Option<Unawaited> {
        unawaited(self.get(r))
    }

    pub fn live_unawaited(&self) -> Vec<Unawaited> {
        self.slots
            .iter()
            .filter_map(|s| s.as_ref().and_then(unawaited))
            .collect()
    }
}

/// Is bit `r` set in a per-slot bit vector?
#[inline]
fn has_bit(bits: &[u64], r: ObjRef) -> bool {
    let i = r.0 as usize;
    bits.get(i / 64)
        .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
}

/// Marks `r`; schedules it for tracing only if it can reach other objects
/// (strings, numbers and the like are marked and done, which spares the
/// mark stack the items of a big list of strings).
#[inline]
fn mark(
    marks: &mut [u64],
    slots: &[Option<Object>],
    ext_bits: &[u64],
    r: ObjRef,
    stack: &mut Vec<ObjRef>,
) {
    let i = r.0 as usize;
    let (word, bit) = (i / 64, 1u64 << (i % 64));
    if marks[word] & bit != 0 {
        return;
    }
    marks[word] |= bit;
    let leaf = matches!(
        slots.get(i),
        Some(Some(
            Object::Str(_)
                | Object::Bytes(_)
                | Object::ByteArray(_)
                | Object::BigInt(_)
                | Object::Range(_)
                | Object::BigRange(_)
        ))
    );
    if !leaf || has_bit(ext_bits, r) {
        stack.push(r);
    }
}

#[cold]
#[inline(never)]
fn dangling(r: ObjRef) -> ! {
    panic!("aspy internal error: dangling object handle {r:?} (a GC rooting bug)")
}
