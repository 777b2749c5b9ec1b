//! Indexing throughput against the machine's floor, and the time of one check.
//!
//! - `floor`: decode UTF-8, normalise and hash every 5-gram, on all cores — what any engine must do;
//! - `analyse`: the same plus the MinHash signature and winnowing fingerprints;
//! - `index`: `Index::add` end to end (analysis, template frequencies, segment written and synced);
//! - `check`: one application of about 30,000 chars against the index.
//!
//! Documents are built from the People's Daily corpus (`shared/data/corpus`), 20,000 chars each.
//! Run with `cargo bench -p similarity`; `SIMILARITY_BENCH_DOCS` sets the number of documents (default 200).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use similarity::document::Analysis;
use similarity::normalize::normalize;
use similarity::shingle::shingle_hashes;
use similarity::{DocId, Document, Index, Settings};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/corpus/peoples-daily-199801.txt"
);
const DOC_CHARS: usize = 20_000;

/// Document `i` of about [`DOC_CHARS`] chars: consecutive corpus paragraphs from a place that depends
/// on `i`, so that documents overlap by chance as real collections do.
fn document(lines: &[&str], i: usize) -> Document {
    let mut text = String::new();
    let mut at = (i * 7919) % lines.len();
    while text.chars().count() < DOC_CHARS {
        text.push_str(lines[at]);
        text.push('\n');
        at = (at + 1) % lines.len();
    }
    Document {
        id: DocId::parse(&format!("D{i}")).expect("valid id"),
        owner: String::new(),
        text,
    }
}

fn bench(c: &mut Criterion) {
    let count = std::env::var("SIMILARITY_BENCH_DOCS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let corpus =
        std::fs::read_to_string(CORPUS).expect("shared/data/corpus 中的语料应与仓库并列存放");
    let lines: Vec<&str> = corpus.lines().filter(|l| !l.trim().is_empty()).collect();
    let docs: Vec<Document> = (0..count).map(|i| document(&lines, i)).collect();
    let raw: Vec<Vec<u8>> = docs.iter().map(|d| d.text.clone().into_bytes()).collect();
    let bytes: usize = raw.iter().map(Vec::len).sum();

    let mut group = c.benchmark_group("indexing");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("floor", |b| {
        b.iter(|| {
            raw.par_iter()
                .map(|bytes| {
                    let text = std::str::from_utf8(bytes).expect("UTF-8");
                    let hashes = shingle_hashes(normalize(text).chars());
                    hashes.iter().fold(0u64, |acc, h| acc ^ h)
                })
                .reduce(|| 0, |a, b| a ^ b)
        })
    });
    group.bench_function("analyse", |b| {
        b.iter(|| {
            docs.par_iter()
                .map(|d| Analysis::of(&d.text).fingerprints.len())
                .sum::<usize>()
        })
    });
    group.bench_function("index", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temporary directory"),
            |dir| {
                let mut index = Index::open(dir.path(), Settings::default()).expect("open");
                index.add(docs.clone()).expect("add");
                dir
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let dir = tempfile::tempdir().expect("temporary directory");
    let mut index = Index::open(dir.path(), Settings::default()).expect("open");
    index.add(docs.clone()).expect("add");
    // About 30,000 chars: 20,000 of a document not in the index and 10,000 copied from one that is.
    let query_text: String = document(&lines, count + 2)
        .text
        .chars()
        .chain(docs[1].text.chars().take(10_000))
        .collect();
    let query = Document {
        id: DocId::parse("Q").expect("valid id"),
        owner: String::new(),
        text: query_text,
    };
    let mut group = c.benchmark_group("check");
    group.sample_size(20);
    group.bench_function(format!("30k chars against {count} documents"), |b| {
        b.iter(|| index.check(&query).expect("check").total_ratio)
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
