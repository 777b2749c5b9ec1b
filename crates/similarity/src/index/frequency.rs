//! Shingle document frequencies, for template removal: a 5-gram found in more documents than the cap
//! (the text of the application form, standard clauses) says nothing about copying and is ignored.
//!
//! Frequencies live on disk, one sorted stream per segment; memory holds only the template set.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::segment::{FrequencyReader, Segment};
use crate::Error;

/// The template shingles. Shingle hashes are already uniform, so the set uses them as they are instead of
/// hashing them again (a check looks up every shingle of every candidate).
pub type Templates = HashSet<u64, BuildHasherDefault<PassThrough>>;

/// A [`Hasher`] for values that are hashes already.
#[derive(Default)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Document frequency of each distinct shingle of a batch: `(hash, count)` sorted by hash.
/// Each document's shingle set must be sorted and without repeats.
pub fn count<'a>(sets: impl IntoIterator<Item = &'a [u64]>) -> Vec<(u64, u32)> {
    let mut all: Vec<u64> = sets.into_iter().flatten().copied().collect();
    all.par_sort_unstable();
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
    let mut out = Templates::default();
    let mut current: Option<(u64, u32)> = None;
    while let Some(Reverse((h, n, i))) = heap.pop() {
        current = match current {
            Some((ch, total)) if ch == h => Some((h, total + n)),
            Some((ch, total)) => {
                if total > cap {
                    out.insert(ch);
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
        out.insert(h);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::segment::write;

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
        assert_eq!(
            t.iter().copied().collect::<HashSet<u64>>(),
            HashSet::from([3])
        );
        let t = templates(&[&a, &b], 1).unwrap();
        assert_eq!(
            t.into_iter().collect::<HashSet<u64>>(),
            HashSet::from([2, 3])
        );
    }
}
