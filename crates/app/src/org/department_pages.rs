//! 部门管理 pages.

use crate::web::form_multi::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::departments::{self, Input, KINDS};
use super::entities::department;
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form::FieldErrors;
use crate::web::shell::Shell;

pub use crate::web::parse_id;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    msg: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/templates/department_list.html")]
pub(super) struct ListPage {
    shell: Shell,
    rows: Vec<(usize, department::Model)>,
    name: String,
    status: String,
    can_add: bool,
    can_edit: bool,
    can_remove: bool,
    can_export: bool,
    export_href: String,
}

impl ListPage {
    fn kind_label(&self, k: &str) -> &'static str {
        departments::kind_label(k)
    }
    fn indent(&self, depth: &usize) -> String {
        "　".repeat(*depth * 2)
    }
}

/// The departments in scope matching the search form, in tree order with their depth.
async fn matching(
    state: &AppState,
    viewer: &Viewer,
    q: &ListQuery,
) -> Result<Vec<(usize, department::Model)>, AppError> {
    let all = departments::list_in_scope(&state.db, &viewer.scope).await?;
    let name = q.name.trim();
    Ok(departments::tree_rows(&all)
        .into_iter()
        .filter(|(_, d)| name.is_empty() || d.name.contains(name))
        .filter(|(_, d)| q.status.is_empty() || d.status == q.status)
        .map(|(depth, d)| (depth, d.clone()))
        .collect())
}

/// 导出: the listed departments as an Excel sheet, the tree shown by indentation.
pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    viewer.require("org:dept:export")?;
    let rows = matching(&state, &viewer, &q).await?;
    let names: std::collections::HashMap<i64, String> =
        rows.iter().map(|(_, d)| (d.id, d.name.clone())).collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(depth, d)| {
            vec![
                format!("{}{}", "　".repeat(depth * 2), d.name),
                d.code.clone(),
                departments::kind_label(&d.kind).to_owned(),
                d.parent_id
                    .and_then(|p| names.get(&p).cloned())
                    .unwrap_or_default(),
                d.sort_order.to_string(),
                d.phone.clone().unwrap_or_default(),
                if d.status == "active" {
                    "正常".into()
                } else {
                    "停用".into()
                },
            ]
        })
        .collect();
    use crate::web::xlsx::Column;
    let columns = [
        Column {
            header: "部门名称",
            width: 30.0,
        },
        Column {
            header: "编码",
            width: 12.0,
        },
        Column {
            header: "类型",
            width: 10.0,
        },
        Column {
            header: "上级部门",
            width: 24.0,
        },
        Column {
            header: "排序",
            width: 6.0,
        },
        Column {
            header: "电话",
            width: 16.0,
        },
        Column {
            header: "状态",
            width: 6.0,
        },
    ];
    crate::web::xlsx::sheet_response("部门列表.xlsx", "部门", &columns, &cells)
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    viewer.require("org:dept:list")?;
    let rows = matching(&state, &viewer, &q).await?;
    let name = q.name.trim().to_owned();
    let export_href = format!(
        "/org/departments/export?{}",
        crate::web::list::filter_query(&[("name", &name), ("status", &q.status)])
    );
    Ok(ListPage {
        shell: Shell::new(&viewer, "/org/departments", "部门管理").with_flash(q.msg.as_deref()),
        rows,
        name,
        status: q.status,
        can_add: viewer.can("org:dept:add"),
        can_export: viewer.can("org:dept:export"),
        export_href,
        can_edit: viewer.can("org:dept:edit"),
        can_remove: viewer.can("org:dept:remove"),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "org/templates/department_form.html")]
pub(super) struct FormPage {
    shell: Shell,
    action: String,
    input: Input,
    errors: FieldErrors,
    parents: Vec<(usize, department::Model)>,
    kinds: [(&'static str, &'static str); 5],
}

impl FormPage {
    fn indent(&self, depth: &usize) -> String {
        "　".repeat(*depth)
    }
    fn is_parent(&self, id: &i64) -> bool {
        self.input.parent_id == id.to_string()
    }
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    title: &str,
    action: String,
    input: Input,
    errors: FieldErrors,
    exclude: Option<i64>,
) -> Result<FormPage, AppError> {
    let all = departments::list_in_scope(&state.db, &viewer.scope).await?;
    let hidden = match exclude {
        Some(id) => crate::auth::viewer::department_tree(&state.db)
            .await?
            .subtree(id),
        None => Default::default(),
    };
    let parents = departments::tree_rows(&all)
        .into_iter()
        .filter(|(_, d)| !hidden.contains(&d.id))
        .map(|(depth, d)| (depth, d.clone()))
        .collect();
    Ok(FormPage {
        shell: Shell::new(viewer, "/org/departments", title),
        action,
        input,
        errors,
        parents,
        kinds: KINDS,
    })
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    parent_id: String,
}

pub async fn new(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NewQuery>,
) -> Result<FormPage, AppError> {
    viewer.require("org:dept:add")?;
    let input = Input {
        parent_id: q.parent_id,
        kind: "department".into(),
        status: "active".into(),
        ..Default::default()
    };
    form_page(
        &state,
        &viewer,
        "新增部门",
        "/org/departments/new".into(),
        input,
        FieldErrors::default(),
        None,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(input): Form<Input>,
) -> Result<Response, AppError> {
    viewer.require("org:dept:add")?;
    match departments::create(&state.db, &viewer.scope, viewer.actor(), &input).await? {
        Ok(_) => Ok(Redirect::to("/org/departments?msg=created").into_response()),
        Err(errors) => {
            let page = form_page(
                &state,
                &viewer,
                "新增部门",
                "/org/departments/new".into(),
                input,
                errors,
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn input_of(d: &department::Model) -> Input {
    Input {
        name: d.name.clone(),
        code: d.code.clone(),
        kind: d.kind.clone(),
        parent_id: d.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        sort_order: d.sort_order.to_string(),
        phone: d.phone.clone().unwrap_or_default(),
        status: d.status.clone(),
    }
}

async fn find(state: &AppState, viewer: &Viewer, raw: &str) -> Result<department::Model, AppError> {
    let id = parse_id(raw)?;
    departments::get_in_scope(&state.db, &viewer.scope, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<FormPage, AppError> {
    viewer.require("org:dept:edit")?;
    let d = find(&state, &viewer, &raw).await?;
    form_page(
        &state,
        &viewer,
        "修改部门",
        format!("/org/departments/{}/edit", d.id),
        input_of(&d),
        FieldErrors::default(),
        Some(d.id),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(input): Form<Input>,
) -> Result<Response, AppError> {
    viewer.require("org:dept:edit")?;
    let d = find(&state, &viewer, &raw).await?;
    match departments::update(&state.db, &viewer.scope, viewer.actor(), &d, &input).await? {
        Ok(_) => Ok(Redirect::to("/org/departments?msg=saved").into_response()),
        Err(errors) => {
            let page = form_page(
                &state,
                &viewer,
                "修改部门",
                format!("/org/departments/{}/edit", d.id),
                input,
                errors,
                Some(d.id),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "org/templates/confirm.html")]
pub struct ConfirmPage {
    pub shell: Shell,
    pub question: String,
    pub action: String,
    pub back: String,
    pub error: String,
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<ConfirmPage, AppError> {
    viewer.require("org:dept:remove")?;
    let d = find(&state, &viewer, &raw).await?;
    Ok(ConfirmPage {
        shell: Shell::new(&viewer, "/org/departments", "删除部门"),
        question: format!(
            "确定删除部门“{}”（{}）吗？删除后不可恢复，操作将记入审计日志。",
            d.name, d.code
        ),
        action: format!("/org/departments/{}/delete", d.id),
        back: "/org/departments".into(),
        error: String::new(),
    })
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    viewer.require("org:dept:remove")?;
    let d = find(&state, &viewer, &raw).await?;
    let (name, id) = (d.name.clone(), d.id);
    match departments::delete(&state.db, viewer.actor(), d).await? {
        Ok(()) => Ok(Redirect::to("/org/departments?msg=deleted").into_response()),
        Err(why) => Ok((
            StatusCode::CONFLICT,
            ConfirmPage {
                shell: Shell::new(&viewer, "/org/departments", "删除部门"),
                question: format!("确定删除部门“{name}”吗？"),
                action: format!("/org/departments/{id}/delete"),
                back: "/org/departments".into(),
                error: why,
            },
        )
            .into_response()),
    }
}
