//! Checking one document against the index (see [`Index::check`]).
//!
//! The time goes to two places, both kept proportional to the work that can find something:
//! - candidate selection: each distinct posting key of the query is looked up once per segment, in key
//!   order (so the look-ups walk the postings forwards instead of jumping about memory);
//! - the candidates: each one's text is read once, the keys of its 5-grams, its offset map and its
//!   sections recomputed from it (normalise, hash, split) and the keys sorted by a radix sort, template
//!   text is found from the candidate's own fingerprints (a few thousand look-ups in the small set of
//!   template keys, not one per 5-gram in a set of every frequent 5-gram) and removed once, and the
//!   similarities are branch-free merges of sorted lists.

use rayon::prelude::*;

use super::Index;
use super::postings::Holders;
use crate::Error;
use crate::align::align;
use crate::compare::{Similarity, compare_sections, section_ranges, section_sets};
use crate::document::{Digest, Document};
use crate::report::{Report, SourceFinding};
use crate::shingle::distinct_of_sorted;
use crate::winnow::{Fingerprint, posting_key};

impl Index {
    /// Checks `doc` against the index without adding it. The indexed document with the same id, if
    /// any, is not compared (re-checking an indexed application does not find itself).
    pub fn check(&self, doc: &Document) -> Result<Report, Error> {
        self.check_among(doc, |_| true)
    }

    /// [`check`](Self::check) with sources only among the indexed documents whose id `allowed`
    /// accepts (e.g. those in the user's data scope): the others are never candidates, so they
    /// take no place among the sources either.
    pub fn check_among(
        &self,
        doc: &Document,
        allowed: impl Fn(&str) -> bool + Sync,
    ) -> Result<Report, Error> {
        let query = Digest::of(&doc.text);
        let query_keys = query.keys();
        let own = self.by_id.get(doc.id.as_str()).copied();
        let usable = |d: u32| self.live[d as usize] && Some(d) != own && allowed(&self.meta(d).id);

        let (seeds, mut candidates) = self.shared_fingerprints(&query.fingerprints, usable);
        // Stage 1 candidates: near duplicates by LSH.
        if let Some(sig) = &query.signature {
            for s in &self.segments {
                let found = s.lsh.candidates(sig).into_iter().map(|o| s.first_doc + o);
                candidates.extend(found.filter(|&d| usable(d)));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();

        let suspected = self.settings.thresholds.suspected;
        let splitter = self.settings.sections.splitter();
        let sections = splitter.split_normalized(&query.normalized);
        let (_, query_kept) = self.sorted_and_kept(&query_keys);
        let query_set = distinct_of_sorted(&query_kept);
        let query_sections =
            section_sets(&query_kept, &section_ranges(&query.normalized, &sections));
        let findings: Vec<Option<SourceFinding>> = candidates
            .par_iter()
            .map(|&d| {
                let source = self.read_features(d, &splitter)?;
                let (source_sorted, source_kept) = self.sorted_and_kept(&source.keys);
                let whole =
                    Similarity::of(&query_set, &distinct_of_sorted(&source_kept), |_| false);
                let matches = align(&query_keys, &seeds, &source_sorted, &source.keys);
                if matches.is_empty() && whole.jaccard < suspected {
                    return Ok(None);
                }
                let source_sections = section_sets(&source_kept, &source.sections);
                let meta = self.meta(d);
                Ok(Some(SourceFinding {
                    id: meta.id.clone(),
                    owner: meta.owner.clone(),
                    jaccard: whole.jaccard,
                    containment: whole.containment,
                    sections: compare_sections(&query_sections, &source_sections, |_| false),
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

    /// Stage 2 candidates: the usable documents sharing the most fingerprints with the query (at most
    /// `max_sources`), and the fingerprints to align with as `(key, position)`, sorted, template
    /// fingerprints — held by more than `template_cap` documents — left out of both.
    fn shared_fingerprints(
        &self,
        fingerprints: &[Fingerprint],
        usable: impl Fn(u32) -> bool,
    ) -> (Vec<(u32, u32)>, Vec<u32>) {
        let cap = self.settings.template_cap as usize;
        let mut keys: Vec<u32> = fingerprints.iter().map(|f| posting_key(f.hash)).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut shared = vec![0u32; self.docs.len()];
        let mut common: Vec<u32> = Vec::new();
        let mut lists: Vec<(u32, Holders)> = Vec::with_capacity(self.segments.len());
        for &key in &keys {
            if self.templates.contains(key) {
                common.push(key);
                continue;
            }
            lists.clear();
            lists.extend(
                self.segments
                    .iter()
                    .map(|s| (s.first_doc, s.postings.get(key))),
            );
            if lists.iter().map(|(_, l)| l.len()).sum::<usize>() > cap {
                common.push(key);
                continue;
            }
            for (first, list) in &lists {
                for ordinal in list.iter() {
                    let d = first + ordinal;
                    if usable(d) {
                        shared[d as usize] += 1;
                    }
                }
            }
        }
        let mut ranked: Vec<(u32, u32)> = (0u32..).zip(shared).filter(|&(_, n)| n > 0).collect();
        ranked.sort_unstable_by_key(|&(d, n)| (std::cmp::Reverse(n), d));
        let candidates = ranked
            .into_iter()
            .take(self.settings.max_sources)
            .map(|(d, _)| d)
            .collect();
        let mut seeds: Vec<(u32, u32)> = fingerprints
            .iter()
            .map(|f| (posting_key(f.hash), f.position))
            .filter(|(k, _)| common.binary_search(k).is_err())
            .collect();
        seeds.sort_unstable();
        (seeds, candidates)
    }
}
