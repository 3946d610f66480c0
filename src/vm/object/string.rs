//! String objects.
//!
//! A `str` is immutable UTF-8. It is 24 bytes, so it fits a heap slot with
//! no allocation of its own when short:
//!
//! - up to [`INLINE_CAP`] bytes the text is stored inline; the length in
//!   code points and the hash are recomputed when asked (both are a short
//!   loop over at most 22 bytes);
//! - longer text lives in one allocation: a [`Header`] (length in code
//!   points, cached hash, sparse character index) followed by the bytes.
//!
//! ASCII text (where bytes and code points coincide) indexes in O(1); long
//! non-ASCII strings get a sparse character index on first indexing, so
//! `s[i]` stays cheap.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::cell::{Cell, OnceCell};
use std::ptr::NonNull;

/// Strings of at most this many bytes are stored inline.
pub const INLINE_CAP: usize = 22;

/// A `str` object's text and cached facts about it.
pub struct StrObj(Repr);

enum Repr {
    Inline {
        len: u8,
        buf: [u8; INLINE_CAP],
    },
    /// `ptr` owns an allocation of `Header` followed by `len` bytes of UTF-8.
    Heap {
        ptr: NonNull<Header>,
        len: usize,
    },
}

/// The start of a long string's allocation; the text follows it.
struct Header {
    /// Length in code points.
    nchars: usize,
    /// The hash, or -1 (never a Python hash) until computed.
    hash: Cell<i64>,
    /// For long non-ASCII strings, built on first indexing: the byte offset
    /// of every `CRUMB`-th character, so indexing costs O(CRUMB), not O(n).
    crumbs: OnceCell<Box<Box<[usize]>>>,
}

const _: () = assert!(std::mem::size_of::<StrObj>() == 24);

impl StrObj {
    /// A string with this text.
    pub fn new(s: impl AsRef<str>) -> StrObj {
        let s = s.as_ref();
        if s.len() <= INLINE_CAP {
            return StrObj::inline(s);
        }
        StrObj::with_nchars(s, char_count(s.as_bytes()))
    }

    /// A string whose length in code points is already known.
    pub fn with_nchars(s: impl AsRef<str>, nchars: usize) -> StrObj {
        let s = s.as_ref();
        debug_assert_eq!(nchars, char_count(s.as_bytes()));
        if s.len() <= INLINE_CAP {
            return StrObj::inline(s);
        }
        StrObj::from_parts(&[s], nchars)
    }

    /// The concatenation of `parts`, whose lengths in code points add up
    /// to `nchars` (ignored when the result is short enough to be inline),
    /// built in place (no intermediate `String`).
    pub fn from_parts(parts: &[&str], nchars: usize) -> StrObj {
        StrObj::concat_all(parts.iter().copied(), nchars)
    }

    /// [`StrObj::from_parts`] for parts given by an iterator (walked twice:
    /// once for the length, once to copy).
    pub fn concat_all<'a, I>(parts: I, nchars: usize) -> StrObj
    where
        I: Iterator<Item = &'a str> + Clone,
    {
        let len: usize = parts.clone().map(str::len).sum();
        if len <= INLINE_CAP {
            let mut buf = [0u8; INLINE_CAP];
            let mut at = 0;
            for p in parts {
                buf[at..at + p.len()].copy_from_slice(p.as_bytes());
                at += p.len();
            }
            return StrObj(Repr::Inline {
                len: len as u8,
                buf,
            });
        }
        let layout = heap_layout(len);
        // SAFETY: the layout has a non-zero size (the header). The header is
        // written before anything reads it, and exactly `len` bytes of text
        // are copied after it (checked: the second walk must yield the same
        // lengths as the first), so the allocation holds a header and `len`
        // bytes of valid UTF-8 (the concatenation of `&str`s) as `Repr::Heap`
        // requires; `Drop` frees it with the same layout.
        unsafe {
            let raw = alloc(layout);
            let Some(ptr) = NonNull::new(raw.cast::<Header>()) else {
                handle_alloc_error(layout)
            };
            ptr.as_ptr().write(Header {
                nchars,
                hash: Cell::new(-1),
                crumbs: OnceCell::new(),
            });
            let text = raw.add(std::mem::size_of::<Header>());
            let mut at = 0;
            for p in parts {
                assert!(p.len() <= len - at, "string parts changed between walks");
                std::ptr::copy_nonoverlapping(p.as_ptr(), text.add(at), p.len());
                at += p.len();
            }
            assert_eq!(at, len, "string parts changed between walks");
            StrObj(Repr::Heap { ptr, len })
        }
    }

    /// `a + b`.
    pub fn concat(a: &StrObj, b: &StrObj) -> StrObj {
        let nchars = if a.len() + b.len() <= INLINE_CAP {
            0
        } else {
            a.nchars() + b.nchars()
        };
        StrObj::from_parts(&[a, b], nchars)
    }

    fn inline(s: &str) -> StrObj {
        let mut buf = [0u8; INLINE_CAP];
        buf[..s.len()].copy_from_slice(s.as_bytes());
        StrObj(Repr::Inline {
            len: s.len() as u8,
            buf,
        })
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // SAFETY: the first `len` bytes of `buf` were copied from a `str`.
            Repr::Inline { len, buf } => unsafe {
                std::str::from_utf8_unchecked(buf.get_unchecked(..*len as usize))
            },
            // SAFETY: see `Repr::Heap`: `len` bytes of UTF-8 follow the header.
            Repr::Heap { ptr, len } => unsafe {
                let text = ptr.as_ptr().cast::<u8>().add(std::mem::size_of::<Header>());
                std::str::from_utf8_unchecked(std::slice::from_raw_parts(text, *len))
            },
        }
    }

    #[inline]
    fn header(&self) -> Option<&Header> {
        match &self.0 {
            Repr::Inline { .. } => None,
            // SAFETY: the header was initialised when the string was built
            // and lives as long as `self`.
            Repr::Heap { ptr, .. } => Some(unsafe { ptr.as_ref() }),
        }
    }

    /// Length in code points.
    #[inline]
    pub fn nchars(&self) -> usize {
        match self.header() {
            Some(h) => h.nchars,
            None => char_count(self.as_str().as_bytes()),
        }
    }

    /// True when every character is ASCII (byte index == char index).
    #[inline]
    pub fn is_ascii(&self) -> bool {
        match self.header() {
            Some(h) => h.nchars == self.as_str().len(),
            None => self.as_str().is_ascii(),
        }
    }

    /// The string's hash (stable within one process, like CPython's).
    #[inline]
    pub fn hash(&self) -> i64 {
        match &self.0 {
            // The buffer is zero beyond the text: its words are the padded
            // words `hash_bytes` would read.
            Repr::Inline { len, buf } => {
                const _: () = assert!(INLINE_CAP == 22);
                let b = buf;
                let words = [
                    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
                    u64::from_le_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]]),
                    u64::from_le_bytes([b[16], b[17], b[18], b[19], b[20], b[21], 0, 0]),
                ];
                let len = *len as usize;
                let mut h = hash_start(len);
                for &w in &words[..len.div_ceil(8)] {
                    h = hash_mix(h, w);
                }
                hash_finish(h)
            }
            Repr::Heap { .. } => {
                let Some(h) = self.header() else {
                    return hash_str(self.as_str());
                };
                let cached = h.hash.get();
                if cached != -1 {
                    return cached;
                }
                let v = hash_str(self.as_str());
                h.hash.set(v);
                v
            }
        }
    }

    /// The character at code-point index `i` (0 <= i < nchars).
    pub fn char_at(&self, i: usize) -> char {
        if self.is_ascii() {
            self.as_bytes()[i] as char
        } else {
            self.as_str()[self.byte_offset(i)..]
                .chars()
                .next()
                .unwrap_or('\0')
        }
    }

    /// Byte offset of code-point index `i` (0 <= i <= nchars).
    pub fn byte_offset(&self, i: usize) -> usize {
        if self.is_ascii() {
            return i;
        }
        let text = self.as_str();
        let nchars = self.nchars();
        if i >= nchars {
            return text.len();
        }
        let (mut byte, mut left) = match self.header() {
            Some(h) if nchars > CRUMB => {
                let crumbs = h.crumbs.get_or_init(|| Box::new(breadcrumbs(text)));
                (crumbs[i / CRUMB], i % CRUMB)
            }
            _ => (0, i),
        };
        let bytes = text.as_bytes();
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
            char_count(&self.as_bytes()[..byte])
        }
    }
}

impl std::ops::Deref for StrObj {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Drop for StrObj {
    fn drop(&mut self) {
        if let Repr::Heap { ptr, len } = self.0 {
            // SAFETY: `ptr` was allocated by `from_parts` with this layout
            // and is owned by this string alone; the header is dropped (its
            // index freed) before the memory is.
            unsafe {
                std::ptr::drop_in_place(ptr.as_ptr());
                dealloc(ptr.as_ptr().cast(), heap_layout(len));
            }
        }
    }
}

/// The allocation of a long string: its header, then `len` bytes.
fn heap_layout(len: usize) -> Layout {
    let size = std::mem::size_of::<Header>().saturating_add(len);
    match Layout::from_size_align(size, std::mem::align_of::<Header>()) {
        Ok(l) => l,
        Err(_) => handle_alloc_error(Layout::new::<Header>()),
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

/// The hash of a string: [`hash_bytes`] of its UTF-8 bytes.
pub fn hash_str(s: &str) -> i64 {
    hash_bytes(s.as_bytes())
}

/// The hash of bytes (used for `str` and `bytes`; stable within one
/// process, like CPython's): eight bytes at a time, the last word padded
/// with zeros and the length mixed in first, then MurmurHash3's 64-bit
/// finaliser so that every bit of the result depends on every input bit.
/// Never negative, so never -1 (which Python hashes avoid).
pub fn hash_bytes(bytes: &[u8]) -> i64 {
    let mut h = hash_start(bytes.len());
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        h = hash_mix(h, u64::from_le_bytes(word));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let word = rest.iter().rev().fold(0u64, |w, &b| (w << 8) | b as u64);
        h = hash_mix(h, word);
    }
    hash_finish(h)
}

const HASH_K: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline(always)]
fn hash_start(len: usize) -> u64 {
    (len as u64).wrapping_mul(HASH_K)
}

#[inline(always)]
fn hash_mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(23) ^ word).wrapping_mul(HASH_K)
}

#[inline(always)]
fn hash_finish(mut h: u64) -> i64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h >> 1) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_strings_agree() {
        for text in ["", "abc", "héllo wörld", &"x".repeat(22), &"é".repeat(40)] {
            let s = StrObj::new(text);
            assert_eq!(s.as_str(), text);
            assert_eq!(s.nchars(), text.chars().count());
            assert_eq!(s.hash(), hash_str(text));
            assert_eq!(s.is_ascii(), text.is_ascii());
        }
        let joined = StrObj::from_parts(&["abc", &"é".repeat(30)], 33);
        assert_eq!(joined.as_str(), format!("abc{}", "é".repeat(30)));
        assert_eq!(joined.char_at(32), 'é');
        assert_eq!(joined.byte_offset(4), 5);
    }
}
