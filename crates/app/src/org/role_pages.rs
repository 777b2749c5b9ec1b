//! 角色管理 pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::department_pages::{ConfirmPage, parse_id};
use super::entities::{department, role};
use super::permissions::CATALOGUE;
use super::roles::{self, Input};
use super::scope::DataScope;
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form::FieldErrors;
use crate::web::form_multi::Form;
use crate::web::shell::Shell;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    msg: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/templates/role_list.html")]
pub(super) struct ListPage {
    shell: Shell,
    rows: Vec<role::Model>,
    can_add: bool,
    can_edit: bool,
    can_remove: bool,
}

impl ListPage {
    fn scope_label(&self, key: &str) -> &'static str {
        DataScope::parse(key)
            .map(DataScope::label)
            .unwrap_or("未知")
    }
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    viewer.require("org:role:list")?;
    Ok(ListPage {
        shell: Shell::new(&viewer, "/org/roles", "角色管理").with_flash(q.msg.as_deref()),
        rows: roles::all(&state.db).await?,
        can_add: viewer.can("org:role:add"),
        can_edit: viewer.can("org:role:edit"),
        can_remove: viewer.can("org:role:remove"),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "org/templates/role_form.html")]
pub(super) struct FormPage {
    shell: Shell,
    /// `None` while creating a role.
    role: Option<role::Model>,
    action: String,
    input: Input,
    errors: FieldErrors,
    departments: Vec<department::Model>,
    scopes: [DataScope; 5],
    catalogue: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

impl FormPage {
    fn is_admin(&self) -> bool {
        self.role.as_ref().is_some_and(|r| r.role_key == "admin")
    }
    fn has(&self, p: &str) -> bool {
        self.input.permissions.iter().any(|x| x == p || x == "*")
    }
    fn has_department(&self, id: &i64) -> bool {
        self.input.departments.contains(&id.to_string())
    }
}

async fn find(state: &AppState, raw: &str) -> Result<role::Model, AppError> {
    role::Entity::find_by_id(parse_id(raw)?)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    r: Option<role::Model>,
    input: Input,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let (title, action) = match &r {
        Some(r) => ("修改角色", format!("/org/roles/{}/edit", r.id)),
        None => ("新增角色", "/org/roles/new".to_owned()),
    };
    Ok(FormPage {
        shell: Shell::new(viewer, "/org/roles", title),
        role: r,
        action,
        input,
        errors,
        departments: department::Entity::find().all(&state.db).await?,
        scopes: DataScope::ALL,
        catalogue: CATALOGUE,
    })
}

pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<FormPage, AppError> {
    viewer.require("org:role:edit")?;
    let r = find(&state, &raw).await?;
    let input = Input {
        name: r.name.clone(),
        data_scope: r.data_scope.clone(),
        permissions: r.permission_list().map(str::to_owned).collect(),
        departments: roles::custom_departments(&state.db, r.id)
            .await?
            .iter()
            .map(i64::to_string)
            .collect(),
        remark: r.remark.clone().unwrap_or_default(),
        role_key: String::new(),
    };
    form_page(&state, &viewer, Some(r), input, FieldErrors::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(input): Form<Input>,
) -> Result<Response, AppError> {
    viewer.require("org:role:edit")?;
    let r = find(&state, &raw).await?;
    match roles::update(&state.db, viewer.actor(), &r, &input).await? {
        Ok(_) => Ok(Redirect::to("/org/roles?msg=saved").into_response()),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&state, &viewer, Some(r), input, errors).await?,
        )
            .into_response()),
    }
}

pub async fn new(State(state): State<AppState>, viewer: Viewer) -> Result<FormPage, AppError> {
    viewer.require("org:role:add")?;
    let input = Input {
        data_scope: "department".into(),
        ..Default::default()
    };
    form_page(&state, &viewer, None, input, FieldErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(input): Form<Input>,
) -> Result<Response, AppError> {
    viewer.require("org:role:add")?;
    match roles::create(&state.db, viewer.actor(), &input).await? {
        Ok(_) => Ok(Redirect::to("/org/roles?msg=created").into_response()),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&state, &viewer, None, input, errors).await?,
        )
            .into_response()),
    }
}

fn confirm_page(viewer: &Viewer, r: &role::Model, error: String) -> ConfirmPage {
    ConfirmPage {
        shell: Shell::new(viewer, "/org/roles", "删除角色"),
        question: format!("确定删除角色“{}”吗？", r.name),
        action: format!("/org/roles/{}/delete", r.id),
        back: "/org/roles".into(),
        error,
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<ConfirmPage, AppError> {
    viewer.require("org:role:remove")?;
    let r = find(&state, &raw).await?;
    Ok(confirm_page(&viewer, &r, String::new()))
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    viewer.require("org:role:remove")?;
    let r = find(&state, &raw).await?;
    let page = confirm_page(&viewer, &r, String::new());
    match roles::delete(&state.db, viewer.actor(), r).await? {
        Ok(()) => Ok(Redirect::to("/org/roles?msg=deleted").into_response()),
        Err(why) => Ok((StatusCode::CONFLICT, ConfirmPage { error: why, ..page }).into_response()),
    }
}
