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
        .route(
            "/ledger/inspections/{id}/outcomes",
            post(super::outcome_pages::add),
        )
        .route(
            "/ledger/inspections/{id}/outcomes/{what}/{entry}/delete",
            post(super::outcome_pages::delete),
        )
        .route(
            "/ledger/inspections/{id}/snapshots",
            post(super::report_pages::take_snapshot),
        )
        .route(
            "/ledger/snapshots/{id}",
            get(super::report_pages::snapshot_download),
        )
        .route(
            "/ledger/inspections/{id}/export",
            get(super::report_pages::export),
        )
        .route(
            "/ledger/inspections/{id}/bulletin",
            get(super::bulletin_pages::bulletin_form).post(super::bulletin_pages::bulletin_write),
        )
        .route("/ledger/measures/{id}", get(measure_page))
        .route("/ledger/measures/{id}/actions", post(act))
        .route(
            "/ledger/measures/{id}/edit",
            get(super::measure_edit_pages::edit_form).post(super::measure_edit_pages::edit_save),
        )
        .route(
            "/ledger/measures/{id}/notices",
            post(super::notice_pages::issue_notice),
        )
        .route(
            "/ledger/notices/{id}/acknowledge",
            post(super::notice_pages::acknowledge_notice),
        )
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

pub(super) fn status_label(key: &str) -> &'static str {
    Status::parse(key).map_or("未知", Status::label)
}

pub(super) fn due_text(m: &measure::Model) -> String {
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
    outcomes: super::outcomes::Outcomes,
    /// Each problem's id and title, for the outcome forms and lists.
    problem_titles: Vec<(i64, String)>,
    /// 移交问题 and 信访件 among the round's problems.
    handed_over: (usize, usize),
}

impl RoundPage {
    fn problem_title(&self, id: &i64) -> &str {
        self.problem_titles
            .iter()
            .find(|(p, _)| p == id)
            .map(|(_, t)| t.as_str())
            .unwrap_or("")
    }
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
        super::report_pages::dashboard(&state, &tree.sections, &tree.problems, &tree.measures)
            .await?;
    let cal = crate::calendar::effective(&state.db).await?;
    let settings = store::settings(&state.db).await?;
    let problem_titles = tree
        .problems
        .iter()
        .map(|p| (p.id, p.title.chars().take(40).collect()))
        .collect();
    let origin_count = |o: &str| tree.problems.iter().filter(|p| p.origin == o).count();
    let handed_over = (origin_count("transferred"), origin_count("petition"));
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
        outcomes: super::outcomes::of_round(&state.db, round.id).await?,
        problem_titles,
        handed_over,
        round,
        sections,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/measure.html")]
pub(super) struct MeasurePage {
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

impl MeasurePage {
    /// The report that corrects report `id`, if any.
    fn corrected_by(&self, id: &i64) -> Option<i64> {
        self.reports
            .iter()
            .find(|(r, _)| r.supersedes_id == Some(*id))
            .map(|(r, _)| r.id)
    }
}

#[derive(Deserialize, Default)]
pub(super) struct MeasureQuery {
    msg: Option<String>,
}

pub(super) async fn measure_page_of(
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
        notices: super::notice_pages::notices_of(&state.db, m.id).await?,
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

pub(super) async fn find(
    state: &AppState,
    viewer: &Viewer,
    raw: &str,
) -> Result<measure::Model, AppError> {
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
    let mut supersedes = String::new();
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
            Some("supersedes") => supersedes = field.text().await.map_err(|_| too_big())?,
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
    // A correction names the earlier report of this measure that it corrects; that one stays.
    let supersedes = match supersedes.trim() {
        "" => Ok(None),
        raw => match raw.parse::<i64>() {
            Ok(id) => match store::reports(&state.db, m.id)
                .await?
                .iter()
                .find(|(r, _)| r.id == id)
            {
                None => Err("要更正的进展报告不属于该整改措施".to_owned()),
                Some(_) if store::is_superseded(&state.db, id).await? => {
                    Err("该进展报告已经更正过，请更正最新的版本".to_owned())
                }
                Some(_) => Ok(Some(id)),
            },
            Err(_) => Err("要更正的进展报告编号无效".to_owned()),
        },
    };
    let checked = checked.and_then(|d| supersedes.map(|s| (d, s)));
    let (reported_on, supersedes) = match checked {
        Ok(d) => d,
        Err(why) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                measure_page_of(&state, &viewer, m, why).await?,
            )
                .into_response());
        }
    };
    store::add_report(
        &state.db,
        viewer.actor(),
        &m,
        store::NewReport {
            reported_on,
            content: &content,
            supersedes,
        },
        files,
    )
    .await?;
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
