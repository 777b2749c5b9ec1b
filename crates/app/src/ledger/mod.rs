//! 巡察整改台账: inspection rounds, their problems and measures, the 销号 workflow, alerts.
//! `rules.rs` decides, `store.rs` reads and writes within scope, `pages.rs` shows it.

mod add_pages;
pub mod bulletin_out;
mod bulletin_pages;
pub mod charts;
pub mod demo;
pub mod entities;
pub mod excel;
pub mod excel_import;
mod excel_pages;
pub mod import;
mod import_pages;
mod measure_edit_pages;
pub mod measure_form;
mod notice_pages;
mod outcome_pages;
pub mod outcomes;
mod pages;
mod report_pages;
pub mod rules;
pub mod store;
pub mod trend;

pub use pages::routes;
