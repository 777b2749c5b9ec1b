//! 生成整改情况通报: the public bulletin of a round, written from its ledger, as Word or as a page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::entities::{inspection, measure};
use super::store;
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form_multi::Form;
use crate::web::parse_id;
use crate::web::shell::Shell;

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/bulletin.html")]
pub(super) struct BulletinPage {
    shell: Shell,
    round: inspection::Model,
    form: BulletinForm,
    blocks: Vec<(&'static str, String)>,
    error: String,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct BulletinForm {
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    format: String,
}

/// The round, if the viewer may write its bulletin: every measure of the round must be in scope.
pub(super) async fn whole_round(
    state: &AppState,
    viewer: &Viewer,
    raw: &str,
) -> Result<(inspection::Model, store::Tree), AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    viewer.require("ledger:bulletin:write")?;
    let round = store::inspection_in_scope(&state.db, &viewer.scope, parse_id(raw)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let tree = store::tree(&state.db, &viewer.scope, round.id).await?;
    let all = measure::Entity::find()
        .filter(measure::Column::InspectionId.eq(round.id))
        .count(&state.db)
        .await?;
    if all as usize != tree.measures.len() {
        return Err(AppError::Conflict(
            "您的数据权限不覆盖本轮全部整改措施，不能生成通报".into(),
        ));
    }
    Ok((round, tree))
}

pub(super) async fn bulletin_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<BulletinPage, AppError> {
    use sea_orm::EntityTrait;
    let (round, _) = whole_round(&state, &viewer, &raw).await?;
    let unit = crate::org::entities::department::Entity::find_by_id(round.department_id)
        .one(&state.db)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    let form = BulletinForm {
        issuer: format!("中共{unit}党组"),
        unit,
        published: crate::calendar::today().to_string(),
        ..Default::default()
    };
    Ok(BulletinPage {
        shell: Shell::new(&viewer, "/ledger", "生成整改情况通报"),
        round,
        form,
        blocks: Vec::new(),
        error: String::new(),
    })
}

/// 生成通报: the public version (personal phone and ID numbers masked) as Word or as a page.
pub(super) async fn bulletin_write(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(f): Form<BulletinForm>,
) -> Result<Response, AppError> {
    use super::bulletin_out::{Issue, MeasureFacts};
    let (round, tree) = whole_round(&state, &viewer, &raw).await?;
    let page = |error: String| BulletinPage {
        shell: Shell::new(&viewer, "/ledger", "生成整改情况通报"),
        round: round.clone(),
        form: f.clone(),
        blocks: Vec::new(),
        error,
    };
    let published = match calendar::parse_date(f.published.trim()) {
        Ok(d) => d,
        Err(e) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(format!("发布日期有误：{e}")),
            )
                .into_response());
        }
    };
    if f.issuer.trim().is_empty() || f.unit.trim().is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page("请填写发布单位和被巡察单位".into()),
        )
            .into_response());
    }
    let mut latest = Vec::new();
    for m in &tree.measures {
        latest.push(
            store::reports(&state.db, m.id)
                .await?
                .first()
                .map(|(r, _)| r.content.clone()),
        );
    }
    let facts: Vec<MeasureFacts> = tree
        .measures
        .iter()
        .zip(latest)
        .map(|(measure, progress)| MeasureFacts { measure, progress })
        .collect();
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let issue = Issue {
        unit: f.unit.trim().to_owned(),
        issuer: f.issuer.trim().to_owned(),
        published: Some(published),
        contact: bulletin::Contact {
            phone: text(&f.phone),
            email: text(&f.email),
            address: text(&f.address),
            postcode: text(&f.postcode),
        },
    };
    let done = super::outcomes::of_round(&state.db, round.id).await?;
    let mut b = super::bulletin_out::write(
        &round,
        &tree.sections,
        &tree.problems,
        &facts,
        &done,
        &issue,
    );
    // The public anchors the log: the bulletin carries a checkpoint signed as it was written.
    if let Some(cp) = crate::audit::checkpoints::sign_current(&state.db, &state.log_key).await? {
        b.closing.push(format!(
            "本通报依据的整改台账记录在本局防篡改操作日志中。日志检查点：{}，第{}条，根哈希 {}，可在本局网站 /audit/checkpoint 核对。",
            state.log_key.verifier().name(),
            cp.size,
            cp.root.to_base64()
        ));
    }
    if f.format == "docx" {
        let bytes =
            bulletin::write_docx(&b, bulletin::Privacy::Public).map_err(AppError::internal)?;
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                        .to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    crate::web::attachment(&format!("{}整改情况通报.docx", round.team)),
                ),
            ],
            bytes,
        )
            .into_response());
    }
    let blocks = bulletin::render_blocks(&b, bulletin::Privacy::Public)
        .into_iter()
        .map(|block| {
            let class = match block.kind {
                bulletin::BlockKind::Title => "b-title",
                bulletin::BlockKind::Salutation => "b-salutation",
                bulletin::BlockKind::Heading(1) => "b-h1",
                bulletin::BlockKind::Heading(2) => "b-h2",
                bulletin::BlockKind::Heading(_) => "b-h3",
                bulletin::BlockKind::Paragraph => "b-p",
                bulletin::BlockKind::Signature => "b-signature",
            };
            (class, block.text)
        })
        .collect();
    Ok(BulletinPage {
        blocks,
        ..page(String::new())
    }
    .into_response())
}
