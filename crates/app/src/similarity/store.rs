//! 查重 storage: the library and the check records, read within the viewer's scope and written only
//! through `AuditedTx`.

use std::collections::HashSet;

use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Deserialize;

use super::entities::{check, document};
use super::rules;
use crate::db::audited::{Actor, AuditedError, AuditedTx};
use crate::org::scope::Scope;
use crate::web::list::Paging;

fn document_scope(scope: &Scope) -> sea_orm::Condition {
    scope.condition(
        document::Column::DepartmentId,
        Some(document::Column::UploadedBy),
    )
}

fn check_scope(scope: &Scope) -> sea_orm::Condition {
    scope.condition(check::Column::DepartmentId, Some(check::Column::CheckedBy))
}

/// The list page's search form.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub department_id: String,
}

pub const SORTABLE: [&str; 4] = ["title", "owner", "chars", "created_at"];

/// A library document without its text, for lists.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Listed {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub department_id: i64,
    pub file_name: String,
    pub chars: i32,
    pub uploaded_by_name: String,
    pub created_at: i64,
}

/// Library documents in scope matching the filter (title, owner or file name), one page, and the total.
pub async fn search(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &Filter,
    p: &Paging,
) -> Result<(Vec<Listed>, u64), DbErr> {
    use document::Column as C;
    let mut q = document::Entity::find().filter(document_scope(scope));
    let text = f.q.trim();
    if !text.is_empty() {
        q = q.filter(
            sea_orm::Condition::any()
                .add(C::Title.contains(text))
                .add(C::Owner.contains(text))
                .add(C::FileName.contains(text)),
        );
    }
    if let Ok(d) = f.department_id.parse::<i64>() {
        q = q.filter(C::DepartmentId.eq(d));
    }
    let total = q.clone().count(db).await?;
    let col = match p.sort.as_deref() {
        Some("title") => C::Title,
        Some("owner") => C::Owner,
        Some("chars") => C::Chars,
        Some("created_at") => C::CreatedAt,
        _ => C::Id,
    };
    q = if p.desc || p.sort.is_none() {
        q.order_by_desc(col)
    } else {
        q.order_by_asc(col)
    };
    let rows = q
        .select_only()
        .columns([
            C::Id,
            C::Title,
            C::Owner,
            C::DepartmentId,
            C::FileName,
            C::Chars,
            C::UploadedByName,
            C::CreatedAt,
        ])
        .order_by_asc(C::Id)
        .offset(p.offset())
        .limit(p.size)
        .into_model::<Listed>()
        .all(db)
        .await?;
    Ok((rows, total))
}

pub async fn get_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> Result<Option<document::Model>, DbErr> {
    document::Entity::find_by_id(id)
        .filter(document_scope(scope))
        .one(db)
        .await
}

/// Index keys ([`rules::index_key`]) of the library documents in scope: the only possible sources.
pub async fn keys_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<HashSet<String>, DbErr> {
    let rows: Vec<(i64, String)> = document::Entity::find()
        .filter(document_scope(scope))
        .select_only()
        .columns([document::Column::Id, document::Column::ContentSha256])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, sha)| rules::index_key(id, &sha))
        .collect())
}

/// Every library document's (id, text hash): what the on-disk index must hold.
pub async fn all_keys(db: &impl ConnectionTrait) -> Result<Vec<(i64, String)>, DbErr> {
    document::Entity::find()
        .select_only()
        .columns([document::Column::Id, document::Column::ContentSha256])
        .order_by_asc(document::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// Whole documents (with their texts) by id, whatever the scope: for the index and for reports
/// whose sources were already restricted to the scope.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<document::Model>, DbErr> {
    document::Entity::find()
        .filter(document::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// A checked upload going into the library.
#[derive(Clone, Debug)]
pub struct NewDocument {
    pub title: String,
    pub owner: String,
    pub department_id: i64,
    pub file_name: String,
    pub text: rules::Text,
}

/// Adds documents in one transaction, one audit event each; returns their ids.
pub async fn add(
    db: &DatabaseConnection,
    actor: Actor,
    docs: Vec<NewDocument>,
) -> Result<Vec<i64>, AuditedError> {
    let now = crate::db::now_ms();
    let (by, by_name) = (actor.user_id, actor.name.clone());
    let mut tx = AuditedTx::begin(db, actor, "similarity.library.add").await?;
    let mut ids = Vec::with_capacity(docs.len());
    for d in docs {
        let row = tx
            .insert(document::ActiveModel {
                title: Set(d.title),
                owner: Set(d.owner),
                department_id: Set(d.department_id),
                file_name: Set(d.file_name),
                chars: Set(d.text.chars as i32),
                content: Set(d.text.text),
                content_sha256: Set(d.text.sha256),
                uploaded_by: Set(by),
                uploaded_by_name: Set(by_name.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .await?;
        ids.push(row.id);
    }
    tx.commit().await?;
    Ok(ids)
}

pub async fn remove(
    db: &DatabaseConnection,
    actor: Actor,
    doc: document::Model,
) -> Result<(), AuditedError> {
    let mut tx = AuditedTx::begin(db, actor, "similarity.library.remove").await?;
    tx.delete::<document::ActiveModel>(doc).await?;
    tx.commit().await?;
    Ok(())
}

/// What a check record holds besides who ran it.
pub struct NewCheck {
    pub department_id: i64,
    pub title: String,
    pub owner: String,
    pub file_name: String,
    pub text: rules::Text,
    pub report: super::stored_report::StoredReport,
}

/// Records a check with its figures (in the audit event) and its report (in the row, by hash in the event).
pub async fn record_check(
    db: &DatabaseConnection,
    actor: Actor,
    c: NewCheck,
) -> Result<i64, AuditedError> {
    let now = crate::db::now_ms();
    let report =
        serde_json::to_string(&c.report).map_err(|e| AuditedError::Encoding(e.to_string()))?;
    let report_sha256 = rules::sha256_hex(&report);
    let (by, by_name) = (actor.user_id.unwrap_or_default(), actor.name.clone());
    let mut tx = AuditedTx::begin(db, actor, "similarity.check.run").await?;
    let r = &c.report;
    let row = tx
        .insert(check::ActiveModel {
            department_id: Set(c.department_id),
            checked_by: Set(by),
            checked_by_name: Set(by_name),
            title: Set(c.title),
            owner: Set(c.owner),
            file_name: Set(c.file_name),
            content_sha256: Set(c.text.sha256),
            content: Set(c.text.text),
            total_chars: Set(r.total_chars as i32),
            copied_chars: Set(r.copied_chars as i32),
            total_ratio_bp: Set(r.total_ratio_bp),
            ratio_excluding_own_bp: Set(r.ratio_excluding_own_bp),
            max_single_ratio_bp: Set(r.max_single_ratio_bp),
            verdict: Set(r.verdict.clone()),
            sources: Set(r.sources.len() as i32),
            report: Set(report),
            report_sha256: Set(report_sha256),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .await?;
    tx.commit().await?;
    Ok(row.id)
}

/// A check without its text and report, for the list of past checks.
#[derive(Clone, Debug, FromQueryResult)]
pub struct ListedCheck {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub checked_by_name: String,
    pub total_chars: i32,
    pub total_ratio_bp: i32,
    pub verdict: String,
    pub sources: i32,
    pub created_at: i64,
}

/// Past checks in scope, the newest first, matching `q` (title, owner or who checked).
pub async fn checks(
    db: &impl ConnectionTrait,
    scope: &Scope,
    q: &str,
    p: &Paging,
) -> Result<(Vec<ListedCheck>, u64), DbErr> {
    use check::Column as C;
    let mut query = check::Entity::find().filter(check_scope(scope));
    let text = q.trim();
    if !text.is_empty() {
        query = query.filter(
            sea_orm::Condition::any()
                .add(C::Title.contains(text))
                .add(C::Owner.contains(text))
                .add(C::CheckedByName.contains(text)),
        );
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .select_only()
        .columns([
            C::Id,
            C::Title,
            C::Owner,
            C::CheckedByName,
            C::TotalChars,
            C::TotalRatioBp,
            C::Verdict,
            C::Sources,
            C::CreatedAt,
        ])
        .order_by_desc(C::Id)
        .offset(p.offset())
        .limit(p.size)
        .into_model::<ListedCheck>()
        .all(db)
        .await?;
    Ok((rows, total))
}

pub async fn check_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> Result<Option<check::Model>, DbErr> {
    check::Entity::find_by_id(id)
        .filter(check_scope(scope))
        .one(db)
        .await
}
