//! 修改整改措施 pages: the form of `measure_form.rs`, checked against the editor's scope.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::find;
use super::store;
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form_multi::Form;
use crate::web::shell::Shell;

#[derive(Template, WebTemplate)]
#[template(path = "ledger/templates/measure_form.html")]
pub(super) struct EditPage {
    shell: Shell,
    id: i64,
    input: super::measure_form::Input,
    errors: crate::web::form::FieldErrors,
    departments: Vec<crate::org::entities::department::Model>,
}

pub(super) async fn edit_page(
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

pub(super) async fn edit_form(
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

pub(super) async fn edit_save(
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
