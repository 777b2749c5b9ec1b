//! Seed-and-extend alignment: shared fingerprints are extended into maximal shared runs ("matches")
//! between a checked text and one source.
//!
//! It works on shingle hashes, not characters, so a source is aligned from what the index stores about
//! it: consecutive equal 5-gram hashes (the index keeps 32 bits of each) mean equal characters, and a
//! run of `k` equal shingles is a run of `k + SHINGLE_LEN - 1` equal characters. (For a run of 13 chars
//! to be reported where the texts differ, nine consecutive 32-bit hashes would have to collide.)

use crate::shingle::SHINGLE_LEN;
use crate::winnow::MIN_COPY_LEN;

/// Occurrences of one shingle looked at in a source. A shingle repeated more often than this is
/// filler (e.g. a long row of the same character) and would make alignment quadratic.
const MAX_OCCURRENCES: usize = 64;

/// A maximal shared run, in normalised char positions, `[start, end)` on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Match {
    pub start: u32,
    pub end: u32,
    pub source_start: u32,
    pub source_end: u32,
}

impl Match {
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// Every maximal run of at least [`MIN_COPY_LEN`] chars shared by a text and a source that contains one
/// of the `seeds` (fingerprints of the text as `(hash, position)`, sorted). `text_hashes` and `source_hashes` are the
/// shingle hashes of both in text order, `source_sorted` the source's `(hash, position)` sorted by hash.
/// Matches are sorted by position in the text; a match whose range in the text lies inside another's is
/// dropped (a passage the source holds twice is reported once).
pub fn align<T: Copy + Ord>(
    text_hashes: &[T],
    seeds: &[(T, u32)],
    source_sorted: &[(T, u32)],
    source_hashes: &[T],
) -> Vec<Match> {
    // Seeds found in the source, by diagonal and then position: a seed inside the match just found on
    // its diagonal would only find that match again.
    let mut hits: Vec<(i64, u32, u32)> = Vec::new();
    let mut at = 0;
    for &(hash, position) in seeds {
        debug_assert!(seeds.first().is_none_or(|f| f.0 <= hash));
        at = first_at_or_after(source_sorted, at, hash);
        let same = source_sorted[at..]
            .iter()
            .take_while(|&&(h, _)| h == hash)
            .take(MAX_OCCURRENCES);
        hits.extend(same.map(|&(_, s)| (i64::from(position) - i64::from(s), position, s)));
    }
    hits.sort_unstable();
    let mut found: Vec<Match> = Vec::new();
    let mut last: Option<(i64, u32)> = None;
    for (diagonal, q, s) in hits {
        if last.is_some_and(|(d, end)| d == diagonal && q < end) {
            continue;
        }
        if let Some((m, shingle_end)) = extend(text_hashes, source_hashes, q as usize, s as usize) {
            last = Some((diagonal, shingle_end));
            found.push(m);
        }
    }
    found.sort_unstable();
    found.dedup();
    drop_contained(found)
}

/// First index at or after `from` whose hash is not below `hash`. Seeds are sorted, so the answer is
/// usually a few places on: galloping finds it in a few steps where a binary search over the rest
/// would take fifteen mispredicted ones.
fn first_at_or_after<T: Copy + Ord>(sorted: &[(T, u32)], from: usize, hash: T) -> usize {
    let (mut lo, mut step) = (from, 1);
    while lo + step <= sorted.len() && sorted[lo + step - 1].0 < hash {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(sorted.len());
    lo + sorted[lo..hi].partition_point(|&(h, _)| h < hash)
}

/// The maximal run of equal shingles through `text[q] == source[s]`, as a match of chars, with the end
/// of the run in shingles; `None` when shorter than [`MIN_COPY_LEN`] chars.
fn extend<T: Copy + Eq>(text: &[T], source: &[T], q: usize, s: usize) -> Option<(Match, u32)> {
    let (mut qs, mut ss) = (q, s);
    while qs > 0 && ss > 0 && text[qs - 1] == source[ss - 1] {
        qs -= 1;
        ss -= 1;
    }
    let (mut qe, mut se) = (q + 1, s + 1);
    while qe < text.len() && se < source.len() && text[qe] == source[se] {
        qe += 1;
        se += 1;
    }
    let tail = SHINGLE_LEN - 1;
    (qe + tail - qs >= MIN_COPY_LEN).then_some((
        Match {
            start: qs as u32,
            end: (qe + tail) as u32,
            source_start: ss as u32,
            source_end: (se + tail) as u32,
        },
        qe as u32,
    ))
}

/// Keeps matches in `text` order, dropping each one whose `text` range is covered by a kept one.
fn drop_contained(mut sorted: Vec<Match>) -> Vec<Match> {
    // Longest first among equal starts, so the covering match is seen before what it covers.
    sorted.sort_unstable_by_key(|m| (m.start, std::cmp::Reverse(m.end), m.source_start));
    let mut kept: Vec<Match> = Vec::with_capacity(sorted.len());
    let mut reach = 0;
    for m in sorted {
        if m.end > reach {
            reach = m.end;
            kept.push(m);
        }
    }
    kept
}

/// Number of positions covered by a set of `[start, end)` ranges.
pub fn covered(ranges: impl IntoIterator<Item = (u32, u32)>) -> usize {
    let mut ranges: Vec<(u32, u32)> = ranges.into_iter().collect();
    ranges.sort_unstable();
    let (mut total, mut reach) = (0usize, 0u32);
    for (start, end) in ranges {
        let start = start.max(reach);
        if end > start {
            total += (end - start) as usize;
            reach = end;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::{shingle_hashes, sorted_shingles};
    use crate::winnow::winnow;

    fn run(text: &str, source: &str) -> Vec<Match> {
        let t = shingle_hashes(&text.chars().collect::<Vec<_>>());
        let s = shingle_hashes(&source.chars().collect::<Vec<_>>());
        let mut seeds: Vec<(u64, u32)> = winnow(&t).iter().map(|f| (f.hash, f.position)).collect();
        seeds.sort_unstable();
        align(&t, &seeds, &sorted_shingles(&s), &s)
    }

    #[test]
    fn finds_the_full_copied_run() {
        let copied = "我国科技创新能力持续增强研发投入稳步增长";
        let m = run(
            &format!("甲乙丙{copied}丁戊"),
            &format!("子丑寅卯辰{copied}巳"),
        );
        assert_eq!(
            m,
            vec![Match {
                start: 3,
                end: 23,
                source_start: 5,
                source_end: 25
            }]
        );
    }

    #[test]
    fn twelve_shared_chars_do_not_count() {
        assert!(
            run(
                "甲乙丙我国科技创新能力持续增强丁",
                "子我国科技创新能力持续增强丑"
            )
            .is_empty()
        );
        assert_eq!(
            run(
                "甲乙丙我国科技创新能力持续增强了丁",
                "子我国科技创新能力持续增强了丑"
            )
            .len(),
            1
        );
    }

    #[test]
    fn passage_held_twice_by_source_is_reported_once() {
        let p = "加强基础研究和应用基础研究的统筹部署";
        let m = run(&format!("开头{p}结尾"), &format!("{p}中间隔开的文字{p}"));
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].start, m[0].end), (2, 20));
    }

    #[test]
    fn runs_at_both_ends_and_repeats_are_exact() {
        let copied = "加强基础研究和应用基础研究";
        let m = run(&format!("{copied}甲{copied}"), &format!("乙{copied}"));
        assert_eq!(
            m,
            vec![
                Match {
                    start: 0,
                    end: 13,
                    source_start: 1,
                    source_end: 14
                },
                Match {
                    start: 14,
                    end: 27,
                    source_start: 1,
                    source_end: 14
                }
            ]
        );
    }

    #[test]
    fn galloping_agrees_with_binary_search() {
        let sorted: Vec<(u64, u32)> = (0..100u32).map(|i| (u64::from(i / 3) * 2, i)).collect();
        for from in [0, 1, 7, 50, 99, 100] {
            for hash in 0..80 {
                let expected = from + sorted[from..].partition_point(|&(h, _)| h < hash);
                assert_eq!(
                    first_at_or_after(&sorted, from, hash),
                    expected,
                    "{from} {hash}"
                );
            }
        }
    }

    #[test]
    fn covered_counts_union() {
        assert_eq!(covered([(0, 10), (5, 15), (20, 22)]), 17);
        assert_eq!(covered([]), 0);
    }
}
