//! `sunlight audit verify`: checks the live database against its own audit trail — every event's
//! leaf hash recomputed from its row, the sequence without gaps, each object's chain of events, the
//! Merkle tree against the stored tree head and against every checkpoint the bureau's key signed,
//! and every audited row against the state its events describe (a row changed without an event is
//! found). The first problem is named, in Chinese and English. [`Replay`] is shared with the
//! verifier of an export (`export.rs`), which has no database.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Statement};
use serde_json::{Map, Value};

use super::entity as audit_event;

/// The log is sound: its size and root, and the largest signed checkpoint that was checked.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub size: u64,
    pub root: audit::Hash,
    pub checkpoint: Option<u64>,
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

pub(crate) fn finding(seq: Option<i64>, zh: String, en: String) -> Finding {
    Finding { seq, zh, en }
}

/// The checks that need only the events in order, shared by the live verifier and the verifier of an
/// export: the sequence has no gap, each event follows its object's previous event, the tree built
/// from the leaves has the root every signed checkpoint states at its size.
pub struct Replay {
    frontier: audit::Frontier,
    last_leaf: HashMap<(String, String), String>,
    expected: i64,
    /// Signature-checked checkpoints, largest first (popped as the replay reaches their size).
    checkpoints: Vec<(u64, audit::Hash)>,
    checked: Option<u64>,
}

impl Replay {
    /// `checkpoints` must already have had their signatures verified.
    pub fn new(mut checkpoints: Vec<(u64, audit::Hash)>) -> Replay {
        checkpoints.sort_by_key(|c| std::cmp::Reverse(c.0));
        Replay {
            frontier: audit::Frontier::new(),
            last_leaf: HashMap::new(),
            expected: 1,
            checkpoints,
            checked: None,
        }
    }

    pub fn push(
        &mut self,
        seq: i64,
        object: (&str, &str),
        prev_hash: Option<&str>,
        leaf: audit::Hash,
    ) -> Result<(), Finding> {
        let expected = self.expected;
        if seq != expected {
            return Err(finding(
                Some(expected),
                format!(
                    "缺少第{expected}号审计事件：序号从第{}号跳到第{seq}号（事件被删除或顺序被改动）",
                    expected - 1
                ),
                format!(
                    "audit event {expected} is missing: the sequence jumps from {} to {seq} (an event was deleted or reordered)",
                    expected - 1
                ),
            ));
        }
        let (object_type, object_id) = object;
        let key = (object_type.to_owned(), object_id.to_owned());
        if self.last_leaf.get(&key).map(String::as_str) != prev_hash {
            return Err(finding(
                Some(seq),
                format!(
                    "第{seq}号审计事件没有接续对象{object_type} {object_id}的上一条事件：该对象的历史有缺失或顺序被改动"
                ),
                format!(
                    "audit event {seq} does not follow the previous event of {object_type} {object_id}: its history has a gap or was reordered"
                ),
            ));
        }
        self.last_leaf.insert(key, leaf.to_hex());
        self.frontier
            .append(leaf)
            .map_err(|e| finding(Some(seq), e.to_string(), e.to_string()))?;
        self.expected += 1;
        while let Some(&(size, root)) = self.checkpoints.last() {
            if size != self.frontier.size() {
                break;
            }
            if root != self.frontier.root() {
                return Err(finding(
                    Some(seq),
                    format!(
                        "签名检查点（大小{size}）的根{}与前{size}条事件计算出的根{}不符：签名之后日志被改写过",
                        root.to_base64(),
                        self.frontier.root().to_base64()
                    ),
                    format!(
                        "the signed checkpoint of size {size} states root {}, but the first {size} events give {}: the log was rewritten after it was signed",
                        root.to_base64(),
                        self.frontier.root().to_base64()
                    ),
                ));
            }
            self.checked = Some(size);
            self.checkpoints.pop();
        }
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    pub fn root(&self) -> audit::Hash {
        self.frontier.root()
    }

    /// Every checkpoint must have been reached: a signed size beyond the events means events were cut.
    pub fn finish(self) -> Result<Verified, Finding> {
        if let Some(&(size, _)) = self.checkpoints.first() {
            let have = self.frontier.size();
            return Err(finding(
                Some(have as i64 + 1),
                format!(
                    "签名检查点记录日志已有{size}条事件，现在只有{have}条：日志末尾的事件被删除"
                ),
                format!(
                    "a signed checkpoint says the log had {size} events, but only {have} remain: events at the end were deleted"
                ),
            ));
        }
        Ok(Verified {
            size: self.frontier.size(),
            root: self.frontier.root(),
            checkpoint: self.checked,
        })
    }
}

/// The stored checkpoints, each with its signature checked against the bureau's public key.
async fn signed_checkpoints(
    db: &impl ConnectionTrait,
    key: &audit::VerifierKey,
) -> Result<Result<Vec<(u64, audit::Hash)>, Finding>, DbErr> {
    let stored = match super::checkpoints::list(db, i64::MAX as u64).await {
        Ok(list) => list,
        Err(super::checkpoints::CheckpointError::Db(e)) => return Err(e),
        Err(e) => {
            return Ok(Err(finding(
                None,
                format!("检查点无法读取：{e}"),
                format!("a checkpoint cannot be read: {e}"),
            )));
        }
    };
    let known = audit::Verifiers::from(key.clone());
    let mut out = Vec::new();
    for c in stored {
        let signed_root = *c.signed.checkpoint().root();
        let bad = c.signed.verify(&known).is_err()
            || c.signed.checkpoint().size() != c.size
            || signed_root != c.root
            || c.signed.checkpoint().origin() != key.name().as_str();
        if bad {
            return Ok(Err(finding(
                None,
                format!(
                    "大小为{}的检查点没有本局密钥 {} 的有效签名，或其记录与签名内容不符",
                    c.size,
                    key.name()
                ),
                format!(
                    "the checkpoint of size {} has no valid signature by the bureau's key {}, or its row differs from what was signed",
                    c.size,
                    key.name()
                ),
            )));
        }
        out.push((c.size, signed_root));
    }
    Ok(Ok(out))
}

const BATCH: u64 = 2000;

/// Checks the live database; `key` is the bureau's public key, obtained independently of the database.
/// Pending events an earlier version left are integrated first.
pub async fn verify(
    db: &sea_orm::DatabaseConnection,
    key: &audit::VerifierKey,
) -> Result<Result<Verified, Finding>, DbErr> {
    match super::integrate::integrate(db).await {
        Ok(_) => {}
        Err(super::integrate::IntegrateError::Db(e)) => return Err(e),
        Err(e) => {
            let (seq, en) = e.english();
            return Ok(Err(finding(seq, e.to_string(), en)));
        }
    }
    let checkpoints = match signed_checkpoints(db, key).await? {
        Ok(c) => c,
        Err(f) => return Ok(Err(f)),
    };
    let mut replay = Replay::new(checkpoints);
    // The state each object's events describe, field by field.
    let mut described: HashMap<(String, String), Map<String, Value>> = HashMap::new();
    let mut next = 1i64;
    loop {
        use sea_orm::{ColumnTrait, QuerySelect};
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gte(next))
            .order_by_asc(audit_event::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
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
            if let Err(f) = replay.push(
                row.seq,
                (&row.object_type, &row.object_id),
                row.prev_hash.as_deref(),
                leaf,
            ) {
                return Ok(Err(f));
            }
            let state = described
                .entry((row.object_type.clone(), row.object_id.clone()))
                .or_default();
            for (field, [_, after]) in event.changes {
                state.insert(field, after);
            }
            next = row.seq + 1;
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
    if size as u64 != replay.size() || root != replay.root().to_hex() {
        return Ok(Err(finding(
            None,
            format!(
                "审计树头记录的大小{size}、根{root}与{}条事件计算出的根{}不符",
                replay.size(),
                replay.root().to_hex()
            ),
            format!(
                "the stored tree head (size {size}, root {root}) does not match the {} events (root {})",
                replay.size(),
                replay.root().to_hex()
            ),
        )));
    }
    let verified = match replay.finish() {
        Ok(v) => v,
        Err(f) => return Ok(Err(f)),
    };
    if let Some(f) = compare_rows(db, &described).await? {
        return Ok(Err(f));
    }
    Ok(Ok(verified))
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
        crate::ledger::entities::rule_made::Entity,
        crate::ledger::entities::accountability::Entity,
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
    "ledger_snapshot",
    "supervision_notice",
    "rectification_rule",
    "accountability",
];
