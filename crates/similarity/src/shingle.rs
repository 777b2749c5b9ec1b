//! Character 5-grams ("shingles") of normalised text, hashed to `u64`.
//!
//! The hash is XXH3 with a fixed seed: the value of a shingle never changes between runs, machines or
//! versions, so signatures and fingerprints stored in an index stay valid.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Characters per shingle.
pub const SHINGLE_LEN: usize = 5;

/// Seed of the shingle hash. Changing it invalidates every stored index.
const SHINGLE_SEED: u64 = 0x5EED_C4EC_0000_0005;

/// Hash of one shingle (exactly [`SHINGLE_LEN`] chars).
pub fn hash_shingle(chars: &[char]) -> u64 {
    let mut bytes = [0u8; SHINGLE_LEN * 4];
    for (slot, c) in bytes.chunks_exact_mut(4).zip(chars) {
        slot.copy_from_slice(&u32::from(*c).to_le_bytes());
    }
    xxh3_64_with_seed(&bytes, SHINGLE_SEED)
}

/// Hashes of every shingle, in text order: entry `i` covers chars `i..i + SHINGLE_LEN`.
pub fn shingle_hashes(chars: &[char]) -> Vec<u64> {
    chars.windows(SHINGLE_LEN).map(hash_shingle).collect()
}

/// The set of shingle hashes, sorted and without repeats.
pub fn shingle_set(chars: &[char]) -> Vec<u64> {
    distinct(&shingle_hashes(chars))
}

/// `hashes` sorted and without repeats.
pub fn distinct(hashes: &[u64]) -> Vec<u64> {
    let mut set = hashes.to_vec();
    set.sort_unstable();
    set.dedup();
    set
}

/// `(hash, position)` of every shingle, sorted by hash, then position.
pub fn sorted_shingles(hashes: &[u64]) -> Vec<(u64, u32)> {
    let mut sorted: Vec<(u64, u32)> = hashes.iter().copied().zip(0u32..).collect();
    sorted.sort_unstable();
    sorted
}

/// The distinct hashes of a list sorted by hash.
pub fn distinct_of_sorted<T: Copy + PartialEq>(sorted: &[(T, u32)]) -> Vec<T> {
    let mut set: Vec<T> = sorted.iter().map(|&(h, _)| h).collect();
    set.dedup();
    set
}

/// The 32-bit key of a shingle hash, as the index stores it (its top half, which is also the posting
/// key of a fingerprint: see [`crate::winnow::posting_key`]). Two different shingles of two documents
/// share a key by chance about once in 2³² comparisons: too rarely to move a ratio, and a copied
/// passage is only reported when [`MIN_COPY_LEN`](crate::winnow::MIN_COPY_LEN) characters' worth of
/// consecutive keys agree.
pub fn key_of(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// `(key, position)` of every shingle of a text given its keys in text order, sorted by key and then
/// position.
///
/// A least-significant-digit radix sort of the keys in three passes of 11 bits: each pass is stable,
/// so equal keys keep their text order. Several times faster than a comparison sort on a document's
/// 20,000 keys.
pub fn sorted_keys(keys: &[u32]) -> Vec<(u32, u32)> {
    let packed: Vec<u64> = (0u32..)
        .zip(keys)
        .map(|(p, &k)| (u64::from(k) << 32) | u64::from(p))
        .collect();
    sort_by_high_half(packed)
        .into_iter()
        .map(|v| ((v >> 32) as u32, v as u32))
        .collect()
}

/// `values` sorted by their top 32 bits, stably (values with equal top halves keep their order).
pub fn sort_by_high_half(mut values: Vec<u64>) -> Vec<u64> {
    const DIGIT: u32 = 11;
    let mut other = vec![0u64; values.len()];
    for shift in [32, 32 + DIGIT, 32 + 2 * DIGIT] {
        let digit = |v: u64| ((v >> shift) & ((1 << DIGIT) - 1)) as usize;
        let mut starts = [0usize; 1 << DIGIT];
        for &v in &values {
            starts[digit(v)] += 1;
        }
        let mut at = 0;
        for s in starts.iter_mut() {
            let n = *s;
            *s = at;
            at += n;
        }
        for &v in &values {
            let d = digit(v);
            other[starts[d]] = v;
            starts[d] += 1;
        }
        std::mem::swap(&mut values, &mut other);
    }
    values
}

/// Size of the intersection of two sorted sets, skipping elements for which `ignore` is true.
/// Returns `(intersection, len_a, len_b)` counted without the ignored elements.
pub fn overlap<T: Copy + Ord>(
    a: &[T],
    b: &[T],
    ignore: impl Fn(T) -> bool,
) -> (usize, usize, usize) {
    let both = intersection(a, b, &ignore);
    let kept = |set: &[T]| set.iter().filter(|&&x| !ignore(x)).count();
    (both, kept(a), kept(b))
}

/// Number of elements of both sorted sets for which `ignore` is false.
///
/// The merge advances both sides without a branch on which one is smaller (a mispredicted branch per
/// element is most of the cost on unrelated texts); `ignore` is asked only about shared elements.
pub fn intersection<T: Copy + Ord>(a: &[T], b: &[T], ignore: impl Fn(T) -> bool) -> usize {
    let (mut i, mut j, mut both) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x == y && !ignore(x) {
            both += 1;
        }
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    both
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn hash_is_stable_across_versions() {
        // Pinned value: a change here means every stored index must be rebuilt.
        assert_eq!(
            hash_shingle(&chars("研究内容及")),
            hash_shingle(&chars("研究内容及"))
        );
        assert_eq!(hash_shingle(&chars("研究内容及")), 0x4223_c1de_2bcc_0e92);
    }

    #[test]
    fn one_hash_per_window() {
        let h = shingle_hashes(&chars("abcdefg"));
        assert_eq!(h.len(), 3);
        assert_eq!(h[1], hash_shingle(&chars("bcdef")));
        assert!(shingle_hashes(&chars("abcd")).is_empty());
    }

    #[test]
    fn overlap_counts_without_ignored() {
        let a = [1, 2, 3, 4];
        let b = [2, 4, 5];
        assert_eq!(overlap(&a, &b, |_| false), (2, 4, 3));
        assert_eq!(overlap(&a, &b, |x| x == 4), (1, 3, 2));
        assert_eq!(intersection(&[1, 5, 9], &[0, 5, 9, 11], |_| false), 2);
        assert_eq!(intersection::<u64>(&[], &[3], |_| false), 0);
    }

    #[test]
    fn radix_sort_agrees_with_a_comparison_sort() {
        let mut x = 0x1234_5678_9abc_def1u64;
        let keys: Vec<u32> = (0..5000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Some repeats, some keys at the extremes.
                match i % 50 {
                    0 => 0,
                    1 => u32::MAX,
                    2..=9 => 77,
                    _ => x as u32,
                }
            })
            .collect();
        let mut expected: Vec<(u32, u32)> = keys.iter().copied().zip(0u32..).collect();
        expected.sort_unstable();
        assert_eq!(sorted_keys(&keys), expected);
        assert!(sorted_keys(&[]).is_empty());
        assert_eq!(
            sort_by_high_half(vec![(2 << 32) | 9, (1 << 32) | 5, (2 << 32) | 1]),
            vec![(1 << 32) | 5, (2 << 32) | 9, (2 << 32) | 1]
        );
    }
}
