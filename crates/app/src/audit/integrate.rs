//! Integration of pending events: the events an earlier version of Sunlight sequenced inside the
//! write (one insert into `audit_pending`) and put in the Merkle log after the commit.
//!
//! Writes now append their events to the log inside their own transaction (`audit::append`), so a
//! pending event exists only in a database an earlier version wrote. They are integrated in
//! sequence order, in batches inside one transaction: each linked to its object's previous event
//! (`prev_hash`), hashed and appended to the tree — at the server's start, by the first write that
//! finds them (before its own events, [`integrate_in`]), and by the verifier.
//!
//! Pending sequence numbers were gap-free and in commit order, so they are a contiguous run after
//! the tree's last leaf; a gap means a pending row was deleted, and integration stops there with the
//! first missing number.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};

use super::entity as audit_event;
use super::event::{Event, WRITTEN_COLUMNS};

/// Pending events integrated per transaction.
const BATCH: i64 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum IntegrateError {
    #[error("数据库错误：{0}")]
    Db(#[from] DbErr),
    #[error("待入账的审计事件缺少第{0}号：事件在入账前被删除过")]
    Missing(i64),
    #[error("待入账的第{seq}号审计事件无法读取：{why}")]
    Unreadable { seq: i64, why: String },
    #[error("审计树损坏：{0}")]
    Tree(String),
}

impl IntegrateError {
    /// The sequence number the error is about, and the same message in English (for the verifier).
    pub fn english(&self) -> (Option<i64>, String) {
        match self {
            IntegrateError::Db(e) => (None, format!("database error: {e}")),
            IntegrateError::Missing(seq) => (
                Some(*seq),
                format!("pending audit event {seq} is missing: it was deleted before integration"),
            ),
            IntegrateError::Unreadable { seq, why } => (
                Some(*seq),
                format!("pending audit event {seq} cannot be read: {why}"),
            ),
            IntegrateError::Tree(why) => (None, format!("the audit tree is corrupt: {why}")),
        }
    }
}

/// Integrates every pending event; returns how many. Costs one read when nothing is pending.
pub async fn integrate(db: &DatabaseConnection) -> Result<u64, IntegrateError> {
    let head = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT h.next_seq, t.size FROM audit_head h, audit_tree t WHERE h.id = 1 AND t.id = 1",
        ))
        .await?
        .ok_or_else(|| IntegrateError::Tree("audit_head 或 audit_tree 缺失".into()))?;
    let next_seq: i64 = head.try_get_by_index(0)?;
    let size: i64 = head.try_get_by_index(1)?;
    if next_seq - 1 <= size {
        return Ok(0);
    }
    let tx = lock(db).await?;
    let done = integrate_in(&tx).await?;
    tx.commit().await?;
    Ok(done)
}

/// The pending row, as the writer stored it.
struct Pending {
    seq: i64,
    version: i32,
    event: Event,
    changes: String,
}

/// Integrates every pending event inside `tx`, which holds the log (a writer about to append).
pub(crate) async fn integrate_in(tx: &DatabaseTransaction) -> Result<u64, IntegrateError> {
    let mut total = 0;
    loop {
        let done = batch_in(tx).await?;
        total += done;
        if done < BATCH as u64 {
            return Ok(total);
        }
    }
}

/// One batch of pending events into the log, inside `tx`, which holds the log.
async fn batch_in(tx: &DatabaseTransaction) -> Result<u64, IntegrateError> {
    let backend = tx.get_database_backend();
    let head = tx
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT t.size, t.frontier, h.next_seq FROM audit_tree t, audit_head h WHERE t.id = 1 AND h.id = 1",
        ))
        .await?
        .ok_or_else(|| IntegrateError::Tree("audit_head 或 audit_tree 缺失".into()))?;
    let size: i64 = head.try_get_by_index(0)?;
    let frontier: Vec<u8> = head.try_get_by_index(1)?;
    let next_seq: i64 = head.try_get_by_index(2)?;
    let pending = read_pending(tx, size).await?;
    // Sequence numbers run on from the tree's last leaf without a gap, up to the head's counter.
    let mut expected = size + 1;
    for p in &pending {
        if p.seq != expected {
            return Err(IntegrateError::Missing(expected));
        }
        expected += 1;
    }
    if pending.len() < BATCH as usize && expected < next_seq {
        return Err(IntegrateError::Missing(expected));
    }
    let Some(last) = pending.last().map(|p| p.seq) else {
        return Ok(0);
    };
    let mut latest: HashMap<(String, String), String> = HashMap::new();
    let mut leaves = Vec::with_capacity(pending.len());
    let mut events = event_insert();
    for Pending {
        seq,
        version,
        mut event,
        changes,
    } in pending
    {
        let key = (event.object_type.clone(), event.object_id.clone());
        event.prev_hash = match latest.get(&key) {
            Some(prev) => Some(prev.clone()),
            None => previous_leaf(tx, &key).await?,
        };
        let leaf = audit::leaf_hash(&event.canonical_bytes());
        latest.insert(key, leaf.to_hex());
        events.values_panic([
            seq.into(),
            version.into(),
            event.at_ms.into(),
            event.actor_id.into(),
            event.actor_name.into(),
            event.department_id.into(),
            event.ip.into(),
            event.action.into(),
            event.object_type.into(),
            event.object_id.into(),
            changes.into(),
            event.prev_hash.into(),
            leaf.to_hex().into(),
        ]);
        leaves.push(leaf);
    }
    let batch = tree_updates(backend, &events, last, &frontier, &leaves)?;
    tx.execute_unprepared(&batch).await?;
    Ok(leaves.len() as u64)
}

/// The log to itself: SQLite's `BEGIN IMMEDIATE`, PostgreSQL's lock on the tree's row (which a
/// writer takes too, at its commit).
async fn lock(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let tx = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    if crate::db::is_postgres(&tx) {
        tx.execute_unprepared("SELECT id FROM audit_tree WHERE id = 1 FOR UPDATE")
            .await?;
    }
    Ok(tx)
}

async fn read_pending(tx: &DatabaseTransaction, size: i64) -> Result<Vec<Pending>, IntegrateError> {
    let rows = tx
        .query_all_raw(Statement::from_string(
            tx.get_database_backend(),
            format!(
                "SELECT seq, {} FROM audit_pending WHERE seq > {size} ORDER BY seq LIMIT {BATCH}",
                WRITTEN_COLUMNS.join(", ")
            ),
        ))
        .await?;
    rows.into_iter()
        .map(|row| {
            let seq: i64 = row.try_get_by_index(0)?;
            let changes: String = row.try_get_by_index(10)?;
            let parsed = Event::parse_changes(&changes)
                .map_err(|why| IntegrateError::Unreadable { seq, why })?;
            Ok(Pending {
                seq,
                version: row.try_get_by_index(1)?,
                event: Event {
                    seq,
                    at_ms: row.try_get_by_index(2)?,
                    actor_id: row.try_get_by_index(3)?,
                    actor_name: row.try_get_by_index(4)?,
                    department_id: row.try_get_by_index(5)?,
                    ip: row.try_get_by_index(6)?,
                    action: row.try_get_by_index(7)?,
                    object_type: row.try_get_by_index(8)?,
                    object_id: row.try_get_by_index(9)?,
                    changes: parsed,
                    prev_hash: None,
                },
                changes,
            })
        })
        .collect()
}

/// Leaf hash of the object's latest integrated event.
async fn previous_leaf(
    tx: &DatabaseTransaction,
    (object_type, object_id): &(String, String),
) -> Result<Option<String>, DbErr> {
    audit_event::Entity::find()
        .filter(audit_event::Column::ObjectType.eq(object_type.as_str()))
        .filter(audit_event::Column::ObjectId.eq(object_id.as_str()))
        .order_by_desc(audit_event::Column::Seq)
        .select_only()
        .column(audit_event::Column::LeafHash)
        .into_tuple::<String>()
        .one(tx)
        .await
}

fn event_insert() -> sea_orm::sea_query::InsertStatement {
    let columns = std::iter::once("seq")
        .chain(WRITTEN_COLUMNS)
        .chain(["prev_hash", "leaf_hash"]);
    Query::insert()
        .into_table("audit_event")
        .columns(columns)
        .to_owned()
}

/// The statements that move the events from `audit_pending` to `audit_event` and append their leaves
/// to the Merkle tree (the completed subtree roots stored, the frontier replaced), as one batch: round
/// trips are what the database work costs most. Values are inlined as literals by sea-query, which
/// quotes strings for each backend (`''` on SQLite, `E'…'` with backslash escapes on PostgreSQL).
fn tree_updates(
    backend: sea_orm::DbBackend,
    events: &sea_orm::sea_query::InsertStatement,
    last: i64,
    frontier: &[u8],
    leaves: &[audit::Hash],
) -> Result<String, IntegrateError> {
    let tree_error = |e: audit::FrontierError| IntegrateError::Tree(e.to_string());
    let mut frontier = audit::Frontier::from_bytes(frontier).map_err(tree_error)?;
    let mut nodes = Query::insert()
        .into_table("audit_node")
        .columns(["level", "idx", "hash"])
        .to_owned();
    let mut any_node = false;
    for leaf in leaves {
        let mut completed = Vec::new();
        frontier
            .append_with(*leaf, |node, hash| completed.push((node, hash.to_hex())))
            .map_err(tree_error)?;
        let stored = completed
            .into_iter()
            .filter(|(node, _)| node.level() >= super::checkpoints::NODES_STORED_FROM_LEVEL);
        for (node, hash) in stored {
            any_node = true;
            nodes.values_panic([
                i32::from(node.level()).into(),
                (node.index() as i64).into(),
                hash.into(),
            ]);
        }
    }
    let integrated = Query::delete()
        .from_table("audit_pending")
        .and_where(Expr::col("seq").lte(last))
        .to_owned();
    let tree = Query::update()
        .table("audit_tree")
        .value("size", frontier.size() as i64)
        .value("frontier", frontier.to_bytes())
        .value("root", frontier.root().to_hex())
        .and_where(Expr::col("id").eq(1))
        .to_owned();
    let nodes = any_node.then_some(&nodes);
    Ok(match backend {
        sea_orm::DbBackend::Postgres => {
            inlined::<sea_orm::sea_query::PostgresQueryBuilder>(events, &integrated, &tree, nodes)
        }
        _ => inlined::<sea_orm::sea_query::SqliteQueryBuilder>(events, &integrated, &tree, nodes),
    })
}

/// The batch's statements as one string, values inlined for backend `B`.
fn inlined<B: sea_orm::sea_query::QueryBuilder + Default>(
    events: &sea_orm::sea_query::InsertStatement,
    integrated: &sea_orm::sea_query::DeleteStatement,
    tree: &sea_orm::sea_query::UpdateStatement,
    nodes: Option<&sea_orm::sea_query::InsertStatement>,
) -> String {
    let mut statements = vec![
        events.to_string(B::default()),
        integrated.to_string(B::default()),
        tree.to_string(B::default()),
    ];
    statements.extend(nodes.map(|n| n.to_string(B::default())));
    statements.join(";\n")
}
