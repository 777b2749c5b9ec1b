//! Segment files: an immutable batch of documents.
//!
//! Layout: `MAGIC`, per document its UTF-8 text and its [`Features`], the shingle document frequencies of the batch
//! (sorted fixed-width records, read as a stream when templates are recomputed), the postcard-encoded
//! metadata, and a trailer giving where the frequencies and metadata start. Texts and features are read
//! on demand, so memory holds only the metadata.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::features::Features;
use crate::Error;

const MAGIC: &[u8; 8] = b"SLSIMSG2";
const TRAILER_LEN: u64 = 24;
/// One frequency record: shingle hash (u64) and document count (u32), little-endian.
const DF_RECORD_LEN: usize = 12;

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
    /// Distinct winnowing posting keys, sorted.
    pub keys: Vec<u32>,
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
/// absent or complete). `df` must be sorted by hash.
pub fn write(path: &Path, docs: Vec<NewDoc<'_>>, df: &[(u64, u32)]) -> Result<Vec<DocMeta>, Error> {
    let mut writer = Writer::create(path)?;
    for doc in docs {
        writer.push(doc)?;
    }
    writer.finish(df.iter().map(|&record| Ok(record)))
}

/// A segment being written document by document, so that a merge never holds all its documents in
/// memory. Nothing is visible at `path` until [`Writer::finish`].
pub struct Writer {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
    offset: u64,
    metas: Vec<DocMeta>,
}

impl Writer {
    pub fn create(path: &Path) -> Result<Self, Error> {
        let tmp = path.with_extension("tmp");
        let file = File::create(&tmp).map_err(io_error(&tmp))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(MAGIC).map_err(io_error(&tmp))?;
        Ok(Self {
            path: path.to_owned(),
            tmp,
            out,
            offset: MAGIC.len() as u64,
            metas: Vec::new(),
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
        Ok(())
    }

    /// Writes the frequencies (sorted by hash), the metadata and the trailer, syncs and renames.
    pub fn finish(
        mut self,
        df: impl Iterator<Item = Result<(u64, u32), Error>>,
    ) -> Result<Vec<DocMeta>, Error> {
        let err = io_error(&self.tmp);
        let df_offset = self.offset;
        let mut records = 0u64;
        for record in df {
            let (hash, count) = record?;
            self.out.write_all(&hash.to_le_bytes()).map_err(&err)?;
            self.out.write_all(&count.to_le_bytes()).map_err(&err)?;
            records += 1;
        }
        let meta_offset = df_offset + records * DF_RECORD_LEN as u64;
        let meta = Meta { docs: self.metas };
        let bytes = postcard::to_stdvec(&meta).map_err(|e| corrupt(&self.tmp, &e.to_string()))?;
        self.out.write_all(&bytes).map_err(&err)?;
        for n in [df_offset, records, meta_offset] {
            self.out.write_all(&n.to_le_bytes()).map_err(&err)?;
        }
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
    df_offset: u64,
    df_count: u64,
}

impl Segment {
    pub fn open(path: &Path) -> Result<Self, Error> {
        let err = io_error(path);
        let mut file = File::open(path).map_err(&err)?;
        let len = file.metadata().map_err(&err)?.len();
        let mut magic = [0u8; 8];
        file.read_exact(&mut magic).map_err(&err)?;
        if &magic != MAGIC || len < MAGIC.len() as u64 + TRAILER_LEN {
            return Err(corrupt(path, "文件头不是查重索引段"));
        }
        file.seek(SeekFrom::End(-(TRAILER_LEN as i64)))
            .map_err(&err)?;
        let mut trailer = [0u8; TRAILER_LEN as usize];
        file.read_exact(&mut trailer).map_err(&err)?;
        let [df_offset, df_count, meta_offset] = std::array::from_fn(|i| {
            u64::from_le_bytes(trailer[i * 8..i * 8 + 8].try_into().unwrap_or_default())
        });
        let meta_end = len - TRAILER_LEN;
        if meta_offset > meta_end
            || df_offset.checked_add(df_count * DF_RECORD_LEN as u64) != Some(meta_offset)
        {
            return Err(corrupt(path, "文件尾的位置信息不一致"));
        }
        file.seek(SeekFrom::Start(meta_offset)).map_err(&err)?;
        let mut bytes = vec![0u8; (meta_end - meta_offset) as usize];
        file.read_exact(&mut bytes).map_err(&err)?;
        let meta: Meta = postcard::from_bytes(&bytes)
            .map_err(|e| corrupt(path, &format!("元数据无法解析（{e}）")))?;
        if meta.docs.iter().any(|d| {
            d.text_offset + u64::from(d.text_len) > df_offset
                || d.features_offset + u64::from(d.features_len) > df_offset
        }) {
            return Err(corrupt(path, "文档正文超出范围"));
        }
        Ok(Self {
            path: path.to_owned(),
            docs: meta.docs,
            df_offset,
            df_count,
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

    /// The shingle document frequencies of this segment, as a stream sorted by hash.
    pub fn frequencies(&self) -> Result<FrequencyReader, Error> {
        let err = io_error(&self.path);
        let mut file = File::open(&self.path).map_err(&err)?;
        file.seek(SeekFrom::Start(self.df_offset)).map_err(&err)?;
        Ok(FrequencyReader {
            input: BufReader::new(file),
            left: self.df_count,
            path: self.path.clone(),
        })
    }
}

/// Streams the `(hash, count)` records of a segment.
pub struct FrequencyReader {
    input: BufReader<File>,
    left: u64,
    path: PathBuf,
}

impl Iterator for FrequencyReader {
    type Item = Result<(u64, u32), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let mut record = [0u8; DF_RECORD_LEN];
        Some(match self.input.read_exact(&mut record) {
            Ok(()) => {
                let (hash, count) = record.split_at(8);
                Ok((
                    u64::from_le_bytes(hash.try_into().unwrap_or_default()),
                    u32::from_le_bytes(count.try_into().unwrap_or_default()),
                ))
            }
            Err(source) => Err(Error::Io {
                path: self.path.clone(),
                source,
            }),
        })
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
            keys: vec![5, 9],
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
                features: Features::encode(&[(7, 0)], &Default::default(), &[]),
            },
            NewDoc {
                meta: meta("b"),
                text: "第二篇",
                features: vec![1, 2],
            },
        ];
        write(&path, docs, &[(3, 1), (7, 2)]).unwrap();
        let seg = Segment::open(&path).unwrap();
        assert_eq!(seg.docs.len(), 2);
        assert_eq!(seg.docs[1].keys, vec![5, 9]);
        assert_eq!(seg.read_text(0).unwrap(), "第一篇，正文");
        assert_eq!(seg.read_text(1).unwrap(), "第二篇");
        assert_eq!(seg.read_features(0).unwrap().sorted, vec![(7, 0)]);
        assert!(
            seg.read_features(1)
                .unwrap_err()
                .to_string()
                .contains("已损坏")
        );
        let df: Vec<(u64, u32)> = seg.frequencies().unwrap().map(Result::unwrap).collect();
        assert_eq!(df, vec![(3, 1), (7, 2)]);
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
            &[],
        )
        .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        let err = Segment::open(&path).unwrap_err();
        assert!(err.to_string().contains("已损坏"), "{err}");
    }
}
