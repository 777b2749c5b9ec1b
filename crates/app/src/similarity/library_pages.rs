//! 比对库 pages: the library documents in scope (search, paging), upload, a document's page, delete.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::entities::document;
use super::rules::{self, MAX_TITLE};
use super::store::{self, Filter, Listed, NewDocument};
use crate::auth::viewer::Viewer;
use crate::org::entities::department;
use crate::web::error::AppError;
use crate::web::form::{self, FieldErrors};
use crate::web::list::{ListParams, Pager, filter_query};
use crate::web::shell::Shell;
use crate::web::{AppState, parse_id};

/// Largest upload request (all files together).
pub const UPLOAD_LIMIT: usize = 32 * 1024 * 1024;

/// Most files in one upload.
const MAX_FILES: usize = 50;

/// Department names by id, for rows whose department the viewer may not list (仅本人).
pub(super) async fn department_names(state: &AppState) -> Result<BTreeMap<i64, String>, AppError> {
    Ok(department::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}

/// Brings the index in step after a committed change. The database is the record: if this fails,
/// the next check repairs the index, so the user's change still stands.
pub(super) async fn sync_index(state: &AppState) {
    if let Err(e) = state
        .similarity
        .with_index(&state.db, &state.config.data_dir, |_| Ok(()))
        .await
    {
        tracing::warn!(error = %e, "查重索引更新失败，下次查重时重建");
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(flatten)]
    filter: Filter,
    #[serde(flatten)]
    list: ListParams,
    msg: Option<String>,
}

pub struct Row {
    pub doc: Listed,
    pub department: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "similarity/templates/library_list.html")]
pub struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
    filter: Filter,
    departments: Vec<department::Model>,
    pager: Pager,
    can_add: bool,
    can_remove: bool,
    can_check: bool,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    viewer.require("similarity:library:list")?;
    let paging = q.list.paging(&store::SORTABLE);
    let (found, total) = store::search(&state.db, &viewer.scope, &q.filter, &paging).await?;
    let names = department_names(&state).await?;
    let rows = found
        .into_iter()
        .map(|doc| Row {
            department: names.get(&doc.department_id).cloned().unwrap_or_default(),
            doc,
        })
        .collect();
    let fq = filter_query(&[
        ("q", &q.filter.q),
        ("department_id", &q.filter.department_id),
    ]);
    Ok(ListPage {
        shell: Shell::new(&viewer, "/similarity/library", "比对库").with_flash(q.msg.as_deref()),
        rows,
        pager: Pager::new(&paging, total, fq),
        filter: q.filter,
        departments: crate::org::departments::list_in_scope(&state.db, &viewer.scope).await?,
        can_add: viewer.can("similarity:library:add"),
        can_remove: viewer.can("similarity:library:remove"),
        can_check: viewer.can("similarity:check:run"),
    })
}

/// What the upload form sends back when it is shown again.
#[derive(Default)]
pub struct UploadInput {
    pub title: String,
    pub owner: String,
    pub department_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "similarity/templates/library_upload.html")]
pub struct UploadPage {
    shell: Shell,
    departments: Vec<department::Model>,
    input: UploadInput,
    errors: FieldErrors,
    /// One message per file that cannot be read, each naming its file.
    file_errors: Vec<String>,
}

async fn upload_page(state: &AppState, viewer: &Viewer) -> Result<UploadPage, AppError> {
    Ok(UploadPage {
        shell: Shell::new(viewer, "/similarity/library", "上传比对文献"),
        departments: crate::org::departments::list_in_scope(&state.db, &viewer.scope).await?,
        input: UploadInput {
            department_id: viewer.user.department_id.to_string(),
            ..Default::default()
        },
        errors: FieldErrors::default(),
        file_errors: Vec::new(),
    })
}

pub async fn upload_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<UploadPage, AppError> {
    viewer.require("similarity:library:add")?;
    upload_page(&state, &viewer).await
}

/// An uploaded file: its name as sent and its bytes.
pub(super) struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub(super) fn broken_upload() -> AppError {
    AppError::BadRequest(format!(
        "文件过大（上限{}MB）或上传中断",
        UPLOAD_LIMIT / 1024 / 1024
    ))
}

/// The files (field `file`, possibly repeated) and text fields of a multipart form.
pub(super) async fn read_multipart(
    mut multipart: Multipart,
) -> Result<(Vec<Upload>, BTreeMap<String, String>), AppError> {
    let mut files = Vec::new();
    let mut fields = BTreeMap::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| broken_upload())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| broken_upload())?;
            // A form submitted without choosing a file sends one empty, nameless part.
            if !(file_name.is_empty() && bytes.is_empty()) {
                files.push(Upload {
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
            }
        } else {
            let value = field.text().await.map_err(|_| broken_upload())?;
            fields.insert(name, value);
        }
    }
    Ok((files, fields))
}

pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Multipart,
) -> Result<Response, AppError> {
    viewer.require("similarity:library:add")?;
    let (files, fields) = read_multipart(multipart).await?;
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let mut page = upload_page(&state, &viewer).await?;
    page.input = UploadInput {
        title: field("title"),
        owner: field("owner"),
        department_id: field("department_id"),
    };
    let e = &mut page.errors;
    let title = form::optional(e, "title", "标题", &page.input.title, MAX_TITLE);
    let owner =
        form::optional(e, "owner", "申请人/单位", &page.input.owner, MAX_TITLE).unwrap_or_default();
    let department = page
        .input
        .department_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| page.departments.iter().any(|d| d.id == *id));
    if department.is_none() {
        e.add("department_id", "请选择所属部门");
    }
    if files.is_empty() {
        e.add("file", "请选择要上传的文件（.txt 或 .docx）");
    } else if files.len() > MAX_FILES {
        e.add(
            "file",
            format!("一次最多上传{MAX_FILES}个文件，选择了{}个", files.len()),
        );
    } else if files.len() > 1 && title.is_some() {
        e.add("title", "上传多个文件时各篇以文件名为标题，请将标题留空");
    }
    let max_chars = crate::settings::get_int(&state.db, MAX_CHARS_KEY).await? as usize;
    let mut docs = Vec::new();
    for f in files {
        match rules::read_upload(&f.name, f.bytes, max_chars) {
            Ok(text) => docs.push(NewDocument {
                title: title
                    .clone()
                    .unwrap_or_else(|| rules::default_title(&f.name)),
                owner: owner.clone(),
                department_id: department.unwrap_or_default(),
                file_name: rules::base_name(&f.name).chars().take(255).collect(),
                text,
            }),
            Err(message) => page.file_errors.push(message),
        }
    }
    if !page.errors.is_empty() || !page.file_errors.is_empty() {
        if !page.file_errors.is_empty() {
            page.errors
                .add("file", "以下文件无法读取，本次未上传任何文件");
        }
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    store::add(&state.db, viewer.actor(), docs).await?;
    sync_index(&state).await;
    Ok(Redirect::to("/similarity/library?msg=created").into_response())
}

/// The setting that caps a document's length.
pub const MAX_CHARS_KEY: &str = "similarity.max_chars";

async fn find(state: &AppState, viewer: &Viewer, raw: &str) -> Result<document::Model, AppError> {
    store::get_in_scope(&state.db, &viewer.scope, parse_id(raw)?)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Template, WebTemplate)]
#[template(path = "similarity/templates/document.html")]
pub struct DocumentPage {
    shell: Shell,
    doc: document::Model,
    department: String,
    can_remove: bool,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<DocumentPage, AppError> {
    viewer.require("similarity:library:list")?;
    let doc = find(&state, &viewer, &raw).await?;
    let names = department_names(&state).await?;
    Ok(DocumentPage {
        shell: Shell::new(&viewer, "/similarity/library", "比对文献"),
        department: names.get(&doc.department_id).cloned().unwrap_or_default(),
        doc,
        can_remove: viewer.can("similarity:library:remove"),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "org/templates/confirm.html")]
pub struct ConfirmPage {
    shell: Shell,
    question: String,
    action: String,
    back: String,
    error: String,
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<ConfirmPage, AppError> {
    viewer.require("similarity:library:remove")?;
    let doc = find(&state, &viewer, &raw).await?;
    Ok(ConfirmPage {
        shell: Shell::new(&viewer, "/similarity/library", "删除比对文献"),
        question: format!(
            "确定从比对库删除“{}”（{}，{}字）吗？删除后查重不再与其比对，操作将记入审计日志；已完成的查重报告不受影响。",
            doc.title, doc.file_name, doc.chars
        ),
        action: format!("/similarity/library/{}/delete", doc.id),
        back: format!("/similarity/library/{}", doc.id),
        error: String::new(),
    })
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    viewer.require("similarity:library:remove")?;
    let doc = find(&state, &viewer, &raw).await?;
    store::remove(&state.db, viewer.actor(), doc).await?;
    sync_index(&state).await;
    Ok(Redirect::to("/similarity/library?msg=deleted").into_response())
}
