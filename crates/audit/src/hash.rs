//! RFC 6962 hashing: the 32-byte [`Hash`] and the leaf/node hash functions.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

/// Length in bytes of every hash in the log (SHA-256).
pub const HASH_LEN: usize = 32;

/// A SHA-256 hash: a leaf hash, an interior node hash or a tree root.
///
/// It can only hold exactly 32 bytes, so a truncated or padded hash coming from a
/// file or a proof is rejected when it is parsed, not later when it fails to match.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash([u8; HASH_LEN]);

/// Why bytes or text are not a hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    #[error("哈希应为32字节，实为{actual}字节")]
    WrongLength { actual: usize },
    #[error("哈希不是合法的标准 base64 编码：{0}")]
    Base64(String),
    #[error("哈希应为64位十六进制数字，实为“{0}”")]
    Hex(String),
}

impl Hash {
    pub const fn from_bytes(bytes: [u8; HASH_LEN]) -> Self {
        Hash(bytes)
    }

    /// Takes a hash from a byte slice of exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, HashError> {
        <[u8; HASH_LEN]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| HashError::WrongLength {
                actual: bytes.len(),
            })
    }

    /// Parses standard (RFC 4648 §4, padded) base64 of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, HashError> {
        let bytes = BASE64
            .decode(text)
            .map_err(|e| HashError::Base64(e.to_string()))?;
        Self::from_slice(&bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Lower-case hex, as the application stores leaf hashes in its tables.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Result<Self, HashError> {
        let bad = || HashError::Hex(text.to_owned());
        // Checked digit by digit: `from_str_radix` alone would accept a leading `+`.
        if text.len() != 2 * HASH_LEN || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut bytes = [0; HASH_LEN];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let digits = std::str::from_utf8(pair).map_err(|_| bad())?;
            *byte = u8::from_str_radix(digits, 16).map_err(|_| bad())?;
        }
        Ok(Hash(bytes))
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl FromStr for Hash {
    type Err = HashError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_base64(s)
    }
}

/// RFC 6962 leaf hash: SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    Hash(h.finalize().into())
}

/// RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// Root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            empty_root().to_base64(),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn leaf_hash_of_empty_leaf_matches_rfc6962_vector() {
        // RFC 6962 test vector tree: the empty leaf.
        assert_eq!(
            leaf_hash(b"").to_base64(),
            "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="
        );
    }

    #[test]
    fn node_hash_is_not_leaf_hash_of_concatenation() {
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        let mut both = a.as_bytes().to_vec();
        both.extend_from_slice(b.as_bytes());
        assert_ne!(node_hash(&a, &b), leaf_hash(&both));
    }

    #[test]
    fn parsing_rejects_every_length_but_32() {
        assert_eq!(
            Hash::from_slice(&[0; 31]),
            Err(HashError::WrongLength { actual: 31 })
        );
        assert_eq!(
            Hash::from_base64("ZG9uJ3QgY2FyZSAx"),
            Err(HashError::WrongLength { actual: 12 })
        );
        assert!(matches!(
            Hash::from_base64("not base64!"),
            Err(HashError::Base64(_))
        ));
        let h = leaf_hash(b"x");
        assert_eq!(h.to_string().parse::<Hash>(), Ok(h));
    }

    #[test]
    fn hex_round_trips_and_refuses_anything_else() {
        let h = leaf_hash(b"");
        assert_eq!(
            h.to_hex(),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
        assert_eq!(Hash::from_hex(&h.to_hex()), Ok(h));
        assert_eq!(Hash::from_hex(&h.to_hex().to_uppercase()), Ok(h));
        for bad in [
            "",
            "6e34",
            &format!("{}0", h.to_hex()),
            &"zz".repeat(32),
            &"+1".repeat(32),
        ] {
            assert_eq!(
                Hash::from_hex(bad),
                Err(HashError::Hex(bad.to_owned())),
                "{bad:?}"
            );
        }
        // 64 bytes but not ASCII: refused without panicking on a char boundary.
        let wide = format!("{}审", "0".repeat(61));
        assert_eq!(Hash::from_hex(&wide), Err(HashError::Hex(wide.clone())));
    }

    #[test]
    fn error_message_says_the_length() {
        let err = Hash::from_slice(&[1, 2, 3]).unwrap_err();
        assert_eq!(err.to_string(), "哈希应为32字节，实为3字节");
    }
}
