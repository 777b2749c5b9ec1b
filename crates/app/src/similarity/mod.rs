//! 查重: the comparison library (比对库) of earlier documents, scoped by department like everything
//! else, and checks of new documents against it with the report as a page and as a Word file.
//!
//! The library lives in the database (`store.rs`, audited like every write); the engine's index
//! under the data directory is a cache rebuilt from it (`cache.rs`). `rules.rs` reads uploads,
//! `stored_report.rs` keeps the report as it was shown, `report_docx.rs` writes it for Word.

mod cache;
mod check_pages;
pub mod demo;
pub mod entities;
mod library_pages;
mod report_docx;
pub mod rules;
pub mod store;
pub mod stored_report;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;

pub use cache::Cache;

use crate::web::AppState;

pub fn routes() -> Router<AppState> {
    use check_pages as c;
    use library_pages as l;
    Router::new()
        .route("/similarity/library", get(l::list))
        .route(
            "/similarity/library/upload",
            get(l::upload_form)
                .post(l::upload)
                .layer(DefaultBodyLimit::max(l::UPLOAD_LIMIT)),
        )
        .route("/similarity/library/{id}", get(l::show))
        .route(
            "/similarity/library/{id}/delete",
            get(l::confirm_delete).post(l::delete),
        )
        .route(
            "/similarity/check",
            get(c::form)
                .post(c::run)
                .layer(DefaultBodyLimit::max(l::UPLOAD_LIMIT)),
        )
        .route("/similarity/reports", get(c::checks))
        .route("/similarity/reports/{id}", get(c::report))
        .route("/similarity/reports/{id}/report.docx", get(c::report_docx))
}
