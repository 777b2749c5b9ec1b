//! 整改台账 pages: the rounds in scope, a round's tree with every measure's status and alerts, and
//! a measure's page where progress is reported and 销号 requested, decided and looked back on.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use calendar::Calendar;
use serde::Deserialize;
use sha2::Digest;

use super::entities::{evidence, inspection, measure, problem, progress_report, section};
use super::rules::{self, Action, Alert, Rights, Status};
use super::store;
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form_multi::Form;
use crate::web::parse_id;
use crate::web::shell::Shell;

/// Largest progress report with its evidence files.
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ledger", get(list))
        .route(
            "/ledger/import",
            get(super::import_pages::form)
                .post(super::import_pages::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    super::import_pages::UPLOAD_LIMIT,
                )),
        )
        .route("/ledger/import/confirm", post(super::import_pages::confirm))
        .route(
            "/ledger/import-excel",
            get(super::excel_pages::form)
                .post(super::excel_pages::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    super::import_pages::UPLOAD_LIMIT,
                )),
        )
        .route(
            "/ledger/import-excel/confirm",
            post(super::excel_pages::confirm),
        )
        .route(
            "/ledger/new",
            get(super::add_pages::new_round).post(super::add_pages::create_round),
        )
        .route("/ledger/inspections/{id}", get(round))
        .route("/ledger/inspections/{id}/add", post(super::add_pages::add))
        .route("/ledger/inspections/{id}/snapshots", post(take_snapshot))
        .route("/ledger/snapshots/{id}", get(snapshot_download))
        .route("/ledger/inspections/{id}/export", get(export))
        .route(
            "/ledger/inspections/{id}/bulletin",
            get(bulletin_form).post(bulletin_write),
        )
        .route("/ledger/measures/{id}", get(measure_page))
        .route("/ledger/measures/{id}/actions", post(act))
        .route("/ledger/measures/{id}/edit", get(edit_form).post(edit_save))
        .route("/ledger/measures/{id}/notices", post(issue_notice))
        .route("/ledger/notices/{id}/acknowledge", post(acknowledge_notice))
        .route(
            "/ledger/measures/{id}/reports",
            post(report).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/ledger/evidence/{id}", get(download))
}

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "tour" => "巡视",
        "patrol" => "巡察",
        "audit" => "审计",
        "special" => "专项检查",
        _ => "检查",
    }
}

fn status_label(key: &str) -> &'static str {
    Status::parse(key).map_or("未知", Status::label)
}

fn due_text(m: &measure::Model) -> String {
    match m.due_kind.as_str() {
        "immediate" => "立行立改".into(),
        "long_term" => "长期坚持".into(),
        _ => m.due_on.clone().unwrap_or_default(),
    }
}

/// Alerts of a stored measure today, or the calendar's reason why they cannot be computed.
async fn alerts_of(
    state: &AppState,
    cal: &Calendar,
    s: &rules::Settings,
    m: &measure::Model,
) -> Result<Vec<(String, String)>, AppError> {
    let view = store::rule_view(&state.db, m).await?;
    Ok(
        match rules::alerts(&view, crate::calendar::today(), cal, s) {
            Ok(list) => list
                .iter()
                .map(|a: &Alert| (a.colour().to_owned(), a.text()))
                .collect(),
            Err(e) => vec![("red".into(), e.to_string())],
        },
    )
}

pub struct RoundRow {
    pub round: inspection::Model,
    pub measures: usize,
    pub closed: usize,
    pub overdue: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<RoundRow>,
    can_import: bool,
}

impl ListPage {
    fn kind(&self, key: &str) -> &'static str {
        kind_label(key)
    }
}

async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<ListPage, AppError> {
    viewer.require("ledger:inspection:list")?;
    let cal = crate::calendar::effective(&state.db).await?;
    let settings = store::settings(&state.db).await?;
    let mut rows = Vec::new();
    for round in store::inspections(&state.db, &viewer.scope).await? {
        let tree = store::tree(&state.db, &viewer.scope, round.id).await?;
        let mut overdue = 0;
        for m in &tree.measures {
            if alerts_of(&state, &cal, &settings, m)
                .await?
                .iter()
                .any(|(c, _)| c == "red")
            {
                overdue += 1;
            }
        }
        let closed = tree
            .measures
            .iter()
            .filter(|m| m.status == "closed")
            .count();
        rows.push(RoundRow {
            measures: tree.measures.len(),
            closed,
            overdue,
            round,
        });
    }
    Ok(ListPage {
        shell: Shell::new(&viewer, "/ledger", "整改台账"),
        rows,
        can_import: viewer.can("ledger:inspection:add"),
    })
}

/// One problem of the tree with its measures, in display order.
pub struct ProblemRow {
    pub problem: problem::Model,
    pub measures: Vec<MeasureRow>,
}

pub struct MeasureRow {
    pub measure: measure::Model,
    pub status: &'static str,
    pub due: String,
    pub alerts: Vec<(String, String)>,
}

pub struct SectionRow {
    pub section: section::Model,
    pub problems: Vec<ProblemRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/round.html")]
struct RoundPage {
    shell: Shell,
    can_add: bool,
    can_bulletin: bool,
    /// Server-drawn SVG charts (our own markup, labels escaped).
    charts: Vec<String>,
    on_time: String,
    snapshots: Vec<super::entities::snapshot::Model>,
    round: inspection::Model,
    kind: &'static str,
    sections: Vec<SectionRow>,
}

async fn round(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Query(q): Query<MeasureQuery>,
) -> Result<RoundPage, AppError> {
    viewer.require("ledger:inspection:list")?;
    let round = store::inspection_in_scope(&state.db, &viewer.scope, parse_id(&raw)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let tree = store::tree(&state.db, &viewer.scope, round.id).await?;
    let (charts, on_time) =
        dashboard(&state, &tree.sections, &tree.problems, &tree.measures).await?;
    let cal = crate::calendar::effective(&state.db).await?;
    let settings = store::settings(&state.db).await?;
    let mut sections = Vec::new();
    for s in tree.sections {
        // Main problems, each followed by its specific problems.
        let mut problems = Vec::new();
        for main in tree
            .problems
            .iter()
            .filter(|p| p.section_id == s.id && p.parent_id.is_none())
        {
            let family = std::iter::once(main).chain(
                tree.problems
                    .iter()
                    .filter(|c| c.parent_id == Some(main.id)),
            );
            for p in family {
                let mut measures = Vec::new();
                for m in tree.measures.iter().filter(|m| m.problem_id == p.id) {
                    measures.push(MeasureRow {
                        status: status_label(&m.status),
                        due: due_text(m),
                        alerts: alerts_of(&state, &cal, &settings, m).await?,
                        measure: m.clone(),
                    });
                }
                problems.push(ProblemRow {
                    problem: p.clone(),
                    measures,
                });
            }
        }
        sections.push(SectionRow {
            section: s,
            problems,
        });
    }
    Ok(RoundPage {
        charts,
        on_time,
        shell: Shell::new(&viewer, "/ledger", &round.title).with_flash(q.msg.as_deref()),
        can_add: viewer.can("ledger:inspection:add"),
        can_bulletin: viewer.can("ledger:bulletin:write"),
        snapshots: {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
            super::entities::snapshot::Entity::find()
                .filter(super::entities::snapshot::Column::InspectionId.eq(round.id))
                .order_by_desc(super::entities::snapshot::Column::Id)
                .all(&state.db)
                .await?
        },
        kind: kind_label(&round.kind),
        round,
        sections,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/measure.html")]
struct MeasurePage {
    shell: Shell,
    m: measure::Model,
    problem: String,
    status: &'static str,
    due: String,
    alerts: Vec<(String, String)>,
    reports: Vec<(progress_report::Model, Vec<evidence::Model>)>,
    can_work: bool,
    can_review: bool,
    can_assign: bool,
    department: String,
    notices: Vec<super::entities::notice::Model>,
    error: String,
    today: String,
}

#[derive(Deserialize, Default)]
struct MeasureQuery {
    msg: Option<String>,
}

async fn measure_page_of(
    state: &AppState,
    viewer: &Viewer,
    m: measure::Model,
    error: String,
) -> Result<MeasurePage, AppError> {
    use sea_orm::EntityTrait;
    let cal = crate::calendar::effective(&state.db).await?;
    let settings = store::settings(&state.db).await?;
    let problem = problem::Entity::find_by_id(m.problem_id)
        .one(&state.db)
        .await?
        .map(|p| p.title)
        .unwrap_or_default();
    Ok(MeasurePage {
        shell: Shell::new(viewer, "/ledger", "整改措施"),
        problem,
        status: status_label(&m.status),
        due: due_text(&m),
        alerts: alerts_of(state, &cal, &settings, &m).await?,
        reports: store::reports(&state.db, m.id).await?,
        can_work: viewer.can("ledger:measure:edit"),
        can_review: viewer.can("ledger:measure:review"),
        can_assign: viewer.can("ledger:inspection:add"),
        notices: notices_of(&state.db, m.id).await?,
        department: crate::org::entities::department::Entity::find_by_id(m.department_id)
            .one(&state.db)
            .await?
            .map(|d| d.name)
            .unwrap_or_default(),
        error,
        today: crate::calendar::today().to_string(),
        m,
    })
}

async fn find(state: &AppState, viewer: &Viewer, raw: &str) -> Result<measure::Model, AppError> {
    store::measure_in_scope(&state.db, &viewer.scope, parse_id(raw)?)
        .await?
        .ok_or(AppError::NotFound)
}

async fn measure_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Query(q): Query<MeasureQuery>,
) -> Result<MeasurePage, AppError> {
    viewer.require("ledger:inspection:list")?;
    let m = find(&state, &viewer, &raw).await?;
    let mut page = measure_page_of(&state, &viewer, m, String::new()).await?;
    page.shell = page.shell.with_flash(q.msg.as_deref());
    Ok(page)
}

#[derive(Deserialize)]
struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

/// A 销号 workflow step, decided by the rules: allowed → one audited change; refused → the
/// measure's page with the reason, nothing written.
async fn act(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(f): Form<ActForm>,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:list")?;
    let m = find(&state, &viewer, &raw).await?;
    let (action, name) = match f.action.as_str() {
        "complete" => (Action::Complete, "ledger.measure.complete"),
        "request" => (Action::RequestCloseOut, "ledger.measure.request_close_out"),
        "approve" => (Action::ApproveCloseOut, "ledger.measure.close_out"),
        "return" => (
            Action::ReturnCloseOut {
                reason: f.reason.clone(),
            },
            "ledger.measure.return_close_out",
        ),
        "confirm" => (Action::ConfirmLookBack, "ledger.measure.look_back"),
        "reopen" => (
            Action::Reopen {
                reason: f.reason.clone(),
            },
            "ledger.measure.reopen",
        ),
        _ => return Err(AppError::BadRequest("未知的操作".into())),
    };
    let rights = Rights {
        work: viewer.can("ledger:measure:edit"),
        review: viewer.can("ledger:measure:review"),
    };
    let view = store::rule_view(&state.db, &m).await?;
    let settings = store::settings(&state.db).await?;
    match rules::decide(&view, &action, rights, crate::calendar::today(), &settings) {
        Ok(outcome) => {
            store::apply(&state.db, viewer.actor(), name, &m, &outcome).await?;
            Ok(Redirect::to(&format!("/ledger/measures/{}?msg=saved", m.id)).into_response())
        }
        Err(refusal) => Ok((
            StatusCode::CONFLICT,
            measure_page_of(&state, &viewer, m, refusal).await?,
        )
            .into_response()),
    }
}

/// 报告进展: a dated text with evidence files (multipart), never editing an earlier report.
async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    viewer.require("ledger:measure:edit")?;
    let m = find(&state, &viewer, &raw).await?;
    let (mut content, mut date, mut files) = (String::new(), String::new(), Vec::new());
    let too_big = || {
        AppError::BadRequest(format!(
            "附件过大（合计上限{}MB）或上传中断",
            UPLOAD_LIMIT / 1024 / 1024
        ))
    };
    while let Some(field) = multipart.next_field().await.map_err(|_| too_big())? {
        match field.name() {
            Some("content") => content = field.text().await.map_err(|_| too_big())?,
            Some("reported_on") => date = field.text().await.map_err(|_| too_big())?,
            Some("files") => {
                let file_name = field
                    .file_name()
                    .unwrap_or("附件")
                    .chars()
                    .take(200)
                    .collect::<String>();
                let bytes = field.bytes().await.map_err(|_| too_big())?;
                if !bytes.is_empty() {
                    files.push(store::Upload {
                        file_name,
                        content: bytes.to_vec(),
                    });
                }
            }
            _ => {}
        }
    }
    let content = content.trim().to_owned();
    let today = crate::calendar::today();
    let checked = match calendar::parse_date(date.trim()) {
        _ if content.is_empty() => Err("请填写整改进展".to_owned()),
        _ if content.chars().count() > 5000 => Err("整改进展最多5000字".to_owned()),
        Ok(d) if d <= today => Ok(d),
        Ok(d) => Err(format!("报告日期{d}不能晚于今天")),
        Err(e) => Err(format!("报告日期有误：{e}")),
    };
    let reported_on = match checked {
        Ok(d) => d,
        Err(why) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                measure_page_of(&state, &viewer, m, why).await?,
            )
                .into_response());
        }
    };
    store::add_report(&state.db, viewer.actor(), &m, reported_on, &content, files).await?;
    Ok(Redirect::to(&format!("/ledger/measures/{}?msg=saved", m.id)).into_response())
}

async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:list")?;
    let file = store::evidence_in_scope(&state.db, &viewer.scope, parse_id(&raw)?)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                crate::web::attachment(&file.file_name),
            ),
        ],
        Body::from(file.content),
    )
        .into_response())
}

/// 导出: the round's ledger in scope as the Excel sheet bureaus keep.
async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:list")?;
    let round = store::inspection_in_scope(&state.db, &viewer.scope, parse_id(&raw)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = sheet_rows(&state, &viewer, &round).await?;
    let bytes = super::excel::workbook(&format!("{}台账", round.title), &sections)
        .map_err(AppError::internal)?;
    Ok(crate::web::xlsx::download(
        &format!("{}台账.xlsx", round.title),
        bytes,
    ))
}

/// The round's ledger in the viewer's scope, row by row as the sheet shows it.
pub(super) async fn sheet_rows(
    state: &AppState,
    viewer: &Viewer,
    round: &inspection::Model,
) -> Result<Vec<super::excel::SectionRows>, AppError> {
    use super::excel::{MeasureRow, ProblemRows, SectionRows};
    use sea_orm::EntityTrait;
    let tree = store::tree(&state.db, &viewer.scope, round.id).await?;
    let names: std::collections::HashMap<i64, String> =
        crate::org::entities::department::Entity::find()
            .all(&state.db)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    let mut rows_of = std::collections::HashMap::new();
    for m in &tree.measures {
        let reports = store::reports(&state.db, m.id).await?;
        let remark = match (m.close_out.as_str(), m.relapses) {
            ("returned", _) => format!(
                "销号申请被退回：{}",
                m.return_reason.clone().unwrap_or_default()
            ),
            ("requested", _) => "已申请销号，待审核".into(),
            (_, n) if n > 0 => format!("回头看反弹{n}次"),
            _ => String::new(),
        };
        let row = MeasureRow {
            content: m.content.clone(),
            lead_leader: m.lead_leader.clone().unwrap_or_default(),
            department: names.get(&m.department_id).cloned().unwrap_or_default(),
            supporting: String::new(),
            owner: m.owner.clone().unwrap_or_default(),
            due: due_text(m),
            progress: reports
                .first()
                .map(|(r, _)| format!("{}：{}", r.reported_on, r.content))
                .unwrap_or_default(),
            status: status_label(&m.status).into(),
            evidence: reports
                .iter()
                .flat_map(|(_, files)| files.iter().map(|f| f.file_name.clone()))
                .collect::<Vec<_>>()
                .join("、"),
            closed_on: m.closed_on.clone().unwrap_or_default(),
            remark,
        };
        rows_of
            .entry(m.problem_id)
            .or_insert_with(Vec::new)
            .push(row);
    }
    let problem_rows = |p: &problem::Model| ProblemRows {
        title: p.title.clone(),
        measures: rows_of.get(&p.id).cloned().unwrap_or_default(),
        children: tree
            .problems
            .iter()
            .filter(|c| c.parent_id == Some(p.id))
            .map(|c| ProblemRows {
                title: c.title.clone(),
                measures: rows_of.get(&c.id).cloned().unwrap_or_default(),
                children: vec![],
            })
            .collect(),
    };
    let sections: Vec<SectionRows> = tree
        .sections
        .iter()
        .map(|s| SectionRows {
            title: s.title.clone(),
            problems: tree
                .problems
                .iter()
                .filter(|p| p.section_id == s.id && p.parent_id.is_none())
                .map(problem_rows)
                .collect(),
        })
        .collect();
    Ok(sections)
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/bulletin.html")]
struct BulletinPage {
    shell: Shell,
    round: inspection::Model,
    form: BulletinForm,
    blocks: Vec<(&'static str, String)>,
    error: String,
}

#[derive(Deserialize, Default, Clone)]
struct BulletinForm {
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
async fn whole_round(
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

async fn bulletin_form(
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
async fn bulletin_write(
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
    let b = super::bulletin_out::write(&round, &tree.sections, &tree.problems, &facts, &issue);
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

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/measure_form.html")]
struct EditPage {
    shell: Shell,
    id: i64,
    input: super::measure_form::Input,
    errors: crate::web::form::FieldErrors,
    departments: Vec<crate::org::entities::department::Model>,
}

async fn edit_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    input: super::measure_form::Input,
    errors: crate::web::form::FieldErrors,
) -> Result<EditPage, AppError> {
    Ok(EditPage {
        shell: Shell::new(viewer, "/ledger", "修改整改措施"),
        id,
        input,
        errors,
        departments: crate::org::departments::list_in_scope(&state.db, &viewer.scope).await?,
    })
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<EditPage, AppError> {
    viewer.require("ledger:inspection:add")?;
    let m = find(&state, &viewer, &raw).await?;
    edit_page(
        &state,
        &viewer,
        m.id,
        super::measure_form::Input::of(&m),
        Default::default(),
    )
    .await
}

async fn edit_save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(input): Form<super::measure_form::Input>,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:add")?;
    let m = find(&state, &viewer, &raw).await?;
    let mut checked = super::measure_form::validate(&input);
    if let Ok(v) = &checked
        && crate::org::departments::get_in_scope(&state.db, &viewer.scope, v.department_id)
            .await?
            .is_none()
    {
        let mut e = crate::web::form::FieldErrors::default();
        e.add("department_id", "责任科室不存在或不在您的数据权限内");
        checked = Err(e);
    }
    match checked {
        Ok(v) => {
            store::update_measure(&state.db, viewer.actor(), &m, v).await?;
            Ok(Redirect::to(&format!("/ledger/measures/{}?msg=saved", m.id)).into_response())
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            edit_page(&state, &viewer, m.id, input, errors).await?,
        )
            .into_response()),
    }
}

#[derive(Deserialize)]
struct SnapshotForm {
    #[serde(default)]
    kind: String,
}

/// 生成周调度表 / 月汇报: freezes the round's rows as they are today.
async fn take_snapshot(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(f): Form<SnapshotForm>,
) -> Result<Response, AppError> {
    use sea_orm::ActiveValue::Set;
    viewer.require("ledger:inspection:add")?;
    let round = store::inspection_in_scope(&state.db, &viewer.scope, parse_id(&raw)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let label = match f.kind.as_str() {
        "weekly" => "周调度表",
        "monthly" => "月汇报",
        _ => return Err(AppError::BadRequest("请选择周调度表或月汇报".into())),
    };
    let rows = sheet_rows(&state, &viewer, &round).await?;
    let content = serde_json::to_string(&rows).map_err(AppError::internal)?;
    let today = crate::calendar::today();
    let now = crate::db::now_ms();
    let mut tx =
        crate::db::audited::AuditedTx::begin(&state.db, viewer.actor(), "ledger.snapshot.create")
            .await?;
    tx.insert(super::entities::snapshot::ActiveModel {
        inspection_id: Set(round.id),
        kind: Set(f.kind.clone()),
        taken_on: Set(today.to_string()),
        title: Set(format!("{}{label}（{today}）", round.title)),
        content_sha256: Set(crate::audit::event::hex_lower(&sha2::Sha256::digest(
            content.as_bytes(),
        ))),
        content: Set(content),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/ledger/inspections/{}?msg=created", round.id)).into_response())
}

/// A snapshot as Excel, exactly as it was taken.
async fn snapshot_download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    use sea_orm::EntityTrait;
    viewer.require("ledger:inspection:list")?;
    let snap = super::entities::snapshot::Entity::find_by_id(parse_id(&raw)?)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    store::inspection_in_scope(&state.db, &viewer.scope, snap.inspection_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows: Vec<super::excel::SectionRows> =
        serde_json::from_str(&snap.content).map_err(AppError::internal)?;
    let bytes = super::excel::workbook(&snap.title, &rows).map_err(AppError::internal)?;
    Ok(crate::web::xlsx::download(
        &format!("{}.xlsx", snap.title),
        bytes,
    ))
}

/// Completion by section and by department, and the on-time rate of closed measures.
async fn dashboard(
    state: &AppState,
    sections: &[section::Model],
    problems: &[problem::Model],
    measures: &[measure::Model],
) -> Result<(Vec<String>, String), AppError> {
    use super::charts::{Bar, completion};
    use sea_orm::EntityTrait;
    let done = |m: &&&measure::Model| m.status == "completed" || m.status == "closed";
    let section_of = |m: &measure::Model| {
        problems
            .iter()
            .find(|p| p.id == m.problem_id)
            .map(|p| p.section_id)
    };
    let by_section: Vec<Bar> = sections
        .iter()
        .map(|s| {
            let mine: Vec<&measure::Model> = measures
                .iter()
                .filter(|m| section_of(m) == Some(s.id))
                .collect();
            Bar {
                label: s.title.clone(),
                done: mine.iter().filter(done).count(),
                total: mine.len(),
            }
        })
        .collect();
    let names: std::collections::HashMap<i64, String> =
        crate::org::entities::department::Entity::find()
            .all(&state.db)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    let mut departments: Vec<i64> = measures.iter().map(|m| m.department_id).collect();
    departments.sort_unstable();
    departments.dedup();
    let by_department: Vec<Bar> = departments
        .iter()
        .map(|d| {
            let mine: Vec<&measure::Model> =
                measures.iter().filter(|m| m.department_id == *d).collect();
            Bar {
                label: names.get(d).cloned().unwrap_or_default(),
                done: mine.iter().filter(done).count(),
                total: mine.len(),
            }
        })
        .collect();
    let closed: Vec<&measure::Model> = measures
        .iter()
        .filter(|m| m.status == "closed" && m.due_kind == "date")
        .collect();
    let in_time = closed
        .iter()
        .filter(|m| matches!((&m.closed_on, &m.due_on), (Some(c), Some(d)) if c <= d))
        .count();
    let on_time = if closed.is_empty() {
        "尚无按期限销号的措施".to_owned()
    } else {
        format!(
            "按期销号率 {}%（{in_time}/{}）",
            (in_time * 100 + closed.len() / 2) / closed.len(),
            closed.len()
        )
    };
    if measures.is_empty() {
        return Ok((Vec::new(), on_time));
    }
    Ok((
        vec![
            completion("完成情况（按方面）", &by_section),
            completion("完成情况（按责任科室）", &by_department),
        ],
        on_time,
    ))
}

async fn notices_of(
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
struct NoticeForm {
    #[serde(default)]
    content: String,
}

/// 发出督办单: the next level of the bureau's ladder, decided by the rules.
async fn issue_notice(
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
async fn acknowledge_notice(
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
    let mut tx = crate::db::audited::AuditedTx::begin(
        &state.db,
        viewer.actor(),
        "ledger.notice.acknowledge",
    )
    .await?;
    tx.update(&notice, am).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/ledger/measures/{}?msg=saved", m.id)).into_response())
}
