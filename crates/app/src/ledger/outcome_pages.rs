//! 建章立制 and 问责 on a round's page: add an entry linked to one of the round's problems, or remove
//! one entered by mistake (the removal stays in the audit trail).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Redirect;

use super::{outcomes, store};
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form_multi::Form;
use crate::web::parse_id;

async fn round_for_editing(
    state: &AppState,
    viewer: &Viewer,
    raw: &str,
) -> Result<super::entities::inspection::Model, AppError> {
    viewer.require("ledger:inspection:add")?;
    store::inspection_in_scope(&state.db, &viewer.scope, parse_id(raw)?)
        .await?
        .ok_or(AppError::NotFound)
}

fn back(round: i64, msg: &str) -> Redirect {
    Redirect::to(&format!("/ledger/inspections/{round}?msg={msg}#outcomes"))
}

/// `POST /ledger/inspections/{id}/outcomes`: `what` is `rule` (建章立制) or `accountability` (问责).
pub(super) async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Redirect, AppError> {
    let round = round_for_editing(&state, &viewer, &raw).await?;
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let entry = match get("what") {
        "rule" => outcomes::Entry::Rule(
            outcomes::check_rule(
                get("problem_id"),
                get("title"),
                get("doc_no"),
                get("issued_on"),
            )
            .map_err(|e| AppError::BadRequest(format!("建章立制：{}", e.summary())))?,
        ),
        "accountability" => outcomes::Entry::Accountability(
            outcomes::check_accountability(
                get("problem_id"),
                get("person"),
                get("position"),
                get("action"),
                get("decided_on"),
            )
            .map_err(|e| AppError::BadRequest(format!("问责：{}", e.summary())))?,
        ),
        _ => return Err(AppError::BadRequest("未知的登记类型".into())),
    };
    if !outcomes::add(&state.db, viewer.actor(), round.id, entry).await? {
        return Err(AppError::NotFound);
    }
    Ok(back(round.id, "created"))
}

/// `POST /ledger/inspections/{id}/outcomes/{what}/{entry}/delete`.
pub(super) async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((raw, what, entry)): Path<(String, String, String)>,
) -> Result<Redirect, AppError> {
    let round = round_for_editing(&state, &viewer, &raw).await?;
    let entry = parse_id(&entry)?;
    if !outcomes::delete(&state.db, viewer.actor(), round.id, &what, entry).await? {
        return Err(AppError::NotFound);
    }
    Ok(back(round.id, "deleted"))
}
