//! The heap's slot array: a growable vector whose buffer comes from the
//! system allocator rather than the global one.
//!
//! The slot array is the largest single allocation of a big program (32
//! bytes per object). Growing a `Vec` through mimalloc copies it, so for a
//! moment the old and the new buffer are both resident: a heap of 600,000
//! objects briefly costs 35 MB instead of 19. The system allocator (glibc)
//! serves large blocks with `mmap` and grows them with `mremap`, which moves
//! pages instead of copying them, and the doubled capacity costs nothing
//! until it is touched.
//!
//! Invariant: the first `len` elements of the buffer are initialised; the
//! buffer holds `cap` elements; `ptr` is dangling when `cap` is 0.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr::NonNull;

/// A vector of `T` in a buffer from the system allocator (push, slices).
pub struct SlotVec<T> {
    ptr: NonNull<T>,
    len: usize,
    cap: usize,
}

impl<T> SlotVec<T> {
    pub const fn new() -> SlotVec<T> {
        SlotVec {
            ptr: NonNull::dangling(),
            len: 0,
            cap: 0,
        }
    }

    /// An empty vector with room for `cap` elements.
    pub fn with_capacity(cap: usize) -> SlotVec<T> {
        let mut v = SlotVec::new();
        if cap > 0 {
            v.grow_to(cap);
        }
        v
    }

    /// Number of elements the buffer holds without growing.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Appends `v`, doubling the buffer when it is full.
    #[inline]
    pub fn push(&mut self, v: T) {
        if self.len == self.cap {
            self.grow();
        }
        // SAFETY: `len < cap`: the slot is inside the buffer and unused.
        unsafe { self.ptr.as_ptr().add(self.len).write(v) };
        self.len += 1;
    }

    #[cold]
    fn grow(&mut self) {
        self.grow_to((self.cap * 2).max(1024));
    }

    /// Reallocates the buffer to hold `new_cap` (> `cap`) elements.
    fn grow_to(&mut self, new_cap: usize) {
        let new_layout = Layout::array::<T>(new_cap).expect("heap slot array too large");
        // SAFETY: the old layout is the one the buffer was allocated with;
        // the new size is non-zero (T is never zero-sized here).
        let p = unsafe {
            if self.cap == 0 {
                System.alloc(new_layout)
            } else {
                let old = Layout::array::<T>(self.cap).unwrap();
                System.realloc(self.ptr.as_ptr().cast(), old, new_layout.size())
            }
        };
        let Some(p) = NonNull::new(p.cast::<T>()) else {
            std::alloc::handle_alloc_error(new_layout)
        };
        self.ptr = p;
        self.cap = new_cap;
    }
}

impl<T> Default for SlotVec<T> {
    fn default() -> Self {
        SlotVec::new()
    }
}

impl<T> std::ops::Deref for SlotVec<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        // SAFETY: the first `len` elements are initialised.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> std::ops::DerefMut for SlotVec<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: the first `len` elements are initialised and borrowed
        // exclusively through `self`.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> Drop for SlotVec<T> {
    fn drop(&mut self) {
        // SAFETY: drops the initialised elements once, then frees the
        // buffer with the layout it was allocated with.
        unsafe {
            std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(
                self.ptr.as_ptr(),
                self.len,
            ));
            if self.cap > 0 {
                System.dealloc(
                    self.ptr.as_ptr().cast(),
                    Layout::array::<T>(self.cap).unwrap(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SlotVec;

    #[test]
    fn grows_and_drops() {
        let mut v: SlotVec<Option<String>> = SlotVec::new();
        for i in 0..5000 {
            v.push(Some(i.to_string()));
        }
        assert_eq!(v.len(), 5000);
        assert_eq!(v[4321].as_deref(), Some("4321"));
        v[7] = None;
        assert!(v.iter().filter(|s| s.is_none()).count() == 1);
        assert!(v.capacity() >= 5000);
    }
}
