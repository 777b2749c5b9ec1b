//! Property tests: generated proofs verify, any flipped bit fails, the incremental
//! state agrees with the recursive definition, the stored state round-trips, proofs
//! need only the planned nodes, and a witness tells a grown log from a forked one.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use audit::{
    AddCheckpoint, Checkpoint, Frontier, Hash, HashStore, KeyKind, KeyName, MemoryStore, NodeId,
    Note, SignerKey, Verifiers, Witness, WitnessError, consistency_proof, consistency_proof_nodes,
    inclusion_proof, inclusion_proof_nodes, leaf_hash, root_of_leaves, tree_root, tree_root_nodes,
    verify_consistency, verify_inclusion,
};
use proptest::prelude::*;

const MAX_SIZE: u64 = 100_000;

/// One log of 10^5 leaves shared by all cases; any prefix of it is a tree to test.
fn big_log() -> &'static MemoryStore {
    static LOG: OnceLock<MemoryStore> = OnceLock::new();
    LOG.get_or_init(|| {
        let leaves: Vec<Hash> = (0..MAX_SIZE).map(|i| leaf_hash(&i.to_le_bytes())).collect();
        MemoryStore::from_leaves(&leaves).unwrap()
    })
}

fn flip(h: &Hash, bit: usize) -> Hash {
    let mut b = *h.as_bytes();
    b[bit / 8] ^= 1 << (bit % 8);
    Hash::from_bytes(b)
}

/// (size, index < size), with a bias towards small trees where edge cases live.
fn size_and_index() -> impl Strategy<Value = (u64, u64)> {
    prop_oneof![1..=64u64, 1..=MAX_SIZE].prop_flat_map(|size| (Just(size), 0..size))
}

/// (size1 ≤ size2), both at least 1.
fn two_sizes() -> impl Strategy<Value = (u64, u64)> {
    prop_oneof![1..=64u64, 1..=MAX_SIZE].prop_flat_map(|size2| (1..=size2, Just(size2)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn inclusion_proofs_verify((size, index) in size_and_index()) {
        let log = big_log();
        let root = tree_root(log, size).unwrap();
        let proof = inclusion_proof(log, index, size).unwrap();
        let leaf = log.leaves()[index as usize];
        prop_assert_eq!(verify_inclusion(index, size, &leaf, &proof, &root), Ok(()));
    }

    #[test]
    fn any_flipped_bit_breaks_an_inclusion_proof(
        (size, index) in size_and_index(),
        target in any::<prop::sample::Index>(),
        bit in 0..256usize,
    ) {
        let log = big_log();
        let root = tree_root(log, size).unwrap();
        let mut proof = inclusion_proof(log, index, size).unwrap();
        let mut leaf = log.leaves()[index as usize];
        let mut root_used = root;
        // Targets: the leaf, the root, or one of the proof hashes.
        match target.index(proof.len() + 2) {
            0 => leaf = flip(&leaf, bit),
            1 => root_used = flip(&root, bit),
            i => proof[i - 2] = flip(&proof[i - 2], bit),
        }
        prop_assert!(verify_inclusion(index, size, &leaf, &proof, &root_used).is_err());
    }

    #[test]
    fn consistency_proofs_verify((size1, size2) in two_sizes()) {
        let log = big_log();
        let proof = consistency_proof(log, size1, size2).unwrap();
        let root1 = tree_root(log, size1).unwrap();
        let root2 = tree_root(log, size2).unwrap();
        prop_assert_eq!(verify_consistency(size1, size2, &proof, &root1, &root2), Ok(()));
    }

    #[test]
    fn any_flipped_bit_breaks_a_consistency_proof(
        (size1, size2) in two_sizes(),
        target in any::<prop::sample::Index>(),
        bit in 0..256usize,
    ) {
        let log = big_log();
        let mut proof = consistency_proof(log, size1, size2).unwrap();
        let mut root1 = tree_root(log, size1).unwrap();
        let mut root2 = tree_root(log, size2).unwrap();
        match target.index(proof.len() + 2) {
            0 => root1 = flip(&root1, bit),
            1 => root2 = flip(&root2, bit),
            i => proof[i - 2] = flip(&proof[i - 2], bit),
        }
        prop_assert!(verify_consistency(size1, size2, &proof, &root1, &root2).is_err());
    }

    #[test]
    fn incremental_root_equals_the_recursive_definition(
        leaves in prop::collection::vec(any::<[u8; 32]>().prop_map(Hash::from_bytes), 0..1500),
        cut in any::<prop::sample::Index>(),
    ) {
        let f = Frontier::from_leaves(&leaves).unwrap();
        prop_assert_eq!(f.root(), root_of_leaves(&leaves));
        // And any earlier root, rebuilt from stored leaves.
        let store = MemoryStore::from_leaves(&leaves).unwrap();
        let earlier = cut.index(leaves.len() + 1);
        prop_assert_eq!(
            tree_root(&store, earlier as u64).unwrap(),
            root_of_leaves(&leaves[..earlier])
        );
    }

    #[test]
    fn state_from_a_store_equals_state_from_leaves(size in 0..3000u64) {
        let log = big_log();
        let from_leaves = Frontier::from_leaves(&log.leaves()[..size as usize]).unwrap();
        prop_assert_eq!(Frontier::from_store(log, size).unwrap(), from_leaves);
    }

    #[test]
    fn stored_state_round_trips_and_keeps_growing(size in 0..=MAX_SIZE, more in 0..50u64) {
        let log = big_log();
        let f = Frontier::from_store(log, size).unwrap();
        let mut restored = Frontier::from_bytes(&f.to_bytes()).unwrap();
        prop_assert_eq!(&restored, &f);
        let end = (size + more).min(MAX_SIZE);
        for leaf in &log.leaves()[size as usize..end as usize] {
            restored.append(*leaf).unwrap();
        }
        prop_assert_eq!(restored.root(), tree_root(log, end).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn signed_notes_verify_and_any_changed_byte_fails(
        lines in prop::collection::vec("[a-z0-9 ./+=审计]{1,40}", 1..5),
        seed in any::<[u8; 32]>(),
        at in any::<prop::sample::Index>(),
    ) {
        let key = SignerKey::from_seed(KeyName::new("log.example").unwrap(), KeyKind::Ed25519, seed);
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let mut note = Note::new(&text).unwrap();
        note.sign(&key).unwrap();
        let known = Verifiers::from(key.verifier().clone());
        let parsed = Note::parse(&note.to_string()).unwrap();
        prop_assert!(parsed.verify(&known).is_ok());

        // Change one character of the text to another printable one.
        let chars: Vec<char> = text.chars().collect();
        let i = at.index(chars.len());
        prop_assume!(chars[i] != '\n');
        let mut changed = chars.clone();
        changed[i] = if chars[i] == 'x' { 'y' } else { 'x' };
        let forged: String = changed.into_iter().collect();
        let forged_note = format!("{forged}\n{}", note.signatures()[0]);
        prop_assert!(Note::parse(&forged_note).unwrap().verify(&known).is_err());
    }
}

/// Only the nodes a proof was planned to read, as an asynchronous database would fetch.
fn fetched(nodes: Vec<NodeId>) -> BTreeMap<NodeId, Hash> {
    nodes
        .into_iter()
        .map(|n| (n, big_log().subtree(n).unwrap()))
        .collect()
}

const ORIGIN: &str = "sunlight.example/audit";

fn log_key() -> SignerKey {
    SignerKey::from_seed(KeyName::new(ORIGIN).unwrap(), KeyKind::Ed25519, [1; 32])
}

/// What a log with these leaves sends to move a witness from `old_size` to `size`.
fn add_checkpoint(store: &MemoryStore, old_size: u64, size: u64) -> AddCheckpoint {
    let checkpoint = Checkpoint::new(ORIGIN, size, tree_root(store, size).unwrap())
        .unwrap()
        .sign(&log_key())
        .unwrap();
    AddCheckpoint {
        old_size,
        proof: consistency_proof(store, old_size, size).unwrap(),
        checkpoint,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn proofs_need_only_the_planned_nodes(
        (size, index) in size_and_index(),
        (size1, size2) in two_sizes(),
    ) {
        let map = fetched(inclusion_proof_nodes(index, size).unwrap());
        prop_assert_eq!(
            inclusion_proof(&map, index, size).unwrap(),
            inclusion_proof(big_log(), index, size).unwrap()
        );
        let map = fetched(consistency_proof_nodes(size1, size2).unwrap());
        prop_assert_eq!(
            consistency_proof(&map, size1, size2).unwrap(),
            consistency_proof(big_log(), size1, size2).unwrap()
        );
        let map = fetched(tree_root_nodes(size));
        prop_assert_eq!(tree_root(&map, size), tree_root(big_log(), size));
    }

    #[test]
    fn a_witness_follows_a_growing_log_and_refuses_any_rewritten_history(
        sizes in prop::collection::vec(1..400u64, 1..5),
        rewrite in any::<prop::sample::Index>(),
    ) {
        let mut sizes = sizes;
        sizes.sort_unstable();
        let last = *sizes.last().unwrap();
        let leaves: Vec<Hash> = (0..last).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let honest = MemoryStore::from_leaves(&leaves).unwrap();
        let cosigner = SignerKey::from_seed(
            KeyName::new("jijian.example/w").unwrap(),
            KeyKind::Cosignature,
            [2; 32],
        );
        let mut witness = Witness::new(cosigner).unwrap();
        witness.add_log(ORIGIN, log_key().verifier().clone()).unwrap();
        let mut seen = 0;
        for &size in &sizes {
            witness.cosign(add_checkpoint(&honest, seen, size), 1_700_000_000).unwrap();
            seen = size;
        }
        prop_assert_eq!(witness.logs()[ORIGIN].size(), last);

        // The same log with one entry the witness has already covered changed, grown by
        // a few more: whatever proof it offers, the witness refuses it.
        let mut forged = leaves.clone();
        forged.extend((0..3u64).map(|i| leaf_hash(&(last + i).to_be_bytes())));
        let at = rewrite.index(last as usize);
        forged[at] = leaf_hash(b"rewritten");
        let forged = MemoryStore::from_leaves(&forged).unwrap();
        for size in [last, last + 3] {
            let err = witness.cosign(add_checkpoint(&forged, last, size), 1_700_000_001);
            prop_assert!(
                matches!(err, Err(WitnessError::Fork { .. } | WitnessError::Inconsistent { .. })),
                "size {}: {:?}", size, err
            );
        }
        // Rolled back to an earlier honest size: refused too.
        if last > 1 {
            let err = witness.cosign(add_checkpoint(&honest, last - 1, last - 1), 1_700_000_002);
            let is_rollback = matches!(err, Err(WitnessError::Rollback { .. }));
            prop_assert!(is_rollback);
        }
        let known = Verifiers::from(log_key().verifier().clone());
        let latest = witness.logs()[ORIGIN].latest.clone().unwrap();
        prop_assert_eq!(*latest.verify(&known).unwrap().checkpoint.root(), honest.root());
    }
}
