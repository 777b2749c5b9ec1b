//! 用户管理 pages.

use crate::web::form_multi::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::department_pages::{ConfirmPage, parse_id};
use super::entities::{department, role, user};
use super::users::{self, Editor, Filter, Input};
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form::FieldErrors;
use crate::web::list::{ListParams, Pager, filter_query};
use crate::web::shell::Shell;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(flatten)]
    filter: Filter,
    #[serde(flatten)]
    list: ListParams,
    msg: Option<String>,
}

pub struct Row {
    pub user: user::Model,
    pub department: String,
    pub phone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/templates/user_list.html")]
pub(super) struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
    filter: Filter,
    departments: Vec<department::Model>,
    pager: Pager,
    can_add: bool,
    can_edit: bool,
    can_remove: bool,
    can_reset: bool,
    can_export: bool,
    export_href: String,
}

/// A stored phone number as the viewer may see it: whole, or masked (`138****5678`).
pub fn shown_phone(phone: &str, personal: bool) -> String {
    domain::Masked::unless(personal).show_raw::<domain::PhoneNumber>(phone)
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    viewer.require("org:user:list")?;
    let paging = q.list.paging(&users::SORTABLE);
    let (found, total) = users::search(&state.db, &viewer.scope, &q.filter, &paging).await?;
    let departments = super::departments::list_in_scope(&state.db, &viewer.scope).await?;
    let all_departments = department_names(&state).await?;
    let personal = viewer.sees_personal_data();
    let rows = found
        .into_iter()
        .map(|u| Row {
            department: all_departments
                .get(&u.department_id)
                .cloned()
                .unwrap_or_default(),
            phone: u
                .phone
                .as_deref()
                .map(|p| shown_phone(p, personal))
                .unwrap_or_default(),
            user: u,
        })
        .collect();
    let fq = filter_query(&[
        ("q", &q.filter.q),
        ("department_id", &q.filter.department_id),
        ("status", &q.filter.status),
    ]);
    let fq_export = fq.clone();
    Ok(ListPage {
        shell: Shell::new(&viewer, "/org/users", "用户管理").with_flash(q.msg.as_deref()),
        rows,
        pager: Pager::new(&paging, total, fq),
        filter: q.filter,
        departments,
        can_add: viewer.can("org:user:add"),
        can_edit: viewer.can("org:user:edit"),
        can_remove: viewer.can("org:user:remove"),
        can_reset: viewer.can("org:user:resetpwd"),
        can_export: viewer.can("org:user:export"),
        export_href: format!("/org/users/export?{}", fq_export),
    })
}

/// 导出: the users of the list's filter, in scope, as an Excel sheet (personal data masked as on the page).
pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    viewer.require("org:user:export")?;
    let paging = crate::web::list::Paging::everything("username");
    let (found, _) = users::search(&state.db, &viewer.scope, &q.filter, &paging).await?;
    let names = department_names(&state).await?;
    let roles: std::collections::BTreeMap<i64, String> = {
        use sea_orm::EntityTrait;
        role::Entity::find()
            .all(&state.db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect()
    };
    let personal = viewer.sees_personal_data();
    let mut rows = Vec::with_capacity(found.len());
    for u in found {
        let role_names: Vec<String> = users::role_ids_of(&state.db, u.id)
            .await?
            .iter()
            .filter_map(|id| roles.get(id).cloned())
            .collect();
        rows.push(vec![
            u.username,
            u.name,
            names.get(&u.department_id).cloned().unwrap_or_default(),
            u.phone
                .as_deref()
                .map(|p| shown_phone(p, personal))
                .unwrap_or_default(),
            u.email.unwrap_or_default(),
            if u.status == "active" {
                "正常".into()
            } else {
                "停用".into()
            },
            role_names.join("、"),
            u.last_login_at.map(crate::web::fmt_ms).unwrap_or_default(),
        ]);
    }
    use crate::web::xlsx::Column;
    let columns = [
        Column {
            header: "用户名",
            width: 14.0,
        },
        Column {
            header: "姓名",
            width: 10.0,
        },
        Column {
            header: "部门",
            width: 24.0,
        },
        Column {
            header: "手机号码",
            width: 14.0,
        },
        Column {
            header: "电子邮箱",
            width: 24.0,
        },
        Column {
            header: "状态",
            width: 6.0,
        },
        Column {
            header: "角色",
            width: 20.0,
        },
        Column {
            header: "最后登录",
            width: 20.0,
        },
    ];
    crate::web::xlsx::sheet_response("用户列表.xlsx", "用户", &columns, &rows)
}

async fn department_names(
    state: &AppState,
) -> Result<std::collections::BTreeMap<i64, String>, AppError> {
    use sea_orm::EntityTrait;
    Ok(department::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "org/templates/user_form.html")]
pub(super) struct FormPage {
    shell: Shell,
    action: String,
    input: Input,
    errors: FieldErrors,
    departments: Vec<department::Model>,
    roles: Vec<role::Model>,
    can_grant_roles: bool,
}

impl FormPage {
    fn has_role(&self, id: &i64) -> bool {
        self.input.roles.contains(&id.to_string())
    }
    fn covers(&self, id: &i64) -> bool {
        self.input.covered.contains(&id.to_string())
    }
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    title: &str,
    action: String,
    input: Input,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    Ok(FormPage {
        shell: Shell::new(viewer, "/org/users", title),
        action,
        input,
        errors,
        departments: super::departments::list_in_scope(&state.db, &viewer.scope).await?,
        roles: super::roles::all(&state.db).await?,
        can_grant_roles: viewer.can("org:role:edit"),
    })
}

/// The viewer as an editor of users: their scope, and whether they may hand out roles.
pub(super) fn editor<'a>(state: &'a AppState, viewer: &'a Viewer) -> Editor<'a> {
    Editor {
        db: &state.db,
        scope: &viewer.scope,
        actor: viewer.actor(),
        can_grant_roles: viewer.can("org:role:edit"),
    }
}

pub async fn new(State(state): State<AppState>, viewer: Viewer) -> Result<FormPage, AppError> {
    viewer.require("org:user:add")?;
    let input = Input {
        department_id: viewer.user.department_id.to_string(),
        status: "active".into(),
        ..Default::default()
    };
    form_page(
        &state,
        &viewer,
        "新增用户",
        "/org/users/new".into(),
        input,
        FieldErrors::default(),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "org/templates/user_password.html")]
struct PasswordShown {
    shell: Shell,
    user: user::Model,
    password: String,
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(input): Form<Input>,
) -> Result<Response, AppError> {
    viewer.require("org:user:add")?;
    match users::create(editor(&state, &viewer), &input).await? {
        Ok((user, password)) => Ok(PasswordShown {
            shell: Shell::new(&viewer, "/org/users", "用户已新增"),
            user,
            password,
        }
        .into_response()),
        Err(errors) => {
            let page = form_page(
                &state,
                &viewer,
                "新增用户",
                "/org/users/new".into(),
                input,
                errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn find(state: &AppState, viewer: &Viewer, raw: &str) -> Result<user::Model, AppError> {
    let id = parse_id(raw)?;
    users::get_in_scope(&state.db, &viewer.scope, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<FormPage, AppError> {
    viewer.require("org:user:edit")?;
    let u = find(&state, &viewer, &raw).await?;
    let input = Input {
        username: u.username.clone(),
        name: u.name.clone(),
        department_id: u.department_id.to_string(),
        phone: u.phone.clone().unwrap_or_default(),
        email: u.email.clone().unwrap_or_default(),
        status: u.status.clone(),
        roles: users::role_ids_of(&state.db, u.id)
            .await?
            .iter()
            .map(i64::to_string)
            .collect(),
        covered: users::covered_departments(&state.db, u.id)
            .await?
            .iter()
            .map(i64::to_string)
            .collect(),
    };
    form_page(
        &state,
        &viewer,
        "修改用户",
        format!("/org/users/{}/edit", u.id),
        input,
        FieldErrors::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(input): Form<Input>,
) -> Result<Response, AppError> {
    viewer.require("org:user:edit")?;
    let u = find(&state, &viewer, &raw).await?;
    match users::update(editor(&state, &viewer), &u, &input).await? {
        Ok(_) => Ok(Redirect::to("/org/users?msg=saved").into_response()),
        Err(errors) => {
            let page = form_page(
                &state,
                &viewer,
                "修改用户",
                format!("/org/users/{}/edit", u.id),
                input,
                errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<ConfirmPage, AppError> {
    viewer.require("org:user:remove")?;
    let u = find(&state, &viewer, &raw).await?;
    Ok(ConfirmPage {
        shell: Shell::new(&viewer, "/org/users", "删除用户"),
        question: format!(
            "确定删除用户“{}”（{}）吗？操作将记入审计日志。",
            u.name, u.username
        ),
        action: format!("/org/users/{}/delete", u.id),
        back: "/org/users".into(),
        error: String::new(),
    })
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    viewer.require("org:user:remove")?;
    let u = find(&state, &viewer, &raw).await?;
    if u.id == viewer.user.id {
        return Err(AppError::Conflict("不能删除自己的账号".into()));
    }
    users::delete(editor(&state, &viewer), u).await?;
    Ok(Redirect::to("/org/users?msg=deleted").into_response())
}

pub async fn confirm_reset(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<ConfirmPage, AppError> {
    viewer.require("org:user:resetpwd")?;
    let u = find(&state, &viewer, &raw).await?;
    Ok(ConfirmPage {
        shell: Shell::new(&viewer, "/org/users", "重置密码"),
        question: format!(
            "确定重置用户“{}”（{}）的密码吗？将生成一次性密码，该用户下次登录须修改。",
            u.name, u.username
        ),
        action: format!("/org/users/{}/reset-password", u.id),
        back: "/org/users".into(),
        error: String::new(),
    })
}

pub async fn reset(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    viewer.require("org:user:resetpwd")?;
    let u = find(&state, &viewer, &raw).await?;
    let password = users::reset_password(editor(&state, &viewer), &u).await?;
    Ok(PasswordShown {
        shell: Shell::new(&viewer, "/org/users", "密码已重置"),
        user: u,
        password,
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::shown_phone;

    #[test]
    fn phones_are_masked_unless_the_viewer_may_see_them() {
        assert_eq!(shown_phone("13812345678", false), "138****5678");
        assert_eq!(shown_phone("0411-83631234", false), "0411-******34");
        assert_eq!(shown_phone("13812345678", true), "13812345678");
        assert!(
            !shown_phone("weird-123456", false).contains("123456"),
            "unparseable values are masked too"
        );
    }
}
