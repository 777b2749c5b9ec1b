//! Shingle document frequencies, for template removal: a 5-gram found in more documents than the cap
//! (the text of the application form, standard clauses) says nothing about copying and is ignored.
//!
//! Frequencies live on disk, one sorted stream per segment; memory holds only the template set.
//! (An exact count of every shingle grows with the corpus: see the 查重 section of BENCHMARKS.md.)

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::segment::{FrequencyReader, Segment};
use crate::Error;

/// The template shingles: a sorted list with a table of where each value of the top bits starts.
///
/// A check asks about every shingle of every candidate (20,000 per candidate, and the set may hold
/// millions at 10^5 documents). It asks in hash order, so the look-ups walk the table forwards, and
/// each ends in a scan of one or two entries — several times faster than a hash set, which jumps about
/// memory at every look-up.
#[derive(Debug, Default)]
pub struct Templates {
    /// One bit per value of the low `bits + 3` bits of a hash, set for the templates' values (about
    /// 16 bits per template): most shingles are not templates, and this answers for nearly all of them
    /// from a table an eighth the size of the list and its starts, which stays in the cache where
    /// they do not.
    filter: Vec<u64>,
    sorted: Vec<u64>,
    /// For each value of the top `bits` bits, where it starts in `sorted`; plus the end.
    starts: Vec<u32>,
    bits: u32,
}

impl Templates {
    /// From hashes sorted without repeats.
    fn from_sorted(sorted: Vec<u64>) -> Self {
        let bits = (sorted.len().max(1).ilog2() + 1).clamp(1, 24);
        let mut starts = vec![0u32; (1 << bits) + 1];
        for &h in &sorted {
            starts[(h >> (64 - bits)) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut filter = vec![0u64; 1 << (bits + 3).saturating_sub(6)];
        for &h in &sorted {
            let bit = Self::filter_bit(h, bits);
            filter[bit / 64] |= 1 << (bit % 64);
        }
        Self {
            filter,
            sorted,
            starts,
            bits,
        }
    }

    fn filter_bit(h: u64, bits: u32) -> usize {
        (h & ((1 << (bits + 3)) - 1)) as usize
    }

    pub fn contains(&self, h: u64) -> bool {
        let bit = Self::filter_bit(h, self.bits);
        if self
            .filter
            .get(bit / 64)
            .is_none_or(|w| w & (1 << (bit % 64)) == 0)
        {
            return false;
        }
        // `bits` is 0 only in the empty default, whose `starts` is empty too.
        let bucket = h.checked_shr(64 - self.bits).unwrap_or(0) as usize;
        let (Some(&from), Some(&to)) = (self.starts.get(bucket), self.starts.get(bucket + 1))
        else {
            return false;
        };
        self.sorted[from as usize..to as usize].contains(&h)
    }

    /// Adds hashes, in any order.
    pub fn extend(&mut self, more: impl IntoIterator<Item = u64>) {
        let mut merged = std::mem::take(&mut self.sorted);
        merged.extend(more);
        merged.sort_unstable();
        merged.dedup();
        *self = Self::from_sorted(merged);
    }
}

/// Hashes per bucket aimed at by [`count`]: a bucket sorts within the first-level cache.
const BUCKET_TARGET: usize = 1024;

/// Document frequency of each distinct shingle of a batch: `(hash, count)` sorted by hash.
/// Each document's shingle set must be sorted and without repeats.
///
/// Shingle hashes are uniform, so they are first spread over buckets by their top bits (one counting
/// pass, one scattering pass) and each bucket is then sorted on its own, in parallel and in cache: a few
/// times faster than one parallel sort of the whole batch (20 million hashes for 1,000 documents).
pub fn count<'a>(sets: impl IntoIterator<Item = &'a [u64]>) -> Vec<(u64, u32)> {
    let sets: Vec<&[u64]> = sets.into_iter().collect();
    let total: usize = sets.iter().map(|s| s.len()).sum();
    let bits = (total / BUCKET_TARGET).max(1).ilog2().min(16);
    let bucket = |h: u64| h.checked_shr(64 - bits).unwrap_or(0) as usize;
    let mut starts = vec![0usize; (1 << bits) + 1];
    for &h in sets.iter().copied().flatten() {
        starts[bucket(h) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut all = vec![0u64; total];
    let mut next = starts.clone();
    for &h in sets.iter().copied().flatten() {
        let b = bucket(h);
        all[next[b]] = h;
        next[b] += 1;
    }
    let mut buckets: Vec<&mut [u64]> = Vec::with_capacity(starts.len() - 1);
    let mut rest = all.as_mut_slice();
    for w in starts.windows(2) {
        let (head, tail) = rest.split_at_mut(w[1] - w[0]);
        buckets.push(head);
        rest = tail;
    }
    buckets.par_iter_mut().for_each(|b| b.sort_unstable());
    let mut out: Vec<(u64, u32)> = Vec::new();
    for h in all {
        match out.last_mut() {
            Some((last, n)) if *last == h => *n += 1,
            _ => out.push((h, 1)),
        }
    }
    out
}

/// Adds to `counts` (sorted by hash) the frequencies the `segments` hold for the same hashes.
pub fn add_existing(counts: &mut [(u64, u32)], segments: &[&Segment]) -> Result<(), Error> {
    for segment in segments {
        let mut at = 0;
        for record in segment.frequencies()? {
            let (hash, n) = record?;
            while at < counts.len() && counts[at].0 < hash {
                at += 1;
            }
            match counts.get_mut(at) {
                Some((h, total)) if *h == hash => *total += n,
                Some(_) => {}
                None => break,
            }
        }
    }
    Ok(())
}

/// Shingles whose frequency summed over all `segments` exceeds `cap`.
pub fn templates(segments: &[&Segment], cap: u32) -> Result<Templates, Error> {
    let mut readers: Vec<FrequencyReader> = segments
        .iter()
        .map(|s| s.frequencies())
        .collect::<Result<_, _>>()?;
    let mut heap = BinaryHeap::new();
    for (i, reader) in readers.iter_mut().enumerate() {
        if let Some(record) = reader.next() {
            let (h, n) = record?;
            heap.push(Reverse((h, n, i)));
        }
    }
    let mut out = Vec::new();
    let mut current: Option<(u64, u32)> = None;
    while let Some(Reverse((h, n, i))) = heap.pop() {
        current = match current {
            Some((ch, total)) if ch == h => Some((h, total + n)),
            Some((ch, total)) => {
                if total > cap {
                    out.push(ch);
                }
                Some((h, n))
            }
            None => Some((h, n)),
        };
        if let Some(record) = readers[i].next() {
            let (h, n) = record?;
            heap.push(Reverse((h, n, i)));
        }
    }
    if let Some((h, total)) = current
        && total > cap
    {
        out.push(h);
    }
    Ok(Templates::from_sorted(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::segment::write;

    #[test]
    fn template_look_up_agrees_with_the_list() {
        let h = |i: u64| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes());
        let mut t = Templates::default();
        assert!(!t.contains(h(1)));
        for size in [1u64, 2, 1000] {
            let mut sorted: Vec<u64> = (0..size).map(|i| h(i * 2)).collect();
            sorted.extend([0, u64::MAX]);
            sorted.sort_unstable();
            t = Templates::from_sorted(sorted);
            assert!((0..size).all(|i| t.contains(h(i * 2)) && !t.contains(h(i * 2 + 1))));
            assert!(t.contains(0) && t.contains(u64::MAX) && !t.contains(1));
        }
        t.extend([h(3), h(1)]);
        assert!(t.contains(h(1)) && t.contains(h(3)) && t.contains(h(2)) && !t.contains(h(5)));
    }

    #[test]
    fn bucketed_count_agrees_with_a_plain_sort() {
        let h = |i: u64| xxhash_rust::xxh3::xxh3_64(&(i % 7000).to_le_bytes());
        let sets: Vec<Vec<u64>> = (0..7u64)
            .map(|d| {
                let mut set: Vec<u64> = (d * 1000..d * 1000 + 3000).map(h).collect();
                set.sort_unstable();
                set.dedup();
                set
            })
            .collect();
        let mut all: Vec<u64> = sets.iter().flatten().copied().collect();
        all.sort_unstable();
        let mut expected: Vec<(u64, u32)> = Vec::new();
        for x in all {
            match expected.last_mut() {
                Some((last, n)) if *last == x => *n += 1,
                _ => expected.push((x, 1)),
            }
        }
        assert_eq!(count(sets.iter().map(Vec::as_slice)), expected);
        assert_eq!(count([&[][..]]), vec![]);
        assert_eq!(
            count([&[u64::MAX][..], &[0, u64::MAX][..]]),
            vec![(0, 1), (u64::MAX, 2)]
        );
    }

    #[test]
    fn counts_merge_across_segments() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.seg");
        let b = dir.path().join("b.seg");
        write(&a, vec![], &count([&[1u64, 2, 3][..], &[2, 3][..]])).unwrap();
        write(&b, vec![], &count([&[3u64, 4][..]])).unwrap();
        let (a, b) = (Segment::open(&a).unwrap(), Segment::open(&b).unwrap());
        let mut batch = count([&[2u64, 3, 5][..]]);
        add_existing(&mut batch, &[&a, &b]).unwrap();
        assert_eq!(batch, vec![(2, 3), (3, 4), (5, 1)]);
        let t = templates(&[&a, &b], 2).unwrap();
        assert_eq!(t.sorted, vec![3]);
        let t = templates(&[&a, &b], 1).unwrap();
        assert_eq!(t.sorted, vec![2, 3]);
    }
}
