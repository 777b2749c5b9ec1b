//! 督办单 pages: issuing a notice at the next level of the ladder, and acknowledging it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pages::{find, measure_page_of};
use super::rules::{self, Rights};
use super::store;
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form_multi::Form;
use crate::web::parse_id;

pub(super) async fn notices_of(
    db: &sea_orm::DatabaseConnection,
    measure_id: i64,
) -> Result<Vec<super::entities::notice::Model>, AppError> {
    use super::entities::notice;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(notice::Entity::find()
        .filter(notice::Column::MeasureId.eq(measure_id))
        .order_by_asc(notice::Column::Id)
        .all(db)
        .await?)
}

#[derive(Deserialize)]
pub(super) struct NoticeForm {
    #[serde(default)]
    content: String,
}

/// 发出督办单: the next level of the bureau's ladder, decided by the rules.
pub(super) async fn issue_notice(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(f): Form<NoticeForm>,
) -> Result<Response, AppError> {
    use sea_orm::ActiveValue::Set;
    viewer.require("ledger:inspection:list")?;
    let m = find(&state, &viewer, &raw).await?;
    let content = f.content.trim().to_owned();
    let ladder_text = crate::settings::get(&state.db, "ledger.supervision_ladder").await?;
    let ladder: Vec<&str> = ladder_text.split('、').filter(|s| !s.is_empty()).collect();
    let issued: Vec<i32> = notices_of(&state.db, m.id)
        .await?
        .iter()
        .map(|n| n.level)
        .collect();
    let rights = Rights {
        work: viewer.can("ledger:measure:edit"),
        review: viewer.can("ledger:measure:review"),
    };
    let view = store::rule_view(&state.db, &m).await?;
    let decided = match rules::next_notice_level(&view, &issued, &ladder, rights) {
        Ok(_) if content.is_empty() || content.chars().count() > 1000 => {
            Err("请填写督办要求（最多1000字）".to_owned())
        }
        other => other,
    };
    let (level, level_name) = match decided {
        Ok(ok) => ok,
        Err(why) => {
            return Ok((
                StatusCode::CONFLICT,
                measure_page_of(&state, &viewer, m, why).await?,
            )
                .into_response());
        }
    };
    let now = crate::db::now_ms();
    let mut tx =
        crate::db::audited::AuditedTx::begin(&state.db, viewer.actor(), "ledger.notice.issue")
            .await?;
    tx.insert(super::entities::notice::ActiveModel {
        measure_id: Set(m.id),
        level: Set(level),
        level_name: Set(level_name),
        content: Set(content),
        issued_by: Set(viewer.user.name.clone()),
        issued_on: Set(crate::calendar::today().to_string()),
        acknowledged_by: Set(None),
        acknowledged_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/ledger/measures/{}?msg=saved", m.id)).into_response())
}

/// 签收督办单: the responsible department confirms it has received the notice.
pub(super) async fn acknowledge_notice(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    use sea_orm::{ActiveValue::Set, EntityTrait, IntoActiveModel};
    viewer.require("ledger:measure:edit")?;
    let notice = super::entities::notice::Entity::find_by_id(parse_id(&raw)?)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let m = store::measure_in_scope(&state.db, &viewer.scope, notice.measure_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if notice.acknowledged_on.is_some() {
        return Ok((
            StatusCode::CONFLICT,
            measure_page_of(&state, &viewer, m, "该督办单已签收".into()).await?,
        )
            .into_response());
    }
    let mut am = notice.clone().into_active_model();
    am.acknowledged_by = Set(Some(viewer.user.name.clone()));
    am.acknowledged_on = Set(Some(crate::calendar::today().to_string()));
    am.updated_at = Set(crate::db::now_ms());
    let tx = crate::db::audited::AuditedTx::begin(
        &state.db,
        viewer.actor(),
        "ledger.notice.acknowledge",
    )
    .await?;
    tx.commit_update(&notice, am).await?;
    Ok(Redirect::to(&format!("/ledger/measures/{}?msg=saved", m.id)).into_response())
}
