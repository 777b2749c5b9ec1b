//! 完整性 page, the "verify" page of one event, and the log's public endpoints for witnesses:
//! `GET /audit/checkpoint`, `GET /audit/consistency?old=&new=`, `POST /audit/cosignature?size=`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use super::checkpoints::{self, CheckpointError, StoredCheckpoint};
use super::entity as audit_event;
use super::integrity::{self, VerificationRecord};
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::shell::Shell;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit/integrity", get(integrity_page))
        .route("/audit/integrity/checkpoint", post(sign_now))
        .route("/audit/integrity/verify", post(verify_now))
        .route("/audit/events/{seq}/proof", get(proof_page))
        .route("/audit/events/{seq}/tlog-proof", get(proof_file))
        .route("/audit/checkpoint", get(checkpoint_text))
        .route("/audit/consistency", get(consistency_text))
        .route("/audit/cosignature", post(cosignature))
}

impl From<CheckpointError> for AppError {
    fn from(e: CheckpointError) -> Self {
        match e {
            CheckpointError::Db(e) => e.into(),
            CheckpointError::NoSuchCheckpoint(_) => AppError::NotFound,
            CheckpointError::BadRange(_)
            | CheckpointError::BadCosignature(_)
            | CheckpointError::UnknownWitness => AppError::BadRequest(e.to_string()),
            CheckpointError::Corrupt(_) => AppError::internal(e),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/templates/integrity.html")]
struct IntegrityPage {
    shell: Shell,
    public_key: String,
    origin: String,
    head: checkpoints::TreeHead,
    checkpoints: Vec<StoredCheckpoint>,
    verifications: Vec<VerificationRecord>,
    witnesses: Vec<String>,
    can_run: bool,
    msg: String,
}

#[derive(Deserialize, Default)]
struct Msg {
    #[serde(default)]
    msg: String,
}

async fn integrity_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Msg>,
) -> Result<IntegrityPage, AppError> {
    viewer.require("audit:integrity:view")?;
    let msg = match q.msg.as_str() {
        "signed" => "已签署检查点".to_owned(),
        "verified" => "全面核验已完成，结果见下表".to_owned(),
        _ => String::new(),
    };
    Ok(IntegrityPage {
        shell: Shell::new(&viewer, "/audit/integrity", "完整性"),
        public_key: state.log_key.verifier().to_string(),
        origin: state.log_key.verifier().name().to_string(),
        head: checkpoints::tree_head(&state.db).await?,
        checkpoints: checkpoints::list(&state.db, 20).await?,
        verifications: integrity::recent_verifications(&state.db, 10).await?,
        witnesses: integrity::witness_keys(&state.db)
            .await?
            .iter()
            .map(|k| k.to_string())
            .collect(),
        can_run: viewer.can("audit:integrity:run"),
        msg,
    })
}

async fn sign_now(State(state): State<AppState>, viewer: Viewer) -> Result<Redirect, AppError> {
    viewer.require("audit:integrity:run")?;
    checkpoints::sign_current(&state.db, &state.log_key).await?;
    Ok(Redirect::to("/audit/integrity?msg=signed"))
}

async fn verify_now(State(state): State<AppState>, viewer: Viewer) -> Result<Redirect, AppError> {
    viewer.require("audit:integrity:run")?;
    integrity::run_verification(&state.db, state.log_key.verifier(), "手动").await?;
    Ok(Redirect::to("/audit/integrity?msg=verified"))
}

/// An event in the viewer's scope, or 404.
async fn event_in_scope(
    state: &AppState,
    viewer: &Viewer,
    seq: &str,
) -> Result<audit_event::Model, AppError> {
    viewer.require("audit:event:list")?;
    let seq = crate::web::parse_id(seq)?;
    audit_event::Entity::find()
        .filter(audit_event::Column::Seq.eq(seq))
        .filter(viewer.scope.condition(
            audit_event::Column::DepartmentId,
            Some(audit_event::Column::ActorId),
        ))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The event's proof against the latest checkpoint, signing one first if none covers the event yet.
async fn bundle_for(
    state: &AppState,
    event: &audit_event::Model,
) -> Result<(audit::ProofBundle, StoredCheckpoint), AppError> {
    let index = (event.seq - 1) as u64;
    let latest = match checkpoints::latest(&state.db).await? {
        Some(c) if c.size > index => c,
        _ => checkpoints::sign_current(&state.db, &state.log_key)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    let proof = checkpoints::inclusion_proof(&state.db, index, latest.size).await?;
    let leaf_input = event
        .to_event()
        .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?
        .canonical_bytes();
    let bundle =
        audit::ProofBundle::new(index, proof, latest.signed.clone()).with_extra(leaf_input);
    Ok((bundle, latest))
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/templates/proof.html")]
struct ProofPage {
    shell: Shell,
    event: audit_event::Model,
    leaf_hash: String,
    checkpoint: StoredCheckpoint,
    proof: Vec<String>,
    /// `Ok(cosigners)` when the proof and the checkpoint's signature verified, else why not.
    result: Result<Vec<String>, String>,
}

async fn proof_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(seq): Path<String>,
) -> Result<ProofPage, AppError> {
    let event = event_in_scope(&state, &viewer, &seq).await?;
    let (bundle, checkpoint) = bundle_for(&state, &event).await?;
    let mut known = audit::Verifiers::from(state.log_key.verifier().clone());
    for w in integrity::witness_keys(&state.db).await? {
        let _ = known.insert(w);
    }
    // The same check an inspector runs offline on the downloaded file.
    let result = audit::verify_bundle(&bundle, &known)
        .map_err(|e| e.to_string())
        .and_then(|v| {
            if v.leaf_input
                == event
                    .to_event()
                    .map(|e| e.canonical_bytes())
                    .unwrap_or_default()
            {
                Ok(v.checkpoint
                    .signatures
                    .iter()
                    .filter(|s| s.kind == audit::KeyKind::Cosignature)
                    .map(|s| s.name.to_string())
                    .collect())
            } else {
                Err("证明中的事件与数据库中的事件不一致".to_owned())
            }
        });
    Ok(ProofPage {
        shell: Shell::new(&viewer, "/audit/events", "事件核验"),
        leaf_hash: event.leaf_hash.clone(),
        proof: bundle.proof().iter().map(|h| h.to_base64()).collect(),
        event,
        checkpoint,
        result,
    })
}

/// The offline proof file (`c2sp.org/tlog-proof@v1`, the event's bytes in `extra`).
async fn proof_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(seq): Path<String>,
) -> Result<Response, AppError> {
    let event = event_in_scope(&state, &viewer, &seq).await?;
    let (bundle, _) = bundle_for(&state, &event).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                crate::web::attachment(&format!("audit-event-{}.tlog-proof", event.seq)),
            ),
        ],
        bundle.to_string(),
    )
        .into_response())
}

fn plain(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The latest signed checkpoint with its cosignatures; public, so anyone can keep it.
async fn checkpoint_text(State(state): State<AppState>) -> Result<Response, AppError> {
    Ok(match checkpoints::latest(&state.db).await? {
        Some(c) => plain(StatusCode::OK, c.text()),
        None => plain(StatusCode::NOT_FOUND, "尚未签署检查点\n".into()),
    })
}

#[derive(Deserialize)]
struct Range {
    old: String,
    new: String,
}

/// A consistency proof between two tree sizes, one base64 hash per line; public.
async fn consistency_text(
    State(state): State<AppState>,
    Query(r): Query<Range>,
) -> Result<Response, AppError> {
    let (Ok(old), Ok(new)) = (r.old.parse::<u64>(), r.new.parse::<u64>()) else {
        return Ok(plain(
            StatusCode::BAD_REQUEST,
            "old 和 new 应为树大小（非负整数）\n".into(),
        ));
    };
    let head = checkpoints::tree_head(&state.db).await?;
    if old == 0 || old > new || new > head.size {
        return Ok(plain(
            StatusCode::BAD_REQUEST,
            format!("应满足 0 < old ≤ new ≤ {}（当前日志大小）\n", head.size),
        ));
    }
    let proof = checkpoints::consistency_proof(&state.db, old, new).await?;
    Ok(plain(
        StatusCode::OK,
        proof
            .iter()
            .map(|h| format!("{}\n", h.to_base64()))
            .collect(),
    ))
}

#[derive(Deserialize)]
struct SizeParam {
    size: String,
}

/// A witness hands back its cosignature on the checkpoint of `size`; kept if it verifies against a
/// registered witness key.
async fn cosignature(
    State(state): State<AppState>,
    Query(p): Query<SizeParam>,
    body: String,
) -> Result<Response, AppError> {
    let Ok(size) = p.size.parse::<u64>() else {
        return Ok(plain(
            StatusCode::BAD_REQUEST,
            "size 应为检查点的树大小\n".into(),
        ));
    };
    let witnesses = integrity::witness_keys(&state.db).await?;
    match checkpoints::receive_cosignatures(&state.db, size, &body, &witnesses).await {
        Ok(kept) => Ok(plain(
            StatusCode::OK,
            format!("已记录联署：{}\n", kept.join("、")),
        )),
        Err(CheckpointError::UnknownWitness) => Ok(plain(
            StatusCode::FORBIDDEN,
            format!("{}\n", CheckpointError::UnknownWitness),
        )),
        Err(CheckpointError::NoSuchCheckpoint(s)) => Ok(plain(
            StatusCode::NOT_FOUND,
            format!("{}\n", CheckpointError::NoSuchCheckpoint(s)),
        )),
        Err(CheckpointError::BadCosignature(why)) => {
            Ok(plain(StatusCode::BAD_REQUEST, format!("联署无效：{why}\n")))
        }
        Err(e) => Err(e.into()),
    }
}
