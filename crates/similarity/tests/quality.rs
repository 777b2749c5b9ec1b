//! Quality on generated applications whose truth is known: documents are built from People's Daily
//! paragraphs with a seeded RNG, then edited (sentences replaced, paragraphs reordered, full/half width
//! flipped, converted to Traditional) and planted with copies of 13–2,000 characters.

use std::collections::{HashMap, HashSet};

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use similarity::normalize::normalize;
use similarity::shingle::{overlap, shingle_set};
use similarity::winnow::MIN_COPY_LEN;
use similarity::{DocId, Document, Index, Settings};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/corpus/peoples-daily-199801.txt"
);

/// Distinct corpus paragraphs long enough to carry a few sentences, in a seeded random order.
fn paragraphs(rng: &mut ChaCha8Rng) -> Vec<String> {
    let text =
        std::fs::read_to_string(CORPUS).expect("shared/data/corpus 中的语料应与仓库并列存放");
    let mut seen = HashSet::new();
    let mut out: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().count() >= 40 && seen.insert(l.to_string()))
        .map(str::to_owned)
        .collect();
    out.shuffle(rng);
    out
}

fn sentences(paragraph: &str) -> Vec<String> {
    paragraph.split_inclusive('。').map(str::to_owned).collect()
}

/// Flips ASCII letters and digits to full width and full-width ones to ASCII.
fn flip_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            'ａ'..='ｚ' | 'Ａ'..='Ｚ' | '０'..='９' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

fn doc(id: &str, owner: &str, text: String) -> Document {
    Document {
        id: DocId::parse(id).unwrap(),
        owner: owner.into(),
        text,
    }
}

#[test]
fn near_duplicates_are_found_with_high_recall_and_exact_precision() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let s2t = OpenCC::from_config(BuiltinConfig::S2t).unwrap();
    let pool = paragraphs(&mut rng);
    let mut spare = pool[..3000].iter().flat_map(|p| sentences(p)).cycle();
    let mut docs = Vec::new();
    for base_no in 0..40 {
        let base: Vec<String> = pool[3000 + base_no * 25..3000 + (base_no + 1) * 25].to_vec();
        docs.push(doc(&format!("B{base_no}"), "", base.join("\n")));
        for variant in 0..4 {
            let replace = rng.random_range(0.0..0.5);
            let mut paras: Vec<String> = base
                .iter()
                .map(|p| {
                    sentences(p)
                        .into_iter()
                        .map(|s| {
                            if rng.random_bool(replace) {
                                spare.next().unwrap_or_default()
                            } else {
                                s
                            }
                        })
                        .collect()
                })
                .collect();
            if rng.random_bool(0.5) {
                paras.shuffle(&mut rng);
            }
            if rng.random_bool(0.3) {
                paras = paras.iter().map(|p| flip_width(p)).collect();
            }
            if rng.random_bool(0.3) {
                for p in paras.iter_mut().step_by(3) {
                    *p = s2t.convert(p);
                }
            }
            docs.push(doc(&format!("B{base_no}V{variant}"), "", paras.join("\n")));
        }
    }
    let sets: HashMap<String, Vec<u64>> = docs
        .iter()
        .map(|d| (d.id.to_string(), shingle_set(normalize(&d.text).chars())))
        .collect();
    let jaccard = |a: &str, b: &str| {
        let (both, la, lb) = overlap(&sets[a], &sets[b], |_| false);
        both as f64 / (la + lb - both) as f64
    };
    let ids: Vec<String> = docs.iter().map(|d| d.id.to_string()).collect();
    let mut truth = HashSet::new();
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            if jaccard(a, b) >= 0.5 {
                truth.insert((a.min(b).clone(), a.max(b).clone()));
            }
        }
    }
    assert!(
        truth.len() >= 150,
        "too few near-duplicate pairs to measure recall: {}",
        truth.len()
    );

    let dir = tempfile::tempdir().unwrap();
    // The truth is plain Jaccard, so no shingle is treated as template text here.
    let settings = Settings {
        template_cap: u32::MAX,
        ..Settings::default()
    };
    let mut index = Index::open(dir.path(), settings).unwrap();
    index.add(docs).unwrap();
    let found = index.scan(0.5).unwrap();
    for pair in &found {
        let exact = jaccard(&pair.a, &pair.b);
        assert!(exact >= 0.5, "reported below threshold: {pair:?}");
        assert!((pair.jaccard - exact).abs() < 1e-12, "{pair:?} vs {exact}");
    }
    let found: HashSet<(String, String)> = found.into_iter().map(|p| (p.a, p.b)).collect();
    let recall = truth.intersection(&found).count() as f64 / truth.len() as f64;
    assert!(recall >= 0.99, "recall {recall} over {} pairs", truth.len());
}

/// A planted copy: where it is in the query and in its source, in original char offsets of the first
/// and past the last normalised char, and how many normalised chars it holds.
#[derive(Debug)]
struct Planted {
    source: String,
    start: u32,
    end: u32,
    source_start: u32,
    source_end: u32,
    chars: usize,
    /// Normalised chars that differ from the source after the edit (char-level t2s is not the inverse
    /// of phrase-level s2t: 着力 → 著力 stays 著力).
    altered: usize,
}

#[test]
fn every_planted_copy_is_found_and_the_ratio_is_right() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let s2t = OpenCC::from_config(BuiltinConfig::S2t).unwrap();
    let pool = paragraphs(&mut rng);
    let sources: Vec<Document> = (0..30)
        .map(|i| {
            doc(
                &format!("S{i}"),
                &format!("单位{}", i % 5),
                pool[i * 40..(i + 1) * 40].join("\n"),
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut index = Index::open(dir.path(), Settings::default()).unwrap();
    index.add(sources.clone()).unwrap();
    let all_13grams: HashSet<Vec<char>> = sources
        .iter()
        .flat_map(|s| {
            normalize(&s.text)
                .chars()
                .windows(MIN_COPY_LEN)
                .map(<[char]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect();

    for query_no in 0..6 {
        let filler = &pool[2000 + query_no * 20..2000 + (query_no + 1) * 20];
        let mut text = String::new();
        let mut planted = Vec::new();
        for (i, paragraph) in filler.iter().enumerate() {
            text.push_str(paragraph);
            text.push('\n');
            if i % 2 == 1 {
                let source = &sources[rng.random_range(0..sources.len())];
                let normalized = normalize(&source.text);
                let len = match rng.random_range(0..3) {
                    0 => rng.random_range(13..30),
                    1 => rng.random_range(30..300),
                    _ => rng.random_range(300..2000),
                }
                .min(normalized.len());
                let from = rng.random_range(0..=normalized.len() - len);
                let (source_start, source_end) = normalized.original_span(from, from + len);
                let piece: String = source
                    .text
                    .chars()
                    .skip(source_start as usize)
                    .take((source_end - source_start) as usize)
                    .collect();
                let piece = match rng.random_range(0..3) {
                    0 => flip_width(&piece),
                    1 => s2t.convert(&piece),
                    _ => piece,
                };
                let altered = normalize(&piece)
                    .chars()
                    .iter()
                    .zip(&normalized.chars()[from..from + len])
                    .filter(|(a, b)| a != b)
                    .count();
                let start = text.chars().count() as u32;
                text.push_str(&piece);
                let end = text.chars().count() as u32;
                text.push('\n');
                planted.push(Planted {
                    source: source.id.to_string(),
                    start,
                    end,
                    source_start,
                    source_end,
                    chars: len,
                    altered,
                });
            }
        }
        let report = index
            .check(&doc(&format!("Q{query_no}"), "单位甲", text.clone()))
            .unwrap();
        for p in &planted {
            let passages = &report
                .sources
                .iter()
                .find(|s| s.id == p.source)
                .expect("source listed")
                .passages;
            if p.altered == 0 {
                let hit = passages.iter().find(|x| {
                    x.start <= p.start
                        && x.end >= p.end
                        && x.source_start <= p.source_start
                        && x.source_end >= p.source_end
                });
                let hit = hit
                    .unwrap_or_else(|| panic!("query {query_no}: {p:?} not found in {passages:?}"));
                // A few neighbouring chars may coincide by chance; much more would be a wrong alignment.
                assert!(
                    hit.end - hit.start <= p.end - p.start + 20,
                    "{hit:?} too long for {p:?}"
                );
            } else {
                // Each char the conversion altered for good splits the run; pieces under 13 chars are lost.
                let inside: Vec<(u32, u32)> = passages
                    .iter()
                    .filter(|x| x.start >= p.start && x.end <= p.end)
                    .map(|x| (x.start, x.end))
                    .collect();
                let found: u32 = inside.iter().map(|(a, b)| b - a).sum();
                let most_lost = (p.altered * MIN_COPY_LEN * 2) as u32;
                assert!(
                    found + most_lost >= p.end - p.start,
                    "query {query_no}: {p:?} found only {inside:?}"
                );
            }
        }
        // Oracle: a char is copied when a window of 13 normalised chars around it occurs in a source.
        let q = normalize(&text);
        let mut copied = vec![false; q.len()];
        for (i, window) in q.chars().windows(MIN_COPY_LEN).enumerate() {
            if all_13grams.contains(window) {
                copied[i..i + MIN_COPY_LEN].fill(true);
            }
        }
        let oracle = copied.iter().filter(|&&c| c).count();
        assert_eq!(report.copied_chars, oracle, "query {query_no}");
        assert_eq!(report.total_chars, q.len());
        let truth =
            planted.iter().map(|p| p.chars - p.altered).sum::<usize>() as f64 / q.len() as f64;
        assert!(
            (report.total_ratio - truth).abs() <= 0.01,
            "query {query_no}: ratio {} vs truth {truth}",
            report.total_ratio
        );
        // The query's owner owns none of the sources.
        assert_eq!(report.ratio_excluding_own, report.total_ratio);
    }
}
