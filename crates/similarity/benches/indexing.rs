//! Indexing throughput against the machine's floor, and the time of one check.
//!
//! - `floor`: decode UTF-8, normalise and hash every 5-gram, on all cores — what any engine must do;
//! - `analyse`: the same plus the MinHash signature and winnowing fingerprints;
//! - `index`: `Index::add` end to end (analysis, postings and templates, segment written and synced);
//! - `check`: one application of about 30,000 chars against the index.
//!
//! Documents are generated from the People's Daily corpus (`shared/data/corpus`, see `docs.rs`), 20,000
//! chars each. Run with `cargo bench -p similarity`. The indexing groups use 200 documents;
//! `SIMILARITY_BENCH_DOCS` sets the size of the index the check runs on (default 200), built in
//! segments of 1,000 documents, and the resident memory of the process is printed once it is built.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use similarity::document::Analysis;
use similarity::normalize::normalize;
use similarity::shingle::shingle_hashes;
use similarity::{DocId, Document, Index, Settings};

#[path = "../bench/docs.rs"]
mod docs;

fn document(generator: &docs::Generator, i: usize) -> Document {
    Document {
        id: DocId::parse(&format!("D{i}")).expect("valid id"),
        owner: String::new(),
        text: generator.text(i, false),
    }
}

/// Documents added per [`Index::add`] (one segment each) when building the index a check runs on.
const BATCH: usize = 1000;

fn bench(c: &mut Criterion) {
    let count = std::env::var("SIMILARITY_BENCH_DOCS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let generator = docs::Generator::load();
    let docs: Vec<Document> = (0..count.min(200))
        .map(|i| document(&generator, i))
        .collect();
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
        // The documents are the caller's, handed over: their copy is made before the timing. On
        // the disk the application's data lives on, as in `examples/ratio.rs`.
        b.iter_batched(
            || {
                let dir = tempfile::tempdir_in("/var/tmp").expect("temporary directory");
                (dir, docs.clone())
            },
            |(dir, batch)| {
                let mut index = Index::open(dir.path(), Settings::default()).expect("open");
                index.add(batch).expect("add");
                dir
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let dir = tempfile::tempdir_in("/var/tmp").expect("temporary directory");
    let mut index = Index::open(dir.path(), Settings::default()).expect("open");
    for from in (0..count).step_by(BATCH) {
        let batch = (from..count.min(from + BATCH))
            .map(|i| document(&generator, i))
            .collect();
        index.add(batch).expect("add");
    }
    drop(docs);
    eprintln!(
        "index of {count} documents built; {}",
        memory().unwrap_or_else(|| "memory unknown".into())
    );
    // About 30,000 chars: 20,000 of a document not in the index and 10,000 copied from one that is.
    let query_text: String = document(&generator, count + 2)
        .text
        .chars()
        .chain(document(&generator, 1).text.chars().take(10_000))
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

/// Resident and peak resident memory of this process (Linux).
fn memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_owned())
    };
    Some(format!(
        "VmRSS {}, VmHWM {}",
        field("VmRSS:")?,
        field("VmHWM:")?
    ))
}

criterion_group!(benches, bench);
criterion_main!(benches);
