//! 查重 (similarity check) for grant applications written in Chinese.
//!
//! Two stages, both on [normalised](normalize) text:
//! 1. near-duplicate documents: MinHash signatures over character 5-grams with LSH banding propose
//!    candidates, and exact Jaccard/containment decides;
//! 2. copied passages: winnowing fingerprints find every shared run of 13 or more characters, which is
//!    extended to its full length and mapped back to the original text for highlighting.
//!
//! The [`index::Index`] keeps documents in a directory (immutable segments plus an atomically replaced
//! manifest) and produces a [`report::Report`] with the figures Chinese users know (总文字复制比 …).

pub mod align;
pub mod compare;
pub mod document;
pub mod extract;
pub mod index;
pub mod minhash;
pub mod normalize;
pub mod report;
pub mod section;
pub mod shingle;
pub mod winnow;

use std::path::PathBuf;

pub use document::{DocId, Document};
pub use index::{Index, Pair, Settings};
pub use report::{Report, Thresholds, Verdict};

/// Errors of the similarity engine, worded for the users who see them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("无法读写 {path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("索引文件 {path} 已损坏：{reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("{0}")]
    InvalidId(String),
    #[error("索引中没有编号为“{0}”的文档")]
    NotFound(String),
    /// Another change to the index overtook a merge, which is then dropped (the index is unchanged).
    #[error("合并作废：{0}")]
    MergeOvertaken(String),
    #[error("{path} 无法读取：{reason}")]
    Unreadable { path: PathBuf, reason: String },
}
