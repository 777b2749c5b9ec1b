//! JSON API of the organisation under `/api/v1`: the same rules, permissions and scope as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::department_pages::parse_id;
use super::entities::{department, user};
use super::user_pages::editor;
use super::users::Filter;
use super::{departments, users};
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, api_invalid};
use crate::web::list::ListParams;

/// 部门列表：数据权限内的全部部门。
#[utoipa::path(get, path = "/api/v1/departments", tag = "部门管理", security(("bearer" = [])),
    responses((status = 200, body = Vec<department::Model>), (status = 401, body = crate::web::openapi::ErrorBody), (status = 404, body = crate::web::openapi::ErrorBody)))]
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

/// 一个部门；不存在、不在数据权限内或无权查看时均为 404。
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "部门管理", security(("bearer" = [])), params(("id" = i64, Path, description = "部门编号")),
    responses((status = 200, body = department::Model), (status = 404, body = crate::web::openapi::ErrorBody)))]
pub async fn get_department(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Json<department::Model>, ApiError> {
    viewer.require("org:dept:list")?;
    Ok(Json(find_department(&state, &viewer, &raw).await?))
}

/// 新增部门（org:dept:add）。
#[utoipa::path(post, path = "/api/v1/departments", tag = "部门管理", security(("bearer" = [])), request_body = departments::Input,
    responses((status = 201, body = department::Model), (status = 422, body = crate::web::openapi::InvalidBody), (status = 404, body = crate::web::openapi::ErrorBody)))]
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

/// 修改部门（org:dept:edit）。
#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "部门管理", security(("bearer" = [])), params(("id" = i64, Path, description = "部门编号")), request_body = departments::Input,
    responses((status = 200, body = department::Model), (status = 422, body = crate::web::openapi::InvalidBody), (status = 404, body = crate::web::openapi::ErrorBody)))]
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

/// 删除部门（org:dept:remove）；仍有下级部门或用户时 409。
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "部门管理", security(("bearer" = [])), params(("id" = i64, Path, description = "部门编号")),
    responses((status = 204), (status = 409, body = crate::web::openapi::ErrorBody), (status = 404, body = crate::web::openapi::ErrorBody)))]
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
#[derive(Serialize, utoipa::ToSchema)]
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
        phone: u
            .phone
            .map(|p| super::user_pages::shown_phone(&p, personal)),
        username: u.username,
        name: u.name,
        department_id: u.department_id,
        email: u.email,
        status: u.status,
        last_login_at: u.last_login_at,
    }
}

/// One page of users.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserPage {
    total: u64,
    page: u64,
    size: u64,
    items: Vec<UserView>,
}

/// A new user and the one-time password to hand over (shown this once only).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    user: UserView,
    one_time_password: String,
}

#[derive(serde::Deserialize, Default)]
pub struct UserQuery {
    #[serde(flatten)]
    filter: Filter,
    #[serde(flatten)]
    list: ListParams,
}

/// 用户列表：数据权限内、符合条件的用户，分页。
#[utoipa::path(get, path = "/api/v1/users", tag = "用户管理", security(("bearer" = [])), params(Filter, ListParams),
    responses((status = 200, body = UserPage), (status = 404, body = crate::web::openapi::ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<UserQuery>,
) -> Result<Json<UserPage>, ApiError> {
    viewer.require("org:user:list")?;
    let paging = q.list.paging(&users::SORTABLE);
    let (rows, total) = users::search(&state.db, &viewer.scope, &q.filter, &paging).await?;
    let personal = viewer.sees_personal_data();
    let items: Vec<UserView> = rows.into_iter().map(|u| view(u, personal)).collect();
    Ok(Json(UserPage {
        total,
        page: paging.page,
        size: paging.size,
        items,
    }))
}

/// 一个用户；手机号码对无权查看个人信息者打码。
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "用户管理", security(("bearer" = [])), params(("id" = i64, Path, description = "用户编号")),
    responses((status = 200, body = UserView), (status = 404, body = crate::web::openapi::ErrorBody)))]
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

/// 新增用户（org:user:add）；返回一次性初始密码。
#[utoipa::path(post, path = "/api/v1/users", tag = "用户管理", security(("bearer" = [])), request_body = users::Input,
    responses((status = 201, body = CreatedUser), (status = 422, body = crate::web::openapi::InvalidBody), (status = 404, body = crate::web::openapi::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    viewer: Viewer,
    crate::web::json::Json(input): crate::web::json::Json<users::Input>,
) -> Result<Response, ApiError> {
    viewer.require("org:user:add")?;
    let ed = editor(&state, &viewer);
    Ok(match users::create(ed, &input).await? {
        Ok((u, password)) => {
            let body = CreatedUser {
                user: view(u, true),
                one_time_password: password,
            };
            (StatusCode::CREATED, Json(body)).into_response()
        }
        Err(e) => api_invalid(&e),
    })
}

async fn find_user(state: &AppState, viewer: &Viewer, raw: &str) -> Result<user::Model, AppError> {
    users::get_in_scope(&state.db, &viewer.scope, parse_id(raw)?)
        .await?
        .ok_or(AppError::NotFound)
}

/// 修改用户（org:user:edit）；分配角色另需 org:role:edit。
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "用户管理", security(("bearer" = [])), params(("id" = i64, Path, description = "用户编号")), request_body = users::Input,
    responses((status = 200, body = UserView), (status = 422, body = crate::web::openapi::InvalidBody), (status = 404, body = crate::web::openapi::ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    crate::web::json::Json(input): crate::web::json::Json<users::Input>,
) -> Result<Response, ApiError> {
    viewer.require("org:user:edit")?;
    let u = find_user(&state, &viewer, &raw).await?;
    Ok(
        match users::update(editor(&state, &viewer), &u, &input).await? {
            Ok(u) => Json(view(u, viewer.sees_personal_data())).into_response(),
            Err(e) => api_invalid(&e),
        },
    )
}

/// 删除用户（org:user:remove）；不能删除自己。
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "用户管理", security(("bearer" = [])), params(("id" = i64, Path, description = "用户编号")),
    responses((status = 204), (status = 409, body = crate::web::openapi::ErrorBody), (status = 404, body = crate::web::openapi::ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    viewer.require("org:user:remove")?;
    let u = find_user(&state, &viewer, &raw).await?;
    if u.id == viewer.user.id {
        return Err(ApiError(AppError::Conflict("不能删除自己的账号".into())));
    }
    users::delete(editor(&state, &viewer), u).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
