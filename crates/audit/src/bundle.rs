//! The offline proof file of C2SP `tlog-proof@v1` (`.tlog-proof`): the index of an
//! entry, its inclusion proof, and the signed (and possibly cosigned) checkpoint.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64, optional>
//! index <decimal>
//! <base64 proof hash, leaf side first, one per line>
//!
//! <signed checkpoint, verbatim>
//! ```
//!
//! The format carries no leaf: whoever verifies holds the data. Sunlight puts the
//! audit event's leaf input in `extra` so one file is self-contained
//! ([`verify_bundle`]); the inclusion proof is what authenticates it.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::checkpoint::{CheckpointError, SignedCheckpoint, VerifiedCheckpoint, parse_decimal};
use crate::hash::{Hash, HashError, leaf_hash};
use crate::keys::Verifiers;
use crate::verify::{ProofError, verify_inclusion};

pub const PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// Why a proof file is malformed or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("证明文件第1行应为“{PROOF_HEADER}”")]
    Header,
    #[error("证明文件第2行 extra 数据不是合法的标准 base64 编码")]
    Extra,
    #[error("证明文件第{line}行应为“index 不带前导零的十进制序号”")]
    Index { line: usize },
    #[error("证明文件第{line}行包含证明哈希无效：{error}")]
    ProofHash { line: usize, error: HashError },
    #[error("证明文件在证明哈希之后缺少空行和检查点")]
    MissingCheckpoint,
    #[error("证明文件中的检查点无效：{0}")]
    Checkpoint(#[from] CheckpointError),
    #[error("证明文件没有 extra 行，得不到叶子数据")]
    NoLeafData,
    #[error("包含证明不成立：{0}")]
    Inclusion(#[from] ProofError),
}

/// A parsed `tlog-proof@v1` file.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProofBundle {
    extra: Option<Vec<u8>>,
    index: u64,
    proof: Vec<Hash>,
    checkpoint: SignedCheckpoint,
}

/// What a verified bundle proves: this leaf input is entry `index` of the checkpointed log.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifiedBundle {
    pub index: u64,
    pub leaf_input: Vec<u8>,
    pub checkpoint: VerifiedCheckpoint,
}

impl ProofBundle {
    pub fn new(index: u64, proof: Vec<Hash>, checkpoint: SignedCheckpoint) -> Self {
        ProofBundle {
            extra: None,
            index,
            proof,
            checkpoint,
        }
    }

    /// Attaches opaque extra data (Sunlight: the leaf input of the entry).
    pub fn with_extra(mut self, extra: Vec<u8>) -> Self {
        self.extra = Some(extra);
        self
    }

    pub fn extra(&self) -> Option<&[u8]> {
        self.extra.as_deref()
    }
    pub fn index(&self) -> u64 {
        self.index
    }
    pub fn proof(&self) -> &[Hash] {
        &self.proof
    }
    pub fn checkpoint(&self) -> &SignedCheckpoint {
        &self.checkpoint
    }

    pub fn parse(text: &str) -> Result<Self, BundleError> {
        let mut lines = text.split_inclusive('\n').enumerate();
        let mut next_line = || lines.next().map(|(i, l)| (i + 1, l.trim_end_matches('\n')));

        if next_line().map(|(_, l)| l) != Some(PROOF_HEADER) {
            return Err(BundleError::Header);
        }
        let (mut line_no, mut line) = next_line().ok_or(BundleError::Index { line: 2 })?;
        let mut extra = None;
        if let Some(data) = line.strip_prefix("extra ") {
            extra = Some(BASE64.decode(data).map_err(|_| BundleError::Extra)?);
            (line_no, line) = next_line().ok_or(BundleError::Index { line: 3 })?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or(BundleError::Index { line: line_no })?;
        let mut proof = Vec::new();
        loop {
            let (no, l) = next_line().ok_or(BundleError::MissingCheckpoint)?;
            if l.is_empty() {
                break;
            }
            proof.push(
                Hash::from_base64(l).map_err(|error| BundleError::ProofHash { line: no, error })?,
            );
        }
        let rest: String = lines.map(|(_, l)| l).collect();
        if rest.is_empty() {
            return Err(BundleError::MissingCheckpoint);
        }
        Ok(ProofBundle {
            extra,
            index,
            proof,
            checkpoint: SignedCheckpoint::parse(&rest)?,
        })
    }

    /// Checks the checkpoint's signatures against `known` and that `leaf` is entry
    /// `index` of the checkpointed tree.
    pub fn verify_leaf(
        &self,
        leaf: &Hash,
        known: &Verifiers,
    ) -> Result<VerifiedCheckpoint, BundleError> {
        let verified = self.checkpoint.verify(known)?;
        let cp = &verified.checkpoint;
        verify_inclusion(self.index, cp.size(), leaf, &self.proof, cp.root())?;
        Ok(verified)
    }
}

impl fmt::Display for ProofBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{PROOF_HEADER}")?;
        if let Some(extra) = &self.extra {
            writeln!(f, "extra {}", BASE64.encode(extra))?;
        }
        writeln!(f, "index {}", self.index)?;
        for h in &self.proof {
            writeln!(f, "{h}")?;
        }
        writeln!(f)?;
        self.checkpoint.fmt(f)
    }
}

/// Verifies a Sunlight proof file in one call: the log's signature (and any known
/// cosignatures) and the inclusion of the leaf input carried in `extra`.
pub fn verify_bundle(
    bundle: &ProofBundle,
    known: &Verifiers,
) -> Result<VerifiedBundle, BundleError> {
    let leaf_input = bundle.extra.as_ref().ok_or(BundleError::NoLeafData)?;
    let checkpoint = bundle.verify_leaf(&leaf_hash(leaf_input), known)?;
    Ok(VerifiedBundle {
        index: bundle.index,
        leaf_input: leaf_input.clone(),
        checkpoint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Checkpoint;
    use crate::keys::{KeyKind, KeyName, SignerKey};
    use crate::prove::inclusion_proof;
    use crate::store::MemoryStore;

    const ORIGIN: &str = "sunlight.example/audit";

    fn events() -> Vec<Vec<u8>> {
        (0..7).map(|i| format!("事件{i}").into_bytes()).collect()
    }

    fn bundle_for(index: u64) -> (ProofBundle, Verifiers) {
        let key = SignerKey::from_seed(KeyName::new(ORIGIN).unwrap(), KeyKind::Ed25519, [5; 32]);
        let leaves: Vec<Hash> = events().iter().map(|e| leaf_hash(e)).collect();
        let store = MemoryStore::from_leaves(&leaves).unwrap();
        let cp = Checkpoint::new(ORIGIN, store.size(), store.root())
            .unwrap()
            .sign(&key)
            .unwrap();
        let proof = inclusion_proof(&store, index, store.size()).unwrap();
        let b = ProofBundle::new(index, proof, cp).with_extra(events()[index as usize].clone());
        (b, Verifiers::from(key.verifier().clone()))
    }

    #[test]
    fn a_written_bundle_parses_back_and_verifies() {
        let (b, known) = bundle_for(5);
        let text = b.to_string();
        assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra "));
        let parsed = ProofBundle::parse(&text).unwrap();
        assert_eq!(parsed, b);
        let v = verify_bundle(&parsed, &known).unwrap();
        assert_eq!(v.index, 5);
        assert_eq!(v.leaf_input, "事件5".as_bytes());
        assert_eq!(v.checkpoint.checkpoint.size(), 7);
    }

    #[test]
    fn another_leaf_or_index_does_not_verify() {
        let (b, known) = bundle_for(2);
        let swapped = b.clone().with_extra(events()[3].clone());
        assert!(matches!(
            verify_bundle(&swapped, &known),
            Err(BundleError::Inclusion(ProofError::RootMismatch))
        ));
        let text = b.to_string().replace("index 2\n", "index 3\n");
        let moved = ProofBundle::parse(&text).unwrap();
        assert!(matches!(
            verify_bundle(&moved, &known),
            Err(BundleError::Inclusion(_))
        ));
    }

    #[test]
    fn a_bundle_without_a_known_log_signature_is_refused() {
        let (b, _) = bundle_for(0);
        assert!(matches!(
            verify_bundle(&b, &Verifiers::default()),
            Err(BundleError::Checkpoint(_))
        ));
    }

    #[test]
    fn malformed_files_say_which_line() {
        let (b, _) = bundle_for(1);
        let text = b.to_string();
        assert_eq!(
            ProofBundle::parse(&text.replacen("@v1", "@v2", 1)),
            Err(BundleError::Header)
        );
        assert_eq!(
            ProofBundle::parse(&text.replacen("index 1", "index 01", 1)),
            Err(BundleError::Index { line: 3 })
        );
        let lines: Vec<&str> = text.lines().collect();
        let bad_hash = text.replacen(lines[3], "ZG9uJ3QgY2FyZSAx", 1);
        assert_eq!(
            ProofBundle::parse(&bad_hash),
            Err(BundleError::ProofHash {
                line: 4,
                error: HashError::WrongLength { actual: 12 }
            })
        );
        let cut = &text[..text.find("\n\n").unwrap() + 1];
        assert_eq!(ProofBundle::parse(cut), Err(BundleError::MissingCheckpoint));
        let no_extra = ProofBundle::new(b.index(), b.proof().to_vec(), b.checkpoint().clone());
        assert_eq!(
            verify_bundle(&no_extra, &Verifiers::default()),
            Err(BundleError::NoLeafData)
        );
    }
}
