//! The organisation: departments, users, roles, permissions and data scope.

pub(crate) mod api;
mod department_pages;
pub mod departments;
pub mod entities;
pub mod permissions;
mod role_pages;
pub mod roles;
pub mod scope;
mod user_import;
mod user_import_pages;
mod user_pages;
pub mod users;

use axum::Router;
use axum::routing::get;

use crate::web::AppState;

pub fn routes() -> Router<AppState> {
    use department_pages as d;
    use role_pages as r;
    use user_pages as u;
    Router::new()
        .route("/org/departments", get(d::list))
        .route("/org/departments/new", get(d::new).post(d::create))
        .route("/org/departments/export", get(d::export))
        .route("/org/departments/{id}/edit", get(d::edit).post(d::update))
        .route(
            "/org/departments/{id}/delete",
            get(d::confirm_delete).post(d::delete),
        )
        .route("/org/users", get(u::list))
        .route("/org/users/new", get(u::new).post(u::create))
        .route("/org/users/export", get(u::export))
        .route(
            "/org/users/import",
            get(user_import_pages::form)
                .post(user_import_pages::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    user_import_pages::UPLOAD_LIMIT,
                )),
        )
        .route(
            "/org/users/import/template",
            get(user_import_pages::template),
        )
        .route(
            "/org/users/import/confirm",
            axum::routing::post(user_import_pages::confirm),
        )
        .route("/org/users/{id}/edit", get(u::edit).post(u::update))
        .route(
            "/org/users/{id}/delete",
            get(u::confirm_delete).post(u::delete),
        )
        .route(
            "/org/users/{id}/reset-password",
            get(u::confirm_reset).post(u::reset),
        )
        .route("/org/roles", get(r::list))
        .route("/org/roles/new", get(r::new).post(r::create))
        .route(
            "/org/roles/{id}/delete",
            get(r::confirm_delete).post(r::delete),
        )
        .route("/org/roles/{id}/edit", get(r::edit).post(r::update))
        .route(
            "/api/v1/departments",
            get(api::list_departments).post(api::create_department),
        )
        .route(
            "/api/v1/departments/{id}",
            get(api::get_department)
                .put(api::update_department)
                .delete(api::delete_department),
        )
        .route("/api/v1/users", get(api::list_users).post(api::create_user))
        .route(
            "/api/v1/users/{id}",
            get(api::get_user)
                .put(api::update_user)
                .delete(api::delete_user),
        )
}
