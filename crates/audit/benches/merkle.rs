//! Merkle log benchmarks: append throughput against the raw SHA-256 floor of this
//! machine, and proof generation and verification in a log of 10^6 leaves.
//!
//! `cargo bench -p audit --bench merkle -- --sample-size 10 --measurement-time 2`

use std::hint::black_box;

use audit::{
    Frontier, Hash, MemoryStore, consistency_proof, inclusion_proof, leaf_hash, verify_consistency,
    verify_inclusion,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sha2::{Digest, Sha256};

const BIG: u64 = 1_000_000;
const BATCH: u64 = 10_000;

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_le_bytes())).collect()
}

fn sha256_floor(c: &mut Criterion) {
    let mut g = c.benchmark_group("sha256");
    // An interior node hash input is 65 bytes: the per-hash floor for the tree.
    let node_input = [7u8; 65];
    g.throughput(Throughput::Elements(1));
    g.bench_function("65-byte message", |b| {
        b.iter(|| Sha256::digest(black_box(&node_input)))
    });
    let bulk = vec![7u8; 1 << 20];
    g.throughput(Throughput::Bytes(bulk.len() as u64));
    g.bench_function("1 MiB", |b| b.iter(|| Sha256::digest(black_box(&bulk))));
    g.finish();
}

fn append(c: &mut Criterion) {
    let batch = leaves(BATCH);
    let mut g = c.benchmark_group("append");
    g.throughput(Throughput::Elements(BATCH));
    g.bench_function("frontier, 10^4 leaves", |b| {
        b.iter(|| {
            let mut f = Frontier::new();
            for leaf in &batch {
                f.append(*leaf).unwrap();
            }
            black_box(f.root())
        })
    });
    g.bench_function("memory store, 10^4 leaves", |b| {
        b.iter(|| black_box(MemoryStore::from_leaves(&batch).unwrap().root()))
    });
    g.finish();
}

fn proofs(c: &mut Criterion) {
    let store = MemoryStore::from_leaves(&leaves(BIG)).unwrap();
    let root = store.root();
    let old_size = BIG / 3 + 17;
    let old_root = audit::tree_root(&store, old_size).unwrap();
    let mut g = c.benchmark_group("proofs at 10^6 leaves");
    g.throughput(Throughput::Elements(1));
    let mut index = 0u64;
    g.bench_function("inclusion: generate", |b| {
        b.iter(|| {
            index = (index + 104_729) % BIG;
            black_box(inclusion_proof(&store, index, BIG).unwrap())
        })
    });
    let proof = inclusion_proof(&store, 777_777, BIG).unwrap();
    let leaf = store.leaves()[777_777];
    g.bench_function("inclusion: verify", |b| {
        b.iter(|| verify_inclusion(777_777, BIG, black_box(&leaf), &proof, &root).unwrap())
    });
    g.bench_function("consistency: generate", |b| {
        b.iter(|| black_box(consistency_proof(&store, old_size, BIG).unwrap()))
    });
    let cproof = consistency_proof(&store, old_size, BIG).unwrap();
    g.bench_function("consistency: verify", |b| {
        b.iter(|| verify_consistency(old_size, BIG, black_box(&cproof), &old_root, &root).unwrap())
    });
    g.finish();
}

criterion_group!(benches, sha256_floor, append, proofs);
criterion_main!(benches);
