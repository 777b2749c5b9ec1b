//! 导入通报 page: upload a published bulletin or feedback document (text or Word), see the ledger it
//! proposes with every difference from the figures it states, then create it in one transaction.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::store::{self, Draft};
use crate::auth::viewer::Viewer;
use crate::org::entities::department;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form_multi::Form;
use crate::web::shell::Shell;

pub const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/import.html")]
pub(super) struct ImportPage {
    shell: Shell,
    departments: Vec<department::Model>,
    error: String,
    draft: Option<Draft>,
    counts: (usize, usize, usize, usize),
    warnings: Vec<String>,
    token: String,
}

impl ImportPage {
    fn child_measures(&self, p: &super::store::DraftProblem) -> usize {
        p.children.iter().map(|c| c.measures.len()).sum()
    }

    async fn new(state: &AppState, viewer: &Viewer) -> Result<ImportPage, AppError> {
        Ok(ImportPage {
            shell: Shell::new(viewer, "/ledger", "导入整改情况通报"),
            departments: crate::org::departments::list_in_scope(&state.db, &viewer.scope).await?,
            error: String::new(),
            draft: None,
            counts: (0, 0, 0, 0),
            warnings: Vec::new(),
            token: String::new(),
        })
    }
}

pub async fn form(State(state): State<AppState>, viewer: Viewer) -> Result<ImportPage, AppError> {
    viewer.require("ledger:inspection:add")?;
    ImportPage::new(&state, &viewer).await
}

pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:add")?;
    let (mut file, mut name, mut department) = (None, String::new(), String::new());
    let broken = || {
        AppError::BadRequest(format!(
            "文件过大（上限{}MB）或上传中断",
            UPLOAD_LIMIT / 1024 / 1024
        ))
    };
    while let Some(field) = multipart.next_field().await.map_err(|_| broken())? {
        match field.name() {
            Some("file") => {
                name = field.file_name().unwrap_or("通报").to_owned();
                file = Some(field.bytes().await.map_err(|_| broken())?);
            }
            Some("department_id") => department = field.text().await.map_err(|_| broken())?,
            _ => {}
        }
    }
    let mut page = ImportPage::new(&state, &viewer).await?;
    let unit = department
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| page.departments.iter().any(|d| d.id == *id));
    let checked = match (file.filter(|f| !f.is_empty()), unit) {
        (None, _) => Err("请选择要导入的通报文件（.txt 或 .docx）".to_owned()),
        (_, None) => Err("请选择被巡察单位".to_owned()),
        (Some(bytes), Some(unit)) => super::import::read(&name, &bytes).map(|p| (p, unit)),
    };
    let (parsed, unit) = match checked {
        Ok(ok) => ok,
        Err(message) => {
            page.error = message;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let draft = super::import::draft(&parsed.bulletin, unit, &name);
    page.counts = super::import::counts(&draft);
    page.warnings = parsed.warnings.iter().map(|w| w.to_string()).collect();
    page.token = state.staging.put(viewer.user.id, draft.clone());
    page.draft = Some(draft);
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub struct Confirm {
    #[serde(default)]
    token: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(c): Form<Confirm>,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:add")?;
    let Some(draft) = state.staging.take::<Draft>(viewer.user.id, &c.token) else {
        let mut page = ImportPage::new(&state, &viewer).await?;
        page.error = "预览已过期或已导入，请重新上传文件".into();
        return Ok((StatusCode::CONFLICT, page).into_response());
    };
    // The unit must still be in the importer's scope.
    if department::Entity::find_by_id(draft.department_id)
        .one(&state.db)
        .await?
        .is_none()
        || crate::org::departments::get_in_scope(&state.db, &viewer.scope, draft.department_id)
            .await?
            .is_none()
    {
        return Err(AppError::NotFound);
    }
    let id = store::create(
        &state.db,
        viewer.actor(),
        "ledger.inspection.import",
        &draft,
    )
    .await?;
    Ok(Redirect::to(&format!("/ledger/inspections/{id}")).into_response())
}
