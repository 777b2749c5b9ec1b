//! Indexing against the floor on a shared machine: `ratio [RUNS]` alternates, in one process, the
//! `indexing` benchmark's floor (decode, normalise and hash every 5-gram of 200 documents on all
//! cores) and a full [`Index::add`] of the same documents into an empty index (default 20 runs of
//! each), and prints the fastest and the median of each, their ratios, and the processor time of
//! each (both cores together).
//!
//! Criterion runs the floor and `add` a minute apart; when other work comes and goes on the machine,
//! their ratio moves with it. Here each `add` runs right after a floor, and the fastest runs of each
//! are those least disturbed. Run with `cargo run --release -p similarity --example ratio`.

use std::time::{Duration, Instant};

use rayon::prelude::*;
use similarity::normalize::normalize;
use similarity::shingle::shingle_hashes;
use similarity::{DocId, Document, Index, Settings};

#[path = "../bench/docs.rs"]
mod docs;
#[path = "../bench/process.rs"]
mod process;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("运行次数应为整数"))
        .unwrap_or(20)
        .max(1);
    let generator = docs::Generator::load();
    let docs: Vec<Document> = (0..200)
        .map(|i| Document {
            id: DocId::parse(&format!("D{i}")).expect("文档编号"),
            owner: String::new(),
            text: generator.text(i, false),
        })
        .collect();
    let raw: Vec<Vec<u8>> = docs.iter().map(|d| d.text.clone().into_bytes()).collect();
    let bytes: usize = raw.iter().map(Vec::len).sum();
    let (mut floor, mut add) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let (mut floor_cpu, mut add_cpu) = (0.0, 0.0);
    for _ in 0..runs {
        let cpu = process::cpu_seconds();
        let started = Instant::now();
        let folded = raw
            .par_iter()
            .map(|bytes| {
                let text = std::str::from_utf8(bytes).expect("UTF-8");
                let hashes = shingle_hashes(normalize(text).chars());
                hashes.iter().fold(0u64, |acc, h| acc ^ h)
            })
            .reduce(|| 0, |a, b| a ^ b);
        floor.push(started.elapsed());
        floor_cpu += process::cpu_seconds() - cpu;
        std::hint::black_box(folded);

        let dir = tempfile::tempdir_in("/var/tmp").expect("临时目录");
        let batch = docs.clone();
        let cpu = process::cpu_seconds();
        let started = Instant::now();
        let mut index = Index::open(dir.path(), Settings::default()).expect("打开索引");
        index.add(batch).expect("加入索引");
        drop(index);
        add.push(started.elapsed());
        add_cpu += process::cpu_seconds() - cpu;
    }
    floor.sort_unstable();
    add.sort_unstable();
    let mib_s = |d: Duration| bytes as f64 / f64::from(1 << 20) / d.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (fastest, median) = (0, runs / 2);
    println!(
        "floor: fastest {:.1} ms ({:.0} MiB/s), median {:.1} ms ({:.0} MiB/s); \
         add: fastest {:.1} ms ({:.0} MiB/s), median {:.1} ms ({:.0} MiB/s); \
         add / floor: {:.2}× fastest, {:.2}× median; processor time per run: floor {:.0} ms, add {:.0} ms ({:.2}×)",
        ms(floor[fastest]),
        mib_s(floor[fastest]),
        ms(floor[median]),
        mib_s(floor[median]),
        ms(add[fastest]),
        mib_s(add[fastest]),
        ms(add[median]),
        mib_s(add[median]),
        ms(add[fastest]) / ms(floor[fastest]),
        ms(add[median]) / ms(floor[median]),
        floor_cpu * 1e3 / runs as f64,
        add_cpu * 1e3 / runs as f64,
        add_cpu / floor_cpu,
    );
}
