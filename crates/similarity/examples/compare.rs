//! The engine's side of `bench/compare.sh`.
//!
//! - `compare generate DIR N`: writes N generated documents (`bench/docs.rs`, with planted near-
//!   duplicates) as `DIR/D<i>.txt`, and `DIR/truth.json`: the planted pairs with their exact 5-gram
//!   Jaccard similarity on normalised text;
//! - `compare engine DIR`: indexes every `.txt` of DIR into a temporary index (batches of 1,000) and
//!   scans it at 0.5, printing one JSON line with the times and the pairs found.

use std::time::Instant;

use similarity::normalize::normalize;
use similarity::shingle::{overlap, shingle_set};
use similarity::{DocId, Document, Index, Settings};

#[path = "../bench/docs.rs"]
mod docs;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["generate", dir, n] => generate(dir, n.parse().expect("文档数应为整数")),
        ["engine", dir] => engine(dir),
        _ => eprintln!("用法：compare generate DIR N | compare engine DIR"),
    }
}

fn generate(dir: &str, n: usize) {
    let generator = docs::Generator::load();
    let texts: Vec<String> = (0..n).map(|i| generator.text(i, true)).collect();
    let mut truth = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        std::fs::write(format!("{dir}/D{i}.txt"), text).expect("写入文档");
        if i % 10 == 9 {
            let set = |t: &str| shingle_set(normalize(t).chars());
            let (both, a, b) = overlap(&set(&texts[i - 1]), &set(text), |_| false);
            let jaccard = both as f64 / (a + b - both) as f64;
            truth.push(serde_json::json!({"a": format!("D{}", i - 1), "b": format!("D{i}"), "jaccard": jaccard}));
        }
    }
    std::fs::write(
        format!("{dir}/truth.json"),
        serde_json::to_string(&truth).expect("JSON"),
    )
    .expect("写入 truth.json");
}

fn engine(dir: &str) {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("读取目录")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let index_dir = tempfile::tempdir_in("/var/tmp").expect("临时目录");
    // Templates are kept in, so the Jaccard similarity is the plain one the Python pipelines estimate.
    let settings = Settings {
        template_cap: u32::MAX,
        ..Settings::default()
    };
    let started = Instant::now();
    let mut index = Index::open(index_dir.path(), settings).expect("打开索引");
    let mut bytes = 0;
    for batch in files.chunks(1000) {
        let docs: Vec<Document> = batch
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("读取文档");
                bytes += text.len();
                let id = p.file_stem().and_then(|s| s.to_str()).expect("文件名");
                Document {
                    id: DocId::parse(id).expect("文档编号"),
                    owner: String::new(),
                    text,
                }
            })
            .collect();
        index.add(docs).expect("加入索引");
    }
    let index_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let pairs = index.scan(0.5).expect("扫描");
    let scan_seconds = started.elapsed().as_secs_f64();
    let pairs: Vec<[&str; 2]> = pairs.iter().map(|p| [p.a.as_str(), p.b.as_str()]).collect();
    println!(
        "{}",
        serde_json::json!({"docs": files.len(), "bytes": bytes, "index_seconds": index_seconds,
            "scan_seconds": scan_seconds, "pairs": pairs})
    );
}
