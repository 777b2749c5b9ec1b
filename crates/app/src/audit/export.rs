//! `sunlight audit export DIR` and `sunlight audit verify --export DIR`: the log as plain files that an
//! inspector checks on a machine with no database and no trust in the bureau's administrators.
//!
//! ```text
//! DIR/events.jsonl               one audit event per line: its canonical bytes (the leaf input), by seq
//! DIR/checkpoints/<size>.txt     every signed checkpoint with the cosignatures received
//! DIR/log-key.pub                the bureau's public key (check it against the published one)
//! DIR/witnesses.txt              the witnesses' public keys registered at export time
//! DIR/README.txt                 how to check all this
//! ```

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use audit::{SignedCheckpoint, SignerKey, VerifierKey, Verifiers};
use sea_orm::{DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

use super::entity as audit_event;
use super::verify::{Finding, Replay, Verified, finding};
use super::{checkpoints, integrity};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("无法读写 {path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("导出目录 {0} 已存在且不为空；请指定一个新目录")]
    NotEmpty(PathBuf),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Checkpoint(#[from] checkpoints::CheckpointError),
    #[error("第{seq}号审计事件无法导出：{why}")]
    Event { seq: i64, why: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What an export holds.
pub struct Exported {
    pub events: u64,
    pub checkpoints: usize,
    pub latest_checkpoint: Option<u64>,
}

const README: &str = "阳光监管 Sunlight 审计日志导出

events.jsonl            每行一条审计事件，即其规范字节（叶子输入），按序号排列
checkpoints/<大小>.txt   本局签署的检查点（C2SP signed-note 格式），附收到的见证人联署
log-key.pub             本局审计日志公钥——请与本局公开发布的公钥核对，不要只信这个文件
witnesses.txt           导出时登记的见证人联署公钥

核验：sunlight audit verify --export 本目录 --key 公布的公钥文件
叶哈希 = SHA-256(0x00 ‖ 一行的字节)，树按 RFC 6962 / RFC 9162 计算；每条事件的 prev_hash 是同一对象上一条事件的叶哈希。
";

/// Writes the whole log into `dir` (new or empty), first signing a checkpoint of the current tree so
/// that every exported event is covered by a signature.
pub async fn export(
    db: &sea_orm::DatabaseConnection,
    key: &SignerKey,
    dir: &Path,
) -> Result<Exported, ExportError> {
    if dir.exists() && std::fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
        return Err(ExportError::NotEmpty(dir.to_owned()));
    }
    let cp_dir = dir.join("checkpoints");
    std::fs::create_dir_all(&cp_dir).map_err(io(&cp_dir))?;
    let latest = checkpoints::sign_current(db, key).await?;
    let covered = latest.as_ref().map_or(0, |c| c.size);

    let path = dir.join("events.jsonl");
    let mut out = BufWriter::new(File::create(&path).map_err(io(&path))?);
    let mut next = 1i64;
    let mut count = 0u64;
    // Only the events the signed checkpoint covers: later ones would be unauthenticated.
    while (next as u64) <= covered {
        use sea_orm::ColumnTrait;
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gte(next))
            .filter(audit_event::Column::Seq.lte(covered as i64))
            .order_by_asc(audit_event::Column::Seq)
            .limit(2000)
            .all(db)
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let event = row
                .to_event()
                .map_err(|why| ExportError::Event { seq: row.seq, why })?;
            out.write_all(&event.canonical_bytes()).map_err(io(&path))?;
            out.write_all(b"\n").map_err(io(&path))?;
            count += 1;
            next = row.seq + 1;
        }
    }
    out.flush().map_err(io(&path))?;

    let all = checkpoints::list(db, i64::MAX as u64).await?;
    for c in &all {
        let path = cp_dir.join(format!("{:010}.txt", c.size));
        std::fs::write(&path, c.text()).map_err(io(&path))?;
    }
    let writes = [
        ("log-key.pub", format!("{}\n", key.verifier())),
        (
            "witnesses.txt",
            integrity::witness_keys(db)
                .await?
                .iter()
                .map(|k| format!("{k}\n"))
                .collect(),
        ),
        ("README.txt", README.to_owned()),
    ];
    for (name, text) in writes {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    Ok(Exported {
        events: count,
        checkpoints: all.len(),
        latest_checkpoint: latest.map(|c| c.size),
    })
}

/// The result of checking an export, beyond the log's size and root.
#[derive(Debug)]
pub struct ExportVerified {
    pub log: Verified,
    /// Witnesses (from `witnesses.txt`) whose cosignature on the latest checkpoint verified.
    pub cosigned_by: Vec<String>,
}

/// Checks an export with the bureau's public key `key` (obtained independently of the export).
pub fn verify_export(
    dir: &Path,
    key: &VerifierKey,
) -> Result<Result<ExportVerified, Finding>, ExportError> {
    let witnesses = read_keys(&dir.join("witnesses.txt"))?;
    let mut known = Verifiers::from(key.clone());
    for w in witnesses {
        // A witness key that collides with the log's is ignored rather than trusted.
        let _ = known.insert(w);
    }
    let cp_dir = dir.join("checkpoints");
    let mut signed = Vec::new();
    let mut latest_cosigners = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&cp_dir)
        .map_err(io(&cp_dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    entries.sort();
    for path in &entries {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        let name = path.display();
        let checkpoint = match SignedCheckpoint::parse(&text) {
            Ok(c) => c,
            Err(e) => {
                return Ok(Err(finding(
                    None,
                    format!("检查点文件 {name} 无法读取：{e}"),
                    format!("checkpoint file {name} cannot be read: {e}"),
                )));
            }
        };
        let verified = match checkpoint.verify(&known) {
            Ok(v) if checkpoint.checkpoint().origin() == key.name().as_str() => v,
            _ => {
                return Ok(Err(finding(
                    None,
                    format!("检查点文件 {name} 没有本局密钥 {} 的有效签名", key.name()),
                    format!(
                        "checkpoint file {name} has no valid signature by the bureau's key {}",
                        key.name()
                    ),
                )));
            }
        };
        latest_cosigners = verified
            .signatures
            .iter()
            .filter(|s| s.kind == audit::KeyKind::Cosignature)
            .map(|s| s.name.to_string())
            .collect();
        signed.push((
            checkpoint.checkpoint().size(),
            *checkpoint.checkpoint().root(),
        ));
    }
    let mut replay = Replay::new(signed.clone());
    let path = dir.join("events.jsonl");
    let reader = BufReader::new(File::open(&path).map_err(io(&path))?);
    for (n, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(io(&path))?;
        let fields = match serde_json::from_slice::<Value>(&line) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Ok(Err(finding(
                    None,
                    format!("events.jsonl 第{}行不是一条 JSON 事件", n + 1),
                    format!("line {} of events.jsonl is not a JSON event", n + 1),
                )));
            }
        };
        let text = |k: &str| fields.get(k).and_then(Value::as_str).unwrap_or_default();
        let seq = fields.get("seq").and_then(Value::as_i64).unwrap_or(0);
        let pushed = replay.push(
            seq,
            (text("object_type"), text("object_id")),
            fields.get("prev_hash").and_then(Value::as_str),
            audit::leaf_hash(&line),
        );
        if let Err(f) = pushed {
            return Ok(Err(f));
        }
    }
    if replay.size() > 0 && signed.is_empty() {
        return Ok(Err(finding(
            None,
            "导出中没有本局签署的检查点，无法证明这些事件出自本局的日志".into(),
            "the export holds no checkpoint signed by the bureau: the events cannot be authenticated"
                .into(),
        )));
    }
    Ok(replay.finish().map(|log| ExportVerified {
        log,
        cosigned_by: latest_cosigners,
    }))
}

fn read_keys(path: &Path) -> Result<Vec<VerifierKey>, ExportError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|l| VerifierKey::parse(l.trim()).ok())
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(io(path)(e)),
    }
}
