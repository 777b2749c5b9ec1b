//! Merging segments without stopping the index.
//!
//! Every [`Index::add`] writes a segment, and a check looks up each posting key once per segment, so
//! segments must be merged as they accumulate. A merge has three steps, of which only the short first
//! and last need the index:
//! 1. [`Index::start_merge`] chooses the smallest segment files, as many as fit in one segment whose
//!    postings keep 16-bit ordinals, and reserves a name for the result;
//! 2. [`MergeJob::run`] (on any thread, while the index goes on answering checks and taking additions
//!    and deletions) copies the live documents' texts into the new segment and
//!    syncs it — nothing is re-analysed;
//! 3. [`Index::finish_merge`] replaces the merged segments by the new one in the manifest (one atomic
//!    rename), carries over deletions made meanwhile, and removes the old files.
//!
//! A crash before step 3 leaves the old manifest naming the old segments: the index reads as before,
//! and the half-written file is an ignored leftover.

use std::path::PathBuf;

use super::manifest::{SegmentEntry, sync_dir};
use super::postings::{Postings, SMALL_SEGMENT};
use super::segment::{MERGE_SYNC_EVERY, NewDoc, Segment, Writer};
use super::{Index, take_postings};
use crate::Error;

/// A merge planned by [`Index::start_merge`]; independent of the index, so it can run on another thread.
#[derive(Debug)]
pub struct MergeJob {
    dir: PathBuf,
    /// The file the merged segment is written to.
    file: String,
    /// The segments to merge, with their deleted ordinals at the start.
    inputs: Vec<SegmentEntry>,
}

/// A merged segment written and synced, waiting for [`Index::finish_merge`] to commit it.
#[derive(Debug)]
pub struct MergeOutcome {
    file: String,
    /// Per input segment (file name), its ordinals copied, in the order of the merged segment.
    kept: Vec<(String, Vec<u32>)>,
}

impl Index {
    /// Plans a merge of the smallest segments into one of at most [`SMALL_SEGMENT`] documents (so its
    /// postings keep 16-bit ordinals); `None` when there is nothing to gain (no two segments fit, and
    /// none has deleted documents to drop).
    pub fn start_merge(&mut self) -> Option<MergeJob> {
        let live = |i: usize| {
            self.segments[i].segment.docs.len() - self.manifest.segments[i].deleted.len()
        };
        let mut by_size: Vec<usize> = (0..self.segments.len()).collect();
        by_size.sort_by_key(|&i| live(i));
        let mut chosen = Vec::new();
        let mut total = 0;
        for i in by_size {
            if total + live(i) > SMALL_SEGMENT {
                break;
            }
            total += live(i);
            chosen.push(i);
        }
        let worth = chosen.len() > 1
            || chosen
                .iter()
                .any(|&i| !self.manifest.segments[i].deleted.is_empty());
        if !worth {
            return None;
        }
        chosen.sort_unstable();
        let inputs = chosen
            .iter()
            .map(|&i| self.manifest.segments[i].clone())
            .collect();
        // Reserved in memory only: the next commit stores the higher number, and a name reused after
        // a crash only overwrites a leftover.
        let file = self.manifest.new_segment_file();
        Some(MergeJob {
            dir: self.dir.clone(),
            file,
            inputs,
        })
    }

    /// Commits a merge: the manifest names the merged segment instead of its inputs. Documents deleted
    /// or replaced while the merge ran stay deleted. If another change removed one of the inputs
    /// meanwhile, the merge is discarded and the index is left as it is.
    pub fn finish_merge(&mut self, outcome: MergeOutcome) -> Result<(), Error> {
        let position = |file: &str| self.manifest.segments.iter().position(|s| s.file == file);
        let mut deleted = Vec::new();
        let mut first_new = 0u32;
        for (file, kept) in &outcome.kept {
            let Some(at) = position(file) else {
                let _ = std::fs::remove_file(self.dir.join(&outcome.file));
                return Err(Error::MergeOvertaken(format!(
                    "合并期间段文件 {} 已被另一次合并移除",
                    self.dir.join(file).display()
                )));
            };
            let now_deleted = &self.manifest.segments[at].deleted;
            for (new, old) in (first_new..).zip(kept) {
                if now_deleted.binary_search(old).is_ok() {
                    deleted.push(new);
                }
            }
            first_new += kept.len() as u32;
        }
        let mut manifest = self.manifest.clone();
        let first_input = outcome.kept.first().and_then(|(file, _)| position(file));
        manifest
            .segments
            .retain(|s| !outcome.kept.iter().any(|(file, _)| *file == s.file));
        let entry = SegmentEntry {
            file: outcome.file.clone(),
            deleted,
        };
        manifest
            .segments
            .insert(first_input.unwrap_or(0).min(manifest.segments.len()), entry);
        let mut merged = Segment::open(&self.dir.join(&outcome.file))?;
        manifest.store(&self.dir)?;

        // Committed: rebuild the numbering, keeping the postings of the segments not merged.
        let mut loaded: Vec<_> = std::mem::take(&mut self.segments)
            .into_iter()
            .map(Some)
            .collect();
        let mut tables = Some(take_postings(&mut merged));
        let mut merged = Some(merged);
        self.docs.clear();
        self.live.clear();
        self.by_id.clear();
        for entry in &manifest.segments {
            let old = loaded
                .iter_mut()
                .find(|s| {
                    s.as_ref()
                        .is_some_and(|s| s.segment.path.ends_with(&entry.file))
                })
                .and_then(Option::take);
            let (segment, (postings, lsh)) = match old {
                Some(s) => (s.segment, (s.postings, s.lsh)),
                None => match (merged.take(), tables.take()) {
                    (Some(m), Some(t)) => (m, t),
                    _ => continue,
                },
            };
            self.push_segment(segment, postings, lsh, &entry.deleted);
        }
        self.manifest = manifest;
        // Deleted documents no longer count towards the templates.
        self.refresh_templates();
        for (file, _) in &outcome.kept {
            // The manifest no longer names them; one left behind is only wasted space.
            let _ = std::fs::remove_file(self.dir.join(file));
        }
        sync_dir(&self.dir)
    }

    /// Merges the smallest segments into one on this thread: [`Index::start_merge`], [`MergeJob::run`]
    /// and [`Index::finish_merge`] in a row.
    pub fn merge(&mut self) -> Result<(), Error> {
        match self.start_merge() {
            Some(job) => {
                let outcome = job.run()?;
                self.finish_merge(outcome)
            }
            None => Ok(()),
        }
    }
}

impl MergeJob {
    /// Writes the merged segment. Reads only the input files, which nothing changes until the merge is
    /// committed.
    pub fn run(self) -> Result<MergeOutcome, Error> {
        let mut segments: Vec<Segment> = self
            .inputs
            .iter()
            .map(|entry| Segment::open(&self.dir.join(&entry.file)))
            .collect::<Result<_, _>>()?;
        let mut writer = Writer::create(&self.dir.join(&self.file), MERGE_SYNC_EVERY)?;
        let mut kept = Vec::with_capacity(segments.len());
        // `key << 32 | ordinal` in the merged segment, of every posting of a document kept.
        let mut pairs: Vec<u64> = Vec::new();
        for (segment, entry) in segments.iter_mut().zip(&self.inputs) {
            let first = kept
                .iter()
                .map(|(_, o): &(String, Vec<u32>)| o.len())
                .sum::<usize>();
            let mut ordinals = Vec::with_capacity(segment.docs.len());
            for (ordinal, meta) in (0u32..).zip(&segment.docs) {
                if entry.deleted.binary_search(&ordinal).is_ok() {
                    continue;
                }
                let text = segment.read_text(ordinal as usize)?;
                writer.push(NewDoc {
                    meta: meta.clone(),
                    text: &text,
                })?;
                ordinals.push(ordinal);
            }
            // Old ordinal to new, `None` for the documents left out.
            let mut renumbered: Vec<Option<u32>> = vec![None; segment.docs.len()];
            for (new, &old) in (first as u32..).zip(&ordinals) {
                renumbered[old as usize] = Some(new);
            }
            std::mem::take(&mut segment.postings).for_each(|key, ordinal| {
                if let Some(Some(new)) = renumbered.get(ordinal as usize) {
                    pairs.push((u64::from(key) << 32) | u64::from(*new));
                }
            });
            kept.push((entry.file.clone(), ordinals));
        }
        writer.finish(&Postings::from_unsorted_in_place(pairs))?;
        Ok(MergeOutcome {
            file: self.file,
            kept,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::tests::{doc, open, text};
    use crate::{DocId, Settings};

    fn seg_files(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".seg"))
            })
            .count()
    }

    #[test]
    fn checks_go_on_while_a_merge_runs_and_deletions_made_meanwhile_stick() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = open(dir.path());
        for i in 0..4u64 {
            // B0, deleted below, repeats A0: the only text two documents share.
            let b = text(if i == 0 { 100 } else { 200 + i }, 400);
            index
                .add(vec![
                    doc(&format!("A{i}"), "", text(100 + i, 400)),
                    doc(&format!("B{i}"), "", b),
                ])
                .unwrap();
        }
        index.delete(&DocId::parse("B0").unwrap()).unwrap();
        let strict = Settings {
            template_cap: 1,
            ..Settings::default()
        };
        // With a template cap of 1, what A0 shares with the deleted B0 is template text: a check of A0's
        // text finds nothing.
        let a0 = doc("Q", "", text(100, 400));
        let before = Index::open(dir.path(), strict.clone()).unwrap();
        assert!(before.check(&a0).unwrap().sources.is_empty());
        let job = index.start_merge().unwrap();
        let worker = std::thread::spawn(move || job.run());
        // The index answers while the merge runs, and still takes deletions and additions.
        let report = index.check(&doc("Q", "", text(102, 400))).unwrap();
        assert_eq!(report.sources[0].id, "A2");
        index.delete(&DocId::parse("A1").unwrap()).unwrap();
        index.add(vec![doc("C", "", text(300, 400))]).unwrap();
        index.finish_merge(worker.join().unwrap().unwrap()).unwrap();

        assert_eq!(index.segment_count(), 2);
        assert_eq!(seg_files(dir.path()), 2);
        let expected = vec!["A0", "A2", "A3", "B1", "B2", "B3", "C"];
        assert_eq!(index.ids(), expected);
        let reopened = open(dir.path());
        assert_eq!(reopened.ids(), expected);
        for index in [&index, &reopened] {
            assert!(
                index
                    .check(&doc("Q", "", text(101, 400)))
                    .unwrap()
                    .sources
                    .is_empty()
            );
            for (id, seed) in [("A3", 103), ("B2", 202), ("C", 300)] {
                let report = index.check(&doc("Q", "", text(seed, 400))).unwrap();
                assert_eq!(report.sources[0].id, id);
                assert_eq!(report.total_ratio, 1.0);
            }
        }
        // The merged segment leaves B0 out of the postings, hence of the templates: A0 is found again.
        let after = Index::open(dir.path(), strict).unwrap();
        assert_eq!(after.check(&a0).unwrap().total_ratio, 1.0);
    }

    #[test]
    fn crash_during_a_merge_leaves_the_index_readable() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = open(dir.path());
        index.add(vec![doc("A", "", text(400, 300))]).unwrap();
        index.add(vec![doc("B", "", text(401, 300))]).unwrap();
        let job = index.start_merge().unwrap();
        let target = dir.path().join(&job.file);
        // The process dies mid-merge: a partial temporary file and a partial segment under the
        // reserved name, the manifest not yet replaced.
        std::fs::write(target.with_extension("tmp"), b"SLSIMSG2 partial").unwrap();
        std::fs::write(&target, b"SLSIMSG2 half a segment").unwrap();
        drop(index);

        let mut reopened = open(dir.path());
        assert_eq!(reopened.ids(), vec!["A", "B"]);
        assert_eq!(reopened.segment_count(), 2);
        let report = reopened.check(&doc("Q", "", text(401, 300))).unwrap();
        assert_eq!(report.sources[0].id, "B");
        // The next merge overwrites the leftover and completes.
        reopened.merge().unwrap();
        assert_eq!(reopened.segment_count(), 1);
        assert_eq!(open(dir.path()).ids(), vec!["A", "B"]);
        assert_eq!(seg_files(dir.path()), 1);
    }

    #[test]
    fn nothing_to_merge_in_a_single_clean_segment() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = open(dir.path());
        assert!(index.start_merge().is_none());
        index.add(vec![doc("A", "", text(500, 300))]).unwrap();
        assert!(index.start_merge().is_none());
    }
}
