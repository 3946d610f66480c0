//! String objects.
//!
//! A `str` is immutable UTF-8 with its length in code points precomputed, so
//! an ASCII string (where bytes and code points coincide) indexes in O(1).
//! The hash is computed on first use and cached.

use std::cell::Cell;

pub struct StrObj {
    pub s: Box<str>,
    /// Length in code points.
    pub nchars: usize,
    hash: Cell<Option<i64>>,
}

impl StrObj {
    pub fn new(s: impl Into<Box<str>>) -> StrObj {
        let s = s.into();
        let nchars = if s.is_ascii() {
            s.len()
        } else {
            s.chars().count()
        };
        StrObj {
            s,
            nchars,
            hash: Cell::new(None),
        }
    }

    /// True when every character is ASCII (byte index == char index).
    #[inline]
    pub fn is_ascii(&self) -> bool {
        self.nchars == self.s.len()
    }

    /// The string's hash (stable within one process, like CPython's).
    #[inline]
    pub fn hash(&self) -> i64 {
        if let Some(h) = self.hash.get() {
            return h;
        }
        let h = hash_str(&self.s);
        self.hash.set(Some(h));
        h
    }

    /// The character at code-point index `i` (0 <= i < nchars).
    pub fn char_at(&self, i: usize) -> char {
        if self.is_ascii() {
            self.s.as_bytes()[i] as char
        } else {
            self.s.chars().nth(i).unwrap_or('\0')
        }
    }

    /// Byte offset of code-point index `i` (0 <= i <= nchars).
    pub fn byte_offset(&self, i: usize) -> usize {
        if self.is_ascii() {
            i
        } else {
            self.s
                .char_indices()
                .nth(i)
                .map_or(self.s.len(), |(b, _)| b)
        }
    }
}

/// FNV-1a over the UTF-8 bytes, folded so it is never -1 (as Python hashes).
pub fn hash_str(s: &str) -> i64 {
    hash_bytes(s.as_bytes())
}

/// FNV-1a over bytes (used for `str` and `bytes`), never -1.
pub fn hash_bytes(bytes: &[u8]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let h = (h >> 1) as i64;
    if h == -1 {
        -2
    } else {
        h
    }
}
