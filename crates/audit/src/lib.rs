//! Sunlight's tamper-evident audit trail (痕迹化): an append-only RFC 6962 / RFC 9162
//! Merkle log over the application's audit events.
//!
//! The crate does no I/O: the application hashes its events ([`leaf_hash`]), keeps the
//! leaves and the [`Frontier`] in its database, and calls in here to append, to produce
//! and verify proofs, to sign checkpoints and to witness them ([`Witness`]). Text formats
//! follow C2SP (`signed-note`, `tlog-checkpoint`, `tlog-cosignature`, `tlog-witness`,
//! `tlog-proof`), so standard tools can check Sunlight's log without Sunlight.
//!
//! ```
//! use audit::*;
//!
//! // The log: its signing key (the application supplies the random seed) and its leaves.
//! let name = KeyName::new("sunlight.example/audit").unwrap();
//! let log_key = SignerKey::from_seed(name.clone(), KeyKind::Ed25519, [1; 32]);
//! let mut store = MemoryStore::new(); // the application's own HashStore in production
//! for event in ["登录", "修改整改措施", "销号"] {
//!     store.append(leaf_hash(event.as_bytes())).unwrap();
//! }
//!
//! // Sign the tree head, and hand out an offline proof for entry 1.
//! let checkpoint = Checkpoint::new(name.as_str(), store.size(), store.root()).unwrap();
//! let signed = checkpoint.sign(&log_key).unwrap();
//! let proof = inclusion_proof(&store, 1, store.size()).unwrap();
//! let bundle = ProofBundle::new(1, proof, signed).with_extra("修改整改措施".as_bytes().to_vec());
//! let file = bundle.to_string(); // a `.tlog-proof` file
//!
//! // Anyone holding the log's public key checks it, without Sunlight.
//! let known = Verifiers::new([VerifierKey::parse(&log_key.verifier().to_string()).unwrap()]).unwrap();
//! let verified = verify_bundle(&ProofBundle::parse(&file).unwrap(), &known).unwrap();
//! assert_eq!(verified.leaf_input, "修改整改措施".as_bytes());
//! ```
//!
//! Kept in a database, appending is O(log n) and fits in the transaction of the change:
//! the [`Frontier`] lives as bytes in one row, and each node [`Frontier::append_with`]
//! completes goes into a node table keyed by (level, index). A proof reads only the
//! nodes planned for it, which an asynchronous driver fetches in one query:
//!
//! ```
//! use std::collections::BTreeMap;
//! use audit::*;
//!
//! let mut node_table: BTreeMap<NodeId, Hash> = BTreeMap::new(); // stands for the table
//! let mut state_row = Frontier::new().to_bytes();
//! for event in ["立项", "评审", "验收"] {
//!     // In the transaction that records the event:
//!     let mut frontier = Frontier::from_bytes(&state_row).unwrap();
//!     let mut new_nodes = Vec::new();
//!     frontier.append_with(leaf_hash(event.as_bytes()), |node, hash| new_nodes.push((node, *hash))).unwrap();
//!     node_table.extend(new_nodes); // INSERT INTO audit_node (level, idx, hash) ...
//!     state_row = frontier.to_bytes(); // UPDATE audit_tree SET state = ...
//! }
//!
//! let (index, size) = (1, 3);
//! let wanted = inclusion_proof_nodes(index, size).unwrap(); // SELECT ... WHERE (level, idx) IN ...
//! let fetched: BTreeMap<NodeId, Hash> = wanted.iter().map(|n| (*n, node_table[n])).collect();
//! let proof = inclusion_proof(&fetched, index, size).unwrap();
//! let root = Frontier::from_bytes(&state_row).unwrap().root();
//! assert_eq!(verify_inclusion(index, size, &leaf_hash("评审".as_bytes()), &proof, &root), Ok(()));
//! ```

mod bundle;
mod checkpoint;
mod cosignature;
mod frontier;
mod hash;
mod keys;
mod note;
mod prove;
mod request;
mod store;
mod verify;
mod witness;

pub use bundle::{BundleError, PROOF_HEADER, ProofBundle, VerifiedBundle, verify_bundle};
pub use checkpoint::{Checkpoint, CheckpointError, SignedCheckpoint, VerifiedCheckpoint};
pub use cosignature::cosigned_message;
pub use frontier::{Frontier, FrontierError};
pub use hash::{HASH_LEN, Hash, HashError, empty_root, leaf_hash, node_hash};
pub use keys::{KeyError, KeyKind, KeyName, SignerKey, VerifierKey, Verifiers, key_id};
pub use note::{Note, NoteError, NoteSignature, VerifiedSignature};
pub use prove::{
    ProveError, consistency_proof, consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes,
};
pub use request::{AddCheckpoint, RequestError};
pub use store::{
    HashStore, MemoryStore, MissingNode, NodeId, root_of_leaves, tree_root, tree_root_nodes,
};
pub use verify::{ProofError, root_from_inclusion_proof, verify_consistency, verify_inclusion};
pub use witness::{Witness, WitnessError, WitnessedLog};
