//! The manifest: which segment files make up the index and which of their documents are deleted.
//!
//! It is replaced atomically (temporary file, fsync, rename, fsync of the directory), so after a crash
//! the directory holds either the old or the new manifest, never a torn one; segment files it does not
//! name are leftovers of an interrupted write and are ignored.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

pub const FILE_NAME: &str = "MANIFEST.json";
/// The next manifest, written and synced before it replaces the manifest.
const TMP_NAME: &str = "MANIFEST.json.tmp";
const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentEntry {
    pub file: String,
    /// Ordinals (within the segment) of deleted or replaced documents, sorted.
    pub deleted: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Number for the next segment file name, never reused.
    pub next_segment: u64,
    pub segments: Vec<SegmentEntry>,
}

impl Default for Manifest {
    fn default() -> Self {
        Self {
            format: FORMAT,
            next_segment: 1,
            segments: Vec::new(),
        }
    }
}

impl Manifest {
    /// Reads the manifest of `dir`; an empty manifest when there is none yet.
    pub fn load(dir: &Path) -> Result<Self, Error> {
        let path = dir.join(FILE_NAME);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => return Err(Error::Io { path, source }),
        };
        let manifest: Self = serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
            path: path.clone(),
            reason: format!("清单无法解析（{e}）"),
        })?;
        if manifest.format != FORMAT {
            return Err(Error::Corrupt {
                path,
                reason: format!("清单格式版本为{}，本程序只支持{FORMAT}", manifest.format),
            });
        }
        Ok(manifest)
    }

    /// Atomically replaces the manifest of `dir` with `self`.
    pub fn store(&self, dir: &Path) -> Result<(), Error> {
        self.stage(dir)?;
        Self::commit_staged(dir)
    }

    /// Writes `self` to the temporary file beside the manifest and syncs it, without replacing the
    /// manifest: [`Manifest::commit_staged`] does that. An add stages its manifest while it analyses
    /// and writes its segment, so that its commit waits for one rename and one sync of the directory.
    pub fn stage(&self, dir: &Path) -> Result<(), Error> {
        let tmp = dir.join(TMP_NAME);
        let err = |source| Error::Io {
            path: tmp.clone(),
            source,
        };
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::Corrupt {
            path: tmp.clone(),
            reason: e.to_string(),
        })?;
        let mut file = File::create(&tmp).map_err(err)?;
        file.write_all(&bytes).map_err(err)?;
        file.sync_all().map_err(err)
    }

    /// Replaces the manifest of `dir` with the one [`Manifest::stage`] wrote, durably.
    pub fn commit_staged(dir: &Path) -> Result<(), Error> {
        let path = dir.join(FILE_NAME);
        std::fs::rename(dir.join(TMP_NAME), &path).map_err(|source| Error::Io { path, source })?;
        sync_dir(dir)
    }

    /// Name of a new segment file, reserving its number.
    pub fn new_segment_file(&mut self) -> String {
        let name = format!("seg-{:06}.seg", self.next_segment);
        self.next_segment += 1;
        name
    }
}

/// Makes renames and new files in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), Error> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_and_load() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), Manifest::default());
        let mut m = Manifest::default();
        let file = m.new_segment_file();
        assert_eq!(file, "seg-000001.seg");
        m.segments.push(SegmentEntry {
            file,
            deleted: vec![2],
        });
        m.store(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), m);
        assert!(!dir.path().join("MANIFEST.json.tmp").exists());
    }

    #[test]
    fn torn_manifest_is_an_error_not_an_empty_index() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "{\"format\":1,\"next_seg").unwrap();
        assert!(
            Manifest::load(dir.path())
                .unwrap_err()
                .to_string()
                .contains("清单无法解析")
        );
    }
}
