//! `sunlight audit verify`: checks the live database against its own audit trail — every event's
//! leaf hash recomputed from its row, the sequence without gaps, each object's chain of events, the
//! Merkle tree against the stored tree head, and every audited row against the state its events
//! describe (a row changed without an event is found). The first problem is named, in Chinese and
//! English.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Statement};
use serde_json::{Map, Value};

use super::entity as audit_event;

/// The log is sound: its size and root.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub size: u64,
    pub root: audit::Hash,
}

/// The first problem found.
#[derive(Debug, PartialEq, Eq)]
pub struct Finding {
    pub seq: Option<i64>,
    pub zh: String,
    pub en: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\n{}", self.zh, self.en)
    }
}

fn finding(seq: Option<i64>, zh: String, en: String) -> Finding {
    Finding { seq, zh, en }
}

const BATCH: u64 = 2000;

pub async fn verify(db: &impl ConnectionTrait) -> Result<Result<Verified, Finding>, DbErr> {
    let mut frontier = audit::Frontier::new();
    let mut last_leaf: HashMap<(String, String), String> = HashMap::new();
    // The state each object's events describe, field by field.
    let mut described: HashMap<(String, String), Map<String, Value>> = HashMap::new();
    let mut expected = 1i64;
    loop {
        use sea_orm::{ColumnTrait, QuerySelect};
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gte(expected))
            .order_by_asc(audit_event::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            if row.seq != expected {
                return Ok(Err(finding(
                    Some(expected),
                    format!(
                        "缺少第{expected}号审计事件：序号从第{}号跳到第{}号（事件被删除）",
                        expected - 1,
                        row.seq
                    ),
                    format!(
                        "audit event {expected} is missing: the sequence jumps from {} to {} (an event was deleted)",
                        expected - 1,
                        row.seq
                    ),
                )));
            }
            let event = match row.to_event() {
                Ok(e) => e,
                Err(why) => {
                    return Ok(Err(finding(
                        Some(row.seq),
                        format!("第{}号审计事件无法读取：{why}", row.seq),
                        format!("audit event {} cannot be read: {why}", row.seq),
                    )));
                }
            };
            let leaf = audit::leaf_hash(&event.canonical_bytes());
            if leaf.to_hex() != row.leaf_hash {
                return Ok(Err(finding(
                    Some(row.seq),
                    format!(
                        "第{}号审计事件（{} {}，{}）的内容与其哈希不符：记录被改动过",
                        row.seq, row.object_type, row.object_id, row.action
                    ),
                    format!(
                        "audit event {} ({} {}, {}) does not match its leaf hash: the row was altered",
                        row.seq, row.object_type, row.object_id, row.action
                    ),
                )));
            }
            let key = (row.object_type.clone(), row.object_id.clone());
            if last_leaf.get(&key) != row.prev_hash.as_ref() {
                return Ok(Err(finding(
                    Some(row.seq),
                    format!(
                        "第{}号审计事件没有接续对象{} {}的上一条事件：该对象的历史有缺失或顺序被改动",
                        row.seq, row.object_type, row.object_id
                    ),
                    format!(
                        "audit event {} does not follow the previous event of {} {}: its history has a gap or was reordered",
                        row.seq, row.object_type, row.object_id
                    ),
                )));
            }
            last_leaf.insert(key.clone(), row.leaf_hash.clone());
            let state = described.entry(key).or_default();
            for (field, [_, after]) in event.changes {
                state.insert(field, after);
            }
            frontier
                .append(leaf)
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            expected += 1;
        }
    }
    let head = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT size, root FROM audit_tree WHERE id = 1",
        ))
        .await?;
    let (size, root): (i64, String) = match head {
        Some(r) => (r.try_get_by_index(0)?, r.try_get_by_index(1)?),
        None => {
            return Ok(Err(finding(
                None,
                "审计树头（audit_tree）缺失".into(),
                "the audit tree head (audit_tree) is missing".into(),
            )));
        }
    };
    if size as u64 != frontier.size() || root != frontier.root().to_hex() {
        return Ok(Err(finding(
            None,
            format!(
                "审计树头记录的大小{size}、根{root}与{}条事件计算出的根{}不符",
                frontier.size(),
                frontier.root().to_hex()
            ),
            format!(
                "the stored tree head (size {size}, root {root}) does not match the {} events (root {})",
                frontier.size(),
                frontier.root().to_hex()
            ),
        )));
    }
    if let Some(f) = compare_rows(db, &described).await? {
        return Ok(Err(f));
    }
    Ok(Ok(Verified {
        size: frontier.size(),
        root: frontier.root(),
    }))
}

/// Every audited row, as the audit trail records it (the model serialised), keyed by object.
async fn current_rows(
    db: &impl ConnectionTrait,
) -> Result<BTreeMap<(String, String), Map<String, Value>>, DbErr> {
    use crate::db::audited::Audited;
    let mut out = BTreeMap::new();
    macro_rules! rows {
        ($($entity:path),* $(,)?) => {$(
            for m in <$entity>::find().all(db).await? {
                if let Ok(Value::Object(map)) = serde_json::to_value(&m) {
                    out.insert((Audited::object_type_of(&m).to_owned(), m.object_id()), map);
                }
            }
        )*};
    }
    rows!(
        crate::org::entities::department::Entity,
        crate::org::entities::user::Entity,
        crate::org::entities::role::Entity,
        crate::settings::entity::Entity,
        crate::calendar::entity::Entity,
        crate::ledger::entities::inspection::Entity,
        crate::ledger::entities::section::Entity,
        crate::ledger::entities::problem::Entity,
        crate::ledger::entities::measure::Entity,
        crate::ledger::entities::progress_report::Entity,
        crate::ledger::entities::evidence::Entity,
        crate::ledger::entities::snapshot::Entity,
        crate::ledger::entities::notice::Entity,
        crate::similarity::entities::document::Entity,
        crate::similarity::entities::check::Entity,
    );
    Ok(out)
}

/// A row differs from what its events say, exists without any event, or outlived its deletion.
async fn compare_rows(
    db: &impl ConnectionTrait,
    described: &HashMap<(String, String), Map<String, Value>>,
) -> Result<Option<Finding>, DbErr> {
    let rows = current_rows(db).await?;
    for ((object_type, object_id), row) in &rows {
        let Some(state) = described.get(&(object_type.clone(), object_id.clone())) else {
            return Ok(Some(finding(
                None,
                format!("{object_type} {object_id} 没有任何审计事件：该记录是绕过审计写入的"),
                format!(
                    "{object_type} {object_id} has no audit event: it was written around the audit trail"
                ),
            )));
        };
        for (field, value) in row {
            if matches!(field.as_str(), "created_at" | "updated_at") {
                continue;
            }
            let Some(recorded) = state.get(field) else {
                continue;
            };
            // Secrets are recorded as changed, never by value.
            if recorded == "******" {
                continue;
            }
            if recorded != value {
                return Ok(Some(finding(
                    None,
                    format!(
                        "{object_type} {object_id} 的字段{field}为{value}，但审计记录为{recorded}：该记录被绕过审计改动过"
                    ),
                    format!(
                        "{object_type} {object_id} field {field} is {value} but the audit trail says {recorded}: the row was changed around the audit trail"
                    ),
                )));
            }
        }
    }
    for ((object_type, object_id), state) in described {
        let deleted = state.values().all(Value::is_null);
        let tracked =
            rows.keys().any(|(t, _)| t == object_type) || KNOWN.contains(&object_type.as_str());
        if !deleted && tracked && !rows.contains_key(&(object_type.clone(), object_id.clone())) {
            return Ok(Some(finding(
                None,
                format!("{object_type} {object_id} 已不存在，但审计记录中没有删除它的事件"),
                format!(
                    "{object_type} {object_id} no longer exists, but no audit event deleted it"
                ),
            )));
        }
    }
    Ok(None)
}

/// Object types whose rows `current_rows` reads.
const KNOWN: &[&str] = &[
    "department",
    "user",
    "role",
    "setting",
    "calendar_year",
    "inspection",
    "ledger_section",
    "problem",
    "measure",
    "progress_report",
    "evidence",
    "similarity_document",
    "similarity_check",
];
