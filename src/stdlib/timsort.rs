//! CPython 3.11's list sort: an adaptive, stable, natural merge sort
//! (timsort with the powersort merge policy), written after the algorithm
//! described in CPython's `Objects/listsort.txt`.
//!
//! aspy needs the same algorithm, not just any stable sort: when `<` calls
//! user code (side effects), raises part-way ("'<' not supported between
//! instances of 'str' and 'int'" names the first pair compared), or is not
//! a total order (NaN), what a program observes depends on exactly which
//! pairs are compared in which order and on what the array holds when a
//! comparison fails. So every step here (run detection, binary insertion,
//! galloping with the adaptive `min_gallop`, merge_lo/merge_hi and their
//! failure paths) mirrors CPython's.
//!
//! Invariant: whatever `lt` returns, and even when it fails, the slice
//! stays a permutation of its input (nothing lost or duplicated).

/// Galloping starts after this many consecutive wins.
const MIN_GALLOP: usize = 7;

/// A run waiting to be merged: `v[base..base+len]`, and its node power in
/// the powersort merge tree.
#[derive(Clone, Copy)]
struct Run {
    base: usize,
    len: usize,
    power: u32,
}

/// Sorts `v` stably by the strict order `lt` ("is a < b").
pub fn sort<T: Copy, E>(v: &mut [T], lt: impl FnMut(&T, &T) -> Result<bool, E>) -> Result<(), E> {
    let mut ms = MergeState {
        lt,
        min_gallop: MIN_GALLOP,
        tmp: Vec::new(),
        pending: Vec::new(),
        listlen: v.len(),
    };
    ms.sort(v)
}

struct MergeState<T, F> {
    lt: F,
    min_gallop: usize,
    tmp: Vec<T>,
    pending: Vec<Run>,
    listlen: usize,
}

/// The minimum run length for an array of `n` elements: `n` itself below
/// 64, else a value in 32..=64 making `n / minrun` just below a power of 2.
fn compute_minrun(mut n: usize) -> usize {
    let mut r = 0;
    while n >= 64 {
        r |= n & 1;
        n >>= 1;
    }
    n + r
}

/// The powersort "power" of the boundary between the run `s1..s1+n1` and
/// the following run of length `n2`, in an array of length `n`.
fn powerloop(s1: usize, n1: usize, n2: usize, n: usize) -> u32 {
    let mut result = 0;
    let mut a = 2 * s1 + n1;
    let mut b = a + n1 + n2;
    loop {
        result += 1;
        if a >= n {
            a -= n;
            b -= n;
        } else if b >= n {
            break;
        }
        a <<= 1;
        b <<= 1;
    }
    result
}

impl<T: Copy, E, F: FnMut(&T, &T) -> Result<bool, E>> MergeState<T, F> {
    #[inline]
    fn lt(&mut self, a: &T, b: &T) -> Result<bool, E> {
        (self.lt)(a, b)
    }

    fn sort(&mut self, v: &mut [T]) -> Result<(), E> {
        let n = v.len();
        if n < 2 {
            return Ok(());
        }
        let minrun = compute_minrun(n);
        let mut lo = 0;
        let mut remaining = n;
        while remaining > 0 {
            let (mut run, descending) = self.count_run(&v[lo..lo + remaining])?;
            if descending {
                v[lo..lo + run].reverse();
            }
            if run < minrun {
                let force = remaining.min(minrun);
                self.binary_sort(&mut v[lo..lo + force], run)?;
                run = force;
            }
            self.found_new_run(v, run)?;
            self.pending.push(Run {
                base: lo,
                len: run,
                power: 0,
            });
            lo += run;
            remaining -= run;
        }
        self.force_collapse(v)
    }

    /// Sorts `v` by binary insertion, `v[..start]` being sorted already.
    fn binary_sort(&mut self, v: &mut [T], start: usize) -> Result<(), E> {
        let mut start = start.max(1);
        while start < v.len() {
            let pivot = v[start];
            let (mut l, mut r) = (0, start);
            while l < r {
                let p = l + ((r - l) >> 1);
                if self.lt(&pivot, &v[p])? {
                    r = p;
                } else {
                    l = p + 1;
                }
            }
            v.copy_within(l..start, l + 1);
            v[l] = pivot;
            start += 1;
        }
        Ok(())
    }

    /// Length of the run at the start of `v` (non-descending, or strictly
    /// descending) and whether it descends.
    fn count_run(&mut self, v: &[T]) -> Result<(usize, bool), E> {
        if v.len() == 1 {
            return Ok((1, false));
        }
        let mut n = 2;
        if self.lt(&v[1], &v[0])? {
            while n < v.len() && self.lt(&v[n], &v[n - 1])? {
                n += 1;
            }
            Ok((n, true))
        } else {
            while n < v.len() && !self.lt(&v[n], &v[n - 1])? {
                n += 1;
            }
            Ok((n, false))
        }
    }

    /// Where `key` belongs in sorted `a`, left of any equal elements,
    /// searching from `hint`.
    fn gallop_left(&mut self, key: &T, a: &[T], hint: usize) -> Result<usize, E> {
        let n = a.len();
        let (mut lastofs, mut ofs): (isize, isize) = (0, 1);
        let hint_i = hint as isize;
        if self.lt(&a[hint], key)? {
            // a[hint] < key: gallop right.
            let maxofs = (n - hint) as isize;
            while ofs < maxofs {
                if self.lt(&a[(hint_i + ofs) as usize], key)? {
                    lastofs = ofs;
                    ofs = (ofs << 1) + 1;
                } else {
                    break;
                }
            }
            ofs = ofs.min(maxofs);
            lastofs += hint_i;
            ofs += hint_i;
        } else {
            // key <= a[hint]: gallop left.
            let maxofs = hint_i + 1;
            while ofs < maxofs {
                if self.lt(&a[(hint_i - ofs) as usize], key)? {
                    break;
                }
                lastofs = ofs;
                ofs = (ofs << 1) + 1;
            }
            ofs = ofs.min(maxofs);
            let k = lastofs;
            lastofs = hint_i - ofs;
            ofs = hint_i - k;
        }
        // a[lastofs] < key <= a[ofs]: binary search in between.
        lastofs += 1;
        while lastofs < ofs {
            let m = lastofs + ((ofs - lastofs) >> 1);
            if self.lt(&a[m as usize], key)? {
                lastofs = m + 1;
            } else {
                ofs = m;
            }
        }
        Ok(ofs as usize)
    }

    /// Where `key` belongs in sorted `a`, right of any equal elements,
    /// searching from `hint`.
    fn gallop_right(&mut self, key: &T, a: &[T], hint: usize) -> Result<usize, E> {
        let n = a.len();
        let (mut lastofs, mut ofs): (isize, isize) = (0, 1);
        let hint_i = hint as isize;
        if self.lt(key, &a[hint])? {
            // key < a[hint]: gallop left.
            let maxofs = hint_i + 1;
            while ofs < maxofs {
                if self.lt(key, &a[(hint_i - ofs) as usize])? {
                    lastofs = ofs;
                    ofs = (ofs << 1) + 1;
                } else {
                    break;
                }
            }
            ofs = ofs.min(maxofs);
            let k = lastofs;
            lastofs = hint_i - ofs;
            ofs = hint_i - k;
        } else {
            // a[hint] <= key: gallop right.
            let maxofs = (n - hint) as isize;
            while ofs < maxofs {
                if self.lt(key, &a[(hint_i + ofs) as usize])? {
                    break;
                }
                lastofs = ofs;
                ofs = (ofs << 1) + 1;
            }
            ofs = ofs.min(maxofs);
            lastofs += hint_i;
            ofs += hint_i;
        }
        // a[lastofs] <= key < a[ofs]: binary search in between.
        lastofs += 1;
        while lastofs < ofs {
            let m = lastofs + ((ofs - lastofs) >> 1);
            if self.lt(key, &a[m as usize])? {
                ofs = m;
            } else {
                lastofs = m + 1;
            }
        }
        Ok(ofs as usize)
    }

    /// Merges the pending runs `i` and `i + 1`.
    fn merge_at(&mut self, v: &mut [T], i: usize) -> Result<(), E> {
        let (mut a, mut na) = (self.pending[i].base, self.pending[i].len);
        let (b, nb) = (self.pending[i + 1].base, self.pending[i + 1].len);
        self.pending[i].len = na + nb;
        if i + 3 == self.pending.len() {
            self.pending[i + 1] = self.pending[i + 2];
        }
        self.pending.pop();
        // Elements of A already below B's first stay put.
        let key = v[b];
        let k = self.gallop_right(&key, &v[a..a + na], 0)?;
        a += k;
        na -= k;
        if na == 0 {
            return Ok(());
        }
        // Elements of B already above A's last stay put.
        let key = v[a + na - 1];
        let nb = self.gallop_left(&key, &v[b..b + nb], nb - 1)?;
        if nb == 0 {
            return Ok(());
        }
        if na <= nb {
            self.merge_lo(v, a, na, nb)
        } else {
            self.merge_hi(v, a, na, nb)
        }
    }

    /// Merges `v[a..a+na]` and the `nb` elements after it, copying the
    /// shorter first run out (`na <= nb`).
    fn merge_lo(&mut self, v: &mut [T], a: usize, mut na: usize, mut nb: usize) -> Result<(), E> {
        let mut tmp = std::mem::take(&mut self.tmp);
        tmp.clear();
        tmp.extend_from_slice(&v[a..a + na]);
        let (mut pa, mut pb, mut dest) = (0usize, a + na, a);
        v[dest] = v[pb];
        dest += 1;
        pb += 1;
        nb -= 1;
        let result = 'merge: {
            if nb == 0 {
                break 'merge Ok(());
            }
            if na == 1 {
                // Copy B, then the last of A.
                v.copy_within(pb..pb + nb, dest);
                v[dest + nb] = tmp[pa];
                self.tmp = tmp;
                return Ok(());
            }
            let mut min_gallop = self.min_gallop;
            loop {
                let (mut acount, mut bcount) = (0usize, 0usize);
                loop {
                    let k = match self.lt(&v[pb], &tmp[pa]) {
                        Ok(k) => k,
                        Err(e) => break 'merge Err(e),
                    };
                    if k {
                        v[dest] = v[pb];
                        dest += 1;
                        pb += 1;
                        nb -= 1;
                        bcount += 1;
                        acount = 0;
                        if nb == 0 {
                            break 'merge Ok(());
                        }
                        if bcount >= min_gallop {
                            break;
                        }
                    } else {
                        v[dest] = tmp[pa];
                        dest += 1;
                        pa += 1;
                        na -= 1;
                        acount += 1;
                        bcount = 0;
                        if na == 1 {
                            v.copy_within(pb..pb + nb, dest);
                            v[dest + nb] = tmp[pa];
                            self.tmp = tmp;
                            return Ok(());
                        }
                        if acount >= min_gallop {
                            break;
                        }
                    }
                }
                min_gallop += 1;
                loop {
                    min_gallop -= (min_gallop > 1) as usize;
                    self.min_gallop = min_gallop;
                    let key = v[pb];
                    let k = match self.gallop_right(&key, &tmp[pa..pa + na], 0) {
                        Ok(k) => k,
                        Err(e) => break 'merge Err(e),
                    };
                    acount = k;
                    if k > 0 {
                        v[dest..dest + k].copy_from_slice(&tmp[pa..pa + k]);
                        dest += k;
                        pa += k;
                        na -= k;
                        if na == 1 {
                            v.copy_within(pb..pb + nb, dest);
                            v[dest + nb] = tmp[pa];
                            self.tmp = tmp;
                            return Ok(());
                        }
                        if na == 0 {
                            break 'merge Ok(());
                        }
                    }
                    v[dest] = v[pb];
                    dest += 1;
                    pb += 1;
                    nb -= 1;
                    if nb == 0 {
                        break 'merge Ok(());
                    }
                    let key = tmp[pa];
                    let k = match self.gallop_left(&key, &v[pb..pb + nb], 0) {
                        Ok(k) => k,
                        Err(e) => break 'merge Err(e),
                    };
                    bcount = k;
                    if k > 0 {
                        v.copy_within(pb..pb + k, dest);
                        dest += k;
                        pb += k;
                        nb -= k;
                        if nb == 0 {
                            break 'merge Ok(());
                        }
                    }
                    v[dest] = tmp[pa];
                    dest += 1;
                    pa += 1;
                    na -= 1;
                    if na == 1 {
                        v.copy_within(pb..pb + nb, dest);
                        v[dest + nb] = tmp[pa];
                        self.tmp = tmp;
                        return Ok(());
                    }
                    if acount < MIN_GALLOP && bcount < MIN_GALLOP {
                        break;
                    }
                }
                min_gallop += 1;
                self.min_gallop = min_gallop;
            }
        };
        // Success or failure: what is left of A fills the gap.
        if na > 0 {
            v[dest..dest + na].copy_from_slice(&tmp[pa..pa + na]);
        }
        self.tmp = tmp;
        result
    }

    /// Merges `v[a..a+na]` and the `nb` elements after it, copying the
    /// shorter second run out (`na >= nb`); works from the right.
    fn merge_hi(&mut self, v: &mut [T], a: usize, mut na: usize, mut nb: usize) -> Result<(), E> {
        let b = a + na;
        let mut tmp = std::mem::take(&mut self.tmp);
        tmp.clear();
        tmp.extend_from_slice(&v[b..b + nb]);
        // Indices may step one below zero at the very end, hence isize.
        let mut dest = (b + nb - 1) as isize;
        let mut pa = (b - 1) as isize;
        let mut pb = (nb - 1) as isize;
        let base_a = a;
        v[dest as usize] = v[pa as usize];
        dest -= 1;
        pa -= 1;
        na -= 1;
        let result = 'merge: {
            if na == 0 {
                break 'merge Ok(());
            }
            if nb == 1 {
                copy_a(v, &tmp, dest, pa, pb, na);
                self.tmp = tmp;
                return Ok(());
            }
            let mut min_gallop = self.min_gallop;
            loop {
                let (mut acount, mut bcount) = (0usize, 0usize);
                loop {
                    let k = match self.lt(&tmp[pb as usize], &v[pa as usize]) {
                        Ok(k) => k,
                        Err(e) => break 'merge Err(e),
                    };
                    if k {
                        v[dest as usize] = v[pa as usize];
                        dest -= 1;
                        pa -= 1;
                        na -= 1;
                        acount += 1;
                        bcount = 0;
                        if na == 0 {
                            break 'merge Ok(());
                        }
                        if acount >= min_gallop {
                            break;
                        }
                    } else {
                        v[dest as usize] = tmp[pb as usize];
                        dest -= 1;
                        pb -= 1;
                        nb -= 1;
                        bcount += 1;
                        acount = 0;
                        if nb == 1 {
                            copy_a(v, &tmp, dest, pa, pb, na);
                            self.tmp = tmp;
                            return Ok(());
                        }
                        if bcount >= min_gallop {
                            break;
                        }
                    }
                }
                min_gallop += 1;
                loop {
                    min_gallop -= (min_gallop > 1) as usize;
                    self.min_gallop = min_gallop;
                    let key = tmp[pb as usize];
                    let k = match self.gallop_right(&key, &v[base_a..base_a + na], na - 1) {
                        Ok(k) => na - k,
                        Err(e) => break 'merge Err(e),
                    };
                    acount = k;
                    if k > 0 {
                        dest -= k as isize;
                        pa -= k as isize;
                        let from = (pa + 1) as usize;
                        v.copy_within(from..from + k, (dest + 1) as usize);
                        na -= k;
                        if na == 0 {
                            break 'merge Ok(());
                        }
                    }
                    v[dest as usize] = tmp[pb as usize];
                    dest -= 1;
                    pb -= 1;
                    nb -= 1;
                    if nb == 1 {
                        copy_a(v, &tmp, dest, pa, pb, na);
                        self.tmp = tmp;
                        return Ok(());
                    }
                    let key = v[pa as usize];
                    let k = match self.gallop_left(&key, &tmp[..nb], nb - 1) {
                        Ok(k) => nb - k,
                        Err(e) => break 'merge Err(e),
                    };
                    bcount = k;
                    if k > 0 {
                        dest -= k as isize;
                        pb -= k as isize;
                        let (to, from) = ((dest + 1) as usize, (pb + 1) as usize);
                        v[to..to + k].copy_from_slice(&tmp[from..from + k]);
                        nb -= k;
                        if nb == 1 {
                            copy_a(v, &tmp, dest, pa, pb, na);
                            self.tmp = tmp;
                            return Ok(());
                        }
                        if nb == 0 {
                            break 'merge Ok(());
                        }
                    }
                    v[dest as usize] = v[pa as usize];
                    dest -= 1;
                    pa -= 1;
                    na -= 1;
                    if na == 0 {
                        break 'merge Ok(());
                    }
                    if acount < MIN_GALLOP && bcount < MIN_GALLOP {
                        break;
                    }
                }
                min_gallop += 1;
                self.min_gallop = min_gallop;
            }
        };
        // Success or failure: what is left of B fills the gap.
        if nb > 0 {
            let to = (dest + 1) as usize - nb;
            v[to..to + nb].copy_from_slice(&tmp[..nb]);
        }
        self.tmp = tmp;
        result
    }

    /// A new run of length `n2` was found after the last pending one:
    /// merge pending runs whose power exceeds the new boundary's.
    fn found_new_run(&mut self, v: &mut [T], n2: usize) -> Result<(), E> {
        let Some(last) = self.pending.last() else {
            return Ok(());
        };
        let power = powerloop(last.base, last.len, n2, self.listlen);
        while self.pending.len() > 1 && self.pending[self.pending.len() - 2].power > power {
            let i = self.pending.len() - 2;
            self.merge_at(v, i)?;
        }
        if let Some(last) = self.pending.last_mut() {
            last.power = power;
        }
        Ok(())
    }

    /// Merges every pending run into one.
    fn force_collapse(&mut self, v: &mut [T]) -> Result<(), E> {
        while self.pending.len() > 1 {
            let mut n = self.pending.len() - 2;
            if n > 0 && self.pending[n - 1].len < self.pending[n + 1].len {
                n -= 1;
            }
            self.merge_at(v, n)?;
        }
        Ok(())
    }
}

/// The end of merge_hi when one element of B is left: shift what is left
/// of A right by one and put that element first.
fn copy_a<T: Copy>(v: &mut [T], tmp: &[T], dest: isize, pa: isize, pb: isize, na: usize) {
    let from = (pa + 1) as usize - na;
    let to = (dest + 1) as usize - na;
    v.copy_within(from..from + na, to);
    v[to - 1] = tmp[pb as usize];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn sorts_stably_like_std() {
        let mut seed = 7;
        for n in [0, 1, 2, 5, 63, 64, 65, 200, 1000, 5000] {
            for modulus in [3u64, 50, 1 << 30] {
                let mut v: Vec<(u64, usize)> =
                    (0..n).map(|i| (lcg(&mut seed) % modulus, i)).collect();
                let mut expect = v.clone();
                expect.sort_by_key(|p| p.0);
                sort(&mut v, |a, b| Ok::<bool, ()>(a.0 < b.0)).unwrap();
                assert_eq!(v, expect, "n={n} mod={modulus}");
            }
        }
    }

    #[test]
    fn partially_ordered_inputs() {
        let mut v: Vec<i64> = (0..3000).collect();
        v[100..400].reverse();
        v.swap(5, 2900);
        let mut expect = v.clone();
        expect.sort();
        sort(&mut v, |a, b| Ok::<bool, ()>(a < b)).unwrap();
        assert_eq!(v, expect);
    }

    #[test]
    fn failure_keeps_a_permutation() {
        let mut seed = 3;
        let mut v: Vec<u64> = (0..2000).map(|_| lcg(&mut seed) % 1000).collect();
        let mut before = v.clone();
        let mut calls = 0;
        let r = sort(&mut v, |a, b| {
            calls += 1;
            if calls == 5000 {
                Err(())
            } else {
                Ok(a < b)
            }
        });
        assert!(r.is_err());
        v.sort();
        before.sort();
        assert_eq!(v, before);
    }
}
