//! The timer heap and callback handles.
//!
//! Timers live in a slab (so a task or a handle can name one by index and
//! cancel it in O(1)); a binary heap of slab indices orders them by due
//! time. The heap uses exactly the algorithm of CPython's `heapq`
//! (comparing due times only), so timers due at the same instant fire in
//! the same order as under CPython. Cancelled timers stay in the heap until
//! they reach the top or until more than half the heap is cancelled, when
//! it is rebuilt (CPython's rule).

use crate::vm::object::NativeObject;
use crate::vm::value::{ObjRef, Value};
use std::any::Any;

/// What a timer does when it is due.
#[derive(Clone, Copy)]
pub enum TimerAction {
    /// `asyncio.sleep`: wake the task (on the next pass of the loop, as
    /// CPython's future callback would).
    Wake(ObjRef),
    /// A `TimerHandle` from `call_later`/`call_at`: run its callback.
    Handle(ObjRef),
}

struct Slot {
    when: f64,
    action: TimerAction,
    cancelled: bool,
    /// In the heap (not yet moved to the ready queue).
    scheduled: bool,
    /// Bumped when the slot is reused, so stale ids do nothing.
    generation: u32,
    live: bool,
}

/// Names one timer: slab index and generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerId {
    pub index: u32,
    pub generation: u32,
}

#[derive(Default)]
pub struct Timers {
    slots: Vec<Slot>,
    free: Vec<u32>,
    heap: Vec<u32>,
    cancelled_in_heap: usize,
}

const MIN_SCHEDULED_TIMER_HANDLES: usize = 100;

impl Timers {
    /// Schedules `action` at `when`.
    pub fn add(&mut self, when: f64, action: TimerAction) -> TimerId {
        let index = match self.free.pop() {
            Some(i) => {
                let s = &mut self.slots[i as usize];
                s.when = when;
                s.action = action;
                s.cancelled = false;
                s.scheduled = true;
                s.live = true;
                s.generation = s.generation.wrapping_add(1);
                i
            }
            None => {
                self.slots.push(Slot {
                    when,
                    action,
                    cancelled: false,
                    scheduled: true,
                    generation: 0,
                    live: true,
                });
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(index);
        let last = self.heap.len() - 1;
        self.sift_down(0, last);
        TimerId {
            index,
            generation: self.slots[index as usize].generation,
        }
    }

    fn slot(&self, id: TimerId) -> Option<&Slot> {
        self.slots
            .get(id.index as usize)
            .filter(|s| s.live && s.generation == id.generation)
    }

    /// Cancels a timer (no effect if it already fired or was cancelled).
    pub fn cancel(&mut self, id: TimerId) {
        if self.slot(id).is_none() {
            return;
        }
        let s = &mut self.slots[id.index as usize];
        if s.cancelled {
            return;
        }
        s.cancelled = true;
        if s.scheduled {
            self.cancelled_in_heap += 1;
        }
    }

    /// The action of a live timer.
    pub fn action(&self, id: TimerId) -> Option<TimerAction> {
        self.slot(id).map(|s| s.action)
    }

    /// Is this timer cancelled (or gone)?
    pub fn is_cancelled(&self, id: TimerId) -> bool {
        self.slot(id).is_none_or(|s| s.cancelled)
    }

    /// The action of a timer taken off the heap, freeing its slot.
    pub fn release(&mut self, id: TimerId) -> Option<TimerAction> {
        let s = self.slot(id)?;
        let action = s.action;
        let cancelled = s.cancelled;
        let slot = &mut self.slots[id.index as usize];
        slot.live = false;
        self.free.push(id.index);
        (!cancelled).then_some(action)
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Number of timers in the heap (cancelled ones included).
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Drops cancelled timers as CPython's `_run_once` does: rebuild the
    /// heap when most of it is cancelled, else pop cancelled ones on top.
    pub fn purge_cancelled(&mut self) {
        let n = self.heap.len();
        if n > MIN_SCHEDULED_TIMER_HANDLES && self.cancelled_in_heap * 2 > n {
            let heap = std::mem::take(&mut self.heap);
            for i in heap {
                if self.slots[i as usize].cancelled {
                    self.free_slot(i);
                } else {
                    self.heap.push(i);
                }
            }
            for i in (0..self.heap.len() / 2).rev() {
                self.sift_up(i);
            }
            self.cancelled_in_heap = 0;
        } else {
            while let Some(&top) = self.heap.first() {
                if !self.slots[top as usize].cancelled {
                    break;
                }
                self.cancelled_in_heap = self.cancelled_in_heap.saturating_sub(1);
                self.pop();
                self.free_slot(top);
            }
        }
    }

    fn free_slot(&mut self, i: u32) {
        let s = &mut self.slots[i as usize];
        s.live = false;
        s.scheduled = false;
        self.free.push(i);
    }

    /// When the earliest timer is due.
    pub fn next_due(&self) -> Option<f64> {
        self.heap.first().map(|&i| self.slots[i as usize].when)
    }

    /// Takes the earliest timer off the heap if it is due before `end`.
    pub fn pop_due(&mut self, end: f64) -> Option<(TimerId, bool)> {
        let &top = self.heap.first()?;
        let s = &self.slots[top as usize];
        if s.when >= end {
            return None;
        }
        self.pop();
        let s = &mut self.slots[top as usize];
        s.scheduled = false;
        if s.cancelled {
            self.cancelled_in_heap = self.cancelled_in_heap.saturating_sub(1);
        }
        Some((
            TimerId {
                index: top,
                generation: s.generation,
            },
            s.cancelled,
        ))
    }

    /// Every timer still in the heap (for tracing and the loop's reports).
    pub fn actions(&self) -> impl Iterator<Item = TimerAction> + '_ {
        self.slots.iter().filter(|s| s.live).map(|s| s.action)
    }

    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        for a in self.actions() {
            match a {
                TimerAction::Wake(r) | TimerAction::Handle(r) => f(Value::Obj(r)),
            }
        }
    }

    /// Removes every timer (loop close).
    pub fn clear(&mut self) {
        *self = Timers::default();
    }

    // ---- heapq ----------------------------------------------------------

    fn less(&self, a: u32, b: u32) -> bool {
        self.slots[a as usize].when < self.slots[b as usize].when
    }

    fn pop(&mut self) -> Option<u32> {
        let last = self.heap.pop()?;
        if self.heap.is_empty() {
            return Some(last);
        }
        let top = std::mem::replace(&mut self.heap[0], last);
        self.sift_up(0);
        Some(top)
    }

    /// heapq's `_siftdown`: moves the item at `pos` up towards `start`.
    fn sift_down(&mut self, start: usize, mut pos: usize) {
        let item = self.heap[pos];
        while pos > start {
            let parent_pos = (pos - 1) >> 1;
            let parent = self.heap[parent_pos];
            if self.less(item, parent) {
                self.heap[pos] = parent;
                pos = parent_pos;
                continue;
            }
            break;
        }
        self.heap[pos] = item;
    }

    /// heapq's `_siftup`: moves the smaller child up until a leaf, then
    /// sifts the item down from there.
    fn sift_up(&mut self, mut pos: usize) {
        let end = self.heap.len();
        let start = pos;
        let item = self.heap[pos];
        let mut child = 2 * pos + 1;
        while child < end {
            let right = child + 1;
            if right < end && !self.less(self.heap[child], self.heap[right]) {
                child = right;
            }
            self.heap[pos] = self.heap[child];
            pos = child;
            child = 2 * pos + 1;
        }
        self.heap[pos] = item;
        self.sift_down(start, pos);
    }
}

/// A `Handle` (from `call_soon`) or `TimerHandle` (from `call_later` /
/// `call_at`): a callback, its arguments and its context.
pub struct HandleObj {
    pub class: ObjRef,
    /// None once cancelled.
    pub callback: Value,
    /// A tuple.
    pub args: Value,
    pub context: Value,
    pub cancelled: bool,
    /// For timer handles: the due time and the timer.
    pub when: f64,
    pub timer: Option<TimerId>,
    pub event_loop: ObjRef,
    /// In debug mode, the code and instruction that scheduled it (CPython's
    /// `_source_traceback`, shown as "created at file:line").
    pub origin: Option<(std::rc::Rc<crate::bytecode::Code>, u32)>,
}

impl NativeObject for HandleObj {
    fn class(&self) -> ObjRef {
        self.class
    }
    fn trace(&self, f: &mut dyn FnMut(Value)) {
        f(self.callback);
        f(self.args);
        f(self.context);
        f(Value::Obj(self.event_loop));
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wake() -> TimerAction {
        TimerAction::Wake(ObjRef(0))
    }

    #[test]
    fn pops_in_time_order() {
        let mut t = Timers::default();
        for w in [5.0, 1.0, 3.0, 2.0, 4.0] {
            t.add(w, wake());
        }
        let mut got = Vec::new();
        while let Some((id, _)) = t.pop_due(10.0) {
            got.push(t.slots[id.index as usize].when);
            t.release(id);
        }
        assert_eq!(got, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    fn cancelled_timers_are_skipped_and_ids_go_stale() {
        let mut t = Timers::default();
        let a = t.add(1.0, wake());
        let b = t.add(2.0, wake());
        t.cancel(a);
        t.purge_cancelled();
        assert_eq!(t.next_due(), Some(2.0));
        let (id, cancelled) = t.pop_due(5.0).unwrap();
        assert_eq!(id, b);
        assert!(!cancelled);
        assert!(t.release(id).is_some());
        // The new timer reuses a freed slot; the old ids cannot touch it.
        let c = t.add(3.0, wake());
        assert!(c.index == a.index || c.index == b.index);
        t.cancel(a);
        t.cancel(b);
        assert!(!t.is_cancelled(c));
    }
}
