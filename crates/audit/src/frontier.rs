//! The append-only tree state in O(log n) memory: the roots of the perfect subtrees
//! that make up the tree (one per set bit of its size), also called a compact range.

use crate::hash::{HASH_LEN, Hash, empty_root, node_hash};
use crate::store::{HashStore, NodeId, perfect_subtrees};

/// Version byte in front of the serialised state, so the format can change later.
const FORMAT_VERSION: u8 = 1;

/// The state of an append-only Merkle log: its size and the roots of its perfect
/// subtrees from left (largest) to right (smallest). Enough to append and to give the
/// root; the application keeps it in one row next to the leaves.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Frontier {
    size: u64,
    roots: Vec<Hash>,
}

/// Why stored bytes are not a tree state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontierError {
    #[error("树状态数据的格式版本应为{FORMAT_VERSION}，实为{0}")]
    Version(u8),
    #[error("树状态数据长度应为{expected}字节，实为{actual}字节")]
    Length { expected: usize, actual: usize },
    #[error("日志已满：叶子数不能超过 2^64-1")]
    Full,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds the state from all leaf hashes, in order.
    pub fn from_leaves<'a>(
        leaves: impl IntoIterator<Item = &'a Hash>,
    ) -> Result<Self, FrontierError> {
        let mut f = Self::new();
        for leaf in leaves {
            f.append(*leaf)?;
        }
        Ok(f)
    }

    /// Rebuilds the state at `size` from a store's subtree hashes, in O(log n) reads.
    pub fn from_store<S: HashStore + ?Sized>(store: &S, size: u64) -> Result<Self, S::Error> {
        let roots = perfect_subtrees(0, size)
            .map(|node| store.subtree(node))
            .collect::<Result<_, _>>()?;
        Ok(Frontier { size, roots })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash.
    pub fn append(&mut self, leaf: Hash) -> Result<(), FrontierError> {
        self.append_with(leaf, |_, _| {})
    }

    /// Appends a leaf hash and reports every perfect subtree it completes (the leaf
    /// itself first, then its ancestors up to the largest completed one), so that a
    /// store can cache them and answer proofs in O(log n) reads.
    pub fn append_with(
        &mut self,
        leaf: Hash,
        mut completed: impl FnMut(NodeId, &Hash),
    ) -> Result<(), FrontierError> {
        if self.size == u64::MAX {
            return Err(FrontierError::Full);
        }
        let mut node = NodeId::new(0, self.size);
        let mut hash = leaf;
        completed(node, &hash);
        // Each trailing 1 bit of the old size is a left sibling the new leaf completes.
        let mut bits = self.size;
        while bits & 1 == 1 {
            let Some(left) = self.roots.pop() else {
                unreachable!("one root is kept per set bit of the size")
            };
            hash = node_hash(&left, &hash);
            node = node.parent();
            completed(node, &hash);
            bits >>= 1;
        }
        self.roots.push(hash);
        self.size += 1;
        Ok(())
    }

    /// Root of the tree (RFC 6962 MTH); SHA-256("") for the empty tree.
    pub fn root(&self) -> Hash {
        fold_roots(&self.roots)
    }

    /// The perfect-subtree roots, largest first.
    pub fn subtree_roots(&self) -> &[Hash] {
        &self.roots
    }

    /// `version (1 byte) ‖ size (u64, big-endian) ‖ roots (32 bytes each)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 8 + HASH_LEN * self.roots.len());
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&self.size.to_be_bytes());
        for r in &self.roots {
            out.extend_from_slice(r.as_bytes());
        }
        out
    }

    /// Reads what [`Frontier::to_bytes`] wrote; the length must match the size exactly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FrontierError> {
        let Some((&version, rest)) = bytes.split_first() else {
            return Err(FrontierError::Length {
                expected: 9,
                actual: 0,
            });
        };
        if version != FORMAT_VERSION {
            return Err(FrontierError::Version(version));
        }
        let Some((size_bytes, hashes)) = rest.split_first_chunk::<8>() else {
            return Err(FrontierError::Length {
                expected: 9,
                actual: bytes.len(),
            });
        };
        let size = u64::from_be_bytes(*size_bytes);
        let count = size.count_ones() as usize;
        if hashes.len() != count * HASH_LEN {
            return Err(FrontierError::Length {
                expected: 9 + count * HASH_LEN,
                actual: bytes.len(),
            });
        }
        let roots = hashes
            .chunks_exact(HASH_LEN)
            .map(|c| {
                let mut a = [0; HASH_LEN];
                a.copy_from_slice(c);
                Hash::from_bytes(a)
            })
            .collect();
        Ok(Frontier { size, roots })
    }
}

/// Root of a tree given the roots of its perfect subtrees, largest first: RFC 6962 splits
/// off the largest power of two on the left, so the fold runs from the right.
pub(crate) fn fold_roots(roots: &[Hash]) -> Hash {
    let Some((last, rest)) = roots.split_last() else {
        return empty_root();
    };
    rest.iter()
        .rev()
        .fold(*last, |acc, left| node_hash(left, &acc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn keeps_one_root_per_set_bit() {
        let mut f = Frontier::new();
        for i in 0..13u32 {
            f.append(leaf_hash(&i.to_be_bytes())).unwrap();
        }
        assert_eq!(f.size(), 13);
        assert_eq!(f.subtree_roots().len(), 3); // 13 = 8 + 4 + 1
    }

    #[test]
    fn three_leaves_root_matches_hand_computation() {
        let (a, b, c) = (leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c"));
        let f = Frontier::from_leaves(&[a, b, c]).unwrap();
        assert_eq!(f.root(), node_hash(&node_hash(&a, &b), &c));
        assert_eq!(Frontier::new().root(), empty_root());
    }

    #[test]
    fn reports_completed_subtrees() {
        let mut f =
            Frontier::from_leaves(&[leaf_hash(b"0"), leaf_hash(b"1"), leaf_hash(b"2")]).unwrap();
        let mut seen = Vec::new();
        f.append_with(leaf_hash(b"3"), |n, _| seen.push((n.level(), n.index())))
            .unwrap();
        assert_eq!(seen, vec![(0, 3), (1, 1), (2, 0)]);
    }

    #[test]
    fn bytes_with_a_wrong_length_or_version_are_refused() {
        let f =
            Frontier::from_leaves(&[leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")]).unwrap();
        let bytes = f.to_bytes();
        assert_eq!(Frontier::from_bytes(&bytes), Ok(f));
        assert_eq!(
            Frontier::from_bytes(&bytes[..bytes.len() - 1]),
            Err(FrontierError::Length {
                expected: 9 + 64,
                actual: 9 + 63
            })
        );
        let mut other = bytes.clone();
        other[0] = 9;
        assert_eq!(Frontier::from_bytes(&other), Err(FrontierError::Version(9)));
        assert!(Frontier::from_bytes(&[]).is_err());
    }
}
