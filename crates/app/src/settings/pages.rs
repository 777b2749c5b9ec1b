//! 参数设置 page.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use std::collections::BTreeMap;

use super::catalogue::{self, ALL, Definition};
use crate::auth::viewer::Viewer;
use crate::db::audited::AuditedTx;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form::FieldErrors;
use crate::web::form_multi::Form;
use crate::web::shell::Shell;

pub fn routes() -> Router<AppState> {
    Router::new().route("/system/settings", get(page).post(save))
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/templates/settings.html")]
struct Page {
    shell: Shell,
    rows: Vec<(&'static Definition, String)>,
    errors: FieldErrors,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    msg: Option<String>,
}

async fn current(state: &AppState) -> Result<Vec<(&'static Definition, String)>, AppError> {
    let mut out = Vec::new();
    for d in ALL {
        out.push((d, super::get(&state.db, d.key).await?));
    }
    Ok(out)
}

async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<PageQuery>,
) -> Result<Page, AppError> {
    viewer.require("system:setting:list")?;
    Ok(Page {
        shell: Shell::new(&viewer, "/system/settings", "参数设置").with_flash(q.msg.as_deref()),
        rows: current(&state).await?,
        errors: FieldErrors::default(),
        can_edit: viewer.can("system:setting:edit"),
    })
}

/// Saves every changed setting in one transaction; any invalid value saves nothing.
async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(values): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    viewer.require("system:setting:edit")?;
    let mut errors = FieldErrors::default();
    let mut changes = Vec::new();
    let mut effective = BTreeMap::new();
    for d in ALL {
        let raw =
            values
                .get(d.key)
                .map(String::as_str)
                .unwrap_or(if d.kind == catalogue::Kind::Bool {
                    "false"
                } else {
                    ""
                });
        match catalogue::parse_value(d, raw) {
            Ok(v) => {
                effective.insert(d.key, v.clone());
                if v != super::get(&state.db, d.key).await? {
                    changes.push((d.key, v));
                }
            }
            Err(m) => errors.add(d.key, m),
        }
    }
    if errors.is_empty() {
        for (key, message) in catalogue::conflicts(&effective) {
            errors.add(key, message);
        }
    }
    if !errors.is_empty() {
        let mut rows = current(&state).await?;
        for (d, v) in rows.iter_mut() {
            if let Some(raw) = values.get(d.key) {
                *v = raw.clone();
            }
        }
        let page = Page {
            shell: Shell::new(&viewer, "/system/settings", "参数设置"),
            rows,
            errors,
            can_edit: true,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    if changes.is_empty() {
        return Ok(Redirect::to("/system/settings?msg=saved").into_response());
    }
    let now = crate::db::now_ms();
    let mut tx = AuditedTx::begin(&state.db, viewer.actor(), "system.setting.update").await?;
    for (key, value) in changes {
        super::write_in(&mut tx, key, value, now).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to("/system/settings?msg=saved").into_response())
}
