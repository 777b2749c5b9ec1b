//! Template text: what many documents share (the text of the application form, standard clauses) says
//! nothing about copying and is ignored.
//!
//! As the issue defines it, templates are the fingerprints above a document-frequency cap. The
//! postings already hold every fingerprint's document frequency (the number of documents under its
//! key), so the template set is computed from them, in memory, when the index is opened and after
//! every change: no segment stores shingle frequencies, and opening reads no more than the metadata.
//! A document's template text is the 5-grams that lie in a window whose fingerprint is a template
//! ([`crate::winnow::covered_by`]).

use rayon::prelude::*;

use super::postings::Postings;

/// The template posting keys: a sorted list with a table of where each value of the top bits starts.
#[derive(Debug, Default)]
pub struct Templates {
    sorted: Vec<u32>,
    /// For each value of the top `bits` bits, where it starts in `sorted`; plus the end.
    starts: Vec<u32>,
    bits: u32,
}

impl Templates {
    /// From keys sorted without repeats.
    fn from_sorted(sorted: Vec<u32>) -> Self {
        let bits = (sorted.len().max(1).ilog2() + 1).clamp(1, 24);
        let mut starts = vec![0u32; (1 << bits) + 1];
        for &k in &sorted {
            starts[(k >> (32 - bits)) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        Self {
            sorted,
            starts,
            bits,
        }
    }

    pub fn contains(&self, key: u32) -> bool {
        // `bits` is 0 only in the empty default, whose `starts` is empty too.
        let bucket = key.checked_shr(32 - self.bits).unwrap_or(0) as usize;
        let (Some(&from), Some(&to)) = (self.starts.get(bucket), self.starts.get(bucket + 1))
        else {
            return false;
        };
        self.sorted[from as usize..to as usize].contains(&key)
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }
}

/// Key prefixes (top 16 bits) per task of [`of_postings`].
const PREFIXES_PER_TASK: u32 = 256;

/// The keys held by more than `cap` documents of all the `segments` together (deleted documents count
/// until a merge drops them, as in the check's own test of its seeds).
pub fn of_postings(segments: &[&Postings], cap: u32) -> Templates {
    let documents: usize = segments.iter().map(|p| p.documents()).sum();
    if documents <= cap as usize {
        return Templates::default();
    }
    let cap = cap as usize;
    // Every segment keeps its postings sorted by key, so the keys with one value of the top 16 bits
    // are one sorted run of low halves per segment: count them in a table of 65,536 counters.
    let keys: Vec<Vec<u32>> = (0..(1u32 << 16) / PREFIXES_PER_TASK)
        .into_par_iter()
        .map_init(
            || vec![0u32; 1 << 16],
            |counts, task| {
                let mut found = Vec::new();
                for prefix in task * PREFIXES_PER_TASK..(task + 1) * PREFIXES_PER_TASK {
                    let runs: Vec<&[u16]> =
                        segments.iter().map(|p| p.lows_of_prefix(prefix)).collect();
                    if runs.iter().map(|r| r.len()).sum::<usize>() <= cap {
                        continue;
                    }
                    for &low in runs.iter().copied().flatten() {
                        counts[low as usize] += 1;
                    }
                    let first = found.len();
                    for &low in runs.iter().copied().flatten() {
                        let n = std::mem::take(&mut counts[low as usize]);
                        if n as usize > cap {
                            found.push((prefix << 16) | u32::from(low));
                        }
                    }
                    found[first..].sort_unstable();
                }
                found
            },
        )
        .collect();
    Templates::from_sorted(keys.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_look_up_agrees_with_the_list() {
        let h = |i: u64| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes()) as u32;
        let t = Templates::default();
        assert!(!t.contains(h(1)));
        for size in [1u64, 2, 1000] {
            let mut sorted: Vec<u32> = (0..size).map(|i| h(i * 2)).collect();
            sorted.extend([0, u32::MAX]);
            sorted.sort_unstable();
            sorted.dedup();
            let t = Templates::from_sorted(sorted);
            assert!((0..size).all(|i| t.contains(h(i * 2))));
            assert!(t.contains(0) && t.contains(u32::MAX));
            assert!((0..size).filter(|i| t.contains(h(i * 2 + 1))).count() <= 1);
        }
    }

    #[test]
    fn templates_are_the_keys_of_more_than_cap_documents_over_all_segments() {
        let key = |i: u32| i.wrapping_mul(0x9E37_79B9);
        // Segment a: key(1) in 3 documents, key(2) in 1, key(3) in 2; segment b: key(3) in 2, key(4)
        // in 1; and many keys in one document each, spread over every prefix.
        let a = Postings::new(
            [(1, 0), (1, 1), (1, 2), (2, 0), (3, 1), (3, 2)]
                .into_iter()
                .map(|(k, d)| (key(k), d))
                .chain((100..5000).map(|k| (key(k), 3)))
                .collect(),
        );
        let b = Postings::new(vec![(key(3), 0), (key(3), 1), (key(4), 1)]);
        let sorted = |t: Templates| -> Vec<u32> { t.sorted };
        let mut expected = vec![key(1), key(3)];
        expected.sort_unstable();
        assert_eq!(sorted(of_postings(&[&a, &b], 2)), expected);
        assert_eq!(sorted(of_postings(&[&a, &b], 3)), vec![key(3)]);
        assert!(sorted(of_postings(&[&a, &b], 4)).is_empty());
        assert_eq!(sorted(of_postings(&[&a], 2)), vec![key(1)]);
        let t = of_postings(&[&a, &b], 1);
        assert!(t.contains(key(1)) && t.contains(key(3)) && !t.contains(key(2)));
        assert_eq!(t.len(), 2);
        assert_eq!(of_postings(&[], 0).len(), 0);
    }
}
