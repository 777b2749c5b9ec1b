//! A transaction's events become leaves of the Merkle log inside that transaction.
//!
//! At the commit of an `AuditedTx` ([`append`]) its events are numbered on from the tree's last
//! leaf, each linked to its object's previous event (`prev_hash`), hashed (RFC 6962 leaf hash of the
//! canonical encoding) and appended to the tree: the completed subtrees go to `audit_node`, the
//! O(log n) frontier and the root to `audit_tree`. That is two statements before the COMMIT, one
//! reading the tree's head and the objects' previous events, one writing, so a change is in the log
//! the moment it is committed, and a rolled-back change never was.
//!
//! Writers take turns on the log: on SQLite `BEGIN IMMEDIATE` makes a transaction the only writer;
//! on PostgreSQL the read locks the tree's row, the last lock a writer takes — taking it with the
//! first write could deadlock two writers that then wait for each other's business rows. A
//! PostgreSQL statement reads as of its start, so the previous events it read may predate a writer
//! that held the lock while it waited: the write checks them again, under the lock, and writes
//! nothing if one moved; they are then read again (now current) and the write repeated.
//!
//! Events an earlier version left in `audit_pending` are integrated first (`audit::integrate`).

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value};

use super::event::{Event, VERSION, WRITTEN_COLUMNS};
use super::integrate::IntegrateError;

/// Objects whose previous event one statement reads.
const KEYS_PER_READ: usize = 200;
/// Events one statement writes (13 values each, with about two nodes of 3: under SQLite's 32,766).
const EVENTS_PER_WRITE: usize = 1000;

type Key = (String, String);

/// Numbers, links, hashes and appends `events` (their `seq` and `prev_hash` are set here), in
/// order, inside `tx`.
pub(crate) async fn append(
    tx: &DatabaseTransaction,
    events: &mut [Event],
) -> Result<(), IntegrateError> {
    let mut keys: Vec<Key> = Vec::new();
    for e in events.iter() {
        let key = (e.object_type.clone(), e.object_id.clone());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let backend = tx.get_database_backend();
    let (first, rest) = keys.split_at(keys.len().min(KEYS_PER_READ));
    let mut head = read_head(tx, first).await?;
    if head.next_seq - 1 > head.size {
        // Events an earlier version left sequenced but not yet in the tree go in first. If they
        // cannot (a gap: a pending row was deleted), nothing is written until the fault is dealt
        // with: appending past the gap would give the missing number to another event.
        super::integrate::integrate_in(tx).await?;
        head = read_head(tx, first).await?;
    }
    let mut prevs: HashMap<Key, Option<String>> =
        first.iter().cloned().zip(head.prevs.clone()).collect();
    for chunk in rest.chunks(KEYS_PER_READ) {
        prevs.extend(chunk.iter().cloned().zip(read_prevs(tx, chunk).await?));
    }
    loop {
        let appended = Appended::compute(&head, &prevs, events)?;
        let guard: Vec<(&Key, &Option<String>)> = match backend {
            DbBackend::Postgres => first.iter().map(|k| (k, &prevs[k])).collect(),
            _ => Vec::new(),
        };
        if write(tx, &appended, &guard).await? {
            return Ok(());
        }
        // PostgreSQL: an object's previous event moved while this writer waited for the lock.
        prevs.extend(first.iter().cloned().zip(read_prevs(tx, first).await?));
    }
}

/// The tree as the transaction found it, and the previous events of the first objects.
struct Head {
    size: i64,
    frontier: Vec<u8>,
    /// One past the highest sequence number an earlier version gave to a pending event.
    next_seq: i64,
    prevs: Vec<Option<String>>,
}

/// Placeholder number `n` (1-based) of a statement for `backend`.
fn param(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// `(SELECT leaf_hash …)` for each key, numbering placeholders from `from`, and their values.
fn prev_columns(backend: DbBackend, keys: &[Key], from: usize) -> (Vec<String>, Vec<Value>) {
    let mut columns = Vec::with_capacity(keys.len());
    let mut values = Vec::with_capacity(keys.len() * 2);
    for (i, (object_type, object_id)) in keys.iter().enumerate() {
        columns.push(format!(
            "(SELECT leaf_hash FROM audit_event WHERE object_type = {} AND object_id = {} \
             ORDER BY seq DESC LIMIT 1)",
            param(backend, from + 2 * i),
            param(backend, from + 2 * i + 1)
        ));
        values.push(object_type.clone().into());
        values.push(object_id.clone().into());
    }
    (columns, values)
}

async fn read_head(tx: &DatabaseTransaction, keys: &[Key]) -> Result<Head, IntegrateError> {
    let backend = tx.get_database_backend();
    let (prevs, values) = prev_columns(backend, keys, 1);
    let mut columns = vec![
        "t.size".to_owned(),
        "t.frontier".into(),
        "h.next_seq".into(),
    ];
    columns.extend(prevs);
    let lock = match backend {
        DbBackend::Postgres => " FOR UPDATE OF t",
        _ => "",
    };
    let sql = format!(
        "SELECT {} FROM audit_tree t, audit_head h WHERE t.id = 1 AND h.id = 1{lock}",
        columns.join(", ")
    );
    let row = tx
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .ok_or_else(|| IntegrateError::Tree("audit_head 或 audit_tree 缺失".into()))?;
    Ok(Head {
        size: row.try_get_by_index(0)?,
        frontier: row.try_get_by_index(1)?,
        next_seq: row.try_get_by_index(2)?,
        prevs: (0..keys.len())
            .map(|i| row.try_get_by_index(3 + i))
            .collect::<Result<_, _>>()?,
    })
}

async fn read_prevs(
    tx: &DatabaseTransaction,
    keys: &[Key],
) -> Result<Vec<Option<String>>, IntegrateError> {
    let backend = tx.get_database_backend();
    let (columns, values) = prev_columns(backend, keys, 1);
    let sql = format!("SELECT {}", columns.join(", "));
    let row = tx
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .ok_or_else(|| IntegrateError::Tree("读取对象的上一事件失败".into()))?;
    Ok((0..keys.len())
        .map(|i| row.try_get_by_index(i))
        .collect::<Result<_, _>>()?)
}

/// The rows an append writes.
struct Appended {
    /// Each event's values: `seq`, the written columns, `prev_hash`, `leaf_hash`.
    events: Vec<[Value; 13]>,
    /// Completed subtrees: level, index, hash.
    nodes: Vec<[Value; 3]>,
    /// How many nodes each event completed, in order.
    nodes_per_event: Vec<usize>,
    tree: [Value; 3],
}

impl Appended {
    fn compute(
        head: &Head,
        prevs: &HashMap<Key, Option<String>>,
        events: &mut [Event],
    ) -> Result<Self, IntegrateError> {
        let tree_error = |e: audit::FrontierError| IntegrateError::Tree(e.to_string());
        let mut frontier = audit::Frontier::from_bytes(&head.frontier).map_err(tree_error)?;
        let mut latest = prevs.clone();
        let mut rows = Vec::with_capacity(events.len());
        let mut nodes = Vec::with_capacity(events.len() * 2);
        let mut nodes_per_event = Vec::with_capacity(events.len());
        for (i, event) in events.iter_mut().enumerate() {
            let key = (event.object_type.clone(), event.object_id.clone());
            event.seq = head.size + 1 + i as i64;
            event.prev_hash = latest.get(&key).cloned().flatten();
            let leaf = audit::leaf_hash(&event.canonical_bytes());
            let before = nodes.len();
            frontier
                .append_with(leaf, |node, hash| {
                    nodes.push([
                        i32::from(node.level()).into(),
                        (node.index() as i64).into(),
                        hash.to_hex().into(),
                    ])
                })
                .map_err(tree_error)?;
            nodes_per_event.push(nodes.len() - before);
            latest.insert(key, Some(leaf.to_hex()));
            rows.push([
                event.seq.into(),
                VERSION.into(),
                event.at_ms.into(),
                event.actor_id.into(),
                event.actor_name.clone().into(),
                event.department_id.into(),
                event.ip.clone().into(),
                event.action.clone().into(),
                event.object_type.clone().into(),
                event.object_id.clone().into(),
                event.changes_json().into(),
                event.prev_hash.clone().into(),
                leaf.to_hex().into(),
            ]);
        }
        Ok(Appended {
            events: rows,
            nodes,
            nodes_per_event,
            tree: [
                (frontier.size() as i64).into(),
                frontier.to_bytes().into(),
                frontier.root().to_hex().into(),
            ],
        })
    }
}

const EVENT_COLUMNS: usize = 13;

fn event_columns() -> String {
    std::iter::once("seq")
        .chain(WRITTEN_COLUMNS)
        .chain(["prev_hash", "leaf_hash"])
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(?, ?, …)` rows of `width` placeholders, numbered on from `next` (advanced).
fn rows(backend: DbBackend, count: usize, width: usize, next: &mut usize) -> String {
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let row: Vec<String> = (0..width)
            .map(|_| {
                *next += 1;
                param(backend, *next)
            })
            .collect();
        out.push(format!("({})", row.join(", ")));
    }
    out.join(", ")
}

/// Writes the events, their nodes and the new tree head. With a guard (PostgreSQL), the first
/// statement writes only if each guarded object's latest event is still the one read; returns
/// whether it wrote.
async fn write(
    tx: &DatabaseTransaction,
    appended: &Appended,
    guard: &[(&Key, &Option<String>)],
) -> Result<bool, IntegrateError> {
    let backend = tx.get_database_backend();
    let mut node_start = 0;
    let chunks: Vec<_> = appended.events.chunks(EVENTS_PER_WRITE).collect();
    for (c, events) in chunks.iter().enumerate() {
        let first_event = c * EVENTS_PER_WRITE;
        let node_count: usize = appended.nodes_per_event[first_event..first_event + events.len()]
            .iter()
            .sum();
        let nodes = &appended.nodes[node_start..node_start + node_count];
        node_start += node_count;
        let mut values: Vec<Value> = Vec::new();
        let mut next = 0;
        let guarded = c == 0 && !guard.is_empty();
        let mut checks = Vec::new();
        if guarded {
            for ((object_type, object_id), prev) in guard {
                let (columns, keys) = prev_columns(
                    backend,
                    &[(object_type.clone(), object_id.clone())],
                    next + 1,
                );
                next += 2;
                values.extend(keys);
                next += 1;
                checks.push(format!(
                    "{} IS NOT DISTINCT FROM {}",
                    columns[0],
                    param(backend, next)
                ));
                values.push(Value::String((*prev).clone()));
            }
        }
        let event_rows = rows(backend, events.len(), EVENT_COLUMNS, &mut next);
        values.extend(events.iter().flat_map(|e| e.iter().cloned()));
        let node_rows = rows(backend, nodes.len(), 3, &mut next);
        values.extend(nodes.iter().flat_map(|n| n.iter().cloned()));
        let last = c + 1 == chunks.len();
        let tree_set = match last {
            true => {
                let set = rows(backend, 1, 3, &mut next);
                values.extend(appended.tree.iter().cloned());
                Some(set)
            }
            false => None,
        };
        let sql = match guarded {
            true => guarded_write(&checks, &event_rows, &node_rows, tree_set.as_deref()),
            false => plain_write(backend, &event_rows, &node_rows, tree_set.as_deref()),
        };
        let written = tx
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        if guarded && written.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The inserts and the tree head: on SQLite statements in turn, on PostgreSQL (one command per
/// prepared statement) one statement of data-modifying `WITH` parts.
fn plain_write(
    backend: DbBackend,
    event_rows: &str,
    node_rows: &str,
    tree: Option<&str>,
) -> String {
    let events = format!(
        "INSERT INTO audit_event ({}) VALUES {event_rows}",
        event_columns()
    );
    let nodes = (!node_rows.is_empty())
        .then(|| format!("INSERT INTO audit_node (level, idx, hash) VALUES {node_rows}"));
    let tree =
        tree.map(|t| format!("UPDATE audit_tree SET (size, frontier, root) = {t} WHERE id = 1"));
    if backend != DbBackend::Postgres {
        return [Some(events), nodes, tree]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
    }
    let mut sql = format!("WITH e AS ({events} RETURNING seq)");
    if let Some(nodes) = nodes {
        sql.push_str(&format!(", n AS ({nodes})"));
    }
    sql.push(' ');
    sql.push_str(&tree.unwrap_or_else(|| "SELECT count(*) FROM e".to_owned()));
    sql
}

/// PostgreSQL's first write: everything only if every check holds; returns a row if it wrote.
fn guarded_write(
    checks: &[String],
    event_rows: &str,
    node_rows: &str,
    tree: Option<&str>,
) -> String {
    let columns = event_columns();
    let mut sql = format!(
        "WITH ok AS (SELECT 1 AS ok WHERE {}), \
         e AS (INSERT INTO audit_event ({columns}) SELECT v.* FROM (VALUES {event_rows}) AS v({columns}), ok RETURNING seq)",
        checks.join(" AND ")
    );
    if !node_rows.is_empty() {
        sql.push_str(&format!(
            ", n AS (INSERT INTO audit_node (level, idx, hash) \
             SELECT v.* FROM (VALUES {node_rows}) AS v(level, idx, hash), ok)"
        ));
    }
    match tree {
        Some(tree) => sql.push_str(&format!(
            " UPDATE audit_tree SET (size, frontier, root) = {tree} FROM ok WHERE audit_tree.id = 1 RETURNING audit_tree.id"
        )),
        None => sql.push_str(" SELECT ok FROM ok"),
    }
    sql
}
