//! String objects.
//!
//! A `str` is immutable UTF-8 with its length in code points precomputed, so
//! an ASCII string (where bytes and code points coincide) indexes in O(1).
//! The hash is computed on first use and cached. Long non-ASCII strings get
//! a sparse character index on first indexing, so `s[i]` stays cheap.

use std::cell::{Cell, OnceCell};

pub struct StrObj {
    pub s: Box<str>,
    /// Length in code points.
    pub nchars: usize,
    hash: Cell<Option<i64>>,
    /// For long non-ASCII strings, built on first indexing: the byte offset
    /// of every `CRUMB`-th character, so indexing costs O(CRUMB), not O(n).
    crumbs: OnceCell<Box<[usize]>>,
}

impl StrObj {
    pub fn new(s: impl Into<Box<str>>) -> StrObj {
        let s = s.into();
        let nchars = char_count(s.as_bytes());
        StrObj::with_nchars(s, nchars)
    }

    /// A string whose length in code points is already known.
    pub fn with_nchars(s: Box<str>, nchars: usize) -> StrObj {
        debug_assert_eq!(nchars, char_count(s.as_bytes()));
        StrObj {
            s,
            nchars,
            hash: Cell::new(None),
            crumbs: OnceCell::new(),
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
            self.s[self.byte_offset(i)..].chars().next().unwrap_or('\0')
        }
    }

    /// Byte offset of code-point index `i` (0 <= i <= nchars).
    pub fn byte_offset(&self, i: usize) -> usize {
        if self.is_ascii() {
            return i;
        }
        if i >= self.nchars {
            return self.s.len();
        }
        let (mut byte, mut left) = if self.nchars <= CRUMB {
            (0, i)
        } else {
            let crumbs = self.crumbs.get_or_init(|| breadcrumbs(&self.s));
            (crumbs[i / CRUMB], i % CRUMB)
        };
        let bytes = self.s.as_bytes();
        while left > 0 {
            byte += utf8_len(bytes[byte]);
            left -= 1;
        }
        byte
    }

    /// Code-point index of byte offset `byte` (a character boundary).
    pub fn char_index(&self, byte: usize) -> usize {
        if self.is_ascii() {
            byte
        } else {
            char_count(&self.s.as_bytes()[..byte])
        }
    }
}

/// Characters between breadcrumbs in the index of a non-ASCII string.
const CRUMB: usize = 64;

/// Byte offsets of characters 0, CRUMB, 2*CRUMB, ...
fn breadcrumbs(s: &str) -> Box<[usize]> {
    s.char_indices().step_by(CRUMB).map(|(b, _)| b).collect()
}

/// Length of the UTF-8 sequence that starts with `lead`.
#[inline]
fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Number of characters in valid UTF-8 (bytes that are not continuations).
pub fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
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
