use super::*;

/// Pseudo-random Chinese text (distinct 5-grams), the same for the same seed.
pub(super) fn text(seed: u64, len: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let c = char::from_u32(0x4E00 + (x % 3000) as u32).unwrap_or('中');
            if i % 20 == 19 { '，' } else { c }
        })
        .collect()
}

pub(super) fn doc(id: &str, owner: &str, text: String) -> Document {
    Document {
        id: DocId::parse(id).unwrap(),
        owner: owner.into(),
        text,
    }
}

pub(super) fn open(dir: &Path) -> Index {
    Index::open(dir, Settings::default()).unwrap()
}

#[test]
fn add_reopen_and_check_finds_the_copied_passage() {
    let dir = tempfile::tempdir().unwrap();
    let source = text(1, 600);
    {
        let mut index = open(dir.path());
        let added = index
            .add(vec![
                doc("A", "单位甲", source.clone()),
                doc("B", "单位乙", text(2, 600)),
            ])
            .unwrap();
        assert_eq!(
            added,
            Added {
                added: 2,
                replaced: 0
            }
        );
    }
    let index = open(dir.path());
    assert_eq!(index.ids(), vec!["A", "B"]);
    let copied: String = source.chars().skip(100).take(200).collect();
    let query = format!("{}{}{}", text(3, 300), copied, text(4, 300));
    let report = index.check(&doc("Q", "单位丙", query)).unwrap();
    assert_eq!(report.sources.len(), 1);
    let s = &report.sources[0];
    assert_eq!(s.id, "A");
    assert_eq!(s.passages.len(), 1);
    let p = s.passages[0];
    assert_eq!(
        (p.start, p.end, p.source_start, p.source_end),
        (300, 499, 100, 299)
    );
    // The copied run ends on a comma, which is not counted; 200 copied chars hold 10 commas.
    assert_eq!(report.copied_chars, 190);
    assert_eq!(report.total_chars, 760);
}

#[test]
fn near_duplicates_are_scanned_with_exact_jaccard() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = open(dir.path());
    let base = text(10, 2000);
    let edited: String = base
        .chars()
        .take(1600)
        .chain(text(11, 400).chars())
        .collect();
    index
        .add(vec![
            doc("A", "", base),
            doc("B", "", edited),
            doc("C", "", text(12, 2000)),
        ])
        .unwrap();
    let pairs = index.scan(0.5).unwrap();
    assert_eq!(pairs.len(), 1);
    assert_eq!((pairs[0].a.as_str(), pairs[0].b.as_str()), ("A", "B"));
    assert!(
        pairs[0].jaccard > 0.6 && pairs[0].jaccard < 0.7,
        "{}",
        pairs[0].jaccard
    );
    let line: serde_json::Value = serde_json::from_str(&pairs[0].to_json()).unwrap();
    assert_eq!(
        (line["a"].as_str(), line["b"].as_str()),
        (Some("A"), Some("B"))
    );
    assert_eq!(line["jaccard"].as_f64(), Some(pairs[0].jaccard));
    assert!(
        line["containment"]
            .as_f64()
            .is_some_and(|c| c >= pairs[0].jaccard)
    );
    assert!(index.scan(0.7).unwrap().is_empty());
}

#[test]
fn replace_delete_and_merge_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = open(dir.path());
    index
        .add(vec![
            doc("A", "", text(20, 300)),
            doc("B", "", text(21, 300)),
        ])
        .unwrap();
    let added = index
        .add(vec![
            doc("A", "", text(22, 300)),
            doc("C", "", text(23, 300)),
        ])
        .unwrap();
    assert_eq!(
        added,
        Added {
            added: 2,
            replaced: 1
        }
    );
    index.delete(&DocId::parse("B").unwrap()).unwrap();
    assert!(matches!(
        index.delete(&DocId::parse("B").unwrap()),
        Err(Error::NotFound(_))
    ));
    let reopened = open(dir.path());
    assert_eq!(reopened.ids(), vec!["A", "C"]);
    assert_eq!(reopened.text("A").unwrap(), text(22, 300));
    assert!(matches!(reopened.text("B"), Err(Error::NotFound(_))));
    // The old A no longer matches; the new one does.
    let old_a = reopened.check(&doc("Q", "", text(20, 300))).unwrap();
    assert!(old_a.sources.is_empty());
    assert_eq!(
        reopened
            .check(&doc("Q", "", text(22, 300)))
            .unwrap()
            .total_ratio,
        1.0
    );

    index.merge().unwrap();
    assert_eq!(index.segment_count(), 1);
    let merged = open(dir.path());
    assert_eq!(merged.segment_count(), 1);
    assert_eq!(merged.ids(), vec!["A", "C"]);
    assert_eq!(
        merged.check(&doc("Q", "", text(23, 300))).unwrap().sources[0].id,
        "C"
    );
    let files = std::fs::read_dir(dir.path()).unwrap().filter(|e| {
        e.as_ref()
            .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".seg"))
    });
    assert_eq!(files.count(), 1);
}

#[test]
fn interrupted_write_leaves_previous_state_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = open(dir.path());
    index.add(vec![doc("A", "", text(30, 300))]).unwrap();
    // A crash after the segment was (partly) written but before the manifest was replaced.
    std::fs::write(dir.path().join("seg-000002.seg"), b"SLSIMSG1 half written").unwrap();
    std::fs::write(dir.path().join("seg-000002.tmp"), b"junk").unwrap();
    std::fs::write(dir.path().join("MANIFEST.json.tmp"), b"{\"format\":1,").unwrap();
    let mut reopened = open(dir.path());
    assert_eq!(reopened.ids(), vec!["A"]);
    reopened.add(vec![doc("B", "", text(31, 300))]).unwrap();
    assert_eq!(open(dir.path()).ids(), vec!["A", "B"]);
}

#[test]
fn own_sources_are_left_out_of_the_second_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = open(dir.path());
    let mine = text(40, 400);
    let theirs = text(41, 400);
    index
        .add(vec![
            doc("MINE", "单位甲", mine.clone()),
            doc("THEIRS", "单位乙", theirs.clone()),
        ])
        .unwrap();
    let half = |t: &str| t.chars().take(200).collect::<String>();
    let query = format!("{}{}", half(&mine), half(&theirs));
    let report = index.check(&doc("Q", "单位甲", query)).unwrap();
    assert_eq!(report.total_ratio, 1.0);
    assert!(
        (report.ratio_excluding_own - 0.5).abs() < 0.01,
        "{}",
        report.ratio_excluding_own
    );
    assert!((report.max_single_ratio - 0.5).abs() < 0.01);
}

#[test]
fn template_text_shared_by_many_documents_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        template_cap: 3,
        ..Settings::default()
    };
    let mut index = Index::open(dir.path(), settings.clone()).unwrap();
    let form = text(50, 1500);
    let docs = (0..5)
        .map(|i| doc(&format!("D{i}"), "", format!("{form}{}", text(60 + i, 500))))
        .collect();
    index.add(docs).unwrap();
    // Every pair shares the form (Jaccard ≈ 0.6 counting it) but nothing else.
    assert!(index.scan(0.5).unwrap().is_empty());
    let report = index
        .check(&doc("Q", "", format!("{form}{}", text(99, 500))))
        .unwrap();
    assert_eq!(report.copied_chars, 0);
    // Reopening recomputes the same templates from the postings.
    let reopened = Index::open(dir.path(), settings).unwrap();
    assert!(reopened.scan(0.5).unwrap().is_empty());
    assert_eq!(
        Index::open(dir.path(), Settings::default())
            .unwrap()
            .scan(0.5)
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn failed_commit_changes_nothing_on_disk_or_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = open(dir.path());
    index.add(vec![doc("A", "", text(70, 300))]).unwrap();
    // The manifest can no longer be replaced: every commit fails after its segment was written.
    let blocker = dir.path().join("MANIFEST.json.tmp");
    std::fs::create_dir(&blocker).unwrap();
    let err = index.add(vec![doc("B", "", text(71, 300))]).unwrap_err();
    assert!(err.to_string().contains("MANIFEST.json.tmp"), "{err}");
    assert!(index.delete(&DocId::parse("A").unwrap()).is_err());
    assert_eq!(index.ids(), vec!["A"]);
    assert!(
        index
            .check(&doc("Q", "", text(71, 300)))
            .unwrap()
            .sources
            .is_empty()
    );
    assert_eq!(open(dir.path()).ids(), vec!["A"]);

    std::fs::remove_dir(&blocker).unwrap();
    index.add(vec![doc("B", "", text(71, 300))]).unwrap();
    assert_eq!(open(dir.path()).ids(), vec!["A", "B"]);
    assert_eq!(
        open(dir.path())
            .check(&doc("Q", "", text(71, 300)))
            .unwrap()
            .total_ratio,
        1.0
    );
}

#[test]
fn check_among_only_compares_allowed_sources() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = open(dir.path());
    let source = text(7, 600);
    index
        .add(vec![
            doc("A", "", source.clone()),
            doc("B", "", source.clone()),
        ])
        .unwrap();
    let query = doc("Q", "", format!("{}{}", text(8, 200), source));
    let ids = |r: &crate::Report| r.sources.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&index.check(&query).unwrap()).len(), 2);
    let only_b = index.check_among(&query, |id| id == "B").unwrap();
    assert_eq!(ids(&only_b), vec!["B"]);
    assert!(only_b.total_ratio > 0.7, "{}", only_b.total_ratio);
    let none = index.check_among(&query, |_| false).unwrap();
    assert!(none.sources.is_empty());
    assert_eq!(none.copied_chars, 0);
}

#[test]
fn index_written_in_a_previous_format_asks_for_a_rebuild() {
    // Format 3 has the keys of the old hash; format 4 stores every 5-gram's key in the features,
    // which format 5 reads as offsets.
    for magic in [b"SLSIMSG3", b"SLSIMSG4"] {
        let dir = tempfile::tempdir().unwrap();
        open(dir.path())
            .add(vec![doc("A", "", text(50, 300))])
            .unwrap();
        // The same index as that format wrote it, as far as its header tells.
        let segment = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "seg"))
            .unwrap();
        let mut bytes = std::fs::read(&segment).unwrap();
        bytes[..8].copy_from_slice(magic);
        std::fs::write(&segment, bytes).unwrap();
        let err = Index::open(dir.path(), Settings::default()).unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }), "{err}");
        assert!(
            err.to_string().contains("请删除索引目录后重建索引"),
            "{err}"
        );
    }
}
