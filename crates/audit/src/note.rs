//! C2SP `signed-note`: a text, a blank line, and signature lines
//! `— name base64(key ID ‖ signature)`, the em dash being U+2014.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::cosignature::{MAX_TIMESTAMP, cosigned_message};
use crate::keys::{KeyKind, KeyName, SignerKey, Verifiers};

const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// Go's `sumdb/note` limit; the spec asks for at least 16.
const MAX_SIGNATURES: usize = 100;

/// Why a note is malformed, cannot be signed, or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("签名文本第{line}行含有控制字符（只允许换行符）")]
    ControlCharacter { line: usize },
    #[error("签名文本的正文须以换行符结尾")]
    TextWithoutNewline,
    #[error("缺少签名：正文后应有一个空行和至少一行签名，且签名行以换行符结尾")]
    NoSignatureBlock,
    #[error("签名文本第{line}行不是合法的签名行（应为“— 名称 base64签名”）")]
    BadSignatureLine { line: usize },
    #[error("签名行超过{MAX_SIGNATURES}行")]
    TooManySignatures,
    #[error("已知密钥 {name}+{key_id:08x} 的签名无效：文本或签名已被改动")]
    BadSignature { name: String, key_id: u32 },
    #[error("没有来自已知密钥的有效签名（另有{unknown}个未知密钥的签名）")]
    NoVerifiedSignature { unknown: usize },
    #[error("密钥 {name} 的类型不对：此处需要{expected}密钥")]
    WrongKeyKind {
        name: String,
        expected: &'static str,
    },
    #[error("联署时间戳{0}超过 2^63-1")]
    TimestampTooLarge(u64),
}

/// One signature line of a note.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NoteSignature {
    name: KeyName,
    key_id: u32,
    /// The signature bytes after the key ID (for a cosignature: timestamp ‖ signature).
    signature: Vec<u8>,
}

impl NoteSignature {
    pub fn name(&self) -> &KeyName {
        &self.name
    }
    pub fn key_id(&self) -> u32 {
        self.key_id
    }
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    fn parse(line: &str) -> Option<Self> {
        let (name, b64) = line.strip_prefix(SIGNATURE_PREFIX)?.split_once(' ')?;
        let name = KeyName::new(name).ok()?;
        let bytes = BASE64.decode(b64).ok()?;
        if bytes.len() < 5 {
            return None;
        }
        let (id, signature) = bytes.split_at(4);
        Some(NoteSignature {
            name,
            key_id: u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
            signature: signature.to_vec(),
        })
    }
}

impl fmt::Display for NoteSignature {
    /// The signature line, with its final newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = self.key_id.to_be_bytes().to_vec();
        bytes.extend_from_slice(&self.signature);
        writeln!(
            f,
            "{SIGNATURE_PREFIX}{} {}",
            self.name,
            BASE64.encode(bytes)
        )
    }
}

/// A signature that verified against a known key.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifiedSignature {
    pub name: KeyName,
    pub key_id: u32,
    pub kind: KeyKind,
    /// The cosigner's POSIX timestamp, for cosignatures.
    pub timestamp: Option<u64>,
}

/// A note: its text (ending in a newline) and its signatures, verified or not.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// An unsigned note over `text`, which must end in a newline and hold no control
    /// characters other than newlines.
    pub fn new(text: &str) -> Result<Self, NoteError> {
        check_characters(text)?;
        if !text.ends_with('\n') {
            return Err(NoteError::TextWithoutNewline);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures: Vec::new(),
        })
    }

    /// Reads a signed note without checking any signature: the text ends at the last
    /// blank line; every line after it must be a well-formed signature line.
    pub fn parse(message: &str) -> Result<Self, NoteError> {
        check_characters(message)?;
        let split = message.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
        let (text, block) = (&message[..=split], &message[split + 2..]);
        if block.is_empty() || !block.ends_with('\n') {
            return Err(NoteError::NoSignatureBlock);
        }
        let first_line = text.lines().count() + 2;
        let mut signatures = Vec::new();
        for (i, line) in block[..block.len() - 1].split('\n').enumerate() {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures);
            }
            let sig = NoteSignature::parse(line).ok_or(NoteError::BadSignatureLine {
                line: first_line + i,
            })?;
            signatures.push(sig);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds an Ed25519 note signature, replacing an earlier one by the same key, and
    /// returns the new signature line.
    pub fn sign(&mut self, key: &SignerKey) -> Result<NoteSignature, NoteError> {
        require_kind(key, KeyKind::Ed25519, "Ed25519 签名")?;
        let signature = key.sign_raw(self.text.as_bytes()).to_vec();
        Ok(self.push(key, signature))
    }

    /// Adds a `cosignature/v1` cosignature made at `timestamp` (POSIX seconds) and
    /// returns the new signature line.
    pub fn cosign(&mut self, key: &SignerKey, timestamp: u64) -> Result<NoteSignature, NoteError> {
        require_kind(key, KeyKind::Cosignature, "联署（cosignature/v1）")?;
        if timestamp > MAX_TIMESTAMP {
            return Err(NoteError::TimestampTooLarge(timestamp));
        }
        let mut signature = timestamp.to_be_bytes().to_vec();
        signature.extend_from_slice(&key.sign_raw(&cosigned_message(&self.text, timestamp)));
        Ok(self.push(key, signature))
    }

    fn push(&mut self, key: &SignerKey, signature: Vec<u8>) -> NoteSignature {
        let v = key.verifier();
        let line = NoteSignature {
            name: v.name().clone(),
            key_id: v.id(),
            signature,
        };
        self.add_signature(line.clone());
        line
    }

    /// Adds a signature line, replacing an earlier one by the same key.
    pub(crate) fn add_signature(&mut self, line: NoteSignature) {
        self.signatures
            .retain(|s| !(s.key_id == line.key_id && s.name == line.name));
        self.signatures.push(line);
    }

    /// Checks the signatures of known keys. Signatures of unknown keys are ignored; one
    /// bad signature of a known key rejects the note; so does having no good one.
    pub fn verify(&self, known: &Verifiers) -> Result<Vec<VerifiedSignature>, NoteError> {
        let mut verified: Vec<VerifiedSignature> = Vec::new();
        let mut unknown = 0;
        for sig in &self.signatures {
            let Some(key) = known.get(sig.name.as_str(), sig.key_id) else {
                unknown += 1;
                continue;
            };
            if verified
                .iter()
                .any(|v| v.key_id == sig.key_id && v.name == sig.name)
            {
                continue; // a repeated signature by one key counts once
            }
            let bad = || NoteError::BadSignature {
                name: sig.name.to_string(),
                key_id: sig.key_id,
            };
            let timestamp = match key.kind() {
                KeyKind::Ed25519 => {
                    if !key.verify_raw(self.text.as_bytes(), &sig.signature) {
                        return Err(bad());
                    }
                    None
                }
                KeyKind::Cosignature => {
                    let (ts, raw) = sig.signature.split_first_chunk::<8>().ok_or_else(bad)?;
                    let ts = u64::from_be_bytes(*ts);
                    if ts > MAX_TIMESTAMP || !key.verify_raw(&cosigned_message(&self.text, ts), raw)
                    {
                        return Err(bad());
                    }
                    Some(ts)
                }
            };
            verified.push(VerifiedSignature {
                name: sig.name.clone(),
                key_id: sig.key_id,
                kind: key.kind(),
                timestamp,
            });
        }
        if verified.is_empty() {
            return Err(NoteError::NoVerifiedSignature { unknown });
        }
        Ok(verified)
    }
}

impl fmt::Display for Note {
    /// The note as text: the text, a blank line, the signature lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for s in &self.signatures {
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

fn require_kind(key: &SignerKey, kind: KeyKind, expected: &'static str) -> Result<(), NoteError> {
    if key.verifier().kind() == kind {
        Ok(())
    } else {
        Err(NoteError::WrongKeyKind {
            name: key.verifier().name().to_string(),
            expected,
        })
    }
}

fn check_characters(text: &str) -> Result<(), NoteError> {
    for (i, line) in text.split('\n').enumerate() {
        if line.chars().any(|c| c < ' ') {
            return Err(NoteError::ControlCharacter { line: i + 1 });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: KeyKind, seed: u8) -> SignerKey {
        SignerKey::from_seed(KeyName::new("log.example/a").unwrap(), kind, [seed; 32])
    }

    #[test]
    fn sign_then_verify_then_tamper() {
        let k = key(KeyKind::Ed25519, 1);
        let mut n = Note::new("hello\nworld\n").unwrap();
        n.sign(&k).unwrap();
        let text = n.to_string();
        let known = Verifiers::new([k.verifier().clone()]).unwrap();
        let parsed = Note::parse(&text).unwrap();
        assert_eq!(parsed, n);
        assert_eq!(parsed.verify(&known).unwrap()[0].kind, KeyKind::Ed25519);
        let tampered = Note::parse(&text.replace("world", "w0rld")).unwrap();
        assert!(matches!(
            tampered.verify(&known),
            Err(NoteError::BadSignature { .. })
        ));
    }

    #[test]
    fn unknown_signatures_are_ignored_but_one_known_is_needed() {
        let k = key(KeyKind::Ed25519, 1);
        let stranger = key(KeyKind::Ed25519, 2);
        let mut n = Note::new("x\n").unwrap();
        n.sign(&stranger).unwrap();
        let known = Verifiers::new([k.verifier().clone()]).unwrap();
        // Same name as a known key but another ID: ignored, not a bad signature.
        assert_eq!(
            n.verify(&known),
            Err(NoteError::NoVerifiedSignature { unknown: 1 })
        );
        n.sign(&k).unwrap();
        assert_eq!(n.verify(&known).unwrap().len(), 1);
    }

    #[test]
    fn text_may_hold_blank_lines() {
        let k = key(KeyKind::Ed25519, 3);
        let mut n = Note::new("a\n\nb\n").unwrap();
        n.sign(&k).unwrap();
        assert_eq!(Note::parse(&n.to_string()).unwrap().text(), "a\n\nb\n");
    }

    #[test]
    fn malformed_notes_say_where() {
        assert_eq!(
            Note::parse("a\nb\x07\n\n— x AAAAAAA=\n"),
            Err(NoteError::ControlCharacter { line: 2 })
        );
        assert_eq!(Note::parse("a\n"), Err(NoteError::NoSignatureBlock));
        assert_eq!(
            Note::parse("a\n\n— x AAAAAAA=\n- y AAAAAAA=\n"),
            Err(NoteError::BadSignatureLine { line: 4 })
        );
        // Four bytes is only a key ID, without a signature.
        assert_eq!(
            Note::parse("a\n\n— x AAAAAA==\n"),
            Err(NoteError::BadSignatureLine { line: 3 })
        );
        assert_eq!(Note::new("no newline"), Err(NoteError::TextWithoutNewline));
    }

    #[test]
    fn too_many_signatures_are_refused() {
        let mut text = String::from("a\n\n");
        for _ in 0..=MAX_SIGNATURES {
            text.push_str("— x AAAAAAA=\n");
        }
        assert_eq!(Note::parse(&text), Err(NoteError::TooManySignatures));
    }

    #[test]
    fn keys_sign_only_what_they_are_for() {
        let mut n = Note::new("a\n").unwrap();
        assert!(matches!(
            n.sign(&key(KeyKind::Cosignature, 1)),
            Err(NoteError::WrongKeyKind { .. })
        ));
        assert!(matches!(
            n.cosign(&key(KeyKind::Ed25519, 1), 5),
            Err(NoteError::WrongKeyKind { .. })
        ));
        assert_eq!(
            n.cosign(&key(KeyKind::Cosignature, 1), u64::MAX),
            Err(NoteError::TimestampTooLarge(u64::MAX))
        );
    }

    #[test]
    fn signing_twice_with_one_key_keeps_one_line() {
        let k = key(KeyKind::Ed25519, 1);
        let mut n = Note::new("a\n").unwrap();
        n.sign(&k).unwrap();
        n.sign(&k).unwrap();
        assert_eq!(n.signatures().len(), 1);
    }
}
