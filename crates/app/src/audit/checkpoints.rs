//! Signed checkpoints of the audit log and the witnesses' cosignatures on them; proofs read from the
//! stored subtree hashes (`audit_node`).
//!
//! These rows need no audit event of their own: each checkpoint is signed by the bureau's key and
//! each cosignature by its witness, so a changed row fails its signature. A checkpoint is taken from
//! `audit_tree` in one read, so its size and root always belong together.

use std::collections::BTreeMap;

use audit::{Checkpoint, Hash, NodeId, SignedCheckpoint, SignerKey, VerifierKey, Verifiers};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr, Statement};

/// Where the log stands now: the stored tree head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("审计日志数据损坏：{0}")]
    Corrupt(String),
    #[error("没有大小为{0}的检查点")]
    NoSuchCheckpoint(u64),
    #[error("联署无效：{0}")]
    BadCosignature(String),
    #[error("联署者不是登记在册的见证人（参数设置“审计日志见证人公钥”）")]
    UnknownWitness,
    #[error("证明请求无效：{0}")]
    BadRange(String),
}

fn corrupt(e: impl std::fmt::Display) -> CheckpointError {
    CheckpointError::Corrupt(e.to_string())
}

pub async fn tree_head(db: &impl ConnectionTrait) -> Result<TreeHead, CheckpointError> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT size, root FROM audit_tree WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| corrupt("audit_tree 缺失"))?;
    let size: i64 = row.try_get_by_index(0)?;
    let root: String = row.try_get_by_index(1)?;
    Ok(TreeHead {
        size: size as u64,
        root: Hash::from_hex(&root).map_err(corrupt)?,
    })
}

/// Subtrees are stored in `audit_node` from this level up (16 leaves); smaller ones are computed
/// from their leaves' hashes in `audit_event` when a proof needs them (at most 15 leaves each).
pub const NODES_STORED_FROM_LEVEL: u8 = 4;

/// The subtree hashes a proof needs: the stored ones fetched in one query, the smaller ones
/// computed from the leaves read in another.
pub async fn nodes(
    db: &impl ConnectionTrait,
    wanted: &[NodeId],
) -> Result<BTreeMap<NodeId, Hash>, CheckpointError> {
    let (small, stored): (Vec<NodeId>, Vec<NodeId>) = wanted
        .iter()
        .partition(|n| n.level() < NODES_STORED_FROM_LEVEL);
    let mut out = stored_nodes(db, &stored).await?;
    out.extend(computed_nodes(db, &small).await?);
    Ok(out)
}

/// Subtrees below [`NODES_STORED_FROM_LEVEL`], each the root of its leaves (events
/// `idx·2^level + 1 ..= (idx+1)·2^level`); one whose leaves are not all there is left out, so the
/// proof that needs it fails.
async fn computed_nodes(
    db: &impl ConnectionTrait,
    wanted: &[NodeId],
) -> Result<BTreeMap<NodeId, Hash>, CheckpointError> {
    let mut out = BTreeMap::new();
    if wanted.is_empty() {
        return Ok(out);
    }
    let span = |n: &NodeId| {
        let width = 1i64 << n.level();
        (n.index() as i64 * width + 1, (n.index() as i64 + 1) * width)
    };
    let mut any = Condition::any();
    for n in wanted {
        let (first, last) = span(n);
        any = any.add(Expr::col("seq").between(first, last));
    }
    let query = Query::select()
        .columns(["seq", "leaf_hash"])
        .from("audit_event")
        .cond_where(any)
        .to_owned();
    let mut leaves = BTreeMap::new();
    for row in db.query_all(&query).await? {
        let seq: i64 = row.try_get_by_index(0)?;
        let hash: String = row.try_get_by_index(1)?;
        leaves.insert(seq, Hash::from_hex(&hash).map_err(corrupt)?);
    }
    for n in wanted {
        let (first, last) = span(n);
        let hashes: Vec<Hash> = leaves.range(first..=last).map(|(_, h)| *h).collect();
        if hashes.len() as i64 == last - first + 1 {
            out.insert(*n, audit::root_of_leaves(&hashes));
        }
    }
    Ok(out)
}

async fn stored_nodes(
    db: &impl ConnectionTrait,
    wanted: &[NodeId],
) -> Result<BTreeMap<NodeId, Hash>, CheckpointError> {
    let mut out = BTreeMap::new();
    if wanted.is_empty() {
        return Ok(out);
    }
    let mut any = Condition::any();
    for n in wanted {
        any = any.add(
            Condition::all()
                .add(Expr::col("level").eq(i32::from(n.level())))
                .add(Expr::col("idx").eq(n.index() as i64)),
        );
    }
    let query = Query::select()
        .columns(["level", "idx", "hash"])
        .from("audit_node")
        .cond_where(any)
        .to_owned();
    for row in db.query_all(&query).await? {
        let level: i32 = row.try_get_by_index(0)?;
        let idx: i64 = row.try_get_by_index(1)?;
        let hash: String = row.try_get_by_index(2)?;
        let level = u8::try_from(level).map_err(corrupt)?;
        out.insert(
            NodeId::new(level, idx as u64),
            Hash::from_hex(&hash).map_err(corrupt)?,
        );
    }
    Ok(out)
}

/// Inclusion proof of entry `index` (0-based; event `seq` is entry `seq - 1`) in the tree of `size`.
pub async fn inclusion_proof(
    db: &impl ConnectionTrait,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, CheckpointError> {
    let wanted = audit::inclusion_proof_nodes(index, size)
        .map_err(|e| CheckpointError::BadRange(e.to_string()))?;
    let fetched = nodes(db, &wanted).await?;
    audit::inclusion_proof(&fetched, index, size).map_err(corrupt)
}

/// Consistency proof from the tree of `old` to the tree of `new` (both at most the stored size).
pub async fn consistency_proof(
    db: &impl ConnectionTrait,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, CheckpointError> {
    let wanted = audit::consistency_proof_nodes(old, new)
        .map_err(|e| CheckpointError::BadRange(e.to_string()))?;
    let fetched = nodes(db, &wanted).await?;
    audit::consistency_proof(&fetched, old, new).map_err(corrupt)
}

/// A stored checkpoint with the cosignatures received for it.
#[derive(Clone, Debug)]
pub struct StoredCheckpoint {
    pub id: i64,
    pub size: u64,
    pub root: Hash,
    pub signed_at: i64,
    /// The checkpoint as the log signed it, with every stored cosignature line appended.
    pub signed: SignedCheckpoint,
    pub cosignatures: Vec<Cosignature>,
}

#[derive(Clone, Debug)]
pub struct Cosignature {
    pub witness: String,
    /// POSIX seconds at which the witness cosigned.
    pub timestamp: i64,
    pub received_at: i64,
}

impl StoredCheckpoint {
    /// The text to publish or hand to a witness: note, log signature, cosignatures.
    pub fn text(&self) -> String {
        self.signed.to_string()
    }
}

/// The newest checkpoints first (at most `limit`).
pub async fn list(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<StoredCheckpoint>, CheckpointError> {
    load(db, None, limit).await
}

async fn load(
    db: &impl ConnectionTrait,
    size: Option<u64>,
    limit: u64,
) -> Result<Vec<StoredCheckpoint>, CheckpointError> {
    let mut query = Query::select()
        .columns(["id", "size", "root", "signed_note", "signed_at"])
        .from("audit_checkpoint")
        .order_by("size", sea_orm::Order::Desc)
        .limit(limit)
        .to_owned();
    if let Some(size) = size {
        query.and_where(Expr::col("size").eq(size as i64));
    }
    let mut out = Vec::new();
    for row in db.query_all(&query).await? {
        let id: i64 = row.try_get_by_index(0)?;
        let size: i64 = row.try_get_by_index(1)?;
        let root: String = row.try_get_by_index(2)?;
        let note: String = row.try_get_by_index(3)?;
        let signed_at: i64 = row.try_get_by_index(4)?;
        let mut signed = SignedCheckpoint::parse(&note).map_err(corrupt)?;
        let mut cosignatures = Vec::new();
        let mut lines = String::new();
        let query = Query::select()
            .columns(["witness", "signature_line", "timestamp", "received_at"])
            .from("audit_cosignature")
            .and_where(Expr::col("checkpoint_id").eq(id))
            .order_by("id", sea_orm::Order::Asc)
            .to_owned();
        for c in db.query_all(&query).await? {
            let line: String = c.try_get_by_index(1)?;
            lines.push_str(&line);
            cosignatures.push(Cosignature {
                witness: c.try_get_by_index(0)?,
                timestamp: c.try_get_by_index(2)?,
                received_at: c.try_get_by_index(3)?,
            });
        }
        if !lines.is_empty() {
            // Stored lines were verified on receipt; here they are only put back on the note.
            append_lines(&mut signed, &lines)?;
        }
        out.push(StoredCheckpoint {
            id,
            size: size as u64,
            root: Hash::from_hex(&root).map_err(corrupt)?,
            signed_at,
            signed,
            cosignatures,
        });
    }
    Ok(out)
}

fn append_lines(signed: &mut SignedCheckpoint, lines: &str) -> Result<(), CheckpointError> {
    let text = format!("{signed}{lines}");
    *signed = SignedCheckpoint::parse(&text).map_err(corrupt)?;
    Ok(())
}

pub async fn latest(
    db: &impl ConnectionTrait,
) -> Result<Option<StoredCheckpoint>, CheckpointError> {
    Ok(list(db, 1).await?.into_iter().next())
}

pub async fn by_size(
    db: &impl ConnectionTrait,
    size: u64,
) -> Result<StoredCheckpoint, CheckpointError> {
    load(db, Some(size), 1)
        .await?
        .into_iter()
        .next()
        .ok_or(CheckpointError::NoSuchCheckpoint(size))
}

/// Signs the tree head unless the latest checkpoint already covers it; returns the latest checkpoint either way (`None` while the log is empty).
pub async fn sign_current(
    db: &sea_orm::DatabaseConnection,
    key: &SignerKey,
) -> Result<Option<StoredCheckpoint>, CheckpointError> {
    let head = tree_head(db).await?;
    if head.size == 0 {
        return Ok(None);
    }
    if let Some(latest) = latest(db).await?
        && latest.size >= head.size
    {
        return Ok(Some(latest));
    }
    let checkpoint =
        Checkpoint::new(key.verifier().name().as_str(), head.size, head.root).map_err(corrupt)?;
    let signed = checkpoint.sign(key).map_err(corrupt)?;
    let insert = Query::insert()
        .into_table("audit_checkpoint")
        .columns(["size", "root", "signed_note", "signed_at"])
        .values_panic([
            (head.size as i64).into(),
            head.root.to_hex().into(),
            signed.to_string().into(),
            crate::db::now_ms().into(),
        ])
        .on_conflict(OnConflict::column("size").do_nothing().to_owned())
        .to_owned();
    // Two signers at once: the second insert does nothing and both read the one row back.
    db.execute(&insert).await?;
    latest(db).await
}

/// Stores the cosignature lines a witness sent for the checkpoint of `size`, after checking each
/// against the registered witness keys. Returns the names of the witnesses whose lines were kept.
pub async fn receive_cosignatures(
    db: &impl ConnectionTrait,
    size: u64,
    lines: &str,
    witnesses: &[VerifierKey],
) -> Result<Vec<String>, CheckpointError> {
    let stored = by_size(db, size).await?;
    let known = Verifiers::new(witnesses.iter().cloned())
        .map_err(|e| CheckpointError::BadCosignature(e.to_string()))?;
    let mut signed = stored.signed.clone();
    let lines = if lines.ends_with('\n') {
        lines.to_owned()
    } else {
        format!("{lines}\n")
    };
    let verified = signed
        .add_cosignatures(&lines, &known)
        .map_err(|e| match e {
            audit::CheckpointError::Note(audit::NoteError::NoVerifiedSignature { .. }) => {
                CheckpointError::UnknownWitness
            }
            other => CheckpointError::BadCosignature(other.to_string()),
        })?;
    let mut kept = Vec::new();
    for v in verified {
        let Some(line) = signed
            .note()
            .signatures()
            .iter()
            .find(|s| s.name() == &v.name && s.key_id() == v.key_id)
        else {
            continue;
        };
        let insert = Query::insert()
            .into_table("audit_cosignature")
            .columns([
                "checkpoint_id",
                "witness",
                "signature_line",
                "timestamp",
                "received_at",
            ])
            .values_panic([
                stored.id.into(),
                v.name.to_string().into(),
                line.to_string().into(),
                (v.timestamp.unwrap_or(0) as i64).into(),
                crate::db::now_ms().into(),
            ])
            .on_conflict(
                OnConflict::columns(["checkpoint_id", "witness"])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        db.execute(&insert).await?;
        kept.push(v.name.to_string());
    }
    Ok(kept)
}
