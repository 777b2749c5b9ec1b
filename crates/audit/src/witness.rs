//! A witness (见证人) as a pure state machine, after C2SP `tlog-witness`: it keeps the
//! latest checkpoint it cosigned for each log it follows, and cosigns a new one only if
//! the log signed it and it is consistent with that one. It refuses a forked log (same
//! size, other root, or a failing consistency proof) and a rolled-back one (smaller).
//!
//! The application supplies the clock and persists [`WitnessedLog::latest`] of the
//! changed log, atomically with the check, before it answers the request.

use std::collections::BTreeMap;

use crate::checkpoint::{CheckpointError, SignedCheckpoint};
use crate::cosignature::MAX_TIMESTAMP;
use crate::hash::{Hash, empty_root};
use crate::keys::{KeyKind, SignerKey, VerifierKey, Verifiers};
use crate::note::NoteSignature;
use crate::request::{AddCheckpoint, RequestError};
use crate::verify::{ProofError, verify_consistency};

/// Why the witness refuses to cosign. Messages give Chinese, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessError {
    #[error(
        "见证人密钥必须是联署（cosignature/v1）类型 (witness key must be a cosignature/v1 key)"
    )]
    NotACosignerKey,
    #[error("日志密钥必须是 Ed25519 签名类型 (log key must be an Ed25519 note key)")]
    NotALogKey,
    #[error("联署时间戳{0}超过 2^63-1 (timestamp too large)")]
    BadTimestamp(u64),
    #[error("请求格式错误 (malformed request)：{0}")]
    Request(RequestError),
    #[error("未知日志“{origin}” (unknown log origin)")]
    UnknownLog { origin: String },
    #[error("检查点签名无效 (bad checkpoint signature)：{0}")]
    BadSignature(CheckpointError),
    #[error(
        "拒绝回滚：已见过大小为{known_size}的树，新检查点只有{new_size} (rollback refused: seen size {known_size}, got {new_size})"
    )]
    Rollback { known_size: u64, new_size: u64 },
    #[error(
        "旧树大小{old_size}大于新检查点的大小{new_size} (old size {old_size} exceeds checkpoint size {new_size})"
    )]
    OldSizeTooLarge { old_size: u64, new_size: u64 },
    #[error(
        "日志分叉：大小同为{size}的树有两个不同的根哈希 {known_root} 与 {new_root} (fork: same size, different root)"
    )]
    Fork {
        size: u64,
        known_root: Hash,
        new_root: Hash,
    },
    #[error(
        "旧树大小不符：见证人记录的是{known_size}，请求给的是{old_size} (old size conflict: witness has {known_size}, request says {old_size})"
    )]
    Conflict { known_size: u64, old_size: u64 },
    #[error(
        "日志分叉：从大小{known_size}到{new_size}的一致性证明不成立 (fork: consistency proof from {known_size} to {new_size} fails)：{reason}"
    )]
    Inconsistent {
        known_size: u64,
        new_size: u64,
        reason: ProofError,
    },
}

impl WitnessError {
    /// The HTTP status `tlog-witness` prescribes for this refusal. On 409 the response
    /// body is the witness's known size and a newline (`text/x.tlog.size`).
    pub fn http_status(&self) -> u16 {
        match self {
            WitnessError::NotACosignerKey
            | WitnessError::NotALogKey
            | WitnessError::BadTimestamp(_) => 500,
            WitnessError::Request(_)
            | WitnessError::Rollback { .. }
            | WitnessError::OldSizeTooLarge { .. } => 400,
            WitnessError::UnknownLog { .. } => 404,
            WitnessError::BadSignature(_) => 403,
            WitnessError::Fork { .. } | WitnessError::Conflict { .. } => 409,
            WitnessError::Inconsistent { .. } => 422,
        }
    }
}

/// What the witness knows of one log.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WitnessedLog {
    pub key: VerifierKey,
    /// The latest checkpoint cosigned, with the cosignature; `None` before the first.
    pub latest: Option<SignedCheckpoint>,
}

impl WitnessedLog {
    /// Size of the latest cosigned tree (0 before the first).
    pub fn size(&self) -> u64 {
        self.latest.as_ref().map_or(0, |c| c.checkpoint().size())
    }

    /// Root of the latest cosigned tree (the empty tree's before the first).
    pub fn root(&self) -> Hash {
        self.latest
            .as_ref()
            .map_or_else(empty_root, |c| *c.checkpoint().root())
    }
}

/// The witness: its cosigning key and the logs it follows, by origin.
#[derive(Clone, Debug)]
pub struct Witness {
    key: SignerKey,
    logs: BTreeMap<String, WitnessedLog>,
}

impl Witness {
    pub fn new(key: SignerKey) -> Result<Self, WitnessError> {
        if key.verifier().kind() != KeyKind::Cosignature {
            return Err(WitnessError::NotACosignerKey);
        }
        Ok(Witness {
            key,
            logs: BTreeMap::new(),
        })
    }

    /// Starts following a log it has never cosigned.
    pub fn add_log(&mut self, origin: &str, key: VerifierKey) -> Result<(), WitnessError> {
        if key.kind() != KeyKind::Ed25519 {
            return Err(WitnessError::NotALogKey);
        }
        self.logs
            .insert(origin.to_owned(), WitnessedLog { key, latest: None });
        Ok(())
    }

    /// Follows a log again from the latest checkpoint saved earlier (its text, as
    /// `latest.to_string()` gave it); the log's signature on it is checked again.
    pub fn restore_log(&mut self, key: VerifierKey, latest: &str) -> Result<(), WitnessError> {
        if key.kind() != KeyKind::Ed25519 {
            return Err(WitnessError::NotALogKey);
        }
        let saved = SignedCheckpoint::parse(latest)
            .map_err(|e| WitnessError::Request(RequestError::Checkpoint(e)))?;
        saved
            .verify(&Verifiers::from(key.clone()))
            .map_err(WitnessError::BadSignature)?;
        self.logs.insert(
            saved.checkpoint().origin().to_owned(),
            WitnessedLog {
                key,
                latest: Some(saved),
            },
        );
        Ok(())
    }

    /// The logs followed, by origin.
    pub fn logs(&self) -> &BTreeMap<String, WitnessedLog> {
        &self.logs
    }

    pub fn verifier(&self) -> &VerifierKey {
        self.key.verifier()
    }

    /// Handles the body of an `add-checkpoint` request; see [`Witness::cosign`].
    pub fn add_checkpoint(
        &mut self,
        body: &str,
        timestamp: u64,
    ) -> Result<NoteSignature, WitnessError> {
        let request = AddCheckpoint::parse(body).map_err(WitnessError::Request)?;
        self.cosign(request, timestamp)
    }

    /// Checks the request's checkpoint against the log's key and against the latest
    /// tree the witness cosigned, in the order `tlog-witness` prescribes. On success the
    /// witness keeps the checkpoint as the log's latest and returns its cosignature line
    /// made at `timestamp` (POSIX seconds), the response body.
    pub fn cosign(
        &mut self,
        request: AddCheckpoint,
        timestamp: u64,
    ) -> Result<NoteSignature, WitnessError> {
        if timestamp > MAX_TIMESTAMP {
            return Err(WitnessError::BadTimestamp(timestamp));
        }
        let AddCheckpoint {
            old_size,
            proof,
            checkpoint: mut signed,
        } = request;
        let (new_size, new_root) = (signed.checkpoint().size(), *signed.checkpoint().root());
        let origin = signed.checkpoint().origin();
        let log = self
            .logs
            .get_mut(origin)
            .ok_or_else(|| WitnessError::UnknownLog {
                origin: origin.to_owned(),
            })?;
        signed
            .verify(&Verifiers::from(log.key.clone()))
            .map_err(WitnessError::BadSignature)?;

        let (known_size, known_root) = (log.size(), log.root());
        if new_size < known_size {
            return Err(WitnessError::Rollback {
                known_size,
                new_size,
            });
        }
        if old_size > new_size {
            return Err(WitnessError::OldSizeTooLarge { old_size, new_size });
        }
        if new_size == known_size && new_root != known_root {
            return Err(WitnessError::Fork {
                size: new_size,
                known_root,
                new_root,
            });
        }
        if old_size != known_size {
            return Err(WitnessError::Conflict {
                known_size,
                old_size,
            });
        }
        let consistent = if known_size == 0 {
            // Every tree extends the empty tree: the proof must be empty.
            match proof.len() {
                0 => Ok(()),
                actual => Err(ProofError::WrongProofLength {
                    expected: 0,
                    actual,
                }),
            }
        } else {
            verify_consistency(known_size, new_size, &proof, &known_root, &new_root)
        };
        consistent.map_err(|reason| WitnessError::Inconsistent {
            known_size,
            new_size,
            reason,
        })?;

        let line = signed
            .cosign(&self.key, timestamp)
            .map_err(|_| WitnessError::BadTimestamp(timestamp))?;
        log.latest = Some(signed);
        Ok(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Checkpoint;
    use crate::hash::leaf_hash;
    use crate::keys::KeyName;
    use crate::prove::consistency_proof;
    use crate::store::{MemoryStore, tree_root};

    const ORIGIN: &str = "sunlight.example/audit";
    const NOW: u64 = 1_767_225_600;

    fn log_key() -> SignerKey {
        SignerKey::from_seed(KeyName::new(ORIGIN).unwrap(), KeyKind::Ed25519, [1; 32])
    }

    fn witness() -> Witness {
        let key = SignerKey::from_seed(
            KeyName::new("witness.example/w1").unwrap(),
            KeyKind::Cosignature,
            [2; 32],
        );
        let mut w = Witness::new(key).unwrap();
        w.add_log(ORIGIN, log_key().verifier().clone()).unwrap();
        w
    }

    fn log(n: u32) -> MemoryStore {
        let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        MemoryStore::from_leaves(&leaves).unwrap()
    }

    fn signed(size: u64, root: Hash) -> SignedCheckpoint {
        Checkpoint::new(ORIGIN, size, root)
            .unwrap()
            .sign(&log_key())
            .unwrap()
    }

    /// The request a log sends: its checkpoint at `size` and a proof from `old_size`.
    fn request(store: &MemoryStore, old_size: u64, size: u64) -> AddCheckpoint {
        AddCheckpoint {
            old_size,
            proof: consistency_proof(store, old_size, size).unwrap(),
            checkpoint: signed(size, tree_root(store, size).unwrap()),
        }
    }

    #[test]
    fn cosigns_a_consistent_log_and_keeps_its_latest_checkpoint() {
        let mut w = witness();
        let store = log(10);
        w.cosign(request(&store, 0, 6), NOW).unwrap();
        assert_eq!(w.logs()[ORIGIN].size(), 6);

        // Over the wire format, as `sunlight audit witness` receives it.
        let body = request(&store, 6, 10).to_string();
        let line = w.add_checkpoint(&body, NOW + 60).unwrap();
        let latest = w.logs()[ORIGIN].latest.clone().unwrap();
        assert_eq!(latest.checkpoint().size(), 10);
        assert_eq!(w.logs()[ORIGIN].root(), store.root());

        // The log appends the response line to its checkpoint; anyone can check it.
        let cosigned = format!("{}{line}", signed(10, store.root()));
        let known = Verifiers::new([log_key().verifier().clone(), w.verifier().clone()]).unwrap();
        for text in [cosigned, latest.to_string()] {
            let v = SignedCheckpoint::parse(&text)
                .unwrap()
                .verify(&known)
                .unwrap();
            assert_eq!(v.signatures.len(), 2);
            assert_eq!(v.signatures[1].kind, KeyKind::Cosignature);
            assert_eq!(v.signatures[1].timestamp, Some(NOW + 60));
        }
    }

    #[test]
    fn cosigns_the_same_checkpoint_again() {
        let mut w = witness();
        let store = log(4);
        w.cosign(request(&store, 0, 4), NOW).unwrap();
        assert!(w.cosign(request(&store, 4, 4), NOW + 1).is_ok());
    }

    #[test]
    fn refuses_a_fork_at_the_same_size() {
        let mut w = witness();
        w.cosign(request(&log(4), 0, 4), NOW).unwrap();
        let forged = AddCheckpoint {
            old_size: 4,
            proof: vec![],
            checkpoint: signed(4, leaf_hash(b"other history")),
        };
        let err = w.cosign(forged, NOW).unwrap_err();
        assert!(matches!(err, WitnessError::Fork { size: 4, .. }));
        assert_eq!(err.http_status(), 409);
        assert!(err.to_string().contains("日志分叉") && err.to_string().contains("fork"));
        assert_eq!(w.logs()[ORIGIN].root(), log(4).root());
    }

    #[test]
    fn refuses_a_fork_hidden_behind_a_bigger_tree() {
        let mut w = witness();
        w.cosign(request(&log(4), 0, 4), NOW).unwrap();
        // Another history of 8 leaves whose first 4 differ. The old tree is a perfect
        // subtree, so its root seeds the proof and the new root is what fails to match.
        let other: Vec<Hash> = (0..8u32)
            .map(|i| leaf_hash(&(i + 100).to_be_bytes()))
            .collect();
        let other = MemoryStore::from_leaves(&other).unwrap();
        let err = w.cosign(request(&other, 4, 8), NOW).unwrap_err();
        assert!(matches!(
            err,
            WitnessError::Inconsistent {
                known_size: 4,
                new_size: 8,
                reason: ProofError::SecondRootMismatch
            }
        ));
        assert_eq!(err.http_status(), 422);
        assert_eq!(w.logs()[ORIGIN].size(), 4);
    }

    #[test]
    fn refuses_a_rollback() {
        let mut w = witness();
        let store = log(8);
        w.cosign(request(&store, 0, 8), NOW).unwrap();
        // Whatever old size the log claims, a smaller tree is refused for good.
        for old_size in [8, 5, 0] {
            let older = AddCheckpoint {
                old_size,
                proof: vec![],
                checkpoint: signed(5, tree_root(&store, 5).unwrap()),
            };
            let err = w.cosign(older, NOW).unwrap_err();
            assert_eq!(
                err,
                WitnessError::Rollback {
                    known_size: 8,
                    new_size: 5
                }
            );
            assert_eq!(err.http_status(), 400);
            assert!(err.to_string().starts_with("拒绝回滚"));
        }
        assert_eq!(w.logs()[ORIGIN].size(), 8);
    }

    #[test]
    fn refuses_a_bad_signature_and_an_unknown_log() {
        let mut w = witness();
        let good = request(&log(3), 0, 3).to_string();
        let tampered = good.replacen("\n3\n", "\n4\n", 1);
        let err = w.add_checkpoint(&tampered, NOW).unwrap_err();
        assert!(matches!(err, WitnessError::BadSignature(_)));
        assert_eq!(err.http_status(), 403);
        let stranger = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            checkpoint: Checkpoint::new("other.example/log", 1, leaf_hash(b"x"))
                .unwrap()
                .sign(&log_key())
                .unwrap(),
        };
        let err = w.cosign(stranger, NOW).unwrap_err();
        assert!(matches!(err, WitnessError::UnknownLog { .. }));
        assert_eq!(err.http_status(), 404);
        assert_eq!(
            w.add_checkpoint("old x\n", NOW).unwrap_err().http_status(),
            400
        );
        assert_eq!(w.logs()[ORIGIN].latest, None);
    }

    #[test]
    fn tells_a_caller_with_a_stale_old_size() {
        let mut w = witness();
        let store = log(9);
        w.cosign(request(&store, 0, 5), NOW).unwrap();
        let err = w.cosign(request(&store, 3, 9), NOW).unwrap_err();
        assert_eq!(
            err,
            WitnessError::Conflict {
                known_size: 5,
                old_size: 3
            }
        );
        assert_eq!(err.http_status(), 409);
        let mut too_large = request(&store, 5, 9);
        too_large.old_size = 10;
        assert_eq!(
            w.cosign(too_large, NOW),
            Err(WitnessError::OldSizeTooLarge {
                old_size: 10,
                new_size: 9
            })
        );
        // A first proof must be empty.
        let mut fresh = witness();
        let mut padded = request(&store, 0, 5);
        padded.proof.push(leaf_hash(b"junk"));
        assert!(matches!(
            fresh.cosign(padded, NOW),
            Err(WitnessError::Inconsistent { known_size: 0, .. })
        ));
    }

    #[test]
    fn a_restored_witness_still_refuses_a_fork() {
        let mut w = witness();
        let store = log(6);
        w.cosign(request(&store, 0, 6), NOW).unwrap();
        let saved = w.logs()[ORIGIN].latest.as_ref().unwrap().to_string();

        let mut again = Witness::new(w.key.clone()).unwrap();
        again
            .restore_log(log_key().verifier().clone(), &saved)
            .unwrap();
        assert_eq!(again.logs()[ORIGIN].size(), 6);
        let forged = AddCheckpoint {
            old_size: 6,
            proof: vec![],
            checkpoint: signed(6, leaf_hash(b"rewritten")),
        };
        assert!(matches!(
            again.cosign(forged, NOW),
            Err(WitnessError::Fork { size: 6, .. })
        ));
        // A saved state edited by hand no longer carries the log's signature.
        let edited = saved.replacen("\n6\n", "\n7\n", 1);
        assert!(matches!(
            again.restore_log(log_key().verifier().clone(), &edited),
            Err(WitnessError::BadSignature(_))
        ));
    }

    #[test]
    fn keys_must_fit_their_roles() {
        assert_eq!(
            Witness::new(log_key()).unwrap_err(),
            WitnessError::NotACosignerKey
        );
        let mut w = witness();
        let cosigner = w.verifier().clone();
        assert_eq!(w.add_log("x", cosigner), Err(WitnessError::NotALogKey));
        assert_eq!(
            w.cosign(request(&log(2), 0, 2), u64::MAX),
            Err(WitnessError::BadTimestamp(u64::MAX))
        );
    }
}
