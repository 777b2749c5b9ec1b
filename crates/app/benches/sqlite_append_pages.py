"""What SQLite itself spends on an edit and on its in-transaction audit append, part by part.

Python's sqlite3 on a copy of a database the `audit_overhead` benchmark left (no sqlx, no hand-offs
to a worker thread): the edit of one department row alone ("plain"), with the append's statements
as `audit/append.rs` issues them ("append": the tree head, the event, its nodes), and the append
without one part or one index each, to see what each costs — mostly at the COMMIT, where every page
the transaction changed is written to the WAL; then with nodes stored from level 4 up (m0013), and
two further ideas on top of that.

    python3 crates/app/benches/sqlite_append_pages.py /tmp/sunlight-bench-PID/sunlight.db
"""

import hashlib
import os
import shutil
import sqlite3
import sys
import time

EDITS = 3000
VARIANTS = ["plain", "append", "no tree head", "no event", "no nodes",
            "no index on at", "no index on object", "append", "plain",
            "nodes from level 4", "level 4, keyed by end", "level 4, no index on at",
            "nodes from level 4", "plain"]


def stored(variant, level):
    """Whether the variant stores a node of this level (m0013: from level 4 up)."""
    return variant != "no nodes" and (level >= 4 or not variant.startswith(("nodes from", "level 4")))


def nodes_completed(n):
    """(level, index) of the leaf n and of every subtree its append completes."""
    out, level, index = [(0, n)], 0, n
    while index & 1:
        index >>= 1
        level += 1
        out.append((level, index))
    return out


def run(source, variant):
    copy = "/tmp/sqlite_append_pages.db"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(copy + suffix):
            os.remove(copy + suffix)
    shutil.copy(source, copy)
    db = sqlite3.connect(copy, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    if variant == "level 4, keyed by end":
        db.executescript(
            "CREATE TABLE node_by_end (end_leaf INTEGER NOT NULL, level INTEGER NOT NULL, "
            "hash TEXT NOT NULL, PRIMARY KEY (end_leaf, level)) WITHOUT ROWID; "
            "INSERT INTO node_by_end SELECT (idx + 1) << level, level, hash FROM audit_node "
            "WHERE level >= 4; DROP TABLE audit_node; ALTER TABLE node_by_end RENAME TO audit_node;")
    elif variant.startswith(("nodes from", "level 4")):
        db.execute("DELETE FROM audit_node WHERE level < 4")
    if variant in ("no index on at", "level 4, no index on at"):
        db.execute("DROP INDEX idx_audit_at")
    if variant == "no index on object":
        db.execute("DROP INDEX idx_audit_object")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dept = db.execute("SELECT id FROM department WHERE parent_id IS NULL").fetchone()[0]
    size = db.execute("SELECT size FROM audit_tree WHERE id = 1").fetchone()[0]
    work = commit = 0.0
    for i in range(EDITS):
        leaf = hashlib.sha256(str(i).encode()).hexdigest()
        t0 = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE department SET name = ? WHERE id = ? RETURNING *",
                   (f"n{i}", dept)).fetchall()
        if variant != "plain":
            if variant != "no tree head":
                db.execute("UPDATE audit_tree SET (size, frontier, root) = (?, ?, ?) "
                           "WHERE id = 1 AND size = ? RETURNING id",
                           (size + 1, os.urandom(640), leaf, size)).fetchall()
            if variant != "no event":
                db.execute("INSERT INTO audit_event (seq, version, at, actor_id, actor_name, "
                           "department_id, ip, action, object_type, object_id, changes, "
                           "prev_hash, leaf_hash) VALUES (?, 1, ?, NULL, 'x', NULL, '-', 'a', "
                           "'department', ?, '{\"name\":[\"a\",\"b\"]}', ?, ?)",
                           (size + 1, 1_800_000_000_000 + i, str(dept), leaf, leaf))
            for level, index in nodes_completed(size):
                if not stored(variant, level):
                    continue
                if variant == "level 4, keyed by end":
                    db.execute("INSERT INTO audit_node (end_leaf, level, hash) VALUES (?, ?, ?)",
                               ((index + 1) << level, level, leaf))
                else:
                    db.execute("INSERT INTO audit_node (level, idx, hash) VALUES (?, ?, ?)",
                               (level, index, leaf))
        t1 = time.perf_counter()
        db.execute("COMMIT")
        t2 = time.perf_counter()
        size += 1
        work += t1 - t0
        commit += t2 - t1
    db.close()
    return work / EDITS * 1e6, commit / EDITS * 1e6


def main():
    source = sys.argv[1]
    for variant in VARIANTS:
        work, commit = run(source, variant)
        print(f"{variant:20} statements {work:6.1f} µs   commit {commit:6.1f} µs   "
              f"total {work + commit:6.1f} µs")


if __name__ == "__main__":
    main()
