//! MinHash signatures (one-permutation hashing with densification) and LSH banding.
//!
//! Signatures only propose candidate pairs; the decision is made on exact Jaccard afterwards, so a
//! reported pair is never below the threshold. The banding is tuned for recall at Jaccard ≥ 0.5:
//! with [`BANDS`] bands of [`ROWS`] rows a pair at exactly 0.5 becomes a candidate with probability
//! 1 − (1 − 0.5³)⁴² ≈ 0.996, and higher above it.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Bins of the one-permutation hash, i.e. the signature length.
pub const SIGNATURE_LEN: usize = 128;
/// Rows (signature entries) per LSH band.
pub const ROWS: usize = 3;
/// Number of LSH bands (`BANDS * ROWS <= SIGNATURE_LEN`).
pub const BANDS: usize = 42;

const BIN_BITS: u32 = SIGNATURE_LEN.trailing_zeros();
const EMPTY: u32 = u32::MAX;
const DENSIFY_SEED: u64 = 0xD3E5_1F1E_0000_0128;
const BAND_SEED: u64 = 0xBA4D_0000_0000_0042;

/// A MinHash signature. The seeds are fixed, so a stored signature never needs recomputing.
pub type Signature = [u32; SIGNATURE_LEN];

/// Signature of a set of shingle hashes; `None` when the set is empty.
///
/// The top bits of a (uniform) shingle hash choose its bin and the low 32 bits are its value; an empty
/// bin borrows the value of a bin chosen by a fixed pseudo-random sequence ("optimal densification"),
/// the same sequence for every document, so equal sets give equal signatures.
pub fn signature(shingles: impl IntoIterator<Item = u64>) -> Option<Signature> {
    let mut sig = [EMPTY; SIGNATURE_LEN];
    let mut any = false;
    for h in shingles {
        let bin = (h >> (64 - BIN_BITS)) as usize;
        // EMPTY is reserved for "no value": the one hash whose value is u32::MAX loses one bit.
        let value = (h as u32).min(EMPTY - 1);
        sig[bin] = sig[bin].min(value);
        any = true;
    }
    if !any {
        return None;
    }
    let filled = sig;
    for (bin, slot) in sig.iter_mut().enumerate() {
        let mut attempt = 0u64;
        while *slot == EMPTY {
            let probe = xxh3_64_with_seed(
                &[bin as u64, attempt].map(u64::to_le_bytes).concat(),
                DENSIFY_SEED,
            );
            *slot = filled[(probe % SIGNATURE_LEN as u64) as usize];
            attempt += 1;
        }
    }
    Some(sig)
}

/// Share of equal entries: an estimate of the Jaccard similarity of the two sets.
pub fn estimate(a: &Signature, b: &Signature) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / SIGNATURE_LEN as f64
}

/// Bucket key of each band of a signature.
pub fn band_keys(sig: &Signature) -> [u64; BANDS] {
    std::array::from_fn(|band| {
        let mut bytes = [0u8; ROWS * 4];
        for (slot, row) in bytes.chunks_exact_mut(4).zip(&sig[band * ROWS..]) {
            slot.copy_from_slice(&row.to_le_bytes());
        }
        xxh3_64_with_seed(&bytes, BAND_SEED ^ band as u64)
    })
}

/// LSH buckets of a fixed set of documents: documents whose signatures agree on a whole band share
/// that band's bucket.
///
/// Per band, the bucket keys sorted with their documents beside them: 12 bytes per document and band,
/// where a hash map of vectors took several times that (it was a tenth of the index's memory).
#[derive(Debug, Default)]
pub struct Lsh {
    /// Per band: sorted keys, and the document of each.
    bands: Vec<(Vec<u64>, Vec<u32>)>,
}

impl Lsh {
    pub fn build<'a>(signatures: impl IntoIterator<Item = (u32, &'a Signature)>) -> Self {
        let mut pairs: Vec<Vec<(u64, u32)>> = vec![Vec::new(); BANDS];
        for (doc, sig) in signatures {
            for (band, key) in band_keys(sig).into_iter().enumerate() {
                pairs[band].push((key, doc));
            }
        }
        let bands = pairs
            .into_iter()
            .map(|mut band| {
                band.sort_unstable();
                band.into_iter().unzip()
            })
            .collect();
        Self { bands }
    }

    /// The documents in the bucket of `key` in `band`.
    fn bucket(&self, band: usize, key: u64) -> &[u32] {
        let Some((keys, docs)) = self.bands.get(band) else {
            return &[];
        };
        let from = keys.partition_point(|&k| k < key);
        let to = keys.partition_point(|&k| k <= key);
        &docs[from..to]
    }

    /// Documents sharing at least one bucket with `sig`, sorted, without repeats.
    pub fn candidates(&self, sig: &Signature) -> Vec<u32> {
        let mut docs: Vec<u32> = band_keys(sig)
            .into_iter()
            .enumerate()
            .flat_map(|(band, key)| self.bucket(band, key))
            .copied()
            .collect();
        docs.sort_unstable();
        docs.dedup();
        docs
    }

    /// Every pair `(a, b)` with `a < b` sharing at least one bucket in any of `parts`, sorted, without
    /// repeats. Each part is a table with the number to add to its documents.
    pub fn candidate_pairs(parts: &[(u32, &Lsh)]) -> Vec<(u32, u32)> {
        let mut pairs = Vec::new();
        for band in 0..BANDS {
            let mut all: Vec<(u64, u32)> = Vec::new();
            for (first, lsh) in parts {
                if let Some((keys, docs)) = lsh.bands.get(band) {
                    all.extend(keys.iter().zip(docs).map(|(&k, &d)| (k, first + d)));
                }
            }
            all.sort_unstable();
            for bucket in all.chunk_by(|x, y| x.0 == y.0) {
                for (i, &(_, a)) in bucket.iter().enumerate() {
                    pairs.extend(bucket[i + 1..].iter().map(|&(_, b)| (a.min(b), a.max(b))));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::shingle_set;

    fn set(s: &str) -> Vec<u64> {
        shingle_set(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn empty_set_has_no_signature() {
        assert!(signature([]).is_none());
    }

    #[test]
    fn short_text_is_densified_and_stable() {
        let a = signature(set("科技局项目申报书")).unwrap();
        assert!(a.iter().all(|&v| v != EMPTY));
        assert_eq!(a, signature(set("科技局项目申报书")).unwrap());
    }

    #[test]
    fn estimate_tracks_jaccard() {
        // Two sets of 4,000 shingles sharing 2,000: Jaccard = 2000 / 6000 = 1/3.
        let h = |i: u64| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes());
        let a: Vec<u64> = (0..4000).map(h).collect();
        let b: Vec<u64> = (2000..6000).map(h).collect();
        let e = estimate(&signature(a).unwrap(), &signature(b).unwrap());
        assert!((e - 1.0 / 3.0).abs() < 0.12, "estimate {e}");
    }

    #[test]
    fn identical_documents_share_every_bucket() {
        let sig = signature(set("研究内容包括三个方面的关键技术攻关")).unwrap();
        let other = signature(set("完全不同的另一段文字用来对照检查结果")).unwrap();
        let lsh = Lsh::build([(7, &sig), (9, &other), (8, &sig)]);
        assert_eq!(lsh.candidates(&sig), vec![7, 8]);
        assert_eq!(lsh.candidates(&other), vec![9]);
        assert_eq!(Lsh::candidate_pairs(&[(0, &lsh)]), vec![(7, 8)]);
        // Tables of two segments: documents are numbered on from each one's first.
        let second = Lsh::build([(0, &other), (1, &sig)]);
        assert_eq!(
            Lsh::candidate_pairs(&[(0, &lsh), (10, &second)]),
            vec![(7, 8), (7, 11), (8, 11), (9, 10)]
        );
        assert!(Lsh::default().candidates(&sig).is_empty());
    }
}
