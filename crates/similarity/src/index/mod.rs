//! The persistent, incremental 查重 index kept in a directory.
//!
//! Each [`Index::add`] writes one immutable segment file and then atomically replaces the manifest;
//! deletions only touch the manifest; [`Index::merge`] rewrites the live documents into one segment.
//! A crash at any point leaves the last committed state readable.
//!
//! In memory: per document its segment metadata (id, owner, positions in the file, 128×u32 signature),
//! the LSH buckets, the winnowing postings (6 bytes each) and the template set. Texts and their stored
//! analyses ([`features`]) stay on disk; a check reads the features of its candidates and never
//! normalises or hashes their texts again.

mod features;
mod frequency;
mod manifest;
mod postings;
mod segment;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::align::align;
use crate::compare::{Similarity, compare_sections, section_ranges, section_sets};
use crate::document::{Analysis, DocId, Document};
use crate::minhash::{Lsh, Signature};
use crate::normalize::OffsetMap;
use crate::report::{Report, SourceFinding, Thresholds};
use crate::section::SectionRules;
use crate::winnow::{Fingerprint, posting_key};
use features::Features;
use frequency::Templates;
use manifest::{Manifest, SegmentEntry, sync_dir};
use postings::Postings;
use segment::{DocMeta, NewDoc, Segment};

/// Settings of an index (not stored: pass the same ones every time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// A 5-gram (or fingerprint) found in more indexed documents than this is template text and ignored.
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
    /// Posting keys to global document numbers.
    postings: Postings,
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
    lsh: Lsh,
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
            lsh: Lsh::new(),
            templates: Templates::default(),
        };
        for entry in &manifest.segments {
            let segment = Segment::open(&dir.join(&entry.file))?;
            index.push_segment(segment, &entry.deleted);
        }
        let all: Vec<&Segment> = index.segments.iter().map(|s| &s.segment).collect();
        index.templates = frequency::templates(&all, index.settings.template_cap)?;
        Ok(index)
    }

    fn push_segment(&mut self, mut segment: Segment, deleted: &[u32]) {
        let seg_no = self.segments.len() as u32;
        let first_doc = self.docs.len() as u32;
        let mut postings = Vec::new();
        for (ordinal, meta) in segment.docs.iter_mut().enumerate() {
            let doc = first_doc + ordinal as u32;
            let live = deleted.binary_search(&(ordinal as u32)).is_err();
            self.docs.push((seg_no, ordinal as u32));
            self.live.push(live);
            if live {
                self.by_id.insert(meta.id.clone(), doc);
            }
            if let Ok(sig) = <&Signature>::try_from(meta.signature.as_slice()) {
                self.lsh.insert(doc, sig);
            }
            postings.extend(meta.keys.iter().map(|&k| (k, doc)));
            // The keys live on in `postings`; a merge recomputes them from the text.
            meta.keys = Vec::new();
        }
        self.segments.push(LoadedSegment {
            segment,
            first_doc,
            postings: Postings::new(postings),
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

    fn read_features(&self, doc: u32) -> Result<Features, Error> {
        let (seg, ordinal) = self.docs[doc as usize];
        self.segments[seg as usize]
            .segment
            .read_features(ordinal as usize)
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
        let rules = &self.settings.sections;
        let prepared: Vec<Prepared> = docs
            .par_iter()
            .map(|d| Prepared::of(&d.text, rules))
            .collect();
        let local = frequency::count(prepared.iter().map(|p| p.shingles.as_slice()));
        let mut counts = local.clone();
        let existing: Vec<&Segment> = self.segments.iter().map(|s| &s.segment).collect();
        frequency::add_existing(&mut counts, &existing)?;

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
        let new_docs = docs
            .iter()
            .zip(prepared)
            .map(|(d, p)| NewDoc {
                meta: DocMeta {
                    id: d.id.to_string(),
                    owner: d.owner.clone(),
                    text_offset: 0,
                    text_len: 0,
                    normalized_len: p.normalized_len,
                    features_offset: 0,
                    features_len: 0,
                    signature: p.signature,
                    keys: p.keys,
                },
                text: &d.text,
                features: p.features,
            })
            .collect();
        let path = self.dir.join(&file);
        segment::write(&path, new_docs, &local)?;
        sync_dir(&self.dir)?;
        manifest.segments.push(SegmentEntry {
            file,
            deleted: superseded.clone(),
        });
        manifest.store(&self.dir)?;

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
        let segment = Segment::open(&path)?;
        self.push_segment(segment, &superseded);
        let cap = self.settings.template_cap;
        self.templates
            .extend(counts.iter().filter(|(_, n)| *n > cap).map(|(h, _)| *h));
        Ok(Added {
            added: docs.len() - superseded.len(),
            replaced,
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

    /// Rewrites all live documents into one segment, dropping deleted ones and their frequencies.
    pub fn merge(&mut self) -> Result<(), Error> {
        let mut docs = Vec::with_capacity(self.len());
        for (doc, _) in self.live.iter().enumerate().filter(|(_, live)| **live) {
            let meta = self.meta(doc as u32);
            docs.push(Document {
                id: DocId::parse(&meta.id)?,
                owner: meta.owner.clone(),
                text: self.read_text(doc as u32)?,
            });
        }
        let old: Vec<PathBuf> = self
            .segments
            .iter()
            .map(|s| s.segment.path.clone())
            .collect();
        let mut fresh = Self {
            dir: self.dir.clone(),
            settings: self.settings.clone(),
            manifest: Manifest {
                segments: Vec::new(),
                ..self.manifest.clone()
            },
            segments: Vec::new(),
            docs: Vec::new(),
            live: Vec::new(),
            by_id: HashMap::new(),
            lsh: Lsh::new(),
            templates: Templates::default(),
        };
        // `add` commits the manifest naming only the new segment.
        fresh.add(docs)?;
        *self = fresh;
        for path in old {
            // The manifest no longer names them; one left behind is only wasted space.
            let _ = std::fs::remove_file(path);
        }
        Ok(())
    }

    fn similarity(&self, a: &[u64], b: &[u64]) -> Similarity {
        Similarity::of(a, b, |h| self.templates.contains(&h))
    }

    /// Checks `doc` against the index without adding it. The indexed document with the same id, if
    /// any, is not compared (re-checking an indexed application does not find itself).
    pub fn check(&self, doc: &Document) -> Result<Report, Error> {
        self.check_among(doc, |_| true)
    }

    /// [`check`](Self::check) with sources only among the indexed documents whose id `allowed`
    /// accepts (e.g. those in the user's data scope): the others are never candidates.
    pub fn check_among(
        &self,
        doc: &Document,
        allowed: impl Fn(&str) -> bool + Sync,
    ) -> Result<Report, Error> {
        let query = Analysis::of(&doc.text);
        let cap = self.settings.template_cap as usize;
        let own = self.by_id.get(doc.id.as_str()).copied();
        let usable = |d: u32| self.live[d as usize] && Some(d) != own && allowed(&self.meta(d).id);

        // Stage 2 candidates: documents sharing fingerprints, template fingerprints left out.
        let mut shared = vec![0u32; self.docs.len()];
        let mut seeds: Vec<Fingerprint> = Vec::with_capacity(query.fingerprints.len());
        let mut keys: Vec<u32> = Vec::with_capacity(query.fingerprints.len());
        for f in &query.fingerprints {
            let key = posting_key(f.hash);
            let holders = self.segments.iter().map(|s| s.postings.get(key).len());
            if holders.sum::<usize>() <= cap {
                seeds.push(*f);
                keys.push(key);
            }
        }
        keys.sort_unstable();
        keys.dedup();
        for &key in &keys {
            for s in &self.segments {
                for &d in s.postings.get(key) {
                    if usable(d) {
                        shared[d as usize] += 1;
                    }
                }
            }
        }
        let mut ranked: Vec<(u32, u32)> = (0u32..).zip(shared).filter(|&(_, n)| n > 0).collect();
        ranked.sort_unstable_by_key(|&(d, n)| (std::cmp::Reverse(n), d));
        let mut candidates: Vec<u32> = ranked
            .into_iter()
            .take(self.settings.max_sources)
            .map(|(d, _)| d)
            .collect();
        // Stage 1 candidates: near duplicates by LSH.
        if let Some(sig) = &query.signature {
            candidates.extend(self.lsh.candidates(sig).into_iter().filter(|&d| usable(d)));
        }
        candidates.sort_unstable();
        candidates.dedup();
        seeds.sort_unstable_by_key(|f| (f.hash, f.position));

        let suspected = self.settings.thresholds.suspected;
        let sections = self.settings.sections.split(&doc.text);
        let section_sets_of_query =
            section_sets(&query.sorted, &section_ranges(&query.normalized, &sections));
        let ignore = |h| self.templates.contains(&h);
        let findings: Vec<Option<SourceFinding>> = candidates
            .par_iter()
            .map(|&d| {
                let source = self.read_features(d)?;
                let whole = self.similarity(&query.shingles, &source.shingles());
                let matches = align(&query.hashes, &seeds, &source.sorted, &source.hashes());
                if matches.is_empty() && whole.jaccard < suspected {
                    return Ok(None);
                }
                let source_sets = section_sets(&source.sorted, &source.sections);
                let meta = self.meta(d);
                Ok(Some(SourceFinding {
                    id: meta.id.clone(),
                    owner: meta.owner.clone(),
                    jaccard: whole.jaccard,
                    containment: whole.containment,
                    sections: compare_sections(&section_sets_of_query, &source_sets, ignore),
                    matches,
                    source: source.offsets,
                }))
            })
            .collect::<Result<_, Error>>()?;
        Ok(Report::build(
            &query.normalized,
            &sections,
            &doc.owner,
            findings.into_iter().flatten().collect(),
            &self.settings.thresholds,
        ))
    }

    /// Every pair of live documents whose Jaccard similarity (templates excluded) is at least
    /// `threshold`, the most similar first. Tuned for `threshold >= 0.5`; below that, pairs may be missed.
    pub fn scan(&self, threshold: f64) -> Result<Vec<Pair>, Error> {
        let pairs: Vec<(u32, u32)> = self
            .lsh
            .candidate_pairs()
            .into_iter()
            .filter(|&(a, b)| self.live[a as usize] && self.live[b as usize])
            .collect();
        let mut involved: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
        involved.sort_unstable();
        involved.dedup();
        let sets: HashMap<u32, Vec<u64>> = involved
            .par_iter()
            .map(|&d| Ok((d, self.read_features(d)?.shingles())))
            .collect::<Result<_, Error>>()?;
        let mut found: Vec<Pair> = pairs
            .par_iter()
            .filter_map(|&(a, b)| {
                let Similarity {
                    jaccard,
                    containment,
                } = self.similarity(&sets[&a], &sets[&b]);
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

/// What [`Index::add`] keeps of a document's analysis: what goes into the segment, and the shingles for
/// the template frequencies.
struct Prepared {
    shingles: Vec<u64>,
    signature: Vec<u32>,
    keys: Vec<u32>,
    normalized_len: u32,
    features: Vec<u8>,
}

impl Prepared {
    fn of(text: &str, rules: &SectionRules) -> Self {
        let a = Analysis::of(text);
        let sections = section_ranges(&a.normalized, &rules.split(text));
        Self {
            features: Features::encode(&a.sorted, &OffsetMap::of(&a.normalized), &sections),
            signature: a.signature.map(|s| s.to_vec()).unwrap_or_default(),
            keys: a.posting_keys(),
            normalized_len: a.normalized.len() as u32,
            shingles: a.shingles,
        }
    }
}

#[cfg(test)]
mod tests;
