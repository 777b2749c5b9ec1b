//! The on-disk `similarity::Index` under `data_dir/similarity/`, a cache derived from the library in
//! the database.
//!
//! The database is the record (backups hold the library); before every use the index is brought in
//! step with it by comparing id sets ([`rules::index_key`] carries each text's hash, so a replaced
//! text is seen too): documents the database no longer has are deleted, missing ones are added from
//! their stored text, and an index that cannot be opened or fails in use is thrown away and rebuilt.
//! So the index is only ever written after the database transaction commits, and a failed index
//! write is repaired by the next use. One index per application process, used by one request at a
//! time; two processes must not share a data directory.

use std::collections::HashSet;
use std::path::PathBuf;

use sea_orm::DatabaseConnection;
use similarity::{DocId, Document, Index, Settings};
use tokio::sync::Mutex;

use super::rules;
use super::store;
use crate::web::error::AppError;

/// Documents loaded from the database and added to the index at a time, while rebuilding.
const BATCH: usize = 500;

/// More segment files than this are merged into one after a sync.
const MAX_SEGMENTS: usize = 32;

/// The application's index, opened on first use.
#[derive(Default)]
pub struct Cache {
    slot: Mutex<Option<Index>>,
}

impl Cache {
    /// Brings the index in step with the database, then runs `f` on it (on a blocking thread: the
    /// engine reads files and uses every core). If the index fails, its files are thrown away and
    /// it is rebuilt from the database once before the error is reported.
    pub async fn with_index<R: Send + 'static>(
        &self,
        db: &DatabaseConnection,
        data_dir: &std::path::Path,
        f: impl FnOnce(&mut Index) -> Result<R, similarity::Error> + Clone + Send + 'static,
    ) -> Result<R, AppError> {
        let dir = data_dir.join("similarity");
        let mut slot = self.slot.lock().await;
        match sync_and_run(&mut slot, db, &dir, false, f.clone()).await {
            Err(Failure::Index(e)) => {
                tracing::warn!(error = %e, dir = %dir.display(), "查重索引出错，从数据库重建");
                sync_and_run(&mut slot, db, &dir, true, f)
                    .await
                    .map_err(Failure::into_app)
            }
            other => other.map_err(Failure::into_app),
        }
    }
}

/// Why a use of the index failed: the database (reported as is) or the index (worth a rebuild).
enum Failure {
    Db(AppError),
    Index(AppError),
}

impl Failure {
    fn into_app(self) -> AppError {
        match self {
            Failure::Db(e) | Failure::Index(e) => e,
        }
    }
}

impl From<sea_orm::DbErr> for Failure {
    fn from(e: sea_orm::DbErr) -> Self {
        Failure::Db(e.into())
    }
}

/// One use: open (or, with `fresh`, rebuild from nothing), sync, run `f`. The index is taken out of
/// the slot while blocking tasks use it and put back only when all went well, so a failed use leaves
/// the slot empty and the next one reopens the directory.
async fn sync_and_run<R: Send + 'static>(
    slot: &mut Option<Index>,
    db: &DatabaseConnection,
    dir: &std::path::Path,
    fresh: bool,
    f: impl FnOnce(&mut Index) -> Result<R, similarity::Error> + Send + 'static,
) -> Result<R, Failure> {
    let index = if fresh { None } else { slot.take() };
    let expected: HashSet<String> = store::all_keys(db)
        .await?
        .into_iter()
        .map(|(id, sha)| rules::index_key(id, &sha))
        .collect();
    let owned_dir = dir.to_owned();
    let (mut index, missing) = blocking(move || {
        let mut index = match index {
            Some(index) => index,
            None if fresh => rebuild(&owned_dir)?,
            None => open_or_rebuild(&owned_dir)?,
        };
        let stale: Vec<String> = index
            .ids()
            .into_iter()
            .filter(|k| !expected.contains(*k))
            .map(str::to_owned)
            .collect();
        for key in stale {
            index.delete(&DocId::parse(&key)?)?;
        }
        let present: HashSet<&str> = index.ids().into_iter().collect();
        let missing: Vec<i64> = expected
            .iter()
            .filter(|k| !present.contains(k.as_str()))
            .filter_map(|k| rules::id_of_key(k))
            .collect();
        Ok((index, missing))
    })
    .await?;
    for ids in missing.chunks(BATCH) {
        let docs = store::by_ids(db, ids)
            .await?
            .into_iter()
            .map(|d| {
                Ok(Document {
                    id: DocId::parse(&rules::index_key(d.id, &d.content_sha256))?,
                    owner: d.owner,
                    text: d.content,
                })
            })
            .collect::<Result<Vec<_>, similarity::Error>>()
            .map_err(|e| Failure::Index(AppError::internal(e)))?;
        index = blocking(move || {
            index.add(docs)?;
            Ok(index)
        })
        .await?;
    }
    let (index, result) = blocking(move || {
        if index.segment_count() > MAX_SEGMENTS {
            index.merge()?;
        }
        let result = f(&mut index)?;
        Ok((index, result))
    })
    .await?;
    *slot = Some(index);
    Ok(result)
}

/// Opens the index, or — when its files cannot be read — starts again from nothing.
fn open_or_rebuild(dir: &std::path::Path) -> Result<Index, similarity::Error> {
    Index::open(dir, Settings::default()).or_else(|e| {
        tracing::warn!(error = %e, dir = %dir.display(), "查重索引无法打开，从数据库重建");
        rebuild(dir)
    })
}

/// An empty index in place of whatever `dir` held; the sync then fills it from the database.
fn rebuild(dir: &std::path::Path) -> Result<Index, similarity::Error> {
    if let Err(source) = std::fs::remove_dir_all(dir)
        && source.kind() != std::io::ErrorKind::NotFound
    {
        return Err(similarity::Error::Io {
            path: PathBuf::from(dir),
            source,
        });
    }
    Index::open(dir, Settings::default())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, similarity::Error> + Send + 'static,
) -> Result<T, Failure> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Failure::Index(AppError::internal(e))),
        // A panic in the engine: the index it held is gone; rebuilding is the way back.
        Err(e) => Err(Failure::Index(AppError::internal(e))),
    }
}
