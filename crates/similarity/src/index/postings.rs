//! The inverted index of one segment's winnowing fingerprints: for a posting key, the documents that
//! hold it. Keys are bucketed by their top 16 bits, so a posting takes 6 bytes in memory (the low 16
//! bits of its key and the document) and a look-up searches only one small bucket.

use rayon::prelude::*;

/// Postings of one segment.
#[derive(Debug, Default)]
pub struct Postings {
    /// Start of each bucket (top 16 bits of the key) in `low`/`docs`, plus the end.
    starts: Vec<u32>,
    low: Vec<u16>,
    docs: Vec<u32>,
}

const BUCKETS: usize = 1 << 16;

impl Postings {
    /// From `(key, document)` pairs in any order.
    pub fn new(mut pairs: Vec<(u32, u32)>) -> Self {
        pairs.par_sort_unstable();
        pairs.dedup();
        let mut starts = vec![0u32; BUCKETS + 1];
        for &(key, _) in &pairs {
            starts[(key >> 16) as usize + 1] += 1;
        }
        for i in 0..BUCKETS {
            starts[i + 1] += starts[i];
        }
        Self {
            starts,
            low: pairs.iter().map(|&(k, _)| k as u16).collect(),
            docs: pairs.iter().map(|&(_, d)| d).collect(),
        }
    }

    /// The documents holding `key`, sorted.
    pub fn get(&self, key: u32) -> &[u32] {
        let bucket = (key >> 16) as usize;
        let (Some(&from), Some(&to)) = (self.starts.get(bucket), self.starts.get(bucket + 1))
        else {
            return &[];
        };
        let (from, to) = (from as usize, to as usize);
        let low = &self.low[from..to];
        let first = low.partition_point(|&l| l < key as u16);
        let count = low[first..].partition_point(|&l| l == key as u16);
        &self.docs[from + first..from + first + count]
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
        assert_eq!(p.get(0x0001_0002), &[3, 5]);
        assert_eq!(p.get(0x0002_0002), &[1]);
        assert_eq!(p.get(7), &[9]);
        assert!(p.get(0x0003_0002).is_empty());
        assert!(Postings::default().get(7).is_empty());
    }
}
