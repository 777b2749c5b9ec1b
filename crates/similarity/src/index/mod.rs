//! The persistent, incremental 查重 index kept in a directory.
//!
//! Each [`Index::add`] writes one immutable segment file and then atomically replaces the manifest;
//! deletions only touch the manifest; a [merge](merge) copies the live documents of several segments
//! into one, on another thread while the index keeps answering checks. A crash at any point leaves the
//! last committed state readable.
//!
//! In memory, per segment: each document's metadata (id, owner, positions in the file), the LSH buckets
//! (12 bytes per document and band) and the winnowing postings (4 bytes each in a segment of at most
//! 65,536 documents), all by ordinal in the segment; and the [template](templates) keys, computed from
//! the postings. Texts and signatures stay on disk; a check reads the text of each candidate it
//! aligns and recomputes from it the keys of its 5-grams, its offset map and its sections
//! ([`features`]).

mod check;
mod features;
mod manifest;
pub mod merge;
mod postings;
mod segment;
mod templates;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::compare::{Similarity, without};
use crate::document::{Digest, DocId, Document};
use crate::minhash::{Lsh, Signature};
use crate::report::Thresholds;
use crate::section::{SectionRules, Splitter};
use crate::shingle::{distinct_of_sorted, sorted_keys};
use crate::winnow::{covered_by, posting_key};
use features::Features;
use manifest::{Manifest, SegmentEntry};
use postings::{Postings, TASKS, task_of};
use segment::{ADD_SYNC_EVERY, DocMeta, NewDoc, Segment, Writer};
use templates::Templates;

/// `(key, position)` of the 5-grams of a text, sorted.
type Positioned = Vec<(u32, u32)>;

/// A segment just written: its documents' metadata, its postings and LSH tables, and the template keys
/// of the index with it.
type Written = (Vec<DocMeta>, Postings, Lsh, Templates);

/// What one thread keeps of the documents it analysed for a new segment: its postings
/// (`key << 32 | ordinal`, by [`task_of`] their key) and the signatures by ordinal.
type ThreadPart = (Vec<Vec<u64>>, Vec<(u32, Signature)>);

/// Settings of an index (not stored: pass the same ones every time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// A fingerprint found in more indexed documents than this is template text and ignored, with the
    /// 5-grams of the windows that choose it.
    pub template_cap: u32,
    /// Most sources aligned in one check, those sharing the most fingerprints first.
    pub max_sources: usize,
    pub thresholds: Thresholds,
    pub sections: SectionRules,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            template_cap: 100,
            max_sources: 50,
            thresholds: Thresholds::default(),
            sections: SectionRules::default(),
        }
    }
}

/// A pair of indexed documents at or above the near-duplicate threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    /// 5-gram Jaccard similarity, templates excluded.
    pub jaccard: f64,
    /// Share of the smaller document's 5-grams found in the other, templates excluded.
    pub containment: f64,
}

impl Pair {
    /// The pair as one line of JSON: `{"a":…,"b":…,"jaccard":…,"containment":…}`.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What [`Index::add`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Added {
    pub added: usize,
    /// Of those, documents whose id was already indexed (the old version is replaced).
    pub replaced: usize,
}

#[derive(Debug)]
struct LoadedSegment {
    segment: Segment,
    /// Global document number of ordinal 0 of this segment.
    first_doc: u32,
    /// Posting keys to ordinals in this segment (so that a merge elsewhere only moves `first_doc`).
    postings: Postings,
    /// LSH buckets of this segment's signatures, by ordinal too.
    lsh: Lsh,
}

/// An open index directory.
#[derive(Debug)]
pub struct Index {
    dir: PathBuf,
    settings: Settings,
    manifest: Manifest,
    segments: Vec<LoadedSegment>,
    /// Per global document number: (segment, ordinal).
    docs: Vec<(u32, u32)>,
    live: Vec<bool>,
    by_id: HashMap<String, u32>,
    templates: Templates,
}

impl Index {
    /// Opens the index in `dir`, creating an empty one if the directory has none.
    pub fn open(dir: &Path, settings: Settings) -> Result<Self, Error> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        let manifest = Manifest::load(dir)?;
        let mut index = Self {
            dir: dir.to_owned(),
            settings,
            manifest: manifest.clone(),
            segments: Vec::new(),
            docs: Vec::new(),
            live: Vec::new(),
            by_id: HashMap::new(),
            templates: Templates::default(),
        };
        for entry in &manifest.segments {
            let mut segment = Segment::open(&dir.join(&entry.file))?;
            let (postings, lsh) = take_postings(&mut segment);
            index.push_segment(segment, postings, lsh, &entry.deleted);
        }
        index.refresh_templates();
        Ok(index)
    }

    /// Recomputes the template keys from the postings of every segment.
    fn refresh_templates(&mut self) {
        let postings: Vec<&Postings> = self.segments.iter().map(|s| &s.postings).collect();
        self.templates = templates::of_postings(&postings, self.settings.template_cap);
    }

    /// Which 5-grams of a text (given their keys in text order) are template text.
    fn template_positions(&self, keys: &[u32]) -> Vec<bool> {
        if self.templates.len() == 0 {
            return Vec::new();
        }
        covered_by(keys, |k| self.templates.contains(k))
    }

    /// A text's `(key, position)` list sorted by key, and the same without template text.
    fn sorted_and_kept(&self, keys: &[u32]) -> (Positioned, Positioned) {
        let sorted = sorted_keys(keys);
        let kept = without(&sorted, &self.template_positions(keys));
        (sorted, kept)
    }

    /// Appends a segment to the in-memory state: numbers its documents, marks the `deleted` ordinals,
    /// and files the live ones under their ids.
    fn push_segment(&mut self, segment: Segment, postings: Postings, lsh: Lsh, deleted: &[u32]) {
        let seg_no = self.segments.len() as u32;
        let first_doc = self.docs.len() as u32;
        for (ordinal, meta) in segment.docs.iter().enumerate() {
            let doc = first_doc + ordinal as u32;
            let live = deleted.binary_search(&(ordinal as u32)).is_err();
            self.docs.push((seg_no, ordinal as u32));
            self.live.push(live);
            if live {
                self.by_id.insert(meta.id.clone(), doc);
            }
        }
        self.segments.push(LoadedSegment {
            segment,
            first_doc,
            postings,
            lsh,
        });
    }

    /// Number of live documents.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Ids of the live documents, sorted.
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.by_id.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    /// The original text of the live document `id` (to show a source's passages side by side).
    pub fn text(&self, id: &str) -> Result<String, Error> {
        let doc = *self
            .by_id
            .get(id)
            .ok_or_else(|| Error::NotFound(id.to_owned()))?;
        self.read_text(doc)
    }

    /// Number of segment files.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    fn meta(&self, doc: u32) -> &DocMeta {
        let (seg, ordinal) = self.docs[doc as usize];
        &self.segments[seg as usize].segment.docs[ordinal as usize]
    }

    fn read_text(&self, doc: u32) -> Result<String, Error> {
        let (seg, ordinal) = self.docs[doc as usize];
        self.segments[seg as usize]
            .segment
            .read_text(ordinal as usize)
    }

    fn read_features(&self, doc: u32, splitter: &Splitter<'_>) -> Result<Features, Error> {
        let (seg, ordinal) = self.docs[doc as usize];
        self.segments[seg as usize]
            .segment
            .read_features(ordinal as usize, splitter)
    }

    fn read_keys(&self, doc: u32) -> Result<Vec<u32>, Error> {
        let (seg, ordinal) = self.docs[doc as usize];
        self.segments[seg as usize]
            .segment
            .read_keys(ordinal as usize)
    }

    /// Adds documents as one new segment. A document whose id is already indexed (or repeated later in
    /// `docs`) replaces the earlier version.
    pub fn add(&mut self, docs: Vec<Document>) -> Result<Added, Error> {
        if docs.is_empty() {
            return Ok(Added {
                added: 0,
                replaced: 0,
            });
        }

        let mut manifest = self.manifest.clone();
        let file = manifest.new_segment_file();
        let mut replaced = 0;
        let mut last_in_batch: HashMap<&str, usize> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            if last_in_batch.insert(d.id.as_str(), i).is_none()
                && self.by_id.contains_key(d.id.as_str())
            {
                replaced += 1;
            }
        }
        for &doc in last_in_batch.keys().filter_map(|id| self.by_id.get(*id)) {
            let (seg, ordinal) = self.docs[doc as usize];
            let deleted = &mut manifest.segments[seg as usize].deleted;
            deleted.push(ordinal);
            deleted.sort_unstable();
        }
        let superseded: Vec<u32> = (0..docs.len())
            .filter(|&i| last_in_batch.get(docs[i].id.as_str()) != Some(&i))
            .map(|i| i as u32)
            .collect();
        let path = self.dir.join(&file);
        manifest.segments.push(SegmentEntry {
            file,
            deleted: superseded.clone(),
        });
        // The new manifest is written and synced beside the current one while the segment is
        // analysed and written; it replaces the current one only once the segment is synced.
        let (written, staged) = std::thread::scope(|scope| {
            let staged = scope.spawn(|| manifest.stage(&self.dir));
            let written = self.write_segment(&path, &docs);
            (written, staged.join())
        });
        let (mut metas, postings, lsh, templates) = written?;
        staged.map_err(|_| Error::Io {
            path: self.dir.clone(),
            source: std::io::Error::other("写入清单的线程异常退出"),
        })??;
        Manifest::commit_staged(&self.dir)?;

        // Committed: bring the in-memory state in line.
        for (seg, entry) in manifest
            .segments
            .iter()
            .enumerate()
            .take(self.segments.len())
        {
            let first = self.segments[seg].first_doc;
            for &ordinal in &entry.deleted {
                self.kill(first + ordinal);
            }
        }
        self.manifest = manifest;
        for meta in &mut metas {
            // Held by the LSH tables now.
            meta.signature = Vec::new();
        }
        self.push_segment(Segment::written(&path, metas), postings, lsh, &superseded);
        self.templates = templates;
        Ok(Added {
            added: docs.len() - superseded.len(),
            replaced,
        })
    }

    /// Analyses `docs` and writes them as the segment `path`, synced; returns its metadata, its
    /// postings and LSH tables, and the template keys of the index once the segment is in it.
    ///
    /// Writing overlaps analysing: each thread of the pool takes the next document to analyse, keeps its
    /// postings and signature, and hands the rest to a writer thread, which writes the documents in
    /// order (holding back the few analysed ahead of their turn) and syncs the file every few megabytes,
    /// so that the final sync waits for little. No thread waits for another between documents. Each
    /// thread gathers its postings by range of keys as it goes; the ranges are then sorted in
    /// parallel and written last, and the LSH tables and templates are built while they are synced.
    fn write_segment(&self, path: &Path, docs: &[Document]) -> Result<Written, Error> {
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            // Bounded: when the disk is slower than the analysis, the analysis waits. But not by the
            // few documents analysed during one sync (tens of milliseconds on some disks): the
            // analysis would stop at every sync. What waits here is small (the text stays in `docs`).
            let (send, receive) = std::sync::mpsc::sync_channel::<(usize, Prepared)>(WAITING);
            let writer = scope.spawn(move || {
                let mut writer = Writer::create(path, ADD_SYNC_EVERY)?;
                let mut ahead: HashMap<usize, Prepared> = HashMap::new();
                let mut turn = 0;
                for (i, p) in receive {
                    ahead.insert(i, p);
                    while let Some(p) = ahead.remove(&turn) {
                        let d = &docs[turn];
                        writer.push(NewDoc {
                            meta: DocMeta {
                                id: d.id.to_string(),
                                owner: d.owner.clone(),
                                text_offset: 0,
                                text_len: 0,
                                normalized_len: p.normalized_len,
                                signature: p.signature,
                            },
                            text: &d.text,
                        })?;
                        turn += 1;
                    }
                }
                writer.sync()?;
                Ok::<_, Error>(writer)
            });
            let parts: Vec<ThreadPart> = rayon::broadcast(|_| {
                let (mut pieces, mut signatures) = (vec![Vec::new(); TASKS], Vec::new());
                loop {
                    let ordinal = next.fetch_add(1, Ordering::Relaxed);
                    let Some(d) = docs.get(ordinal) else { break };
                    let mut p = Prepared::of(&d.text);
                    // With repeats: building the postings sorts them and drops repeats.
                    for k in std::mem::take(&mut p.keys) {
                        pieces[task_of(k)].push((u64::from(k) << 32) | ordinal as u64);
                    }
                    if let Ok(sig) = Signature::try_from(p.signature.as_slice()) {
                        signatures.push((ordinal as u32, sig));
                    }
                    if send.send((ordinal, p)).is_err() {
                        // The writer failed: its error is returned below.
                        break;
                    }
                }
                (pieces, signatures)
            });
            drop(send);
            let (pieces, signatures): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
            let postings = Postings::from_pieces(pieces);
            let writer = writer.join().map_err(|_| thread_failed(path))??;
            let (metas, lsh, templates) = std::thread::scope(|inner| {
                let finishing = inner.spawn(|| writer.finish(&postings));
                let lsh = Lsh::build(signatures.iter().flatten().map(|(o, s)| (*o, s)));
                let mut all: Vec<&Postings> = self.segments.iter().map(|s| &s.postings).collect();
                all.push(&postings);
                let templates = templates::of_postings(&all, self.settings.template_cap);
                (finishing.join(), lsh, templates)
            });
            let metas = metas.map_err(|_| thread_failed(path))??;
            Ok((metas, postings, lsh, templates))
        })
    }

    fn kill(&mut self, doc: u32) {
        if std::mem::replace(&mut self.live[doc as usize], false) {
            let id = self.meta(doc).id.clone();
            if self.by_id.get(&id) == Some(&doc) {
                self.by_id.remove(&id);
            }
        }
    }

    /// Deletes the document with this id.
    pub fn delete(&mut self, id: &DocId) -> Result<(), Error> {
        let doc = *self
            .by_id
            .get(id.as_str())
            .ok_or_else(|| Error::NotFound(id.to_string()))?;
        let (seg, ordinal) = self.docs[doc as usize];
        let mut manifest = self.manifest.clone();
        let deleted = &mut manifest.segments[seg as usize].deleted;
        deleted.push(ordinal);
        deleted.sort_unstable();
        manifest.store(&self.dir)?;
        self.manifest = manifest;
        self.kill(doc);
        Ok(())
    }

    /// Every pair of live documents whose Jaccard similarity (templates excluded) is at least
    /// `threshold`, the most similar first. Tuned for `threshold >= 0.5`; below that, pairs may be missed.
    pub fn scan(&self, threshold: f64) -> Result<Vec<Pair>, Error> {
        let parts: Vec<(u32, &Lsh)> = self
            .segments
            .iter()
            .map(|s| (s.first_doc, &s.lsh))
            .collect();
        let pairs: Vec<(u32, u32)> = Lsh::candidate_pairs(&parts)
            .into_iter()
            .filter(|&(a, b)| self.live[a as usize] && self.live[b as usize])
            .collect();
        let mut involved: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
        involved.sort_unstable();
        involved.dedup();
        let sets: HashMap<u32, Vec<u32>> = involved
            .par_iter()
            .map(|&d| {
                let (_, kept) = self.sorted_and_kept(&self.read_keys(d)?);
                Ok((d, distinct_of_sorted(&kept)))
            })
            .collect::<Result<_, Error>>()?;
        let mut found: Vec<Pair> = pairs
            .par_iter()
            .filter_map(|&(a, b)| {
                let Similarity {
                    jaccard,
                    containment,
                } = Similarity::of(&sets[&a], &sets[&b], |_| false);
                (jaccard >= threshold).then(|| {
                    let (x, y) = (self.meta(a).id.clone(), self.meta(b).id.clone());
                    let (a, b) = if x <= y { (x, y) } else { (y, x) };
                    Pair {
                        a,
                        b,
                        jaccard,
                        containment,
                    }
                })
            })
            .collect();
        found.sort_by(|p, q| {
            q.jaccard
                .total_cmp(&p.jaccard)
                .then_with(|| (&p.a, &p.b).cmp(&(&q.a, &q.b)))
        });
        Ok(found)
    }
}

/// Analysed documents waiting for the writer of a new segment, at most.
const WAITING: usize = 256;

/// What [`Index::add`] keeps of a document's analysis: what goes into the segment.
struct Prepared {
    signature: Vec<u32>,
    keys: Vec<u32>,
    normalized_len: u32,
}

impl Prepared {
    fn of(text: &str) -> Self {
        let a = Digest::of(text);
        Self {
            signature: a.signature.map(|s| s.to_vec()).unwrap_or_default(),
            keys: a.fingerprints.iter().map(|f| posting_key(f.hash)).collect(),
            normalized_len: a.normalized.len() as u32,
        }
    }
}

/// The error of a thread writing `path` that panicked.
fn thread_failed(path: &Path) -> Error {
    Error::Io {
        path: path.to_owned(),
        source: std::io::Error::other("写入线程异常退出"),
    }
}

/// The postings and LSH buckets of a freshly opened segment, taken from it: the postings as read, the
/// LSH buckets from the signatures in its metadata, which are then dropped from it (a merge reads them
/// from the file again).
fn take_postings(segment: &mut Segment) -> (Postings, Lsh) {
    let lsh = Lsh::build((0u32..).zip(&segment.docs).filter_map(|(ordinal, meta)| {
        Some((
            ordinal,
            <&Signature>::try_from(meta.signature.as_slice()).ok()?,
        ))
    }));
    for meta in &mut segment.docs {
        meta.signature = Vec::new();
    }
    (std::mem::take(&mut segment.postings), lsh)
}

#[cfg(test)]
mod tests;
