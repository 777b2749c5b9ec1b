//! JSON API of the organisation under `/api/v1`: the same rules, permissions and scope as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::department_pages::parse_id;
use super::entities::{department, user};
use super::users::{Editor, Filter};
use super::{departments, users};
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, api_invalid};
use crate::web::list::ListParams;

pub async fn list_departments(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<department::Model>>, ApiError> {
    viewer.require("org:dept:list")?;
    Ok(Json(
        departments::list_in_scope(&state.db, &viewer.scope).await?,
    ))
}

async fn find_department(
    state: &AppState,
    viewer: &Viewer,
    raw: &str,
) -> Result<department::Model, AppError> {
    departments::get_in_scope(&state.db, &viewer.scope, parse_id(raw)?)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn get_department(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Json<department::Model>, ApiError> {
    viewer.require("org:dept:list")?;
    Ok(Json(find_department(&state, &viewer, &raw).await?))
}

pub async fn create_department(
    State(state): State<AppState>,
    viewer: Viewer,
    crate::web::json::Json(input): crate::web::json::Json<departments::Input>,
) -> Result<Response, ApiError> {
    viewer.require("org:dept:add")?;
    Ok(
        match departments::create(&state.db, &viewer.scope, viewer.actor(), &input).await? {
            Ok(d) => (StatusCode::CREATED, Json(d)).into_response(),
            Err(e) => api_invalid(&e),
        },
    )
}

pub async fn update_department(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    crate::web::json::Json(input): crate::web::json::Json<departments::Input>,
) -> Result<Response, ApiError> {
    viewer.require("org:dept:edit")?;
    let d = find_department(&state, &viewer, &raw).await?;
    Ok(
        match departments::update(&state.db, &viewer.scope, viewer.actor(), &d, &input).await? {
            Ok(d) => Json(d).into_response(),
            Err(e) => api_invalid(&e),
        },
    )
}

pub async fn delete_department(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    viewer.require("org:dept:remove")?;
    let d = find_department(&state, &viewer, &raw).await?;
    Ok(
        match departments::delete(&state.db, viewer.actor(), d).await? {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(why) => return Err(ApiError(AppError::Conflict(why))),
        },
    )
}

/// A user as the API shows it: never the password hash; phone masked unless the viewer may see it.
#[derive(Serialize)]
pub struct UserView {
    id: i64,
    username: String,
    name: String,
    department_id: i64,
    phone: Option<String>,
    email: Option<String>,
    status: String,
    last_login_at: Option<i64>,
}

fn view(u: user::Model, personal: bool) -> UserView {
    UserView {
        id: u.id,
        phone: u.phone.map(|p| {
            if personal {
                p
            } else {
                super::user_pages::mask_phone(&p)
            }
        }),
        username: u.username,
        name: u.name,
        department_id: u.department_id,
        email: u.email,
        status: u.status,
        last_login_at: u.last_login_at,
    }
}

#[derive(serde::Deserialize, Default)]
pub struct UserQuery {
    #[serde(flatten)]
    filter: Filter,
    #[serde(flatten)]
    list: ListParams,
}

pub async fn list_users(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<UserQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    viewer.require("org:user:list")?;
    let paging = q.list.paging(&users::SORTABLE);
    let (rows, total) = users::search(&state.db, &viewer.scope, &q.filter, &paging).await?;
    let personal = viewer.sees_personal_data();
    let items: Vec<UserView> = rows.into_iter().map(|u| view(u, personal)).collect();
    Ok(Json(
        serde_json::json!({ "total": total, "page": paging.page, "size": paging.size, "items": items }),
    ))
}

pub async fn get_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    viewer.require("org:user:list")?;
    let u = users::get_in_scope(&state.db, &viewer.scope, parse_id(&raw)?)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(view(u, viewer.sees_personal_data())))
}

pub async fn create_user(
    State(state): State<AppState>,
    viewer: Viewer,
    crate::web::json::Json(input): crate::web::json::Json<users::Input>,
) -> Result<Response, ApiError> {
    viewer.require("org:user:add")?;
    let ed = Editor {
        db: &state.db,
        scope: &viewer.scope,
        actor: viewer.actor(),
        can_grant_roles: viewer.can("org:role:edit"),
    };
    Ok(match users::create(ed, &input).await? {
        Ok((u, password)) => {
            let body = serde_json::json!({ "user": view(u, true), "one_time_password": password });
            (StatusCode::CREATED, Json(body)).into_response()
        }
        Err(e) => api_invalid(&e),
    })
}
