//! Winnowing fingerprints (Schleimer, Wilkerson & Aiken 2003) over shingle hashes.
//!
//! In every window of [`WINDOW`] consecutive shingle hashes the smallest is kept (the rightmost on ties).
//! A shared run of `WINDOW + SHINGLE_LEN - 1` = [`MIN_COPY_LEN`] characters contains a whole window, which
//! both texts winnow to the same hash: every copied run of 13 or more characters shares a fingerprint.

use crate::shingle::SHINGLE_LEN;

/// Shortest shared run of normalised characters that counts as copied (common practice in China).
pub const MIN_COPY_LEN: usize = 13;
/// Winnowing window, in shingles, chosen so that every run of [`MIN_COPY_LEN`] chars is caught.
pub const WINDOW: usize = MIN_COPY_LEN - SHINGLE_LEN + 1;

/// A selected shingle: its hash and the position of its first char in the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    pub hash: u64,
    pub position: u32,
}

/// Fingerprints of a text given its shingle hashes, in text order, each position once.
pub fn winnow(hashes: &[u64]) -> Vec<Fingerprint> {
    let mut out: Vec<Fingerprint> = Vec::with_capacity(hashes.len() * 2 / (WINDOW + 1) + 1);
    let window = WINDOW.min(hashes.len());
    let Some(first_last) = window.checked_sub(1) else {
        return out;
    };
    // As `each_window`, written out for `u64`: the minimum and its hash kept in registers, and the
    // search of a window a loop of conditional moves.
    let search = |first: usize, last: usize| {
        let (mut min, mut at) = (hashes[last], last);
        for (i, &h) in hashes[first..last].iter().enumerate().rev() {
            let smaller = h < min;
            at = if smaller { first + i } else { at };
            min = if smaller { h } else { min };
        }
        (min, at)
    };
    let (mut min, mut at) = search(0, first_last);
    out.push(Fingerprint {
        hash: min,
        position: at as u32,
    });
    for (last, &h) in hashes.iter().enumerate().skip(window) {
        let start = last + 1 - window;
        if h <= min {
            (min, at) = (h, last);
        } else if at < start {
            (min, at) = search(start, last);
        } else {
            continue;
        }
        out.push(Fingerprint {
            hash: min,
            position: at as u32,
        });
    }
    out
}

/// Calls `chosen(start, min)` for each window start at which the window's chosen minimum `min`
/// changes (so once per fingerprint, with the first window that chooses it).
///
/// The minimum of a window is carried to the next window while it stays inside (the new last hash
/// replaces it when not larger, keeping the rightmost on ties); the window is searched again only when
/// its minimum drops out, so each hash is looked at about twice instead of [`WINDOW`] times.
fn each_window<T: Copy + Ord>(hashes: &[T], mut chosen: impl FnMut(usize, usize)) {
    let window = WINDOW.min(hashes.len());
    if window == 0 {
        return;
    }
    let mut current: Option<usize> = None;
    for start in 0..=hashes.len() - window {
        let last = start + window - 1;
        let min = match current {
            Some(m) if m >= start => {
                if hashes[last] <= hashes[m] {
                    last
                } else {
                    m
                }
            }
            _ => rightmost_minimum(hashes, start, last),
        };
        if current != Some(min) {
            chosen(start, min);
            current = Some(min);
        }
    }
}

/// Which shingles of a text (by position) lie in a window whose fingerprint is `marked`: the text a
/// set of fingerprints stands for. Template text is that of the template fingerprints; in a passage
/// many documents share, every window is the same in all of them and chooses the same fingerprint,
/// so the whole passage is covered.
///
/// The fingerprints are found first and `marked` is then asked about all of them in a row: when it
/// looks them up in a table larger than the cache, the look-ups do not wait for each other.
pub fn covered_by<T: Copy + Ord>(hashes: &[T], marked: impl Fn(T) -> bool) -> Vec<bool> {
    let mut covered = vec![false; hashes.len()];
    let window = WINDOW.min(hashes.len());
    // From each window start on, the windows choose the fingerprint at `min`, until the next start.
    let mut chosen: Vec<(u32, u32)> = Vec::with_capacity(hashes.len() * 2 / (WINDOW + 1) + 1);
    each_window(hashes, |start, min| chosen.push((start as u32, min as u32)));
    let marks: Vec<bool> = chosen
        .iter()
        .map(|&(_, min)| marked(hashes[min as usize]))
        .collect();
    let windows = hashes.len() + 1 - window;
    let mut reach = 0;
    for (i, (&(from, _), marked)) in chosen.iter().zip(marks).enumerate() {
        if !marked {
            continue;
        }
        let to = chosen
            .get(i + 1)
            .map_or(windows, |&(next, _)| next as usize);
        // Windows `from..to` cover shingles `from..to - 1 + window`.
        let (start, end) = ((from as usize).max(reach), to - 1 + window);
        if start < end {
            covered[start..end].fill(true);
            reach = end;
        }
    }
    covered
}

/// Position of the smallest hash in `first..=last`, the rightmost on ties.
fn rightmost_minimum<T: Copy + Ord>(hashes: &[T], first: usize, last: usize) -> usize {
    (first..=last)
        .rev()
        .min_by_key(|&i| hashes[i])
        .unwrap_or(first)
}

/// The 32-bit key under which a fingerprint is stored in the inverted index. Collisions only cost a
/// wasted look-up: every seed is checked character by character before it counts.
pub fn posting_key(hash: u64) -> u32 {
    crate::shingle::key_of(hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::shingle_hashes;
    use proptest::prelude::*;

    #[test]
    fn window_is_nine() {
        assert_eq!(WINDOW, 9);
    }

    #[test]
    fn picks_rightmost_minimum_once() {
        let f = winnow(&[5, 1, 7, 1, 9, 9, 9, 9, 9, 9, 9, 9, 3]);
        let positions: Vec<u32> = f.iter().map(|f| f.position).collect();
        // Windows 0–3 all pick the 1 at position 3; window 4 (positions 4–12) picks the 3.
        assert_eq!(positions, vec![3, 12]);
        assert_eq!(
            winnow(&[4, 2]),
            vec![Fingerprint {
                hash: 2,
                position: 1
            }]
        );
        assert!(winnow(&[]).is_empty());
    }

    /// The definition: every window on its own.
    fn winnow_each_window(hashes: &[u64]) -> Vec<Fingerprint> {
        let mut out: Vec<Fingerprint> = Vec::new();
        let window = WINDOW.min(hashes.len());
        for start in 0..(hashes.len() + 1).saturating_sub(window.max(1)) {
            let chosen = rightmost_minimum(hashes, start, start + window - 1);
            if out.last().is_none_or(|f| f.position as usize != chosen) {
                out.push(Fingerprint {
                    hash: hashes[chosen],
                    position: chosen as u32,
                });
            }
        }
        out
    }

    #[test]
    fn coverage_of_marked_fingerprints() {
        let hashes: Vec<u32> = (0..40).map(|i| (i * 7919 % 101) as u32).collect();
        assert_eq!(covered_by(&hashes, |_| true), vec![true; 40]);
        assert_eq!(covered_by(&hashes, |_| false), vec![false; 40]);
        assert!(covered_by::<u32>(&[], |_| true).is_empty());
        assert_eq!(covered_by(&[3u32, 1, 2], |h| h == 1), vec![true; 3]);
    }

    proptest! {
        /// The definition: a shingle is covered when some window holding it chooses a marked hash.
        #[test]
        fn coverage_agrees_with_each_window_on_its_own(
            hashes in prop::collection::vec(0u32..20, 0..60),
            marked in 0u32..20,
        ) {
            let is_marked = |h: u32| h % 3 == marked % 3;
            let window = WINDOW.min(hashes.len());
            let mut expected = vec![false; hashes.len()];
            for start in 0..(hashes.len() + 1).saturating_sub(window.max(1)) {
                if is_marked(hashes[rightmost_minimum(&hashes, start, start + window - 1)]) {
                    expected[start..start + window].fill(true);
                }
            }
            prop_assert_eq!(covered_by(&hashes, is_marked), expected);
        }

        #[test]
        fn carried_minimum_agrees_with_each_window_on_its_own(
            hashes in prop::collection::vec(0u64..6, 0..60)
        ) {
            prop_assert_eq!(winnow(&hashes), winnow_each_window(&hashes));
        }

        #[test]
        fn shared_run_of_thirteen_shares_a_fingerprint(
            a in "[一二三四五六七八九十]{0,40}",
            b in "[一二三四五六七八九十]{0,40}",
            run in "[甲乙丙丁戊己庚辛壬癸子丑寅]{13,30}",
        ) {
            let x: Vec<char> = format!("{a}{run}{b}").chars().collect();
            let y: Vec<char> = format!("{b}{run}{a}").chars().collect();
            let fx: std::collections::HashSet<u64> =
                winnow(&shingle_hashes(&x)).iter().map(|f| f.hash).collect();
            let shared = winnow(&shingle_hashes(&y)).iter().any(|f| fx.contains(&f.hash));
            prop_assert!(shared);
        }
    }
}
