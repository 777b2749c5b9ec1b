//! Documents as stored in the index, and what is derived from their text.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::minhash::{Signature, signature};
use crate::normalize::{Normalized, normalize};
use crate::shingle::{distinct_of_sorted, key_of, shingle_hashes, sorted_shingles};
use crate::winnow::{Fingerprint, posting_key, winnow};

/// Longest document id, in chars.
const MAX_ID_LEN: usize = 200;

/// The id of a document in an index (e.g. an application number or a file name): non-empty, at most
/// 200 chars, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocId(String);

impl DocId {
    pub fn parse(id: &str) -> Result<Self, Error> {
        let id = id.trim();
        if id.is_empty() {
            return Err(Error::InvalidId("文档编号不能为空".into()));
        }
        if id.chars().count() > MAX_ID_LEN {
            return Err(Error::InvalidId(format!(
                "文档编号“{id}”超过{MAX_ID_LEN}个字"
            )));
        }
        if id.chars().any(char::is_control) {
            return Err(Error::InvalidId(format!(
                "文档编号“{}”含有控制字符",
                id.escape_debug()
            )));
        }
        Ok(Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DocId {
    type Error = Error;
    fn try_from(id: String) -> Result<Self, Error> {
        Self::parse(&id)
    }
}

impl From<DocId> for String {
    fn from(id: DocId) -> String {
        id.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A document to index or check: its id, its owner (申报单位 or 申请人 id; empty when unknown) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: DocId,
    pub owner: String,
    pub text: String,
}

/// Everything the index needs from a text, computed once.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub normalized: Normalized,
    /// Hash of every 5-gram, in text order.
    pub hashes: Vec<u64>,
    /// `(hash, position)` of every 5-gram, sorted: what the index stores to compare without the text.
    pub sorted: Vec<(u64, u32)>,
    /// Distinct 5-gram hashes, sorted.
    pub shingles: Vec<u64>,
    pub fingerprints: Vec<Fingerprint>,
    pub signature: Option<Signature>,
}

impl Analysis {
    pub fn of(text: &str) -> Self {
        let normalized = normalize(text);
        let hashes = shingle_hashes(normalized.chars());
        let sorted = sorted_shingles(&hashes);
        let shingles = distinct_of_sorted(&sorted);
        let fingerprints = winnow(&hashes);
        let signature = signature(shingles.iter().copied());
        Self {
            normalized,
            hashes,
            sorted,
            shingles,
            fingerprints,
            signature,
        }
    }

    /// Distinct posting keys of the fingerprints, sorted.
    pub fn posting_keys(&self) -> Vec<u32> {
        posting_keys(&self.fingerprints)
    }
}

fn posting_keys(fingerprints: &[Fingerprint]) -> Vec<u32> {
    let mut keys: Vec<u32> = fingerprints.iter().map(|f| posting_key(f.hash)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// What the index computes from a text it adds or checks: the part of an [`Analysis`] that needs no
/// sorting of the text's 5-grams (the MinHash signature is a minimum, which repeats do not change).
#[derive(Debug, Clone)]
pub struct Digest {
    pub normalized: Normalized,
    /// Hash of every 5-gram, in text order.
    pub hashes: Vec<u64>,
    pub fingerprints: Vec<Fingerprint>,
    pub signature: Option<Signature>,
}

impl Digest {
    pub fn of(text: &str) -> Self {
        let normalized = normalize(text);
        let hashes = shingle_hashes(normalized.chars());
        let fingerprints = winnow(&hashes);
        let signature = signature(hashes.iter().copied());
        Self {
            normalized,
            hashes,
            fingerprints,
            signature,
        }
    }

    /// The 32-bit key of every 5-gram, in text order, as the index stores them.
    pub fn keys(&self) -> Vec<u32> {
        self.hashes.iter().map(|&h| key_of(h)).collect()
    }

    /// Distinct posting keys of the fingerprints, sorted.
    pub fn posting_keys(&self) -> Vec<u32> {
        posting_keys(&self.fingerprints)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert_eq!(DocId::parse(" 2024-001 ").unwrap().as_str(), "2024-001");
        assert!(DocId::parse("  ").is_err());
        assert!(DocId::parse("a\u{0}b").is_err());
        assert!(DocId::parse(&"长".repeat(201)).is_err());
        assert!(serde_json::from_str::<DocId>("\"\"").is_err());
    }

    #[test]
    fn analysis_is_consistent() {
        let a = Analysis::of("科技计划项目申报书：研究内容与技术路线。");
        assert_eq!(a.hashes.len(), a.normalized.len() - 4);
        assert!(a.shingles.windows(2).all(|w| w[0] < w[1]));
        assert!(a.sorted.windows(2).all(|w| w[0] < w[1]));
        assert!(a.sorted.iter().all(|&(h, p)| a.hashes[p as usize] == h));
        assert!(a.signature.is_some());
        assert!(!a.posting_keys().is_empty());
        assert!(Analysis::of("，。").signature.is_none());
    }

    #[test]
    fn digest_agrees_with_analysis() {
        let text = "科技计划项目申报书：研究内容与技术路线。研究内容与技术路线！";
        let (a, d) = (Analysis::of(text), Digest::of(text));
        assert_eq!(d.hashes, a.hashes);
        assert_eq!(d.fingerprints, a.fingerprints);
        assert_eq!(d.signature, a.signature);
        assert_eq!(d.posting_keys(), a.posting_keys());
        assert!(Digest::of("，。").signature.is_none());
    }
}
