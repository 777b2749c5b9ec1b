//! How checking and memory grow with the size of the index, on an index built once and reused.
//!
//! - `scale build DIR N [BATCH]`: adds generated documents (`bench/docs.rs`, 20,000 chars each) to the
//!   index in DIR until it holds N, in batches of BATCH (default 1,000; each batch is one segment),
//!   printing the indexing rate;
//! - `scale merge DIR`: merges the segments of the index into one, printing how long it took;
//! - `scale check DIR`: opens the index and checks one application of about 30,000 chars (20,000 of a
//!   document not in the index, 10,000 copied from document 1) 21 times (or `SCALE_CHECKS`), printing
//!   the time to open,
//!   the median and slowest check, resident memory and the size of the directory.
//!
//! Run with `cargo run --release -p similarity --example scale -- build /var/tmp/sim-1e4 10000`.

use std::time::{Duration, Instant};

use similarity::{DocId, Document, Index, Settings};

#[path = "../bench/docs.rs"]
mod docs;
#[path = "../bench/process.rs"]
mod process;

const BATCH: &str = "1000";
/// Checks timed by `scale check` unless `SCALE_CHECKS` says otherwise (more, to profile them).
const CHECKS: usize = 21;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["build", dir, n, rest @ ..] => build(
            dir,
            n.parse().expect("文档数应为整数"),
            rest.first()
                .unwrap_or(&BATCH)
                .parse()
                .expect("每批文档数应为整数"),
        ),
        ["merge", dir] => merge(dir),
        ["check", dir] => check(dir),
        _ => eprintln!("用法：scale build DIR N [BATCH] | scale merge DIR | scale check DIR"),
    }
}

fn document(generator: &docs::Generator, i: usize) -> Document {
    Document {
        id: DocId::parse(&format!("D{i}")).expect("文档编号"),
        owner: String::new(),
        text: generator.text(i, false),
    }
}

fn build(dir: &str, n: usize, batch: usize) {
    let generator = docs::Generator::load();
    let mut index = Index::open(dir.as_ref(), Settings::default()).expect("打开索引");
    let (mut bytes, mut spent) = (0usize, Duration::ZERO);
    let first = index.len();
    for from in (first..n).step_by(batch.max(1)) {
        let batch: Vec<Document> = (from..n.min(from + batch))
            .map(|i| document(&generator, i))
            .collect();
        bytes += batch.iter().map(|d| d.text.len()).sum::<usize>();
        let started = Instant::now();
        index.add(batch).expect("加入索引");
        spent += started.elapsed();
        eprintln!(
            "{} documents, {:.1} MB/s so far, {} segments",
            index.len(),
            bytes as f64 / 1e6 / spent.as_secs_f64(),
            index.segment_count()
        );
    }
    println!(
        "added {} documents ({:.0} MB) in {:.1} s: {:.1} MB/s; {}",
        index.len() - first,
        bytes as f64 / 1e6,
        spent.as_secs_f64(),
        bytes as f64 / 1e6 / spent.as_secs_f64(),
        memory()
    );
}

fn merge(dir: &str) {
    let mut index = Index::open(dir.as_ref(), Settings::default()).expect("打开索引");
    let before = index.segment_count();
    let started = Instant::now();
    index.merge().expect("合并");
    println!(
        "merged {before} segments of {} documents in {:.1} s",
        index.len(),
        started.elapsed().as_secs_f64()
    );
}

fn check(dir: &str) {
    let generator = docs::Generator::load();
    let started = Instant::now();
    let index = Index::open(dir.as_ref(), Settings::default()).expect("打开索引");
    let opened = started.elapsed();
    let text: String = generator
        .text(10_000_000, false)
        .chars()
        .chain(generator.text(1, false).chars().take(10_000))
        .collect();
    let query = Document {
        id: DocId::parse("Q").expect("文档编号"),
        owner: String::new(),
        text,
    };
    let checks = std::env::var("SCALE_CHECKS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CHECKS)
        .max(1);
    let mut times: Vec<Duration> = Vec::with_capacity(checks);
    let mut ratio = 0.0;
    let cpu_before = process::cpu_seconds();
    for _ in 0..checks {
        let started = Instant::now();
        let report = index.check(&query).expect("查重");
        times.push(started.elapsed());
        ratio = report.total_ratio;
    }
    // Processor time (both cores together) tells what a check costs on a machine shared with other
    // work, where the elapsed times above also count the waits.
    let cpu = (process::cpu_seconds() - cpu_before) / checks as f64;
    times.sort_unstable();
    println!(
        "{} documents in {} segments, opened in {:.1} s; check median {:.1} ms, slowest {:.1} ms, \
         processor time {:.1} ms a check (总文字复制比 {:.3}); {}; {} on disk",
        index.len(),
        index.segment_count(),
        opened.as_secs_f64(),
        times[checks / 2].as_secs_f64() * 1e3,
        times[checks - 1].as_secs_f64() * 1e3,
        cpu * 1e3,
        ratio,
        memory(),
        disk_size(dir)
    );
}

/// Resident and peak resident memory of this process (Linux).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map_or("?", str::trim)
            .to_owned()
    };
    format!("VmRSS {}, VmHWM {}", field("VmRSS:"), field("VmHWM:"))
}

fn disk_size(dir: &str) -> String {
    let bytes: u64 = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    format!("{:.2} GB", bytes as f64 / 1e9)
}
