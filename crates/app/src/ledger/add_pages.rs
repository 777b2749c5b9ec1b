//! Building a ledger by hand: a new round (新增台账), then its sections, main and specific problems
//! and measures, each added with one audited insert from the round's page.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::entities::{measure, problem, section};
use super::rules::Status;
use super::store::{self, Draft};
use crate::auth::viewer::Viewer;
use crate::db::audited::AuditedTx;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form::{self, FieldErrors};
use crate::web::form_multi::Form;
use crate::web::parse_id;
use crate::web::shell::Shell;

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/new_round.html")]
pub(super) struct NewRound {
    shell: Shell,
    fields: BTreeMap<String, String>,
    errors: FieldErrors,
    departments: Vec<crate::org::entities::department::Model>,
}

impl NewRound {
    fn value(&self, key: &str) -> &str {
        self.fields.get(key).map(String::as_str).unwrap_or("")
    }
}

async fn new_round_page(
    state: &AppState,
    viewer: &Viewer,
    fields: BTreeMap<String, String>,
    errors: FieldErrors,
) -> Result<NewRound, AppError> {
    Ok(NewRound {
        shell: Shell::new(viewer, "/ledger", "新增整改台账"),
        fields,
        errors,
        departments: crate::org::departments::list_in_scope(&state.db, &viewer.scope).await?,
    })
}

pub async fn new_round(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<NewRound, AppError> {
    viewer.require("ledger:inspection:add")?;
    new_round_page(&state, &viewer, BTreeMap::new(), FieldErrors::default()).await
}

fn optional_date(e: &mut FieldErrors, key: &str, label: &str, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match calendar::parse_date(v) {
        Ok(d) => Some(d.to_string()),
        Err(m) => {
            e.add(key, format!("{label}有误：{m}"));
            None
        }
    }
}

pub async fn create_round(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:add")?;
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let mut e = FieldErrors::default();
    let title = form::required(&mut e, "title", "台账名称", get("title"), 200);
    let team = form::required(&mut e, "team", "巡察组", get("team"), 100);
    let kind = match get("kind") {
        k @ ("tour" | "patrol" | "audit" | "special") => k.to_owned(),
        _ => {
            e.add("kind", "请选择类型");
            String::new()
        }
    };
    let started_on = optional_date(&mut e, "started_on", "巡察开始日期", get("started_on"));
    let ended_on = optional_date(&mut e, "ended_on", "巡察结束日期", get("ended_on"));
    let feedback_on = optional_date(&mut e, "feedback_on", "反馈日期", get("feedback_on"));
    let department_id = get("department_id").parse::<i64>().ok();
    let in_scope = match department_id {
        Some(id) => crate::org::departments::get_in_scope(&state.db, &viewer.scope, id)
            .await?
            .is_some(),
        None => false,
    };
    if !in_scope {
        e.add("department_id", "请选择被巡察单位");
    }
    if !e.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            new_round_page(&state, &viewer, f, e).await?,
        )
            .into_response());
    }
    let draft = Draft {
        kind,
        title,
        team,
        department_id: department_id.unwrap_or_default(),
        started_on,
        ended_on,
        feedback_on,
        ..Default::default()
    };
    let id = store::create(
        &state.db,
        viewer.actor(),
        "ledger.inspection.create",
        &draft,
    )
    .await?;
    Ok(Redirect::to(&format!("/ledger/inspections/{id}")).into_response())
}

/// 新增方面 / 主要问题 / 具体问题 / 整改措施 on a round's page: `what` says which, `parent` under
/// what (a section for a main problem, a main problem for a specific one, a problem for a measure).
pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:add")?;
    let round = store::inspection_in_scope(&state.db, &viewer.scope, parse_id(&raw)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let get = |k: &str| f.get(k).map(|v| v.trim()).unwrap_or("");
    let parent = get("parent").parse::<i64>().ok();
    let text = get("text");
    let refuse = |m: &str| AppError::BadRequest(m.to_owned());
    if text.is_empty() || text.chars().count() > 1000 {
        return Err(refuse("请填写内容（最多1000字）"));
    }
    let now = crate::db::now_ms();
    let mut tx = AuditedTx::begin(&state.db, viewer.actor(), "ledger.inspection.add").await?;
    match get("what") {
        "section" => {
            let seq = section::Entity::find()
                .filter(section::Column::InspectionId.eq(round.id))
                .count(tx.reader())
                .await? as i32
                + 1;
            tx.insert(section::ActiveModel {
                inspection_id: Set(round.id),
                seq: Set(seq),
                title: Set(text.into()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .await?;
        }
        what @ ("main" | "specific") => {
            let (section_id, parent_id, inherited) = if what == "main" {
                let s = section::Entity::find_by_id(parent.unwrap_or(0))
                    .filter(section::Column::InspectionId.eq(round.id))
                    .one(tx.reader())
                    .await?
                    .ok_or(AppError::NotFound)?;
                (s.id, None, "feedback".to_owned())
            } else {
                let p = problem::Entity::find_by_id(parent.unwrap_or(0))
                    .filter(problem::Column::InspectionId.eq(round.id))
                    .filter(problem::Column::Level.eq("main"))
                    .one(tx.reader())
                    .await?
                    .ok_or(AppError::NotFound)?;
                (p.section_id, Some(p.id), p.origin)
            };
            // A specific problem comes from where its main problem came from, unless told.
            let origin = match get("origin") {
                "" => inherited.as_str(),
                o @ ("feedback" | "transferred" | "petition") => o,
                _ => return Err(refuse("问题来源应为反馈问题、移交问题或信访件")),
            };
            let siblings = problem::Entity::find()
                .filter(problem::Column::SectionId.eq(section_id))
                .count(tx.reader())
                .await? as i32;
            tx.insert(problem::ActiveModel {
                inspection_id: Set(round.id),
                section_id: Set(section_id),
                parent_id: Set(parent_id),
                level: Set(what.into()),
                seq: Set(siblings + 1),
                category: Set(None),
                title: Set(text.into()),
                origin: Set(origin.into()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .await?;
        }
        "measure" => {
            let p = problem::Entity::find_by_id(parent.unwrap_or(0))
                .filter(problem::Column::InspectionId.eq(round.id))
                .one(tx.reader())
                .await?
                .ok_or(AppError::NotFound)?;
            let seq = measure::Entity::find()
                .filter(measure::Column::ProblemId.eq(p.id))
                .count(tx.reader())
                .await? as i32
                + 1;
            tx.insert(measure::ActiveModel {
                inspection_id: Set(round.id),
                problem_id: Set(p.id),
                seq: Set(seq),
                content: Set(text.into()),
                lead_leader: Set(None),
                department_id: Set(round.department_id),
                owner: Set(None),
                due_kind: Set("immediate".into()),
                due_on: Set(None),
                status: Set(Status::NotStarted.key().into()),
                close_out: Set("open".into()),
                return_reason: Set(None),
                closed_on: Set(None),
                look_back_on: Set(None),
                relapses: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .await?;
        }
        _ => return Err(refuse("未知的新增类型")),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/ledger/inspections/{}?msg=created", round.id)).into_response())
}
