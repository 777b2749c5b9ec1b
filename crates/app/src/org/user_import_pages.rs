//! 导入 on 用户管理: upload an Excel sheet, see every row checked, then import all of it (or, by
//! choice, only its valid rows) in one transaction.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::entities::role;
use super::user_import::{self, HEADERS, SheetRow};
use super::users::{self, Input};
use crate::auth::viewer::Viewer;
use crate::db::audited::AuditedTx;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form_multi::Form;
use crate::web::shell::Shell;
use crate::web::xlsx::{self, Column};

/// Largest accepted sheet.
pub const UPLOAD_LIMIT: usize = 5 * 1024 * 1024;

/// A checked row: what will be imported, or why not.
pub struct CheckedRow {
    pub row: SheetRow,
    pub input: Option<Input>,
    pub problems: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/templates/user_import.html")]
pub(super) struct ImportPage {
    shell: Shell,
    error: String,
    rows: Vec<CheckedRow>,
    token: String,
    valid: usize,
    invalid: usize,
    created: Vec<(String, String, String)>,
}

impl ImportPage {
    fn new(viewer: &Viewer) -> ImportPage {
        ImportPage {
            shell: Shell::new(viewer, "/org/users", "导入用户"),
            error: String::new(),
            rows: Vec::new(),
            token: String::new(),
            valid: 0,
            invalid: 0,
            created: Vec::new(),
        }
    }
}

pub async fn form(viewer: Viewer) -> Result<ImportPage, AppError> {
    viewer.require("org:user:add")?;
    Ok(ImportPage::new(&viewer))
}

pub async fn template(viewer: Viewer) -> Result<Response, AppError> {
    viewer.require("org:user:add")?;
    let columns: Vec<Column> = HEADERS
        .iter()
        .map(|(h, _)| Column {
            header: h,
            width: 18.0,
        })
        .collect();
    let example = vec![
        "zhangsan",
        "张三",
        "办公室",
        "13800138000",
        "zhangsan@example.cn",
        "经办人",
    ];
    xlsx::sheet_response(
        "用户导入模板.xlsx",
        "用户",
        &columns,
        &[example.into_iter().map(String::from).collect()],
    )
}

/// Checks every row against the rules and the database, as the form would.
async fn check(
    state: &AppState,
    viewer: &Viewer,
    rows: Vec<SheetRow>,
) -> Result<Vec<CheckedRow>, AppError> {
    let departments: Vec<(i64, String)> =
        super::departments::list_in_scope(&state.db, &viewer.scope)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    let roles: Vec<(i64, String)> = role::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let repeats = user_import::repeated_usernames(&rows);
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut problems: Vec<String> = repeats
            .iter()
            .filter(|(l, _)| *l == row.line)
            .map(|(_, m)| m.clone())
            .collect();
        let input = match user_import::to_input(&row, &departments, &roles) {
            Ok(input) => match users::validate_all(&state.db, &viewer.scope, &input, None).await? {
                Ok(v) if users::may_grant_roles(viewer.can("org:role:edit"), &[], &v.roles) => {
                    Some(input)
                }
                Ok(_) => {
                    problems.push("您没有分配角色的权限".into());
                    None
                }
                Err(e) => {
                    problems.extend(e.0.into_values());
                    None
                }
            },
            Err(p) => {
                problems.extend(p);
                None
            }
        };
        let input = if problems.is_empty() { input } else { None };
        out.push(CheckedRow {
            row,
            input,
            problems,
        });
    }
    Ok(out)
}

fn preview(viewer: &Viewer, state: &AppState, rows: Vec<CheckedRow>, error: String) -> ImportPage {
    let valid = rows.iter().filter(|r| r.input.is_some()).count();
    let invalid = rows.len() - valid;
    let staged: Vec<SheetRow> = rows.iter().map(|r| r.row.clone()).collect();
    let token = if valid > 0 {
        state.staging.put(viewer.user.id, staged)
    } else {
        String::new()
    };
    ImportPage {
        rows,
        token,
        valid,
        invalid,
        error,
        ..ImportPage::new(viewer)
    }
}

pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    viewer.require("org:user:add")?;
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?
    {
        if field.name() == Some("file") {
            file = Some(field.bytes().await.map_err(|_| {
                AppError::BadRequest(format!(
                    "文件过大（上限{}MB）或上传中断",
                    UPLOAD_LIMIT / 1024 / 1024
                ))
            })?);
        }
    }
    let mut page = ImportPage::new(&viewer);
    let cells = match file.filter(|f| !f.is_empty()) {
        None => Err("请选择要导入的 Excel 文件".to_owned()),
        Some(bytes) => xlsx::read_first_sheet(&bytes),
    };
    let rows = match cells.and_then(|c| user_import::read_rows(&c)) {
        Ok(rows) => rows,
        Err(message) => {
            page.error = message;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let checked = check(&state, &viewer, rows).await?;
    Ok(preview(&viewer, &state, checked, String::new()).into_response())
}

#[derive(Deserialize)]
pub struct Confirm {
    #[serde(default)]
    token: String,
    /// `all`: only if every row is valid; `valid`: the valid rows, leaving the others out.
    #[serde(default)]
    mode: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(c): Form<Confirm>,
) -> Result<Response, AppError> {
    viewer.require("org:user:add")?;
    let Some(rows) = state
        .staging
        .take::<Vec<SheetRow>>(viewer.user.id, &c.token)
    else {
        let mut page = ImportPage::new(&viewer);
        page.error = "预览已过期或已导入，请重新上传文件".into();
        return Ok((StatusCode::CONFLICT, page).into_response());
    };
    // The database may have changed since the preview: check again, and write nothing if a row
    // that was to be imported is no longer valid.
    let checked = check(&state, &viewer, rows).await?;
    let invalid = checked.iter().filter(|r| r.input.is_none()).count();
    if invalid > 0 && c.mode != "valid" {
        let page = preview(
            &viewer,
            &state,
            checked,
            format!(
                "有{invalid}行不能导入，未写入任何数据；请修改文件后重新上传，或选择只导入有效行"
            ),
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = AuditedTx::begin(&state.db, viewer.actor(), "org.user.import").await?;
    let mut created = Vec::new();
    for r in checked {
        let Some(input) = r.input else { continue };
        let v = users::validate(&input).map_err(|e| {
            AppError::internal(anyhow::anyhow!(
                "第{}行复核失败：{}",
                r.row.line,
                e.summary()
            ))
        })?;
        let (u, password) = users::insert_new(&mut tx, v).await?;
        created.push((u.username, u.name, password));
    }
    tx.commit().await?;
    Ok(ImportPage {
        created,
        ..ImportPage::new(&viewer)
    }
    .into_response())
}
