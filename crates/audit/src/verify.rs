//! Verification of inclusion and consistency proofs, exactly as RFC 9162 §2.1.3.2 and
//! §2.1.4.2 describe, with an up-front length check so a failure says *why*.

use crate::hash::{Hash, node_hash};

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("叶子序号{index}超出树的大小{size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("旧树大小{size1}大于新树大小{size2}，日志不能变小")]
    SizeOrder { size1: u64, size2: u64 },
    #[error("无法证明空树与大小为{size2}的树一致：从空树出发的一致性证明没有意义")]
    EmptyFirstTree { size2: u64 },
    #[error("证明应有{expected}个哈希，实有{actual}个")]
    WrongProofLength { expected: usize, actual: usize },
    #[error("由证明算出的根哈希与给定的根哈希不符")]
    RootMismatch,
    #[error("由证明算出的旧树根哈希与给定的旧树根哈希不符")]
    FirstRootMismatch,
    #[error("由证明算出的新树根哈希与给定的新树根哈希不符")]
    SecondRootMismatch,
    #[error("两棵树大小相同却根哈希不同：日志已分叉")]
    SameSizeDifferentRoots,
}

/// Number of hashes in the inclusion proof of `index` in a tree of `size` leaves
/// (`index < size`): the siblings inside the perfect subtree holding the leaf, plus one
/// per perfect subtree on the left border above it.
pub(crate) fn inclusion_proof_len(index: u64, size: u64) -> usize {
    let inner = bit_len(index ^ (size - 1));
    let border = (index >> inner).count_ones();
    (inner + border) as usize
}

/// Number of hashes in the consistency proof from `size1` to `size2` (`0 < size1 < size2`).
pub(crate) fn consistency_proof_len(size1: u64, size2: u64) -> usize {
    let shift = size1.trailing_zeros();
    let index = size1 - 1;
    let inner = bit_len(index ^ (size2 - 1));
    let border = (index >> inner).count_ones();
    // The root of the old tree is in the proof unless it is itself a perfect subtree.
    let seed = u32::from(!size1.is_power_of_two());
    (seed + inner - shift + border) as usize
}

fn bit_len(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// Shifts `fn_` and `sn` right together until `fn_` is odd or zero (RFC 9162 step 4.b.iii).
fn skip_right_border(fn_: &mut u64, sn: &mut u64) {
    while *fn_ & 1 == 0 && *fn_ != 0 {
        *fn_ >>= 1;
        *sn >>= 1;
    }
}

/// Verifies that `leaf` is the leaf at `index` of the tree of `size` leaves with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion_proof(index, size, leaf, proof)?;
    if computed == *root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// Computes the tree root implied by an inclusion proof (RFC 9162 §2.1.3.2).
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_proof_len(index, size);
    let wrong_length = ProofError::WrongProofLength {
        expected,
        actual: proof.len(),
    };
    if proof.len() != expected {
        return Err(wrong_length);
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(wrong_length);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            skip_right_border(&mut fn_, &mut sn);
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(wrong_length);
    }
    Ok(r)
}

/// Verifies that the tree of `size2` leaves with `root2` extends the tree of `size1`
/// leaves with `root1` (RFC 9162 §2.1.4.2).
///
/// Equal sizes need an empty proof and equal roots. A first size of 0 is refused:
/// every tree extends the empty tree, so such a "proof" would prove nothing.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), ProofError> {
    if size1 > size2 {
        return Err(ProofError::SizeOrder { size1, size2 });
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength {
                expected: 0,
                actual: proof.len(),
            });
        }
        return if root1 == root2 {
            Ok(())
        } else {
            Err(ProofError::SameSizeDifferentRoots)
        };
    }
    if size1 == 0 {
        return Err(ProofError::EmptyFirstTree { size2 });
    }
    let expected = consistency_proof_len(size1, size2);
    let wrong_length = ProofError::WrongProofLength {
        expected,
        actual: proof.len(),
    };
    if proof.len() != expected {
        return Err(wrong_length);
    }

    // Step 2: when the old tree is a perfect subtree its root starts the path.
    let (first, rest) = if size1.is_power_of_two() {
        (root1, proof)
    } else {
        match proof.split_first() {
            Some(split) => split,
            None => return Err(wrong_length),
        }
    };
    let (mut fn_, mut sn) = (size1 - 1, size2 - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(wrong_length);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            skip_right_border(&mut fn_, &mut sn);
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if fr != *root1 {
        return Err(ProofError::FirstRootMismatch);
    }
    if sr != *root2 {
        return Err(ProofError::SecondRootMismatch);
    }
    if sn != 0 {
        return Err(wrong_length);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn single_leaf_tree_root_is_the_leaf() {
        let leaf = leaf_hash(b"only");
        assert_eq!(verify_inclusion(0, 1, &leaf, &[], &leaf), Ok(()));
        assert_eq!(
            verify_inclusion(1, 1, &leaf, &[], &leaf),
            Err(ProofError::IndexOutOfRange { index: 1, size: 1 })
        );
    }

    #[test]
    fn two_leaf_tree_proves_both_sides() {
        let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
        let root = node_hash(&a, &b);
        assert_eq!(verify_inclusion(0, 2, &a, &[b], &root), Ok(()));
        assert_eq!(verify_inclusion(1, 2, &b, &[a], &root), Ok(()));
        assert_eq!(
            verify_inclusion(0, 2, &b, &[a], &root),
            Err(ProofError::RootMismatch)
        );
        assert_eq!(
            verify_inclusion(0, 2, &a, &[], &root),
            Err(ProofError::WrongProofLength {
                expected: 1,
                actual: 0
            })
        );
    }

    #[test]
    fn proof_lengths_match_rfc_examples() {
        // RFC 9162 §2.1.5 example tree of 7 leaves.
        assert_eq!(inclusion_proof_len(0, 7), 3);
        assert_eq!(inclusion_proof_len(3, 7), 3);
        assert_eq!(inclusion_proof_len(4, 7), 3);
        assert_eq!(inclusion_proof_len(6, 7), 2);
        assert_eq!(consistency_proof_len(3, 7), 4);
        assert_eq!(consistency_proof_len(4, 7), 1);
        assert_eq!(consistency_proof_len(6, 7), 3);
    }

    #[test]
    fn consistency_edge_cases_say_why() {
        let r = leaf_hash(b"r");
        assert_eq!(verify_consistency(3, 3, &[], &r, &r), Ok(()));
        assert_eq!(
            verify_consistency(3, 3, &[], &r, &leaf_hash(b"s")),
            Err(ProofError::SameSizeDifferentRoots)
        );
        assert_eq!(
            verify_consistency(0, 5, &[], &r, &r),
            Err(ProofError::EmptyFirstTree { size2: 5 })
        );
        assert_eq!(
            verify_consistency(5, 3, &[], &r, &r),
            Err(ProofError::SizeOrder { size1: 5, size2: 3 })
        );
    }
}
