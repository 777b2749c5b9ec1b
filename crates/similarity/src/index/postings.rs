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
    pub fn new(mut pairs: Vec<(u32, u32)>) -> Self {
        pairs.par_sort_unstable();
        pairs.dedup();
        let bits = (pairs.len() / PER_BUCKET).max(1).ilog2().clamp(16, 24);
        let mut starts = vec![0u32; (1 << bits) + 1];
        for &(key, _) in &pairs {
            starts[(key >> (32 - bits)) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let docs = match u16::try_from(pairs.iter().map(|&(_, d)| d).max().unwrap_or(0)) {
            Ok(_) => Ordinals::Small(pairs.iter().map(|&(_, d)| d as u16).collect()),
            Err(_) => Ordinals::Large(pairs.iter().map(|&(_, d)| d).collect()),
        };
        Self {
            starts,
            bits,
            low: pairs.iter().map(|&(k, _)| k as u16).collect(),
            docs,
        }
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
    }
}
