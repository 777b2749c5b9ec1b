//! Segment files: an immutable batch of documents.
//!
//! Layout: `MAGIC`, the UTF-8 text of each document, the winnowing [postings](Postings) of the segment
//! as they are held in memory, the postcard-encoded metadata, and a trailer giving where the postings
//! and the metadata start. Texts are read on demand; opening reads the postings and the metadata.
//!
//! Version 3 dropped the shingle document frequencies that version 2 kept after the documents (12 bytes
//! per distinct 5-gram, streamed at every open; templates are now computed from the postings) and
//! stores the postings built, where version 2 stored each document's posting keys for every open to
//! sort again. Version 4 has the same layout; its 5-gram keys, fingerprints and signatures come from
//! another shingle hash ([`crate::shingle`]), so those of a version 3 segment would match nothing.
//! Version 5 no longer stores the key of every 5-gram in a document's features (a check recomputes
//! them from the text, which is written just before the features, so both are read at once).
//! Version 6 stores no features at all: a check recomputes a candidate's offset map and sections
//! from its text too ([`Features::of`]). Earlier versions are refused with a message saying the
//! index must be rebuilt.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::features::Features;
use super::manifest::sync_dir;
use super::postings::Postings;
use crate::Error;
use crate::section::Splitter;

const MAGIC: &[u8; 8] = b"SLSIMSG6";
/// Earlier formats, recognised to say so.
const OLD_MAGICS: [&[u8; 8]; 5] = [
    b"SLSIMSG1",
    b"SLSIMSG2",
    b"SLSIMSG3",
    b"SLSIMSG4",
    b"SLSIMSG5",
];
/// The trailer: where the postings and the metadata start (u64 each, little-endian).
const TRAILER_LEN: u64 = 16;
/// Bytes written between two syncs of a segment being written by a merge: the disk writes them out
/// while the writer goes on, and the final sync has only the rest to write.
pub const MERGE_SYNC_EVERY: u64 = 8 << 20;
/// The same for an add, whose commit waits for the final sync: less is left to it, for a few more
/// syncs on the writer's thread, which the analysis does not wait for.
pub const ADD_SYNC_EVERY: u64 = 2 << 20;

/// What a segment stores about one document besides its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    pub id: String,
    pub owner: String,
    pub text_offset: u64,
    pub text_len: u32,
    pub normalized_len: u32,
    /// MinHash signature; empty when the text has no 5-gram.
    pub signature: Vec<u32>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    docs: Vec<DocMeta>,
}

/// A document to write: metadata without offsets, and its text.
pub struct NewDoc<'a> {
    pub meta: DocMeta,
    pub text: &'a str,
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

/// Writes a segment to `path`, synced.
#[cfg(test)]
pub fn write(
    path: &Path,
    docs: Vec<NewDoc<'_>>,
    postings: &Postings,
) -> Result<Vec<DocMeta>, Error> {
    let mut writer = Writer::create(path, MERGE_SYNC_EVERY)?;
    for doc in docs {
        writer.push(doc)?;
    }
    writer.finish(postings)
}

/// A segment being written document by document, so that a merge never holds all its documents in
/// memory.
///
/// It is written under its final name: no manifest names it until [`Writer::finish`] has synced it,
/// and a file left by an interrupted write is ignored, then overwritten by the next write that takes
/// its name. Its directory entry is synced when it is created, while the caller is still analysing
/// or reading documents, so that the commit does not wait for that sync.
pub struct Writer {
    path: PathBuf,
    out: BufWriter<File>,
    offset: u64,
    metas: Vec<DocMeta>,
    /// `offset` at the last sync.
    synced: u64,
    /// Bytes written between two syncs.
    sync_every: u64,
}

impl Writer {
    pub fn create(path: &Path, sync_every: u64) -> Result<Self, Error> {
        let file = File::create(path).map_err(io_error(path))?;
        sync_dir(path.parent().unwrap_or(Path::new(".")))?;
        // Texts (tens of kilobytes each) are larger than the buffer and go to the file directly,
        // without a copy into it; the buffer gathers only the small writes.
        let mut out = BufWriter::with_capacity(16 << 10, file);
        out.write_all(MAGIC).map_err(io_error(path))?;
        Ok(Self {
            path: path.to_owned(),
            out,
            offset: MAGIC.len() as u64,
            metas: Vec::new(),
            synced: 0,
            sync_every,
        })
    }

    pub fn push(&mut self, doc: NewDoc<'_>) -> Result<(), Error> {
        let err = io_error(&self.path);
        self.out.write_all(doc.text.as_bytes()).map_err(&err)?;
        self.metas.push(DocMeta {
            text_offset: self.offset,
            text_len: doc.text.len() as u32,
            ..doc.meta
        });
        self.offset += doc.text.len() as u64;
        if self.offset - self.synced >= self.sync_every {
            self.out.flush().map_err(&err)?;
            self.out.get_ref().sync_data().map_err(&err)?;
            self.synced = self.offset;
        }
        Ok(())
    }

    /// Syncs what has been written so far: called once the last document is pushed, while the
    /// postings are still being built, so that [`Writer::finish`] has only them and the metadata to sync.
    pub fn sync(&mut self) -> Result<(), Error> {
        let err = io_error(&self.path);
        self.out.flush().map_err(&err)?;
        self.out.get_ref().sync_data().map_err(&err)?;
        self.synced = self.offset;
        Ok(())
    }

    /// Writes the postings (of the documents pushed, by their order), the metadata and the trailer,
    /// and syncs: the segment may then be named in the manifest.
    pub fn finish(mut self, postings: &Postings) -> Result<Vec<DocMeta>, Error> {
        let err = io_error(&self.path);
        let postings_offset = self.offset;
        let meta_offset = postings_offset + postings.write_to(&mut self.out).map_err(&err)?;
        let meta = Meta { docs: self.metas };
        let bytes = postcard::to_stdvec(&meta).map_err(|e| corrupt(&self.path, &e.to_string()))?;
        self.out.write_all(&bytes).map_err(&err)?;
        for n in [postings_offset, meta_offset] {
            self.out.write_all(&n.to_le_bytes()).map_err(&err)?;
        }
        let file = self.out.into_inner().map_err(|e| err(e.into_error()))?;
        file.sync_all().map_err(&err)?;
        Ok(meta.docs)
    }
}

/// An open segment file.
#[derive(Debug)]
pub struct Segment {
    pub path: PathBuf,
    pub docs: Vec<DocMeta>,
    /// As read from the file; the index takes them (empty afterwards).
    pub postings: Postings,
}

impl Segment {
    /// The segment just written to `path` by a [`Writer`] whose [`Writer::finish`] returned `docs`
    /// (its postings are those that were written).
    pub fn written(path: &Path, docs: Vec<DocMeta>) -> Self {
        Self {
            path: path.to_owned(),
            docs,
            postings: Postings::default(),
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
        let [postings_offset, meta_offset] = std::array::from_fn(|i| {
            u64::from_le_bytes(trailer[i * 8..i * 8 + 8].try_into().unwrap_or_default())
        });
        let meta_end = len - TRAILER_LEN;
        if meta_offset > meta_end
            || postings_offset > meta_offset
            || postings_offset < MAGIC.len() as u64
        {
            return Err(corrupt(path, "文件尾的位置信息不一致"));
        }
        file.seek(SeekFrom::Start(meta_offset)).map_err(&err)?;
        let mut bytes = vec![0u8; (meta_end - meta_offset) as usize];
        file.read_exact(&mut bytes).map_err(&err)?;
        let meta: Meta = postcard::from_bytes(&bytes)
            .map_err(|e| corrupt(path, &format!("元数据无法解析（{e}）")))?;
        if meta
            .docs
            .iter()
            .any(|d| d.text_offset + u64::from(d.text_len) > postings_offset)
        {
            return Err(corrupt(path, "文档正文超出范围"));
        }
        file.seek(SeekFrom::Start(postings_offset)).map_err(&err)?;
        let mut input = std::io::BufReader::with_capacity(1 << 20, file);
        let postings =
            Postings::read_from(&mut input, meta_offset - postings_offset, meta.docs.len())
                .map_err(&err)?
                .ok_or_else(|| corrupt(path, "倒排索引数据无法解析"))?;
        Ok(Self {
            path: path.to_owned(),
            docs: meta.docs,
            postings,
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

    /// The analysis of document `ordinal` of this segment, recomputed from its text.
    pub fn read_features(
        &self,
        ordinal: usize,
        splitter: &Splitter<'_>,
    ) -> Result<Features, Error> {
        let doc = self.doc(ordinal)?;
        Features::of(&self.read_text(ordinal)?, doc.normalized_len, splitter)
            .ok_or_else(|| changed(&self.path, doc))
    }

    /// The keys of the 5-grams of document `ordinal`, recomputed from its text.
    pub fn read_keys(&self, ordinal: usize) -> Result<Vec<u32>, Error> {
        let doc = self.doc(ordinal)?;
        Features::keys_of(&self.read_text(ordinal)?, doc.normalized_len)
            .ok_or_else(|| changed(&self.path, doc))
    }
}

/// The error of a stored text that no longer normalises to the length it had when it was indexed.
fn changed(path: &Path, doc: &DocMeta) -> Error {
    corrupt(
        path,
        &format!(
            "文档“{}”的正文与建立索引时不一致（规范化后的长度不同），请重建索引",
            doc.id
        ),
    )
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
            signature: vec![1, 2, 3],
        }
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg-1.seg");
        let docs = vec![
            NewDoc {
                meta: DocMeta {
                    normalized_len: 5,
                    ..meta("a")
                },
                text: "第一篇，正文",
            },
            NewDoc {
                meta: meta("b"),
                text: "第二篇 ",
            },
        ];
        let pairs = vec![(5, 0), (9, 1), (70_000, 1), (u32::MAX, 0)];
        let written = write(&path, docs, &Postings::new(pairs.clone())).unwrap();
        let seg = Segment::open(&path).unwrap();
        assert_eq!(seg.docs, written);
        assert_eq!(seg.docs.len(), 2);
        let mut read = Vec::new();
        seg.postings.for_each(|k, d| read.push((k, d)));
        assert_eq!(read, vec![(5, 0), (9, 1), (70_000, 1), (u32::MAX, 0)]);
        assert_eq!(seg.read_text(0).unwrap(), "第一篇，正文");
        assert_eq!(seg.read_text(1).unwrap(), "第二篇 ");
        // "第一篇，正文" normalises to five chars: one 5-gram.
        let keys = crate::shingle::shingle_keys(&['第', '一', '篇', '正', '文']);
        let rules = crate::section::SectionRules::default();
        let features = seg.read_features(0, &rules.splitter()).unwrap();
        assert_eq!(features.keys, keys);
        assert_eq!(features.offsets.offset(3), 4);
        assert_eq!(seg.read_keys(0).unwrap(), keys);
        // "第二篇 " normalises to three chars, as its metadata says; five would be another text.
        assert!(seg.read_keys(1).unwrap().is_empty());
        let mut changed = seg;
        changed.docs[1].normalized_len = 5;
        for err in [
            changed.read_keys(1).unwrap_err(),
            changed.read_features(1, &rules.splitter()).unwrap_err(),
        ] {
            assert!(err.to_string().contains("重建索引"), "{err}");
        }
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
            }],
            &Postings::default(),
        )
        .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        let err = Segment::open(&path).unwrap_err();
        assert!(err.to_string().contains("已损坏"), "{err}");
    }

    #[test]
    fn segment_of_a_previous_format_asks_for_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg-1.seg");
        for old in OLD_MAGICS {
            let mut bytes = old.to_vec();
            bytes.extend([0u8; 40]);
            std::fs::write(&path, bytes).unwrap();
            let err = Segment::open(&path).unwrap_err();
            assert!(matches!(err, Error::Corrupt { .. }));
            assert!(err.to_string().contains("重建索引"), "{err}");
        }
    }
}
