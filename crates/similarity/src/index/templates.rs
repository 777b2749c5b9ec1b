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

/// The template posting keys, in an open-addressing table: a key's slot is given by the top bits of
/// the key times an odd constant (Fibonacci hashing: fingerprints are the minima of their windows, so
/// their keys crowd towards small values and cannot be slotted by their own top bits), and a look-up
/// reads on from there to the first empty slot.
///
/// A check asks about every fingerprint of every candidate (4,000 per candidate of 20,000 chars) in no
/// particular order, and at 10^5 documents the set is larger than the cache: one cache miss a look-up
/// (at most half the slots are used), where a sorted list with a table of bucket starts took two.
#[derive(Debug, Default)]
pub struct Templates {
    /// Keys in their slots; 0 marks an empty slot (the key 0 is kept aside in `zero`).
    table: Vec<u32>,
    /// `32 - log2(table.len())`.
    shift: u32,
    zero: bool,
    len: usize,
}

impl Templates {
    /// From keys sorted without repeats.
    fn from_sorted(sorted: Vec<u32>) -> Self {
        let bits = (2 * sorted.len()).max(2).next_power_of_two().ilog2();
        let mut table = vec![0u32; 1 << bits];
        let mask = table.len() - 1;
        let shift = 32 - bits;
        let mut zero = false;
        for &k in &sorted {
            if k == 0 {
                zero = true;
                continue;
            }
            let mut i = slot(k, shift);
            while table[i] != 0 {
                i = (i + 1) & mask;
            }
            table[i] = k;
        }
        Self {
            table,
            shift,
            zero,
            len: sorted.len(),
        }
    }

    pub fn contains(&self, key: u32) -> bool {
        if key == 0 {
            return self.zero;
        }
        let mask = self.table.len().wrapping_sub(1);
        if self.table.is_empty() {
            return false;
        }
        let mut i = slot(key, self.shift);
        while let Some(&slot) = self.table.get(i) {
            if slot == key {
                return true;
            }
            if slot == 0 {
                return false;
            }
            i = (i + 1) & mask;
        }
        false
    }

    pub fn len(&self) -> usize {
        self.len
    }
}

/// The home slot of `key` in a table of `2^(32 - shift)` slots.
fn slot(key: u32, shift: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B1) >> shift) as usize
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
        // Keys crowding at both ends of their range (as fingerprints crowd towards small values).
        let crowded: Vec<u32> = (1..1000).chain(u32::MAX - 1000..=u32::MAX).collect();
        let t = Templates::from_sorted(crowded.clone());
        assert!(crowded.iter().all(|&k| t.contains(k)));
        assert!((1000..3000).all(|k| !t.contains(k)) && !t.contains(0));
        assert_eq!(t.len(), crowded.len());
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
        let sorted = |t: Templates| -> Vec<u32> {
            let mut keys: Vec<u32> = t.table.iter().copied().filter(|&k| k != 0).collect();
            keys.extend(t.zero.then_some(0));
            keys.sort_unstable();
            keys
        };
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
