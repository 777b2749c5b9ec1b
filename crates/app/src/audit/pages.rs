//! 操作日志, 登录日志 and object history pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;

use super::entity as audit_event;
use crate::auth::login_log::entity as login_log;
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::list::{ListParams, Pager, filter_query};
use crate::web::shell::Shell;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit/events", get(events))
        .route("/audit/objects/{object_type}/{object_id}", get(history))
        .route("/system/login-log", get(login_log_page))
}

#[derive(Deserialize, Default)]
struct EventFilter {
    #[serde(default)]
    object_type: String,
    #[serde(default)]
    object_id: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Deserialize, Default)]
struct EventQuery {
    #[serde(flatten)]
    filter: EventFilter,
    #[serde(flatten)]
    list: ListParams,
}

/// One field's change as shown to a reader.
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

pub struct EventRow {
    pub event: audit_event::Model,
    pub changes: Vec<FieldChange>,
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn rows(events: Vec<audit_event::Model>) -> Vec<EventRow> {
    events
        .into_iter()
        .map(|e| {
            let changes = super::event::Event::parse_changes(&e.changes)
                .map(|m| {
                    m.into_iter()
                        .map(|(field, [b, a])| FieldChange {
                            field,
                            before: show(&b),
                            after: show(&a),
                        })
                        .collect()
                })
                .unwrap_or_default();
            EventRow { event: e, changes }
        })
        .collect()
}

/// `YYYY-MM-DD` as the epoch milliseconds of that day's start in Beijing time.
fn day_start_ms(s: &str) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis() - 8 * 3_600_000)
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/templates/events.html")]
struct EventsPage {
    shell: Shell,
    can_prove: bool,
    departments: Vec<crate::org::entities::department::Model>,
    rows: Vec<EventRow>,
    filter: EventFilter,
    pager: Pager,
}

async fn events(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<EventQuery>,
) -> Result<EventsPage, AppError> {
    viewer.require("audit:event:list")?;
    let f = &q.filter;
    let mut query = audit_event::Entity::find().filter(viewer.scope.condition(
        audit_event::Column::DepartmentId,
        Some(audit_event::Column::ActorId),
    ));
    if !f.object_type.is_empty() {
        query = query.filter(audit_event::Column::ObjectType.eq(f.object_type.trim()));
    }
    if !f.object_id.is_empty() {
        query = query.filter(audit_event::Column::ObjectId.eq(f.object_id.trim()));
    }
    if !f.actor.is_empty() {
        query = query.filter(audit_event::Column::ActorName.contains(f.actor.trim()));
    }
    if !f.action.is_empty() {
        query = query.filter(audit_event::Column::Action.starts_with(f.action.trim()));
    }
    if let Ok(id) = f.department_id.trim().parse::<i64>() {
        query = query.filter(audit_event::Column::DepartmentId.eq(id));
    }
    if let Some(ms) = day_start_ms(&f.from) {
        query = query.filter(audit_event::Column::At.gte(ms));
    }
    if let Some(ms) = day_start_ms(&f.to) {
        query = query.filter(audit_event::Column::At.lt(ms + 86_400_000));
    }
    let paging = q.list.paging(&["seq"]);
    let total = query.clone().count(&state.db).await?;
    let query = if paging.sort.is_some() && !paging.desc {
        query.order_by_asc(audit_event::Column::Seq)
    } else {
        query.order_by_desc(audit_event::Column::Seq)
    };
    let found = query
        .offset(paging.offset())
        .limit(paging.size)
        .all(&state.db)
        .await?;
    let fq = filter_query(&[
        ("object_type", &f.object_type),
        ("object_id", &f.object_id),
        ("actor", &f.actor),
        ("action", &f.action),
        ("department_id", &f.department_id),
        ("from", &f.from),
        ("to", &f.to),
    ]);
    Ok(EventsPage {
        shell: Shell::new(&viewer, "/audit/events", "审计追溯"),
        can_prove: true,
        departments: crate::org::departments::list_in_scope(&state.db, &viewer.scope).await?,
        rows: rows(found),
        pager: Pager::new(&paging, total, fq),
        filter: q.filter,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/templates/history.html")]
struct HistoryPage {
    shell: Shell,
    can_prove: bool,
    object_type: String,
    object_id: String,
    rows: Vec<EventRow>,
}

/// An object's history. Visible to whoever may see the object itself, or may read the audit trail.
async fn history(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((object_type, object_id)): Path<(String, String)>,
) -> Result<HistoryPage, AppError> {
    let id = object_id.parse::<i64>().ok();
    let visible = viewer.can("audit:event:list")
        || match (object_type.as_str(), id) {
            ("department", Some(id)) => {
                viewer.can("org:dept:list")
                    && crate::org::departments::get_in_scope(&state.db, &viewer.scope, id)
                        .await?
                        .is_some()
            }
            ("user", Some(id)) => {
                viewer.can("org:user:list")
                    && crate::org::users::get_in_scope(&state.db, &viewer.scope, id)
                        .await?
                        .is_some()
            }
            ("role", Some(_)) => viewer.can("org:role:list"),
            _ => false,
        };
    if !visible {
        return Err(AppError::NotFound);
    }
    let found = audit_event::Entity::find()
        .filter(audit_event::Column::ObjectType.eq(object_type.as_str()))
        .filter(audit_event::Column::ObjectId.eq(object_id.as_str()))
        .order_by_desc(audit_event::Column::Seq)
        .limit(500)
        .all(&state.db)
        .await?;
    Ok(HistoryPage {
        shell: Shell::new(&viewer, "/audit/events", "变更历史"),
        can_prove: viewer.can("audit:event:list"),
        object_type,
        object_id,
        rows: rows(found),
    })
}

#[derive(Deserialize, Default)]
struct LoginLogFilter {
    #[serde(default)]
    username: String,
    #[serde(default)]
    result: String,
}

#[derive(Deserialize, Default)]
struct LoginLogQuery {
    #[serde(flatten)]
    filter: LoginLogFilter,
    #[serde(flatten)]
    list: ListParams,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/templates/login_log.html")]
struct LoginLogPage {
    shell: Shell,
    rows: Vec<login_log::Model>,
    filter: LoginLogFilter,
    pager: Pager,
}

async fn login_log_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<LoginLogQuery>,
) -> Result<LoginLogPage, AppError> {
    viewer.require("system:loginlog:list")?;
    let mut query = login_log::Entity::find();
    if viewer.scope != crate::org::scope::Scope::All {
        query = query.filter(login_log::Column::UserId.eq(viewer.user.id));
    }
    if !q.filter.username.is_empty() {
        query = query.filter(login_log::Column::Username.contains(q.filter.username.trim()));
    }
    match q.filter.result.as_str() {
        "ok" => query = query.filter(login_log::Column::Success.eq(true)),
        "fail" => query = query.filter(login_log::Column::Success.eq(false)),
        _ => {}
    }
    let paging = q.list.paging(&["at"]);
    let total = query.clone().count(&state.db).await?;
    let found = query
        .order_by_desc(login_log::Column::Id)
        .offset(paging.offset())
        .limit(paging.size)
        .all(&state.db)
        .await?;
    let fq = filter_query(&[
        ("username", &q.filter.username),
        ("result", &q.filter.result),
    ]);
    Ok(LoginLogPage {
        shell: Shell::new(&viewer, "/system/login-log", "登录日志"),
        rows: found,
        pager: Pager::new(&paging, total, fq),
        filter: q.filter,
    })
}
