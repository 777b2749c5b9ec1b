//! A transaction's events become leaves of the Merkle log inside that transaction.
//!
//! At the commit of an `AuditedTx` ([`append`]) its events are numbered on from the tree's last
//! leaf, each linked to its object's previous event (`prev_hash`), hashed (RFC 6962 leaf hash of
//! the canonical encoding) and appended to the tree: the completed subtrees of 16 leaves or more
//! go to `audit_node` (smaller ones a proof computes from the leaves), the O(log n) frontier and
//! the root to `audit_tree`. A change is in the log the moment it commits, and a rolled-back
//! change never was.
//!
//! Usually that is one statement before the COMMIT: the tree and the objects' latest events are
//! guessed from what this process last wrote (`audit::tail`) and the statement writes only if the
//! database still holds exactly that (the tree's size and root, each object's latest leaf). Else,
//! or when nothing can be guessed, one statement reads them and another writes. When the
//! transaction's last change is an update, that statement also carries the update
//! ([`append_after_update`]), and appends only if the update changed its row.
//!
//! Writers take turns on the log: on SQLite `BEGIN IMMEDIATE` makes a transaction the only writer;
//! on PostgreSQL the tree's row is locked by the first of those statements, the last lock a writer
//! takes — taking it with the first write could deadlock two writers that then wait for each
//! other's business rows. A PostgreSQL statement reads as of its start, so the latest events its
//! read found may predate a writer that held the lock while it waited: the write checks them again,
//! under the lock, and writes nothing if one moved; they are then read again (now current).
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
    let (first, rest) = keys.split_at(keys.len().min(KEYS_PER_READ));
    let mut head = read_head(tx, first).await?;
    if head.next_seq - 1 > head.tree.size {
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
        let mut rows = Rows::compute(&head.tree, &prevs, events)?;
        let guard = Guard {
            tree: None,
            prevs: match tx.get_database_backend() {
                DbBackend::Postgres => first.iter().map(|k| (k, &prevs[k])).collect(),
                _ => Vec::new(),
            },
        };
        if write(tx, &mut rows, &guard, None).await?.appended {
            return Ok(rows.appended(head.tree.size, events));
        }
        // PostgreSQL: an object's latest event moved while this writer waited for the lock.
        prevs.extend(first.iter().cloned().zip(read_prevs(tx, first).await?));
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
        let equal = match self.backend {
            DbBackend::Postgres => "IS NOT DISTINCT FROM",
            _ => "IS",
        };
        format!(
            "{latest} {equal} {}",
            self.bind(Value::String(leaf.clone()))
        )
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
        "t.size".to_owned(),
        "t.root".into(),
        "t.frontier".into(),
        "h.next_seq".into(),
    ];
    columns.extend(keys.iter().map(|k| sql.latest(k)));
    let lock = match sql.backend {
        DbBackend::Postgres => " FOR UPDATE OF t",
        _ => "",
    };
    let text = format!(
        "SELECT {} FROM audit_tree t, audit_head h WHERE t.id = 1 AND h.id = 1{lock}",
        columns.join(", ")
    );
    let row = tx
        .query_one_raw(sql.statement(text))
        .await?
        .ok_or_else(|| IntegrateError::Tree("audit_head 或 audit_tree 缺失".into()))?;
    Ok(Head {
        tree: TreeHead {
            size: row.try_get_by_index(0)?,
            root: row.try_get_by_index(1)?,
            frontier: row.try_get_by_index(2)?,
        },
        next_seq: row.try_get_by_index(3)?,
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
            leaves,
            tree: TreeHead {
                size: frontier.size() as i64,
                root: frontier.root().to_hex(),
                frontier: frontier.to_bytes(),
            },
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

    fn tree_values(&self) -> [Value; 3] {
        [
            self.tree.size.into(),
            self.tree.frontier.clone().into(),
            self.tree.root.clone().into(),
        ]
    }
}

/// A guessed tree holds only if no event an earlier version left pending waits to go in before
/// (the read path integrates them first).
const NO_PENDING: &str = "NOT EXISTS (SELECT 1 FROM audit_pending)";

/// What the first write statement checks before it writes anything.
struct Guard<'a> {
    /// The tree as guessed: its size and root.
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

/// Writes the events, their nodes and the new tree head (the rows' values go into the statements).
/// With a guard, the first statement writes only if everything it checks holds. With `update`
/// (guarded writes only), the first statement begins with it and writes the rest only if it changed
/// a row.
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
        let text = match (c, guarded, backend) {
            (0, true, DbBackend::Postgres) => {
                guarded_pg(&mut sql, rows, events, nodes, guard, before)
            }
            (0, true, _) => guarded_sqlite(&mut sql, rows, events, nodes, guard, before),
            (0, false, _) => inserts(&mut sql, events, nodes, Some(&*rows)),
            _ => inserts(&mut sql, events, nodes, None),
        };
        let mut written = tx.query_all_raw(sql.statement(text)).await?;
        if c == 0 && guarded {
            let appended = match (riding, backend) {
                // The update's row (if it changed one), then the tree's (if it was appended to).
                (true, DbBackend::Postgres) => match written.first() {
                    Some(row) => row.try_get::<bool>("", "audit_appended")?,
                    None => false,
                },
                (true, _) => written.len() == 2,
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

/// Unchecked: the inserts and, with `tree`, the new tree head. On SQLite statements in turn; on
/// PostgreSQL (one command per prepared statement) data-modifying `WITH` parts.
fn inserts(
    sql: &mut Sql,
    events: Vec<[Value; 13]>,
    nodes: Vec<[Value; 3]>,
    tree: Option<&Rows>,
) -> String {
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
    let tree = tree.map(|rows| {
        format!(
            "UPDATE audit_tree SET (size, frontier, root) = {} WHERE id = 1",
            sql.rows(vec![rows.tree_values()])
        )
    });
    if sql.backend != DbBackend::Postgres {
        return [Some(events), nodes, tree]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
    }
    let mut text = format!("WITH e AS ({events} RETURNING seq)");
    if let Some(nodes) = nodes {
        text.push_str(&format!(", n AS ({nodes})"));
    }
    text.push(' ');
    text.push_str(&tree.unwrap_or_else(|| "SELECT count(*) FROM e".to_owned()));
    text
}

/// SQLite: the tree head is updated only if the checks hold (returning its row), and the rows are
/// inserted only if the tree now has the new head. After `update`, only if it changed a row.
fn guarded_sqlite(
    sql: &mut Sql,
    rows: &Rows,
    events: Vec<[Value; 13]>,
    nodes: Vec<[Value; 3]>,
    guard: &Guard<'_>,
    update: Option<String>,
) -> String {
    let set = sql.rows(vec![rows.tree_values()]);
    let mut checks = Vec::new();
    if update.is_some() {
        // `changes()`: the rows the statement before this one changed.
        checks.push("changes() = 1".to_owned());
    }
    if let Some(tree) = guard.tree {
        let size = sql.bind(tree.size.into());
        let root = sql.bind(tree.root.clone().into());
        checks.push(format!("size = {size} AND root = {root} AND {NO_PENDING}"));
    }
    checks.extend(guard.prevs.iter().map(|(k, leaf)| sql.latest_is(k, leaf)));
    let mut text = format!(
        "UPDATE audit_tree SET (size, frontier, root) = {set} WHERE id = 1 AND {} RETURNING id",
        checks.join(" AND ")
    );
    if let Some(update) = update {
        text = format!("{update}; {text}");
    }
    let applied = |sql: &mut Sql| {
        format!(
            "EXISTS (SELECT 1 FROM audit_tree WHERE id = 1 AND size = {} AND root = {})",
            sql.bind(rows.tree.size.into()),
            sql.bind(rows.tree.root.clone().into())
        )
    };
    let values = sql.rows(events);
    let when = applied(sql);
    text.push_str(&format!(
        "; INSERT INTO audit_event ({EVENT_COLUMNS}) SELECT * FROM (VALUES {values}) WHERE {when}"
    ));
    if !nodes.is_empty() {
        let values = sql.rows(nodes);
        let when = applied(sql);
        text.push_str(&format!(
            "; INSERT INTO audit_node (level, idx, hash) SELECT * FROM (VALUES {values}) WHERE {when}"
        ));
    }
    text
}

/// PostgreSQL: the tree head is updated only if the checks hold — its size and root checked on the
/// row as it is once locked — and the rows are inserted only with it; returns a row if it wrote.
/// After `update`, only if it changed a row, whose lock it takes first (the tree's stays the last
/// lock); returns that row, with `audit_appended`.
fn guarded_pg(
    sql: &mut Sql,
    rows: &Rows,
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
    if guard.tree.is_some() {
        checks.push(NO_PENDING.into());
    }
    if checks.is_empty() {
        checks.push("TRUE".into());
    }
    let set = sql.rows(vec![rows.tree_values()]);
    let tree_check = match guard.tree {
        Some(tree) => format!(
            " AND audit_tree.size = {} AND audit_tree.root = {}",
            sql.bind(tree.size.into()),
            sql.bind(tree.root.clone().into())
        ),
        None => String::new(),
    };
    let (with, ok_from) = match &update {
        Some(update) => (format!("u AS ({update}), "), " FROM u"),
        None => (String::new(), ""),
    };
    let mut text = format!(
        "WITH {with}ok AS (SELECT 1 AS ok{ok_from} WHERE {}), \
         t AS (UPDATE audit_tree SET (size, frontier, root) = {set} FROM ok \
         WHERE audit_tree.id = 1{tree_check} RETURNING audit_tree.id), \
         e AS (INSERT INTO audit_event ({EVENT_COLUMNS}) SELECT v.* FROM (VALUES {}) AS v({EVENT_COLUMNS}), t)",
        checks.join(" AND "),
        sql.rows(events)
    );
    if !nodes.is_empty() {
        text.push_str(&format!(
            ", n AS (INSERT INTO audit_node (level, idx, hash) \
             SELECT v.* FROM (VALUES {}) AS v(level, idx, hash), t)",
            sql.rows(nodes)
        ));
    }
    text.push_str(match update {
        Some(_) => " SELECT u.*, EXISTS (SELECT 1 FROM t) AS audit_appended FROM u",
        None => " SELECT id FROM t",
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

    async fn scalar(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("query")
            .expect("a row");
        row.try_get_by_index(0).expect("an integer")
    }

    /// The guessed append, as one statement (its placeholders bound in the order they are
    /// written): it writes when the log is as guessed — the event numbered on and linked, the node
    /// it completes, the new head — and writes nothing when it is not.
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

        // Guessed wrong: a log one event shorter, or another latest event of "a".
        let shorter = TreeHead {
            size: 14,
            ..head.tree.clone()
        };
        let stale = Some("00".repeat(32));
        for (tree, prev) in [(&shorter, &prevs[&keys[0]]), (&head.tree, &stale)] {
            let mut new = vec![note("a")];
            let mut rows = Rows::compute(tree, &prevs, &mut new).expect("rows");
            let guard = Guard {
                tree: Some(tree),
                prevs: vec![(&keys[0], prev)],
            };
            let written = write(&tx, &mut rows, &guard, None).await.expect("write");
            assert!(!written.appended);
        }
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM audit_event").await, 15);

        // Guessed right: written, numbered 16, linked to event 15, the node of 1..=16 stored.
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
        assert_eq!(new[0].prev_hash, prevs[&keys[0]]);
        assert_eq!(scalar(&db, "SELECT MAX(seq) FROM audit_event").await, 16);
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM audit_node WHERE level = 4 AND idx = 0"
            )
            .await,
            1
        );
        let leaves: Vec<audit::Hash> = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT leaf_hash FROM audit_event ORDER BY seq",
            ))
            .await
            .expect("leaves")
            .iter()
            .map(|r| {
                let hex: String = r.try_get_by_index(0).expect("hex");
                audit::Hash::from_hex(&hex).expect("hash")
            })
            .collect();
        let head = crate::audit::checkpoints::tree_head(&db)
            .await
            .expect("head");
        assert_eq!((head.size, head.root), (16, audit::root_of_leaves(&leaves)));
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
