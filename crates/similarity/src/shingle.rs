//! Character 5-grams ("shingles") of normalised text, hashed to `u64`.
//!
//! The five chars of a shingle (21 bits each) are packed into 105 bits and mixed by two 64 × 64 → 128-bit
//! multiplications with fixed constants (the construction of rapidhash for inputs of up to 16 bytes,
//! whose quality tests it passes): the same value on every machine and in every version, so signatures
//! and fingerprints stored in an index stay valid. Each shingle costs a few instructions; XXH3 over its
//! 20 bytes cost several times that, and was a fifth of indexing.

/// Characters per shingle.
pub const SHINGLE_LEN: usize = 5;

/// Bits per char in a packed shingle (chars are below 0x110000).
const CHAR_BITS: u32 = 21;
/// The bits of a packed shingle: the first char highest, the last lowest.
const PACKED: u128 = (1 << (CHAR_BITS * SHINGLE_LEN as u32)) - 1;

/// Constants of the mix. Changing any of them invalidates every stored index. The low 21 bits of
/// `LOW` and bits 20–40 of `HIGH` are all ones, which no char is, so neither factor of the first
/// multiplication is ever zero.
const LOW: u64 = 0x2d35_8dcc_aa7f_ffff;
const HIGH: u64 = 0x8bb8_4b93_fffe_acc9 | (0x1F_FFFF << 20);
const MIX_A: u64 = 0x4b33_a62e_d433_d4a3;
const MIX_B: u64 = 0x9e37_79b9_7f4a_7c15;

/// The 128-bit product of `a` and `b`, its two halves xor-ed.
fn folded_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// Hash of a packed shingle.
fn mix(packed: u128) -> u64 {
    let product = u128::from(packed as u64 ^ LOW) * u128::from((packed >> 64) as u64 ^ HIGH);
    folded_multiply(product as u64 ^ MIX_A, (product >> 64) as u64 ^ MIX_B)
}

/// `packed` with `c` shifted in as its last char.
fn push(packed: u128, c: char) -> u128 {
    ((packed << CHAR_BITS) | u128::from(u32::from(c))) & PACKED
}

/// Hash of one shingle (exactly [`SHINGLE_LEN`] chars).
pub fn hash_shingle(chars: &[char]) -> u64 {
    mix(chars[..SHINGLE_LEN]
        .iter()
        .fold(0, |packed, &c| push(packed, c)))
}

/// Hashes of every shingle, in text order: entry `i` covers chars `i..i + SHINGLE_LEN`.
pub fn shingle_hashes(chars: &[char]) -> Vec<u64> {
    rolling_hashes(chars).collect()
}

/// [`key_of`] of every shingle's hash, in text order: what a check recomputes of an indexed text.
pub fn shingle_keys(chars: &[char]) -> Vec<u32> {
    rolling_hashes(chars).map(key_of).collect()
}

/// The hash of every shingle, the five chars packed as they roll in.
fn rolling_hashes(chars: &[char]) -> impl Iterator<Item = u64> + '_ {
    let (first, rest) = chars.split_at(chars.len().min(SHINGLE_LEN - 1));
    let mut packed = first.iter().fold(0, |packed, &c| push(packed, c));
    rest.iter().map(move |&c| {
        packed = push(packed, c);
        mix(packed)
    })
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
///
/// Three passes of 11 bits, the counts of all three digits taken in one pass before them (three
/// tables of 2,048 counters fit in the first-level cache). Fewer than 2³² values.
pub fn sort_by_high_half(mut values: Vec<u64>) -> Vec<u64> {
    const DIGIT: u32 = 11;
    const SHIFTS: [u32; 3] = [32, 32 + DIGIT, 32 + 2 * DIGIT];
    let digit = |v: u64, shift: u32| ((v >> shift) & ((1 << DIGIT) - 1)) as usize;
    let mut counts = [[0u32; 1 << DIGIT]; 3];
    for &v in &values {
        for (c, shift) in counts.iter_mut().zip(SHIFTS) {
            c[digit(v, shift)] += 1;
        }
    }
    let mut other = vec![0u64; values.len()];
    for (mut starts, shift) in counts.into_iter().zip(SHIFTS) {
        let mut at = 0;
        for s in starts.iter_mut() {
            let n = *s;
            *s = at;
            at += n;
        }
        for &v in &values {
            let d = digit(v, shift);
            other[starts[d] as usize] = v;
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
        assert_eq!(hash_shingle(&chars("研究内容及")), 0xd316_b39a_73fd_9e09);
    }

    #[test]
    fn rolling_hashes_agree_with_each_window_alone() {
        let text = chars("研究内容及技术路线abc１23國é\u{10FFFF}𠀀xyz");
        let hashes = shingle_hashes(&text);
        assert_eq!(hashes.len(), text.len() - 4);
        for (i, window) in text.windows(SHINGLE_LEN).enumerate() {
            assert_eq!(hashes[i], hash_shingle(window));
        }
        let keys: Vec<u32> = hashes.iter().map(|&h| key_of(h)).collect();
        assert_eq!(shingle_keys(&text), keys);
        assert!(shingle_keys(&text[..4]).is_empty());
    }

    #[test]
    fn hashes_are_spread_over_every_bit() {
        // 200,000 distinct shingles of few distinct chars, differing in one or two of them.
        let alphabet = chars("的一是了不在人有我他这中大来上国个到说们为子和你地出道也时年对生");
        let mut hashes: Vec<u64> = (0..200_000u32)
            .map(|i| {
                let window: Vec<char> = (0..SHINGLE_LEN as u32)
                    .map(|k| alphabet[(i / 32u32.pow(k) % 32) as usize])
                    .collect();
                hash_shingle(&window)
            })
            .collect();
        for bit in 0..64 {
            let ones = hashes.iter().filter(|&&h| h >> bit & 1 == 1).count();
            assert!((98_500..101_500).contains(&ones), "bit {bit}: {ones}");
        }
        // MinHash bins: the top 7 bits.
        let mut bins = [0usize; 128];
        for &h in &hashes {
            bins[(h >> 57) as usize] += 1;
        }
        assert!(bins.iter().all(|&n| (1300..1830).contains(&n)), "{bins:?}");
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), 200_000);
        // 32-bit keys: about n² / 2³³ ≈ 4.7 pairs share one by chance.
        let mut keys: Vec<u32> = hashes.iter().map(|&h| key_of(h)).collect();
        keys.sort_unstable();
        keys.dedup();
        assert!(keys.len() >= 200_000 - 20, "{}", 200_000 - keys.len());
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
