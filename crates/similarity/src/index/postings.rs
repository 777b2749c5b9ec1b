//! The inverted index of one segment's winnowing fingerprints: for a posting key, the documents that
//! hold it. Keys are bucketed by their top 16 to 24 bits, so a posting takes 4 bytes in memory (the low 16
//! bits of its key and the document's ordinal in the segment, 16 bits in a segment of at most
//! [`SMALL_SEGMENT`] documents, else 32) and a look-up searches only one small bucket.
//!
//! Postings are most of the index's memory (about 4,000 per document of 20,000 chars), hence the
//! squeezing.

use std::io::{Read, Write};

use rayon::prelude::*;

/// Elements converted to or from bytes at a time when postings are written or read.
const CHUNK: usize = 1 << 16;

/// `n` elements of `size_of::<T>()` bytes each, converted by `from`, read a chunk at a time (so the
/// bytes are never all in memory beside the elements).
fn read_array<T>(
    input: &mut impl Read,
    n: usize,
    from: impl Fn(&[u8]) -> T,
) -> std::io::Result<Vec<T>> {
    let size = std::mem::size_of::<T>();
    let mut out = Vec::with_capacity(n);
    let mut bytes = vec![0u8; CHUNK * size];
    while out.len() < n {
        let take = (n - out.len()).min(CHUNK);
        let bytes = &mut bytes[..take * size];
        input.read_exact(bytes)?;
        out.extend(bytes.chunks_exact(size).map(&from));
    }
    Ok(out)
}

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

/// Top bits of a key that choose its task in [`Postings::from_pieces`] (at most 16, the fewest bits
/// that choose a bucket).
const TASK_BITS: u32 = 6;
/// Tasks of [`Postings::from_pieces`].
pub const TASKS: usize = 1 << TASK_BITS;

/// The task of [`Postings::from_pieces`] that takes the postings of `key`.
pub fn task_of(key: u32) -> usize {
    (key >> (32 - TASK_BITS)) as usize
}

/// Bits of the key below the task's that file a task's values into groups of equal top 16 bits
/// (the fewest bits that choose a bucket): 1,024 counters, in the first-level cache.
const GROUP_BITS: u32 = 16 - TASK_BITS;

/// The group of a `key << 32 | ordinal` value within its task.
fn group_of(v: u64) -> usize {
    ((v >> 48) & ((1 << GROUP_BITS) - 1)) as usize
}

/// One task's values sorted (by key, then ordinal, with repeats), and the highest ordinal.
struct TaskValues {
    values: Vec<u64>,
    most: Option<u32>,
}

impl TaskValues {
    /// Counts the values of each group and files them (a counting sort by the group, reading the
    /// parts where they are), then sorts each group: a few dozen values for an add of a few
    /// hundred documents, in cache. Two passes over the values, where a radix sort of the whole
    /// key took four passes over arrays much larger than the cache.
    fn of<'a>(slices: impl Iterator<Item = &'a [u64]> + Clone) -> Self {
        let mut groups = vec![0u32; (1 << GROUP_BITS) + 1];
        let mut most = None;
        for slice in slices.clone() {
            for &v in slice {
                groups[group_of(v) + 1] += 1;
                most = most.max(Some(v as u32));
            }
        }
        for g in 1..groups.len() {
            groups[g] += groups[g - 1];
        }
        let mut next = groups.clone();
        let mut values = vec![0u64; groups[groups.len() - 1] as usize];
        for slice in slices {
            for &v in slice {
                let g = group_of(v);
                values[next[g] as usize] = v;
                next[g] += 1;
            }
        }
        let mut scratch = Vec::new();
        for g in groups.windows(2) {
            sort_group(&mut values[g[0] as usize..g[1] as usize], &mut scratch);
        }
        Self { values, most }
    }

    /// The task's share of the postings, with buckets of the top `bits` bits of the key, the task's
    /// first being `first_bucket`: each key's ordinals once, in order.
    fn postings(self, bits: u32, first_bucket: usize, buckets: usize) -> TaskPostings {
        let mut out = TaskPostings {
            low: Vec::with_capacity(self.values.len()),
            docs: Vec::with_capacity(self.values.len()),
            bucket_sizes: vec![0; buckets],
            most: self.most,
        };
        let mut previous = None;
        for &v in &self.values {
            if previous != Some(v) {
                let key = (v >> 32) as u32;
                out.low.push(key as u16);
                out.docs.push(v as u32);
                out.bucket_sizes[(key >> (32 - bits)) as usize - first_bucket] += 1;
                previous = Some(v);
            }
        }
        out
    }
}

/// Sorts the values of one group (keys sharing their top 16 bits). A large group (an add of
/// thousands of documents) is first filed by the key's next 8 bits, a counting sort in the
/// first-level cache, so that what is left to sort is again a few values at a time: sorting
/// hundreds of values by comparison made an add of 10,000 documents 8 % slower.
fn sort_group(group: &mut [u64], scratch: &mut Vec<u64>) {
    const SMALL: usize = 64;
    if group.len() <= SMALL {
        group.sort_unstable();
        return;
    }
    let digit = |v: u64| ((v >> 40) & 0xFF) as usize;
    let mut starts = [0u32; 257];
    for &v in group.iter() {
        starts[digit(v) + 1] += 1;
    }
    for d in 1..starts.len() {
        starts[d] += starts[d - 1];
    }
    scratch.clear();
    scratch.resize(group.len(), 0);
    let mut next = starts;
    for &v in group.iter() {
        let d = digit(v);
        scratch[next[d] as usize] = v;
        next[d] += 1;
    }
    group.copy_from_slice(scratch);
    for run in starts.windows(2) {
        group[run[0] as usize..run[1] as usize].sort_unstable();
    }
}

/// One task's share of the postings: the low halves of the keys, the ordinals, the number of
/// postings in each of the task's buckets, and the highest ordinal.
struct TaskPostings {
    low: Vec<u16>,
    docs: Vec<u32>,
    bucket_sizes: Vec<u32>,
    most: Option<u32>,
}

/// Top bits of the key that choose the bucket of postings, for `count` postings.
fn bits_for(count: usize) -> u32 {
    (count / PER_BUCKET).max(1).ilog2().clamp(16, 24)
}

/// The values of `runs` one after the other, each converted by `each`, filled in parallel.
fn gather<S: Sync, T: Copy + Default + Send>(
    runs: &[&[S]],
    each: impl Fn(&S) -> T + Sync,
) -> Vec<T> {
    let mut out = vec![T::default(); runs.iter().map(|r| r.len()).sum()];
    let mut rest = out.as_mut_slice();
    let mut pieces = Vec::with_capacity(runs.len());
    for run in runs {
        let (piece, tail) = rest.split_at_mut(run.len());
        pieces.push(piece);
        rest = tail;
    }
    pieces.into_par_iter().zip(runs).for_each(|(piece, run)| {
        for (slot, v) in piece.iter_mut().zip(run.iter()) {
            *slot = each(v);
        }
    });
    out
}

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

    /// From `key << 32 | ordinal` values gathered by [`task_of`] their key, `pieces[part][task]`,
    /// with repeats, each part's in order of ordinal (those of an add: each of its threads gathers
    /// the postings of the documents it analyses, in the order it takes them, as it goes).
    ///
    /// Built in parallel, one task per range of keys, which bucket boundaries never cross (a task's
    /// range is a run of whole buckets): each task files its values by their key's top 16 bits and
    /// sorts each such group ([`TaskValues::of`]), then drops repeats as it counts its buckets and
    /// fills its share of the arrays; the shares are then put one after the other. Tasks are equal
    /// ranges of keys, not of postings: fingerprint keys (window minima) crowd towards small values,
    /// and the first task of 200 documents holds an eighth of them (tasks of equal shares, tried,
    /// were not measurably faster on a loaded machine). Sorting each thread's postings whole and
    /// merging them was most of the time between the end of an add's analysis and its commit; a
    /// least-significant-digit radix sort of each task's keys after that, 15 % slower than the
    /// groups.
    pub fn from_pieces(pieces: Vec<Vec<Vec<u64>>>) -> Self {
        // Chosen from the count with repeats, which is known before the sort.
        let bits = bits_for(pieces.iter().flatten().map(Vec::len).sum());
        let per_task = 1 << (bits - TASK_BITS);
        let tasks: Vec<TaskPostings> = (0..TASKS)
            .into_par_iter()
            .map(|task| {
                let slices = pieces
                    .iter()
                    .filter_map(move |part| part.get(task))
                    .map(Vec::as_slice);
                TaskValues::of(slices).postings(bits, task * per_task, per_task)
            })
            .collect();
        drop(pieces);
        let most = tasks.iter().filter_map(|t| t.most).max();
        let mut starts = Vec::with_capacity((1 << bits) + 1);
        starts.push(0u32);
        for size in tasks.iter().flat_map(|t| &t.bucket_sizes) {
            starts.push(starts[starts.len() - 1] + size);
        }
        let lows: Vec<&[u16]> = tasks.iter().map(|t| t.low.as_slice()).collect();
        let docs: Vec<&[u32]> = tasks.iter().map(|t| t.docs.as_slice()).collect();
        Self {
            bits,
            low: gather(&lows, |&low| low),
            docs: match u16::try_from(most.unwrap_or(0)) {
                Ok(_) => Ordinals::Small(gather(&docs, |&d| d as u16)),
                Err(_) => Ordinals::Large(gather(&docs, |&d| d)),
            },
            starts,
            documents: most.map_or(0, |m| m as usize + 1),
        }
    }

    /// From `key << 32 | ordinal` values in any order, sorted in place: no second copy of the pairs
    /// (a merge of 65,536 documents holds a quarter of a billion of them).
    pub fn from_unsorted_in_place(mut packed: Vec<u64>) -> Self {
        packed.par_sort_unstable();
        Self::from_sorted(packed)
    }

    /// From `key << 32 | ordinal` values sorted.
    fn from_sorted(mut packed: Vec<u64>) -> Self {
        debug_assert!(packed.windows(2).all(|w| w[0] <= w[1]));
        packed.dedup();
        let key = |v: u64| (v >> 32) as u32;
        let bits = bits_for(packed.len());
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

    /// Calls `each(key, ordinal)` for every posting, in order of key and ordinal.
    pub fn for_each(&self, mut each: impl FnMut(u32, u32)) {
        let low_bits = 32 - self.bits;
        for (bucket, range) in self.starts.windows(2).enumerate() {
            for i in range[0] as usize..range[1] as usize {
                let key = ((bucket as u32) << low_bits)
                    | (u32::from(self.low[i]) & ((1 << low_bits) - 1));
                let ordinal = match &self.docs {
                    Ordinals::Small(o) => u32::from(o[i]),
                    Ordinals::Large(o) => o[i],
                };
                each(key, ordinal);
            }
        }
    }

    /// Writes the postings as a segment stores them (little-endian): `bits` (u32), the number of
    /// postings (u64), whether ordinals take 4 bytes (u8), the bucket starts (u32 each), the low halves
    /// of the keys (u16 each), the ordinals (u16 or u32 each). Returns the number of bytes written.
    pub fn write_to(&self, out: &mut impl Write) -> std::io::Result<u64> {
        if self.bits == 0 {
            // The empty default, written as empty postings with buckets.
            return Self::from_sorted(Vec::new()).write_to(out);
        }
        let wide = matches!(self.docs, Ordinals::Large(_));
        out.write_all(&self.bits.to_le_bytes())?;
        out.write_all(&(self.low.len() as u64).to_le_bytes())?;
        out.write_all(&[u8::from(wide)])?;
        let mut bytes = Vec::with_capacity(CHUNK * 4);
        let mut written = 13u64;
        let mut put = |bytes: &mut Vec<u8>, out: &mut dyn Write| -> std::io::Result<()> {
            out.write_all(bytes)?;
            written += bytes.len() as u64;
            bytes.clear();
            Ok(())
        };
        for chunk in self.starts.chunks(CHUNK) {
            bytes.extend(chunk.iter().flat_map(|s| s.to_le_bytes()));
            put(&mut bytes, out)?;
        }
        for chunk in self.low.chunks(CHUNK) {
            bytes.extend(chunk.iter().flat_map(|s| s.to_le_bytes()));
            put(&mut bytes, out)?;
        }
        match &self.docs {
            Ordinals::Small(o) => {
                for chunk in o.chunks(CHUNK) {
                    bytes.extend(chunk.iter().flat_map(|s| s.to_le_bytes()));
                    put(&mut bytes, out)?;
                }
            }
            Ordinals::Large(o) => {
                for chunk in o.chunks(CHUNK) {
                    bytes.extend(chunk.iter().flat_map(|s| s.to_le_bytes()));
                    put(&mut bytes, out)?;
                }
            }
        }
        Ok(written)
    }

    /// Reads what [`Postings::write_to`] wrote, `len` bytes, for a segment of `documents` documents;
    /// `Ok(None)` when the bytes are not such postings.
    pub fn read_from(
        input: &mut impl Read,
        len: u64,
        documents: usize,
    ) -> std::io::Result<Option<Self>> {
        let mut head = [0u8; 13];
        input.read_exact(&mut head)?;
        let bits = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        let count = u64::from_le_bytes([
            head[4], head[5], head[6], head[7], head[8], head[9], head[10], head[11],
        ]);
        let wide = head[12] == 1;
        let width = if wide { 4 } else { 2 };
        if !(16..=24).contains(&bits)
            || head[12] > 1
            || Some(len)
                != count
                    .checked_mul(2 + width)
                    .and_then(|n| n.checked_add(13 + 4 * ((1 << bits) + 1)))
        {
            return Ok(None);
        }
        let count = count as usize;
        let starts: Vec<u32> = read_array(input, (1 << bits) + 1, |b| {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        })?;
        let low: Vec<u16> = read_array(input, count, |b| u16::from_le_bytes([b[0], b[1]]))?;
        let docs = if wide {
            Ordinals::Large(read_array(input, count, |b| {
                u32::from_le_bytes([b[0], b[1], b[2], b[3]])
            })?)
        } else {
            Ordinals::Small(read_array(input, count, |b| {
                u16::from_le_bytes([b[0], b[1]])
            })?)
        };
        let in_range = match &docs {
            Ordinals::Small(o) => o.iter().all(|&d| usize::from(d) < documents),
            Ordinals::Large(o) => o.iter().all(|&d| (d as usize) < documents),
        };
        let consistent = starts.first() == Some(&0)
            && starts.last().map(|&s| s as usize) == Some(count)
            && starts.windows(2).all(|w| w[0] <= w[1]);
        if !in_range || !consistent {
            return Ok(None);
        }
        Ok(Some(Self {
            starts,
            bits,
            low,
            docs,
            documents,
        }))
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
        // Gathered by task in parts holding ordinals from the highest down (each in order), with
        // repeats.
        let mut pieces: Vec<Vec<Vec<u64>>> = Vec::new();
        for chunk in pairs.chunks(1_234_567).rev() {
            let mut part = vec![Vec::new(); TASKS];
            for &v in chunk.iter().chain(&chunk[..10]) {
                part[task_of((v >> 32) as u32)].push(v);
            }
            pieces.push(part);
        }
        let q = Postings::from_pieces(pieces);
        let r = Postings::from_unsorted_in_place(pairs);
        assert_eq!((r.bits, &r.starts, &r.low), (p.bits, &p.starts, &p.low));
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
        let piece = |values: &[u64]| {
            let mut part = vec![Vec::new(); TASKS];
            for &v in values {
                part[task_of((v >> 32) as u32)].push(v);
            }
            part
        };
        // As two threads take documents in turn: the first 0, 3 and 70,000, the second 1 and 2.
        let few = Postings::from_pieces(vec![
            piece(&[
                5 << 32,
                (7 << 32) | 3,
                (9 << 32) | 3,
                (u64::from(u32::MAX) << 32) | 70_000,
            ]),
            piece(&[(9 << 32) | 1, (7 << 32) | 2, (9 << 32) | 2, (9 << 32) | 2]),
            Vec::new(),
        ]);
        assert_eq!(get(&few, 9), vec![1, 2, 3]);
        assert_eq!(get(&few, 7), vec![2, 3]);
        assert_eq!(get(&few, 5), vec![0]);
        assert_eq!(get(&few, u32::MAX), vec![70_000]);
        assert_eq!(few.documents(), 70_001);
        assert_eq!(Postings::from_pieces(Vec::new()).get(5).len(), 0);
    }

    #[test]
    fn written_postings_read_back_the_same() {
        let key = |i: u32| i.wrapping_mul(0x9E37_79B9);
        for (n, documents) in [(0u32, 1usize), (100_000, 1000), (50_000, 70_000)] {
            let p = Postings::new((0..n).map(|i| (key(i), i % documents as u32)).collect());
            let mut bytes = Vec::new();
            let len = p.write_to(&mut bytes).unwrap();
            assert_eq!(len, bytes.len() as u64);
            let q = Postings::read_from(&mut bytes.as_slice(), len, documents)
                .unwrap()
                .unwrap();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            p.for_each(|k, d| a.push((k, d)));
            q.for_each(|k, d| b.push((k, d)));
            assert_eq!(a, b);
            let mut expected: Vec<(u32, u32)> =
                (0..n).map(|i| (key(i), i % documents as u32)).collect();
            expected.sort_unstable();
            assert_eq!(a, expected);
            // Ordinals beyond the segment, or a wrong length, are refused.
            assert!(
                n == 0
                    || Postings::read_from(&mut bytes.as_slice(), len, 10)
                        .unwrap()
                        .is_none()
            );
            assert!(
                Postings::read_from(&mut bytes.as_slice(), len + 1, documents)
                    .unwrap()
                    .is_none()
            );
        }
    }
}
