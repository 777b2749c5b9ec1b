//! Seed-and-extend alignment: shared fingerprints are extended character by character into maximal
//! shared runs ("matches") between a checked text and one source.

use std::collections::HashMap;

use crate::winnow::{Fingerprint, MIN_COPY_LEN};

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

/// Every maximal run of at least [`MIN_COPY_LEN`] chars shared by `text` and `source` that contains one
/// of the `seeds` (fingerprints of `text`). `source_hashes` are the shingle hashes of `source`.
/// Matches are sorted by position in `text`; a match whose range in `text` lies inside another's is
/// dropped (a passage the source holds twice is reported once).
pub fn align(
    text: &[char],
    seeds: &[Fingerprint],
    source: &[char],
    source_hashes: &[u64],
) -> Vec<Match> {
    let mut where_in_source: HashMap<u64, Vec<u32>> = HashMap::new();
    for (pos, &h) in source_hashes.iter().enumerate() {
        let list = where_in_source.entry(h).or_default();
        if list.len() < MAX_OCCURRENCES {
            list.push(pos as u32);
        }
    }
    let mut found: Vec<Match> = Vec::new();
    for seed in seeds {
        let Some(positions) = where_in_source.get(&seed.hash) else {
            continue;
        };
        let q = seed.position as usize;
        for &s in positions {
            let s = s as usize;
            // A seed inside a match already found on the same diagonal adds nothing.
            let known = found.iter().rev().take(8).any(|m| {
                (m.start as usize..m.end as usize).contains(&q)
                    && m.start as i64 - m.source_start as i64 == q as i64 - s as i64
            });
            if known {
                continue;
            }
            if let Some(m) = extend(text, source, q, s) {
                found.push(m);
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    drop_contained(found)
}

fn extend(text: &[char], source: &[char], q: usize, s: usize) -> Option<Match> {
    let (mut qs, mut ss) = (q, s);
    while qs > 0 && ss > 0 && text[qs - 1] == source[ss - 1] {
        qs -= 1;
        ss -= 1;
    }
    let (mut qe, mut se) = (q, s);
    while qe < text.len() && se < source.len() && text[qe] == source[se] {
        qe += 1;
        se += 1;
    }
    (qe - qs >= MIN_COPY_LEN).then_some(Match {
        start: qs as u32,
        end: qe as u32,
        source_start: ss as u32,
        source_end: se as u32,
    })
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
    use crate::shingle::shingle_hashes;
    use crate::winnow::winnow;

    fn run(text: &str, source: &str) -> Vec<Match> {
        let t: Vec<char> = text.chars().collect();
        let s: Vec<char> = source.chars().collect();
        align(&t, &winnow(&shingle_hashes(&t)), &s, &shingle_hashes(&s))
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
    fn covered_counts_union() {
        assert_eq!(covered([(0, 10), (5, 15), (20, 22)]), 17);
        assert_eq!(covered([]), 0);
    }
}
