//! A transaction's events become leaves of the Merkle log inside that transaction.
//!
//! At the commit of an `AuditedTx` ([`append`]) its events are numbered on from the tree's last
//! leaf, each linked to its object's previous event (`prev_hash`), hashed (RFC 6962 leaf hash of
//! the canonical encoding) and appended to the tree: the completed subtrees of 16 leaves or more
//! go to `audit_node` (smaller ones a proof computes from the leaves). Nothing else is written: the
//! tree's size is its last event's number and its O(log n) frontier is made of stored subtrees
//! and the last few leaves (`checkpoints::frontier_at`). A change is in the log the moment it
//! commits, and a rolled-back change never was.
//!
//! Usually that is one statement before the COMMIT: the tree and the objects' latest events are
//! guessed from what this process last wrote (`audit::tail`) and the statement writes only if the
//! database still holds exactly that (the log's last event, each object's latest leaf). Else, or
//! when nothing can be guessed, they are read and then written on. When the transaction's last
//! change is an update, that statement also carries the update ([`append_after_update`]), and
//! appends only if the update changed its row.
//!
//! Writers take turns on the log: on SQLite `BEGIN IMMEDIATE` makes a transaction the only writer.
//! On PostgreSQL the event's number is the turn: its primary key admits one event `size + 1`, and
//! a writer that finds it taken (or waits for the writer that holds it, then finds it taken)
//! inserts nothing (`ON CONFLICT DO NOTHING`) and reads the log again. Only one can take the
//! number after the last committed event, and one that takes it has seen every event before it,
//! so what its statement read of objects' latest events is current. That wait is the last a writer
//! makes, after its business rows — waiting earlier could deadlock two writers that then wait for
//! each other's rows. Writers that read the log first queue on an advisory lock ([`LOG_LOCK`]), so
//! that they do not take turns by failing.
//!
//! Events an earlier version left in `audit_pending` are integrated first (`audit::integrate`).

use std::borrow::Cow;
use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, QueryResult, Statement, Value};

use super::checkpoints::NODES_STORED_FROM_LEVEL;
use super::event::{Event, VERSION, WRITTEN_COLUMNS};
use super::integrate::IntegrateError;
use super::tail::{Key, TAIL, TreeHead};

/// Objects whose latest event one statement reads or checks.
const KEYS_PER_READ: usize = 200;
/// Events one statement writes (13 values each, with about two nodes of 3: under SQLite's 32,766).
const EVENTS_PER_WRITE: usize = 1000;

/// PostgreSQL: the transaction lock a writer that reads the log takes first (the integration of
/// pending events too), so that such writers take turns on the log.
pub(crate) const LOG_LOCK: &str = "SELECT pg_advisory_xact_lock(5358937)";

/// What a committed append leaves for the process to remember (`audit::tail`).
pub(crate) struct Appended {
    from: i64,
    after: TreeHead,
    leaves: Vec<(Key, String)>,
}

impl Appended {
    /// Call once the transaction has committed.
    pub(crate) fn remember(self) {
        TAIL.remember(self.from, self.after, self.leaves);
    }
}

/// Numbers, links, hashes and appends `events` (their `seq` and `prev_hash` are set here), in
/// order, inside `tx`; `created` tells the objects the transaction created.
pub(crate) async fn append(
    tx: &DatabaseTransaction,
    events: &mut [Event],
    created: impl Fn(&Key) -> bool,
) -> Result<Appended, IntegrateError> {
    let keys = objects(events);
    if let Some(guess) = guess(&keys, created) {
        let mut rows = Rows::compute(&guess.tree, &guess.prevs, events)?;
        if write(tx, &mut rows, &guess.guard(&keys), None)
            .await?
            .appended
        {
            return Ok(rows.appended(guess.tree.size, events));
        }
    }
    append_read(tx, events, &keys).await
}

/// [`append`] after `update`, a statement that updates one row and returns it, as the
/// transaction's last change: when the log's tail can be guessed, the update and the append are
/// one statement (the append writes only if the update changed the row), so the change costs no
/// round trip to the database more than it would without its event. Returns the row the update
/// returned, or `None` if it changed no row (then nothing is appended).
pub(crate) async fn append_after_update(
    tx: &DatabaseTransaction,
    events: &mut [Event],
    created: impl Fn(&Key) -> bool,
    update: Statement,
) -> Result<Option<(QueryResult, Appended)>, IntegrateError> {
    let keys = objects(events);
    if let Some(guess) = guess(&keys, created) {
        let mut rows = Rows::compute(&guess.tree, &guess.prevs, events)?;
        let written = write(tx, &mut rows, &guess.guard(&keys), Some(update)).await?;
        return Ok(match (written.updated, written.appended) {
            (None, _) => None,
            (Some(row), true) => Some((row, rows.appended(guess.tree.size, events))),
            (Some(row), false) => Some((row, append_read(tx, events, &keys).await?)),
        });
    }
    let Some(row) = tx.query_one_raw(update).await? else {
        return Ok(None);
    };
    Ok(Some((row, append_read(tx, events, &keys).await?)))
}

/// The objects of `events`, each once, in order.
fn objects(events: &[Event]) -> Vec<Key> {
    let mut seen = std::collections::HashSet::new();
    events
        .iter()
        .map(|e| (e.object_type.clone(), e.object_id.clone()))
        .filter(|key| seen.insert(key.clone()))
        .collect()
}

/// The tree and the objects' latest events as this process last left them.
struct Guessed {
    tree: TreeHead,
    prevs: HashMap<Key, Option<String>>,
}

impl Guessed {
    /// The guess, checked by the write.
    fn guard<'a>(&'a self, keys: &'a [Key]) -> Guard<'a> {
        Guard {
            tree: Some(&self.tree),
            prevs: keys.iter().map(|k| (k, &self.prevs[k])).collect(),
        }
    }
}

fn guess(keys: &[Key], created: impl Fn(&Key) -> bool) -> Option<Guessed> {
    // A guess is checked by one condition per object, and SQLite's expressions nest at most
    // 1,000 deep: larger transactions read.
    if keys.len() > KEYS_PER_READ {
        return None;
    }
    let guess = TAIL.guess(keys, created)?;
    Some(Guessed {
        tree: guess.tree,
        prevs: keys.iter().cloned().zip(guess.prevs).collect(),
    })
}

/// The append when nothing could be guessed or the guess was wrong: the tree and the objects'
/// latest events are read, then written on.
async fn append_read(
    tx: &DatabaseTransaction,
    events: &mut [Event],
    keys: &[Key],
) -> Result<Appended, IntegrateError> {
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.query_one_raw(Statement::from_string(DbBackend::Postgres, LOG_LOCK))
            .await?;
    }
    let (first, rest) = keys.split_at(keys.len().min(KEYS_PER_READ));
    loop {
        let mut head = read_head(tx, first).await?;
        if head.next_seq - 1 > head.tree.size {
            // Events an earlier version left sequenced but not yet in the tree go in first. If
            // they cannot (a gap: a pending row was deleted), nothing is written until the fault is
            // dealt with: appending past the gap would give the missing number to another event.
            super::integrate::integrate_in(tx).await?;
            head = read_head(tx, first).await?;
        }
        let mut prevs: HashMap<Key, Option<String>> =
            first.iter().cloned().zip(head.prevs).collect();
        for chunk in rest.chunks(KEYS_PER_READ) {
            prevs.extend(chunk.iter().cloned().zip(read_prevs(tx, chunk).await?));
        }
        let mut rows = Rows::compute(&head.tree, &prevs, events)?;
        let unguarded = Guard {
            tree: None,
            prevs: Vec::new(),
        };
        if write(tx, &mut rows, &unguarded, None).await?.appended {
            return Ok(rows.appended(head.tree.size, events));
        }
        // PostgreSQL: a writer that guessed took the next number after this one read the log.
    }
}

/// A statement's text and values, placeholders numbered in the order they are written.
struct Sql {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend) -> Self {
        Sql {
            backend,
            values: Vec::new(),
        }
    }

    /// A statement that begins with `first`'s text and values.
    fn after(first: Statement) -> (Self, String) {
        let sql = Sql {
            backend: first.db_backend,
            values: first.values.map(|v| v.0).unwrap_or_default(),
        };
        (sql, first.sql)
    }

    /// The placeholder for `value`.
    fn bind(&mut self, value: Value) -> Cow<'static, str> {
        self.values.push(value);
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()).into(),
            _ => "?".into(),
        }
    }

    /// `(…), (…)` rows of placeholders.
    fn rows<const W: usize>(&mut self, rows: Vec<[Value; W]>) -> String {
        // Written into one string: a statement can hold thousands of placeholders.
        let mut text = String::with_capacity(rows.len() * W * 5);
        for (r, row) in rows.into_iter().enumerate() {
            text.push_str(if r == 0 { "(" } else { ", (" });
            for (i, value) in row.into_iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                text.push_str(&self.bind(value));
            }
            text.push(')');
        }
        text
    }

    /// The leaf hash of `key`'s latest event, as a subquery.
    fn latest(&mut self, (object_type, object_id): &Key) -> String {
        format!(
            "(SELECT leaf_hash FROM audit_event WHERE object_type = {} AND object_id = {} \
             ORDER BY seq DESC LIMIT 1)",
            self.bind(object_type.clone().into()),
            self.bind(object_id.clone().into())
        )
    }

    /// `key`'s latest event is `leaf` (or there is none, for `None`).
    fn latest_is(&mut self, key: &Key, leaf: &Option<String>) -> String {
        let latest = self.latest(key);
        let leaf = self.bind(Value::String(leaf.clone()));
        format!("{latest} {} {leaf}", self.equal())
    }

    /// This is the log `tree.log` and its event `tree.size` is there with the leaf hash
    /// `tree.last_leaf` (for 0: no event is). On SQLite also that no event follows it; on
    /// PostgreSQL the insert of the next finds that out.
    fn log_is_at(&mut self, tree: &TreeHead) -> String {
        let log = self.bind(tree.log.clone().into());
        let seq = self.bind(tree.size.into());
        let leaf = self.bind(Value::String(tree.last_leaf.clone()));
        let at = format!(
            "(SELECT log_id FROM audit_log WHERE id = 1) = {log} AND \
             (SELECT leaf_hash FROM audit_event WHERE seq = {seq}) {} {leaf}",
            self.equal()
        );
        if self.backend == DbBackend::Postgres {
            return at;
        }
        let size = self.bind(tree.size.into());
        format!("{at} AND COALESCE((SELECT MAX(seq) FROM audit_event), 0) = {size}")
    }

    fn equal(&self) -> &'static str {
        match self.backend {
            DbBackend::Postgres => "IS NOT DISTINCT FROM",
            _ => "IS",
        }
    }

    fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

/// The tree as the transaction found it, and the latest events of the first objects.
struct Head {
    tree: TreeHead,
    /// One past the highest sequence number an earlier version gave to a pending event.
    next_seq: i64,
    prevs: Vec<Option<String>>,
}

async fn read_head(tx: &DatabaseTransaction, keys: &[Key]) -> Result<Head, IntegrateError> {
    let mut sql = Sql::new(tx.get_database_backend());
    let mut columns = vec![
        "(SELECT seq FROM audit_event ORDER BY seq DESC LIMIT 1)".to_owned(),
        "(SELECT leaf_hash FROM audit_event ORDER BY seq DESC LIMIT 1)".into(),
        "h.next_seq".into(),
        "(SELECT log_id FROM audit_log WHERE id = 1)".into(),
    ];
    columns.extend(keys.iter().map(|k| sql.latest(k)));
    let text = format!(
        "SELECT {} FROM audit_head h WHERE h.id = 1",
        columns.join(", ")
    );
    let row = tx
        .query_one_raw(sql.statement(text))
        .await?
        .ok_or_else(|| IntegrateError::Tree("audit_head 缺失".into()))?;
    let size: Option<i64> = row.try_get_by_index(0)?;
    let size = size.unwrap_or(0);
    let frontier = super::checkpoints::frontier_at(tx, size as u64).await?;
    Ok(Head {
        tree: TreeHead {
            log: row.try_get_by_index(3)?,
            size,
            last_leaf: row.try_get_by_index(1)?,
            frontier: frontier.to_bytes(),
        },
        next_seq: row.try_get_by_index(2)?,
        prevs: (0..keys.len())
            .map(|i| row.try_get_by_index(4 + i))
            .collect::<Result<_, _>>()?,
    })
}

async fn read_prevs(
    tx: &DatabaseTransaction,
    keys: &[Key],
) -> Result<Vec<Option<String>>, IntegrateError> {
    let mut sql = Sql::new(tx.get_database_backend());
    let columns: Vec<String> = keys.iter().map(|k| sql.latest(k)).collect();
    let text = format!("SELECT {}", columns.join(", "));
    let row = tx
        .query_one_raw(sql.statement(text))
        .await?
        .ok_or_else(|| IntegrateError::Tree("读取对象的上一事件失败".into()))?;
    Ok((0..keys.len())
        .map(|i| row.try_get_by_index(i))
        .collect::<Result<_, _>>()?)
}

/// The rows an append writes.
struct Rows {
    /// Each event's values: `seq`, the written columns, `prev_hash`, `leaf_hash` (taken by
    /// [`write`]).
    events: Vec<[Value; 13]>,
    /// Completed subtrees: level, index, hash (taken by [`write`]).
    nodes: Vec<[Value; 3]>,
    /// How many nodes each event completed, in order.
    nodes_per_event: Vec<usize>,
    /// Each event's leaf hash.
    leaves: Vec<String>,
    tree: TreeHead,
}

impl Rows {
    fn compute(
        tree: &TreeHead,
        prevs: &HashMap<Key, Option<String>>,
        events: &mut [Event],
    ) -> Result<Self, IntegrateError> {
        let tree_error = |e: audit::FrontierError| IntegrateError::Tree(e.to_string());
        let mut frontier = audit::Frontier::from_bytes(&tree.frontier).map_err(tree_error)?;
        let mut latest = prevs.clone();
        let mut rows = Vec::with_capacity(events.len());
        let mut nodes = Vec::with_capacity(events.len() * 2);
        let mut nodes_per_event = Vec::with_capacity(events.len());
        let mut leaves = Vec::with_capacity(events.len());
        for (i, event) in events.iter_mut().enumerate() {
            let key = (event.object_type.clone(), event.object_id.clone());
            event.seq = tree.size + 1 + i as i64;
            event.prev_hash = latest.get(&key).cloned().flatten();
            let leaf = audit::leaf_hash(&event.canonical_bytes());
            let before = nodes.len();
            frontier
                .append_with(leaf, |node, hash| {
                    if node.level() < NODES_STORED_FROM_LEVEL {
                        return;
                    }
                    nodes.push([
                        i32::from(node.level()).into(),
                        (node.index() as i64).into(),
                        hash.to_hex().into(),
                    ])
                })
                .map_err(tree_error)?;
            nodes_per_event.push(nodes.len() - before);
            let leaf = leaf.to_hex();
            latest.insert(key, Some(leaf.clone()));
            leaves.push(leaf.clone());
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
                leaf.into(),
            ]);
        }
        Ok(Rows {
            events: rows,
            nodes,
            nodes_per_event,
            tree: TreeHead {
                log: tree.log.clone(),
                size: frontier.size() as i64,
                last_leaf: leaves.last().cloned().or_else(|| tree.last_leaf.clone()),
                frontier: frontier.to_bytes(),
            },
            leaves,
        })
    }

    /// What the process remembers once these rows, appended onto a tree of size `from`, commit.
    fn appended(self, from: i64, events: &[Event]) -> Appended {
        let leaves = events
            .iter()
            .zip(self.leaves)
            .map(|(e, leaf)| ((e.object_type.clone(), e.object_id.clone()), leaf))
            .collect();
        Appended {
            from,
            after: self.tree,
            leaves,
        }
    }
}

/// A guessed tree holds only if no event an earlier version left pending waits to go in before
/// (the read path integrates them first).
const NO_PENDING: &str = "NOT EXISTS (SELECT 1 FROM audit_pending)";

/// What the first write statement checks before it writes anything.
struct Guard<'a> {
    /// The tree as guessed: its size and last leaf.
    tree: Option<&'a TreeHead>,
    /// Objects' latest events, as guessed or read.
    prevs: Vec<(&'a Key, &'a Option<String>)>,
}

const EVENT_COLUMNS: &str = "seq, version, at, actor_id, actor_name, department_id, ip, action, \
                             object_type, object_id, changes, prev_hash, leaf_hash";

/// What [`write`] did.
struct Written {
    /// The row the update written first returned, if it changed one.
    updated: Option<QueryResult>,
    appended: bool,
}

/// Writes the events and their nodes (the rows' values go into the statements). With a guard, the
/// first statement writes only if everything it checks holds; on PostgreSQL it writes only if the
/// first event's number is free. With `update` (guarded writes only), the first statement begins
/// with it and writes the rest only if it changed a row.
async fn write(
    tx: &DatabaseTransaction,
    rows: &mut Rows,
    guard: &Guard<'_>,
    update: Option<Statement>,
) -> Result<Written, IntegrateError> {
    debug_assert_eq!(EVENT_COLUMNS.split(", ").count(), WRITTEN_COLUMNS.len() + 3);
    let backend = tx.get_database_backend();
    let guarded = guard.tree.is_some() || !guard.prevs.is_empty();
    let mut update = update.map(Sql::after);
    let mut updated = None;
    let total = rows.events.len();
    let mut all_events = std::mem::take(&mut rows.events).into_iter();
    let mut all_nodes = std::mem::take(&mut rows.nodes).into_iter();
    for (c, first) in (0..total).step_by(EVENTS_PER_WRITE).enumerate() {
        let count = EVENTS_PER_WRITE.min(total - first);
        let node_count: usize = rows.nodes_per_event[first..first + count].iter().sum();
        let events = all_events.by_ref().take(count).collect();
        let nodes = all_nodes.by_ref().take(node_count).collect();
        let (mut sql, before) = match update.take() {
            Some((sql, text)) => (sql, Some(text)),
            None => (Sql::new(backend), None),
        };
        let riding = before.is_some();
        let checked = c == 0 && (guarded || backend == DbBackend::Postgres);
        let text = match (checked, backend) {
            (true, DbBackend::Postgres) => guarded_pg(&mut sql, events, nodes, guard, before),
            (true, _) => guarded_sqlite(&mut sql, rows, events, nodes, guard, before),
            (false, _) => inserts(&mut sql, events, nodes),
        };
        let mut written = tx.query_all_raw(sql.statement(text)).await?;
        if checked {
            let appended = match (riding, backend) {
                (true, DbBackend::Postgres) => match written.first() {
                    Some(row) => row.try_get::<bool>("", "audit_appended")?,
                    None => false,
                },
                // The update's row (if it changed one), then the events' numbers (if appended).
                (true, _) => written.len() > 1,
                (false, _) => !written.is_empty(),
            };
            if riding && !written.is_empty() {
                updated = Some(written.swap_remove(0));
            }
            if !appended {
                return Ok(Written {
                    updated,
                    appended: false,
                });
            }
        }
    }
    Ok(Written {
        updated,
        appended: true,
    })
}

/// Unchecked: the inserts. On SQLite statements in turn; on PostgreSQL (one command per prepared
/// statement) data-modifying `WITH` parts.
fn inserts(sql: &mut Sql, events: Vec<[Value; 13]>, nodes: Vec<[Value; 3]>) -> String {
    let events = format!(
        "INSERT INTO audit_event ({EVENT_COLUMNS}) VALUES {}",
        sql.rows(events)
    );
    let nodes = (!nodes.is_empty()).then(|| {
        format!(
            "INSERT INTO audit_node (level, idx, hash) VALUES {}",
            sql.rows(nodes)
        )
    });
    if sql.backend != DbBackend::Postgres {
        return [Some(events), nodes]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
    }
    let mut text = format!("WITH e AS ({events} RETURNING seq)");
    if let Some(nodes) = nodes {
        text.push_str(&format!(", n AS ({nodes})"));
    }
    text.push_str(" SELECT count(*) FROM e");
    text
}

/// SQLite: the events are inserted only if the checks hold (returning their numbers), their nodes
/// only if the events are in. After `update`, only if it changed a row.
fn guarded_sqlite(
    sql: &mut Sql,
    rows: &Rows,
    events: Vec<[Value; 13]>,
    nodes: Vec<[Value; 3]>,
    guard: &Guard<'_>,
    update: Option<String>,
) -> String {
    // Placeholders are numbered in the order they are bound: the values, then the checks.
    let values = sql.rows(events);
    let mut checks = Vec::new();
    if update.is_some() {
        // `changes()`: the rows the statement before this one changed.
        checks.push("changes() = 1".to_owned());
    }
    if let Some(tree) = guard.tree {
        checks.push(format!("{} AND {NO_PENDING}", sql.log_is_at(tree)));
    }
    checks.extend(guard.prevs.iter().map(|(k, leaf)| sql.latest_is(k, leaf)));
    // The checks read `audit_event`, so SQLite reads every row to insert before it inserts one.
    let mut text = format!(
        "INSERT INTO audit_event ({EVENT_COLUMNS}) SELECT * FROM (VALUES {values}) WHERE {} \
         RETURNING seq",
        checks.join(" AND ")
    );
    if let Some(update) = update {
        text = format!("{update}; {text}");
    }
    if !nodes.is_empty() {
        let values = sql.rows(nodes);
        let when = sql.log_is_at(&rows.tree);
        text.push_str(&format!(
            "; INSERT INTO audit_node (level, idx, hash) SELECT * FROM (VALUES {values}) WHERE {when}"
        ));
    }
    text
}

/// PostgreSQL: the first event is inserted only if the checks hold and its number is free, the
/// others and the nodes only with it; returns a row if it wrote. After `update`, only if it changed
/// a row, whose lock it takes first (the wait for the number stays the last); returns that row,
/// with `audit_appended`.
fn guarded_pg(
    sql: &mut Sql,
    events: Vec<[Value; 13]>,
    nodes: Vec<[Value; 3]>,
    guard: &Guard<'_>,
    update: Option<String>,
) -> String {
    let mut checks: Vec<String> = guard
        .prevs
        .iter()
        .map(|(k, leaf)| sql.latest_is(k, leaf))
        .collect();
    if let Some(tree) = guard.tree {
        checks.push(format!("{} AND {NO_PENDING}", sql.log_is_at(tree)));
    }
    if checks.is_empty() {
        checks.push("TRUE".into());
    }
    let (with, ok_from) = match &update {
        Some(update) => (format!("u AS ({update}), "), " FROM u"),
        None => (String::new(), ""),
    };
    let mut events = events.into_iter();
    let first = sql.rows(events.by_ref().take(1).collect());
    let mut text = format!(
        "WITH {with}ok AS (SELECT 1 AS ok{ok_from} WHERE {}), \
         e AS (INSERT INTO audit_event ({EVENT_COLUMNS}) SELECT v.* FROM (VALUES {first}) \
         AS v({EVENT_COLUMNS}), ok ON CONFLICT (seq) DO NOTHING RETURNING seq)",
        checks.join(" AND ")
    );
    let rest: Vec<_> = events.collect();
    if !rest.is_empty() {
        text.push_str(&format!(
            ", r AS (INSERT INTO audit_event ({EVENT_COLUMNS}) SELECT v.* FROM (VALUES {}) \
             AS v({EVENT_COLUMNS}), e)",
            sql.rows(rest)
        ));
    }
    if !nodes.is_empty() {
        text.push_str(&format!(
            ", n AS (INSERT INTO audit_node (level, idx, hash) \
             SELECT v.* FROM (VALUES {}) AS v(level, idx, hash), e)",
            sql.rows(nodes)
        ));
    }
    text.push_str(match update {
        Some(_) => " SELECT u.*, EXISTS (SELECT 1 FROM e) AS audit_appended FROM u",
        None => " SELECT seq FROM e",
    });
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};

    fn note(object_id: &str) -> Event {
        Event {
            seq: 0,
            at_ms: 1_796_000_000_000,
            actor_id: None,
            actor_name: "测试".into(),
            department_id: None,
            ip: "-".into(),
            action: "test.note".into(),
            object_type: "test".into(),
            object_id: object_id.into(),
            changes: [("n".to_owned(), [serde_json::Value::Null, 1.into()])]
                .into_iter()
                .collect(),
            prev_hash: None,
        }
    }

    async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("query")
            .expect("a row");
        row.try_get_by_index(0).expect("an integer")
    }

    /// The guessed append, as one statement: it writes when the log is as guessed (the events and
    /// the node they complete, numbered on, linked), and writes nothing when it is not.
    #[tokio::test]
    async fn a_guessed_append_writes_only_on_the_log_it_guessed() {
        let dir = std::env::temp_dir().join(format!("sunlight-guess-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = crate::db::open(&crate::db::Location::SqliteDir(dir.clone()))
            .await
            .expect("open");
        let keys = vec![("test".to_owned(), "a".to_owned())];
        let immediate = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        // Fifteen events for "a", read and written; the sixteenth completes a stored node.
        let tx = db.begin_with_options(immediate).await.expect("begin");
        let mut events: Vec<Event> = (0..15).map(|_| note("a")).collect();
        append_read(&tx, &mut events, &keys).await.expect("append");
        tx.commit().await.expect("commit");
        let tx = db.begin_with_options(immediate).await.expect("begin");
        let head = read_head(&tx, &keys).await.expect("head");
        assert_eq!(head.tree.size, 15);
        let prevs: HashMap<Key, Option<String>> =
            keys.iter().cloned().zip(head.prevs.clone()).collect();

        // Guessed wrong: a log one event shorter, another latest event of "a", another log.
        let shorter = TreeHead {
            log: head.tree.log.clone(),
            size: 14,
            last_leaf: events[14].prev_hash.clone(),
            frontier: audit::Frontier::new().to_bytes(),
        };
        let stale = Some("00".repeat(32));
        // Or the same log as far as its last event goes, but another database's.
        let elsewhere = TreeHead {
            log: "another log".into(),
            ..head.tree.clone()
        };
        for (tree, prev) in [
            (&shorter, &prevs[&keys[0]]),
            (&head.tree, &stale),
            (&elsewhere, &prevs[&keys[0]]),
        ] {
            let mut new = vec![note("a")];
            let mut rows = Rows::compute(tree, &prevs, &mut new).expect("rows");
            let guard = Guard {
                tree: Some(tree),
                prevs: vec![(&keys[0], prev)],
            };
            let written = write(&tx, &mut rows, &guard, None).await.expect("write");
            assert!(!written.appended);
        }
        assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_event").await, 15);

        // Guessed right: written, numbered 16, linked to event 15, and the node of 1..=16 stored.
        let mut new = vec![note("a")];
        let mut rows = Rows::compute(&head.tree, &prevs, &mut new).expect("rows");
        let guard = Guard {
            tree: Some(&head.tree),
            prevs: vec![(&keys[0], &prevs[&keys[0]])],
        };
        let written = write(&tx, &mut rows, &guard, None).await.expect("write");
        assert!(written.appended);
        tx.commit().await.expect("commit");
        assert_eq!(new[0].seq, 16);
        assert_eq!(new[0].prev_hash, head.tree.last_leaf);
        assert_eq!(count(&db, "SELECT MAX(seq) FROM audit_event").await, 16);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_node WHERE level = 4 AND idx = 0"
            )
            .await,
            1
        );
        let stored = crate::audit::checkpoints::tree_head(&db)
            .await
            .expect("head");
        let leaves: Vec<audit::Hash> = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT leaf_hash FROM audit_event ORDER BY seq",
            ))
            .await
            .expect("leaves")
            .iter()
            .map(|r| {
                audit::Hash::from_hex(&r.try_get_by_index::<String>(0).expect("hex")).expect("hash")
            })
            .collect();
        assert_eq!(stored.root, audit::root_of_leaves(&leaves));
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
