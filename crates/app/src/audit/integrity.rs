//! 完整性: the server keeps its own log honest — it signs a checkpoint at the cadence a setting gives,
//! runs the full verification once a day, and records each verification's result for the 完整性 page.

use std::time::Duration;

use audit::{KeyKind, VerifierKey};
use sea_orm::sea_query::Query;
use sea_orm::{ConnectionTrait, DbErr};

use super::checkpoints;
use crate::web::AppState;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Is a new checkpoint due? Only when the log grew past the latest checkpoint, and the interval has
/// passed since it was signed (at once when there is none).
pub fn checkpoint_due(
    latest: Option<(u64, i64)>,
    head_size: u64,
    interval_minutes: i64,
    now_ms: i64,
) -> bool {
    match latest {
        _ if head_size == 0 => false,
        None => true,
        Some((size, signed_at)) => {
            head_size > size && now_ms - signed_at >= interval_minutes * 60 * 1000
        }
    }
}

/// Is the daily full verification due? Once a day, counted from the last one of any cause.
pub fn verification_due(last_started_at: Option<i64>, now_ms: i64) -> bool {
    last_started_at.is_none_or(|at| now_ms - at >= DAY_MS)
}

/// One full verification as recorded.
#[derive(Clone, Debug)]
pub struct VerificationRecord {
    pub cause: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub ok: bool,
    pub size: u64,
    pub root: Option<String>,
    pub finding: Option<String>,
    pub checkpoint: Option<u64>,
}

/// Runs `verify` over the live database and records the result (`cause`: 每日 / 手动).
pub async fn run_verification(
    db: &sea_orm::DatabaseConnection,
    key: &VerifierKey,
    cause: &str,
) -> Result<VerificationRecord, DbErr> {
    let started_at = crate::db::now_ms();
    let result = super::verify::verify(db, key).await?;
    let finished_at = crate::db::now_ms();
    let record = match result {
        Ok(v) => VerificationRecord {
            cause: cause.to_owned(),
            started_at,
            finished_at,
            ok: true,
            size: v.size,
            root: Some(v.root.to_base64()),
            finding: None,
            checkpoint: v.checkpoint,
        },
        Err(f) => VerificationRecord {
            cause: cause.to_owned(),
            started_at,
            finished_at,
            ok: false,
            size: f.seq.map_or(0, |s| s.max(0) as u64),
            root: None,
            finding: Some(f.to_string()),
            checkpoint: None,
        },
    };
    let insert = Query::insert()
        .into_table("audit_verification")
        .columns([
            "cause",
            "started_at",
            "finished_at",
            "ok",
            "size",
            "root",
            "finding",
        ])
        .values_panic([
            record.cause.clone().into(),
            record.started_at.into(),
            record.finished_at.into(),
            record.ok.into(),
            (record.size as i64).into(),
            record.root.clone().into(),
            record.finding.clone().into(),
        ])
        .to_owned();
    db.execute(&insert).await?;
    if !record.ok {
        tracing::error!(finding = ?record.finding, "audit verification failed");
    }
    Ok(record)
}

/// The most recent verifications, newest first.
pub async fn recent_verifications(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<VerificationRecord>, DbErr> {
    let query = Query::select()
        .columns([
            "cause",
            "started_at",
            "finished_at",
            "ok",
            "size",
            "root",
            "finding",
        ])
        .from("audit_verification")
        .order_by("id", sea_orm::Order::Desc)
        .limit(limit)
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(&query).await? {
        let size: i64 = row.try_get_by_index(4)?;
        out.push(VerificationRecord {
            cause: row.try_get_by_index(0)?,
            started_at: row.try_get_by_index(1)?,
            finished_at: row.try_get_by_index(2)?,
            ok: row.try_get_by_index(3)?,
            size: size as u64,
            root: row.try_get_by_index(5)?,
            finding: row.try_get_by_index(6)?,
            checkpoint: None,
        });
    }
    Ok(out)
}

/// The witnesses whose cosignatures the log accepts (setting `audit.witness_keys`).
pub async fn witness_keys(db: &impl ConnectionTrait) -> Result<Vec<VerifierKey>, DbErr> {
    let text = crate::settings::get(db, "audit.witness_keys").await?;
    Ok(text
        .lines()
        .filter_map(|l| VerifierKey::parse(l.trim()).ok())
        .filter(|k| k.kind() == KeyKind::Cosignature)
        .collect())
}

/// Registers a witness's cosigning key (from the command line), as an audited settings change.
/// Returns false when it was registered already. The list is read inside the transaction that
/// writes it, so two registrations at once cannot lose one.
pub async fn register_witness(
    db: &sea_orm::DatabaseConnection,
    key: &VerifierKey,
) -> Result<bool, crate::db::audited::AuditedError> {
    let mut tx = crate::db::audited::AuditedTx::begin(
        db,
        crate::db::audited::Actor::system("命令行"),
        "system.setting.update",
    )
    .await?;
    let mut keys: Vec<String> = crate::settings::get(tx.reader(), "audit.witness_keys")
        .await?
        .lines()
        .map(str::to_owned)
        .collect();
    let text = key.to_string();
    if keys.contains(&text) {
        return Ok(false);
    }
    keys.push(text);
    crate::settings::write_in(
        &mut tx,
        "audit.witness_keys",
        keys.join("\n"),
        crate::db::now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Signs a checkpoint if one is due, and runs the daily verification if due.
pub async fn tick(state: &AppState) -> Result<(), checkpoints::CheckpointError> {
    let db = &state.db;
    let now = crate::db::now_ms();
    let head = checkpoints::tree_head(db).await?;
    let latest = checkpoints::latest(db)
        .await?
        .map(|c| (c.size, c.signed_at));
    let interval = crate::settings::get_int(db, "audit.checkpoint_minutes").await?;
    if checkpoint_due(latest, head.size, interval, now) {
        checkpoints::sign_current(db, &state.log_key).await?;
    }
    let last = recent_verifications(db, 1).await?;
    if verification_due(last.first().map(|r| r.started_at), now) {
        run_verification(db, state.log_key.verifier(), "每日").await?;
    }
    Ok(())
}

/// The server's background work: a tick every minute, the first one shortly after start.
pub fn spawn_background(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(e) = tick(&state).await {
                tracing::error!(error = %e, "audit background work failed");
            }
        }
    });
}

/// The latest verification if it failed, for the home page's warning.
pub async fn last_failed(db: &impl ConnectionTrait) -> Result<Option<VerificationRecord>, DbErr> {
    Ok(recent_verifications(db, 1)
        .await?
        .into_iter()
        .find(|r| !r.ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60 * 1000;

    #[test]
    fn a_checkpoint_is_due_only_when_the_log_grew_and_the_interval_passed() {
        assert!(!checkpoint_due(None, 0, 60, 0), "nothing to sign");
        assert!(checkpoint_due(None, 5, 60, 0), "the first one at once");
        assert!(!checkpoint_due(Some((5, 0)), 5, 60, 120 * MIN), "no growth");
        assert!(!checkpoint_due(Some((5, 0)), 9, 60, 59 * MIN), "too soon");
        assert!(checkpoint_due(Some((5, 0)), 9, 60, 60 * MIN));
    }

    #[test]
    fn verification_runs_once_a_day() {
        assert!(verification_due(None, 0));
        assert!(!verification_due(Some(0), DAY_MS - 1));
        assert!(verification_due(Some(0), DAY_MS));
    }
}
