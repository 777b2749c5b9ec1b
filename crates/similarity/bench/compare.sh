#!/usr/bin/env bash
# Side by side on the same generated documents: this engine, datasketch (MinHash + MinHashLSH) and
# rensa (RMinHash + RMinHashLSH), all with character 5-grams, 128 permutations, threshold 0.5.
# Prints MB/s and documents/s for indexing and scanning, and recall against exact Jaccard >= 0.5 of the
# planted near-duplicate pairs.
#
# Usage: crates/similarity/bench/compare.sh [DOCS]   (default 1000 documents of 20,000 chars)
# Environment: CARGO_TARGET_DIR as usual; PYTHON (default python3).
set -euo pipefail
docs=${1:-1000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/docs"

echo "building the engine's example and generating $docs documents in $work/docs" >&2
# ENGINE_BIN runs an engine built elsewhere (e.g. an older commit's, to compare before and after).
if [ -n "${ENGINE_BIN:-}" ]; then
    bin="$ENGINE_BIN"
else
    cargo build --quiet --release -p similarity --example compare --manifest-path "$here/../Cargo.toml"
    bin="${CARGO_TARGET_DIR:-$here/../../../target}/release/examples/compare"
fi
"$bin" generate "$work/docs" "$docs"

echo "installing datasketch and rensa into a virtual environment" >&2
"${PYTHON:-python3}" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check datasketch rensa

"$bin" engine "$work/docs" > "$work/engine.json"

"$work/venv/bin/python" - "$work/docs" "$work/engine.json" <<'PY'
import json, os, sys, time
from datasketch import MinHash, MinHashLSH
from rensa import RMinHash, RMinHashLSH

folder, engine_file = sys.argv[1], sys.argv[2]
names = sorted(f for f in os.listdir(folder) if f.endswith(".txt"))
ids = [n[:-4] for n in names]
texts = [open(os.path.join(folder, n), encoding="utf-8").read() for n in names]
size = sum(len(t.encode("utf-8")) for t in texts)
truth = {tuple(sorted((p["a"], p["b"]))) for p in json.load(open(os.path.join(folder, "truth.json")))
         if p["jaccard"] >= 0.5}

def shingles(text):
    t = "".join(text.split())
    return {t[i:i + 5] for i in range(len(t) - 4)}

def exact(a, b):
    return len(a & b) / len(a | b)

def run_datasketch():
    start = time.perf_counter()
    lsh, sets, sketches = MinHashLSH(threshold=0.5, num_perm=128), [], []
    for i, text in enumerate(texts):
        s = shingles(text)
        m = MinHash(num_perm=128)
        m.update_batch([x.encode("utf-8") for x in s])
        lsh.insert(i, m)
        sets.append(s)
        sketches.append(m)
    indexed = time.perf_counter()
    pairs = set()
    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            if i < j and exact(sets[i], sets[j]) >= 0.5:
                pairs.add((ids[i], ids[j]))
    return indexed - start, time.perf_counter() - indexed, pairs

def run_rensa():
    start = time.perf_counter()
    lsh, sets, sketches = RMinHashLSH(threshold=0.5, num_perm=128, num_bands=32), [], []
    for i, text in enumerate(texts):
        s = shingles(text)
        m = RMinHash(num_perm=128, seed=42)
        m.update(list(s))
        lsh.insert(i, m)
        sets.append(s)
        sketches.append(m)
    indexed = time.perf_counter()
    pairs = set()
    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            if i < j and exact(sets[i], sets[j]) >= 0.5:
                pairs.add((ids[i], ids[j]))
    return indexed - start, time.perf_counter() - indexed, pairs

engine = json.load(open(engine_file))
rows = [("this engine (both cores)", engine["index_seconds"], engine["scan_seconds"],
         {tuple(sorted(p)) for p in engine["pairs"]})]
rows.append(("datasketch", *run_datasketch()))
rows.append(("rensa", *run_rensa()))
n, mb = len(texts), size / 1e6
print(f"{n} documents, {mb:.1f} MB of UTF-8, {len(truth)} planted pairs at exact Jaccard >= 0.5")
print("| pipeline | index MB/s | index docs/s | scan MB/s | scan docs/s | recall | pairs reported |")
print("|---|---|---|---|---|---|---|")
for name, index_s, scan_s, pairs in rows:
    recall = len(pairs & truth) / len(truth) if truth else 1.0
    print(f"| {name} | {mb / index_s:.1f} | {n / index_s:.0f} | {mb / scan_s:.1f} | {n / scan_s:.0f} "
          f"| {recall:.3f} | {len(pairs)} |")
PY
