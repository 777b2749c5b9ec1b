//! The one way to write business data: a transaction that records its audit event.
//!
//! Every insert/update/delete goes through [`AuditedTx`] and is turned into field-level changes of
//! an event, one per changed object; [`AuditedTx::commit`] appends the events to the Merkle log in
//! the same transaction (`audit::append`: numbered in commit order, linked to each object's
//! previous event, hashed, the tree's frontier and nodes updated) and refuses to commit a
//! transaction that recorded no event; when a transaction's last change is an update,
//! [`AuditedTx::commit_update`] sends the update and the append as one statement, so a one-row edit
//! takes no more round trips to the database than without its event. An update changes the row
//! only if it still holds what the caller read, and otherwise refuses ([`AuditedError::Changed`]),
//! so no edit is lost and every event's "before" is the row's (callers often read the row before
//! the transaction begins). Dropping an `AuditedTx` without committing rolls everything back, the
//! events included. A test (`tests/audit_enforced.rs`) checks that no other module opens a
//! transaction or writes a business table. Tables outside the rule:
//! `session` and `login_log` (operational records, kept by `auth::session` and
//! `auth::login_log`), and the audit tables themselves.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, FromQueryResult, IdenStatic,
    IntoActiveModel, Iterable, PrimaryKeyToColumn, QueryFilter, QueryTrait, SqliteTransactionMode,
    Statement, TransactionOptions, TransactionTrait, TryIntoModel,
};
use serde::Serialize;
use serde_json::Value;

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
    #[error("审计日志无法追加：{0}")]
    Log(#[from] crate::audit::integrate::IntegrateError),
    /// The row is no longer what the caller read: someone changed it in between.
    #[error(
        "这条记录（{0} {1}）在您打开之后已被他人修改，本次修改没有保存。请刷新页面，核对后重试。"
    )]
    Changed(String, String),
}

pub struct AuditedTx {
    tx: DatabaseTransaction,
    actor: Actor,
    action: String,
    /// Pending events, one per object, in first-touched order.
    pending: Vec<Pending>,
    /// Where each object's pending event is in `pending` (a large import touches many objects).
    pending_at: HashMap<(String, String), usize>,
}

/// The objects (type, id) a transaction created.
type Created = HashSet<(String, String)>;

/// Field-level changes of one object: field → [before, after].
type Changes = BTreeMap<String, [Value; 2]>;

/// A row's fields as its event shows them.
type Fields = serde_json::Map<String, Value>;

/// What [`AuditedTx::prepare_update`] found to do.
enum Update<M> {
    /// The change sets no column: the row as it is.
    Nothing(M),
    /// `UPDATE … WHERE <every column as read> RETURNING *`, and what its row is checked against.
    Statement(Box<(Statement, PreparedUpdate<M>)>),
}

/// What an update statement's result is checked against and recorded as.
struct PreparedUpdate<M> {
    /// The row's primary key (was it changed by someone, or is it gone?).
    primary_key: sea_orm::sea_query::ValueTuple,
    /// The row as the update will leave it.
    expected: M,
    key: (String, String),
    changes: Changes,
}

/// The event of one object in a transaction, until the commit.
struct Pending {
    /// (object type, object id).
    key: (String, String),
    changes: Changes,
    /// Whether the transaction created the object (it has no event before this one).
    created: bool,
}

impl AuditedTx {
    /// Opens the write transaction. On SQLite it starts `IMMEDIATE`, taking the write lock with
    /// the BEGIN itself (waiting up to the busy timeout), so concurrent writers queue instead of
    /// failing at their first write.
    pub async fn begin(
        db: &DatabaseConnection,
        actor: Actor,
        action: &str,
    ) -> Result<Self, AuditedError> {
        let tx = db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        Ok(AuditedTx {
            tx,
            actor,
            action: action.to_owned(),
            pending: Vec::new(),
            pending_at: HashMap::new(),
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
        let changes = diff::<<A::Entity as EntityTrait>::Model>(&Fields::new(), &after);
        self.merge(model_key(&model), changes).created = true;
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
        let changes = diff::<<A::Entity as EntityTrait>::Model>(&before, &Fields::new());
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

    /// Updates the row `before` (as the caller read it) with `am`. The update changes the row only
    /// if every column still holds `before`'s value (`UPDATE … WHERE id = … AND name = … AND …`;
    /// on PostgreSQL a row changed by a writer that committed meanwhile is re-checked as it now
    /// is), so a row someone changed since the caller read it is refused with
    /// [`AuditedError::Changed`] instead of overwritten, and the event's "before" values are the
    /// row's.
    ///
    /// The event holds the changes from `before` to the row as `am` will make it; the row the
    /// update returns must be that row.
    pub async fn update<A>(
        &mut self,
        before: &<A::Entity as EntityTrait>::Model,
        am: A,
    ) -> Result<<A::Entity as EntityTrait>::Model, AuditedError>
    where
        A: ActiveModelTrait
            + ActiveModelBehavior
            + TryIntoModel<<A::Entity as EntityTrait>::Model>
            + Send,
        <A::Entity as EntityTrait>::Model:
            IntoActiveModel<A> + Audited + FromQueryResult + PartialEq,
    {
        match self.prepare_update(before, am).await? {
            Update::Nothing(model) => self.record_update(before, model),
            Update::Statement(prepared) => {
                let (statement, update) = *prepared;
                let Some(row) = self.tx.query_one_raw(statement).await? else {
                    return Err(self.missing::<A::Entity>(&update).await);
                };
                let model = checked(&update, &row)?;
                self.merge(update.key, update.changes);
                Ok(A::after_save(model, &self.tx, false).await?)
            }
        }
    }

    /// [`update`](Self::update) as the transaction's last change, then [`commit`](Self::commit):
    /// the update and the append of the events to the log usually go to the database as one
    /// statement, so an edit costs no more round trips than it would without its event.
    pub async fn commit_update<A>(
        mut self,
        before: &<A::Entity as EntityTrait>::Model,
        am: A,
    ) -> Result<<A::Entity as EntityTrait>::Model, AuditedError>
    where
        A: ActiveModelTrait
            + ActiveModelBehavior
            + TryIntoModel<<A::Entity as EntityTrait>::Model>
            + Send,
        <A::Entity as EntityTrait>::Model:
            IntoActiveModel<A> + Audited + FromQueryResult + PartialEq,
    {
        let (statement, mut update) = match self.prepare_update(before, am).await? {
            Update::Nothing(model) => {
                let model = self.record_update(before, model)?;
                self.commit().await?;
                return Ok(model);
            }
            Update::Statement(prepared) => *prepared,
        };
        self.merge(update.key.clone(), std::mem::take(&mut update.changes));
        let (mut events, created) = self.events()?;
        let done = crate::audit::append::append_after_update(
            &self.tx,
            &mut events,
            |k| created.contains(k),
            statement,
        )
        .await?;
        let Some((row, appended)) = done else {
            return Err(self.missing::<A::Entity>(&update).await);
        };
        let model = checked(&update, &row)?;
        let model = A::after_save(model, &self.tx, false).await?;
        self.tx.commit().await?;
        appended.remember();
        Ok(model)
    }

    /// The update statement of `before` to `am`, changing the row only if it still holds
    /// `before` — or, when `am` changes no column, the row as it is.
    async fn prepare_update<A>(
        &mut self,
        before: &<A::Entity as EntityTrait>::Model,
        am: A,
    ) -> Result<Update<<A::Entity as EntityTrait>::Model>, AuditedError>
    where
        A: ActiveModelTrait
            + ActiveModelBehavior
            + TryIntoModel<<A::Entity as EntityTrait>::Model>
            + Send,
        <A::Entity as EntityTrait>::Model:
            IntoActiveModel<A> + Audited + FromQueryResult + PartialEq,
    {
        let am = A::before_save(am, &self.tx, false).await?;
        let expected = am.clone().try_into_model()?;
        let update = <A::Entity as EntityTrait>::update(am.clone())
            .validate()?
            .into_query();
        let key = model_key(&expected);
        if update.get_values().is_empty() {
            // Nothing to write: sea-orm reads the row back instead, as `ActiveModelTrait::update`.
            let model = <A::Entity as EntityTrait>::update(am)
                .exec(&self.tx)
                .await?;
            if to_fields(&model)? != to_fields(before)? {
                return Err(AuditedError::Changed(key.0, key.1));
            }
            return Ok(Update::Nothing(
                A::after_save(model, &self.tx, false).await?,
            ));
        }
        let changes =
            diff::<<A::Entity as EntityTrait>::Model>(&to_fields(before)?, &to_fields(&expected)?);
        let backend = self.tx.get_database_backend();
        let update = backend.build(&update);
        let (mut sql, mut values) = (update.sql, update.values.map(|v| v.0).unwrap_or_default());
        and_unchanged::<A>(
            &mut sql,
            &mut values,
            backend,
            before.clone().into_active_model(),
        );
        sql.push_str(" RETURNING *");
        let primary_key = am
            .get_primary_key_value()
            .ok_or_else(|| AuditedError::Encoding("要修改的记录没有主键值".into()))?;
        Ok(Update::Statement(Box::new((
            Statement::from_sql_and_values(backend, sql, values),
            PreparedUpdate {
                primary_key,
                expected,
                key,
                changes,
            },
        ))))
    }

    /// Why an update statement changed no row: someone changed the row since it was read, or it
    /// is gone.
    async fn missing<E: EntityTrait>(&self, update: &PreparedUpdate<E::Model>) -> AuditedError {
        let mut select = E::find();
        for (column, value) in E::PrimaryKey::iter().zip(update.primary_key.clone()) {
            select = select.filter(column.into_column().eq(value));
        }
        let (object_type, object_id) = update.key.clone();
        match select.one(&self.tx).await {
            Ok(Some(_)) => AuditedError::Changed(object_type, object_id),
            Ok(None) => DbErr::RecordNotUpdated.into(),
            Err(e) => e.into(),
        }
    }

    /// Records the update of `before` to `model` in the pending event of its object.
    fn record_update<M: Audited>(&mut self, before: &M, model: M) -> Result<M, AuditedError> {
        let changes = diff::<M>(&to_fields(before)?, &to_fields(&model)?);
        self.merge(model_key(&model), changes);
        Ok(model)
    }

    /// Adds `changes` to the pending event of `key`'s object (a field changed twice keeps its first
    /// "before" and its last "after"), and returns that event.
    fn merge(&mut self, key: (String, String), changes: Changes) -> &mut Pending {
        let at = match self.pending_at.get(&key) {
            Some(&at) => {
                let existing = &mut self.pending[at].changes;
                for (field, [before, after]) in changes {
                    existing
                        .entry(field)
                        .and_modify(|pair| pair[1] = after.clone())
                        .or_insert([before, after]);
                }
                at
            }
            None => {
                self.pending_at.insert(key.clone(), self.pending.len());
                self.pending.push(Pending {
                    key,
                    changes,
                    created: false,
                });
                self.pending.len() - 1
            }
        };
        &mut self.pending[at]
    }

    /// Appends the events to the log and commits, both or neither.
    pub async fn commit(mut self) -> Result<(), AuditedError> {
        let (mut events, created) = self.events()?;
        let appended =
            crate::audit::append::append(&self.tx, &mut events, |k| created.contains(k)).await?;
        self.tx.commit().await?;
        appended.remember();
        Ok(())
    }

    /// The pending changes as events (unnumbered), and the objects the transaction created;
    /// refused if there is none.
    fn events(&mut self) -> Result<(Vec<Event>, Created), AuditedError> {
        if self.pending.is_empty() {
            return Err(AuditedError::NoEvent);
        }
        let at_ms = crate::db::now_ms();
        let created = self
            .pending
            .iter()
            .filter(|p| p.created)
            .map(|p| p.key.clone())
            .collect();
        self.pending_at.clear();
        let events = std::mem::take(&mut self.pending)
            .into_iter()
            .map(|p| Event {
                seq: 0,
                at_ms,
                actor_id: self.actor.user_id,
                actor_name: self.actor.name.clone(),
                department_id: self.actor.department_id,
                ip: self.actor.ip.clone(),
                action: self.action.clone(),
                object_type: p.key.0,
                object_id: p.key.1,
                changes: p.changes,
                prev_hash: None,
            })
            .collect();
        Ok((events, created))
    }
}

/// Appends to `sql`, an update sea-orm wrote (`UPDATE … SET … WHERE <primary key>`), that every
/// other column still holds its value in `unchanged`. Written as text: as sea-query expressions,
/// built, cloned and dropped, these conditions cost more than the rest of the edit's Rust
/// (callgrind).
fn and_unchanged<A: ActiveModelTrait>(
    sql: &mut String,
    values: &mut Vec<sea_orm::Value>,
    backend: DbBackend,
    unchanged: A,
) {
    let keys: Vec<&str> = <A::Entity as EntityTrait>::PrimaryKey::iter()
        .map(|k| k.into_column().as_str())
        .collect();
    for column in <A::Entity as EntityTrait>::Column::iter() {
        let Some(value) = unchanged.get(column).into_value() else {
            continue;
        };
        if keys.contains(&column.as_str()) {
            continue;
        }
        // Column names are the entities' own identifiers: plain, never from input.
        write!(sql, r#" AND "{}""#, column.as_str()).expect("writing to a String");
        if value == value.as_null() {
            sql.push_str(" IS NULL");
            continue;
        }
        values.push(value);
        match backend {
            DbBackend::Postgres => write!(sql, " = ${}", values.len()),
            _ => write!(sql, " = ?"),
        }
        .expect("writing to a String");
    }
}

/// The model of the row an update statement returned.
fn checked<M: FromQueryResult + PartialEq>(
    update: &PreparedUpdate<M>,
    row: &sea_orm::QueryResult,
) -> Result<M, AuditedError> {
    let model = M::from_query_result(row, "")?;
    // The event is made from `expected`: what the database stored must be that. The update returns
    // the row as it wrote it (business tables have no triggers), and the models convert their
    // values to the column types; a difference would be a defect, refused.
    if model != update.expected {
        let (object_type, object_id) = &update.key;
        return Err(AuditedError::Encoding(format!(
            "{object_type} {object_id} 存入的值与审计事件不一致，已回滚"
        )));
    }
    Ok(model)
}

fn model_key<M: Audited>(m: &M) -> (String, String) {
    (M::OBJECT_TYPE.to_owned(), m.object_id())
}

fn to_fields<M: Serialize>(m: &M) -> Result<Fields, AuditedError> {
    match serde_json::to_value(m).map_err(|e| AuditedError::Encoding(e.to_string()))? {
        Value::Object(map) => Ok(map),
        _ => Err(AuditedError::Encoding("记录不是对象".into())),
    }
}

/// Field-level changes between two versions of a row; timestamps of the row itself are left out
/// (the event has its own time), secrets are shown only as changed.
fn diff<M: Audited>(before: &Fields, after: &Fields) -> Changes {
    const NULL: &Value = &Value::Null;
    let fields = after
        .iter()
        .map(|(f, a)| (f, before.get(f).unwrap_or(NULL), a))
        .chain(
            before
                .iter()
                .filter(|(f, _)| !after.contains_key(*f))
                .map(|(f, b)| (f, b, NULL)),
        );
    let mut out = BTreeMap::new();
    for (f, b, a) in fields {
        if f == "updated_at" || f == "created_at" || b == a {
            continue;
        }
        let pair = if M::is_secret(f) {
            let shown = |v: &Value| match v {
                Value::Null => Value::Null,
                _ => SECRET.into(),
            };
            [shown(b), shown(a)]
        } else {
            [b.clone(), a.clone()]
        };
        out.insert(f.clone(), pair);
    }
    out
}
