//! Segment files: an immutable batch of documents.
//!
//! Layout: `MAGIC`, per document its UTF-8 text and its [`Features`], the postcard-encoded metadata,
//! and a trailer giving where the metadata starts. Texts and features are read on demand, so memory
//! holds only the metadata.
//!
//! Version 3 dropped the shingle document frequencies that version 2 kept after the documents (12 bytes
//! per distinct 5-gram, streamed at every open): templates are now computed from the postings. A
//! version 2 segment is refused with a message saying the index must be rebuilt.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::features::Features;
use crate::Error;

const MAGIC: &[u8; 8] = b"SLSIMSG3";
/// Earlier formats, recognised to say so.
const OLD_MAGICS: [&[u8; 8]; 2] = [b"SLSIMSG1", b"SLSIMSG2"];
/// The trailer: where the metadata starts (u64, little-endian).
const TRAILER_LEN: u64 = 8;
/// Bytes written between two syncs of a segment being written: the disk writes them out while the
/// writer goes on, and the final sync, which the commit waits for, has only the rest to write.
const SYNC_EVERY: u64 = 8 << 20;

/// What a segment stores about one document besides its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    pub id: String,
    pub owner: String,
    pub text_offset: u64,
    pub text_len: u32,
    pub normalized_len: u32,
    pub features_offset: u64,
    pub features_len: u32,
    /// MinHash signature; empty when the text has no 5-gram.
    pub signature: Vec<u32>,
    /// Distinct winnowing posting keys, sorted (stored as differences, which take fewer bytes).
    #[serde(with = "differences")]
    pub keys: Vec<u32>,
}

/// A sorted list of keys as the differences between neighbours: postcard writes each in as few bytes
/// as it needs, about 3 instead of 5.
mod differences {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(keys: &[u32], serializer: S) -> Result<S::Ok, S::Error> {
        let mut last = 0u32;
        let steps: Vec<u32> = keys
            .iter()
            .map(|&k| {
                let step = k.wrapping_sub(last);
                last = k;
                step
            })
            .collect();
        steps.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u32>, D::Error> {
        let mut steps = Vec::<u32>::deserialize(deserializer)?;
        let mut last = 0u32;
        for step in &mut steps {
            last = last.wrapping_add(*step);
            *step = last;
        }
        Ok(steps)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    docs: Vec<DocMeta>,
}

/// A document to write: metadata without offsets, its text and its encoded [`Features`].
pub struct NewDoc<'a> {
    pub meta: DocMeta,
    pub text: &'a str,
    pub features: Vec<u8>,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

fn corrupt(path: &Path, reason: &str) -> Error {
    Error::Corrupt {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Writes a segment to `path` (through a temporary file, synced before the rename, so `path` is either
/// absent or complete).
#[cfg(test)]
pub fn write(path: &Path, docs: Vec<NewDoc<'_>>) -> Result<Vec<DocMeta>, Error> {
    let mut writer = Writer::create(path)?;
    for doc in docs {
        writer.push(doc)?;
    }
    writer.finish()
}

/// A segment being written document by document, so that a merge never holds all its documents in
/// memory. Nothing is visible at `path` until [`Writer::finish`].
pub struct Writer {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
    offset: u64,
    metas: Vec<DocMeta>,
    /// `offset` at the last sync.
    synced: u64,
}

impl Writer {
    pub fn create(path: &Path) -> Result<Self, Error> {
        let tmp = path.with_extension("tmp");
        let file = File::create(&tmp).map_err(io_error(&tmp))?;
        // Texts and features (tens of kilobytes each) are larger than the buffer and go to the file
        // directly, without a copy into it; the buffer gathers only the small writes.
        let mut out = BufWriter::with_capacity(16 << 10, file);
        out.write_all(MAGIC).map_err(io_error(&tmp))?;
        Ok(Self {
            path: path.to_owned(),
            tmp,
            out,
            offset: MAGIC.len() as u64,
            metas: Vec::new(),
            synced: 0,
        })
    }

    pub fn push(&mut self, doc: NewDoc<'_>) -> Result<(), Error> {
        let err = io_error(&self.tmp);
        self.out.write_all(doc.text.as_bytes()).map_err(&err)?;
        self.out.write_all(&doc.features).map_err(&err)?;
        let features_offset = self.offset + doc.text.len() as u64;
        self.metas.push(DocMeta {
            text_offset: self.offset,
            text_len: doc.text.len() as u32,
            features_offset,
            features_len: doc.features.len() as u32,
            ..doc.meta
        });
        self.offset = features_offset + doc.features.len() as u64;
        if self.offset - self.synced >= SYNC_EVERY {
            self.out.flush().map_err(&err)?;
            self.out.get_ref().sync_data().map_err(&err)?;
            self.synced = self.offset;
        }
        Ok(())
    }

    /// Writes the metadata and the trailer, syncs and renames.
    pub fn finish(mut self) -> Result<Vec<DocMeta>, Error> {
        let err = io_error(&self.tmp);
        let meta_offset = self.offset;
        let meta = Meta { docs: self.metas };
        let bytes = postcard::to_stdvec(&meta).map_err(|e| corrupt(&self.tmp, &e.to_string()))?;
        self.out.write_all(&bytes).map_err(&err)?;
        self.out
            .write_all(&meta_offset.to_le_bytes())
            .map_err(&err)?;
        let file = self.out.into_inner().map_err(|e| err(e.into_error()))?;
        file.sync_all().map_err(&err)?;
        std::fs::rename(&self.tmp, &self.path).map_err(io_error(&self.path))?;
        Ok(meta.docs)
    }
}

/// An open segment file.
#[derive(Debug)]
pub struct Segment {
    pub path: PathBuf,
    pub docs: Vec<DocMeta>,
}

impl Segment {
    /// The segment just written to `path` by a [`Writer`] whose [`Writer::finish`] returned `docs`.
    pub fn written(path: &Path, docs: Vec<DocMeta>) -> Self {
        Self {
            path: path.to_owned(),
            docs,
        }
    }

    pub fn open(path: &Path) -> Result<Self, Error> {
        let err = io_error(path);
        let mut file = File::open(path).map_err(&err)?;
        let len = file.metadata().map_err(&err)?.len();
        let mut magic = [0u8; 8];
        file.read_exact(&mut magic).map_err(&err)?;
        if OLD_MAGICS.contains(&&magic) {
            return Err(corrupt(
                path,
                "这是旧版本程序写的索引段（格式已更新），请删除索引目录后重建索引",
            ));
        }
        if &magic != MAGIC || len < MAGIC.len() as u64 + TRAILER_LEN {
            return Err(corrupt(path, "文件头不是查重索引段"));
        }
        file.seek(SeekFrom::End(-(TRAILER_LEN as i64)))
            .map_err(&err)?;
        let mut trailer = [0u8; TRAILER_LEN as usize];
        file.read_exact(&mut trailer).map_err(&err)?;
        let meta_offset = u64::from_le_bytes(trailer);
        let meta_end = len - TRAILER_LEN;
        if meta_offset > meta_end || meta_offset < MAGIC.len() as u64 {
            return Err(corrupt(path, "文件尾的位置信息不一致"));
        }
        file.seek(SeekFrom::Start(meta_offset)).map_err(&err)?;
        let mut bytes = vec![0u8; (meta_end - meta_offset) as usize];
        file.read_exact(&mut bytes).map_err(&err)?;
        let meta: Meta = postcard::from_bytes(&bytes)
            .map_err(|e| corrupt(path, &format!("元数据无法解析（{e}）")))?;
        if meta.docs.iter().any(|d| {
            d.text_offset + u64::from(d.text_len) > meta_offset
                || d.features_offset + u64::from(d.features_len) > meta_offset
        }) {
            return Err(corrupt(path, "文档正文超出范围"));
        }
        Ok(Self {
            path: path.to_owned(),
            docs: meta.docs,
        })
    }

    fn read_range(&self, offset: u64, len: u32) -> Result<Vec<u8>, Error> {
        let err = io_error(&self.path);
        let mut file = OpenOptions::new()
            .read(true)
            .open(&self.path)
            .map_err(&err)?;
        file.seek(SeekFrom::Start(offset)).map_err(&err)?;
        let mut bytes = vec![0u8; len as usize];
        file.read_exact(&mut bytes).map_err(&err)?;
        Ok(bytes)
    }

    fn doc(&self, ordinal: usize) -> Result<&DocMeta, Error> {
        self.docs
            .get(ordinal)
            .ok_or_else(|| corrupt(&self.path, "文档序号越界"))
    }

    /// The original text of document `ordinal` of this segment.
    pub fn read_text(&self, ordinal: usize) -> Result<String, Error> {
        let doc = self.doc(ordinal)?;
        let bytes = self.read_range(doc.text_offset, doc.text_len)?;
        String::from_utf8(bytes)
            .map_err(|_| corrupt(&self.path, &format!("文档“{}”的正文不是 UTF-8", doc.id)))
    }

    /// The stored analysis of document `ordinal` as written, for a merge to copy.
    pub fn read_features_bytes(&self, ordinal: usize) -> Result<Vec<u8>, Error> {
        let doc = self.doc(ordinal)?;
        self.read_range(doc.features_offset, doc.features_len)
    }

    /// The stored analysis of document `ordinal` of this segment.
    pub fn read_features(&self, ordinal: usize) -> Result<Features, Error> {
        let doc = self.doc(ordinal)?;
        let bytes = self.read_features_bytes(ordinal)?;
        Features::decode(&bytes)
            .ok_or_else(|| corrupt(&self.path, &format!("文档“{}”的特征数据无法解析", doc.id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str) -> DocMeta {
        DocMeta {
            id: id.into(),
            owner: "单位".into(),
            text_offset: 0,
            text_len: 0,
            normalized_len: 3,
            features_offset: 0,
            features_len: 0,
            signature: vec![1, 2, 3],
            keys: vec![5, 9, 70_000, u32::MAX],
        }
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg-1.seg");
        let docs = vec![
            NewDoc {
                meta: meta("a"),
                text: "第一篇，正文",
                features: Features::encode([7].into_iter(), &Default::default(), &[]),
            },
            NewDoc {
                meta: meta("b"),
                text: "第二篇",
                features: vec![1, 2],
            },
        ];
        let written = write(&path, docs).unwrap();
        let seg = Segment::open(&path).unwrap();
        assert_eq!(seg.docs, written);
        assert_eq!(seg.docs.len(), 2);
        assert_eq!(seg.docs[1].keys, vec![5, 9, 70_000, u32::MAX]);
        assert_eq!(seg.read_text(0).unwrap(), "第一篇，正文");
        assert_eq!(seg.read_text(1).unwrap(), "第二篇");
        assert_eq!(seg.read_features(0).unwrap().keys, vec![7]);
        assert!(
            seg.read_features(1)
                .unwrap_err()
                .to_string()
                .contains("已损坏")
        );
        assert!(!path.with_extension("tmp").exists());
    }

    #[test]
    fn truncated_file_is_reported_as_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg-1.seg");
        write(
            &path,
            vec![NewDoc {
                meta: meta("a"),
                text: "正文",
                features: vec![],
            }],
        )
        .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        let err = Segment::open(&path).unwrap_err();
        assert!(err.to_string().contains("已损坏"), "{err}");
    }

    #[test]
    fn segment_of_the_previous_format_asks_for_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg-1.seg");
        let mut bytes = b"SLSIMSG2".to_vec();
        bytes.extend([0u8; 40]);
        std::fs::write(&path, bytes).unwrap();
        let err = Segment::open(&path).unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }));
        assert!(err.to_string().contains("重建索引"), "{err}");
    }
}
