//! 巡察整改台账: inspection rounds, their problems and measures, the 销号 workflow, alerts.
//! `rules.rs` decides, `store.rs` reads and writes within scope, `pages.rs` shows it.

mod add_pages;
pub mod bulletin_out;
pub mod charts;
pub mod demo;
pub mod entities;
pub mod excel;
pub mod excel_import;
mod excel_pages;
pub mod import;
mod import_pages;
pub mod measure_form;
mod pages;
pub mod rules;
pub mod store;

pub use pages::routes;
