//! C2SP `tlog-checkpoint`: the note text `origin\nsize\nbase64(root)\n[extension lines]`,
//! and checkpoints signed as notes.

use std::fmt;

use crate::hash::{Hash, HashError};
use crate::keys::{KeyKind, SignerKey, Verifiers};
use crate::note::{Note, NoteError, NoteSignature, VerifiedSignature};

/// Why a text is not a checkpoint, or a signed checkpoint does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("检查点正文须以换行符结尾")]
    NoFinalNewline,
    #[error("检查点正文至少要有3行（来源、树大小、根哈希），实有{0}行")]
    TooFewLines(usize),
    #[error("检查点第1行来源不能为空，也不能含控制字符")]
    BadOrigin,
    #[error("检查点第2行树大小应为不带前导零的十进制数，实为“{0}”")]
    BadSize(String),
    #[error("检查点第3行根哈希无效：{0}")]
    BadRoot(HashError),
    #[error("检查点第{0}行扩展行不能为空，也不能含控制字符")]
    BadExtension(usize),
    #[error("{0}")]
    Note(#[from] NoteError),
    #[error("检查点没有日志密钥（Ed25519 类型）的有效签名，只有见证人联署不够")]
    NotSignedByLog,
}

/// A log's tree head: origin, size and root hash, with optional extension lines.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

/// An ASCII decimal with no sign and no leading zeroes (unless it is `0`).
pub(crate) fn parse_decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

fn is_line(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c < ' ')
}

impl Checkpoint {
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        if !is_line(origin) {
            return Err(CheckpointError::BadOrigin);
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        })
    }

    /// Adds an extension line (opaque to this crate; C2SP discourages them).
    pub fn with_extension(mut self, line: &str) -> Result<Self, CheckpointError> {
        if !is_line(line) {
            return Err(CheckpointError::BadExtension(4 + self.extensions.len()));
        }
        self.extensions.push(line.to_owned());
        Ok(self)
    }

    /// Parses a checkpoint note text (the part above the blank line).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::NoFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::TooFewLines(lines.len()));
        };
        let size_value =
            parse_decimal(size).ok_or_else(|| CheckpointError::BadSize((*size).to_owned()))?;
        let root = Hash::from_base64(root).map_err(CheckpointError::BadRoot)?;
        let mut cp = Checkpoint::new(origin, size_value, root)?;
        for line in extensions {
            cp = cp.with_extension(line)?;
        }
        Ok(cp)
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }
    pub fn size(&self) -> u64 {
        self.size
    }
    pub fn root(&self) -> &Hash {
        &self.root
    }
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// Signs the checkpoint with the log's Ed25519 key; `to_string()` of the result is
    /// the signed checkpoint text.
    pub fn sign(&self, key: &SignerKey) -> Result<SignedCheckpoint, NoteError> {
        let mut note = Note::new(&self.to_string())?;
        note.sign(key)?;
        Ok(SignedCheckpoint {
            checkpoint: self.clone(),
            note,
        })
    }
}

impl fmt::Display for Checkpoint {
    /// The note text, ending with a newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}\n{}\n{}", self.origin, self.size, self.root)?;
        for e in &self.extensions {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}

/// A checkpoint together with the signed note that carries it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignedCheckpoint {
    checkpoint: Checkpoint,
    note: Note,
}

/// A signed checkpoint whose log signature checked out.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifiedCheckpoint {
    pub checkpoint: Checkpoint,
    /// Every verified signature: the log's, and any known witnesses' cosignatures.
    pub signatures: Vec<VerifiedSignature>,
}

impl SignedCheckpoint {
    /// Reads a signed checkpoint without checking signatures.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let note = Note::parse(text)?;
        let checkpoint = Checkpoint::parse(note.text())?;
        Ok(SignedCheckpoint { checkpoint, note })
    }

    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    pub fn note(&self) -> &Note {
        &self.note
    }

    /// Adds a witness cosignature and returns its signature line.
    pub fn cosign(&mut self, key: &SignerKey, timestamp: u64) -> Result<NoteSignature, NoteError> {
        self.note.cosign(key, timestamp)
    }

    /// Adds the cosignature lines a witness answered with (the body of its
    /// `add-checkpoint` response): lines of keys not in `witnesses` are ignored, the
    /// others must verify, and are kept and returned. The log stores the result.
    pub fn add_cosignatures(
        &mut self,
        lines: &str,
        witnesses: &Verifiers,
    ) -> Result<Vec<VerifiedSignature>, CheckpointError> {
        let response = Note::parse(&format!("{}\n{lines}", self.note.text()))?;
        let verified = response.verify(witnesses)?;
        for sig in response.signatures() {
            if verified
                .iter()
                .any(|v| v.key_id == sig.key_id() && v.name == *sig.name())
            {
                self.note.add_signature(sig.clone());
            }
        }
        Ok(verified)
    }

    /// Checks the signatures against `known`, which must include a verified log
    /// (Ed25519) signature; cosignatures of known witnesses are checked too.
    pub fn verify(&self, known: &Verifiers) -> Result<VerifiedCheckpoint, CheckpointError> {
        let signatures = self.note.verify(known)?;
        if !signatures.iter().any(|s| s.kind == KeyKind::Ed25519) {
            return Err(CheckpointError::NotSignedByLog);
        }
        Ok(VerifiedCheckpoint {
            checkpoint: self.checkpoint.clone(),
            signatures,
        })
    }
}

impl fmt::Display for SignedCheckpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.note.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use crate::keys::KeyName;

    const ROOT: &str = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";

    #[test]
    fn body_round_trips_with_extensions() {
        let text = format!("example.com/log\n20852163\n{ROOT}\nextra one\n");
        let cp = Checkpoint::parse(&text).unwrap();
        assert_eq!(cp.size(), 20852163);
        assert_eq!(cp.extensions(), ["extra one"]);
        assert_eq!(cp.to_string(), text);
    }

    #[test]
    fn sizes_must_be_canonical_decimals() {
        for bad in ["", "01", "+5", "-1", "1e3", " 5", "18446744073709551616"] {
            let text = format!("o\n{bad}\n{ROOT}\n");
            assert_eq!(
                Checkpoint::parse(&text),
                Err(CheckpointError::BadSize(bad.to_owned())),
                "{bad:?}"
            );
        }
        assert_eq!(
            Checkpoint::parse(&format!("o\n0\n{ROOT}\n"))
                .unwrap()
                .size(),
            0
        );
    }

    #[test]
    fn malformed_bodies_say_which_line() {
        assert_eq!(
            Checkpoint::parse("o\n5\n"),
            Err(CheckpointError::TooFewLines(2))
        );
        assert_eq!(
            Checkpoint::parse(&format!("o\n5\n{ROOT}")),
            Err(CheckpointError::NoFinalNewline)
        );
        assert_eq!(
            Checkpoint::parse(&format!("\n5\n{ROOT}\n")),
            Err(CheckpointError::BadOrigin)
        );
        assert_eq!(
            Checkpoint::parse(&format!("o\n5\n{ROOT}\n\n")),
            Err(CheckpointError::BadExtension(4))
        );
        assert!(matches!(
            Checkpoint::parse("o\n5\nZG9uJ3QgY2FyZSAx\n"),
            Err(CheckpointError::BadRoot(HashError::WrongLength {
                actual: 12
            }))
        ));
    }

    #[test]
    fn only_a_log_signature_makes_a_checkpoint_valid() {
        let name = KeyName::new("sunlight.example/audit").unwrap();
        let log = SignerKey::from_seed(name.clone(), KeyKind::Ed25519, [1; 32]);
        let witness = SignerKey::from_seed(
            KeyName::new("w.example").unwrap(),
            KeyKind::Cosignature,
            [2; 32],
        );
        let cp = Checkpoint::new(name.as_str(), 1, leaf_hash(b"a")).unwrap();
        let mut signed = cp.sign(&log).unwrap();
        signed.cosign(&witness, 1_700_000_000).unwrap();
        let text = signed.to_string();
        let parsed = SignedCheckpoint::parse(&text).unwrap();

        let both = Verifiers::new([log.verifier().clone(), witness.verifier().clone()]).unwrap();
        let v = parsed.verify(&both).unwrap();
        assert_eq!(v.checkpoint, cp);
        assert_eq!(v.signatures[1].timestamp, Some(1_700_000_000));

        let witness_only = Verifiers::new([witness.verifier().clone()]).unwrap();
        assert_eq!(
            parsed.verify(&witness_only),
            Err(CheckpointError::NotSignedByLog)
        );
    }

    #[test]
    fn the_log_keeps_only_good_cosignatures_of_known_witnesses() {
        let name = KeyName::new("sunlight.example/audit").unwrap();
        let log = SignerKey::from_seed(name.clone(), KeyKind::Ed25519, [1; 32]);
        let cosigner = |n: &str, seed| {
            SignerKey::from_seed(KeyName::new(n).unwrap(), KeyKind::Cosignature, [seed; 32])
        };
        let (w1, w2) = (
            cosigner("jijian.example/w", 2),
            cosigner("shenji.example/w", 3),
        );
        let cp = Checkpoint::new(name.as_str(), 3, leaf_hash(b"a")).unwrap();
        let mut ours = cp.sign(&log).unwrap();

        // Each witness cosigns its own copy; its response is the new line.
        let line = |w: &SignerKey| cp.sign(&log).unwrap().cosign(w, 1_700_000_000).unwrap();
        let response = format!("{}{}", line(&w1), line(&w2));
        let only_w1 = Verifiers::from(w1.verifier().clone());
        let kept = ours.add_cosignatures(&response, &only_w1).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].name.as_str(), "jijian.example/w");
        assert_eq!(ours.note().signatures().len(), 2, "log signature + w1");

        let all = Verifiers::new([log.verifier().clone(), w1.verifier().clone()]).unwrap();
        let v = SignedCheckpoint::parse(&ours.to_string())
            .unwrap()
            .verify(&all)
            .unwrap();
        assert_eq!(v.signatures.len(), 2);

        // A cosignature over another checkpoint is refused, and nothing is added.
        let other = Checkpoint::new(name.as_str(), 4, leaf_hash(b"b")).unwrap();
        let forged = other
            .sign(&log)
            .unwrap()
            .cosign(&w1, 1)
            .unwrap()
            .to_string();
        let mut fresh = cp.sign(&log).unwrap();
        assert!(matches!(
            fresh.add_cosignatures(&forged, &only_w1),
            Err(CheckpointError::Note(NoteError::BadSignature { .. }))
        ));
        assert_eq!(fresh.note().signatures().len(), 1);
    }
}
