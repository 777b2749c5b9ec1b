//! Ed25519 keys in the C2SP `signed-note` text formats:
//! verifier keys `name+hex(key ID)+base64(type ‖ public key)` and signer keys
//! `PRIVATE+KEY+name+hex(key ID)+base64(type ‖ seed)`.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

const SIGNER_PREFIX: &str = "PRIVATE+KEY+";

/// What a key signs, given by the signature-type byte of the C2SP signed-note registry.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum KeyKind {
    /// `0x01`: plain Ed25519 note signatures, as a log signs its checkpoints.
    Ed25519,
    /// `0x04`: timestamped Ed25519 witness cosignatures (`c2sp.org/tlog-cosignature`).
    Cosignature,
}

impl KeyKind {
    pub const fn type_byte(self) -> u8 {
        match self {
            KeyKind::Ed25519 => 0x01,
            KeyKind::Cosignature => 0x04,
        }
    }

    fn from_type_byte(b: u8) -> Result<Self, KeyError> {
        match b {
            0x01 => Ok(KeyKind::Ed25519),
            0x04 => Ok(KeyKind::Cosignature),
            other => Err(KeyError::UnknownAlgorithm(other)),
        }
    }
}

/// Why a key, or a key name, is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("密钥名称“{0}”无效：不能为空，不能含空白字符、控制字符或加号")]
    BadName(String),
    #[error("密钥格式应为“名称+8位十六进制密钥ID+base64公钥”")]
    VerifierFormat,
    #[error("私钥格式应为“PRIVATE+KEY+名称+8位十六进制密钥ID+base64种子”")]
    SignerFormat,
    #[error("密钥ID“{0}”应为8位十六进制数")]
    BadKeyId(String),
    #[error("密钥数据不是合法的标准 base64 编码")]
    Base64,
    #[error("未知的签名算法类型字节 0x{0:02x}（支持 0x01 Ed25519 与 0x04 联署）")]
    UnknownAlgorithm(u8),
    #[error("Ed25519 密钥应为32字节，实为{0}字节")]
    KeyLength(usize),
    #[error("密钥ID应为{computed:08x}，实为{stated:08x}：名称或公钥与密钥ID不符")]
    KeyIdMismatch { stated: u32, computed: u32 },
    #[error("公钥不是合法的 Ed25519 曲线点")]
    InvalidPublicKey,
    #[error("两把不同的密钥有相同的名称和ID：{0}")]
    Ambiguous(String),
}

/// A key name: non-empty, without Unicode spaces, control characters or `+`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct KeyName(String);

impl KeyName {
    pub fn new(name: &str) -> Result<Self, KeyError> {
        let bad = name.is_empty()
            || name
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '+');
        if bad {
            Err(KeyError::BadName(name.to_owned()))
        } else {
            Ok(KeyName(name.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// C2SP key ID: the first four bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key).
pub fn key_id(name: &KeyName, kind: KeyKind, public_key: &[u8; 32]) -> u32 {
    let digest = Sha256::new()
        .chain_update(name.as_str().as_bytes())
        .chain_update([b'\n', kind.type_byte()])
        .chain_update(public_key)
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// A public key that checks note signatures or cosignatures.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifierKey {
    name: KeyName,
    id: u32,
    kind: KeyKind,
    key: VerifyingKey,
}

impl VerifierKey {
    pub fn new(name: KeyName, kind: KeyKind, key: VerifyingKey) -> Self {
        let id = key_id(&name, kind, key.as_bytes());
        VerifierKey {
            name,
            id,
            kind,
            key,
        }
    }

    /// Parses `name+hex(key ID)+base64(type ‖ public key)`, checking the key ID.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(KeyError::VerifierFormat);
        };
        let name = KeyName::new(name)?;
        let stated = parse_key_id(id)?;
        let (kind, bytes) = decode_key_data(data)?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::InvalidPublicKey)?;
        let v = VerifierKey::new(name, kind, key);
        if v.id != stated {
            return Err(KeyError::KeyIdMismatch {
                stated,
                computed: v.id,
            });
        }
        Ok(v)
    }

    pub fn name(&self) -> &KeyName {
        &self.name
    }
    pub fn id(&self) -> u32 {
        self.id
    }
    pub fn kind(&self) -> KeyKind {
        self.kind
    }
    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Checks a raw Ed25519 signature over `message` (strict RFC 8032 verification).
    pub(crate) fn verify_raw(&self, message: &[u8], signature: &[u8]) -> bool {
        ed25519_dalek::Signature::from_slice(signature)
            .is_ok_and(|sig| self.key.verify_strict(message, &sig).is_ok())
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut data = vec![self.kind.type_byte()];
        data.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{:08x}+{}", self.name, self.id, BASE64.encode(data))
    }
}

impl FromStr for VerifierKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A private key that signs notes (a log) or cosigns checkpoints (a witness).
/// Its `Debug` output shows only the public part.
#[derive(Clone)]
pub struct SignerKey {
    verifier: VerifierKey,
    key: SigningKey,
}

impl SignerKey {
    /// Builds a key from a 32-byte Ed25519 seed. The caller supplies the randomness
    /// (this crate does no I/O).
    pub fn from_seed(name: KeyName, kind: KeyKind, seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        SignerKey {
            verifier: VerifierKey::new(name, kind, key.verifying_key()),
            key,
        }
    }

    /// Parses `PRIVATE+KEY+name+hex(key ID)+base64(type ‖ seed)`, checking the key ID.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let rest = text
            .strip_prefix(SIGNER_PREFIX)
            .ok_or(KeyError::SignerFormat)?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(KeyError::SignerFormat);
        };
        let name = KeyName::new(name)?;
        let stated = parse_key_id(id)?;
        let (kind, seed) = decode_key_data(data)?;
        let signer = SignerKey::from_seed(name, kind, seed);
        if signer.verifier.id != stated {
            return Err(KeyError::KeyIdMismatch {
                stated,
                computed: signer.verifier.id,
            });
        }
        Ok(signer)
    }

    /// The private key text, to be stored as a secret.
    pub fn to_private_text(&self) -> String {
        let v = &self.verifier;
        let mut data = vec![v.kind.type_byte()];
        data.extend_from_slice(self.key.as_bytes());
        format!(
            "{SIGNER_PREFIX}{}+{:08x}+{}",
            v.name,
            v.id,
            BASE64.encode(data)
        )
    }

    pub fn verifier(&self) -> &VerifierKey {
        &self.verifier
    }

    pub(crate) fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

impl fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignerKey({})", self.verifier)
    }
}

fn parse_key_id(text: &str) -> Result<u32, KeyError> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(KeyError::BadKeyId(text.to_owned()));
    }
    u32::from_str_radix(text, 16).map_err(|_| KeyError::BadKeyId(text.to_owned()))
}

fn decode_key_data(text: &str) -> Result<(KeyKind, [u8; 32]), KeyError> {
    let bytes = BASE64.decode(text).map_err(|_| KeyError::Base64)?;
    let (&type_byte, key) = bytes.split_first().ok_or(KeyError::KeyLength(0))?;
    let kind = KeyKind::from_type_byte(type_byte)?;
    let key = <[u8; 32]>::try_from(key).map_err(|_| KeyError::KeyLength(key.len()))?;
    Ok((kind, key))
}

/// The keys a reader trusts, looked up by (name, key ID) as signed-note requires.
#[derive(Clone, Debug, Default)]
pub struct Verifiers {
    keys: Vec<VerifierKey>,
}

impl Verifiers {
    pub fn new(keys: impl IntoIterator<Item = VerifierKey>) -> Result<Self, KeyError> {
        let mut v = Verifiers::default();
        for k in keys {
            v.insert(k)?;
        }
        Ok(v)
    }

    /// Adds a key; refuses a different key under the same name and key ID.
    pub fn insert(&mut self, key: VerifierKey) -> Result<(), KeyError> {
        match self.get(key.name.as_str(), key.id) {
            Some(existing) if *existing == key => Ok(()),
            Some(_) => Err(KeyError::Ambiguous(key.to_string())),
            None => {
                self.keys.push(key);
                Ok(())
            }
        }
    }

    pub fn get(&self, name: &str, id: u32) -> Option<&VerifierKey> {
        self.keys
            .iter()
            .find(|k| k.id == id && k.name.as_str() == name)
    }

    pub fn keys(&self) -> &[VerifierKey] {
        &self.keys
    }
}

impl From<VerifierKey> for Verifiers {
    fn from(key: VerifierKey) -> Self {
        Verifiers { keys: vec![key] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> KeyName {
        KeyName::new(s).unwrap()
    }

    #[test]
    fn names_with_space_plus_or_nothing_are_refused() {
        for bad in ["", "a b", "a+b", "a\tb", "a\u{3000}b"] {
            assert_eq!(KeyName::new(bad), Err(KeyError::BadName(bad.to_owned())));
        }
        assert!(KeyName::new("sunlight.example/审计日志").is_ok());
    }

    #[test]
    fn key_texts_round_trip() {
        for kind in [KeyKind::Ed25519, KeyKind::Cosignature] {
            let s = SignerKey::from_seed(name("w.example/1"), kind, [7; 32]);
            let again = SignerKey::parse(&s.to_private_text()).unwrap();
            assert_eq!(again.verifier(), s.verifier());
            let v: VerifierKey = s.verifier().to_string().parse().unwrap();
            assert_eq!(&v, s.verifier());
            assert_eq!(v.kind(), kind);
        }
    }

    #[test]
    fn same_key_other_kind_has_other_id() {
        let a = SignerKey::from_seed(name("x"), KeyKind::Ed25519, [1; 32]);
        let b = SignerKey::from_seed(name("x"), KeyKind::Cosignature, [1; 32]);
        assert_ne!(a.verifier().id(), b.verifier().id());
    }

    #[test]
    fn a_wrong_key_id_is_refused() {
        let s = SignerKey::from_seed(name("x"), KeyKind::Ed25519, [1; 32]);
        let text = s.verifier().to_string();
        let id = format!("{:08x}", s.verifier().id());
        let forged = text.replace(&id, "00000000");
        assert_eq!(
            VerifierKey::parse(&forged),
            Err(KeyError::KeyIdMismatch {
                stated: 0,
                computed: s.verifier().id()
            })
        );
        assert_eq!(SignerKey::parse(&text).unwrap_err(), KeyError::SignerFormat);
    }

    #[test]
    fn two_keys_under_one_name_and_id_are_ambiguous() {
        let a = SignerKey::from_seed(name("x"), KeyKind::Ed25519, [1; 32]);
        let mut v = Verifiers::new([a.verifier().clone()]).unwrap();
        assert_eq!(v.insert(a.verifier().clone()), Ok(()));
        let b = SignerKey::from_seed(name("x"), KeyKind::Ed25519, [2; 32]);
        let clash = VerifierKey {
            id: a.verifier().id(),
            ..b.verifier().clone()
        };
        assert!(matches!(v.insert(clash), Err(KeyError::Ambiguous(_))));
    }

    #[test]
    fn debug_output_hides_the_private_key() {
        let s = SignerKey::from_seed(name("x"), KeyKind::Ed25519, [9; 32]);
        let private = s.to_private_text();
        let secret = private.rsplit('+').next().unwrap();
        assert!(!format!("{s:?}").contains(secret));
    }
}
