//! The one way to write business data: a transaction that records its audit event.
//!
//! [`AuditedTx::begin`] takes the audit lock (so event sequence numbers are gap-free and in commit
//! order: on SQLite by starting the transaction `IMMEDIATE`, on PostgreSQL by locking the log's head
//! row), every insert/update/delete goes through it and is turned into field-level changes of an
//! event, and [`AuditedTx::commit`] refuses to commit a transaction that recorded no event. Dropping an
//! `AuditedTx` without committing rolls everything back, the events included. A test
//! (`tests/audit_enforced.rs`) checks that no other module opens a transaction or writes a business
//! table. Tables outside the rule: `session` and `login_log` (operational records, kept by
//! `auth::session` and `auth::login_log`), and the audit tables themselves.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use serde::Serialize;
use serde_json::Value;

use crate::audit::entity as audit_event;
use crate::audit::event::Event;

/// Who is making a change, and from where.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub department_id: Option<i64>,
    pub ip: String,
}

impl Actor {
    /// The platform itself (first start, demo data, command line).
    pub fn system(what: &str) -> Self {
        Actor {
            user_id: None,
            name: format!("系统（{what}）"),
            department_id: None,
            ip: "-".into(),
        }
    }
}

/// A business row that can be audited: names its object type and id, and which fields must never
/// appear in an event in clear.
pub trait Audited: Serialize {
    const OBJECT_TYPE: &'static str;
    fn object_id(&self) -> String;
    fn is_secret(_field: &str) -> bool {
        false
    }
    /// `OBJECT_TYPE`, reachable from a value.
    fn object_type_of(&self) -> &'static str {
        Self::OBJECT_TYPE
    }
}

/// What a secret field shows in the audit trail: that it changed, never its value.
const SECRET: &str = "******";

#[derive(Debug, thiserror::Error)]
pub enum AuditedError {
    #[error("数据库错误：{0}")]
    Db(#[from] DbErr),
    #[error("内部错误：事务没有记录任何审计事件，已回滚")]
    NoEvent,
    #[error("内部错误：{0}")]
    Encoding(String),
}

pub struct AuditedTx {
    tx: DatabaseTransaction,
    actor: Actor,
    action: String,
    /// Pending events keyed by (object type, object id), in first-touched order.
    pending: Vec<((String, String), Changes)>,
}

/// Field-level changes of one object: field → [before, after].
type Changes = BTreeMap<String, [Value; 2]>;

impl AuditedTx {
    /// Opens the write transaction and takes the audit lock first, so that concurrent writers queue
    /// instead of failing at their first write (SQLite) and sequence numbers follow commit order.
    pub async fn begin(
        db: &DatabaseConnection,
        actor: Actor,
        action: &str,
    ) -> Result<Self, AuditedError> {
        // SQLite has one writer at a time: `BEGIN IMMEDIATE` takes the write lock with the BEGIN itself
        // (waiting up to the busy timeout), so it costs no statement of its own.
        let tx = db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        if crate::db::is_postgres(&tx) {
            tx.execute_unprepared("SELECT next_seq FROM audit_head WHERE id = 1 FOR UPDATE")
                .await?;
        }
        Ok(AuditedTx {
            tx,
            actor,
            action: action.to_owned(),
            pending: Vec::new(),
        })
    }

    /// The transaction, for reads that must see this transaction's own writes.
    pub fn reader(&self) -> &DatabaseTransaction {
        &self.tx
    }

    pub async fn insert<A>(
        &mut self,
        am: A,
    ) -> Result<<A::Entity as EntityTrait>::Model, AuditedError>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        <A::Entity as EntityTrait>::Model: IntoActiveModel<A> + Audited,
    {
        let model = am.insert(&self.tx).await?;
        let after = to_fields(&model)?;
        let changes = diff::<<A::Entity as EntityTrait>::Model>(&BTreeMap::new(), &after);
        self.merge(model_key(&model), changes);
        Ok(model)
    }

    pub async fn update<A>(
        &mut self,
        before: &<A::Entity as EntityTrait>::Model,
        am: A,
    ) -> Result<<A::Entity as EntityTrait>::Model, AuditedError>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        <A::Entity as EntityTrait>::Model: IntoActiveModel<A> + Audited,
    {
        let model = am.update(&self.tx).await?;
        let changes =
            diff::<<A::Entity as EntityTrait>::Model>(&to_fields(before)?, &to_fields(&model)?);
        self.merge(model_key(&model), changes);
        Ok(model)
    }

    pub async fn delete<A>(
        &mut self,
        model: <A::Entity as EntityTrait>::Model,
    ) -> Result<(), AuditedError>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        <A::Entity as EntityTrait>::Model: IntoActiveModel<A> + Audited,
    {
        let before = to_fields(&model)?;
        let key = model_key(&model);
        model.into_active_model().delete(&self.tx).await?;
        let changes = diff::<<A::Entity as EntityTrait>::Model>(&before, &BTreeMap::new());
        self.merge(key, changes);
        Ok(())
    }

    /// Writes rows that belong to an object recorded in this transaction (e.g. a user's roles) and
    /// records the change as one field of that object's event.
    pub async fn write_part(
        &mut self,
        owner: (&str, &str),
        field: &str,
        before: Value,
        after: Value,
        statements: Vec<Statement>,
    ) -> Result<(), AuditedError> {
        for s in statements {
            self.tx.execute_raw(s).await?;
        }
        if before != after {
            let mut changes = BTreeMap::new();
            changes.insert(field.to_owned(), [before, after]);
            self.merge((owner.0.to_owned(), owner.1.to_owned()), changes);
        }
        Ok(())
    }

    /// Records an event with no row written (e.g. an action on an object that changes no field).
    pub fn note(&mut self, object: (&str, &str), field: &str, before: Value, after: Value) {
        let mut changes = BTreeMap::new();
        changes.insert(field.to_owned(), [before, after]);
        self.merge((object.0.to_owned(), object.1.to_owned()), changes);
    }

    fn merge(&mut self, key: (String, String), changes: BTreeMap<String, [Value; 2]>) {
        match self.pending.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => {
                for (field, [before, after]) in changes {
                    existing
                        .entry(field)
                        .and_modify(|pair| pair[1] = after.clone())
                        .or_insert([before, after]);
                }
            }
            None => self.pending.push((key, changes)),
        }
    }

    /// Writes the events and commits. Returns the sequence numbers of the events written.
    pub async fn commit(mut self) -> Result<Vec<i64>, AuditedError> {
        if self.pending.is_empty() {
            return Err(AuditedError::NoEvent);
        }
        let pending = std::mem::take(&mut self.pending);
        // The sequence counter, the tree's frontier and the first object's previous event in one
        // read: round trips are what an audited write costs most. The audit lock is held since
        // `begin`, so this read sees every earlier audited write.
        let backend = self.tx.get_database_backend();
        let (first_type, first_id) = pending[0].0.clone();
        let sql = match backend {
            sea_orm::DbBackend::Postgres => {
                "SELECT h.next_seq, t.frontier, (SELECT e.leaf_hash FROM audit_event e WHERE e.object_type = $1 AND e.object_id = $2 ORDER BY e.seq DESC LIMIT 1) FROM audit_head h, audit_tree t WHERE h.id = 1 AND t.id = 1"
            }
            _ => {
                "SELECT h.next_seq, t.frontier, (SELECT e.leaf_hash FROM audit_event e WHERE e.object_type = ? AND e.object_id = ? ORDER BY e.seq DESC LIMIT 1) FROM audit_head h, audit_tree t WHERE h.id = 1 AND t.id = 1"
            }
        };
        let head = self
            .tx
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [first_type.into(), first_id.into()],
            ))
            .await?
            .ok_or_else(|| AuditedError::Encoding("audit_head 或 audit_tree 缺失".into()))?;
        let mut seq: i64 = head.try_get_by_index(0)?;
        let frontier: Vec<u8> = head.try_get_by_index(1)?;
        let mut first_prev: Option<Option<String>> = Some(head.try_get_by_index(2)?);
        let at_ms = crate::db::now_ms();
        let mut written = Vec::new();
        let mut leaves = Vec::new();
        let mut events = Query::insert()
            .into_table("audit_event")
            .columns([
                "seq",
                "version",
                "at",
                "actor_id",
                "actor_name",
                "department_id",
                "ip",
                "action",
                "object_type",
                "object_id",
                "changes",
                "prev_hash",
                "leaf_hash",
            ])
            .to_owned();
        for ((object_type, object_id), changes) in pending {
            let prev_hash = match first_prev.take() {
                Some(prev) => prev,
                None => {
                    audit_event::Entity::find()
                        .filter(audit_event::Column::ObjectType.eq(object_type.as_str()))
                        .filter(audit_event::Column::ObjectId.eq(object_id.as_str()))
                        .order_by_desc(audit_event::Column::Seq)
                        .select_only()
                        .column(audit_event::Column::LeafHash)
                        .into_tuple::<String>()
                        .one(&self.tx)
                        .await?
                }
            };
            let event = Event {
                seq,
                at_ms,
                actor_id: self.actor.user_id,
                actor_name: self.actor.name.clone(),
                department_id: self.actor.department_id,
                ip: self.actor.ip.clone(),
                action: self.action.clone(),
                object_type,
                object_id,
                changes,
                prev_hash,
            };
            let leaf = audit::leaf_hash(&event.canonical_bytes());
            let changes = event.changes_json();
            events.values_panic([
                event.seq.into(),
                crate::audit::event::VERSION.into(),
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
            written.push(seq);
            seq += 1;
        }
        // Round trips are what an audited write costs most (sqlx runs SQLite on its own thread):
        // the events, the counter, the tree head and the new nodes go in one batch.
        let batch = tree_updates(backend, &events, &frontier, &leaves, seq)?;
        self.tx.execute_unprepared(&batch).await?;
        self.tx.commit().await?;
        Ok(written)
    }
}

/// The statements that insert the events, advance the sequence counter and append the new leaves to
/// the Merkle tree (the completed subtree roots stored, the frontier replaced), as one batch. Values
/// are inlined as literals by sea-query, which quotes strings for each backend (`''` on SQLite,
/// `E'…'` with backslash escapes on PostgreSQL); text holding a NUL cannot be stored on PostgreSQL
/// and ends the statement early on SQLite, so it fails rather than writes. The audit lock taken at
/// `begin` serialises this.
fn tree_updates(
    backend: sea_orm::DbBackend,
    events: &sea_orm::sea_query::InsertStatement,
    frontier: &[u8],
    leaves: &[audit::Hash],
    next_seq: i64,
) -> Result<String, AuditedError> {
    let mut frontier =
        audit::Frontier::from_bytes(frontier).map_err(|e| AuditedError::Encoding(e.to_string()))?;
    let mut nodes = Query::insert()
        .into_table("audit_node")
        .columns(["level", "idx", "hash"])
        .to_owned();
    let mut any_node = false;
    for leaf in leaves {
        let mut completed = Vec::new();
        frontier
            .append_with(*leaf, |node, hash| completed.push((node, hash.to_hex())))
            .map_err(|e| AuditedError::Encoding(e.to_string()))?;
        for (node, hash) in completed {
            any_node = true;
            nodes.values_panic([
                i32::from(node.level()).into(),
                (node.index() as i64).into(),
                hash.into(),
            ]);
        }
    }
    let head = Query::update()
        .table("audit_head")
        .value("next_seq", next_seq)
        .and_where(Expr::col("id").eq(1))
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
            inlined::<sea_orm::sea_query::PostgresQueryBuilder>(events, &head, &tree, nodes)
        }
        _ => inlined::<sea_orm::sea_query::SqliteQueryBuilder>(events, &head, &tree, nodes),
    })
}

/// The batch's statements as one string, values inlined for backend `B`.
fn inlined<B: sea_orm::sea_query::QueryBuilder + Default>(
    events: &sea_orm::sea_query::InsertStatement,
    head: &sea_orm::sea_query::UpdateStatement,
    tree: &sea_orm::sea_query::UpdateStatement,
    nodes: Option<&sea_orm::sea_query::InsertStatement>,
) -> String {
    let mut statements = vec![
        events.to_string(B::default()),
        head.to_string(B::default()),
        tree.to_string(B::default()),
    ];
    statements.extend(nodes.map(|n| n.to_string(B::default())));
    statements.join(";\n")
}

fn model_key<M: Audited>(m: &M) -> (String, String) {
    (M::OBJECT_TYPE.to_owned(), m.object_id())
}

fn to_fields<M: Serialize>(m: &M) -> Result<BTreeMap<String, Value>, AuditedError> {
    match serde_json::to_value(m).map_err(|e| AuditedError::Encoding(e.to_string()))? {
        Value::Object(map) => Ok(map.into_iter().collect()),
        _ => Err(AuditedError::Encoding("记录不是对象".into())),
    }
}

/// Field-level changes between two versions of a row; timestamps of the row itself are left out
/// (the event has its own time), secrets are shown only as changed.
fn diff<M: Audited>(
    before: &BTreeMap<String, Value>,
    after: &BTreeMap<String, Value>,
) -> BTreeMap<String, [Value; 2]> {
    let mut out = BTreeMap::new();
    let fields: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for f in fields {
        if f == "updated_at" || f == "created_at" {
            continue;
        }
        let b = before.get(f).cloned().unwrap_or(Value::Null);
        let a = after.get(f).cloned().unwrap_or(Value::Null);
        if b == a {
            continue;
        }
        if M::is_secret(f) {
            let shown = |v: &Value| {
                if v.is_null() {
                    Value::Null
                } else {
                    SECRET.into()
                }
            };
            out.insert(f.clone(), [shown(&b), shown(&a)]);
        } else {
            out.insert(f.clone(), [b, a]);
        }
    }
    out
}
