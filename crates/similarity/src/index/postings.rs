//! The inverted index of one segment's winnowing fingerprints: for a posting key, the documents that
//! hold it. Keys are bucketed by their top 16 to 24 bits, so a posting takes 4 bytes in memory (the low 16
//! bits of its key and the document's ordinal in the segment, 16 bits in a segment of at most
//! [`SMALL_SEGMENT`] documents, else 32) and a look-up searches only one small bucket.
//!
//! Postings are most of the index's memory (about 4,000 per document of 20,000 chars), hence the
//! squeezing.

use rayon::prelude::*;

/// Postings of one segment.
#[derive(Debug, Default)]
pub struct Postings {
    /// Start of each bucket (top `bits` bits of the key) in `low`/`docs`, plus the end.
    starts: Vec<u32>,
    /// 16 to 24: about [`PER_BUCKET`] postings a bucket, so a look-up's search stays within a cache
    /// line or two however large the segment.
    bits: u32,
    /// Low 16 bits of each key: with the bucket, the whole key.
    low: Vec<u16>,
    docs: Ordinals,
    /// Highest ordinal plus one.
    documents: usize,
}

/// Postings per bucket aimed at.
const PER_BUCKET: usize = 32;

/// Most documents in a segment whose ordinals take 16 bits.
pub const SMALL_SEGMENT: usize = 1 << 16;

#[derive(Debug)]
enum Ordinals {
    Small(Vec<u16>),
    Large(Vec<u32>),
}

impl Default for Ordinals {
    fn default() -> Self {
        Self::Small(Vec::new())
    }
}

/// The ordinals of the documents holding one key, sorted.
#[derive(Debug, Clone, Copy)]
pub enum Holders<'a> {
    Small(&'a [u16]),
    Large(&'a [u32]),
}

impl Holders<'_> {
    pub fn len(&self) -> usize {
        match self {
            Self::Small(o) => o.len(),
            Self::Large(o) => o.len(),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let (small, large) = match self {
            Self::Small(o) => (*o, &[][..]),
            Self::Large(o) => (&[][..], *o),
        };
        small
            .iter()
            .map(|&o| u32::from(o))
            .chain(large.iter().copied())
    }
}

impl Postings {
    /// From `(key, ordinal)` pairs in any order.
    #[cfg(test)]
    pub fn new(pairs: Vec<(u32, u32)>) -> Self {
        let mut packed: Vec<u64> = pairs
            .into_iter()
            .map(|(k, d)| (u64::from(k) << 32) | u64::from(d))
            .collect();
        packed.sort_unstable();
        Self::from_sorted(packed)
    }

    /// From `key << 32 | ordinal` values in any order: spread over buckets by the top bits of their
    /// keys (one counting pass, one scattering pass), and each bucket sorted on its own, in parallel and
    /// in cache — several times faster than one comparison sort of the millions of pairs.
    pub fn from_unsorted(packed: Vec<u64>) -> Self {
        let bits = (packed.len() / 512).max(1).ilog2().min(16);
        let bucket = |v: u64| v.checked_shr(64 - bits).unwrap_or(0) as usize;
        let mut starts = vec![0usize; (1 << bits) + 1];
        for &v in &packed {
            starts[bucket(v) + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut sorted = vec![0u64; packed.len()];
        let mut next = starts.clone();
        for &v in &packed {
            let b = bucket(v);
            sorted[next[b]] = v;
            next[b] += 1;
        }
        drop(packed);
        let mut buckets: Vec<&mut [u64]> = Vec::with_capacity(starts.len() - 1);
        let mut rest = sorted.as_mut_slice();
        for w in starts.windows(2) {
            let (head, tail) = rest.split_at_mut(w[1] - w[0]);
            buckets.push(head);
            rest = tail;
        }
        buckets.par_iter_mut().for_each(|b| b.sort_unstable());
        Self::from_sorted(sorted)
    }

    /// From `key << 32 | ordinal` values sorted.
    fn from_sorted(mut packed: Vec<u64>) -> Self {
        debug_assert!(packed.windows(2).all(|w| w[0] <= w[1]));
        packed.dedup();
        let key = |v: u64| (v >> 32) as u32;
        let bits = (packed.len() / PER_BUCKET).max(1).ilog2().clamp(16, 24);
        let mut starts = vec![0u32; (1 << bits) + 1];
        for &v in &packed {
            starts[(key(v) >> (32 - bits)) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let most = packed.iter().map(|&v| v as u32).max();
        let docs = match u16::try_from(most.unwrap_or(0)) {
            Ok(_) => Ordinals::Small(packed.iter().map(|&v| v as u16).collect()),
            Err(_) => Ordinals::Large(packed.iter().map(|&v| v as u32).collect()),
        };
        Self {
            starts,
            bits,
            low: packed.iter().map(|&v| key(v) as u16).collect(),
            docs,
            documents: most.map_or(0, |m| m as usize + 1),
        }
    }

    /// Number of documents (highest ordinal plus one).
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// The low halves of the keys whose top 16 bits are `prefix`, one per posting, sorted.
    pub fn lows_of_prefix(&self, prefix: u32) -> &[u16] {
        // `bits` is at least 16 except in the empty default, whose `starts` is empty.
        let Some(shift) = self.bits.checked_sub(16) else {
            return &[];
        };
        let (Some(&from), Some(&to)) = (
            self.starts.get((prefix << shift) as usize),
            self.starts.get(((prefix + 1) << shift) as usize),
        ) else {
            return &[];
        };
        &self.low[from as usize..to as usize]
    }

    /// The documents holding `key`.
    pub fn get(&self, key: u32) -> Holders<'_> {
        // `bits` is 0 only in the empty default, whose `starts` is empty too.
        let bucket = key.checked_shr(32 - self.bits).unwrap_or(0) as usize;
        let (Some(&from), Some(&to)) = (self.starts.get(bucket), self.starts.get(bucket + 1))
        else {
            return Holders::Small(&[]);
        };
        let (from, to) = (from as usize, to as usize);
        let low = &self.low[from..to];
        let first = low.partition_point(|&l| l < key as u16);
        let count = low[first..]
            .iter()
            .take_while(|&&l| l == key as u16)
            .count();
        let (first, end) = (from + first, from + first + count);
        match &self.docs {
            Ordinals::Small(o) => Holders::Small(&o[first..end]),
            Ordinals::Large(o) => Holders::Large(&o[first..end]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_documents_of_a_key() {
        let p = Postings::new(vec![
            (0x0001_0002, 5),
            (0x0002_0002, 1),
            (0x0001_0002, 3),
            (7, 9),
        ]);
        let get = |p: &Postings, key| p.get(key).iter().collect::<Vec<u32>>();
        assert!(matches!(p.get(7), Holders::Small(_)));
        assert_eq!(get(&p, 0x0001_0002), vec![3, 5]);
        assert_eq!(get(&p, 0x0002_0002), vec![1]);
        assert_eq!(get(&p, 7), vec![9]);
        assert_eq!(p.get(0x0003_0002).len(), 0);
        assert_eq!(Postings::default().get(7).len(), 0);
        // Ordinals past 16 bits are kept whole.
        let p = Postings::new(vec![(7, 70_000), (7, 2), (8, 65_535)]);
        assert!(matches!(p.get(7), Holders::Large(_)));
        assert_eq!(get(&p, 7), vec![2, 70_000]);
        assert_eq!(get(&p, 8), vec![65_535]);
        // A large segment gets more buckets; every key is still found whole.
        let key = |i: u32| i.wrapping_mul(0x9E37_79B9);
        let p = Postings::new((0..5_000_000).map(|i| (key(i), i % 1000)).collect());
        assert!(p.bits > 16);
        for i in (0..5_000_000).step_by(997) {
            assert_eq!(get(&p, key(i)), vec![i % 1000]);
        }
        assert_eq!(p.get(key(5_000_001)).len(), 0);
        assert_eq!(p.documents(), 1000);
        // Built from pairs in order of ordinal, the same postings.
        let mut pairs: Vec<u64> = (0..5_000_000u64)
            .map(|i| (u64::from(key(i as u32)) << 32) | (i % 1000))
            .collect();
        pairs.sort_unstable_by_key(|&v| v as u32);
        let q = Postings::from_unsorted(pairs);
        assert_eq!((q.bits, &q.starts, &q.low), (p.bits, &p.starts, &p.low));
        for i in (0..5_000_000).step_by(997) {
            assert_eq!(get(&q, key(i)), vec![i % 1000]);
        }
        // The low halves under one 16-bit prefix, sorted.
        let prefix = key(12_345) >> 16;
        let lows = p.lows_of_prefix(prefix);
        assert!(lows.contains(&(key(12_345) as u16)));
        assert!(lows.windows(2).all(|w| w[0] <= w[1]));
        let expected = (0..5_000_000).filter(|&i| key(i) >> 16 == prefix).count();
        assert_eq!(lows.len(), expected);
        assert!(Postings::default().lows_of_prefix(3).is_empty());
        let few = Postings::from_unsorted(vec![(9 << 32) | 1, 5 << 32, (9 << 32) | 1]);
        assert_eq!(get(&few, 9), vec![1]);
        assert_eq!(get(&few, 5), vec![0]);
    }
}
