//! Where proofs get their hashes from: the [`HashStore`] trait over perfect subtrees,
//! and [`MemoryStore`], an in-memory store for tests, tools and benchmarks.

use std::collections::{BTreeMap, HashMap};

use crate::frontier::{Frontier, FrontierError, fold_roots};
use crate::hash::{Hash, empty_root, node_hash};

/// A perfect subtree of the log: the `2^level` leaves starting at `index · 2^level`.
/// Level 0 is a single leaf.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct NodeId {
    level: u8,
    index: u64,
}

impl NodeId {
    /// `level` is at most 63, as a log has fewer than 2^64 leaves.
    pub const fn new(level: u8, index: u64) -> Self {
        NodeId { level, index }
    }
    pub const fn level(&self) -> u8 {
        self.level
    }
    pub const fn index(&self) -> u64 {
        self.index
    }
    /// First leaf covered.
    pub const fn start(&self) -> u64 {
        self.index << self.level
    }
    pub(crate) const fn parent(&self) -> Self {
        NodeId {
            level: self.level + 1,
            index: self.index >> 1,
        }
    }
}

/// A source of perfect-subtree hashes.
///
/// The application keeps every node that [`Frontier::append_with`] reports in a table
/// keyed by (level, index), so each lookup is one row. A synchronous database handle
/// can implement this trait directly. With an asynchronous one, ask first which nodes a
/// proof needs ([`crate::inclusion_proof_nodes`], [`crate::consistency_proof_nodes`],
/// [`tree_root_nodes`]), fetch them in one query into a `BTreeMap<NodeId, Hash>` (which
/// implements this trait), then build the proof from the map.
pub trait HashStore {
    type Error;
    /// Hash of the perfect subtree `node`, which lies wholly inside the stored leaves.
    fn subtree(&self, node: NodeId) -> Result<Hash, Self::Error>;
}

/// Merkle tree hash of a list of leaf hashes, straight from the recursive definition of
/// RFC 9162 §2.1.1 (MTH). The reference the faster code is tested against.
pub fn root_of_leaves(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = largest_power_of_two_below(n as u64) as usize;
            node_hash(&root_of_leaves(&leaves[..k]), &root_of_leaves(&leaves[k..]))
        }
    }
}

/// The largest power of two strictly smaller than `n` (`n > 1`), RFC 9162's split point.
pub(crate) fn largest_power_of_two_below(n: u64) -> u64 {
    1 << (u64::BITS - 1 - (n - 1).leading_zeros())
}

/// Root of the first `size` leaves of the log: lets the application compute the root
/// of any earlier size, e.g. to check an old checkpoint.
pub fn tree_root<S: HashStore + ?Sized>(store: &S, size: u64) -> Result<Hash, S::Error> {
    range_hash(store, 0, size)
}

/// The nodes [`tree_root`] and [`Frontier::from_store`] read for a tree of `size` leaves:
/// one per set bit of `size`, largest first.
pub fn tree_root_nodes(size: u64) -> Vec<NodeId> {
    perfect_subtrees(0, size).collect()
}

/// Hash of the leaves `[start, end)`, where `start` is aligned to the largest power of
/// two not above `end - start` — which holds for every range RFC 9162's recursion
/// visits. The range splits into perfect subtrees, largest first.
pub(crate) fn range_hash<S: HashStore + ?Sized>(
    store: &S,
    start: u64,
    end: u64,
) -> Result<Hash, S::Error> {
    let roots = perfect_subtrees(start, end)
        .map(|node| store.subtree(node))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(fold_roots(&roots))
}

/// The perfect subtrees that make up `[start, end)`, largest first (same alignment
/// condition as [`range_hash`]).
pub(crate) fn perfect_subtrees(start: u64, end: u64) -> impl Iterator<Item = NodeId> {
    let n = end - start;
    let mut pos = start;
    (0..u64::BITS as u8)
        .rev()
        .filter(move |&level| n >> level & 1 == 1)
        .map(move |level| {
            let node = NodeId::new(level, pos >> level);
            pos += 1 << level;
            node
        })
}

/// A log kept wholly in memory, with every perfect subtree cached, so any subtree hash
/// is one lookup. About 64 bytes per leaf.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    /// `levels[l][i]` is the hash of `NodeId::new(l, i)`; `levels[0]` holds the leaves.
    levels: Vec<Vec<Hash>>,
    frontier: Frontier,
}

/// The asked-for subtree is not (yet) complete in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "存储中没有第{}层第{}个子树（叶子{}至{}）：日志没有这么多叶子，或节点表缺行",
    .node.level, .node.index, .node.start(), .node.start() + (1u64 << .node.level) - 1
)]
pub struct MissingNode {
    pub node: NodeId,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_leaves<'a>(
        leaves: impl IntoIterator<Item = &'a Hash>,
    ) -> Result<Self, FrontierError> {
        let mut s = Self::new();
        for leaf in leaves {
            s.append(*leaf)?;
        }
        Ok(s)
    }

    pub fn append(&mut self, leaf: Hash) -> Result<(), FrontierError> {
        let levels = &mut self.levels;
        self.frontier.append_with(leaf, |node, hash| {
            let level = usize::from(node.level());
            if levels.len() <= level {
                levels.push(Vec::new());
            }
            levels[level].push(*hash);
        })
    }

    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }

    /// Leaf hashes in order.
    pub fn leaves(&self) -> &[Hash] {
        self.levels.first().map_or(&[], Vec::as_slice)
    }
}

impl HashStore for MemoryStore {
    type Error = MissingNode;
    fn subtree(&self, node: NodeId) -> Result<Hash, MissingNode> {
        usize::try_from(node.index())
            .ok()
            .and_then(|i| self.levels.get(usize::from(node.level()))?.get(i))
            .copied()
            .ok_or(MissingNode { node })
    }
}

impl HashStore for BTreeMap<NodeId, Hash> {
    type Error = MissingNode;
    fn subtree(&self, node: NodeId) -> Result<Hash, MissingNode> {
        self.get(&node).copied().ok_or(MissingNode { node })
    }
}

impl<S: std::hash::BuildHasher> HashStore for HashMap<NodeId, Hash, S> {
    type Error = MissingNode;
    fn subtree(&self, node: NodeId) -> Result<Hash, MissingNode> {
        self.get(&node).copied().ok_or(MissingNode { node })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    fn leaves(n: u32) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        assert_eq!(largest_power_of_two_below(2), 1);
        assert_eq!(largest_power_of_two_below(5), 4);
        assert_eq!(largest_power_of_two_below(8), 4);
        assert_eq!(largest_power_of_two_below(9), 8);
    }

    #[test]
    fn every_earlier_root_matches_the_definition() {
        let l = leaves(37);
        let store = MemoryStore::from_leaves(&l).unwrap();
        for size in 0..=37 {
            assert_eq!(
                tree_root(&store, size),
                Ok(root_of_leaves(&l[..size as usize])),
                "size {size}"
            );
        }
    }

    #[test]
    fn a_subtree_beyond_the_log_is_reported_missing() {
        let store = MemoryStore::from_leaves(&leaves(5)).unwrap();
        let err = store.subtree(NodeId::new(2, 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "存储中没有第2层第1个子树（叶子4至7）：日志没有这么多叶子，或节点表缺行"
        );
        assert_eq!(
            tree_root(&store, 8),
            Err(MissingNode {
                node: NodeId::new(3, 0)
            })
        );
        assert_eq!(store.leaves().len(), 5);
    }

    #[test]
    fn a_map_of_the_root_nodes_gives_the_root() {
        let l = leaves(13);
        let store = MemoryStore::from_leaves(&l).unwrap();
        let nodes = tree_root_nodes(13);
        assert_eq!(
            nodes,
            [NodeId::new(3, 0), NodeId::new(2, 2), NodeId::new(0, 12)]
        );
        let mut map: BTreeMap<NodeId, Hash> = nodes
            .iter()
            .map(|&n| (n, store.subtree(n).unwrap()))
            .collect();
        assert_eq!(tree_root(&map, 13), Ok(root_of_leaves(&l)));
        let hashed: HashMap<NodeId, Hash> = map.clone().into_iter().collect();
        assert_eq!(tree_root(&hashed, 13), Ok(root_of_leaves(&l)));
        map.remove(&NodeId::new(2, 2));
        assert_eq!(
            tree_root(&map, 13),
            Err(MissingNode {
                node: NodeId::new(2, 2)
            })
        );
    }
}
