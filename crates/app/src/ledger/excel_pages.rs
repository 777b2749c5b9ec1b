//! 导入台账（Excel）: upload the ledger a bureau kept in Excel, see every row checked, then create the
//! round — all of it, or, by the user's choice, its valid rows only — in one transaction.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::excel_import::{self, Line};
use super::store::{self, Draft};
use crate::auth::viewer::Viewer;
use crate::org::entities::department;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form_multi::Form;
use crate::web::shell::Shell;

/// What waits for confirmation.
#[derive(Clone)]
struct Staged {
    draft: Draft,
    titles: Vec<String>,
    lines: Vec<Line>,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/excel_import.html")]
pub(super) struct Page {
    shell: Shell,
    departments: Vec<department::Model>,
    error: String,
    lines: Vec<Line>,
    valid: usize,
    token: String,
}

async fn page(state: &AppState, viewer: &Viewer) -> Result<Page, AppError> {
    Ok(Page {
        shell: Shell::new(viewer, "/ledger", "导入台账（Excel）"),
        departments: crate::org::departments::list_in_scope(&state.db, &viewer.scope).await?,
        error: String::new(),
        lines: Vec::new(),
        valid: 0,
        token: String::new(),
    })
}

pub async fn form(State(state): State<AppState>, viewer: Viewer) -> Result<Page, AppError> {
    viewer.require("ledger:inspection:add")?;
    page(&state, &viewer).await
}

pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:add")?;
    let mut p = page(&state, &viewer).await?;
    let (mut file, mut title, mut team, mut unit) =
        (None, String::new(), String::new(), String::new());
    let broken = || AppError::BadRequest("文件过大或上传中断".into());
    while let Some(field) = multipart.next_field().await.map_err(|_| broken())? {
        match field.name() {
            Some("file") => file = Some(field.bytes().await.map_err(|_| broken())?),
            Some("title") => title = field.text().await.map_err(|_| broken())?,
            Some("team") => team = field.text().await.map_err(|_| broken())?,
            Some("department_id") => unit = field.text().await.map_err(|_| broken())?,
            _ => {}
        }
    }
    let unit = unit
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| p.departments.iter().any(|d| d.id == *id));
    let by_name = |name: &str| p.departments.iter().find(|d| d.name == name).map(|d| d.id);
    let read = match (
        file.filter(|f| !f.is_empty()),
        unit,
        title.trim().is_empty() || team.trim().is_empty(),
    ) {
        (None, _, _) => Err("请选择要导入的 Excel 文件".to_owned()),
        (_, None, _) => Err("请选择被巡察单位".to_owned()),
        (_, _, true) => Err("请填写台账名称和巡察组".to_owned()),
        (Some(bytes), Some(_), false) => crate::web::xlsx::read_first_sheet(&bytes)
            .and_then(|cells| excel_import::read(&cells, by_name)),
    };
    let (titles, lines) = match read {
        Ok(ok) => ok,
        Err(e) => {
            p.error = e;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
    };
    let draft = Draft {
        kind: "patrol".into(),
        title: title.trim().chars().take(200).collect(),
        team: team.trim().chars().take(100).collect(),
        department_id: unit.unwrap_or_default(),
        source_name: Some("Excel 台账导入".into()),
        ..Default::default()
    };
    p.valid = lines.iter().filter(|l| l.measure.is_some()).count();
    p.token = if p.valid > 0 {
        state.staging.put(
            viewer.user.id,
            Staged {
                draft,
                titles,
                lines: lines.clone(),
            },
        )
    } else {
        String::new()
    };
    p.lines = lines;
    Ok(p.into_response())
}

#[derive(Deserialize)]
pub struct Confirm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    mode: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(c): Form<Confirm>,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:add")?;
    let mut p = page(&state, &viewer).await?;
    let Some(staged) = state.staging.take::<Staged>(viewer.user.id, &c.token) else {
        p.error = "预览已过期或已导入，请重新上传文件".into();
        return Ok((StatusCode::CONFLICT, p).into_response());
    };
    let invalid = staged.lines.iter().filter(|l| l.measure.is_none()).count();
    if invalid > 0 && c.mode != "valid" {
        p.error = format!(
            "有{invalid}行不能导入，未写入任何数据；请修改文件后重新上传，或选择只导入有效行"
        );
        p.valid = staged.lines.len() - invalid;
        p.lines = staged.lines.clone();
        p.token = state.staging.put(viewer.user.id, staged);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let draft = Draft {
        sections: excel_import::sections(&staged.titles, &staged.lines),
        ..staged.draft
    };
    let id = store::create(
        &state.db,
        viewer.actor(),
        "ledger.inspection.import_excel",
        &draft,
    )
    .await?;
    Ok(Redirect::to(&format!("/ledger/inspections/{id}")).into_response())
}
