//! 查重 pages: check one uploaded document against the library in the viewer's scope (it is not added
//! to the library), the report as a page and as a Word file, and the past checks in scope.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use similarity::{DocId, Document};

use super::entities::check;
use super::library_pages::{MAX_CHARS_KEY, department_names, read_multipart};
use super::rules::{self, MAX_TITLE, percent, verdict_label};
use super::store::{self, ListedCheck, NewCheck};
use super::stored_report::{self, Segment, SourceMeta, StoredReport};
use crate::auth::viewer::Viewer;
use crate::web::error::AppError;
use crate::web::form::{self, FieldErrors};
use crate::web::list::{ListParams, Pager, filter_query};
use crate::web::shell::Shell;
use crate::web::{AppState, parse_id};

pub const SUSPECTED_KEY: &str = "similarity.suspected_percent";
pub const DUPLICATE_KEY: &str = "similarity.duplicate_percent";

/// The id the checked document has in the engine: never a library key (those start with a number).
const CHECKED_ID: &str = "checked";

#[derive(Default)]
pub struct CheckInput {
    pub title: String,
    pub owner: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "similarity/templates/check_form.html")]
pub struct CheckForm {
    shell: Shell,
    input: CheckInput,
    errors: FieldErrors,
    library_size: usize,
}

async fn check_form(state: &AppState, viewer: &Viewer) -> Result<CheckForm, AppError> {
    Ok(CheckForm {
        shell: Shell::new(viewer, "/similarity/check", "文献查重"),
        input: CheckInput::default(),
        errors: FieldErrors::default(),
        library_size: store::keys_in_scope(&state.db, &viewer.scope).await?.len(),
    })
}

pub async fn form(State(state): State<AppState>, viewer: Viewer) -> Result<CheckForm, AppError> {
    viewer.require("similarity:check:run")?;
    check_form(&state, &viewer).await
}

pub async fn run(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Multipart,
) -> Result<Response, AppError> {
    viewer.require("similarity:check:run")?;
    let (files, fields) = read_multipart(multipart).await?;
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let mut page = check_form(&state, &viewer).await?;
    page.input = CheckInput {
        title: field("title"),
        owner: field("owner"),
    };
    let e = &mut page.errors;
    let title = form::optional(e, "title", "标题", &page.input.title, MAX_TITLE);
    let owner =
        form::optional(e, "owner", "申请人/单位", &page.input.owner, MAX_TITLE).unwrap_or_default();
    let max_chars = crate::settings::get_int(&state.db, MAX_CHARS_KEY).await? as usize;
    let mut files = files.into_iter();
    let text = match (files.next(), files.next()) {
        (None, _) => {
            e.add("file", "请选择要查重的文件（.txt 或 .docx）");
            None
        }
        (Some(_), Some(_)) => {
            e.add("file", "一次只能查重一个文件");
            None
        }
        (Some(f), None) => match rules::read_upload(&f.name, f.bytes, max_chars) {
            Ok(text) => Some((f.name, text)),
            Err(message) => {
                e.add("file", message);
                None
            }
        },
    };
    let Some((file_name, text)) = text.filter(|_| page.errors.is_empty()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };

    let allowed = store::keys_in_scope(&state.db, &viewer.scope).await?;
    let doc = Document {
        id: DocId::parse(CHECKED_ID).map_err(AppError::internal)?,
        owner: owner.clone(),
        text: text.text.clone(),
    };
    let report = state
        .similarity
        .with_index(&state.db, &state.config.data_dir, move |index| {
            index.check_among(&doc, |key| allowed.contains(key))
        })
        .await?;
    let ids: Vec<i64> = report
        .sources
        .iter()
        .filter_map(|s| rules::id_of_key(&s.id))
        .collect();
    let names = department_names(&state).await?;
    let metas: HashMap<String, SourceMeta> = store::by_ids(&state.db, &ids)
        .await?
        .into_iter()
        .map(|d| {
            (
                rules::index_key(d.id, &d.content_sha256),
                SourceMeta {
                    document_id: d.id,
                    department: names.get(&d.department_id).cloned().unwrap_or_default(),
                    title: d.title,
                    owner: d.owner,
                    text: d.content,
                },
            )
        })
        .collect();
    let stored = StoredReport::build(
        &report,
        &text.text,
        |key| metas.get(key),
        crate::settings::get_int(&state.db, SUSPECTED_KEY).await?,
        crate::settings::get_int(&state.db, DUPLICATE_KEY).await?,
    );
    let id = store::record_check(
        &state.db,
        viewer.actor(),
        NewCheck {
            department_id: viewer.user.department_id,
            title: title.unwrap_or_else(|| rules::default_title(&file_name)),
            owner,
            file_name: rules::base_name(&file_name).chars().take(255).collect(),
            text,
            report: stored,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/similarity/reports/{id}")).into_response())
}

async fn find(state: &AppState, viewer: &Viewer, raw: &str) -> Result<check::Model, AppError> {
    viewer.require("similarity:check:run")?;
    store::check_in_scope(&state.db, &viewer.scope, parse_id(raw)?)
        .await?
        .ok_or(AppError::NotFound)
}

/// The stored report of a check; a row whose report cannot be read is an internal error.
fn report_of(c: &check::Model) -> Result<StoredReport, AppError> {
    serde_json::from_str(&c.report).map_err(AppError::internal)
}

#[derive(Template, WebTemplate)]
#[template(path = "similarity/templates/report.html")]
pub struct ReportPage {
    shell: Shell,
    check: check::Model,
    report: StoredReport,
    /// The checked text with every copied span marked.
    segments: Vec<Segment>,
    can_open_sources: bool,
}

impl ReportPage {
    fn pct(&self, bp: impl std::borrow::Borrow<i32>) -> String {
        percent(bp)
    }
    fn verdict(&self) -> &'static str {
        verdict_label(&self.report.verdict)
    }
}

pub async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<ReportPage, AppError> {
    let check = find(&state, &viewer, &raw).await?;
    let report = report_of(&check)?;
    Ok(ReportPage {
        shell: Shell::new(&viewer, "/similarity/reports", "查重报告"),
        segments: stored_report::segments(&check.content, &report.spans()),
        report,
        check,
        can_open_sources: viewer.can("similarity:library:list"),
    })
}

pub async fn report_docx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let check = find(&state, &viewer, &raw).await?;
    let report = report_of(&check)?;
    let bytes = super::report_docx::write(&check, &report).map_err(AppError::internal)?;
    let name = format!("查重报告-{}.docx", check.title);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_owned(),
            ),
            (header::CONTENT_DISPOSITION, crate::web::attachment(&name)),
        ],
        Body::from(bytes),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct ChecksQuery {
    #[serde(default)]
    q: String,
    #[serde(flatten)]
    list: ListParams,
}

#[derive(Template, WebTemplate)]
#[template(path = "similarity/templates/check_list.html")]
pub struct ChecksPage {
    shell: Shell,
    rows: Vec<ListedCheck>,
    q: String,
    pager: Pager,
}

impl ChecksPage {
    fn pct(&self, bp: impl std::borrow::Borrow<i32>) -> String {
        percent(bp)
    }
    fn verdict(&self, key: &str) -> &'static str {
        verdict_label(key)
    }
}

pub async fn checks(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ChecksQuery>,
) -> Result<ChecksPage, AppError> {
    viewer.require("similarity:check:run")?;
    let paging = q.list.paging(&[]);
    let (rows, total) = store::checks(&state.db, &viewer.scope, &q.q, &paging).await?;
    Ok(ChecksPage {
        shell: Shell::new(&viewer, "/similarity/reports", "查重记录"),
        rows,
        pager: Pager::new(&paging, total, filter_query(&[("q", &q.q)])),
        q: q.q,
    })
}
