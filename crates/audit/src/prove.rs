//! Generation of inclusion and consistency proofs (RFC 9162 §2.1.3.1 and §2.1.4.1) from
//! any [`HashStore`]. Walks the RFC recursion top-down; at most one hash per level is
//! not a perfect subtree, so a proof costs O(log n) store reads.

use std::cell::RefCell;
use std::convert::Infallible;

use crate::hash::Hash;
use crate::store::{HashStore, NodeId, largest_power_of_two_below, range_hash};

/// Why a proof could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProveError<E> {
    #[error("叶子序号{index}超出树的大小{size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("旧树大小{size1}大于新树大小{size2}")]
    SizeOrder { size1: u64, size2: u64 },
    #[error("读取哈希失败：{0}")]
    Store(E),
}

/// The audit path of leaf `index` in the tree of the first `size` leaves.
pub fn inclusion_proof<S: HashStore + ?Sized>(
    store: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProveError<S::Error>> {
    if index >= size {
        return Err(ProveError::IndexOutOfRange { index, size });
    }
    let mut path = Vec::new();
    let (mut lo, mut hi) = (0, size);
    while hi - lo > 1 {
        let mid = lo + largest_power_of_two_below(hi - lo);
        if index < mid {
            path.push(range_hash(store, mid, hi).map_err(ProveError::Store)?);
            hi = mid;
        } else {
            path.push(range_hash(store, lo, mid).map_err(ProveError::Store)?);
            lo = mid;
        }
    }
    // Collected root-first; the proof is listed leaf-first.
    path.reverse();
    Ok(path)
}

/// The consistency proof from the tree of the first `size1` leaves to the tree of the
/// first `size2` leaves. Empty when the sizes are equal, and from the empty tree (as
/// C2SP `tlog-witness` asks for a witness that has seen nothing yet).
pub fn consistency_proof<S: HashStore + ?Sized>(
    store: &S,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, ProveError<S::Error>> {
    if size1 > size2 {
        return Err(ProveError::SizeOrder { size1, size2 });
    }
    if size1 == size2 || size1 == 0 {
        return Ok(Vec::new());
    }
    let mut path = Vec::new();
    let (mut lo, mut hi) = (0, size2);
    // RFC 9162 SUBPROOF's flag b: true while the current subtree's root is already
    // known to the verifier (it is the old root itself).
    let mut known = true;
    loop {
        if size1 == hi {
            if !known {
                path.push(range_hash(store, lo, hi).map_err(ProveError::Store)?);
            }
            break;
        }
        let mid = lo + largest_power_of_two_below(hi - lo);
        if size1 <= mid {
            path.push(range_hash(store, mid, hi).map_err(ProveError::Store)?);
            hi = mid;
        } else {
            path.push(range_hash(store, lo, mid).map_err(ProveError::Store)?);
            lo = mid;
            known = false;
        }
    }
    path.reverse();
    Ok(path)
}

/// Notes which subtrees a proof reads, answering each with a placeholder.
#[derive(Default)]
struct Recorder(RefCell<Vec<NodeId>>);

impl HashStore for Recorder {
    type Error = Infallible;
    fn subtree(&self, node: NodeId) -> Result<Hash, Infallible> {
        self.0.borrow_mut().push(node);
        Ok(Hash::from_bytes([0; 32]))
    }
}

/// The subtrees [`inclusion_proof`] reads for leaf `index` of a tree of `size` leaves:
/// fetch these (e.g. in one database query) into a map, then build the proof from it.
pub fn inclusion_proof_nodes(index: u64, size: u64) -> Result<Vec<NodeId>, ProveError<Infallible>> {
    let recorder = Recorder::default();
    inclusion_proof(&recorder, index, size)?;
    Ok(recorder.0.into_inner())
}

/// The subtrees [`consistency_proof`] reads from `size1` to `size2` leaves.
pub fn consistency_proof_nodes(
    size1: u64,
    size2: u64,
) -> Result<Vec<NodeId>, ProveError<Infallible>> {
    let recorder = Recorder::default();
    consistency_proof(&recorder, size1, size2)?;
    Ok(recorder.0.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    use crate::hash::leaf_hash;
    use crate::store::{MemoryStore, root_of_leaves};
    use crate::verify::{verify_consistency, verify_inclusion};

    fn store(n: u32) -> MemoryStore {
        let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        MemoryStore::from_leaves(&leaves).unwrap()
    }

    #[test]
    fn rfc_example_proofs_have_rfc_shapes() {
        // RFC 9162 §2.1.5: PATH(3, D[7]) = [c, g, l], PROOF(4, D[7]) = [l].
        let s = store(7);
        let l = s.leaves();
        let p = inclusion_proof(&s, 3, 7).unwrap();
        assert_eq!(p[0], l[2]);
        assert_eq!(p[2], root_of_leaves(&l[4..7]));
        assert_eq!(
            consistency_proof(&s, 4, 7).unwrap(),
            vec![root_of_leaves(&l[4..7])]
        );
    }

    #[test]
    fn all_small_proofs_verify() {
        let s = store(33);
        let l = s.leaves();
        for size in 1..=33u64 {
            let root = root_of_leaves(&l[..size as usize]);
            for i in 0..size {
                let p = inclusion_proof(&s, i, size).unwrap();
                assert_eq!(verify_inclusion(i, size, &l[i as usize], &p, &root), Ok(()));
            }
            for size1 in 1..=size {
                let root1 = root_of_leaves(&l[..size1 as usize]);
                let p = consistency_proof(&s, size1, size).unwrap();
                assert_eq!(verify_consistency(size1, size, &p, &root1, &root), Ok(()));
            }
        }
    }

    #[test]
    fn impossible_requests_are_refused() {
        let s = store(4);
        assert_eq!(
            inclusion_proof(&s, 4, 4),
            Err(ProveError::IndexOutOfRange { index: 4, size: 4 })
        );
        assert_eq!(
            consistency_proof(&s, 3, 2),
            Err(ProveError::SizeOrder { size1: 3, size2: 2 })
        );
        assert_eq!(consistency_proof(&s, 0, 2), Ok(Vec::new()));
        assert!(matches!(
            inclusion_proof(&s, 0, 9),
            Err(ProveError::Store(_))
        ));
    }

    #[test]
    fn a_map_of_the_planned_nodes_is_enough_for_the_proof() {
        let s = store(1000);
        let only = |nodes: Vec<NodeId>| -> BTreeMap<NodeId, Hash> {
            nodes
                .into_iter()
                .map(|n| (n, s.subtree(n).unwrap()))
                .collect()
        };
        for (index, size) in [(0, 1), (5, 7), (999, 1000), (511, 513), (300, 777)] {
            let nodes = inclusion_proof_nodes(index, size).unwrap();
            assert!(nodes.len() <= 2 * 64, "O(log n) reads, got {}", nodes.len());
            let map = only(nodes);
            assert_eq!(
                inclusion_proof(&map, index, size).unwrap(),
                inclusion_proof(&s, index, size).unwrap()
            );
        }
        for (size1, size2) in [(1, 2), (4, 7), (333, 1000), (512, 1000), (0, 9), (8, 8)] {
            let map = only(consistency_proof_nodes(size1, size2).unwrap());
            assert_eq!(
                consistency_proof(&map, size1, size2).unwrap(),
                consistency_proof(&s, size1, size2).unwrap()
            );
        }
        assert_eq!(
            inclusion_proof_nodes(3, 3),
            Err(ProveError::IndexOutOfRange { index: 3, size: 3 })
        );
    }
}
